/*
 * Arena: memory that lives for one request or one scanned line and is freed
 * in one go (nginx's ngx_pool_t). Allocation is a pointer bump inside chunks;
 * dj_arena_reset keeps the first chunk so a reused arena stops allocating
 * once it has grown to its working size. Not thread-safe: one per worker.
 */
#ifndef DJ_UTIL_ARENA_H
#define DJ_UTIL_ARENA_H

#include <stddef.h>

typedef struct dj_arena dj_arena;

/* New arena whose chunks are at least chunk_size bytes. Free with
 * dj_arena_free. */
dj_arena *dj_arena_new(size_t chunk_size);
void dj_arena_free(dj_arena *a);

/* Releases everything allocated from a; keeps the largest chunk for reuse
 * and returns its size in bytes. */
size_t dj_arena_reset(dj_arena *a);

/* Bytes handed out since the last reset (what a caller that should reset
 * and does not would see grow). */
size_t dj_arena_used(const dj_arena *a);

/* n bytes aligned to 16; never NULL (aborts on OOM like dj_xmalloc). */
void *dj_arena_alloc(dj_arena *a, size_t n);
/* Copy of s[0..n) plus a NUL, in the arena. */
char *dj_arena_strndup(dj_arena *a, const char *s, size_t n);

#endif
