/*
 * The PostgreSQL backend of dj_db (libpq). Every statement goes through
 * PQexecParams with text parameters: parameterized always, one round trip.
 * A lost connection is reported as DJ_EUNAVAIL so the pool can drop it and
 * reconnect on the next use; that is how the service rides out a database
 * restart with 503s instead of dying.
 */
#include "store/db.h"
#include "util/mem.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

struct dj_db_pg {
    int kind;
    PGconn *conn;
    long long changes;
};

dj_rc dj_db__pg_open(const char *url, dj_db **out, dj_err *err);
dj_rc dj_db__pg_exec(dj_db *d, const char *sql, const char *const *params, int n, dj_db_row_fn fn, void *ud,
                     dj_err *err);
dj_rc dj_db__pg_script(dj_db *d, const char *sql, dj_err *err);
void dj_db__pg_close(dj_db *d);
long long dj_db__pg_changes(dj_db *d);

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs (e.g. "relation already exists, skipping") are not errors */
}

dj_rc dj_db__pg_open(const char *url, dj_db **out, dj_err *err)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        /* libpq messages end with a newline; keep the first line. */
        char msg[200];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
        char *nl = strchr(msg, '\n');
        if (nl)
            *nl = '\0';
        PQfinish(c);
        return dj_err_set(err, DJ_EUNAVAIL, "postgresql: %s", msg);
    }
    PQsetNoticeProcessor(c, quiet, NULL);
    struct dj_db_pg *d = dj_xcalloc(1, sizeof *d);
    d->kind = DJ_DB_PG;
    d->conn = c;
    *out = (dj_db *)d;
    return DJ_OK;
}

static dj_rc fail(struct dj_db_pg *d, PGresult *res, dj_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char msg[220];
    snprintf(msg, sizeof msg, "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(d->conn));
    char *nl = strchr(msg, '\n');
    if (nl)
        *nl = '\0';
    if (PQstatus(d->conn) != CONNECTION_OK || (state && (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3))))
        return dj_err_set(err, DJ_EUNAVAIL, "postgresql: %s", msg[0] ? msg : "connection lost");
    if (state && !strcmp(state, "23505"))
        return dj_err_set(err, DJ_ECONFLICT, "postgresql: %s", msg);
    if (state && !strcmp(state, "40001"))
        return dj_err_set(err, DJ_EUNAVAIL, "postgresql: %s", msg);
    return dj_err_set(err, DJ_EDB, "postgresql: %s", msg);
}

dj_rc dj_db__pg_exec(dj_db *db, const char *sql, const char *const *params, int n, dj_db_row_fn fn, void *ud,
                     dj_err *err)
{
    struct dj_db_pg *d = (struct dj_db_pg *)db;
    PGresult *res = PQexecParams(d->conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    dj_rc rc = DJ_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = fail(d, res, err);
        PQclear(res);
        return rc;
    }
    const char *ct = PQcmdTuples(res);
    d->changes = ct && *ct ? atoll(ct) : 0;
    if (fn && st == PGRES_TUPLES_OK) {
        int rows = PQntuples(res), cols = PQnfields(res);
        if (cols > 32)
            cols = 32;
        const char *vals[32];
        size_t lens[32];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                vals[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
                lens[c] = (size_t)PQgetlength(res, r, c);
            }
            if (fn(ud, cols, vals, lens))
                break;
        }
    }
    PQclear(res);
    return rc;
}

dj_rc dj_db__pg_script(dj_db *db, const char *sql, dj_err *err)
{
    struct dj_db_pg *d = (struct dj_db_pg *)db;
    PGresult *res = PQexec(d->conn, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    dj_rc rc = DJ_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = fail(d, res, err);
    PQclear(res);
    return rc;
}

long long dj_db__pg_changes(dj_db *db)
{
    return ((struct dj_db_pg *)db)->changes;
}

void dj_db__pg_close(dj_db *db)
{
    struct dj_db_pg *d = (struct dj_db_pg *)db;
    PQfinish(d->conn);
    free(d);
}
