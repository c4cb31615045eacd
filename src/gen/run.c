/*
 * Options, the dj_gen object, streaming, and `dajia gen`'s file output:
 * every file goes to NAME.tmp in the output directory and is renamed only
 * when all files are complete, so a failed or interrupted run never leaves
 * a file that looks finished.
 */
#include "gen/gen_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "util/mem.h"

void dj_gen_opts_init(dj_gen_opts *o, dj_gen_profile p)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->profile = p;
    if (p == DJ_GEN_PROFILE_BENCH) {
        o->n_listings = 1000000;
        o->n_brands = 10000;
        o->terms_per_brand = 10;
        o->n_signals = 500;
        o->desc_bytes = 460;
    } else {
        o->n_listings = 10000;
        o->n_brands = 300;
        o->terms_per_brand = 0;
        o->n_signals = 0;
        o->desc_bytes = 240;
    }
}

dj_rc dj_gen_profile_parse(const char *s, dj_gen_profile *out)
{
    if (!strcmp(s, "demo"))
        *out = DJ_GEN_PROFILE_DEMO;
    else if (!strcmp(s, "bench"))
        *out = DJ_GEN_PROFILE_BENCH;
    else
        return DJ_EINVAL;
    return DJ_OK;
}

static dj_rc check_opts(const dj_gen_opts *o, dj_err *err)
{
    if (o->n_listings > DJ_GEN_MAX_LISTINGS)
        return dj_err_set(err, DJ_EINVAL, "listings: %llu is above the limit %llu",
                          (unsigned long long)o->n_listings, DJ_GEN_MAX_LISTINGS);
    if (o->n_brands < 1 || o->n_brands > DJ_GEN_MAX_BRANDS)
        return dj_err_set(err, DJ_EINVAL, "brands: %u is not in 1..%d", o->n_brands,
                          DJ_GEN_MAX_BRANDS);
    if (o->terms_per_brand > DJ_GEN_MAX_TERMS_PER_BRAND)
        return dj_err_set(err, DJ_EINVAL, "terms-per-brand: %u is above the limit %d",
                          o->terms_per_brand, DJ_GEN_MAX_TERMS_PER_BRAND);
    if (o->n_signals > DJ_GEN_MAX_SIGNALS)
        return dj_err_set(err, DJ_EINVAL, "signals: %u is above the limit %d", o->n_signals,
                          DJ_GEN_MAX_SIGNALS);
    if (o->desc_bytes > DJ_GEN_MAX_DESC_BYTES)
        return dj_err_set(err, DJ_EINVAL, "desc-bytes: %u is above the limit %d", o->desc_bytes,
                          DJ_GEN_MAX_DESC_BYTES);
    return DJ_OK;
}

dj_rc dj_gen_new(dj_gen **out, const dj_gen_opts *o, dj_err *err)
{
    dj_rc rc = check_opts(o, err);
    if (rc)
        return rc;
    dj_gen *g = dj_xcalloc(1, sizeof *g);
    g->opts = *o;
    g->arena = dj_arena_new(1 << 16);
    rc = dj_gen__vocab_load(&g->v, g->arena, err);
    if (!rc)
        rc = dj_gen__world_build(g, err);
    if (!rc) {
        uint64_t total = 0;
        for (uint32_t i = 0; i < g->n_brands; i++)
            total += g->brands[i].n_kb_terms;
        if (total > DJ_GEN_MAX_TERMS_TOTAL)
            rc = dj_err_set(err, DJ_EINVAL,
                            "brands x terms-per-brand: %llu terms, above the KB limit of %d",
                            (unsigned long long)total, DJ_GEN_MAX_TERMS_TOTAL);
    }
    if (rc) {
        dj_gen_free(g);
        return rc;
    }
    *out = g;
    return DJ_OK;
}

void dj_gen_free(dj_gen *g)
{
    if (!g)
        return;
    for (int k = 0; k < DJ_GEN__K_N; k++)
        for (int s = 0; s < 4; s++)
            for (int l = 0; l < 2; l++)
                free(g->sig_pick[k][s][l]);
    free(g->signals);
    free(g->brands);
    free(g->brand_cum);
    free(g->brand_of_row);
    free(g->phone_brands);
    free(g->images);
    free(g->sellers);
    free(g->regular);
    free(g->fake);
    dj_gen__vocab_fini(&g->v);
    dj_arena_free(g->arena);
    free(g);
}

const dj_gen_opts *dj_gen_options(const dj_gen *g)
{
    return &g->opts;
}

dj_rc dj_gen_listings(const dj_gen *g, uint64_t first, uint64_t n, dj_gen_line_fn fn,
                      void *ud, dj_err *err)
{
    dj_buf l, b;
    dj_rc rc = DJ_OK;
    dj_buf_init(&l, 1u << 22);
    dj_buf_init(&b, 1u << 16);
    for (uint64_t i = first; i < first + n && !rc; i++) {
        dj_buf_reset(&l);
        dj_buf_reset(&b);
        rc = dj_gen_listing(g, i, &l, &b);
        if (rc) {
            dj_err_set(err, rc, "listing %llu: line too long", (unsigned long long)i + 1);
            break;
        }
        rc = fn(l.data, l.len, b.data, b.len, ud);
        if (rc && err && !err->rc)
            dj_err_set(err, rc, "listing %llu: the consumer stopped the stream",
                       (unsigned long long)i + 1);
    }
    dj_buf_fini(&l);
    dj_buf_fini(&b);
    return rc;
}

/* ---- files ---- */

enum { OUT_KB, OUT_LISTINGS, OUT_LABELS, OUT_SELLERS, OUT_SELLER_LABELS, OUT_N };
static const char *const out_names[OUT_N] = {
    "kb.json", "listings.jsonl", "labels.jsonl", "sellers.jsonl", "seller_labels.jsonl",
};

typedef struct out_file {
    FILE *f;
    char *tmp, *final;
    dj_buf buf;                 /* pending bytes, flushed at 1 MiB */
} out_file;

static dj_rc flush(out_file *o, dj_err *err)
{
    if (o->buf.len && fwrite(o->buf.data, 1, o->buf.len, o->f) != o->buf.len)
        return dj_err_set(err, DJ_EIO, "%s: write failed: %s", o->tmp, strerror(errno));
    dj_buf_reset(&o->buf);
    return DJ_OK;
}

static char *join(const char *dir, const char *name, const char *suffix)
{
    size_t n = strlen(dir) + strlen(name) + strlen(suffix) + 2;
    char *p = dj_xmalloc(n);
    snprintf(p, n, "%s/%s%s", dir, name, suffix);
    return p;
}

static dj_rc make_dir(const char *dir, dj_err *err)
{
    struct stat st;
    if (!*dir)
        return dj_err_set(err, DJ_EINVAL, "out: empty directory name");
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return dj_err_set(err, DJ_EIO, "%s: not a directory", dir);
        return DJ_OK;
    }
    if (mkdir(dir, 0777) != 0)
        return dj_err_set(err, DJ_EIO, "%s: cannot create directory: %s", dir, strerror(errno));
    return DJ_OK;
}

/* Listings are made in chunks by several threads and written in order:
 * a worker takes the next chunk, makes it, then waits until every earlier
 * chunk is written. The lowest unwritten chunk is always being made by a
 * running worker, so any number of workers (1 included) completes, and the
 * files are the same whatever the number. */
#define CHUNK 4096

typedef struct pool {
    const dj_gen *g;
    uint64_t n;                 /* listings */
    out_file *listings, *labels;
    pthread_mutex_t mu;
    pthread_cond_t turn;
    uint64_t next_make;         /* the next chunk to hand out */
    uint64_t next_write;        /* the chunk to write next */
    dj_rc rc;                   /* first failure */
    dj_err err;
} pool;

static void *work(void *arg)
{
    pool *p = arg;
    uint64_t n_chunks = (p->n + CHUNK - 1) / CHUNK;
    dj_buf lb, bb;
    dj_buf_init(&lb, (size_t)1 << 30);
    dj_buf_init(&bb, (size_t)1 << 28);
    for (;;) {
        pthread_mutex_lock(&p->mu);
        uint64_t k = p->next_make++;
        int stop = p->rc != DJ_OK || k >= n_chunks;
        pthread_mutex_unlock(&p->mu);
        if (stop)
            break;
        dj_rc rc = DJ_OK;
        dj_err err = {0};
        uint64_t end = (k + 1) * CHUNK < p->n ? (k + 1) * CHUNK : p->n;
        dj_buf_reset(&lb);
        dj_buf_reset(&bb);
        for (uint64_t i = k * CHUNK; i < end && !rc; i++) {
            rc = dj_gen_listing(p->g, i, &lb, &bb);
            if (rc)
                dj_err_set(&err, rc, "listing %llu: line too long", (unsigned long long)i + 1);
        }
        pthread_mutex_lock(&p->mu);
        while (p->next_write != k && !p->rc)
            pthread_cond_wait(&p->turn, &p->mu);
        if (!p->rc && rc) {
            p->rc = rc;
            p->err = err;
        }
        if (!p->rc && (fwrite(lb.data, 1, lb.len, p->listings->f) != lb.len ||
                       fwrite(bb.data, 1, bb.len, p->labels->f) != bb.len))
            p->rc = dj_err_set(&p->err, DJ_EIO, "%s: write failed: %s", p->listings->tmp,
                               strerror(errno));
        p->next_write++;
        pthread_cond_broadcast(&p->turn);
        pthread_mutex_unlock(&p->mu);
    }
    dj_buf_fini(&lb);
    dj_buf_fini(&bb);
    return NULL;
}

static dj_rc write_listings(const dj_gen *g, uint64_t n, out_file *listings, out_file *labels,
                            dj_err *err)
{
    pool p;
    memset(&p, 0, sizeof p);
    p.g = g;
    p.n = n;
    p.listings = listings;
    p.labels = labels;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    uint32_t want = n < 4 * CHUNK ? 1 : cpus < 1 ? 1 : cpus > 16 ? 16 : (uint32_t)cpus;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.turn, NULL);
    pthread_t th[16];
    uint32_t started = 0;
    /* This thread is worker 0; a thread that cannot be created is simply
     * one worker fewer. */
    while (started + 1 < want && pthread_create(&th[started], NULL, work, &p) == 0)
        started++;
    work(&p);
    for (uint32_t t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.turn);
    if (p.rc && err)
        *err = p.err;
    return p.rc;
}

dj_rc dj_gen_run(const dj_gen_opts *o, const char *out_dir, dj_err *err)
{
    dj_gen *g = NULL;
    out_file out[OUT_N];
    int opened = 0;
    memset(out, 0, sizeof out);
    dj_rc rc = dj_gen_new(&g, o, err);
    if (rc)
        return rc;
    rc = make_dir(out_dir, err);
    for (int i = 0; i < OUT_N && !rc; i++) {
        out[i].tmp = join(out_dir, out_names[i], ".tmp");
        out[i].final = join(out_dir, out_names[i], "");
        dj_buf_init(&out[i].buf, 1u << 24);
        out[i].f = fopen(out[i].tmp, "wb");
        if (!out[i].f)
            rc = dj_err_set(err, DJ_EIO, "%s: cannot create: %s", out[i].tmp, strerror(errno));
        else
            opened = i + 1;
    }
    if (!rc) {
        dj_buf kb;
        dj_buf_init(&kb, (size_t)1 << 30);
        rc = dj_gen_kb_json(g, &kb);
        if (rc)
            dj_err_set(err, rc, "kb.json: too big");
        else if (fwrite(kb.data, 1, kb.len, out[OUT_KB].f) != kb.len)
            rc = dj_err_set(err, DJ_EIO, "%s: write failed: %s", out[OUT_KB].tmp, strerror(errno));
        dj_buf_fini(&kb);
    }
    for (uint32_t i = 0; i < dj_gen_n_sellers(g) && !rc; i++) {
        rc = dj_gen_seller(g, i, &out[OUT_SELLERS].buf, &out[OUT_SELLER_LABELS].buf);
        if (rc)
            dj_err_set(err, rc, "seller %u: line too long", i);
        for (int k = OUT_SELLERS; k <= OUT_SELLER_LABELS && !rc; k++)
            if (out[k].buf.len >= (1u << 20))
                rc = flush(&out[k], err);
    }
    if (!rc)
        rc = write_listings(g, o->n_listings, &out[OUT_LISTINGS], &out[OUT_LABELS], err);
    for (int i = 0; i < opened && !rc; i++)
        rc = flush(&out[i], err);
    for (int i = 0; i < opened; i++) {
        if (fclose(out[i].f) != 0 && !rc)
            rc = dj_err_set(err, DJ_EIO, "%s: write failed: %s", out[i].tmp, strerror(errno));
        out[i].f = NULL;
    }
    for (int i = 0; i < OUT_N && !rc; i++)
        if (rename(out[i].tmp, out[i].final) != 0)
            rc = dj_err_set(err, DJ_EIO, "%s: cannot rename: %s", out[i].final, strerror(errno));
    if (rc)
        for (int i = 0; i < opened; i++)
            unlink(out[i].tmp);
    for (int i = 0; i < OUT_N; i++) {
        free(out[i].tmp);
        free(out[i].final);
        dj_buf_fini(&out[i].buf);
    }
    dj_gen_free(g);
    return rc;
}
