/* Tests for src/screen: every case of tests/data/screen/cases.jsonl
 * ({"listing", "decision", "brand", "signals"}) screened against
 * tests/data/screen/kb.json must get that decision and brand and carry at
 * least those reason signals. */
#include "test.h"
#include "fixture.h"
#include "kb/kb.h"
#include "screen/screen.h"

#include <jansson.h>
#include <stdlib.h>

static void test_screen_cases_from_file(void)
{
    dj_kb *kb = dj_test_screen_kb();
    if (!kb)
        return;
    dj_screen *s = NULL;
    dj_err err = {0};
    CHECK_OK(dj_screen_new(kb, &s, &err), &err);
    char path[512];
    snprintf(path, sizeof path, "%s/screen/cases.jsonl", dj_test_data_dir());
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    char line[8192];
    int n = 0;
    dj_buf out;
    dj_buf_init(&out, 1 << 20);
    while (f && s && fgets(line, sizeof line, f)) {
        json_t *c = json_loads(line, 0, NULL);
        CHECK(c != NULL);
        if (!c)
            continue;
        char *listing = json_dumps(json_object_get(c, "listing"), 0);
        dj_buf_reset(&out);
        dj_screen_line(s, listing, strlen(listing), 1, &out, NULL);
        json_t *d = json_loads(out.data, 0, NULL);
        CHECK(d != NULL);
        const char *id = json_string_value(json_object_get(json_object_get(c, "listing"), "id"));
        const char *want = json_string_value(json_object_get(c, "decision"));
        const char *got = d ? json_string_value(json_object_get(d, "decision")) : "";
        json_t *wb = json_object_get(c, "brand"), *gb = d ? json_object_get(d, "brand") : NULL;
        int brand_ok = json_is_null(wb) ? json_is_null(gb)
                                        : json_is_string(gb) && !strcmp(json_string_value(wb), json_string_value(gb));
        int sig_ok = 1;
        size_t i;
        json_t *w;
        json_array_foreach(json_object_get(c, "signals"), i, w) {
            int found = 0;
            size_t j;
            json_t *r;
            json_array_foreach(d ? json_object_get(d, "reasons") : NULL, j, r)
                found |= !strcmp(json_string_value(json_object_get(r, "signal")), json_string_value(w));
            sig_ok &= found;
        }
        /* "quotes": what the reasons must quote, as the seller wrote it. */
        json_array_foreach(json_object_get(c, "quotes"), i, w) {
            int found = 0;
            size_t j;
            json_t *r;
            json_array_foreach(d ? json_object_get(d, "reasons") : NULL, j, r) {
                const char *q = json_string_value(json_object_get(r, "quote"));
                found |= q && !strcmp(q, json_string_value(w));
            }
            sig_ok &= found;
        }
        if (!got || strcmp(got, want) || !brand_ok || !sig_ok)
            dj_test_fail(__FILE__, __LINE__, "case %s: want %s, got %s", id, want, out.data);
        json_decref(d);
        json_decref(c);
        free(listing);
        n++;
    }
    if (f)
        fclose(f);
    dj_buf_fini(&out);
    dj_screen_free(s);
    dj_kb_unref(kb);
    CHECK(n >= 30);
}

static void test_screen_swaps_kb_between_listings(void)
{
    dj_kb *kb = dj_test_screen_kb(), *empty = NULL;
    dj_err err = {0};
    CHECK_OK(dj_kb_load("{}", 2, &empty, &err), &err);
    if (!kb || !empty)
        return;
    dj_screen *s = NULL;
    CHECK_OK(dj_screen_new(kb, &s, &err), &err);
    const char *l = "{\"id\":\"1\",\"title\":\"高仿 Gucci 包\"}";
    dj_buf out;
    dj_buf_init(&out, 1 << 16);
    CHECK_EQ(dj_screen_line(s, l, strlen(l), 1, &out, NULL), DJ_DECIDE_BLOCK);
    CHECK_OK(dj_screen_set_kb(s, empty, &err), &err);
    dj_kb_unref(empty);
    dj_kb_unref(kb); /* the worker holds what it needs */
    dj_buf_reset(&out);
    CHECK_EQ(dj_screen_line(s, l, strlen(l), 1, &out, NULL), DJ_DECIDE_ALLOW);
    dj_buf_fini(&out);
    dj_screen_free(s);
}

static void test_screen_error_lines_name_the_line(void)
{
    dj_kb *kb = dj_test_screen_kb();
    if (!kb)
        return;
    dj_screen *s = NULL;
    dj_err err = {0};
    CHECK_OK(dj_screen_new(kb, &s, &err), &err);
    dj_buf out;
    dj_buf_init(&out, 1 << 16);
    CHECK_EQ(dj_screen_line(s, "{\"id\":1}", 8, 42, &out, NULL), -1);
    CHECK_STR(out.data, "{\"line\":42,\"decision\":\"error\",\"error\":\"missing required field \\\"title\\\"\"}");
    dj_buf_fini(&out);
    dj_screen_free(s);
    dj_kb_unref(kb);
}

static const dj_test tests[] = {
    DJ_TEST(test_screen_cases_from_file),
    DJ_TEST(test_screen_swaps_kb_between_listings),
    DJ_TEST(test_screen_error_lines_name_the_line),
};
DJ_TEST_SUITE(tests)
