/*
 * Live re-screening. When a new KB version goes live, every live or held
 * listing is screened again in a background thread, in batches read from
 * the store; listings that now reach block are taken down (removed), those
 * that reach review join the queue, held ones that are now clean are
 * released; each batch is one transaction, and progress is on the job.
 * In shadow mode nothing is applied: the job reports what would change,
 * with examples. A newer KB cancels the running job (its successor covers
 * every listing again). The API keeps serving throughout: the thread only
 * shares the store's connection pool.
 */
#include "http/http_int.h"
#include "store/store.h"
#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#endif
#include <unistd.h>

typedef struct item {
    char *id;
    long long version;
    char *body;
    size_t body_len;
    char decision[8];
    char status[8];
} item;

typedef struct batch {
    item *items;
    size_t n, cap;
} batch;

static int take(void *ud, long long seq, const char *id, long long version, const char *body, size_t len,
                const char *decision, const char *status)
{
    (void)seq;
    batch *b = ud;
    dj_xgrow((void **)&b->items, &b->cap, b->n + 1, sizeof *b->items);
    item *it = &b->items[b->n++];
    it->id = dj_xstrdup(id);
    it->version = version;
    it->body = dj_xstrndup(body, len);
    it->body_len = len;
    snprintf(it->decision, sizeof it->decision, "%s", decision);
    snprintf(it->status, sizeof it->status, "%s", status);
    return 0;
}

static void batch_clear(batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->items[i].id);
        free(b->items[i].body);
    }
    b->n = 0;
}

/* Up to 5 example ids per kind of change, for the job's result. */
typedef struct examples {
    char ids[3][5][80];
    int n[3];
} examples;

static void add_example(examples *ex, int kind, const char *id)
{
    if (ex->n[kind] < 5)
        snprintf(ex->ids[kind][ex->n[kind]++], 80, "%s", id);
}

static void result_json(dj_buf *b, long long checked, long long counts[3], const examples *ex, int shadow,
                        const char *kb_version)
{
    static const char *const names[3] = {"newly_blocked", "newly_held", "released"};
    dj_buf_reset(b);
    dj_buf_printf(b, "{\"kb_version\":");
    dj_buf_add_json_str(b, kb_version, strlen(kb_version));
    dj_buf_printf(b, ",\"shadow\":%s,\"checked\":%lld", shadow ? "true" : "false", checked);
    for (int k = 0; k < 3; k++)
        dj_buf_printf(b, ",\"%s\":%lld", names[k], counts[k]);
    dj_buf_adds(b, ",\"examples\":{");
    for (int k = 0; k < 3; k++) {
        dj_buf_printf(b, "%s\"%s\":[", k ? "," : "", names[k]);
        for (int i = 0; i < ex->n[k]; i++) {
            if (i)
                dj_buf_addc(b, ',');
            dj_buf_add_json_str(b, ex->ids[k][i], strlen(ex->ids[k][i]));
        }
        dj_buf_addc(b, ']');
    }
    dj_buf_adds(b, "}}");
}

/* The job runs at a lower priority than the request threads (nice 10:
 * about a tenth of a core's share against busy ones): alone it has the
 * machine, under load the API comes first. Measured on 2 cores, a re-screen
 * of 260,000 listings under wrk: /v1/screen 13.8k -> 17.0k req/s while it
 * ran, the job 8.8 -> 10.3 s (medians of 5 and 8 runs). Linux applies a
 * nice value per thread; the thread is named for top -H and ps. */
static void lower_priority(void)
{
#ifdef __linux__
    prctl(PR_SET_NAME, "dj-rescreen", 0, 0, 0);
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10) != 0)
        dj_log(DJ_LOG_WARN, "msg=\"re-screen: could not lower its priority\" error=\"%s\"", strerror(errno));
#endif
    /* For tests/integration/service.py: holds the job so that the test can
     * see its thread's name and priority (a small store's job is over in
     * milliseconds). */
    const char *hold = getenv("DAJIA_TEST_RESCREEN_HOLD_MS");
    if (hold)
        usleep((useconds_t)atoi(hold) * 1000);
}

static void *rescreen_main(void *arg)
{
    dj_rescreen *job = arg;
    lower_priority();
    dj_store *st = job->store;
    dj_err err = {0};
    dj_screen *w = NULL;
    batch b = {0};
    dj_store_change *ch = NULL;
    size_t ch_cap = 0;
    long long counts[3] = {0, 0, 0}, checked = 0, total = 0, held = 0, live = 0;
    examples ex;
    memset(&ex, 0, sizeof ex);
    dj_buf res;
    dj_buf_init(&res, 1 << 20);
    dj_arena *arena = dj_arena_new(1 << 16);
    dj_listing *ls = NULL;
    size_t ls_cap = 0;
    char job_id[24];
    snprintf(job_id, sizeof job_id, "%lld", job->job_id);
    const char *kbv = dj_kb_version(job->kb);
    dj_rc rc = dj_screen_new(job->kb, &w, &err);
    /* Re-screening reads every listing again: matches it finds are not
     * new traffic, so they do not count towards a flood. */
    if (!rc)
        dj_screen_set_banks(w, job->banks, 0);
    if (!rc)
        rc = dj_store_count(st, DJ_STATUS_LIVE, &live, &err);
    if (!rc)
        rc = dj_store_count(st, DJ_STATUS_HELD, &held, &err);
    total = live + held;
    if (!rc)
        rc = dj_store_job_update(st, job->job_id, "running", 0, total, NULL, &err);
    long long after = 0;
    while (!rc && !atomic_load(&job->cancel)) {
        batch_clear(&b);
        long long last = after;
        if ((rc = dj_store_live_batch(st, after, job->batch, take, &b, &last, &err)) || b.n == 0)
            break;
        after = last;
        size_t n_ch = 0;
        dj_xgrow((void **)&ch, &ch_cap, b.n, sizeof *ch);
        /* The batch's listings are parsed first and their images searched
         * together; the arena holds them and the changes until applied. */
        dj_arena_reset(arena);
        size_t cap = ls_cap;
        dj_xgrow((void **)&ls, &cap, b.n, sizeof *ls);
        ls_cap = cap;
        for (size_t i = 0; i < b.n; i++)
            if (dj_listing_parse(b.items[i].body, b.items[i].body_len, arena, &ls[i], NULL))
                memset(&ls[i], 0, sizeof ls[i]); /* no title: skipped below */
        dj_screen_prepare(w, ls, b.n);
        for (size_t i = 0; i < b.n; i++) {
            item *it = &b.items[i];
            dj_decision d;
            checked++;
            if (!ls[i].title.s || dj_screen_listing(w, &ls[i], &d, NULL))
                continue; /* it was valid when stored; a KB cannot make it unreadable */
            const char *now = dj_decide_name(d.decision);
            const char *status = NULL, *reason = NULL;
            int kind = -1;
            if (d.decision == DJ_DECIDE_BLOCK) {
                status = !strcmp(it->status, DJ_STATUS_LIVE) ? DJ_STATUS_REMOVED : DJ_STATUS_BLOCKED;
                reason = "re-screened with a new knowledge base: block";
                kind = 0;
            } else if (d.decision == DJ_DECIDE_REVIEW && !strcmp(it->status, DJ_STATUS_LIVE)) {
                status = DJ_STATUS_HELD;
                reason = "re-screened with a new knowledge base: review";
                kind = 1;
            } else if (d.decision == DJ_DECIDE_ALLOW && !strcmp(it->status, DJ_STATUS_HELD)) {
                status = DJ_STATUS_LIVE;
                reason = "re-screened with a new knowledge base: released";
                kind = 2;
            }
            if (kind < 0)
                continue;
            counts[kind]++;
            add_example(&ex, kind, it->id);
            if (job->shadow)
                continue;
            ch[n_ch++] = (dj_store_change){it->id, it->version, now, d.score, d.brand_id ? dj_arena_strndup(arena, d.brand_id, strlen(d.brand_id)) : NULL,
                                           dj_arena_strndup(arena, d.reasons, d.reasons_len), d.reasons_len, status,
                                           reason};
        }
        if (n_ch)
            rc = dj_store_rescreen_apply(st, ch, n_ch, kbv, job_id, &err);
        if (!rc) {
            result_json(&res, checked, counts, &ex, job->shadow, kbv);
            rc = dj_store_job_update(st, job->job_id, "running", checked, total > checked ? total : checked, res.data,
                                     &err);
        }
    }
    result_json(&res, checked, counts, &ex, job->shadow, kbv);
    const char *final = rc ? "failed" : atomic_load(&job->cancel) ? "cancelled" : "done";
    if (rc) {
        /* Keep the reason on the job; the log says it too. */
        dj_buf_reset(&res);
        dj_buf_adds(&res, "{\"error\":");
        dj_buf_add_json_str(&res, err.msg, strlen(err.msg));
        dj_buf_addc(&res, '}');
        dj_log(DJ_LOG_ERROR, "msg=\"re-screen failed\" job=%lld error=\"%s\"", job->job_id, err.msg);
    }
    dj_store_job_update(st, job->job_id, final, checked, total > checked ? total : checked, res.data, NULL);
    dj_log(DJ_LOG_INFO, "msg=\"re-screen %s\" job=%lld checked=%lld blocked=%lld held=%lld released=%lld", final,
           job->job_id, checked, counts[0], counts[1], counts[2]);
    batch_clear(&b);
    free(b.items);
    free(ch);
    dj_buf_fini(&res);
    dj_arena_free(arena);
    free(ls);
    dj_screen_free(w);
    atomic_store(&job->finished, 1);
    return NULL;
}

dj_rc dj_http__rescreen_start(dj_http *h, dj_kb *kb, int shadow, const char *actor, long long *job_id, dj_err *err)
{
    char params[128];
    snprintf(params, sizeof params, "{\"kb_version\":\"%s\",\"shadow\":%s}", dj_kb_version(kb),
             shadow ? "true" : "false");
    long long id;
    dj_banks *banks = NULL;
    dj_rc rc = dj_http__banks_build(h, kb, &banks, err);
    if (!rc)
        rc = dj_store_job_create(h->opts.store, shadow ? "shadow" : "rescreen", params, actor, &id, err);
    if (rc) {
        dj_banks_unref(banks);
        return rc;
    }
    dj_rescreen *job = dj_xcalloc(1, sizeof *job);
    job->banks = banks;
    job->store = h->opts.store;
    job->kb = dj_kb_ref(kb);
    job->shadow = shadow;
    job->job_id = id;
    job->batch = h->opts.rescreen_batch > 0 ? h->opts.rescreen_batch : 2000;
    pthread_mutex_lock(&h->jobs_mu);
    /* A live re-screen supersedes the previous one; shadow runs do not
     * touch listings, so they run beside it. */
    if (!shadow)
        for (dj_rescreen *j = h->jobs; j; j = j->next)
            if (!j->shadow)
                atomic_store(&j->cancel, 1);
    job->next = h->jobs;
    h->jobs = job;
    pthread_create(&job->thread, NULL, rescreen_main, job);
    /* Reap finished jobs. */
    for (dj_rescreen **p = &h->jobs; *p;) {
        dj_rescreen *j = *p;
        if (j != job && atomic_load(&j->finished)) {
            pthread_join(j->thread, NULL);
            *p = j->next;
            dj_kb_unref(j->kb);
            dj_banks_unref(j->banks);
            free(j);
        } else {
            p = &j->next;
        }
    }
    pthread_mutex_unlock(&h->jobs_mu);
    *job_id = id;
    return DJ_OK;
}

void dj_http__rescreen_stop_all(dj_http *h)
{
    pthread_mutex_lock(&h->jobs_mu);
    for (dj_rescreen *j = h->jobs; j; j = j->next)
        atomic_store(&j->cancel, 1);
    while (h->jobs) {
        dj_rescreen *j = h->jobs;
        h->jobs = j->next;
        pthread_join(j->thread, NULL);
        dj_kb_unref(j->kb);
        dj_banks_unref(j->banks);
        free(j);
    }
    pthread_mutex_unlock(&h->jobs_mu);
}
