/*
 * The screening worker: owns what one thread needs to screen listings
 * (a text normalizer, a Hyperscan scanner over its KB snapshot, an arena
 * reset per listing) and the JSONL entry point used by `dajia scan`.
 */
#include "screen/screen_int.h"
#include "util/mem.h"

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
    dj_buf_fini(&s->reasons);
    free(s->title_norm);
    free(s->title_flags);
    free(s->title_orig);
    free(s->skel);
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
    /* score.c normalizes the category in place: work on a copy. */
    dj_listing copy = *l;
    s->l = &copy;
    dj_rc rc = dj_screen__score(s, d, err);
    if (rc)
        return rc;
    dj_screen__reasons_json(s, -1);
    d->reasons = s->reasons.data;
    d->reasons_len = s->reasons.len;
    s->l = NULL;
    return DJ_OK;
}

static int error_line(uint64_t line_no, const char *msg, dj_buf *out)
{
    dj_buf_printf(out, "{\"line\":%llu,\"decision\":\"error\",\"error\":", (unsigned long long)line_no);
    dj_buf_add_json_str(out, msg, strlen(msg));
    return dj_buf_addc(out, '}') ? -2 : -1;
}

int dj_screen_line(dj_screen *s, const char *line, size_t len, uint64_t line_no, dj_buf *out, unsigned *signals)
{
    dj_err err = {0};
    dj_listing l;
    if (signals)
        *signals = 0;
    dj_decision d;
    dj_arena_reset(s->arena);
    if (dj_listing_parse(line, len, s->arena, &l, &err))
        return error_line(line_no, err.msg, out);
    if (dj_screen_listing(s, &l, &d, &err))
        return error_line(line_no, err.msg, out);
    if (dj_decision_to_json(&d, l.id, &l, out))
        return -2;
    if (signals)
        *signals = d.signals;
    return (int)d.decision;
}
