/*
 * dajia scan --kb KB.json [FILE.jsonl | -] [--threads N] [--max-line BYTES]
 *
 * Reads listings one JSON object a line and writes exactly one decision
 * line per input line, in input order, to stdout (dj_screen_stream). A
 * progress bar goes to stderr when stderr is a terminal.
 */
#include "cli/cli.h"
#include "kb/kb.h"
#include "screen/screen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct progress {
    FILE *out;
    double last;
    uint64_t size;
} progress;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double t_start;

static void show(const dj_stream_stats *st, progress *p, int final)
{
    double t = now_s();
    if (!final && t - p->last < 0.2)
        return;
    p->last = t;
    double el = t - t_start > 1e-9 ? t - t_start : 1e-9;
    double rate = (double)st->lines / el;
    if (p->size) {
        double frac = (double)st->bytes / (double)p->size;
        if (frac > 1)
            frac = 1;
        int w = 30, k = (int)(frac * w);
        double eta = frac > 0 ? el / frac - el : 0;
        fprintf(stderr, "\r[%.*s%*s] %3.0f%% %llu listings, %.0f/s, ETA %.0f s   ", k,
                "==============================", w - k, "", frac * 100, (unsigned long long)st->lines, rate,
                final ? 0.0 : eta);
    } else {
        fprintf(stderr, "\r%llu listings, %.0f/s   ", (unsigned long long)st->lines, rate);
    }
}

typedef struct sink {
    FILE *out;
    progress pg;
    int show;
} sink;

static int write_out(const char *p, size_t n, void *ud)
{
    return dj_stream_write_file(p, n, ((sink *)ud)->out);
}

static void on_progress(const dj_stream_stats *st, void *ud)
{
    sink *s = ud;
    if (s->show)
        show(st, &s->pg, 0);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dajia scan --kb KB.json [FILE.jsonl | -] [--threads N] [--max-line BYTES] [--no-progress]\n"
            "\n"
            "Screens listings (one JSON object per line) and writes one decision line per\n"
            "input line, in order, to stdout. Malformed lines yield\n"
            "{\"line\":N,\"decision\":\"error\",\"error\":\"...\"} and the scan goes on.\n"
            "  --kb PATH          knowledge base (JSON, docs/kb-format.md)\n"
            "  --threads N        screening threads (default: number of cores)\n"
            "  --max-line BYTES   longest accepted line (default 1048576)\n"
            "  --no-progress      no progress bar even when stderr is a terminal\n"
            "  --stats            print a JSON line of figures to stderr at the end\n");
}

int dj_cmd_scan(int argc, char **argv)
{
    const char *kb_path = NULL, *in_path = NULL;
    long n_threads = sysconf(_SC_NPROCESSORS_ONLN);
    size_t max_line = 1 << 20;
    int no_progress = 0, want_stats = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--kb") && i + 1 < argc) {
            kb_path = argv[++i];
        } else if (!strcmp(a, "--threads") && i + 1 < argc) {
            char *e;
            n_threads = strtol(argv[++i], &e, 10);
            if (*e || n_threads < 1 || n_threads > 256)
                return dj_cli_usage_error("scan", "--threads: expected a number from 1 to 256, got '%s'", argv[i]);
        } else if (!strcmp(a, "--max-line") && i + 1 < argc) {
            char *e;
            long long v = strtoll(argv[++i], &e, 10);
            if (*e || v < 64 || v > (1LL << 30))
                return dj_cli_usage_error("scan", "--max-line: expected bytes from 64 to 1073741824, got '%s'",
                                          argv[i]);
            max_line = (size_t)v;
        } else if (!strcmp(a, "--no-progress")) {
            no_progress = 1;
        } else if (!strcmp(a, "--stats")) {
            want_stats = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            return dj_cli_usage_error("scan", "unknown or incomplete option '%s'", a);
        } else if (!in_path) {
            in_path = a;
        } else {
            return dj_cli_usage_error("scan", "more than one input file ('%s', '%s')", in_path, a);
        }
    }
    if (n_threads < 1)
        n_threads = 1;
    if (!kb_path)
        return dj_cli_usage_error("scan", "--kb KB.json is required");

    dj_err err = {0};
    dj_kb *kb = NULL;
    if (dj_kb_load_file(kb_path, &kb, &err))
        return dj_cli_fail("scan", "knowledge base: %s", err.msg);

    sink sk = {stdout, {0}, 0};
    FILE *in = stdin;
    if (in_path && strcmp(in_path, "-") != 0) {
        in = fopen(in_path, "rb");
        if (!in) {
            dj_kb_unref(kb);
            return dj_cli_fail("scan", "%s: %s", in_path, strerror(errno));
        }
        struct stat st;
        if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
            sk.pg.size = (uint64_t)st.st_size;
    }
    sk.show = !no_progress && isatty(2);
    t_start = now_s();
    dj_stream_opts o = {(int)n_threads, max_line, write_out, on_progress, &sk};
    dj_stream_stats st;
    int rc = 0;
    if (dj_screen_stream(kb, in, &o, &st, &err))
        rc = dj_cli_fail("scan", "%s", err.msg);
    else if (fflush(stdout) != 0)
        rc = dj_cli_fail("scan", "writing decisions: %s", strerror(errno));
    if (sk.show) {
        show(&st, &sk.pg, 1);
        fprintf(stderr, "\nscan: %llu allow, %llu review, %llu block, %llu error in %.2f s\n",
                (unsigned long long)st.by[0], (unsigned long long)st.by[1], (unsigned long long)st.by[2],
                (unsigned long long)st.by[3], st.seconds);
    }
    if (want_stats) {
        dj_kb_stats ks;
        dj_kb_get_stats(kb, &ks);
        fprintf(stderr,
                "{\"listings\":%llu,\"bytes\":%llu,\"seconds\":%.3f,\"listings_per_s\":%.0f,\"threads\":%ld,"
                "\"allow\":%llu,\"review\":%llu,\"block\":%llu,\"error\":%llu,\"kb_load_ms\":%.1f,"
                "\"kb_compile_ms\":%.1f}\n",
                (unsigned long long)st.lines, (unsigned long long)st.bytes, st.seconds,
                st.seconds > 0 ? st.lines / st.seconds : 0.0, n_threads, (unsigned long long)st.by[0],
                (unsigned long long)st.by[1], (unsigned long long)st.by[2], (unsigned long long)st.by[3], ks.load_ms,
                ks.compile_ms);
    }
    if (in != stdin)
        fclose(in);
    dj_kb_unref(kb);
    return rc;
}
