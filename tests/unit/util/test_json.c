/* Tests for src/util/json.c: strings read by the cursor agree with jansson
 * (a reference parser) on random strings built from the pieces its fast
 * paths treat differently, placed at every offset of its 8- and 16-byte
 * blocks. */
#include "test.h"
#include "util/arena.h"
#include "util/json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const PIECES[] = {
    "a", "Gucci bag ", "0123456789abcdef", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\u9999",
    "\\ud83d\\ude00", /* a surrogate pair */
    "\xc3\xa9", "\xe9\xa6\x99", "\xe5\xa5\x88\xe5\x84\xbf", "\xf0\x9f\x98\x80", "\x7f", "~",
    "\xe9\xa6\x99\xe5\xa5\x88\xe5\x84\xbf\xe9\xa6\x99\xe5\xa5\x88\xe5\x84\xbf\xe9\xa6\x99", /* a run of 7 CJK */
    "\\u9999\\u5948\\u513f\\uff0c", /* CJK text escaped a character at a time */
    /* rejected by both */
    "\x01", "\x1f", "\x80", "\xc3", "\xe9\xa6", "\xed\xa0\x80", "\xc0\xaf", "\xf5\x80\x80\x80", "\\x", "\\u12",
    "\\", /* a lone backslash: escapes whatever follows, the closing quote too */
};
#define N_REJECTED 11 /* the last pieces above */

static void test_json_strings_match_jansson(void)
{
    dj_arena *a = dj_arena_new(1 << 12);
    srand(7);
    char s[512];
    int mismatches = 0, accepted = 0;
    size_t n_pieces = sizeof PIECES / sizeof PIECES[0];
    for (int iter = 0; iter < 100000; iter++) {
        size_t n = 0;
        s[n++] = '"';
        /* ASCII filler first, so the pieces land at every block offset. */
        for (int k = rand() % 40; k > 0; k--)
            s[n++] = (char)('a' + rand() % 26);
        for (int k = rand() % 6; k > 0; k--) {
            /* the rejected pieces rarely, so most strings pass */
            size_t pi = (size_t)rand() % (rand() % 8 ? n_pieces - N_REJECTED : n_pieces);
            size_t pl = strlen(PIECES[pi]);
            memcpy(s + n, PIECES[pi], pl);
            n += pl;
            for (int f = rand() % 20; f > 0; f--)
                s[n++] = (char)('A' + rand() % 26);
        }
        s[n++] = '"';
        dj_arena_reset(a);
        dj_jcur c;
        dj_jcur_init(&c, s, n, a);
        const char *got = NULL;
        size_t got_len = 0;
        dj_err err = {0};
        int ok = dj_jcur_string(&c, &got, &got_len, &err) == DJ_OK && dj_jcur_finish(&c, &err) == DJ_OK;
        json_t *j = json_loadb(s, n, JSON_DECODE_ANY, NULL);
        int ref_ok = j && json_is_string(j);
        if (ok != ref_ok || (ok && (got_len != json_string_length(j) || memcmp(got, json_string_value(j), got_len)))) {
            if (mismatches++ < 5)
                dj_test_fail(__FILE__, __LINE__, "%.*s: dajia %s, jansson %s", (int)n, s,
                             ok ? "accepts" : err.msg, ref_ok ? "accepts" : "rejects");
        }
        accepted += ok;
        json_decref(j);
    }
    CHECK_EQ(mismatches, 0);
    CHECK(accepted > 50000 && accepted < 100000); /* both outcomes were tried */
    dj_arena_free(a);
}

/* Where a bad string is reported: the offset points at the offending
 * byte or escape, whether the fault comes before or after an escape (the
 * two used to be separate paths), and a string that never ends is
 * reported as that whatever it holds once an escape was seen. */
static void test_json_string_errors_name_the_byte(void)
{
    static const struct {
        const char *in, *msg;
    } cases[] = {
        {"\"abc\xff\"", "at byte 4: invalid UTF-8 in string"},
        {"\"ab\\u00e9\xff\"", "at byte 9: invalid UTF-8 in string"},
        {"\"ab\\u00e9\x01\"", "at byte 9: control character in string"},
        {"\"\\u00e9\\q\"", "at byte 7: invalid escape in string"},
        {"\"x\\ud800\\u0041\"", "at byte 2: unpaired surrogate in \\u escape"},
        {"\"x\\udc00\"", "at byte 2: unpaired surrogate in \\u escape"},
        {"\"\\u12\"", "at byte 1: invalid \\u escape"},
        {"\"abc", "at byte 4: unexpected end of input, unterminated string"},
        {"\"a\\u00e9\xff" "bc", "at byte 11: unexpected end of input, unterminated string"},
        {"\"\xe9\xa6\x99\xe9\xa6\x99\xe9\xa6\x99\xe9\xa6\x99\xe9\xa6\x99\xe9\xa6\x99\xed\xa0\x80\"",
         "at byte 19: invalid UTF-8 in string"},
        {"\"\\", "at byte 2: unexpected end of input, unterminated string"},
    };
    dj_arena *a = dj_arena_new(1 << 12);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dj_jcur c;
        dj_jcur_init(&c, cases[i].in, strlen(cases[i].in), a);
        const char *got;
        size_t got_len;
        dj_err err = {0};
        CHECK_EQ(dj_jcur_string(&c, &got, &got_len, &err), DJ_EPARSE);
        CHECK_STR(err.msg, cases[i].msg);
    }
    dj_arena_free(a);
}

static const dj_test tests[] = {
    DJ_TEST(test_json_strings_match_jansson),
    DJ_TEST(test_json_string_errors_name_the_byte),
};
DJ_TEST_SUITE(tests)
