/*
 * A strict, allocation-free JSON reader for the hot path (listing lines and
 * request bodies), where jansson's DOM costs more than the whole screen.
 * It is a cursor: the caller walks an object field by field and asks for
 * the type it expects, so a wrong type is reported with the field's name.
 *
 * Strictness follows RFC 8259: no trailing commas, no comments, no NaN,
 * strings must be valid UTF-8 without raw control characters, numbers in
 * JSON grammar. Strings without escapes are returned as pointers into the
 * input (zero copy); strings with escapes are decoded into an arena.
 * Errors say what was expected and the byte offset ("at byte 57: ...").
 */
#ifndef DJ_UTIL_JSON_H
#define DJ_UTIL_JSON_H

#include <stddef.h>

#include "util/arena.h"
#include "util/err.h"

typedef struct dj_jcur {
    const char *beg;   /* private: start of the input (for offsets) */
    const char *p;     /* private: current position */
    const char *end;   /* private: end of the input */
    dj_arena *arena;   /* private: where escaped strings are decoded */
    int max_depth;     /* private: nesting limit for skipped values */
} dj_jcur;

typedef enum {
    DJ_JSON_END = 0,   /* no more input */
    DJ_JSON_OBJECT,
    DJ_JSON_ARRAY,
    DJ_JSON_STRING,
    DJ_JSON_NUMBER,
    DJ_JSON_TRUE,
    DJ_JSON_FALSE,
    DJ_JSON_NULL,
    DJ_JSON_BAD,       /* a byte no JSON value starts with */
} dj_json_type;

/* The end of the run of bytes from p (before end) that stand in a JSON
 * string as they are: it stops at a quote, a backslash, a control
 * character or the first byte of invalid UTF-8 (end when none). The reader
 * and the writer (dj_buf_add_json_str) share it. */
const char *dj_json_plain(const char *p, const char *end);

/* Starts reading s[0..n); escaped strings are decoded into arena. */
void dj_jcur_init(dj_jcur *c, const char *s, size_t n, dj_arena *arena);

/* Type of the next value (after white space) without consuming it. */
dj_json_type dj_jcur_peek(dj_jcur *c);

/* Byte offset of the cursor, for messages. */
size_t dj_jcur_offset(const dj_jcur *c);

/* Consumes '{'. */
dj_rc dj_jcur_object_begin(dj_jcur *c, dj_err *err);
/* Reads the next key of an object. Returns DJ_OK with *key set, or
 * DJ_ENOTFOUND when the object closed ('}' consumed). Handles commas. */
dj_rc dj_jcur_object_next(dj_jcur *c, const char **key, size_t *key_len, dj_err *err);
/* Consumes '['. */
dj_rc dj_jcur_array_begin(dj_jcur *c, dj_err *err);
/* DJ_OK when another element follows (cursor at it), DJ_ENOTFOUND when the
 * array closed (']' consumed). */
dj_rc dj_jcur_array_next(dj_jcur *c, dj_err *err);

dj_rc dj_jcur_string(dj_jcur *c, const char **s, size_t *len, dj_err *err);
dj_rc dj_jcur_number(dj_jcur *c, double *v, dj_err *err);
dj_rc dj_jcur_bool(dj_jcur *c, int *v, dj_err *err);
/* Consumes null; DJ_ENOTFOUND (nothing consumed) when the value is not null. */
dj_rc dj_jcur_null(dj_jcur *c);
/* Validates and skips any value, nesting up to max_depth (default 32). */
dj_rc dj_jcur_skip(dj_jcur *c, dj_err *err);
/* After the top-level value: only white space may remain. */
dj_rc dj_jcur_finish(dj_jcur *c, dj_err *err);

#endif
