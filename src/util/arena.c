/*
 * Chunked bump allocator. Invariant: a->head is the chunk being filled;
 * older chunks hang off head->next and are only freed by reset/free.
 */
#include "util/arena.h"
#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct chunk {
    struct chunk *next;
    size_t cap;   /* usable bytes in data */
    size_t used;  /* bytes handed out */
    _Alignas(16) unsigned char data[];
} chunk;

struct dj_arena {
    chunk *head;
    size_t chunk_size;
};

static chunk *chunk_new(size_t cap)
{
    chunk *c = dj_xmalloc(sizeof *c + cap);
    c->next = NULL;
    c->cap = cap;
    c->used = 0;
    return c;
}

dj_arena *dj_arena_new(size_t chunk_size)
{
    dj_arena *a = dj_xmalloc(sizeof *a);
    a->chunk_size = chunk_size < 256 ? 256 : chunk_size;
    a->head = chunk_new(a->chunk_size);
    return a;
}

void dj_arena_free(dj_arena *a)
{
    if (!a)
        return;
    chunk *c = a->head;
    while (c) {
        chunk *n = c->next;
        free(c);
        c = n;
    }
    free(a);
}

size_t dj_arena_reset(dj_arena *a)
{
    /* Keep the largest chunk: it is the working size of a typical request. */
    chunk *keep = a->head, *c = a->head;
    for (; c; c = c->next)
        if (c->cap > keep->cap)
            keep = c;
    c = a->head;
    while (c) {
        chunk *n = c->next;
        if (c != keep)
            free(c);
        c = n;
    }
    keep->next = NULL;
    keep->used = 0;
    a->head = keep;
    return keep->cap;
}

size_t dj_arena_used(const dj_arena *a)
{
    size_t n = 0;
    for (const chunk *c = a->head; c; c = c->next)
        n += c->used;
    return n;
}

void *dj_arena_alloc(dj_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    chunk *c = a->head;
    if (c->cap - c->used < n) {
        size_t cap = n > a->chunk_size ? n : a->chunk_size;
        /* Grow geometrically so one large request does not cost many mallocs. */
        if (cap < c->cap * 2 && c->cap * 2 <= (size_t)64 << 20)
            cap = c->cap * 2 > n ? c->cap * 2 : n;
        chunk *nc = chunk_new(cap);
        nc->next = c;
        a->head = c = nc;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

char *dj_arena_strndup(dj_arena *a, const char *s, size_t n)
{
    char *p = dj_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
