/*
 * Listings: versions, decisions, search, re-screening batches. The
 * listings table holds the current state of each listing (one row),
 * listing_versions every body received, decisions every decision made
 * (publish, rescreen, review) with the status it led to.
 */
#include "store/store_int.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *status_of(const char *decision)
{
    if (!strcmp(decision, "allow"))
        return DJ_STATUS_LIVE;
    if (!strcmp(decision, "review"))
        return DJ_STATUS_HELD;
    return DJ_STATUS_BLOCKED;
}

typedef struct put_ctx {
    const dj_store_listing *l;
    const char *actor;
    dj_buf *out;
    size_t mark;         /* out's length before: a retried transaction starts over */
} put_ctx;

static dj_rc put_tx(dj_db *db, void *ud, dj_err *err)
{
    put_ctx *c = ud;
    const dj_store_listing *l = c->l;
    c->out->len = c->mark;
    char now[24], price[40], score[40];
    snprintf(now, sizeof now, "%lld", dj_store__now_ms());
    snprintf(price, sizeof price, "%.17g", l->price);
    snprintf(score, sizeof score, "%.6f", l->score);
    const char *status = status_of(l->decision);
    const char *p[] = {l->id, l->seller_id, l->title, l->category, l->has_price ? price : NULL, l->currency,
                       l->region, status, l->decision, score, l->brand_id, l->kb_version, now,
                       l->title_norm ? l->title_norm : l->title};
    dj_row row = {0};
    dj_rc rc = dj_db_exec(db,
                          "INSERT INTO listings (id, seller_id, title, category, price, currency, region, version,"
                          " status, decision, score, brand_id, kb_version, created_ms, updated_ms, title_norm)"
                          " VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11, $12, $13, $13, $14)"
                          " ON CONFLICT (id) DO UPDATE SET seller_id = excluded.seller_id, title = excluded.title,"
                          " title_norm = excluded.title_norm,"
                          " category = excluded.category, price = excluded.price, currency = excluded.currency,"
                          " region = excluded.region, version = listings.version + 1, status = excluded.status,"
                          " decision = excluded.decision, score = excluded.score, brand_id = excluded.brand_id,"
                          " kb_version = excluded.kb_version, status_reason = NULL, updated_ms = excluded.updated_ms"
                          " RETURNING version, created_ms",
                          p, 14, dj_store__row_fn, &row, err);
    if (rc)
        return rc;
    const char *version = row.found ? row.v[0] : "1";
    char *body = dj_xstrndup(l->body, l->body_len);
    char *reasons = dj_xstrndup(l->reasons ? l->reasons : "[]", l->reasons ? l->reasons_len : 2);
    const char *pv[] = {l->id, version, body, c->actor, now};
    rc = dj_db_exec(db,
                    "INSERT INTO listing_versions (listing_id, version, body, actor, created_ms)"
                    " VALUES ($1, $2, $3, $4, $5)",
                    pv, 5, NULL, NULL, err);
    const char *pd[] = {l->id, version, l->decision, score, l->brand_id, reasons, l->kb_version, status, c->actor, now};
    if (!rc)
        rc = dj_db_exec(db,
                        "INSERT INTO decisions (listing_id, version, source, decision, score, brand_id, reasons,"
                        " kb_version, status, actor, created_ms) VALUES ($1, $2, 'publish', $3, $4, $5, $6, $7,"
                        " $8, $9, $10)",
                        pd, 10, NULL, NULL, err);
    if (!rc) {
        char detail[160];
        snprintf(detail, sizeof detail, "{\"version\":%s,\"decision\":\"%s\",\"status\":\"%s\"}", version, l->decision,
                 status);
        rc = dj_store__event(db, c->actor, "listing.published", "listing", l->id, detail, err);
    }
    if (!rc) {
        int f = 1;
        dj_buf_addc(c->out, '{');
        dj_store__jstr(c->out, &f, "id", l->id);
        dj_store__jnum(c->out, &f, "version", version);
        dj_store__jstr(c->out, &f, "status", status);
        dj_store__jstr(c->out, &f, "decision", l->decision);
        dj_store__jnum(c->out, &f, "score", score);
        dj_store__jstr(c->out, &f, "brand", l->brand_id);
        dj_store__jraw(c->out, &f, "reasons", reasons, strlen(reasons));
        dj_store__jstr(c->out, &f, "kb_version", l->kb_version);
        dj_buf_addc(c->out, '}');
    }
    free(body);
    free(reasons);
    dj_row_free(&row);
    return rc;
}

dj_rc dj_store_listing_put(dj_store *s, const dj_store_listing *l, const char *actor, dj_buf *out, dj_err *err)
{
    if (!l->id || !*l->id || !l->title)
        return dj_err_set(err, DJ_EINVAL, "id: required");
    size_t mark = out->len;
    put_ctx c = {l, actor, out, mark};
    dj_rc rc = dj_store__tx_grouped(s, put_tx, &c, err);
    if (rc)
        out->len = mark; /* nothing half-written in the answer either */
    return rc;
}

/* --- get ------------------------------------------------------------------- */

#define LISTING_COLS                                                                                      \
    "seq, id, seller_id, title, category, price, currency, region, version, status, decision, score, brand_id," \
    " kb_version, status_reason, created_ms, updated_ms"

/* Appends the current-state fields of a listings row (columns as in
 * LISTING_COLS) without the braces. */
static void listing_fields(dj_buf *b, int *f, const char *const *v)
{
    dj_store__jstr(b, f, "id", v[1]);
    dj_store__jstr(b, f, "seller_id", v[2]);
    dj_store__jstr(b, f, "title", v[3]);
    dj_store__jstr(b, f, "category", v[4]);
    dj_store__jnum(b, f, "price", v[5]);
    dj_store__jstr(b, f, "currency", v[6]);
    dj_store__jstr(b, f, "region", v[7]);
    dj_store__jnum(b, f, "version", v[8]);
    dj_store__jstr(b, f, "status", v[9]);
    dj_store__jstr(b, f, "decision", v[10]);
    dj_store__jnum(b, f, "score", v[11]);
    dj_store__jstr(b, f, "brand", v[12]);
    dj_store__jstr(b, f, "kb_version", v[13]);
    dj_store__jstr(b, f, "status_reason", v[14]);
    dj_store__jtime(b, f, "created_at", v[15]);
    dj_store__jtime(b, f, "updated_at", v[16]);
}

typedef struct list_ctx {
    dj_buf *out;
    int n;
    char last[32];
    int limit;
    int more;        /* a row beyond the limit exists: there is a next page */
} list_ctx;

static int version_row(void *ud, int n, const char *const *v, const size_t *lens)
{
    (void)n;
    list_ctx *c = ud;
    if (c->n++)
        dj_buf_addc(c->out, ',');
    int f = 1;
    dj_buf_addc(c->out, '{');
    dj_store__jnum(c->out, &f, "version", v[0]);
    dj_store__jstr(c->out, &f, "actor", v[2]);
    dj_store__jtime(c->out, &f, "created_at", v[3]);
    dj_store__jraw(c->out, &f, "listing", v[1], lens[1]);
    dj_buf_addc(c->out, '}');
    return 0;
}

static int decision_row(void *ud, int n, const char *const *v, const size_t *lens)
{
    (void)n;
    list_ctx *c = ud;
    if (c->n++)
        dj_buf_addc(c->out, ',');
    int f = 1;
    dj_buf_addc(c->out, '{');
    dj_store__jnum(c->out, &f, "version", v[0]);
    dj_store__jstr(c->out, &f, "source", v[1]);
    dj_store__jstr(c->out, &f, "decision", v[2]);
    dj_store__jnum(c->out, &f, "score", v[3]);
    dj_store__jstr(c->out, &f, "brand", v[4]);
    dj_store__jraw(c->out, &f, "reasons", v[5], v[5] ? lens[5] : 0);
    dj_store__jstr(c->out, &f, "kb_version", v[6]);
    dj_store__jstr(c->out, &f, "status", v[7]);
    dj_store__jstr(c->out, &f, "actor", v[8]);
    dj_store__jstr(c->out, &f, "note", v[9]);
    dj_store__jtime(c->out, &f, "created_at", v[10]);
    dj_buf_addc(c->out, '}');
    return 0;
}

typedef struct get_ctx {
    const char *id, *only_brand, *only_seller;
    dj_buf *out;
} get_ctx;

static int listing_row(void *ud, int n, const char *const *v, const size_t *lens)
{
    (void)n;
    (void)lens;
    dj_buf *out = ud;
    int f = 1;
    listing_fields(out, &f, v);
    return 1;
}

static dj_rc get_tx(dj_db *db, void *ud, dj_err *err)
{
    get_ctx *c = ud;
    const char *p[] = {c->id, c->only_brand, c->only_seller};
    size_t mark = c->out->len;
    dj_buf_addc(c->out, '{');
    size_t body_at = c->out->len;
    dj_rc rc = dj_db_exec(db,
                          "SELECT " LISTING_COLS " FROM listings WHERE id = $1"
                          " AND (CAST($2 AS TEXT) IS NULL OR brand_id = $2) AND (CAST($3 AS TEXT) IS NULL OR seller_id = $3)",
                          p, 3, listing_row, c->out, err);
    if (!rc && c->out->len == body_at)
        rc = dj_err_set(err, DJ_ENOTFOUND, "listing \"%s\" not found", c->id);
    list_ctx lc = {c->out, 0, "", 0, 0};
    if (!rc) {
        dj_buf_adds(c->out, ",\"versions\":[");
        rc = dj_db_exec(db,
                        "SELECT version, body, actor, created_ms FROM listing_versions WHERE listing_id = $1"
                        " ORDER BY version",
                        p, 1, version_row, &lc, err);
        dj_buf_addc(c->out, ']');
    }
    if (!rc) {
        lc.n = 0;
        dj_buf_adds(c->out, ",\"decisions\":[");
        rc = dj_db_exec(db,
                        "SELECT version, source, decision, score, brand_id, reasons, kb_version, status, actor,"
                        " note, created_ms FROM decisions WHERE listing_id = $1 ORDER BY id",
                        p, 1, decision_row, &lc, err);
        dj_buf_addc(c->out, ']');
    }
    if (rc)
        c->out->len = mark;
    else
        dj_buf_addc(c->out, '}');
    return rc;
}

dj_rc dj_store_listing_get(dj_store *s, const char *id, const char *only_brand, const char *only_seller,
                           dj_buf *out, dj_err *err)
{
    get_ctx c = {id, only_brand, only_seller, out};
    return dj_store__run(s, get_tx, &c, err);
}

/* --- search ---------------------------------------------------------------- */

typedef struct search_ctx {
    dj_store *s;
    const dj_store_query *q;
    dj_buf *out;
} search_ctx;

static int search_row(void *ud, int n, const char *const *v, const size_t *lens)
{
    (void)n;
    (void)lens;
    list_ctx *c = ud;
    if (c->n >= c->limit) {
        c->more = 1;
        return 1;
    }
    if (c->n++)
        dj_buf_addc(c->out, ',');
    int f = 1;
    dj_buf_addc(c->out, '{');
    listing_fields(c->out, &f, v);
    dj_buf_addc(c->out, '}');
    snprintf(c->last, sizeof c->last, "%s", v[0]);
    return 0;
}

/* Escapes % _ and \ for LIKE with ESCAPE '\'. */
static char *like_pattern(const char *t)
{
    size_t n = strlen(t);
    char *p = dj_xmalloc(2 * n + 3), *o = p;
    *o++ = '%';
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '%' || t[i] == '_' || t[i] == '\\')
            *o++ = '\\';
        *o++ = t[i];
    }
    *o++ = '%';
    *o = '\0';
    return p;
}

/* An FTS5 phrase: the text in double quotes, quotes doubled. */
static char *fts_phrase(const char *t)
{
    size_t n = strlen(t);
    char *p = dj_xmalloc(2 * n + 3), *o = p;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '"')
            *o++ = '"';
        *o++ = t[i];
    }
    *o++ = '"';
    *o = '\0';
    return p;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static dj_rc search_tx(dj_db *db, void *ud, dj_err *err)
{
    search_ctx *c = ud;
    const dj_store_query *q = c->q;
    char limit[16];
    snprintf(limit, sizeof limit, "%d", q->limit + 1);
    char *text = NULL;
    const char *sql;
    if (c->s->kind == DJ_DB_PG) {
        text = q->text ? like_pattern(q->text) : NULL;
        sql = "SELECT " LISTING_COLS " FROM listings WHERE (CAST($1 AS TEXT) IS NULL OR title_norm ILIKE $1 ESCAPE '\\')"
              " AND (CAST($2 AS TEXT) IS NULL OR brand_id = $2) AND (CAST($3 AS TEXT) IS NULL OR decision = $3)"
              " AND (CAST($4 AS TEXT) IS NULL OR status = $4) AND (CAST($5 AS TEXT) IS NULL OR seller_id = $5)"
              " AND (CAST($6 AS BIGINT) IS NULL OR seq < CAST($6 AS BIGINT)) ORDER BY seq DESC LIMIT CAST($7 AS INTEGER)";
    } else if (q->text && utf8_chars(q->text) >= 3) {
        text = fts_phrase(q->text);
        sql = "SELECT " LISTING_COLS " FROM listings WHERE ($1 IS NULL OR seq IN"
              " (SELECT rowid FROM listings_fts WHERE listings_fts MATCH $1))"
              " AND ($2 IS NULL OR brand_id = $2) AND ($3 IS NULL OR decision = $3)"
              " AND ($4 IS NULL OR status = $4) AND ($5 IS NULL OR seller_id = $5)"
              " AND ($6 IS NULL OR seq < CAST($6 AS INTEGER)) ORDER BY seq DESC LIMIT $7";
    } else {
        /* Trigram search needs three characters; shorter text (香奈) scans. */
        text = q->text ? like_pattern(q->text) : NULL;
        sql = "SELECT " LISTING_COLS " FROM listings WHERE ($1 IS NULL OR title_norm LIKE $1 ESCAPE '\\')"
              " AND ($2 IS NULL OR brand_id = $2) AND ($3 IS NULL OR decision = $3)"
              " AND ($4 IS NULL OR status = $4) AND ($5 IS NULL OR seller_id = $5)"
              " AND ($6 IS NULL OR seq < CAST($6 AS INTEGER)) ORDER BY seq DESC LIMIT $7";
    }
    const char *p[] = {text, q->brand, q->decision, q->status, q->seller, q->cursor, limit};
    list_ctx lc = {c->out, 0, "", q->limit, 0};
    dj_buf_adds(c->out, "{\"items\":[");
    dj_rc rc = dj_db_exec(db, sql, p, 7, search_row, &lc, err);
    free(text);
    text = NULL;
    if (rc)
        return rc;
    /* One row more than the page was asked for: there is a next page. */
    dj_store__page_end(c->out, lc.more ? lc.last : NULL);
    return DJ_OK;
}

dj_rc dj_store_listing_search(dj_store *s, const dj_store_query *q, dj_buf *out, dj_err *err)
{
    if (dj_store__page_args(q->cursor, q->limit, err))
        return DJ_EINVAL;
    search_ctx c = {s, q, out};
    return dj_store__read(s, search_tx, &c, out, err);
}

typedef struct count_ctx {
    const char *status;
    long long n;
} count_ctx;

static dj_rc count_tx(dj_db *db, void *ud, dj_err *err)
{
    count_ctx *c = ud;
    const char *p[] = {c->status};
    dj_row row = {0};
    dj_rc rc = dj_db_exec(db, "SELECT COUNT(*) FROM listings WHERE status = $1", p, 1, dj_store__row_fn, &row, err);
    c->n = row.found && row.v[0] ? atoll(row.v[0]) : 0;
    dj_row_free(&row);
    return rc;
}

dj_rc dj_store_count(dj_store *s, const char *status, long long *n, dj_err *err)
{
    count_ctx c = {status, 0};
    dj_rc rc = dj_store__run(s, count_tx, &c, err);
    if (!rc)
        *n = c.n;
    return rc;
}

/* --- re-screening ---------------------------------------------------------- */

typedef struct live_ctx {
    long long after;
    int limit;
    dj_store_live_fn fn;
    void *ud;
    long long last;
    int stopped;
} live_ctx;

static int live_row(void *ud, int n, const char *const *v, const size_t *lens)
{
    (void)n;
    live_ctx *c = ud;
    c->last = atoll(v[0]);
    if (c->fn(c->ud, c->last, v[1], atoll(v[5]), v[2], lens[2], v[3], v[4])) {
        c->stopped = 1;
        return 1;
    }
    return 0;
}

static dj_rc live_tx(dj_db *db, void *ud, dj_err *err)
{
    live_ctx *c = ud;
    char after[24], limit[16];
    snprintf(after, sizeof after, "%lld", c->after);
    snprintf(limit, sizeof limit, "%d", c->limit);
    const char *p[] = {after, limit};
    /* The body of the current version of each live or held listing, in
     * seq order. The status test is an expression on purpose: with the
     * status index the planner would fetch every live listing after the
     * cursor and sort them for each batch (a re-screen of a million
     * listings slowed from 9,000 to 3,900 a second); walking the primary
     * key and filtering costs one batch per batch. */
    return dj_db_exec(db,
                      "SELECT l.seq, l.id, v.body, l.decision, l.status, l.version FROM listings l"
                      " JOIN listing_versions v ON v.listing_id = l.id AND v.version = l.version"
                      " WHERE l.seq > CAST($1 AS BIGINT) AND l.status || '' IN ('live', 'held')"
                      " ORDER BY l.seq LIMIT CAST($2 AS INTEGER)",
                      p, 2, live_row, c, err);
}

dj_rc dj_store_live_batch(dj_store *s, long long after_seq, int limit, dj_store_live_fn fn, void *ud,
                          long long *last_seq, dj_err *err)
{
    live_ctx c = {after_seq, limit, fn, ud, after_seq, 0};
    dj_rc rc = dj_store__run(s, live_tx, &c, err);
    if (!rc)
        *last_seq = c.last;
    return rc;
}

typedef struct apply_ctx {
    const dj_store_change *c;
    size_t n;
    const char *kb_version, *job_id;
} apply_ctx;

static dj_rc apply_tx(dj_db *db, void *ud, dj_err *err)
{
    apply_ctx *a = ud;
    char now[24], actor[48];
    snprintf(now, sizeof now, "%lld", dj_store__now_ms());
    snprintf(actor, sizeof actor, "job:%s", a->job_id ? a->job_id : "-");
    dj_rc rc = DJ_OK;
    for (size_t i = 0; i < a->n && !rc; i++) {
        const dj_store_change *c = &a->c[i];
        char score[40];
        snprintf(score, sizeof score, "%.6f", c->score);
        char *reasons = dj_xstrndup(c->reasons ? c->reasons : "[]", c->reasons ? c->reasons_len : 2);
        char version[24];
        snprintf(version, sizeof version, "%lld", c->version);
        const char *p[] = {c->id, c->status, c->decision, score, c->brand_id, a->kb_version, c->reason, now, version};
        rc = dj_db_exec(db,
                        "UPDATE listings SET status = $2, decision = $3, score = CAST($4 AS DOUBLE PRECISION), brand_id = $5,"
                        " kb_version = $6, status_reason = $7, updated_ms = CAST($8 AS BIGINT)"
                        " WHERE id = $1 AND version = CAST($9 AS INTEGER)",
                        p, 9, NULL, NULL, err);
        if (!rc && dj_db_changes(db) == 0) {
            free(reasons);
            continue; /* a newer version arrived meanwhile */
        }
        const char *pd[] = {c->id, c->decision, score, c->brand_id, reasons, a->kb_version, c->status, actor, c->reason,
                            now};
        if (!rc)
            rc = dj_db_exec(db,
                            "INSERT INTO decisions (listing_id, version, source, decision, score, brand_id, reasons,"
                            " kb_version, status, actor, note, created_ms)"
                            " SELECT $1, version, 'rescreen', $2, CAST($3 AS DOUBLE PRECISION), $4, $5, $6, $7, $8, $9,"
                            " CAST($10 AS BIGINT) FROM listings WHERE id = $1",
                            pd, 10, NULL, NULL, err);
        if (!rc) {
            char detail[200];
            snprintf(detail, sizeof detail, "{\"decision\":\"%s\",\"status\":\"%s\",\"kb_version\":\"%s\"}", c->decision,
                     c->status, a->kb_version ? a->kb_version : "");
            rc = dj_store__event(db, actor, "listing.rescreened", "listing", c->id, detail, err);
        }
        free(reasons);
    }
    return rc;
}

dj_rc dj_store_rescreen_apply(dj_store *s, const dj_store_change *c, size_t n, const char *kb_version,
                              const char *job_id, dj_err *err)
{
    if (!n)
        return DJ_OK;
    apply_ctx a = {c, n, kb_version, job_id};
    return dj_store__tx(s, apply_tx, &a, err);
}

typedef struct put_many_ctx {
    const dj_store_listing *ls;
    size_t n;
    const char *actor;
} put_many_ctx;

static dj_rc put_many_tx(dj_db *db, void *ud, dj_err *err)
{
    put_many_ctx *c = ud;
    dj_buf scratch;
    dj_buf_init(&scratch, (size_t)1 << 30);
    dj_rc rc = DJ_OK;
    for (size_t i = 0; i < c->n && !rc; i++) {
        dj_buf_reset(&scratch);
        put_ctx p = {&c->ls[i], c->actor, &scratch, 0};
        if ((rc = put_tx(db, &p, err)))
            dj_err_prefix(err, "listing \"%s\"", c->ls[i].id);
    }
    dj_buf_fini(&scratch);
    return rc;
}

dj_rc dj_store_listing_put_many(dj_store *s, const dj_store_listing *ls, size_t n, const char *actor, dj_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!ls[i].id || !*ls[i].id || !ls[i].title)
            return dj_err_set(err, DJ_EINVAL, "listing %zu: id and title required", i);
    put_many_ctx c = {ls, n, actor};
    return dj_store__tx(s, put_many_tx, &c, err);
}
