/*
 * Bounded growable buffer and its JSON helpers. The JSON string writer is on
 * the scan hot path (every decision line), so it copies runs of plain bytes
 * with memcpy and only escapes what JSON requires.
 */
#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dj_buf_init(dj_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void dj_buf_fini(dj_buf *b)
{
    free(b->data);
    dj_buf_init(b, b->max);
}

void dj_buf_reset(dj_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void dj_buf_limit(dj_buf *b, size_t max)
{
    b->max = max;
}

dj_rc dj_buf_reserve(dj_buf *b, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return DJ_ETOOBIG;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return DJ_OK;
    size_t c = b->cap ? b->cap : 64;
    while (c < need)
        c *= 2;
    b->data = dj_xrealloc(b->data, c);
    b->cap = c;
    return DJ_OK;
}

dj_rc dj_buf__add_slow(dj_buf *b, const void *p, size_t n)
{
    dj_rc rc = dj_buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return DJ_OK;
}

dj_rc dj_buf_printf(dj_buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return DJ_EINVAL;
    if ((size_t)n < sizeof small)
        return dj_buf_add(b, small, (size_t)n);
    dj_rc rc = dj_buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return DJ_OK;
}

/* Runs that stand in a JSON string as they are (dj_json_plain) are copied
 * whole; a quote, backslash or control character is escaped, a byte that
 * starts no valid UTF-8 sequence becomes U+FFFD. */
dj_rc dj_buf_add_json_str(dj_buf *b, const char *s, size_t n)
{
    dj_rc rc = dj_buf_addc(b, '"');
    const char *p = s, *end = s + n;
    while (!rc && p < end) {
        const char *q = dj_json_plain(p, end);
        if (q > p && (rc = dj_buf_add(b, p, (size_t)(q - p))))
            break;
        if (q >= end)
            break;
        unsigned char c = (unsigned char)*q;
        p = q + 1;
        char esc[8];
        switch (c) {
        case '"': rc = dj_buf_add(b, "\\\"", 2); break;
        case '\\': rc = dj_buf_add(b, "\\\\", 2); break;
        case '\n': rc = dj_buf_add(b, "\\n", 2); break;
        case '\r': rc = dj_buf_add(b, "\\r", 2); break;
        case '\t': rc = dj_buf_add(b, "\\t", 2); break;
        default:
            if (c >= 0x80) {
                rc = dj_buf_add(b, "\xEF\xBF\xBD", 3); /* a byte of invalid UTF-8 */
            } else {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                rc = dj_buf_add(b, esc, 6);
            }
        }
    }
    if (!rc)
        rc = dj_buf_addc(b, '"');
    return rc;
}

/* Appends the decimal digits of x (no sign). */
static size_t put_uint(char *p, unsigned long long x)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

dj_rc dj_buf_add_json_num(dj_buf *b, double v)
{
    if (!isfinite(v))
        return dj_buf_add(b, "null", 4);
    /* Scores, contributions and prices: up to 4 decimals, printed without
     * printf (it was a tenth of the time of a decision line). */
    double a = fabs(v);
    if (a < 1e12) {
        unsigned long long scaled = (unsigned long long)(a * 10000 + 0.5);
        if (fabs((double)scaled / 10000 - a) < 1e-9 * (a > 1 ? a : 1)) {
            char out[40];
            size_t n = 0;
            if (v < 0 && scaled)
                out[n++] = '-';
            n += put_uint(out + n, scaled / 10000);
            unsigned frac = (unsigned)(scaled % 10000);
            if (frac) {
                out[n++] = '.';
                char d[4] = {(char)('0' + frac / 1000), (char)('0' + frac / 100 % 10), (char)('0' + frac / 10 % 10),
                             (char)('0' + frac % 10)};
                size_t k = 4;
                while (d[k - 1] == '0')
                    k--;
                memcpy(out + n, d, k);
                n += k;
            }
            return dj_buf_add(b, out, n);
        }
    }
    return dj_buf_printf(b, "%.10g", v);
}

char *dj_buf_steal(dj_buf *b, size_t *len)
{
    if (!b->data)
        dj_buf_reserve(b, 0);
    char *p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
