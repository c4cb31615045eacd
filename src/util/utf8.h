/*
 * Strict UTF-8 decoding (RFC 3629): no overlongs, no surrogates, nothing
 * above U+10FFFF. Shared by the JSON reader, the JSON writer and the text
 * normalizer so that "valid UTF-8" means one thing everywhere.
 */
#ifndef DJ_UTIL_UTF8_H
#define DJ_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s[0..n). Returns its length in bytes (1-4) and
 * stores the code point in *cp, or returns 0 when the bytes are not valid
 * UTF-8 (or n is 0). */
size_t dj_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Encodes cp (must be a valid scalar value) into out; returns 1-4. */
size_t dj_utf8_encode(uint32_t cp, char out[4]);

/* Offset of the first invalid byte in s[0..n), or n when all of it is valid. */
size_t dj_utf8_validate(const char *s, size_t n);

#endif
