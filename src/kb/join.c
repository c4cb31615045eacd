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

/* Patterns by a hash of some form of their key: a Bloom filter in front
 * of an open-addressing table (the misspelling and one-edit indexes). */
typedef struct mark_index {
    bloom b;
    fuzzy_ent *ent; /* NULL: empty index */
    size_t mask;
} mark_index;

struct dj_kb_join {
    bloom all;         /* every key */
    bloom split;       /* keys of terms of several words (louisvuitton) */
    join_ent *ent;     /* open addressing; key == NULL is empty */
    size_t mask;
    mark_index fz;     /* marks by spelling_form (dj_kb_misspelled) */
    mark_index ed;     /* marks by key less one letter after the first, or whole (dj_kb_one_edit) */
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
    /* A pinyin spelling is itself a disguise: its misspellings are not looked for. */
    size_t k = p->kind == DJ_PAT_MARK && !p->pinyin ? term_key(p->term, p->len, key, &split) : 0;
    if (k < DJ_KB_FUZZY_MIN)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (key[i] < 'a')
            return 0; /* digits: a model name (ps5), not a word to misspell */
    return k;
}

/* Slots for an open-addressing table of n keys: a power of two, at most
 * half full. */
static size_t table_slots(size_t n)
{
    size_t cap = 64;
    while (cap < 2 * n)
        cap *= 2;
    return cap;
}

static void index_init(mark_index *x, size_t n)
{
    size_t cap = table_slots(n);
    x->ent = dj_xcalloc(cap, sizeof *x->ent);
    x->mask = cap - 1;
    bloom_init(&x->b, n);
}

static void index_add(mark_index *x, uint64_t h, uint32_t pat)
{
    bloom_add(&x->b, h);
    size_t s = (size_t)h & x->mask;
    while (x->ent[s].pat1)
        s = (s + 1) & x->mask;
    x->ent[s] = (fuzzy_ent){(uint32_t)(h >> 32), pat + 1};
}

static void index_free(mark_index *x)
{
    free(x->b.w);
    free(x->ent);
}

/* Whether pattern pat, found under a key's hash, is what the key names
 * (the lookup's own test: same form, or one edit). */
typedef int (*index_accept)(const dj_kb *kb, uint32_t pat, const char *key, size_t n, const void *arg);

/* Adds to pats[*found..max) each pattern under hash h that accept takes,
 * once. Returns 0 when the key is an English word (asked once, only about
 * a key that names a mark: *english caches it, -1 not asked): then it
 * names none. */
static int index_find(const dj_kb *kb, const mark_index *x, uint64_t h, const char *key, size_t n,
                      index_accept accept, const void *arg, uint32_t *pats, size_t *found, size_t max, int *english)
{
    if (!bloom_has(&x->b, h))
        return 1;
    for (size_t s = (size_t)h & x->mask; x->ent[s].pat1 && *found < max; s = (s + 1) & x->mask) {
        uint32_t pat = x->ent[s].pat1 - 1;
        if (x->ent[s].h != (uint32_t)(h >> 32))
            continue;
        size_t seen = 0;
        while (seen < *found && pats[seen] != pat)
            seen++;
        if (seen < *found || !accept(kb, pat, key, n, arg))
            continue;
        if (*english < 0)
            *english = dj_text_is_english_word(key, n);
        if (*english)
            return 0;
        pats[(*found)++] = pat;
    }
    return 1;
}

static void fuzzy_build(dj_kb *kb, struct dj_kb_join *j)
{
    char key[DJ_KB_JOIN_MAX], form[DJ_KB_JOIN_MAX];
    size_t n = 0;
    for (size_t i = 0; i < kb->n_patterns; i++)
        n += fuzzy_key(&kb->patterns[i], key) > 0;
    if (!n)
        return;
    j->forms = dj_xcalloc(kb->n_patterns, sizeof *j->forms);
    index_init(&j->fz, n);
    for (size_t i = 0; i < kb->n_patterns; i++) {
        size_t k = fuzzy_key(&kb->patterns[i], key);
        if (!k)
            continue;
        size_t m = spelling_form(key, k, form, 0);
        j->forms[i] = dj_arena_strndup(kb->pool, form, m);
        index_add(&j->fz, dj_kb_join_hash(DJ_KB_JOIN_SEED, form, m), (uint32_t)i);
    }
    /* The one-edit index: each key whole and less each letter but the
     * first (a word one edit from a mark shares one of these with it: the
     * spelling correctors' "symmetric delete"). */
    size_t n_ed = 0;
    for (size_t i = 0; i < kb->n_patterns; i++)
        n_ed += fuzzy_key(&kb->patterns[i], key);
    index_init(&j->ed, n_ed);
    for (size_t i = 0; i < kb->n_patterns; i++) {
        size_t k = fuzzy_key(&kb->patterns[i], key);
        for (size_t d = 1; d <= k; d++)
            index_add(&j->ed, hash_without(key, k, d), (uint32_t)i);
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
    size_t cap = table_slots(n);
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
    index_free(&kb->join->fz);
    index_free(&kb->join->ed);
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

/* dj_kb_misspelled's test: the pattern's spelling form is the key's
 * (arg: the form, NUL-terminated), and the key is not the mark as written. */
static int same_form(const dj_kb *kb, uint32_t pat, const char *key, size_t n, const void *arg)
{
    char mark[DJ_KB_JOIN_MAX];
    const char *form = arg;
    size_t k = fuzzy_key(&kb->patterns[pat], mark);
    return !strcmp(kb->join->forms[pat], form) && !(k == n && !memcmp(key, mark, n));
}

size_t dj_kb_misspelled(const dj_kb *kb, const char *key, size_t n, uint32_t *pats, size_t max)
{
    const struct dj_kb_join *j = kb->join;
    if (!j || !j->fz.ent || n < DJ_KB_FUZZY_MIN - 1 || n > DJ_KB_JOIN_MAX)
        return 0;
    char form[2][DJ_KB_JOIN_MAX + 1];
    size_t m[2], found = 0;
    int pads = 0; /* a run of three letters after the first: the second form differs */
    for (size_t i = 1; i + 2 < n && !pads; i++)
        pads = key[i] == key[i + 1] && key[i] == key[i + 2];
    m[0] = spelling_form(key, n, form[0], 0);
    m[1] = pads ? spelling_form(key, n, form[1], 1) : 0;
    int english = -1;
    for (int f = 0; f <= pads && found < max; f++) {
        form[f][m[f]] = '\0';
        if (!index_find(kb, &j->fz, dj_kb_join_hash(DJ_KB_JOIN_SEED, form[f], m[f]), key, n, same_form, form[f],
                        pats, &found, max, &english))
            return 0;
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

/* dj_kb_one_edit's test: one edit from the mark, the first letter kept,
 * not the mark cut short (a prefix) or its plural. */
static int one_edit(const dj_kb *kb, uint32_t pat, const char *key, size_t n, const void *arg)
{
    (void)arg;
    char mark[DJ_KB_JOIN_MAX];
    size_t k = fuzzy_key(&kb->patterns[pat], mark);
    return within_one(key, n, mark, k) && key[0] == mark[0] && !(n <= k && !memcmp(key, mark, n)) &&
           !(n == k + 1 && !memcmp(key, mark, k) && key[k] == 's');
}

size_t dj_kb_one_edit(const dj_kb *kb, const char *key, size_t n, uint32_t *pats, size_t max)
{
    const struct dj_kb_join *j = kb->join;
    if (!j || !j->ed.ent || n < DJ_KB_FUZZY_MIN - 1 || n > DJ_KB_JOIN_MAX)
        return 0;
    size_t found = 0;
    int english = -1;
    for (size_t d = 1; d <= n && found < max; d++)
        if (!index_find(kb, &j->ed, hash_without(key, n, d), key, n, one_edit, NULL, pats, &found, max, &english))
            return 0;
    return found;
}

/* dj_kb_masked's test: the mark letter for letter, but for the masked one. */
static int masked(const dj_kb *kb, uint32_t pat, const char *key, size_t n, const void *arg)
{
    size_t at = *(const size_t *)arg;
    char mark[DJ_KB_JOIN_MAX];
    if (fuzzy_key(&kb->patterns[pat], mark) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (i != at && key[i] != mark[i])
            return 0;
    return 1;
}

size_t dj_kb_masked(const dj_kb *kb, const char *key, size_t n, size_t at, uint32_t *pats, size_t max)
{
    const struct dj_kb_join *j = kb->join;
    if (!j || !j->ed.ent || at == 0 || at >= n || n < DJ_KB_FUZZY_MIN || n > DJ_KB_JOIN_MAX)
        return 0;
    size_t found = 0;
    int english = 0; /* a key with a mask in it is no word */
    index_find(kb, &j->ed, hash_without(key, n, at), key, n, masked, &at, pats, &found, max, &english);
    return found;
}
