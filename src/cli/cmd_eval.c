/*
 * dajia eval --labels LABELS.jsonl [DECISIONS.jsonl | -] [--json]
 *
 * Compares decisions (from `dajia scan`) with ground-truth labels (from
 * `dajia gen`) and prints the detection figures and a per-scenario table.
 */
#include "cli/cli.h"
#include "report/report.h"
#include "util/lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef dj_rc (*add_fn)(dj_eval *, const char *, size_t, dj_err *);

static int feed(dj_eval *e, const char *path, add_fn add)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return dj_cli_fail("eval", "%s: %s", path, strerror(errno));
    dj_lines *r = dj_lines_new(f, 1 << 20, 1 << 22);
    char *data = NULL;
    dj_line *lines = NULL;
    size_t dcap = 0, lcap = 0;
    long n;
    int rc = 0;
    dj_err err = {0};
    while ((n = dj_lines_next(r, &data, &dcap, &lines, &lcap, &err)) > 0)
        for (long i = 0; i < n && !rc; i++) {
            if (lines[i].too_long || lines[i].len == 0)
                continue;
            if (add(e, data + lines[i].off, lines[i].len, &err))
                rc = dj_cli_fail("eval", "%s:%llu: %s", path, (unsigned long long)lines[i].no, err.msg);
        }
    if (n < 0)
        rc = dj_cli_fail("eval", "%s: %s", path, err.msg);
    free(data);
    free(lines);
    dj_lines_free(r);
    if (f != stdin)
        fclose(f);
    return rc;
}

int dj_cmd_eval(int argc, char **argv)
{
    const char *labels = NULL, *decisions = "-";
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: dajia eval --labels LABELS.jsonl [DECISIONS.jsonl | -] [--json]\n\n"
                   "Compares decisions from `dajia scan` with labels from `dajia gen`.\n");
            return 0;
        } else if (!strcmp(argv[i], "--labels") && i + 1 < argc) {
            labels = argv[++i];
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return dj_cli_usage_error("eval", "unknown or incomplete option '%s'", argv[i]);
        } else {
            decisions = argv[i];
        }
    }
    if (!labels)
        return dj_cli_usage_error("eval", "--labels LABELS.jsonl is required");
    dj_eval *e = dj_eval_new();
    int rc = feed(e, labels, dj_eval_add_label);
    if (!rc)
        rc = feed(e, decisions, dj_eval_add_decision);
    if (!rc) {
        if (json)
            dj_eval_print_json(e, stdout);
        else
            dj_eval_print(e, stdout);
    }
    dj_eval_free(e);
    return rc;
}
