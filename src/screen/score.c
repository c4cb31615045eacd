/*
 * Evidence and score (docs/screening.md explains the model and its
 * constants). The listing's title and description are normalized and
 * scanned once each; every match becomes a hit with its place in the text
 * as written and the evasive foldings it needed. Hits are then judged in
 * context (negations, cancel terms, compatibility wording, the listing's
 * category, the seller, the price, the images) and turned into evidence,
 * each with a probability-like contribution p. Evidence about one brand is
 * combined by noisy-OR,
 *     score(brand) = 1 - prod(1 - p_i),
 * together with the evidence that names no brand (replica wording); the
 * listing's score is the highest brand score. Noisy-OR keeps each piece
 * explainable on its own ("a homoglyph in the mark alone is 0.85") while
 * independent pieces reinforce each other.
 */
#include "image/image.h"
#include "screen/screen_int.h"
#include "util/mem.h"
#include "util/simd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Contributions. One place, so docs/screening.md can quote them. */
#define P_MARK_TITLE       0.08  /* plain mark in title, covered, unauthorized */
#define P_MARK_DESC        0.04
#define P_NICKNAME         0.30  /* trade nickname (小香, 驴牌) in a covered category */
#define P_OBF_HOMOGLYPH    0.85
#define P_OBF_INVISIBLE    0.85
#define P_OBF_LEET         0.80
#define P_OBF_SEPARATOR    0.70
#define P_OBF_WIDE         0.70  /* ＧＵＣＣＩ outside Japanese text */
#define P_OBF_MASKED       0.55  /* G*cci: censored to pass filters; review alone */
#define P_OBF_CASE         0.35  /* chaNEl: odd, below review alone */
#define P_OBF_SPELLING     0.30  /* Guccy, 香奈尔: weak alone (names of their own sound alike too) */
#define F_NOT_COVERED      0.60  /* obfuscation outside the brand's goods */
#define F_REPLICA_NOBRAND  0.55  /* replica wording with no brand named */
#define F_REPLICA_UNCOVERED 0.75 /* replica wording, brand outside its goods */
#define F_LOOKALIKE_BRAND  0.60
#define F_LOOKALIKE_NOBRAND 0.30
#define F_EVASION_BRAND    0.55
#define F_EVASION_NOBRAND  0.35
#define F_DESC_ONLY        0.85  /* wording found only in the description */
#define F_SHORT_CODE       0.60  /* signal terms of 1-3 Latin letters/digits */
#define F_WEAK_PRICE       0.60  /* price evidence when only a nickname or a misspelling names the brand */
#define P_PRICE_MAX        0.95
#define PRICE_CURVE        0.80
#define F_RESALE_FLOOR     0.35  /* second-hand floors are this share of new */
#define COPY_PRICE         0.50  /* a word one edit from a mark names the brand below this share of its floor */
#define P_IMAGE_NEAR       0.70  /* official image, distance 0 */
#define P_IMAGE_FAR        0.55  /* official image, distance 31 */
#define P_CF_NEAR          0.95  /* known counterfeit photo, distance 0 */
#define P_CF_FAR           0.85  /* known counterfeit photo, distance 31 */
#define P_MULTI_BRAND      0.50  /* three brands in one title; +0.1 per more */
#define NEAR_BYTES         24    /* cancel_near window (8 CJK chars) */
#define NEG_GAP_BYTES      4     /* negation right before a signal */
#define COMPAT_GAP_BYTES   4     /* compat word right before a mark */

typedef struct cand {
    int brand;
    int title_mark, desc_mark, nick, obf;  /* hit indices or -1 */
    int typo;                              /* a mark misspelled or a homophone (that only), or -1 */
    int compat;                            /* hit of the compat word, or -1 */
    int image, image_dist;                 /* official image: listing image index, distance */
    int cf, cf_dist;                       /* known counterfeit photo: listing image, distance */
    long long cf_entry;                    /* its bank entry */
    int covered, authorized;
    double score;
} cand;

static int is_lower_ascii(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static int is_alpha_ascii(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum_ascii(unsigned char c)
{
    return is_alpha_ascii(c) || (c >= '0' && c <= '9');
}

static int full_width(const char *raw, uint32_t at)
{
    const unsigned char *c = (const unsigned char *)raw + at;
    return c[0] == 0xEF && (c[1] == 0xBC || c[1] == 0xBD); /* U+FF00..U+FF7F */
}

/* 1 when raw[0..len) has kana (U+3040..U+30FF): Japanese, where full-width
 * letters are ordinary typography (ＮＩＫＥ ナイキ). */
static int has_kana(const char *raw, size_t len)
{
    const unsigned char *r = (const unsigned char *)raw;
    for (const unsigned char *p = r; (p = memchr(p, 0xE3, len - (size_t)(p - r))) && p + 2 < r + len; p++)
        if ((p[1] == 0x81 && p[2] >= 0x80) || p[1] == 0x82 || (p[1] == 0x83 && p[2] <= 0xBF))
            return 1;
    return 0;
}

/* DJ_OBF_WIDE when a Latin mark at view [start, end) was typed in
 * full-width letters (ＧＵＣＣＩ, Ｇucci) in text that is not Japanese: the
 * Chinese input methods write ASCII letters, and no real Chinese title we
 * have writes full-width ones (0 of 4,213). */
static unsigned wide_mark(const dj_text_view *v, const char *raw, size_t start, size_t end)
{
    for (size_t i = start; i < end; i++) {
        const unsigned char *c = (const unsigned char *)raw + v->orig[i];
        if (full_width(raw, v->orig[i]) && ((c[1] == 0xBC && c[2] >= 0xA1 && c[2] <= 0xBA) || /* Ａ-Ｚ */
                                            (c[1] == 0xBD && c[2] >= 0x81 && c[2] <= 0x9A)))  /* ａ-ｚ */
            return has_kana(raw, v->orig[v->len]) ? 0 : DJ_OBF_WIDE;
    }
    return 0;
}

/* DJ_OBF_CASE when a Latin mark of four letters or more is written in
 * capitals and small letters at random (chaNEl, GuCCi, DiOR, gUCCI), as
 * sellers write past filters that match case. A word may be small,
 * capital or capitalized, and may have the shapes brands give their names:
 * humps (iPhone, McAfee, PlayStation: a capital after the first letter is
 * followed by a small letter), capitals then small letters (TRENDnet) and
 * one capital last (BenQ), all in the real web shop titles; the KB's own
 * spelling counts whatever it is. */
static unsigned mixed_case(const dj_kb_pattern *p, const char *raw, const dj_text_view *v, size_t start, size_t end)
{
    size_t a = v->orig[start], b = v->orig[end - 1] + 1;
    if (end - start < 4 || b - a != end - start)
        return 0; /* short, or not written in ASCII one byte a letter */
    for (size_t w = a; w < b;) {
        size_t e = w, upper = 0, lower = 0, odd = 0;
        for (; e < b && is_alpha_ascii((unsigned char)raw[e]); e++) {
            int up = raw[e] >= 'A' && raw[e] <= 'Z';
            upper += up;
            lower += !up;
            if (!up || upper == e - w + 1)
                continue; /* small, or of the capitals the word starts with (TRENDnet) */
            unsigned char next = e + 1 < b ? (unsigned char)raw[e + 1] : 0;
            if (is_lower_ascii(next) || (!is_alpha_ascii(next) && is_lower_ascii((unsigned char)raw[e - 1])))
                continue; /* a hump (iPhone), or one capital last (BenQ) */
            odd = 1;
        }
        if (upper && lower && odd)
            return strncmp(raw + a, p->source, b - a) ? DJ_OBF_CASE : 0; /* unless the KB writes it so */
        w = e + 1;
    }
    return 0;
}

/* 1 when view bytes i - 1 and i, letters or digits of one word, were
 * written in different styles: full-width next to ASCII (Ｘｉａｏｍｉnew),
 * or a styled or lookalike letter next to a plain one (𝐆𝐔𝐂𝐂𝐈bag). A word
 * does not change style in its middle, so that is where a mark glued to
 * its neighbour ends. */
static int style_break(const dj_text_view *v, const char *raw, size_t i)
{
    return full_width(raw, v->orig[i - 1]) != full_width(raw, v->orig[i]) ||
           ((v->flags[i - 1] ^ v->flags[i]) & DJ_TEXT_F_HOMOGLYPH);
}

/* 1 when a capitalized word starts at view byte i (its raw bytes are a
 * capital and a small letter): the M of ChloéMarcie. */
static int capital_word(const dj_text_view *v, const char *raw, size_t i)
{
    const unsigned char *r = (const unsigned char *)raw + v->orig[i];
    return r[0] >= 'A' && r[0] <= 'Z' && r + 1 < (const unsigned char *)raw + v->orig[v->len] && r[1] >= 'a' &&
           r[1] <= 'z';
}

/* 1 when the letters at view byte end make the Latin term p (of four
 * letters or more) a plural that ends its word: Nikes, Rolexes. */
static int plural_end(const dj_kb_pattern *p, const dj_text_view *v, size_t end)
{
    const char *t = v->s, *m = p->term;
    size_t n = p->len, k = t[end] == 's' ? 1 : t[end] == 'e' && end + 1 < v->len && t[end + 1] == 's' ? 2 : 0;
    if (!k || m[n - 1] == 's' || (end + k < v->len && is_alpha_ascii((unsigned char)t[end + k])))
        return 0;
    /* -es after a hissing end (Rolexes, Coaches), -s after the rest. */
    char z = m[n - 1], y = n >= 2 ? m[n - 2] : 0;
    int hiss = z == 'x' || z == 'z' || (z == 'h' && (y == 'c' || y == 's'));
    return k == 2 ? hiss : !hiss;
}

/* Short Latin terms (lv, ck, hp) need letters and digits around them to
 * stop; longer ones only letters, so gucci2024 and rolex116610 still match;
 * a change of style is a stop too (style_break), and so is, after a longer
 * term, a capitalized word (ChloéMarcie, SeagateBarracuda; Guccibag stays
 * one word; not before one: InFocus and AVerMedia are brands of their own,
 * not Focus and Media, in the real web shop titles). So is, before a longer
 * term, a letter of a chain of single letters that the normalizer joined:
 * nothing tells where the seller's words were (超A C e l i n e reads
 * "aceline"). Not after one: in M.I.I the start of the chain is no mark
 * "mi". A longer term disguised inside itself (disguised: the flags of
 * its folding) needs no boundary at all. */
static int bounded(const dj_kb_pattern *p, const dj_text_view *v, const char *raw, size_t start, size_t end,
                   unsigned disguised)
{
    int strict = p->len <= 3;
    if (disguised && !strict)
        return 1;
    /* An invisible character removed there was a boundary to whoever put
     * it (Gucci<U+200B>bag reads guccibag). */
    if (p->bound_left && start > 0) {
        unsigned char c = (unsigned char)v->s[start - 1];
        if ((strict ? is_alnum_ascii(c) : is_alpha_ascii(c)) && !style_break(v, raw, start) &&
            !(v->flags[start] & DJ_TEXT_F_INVISIBLE) && (strict || !(v->flags[start] & DJ_TEXT_F_SEPARATOR)))
            return 0;
    }
    if (p->bound_right && end < v->len) {
        unsigned char c = (unsigned char)v->s[end];
        if ((strict ? is_alnum_ascii(c) : is_alpha_ascii(c)) && !style_break(v, raw, end) &&
            !(v->flags[end] & DJ_TEXT_F_INVISIBLE) && (strict || !(capital_word(v, raw, end) || plural_end(p, v, end))))
            return 0;
    }
    return 1;
}

typedef struct scan_ud {
    dj_screen *s;
    uint8_t field;
    const dj_text_view *v;
    /* Skeleton scans: windows of the view copied into the skeleton buffer. */
    const uint32_t (*win)[3];   /* {skeleton start, view start, length} */
    size_t n_win;
    const uint32_t *swaps;      /* view offsets of case-swapped I and l */
    size_t n_swaps;
} scan_ud;

/* 1 when a separator removed inside the match left a piece of one
 * character: 芬·迪 and G.U.C.C.I were pulled apart letter by letter, while
 * 克里斯提·鲁布托 and "Louis·Vuitton" are how those names are written. */
static int single_char_piece(const dj_text_view *v, size_t start, size_t end)
{
    size_t piece_chars = 0;
    for (size_t i = start; i <= end; i++) {
        int cut = i == end || (i > start && (v->flags[i] & DJ_TEXT_F_SEPARATOR));
        if (cut) {
            if (piece_chars == 1)
                return 1;
            piece_chars = 0;
        }
        if (i < end && ((unsigned char)v->s[i] & 0xC0) != 0x80)
            piece_chars++;
    }
    return 0;
}

static void add_hit(scan_ud *u, uint32_t pat, size_t start, size_t end, unsigned obf)
{
    dj_screen *s = u->s;
    const dj_text_view *v = u->v;
    if (s->n_hits >= DJ_SCREEN_MAX_HITS)
        return; /* a listing this noisy is judged on what we kept */
    const dj_kb_pattern *p = dj_kb_pattern_at(s->kb, pat);
    unsigned given = obf;
    if (v->all_flags) {
        for (size_t i = start; i < end; i++)
            obf |= v->flags[i] & (DJ_TEXT_F_HOMOGLYPH | DJ_TEXT_F_ENTITY);
        /* A removal before the first char is outside the mark. */
        for (size_t i = start + 1; i < end; i++)
            obf |= v->flags[i] & (DJ_TEXT_F_INVISIBLE | DJ_TEXT_F_SEPARATOR);
        obf &= ~(unsigned)p->self_flags;
        if (obf & DJ_TEXT_F_SEPARATOR && !single_char_piece(v, start, end))
            obf &= ~(unsigned)DJ_TEXT_F_SEPARATOR;
    }
    /* Lookalike hits (obf given) were checked whole by their own rule. A
     * mark disguised inside itself is read where it stands, glued to a
     * word or not (Chl<U+200D>oéperfume, Guссibag): the disguise says
     * what it is. */
    if (!given && !bounded(p, v, s->field_raw[u->field], start, end,
                           obf & (DJ_TEXT_F_INVISIBLE | DJ_TEXT_F_HOMOGLYPH | DJ_TEXT_F_ENTITY)))
        return;
    if ((p->kind == DJ_PAT_MARK || p->kind == DJ_PAT_NICKNAME) && p->bound_left && !p->wide_source)
        obf |= wide_mark(v, s->field_raw[u->field], start, end) | mixed_case(p, s->field_raw[u->field], v, start, end);
    if (p->pinyin)
        obf |= DJ_OBF_PINYIN;
    dj_hit *h = &s->hits[s->n_hits++];
    h->pat = pat;
    h->field = u->field;
    h->obf = (uint16_t)obf;
    h->dead = 0;
    h->compat = 0;
    h->joined = 0;
    h->start = (uint32_t)start;
    h->end = (uint32_t)end;
    h->ostart = v->orig[start];
    /* Quote the last matched character's source whole (a code point whose
     * form is several bytes or characters, ⒤ -> "(i)", ﬁ -> "fi", maps all
     * of them to its own start, and the match may end inside its form),
     * but nothing the normalizer dropped after it: the hyphen after
     * 香-奈-儿 or a zero-width space after Gucci is no part of the mark. */
    h->oend = (uint32_t)dj_text_char_end(u->s->field_raw[u->field], v->orig[v->len], v->orig[end - 1]);
}

static int on_match(uint32_t pat, size_t end, void *ud)
{
    scan_ud *u = ud;
    add_hit(u, pat, end - dj_kb_pattern_at(u->s->kb, pat)->len, end, 0);
    return 0;
}

/* Byte classes for the lookalike scan: W a word byte (letters, digits and
 * the symbols that stand in for letters), L a letter, K a lookalike. */
enum { WB_W = 1, WB_L = 2, WB_K = 4 };
static const uint8_t wb[256] = {
    ['0'] = WB_W | WB_K, ['1'] = WB_W | WB_K, ['2'] = WB_W, ['3'] = WB_W | WB_K, ['4'] = WB_W | WB_K,
    ['5'] = WB_W | WB_K, ['6'] = WB_W | WB_K, ['7'] = WB_W | WB_K, ['8'] = WB_W | WB_K, ['9'] = WB_W | WB_K,
    ['@'] = WB_W | WB_K, ['$'] = WB_W | WB_K, ['|'] = WB_W | WB_K, ['!'] = WB_W | WB_K,
    ['a'] = WB_W | WB_L, ['b'] = WB_W | WB_L, ['c'] = WB_W | WB_L, ['d'] = WB_W | WB_L, ['e'] = WB_W | WB_L,
    ['f'] = WB_W | WB_L, ['g'] = WB_W | WB_L, ['h'] = WB_W | WB_L, ['i'] = WB_W | WB_L, ['j'] = WB_W | WB_L,
    ['k'] = WB_W | WB_L, ['l'] = WB_W | WB_L, ['m'] = WB_W | WB_L, ['n'] = WB_W | WB_L, ['o'] = WB_W | WB_L,
    ['p'] = WB_W | WB_L, ['q'] = WB_W | WB_L, ['r'] = WB_W | WB_L, ['s'] = WB_W | WB_L, ['t'] = WB_W | WB_L,
    ['u'] = WB_W | WB_L, ['v'] = WB_W | WB_L, ['w'] = WB_W | WB_L, ['x'] = WB_W | WB_L, ['y'] = WB_W | WB_L,
    ['z'] = WB_W | WB_L,
};

static inline int is_word_byte(unsigned char c)
{
    return wb[c] & WB_W;
}

/* 1 when a word of lookalikes may end before view byte i though a word
 * byte follows: the style changes (ＣＯＮＶＥＲ＄３Chuck) or a capitalized
 * word starts (N@R$Light, R0LEXWatch). */
static int word_break(const scan_ud *u, size_t i)
{
    const char *raw = u->s->field_raw[u->field];
    return style_break(u->v, raw, i) || capital_word(u->v, raw, i);
}

/* 1 when the view from i is a number that cannot be read as letters (a
 * 2, 6, 8 or 9 in it) up to the end of the word, after a mark that does
 * not end with a digit: a year after the mark (H3rme$2019款, Croc$2020),
 * where model numbers (ic007, mr0412) stay one word. */
static int number_after(const dj_text_view *v, size_t i)
{
    if (i == 0 || (v->s[i - 1] >= '0' && v->s[i - 1] <= '9'))
        return 0;
    int plain = 0;
    size_t k = i;
    for (; k < v->len && v->s[k] >= '0' && v->s[k] <= '9'; k++)
        plain |= v->s[k] == '2' || v->s[k] == '6' || v->s[k] == '8' || v->s[k] == '9';
    return plain && k - i >= 2 && (k == v->len || !is_word_byte((unsigned char)v->s[k]));
}

static int on_skeleton_match(uint32_t pat, size_t end, void *ud)
{
    scan_ud *u = ud;
    const dj_kb_pattern *p = dj_kb_pattern_at(u->s->kb, pat);
    size_t start = end - p->len;
    for (size_t w = 0; w < u->n_win; w++) {
        uint32_t ks = u->win[w][0], vs = u->win[w][1], n = u->win[w][2];
        if (start < ks || end > ks + n)
            continue;
        size_t vstart = vs + (start - ks), vend = vs + (end - ks);
        const char *t = u->v->s + vstart;
        /* Honest matches came from the plain scan; a match differing only in
         * l/i is another word. Only digits and symbols make a lookalike, and
         * only when they stand in for a minority of the letters and the
         * word ends where the mark ends: "ic007" is a model number, not
         * "icoo" in disguise. Three characters with a digit are as often
         * a model code (RC4, 4MP in real product titles: not RCA, AMP) as
         * a disguise (JB1): weak evidence (DJ_OBF_CODE). */
        size_t subst = 0, swapped = 0, digits = 0;
        for (size_t i = 0; i < p->len; i++) {
            if (t[i] == p->term[i])
                continue;
            if (dj_kb_is_lookalike_byte((unsigned char)t[i])) {
                subst++;
                digits += t[i] >= '0' && t[i] <= '9';
            }
            else
                for (size_t k = 0; k < u->n_swaps; k++)
                    swapped += u->swaps[k] == vstart + i;
        }
        const char *vt = u->v->s;
        int whole = (vstart == 0 || !is_word_byte((unsigned char)vt[vstart - 1]) || word_break(u, vstart)) &&
                    (vend >= u->v->len || !is_word_byte((unsigned char)vt[vend]) || word_break(u, vend) ||
                     number_after(u->v, vend));
        if ((subst || swapped) && whole && (subst + swapped) * 2 <= p->len)
            add_hit(u, pat, vstart, vend,
                    !subst ? DJ_TEXT_F_HOMOGLYPH : digits && p->len <= 3 ? DJ_OBF_CODE : DJ_OBF_LEET);
        break;
    }
    return 0;
}


#define MAX_WINDOWS 32

typedef struct windows {
    uint32_t w[MAX_WINDOWS][3]; /* {skeleton start, view start, length} */
    size_t n;
    size_t klen;                /* skeleton bytes so far */
} windows;

/* Words of context either side of a lookalike word: the lookalike may be
 * the first or the last word of a mark of three (La0 Gan Ma). */
#define CONTEXT_WORDS 2

/* Letters (WB_L) in the word bytes of t[a..b) */
static int letters_in(const unsigned char *t, size_t a, size_t b)
{
    int n = 0;
    for (; a < b; a++)
        n += (wb[t[a]] & WB_L) != 0;
    return n;
}

/* Looks at the word starting at i; when it has lookalike digits or
 * symbols and letters (or, with force, two letters), adds it with
 * CONTEXT_WORDS words of context either side to the windows. The letters
 * may be in the words joined to it without a space (SK-11, L1-Ning) or in
 * the word alone (L@ Mer). A word of one letter and digits is mostly a
 * model (F1, G3, A10); a match takes a mark of three letters or more (the
 * only ones with lookalikes: compile.c), a minority of them lookalikes.
 * Returns the offset after the word. */
static size_t examine_word(const dj_text_view *v, size_t i, windows *ws, int force)
{
    const unsigned char *t = (const unsigned char *)v->s;
    size_t start = i;
    unsigned any = 0;
    for (; i < v->len && (wb[t[i]] & WB_W); i++)
        any |= wb[t[i]];
    if (!(any & (force ? WB_L : WB_K)) || ws->n == MAX_WINDOWS)
        return i;
    /* The compound: the words joined to this one by joiners other than a
     * space (Hewlett-P@ckard, Off-Whit3, Arc't3ryx). */
    size_t ca = start, cb = i;
    while (ca > 1 && t[ca - 1] != ' ' && dj_kb_is_joiner(t[ca - 1]) && (wb[t[ca - 2]] & WB_W))
        for (ca--; ca > 0 && (wb[t[ca - 1]] & WB_W);)
            ca--;
    while (cb + 1 < v->len && t[cb] != ' ' && dj_kb_is_joiner(t[cb]) && (wb[t[cb + 1]] & WB_W))
        for (cb++; cb < v->len && (wb[t[cb]] & WB_W);)
            cb++;
    if (letters_in(t, ca, cb) < (force ? 2 : 1))
        return i;
    size_t a = ca, b = cb;
    for (int k = 0; k < CONTEXT_WORDS; k++) {
        while (a > 0 && dj_kb_is_joiner(t[a - 1]))
            a--;
        while (a > 0 && (wb[t[a - 1]] & WB_W))
            a--;
        while (b < v->len && dj_kb_is_joiner(t[b]))
            b++;
        while (b < v->len && (wb[t[b]] & WB_W))
            b++;
    }
    uint32_t(*w)[3] = ws->w;
    if (ws->n && a < w[ws->n - 1][1] + w[ws->n - 1][2]) {
        /* Overlaps the previous window: extend it. */
        uint32_t prev_end = w[ws->n - 1][1] + w[ws->n - 1][2];
        if (b > prev_end) {
            w[ws->n - 1][2] += (uint32_t)(b - prev_end);
            ws->klen += b - prev_end;
        }
    } else {
        w[ws->n][0] = (uint32_t)(ws->klen + (ws->n ? 1 : 0));
        ws->klen = w[ws->n][0];
        w[ws->n][1] = (uint32_t)a;
        w[ws->n][2] = (uint32_t)(b - a);
        ws->klen += b - a;
        ws->n++;
    }
    return i;
}

/* Copies the windows' skeletons into one buffer and scans it with the
 * lookalike patterns. */
static dj_rc scan_windows(dj_screen *s, scan_ud *u, windows *ws)
{
    const dj_text_view *v = u->v;
    size_t n_win = ws->n, klen = ws->klen;
    uint32_t(*win)[3] = ws->w;
    if (!n_win)
        return DJ_OK;
    if (klen + 1 > s->skel_cap) {
        s->skel_cap = (klen + 1) * 2;
        s->skel = dj_xrealloc(s->skel, s->skel_cap);
    }
    for (size_t w = 0; w < n_win; w++) {
        if (w)
            s->skel[win[w][0] - 1] = '\n';
        for (uint32_t k = 0; k < win[w][2]; k++)
            s->skel[win[w][0] + k] = (char)dj_kb_skeleton_byte((unsigned char)v->s[win[w][1] + k]);
    }
    u->win = (const uint32_t(*)[3])win;
    u->n_win = n_win;
    dj_rc rc = dj_kb_scan_skeleton(s->scanner, s->skel, klen, on_skeleton_match, u);
    u->win = NULL;
    u->n_win = 0;
    return rc;
}

/* Finds the words that mix Latin letters with lookalike digits or symbols
 * (r0lex, ch@nel), copies each with its context into a skeleton buffer and
 * scans that with the lookalike patterns. The normalizer tells where such
 * words are, so text without them costs nothing here. */
static dj_rc scan_lookalikes(dj_screen *s, scan_ud *u)
{
    const dj_text_view *v = u->v;
    if (v->n_mixed == 0)
        return DJ_OK;
    const unsigned char *t = (const unsigned char *)v->s;
    windows ws;
    ws.n = 0;
    ws.klen = 0;
    if (v->n_mixed == DJ_TEXT_MIXED_ALL) {
        for (size_t i = 0; i < v->len;)
            i = (wb[t[i]] & WB_W) ? examine_word(v, i, &ws, 0) : i + 1;
    } else {
        size_t done = 0;
        for (size_t c = 0; c < v->n_mixed; c++) {
            size_t i = v->mixed[c];
            while (i > 0 && (wb[t[i - 1]] & WB_W))
                i--;
            if (i >= done && i < v->len && (wb[t[i]] & WB_W))
                done = examine_word(v, i, &ws, 0);
        }
    }
    return scan_windows(s, u, &ws);
}

#define MAX_SWAPS 16

/* 1 when the I or l at raw[k] stands for the other letter: the same
 * stroke in most fonts, so RoIex (capital I) and GUCCl (small l) read as
 * the marks. An I counts inside a word whose letters after the first are
 * small, next to one of them; an l in a word of at least two capitals and
 * no other small letter. I, iPhone, IKEA and all stay what they are. */
static int case_swap(const unsigned char *r, size_t len, size_t k)
{
    unsigned char c = r[k];
    int prev_lower = k > 0 && is_lower_ascii(r[k - 1]), next_lower = k + 1 < len && is_lower_ascii(r[k + 1]);
    /* The common cases out first: an l beside a small letter (all, cool);
     * an I with none beside it (I, AIR) or starting a word (Iphone). */
    if (c == 'l' ? prev_lower || next_lower : !(prev_lower || next_lower) || !k || !is_alpha_ascii(r[k - 1]))
        return 0;
    size_t a = k, b = k + 1;
    while (a > 0 && is_alnum_ascii(r[a - 1]))
        a--;
    while (b < len && is_alnum_ascii(r[b]))
        b++;
    int upper = 0, lower = 0;
    for (size_t j = a; j < b; j++) {
        if (r[j] == c || !is_alpha_ascii(r[j]) || (c == 'I' && j == a))
            continue;
        upper += !is_lower_ascii(r[j]);
        lower += is_lower_ascii(r[j]);
    }
    /* Two small letters, or one in a word of four (DeII: the I's of a
     * doubled l leave a short mark one small letter). */
    return c == 'l' ? upper >= 2 && lower == 0 : upper == 0 && (lower >= 2 || (lower == 1 && b - a >= 4));
}

/* Finds case-swapped I and l in raw (see case_swap) and scans their
 * words' skeletons, where l and I meet (gucci's skeleton is guccl's); the
 * match counts where the letters that differ are the swapped ones. Text
 * without I or l next to the right neighbours costs a pass of compares. */
static dj_rc scan_case_swaps(dj_screen *s, scan_ud *u, const char *raw, size_t len)
{
    const unsigned char *r = (const unsigned char *)raw;
    uint32_t swaps[MAX_SWAPS];
    size_t n = 0, i = 0;
#if DJ_SIMD
    const __m128i cap_i = _mm_set1_epi8('I'), small_l = _mm_set1_epi8('l');
    for (; i + 16 <= len && n < MAX_SWAPS; i += 16) {
        __m128i b = dj_simd_load(raw + i);
        unsigned m = dj_simd_mask(_mm_or_si128(_mm_cmpeq_epi8(b, cap_i), _mm_cmpeq_epi8(b, small_l)));
        for (; m && n < MAX_SWAPS; m &= m - 1) {
            size_t k = i + (size_t)__builtin_ctz(m);
            if (case_swap(r, len, k))
                swaps[n++] = (uint32_t)k;
        }
    }
#endif
    for (; i < len && n < MAX_SWAPS; i++)
        if ((r[i] == 'I' || r[i] == 'l') && case_swap(r, len, i))
            swaps[n++] = (uint32_t)i;
    if (!n)
        return DJ_OK;
    /* Input offsets to view offsets: an ASCII letter is one byte of the
     * view, found by its place in the (sorted) map back. */
    const dj_text_view *v = u->v;
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        size_t lo = 0, hi = v->len;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (v->orig[mid] < swaps[k])
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < v->len && v->orig[lo] == swaps[k] && (v->s[lo] == 'i' || v->s[lo] == 'l'))
            swaps[m++] = (uint32_t)lo;
    }
    windows ws;
    ws.n = 0;
    ws.klen = 0;
    const unsigned char *t = (const unsigned char *)v->s;
    for (size_t k = 0, done = 0; k < m; k++) {
        size_t at = swaps[k];
        while (at > 0 && (wb[t[at - 1]] & WB_W))
            at--;
        if (at >= done)
            done = examine_word(v, at, &ws, 1);
    }
    u->swaps = swaps;
    u->n_swaps = m;
    dj_rc rc = scan_windows(s, u, &ws);
    u->swaps = NULL;
    u->n_swaps = 0;
    return rc;
}

#define JOIN_WORDS     3   /* words of a title joined into one key at most */
#define JOIN_MAX_WORDS 64  /* title words looked at */
#define MISSPELL_WORDS 2   /* words of a title read as one misspelled mark at most */

static int is_key_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* 1 when t[from..to) may sit between two words of one name (Gu cci,
 * Guc-ci, Tiffany & Co). */
static int join_gap(const char *t, size_t from, size_t to)
{
    if (to - from > 3)
        return 0;
    for (size_t i = from; i < to; i++)
        if (!dj_kb_is_joiner((unsigned char)t[i]))
            return 0;
    return 1;
}

/* 1 when a term of several words has one of fewer than three letters and
 * digits (Li-Ning, D-Link): written as one word, such a name is often a
 * word of its own. */
static int short_part(const dj_kb_pattern *p)
{
    size_t run = 0, parts = 0, shortest = SIZE_MAX;
    for (size_t i = 0; i <= p->len; i++) {
        if (i < p->len && is_key_byte((unsigned char)p->term[i])) {
            run++;
            continue;
        }
        if (run) {
            parts++;
            shortest = run < shortest ? run : shortest;
        }
        run = 0;
    }
    return parts > 1 && shortest < 3;
}

static int span_flagged(const dj_text_view *v, size_t from, size_t to)
{
    for (size_t i = from; v->all_flags && i < to; i++)
        if (v->flags[i])
            return 1;
    return 0;
}

/* The runs of a-z and 0-9 in t[0..len), at most max, as {start, end}. */
static size_t key_words(const char *t, size_t len, uint32_t (*w)[2], size_t max)
{
    size_t nw = 0, i = 0;
    unsigned in = 0; /* inside a word at the end of the last block */
#if DJ_SIMD
    for (; i + 16 <= len; i += 16) {
        __m128i b = dj_simd_load(t + i);
        unsigned m = dj_simd_mask(_mm_or_si128(dj_simd_in_range(b, 'a', 'z'), dj_simd_in_range(b, '0', '9')));
        /* A bit where a byte differs from the one before: a word's start
         * (set in m) or the byte after its end. */
        for (unsigned edge = (m ^ ((m << 1) | in)) & 0xFFFF; edge; edge &= edge - 1) {
            unsigned k = (unsigned)__builtin_ctz(edge);
            if ((m >> k) & 1) {
                if (nw == max)
                    return nw;
                w[nw][0] = (uint32_t)(i + k);
            } else {
                w[nw++][1] = (uint32_t)(i + k);
            }
        }
        in = (m >> 15) & 1;
    }
#endif
    for (; i < len; i++) {
        unsigned c = is_key_byte((unsigned char)t[i]);
        if (c == in)
            continue;
        if (c) {
            if (nw == max)
                return nw;
            w[nw][0] = (uint32_t)i;
        } else {
            w[nw++][1] = (uint32_t)i;
        }
        in = c;
    }
    if (in)
        w[nw++][1] = (uint32_t)len;
    return nw;
}

/* The letters and digits of title words w[a..b] into key. */
static void run_key(const char *t, const uint32_t (*w)[2], size_t a, size_t b, char *key)
{
    size_t kl = 0;
    for (size_t c = a; c <= b; kl += w[c][1] - w[c][0], c++)
        memcpy(key + kl, t + w[c][0], w[c][1] - w[c][0]);
}

/* How a run of title words is looked up as a misspelled mark: with
 * dj_kb_misspelled (one probe: English words are asked about only for what
 * it finds) or the looser dj_kb_one_edit (a probe per letter: English words,
 * never taken, are left out first). */
typedef struct mark_lookup {
    size_t (*find)(const dj_kb *kb, const char *key, size_t n, uint32_t *pats, size_t max);
    int english_first;
} mark_lookup;

static const mark_lookup BY_SPELLING = {dj_kb_misspelled, 0}, BY_ONE_EDIT = {dj_kb_one_edit, 1};

/* The title words of a lookup and, asked once each, whether they are
 * English words. */
typedef struct title_words {
    const char *t;
    uint32_t w[JOIN_MAX_WORDS][2];
    size_t n;
    int8_t english[JOIN_MAX_WORDS]; /* -1: not asked yet */
} title_words;

static void title_words_init(title_words *tw, const dj_text_view *v)
{
    tw->t = v->s;
    tw->n = key_words(v->s, v->len, tw->w, JOIN_MAX_WORDS);
    memset(tw->english, -1, tw->n);
}

static int english_word(title_words *tw, size_t i)
{
    if (tw->english[i] < 0)
        tw->english[i] = (int8_t)dj_text_is_english_word(tw->t + tw->w[i][0], tw->w[i][1] - tw->w[i][0]);
    return tw->english[i];
}

/* A run of title words (one or two, tw->w[a..b]) that is no term, as
 * written or joined, but a brand's mark misspelled (Guccy, Louis Vuiton,
 * caaaoach; found by lookup): a hit of kind DJ_OBF_MISSPELLED, when the run
 * is letters only (digits make model names), nothing was found there
 * already (Gucci a is Gucci, then a), and its words are not all English
 * words (words of their own). */
static void scan_misspelled(dj_screen *s, scan_ud *u, title_words *tw, size_t a, size_t b, const char *key, size_t k,
                            const mark_lookup *lookup)
{
    for (size_t i = 0; i < k; i++)
        if (key[i] < 'a')
            return;
    uint32_t from = tw->w[a][0], to = tw->w[b][1];
    for (size_t i = 0; i < s->n_hits; i++)
        if (s->hits[i].field == u->field && s->hits[i].start < to && s->hits[i].end > from)
            return;
    /* One word: the lookup itself leaves English words out. */
    if (lookup->english_first && (a == b ? english_word(tw, a) : english_word(tw, a) && english_word(tw, b)))
        return;
    uint32_t pats[4];
    size_t np = lookup->find(s->kb, key, k, pats, 4);
    if (np && b > a && english_word(tw, a) && english_word(tw, b))
        return;
    for (size_t q = 0; q < np; q++)
        add_hit(u, pats[q], from, to, DJ_OBF_MISSPELLED);
}

/* Every run of one or two title words (tw, of u->v) looked up as a
 * misspelled mark (scan_misspelled). */
static void misspelled_runs(dj_screen *s, scan_ud *u, title_words *tw, const mark_lookup *lookup)
{
    for (size_t a = 0; a < tw->n; a++) {
        size_t k = 0;
        for (size_t b = a; b < tw->n && b < a + MISSPELL_WORDS; b++) {
            if (b > a && !join_gap(tw->t, tw->w[b - 1][1], tw->w[b][0]))
                break;
            k += tw->w[b][1] - tw->w[b][0];
            if (k < DJ_KB_FUZZY_MIN - 1 || k > DJ_KB_JOIN_MAX)
                continue;
            char key[DJ_KB_JOIN_MAX];
            run_key(tw->t, (const uint32_t(*)[2])tw->w, a, b, key);
            scan_misspelled(s, u, tw, a, b, key, k, lookup);
        }
    }
}

/* 1 when the listing's category lies under one of paths[]. */
static int category_in(const dj_listing *l, const char *const *paths, size_t n)
{
    if (!l->category.s)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (dj_kb_category_covers(paths[i], l->category.s, l->category.len))
            return 1;
    return 0;
}

/* The listing's price in the KB's currency, or -1. */
static double listing_price(const dj_screen *s)
{
    const dj_listing *l = s->l;
    if (!l->has_price)
        return -1;
    double rate = l->currency.s ? dj_kb_rate(s->kb, l->currency.s, l->currency.len) : 1.0;
    return rate > 0 ? l->price * rate : -1;
}

/* 1 when brand b's goods are what the listing sells (the KB says so
 * explicitly) and price is below COPY_PRICE of its floor there (of its
 * second-hand floor with resale wording). */
static int cheap_for(const dj_screen *s, const dj_kb_brand *b, double price, int resale)
{
    const dj_listing *l = s->l;
    if (price < 0 || !b->n_categories || !category_in(l, b->categories, b->n_categories))
        return 0;
    double floor = dj_kb_brand_floor(b, l->category.s, l->category.len);
    return floor > 0 && price < COPY_PRICE * (resale ? floor * F_RESALE_FLOOR : floor);
}

/* A listing that names no brand but says it is a copy of something (a
 * live replica, lookalike or evasion term: 高仿, dupe, 大牌平替, no logo),
 * or sells a brand's goods far below the brand's floor: its title words
 * that no term matched are looked up within any one edit of a mark
 * (Convese 一比一, Spureme 高仿, Appel Dupe, Burberyr 大牌平替; Chnael boots
 * at a tenth of Chanel's floor). Too loose for every listing
 * (dj_kb_one_edit), telling for these: what a copy is a copy of. Without
 * such wording only a brand whose goods these are and whose floor they
 * undercut counts, and the price weighs as little as on a nickname
 * (F_WEAK_PRICE): for a person to look at (Visio is not Vizio). */
static void name_the_copied_brand(dj_screen *s)
{
    int copy = 0, resale = 0;
    for (size_t i = 0; i < s->n_hits; i++) {
        const dj_hit *h = &s->hits[i];
        const dj_kb_pattern *p = dj_kb_pattern_at(s->kb, h->pat);
        if (h->dead)
            continue;
        if (p->kind == DJ_PAT_MARK || p->kind == DJ_PAT_NICKNAME)
            return; /* a brand is named */
        if (p->kind == DJ_PAT_SIGNAL) {
            dj_sig_kind k = dj_kb_signal_at(s->kb, p->owner)->kind;
            copy |= k == DJ_SIG_REPLICA || k == DJ_SIG_LOOKALIKE || k == DJ_SIG_EVASION;
            resale |= k == DJ_SIG_RESALE;
        }
    }
    double price = listing_price(s);
    if (!copy && price < 0)
        return;
    dj_text_view *v = &s->view[FIELD_TITLE];
    scan_ud u = {s, FIELD_TITLE, v, NULL, 0, NULL, 0};
    size_t first = s->n_hits, kept = first;
    title_words tw;
    title_words_init(&tw, v);
    misspelled_runs(s, &u, &tw, &BY_ONE_EDIT);
    if (copy)
        return;
    for (size_t i = first; i < s->n_hits; i++)
        if (cheap_for(s, dj_kb_brand_at(s->kb, dj_kb_pattern_at(s->kb, s->hits[i].pat)->owner), price, resale))
            s->hits[kept++] = s->hits[i];
    s->n_hits = kept;
}

/* Marks and signal terms written with their words split or joined (Gu cci,
 * Guc-ci, LouisVuitton, CoolerMaster for "Cooler Master"): every run of up
 * to three title words is looked up by its letters and digits (dj_kb_joined,
 * mostly a bit test each). Such a hit is a plain mention: honest sellers
 * write "tp link" and "coolermaster" too, so a split is no evidence of
 * intent (a split into single letters is, and the normalizer flags it).
 * Titles only: that is where a name is written to be found. */
static void scan_joined(dj_screen *s, scan_ud *u)
{
    const dj_text_view *v = u->v;
    const char *t = v->s;
    title_words tw;
    title_words_init(&tw, v);
    const uint32_t(*w)[2] = (const uint32_t(*)[2])tw.w;
    size_t nw = tw.n;
    /* Each word hashed once; a run's hash is a multiply-add per word. */
    uint64_t hw[JOIN_MAX_WORDS], pw[JOIN_MAX_WORDS];
    for (size_t i = 0; i < nw; i++) {
        uint64_t h = 0, p = 1;
        for (uint32_t j = w[i][0]; j < w[i][1]; j++) {
            h = h * DJ_KB_JOIN_MUL + (unsigned char)t[j];
            p *= DJ_KB_JOIN_MUL;
        }
        hw[i] = h;
        pw[i] = p;
    }
    for (size_t a = 0; a < nw; a++) {
        size_t k = 0;
        uint64_t h = DJ_KB_JOIN_SEED;
        for (size_t b = a; b < nw && b < a + JOIN_WORDS; b++) {
            if (b > a && !join_gap(t, w[b - 1][1], w[b][0]))
                break;
            k += w[b][1] - w[b][0];
            h = h * pw[b] + hw[b];
            if (k > DJ_KB_JOIN_MAX)
                break;
            if (k < DJ_KB_JOIN_MIN || !dj_kb_join_maybe(s->kb, h, b == a))
                continue;
            char key[DJ_KB_JOIN_MAX];
            run_key(t, w, a, b, key);
            uint32_t pats[4];
            size_t np = dj_kb_joined(s->kb, h, key, k, pats, 4);
            for (size_t q = 0; q < np; q++) {
                const dj_kb_pattern *p = dj_kb_pattern_at(s->kb, pats[q]);
                size_t from = w[a][0], to = w[b][1];
                if (to - from == p->len && !memcmp(t + from, p->term, p->len))
                    continue; /* written as the term: the plain scan has it */
                if (b == a && short_part(p) && !span_flagged(v, from, to))
                    continue; /* lining is a word, not Li-Ning (unless L,i,-,N,i,n,g) */
                size_t before = s->n_hits;
                add_hit(u, pats[q], from, to, 0);
                if (s->n_hits > before)
                    s->hits[before].joined = 1;
            }
        }
    }
    /* Then what is left may be a mark misspelled: after every hit is in, so
     * that a word already found is not read as part of another. */
    misspelled_runs(s, u, &tw, &BY_SPELLING);
}

/* Marks censored with an asterisk, as sellers mask a name to pass keyword
 * filters (G*cci, Gucc*, lan*come: the real Chinese titles have
 * lan*come/兰蔻 and 直*邮): a Latin word with one asterisk after its first
 * letter is looked up with the asterisk as any one letter and, between two
 * letters, as nothing. An asterisk written between single letters or
 * characters (G*U*C*C*I, 香*奈*儿) is a separator the normalizer removed. */
static void scan_masked(dj_screen *s, scan_ud *u)
{
    const dj_text_view *v = u->v;
    const char *t = v->s;
    for (const char *m = memchr(t, '*', v->len); m; m = memchr(m + 1, '*', v->len - (size_t)(m + 1 - t))) {
        size_t at = (size_t)(m - t), a = at, b = at + 1;
        while (a > 0 && is_lower_ascii((unsigned char)t[a - 1]))
            a--;
        while (b < v->len && is_lower_ascii((unsigned char)t[b]))
            b++;
        if (a == at || (a > 0 && is_alnum_ascii((unsigned char)t[a - 1])) ||
            (b < v->len && (t[b] == '*' || is_alpha_ascii((unsigned char)t[b]))) || b - a > DJ_KB_JOIN_MAX)
            continue;
        uint32_t pats[4];
        size_t np = dj_kb_masked(s->kb, t + a, b - a, at - a, pats, 4);
        if (!np && b > at + 1 && b - a - 1 >= DJ_KB_JOIN_MIN) {
            char key[DJ_KB_JOIN_MAX];
            memcpy(key, t + a, at - a);
            memcpy(key + (at - a), m + 1, b - at - 1);
            size_t k = b - a - 1;
            np = dj_kb_joined(s->kb, dj_kb_join_hash(DJ_KB_JOIN_SEED, key, k), key, k, pats, 4);
        }
        for (size_t q = 0; q < np; q++)
            add_hit(u, pats[q], a, b, DJ_OBF_MASKED);
    }
}

/* A mark of two letters written as two capitals a space apart (L V,
 * 女生L V单肩包): "A B" is as often two things (A B面, sides A and B),
 * so the reading is weak evidence, kind separated_letters, that a low
 * price or replica wording decides; the normalizer joins single letters
 * only from three, or across punctuation (L/V). Titles only. */
typedef struct pair_ud {
    scan_ud *u;
    size_t from, to; /* the pair in the view */
} pair_ud;

static int on_pair(uint32_t pat, size_t end, void *ud)
{
    pair_ud *pu = ud;
    const dj_kb_pattern *p = dj_kb_pattern_at(pu->u->s->kb, pat);
    if (end == 2 && p->len == 2 && (p->kind == DJ_PAT_MARK || p->kind == DJ_PAT_NICKNAME))
        add_hit(pu->u, pat, pu->from, pu->to, DJ_OBF_PAIR);
    return 0;
}

static dj_rc scan_spaced_pairs(dj_screen *s, scan_ud *u, const char *raw)
{
    const dj_text_view *v = u->v;
    const unsigned char *t = (const unsigned char *)v->s;
    for (size_t i = 0; i + 3 <= v->len; i++) {
        if (t[i + 1] != ' ' || !is_lower_ascii(t[i]) || !is_lower_ascii(t[i + 2]) ||
            (i > 0 && is_alnum_ascii(t[i - 1])) || (i + 3 < v->len && is_alnum_ascii(t[i + 3])))
            continue;
        unsigned char a = (unsigned char)raw[v->orig[i]], b = (unsigned char)raw[v->orig[i + 2]];
        if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
            continue;
        char key[2] = {(char)t[i], (char)t[i + 2]};
        pair_ud pu = {u, i, i + 3};
        dj_rc rc = dj_kb_scan(s->scanner, key, 2, on_pair, &pu);
        if (rc)
            return rc;
    }
    return DJ_OK;
}

/* A brand mark written with other characters of the same sound, as the
 * sounds database reports it: a hit of kind DJ_OBF_HOMOPHONE when at least
 * one character is the mark's own in its place (劳力仕 for 劳力士, while
 * 老李是, "old Li is", shares none), not all are (the plain scan has
 * those), and nothing of another brand was found there already (a part of
 * the same brand's name, 阿迪 in 阿迪达思, gives way to the whole: see
 * judge_nested). A built-in context word found there (非 of 非利浦, the
 * sound of 飞利浦; 风) is no reading of its own and does not stand in the
 * way. A mark of two characters counts only where the title reads best
 * with the two as a name (奶克 for 耐克 in 大码奶克毛线帽; not 创意,
 * "creative", for the brand 创易, nor 日礼 of 生日礼物 for 日立). */
static int on_sound(unsigned id, size_t to, void *ud)
{
    scan_ud *u = ud;
    dj_screen *s = u->s;
    const dj_kb_pattern *p = dj_kb_pattern_at(s->kb, id);
    const char *t = u->v->s;
    uint32_t from = s->sound_at[to - p->sound_len], end = s->sound_at[to];
    /* Character by character: the mark's own, another of its sound, or
     * pinyin (香nai儿, 路易weideng), which must be whole runs of letters. */
    size_t same = 0, pinyin = 0;
    int cut = 0; /* pinyin at an end of the match, cut out of a longer run (古chic) */
    for (size_t k = to - p->sound_len, c = 0; k < to; k += 2, c += 3) {
        uint32_t at = s->sound_at[k];
        if ((unsigned char)t[at] >= 0x80) {
            same += !memcmp(t + at, p->term + c, 3);
            continue;
        }
        pinyin++;
        if (k == to - p->sound_len)
            cut |= at > 0 && is_lower_ascii((unsigned char)t[at - 1]);
        if (k + 2 == to)
            cut |= end < u->v->len && is_lower_ascii((unsigned char)t[end]);
    }
    if (!same || cut)
        return 0; /* none of the mark's own (another word that sounds so), or cut */
    if (!pinyin && (end - from != p->len || 3 * same == p->len))
        return 0; /* not one character a sound, or the mark as written */
    for (size_t i = 0; i < s->n_hits; i++) {
        const dj_hit *o = &s->hits[i];
        const dj_kb_pattern *q = dj_kb_pattern_at(s->kb, o->pat);
        if (o->field == u->field && o->start < end && o->end > from && q->kind <= DJ_PAT_CANCEL &&
            (q->kind > DJ_PAT_NICKNAME || q->owner != p->owner || o->start < from || o->end > end))
            return 0;
    }
    if (p->len == 3 * DJ_KB_SOUND_MIN && !pinyin && !dj_text_zh_reads_as_name(t, u->v->len, from, end))
        return 0; /* two syllables that ordinary words make (创意, 生日礼物) */
    add_hit(u, id, from, end, pinyin ? DJ_OBF_PINYIN : DJ_OBF_HOMOPHONE);
    return 0;
}

/* Chinese marks in characters of the same sound (谐音: 香奈尔), in titles. */
static dj_rc scan_sounds(dj_screen *s, scan_ud *u)
{
    const dj_text_view *v = u->v;
    if (!dj_kb_has_sounds(s->kb))
        return DJ_OK;
    if (2 * v->len + 1 > s->sound_cap) {
        s->sound_cap = 2 * (2 * v->len + 1);
        free(s->sounds);
        free(s->sound_at);
        s->sounds = dj_xmalloc(s->sound_cap);
        s->sound_at = dj_xmalloc(s->sound_cap * sizeof *s->sound_at);
    }
    size_t n = dj_text_sounds(v->s, v->len, s->sounds, s->sound_at), run = 0, longest = 0;
    for (size_t i = 0; i < n; i++) {
        run = s->sounds[i] == DJ_TEXT_SOUND_GAP ? 0 : run + 1;
        longest = run > longest ? run : longest;
    }
    if (longest < 2 * DJ_KB_SOUND_MIN)
        return DJ_OK; /* no run of ideographs as long as a mark */
    return dj_kb_scan_sounds(s->scanner, s->sounds, n, on_sound, u);
}

static dj_rc scan_field(dj_screen *s, uint8_t field, const char *raw, size_t len, dj_err *err)
{
    dj_text_view *v = &s->view[field];
    dj_rc rc = dj_text_normalize(s->text, raw, len, v, err);
    if (rc)
        return rc;
    if (field == FIELD_TITLE) {
        /* The next normalize call reuses the view's buffers: keep a copy. */
        if (v->len + 1 > s->title_cap) {
            s->title_cap = (v->len + 1) * 2;
            free(s->title_norm);
            free(s->title_flags);
            free(s->title_orig);
            s->title_norm = dj_xmalloc(s->title_cap);
            s->title_flags = dj_xmalloc(s->title_cap);
            s->title_orig = dj_xmalloc(s->title_cap * sizeof *s->title_orig);
        }
        memcpy(s->title_norm, v->s, v->len + 1);
        memcpy(s->title_flags, v->flags, v->len);
        memcpy(s->title_orig, v->orig, (v->len + 1) * sizeof *v->orig);
        v->s = s->title_norm;
        v->flags = s->title_flags;
        v->orig = s->title_orig;
    }
    scan_ud u = {s, field, v, NULL, 0, NULL, 0};
    rc = dj_kb_scan(s->scanner, v->s, v->len, on_match, &u);
    if (!rc)
        rc = scan_lookalikes(s, &u);
    if (!rc)
        rc = scan_case_swaps(s, &u, raw, len);
    if (!rc && memchr(v->s, '*', v->len))
        scan_masked(s, &u);
    if (!rc && field == FIELD_TITLE)
        rc = scan_spaced_pairs(s, &u, raw);
    if (!rc && field == FIELD_TITLE) {
        scan_joined(s, &u);
        rc = scan_sounds(s, &u);
    }
    return rc;
}

static void add_ev(dj_screen *s, unsigned reason, double p, int brand, int hit, const char *detail,
                   double a, double b, double c)
{
    if (s->n_ev >= DJ_SCREEN_MAX_EVIDENCE)
        return;
    s->ev[s->n_ev++] = (dj_evidence){reason, p, brand, hit, detail, a, b, c};
}

static const dj_kb_pattern *pat_of(dj_screen *s, const dj_hit *h)
{
    return dj_kb_pattern_at(s->kb, h->pat);
}

/* The listing category, lower-cased for comparison with KB paths. Category
 * paths are ASCII slugs in practice; non-ASCII bytes are kept as they are. */
static void normalize_category(dj_screen *s, dj_listing *l)
{
    if (!l->category.s)
        return;
    char *c = dj_arena_alloc(s->arena, l->category.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < l->category.len; i++) {
        unsigned char ch = (unsigned char)l->category.s[i];
        if (ch == ' ' && (n == 0 || c[n - 1] == '/' || (i + 1 < l->category.len && l->category.s[i + 1] == '/')))
            continue;
        c[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    while (n > 0 && (c[n - 1] == '/' || c[n - 1] == ' '))
        n--;
    c[n] = '\0';
    l->category.s = c;
    l->category.len = n;
}




static cand *cand_get(cand *cs, size_t *n, int brand)
{
    for (size_t i = 0; i < *n; i++)
        if (cs[i].brand == brand)
            return &cs[i];
    if (*n >= DJ_SCREEN_MAX_BRANDS)
        return NULL;
    cand *c = &cs[(*n)++];
    memset(c, 0, sizeof *c);
    c->brand = brand;
    c->title_mark = c->desc_mark = c->nick = c->obf = c->typo = c->compat = c->image = -1;
    c->image_dist = c->cf_dist = 999;
    c->cf = -1;
    c->cf_entry = -1;
    return c;
}

/* An image match's contribution: near at distance 0, far at 31. */
static double image_p(double near, double far, int distance)
{
    return near - (near - far) * distance / DJ_PDQ_MATCH_DISTANCE;
}

/* The kinds of obfuscation, strongest first: a hit is named by its first. */
static const struct {
    unsigned bit;
    const char *kind;
    double p;
} obf_kinds[] = {
    {DJ_TEXT_F_HOMOGLYPH, "homoglyph", P_OBF_HOMOGLYPH},
    {DJ_TEXT_F_INVISIBLE, "invisible_character", P_OBF_INVISIBLE},
    {DJ_TEXT_F_ENTITY, "html_entity", P_OBF_INVISIBLE},
    {DJ_OBF_LEET, "lookalike_digits", P_OBF_LEET},
    {DJ_TEXT_F_SEPARATOR, "separated_letters", P_OBF_SEPARATOR},
    {DJ_OBF_MASKED, "masked", P_OBF_MASKED},
    {DJ_OBF_CASE, "mixed_case", P_OBF_CASE},
    {DJ_OBF_MISSPELLED, "misspelled", P_OBF_SPELLING},
    {DJ_OBF_PAIR, "separated_letters", P_OBF_SPELLING},
    {DJ_OBF_HOMOPHONE, "homophone", P_OBF_SPELLING},
    {DJ_OBF_CODE, "lookalike_code", P_OBF_SPELLING},
    {DJ_OBF_PINYIN, "pinyin", P_OBF_SPELLING},
    {DJ_OBF_WIDE, "full_width", P_OBF_WIDE}, /* and any other */
};

static double obf_p(unsigned obf, const char **kind)
{
    size_t i = 0, n = sizeof obf_kinds / sizeof obf_kinds[0];
    while (i + 1 < n && !(obf & obf_kinds[i].bit))
        i++;
    *kind = obf_kinds[i].kind;
    return obf_kinds[i].p;
}

/* Judges the signal hits: negation right before, cancel terms near,
 * cancelled categories. Dead hits stay in the list so the reasons can say
 * why a word did not count. */
static void judge_signals(dj_screen *s)
{
    const dj_listing *l = s->l;
    for (size_t i = 0; i < s->n_hits; i++) {
        dj_hit *h = &s->hits[i];
        const dj_kb_pattern *p = pat_of(s, h);
        if (p->kind != DJ_PAT_SIGNAL)
            continue;
        const dj_kb_signal *sg = dj_kb_signal_at(s->kb, p->owner);
        if (sg->n_cancel_categories && category_in(l, sg->cancel_categories, sg->n_cancel_categories)) {
            h->dead = 1;
            add_ev(s, DJ_REASON_BIT_CANCELLED, 0, -1, (int)i, "category", 0, 0, 0);
            continue;
        }
        for (size_t j = 0; j < s->n_hits && !h->dead; j++) {
            dj_hit *o = &s->hits[j];
            if (o->field != h->field || j == i)
                continue;
            const dj_kb_pattern *q = pat_of(s, o);
            if (q->kind == DJ_PAT_NEGATION && sg->kind != DJ_SIG_COMPAT && sg->kind != DJ_SIG_RESALE &&
                o->end <= h->start && h->start - o->end <= NEG_GAP_BYTES) {
                h->dead = 1;
                add_ev(s, DJ_REASON_BIT_CANCELLED, 0, -1, (int)i, q->term, 0, 0, 0);
            } else if (q->kind == DJ_PAT_STYLE && sg->kind == DJ_SIG_RESALE && o->start >= h->end &&
                       o->start - h->end <= 1) {
                /* 中古风, vintage style: the look of old goods, not old goods. */
                h->dead = 1;
                add_ev(s, DJ_REASON_BIT_CANCELLED, 0, -1, (int)i, q->term, 0, 0, 0);
            } else if (q->kind == DJ_PAT_CANCEL) {
                uint32_t gap = o->end <= h->start ? h->start - o->end : o->start >= h->end ? o->start - h->end : 0;
                if (gap > NEAR_BYTES)
                    continue;
                for (size_t k = 0; k < sg->n_cancel_near; k++)
                    if (sg->cancel_near[k] == q->term) {
                        h->dead = 1;
                        add_ev(s, DJ_REASON_BIT_CANCELLED, 0, -1, (int)i, q->term, 0, 0, 0);
                        break;
                    }
            }
        }
    }
}

/* A brand's mark inside a longer mark of the same brand is a part of
 * that name, not a mention of its own: 阿迪, Adidas' nickname, inside
 * 阿迪达斯, its Chinese name, says nothing a nickname would. Of two marks
 * on the same bytes the nickname gives way. */
static void judge_nested(dj_screen *s)
{
    for (size_t i = 0; i < s->n_hits; i++) {
        dj_hit *h = &s->hits[i];
        const dj_kb_pattern *p = pat_of(s, h);
        if (h->joined) {
            /* Words read as written first: "cooler master" is the mark
             * written so, not also the one keyed coolermaster. */
            for (size_t j = 0; j < s->n_hits && !h->dead; j++) {
                const dj_hit *o = &s->hits[j];
                h->dead = !o->joined && !o->dead && o->field == h->field && o->start < h->end &&
                          o->end > h->start && pat_of(s, o)->kind <= DJ_PAT_SIGNAL;
            }
            if (h->dead)
                continue;
        }
        if (p->kind != DJ_PAT_MARK && p->kind != DJ_PAT_NICKNAME)
            continue;
        for (size_t j = 0; j < s->n_hits && !h->dead; j++) {
            const dj_hit *o = &s->hits[j];
            const dj_kb_pattern *q = pat_of(s, o);
            if (j == i || o->dead || o->field != h->field || (q->kind != DJ_PAT_MARK && q->kind != DJ_PAT_NICKNAME) ||
                q->owner != p->owner || o->start > h->start || o->end < h->end)
                continue;
            uint32_t ol = o->end - o->start, hl = h->end - h->start;
            h->dead = ol > hl || (p->kind == DJ_PAT_NICKNAME && q->kind == DJ_PAT_MARK);
        }
    }
}

/* A mark right after compatibility wording (适用于苹果, case for iPhone) is
 * an accessory naming what it fits. The compat state carries along a run
 * of marks (适用于苹果 iPhone 15). */
/* 1 for short Latin compat words ("for") that only work before the brand:
 * "Gucci for women" is not an accessory. */
static int pre_only(const dj_kb_pattern *q)
{
    return q->bound_left && q->bound_right && q->len <= 4;
}

/* The bytes of a device noun ending at t[to] (苹果华为手机通用: what the
 * listed models are), or 0. */
static uint32_t device_before(const char *t, uint32_t from, uint32_t to)
{
    static const char *const devices[] = {"手机", "平板", "电脑", "笔记本", "机型", "车型", "设备", "手表", "相机", "耳机"};
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
        uint32_t n = (uint32_t)strlen(devices[i]);
        if (to - from >= n && !memcmp(t + to - n, devices[i], n))
            return n;
    }
    return 0;
}

/* 1 when text[from..to) is a short list of names or models (letters,
 * digits, + / , 、 & x and spaces), maybe ending with the device they are
 * (手机, 平板): "Apple+OPPO+Huawei通用" and "Vamader/Apple/丽文帕平板通用"
 * make every name of the list an accessory fit, known brands or not. Names
 * in Chinese count only before a device noun: in "Gucci腰带男女通用" the
 * words are a belt and "unisex". */
static int list_gap(dj_screen *s, uint8_t field, uint32_t from, uint32_t to)
{
    if (to - from > 24)
        return 0;
    const char *t = s->view[field].s;
    uint32_t dev = device_before(t, from, to);
    to -= dev;
    for (uint32_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)t[i];
        if (is_alnum_ascii(c) || c == '+' || c == '/' || c == ',' || c == '&' || c == ' ' || c == '-')
            continue;
        if (i + 3 <= to && !memcmp(t + i, "\xE3\x80\x81", 3)) { /* 、 */
            i += 2;
            continue;
        }
        if (dev && i + 3 <= to && c >= 0xE4 && c <= 0xE9) { /* an ideograph */
            i += 2;
            continue;
        }
        return 0;
    }
    return 1;
}

/* 1 when text[from..to), between compat wording and a mark, is one word:
 * a model line or an adjective (works with Lady Dior, 适用于新款 iPhone). */
static int one_word_gap(dj_screen *s, uint8_t field, uint32_t from, uint32_t to)
{
    const char *t = s->view[field].s;
    while (from < to && t[from] == ' ')
        from++;
    while (to > from && t[to - 1] == ' ')
        to--;
    uint32_t i = from;
    while (i < to && is_alpha_ascii((unsigned char)t[i]))
        i++;
    if (i == to)
        return to - from <= 10;
    for (i = from; i + 3 <= to && (unsigned char)t[i] >= 0xE4 && (unsigned char)t[i] <= 0xE9; i += 3)
        ;
    return i == to && to - from <= 6;
}

static void judge_compat(dj_screen *s)
{
    /* Repeat until nothing changes: compatibility spreads along a list of
     * marks (适用于苹果 iPhone 15, vivo+Apple+OPPO通用) in both directions. */
    for (int round = 0, changed = 1; changed && round < 6; round++) {
        changed = 0;
        for (size_t i = 0; i < s->n_hits; i++) {
            dj_hit *h = &s->hits[i];
            const dj_kb_pattern *p = pat_of(s, h);
            if ((p->kind != DJ_PAT_MARK && p->kind != DJ_PAT_NICKNAME) || h->compat)
                continue;
            for (size_t j = 0; j < s->n_hits && !h->compat; j++) {
                dj_hit *o = &s->hits[j];
                if (j == i || o->field != h->field || o->dead)
                    continue;
                const dj_kb_pattern *q = pat_of(s, o);
                int before = o->end <= h->start, after = o->start >= h->end;
                uint32_t gap = before ? h->start - o->end : after ? o->start - h->end : 0;
                int is_compat = q->kind == DJ_PAT_SIGNAL && dj_kb_signal_at(s->kb, q->owner)->kind == DJ_SIG_COMPAT;
                int compat_mark = o->compat == HIT_COMPAT && (q->kind == DJ_PAT_MARK || q->kind == DJ_PAT_NICKNAME);
                if (is_compat && ((before && !q->after_only &&
                                   (gap <= COMPAT_GAP_BYTES ||
                                    (!pre_only(q) && one_word_gap(s, h->field, o->end, h->start)))) ||
                                  (after && !pre_only(q) && list_gap(s, h->field, h->end, o->start))))
                    h->compat = HIT_COMPAT;
                else if (compat_mark && ((!before && !after) || gap <= 8))
                    h->compat = HIT_COMPAT; /* nested in, or listed next to, a compatible mark */
                /* A disclaimer names the brand it is not: 非劳力士原装, not made by Rolex. */
                else if (q->kind == DJ_PAT_NEGATION && before && gap <= NEG_GAP_BYTES)
                    h->compat = HIT_NEGATED;
                /* 小香风, a nickname as the name of a look: a style, not a claim. */
                else if (q->kind == DJ_PAT_STYLE && p->kind == DJ_PAT_NICKNAME && after && gap <= 1)
                    h->compat = HIT_STYLE;
                changed |= h->compat != 0;
            }
        }
    }
}

static double price_p(double r)
{
    if (r >= 1)
        return 0;
    double x = (1 - r) / 0.8;
    if (x > 1)
        x = 1;
    return P_PRICE_MAX * pow(x, PRICE_CURVE);
}

dj_rc dj_screen__score(dj_screen *s, dj_decision *d, dj_err *err)
{
    dj_listing *l = (dj_listing *)s->l;
    dj_kb *kb = s->kb;
    s->n_hits = 0;
    s->n_ev = 0;
    normalize_category(s, l);
    s->field_raw[FIELD_TITLE] = l->title.s;
    s->field_raw[FIELD_DESC] = l->description.s;
    dj_rc rc = scan_field(s, FIELD_TITLE, l->title.s ? l->title.s : "", l->title.len, err);
    if (!rc && l->description.s)
        rc = scan_field(s, FIELD_DESC, l->description.s, l->description.len, err);
    else
        s->view[FIELD_DESC].len = 0;
    if (rc)
        return rc;

    judge_signals(s);
    name_the_copied_brand(s);
    judge_nested(s);
    judge_compat(s);

    /* Signal summary: the strongest live hit of each kind. */
    int best_sig[DJ_SIG_KIND_COUNT_];
    double best_w[DJ_SIG_KIND_COUNT_];
    for (int k = 0; k < DJ_SIG_KIND_COUNT_; k++) {
        best_sig[k] = -1;
        best_w[k] = 0;
    }
    cand cs[DJ_SCREEN_MAX_BRANDS];
    size_t n_cs = 0;
    for (size_t i = 0; i < s->n_hits; i++) {
        dj_hit *h = &s->hits[i];
        const dj_kb_pattern *p = pat_of(s, h);
        if (p->kind == DJ_PAT_SIGNAL && !h->dead) {
            const dj_kb_signal *sg = dj_kb_signal_at(kb, p->owner);
            double w = sg->weight * (h->field == FIELD_DESC ? F_DESC_ONLY : 1.0);
            /* Short Latin codes (AAA, 1:1, OEM) also name battery sizes,
             * licence counts and grades: less specific, less weight. */
            if (p->bound_left && p->bound_right && p->len <= 3)
                w *= F_SHORT_CODE;
            if (w > best_w[sg->kind] || best_sig[sg->kind] < 0) {
                best_w[sg->kind] = w;
                best_sig[sg->kind] = (int)i;
            }
        } else if ((p->kind == DJ_PAT_MARK || p->kind == DJ_PAT_NICKNAME) && !h->dead) {
            cand *c = cand_get(cs, &n_cs, (int)p->owner);
            if (!c)
                continue;
            if (h->compat) {
                if (c->compat < 0)
                    c->compat = (int)i;
                continue;
            }
            if (h->obf && !(h->obf & ~DJ_OBF_WEAK)) {
                if (c->typo < 0)
                    c->typo = (int)i;
                continue;
            }
            if (h->obf && c->obf < 0)
                c->obf = (int)i;
            if (p->kind == DJ_PAT_NICKNAME) {
                if (c->nick < 0)
                    c->nick = (int)i;
            } else if (h->field == FIELD_TITLE) {
                if (c->title_mark < 0 || (s->hits[c->title_mark].obf && !h->obf))
                    c->title_mark = (int)i;
            } else if (c->desc_mark < 0) {
                c->desc_mark = (int)i;
            }
        }
    }

    /* An accessory for a brand names it elsewhere too ("Lady Dior" after
     * "适用于Christian Dior", "third-party, not made by X" in the
     * description): a brand with a compatibility mention has no plain claim
     * in the same field, nor in the description. Obfuscated marks still
     * count: nobody disguises the name of what an accessory fits. */
    for (size_t i = 0; i < n_cs; i++) {
        cand *c = &cs[i];
        if (c->compat < 0)
            continue;
        uint8_t cf = s->hits[c->compat].field;
        if (c->title_mark >= 0 && cf == FIELD_TITLE && !s->hits[c->title_mark].obf)
            c->title_mark = -1;
        if (c->desc_mark >= 0 && !s->hits[c->desc_mark].obf)
            c->desc_mark = -1;
        if (c->nick >= 0 && s->hits[c->nick].field == cf && !s->hits[c->nick].obf)
            c->nick = -1;
    }

    /* Images, by multi-index search of the banks: a brand's own photos in
     * another seller's listing, photos of known fakes; an allow-listed
     * photo (a stock image) says nothing, and an entry the flood guard
     * holds counts for nothing until a person has looked at it. */
    double cf_nobrand = 0;               /* a known fake's photo of no brand in the KB */
    int cf_nobrand_img = -1, cf_nobrand_dist = 0;
    long long cf_nobrand_entry = -1;
    dj_image_match notes[4];             /* allow-listed and quarantined matches, explained */
    int notes_img[4], n_notes = 0;
    for (size_t i = 0; i < l->n_images; i++) {
        dj_image_match m[DJ_SCREEN_IMAGE_MATCHES];
        size_t n = dj_screen__images(s, i, m, DJ_SCREEN_IMAGE_MATCHES);
        for (size_t k = 0; k < n; k++) {
            if (m[k].kind == DJ_BANK_ALLOW || m[k].quarantined) {
                if (n_notes < 4) {
                    notes_img[n_notes] = (int)i;
                    notes[n_notes++] = m[k];
                }
                continue;
            }
            if (m[k].kind == DJ_BANK_COUNTERFEIT && m[k].brand < 0) {
                double p = image_p(P_CF_NEAR, P_CF_FAR, m[k].distance);
                if (p > cf_nobrand) {
                    cf_nobrand = p;
                    cf_nobrand_img = (int)i;
                    cf_nobrand_dist = m[k].distance;
                    cf_nobrand_entry = m[k].entry;
                }
                continue;
            }
            cand *c = cand_get(cs, &n_cs, m[k].brand);
            if (!c)
                continue;
            if (m[k].kind == DJ_BANK_OFFICIAL && m[k].distance < c->image_dist) {
                c->image = (int)i;
                c->image_dist = m[k].distance;
            } else if (m[k].kind == DJ_BANK_COUNTERFEIT && m[k].distance < c->cf_dist) {
                c->cf = (int)i;
                c->cf_dist = m[k].distance;
                c->cf_entry = m[k].entry;
            }
        }
    }

    int resale = best_sig[DJ_SIG_RESALE] >= 0;
    double price = listing_price(s);

    /* Brand stuffing: several brands whose goods the listing's category is
     * (by the KB) named plainly in one title. Only explicit coverage counts:
     * a title without a category, or brands that claim every category, say
     * nothing about stuffing (real titles name a brand, its sub-brands and
     * the models an accessory fits). */
    int n_title_brands = 0;
    for (size_t i = 0; i < n_cs; i++) {
        const dj_kb_brand *br = dj_kb_brand_at(kb, (size_t)cs[i].brand);
        if (cs[i].title_mark >= 0 && l->category.s && br->n_categories &&
            category_in(l, br->categories, br->n_categories) &&
            !(l->seller_id.s && dj_kb_brand_authorizes(br, l->seller_id.s, l->seller_id.len)))
            n_title_brands++;
    }

    int best = -1;
    double best_score = 0;
    size_t ev_base = s->n_ev;
    for (size_t i = 0; i < n_cs; i++) {
        cand *c = &cs[i];
        const dj_kb_brand *br = dj_kb_brand_at(kb, (size_t)c->brand);
        int named = c->title_mark >= 0 || c->desc_mark >= 0 || c->nick >= 0 || c->obf >= 0 || c->typo >= 0;
        if (!named && c->image < 0 && c->cf < 0)
            continue; /* only named as what an accessory fits */
        c->covered = br->n_categories == 0 || !l->category.s || category_in(l, br->categories, br->n_categories);
        c->authorized = l->seller_id.s && dj_kb_brand_authorizes(br, l->seller_id.s, l->seller_id.len);
        size_t mark = s->n_ev;
        if (c->authorized) {
            add_ev(s, DJ_REASON_BIT_AUTHORIZED, 0, c->brand, -1, NULL, 0, 0, 0);
        } else {
            if (c->title_mark >= 0)
                add_ev(s, DJ_REASON_BIT_BRAND_TERM, c->covered ? P_MARK_TITLE : 0, c->brand, c->title_mark,
                       "title", 0, 0, 0);
            else if (c->desc_mark >= 0)
                add_ev(s, DJ_REASON_BIT_BRAND_TERM, c->covered ? P_MARK_DESC : 0, c->brand, c->desc_mark,
                       "description", 0, 0, 0);
            if (c->nick >= 0)
                add_ev(s, DJ_REASON_BIT_NICKNAME, c->covered ? P_NICKNAME : 0, c->brand, c->nick, NULL, 0, 0, 0);
            int obf = c->obf >= 0 ? c->obf : c->typo;
            if (obf >= 0) {
                const char *kind;
                double p = obf_p(s->hits[obf].obf, &kind);
                add_ev(s, DJ_REASON_BIT_OBFUSCATION, c->covered ? p : p * F_NOT_COVERED, c->brand, obf, kind, 0, 0, 0);
            }
            if (!c->covered && named)
                add_ev(s, DJ_REASON_BIT_CATEGORY_NOT_COVERED, 0, c->brand, -1, NULL, 0, 0, 0);
            if (c->image >= 0)
                add_ev(s, DJ_REASON_BIT_OFFICIAL_IMAGE, image_p(P_IMAGE_NEAR, P_IMAGE_FAR, c->image_dist), c->brand, -1,
                       NULL, (double)c->image, (double)c->image_dist, 0);
            /* Price: only where the brand's goods are concerned and the
             * listing claims the brand in its title or photos; a mention in
             * the description alone ("fits", "compared with") is no claim
             * that a low price could contradict. */
            /* (or in the description next to replica wording: "高仿 Gucci") */
            int claim = c->title_mark >= 0 || c->obf >= 0 || c->typo >= 0 || c->image >= 0 || c->cf >= 0 ||
                        (c->nick >= 0 && s->hits[c->nick].field == FIELD_TITLE) ||
                        ((c->desc_mark >= 0 || c->nick >= 0) && best_sig[DJ_SIG_REPLICA] >= 0);
            if (price >= 0 && claim && (c->covered || c->image >= 0 || c->cf >= 0)) {
                double floor = dj_kb_brand_floor(br, l->category.s, l->category.len);
                if (floor > 0) {
                    double eff = resale ? floor * F_RESALE_FLOOR : floor;
                    double r = price / eff;
                    double p = price_p(r);
                    /* A nickname names a brand less surely than its mark
                     * (大黄靴 is also just yellow work boots), and so does a
                     * word one edit from it (micro is not Macro): a low
                     * price on those alone is for a person to look at. */
                    if (c->title_mark < 0 && c->obf < 0 && c->image < 0 && c->cf < 0)
                        p *= F_WEAK_PRICE;
                    if (p > 0)
                        add_ev(s, DJ_REASON_BIT_PRICE, p, c->brand, -1, resale ? "resale" : NULL, price, eff, r);
                }
            }
        }
        /* Wording that names no brand by itself gets its full weight when a
         * brand is named. */
        /* A photo of a known fake is evidence whoever sells it. */
        if (c->cf >= 0)
            add_ev(s, DJ_REASON_BIT_COUNTERFEIT_IMAGE, image_p(P_CF_NEAR, P_CF_FAR, c->cf_dist), c->brand, -1, NULL,
                   (double)c->cf, (double)c->cf_dist, (double)c->cf_entry);
        int brand_named = !c->authorized && (named || c->image >= 0 || c->cf >= 0);
        double rep = best_w[DJ_SIG_REPLICA];
        if (best_sig[DJ_SIG_REPLICA] >= 0 && brand_named)
            add_ev(s, DJ_REASON_BIT_REPLICA, c->covered ? rep : rep * F_REPLICA_UNCOVERED, c->brand,
                   best_sig[DJ_SIG_REPLICA], NULL, 0, 0, 0);
        if (best_sig[DJ_SIG_LOOKALIKE] >= 0 && brand_named)
            add_ev(s, DJ_REASON_BIT_LOOKALIKE, best_w[DJ_SIG_LOOKALIKE] * F_LOOKALIKE_BRAND, c->brand,
                   best_sig[DJ_SIG_LOOKALIKE], NULL, 0, 0, 0);
        if (best_sig[DJ_SIG_EVASION] >= 0 && brand_named)
            add_ev(s, DJ_REASON_BIT_EVASION, best_w[DJ_SIG_EVASION] * F_EVASION_BRAND, c->brand,
                   best_sig[DJ_SIG_EVASION], NULL, 0, 0, 0);
        if (n_title_brands >= 3 && c->title_mark >= 0 && c->covered && !c->authorized) {
            double p = P_MULTI_BRAND + 0.1 * (n_title_brands - 3);
            add_ev(s, DJ_REASON_BIT_MULTI_BRAND, p > 0.8 ? 0.8 : p, c->brand, -1, NULL, n_title_brands, 0, 0);
        }
        double prod = 1;
        for (size_t e = mark; e < s->n_ev; e++)
            prod *= 1 - s->ev[e].p;
        c->score = 1 - prod;
        if (best < 0 || c->score > best_score) {
            best = (int)i;
            best_score = c->score;
        }
    }

    /* Wording alone, when no brand carries it. */
    double nobrand = 0;
    {
        double prod = 1;
        if (best_sig[DJ_SIG_REPLICA] >= 0)
            prod *= 1 - best_w[DJ_SIG_REPLICA] * F_REPLICA_NOBRAND;
        if (best_sig[DJ_SIG_LOOKALIKE] >= 0)
            prod *= 1 - best_w[DJ_SIG_LOOKALIKE] * F_LOOKALIKE_NOBRAND;
        if (best_sig[DJ_SIG_EVASION] >= 0)
            prod *= 1 - best_w[DJ_SIG_EVASION] * F_EVASION_NOBRAND;
        prod *= 1 - cf_nobrand;
        nobrand = 1 - prod;
    }

    /* Keep the evidence of the chosen brand; the rest is noise in the reasons. */
    int chosen = best >= 0 && best_score >= nobrand ? cs[best].brand : -1;
    double score = chosen >= 0 ? best_score : nobrand;
    size_t w = ev_base;
    for (size_t e = ev_base; e < s->n_ev; e++)
        if (s->ev[e].brand == chosen)
            s->ev[w++] = s->ev[e];
    s->n_ev = w;
    if (chosen < 0) {
        if (best_sig[DJ_SIG_REPLICA] >= 0)
            add_ev(s, DJ_REASON_BIT_REPLICA, best_w[DJ_SIG_REPLICA] * F_REPLICA_NOBRAND, -1,
                   best_sig[DJ_SIG_REPLICA], NULL, 0, 0, 0);
        if (best_sig[DJ_SIG_LOOKALIKE] >= 0)
            add_ev(s, DJ_REASON_BIT_LOOKALIKE, best_w[DJ_SIG_LOOKALIKE] * F_LOOKALIKE_NOBRAND, -1,
                   best_sig[DJ_SIG_LOOKALIKE], NULL, 0, 0, 0);
        if (best_sig[DJ_SIG_EVASION] >= 0)
            add_ev(s, DJ_REASON_BIT_EVASION, best_w[DJ_SIG_EVASION] * F_EVASION_NOBRAND, -1,
                   best_sig[DJ_SIG_EVASION], NULL, 0, 0, 0);
        if (cf_nobrand > 0)
            add_ev(s, DJ_REASON_BIT_COUNTERFEIT_IMAGE, cf_nobrand, -1, -1, NULL, cf_nobrand_img, cf_nobrand_dist,
                   (double)cf_nobrand_entry);
    }
    for (int i = 0; i < n_notes; i++) {
        const dj_image_match *m = &notes[i];
        /* c: the bank entry's id, or for an official image its index in
         * the brand's list, told apart by the detail. */
        add_ev(s, m->kind == DJ_BANK_ALLOW ? DJ_REASON_BIT_ALLOWLISTED_IMAGE : DJ_REASON_BIT_QUARANTINED_IMAGE, 0,
               m->kind == DJ_BANK_OFFICIAL ? m->brand : -1, -1, dj_bank_kind_name(m->kind), notes_img[i],
               m->distance, m->kind == DJ_BANK_OFFICIAL ? (double)m->image : (double)m->entry);
    }
    /* Explanations that lowered the score. */
    if (resale)
        add_ev(s, DJ_REASON_BIT_RESALE, 0, -1, best_sig[DJ_SIG_RESALE], NULL, 0, 0, 0);
    for (size_t i = 0; i < n_cs; i++)
        if (cs[i].compat >= 0 && cs[i].title_mark < 0 && cs[i].desc_mark < 0 && cs[i].obf < 0) {
            int why = s->hits[cs[i].compat].compat;
            add_ev(s, why == HIT_NEGATED ? DJ_REASON_BIT_DISCLAIMER : why == HIT_STYLE ? DJ_REASON_BIT_STYLE : DJ_REASON_BIT_COMPAT,
                   0, cs[i].brand, cs[i].compat, NULL, 0, 0, 0);
        }

    if (score < 0)
        score = 0;
    if (score > 1)
        score = 1;
    d->score = score;
    d->decision = score >= dj_kb_threshold_block(kb) ? DJ_DECIDE_BLOCK
                  : score >= dj_kb_threshold_review(kb) ? DJ_DECIDE_REVIEW
                                                         : DJ_DECIDE_ALLOW;
    /* A brand is "concerned" when something about it counted. */
    int concerned = chosen >= 0 && best_score > 0;
    d->brand_id = concerned ? dj_kb_brand_at(kb, (size_t)chosen)->id : NULL;
    d->signals = 0;
    for (size_t e = 0; e < s->n_ev; e++)
        d->signals |= 1u << s->ev[e].reason;
    return DJ_OK;
}
