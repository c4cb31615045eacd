/*
 * bench/image_bench: PDQ speed and bank search speed.
 *   image_bench hash IMAGE...     decode and hash each image REPS times;
 *                                 median ms per image for decode, for hash
 *                                 (resize + filter + DCT), and total
 *   image_bench bank N Q          a bank of N random hashes with Q planted
 *                                 near-duplicates (1..31 bits away); Q
 *                                 queries at d = 31 through the multi-index
 *                                 search and through a batched brute-force
 *                                 popcount scan (64 queries a pass): p50/p99,
 *                                 recall of the planted ones, identical results
 * Output: one JSON object per run.
 */
#include "image/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)n);
    *len = fread(p, 1, (size_t)n, f);
    fclose(f);
    return p;
}

static int bench_hash(int n, char **paths, int reps)
{
    double *dec = calloc((size_t)reps, sizeof *dec), *hsh = calloc((size_t)reps, sizeof *hsh);
    int images = 0;
    for (int r = 0; r < reps; r++) {
        images = 0;
        for (int i = 0; i < n; i++) {
            size_t len;
            uint8_t *data = slurp(paths[i], &len);
            if (!data)
                continue;
            dj_image *img = NULL;
            double t0 = now();
            if (dj_image_decode(data, len, &img, NULL)) {
                free(data);
                continue;
            }
            double t1 = now();
            dj_pdq h;
            int q;
            dj_pdq_hash(img, &h, &q, NULL, NULL);
            double t2 = now();
            dec[r] += t1 - t0;
            hsh[r] += t2 - t1;
            images++;
            dj_image_free(img);
            free(data);
        }
    }
    qsort(dec, (size_t)reps, sizeof *dec, cmp_d);
    qsort(hsh, (size_t)reps, sizeof *hsh, cmp_d);
    double d = dec[reps / 2] / images * 1e3, h = hsh[reps / 2] / images * 1e3;
    printf("{\"images\":%d,\"decode_ms\":%.3f,\"hash_ms\":%.3f,\"total_ms\":%.3f,\"images_per_s\":%.1f,"
           "\"images_per_s_hash_only\":%.1f}\n",
           images, d, h, d + h, 1e3 / (d + h), 1e3 / h);
    free(dec);
    free(hsh);
    return 0;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void random_hash(dj_pdq *h)
{
    for (int k = 0; k < 32; k += 8) {
        uint64_t v = next();
        memcpy(h->h + k, &v, 8);
    }
}

/* The baseline: every entry against every query, 64 queries a pass so an
 * entry is compared with all of them while it is in cache, hardware
 * popcount inlined (the way a brute-force matcher is made fast). */
__attribute__((target("popcnt"))) static void brute(const dj_bank_entry *e, size_t n, const dj_pdq *q, size_t nq,
                                                    const size_t *counts, size_t *total, size_t *mismatch)
{
    for (size_t base = 0; base < nq; base += 64) {
        size_t nb = nq - base < 64 ? nq - base : 64, cnt[64] = {0};
        uint64_t qw[64][4];
        for (size_t j = 0; j < nb; j++)
            memcpy(qw[j], q[base + j].h, 32);
        for (size_t i = 0; i < n; i++) {
            uint64_t w[4];
            memcpy(w, e[i].hash.h, 32);
            for (size_t j = 0; j < nb; j++) {
                int d = __builtin_popcountll(w[0] ^ qw[j][0]) + __builtin_popcountll(w[1] ^ qw[j][1]) +
                        __builtin_popcountll(w[2] ^ qw[j][2]) + __builtin_popcountll(w[3] ^ qw[j][3]);
                cnt[j] += d <= DJ_PDQ_MATCH_DISTANCE;
            }
        }
        for (size_t j = 0; j < nb; j++) {
            *total += cnt[j];
            *mismatch += cnt[j] != counts[base + j];
        }
    }
}

static int bench_bank(size_t n, size_t nq)
{
    dj_bank_entry *e = calloc(n, sizeof *e);
    dj_pdq *q = calloc(nq, sizeof *q);
    for (size_t i = 0; i < n; i++) {
        random_hash(&e[i].hash);
        e[i].id = (uint32_t)i;
    }
    /* Each query has a planted neighbour 1..31 bits away at a random index. */
    size_t *planted = calloc(nq, sizeof *planted);
    for (size_t i = 0; i < nq; i++) {
        random_hash(&q[i]);
        /* distinct entries: a later plant must not overwrite an earlier one */
        planted[i] = nq <= n ? i * (n / nq) + next() % (n / nq) : next() % n;
        e[planted[i]].hash = q[i];
        int flips = 1 + (int)(next() % 31);
        for (int f = 0; f < flips;) {
            int bit = (int)(next() % 256);
            uint8_t mask = (uint8_t)(1u << (bit & 7));
            if ((e[planted[i]].hash.h[bit >> 3] ^ q[i].h[bit >> 3]) & mask)
                continue; /* already flipped: flip another */
            e[planted[i]].hash.h[bit >> 3] ^= mask;
            f++;
        }
    }
    double t0 = now();
    dj_bank *b = dj_bank_new(e, n);
    double build = now() - t0;
    double *lat = calloc(nq, sizeof *lat);
    size_t found = 0, total = 0;
    dj_bank_match m[64];
    size_t *counts = calloc(nq, sizeof *counts);
    for (size_t i = 0; i < nq; i++) {
        double a = now();
        size_t k = dj_bank_search(b, &q[i], DJ_PDQ_MATCH_DISTANCE, m, 64);
        lat[i] = now() - a;
        counts[i] = k;
        total += k;
        for (size_t j = 0; j < k && j < 64; j++)
            if (m[j].index == planted[i])
                found++;
    }
    qsort(lat, nq, sizeof *lat, cmp_d);
    /* The same queries in batches, as a scan searches them (sorted probes):
     * time per query, and whether any result differs. */
    size_t batch = 4096, many_differing = 0;
    dj_bank_match *mm = calloc(batch * 64, sizeof *mm);
    size_t *mc = calloc(batch, sizeof *mc);
    t0 = now();
    for (size_t i = 0; i < nq; i += batch) {
        size_t k = nq - i < batch ? nq - i : batch;
        dj_bank_search_many(b, &q[i], k, DJ_PDQ_MATCH_DISTANCE, mm, 64, mc);
        for (size_t j = 0; j < k; j++)
            many_differing += mc[j] != counts[i + j];
    }
    double many = (now() - t0) / nq;
    free(mm);
    free(mc);
    /* Brute force, batched: 64 queries compared against each entry while
     * it is in cache, the way a brute-force matcher is run for speed. */
    size_t bf_total = 0, mismatch = 0;
    t0 = now();
    brute(e, n, q, nq, counts, &bf_total, &mismatch);
    double bf = (now() - t0) / nq;
    double p50 = lat[nq / 2], p99 = lat[nq * 99 / 100];
    printf("{\"bank\":%zu,\"queries\":%zu,\"build_s\":%.2f,\"mih_p50_us\":%.1f,\"mih_p99_us\":%.1f,"
           "\"brute_us_per_query\":%.1f,\"speedup_p50\":%.1f,\"recall_planted\":%.4f,\"matches\":%zu,"
           "\"brute_matches\":%zu,\"queries_differing\":%zu,\"batched_us_per_query\":%.2f,\"batched_differing\":%zu}\n",
           n, nq, build, p50 * 1e6, p99 * 1e6, bf * 1e6, bf / p50, (double)found / nq, total, bf_total, mismatch,
           many * 1e6, many_differing);
    dj_bank_unref(b);
    free(e);
    free(q);
    free(planted);
    free(lat);
    free(counts);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "hash"))
        return bench_hash(argc - 2, argv + 2, 5);
    if (argc == 4 && !strcmp(argv[1], "bank"))
        return bench_bank((size_t)atol(argv[2]), (size_t)atol(argv[3]));
    fprintf(stderr, "usage: image_bench hash IMAGE... | image_bench bank N QUERIES\n");
    return 2;
}
