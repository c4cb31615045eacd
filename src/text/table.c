/*
 * The per-code-point folding table, built once per process (pthread_once)
 * and shared read-only by every dj_text. For each code point below
 * DJ_TEXT_TABLE_MAX it holds the class of the character and its matching
 * form: utf8proc's NFKC + case fold + strip marks of that one code point,
 * then OpenCC's traditional-to-simplified mapping of the result (and a
 * variant form's standard character, cjk_variants.inc), then the
 * Latin letter it looks like (confusables.inc). Doing that work once turns
 * normalization into a table lookup per character: utf8proc itself runs
 * at ~30 MB/s on listing text, the table at hundreds of MB/s.
 *
 * Per-code-point NFKC is exact for our purpose because marks are stripped
 * anyway (composition only matters for them) and the rare sequences whose
 * compatibility form depends on context do not occur in marks or titles.
 */
#include "text/text_int.h"
#include "util/mem.h"
#include "util/utf8.h"

#include <opencc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static const struct {
    uint32_t cp;
    char letter;
    uint8_t weak; /* see dj_text_ent.weak */
} confusables[] = {
#include "text/confusables.inc"
};

static const struct {
    uint32_t cp, to;
} cjk_variants[] = {
#include "text/cjk_variants.inc"
};

dj_text_table dj_text__tab;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static dj_rc build_rc;
static char build_msg[sizeof(((dj_err *)0)->msg)];

static void pool_add(dj_text_table *t, uint32_t cp, const char *s, size_t n, uint8_t cls)
{
    if (n > 255)
        n = 255;
    dj_xgrow((void **)&t->pool, &t->pool_cap, t->pool_len + n, 1);
    memcpy(t->pool + t->pool_len, s, n);
    t->ent[cp] = (dj_text_ent){.off = (uint32_t)t->pool_len, .len = (uint8_t)n, .cls = cls};
    t->pool_len += n;
}

/* Whether a punctuation mark's matching form is a name or a list
 * separator (see dj_text_ent.named): DJ_SEP_NAME, DJ_SEP_LIST or 0. */
static int name_sep_bytes(const char *p, size_t len)
{
    uint32_t cp = (unsigned char)p[0];
    if (len > 1 && dj_utf8_decode(p, len, &cp) != len)
        return 0;
    switch (cp) {
    case ',':    /* and the full-width ，, which folds to it */
    case 0x3001: /* 、 */
        return DJ_SEP_LIST;
    case '.': case '-': case '_': case '/': case '\\': case '|': case '*': case '~': case '+': case '^': case '#':
    case '`': case '\'': case '"': case '=': case '&':
    case 0x00B7: /* · */
    case 0x2022: /* • */
    case 0x30FB: /* ・ */
    case 0x2027: /* ‧ */
    case 0x2219: /* ∙ */
    case 0x22C5: /* ⋅ */
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: /* hyphens and dashes */
    case 0x2024: /* ․ */
    case 0x2043: /* ⁃ */
    case 0x2212: /* − */
    case 0x2E31: /* ⸱ */
    case 0x301C: /* 〜 */
    case 0x3030: /* 〰 */
    case 0x30A0: /* ゠ */
        return DJ_SEP_NAME;
    }
    return 0;
}

/* A symbol or emoji (by its Unicode category), which splits a name as a
 * dot does when written between its letters (G♥U♥C♥C♥I, 香★奈★儿). */
static int symbol_cat(int cat)
{
    return cat == UTF8PROC_CATEGORY_SO || cat == UTF8PROC_CATEGORY_SM || cat == UTF8PROC_CATEGORY_SK;
}

static int is_fancy_block(uint32_t cp)
{
    /* Mathematical alphanumerics, enclosed and squared letters, small
     * capitals: NFKC makes them plain letters, but honest listings do not
     * spell brands in them. */
    return (cp >= 0x1D400 && cp <= 0x1D7FF) || (cp >= 0x24B6 && cp <= 0x24E9) || (cp >= 0x1F110 && cp <= 0x1F189) ||
           (cp >= 0x1D00 && cp <= 0x1D2B) || (cp >= 0x2100 && cp <= 0x214F); /* letterlike: ℊ ℍ ⅅ */
}

/* Letters that NFKC makes plain as well, written small and raised (ᴳᵁᶜᶜᴵ,
 * ˡ, ⁱ), or a Roman numeral of one letter (Chaneⅼ with ⅼ, fifty): fancy
 * when their form (what NFKC makes of them) is letters; ² in m² stays a
 * digit, Ⅻ (xii) a numeral. */
static int is_fancy_letter(uint32_t cp, const char *form, size_t len)
{
    int letters = len > 0;
    for (size_t i = 0; i < len; i++)
        letters &= form[i] >= 'a' && form[i] <= 'z';
    if (cp >= 0x2160 && cp <= 0x2188)
        return letters && len == 1;
    return letters && ((cp >= 0x02B0 && cp <= 0x02FF) || (cp >= 0x1D2C && cp <= 0x1DBF) || (cp >= 0x2070 && cp <= 0x209F));
}

/* Combining marks no orthography puts on Latin letters: lines struck
 * through, under or over (G̶u̶c̶c̶i̶, G̲u̲c̲c̲i̲), letters written above
 * another, half marks and the marks made for symbols (an enclosing circle
 * or keycap). They decorate a word to hide it from filters: removed and
 * flagged like a zero-width space, where an accent (é, ü) is only
 * removed. */
static int is_decoration(uint32_t cp)
{
    return cp == 0x0305 || (cp >= 0x0332 && cp <= 0x0338) || cp == 0x033F || (cp >= 0x0363 && cp <= 0x036F) ||
           (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE20 && cp <= 0xFE2F);
}

/* Letters NFKC leaves alone that still read as a-z: small capitals (ɢᴜᴄᴄɪ)
 * and the negative circled and squared letters (🅖🅤🅒🅒🅘, 🅶🆄🅲🅲🅸).
 * Returns the letter, or 0. */
static char fancy_letter(uint32_t cp)
{
    static const struct {
        uint32_t cp;
        char letter;
    } small_caps[] = {
        {0x1D00, 'a'}, {0x0299, 'b'}, {0x1D04, 'c'}, {0x1D05, 'd'}, {0x1D07, 'e'}, {0xA730, 'f'}, {0x0262, 'g'},
        {0x029C, 'h'}, {0x026A, 'i'}, {0x1D0A, 'j'}, {0x1D0B, 'k'}, {0x029F, 'l'}, {0x1D0D, 'm'}, {0x0274, 'n'},
        {0x1D0F, 'o'}, {0x1D18, 'p'}, {0xA7AF, 'q'}, {0x0280, 'r'}, {0xA731, 's'}, {0x1D1B, 't'}, {0x1D1C, 'u'},
        {0x1D20, 'v'}, {0x1D21, 'w'}, {0x028F, 'y'}, {0x1D22, 'z'},
    };
    if (cp >= 0x1F150 && cp <= 0x1F169)
        return (char)('a' + (cp - 0x1F150));
    if (cp >= 0x1F170 && cp <= 0x1F189)
        return (char)('a' + (cp - 0x1F170));
    for (size_t i = 0; i < sizeof small_caps / sizeof small_caps[0]; i++)
        if (small_caps[i].cp == cp)
            return small_caps[i].letter;
    return 0;
}

int dj_text_is_cjk(uint32_t cp)
{
    return (cp >= 0x2E80 && cp <= 0x2FDF) ||  /* radicals */
           (cp >= 0x3040 && cp <= 0x30FF) ||  /* hiragana, katakana */
           (cp >= 0x3100 && cp <= 0x31BF) ||  /* bopomofo */
           (cp >= 0x31F0 && cp <= 0x31FF) ||
           (cp >= 0x3400 && cp <= 0x4DBF) ||  /* CJK ext A */
           (cp >= 0x4E00 && cp <= 0x9FFF) ||  /* CJK unified */
           (cp >= 0xAC00 && cp <= 0xD7AF) ||  /* Hangul syllables */
           (cp >= 0x1100 && cp <= 0x11FF) ||  /* Hangul jamo */
           (cp >= 0xF900 && cp <= 0xFAFF) ||  /* CJK compatibility */
           (cp >= 0x0E00 && cp <= 0x0E7F) ||  /* Thai */
           (cp >= 0x20000 && cp <= 0x2FA1F);  /* CJK ext B.. */
}

size_t dj_text_char_end(const char *s, size_t limit, size_t at)
{
    size_t i = at;
    uint32_t ref;
    size_t rk = s[at] == '&' ? dj_text__char_ref(s + at, limit - at, &ref) : 0;
    if (rk && ref >= DJ_TEXT_TABLE_MAX)
        rk = 0; /* the normalizer keeps such a reference as text */
    i += rk;    /* a character written as a reference, read as one */
    for (int first = !rk; i < limit; first = 0) {
        if (!first && (unsigned char)s[i] < 0x80)
            break; /* the common case: no ASCII character is a mark */
        uint32_t cp;
        size_t k = dj_utf8_decode(s + i, limit - i, &cp);
        if (!k)
            cp = 0xFFFD, k = 1; /* as the normalizer reads an invalid byte */
        if (!first && !(cp < DJ_TEXT_TABLE_MAX && (dj_text__tab.ent[cp].cls == DJ_TC_MARK || is_decoration(cp))))
            break;
        i += k;
    }
    return i;
}

static void follow_chains(uint32_t *map)
{
    for (uint32_t cp = 0; cp < DJ_TEXT_TABLE_MAX; cp++)
        for (int step = 0; step < 8 && map[cp] && map[cp] < DJ_TEXT_TABLE_MAX && map[map[cp]] && map[map[cp]] != cp;
             step++)
            map[cp] = map[map[cp]];
}

/* Traditional -> simplified for every CJK ideograph of the BMP, with one
 * OpenCC call over a newline-separated list (one character a line, so the
 * phrase dictionary cannot join neighbours); then a variant form that t2s
 * leaves alone to its standard character (髙 -> 高, cjk_variants.inc).
 * The map covers the whole table (variants reach the supplementary
 * ideographs: 𠮷 -> 吉). */
static dj_rc build_t2s(uint32_t **map_out, dj_err *err)
{
    opencc_t cc = opencc_open(OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP);
    if (cc == (opencc_t)-1)
        return dj_err_set(err, DJ_EUNAVAIL, "OpenCC t2s configuration not found (install libopencc-data)");
    static const uint32_t ranges[][2] = {{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}};
    size_t n = 0;
    for (size_t r = 0; r < 3; r++)
        n += ranges[r][1] - ranges[r][0] + 1;
    char *in = dj_xmalloc(n * 4 + 1), *p = in;
    for (size_t r = 0; r < 3; r++)
        for (uint32_t cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
            p += dj_utf8_encode(cp, p);
            *p++ = '\n';
        }
    *p = '\0';
    char *out = opencc_convert_utf8(cc, in, (size_t)(p - in));
    uint32_t *map = dj_xcalloc(DJ_TEXT_TABLE_MAX, sizeof *map);
    dj_rc rc = DJ_OK;
    if (!out) {
        rc = dj_err_set(err, DJ_EUNAVAIL, "OpenCC conversion failed: %s", opencc_error());
        goto done;
    }
    /* Walk input and output lines together; a line that is not one code
     * point (never seen, but do not trust it) keeps the character. */
    const char *o = out, *oe = out + strlen(out);
    for (size_t r = 0; r < 3; r++)
        for (uint32_t cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
            const char *nl = memchr(o, '\n', (size_t)(oe - o));
            if (!nl)
                goto done;
            uint32_t got;
            size_t k = dj_utf8_decode(o, (size_t)(nl - o), &got);
            if (k && k == (size_t)(nl - o) && got != cp)
                map[cp] = got;
            o = nl + 1;
        }
    /* OpenCC maps some characters to another traditional form (薴 -> 苧,
     * 苧 -> 苎): follow such chains to their end, so that normalizing is
     * idempotent and a term and the text it hides in meet on one form. */
    follow_chains(map);
    for (size_t i = 0; i < sizeof cjk_variants / sizeof cjk_variants[0]; i++)
        if (cjk_variants[i].cp < DJ_TEXT_TABLE_MAX && !map[cjk_variants[i].cp])
            map[cjk_variants[i].cp] = cjk_variants[i].to;
    follow_chains(map);
done:
    opencc_convert_utf8_free(out);
    free(in);
    opencc_close(cc);
    if (rc)
        free(map);
    else
        *map_out = map;
    return rc;
}

static void build(void)
{
    dj_text_table *t = &dj_text__tab;
    dj_err err = {0};
    uint32_t *t2s = NULL;
    if ((build_rc = build_t2s(&t2s, &err))) {
        snprintf(build_msg, sizeof build_msg, "%s", err.msg);
        return;
    }
    t->ent = dj_xcalloc(DJ_TEXT_TABLE_MAX, sizeof *t->ent);
    uint8_t *homo = dj_xcalloc(DJ_TEXT_TABLE_MAX, 1), *weak = dj_xcalloc(DJ_TEXT_TABLE_MAX, 1);
    for (size_t i = 0; i < sizeof confusables / sizeof confusables[0]; i++)
        if (confusables[i].cp < DJ_TEXT_TABLE_MAX) {
            homo[confusables[i].cp] = (uint8_t)confusables[i].letter;
            weak[confusables[i].cp] = confusables[i].weak;
        }

    for (uint32_t cp = 0; cp < DJ_TEXT_TABLE_MAX; cp++) {
        char enc[4];
        if (cp < 0x80) {
            unsigned char c = (unsigned char)cp;
            char lc = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            uint8_t cls = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? DJ_TC_LATIN
                          : (c >= '0' && c <= '9')                         ? DJ_TC_DIGIT
                          : c <= 0x20 || c == 0x7F                         ? DJ_TC_SPACE
                                                                           : DJ_TC_PUNCT;
            pool_add(t, cp, &lc, 1, cls);
            continue;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            pool_add(t, cp, "\xEF\xBF\xBD", 3, DJ_TC_OTHER);
            continue;
        }
        const utf8proc_property_t *pr = utf8proc_get_property((utf8proc_int32_t)cp);
        int cat = pr->category;
        if (cat == UTF8PROC_CATEGORY_CN) {
            size_t k = dj_utf8_encode(cp, enc);
            pool_add(t, cp, enc, k, DJ_TC_OTHER);
            continue;
        }
        if (cat == UTF8PROC_CATEGORY_CF || pr->ignorable) {
            pool_add(t, cp, "", 0, DJ_TC_INVISIBLE);
            continue;
        }
        if (cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP ||
            cat == UTF8PROC_CATEGORY_CC) {
            pool_add(t, cp, " ", 1, DJ_TC_SPACE);
            continue;
        }
        if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME || cat == UTF8PROC_CATEGORY_MC) {
            pool_add(t, cp, "", 0, is_decoration(cp) ? DJ_TC_INVISIBLE : DJ_TC_MARK);
            continue;
        }
        /* NFKC + case fold + strip marks of this code point alone. Marks
         * go first: case folding turns the iota subscript of ῃ (a mark)
         * into the letter ι, which a second pass would then fold as a
         * lookalike of i on its own. */
        size_t k = dj_utf8_encode(cp, enc);
        utf8proc_uint8_t *bare = NULL, *m = NULL;
        utf8proc_ssize_t bare_len =
            utf8proc_map((const utf8proc_uint8_t *)enc, (utf8proc_ssize_t)k, &bare,
                         UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
        utf8proc_ssize_t ml = bare_len < 0 ? bare_len
                                           : utf8proc_map(bare, bare_len, &m,
                                                          UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                                              UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
        free(bare);
        char buf[64];
        size_t bl = 0;
        if (ml < 0 || (size_t)ml > 48) {
            memcpy(buf, enc, k);
            bl = k;
        } else {
            /* Simplified Chinese for each ideograph of the result. */
            for (utf8proc_ssize_t i = 0; i < ml;) {
                uint32_t c2;
                size_t kk = dj_utf8_decode((const char *)m + i, (size_t)(ml - i), &c2);
                if (!kk)
                    break;
                if (c2 < DJ_TEXT_TABLE_MAX && t2s[c2])
                    c2 = t2s[c2];
                bl += dj_utf8_encode(c2, buf + bl);
                i += (utf8proc_ssize_t)kk;
            }
        }
        free(m);
        uint32_t first = 0;
        dj_utf8_decode(buf, bl, &first);
        /* Small capitals and the like, written as such or reached by case
         * folding (Ʀ -> ʀ, Ɪ -> ɪ, which a second pass would fold on). */
        char ffl = bl == (size_t)dj_utf8_encode(first, enc) ? fancy_letter(first) : 0;
        if (ffl) {
            pool_add(t, cp, &ffl, 1, DJ_TC_FANCY);
            continue;
        }
        uint8_t cls;
        int ascii_alnum = bl > 0;
        for (size_t i = 0; i < bl; i++)
            if (!((buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= '0' && buf[i] <= '9')))
                ascii_alnum = 0;
        int letterlike_symbol = cp >= 0x2100 && cp <= 0x214F && !(cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO);
        if ((ascii_alnum && is_fancy_block(cp) && !letterlike_symbol) /* ℍ, not № or ™ */ ||
            is_fancy_letter(cp, buf, bl)) {
            pool_add(t, cp, buf, bl, DJ_TC_FANCY);
            continue;
        }
        if (ascii_alnum && symbol_cat(cat)) {
            /* A sign that NFKC spells out (™ -> tm, № -> no, ℡ -> tel,
             * ㎏ -> kg) is a word of its own: written against a mark
             * (Gucci™, Prada℠) its letters must not join the mark's. */
            char spaced[66];
            spaced[0] = ' ';
            memcpy(spaced + 1, buf, bl);
            spaced[bl + 1] = ' ';
            pool_add(t, cp, spaced, bl + 2, DJ_TC_SPLIT);
            continue;
        }
        if (bl == 1 && buf[0] == ' ') {
            /* ˛ ˜ ´ and friends are a space plus a mark under NFKC. */
            pool_add(t, cp, " ", 1, DJ_TC_SPACE);
            continue;
        }
        /* A character whose compatibility form is plain ASCII is a Latin
         * letter or digit whatever it looks like (ㅤ㎏ -> kg); only the rest
         * can be a lookalike that folds depending on its word. */
        if (!ascii_alnum && (homo[cp] || (bl && first < DJ_TEXT_TABLE_MAX && first >= 0x80 && homo[first] &&
                                          bl == (size_t)dj_utf8_encode(first, enc)))) {
            /* The Latin letter first, then the plain form, used when the
             * word around it is not Latin-looking (normalize.c). */
            char both[68];
            both[0] = (char)(homo[cp] ? homo[cp] : homo[first]);
            memcpy(both + 1, buf, bl);
            pool_add(t, cp, both, bl + 1, DJ_TC_HOMOGLYPH);
            t->ent[cp].weak = homo[cp] ? weak[cp] : weak[first];
            continue;
        }
        if (bl == 0) {
            /* Folds to nothing: as transparent as a combining mark. */
            pool_add(t, cp, "", 0, DJ_TC_MARK);
            continue;
        }
        int digits = ascii_alnum;
        for (size_t i = 0; i < bl && digits; i++)
            digits = buf[i] >= '0' && buf[i] <= '9';
        if (ascii_alnum && !digits)
            cls = DJ_TC_LATIN;     /* é -> e, ｇ -> g, ㎏ -> kg, ﬁ -> fi */
        else if (digits)
            cls = DJ_TC_DIGIT;     /* full-width digits, ① -> 1 */
        else if (bl == 1 && buf[0] == ' ')
            cls = DJ_TC_SPACE;
        else if (bl == 1 && (unsigned char)buf[0] < 0x80)
            cls = DJ_TC_PUNCT;     /* full-width punctuation */
        else if ((cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO) || name_sep_bytes(buf, bl) ||
                 symbol_cat(cat))
            cls = DJ_TC_PUNCT;     /* before CJK: 、。・ are punctuation; so are ∙ and − between letters,
                                      and symbols and emoji (G♥U♥C♥C♥I, 香★奈★儿) */
        else if (dj_text_is_cjk(cp) || dj_text_is_cjk(first))
            cls = DJ_TC_CJK;
        else if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO)
            cls = DJ_TC_LETTER;
        else
            cls = DJ_TC_OTHER;
        size_t chars = 0;
        for (size_t i = 0; i < bl; i++)
            chars += ((unsigned char)buf[i] & 0xC0) != 0x80;
        pool_add(t, cp, buf, bl, chars > 1 && !ascii_alnum ? DJ_TC_SPLIT : cls);
    }
    free(homo);
    free(weak);
    for (uint32_t cp = 0; cp < DJ_TEXT_TABLE_MAX; cp++) {
        dj_text_ent *e = &t->ent[cp];
        e->named = e->cls == DJ_TC_PUNCT && e->len ? (uint8_t)name_sep_bytes(t->pool + e->off, e->len) : 0;
        if (e->cls == DJ_TC_PUNCT && !e->named && cp >= 0x80 &&
            symbol_cat(utf8proc_get_property((utf8proc_int32_t)cp)->category))
            e->named = DJ_SEP_NAME;
    }
    /* The compact side table agrees with the general one by construction. */
    t->cjk = dj_xcalloc(DJ_TEXT_CJK_HI - DJ_TEXT_CJK_LO + 1, sizeof *t->cjk);
    for (uint32_t cp = DJ_TEXT_CJK_LO; cp <= DJ_TEXT_CJK_HI; cp++) {
        const dj_text_ent *e = &t->ent[cp];
        uint32_t to = 0;
        if (e->cls == DJ_TC_CJK && e->len == 3 && dj_utf8_decode(t->pool + e->off, 3, &to) == 3 && to != cp &&
            to >= 0x800 && to < 0x10000)
            t->cjk[cp - DJ_TEXT_CJK_LO] = (uint16_t)to;
        else if (e->cls != DJ_TC_CJK || e->len != 3)
            t->cjk[cp - DJ_TEXT_CJK_LO] = 1; /* not a plain ideograph: general path */
    }
    t->cjk_own = dj_xcalloc((DJ_TEXT_CJK_HI - DJ_TEXT_CJK_LO) / 64 + 1, sizeof *t->cjk_own);
    for (uint32_t k = 0; k <= DJ_TEXT_CJK_HI - DJ_TEXT_CJK_LO; k++)
        if (t->cjk[k] == 0)
            t->cjk_own[k / 64] |= 1ull << (k % 64);
    free(t2s);
}

dj_rc dj_text__table(dj_err *err)
{
    pthread_once(&once, build);
    if (build_rc)
        return dj_err_set(err, build_rc, "%s", build_msg);
    return DJ_OK;
}
