/* Tests for src/util/buf.c, utf8.c, arena.c and err.c. */
#include "test.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/utf8.h"

static void test_buf_max_is_enforced(void)
{
    dj_buf b;
    dj_buf_init(&b, 8);
    CHECK_OK(dj_buf_adds(&b, "12345678"), NULL);
    CHECK_EQ(dj_buf_addc(&b, 'x'), DJ_ETOOBIG);
    CHECK_EQ(b.len, 8);
    CHECK_STR(b.data, "12345678");
    dj_buf_fini(&b);
    /* The inline append honours the maximum while the allocation still
     * has room (a lowered limit). */
    dj_buf_init(&b, 100);
    CHECK_OK(dj_buf_adds(&b, "0123456789"), NULL);
    dj_buf_limit(&b, 12);
    CHECK(b.cap > 13);
    CHECK_OK(dj_buf_add(&b, "ab", 2), NULL);
    CHECK_EQ(dj_buf_addc(&b, 'x'), DJ_ETOOBIG);
    CHECK_EQ(b.len, 12);
    CHECK_STR(b.data, "0123456789ab");
    dj_buf_fini(&b);
}

static void test_buf_json_escapes(void)
{
    dj_buf b;
    dj_buf_init(&b, 1024);
    CHECK_OK(dj_buf_add_json_str(&b, "a\"b\\c\n\x01\xff香", 11), NULL);
    CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\u0001\xEF\xBF\xBD香\"");
    dj_buf_fini(&b);
}

/* Random strings of the pieces the writer treats differently (runs of
 * ASCII and CJK longer than its 16-byte blocks, quotes, controls, invalid
 * UTF-8) at every block offset: jansson must read the written string back
 * as the input, each byte of invalid UTF-8 replaced by U+FFFD. */
static void test_buf_json_strings_read_back(void)
{
    static const char *const pieces[] = {
        "a", "Gucci bag ", "0123456789abcdef", "\"", "\\", "\n", "\t", "\x01", "\x1f", "\x7f", "\xc3\xa9",
        "\xe9\xa6\x99\xe5\xa5\x88\xe5\x84\xbf\xe9\xa6\x99\xe5\xa5\x88\xe5\x84\xbf", "\xef\xbc\x8c", "\xf0\x9f\x98\x80",
        "\xff", "\x80", "\xc3", "\xe9\xa6", "\xed\xa0\x80", "\xc0\xaf", "\xf5\x80\x80\x80",
    };
    const size_t n_pieces = sizeof pieces / sizeof pieces[0];
    dj_buf b;
    dj_buf_init(&b, 1 << 16);
    srand(3);
    int bad = 0;
    for (int iter = 0; iter < 50000; iter++) {
        char in[512], want[1024];
        size_t n = 0, wn = 0;
        for (int k = rand() % 20; k > 0; k--)
            in[n++] = (char)('a' + rand() % 26);
        for (int k = rand() % 8; k > 0; k--) {
            const char *pc = pieces[(size_t)rand() % n_pieces];
            memcpy(in + n, pc, strlen(pc));
            n += strlen(pc);
        }
        /* The expected text: valid sequences as they are, one U+FFFD per
         * byte that starts none. */
        for (size_t i = 0; i < n;) {
            uint32_t cp;
            size_t k = dj_utf8_decode(in + i, n - i, &cp);
            if (k) {
                memcpy(want + wn, in + i, k);
                wn += k;
                i += k;
            } else {
                memcpy(want + wn, "\xEF\xBF\xBD", 3);
                wn += 3;
                i++;
            }
        }
        dj_buf_reset(&b);
        CHECK_OK(dj_buf_add_json_str(&b, in, n), NULL);
        json_t *j = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (!j || !json_is_string(j) || json_string_length(j) != wn || memcmp(json_string_value(j), want, wn)) {
            if (bad++ < 5)
                dj_test_fail(__FILE__, __LINE__, "wrote %.*s", (int)b.len, b.data);
        }
        json_decref(j);
    }
    CHECK_EQ(bad, 0);
    dj_buf_fini(&b);
}

static void test_buf_json_numbers(void)
{
    static const struct {
        double v;
        const char *want;
    } cases[] = {{0, "0"}, {1, "1"}, {0.5, "0.5"}, {0.9954, "0.9954"}, {1299.5, "1299.5"}, {-2.25, "-2.25"},
                 {0.08, "0.08"}, {1e-7, "1e-07"}, {123456.0001, "123456.0001"}, {3.14159265, "3.14159265"},
                 {1e15, "1e+15"}};
    dj_buf b;
    dj_buf_init(&b, 1024);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dj_buf_reset(&b);
        CHECK_OK(dj_buf_add_json_num(&b, cases[i].v), NULL);
        CHECK_STR(b.data, cases[i].want);
    }
    dj_buf_fini(&b);
}

static void test_utf8_rejects_overlong_and_surrogates(void)
{
    uint32_t cp;
    CHECK_EQ(dj_utf8_decode("\xC0\xAF", 2, &cp), 0);
    CHECK_EQ(dj_utf8_decode("\xED\xA0\x80", 3, &cp), 0);
    CHECK_EQ(dj_utf8_decode("\xF4\x90\x80\x80", 4, &cp), 0);
    CHECK_EQ(dj_utf8_decode("\xE9\xA6\x99", 3, &cp), 3);
    CHECK_EQ(cp, 0x9999);
    CHECK_EQ(dj_utf8_validate("abcdefghijklmnopqrstuvwxyz\xff", 27), 26);
}

static void test_arena_reuses_memory(void)
{
    dj_arena *a = dj_arena_new(1024);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++) {
            char *p = dj_arena_strndup(a, "hello", 5);
            CHECK_STR(p, "hello");
        }
        dj_arena_reset(a);
    }
    dj_arena_free(a);
}

static void test_err_names_and_prefix(void)
{
    dj_err e;
    CHECK_EQ(dj_err_set(&e, DJ_EPARSE, "line %d", 3), DJ_EPARSE);
    dj_err_prefix(&e, "kb.json");
    CHECK_STR(e.msg, "kb.json: line 3");
    /* A long message is cut to fit, still terminated, the prefix whole. */
    char longer[400];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    dj_err_set(&e, DJ_EPARSE, "%s", longer);
    dj_err_prefix(&e, "brands[12]");
    CHECK_EQ(strlen(e.msg), sizeof e.msg - 1);
    CHECK(!strncmp(e.msg, "brands[12]: xxx", 15));
    CHECK_STR(dj_err_name(DJ_ETOOBIG), "ETOOBIG");
}

static const dj_test tests[] = {
    DJ_TEST(test_buf_max_is_enforced),
    DJ_TEST(test_buf_json_escapes),
    DJ_TEST(test_buf_json_strings_read_back),
    DJ_TEST(test_buf_json_numbers),
    DJ_TEST(test_utf8_rejects_overlong_and_surrogates),
    DJ_TEST(test_arena_reuses_memory),
    DJ_TEST(test_err_names_and_prefix),
};
DJ_TEST_SUITE(tests)
