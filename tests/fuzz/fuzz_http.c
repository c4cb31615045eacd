/*
 * Fuzz target: the HTTP API, end to end. A real server (SQLite store in a
 * temporary directory, a small KB, a token per role) runs in this process;
 * each input becomes one well-formed HTTP request on a fresh connection:
 *   byte 0   the route (an index into the route table; one past the end: a
 *            path of the input's own), bit 7 set: a method the route does
 *            not take;
 *   byte 1   who asks (low 3 bits): no token, a token of each role, or an
 *            unknown one; bit 3: the body is multipart/form-data;
 *   the rest up to the first newline: the path parameter and, after '?',
 *            the query string (bytes outside the URL alphabet %-encoded);
 *   after it: the body.
 * Whatever the input, the server must answer (no crash, no hang), with a
 * status the API documents and never 500; an error is the JSON shape
 * {"error":{"code","message",...}}; a 2xx JSON route answers JSON; and
 * access is enforced: no token is 401, a role the route does not allow is
 * 403 (or 401 once the fuzzer revoked that token).
 */
#include "http/http.h"
#include "http/http_int.h"
#include "kb/kb.h"
#include "store/store.h"
#include "util/log.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char KB[] =
    "{\"version\":\"fuzz\",\"currency\":\"CNY\",\"thresholds\":{\"block\":0.8,\"review\":0.5},"
    "\"brands\":[{\"id\":\"gucci\",\"name\":\"Gucci\",\"terms\":[\"Gucci\",\"古驰\"],\"categories\":[\"fashion\"],"
    "\"min_price\":{\"fashion\":1500},\"authorized_sellers\":[\"s-gucci\"],"
    "\"official_images\":[\"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\"]},"
    "{\"id\":\"apple\",\"name\":\"Apple\",\"terms\":[\"Apple\",\"苹果\"],\"categories\":[\"electronics\"]}],"
    "\"signals\":[{\"term\":\"replica\",\"kind\":\"replica\",\"weight\":0.6},"
    "{\"term\":\"高仿\",\"kind\":\"replica\",\"weight\":0.7}]}";

/* Who asks (byte 1 % 8): index into these, role bit for the route check. */
static const char *const ROLES[] = {NULL, "admin", "reviewer", "brand", "seller", "integration"};
static const unsigned ROLE_BITS[] = {0, DJ_ROLE_ADMIN, DJ_ROLE_REVIEWER, DJ_ROLE_BRAND, DJ_ROLE_SELLER,
                                     DJ_ROLE_INTEGRATION};
#define N_ROLES 6

static struct {
    char dir[64];
    dj_store *store;
    dj_kb_slot *slot;
    dj_http *http;
    int port;
    char token[N_ROLES][128];
    char token_id[N_ROLES][24];
} S;

static void cleanup(void)
{
    if (S.http)
        dj_http_stop(S.http);
    dj_kb_slot_free(S.slot);
    dj_store_close(S.store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", S.dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_http: could not remove %s\n", S.dir);
}

static void start(void)
{
    signal(SIGPIPE, SIG_IGN);
    dj_log_set_level("error"); /* each KB published would say so */
    snprintf(S.dir, sizeof S.dir, "/tmp/dj-fuzz-http.XXXXXX");
    if (!mkdtemp(S.dir))
        abort();
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/fuzz.db", S.dir);
    dj_err err = {0};
    dj_kb *kb = NULL;
    long long version = 0;
    if (dj_store_open(url, 6, &S.store, &err) || dj_kb_load(KB, sizeof KB - 1, &kb, &err) ||
        dj_store_kb_put(S.store, KB, sizeof KB - 1, "fuzz", 0, "fuzz", NULL, &version, &err)) {
        fprintf(stderr, "fuzz_http: %s\n", err.msg);
        abort();
    }
    char v[24];
    snprintf(v, sizeof v, "%lld", version);
    dj_kb_set_version(kb, v);
    S.slot = dj_kb_slot_new(kb);
    dj_kb_unref(kb);
    for (int i = 1; i < N_ROLES; i++) {
        const char *scope = !strcmp(ROLES[i], "brand") ? "gucci" : !strcmp(ROLES[i], "seller") ? "s1" : NULL;
        dj_store_principal p;
        if (dj_store_token_create(S.store, ROLES[i], scope, "fuzz", S.token[i], &p, &err)) {
            fprintf(stderr, "fuzz_http: token: %s\n", err.msg);
            abort();
        }
        snprintf(S.token_id[i], sizeof S.token_id[i], "%s", p.id);
    }
    dj_http_opts o = {0};
    o.listen = "127.0.0.1:0";
    o.threads = 2;
    o.max_body = 64 << 10;
    o.max_kb_body = 256 << 10;
    o.max_image_body = 256 << 10;
    o.kb = S.slot;
    o.store = S.store;
    if (dj_http_start(&o, &S.http, &err)) {
        fprintf(stderr, "fuzz_http: %s\n", err.msg);
        abort();
    }
    S.port = dj_http_port(S.http);
    atexit(cleanup);
}

static void add(char **p, char *end, const char *s, size_t n)
{
    if (n > (size_t)(end - *p))
        n = (size_t)(end - *p);
    memcpy(*p, s, n);
    *p += n;
}

/* Appends b, %-encoding what a URL may not carry as it is. */
static void add_url(char **p, char *end, const uint8_t *b, size_t n, int query)
{
    for (size_t i = 0; i < n && end - *p > 3; i++) {
        uint8_t c = b[i];
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == '~' || (query && (c == '=' || c == '&' || c == '%' || c == '+'));
        if (plain) {
            *(*p)++ = (char)c;
        } else {
            snprintf(*p, 4, "%%%02X", c);
            *p += 3;
        }
    }
}

static int status_known(int st)
{
    for (int i = 1; i < DJ_HTTP_N_STATUS; i++)
        if (dj_http__statuses[i] == st)
            return st != 500;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!S.http)
        start();
    if (size < 2)
        return 0;
    size_t ri = data[0] & 0x7F;
    int other_method = data[0] >> 7;
    int who = data[1] & 7; /* 6 and 7: a token nobody issued */
    int multipart = data[1] & 8;
    const uint8_t *rest = data + 2, *nl = memchr(rest, '\n', size - 2);
    size_t plen = nl ? (size_t)(nl - rest) : size - 2;
    const uint8_t *body = nl ? nl + 1 : data + size;
    size_t blen = (size_t)(data + size - body);
    const uint8_t *q = memchr(rest, '?', plen);
    size_t seg = q ? (size_t)(q - rest) : plen;

    const dj_route *rt = ri < dj_http__n_routes ? &dj_http__routes[ri] : NULL;
    static const char *const METHODS[] = {"GET", "POST", "PUT", "DELETE", "PATCH"};
    const char *method = rt ? METHODS[other_method ? (rt->method + 1) % 5 : rt->method] : METHODS[data[1] % 5];

    static char req[256 << 10];
    char *p = req, *end = req + sizeof req;
    add(&p, end, method, strlen(method));
    add(&p, end, " ", 1);
    if (rt) {
        for (const char *c = rt->pattern; *c; c++) {
            if (c[0] == '{' && c[1] == '}') {
                /* Never revoke the tokens this harness asks with. */
                for (int i = 1; i < N_ROLES; i++)
                    if (seg == strlen(S.token_id[i]) && !memcmp(rest, S.token_id[i], seg))
                        return 0;
                if (seg)
                    add_url(&p, end, rest, seg, 0);
                else
                    add(&p, end, "x", 1);
                c++;
            } else {
                *p++ = *c;
            }
        }
    } else {
        add(&p, end, "/", 1);
        add_url(&p, end, rest, seg, 0);
    }
    if (q) {
        add(&p, end, "?", 1);
        add_url(&p, end, q + 1, plen - seg - 1, 1);
    }
    char head[512];
    int hn = snprintf(head, sizeof head, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: %zu\r\n",
                      blen);
    add(&p, end, head, (size_t)hn);
    if (who >= 1 && who < N_ROLES) {
        add(&p, end, "Authorization: Bearer ", 22);
        add(&p, end, S.token[who], strlen(S.token[who]));
        add(&p, end, "\r\n", 2);
    } else if (who >= N_ROLES) {
        add(&p, end, "Authorization: Bearer dj_nobody_0000\r\n", 38);
    }
    if (multipart)
        add(&p, end, "Content-Type: multipart/form-data; boundary=b\r\n", 47);
    add(&p, end, "\r\n", 2);
    if (blen > (size_t)(end - p))
        return 0; /* larger than the harness sends */
    add(&p, end, (const char *)body, blen);

    if (getenv("DJ_FUZZ_VERBOSE"))
        fprintf(stderr, "fuzz_http: %.*s\n", (int)(strchr(req, '\r') ? strchr(req, '\r') - req : 0), req);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)S.port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {30, 0}; /* a PUT /v1/kb compiles: give it time, but not forever */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        abort();
    for (const char *s = req; s < p;) {
        ssize_t w = send(fd, s, (size_t)(p - s), MSG_NOSIGNAL);
        if (w <= 0)
            break; /* the server may answer (413) and close before reading it all */
        s += w;
    }
    static char resp[4 << 20];
    size_t rn = 0;
    for (;;) {
        ssize_t r = recv(fd, resp + rn, sizeof resp - 1 - rn, 0);
        if (r < 0) {
            fprintf(stderr, "fuzz_http: no answer within %ld s\n", (long)tv.tv_sec);
            abort();
        }
        if (r == 0 || rn + (size_t)r >= sizeof resp - 1)
            break;
        rn += (size_t)r;
    }
    close(fd);
    resp[rn] = '\0';

    int st = 0;
    if (sscanf(resp, "HTTP/1.1 %d", &st) != 1 || (!status_known(st) && st != 414 && st != 431)) {
        fprintf(stderr, "fuzz_http: %s answered: %.200s\n", method, resp);
        abort();
    }
    const char *b = strstr(resp, "\r\n\r\n");
    b = b ? b + 4 : resp + rn;
    /* libmicrohttpd's own limits on the request line and headers. */
    if (st == 414 || st == 431)
        return 0;
    /* The route matched unless the parameter decodes to more or fewer than
     * one path segment (a '/' in it, a NUL that ends the path, nothing). */
    int one_segment = !strchr(rt ? rt->pattern : "", '{') || (seg && !memchr(rest, '/', seg) && !memchr(rest, 0, seg));
    if (rt && !other_method && one_segment && !(rt->roles & DJ_ROLE_PUBLIC)) {
        unsigned bit = who >= 1 && who < N_ROLES ? ROLE_BITS[who] : 0;
        if ((!bit && st != 401) || (bit && !(rt->roles & bit) && st != 403 && st != 401)) {
            fprintf(stderr, "fuzz_http: %s %s as %s answered %d\n", method, rt->pattern,
                    bit ? ROLES[who] : "nobody", st);
            abort();
        }
    }
    int json_route = !rt || strcmp(rt->pattern, "/metrics") != 0;
    if ((st >= 400 || (st >= 200 && st < 300 && st != 204 && json_route)) && strcmp(method, "HEAD") != 0) {
        json_error_t je;
        json_t *j = json_loads(b, 0, &je);
        if (!j) {
            fprintf(stderr, "fuzz_http: %d answer is not JSON (%s): %.200s\n", st, je.text, b);
            abort();
        }
        if (st >= 400) {
            json_t *e = json_object_get(j, "error");
            if (!json_is_string(json_object_get(e, "code")) || !json_is_string(json_object_get(e, "message"))) {
                fprintf(stderr, "fuzz_http: %d without {\"error\":{\"code\",\"message\"}}: %.200s\n", st, b);
                abort();
            }
        }
        json_decref(j);
    }
    return 0;
}
