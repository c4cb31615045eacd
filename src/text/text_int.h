/*
 * Private to src/text: the shared per-code-point table (table.c) that the
 * normalizer (normalize.c) reads.
 */
#ifndef DJ_TEXT_TEXT_INT_H
#define DJ_TEXT_TEXT_INT_H

#include "text/text.h"

/* Code points at or above this pass through unchanged (class OTHER); the
 * table covers every script in use plus the mathematical letters. */
#define DJ_TEXT_TABLE_MAX 0x30000u

enum {
    DJ_TC_OTHER,      /* currency signs, unassigned, the rest: kept as they are */
    DJ_TC_LATIN,      /* maps to ASCII letters */
    DJ_TC_DIGIT,      /* maps to an ASCII digit */
    DJ_TC_LETTER,     /* a letter of another alphabet (Cyrillic д, Greek λ) */
    DJ_TC_CJK,        /* ideograph, kana, hangul, Thai: words without spaces */
    DJ_TC_HOMOGLYPH,  /* looks like a Latin letter; folded inside Latin-looking words */
    DJ_TC_FANCY,      /* mathematical/enclosed letter: NFKC form, always flagged */
    DJ_TC_SPACE,      /* white space and controls: collapsed */
    DJ_TC_PUNCT,      /* punctuation: kept, but a separator between single chars */
    DJ_TC_INVISIBLE,  /* format characters (U+200B ...): removed, flagged */
    DJ_TC_MARK,       /* combining marks: removed (diacritics) */
    DJ_TC_SPLIT,      /* compatibility form of several characters, not all
                         ASCII letters or digits (Ŀ -> l·, ⒢ -> (g), ㎼ -> μw):
                         each of its characters is a unit of its own, so that
                         the text reads as its normalized form will (and
                         normalizing twice changes nothing) */
};

typedef struct dj_text_ent {
    uint32_t off;     /* matching form in the pool; for HOMOGLYPH the Latin
                         letter comes first, then the plain form */
    uint8_t len;      /* its length in bytes (0: removed) */
    uint8_t cls;      /* DJ_TC_* */
    uint8_t named;    /* DJ_SEP_NAME: punctuation that joins the parts of
                         a name (· - / | . * ~) rather than ending a clause
                         (。！); only these split a brand between CJK
                         characters without changing the text's meaning.
                         DJ_SEP_LIST: a list comma (, ， 、), which splits
                         a brand only next to a single character (香,奈,儿;
                         but 黑色,白色 is a list). 0: neither. */
    uint8_t weak;     /* HOMOGLYPH only: a weak lookalike (Greek χ, Cyrillic
                         к), folded only in a word with real Latin letters */
} dj_text_ent;

enum { DJ_SEP_NAME = 1, DJ_SEP_LIST = 2 };

/* The unified CJK ideographs U+4E00..U+9FFF get compact side tables: the
 * simplified form of each (0 when it is its own, 1 when the one-pass path
 * must not take it), 42 KiB, where the general table costs two dependent
 * memory loads; and before it a bitmap of the ideographs that are their
 * own form, 2.6 KiB. Nearly every ideograph of Chinese text is one of
 * those, and the bitmap stays in the L1 cache where the 42 KiB, evicted by
 * the matcher between texts, cost a cache miss per character. */
#define DJ_TEXT_CJK_LO 0x4E00u
#define DJ_TEXT_CJK_HI 0x9FFFu

typedef struct dj_text_table {
    dj_text_ent *ent;  /* DJ_TEXT_TABLE_MAX entries */
    uint16_t *cjk;     /* DJ_TEXT_CJK_HI - DJ_TEXT_CJK_LO + 1 entries */
    uint64_t *cjk_own; /* bit k: cjk[k] is 0 */
    char *pool;
    size_t pool_len, pool_cap;
} dj_text_table;

extern dj_text_table dj_text__tab;

/* Builds the table on first call (thread-safe); DJ_EUNAVAIL without OpenCC. */
dj_rc dj_text__table(dj_err *err);

/* The HTML character reference at in[0..len) (&#99; &#x63; &amp; and the
 * other names shop text uses): its length, with *cp its code point, or 0
 * when there is none. */
size_t dj_text__char_ref(const char *in, size_t len, uint32_t *cp);
/* The HTML tag at in[0..len) of an element listing text carries (<b>,
 * </span>, <br/>, <p class="x">; not <bag>): its length, with *block 1
 * when it breaks a line or makes a block (read as a space) and 0 when it
 * only styles letters (read as nothing, as U+200B), or 0 when there is
 * none. */
size_t dj_text__html_tag(const char *in, size_t len, int *block);
/* 1 when s[0..n) holds a character reference or a tag: what normalizing
 * reads once, so that its output may hold new ones (&lt;b&gt; gives <b>,
 * as a browser shows it) and normalizing twice is not the same there. */
int dj_text__has_markup(const char *s, size_t n);

/* Normalizes with the four passes only, never the one-pass path: what
 * dj_text_normalize must give whichever path it takes (the tests and the
 * fuzz target hold the two to it). The view's mixed list is DJ_TEXT_MIXED_ALL. */
dj_rc dj_text__normalize_full(dj_text *t, const char *in, size_t len, dj_text_view *v, dj_err *err);
/* 1 when the one-pass path normalized in[0..len) by itself, into v (for
 * tests: text the screen meets all the time must not fall to the full
 * passes, which cost several times as much). */
int dj_text__fast_only(dj_text *t, const char *in, size_t len, dj_text_view *v);

#endif
