/*
 * Fuzz target: text normalization. Checks the view's invariants on any
 * bytes: the map back is monotonic and inside the input, the output is
 * valid UTF-8 without the removed classes, and normalizing is idempotent
 * on its own output (a second pass changes nothing but may still flag,
 * nor reads a character reference or tag the first one wrote),
 * and the one-pass path gives exactly what the four passes give; and the
 * Chinese word split (dj_text_zh_reads_as_name) takes any span of it.
 */
#include "text/text.h"
#include "text/text_int.h"
#include "util/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static dj_text *t1, *t2, *t3;

static void cleanup(void)
{
    dj_text_free(t1);
    dj_text_free(t2);
    dj_text_free(t3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!t1) {
        if (dj_text_new(&t1, NULL) || dj_text_new(&t2, NULL) || dj_text_new(&t3, NULL))
            abort();
        atexit(cleanup);
    }
    if (size > 65536)
        size = 65536;
    dj_text_view v, w;
    if (dj_text_normalize(t1, (const char *)data, size, &v, NULL))
        abort();
    if (v.orig[v.len] != size || dj_utf8_validate(v.s, v.len) != v.len)
        abort();
    for (size_t i = 0; i < v.len; i++)
        if (v.orig[i] > size || (i > 0 && v.orig[i] < v.orig[i - 1]))
            abort();
    if (v.len && (v.s[0] == ' ' || v.s[v.len - 1] == ' '))
        abort();
    dj_text_view u;
    if (dj_text__normalize_full(t3, (const char *)data, size, &u, NULL))
        abort();
    if (u.len != v.len || memcmp(u.s, v.s, v.len) || memcmp(u.orig, v.orig, (v.len + 1) * sizeof *v.orig) ||
        memcmp(u.flags, v.flags, v.len) || u.all_flags != v.all_flags)
        abort();
    if (dj_text_normalize(t2, v.s, v.len, &w, NULL))
        abort();
    /* One pass folds everything a second pass would, except separator
     * chains that the first pass's output can newly form, and character
     * references and tags it wrote by reading one (&amp;#99; is &#99;,
     * &lt;b&gt; is <b>, as a browser shows them). */
    if (!(v.all_flags & DJ_TEXT_F_SEPARATOR) && !(w.all_flags & DJ_TEXT_F_SEPARATOR) &&
        !dj_text__has_markup(v.s, v.len) && (w.len != v.len || memcmp(w.s, v.s, v.len) != 0))
        abort();
    /* The word split around any span of the output (two ideographs when
     * the screen asks) stays inside the text whatever the span. */
    if (v.len >= 2 && size >= 2) {
        size_t from = data[0] % v.len, to = from + 1 + data[1] % 12;
        int r = dj_text_zh_reads_as_name(v.s, v.len, from, to);
        if (r != 0 && r != 1)
            abort();
    }
    return 0;
}
