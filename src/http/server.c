/*
 * libmicrohttpd glue. One epoll thread per core (MHD's thread pool); each
 * request gets a dj_req that collects the body up to opts.max_body (larger
 * bodies get 413 without being buffered), is routed, authenticated and
 * answered, and is timed into the route's latency histogram.
 */
#include "http/http_int.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

const int dj_http__statuses[DJ_HTTP_N_STATUS] = {0, 200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 413, 415, 422, 500, 503};
const double dj_http__bucket_le[DJ_HTTP_N_BUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};

int dj_http__status_index(int status)
{
    for (int i = 1; i < DJ_HTTP_N_STATUS; i++)
        if (dj_http__statuses[i] == status)
            return i;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int dj_http__json(dj_req *r, int status, const char *json, size_t len)
{
    dj_buf_reset(&r->out);
    dj_buf_add(&r->out, json, len);
    r->content_type = "application/json";
    r->status = status;
    return status;
}

int dj_http__error(dj_req *r, int status, const char *code, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dj_buf_reset(&r->out);
    dj_buf_adds(&r->out, "{\"error\":{\"code\":");
    dj_buf_add_json_str(&r->out, code, strlen(code));
    dj_buf_adds(&r->out, ",\"message\":");
    dj_buf_add_json_str(&r->out, msg, strlen(msg));
    dj_buf_adds(&r->out, ",\"field\":");
    if (field)
        dj_buf_add_json_str(&r->out, field, strlen(field));
    else
        dj_buf_adds(&r->out, "null");
    dj_buf_adds(&r->out, "}}");
    r->content_type = "application/json";
    r->status = status;
    return status;
}

int dj_http__from_err(dj_req *r, const dj_err *err)
{
    int status;
    const char *code;
    switch (err->rc) {
    case DJ_EINVAL: status = 400, code = "invalid"; break;
    case DJ_EPARSE: status = 400, code = "malformed"; break;
    case DJ_ETOOBIG: status = 413, code = "too_big"; break;
    case DJ_ENOTFOUND: status = 404, code = "not_found"; break;
    case DJ_ECONFLICT: status = 409, code = "conflict"; break;
    case DJ_EPERM: status = 403, code = "forbidden"; break;
    case DJ_EUNAVAIL: status = 503, code = "unavailable"; break;
    default: status = 500, code = "internal"; break;
    }
    /* The field is the message's prefix up to the first ": " when it names
     * one (messages are written "field: problem"). */
    char field[128] = "";
    const char *colon = strstr(err->msg, ": ");
    if (colon && (size_t)(colon - err->msg) < sizeof field && !memchr(err->msg, ' ', (size_t)(colon - err->msg)))
        snprintf(field, sizeof field, "%.*s", (int)(colon - err->msg), err->msg);
    return dj_http__error(r, status, code, field[0] ? field : NULL, "%s", err->msg);
}

const char *dj_http__query(dj_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *dj_http__header(dj_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* --- screening workers ---------------------------------------------------- */

dj_screen *dj_http__worker_get(dj_http *h, dj_kb *kb, int count, dj_err *err)
{
    dj_screen *s = NULL;
    pthread_mutex_lock(&h->pool.mu);
    if (h->pool.n_free)
        s = h->pool.free[--h->pool.n_free];
    pthread_mutex_unlock(&h->pool.mu);
    if (!s ? dj_screen_new(kb, &s, err) : dj_screen_set_kb(s, kb, err)) {
        dj_screen_free(s);
        return NULL;
    }
    dj_banks *b = dj_http__banks_for(h, kb);
    dj_screen_set_banks(s, b, count);
    dj_banks_unref(b);
    return s;
}

void dj_http__worker_put(dj_http *h, dj_screen *s)
{
    pthread_mutex_lock(&h->pool.mu);
    dj_xgrow((void **)&h->pool.free, &h->pool.cap, h->pool.n_free + 1, sizeof *h->pool.free);
    h->pool.free[h->pool.n_free++] = s;
    pthread_mutex_unlock(&h->pool.mu);
}

/* --- routing -------------------------------------------------------------- */

/* Matches path against pattern; {} takes one segment into r->params. */
static int match(const char *pattern, const char *path, dj_req *r)
{
    r->n_params = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (p[0] == '{' && p[1] == '}') {
            const char *e = strchr(s, '/');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            if (n == 0 || r->n_params == 4)
                return 0;
            r->params[r->n_params++] = dj_arena_strndup(r->arena, s, n);
            s += n;
            p += 2;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    return *p == '\0' && *s == '\0';
}

static int method_of(const char *m)
{
    if (!strcmp(m, "GET") || !strcmp(m, "HEAD"))
        return DJ_M_GET;
    if (!strcmp(m, "POST"))
        return DJ_M_POST;
    if (!strcmp(m, "PUT"))
        return DJ_M_PUT;
    if (!strcmp(m, "DELETE"))
        return DJ_M_DELETE;
    return DJ_M_OTHER;
}

/* Authenticates the bearer token, if any, into r->who. */
int dj_http__authenticate(dj_req *r);

static void dispatch(dj_req *r)
{
    int path_seen = 0;
    for (size_t i = 0; i < dj_http__n_routes; i++) {
        const dj_route *rt = &dj_http__routes[i];
        if (!match(rt->pattern, r->path, r))
            continue;
        path_seen = 1;
        if (rt->method != r->method)
            continue;
        r->route = (int)i;
        if (!(rt->roles & DJ_ROLE_PUBLIC) && !(rt->fn && r->srv->opts.screen_without_auth &&
                                               !strcmp(rt->pattern, "/v1/screen"))) {
            int st = dj_http__authenticate(r);
            if (st)
                return;
            if (!(rt->roles & r->who.role)) {
                dj_http__error(r, 403, "forbidden", NULL, "this token's role may not call %s %s",
                               r->method == DJ_M_GET ? "GET" : r->method == DJ_M_POST ? "POST"
                                                            : r->method == DJ_M_PUT    ? "PUT"
                                                                                       : "DELETE",
                               rt->pattern);
                return;
            }
        }
        if (r->body_too_big) {
            dj_http__error(r, 413, "too_big", NULL, "request body larger than %zu bytes", r->max_body);
            return;
        }
        rt->fn(r);
        return;
    }
    r->route = -1;
    if (path_seen)
        dj_http__error(r, 405, "method_not_allowed", NULL, "%s does not accept this method", r->path);
    else
        dj_http__error(r, 404, "not_found", NULL, "no route %s", r->path);
}

/* --- libmicrohttpd callbacks ------------------------------------------------ */

static void req_free(dj_req *r)
{
    dj_buf_fini(&r->body);
    dj_buf_fini(&r->out);
    dj_arena_free(r->arena);
    free(r);
}

/* Requests are recycled per thread, a few kept in reserve (a thread
 * serves many connections at once), so that a screen request allocates
 * nothing of its own: the arena keeps its chunk and the buffers their
 * capacity. Only requests of the usual size are kept; a thread's reserve
 * is freed when it exits (MHD_stop_daemon joins them). */
#define REQ_SPARE 8
#define REQ_KEEP_BYTES ((size_t)256 << 10)

typedef struct req_spare {
    dj_req *r[REQ_SPARE];
    int n;
} req_spare;

static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void spare_free(void *p)
{
    req_spare *s = p;
    for (int i = 0; i < s->n; i++)
        req_free(s->r[i]);
    free(s);
}

static void spare_init(void)
{
    if (pthread_key_create(&spare_key, spare_free))
        abort();
}

static dj_req *req_get(void)
{
    pthread_once(&spare_once, spare_init);
    req_spare *s = pthread_getspecific(spare_key);
    if (s && s->n)
        return s->r[--s->n];
    dj_req *r = dj_xcalloc(1, sizeof *r);
    r->arena = dj_arena_new(8192);
    dj_buf_init(&r->body, 0);
    dj_buf_init(&r->out, 0);
    return r;
}

static void req_put(dj_req *r)
{
    req_spare *s = pthread_getspecific(spare_key);
    if (!s) {
        s = dj_xcalloc(1, sizeof *s);
        if (pthread_setspecific(spare_key, s)) {
            free(s);
            s = NULL;
        }
    }
    size_t kept = dj_arena_reset(r->arena);
    if (!s || s->n == REQ_SPARE || kept > REQ_KEEP_BYTES || r->body.cap > REQ_KEEP_BYTES ||
        r->out.cap > REQ_KEEP_BYTES) {
        req_free(r);
        return;
    }
    dj_arena *a = r->arena;
    dj_buf body = r->body, out = r->out;
    memset(r, 0, sizeof *r);
    r->arena = a;
    r->body = body;
    r->out = out;
    dj_buf_reset(&r->body);
    dj_buf_reset(&r->out);
    s->r[s->n++] = r;
}

static void record(dj_http *h, dj_req *r)
{
    dj_route_stats *st = &h->stats[r->route >= 0 ? (size_t)r->route : dj_http__n_routes];
    double el = now_s() - r->t0;
    atomic_fetch_add(&st->by_status[dj_http__status_index(r->status)], 1);
    atomic_fetch_add(&st->count, 1);
    atomic_fetch_add(&st->sum_us, (unsigned long long)(el * 1e6));
    int b = 0;
    while (b < DJ_HTTP_N_BUCKETS && el > dj_http__bucket_le[b])
        b++;
    atomic_fetch_add(&st->buckets[b], 1);
    atomic_fetch_add(&h->requests_total, 1);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    dj_http *h = cls;
    dj_req *r = *con_cls;
    if (!r) {
        r = req_get();
        r->srv = h;
        r->conn = conn;
        r->t0 = now_s();
        r->method = method_of(method);
        r->path = dj_arena_strndup(r->arena, url, strlen(url));
        r->route = -1;
        /* A knowledge base is larger than any listing: it has its own limit. */
        r->max_body = r->method == DJ_M_PUT && !strcmp(url, "/v1/kb")       ? h->opts.max_kb_body
                      : r->method == DJ_M_POST && !strcmp(url, "/v1/images") ? h->opts.max_image_body
                                                                             : h->opts.max_body;
        dj_buf_limit(&r->body, r->max_body);
        dj_buf_limit(&r->out, (size_t)1 << 30);
        /* Refuse a declared oversized body before reading it. */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > r->max_body)
            r->body_too_big = 1;
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->body_too_big && dj_buf_add(&r->body, upload, *upload_size))
            r->body_too_big = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->body_too_big) {
        /* Answer at once; MHD closes the connection after an early reply. */
        r->route = -1;
        dj_http__error(r, 413, "too_big", NULL, "request body larger than %zu bytes", r->max_body);
    } else {
        dispatch(r);
    }
    if (!r->status)
        dj_http__error(r, 500, "internal", NULL, "the handler set no response");
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->out.len, r->out.data ? r->out.data : (char *)"", MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type ? r->content_type : "application/json");
    if (r->status == 401)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"dajia\"");
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    record(h, r);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    if (*con_cls)
        req_put(*con_cls);
    *con_cls = NULL;
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    dj_log(DJ_LOG_WARN, "msg=\"http: %s\"", msg);
}

dj_rc dj_http_start(const dj_http_opts *o, dj_http **out, dj_err *err)
{
    char host[256];
    const char *colon = o->listen ? strrchr(o->listen, ':') : NULL;
    if (!colon || (size_t)(colon - o->listen) >= sizeof host)
        return dj_err_set(err, DJ_EINVAL, "listen: expected HOST:PORT, got \"%s\"", o->listen ? o->listen : "");
    memcpy(host, o->listen, (size_t)(colon - o->listen));
    host[colon - o->listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return dj_err_set(err, DJ_EINVAL, "listen: bad port in \"%s\"", o->listen);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (!strcmp(host, "") || !strcmp(host, "*"))
        sa.sin_addr.s_addr = htonl(INADDR_ANY);
    else if (!strcmp(host, "localhost"))
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return dj_err_set(err, DJ_EINVAL, "listen: \"%s\" is not an IPv4 address", host);

    dj_http *h = dj_xcalloc(1, sizeof *h);
    h->opts = *o;
    if (!h->opts.max_body)
        h->opts.max_body = (size_t)1 << 20;
    int threads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    if (!h->opts.max_kb_body)
        h->opts.max_kb_body = (size_t)64 << 20;
    if (!h->opts.max_image_body)
        h->opts.max_image_body = (size_t)16 << 20;
    pthread_mutex_init(&h->pool.mu, NULL);
    pthread_mutex_init(&h->jobs_mu, NULL);
    pthread_mutex_init(&h->kb_mu, NULL);
    pthread_mutex_init(&h->tokens_mu, NULL);
    h->stats = dj_xcalloc(dj_http__n_routes + 1, sizeof *h->stats);
    h->daemon = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
                                 on_request, h, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, h, MHD_OPTION_SOCK_ADDR,
                                 (struct sockaddr *)&sa,
                                 MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_NOTIFY_COMPLETED,
                                 on_completed, h, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                                 MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
                                 /* MHD zeroes a connection's whole pool
                                  * between requests: 32 KiB by default, 4%
                                  * of a screen request's CPU. 16 KiB holds
                                  * headers twice nginx's default limit;
                                  * bodies stream through it in pieces. */
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16 << 10, MHD_OPTION_END);
    if (!h->daemon) {
        pthread_mutex_destroy(&h->pool.mu);
        free(h->stats);
        free(h);
        return dj_err_set(err, DJ_EIO, "cannot listen on %s (address in use, or not allowed)", o->listen);
    }
    dj_http__banks_start(h);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di ? di->port : (int)port;
    *out = h;
    return DJ_OK;
}

int dj_http_port(const dj_http *h)
{
    return h->port;
}

void dj_http_stop(dj_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->daemon);
    dj_http__rescreen_stop_all(h);
    dj_http__banks_stop(h);
    pthread_mutex_destroy(&h->jobs_mu);
    pthread_mutex_destroy(&h->kb_mu);
    pthread_mutex_destroy(&h->tokens_mu);
    for (size_t i = 0; i < h->pool.n_free; i++)
        dj_screen_free(h->pool.free[i]);
    free(h->pool.free);
    pthread_mutex_destroy(&h->pool.mu);
    free(h->stats);
    free(h);
}



int dj_http__string_fields(dj_req *r, const char *const *names, const char **vals, size_t n)
{
    dj_jcur c;
    dj_err err = {0};
    dj_jcur_init(&c, r->body.data ? r->body.data : "", r->body.len, r->arena);
    const char *k;
    size_t kn, sn;
    dj_rc rc = dj_jcur_object_begin(&c, &err);
    while (!rc && (rc = dj_jcur_object_next(&c, &k, &kn, &err)) == DJ_OK) {
        size_t i = 0;
        while (i < n && !(strlen(names[i]) == kn && !memcmp(names[i], k, kn)))
            i++;
        if (i == n) {
            dj_buf list;
            dj_buf_init(&list, 4096);
            for (size_t j = 0; j < n; j++)
                dj_buf_printf(&list, "%s%s", j ? ", " : "", names[j]);
            int st = dj_http__error(r, 400, "invalid", dj_arena_strndup(r->arena, k, kn),
                                    "unknown field \"%.*s\" (expected %s)", (int)kn, k, list.data);
            dj_buf_fini(&list);
            return st;
        }
        if (dj_jcur_peek(&c) == DJ_JSON_NULL) {
            dj_jcur_null(&c);
            continue;
        }
        if (dj_jcur_peek(&c) != DJ_JSON_STRING)
            return dj_http__error(r, 400, "invalid", names[i], "%s: expected a string", names[i]);
        if ((rc = dj_jcur_string(&c, &vals[i], &sn, &err)) == DJ_OK)
            vals[i] = dj_arena_strndup(r->arena, vals[i], sn);
    }
    if (rc != DJ_ENOTFOUND || dj_jcur_finish(&c, &err))
        return dj_http__from_err(r, &err);
    return 0;
}

int dj_http__need_store(dj_req *r)
{
    return r->srv->opts.store ? 0 : dj_http__error(r, 503, "unavailable", NULL, "no store configured");
}

int dj_http__done_json(dj_req *r, int status)
{
    r->content_type = "application/json";
    return r->status = status;
}
