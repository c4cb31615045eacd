#include "fixture.h"
#include "screen/screen.h"
#include "test.h"

dj_kb *dj_test_screen_kb(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/screen/kb.json", dj_test_data_dir());
    dj_kb *kb = NULL;
    dj_err err = {0};
    CHECK_OK(dj_kb_load_file(path, &kb, &err), &err);
    return kb;
}

dj_screen *dj_test_screen(dj_kb **kb)
{
    dj_screen *s = NULL;
    dj_err err = {0};
    if ((*kb = dj_test_screen_kb()))
        CHECK_OK(dj_screen_new(*kb, &s, &err), &err);
    if (!s) {
        dj_kb_unref(*kb);
        *kb = NULL;
    }
    return s;
}
