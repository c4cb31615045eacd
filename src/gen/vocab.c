/*
 * Compiles the generator's TSV tables (vocab_data.c, from the TSV files of data/gen)
 * into lookup structures: the category tree with, per category, the most
 * specific word list and sentence list of every kind; the products; the
 * title templates; the base signals; the compat, collision and trap rows.
 *
 * Templates are compiled once into node sequences (literal, slot,
 * alternation) so writing a listing never parses text. Template syntax:
 * {slot} or {slot?} (present half the time), [a|b|c] (one alternative; an
 * empty alternative drops the group). '|' and ']' are literal outside [].
 */
#include "gen/gen_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/utf8.h"

const char *const dj_gen__trap_names[DJ_GEN__N_TRAPS] = {
    "trap_jade", "trap_life_size", "trap_retro", "trap_style",
    "trap_scale_model", "trap_aaa", "trap_putian", "trap_unisex",
    "trap_fake_material", "trap_original_parts", "trap_style_nickname",
    "trap_replica_art", "trap_factory_porcelain", "trap_copy_paper",
};

static const char *const word_kinds[DJ_GEN__W_N] = {
    "color", "material", "size", "style", "season", "audience", "promo",
    "ship", "claim", "cond", "city", "origin", "emoji", "adj", "scene",
    "gift", "feat", "lookg",
};

static const char *const title_kinds[DJ_GEN__TK_N] = {
    "generic", "branded", "authorized", "reseller", "resale", "replica",
    "cover", "lookalike", "nickname", "stuffing", "stolen",
    "lookalike_generic",
};

static const char *const sentence_kinds[DJ_GEN__SK_TRAP0] = {
    "intro", "detail", "material", "size", "care", "scene", "ship", "return",
    "store", "promo", "qa", "review", "auth", "reseller", "resale", "compat",
    "replica", "cover", "lookalike", "evasion", "cheap", "nick", "stolen",
    "collision", "generic_look",
};

static const char *const slot_names[DJ_GEN__SL_WORD] = {
    "brand", "brand_alt", "brands", "nick", "line", "p", "p2", "replica",
    "cover", "lookalike", "evasion", "resale", "compat", "n", "year",
    "model", "msrp",
};

static const char *const signal_kinds[DJ_GEN__K_N] = {
    "replica", "lookalike", "evasion", "compat", "resale",
};

#define CELL(t, r, c) dj_gen__cell(&dj_gen__tsv_##t, (r), (c))

static dj_rc bad(dj_err *err, const char *table, int row, const char *col,
                 const char *what, const char *val)
{
    return dj_err_set(err, DJ_EINVAL, "data/gen/%s.tsv row %d, %s: %s '%s'",
                      table, row + 1, col, what, val);
}

static int find_name(const char *const *names, int n, const char *s, size_t len)
{
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && !memcmp(names[i], s, len))
            return i;
    return -1;
}

/* "9.9" -> 990, "1999" -> 199900; -1 when it is not a price. */
static int64_t parse_cents(const char *s)
{
    int64_t v = 0, frac = 0;
    int nfrac = 0, digits = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        v = v * 10 + (*p - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9' && nfrac < 2; p++, nfrac++)
            frac = frac * 10 + (*p - '0');
    if (*p || !digits || v > 100000000)
        return -1;
    if (nfrac == 1)
        frac *= 10;
    return v * 100 + frac;
}

static int parse_uint(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000)
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = (uint32_t)v;
    return 1;
}

/* "0.85" -> 850. */
static int parse_weight(const char *s, uint16_t *out)
{
    uint32_t whole = 0, frac = 0, scale = 1000;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return 0;
    for (; *p >= '0' && *p <= '9'; p++)
        whole = whole * 10 + (uint32_t)(*p - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (scale > 1) {
                scale /= 10;
                frac += (uint32_t)(*p - '0') * scale;
            }
    if (*p || whole > 1 || (whole == 1 && frac))
        return 0;
    *out = (uint16_t)(whole * 1000 + frac);
    return 1;
}

int32_t dj_gen__cat_find(const dj_gen__vocab *v, const char *path, size_t len)
{
    for (uint32_t i = 0; i < v->n_cats; i++)
        if (strlen(v->cats[i].path) == len && !memcmp(v->cats[i].path, path, len))
            return (int32_t)i;
    return -1;
}

int dj_gen__cat_within(const dj_gen__vocab *v, uint32_t a, uint32_t b)
{
    for (int32_t c = (int32_t)a; c >= 0; c = v->cats[c].parent)
        if ((uint32_t)c == b)
            return 1;
    return 0;
}

int dj_gen__in_cats(const dj_gen__vocab *v, uint32_t cat, const char *paths)
{
    for (const char *c = paths; *c;) {
        const char *e = strchr(c, '|');
        size_t len = e ? (size_t)(e - c) : strlen(c);
        int32_t k = dj_gen__cat_find(v, c, len);
        if (k >= 0 && dj_gen__cat_within(v, cat, (uint32_t)k))
            return 1;
        c += len + (e != NULL);
    }
    return 0;
}

uint32_t dj_gen__trad(uint32_t cp)
{
    const dj_gen_tsv *t = &dj_gen__tsv_trad;
    for (int r = 0; r < t->rows; r++) {
        const char *s = dj_gen__cell(t, r, 0), *tr = dj_gen__cell(t, r, 1);
        uint32_t a, b;
        if (dj_utf8_decode(s, strlen(s), &a) && a == cp &&
            dj_utf8_decode(tr, strlen(tr), &b))
            return b;
    }
    return 0;
}

/* ---- template compiler ---- */

typedef struct tparse {
    const char *p, *end;
    dj_arena *a;
    const char *table;
    int row;
    dj_err *err;
    dj_rc rc;
} tparse;

static dj_rc tfail(tparse *t, const char *what)
{
    if (!t->rc)
        t->rc = dj_err_set(t->err, DJ_EINVAL, "data/gen/%s.tsv row %d: template %s",
                           t->table, t->row + 1, what);
    return t->rc;
}

static int slot_id(const char *s, size_t len)
{
    int i = find_name(slot_names, DJ_GEN__SL_WORD, s, len);
    if (i >= 0)
        return i;
    i = find_name(word_kinds, DJ_GEN__W_N, s, len);
    return i >= 0 ? DJ_GEN__SL_WORD + i : -1;
}

/* Parses a sequence up to '|' or ']' (nested) or the end (top level). */
static void tseq_parse(tparse *t, int nested, dj_gen__tseq *out)
{
    dj_gen__tnode *nodes = NULL;
    size_t n = 0, cap = 0;
    while (t->p < t->end && !t->rc) {
        char c = *t->p;
        if (nested && (c == '|' || c == ']'))
            break;
        dj_xgrow((void **)&nodes, &cap, n + 1, sizeof *nodes);
        dj_gen__tnode *nd = &nodes[n];
        memset(nd, 0, sizeof *nd);
        if (c == '{') {
            const char *close = memchr(t->p, '}', (size_t)(t->end - t->p));
            if (!close) {
                tfail(t, "has an unclosed {");
                break;
            }
            const char *name = t->p + 1;
            size_t len = (size_t)(close - name);
            int opt = len > 0 && name[len - 1] == '?';
            int id = slot_id(name, len - (size_t)opt);
            if (id < 0) {
                tfail(t, "names an unknown slot");
                break;
            }
            nd->op = DJ_GEN__T_SLOT;
            nd->slot = (uint8_t)id;
            nd->opt = (uint8_t)opt;
            t->p = close + 1;
        } else if (c == '[') {
            dj_gen__tseq *alts = NULL;
            size_t na = 0, acap = 0;
            t->p++;
            for (;;) {
                dj_xgrow((void **)&alts, &acap, na + 1, sizeof *alts);
                tseq_parse(t, 1, &alts[na++]);
                if (t->rc || t->p >= t->end) {
                    tfail(t, "has an unclosed [");
                    break;
                }
                if (*t->p++ == ']')
                    break;
            }
            dj_gen__tseq *kept = dj_arena_alloc(t->a, na * sizeof *kept);
            memcpy(kept, alts, na * sizeof *kept);
            free(alts);
            nd->op = DJ_GEN__T_ALT;
            nd->alts = kept;
            nd->n_alts = (uint32_t)na;
        } else {
            const char *s = t->p;
            while (t->p < t->end && *t->p != '{' && *t->p != '[' &&
                   !(nested && (*t->p == '|' || *t->p == ']')))
                t->p++;
            nd->op = DJ_GEN__T_LIT;
            nd->s = s;
            nd->len = (uint32_t)(t->p - s);
        }
        n++;
    }
    dj_gen__tnode *kept = dj_arena_alloc(t->a, (n ? n : 1) * sizeof *kept);
    if (n)
        memcpy(kept, nodes, n * sizeof *kept);
    free(nodes);
    out->nodes = kept;
    out->n = (uint32_t)n;
}

static dj_rc compile(dj_arena *a, const char *src, const char *table, int row,
                     dj_gen__tseq *out, dj_err *err)
{
    tparse t = {src, src + strlen(src), a, table, row, err, DJ_OK};
    tseq_parse(&t, 0, out);
    return t.rc;
}

/* ---- scoped lists (words, sentences) ---- */

/* Splits "kind:scope" into kind id (from names) and scope category
 * (-1 = global). */
static dj_rc scoped_kind(const dj_gen__vocab *v, const char *s,
                         const char *const *names, int n_names,
                         const char *table, int row, int *kind, int32_t *scope,
                         dj_err *err)
{
    const char *colon = strchr(s, ':');
    size_t klen = colon ? (size_t)(colon - s) : strlen(s);
    *kind = find_name(names, n_names, s, klen);
    if (*kind < 0)
        return bad(err, table, row, "kind", "unknown kind", s);
    *scope = -1;
    if (colon) {
        *scope = dj_gen__cat_find(v, colon + 1, strlen(colon + 1));
        if (*scope < 0)
            return bad(err, table, row, "kind", "unknown category in", s);
    }
    return DJ_OK;
}

static dj_rc load_words(dj_gen__vocab *v, dj_arena *a, dj_err *err)
{
    const dj_gen_tsv *t = &dj_gen__tsv_words;
    /* Groups: one per distinct (kind, scope), in order of first row. */
    int *gkind = dj_xcalloc((size_t)t->rows, sizeof *gkind);
    int32_t *gscope = dj_xcalloc((size_t)t->rows, sizeof *gscope);
    uint32_t *count = dj_xcalloc((size_t)t->rows, sizeof *count);
    uint32_t *group_of = dj_xcalloc((size_t)t->rows, sizeof *group_of);
    uint32_t ng = 0;
    dj_rc rc = DJ_OK;
    for (int r = 0; r < t->rows && !rc; r++) {
        int k;
        int32_t sc;
        rc = scoped_kind(v, CELL(words, r, 0), word_kinds, DJ_GEN__W_N, "words", r,
                         &k, &sc, err);
        if (rc)
            break;
        uint32_t g = 0;
        while (g < ng && !(gkind[g] == k && gscope[g] == sc))
            g++;
        if (g == ng) {
            gkind[ng] = k;
            gscope[ng] = sc;
            ng++;
        }
        group_of[r] = g;
        if (strcmp(CELL(words, r, 1), "-") || strcmp(CELL(words, r, 2), "-"))
            count[g]++;
    }
    if (rc)
        goto done;
    v->wlists = dj_arena_alloc(a, ng * sizeof *v->wlists);
    v->n_wlists = ng;
    for (uint32_t g = 0; g < ng; g++) {
        v->wlists[g].n = 0;
        for (int l = 0; l < 2; l++)
            v->wlists[g].w[l] = dj_arena_alloc(a, (count[g] ? count[g] : 1) * sizeof(char *));
    }
    for (int r = 0; r < t->rows; r++) {
        dj_gen__words *w = &v->wlists[group_of[r]];
        const char *zh = CELL(words, r, 1), *en = CELL(words, r, 2);
        if (!strcmp(zh, "-") && !strcmp(en, "-"))
            continue;
        w->w[0][w->n] = strcmp(zh, "-") ? zh : NULL;
        w->w[1][w->n] = strcmp(en, "-") ? en : NULL;
        w->n++;
    }
    /* Per category and kind, the list of the nearest scoped ancestor. */
    for (uint32_t c = 0; c < v->n_cats; c++)
        for (int k = 0; k < DJ_GEN__W_N; k++) {
            const dj_gen__words *best = NULL;
            for (int32_t anc = (int32_t)c; anc >= 0 && !best; anc = v->cats[anc].parent)
                for (uint32_t g = 0; g < ng; g++)
                    if (gkind[g] == k && gscope[g] == anc) {
                        best = &v->wlists[g];
                        break;
                    }
            for (uint32_t g = 0; g < ng && !best; g++)
                if (gkind[g] == k && gscope[g] == -1)
                    best = &v->wlists[g];
            v->cats[c].words[k] = best;
        }
done:
    free(gkind);
    free(gscope);
    free(count);
    free(group_of);
    return rc;
}

static int lang_of(const char *s)
{
    if (!strcmp(s, "zh"))
        return DJ_GEN__ZH;
    if (!strcmp(s, "en"))
        return DJ_GEN__EN;
    return -1;
}

static dj_rc load_sentences(dj_gen__vocab *v, dj_arena *a, dj_err *err)
{
    const dj_gen_tsv *t = &dj_gen__tsv_sentences;
    const char *names[DJ_GEN__SK_N];
    for (int i = 0; i < DJ_GEN__SK_TRAP0; i++)
        names[i] = sentence_kinds[i];
    for (int i = 0; i < DJ_GEN__N_TRAPS; i++)
        names[DJ_GEN__SK_TRAP0 + i] = dj_gen__trap_names[i];
    int *gkind = dj_xcalloc((size_t)t->rows, sizeof *gkind);
    int32_t *gscope = dj_xcalloc((size_t)t->rows, sizeof *gscope);
    int *glang = dj_xcalloc((size_t)t->rows, sizeof *glang);
    uint32_t *count = dj_xcalloc((size_t)t->rows, sizeof *count);
    uint32_t *group_of = dj_xcalloc((size_t)t->rows, sizeof *group_of);
    uint32_t ng = 0;
    dj_rc rc = DJ_OK;
    for (int r = 0; r < t->rows && !rc; r++) {
        int k, l = lang_of(CELL(sentences, r, 1));
        int32_t sc;
        if (l < 0) {
            rc = bad(err, "sentences", r, "lang", "unknown language", CELL(sentences, r, 1));
            break;
        }
        rc = scoped_kind(v, CELL(sentences, r, 0), names, DJ_GEN__SK_N, "sentences",
                         r, &k, &sc, err);
        if (rc)
            break;
        uint32_t g = 0;
        while (g < ng && !(gkind[g] == k && gscope[g] == sc && glang[g] == l))
            g++;
        if (g == ng) {
            gkind[ng] = k;
            gscope[ng] = sc;
            glang[ng] = l;
            ng++;
        }
        group_of[r] = g;
        count[g]++;
    }
    if (rc)
        goto done;
    v->slists = dj_arena_alloc(a, ng * sizeof *v->slists);
    v->n_slists = ng;
    dj_gen__tseq **seqs = dj_xcalloc(ng, sizeof *seqs);
    for (uint32_t g = 0; g < ng; g++) {
        seqs[g] = dj_arena_alloc(a, count[g] * sizeof **seqs);
        v->slists[g].v = seqs[g];
        v->slists[g].n = 0;
    }
    for (int r = 0; r < t->rows && !rc; r++) {
        uint32_t g = group_of[r];
        rc = compile(a, CELL(sentences, r, 2), "sentences", r, &seqs[g][v->slists[g].n], err);
        v->slists[g].n++;
    }
    free(seqs);
    if (rc)
        goto done;
    /* Union semantics: scoped sentences add to the global ones (words
     * replace instead, since a shoe size is no size for a phone). */
    for (uint32_t c = 0; c < v->n_cats; c++)
        for (int k = 0; k < DJ_GEN__SK_N; k++)
            for (int l = 0; l < 2; l++) {
                uint32_t n = 0;
                for (uint32_t g = 0; g < ng; g++)
                    if (gkind[g] == k && glang[g] == l &&
                        (gscope[g] == -1 || dj_gen__cat_within(v, c, (uint32_t)gscope[g])))
                        n += v->slists[g].n;
                dj_gen__tptrs *tp = &v->cats[c].sent[k][l];
                tp->v = dj_arena_alloc(a, (n ? n : 1) * sizeof *tp->v);
                tp->n = 0;
                for (uint32_t g = 0; g < ng; g++)
                    if (gkind[g] == k && glang[g] == l &&
                        (gscope[g] == -1 || dj_gen__cat_within(v, c, (uint32_t)gscope[g])))
                        for (uint32_t i = 0; i < v->slists[g].n; i++)
                            tp->v[tp->n++] = &v->slists[g].v[i];
            }
done:
    free(gkind);
    free(gscope);
    free(glang);
    free(count);
    free(group_of);
    return rc;
}

static dj_rc load_categories(dj_gen__vocab *v, dj_arena *a, dj_err *err)
{
    const dj_gen_tsv *t = &dj_gen__tsv_categories;
    v->n_cats = (uint32_t)t->rows;
    v->cats = dj_arena_alloc(a, v->n_cats * sizeof *v->cats);
    memset(v->cats, 0, v->n_cats * sizeof *v->cats);
    for (int r = 0; r < t->rows; r++) {
        dj_gen__cat *c = &v->cats[r];
        c->path = CELL(categories, r, 0);
        c->zh = CELL(categories, r, 1);
        c->en = CELL(categories, r, 2);
        c->floor_cents = parse_cents(CELL(categories, r, 3));
        if (c->floor_cents < 0)
            return bad(err, "categories", r, "floor", "not a price", CELL(categories, r, 3));
        const char *slash = strrchr(c->path, '/');
        c->parent = -1;
        if (slash) {
            c->parent = dj_gen__cat_find(v, c->path, (size_t)(slash - c->path));
            if (c->parent < 0 || c->parent >= r)
                return bad(err, "categories", r, "path", "parent must come first for", c->path);
        }
    }
    /* Products, then each category's leaves (product-bearing subtree). */
    const dj_gen_tsv *p = &dj_gen__tsv_products;
    v->n_products = (uint32_t)p->rows;
    v->products = dj_arena_alloc(a, v->n_products * sizeof *v->products);
    uint32_t *per = dj_xcalloc(v->n_cats, sizeof *per);
    for (int r = 0; r < p->rows; r++) {
        dj_gen__product *pr = &v->products[r];
        const char *cat = CELL(products, r, 0);
        int32_t ci = dj_gen__cat_find(v, cat, strlen(cat));
        if (ci < 0) {
            free(per);
            return bad(err, "products", r, "category", "unknown category", cat);
        }
        pr->cat = (uint32_t)ci;
        pr->name[0] = CELL(products, r, 1);
        pr->name[1] = CELL(products, r, 2);
        pr->lo_cents = parse_cents(CELL(products, r, 3));
        pr->hi_cents = parse_cents(CELL(products, r, 4));
        if (pr->lo_cents <= 0 || pr->hi_cents < pr->lo_cents) {
            free(per);
            return bad(err, "products", r, "lo/hi", "bad price range for", pr->name[1]);
        }
        per[ci]++;
    }
    for (uint32_t c = 0; c < v->n_cats; c++) {
        v->cats[c].products = dj_arena_alloc(a, (per[c] ? per[c] : 1) * sizeof(uint32_t));
        v->cats[c].n_products = 0;
    }
    for (uint32_t r = 0; r < v->n_products; r++) {
        dj_gen__cat *c = &v->cats[v->products[r].cat];
        c->products[c->n_products++] = r;
    }
    free(per);
    for (uint32_t c = 0; c < v->n_cats; c++) {
        uint32_t n = 0;
        for (uint32_t l = 0; l < v->n_cats; l++)
            if (v->cats[l].n_products && dj_gen__cat_within(v, l, c))
                n++;
        v->cats[c].leaves = dj_arena_alloc(a, (n ? n : 1) * sizeof(uint32_t));
        for (uint32_t l = 0; l < v->n_cats; l++)
            if (v->cats[l].n_products && dj_gen__cat_within(v, l, c))
                v->cats[c].leaves[v->cats[c].n_leaves++] = l;
    }
    return DJ_OK;
}

static dj_rc load_titles(dj_gen__vocab *v, dj_arena *a, dj_err *err)
{
    const dj_gen_tsv *t = &dj_gen__tsv_titles;
    uint32_t count[DJ_GEN__TK_N][2] = {{0}};
    for (int r = 0; r < t->rows; r++) {
        const char *k = CELL(titles, r, 0);
        int ki = find_name(title_kinds, DJ_GEN__TK_N, k, strlen(k));
        int l = lang_of(CELL(titles, r, 1));
        if (ki < 0)
            return bad(err, "titles", r, "kind", "unknown kind", k);
        if (l < 0)
            return bad(err, "titles", r, "lang", "unknown language", CELL(titles, r, 1));
        count[ki][l]++;
    }
    dj_gen__tseq *seqs[DJ_GEN__TK_N][2];
    for (int k = 0; k < DJ_GEN__TK_N; k++)
        for (int l = 0; l < 2; l++) {
            if (!count[k][l])
                return dj_err_set(err, DJ_EINVAL, "data/gen/titles.tsv: no %s title in %s",
                                  title_kinds[k], l ? "en" : "zh");
            seqs[k][l] = dj_arena_alloc(a, count[k][l] * sizeof(dj_gen__tseq));
            v->titles[k][l].v = seqs[k][l];
            v->titles[k][l].n = 0;
        }
    for (int r = 0; r < t->rows; r++) {
        const char *k = CELL(titles, r, 0);
        int ki = find_name(title_kinds, DJ_GEN__TK_N, k, strlen(k));
        int l = lang_of(CELL(titles, r, 1));
        dj_rc rc = compile(a, CELL(titles, r, 2), "titles", r,
                           &seqs[ki][l][v->titles[ki][l].n++], err);
        if (rc)
            return rc;
    }
    return DJ_OK;
}

static dj_rc load_signals(dj_gen__vocab *v, dj_arena *a, dj_err *err)
{
    const dj_gen_tsv *t = &dj_gen__tsv_signals;
    static const char *const strengths[] = {"strong", "medium", "weak", "-"};
    v->n_base_signals = (uint32_t)t->rows;
    v->base_signals = dj_arena_alloc(a, v->n_base_signals * sizeof *v->base_signals);
    for (int r = 0; r < t->rows; r++) {
        dj_gen__signal *s = &v->base_signals[r];
        const char *kind = CELL(signals, r, 1), *st = CELL(signals, r, 3);
        const char *lang = CELL(signals, r, 4);
        int k = find_name(signal_kinds, DJ_GEN__K_N, kind, strlen(kind));
        int si = find_name(strengths, 4, st, strlen(st));
        s->term = CELL(signals, r, 0);
        if (!*s->term)
            return bad(err, "signals", r, "term", "empty term", "");
        if (k < 0)
            return bad(err, "signals", r, "kind", "unknown kind", kind);
        if (si < 0)
            return bad(err, "signals", r, "strength", "unknown strength", st);
        s->kind = (uint8_t)k;
        s->strength = (uint8_t)si;
        s->langs = !strcmp(lang, "zh") ? DJ_GEN__L_ZH : !strcmp(lang, "en") ? DJ_GEN__L_EN
                 : !strcmp(lang, "any") ? DJ_GEN__L_ANY : 0;
        if (!s->langs)
            return bad(err, "signals", r, "lang", "unknown language", lang);
        s->weight = CELL(signals, r, 2);
        if (!parse_weight(s->weight, &s->weight_pm))
            return bad(err, "signals", r, "weight", "not a weight in 0..1", s->weight);
        s->cancel_near = CELL(signals, r, 5);
        s->cancel_cats = CELL(signals, r, 6);
        for (const char *c = s->cancel_cats; *c;) {
            const char *e = strchr(c, '|');
            size_t len = e ? (size_t)(e - c) : strlen(c);
            if (dj_gen__cat_find(v, c, len) < 0)
                return bad(err, "signals", r, "cancel_categories", "unknown category in",
                           s->cancel_cats);
            c += len + (e != NULL);
        }
    }
    return DJ_OK;
}

/* Compat, collision and trap rows share a shape: key, category, lang,
 * template, lo, hi. key_of maps column 0 to the key. */
typedef int64_t (*key_fn)(dj_gen__vocab *v, const char *s);

static int64_t compat_key(dj_gen__vocab *v, const char *s)
{
    for (uint32_t i = 0; i < v->n_compat_classes; i++)
        if (!strcmp(v->compat_classes[i], s))
            return i;
    if (v->n_compat_classes >= 32)
        return -1;
    v->compat_classes[v->n_compat_classes] = s;
    return v->n_compat_classes++;
}

static int64_t brand_row_key(dj_gen__vocab *v, const char *s)
{
    (void)v;
    for (int r = 0; r < dj_gen__tsv_brands.rows; r++)
        if (!strcmp(CELL(brands, r, 0), s))
            return r;
    return -1;
}

static int64_t trap_key(dj_gen__vocab *v, const char *s)
{
    (void)v;
    return find_name(dj_gen__trap_names, DJ_GEN__N_TRAPS, s, strlen(s));
}

static dj_rc load_rows(dj_gen__vocab *v, dj_arena *a, const dj_gen_tsv *t,
                       key_fn key, dj_gen__row **out, uint32_t *n_out, dj_err *err)
{
    dj_gen__row *rows = dj_arena_alloc(a, (size_t)t->rows * sizeof *rows);
    for (int r = 0; r < t->rows; r++) {
        dj_gen__row *w = &rows[r];
        const char *k = dj_gen__cell(t, r, 0), *cat = dj_gen__cell(t, r, 1);
        const char *lang = dj_gen__cell(t, r, 2);
        int64_t kv = key(v, k);
        int32_t ci = dj_gen__cat_find(v, cat, strlen(cat));
        int l = lang_of(lang);
        if (kv < 0)
            return bad(err, t->name, r, "key", "unknown", k);
        if (ci < 0 || !v->cats[ci].n_products)
            return bad(err, t->name, r, "category", "not a category with products:", cat);
        if (l < 0)
            return bad(err, t->name, r, "lang", "unknown language", lang);
        w->key = (uint32_t)kv;
        w->cat = (uint32_t)ci;
        w->lang = (uint8_t)l;
        w->lo_cents = parse_cents(dj_gen__cell(t, r, 4));
        w->hi_cents = parse_cents(dj_gen__cell(t, r, 5));
        if (w->lo_cents <= 0 || w->hi_cents < w->lo_cents)
            return bad(err, t->name, r, "lo/hi", "bad price range", dj_gen__cell(t, r, 4));
        dj_rc rc = compile(a, dj_gen__cell(t, r, 3), t->name, r, &w->tpl, err);
        if (rc)
            return rc;
    }
    *out = rows;
    *n_out = (uint32_t)t->rows;
    return DJ_OK;
}

static dj_rc load_misc(dj_gen__vocab *v, dj_arena *a, dj_err *err)
{
    const dj_gen_tsv *t = &dj_gen__tsv_syllables;
    v->n_syls = (uint32_t)t->rows;
    v->syls = dj_arena_alloc(a, v->n_syls * sizeof *v->syls);
    for (int r = 0; r < t->rows; r++) {
        dj_gen__syl *s = &v->syls[r];
        s->latin = CELL(syllables, r, 0);
        s->zh = CELL(syllables, r, 1);
        s->ja = CELL(syllables, r, 2);
        s->ko = CELL(syllables, r, 3);
        s->vowel = !strcmp(CELL(syllables, r, 4), "v");
        if (!*s->latin || !*s->zh || !*s->ja || !*s->ko)
            return bad(err, "syllables", r, "latin", "incomplete syllable", s->latin);
    }
    t = &dj_gen__tsv_regions;
    v->n_regions = (uint32_t)t->rows;
    v->regions = dj_arena_alloc(a, v->n_regions * sizeof *v->regions);
    for (int r = 0; r < t->rows; r++) {
        dj_gen__region *g = &v->regions[r];
        g->code = CELL(regions, r, 0);
        g->zh = CELL(regions, r, 1);
        if (!parse_uint(CELL(regions, r, 3), &g->w_legit) ||
            !parse_uint(CELL(regions, r, 4), &g->w_fake))
            return bad(err, "regions", r, "w_legit/w_fake", "not a number", g->code);
    }
    return DJ_OK;
}

/* Checks the brands table; the world parses it (brands are built there). */
static dj_rc check_brands(dj_gen__vocab *v, dj_err *err)
{
    const dj_gen_tsv *t = &dj_gen__tsv_brands;
    for (int r = 0; r < t->rows; r++) {
        uint32_t w;
        if (!*CELL(brands, r, 0) || !*CELL(brands, r, 1))
            return bad(err, "brands", r, "id/name", "empty", CELL(brands, r, 0));
        if (!parse_uint(CELL(brands, r, 8), &w) || w < 1 || w > 9)
            return bad(err, "brands", r, "weight", "not 1..9", CELL(brands, r, 8));
        const char *f = CELL(brands, r, 7);
        if (!*f)
            return bad(err, "brands", r, "floors", "no covered category for", CELL(brands, r, 0));
        for (const char *c = f; *c;) {
            const char *e = strchr(c, '|'), *eq = strchr(c, '=');
            size_t len = e ? (size_t)(e - c) : strlen(c);
            if (!eq || eq > c + len || dj_gen__cat_find(v, c, (size_t)(eq - c)) < 0)
                return bad(err, "brands", r, "floors", "unknown category in", f);
            c += len + (e != NULL);
        }
        const char *lines = CELL(brands, r, 9);
        for (const char *c = lines; *c;) {
            const char *e = strchr(c, '|'), *colon = strchr(c, ':');
            size_t len = e ? (size_t)(e - c) : strlen(c);
            if (!colon || colon > c + len || dj_gen__cat_find(v, c, (size_t)(colon - c)) < 0)
                return bad(err, "brands", r, "lines", "unknown category in", lines);
            c += len + (e != NULL);
        }
        const char *cc = CELL(brands, r, 10);
        for (const char *c = cc; *c;) {
            const char *e = strchr(c, '|');
            size_t len = e ? (size_t)(e - c) : strlen(c);
            uint32_t i = 0;
            while (i < v->n_compat_classes &&
                   !(strlen(v->compat_classes[i]) == len && !memcmp(v->compat_classes[i], c, len)))
                i++;
            if (i == v->n_compat_classes)
                return bad(err, "brands", r, "compat", "class without compat.tsv rows in", cc);
            c += len + (e != NULL);
        }
    }
    return DJ_OK;
}

/* Every cell must be valid UTF-8 without control characters: listings are
 * written from these strings with a JSON escaper that relies on it. */
static dj_rc check_text(dj_err *err)
{
    const dj_gen_tsv *all[] = {
        &dj_gen__tsv_brands, &dj_gen__tsv_categories, &dj_gen__tsv_collisions,
        &dj_gen__tsv_compat, &dj_gen__tsv_products, &dj_gen__tsv_regions,
        &dj_gen__tsv_sentences, &dj_gen__tsv_signal_affixes, &dj_gen__tsv_signals,
        &dj_gen__tsv_syllables, &dj_gen__tsv_titles, &dj_gen__tsv_trad,
        &dj_gen__tsv_traps, &dj_gen__tsv_words,
    };
    for (size_t k = 0; k < sizeof all / sizeof *all; k++)
        for (int r = 0; r < all[k]->rows; r++)
            for (int c = 0; c < all[k]->cols; c++) {
                const char *s = dj_gen__cell(all[k], r, c);
                size_t n = strlen(s);
                if (dj_utf8_validate(s, n) != n)
                    return bad(err, all[k]->name, r, "text", "invalid UTF-8 in", s);
                for (size_t i = 0; i < n; i++)
                    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
                        return bad(err, all[k]->name, r, "text", "control character in", s);
            }
    return DJ_OK;
}

dj_rc dj_gen__vocab_load(dj_gen__vocab *v, dj_arena *a, dj_err *err)
{
    memset(v, 0, sizeof *v);
    dj_rc rc = check_text(err);
    if (!rc)
        rc = load_categories(v, a, err);
    if (!rc)
        rc = load_words(v, a, err);
    if (!rc)
        rc = load_sentences(v, a, err);
    if (!rc)
        rc = load_titles(v, a, err);
    if (!rc)
        rc = load_signals(v, a, err);
    if (!rc)
        rc = load_rows(v, a, &dj_gen__tsv_compat, compat_key, &v->compat, &v->n_compat, err);
    if (!rc)
        rc = load_rows(v, a, &dj_gen__tsv_collisions, brand_row_key, &v->collisions,
                       &v->n_collisions, err);
    if (!rc)
        rc = load_rows(v, a, &dj_gen__tsv_traps, trap_key, &v->traps, &v->n_traps, err);
    if (!rc)
        rc = load_misc(v, a, err);
    if (!rc)
        rc = check_brands(v, err);
    if (!rc)
        for (int i = 0; i < DJ_GEN__N_TRAPS && !rc; i++) {
            uint32_t n = 0;
            for (uint32_t r = 0; r < v->n_traps; r++)
                n += v->traps[r].key == (uint32_t)i;
            if (!n)
                rc = dj_err_set(err, DJ_EINVAL, "data/gen/traps.tsv: no row for %s",
                                dj_gen__trap_names[i]);
        }
    return rc;
}

void dj_gen__vocab_fini(dj_gen__vocab *v)
{
    /* Everything lives in the arena. */
    memset(v, 0, sizeof *v);
}
