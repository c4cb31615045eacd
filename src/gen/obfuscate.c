/*
 * The ways counterfeiters write a brand mark so that a naive filter misses
 * it, one function per class: letters spaced out (G u c c i), joined by a
 * separator (G.U.C.C.I, L/V, 香-奈-儿), Cyrillic/Greek homoglyphs (Guссi),
 * full-width forms (ＧＵＣＣＩ), digit and symbol lookalikes (Gucc1, R0lex,
 * Ch@nel), traditional characters (香奈兒), zero-width characters inside the
 * mark (Gu\u200bcci) and mixed case (gUcCi). Every output still reads as the
 * mark to a person, which is the point.
 */
#include "gen/gen_int.h"

#include <string.h>

#include "text/text.h"
#include "util/utf8.h"

#include <pthread.h>

#define MAX_CP 96

static size_t decode_all(const char *s, uint32_t *cp)
{
    size_t n = 0, len = strlen(s), i = 0;
    while (i < len && n < MAX_CP) {
        size_t k = dj_utf8_decode(s + i, len - i, &cp[n]);
        if (!k)
            break;
        i += k;
        n++;
    }
    return n;
}

static void put(dj_buf *o, uint32_t cp)
{
    char b[4];
    size_t k = dj_utf8_encode(cp, b);
    dj_buf_add(o, b, k);
}

static int is_alpha(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static uint32_t upper(uint32_t c)
{
    return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static uint32_t lower(uint32_t c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Latin letter -> Cyrillic and Greek lookalikes (0 = none). */
static void homoglyphs(uint32_t c, uint32_t out[2])
{
    out[0] = out[1] = 0;
    switch (c) {
    case 'a': out[0] = 0x0430; out[1] = 0x03B1; break;
    case 'c': out[0] = 0x0441; out[1] = 0x03F2; break;
    case 'e': out[0] = 0x0435; break;
    case 'o': out[0] = 0x043E; out[1] = 0x03BF; break;
    case 'p': out[0] = 0x0440; out[1] = 0x03C1; break;
    case 'x': out[0] = 0x0445; out[1] = 0x03C7; break;
    case 'y': out[0] = 0x0443; out[1] = 0x03B3; break;
    case 'i': out[0] = 0x0456; out[1] = 0x03B9; break;
    case 'j': out[0] = 0x0458; break;
    case 's': out[0] = 0x0455; break;
    case 'h': out[0] = 0x04BB; break;
    case 'v': out[1] = 0x03BD; break;
    case 'u': out[1] = 0x03C5; break;
    case 'A': out[0] = 0x0410; out[1] = 0x0391; break;
    case 'B': out[0] = 0x0412; out[1] = 0x0392; break;
    case 'C': out[0] = 0x0421; out[1] = 0x03F9; break;
    case 'E': out[0] = 0x0415; out[1] = 0x0395; break;
    case 'H': out[0] = 0x041D; out[1] = 0x0397; break;
    case 'I': out[0] = 0x0406; out[1] = 0x0399; break;
    case 'J': out[0] = 0x0408; break;
    case 'K': out[0] = 0x041A; out[1] = 0x039A; break;
    case 'M': out[0] = 0x041C; out[1] = 0x039C; break;
    case 'N': out[1] = 0x039D; break;
    case 'O': out[0] = 0x041E; out[1] = 0x039F; break;
    case 'P': out[0] = 0x0420; out[1] = 0x03A1; break;
    case 'S': out[0] = 0x0405; break;
    case 'T': out[0] = 0x0422; out[1] = 0x03A4; break;
    case 'X': out[0] = 0x0425; out[1] = 0x03A7; break;
    case 'Y': out[0] = 0x04AE; out[1] = 0x03A5; break;
    case 'Z': out[1] = 0x0396; break;
    default: break;
    }
}

/* Digit/symbol lookalike of a letter, 0 = none: the substitutions sellers
 * use and readers decode without effort (0 1 3 @ $). */
static uint32_t leet(uint32_t c)
{
    switch (lower(c)) {
    case 'o': return '0';
    case 'i': return '1';
    case 'l': return '1';
    case 'e': return '3';
    case 'a': return '@';
    case 's': return '$';
    default: return 0;
    }
}

static int has_space(const uint32_t *cp, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp[i] == ' ')
            return 1;
    return 0;
}

/* Ideographs of everyday text (the generator's own sentences, words,
 * titles and products), the ones a seller picks to write a name by its
 * sound (香奈尔 for 香奈儿), not rare characters of the same reading. */
#define N_COMMON 4096
static uint32_t common[N_COMMON];
static size_t n_common;
static pthread_once_t common_once = PTHREAD_ONCE_INIT;

static void collect_common(const dj_gen_tsv *t)
{
    static uint8_t seen[0xA000 - 0x4E00];
    for (int i = 0; i < (t->rows + 1) * t->cols; i++) {
        uint32_t cp[MAX_CP];
        size_t n = decode_all(t->cells[i] ? t->cells[i] : "", cp);
        for (size_t k = 0; k < n && n_common < N_COMMON; k++)
            if (dj_text_cjk_sound(cp[k]) && !seen[cp[k] - 0x4E00]) {
                seen[cp[k] - 0x4E00] = 1;
                common[n_common++] = cp[k];
            }
    }
}

static void common_init(void)
{
    collect_common(&dj_gen__tsv_sentences);
    collect_common(&dj_gen__tsv_words);
    collect_common(&dj_gen__tsv_titles);
    collect_common(&dj_gen__tsv_products);
}

/* An everyday ideograph read as c is, other than c, picked with r (NULL:
 * the first); 0 when there is none. */
static uint32_t homophone(uint32_t c, dj_gen__rng *r)
{
    pthread_once(&common_once, common_init);
    unsigned s = dj_text_cjk_sound(c);
    uint32_t cand[64];
    size_t n = 0;
    for (size_t i = 0; s && i < n_common && n < 64; i++)
        if (common[i] != c && dj_text_cjk_sound(common[i]) == s)
            cand[n++] = common[i];
    return n ? cand[r ? dj_gen__below(r, (uint32_t)n) : 0] : 0;
}

int dj_gen__obf_applies(int ob, const char *mark)
{
    uint32_t cp[MAX_CP];
    size_t n = decode_all(mark, cp), letters = 0, homo = 0, lee = 0, trad = 0;
    int latin = n > 0 && cp[0] < 0x80;
    for (size_t i = 0; i < n; i++) {
        uint32_t h[2];
        letters += is_alpha(cp[i]);
        homoglyphs(cp[i], h);
        homo += h[0] || h[1];
        lee += strchr("oileasOILEAS", (int)cp[i]) != NULL && cp[i] < 0x80;
        if (ob == DJ_GEN__OB_TRADITIONAL)
            trad += dj_gen__trad(cp[i]) != 0;
    }
    switch (ob) {
    case DJ_GEN__OB_SPACED:
    case DJ_GEN__OB_SEPARATOR:
        return n >= 2 && n <= 12 && !has_space(cp, n);
    case DJ_GEN__OB_HOMOGLYPH:
        return latin && homo > 0;
    case DJ_GEN__OB_FULLWIDTH:
        return latin && letters >= 2;
    case DJ_GEN__OB_LEET:
        return latin && lee > 0 && letters >= 3;
    case DJ_GEN__OB_TRADITIONAL:
        return !latin && trad > 0;
    case DJ_GEN__OB_ZERO_WIDTH:
        return n >= 2;
    case DJ_GEN__OB_MIXED_CASE:
        return latin && letters >= 4;
    case DJ_GEN__OB_MISSPELLED:
        return latin && letters >= 5;
    case DJ_GEN__OB_HOMOPHONE: {
        size_t alt = 0;
        for (size_t i = 0; i < n && !latin; i++)
            alt += homophone(cp[i], NULL) != 0;
        return !latin && n >= 2 && n <= 8 && alt > 0;
    }
    default:
        return 0;
    }
}

/* Picks up to k distinct positions among those with ok[i], in order. */
static size_t pick_positions(dj_gen__rng *r, const int *ok, size_t n, size_t k, size_t *pos)
{
    size_t cand[MAX_CP], nc = 0, np = 0;
    for (size_t i = 0; i < n; i++)
        if (ok[i])
            cand[nc++] = i;
    while (np < k && nc > 0) {
        size_t j = dj_gen__below(r, (uint32_t)nc);
        pos[np++] = cand[j];
        cand[j] = cand[--nc];
    }
    return np;
}

/* A misspelling of the mark cp[0..n) that still reads as the name, of any
 * kind, not only those the screen looks for: a letter doubled (Addidas), a
 * double letter undoubled (Guci), a sound-alike letter (Guccy, Kartier,
 * Versaze), two neighbours swapped (Gucic), a letter dropped (Rolx), or a
 * vowel padded to three (Caaaoach). The first letter stays. */
static void misspell(dj_gen__rng *r, const uint32_t *cp, size_t n, dj_buf *o)
{
    static const char sound_of[] = "ickszy", sound_to[] = "ykczsi"; /* i>y c>k k>c s>z z>s y>i */
    uint32_t out[MAX_CP + 4];
    size_t m = 0;
    for (int tries = 0; tries < 16 && !m; tries++) {
        size_t i = 1 + dj_gen__below(r, (uint32_t)(n - 1)); /* never the first letter */
        int kind = (int)dj_gen__below(r, 6);
        uint32_t c = lower(cp[i]);
        int next_alpha = i + 1 < n && is_alpha(cp[i + 1]);
        if (!is_alpha(cp[i]) || (kind == 1 && lower(cp[i - 1]) != c) ||
            (kind == 2 && (c >= 0x80 || !strchr(sound_of, (int)c))) ||
            (kind == 3 && (!next_alpha || lower(cp[i + 1]) == c)) || (kind == 4 && !next_alpha) ||
            (kind == 5 && (c >= 0x80 || !strchr("aeiou", (int)c))))
            continue;
        for (size_t k = 0; k < n; k++) {
            if (k != i) {
                out[m++] = cp[k];
                continue;
            }
            switch (kind) {
            case 0: /* doubled */
                out[m++] = cp[k];
                out[m++] = cp[k];
                break;
            case 2: { /* a sound-alike letter, in the case of the one it replaces */
                uint32_t t = (uint32_t)sound_to[strchr(sound_of, (int)c) - sound_of];
                out[m++] = cp[k] == c ? t : upper(t);
                break;
            }
            case 3: /* swapped with the next */
                out[m++] = cp[k + 1];
                out[m++] = cp[k];
                k++;
                break;
            case 5: /* padded */
                for (int j = 0; j < 3; j++)
                    out[m++] = cp[k];
                break;
            default: /* 1 undoubled, 4 dropped: the letter goes */
                break;
            }
        }
    }
    if (!m) { /* no edit fits: the last letter doubled */
        for (size_t k = 0; k < n; k++)
            out[m++] = cp[k];
        out[m] = out[m - 1];
        m++;
    }
    for (size_t k = 0; k < m; k++)
        put(o, out[k]);
}

void dj_gen__obf_write(int ob, const char *mark, dj_gen__rng *r, dj_buf *o)
{
    uint32_t cp[MAX_CP];
    size_t n = decode_all(mark, cp);
    int latin = n > 0 && cp[0] < 0x80;
    int ok[MAX_CP] = {0};
    size_t pos[4], np;
    switch (ob) {
    case DJ_GEN__OB_SPACED: {
        /* Chinese sellers often space with the ideographic space. */
        uint32_t sep = !latin && dj_gen__below(r, 4) == 0 ? 0x3000 : ' ';
        int up = latin && dj_gen__below(r, 3) == 0;
        for (size_t i = 0; i < n; i++) {
            if (i)
                put(o, sep);
            put(o, up ? upper(cp[i]) : cp[i]);
        }
        break;
    }
    case DJ_GEN__OB_SEPARATOR: {
        static const uint32_t seps[] = {'.', '-', '/', '*', 0x00B7, '_', '|', '~', 0x2022, ','};
        uint32_t sep = seps[dj_gen__below(r, sizeof seps / sizeof *seps)];
        int up = latin && dj_gen__below(r, 100) < 60;
        for (size_t i = 0; i < n; i++) {
            if (i)
                put(o, sep);
            put(o, up ? upper(cp[i]) : cp[i]);
        }
        break;
    }
    case DJ_GEN__OB_HOMOGLYPH: {
        int greek = dj_gen__below(r, 100) < 30;
        for (size_t i = 0; i < n; i++) {
            uint32_t h[2];
            homoglyphs(cp[i], h);
            ok[i] = (h[0] || h[1]);
        }
        np = pick_positions(r, ok, n, 1 + dj_gen__below(r, 2), pos);
        for (size_t i = 0; i < n; i++) {
            uint32_t c = cp[i];
            for (size_t j = 0; j < np; j++)
                if (pos[j] == i) {
                    uint32_t h[2];
                    homoglyphs(c, h);
                    c = (greek && h[1]) || !h[0] ? h[1] : h[0];
                }
            put(o, c);
        }
        break;
    }
    case DJ_GEN__OB_FULLWIDTH: {
        int up = dj_gen__below(r, 100) < 60;
        for (size_t i = 0; i < n; i++) {
            uint32_t c = up ? upper(cp[i]) : cp[i];
            put(o, c == ' ' ? 0x3000 : c > 0x20 && c < 0x7F ? c + 0xFEE0 : c);
        }
        break;
    }
    case DJ_GEN__OB_LEET: {
        for (size_t i = 0; i < n; i++)
            ok[i] = cp[i] < 0x80 && strchr("oileasOILEAS", (int)cp[i]) != NULL;
        /* Never the first letter: "Gucc1", not "6ucci". */
        if (n)
            ok[0] = 0;
        np = pick_positions(r, ok, n, 1 + (dj_gen__below(r, 100) < 30), pos);
        if (!np) {
            for (size_t i = 0; i < n; i++)
                ok[i] = cp[i] < 0x80 && strchr("oileasOILEAS", (int)cp[i]) != NULL;
            np = pick_positions(r, ok, n, 1, pos);
        }
        for (size_t i = 0; i < n; i++) {
            uint32_t c = cp[i];
            for (size_t j = 0; j < np; j++)
                if (pos[j] == i)
                    c = leet(c);
            put(o, c);
        }
        break;
    }
    case DJ_GEN__OB_TRADITIONAL:
        for (size_t i = 0; i < n; i++) {
            uint32_t t = dj_gen__trad(cp[i]);
            put(o, t ? t : cp[i]);
        }
        break;
    case DJ_GEN__OB_ZERO_WIDTH: {
        static const uint32_t inv[] = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD};
        for (size_t i = 0; i < n; i++)
            ok[i] = i > 0;
        np = pick_positions(r, ok, n, 1 + (dj_gen__below(r, 100) < 35), pos);
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < np; j++)
                if (pos[j] == i)
                    put(o, inv[dj_gen__below(r, sizeof inv / sizeof *inv)]);
            put(o, cp[i]);
        }
        break;
    }
    case DJ_GEN__OB_MIXED_CASE: {
        uint32_t out[MAX_CP];
        size_t first = n, last = 0;
        for (size_t i = 0; i < n; i++)
            if (is_alpha(cp[i])) {
                if (first == n)
                    first = i;
                last = i;
            }
        for (int tries = 0; tries < 8; tries++) {
            int n_up = 0, n_low = 0, title = 1;
            for (size_t i = 0; i < n; i++) {
                out[i] = is_alpha(cp[i]) ? (dj_gen__below(r, 2) ? upper(cp[i]) : lower(cp[i])) : cp[i];
                if (is_alpha(out[i])) {
                    n_up += out[i] == upper(out[i]);
                    n_low += out[i] == lower(out[i]);
                    if (i == first ? out[i] != upper(out[i]) : out[i] != lower(out[i]))
                        title = 0;
                }
            }
            if (n_up && n_low && !title)
                break;
            /* Force a mixed form: lower first letter, upper last one. */
            out[first] = lower(cp[first]);
            out[last] = upper(cp[last]);
        }
        for (size_t i = 0; i < n; i++)
            put(o, out[i]);
        break;
    }
    case DJ_GEN__OB_MISSPELLED:
        misspell(r, cp, n, o);
        break;
    case DJ_GEN__OB_HOMOPHONE: {
        /* One character (two, now and then, in a long name) for another of
         * its sound; never all of them. */
        for (size_t i = 0; i < n; i++)
            ok[i] = homophone(cp[i], NULL) != 0;
        np = pick_positions(r, ok, n, n >= 4 && dj_gen__below(r, 4) == 0 ? 2 : 1, pos);
        for (size_t i = 0; i < n; i++) {
            uint32_t c = cp[i];
            for (size_t j = 0; j < np; j++)
                if (pos[j] == i)
                    c = homophone(c, r);
            put(o, c);
        }
        break;
    }
    default:
        dj_buf_adds(o, mark);
    }
}
