/*
 * Private to src/store: one connection to SQLite or PostgreSQL behind one
 * small interface, so every query of the store is written once. SQL uses
 * PostgreSQL's $1..$N placeholders; the SQLite backend rewrites them to
 * ?1..?N. Values cross as text (a NULL pointer is SQL NULL), which is what
 * libpq speaks natively and what SQLite converts losslessly for the
 * integers, reals and strings the schema holds. Always parameterized: no
 * value is ever pasted into SQL text.
 */
#ifndef DJ_STORE_DB_H
#define DJ_STORE_DB_H

#include <stddef.h>

#include "util/err.h"

typedef struct dj_db dj_db;

enum { DJ_DB_SQLITE, DJ_DB_PG };

/* One result row: n columns, vals[i] NULL for SQL NULL. Return non-zero to
 * stop reading rows. */
typedef int (*dj_db_row_fn)(void *ud, int n, const char *const *vals, const size_t *lens);

/* Opens a connection: "sqlite:PATH" or a libpq conninfo/URL. DJ_EUNAVAIL
 * when the server cannot be reached, DJ_EDB for other failures. */
dj_rc dj_db_open(const char *url, dj_db **out, dj_err *err);
void dj_db_close(dj_db *db);
int dj_db_kind(const dj_db *db);

/* Runs one statement with params[0..n) (NULL entries are NULL). Rows go to
 * fn (may be NULL). DJ_ECONFLICT for unique violations, DJ_EUNAVAIL when
 * the connection is lost (the caller may reconnect), DJ_EDB otherwise. */
dj_rc dj_db_exec(dj_db *db, const char *sql, const char *const *params, int n, dj_db_row_fn fn, void *ud,
                 dj_err *err);
/* Runs several statements without parameters (migrations). */
dj_rc dj_db_script(dj_db *db, const char *sql, dj_err *err);

dj_rc dj_db_begin(dj_db *db, dj_err *err);
dj_rc dj_db_commit(dj_db *db, dj_err *err);
void dj_db_rollback(dj_db *db);

/* Rows changed by the last statement. */
long long dj_db_changes(dj_db *db);

#endif
