/*
 * Aborting allocators (see mem.h for why aborting is right here).
 */
#include "util/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void oom(size_t n)
{
    fprintf(stderr, "dajia: out of memory allocating %zu bytes\n", n);
    abort();
}

void *dj_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *dj_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *dj_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *dj_xstrdup(const char *s)
{
    return dj_xstrndup(s, strlen(s));
}

char *dj_xstrndup(const char *s, size_t n)
{
    char *p = dj_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void dj_xgrow_each(size_t *cap, size_t need, size_t n, void **const arrays[], const size_t elem[])
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap : 8;
    while (c < need)
        c *= 2;
    for (size_t i = 0; i < n; i++)
        *arrays[i] = dj_xrealloc(*arrays[i], c * elem[i]);
    *cap = c;
}

void dj_xgrow(void **p, size_t *cap, size_t need, size_t elem)
{
    dj_xgrow_each(cap, need, 1, (void **const[]){p}, (const size_t[]){elem});
}

#define HUGE_PAGE ((size_t)2 << 20)

void *dj_xhuge(size_t n)
{
    /* Over-map by a huge page and trim, so the region starts on a 2 MiB
     * boundary (mmap only promises 4 KiB): unaligned, the kernel could
     * back none of it with huge pages. */
    size_t len = (n ? n : 1) + HUGE_PAGE;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        oom(n);
    uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    size_t head = a - (uintptr_t)p, tail = len - head - (n ? n : 1);
    if (head)
        munmap(p, head);
    if (tail)
        munmap((char *)a + (n ? n : 1), tail);
#ifdef MADV_HUGEPAGE
    madvise((void *)a, n ? n : 1, MADV_HUGEPAGE); /* advice: fine if refused */
#endif
    return (void *)a;
}

void dj_xhuge_free(void *p, size_t n)
{
    if (p)
        munmap(p, n ? n : 1);
}
