/*
 * The HTTP service (`dajia serve`): libmicrohttpd with an epoll thread pool
 * (one thread per core), JSON in and out, the routes of the API under /v1,
 * /healthz, /metrics (Prometheus text) and /openapi.json.
 *
 * The server borrows the KB slot and the store from the caller; they must
 * outlive dj_http_stop. Thread-safety: start/stop from one thread.
 */
#ifndef DJ_HTTP_HTTP_H
#define DJ_HTTP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "image/image.h"
#include "kb/kb.h"
#include "util/err.h"

typedef struct dj_http dj_http;
struct dj_store;

typedef struct dj_http_opts {
    const char *listen;          /* "HOST:PORT" (port 0: any free port) */
    int threads;                 /* request threads; 0: one per core */
    size_t max_body;             /* largest accepted request body, bytes */
    dj_kb_slot *kb;              /* current knowledge base (borrowed) */
    struct dj_store *store;      /* state (borrowed; may be NULL for screen-only) */
    int screen_without_auth;     /* 1: POST /v1/screen needs no token (a demo) */
    int rescreen_batch;          /* listings per re-screen transaction (0: 2000) */
    size_t max_kb_body;          /* largest KB accepted by PUT /v1/kb (0: 64 MiB) */
    size_t max_image_body;       /* largest image accepted by POST /v1/images (0: 16 MiB) */
    dj_flood_opts flood;         /* image flood guard (zeros: defaults) */
    int bank_poll_ms;            /* how often to look for bank changes (0: 1000) */
} dj_http_opts;

/* Starts listening. On success *out runs until dj_http_stop. */
dj_rc dj_http_start(const dj_http_opts *o, dj_http **out, dj_err *err);
/* The port actually bound (useful with port 0). */
int dj_http_port(const dj_http *h);
/* Stops accepting, finishes running requests, frees the server. */
void dj_http_stop(dj_http *h);

#endif
