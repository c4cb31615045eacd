/*
 * Publishing a listing: screen it and turn listing and decision into the
 * record the store keeps (POST /v1/listings, `dajia import`). One place, so
 * both paths store exactly the same thing.
 */
#ifndef DJ_PUBLISH_PUBLISH_H
#define DJ_PUBLISH_PUBLISH_H

#include "screen/screen.h"
#include "store/store.h"
#include "util/arena.h"

/* Screens l with w and fills *out (strings copied into a, valid while a
 * lives; body is the listing as received) and *d. */
dj_rc dj_publish_prepare(dj_screen *w, const dj_listing *l, const char *body, size_t body_len, dj_arena *a,
                         dj_store_listing *out, dj_decision *d, dj_err *err);

#endif
