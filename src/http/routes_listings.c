/*
 * Listings: POST /v1/listings (screen, store the version and its decision,
 * answer with the decision: block means never published, review means held
 * for a person), GET /v1/listings/{id} (with its history), GET /v1/listings
 * (search). Brand tokens see only listings decided for their brand, seller
 * tokens only their own; anything else is a 404, never a hint.
 */
#include "http/http_int.h"
#include "publish/publish.h"
#include "store/store.h"
#include "text/text.h"

#include <stdlib.h>
#include <string.h>

int dj_http__route_listing_post(dj_req *r);
int dj_http__route_listing_get(dj_req *r);
int dj_http__route_listing_search(dj_req *r);

/* The matching form of a text, for title search (NULL when it cannot be
 * normalized; the store then falls back to the title as written). */
static const char *normalized(dj_req *r, const char *s, size_t n)
{
    dj_text *t = NULL;
    if (dj_text_new(&t, NULL))
        return NULL;
    dj_text_view v;
    const char *out = dj_text_normalize(t, s, n, &v, NULL) ? NULL : dj_arena_strndup(r->arena, v.s, v.len);
    dj_text_free(t);
    return out;
}

static int is_own_seller(dj_req *r, dj_str seller)
{
    return seller.s && seller.len == strlen(r->who.scope) && !memcmp(seller.s, r->who.scope, seller.len);
}

int dj_http__route_listing_post(dj_req *r)
{
    dj_http *h = r->srv;
    if (!h->opts.store)
        return dj_http__error(r, 503, "unavailable", NULL, "no store configured");
    dj_err err = {0};
    dj_listing l;
    if (dj_listing_parse(r->body.data ? r->body.data : "", r->body.len, r->arena, &l, &err))
        return dj_http__from_err(r, &err);
    if (r->who.role == DJ_ROLE_SELLER && !is_own_seller(r, l.seller_id))
        return dj_http__error(r, 403, "forbidden", "seller_id", "a seller token may only publish its own listings");
    dj_kb *kb = dj_kb_slot_get(h->opts.kb);
    if (!kb)
        return dj_http__error(r, 503, "unavailable", NULL, "no knowledge base loaded yet");
    dj_screen *w = dj_http__worker_get(h, kb, 1, &err);
    if (!w) {
        dj_kb_unref(kb);
        return dj_http__from_err(r, &err);
    }
    dj_decision d;
    dj_store_listing sl;
    int st;
    if (dj_publish_prepare(w, &l, r->body.data, r->body.len, r->arena, &sl, &d, &err)) {
        st = dj_http__from_err(r, &err);
    } else {
        dj_buf_reset(&r->out);
        if (dj_store_listing_put(h->opts.store, &sl, r->who.token_id, &r->out, &err)) {
            st = dj_http__from_err(r, &err);
        } else {
            r->content_type = "application/json";
            r->status = st = 200;
            atomic_fetch_add(&h->decisions[d.decision], 1);
        }
    }
    dj_http__worker_put(h, w);
    dj_kb_unref(kb);
    return st;
}

/* The brand/seller a token is confined to (NULL for platform roles). */
static void scope_of(dj_req *r, const char **brand, const char **seller)
{
    *brand = r->who.role == DJ_ROLE_BRAND ? r->who.scope : NULL;
    *seller = r->who.role == DJ_ROLE_SELLER ? r->who.scope : NULL;
}

int dj_http__route_listing_get(dj_req *r)
{
    if (!r->srv->opts.store)
        return dj_http__error(r, 503, "unavailable", NULL, "no store configured");
    const char *brand, *seller;
    scope_of(r, &brand, &seller);
    dj_err err = {0};
    dj_buf_reset(&r->out);
    if (dj_store_listing_get(r->srv->opts.store, r->params[0], brand, seller, &r->out, &err))
        return dj_http__from_err(r, &err);
    r->content_type = "application/json";
    return r->status = 200;
}

static int one_of(const char *v, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (!strcmp(v, *allowed))
            return 1;
    return 0;
}

int dj_http__route_listing_search(dj_req *r)
{
    if (!r->srv->opts.store)
        return dj_http__error(r, 503, "unavailable", NULL, "no store configured");
    static const char *const decisions[] = {"allow", "review", "block", NULL};
    static const char *const statuses[] = {"live", "held", "blocked", "removed", NULL};
    dj_store_query q = {0};
    q.text = dj_http__query(r, "q");
    q.brand = dj_http__query(r, "brand");
    q.decision = dj_http__query(r, "decision");
    q.status = dj_http__query(r, "status");
    q.seller = dj_http__query(r, "seller");
    q.cursor = dj_http__query(r, "cursor");
    const char *limit = dj_http__query(r, "limit");
    q.limit = 50;
    if (limit) {
        char *end;
        long v = strtol(limit, &end, 10);
        if (*end || v < 1 || v > 500)
            return dj_http__error(r, 400, "invalid", "limit", "limit: expected 1 to 500");
        q.limit = (int)v;
    }
    if (q.decision && !one_of(q.decision, decisions))
        return dj_http__error(r, 400, "invalid", "decision", "decision: expected allow, review or block");
    if (q.status && !one_of(q.status, statuses))
        return dj_http__error(r, 400, "invalid", "status", "status: expected live, held, blocked or removed");
    if (q.text && (!*q.text || strlen(q.text) > 256))
        return dj_http__error(r, 400, "invalid", "q", "q: expected 1 to 256 bytes");
    if (q.text && !(q.text = normalized(r, q.text, strlen(q.text))))
        return dj_http__error(r, 400, "invalid", "q", "q: not valid text");
    const char *brand, *seller;
    scope_of(r, &brand, &seller);
    if (brand) {
        if (q.brand && strcmp(q.brand, brand))
            return dj_http__error(r, 403, "forbidden", "brand", "a brand token may only search its own brand");
        q.brand = brand;
    }
    if (seller) {
        if (q.seller && strcmp(q.seller, seller))
            return dj_http__error(r, 403, "forbidden", "seller", "a seller token may only search its own listings");
        q.seller = seller;
    }
    dj_err err = {0};
    dj_buf_reset(&r->out);
    if (dj_store_listing_search(r->srv->opts.store, &q, &r->out, &err))
        return dj_http__from_err(r, &err);
    r->content_type = "application/json";
    return r->status = 200;
}
