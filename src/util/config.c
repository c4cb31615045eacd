/*
 * The settings table and its parser (see config.h).
 */
#include "util/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { T_STR, T_INT };

typedef struct setting {
    const char *name;
    int type;
    const char *def;
    long long min, max;
    const char *env;
    size_t off, size;       /* where in dj_config, and the buffer size for strings */
    const char *help;
} setting;

#define S(name, field, def, env, help) {name, T_STR, def, 0, 0, env, offsetof(dj_config, field), sizeof(((dj_config *)0)->field), help}
#define I(name, field, def, min, max, env, help) {name, T_INT, def, min, max, env, offsetof(dj_config, field), 0, help}

static const setting settings[] = {
    S("listen", listen, "127.0.0.1:8080", "DAJIA_LISTEN", "address to serve on, HOST:PORT"),
    S("db", db, "sqlite:dajia.db", "DAJIA_DB", "store: sqlite:PATH (created on first run) or postgresql://..."),
    S("kb", kb, "", "DAJIA_KB", "knowledge base to load at start when the store has none"),
    I("threads", threads, "0", 0, 256, "DAJIA_THREADS", "request threads (0: one per core)"),
    I("max-body", max_body, "1048576", 1024, 1LL << 30, "DAJIA_MAX_BODY", "largest request body in bytes (413 above)"),
    I("rescreen-batch", rescreen_batch, "2000", 10, 1000000, "DAJIA_RESCREEN_BATCH",
      "listings per transaction when re-screening after a KB change"),
    I("max-image", max_image, "16777216", 1024, 1LL << 30, "DAJIA_MAX_IMAGE",
      "largest image accepted by POST /v1/images, bytes"),
    I("flood-min", flood_min, "50", 1, 1000000000, "DAJIA_FLOOD_MIN",
      "image flood guard: never quarantine a bank entry below this many matches a window"),
    I("flood-factor", flood_factor, "10", 2, 1000000, "DAJIA_FLOOD_FACTOR",
      "image flood guard: quarantine an entry matching more than this times its baseline"),
    I("flood-sellers", flood_sellers, "10", 1, 1000, "DAJIA_FLOOD_SELLERS",
      "image flood guard: quarantine only when the matches come from at least this many distinct sellers "
      "(at most flood-min)"),
    I("flood-window", flood_window, "3600", 1, 2592000, "DAJIA_FLOOD_WINDOW", "image flood guard: window, seconds"),
    I("bank-poll-ms", bank_poll_ms, "1000", 10, 600000, "DAJIA_BANK_POLL_MS",
      "how often to look for image bank changes made elsewhere, ms"),
    S("log-level", log_level, "info", "DAJIA_LOG_LEVEL", "debug, info, warn, error or off"),
};

#define N_SETTINGS (sizeof settings / sizeof settings[0])

static dj_rc set(dj_config *c, const setting *s, const char *v, const char *from, dj_err *err)
{
    char *p = (char *)c + s->off;
    if (s->type == T_STR) {
        if (strlen(v) >= s->size)
            return dj_err_set(err, DJ_EINVAL, "%s (%s): longer than %zu bytes", s->name, from, s->size - 1);
        strcpy(p, v);
        return DJ_OK;
    }
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end)
        return dj_err_set(err, DJ_EINVAL, "%s (%s): expected a whole number, got \"%s\"", s->name, from, v);
    if (x < s->min || x > s->max)
        return dj_err_set(err, DJ_EINVAL, "%s (%s): %lld is outside %lld..%lld", s->name, from, x, s->min, s->max);
    *(long long *)p = x;
    return DJ_OK;
}

static const setting *find(const char *name, size_t n)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (strlen(settings[i].name) == n && !memcmp(settings[i].name, name, n))
            return &settings[i];
    return NULL;
}

dj_rc dj_config_load(dj_config *c, int argc, char **argv, int *rest, dj_err *err)
{
    memset(c, 0, sizeof *c);
    dj_rc rc;
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const setting *s = &settings[i];
        const char *env = getenv(s->env);
        if ((rc = set(c, s, s->def, "default", err)))
            return rc;
        if (env && (rc = set(c, s, env, s->env, err)))
            return rc;
    }
    int out = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || !a[2]) {
            argv[out++] = argv[i];
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        const setting *s = find(name, n);
        if (!s) {
            argv[out++] = argv[i]; /* the command's own flag (or a mistake it reports) */
            continue;
        }
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v)
            return dj_err_set(err, DJ_EINVAL, "--%s: needs a value", s->name);
        if ((rc = set(c, s, v, "flag", err)))
            return rc;
    }
    *rest = out - 1;
    return DJ_OK;
}

void dj_config_print(const dj_config *c, FILE *f)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const setting *s = &settings[i];
        const char *p = (const char *)c + s->off;
        if (s->type == T_STR)
            fprintf(f, "%-16s %-28s # %s (env %s)\n", s->name, p, s->help, s->env);
        else
            fprintf(f, "%-16s %-28lld # %s (env %s)\n", s->name, *(const long long *)p, s->help, s->env);
    }
}

void dj_config_help(FILE *f)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        fprintf(f, "  --%-16s %s (default \"%s\", env %s)\n", settings[i].name, settings[i].help, settings[i].def,
                settings[i].env);
}
