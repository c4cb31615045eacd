/* Tests for src/screen/banks.c: known counterfeit photos (with and without
 * a brand), allow-listed photos, the flood guard's quarantine, counters
 * carried over a rebuild, and re-screening that does not count. The KB is
 * tests/data/screen/kb.json, whose gucci brand has one official image. */
#include "kb/kb.h"
#include "screen/screen.h"
#include "test.h"
#include "fixture.h"

#include <string.h>

/* gucci's official image, and a photo 6 bits away from it. */
#define OFFICIAL "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
#define NEAR_OFFICIAL "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"
#define FAKE_PHOTO "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define OTHER_FAKE "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static dj_banks_entry entry(long long id, dj_bank_kind kind, const char *hex, const char *brand)
{
    dj_banks_entry e = {id, kind, {{0}}, brand, 0};
    dj_pdq_from_hex(hex, 64, &e.hash, NULL);
    return e;
}

/* Screens a listing with one image, a plain title and no price (so the
 * image decides); returns the decision, its line in out. */
static int screen_image(dj_screen *s, const char *seller, const char *hex, dj_buf *out)
{
    char line[512];
    snprintf(line, sizeof line,
             "{\"id\":\"t\",\"seller_id\":\"%s\",\"title\":\"leather "
             "handbag\",\"category\":\"fashion/bags\","
             "\"images\":[\"%s\"]}",
             seller, hex);
    dj_buf_reset(out);
    return dj_screen_line(s, line, strlen(line), 1, out, NULL);
}

static void test_banks_counterfeit_allow_and_brandless(void)
{
    dj_kb *kb = dj_test_screen_kb();
    if (!kb)
        return;
    dj_banks_entry e[] = {
        entry(7, DJ_BANK_COUNTERFEIT, FAKE_PHOTO, "gucci"),
        entry(9, DJ_BANK_COUNTERFEIT, OTHER_FAKE, NULL),
        entry(11, DJ_BANK_ALLOW, NEAR_OFFICIAL, NULL),
    };
    dj_banks *b = dj_banks_new(kb, e, 3, 5, NULL, NULL);
    CHECK_EQ(dj_banks_count(b, DJ_BANK_COUNTERFEIT), 2);
    CHECK_EQ(dj_banks_count(b, DJ_BANK_ALLOW), 1);
    CHECK_EQ(dj_banks_version(b), 5);
    dj_screen *s = NULL;
    dj_err err = {0};
    CHECK_OK(dj_screen_new(kb, &s, &err), &err);
    dj_buf out;
    dj_buf_init(&out, 1 << 16);

    /* Without banks: the official image alone holds the listing. */
    CHECK_EQ(screen_image(s, "s1", OFFICIAL, &out), DJ_DECIDE_REVIEW);
    CHECK(strstr(out.data, "\"official_image\"") != NULL);
    CHECK_EQ(screen_image(s, "s1", FAKE_PHOTO, &out), DJ_DECIDE_ALLOW);

    dj_screen_set_banks(s, b, 1);
    /* A known fake's photo blocks, for its brand, citing the entry. */
    CHECK_EQ(screen_image(s, "s1", FAKE_PHOTO, &out), DJ_DECIDE_BLOCK);
    CHECK(strstr(out.data, "\"signal\":\"counterfeit_image\"") && strstr(out.data, "\"entry\":7") &&
          strstr(out.data, "\"brand\":\"gucci\""));
    /* ... even from the brand's authorized seller (a fake is a fake). */
    CHECK_EQ(screen_image(s, "s-gucci-store", FAKE_PHOTO, &out), DJ_DECIDE_BLOCK);
    /* A fake of no known brand still blocks, with no brand. */
    CHECK_EQ(screen_image(s, "s1", OTHER_FAKE, &out), DJ_DECIDE_BLOCK);
    CHECK(strstr(out.data, "\"brand\":null") && strstr(out.data, "\"entry\":9"));
    /* An allow-listed photo says nothing, though it is near the official one. */
    CHECK_EQ(screen_image(s, "s1", NEAR_OFFICIAL, &out), DJ_DECIDE_ALLOW);
    CHECK(strstr(out.data, "\"allowlisted_image\"") && !strstr(out.data, "\"official_image\""));
    /* A photo 31 bits away from the fake still matches; 40 bits does not. */
    dj_pdq h;
    dj_pdq_from_hex(FAKE_PHOTO, 64, &h, NULL);
    for (int i = 0; i < 31; i++)
        h.h[i] ^= 1;
    char hex[65];
    dj_pdq_to_hex(&h, hex);
    CHECK_EQ(screen_image(s, "s1", hex, &out), DJ_DECIDE_BLOCK);
    CHECK(strstr(out.data, "\"distance\":31") != NULL);
    for (int i = 0; i < 9; i++)
        h.h[i] ^= 2;
    dj_pdq_to_hex(&h, hex);
    CHECK_EQ(screen_image(s, "s1", hex, &out), DJ_DECIDE_ALLOW);

    dj_buf_fini(&out);
    dj_screen_free(s);
    dj_banks_unref(b);
    dj_kb_unref(kb);
}

static void test_banks_flood_guard_quarantines_and_reports(void)
{
    dj_kb *kb = dj_test_screen_kb();
    if (!kb)
        return;
    dj_banks_entry e[] = {entry(3, DJ_BANK_COUNTERFEIT, FAKE_PHOTO, "gucci")};
    dj_flood_opts fo = {3600, 5, 2, 0};
    dj_banks *b = dj_banks_new(kb, e, 1, 1, &fo, NULL);
    dj_screen *s = NULL;
    dj_err err = {0};
    CHECK_OK(dj_screen_new(kb, &s, &err), &err);
    dj_screen_set_banks(s, b, 1);
    dj_buf out;
    dj_buf_init(&out, 1 << 16);
    /* One seller posting the photo over and over is a counterfeiter: it
     * keeps being blocked, however many times. */
    for (int i = 0; i < 20; i++)
        CHECK_EQ(screen_image(s, "s1", FAKE_PHOTO, &out), DJ_DECIDE_BLOCK);
    CHECK_EQ(dj_banks_quarantined(b, NULL, 0), 0);
    /* Matches from five sellers (the minimum: min_matches caps the default
     * of 10) in a window with no baseline: the fifth seller trips it. */
    const char *sellers[] = {"s2", "s3", "s4", "s5"};
    for (int i = 0; i < 3; i++)
        CHECK_EQ(screen_image(s, sellers[i], FAKE_PHOTO, &out), DJ_DECIDE_BLOCK);
    CHECK_EQ(dj_banks_quarantined(b, NULL, 0), 0);
    CHECK_EQ(screen_image(s, sellers[3], FAKE_PHOTO, &out), DJ_DECIDE_ALLOW);
    CHECK(strstr(out.data, "\"quarantined_image\"") && strstr(out.data, "\"bank\":\"counterfeit\"") &&
          strstr(out.data, "\"entry\":3"));
    dj_banks_quarantine q[4];
    CHECK_EQ(dj_banks_take_quarantined(b, q, 4), 1);
    CHECK_EQ(q[0].id, 3);
    CHECK_EQ(q[0].matches, 24);
    CHECK_EQ(q[0].sellers, 5);
    CHECK_STR(q[0].hash, FAKE_PHOTO);
    CHECK_EQ(dj_banks_take_quarantined(b, q, 4), 0); /* taken once */
    CHECK_EQ(dj_banks_quarantined(b, q, 4), 1);      /* still held */

    /* A rebuild with the store saying "quarantined" (the service persists
     * it) and a new entry elsewhere keeps the entry held. */
    dj_banks_entry e2[] = {entry(3, DJ_BANK_COUNTERFEIT, FAKE_PHOTO, "gucci"),
                           entry(4, DJ_BANK_COUNTERFEIT, OTHER_FAKE, "gucci")};
    e2[0].quarantined = 1;
    dj_banks *b2 = dj_banks_new(kb, e2, 2, 2, &fo, b);
    dj_screen_set_banks(s, b2, 1);
    CHECK_EQ(screen_image(s, "s1", FAKE_PHOTO, &out), DJ_DECIDE_ALLOW);
    CHECK_EQ(screen_image(s, "s1", OTHER_FAKE, &out), DJ_DECIDE_BLOCK);

    /* The official image: matches by the brand's own store do not count. */
    for (int i = 0; i < 10; i++)
        screen_image(s, "s-gucci-store", OFFICIAL, &out);
    CHECK_EQ(dj_banks_quarantined(b2, NULL, 0), 1);
    for (int i = 0; i < 5; i++)
        screen_image(s, "s1", OFFICIAL, &out);
    CHECK_EQ(dj_banks_quarantined(b2, NULL, 0), 1); /* one seller: no flood */
    const char *more[] = {"s2", "s3", "s4", "s5"};
    for (int i = 0; i < 4; i++)
        screen_image(s, more[i], OFFICIAL, &out);
    CHECK_EQ(dj_banks_quarantined(b2, q, 4), 2);
    CHECK(q[0].kind == DJ_BANK_OFFICIAL && !strcmp(q[0].brand_id, "gucci") && q[0].image == 0);
    CHECK(strstr(out.data, "\"official_image\":0") && strstr(out.data, "\"bank\":\"official\""));
    CHECK_EQ(dj_banks_release_official(b2, "gucci", 0), 1);
    CHECK_EQ(screen_image(s, "s1", OFFICIAL, &out), DJ_DECIDE_REVIEW);

    /* The store saying "active" again (a person released it) releases it,
     * with the counts so far as its new baseline. */
    e2[0].quarantined = 0;
    dj_banks *b4 = dj_banks_new(kb, e2, 2, 3, &fo, b2);
    dj_screen_set_banks(s, b4, 1);
    CHECK_EQ(screen_image(s, "s1", FAKE_PHOTO, &out), DJ_DECIDE_BLOCK);
    dj_screen_set_banks(s, b2, 1);
    dj_banks_unref(b4);

    /* Re-screening does not count: a fresh entry survives any number. */
    dj_banks *b3 = dj_banks_new(kb, e2 + 1, 1, 3, &fo, NULL);
    dj_screen_set_banks(s, b3, 0);
    for (int i = 0; i < 20; i++)
        CHECK_EQ(screen_image(s, "s1", OTHER_FAKE, &out), DJ_DECIDE_BLOCK);
    CHECK_EQ(dj_banks_quarantined(b3, NULL, 0), 0);

    /* Banks of another KB are ignored, not misread. */
    dj_kb *kb2 = dj_test_screen_kb();
    dj_screen_set_kb(s, kb2, &err);
    CHECK_EQ(screen_image(s, "s1", OTHER_FAKE, &out), DJ_DECIDE_ALLOW);

    dj_buf_fini(&out);
    dj_screen_free(s);
    dj_banks_unref(b);
    dj_banks_unref(b2);
    dj_banks_unref(b3);
    dj_kb_unref(kb2);
    dj_kb_unref(kb);
}

/* A rebuild before the service recorded a quarantine (the store still says
 * active) keeps it, and passes the record on. */
static void test_banks_unrecorded_quarantine_survives_rebuild(void)
{
    dj_kb *kb = dj_test_screen_kb();
    if (!kb)
        return;
    dj_banks_entry e[] = {entry(3, DJ_BANK_COUNTERFEIT, FAKE_PHOTO, "gucci")};
    dj_flood_opts fo = {3600, 3, 2, 0};
    dj_banks *b = dj_banks_new(kb, e, 1, 1, &fo, NULL);
    dj_screen *s = NULL;
    dj_err err = {0};
    CHECK_OK(dj_screen_new(kb, &s, &err), &err);
    dj_screen_set_banks(s, b, 1);
    dj_buf out;
    dj_buf_init(&out, 1 << 16);
    const char *sellers[] = {"s1", "s2", "s3"};
    for (int i = 0; i < 3; i++)
        screen_image(s, sellers[i], FAKE_PHOTO, &out);
    CHECK_EQ(dj_banks_quarantined(b, NULL, 0), 1);
    dj_banks *b2 = dj_banks_new(kb, e, 1, 2, &fo, b);
    CHECK_EQ(dj_banks_quarantined(b2, NULL, 0), 1);
    dj_banks_quarantine q[2];
    CHECK_EQ(dj_banks_take_quarantined(b2, q, 2), 1);
    CHECK_EQ(q[0].id, 3);
    dj_buf_fini(&out);
    dj_screen_free(s);
    dj_banks_unref(b);
    dj_banks_unref(b2);
    dj_kb_unref(kb);
}

static const dj_test tests[] = {
    DJ_TEST(test_banks_unrecorded_quarantine_survives_rebuild),
    DJ_TEST(test_banks_counterfeit_allow_and_brandless),
    DJ_TEST(test_banks_flood_guard_quarantines_and_reports),
};
DJ_TEST_SUITE(tests)
