/*
 * dajia demo [--out DIR] [--seed N] [--listings N] [--threads N] [--port N]
 * [--no-serve]
 *
 * The newcomer's first command (`make run`): generates a demo marketplace
 * (dajia gen's demo profile), screens every listing with the generated
 * knowledge base and prints what a trust-and-safety team would look at
 * first: decisions and reasons, detection against the generator's ground
 * truth, throughput, and a few example decisions with their reasons.
 * Then it starts the service on SQLite (DIR/dajia.db) at 127.0.0.1, streams
 * every listing through POST /v1/listings as a marketplace would, prints the
 * URL, a token for each role and what the service now holds, and keeps
 * serving until Ctrl-C (--no-serve stops after streaming).
 */
#include "cli/cli.h"
#include "gen/gen.h"
#include "http/http.h"
#include "kb/kb.h"
#include "report/report.h"
#include "screen/screen.h"
#include "store/store.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct sink {
    FILE *out; /* decisions.jsonl */
    dj_eval *eval;
    char examples[3][2048];
    int n_examples[3];
} sink;

static int contains(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (p[i] == needle[0] && !memcmp(p + i, needle, k))
            return 1;
    return 0;
}

static void take_line(sink *s, const char *p, size_t n)
{
    dj_eval_add_decision(s->eval, p, n, NULL);
    /* Keep the first two decisions of each kind with reasons as examples. */
    static const char *const kinds[3] = {"\"decision\":\"allow\"", "\"decision\":\"review\"", "\"decision\":\"block\""};
    for (int k = 0; k < 3; k++)
        if (s->n_examples[k] < 1 && n < sizeof s->examples[k] && contains(p, n, kinds[k]) &&
            contains(p, n, "\"signal\"")) {
            memcpy(s->examples[k], p, n);
            s->examples[k][n] = '\0';
            s->n_examples[k]++;
        }
}

static int write_lines(const char *p, size_t n, void *ud)
{
    sink *s = ud;
    if (fwrite(p, 1, n, s->out) != n)
        return errno ? errno : EIO;
    /* The stream hands over whole batches of lines. */
    const char *e = p + n;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        if (!nl)
            break;
        take_line(s, p, (size_t)(nl - p));
        p = nl + 1;
    }
    return 0;
}

static int feed_labels(dj_eval *e, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0)
        dj_eval_add_label(e, line, (size_t)(line[n - 1] == '\n' ? n - 1 : n), NULL);
    free(line);
    fclose(f);
    return 0;
}

/* --- the service part ------------------------------------------------------
 */

typedef struct poster {
    const char *path; /* listings.jsonl */
    const char *url;  /* http://127.0.0.1:PORT/v1/listings */
    const char *token;
    int part, parts; /* this thread takes every parts-th line */
    unsigned long sent, ok, failed;
    char first_error[256];
} poster;

static size_t sink_body(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* Streams its share of the listings through POST /v1/listings on one
 * keep-alive connection, as a marketplace's publish path would. */
static void *post_listings(void *arg)
{
    poster *ps = arg;
    FILE *f = fopen(ps->path, "r");
    CURL *c = curl_easy_init();
    if (!f || !c) {
        if (f)
            fclose(f);
        curl_easy_cleanup(c);
        return NULL;
    }
    char auth[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", ps->token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, ps->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_body);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    for (long i = 0; (n = getline(&line, &cap, f)) > 0; i++) {
        if (i % ps->parts != ps->part)
            continue;
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, line);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
        long code = 0;
        CURLcode rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        ps->sent++;
        if (rc == CURLE_OK && code == 200) {
            ps->ok++;
        } else {
            if (!ps->failed)
                snprintf(ps->first_error, sizeof ps->first_error, "%s (HTTP %ld)", curl_easy_strerror(rc), code);
            ps->failed++;
        }
    }
    free(line);
    fclose(f);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

static volatile sig_atomic_t demo_stop;

static void on_demo_signal(int sig)
{
    (void)sig;
    demo_stop = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Starts the service on the demo marketplace; returns the exit status. */
static int serve_demo(const char *out, dj_kb *kb, int port, int serve, long threads)
{
    dj_err err = {0};
    char path[4096], url[4200];
    snprintf(path, sizeof path, "%s/dajia.db", out);
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(url, sizeof url, "%s%s", path, suffixes[i]);
        unlink(url); /* a fresh demo store each run */
    }
    snprintf(url, sizeof url, "sqlite:%s", path);
    dj_store *st = NULL;
    if (dj_store_open(url, (int)threads + 4, &st, &err))
        return dj_cli_fail("demo", "store %s: %s", url, err.msg);
    int rc = 0;
    dj_http *h = NULL;
    dj_kb_slot *slot = NULL;
    /* The KB as version 1, labelled with the store's number. */
    snprintf(path, sizeof path, "%s/kb.json", out);
    FILE *kf = fopen(path, "rb");
    dj_buf kbjson;
    dj_buf_init(&kbjson, (size_t)256 << 20);
    if (kf) {
        char chunk[65536];
        size_t k;
        while ((k = fread(chunk, 1, sizeof chunk, kf)) > 0)
            dj_buf_add(&kbjson, chunk, k);
        fclose(kf);
    }
    long long version = 0;
    if (dj_store_kb_put(st, kbjson.data, kbjson.len, "demo", 0, "demo", "the demo marketplace's KB", &version, &err)) {
        rc = dj_cli_fail("demo", "storing the KB: %s", err.msg);
        goto done;
    }
    char v[24];
    snprintf(v, sizeof v, "%lld", version);
    dj_kb_set_version(kb, v);
    slot = dj_kb_slot_new(kb);

    /* A token for every role; brand and seller scoped to real ones. */
    static const char *const roles[] = {"admin", "reviewer", "integration", "brand", "seller"};
    char tokens[5][128];
    const char *brand = dj_kb_n_brands(kb) ? dj_kb_brand_at(kb, 0)->id : "none";
    char seller[64] = "s0000001";
    snprintf(path, sizeof path, "%s/listings.jsonl", out);
    FILE *lf = fopen(path, "r");
    if (lf) {
        char first[4096];
        if (fgets(first, sizeof first, lf)) {
            char *p = strstr(first, "\"seller_id\":\"");
            if (p)
                sscanf(p + 13, "%63[^\"]", seller);
        }
        fclose(lf);
    }
    for (int i = 0; i < 5; i++) {
        dj_store_principal p;
        const char *scope = !strcmp(roles[i], "brand") ? brand : !strcmp(roles[i], "seller") ? seller : NULL;
        if (dj_store_token_create(st, roles[i], scope, "demo", tokens[i], &p, &err)) {
            rc = dj_cli_fail("demo", "creating tokens: %s", err.msg);
            goto done;
        }
    }

    dj_http_opts o = {0};
    char listen[64];
    o.threads = (int)threads;
    o.max_body = (size_t)1 << 20;
    o.kb = slot;
    o.store = st;
    for (int p = port; p < port + 20 && !h; p++) {
        snprintf(listen, sizeof listen, "127.0.0.1:%d", p);
        o.listen = listen;
        if (dj_http_start(&o, &h, &err) && p == port + 19) {
            rc = dj_cli_fail("demo", "%s", err.msg);
            goto done;
        }
    }
    port = dj_http_port(h);
    printf("\nservice: http://127.0.0.1:%d  (SQLite %s/dajia.db; API description "
           "at /openapi.json)\n",
           port, out);
    printf("tokens (shown once; the store keeps only their hashes):\n");
    for (int i = 0; i < 5; i++) {
        const char *scope = !strcmp(roles[i], "brand") ? brand : !strcmp(roles[i], "seller") ? seller : "";
        printf("  %-12s %s%s%s\n", roles[i], tokens[i], scope[0] ? "  # scope " : "", scope);
    }

    /* Publish every listing as the marketplace would. */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char post_url[128];
    snprintf(post_url, sizeof post_url, "http://127.0.0.1:%d/v1/listings", port);
    int parts = threads > 1 ? (int)threads : 1;
    poster ps[16];
    pthread_t tid[16];
    if (parts > 16)
        parts = 16;
    double t0 = now_s();
    for (int i = 0; i < parts; i++) {
        ps[i] = (poster){path, post_url, tokens[2], i, parts, 0, 0, 0, ""};
        pthread_create(&tid[i], NULL, post_listings, &ps[i]);
    }
    unsigned long sent = 0, okn = 0, failed = 0;
    const char *first_error = "";
    for (int i = 0; i < parts; i++) {
        pthread_join(tid[i], NULL);
        sent += ps[i].sent;
        okn += ps[i].ok;
        failed += ps[i].failed;
        if (ps[i].failed && !*first_error)
            first_error = ps[i].first_error;
    }
    double el = now_s() - t0;
    curl_global_cleanup();
    printf("\npublished through POST /v1/listings: %lu listings in %.1f s "
           "(%.0f/s), %lu failed%s%s\n",
           okn, el, el > 0 ? okn / el : 0.0, failed, failed ? ": " : "", first_error);
    static const char *const statuses[] = {"live", "held", "blocked", "removed"};
    printf("the store now holds:");
    for (int i = 0; i < 4; i++) {
        long long n = 0;
        dj_store_count(st, statuses[i], &n, NULL);
        printf(" %lld %s%s", n, statuses[i], i < 3 ? "," : "\n");
    }
    if (serve && !failed)
        printf("\ntry:\n"
               "  curl -s -H 'Authorization: Bearer %s' "
               "'http://127.0.0.1:%d/v1/review?limit=3'\n"
               "  curl -s -H 'Authorization: Bearer %s' "
               "'http://127.0.0.1:%d/v1/listings?q=gucci&limit=3'\n"
               "  curl -s -H 'Authorization: Bearer %s' -d "
               "'{\"id\":\"x\",\"title\":\"高仿 Gucci 包\"}' "
               "http://127.0.0.1:%d/v1/screen\n"
               "  curl -s http://127.0.0.1:%d/metrics\n",
               tokens[1], port, tokens[3], port, tokens[4], port, port);
    if (failed)
        rc = 1;
    if (serve && !rc) {
        printf("\nserving until Ctrl-C ...\n");
        fflush(stdout);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_demo_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        while (!demo_stop)
            pause();
    }
done:
    dj_http_stop(h);
    dj_kb_slot_free(slot);
    dj_buf_fini(&kbjson);
    dj_store_close(st);
    return rc;
}

int dj_cmd_demo(int argc, char **argv)
{
    const char *out = "dajia-demo";
    dj_gen_opts go;
    dj_gen_opts_init(&go, DJ_GEN_PROFILE_DEMO);
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    int port = 8080, serve = 1;
    for (int i = 1; i < argc; i++) {
        char *end;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: dajia demo [--out DIR] [--seed N] [--listings N] "
                   "[--threads N] [--port N] [--no-serve]\n\n"
                   "Generates a demo marketplace in DIR (default dajia-demo), "
                   "screens it and prints\n"
                   "decisions, reasons, detection figures and throughput; then "
                   "serves the API on\n"
                   "SQLite at 127.0.0.1:PORT (default 8080, or the next free port), "
                   "publishes every\n"
                   "listing through POST /v1/listings, prints a token per role and "
                   "keeps serving\n"
                   "until Ctrl-C (--no-serve: stop after publishing).\n");
            return 0;
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            go.seed = strtoull(argv[++i], &end, 10);
            if (*end)
                return dj_cli_usage_error("demo", "--seed: expected a number");
        } else if (!strcmp(argv[i], "--listings") && i + 1 < argc) {
            go.n_listings = strtoull(argv[++i], &end, 10);
            if (*end || go.n_listings == 0)
                return dj_cli_usage_error("demo", "--listings: expected a positive number");
        } else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            long p = strtol(argv[++i], &end, 10);
            if (*end || p < 1 || p > 65535)
                return dj_cli_usage_error("demo", "--port: expected 1 to 65535");
            port = (int)p;
        } else if (!strcmp(argv[i], "--no-serve")) {
            serve = 0;
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            threads = strtol(argv[++i], &end, 10);
            if (*end || threads < 1 || threads > 256)
                return dj_cli_usage_error("demo", "--threads: expected 1 to 256");
        } else {
            return dj_cli_usage_error("demo", "unknown or incomplete option '%s'", argv[i]);
        }
    }
    dj_err err = {0};
    printf("dajia demo: generating a marketplace of %llu listings in %s/ ...\n", (unsigned long long)go.n_listings,
           out);
    if (dj_gen_run(&go, out, &err))
        return dj_cli_fail("demo", "%s", err.msg);

    char path[4096];
    snprintf(path, sizeof path, "%s/kb.json", out);
    dj_kb *kb = NULL;
    if (dj_kb_load_file(path, &kb, &err))
        return dj_cli_fail("demo", "%s", err.msg);
    dj_kb_stats ks;
    dj_kb_get_stats(kb, &ks);
    printf("knowledge base: %zu brands, %zu signal terms, %zu patterns compiled "
           "in %.0f ms\n",
           ks.n_brands, ks.n_signals, ks.n_patterns, ks.compile_ms);

    snprintf(path, sizeof path, "%s/listings.jsonl", out);
    FILE *in = fopen(path, "r");
    snprintf(path, sizeof path, "%s/decisions.jsonl", out);
    FILE *dec = fopen(path, "w");
    if (!in || !dec) {
        if (in)
            fclose(in);
        if (dec)
            fclose(dec);
        dj_kb_unref(kb);
        return dj_cli_fail("demo", "%s: %s", path, strerror(errno));
    }
    sink s = {0};
    s.out = dec;
    s.eval = dj_eval_new();
    dj_stream_opts so = {(int)threads, 0, write_lines, NULL, &s};
    dj_stream_stats st;
    int rc = 0;
    if (dj_screen_stream(kb, in, &so, &st, &err))
        rc = dj_cli_fail("demo", "%s", err.msg);
    fclose(in);
    if (fclose(dec) != 0 && !rc)
        rc = dj_cli_fail("demo", "writing decisions: %s", strerror(errno));
    if (!rc) {
        snprintf(path, sizeof path, "%s/labels.jsonl", out);
        feed_labels(s.eval, path);
        printf("screened %llu listings in %.2f s on %ld threads: %.0f listings/s\n\n", (unsigned long long)st.lines,
               st.seconds, threads, st.seconds > 0 ? st.lines / st.seconds : 0.0);
        printf("decisions:  %llu allow, %llu review, %llu block, %llu error\n", (unsigned long long)st.by[0],
               (unsigned long long)st.by[1], (unsigned long long)st.by[2], (unsigned long long)st.by[3]);
        printf("reasons (listings carrying each):\n");
        for (unsigned k = 0; k < DJ_REASON_COUNT_; k++)
            if (st.reasons[k])
                printf("  %-22s %llu\n", dj_reason_name(k), (unsigned long long)st.reasons[k]);
        printf("\n");
        dj_eval_print(s.eval, stdout);
        printf("\nexamples (full decisions in %s/decisions.jsonl):\n", out);
        for (int k = 2; k >= 0; k--)
            if (s.n_examples[k])
                printf("  %.400s%s\n", s.examples[k], strlen(s.examples[k]) > 400 ? " ..." : "");
        printf("\nby hand: bin/dajia scan --kb %s/kb.json %s/listings.jsonl | "
               "bin/dajia eval --labels %s/labels.jsonl\n",
               out, out, out);
        rc = serve_demo(out, kb, port, serve, threads);
    }
    dj_eval_free(s.eval);
    dj_kb_unref(kb);
    return rc;
}
