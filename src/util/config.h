/*
 * Settings of the service, declared once in a table (config.c: name, type,
 * default, bounds, DAJIA_* environment variable, help), from which the
 * command-line flags, the environment, `--help` and `dajia config --print`
 * are all derived (Redis's static_configs[]). Precedence: flag, then
 * environment, then default. A bad value stops startup with a message that
 * names the setting.
 */
#ifndef DJ_UTIL_CONFIG_H
#define DJ_UTIL_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "util/err.h"

typedef struct dj_config {
    char listen[256];        /* listen: HOST:PORT */
    char db[1024];           /* db: sqlite:PATH or postgresql://... */
    char kb[1024];           /* kb: knowledge base file loaded at start ("" none) */
    long long threads;       /* threads: request threads, 0 = one per core */
    long long max_body;      /* max-body: bytes */
    long long rescreen_batch;/* rescreen-batch: listings per re-screen transaction */
    long long max_image;     /* max-image: bytes of an image upload */
    long long flood_min;     /* flood-min: matches a window before a quarantine */
    long long flood_factor;  /* flood-factor: times the baseline */
    long long flood_window;  /* flood-window: seconds */
    long long flood_sellers; /* flood-sellers: distinct sellers before a quarantine */
    long long bank_poll_ms;  /* bank-poll-ms */
    char log_level[16];      /* log-level */
} dj_config;

/* Fills c from defaults, the environment and argv (flags "--name value" or
 * "--name=value"). Arguments that are not settings are left in place and
 * counted in *rest (argv is compacted: argv[1..*rest] are the leftovers).
 * Unknown "--" flags are errors. */
dj_rc dj_config_load(dj_config *c, int argc, char **argv, int *rest, dj_err *err);

/* Prints every setting with its value, source and help. */
void dj_config_print(const dj_config *c, FILE *f);
/* Prints the flag help lines. */
void dj_config_help(FILE *f);

#endif
