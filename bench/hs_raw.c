/*
 * bench/hs_raw: the matcher alone, as the peer for dajia's end-to-end scan.
 *   hs_raw TERMS TEXT [REPEATS]
 * Compiles every line of TERMS as a literal into one Hyperscan block-mode
 * database (as a program using Hyperscan directly would), then scans each
 * line of TEXT with hs_scan, counting matches. Prints the median of REPEATS
 * runs (default 3) as MB/s and lines/s, and the compile time.
 */
#include <hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (fread(p, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(p);
        return NULL;
    }
    fclose(f);
    p[n] = '\0';
    *len = (size_t)n;
    return p;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    (*(unsigned long long *)ctx)++;
    return 0;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: hs_raw TERMS TEXT [REPEATS]\n");
        return 2;
    }
    int reps = argc > 3 ? atoi(argv[3]) : 3;
    size_t tlen, xlen;
    char *terms = slurp(argv[1], &tlen), *text = slurp(argv[2], &xlen);
    if (!terms || !text) {
        fprintf(stderr, "hs_raw: cannot read inputs\n");
        return 1;
    }
    size_t n = 0, cap = 1024;
    const char **pats = malloc(cap * sizeof *pats);
    size_t *lens = malloc(cap * sizeof *lens);
    for (char *p = terms, *e; p < terms + tlen; p = e + 1) {
        e = memchr(p, '\n', (size_t)(terms + tlen - p));
        if (!e)
            e = terms + tlen;
        if (e == p)
            continue;
        if (n == cap) {
            cap *= 2;
            pats = realloc(pats, cap * sizeof *pats);
            lens = realloc(lens, cap * sizeof *lens);
        }
        pats[n] = p;
        lens[n++] = (size_t)(e - p);
    }
    unsigned *flags = calloc(n, sizeof *flags), *ids = malloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = (unsigned)i;
    hs_database_t *db;
    hs_compile_error_t *ce;
    double t0 = now_s();
    if (hs_compile_lit_multi(pats, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL, &db, &ce) != HS_SUCCESS) {
        fprintf(stderr, "hs_raw: compile: %s\n", ce->message);
        return 1;
    }
    double compile_s = now_s() - t0;
    hs_scratch_t *scratch = NULL;
    hs_alloc_scratch(db, &scratch);
    size_t lines = 0;
    for (size_t i = 0; i < xlen; i++)
        lines += text[i] == '\n';
    double *runs = malloc((size_t)reps * sizeof *runs);
    unsigned long long matches = 0;
    for (int r = 0; r < reps; r++) {
        matches = 0;
        t0 = now_s();
        for (char *p = text, *e; p < text + xlen; p = e + 1) {
            e = memchr(p, '\n', (size_t)(text + xlen - p));
            if (!e)
                e = text + xlen;
            hs_scan(db, p, (unsigned)(e - p), 0, scratch, on_match, &matches);
        }
        runs[r] = now_s() - t0;
    }
    qsort(runs, (size_t)reps, sizeof *runs, cmp_d);
    double med = runs[reps / 2];
    printf("{\"patterns\":%zu,\"compile_s\":%.2f,\"lines\":%zu,\"bytes\":%zu,\"matches\":%llu,\"seconds\":%.3f,"
           "\"mb_s\":%.1f,\"lines_s\":%.0f}\n",
           n, compile_s, lines, xlen, matches, med, xlen / med / 1e6, lines / med);
    hs_free_scratch(scratch);
    hs_free_database(db);
    free(runs);
    free(flags);
    free(ids);
    free(pats);
    free(lens);
    free(terms);
    free(text);
    return 0;
}
