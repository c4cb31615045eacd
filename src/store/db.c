/*
 * Dispatch of dj_db to its backend, by the kind tag each backend struct
 * starts with.
 */
#include "store/db.h"

#include <string.h>

dj_rc dj_db__sqlite_open(const char *path, dj_db **out, dj_err *err);
dj_rc dj_db__sqlite_exec(dj_db *d, const char *sql, const char *const *params, int n, dj_db_row_fn fn, void *ud,
                         dj_err *err);
dj_rc dj_db__sqlite_script(dj_db *d, const char *sql, dj_err *err);
void dj_db__sqlite_close(dj_db *d);
long long dj_db__sqlite_changes(dj_db *d);
dj_rc dj_db__pg_open(const char *url, dj_db **out, dj_err *err);
dj_rc dj_db__pg_exec(dj_db *d, const char *sql, const char *const *params, int n, dj_db_row_fn fn, void *ud,
                     dj_err *err);
dj_rc dj_db__pg_script(dj_db *d, const char *sql, dj_err *err);
void dj_db__pg_close(dj_db *d);
long long dj_db__pg_changes(dj_db *d);

int dj_db_kind(const dj_db *db)
{
    return *(const int *)db;
}

dj_rc dj_db_open(const char *url, dj_db **out, dj_err *err)
{
    if (!strncmp(url, "sqlite:", 7))
        return dj_db__sqlite_open(url + 7, out, err);
    if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11) || strstr(url, "dbname=") ||
        strstr(url, "host="))
        return dj_db__pg_open(url, out, err);
    return dj_err_set(err, DJ_EINVAL, "db: expected sqlite:PATH or postgresql://..., got \"%s\"", url);
}

void dj_db_close(dj_db *db)
{
    if (!db)
        return;
    if (dj_db_kind(db) == DJ_DB_SQLITE)
        dj_db__sqlite_close(db);
    else
        dj_db__pg_close(db);
}

dj_rc dj_db_exec(dj_db *db, const char *sql, const char *const *params, int n, dj_db_row_fn fn, void *ud,
                 dj_err *err)
{
    return dj_db_kind(db) == DJ_DB_SQLITE ? dj_db__sqlite_exec(db, sql, params, n, fn, ud, err)
                                          : dj_db__pg_exec(db, sql, params, n, fn, ud, err);
}

dj_rc dj_db_script(dj_db *db, const char *sql, dj_err *err)
{
    return dj_db_kind(db) == DJ_DB_SQLITE ? dj_db__sqlite_script(db, sql, err) : dj_db__pg_script(db, sql, err);
}

dj_rc dj_db_begin(dj_db *db, dj_err *err)
{
    /* SQLite: take the write lock now, not at the first write, so two
     * writers never deadlock upgrading a read lock. */
    return dj_db_script(db, dj_db_kind(db) == DJ_DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN", err);
}

dj_rc dj_db_commit(dj_db *db, dj_err *err)
{
    return dj_db_script(db, "COMMIT", err);
}

void dj_db_rollback(dj_db *db)
{
    dj_db_script(db, "ROLLBACK", NULL);
}

long long dj_db_changes(dj_db *db)
{
    return dj_db_kind(db) == DJ_DB_SQLITE ? dj_db__sqlite_changes(db) : dj_db__pg_changes(db);
}
