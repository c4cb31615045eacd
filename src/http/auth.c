/*
 * Bearer-token authentication: "Authorization: Bearer dj_..." is looked up
 * (by its hash) in the store and becomes the request's principal. Unknown,
 * malformed and revoked tokens all get the same 401, so a caller learns
 * nothing about which tokens exist.
 *
 * Tokens found are remembered for DJ_TOKEN_CACHE_MS, keyed by a BLAKE2b
 * hash of the token (the secret itself is not kept): a store round trip
 * per request would cost more than screening the listing. A revocation on
 * this node empties the cache at once; one on another node takes effect
 * here within DJ_TOKEN_CACHE_MS.
 */
#include "http/http_int.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static size_t cache_slot(const uint8_t key[32])
{
    size_t v;
    memcpy(&v, key, sizeof v);
    return v % DJ_TOKEN_CACHE_SLOTS;
}

static int cache_find(dj_http *h, const uint8_t key[32], dj_principal *p)
{
    int found = 0;
    pthread_mutex_lock(&h->tokens_mu);
    dj_token_cached *c = &h->tokens[cache_slot(key)];
    if (c->expires_ms > now_ms() && !memcmp(c->key, key, 32)) {
        *p = c->who;
        found = 1;
    }
    pthread_mutex_unlock(&h->tokens_mu);
    return found;
}

static void cache_put(dj_http *h, const uint8_t key[32], const dj_principal *p)
{
    pthread_mutex_lock(&h->tokens_mu);
    dj_token_cached *c = &h->tokens[cache_slot(key)];
    memcpy(c->key, key, 32);
    c->who = *p;
    c->expires_ms = now_ms() + DJ_TOKEN_CACHE_MS;
    pthread_mutex_unlock(&h->tokens_mu);
}

void dj_http__tokens_forget(dj_http *h)
{
    pthread_mutex_lock(&h->tokens_mu);
    memset(h->tokens, 0, sizeof h->tokens);
    pthread_mutex_unlock(&h->tokens_mu);
}

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
    uint8_t key[32];
    crypto_generichash(key, sizeof key, (const unsigned char *)h + 7, strlen(h + 7), NULL, 0);
    if (cache_find(r->srv, key, &r->who))
        return 0;
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
    cache_put(r->srv, key, &r->who);
    return 0;
}
