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

/* Obfuscation bits of a hit: the text room's flags plus lookalike digits. */
#define DJ_OBF_LEET 8

enum { FIELD_TITLE, FIELD_DESC };

/* Why a mark is not a claim of the brand. */
enum { HIT_CLAIM, HIT_COMPAT, HIT_NEGATED, HIT_STYLE };

typedef struct dj_hit {
    uint32_t pat;        /* index into the kb's patterns */
    uint8_t field;       /* FIELD_TITLE or FIELD_DESC */
    uint8_t obf;         /* DJ_TEXT_F_* | DJ_OBF_LEET */
    uint8_t dead;        /* cancelled, negated or otherwise not counted */
    uint8_t compat;      /* HIT_*: a mark that is no brand claim, and why */
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
    dj_arena *arena;
    dj_buf reasons;

    /* Per-listing state. */
    const dj_listing *l;
    const char *field_raw[2];
    char *title_norm;           /* copy of the title's view (the text view is reused) */
    uint8_t *title_flags;
    uint32_t *title_orig;
    size_t title_cap;
    char *skel;                 /* skeleton windows of lookalike words */
    size_t skel_cap;
    dj_text_view view[2];
    dj_hit hits[DJ_SCREEN_MAX_HITS];
    size_t n_hits;
    dj_evidence ev[DJ_SCREEN_MAX_EVIDENCE];
    size_t n_ev;
};

/* Gathers evidence for s->l and fills d (score.c). */
dj_rc dj_screen__score(dj_screen *s, dj_decision *d, dj_err *err);
/* The bank matches of image hash h of s->l (banks.c): one allow-list
 * match alone when the photo is allow-listed, else its counterfeit and
 * official matches, counted by the flood guards. Returns how many. */
size_t dj_screen__images(dj_screen *s, const dj_pdq *h, dj_image_match *out, size_t cap);
/* Writes s->ev as the JSON reasons array into s->reasons (decision.c). */
void dj_screen__reasons_json(dj_screen *s, int brand);

#endif
