/* Tests for src/kb: validation messages, lookups, compile and scan. */
#include "test.h"
#include "kb/kb.h"
#include "text/text.h"

#include <jansson.h>
#include <stdlib.h>

static void test_kb_invalid_cases_name_the_field(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/kb/invalid.jsonl", dj_test_data_dir());
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        json_t *c = json_loads(line, 0, NULL);
        CHECK(c != NULL);
        if (!c)
            continue;
        char *kb = json_dumps(json_object_get(c, "kb"), JSON_ENCODE_ANY);
        dj_err err = {0};
        dj_kb *k = NULL;
        dj_rc rc = dj_kb_load(kb, strlen(kb), &k, &err);
        CHECK(rc != DJ_OK);
        CHECK(k == NULL);
        CHECK_STR(err.msg, json_string_value(json_object_get(c, "error")));
        rc = dj_kb_validate(kb, strlen(kb), &err);
        CHECK(rc != DJ_OK);
        free(kb);
        json_decref(c);
        n++;
    }
    fclose(f);
    CHECK(n >= 20);
}

static void test_kb_syntax_error_has_line_and_column(void)
{
    const char *j = "{\n \"brands\": [,]\n}";
    dj_err err = {0};
    dj_kb *k = NULL;
    CHECK_EQ(dj_kb_load(j, strlen(j), &k, &err), DJ_EPARSE);
    CHECK(strstr(err.msg, "line 2") != NULL);
}

static const char *small_kb =
    "{\"version\":\"t1\",\"currency\":\"CNY\",\"rates\":{\"USD\":7},"
    "\"brands\":[{\"id\":\"gucci\",\"terms\":[\"Gucci\",\"古驰\"],\"categories\":[\"Fashion / Bags\"],"
    "\"min_price\":{\"fashion/bags\":5000,\"fashion\":1000},\"authorized_sellers\":[\"s9\",\"s1\",\"s5\"]},"
    "{\"id\":\"lv\",\"terms\":[\"LV\"]}],"
    "\"signals\":[{\"term\":\"高仿\",\"kind\":\"replica\",\"weight\":0.9,\"cancel_near\":[\"模型\"]}]}";

static void test_kb_lookups(void)
{
    dj_err err = {0};
    dj_kb *k = NULL;
    CHECK_OK(dj_kb_load(small_kb, strlen(small_kb), &k, &err), &err);
    if (!k)
        return;
    CHECK_STR(dj_kb_version(k), "t1");
    CHECK_EQ(dj_kb_brand_find(k, "lv"), 1);
    CHECK_EQ(dj_kb_brand_find(k, "nope"), -1);
    const dj_kb_brand *g = dj_kb_brand_at(k, 0);
    CHECK_STR(g->categories[0], "fashion/bags");
    CHECK(dj_kb_category_covers("fashion/bags", "fashion/bags/totes", 18));
    CHECK(!dj_kb_category_covers("fashion/bags", "fashion/bagsx", 13));
    CHECK(dj_kb_brand_authorizes(g, "s5", 2));
    CHECK(!dj_kb_brand_authorizes(g, "s2", 2));
    CHECK_EQ((long)dj_kb_brand_floor(g, "fashion/bags/totes", 18), 5000);
    CHECK_EQ((long)dj_kb_brand_floor(g, "fashion/shoes", 13), 1000);
    CHECK_EQ((long)dj_kb_brand_floor(g, "food", 4), -1);
    CHECK_EQ((long)dj_kb_rate(k, "USD", 3), 7);
    CHECK_EQ((long)dj_kb_rate(k, "CNY", 3), 1);
    CHECK_EQ((long)dj_kb_rate(k, "EUR", 3), 0);
    dj_kb_unref(k);
}

typedef struct found {
    int n;
    uint32_t pats[16];
    size_t ends[16];
} found;

static int collect(uint32_t pat, size_t end, void *ud)
{
    found *f = ud;
    if (f->n < 16) {
        f->pats[f->n] = pat;
        f->ends[f->n++] = end;
    }
    return 0;
}

static void test_kb_scan_reports_terms_with_lengths(void)
{
    dj_err err = {0};
    dj_kb *k = NULL;
    CHECK_OK(dj_kb_load(small_kb, strlen(small_kb), &k, &err), &err);
    if (!k)
        return;
    dj_kb_scanner *sc = NULL;
    CHECK_OK(dj_kb_scanner_new(k, &sc, &err), &err);
    const char *t = "高仿 gucci 包";
    found f = {0};
    CHECK_OK(dj_kb_scan(sc, t, strlen(t), collect, &f), NULL);
    int saw_mark = 0, saw_signal = 0;
    for (int i = 0; i < f.n; i++) {
        const dj_kb_pattern *p = dj_kb_pattern_at(k, f.pats[i]);
        if (p->kind == DJ_PAT_MARK && !strcmp(p->term, "gucci")) {
            saw_mark = 1;
            CHECK_EQ(f.ends[i] - p->len, 7);
            CHECK(p->leet);
        }
        if (p->kind == DJ_PAT_SIGNAL)
            saw_signal = 1;
    }
    CHECK(saw_mark);
    CHECK(saw_signal);
    dj_kb_scanner_free(sc);
    dj_kb_unref(k);
}

static void test_kb_refcount_outlives_holder(void)
{
    dj_err err = {0};
    dj_kb *k = NULL;
    CHECK_OK(dj_kb_load(small_kb, strlen(small_kb), &k, &err), &err);
    if (!k)
        return;
    dj_kb_scanner *sc = NULL;
    CHECK_OK(dj_kb_scanner_new(k, &sc, &err), &err);
    dj_kb_unref(k); /* the scanner still holds it */
    found f = {0};
    CHECK_OK(dj_kb_scan(sc, "lv", 2, collect, &f), NULL);
    CHECK_EQ(f.n, 1);
    dj_kb_scanner_free(sc);
}

static size_t joined(const dj_kb *k, const char *key, uint32_t *pats)
{
    return dj_kb_joined(k, dj_kb_join_hash(DJ_KB_JOIN_SEED, key, strlen(key)), key, strlen(key), pats, 4);
}

/* The KB of a test's JSON, or NULL with the failure recorded. */
static dj_kb *load_or_fail(const char *json)
{
    dj_err err = {0};
    dj_kb *k = NULL;
    CHECK_OK(dj_kb_load(json, strlen(json), &k, &err), &err);
    return k;
}

/* Every Latin mark and signal term is found by its letters and digits
 * alone, whatever joined its words; short keys and other scripts are not
 * keyed, and a key is never found by a prefix or by a hash alone. */
static void test_kb_joined_keys(void)
{
    static const char *kb =
        "{\"brands\":[{\"id\":\"lv\",\"terms\":[\"Louis Vuitton\",\"LV\",\"路易威登\"]},"
        "{\"id\":\"ln\",\"terms\":[\"Li-Ning\"]},{\"id\":\"cm\",\"terms\":[\"Cooler Master\"]},"
        "{\"id\":\"cm2\",\"terms\":[\"CoolerMaster\"]},{\"id\":\"g\",\"terms\":[\"Gucci\"]}],"
        "\"signals\":[{\"term\":\"high copy\",\"kind\":\"replica\",\"weight\":0.8}]}";
    dj_kb *k = load_or_fail(kb);
    if (!k)
        return;
    uint32_t pats[4];
    CHECK_EQ(joined(k, "louisvuitton", pats), 1);
    CHECK_STR(dj_kb_pattern_at(k, pats[0])->term, "louis vuitton");
    CHECK_EQ(joined(k, "lining", pats), 1);
    CHECK_STR(dj_kb_pattern_at(k, pats[0])->term, "li-ning");
    CHECK_EQ(joined(k, "coolermaster", pats), 2); /* two brands, one key */
    CHECK_EQ(joined(k, "highcopy", pats), 1);
    CHECK_EQ(dj_kb_pattern_at(k, pats[0])->kind, DJ_PAT_SIGNAL);
    CHECK_EQ(joined(k, "lv", pats), 0);
    CHECK_EQ(joined(k, "louisvuitto", pats), 0);
    CHECK_EQ(joined(k, "louisvuittonx", pats), 0);
    CHECK_EQ(dj_kb_joined(k, dj_kb_join_hash(DJ_KB_JOIN_SEED, "lining", 6), "linin", 5, pats, 4), 0);
    /* The filters: every key passes; a single word passes the filter of
     * terms of several words only when it is the key of one. */
    static const char *const split_keys[] = {"louisvuitton", "lining", "coolermaster", "highcopy"};
    for (size_t i = 0; i < 4; i++) {
        uint64_t h = dj_kb_join_hash(DJ_KB_JOIN_SEED, split_keys[i], strlen(split_keys[i]));
        CHECK(dj_kb_join_maybe(k, h, 0) && dj_kb_join_maybe(k, h, 1));
    }
    uint64_t hg = dj_kb_join_hash(DJ_KB_JOIN_SEED, "gucci", 5);
    CHECK(dj_kb_join_maybe(k, hg, 0));
    CHECK(!dj_kb_join_maybe(k, hg, 1));
    CHECK_EQ(joined(k, "gucci", pats), 1);
    dj_kb_unref(k);
}

/* The brand a misspelled key names, or "" (several: the first). */
static const char *misspelled(dj_kb *k, const char *key)
{
    uint32_t pats[4];
    size_t n = dj_kb_misspelled(k, key, strlen(key), pats, 4);
    return n ? dj_kb_brand_at(k, dj_kb_pattern_at(k, pats[0])->owner)->id : "";
}

static void test_kb_misspelled_marks(void)
{
    static const char *kb =
        "{\"brands\":[{\"id\":\"gucci\",\"terms\":[\"Gucci\",\"古驰\"]},{\"id\":\"adidas\",\"terms\":[\"Adidas\"]},"
        "{\"id\":\"coach\",\"terms\":[\"Coach\"]},{\"id\":\"lv\",\"terms\":[\"Louis Vuitton\",\"LV\"]},"
        "{\"id\":\"chanel\",\"terms\":[\"Chanel\"],\"nicknames\":[\"chanelboy\"]},{\"id\":\"dior\",\"terms\":[\"Dior\"]},"
        "{\"id\":\"nikon\",\"terms\":[\"Nikon\"]},{\"id\":\"luxem\",\"terms\":[\"Luxem\"]},"
        "{\"id\":\"rolex\",\"terms\":[\"Rolex\"]},{\"id\":\"sony\",\"terms\":[\"PS5 Pro\"]},"
        "{\"id\":\"bal\",\"terms\":[\"Balenciaga\"]},{\"id\":\"cartier\",\"terms\":[\"Cartier\"]}],"
        "\"signals\":[{\"term\":\"replica\",\"kind\":\"replica\",\"weight\":0.9}]}";
    dj_kb *k = load_or_fail(kb);
    if (!k)
        return;
    /* Letters doubled or undoubled, sound-alike letters, padding. */
    CHECK_STR(misspelled(k, "guccy"), "gucci");
    CHECK_STR(misspelled(k, "addidas"), "adidas");
    CHECK_STR(misspelled(k, "guci"), "gucci");
    CHECK_STR(misspelled(k, "rolexx"), "rolex");
    CHECK_STR(misspelled(k, "kartier"), "cartier");
    CHECK_STR(misspelled(k, "guccyy"), "gucci");
    CHECK_STR(misspelled(k, "caaaoach"), "coach");              /* a real counterfeit shop's domain */
    CHECK_STR(misspelled(k, "baleaaanciaga"), "bal");           /* another */
    CHECK_STR(misspelled(k, "guuuccci"), "gucci");
    CHECK_STR(misspelled(k, "louisvuiton"), "lv");              /* a name of two words, joined */
    /* Not misspellings. */
    CHECK_STR(misspelled(k, "gucci"), "");                      /* the mark itself */
    CHECK_STR(misspelled(k, "channel"), "");                    /* an English word */
    CHECK_STR(misspelled(k, "rolexs"), "");                     /* a plural */
    CHECK_STR(misspelled(k, "rolexes"), "");
    CHECK_STR(misspelled(k, "luxe"), "");                       /* cut short (and a word) */
    CHECK_STR(misspelled(k, "luxm"), "");                       /* any other edit: names of their own */
    CHECK_STR(misspelled(k, "gucic"), "");
    CHECK_STR(misspelled(k, "nikkor"), "");
    CHECK_STR(misspelled(k, "gucca"), "");
    CHECK_STR(misspelled(k, "dioor"), "");                      /* marks of four letters are left alone */
    CHECK_STR(misspelled(k, "ps5pr"), "");                      /* marks with digits too */
    CHECK_STR(misspelled(k, "chaneelboy"), "");                 /* nicknames are not marks */
    /* Any one edit, for listings that say they are copies. */
    static const char *const one_edit[][2] = {
        {"gucic", "gucci"}, {"gucc", ""}, {"guci", "gucci"}, {"gucca", "gucci"}, {"guccie", "gucci"},
        {"adidsa", "adidas"}, {"rolexs", ""}, {"luxe", ""}, {"luxm", "luxem"}, {"channel", ""},
        {"nikkon", "nikon"}, {"duccy", ""}, {"gucciii", ""}, {"gucci", ""},
    };
    for (size_t i = 0; i < sizeof one_edit / sizeof one_edit[0]; i++) {
        uint32_t pats[4];
        size_t n = dj_kb_one_edit(k, one_edit[i][0], strlen(one_edit[i][0]), pats, 4);
        const char *got = n ? dj_kb_brand_at(k, dj_kb_pattern_at(k, pats[0])->owner)->id : "";
        if (strcmp(got, one_edit[i][1]))
            dj_test_fail(__FILE__, __LINE__, "one edit from %s: got \"%s\", want \"%s\"", one_edit[i][0], got,
                         one_edit[i][1]);
    }
    CHECK_STR(misspelled(k, "gu"), "");
    dj_kb_unref(k);
}

static void test_kb_sounds_of_chinese_marks(void)
{
    static const char *two = "{\"brands\":[{\"id\":\"gucci\",\"terms\":[\"Gucci\",\"古驰\"]},"
                             "{\"id\":\"one\",\"terms\":[\"壹\"]}]}";
    static const char *three =
        "{\"brands\":[{\"id\":\"chanel\",\"terms\":[\"香奈儿\",\"Chanel\"],\"nicknames\":[\"香奶奶\"]}]}";
    dj_err err = {0};
    dj_kb *k = NULL;
    CHECK_OK(dj_kb_load(two, strlen(two), &k, &err), &err);
    CHECK(k && dj_kb_has_sounds(k));
    for (size_t i = 0; k && i < dj_kb_n_patterns(k); i++) {
        const dj_kb_pattern *p = dj_kb_pattern_at(k, i);
        /* Two characters have their sounds (the screen weighs where they
         * stand); one names too much; pinyin of two syllables (guchi) is
         * too short to tell from other Latin words. */
        CHECK(!p->sound == (strcmp(p->term, "古驰") != 0));
        CHECK(!p->pinyin);
    }
    dj_kb_unref(k);
    k = NULL;
    CHECK_OK(dj_kb_load(three, strlen(three), &k, &err), &err);
    if (!k)
        return;
    CHECK(dj_kb_has_sounds(k));
    size_t with_sound = 0;
    for (size_t i = 0; i < dj_kb_n_patterns(k); i++) {
        const dj_kb_pattern *p = dj_kb_pattern_at(k, i);
        if (!p->sound)
            continue;
        with_sound++;
        CHECK_STR(p->term, "香奈儿"); /* marks only: not the nickname, not Latin */
        char b[16];
        CHECK(p->sound_len == 6 && dj_text_sounds("香奈尔", 9, b, NULL) == 6 && !memcmp(b, p->sound, 6));
    }
    CHECK_EQ(with_sound, 1);
    dj_kb_unref(k);
}

static void test_kb_empty_is_valid(void)
{
    dj_err err = {0};
    dj_kb *k = NULL;
    CHECK_OK(dj_kb_load("{}", 2, &k, &err), &err);
    CHECK_EQ(dj_kb_n_patterns(k), 0);
    dj_kb_scanner *sc = NULL;
    CHECK_OK(dj_kb_scanner_new(k, &sc, &err), &err);
    found f = {0};
    CHECK_OK(dj_kb_scan(sc, "anything", 8, collect, &f), NULL);
    CHECK_EQ(f.n, 0);
    dj_kb_scanner_free(sc);
    dj_kb_unref(k);
}

static const dj_test tests[] = {
    DJ_TEST(test_kb_invalid_cases_name_the_field),
    DJ_TEST(test_kb_syntax_error_has_line_and_column),
    DJ_TEST(test_kb_lookups),
    DJ_TEST(test_kb_scan_reports_terms_with_lengths),
    DJ_TEST(test_kb_refcount_outlives_holder),
    DJ_TEST(test_kb_empty_is_valid),
    DJ_TEST(test_kb_joined_keys),
    DJ_TEST(test_kb_misspelled_marks),
    DJ_TEST(test_kb_sounds_of_chinese_marks),
};
DJ_TEST_SUITE(tests)
