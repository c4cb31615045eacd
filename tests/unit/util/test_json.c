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

static const dj_test tests[] = {
    DJ_TEST(test_json_strings_match_jansson),
};
DJ_TEST_SUITE(tests)
