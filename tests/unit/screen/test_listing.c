/* Tests for src/screen/listing.c and src/util/json.c: every line of
 * tests/data/screen/listing_cases.tsv is "ok:ID<TAB>line" or
 * "err:MESSAGE<TAB>line" (the message must be contained in the error). */
#include "test.h"
#include "screen/screen.h"

#include <stdlib.h>

static void test_listing_cases_from_file(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/screen/listing_cases.tsv", dj_test_data_dir());
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    dj_arena *a = dj_arena_new(4096);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int cases = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        char *tab = strchr(line, '\t');
        CHECK(tab != NULL);
        if (!tab)
            continue;
        *tab = '\0';
        const char *want = line, *json = tab + 1;
        size_t jlen = (size_t)(line + n - json);
        dj_listing l;
        dj_err err = {0};
        dj_arena_reset(a);
        dj_rc rc = dj_listing_parse(json, jlen, a, &l, &err);
        if (!strncmp(want, "ok:", 3)) {
            if (rc)
                dj_test_fail(__FILE__, __LINE__, "%s: unexpected error %s", json, err.msg);
            else if (l.id.len != strlen(want + 3) || memcmp(l.id.s, want + 3, l.id.len))
                dj_test_fail(__FILE__, __LINE__, "%s: id %.*s, want %s", json, (int)l.id.len, l.id.s, want + 3);
        } else {
            /* The file cannot hold quotes around ',' '}' '.' for readability;
             * compare with those quotes removed. */
            char got[256];
            size_t k = 0;
            for (const char *p = err.msg; *p && k + 1 < sizeof got; p++)
                if (*p != '\'')
                    got[k++] = *p;
            got[k] = '\0';
            if (rc == DJ_OK || !strstr(got, want + 4))
                dj_test_fail(__FILE__, __LINE__, "%s: error \"%s\", want \"%s\"", json, err.msg, want + 4);
        }
        cases++;
    }
    free(line);
    fclose(f);
    dj_arena_free(a);
    CHECK(cases >= 30);
}

static void test_listing_warns_on_unknown_fields(void)
{
    dj_arena *a = dj_arena_new(4096);
    dj_listing l;
    dj_err err = {0};
    const char *j = "{\"id\":\"1\",\"title\":\"t\",\"titel\":\"x\",\"images\":[\"ab\","
                    "\"00000000000000000000000000000000000000000000000000000000000000ff\"]}";
    CHECK_OK(dj_listing_parse(j, strlen(j), a, &l, &err), &err);
    CHECK_EQ(l.n_warnings, 2);
    CHECK_STR(l.warnings[0], "unknown field \"titel\" ignored");
    CHECK_STR(l.warnings[1], "images[0]: not a 64-hex-digit PDQ hash, ignored");
    CHECK_EQ(l.n_images, 1);
    dj_arena_free(a);
}

static void test_listing_fields_are_exact(void)
{
    dj_arena *a = dj_arena_new(4096);
    dj_listing l;
    dj_err err = {0};
    const char *j = "{\"id\":\"l-1\",\"seller_id\":\"s-9\",\"title\":\"Gucci \\\"GG\\\" bag\",\"description\":\"d\","
                    "\"category\":\"fashion/bags\",\"price\":1299.5,\"currency\":\"CNY\",\"region\":\"CN-44\"}";
    CHECK_OK(dj_listing_parse(j, strlen(j), a, &l, &err), &err);
    CHECK_EQ(l.title.len, 14);
    CHECK(!memcmp(l.title.s, "Gucci \"GG\" bag", 14));
    CHECK(l.has_price);
    CHECK(l.price == 1299.5);
    CHECK(!memcmp(l.region.s, "CN-44", 5));
    dj_arena_free(a);
}

/* An image hash is 64 hex digits, either case: every byte value at every
 * position is accepted exactly when it is one. */
static void test_listing_image_hash_digits(void)
{
    dj_arena *a = dj_arena_new(4096);
    int wrong = 0;
    for (int pos = 0; pos < 64; pos++)
        for (int byte = 1; byte < 256; byte++) {
            if (byte == '"' || byte == '\\' || byte < 0x20 || byte >= 0x80)
                continue; /* not a JSON string's plain byte: the cursor's business */
            char j[128];
            int n = snprintf(j, sizeof j, "{\"id\":\"1\",\"title\":\"t\",\"images\":[\"%064d\"]}", 0);
            char *h = strstr(j, "[\"") + 2;
            h[pos] = (char)byte;
            dj_listing l;
            dj_err err = {0};
            dj_arena_reset(a);
            int hex = (byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'f') || (byte >= 'A' && byte <= 'F');
            if (dj_listing_parse(j, (size_t)n, a, &l, &err) != DJ_OK || (int)l.n_images != hex) {
                if (wrong++ < 5)
                    dj_test_fail(__FILE__, __LINE__, "byte 0x%02x at %d: %zu images", byte, pos, l.n_images);
            } else if (hex) {
                /* Decoded as parsed: the digit's value in its nibble. */
                char two[3] = {pos % 2 ? '0' : (char)byte, pos % 2 ? (char)byte : '0', 0};
                if (l.images[0].h[pos / 2] != (uint8_t)strtoul(two, NULL, 16) && wrong++ < 5)
                    dj_test_fail(__FILE__, __LINE__, "byte 0x%02x at %d decoded as %02x", byte, pos,
                                 l.images[0].h[pos / 2]);
            }
        }
    CHECK_EQ(wrong, 0);
    dj_arena_free(a);
}

static const dj_test tests[] = {
    DJ_TEST(test_listing_cases_from_file),
    DJ_TEST(test_listing_image_hash_digits),
    DJ_TEST(test_listing_warns_on_unknown_fields),
    DJ_TEST(test_listing_fields_are_exact),
};
DJ_TEST_SUITE(tests)
