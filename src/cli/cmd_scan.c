/*
 * dajia scan --kb KB.json [FILE.jsonl | -] [--threads N] [--max-line BYTES]
 *
 * Reads listings one JSON object a line and writes exactly one decision
 * line per input line, in input order, to stdout. Lines are read in
 * batches; with several threads, workers screen whole batches and a writer
 * thread emits them in sequence, so order holds whatever finishes first.
 * A progress bar goes to stderr when stderr is a terminal.
 */
#include "cli/cli.h"
#include "kb/kb.h"
#include "screen/screen.h"
#include "util/buf.h"
#include "util/lines.h"
#include "util/mem.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCH_BYTES (2u << 20)

typedef struct batch {
    char *data;
    size_t data_cap;
    dj_line *lines;
    size_t lines_cap;
    long n;
    dj_buf out;
    uint64_t seq;
    int state;                 /* 0 free, 1 filled, 2 screened */
    uint64_t counts[4];        /* allow, review, block, error */
} batch;

typedef struct scan {
    dj_kb *kb;
    int n_threads;
    batch *slots;
    size_t n_slots;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t next_fill, next_work, next_write;
    int reading_done;
    int write_failed;
    uint64_t total[4];
    dj_screen **workers;
} scan;

static void screen_batch(dj_screen *w, batch *b)
{
    dj_buf_reset(&b->out);
    memset(b->counts, 0, sizeof b->counts);
    for (long i = 0; i < b->n; i++) {
        const dj_line *ln = &b->lines[i];
        int r;
        if (ln->too_long) {
            dj_buf_printf(&b->out,
                          "{\"line\":%llu,\"decision\":\"error\",\"error\":\"line is %llu bytes, longer than the limit\"}",
                          (unsigned long long)ln->no, (unsigned long long)ln->too_long);
            r = -1;
        } else if (ln->len == 0) {
            dj_buf_printf(&b->out, "{\"line\":%llu,\"decision\":\"error\",\"error\":\"empty line\"}",
                          (unsigned long long)ln->no);
            r = -1;
        } else {
            r = dj_screen_line(w, b->data + ln->off, ln->len, ln->no, &b->out);
        }
        dj_buf_addc(&b->out, '\n');
        b->counts[r >= 0 ? r : 3]++;
    }
}

static void *worker_main(void *arg)
{
    void **a = arg;
    scan *sc = a[0];
    dj_screen *w = a[1];
    pthread_mutex_lock(&sc->mu);
    for (;;) {
        batch *b = NULL;
        while (!(sc->next_work < sc->next_fill) && !(sc->reading_done && sc->next_work >= sc->next_fill))
            pthread_cond_wait(&sc->cv, &sc->mu);
        if (sc->next_work >= sc->next_fill)
            break;
        b = &sc->slots[sc->next_work % sc->n_slots];
        sc->next_work++;
        pthread_mutex_unlock(&sc->mu);
        screen_batch(w, b);
        pthread_mutex_lock(&sc->mu);
        b->state = 2;
        pthread_cond_broadcast(&sc->cv);
    }
    pthread_mutex_unlock(&sc->mu);
    return NULL;
}

static int write_out(const dj_buf *out)
{
    return out->len && fwrite(out->data, 1, out->len, stdout) != out->len ? -1 : 0;
}

typedef struct progress {
    int on;
    double t0, last;
    uint64_t size;
} progress;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress_show(progress *p, uint64_t lines, uint64_t bytes, int final)
{
    if (!p->on)
        return;
    double t = now_s();
    if (!final && t - p->last < 0.2)
        return;
    p->last = t;
    double el = t - p->t0 > 1e-9 ? t - p->t0 : 1e-9;
    double rate = lines / el;
    if (p->size) {
        double frac = (double)bytes / (double)p->size;
        if (frac > 1)
            frac = 1;
        int w = 30, k = (int)(frac * w);
        double eta = frac > 0 ? el / frac - el : 0;
        fprintf(stderr, "\r[%.*s%*s] %3.0f%% %llu listings %.0f/s ETA %.0fs   ", k,
                "==============================", w - k, "", frac * 100, (unsigned long long)lines, rate, eta);
    } else {
        fprintf(stderr, "\r%llu listings %.0f/s   ", (unsigned long long)lines, rate);
    }
    if (final)
        fputc('\n', stderr);
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
            "  --no-progress      no progress bar even when stderr is a terminal\n");
}

int dj_cmd_scan(int argc, char **argv)
{
    const char *kb_path = NULL, *in_path = NULL;
    long n_threads = sysconf(_SC_NPROCESSORS_ONLN);
    size_t max_line = 1 << 20;
    int no_progress = 0;
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

    FILE *in = stdin;
    progress pg = {0};
    if (in_path && strcmp(in_path, "-") != 0) {
        in = fopen(in_path, "rb");
        if (!in) {
            dj_kb_unref(kb);
            return dj_cli_fail("scan", "%s: %s", in_path, strerror(errno));
        }
        struct stat st;
        if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
            pg.size = (uint64_t)st.st_size;
    }
    pg.on = !no_progress && isatty(2);
    pg.t0 = now_s();

    scan sc = {0};
    sc.kb = kb;
    sc.n_threads = (int)n_threads;
    sc.n_slots = (size_t)n_threads * 2 + 2;
    sc.slots = dj_xcalloc(sc.n_slots, sizeof *sc.slots);
    for (size_t i = 0; i < sc.n_slots; i++)
        dj_buf_init(&sc.slots[i].out, (size_t)1 << 34);
    sc.workers = dj_xcalloc((size_t)n_threads, sizeof *sc.workers);
    int rc = 0;
    for (long i = 0; i < n_threads; i++)
        if (dj_screen_new(kb, &sc.workers[i], &err)) {
            rc = dj_cli_fail("scan", "%s", err.msg);
            goto done;
        }
    pthread_mutex_init(&sc.mu, NULL);
    pthread_cond_init(&sc.cv, NULL);

    dj_lines *rd = dj_lines_new(in, max_line, BATCH_BYTES);
    pthread_t *tids = dj_xcalloc((size_t)n_threads, sizeof *tids);
    void *(*args)[2] = dj_xcalloc((size_t)n_threads, sizeof *args);
    int threaded = n_threads > 1;
    if (threaded)
        for (long i = 0; i < n_threads; i++) {
            args[i][0] = &sc;
            args[i][1] = sc.workers[i];
            pthread_create(&tids[i], NULL, worker_main, args[i]);
        }

    uint64_t lines_done = 0;
    for (;;) {
        /* Fill the next free slot (writing finished batches as they come). */
        batch *b = &sc.slots[sc.next_fill % sc.n_slots];
        pthread_mutex_lock(&sc.mu);
        for (;;) {
            batch *wb = &sc.slots[sc.next_write % sc.n_slots];
            if (sc.next_write < sc.next_fill && wb->state == 2) {
                pthread_mutex_unlock(&sc.mu);
                if (!sc.write_failed && write_out(&wb->out))
                    sc.write_failed = errno ? errno : EIO;
                for (int k = 0; k < 4; k++)
                    sc.total[k] += wb->counts[k];
                lines_done += (uint64_t)wb->n;
                progress_show(&pg, lines_done, dj_lines_bytes(rd), 0);
                pthread_mutex_lock(&sc.mu);
                wb->state = 0;
                sc.next_write++;
                continue;
            }
            if (b->state == 0)
                break;
            pthread_cond_wait(&sc.cv, &sc.mu);
        }
        pthread_mutex_unlock(&sc.mu);
        if (sc.reading_done)
            break;
        long n = dj_lines_next(rd, &b->data, &b->data_cap, &b->lines, &b->lines_cap, &err);
        if (n <= 0) {
            if (n < 0)
                rc = dj_cli_fail("scan", "%s: %s", in_path ? in_path : "stdin", err.msg);
            pthread_mutex_lock(&sc.mu);
            sc.reading_done = 1;
            pthread_cond_broadcast(&sc.cv);
            pthread_mutex_unlock(&sc.mu);
            /* Drain: wait for every filled batch to be written. */
            pthread_mutex_lock(&sc.mu);
            while (sc.next_write < sc.next_fill) {
                batch *wb = &sc.slots[sc.next_write % sc.n_slots];
                if (wb->state != 2) {
                    pthread_cond_wait(&sc.cv, &sc.mu);
                    continue;
                }
                pthread_mutex_unlock(&sc.mu);
                if (!sc.write_failed && write_out(&wb->out))
                    sc.write_failed = errno ? errno : EIO;
                for (int k = 0; k < 4; k++)
                    sc.total[k] += wb->counts[k];
                lines_done += (uint64_t)wb->n;
                pthread_mutex_lock(&sc.mu);
                wb->state = 0;
                sc.next_write++;
            }
            pthread_mutex_unlock(&sc.mu);
            break;
        }
        b->n = n;
        b->seq = sc.next_fill;
        if (!threaded) {
            screen_batch(sc.workers[0], b);
            b->state = 2;
            sc.next_fill++;
            sc.next_work++;
        } else {
            pthread_mutex_lock(&sc.mu);
            b->state = 1;
            sc.next_fill++;
            pthread_cond_broadcast(&sc.cv);
            pthread_mutex_unlock(&sc.mu);
        }
    }
    if (threaded)
        for (long i = 0; i < n_threads; i++)
            pthread_join(tids[i], NULL);
    progress_show(&pg, lines_done, dj_lines_bytes(rd), 1);
    if (fflush(stdout) != 0 && !sc.write_failed)
        sc.write_failed = errno ? errno : EIO;
    if (sc.write_failed)
        rc = dj_cli_fail("scan", "writing decisions: %s", strerror(sc.write_failed));
    if (pg.on)
        fprintf(stderr, "scan: %llu allow, %llu review, %llu block, %llu error\n",
                (unsigned long long)sc.total[0], (unsigned long long)sc.total[1],
                (unsigned long long)sc.total[2], (unsigned long long)sc.total[3]);
    free(tids);
    free(args);
    dj_lines_free(rd);
    pthread_mutex_destroy(&sc.mu);
    pthread_cond_destroy(&sc.cv);
done:
    for (long i = 0; i < n_threads; i++)
        dj_screen_free(sc.workers[i]);
    free(sc.workers);
    for (size_t i = 0; i < sc.n_slots; i++) {
        free(sc.slots[i].data);
        free(sc.slots[i].lines);
        dj_buf_fini(&sc.slots[i].out);
    }
    free(sc.slots);
    if (in != stdin)
        fclose(in);
    dj_kb_unref(kb);
    return rc;
}
