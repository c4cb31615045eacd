/*
 * Bearer-token authentication: "Authorization: Bearer dj_..." is looked up
 * (by its hash) in the store and becomes the request's principal. Unknown,
 * malformed and revoked tokens all get the same 401, so a caller learns
 * nothing about which tokens exist.
 */
#include "http/http_int.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

int dj_http__authenticate(dj_req *r);

static unsigned role_bit(const char *role)
{
    static const struct {
        const char *name;
        unsigned bit;
    } roles[] = {{"admin", DJ_ROLE_ADMIN}, {"reviewer", DJ_ROLE_REVIEWER}, {"brand", DJ_ROLE_BRAND},
                 {"seller", DJ_ROLE_SELLER}, {"integration", DJ_ROLE_INTEGRATION}};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (!strcmp(role, roles[i].name))
            return roles[i].bit;
    return 0;
}

int dj_http__authenticate(dj_req *r)
{
    const char *h = dj_http__header(r, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7) != 0 || !h[7])
        return dj_http__error(r, 401, "unauthorized", NULL, "an \"Authorization: Bearer <token>\" header is required");
    if (!r->srv->opts.store)
        return dj_http__error(r, 401, "unauthorized", NULL, "unknown or revoked token");
    dj_store_principal p;
    dj_err err = {0};
    dj_rc rc = dj_store_token_find(r->srv->opts.store, h + 7, &p, &err);
    if (rc == DJ_ENOTFOUND)
        return dj_http__error(r, 401, "unauthorized", NULL, "unknown or revoked token");
    if (rc)
        return dj_http__from_err(r, &err);
    r->who.role = role_bit(p.role);
    snprintf(r->who.scope, sizeof r->who.scope, "%s", p.scope);
    snprintf(r->who.token_id, sizeof r->who.token_id, "%s", p.id);
    return 0;
}
