/*
 * dajia import --db URL [--kb KB.json] [FILE|-] [--batch N] [--by NAME]
 *
 * Loads a catalogue into the store the way POST /v1/listings would, one
 * listing at a time but many to a transaction: a marketplace switching
 * dajia on has millions of listings already live. Each is screened with
 * the store's current KB (or --kb, stored as a new version first) and kept
 * with its decision and status. A line that cannot be read or screened is
 * reported with its number and skipped; the import goes on.
 */
#include "cli/cli.h"
#include "publish/publish.h"
#include "store/store.h"
#include "util/config.h"
#include "util/lines.h"
#include "util/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Stores a batch in one transaction. When the store refuses it (a listing
 * PostgreSQL will not take), each listing is stored alone so only the bad
 * ones are lost, and named. A store that cannot be reached stops the
 * import. Returns an exit status. */
static int store_batch(dj_store *st, const dj_store_listing *ls, const uint64_t *line, size_t n, const char *by,
                       unsigned long long *stored, unsigned long long *errors)
{
    dj_err err = {0};
    dj_rc rc = dj_store_listing_put_many(st, ls, n, by, &err);
    if (rc == DJ_OK) {
        *stored += n;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (n > 1)
            rc = dj_store_listing_put_many(st, &ls[i], 1, by, &err);
        if (rc == DJ_OK) {
            ++*stored;
        } else if (rc == DJ_EUNAVAIL) {
            return dj_cli_fail("import", "line %llu: %s", (unsigned long long)line[i], err.msg);
        } else {
            fprintf(stderr, "line %llu: %s\n", (unsigned long long)line[i], err.msg);
            ++*errors;
        }
    }
    return 0;
}

int dj_cmd_import(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: dajia import [--db URL] [--kb KB.json] [FILE | -] [--batch N] [--by NAME]\n\n"
                   "Screens every listing (JSONL) and stores it with its decision and status, as\n"
                   "POST /v1/listings does, --batch listings (default 1000) to a transaction. Bad\n"
                   "lines are reported (\"line N: ...\") and skipped. Prints a summary.\n");
            return 0;
        }
    dj_config cfg;
    dj_err err = {0};
    int rest;
    if (dj_config_load(&cfg, argc, argv, &rest, &err))
        return dj_cli_usage_error("import", "%s", err.msg);
    const char *path = NULL, *by = "import";
    long batch = 1000;
    for (int i = 1; i <= rest; i++) {
        if (!strcmp(argv[i], "--batch") && i < rest) {
            char *end;
            batch = strtol(argv[++i], &end, 10);
            if (*end || batch < 1 || batch > 100000)
                return dj_cli_usage_error("import", "--batch: expected 1 to 100000");
        } else if (!strcmp(argv[i], "--by") && i < rest) {
            by = argv[++i];
        } else if ((argv[i][0] != '-' || !strcmp(argv[i], "-")) && !path) {
            path = argv[i];
        } else {
            return dj_cli_usage_error("import", "unknown or incomplete option '%s'", argv[i]);
        }
    }
    FILE *in = !path || !strcmp(path, "-") ? stdin : fopen(path, "rb");
    if (!in)
        return dj_cli_fail("import", "%s: cannot open", path);
    dj_store *st = NULL;
    if (dj_store_open(cfg.db, 2, &st, &err)) {
        if (in != stdin)
            fclose(in);
        return dj_cli_fail("import", "db %s: %s", cfg.db, err.msg);
    }
    dj_kb *kb = NULL;
    int status = dj_cli_store_kb("import", st, cfg.kb, &kb);
    if (!status && !kb)
        status = dj_cli_fail("import", "no knowledge base: give --kb (the store has none yet)");
    dj_screen *w = NULL;
    if (!status && dj_screen_new(kb, &w, &err))
        status = dj_cli_fail("import", "%s", err.msg);
    if (status) {
        dj_kb_unref(kb);
        dj_store_close(st);
        if (in != stdin)
            fclose(in);
        return status;
    }

    dj_lines *lr = dj_lines_new(in, (size_t)cfg.max_body, (size_t)8 << 20);
    char *data = NULL;
    size_t data_cap = 0, lines_cap = 0;
    dj_line *lines = NULL;
    dj_store_listing *pending = dj_xmalloc((size_t)batch * sizeof *pending);
    uint64_t *pending_line = dj_xmalloc((size_t)batch * sizeof *pending_line);
    dj_arena *arena = dj_arena_new((size_t)1 << 20);
    unsigned long long by_kind[3] = {0, 0, 0}, errors = 0, stored = 0;
    size_t n_pending = 0;
    double t0 = now_s();
    long n;
    while (!status && (n = dj_lines_next(lr, &data, &data_cap, &lines, &lines_cap, &err)) > 0) {
        for (long i = 0; i < n && !status; i++) {
            const dj_line *ln = &lines[i];
            const char *s = data + ln->off;
            if (ln->too_long || ln->len == 0) {
                if (ln->too_long)
                    fprintf(stderr, "line %llu: longer than %lld bytes, skipped\n", (unsigned long long)ln->no,
                            cfg.max_body);
                errors += ln->too_long != 0;
                continue;
            }
            /* The body outlives this batch of lines: copy it with the rest. */
            char *body = dj_arena_strndup(arena, s, ln->len);
            dj_listing l;
            dj_decision d;
            if (dj_listing_parse(body, ln->len, arena, &l, &err) ||
                dj_publish_prepare(w, &l, body, ln->len, arena, &pending[n_pending], &d, &err)) {
                fprintf(stderr, "line %llu: %s\n", (unsigned long long)ln->no, err.msg);
                errors++;
                continue;
            }
            by_kind[d.decision]++;
            pending_line[n_pending] = ln->no;
            if (++n_pending == (size_t)batch) {
                status = store_batch(st, pending, pending_line, n_pending, by, &stored, &errors);
                n_pending = 0;
                dj_arena_reset(arena);
            }
        }
    }
    if (!status && n < 0)
        status = dj_cli_fail("import", "reading: %s", err.msg);
    if (!status && n_pending)
        status = store_batch(st, pending, pending_line, n_pending, by, &stored, &errors);
    double el = now_s() - t0;
    printf("imported %llu listings in %.1f s (%.0f/s): %llu allow (live), %llu review (held), %llu block (blocked); "
           "%llu lines with errors; KB version %s\n",
           stored, el, el > 0 ? stored / el : 0.0, by_kind[0], by_kind[1], by_kind[2], errors, dj_kb_version(kb));
    dj_arena_free(arena);
    free(pending);
    free(pending_line);
    free(data);
    free(lines);
    dj_lines_free(lr);
    dj_screen_free(w);
    dj_kb_unref(kb);
    dj_store_close(st);
    if (in != stdin)
        fclose(in);
    return status;
}
