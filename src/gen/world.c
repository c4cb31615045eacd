/*
 * The generated world: brands (the real ones of brands.tsv first, then
 * synthetic ones with pronounceable Latin names and Chinese, Japanese and
 * Korean transliterations), the KB's signals (the base vocabulary padded with
 * affixed variants), official image hashes and sellers (regular,
 * authorized, counterfeit; counterfeit ones grouped into gangs that share
 * identifiers). Also writes kb.json and the seller lines.
 *
 * Everything is drawn from the world stream of the seed (stream 0) in a
 * fixed order, so the world depends only on the options.
 */
#include "gen/gen_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/utf8.h"

#define CELL(t, r, c) dj_gen__cell(&dj_gen__tsv_##t, (r), (c))

/* ---- a small string set (open addressing, FNV-1a) ---- */

typedef struct sset {
    const char **slot;
    size_t cap, n;
} sset;

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static void sset_init(sset *s, size_t expect)
{
    s->cap = 64;
    while (s->cap < expect * 2)
        s->cap *= 2;
    s->slot = dj_xcalloc(s->cap, sizeof *s->slot);
    s->n = 0;
}

static void sset_fini(sset *s)
{
    free(s->slot);
}

static int sset_has(const sset *s, const char *k, size_t n)
{
    for (size_t i = fnv(k, n) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        const char *e = s->slot[i];
        if (!e)
            return 0;
        if (strlen(e) == n && !memcmp(e, k, n))
            return 1;
    }
}

/* Adds k (which must outlive the set); returns 0 when it was present. */
static int sset_add(sset *s, const char *k)
{
    size_t n = strlen(k);
    if (sset_has(s, k, n))
        return 0;
    if ((s->n + 1) * 2 > s->cap) {
        sset grown;
        grown.cap = s->cap * 2;
        grown.slot = dj_xcalloc(grown.cap, sizeof *grown.slot);
        grown.n = 0;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i])
                sset_add(&grown, s->slot[i]);
        free(s->slot);
        *s = grown;
    }
    size_t i = fnv(k, n) & (s->cap - 1);
    while (s->slot[i])
        i = (i + 1) & (s->cap - 1);
    s->slot[i] = k;
    s->n++;
    return 1;
}

/* ---- helpers ---- */

static char *lower_ascii(dj_arena *a, const char *s)
{
    size_t n = strlen(s);
    char *o = dj_arena_strndup(a, s, n);
    for (size_t i = 0; i < n; i++)
        if (o[i] >= 'A' && o[i] <= 'Z')
            o[i] = (char)(o[i] - 'A' + 'a');
    return o;
}

static int is_latin(const char *s)
{
    return (unsigned char)s[0] < 0x80;
}

static size_t n_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Splits a '|' list into arena strings. */
static const char **split(dj_arena *a, const char *s, uint32_t *n)
{
    uint32_t cnt = *s ? 1 : 0;
    for (const char *p = s; *p; p++)
        cnt += *p == '|';
    const char **v = dj_arena_alloc(a, (cnt ? cnt : 1) * sizeof *v);
    *n = 0;
    while (*s) {
        const char *e = strchr(s, '|');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len)
            v[(*n)++] = dj_arena_strndup(a, s, len);
        s += len + (e != NULL);
    }
    return v;
}

/* Two significant digits, at least 10 yuan. */
static int64_t round_floor(int64_t cents)
{
    int64_t y = cents / 100, m = 1;
    while (y >= 100) {
        y /= 10;
        m *= 10;
    }
    y *= m;
    return (y < 10 ? 10 : y) * 100;
}

int64_t dj_gen__floor(const dj_gen *g, const dj_gen__brand *b, uint32_t cat)
{
    int64_t best = -1;
    size_t depth = 0;
    for (uint32_t i = 0; i < b->n_cov; i++)
        if (dj_gen__cat_within(&g->v, cat, b->cov[i].cat)) {
            size_t d = strlen(g->v.cats[b->cov[i].cat].path);
            if (best < 0 || d > depth) {
                best = b->cov[i].floor_cents;
                depth = d;
            }
        }
    return best;
}

/* Lowest category floor among the leaves under c (for synthetic brands). */
static int64_t base_floor(const dj_gen__vocab *v, uint32_t c)
{
    int64_t best = 0;
    for (uint32_t i = 0; i < v->cats[c].n_leaves; i++) {
        int64_t f = v->cats[v->cats[c].leaves[i]].floor_cents;
        if (f > 0 && (best == 0 || f < best))
            best = f;
    }
    return best;
}

/* ---- brands ---- */

typedef struct terms_acc {
    const char **v;
    uint32_t n, cap;
} terms_acc;

static void acc_add(dj_arena *a, terms_acc *t, sset *seen, const char *term)
{
    char *low = lower_ascii(a, term);
    if (!*low || t->n >= t->cap || !sset_add(seen, low))
        return;
    t->v[t->n++] = low;
}

static const char *const pad_suffix[] = {
    "paris", "milano", "london", "tokyo", "new york", "official", "studio",
    "sport", "kids", "home", "beauty", "homme", "femme", "collection",
    "originals", "classic", "pro", "select", "atelier", "maison", "seoul",
    "shanghai", "outlet", "lab", "design", "world", "life", "plus",
};

/* Terms of b for kb.json: its marks, lowercased, then padded with
 * "<name> <suffix>" variants up to terms_per_brand. */
static void brand_terms(dj_gen *g, dj_gen__brand *b)
{
    uint32_t want = g->opts.terms_per_brand;
    terms_acc t;
    sset seen;
    t.cap = 64;
    t.v = dj_arena_alloc(g->arena, t.cap * sizeof *t.v);
    t.n = 0;
    sset_init(&seen, 64);
    for (uint32_t i = 0; i < b->n_latin; i++)
        acc_add(g->arena, &t, &seen, b->latin[i]);
    for (uint32_t i = 0; i < b->n_cjk; i++)
        acc_add(g->arena, &t, &seen, b->cjk[i]);
    const char *base = lower_ascii(g->arena, b->latin[0]);
    for (size_t k = 0; t.n < want && k < sizeof pad_suffix / sizeof *pad_suffix; k++) {
        size_t n = strlen(base) + strlen(pad_suffix[k]) + 2;
        char *s = dj_arena_alloc(g->arena, n);
        snprintf(s, n, "%s %s", base, pad_suffix[k]);
        acc_add(g->arena, &t, &seen, s);
    }
    sset_fini(&seen);
    b->kb_terms = t.v;
    b->n_kb_terms = t.n;
}

static uint32_t compat_mask(const dj_gen__vocab *v, const char *list)
{
    uint32_t m = 0;
    for (const char *c = list; *c;) {
        const char *e = strchr(c, '|');
        size_t len = e ? (size_t)(e - c) : strlen(c);
        for (uint32_t i = 0; i < v->n_compat_classes; i++)
            if (strlen(v->compat_classes[i]) == len && !memcmp(v->compat_classes[i], c, len))
                m |= 1u << i;
        c += len + (e != NULL);
    }
    return m;
}

static void real_brand(dj_gen *g, int r, dj_gen__brand *b)
{
    dj_arena *a = g->arena;
    uint32_t n_terms, n;
    const char **terms = split(a, CELL(brands, r, 5), &n_terms);
    memset(b, 0, sizeof *b);
    b->id = CELL(brands, r, 0);
    b->name = CELL(brands, r, 1);
    b->latin = dj_arena_alloc(a, (n_terms + 1) * sizeof *b->latin);
    b->cjk = dj_arena_alloc(a, (n_terms + 3) * sizeof *b->cjk);
    b->latin[b->n_latin++] = b->name;
    if (*CELL(brands, r, 2))
        b->cjk[b->n_cjk++] = CELL(brands, r, 2);
    for (uint32_t i = 0; i < n_terms; i++) {
        if (is_latin(terms[i]))
            b->latin[b->n_latin++] = terms[i];
        else
            b->cjk[b->n_cjk++] = terms[i];
    }
    if (*CELL(brands, r, 3))
        b->cjk[b->n_cjk++] = CELL(brands, r, 3);
    if (*CELL(brands, r, 4))
        b->cjk[b->n_cjk++] = CELL(brands, r, 4);
    b->nicks = split(a, CELL(brands, r, 6), &b->n_nicks);
    const char **floors = split(a, CELL(brands, r, 7), &n);
    b->cov = dj_arena_alloc(a, n * sizeof *b->cov);
    for (uint32_t i = 0; i < n; i++) {
        const char *eq = strchr(floors[i], '=');
        b->cov[i].cat = (uint32_t)dj_gen__cat_find(&g->v, floors[i], (size_t)(eq - floors[i]));
        b->cov[i].floor_cents = strtoll(eq + 1, NULL, 10) * 100;
    }
    b->n_cov = n;
    b->weight = (uint32_t)strtoul(CELL(brands, r, 8), NULL, 10);
    const char **lines = split(a, CELL(brands, r, 9), &n);
    b->lines = dj_arena_alloc(a, (n ? n : 1) * sizeof *b->lines);
    for (uint32_t i = 0; i < n; i++) {
        const char *colon = strchr(lines[i], ':');
        b->lines[i].cat = (uint32_t)dj_gen__cat_find(&g->v, lines[i], (size_t)(colon - lines[i]));
        b->lines[i].name = colon + 1;
    }
    b->n_lines = n;
    b->compat = compat_mask(&g->v, CELL(brands, r, 10));
}

/* Sectors of synthetic brands: the category prefixes they may cover, the
 * tier range (floor multiplier in 1/1000 of the category floor), their
 * accessory classes and how common they are. */
typedef struct sector {
    const char *covers[6];
    uint32_t tier_lo, tier_hi;
    const char *compat;
    uint32_t weight;
} sector;

static const sector sectors[] = {
    {{"fashion/bags", "fashion/shoes", "fashion/clothing", "fashion/accessories", "jewelry/fashion", "beauty/perfume"}, 1500, 6000, "bag", 14},
    {{"fashion/clothing", "fashion/shoes", "fashion/bags", "fashion/accessories/hats"}, 300, 1000, "", 14},
    {{"fashion/shoes/sneakers", "fashion/clothing/sportswear", "sports/equipment", "sports/outdoor", "fashion/bags/backpacks"}, 500, 1200, "shoe", 10},
    {{"beauty/skincare", "beauty/makeup", "beauty/perfume"}, 400, 2500, "", 10},
    {{"watches", "jewelry/fashion"}, 500, 8000, "watchband", 6},
    {{"jewelry/fine", "jewelry/fashion"}, 600, 3000, "", 4},
    {{"electronics/phones", "electronics/wearables", "electronics/audio", "electronics/computers"}, 400, 1300, "phone|earbuds|watchband", 8},
    {{"electronics/audio"}, 500, 2000, "earbuds", 4},
    {{"electronics/cameras"}, 500, 2000, "camera|drone", 3},
    {{"home/appliances", "home/kitchen"}, 400, 1600, "vacuum|hairdryer|toothbrush", 7},
    {{"home/kitchen"}, 500, 3000, "", 3},
    {{"toys", "toys/models"}, 400, 1500, "bricks", 5},
    {{"food/wine"}, 500, 6000, "", 4},
    {{"auto/parts", "auto/care"}, 500, 2000, "car", 3},
    {{"baby"}, 500, 1500, "", 2},
    {{"sports/outdoor", "fashion/clothing/outerwear", "fashion/bags/backpacks"}, 600, 1500, "", 3},
    {{"stationery"}, 1000, 10000, "pen", 1},
    {{"fashion/accessories/eyewear"}, 500, 2500, "glasses", 2},
};

static const sector *pick_sector(dj_gen__rng *r)
{
    uint32_t total = 0;
    for (size_t i = 0; i < sizeof sectors / sizeof *sectors; i++)
        total += sectors[i].weight;
    uint32_t x = dj_gen__below(r, total);
    for (size_t i = 0; i < sizeof sectors / sizeof *sectors; i++) {
        if (x < sectors[i].weight)
            return &sectors[i];
        x -= sectors[i].weight;
    }
    return &sectors[0];
}

typedef struct namer {
    sset latin;         /* lowercased Latin marks and vocabulary words */
    sset cjk_full;      /* CJK marks */
    sset cjk_sub;       /* every substring (>= 2 chars) of CJK marks */
} namer;

static void add_words_of(dj_arena *a, sset *s, const char *text)
{
    const char *p = text;
    while (*p) {
        while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            p++;
        const char *st = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
            p++;
        if (p > st)
            sset_add(s, lower_ascii(a, dj_arena_strndup(a, st, (size_t)(p - st))));
    }
}

/* Substrings of 2+ characters of a CJK mark. */
static void add_cjk(dj_arena *a, namer *nm, const char *s)
{
    size_t off[64], n = 0, len = strlen(s);
    sset_add(&nm->cjk_full, s);
    for (size_t i = 0; i < len && n < 63; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            off[n++] = i;
    off[n] = len;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 2; j <= n; j++)
            sset_add(&nm->cjk_sub, dj_arena_strndup(a, s + off[i], off[j] - off[i]));
}

/* Whether CJK name s overlaps an existing mark: contains one, or is inside
 * one. */
static int cjk_clash(const namer *nm, const char *s)
{
    size_t off[64], n = 0, len = strlen(s);
    if (sset_has(&nm->cjk_sub, s, len) || sset_has(&nm->cjk_full, s, len))
        return 1;
    for (size_t i = 0; i < len && n < 63; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            off[n++] = i;
    off[n] = len;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 2; j <= n; j++)
            if (sset_has(&nm->cjk_full, s + off[i], off[j] - off[i]))
                return 1;
    return 0;
}

static void synth_brand(dj_gen *g, dj_gen__rng *r, namer *nm, uint32_t k, dj_gen__brand *b)
{
    dj_arena *a = g->arena;
    const dj_gen__vocab *v = &g->v;
    char latin[64], zh[64], ja[96], ko[96];
    memset(b, 0, sizeof *b);
    b->synthetic = 1;
    for (uint32_t tries = 0;; tries++) {
        uint32_t ns = 2 + (dj_gen__below(r, 100) < 55) + (tries > 200);
        latin[0] = zh[0] = ja[0] = ko[0] = '\0';
        for (uint32_t i = 0; i < ns; i++) {
            const dj_gen__syl *s;
            do
                s = &v->syls[dj_gen__below(r, v->n_syls)];
            while (i > 0 && s->vowel);
            strcat(latin, s->latin);
            strcat(zh, s->zh);
            strcat(ja, s->ja);
            strcat(ko, s->ko);
        }
        size_t ll = strlen(latin);
        if (ll < 5 || ll > 11 || n_chars(zh) < 3)
            continue;
        if (sset_has(&nm->latin, latin, ll) || cjk_clash(nm, zh))
            continue;
        break;
    }
    char *name = dj_arena_strndup(a, latin, strlen(latin));
    sset_add(&nm->latin, name);
    name = dj_arena_strndup(a, name, strlen(name));
    name[0] = (char)(name[0] - 'a' + 'A');
    char *zhs = dj_arena_strndup(a, zh, strlen(zh));
    add_cjk(a, nm, zhs);
    char idbuf[96];
    snprintf(idbuf, sizeof idbuf, "%s-%u", latin, k);
    b->id = dj_arena_strndup(a, idbuf, strlen(idbuf));
    b->name = name;
    b->latin = dj_arena_alloc(a, sizeof *b->latin);
    b->latin[0] = name;
    b->n_latin = 1;
    b->cjk = dj_arena_alloc(a, 3 * sizeof *b->cjk);
    b->cjk[b->n_cjk++] = zhs;
    b->cjk[b->n_cjk++] = dj_arena_strndup(a, ja, strlen(ja));
    b->cjk[b->n_cjk++] = dj_arena_strndup(a, ko, strlen(ko));

    const sector *sec = pick_sector(r);
    uint32_t nc = 0;
    while (nc < 6 && sec->covers[nc])
        nc++;
    uint32_t want = 1 + dj_gen__below(r, nc < 3 ? nc : 3);
    uint32_t tier = (uint32_t)dj_gen__range(r, sec->tier_lo, sec->tier_hi);
    b->cov = dj_arena_alloc(a, want * sizeof *b->cov);
    b->lines = dj_arena_alloc(a, 2 * want * sizeof *b->lines);
    uint32_t start = dj_gen__below(r, nc);
    for (uint32_t i = 0; i < want; i++) {
        const char *path = sec->covers[(start + i) % nc];
        uint32_t c = (uint32_t)dj_gen__cat_find(v, path, strlen(path));
        b->cov[b->n_cov].cat = c;
        b->cov[b->n_cov].floor_cents = round_floor(base_floor(v, c) * tier / 1000);
        b->n_cov++;
        uint32_t nl = dj_gen__below(r, 3);
        for (uint32_t j = 0; j < nl; j++) {
            char line[32];
            const dj_gen__syl *s1 = &v->syls[dj_gen__below(r, v->n_syls)];
            const dj_gen__syl *s2 = &v->syls[dj_gen__below(r, v->n_syls)];
            switch (dj_gen__below(r, 4)) {
            case 0:
                snprintf(line, sizeof line, "%c%s%s", s1->latin[0] - 'a' + 'A', s1->latin + 1,
                         s2->vowel ? "na" : s2->latin);
                break;
            case 1:
                snprintf(line, sizeof line, "%c%u", "XSMGTRV"[dj_gen__below(r, 7)],
                         2 + dj_gen__below(r, 8));
                break;
            case 2:
                snprintf(line, sizeof line, "%c%s %u", s1->latin[0] - 'a' + 'A', s1->latin + 1,
                         1 + dj_gen__below(r, 9));
                break;
            default:
                snprintf(line, sizeof line, "%c%s%s Pro", s1->latin[0] - 'a' + 'A', s1->latin + 1,
                         s2->vowel ? "ra" : s2->latin);
            }
            b->lines[b->n_lines].cat = c;
            b->lines[b->n_lines].name = dj_arena_strndup(a, line, strlen(line));
            b->n_lines++;
        }
    }
    b->compat = compat_mask(v, sec->compat);
    b->weight = 1 + dj_gen__below(r, 3);
}

static void build_brands(dj_gen *g, dj_gen__rng *r)
{
    const dj_gen_tsv *t = &dj_gen__tsv_brands;
    uint32_t n = g->opts.n_brands;
    uint32_t n_real = n < (uint32_t)t->rows ? n : (uint32_t)t->rows;
    namer nm;
    sset_init(&nm.latin, 4096 + 2 * (size_t)n);
    sset_init(&nm.cjk_full, 1024 + 4 * (size_t)n);
    sset_init(&nm.cjk_sub, 4096 + 12 * (size_t)n);
    g->brands = dj_xcalloc(n, sizeof *g->brands);
    g->n_brands = n;
    g->brand_of_row = dj_xmalloc((size_t)t->rows * sizeof *g->brand_of_row);
    for (int i = 0; i < t->rows; i++)
        g->brand_of_row[i] = (uint32_t)i < n_real ? (uint32_t)i : UINT32_MAX;
    /* Every real mark and every English word of the vocabulary is taken,
     * so a synthetic name never collides with them. */
    for (int i = 0; i < t->rows; i++)
        for (int c = 1; c <= 6; c++) {
            const char *cell = CELL(brands, i, c);
            if (c == 2 || c == 3 || c == 4 || c == 5 || c == 6) {
                uint32_t k;
                const char **parts = split(g->arena, cell, &k);
                for (uint32_t j = 0; j < k; j++)
                    if (!is_latin(parts[j]))
                        add_cjk(g->arena, &nm, parts[j]);
            }
            add_words_of(g->arena, &nm.latin, cell);
        }
    const dj_gen_tsv *vocab[] = {&dj_gen__tsv_products, &dj_gen__tsv_words,
                                 &dj_gen__tsv_titles, &dj_gen__tsv_sentences,
                                 &dj_gen__tsv_compat, &dj_gen__tsv_collisions,
                                 &dj_gen__tsv_traps, &dj_gen__tsv_signals};
    for (size_t k = 0; k < sizeof vocab / sizeof *vocab; k++)
        for (int row = 0; row < vocab[k]->rows; row++)
            for (int c = 0; c < vocab[k]->cols; c++)
                add_words_of(g->arena, &nm.latin, dj_gen__cell(vocab[k], row, c));
    for (uint32_t i = 0; i < n_real; i++)
        real_brand(g, (int)i, &g->brands[i]);
    for (uint32_t i = n_real; i < n; i++)
        synth_brand(g, r, &nm, i, &g->brands[i]);
    for (uint32_t i = 0; i < n; i++)
        brand_terms(g, &g->brands[i]);
    sset_fini(&nm.latin);
    sset_fini(&nm.cjk_full);
    sset_fini(&nm.cjk_sub);

    /* Real brands are counterfeited far more often: pick weight w^2. */
    g->brand_cum = dj_xmalloc(n * sizeof *g->brand_cum);
    uint64_t acc = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t w = g->brands[i].weight;
        acc += g->brands[i].synthetic ? w : w * w;
        g->brand_cum[i] = acc;
    }
    uint32_t np = 0;
    uint32_t phone = 0;
    for (uint32_t i = 0; i < g->v.n_compat_classes; i++)
        if (!strcmp(g->v.compat_classes[i], "phone"))
            phone = 1u << i;
    g->phone_brands = dj_xmalloc(n * sizeof *g->phone_brands);
    for (uint32_t i = 0; i < n; i++)
        if (g->brands[i].compat & phone)
            g->phone_brands[np++] = i;
    g->n_phone_brands = np;
}

/* ---- images ---- */

static void hex64(dj_gen__rng *r, char out[65])
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 4; i++) {
        uint64_t x = dj_gen__next(r);
        for (int j = 0; j < 16; j++)
            out[i * 16 + j] = hx[(x >> (60 - 4 * j)) & 15];
    }
    out[64] = '\0';
}

static void build_images(dj_gen *g, dj_gen__rng *r)
{
    uint32_t total = 0;
    for (uint32_t i = 0; i < g->n_brands; i++) {
        g->brands[i].first_img = total;
        g->brands[i].n_img = 2 + dj_gen__below(r, 4);
        total += g->brands[i].n_img;
    }
    g->images = dj_xmalloc((size_t)total * sizeof *g->images);
    g->n_images = total;
    for (uint32_t i = 0; i < total; i++)
        hex64(r, g->images[i]);
}

/* ---- signals ---- */

static void build_signals(dj_gen *g)
{
    const dj_gen__vocab *v = &g->v;
    uint32_t want = g->opts.n_signals ? g->opts.n_signals : v->n_base_signals;
    const dj_gen_tsv *af = &dj_gen__tsv_signal_affixes;
    sset seen;
    sset_init(&seen, (size_t)want + v->n_base_signals);
    g->signals = dj_xcalloc(want > v->n_base_signals ? want : v->n_base_signals,
                            sizeof *g->signals);
    g->n_signals = 0;
    for (uint32_t i = 0; i < v->n_base_signals && g->n_signals < want; i++) {
        g->signals[g->n_signals++] = v->base_signals[i];
        sset_add(&seen, v->base_signals[i].term);
    }
    for (int row = 0; row < af->rows && g->n_signals < want; row++) {
        const char *kind = dj_gen__cell(af, row, 0), *lang = dj_gen__cell(af, row, 1);
        const char *pos = dj_gen__cell(af, row, 2), *affix = dj_gen__cell(af, row, 3);
        int en = !strcmp(lang, "en");
        for (uint32_t i = 0; i < v->n_base_signals && g->n_signals < want; i++) {
            const dj_gen__signal *b = &v->base_signals[i];
            static const char *const kinds[] = {"replica", "lookalike", "evasion", "compat", "resale"};
            if (strcmp(kinds[b->kind], kind) || !(b->langs & (en ? DJ_GEN__L_EN : DJ_GEN__L_ZH)) ||
                strstr(b->term, affix))
                continue;
            size_t n = strlen(b->term) + strlen(affix) + 2;
            char *t = dj_arena_alloc(g->arena, n);
            if (!strcmp(pos, "pre"))
                snprintf(t, n, "%s%s%s", affix, en ? " " : "", b->term);
            else
                snprintf(t, n, "%s%s%s", b->term, en ? " " : "", affix);
            if (!sset_add(&seen, t))
                continue;
            dj_gen__signal s = *b;
            s.term = t;
            s.langs = en ? DJ_GEN__L_EN : DJ_GEN__L_ZH;
            g->signals[g->n_signals++] = s;
        }
    }
    sset_fini(&seen);
    /* Generation lists. Words too weak to write with a brand (仿) and
     * compat words that do not read as a prefix in Chinese (通用, 专用,
     * 替换) are in the KB but not picked by templates. */
    for (int k = 0; k < DJ_GEN__K_N; k++)
        for (int st = 0; st < 4; st++)
            for (int l = 0; l < 2; l++) {
                uint32_t *list = dj_xmalloc((g->n_signals ? g->n_signals : 1) * sizeof *list);
                uint32_t n = 0;
                for (uint32_t i = 0; i < g->n_signals; i++) {
                    const dj_gen__signal *s = &g->signals[i];
                    if (s->kind != k || s->strength != st || !(s->langs & (l ? DJ_GEN__L_EN : DJ_GEN__L_ZH)))
                        continue;
                    if (k == DJ_GEN__K_LOOKALIKE && s->weight_pm < 300)
                        continue;
                    if (k == DJ_GEN__K_COMPAT && l == 0 && s->weight_pm < 900)
                        continue;
                    list[n++] = i;
                }
                g->sig_pick[k][st][l] = list;
                g->n_sig_pick[k][st][l] = n;
            }
}

/* ---- sellers ---- */

static uint32_t pick_region(const dj_gen__vocab *v, dj_gen__rng *r, int fake)
{
    uint32_t total = 0;
    for (uint32_t i = 0; i < v->n_regions; i++)
        total += fake ? v->regions[i].w_fake : v->regions[i].w_legit;
    uint32_t x = dj_gen__below(r, total);
    for (uint32_t i = 0; i < v->n_regions; i++) {
        uint32_t w = fake ? v->regions[i].w_fake : v->regions[i].w_legit;
        if (x < w)
            return i;
        x -= w;
    }
    return 0;
}

static uint32_t add_seller(dj_gen *g, size_t *cap, uint8_t cls, dj_gen__rng *r)
{
    dj_xgrow((void **)&g->sellers, cap, g->n_sellers + 1, sizeof *g->sellers);
    dj_gen__seller *s = &g->sellers[g->n_sellers];
    memset(s, 0, sizeof *s);
    s->cls = cls;
    s->gang = -1;
    s->region = (uint8_t)pick_region(&g->v, r, cls == DJ_GEN__SELLER_FAKE);
    return g->n_sellers++;
}

static void build_sellers(dj_gen *g, dj_gen__rng *r)
{
    uint64_t nl = g->opts.n_listings;
    uint32_t n_reg = (uint32_t)(nl / 30 > 40 ? nl / 30 : 40);
    uint32_t n_fake = (uint32_t)(nl / 120 > 12 ? nl / 120 : 12);
    size_t capu = 0;
    g->sellers = NULL;
    g->n_sellers = 0;
    for (uint32_t i = 0; i < n_reg; i++)
        add_seller(g, &capu, DJ_GEN__SELLER_REGULAR, r);
    for (uint32_t i = 0; i < n_fake; i++)
        add_seller(g, &capu, DJ_GEN__SELLER_FAKE, r);
    /* Authorized: one or two stores per brand; some multi-brand retailers
     * are authorized for several brands of the same sector. */
    uint32_t *auth_all = dj_xmalloc((size_t)g->n_brands * 2 * sizeof *auth_all);
    uint32_t n_auth_all = 0;
    for (uint32_t b = 0; b < g->n_brands; b++) {
        dj_gen__brand *br = &g->brands[b];
        uint32_t k = 1 + (dj_gen__below(r, 100) < 40);
        br->auth = dj_arena_alloc(g->arena, k * sizeof *br->auth);
        br->n_auth = 0;
        for (uint32_t j = 0; j < k; j++) {
            uint32_t s;
            if (j > 0 && n_auth_all > 4 && dj_gen__below(r, 100) < 50)
                s = auth_all[n_auth_all - 1 - dj_gen__below(r, 4)];
            else {
                s = add_seller(g, &capu, DJ_GEN__SELLER_AUTH, r);
                g->sellers[s].brand = b;
                auth_all[n_auth_all++] = s;
            }
            if (br->n_auth == 0 || br->auth[0] != s)
                br->auth[br->n_auth++] = s;
        }
    }
    free(auth_all);
    /* Ids: a random permutation, so an id says nothing about the class. */
    uint32_t *perm = dj_xmalloc((size_t)g->n_sellers * sizeof *perm);
    for (uint32_t i = 0; i < g->n_sellers; i++)
        perm[i] = i + 1;
    for (uint32_t i = g->n_sellers; i > 1; i--) {
        uint32_t j = dj_gen__below(r, i);
        uint32_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    for (uint32_t i = 0; i < g->n_sellers; i++)
        g->sellers[i].num = perm[i];
    free(perm);
    g->regular = dj_xmalloc(n_reg * sizeof *g->regular);
    g->fake = dj_xmalloc(n_fake * sizeof *g->fake);
    g->n_regular = g->n_fake = 0;
    for (uint32_t i = 0; i < g->n_sellers; i++) {
        if (g->sellers[i].cls == DJ_GEN__SELLER_REGULAR)
            g->regular[g->n_regular++] = i;
        else if (g->sellers[i].cls == DJ_GEN__SELLER_FAKE)
            g->fake[g->n_fake++] = i;
    }
    /* Gangs: about 70% of counterfeit sellers, in groups of 2-8. */
    uint32_t i = 0;
    g->n_gangs = 0;
    while (i + 1 < g->n_fake) {
        if (dj_gen__below(r, 100) < 30) {
            i++;
            continue;
        }
        uint32_t size = 2 + dj_gen__below(r, 7);
        if (i + size > g->n_fake)
            size = g->n_fake - i;
        for (uint32_t j = 0; j < size; j++)
            g->sellers[g->fake[i + j]].gang = (int32_t)g->n_gangs;
        g->n_gangs++;
        i += size;
    }
}

dj_rc dj_gen__world_build(dj_gen *g, dj_err *err)
{
    dj_gen__rng r;
    (void)err;
    dj_gen__rng_seed(&r, g->opts.seed, 0);
    build_brands(g, &r);
    build_images(g, &r);
    build_signals(g);
    build_sellers(g, &r);
    return DJ_OK;
}

/* ---- kb.json ---- */

static dj_rc add_list(dj_buf *o, const char *key, const char **v, uint32_t n, int lower)
{
    dj_rc rc = dj_buf_printf(o, "\"%s\":[", key);
    for (uint32_t i = 0; i < n && !rc; i++) {
        if (i)
            rc = dj_buf_addc(o, ',');
        if (!rc && lower) {
            char tmp[512];
            size_t len = strlen(v[i]);
            if (len >= sizeof tmp)
                len = sizeof tmp - 1;
            for (size_t j = 0; j < len; j++)
                tmp[j] = (v[i][j] >= 'A' && v[i][j] <= 'Z') ? (char)(v[i][j] - 'A' + 'a') : v[i][j];
            rc = dj_buf_add_json_str(o, tmp, len);
        } else if (!rc)
            rc = dj_buf_add_json_str(o, v[i], strlen(v[i]));
    }
    return rc ? rc : dj_buf_addc(o, ']');
}

static dj_rc add_pipe_list(dj_buf *o, const char *key, const char *list)
{
    dj_rc rc = dj_buf_printf(o, ",\"%s\":[", key);
    int first = 1;
    for (const char *c = list; *c && !rc;) {
        const char *e = strchr(c, '|');
        size_t len = e ? (size_t)(e - c) : strlen(c);
        if (!first)
            rc = dj_buf_addc(o, ',');
        if (!rc)
            rc = dj_buf_add_json_str(o, c, len);
        first = 0;
        c += len + (e != NULL);
    }
    return rc ? rc : dj_buf_addc(o, ']');
}

static dj_rc seller_id(dj_buf *o, const dj_gen *g, uint32_t s)
{
    return dj_buf_printf(o, "\"s%07u\"", g->sellers[s].num);
}

dj_rc dj_gen_kb_json(const dj_gen *g, dj_buf *o)
{
    const char *prof = g->opts.profile == DJ_GEN_PROFILE_BENCH ? "bench" : "demo";
    dj_rc rc = dj_buf_printf(o,
        "{\n\"version\":\"gen-%s-seed%llu-b%u-t%u-s%u\",\n\"currency\":\"CNY\",\n"
        "\"thresholds\":{\"block\":0.8,\"review\":0.45},\n"
        "\"rates\":{\"USD\":7.1,\"HKD\":0.92,\"EUR\":7.7},\n\"brands\":[\n",
        prof, (unsigned long long)g->opts.seed, g->opts.n_brands, g->opts.terms_per_brand,
        g->opts.n_signals);
    for (uint32_t i = 0; i < g->n_brands && !rc; i++) {
        const dj_gen__brand *b = &g->brands[i];
        rc = dj_buf_adds(o, i ? ",\n{\"id\":" : "{\"id\":");
        if (!rc)
            rc = dj_buf_add_json_str(o, b->id, strlen(b->id));
        if (!rc)
            rc = dj_buf_adds(o, ",\"name\":");
        if (!rc)
            rc = dj_buf_add_json_str(o, b->name, strlen(b->name));
        if (!rc)
            rc = dj_buf_addc(o, ',');
        if (!rc)
            rc = add_list(o, "terms", b->kb_terms, b->n_kb_terms, 0);
        if (!rc && b->n_nicks) {
            rc = dj_buf_addc(o, ',');
            if (!rc)
                rc = add_list(o, "nicknames", b->nicks, b->n_nicks, 1);
        }
        if (!rc)
            rc = dj_buf_adds(o, ",\"categories\":[");
        for (uint32_t c = 0; c < b->n_cov && !rc; c++) {
            const char *p = g->v.cats[b->cov[c].cat].path;
            if (c)
                rc = dj_buf_addc(o, ',');
            if (!rc)
                rc = dj_buf_add_json_str(o, p, strlen(p));
        }
        if (!rc)
            rc = dj_buf_adds(o, "],\"min_price\":{");
        for (uint32_t c = 0; c < b->n_cov && !rc; c++) {
            const char *p = g->v.cats[b->cov[c].cat].path;
            if (c)
                rc = dj_buf_addc(o, ',');
            if (!rc)
                rc = dj_buf_add_json_str(o, p, strlen(p));
            if (!rc)
                rc = dj_buf_printf(o, ":%lld", (long long)(b->cov[c].floor_cents / 100));
        }
        if (!rc)
            rc = dj_buf_adds(o, "},\"authorized_sellers\":[");
        for (uint32_t s = 0; s < b->n_auth && !rc; s++) {
            if (s)
                rc = dj_buf_addc(o, ',');
            if (!rc)
                rc = seller_id(o, g, b->auth[s]);
        }
        if (!rc)
            rc = dj_buf_adds(o, "],\"official_images\":[");
        for (uint32_t k = 0; k < b->n_img && !rc; k++)
            rc = dj_buf_printf(o, "%s\"%s\"", k ? "," : "", g->images[b->first_img + k]);
        if (!rc)
            rc = dj_buf_adds(o, "]}");
    }
    if (!rc)
        rc = dj_buf_adds(o, "\n],\n\"signals\":[\n");
    static const char *const kinds[] = {"replica", "lookalike", "evasion", "compat", "resale"};
    for (uint32_t i = 0; i < g->n_signals && !rc; i++) {
        const dj_gen__signal *s = &g->signals[i];
        rc = dj_buf_adds(o, i ? ",\n{\"term\":" : "{\"term\":");
        if (!rc)
            rc = dj_buf_add_json_str(o, s->term, strlen(s->term));
        if (!rc)
            rc = dj_buf_printf(o, ",\"kind\":\"%s\",\"weight\":%s", kinds[s->kind], s->weight);
        if (!rc && *s->cancel_near)
            rc = add_pipe_list(o, "cancel_near", s->cancel_near);
        if (!rc && *s->cancel_cats)
            rc = add_pipe_list(o, "cancel_categories", s->cancel_cats);
        if (!rc)
            rc = dj_buf_addc(o, '}');
    }
    if (!rc)
        rc = dj_buf_adds(o, "\n]\n}\n");
    return rc;
}

/* ---- sellers ---- */

uint32_t dj_gen_n_sellers(const dj_gen *g)
{
    return g->n_sellers;
}

static const char *const shop_words[] = {
    "暖暖", "优品", "悦享", "小鹿", "木子", "星辰", "好物", "安心", "初见", "拾光",
    "简约", "花间", "晨曦", "禾木", "森屿", "橙意", "半夏", "知足", "乐活", "朴素",
    "青柠", "鹿角", "云端", "日常", "自在", "甜橙", "麦田", "海盐", "南风", "北岸",
};
static const char *const shop_kinds[] = {
    "小铺", "工作室", "百货", "专营店", "旗舰店", "精品店", "生活馆", "优选", "家居馆", "商行",
};
static const char *const fake_kinds[] = {
    "潮品店", "精品屋", "轻奢馆", "外贸店", "潮牌汇", "名品小店", "工厂店",
};
static const char *const hubs[] = {
    "浙江省嘉兴市菜鸟嘉兴仓", "广东省广州市白云区云仓一号库", "浙江省金华市义乌国际物流园",
    "江苏省苏州市吴江区京东亚洲一号", "上海市青浦区华新镇中通集运中心",
};
static const char *const mail_hosts[] = {"qq.com", "163.com", "126.com", "gmail.com", "outlook.com", "sina.com"};

static void digits(dj_gen__rng *r, char *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (char)('0' + dj_gen__below(r, 10));
    out[n] = '\0';
}

/* One identifier of a kind, drawn from r (a seller's or a gang's stream). */
static dj_rc ident(dj_buf *o, const char *kind, dj_gen__rng *r, const dj_gen__seller *s,
                   const dj_gen *g)
{
    char tmp[160], d[24];
    if (!strcmp(kind, "phone")) {
        static const char *const pre[] = {"138", "139", "150", "151", "158", "177", "186", "188", "199"};
        digits(r, d, 8);
        snprintf(tmp, sizeof tmp, "+86%s%s", pre[dj_gen__below(r, 9)], d);
    } else if (!strcmp(kind, "email")) {
        const dj_gen__syl *a = &g->v.syls[dj_gen__below(r, g->v.n_syls)];
        const dj_gen__syl *b = &g->v.syls[dj_gen__below(r, g->v.n_syls)];
        digits(r, d, 3 + (int)dj_gen__below(r, 5));
        snprintf(tmp, sizeof tmp, "%s%s%s@%s", a->latin, b->latin, d,
                 mail_hosts[dj_gen__below(r, 6)]);
    } else if (!strcmp(kind, "device")) {
        char h[65];
        hex64(r, h);
        snprintf(tmp, sizeof tmp, "dev-%.16s", h);
    } else if (!strcmp(kind, "payment")) {
        digits(r, d, 12);
        snprintf(tmp, sizeof tmp, "alipay:2088%s", d);
    } else if (!strcmp(kind, "id_doc")) {
        digits(r, d, 6);
        snprintf(tmp, sizeof tmp, "CN-ID:%.6s********%c%c%c%c", d, d[0], d[2], d[4], d[1]);
    } else if (!strcmp(kind, "ip")) {
        snprintf(tmp, sizeof tmp, "%u.%u.%u.%u", 27 + dj_gen__below(r, 200), dj_gen__below(r, 256),
                 dj_gen__below(r, 256), 1 + dj_gen__below(r, 254));
    } else {
        const char *city = g->v.regions[s->region].zh;
        snprintf(tmp, sizeof tmp, "%s%s路%u号%u仓", city,
                 shop_words[dj_gen__below(r, sizeof shop_words / sizeof *shop_words)],
                 1 + dj_gen__below(r, 300), 1 + dj_gen__below(r, 9));
    }
    return dj_buf_add_json_str(o, tmp, strlen(tmp));
}

dj_rc dj_gen_seller(const dj_gen *g, uint32_t i, dj_buf *seller, dj_buf *label)
{
    const dj_gen__seller *s = &g->sellers[i];
    dj_rc rc = DJ_OK;
    if (seller) {
        dj_gen__rng r, gr;
        dj_gen__rng_seed(&r, g->opts.seed, (1ULL << 40) + i);
        dj_gen__rng_seed(&gr, g->opts.seed, (1ULL << 41) + (uint64_t)(s->gang < 0 ? 0 : s->gang));
        char name[128];
        if (s->cls == DJ_GEN__SELLER_AUTH) {
            const dj_gen__brand *b = &g->brands[s->brand];
            const char *zh = b->n_cjk ? b->cjk[0] : NULL;
            if (zh && dj_gen__below(&r, 100) < 70)
                snprintf(name, sizeof name, "%s官方旗舰店", zh);
            else
                snprintf(name, sizeof name, "%s Official Store", b->name);
        } else {
            const char *const *kinds = s->cls == DJ_GEN__SELLER_FAKE ? fake_kinds : shop_kinds;
            size_t nk = s->cls == DJ_GEN__SELLER_FAKE ? sizeof fake_kinds / sizeof *fake_kinds
                                                      : sizeof shop_kinds / sizeof *shop_kinds;
            snprintf(name, sizeof name, "%s%s%s", g->v.regions[s->region].zh,
                     shop_words[dj_gen__below(&r, sizeof shop_words / sizeof *shop_words)],
                     kinds[dj_gen__below(&r, (uint32_t)nk)]);
        }
        rc = dj_buf_adds(seller, "{\"id\":");
        if (!rc)
            rc = seller_id(seller, g, i);
        if (!rc)
            rc = dj_buf_adds(seller, ",\"name\":");
        if (!rc)
            rc = dj_buf_add_json_str(seller, name, strlen(name));
        if (!rc)
            rc = dj_buf_printf(seller, ",\"region\":\"%s\",\"identifiers\":{", g->v.regions[s->region].code);
        /* A gang shares two of its identifier kinds (drawn from the gang's
         * stream); every seller has its own phone, email, device, ip; some
         * ship from a hub warehouse that links everybody. */
        static const char *const kinds[] = {"phone", "email", "device", "payment", "id_doc", "ip", "ship_from"};
        uint32_t shared_a = 7, shared_b = 7;
        if (s->gang >= 0) {
            dj_gen__rng pick = gr;
            shared_a = dj_gen__below(&pick, 7);
            shared_b = (shared_a + 1 + dj_gen__below(&pick, 6)) % 7;
        }
        for (uint32_t k = 0; k < 7 && !rc; k++) {
            rc = dj_buf_printf(seller, "%s\"%s\":[", k ? "," : "", kinds[k]);
            if (!rc && k == 6 && dj_gen__below(&r, 100) < 30) {
                const char *h = hubs[dj_gen__below(&r, 5)];
                rc = dj_buf_add_json_str(seller, h, strlen(h));
            } else if (!rc) {
                dj_gen__rng kr;
                dj_gen__rng_seed(&kr, g->opts.seed, (1ULL << 40) + i * 8 + k + 1);
                rc = ident(seller, kinds[k], &kr, s, g);
            }
            if (!rc && (k == shared_a || k == shared_b)) {
                dj_gen__rng kr;
                dj_gen__rng_seed(&kr, g->opts.seed, (1ULL << 41) + (uint64_t)s->gang * 8 + k + 1);
                rc = dj_buf_addc(seller, ',');
                if (!rc)
                    rc = ident(seller, kinds[k], &kr, s, g);
            }
            if (!rc)
                rc = dj_buf_addc(seller, ']');
        }
        if (!rc)
            rc = dj_buf_adds(seller, "}}\n");
    }
    if (!rc && label) {
        static const char *const cls[] = {"regular", "authorized", "counterfeit"};
        rc = dj_buf_adds(label, "{\"id\":");
        if (!rc)
            rc = seller_id(label, g, i);
        if (!rc)
            rc = dj_buf_printf(label, ",\"class\":\"%s\",\"gang\":", cls[s->cls]);
        if (!rc)
            rc = s->gang >= 0 ? dj_buf_printf(label, "%d}\n", s->gang) : dj_buf_adds(label, "null}\n");
    }
    return rc;
}
