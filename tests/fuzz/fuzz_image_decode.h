/*
 * Shared body of the image fuzz targets: decode whatever the bytes are
 * (a target forces its format's magic so the fuzzer stays on one decoder
 * path), hash it, and check the invariants that must hold for any input.
 */
#include "image/image.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_image(const uint8_t *data, size_t size)
{
    dj_image *img = NULL;
    dj_err err = {0};
    if (dj_image_decode(data, size, &img, &err) != DJ_OK) {
        if (img || !err.msg[0])
            abort();
        return;
    }
    if (img->width <= 0 || img->height <= 0 || (img->channels != 1 && img->channels != 3))
        abort();
    dj_pdq h, d[DJ_PDQ_N_DIHEDRAL];
    int q = -1;
    if (dj_pdq_hash(img, &h, &q, d, &err) != DJ_OK || q < 0 || q > 100 || memcmp(&h, &d[DJ_PDQ_ORIG], sizeof h))
        abort();
    dj_image_free(img);
}

/* Replaces the first bytes of the input with a format's magic. */
static void with_magic(const uint8_t *data, size_t size, const char *magic, size_t mlen)
{
    if (size > (size_t)4 << 20)
        return;
    uint8_t *buf = malloc(size + mlen);
    memcpy(buf, magic, mlen);
    memcpy(buf + mlen, data, size);
    fuzz_image(buf, size + mlen);
    free(buf);
}
