/*
 * The SQLite backend of dj_db. Each connection runs in WAL mode with
 * synchronous=FULL: a commit is on disk before we answer 2xx, which is what
 * the kill-mid-load test demands (NORMAL would survive a process kill but
 * not a power cut, and acknowledged writes must survive both). Statements
 * are prepared once per connection and cached by SQL text pointer, since the
 * store's SQL strings are static.
 */
#include "store/db.h"
#include "util/mem.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define CACHE 64

typedef struct cached {
    const char *sql;          /* the caller's static string (identity) */
    sqlite3_stmt *stmt;
} cached;

struct dj_db_sqlite {
    int kind;
    sqlite3 *db;
    cached cache[CACHE];
    size_t n_cache;
};

dj_rc dj_db__sqlite_open(const char *path, dj_db **out, dj_err *err);
dj_rc dj_db__sqlite_exec(dj_db *d, const char *sql, const char *const *params, int n, dj_db_row_fn fn, void *ud,
                         dj_err *err);
dj_rc dj_db__sqlite_script(dj_db *d, const char *sql, dj_err *err);
void dj_db__sqlite_close(dj_db *d);
long long dj_db__sqlite_changes(dj_db *d);

static dj_rc fail(sqlite3 *db, int rc, const char *what, dj_err *err)
{
    int ext = sqlite3_extended_errcode(db);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        return dj_err_set(err, DJ_ECONFLICT, "%s: %s", what, sqlite3_errmsg(db));
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return dj_err_set(err, DJ_EUNAVAIL, "%s: database busy: %s", what, sqlite3_errmsg(db));
    if (rc == SQLITE_FULL || rc == SQLITE_IOERR || rc == SQLITE_CANTOPEN || rc == SQLITE_READONLY)
        return dj_err_set(err, DJ_EUNAVAIL, "%s: %s", what, sqlite3_errmsg(db));
    return dj_err_set(err, DJ_EDB, "%s: %s", what, sqlite3_errmsg(db));
}

dj_rc dj_db__sqlite_open(const char *path, dj_db **out, dj_err *err)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        dj_rc r = dj_err_set(err, DJ_EUNAVAIL, "sqlite:%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return r;
    }
    sqlite3_busy_timeout(db, 10000);
    char *msg = NULL;
    rc = sqlite3_exec(db,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        dj_rc r = dj_err_set(err, DJ_EUNAVAIL, "sqlite:%s: %s", path, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(db);
        return r;
    }
    struct dj_db_sqlite *d = dj_xcalloc(1, sizeof *d);
    d->kind = DJ_DB_SQLITE;
    d->db = db;
    *out = (dj_db *)d;
    return DJ_OK;
}

/* $N -> ?N, outside string literals. */
static char *rewrite(const char *sql)
{
    size_t n = strlen(sql);
    char *out = dj_xmalloc(n + 1);
    int quoted = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = sql[i];
        if (c == '\'')
            quoted = !quoted;
        out[i] = (!quoted && c == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') ? '?' : c;
    }
    return out;
}

static sqlite3_stmt *prepare(struct dj_db_sqlite *d, const char *sql, dj_err *err, dj_rc *rc)
{
    for (size_t i = 0; i < d->n_cache; i++)
        if (d->cache[i].sql == sql) {
            sqlite3_reset(d->cache[i].stmt);
            sqlite3_clear_bindings(d->cache[i].stmt);
            return d->cache[i].stmt;
        }
    char *q = rewrite(sql);
    sqlite3_stmt *st = NULL;
    int r = sqlite3_prepare_v2(d->db, q, -1, &st, NULL);
    free(q);
    if (r != SQLITE_OK) {
        *rc = fail(d->db, r, "prepare", err);
        return NULL;
    }
    if (d->n_cache < CACHE) {
        d->cache[d->n_cache++] = (cached){sql, st};
    } else {
        /* Cache full (cannot happen with the store's fixed SQL): evict the oldest. */
        sqlite3_finalize(d->cache[0].stmt);
        memmove(d->cache, d->cache + 1, (CACHE - 1) * sizeof *d->cache);
        d->cache[CACHE - 1] = (cached){sql, st};
    }
    return st;
}

dj_rc dj_db__sqlite_exec(dj_db *db, const char *sql, const char *const *params, int n, dj_db_row_fn fn, void *ud,
                         dj_err *err)
{
    struct dj_db_sqlite *d = (struct dj_db_sqlite *)db;
    dj_rc rc = DJ_OK;
    sqlite3_stmt *st = prepare(d, sql, err, &rc);
    if (!st)
        return rc;
    for (int i = 0; i < n; i++)
        if (params[i])
            sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
    int ncol = sqlite3_column_count(st);
    const char *vals[32];
    size_t lens[32];
    if (ncol > 32)
        ncol = 32;
    for (;;) {
        int r = sqlite3_step(st);
        if (r == SQLITE_DONE)
            break;
        if (r != SQLITE_ROW) {
            rc = fail(d->db, r, "query", err);
            break;
        }
        if (!fn)
            continue;
        for (int c = 0; c < ncol; c++) {
            vals[c] = (const char *)sqlite3_column_text(st, c);
            lens[c] = (size_t)sqlite3_column_bytes(st, c);
        }
        if (fn(ud, ncol, vals, lens))
            break;
    }
    sqlite3_reset(st);
    return rc;
}

dj_rc dj_db__sqlite_script(dj_db *db, const char *sql, dj_err *err)
{
    struct dj_db_sqlite *d = (struct dj_db_sqlite *)db;
    char *msg = NULL;
    int r = sqlite3_exec(d->db, sql, NULL, NULL, &msg);
    if (r != SQLITE_OK) {
        dj_rc rc = dj_err_set(err, DJ_EDB, "%s", msg ? msg : sqlite3_errstr(r));
        sqlite3_free(msg);
        return rc;
    }
    return DJ_OK;
}

long long dj_db__sqlite_changes(dj_db *db)
{
    return sqlite3_changes(((struct dj_db_sqlite *)db)->db);
}

void dj_db__sqlite_close(dj_db *db)
{
    struct dj_db_sqlite *d = (struct dj_db_sqlite *)db;
    for (size_t i = 0; i < d->n_cache; i++)
        sqlite3_finalize(d->cache[i].stmt);
    sqlite3_close(d->db);
    free(d);
}
