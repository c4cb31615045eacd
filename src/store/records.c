/*
 * Knowledge-base versions, the review queue, API tokens, jobs and the
 * event log.
 */
#include "store/store_int.h"
#include "util/mem.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- knowledge base versions ---------------------------------------------- */

typedef struct kb_ctx {
    const char *json;
    size_t len;
    const char *label, *actor, *note;
    int shadow;
    long long version;
    dj_buf *out;
} kb_ctx;

static dj_rc kb_put_tx(dj_db *db, void *ud, dj_err *err)
{
    kb_ctx *c = ud;
    char now[24];
    snprintf(now, sizeof now, "%lld", dj_store__now_ms());
    char *body = dj_xstrndup(c->json, c->len);
    const char *p[] = {body, c->label, c->shadow ? "1" : "0", c->actor, c->note, now};
    dj_row row = {0};
    dj_rc rc = dj_db_exec(db,
                          "INSERT INTO kb_versions (body, label, shadow, actor, note, created_ms)"
                          " VALUES ($1, $2, CAST($3 AS INTEGER), $4, $5, CAST($6 AS BIGINT)) RETURNING id",
                          p, 6, dj_store__row_fn, &row, err);
    free(body);
    if (!rc) {
        c->version = row.found && row.v[0] ? atoll(row.v[0]) : 0;
        char detail[200];
        snprintf(detail, sizeof detail, "{\"version\":%lld,\"shadow\":%s}", c->version, c->shadow ? "true" : "false");
        char id[24];
        snprintf(id, sizeof id, "%lld", c->version);
        rc = dj_store__event(db, c->actor, c->shadow ? "kb.shadow" : "kb.published", "kb", id, detail, err);
    }
    dj_row_free(&row);
    return rc;
}

dj_rc dj_store_kb_put(dj_store *s, const char *json, size_t len, const char *label, int shadow, const char *actor,
                      const char *note, long long *version, dj_err *err)
{
    kb_ctx c = {json, len, label, actor, note, shadow, 0, NULL};
    dj_rc rc = dj_store__tx(s, kb_put_tx, &c, err);
    if (!rc)
        *version = c.version;
    return rc;
}

static int kb_body_row(void *ud, int n, const char *const *v, const size_t *lens)
{
    (void)n;
    kb_ctx *c = ud;
    c->version = atoll(v[0]);
    dj_buf_add(c->out, v[1], lens[1]);
    return 1;
}

static dj_rc kb_current_tx(dj_db *db, void *ud, dj_err *err)
{
    kb_ctx *c = ud;
    dj_rc rc = dj_db_exec(db, "SELECT id, body FROM kb_versions WHERE shadow = 0 ORDER BY id DESC LIMIT 1", NULL, 0,
                          kb_body_row, c, err);
    if (!rc && !c->version)
        rc = dj_err_set(err, DJ_ENOTFOUND, "no knowledge base stored yet");
    return rc;
}

dj_rc dj_store_kb_current(dj_store *s, dj_buf *json, long long *version, dj_err *err)
{
    kb_ctx c = {0};
    c.out = json;
    dj_rc rc = dj_store__run(s, kb_current_tx, &c, err);
    if (!rc)
        *version = c.version;
    return rc;
}

typedef struct items_ctx {
    dj_buf *out;
    int n;
} items_ctx;

static int kb_version_row(void *ud, int n, const char *const *v, const size_t *lens)
{
    (void)n;
    (void)lens;
    items_ctx *c = ud;
    if (c->n++)
        dj_buf_addc(c->out, ',');
    int f = 1;
    dj_buf_addc(c->out, '{');
    dj_store__jnum(c->out, &f, "version", v[0]);
    dj_store__jstr(c->out, &f, "label", v[1]);
    dj_buf_adds(c->out, v[2] && atoi(v[2]) ? ",\"shadow\":true" : ",\"shadow\":false");
    dj_store__jstr(c->out, &f, "actor", v[3]);
    dj_store__jstr(c->out, &f, "note", v[4]);
    dj_store__jtime(c->out, &f, "created_at", v[5]);
    dj_store__jnum(c->out, &f, "bytes", v[6]);
    dj_buf_addc(c->out, '}');
    return 0;
}

static dj_rc kb_versions_tx(dj_db *db, void *ud, dj_err *err)
{
    items_ctx *c = ud;
    dj_buf_adds(c->out, "{\"items\":[");
    dj_rc rc = dj_db_exec(db,
                          "SELECT id, label, shadow, actor, note, created_ms, LENGTH(body) FROM kb_versions"
                          " ORDER BY id DESC LIMIT 1000",
                          NULL, 0, kb_version_row, c, err);
    dj_buf_adds(c->out, "]}");
    return rc;
}

dj_rc dj_store_kb_versions(dj_store *s, dj_buf *out, dj_err *err)
{
    items_ctx c = {out, 0};
    return dj_store__read(s, kb_versions_tx, &c, out, err);
}

/* --- review queue ---------------------------------------------------------- */

typedef struct review_ctx {
    const char *only_brand, *cursor, *id, *decision, *note, *actor;
    int limit, n, more;
    char last[32];
    dj_buf *out;
} review_ctx;

static int review_row(void *ud, int n, const char *const *v, const size_t *lens)
{
    (void)n;
    review_ctx *c = ud;
    if (c->n >= c->limit) {
        c->more = 1;
        return 1;
    }
    if (c->n++)
        dj_buf_addc(c->out, ',');
    int f = 1;
    dj_buf_addc(c->out, '{');
    dj_store__jstr(c->out, &f, "id", v[1]);
    dj_store__jstr(c->out, &f, "seller_id", v[2]);
    dj_store__jstr(c->out, &f, "title", v[3]);
    dj_store__jstr(c->out, &f, "brand", v[4]);
    dj_store__jnum(c->out, &f, "score", v[5]);
    dj_store__jnum(c->out, &f, "version", v[6]);
    dj_store__jtime(c->out, &f, "held_since", v[7]);
    dj_store__jraw(c->out, &f, "reasons", v[8], v[8] ? lens[8] : 0);
    dj_buf_addc(c->out, '}');
    snprintf(c->last, sizeof c->last, "%s", v[0]);
    return 0;
}

static dj_rc review_list_tx(dj_db *db, void *ud, dj_err *err)
{
    review_ctx *c = ud;
    char limit[16];
    snprintf(limit, sizeof limit, "%d", c->limit + 1);
    const char *p[] = {c->only_brand, c->cursor, limit};
    dj_buf_adds(c->out, "{\"items\":[");
    /* Oldest first: the queue is worked in arrival order. The reasons are
     * those of the decision that held the listing. */
    dj_rc rc = dj_db_exec(db,
                          "SELECT l.seq, l.id, l.seller_id, l.title, l.brand_id, l.score, l.version, l.updated_ms,"
                          " (SELECT d.reasons FROM decisions d WHERE d.listing_id = l.id ORDER BY d.id DESC LIMIT 1)"
                          " FROM listings l WHERE l.status = 'held'"
                          " AND (CAST($1 AS TEXT) IS NULL OR l.brand_id = $1)"
                          " AND (CAST($2 AS BIGINT) IS NULL OR l.seq > CAST($2 AS BIGINT))"
                          " ORDER BY l.seq LIMIT CAST($3 AS INTEGER)",
                          p, 3, review_row, c, err);
    if (rc)
        return rc;
    dj_store__page_end(c->out, c->more ? c->last : NULL);
    return DJ_OK;
}

dj_rc dj_store_review_list(dj_store *s, const char *only_brand, const char *cursor, int limit, dj_buf *out,
                           dj_err *err)
{
    if (dj_store__page_args(cursor, limit, err))
        return DJ_EINVAL;
    review_ctx c = {0};
    c.only_brand = only_brand;
    c.cursor = cursor;
    c.limit = limit;
    c.out = out;
    return dj_store__read(s, review_list_tx, &c, out, err);
}

static dj_rc review_decide_tx(dj_db *db, void *ud, dj_err *err)
{
    review_ctx *c = ud;
    const char *status = !strcmp(c->decision, "allow") ? DJ_STATUS_LIVE : DJ_STATUS_BLOCKED;
    char now[24];
    snprintf(now, sizeof now, "%lld", dj_store__now_ms());
    const char *p[] = {c->id, status, c->decision, c->note, now};
    dj_rc rc = dj_db_exec(db,
                          "UPDATE listings SET status = $2, decision = $3, status_reason = $4,"
                          " updated_ms = CAST($5 AS BIGINT) WHERE id = $1 AND status = 'held'",
                          p, 5, NULL, NULL, err);
    if (rc)
        return rc;
    if (dj_db_changes(db) == 0) {
        dj_row row = {0};
        rc = dj_db_exec(db, "SELECT status FROM listings WHERE id = $1", p, 1, dj_store__row_fn, &row, err);
        if (!rc)
            rc = row.found ? dj_err_set(err, DJ_ECONFLICT, "listing \"%s\" is %s, not held for review", c->id, row.v[0])
                           : dj_err_set(err, DJ_ENOTFOUND, "listing \"%s\" not found", c->id);
        dj_row_free(&row);
        return rc;
    }
    const char *pd[] = {c->id, c->decision, status, c->actor, c->note, now};
    rc = dj_db_exec(db,
                    "INSERT INTO decisions (listing_id, version, source, decision, score, brand_id, reasons,"
                    " kb_version, status, actor, note, created_ms)"
                    " SELECT id, version, 'review', $2, score, brand_id, NULL, kb_version, $3, $4, $5,"
                    " CAST($6 AS BIGINT) FROM listings WHERE id = $1",
                    pd, 6, NULL, NULL, err);
    if (!rc) {
        char detail[160];
        snprintf(detail, sizeof detail, "{\"decision\":\"%s\",\"status\":\"%s\"}", c->decision, status);
        rc = dj_store__event(db, c->actor, "listing.reviewed", "listing", c->id, detail, err);
    }
    if (!rc) {
        int f = 1;
        dj_buf_addc(c->out, '{');
        dj_store__jstr(c->out, &f, "id", c->id);
        dj_store__jstr(c->out, &f, "status", status);
        dj_store__jstr(c->out, &f, "decision", c->decision);
        dj_store__jstr(c->out, &f, "reviewer", c->actor);
        dj_store__jstr(c->out, &f, "note", c->note);
        dj_buf_addc(c->out, '}');
    }
    return rc;
}

dj_rc dj_store_review_decide(dj_store *s, const char *id, const char *decision, const char *note,
                             const char *actor, dj_buf *out, dj_err *err)
{
    if (strcmp(decision, "allow") != 0 && strcmp(decision, "block") != 0)
        return dj_err_set(err, DJ_EINVAL, "decision: expected \"allow\" or \"block\"");
    review_ctx c = {0};
    c.id = id;
    c.decision = decision;
    c.note = note;
    c.actor = actor;
    c.out = out;
    return dj_store__tx(s, review_decide_tx, &c, err);
}

/* --- tokens ---------------------------------------------------------------- */

/* Tokens carry 256 random bits, so a plain (unsalted, unkeyed) BLAKE2b hash
 * is enough to make a stolen database useless: there is nothing to guess.
 * A slow password hash would only slow down every request. */
static void token_hash(const char *token, char hex[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

static int valid_role(const char *r)
{
    return !strcmp(r, "admin") || !strcmp(r, "reviewer") || !strcmp(r, "brand") || !strcmp(r, "seller") ||
           !strcmp(r, "integration");
}

typedef struct token_ctx {
    const char *role, *scope, *name, *hash, *id, *actor;
    dj_store_principal *p;
    dj_buf *out;
    int n;
} token_ctx;

static dj_rc token_create_tx(dj_db *db, void *ud, dj_err *err)
{
    token_ctx *c = ud;
    char now[24];
    snprintf(now, sizeof now, "%lld", dj_store__now_ms());
    const char *p[] = {c->id, c->hash, c->role, c->scope, c->name, now};
    dj_rc rc = dj_db_exec(db,
                          "INSERT INTO tokens (id, hash, role, scope, name, created_ms)"
                          " VALUES ($1, $2, $3, $4, $5, CAST($6 AS BIGINT))",
                          p, 6, NULL, NULL, err);
    if (!rc) {
        char detail[200];
        snprintf(detail, sizeof detail, "{\"role\":\"%s\"}", c->role);
        rc = dj_store__event(db, c->actor ? c->actor : "cli", "token.created", "token", c->id, detail, err);
    }
    return rc;
}

dj_rc dj_store_token_create(dj_store *s, const char *role, const char *scope, const char *name, char token[128],
                            dj_store_principal *p, dj_err *err)
{
    if (!role || !valid_role(role))
        return dj_err_set(err, DJ_EINVAL, "role: expected admin, reviewer, brand, seller or integration");
    int scoped = !strcmp(role, "brand") || !strcmp(role, "seller");
    if (scoped && (!scope || !*scope))
        return dj_err_set(err, DJ_EINVAL, "scope: a %s token needs the %s id it acts for", role, role);
    if (!scoped && scope && *scope)
        return dj_err_set(err, DJ_EINVAL, "scope: only brand and seller tokens have a scope");
    if (scope && strlen(scope) >= sizeof p->scope)
        return dj_err_set(err, DJ_EINVAL, "scope: longer than %zu bytes", sizeof p->scope - 1);
    if (sodium_init() < 0)
        return dj_err_set(err, DJ_EUNAVAIL, "libsodium could not initialise");
    unsigned char idb[6], secret[32];
    randombytes_buf(idb, sizeof idb);
    randombytes_buf(secret, sizeof secret);
    char id[13], sec[65], hash[65];
    sodium_bin2hex(id, sizeof id, idb, sizeof idb);
    sodium_bin2hex(sec, sizeof sec, secret, sizeof secret);
    snprintf(token, 128, "dj_%s_%s", id, sec);
    token_hash(token, hash);
    token_ctx c = {role, scoped ? scope : NULL, name, hash, id, NULL, p, NULL, 0};
    dj_rc rc = dj_store__tx(s, token_create_tx, &c, err);
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(sec, sizeof sec);
    if (rc) {
        sodium_memzero(token, 128);
        return rc;
    }
    memset(p, 0, sizeof *p);
    snprintf(p->id, sizeof p->id, "%s", id);
    snprintf(p->role, sizeof p->role, "%s", role);
    snprintf(p->scope, sizeof p->scope, "%s", scoped ? scope : "");
    return DJ_OK;
}

static dj_rc token_find_tx(dj_db *db, void *ud, dj_err *err)
{
    token_ctx *c = ud;
    const char *p[] = {c->hash};
    dj_row row = {0};
    dj_rc rc = dj_db_exec(db, "SELECT id, role, scope FROM tokens WHERE hash = $1 AND revoked_ms IS NULL", p, 1,
                          dj_store__row_fn, &row, err);
    if (!rc && !row.found)
        rc = dj_err_set(err, DJ_ENOTFOUND, "unknown or revoked token");
    if (!rc) {
        snprintf(c->p->id, sizeof c->p->id, "%s", row.v[0]);
        snprintf(c->p->role, sizeof c->p->role, "%s", row.v[1]);
        snprintf(c->p->scope, sizeof c->p->scope, "%s", row.v[2] ? row.v[2] : "");
    }
    dj_row_free(&row);
    return rc;
}

dj_rc dj_store_token_find(dj_store *s, const char *token, dj_store_principal *p, dj_err *err)
{
    if (!token || strncmp(token, "dj_", 3) != 0 || strlen(token) > 120)
        return dj_err_set(err, DJ_ENOTFOUND, "unknown or revoked token");
    char hash[65];
    token_hash(token, hash);
    token_ctx c = {0};
    c.hash = hash;
    c.p = p;
    return dj_store__run(s, token_find_tx, &c, err);
}

static dj_rc token_revoke_tx(dj_db *db, void *ud, dj_err *err)
{
    token_ctx *c = ud;
    char now[24];
    snprintf(now, sizeof now, "%lld", dj_store__now_ms());
    const char *p[] = {c->id, now};
    dj_rc rc = dj_db_exec(db, "UPDATE tokens SET revoked_ms = CAST($2 AS BIGINT) WHERE id = $1 AND revoked_ms IS NULL",
                          p, 2, NULL, NULL, err);
    if (!rc && dj_db_changes(db) == 0)
        rc = dj_err_set(err, DJ_ENOTFOUND, "token \"%s\" not found or already revoked", c->id);
    if (!rc)
        rc = dj_store__event(db, c->actor, "token.revoked", "token", c->id, NULL, err);
    return rc;
}

dj_rc dj_store_token_revoke(dj_store *s, const char *id, const char *actor, dj_err *err)
{
    token_ctx c = {0};
    c.id = id;
    c.actor = actor;
    return dj_store__tx(s, token_revoke_tx, &c, err);
}

static int token_row(void *ud, int n, const char *const *v, const size_t *lens)
{
    (void)n;
    (void)lens;
    token_ctx *c = ud;
    if (c->n++)
        dj_buf_addc(c->out, ',');
    int f = 1;
    dj_buf_addc(c->out, '{');
    dj_store__jstr(c->out, &f, "id", v[0]);
    dj_store__jstr(c->out, &f, "role", v[1]);
    dj_store__jstr(c->out, &f, "scope", v[2]);
    dj_store__jstr(c->out, &f, "name", v[3]);
    dj_store__jtime(c->out, &f, "created_at", v[4]);
    dj_store__jtime(c->out, &f, "revoked_at", v[5]);
    dj_buf_addc(c->out, '}');
    return 0;
}

static dj_rc tokens_list_tx(dj_db *db, void *ud, dj_err *err)
{
    token_ctx *c = ud;
    dj_buf_adds(c->out, "{\"items\":[");
    dj_rc rc = dj_db_exec(db, "SELECT id, role, scope, name, created_ms, revoked_ms FROM tokens ORDER BY created_ms",
                          NULL, 0, token_row, c, err);
    dj_buf_adds(c->out, "]}");
    return rc;
}

dj_rc dj_store_tokens_list(dj_store *s, dj_buf *out, dj_err *err)
{
    token_ctx c = {0};
    c.out = out;
    return dj_store__read(s, tokens_list_tx, &c, out, err);
}

/* --- jobs ------------------------------------------------------------------ */

typedef struct job_ctx {
    const char *kind, *params, *actor, *status, *result;
    long long id, done, total;
    dj_buf *out;
} job_ctx;

static dj_rc job_create_tx(dj_db *db, void *ud, dj_err *err)
{
    job_ctx *c = ud;
    char now[24];
    snprintf(now, sizeof now, "%lld", dj_store__now_ms());
    const char *p[] = {c->kind, c->params, c->actor, now};
    dj_row row = {0};
    dj_rc rc = dj_db_exec(db,
                          "INSERT INTO jobs (kind, status, done, total, params, actor, created_ms, updated_ms)"
                          " VALUES ($1, 'queued', 0, 0, $2, $3, CAST($4 AS BIGINT), CAST($4 AS BIGINT)) RETURNING id",
                          p, 4, dj_store__row_fn, &row, err);
    if (!rc)
        c->id = row.found && row.v[0] ? atoll(row.v[0]) : 0;
    dj_row_free(&row);
    return rc;
}

dj_rc dj_store_job_create(dj_store *s, const char *kind, const char *params, const char *actor, long long *id,
                          dj_err *err)
{
    job_ctx c = {kind, params, actor, NULL, NULL, 0, 0, 0, NULL};
    dj_rc rc = dj_store__tx(s, job_create_tx, &c, err);
    if (!rc)
        *id = c.id;
    return rc;
}

static dj_rc job_update_tx(dj_db *db, void *ud, dj_err *err)
{
    job_ctx *c = ud;
    char now[24], id[24], done[24], total[24];
    snprintf(now, sizeof now, "%lld", dj_store__now_ms());
    snprintf(id, sizeof id, "%lld", c->id);
    snprintf(done, sizeof done, "%lld", c->done);
    snprintf(total, sizeof total, "%lld", c->total);
    const char *p[] = {id, c->status, done, total, c->result, now};
    dj_rc rc = dj_db_exec(db,
                          "UPDATE jobs SET status = $2, done = CAST($3 AS BIGINT), total = CAST($4 AS BIGINT),"
                          " result = COALESCE($5, result), updated_ms = CAST($6 AS BIGINT)"
                          " WHERE id = CAST($1 AS BIGINT)",
                          p, 6, NULL, NULL, err);
    if (!rc && dj_db_changes(db) == 0)
        rc = dj_err_set(err, DJ_ENOTFOUND, "job %lld not found", c->id);
    return rc;
}

dj_rc dj_store_job_update(dj_store *s, long long id, const char *status, long long done, long long total,
                          const char *result, dj_err *err)
{
    job_ctx c = {NULL, NULL, NULL, status, result, id, done, total, NULL};
    return dj_store__tx(s, job_update_tx, &c, err);
}

static int job_row(void *ud, int n, const char *const *v, const size_t *lens)
{
    (void)n;
    job_ctx *c = ud;
    int f = 1;
    dj_buf_addc(c->out, '{');
    dj_store__jnum(c->out, &f, "id", v[0]);
    dj_store__jstr(c->out, &f, "kind", v[1]);
    dj_store__jstr(c->out, &f, "status", v[2]);
    dj_store__jnum(c->out, &f, "done", v[3]);
    dj_store__jnum(c->out, &f, "total", v[4]);
    dj_store__jraw(c->out, &f, "params", v[5], v[5] ? lens[5] : 0);
    dj_store__jraw(c->out, &f, "result", v[6], v[6] ? lens[6] : 0);
    dj_store__jstr(c->out, &f, "actor", v[7]);
    dj_store__jtime(c->out, &f, "created_at", v[8]);
    dj_store__jtime(c->out, &f, "updated_at", v[9]);
    dj_buf_addc(c->out, '}');
    c->done = 1;
    return 1;
}

static dj_rc job_get_tx(dj_db *db, void *ud, dj_err *err)
{
    job_ctx *c = ud;
    char id[24];
    snprintf(id, sizeof id, "%lld", c->id);
    const char *p[] = {id};
    dj_rc rc = dj_db_exec(db,
                          "SELECT id, kind, status, done, total, params, result, actor, created_ms, updated_ms"
                          " FROM jobs WHERE id = CAST($1 AS BIGINT)",
                          p, 1, job_row, c, err);
    if (!rc && !c->done)
        rc = dj_err_set(err, DJ_ENOTFOUND, "job %lld not found", c->id);
    return rc;
}

dj_rc dj_store_job_get(dj_store *s, long long id, dj_buf *out, dj_err *err)
{
    job_ctx c = {0};
    c.id = id;
    c.out = out;
    return dj_store__run(s, job_get_tx, &c, err);
}

/* --- events ---------------------------------------------------------------- */

static int event_row(void *ud, int n, const char *const *v, const size_t *lens)
{
    (void)n;
    items_ctx *c = ud;
    if (c->n++)
        dj_buf_addc(c->out, ',');
    int f = 1;
    dj_buf_addc(c->out, '{');
    dj_store__jnum(c->out, &f, "seq", v[0]);
    dj_store__jtime(c->out, &f, "at", v[1]);
    dj_store__jstr(c->out, &f, "actor", v[2]);
    dj_store__jstr(c->out, &f, "action", v[3]);
    dj_store__jstr(c->out, &f, "object_type", v[4]);
    dj_store__jstr(c->out, &f, "object_id", v[5]);
    dj_store__jraw(c->out, &f, "detail", v[6], v[6] ? lens[6] : 0);
    dj_buf_addc(c->out, '}');
    return 0;
}

typedef struct events_ctx {
    items_ctx ic;
    const char *object_id;
    int limit;
} events_ctx;

static dj_rc events_tx(dj_db *db, void *ud, dj_err *err)
{
    events_ctx *c = ud;
    char limit[16];
    snprintf(limit, sizeof limit, "%d", c->limit);
    const char *p[] = {c->object_id, limit};
    dj_buf_adds(c->ic.out, "{\"items\":[");
    dj_rc rc = dj_db_exec(db,
                          "SELECT seq, at_ms, actor, action, object_type, object_id, detail FROM events"
                          " WHERE CAST($1 AS TEXT) IS NULL OR object_id = $1 ORDER BY seq LIMIT CAST($2 AS INTEGER)",
                          p, 2, event_row, &c->ic, err);
    dj_buf_adds(c->ic.out, "]}");
    return rc;
}

dj_rc dj_store_events(dj_store *s, const char *object_id, int limit, dj_buf *out, dj_err *err)
{
    events_ctx c = {{out, 0}, object_id, limit > 0 && limit <= 10000 ? limit : 1000};
    return dj_store__read(s, events_tx, &c, out, err);
}

typedef struct event_add_ctx {
    const char *actor, *action, *type, *id, *detail;
} event_add_ctx;

static dj_rc event_add_tx(dj_db *db, void *ud, dj_err *err)
{
    event_add_ctx *c = ud;
    return dj_store__event(db, c->actor, c->action, c->type, c->id, c->detail, err);
}

dj_rc dj_store_event_add(dj_store *s, const char *actor, const char *action, const char *object_type,
                         const char *object_id, const char *detail, dj_err *err)
{
    event_add_ctx c = {actor, action, object_type, object_id, detail};
    return dj_store__tx(s, event_add_tx, &c, err);
}
