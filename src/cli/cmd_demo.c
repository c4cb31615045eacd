/*
 * dajia demo [--out DIR] [--seed N] [--listings N] [--threads N]
 *
 * The newcomer's first command (`make run`): generates a demo marketplace
 * (dajia gen's demo profile), screens every listing with the generated
 * knowledge base and prints what a trust-and-safety team would look at
 * first: decisions and reasons, detection against the generator's ground
 * truth, throughput, and a few example decisions with their reasons.
 */
#include "cli/cli.h"
#include "gen/gen.h"
#include "kb/kb.h"
#include "report/report.h"
#include "screen/screen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct sink {
    FILE *out;          /* decisions.jsonl */
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

int dj_cmd_demo(int argc, char **argv)
{
    const char *out = "dajia-demo";
    dj_gen_opts go;
    dj_gen_opts_init(&go, DJ_GEN_PROFILE_DEMO);
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 1; i < argc; i++) {
        char *end;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: dajia demo [--out DIR] [--seed N] [--listings N] [--threads N]\n\n"
                   "Generates a demo marketplace in DIR (default dajia-demo), screens it and\n"
                   "prints decisions, reasons, detection figures and throughput.\n");
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
    printf("knowledge base: %zu brands, %zu signal terms, %zu patterns compiled in %.0f ms\n", ks.n_brands,
           ks.n_signals, ks.n_patterns, ks.compile_ms);

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
        printf("\nnext: bin/dajia scan --kb %s/kb.json %s/listings.jsonl | bin/dajia eval --labels %s/labels.jsonl\n",
               out, out, out);
    }
    dj_eval_free(s.eval);
    dj_kb_unref(kb);
    return rc;
}
