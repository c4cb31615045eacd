/*
 * Private to src/screen: the worker and the per-listing evidence that
 * score.c gathers and decision.c writes out.
 */
#ifndef DJ_SCREEN_SCREEN_INT_H
#define DJ_SCREEN_SCREEN_INT_H

#include "screen/screen.h"
#include "text/text.h"

#define DJ_SCREEN_MAX_HITS 512
#define DJ_SCREEN_MAX_BRANDS 32
#define DJ_SCREEN_MAX_EVIDENCE 48
#define DJ_SCREEN_IMAGE_MATCHES 16  /* bank matches kept per image */

/* Obfuscation bits of a hit: the text room's flags plus lookalike digits
 * and full-width letters. */
#define DJ_OBF_LEET 16
#define DJ_OBF_WIDE 32
#define DJ_OBF_MISSPELLED 64 /* a mark spelled around a filter (Guccy): dj_kb_misspelled */
#define DJ_OBF_HOMOPHONE 128 /* a Chinese mark in characters that sound alike (香奈尔) */
#define DJ_OBF_CODE 256      /* a mark of three with a lookalike digit (JB1): a model code as often (RC4) */
#define DJ_OBF_PINYIN 512    /* a Chinese mark spelled in pinyin (xiangnaier): kb pattern.pinyin */
#define DJ_OBF_MASKED 1024   /* a mark with a letter censored by an asterisk (G*cci, lan*come) */
#define DJ_OBF_PAIR 2048     /* a mark of two letters spaced (L V): as often two things (A B) */
#define DJ_OBF_CASE 4096     /* a Latin mark in capitals and small letters at random (chaNEl) */
/* The weak kinds: evidence that a low price or replica wording decides. */
#define DJ_OBF_WEAK (DJ_OBF_MISSPELLED | DJ_OBF_HOMOPHONE | DJ_OBF_CODE | DJ_OBF_PINYIN | DJ_OBF_PAIR)

enum { FIELD_TITLE, FIELD_DESC };

/* Why a mark is not a claim of the brand. */
enum { HIT_CLAIM, HIT_COMPAT, HIT_NEGATED, HIT_STYLE };

typedef struct dj_hit {
    uint32_t pat;        /* index into the kb's patterns */
    uint8_t field;       /* FIELD_TITLE or FIELD_DESC */
    uint16_t obf;        /* DJ_TEXT_F_* | DJ_OBF_* */
    uint8_t dead;        /* cancelled, negated or otherwise not counted */
    uint8_t compat;      /* HIT_*: a mark that is no brand claim, and why */
    uint8_t joined;      /* found by its words joined or split (scan_joined) */
    uint32_t start, end; /* offsets in the normalized field */
    uint32_t ostart, oend; /* offsets in the field as written */
} dj_hit;

/* One piece of evidence, as it appears in the reasons. */
typedef struct dj_evidence {
    unsigned reason;     /* DJ_REASON_BIT_* */
    double p;            /* contribution (0 for explanatory reasons) */
    int brand;           /* brand index or -1 */
    int hit;             /* index into hits or -1 */
    const char *detail;  /* kind of obfuscation, cancelling term, ... */
    double a, b, c;      /* numbers: price, floor, ratio / distance */
} dj_evidence;

/* One bank match of a listing image (see dj_screen__images). */
typedef struct dj_image_match {
    dj_bank_kind kind;
    long long entry;     /* store id (counterfeit, allow) or -1 */
    int brand;           /* KB brand index or -1 */
    int image;           /* official: index in the brand's images, else -1 */
    int distance;
    int quarantined;     /* the flood guard holds this entry: no evidence */
} dj_image_match;

struct dj_screen {
    dj_kb *kb;
    dj_banks *banks;            /* may be NULL */
    int count_floods;           /* matches count towards the flood guard */
    dj_kb_scanner *scanner;
    dj_text *text;
    dj_arena *arena;            /* per listing: reset by each dj_screen_listing */
    dj_arena *input;            /* the listings dj_screen_line(s) parse */
    dj_buf reasons;

    /* A prepared batch (dj_screen_prepare): its listings' matches in the
     * KB's official images, searched all at once. */
    const dj_listing *pre_ls;   /* NULL when none */
    size_t pre_n;
    size_t *pre_first;          /* per listing: its first query (n + 1) */
    dj_pdq *pre_q;              /* per query: an image hash */
    size_t *pre_count;          /* per query: matches in all */
    dj_bank_match *pre_m;       /* per query: DJ_SCREEN_IMAGE_MATCHES */
    size_t pre_cap, pre_q_cap;
    dj_listing *lines_l;        /* dj_screen_lines: the batch's listings */
    const char **lines_err;     /* ... or why a line is not one */
    size_t lines_cap;

    /* Per-listing state. */
    const dj_listing *l;
    const dj_bank_match *img_m; /* its images' official matches when prepared */
    const size_t *img_count;    /* ... (NULL: search as they come) */
    const char *field_raw[2];
    char *title_norm;           /* copy of the title's view (the text view is reused) */
    uint8_t *title_flags;
    uint32_t *title_orig;
    size_t title_cap;
    char *skel;                 /* skeleton windows of lookalike words */
    size_t skel_cap;
    char *sounds;               /* the title's sounds (dj_text_sounds) */
    uint32_t *sound_at;         /* ... and where each byte's character is */
    size_t sound_cap;
    dj_text_view view[2];
    dj_hit hits[DJ_SCREEN_MAX_HITS];
    size_t n_hits;
    dj_evidence ev[DJ_SCREEN_MAX_EVIDENCE];
    size_t n_ev;
};

/* Gathers evidence for s->l and fills d (score.c). */
dj_rc dj_screen__score(dj_screen *s, dj_decision *d, dj_err *err);
/* The bank matches of image img of s->l (banks.c): one allow-list match
 * alone when the photo is allow-listed, else its counterfeit and official
 * matches, counted by the flood guards. Returns how many. */
size_t dj_screen__images(dj_screen *s, size_t img, dj_image_match *out, size_t cap);
/* Writes s->ev as the JSON reasons array into s->reasons (decision.c). */
void dj_screen__reasons_json(dj_screen *s, int brand);

#endif
