/*
 * Writes one listing and its ground-truth label. A listing is drawn from a
 * scenario (weighted table below: most listings legitimate, about 15%
 * counterfeit); the scenario picks brand, category, product, seller, price
 * and images, then titles and descriptions are composed from the templates
 * of data/gen with random attribute words, so no two listings share a fixed
 * phrase set.
 *
 * Invariants: every listing uses only its own random stream (seed, index);
 * a counterfeit that obfuscates its mark never writes the plain mark; a
 * legitimate listing's price is at least the brand floor when it sells the
 * brand new (authorized, reseller). Prices are integers in cents; the
 * label's `strong` is decided from the final price (after conversion and
 * rounding) against the floor.
 */
#include "gen/gen_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/utf8.h"

typedef dj_gen__ctx ctx;

static uint32_t pick(ctx *c, uint32_t n)
{
    return dj_gen__pick(c, n);
}

static int pct(ctx *c, uint32_t p)
{
    return dj_gen__chance(c, p);
}

static int64_t rnd(ctx *c, int64_t lo, int64_t hi)
{
    return dj_gen__range(&c->r, lo, hi);
}


/* ---- prices, images, sellers ---- */

static int64_t round_to(int64_t v, int64_t unit)
{
    return (v + unit / 2) / unit * unit;
}

/* Marketplace-looking price (12999, 1299, 89.9, 9.9) near cents. */
static int64_t charm(ctx *c, int64_t p)
{
    uint32_t s = pick(c, 3);
    int64_t q;
    if (p >= 100000) {
        q = s == 0 ? round_to(p, 1000) - 100 : s == 1 ? round_to(p, 10000) : round_to(p, 10000) - 100;
    } else if (p >= 10000) {
        q = s == 0 ? round_to(p, 1000) - 100 : s == 1 ? round_to(p, 1000) : round_to(p, 100);
    } else if (p >= 1000) {
        q = s == 0 ? round_to(p, 100) - 10 : s == 1 ? round_to(p, 100) : round_to(p, 100) - 1;
    } else {
        q = round_to(p, 10);
        if (q % 100 == 0)
            q -= 10;
    }
    return q > 10 ? q : 10;
}

static void choose_currency(ctx *c)
{
    c->currency = DJ_GEN__CUR_CNY;
    if (c->lang == DJ_GEN__LANG_EN && pct(c, 25))
        c->currency = DJ_GEN__CUR_USD;
    else if (c->lang == DJ_GEN__LANG_MIX && pct(c, 5))
        c->currency = DJ_GEN__CUR_HKD;
}

/* Sets the price from a CNY amount: converts, rounds, and records the CNY
 * value the KB's rates give back. */
static void set_price(ctx *c, int64_t cny)
{
    int64_t p = cny;
    if (c->currency == DJ_GEN__CUR_USD)
        p = cny * 10 / 71;
    else if (c->currency == DJ_GEN__CUR_HKD)
        p = cny * 100 / 92;
    c->price_cents = charm(c, p);
    c->price_cny = c->currency == DJ_GEN__CUR_USD ? c->price_cents * 71 / 10
                 : c->currency == DJ_GEN__CUR_HKD ? c->price_cents * 92 / 100 : c->price_cents;
}

/* Price as a ratio (1/1000) of the floor. */
static void price_ratio(ctx *c, uint32_t lo_pm, uint32_t hi_pm)
{
    set_price(c, c->floor_cents * rnd(c, lo_pm, hi_pm) / 1000);
}

/* At least the floor (legitimate new goods). */
static void price_at_least_floor(ctx *c, uint32_t lo_pm, uint32_t hi_pm)
{
    price_ratio(c, lo_pm, hi_pm);
    while (c->price_cny < c->floor_cents)
        set_price(c, c->price_cny + c->floor_cents / 20 + 100);
}

/* Ordinary price in [lo, hi], skewed low like real price lists. */
static void price_range(ctx *c, int64_t lo, int64_t hi)
{
    int64_t a = rnd(c, lo, hi), b = rnd(c, lo, hi);
    set_price(c, a < b ? a : b);
}

static uint32_t ratio_pm(const ctx *c)
{
    if (c->floor_cents <= 0)
        return 1000000;
    return (uint32_t)(c->price_cny * 1000 / c->floor_cents);
}

static void random_image(ctx *c)
{
    static const char hx[] = "0123456789abcdef";
    if (c->n_imgs >= 6)
        return;
    char *o = c->imgs[c->n_imgs++];
    for (int i = 0; i < 4; i++) {
        uint64_t x = dj_gen__next(&c->r);
        for (int j = 0; j < 16; j++)
            o[i * 16 + j] = hx[(x >> (60 - 4 * j)) & 15];
    }
    o[64] = '\0';
}

static void random_images(ctx *c)
{
    static const uint32_t dist[] = {0, 1, 1, 1, 2, 2, 2, 3, 3, 4};
    uint32_t n = dist[pick(c, 10)];
    for (uint32_t i = 0; i < n; i++)
        random_image(c);
}

static int hexval(char h)
{
    return h <= '9' ? h - '0' : h - 'a' + 10;
}

/* Adds one of the brand's official images with `flips` bits flipped, at a
 * random position (a stolen or re-encoded photo). */
static void official_image(ctx *c, uint32_t flips)
{
    const dj_gen *g = c->g;
    const dj_gen__brand *b = c->brand;
    if (!b || c->n_imgs >= 6)
        return;
    char img[65];
    memcpy(img, g->images[b->first_img + pick(c, b->n_img)], 65);
    uint32_t done[32], nd = 0;
    while (nd < flips && nd < 32) {
        uint32_t bit = pick(c, 256), dup = 0;
        for (uint32_t i = 0; i < nd; i++)
            dup |= done[i] == bit;
        if (dup)
            continue;
        done[nd++] = bit;
        int v = hexval(img[bit / 4]) ^ (1 << (bit % 4));
        img[bit / 4] = "0123456789abcdef"[v];
    }
    uint32_t at = pick(c, c->n_imgs + 1);
    for (uint32_t i = c->n_imgs; i > at; i--)
        memcpy(c->imgs[i], c->imgs[i - 1], 65);
    memcpy(c->imgs[at], img, 65);
    c->n_imgs++;
}

static uint32_t regular_seller(ctx *c)
{
    return c->g->regular[pick(c, c->g->n_regular)];
}

static uint32_t fake_seller(ctx *c)
{
    /* Some counterfeits come from ordinary-looking shops. */
    if (pct(c, 8))
        return regular_seller(c);
    return c->g->fake[pick(c, c->g->n_fake)];
}

/* ---- brand and category choice ---- */

static uint32_t pick_brand_index(ctx *c)
{
    const dj_gen *g = c->g;
    uint64_t total = g->brand_cum[g->n_brands - 1];
    uint64_t x = dj_gen__next(&c->r) % total;
    uint32_t lo = 0, hi = g->n_brands - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (g->brand_cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Whether text contains one of b's terms (ASCII case-insensitively): a
 * line like "Air Jordan 1" would reveal an obfuscated or hidden mark. */
static int names_brand(const dj_gen__brand *b, const char *text)
{
    char low[256];
    size_t n = strlen(text);
    if (n >= sizeof low)
        n = sizeof low - 1;
    for (size_t i = 0; i < n; i++)
        low[i] = text[i] >= 'A' && text[i] <= 'Z' ? (char)(text[i] - 'A' + 'a') : text[i];
    low[n] = '\0';
    for (uint32_t i = 0; i < b->n_kb_terms; i++)
        if (strstr(low, b->kb_terms[i]))
            return 1;
    return 0;
}

/* A line of the brand for the listing's category (or a category under
 * prefix when the accessory names the product it fits). */
static const char *pick_line(ctx *c, const dj_gen__brand *b, uint32_t within)
{
    uint32_t cand[64], n = 0;
    int hidden = c->obf >= 0 || c->hide_brand;
    for (uint32_t i = 0; i < b->n_lines && n < 64; i++)
        if ((dj_gen__cat_within(&c->g->v, within, b->lines[i].cat) ||
             dj_gen__cat_within(&c->g->v, b->lines[i].cat, within)) &&
            !(hidden && names_brand(b, b->lines[i].name)))
            cand[n++] = i;
    return n ? b->lines[cand[pick(c, n)]].name : NULL;
}

/* Puts the listing in a leaf covered by the brand, with a product, the
 * floor and (usually) a product line. */
static void covered_leaf(ctx *c)
{
    const dj_gen__vocab *v = &c->g->v;
    const dj_gen__brand *b = c->brand;
    const dj_gen__cover *cv = &b->cov[pick(c, b->n_cov)];
    const dj_gen__cat *cc = &v->cats[cv->cat];
    c->cat = cc->leaves[pick(c, cc->n_leaves)];
    const dj_gen__cat *leaf = &v->cats[c->cat];
    c->prod = &v->products[leaf->products[pick(c, leaf->n_products)]];
    c->floor_cents = dj_gen__floor(c->g, b, c->cat);
    c->line = pct(c, 75) ? pick_line(c, b, c->cat) : NULL;
}

static void random_leaf(ctx *c)
{
    const dj_gen__vocab *v = &c->g->v;
    c->prod = &v->products[pick(c, v->n_products)];
    c->cat = c->prod->cat;
}

static void leaf_product(ctx *c, uint32_t cat)
{
    const dj_gen__cat *leaf = &c->g->v.cats[cat];
    c->cat = cat;
    c->prod = &c->g->v.products[leaf->products[pick(c, leaf->n_products)]];
}

static void set_brand(ctx *c, uint32_t bi)
{
    c->brand = &c->g->brands[bi];
    c->label_brand = c->brand->id;
}

/* ---- is the replica wording visible? ---- */

static int word_byte(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

/* Start of the character 8 characters before p (or the text start), end of
 * the character 8 after q: the cancel window of docs/kb-format.md. */
static size_t back8(const char *s, size_t p)
{
    for (int k = 0; k < 8 && p > 0; k++) {
        p--;
        while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80)
            p--;
    }
    return p;
}

static size_t fwd8(const char *s, size_t n, size_t q)
{
    for (int k = 0; k < 8 && q < n; k++) {
        q++;
        while (q < n && ((unsigned char)s[q] & 0xC0) == 0x80)
            q++;
    }
    return q;
}

static int within(const char *s, size_t a, size_t b, const char *t, size_t tn)
{
    for (size_t i = a; i + tn <= b; i++)
        if (!memcmp(s + i, t, tn))
            return 1;
    return 0;
}

/* Whether signal sg occurs in low[0..n) (lowercased) at least once without
 * a cancel word entirely inside its window; Latin terms as whole words. */
static int visible(const dj_gen__signal *sg, const char *low, size_t n)
{
    size_t tn = strlen(sg->term);
    int latin = (unsigned char)sg->term[0] < 0x80;
    for (size_t i = 0; i + tn <= n; i++) {
        if (memcmp(low + i, sg->term, tn))
            continue;
        if (latin && ((i > 0 && word_byte(low[i - 1])) || (i + tn < n && word_byte(low[i + tn]))))
            continue;
        size_t a = back8(low, i), b = fwd8(low, n, i + tn);
        int cancelled = 0;
        for (const char *c = sg->cancel_near; *c && !cancelled;) {
            const char *e = strchr(c, '|');
            size_t len = e ? (size_t)(e - c) : strlen(c);
            cancelled = within(low, a, b, c, len);
            c += len + (e != NULL);
        }
        if (!cancelled)
            return 1;
    }
    return 0;
}

/* Whether one of the strong replica words written into the listing reads as
 * such (in the KB's terms: not cancelled by a nearby word or the category). */
static int replica_visible(ctx *c)
{
    const dj_gen *g = c->g;
    dj_buf low;
    int vis = 0;
    dj_buf_init(&low, (size_t)1 << 22);
    if (c->title.data)
        dj_buf_add(&low, c->title.data, c->title.len);
    dj_buf_addc(&low, '\n');
    if (c->desc.data)
        dj_buf_add(&low, c->desc.data, c->desc.len);
    for (size_t i = 0; i < low.len; i++)
        if (low.data[i] >= 'A' && low.data[i] <= 'Z')
            low.data[i] = (char)(low.data[i] - 'A' + 'a');
    for (uint32_t k = 0; k < c->n_replica_used && !vis; k++) {
        const dj_gen__signal *sg = &g->signals[c->replica_used[k]];
        if (*sg->cancel_cats && dj_gen__in_cats(&g->v, c->cat, sg->cancel_cats))
            continue;
        vis = visible(sg, low.data, low.len);
    }
    dj_buf_fini(&low);
    return vis;
}

/* Writes title (kind) and description (must) until a strong replica word
 * is visible; at most a few tries. Returns whether it is. */
static int compose_replica(ctx *c, int kind, const int *must, size_t n_must)
{
    for (int tries = 0; tries < 6; tries++) {
        c->n_replica_used = 0;
        dj_gen__make_title(c, kind);
        dj_gen__describe(c, must, n_must);
        if (replica_visible(c))
            return 1;
    }
    return 0;
}

/* ---- scenarios ---- */

typedef int (*scen_fn)(ctx *c, int arg);

static void counterfeit(ctx *c, int strong)
{
    c->counterfeit = 1;
    c->strong = strong;
    c->seller = fake_seller(c);
}

static int sc_generic(ctx *c, int arg)
{
    (void)arg;
    random_leaf(c);
    dj_gen__make_title(c, DJ_GEN__TK_GENERIC);
    static const int must[] = {DJ_GEN__SK_DETAIL};
    dj_gen__describe(c, must, 1);
    price_range(c, c->prod->lo_cents, c->prod->hi_cents);
    c->seller = pct(c, 92) ? regular_seller(c) : c->g->fake[pick(c, c->g->n_fake)];
    random_images(c);
    return 1;
}

static int sc_generic_look(ctx *c, int arg)
{
    static const char *const prefixes[] = {"fashion", "beauty", "jewelry/fashion", "home/decor"};
    (void)arg;
    const char *pre = prefixes[pick(c, 4)];
    int32_t ci = dj_gen__cat_find(&c->g->v, pre, strlen(pre));
    const dj_gen__cat *cc = &c->g->v.cats[ci];
    leaf_product(c, cc->leaves[pick(c, cc->n_leaves)]);
    dj_gen__make_title(c, DJ_GEN__TK_LOOKG);
    static const int must[] = {DJ_GEN__SK_GENERIC_LOOK};
    dj_gen__describe(c, must, 1);
    price_range(c, c->prod->lo_cents, c->prod->hi_cents);
    c->seller = regular_seller(c);
    random_images(c);
    return 1;
}

static int sc_authorized(ctx *c, int arg)
{
    (void)arg;
    set_brand(c, pick_brand_index(c));
    covered_leaf(c);
    dj_gen__make_title(c, pct(c, 60) ? DJ_GEN__TK_AUTHORIZED : DJ_GEN__TK_BRANDED);
    static const int must[] = {DJ_GEN__SK_AUTH, DJ_GEN__SK_AUTH};
    dj_gen__describe(c, must, 1 + pct(c, 40));
    price_at_least_floor(c, 1080, 2600);
    c->seller = c->brand->auth[pick(c, c->brand->n_auth)];
    random_images(c);
    if (pct(c, 55)) {
        official_image(c, pct(c, 70) ? 0 : 1 + pick(c, 6));
        if (pct(c, 30))
            official_image(c, 0);
    }
    return 1;
}

static int sc_reseller(ctx *c, int arg)
{
    (void)arg;
    set_brand(c, pick_brand_index(c));
    covered_leaf(c);
    dj_gen__make_title(c, DJ_GEN__TK_RESELLER);
    static const int must[] = {DJ_GEN__SK_RESELLER};
    dj_gen__describe(c, must, 1);
    price_at_least_floor(c, 1020, 1900);
    c->seller = regular_seller(c);
    random_images(c);
    return 1;
}

static int sc_resale(ctx *c, int arg)
{
    (void)arg;
    set_brand(c, pick_brand_index(c));
    covered_leaf(c);
    dj_gen__make_title(c, DJ_GEN__TK_RESALE);
    static const int must[] = {DJ_GEN__SK_RESALE, DJ_GEN__SK_RESALE};
    dj_gen__describe(c, must, 1 + pct(c, 50));
    price_ratio(c, 400, 900);
    c->seller = regular_seller(c);
    random_images(c);
    return 1;
}

/* Where the product lines an accessory names live, per compat class. */
static uint32_t compat_source(ctx *c, const char *cls)
{
    static const struct { const char *cls, *cat; } m[] = {
        {"phone", "electronics/phones"}, {"tablet", "electronics/computers"},
        {"laptop", "electronics/computers"}, {"earbuds", "electronics/audio"},
        {"watchband", "electronics/wearables"}, {"camera", "electronics/cameras"},
        {"drone", "electronics/cameras"}, {"console", "electronics/gaming"},
        {"vacuum", "home/appliances"}, {"hairdryer", "home/appliances"},
        {"toothbrush", "home/appliances"}, {"coffee", "home/appliances"},
        {"car", "auto"}, {"bag", "fashion/bags"}, {"shoe", "fashion/shoes"},
        {"bricks", "toys"}, {"pen", "stationery"}, {"glasses", "fashion/accessories/eyewear"},
    };
    for (size_t i = 0; i < sizeof m / sizeof *m; i++)
        if (!strcmp(m[i].cls, cls))
            return (uint32_t)dj_gen__cat_find(&c->g->v, m[i].cat, strlen(m[i].cat));
    return UINT32_MAX;
}

/* A row of rows[0..n) with key k (and the listing's language when there is
 * one), or NULL. */
static const dj_gen__row *pick_row(ctx *c, const dj_gen__row *rows, uint32_t n, uint32_t key)
{
    uint32_t cand[256], nc = 0, want = c->lang == DJ_GEN__LANG_EN ? DJ_GEN__EN : DJ_GEN__ZH;
    for (int pass = 0; pass < 2 && !nc; pass++)
        for (uint32_t i = 0; i < n && nc < 256; i++)
            if (rows[i].key == key && (pass || rows[i].lang == want))
                cand[nc++] = i;
    return nc ? &rows[cand[pick(c, nc)]] : NULL;
}

static int sc_compat(ctx *c, int arg)
{
    const dj_gen *g = c->g;
    (void)arg;
    for (int tries = 0; tries < 30; tries++) {
        uint32_t bi = pick_brand_index(c);
        const dj_gen__brand *b = &g->brands[bi];
        if (!b->compat)
            continue;
        uint32_t bits[32], nb = 0;
        for (uint32_t i = 0; i < 32; i++)
            if (b->compat & (1u << i))
                bits[nb++] = i;
        uint32_t cls = bits[pick(c, nb)];
        const dj_gen__row *row = pick_row(c, g->v.compat, g->v.n_compat, cls);
        if (!row)
            continue;
        c->brand = b;
        c->label_brand = NULL;
        leaf_product(c, row->cat);
        uint32_t src = compat_source(c, g->v.compat_classes[cls]);
        c->line = src != UINT32_MAX ? pick_line(c, b, src) : NULL;
        dj_gen__row_title(c, row);
        static const int must[] = {DJ_GEN__SK_COMPAT, DJ_GEN__SK_COMPAT};
        dj_gen__describe(c, must, 1 + pct(c, 40));
        price_range(c, row->lo_cents, row->hi_cents);
        c->seller = regular_seller(c);
        random_images(c);
        return 1;
    }
    return 0;
}

static int sc_compat_multi(ctx *c, int arg)
{
    const dj_gen *g = c->g;
    (void)arg;
    if (g->n_phone_brands < 2)
        return 0;
    uint32_t cls = 0;
    while (cls < g->v.n_compat_classes && strcmp(g->v.compat_classes[cls], "multi"))
        cls++;
    const dj_gen__row *row = pick_row(c, g->v.compat, g->v.n_compat, cls);
    if (!row)
        return 0;
    uint32_t want = 2 + pick(c, g->n_phone_brands > 3 ? 3 : g->n_phone_brands - 1);
    c->n_brands = 0;
    for (int tries = 0; c->n_brands < want && tries < 50; tries++) {
        uint32_t bi = g->phone_brands[pick(c, g->n_phone_brands)], dup = 0;
        for (uint32_t j = 0; j < c->n_brands; j++)
            dup |= c->brands[j] == bi;
        if (!dup)
            c->brands[c->n_brands++] = bi;
    }
    leaf_product(c, row->cat);
    dj_gen__row_title(c, row);
    static const int must[] = {DJ_GEN__SK_COMPAT};
    c->brand = &g->brands[c->brands[0]];
    dj_gen__describe(c, must, 1);
    price_range(c, row->lo_cents, row->hi_cents);
    c->seller = regular_seller(c);
    random_images(c);
    return 1;
}

static int sc_collision(ctx *c, int arg)
{
    const dj_gen *g = c->g;
    uint32_t cand[256], n = 0, want = c->lang == DJ_GEN__LANG_EN ? DJ_GEN__EN : DJ_GEN__ZH;
    (void)arg;
    for (int pass = 0; pass < 2 && !n; pass++)
        for (uint32_t i = 0; i < g->v.n_collisions && n < 256; i++)
            if (g->brand_of_row[g->v.collisions[i].key] != UINT32_MAX &&
                (pass || g->v.collisions[i].lang == want))
                cand[n++] = i;
    if (!n)
        return 0;
    const dj_gen__row *row = &g->v.collisions[cand[pick(c, n)]];
    leaf_product(c, row->cat);
    dj_gen__row_title(c, row);
    static const int must[] = {DJ_GEN__SK_COLLISION};
    dj_gen__describe(c, must, 1);
    price_range(c, row->lo_cents, row->hi_cents);
    c->seller = regular_seller(c);
    random_images(c);
    return 1;
}

static int sc_trap(ctx *c, int trap)
{
    const dj_gen__row *row = pick_row(c, c->g->v.traps, c->g->v.n_traps, (uint32_t)trap);
    if (!row)
        return 0;
    leaf_product(c, row->cat);
    dj_gen__row_title(c, row);
    int must[] = {DJ_GEN__SK_TRAP0 + trap};
    dj_gen__describe(c, must, 1);
    price_range(c, row->lo_cents, row->hi_cents);
    c->seller = regular_seller(c);
    random_images(c);
    return 1;
}

static int sc_replica(ctx *c, int arg)
{
    (void)arg;
    set_brand(c, pick_brand_index(c));
    covered_leaf(c);
    int must[] = {DJ_GEN__SK_REPLICA, DJ_GEN__SK_CHEAP, DJ_GEN__SK_EVASION};
    int vis = compose_replica(c, DJ_GEN__TK_REPLICA, must, pct(c, 50) ? 1 : pct(c, 50) ? 2 : 3);
    price_ratio(c, 30, 280);
    counterfeit(c, vis);
    random_images(c);
    if (pct(c, 20))
        official_image(c, pick(c, 25));
    return 1;
}

/* Whether mark m (a display mark of b) contains another of b's terms, or
 * for the traditional class turns into one (資生堂 is also the Japanese
 * mark): obfuscating it would still show a plain mark. */
static int reveals_term(ctx *c, const dj_gen__brand *b, int ob, const char *m)
{
    char low[256];
    size_t n = strlen(m);
    if (n >= sizeof low)
        return 1;
    if (ob == DJ_GEN__OB_TRADITIONAL) {
        dj_buf t;
        dj_gen__rng r = c->r;
        dj_buf_init(&t, sizeof low - 1);
        dj_gen__obf_write(ob, m, &r, &t);
        n = t.len < sizeof low ? t.len : sizeof low - 1;
        memcpy(low, t.data ? t.data : "", n);
        dj_buf_fini(&t);
    } else {
        for (size_t i = 0; i < n; i++)
            low[i] = m[i] >= 'A' && m[i] <= 'Z' ? (char)(m[i] - 'A' + 'a') : m[i];
    }
    low[n] = '\0';
    for (uint32_t i = 0; i < b->n_kb_terms; i++)
        if (strcmp(low, b->kb_terms[i]) ? strstr(low, b->kb_terms[i]) != NULL
                                        : ob == DJ_GEN__OB_TRADITIONAL)
            return 1;
    return 0;
}

/* A mark of the brand that class ob can be applied to without leaving
 * another plain mark in it; the official name and Chinese name are picked
 * twice as often. */
static const char *obf_mark(ctx *c, const dj_gen__brand *b, int ob)
{
    const char *cand[128];
    uint32_t n = 0;
    for (uint32_t i = 0; i < b->n_latin && n < 126; i++)
        if (dj_gen__obf_applies(ob, b->latin[i]) && !reveals_term(c, b, ob, b->latin[i])) {
            cand[n++] = b->latin[i];
            if (i == 0)
                cand[n++] = b->latin[i];
        }
    for (uint32_t i = 0; i < b->n_cjk && n < 126; i++)
        if (dj_gen__obf_applies(ob, b->cjk[i]) && !reveals_term(c, b, ob, b->cjk[i])) {
            cand[n++] = b->cjk[i];
            if (i == 0)
                cand[n++] = b->cjk[i];
        }
    return n ? cand[pick(c, n)] : NULL;
}

static int sc_obf(ctx *c, int ob)
{
    const char *mark = NULL;
    uint32_t bi = 0;
    for (int tries = 0; tries < 30 && !mark; tries++) {
        bi = pick_brand_index(c);
        mark = obf_mark(c, &c->g->brands[bi], ob);
    }
    if (!mark)
        return 0;
    set_brand(c, bi);
    c->obf = ob;
    c->obf_mark = mark;
    if (pct(c, 12)) {
        int o2 = (int)pick(c, DJ_GEN__OB_N);
        if (o2 != ob && o2 != DJ_GEN__OB_TRADITIONAL && o2 != DJ_GEN__OB_MIXED_CASE && o2 != DJ_GEN__OB_MISSPELLED &&
            o2 != DJ_GEN__OB_HOMOPHONE && ob != DJ_GEN__OB_MISSPELLED && ob != DJ_GEN__OB_HOMOPHONE)
            c->obf2 = o2;
    }
    covered_leaf(c);
    /* Chinese obfuscations in Chinese listings. */
    if ((unsigned char)mark[0] >= 0x80 && c->lang == DJ_GEN__LANG_EN)
        c->lang = DJ_GEN__LANG_MIX;
    int with_replica = pct(c, 35);
    int must[4], nm = 0;
    if (with_replica)
        must[nm++] = DJ_GEN__SK_REPLICA;
    if (pct(c, 50))
        must[nm++] = DJ_GEN__SK_CHEAP;
    if (pct(c, 30))
        must[nm++] = DJ_GEN__SK_EVASION;
    if (with_replica)
        with_replica = compose_replica(c, DJ_GEN__TK_REPLICA, must, (size_t)nm);
    else {
        dj_gen__make_title(c, pct(c, 85) ? DJ_GEN__TK_BRANDED : DJ_GEN__TK_LOOKALIKE);
        dj_gen__describe(c, must, (size_t)nm);
    }
    int mixed = ob == DJ_GEN__OB_MIXED_CASE;
    if (pct(c, 75))
        price_ratio(c, 20, mixed ? 140 : 280);
    else
        price_ratio(c, 350, 750);
    uint32_t rp = ratio_pm(c);
    /* A misspelling or a homophone names the brand less surely than a
     * disguised mark (a typo, or another name one letter or one sound
     * away): strong with replica wording only, as a nickname is. */
    int weak = ob == DJ_GEN__OB_MISSPELLED || ob == DJ_GEN__OB_HOMOPHONE;
    counterfeit(c, with_replica || (!weak && rp <= (mixed ? 150u : 300u)));
    random_images(c);
    return 1;
}

static int sc_stolen(ctx *c, int arg)
{
    (void)arg;
    set_brand(c, pick_brand_index(c));
    covered_leaf(c);
    int strong_variant = pct(c, 70);
    int branded = pct(c, 50);
    c->hide_brand = !branded;
    c->line = branded ? c->line : NULL;
    dj_gen__make_title(c, branded ? DJ_GEN__TK_BRANDED : DJ_GEN__TK_STOLEN);
    int must[] = {DJ_GEN__SK_STOLEN, DJ_GEN__SK_EVASION, DJ_GEN__SK_CHEAP};
    dj_gen__describe(c, must, branded ? 1 : 2 + pct(c, 40));
    if (strong_variant)
        price_ratio(c, 30, 280);
    else
        price_ratio(c, 350, 700);
    counterfeit(c, ratio_pm(c) <= 300);
    random_images(c);
    /* Small flips for the blatant copies; up to the match threshold (31)
     * for the subtle ones. */
    uint32_t flips = strong_variant ? (pct(c, 50) ? pick(c, 4) : pick(c, 25)) : 8 + pick(c, 24);
    official_image(c, flips);
    if (pct(c, 25))
        official_image(c, pick(c, 12));
    return 1;
}

static int sc_stuffing(ctx *c, int arg)
{
    const dj_gen *g = c->g;
    (void)arg;
    for (int tries = 0; tries < 10; tries++) {
        uint32_t bi = pick_brand_index(c);
        set_brand(c, bi);
        covered_leaf(c);
        c->brands[0] = bi;
        c->n_brands = 1;
        uint32_t want = 3 + pct(c, 40);
        int64_t min_floor = c->floor_cents;
        for (int k = 0; k < 300 && c->n_brands < want; k++) {
            uint32_t o = pick_brand_index(c), dup = 0;
            for (uint32_t j = 0; j < c->n_brands; j++)
                dup |= c->brands[j] == o;
            int64_t f = dj_gen__floor(g, &g->brands[o], c->cat);
            if (dup || f < 0)
                continue;
            c->brands[c->n_brands++] = o;
            if (f < min_floor)
                min_floor = f;
        }
        if (c->n_brands < 3)
            continue;
        c->line = NULL;
        c->floor_cents = min_floor;
        dj_gen__make_title(c, DJ_GEN__TK_STUFFING);
        int must[] = {DJ_GEN__SK_CHEAP, DJ_GEN__SK_EVASION, DJ_GEN__SK_LOOKALIKE};
        dj_gen__describe(c, must, 1 + pick(c, 3));
        price_ratio(c, 20, 300);
        counterfeit(c, ratio_pm(c) <= 200);
        random_images(c);
        return 1;
    }
    return 0;
}

static int sc_price(ctx *c, int far)
{
    set_brand(c, pick_brand_index(c));
    covered_leaf(c);
    dj_gen__make_title(c, DJ_GEN__TK_BRANDED);
    int must[] = {DJ_GEN__SK_DETAIL, DJ_GEN__SK_CHEAP};
    dj_gen__describe(c, must, 1 + pct(c, 35));
    if (far)
        price_ratio(c, 15, 110);
    else
        price_ratio(c, 250, 620);
    counterfeit(c, far && ratio_pm(c) <= 120);
    random_images(c);
    return 1;
}

static int sc_nickname(ctx *c, int arg)
{
    uint32_t bi = 0;
    int found = 0;
    (void)arg;
    for (int tries = 0; tries < 40 && !found; tries++) {
        bi = pick_brand_index(c);
        found = c->g->brands[bi].n_nicks > 0;
    }
    if (!found)
        return 0;
    set_brand(c, bi);
    c->nick = c->brand->nicks[pick(c, c->brand->n_nicks)];
    c->hide_brand = 1;
    covered_leaf(c);
    int with_replica = pct(c, 25);
    int must[3], nm = 0;
    must[nm++] = DJ_GEN__SK_NICK;
    if (with_replica)
        must[nm++] = DJ_GEN__SK_REPLICA;
    if (pct(c, 40))
        must[nm++] = DJ_GEN__SK_CHEAP;
    if (with_replica)
        with_replica = compose_replica(c, DJ_GEN__TK_NICKNAME, must, (size_t)nm);
    else {
        dj_gen__make_title(c, DJ_GEN__TK_NICKNAME);
        dj_gen__describe(c, must, (size_t)nm);
    }
    price_ratio(c, 30, 500);
    counterfeit(c, with_replica);
    random_images(c);
    return 1;
}

static int sc_lookalike(ctx *c, int arg)
{
    (void)arg;
    set_brand(c, pick_brand_index(c));
    covered_leaf(c);
    dj_gen__make_title(c, DJ_GEN__TK_LOOKALIKE);
    int must[] = {DJ_GEN__SK_LOOKALIKE, DJ_GEN__SK_CHEAP};
    dj_gen__describe(c, must, 1 + pct(c, 40));
    price_ratio(c, 20, 400);
    counterfeit(c, 0);
    random_images(c);
    return 1;
}

static int sc_cover(ctx *c, int arg)
{
    (void)arg;
    set_brand(c, pick_brand_index(c));
    covered_leaf(c);
    dj_gen__make_title(c, DJ_GEN__TK_COVER);
    int must[] = {DJ_GEN__SK_COVER, DJ_GEN__SK_CHEAP};
    dj_gen__describe(c, must, 1 + pct(c, 40));
    price_ratio(c, 80, 600);
    counterfeit(c, 0);
    random_images(c);
    return 1;
}

typedef struct scenario {
    const char *name;
    uint32_t weight;            /* per 10,000 listings */
    scen_fn fn;
    int arg;
} scenario;

/* The proportions of docs/gen.md. */
static const scenario scenarios[] = {
    {"generic", 5300, sc_generic, 0},
    {"generic_lookalike", 150, sc_generic_look, 0},
    {"authorized", 700, sc_authorized, 0},
    {"reseller", 250, sc_reseller, 0},
    {"resale", 400, sc_resale, 0},
    {"compat", 450, sc_compat, 0},
    {"compat_multi", 100, sc_compat_multi, 0},
    {"collision", 350, sc_collision, 0},
    {"trap_jade", 60, sc_trap, 0},
    {"trap_life_size", 50, sc_trap, 1},
    {"trap_retro", 50, sc_trap, 2},
    {"trap_style", 120, sc_trap, 3},
    {"trap_scale_model", 50, sc_trap, 4},
    {"trap_aaa", 50, sc_trap, 5},
    {"trap_putian", 30, sc_trap, 6},
    {"trap_unisex", 80, sc_trap, 7},
    {"trap_fake_material", 50, sc_trap, 8},
    {"trap_original_parts", 40, sc_trap, 9},
    {"trap_style_nickname", 30, sc_trap, 10},
    {"trap_replica_art", 30, sc_trap, 11},
    {"trap_factory_porcelain", 20, sc_trap, 12},
    {"trap_copy_paper", 20, sc_trap, 13},
    {"replica_slang", 320, sc_replica, 0},
    {"obf_spaced", 60, sc_obf, DJ_GEN__OB_SPACED},
    {"obf_separator", 70, sc_obf, DJ_GEN__OB_SEPARATOR},
    {"obf_homoglyph", 70, sc_obf, DJ_GEN__OB_HOMOGLYPH},
    {"obf_fullwidth", 50, sc_obf, DJ_GEN__OB_FULLWIDTH},
    {"obf_leet", 70, sc_obf, DJ_GEN__OB_LEET},
    {"obf_traditional", 60, sc_obf, DJ_GEN__OB_TRADITIONAL},
    {"obf_zero_width", 60, sc_obf, DJ_GEN__OB_ZERO_WIDTH},
    {"obf_mixed_case", 40, sc_obf, DJ_GEN__OB_MIXED_CASE},
    {"obf_misspelled", 50, sc_obf, DJ_GEN__OB_MISSPELLED},
    {"obf_homophone", 50, sc_obf, DJ_GEN__OB_HOMOPHONE},
    {"stolen_photo", 160, sc_stolen, 0},
    {"brand_stuffing", 90, sc_stuffing, 0},
    {"price_far_below", 100, sc_price, 1},
    {"price_below", 100, sc_price, 0},
    {"nickname", 90, sc_nickname, 0},
    {"lookalike", 90, sc_lookalike, 0},
    {"cover_story", 90, sc_cover, 0},
};

#define N_SCEN (sizeof scenarios / sizeof *scenarios)

/* ---- JSON output ---- */

/* JSON string; with ascii set, every non-ASCII character is escaped as
 * \uXXXX (surrogate pairs above U+FFFF), as Python's json.dumps does. */
static void json_str(dj_buf *o, const char *s, size_t n, int ascii)
{
    if (!ascii) {
        /* The text is valid UTF-8 by construction (the vocabulary is checked
         * at load), so only '"', '\\' and '\n' need escaping. */
        dj_buf_reserve(o, n + n / 8 + 2);
        dj_buf_addc(o, '"');
        size_t i = 0;
        while (i < n) {
            size_t j = i;
            while (j < n && s[j] != '"' && s[j] != '\\' && s[j] != '\n')
                j++;
            dj_buf_add(o, s + i, j - i);
            if (j < n)
                dj_buf_add(o, s[j] == '\n' ? "\\n" : s[j] == '"' ? "\\\"" : "\\\\", 2);
            i = j + 1;
        }
        dj_buf_addc(o, '"');
        return;
    }
    dj_buf_addc(o, '"');
    for (size_t i = 0; i < n;) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\') {
            size_t j = i;
            while (j < n && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x80 &&
                   s[j] != '"' && s[j] != '\\')
                j++;
            dj_buf_add(o, s + i, j - i);
            i = j;
            continue;
        }
        uint32_t cp;
        size_t k = ch < 0x80 ? 1 : dj_utf8_decode(s + i, n - i, &cp);
        if (ch < 0x80)
            cp = ch;
        if (!k) {
            cp = 0xFFFD;
            k = 1;
        }
        if (cp == '"')
            dj_buf_adds(o, "\\\"");
        else if (cp == '\\')
            dj_buf_adds(o, "\\\\");
        else if (cp == '\n')
            dj_buf_adds(o, "\\n");
        else if (cp >= 0x10000) {
            uint32_t v = cp - 0x10000;
            dj_buf_printf(o, "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
        } else
            dj_buf_printf(o, "\\u%04x", cp);
        i += k;
    }
    dj_buf_addc(o, '"');
}

static void add_uint(dj_buf *o, uint64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v || n < width);
    char out[24];
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    dj_buf_add(o, out, (size_t)n);
}

static void json_price(dj_buf *o, int64_t cents)
{
    add_uint(o, (uint64_t)(cents / 100), 1);
    if (cents % 100) {
        dj_buf_addc(o, '.');
        add_uint(o, (uint64_t)(cents % 10 ? cents % 100 : cents % 100 / 10), cents % 10 ? 2 : 1);
    }
}

enum { F_ID, F_SELLER, F_TITLE, F_DESC, F_CAT, F_PRICE, F_CUR, F_IMAGES, F_REGION, F_N };

static void write_field(ctx *c, dj_buf *o, int f, int ascii)
{
    static const char *const cur[] = {"CNY", "USD", "HKD"};
    const dj_gen *g = c->g;
    switch (f) {
    case F_ID:
        dj_buf_add(o, "\"id\":\"L", 7);
        add_uint(o, c->idx + 1, 8);
        dj_buf_addc(o, '"');
        break;
    case F_SELLER:
        dj_buf_add(o, "\"seller_id\":\"s", 14);
        add_uint(o, g->sellers[c->seller].num, 7);
        dj_buf_addc(o, '"');
        break;
    case F_TITLE:
        dj_buf_adds(o, "\"title\":");
        json_str(o, c->title.data ? c->title.data : "", c->title.len, ascii);
        break;
    case F_DESC:
        dj_buf_adds(o, "\"description\":");
        json_str(o, c->desc.data ? c->desc.data : "", c->desc.len, ascii);
        break;
    case F_CAT:
        dj_buf_adds(o, "\"category\":\"");
        dj_buf_adds(o, g->v.cats[c->cat].path);
        dj_buf_addc(o, '"');
        break;
    case F_PRICE:
        dj_buf_adds(o, "\"price\":");
        json_price(o, c->price_cents);
        break;
    case F_CUR:
        dj_buf_adds(o, "\"currency\":\"");
        dj_buf_adds(o, cur[c->currency]);
        dj_buf_addc(o, '"');
        break;
    case F_IMAGES:
        dj_buf_adds(o, "\"images\":[");
        for (uint32_t i = 0; i < c->n_imgs; i++) {
            dj_buf_add(o, i ? ",\"" : "\"", i ? 2 : 1);
            dj_buf_add(o, c->imgs[i], 64);
            dj_buf_addc(o, '"');
        }
        dj_buf_addc(o, ']');
        break;
    default:
        dj_buf_adds(o, "\"region\":\"");
        dj_buf_adds(o, g->v.regions[g->sellers[c->seller].region].code);
        dj_buf_addc(o, '"');
    }
}

static void write_listing(ctx *c, dj_buf *o)
{
    static const int orders[][F_N] = {
        {F_ID, F_SELLER, F_TITLE, F_DESC, F_CAT, F_PRICE, F_CUR, F_IMAGES, F_REGION},
        {F_ID, F_TITLE, F_PRICE, F_CUR, F_CAT, F_SELLER, F_REGION, F_IMAGES, F_DESC},
        {F_TITLE, F_ID, F_SELLER, F_CAT, F_DESC, F_IMAGES, F_PRICE, F_CUR, F_REGION},
    };
    int ord = pct(c, 3) ? 1 + (int)pick(c, 2) : 0;
    int ascii = pct(c, 4);
    int no_desc = !c->desc.len || pct(c, 2);
    int no_imgs = pct(c, 2) && !c->n_imgs;
    dj_buf_addc(o, '{');
    int first = 1;
    for (int i = 0; i < F_N; i++) {
        int f = orders[ord][i];
        if ((f == F_DESC && no_desc) || (f == F_IMAGES && no_imgs))
            continue;
        if (!first)
            dj_buf_addc(o, ',');
        first = 0;
        write_field(c, o, f, ascii);
    }
    dj_buf_adds(o, "}\n");
}

static void write_label(ctx *c, dj_buf *o)
{
    dj_buf_add(o, "{\"id\":\"L", 8);
    add_uint(o, c->idx + 1, 8);
    dj_buf_adds(o, c->counterfeit ? "\",\"label\":\"counterfeit\",\"strong\":"
                                  : "\",\"label\":\"legit\",\"strong\":");
    dj_buf_adds(o, c->strong ? "true,\"scenario\":\"" : "false,\"scenario\":\"");
    dj_buf_adds(o, c->scenario);
    dj_buf_adds(o, "\",\"brand\":");
    if (c->label_brand)
        dj_buf_add_json_str(o, c->label_brand, strlen(c->label_brand));
    else
        dj_buf_adds(o, "null");
    dj_buf_adds(o, "}\n");
}

/* Scratch bound: descriptions stop near 3 x desc_bytes (<= 64 KiB), so
 * 1 MiB is never reached; hitting it would be a generator bug. */
#define SCRATCH_MAX (1u << 20)

dj_rc dj_gen_listing(const dj_gen *g, uint64_t i, dj_buf *listing, dj_buf *label)
{
    ctx c;
    memset(&c, 0, sizeof c);
    c.g = g;
    c.idx = i;
    c.obf = c.obf2 = -1;
    c.floor_cents = -1;
    for (int k = 0; k < DJ_GEN__W_N; k++)
        c.last_word[k] = -1;
    dj_gen__rng_seed(&c.r, g->opts.seed, i + 1);
    dj_buf_init(&c.title, SCRATCH_MAX);
    dj_buf_init(&c.desc, SCRATCH_MAX);
    uint32_t v = pick(&c, 100);
    c.lang = v < 55 ? DJ_GEN__LANG_ZH : v < 80 ? DJ_GEN__LANG_EN : DJ_GEN__LANG_MIX;
    choose_currency(&c);
    uint32_t x = pick(&c, 10000);
    size_t s = 0;
    while (s + 1 < N_SCEN && x >= scenarios[s].weight)
        x -= scenarios[s++].weight;
    c.scenario = scenarios[s].name;
    if (!scenarios[s].fn(&c, scenarios[s].arg)) {
        /* Not possible with this world (e.g. too few brands): an ordinary
         * listing instead, drawn from the same stream. */
        c.brand = NULL;
        c.label_brand = NULL;
        c.n_brands = 0;
        c.obf = c.obf2 = -1;
        c.hide_brand = 0;
        c.nick = NULL;
        c.line = NULL;
        c.floor_cents = -1;
        c.n_imgs = 0;
        c.counterfeit = c.strong = 0;
        c.scenario = "generic";
        sc_generic(&c, 0);
    }
    dj_rc rc = DJ_OK;
    if (c.title.len + 1 >= SCRATCH_MAX || c.desc.len + 1 >= SCRATCH_MAX)
        rc = DJ_ETOOBIG;
    if (!rc && listing) {
        size_t before = listing->len;
        write_listing(&c, listing);
        if (listing->len == before || listing->data[listing->len - 1] != '\n')
            rc = DJ_ETOOBIG;
    }
    if (!rc && label) {
        size_t before = label->len;
        write_label(&c, label);
        if (label->len == before || label->data[label->len - 1] != '\n')
            rc = DJ_ETOOBIG;
    }
    dj_buf_fini(&c.title);
    dj_buf_fini(&c.desc);
    return rc;
}

size_t dj_gen__n_scenarios(void)
{
    return N_SCEN;
}

const char *dj_gen__scenario_name(size_t i)
{
    return i < N_SCEN ? scenarios[i].name : NULL;
}

uint32_t dj_gen__scenario_weight(size_t i)
{
    return i < N_SCEN ? scenarios[i].weight : 0;
}
