/*
 * multipart/form-data: only as much as finding one file part takes. Bodies
 * are bounded by the route's size limit before they get here.
 */
#include "http/multipart.h"

#include <stdio.h>
#include <string.h>

/* First occurrence of needle in hay (memmem is a GNU extension). */
static const char *find(const char *hay, size_t n, const char *needle, size_t k)
{
    for (const char *p = hay; k && (size_t)(hay + n - p) >= k; p++) {
        p = memchr(p, needle[0], (size_t)(hay + n - p) - k + 1);
        if (!p)
            return NULL;
        if (!memcmp(p, needle, k))
            return p;
    }
    return NULL;
}

/* Whether s[0..n) contains needle (lower case) in any case. */
static int has_ci(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        while (j < k && (s[i + j] >= 'A' && s[i + j] <= 'Z' ? s[i + j] + 32 : s[i + j]) == needle[j])
            j++;
        if (j == k)
            return 1;
    }
    return 0;
}

static int fail(const char **why, const char **field, const char *w, const char *f)
{
    *why = w;
    *field = f;
    return -1;
}

int dj_multipart_file(const char *ctype, const char *body, size_t len, const char **data, size_t *n,
                      const char **why, const char **field)
{
    const char *bp = strstr(ctype, "boundary=");
    if (!bp)
        return fail(why, field, "multipart body without a boundary", "Content-Type");
    bp += 9;
    size_t bl = strcspn(bp, ";");
    if (bl >= 2 && bp[0] == '"' && bp[bl - 1] == '"') {
        bp++;
        bl -= 2;
    }
    if (bl == 0 || bl > 200)
        return fail(why, field, "multipart boundary missing or too long", "Content-Type");
    /* A part ends at CRLF "--" boundary; the first may start the body. */
    char delim[210];
    int dl = snprintf(delim, sizeof delim, "\r\n--%.*s", (int)bl, bp);
    const char *b = body ? body : "", *end = b + len;
    const char *p = len >= (size_t)dl - 2 && !memcmp(b, delim + 2, (size_t)dl - 2) ? b : find(b, len, delim, (size_t)dl);
    if (p && p != b)
        p += 2;
    while (p) {
        p += dl - 2;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            break; /* the closing delimiter */
        const char *hdr_end = find(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (!hdr_end)
            break;
        const char *content = hdr_end + 4;
        const char *next = find(content, (size_t)(end - content), delim, (size_t)dl);
        if (!next)
            return fail(why, field, "multipart part not closed by its boundary", "body");
        size_t hl = (size_t)(hdr_end - p);
        if (has_ci(p, hl, "filename=") || has_ci(p, hl, "name=\"image\"") || has_ci(p, hl, "name=\"file\"")) {
            *data = content;
            *n = (size_t)(next - content);
            return 0;
        }
        p = next + 2;
    }
    return fail(why, field, "no file part in the multipart body (send it as \"image\")", "body");
}
