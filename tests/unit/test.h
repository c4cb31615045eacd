/*
 * The unit-test framework: a test is `static void test_x(void)`; each file
 * lists its tests in a table and registers it with DJ_TEST_SUITE, so no
 * central list has to be edited when a room adds tests. The CHECK macros
 * print the expression and both values and mark the current test failed
 * (they do not abort it, so one run shows every broken expectation).
 */
#ifndef DJ_TESTS_UNIT_TEST_H
#define DJ_TESTS_UNIT_TEST_H

#include <stdio.h>
#include <string.h>

#include "util/err.h"

typedef struct dj_test {
    const char *name;
    void (*fn)(void);
} dj_test;

void dj_test_register(const char *file, const dj_test *tests, size_t n);
void dj_test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Directory of test data (tests/data), and of ../shared/data or NULL when
 * it is absent (tests over it then report themselves skipped). */
const char *dj_test_data_dir(void);
const char *dj_test_shared_dir(void);
void dj_test_skip(const char *why);

#define DJ_TEST(fn) {#fn, fn}
#define DJ_TEST_SUITE(table)                                                 \
    __attribute__((constructor)) static void register_##table(void)          \
    {                                                                        \
        dj_test_register(__FILE__, table, sizeof table / sizeof table[0]);   \
    }

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond))                                                         \
            dj_test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);            \
    } while (0)

#define CHECK_EQ(a, b)                                                       \
    do {                                                                     \
        long long a_ = (long long)(a), b_ = (long long)(b);                  \
        if (a_ != b_)                                                        \
            dj_test_fail(__FILE__, __LINE__, "CHECK_EQ(%s, %s): %lld != %lld", \
                         #a, #b, a_, b_);                                    \
    } while (0)

#define CHECK_STR(a, b)                                                      \
    do {                                                                     \
        const char *a_ = (a), *b_ = (b);                                     \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                               \
            dj_test_fail(__FILE__, __LINE__, "CHECK_STR(%s, %s): \"%s\" != \"%s\"", \
                         #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");    \
    } while (0)

/* rc must be DJ_OK; on failure prints the error message when one exists. */
#define CHECK_OK(rc, errp)                                                   \
    do {                                                                     \
        int rc_ = (int)(rc);                                                 \
        const dj_err *e_ = (errp);                                           \
        if (rc_ != 0)                                                        \
            dj_test_fail(__FILE__, __LINE__, "CHECK_OK(%s): rc=%d %s", #rc,  \
                         rc_, e_ ? e_->msg : "");                            \
    } while (0)

#endif
