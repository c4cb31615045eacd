/* Interim (uncommitted) normalizer so the screen can be developed before the text room lands. */
#include "text/text.h"
#include "util/mem.h"
#include <stdlib.h>
#include <string.h>
struct dj_text { char *s; uint32_t *orig; uint8_t *flags; size_t cap; size_t max; };
dj_rc dj_text_new(dj_text **out, dj_err *err) { (void)err; dj_text *t = dj_xcalloc(1, sizeof *t); t->max = 1 << 20; *out = t; return DJ_OK; }
void dj_text_free(dj_text *t) { if (!t) return; free(t->s); free(t->orig); free(t->flags); free(t); }
void dj_text_set_max(dj_text *t, size_t m) { t->max = m; }
dj_rc dj_text_normalize(dj_text *t, const char *in, size_t len, dj_text_view *v, dj_err *err)
{
    if (len > t->max) return dj_err_set(err, DJ_ETOOBIG, "text too long");
    if (len + 1 > t->cap) { t->cap = len + 1; t->s = dj_xrealloc(t->s, t->cap); t->orig = dj_xrealloc(t->orig, t->cap * 4); t->flags = dj_xrealloc(t->flags, t->cap); }
    for (size_t i = 0; i < len; i++) { char c = in[i]; t->s[i] = (c >= 'A' && c <= 'Z') ? c + 32 : c; t->orig[i] = (uint32_t)i; t->flags[i] = 0; }
    t->s[len] = 0; t->orig[len] = (uint32_t)len;
    v->s = t->s; v->len = len; v->orig = t->orig; v->flags = t->flags; v->all_flags = 0;
    return DJ_OK;
}
dj_rc dj_text_normalize_term(dj_text *t, const char *in, size_t len, dj_buf *out, dj_err *err)
{
    dj_text_view v; dj_rc rc = dj_text_normalize(t, in, len, &v, err); if (rc) return rc;
    return dj_buf_add(out, v.s, v.len);
}
dj_rc dj_text_leet_pattern(const char *term, size_t len, dj_buf *out)
{
    for (size_t i = 0; i < len; i++) {
        char c = term[i];
        switch (c) {
        case 'o': dj_buf_adds(out, "[o0]"); break;
        case 'i': dj_buf_adds(out, "[i1!|]"); break;
        case 'l': dj_buf_adds(out, "[l1|]"); break;
        case 'e': dj_buf_adds(out, "[e3]"); break;
        case 'a': dj_buf_adds(out, "[a@4]"); break;
        case 's': dj_buf_adds(out, "[s$5]"); break;
        case 't': dj_buf_adds(out, "[t7]"); break;
        default:
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) dj_buf_addc(out, c);
            else dj_buf_printf(out, "\\x%02x", (unsigned char)c);
        }
    }
    return DJ_OK;
}
int dj_text_is_cjk(uint32_t cp) { return cp >= 0x2E80; }
