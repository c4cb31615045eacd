/*
 * The screening worker: owns what one thread needs to screen listings
 * (a text normalizer, a Hyperscan scanner over its KB snapshot, an arena
 * reset per listing) and the JSONL entry point used by `dajia scan`.
 */
#include "screen/screen_int.h"
#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

dj_rc dj_screen_new(dj_kb *kb, dj_screen **out, dj_err *err)
{
    dj_screen *s = dj_xcalloc(1, sizeof *s);
    dj_rc rc = dj_text_new(&s->text, err);
    if (!rc)
        rc = dj_kb_scanner_new(kb, &s->scanner, err);
    if (rc) {
        dj_screen_free(s);
        return rc;
    }
    s->kb = dj_kb_ref(kb);
    s->arena = dj_arena_new(64 << 10);
    s->input = dj_arena_new(64 << 10);
    dj_buf_init(&s->reasons, 1 << 20);
    *out = s;
    return DJ_OK;
}

void dj_screen_free(dj_screen *s)
{
    if (!s)
        return;
    dj_kb_scanner_free(s->scanner);
    dj_kb_unref(s->kb);
    dj_banks_unref(s->banks);
    dj_text_free(s->text);
    dj_arena_free(s->arena);
    dj_arena_free(s->input);
    dj_buf_fini(&s->reasons);
    free(s->pre_first);
    free(s->pre_q);
    free(s->pre_count);
    free(s->pre_m);
    free(s->lines_l);
    free(s->lines_err);
    free(s->title_norm);
    free(s->title_flags);
    free(s->title_orig);
    free(s->skel);
    free(s->sounds);
    free(s->sound_at);
    free(s);
}

dj_rc dj_screen_set_kb(dj_screen *s, dj_kb *kb, dj_err *err)
{
    if (kb == s->kb)
        return DJ_OK;
    dj_kb_scanner *sc;
    dj_rc rc = dj_kb_scanner_new(kb, &sc, err);
    if (rc)
        return rc;
    dj_kb_scanner_free(s->scanner);
    dj_kb_unref(s->kb);
    s->pre_ls = NULL; /* matched against the old KB's images */
    s->scanner = sc;
    s->kb = dj_kb_ref(kb);
    return DJ_OK;
}

void dj_screen_set_banks(dj_screen *s, dj_banks *b, int count)
{
    s->count_floods = count;
    if (b == s->banks)
        return;
    if (b)
        dj_banks_ref(b);
    dj_banks_unref(s->banks);
    s->banks = b;
}

const char *dj_screen_title_norm(const dj_screen *s, size_t *len)
{
    *len = s->view[FIELD_TITLE].len;
    return s->view[FIELD_TITLE].s ? s->view[FIELD_TITLE].s : "";
}

dj_kb *dj_screen_kb(const dj_screen *s)
{
    return s->kb;
}

dj_rc dj_screen_listing(dj_screen *s, const dj_listing *l, dj_decision *d, dj_err *err)
{
    dj_arena_reset(s->arena);
    s->img_m = NULL;
    s->img_count = NULL;
    if (s->pre_ls && (uintptr_t)l >= (uintptr_t)s->pre_ls && (uintptr_t)l < (uintptr_t)(s->pre_ls + s->pre_n)) {
        size_t first = s->pre_first[l - s->pre_ls];
        s->img_m = s->pre_m + first * DJ_SCREEN_IMAGE_MATCHES;
        s->img_count = s->pre_count + first;
    }
    /* score.c normalizes the category in place: work on a copy. */
    dj_listing copy = *l;
    s->l = &copy;
    dj_rc rc = dj_screen__score(s, d, err);
    s->l = NULL;
    if (rc)
        return rc;
    dj_screen__reasons_json(s, -1);
    d->reasons = s->reasons.data;
    d->reasons_len = s->reasons.len;
    return DJ_OK;
}

void dj_screen_prepare(dj_screen *s, const dj_listing *ls, size_t n)
{
    s->pre_ls = NULL;
    const dj_bank *ob = dj_kb_official_bank(s->kb);
    if (!ob || !dj_bank_size(ob))
        return;
    dj_xgrow((void **)&s->pre_first, &s->pre_cap, n + 1, sizeof *s->pre_first);
    size_t nq = 0;
    for (size_t i = 0; i < n; i++) {
        s->pre_first[i] = nq;
        nq += ls[i].n_images;
    }
    s->pre_first[n] = nq;
    if (!nq)
        return; /* no photos: nothing to point into (pre_m may be NULL) */
    dj_xgrow_each(&s->pre_q_cap, nq, 3,
                  (void **const[]){(void **)&s->pre_q, (void **)&s->pre_count, (void **)&s->pre_m},
                  (const size_t[]){sizeof *s->pre_q, sizeof *s->pre_count, DJ_SCREEN_IMAGE_MATCHES * sizeof *s->pre_m});
    for (size_t i = 0; i < n; i++)
        if (ls[i].n_images)
            memcpy(&s->pre_q[s->pre_first[i]], ls[i].images, ls[i].n_images * sizeof *s->pre_q);
    dj_bank_search_many(ob, s->pre_q, nq, DJ_PDQ_MATCH_DISTANCE, s->pre_m, DJ_SCREEN_IMAGE_MATCHES, s->pre_count);
    s->pre_ls = ls;
    s->pre_n = n;
}

static int error_line(uint64_t line_no, const char *msg, dj_buf *out)
{
    dj_buf_printf(out, "{\"line\":%llu,\"decision\":\"error\",\"error\":", (unsigned long long)line_no);
    dj_buf_add_json_str(out, msg, strlen(msg));
    return dj_buf_addc(out, '}') ? -2 : -1;
}

/* Screens a parsed listing into its decision line. */
static int decision_line(dj_screen *s, const dj_listing *l, uint64_t line_no, dj_buf *out, unsigned *signals)
{
    dj_err err = {0};
    dj_decision d;
    if (dj_screen_listing(s, l, &d, &err))
        return error_line(line_no, err.msg, out);
    if (dj_decision_to_json(&d, l->id, l, out))
        return -2;
    if (signals)
        *signals = d.signals;
    return (int)d.decision;
}

int dj_screen_line(dj_screen *s, const char *line, size_t len, uint64_t line_no, dj_buf *out, unsigned *signals)
{
    dj_err err = {0};
    dj_listing l;
    if (signals)
        *signals = 0;
    dj_arena_reset(s->input);
    if (dj_listing_parse(line, len, s->input, &l, &err))
        return error_line(line_no, err.msg, out);
    return decision_line(s, &l, line_no, out, signals);
}

void dj_screen_lines(dj_screen *s, const char *data, const dj_line *lines, size_t n, dj_buf *out, int *results,
                     unsigned *signals)
{
    dj_arena_reset(s->input);
    dj_xgrow_each(&s->lines_cap, n, 2, (void **const[]){(void **)&s->lines_l, (void **)&s->lines_err},
                  (const size_t[]){sizeof *s->lines_l, sizeof *s->lines_err});
    char msg[160];
    for (size_t i = 0; i < n; i++) {
        const dj_line *ln = &lines[i];
        dj_listing *l = &s->lines_l[i];
        dj_err err = {0};
        const char *why = NULL;
        if (ln->too_long) {
            snprintf(msg, sizeof msg, "line is %llu bytes, longer than the limit", (unsigned long long)ln->too_long);
            why = msg;
        } else if (ln->len == 0) {
            why = "empty line";
        } else if (dj_listing_parse(data + ln->off, ln->len, s->input, l, &err)) {
            why = err.msg;
        }
        s->lines_err[i] = why ? dj_arena_strndup(s->input, why, strlen(why)) : NULL;
        if (why)
            l->n_images = 0;
    }
    dj_screen_prepare(s, s->lines_l, n);
    for (size_t i = 0; i < n; i++) {
        signals[i] = 0;
        results[i] = s->lines_err[i] ? error_line(lines[i].no, s->lines_err[i], out)
                                     : decision_line(s, &s->lines_l[i], lines[i].no, out, &signals[i]);
        dj_buf_addc(out, '\n');
    }
    s->pre_ls = NULL;
}
