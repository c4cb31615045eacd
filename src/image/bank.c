/*
 * Hash banks searched by multi-index hashing (Norouzi et al.): the 256 bits
 * are cut into 16 chunks of 16 bits; two hashes within distance d agree to
 * within floor(d/16) bits on at least one chunk (pigeonhole), so a query
 * probes, for each chunk, every 16-bit value that close to its own chunk
 * (17 values at d = 31) and checks the entries filed there by popcount.
 * Each chunk's index is a CSR array over all 65,536 values whose slots hold
 * the entry index and a copy of the half of the hash the chunk is not in:
 * the candidates of one probe are contiguous in memory, so checking them
 * costs one cache miss, not one per candidate. The distance over 128 bits
 * is a lower bound of the whole distance, and for a random candidate it is
 * about 64, so only true matches (and one in ~10^8 others) go on to the
 * full check (20 bytes per entry and chunk: 320 MB for a million hashes).
 *
 * The flood guard at the end counts matches per entry and window.
 */
#include "image/image.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define CHUNKS 16

struct slot {
    uint32_t index;
    uint8_t half[16];        /* the other half of the hash */
} __attribute__((packed));

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
    uint64_t *occupied[CHUNKS]; /* bit v set when value v has entries: 8 KiB a
                                   chunk that stays in cache, where the offsets
                                   (256 KiB a chunk) do not */
    uint32_t *start[CHUNKS];   /* 65,537 offsets into ids[c] */
    struct slot *slots[CHUNKS]; /* entries filed by chunk value */
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

dj_bank *dj_bank_new(const dj_bank_entry *entries, size_t n)
{
    dj_bank *b = dj_xcalloc(1, sizeof *b);
    atomic_init(&b->refs, 1);
    b->n = n;
    b->e = dj_xmalloc((n ? n : 1) * sizeof *b->e);
    memcpy(b->e, entries, n * sizeof *b->e);
    for (int c = 0; c < CHUNKS; c++) {
        uint32_t *st = dj_xcalloc(65537, sizeof *st);
        for (size_t i = 0; i < n; i++)
            st[chunk(&b->e[i].hash, c) + 1]++;
        for (unsigned v = 0; v < 65536; v++)
            st[v + 1] += st[v];
        struct slot *slots = dj_xmalloc((n ? n : 1) * sizeof *slots);
        uint32_t *fill = dj_xmalloc(65536 * sizeof *fill);
        memcpy(fill, st, 65536 * sizeof *fill);
        for (size_t i = 0; i < n; i++) {
            struct slot *sl = &slots[fill[chunk(&b->e[i].hash, c)]++];
            sl->index = (uint32_t)i;
            memcpy(sl->half, other_half(&b->e[i].hash, c), 16);
        }
        free(fill);
        uint64_t *occ = dj_xcalloc(65536 / 64, sizeof *occ);
        for (unsigned v = 0; v < 65536; v++)
            if (st[v + 1] > st[v])
                occ[v >> 6] |= 1ULL << (v & 63);
        b->start[c] = st;
        b->slots[c] = slots;
        b->occupied[c] = occ;
    }
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
    for (int c = 0; c < CHUNKS; c++) {
        free(b->start[c]);
        free(b->slots[c]);
        free(b->occupied[c]);
    }
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

/* Collects matches into a growable array, deduplicated at the end. */
typedef struct found {
    dj_bank_match *m;
    size_t n, cap;
    dj_bank_match small[64];
} found;

static void add(found *f, uint32_t index, int d)
{
    if (f->n == f->cap) {
        size_t cap = f->cap * 2;
        dj_bank_match *m = dj_xmalloc(cap * sizeof *m);
        memcpy(m, f->m, f->n * sizeof *m);
        if (f->m != f->small)
            free(f->m);
        f->m = m;
        f->cap = cap;
    }
    f->m[f->n++] = (dj_bank_match){index, d};
}

static int cmp_index(const void *a, const void *b)
{
    const dj_bank_match *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* An entry found through several chunks is one match: unique by index,
 * then nearest first. */
static size_t finish(found *f, dj_bank_match *out, size_t cap)
{
    qsort(f->m, f->n, sizeof *f->m, cmp_index);
    size_t w = 0;
    for (size_t i = 0; i < f->n; i++)
        if (!w || f->m[w - 1].index != f->m[i].index)
            f->m[w++] = f->m[i];
    qsort(f->m, w, sizeof *f->m, cmp_match);
    for (size_t i = 0; i < w && i < cap; i++)
        out[i] = f->m[i];
    if (f->m != f->small)
        free(f->m);
    return w;
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

__attribute__((target_clones("popcnt", "default"))) size_t dj_bank_search(const dj_bank *b, const dj_pdq *q,
                                                                           int max_distance, dj_bank_match *out,
                                                                           size_t cap)
{
    if (max_distance < 0)
        return 0;
    if (max_distance > 63)
        return dj_bank_search_linear(b, q, max_distance, out, cap);
    found f = {NULL, 0, 64, {{0, 0}}};
    f.m = f.small;
    int r = max_distance / CHUNKS;
    /* The probes of a query touch memory all over the index; issue them in
     * waves with prefetches so the misses overlap instead of queueing: the
     * occupancy bitmaps (in cache) first, then the offsets of the occupied
     * values, then the slots. */
    unsigned vals[MAX_PROBES];
    uint32_t lo[MAX_PROBES], hi[MAX_PROBES];
    for (int c = 0; c < CHUNKS; c++) {
        size_t n = neighbours(chunk(q, c), r, vals), m = 0;
        const uint64_t *occ = b->occupied[c];
        const uint32_t *st = b->start[c];
        for (size_t p = 0; p < n; p++) {
            unsigned v = vals[p];
            if (occ[v >> 6] >> (v & 63) & 1) {
                __builtin_prefetch(&st[v]);
                vals[m++] = v;
            }
        }
        const struct slot *sl = b->slots[c];
        for (size_t p = 0; p < m; p++) {
            lo[p] = st[vals[p]];
            hi[p] = st[vals[p] + 1];
            __builtin_prefetch(&sl[lo[p]]);
        }
        const uint8_t *qh = other_half(q, c);
        for (size_t p = 0; p < m; p++)
            for (uint32_t k = lo[p]; k < hi[p]; k++) {
                if (half_distance(qh, sl[k].half) > max_distance)
                    continue;
                int d = dj_pdq_distance(q, &b->e[sl[k].index].hash);
                if (d <= max_distance)
                    add(&f, sl[k].index, d);
            }
    }
    return finish(&f, out, cap);
}

size_t dj_bank_search_linear(const dj_bank *b, const dj_pdq *q, int max_distance, dj_bank_match *out, size_t cap)
{
    found f = {NULL, 0, 64, {{0, 0}}};
    f.m = f.small;
    for (size_t i = 0; i < b->n; i++) {
        int d = dj_pdq_distance(q, &b->e[i].hash);
        if (d <= max_distance)
            add(&f, (uint32_t)i, d);
    }
    return finish(&f, out, cap);
}

/* --- flood guard ------------------------------------------------------------ */

typedef struct flood_entry {
    uint64_t window;           /* window the count belongs to */
    uint32_t count;            /* matches in that window */
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
    return f;
}

void dj_flood_free(dj_flood *f)
{
    if (!f)
        return;
    pthread_mutex_destroy(&f->mu);
    free(f->e);
    free(f);
}

int dj_flood_hit(dj_flood *f, size_t i, uint64_t now_s)
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
    }
    e->count++;
    double base = e->baseline > 1 ? e->baseline : 1;
    if (!e->quarantined && e->count >= f->o.min_matches && e->count > f->o.factor * base)
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
    pthread_mutex_unlock((pthread_mutex_t *)&src->mu);
    pthread_mutex_lock(&dst->mu);
    dst->e[i] = e;
    pthread_mutex_unlock(&dst->mu);
}

void dj_flood_counts(const dj_flood *f, size_t i, uint32_t *matches, double *baseline)
{
    *matches = 0;
    *baseline = 0;
    if (i >= f->n)
        return;
    pthread_mutex_lock((pthread_mutex_t *)&f->mu);
    *matches = f->e[i].count;
    *baseline = f->e[i].baseline;
    pthread_mutex_unlock((pthread_mutex_t *)&f->mu);
}
