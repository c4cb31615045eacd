/*
 * The platform side of the API: the knowledge base (PUT /v1/kb, with
 * ?shadow=1 for a dry run; GET /v1/kb; GET /v1/kb/versions), background
 * jobs (GET /v1/jobs/{id}), the review queue (GET /v1/review,
 * POST /v1/review/{id}/decision), API tokens (POST/GET /v1/tokens,
 * DELETE /v1/tokens/{id}) and the event log (GET /v1/events).
 */
#include "http/http_int.h"
#include "store/store.h"
#include "util/json.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int dj_http__route_kb_put(dj_req *r);
int dj_http__route_kb_get(dj_req *r);
int dj_http__route_kb_versions(dj_req *r);
int dj_http__route_job_get(dj_req *r);
int dj_http__route_review_list(dj_req *r);
int dj_http__route_review_decide(dj_req *r);
int dj_http__route_token_create(dj_req *r);
int dj_http__route_token_list(dj_req *r);
int dj_http__route_token_revoke(dj_req *r);
int dj_http__route_events(dj_req *r);


int dj_http__route_kb_put(dj_req *r)
{
    if (dj_http__need_store(r))
        return r->status;
    dj_http *h = r->srv;
    const char *shadow_q = dj_http__query(r, "shadow");
    int shadow = shadow_q && (!strcmp(shadow_q, "1") || !strcmp(shadow_q, "true"));
    const char *note = dj_http__query(r, "note");
    dj_err err = {0};
    dj_kb *kb = NULL;
    /* Compiling takes seconds for a large KB; requests keep using the
     * current one meanwhile. Publications are serialized so that versions
     * go live in the order they were numbered. */
    if (dj_kb_load(r->body.data ? r->body.data : "", r->body.len, &kb, &err))
        return dj_http__from_err(r, &err);
    pthread_mutex_lock(&h->kb_mu);
    long long version = 0, job = 0;
    const char *label = dj_kb_version(kb);
    dj_rc rc = dj_store_kb_put(h->opts.store, r->body.data, r->body.len, label[0] ? label : NULL, shadow,
                               r->who.token_id, note, &version, &err);
    if (!rc) {
        char v[24];
        snprintf(v, sizeof v, "%lld", version);
        dj_kb_set_version(kb, v);
        if (!shadow) {
            /* The banks resolve brands by this KB: rebuild them with it. */
            dj_err berr = {0};
            if (dj_http__banks_rebuild(h, kb, &berr))
                dj_log(DJ_LOG_WARN, "msg=\"rebuilding image banks failed; the poller retries\" err=\"%s\"", berr.msg);
            /* Fault injection for tests/integration/images.py: widens the
             * moment between the new banks and the new KB, in which
             * requests on the old KB must keep the old banks. */
            const char *delay = getenv("DAJIA_TEST_KB_SWAP_DELAY_MS");
            if (delay)
                usleep((useconds_t)atoi(delay) * 1000);
            dj_kb_slot_set(h->opts.kb, kb);
        }
        rc = dj_http__rescreen_start(h, kb, shadow, r->who.token_id, &job, &err);
    }
    pthread_mutex_unlock(&h->kb_mu);
    if (rc) {
        dj_kb_unref(kb);
        return dj_http__from_err(r, &err);
    }
    dj_kb_stats ks;
    dj_kb_get_stats(kb, &ks);
    dj_log(DJ_LOG_INFO, "msg=\"kb %s\" version=%lld job=%lld brands=%zu patterns=%zu compile_ms=%.0f",
           shadow ? "shadow run" : "published", version, job, ks.n_brands, ks.n_patterns, ks.compile_ms);
    dj_kb_unref(kb);
    dj_buf_reset(&r->out);
    dj_buf_printf(&r->out,
                  "{\"version\":%lld,\"shadow\":%s,\"job\":%lld,\"brands\":%zu,\"signals\":%zu,\"patterns\":%zu,"
                  "\"compile_ms\":%.1f}",
                  version, shadow ? "true" : "false", job, ks.n_brands, ks.n_signals, ks.n_patterns, ks.compile_ms);
    return dj_http__done_json(r, 202);
}

int dj_http__route_kb_get(dj_req *r)
{
    if (dj_http__need_store(r))
        return r->status;
    long long v;
    dj_err err = {0};
    dj_buf_reset(&r->out);
    if (dj_store_kb_current(r->srv->opts.store, &r->out, &v, &err))
        return dj_http__from_err(r, &err);
    return dj_http__done_json(r, 200);
}

int dj_http__route_kb_versions(dj_req *r)
{
    if (dj_http__need_store(r))
        return r->status;
    dj_err err = {0};
    dj_buf_reset(&r->out);
    if (dj_store_kb_versions(r->srv->opts.store, &r->out, &err))
        return dj_http__from_err(r, &err);
    return dj_http__done_json(r, 200);
}

static int parse_id(dj_req *r, const char *s, long long *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || v <= 0)
        return dj_http__error(r, 404, "not_found", NULL, "no job \"%s\"", s);
    *out = v;
    return 0;
}

int dj_http__route_job_get(dj_req *r)
{
    if (dj_http__need_store(r))
        return r->status;
    long long id = 0;
    if (parse_id(r, r->params[0], &id))
        return r->status;
    dj_err err = {0};
    dj_buf_reset(&r->out);
    if (dj_store_job_get(r->srv->opts.store, id, &r->out, &err))
        return dj_http__from_err(r, &err);
    return dj_http__done_json(r, 200);
}

int dj_http__route_review_list(dj_req *r)
{
    if (dj_http__need_store(r))
        return r->status;
    const char *limit = dj_http__query(r, "limit");
    int n = 50;
    if (limit) {
        char *end;
        long v = strtol(limit, &end, 10);
        if (*end || v < 1 || v > 500)
            return dj_http__error(r, 400, "invalid", "limit", "limit: expected 1 to 500");
        n = (int)v;
    }
    dj_err err = {0};
    dj_buf_reset(&r->out);
    if (dj_store_review_list(r->srv->opts.store, dj_http__query(r, "brand"), dj_http__query(r, "cursor"), n,
                             &r->out, &err))
        return dj_http__from_err(r, &err);
    return dj_http__done_json(r, 200);
}

/* Reads {"decision":"allow"|"block","note":"..."}; unknown fields are
 * errors here: a reviewer's typo must not pass as a decision. */
int dj_http__route_review_decide(dj_req *r)
{
    if (dj_http__need_store(r))
        return r->status;
    dj_jcur c;
    dj_err err = {0};
    dj_jcur_init(&c, r->body.data ? r->body.data : "", r->body.len, r->arena);
    const char *decision = NULL, *note = NULL, *k;
    size_t kn, n;
    dj_rc rc = dj_jcur_object_begin(&c, &err);
    while (!rc && (rc = dj_jcur_object_next(&c, &k, &kn, &err)) == DJ_OK) {
        const char **dst = kn == 8 && !memcmp(k, "decision", 8) ? &decision : kn == 4 && !memcmp(k, "note", 4) ? &note : NULL;
        if (!dst)
            return dj_http__error(r, 400, "invalid", "body", "unknown field \"%.*s\" (expected decision, note)", (int)kn, k);
        if (dj_jcur_peek(&c) != DJ_JSON_STRING)
            return dj_http__error(r, 400, "invalid", dst == &decision ? "decision" : "note", "%s: expected a string",
                                  dst == &decision ? "decision" : "note");
        if ((rc = dj_jcur_string(&c, dst, &n, &err)) == DJ_OK)
            *dst = dj_arena_strndup(r->arena, *dst, n);
    }
    if (rc != DJ_ENOTFOUND)
        return dj_http__from_err(r, &err);
    if (dj_jcur_finish(&c, &err))
        return dj_http__from_err(r, &err);
    if (!decision)
        return dj_http__error(r, 400, "invalid", "decision", "decision: required (allow or block)");
    if (note && strlen(note) > 4000)
        return dj_http__error(r, 400, "invalid", "note", "note: at most 4000 bytes");
    dj_buf_reset(&r->out);
    if (dj_store_review_decide(r->srv->opts.store, r->params[0], decision, note, r->who.token_id, &r->out, &err))
        return dj_http__from_err(r, &err);
    return dj_http__done_json(r, 200);
}

/* POST /v1/tokens {"role","scope","name"}: the token is in the answer, once. */
int dj_http__route_token_create(dj_req *r)
{
    if (dj_http__need_store(r))
        return r->status;
    static const char *const names[] = {"role", "scope", "name"};
    const char *v[3] = {0};
    if (dj_http__string_fields(r, names, v, 3))
        return r->status;
    const char *role = v[0], *scope = v[1], *name = v[2];
    dj_err err = {0};
    char token[128];
    dj_store_principal p;
    if (dj_store_token_create(r->srv->opts.store, role ? role : "", scope, name, token, &p, &err))
        return dj_http__from_err(r, &err);
    dj_buf_reset(&r->out);
    dj_buf_adds(&r->out, "{\"id\":");
    dj_buf_add_json_str(&r->out, p.id, strlen(p.id));
    dj_buf_adds(&r->out, ",\"role\":");
    dj_buf_add_json_str(&r->out, p.role, strlen(p.role));
    dj_buf_adds(&r->out, ",\"scope\":");
    if (p.scope[0])
        dj_buf_add_json_str(&r->out, p.scope, strlen(p.scope));
    else
        dj_buf_adds(&r->out, "null");
    dj_buf_adds(&r->out, ",\"token\":");
    dj_buf_add_json_str(&r->out, token, strlen(token));
    dj_buf_adds(&r->out, "}");
    return dj_http__done_json(r, 201);
}

int dj_http__route_token_list(dj_req *r)
{
    if (dj_http__need_store(r))
        return r->status;
    dj_err err = {0};
    dj_buf_reset(&r->out);
    if (dj_store_tokens_list(r->srv->opts.store, &r->out, &err))
        return dj_http__from_err(r, &err);
    return dj_http__done_json(r, 200);
}

int dj_http__route_token_revoke(dj_req *r)
{
    if (dj_http__need_store(r))
        return r->status;
    dj_err err = {0};
    if (dj_store_token_revoke(r->srv->opts.store, r->params[0], r->who.token_id, &err))
        return dj_http__from_err(r, &err);
    dj_http__tokens_forget(r->srv);
    dj_buf_reset(&r->out);
    dj_buf_adds(&r->out, "{\"revoked\":true}");
    return dj_http__done_json(r, 200);
}

int dj_http__route_events(dj_req *r)
{
    if (dj_http__need_store(r))
        return r->status;
    dj_err err = {0};
    dj_buf_reset(&r->out);
    if (dj_store_events(r->srv->opts.store, dj_http__query(r, "object"), 1000, &r->out, &err))
        return dj_http__from_err(r, &err);
    return dj_http__done_json(r, 200);
}
