/*
 * Tests for src/image: bit-exactness against Meta's C++ reference on its
 * own test images (tests/data/image), the dihedral hashes, the modified
 * bridge photos matching the original, bad input, hex parsing, and the
 * multi-index bank against brute force and the upstream MIH answers.
 */
#include "test.h"
#include "image/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *path_of(const char *rel)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/image/%s", dj_test_data_dir(), rel);
    return buf;
}

static void test_pdq_bit_exact_with_reference(void)
{
    FILE *f = fopen(path_of("expected_pdq.csv"), "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[1024];
    int exact = 0, refused = 0;
    fgets(line, sizeof line, f);
    while (fgets(line, sizeof line, f)) {
        char file[256], hex[80], status[32];
        int quality = -1;
        char *p = line;
        char *fields[6] = {0};
        for (int k = 0; k < 6 && p; k++) {
            fields[k] = p;
            p = strchr(p, ',');
            if (p)
                *p++ = '\0';
        }
        snprintf(file, sizeof file, "%s", fields[0]);
        snprintf(hex, sizeof hex, "%s", fields[1]);
        if (fields[2] && *fields[2])
            quality = atoi(fields[2]);
        snprintf(status, sizeof status, "%s", fields[4] ? fields[4] : "");
        dj_image *img = NULL;
        dj_err err = {0};
        dj_rc rc = dj_image_load(path_of(file), &img, &err);
        if (strcmp(status, "ok") != 0) {
            /* The reference refuses alpha and CMYK; we hash them (decided,
             * documented in docs/images.md) and must not fail. */
            CHECK_OK(rc, &err);
            refused++;
            dj_image_free(img);
            continue;
        }
        CHECK_OK(rc, &err);
        if (rc)
            continue;
        dj_pdq h;
        int q;
        CHECK_OK(dj_pdq_hash(img, &h, &q, NULL, &err), &err);
        char got[65];
        dj_pdq_to_hex(&h, got);
        if (strcmp(got, hex) != 0 || q != quality)
            dj_test_fail(__FILE__, __LINE__, "%s: %s q%d, reference %s q%d", file, got, q, hex, quality);
        else
            exact++;
        dj_image_free(img);
    }
    fclose(f);
    CHECK_EQ(exact, 36);
    CHECK_EQ(refused, 3);
}

static void test_pdq_dihedral_equal_reference(void)
{
    FILE *f = fopen(path_of("expected_dihedral.csv"), "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[512], last[256] = "";
    dj_pdq d[DJ_PDQ_N_DIHEDRAL];
    int n = 0;
    fgets(line, sizeof line, f);
    while (fgets(line, sizeof line, f)) {
        char *file = strtok(line, ","), *xf = strtok(NULL, ","), *hex = strtok(NULL, ",\n");
        if (!file || !xf || !hex)
            continue;
        if (strcmp(file, last)) {
            dj_image *img = NULL;
            dj_err err = {0};
            dj_pdq h;
            int q;
            CHECK_OK(dj_image_load(path_of(file), &img, &err), &err);
            if (img)
                CHECK_OK(dj_pdq_hash(img, &h, &q, d, &err), &err);
            dj_image_free(img);
            snprintf(last, sizeof last, "%s", file);
        }
        for (int k = 0; k < DJ_PDQ_N_DIHEDRAL; k++)
            if (!strcmp(xf, dj_pdq_dihedral_name(k))) {
                char got[65];
                dj_pdq_to_hex(&d[k], got);
                if (strcmp(got, hex))
                    dj_test_fail(__FILE__, __LINE__, "%s %s: %s, reference %s", file, xf, got, hex);
                n++;
            }
    }
    fclose(f);
    CHECK_EQ(n, 288);
}

static void test_pdq_bridge_mods_match_original(void)
{
    static const char *const mods[] = {"blur-a-little", "blur-a-lot", "high-contrast", "high-saturation",
                                       "sharpen-a-little", "sharpen-a-lot", "shrink-a-little", "shrink-a-lot",
                                       "square-128x128", "square-256x256", "square-512x512"};
    dj_image *img = NULL;
    dj_err err = {0};
    dj_pdq orig, h;
    int q;
    CHECK_OK(dj_image_load(path_of("images/bridge-mods/aaa-orig.jpg"), &img, &err), &err);
    CHECK_OK(dj_pdq_hash(img, &orig, &q, NULL, &err), &err);
    dj_image_free(img);
    for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "images/bridge-mods/%s.jpg", mods[i]);
        img = NULL;
        CHECK_OK(dj_image_load(path_of(rel), &img, &err), &err);
        if (!img)
            continue;
        CHECK_OK(dj_pdq_hash(img, &h, &q, NULL, &err), &err);
        if (dj_pdq_distance(&orig, &h) > DJ_PDQ_MATCH_DISTANCE)
            dj_test_fail(__FILE__, __LINE__, "%s at distance %d", mods[i], dj_pdq_distance(&orig, &h));
        dj_image_free(img);
    }
}

static void test_image_rejects_bad_input(void)
{
    dj_image *img = NULL;
    dj_err err = {0};
    CHECK_EQ(dj_image_decode((const uint8_t *)"GIF89a....", 10, &img, &err), DJ_EINVAL);
    CHECK(strstr(err.msg, "not a JPEG, PNG or WebP") != NULL);
    /* A truncated JPEG and PNG: clear errors, no crash. */
    FILE *f = fopen(path_of("images/labelme-subset/q0122.jpg"), "rb");
    uint8_t buf[8192];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    CHECK(n > 1000);
    dj_rc rc = dj_image_decode(buf, 600, &img, &err);
    /* libjpeg pads a truncated scan with grey and warns; a cut header fails. */
    if (rc == DJ_OK)
        dj_image_free(img);
    img = NULL;
    CHECK_EQ(dj_image_decode(buf, 40, &img, &err), DJ_EPARSE);
    CHECK(strstr(err.msg, "JPEG") != NULL);
    f = fopen(path_of("images/modes/L.png"), "rb");
    n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    CHECK_EQ(dj_image_decode(buf, 2000, &img, &err), DJ_EPARSE);
    CHECK(strstr(err.msg, "PNG") != NULL);
    CHECK_EQ(dj_image_decode((const uint8_t *)"RIFF\x10\0\0\0WEBPVP8 ", 16, &img, &err), DJ_EPARSE);
    CHECK_EQ(dj_image_load("/nonexistent/x.jpg", &img, &err), DJ_EIO);
}

static void test_pdq_hex_roundtrip_and_errors(void)
{
    const char *hex = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
    dj_pdq h;
    dj_err err = {0};
    CHECK_OK(dj_pdq_from_hex(hex, 64, &h, &err), &err);
    char out[65];
    dj_pdq_to_hex(&h, out);
    CHECK_STR(out, hex);
    CHECK_EQ(dj_pdq_from_hex(hex, 63, &h, &err), DJ_EINVAL);
    CHECK_EQ(dj_pdq_from_hex("zz", 2, &h, &err), DJ_EINVAL);
    char bad[65];
    memcpy(bad, hex, 65);
    bad[17] = 'g';
    CHECK_EQ(dj_pdq_from_hex(bad, 64, &h, &err), DJ_EINVAL);
    CHECK(strstr(err.msg, "character 17") != NULL);
}

/* Every byte value at every position of a hash of zeros: accepted exactly
 * when it is a hex digit of either case, decoded into its own nibble, and
 * otherwise named by position. Then random hashes printed in mixed case
 * read back the same. Holds the SSE2 decoder to the byte loop's rules. */
static void test_pdq_hex_every_byte_everywhere(void)
{
    int wrong = 0;
    for (int pos = 0; pos < 64; pos++)
        for (int byte = 0; byte < 256; byte++) {
            char hex[64];
            memset(hex, '0', sizeof hex);
            hex[pos] = (char)byte;
            int v = byte >= '0' && byte <= '9' ? byte - '0'
                    : byte >= 'a' && byte <= 'f' ? byte - 'a' + 10
                    : byte >= 'A' && byte <= 'F' ? byte - 'A' + 10 : -1;
            dj_pdq h, want;
            memset(&want, 0, sizeof want);
            if (v >= 0)
                want.h[pos / 2] = (uint8_t)(pos % 2 ? v : v << 4);
            dj_err err = {0};
            dj_rc rc = dj_pdq_from_hex(hex, 64, &h, &err);
            char at[32];
            snprintf(at, sizeof at, "character %d ", pos);
            int ok = v >= 0 ? rc == DJ_OK && !memcmp(&h, &want, sizeof h)
                            : rc == DJ_EINVAL && strstr(err.msg, at) != NULL;
            if (!ok && wrong++ < 5)
                dj_test_fail(__FILE__, __LINE__, "byte 0x%02x at %d: rc %d, %s", byte, pos, rc, err.msg);
        }
    CHECK_EQ(wrong, 0);
    uint64_t x = 88172645463325252ull;
    for (int k = 0; k < 2000; k++) {
        dj_pdq h, back;
        for (int i = 0; i < 32; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            h.h[i] = (uint8_t)x;
        }
        char hex[65];
        dj_pdq_to_hex(&h, hex);
        for (int i = 0; i < 64; i++)
            if ((x >> (i % 64) & 1) && hex[i] >= 'a')
                hex[i] = (char)(hex[i] - 'a' + 'A');
        CHECK_EQ(dj_pdq_from_hex(hex, 64, &back, NULL), DJ_OK);
        CHECK(!memcmp(&h, &back, sizeof h));
    }
}

static int read_hashes(const char *rel, dj_pdq **out)
{
    FILE *f = fopen(path_of(rel), "r");
    if (!f)
        return 0;
    char line[256];
    int n = 0, cap = 2048;
    *out = malloc(sizeof(dj_pdq) * (size_t)cap);
    while (fgets(line, sizeof line, f) && n < cap)
        if (dj_pdq_from_hex(line, 64, &(*out)[n], NULL) == DJ_OK)
            n++;
    fclose(f);
    return n;
}

static void test_bank_mih_equals_brute_force_and_upstream(void)
{
    dj_pdq *hay = NULL, *needles = NULL;
    int nh = read_hashes("haystack.txt", &hay), nn = read_hashes("needles.txt", &needles);
    CHECK_EQ(nh, 1350);
    CHECK_EQ(nn, 100);
    dj_bank_entry *e = calloc((size_t)nh, sizeof *e);
    for (int i = 0; i < nh; i++)
        e[i] = (dj_bank_entry){hay[i], (uint32_t)i + 1, 0, DJ_BANK_COUNTERFEIT};
    dj_bank *b = dj_bank_new(e, (size_t)nh);
    dj_bank_match m1[512], m2[512];
    size_t total = 0;
    for (int q = 0; q < nn; q++) {
        size_t a = dj_bank_search(b, &needles[q], 32, m1, 512);
        size_t c = dj_bank_search_linear(b, &needles[q], 32, m2, 512);
        CHECK_EQ(a, c);
        for (size_t i = 0; i < a && i < c; i++)
            if (m1[i].index != m2[i].index || m1[i].distance != m2[i].distance)
                dj_test_fail(__FILE__, __LINE__, "needle %d: match %zu differs", q, i);
        total += a;
    }
    /* needle_matches_le32.csv lists 250 pairs within 32 (all within 31). */
    CHECK_EQ(total, 250);
    size_t at31 = 0;
    for (int q = 0; q < nn; q++)
        at31 += dj_bank_search(b, &needles[q], 31, m1, 512);
    CHECK_EQ(at31, 250);
    dj_bank_unref(b);
    free(e);
    free(hay);
    free(needles);
}

static void test_bank_random_radii_agree(void)
{
    /* Random hashes with planted neighbours at every distance up to 63. */
    size_t n = 20000;
    dj_bank_entry *e = calloc(n, sizeof *e);
    uint64_t s = 42;
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 32; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            e[i].hash.h[k] = (uint8_t)(s >> 56);
        }
        e[i].id = (uint32_t)i;
    }
    for (size_t i = 1; i < 64; i++) {
        e[i].hash = e[0].hash;
        for (size_t bit = 0; bit < i; bit++)
            e[i].hash.h[(bit * 7) % 32] ^= (uint8_t)(1u << (bit % 8));
    }
    dj_bank *b = dj_bank_new(e, n);
    dj_bank_match m1[256], m2[256];
    for (int r = 0; r <= 63; r += 7) {
        size_t a = dj_bank_search(b, &e[0].hash, r, m1, 256), c = dj_bank_search_linear(b, &e[0].hash, r, m2, 256);
        CHECK_EQ(a, c);
        for (size_t i = 0; i < a && i < c && i < 256; i++)
            CHECK_EQ(m1[i].index, m2[i].index);
    }
    dj_bank_unref(b);
    free(e);
}

static void clusters_case(size_t filler)
{
    /* Real banks hold clusters: the same photo added many times, crops and
     * re-encodes a few bits apart. Thousands of entries then share chunk
     * values, which the index files as long overflow runs; duplicates of
     * every size up to 40 and a big cluster must all be found, and the
     * result must equal a linear scan's for queries inside and outside. */
    size_t n = 0, cap = 12000 + filler;
    dj_bank_entry *e = calloc(cap, sizeof *e);
    uint64_t s = 7;
    dj_pdq base[41];
    for (int g = 0; g <= 40; g++)
        for (int k = 0; k < 32; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            base[g].h[k] = (uint8_t)(s >> 56);
        }
    for (int g = 1; g <= 40; g++) /* group g: g exact copies */
        for (int k = 0; k < g; k++, n++)
            e[n] = (dj_bank_entry){base[g], (uint32_t)n, 0, DJ_BANK_COUNTERFEIT};
    while (n < cap - filler) { /* group 0: a cluster of variants up to 20 bits away */
        dj_pdq h = base[0];
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        for (int f = (int)(s >> 59); f > 0; f--) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            h.h[(s >> 40) % 32] ^= (uint8_t)(1u << ((s >> 32) % 8));
        }
        e[n] = (dj_bank_entry){h, (uint32_t)n, 0, DJ_BANK_COUNTERFEIT};
        n++;
    }
    for (; n < cap; n++) { /* unrelated photos, to make the slots wider */
        for (int k = 0; k < 32; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            e[n].hash.h[k] = (uint8_t)(s >> 56);
        }
        e[n] = (dj_bank_entry){e[n].hash, (uint32_t)n, 0, DJ_BANK_COUNTERFEIT};
    }
    dj_bank *b = dj_bank_new(e, n);
    dj_bank_match *m1 = calloc(n, sizeof *m1), *m2 = calloc(n, sizeof *m2);
    for (int g = 0; g <= 40; g++) {
        dj_pdq q = base[g];
        q.h[3] ^= 0x81; /* 2 bits away */
        size_t a = dj_bank_search(b, &q, 31, m1, n), c = dj_bank_search_linear(b, &q, 31, m2, n);
        CHECK_EQ(a, c);
        CHECK(g == 0 ? a > 8000 : a == (size_t)g);
        for (size_t i = 0; i < a && i < c; i++)
            if (m1[i].index != m2[i].index || m1[i].distance != m2[i].distance)
                dj_test_fail(__FILE__, __LINE__, "group %d: match %zu differs", g, i);
    }
    dj_bank_unref(b);
    free(m1);
    free(m2);
    free(e);
}

static void test_bank_clusters_agree(void)
{
    clusters_case(0);      /* slots of one entry */
    clusters_case(120000); /* slots of two */
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 32;
}

/* dj_bank_search_many against one query at a time: same counts, same
 * matches in the same order, with a cap below the counts. */
static void check_many(const dj_bank *b, const dj_pdq *q, size_t nq, int r, size_t cap)
{
    dj_bank_match *m = calloc(nq * cap, sizeof *m), one[64];
    size_t *counts = calloc(nq, sizeof *counts);
    dj_bank_search_many(b, q, nq, r, m, cap, counts);
    for (size_t i = 0; i < nq; i++) {
        size_t n = dj_bank_search(b, &q[i], r, one, cap);
        if (counts[i] != n) {
            dj_test_fail(__FILE__, __LINE__, "r %d query %zu of %zu: %zu matches, one by one %zu", r, i, nq,
                         counts[i], n);
            break;
        }
        for (size_t k = 0; k < n && k < cap; k++)
            if (m[i * cap + k].index != one[k].index || m[i * cap + k].distance != one[k].distance) {
                dj_test_fail(__FILE__, __LINE__, "r %d query %zu: match %zu differs", r, i, k);
                break;
            }
    }
    free(m);
    free(counts);
}

static void test_bank_many_equals_one_by_one(void)
{
    /* Random photos, clusters of copies (long overflow runs) and queries
     * at every distance from entries, plus unrelated ones: the sorted
     * batch path must find exactly what the one-query path finds. */
    uint64_t s = 11;
    size_t n = 30000, nq = 3000;
    dj_bank_entry *e = calloc(n, sizeof *e);
    for (size_t i = 0; i < n; i++) {
        if (i >= 1000 && i < 1400) { /* 8 photos, 50 copies each, a few bits apart */
            e[i].hash = e[i % 8].hash;
            e[i].hash.h[lcg(&s) % 32] ^= (uint8_t)(1u << lcg(&s) % 8);
        } else {
            for (int k = 0; k < 32; k++)
                e[i].hash.h[k] = (uint8_t)lcg(&s);
        }
        e[i] = (dj_bank_entry){e[i].hash, (uint32_t)i, 0, DJ_BANK_OFFICIAL};
    }
    dj_bank *b = dj_bank_new(e, n);
    dj_pdq *q = calloc(nq, sizeof *q);
    for (size_t i = 0; i < nq; i++) {
        if (i % 4 == 3) {
            for (int k = 0; k < 32; k++)
                q[i].h[k] = (uint8_t)lcg(&s);
            continue;
        }
        q[i] = e[i % 16 == 0 ? i % 8 : lcg(&s) % n].hash;
        for (int f = (int)(i % 48); f > 0; f--)
            q[i].h[lcg(&s) % 32] ^= (uint8_t)(1u << lcg(&s) % 8);
    }
    check_many(b, q, nq, 31, 4);
    check_many(b, q, nq, 15, 64);
    check_many(b, q, nq, 0, 2);
    check_many(b, q, nq, 40, 8);
    check_many(b, q, 10, 31, 4); /* below DJ_BANK_MANY_MIN: one by one */
    dj_bank_unref(b);
    /* More queries than one block holds (65,536), on a small bank. */
    dj_bank *small = dj_bank_new(e + 1000, 2000);
    size_t big = 70000;
    dj_pdq *bq = calloc(big, sizeof *bq);
    for (size_t i = 0; i < big; i++) {
        bq[i] = e[1000 + lcg(&s) % 2000].hash;
        bq[i].h[lcg(&s) % 32] ^= 0x11;
    }
    check_many(small, bq, big, 31, 4);
    dj_bank_unref(small);
    free(bq);
    free(q);
    free(e);
}

static void pigeonhole_case(size_t filler)
{
    /* The hardest matches for multi-index hashing: every chunk but one
     * differs in two bits, so the entry is found only through that one
     * chunk, exactly or one bit away: each of the 16 chunks, each of its
     * 17 probes (the value itself and every bit flipped), at distance 30
     * or 31, among filler random entries (40,000: 46% of each chunk's
     * values filed, ranks count; 250,000: slots of four entries and
     * overflow runs past them). The single and the batched search must
     * find every one, as a linear scan does. */
    uint64_t s = 5;
    size_t planted = 16 * 17, n = filler + planted;
    dj_bank_entry *e = calloc(n, sizeof *e);
    dj_pdq *q = calloc(planted, sizeof *q);
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 32; k++)
            e[i].hash.h[k] = (uint8_t)lcg(&s);
        e[i].id = (uint32_t)i;
    }
    for (size_t p = 0; p < planted; p++) {
        int c = (int)(p / 17), probe = (int)(p % 17); /* 0: exact, else bit probe - 1 flipped */
        q[p] = e[filler + p].hash;
        for (int other = 0; other < 16; other++) {
            uint16_t flip = (uint16_t)(other == c ? (probe ? 1u << (probe - 1) : 0u)
                                                  : (1u << (lcg(&s) % 8)) | (1u << (8 + lcg(&s) % 8)));
            q[p].h[2 * other] ^= (uint8_t)(flip >> 8);
            q[p].h[2 * other + 1] ^= (uint8_t)flip;
        }
        CHECK_EQ(dj_pdq_distance(&q[p], &e[filler + p].hash), probe ? 31 : 30);
    }
    dj_bank *b = dj_bank_new(e, n);
    dj_bank_match m1[16], m2[16];
    size_t found = 0;
    for (size_t p = 0; p < planted; p++) {
        size_t a = dj_bank_search(b, &q[p], 31, m1, 16), c = dj_bank_search_linear(b, &q[p], 31, m2, 16);
        CHECK_EQ(a, c);
        for (size_t k = 0; k < a && k < 16; k++)
            found += m1[k].index == filler + p;
        if (a != c || !a)
            dj_test_fail(__FILE__, __LINE__, "chunk %zu probe %zu: %zu matches, linear %zu", p / 17, p % 17, a, c);
    }
    CHECK_EQ(found, planted);
    check_many(b, q, planted, 31, 16);
    dj_bank_unref(b);
    free(q);
    free(e);
}

static void test_bank_pigeonhole_tight_matches(void)
{
    pigeonhole_case(40000);  /* slots of one entry */
    pigeonhole_case(250000); /* slots of four, runs past them */
}

static void test_flood_guard_quarantines_a_flood(void)
{
    dj_flood_opts o = {100, 20, 5, 4};
    dj_flood *f = dj_flood_new(4, &o);
    /* Entry 0: 10 matches per window, steady. Entry 1: steady, then 200 at
     * once from 8 sellers. Entry 2: steady, then 200 at once from one
     * seller, and later from 3 (below the 4 sellers asked for). */
    uint64_t t = 0;
    for (int w = 0; w < 5; w++, t += 100)
        for (int k = 0; k < 10; k++) {
            CHECK_EQ(dj_flood_hit(f, 0, t, dj_flood_seller("a", 1)), 0);
            CHECK_EQ(dj_flood_hit(f, 1, t, dj_flood_seller("a", 1)), 0);
            CHECK_EQ(dj_flood_hit(f, 2, t, dj_flood_seller("a", 1)), 0);
        }
    int q = 0, q2 = 0;
    char seller[8];
    for (int k = 0; k < 200; k++) {
        snprintf(seller, sizeof seller, "s%d", k % 8);
        q = dj_flood_hit(f, 1, t, dj_flood_seller(seller, strlen(seller)));
        q2 |= dj_flood_hit(f, 2, t, dj_flood_seller("s0", 2));
    }
    CHECK_EQ(q, 1);
    CHECK_EQ(q2, 0); /* one seller flooding: a counterfeiter, not a stock photo */
    uint32_t matches, sellers;
    double base;
    dj_flood_counts(f, 2, &matches, &base, &sellers);
    CHECK_EQ(matches, 200);
    CHECK_EQ(sellers, 1);
    for (int k = 0; k < 200; k++) {
        snprintf(seller, sizeof seller, "s%d", k % 3);
        q2 |= dj_flood_hit(f, 2, t, dj_flood_seller(seller, strlen(seller)));
    }
    CHECK_EQ(q2, 0);
    CHECK_EQ(dj_flood_hit(f, 2, t, dj_flood_seller("s3", 2)), 1); /* the fourth seller */
    CHECK(dj_flood_quarantined(f, 1));
    CHECK(!dj_flood_quarantined(f, 0));
    dj_flood_counts(f, 1, &matches, &base, &sellers);
    CHECK_EQ(sellers, 4); /* counted up to what the rule needs */
    /* A rebuilt bank's counters carry the sellers over. */
    dj_flood *g = dj_flood_new(1, &o);
    dj_flood_copy(g, 0, f, 2);
    dj_flood_counts(g, 0, &matches, &base, &sellers);
    CHECK_EQ(sellers, 4);
    dj_flood_free(g);
    dj_flood_release(f, 1);
    CHECK(!dj_flood_quarantined(f, 1));
    CHECK_EQ(dj_flood_hit(f, 7, t, 0), 0); /* out of range: ignored */
    dj_flood_free(f);
}

static const dj_test tests[] = {
    DJ_TEST(test_pdq_bit_exact_with_reference),
    DJ_TEST(test_pdq_dihedral_equal_reference),
    DJ_TEST(test_pdq_bridge_mods_match_original),
    DJ_TEST(test_image_rejects_bad_input),
    DJ_TEST(test_pdq_hex_roundtrip_and_errors),
    DJ_TEST(test_pdq_hex_every_byte_everywhere),
    DJ_TEST(test_bank_mih_equals_brute_force_and_upstream),
    DJ_TEST(test_bank_random_radii_agree),
    DJ_TEST(test_bank_clusters_agree),
    DJ_TEST(test_bank_many_equals_one_by_one),
    DJ_TEST(test_bank_pigeonhole_tight_matches),
    DJ_TEST(test_flood_guard_quarantines_a_flood),
};
DJ_TEST_SUITE(tests)
