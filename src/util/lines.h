/*
 * Splitting a byte stream into lines in large batches, for the JSONL
 * readers (scan, imports). A batch holds whole lines only; a line longer
 * than the limit is not buffered: it is reported as too long (with its
 * length) and skipped, so a 10 GB line costs no memory. A trailing "\r" is
 * dropped; the last line needs no newline.
 */
#ifndef DJ_UTIL_LINES_H
#define DJ_UTIL_LINES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

typedef struct dj_line {
    uint32_t off;        /* offset in the batch data */
    uint32_t len;        /* bytes, without the newline */
    uint64_t no;         /* 1-based line number in the stream */
    uint64_t too_long;   /* 0, or the full length of a line over the limit */
} dj_line;

typedef struct dj_lines dj_lines;

/* A reader over f (not closed by dj_lines_free) with lines of at most
 * max_line bytes, batches of about batch_bytes. */
dj_lines *dj_lines_new(FILE *f, size_t max_line, size_t batch_bytes);
void dj_lines_free(dj_lines *r);

/* Reads the next batch into data/lines (grown as needed; free() both when
 * done). Returns the number of lines (0 at end of input) or -1 on a read
 * error (err set). */
long dj_lines_next(dj_lines *r, char **data, size_t *data_cap, dj_line **lines, size_t *lines_cap,
                   dj_err *err);

/* Bytes consumed so far (for progress). */
uint64_t dj_lines_bytes(const dj_lines *r);

#endif
