/*
 * Screening a stream of JSONL listings with several threads while keeping
 * the output in input order. The reader (the calling thread) fills batches
 * of whole lines into a ring of slots; workers take filled slots in order
 * and screen them into the slot's output buffer; the calling thread writes
 * screened slots strictly in sequence and frees them for refilling. One
 * mutex and one condition variable: batches are megabytes, so the lock is
 * taken a few hundred times a second at most.
 */
#include "screen/screen.h"
#include "util/lines.h"
#include "util/mem.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH_BYTES (2u << 20)

enum { SLOT_FREE, SLOT_FILLED, SLOT_SCREENED };

typedef struct slot {
    char *data;
    size_t data_cap;
    dj_line *lines;
    size_t lines_cap;
    long n;
    dj_buf out;
    int *results;                         /* per line: dj_screen_lines' results */
    unsigned *signals;
    size_t results_cap;
    int state;
    uint64_t by[4];                       /* allow, review, block, error */
    uint64_t reasons[DJ_REASON_COUNT_];   /* listings with each reason */
} slot;

typedef struct stream {
    slot *slots;
    size_t n_slots;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t next_fill, next_work, next_write;
    int reading_done;
} stream;

typedef struct worker_arg {
    stream *st;
    dj_screen *screen;
} worker_arg;

static void screen_slot(dj_screen *w, slot *b)
{
    dj_buf_reset(&b->out);
    memset(b->by, 0, sizeof b->by);
    memset(b->reasons, 0, sizeof b->reasons);
    dj_xgrow_each(&b->results_cap, (size_t)b->n, 2, (void **const[]){(void **)&b->results, (void **)&b->signals},
                  (const size_t[]){sizeof *b->results, sizeof *b->signals});
    dj_screen_lines(w, b->data, b->lines, (size_t)b->n, &b->out, b->results, b->signals);
    for (long i = 0; i < b->n; i++) {
        int r = b->results[i];
        b->by[r >= 0 ? r : 3]++;
        for (unsigned k = 0, sig = b->signals[i]; sig; k++, sig >>= 1)
            if (sig & 1)
                b->reasons[k]++;
    }
}

static void *worker_main(void *arg)
{
    worker_arg *a = arg;
    stream *st = a->st;
    pthread_mutex_lock(&st->mu);
    for (;;) {
        while (st->next_work >= st->next_fill && !st->reading_done)
            pthread_cond_wait(&st->cv, &st->mu);
        if (st->next_work >= st->next_fill)
            break;
        slot *b = &st->slots[st->next_work % st->n_slots];
        st->next_work++;
        pthread_mutex_unlock(&st->mu);
        screen_slot(a->screen, b);
        pthread_mutex_lock(&st->mu);
        b->state = SLOT_SCREENED;
        pthread_cond_broadcast(&st->cv);
    }
    pthread_mutex_unlock(&st->mu);
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Writes the next screened slot if there is one; called with the lock held.
 * Returns 1 when a slot was written. */
static int write_next(stream *st, const dj_stream_opts *o, dj_stream_stats *stats, dj_lines *rd, int *write_rc)
{
    slot *b = &st->slots[st->next_write % st->n_slots];
    if (st->next_write >= st->next_fill || b->state != SLOT_SCREENED)
        return 0;
    pthread_mutex_unlock(&st->mu);
    if (!*write_rc && b->out.len)
        *write_rc = o->write(b->out.data, b->out.len, o->ud);
    for (int k = 0; k < 4; k++)
        stats->by[k] += b->by[k];
    for (int k = 0; k < DJ_REASON_COUNT_; k++)
        stats->reasons[k] += b->reasons[k];
    stats->lines += (uint64_t)b->n;
    stats->bytes = dj_lines_bytes(rd);
    if (o->progress)
        o->progress(stats, o->ud);
    pthread_mutex_lock(&st->mu);
    b->state = SLOT_FREE;
    st->next_write++;
    pthread_cond_broadcast(&st->cv);
    return 1;
}

dj_rc dj_screen_stream(dj_kb *kb, FILE *in, const dj_stream_opts *o, dj_stream_stats *stats, dj_err *err)
{
    memset(stats, 0, sizeof *stats);
    double t0 = now_s();
    int n_threads = o->n_threads > 0 ? o->n_threads : 1;
    stream st = {0};
    st.n_slots = (size_t)n_threads * 2 + 2;
    st.slots = dj_xcalloc(st.n_slots, sizeof *st.slots);
    for (size_t i = 0; i < st.n_slots; i++)
        dj_buf_init(&st.slots[i].out, (size_t)1 << 34);
    dj_screen **workers = dj_xcalloc((size_t)n_threads, sizeof *workers);
    pthread_t *tids = dj_xcalloc((size_t)n_threads, sizeof *tids);
    worker_arg *args = dj_xcalloc((size_t)n_threads, sizeof *args);
    dj_lines *rd = dj_lines_new(in, o->max_line ? o->max_line : 1 << 20, BATCH_BYTES);
    int n_started = 0, write_rc = 0;
    dj_rc rc = DJ_OK;
    pthread_mutex_init(&st.mu, NULL);
    pthread_cond_init(&st.cv, NULL);
    for (int i = 0; i < n_threads && !rc; i++)
        rc = dj_screen_new(kb, &workers[i], err);
    int threaded = n_threads > 1;
    if (!rc && threaded)
        for (; n_started < n_threads; n_started++) {
            args[n_started] = (worker_arg){&st, workers[n_started]};
            pthread_create(&tids[n_started], NULL, worker_main, &args[n_started]);
        }

    while (!rc) {
        slot *b = &st.slots[st.next_fill % st.n_slots];
        pthread_mutex_lock(&st.mu);
        while (b->state != SLOT_FREE)
            if (!write_next(&st, o, stats, rd, &write_rc))
                pthread_cond_wait(&st.cv, &st.mu);
        pthread_mutex_unlock(&st.mu);
        long n = dj_lines_next(rd, &b->data, &b->data_cap, &b->lines, &b->lines_cap, err);
        if (n < 0)
            rc = err ? err->rc : DJ_EIO;
        if (n <= 0)
            break;
        b->n = n;
        if (!threaded) {
            screen_slot(workers[0], b);
            b->state = SLOT_SCREENED;
            st.next_fill++;
            st.next_work++;
            pthread_mutex_lock(&st.mu);
            write_next(&st, o, stats, rd, &write_rc);
            pthread_mutex_unlock(&st.mu);
        } else {
            pthread_mutex_lock(&st.mu);
            b->state = SLOT_FILLED;
            st.next_fill++;
            pthread_cond_broadcast(&st.cv);
            pthread_mutex_unlock(&st.mu);
        }
    }
    /* Drain: every filled slot is written, even after a read error, so the
     * output holds one line per line read. */
    pthread_mutex_lock(&st.mu);
    st.reading_done = 1;
    pthread_cond_broadcast(&st.cv);
    while (st.next_write < st.next_fill)
        if (!write_next(&st, o, stats, rd, &write_rc))
            pthread_cond_wait(&st.cv, &st.mu);
    pthread_mutex_unlock(&st.mu);
    for (int i = 0; i < n_started; i++)
        pthread_join(tids[i], NULL);
    if (!rc && write_rc)
        rc = dj_err_set(err, DJ_EIO, "writing decisions: %s", strerror(write_rc));
    stats->seconds = now_s() - t0;

    for (int i = 0; i < n_threads; i++)
        dj_screen_free(workers[i]);
    for (size_t i = 0; i < st.n_slots; i++) {
        free(st.slots[i].data);
        free(st.slots[i].lines);
        free(st.slots[i].results);
        free(st.slots[i].signals);
        dj_buf_fini(&st.slots[i].out);
    }
    free(st.slots);
    free(workers);
    free(tids);
    free(args);
    dj_lines_free(rd);
    pthread_mutex_destroy(&st.mu);
    pthread_cond_destroy(&st.cv);
    return rc;
}

int dj_stream_write_file(const char *p, size_t n, void *ud)
{
    return fwrite(p, 1, n, (FILE *)ud) == n ? 0 : (errno ? errno : EIO);
}
