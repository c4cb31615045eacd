/*
 * Batch line reader (see lines.h). Invariant: r->buf[r->pos .. r->len) holds
 * input not yet handed out, which starts at the beginning of a line unless
 * r->skipping is set (we are inside an over-long line being discarded).
 */
#include "util/lines.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

struct dj_lines {
    FILE *f;
    size_t max_line, batch;
    char *buf;
    size_t cap, pos, len;
    int eof;
    uint64_t line_no, bytes;
    int skipping;          /* discarding the rest of a too-long line */
    uint64_t skip_len;     /* its length so far */
};

dj_lines *dj_lines_new(FILE *f, size_t max_line, size_t batch_bytes)
{
    dj_lines *r = dj_xcalloc(1, sizeof *r);
    r->f = f;
    r->max_line = max_line;
    r->batch = batch_bytes < max_line + 2 ? max_line + 2 : batch_bytes;
    r->cap = r->batch + 1;
    r->buf = dj_xmalloc(r->cap);
    return r;
}

void dj_lines_free(dj_lines *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r);
}

uint64_t dj_lines_bytes(const dj_lines *r)
{
    return r->bytes;
}

static int fill(dj_lines *r, dj_err *err)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    while (!r->eof && r->len < r->batch) {
        size_t n = fread(r->buf + r->len, 1, r->batch - r->len, r->f);
        r->len += n;
        r->bytes += n;
        if (n == 0) {
            if (ferror(r->f)) {
                dj_err_set(err, DJ_EIO, "read error");
                return -1;
            }
            r->eof = 1;
        }
    }
    return 0;
}

long dj_lines_next(dj_lines *r, char **data, size_t *data_cap, dj_line **lines, size_t *lines_cap, dj_err *err)
{
    size_t n_lines = 0, out_len = 0;
    for (;;) {
        if (r->pos >= r->len || (!r->eof && r->len - r->pos < r->max_line + 2 && n_lines == 0)) {
            if (fill(r, err))
                return -1;
        }
        if (r->pos >= r->len)
            break;
        char *start = r->buf + r->pos;
        size_t avail = r->len - r->pos;
        char *nl = memchr(start, '\n', avail);
        if (r->skipping) {
            size_t k = nl ? (size_t)(nl - start) : avail;
            r->skip_len += k;
            r->pos += nl ? k + 1 : k;
            if (nl) {
                r->skipping = 0;
                dj_xgrow((void **)lines, lines_cap, n_lines + 1, sizeof **lines);
                (*lines)[n_lines++] = (dj_line){0, 0, r->line_no, r->skip_len};
            }
            continue;
        }
        if (!nl && !r->eof) {
            if (avail > r->max_line) {
                /* Too long: report it once its end is found. */
                r->line_no++;
                r->skipping = 1;
                r->skip_len = avail;
                r->pos = r->len;
                continue;
            }
            if (n_lines > 0)
                break; /* hand out what we have; the partial line waits */
            if (fill(r, err))
                return -1;
            continue;
        }
        size_t k = nl ? (size_t)(nl - start) : avail;
        r->pos += nl ? k + 1 : k;
        r->line_no++;
        dj_xgrow((void **)lines, lines_cap, n_lines + 1, sizeof **lines);
        if (k > r->max_line) {
            (*lines)[n_lines++] = (dj_line){0, 0, r->line_no, k};
            continue;
        }
        size_t len = k;
        if (len > 0 && start[len - 1] == '\r')
            len--;
        dj_xgrow((void **)data, data_cap, out_len + len + 1, 1);
        memcpy(*data + out_len, start, len);
        (*data)[out_len + len] = '\0';
        (*lines)[n_lines++] = (dj_line){(uint32_t)out_len, (uint32_t)len, r->line_no, 0};
        out_len += len + 1;
        if (out_len >= r->batch)
            break;
    }
    if (r->skipping && r->eof && r->pos >= r->len) {
        r->skipping = 0;
        dj_xgrow((void **)lines, lines_cap, n_lines + 1, sizeof **lines);
        (*lines)[n_lines++] = (dj_line){0, 0, r->line_no, r->skip_len};
    }
    return (long)n_lines;
}
