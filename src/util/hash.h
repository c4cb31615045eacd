/*
 * FNV-1a over bytes: for tables of words and ids where no adversary picks
 * the keys to collide (or a collision costs nothing but a merge), and the
 * hash must be extendable a byte run at a time (a word, then the word and
 * its neighbour).
 */
#ifndef DJ_UTIL_HASH_H
#define DJ_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define DJ_FNV1A_SEED 0xcbf29ce484222325ull

/* h extended by s[0..n): dj_fnv1a(DJ_FNV1A_SEED, s, n) hashes s. */
static inline uint64_t dj_fnv1a(uint64_t h, const void *s, size_t n)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

#endif
