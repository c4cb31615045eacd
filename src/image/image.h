/*
 * Images: decoding (JPEG, PNG, WebP), the PDQ perceptual hash exactly as
 * Meta's reference computes it (256 bits, match at Hamming distance <= 31,
 * quality <= 49 is too flat to trust), its 8 dihedral variants, and hash
 * banks searched by multi-index hashing.
 *
 * A PDQ hash is 32 bytes in the order of its 64-hex form (the reference's
 * word 15 first). Ownership: dj_image_* results belong to the caller (free
 * with the matching _free); banks are immutable and refcounted like KBs.
 * Thread-safety: decoding and hashing are reentrant; a bank may be searched
 * by many threads at once.
 */
#ifndef DJ_IMAGE_IMAGE_H
#define DJ_IMAGE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define DJ_PDQ_BYTES 32
#define DJ_PDQ_MATCH_DISTANCE 31
#define DJ_PDQ_MIN_QUALITY 50

/* Decoding limits: larger inputs fail with DJ_ETOOBIG. */
#define DJ_IMAGE_MAX_BYTES ((size_t)64 << 20)
#define DJ_IMAGE_MAX_SIDE 30000
#define DJ_IMAGE_MAX_PIXELS ((size_t)120 * 1000 * 1000)

typedef struct dj_pdq {
    uint8_t h[DJ_PDQ_BYTES];
} dj_pdq;

/* Dihedral variants, in the reference's order. */
enum {
    DJ_PDQ_ORIG,
    DJ_PDQ_ROT90,
    DJ_PDQ_ROT180,
    DJ_PDQ_ROT270,
    DJ_PDQ_FLIPX,
    DJ_PDQ_FLIPY,
    DJ_PDQ_FLIPP,   /* flip across the +1 diagonal (transpose) */
    DJ_PDQ_FLIPM,   /* flip across the -1 diagonal */
    DJ_PDQ_N_DIHEDRAL,
};
const char *dj_pdq_dihedral_name(int i);

/* A decoded image as 8-bit luminance-ready channels: 1 (gray) or 3 (RGB)
 * channels interleaved, rows top to bottom as stored (EXIF orientation is
 * ignored, as the reference does). */
typedef struct dj_image {
    int width, height;
    int channels;            /* 1 or 3 */
    uint8_t *pixels;         /* width * height * channels bytes */
    const char *format;      /* "jpeg", "png", "webp" */
} dj_image;

/* Decodes JPEG, PNG or WebP from memory (the format is sniffed). Other
 * formats, truncated or corrupt data and oversized images fail with a
 * message that says which. Alpha is dropped (the colors as stored are
 * hashed); 16-bit PNG samples keep their low byte, as the reference's
 * decoder does; CMYK JPEGs are converted to RGB. Free with dj_image_free. */
dj_rc dj_image_decode(const uint8_t *data, size_t len, dj_image **out, dj_err *err);
/* Reads and decodes a file (at most DJ_IMAGE_MAX_BYTES). */
dj_rc dj_image_load(const char *path, dj_image **out, dj_err *err);
void dj_image_free(dj_image *img);

/* PDQ hash and quality (0..100) of a decoded image; when dihedral is not
 * NULL it receives the 8 variants (dihedral[DJ_PDQ_ORIG] == *hash). Images
 * smaller than 5x5 hash to zero with quality 0, like the reference. */
dj_rc dj_pdq_hash(const dj_image *img, dj_pdq *hash, int *quality, dj_pdq dihedral[DJ_PDQ_N_DIHEDRAL],
                  dj_err *err);

/* 64 hex digits <-> hash. Parsing is strict (exactly 64 hex digits). */
dj_rc dj_pdq_from_hex(const char *s, size_t len, dj_pdq *out, dj_err *err);
void dj_pdq_to_hex(const dj_pdq *h, char out[65]);
int dj_pdq_distance(const dj_pdq *a, const dj_pdq *b);

/* --- banks ----------------------------------------------------------------- */

typedef enum {
    DJ_BANK_OFFICIAL,        /* a brand's own product photo */
    DJ_BANK_COUNTERFEIT,     /* a known fake's photo */
    DJ_BANK_ALLOW,           /* stock photo everybody may use: suppresses matches */
} dj_bank_kind;

const char *dj_bank_kind_name(dj_bank_kind k);

typedef struct dj_bank_entry {
    dj_pdq hash;
    uint32_t id;             /* caller's entry id (returned by searches) */
    uint32_t owner;          /* e.g. the brand index of an official image */
    dj_bank_kind kind;
} dj_bank_entry;

typedef struct dj_bank dj_bank;

/* Builds an immutable bank (copies the entries; one reference). */
dj_bank *dj_bank_new(const dj_bank_entry *entries, size_t n);
dj_bank *dj_bank_ref(dj_bank *b);
void dj_bank_unref(dj_bank *b);
size_t dj_bank_size(const dj_bank *b);
const dj_bank_entry *dj_bank_entry_at(const dj_bank *b, size_t i);

typedef struct dj_bank_match {
    uint32_t index;          /* entry index in the bank */
    int distance;
} dj_bank_match;

/* All entries within max_distance (<= 63) of q, by multi-index hashing:
 * 16 lookups of 16-bit chunks with their neighbours, candidates verified
 * by popcount. Writes up to cap matches, nearest first, and returns how
 * many there are in all. Thread-safe. */
size_t dj_bank_search(const dj_bank *b, const dj_pdq *q, int max_distance, dj_bank_match *out, size_t cap);
/* Many queries at once (a batch of listings): for query i, up to cap
 * matches nearest first into out[i * cap ...] and how many there are in all
 * into counts[i], exactly as dj_bank_search. From DJ_BANK_MANY_MIN queries
 * up, each chunk's probes are sorted by where they read, so the index
 * streams through the cache once a batch instead of costing a random miss
 * a probe (a bank of 35,000 photos is 15 MB: memory, not cache). */
#define DJ_BANK_MANY_MIN 256
void dj_bank_search_many(const dj_bank *b, const dj_pdq *q, size_t nq, int max_distance, dj_bank_match *out,
                         size_t cap, size_t *counts);
/* The same by scanning every entry (the baseline and the tests' oracle). */
size_t dj_bank_search_linear(const dj_bank *b, const dj_pdq *q, int max_distance, dj_bank_match *out, size_t cap);

/* --- flood guard ------------------------------------------------------------ */

/* Counts, per bank entry, the listings it matched in the current window and
 * in the windows before; an entry matching far more listings than its
 * baseline (a photo that turned out to be a stock image, a hash collision
 * with a common pattern) is quarantined: its matches stop counting as
 * evidence and it is reported. The listings must come from several
 * sellers: one seller posting a brand's photo over and over is a
 * counterfeiter, and must not be able to switch the photo's protection off
 * for everyone by flooding. Thread-safe. */
typedef struct dj_flood dj_flood;

typedef struct dj_flood_opts {
    uint32_t window_s;       /* length of a counting window (0: 3600) */
    uint32_t min_matches;    /* never quarantine below this many matches a window (0: 50) */
    double factor;           /* quarantine above factor x the baseline (0: 10) */
    uint32_t min_sellers;    /* ... and from at least this many distinct sellers
                                in the window (0: 10; at most min_matches) */
} dj_flood_opts;

dj_flood *dj_flood_new(size_t n_entries, const dj_flood_opts *o);
void dj_flood_free(dj_flood *f);
/* Records a match of entry i at time now_s in a listing of the seller
 * whose id hashes to seller (dj_flood_seller); returns 1 when the entry is
 * (now) quarantined, so the caller does not count the match. */
int dj_flood_hit(dj_flood *f, size_t i, uint64_t now_s, uint64_t seller);
/* The hash of a seller id the flood guard tells sellers apart by. */
uint64_t dj_flood_seller(const char *id, size_t len);
int dj_flood_quarantined(const dj_flood *f, size_t i);
/* Lifts a quarantine (after a person looked at the entry). */
void dj_flood_release(dj_flood *f, size_t i);
/* Quarantines entry i (a quarantine recorded earlier, restored). */
void dj_flood_quarantine(dj_flood *f, size_t i);
/* Copies entry j's counters and state from src to entry i of dst (the
 * same photo in a rebuilt bank). */
void dj_flood_copy(dj_flood *dst, size_t i, const dj_flood *src, size_t j);
/* Matches of entry i in the current window, its baseline, and how many
 * distinct sellers the matches came from (counted up to min_sellers). */
void dj_flood_counts(const dj_flood *f, size_t i, uint32_t *matches, double *baseline, uint32_t *sellers);

#endif
