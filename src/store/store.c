/*
 * Opening the store, the schema migrations, the connection pool and the
 * helpers every query file uses. Migrations are numbered; each runs once in
 * its own transaction (PostgreSQL takes an advisory lock so that several
 * nodes starting together migrate once) and the schema version is recorded
 * in dj_schema. The SQL differs between backends only where the dialects
 * do (serial keys, full-text search).
 */
#include "store/store_int.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct migration {
    int version;
    const char *sqlite;
    const char *pg;
} migration;

#define COMMON_TABLES(SERIAL, REAL)                                                                   \
    "CREATE TABLE listings (seq " SERIAL ", id TEXT NOT NULL UNIQUE, seller_id TEXT,"                 \
    " title TEXT NOT NULL, title_norm TEXT, category TEXT, price " REAL ", currency TEXT, region TEXT,"                \
    " version INTEGER NOT NULL, status TEXT NOT NULL, decision TEXT NOT NULL, score " REAL " NOT NULL," \
    " brand_id TEXT, kb_version TEXT, status_reason TEXT, created_ms BIGINT NOT NULL,"               \
    " updated_ms BIGINT NOT NULL);"                                                                   \
    "CREATE INDEX listings_status ON listings(status, seq);"                                          \
    "CREATE INDEX listings_brand ON listings(brand_id, seq);"                                         \
    "CREATE INDEX listings_seller ON listings(seller_id, seq);"                                       \
    "CREATE INDEX listings_decision ON listings(decision, seq);"                                      \
    "CREATE TABLE listing_versions (listing_id TEXT NOT NULL, version INTEGER NOT NULL,"              \
    " body TEXT NOT NULL, actor TEXT, created_ms BIGINT NOT NULL, PRIMARY KEY (listing_id, version));" \
    "CREATE TABLE decisions (id " SERIAL ", listing_id TEXT NOT NULL, version INTEGER NOT NULL,"      \
    " source TEXT NOT NULL, decision TEXT NOT NULL, score " REAL ", brand_id TEXT, reasons TEXT,"     \
    " kb_version TEXT, status TEXT NOT NULL, actor TEXT, note TEXT, created_ms BIGINT NOT NULL);"     \
    "CREATE INDEX decisions_listing ON decisions(listing_id, id);"                                    \
    "CREATE TABLE kb_versions (id " SERIAL ", body TEXT NOT NULL, label TEXT, shadow INTEGER NOT NULL," \
    " actor TEXT, note TEXT, created_ms BIGINT NOT NULL);"                                            \
    "CREATE TABLE tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL,"        \
    " scope TEXT, name TEXT, created_ms BIGINT NOT NULL, revoked_ms BIGINT);"                         \
    "CREATE TABLE jobs (id " SERIAL ", kind TEXT NOT NULL, status TEXT NOT NULL, done BIGINT NOT NULL," \
    " total BIGINT NOT NULL, params TEXT, result TEXT, actor TEXT, created_ms BIGINT NOT NULL,"       \
    " updated_ms BIGINT NOT NULL);"                                                                   \
    "CREATE TABLE events (seq " SERIAL ", at_ms BIGINT NOT NULL, actor TEXT, action TEXT NOT NULL,"   \
    " object_type TEXT NOT NULL, object_id TEXT, detail TEXT);"                                       \
    "CREATE INDEX events_object ON events(object_id, seq);"

/* Image bank entries (counterfeit photos, allow-listed stock photos) with
 * their provenance; the banks' version is the seq of their last event. */
#define BANK_TABLES(SERIAL)                                                                            \
    "CREATE TABLE bank_entries (id " SERIAL ", kind TEXT NOT NULL, hash TEXT NOT NULL, quality INTEGER," \
    " brand_id TEXT, listing_id TEXT, decision_id BIGINT, decision TEXT, note TEXT, actor TEXT NOT NULL," \
    " state TEXT NOT NULL, state_note TEXT, state_actor TEXT, created_ms BIGINT NOT NULL,"              \
    " updated_ms BIGINT NOT NULL);"                                                                    \
    "CREATE INDEX bank_entries_kind ON bank_entries(kind, id);"                                        \
    "CREATE INDEX bank_entries_brand ON bank_entries(brand_id, id);"                                   \
    "CREATE INDEX bank_entries_hash ON bank_entries(hash);"                                            \
    "CREATE INDEX events_type ON events(object_type, seq);"

static const migration migrations[] = {
    {1,
     COMMON_TABLES("INTEGER PRIMARY KEY AUTOINCREMENT", "REAL")
     /* Title search runs on the normalized title (case, width, traditional
      * Chinese, lookalikes folded: 香奈兒 finds 香奈儿, gucci finds Guссi).
      * FTS5's trigram tokenizer matches any substring of three or more
      * characters, in any script. */
     "CREATE VIRTUAL TABLE listings_fts USING fts5(title_norm, content='listings', content_rowid='seq',"
     " tokenize='trigram');"
     "CREATE TRIGGER listings_ai AFTER INSERT ON listings BEGIN"
     " INSERT INTO listings_fts(rowid, title_norm) VALUES (new.seq, new.title_norm); END;"
     "CREATE TRIGGER listings_au AFTER UPDATE OF title_norm ON listings BEGIN"
     " INSERT INTO listings_fts(listings_fts, rowid, title_norm) VALUES ('delete', old.seq, old.title_norm);"
     " INSERT INTO listings_fts(rowid, title_norm) VALUES (new.seq, new.title_norm); END;",
     COMMON_TABLES("BIGSERIAL PRIMARY KEY", "DOUBLE PRECISION")
     /* Title search: pg_trgm's GIN index serves ILIKE '%...%'. */
     "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
     "CREATE INDEX listings_title_trgm ON listings USING gin (title_norm gin_trgm_ops);"},
    {2, BANK_TABLES("INTEGER PRIMARY KEY AUTOINCREMENT"), BANK_TABLES("BIGSERIAL PRIMARY KEY")},
};

#define N_MIGRATIONS (sizeof migrations / sizeof migrations[0])

long long dj_store__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void dj_store__iso(dj_buf *b, long long ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char s[40];
    size_t n = strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(s + n, sizeof s - n, ".%03dZ", (int)(ms % 1000));
    dj_buf_addc(b, '"');
    dj_buf_adds(b, s);
    dj_buf_addc(b, '"');
}

static void key(dj_buf *b, int *first, const char *k)
{
    if (!*first)
        dj_buf_addc(b, ',');
    *first = 0;
    dj_buf_addc(b, '"');
    dj_buf_adds(b, k);
    dj_buf_adds(b, "\":");
}

void dj_store__jstr(dj_buf *b, int *first, const char *k, const char *v)
{
    key(b, first, k);
    if (v)
        dj_buf_add_json_str(b, v, strlen(v));
    else
        dj_buf_adds(b, "null");
}

void dj_store__jraw(dj_buf *b, int *first, const char *k, const char *json, size_t len)
{
    key(b, first, k);
    if (json && len)
        dj_buf_add(b, json, len);
    else
        dj_buf_adds(b, "null");
}

void dj_store__jnum(dj_buf *b, int *first, const char *k, const char *v)
{
    key(b, first, k);
    if (!v) {
        dj_buf_adds(b, "null");
        return;
    }
    /* Numbers come back as text from both backends; re-format so that
     * SQLite's and PostgreSQL's spellings agree (1.0 vs 1). */
    dj_buf_add_json_num(b, strtod(v, NULL));
}

void dj_store__jtime(dj_buf *b, int *first, const char *k, const char *ms)
{
    key(b, first, k);
    if (ms)
        dj_store__iso(b, atoll(ms));
    else
        dj_buf_adds(b, "null");
}

int dj_store__row_fn(void *ud, int n, const char *const *vals, const size_t *lens)
{
    dj_row *r = ud;
    if (r->found)
        return 1;
    r->found = 1;
    r->n = n > 16 ? 16 : n;
    for (int i = 0; i < r->n; i++)
        r->v[i] = vals[i] ? dj_xstrndup(vals[i], lens[i]) : NULL;
    return 1;
}

void dj_row_free(dj_row *r)
{
    for (int i = 0; i < r->n; i++)
        free(r->v[i]);
    memset(r, 0, sizeof *r);
}

dj_rc dj_store__event(dj_db *db, const char *actor, const char *action, const char *object_type,
                      const char *object_id, const char *detail, dj_err *err)
{
    char at[24];
    snprintf(at, sizeof at, "%lld", dj_store__now_ms());
    const char *p[] = {at, actor, action, object_type, object_id, detail};
    return dj_db_exec(db,
                      "INSERT INTO events (at_ms, actor, action, object_type, object_id, detail)"
                      " VALUES ($1, $2, $3, $4, $5, $6)",
                      p, 6, NULL, NULL, err);
}

/* --- pool ------------------------------------------------------------------ */

dj_rc dj_store__get(dj_store *s, dj_db **db, dj_err *err)
{
    pthread_mutex_lock(&s->mu);
    for (;;) {
        if (s->n_idle) {
            *db = s->idle[--s->n_idle];
            pthread_mutex_unlock(&s->mu);
            return DJ_OK;
        }
        if (s->n_open < s->max_conns) {
            s->n_open++;
            pthread_mutex_unlock(&s->mu);
            dj_rc rc = dj_db_open(s->url, db, err);
            if (rc) {
                pthread_mutex_lock(&s->mu);
                s->n_open--;
                pthread_cond_signal(&s->cv);
                pthread_mutex_unlock(&s->mu);
            }
            return rc;
        }
        pthread_cond_wait(&s->cv, &s->mu);
    }
}

void dj_store__put(dj_store *s, dj_db *db, dj_rc last)
{
    pthread_mutex_lock(&s->mu);
    if (last == DJ_EUNAVAIL && s->kind == DJ_DB_PG) {
        dj_db_close(db);
        s->n_open--;
    } else {
        s->idle[s->n_idle++] = db;
    }
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static dj_rc run(dj_store *s, int tx, dj_store_tx_fn fn, void *ud, dj_err *err)
{
    dj_rc rc = DJ_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        dj_db *db;
        if ((rc = dj_store__get(s, &db, err)))
            return rc;
        int serial = tx && s->kind == DJ_DB_SQLITE;
        if (serial)
            pthread_mutex_lock(&s->write_mu);
        rc = tx ? dj_db_begin(db, err) : DJ_OK;
        if (!rc) {
            rc = fn(db, ud, err);
            if (tx) {
                if (!rc)
                    rc = dj_db_commit(db, err);
                else if (rc != DJ_EUNAVAIL)
                    dj_db_rollback(db);
            }
        }
        if (serial)
            pthread_mutex_unlock(&s->write_mu);
        dj_store__put(s, db, rc);
        /* A pooled PostgreSQL connection may have died while idle (server
         * restart): one retry on a fresh one before reporting 503. */
        if (rc != DJ_EUNAVAIL || s->kind != DJ_DB_PG)
            break;
    }
    return rc;
}

dj_rc dj_store__tx(dj_store *s, dj_store_tx_fn fn, void *ud, dj_err *err)
{
    return run(s, 1, fn, ud, err);
}

/* --- group commit ---------------------------------------------------------------
 * A commit costs a disk flush (about a millisecond); a listing's rows cost
 * far less. Writers that arrive while a transaction commits wait in a
 * queue; when it is done, one of them (the first to wake) takes the whole
 * queue and commits it as one transaction, then hands over. Nobody is
 * answered before their write is on disk. */

typedef struct group_req {
    dj_store_tx_fn fn;
    void *ud;
    dj_err err;
    dj_rc rc;
    int done;
    struct group_req *next;
} group_req;

static dj_rc group_body(dj_db *db, void *ud, dj_err *err)
{
    group_req *first = ud;
    if (!first->next) { /* alone: its failure is the transaction's */
        first->err = (dj_err){0};
        first->rc = first->fn(db, first->ud, &first->err);
        if (first->rc)
            *err = first->err;
        return first->rc;
    }
    for (group_req *r = ud; r; r = r->next) {
        dj_rc rc = dj_db_script(db, "SAVEPOINT dj_item", err);
        if (rc)
            return rc;
        r->err = (dj_err){0};
        r->rc = r->fn(db, r->ud, &r->err);
        if (r->rc == DJ_EUNAVAIL) {
            *err = r->err;
            return DJ_EUNAVAIL; /* the connection is gone: the whole batch */
        }
        if ((rc = dj_db_script(db, r->rc ? "ROLLBACK TO SAVEPOINT dj_item" : "RELEASE SAVEPOINT dj_item", err)))
            return rc;
    }
    return DJ_OK;
}

dj_rc dj_store__tx_grouped(dj_store *s, dj_store_tx_fn fn, void *ud, dj_err *err)
{
    group_req me = {fn, ud, {0}, DJ_OK, 0, NULL};
    pthread_mutex_lock(&s->gmu);
    *s->gq_tail = &me;
    s->gq_tail = &me.next;
    while (!me.done && s->g_leader)
        pthread_cond_wait(&s->gcv, &s->gmu);
    if (!me.done) {
        /* Lead one batch (ours is in it), then hand over. */
        s->g_leader = 1;
        group_req *batch = s->gq_head;
        s->gq_head = NULL;
        s->gq_tail = &s->gq_head;
        pthread_mutex_unlock(&s->gmu);
        dj_err berr = {0};
        dj_rc rc = run(s, 1, group_body, batch, &berr);
        pthread_mutex_lock(&s->gmu);
        for (group_req *r = batch, *next; r; r = next) {
            next = r->next; /* r may be gone once done is set and we unlock */
            if (rc) {
                r->rc = rc; /* the transaction failed: nobody's write happened */
                r->err = berr;
            }
            r->done = 1;
        }
        s->g_leader = 0;
        pthread_cond_broadcast(&s->gcv);
    }
    pthread_mutex_unlock(&s->gmu);
    if (me.rc)
        *err = me.err;
    return me.rc;
}

dj_rc dj_store__run(dj_store *s, dj_store_tx_fn fn, void *ud, dj_err *err)
{
    return run(s, 0, fn, ud, err);
}

dj_rc dj_store__read(dj_store *s, dj_store_tx_fn fn, void *ud, dj_buf *out, dj_err *err)
{
    size_t mark = out->len;
    dj_rc rc = run(s, 0, fn, ud, err);
    if (rc)
        out->len = mark;
    return rc;
}

void dj_store__page_end(dj_buf *out, const char *next_cursor)
{
    dj_buf_adds(out, "],\"next_cursor\":");
    if (next_cursor)
        dj_buf_add_json_str(out, next_cursor, strlen(next_cursor));
    else
        dj_buf_adds(out, "null");
    dj_buf_addc(out, '}');
}

dj_rc dj_store__page_args(const char *cursor, int limit, dj_err *err)
{
    if (limit < 1 || limit > 500)
        return dj_err_set(err, DJ_EINVAL, "limit: expected 1 to 500");
    if (cursor && (!*cursor || strspn(cursor, "0123456789") != strlen(cursor) || strlen(cursor) > 18))
        return dj_err_set(err, DJ_EINVAL, "cursor: not a cursor from a previous page");
    return DJ_OK;
}

/* --- open and migrate ---------------------------------------------------------- */

static dj_rc migrate(dj_store *s, dj_db *db, dj_err *err)
{
    dj_rc rc = dj_db_script(db, "CREATE TABLE IF NOT EXISTS dj_schema (version INTEGER NOT NULL)", err);
    if (rc)
        return rc;
    for (size_t i = 0; i < N_MIGRATIONS; i++) {
        if ((rc = dj_db_begin(db, err)))
            return rc;
        if (s->kind == DJ_DB_PG)
            rc = dj_db_script(db, "SELECT pg_advisory_xact_lock(424242)", err);
        dj_row row = {0};
        if (!rc)
            rc = dj_db_exec(db, "SELECT COALESCE(MAX(version), 0) FROM dj_schema", NULL, 0, dj_store__row_fn, &row,
                            err);
        int have = row.found && row.v[0] ? atoi(row.v[0]) : 0;
        dj_row_free(&row);
        if (!rc && have < migrations[i].version) {
            rc = dj_db_script(db, s->kind == DJ_DB_PG ? migrations[i].pg : migrations[i].sqlite, err);
            char v[16];
            snprintf(v, sizeof v, "%d", migrations[i].version);
            const char *p[] = {v};
            if (!rc)
                rc = dj_db_exec(db, "INSERT INTO dj_schema (version) VALUES ($1)", p, 1, NULL, NULL, err);
        }
        if (rc) {
            dj_db_rollback(db);
            dj_err_prefix(err, "migration %d", migrations[i].version);
            return rc;
        }
        if ((rc = dj_db_commit(db, err)))
            return rc;
        s->schema_version = migrations[i].version > have ? migrations[i].version : have;
    }
    return DJ_OK;
}

dj_rc dj_store_open(const char *url, int max_conns, dj_store **out, dj_err *err)
{
    dj_db *db = NULL;
    dj_rc rc = dj_db_open(url, &db, err);
    if (rc)
        return rc;
    dj_store *s = dj_xcalloc(1, sizeof *s);
    s->url = dj_xstrdup(url);
    s->kind = dj_db_kind(db);
    s->max_conns = max_conns > 0 ? max_conns : 8;
    s->idle = dj_xcalloc((size_t)s->max_conns, sizeof *s->idle);
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->write_mu, NULL);
    pthread_mutex_init(&s->gmu, NULL);
    pthread_cond_init(&s->gcv, NULL);
    s->gq_tail = &s->gq_head;
    pthread_cond_init(&s->cv, NULL);
    if ((rc = migrate(s, db, err))) {
        dj_db_close(db);
        dj_store_close(s);
        return rc;
    }
    s->n_open = 1;
    s->idle[s->n_idle++] = db;
    *out = s;
    return DJ_OK;
}

void dj_store_close(dj_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_idle; i++)
        dj_db_close(s->idle[i]);
    free(s->idle);
    free(s->url);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->write_mu);
    pthread_mutex_destroy(&s->gmu);
    pthread_cond_destroy(&s->gcv);
    pthread_cond_destroy(&s->cv);
    free(s);
}

const char *dj_store_backend(const dj_store *s)
{
    return s->kind == DJ_DB_SQLITE ? "sqlite" : "postgresql";
}

int dj_store_schema_version(dj_store *s)
{
    return s->schema_version;
}
