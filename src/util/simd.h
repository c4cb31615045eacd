/*
 * SSE2 helpers for the byte-scanning fast paths (JSON strings, listing
 * fields, the normalizer's ASCII words): 16 bytes tested at once, the
 * first interesting one found with a mask instead of a mispredicted loop
 * exit. SSE2 is part of x86-64; elsewhere DJ_SIMD is 0 and callers keep
 * their byte loops.
 */
#ifndef DJ_UTIL_SIMD_H
#define DJ_UTIL_SIMD_H

#ifdef __SSE2__
#define DJ_SIMD 1
#include <emmintrin.h>

/* 16 bytes from p, any alignment. */
static inline __m128i dj_simd_load(const char *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* 0xFF in each byte of v within [lo, hi]. Compares are signed: bytes
 * 0x80-0xFF are negative, below any ASCII range (lo > -128). */
static inline __m128i dj_simd_in_range(__m128i v, signed char lo, signed char hi)
{
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1))));
}

/* One bit per byte of v: its top bit (bit i for byte i). */
static inline unsigned dj_simd_mask(__m128i v)
{
    return (unsigned)_mm_movemask_epi8(v);
}
#else
#define DJ_SIMD 0
#endif

#endif
