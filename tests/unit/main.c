/*
 * Unit-test runner. Runs every registered test (or those whose name contains
 * argv[1]) and prints one TAP-style line per test, "ok - name" or
 * "not ok - name", then "unit: N passed, N failed". Exit status is non-zero
 * when any test failed.
 */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct suite {
    const char *file;
    const dj_test *tests;
    size_t n;
} suite;

static suite suites[256];
static size_t n_suites;
static int cur_failed, cur_skipped;

void dj_test_register(const char *file, const dj_test *tests, size_t n)
{
    if (n_suites < sizeof suites / sizeof suites[0])
        suites[n_suites++] = (suite){file, tests, n};
}

void dj_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stdout, "#   %s:%d: ", file, line);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
    cur_failed = 1;
}

void dj_test_skip(const char *why)
{
    printf("#   skipped: %s\n", why);
    cur_skipped = 1;
}

const char *dj_test_data_dir(void)
{
    const char *d = getenv("DJ_TEST_DATA");
    return d ? d : "tests/data";
}

const char *dj_test_shared_dir(void)
{
    const char *d = getenv("DJ_SHARED_DATA");
    if (!d)
        d = "../shared/data";
    struct stat st;
    return stat(d, &st) == 0 && S_ISDIR(st.st_mode) ? d : NULL;
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0;
    for (size_t s = 0; s < n_suites; s++)
        for (size_t i = 0; i < suites[s].n; i++) {
            const dj_test *t = &suites[s].tests[i];
            if (filter && !strstr(t->name, filter) && !strstr(suites[s].file, filter))
                continue;
            cur_failed = cur_skipped = 0;
            t->fn();
            fflush(stderr);
            if (cur_failed) {
                printf("not ok - %s\n", t->name);
                failed++;
            } else {
                printf("ok - %s%s\n", t->name, cur_skipped ? " # SKIP" : "");
                passed++;
            }
            fflush(stdout);
        }
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
