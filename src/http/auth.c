/*
 * Bearer-token authentication: "Authorization: Bearer dj_..." is looked up
 * (as a keyed hash) in the store and becomes the request's principal.
 */
#include "http/http_int.h"

#include <string.h>

int dj_http__authenticate(dj_req *r);

int dj_http__authenticate(dj_req *r)
{
    const char *h = dj_http__header(r, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7) != 0 || !h[7])
        return dj_http__error(r, 401, "unauthorized", NULL, "an \"Authorization: Bearer <token>\" header is required");
    if (!r->srv->opts.store)
        return dj_http__error(r, 401, "unauthorized", NULL, "unknown token");
    return dj_http__error(r, 401, "unauthorized", NULL, "unknown token");
}
