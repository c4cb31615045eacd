/*
 * Marks by their letters and digits alone (see dj_kb_joined in kb.h): a
 * hash table from key to pattern, behind Bloom filters that fit in L2, so
 * the screen can try every run of up to three title words and pay a bit
 * test for most of them. Beside it, the marks by the form their spelling
 * variants share (dj_kb_misspelled): one lookup a word. Built once per
 * compiled KB, read-only afterwards.
 */
#include "kb/kb_int.h"
#include "text/text.h"
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

/* A key of the misspelling index: the hash's high half of a mark's
 * spelling form (spelling_form) and the pattern index + 1 (0: an empty slot). */
typedef struct fuzzy_ent {
    uint32_t h;
    uint32_t pat1;
} fuzzy_ent;

struct dj_kb_join {
    bloom all;         /* every key */
    bloom split;       /* keys of terms of several words (louisvuitton) */
    join_ent *ent;     /* open addressing; key == NULL is empty */
    size_t mask;
    bloom fz;          /* every key of the misspelling index */
    fuzzy_ent *fz_ent; /* open addressing on the hash's low bits */
    size_t fz_mask;
    bloom ed;          /* every key of the one-edit index (dj_kb_one_edit) */
    fuzzy_ent *ed_ent; /* a mark's key less one letter after the first, or whole */
    size_t ed_mask;
    const char **forms; /* spelling_form of each pattern in the index, else NULL */
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


/* The form that the spellings of a name around a filter share, into out
 * (n bytes at most); returns its length: y, k and z read as i, c and s
 * (Guccy, Kartier, Vizio), then every run of one letter as one letter
 * (Addidas, Rolexx, Guci for Gucci), and with pads, runs of three or more
 * letters after the first dropped (caaaoach is coach, baleaaanciaga
 * balenciaga). */
static size_t spelling_form(const char *s, size_t n, char *out, int pads)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        char c = s[i] == 'y' ? 'i' : s[i] == 'k' ? 'c' : s[i] == 'z' ? 's' : s[i];
        size_t run = 1;
        while (i + run < n && s[i + run] == s[i])
            run++;
        i += run;
        if ((pads && run >= 3 && k) || (k && out[k - 1] == c))
            continue;
        out[k++] = c;
    }
    return k;
}

/* The hash of s[0..n) without its byte at skip (n: none). */
static uint64_t hash_without(const char *s, size_t n, size_t skip)
{
    uint64_t h = dj_kb_join_hash(DJ_KB_JOIN_SEED, s, skip < n ? skip : n);
    return skip < n ? dj_kb_join_hash(h, s + skip + 1, n - skip - 1) : h;
}

/* The letters-only key of a brand's Latin mark long enough to be
 * misspelled recognizably, into key; 0 when it has none. */
static size_t fuzzy_key(const dj_kb_pattern *p, char *key)
{
    int split;
    size_t k = p->kind == DJ_PAT_MARK ? term_key(p->term, p->len, key, &split) : 0;
    if (k < DJ_KB_FUZZY_MIN)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (key[i] < 'a')
            return 0; /* digits: a model name (ps5), not a word to misspell */
    return k;
}

static void fuzzy_build(dj_kb *kb, struct dj_kb_join *j)
{
    char key[DJ_KB_JOIN_MAX], form[DJ_KB_JOIN_MAX];
    size_t n = 0;
    for (size_t i = 0; i < kb->n_patterns; i++)
        n += fuzzy_key(&kb->patterns[i], key) > 0;
    if (!n)
        return;
    size_t cap = 64;
    while (cap < 2 * n)
        cap *= 2;
    j->fz_ent = dj_xcalloc(cap, sizeof *j->fz_ent);
    j->fz_mask = cap - 1;
    j->forms = dj_xcalloc(kb->n_patterns, sizeof *j->forms);
    bloom_init(&j->fz, n);
    for (size_t i = 0; i < kb->n_patterns; i++) {
        size_t k = fuzzy_key(&kb->patterns[i], key);
        if (!k)
            continue;
        size_t m = spelling_form(key, k, form, 0);
        j->forms[i] = dj_arena_strndup(kb->pool, form, m);
        uint64_t h = dj_kb_join_hash(DJ_KB_JOIN_SEED, form, m);
        bloom_add(&j->fz, h);
        size_t s = (size_t)h & j->fz_mask;
        while (j->fz_ent[s].pat1)
            s = (s + 1) & j->fz_mask;
        j->fz_ent[s] = (fuzzy_ent){(uint32_t)(h >> 32), (uint32_t)i + 1};
    }
    /* The one-edit index: each key whole and less each letter but the
     * first (a word one edit from a mark shares one of these with it: the
     * spelling correctors' "symmetric delete"). */
    size_t n_ed = 0;
    for (size_t i = 0; i < kb->n_patterns; i++)
        n_ed += fuzzy_key(&kb->patterns[i], key);
    cap = 64;
    while (cap < 2 * n_ed)
        cap *= 2;
    j->ed_ent = dj_xcalloc(cap, sizeof *j->ed_ent);
    j->ed_mask = cap - 1;
    bloom_init(&j->ed, n_ed);
    for (size_t i = 0; i < kb->n_patterns; i++) {
        size_t k = fuzzy_key(&kb->patterns[i], key);
        for (size_t d = 1; d <= k; d++) {
            uint64_t h = hash_without(key, k, d);
            bloom_add(&j->ed, h);
            size_t s = (size_t)h & j->ed_mask;
            while (j->ed_ent[s].pat1)
                s = (s + 1) & j->ed_mask;
            j->ed_ent[s] = (fuzzy_ent){(uint32_t)(h >> 32), (uint32_t)i + 1};
        }
    }
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
    fuzzy_build(kb, j);
    kb->join = j;
}

void dj_kb__join_free(dj_kb *kb)
{
    if (!kb->join)
        return;
    free(kb->join->all.w);
    free(kb->join->split.w);
    free(kb->join->ent);
    free(kb->join->fz.w);
    free(kb->join->fz_ent);
    free(kb->join->ed.w);
    free(kb->join->ed_ent);
    free(kb->join->forms);
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

size_t dj_kb_misspelled(const dj_kb *kb, const char *key, size_t n, uint32_t *pats, size_t max)
{
    const struct dj_kb_join *j = kb->join;
    if (!j || !j->fz_ent || n < DJ_KB_FUZZY_MIN - 1 || n > DJ_KB_JOIN_MAX)
        return 0;
    char form[2][DJ_KB_JOIN_MAX], mark[DJ_KB_JOIN_MAX];
    size_t m[2], found = 0;
    int pads = 0; /* a run of three letters after the first: the second form differs */
    for (size_t i = 1; i + 2 < n && !pads; i++)
        pads = key[i] == key[i + 1] && key[i] == key[i + 2];
    m[0] = spelling_form(key, n, form[0], 0);
    m[1] = pads ? spelling_form(key, n, form[1], 1) : 0;
    int english = -1; /* asked once, and only about a word that is a mark's variant */
    for (int f = 0; f <= pads && found < max; f++) {
        uint64_t h = dj_kb_join_hash(DJ_KB_JOIN_SEED, form[f], m[f]);
        if (!bloom_has(&j->fz, h))
            continue;
        for (size_t s = (size_t)h & j->fz_mask; j->fz_ent[s].pat1 && found < max; s = (s + 1) & j->fz_mask) {
            uint32_t pat = j->fz_ent[s].pat1 - 1;
            const char *pf = j->forms[pat];
            if (j->fz_ent[s].h != (uint32_t)(h >> 32) || strlen(pf) != m[f] || memcmp(pf, form[f], m[f]))
                continue;
            size_t k = fuzzy_key(&kb->patterns[pat], mark), seen = 0;
            while (seen < found && pats[seen] != pat)
                seen++;
            if (seen < found || (k == n && !memcmp(key, mark, n)))
                continue; /* found already, or the mark as written */
            if (english < 0)
                english = dj_text_is_english_word(key, n);
            if (english)
                return 0;
            pats[found++] = pat;
        }
    }
    return found;
}

/* 1 when a and b are at most one insertion, deletion, substitution or
 * swap of neighbours apart. */
static int within_one(const char *a, size_t na, const char *b, size_t nb)
{
    if (na > nb)
        return within_one(b, nb, a, na);
    if (nb - na > 1)
        return 0;
    size_t i = 0;
    while (i < na && a[i] == b[i])
        i++;
    if (i == na)
        return 1; /* equal, or b has one more at the end */
    if (na < nb)
        return !memcmp(a + i, b + i + 1, na - i); /* b has one more at i */
    if (!memcmp(a + i + 1, b + i + 1, na - i - 1))
        return 1; /* substituted at i */
    return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] && !memcmp(a + i + 2, b + i + 2, na - i - 2);
}

size_t dj_kb_one_edit(const dj_kb *kb, const char *key, size_t n, uint32_t *pats, size_t max)
{
    const struct dj_kb_join *j = kb->join;
    if (!j || !j->ed_ent || n < DJ_KB_FUZZY_MIN - 1 || n > DJ_KB_JOIN_MAX)
        return 0;
    char mark[DJ_KB_JOIN_MAX];
    size_t found = 0;
    int english = -1;
    for (size_t d = 1; d <= n && found < max; d++) {
        uint64_t h = hash_without(key, n, d);
        if (!bloom_has(&j->ed, h))
            continue;
        for (size_t s = (size_t)h & j->ed_mask; j->ed_ent[s].pat1 && found < max; s = (s + 1) & j->ed_mask) {
            uint32_t pat = j->ed_ent[s].pat1 - 1;
            if (j->ed_ent[s].h != (uint32_t)(h >> 32))
                continue;
            size_t k = fuzzy_key(&kb->patterns[pat], mark), seen = 0;
            while (seen < found && pats[seen] != pat)
                seen++;
            /* One edit; the first letter kept; not the mark, cut short or
             * its plural. */
            if (seen < found || !within_one(key, n, mark, k) || key[0] != mark[0] ||
                (n <= k && !memcmp(key, mark, n)) || (n == k + 1 && !memcmp(key, mark, k) && key[k] == 's'))
                continue;
            if (english < 0)
                english = dj_text_is_english_word(key, n);
            if (english)
                return 0;
            pats[found++] = pat;
        }
    }
    return found;
}
