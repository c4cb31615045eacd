/*
 * Private to src/store: the connection pool, transactions and the JSON
 * helpers shared by store.c, listings.c and records.c.
 */
#ifndef DJ_STORE_STORE_INT_H
#define DJ_STORE_STORE_INT_H

#include <pthread.h>

#include "store/db.h"
#include "store/store.h"

struct dj_store {
    char *url;
    int kind;                  /* DJ_DB_SQLITE / DJ_DB_PG */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    dj_db **idle;              /* connections ready for use */
    size_t n_idle;
    int n_open, max_conns;
    int schema_version;
    /* Group commit (dj_store__tx_grouped): requests queue here; one of
     * them commits the queue in one transaction. */
    pthread_mutex_t gmu;
    pthread_cond_t gcv;
    struct group_req *gq_head, **gq_tail;
    int g_leader;
    pthread_mutex_t write_mu;  /* SQLite: one writer at a time, queued here
                                  rather than in SQLite's busy handler, whose
                                  growing sleeps made a p99 of a second */
};

/* A connection from the pool (opening one when allowed); give it back with
 * dj_store__put, passing the rc of its last use: a connection that saw
 * DJ_EUNAVAIL is closed instead of reused. */
dj_rc dj_store__get(dj_store *s, dj_db **db, dj_err *err);
void dj_store__put(dj_store *s, dj_db *db, dj_rc last);

/* Runs fn inside a transaction on a pooled connection, retrying once on a
 * fresh connection when the first one turns out to be dead. */
typedef dj_rc (*dj_store_tx_fn)(dj_db *db, void *ud, dj_err *err);
dj_rc dj_store__tx(dj_store *s, dj_store_tx_fn fn, void *ud, dj_err *err);
/* The same, but committed together with the calls of other threads that
 * arrive meanwhile: one transaction and one disk flush for many writes
 * (each in its own savepoint, so one that fails is rolled back alone).
 * Returns once the caller's write is durable, or failed. */
dj_rc dj_store__tx_grouped(dj_store *s, dj_store_tx_fn fn, void *ud, dj_err *err);
/* A read (no transaction) whose results are appended to out; on failure
 * out is left as it was. */
dj_rc dj_store__read(dj_store *s, dj_store_tx_fn fn, void *ud, dj_buf *out, dj_err *err);
/* Checks a page's arguments: limit 1..500, cursor (may be NULL) a number
 * from a previous page. DJ_EINVAL naming the field. */
dj_rc dj_store__page_args(const char *cursor, int limit, dj_err *err);
/* Closes a page of items: "],\"next_cursor\":" the cursor (NULL: last
 * page, null) and "}". */
void dj_store__page_end(dj_buf *out, const char *next_cursor);
/* The same without a transaction (single reads). */
dj_rc dj_store__run(dj_store *s, dj_store_tx_fn fn, void *ud, dj_err *err);

/* Milliseconds since the epoch. */
long long dj_store__now_ms(void);
/* Appends an ISO-8601 UTC time ("2026-11-28T20:30:00.123Z") for ms. */
void dj_store__iso(dj_buf *b, long long ms);

/* JSON object helpers: each appends ,"key":value (first: no comma). */
void dj_store__jstr(dj_buf *b, int *first, const char *key, const char *v);
void dj_store__jraw(dj_buf *b, int *first, const char *key, const char *json, size_t len);
void dj_store__jnum(dj_buf *b, int *first, const char *key, const char *v);
void dj_store__jtime(dj_buf *b, int *first, const char *key, const char *ms);

/* Appends an event row in the caller's transaction. */
dj_rc dj_store__event(dj_db *db, const char *actor, const char *action, const char *object_type,
                      const char *object_id, const char *detail, dj_err *err);

/* Row collector: copies the first row's columns (up to 16). */
typedef struct dj_row {
    int found;
    int n;
    char *v[16];
} dj_row;
int dj_store__row_fn(void *ud, int n, const char *const *vals, const size_t *lens);
void dj_row_free(dj_row *r);

#endif
