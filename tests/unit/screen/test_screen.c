/* Tests for src/screen: every case of tests/data/screen/cases.jsonl
 * ({"listing", "decision", "brand", "signals"}) screened against
 * tests/data/screen/kb.json must get that decision and brand and carry at
 * least those reason signals (and "quotes", "kinds"); the batch path writes
 * what line-by-line screening writes. */
#define _GNU_SOURCE /* memmem */
#include "test.h"
#include "fixture.h"
#include "kb/kb.h"
#include "gen/gen.h"
#include "screen/screen_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

extern const char dj_openapi_json[];

/* 1 when every obfuscation kind the decision names is one the API
 * document lists (it enumerates them for clients). */
static int kinds_documented(json_t *d)
{
    size_t j;
    json_t *r;
    json_array_foreach(d ? json_object_get(d, "reasons") : NULL, j, r) {
        const char *k = json_string_value(json_object_get(r, "kind"));
        char quoted[64];
        if (k && (snprintf(quoted, sizeof quoted, "\"%s\"", k) >= (int)sizeof quoted || !strstr(dj_openapi_json, quoted)))
            return 0;
    }
    return 1;
}

/* 1 when every string of the case's array want[] is the value of key in
 * one of the decision's reasons. */
static int all_in_reasons(json_t *c, const char *want, json_t *d, const char *key)
{
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(c, want), i, w) {
        int found = 0;
        size_t j;
        json_t *r;
        json_array_foreach(d ? json_object_get(d, "reasons") : NULL, j, r) {
            const char *v = json_string_value(json_object_get(r, key));
            found |= v && !strcmp(v, json_string_value(w));
        }
        if (!found)
            return 0;
    }
    return 1;
}

static void test_screen_cases_from_file(void)
{
    dj_kb *kb;
    dj_screen *s = dj_test_screen(&kb);
    if (!s)
        return;
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
        /* Each of the case's "signals", "quotes" (as the seller wrote
         * them) and "kinds" (of obfuscation) must be in some reason; every
         * kind named must be in the API document. */
        int sig_ok = all_in_reasons(c, "signals", d, "signal") && all_in_reasons(c, "quotes", d, "quote") &&
                     all_in_reasons(c, "kinds", d, "kind") && kinds_documented(d);
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

/* A split or joined mark is found wherever it sits in the title: the word
 * finder reads 16 bytes at a time, so the mark is moved across every
 * offset of a block, after ASCII, CJK and punctuation, and at the end. */
static void test_screen_joined_marks_at_every_offset(void)
{
    dj_kb *kb;
    dj_screen *s = dj_test_screen(&kb);
    if (!s)
        return;
    static const char *const marks[][2] = {
        {"Gu cci", "gucci"}, {"Guc-ci", "gucci"}, {"LouisVuitton", "lv"}, {"Louis - Vuitton", "lv"}};
    static const char *const fill[] = {"x", "包", "-", " ", "9"};
    dj_buf out;
    dj_buf_init(&out, 4096);
    int bad = 0;
    for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++)
        for (size_t f = 0; f < sizeof fill / sizeof fill[0]; f++)
            for (int pad = 0; pad < 40 && !bad; pad++) {
                char title[512], line[1024];
                size_t n = 0;
                for (int i = 0; i < pad; i++)
                    n += (size_t)snprintf(title + n, sizeof title - n, "%s", fill[f]);
                /* A letter or digit right before the mark would make one word. */
                int glued = pad && (fill[f][0] == 'x' || fill[f][0] == '9');
                snprintf(title + n, sizeof title - n, "%s%s%s", glued ? " " : "", marks[m][0], pad % 2 ? "" : " bag");
                snprintf(line, sizeof line, "{\"id\":\"j\",\"title\":\"%s\",\"category\":\"fashion/bags\",\"price\":9000}",
                         title);
                dj_buf_reset(&out);
                dj_screen_line(s, line, strlen(line), 1, &out, NULL);
                char want[128];
                snprintf(want, sizeof want, "\"quote\":\"%s\"", marks[m][0]);
                if (!strstr(out.data, want) || !strstr(out.data, marks[m][1])) {
                    dj_test_fail(__FILE__, __LINE__, "title %s: got %s", title, out.data);
                    bad = 1;
                }
            }
    dj_buf_fini(&out);
    dj_screen_free(s);
    dj_kb_unref(kb);
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
    dj_kb *kb;
    dj_screen *s = dj_test_screen(&kb);
    if (!s)
        return;
    dj_buf out;
    dj_buf_init(&out, 1 << 16);
    CHECK_EQ(dj_screen_line(s, "{\"id\":1}", 8, 42, &out, NULL), -1);
    CHECK_STR(out.data, "{\"line\":42,\"decision\":\"error\",\"error\":\"missing required field \\\"title\\\"\"}");
    dj_buf_fini(&out);
    dj_screen_free(s);
    dj_kb_unref(kb);
}

/* A dj_gen marketplace with images, as one batch of lines. */
typedef struct market {
    dj_kb *kb;
    dj_buf data;
    dj_line *lines;
    size_t n;
} market;

static dj_rc add_line(const char *listing, size_t len, const char *label, size_t label_len, void *ud)
{
    (void)label;
    (void)label_len;
    market *m = ud;
    m->lines[m->n] = (dj_line){(uint32_t)m->data.len, (uint32_t)(len - 1), m->n + 1, 0};
    m->n++;
    return dj_buf_add(&m->data, listing, len - 1);
}

static int market_new(market *m, size_t n)
{
    memset(m, 0, sizeof *m);
    dj_gen_opts o;
    dj_gen_opts_init(&o, DJ_GEN_PROFILE_DEMO);
    o.seed = 5;
    dj_gen *g = NULL;
    dj_err err = {0};
    dj_buf kb;
    dj_buf_init(&kb, 64 << 20);
    dj_buf_init(&m->data, 256 << 20);
    m->lines = calloc(n + 8, sizeof *m->lines);
    CHECK_OK(dj_gen_new(&g, &o, &err), &err);
    if (!g)
        return -1;
    CHECK_OK(dj_gen_kb_json(g, &kb), &err);
    CHECK_OK(dj_kb_load(kb.data, kb.len, &m->kb, &err), &err);
    CHECK_OK(dj_gen_listings(g, 0, n, add_line, m, &err), &err);
    dj_gen_free(g);
    dj_buf_fini(&kb);
    return m->kb ? 0 : -1;
}

static void market_free(market *m)
{
    dj_kb_unref(m->kb);
    dj_buf_fini(&m->data);
    free(m->lines);
}

static void test_screen_lines_equal_line_by_line(void)
{
    /* The batch path (listings parsed first, their images searched in one
     * sorted pass) must write exactly what screening line by line writes,
     * error lines included. */
    market m;
    if (market_new(&m, 3000))
        return;
    /* Lines that are not listings, among the others. */
    const char *bad[] = {"{\"id\":1}", "not json", "{\"id\":\"x\",\"title\":\"t\",\"images\":[\"zz\"]}"};
    for (size_t i = 0; i < 3; i++) {
        size_t at = 500 * (i + 1);
        m.lines[at] = (dj_line){(uint32_t)m.data.len, (uint32_t)strlen(bad[i]), at + 1, 0};
        dj_buf_add(&m.data, bad[i], strlen(bad[i]));
    }
    /* Listings whose official photo comes first or last among unrelated
     * ones: each image must get its own matches. */
    const dj_bank *ob = dj_kb_official_bank(m.kb);
    CHECK(ob && dj_bank_size(ob) > 100);
    for (size_t i = 0; ob && i < 100; i++) {
        dj_pdq off = dj_bank_entry_at(ob, i * 7 % dj_bank_size(ob))->hash, other = off;
        off.h[i % 32] ^= 0x05; /* 2 bits away */
        for (int k = 0; k < 32; k++)
            other.h[k] ^= (uint8_t)(0x5A + i * k);
        char a[65], b[65], line[400];
        dj_pdq_to_hex(i % 2 ? &off : &other, a);
        dj_pdq_to_hex(i % 2 ? &other : &off, b);
        int len = snprintf(line, sizeof line, "{\"id\":\"mix%zu\",\"title\":\"tote\",\"images\":[\"%s\",\"%s\"]}",
                           i, a, b);
        size_t at = 17 + 29 * i;
        m.lines[at] = (dj_line){(uint32_t)m.data.len, (uint32_t)len, at + 1, 0};
        dj_buf_add(&m.data, line, (size_t)len);
    }
    m.lines[2000].len = 0;        /* empty */
    m.lines[2500].too_long = 5u << 20;
    dj_screen *s = NULL;
    dj_err err = {0};
    CHECK_OK(dj_screen_new(m.kb, &s, &err), &err);
    dj_buf one, batch;
    dj_buf_init(&one, 256 << 20);
    dj_buf_init(&batch, 256 << 20);
    int *results = calloc(m.n, sizeof *results);
    unsigned *signals = calloc(m.n, sizeof *signals);
    dj_screen_lines(s, m.data.data, m.lines, m.n, &batch, results, signals);
    size_t images = 0, official = 0;
    for (size_t i = 0; i < m.n; i++) {
        unsigned sig = 0;
        int r;
        const dj_line *ln = &m.lines[i];
        size_t at = one.len;
        if (ln->too_long || ln->len == 0)
            r = -1; /* written by the batch path only: compared below */
        else
            r = dj_screen_line(s, m.data.data + ln->off, ln->len, ln->no, &one, &sig);
        if (ln->too_long)
            dj_buf_printf(&one, "{\"line\":%zu,\"decision\":\"error\",\"error\":\"line is %llu bytes, longer than the limit\"}",
                          i + 1, (unsigned long long)ln->too_long);
        else if (ln->len == 0)
            dj_buf_printf(&one, "{\"line\":%zu,\"decision\":\"error\",\"error\":\"empty line\"}", i + 1);
        dj_buf_addc(&one, '\n');
        if (r != results[i] || sig != signals[i])
            dj_test_fail(__FILE__, __LINE__, "line %zu: result %d/%d, signals %x/%x", i + 1, results[i], r,
                         signals[i], sig);
        images += memmem(m.data.data + ln->off, ln->len, "\"images\":[\"", 11) != NULL;
        official += memmem(one.data + at, one.len - at, "official_image", 14) != NULL;
    }
    CHECK_EQ(one.len, batch.len);
    CHECK(one.len == batch.len && !memcmp(one.data, batch.data, one.len));
    /* The batch was big enough for the sorted search, and photos matched. */
    CHECK(images >= DJ_BANK_MANY_MIN);
    CHECK(official > 0);
    free(results);
    free(signals);
    dj_buf_fini(&one);
    dj_buf_fini(&batch);
    dj_screen_free(s);
    market_free(&m);
}

static void test_screen_listing_does_not_grow_memory(void)
{
    /* The worker's per-listing arena was never reset when listings came
     * through dj_screen_listing (the service's path): every request's
     * category copy stayed until the worker ended. */
    dj_kb *kb;
    dj_screen *s = dj_test_screen(&kb);
    if (!s)
        return;
    dj_err err = {0};
    char category[1024];
    memset(category, 'a', sizeof category);
    dj_listing l;
    memset(&l, 0, sizeof l);
    l.id = (dj_str){"1", 1};
    l.title = (dj_str){"a bag", 5};
    l.category = (dj_str){category, sizeof category};
    for (int i = 0; i < 2000 && s; i++) {
        dj_decision d;
        CHECK_OK(dj_screen_listing(s, &l, &d, &err), &err);
    }
    if (s)
        CHECK(dj_arena_used(s->arena) < 16384);
    dj_screen_free(s);
    dj_kb_unref(kb);
}

static const dj_test tests[] = {
    DJ_TEST(test_screen_cases_from_file),
    DJ_TEST(test_screen_joined_marks_at_every_offset),
    DJ_TEST(test_screen_swaps_kb_between_listings),
    DJ_TEST(test_screen_error_lines_name_the_line),
    DJ_TEST(test_screen_lines_equal_line_by_line),
    DJ_TEST(test_screen_listing_does_not_grow_memory),
};
DJ_TEST_SUITE(tests)
