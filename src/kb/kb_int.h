/*
 * Private to src/kb: the layout of a loaded knowledge base. load.c fills it
 * from JSON, compile.c builds the Hyperscan database over its patterns.
 */
#ifndef DJ_KB_KB_INT_H
#define DJ_KB_KB_INT_H

#include <stdatomic.h>

#include "kb/kb.h"
#include "util/arena.h"

typedef struct dj_kb_term {
    const char *text;       /* as written */
    uint32_t owner;         /* brand or signal index */
    dj_pat_kind kind;
} dj_kb_term;

struct dj_kb {
    atomic_int refs;
    dj_arena *pool;             /* owns every string and array below */
    const char *version;
    char currency[8];
    double th_block, th_review;
    struct { char code[8]; double value; } *rates;
    size_t n_rates;

    dj_kb_brand *brands;
    size_t n_brands;
    const char **brand_ids_sorted; /* ids sorted, for dj_kb_brand_find */
    uint32_t *brand_idx_sorted;    /* brand index of each sorted id */
    dj_kb_signal *signals;
    size_t n_signals;

    dj_kb_term *terms;          /* raw terms gathered by the loader */
    size_t n_terms, cap_terms;

    dj_kb_pattern *patterns;    /* compiled patterns; Hyperscan id = index */
    size_t n_patterns;
    size_t n_leet;
    void *db;                   /* hs_database_t of every pattern */
    void *skel_db;              /* hs_database_t of lookalike skeletons, or NULL */
    void *sound_db;             /* hs_database_t of marks' sounds, or NULL */
    size_t db_bytes;
    double load_ms, compile_ms;
    struct dj_bank *official;   /* every brand's official images (owner = brand index) */
    struct dj_kb_join *join;    /* join.c: patterns by their letters and digits, or NULL */
};

/* Builds kb->join from kb->patterns (join.c); frees it. */
void dj_kb__join_build(dj_kb *kb);
void dj_kb__join_free(dj_kb *kb);

/* Builds kb->patterns and kb->db from kb->terms. */
dj_rc dj_kb__compile(dj_kb *kb, dj_err *err);
void dj_kb__free_compiled(dj_kb *kb);
/* Normalizes a category path: trims, lowercases ASCII, removes spaces
 * around '/', drops a trailing '/'. Result in the kb pool. */
const char *dj_kb__category(dj_kb *kb, const char *s);

#endif
