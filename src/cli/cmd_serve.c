/*
 * dajia serve --listen HOST:PORT --db sqlite:PATH | postgresql://... [--kb KB.json]
 *
 * Runs the HTTP API until SIGINT or SIGTERM. Settings come from the table in
 * src/util/config.c (flags, DAJIA_* environment variables, defaults).
 */
#include "cli/cli.h"
#include "http/http.h"
#include "kb/kb.h"
#include "util/config.h"
#include "util/log.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
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

    dj_kb *kb = NULL;
    if (cfg.kb[0] && dj_kb_load_file(cfg.kb, &kb, &err))
        return dj_cli_fail("serve", "knowledge base: %s", err.msg);
    dj_kb_slot *slot = dj_kb_slot_new(kb);
    dj_kb_unref(kb);

    dj_http_opts o = {cfg.listen, (int)cfg.threads, (size_t)cfg.max_body, slot, NULL, 0};
    dj_http *h = NULL;
    if (dj_http_start(&o, &h, &err)) {
        dj_kb_slot_free(slot);
        return dj_cli_fail("serve", "%s", err.msg);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    dj_log(DJ_LOG_INFO, "msg=\"listening\" addr=%s port=%d", cfg.listen, dj_http_port(h));
    while (!stop_requested)
        pause();
    dj_log(DJ_LOG_INFO, "msg=\"stopping\"");
    dj_http_stop(h);
    dj_kb_slot_free(slot);
    return 0;
}
