/*
 * English words (dj_text_is_english_word): the embedded SCOWL list
 * (data/text/words_en.txt), put once per process into a Bloom filter of
 * 16 bits a word whose bits for one word share a cache line: a question
 * costs one line (the screen asks about every Latin title word that no
 * mark matched), and the filter, 256 KiB, mostly stays in cache where the
 * list's own 1.2 MB would not. About 1.6 non-words in a thousand pass for
 * a word: a misspelling missed now and then, never a word taken for one.
 */
#include "text/text.h"
#include "util/hash.h"
#include "util/mem.h"

#include <pthread.h>
#include <string.h>

extern const char dj_text__words_en[];

#define WORD_BITS 6 /* bits set per word, in one 512-bit line */

static uint64_t (*word_lines)[8];
static size_t word_mask; /* in lines */
static pthread_once_t words_once = PTHREAD_ONCE_INIT;

static uint64_t word_hash(const char *s, size_t n)
{
    uint64_t h = dj_fnv1a(DJ_FNV1A_SEED, s, n);
    return h ^ (h >> 29);
}

/* The line of hash h, and in *bits the 9-bit positions of its bits. */
static uint64_t *word_line(uint64_t h, unsigned *bits)
{
    uint64_t x = h * 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < WORD_BITS; i++)
        bits[i] = (unsigned)(x >> (9 * i)) & 511;
    return word_lines[(h >> 32) & word_mask];
}

static void index_words(void)
{
    const char *s = dj_text__words_en;
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += *p == '\n';
    size_t lines = 1;
    while (lines * 512 < 16 * n)
        lines *= 2;
    word_lines = dj_xcalloc(lines, sizeof *word_lines);
    word_mask = lines - 1;
    for (const char *p = s; *p;) {
        size_t len = strcspn(p, "\n");
        unsigned bits[WORD_BITS];
        uint64_t *line = word_line(word_hash(p, len), bits);
        for (int i = 0; i < WORD_BITS; i++)
            line[bits[i] / 64] |= 1ull << (bits[i] % 64);
        p += len + (p[len] == '\n');
    }
}

int dj_text_is_english_word(const char *s, size_t n)
{
    pthread_once(&words_once, index_words);
    unsigned bits[WORD_BITS];
    const uint64_t *line = word_line(word_hash(s, n), bits);
    for (int i = 0; i < WORD_BITS; i++)
        if (!(line[bits[i] / 64] >> (bits[i] % 64) & 1))
            return 0;
    return 1;
}
