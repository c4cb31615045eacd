/*
 * Private to src/http: the request object the routes work on, the route
 * table, the worker pool and the metrics. server.c adapts libmicrohttpd to
 * this; routes_*.c hold the handlers; nothing outside src/http sees it.
 */
#ifndef DJ_HTTP_HTTP_INT_H
#define DJ_HTTP_HTTP_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "http/http.h"
#include "screen/screen.h"
#include "util/arena.h"
#include "util/buf.h"

enum { DJ_M_GET, DJ_M_POST, DJ_M_PUT, DJ_M_DELETE, DJ_M_OTHER };

/* Roles as bits, so a route lists who may call it. */
enum {
    DJ_ROLE_ADMIN = 1,
    DJ_ROLE_REVIEWER = 2,
    DJ_ROLE_BRAND = 4,
    DJ_ROLE_SELLER = 8,
    DJ_ROLE_INTEGRATION = 16,
    DJ_ROLE_PUBLIC = 32,       /* no token needed */
    DJ_ROLE_ANY = 31,
};

typedef struct dj_principal {
    unsigned role;             /* one DJ_ROLE_* bit, 0 when anonymous */
    char scope[80];            /* brand id (brand) or seller id (seller) */
    char token_id[40];         /* who, for audit records */
} dj_principal;

typedef struct dj_req {
    dj_http *srv;
    void *conn;                /* struct MHD_Connection * */
    int method;
    const char *path;
    int route;                 /* index in the route table, -1: none */
    const char *params[4];     /* path parameters, in order */
    size_t n_params;
    dj_buf body;
    size_t max_body;           /* limit for this request's body */
    int body_too_big;
    dj_arena *arena;           /* per request */
    dj_principal who;
    double t0;
    /* response */
    int status;
    dj_buf out;
    const char *content_type;
} dj_req;

typedef int (*dj_route_fn)(dj_req *r);

typedef struct dj_route {
    int method;
    const char *pattern;       /* "/v1/listings/{}" — {} matches one segment */
    dj_route_fn fn;
    unsigned roles;            /* DJ_ROLE_* allowed */
    const char *name;          /* for metrics: the pattern */
} dj_route;

extern const dj_route dj_http__routes[];
extern const size_t dj_http__n_routes;

/* Histogram buckets of request latency, seconds. */
#define DJ_HTTP_N_BUCKETS 12
#define DJ_HTTP_N_STATUS 16

typedef struct dj_route_stats {
    atomic_ullong by_status[DJ_HTTP_N_STATUS];
    atomic_ullong buckets[DJ_HTTP_N_BUCKETS + 1]; /* last: +Inf */
    atomic_ullong count;
    atomic_ullong sum_us;
} dj_route_stats;

typedef struct dj_worker_pool {
    pthread_mutex_t mu;
    dj_screen **free;
    size_t n_free, cap;
} dj_worker_pool;

/* A background re-screening job (rescreen.c). */
typedef struct dj_rescreen {
    struct dj_rescreen *next;
    pthread_t thread;
    struct dj_store *store;
    dj_kb *kb;                 /* the version being applied (a reference) */
    dj_banks *banks;           /* image banks for kb (a reference) */
    int shadow;
    int batch;
    long long job_id;
    atomic_int cancel;
    atomic_int finished;
} dj_rescreen;

/* Tokens found recently (auth.c). */
#define DJ_TOKEN_CACHE_SLOTS 1024
#define DJ_TOKEN_CACHE_MS 2000
typedef struct dj_token_cached {
    uint8_t key[32];           /* BLAKE2b of the token */
    dj_principal who;
    long long expires_ms;      /* monotonic; 0: empty */
} dj_token_cached;

struct dj_http {
    void *daemon;              /* struct MHD_Daemon * */
    dj_http_opts opts;
    int port;
    dj_worker_pool pool;
    dj_route_stats *stats;     /* one per route, plus one for "no route" */
    atomic_ullong decisions[3];
    atomic_ullong requests_total;
    pthread_mutex_t jobs_mu;
    dj_rescreen *jobs;         /* running or finished, not yet reaped */
    pthread_mutex_t kb_mu;     /* serializes KB publications */
    pthread_mutex_t banks_mu;  /* guards banks (the pointer) */
    pthread_mutex_t banks_build_mu; /* serializes rebuilds */
    dj_banks *banks;           /* current image banks, for the current KB */
    dj_banks *banks_prev;      /* the banks they replaced: a KB swap builds the
                                  new KB's banks first, and requests still on
                                  the KB before use these until the swap is
                                  done (dropped a full poll after it) */
    int banks_prev_polls;      /* polls since, that found the banks current */
    pthread_t banks_thread;
    int banks_thread_ok;
    atomic_int banks_stop;
    atomic_ullong quarantines_total;
    pthread_mutex_t tokens_mu;
    dj_token_cached tokens[DJ_TOKEN_CACHE_SLOTS];
};

/* Starts re-screening every live/held listing with kb in the background
 * (shadow: report only). *job_id gets the job to poll. */
dj_rc dj_http__rescreen_start(dj_http *h, dj_kb *kb, int shadow, const char *actor, long long *job_id, dj_err *err);
/* Cancels and joins every job (at shutdown). */
void dj_http__rescreen_stop_all(dj_http *h);

/* Index of the status code in the stats arrays (0 for unknown codes). */
int dj_http__status_index(int status);
extern const int dj_http__statuses[DJ_HTTP_N_STATUS];
extern const double dj_http__bucket_le[DJ_HTTP_N_BUCKETS];

/* Sets an error response {"error":{"code","message","field"}} and returns
 * the status. field may be NULL. */
int dj_http__error(dj_req *r, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Maps a library error to a status and an error response. */
int dj_http__from_err(dj_req *r, const dj_err *err);
/* Sets a JSON response body (copied) with the status. */
int dj_http__json(dj_req *r, int status, const char *json, size_t len);

/* A screening worker for the current KB and image banks; give it back
 * with put. count: its image matches count towards the flood guard (a
 * publication does; a self-check must not, or anyone could quarantine a
 * brand's photo by checking it fifty times). */
dj_screen *dj_http__worker_get(dj_http *h, dj_kb *kb, int count, dj_err *err);
void dj_http__worker_put(dj_http *h, dj_screen *s);

/* Query-string argument or NULL. */
const char *dj_http__query(dj_req *r, const char *name);
/* Request header or NULL. */
const char *dj_http__header(dj_req *r, const char *name);

/* 503 when the server runs without a store (returns 0 when it has one). */
int dj_http__need_store(dj_req *r);
/* Marks r->out as the JSON answer with this status; returns the status. */
int dj_http__done_json(dj_req *r, int status);
/* Reads a flat JSON object of string (or null) fields into vals[i] for
 * names[i] (arena copies); an unknown field or another type is a 400 that
 * names it. Returns 0, or the status it set. */
int dj_http__string_fields(dj_req *r, const char *const *names, const char **vals, size_t n);
/* Image banks (routes_images.c): the current ones with a reference (or
 * NULL); a rebuild from the store for kb, swapped in; the poller. */
dj_banks *dj_http__banks_get(dj_http *h);
/* The banks built for kb (current or, during a KB swap, the previous ones);
 * the current ones if neither was (a reference, or NULL). */
dj_banks *dj_http__banks_for(dj_http *h, const dj_kb *kb);
dj_rc dj_http__banks_rebuild(dj_http *h, dj_kb *kb, dj_err *err);
/* New banks for kb from the store, not swapped in (a re-screen's own). */
dj_rc dj_http__banks_build(dj_http *h, dj_kb *kb, dj_banks **out, dj_err *err);
void dj_http__banks_start(dj_http *h);
void dj_http__banks_stop(dj_http *h);
/* Forgets every remembered token (after a revocation). */
void dj_http__tokens_forget(dj_http *h);
/* Writes the Prometheus text exposition into r->out. */
void dj_http__metrics(dj_http *h, dj_buf *out);

#endif
