/*
 * Text normalization: turns what a seller wrote into the one form that the
 * knowledge base's terms are matched against, with a map back to the input
 * bytes (so reasons quote what the seller actually wrote) and, per output
 * byte, which evasive folding produced it (so the screen can tell an honest
 * mention from an obfuscated one).
 *
 * The matching form is:
 *   - Unicode NFKC + case folding (full-width Ｇ -> g, ﬁ -> fi, Ⅻ -> xii);
 *   - diacritics stripped (Hermès -> hermes);
 *   - traditional Chinese -> simplified (OpenCC t2s: 香奈兒 -> 香奈儿);
 *   - variant forms of an ideograph -> the standard simplified character
 *     (髙仿 -> 高仿, 𠮷 -> 吉; Unihan's variants, cjk_variants.inc);
 *   - runs of white space collapsed to one space, leading/trailing removed;
 * and, marked with flags because an honest writer does not produce them:
 *   - DJ_TEXT_F_INVISIBLE: zero-width and other format characters (Cf,
 *     e.g. U+200B, U+00AD, U+2060, U+FEFF, and the tags and variation
 *     selectors of plane 14, U+E0000..E0FFF), or combining marks that only
 *     decorate (strike-through G̶, underline G̲, letters above), removed
 *     right before this char;
 *   - DJ_TEXT_F_SEPARATOR: separators between single characters collapsed
 *     right before this char (G.U.C.C.I -> gucci, 香 奈 儿 -> 香奈儿, L/V -> lv);
 *   - DJ_TEXT_F_HOMOGLYPH: this char is a Latin letter folded from a
 *     lookalike (Cyrillic с, Greek ο, ... from Unicode's confusables data)
 *     inside a Latin-looking word;
 *   - DJ_TEXT_F_ENTITY: this char is a letter or digit written as an HTML
 *     character reference (Gu&#99;ci, &#x47;ucci). References are read
 *     wherever they are (&#12354; is あ, &amp; is &, &nbsp; a space); only
 *     a letter or digit so written is flagged, for nothing but hiding it
 *     asks for that.
 * Digit and symbol lookalikes (0->o, 1->i/l, 3->e, @->a, $->s) are NOT folded
 * here: they are ambiguous (1 is i or l) and common in honest text
 * (iphone15); the knowledge base matches them through skeletons of its
 * Latin marks (dj_kb_skeleton_byte) and the screen checks the matched bytes.
 *
 * Details that decide edge cases:
 *   - a "word" is a run of letters and digits of alphabetic scripts; its
 *     lookalikes fold when it holds a Latin letter or consists of
 *     lookalikes only, so Привет stays Cyrillic while Guссi becomes gucci;
 *     a few small letters the confusables data leaves out (Greek χ κ τ ε η
 *     ω μ β, Cyrillic к м н п т ь) fold only beside a Latin letter
 *     (Galaχy -> galaxy; και and как stay what they are);
 *     a separator chain is one word (R.а.у.b.a.n -> rayban), and a capital
 *     lookalike of the I stroke is an i (FІLА -> fila: capital L has a foot);
 *   - regional indicator letters standing alone (🇬 🇺 🇨 🇨 🇮, as sellers
 *     spell with them; two side by side are a flag, 🇯🇵, and stay a symbol)
 *     fold like the fancy letters below;
 *   - mathematical, enclosed and negative circled letters (𝐆𝐔𝐂𝐂𝐈, Ⓖ, 🅖),
 *     small capitals (ɢᴜᴄᴄɪ), raised letters (ᴳᵁᶜᶜᴵ) and one-letter Roman
 *     numerals (Chaneⅼ) fold and are always flagged HOMOGLYPH; full-width
 *     letters fold unflagged, and so do numerals (Ⅻ, ②) (the screen judges
 *     a full-width mark by the text around it: Japanese writes ＮＩＫＥ);
 *   - a separator chain is three or more single characters of one script
 *     (at least two of them letters; a letter an apostrophe ties to a
 *     word of several, the s of men's, is none) split by runs of at most three spaces
 *     or punctuation marks; two CJK characters split that way (迪 奥); or
 *     two Latin letters split by punctuation (L/V); a chain keeps its
 *     kind of separator (G,I,V,E,N,C,H,Y A货 ends before A), except that
 *     spaced letters go on over one name separator between two parts of
 *     two or more, which stays (S K - I I -> sk-ii); "A B" and "3.5" are
 *     left alone. A chain may start at the second character of one that
 *     ended after a space (1 G_U_C_C_I), and end with a Latin letter glued
 *     to a year (G.U.C.C.I2024 -> gucci2024; v i v o X100 -> vivo x100). Between CJK characters the marks are name separators
 *     (· - / . * ~ & ...) or, next to a single character, list commas
 *     (香,奈,儿 and 香、奈、儿; 黑色,白色 stays a list, 。！ end a clause
 *     and never join). Spaces between CJK words of several characters go
 *     unflagged (路易 威登 -> 路易威登, as a name's parts are also written;
 *     CJK text reads the same without them);
 *   - CJK compatibility ideographs and radicals fold through NFKC, and the
 *     traditional-to-simplified mapping is per character;
 *   - a character whose compatibility form is several characters (⒢ ->
 *     "(g)", Ŀ -> "l·", ㎼ -> "μw") counts as those characters for the
 *     rules above, so ⒢⒰⒞⒞⒤ is the chain (gucci) and normalizing a
 *     normalized text changes nothing (except separators between pieces
 *     it newly wrote side by side); a sign whose compatibility form is
 *     letters (™ -> tm, № -> no, ㎏ -> kg) is a word of its own, spaces
 *     around it (Gucci™ -> "gucci tm": it must not join the mark);
 *   - symbols and emoji are punctuation, name separators between single
 *     characters (G♥U♥C♥C♥I, 香★奈★儿); so are crosses, which are not
 *     the lookalike x (G×U×C×C×I; Gucci×Prada; 30×40);
 *   - HTML tags of the elements shop text carries read as a browser
 *     shows them: a break or block (<br>, <p>) as a space, a styling tag
 *     (<b>, <span ...>) as an invisible character (Gu<b></b>cci is gucci,
 *     flagged INVISIBLE); <Gucci> is no tag. A character reference or tag
 *     is read once: &amp;#99; is "&#99;", &lt;b&gt; is "<b>".
 *
 * INVISIBLE and SEPARATOR are set on the first byte of the char that follows
 * the removed run only; HOMOGLYPH on every byte of the folded char; ENTITY
 * on the first byte of the char written as a reference.
 * Thread-safety: a dj_text is used by one thread at a time (one per worker);
 * the tables behind it are built once and shared read-only.
 */
#ifndef DJ_TEXT_TEXT_H
#define DJ_TEXT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

#define DJ_TEXT_MIXED_ALL ((size_t)-1)

enum {
    DJ_TEXT_F_INVISIBLE = 1,
    DJ_TEXT_F_SEPARATOR = 2,
    DJ_TEXT_F_HOMOGLYPH = 4,
    DJ_TEXT_F_ENTITY = 8,
};

typedef struct dj_text dj_text;

/* The result of a normalization. Borrowed: valid until the next call on the
 * same dj_text or its _free. */
typedef struct dj_text_view {
    const char *s;          /* matching form, NUL-terminated UTF-8 */
    size_t len;             /* bytes in s */
    const uint32_t *orig;   /* orig[i]: offset in the input of the char that
                               produced byte i; orig[len] = input length */
    const uint8_t *flags;   /* flags[i]: DJ_TEXT_F_* for byte i (0 = plain) */
    unsigned all_flags;     /* OR of every flags[i]: 0 means nothing evasive */
    /* Where Latin words mix letters with digits or with @ $ | ! (the only
     * places a lookalike such as r0lex or ch@nel can hide): offsets in s of
     * such words or symbols, n_mixed of them; n_mixed == DJ_TEXT_MIXED_ALL
     * means "not tracked, look everywhere". */
    const uint32_t *mixed;
    size_t n_mixed;
} dj_text_view;

/* Builds the shared tables on first use (thread-safe) and a per-thread
 * normalizer. Fails with DJ_EUNAVAIL when OpenCC's t2s data is missing.
 * Free with dj_text_free. */
dj_rc dj_text_new(dj_text **out, dj_err *err);
void dj_text_free(dj_text *t);

/* Normalizes in[0..len). Input that is not valid UTF-8 is not an error here:
 * each invalid byte becomes U+FFFD, so a caller that must reject it
 * validates first. Inputs over max_len (1 MiB per call by default, see
 * dj_text_set_max) fail with DJ_ETOOBIG. */
dj_rc dj_text_normalize(dj_text *t, const char *in, size_t len,
                        dj_text_view *out, dj_err *err);

/* Limit for one dj_text_normalize call on t, in input bytes. */
void dj_text_set_max(dj_text *t, size_t max_len);

/* Normalizes a knowledge-base term (same rules, including separator and
 * invisible removal, so a term written "H & R Block" matches the text
 * "h & r block") into out; *flags (may be NULL) receives the term's own
 * DJ_TEXT_F_* so that folding the term itself needed is not taken for
 * evasion in the text. Used at KB compile time; not on the hot path. */
dj_rc dj_text_normalize_term(dj_text *t, const char *in, size_t len,
                             dj_buf *out, unsigned *flags, dj_err *err);

/* The end of the character of s[0..limit) that starts at byte at, with
 * the combining marks after it (an accent typed as its own code point, or
 * a strike-through, belongs to its letter): where a quote of text ending
 * with that character ends. Needs the shared tables (a dj_text made
 * once). */
size_t dj_text_char_end(const char *s, size_t limit, size_t at);

/* 1 when cp is a letter of a script written without spaces between words
 * (Han, Hiragana, Katakana, Hangul, Thai), so terms need no word boundary. */
int dj_text_is_cjk(uint32_t cp);

/* The sounds of normalized text s[0..n) into out (2n bytes at most): two
 * bytes for each ideograph of U+4E00..U+9FFF, its toneless Mandarin
 * syllable (the first a lead byte >= 0x80, the second < 0x80, so a match
 * starts on a character), and one DJ_TEXT_SOUND_GAP for each run of other
 * characters. Characters that sound alike get the same bytes: 香奈尔 and
 * 香奈儿 (xiang nai er). at (may be NULL; 2n + 1 entries) receives, for
 * each byte, the offset in s of its character, and at[len] = n. Returns
 * the length. */
#define DJ_TEXT_SOUND_GAP 0x01
size_t dj_text_sounds(const char *s, size_t n, char *out, uint32_t *at);
/* The pinyin of s[0..n), ideographs only, each as its toneless first
 * reading, joined (香奈儿 -> xiangnaier; ü is v), NUL-terminated into out
 * (cap bytes): its length, or 0 when a character is no ideograph with a
 * reading or out is too small. */
size_t dj_text_pinyin(const char *s, size_t n, char *out, size_t cap);
/* The toneless Mandarin syllable of ideograph cp as a number (1..410, the
 * same for 儿 and 尔), or 0 when it has none or is outside U+4E00..U+9FFF. */
unsigned dj_text_cjk_sound(uint32_t cp);

/* 1 when s[0..n), lower-case ASCII letters, is an English word or name of
 * the SCOWL size-70 list (data/text/words_en.txt): "channel" and "prado"
 * are words, "chanell" is not. A filter: about 1.6 non-words in a thousand
 * passes for a word, a word never fails. Thread-safe. */
int dj_text_is_english_word(const char *s, size_t n);

/* 1 when the ideographs s[from..to) of normalized text s[0..n) read best
 * as a name of their own: the likeliest split of the run of ideographs
 * around them into the words of jieba's dictionary (data/text/words_zh.txt,
 * each as likely as it is common in jieba's corpus) is no likelier than a
 * split that keeps them together as a word the dictionary does not know,
 * seen DJ_TEXT_ZH_NAME_COUNT times; and no common word of the list takes
 * in one of them and a neighbour. 奶克 in 大码奶克毛线帽 does: 奶 and 克
 * make no word with their neighbours. 创意 ("creative", a common word), 日礼
 * of 生日礼物 (birthday present) and 代尔 of 莫代尔 (modal, a fabric) do not.
 * The first call builds the table (about 40 ms); thread-safe. */
#define DJ_TEXT_ZH_NAME_COUNT 30
int dj_text_zh_reads_as_name(const char *s, size_t n, size_t from, size_t to);

#endif
