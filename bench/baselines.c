/*
 * bench/baselines: the default building blocks the issue measured, on the
 * same listings, to show why dajia has its own JSON and text paths.
 *   baselines LISTINGS.jsonl [REPEATS]
 * Prints, as JSON, the median MB/s and lines/s of:
 *   jansson      json_loadb of each line (DOM parse)
 *   dj_json      dajia's strict cursor over each line (dj_listing_parse)
 *   utf8proc     utf8proc_NFKC_Casefold of title + description
 *   dj_text      dajia's normalizer (table-driven) on the same text
 */
#include "screen/screen.h"
#include "text/text.h"
#include "util/arena.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct corpus {
    char *data;
    size_t len;
    size_t *off, *lens, n;
} corpus;

static int load(const char *path, corpus *c)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    c->len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    c->data = malloc(c->len + 1);
    if (fread(c->data, 1, c->len, f) != c->len)
        return -1;
    fclose(f);
    size_t cap = 1024;
    c->off = malloc(cap * sizeof *c->off);
    c->lens = malloc(cap * sizeof *c->lens);
    c->n = 0;
    for (char *p = c->data, *e; p < c->data + c->len; p = e + 1) {
        e = memchr(p, '\n', (size_t)(c->data + c->len - p));
        if (!e)
            e = c->data + c->len;
        if (c->n == cap) {
            cap *= 2;
            c->off = realloc(c->off, cap * sizeof *c->off);
            c->lens = realloc(c->lens, cap * sizeof *c->lens);
        }
        c->off[c->n] = (size_t)(p - c->data);
        c->lens[c->n++] = (size_t)(e - p);
    }
    return 0;
}

static double run_jansson(const corpus *c)
{
    double t0 = now_s();
    for (size_t i = 0; i < c->n; i++) {
        json_t *j = json_loadb(c->data + c->off[i], c->lens[i], 0, NULL);
        json_decref(j);
    }
    return now_s() - t0;
}

static double run_djjson(const corpus *c)
{
    dj_arena *a = dj_arena_new(1 << 16);
    dj_listing l;
    double t0 = now_s();
    for (size_t i = 0; i < c->n; i++) {
        dj_arena_reset(a);
        dj_listing_parse(c->data + c->off[i], c->lens[i], a, &l, NULL);
    }
    double t = now_s() - t0;
    dj_arena_free(a);
    return t;
}

/* Title and description of every line, parsed once (not timed). */
typedef struct texts {
    char **s;
    size_t n, bytes;
} texts;

static void get_texts(const corpus *c, texts *t)
{
    dj_arena *a = dj_arena_new(1 << 16);
    t->s = malloc(c->n * 2 * sizeof *t->s);
    t->n = 0;
    t->bytes = 0;
    for (size_t i = 0; i < c->n; i++) {
        dj_listing l;
        dj_arena_reset(a);
        if (dj_listing_parse(c->data + c->off[i], c->lens[i], a, &l, NULL))
            continue;
        t->s[t->n++] = strndup(l.title.s, l.title.len);
        t->bytes += l.title.len;
        if (l.description.s) {
            t->s[t->n++] = strndup(l.description.s, l.description.len);
            t->bytes += l.description.len;
        }
    }
    dj_arena_free(a);
}

static double run_djtext(const texts *t)
{
    dj_text *x = NULL;
    dj_text_new(&x, NULL);
    dj_text_view v;
    double t0 = now_s();
    for (size_t i = 0; i < t->n; i++)
        dj_text_normalize(x, t->s[i], strlen(t->s[i]), &v, NULL);
    double r = now_s() - t0;
    dj_text_free(x);
    return r;
}

static double run_utf8proc(const texts *t)
{
    double t0 = now_s();
    for (size_t i = 0; i < t->n; i++)
        free(utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)t->s[i]));
    return now_s() - t0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: baselines LISTINGS.jsonl [REPEATS]\n");
        return 2;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    corpus c;
    if (load(argv[1], &c)) {
        fprintf(stderr, "baselines: cannot read %s\n", argv[1]);
        return 1;
    }
    texts t;
    get_texts(&c, &t);
    double r[4][16];
    if (reps > 16)
        reps = 16;
    for (int k = 0; k < reps; k++) {
        r[0][k] = run_jansson(&c);
        r[1][k] = run_djjson(&c);
        r[2][k] = run_utf8proc(&t);
        r[3][k] = run_djtext(&t);
    }
    for (int m = 0; m < 4; m++)
        qsort(r[m], (size_t)reps, sizeof(double), cmp_d);
    double j = r[0][reps / 2], d = r[1][reps / 2], u = r[2][reps / 2], x = r[3][reps / 2];
    printf("{\"lines\":%zu,\"bytes\":%zu,\"text_bytes\":%zu,"
           "\"jansson_mb_s\":%.1f,\"jansson_lines_s\":%.0f,"
           "\"dj_json_mb_s\":%.1f,\"dj_json_lines_s\":%.0f,"
           "\"utf8proc_mb_s\":%.1f,\"utf8proc_lines_s\":%.0f,"
           "\"dj_text_mb_s\":%.1f,\"dj_text_lines_s\":%.0f}\n",
           c.n, c.len, t.bytes, c.len / j / 1e6, c.n / j, c.len / d / 1e6, c.n / d, t.bytes / u / 1e6, c.n / u,
           t.bytes / x / 1e6, c.n / x);
    for (size_t i = 0; i < t.n; i++)
        free(t.s[i]);
    free(t.s);
    free(c.data);
    free(c.off);
    free(c.lens);
    return 0;
}
