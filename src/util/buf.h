/*
 * dj_buf: a growable byte buffer with a hard maximum (curl's dynbuf). Every
 * append that would pass the maximum fails with DJ_ETOOBIG and leaves the
 * buffer as it was, so input-driven growth is always bounded. The content is
 * kept NUL-terminated for convenience; len excludes the NUL.
 *
 * The struct is public because callers embed it (dj_buf_init/dj_buf_fini).
 */
#ifndef DJ_UTIL_BUF_H
#define DJ_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/err.h"

typedef struct dj_buf {
    char *data;     /* read-only for callers: the bytes, NUL-terminated */
    size_t len;     /* read-only: bytes used, excluding the NUL */
    size_t cap;     /* private: bytes allocated */
    size_t max;     /* private: hard limit on len */
} dj_buf;

void dj_buf_init(dj_buf *b, size_t max);
void dj_buf_fini(dj_buf *b);
/* Empties the buffer, keeping its allocation. */
void dj_buf_reset(dj_buf *b);
/* A new hard limit, for a buffer reused for something else (len <= max). */
void dj_buf_limit(dj_buf *b, size_t max);
/* Makes room for n more bytes; DJ_ETOOBIG past the maximum. */
dj_rc dj_buf_reserve(dj_buf *b, size_t n);
static inline dj_rc dj_buf_add(dj_buf *b, const void *p, size_t n);
static inline dj_rc dj_buf_addc(dj_buf *b, char c);
static inline dj_rc dj_buf_adds(dj_buf *b, const char *s);
dj_rc dj_buf_printf(dj_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s[0..n) as a JSON string literal, quotes included. Invalid UTF-8
 * bytes become U+FFFD so the output is always valid JSON. */
dj_rc dj_buf_add_json_str(dj_buf *b, const char *s, size_t n);
/* Appends a number the way JSON wants it (no NaN/inf; shortest round-trip
 * up to 6 significant digits is enough for scores and prices). */
dj_rc dj_buf_add_json_num(dj_buf *b, double v);
/* Hands the data to the caller (free() it) and leaves b empty. */
char *dj_buf_steal(dj_buf *b, size_t *len);

/* Appends that fit the allocation are inline: decision lines are built
 * of dozens of short pieces, most of them literals whose length the
 * compiler then knows. */
dj_rc dj_buf__add_slow(dj_buf *b, const void *p, size_t n);

static inline dj_rc dj_buf_add(dj_buf *b, const void *p, size_t n)
{
    /* cap is 0 until the first allocation, then always more than len. */
    if (n >= b->cap - b->len || n > b->max - b->len)
        return dj_buf__add_slow(b, p, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return DJ_OK;
}

static inline dj_rc dj_buf_addc(dj_buf *b, char c)
{
    return dj_buf_add(b, &c, 1);
}

static inline dj_rc dj_buf_adds(dj_buf *b, const char *s)
{
    return dj_buf_add(b, s, strlen(s));
}

#endif
