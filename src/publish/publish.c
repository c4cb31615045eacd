/*
 * Screen, then map the listing and its decision to the store's record.
 */
#include "publish/publish.h"

#include <string.h>

static const char *cstr(dj_arena *a, dj_str s)
{
    return s.s ? dj_arena_strndup(a, s.s, s.len) : NULL;
}

dj_rc dj_publish_prepare(dj_screen *w, const dj_listing *l, const char *body, size_t body_len, dj_arena *a,
                         dj_store_listing *out, dj_decision *d, dj_err *err)
{
    dj_rc rc = dj_screen_listing(w, l, d, err);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    size_t nlen;
    const char *norm = dj_screen_title_norm(w, &nlen);
    out->id = cstr(a, l->id);
    out->seller_id = cstr(a, l->seller_id);
    out->title = cstr(a, l->title);
    out->title_norm = dj_arena_strndup(a, norm, nlen);
    out->category = cstr(a, l->category);
    out->currency = cstr(a, l->currency);
    out->region = cstr(a, l->region);
    out->price = l->price;
    out->has_price = l->has_price;
    out->body = body;
    out->body_len = body_len;
    out->decision = dj_decide_name(d->decision);
    out->score = d->score;
    out->brand_id = d->brand_id ? dj_arena_strndup(a, d->brand_id, strlen(d->brand_id)) : NULL;
    out->reasons = dj_arena_strndup(a, d->reasons, d->reasons_len);
    out->reasons_len = d->reasons_len;
    out->kb_version = dj_kb_version(dj_screen_kb(w));
    return DJ_OK;
}
