/*
 * Chinese words (dj_text_zh_reads_as_name): jieba's dictionary
 * (data/text/words_zh.txt, words of 1-4 ideographs and how often each
 * occurs in jieba's corpus), put once per process into an open-addressing
 * table of one 64-bit entry a word: 48 bits of the word's hash and its log
 * count. The question is asked only about a two-character homophone of a
 * brand that the sounds scan found in a title, so a few dozen lookups per
 * question are cheap; the table (4 MiB) is built the first time.
 */
#include "text/text_int.h"
#include "util/hash.h"
#include "util/mem.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

extern const char dj_text__words_zh[];

#define ZH_MAX_WORD 4   /* ideographs in the longest word of the list */
#define ZH_CONTEXT 16   /* ideographs either side of the span looked at */
#define ZH_CROSS_COUNT 10 /* see crosses_a_word() */
#define ZH_LOG_SCALE 1024.0
#define ZH_KEY_MASK (~(uint64_t)0xFFFF)

static uint64_t *zh_slots;
static size_t zh_mask;
static double zh_log_total;
static pthread_once_t zh_once = PTHREAD_ONCE_INIT;

/* The key bits of an entry for hash state h (dj_fnv1a): never 0 (0 marks
 * a free slot). */
static uint64_t zh_key(uint64_t h)
{
    h ^= h >> 31;
    h *= 0x9E3779B97F4A7C15ull;
    return (h & ZH_KEY_MASK) | 0x10000u;
}

static void index_zh(void)
{
    const char *s = dj_text__words_zh;
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += *p == '\n';
    size_t cap = 1;
    while (cap < n + n / 2)
        cap *= 2;
    zh_slots = dj_xcalloc(cap, sizeof *zh_slots);
    zh_mask = cap - 1;
    double total = 0;
    for (const char *p = s; *p;) {
        size_t len = strcspn(p, " \n");
        long count = p[len] == ' ' ? strtol(p + len + 1, NULL, 10) : 1;
        if (count < 1)
            count = 1;
        total += (double)count;
        uint64_t key = zh_key(dj_fnv1a(DJ_FNV1A_SEED, p, len));
        size_t i = (size_t)(key >> 40) & zh_mask;
        while (zh_slots[i] && (zh_slots[i] & ZH_KEY_MASK) != key)
            i = (i + 1) & zh_mask;
        zh_slots[i] = key | (uint64_t)(log((double)count) * ZH_LOG_SCALE + 0.5);
        p += len;
        p += strcspn(p, "\n");
        p += *p == '\n';
    }
    zh_log_total = log(total);
}

/* The log count of the word whose hash state is h, or -1 when the list has
 * no such word. */
static double zh_log_count(uint64_t h)
{
    uint64_t key = zh_key(h);
    for (size_t i = (size_t)(key >> 40) & zh_mask; zh_slots[i]; i = (i + 1) & zh_mask)
        if ((zh_slots[i] & ZH_KEY_MASK) == key)
            return (double)(zh_slots[i] & 0xFFFF) / ZH_LOG_SCALE;
    return -1;
}

static int ideograph_at(const unsigned char *u, size_t i, size_t n)
{
    return i + 3 <= n && u[i] >= 0xE4 && u[i] <= 0xE9 && (u[i + 1] & 0xC0) == 0x80 && (u[i + 2] & 0xC0) == 0x80;
}

/* The log-likelihood of the best split of the characters at[0..m) (byte
 * offsets into s, at[m] their end) into dictionary words, single
 * characters always allowed (an unknown one as a word seen once); with
 * span_from < span_to, the characters span_from..span_to are one word of
 * log count name_log instead, which no other word overlaps. */
static double best_split(const char *s, const uint32_t *at, size_t m, size_t span_from, size_t span_to, double name_log)
{
    double r[2 * ZH_CONTEXT + 8];
    r[m] = 0;
    for (size_t i = m; i-- > 0;) {
        if (i > span_from && i < span_to) {
            r[i] = -HUGE_VAL;
            continue;
        }
        if (i == span_from && span_to > span_from) {
            r[i] = name_log - zh_log_total + r[span_to];
            continue;
        }
        double best = -HUGE_VAL;
        uint64_t h = DJ_FNV1A_SEED;
        for (size_t j = i + 1; j <= m && j <= i + ZH_MAX_WORD; j++) {
            if (i < span_from && j > span_from)
                break; /* would cross into the span */
            h = dj_fnv1a(h, s + at[j - 1], at[j] - at[j - 1]);
            double lc = zh_log_count(h);
            if (lc < 0 && j > i + 1)
                continue;
            double v = (lc < 0 ? 0 : lc) - zh_log_total + r[j];
            if (v > best)
                best = v;
        }
        r[i] = best;
    }
    return r[0];
}

/* 1 when a word of the list seen ZH_CROSS_COUNT times or more takes in a
 * character of the span and one outside it (上衣 of 上衣拼丝绒, where 衣拼
 * sounds like a brand): the unigram split alone can prefer a very common
 * single character (上) to such a word and read the span as a name. */
static int crosses_a_word(const char *s, const uint32_t *at, size_t m, size_t span_from, size_t span_to)
{
    double min_log = log(ZH_CROSS_COUNT);
    for (size_t i = span_from >= ZH_MAX_WORD ? span_from - ZH_MAX_WORD + 1 : 0; i < span_to; i++) {
        uint64_t h = dj_fnv1a(DJ_FNV1A_SEED, s + at[i], at[i + 1] - at[i]);
        for (size_t j = i + 2; j <= m && j <= i + ZH_MAX_WORD; j++) {
            h = dj_fnv1a(h, s + at[j - 1], at[j] - at[j - 1]);
            int crosses = (i < span_from && j > span_from) || (i >= span_from && j > span_to);
            if (crosses && zh_log_count(h) >= min_log)
                return 1;
        }
    }
    return 0;
}

int dj_text_zh_reads_as_name(const char *s, size_t n, size_t from, size_t to)
{
    const unsigned char *u = (const unsigned char *)s;
    if (from >= to || to > n)
        return 0;
    pthread_once(&zh_once, index_zh);
    /* The run of ideographs around the span, ZH_CONTEXT either side. */
    uint32_t at[2 * ZH_CONTEXT + 8];
    size_t left = from, k = 0;
    while (k < ZH_CONTEXT && left >= 3 && ideograph_at(u, left - 3, n))
        left -= 3, k++;
    size_t m = 0, span_from = 0, span_to = 0;
    for (size_t i = left; ideograph_at(u, i, n); i += 3) {
        if (i == from)
            span_from = m;
        if (i >= to && m - span_to >= ZH_CONTEXT)
            break;
        at[m++] = (uint32_t)i;
        if (i + 3 == to)
            span_to = m;
        if (m > 2 * ZH_CONTEXT + 4)
            break;
    }
    if (!span_to || span_to <= span_from || at[span_from] != from)
        return 0; /* not a span of whole ideographs */
    at[m] = at[m - 1] + 3;
    if (crosses_a_word(s, at, m, span_from, span_to))
        return 0;
    double name = log(DJ_TEXT_ZH_NAME_COUNT);
    return best_split(s, at, m, span_from, span_to, name) >= best_split(s, at, m, 0, 0, 0);
}
