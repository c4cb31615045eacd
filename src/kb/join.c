/*
 * Marks by their letters and digits alone (see dj_kb_joined in kb.h): a
 * hash table from key to pattern, behind a Bloom filter that fits in L2, so
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

struct dj_kb_join {
    uint64_t *bloom;   /* 16 bits a key, two probes */
    size_t bloom_mask; /* in bits */
    join_ent *ent;     /* open addressing; key == NULL is empty */
    size_t mask;
};

static int join_sep(unsigned char c)
{
    return c == ' ' || c == '-' || c == '.' || c == '_' || c == '/' || c == '\'' || c == '&' || c == '+';
}

/* The key of a normalized term into out (DJ_KB_JOIN_MAX bytes); 0 when
 * the term is not ASCII letters, digits and separators, has no letter, or
 * its key is out of bounds. */
static size_t term_key(const char *t, size_t n, char *out)
{
    size_t k = 0;
    int letter = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (k == DJ_KB_JOIN_MAX)
                return 0;
            letter |= c >= 'a';
            out[k++] = (char)c;
        } else if (!join_sep(c)) {
            return 0;
        }
    }
    return letter && k >= DJ_KB_JOIN_MIN ? k : 0;
}

static void bloom_bits(const struct dj_kb_join *j, uint64_t h, size_t *a, size_t *b)
{
    *a = (size_t)h & j->bloom_mask;
    *b = (size_t)(h >> 32) & j->bloom_mask;
}

void dj_kb__join_build(dj_kb *kb)
{
    size_t n = 0;
    char key[DJ_KB_JOIN_MAX];
    for (size_t i = 0; i < kb->n_patterns; i++) {
        const dj_kb_pattern *p = &kb->patterns[i];
        n += (p->kind == DJ_PAT_MARK || p->kind == DJ_PAT_NICKNAME || p->kind == DJ_PAT_SIGNAL) &&
             term_key(p->term, p->len, key);
    }
    if (!n)
        return;
    struct dj_kb_join *j = dj_xcalloc(1, sizeof *j);
    size_t cap = 64, bits = 64;
    while (cap < 2 * n)
        cap *= 2;
    while (bits < 16 * n)
        bits *= 2;
    j->ent = dj_xcalloc(cap, sizeof *j->ent);
    j->mask = cap - 1;
    j->bloom = dj_xcalloc(bits / 64, sizeof *j->bloom);
    j->bloom_mask = bits - 1;
    for (size_t i = 0; i < kb->n_patterns; i++) {
        const dj_kb_pattern *p = &kb->patterns[i];
        size_t k;
        if (!(p->kind == DJ_PAT_MARK || p->kind == DJ_PAT_NICKNAME || p->kind == DJ_PAT_SIGNAL) ||
            !(k = term_key(p->term, p->len, key)))
            continue;
        uint64_t h = dj_kb_join_hash(DJ_KB_JOIN_SEED, key, k);
        size_t a, b;
        bloom_bits(j, h, &a, &b);
        j->bloom[a / 64] |= 1ull << (a % 64);
        j->bloom[b / 64] |= 1ull << (b % 64);
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
    free(kb->join->bloom);
    free(kb->join->ent);
    free(kb->join);
    kb->join = NULL;
}

int dj_kb_join_maybe(const dj_kb *kb, uint64_t h)
{
    const struct dj_kb_join *j = kb->join;
    if (!j)
        return 0;
    size_t a, b;
    bloom_bits(j, h, &a, &b);
    return (int)((j->bloom[a / 64] >> (a % 64)) & (j->bloom[b / 64] >> (b % 64)) & 1);
}

size_t dj_kb_joined(const dj_kb *kb, uint64_t h, const char *key, size_t n, uint32_t *pats, size_t max)
{
    const struct dj_kb_join *j = kb->join;
    size_t found = 0;
    if (!dj_kb_join_maybe(kb, h))
        return 0;
    for (size_t s = (size_t)h & j->mask; j->ent[s].key && found < max; s = (s + 1) & j->mask)
        if (j->ent[s].h == h && j->ent[s].len == n && !memcmp(j->ent[s].key, key, n))
            pats[found++] = j->ent[s].pat;
    return found;
}
