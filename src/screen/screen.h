/*
 * Screening: a listing in, a decision out (allow, review or block, a score
 * in [0,1], the brand concerned and the reasons), as docs/screening.md
 * describes. A dj_screen is one worker's state (normalizer, Hyperscan
 * scratch, per-listing arena); it is used by one thread at a time and holds
 * a reference on the knowledge base it screens with.
 *
 * Ownership: a dj_listing's strings are borrowed from the parsed line or
 * from the arena given to dj_listing_parse; a dj_decision's strings are
 * borrowed from the dj_screen until its next call.
 */
#ifndef DJ_SCREEN_SCREEN_H
#define DJ_SCREEN_SCREEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "image/image.h"
#include "kb/kb.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/lines.h"

#define DJ_LISTING_MAX_IMAGES 64
#define DJ_LISTING_MAX_WARNINGS 8

/* A string view; s is NULL when the field was absent or null. */
typedef struct dj_str {
    const char *s;
    size_t len;
} dj_str;

typedef struct dj_listing {
    dj_str id;            /* required; a JSON number is accepted and kept as text */
    dj_str seller_id;
    dj_str title;         /* required */
    dj_str description;
    dj_str category;
    dj_str currency;
    dj_str region;
    double price;         /* valid when has_price */
    int has_price;
    dj_pdq *images;       /* the PDQ hashes, decoded (in the arena) */
    size_t n_images;
    /* Problems that did not stop screening (unknown fields, a bad image
     * hash): "unknown field \"titel\" ignored". */
    const char *warnings[DJ_LISTING_MAX_WARNINGS];
    size_t n_warnings;
} dj_listing;

/* Parses one listing JSON object from line[0..len). Escaped strings and
 * warnings are allocated in arena. Errors name the field ("price: expected
 * a number", "missing required field \"title\""). */
dj_rc dj_listing_parse(const char *line, size_t len, dj_arena *arena,
                       dj_listing *out, dj_err *err);

typedef enum {
    DJ_DECIDE_ALLOW,
    DJ_DECIDE_REVIEW,
    DJ_DECIDE_BLOCK,
} dj_decide;

const char *dj_decide_name(dj_decide d);

typedef struct dj_decision {
    dj_decide decision;
    double score;            /* 0..1 */
    const char *brand_id;    /* NULL when no brand is concerned */
    const char *reasons;     /* JSON array text of the reasons */
    size_t reasons_len;
    unsigned signals;        /* bit set of DJ_REASON_* present (for stats) */
} dj_decision;

/* Reason kinds, as bits of dj_decision.signals and the "signal" names of
 * the reasons (docs/screening.md). */
#define DJ_REASON_MAP(XX)                    \
    XX(BRAND_TERM, "brand_term")             \
    XX(NICKNAME, "brand_nickname")           \
    XX(CATEGORY_NOT_COVERED, "category_not_covered") \
    XX(COMPAT, "compatibility")              \
    XX(DISCLAIMER, "disclaimer")             \
    XX(STYLE, "style_word")                  \
    XX(REPLICA, "replica_term")              \
    XX(LOOKALIKE, "lookalike_term")          \
    XX(EVASION, "evasion_term")              \
    XX(RESALE, "resale_term")                \
    XX(CANCELLED, "cancelled_term")          \
    XX(OBFUSCATION, "obfuscation")           \
    XX(PRICE, "price_below_floor")           \
    XX(AUTHORIZED, "authorized_seller")      \
    XX(OFFICIAL_IMAGE, "official_image")     \
    XX(COUNTERFEIT_IMAGE, "counterfeit_image") \
    XX(ALLOWLISTED_IMAGE, "allowlisted_image") \
    XX(QUARANTINED_IMAGE, "quarantined_image") \
    XX(MULTI_BRAND, "multiple_brands")

enum {
#define XX(name, str) DJ_REASON_BIT_##name,
    DJ_REASON_MAP(XX)
#undef XX
    DJ_REASON_COUNT_,
};
#define DJ_REASON(name) (1u << DJ_REASON_BIT_##name)
const char *dj_reason_name(unsigned bit);

typedef struct dj_screen dj_screen;

/* A worker screening with kb (takes a reference). Free with dj_screen_free. */
dj_rc dj_screen_new(dj_kb *kb, dj_screen **out, dj_err *err);
void dj_screen_free(dj_screen *s);

/* Switches the worker to another KB version (between listings). */
dj_rc dj_screen_set_kb(dj_screen *s, dj_kb *kb, dj_err *err);

/* --- image banks ------------------------------------------------------------
 * The photos listing images are compared with beyond the KB's official
 * images: known counterfeits and allow-listed photos (one multi-index
 * bank), and flood guards over these and the official images: an entry
 * that suddenly matches far more listings than its baseline is quarantined
 * (its matches stop counting) and reported. Built for one KB (it holds a
 * reference) and swapped as a whole, like a KB; match counters carry over
 * to a rebuilt dj_banks by store id. Thread-safe. */
typedef struct dj_banks dj_banks;

typedef struct dj_banks_entry {
    long long id;              /* the store's entry id */
    dj_bank_kind kind;         /* DJ_BANK_COUNTERFEIT or DJ_BANK_ALLOW */
    dj_pdq hash;
    const char *brand_id;      /* may be NULL (copied) */
    int quarantined;           /* quarantined earlier: stays so */
} dj_banks_entry;

/* A quarantined entry, for reports: official images by brand and index,
 * store entries by id. */
typedef struct dj_banks_quarantine {
    dj_bank_kind kind;
    long long id;              /* store id, -1 for an official image */
    int image;                 /* index in the brand's official images, or -1 */
    char brand_id[80];         /* "" when none */
    char hash[65];
    uint32_t matches;          /* in the current window */
    double baseline;           /* matches per window before */
    uint32_t sellers;          /* distinct sellers of those matches (up to the
                                  flood guard's minimum) */
} dj_banks_quarantine;

/* New banks for kb from entries e[0..n) at the store's version; prev (may
 * be NULL) passes on its match counters. fo: flood guard settings (NULL:
 * defaults). One reference. */
dj_banks *dj_banks_new(dj_kb *kb, const dj_banks_entry *e, size_t n, long long version, const dj_flood_opts *fo,
                       const dj_banks *prev);
dj_banks *dj_banks_ref(dj_banks *b);
void dj_banks_unref(dj_banks *b);
long long dj_banks_version(const dj_banks *b);
dj_kb *dj_banks_kb(const dj_banks *b);
size_t dj_banks_size(const dj_banks *b);
/* Entries of one kind (counterfeit or allow). */
size_t dj_banks_count(const dj_banks *b, dj_bank_kind kind);
/* Quarantines that started since the last call (up to cap), for the
 * service to persist and report. Cheap when there are none. */
size_t dj_banks_take_quarantined(dj_banks *b, dj_banks_quarantine *out, size_t cap);
/* Every entry quarantined now (returns the count; writes up to cap). */
size_t dj_banks_quarantined(const dj_banks *b, dj_banks_quarantine *out, size_t cap);
/* Lifts the quarantine of a brand's official image; 1 when there was one. */
int dj_banks_release_official(dj_banks *b, const char *brand_id, int image);

/* Screens with banks from now on (NULL: the KB's official images only, no
 * flood guard). Banks built for another KB than the worker's are ignored
 * until the two agree again. count: 1 when this worker's matches are new
 * traffic that the flood guard counts (0 for re-screening what was already
 * seen; quarantined entries stay off either way). Takes a reference. */
void dj_screen_set_banks(dj_screen *s, dj_banks *b, int count);

/* Screens a parsed listing. */
dj_rc dj_screen_listing(dj_screen *s, const dj_listing *l, dj_decision *out, dj_err *err);
/* The title of the listing screened last, in matching form (what title
 * search runs on), valid until the next listing; *len gets its length. */
const char *dj_screen_title_norm(const dj_screen *s, size_t *len);
/* The KB the worker screens with (borrowed). */
dj_kb *dj_screen_kb(const dj_screen *s);

/* Screens one JSONL line and appends the decision line (no newline) to out:
 *   {"id":..,"decision":..,"score":..,"brand":..,"reasons":[..]}
 * or, for a line that cannot be screened,
 *   {"line":N,"decision":"error","error":"..."}
 * Returns the decision kind written, or -1 for an error line, or -2 when
 * out is full. *signals (may be NULL) receives the DJ_REASON bits. */
int dj_screen_line(dj_screen *s, const char *line, size_t len, uint64_t line_no, dj_buf *out,
                   unsigned *signals);

/* Screens a batch of lines (a dj_lines batch over data) into out, each
 * line's decision or error line (as dj_screen_line writes them) followed
 * by a newline; results[i] and signals[i] as dj_screen_line returns them.
 * The lines are parsed first and all their images searched in one pass
 * (dj_screen_prepare): a scan's way, several times faster than listing by
 * listing when listings carry images. */
void dj_screen_lines(dj_screen *s, const char *data, const dj_line *lines, size_t n, dj_buf *out, int *results,
                     unsigned *signals);

/* Searches the images of listings ls[0..n) in the KB's official images in
 * one pass (dj_bank_search_many); until the next prepare or KB change,
 * dj_screen_listing on &ls[i] uses those results, with the same outcome as
 * searching one by one. */
void dj_screen_prepare(dj_screen *s, const dj_listing *ls, size_t n);

/* Figures of a stream run. */
typedef struct dj_stream_stats {
    uint64_t lines, bytes;
    uint64_t by[4];                      /* allow, review, block, error */
    uint64_t reasons[DJ_REASON_COUNT_];  /* listings with each reason */
    double seconds;
} dj_stream_stats;

typedef struct dj_stream_opts {
    int n_threads;                       /* screening threads (>= 1) */
    size_t max_line;                     /* longest accepted line; 0: 1 MiB */
    /* Receives decision lines (newline-terminated, in input order, in
     * large pieces); returns 0 or an errno value to stop writing. */
    int (*write)(const char *p, size_t n, void *ud);
    /* Called after each written batch (may be NULL). */
    void (*progress)(const dj_stream_stats *st, void *ud);
    void *ud;
} dj_stream_opts;

/* Writes decision lines to a FILE * given as ud. */
int dj_stream_write_file(const char *p, size_t n, void *ud);

/* Screens every line of in with kb: exactly one decision line per input
 * line, in order, through o->write. Fails only when it cannot run or
 * read (DJ_EIO) or write; malformed lines become error lines. */
dj_rc dj_screen_stream(dj_kb *kb, FILE *in, const dj_stream_opts *o, dj_stream_stats *stats, dj_err *err);

/* Appends a decision object for listing id to out. */
dj_rc dj_decision_to_json(const dj_decision *d, dj_str id, const dj_listing *l, dj_buf *out);

#endif
