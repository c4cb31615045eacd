/*
 * The KB slot: a pointer and a mutex. The critical section is one pointer
 * load and one atomic increment, so readers never wait on a compile (which
 * happens before dj_kb_slot_set is called) and barely on each other.
 */
#include "kb/kb.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdlib.h>

struct dj_kb_slot {
    pthread_mutex_t mu;
    dj_kb *kb;
};

dj_kb_slot *dj_kb_slot_new(dj_kb *kb)
{
    dj_kb_slot *s = dj_xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    s->kb = kb ? dj_kb_ref(kb) : NULL;
    return s;
}

void dj_kb_slot_free(dj_kb_slot *s)
{
    if (!s)
        return;
    dj_kb_unref(s->kb);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

dj_kb *dj_kb_slot_get(dj_kb_slot *s)
{
    pthread_mutex_lock(&s->mu);
    dj_kb *kb = s->kb ? dj_kb_ref(s->kb) : NULL;
    pthread_mutex_unlock(&s->mu);
    return kb;
}

void dj_kb_slot_set(dj_kb_slot *s, dj_kb *kb)
{
    dj_kb *old;
    if (kb)
        dj_kb_ref(kb);
    pthread_mutex_lock(&s->mu);
    old = s->kb;
    s->kb = kb;
    pthread_mutex_unlock(&s->mu);
    dj_kb_unref(old); /* outside the lock: freeing a KB takes a while */
}
