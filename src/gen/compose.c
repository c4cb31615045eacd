/*
 * Text of a listing: titles and descriptions expanded from the templates
 * of titles.tsv and sentences.tsv, with every slot filled from the listing
 * (its brand mark, plain or obfuscated; product; attribute words of its
 * category; KB signal terms in the seller's spelling), then tidied (the gaps
 * optional slots leave). A description sentence whose required slot has
 * nothing to say for the category is rolled back, and no sentence template
 * is used twice in a description.
 */
#include "gen/gen_int.h"

#include <stdio.h>
#include <string.h>

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

static int is_lower(int ch)
{
    return ch >= 'a' && ch <= 'z';
}

static int ascii_alnum(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* Appends s applying the English title casing (template text and words,
 * never brand marks). */
static void add_cased(ctx *c, dj_buf *o, const char *s, size_t n)
{
    if (!(c->in_title && c->tlang == DJ_GEN__EN && c->en_case)) {
        dj_buf_add(o, s, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int ch = (unsigned char)s[i];
        if (c->en_case == 2 && ch >= 'A' && ch <= 'Z')
            ch = ch - 'A' + 'a';
        else if (c->en_case == 1 && is_lower(ch)) {
            char prev = o->len ? o->data[o->len - 1] : ' ';
            if (prev == ' ' || prev == '(' || prev == '/')
                ch = ch - 'a' + 'A';
        }
        dj_buf_addc(o, (char)ch);
    }
}

static void add_str(ctx *c, dj_buf *o, const char *s)
{
    add_cased(c, o, s, strlen(s));
}

/* Latin display mark with the case variations honest sellers use. */
static void add_latin_mark(ctx *c, dj_buf *o, const char *m)
{
    uint32_t v = pick(c, 100);
    size_t n = strlen(m);
    if (v < 72 || (c->in_title && c->tlang == DJ_GEN__EN)) {
        dj_buf_add(o, m, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = m[i];
        if (v < 86 && ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        else if (v >= 86 && ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        dj_buf_addc(o, ch);
    }
}

/* Whether the listing's product line contains mark m (ASCII
 * case-insensitively). */
static int in_line(const ctx *c, const char *m)
{
    size_t n = strlen(m);
    if (!c->line || !n)
        return 0;
    for (const char *p = c->line; *p; p++) {
        size_t k = 0;
        while (k < n && p[k] && (p[k] | 0x20) == (m[k] | 0x20) &&
               ((unsigned char)m[k] < 0x80 ? 1 : p[k] == m[k]))
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

static void write_mark(ctx *c, dj_buf *o, const dj_gen__brand *b)
{
    int cjk;
    uint32_t v = pick(c, 100);
    if (!b->n_cjk || c->tlang == DJ_GEN__EN)
        cjk = 0;
    else if (c->lang == DJ_GEN__LANG_MIX)
        cjk = v < 25;
    else
        cjk = v < 45;
    c->last_cjk = cjk;
    if (cjk) {
        /* The official Chinese name mostly; sometimes another CJK mark. */
        const char *m = b->cjk[pct(c, 78) ? 0 : pick(c, b->n_cjk)];
        dj_buf_adds(o, m);
    } else {
        /* Other Latin marks are often product names (iPhone, Air Max): used
         * only when no product line is named. */
        const char *m = b->latin[b->n_latin > 1 && !c->line && pct(c, 15) ? 1 + pick(c, b->n_latin - 1) : 0];
        /* "Apple iPhone 15", not "iPhone iPhone 15": a line that already
         * carries the mark needs no second one. */
        if (in_line(c, m))
            m = in_line(c, b->latin[0]) ? NULL : b->latin[0];
        if (m)
            add_latin_mark(c, o, m);
    }
}

static void write_brand(ctx *c, dj_buf *o)
{
    if (!c->brand)
        return;
    if (c->hide_brand) {
        if (c->nick)
            dj_buf_adds(o, c->nick);
        return;
    }
    if (c->obf < 0) {
        write_mark(c, o, c->brand);
        return;
    }
    if (c->obf2 < 0) {
        dj_gen__obf_write(c->obf, c->obf_mark, &c->r, o);
        return;
    }
    dj_buf tmp;
    dj_buf_init(&tmp, 4096);
    dj_gen__obf_write(c->obf, c->obf_mark, &c->r, &tmp);
    if (tmp.data && dj_gen__obf_applies(c->obf2, tmp.data))
        dj_gen__obf_write(c->obf2, tmp.data, &c->r, o);
    else if (tmp.data)
        dj_buf_add(o, tmp.data, tmp.len);
    dj_buf_fini(&tmp);
}

/* The other script of the brand (Gucci古驰). */
static void write_brand_alt(ctx *c, dj_buf *o)
{
    const dj_gen__brand *b = c->brand;
    if (!b || c->obf >= 0 || c->hide_brand)
        return;
    if (c->last_cjk)
        add_latin_mark(c, o, b->latin[0]);
    else if (b->n_cjk && c->tlang == DJ_GEN__ZH)
        dj_buf_adds(o, b->cjk[0]);
}

static void write_brands(ctx *c, dj_buf *o)
{
    static const char *const seps[] = {" ", "/", "、", "", "+", " x "};
    const char *sep = seps[pick(c, sizeof seps / sizeof *seps)];
    for (uint32_t i = 0; i < c->n_brands; i++) {
        if (i)
            dj_buf_adds(o, sep);
        size_t pos = o->len;
        write_mark(c, o, &c->g->brands[c->brands[i]]);
        if (i && !*sep && o->len > pos && ascii_alnum(o->data[pos - 1]) &&
            ascii_alnum(o->data[pos]) && dj_buf_addc(o, ' ') == DJ_OK) {
            memmove(o->data + pos + 1, o->data + pos, o->len - pos - 1);
            o->data[pos] = ' ';
        }
    }
}

/* Writes a signal term of a kind (and strength, ST_NONE = any), in the
 * text's language, with the case a seller would use (A货, AAA). */
static void write_signal(ctx *c, dj_buf *o, int kind, int strength)
{
    const dj_gen *g = c->g;
    int l = c->tlang;
    if (c->lang == DJ_GEN__LANG_MIX && c->in_title && pct(c, 35))
        l = DJ_GEN__EN;
    int st = strength;
    if (st == DJ_GEN__ST_NONE && kind != DJ_GEN__K_COMPAT && kind != DJ_GEN__K_RESALE) {
        uint32_t tot = 0;
        for (int s = 0; s < 3; s++)
            tot += g->n_sig_pick[kind][s][l];
        if (!tot)
            return;
        uint32_t x = pick(c, tot);
        for (st = 0; st < 3 && x >= g->n_sig_pick[kind][st][l]; st++)
            x -= g->n_sig_pick[kind][st][l];
    }
    uint32_t n = g->n_sig_pick[kind][st][l];
    if (!n) {
        l = !l;
        n = g->n_sig_pick[kind][st][l];
        if (!n)
            return;
    }
    /* A word the KB cancels in this category (复刻 for kitchenware) would
     * not say what the listing means. */
    uint32_t si = g->sig_pick[kind][st][l][pick(c, n)];
    for (int tries = 0; tries < 8 && *g->signals[si].cancel_cats &&
                        dj_gen__in_cats(&g->v, c->cat, g->signals[si].cancel_cats); tries++)
        si = g->sig_pick[kind][st][l][pick(c, n)];
    if (kind == DJ_GEN__K_REPLICA && st == DJ_GEN__ST_STRONG && c->n_replica_used < 16)
        c->replica_used[c->n_replica_used++] = si;
    const char *t = g->signals[si].term;
    size_t len = strlen(t), letters = 0;
    for (size_t i = 0; i < len; i++)
        letters += is_lower((unsigned char)t[i]);
    if (letters && letters <= 3 && kind == DJ_GEN__K_REPLICA && pct(c, 75)) {
        for (size_t i = 0; i < len; i++)
            dj_buf_addc(o, is_lower((unsigned char)t[i]) ? (char)(t[i] - 'a' + 'A') : t[i]);
        return;
    }
    add_str(c, o, t);
}

static void write_word(ctx *c, dj_buf *o, int kind)
{
    const dj_gen__words *w = c->g->v.cats[c->cat].words[kind];
    if (!w || !w->n)
        return;
    int l = c->tlang;
    if (c->lang == DJ_GEN__LANG_MIX && c->in_title && pct(c, 20))
        l = DJ_GEN__EN;
    for (int tries = 0; tries < 4; tries++) {
        uint32_t i = pick(c, w->n);
        if ((int32_t)i == c->last_word[kind] && w->n > 1 && tries < 3)
            continue;
        c->last_word[kind] = (int32_t)i;
        const char *s = w->w[l][i];
        if (!s && c->tlang == DJ_GEN__ZH)
            s = w->w[!l][i];
        if (s) {
            add_str(c, o, s);
            return;
        }
    }
}

static void write_product(ctx *c, dj_buf *o, const dj_gen__product *p)
{
    int l = c->tlang;
    if (c->lang == DJ_GEN__LANG_MIX && c->in_title && pct(c, 25))
        l = DJ_GEN__EN;
    if (p) {
        add_str(c, o, p->name[l]);
        return;
    }
    /* Accessory, collision and trap listings describe their category. */
    const dj_gen__cat *cat = &c->g->v.cats[c->cat];
    add_str(c, o, l == DJ_GEN__EN ? cat->en : cat->zh);
}

static void write_model(ctx *c, dj_buf *o)
{
    static const char letters[] = "KRTXZDQF";
    char m[16];
    switch (pick(c, 4)) {
    case 0:
        snprintf(m, sizeof m, "%c%c%u", letters[pick(c, 8)], letters[pick(c, 8)],
                 100 + pick(c, 9900));
        break;
    case 1:
        snprintf(m, sizeof m, "%c%c-%u%c", letters[pick(c, 8)], letters[pick(c, 8)],
                 100 + pick(c, 900), letters[pick(c, 8)]);
        break;
    case 2:
        snprintf(m, sizeof m, "%u", 1000 + pick(c, 9000));
        break;
    default:
        snprintf(m, sizeof m, "%c%u%c%c", letters[pick(c, 8)], 10 + pick(c, 90),
                 letters[pick(c, 8)], letters[pick(c, 8)]);
    }
    dj_buf_adds(o, m);
}

static void write_money(ctx *c, dj_buf *o, int64_t cents)
{
    static const char *const sym[] = {"¥", "$", "HK$"};
    dj_buf_printf(o, "%s%lld", sym[c->currency], (long long)(cents / 100));
}

static void fill(ctx *c, dj_buf *o, int slot)
{
    switch (slot) {
    case DJ_GEN__SL_BRAND:
        write_brand(c, o);
        break;
    case DJ_GEN__SL_BRAND_ALT:
        write_brand_alt(c, o);
        break;
    case DJ_GEN__SL_BRANDS:
        write_brands(c, o);
        break;
    case DJ_GEN__SL_NICK:
        if (c->nick)
            dj_buf_adds(o, c->nick);
        break;
    case DJ_GEN__SL_LINE:
        if (c->line)
            dj_buf_adds(o, c->line);
        break;
    case DJ_GEN__SL_P:
        write_product(c, o, c->prod);
        break;
    case DJ_GEN__SL_P2: {
        const dj_gen__cat *cat = &c->g->v.cats[c->cat];
        if (cat->n_products)
            write_product(c, o, &c->g->v.products[cat->products[pick(c, cat->n_products)]]);
        break;
    }
    case DJ_GEN__SL_REPLICA:
        write_signal(c, o, DJ_GEN__K_REPLICA, DJ_GEN__ST_STRONG);
        break;
    case DJ_GEN__SL_COVER:
        write_signal(c, o, DJ_GEN__K_REPLICA, DJ_GEN__ST_MEDIUM);
        break;
    case DJ_GEN__SL_LOOKALIKE:
        write_signal(c, o, DJ_GEN__K_LOOKALIKE, DJ_GEN__ST_NONE);
        break;
    case DJ_GEN__SL_EVASION:
        write_signal(c, o, DJ_GEN__K_EVASION, DJ_GEN__ST_NONE);
        break;
    case DJ_GEN__SL_RESALE:
        write_signal(c, o, DJ_GEN__K_RESALE, DJ_GEN__ST_NONE);
        break;
    case DJ_GEN__SL_COMPAT:
        write_signal(c, o, DJ_GEN__K_COMPAT, DJ_GEN__ST_NONE);
        break;
    case DJ_GEN__SL_N:
        dj_buf_printf(o, "%u", 2 + pick(c, 8));
        break;
    case DJ_GEN__SL_YEAR:
        dj_buf_printf(o, "%u", 2019 + pick(c, 7));
        break;
    case DJ_GEN__SL_MODEL:
        write_model(c, o);
        break;
    case DJ_GEN__SL_MSRP:
        if (c->floor_cents > 0) {
            int64_t m = c->floor_cents * rnd(c, 110, 180) / 100;
            if (c->currency == DJ_GEN__CUR_USD)
                m = m * 10 / 71;
            else if (c->currency == DJ_GEN__CUR_HKD)
                m = m * 100 / 92;
            write_money(c, o, m);
        }
        break;
    default:
        if (slot >= DJ_GEN__SL_WORD && slot < DJ_GEN__SL__END)
            write_word(c, o, slot - DJ_GEN__SL_WORD);
    }
}

/* Fills a slot; keeps Latin words apart (Gucci Marmont, not GucciMarmont)
 * and notes a required slot that had nothing to say. */
static void fill_slot(ctx *c, dj_buf *o, const dj_gen__tnode *nd)
{
    size_t pos = o->len;
    fill(c, o, nd->slot);
    if (o->len == pos) {
        if (!nd->opt && nd->slot != DJ_GEN__SL_LINE && nd->slot != DJ_GEN__SL_BRAND_ALT)
            c->missing = 1;
        return;
    }
    if (nd->slot != DJ_GEN__SL_N && pos > 0 && ascii_alnum(o->data[pos - 1]) &&
        ascii_alnum(o->data[pos]) && dj_buf_addc(o, ' ') == DJ_OK) {
        memmove(o->data + pos + 1, o->data + pos, o->len - pos - 1);
        o->data[pos] = ' ';
    }
}

static void expand(ctx *c, const dj_gen__tseq *t, dj_buf *o)
{
    for (uint32_t i = 0; i < t->n; i++) {
        const dj_gen__tnode *nd = &t->nodes[i];
        switch (nd->op) {
        case DJ_GEN__T_LIT:
            add_cased(c, o, nd->s, nd->len);
            break;
        case DJ_GEN__T_SLOT:
            if (!nd->opt || pct(c, 50))
                fill_slot(c, o, nd);
            break;
        default:
            expand(c, &nd->alts[pick(c, nd->n_alts)], o);
        }
    }
}

/* ---- tidying ---- */

static int starts(const char *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return l <= n && !memcmp(p, lit, l);
}

/* Length of the separator punctuation at p (, ; - | / : and the
 * full-width ，；： and 、), 0 if none. On every byte of every text: no
 * string calls. */
static size_t sep_punct(const char *sp, size_t n)
{
    const unsigned char *p = (const unsigned char *)sp;
    switch (p[0]) {
    case ',': case ';': case '-': case '|': case '/': case ':':
        return 1;
    case 0xEF:
        return n >= 3 && p[1] == 0xBC && (p[2] == 0x8C || p[2] == 0x9B || p[2] == 0x9A) ? 3 : 0;
    case 0xE3:
        return n >= 3 && p[1] == 0x80 && p[2] == 0x81 ? 3 : 0;
    default:
        return 0;
    }
}

/* Bytes tidy must look at: space, newline, separators and the lead bytes of
 * the CJK punctuation it handles. */
static const unsigned char tidy_special[256] = {
    ['\n'] = 1, [' '] = 1, [','] = 1, [';'] = 1, ['-'] = 1, ['|'] = 1, ['/'] = 1,
    [':'] = 1, [0xE3] = 1, [0xEF] = 1,
};

/* Collapses runs of spaces, drops a separator that follows another one (or
 * starts or ends the text) and the space before ',', '，' and '。' - the
 * gaps left by optional slots. A '-', '/' or ':' between two non-spaces
 * (T-shirt, L/V, 1:18) is part of a word and stays. */
static void tidy(dj_buf *b)
{
    if (!b->data)
        return;
    char *s = b->data;
    size_t n = b->len, w = 0;
    int last_sep = 1;
    for (size_t i = 0; i < n;) {
        size_t l;
        /* Fast path: a run of ordinary bytes. */
        size_t j = i;
        while (j < n && !tidy_special[(unsigned char)s[j]])
            j++;
        if (j > i) {
            if (w != i)
                memmove(s + w, s + i, j - i);
            w += j - i;
            i = j;
            last_sep = 0;
            continue;
        }
        if (s[i] == ' ') {
            if (w > 0 && s[w - 1] != ' ' && s[w - 1] != '\n')
                s[w++] = ' ';
            i++;
            continue;
        }
        if ((l = sep_punct(s + i, n - i)) != 0) {
            int inner = (s[i] == '-' || s[i] == '/' || s[i] == ':') && w > 0 &&
                        s[w - 1] != ' ' && i + 1 < n && s[i + 1] != ' ';
            if (last_sep && !inner) {
                i += l;
                continue;
            }
            if (!inner && (s[i] == ',' || (l == 3 && starts(s + i, n - i, "，"))) && w > 0 &&
                s[w - 1] == ' ')
                w--;
            memmove(s + w, s + i, l);
            w += l;
            i += l;
            last_sep = !inner;
            continue;
        }
        if ((unsigned char)s[i] == 0xE3 && starts(s + i, n - i, "。") && w > 0 && s[w - 1] == ' ')
            w--;
        if (s[i] == '\n' && w > 0 && s[w - 1] == ' ')
            w--;
        s[w++] = s[i++];
        last_sep = 0;
    }
    for (;;) {
        while (w > 0 && (s[w - 1] == ' ' || s[w - 1] == '\n'))
            w--;
        size_t cut = 0;
        for (size_t k = 1; k <= 3 && k <= w && !cut; k++)
            if (sep_punct(s + w - k, k) == k)
                cut = k;
        if (!cut)
            break;
        w -= cut;
    }
    b->len = w;
    s[w] = '\0';
}

/* ---- titles and descriptions ---- */

static void decorate_title(ctx *c)
{
    dj_buf *t = &c->title;
    c->in_title = 1;
    if (c->tlang == DJ_GEN__ZH) {
        if (pct(c, 10) && (!t->data || strncmp(t->data, "【", 3))) {
            dj_buf pre;
            dj_buf_init(&pre, 1 << 16);
            dj_buf_adds(&pre, "【");
            write_word(c, &pre, DJ_GEN__W_PROMO);
            dj_buf_adds(&pre, "】");
            if (t->data)
                dj_buf_add(&pre, t->data, t->len);
            dj_buf_fini(t);
            *t = pre;
        }
        if (pct(c, 18)) {
            dj_buf_addc(t, ' ');
            write_word(c, t, DJ_GEN__W_COLOR);
        }
        if (pct(c, 12)) {
            dj_buf_addc(t, ' ');
            write_word(c, t, DJ_GEN__W_SIZE);
        }
        if (pct(c, 7))
            write_word(c, t, DJ_GEN__W_EMOJI);
    } else {
        if (pct(c, 5)) {
            dj_buf_adds(t, " - ");
            write_word(c, t, DJ_GEN__W_PROMO);
        }
        if (pct(c, 4))
            write_word(c, t, DJ_GEN__W_EMOJI);
    }
    c->in_title = 0;
}

static void begin_title(ctx *c)
{
    dj_buf_reset(&c->title);
    c->tlang = c->lang == DJ_GEN__LANG_EN ? DJ_GEN__EN : DJ_GEN__ZH;
    c->in_title = 1;
    uint32_t v = pick(c, 100);
    c->en_case = v < 45 ? 1 : v < 80 ? 0 : 2;
}

void dj_gen__make_title(ctx *c, int kind)
{
    begin_title(c);
    const dj_gen__tlist *l = &c->g->v.titles[kind][c->tlang];
    expand(c, &l->v[pick(c, l->n)], &c->title);
    decorate_title(c);
    tidy(&c->title);
}

/* Title from a compat / collision / trap row. */
void dj_gen__row_title(ctx *c, const dj_gen__row *row)
{
    /* A row in the other language sets the listing's language. */
    if (row->lang == DJ_GEN__EN && c->lang != DJ_GEN__LANG_EN) {
        c->lang = DJ_GEN__LANG_EN;
    } else if (row->lang == DJ_GEN__ZH && c->lang == DJ_GEN__LANG_EN) {
        c->lang = DJ_GEN__LANG_ZH;
        c->currency = DJ_GEN__CUR_CNY;
    }
    begin_title(c);
    c->tlang = row->lang;
    expand(c, &row->tpl, &c->title);
    decorate_title(c);
    tidy(&c->title);
    /* The title names the goods; the description speaks of the category. */
    c->prod = NULL;
}

static const int fillers[] = {
    DJ_GEN__SK_DETAIL, DJ_GEN__SK_DETAIL, DJ_GEN__SK_DETAIL, DJ_GEN__SK_MATERIAL,
    DJ_GEN__SK_SIZE, DJ_GEN__SK_SCENE, DJ_GEN__SK_QA, DJ_GEN__SK_REVIEW,
    DJ_GEN__SK_CARE, DJ_GEN__SK_PROMO, DJ_GEN__SK_STORE, DJ_GEN__SK_DETAIL,
};

/* Appends one sentence of kind k; returns 0 when there is none. A
 * template whose required slot is empty for this category (no material for
 * fruit) is rolled back and another one tried; a template is not used twice
 * in one description. */
static int sentence(ctx *c, int k, const char *sep)
{
    int l = c->lang == DJ_GEN__LANG_EN ? DJ_GEN__EN : c->lang == DJ_GEN__LANG_ZH ? DJ_GEN__ZH
          : pct(c, 55) ? DJ_GEN__ZH : DJ_GEN__EN;
    const dj_gen__tptrs *tl = &c->g->v.cats[c->cat].sent[k][l];
    if (!tl->n) {
        /* Trap and scenario sentences may exist in one language only. */
        l = !l;
        tl = &c->g->v.cats[c->cat].sent[k][l];
        if (!tl->n || c->lang != DJ_GEN__LANG_MIX)
            return 0;
    }
    c->tlang = l;
    size_t start = c->desc.len;
    for (int tries = 0; tries < 4; tries++) {
        const dj_gen__tseq *t = tl->v[pick(c, tl->n)];
        int seen = 0;
        for (uint32_t i = 0; i < c->n_used; i++)
            seen |= c->used[i] == t;
        if (seen)
            continue;
        if (start)
            dj_buf_adds(&c->desc, sep);
        size_t body = c->desc.len;
        c->missing = 0;
        expand(c, t, &c->desc);
        if (!c->missing && c->desc.len > body) {
            if (c->n_used < 32)
                c->used[c->n_used++] = t;
            return 1;
        }
        c->desc.len = start;
        if (c->desc.data)
            c->desc.data[start] = '\0';
    }
    return 0;
}

/* The description: intro, the scenario's sentences (must), fillers up to
 * the target length, and shipping / returns at the end. */
void dj_gen__describe(ctx *c, const int *must, size_t n_must)
{
    uint32_t mean = c->g->opts.desc_bytes;
    dj_buf_reset(&c->desc);
    c->n_used = 0;
    if (!mean)
        return;
    size_t target = (size_t)mean * (50 + pick(c, 101)) / 100;
    size_t cap = (size_t)mean * 3 + 200;
    const char *sep = c->lang == DJ_GEN__LANG_ZH ? "" : " ";
    if (pct(c, 15))
        sep = "\n";
    /* Accessory, collision and trap listings have no product to introduce. */
    if (c->prod && pct(c, 80))
        sentence(c, DJ_GEN__SK_INTRO, sep);
    for (size_t i = 0; i < n_must; i++) {
        /* Scenario sentences go early or among the details. */
        if (i > 0 && pct(c, 40))
            sentence(c, fillers[pick(c, sizeof fillers / sizeof *fillers)], sep);
        sentence(c, must[i], sep);
    }
    for (int tries = 0; c->desc.len < target && c->desc.len < cap && tries < 64; tries++)
        sentence(c, fillers[pick(c, sizeof fillers / sizeof *fillers)], sep);
    if (c->desc.len < cap && pct(c, 60))
        sentence(c, DJ_GEN__SK_SHIP, sep);
    if (c->desc.len < cap && pct(c, 35))
        sentence(c, DJ_GEN__SK_RETURN, sep);
    tidy(&c->desc);
}
