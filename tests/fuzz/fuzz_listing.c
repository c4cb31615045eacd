/*
 * Fuzz target: one JSONL line through parsing, normalization and screening
 * against a small fixed KB, and the decision written as JSON. The output
 * must always be one line of valid structure; crashes, leaks and sanitizer
 * reports are the findings. Inputs over 64 KiB are cut (the scan limit is
 * larger, but coverage does not need it).
 */
#include "kb/kb.h"
#include "screen/screen.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char kb_json[] =
    "{\"currency\":\"CNY\",\"rates\":{\"USD\":7.1},"
    "\"brands\":[{\"id\":\"gucci\",\"terms\":[\"gucci\",\"古驰\"],\"nicknames\":[\"g家\"],"
    "\"categories\":[\"fashion\"],\"min_price\":{\"fashion/bags\":5000},\"authorized_sellers\":[\"s1\"],"
    "\"official_images\":[\"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\"]},"
    "{\"id\":\"lv\",\"terms\":[\"lv\",\"louis vuitton\",\"路易威登\"],\"categories\":[\"fashion\"]},"
    "{\"id\":\"apple\",\"terms\":[\"apple\",\"苹果\",\"iphone\"],\"categories\":[\"electronics\"]}],"
    "\"signals\":[{\"term\":\"高仿\",\"kind\":\"replica\",\"weight\":0.9},"
    "{\"term\":\"a货\",\"kind\":\"replica\",\"weight\":0.8,\"cancel_near\":[\"翡翠\"]},"
    "{\"term\":\"适用于\",\"kind\":\"compat\"},{\"term\":\"for\",\"kind\":\"compat\"},"
    "{\"term\":\"二手\",\"kind\":\"resale\"},{\"term\":\"同款\",\"kind\":\"lookalike\",\"weight\":0.5}]}";

static dj_screen *screen;
static dj_buf out;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cleanup(void)
{
    dj_screen_free(screen);
    dj_buf_fini(&out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    dj_kb *kb = NULL;
    dj_err err;
    if (dj_kb_load(kb_json, sizeof kb_json - 1, &kb, &err) || dj_screen_new(kb, &screen, &err))
        abort();
    dj_kb_unref(kb);
    dj_buf_init(&out, (size_t)1 << 24);
    atexit(cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!screen)
        LLVMFuzzerInitialize(NULL, NULL);
    if (size > 65536)
        size = 65536;
    dj_buf_reset(&out);
    int r = dj_screen_line(screen, (const char *)data, size, 1, &out, NULL);
    if (r < -1 || out.len == 0 || out.data[0] != '{' || out.data[out.len - 1] != '}' || memchr(out.data, '\n', out.len))
        abort();
    return 0;
}
