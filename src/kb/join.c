/*
 * Marks by their letters and digits alone (see dj_kb_joined in kb.h): a
 * hash table from key to pattern, behind Bloom filters that fit in L2, so
 * the screen can try every run of up to three title words and pay a bit
 * test for most of them. Built once per compiled KB, read-only afterwards.
 */
#include "kb/kb_int.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct join_ent {
    uint64_t h;
    const char *key;
    uint32_t len;
    uint32_t pat;
} join_ent;

/* A Bloom filter of 8 bits a key whose two bits share one 64-bit word:
 * one cache line a lookup, and small enough to stay in L2 beside the
 * matcher's tables (~2% false positives). */
typedef struct bloom {
    uint64_t *w;
    size_t mask; /* in words */
} bloom;

struct dj_kb_join {
    bloom all;         /* every key */
    bloom split;       /* keys of terms of several words (louisvuitton) */
    join_ent *ent;     /* open addressing; key == NULL is empty */
    size_t mask;
};

static void bloom_init(bloom *b, size_t keys)
{
    size_t words = 1;
    while (words * 64 < 8 * keys)
        words *= 2;
    b->w = dj_xcalloc(words, sizeof *b->w);
    b->mask = words - 1;
}

static void bloom_add(bloom *b, uint64_t h)
{
    b->w[(h >> 32) & b->mask] |= (1ull << (h & 63)) | (1ull << ((h >> 6) & 63));
}

static int bloom_has(const bloom *b, uint64_t h)
{
    uint64_t w = b->w[(h >> 32) & b->mask];
    return (int)((w >> (h & 63)) & (w >> ((h >> 6) & 63)) & 1);
}

/* The key of a normalized term into out (DJ_KB_JOIN_MAX bytes); 0 when
 * the term is not ASCII letters, digits and separators, has no letter, or
 * its key is out of bounds. *split (may be NULL): the term has several
 * words. */
static size_t term_key(const char *t, size_t n, char *out, int *split)
{
    size_t k = 0;
    int letter = 0;
    if (split)
        *split = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (k == DJ_KB_JOIN_MAX)
                return 0;
            letter |= c >= 'a';
            out[k++] = (char)c;
        } else if (!dj_kb_is_joiner(c)) {
            return 0;
        } else if (split) {
            *split = 1;
        }
    }
    return letter && k >= DJ_KB_JOIN_MIN ? k : 0;
}


void dj_kb__join_build(dj_kb *kb)
{
    size_t n = 0, n_split = 0;
    char key[DJ_KB_JOIN_MAX];
    int split;
    for (size_t i = 0; i < kb->n_patterns; i++) {
        const dj_kb_pattern *p = &kb->patterns[i];
        int keyed = (p->kind == DJ_PAT_MARK || p->kind == DJ_PAT_NICKNAME || p->kind == DJ_PAT_SIGNAL) &&
                    term_key(p->term, p->len, key, &split);
        n += keyed;
        n_split += keyed && split;
    }
    if (!n)
        return;
    struct dj_kb_join *j = dj_xcalloc(1, sizeof *j);
    size_t cap = 64;
    while (cap < 2 * n)
        cap *= 2;
    j->ent = dj_xcalloc(cap, sizeof *j->ent);
    j->mask = cap - 1;
    bloom_init(&j->all, n);
    bloom_init(&j->split, n_split);
    for (size_t i = 0; i < kb->n_patterns; i++) {
        const dj_kb_pattern *p = &kb->patterns[i];
        size_t k;
        if (!(p->kind == DJ_PAT_MARK || p->kind == DJ_PAT_NICKNAME || p->kind == DJ_PAT_SIGNAL) ||
            !(k = term_key(p->term, p->len, key, &split)))
            continue;
        uint64_t h = dj_kb_join_hash(DJ_KB_JOIN_SEED, key, k);
        bloom_add(&j->all, h);
        if (split)
            bloom_add(&j->split, h);
        size_t s = (size_t)h & j->mask;
        while (j->ent[s].key)
            s = (s + 1) & j->mask;
        j->ent[s] = (join_ent){h, dj_arena_strndup(kb->pool, key, k), (uint32_t)k, (uint32_t)i};
    }
    kb->join = j;
}

void dj_kb__join_free(dj_kb *kb)
{
    if (!kb->join)
        return;
    free(kb->join->all.w);
    free(kb->join->split.w);
    free(kb->join->ent);
    free(kb->join);
    kb->join = NULL;
}

int dj_kb_join_maybe(const dj_kb *kb, uint64_t h, int split_only)
{
    const struct dj_kb_join *j = kb->join;
    return j && bloom_has(split_only ? &j->split : &j->all, h);
}

size_t dj_kb_joined(const dj_kb *kb, uint64_t h, const char *key, size_t n, uint32_t *pats, size_t max)
{
    const struct dj_kb_join *j = kb->join;
    size_t found = 0;
    if (!j)
        return 0;
    for (size_t s = (size_t)h & j->mask; j->ent[s].key && found < max; s = (s + 1) & j->mask)
        if (j->ent[s].h == h && j->ent[s].len == n && !memcmp(j->ent[s].key, key, n))
            pats[found++] = j->ent[s].pat;
    return found;
}
