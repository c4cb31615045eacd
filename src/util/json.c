/*
 * Strict JSON cursor (see json.h). The string scanner is the hot loop: it
 * skips 8 bytes at a time while they hold no quote, backslash, control or
 * non-ASCII byte, then validates UTF-8 only where non-ASCII bytes occur.
 */
#include "util/json.h"
#include "util/simd.h"
#include "util/utf8.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void dj_jcur_init(dj_jcur *c, const char *s, size_t n, dj_arena *arena)
{
    c->beg = c->p = s;
    c->end = s + n;
    c->arena = arena;
    c->max_depth = 32;
}

size_t dj_jcur_offset(const dj_jcur *c)
{
    return (size_t)(c->p - c->beg);
}

static dj_rc fail(dj_jcur *c, dj_err *err, const char *what)
{
    if (c->p >= c->end)
        return dj_err_set(err, DJ_EPARSE, "at byte %zu: unexpected end of input, %s", dj_jcur_offset(c), what);
    return dj_err_set(err, DJ_EPARSE, "at byte %zu: %s", dj_jcur_offset(c), what);
}

static void ws(dj_jcur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

dj_json_type dj_jcur_peek(dj_jcur *c)
{
    ws(c);
    if (c->p >= c->end)
        return DJ_JSON_END;
    switch (*c->p) {
    case '{': return DJ_JSON_OBJECT;
    case '[': return DJ_JSON_ARRAY;
    case '"': return DJ_JSON_STRING;
    case 't': return DJ_JSON_TRUE;
    case 'f': return DJ_JSON_FALSE;
    case 'n': return DJ_JSON_NULL;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return DJ_JSON_NUMBER;
    default: return DJ_JSON_BAD;
    }
}

dj_rc dj_jcur_object_begin(dj_jcur *c, dj_err *err)
{
    ws(c);
    if (c->p >= c->end || *c->p != '{')
        return fail(c, err, "expected an object");
    c->p++;
    /* Mark "just opened" by leaving the cursor after '{'; object_next
     * distinguishes first from later keys by the previous byte. */
    return DJ_OK;
}

/* A hex digit's value plus one; 0 for any other byte. */
static const uint8_t hex1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* The four hex digits at p (\u escapes: whole CJK descriptions come
 * escaped, a character each). */
static int hex4(const char *p, uint32_t *v)
{
    const unsigned char *u = (const unsigned char *)p;
    unsigned a = hex1[u[0]], b = hex1[u[1]], c = hex1[u[2]], d = hex1[u[3]];
    if (!a || !b || !c || !d)
        return -1;
    *v = (a - 1) << 12 | (b - 1) << 8 | (c - 1) << 4 | (d - 1);
    return 0;
}

/* 1 when none of the 8 bytes is a quote, backslash, < 0x20 or >= 0x80. */
static inline int plain8(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
    uint64_t zq = (q - ones) & ~q, zb = (b - ones) & ~b;
    uint64_t ctl = v - ones * 0x20; /* high bit set where byte < 0x20 (for ASCII bytes) */
    return ((zq | zb | ctl | v) & highs) == 0;
}

/* The closing quote of a string from p (inside it), skipping escaped
 * characters; end when there is none. */
static const char *string_end(const char *p, const char *end)
{
    for (;;) {
#if DJ_SIMD
        while (end - p >= 16) {
            __m128i v = dj_simd_load(p);
            unsigned m = dj_simd_mask(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
            if (m) {
                p += __builtin_ctz(m);
                break;
            }
            p += 16;
        }
#endif
        if (p >= end || *p == '"')
            return p < end ? p : end;
        p += *p == '\\' ? 2 : 1;
    }
}

/* dj_json_plain, forced inline into read_string: called, it cost the
 * listing parse a fifth more instructions. */
static inline __attribute__((always_inline)) const char *plain_run(const char *p, const char *end)
{
    for (;;) {
#if DJ_SIMD
        /* 16 bytes at a time, straight to the first byte that is not plain. */
        while (end - p >= 16) {
            __m128i v = dj_simd_load(p);
            __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"')), bs = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
            /* signed: < 0x20 holds for the bytes >= 0x80 too */
            unsigned m = dj_simd_mask(_mm_or_si128(_mm_or_si128(quote, bs), _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))));
            if (m) {
                p += __builtin_ctz(m);
                break;
            }
            p += 16;
        }
#endif
        while (end - p >= 8) {
            uint64_t v;
            memcpy(&v, p, 8);
            if (!plain8(v))
                break;
            p += 8;
        }
        if (p >= end)
            return end;
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x80) {
            if (ch == '"' || ch == '\\' || ch < 0x20)
                return p;
            p++;
            continue;
        }
        /* A run of multibyte characters, without going back to the ASCII
         * test between them. CJK text is mostly 3-byte sequences: those
         * are checked inline. */
        do {
#if DJ_SIMD
            /* Five 3-byte characters at once: leads at 0, 3, 6, 9, 12 and
             * continuation bytes between, no E0 or ED lead (their second
             * byte has a narrower range: the byte-wise path checks those). */
            while (end - p >= 16) {
                __m128i v = dj_simd_load(p);
                unsigned cm = dj_simd_mask(_mm_cmplt_epi8(v, _mm_set1_epi8(-64))) & 0x7FFF; /* 0x80-0xBF */
                unsigned lm = dj_simd_mask(dj_simd_in_range(v, -31, -17)) & 0x7FFF;       /* 0xE1-0xEF */
                unsigned ed = dj_simd_mask(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xED)));
                if (lm != 0x1249 || cm != 0x6DB6 || (ed & 0x1249))
                    break;
                p += 15;
            }
            if (p >= end || (unsigned char)*p < 0x80)
                break;
#endif
            const unsigned char *u = (const unsigned char *)p;
            ch = u[0];
            if (ch >= 0xE1 && ch <= 0xEF && ch != 0xED && end - p >= 3 && (u[1] & 0xC0) == 0x80 &&
                (u[2] & 0xC0) == 0x80) {
                p += 3;
                continue;
            }
            uint32_t cp;
            size_t k = dj_utf8_decode(p, (size_t)(end - p), &cp);
            if (!k)
                return p;
            p += k;
        } while (p < end && (unsigned char)*p >= 0x80);
    }
}

const char *dj_json_plain(const char *p, const char *end)
{
    return plain_run(p, end);
}

/* Decodes the escape at *pp (a backslash) to *o; both move past it. */
static dj_rc read_escape(dj_jcur *c, const char **pp, char **o, dj_err *err)
{
    const char *p = *pp, *end = c->end;
    if (end - p < 2) {
        c->p = p;
        return fail(c, err, "unterminated escape");
    }
    char x = p[1];
    p += 2;
    *pp = p;
    char one;
    switch (x) {
    case '"': one = '"'; break;
    case '\\': one = '\\'; break;
    case '/': one = '/'; break;
    case 'b': one = '\b'; break;
    case 'f': one = '\f'; break;
    case 'n': one = '\n'; break;
    case 'r': one = '\r'; break;
    case 't': one = '\t'; break;
    case 'u': one = 0; break;
    default:
        c->p = p - 2;
        return fail(c, err, "invalid escape in string");
    }
    if (one) {
        *(*o)++ = one;
        return DJ_OK;
    }
    uint32_t u;
    if (end - p < 4 || hex4(p, &u)) {
        c->p = p - 2;
        return fail(c, err, "invalid \\u escape");
    }
    p += 4;
    if (u >= 0xD800 && u <= 0xDBFF) {
        uint32_t lo;
        if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
            c->p = p - 6;
            return fail(c, err, "unpaired surrogate in \\u escape");
        }
        p += 6;
        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
        c->p = p - 6;
        return fail(c, err, "unpaired surrogate in \\u escape");
    }
    *pp = p;
    /* \u escapes are at least 6 bytes and encode to at most 4. */
    *o += dj_utf8_encode(u, *o);
    return DJ_OK;
}

static dj_rc read_string(dj_jcur *c, const char **s, size_t *len, dj_err *err)
{
    /* Caller checked *c->p == '"'. */
    const char *start = ++c->p;
    const char *p = start, *end = c->end;
    /* A string without escapes is returned in place; one with escapes is
     * decoded into the arena (never longer than its source), plain runs
     * copied whole. */
    char *out = NULL, *o = NULL;
    for (;;) {
        const char *r = plain_run(p, end);
        if (out) {
            memcpy(o, p, (size_t)(r - p));
            o += r - p;
        }
        p = r;
        if (p >= end) {
            c->p = end;
            return fail(c, err, "unterminated string");
        }
        unsigned char ch = (unsigned char)*p;
        if (ch == '"') {
            if (out) {
                *o = '\0';
                *s = out;
                *len = (size_t)(o - out);
            } else {
                *s = start;
                *len = (size_t)(p - start);
            }
            c->p = p + 1;
            return DJ_OK;
        }
        if (ch == '\\') {
            if (!out) {
                /* Size the buffer by the string's end (and report a string
                 * that never ends as that, whatever it holds). */
                const char *e = string_end(p, end);
                if (e >= end) {
                    c->p = end;
                    return fail(c, err, "unterminated string");
                }
                out = dj_arena_alloc(c->arena, (size_t)(e - start) + 1);
                memcpy(out, start, (size_t)(p - start));
                o = out + (p - start);
            }
            dj_rc rc = read_escape(c, &p, &o, err);
            if (rc)
                return rc;
            continue;
        }
        c->p = p;
        return fail(c, err, ch < 0x20 ? "control character in string" : "invalid UTF-8 in string");
    }
}

dj_rc dj_jcur_object_next(dj_jcur *c, const char **key, size_t *key_len, dj_err *err)
{
    ws(c);
    if (c->p >= c->end)
        return fail(c, err, "expected '}' or a key");
    /* Find whether we are right after '{' (first key) or after a value. */
    const char *b = c->p - 1;
    while (b >= c->beg && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'))
        b--;
    int first = b >= c->beg && *b == '{';
    if (*c->p == '}') {
        c->p++;
        return DJ_ENOTFOUND;
    }
    if (!first) {
        if (*c->p != ',')
            return fail(c, err, "expected ',' or '}' in object");
        c->p++;
        ws(c);
    }
    if (c->p >= c->end || *c->p != '"')
        return fail(c, err, first ? "expected a key or '}'" : "expected a key after ','");
    dj_rc rc = read_string(c, key, key_len, err);
    if (rc)
        return rc;
    ws(c);
    if (c->p >= c->end || *c->p != ':')
        return fail(c, err, "expected ':' after key");
    c->p++;
    ws(c);
    return DJ_OK;
}

dj_rc dj_jcur_array_begin(dj_jcur *c, dj_err *err)
{
    ws(c);
    if (c->p >= c->end || *c->p != '[')
        return fail(c, err, "expected an array");
    c->p++;
    return DJ_OK;
}

dj_rc dj_jcur_array_next(dj_jcur *c, dj_err *err)
{
    ws(c);
    if (c->p >= c->end)
        return fail(c, err, "expected ']' or a value");
    const char *b = c->p - 1;
    while (b >= c->beg && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'))
        b--;
    int first = b >= c->beg && *b == '[';
    if (*c->p == ']') {
        c->p++;
        return DJ_ENOTFOUND;
    }
    if (!first) {
        if (*c->p != ',')
            return fail(c, err, "expected ',' or ']' in array");
        c->p++;
        ws(c);
        if (c->p < c->end && *c->p == ']')
            return fail(c, err, "trailing comma in array");
    }
    return DJ_OK;
}

dj_rc dj_jcur_string(dj_jcur *c, const char **s, size_t *len, dj_err *err)
{
    ws(c);
    if (c->p >= c->end || *c->p != '"')
        return fail(c, err, "expected a string");
    return read_string(c, s, len, err);
}

dj_rc dj_jcur_number(dj_jcur *c, double *v, dj_err *err)
{
    ws(c);
    const char *p = c->p, *end = c->end;
    const char *start = p;
    if (p < end && *p == '-')
        p++;
    if (p >= end || *p < '0' || *p > '9')
        return fail(c, err, "expected a number");
    if (*p == '0') {
        p++;
    } else {
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    int simple = 1;
    if (p < end && *p == '.') {
        p++;
        simple = 0;
        if (p >= end || *p < '0' || *p > '9') {
            c->p = p;
            return fail(c, err, "expected a digit after '.'");
        }
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        simple = 0;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9') {
            c->p = p;
            return fail(c, err, "expected a digit in exponent");
        }
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    size_t n = (size_t)(p - start);
    if (simple && n <= 18) {
        /* Integers: no strtod, no copy. */
        long long x = 0;
        const char *q = start + (*start == '-');
        for (; q < p; q++)
            x = x * 10 + (*q - '0');
        *v = *start == '-' ? -(double)x : (double)x;
    } else {
        char tmp[64];
        if (n >= sizeof tmp)
            return fail(c, err, "number too long");
        memcpy(tmp, start, n);
        tmp[n] = '\0';
        errno = 0;
        *v = strtod(tmp, NULL);
        if (errno == ERANGE && (*v > 1 || *v < -1))
            return fail(c, err, "number out of range");
    }
    c->p = p;
    return DJ_OK;
}

static dj_rc word(dj_jcur *c, const char *w, size_t n, dj_err *err)
{
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
        return fail(c, err, "invalid literal");
    c->p += n;
    return DJ_OK;
}

dj_rc dj_jcur_bool(dj_jcur *c, int *v, dj_err *err)
{
    ws(c);
    if (c->p < c->end && *c->p == 't') {
        *v = 1;
        return word(c, "true", 4, err);
    }
    if (c->p < c->end && *c->p == 'f') {
        *v = 0;
        return word(c, "false", 5, err);
    }
    return fail(c, err, "expected true or false");
}

dj_rc dj_jcur_null(dj_jcur *c)
{
    ws(c);
    if ((size_t)(c->end - c->p) >= 4 && memcmp(c->p, "null", 4) == 0) {
        c->p += 4;
        return DJ_OK;
    }
    return DJ_ENOTFOUND;
}

static dj_rc skip(dj_jcur *c, int depth, dj_err *err)
{
    if (depth > c->max_depth)
        return fail(c, err, "nesting too deep");
    const char *s;
    size_t n;
    double d;
    int b;
    dj_rc rc;
    switch (dj_jcur_peek(c)) {
    case DJ_JSON_OBJECT:
        if ((rc = dj_jcur_object_begin(c, err)))
            return rc;
        while ((rc = dj_jcur_object_next(c, &s, &n, err)) == DJ_OK)
            if ((rc = skip(c, depth + 1, err)))
                return rc;
        return rc == DJ_ENOTFOUND ? DJ_OK : rc;
    case DJ_JSON_ARRAY:
        if ((rc = dj_jcur_array_begin(c, err)))
            return rc;
        while ((rc = dj_jcur_array_next(c, err)) == DJ_OK)
            if ((rc = skip(c, depth + 1, err)))
                return rc;
        return rc == DJ_ENOTFOUND ? DJ_OK : rc;
    case DJ_JSON_STRING: return dj_jcur_string(c, &s, &n, err);
    case DJ_JSON_NUMBER: return dj_jcur_number(c, &d, err);
    case DJ_JSON_TRUE:
    case DJ_JSON_FALSE: return dj_jcur_bool(c, &b, err);
    case DJ_JSON_NULL: return word(c, "null", 4, err);
    default: return fail(c, err, "expected a value");
    }
}

dj_rc dj_jcur_skip(dj_jcur *c, dj_err *err)
{
    return skip(c, 0, err);
}

dj_rc dj_jcur_finish(dj_jcur *c, dj_err *err)
{
    ws(c);
    if (c->p != c->end)
        return fail(c, err, "unexpected data after the value");
    return DJ_OK;
}
