/*
 * Fuzz target: one JSONL line through parsing, normalization and screening
 * against a small fixed KB, and the decision written as JSON. The output
 * must always be one line of valid structure; crashes, leaks and sanitizer
 * reports are the findings. The input's lines are then screened as one
 * batch (dj_screen_lines, the scan's path) and must give exactly what
 * screening them one by one gives. Inputs over 64 KiB are cut (the scan
 * limit is larger, but coverage does not need it).
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
static dj_buf out, one, batch;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cleanup(void)
{
    dj_screen_free(screen);
    dj_buf_fini(&out);
    dj_buf_fini(&one);
    dj_buf_fini(&batch);
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
    dj_buf_init(&one, (size_t)1 << 24);
    dj_buf_init(&batch, (size_t)1 << 24);
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

    enum { MAX_LINES = 64 };
    dj_line lines[MAX_LINES];
    int results[MAX_LINES], r1;
    unsigned signals[MAX_LINES], sig1;
    size_t n = 0;
    dj_buf_reset(&one);
    dj_buf_reset(&batch);
    for (size_t at = 0; at <= size && n < MAX_LINES; n++) {
        const char *nl = memchr(data + at, '\n', size - at);
        size_t len = nl ? (size_t)(nl - (const char *)data) - at : size - at;
        lines[n] = (dj_line){(uint32_t)at, (uint32_t)len, n + 1, 0};
        if (len) {
            r1 = dj_screen_line(screen, (const char *)data + at, len, n + 1, &one, &sig1);
        } else {
            r1 = -1;
            sig1 = 0;
            dj_buf_printf(&one, "{\"line\":%zu,\"decision\":\"error\",\"error\":\"empty line\"}", n + 1);
        }
        dj_buf_addc(&one, '\n');
        results[n] = r1;
        signals[n] = sig1;
        at += len + 1;
    }
    int want[MAX_LINES];
    unsigned want_sig[MAX_LINES];
    memcpy(want, results, n * sizeof *want);
    memcpy(want_sig, signals, n * sizeof *want_sig);
    dj_screen_lines(screen, (const char *)data, lines, n, &batch, results, signals);
    if (batch.len != one.len || memcmp(batch.data, one.data, one.len) || memcmp(want, results, n * sizeof *want) ||
        memcmp(want_sig, signals, n * sizeof *want_sig))
        abort();
    return 0;
}
