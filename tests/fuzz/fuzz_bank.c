/* Fuzz target: hash bank searches. The input describes a small bank and
 * queries near its entries; the multi-index search, one query at a time
 * and batched, must return exactly what a linear scan returns (same count,
 * same matches nearest first, same distances) at the input's distance.
 *
 * Layout: byte 0 the distance (0-71: past 63 the search scans), byte 1 how
 * many seed hashes follow (1-16), the seeds (32 bytes each, zero-padded),
 * then flip records of 3 bytes (which seed, which bit, how many bits after
 * it in steps of 7) that make more entries and queries: near-duplicates,
 * hashes that agree with an entry in one chunk only, copies. */
#include "image/image.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ENTRIES 600
#define QUERIES 300 /* above DJ_BANK_MANY_MIN, so the batch is sorted */
#define CAP 8

static void flip(dj_pdq *h, unsigned bit)
{
    h->h[(bit / 8) % 32] ^= (uint8_t)(1u << (bit % 8));
}

static void same_or_die(const dj_bank_match *a, size_t na, const dj_bank_match *b, size_t nb)
{
    if (na != nb)
        abort();
    for (size_t i = 0; i < na && i < CAP; i++)
        if (a[i].index != b[i].index || a[i].distance != b[i].distance)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int d = data[0] % 72;
    size_t nseed = 1 + data[1] % 16, at = 2;
    dj_pdq seed[16];
    memset(seed, 0, sizeof seed);
    for (size_t s = 0; s < nseed; s++)
        for (int k = 0; k < 32 && at < size; k++)
            seed[s].h[k] = data[at++];
    /* Entries: the seeds, then one per flip record (a seed with a run of
     * bits flipped: near-duplicates and clusters). Queries: entry i % n
     * with bits flipped as the records say, alternately a few anywhere and
     * as tight as the pigeonhole allows. */
    static dj_bank_entry e[MAX_ENTRIES];
    size_t n = 0;
    for (size_t s = 0; s < nseed; s++, n++)
        e[n] = (dj_bank_entry){seed[s], (uint32_t)n, 0, DJ_BANK_COUNTERFEIT};
    size_t records = at < size ? (size - at) / 3 : 0;
    for (size_t r = 0; r < records && n < MAX_ENTRIES; r++, n++) {
        const uint8_t *p = data + at + 3 * r;
        dj_pdq h = seed[p[0] % nseed];
        for (unsigned k = 0; k <= p[2] % 48; k++)
            flip(&h, p[1] + 7 * k);
        e[n] = (dj_bank_entry){h, (uint32_t)n, 0, DJ_BANK_COUNTERFEIT};
    }
    dj_bank *b = dj_bank_new(e, n);
    static dj_pdq q[QUERIES];
    for (size_t i = 0; i < QUERIES; i++) {
        q[i] = e[i % n].hash;
        static const uint8_t no_record[3];
        const uint8_t *p = records ? data + at + 3 * ((i * 7 + 1) % records) : no_record;
        if (i % 2) { /* a few bits anywhere */
            for (unsigned k = 0; k < p[1] % 40; k++)
                flip(&q[i], p[2] + 11 * k + (unsigned)i);
            continue;
        }
        /* As tight as the pigeonhole allows: two bits off in every chunk
         * but one, which is exact or one bit off (distance 30 or 31; one
         * more bit there with i % 4 == 2, just out of reach at 31). */
        unsigned c = p[0] % 16, probe = p[1] % 17;
        for (unsigned k = 0; k < 16; k++)
            if (k != c) {
                flip(&q[i], 16 * k + (p[2] + k) % 8);
                flip(&q[i], 16 * k + 8 + (p[2] + 3 * k) % 8);
            }
        if (probe)
            flip(&q[i], 16 * c + (probe - 1) % 16);
        if (i % 4 == 2)
            flip(&q[i], 16 * c + (probe + 7) % 16);
    }
    static dj_bank_match many[QUERIES * CAP];
    static size_t counts[QUERIES];
    dj_bank_search_many(b, q, QUERIES, d, many, CAP, counts);
    for (size_t i = 0; i < QUERIES; i++) {
        dj_bank_match one[CAP], lin[CAP];
        size_t a = dj_bank_search(b, &q[i], d, one, CAP);
        size_t l = dj_bank_search_linear(b, &q[i], d, lin, CAP);
        same_or_die(one, a, lin, l);
        same_or_die(many + i * CAP, counts[i], lin, l);
    }
    dj_bank_unref(b);
    return 0;
}
