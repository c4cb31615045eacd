/* Tests for src/text: the table of cases in tests/data/text/normalize_cases.jsonl
 * ({"in","out","flags"}: flags is a set of I S H E for invisible, separator,
 * homoglyph, character reference, "" for none), the map back to the input, and hostile input. */
#include "test.h"
#include "text/text.h"
#include "text/text_int.h"
#include "util/utf8.h"

#include <jansson.h>
#include <stdlib.h>

static unsigned flag_bits(const char *s)
{
    unsigned f = 0;
    for (; *s; s++)
        f |= *s == 'I'   ? DJ_TEXT_F_INVISIBLE
             : *s == 'S' ? DJ_TEXT_F_SEPARATOR
             : *s == 'H' ? DJ_TEXT_F_HOMOGLYPH
             : *s == 'E' ? DJ_TEXT_F_ENTITY
                         : 0;
    return f;
}

static void test_text_cases_from_file(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/text/normalize_cases.jsonl", dj_test_data_dir());
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    dj_text *t = NULL, *t2 = NULL;
    dj_err err = {0};
    CHECK_OK(dj_text_new(&t, &err), &err);
    CHECK_OK(dj_text_new(&t2, &err), &err);
    char line[4096];
    int n = 0;
    while (t && t2 && fgets(line, sizeof line, f)) {
        json_t *c = json_loads(line, JSON_ALLOW_NUL, NULL);
        CHECK(c != NULL);
        if (!c)
            continue;
        json_t *in = json_object_get(c, "in");
        const char *want = json_string_value(json_object_get(c, "out"));
        unsigned want_f = flag_bits(json_string_value(json_object_get(c, "flags")));
        dj_text_view v;
        CHECK_OK(dj_text_normalize(t, json_string_value(in), json_string_length(in), &v, &err), &err);
        if (strcmp(v.s, want) != 0 || v.all_flags != want_f)
            dj_test_fail(__FILE__, __LINE__, "\"%s\" -> \"%s\" flags %u, want \"%s\" flags %u",
                         json_string_value(in), v.s, v.all_flags, want, want_f);
        /* Every case is also idempotent: a second pass changes nothing,
         * except separators between pieces the first pass wrote out and
         * markup it wrote by reading escaped markup (&lt;b&gt;). */
        dj_text_view w;
        CHECK_OK(dj_text_normalize(t2, v.s, v.len, &w, &err), &err);
        if (!(w.all_flags & DJ_TEXT_F_SEPARATOR) && !dj_text__has_markup(v.s, v.len) &&
            (w.len != v.len || memcmp(w.s, v.s, v.len) != 0))
            dj_test_fail(__FILE__, __LINE__, "\"%s\" -> \"%s\" -> \"%s\": not idempotent", json_string_value(in), v.s,
                         w.s);
        json_decref(c);
        n++;
    }
    fclose(f);
    dj_text_free(t);
    dj_text_free(t2);
    CHECK(n >= 150);
}

static void test_text_map_points_at_input(void)
{
    dj_text *t = NULL;
    dj_err err = {0};
    CHECK_OK(dj_text_new(&t, &err), &err);
    const char *in = "高仿 G.U.C.C.I  Guссi";
    dj_text_view v;
    CHECK_OK(dj_text_normalize(t, in, strlen(in), &v, &err), &err);
    CHECK_STR(v.s, "高仿 gucci gucci");
    /* "gucci" (the first) starts at the input's "G" and ends before "  ". */
    const char *g = strstr(v.s, "gucci");
    size_t s = (size_t)(g - v.s);
    CHECK_EQ(v.orig[s], strchr(in, 'G') - in);
    CHECK_EQ(in[v.orig[s + 4]], 'I');
    /* The second gucci maps back to bytes that include the Cyrillic letters. */
    size_t s2 = (size_t)(strstr(g + 1, "gucci") - v.s);
    CHECK_EQ(v.orig[s2], strstr(in, "Gu") - in);
    CHECK_EQ(v.orig[v.len], strlen(in));
    CHECK(v.flags[s2 + 2] & DJ_TEXT_F_HOMOGLYPH);
    CHECK(!(v.flags[s2] & DJ_TEXT_F_HOMOGLYPH));
    /* Separator flags sit on the first byte after each removed separator. */
    CHECK(v.flags[s + 1] & DJ_TEXT_F_SEPARATOR);
    CHECK(!(v.flags[s] & DJ_TEXT_F_SEPARATOR));
    dj_text_free(t);
}

static void test_text_invalid_utf8_becomes_replacement(void)
{
    dj_text *t = NULL;
    dj_err err = {0};
    CHECK_OK(dj_text_new(&t, &err), &err);
    const char in[] = "ab\xff\xc3(\xe9\xa6";
    dj_text_view v;
    CHECK_OK(dj_text_normalize(t, in, sizeof in - 1, &v, &err), &err);
    CHECK_STR(v.s, "ab\xEF\xBF\xBD\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK_EQ(v.orig[v.len], sizeof in - 1);
    dj_text_free(t);
}

static void test_text_limits_and_empty(void)
{
    dj_text *t = NULL;
    dj_err err = {0};
    CHECK_OK(dj_text_new(&t, &err), &err);
    dj_text_view v;
    CHECK_OK(dj_text_normalize(t, "", 0, &v, &err), &err);
    CHECK_EQ(v.len, 0);
    CHECK_STR(v.s, "");
    dj_text_set_max(t, 16);
    CHECK_EQ(dj_text_normalize(t, "12345678901234567", 17, &v, &err), DJ_ETOOBIG);
    dj_text_set_max(t, (size_t)1 << 24);
    /* 4 MB of mixed text: every byte mapped, nothing read out of bounds. */
    size_t n = (size_t)4 << 20;
    static const char pattern[] = "G.U \xe9\xa6\x99 \xd1\x81x";
    char *big = malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = pattern[i % (sizeof pattern - 1)];
    CHECK_OK(dj_text_normalize(t, big, n, &v, &err), &err);
    CHECK(v.len > 0);
    CHECK_EQ(v.orig[v.len], n);
    free(big);
    dj_text_free(t);
}

static void test_text_term_normalization(void)
{
    dj_text *t = NULL;
    dj_err err = {0};
    CHECK_OK(dj_text_new(&t, &err), &err);
    dj_buf b;
    dj_buf_init(&b, 1024);
    unsigned fl = 99;
    CHECK_OK(dj_text_normalize_term(t, "Louis Vuitton", 13, &b, &fl, &err), &err);
    CHECK_EQ(fl, 0);
    CHECK_STR(b.data, "louis vuitton");
    dj_buf_reset(&b);
    CHECK_OK(dj_text_normalize_term(t, "香奈兒", strlen("香奈兒"), &b, NULL, &err), &err);
    CHECK_STR(b.data, "香奈儿");
    dj_buf_reset(&b);
    CHECK_OK(dj_text_normalize_term(t, "H & R Block", 11, &b, &fl, &err), &err);
    CHECK_STR(b.data, "hr block");
    CHECK_EQ(fl, DJ_TEXT_F_SEPARATOR);
    dj_buf_reset(&b);
    CHECK_OK(dj_text_normalize_term(t, "香奈兒", strlen("香奈兒"), &b, NULL, &err), &err);
    CHECK_STR(b.data, "香奈儿");
    dj_buf_fini(&b);
    CHECK(dj_text_is_cjk(0x9999));
    CHECK(!dj_text_is_cjk('a'));
    dj_text_free(t);
}

/* Normalizing twice changes nothing, for every code point the table
 * covers, alone and inside a Latin word (where lookalikes fold): a form
 * that is itself a table entry with another form (Ʀ case-folds to the
 * small capital ʀ, whose form is r) must be folded on when the table is
 * built. The fuzzer found that one. */
static void test_text_every_code_point_idempotent(void)
{
    dj_text *t1 = NULL, *t2 = NULL;
    dj_err err = {0};
    CHECK_OK(dj_text_new(&t1, &err), &err);
    CHECK_OK(dj_text_new(&t2, &err), &err);
    int bad = 0;
    for (uint32_t cp = 0x80; cp < DJ_TEXT_TABLE_MAX && t1 && t2 && bad < 5; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        for (int ctx = 0; ctx < 2; ctx++) {
            char in[16];
            size_t n = 0;
            if (ctx)
                in[n++] = 'a';
            n += dj_utf8_encode(cp, in + n);
            if (ctx)
                in[n++] = 'b';
            dj_text_view v, w;
            if (dj_text_normalize(t1, in, n, &v, &err) || dj_text_normalize(t2, v.s, v.len, &w, &err))
                continue;
            if (w.len != v.len || memcmp(w.s, v.s, v.len)) {
                dj_test_fail(__FILE__, __LINE__, "U+%04X%s: \"%.*s\" normalizes on to \"%.*s\"", (unsigned)cp,
                             ctx ? " in a word" : "", (int)v.len, v.s, (int)w.len, w.s);
                bad++;
            }
        }
    }
    dj_text_free(t1);
    dj_text_free(t2);
}

/* The one-pass path must give exactly what the four passes give: same
 * bytes, same map back, same flags. Checked on the case table, on random
 * texts built from the pieces the separator and lookalike rules look at,
 * and on real titles when ../shared is there. */
typedef struct twin {
    dj_text *a, *b;
    size_t texts, diffs;
} twin;

static void twin_check(twin *tw, const char *in, size_t len)
{
    dj_err err = {0};
    dj_text_view v, w;
    if (dj_text_normalize(tw->a, in, len, &v, &err) || dj_text__normalize_full(tw->b, in, len, &w, &err)) {
        dj_test_fail(__FILE__, __LINE__, "normalize failed: %s", err.msg);
        return;
    }
    tw->texts++;
    int same = v.len == w.len && !memcmp(v.s, w.s, v.len) && !memcmp(v.orig, w.orig, (v.len + 1) * sizeof *v.orig) &&
               !memcmp(v.flags, w.flags, v.len) && v.all_flags == w.all_flags;
    if (!same && tw->diffs++ < 5)
        dj_test_fail(__FILE__, __LINE__, "\"%.*s\": one pass \"%s\" flags %u, four passes \"%s\" flags %u", (int)len,
                     in, v.s, v.all_flags, w.s, w.all_flags);
}

/* The generators' random walk (a 64-bit LCG: the high bits are the good ones). */
static void step(uint64_t *seed)
{
    *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
}

/* Appends piece to the text being built in buf. */
static void put(char *buf, size_t *len, const char *piece)
{
    memcpy(buf + *len, piece, strlen(piece));
    *len += strlen(piece);
}

/* Two normalizers, one for each path; 0 when they could not be made. */
static int twin_new(twin *tw)
{
    dj_err err = {0};
    CHECK_OK(dj_text_new(&tw->a, &err), &err);
    CHECK_OK(dj_text_new(&tw->b, &err), &err);
    return tw->a && tw->b;
}

static void twin_free(twin *tw)
{
    dj_text_free(tw->a);
    dj_text_free(tw->b);
}

/* Each line of a file (field NULL), or the string field of each JSON line. */
static void twin_file(twin *tw, const char *path, const char *field)
{
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    char line[8192];
    while (f && fgets(line, sizeof line, f)) {
        if (!field) {
            twin_check(tw, line, strlen(line));
            continue;
        }
        json_t *c = json_loads(line, JSON_ALLOW_NUL, NULL);
        json_t *in = json_object_get(c, field);
        if (json_is_string(in))
            twin_check(tw, json_string_value(in), json_string_length(in));
        json_decref(c);
    }
    if (f)
        fclose(f);
}

static void test_text_fast_path_matches_full(void)
{
    twin tw = {0};
    if (!twin_new(&tw))
        return;
    char path[512];
    snprintf(path, sizeof path, "%s/text/normalize_cases.jsonl", dj_test_data_dir());
    twin_file(&tw, path, "in");
    static const char *const pieces[] = {
        "香", "奈", "儿", "兒", "包", "手机壳", "答", "可以", "苹果", "高仿", "一比一", "ｇｕｃｃｉ", "G", "U", "C", "I",
        "L", "V", "gucci", "Apple", "iPhone", "15", "1200W", "r0lex", "ch@nel", "Guссi", "Сhаnеl", "ℊ", "Ⓖ", "x",
        " ", "  ", "\t", "\n", "·", "-", "/", "~", ".", "|", "*", "_", "、", "，", "：", "？", "。", "“", "”", "・",
        "—", "•", "@", "$", "!", "&", "(", ")", "\xe2\x80\x8b", "\xcc\x81", "e\xcc\x81", "\xef\xbf\xbd", "\xff",
        "가", "カ", "ไ", "Ⅻ", "ﬁ", "😀",
    };
    const size_t n_pieces = sizeof pieces / sizeof pieces[0];
    uint64_t seed = 7;
    char buf[1024];
    for (int k = 0; k < 200000; k++) {
        size_t len = 0;
        step(&seed);
        int parts = 1 + (int)(seed >> 59);
        for (int p = 0; p < parts; p++) {
            step(&seed);
            put(buf, &len, pieces[(seed >> 33) % n_pieces]);
        }
        twin_check(&tw, buf, len);
    }
    const char *shared = dj_test_shared_dir();
    if (shared) {
        snprintf(path, sizeof path, "%s/listings_zh/jd_gaiic2022_titles.jsonl", shared);
        twin_file(&tw, path, "title");
        snprintf(path, sizeof path, "%s/listings_en/product_titles_en.csv", shared);
        twin_file(&tw, path, NULL);
    } else {
        printf("# real titles skipped: ../shared/data is not here\n");
    }
    CHECK_EQ(tw.diffs, 0);
    CHECK(tw.texts >= 200000);
    twin_free(&tw);
}

/* Long runs of ideographs, which the one-pass path copies five at a time:
 * code points from the whole block its shape test admits (U+4000-U+9FFF,
 * so extension A below the side tables too), traditional characters among
 * them, runs broken by punctuation, ASCII and other scripts, at every
 * offset of a 16-byte block. Both paths must agree byte for byte, map and
 * flags included. */
static void test_text_fast_path_cjk_runs(void)
{
    twin tw = {0};
    if (!twin_new(&tw))
        return;
    static const char *const breaks[] = {"，", "。", "·", " ", "a", "15", "兒", "香港", "\xe2\x80\x8b", "Ｇ", "가"};
    const size_t n_breaks = sizeof breaks / sizeof breaks[0];
    uint64_t seed = 11;
    char buf[512];
    for (int k = 0; k < 60000; k++) {
        size_t len = 0;
        step(&seed);
        for (int pad = (int)(seed >> 60); pad > 0; pad--)
            buf[len++] = 'x';
        int runs = 1 + (int)((seed >> 40) % 6);
        for (int r = 0; r < runs; r++) {
            step(&seed);
            int chars = 1 + (int)((seed >> 33) % 24);
            for (int c = 0; c < chars; c++) {
                step(&seed);
                /* Mostly common simplified characters, as Chinese text is;
                 * now and then any code point of the block. */
                uint32_t cp = (seed >> 61) ? 0x4E00 + (uint32_t)((seed >> 20) % 0x300)
                                           : 0x4000 + (uint32_t)((seed >> 20) % 0x6000);
                len += dj_utf8_encode(cp, buf + len);
            }
            put(buf, &len, breaks[(seed >> 50) % n_breaks]);
        }
        twin_check(&tw, buf, len);
    }
    CHECK_EQ(tw.diffs, 0);
    CHECK_EQ(tw.texts, 60000);
    twin_free(&tw);
}

static void test_text_english_words(void)
{
    static const char *const words[] = {"aa", "channel", "couch", "prado", "micro", "gucci", "zzz"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        CHECK(dj_text_is_english_word(words[i], strlen(words[i])));
    static const char *const not_words[] = {"", "a", "chanell", "guccy", "addidas", "channe", "channels2", "zzzzzzzz"};
    for (size_t i = 0; i < sizeof not_words / sizeof not_words[0]; i++)
        CHECK(!dj_text_is_english_word(not_words[i], strlen(not_words[i])));
    /* A prefix of a longer text is not the word: the length counts. */
    CHECK(dj_text_is_english_word("couches", 5));
    CHECK(!dj_text_is_english_word("couches", 4));
}

/* The sounds of a text: the same bytes for characters read alike. */
static size_t sounds_of(const char *s, char *out, uint32_t *at)
{
    return dj_text_sounds(s, strlen(s), out, at);
}

static void test_text_sounds(void)
{
    char a[64], b[64];
    uint32_t at[65];
    size_t n = sounds_of("香奈儿", a, at), m = sounds_of("香奈尔", b, NULL); /* er2, er3 */
    CHECK_EQ(n, 6);
    CHECK(m == n && !memcmp(a, b, n));
    CHECK_EQ(at[0], 0);
    CHECK_EQ(at[3], 3);
    CHECK_EQ(at[5], 6);
    CHECK_EQ(at[6], 9);
    CHECK(((unsigned char)a[0] & 0x80) && !((unsigned char)a[1] & 0x80)); /* a match starts on a character */
    m = sounds_of("香奈", b, NULL);
    CHECK(m == 4 && !memcmp(a, b, 4));
    m = sounds_of("香水", b, NULL);
    CHECK(m == 4 && memcmp(a, b, 4) != 0);
    /* Anything else is one gap a run: "ab 劳力士!" is gap + 6 bytes + gap. */
    n = sounds_of("ab 劳力士!", a, at);
    CHECK_EQ(n, 8);
    CHECK(a[0] == DJ_TEXT_SOUND_GAP && a[7] == DJ_TEXT_SOUND_GAP);
    CHECK_EQ(at[1], 3);
    CHECK_EQ(at[8], 13);
    m = sounds_of("xx老李是", b, NULL); /* lao li shi: the sounds of 劳力士 */
    CHECK(m == 7 && !memcmp(a, b, 7));
    /* lü and nü sound as lu and nu (露侣 for 露露, 天女 for 天奴); not as
     * other syllables (绿 lü, 驴 lü, 李 li). */
    n = sounds_of("华伦天奴", a, NULL);
    m = sounds_of("华伦天女", b, NULL);
    CHECK(n == 8 && m == 8 && !memcmp(a, b, 8));
    n = sounds_of("路绿", a, NULL);
    CHECK(n == 4 && !memcmp(a, a + 2, 2));
    m = sounds_of("驴李", b, NULL);
    CHECK(m == 4 && !memcmp(a, b, 2) && memcmp(b, b + 2, 2) != 0);
    CHECK_EQ(sounds_of("", a, at), 0);
    CHECK_EQ(at[0], 0);
}

static void test_text_pinyin(void)
{
    char out[32];
    CHECK_EQ(dj_text_pinyin("香奈儿", 9, out, sizeof out), 10);
    CHECK_STR(out, "xiangnaier");
    CHECK_EQ(dj_text_pinyin("路易威登", 12, out, sizeof out), 11);
    CHECK_STR(out, "luyiweideng");
    CHECK_EQ(dj_text_pinyin("女", 3, out, sizeof out), 2); /* nǚ, written as typed */
    CHECK_STR(out, "nv");
    CHECK_EQ(dj_text_pinyin("香奈儿a", 10, out, sizeof out), 0); /* ideographs only */
    CHECK_EQ(dj_text_pinyin("香奈", 5, out, sizeof out), 0);     /* cut in a character */
    CHECK_EQ(dj_text_pinyin("香奈儿", 9, out, 10), 0);          /* no room for the NUL */
    CHECK_EQ(dj_text_pinyin("", 0, out, sizeof out), 0);
}

/* Text the screen meets all the time stays on the one-pass path: the
 * full passes cost several times as much (a rule that sent 赞！超值 there
 * took 15% of a scan). */
static void test_text_fast_path_takes_common_text(void)
{
    static const char *const common[] = {
        "赞！超值，下次还来", "好。很好", "【热卖】新款女包", "Gucci® 正品 ★ 包邮", "5★好评",
        "新款★包邮", "男/女 通用", "黑色,白色", "iPhone 15 手机壳", "质量一如既往的好。店铺上新很快",
    };
    dj_text *t = NULL;
    if (dj_text_new(&t, NULL))
        return;
    for (size_t i = 0; i < sizeof common / sizeof *common; i++) {
        dj_text_view v;
        if (!dj_text__fast_only(t, common[i], strlen(common[i]), &v))
            dj_test_fail(__FILE__, __LINE__, "\"%s\" fell to the full passes", common[i]);
    }
    dj_text_free(t);
}

/* Whether a span of ideographs reads as a name of its own (the test of a
 * two-character homophone of a brand); offsets in bytes. */
static int reads_as_name(const char *s, const char *span)
{
    const char *at = strstr(s, span);
    CHECK(at != NULL);
    if (!at)
        return -1;
    size_t from = (size_t)(at - s);
    return dj_text_zh_reads_as_name(s, strlen(s), from, from + strlen(span));
}

static void test_text_zh_reads_as_name(void)
{
    /* Two characters that make no word with their neighbours. */
    CHECK_EQ(reads_as_name("大码奶克毛线帽", "奶克"), 1);
    CHECK_EQ(reads_as_name("奶克 短靴", "奶克"), 1);
    CHECK_EQ(reads_as_name("老人款架能无人机", "架能"), 1);
    /* A common word (创意, creative), or words around (生日礼物 holds 日礼;
     * 莫代尔, modal, holds 代尔; 上衣拼丝绒, where 衣拼 would need 上 alone). */
    CHECK_EQ(reads_as_name("创意礼物", "创意"), 0);
    CHECK_EQ(reads_as_name("女生生日礼物", "日礼"), 0);
    CHECK_EQ(reads_as_name("莫代尔打底衫", "代尔"), 0);
    CHECK_EQ(reads_as_name("荷叶摆上衣拼丝绒半裙", "衣拼"), 0);
    /* Not a span of whole ideographs. */
    const char *t = "大码奶克";
    CHECK_EQ(dj_text_zh_reads_as_name(t, strlen(t), 7, 12), 0);
    CHECK_EQ(dj_text_zh_reads_as_name(t, strlen(t), 6, 6), 0);
    CHECK_EQ(dj_text_zh_reads_as_name("ab", 2, 0, 2), 0);
}

static const dj_test tests[] = {
    DJ_TEST(test_text_cases_from_file),
    DJ_TEST(test_text_map_points_at_input),
    DJ_TEST(test_text_invalid_utf8_becomes_replacement),
    DJ_TEST(test_text_limits_and_empty),
    DJ_TEST(test_text_term_normalization),
    DJ_TEST(test_text_every_code_point_idempotent),
    DJ_TEST(test_text_fast_path_matches_full),
    DJ_TEST(test_text_fast_path_cjk_runs),
    DJ_TEST(test_text_english_words),
    DJ_TEST(test_text_sounds),
    DJ_TEST(test_text_pinyin),
    DJ_TEST(test_text_zh_reads_as_name),
    DJ_TEST(test_text_fast_path_takes_common_text),
};
DJ_TEST_SUITE(tests)
