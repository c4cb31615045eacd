/*
 * The knowledge base: brands (marks, nicknames, covered categories, price
 * floors, authorized sellers, official images), signal terms and the
 * decision thresholds, loaded from JSON (docs/kb-format.md), validated with
 * messages that name the entry and field, and compiled into one Hyperscan
 * database over the normalized terms.
 *
 * A dj_kb is an immutable snapshot, refcounted (dj_kb_ref/dj_kb_unref), so a
 * new version can be swapped in while requests still use the old one. The
 * scanning state that Hyperscan needs per thread lives in a dj_kb_scanner.
 * Ownership: everything a getter returns is borrowed from the kb and valid
 * while the caller holds a reference.
 */
#ifndef DJ_KB_KB_H
#define DJ_KB_KB_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct dj_kb dj_kb;
typedef struct dj_kb_scanner dj_kb_scanner;

/* Limits on what a KB may hold (input-driven sizes are bounded). */
#define DJ_KB_MAX_BYTES ((size_t)256 << 20)
#define DJ_KB_MAX_BRANDS 100000
#define DJ_KB_MAX_TERMS_PER_BRAND 64
#define DJ_KB_MAX_TERMS 400000
#define DJ_KB_MAX_TERM_BYTES 256
#define DJ_KB_MAX_SIGNALS 20000

typedef enum {
    DJ_SIG_REPLICA,     /* says it is a copy: 高仿, replica, 1:1 */
    DJ_SIG_LOOKALIKE,   /* imitates a style: 同款, inspired by */
    DJ_SIG_COMPAT,      /* compatibility wording: for, 适用于 */
    DJ_SIG_RESALE,      /* second hand: 二手, pre-owned */
    DJ_SIG_EVASION,     /* hides the brand: 大牌, no logo */
    DJ_SIG_KIND_COUNT_,
} dj_sig_kind;

/* Name of a signal kind as in the KB JSON ("replica"). */
const char *dj_sig_kind_name(dj_sig_kind k);

/* A category path and a value (a floor), read-only. */
typedef struct dj_kb_floor {
    const char *category;   /* normalized path, e.g. "fashion/bags" */
    double amount;          /* in the KB currency */
} dj_kb_floor;

/* One brand, read-only. */
typedef struct dj_kb_brand {
    const char *id;
    const char *name;
    const char **categories;        /* normalized paths */
    size_t n_categories;
    const dj_kb_floor *floors;
    size_t n_floors;
    const char **authorized_sellers; /* sorted (strcmp) for bsearch */
    size_t n_authorized;
    const uint8_t (*official_images)[32]; /* PDQ hashes, 32 bytes each */
    size_t n_official_images;
} dj_kb_brand;

/* One signal entry, read-only. */
typedef struct dj_kb_signal {
    const char *term;               /* as written in the KB */
    dj_sig_kind kind;
    double weight;                  /* 0..1 */
    const char **cancel_near;       /* normalized terms */
    size_t n_cancel_near;
    const char **cancel_categories; /* normalized paths */
    size_t n_cancel_categories;
} dj_kb_signal;

typedef enum {
    DJ_PAT_MARK,        /* a brand's mark */
    DJ_PAT_NICKNAME,    /* a brand's trade nickname */
    DJ_PAT_SIGNAL,      /* a signal term */
    DJ_PAT_CANCEL,      /* a cancel_near context of one or more signals */
    DJ_PAT_NEGATION,    /* built in: "not", 非, 拒绝 ... right before a signal or a mark negates it */
    DJ_PAT_STYLE,       /* built in: 风, style ... right after a nickname makes it a style word */
} dj_pat_kind;

/* One compiled pattern (Hyperscan id = index), read-only. */
typedef struct dj_kb_pattern {
    dj_pat_kind kind;
    uint32_t owner;         /* brand index (MARK/NICKNAME) or signal index */
    const char *term;       /* normalized term as matched */
    const char *source;     /* the term as written in the KB */
    uint32_t len;           /* bytes of the normalized term == match length */
    uint8_t bound_left;     /* 1: starts with a Latin letter/digit: needs a word boundary before */
    uint8_t bound_right;    /* 1: ends with a Latin letter/digit: needs a word boundary after */
    uint8_t leet;           /* 1: also in the skeleton database (see below) */
    uint8_t self_flags;     /* folding the term itself needed (H & R -> hr): not evasion */
    uint8_t after_only;     /* a compat word that serves the name before it only
                               (苹果通用, iPhone专用; 四季通用 before a name is "all-season") */
    uint8_t wide_source;    /* the KB writes it with full-width letters (ＧＵＣＣＩ) */
    uint8_t pinyin;         /* a Chinese mark of DJ_KB_PINYIN_MIN..DJ_KB_SOUND_MAX ideographs
                               spelled in pinyin (xiangnaier); source is the mark */
    const char *skel;       /* the term's skeleton when leet, else NULL */
    const char *sound;      /* a brand mark of DJ_KB_SOUND_MIN..MAX ideographs:
                               their sounds (dj_text_sounds), else NULL */
    uint32_t sound_len;
} dj_kb_pattern;

/* Loads, validates and compiles a KB from JSON text. On failure *out is
 * untouched and err names the first problem ("brands[12].min_price.shoes:
 * expected a number"). The returned kb has one reference. */
dj_rc dj_kb_load(const char *json, size_t len, dj_kb **out, dj_err *err);
dj_rc dj_kb_load_file(const char *path, dj_kb **out, dj_err *err);

/* Validates without compiling (fast; for `PUT /v1/kb` pre-checks). */
dj_rc dj_kb_validate(const char *json, size_t len, dj_err *err);

dj_kb *dj_kb_ref(dj_kb *kb);
/* Drops a reference; frees the kb when it was the last. NULL is ignored.
 * Thread-safe (atomic count). */
void dj_kb_unref(dj_kb *kb);

const char *dj_kb_version(const dj_kb *kb);   /* "" when the KB has none */
/* Replaces the version label (the service labels a KB with its stored
 * version number). Only before the KB is shared with other threads. */
void dj_kb_set_version(dj_kb *kb, const char *version);
const char *dj_kb_currency(const dj_kb *kb);
double dj_kb_threshold_block(const dj_kb *kb);
double dj_kb_threshold_review(const dj_kb *kb);
/* Value of one unit of `currency` in the KB currency, or 0 when unknown.
 * The KB's own currency is 1. */
double dj_kb_rate(const dj_kb *kb, const char *currency, size_t len);

size_t dj_kb_n_brands(const dj_kb *kb);
const dj_kb_brand *dj_kb_brand_at(const dj_kb *kb, size_t i);
/* Index of the brand with this id, or -1. */
long dj_kb_brand_find(const dj_kb *kb, const char *id);
size_t dj_kb_n_signals(const dj_kb *kb);
const dj_kb_signal *dj_kb_signal_at(const dj_kb *kb, size_t i);
size_t dj_kb_n_patterns(const dj_kb *kb);
const dj_kb_pattern *dj_kb_pattern_at(const dj_kb *kb, size_t i);

/* 1 when category path `cat` lies under `scope` (equal, or scope is a
 * '/'-prefix of it: "fashion" covers "fashion/bags"). */
int dj_kb_category_covers(const char *scope, const char *cat, size_t cat_len);
/* 1 when seller is in brand's authorized sellers. */
int dj_kb_brand_authorizes(const dj_kb_brand *b, const char *seller, size_t len);
/* The most specific floor of brand b for category cat (NULL/0 for none:
 * then the lowest floor of the brand), or a negative value when b has no
 * floors. */
double dj_kb_brand_floor(const dj_kb_brand *b, const char *cat, size_t cat_len);

/* The brands' official images as a searchable bank (entry owner = brand
 * index, id = index of the image in the brand's list). Borrowed. */
struct dj_bank;
const struct dj_bank *dj_kb_official_bank(const dj_kb *kb);

/* Compile figures for reports. */
typedef struct dj_kb_stats {
    size_t n_brands, n_signals, n_patterns, n_leet_patterns;
    double load_ms, compile_ms;
    size_t db_bytes;
} dj_kb_stats;
void dj_kb_get_stats(const dj_kb *kb, dj_kb_stats *st);

/* A slot holding the current KB of a running service. Readers take a
 * reference (dj_kb_slot_get) and keep using that snapshot for a whole
 * request while a writer swaps in a new version (dj_kb_slot_set): no
 * request fails or waits for a compile, and an old KB is freed when its
 * last reader lets go. Thread-safe. */
typedef struct dj_kb_slot dj_kb_slot;
/* A slot holding kb (may be NULL; a reference is taken). */
dj_kb_slot *dj_kb_slot_new(dj_kb *kb);
void dj_kb_slot_free(dj_kb_slot *slot);
/* The current KB with a new reference (dj_kb_unref it), or NULL. */
dj_kb *dj_kb_slot_get(dj_kb_slot *slot);
/* Replaces the current KB (a reference on kb is taken). */
void dj_kb_slot_set(dj_kb_slot *slot, dj_kb *kb);

/* Per-thread scanning state for kb (holds a reference on kb). */
dj_rc dj_kb_scanner_new(dj_kb *kb, dj_kb_scanner **out, dj_err *err);
void dj_kb_scanner_free(dj_kb_scanner *s);

/* Called for every match: pattern index and the end offset (exclusive) in
 * the scanned text; the start is end - pattern->len. Return non-zero to
 * stop the scan. */
typedef int (*dj_kb_match_fn)(uint32_t pattern, size_t end, void *ud);

/* Scans text[0..len) for every pattern of the scanner's kb. */
dj_rc dj_kb_scan(dj_kb_scanner *s, const char *text, size_t len,
                 dj_kb_match_fn fn, void *ud);

/* Lookalike digits and symbols. The skeleton of a byte folds i, l, 1, |, !
 * to 'i', o/0 to 'o', e/3 to 'e', a/4/@ to 'a', s/5/$ to 's', t/7 to 't' and
 * leaves other bytes alone. Latin marks of 4+ letters are compiled a second
 * time as skeletons; scanning the skeleton of a word such as "r0lex" finds
 * the mark "rolex". The caller compares the matched bytes with the term to
 * tell a lookalike from an honest match. */
unsigned char dj_kb_skeleton_byte(unsigned char c);
/* 1 for the digits and symbols that the skeleton folds into letters. */
int dj_kb_is_lookalike_byte(unsigned char c);
/* Scans skel[0..len) (skeleton bytes) for the lookalike patterns; reported
 * pattern indices are those of dj_kb_pattern_at. */
dj_rc dj_kb_scan_skeleton(dj_kb_scanner *s, const char *skel, size_t len,
                          dj_kb_match_fn fn, void *ud);

/* Brand marks written in Chinese with other characters of the same sound
 * (谐音: 香奈尔 for 香奈儿, 劳力仕 for 劳力士, 奶克 for 耐克). Every brand
 * mark of DJ_KB_SOUND_MIN to DJ_KB_SOUND_MAX ideographs, all with a
 * Mandarin reading, is compiled by its sounds (pattern.sound,
 * dj_text_sounds) into a third database; dj_kb_scan_sounds scans the
 * sounds of a text with it. Reported ends are in sound bytes. Two
 * syllables name many ordinary words (创意 sounds like the brand 创易): the
 * screen takes a two-character one only where the text reads best with it
 * as a name (dj_text_zh_reads_as_name). Pinyin spellings (xiangnaier) are
 * compiled for marks of DJ_KB_PINYIN_MIN ideographs or more: two syllables
 * (naike) are too short to tell from other Latin words. */
#define DJ_KB_SOUND_MIN 2
#define DJ_KB_PINYIN_MIN 3
#define DJ_KB_SOUND_MAX 8
dj_rc dj_kb_scan_sounds(dj_kb_scanner *s, const char *sounds, size_t len, dj_kb_match_fn fn, void *ud);
/* 1 when the KB has such marks. */
int dj_kb_has_sounds(const dj_kb *kb);

/* Marks and signal terms written with their words joined or split. Every
 * Latin mark, nickname and signal term (letters, digits and the separators
 * " -._/'&+") is also keyed by its letters and digits alone: "Louis
 * Vuitton", "louisvuitton" and "Louis-Vuitton" share the key louisvuitton,
 * "Cooler Master" and "CoolerMaster" share coolermaster. The screen joins
 * up to three neighbouring words of a title into a key (Gu cci, Guc-ci,
 * LouisVuitton) and looks it up here; a key has DJ_KB_JOIN_MIN to
 * DJ_KB_JOIN_MAX bytes. Its hash is dj_kb_join_hash(DJ_KB_JOIN_SEED, key),
 * a polynomial one, so that words hashed once combine in a multiply-add:
 * hash(h, xy) = h * DJ_KB_JOIN_MUL^|xy| + hash(0, x) * DJ_KB_JOIN_MUL^|y|
 * + hash(0, y). */
#define DJ_KB_JOIN_MIN 4
#define DJ_KB_JOIN_MAX 64
#define DJ_KB_JOIN_SEED 0xcbf29ce484222325ull
#define DJ_KB_JOIN_MUL 0x100000001b3ull
static inline uint64_t dj_kb_join_hash(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = h * DJ_KB_JOIN_MUL + (unsigned char)s[i];
    return h;
}
/* 1 for what joins the words of a name: a space, - . _ ' & + / (not a
 * comma or a bracket). */
static inline int dj_kb_is_joiner(unsigned char c)
{
    return c == ' ' || c == '-' || c == '.' || c == '_' || c == '\'' || c == '&' || c == '+' || c == '/';
}
/* 0 when no key has hash h (a bit test; false positives ~2%); with
 * split_only, no key of a term of several words (what a single word of
 * text can be written for: LouisVuitton). */
int dj_kb_join_maybe(const dj_kb *kb, uint64_t h, int split_only);
/* The patterns keyed by key[0..n) (h its hash), up to max of them into
 * pats; returns how many. */
size_t dj_kb_joined(const dj_kb *kb, uint64_t h, const char *key, size_t n, uint32_t *pats, size_t max);

/* Brand marks spelled around a filter while they still read as the name:
 * a letter doubled or undoubled (Addidas, Rolexx, Guci, Louis Vuiton, its
 * words joined: louisvuiton), a sound-alike letter (Guccy, Kartier: y, k
 * and z for i, c and s), letters padded in runs of three or more as
 * counterfeit shops' domains do (caaaoach, baleaaanciaga). A brand's Latin
 * mark of letters only and at least DJ_KB_FUZZY_MIN of them is found for
 * key[0..n) (lower-case letters, a title's words joined) when the two share
 * that sound-alike form, the key is not the mark as written, and it is no
 * English word (channel is no Chanel: dj_text_is_english_word). Arbitrary
 * one-letter edits are not looked for: names of other brands and products
 * are one edit apart too often (micro and Macro, Nikkor and Nikon). Up to
 * max patterns into pats; returns how many. */
#define DJ_KB_FUZZY_MIN 5
size_t dj_kb_misspelled(const dj_kb *kb, const char *key, size_t n, uint32_t *pats, size_t max);

/* The same marks within any one edit of key[0..n): an insertion, deletion,
 * substitution or swap of neighbours after the first letter (Convese,
 * Spureme, Dysno), not cut short (luxe for Luxem), not a plural, not an
 * English word. Far looser than dj_kb_misspelled (micro is one edit from
 * Macro, Nikkor one from Nikon, Visio from Vizio): for a listing that
 * already says it is a copy, to name which brand. */
size_t dj_kb_one_edit(const dj_kb *kb, const char *key, size_t n, uint32_t *pats, size_t max);

/* The same marks written with their letter at key[at] masked (key[at] is
 * the mask; at > 0, as the one-edit index keeps the first letter): G*cci,
 * Gucc*. Up to max patterns into pats; returns how many. */
size_t dj_kb_masked(const dj_kb *kb, const char *key, size_t n, size_t at, uint32_t *pats, size_t max);

#endif
