/*
 * Private to src/gen: the vocabulary tables (generated from the TSV files of data/gen),
 * the PRNG, the compiled vocabulary and the world (brands, signals, sellers,
 * official images) that listings are drawn from.
 *
 * Invariant: everything reachable from a dj_gen is written by dj_gen_new
 * only and read-only afterwards; the per-listing state lives on the stack of
 * the listing being written (dj_gen__ctx in listing.c).
 *
 * Strings of the world live in one dj_arena owned by the dj_gen: they all
 * share its lifetime, and ~100k small strings for 10,000 brands would
 * otherwise be 100k malloc/free pairs.
 */
#ifndef DJ_GEN_GEN_INT_H
#define DJ_GEN_GEN_INT_H

#include <stdint.h>

#include "gen/gen.h"
#include "util/arena.h"
#include "util/buf.h"

/* ---- TSV tables (vocab_data.c) ---- */

typedef struct dj_gen_tsv {
    const char *name;
    int cols;
    int rows;                   /* data rows, not counting the header */
    const char *const *cells;   /* row-major; row 0 is the header */
} dj_gen_tsv;

extern const dj_gen_tsv dj_gen__tsv_brands;
extern const dj_gen_tsv dj_gen__tsv_categories;
extern const dj_gen_tsv dj_gen__tsv_collisions;
extern const dj_gen_tsv dj_gen__tsv_compat;
extern const dj_gen_tsv dj_gen__tsv_products;
extern const dj_gen_tsv dj_gen__tsv_regions;
extern const dj_gen_tsv dj_gen__tsv_sentences;
extern const dj_gen_tsv dj_gen__tsv_signal_affixes;
extern const dj_gen_tsv dj_gen__tsv_signals;
extern const dj_gen_tsv dj_gen__tsv_syllables;
extern const dj_gen_tsv dj_gen__tsv_titles;
extern const dj_gen_tsv dj_gen__tsv_trad;
extern const dj_gen_tsv dj_gen__tsv_traps;
extern const dj_gen_tsv dj_gen__tsv_words;

/* Data cell (row 0 = first data row). */
static inline const char *dj_gen__cell(const dj_gen_tsv *t, int row, int col)
{
    return t->cells[(size_t)(row + 1) * (size_t)t->cols + (size_t)col];
}

/* ---- PRNG: xoshiro256**, seeded through splitmix64 ---- */

typedef struct dj_gen__rng {
    uint64_t s[4];
} dj_gen__rng;

static inline uint64_t dj_gen__splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Stream `stream` of seed: independent sequences for the world and for
 * every listing. */
static inline void dj_gen__rng_seed(dj_gen__rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1342543DE82EF95ULL + 0x2545F4914F6CDD1DULL);
    x = dj_gen__splitmix(&x) ^ stream;
    for (int i = 0; i < 4; i++)
        r->s[i] = dj_gen__splitmix(&x);
}

static inline uint64_t dj_gen__rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t dj_gen__next(dj_gen__rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = dj_gen__rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = dj_gen__rotl(s[3], 45);
    return out;
}

/* Uniform in [0, n) (n > 0), without modulo bias (Lemire). */
static inline uint32_t dj_gen__below(dj_gen__rng *r, uint32_t n)
{
    uint64_t m = (dj_gen__next(r) >> 32) * (uint64_t)n;
    uint32_t l = (uint32_t)m;
    if (l < n) {
        uint32_t t = (uint32_t)(-n) % n;
        while (l < t) {
            m = (dj_gen__next(r) >> 32) * (uint64_t)n;
            l = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/* Uniform in [lo, hi]. */
static inline int64_t dj_gen__range(dj_gen__rng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int64_t)dj_gen__below(r, (uint32_t)(hi - lo + 1));
}

/* True with probability pct/100. */
static inline int dj_gen__pct(dj_gen__rng *r, uint32_t pct)
{
    return dj_gen__below(r, 100) < pct;
}

/* ---- compiled vocabulary ---- */

enum { DJ_GEN__ZH = 0, DJ_GEN__EN = 1 };

/* Word kinds of words.tsv (slots {color} ...). */
enum {
    DJ_GEN__W_COLOR,
    DJ_GEN__W_MATERIAL,
    DJ_GEN__W_SIZE,
    DJ_GEN__W_STYLE,
    DJ_GEN__W_SEASON,
    DJ_GEN__W_AUDIENCE,
    DJ_GEN__W_PROMO,
    DJ_GEN__W_SHIP,
    DJ_GEN__W_CLAIM,
    DJ_GEN__W_COND,
    DJ_GEN__W_CITY,
    DJ_GEN__W_ORIGIN,
    DJ_GEN__W_EMOJI,
    DJ_GEN__W_ADJ,
    DJ_GEN__W_SCENE,
    DJ_GEN__W_GIFT,
    DJ_GEN__W_FEAT,
    DJ_GEN__W_LOOKG,
    DJ_GEN__W_N,
};

typedef struct dj_gen__words {
    const char **w[2];          /* [lang][i]; NULL = no word in that language */
    uint32_t n;
} dj_gen__words;

/* Template slots; word slots are DJ_GEN__SL_WORD + word kind. */
enum {
    DJ_GEN__SL_BRAND,
    DJ_GEN__SL_BRAND_ALT,
    DJ_GEN__SL_BRANDS,
    DJ_GEN__SL_NICK,
    DJ_GEN__SL_LINE,
    DJ_GEN__SL_P,
    DJ_GEN__SL_P2,
    DJ_GEN__SL_REPLICA,
    DJ_GEN__SL_COVER,
    DJ_GEN__SL_LOOKALIKE,
    DJ_GEN__SL_EVASION,
    DJ_GEN__SL_RESALE,
    DJ_GEN__SL_COMPAT,
    DJ_GEN__SL_N,
    DJ_GEN__SL_YEAR,
    DJ_GEN__SL_MODEL,
    DJ_GEN__SL_MSRP,
    DJ_GEN__SL_WORD,
    DJ_GEN__SL__END = DJ_GEN__SL_WORD + DJ_GEN__W_N,
};

enum { DJ_GEN__T_LIT, DJ_GEN__T_SLOT, DJ_GEN__T_ALT };

typedef struct dj_gen__tseq dj_gen__tseq;
typedef struct dj_gen__tnode {
    uint8_t op;                 /* DJ_GEN__T_* */
    uint8_t slot;               /* T_SLOT: DJ_GEN__SL_* */
    uint8_t opt;                /* T_SLOT: appears half the time */
    uint32_t len;               /* T_LIT: bytes of s */
    const char *s;              /* T_LIT */
    const dj_gen__tseq *alts;   /* T_ALT: the alternatives */
    uint32_t n_alts;
} dj_gen__tnode;

struct dj_gen__tseq {
    const dj_gen__tnode *nodes;
    uint32_t n;
};

typedef struct dj_gen__tlist {
    const dj_gen__tseq *v;
    uint32_t n;
} dj_gen__tlist;

/* The sentences of one kind and language for one category: the global
 * ones plus those scoped to the category or an ancestor. */
typedef struct dj_gen__tptrs {
    const dj_gen__tseq **v;
    uint32_t n;
} dj_gen__tptrs;

/* Title kinds (titles.tsv). */
enum {
    DJ_GEN__TK_GENERIC,
    DJ_GEN__TK_BRANDED,
    DJ_GEN__TK_AUTHORIZED,
    DJ_GEN__TK_RESELLER,
    DJ_GEN__TK_RESALE,
    DJ_GEN__TK_REPLICA,
    DJ_GEN__TK_COVER,
    DJ_GEN__TK_LOOKALIKE,
    DJ_GEN__TK_NICKNAME,
    DJ_GEN__TK_STUFFING,
    DJ_GEN__TK_STOLEN,
    DJ_GEN__TK_LOOKG,
    DJ_GEN__TK_N,
};

/* Sentence kinds (sentences.tsv); the names are in vocab.c. */
enum {
    DJ_GEN__SK_INTRO,
    DJ_GEN__SK_DETAIL,
    DJ_GEN__SK_MATERIAL,
    DJ_GEN__SK_SIZE,
    DJ_GEN__SK_CARE,
    DJ_GEN__SK_SCENE,
    DJ_GEN__SK_SHIP,
    DJ_GEN__SK_RETURN,
    DJ_GEN__SK_STORE,
    DJ_GEN__SK_PROMO,
    DJ_GEN__SK_QA,
    DJ_GEN__SK_REVIEW,
    DJ_GEN__SK_AUTH,
    DJ_GEN__SK_RESELLER,
    DJ_GEN__SK_RESALE,
    DJ_GEN__SK_COMPAT,
    DJ_GEN__SK_REPLICA,
    DJ_GEN__SK_COVER,
    DJ_GEN__SK_LOOKALIKE,
    DJ_GEN__SK_EVASION,
    DJ_GEN__SK_CHEAP,
    DJ_GEN__SK_NICK,
    DJ_GEN__SK_STOLEN,
    DJ_GEN__SK_COLLISION,
    DJ_GEN__SK_GENERIC_LOOK,
    DJ_GEN__SK_TRAP0,           /* + trap index (dj_gen__trap_names) */
    DJ_GEN__SK_N = DJ_GEN__SK_TRAP0 + 14,
};

/* The trap scenarios, in the order of their sentence kinds. */
#define DJ_GEN__N_TRAPS 14
extern const char *const dj_gen__trap_names[DJ_GEN__N_TRAPS];

typedef struct dj_gen__cat {
    const char *path, *zh, *en;
    int64_t floor_cents;        /* premium floor for synthetic brands, 0 = none */
    int32_t parent;             /* -1 for a root */
    uint32_t *leaves;           /* categories with products in the subtree */
    uint32_t n_leaves;
    uint32_t *products;
    uint32_t n_products;
    const dj_gen__words *words[DJ_GEN__W_N];     /* most specific scope */
    dj_gen__tptrs sent[DJ_GEN__SK_N][2];         /* [kind][lang] */
} dj_gen__cat;

typedef struct dj_gen__product {
    uint32_t cat;
    const char *name[2];
    int64_t lo_cents, hi_cents;
} dj_gen__product;

enum {
    DJ_GEN__K_REPLICA,
    DJ_GEN__K_LOOKALIKE,
    DJ_GEN__K_EVASION,
    DJ_GEN__K_COMPAT,
    DJ_GEN__K_RESALE,
    DJ_GEN__K_N,
};
enum { DJ_GEN__ST_STRONG, DJ_GEN__ST_MEDIUM, DJ_GEN__ST_WEAK, DJ_GEN__ST_NONE };
enum { DJ_GEN__L_ZH = 1, DJ_GEN__L_EN = 2, DJ_GEN__L_ANY = 3 };

typedef struct dj_gen__signal {
    const char *term;
    uint8_t kind, strength, langs;
    uint16_t weight_pm;         /* weight in 1/1000 */
    const char *weight;         /* as written in signals.tsv */
    const char *cancel_near;    /* '|'-separated, may be "" */
    const char *cancel_cats;
} dj_gen__signal;

typedef struct dj_gen__row {    /* a compat / collision / trap template */
    uint32_t key;               /* compat class, brand index or trap index */
    uint32_t cat;
    uint8_t lang;
    dj_gen__tseq tpl;
    int64_t lo_cents, hi_cents;
} dj_gen__row;

typedef struct dj_gen__syl {
    const char *latin, *zh, *ja, *ko;
    int vowel;
} dj_gen__syl;

typedef struct dj_gen__region {
    const char *code, *zh;
    uint32_t w_legit, w_fake;
} dj_gen__region;

typedef struct dj_gen__vocab {
    dj_gen__cat *cats;
    uint32_t n_cats;
    dj_gen__product *products;
    uint32_t n_products;
    dj_gen__words *wlists;      /* every (kind, scope) list */
    uint32_t n_wlists;
    dj_gen__tlist titles[DJ_GEN__TK_N][2];
    dj_gen__tlist *slists;      /* every (sentence kind, scope, lang) list */
    uint32_t n_slists;
    dj_gen__signal *base_signals;
    uint32_t n_base_signals;
    const char *compat_classes[32];
    uint32_t n_compat_classes;
    dj_gen__row *compat;
    uint32_t n_compat;
    dj_gen__row *collisions;    /* key = row of brands.tsv */
    uint32_t n_collisions;
    dj_gen__row *traps;         /* key = trap index */
    uint32_t n_traps;
    dj_gen__syl *syls;
    uint32_t n_syls;
    dj_gen__region *regions;
    uint32_t n_regions;
} dj_gen__vocab;

/* Builds the vocabulary from the TSV tables into a (whose lifetime it
 * shares). DJ_EINVAL names a table, row and column that do not parse (a
 * data bug caught by the unit tests). */
dj_rc dj_gen__vocab_load(dj_gen__vocab *v, dj_arena *a, dj_err *err);
void dj_gen__vocab_fini(dj_gen__vocab *v);

/* Category index of path, or -1. */
int32_t dj_gen__cat_find(const dj_gen__vocab *v, const char *path, size_t len);
/* True when category a is b or inside b's subtree. */
int dj_gen__cat_within(const dj_gen__vocab *v, uint32_t a, uint32_t b);

/* Traditional form of a simplified character, or 0. */
uint32_t dj_gen__trad(uint32_t cp);

/* ---- the world ---- */

typedef struct dj_gen__cover {
    uint32_t cat;
    int64_t floor_cents;
} dj_gen__cover;

typedef struct dj_gen__line {
    uint32_t cat;
    const char *name;
} dj_gen__line;

typedef struct dj_gen__brand {
    const char *id, *name;
    const char **latin;         /* display Latin marks, name first */
    uint32_t n_latin;
    const char **cjk;           /* display CJK marks, official zh first */
    uint32_t n_cjk;
    const char **kb_terms;      /* terms as written to kb.json */
    uint32_t n_kb_terms;
    const char **nicks;
    uint32_t n_nicks;
    dj_gen__cover *cov;
    uint32_t n_cov;
    dj_gen__line *lines;
    uint32_t n_lines;
    uint32_t compat;            /* bit i = vocab.compat_classes[i] */
    uint32_t weight;
    uint32_t first_img, n_img;  /* into dj_gen.images */
    uint32_t *auth;             /* authorized seller indices */
    uint32_t n_auth;
    int synthetic;
} dj_gen__brand;

enum { DJ_GEN__SELLER_REGULAR, DJ_GEN__SELLER_AUTH, DJ_GEN__SELLER_FAKE };

typedef struct dj_gen__seller {
    uint32_t num;               /* the number in its id "s-NNNNNN" */
    uint8_t cls;                /* DJ_GEN__SELLER_* */
    uint8_t region;
    int32_t gang;               /* -1 = none */
    uint32_t brand;             /* AUTH: the first brand it is authorized for */
} dj_gen__seller;

struct dj_gen {
    dj_gen_opts opts;
    dj_arena *arena;
    dj_gen__vocab v;
    dj_gen__brand *brands;
    uint32_t n_brands;
    uint64_t *brand_cum;        /* cumulative pick weights of brands */
    dj_gen__signal *signals;    /* the KB's signals (base + padding) */
    uint32_t n_signals;
    /* generation lists: signal indices by [kind][strength][lang] */
    uint32_t *sig_pick[DJ_GEN__K_N][4][2];
    uint32_t n_sig_pick[DJ_GEN__K_N][4][2];
    char (*images)[65];         /* official PDQ hashes, hex + NUL */
    uint32_t n_images;
    dj_gen__seller *sellers;
    uint32_t n_sellers;
    uint32_t *regular, n_regular;
    uint32_t *fake, n_fake;
    uint32_t *phone_brands, n_phone_brands;  /* brands with the phone class */
    uint32_t *brand_of_row;     /* brands.tsv row -> brand index or UINT32_MAX */
    uint32_t n_gangs;
};

/* Builds brands, signals, images and sellers (world.c). */
dj_rc dj_gen__world_build(dj_gen *g, dj_err *err);

/* Floor of brand b for leaf category cat (the most specific cover), or -1
 * when b does not cover cat. */
int64_t dj_gen__floor(const dj_gen *g, const dj_gen__brand *b, uint32_t cat);

/* ---- one listing (compose.c, listing.c) ---- */

enum { DJ_GEN__LANG_ZH, DJ_GEN__LANG_EN, DJ_GEN__LANG_MIX };
enum { DJ_GEN__CUR_CNY, DJ_GEN__CUR_USD, DJ_GEN__CUR_HKD };

/* The state of the listing being written (on its writer's stack). */
typedef struct dj_gen__ctx {
    const dj_gen *g;
    dj_gen__rng r;
    uint64_t idx;
    int lang;                   /* LANG_* of the listing */
    int tlang;                  /* DJ_GEN__ZH/EN of the text being written */
    int in_title;
    int en_case;                /* English title: 0 as is, 1 Title Case, 2 lower */
    const dj_gen__brand *brand;
    uint32_t brands[5];         /* stuffing / multi-brand accessories */
    uint32_t n_brands;
    int obf, obf2;              /* obfuscation classes, -1 = none */
    const char *obf_mark;
    int hide_brand;             /* write nothing for {brand} (nickname, stolen) */
    int last_cjk;               /* last brand mention was in CJK */
    uint32_t cat;
    const dj_gen__product *prod;
    const char *line;
    const char *nick;
    int64_t floor_cents;        /* brand floor for cat, -1 = none */
    int64_t price_cents;        /* in the listing currency */
    int64_t price_cny;          /* its value in CNY */
    int currency;
    uint32_t seller;
    char imgs[6][65];
    uint32_t n_imgs;
    const char *scenario;
    int counterfeit, strong;
    const char *label_brand;
    int missing;                /* a required slot wrote nothing */
    uint32_t replica_used[16];  /* strong replica signals written */
    uint32_t n_replica_used;
    int32_t last_word[DJ_GEN__W_N];       /* to avoid repeating a word */
    const dj_gen__tseq *used[32];         /* sentence templates used */
    uint32_t n_used;
    dj_buf title, desc;
} dj_gen__ctx;


static inline uint32_t dj_gen__pick(dj_gen__ctx *c, uint32_t n)
{
    return dj_gen__below(&c->r, n);
}

static inline int dj_gen__chance(dj_gen__ctx *c, uint32_t pct)
{
    return dj_gen__pct(&c->r, pct);
}

/* Whether category cat is within one of the '|'-separated paths. */
int dj_gen__in_cats(const dj_gen__vocab *v, uint32_t cat, const char *paths);

/* Title of kind (DJ_GEN__TK_*) from titles.tsv into c->title. */
void dj_gen__make_title(dj_gen__ctx *c, int kind);
/* Title from a compat / collision / trap row; the row's language becomes the
 * listing's, and the description then speaks of the category. */
void dj_gen__row_title(dj_gen__ctx *c, const dj_gen__row *row);
/* Description into c->desc: an intro, the scenario's sentence kinds (must),
 * fillers up to about desc_bytes, shipping and returns. */
void dj_gen__describe(dj_gen__ctx *c, const int *must, size_t n_must);

/* ---- scenarios (listing.c) ---- */

/* The scenario table: names and weights per 10,000 listings (for the tests
 * and docs/gen.md). */
size_t dj_gen__n_scenarios(void);
const char *dj_gen__scenario_name(size_t i);
uint32_t dj_gen__scenario_weight(size_t i);

/* ---- obfuscation (obfuscate.c) ---- */

enum {
    DJ_GEN__OB_SPACED,
    DJ_GEN__OB_SEPARATOR,
    DJ_GEN__OB_HOMOGLYPH,
    DJ_GEN__OB_FULLWIDTH,
    DJ_GEN__OB_LEET,
    DJ_GEN__OB_TRADITIONAL,
    DJ_GEN__OB_ZERO_WIDTH,
    DJ_GEN__OB_MIXED_CASE,
    DJ_GEN__OB_MISSPELLED,
    DJ_GEN__OB_HOMOPHONE,
    DJ_GEN__OB_N,
};

/* Whether class ob can be applied to mark (Latin-only classes need a Latin
 * mark, traditional needs a character with a traditional form, ...). */
int dj_gen__obf_applies(int ob, const char *mark);
/* Appends mark written with obfuscation class ob to out. */
void dj_gen__obf_write(int ob, const char *mark, dj_gen__rng *r, dj_buf *out);

#endif
