/*
 * Allocation that never returns NULL: on out-of-memory these print a message
 * and abort, as Redis's zmalloc does. Input cannot drive us out of memory
 * because every input-driven size is bounded and reported as DJ_ETOOBIG, so an
 * allocation failure here is an environment failure, not an input error.
 */
#ifndef DJ_UTIL_MEM_H
#define DJ_UTIL_MEM_H

#include <stddef.h>

void *dj_xmalloc(size_t n);
void *dj_xcalloc(size_t n, size_t size);
void *dj_xrealloc(void *p, size_t n);
char *dj_xstrdup(const char *s);
char *dj_xstrndup(const char *s, size_t n);
/* Grows *p (of *cap elements of size elem) to hold at least need elements,
 * doubling. Used for the many small growable arrays. */
void dj_xgrow(void **p, size_t *cap, size_t need, size_t elem);
/* The same for n parallel arrays that share one capacity: *arrays[i] has
 * elements of elem[i] bytes. */
void dj_xgrow_each(size_t *cap, size_t need, size_t n, void **const arrays[], const size_t elem[]);

/* Zeroed memory for big read-mostly indexes that are probed at random
 * (the image banks): mapped on its own and, where the kernel allows,
 * backed by 2 MiB pages, so that a probe costs a cache miss and not also
 * a TLB miss and a page walk. Free with dj_xhuge_free and the same size. */
void *dj_xhuge(size_t n);
void dj_xhuge_free(void *p, size_t n);

#endif
