/*
 * The synthetic-marketplace generator behind `dajia gen`: a deterministic
 * world of brands (real and synthetic), sellers and listings, with the
 * ground truth of every listing, for tests, the demo and the benchmarks.
 *
 * Same options (seed included) -> byte-identical output on any machine: the
 * generator uses its own PRNG (xoshiro256** seeded by splitmix64), integer
 * arithmetic only, and a random stream per listing derived from (seed,
 * index), so listing i does not depend on how many listings are made nor on
 * the order or the thread they are made in.
 *
 * Output formats (one JSON object a line for the .jsonl files):
 *   kb.json            docs/kb-format.md
 *   listings.jsonl     {"id","seller_id","title","description","category",
 *                       "price","currency","images":[PDQ hex...],"region"}
 *   labels.jsonl       {"id","label":"counterfeit"|"legit","strong":bool,
 *                       "scenario":NAME,"brand":ID|null}, line i <-> listing i
 *   sellers.jsonl      {"id","name","region","identifiers":{KIND:[...]}}
 *   seller_labels.jsonl {"id","class":"regular"|"authorized"|"counterfeit",
 *                       "gang":N|null}
 * docs/gen.md describes the scenarios, their proportions and the labels.
 *
 * Ownership: arguments are borrowed; dj_gen_new's result is the caller's
 * (dj_gen_free). A dj_gen is immutable after dj_gen_new, so its const
 * functions may run on several threads at once.
 */
#ifndef DJ_GEN_GEN_H
#define DJ_GEN_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

typedef enum {
    DJ_GEN_PROFILE_DEMO = 0,   /* 10,000 listings, 300 brands, short text */
    DJ_GEN_PROFILE_BENCH,      /* 1,000,000 listings, 10,000 brands x 10
                                  terms, 500 signals, ~875-byte lines */
} dj_gen_profile;

/* Limits of the options (dj_gen_new rejects larger values). */
#define DJ_GEN_MAX_LISTINGS 100000000ULL
#define DJ_GEN_MAX_BRANDS 100000
#define DJ_GEN_MAX_TERMS_PER_BRAND 48
#define DJ_GEN_MAX_TERMS_TOTAL 200000
#define DJ_GEN_MAX_SIGNALS 5000
#define DJ_GEN_MAX_DESC_BYTES 65536

typedef struct dj_gen_opts {
    uint64_t seed;             /* any value; 0 is fine */
    uint64_t n_listings;       /* listings (and labels) to write */
    uint32_t n_brands;         /* brands in the KB: the real ones first,
                                  then synthetic ones */
    uint32_t terms_per_brand;  /* pad each brand's marks with variants up to
                                  this many terms; 0 = natural marks only */
    uint32_t n_signals;        /* signal terms in the KB, padded with
                                  variants; 0 = the base vocabulary only */
    uint32_t desc_bytes;       /* mean description length in bytes
                                  (0 = listings without descriptions) */
    dj_gen_profile profile;    /* the profile the defaults came from */
} dj_gen_opts;

/* Fills o with the defaults of profile p. */
void dj_gen_opts_init(dj_gen_opts *o, dj_gen_profile p);

/* Parses "demo" or "bench"; DJ_EINVAL otherwise. */
dj_rc dj_gen_profile_parse(const char *s, dj_gen_profile *out);

typedef struct dj_gen dj_gen;

/* Builds the world of o (brands, signals, sellers, official images).
 * DJ_EINVAL names the option that is out of range. Takes ~10 ms for the
 * demo profile and ~0.3 s for 10,000 brands. Free with dj_gen_free. */
dj_rc dj_gen_new(dj_gen **out, const dj_gen_opts *o, dj_err *err);
void dj_gen_free(dj_gen *g);

/* The options g was built with (borrowed). */
const dj_gen_opts *dj_gen_options(const dj_gen *g);

/* Appends the knowledge base (kb.json) to out. DJ_ETOOBIG when out's
 * maximum is too small. Thread-safe. */
dj_rc dj_gen_kb_json(const dj_gen *g, dj_buf *out);

/* Number of sellers, and seller i (< dj_gen_n_sellers) as one sellers.jsonl
 * line and one seller_labels.jsonl line, each with its '\n', appended to
 * seller / label (either may be NULL). Thread-safe. */
uint32_t dj_gen_n_sellers(const dj_gen *g);
dj_rc dj_gen_seller(const dj_gen *g, uint32_t i, dj_buf *seller, dj_buf *label);

/* Listing i (any i < DJ_GEN_MAX_LISTINGS, independent of n_listings) as one
 * listings.jsonl line and one labels.jsonl line, each with its '\n',
 * appended to listing / label (either may be NULL). Thread-safe. */
dj_rc dj_gen_listing(const dj_gen *g, uint64_t i, dj_buf *listing, dj_buf *label);

/* Streams listings first..first+n-1 in order: fn gets each listing line and
 * its label line (with their '\n'), borrowed for the call. A non-zero dj_rc
 * from fn stops the stream and is returned. */
typedef dj_rc (*dj_gen_line_fn)(const char *listing, size_t listing_len,
                                const char *label, size_t label_len, void *ud);
dj_rc dj_gen_listings(const dj_gen *g, uint64_t first, uint64_t n,
                      dj_gen_line_fn fn, void *ud, dj_err *err);

/* Writes DIR/kb.json, listings.jsonl, labels.jsonl, sellers.jsonl and
 * seller_labels.jsonl (DIR is created when missing; its parent must exist).
 * Each file is written to a temporary name and renamed when all are
 * complete, so a failed run leaves no partial file. DJ_EINVAL for bad
 * options, DJ_EIO (naming the path) when DIR cannot be made or written. */
dj_rc dj_gen_run(const dj_gen_opts *o, const char *out_dir, dj_err *err);

#endif
