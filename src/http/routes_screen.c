/*
 * POST /v1/screen: the decision for a listing, nothing stored. A seller's
 * pre-publish self-check gets the same reasons an integration would, so an
 * honest seller sees what would hold the listing.
 */
#include "http/http_int.h"

#include <string.h>

int dj_http__route_screen(dj_req *r);

int dj_http__route_screen(dj_req *r)
{
    dj_err err = {0};
    dj_kb *kb = dj_kb_slot_get(r->srv->opts.kb);
    if (!kb)
        return dj_http__error(r, 503, "unavailable", NULL, "no knowledge base loaded yet");
    dj_screen *w = dj_http__worker_get(r->srv, kb, 0, &err);
    if (!w) {
        dj_kb_unref(kb);
        return dj_http__from_err(r, &err);
    }
    dj_listing l;
    dj_decision d;
    int st;
    if (dj_listing_parse(r->body.data ? r->body.data : "", r->body.len, r->arena, &l, &err) ||
        dj_screen_listing(w, &l, &d, &err)) {
        st = dj_http__from_err(r, &err);
    } else if (r->who.role == DJ_ROLE_SELLER && l.seller_id.s &&
               (l.seller_id.len != strlen(r->who.scope) || memcmp(l.seller_id.s, r->who.scope, l.seller_id.len))) {
        st = dj_http__error(r, 403, "forbidden", "seller_id", "a seller token may only check its own listings");
    } else {
        dj_buf_reset(&r->out);
        dj_decision_to_json(&d, l.id, &l, &r->out);
        r->content_type = "application/json";
        r->status = st = 200;
        atomic_fetch_add(&r->srv->decisions[d.decision], 1);
    }
    dj_http__worker_put(r->srv, w);
    dj_kb_unref(kb);
    return st;
}
