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

#define ZH_RUN_MAX (2 * ZH_CONTEXT + 6) /* ideographs looked at: context, span, context */

/* A run of ideographs (three bytes each) and, for each word of it that
 * starts at character i and has k + 1 characters, its log count in
 * lc[i][k], or -1 when the list has no such word: every word is looked up
 * once, for both splits and the crossing test. */
typedef struct zh_run {
    size_t m;
    double lc[ZH_RUN_MAX][ZH_MAX_WORD];
} zh_run;

static void zh_run_words(zh_run *r, const char *run, size_t m)
{
    r->m = m;
    for (size_t i = 0; i < m; i++) {
        uint64_t h = DJ_FNV1A_SEED;
        for (size_t k = 0; k < ZH_MAX_WORD; k++) {
            r->lc[i][k] = -1;
            if (i + k < m) {
                h = dj_fnv1a(h, run + 3 * (i + k), 3);
                r->lc[i][k] = zh_log_count(h);
            }
        }
    }
}

/* The log-likelihood of the best split of the run into dictionary words,
 * single characters always allowed (an unknown one as a word seen once);
 * with span_from < span_to, the characters span_from..span_to are one
 * word of log count name_log instead, which no other word overlaps. */
static double best_split(const zh_run *r, size_t span_from, size_t span_to, double name_log)
{
    double best_from[ZH_RUN_MAX + 1];
    best_from[r->m] = 0;
    for (size_t i = r->m; i-- > 0;) {
        if (i > span_from && i < span_to) {
            best_from[i] = -HUGE_VAL;
            continue;
        }
        if (i == span_from && span_to > span_from) {
            best_from[i] = name_log - zh_log_total + best_from[span_to];
            continue;
        }
        double best = -HUGE_VAL;
        for (size_t k = 0; k < ZH_MAX_WORD && i + k < r->m; k++) {
            size_t j = i + k + 1;
            if (i < span_from && j > span_from)
                break; /* would cross into the span */
            double lc = r->lc[i][k];
            if (lc < 0 && k > 0)
                continue;
            double v = (lc < 0 ? 0 : lc) - zh_log_total + best_from[j];
            if (v > best)
                best = v;
        }
        best_from[i] = best;
    }
    return best_from[0];
}

/* 1 when a word of the list seen ZH_CROSS_COUNT times or more takes in a
 * character of the span and one outside it (上衣 of 上衣拼丝绒, where 衣拼
 * sounds like a brand): the unigram split alone can prefer a very common
 * single character (上) to such a word and read the span as a name. */
static int crosses_a_word(const zh_run *r, size_t span_from, size_t span_to)
{
    double min_log = log(ZH_CROSS_COUNT);
    for (size_t i = span_from >= ZH_MAX_WORD ? span_from - ZH_MAX_WORD + 1 : 0; i < span_to; i++)
        for (size_t k = 1; k < ZH_MAX_WORD && i + k < r->m; k++) {
            size_t j = i + k + 1;
            int crosses = (i < span_from && j > span_from) || (i >= span_from && j > span_to);
            if (crosses && r->lc[i][k] >= min_log)
                return 1;
        }
    return 0;
}

int dj_text_zh_reads_as_name(const char *s, size_t n, size_t from, size_t to)
{
    const unsigned char *u = (const unsigned char *)s;
    if (from >= to || to > n || (to - from) % 3 || (to - from) / 3 > ZH_RUN_MAX - 2 * ZH_CONTEXT)
        return 0;
    for (size_t i = from; i < to; i += 3)
        if (!ideograph_at(u, i, n))
            return 0; /* not a span of whole ideographs */
    pthread_once(&zh_once, index_zh);
    /* The run of ideographs around the span, ZH_CONTEXT either side. */
    size_t left = from, right = to;
    for (size_t k = 0; k < ZH_CONTEXT && left >= 3 && ideograph_at(u, left - 3, n); k++)
        left -= 3;
    for (size_t k = 0; k < ZH_CONTEXT && ideograph_at(u, right, n); k++)
        right += 3;
    zh_run r;
    zh_run_words(&r, s + left, (right - left) / 3);
    size_t span_from = (from - left) / 3, span_to = (to - left) / 3;
    if (crosses_a_word(&r, span_from, span_to))
        return 0;
    double name = log(DJ_TEXT_ZH_NAME_COUNT);
    return best_split(&r, span_from, span_to, name) >= best_split(&r, 0, 0, 0);
}
