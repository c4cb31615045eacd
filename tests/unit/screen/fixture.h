/*
 * What the screen tests share: the KB of tests/data/screen/kb.json.
 */
#ifndef DJ_TESTS_UNIT_SCREEN_FIXTURE_H
#define DJ_TESTS_UNIT_SCREEN_FIXTURE_H

#include "kb/kb.h"

/* Loads the test KB (one reference), or marks the test failed and returns
 * NULL. */
dj_kb *dj_test_screen_kb(void);

/* A screening worker over the test KB, whose reference goes to *kb; or
 * NULL (and *kb NULL) with the test marked failed. */
struct dj_screen;
struct dj_screen *dj_test_screen(dj_kb **kb);

#endif
