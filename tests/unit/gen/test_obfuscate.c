/* Tests for src/gen/obfuscate.c: every class keeps the mark readable to a
 * person and changes what a naive matcher sees. */
#include <stdlib.h>

#include "test.h"
#include "gen/gen_int.h"
#include "util/utf8.h"

/* Writes mark with class ob using stream `seed`; returns a malloc'd copy. */
static char *obf(int ob, const char *mark, uint64_t seed)
{
    dj_gen__rng r;
    dj_buf b;
    dj_gen__rng_seed(&r, seed, 7);
    dj_buf_init(&b, 4096);
    dj_gen__obf_write(ob, mark, &r, &b);
    return dj_buf_steal(&b, NULL);
}

static size_t decode(const char *s, uint32_t *cp, size_t max)
{
    size_t n = 0, len = strlen(s);
    for (size_t i = 0; i < len && n < max;) {
        size_t k = dj_utf8_decode(s + i, len - i, &cp[n]);
        if (!k)
            return 0;
        i += k;
        n++;
    }
    return n;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static void test_obf_spaced_and_separator_keep_the_letters(void)
{
    for (uint64_t seed = 0; seed < 20; seed++) {
        char *s = obf(DJ_GEN__OB_SPACED, "Gucci", seed);
        char *t = obf(DJ_GEN__OB_SEPARATOR, "香奈儿", seed);
        uint32_t cp[64];
        size_t n = decode(s, cp, 64);
        CHECK_EQ(n, 9);
        for (size_t i = 0; i < n; i++)
            CHECK(i % 2 ? cp[i] == ' ' : lower((int)cp[i]) == "gucci"[i / 2]);
        n = decode(t, cp, 64);
        CHECK_EQ(n, 5);
        CHECK(cp[0] == 0x9999 && cp[2] == 0x5948 && cp[4] == 0x513F);
        CHECK(cp[1] == cp[3] && cp[1] != 0x9999);
        free(s);
        free(t);
    }
}

static void test_obf_homoglyph_replaces_with_cyrillic_or_greek(void)
{
    for (uint64_t seed = 0; seed < 40; seed++) {
        char *s = obf(DJ_GEN__OB_HOMOGLYPH, "Gucci", seed);
        uint32_t cp[64];
        size_t n = decode(s, cp, 64), foreign = 0;
        CHECK_EQ(n, 5);
        for (size_t i = 0; i < n; i++) {
            if (cp[i] < 0x80)
                CHECK_EQ(lower((int)cp[i]), "gucci"[i]);
            else {
                CHECK((cp[i] >= 0x0370 && cp[i] < 0x0400) || (cp[i] >= 0x0400 && cp[i] < 0x0500));
                foreign++;
            }
        }
        CHECK(foreign >= 1 && foreign <= 2);
        free(s);
    }
}

static void test_obf_fullwidth_leet_and_mixed_case(void)
{
    for (uint64_t seed = 0; seed < 40; seed++) {
        char *f = obf(DJ_GEN__OB_FULLWIDTH, "Rolex", seed);
        char *l = obf(DJ_GEN__OB_LEET, "Rolex", seed);
        char *m = obf(DJ_GEN__OB_MIXED_CASE, "Chanel", seed);
        uint32_t cp[64];
        size_t n = decode(f, cp, 64);
        CHECK_EQ(n, 5);
        for (size_t i = 0; i < n; i++)
            CHECK(cp[i] >= 0xFF21 && cp[i] <= 0xFF5A && lower((int)(cp[i] - 0xFEE0)) == "rolex"[i]);
        CHECK_EQ(strlen(l), 5);
        CHECK_EQ(l[0], 'R');
        CHECK(strpbrk(l, "0134@$5") != NULL);
        CHECK_EQ(strlen(m), 6);
        int same_ci = 1;
        for (int i = 0; i < 6; i++)
            same_ci &= lower(m[i]) == "chanel"[i];
        CHECK(same_ci);
        CHECK(strcmp(m, "chanel") && strcmp(m, "CHANEL") && strcmp(m, "Chanel"));
        free(f);
        free(l);
        free(m);
    }
}

static void test_obf_traditional_and_zero_width(void)
{
    char *t = obf(DJ_GEN__OB_TRADITIONAL, "香奈儿", 1);
    CHECK_STR(t, "香奈兒");
    free(t);
    CHECK(!dj_gen__obf_applies(DJ_GEN__OB_TRADITIONAL, "香奈"));
    CHECK(!dj_gen__obf_applies(DJ_GEN__OB_LEET, "香奈儿"));
    CHECK(!dj_gen__obf_applies(DJ_GEN__OB_SPACED, "Louis Vuitton"));
    for (uint64_t seed = 0; seed < 20; seed++) {
        char *z = obf(DJ_GEN__OB_ZERO_WIDTH, "Gucci", seed);
        uint32_t cp[64];
        size_t n = decode(z, cp, 64), k = 0, inv = 0;
        char back[16];
        for (size_t i = 0; i < n; i++) {
            if (cp[i] == 0x200B || cp[i] == 0x200C || cp[i] == 0x200D || cp[i] == 0x2060 ||
                cp[i] == 0xFEFF || cp[i] == 0x00AD)
                inv++;
            else if (k < sizeof back - 1)
                back[k++] = (char)cp[i];
        }
        back[k] = '\0';
        CHECK_STR(back, "Gucci");
        CHECK(inv >= 1 && inv <= 2);
        CHECK(cp[0] == 'G' && cp[n - 1] != 0x200B);
        free(z);
    }
}

static const dj_test tests[] = {
    DJ_TEST(test_obf_spaced_and_separator_keep_the_letters),
    DJ_TEST(test_obf_homoglyph_replaces_with_cyrillic_or_greek),
    DJ_TEST(test_obf_fullwidth_leet_and_mixed_case),
    DJ_TEST(test_obf_traditional_and_zero_width),
};
DJ_TEST_SUITE(tests)
