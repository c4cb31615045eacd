/*
 * Hash banks searched by multi-index hashing (Norouzi et al.): the 256 bits
 * are cut into 16 chunks of 16 bits; two hashes within distance d agree to
 * within floor(d/16) bits on at least one chunk (pigeonhole), so a query
 * probes, for each chunk, every 16-bit value that close to its own chunk
 * (17 values at d = 31) and checks the entries filed there.
 *
 * Memory latency is the whole cost (a random load here is ~200 ns; a
 * query makes hundreds of probes), so the index is laid out for one cache
 * miss per probe. Per chunk, an occupancy bitmap with a rank directory
 * (10 KiB, stays in cache) turns a value into the position of its slot
 * among the occupied values, with no offsets table to miss on; the slot
 * holds the value's first entries (one in a bank of 35,000, 15 in one of
 * 1,000,000: see struct slot), each as its index and a copy of the half of
 * the hash the chunk is not in, and where its further entries are. The distance
 * over that half is a lower bound of the whole distance, about 64 for a
 * random candidate, so only true matches (and one in ~10^8 others) go on
 * to the full check. Probes go out in waves over all chunks with
 * prefetches, so their misses overlap instead of queueing. A batch of
 * queries sorts each chunk's probes by slot and checks them in address
 * order: the slots stream once a batch instead of missing once a probe.
 *
 * The flood guard at the end counts matches per entry and window.
 */
#include "image/image.h"
#include "image/popcnt.h"
#include "util/hash.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNKS 16
/* Occupancy: a bitmap whose cache lines cover 512 values each, so the 17
 * values within one bit of a chunk lie on 8 lines, and the rank of each
 * bitmap word's first value (where its values' slots start). */
#define NONE UINT32_MAX
#define LAST 0x80000000u    /* in an overflow slot's index: the value's last */
#define MAX_ENTRIES (1u << 27) /* so an overflow offset leaves 5 bits free */
#define MORE(offset, extra) ((offset) | (uint32_t)((extra) < 31 ? (extra) : 31) << 27)
#define MORE_AT(m) ((m) & (MAX_ENTRIES - 1))
#define MORE_N(m) ((m) >> 27) /* further entries, 31 meaning 31 or more */

/* An entry as filed under a value: its index and the other half of its
 * hash. In an overflow run the value's last one is flagged. */
struct over {
    uint32_t index;          /* | LAST on the value's last in an overflow run */
    uint8_t half[16];        /* the other half of the hash */
} __attribute__((packed));

/* An occupied value's slot: its first entries, up to the bank's slot width,
 * then where the rest are. A value's entries sit together, so a probe
 * touches one place of memory, not two: what costs most here is touching
 * another 4 KiB page (a random line costs 2-3 times as much when it is
 * alone in its page as when it shares it, on this machine). The width
 * follows the bank's density: 1 for a KB's 35,000 official photos (32-byte
 * slots, never across two lines), 15 for a bank of 1,000,000 (320-byte
 * slots; its queries went from ~105 to ~65 us, batched ones twice as fast,
 * for 11% more memory than one entry a slot). */
struct slot {
    uint32_t more;           /* NONE, or MORE(first further entry in over[],
                                how many there are): enough to fetch them
                                all at once */
    struct over e[];         /* width entries, unused ones with index NONE */
};

struct chunk_index {
    uint64_t *occ;           /* bit v: value v has entries */
    uint16_t *rank;          /* occupied values before each word (< 65,536) */
    char *slots;             /* by rank of the value, stride bytes each */
    struct over *over;
    uint32_t filed;          /* occupied values (slots) */
    uint32_t width, stride;  /* entries a slot holds; its size (the bank's:
                                the same in every chunk) */
};

/* The searches are compiled twice, for slots of one entry (32 bytes: the
 * common case, and the one where instructions count, the index being
 * cached) and for wide ones: `wide` is a constant in each copy. */
static inline const struct slot *slot_at(const struct chunk_index *x, uint32_t r, int wide)
{
    return (const struct slot *)(const void *)(x->slots + (size_t)r * (wide ? x->stride : 32));
}

static inline void prefetch_slot(const struct chunk_index *x, const struct slot *s, int wide)
{
    const char *p = (const char *)s;
    __builtin_prefetch(p);
    for (uint32_t k = 64; wide && k < x->stride; k += 64)
        __builtin_prefetch(p + k);
}

/* The half of a hash chunk c does not lie in (chunks 0-7: bytes 16-31). */
static inline const uint8_t *other_half(const dj_pdq *h, int c)
{
    return h->h + (c < 8 ? 16 : 0);
}

static inline int half_distance(const uint8_t *a, const uint8_t *b)
{
    uint64_t x[2], y[2];
    memcpy(x, a, 16);
    memcpy(y, b, 16);
    return __builtin_popcountll(x[0] ^ y[0]) + __builtin_popcountll(x[1] ^ y[1]);
}

struct dj_bank {
    atomic_int refs;
    dj_bank_entry *e;
    size_t n;
    struct chunk_index ix[CHUNKS];
    void *region;            /* the indexes, one huge-page mapping */
    size_t region_size;
};

const char *dj_bank_kind_name(dj_bank_kind k)
{
    switch (k) {
    case DJ_BANK_OFFICIAL: return "official";
    case DJ_BANK_COUNTERFEIT: return "counterfeit";
    case DJ_BANK_ALLOW: return "allow";
    }
    return "unknown";
}

static inline unsigned chunk(const dj_pdq *h, int c)
{
    return (unsigned)h->h[2 * c] << 8 | h->h[2 * c + 1];
}

static inline int filed(const struct chunk_index *x, unsigned v)
{
    return (int)(x->occ[v / 64] >> (v & 63) & 1);
}

/* Where the slot of a filed value v is: its rank among the
 * filed values. */
static inline uint32_t rank(const struct chunk_index *x, unsigned v)
{
    return x->rank[v / 64] + (uint32_t)__builtin_popcountll(x->occ[v / 64] & ((1ULL << (v & 63)) - 1));
}

dj_bank *dj_bank_new(const dj_bank_entry *entries, size_t n)
{
    if (n >= MAX_ENTRIES) {
        /* 2^27 hashes would take 45 GB of index: not a bank this serves. */
        fprintf(stderr, "dajia: a hash bank of %zu entries is too large\n", n);
        abort();
    }
    dj_bank *b = dj_xcalloc(1, sizeof *b);
    atomic_init(&b->refs, 1);
    b->n = n;
    b->e = dj_xmalloc((n ? n : 1) * sizeof *b->e);
    memcpy(b->e, entries, n * sizeof *b->e);
    /* Per chunk: bitmap, rank, slots, overflow. The bitmaps and
     * ranks of all chunks come first, together: every probe reads them. */
    size_t filed[CHUNKS] = {0}, held[CHUNKS] = {0};
    uint32_t width = (uint32_t)((n + 32768) / 65536);
    width = width < 1 ? 1 : width > 15 ? 15 : width;
    size_t stride = sizeof(struct slot) + width * sizeof(struct over);
    stride = width == 1 ? 32 : (stride + 63) & ~(size_t)63;
    uint32_t *count = dj_xmalloc(65536 * sizeof *count), *fill = dj_xmalloc(65536 * sizeof *fill);
    for (int c = 0; c < CHUNKS; c++) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[chunk(&b->e[i].hash, c)]++;
        for (unsigned v = 0; v < 65536; v++) {
            filed[c] += count[v] != 0;
            held[c] += count[v] < width ? count[v] : width;
        }
    }
    size_t size = CHUNKS * (65536 / 8 + 65536 / 64 * sizeof(uint16_t));
    for (int c = 0; c < CHUNKS; c++)
        size += filed[c] * stride + (n - held[c]) * sizeof(struct over) + 64;
    b->region_size = size;
    char *at = b->region = dj_xhuge(size);
    for (int c = 0; c < CHUNKS; c++, at += 65536 / 64 * sizeof(uint16_t))
        b->ix[c].rank = (uint16_t *)at;
    for (int c = 0; c < CHUNKS; c++, at += 65536 / 8)
        b->ix[c].occ = (uint64_t *)at;
    for (int c = 0; c < CHUNKS; c++) {
        struct chunk_index *x = &b->ix[c];
        at = (char *)(((uintptr_t)at + 63) & ~(uintptr_t)63);
        x->slots = at;
        x->width = width;
        x->stride = (uint32_t)stride;
        at += filed[c] * stride;
        x->over = (struct over *)at;
        at += (n - held[c]) * sizeof(struct over);
        memset(x->slots, 0xFF, filed[c] * stride); /* every entry index NONE */
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[chunk(&b->e[i].hash, c)]++;
        /* Ranks of the occupied values; overflow offsets by value. */
        uint32_t occ_rank = 0, over_at = 0;
        for (unsigned v = 0; v < 65536; v++) {
            if (!(v % 64))
                x->rank[v / 64] = (uint16_t)occ_rank;
            fill[v] = NONE;
            if (count[v]) {
                x->occ[v / 64] |= 1ULL << (v & 63);
                uint32_t rest = count[v] > width ? count[v] - width : 0;
                struct slot *s = (struct slot *)(void *)(x->slots + (size_t)occ_rank++ * stride);
                s->more = rest ? MORE(over_at, rest) : NONE;
                fill[v] = over_at;
                over_at += rest;
            }
        }
        /* Entries in order: the first ones of a value go to its slot
         * (index NONE until filled), the others to its overflow run. */
        x->filed = occ_rank;
        for (size_t i = 0; i < n; i++) {
            unsigned v = chunk(&b->e[i].hash, c);
            struct slot *s = (struct slot *)(void *)(x->slots + (size_t)rank(x, v) * stride);
            struct over *o = NULL;
            for (uint32_t k = 0; k < width && !o; k++)
                if (s->e[k].index == NONE)
                    o = &s->e[k];
            if (o) {
                o->index = (uint32_t)i;
            } else {
                o = &x->over[fill[v]++];
                o->index = (uint32_t)i | (count[v] == 1 ? LAST : 0);
            }
            count[v]--;
            memcpy(o->half, other_half(&b->e[i].hash, c), 16);
        }
    }
    free(count);
    free(fill);
    return b;
}

dj_bank *dj_bank_ref(dj_bank *b)
{
    atomic_fetch_add(&b->refs, 1);
    return b;
}

void dj_bank_unref(dj_bank *b)
{
    if (!b || atomic_fetch_sub(&b->refs, 1) != 1)
        return;
    dj_xhuge_free(b->region, b->region_size);
    free(b->e);
    free(b);
}

size_t dj_bank_size(const dj_bank *b)
{
    return b->n;
}

const dj_bank_entry *dj_bank_entry_at(const dj_bank *b, size_t i)
{
    return &b->e[i];
}

static int cmp_match(const void *a, const void *b)
{
    const dj_bank_match *x = a, *y = b;
    if (x->distance != y->distance)
        return x->distance - y->distance;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* A candidate of query q: an entry whose half hash passed the lower
 * bound. Candidates are collected into a growable array and settled at
 * the end: an entry is found once through each chunk it is near, and its
 * full distance, a cache miss in the entries, is computed only once. */
typedef struct hit {
    uint32_t q;
    dj_bank_match m;
} hit;

typedef struct found {
    hit *h;
    size_t n, cap;
    hit small[64];
} found;

static void found_init(found *f)
{
    f->h = f->small;
    f->n = 0;
    f->cap = 64;
}

static void add(found *f, uint32_t q, uint32_t index)
{
    if (f->n == f->cap) {
        size_t cap = f->cap * 2;
        hit *h = dj_xmalloc(cap * sizeof *h);
        memcpy(h, f->h, f->n * sizeof *h);
        if (f->h != f->small)
            free(f->h);
        f->h = h;
        f->cap = cap;
    }
    f->h[f->n++] = (hit){q, {index, 0}};
}

static int cmp_index(const void *a, const void *b)
{
    const dj_bank_match *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* One query's candidates m[0..n): each entry once, those within
 * max_distance with their distance, nearest first, up to cap into out.
 * Returns how many matches there are in all. */
static size_t settle(const dj_bank *b, const dj_pdq *q, int max_distance, dj_bank_match *m, size_t n,
                     dj_bank_match *out, size_t cap)
{
    qsort(m, n, sizeof *m, cmp_index);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (w && m[w - 1].index == m[i].index)
            continue;
        int d = dj_pdq_distance(q, &b->e[m[i].index].hash);
        if (d <= max_distance)
            m[w++] = (dj_bank_match){m[i].index, d};
    }
    qsort(m, w, sizeof *m, cmp_match);
    memcpy(out, m, (w < cap ? w : cap) * sizeof *m);
    return w;
}

/* Per query: its matches as settle gives them, into out + q * cap, and how
 * many there are in all into counts[q]. The candidates are grouped by
 * query with a counting sort: a batch where most queries match collects
 * tens of thousands, too many for one comparison sort. */
static void finish(found *f, const dj_bank *b, const dj_pdq *q, size_t nq, int max_distance, dj_bank_match *out,
                   size_t cap, size_t *counts)
{
    dj_bank_match small[64], *m = f->n <= 64 ? small : dj_xmalloc(f->n * sizeof *m);
    if (nq == 1) {
        for (size_t i = 0; i < f->n; i++)
            m[i] = f->h[i].m;
        counts[0] = settle(b, q, max_distance, m, f->n, out, cap);
    } else {
        size_t *start = dj_xcalloc(nq + 1, sizeof *start);
        for (size_t i = 0; i < f->n; i++)
            start[f->h[i].q + 1]++;
        for (size_t k = 1; k <= nq; k++)
            start[k] += start[k - 1];
        for (size_t i = 0; i < f->n; i++)
            m[start[f->h[i].q]++] = f->h[i].m;
        for (size_t k = 0, at = 0; k < nq; k++) { /* start[k] is now k's end */
            counts[k] = settle(b, &q[k], max_distance, m + at, start[k] - at, out + k * cap, cap);
            at = start[k];
        }
        free(start);
    }
    if (m != small)
        free(m);
    if (f->h != f->small)
        free(f->h);
}

/* Appends to vals every 16-bit value within r bits of value (r <= 3). */
static size_t neighbours(unsigned value, int r, unsigned *vals)
{
    size_t n = 0;
    vals[n++] = value;
    for (int i = 0; i < 16 && r >= 1; i++) {
        vals[n++] = value ^ (1u << i);
        for (int j = i + 1; j < 16 && r >= 2; j++) {
            vals[n++] = value ^ (1u << i) ^ (1u << j);
            for (int k = j + 1; k < 16 && r >= 3; k++)
                vals[n++] = value ^ (1u << i) ^ (1u << j) ^ (1u << k);
        }
    }
    return n;
}

#define MAX_PROBES (1 + 16 + 120 + 560)
/* Probes in flight at once: all 16 chunks at d <= 31 (17 probes a chunk). */
#define WAVE 1024

/* The slots (ranks) of the values within r bits of v that have entries,
 * each plus tag (a batch's probe: see below). Within one bit (the PDQ match
 * distance, 31, is there) without a branch: for a random value, being
 * filed is a coin toss the branch predictor loses, 272 times a query. Each
 * of the 17 values' rank is written and kept only when it is filed, so at
 * needs room for 17. Flips of the low six bits stay in v's bitmap word and
 * share its rank; the others share the mask of the values below v's place
 * in their word. */
static inline __attribute__((always_inline)) size_t filed_probes(const struct chunk_index *x, unsigned v, int r,
                                                                 uint32_t tag, uint32_t *at)
{
    unsigned hi = v / 64, lo = v & 63;
    uint64_t w = x->occ[hi], below = (1ULL << lo) - 1;
    uint32_t base = x->rank[hi];
    size_t m = 0;
    if (r <= 1) {
        at[m] = tag + base + (uint32_t)__builtin_popcountll(w & below);
        m += w >> lo & 1;
        if (!r)
            return m;
#pragma GCC unroll 6
        for (unsigned i = 0; i < 6; i++) {
            unsigned l = lo ^ 1u << i;
            at[m] = tag + base + (uint32_t)__builtin_popcountll(w & ((1ULL << l) - 1));
            m += w >> l & 1;
        }
#pragma GCC unroll 10
        for (unsigned i = 0; i < 10; i++) {
            unsigned h = hi ^ 1u << i;
            uint64_t hw = x->occ[h];
            at[m] = tag + x->rank[h] + (uint32_t)__builtin_popcountll(hw & below);
            m += hw >> lo & 1;
        }
        return m;
    }
    unsigned vals[MAX_PROBES];
    size_t n = neighbours(v, r, vals);
    for (size_t p = 0; p < n; p++)
        if (filed(x, vals[p]))
            at[m++] = tag + rank(x, vals[p]);
    return m;
}

/* A candidate when its half passes the lower bound; its entry is fetched
 * now, to be there when the candidates are settled. */
static inline void check(found *f, const dj_bank *b, uint32_t qi, const uint8_t *qh, uint32_t index,
                         const uint8_t *half, int max_distance)
{
    if (half_distance(qh, half) > max_distance)
        return;
    __builtin_prefetch(&b->e[index].hash);
    add(f, qi, index);
}

/* Fetches the overflow run a slot's more field points to (up to
 * 31 entries' worth of lines: enough for nearly every run). */
static inline void prefetch_over(const struct chunk_index *x, uint32_t more)
{
    const char *first = (const char *)&x->over[MORE_AT(more)];
    for (uint32_t k = 0; k <= MORE_N(more) * sizeof(struct over); k += 64)
        __builtin_prefetch(first + k);
}

/* The further entries of a value, from its overflow start. */
static inline void check_over(found *f, const dj_bank *b, uint32_t qi, const uint8_t *qh, const struct over *s,
                              int max_distance)
{
    for (;; s++) {
        check(f, b, qi, qh, s->index & ~LAST, s->half, max_distance);
        if (s->index & LAST)
            break;
    }
}

/* The entries in a value's slot (the first is always there). */
static inline void check_slot(found *f, const dj_bank *b, uint32_t qi, const uint8_t *qh,
                              const struct chunk_index *x, const struct slot *s, int max_distance, int wide)
{
    check(f, b, qi, qh, s->e[0].index, s->e[0].half, max_distance);
    for (uint32_t k = 1; wide && k < x->width && s->e[k].index != NONE; k++)
        check(f, b, qi, qh, s->e[k].index, s->e[k].half, max_distance);
}

/* Waves 1-3 of a single search (wave 0 is the caller's). */
static inline __attribute__((always_inline)) void probe_waves(found *f, const dj_bank *b, const dj_pdq *q, int r,
                                                              int max_distance, int wide)
{
    uint32_t at[WAVE + MAX_PROBES]; /* a probed value's rank, then its overflow start */
    for (int c0 = 0; c0 < CHUNKS;) {
        /* Wave 1: the probed values that have entries; their slots
         * are fetched. Chunk c's probes end at end[c], its overflow starts
         * at oend[c]. */
        size_t m = 0, o = 0, end[CHUNKS], oend[CHUNKS];
        int c = c0;
        do {
            const struct chunk_index *x = &b->ix[c];
            size_t k = filed_probes(x, chunk(q, c), r, 0, at + m);
            for (size_t p = m; p < m + k; p++)
                prefetch_slot(x, slot_at(x, at[p], wide), wide);
            m += k;
            end[c++] = m;
        } while (c < CHUNKS && m <= WAVE);
        /* Wave 2: check the slots; fetch the overflows. */
        size_t p = 0;
        for (int cc = c0; cc < c; cc++) {
            const struct chunk_index *x = &b->ix[cc];
            const uint8_t *qh = other_half(q, cc);
            for (; p < end[cc]; p++) {
                const struct slot *s = slot_at(x, at[p], wide);
                check_slot(f, b, 0, qh, x, s, max_distance, wide);
                if (s->more != NONE) {
                    prefetch_over(x, s->more);
                    at[o++] = MORE_AT(s->more); /* at[p] is read: o <= p */
                }
            }
            oend[cc] = o;
        }
        /* Wave 3: the overflows (values shared by several entries). */
        p = 0;
        for (int cc = c0; cc < c; cc++)
            for (; p < oend[cc]; p++)
                check_over(f, b, 0, other_half(q, cc), &b->ix[cc].over[at[p]], max_distance);
        c0 = c;
    }
}

DJ_POPCNT_CLONES size_t dj_bank_search(const dj_bank *b, const dj_pdq *q, int max_distance, dj_bank_match *out,
                                        size_t cap)
{
    if (max_distance < 0)
        return 0;
    if (max_distance > 63)
        return dj_bank_search_linear(b, q, max_distance, out, cap);
    found f; /* not zeroed: the search writes before it reads */
    found_init(&f);
    int r = max_distance / CHUNKS;
    /* Wave 0: the bitmap lines the probes within one bit will read (the
     * bitmaps do not stay in cache between listings). */
    for (int c = 0; c < CHUNKS; c++) {
        const struct chunk_index *x = &b->ix[c];
        unsigned w = chunk(q, c) / 64;
        __builtin_prefetch(&x->occ[w]);
        __builtin_prefetch(&x->rank[w]);
        if (r < 1)
            continue;
        /* A line of the bitmap covers 512 values, a line of ranks 2,048. */
#pragma GCC unroll 7
        for (int bit = 9; bit < 16; bit++)
            __builtin_prefetch(&x->occ[w ^ 1u << (bit - 6)]);
#pragma GCC unroll 5
        for (int bit = 11; bit < 16; bit++)
            __builtin_prefetch(&x->rank[w ^ 1u << (bit - 6)]);
    }
    if (b->ix[0].width > 1)
        probe_waves(&f, b, q, r, max_distance, 1);
    else
        probe_waves(&f, b, q, r, max_distance, 0);
    size_t n;
    finish(&f, b, q, 1, max_distance, out, cap, &n);
    return n;
}

/* A probe of a batch: the slot (< 65,536: one per filed value) in
 * its low 16 bits, to check for the query of a block of at most 65,536
 * queries in its high 16 bits. Four bytes, so sorting a block's probes
 * stays in the L2 cache; one word, so filed_probes writes it whole. */
typedef uint32_t probe;
#define PROBE_AT(p) ((p)&0xFFFFu)
#define PROBE_Q(p) ((p) >> 16)

#define BLOCK 65536
/* Probes are sorted by groups of 8 slots (256 bytes at one entry a slot). */
#define GROUP_SHIFT 3
/* How far ahead of its check a slot is fetched, in probes. */
#define AHEAD 8

/* A chunk's sorted probes of a batch, checked in address order. */
static inline __attribute__((always_inline)) void check_sorted(found *f, const dj_bank *b, const dj_pdq *q, int c,
                                                               const probe *sorted, size_t np, int max_distance,
                                                               int wide)
{
    const struct chunk_index *x = &b->ix[c];
    /* Two stages ahead: a slot 2 * AHEAD probes on is fetched; the one
     * AHEAD on, there by now, has its overflow run fetched. */
    for (size_t i = 0; i < np; i++) {
        if (i + 2 * AHEAD < np)
            prefetch_slot(x, slot_at(x, PROBE_AT(sorted[i + 2 * AHEAD]), wide), wide);
        if (i + AHEAD < np && slot_at(x, PROBE_AT(sorted[i + AHEAD]), wide)->more != NONE)
            prefetch_over(x, slot_at(x, PROBE_AT(sorted[i + AHEAD]), wide)->more);
        const struct slot *s = slot_at(x, PROBE_AT(sorted[i]), wide);
        uint32_t qi = PROBE_Q(sorted[i]);
        const uint8_t *qh = other_half(&q[qi], c);
        check_slot(f, b, qi, qh, x, s, max_distance, wide);
        if (s->more != NONE)
            check_over(f, b, qi, qh, &x->over[MORE_AT(s->more)], max_distance);
    }
}

DJ_POPCNT_CLONES void dj_bank_search_many(const dj_bank *b, const dj_pdq *q, size_t nq, int max_distance,
                                          dj_bank_match *out, size_t cap, size_t *counts)
{
    if (max_distance < 0 || max_distance > 63 || nq < DJ_BANK_MANY_MIN) {
        for (size_t i = 0; i < nq; i++)
            counts[i] = dj_bank_search(b, &q[i], max_distance, out + i * cap, cap);
        return;
    }
    if (nq > BLOCK) {
        for (size_t i = 0; i < nq; i += BLOCK)
            dj_bank_search_many(b, q + i, nq - i < BLOCK ? nq - i : BLOCK, max_distance, out + i * cap, cap,
                                counts + i);
        return;
    }
    found f;
    found_init(&f);
    int r = max_distance / CHUNKS;
    size_t per = r == 0 ? 1 : r == 1 ? 17 : r == 2 ? 137 : MAX_PROBES;
    probe *p = dj_xmalloc(nq * per * sizeof *p), *sorted = dj_xmalloc(nq * per * sizeof *sorted);
    uint32_t *start = dj_xmalloc(((65536 >> GROUP_SHIFT) + 2) * sizeof *start);
    for (int c = 0; c < CHUNKS; c++) {
        const struct chunk_index *x = &b->ix[c];
        size_t np = 0;
        for (size_t i = 0; i < nq; i++) /* writes up to per, keeps k: room since np <= i * per */
            np += filed_probes(x, chunk(&q[i], c), r, (uint32_t)i << 16, p + np);
        /* A counting sort by slot group: the checks then walk the chunk's
         * slots (and overflows, filed in the same order) forwards, a stream
         * instead of a random miss per probe. */
        size_t groups = (x->filed >> GROUP_SHIFT) + 1;
        memset(start, 0, (groups + 1) * sizeof *start);
        for (size_t i = 0; i < np; i++)
            start[(PROBE_AT(p[i]) >> GROUP_SHIFT) + 1]++;
        for (size_t g = 1; g <= groups; g++)
            start[g] += start[g - 1];
        for (size_t i = 0; i < np; i++)
            sorted[start[PROBE_AT(p[i]) >> GROUP_SHIFT]++] = p[i];
        if (x->width > 1)
            check_sorted(&f, b, q, c, sorted, np, max_distance, 1);
        else
            check_sorted(&f, b, q, c, sorted, np, max_distance, 0);
    }
    free(p);
    free(sorted);
    free(start);
    finish(&f, b, q, nq, max_distance, out, cap, counts);
}

size_t dj_bank_search_linear(const dj_bank *b, const dj_pdq *q, int max_distance, dj_bank_match *out, size_t cap)
{
    found f;
    found_init(&f);
    for (size_t i = 0; i < b->n; i++)
        if (dj_pdq_distance(q, &b->e[i].hash) <= max_distance)
            add(&f, 0, (uint32_t)i);
    size_t n;
    finish(&f, b, q, 1, max_distance, out, cap, &n);
    return n;
}

/* --- flood guard ------------------------------------------------------------ */

typedef struct flood_entry {
    uint64_t window;           /* window the count belongs to */
    uint32_t count;            /* matches in that window */
    uint32_t n_sellers;        /* distinct sellers among them, up to min_sellers */
    uint64_t *sellers;         /* their hashes (allocated on the first match) */
    double baseline;           /* matches per window before, smoothed */
    int quarantined;
} flood_entry;

struct dj_flood {
    pthread_mutex_t mu;
    flood_entry *e;
    size_t n;
    dj_flood_opts o;
};

dj_flood *dj_flood_new(size_t n, const dj_flood_opts *o)
{
    dj_flood *f = dj_xcalloc(1, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    f->e = dj_xcalloc(n ? n : 1, sizeof *f->e);
    f->n = n;
    f->o.window_s = o && o->window_s ? o->window_s : 3600;
    f->o.min_matches = o && o->min_matches ? o->min_matches : 50;
    f->o.factor = o && o->factor > 0 ? o->factor : 10;
    f->o.min_sellers = o && o->min_sellers ? o->min_sellers : 10;
    if (f->o.min_sellers > f->o.min_matches)
        f->o.min_sellers = f->o.min_matches;
    return f;
}

void dj_flood_free(dj_flood *f)
{
    if (!f)
        return;
    pthread_mutex_destroy(&f->mu);
    for (size_t i = 0; i < f->n; i++)
        free(f->e[i].sellers);
    free(f->e);
    free(f);
}

uint64_t dj_flood_seller(const char *id, size_t len)
{
    /* FNV-1a: telling a window's sellers apart needs no secret; a forged
     * collision only merges two sellers, which makes a flood harder. */
    return dj_fnv1a(DJ_FNV1A_SEED, id, len);
}

/* Notes seller among entry e's distinct sellers this window; only up to
 * min_sellers are kept, which is all the rule asks. */
static void note_seller(dj_flood *f, flood_entry *e, uint64_t seller)
{
    if (e->n_sellers >= f->o.min_sellers)
        return;
    for (uint32_t k = 0; k < e->n_sellers; k++)
        if (e->sellers[k] == seller)
            return;
    if (!e->sellers)
        e->sellers = dj_xmalloc(f->o.min_sellers * sizeof *e->sellers);
    e->sellers[e->n_sellers++] = seller;
}

int dj_flood_hit(dj_flood *f, size_t i, uint64_t now_s, uint64_t seller)
{
    if (i >= f->n)
        return 0;
    uint64_t w = now_s / f->o.window_s;
    pthread_mutex_lock(&f->mu);
    flood_entry *e = &f->e[i];
    if (e->window != w) {
        /* Fold the finished windows into the baseline; empty windows in
         * between pull it down. */
        uint64_t gap = w > e->window ? w - e->window : 1;
        e->baseline = e->baseline * 0.5 + e->count * 0.5;
        for (uint64_t k = 1; k < gap && k < 64 && e->baseline > 0.01; k++)
            e->baseline *= 0.5;
        e->window = w;
        e->count = 0;
        e->n_sellers = 0;
    }
    e->count++;
    note_seller(f, e, seller);
    double base = e->baseline > 1 ? e->baseline : 1;
    if (!e->quarantined && e->count >= f->o.min_matches && e->count > f->o.factor * base &&
        e->n_sellers >= f->o.min_sellers)
        e->quarantined = 1;
    int q = e->quarantined;
    pthread_mutex_unlock(&f->mu);
    return q;
}
int dj_flood_quarantined(const dj_flood *f, size_t i)
{
    return i < f->n && f->e[i].quarantined;
}

void dj_flood_release(dj_flood *f, size_t i)
{
    if (i >= f->n)
        return;
    pthread_mutex_lock(&f->mu);
    f->e[i].quarantined = 0;
    f->e[i].baseline = f->e[i].count; /* the new normal */
    pthread_mutex_unlock(&f->mu);
}

void dj_flood_quarantine(dj_flood *f, size_t i)
{
    if (i >= f->n)
        return;
    pthread_mutex_lock(&f->mu);
    f->e[i].quarantined = 1;
    pthread_mutex_unlock(&f->mu);
}

void dj_flood_copy(dj_flood *dst, size_t i, const dj_flood *src, size_t j)
{
    if (i >= dst->n || j >= src->n)
        return;
    pthread_mutex_lock((pthread_mutex_t *)&src->mu);
    flood_entry e = src->e[j];
    uint64_t *sellers = e.n_sellers ? dj_xmalloc(e.n_sellers * sizeof *sellers) : NULL;
    if (e.n_sellers)
        memcpy(sellers, e.sellers, e.n_sellers * sizeof *sellers);
    pthread_mutex_unlock((pthread_mutex_t *)&src->mu);
    pthread_mutex_lock(&dst->mu);
    flood_entry *d = &dst->e[i];
    uint64_t *keep = d->sellers;
    *d = e;
    d->sellers = keep;
    d->n_sellers = 0;
    for (uint32_t k = 0; k < e.n_sellers; k++)
        note_seller(dst, d, sellers[k]);
    pthread_mutex_unlock(&dst->mu);
    free(sellers);
}

void dj_flood_counts(const dj_flood *f, size_t i, uint32_t *matches, double *baseline, uint32_t *sellers)
{
    *matches = 0;
    *baseline = 0;
    *sellers = 0;
    if (i >= f->n)
        return;
    pthread_mutex_lock((pthread_mutex_t *)&f->mu);
    *matches = f->e[i].count;
    *baseline = f->e[i].baseline;
    *sellers = f->e[i].n_sellers;
    pthread_mutex_unlock((pthread_mutex_t *)&f->mu);
}
