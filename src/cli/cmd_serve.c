/*
 * dajia serve --listen HOST:PORT --db sqlite:PATH | postgresql://... [--kb KB.json]
 *
 * Runs the HTTP API until SIGINT or SIGTERM. Settings come from the table in
 * src/util/config.c (flags, DAJIA_* environment variables, defaults). The
 * knowledge base in use is the store's current version; --kb seeds the
 * store when it has none (or publishes a new version when it differs).
 */
#include "cli/cli.h"
#include "http/http.h"
#include "kb/kb.h"
#include "store/store.h"
#include "util/config.h"
#include "util/log.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    char *p = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            p = realloc(p, cap);
        }
        size_t k = fread(p + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    *len = n;
    return p;
}

/* The KB to start with: the store's current one, seeded from --kb. */
int dj_cli_store_kb(const char *cmd, dj_store *st, const char *path, dj_kb **out)
{
    dj_err err = {0};
    dj_buf json;
    dj_buf_init(&json, (size_t)256 << 20);
    long long version = 0;
    dj_kb *kb = NULL; /* compiled once: a large KB takes seconds */
    dj_rc rc = dj_store_kb_current(st, &json, &version, &err);
    int status = 0;
    if (rc && rc != DJ_ENOTFOUND) {
        status = dj_cli_fail(cmd, "reading the knowledge base from the store: %s", err.msg);
        goto done;
    }
    if (path && *path) {
        size_t len;
        char *file = read_file(path, &len);
        if (!file) {
            status = dj_cli_fail(cmd, "%s: cannot read", path);
            goto done;
        }
        if (rc == DJ_ENOTFOUND || json.len != len || memcmp(json.data, file, len)) {
            if (dj_kb_load(file, len, &kb, &err))
                status = dj_cli_fail(cmd, "%s: %s", path, err.msg);
            else if (dj_store_kb_put(st, file, len, path, 0, "cli", cmd, &version, &err))
                status = dj_cli_fail(cmd, "storing the knowledge base: %s", err.msg);
            rc = DJ_OK;
        }
        free(file);
        if (status)
            goto done;
    }
    if (rc == DJ_ENOTFOUND)
        goto done;
    if (!kb && dj_kb_load(json.data, json.len, &kb, &err)) {
        status = dj_cli_fail(cmd, "stored knowledge base %lld: %s", version, err.msg);
        goto done;
    }
    char v[24];
    snprintf(v, sizeof v, "%lld", version);
    dj_kb_set_version(kb, v);
    *out = kb;
    kb = NULL;
done:
    dj_kb_unref(kb);
    dj_buf_fini(&json);
    return status;
}

int dj_cmd_serve(int argc, char **argv)
{
    dj_config cfg;
    dj_err err = {0};
    int rest;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: dajia serve [--listen HOST:PORT] [--db sqlite:PATH | postgresql://...] [--kb KB.json]\n\n"
                   "Serves the HTTP API (/v1/..., /healthz, /metrics, /openapi.json).\n\nsettings:\n");
            dj_config_help(stdout);
            return 0;
        }
    if (dj_config_load(&cfg, argc, argv, &rest, &err))
        return dj_cli_usage_error("serve", "%s", err.msg);
    if (rest > 0)
        return dj_cli_usage_error("serve", "unexpected argument '%s'", argv[1]);
    if (dj_log_set_level(cfg.log_level))
        return dj_cli_usage_error("serve", "log-level: \"%s\" is not one of debug, info, warn, error, off", cfg.log_level);

    int threads = cfg.threads > 0 ? (int)cfg.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    dj_store *st = NULL;
    if (dj_store_open(cfg.db, threads + 4, &st, &err))
        return dj_cli_fail("serve", "db %s: %s", cfg.db, err.msg);
    dj_kb *kb = NULL;
    int status = dj_cli_store_kb("serve", st, cfg.kb, &kb);
    if (!status && !kb)
        dj_log(DJ_LOG_WARN, "msg=\"no knowledge base yet: screening answers 503 until PUT /v1/kb\"");
    if (status) {
        dj_store_close(st);
        return status;
    }
    dj_kb_slot *slot = dj_kb_slot_new(kb);
    dj_kb_unref(kb);

    dj_http_opts o = {0};
    o.listen = cfg.listen;
    o.threads = (int)cfg.threads;
    o.max_body = (size_t)cfg.max_body;
    o.kb = slot;
    o.store = st;
    o.rescreen_batch = (int)cfg.rescreen_batch;
    o.max_image_body = (size_t)cfg.max_image;
    o.flood = (dj_flood_opts){(uint32_t)cfg.flood_window, (uint32_t)cfg.flood_min, (double)cfg.flood_factor,
                              (uint32_t)cfg.flood_sellers};
    o.bank_poll_ms = (int)cfg.bank_poll_ms;
    dj_http *h = NULL;
    if (dj_http_start(&o, &h, &err)) {
        dj_kb_slot_free(slot);
        dj_store_close(st);
        return dj_cli_fail("serve", "%s", err.msg);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    dj_log(DJ_LOG_INFO, "msg=\"listening\" addr=%s port=%d db=%s", cfg.listen, dj_http_port(h), dj_store_backend(st));
    while (!stop_requested)
        pause();
    dj_log(DJ_LOG_INFO, "msg=\"stopping\"");
    dj_http_stop(h);
    dj_kb_slot_free(slot);
    dj_store_close(st);
    return 0;
}
