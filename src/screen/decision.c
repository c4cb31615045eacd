/*
 * Decision lines: the JSON a program reads and a person can follow.
 *   {"id":"l-1","decision":"block","score":0.93,"brand":"gucci",
 *    "reasons":[{"signal":"obfuscation","p":0.85,"brand":"gucci",
 *                "kind":"homoglyph","field":"title","term":"gucci","quote":"Guссi"}, ...]}
 * Reasons are ordered by contribution; explanations that count for nothing
 * (a cancelled word, an accessory mention) come last with p 0.
 */
#include "screen/screen_int.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

static const char *const reason_names[] = {
#define XX(name, str) str,
    DJ_REASON_MAP(XX)
#undef XX
};

/* What opens a reason of each kind in a decision line, with its length. */
static const struct {
    const char *s;
    size_t len;
} reason_heads[] = {
#define XX(name, str) {"{\"signal\":\"" str "\"", sizeof("{\"signal\":\"" str "\"") - 1},
    DJ_REASON_MAP(XX)
#undef XX
};

const char *dj_reason_name(unsigned bit)
{
    return bit < DJ_REASON_COUNT_ ? reason_names[bit] : "unknown";
}

const char *dj_decide_name(dj_decide d)
{
    switch (d) {
    case DJ_DECIDE_ALLOW: return "allow";
    case DJ_DECIDE_REVIEW: return "review";
    case DJ_DECIDE_BLOCK: return "block";
    }
    return "unknown";
}

/* Appends ,"k": for a literal key k without escapes: its length is known
 * when compiling (a decision line has a dozen keys). */
#define KEY(b, k) dj_buf_add((b), ",\"" k "\":", sizeof(k) + 3)

/* A JSON number rounded to 4 decimals. */
static dj_rc num4(dj_buf *b, double v)
{
    return dj_buf_add_json_num(b, (double)(long long)(v * 10000 + (v >= 0 ? 0.5 : -0.5)) / 10000);
}

#define NUM(b, k, v) (KEY(b, k), num4(b, v))
#define STR(b, k, s, n) (KEY(b, k), dj_buf_add_json_str(b, s, n))

/* The quote of a hit: the field as the seller wrote it, cut to at most 96
 * bytes on a character boundary. */
static void quote(dj_buf *b, const char *raw, uint32_t from, uint32_t to)
{
    if (!raw)
        return;
    size_t n = to - from;
    if (n > 96) {
        n = 96;
        while (n > 0 && ((unsigned char)raw[from + n] & 0xC0) == 0x80)
            n--;
    }
    STR(b, "quote", raw + from, n);
}

static int cmp_ev(const void *a, const void *b)
{
    const dj_evidence *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return (int)x->reason - (int)y->reason;
}

void dj_screen__reasons_json(dj_screen *s, int brand)
{
    (void)brand;
    dj_buf *b = &s->reasons;
    dj_buf_reset(b);
    /* Stable order: by contribution, then by kind. */
    qsort(s->ev, s->n_ev, sizeof *s->ev, cmp_ev);
    dj_buf_addc(b, '[');
    for (size_t i = 0; i < s->n_ev; i++) {
        const dj_evidence *e = &s->ev[i];
        if (i)
            dj_buf_addc(b, ',');
        dj_buf_add(b, reason_heads[e->reason].s, reason_heads[e->reason].len);
        NUM(b, "p", e->p);
        if (e->brand >= 0) {
            const char *id = dj_kb_brand_at(s->kb, (size_t)e->brand)->id;
            STR(b, "brand", id, strlen(id));
        }
        if (e->hit >= 0) {
            const dj_hit *h = &s->hits[e->hit];
            const dj_kb_pattern *p = dj_kb_pattern_at(s->kb, h->pat);
            if (e->reason == DJ_REASON_BIT_OBFUSCATION)
                STR(b, "kind", e->detail, strlen(e->detail));
            if (e->reason == DJ_REASON_BIT_CANCELLED)
                STR(b, "by", e->detail, strlen(e->detail));
            STR(b, "field", h->field == FIELD_TITLE ? "title" : "description",
                h->field == FIELD_TITLE ? 5 : 11);
            STR(b, "term", p->source, strlen(p->source));
            if (p->kind == DJ_PAT_SIGNAL)
                NUM(b, "weight", dj_kb_signal_at(s->kb, p->owner)->weight);
            quote(b, s->field_raw[h->field], h->ostart, h->oend);
        }
        switch (e->reason) {
        case DJ_REASON_BIT_PRICE:
            NUM(b, "price", e->a);
            NUM(b, "floor", e->b);
            NUM(b, "ratio", e->c);
            STR(b, "currency", dj_kb_currency(s->kb), strlen(dj_kb_currency(s->kb)));
            if (e->detail)
                dj_buf_adds(b, ",\"resale\":true");
            break;
        case DJ_REASON_BIT_OFFICIAL_IMAGE:
            dj_buf_printf(b, ",\"image\":%d,\"distance\":%d", (int)e->a, (int)e->b);
            break;
        case DJ_REASON_BIT_COUNTERFEIT_IMAGE:
        case DJ_REASON_BIT_ALLOWLISTED_IMAGE:
            dj_buf_printf(b, ",\"image\":%d,\"distance\":%d,\"entry\":%lld", (int)e->a, (int)e->b, (long long)e->c);
            break;
        case DJ_REASON_BIT_QUARANTINED_IMAGE:
            if (e->detail && !strcmp(e->detail, "official"))
                dj_buf_printf(b, ",\"image\":%d,\"distance\":%d,\"bank\":\"official\",\"official_image\":%d",
                              (int)e->a, (int)e->b, (int)e->c);
            else
                dj_buf_printf(b, ",\"image\":%d,\"distance\":%d,\"bank\":\"%s\",\"entry\":%lld", (int)e->a,
                              (int)e->b, e->detail ? e->detail : "", (long long)e->c);
            break;
        case DJ_REASON_BIT_MULTI_BRAND:
            dj_buf_printf(b, ",\"count\":%d", (int)e->a);
            break;
        default:
            break;
        }
        dj_buf_addc(b, '}');
    }
    dj_buf_addc(b, ']');
}

dj_rc dj_decision_to_json(const dj_decision *d, dj_str id, const dj_listing *l, dj_buf *out)
{
    dj_rc rc = dj_buf_adds(out, "{\"id\":");
    if (!rc)
        rc = dj_buf_add_json_str(out, id.s, id.len);
    if (!rc) {
        static const char *const heads[] = {",\"decision\":\"allow\",\"score\":", ",\"decision\":\"review\",\"score\":",
                                            ",\"decision\":\"block\",\"score\":"};
        rc = dj_buf_adds(out, heads[d->decision]);
    }
    if (!rc)
        rc = num4(out, d->score);
    if (!rc)
        rc = dj_buf_adds(out, ",\"brand\":");
    if (!rc)
        rc = d->brand_id ? dj_buf_add_json_str(out, d->brand_id, strlen(d->brand_id)) : dj_buf_adds(out, "null");
    if (!rc)
        rc = dj_buf_adds(out, ",\"reasons\":");
    if (!rc)
        rc = dj_buf_add(out, d->reasons, d->reasons_len);
    if (!rc && l && l->n_warnings) {
        rc = dj_buf_adds(out, ",\"warnings\":[");
        for (size_t i = 0; !rc && i < l->n_warnings; i++) {
            if (i)
                dj_buf_addc(out, ',');
            rc = dj_buf_add_json_str(out, l->warnings[i], strlen(l->warnings[i]));
        }
        if (!rc)
            rc = dj_buf_addc(out, ']');
    }
    if (!rc)
        rc = dj_buf_addc(out, '}');
    return rc;
}
