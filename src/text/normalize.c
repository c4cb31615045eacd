/*
 * Normalization (see text.h for the rules). Four passes over an array of
 * units, one unit per input code point (one per character of its form for
 * a code point whose compatibility form is several, ⒢ -> "(g)"):
 *   1. decode and look up each code point in the shared table;
 *   2. words: decide whether the lookalikes in each word fold to Latin
 *      (the word has Latin letters, or is made of lookalikes only);
 *   3. separators: find chains of single characters split by separators
 *      (G.U.C.C.I, 香 奈 儿, L/V) and drop the separators;
 *   4. emit bytes, the map back to the input and the flags, collapsing
 *      white space.
 * Every pass is a linear walk with table lookups; nothing allocates once
 * the buffers have grown to the working size.
 *
 * Most listing text needs none of pass 2 and little of pass 3: it has no
 * lookalike letters, and its only separators to remove sit between CJK
 * characters (规格~尺码, 香 奈儿), which fast() cuts out of its output as it
 * goes. fast() does the whole job in one pass and gives up (returning 0)
 * the moment it meets a lookalike or a chain of single Latin letters; the
 * four passes then run from the beginning. ASCII runs skip the table
 * entirely. Both paths give the same bytes, map and flags: a differential
 * test and the fuzz target hold them to it.
 */
#include "text/text_int.h"
#include "util/mem.h"
#include "util/simd.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct unit {
    uint32_t orig;    /* input offset of the code point */
    uint32_t off;     /* where its matching form is (pool, or input when raw) */
    uint8_t len;      /* bytes of the matching form */
    uint8_t cls;      /* DJ_TC_* */
    uint8_t raw;      /* 1: the form is the input bytes themselves */
    uint8_t fold;     /* 1: a lookalike folded to its Latin letter */
    uint8_t drop;     /* a separator removed: 1 from a chain (flagged), 2
                         between CJK words (plain) */
    uint8_t flags;    /* DJ_TEXT_F_* for its first byte */
    uint8_t named;    /* a name or list separator (dj_text_ent.named) */
    uint8_t weak;     /* a weak lookalike (dj_text_ent.weak) */
} unit;

#define MAX_MIXED 32

struct dj_text {
    uint32_t mixed[MAX_MIXED];  /* see dj_text_view.mixed */
    unit *u;
    size_t u_cap;
    char *out;
    uint32_t *orig;
    uint8_t *flags;
    size_t out_cap;
    size_t max;
};

dj_rc dj_text_new(dj_text **out, dj_err *err)
{
    dj_rc rc = dj_text__table(err);
    if (rc)
        return rc;
    dj_text *t = dj_xcalloc(1, sizeof *t);
    t->max = (size_t)1 << 20;
    *out = t;
    return DJ_OK;
}

void dj_text_free(dj_text *t)
{
    if (!t)
        return;
    free(t->u);
    free(t->out);
    free(t->orig);
    free(t->flags);
    free(t);
}

void dj_text_set_max(dj_text *t, size_t max_len)
{
    t->max = max_len;
}

static int is_word(uint8_t cls)
{
    return cls == DJ_TC_LATIN || cls == DJ_TC_DIGIT || cls == DJ_TC_LETTER || cls == DJ_TC_HOMOGLYPH ||
           cls == DJ_TC_FANCY;
}

static int is_token(uint8_t cls)
{
    return is_word(cls) || cls == DJ_TC_CJK;
}

static int is_gone(const unit *u)
{
    return u->cls == DJ_TC_INVISIBLE || u->cls == DJ_TC_MARK;
}

/* The units of a SPLIT form: one per character, each as the table has it
 * (a character of a compatibility form is its own form; one that is not
 * in the table stays as it is), all mapped back to the code point at
 * orig. Returns the new number of units. */
static size_t split(dj_text *t, size_t n, uint32_t orig, const dj_text_ent *e, size_t *bytes)
{
    const dj_text_table *tab = &dj_text__tab;
    for (size_t j = 0; j < e->len;) {
        uint32_t pc;
        size_t pk = dj_utf8_decode(tab->pool + e->off + j, e->len - j, &pc);
        if (!pk)
            break; /* the table holds valid UTF-8 */
        dj_xgrow((void **)&t->u, &t->u_cap, n + 1, sizeof *t->u);
        unit *u = &t->u[n++];
        *u = (unit){.orig = orig};
        const dj_text_ent *pe = pc < DJ_TEXT_TABLE_MAX ? &tab->ent[pc] : NULL;
        if (pe && pe->cls != DJ_TC_SPLIT) {
            u->off = pe->off;
            u->len = pe->len;
            u->cls = pe->cls;
            u->named = pe->named;
            u->weak = pe->weak;
        } else {
            u->off = e->off + (uint32_t)j;
            u->len = (uint8_t)pk;
            u->cls = DJ_TC_OTHER;
        }
        *bytes += u->len + 1;
        j += pk;
    }
    return n;
}

/* Above the table, plane 14 holds only invisible characters: tags (U+E0001,
 * U+E0020..E007F: Gu<tag A>cci reads Gucci), the variation selectors
 * supplement and reserved default-ignorables. They are removed and flagged
 * as U+200B (ZERO WIDTH SPACE) is. */
#define ZWSP 0x200Bu
static int ignorable_high(uint32_t cp)
{
    return cp >= 0xE0000u && cp <= 0xE0FFFu;
}

/* HTML character references: listings copied from web pages carry them
 * (Dolce &amp; Gabbana), and a letter written as one (Gu&#99;ci, &#x47;ucci)
 * hides a mark from filters that read the bytes. The named ones are those
 * shop text uses; a reference must end with its semicolon, as HTML
 * requires of all but a few legacy names. */
static const struct {
    char name[7];
    uint16_t cp;
} named_refs[] = {
    {"amp", '&'},     {"lt", '<'},      {"gt", '>'},      {"quot", '"'},    {"apos", '\''},
    {"nbsp", 0xA0},   {"times", 0xD7},  {"middot", 0xB7}, {"reg", 0xAE},    {"copy", 0xA9},
    {"trade", 0x2122}, {"hellip", 0x2026}, {"ndash", 0x2013}, {"mdash", 0x2014}, {"yen", 0xA5},
    {"euro", 0x20AC}, {"deg", 0xB0},    {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C},
    {"rdquo", 0x201D}, {"bull", 0x2022},
};

size_t dj_text__char_ref(const char *in, size_t len, uint32_t *cp)
{
    if (len < 4 || in[0] != '&')
        return 0;
    size_t i = 1;
    uint32_t v = 0;
    if (in[1] == '#') {
        int hex = len > 2 && (in[2] == 'x' || in[2] == 'X');
        size_t first = i = 2 + (size_t)hex;
        for (; i < len && i - first < 8; i++) {
            unsigned char c = (unsigned char)in[i];
            unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                         : hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10u
                                                                          : 99u;
            if (d == 99u)
                break;
            v = v * (hex ? 16u : 10u) + d;
        }
        if (i == first || i >= len || in[i] != ';' || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return 0;
        *cp = v;
        return i + 1;
    }
    for (; i < len && i < 8 && ((in[i] | 0x20) >= 'a' && (in[i] | 0x20) <= 'z'); i++)
        ;
    if (i >= len || in[i] != ';')
        return 0;
    /* Any case: HTML has &AMP; and &QUOT; too, and the matching form is
     * folded, so that &AMP; must read as its folded &amp; does. */
    for (size_t k = 0; k < sizeof named_refs / sizeof named_refs[0]; k++)
        if (strlen(named_refs[k].name) == i - 1 && !strncasecmp(named_refs[k].name, in + 1, i - 1)) {
            *cp = named_refs[k].cp;
            return i + 1;
        }
    return 0;
}

/* The elements listing text carries from web pages and rich-text editors:
 * those that break a line or make a block (a space in the text), then
 * those that only style the letters inside them (nothing: Gu<b></b>cci
 * shows Gucci). */
static const char *const block_tags[] = {"br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "tbody",
                                         "thead", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre", "blockquote",
                                         "dl", "dt", "dd", "section", "article", "header", "footer", "center"};
static const char *const inline_tags[] = {"a", "abbr", "b", "big", "code", "del", "em", "font", "i", "img", "ins",
                                          "mark", "s", "small", "span", "strike", "strong", "sub", "sup", "tt",
                                          "u", "wbr"};

static int tag_in(const char *const *names, size_t n, const char *name, size_t len)
{
    for (size_t k = 0; k < n; k++)
        if (strlen(names[k]) == len && !strncasecmp(names[k], name, len))
            return 1;
    return 0;
}

#define MAX_TAG 256 /* bytes of a tag with its attributes */

static int tag_letter(char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

size_t dj_text__html_tag(const char *in, size_t len, int *block)
{
    if (len < 3 || in[0] != '<')
        return 0;
    size_t i = 1 + (in[1] == '/'), name = i;
    while (i < len && i - name < 12 && (tag_letter(in[i]) || (i > name && in[i] >= '1' && in[i] <= '6')))
        i++; /* letters, and the digit of h1-h6 */
    size_t nl = i - name;
    if (!nl)
        return 0;
    if (tag_in(block_tags, sizeof block_tags / sizeof *block_tags, in + name, nl))
        *block = 1;
    else if (tag_in(inline_tags, sizeof inline_tags / sizeof *inline_tags, in + name, nl))
        *block = 0;
    else
        return 0;
    if (i < len && in[i] != '>' && in[i] != '/' && in[i] != ' ')
        return 0; /* <bag>, <brand>: a word in brackets */
    for (; i < len && i < MAX_TAG; i++) {
        if (in[i] == '>')
            return i + 1;
        if (in[i] == '<' || in[i] == '\n')
            return 0;
    }
    return 0;
}

/* Regional indicator letters (U+1F1E6..1F1FF): two side by side make a
 * flag (🇯🇵), but one alone shows its letter in a box, and spelled out a
 * space or an invisible character apart (🇬 🇺 🇨 🇨 🇮) they are a name in
 * fancy letters. 1 when in[i..] starts one that has none beside it. */
static int ri_at(const char *in, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)in + i;
    return i + 4 <= len && u[0] == 0xF0 && u[1] == 0x9F && u[2] == 0x87 && u[3] >= 0xA6 && u[3] <= 0xBF;
}

static int lone_ri(const char *in, size_t len, size_t i)
{
    return ri_at(in, len, i) && !ri_at(in, len, i + 4) && !(i >= 4 && ri_at(in, len, i - 4));
}

int dj_text__has_markup(const char *s, size_t n)
{
    uint32_t cp;
    int block;
    for (size_t i = 0; i < n; i++)
        if ((s[i] == '&' && dj_text__char_ref(s + i, n - i, &cp)) ||
            (s[i] == '<' && dj_text__html_tag(s + i, n - i, &block)))
            return 1;
    return 0;
}

/* Pass 1. Returns the number of units. */
static size_t decode(dj_text *t, const char *in, size_t len, size_t *out_bytes)
{
    const dj_text_table *tab = &dj_text__tab;
    size_t n = 0, bytes = 0;
    for (size_t i = 0; i < len;) {
        /* A unit per input byte at most, except for SPLIT forms. */
        dj_xgrow((void **)&t->u, &t->u_cap, n + (len - i) + 1, sizeof *t->u);
        unsigned char c = (unsigned char)in[i];
        uint32_t cp;
        size_t k;
        uint8_t ref = 0; /* a letter or digit written as a reference */
        int block;
        if (c == '&' && (k = dj_text__char_ref(in + i, len - i, &cp)) && cp < DJ_TEXT_TABLE_MAX) {
            int alnum = (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
            ref = alnum ? DJ_TEXT_F_ENTITY : 0;
        } else if (c == '<' && (k = dj_text__html_tag(in + i, len - i, &block))) {
            cp = block ? ' ' : ZWSP; /* a tag shows a break, or nothing */
        } else if (c < 0x80) {
            cp = c;
            k = 1;
        } else if (!(k = dj_utf8_decode(in + i, len - i, &cp))) {
            cp = 0xFFFD; /* one replacement per invalid byte */
            k = 1;
        }
        if (cp < DJ_TEXT_TABLE_MAX && tab->ent[cp].cls == DJ_TC_SPLIT) {
            n = split(t, n, (uint32_t)i, &tab->ent[cp], &bytes);
            i += k;
            continue;
        }
        int fancy_ri = k == 4 && lone_ri(in, len, i);
        unit *u = &t->u[n++];
        u->orig = (uint32_t)i;
        u->raw = 0;
        u->fold = 0;
        u->drop = 0;
        u->flags = ref;
        u->named = 0;
        u->weak = 0;
        if (fancy_ri) {
            const dj_text_ent *e = &tab->ent['a' + (cp - 0x1F1E6)];
            u->off = e->off;
            u->len = e->len;
            u->cls = DJ_TC_FANCY;
        } else if (cp < DJ_TEXT_TABLE_MAX || ignorable_high(cp)) {
            const dj_text_ent *e = &tab->ent[cp < DJ_TEXT_TABLE_MAX ? cp : ZWSP];
            u->off = e->off;
            u->len = e->len;
            u->cls = e->cls;
            u->named = e->named;
            u->weak = e->weak;
        } else {
            u->off = (uint32_t)i;
            u->len = (uint8_t)k;
            u->raw = 1;
            u->cls = DJ_TC_OTHER;
        }
        bytes += u->len + 1;
        i += k;
    }
    *out_bytes = bytes;
    return n;
}

/* Pass 2: lookalikes fold inside words that contain a Latin letter, or in
 * words made only of lookalikes (Сhаnеl typed all in Cyrillic). Fancy
 * letters are always flagged (their table form is already plain). */
/* Folds the word of units i..j-1, or of units at[i..j-1] when at is given
 * (a word separators() assembled from a chain's tokens). */
static void fold_units(unit *u, size_t i, size_t j, const size_t *at)
{
    int latin = 0, homo = 0, other = 0;
    for (size_t k = i; k < j; k++) {
        const unit *x = &u[at ? at[k] : k];
        latin += x->cls == DJ_TC_LATIN || x->cls == DJ_TC_FANCY;
        homo += x->cls == DJ_TC_HOMOGLYPH;
        other += x->cls == DJ_TC_LETTER || (x->cls == DJ_TC_HOMOGLYPH && x->weak); /* a weak one folds only beside Latin */
    }
    int fold = homo && (latin > 0 || (homo >= 2 && other == 0));
    for (size_t k = i; k < j; k++) {
        unit *x = &u[at ? at[k] : k];
        if (x->cls == DJ_TC_FANCY || (fold && x->cls == DJ_TC_HOMOGLYPH))
            x->fold = 1;
    }
}

static void words(unit *u, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (!is_word(u[i].cls)) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && (is_word(u[j].cls) || is_gone(&u[j])))
            j++;
        fold_units(u, i, j, NULL);
        i = j;
    }
}

/* Index of the next unit after i that is not removed anyway, or n. */
static size_t next_seen(const unit *u, size_t n, size_t i)
{
    for (i++; i < n && is_gone(&u[i]); i++)
        ;
    return i;
}

/* The first output byte of a punctuation unit (0 for other units). */
static unsigned char punct_byte(const unit *x)
{
    return x->cls == DJ_TC_PUNCT && !x->raw && x->len ? (unsigned char)dj_text__tab.pool[x->off] : 0;
}

/* @ and $ stand for letters (P r @ d 4): tokens, not separators. */
static int lookalike_symbol(const unit *x)
{
    unsigned char b = punct_byte(x);
    return x->len == 1 && (b == '@' || b == '$');
}

/* 2 for CJK tokens, 1 for alphabetic ones (and @ $), 0 for the rest. */
static int script_of(const unit *x)
{
    if (x->cls == DJ_TC_CJK)
        return 2;
    return is_word(x->cls) || lookalike_symbol(x) ? 1 : 0;
}

static size_t prev_seen(const unit *u, size_t i)
{
    while (i > 0 && is_gone(&u[i - 1]))
        i--;
    return i; /* index after the previous seen unit; 0 when none */
}

/* ' or ’ */
static int apostrophe(const unit *x)
{
    unsigned char b = punct_byte(x);
    return (b == '\'' && x->len == 1) ||
           (b == 0xE2 && x->len == 3 && !memcmp(dj_text__tab.pool + x->off, "\xE2\x80\x99", 3));
}

/* A token with no token of its own script right next to it ("LV包" has the
 * single Latin letters L and V; "香 奈" two single CJK characters). A
 * letter that an apostrophe ties to a word of several letters (the s of
 * men's, the I of I'll) is part of that word; G'U'C'C'I stays a chain. */
static int single(const unit *u, size_t n, size_t i)
{
    int s = script_of(&u[i]);
    if (!s)
        return 0;
    size_t p = prev_seen(u, i);
    if (p > 0 && script_of(&u[p - 1]) == s)
        return 0;
    size_t q = next_seen(u, n, i);
    if (q < n && script_of(&u[q]) == s)
        return 0;
    if (s == 1 && p > 0 && apostrophe(&u[p - 1])) {
        size_t pp = prev_seen(u, p - 1); /* after the letter before ' */
        size_t ppp = pp > 0 ? prev_seen(u, pp - 1) : 0;
        if (pp > 0 && script_of(&u[pp - 1]) == 1 && ppp > 0 && script_of(&u[ppp - 1]) == 1)
            return 0;
    }
    if (s == 1 && q < n && apostrophe(&u[q])) {
        size_t qq = next_seen(u, n, q); /* the letter after ' */
        size_t qqq = qq < n ? next_seen(u, n, qq) : n;
        if (qq < n && script_of(&u[qq]) == 1 && qqq < n && script_of(&u[qqq]) == 1)
            return 0;
    }
    return 1;
}

/* A letter starting a word that is a year after it (the E of
 * W.U.L.I.A.N.G.Y.E2025): a chain may end with it. A shorter number makes
 * a model (v i v o X100 is vivo and the X100). */
static int glued_number(const unit *u, size_t n, size_t i)
{
    if (u[i].cls != DJ_TC_LATIN && u[i].cls != DJ_TC_FANCY && u[i].cls != DJ_TC_HOMOGLYPH)
        return 0; /* a letter of Latin's look (run_end's test in fast() sees those) */
    size_t p = prev_seen(u, i);
    if (p > 0 && script_of(&u[p - 1]) == 1)
        return 0;
    size_t q = next_seen(u, n, i), digits = 0;
    while (q < n && u[q].cls == DJ_TC_DIGIT)
        q = next_seen(u, n, q), digits++;
    return digits == 4 && (q >= n || script_of(&u[q]) != 1);
}

static int separator_unit(const unit *x)
{
    return x->cls == DJ_TC_SPACE || (x->cls == DJ_TC_PUNCT && !lookalike_symbol(x));
}

/* Drops the separators between units from and to; flag (a DJ_TEXT_F_* or
 * 0) goes on the unit after them. */
static void drop_between(unit *u, size_t from, size_t to, unsigned flag)
{
    for (size_t m = from + 1; m < to; m++)
        if (u[m].cls == DJ_TC_SPACE || u[m].cls == DJ_TC_PUNCT)
            u[m].drop = flag ? 1 : 2;
    u[to].flags |= (uint8_t)flag;
}

/* The chain of single Latin letters (and digits) that starts at unit i:
 * collapsed when it is one (see separators()). Returns the unit the scan
 * goes on after. */
static size_t latin_chain(unit *u, size_t n, size_t i)
{
    size_t toks[64], keep[64]; /* keep[k]: the joiner kept before toks[k], or 0 */
    size_t n_toks = 0, seg = 0;   /* seg: where the part after the last joiner starts */
    int punct_everywhere = 1, first_punct = 1;
    size_t cur = i;
    keep[n_toks] = 0;
    toks[n_toks++] = cur;
    for (;;) {
        size_t j = next_seen(u, n, cur);
        size_t run = 0, named = 0, named_at = 0, other = 0;
        int punct = 0;
        while (j < n && separator_unit(&u[j]) && run < 4) {
            punct |= u[j].cls == DJ_TC_PUNCT;
            if (u[j].cls == DJ_TC_PUNCT && u[j].named == DJ_SEP_NAME)
                named++, named_at = j;
            else
                other += u[j].cls != DJ_TC_SPACE;
            run++;
            j = next_seen(u, n, j);
        }
        if (run == 0 || run > 3 || j >= n || script_of(&u[j]) != 1 || n_toks == 64)
            break;
        int last = !single(u, n, j); /* G.U.C.C.I2024: the last, with its number */
        if (last && (n_toks < 2 || !glued_number(u, n, j)))
            break;
        /* A chain keeps its kind of separator: after G,I,V,E,N,C,H,Y
         * the space before "A货" ends it. But spaced letters go on over
         * a name's own joiner between two parts of two or more, letters
         * either side of it, which stays, the spaces dropped: R a y - B a n
         * is ray-ban, S K - I I sk-ii (v 2.0 is a version). */
        size_t kept = 0;
        if (n_toks - seg >= 2 && !punct_everywhere && named == 1 && !other && u[cur].cls != DJ_TC_DIGIT &&
            u[j].cls != DJ_TC_DIGIT)
            kept = named_at;
        else if (n_toks >= 2 && punct != punct_everywhere)
            break;
        else
            punct_everywhere &= punct;
        if (n_toks == 1)
            first_punct = punct;
        cur = j;
        if (kept)
            seg = n_toks;
        keep[n_toks] = kept;
        toks[n_toks++] = cur;
        if (last)
            break;
    }
    if (seg && n_toks - seg < 2)
        n_toks = seg; /* one letter after the joiner: not a part */
    int letters = 0;
    for (size_t k = 0; k < n_toks; k++)
        letters += u[toks[k]].cls != DJ_TC_DIGIT;
    int collapse = n_toks >= 3 ? letters >= 2 : n_toks == 2 && letters == 2 && punct_everywhere;
    if (collapse) {
        for (size_t k = 1; k < n_toks; k++) {
            if (keep[k]) {
                drop_between(u, toks[k - 1], keep[k], DJ_TEXT_F_SEPARATOR);
                drop_between(u, keep[k], toks[k], DJ_TEXT_F_SEPARATOR);
            } else {
                drop_between(u, toks[k - 1], toks[k], DJ_TEXT_F_SEPARATOR);
            }
        }
        fold_units(u, 0, n_toks, toks); /* R.а.у.b.a.n is one word now */
    }
    if (!collapse && n_toks >= 2 && !first_punct)
        return toks[1] - 1; /* a word, and a chain, may start after a space: 1 G_U_C_C_I */
    return toks[n_toks - 1];
}

/* Pass 3: separators that pull a name apart.
 * Latin: chains of single letters split by short separator runs; three or
 * more (two of them letters) collapse (G.U.C.C.I, G U C C I), two only when
 * punctuation splits them (L/V but not "A B").
 * CJK: a name separator between two CJK characters always goes (芬·迪,
 * 香-奈-儿, the · of transliterated names), and so do spaces, flagged when
 * one side is a single character (香 奈 儿, 魅 可散粉) and plain between
 * words of several (路易 威登, as a name's parts are also written; CJK text
 * reads the same without them); a list comma (, ， 、) only next to a
 * single character, flagged (香,奈,儿; 黑色,白色 stays a list); other
 * punctuation only between two single characters, flagged (香。奈。儿,
 * 【香】【奈】; 好。很好 stays). Whether a
 * match across a flagged junction
 * was evasion is for the screen to judge from the pieces' lengths
 * (克里斯提·鲁布托 is how the name is written; 芬·迪 is not). */
static void separators(unit *u, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (u[i].cls == DJ_TC_CJK) {
            size_t j = next_seen(u, n, i), run = 0;
            int named = 0, list = 0, other = 0, spaces = 1;
            /* Spaces between words go however many there are (the output
             * collapses them to one, which must not join on a second pass);
             * the other cases take at most three separators. */
            while (j < n && separator_unit(&u[j]) && (run < 4 || spaces)) {
                named |= u[j].named == DJ_SEP_NAME;
                list |= u[j].named == DJ_SEP_LIST;
                other |= u[j].cls == DJ_TC_PUNCT && !u[j].named;
                spaces &= u[j].cls == DJ_TC_SPACE;
                run++;
                j = next_seen(u, n, j);
            }
            if (run == 0 || j >= n || u[j].cls != DJ_TC_CJK)
                continue;
            int beside_single = single(u, n, i) || single(u, n, j);
            if (other && !(single(u, n, i) && single(u, n, j)))
                continue; /* 好。很好 stays; 香。奈。儿 is one name */
            if (list && !beside_single)
                continue; /* 黑色,白色 is a list */
            int flagged = named || list || other || beside_single;
            if (run <= 3 || !flagged)
                drop_between(u, i, j, flagged ? DJ_TEXT_F_SEPARATOR : 0);
            continue;
        }
        if (script_of(&u[i]) == 1 && single(u, n, i))
            i = latin_chain(u, n, i);
    }
}

static void grow_out(dj_text *t, size_t need)
{
    if (need <= t->out_cap)
        return;
    size_t c = t->out_cap ? t->out_cap : 256;
    while (c < need)
        c *= 2;
    t->out = dj_xrealloc(t->out, c);
    t->orig = dj_xrealloc(t->orig, c * sizeof *t->orig);
    t->flags = dj_xrealloc(t->flags, c);
    t->out_cap = c;
}


/* Lower-case ASCII, and white space/control characters as ' '. */
static const unsigned char ascii_fold[128] = {
#define R(c) (c)
    ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
    ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
    ' ', '!', '"', '#', '$', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
    '@', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '[', '\\', ']', '^', '_',
    '`', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '{', '|', '}', '~', ' ',
#undef R
};

/* 1 for ASCII letters and digits. */
static const unsigned char ascii_alnum[128] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,
    ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
    ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
    ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
};

/* What fast() watches so that it can give up exactly when the full passes
 * would do something: runs of tokens, the separators between them, single
 * letters and single CJK characters (see separators()). */
typedef struct chain_watch {
    int run_units;      /* tokens in the current run (0: not in a run) */
    int run_script;     /* 1 alphabetic, 2 CJK: of the run's first token */
    int run_letter;     /* the run's first token is a letter, not a digit */
    int run_last_cjk;   /* the run's last token is CJK */
    unsigned run_kinds; /* 1: an ASCII digit, 2: an ASCII letter in the run */
    unsigned prev_kinds;/* run_kinds of the previous run */
    size_t run_out;     /* output offset where the run starts */
    int cont;           /* the current run may continue a Latin chain */
    int watch;          /* a single letter ended; counting separators after it */
    int watch_script;
    int seps;
    int letters;        /* letters in the Latin chain so far */
    int adj;            /* the current run touches a CJK run through separators */
    int prev_last_cjk;  /* the previous run ended with a CJK token */
    int prev_len;       /* tokens in the previous run */
    int gap_ok;         /* only separators since the previous run */
    int gap_seps, gap_named, gap_list, gap_other;
    size_t last_w;      /* output offset after the last token written */
    size_t gap_w;       /* output offset where the gap before this run starts */
    int dropped;        /* that gap was removed */
    int other_single;   /* the run follows a single CJK character across other punctuation */
} chain_watch;

/* What fast() has written: the bytes, their map back, the flagged
 * offsets (at most MAX_FLAGGED, or fast() gives up) and the mixed list. */
#define MAX_FLAGGED 16

typedef struct fast_out {
    char *o;
    uint32_t *og;
    size_t w;
    size_t n_flagged;
    uint32_t flagged_at[MAX_FLAGGED];
    uint8_t flagged_f[MAX_FLAGGED];
    unsigned all;
    dj_text *t;
    size_t n_mixed;
} fast_out;

static void mixed_at(fast_out *fo, size_t w)
{
    if (fo->n_mixed < MAX_MIXED)
        fo->t->mixed[fo->n_mixed] = (uint32_t)w;
    fo->n_mixed++;
}

/* Flags for the next byte written (at w); 0 when full. Entries may share
 * an offset (see cut()): they are OR-ed into place. */
static int flag_at_w(fast_out *fo, unsigned f)
{
    if (fo->n_flagged && fo->flagged_at[fo->n_flagged - 1] == fo->w) {
        fo->flagged_f[fo->n_flagged - 1] |= (uint8_t)f;
    } else {
        if (fo->n_flagged == MAX_FLAGGED)
            return 0;
        fo->flagged_at[fo->n_flagged] = (uint32_t)fo->w;
        fo->flagged_f[fo->n_flagged++] = (uint8_t)f;
    }
    fo->all |= f;
    return 1;
}

/* The separators between two CJK characters go, as in separators(): the
 * output [from, to) is cut, what followed moves up, and the character
 * after the cut carries the flags of what was cut plus SEPARATOR.
 * Returns 0 when the flags do not fit. */
static int cut(fast_out *fo, chain_watch *c, size_t from, size_t to, unsigned flag)
{
    size_t d = to - from;
    memmove(fo->o + from, fo->o + to, fo->w - to);
    memmove(fo->og + from, fo->og + to, (fo->w - to) * sizeof *fo->og);
    fo->w -= d;
    unsigned carry = flag;
    size_t k = 0;
    for (size_t f = 0; f < fo->n_flagged; f++) {
        uint32_t at = fo->flagged_at[f];
        if (at >= from && at < to) {
            carry |= fo->flagged_f[f];
            continue;
        }
        fo->flagged_at[k] = at >= to ? at - (uint32_t)d : at;
        fo->flagged_f[k++] = fo->flagged_f[f];
    }
    /* Entries are OR-ed into place at the end, so this one may share its
     * offset with the character's own. */
    if (carry) {
        if (k == MAX_FLAGGED)
            return 0;
        fo->flagged_at[k] = (uint32_t)from;
        fo->flagged_f[k++] = (uint8_t)carry;
        fo->all |= carry;
    }
    fo->n_flagged = k;
    if (fo->n_mixed <= MAX_MIXED) {
        size_t m = 0;
        for (size_t x = 0; x < fo->n_mixed; x++) {
            uint32_t at = fo->t->mixed[x];
            if (at >= from && at < to)
                continue;
            fo->t->mixed[m++] = at >= to ? at - (uint32_t)d : at;
        }
        fo->n_mixed = m;
    }
    if (c->last_w >= to)
        c->last_w -= d;
    return 1;
}


/* A token starts or continues a run, its bytes to be written at fo->w (any
 * space and flags before it already written); returns 1 when fast() must
 * give up. */
static inline int run_end(chain_watch *c, fast_out *fo);

static inline __attribute__((always_inline)) int tok_add(chain_watch *c, fast_out *fo, int script, int letter, int cjk)
{
    /* A run is one script: "LV包" is the single letters L, V and then 包. */
    if (c->run_units && c->run_last_cjk != cjk && run_end(c, fo))
        return 1;
    if (c->run_units == 0) {
        /* Other punctuation after a single CJK character (香。奈): when
         * this run is single too, run_end() leaves it to the full passes. */
        c->other_single = cjk && c->prev_last_cjk && c->gap_ok && c->gap_other && c->prev_len == 1;
        c->run_script = script;
        c->run_letter = letter;
        c->run_kinds = 0;
        c->run_out = fo->w;
        c->cont = c->watch && c->seps >= 1 && c->seps <= 3 && c->watch_script == script;
        c->watch = 0;
        c->adj = c->gap_ok && c->gap_seps >= 1 && (c->gap_seps <= 3 || !(c->gap_named | c->gap_list)) &&
                 !c->gap_other &&
                 c->prev_last_cjk && cjk;
        c->dropped = 0;
        /* A name separator between CJK characters, or spaces or a list
         * comma after a single one, go (香-奈-儿, 香 奈儿, 香,奈儿). */
        if (c->adj && c->gap_seps <= 3 && ((c->gap_named && !c->gap_list) || c->prev_len == 1)) {
            if (!cut(fo, c, c->gap_w, fo->w, DJ_TEXT_F_SEPARATOR))
                return 1;
            c->run_out = fo->w;
            c->dropped = 1;
        }
    }
    c->run_last_cjk = cjk;
    return 0;
}

/* The current run ended; returns 1 when fast() must give up. Records a run
 * mixing ASCII letters and digits in mixed[]. */
static inline __attribute__((always_inline)) int run_end(chain_watch *c, fast_out *fo)
{
    if (c->other_single && c->run_units == 1)
        return 1;
    int flagged = c->run_units == 1 || c->prev_len == 1;
    if (c->adj && c->run_last_cjk && !c->dropped && (!flagged || c->gap_seps <= 3) && (flagged || !c->gap_list)) {
        /* Spaces before a CJK run: they go, flagged around a single
         * character (香奈 儿), plain between words (路易 威登) however
         * many; a list comma only before a single character (香奈,儿). */
        size_t d = c->run_out - c->gap_w;
        if (!cut(fo, c, c->gap_w, c->run_out, flagged ? DJ_TEXT_F_SEPARATOR : 0))
            return 1;
        c->run_out -= d;
    }
    /* A run mixing letters and digits, or a run of one joined to a run of
     * the other by one name separator (SK-11, L1-Ning): a lookalike of a
     * mark's letters may hide there. */
    if (c->run_kinds == 3 || (c->run_kinds && c->prev_kinds && (c->run_kinds | c->prev_kinds) == 3 && c->gap_ok &&
                              c->gap_seps == 1 && c->gap_named && !c->gap_other))
        mixed_at(fo, c->run_out);
    /* A letter glued to a number after a single character (G.U.C.C.I2024,
     * A B4): the end of a chain for the full passes (glued_number). */
    if (c->cont && c->run_script == 1 && c->run_letter && c->run_kinds == 3)
        return 1;
    if (c->run_units == 1 && c->run_script == 1) {
        c->letters = (c->cont ? c->letters : 0) + c->run_letter;
        if (c->letters >= 2)
            return 1; /* two single letters split by separators: a chain */
        c->watch = 1;
        c->watch_script = c->run_script;
        c->seps = 0;
    } else {
        c->letters = 0;
    }
    c->prev_last_cjk = c->run_last_cjk;
    c->prev_len = c->run_units;
    c->prev_kinds = c->run_kinds;
    c->gap_ok = 1;
    c->gap_seps = c->gap_named = c->gap_list = c->gap_other = 0;
    c->gap_w = c->last_w;
    c->run_units = 0;
    return 0;
}

/* A unit between runs. */
static void gap_add(chain_watch *c, uint8_t cls, int named)
{
    if (cls == DJ_TC_SPACE || (cls == DJ_TC_PUNCT && named)) {
        c->gap_seps++;
        c->gap_named |= named == DJ_SEP_NAME;
        c->gap_list |= named == DJ_SEP_LIST;
    } else if (cls == DJ_TC_PUNCT) {
        c->gap_other = 1;
    } else {
        c->gap_ok = 0;
    }
    if (c->watch && (cls == DJ_TC_SPACE || cls == DJ_TC_PUNCT))
        c->seps++;
    else
        c->watch = 0;
}

/* UTF-8 decoding inlined for the two- and three-byte forms (Cyrillic, CJK),
 * with the same strictness as dj_utf8_decode, which handles the rest. */
static inline size_t decode_cp(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    if (c >= 0xE1 && c <= 0xEF && c != 0xED && n >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return 3;
    }
    if (c >= 0xC2 && c < 0xE0 && n >= 2 && (s[1] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    return dj_utf8_decode(str, n, cp);
}

/* Whether the text at q starts with a unified CJK ideograph the one-pass
 * loop handles (a valid three-byte sequence), and its simplified form in
 * *to (0: itself). Checked before anything is written for it: a lead byte
 * followed by garbage is the general path's. */
static inline int fast_cjk(const dj_text_table *tab, const char *p, size_t left, uint16_t *to)
{
    if (left < 3)
        return 0;
    const unsigned char *q = (const unsigned char *)p;
    uint32_t b0 = q[0], b1 = q[1], b2 = q[2];
    /* The shape 1110xxxx 10xxxxxx 10xxxxxx in one test, the block (which
     * also rules out overlong forms and surrogates) in one more. */
    if (((b0 | b1 << 8 | b2 << 16) & 0xC0C0F0u) != 0x8080E0u)
        return 0;
    uint32_t k = ((b0 & 0x0F) << 12 | (b1 & 0x3F) << 6 | (b2 & 0x3F)) - DJ_TEXT_CJK_LO;
    if (k > DJ_TEXT_CJK_HI - DJ_TEXT_CJK_LO)
        return 0;
    if (tab->cjk_own[k / 64] >> (k % 64) & 1) {
        *to = 0;
        return 1;
    }
    *to = tab->cjk[k];
    return *to != 1;
}


/* Ideographs that are their own simplified form, up to five (15 bytes) at
 * a time while 16 bytes remain: copied to o[*w] with their map back, as
 * the one-at-a-time loop in fast() would. Chinese text is runs of a few
 * such characters between punctuation; this stops at the first character
 * of another kind (punctuation, a traditional character, ASCII), which
 * fast_cjk() then takes. Writes up to 16 bytes and map entries past its
 * output (the output has room: see grow_out in fast()). */
static inline void cjk15(const dj_text_table *tab, const char *in, size_t len, size_t *j, char *o, uint32_t *og,
                         size_t *w)
{
#if DJ_SIMD
    while (len - *j >= 16) {
        __m128i v = dj_simd_load(in + *j);
        /* Leads E4-E9 (U+4000-U+9FFF) at 0, 3, 6, 9, 12, continuation
         * bytes between: the characters before the first byte out of that
         * pattern have the shape. */
        unsigned lead = dj_simd_mask(dj_simd_in_range(v, (signed char)0xE4, (signed char)0xE9));
        unsigned cont = dj_simd_mask(_mm_cmplt_epi8(v, _mm_set1_epi8(-64)));
        unsigned off = (lead ^ 0x1249u) | (cont ^ 0x6DB6u);
        unsigned n = (unsigned)__builtin_ctz(off | 0x8000u) / 3;
        const unsigned char *q = (const unsigned char *)in + *j;
        unsigned m = 0;
        for (; m < n; m++) {
            const unsigned char *c = q + 3 * m;
            uint32_t k = ((uint32_t)(c[0] & 0x0F) << 12 | (uint32_t)(c[1] & 0x3F) << 6 | (c[2] & 0x3F)) -
                         DJ_TEXT_CJK_LO;
            if (k > DJ_TEXT_CJK_HI - DJ_TEXT_CJK_LO || !(tab->cjk_own[k / 64] >> (k % 64) & 1))
                break;
        }
        if (m == 0)
            return;
        _mm_storeu_si128((__m128i *)(void *)(o + *w), v);
        __m128i at = _mm_set1_epi32((int)*j);
        uint32_t *g = og + *w;
        _mm_storeu_si128((__m128i *)(void *)g, _mm_add_epi32(at, _mm_setr_epi32(0, 0, 0, 3)));
        _mm_storeu_si128((__m128i *)(void *)(g + 4), _mm_add_epi32(at, _mm_setr_epi32(3, 3, 6, 6)));
        _mm_storeu_si128((__m128i *)(void *)(g + 8), _mm_add_epi32(at, _mm_setr_epi32(6, 9, 9, 9)));
        _mm_storeu_si128((__m128i *)(void *)(g + 12), _mm_add_epi32(at, _mm_setr_epi32(12, 12, 12, 15)));
        *w += 3 * m;
        *j += 3 * m;
        if (m < 5)
            return;
    }
#else
    (void)tab, (void)in, (void)len, (void)j, (void)o, (void)og, (void)w;
#endif
}

/* A run of ASCII letters and digits from in[*j], 16 bytes at a time while
 * 16 remain: written lower-case to o[*w] with its map back, what it held
 * (1: a digit, 2: a letter) OR-ed into *kinds. Most words end inside the
 * first block, where a mask finds the end that a byte loop would find by a
 * mispredicted exit. Writes up to 16 bytes past the run (the output has
 * room: see grow_out in fast()). Returns 1 when the run ended, 0 when the
 * last bytes are the byte loop's. */
static inline int word16(const char *in, size_t len, size_t *j, char *o, uint32_t *og, size_t *w, unsigned *kinds)
{
#if DJ_SIMD
    while (len - *j >= 16) {
        __m128i v = dj_simd_load(in + *j);
        __m128i upper = dj_simd_in_range(v, 'A', 'Z');
        unsigned dm = dj_simd_mask(dj_simd_in_range(v, '0', '9'));
        unsigned am = dm | dj_simd_mask(_mm_or_si128(upper, dj_simd_in_range(v, 'a', 'z')));
        unsigned n = (unsigned)__builtin_ctz(~am | 0x10000u); /* bytes of the run in this block */
        _mm_storeu_si128((__m128i *)(void *)(o + *w), _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
        __m128i at = _mm_add_epi32(_mm_set1_epi32((int)*j), _mm_setr_epi32(0, 1, 2, 3));
        for (int k = 0; k < 4; k++, at = _mm_add_epi32(at, _mm_set1_epi32(4)))
            _mm_storeu_si128((__m128i *)(void *)(og + *w + 4 * k), at);
        unsigned in_run = (unsigned)((1ull << n) - 1);
        *kinds |= (dm & in_run ? 1u : 0u) | (am & ~dm & in_run ? 2u : 0u);
        *w += n;
        *j += n;
        if (n < 16)
            return 1;
    }
#else
    (void)in, (void)len, (void)j, (void)o, (void)og, (void)w, (void)kinds;
#endif
    return 0;
}

/* One pass for text without lookalikes or Latin separator chains (the
 * separators between CJK characters it removes itself). Returns 1 with v
 * filled, or 0 when the full passes are needed. */
static int fast(dj_text *t, const char *in, size_t len, dj_text_view *v)
{
    const dj_text_table *tab = &dj_text__tab;
    const char *pool = tab->pool;
    /* No table entry on the fast path is longer than 12 bytes for its 1-4
     * input bytes, and spaces only shrink: 4x the input always fits, plus
     * the 16 bytes word16() may write past its run. */
    grow_out(t, len * 4 + 24);
    fast_out fo;
    fo.o = t->out;
    fo.og = t->orig;
    fo.w = 0;
    fo.n_flagged = 0;
    fo.all = 0;
    fo.t = t;
    fo.n_mixed = 0;
    char *o = fo.o;
    uint32_t *og = fo.og;
    unsigned pending = 0;
    int space = 0;
    uint32_t space_at = 0;
    chain_watch cw = {0};
    size_t i = 0;
/* The space and flags due before the next byte written. */
#define BEFORE_BYTE()                                                                                                  \
    do {                                                                                                               \
        if (space && fo.w > 0) {                                                                                       \
            o[fo.w] = ' ';                                                                                             \
            og[fo.w] = space_at;                                                                                       \
            fo.w++;                                                                                                    \
        }                                                                                                              \
        space = 0;                                                                                                     \
        if (pending && !flag_at_w(&fo, pending))                                                                       \
            return 0;                                                                                                  \
        pending = 0;                                                                                                   \
    } while (0)
    while (i < len) {
        unsigned char c = (unsigned char)in[i];
        uint16_t to = 0;
        if (c == ' ') {
            /* The commonest gap, as the general case below takes it, minus
             * the table lookup and the tests that cannot apply. */
            if (cw.run_units && run_end(&cw, &fo))
                return 0;
            gap_add(&cw, DJ_TC_SPACE, 0);
            if (!space)
                space_at = (uint32_t)i;
            space = 1;
            i++;
            continue;
        }
        if ((c < 0x80 && ascii_alnum[c]) || (c >= 0xE4 && c <= 0xE9 && fast_cjk(tab, in + i, len - i, &to))) {
            /* Runs of ASCII letters and digits, or of CJK ideographs: the two
             * common cases, each in a tight loop. */
            BEFORE_BYTE();
            size_t j = i;
            if (c < 0x80) {
                if (tok_add(&cw, &fo, 1, c > '9', 0))
                    return 0;
                unsigned kinds = 0;
                size_t w = fo.w;
                if (!word16(in, len, &j, o, og, &w, &kinds))
                    while (j < len && (unsigned char)in[j] < 0x80 && ascii_alnum[(unsigned char)in[j]]) {
                        unsigned char b = (unsigned char)in[j];
                        kinds |= b > '9' ? 2u : 1u;
                        o[w] = (char)ascii_fold[b];
                        og[w] = (uint32_t)j;
                        w++;
                        j++;
                    }
                fo.w = w;
                cw.run_kinds |= kinds;
                cw.run_units += (int)(j - i);
            } else {
                if (tok_add(&cw, &fo, 2, 1, 1))
                    return 0;
                size_t w = fo.w, w0 = w;
                do {
                    const unsigned char *q = (const unsigned char *)in + j;
                    if (to == 0) {
                        memcpy(o + w, q, 3);
                    } else {
                        o[w] = (char)(0xE0 | (to >> 12));
                        o[w + 1] = (char)(0x80 | ((to >> 6) & 0x3F));
                        o[w + 2] = (char)(0x80 | (to & 0x3F));
                    }
                    og[w] = og[w + 1] = og[w + 2] = (uint32_t)j;
                    w += 3;
                    j += 3;
                    cjk15(tab, in, len, &j, o, og, &w);
                } while (fast_cjk(tab, in + j, len - j, &to));
                fo.w = w;
                cw.run_units += (int)((w - w0) / 3);
            }
            cw.last_w = fo.w;
            i = j;
            continue;
        }
        uint32_t cp;
        size_t k;
        uint8_t cls;
        const char *src;
        size_t sl;
        char one;
        const dj_text_ent *e;
        if (c < 0x80) {
            int block;
            if ((c == '&' && dj_text__char_ref(in + i, len - i, &cp)) ||
                (c == '<' && dj_text__html_tag(in + i, len - i, &block)))
                return 0; /* a character reference or a tag: rare, the full passes read it */
            k = 1;
            one = (char)ascii_fold[c];
            src = &one;
            sl = 1;
            e = &tab->ent[c];
            cls = e->cls;
        } else {
            if (!(k = decode_cp(in + i, len - i, &cp)))
                cp = 0xFFFD, k = 1;
            if (cp >= DJ_TEXT_TABLE_MAX || (k == 4 && lone_ri(in, len, i)))
                return 0;
            e = &tab->ent[cp];
            cls = e->cls;
            if (cls == DJ_TC_HOMOGLYPH || cls == DJ_TC_FANCY || cls == DJ_TC_SPLIT || e->len > 12)
                return 0;
            src = pool + e->off;
            sl = e->len;
        }
        uint32_t at = (uint32_t)i;
        i += k;
        /* @ and $ stand for letters (P r @ d 4): tokens for the chains, as
         * in script_of(), and marks of a possible lookalike word. */
        int symbol = cls == DJ_TC_PUNCT && sl == 1 && (src[0] == '@' || src[0] == '$');
        int token = is_token(cls) || symbol;
        if (token) {
            int cjk = cls == DJ_TC_CJK;
            if (sl == 0)
                return 0; /* a token that writes nothing: not seen here */
            BEFORE_BYTE();
            if (symbol)
                mixed_at(&fo, fo.w);
            if (tok_add(&cw, &fo, cjk ? 2 : 1, cls != DJ_TC_DIGIT, cjk))
                return 0;
            if (!cjk && !symbol && (unsigned char)src[0] < 0x80)
                cw.run_kinds |= cls == DJ_TC_DIGIT ? 1u : 2u;
            cw.run_units++;
        } else if (cls == DJ_TC_INVISIBLE) {
            pending |= DJ_TEXT_F_INVISIBLE;
            continue;
        } else if (cls == DJ_TC_MARK) {
            continue;
        } else {
            if (cw.run_units && run_end(&cw, &fo))
                return 0;
            gap_add(&cw, cls, e->named);
            if (cls == DJ_TC_PUNCT && sl == 1 && (src[0] == '|' || src[0] == '!'))
                mixed_at(&fo, fo.w + (space && fo.w > 0));
            if (cls == DJ_TC_SPACE) {
                if (!space)
                    space_at = at;
                space = 1;
                continue;
            }
        }
        if (sl == 0)
            continue;
        BEFORE_BYTE();
        size_t w = fo.w;
        if (sl == 3) {
            memcpy(o + w, src, 3);
            og[w] = og[w + 1] = og[w + 2] = at;
            w += 3;
        } else {
            for (size_t b = 0; b < sl; b++) {
                o[w] = src[b];
                og[w] = at;
                w++;
            }
        }
        fo.w = w;
        if (token)
            cw.last_w = w;
    }
#undef BEFORE_BYTE
    if (cw.run_units && run_end(&cw, &fo))
        return 0;
    size_t w = fo.w;
    o[w] = '\0';
    og[w] = (uint32_t)len;
    memset(t->flags, 0, w + 1);
    for (size_t f = 0; f < fo.n_flagged; f++)
        t->flags[fo.flagged_at[f]] |= fo.flagged_f[f];
    v->s = o;
    v->len = w;
    v->orig = og;
    v->flags = t->flags;
    v->all_flags = fo.all;
    v->mixed = t->mixed;
    v->n_mixed = fo.n_mixed <= MAX_MIXED ? fo.n_mixed : DJ_TEXT_MIXED_ALL;
    return 1;
}

/* The four passes. */
static void full(dj_text *t, const char *in, size_t len, dj_text_view *v)
{
    size_t bytes;
    size_t n = decode(t, in, len, &bytes);
    unit *u = t->u;
    words(u, n);
    separators(u, n);
    grow_out(t, bytes + 1);

    const char *pool = dj_text__tab.pool;
    char *o = t->out;
    uint32_t *og = t->orig;
    uint8_t *fl = t->flags;
    size_t w = 0;
    unsigned pending = 0, all = 0;
    int space = 0;
    uint32_t space_at = 0;
    for (size_t i = 0; i < n; i++) {
        const unit *x = &u[i];
        if (x->drop) {
            pending |= x->drop == 1 ? DJ_TEXT_F_SEPARATOR : 0;
            continue;
        }
        switch (x->cls) {
        case DJ_TC_INVISIBLE:
            pending |= DJ_TEXT_F_INVISIBLE;
            continue;
        case DJ_TC_MARK:
            continue;
        case DJ_TC_SPACE:
            if (!space)
                space_at = x->orig;
            space = 1;
            continue;
        default:
            break;
        }
        if (x->len == 0)
            continue;
        if (space && w > 0) {
            o[w] = ' ';
            og[w] = space_at;
            fl[w] = 0;
            w++;
        }
        space = 0;
        const char *src;
        size_t k;
        if (x->raw) {
            src = in + x->off;
            k = x->len;
        } else if (x->cls == DJ_TC_HOMOGLYPH) {
            src = pool + x->off + (x->fold ? 0 : 1);
            k = x->fold ? 1 : (size_t)x->len - 1;
        } else {
            src = pool + x->off;
            k = x->len;
        }
        unsigned f = x->flags | pending;
        unsigned each = x->fold ? DJ_TEXT_F_HOMOGLYPH : 0;
        for (size_t b = 0; b < k; b++) {
            o[w] = src[b];
            og[w] = x->orig;
            fl[w] = (uint8_t)(each | (b == 0 ? f : 0));
            w++;
        }
        all |= f | each;
        pending = 0;
    }
    o[w] = '\0';
    og[w] = (uint32_t)len;
    v->s = o;
    v->len = w;
    v->orig = og;
    v->flags = fl;
    v->all_flags = all;
    v->mixed = t->mixed;
    v->n_mixed = DJ_TEXT_MIXED_ALL; /* not worth tracking on the rare full path */
}

dj_rc dj_text_normalize(dj_text *t, const char *in, size_t len, dj_text_view *v, dj_err *err)
{
    if (len > t->max)
        return dj_err_set(err, DJ_ETOOBIG, "text of %zu bytes, at most %zu", len, t->max);
    if (!fast(t, in, len, v))
        full(t, in, len, v);
    return DJ_OK;
}

dj_rc dj_text__normalize_full(dj_text *t, const char *in, size_t len, dj_text_view *v, dj_err *err)
{
    if (len > t->max)
        return dj_err_set(err, DJ_ETOOBIG, "text of %zu bytes, at most %zu", len, t->max);
    full(t, in, len, v);
    return DJ_OK;
}

int dj_text__fast_only(dj_text *t, const char *in, size_t len, dj_text_view *v)
{
    return len <= t->max && fast(t, in, len, v);
}

dj_rc dj_text_normalize_term(dj_text *t, const char *in, size_t len, dj_buf *out, unsigned *flags, dj_err *err)
{
    dj_text_view v;
    dj_rc rc = dj_text_normalize(t, in, len, &v, err);
    if (rc)
        return rc;
    if (flags)
        *flags = v.all_flags;
    return dj_buf_add(out, v.s, v.len) ? dj_err_set(err, DJ_ETOOBIG, "term too long after normalization") : DJ_OK;
}
