/*
 * Decoding JPEG (libjpeg-turbo), PNG (libpng) and WebP (libwebp) into 8-bit
 * gray or RGB, the way the PDQ reference's decoder (CImg) sees them, so the
 * hashes match it bit for bit: libjpeg's default IDCT and upsampling; PNG
 * palettes expanded, low-depth gray scaled to 0..255, 16-bit samples cut to
 * their low byte (what CImg's cast to 8 bits does). Where the reference
 * refuses an image, we decide: alpha is dropped (the colors as stored are
 * what a copied photo keeps), CMYK becomes RGB.
 *
 * libjpeg and libpng report errors by longjmp; each decoder keeps its
 * buffers in variables that survive the jump and frees them on both paths.
 */
#include "image/image.h"
#include "util/mem.h"

#include <stdio.h> /* jpeglib.h needs FILE */
#include <jpeglib.h>
#include <jerror.h> /* JWRN_JPEG_EOF */
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <webp/decode.h>

static dj_rc check_size(long w, long h, dj_err *err)
{
    if (w <= 0 || h <= 0)
        return dj_err_set(err, DJ_EINVAL, "image has no pixels (%ldx%ld)", w, h);
    if (w > DJ_IMAGE_MAX_SIDE || h > DJ_IMAGE_MAX_SIDE || (size_t)w * (size_t)h > DJ_IMAGE_MAX_PIXELS)
        return dj_err_set(err, DJ_ETOOBIG, "image of %ldx%ld pixels is larger than allowed", w, h);
    return DJ_OK;
}

static dj_image *image_new(int w, int h, int channels, const char *format)
{
    dj_image *img = dj_xcalloc(1, sizeof *img);
    img->width = w;
    img->height = h;
    img->channels = channels;
    img->format = format;
    img->pixels = dj_xmalloc((size_t)w * (size_t)h * (size_t)channels);
    return img;
}

void dj_image_free(dj_image *img)
{
    if (!img)
        return;
    free(img->pixels);
    free(img);
}

/* --- JPEG ------------------------------------------------------------------- */

typedef struct jerr {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
} jerr;

static void jpeg_fail(j_common_ptr c)
{
    jerr *e = (jerr *)c->err;
    (*c->err->format_message)(c, e->msg);
    longjmp(e->jump, 1);
}

/* Warnings (extraneous bytes, a corrupt marker skipped) are not errors;
 * data that ends before the image does is: libjpeg would fill the rest
 * with gray and hash a picture nobody uploaded. */
static void jpeg_quiet(j_common_ptr c, int level)
{
    if (level == -1 && c->err->msg_code == JWRN_JPEG_EOF) {
        jerr *e = (jerr *)c->err;
        snprintf(e->msg, sizeof e->msg, "truncated (the data ends before the image does)");
        longjmp(e->jump, 1);
    }
}

static dj_rc decode_jpeg(const uint8_t *data, size_t len, dj_image **out, dj_err *err)
{
    struct jpeg_decompress_struct cinfo;
    jerr je;
    dj_image *volatile img = NULL;
    uint8_t *volatile row = NULL;
    dj_rc rc = DJ_OK;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&je.mgr);
    je.mgr.error_exit = jpeg_fail;
    je.mgr.emit_message = jpeg_quiet;
    if (setjmp(je.jump)) {
        rc = dj_err_set(err, DJ_EPARSE, "JPEG: %s", je.msg);
        goto done;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);
    if ((rc = check_size((long)cinfo.image_width, (long)cinfo.image_height, err)))
        goto done;
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    if (cmyk)
        cinfo.out_color_space = JCS_CMYK;
    else if (cinfo.num_components == 1)
        cinfo.out_color_space = JCS_GRAYSCALE;
    else
        cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&cinfo);
    int w = (int)cinfo.output_width, h = (int)cinfo.output_height, comps = cinfo.output_components;
    img = image_new(w, h, comps == 1 ? 1 : 3, "jpeg");
    row = dj_xmalloc((size_t)w * (size_t)comps);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW rows[1] = {row};
        int y = (int)cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, rows, 1);
        uint8_t *dst = img->pixels + (size_t)y * (size_t)w * (size_t)img->channels;
        if (!cmyk) {
            memcpy(dst, row, (size_t)w * (size_t)comps);
            continue;
        }
        /* Adobe writes CMYK inverted (the usual case); plain CMYK is not. */
        for (int x = 0; x < w; x++) {
            unsigned c = row[4 * x], m = row[4 * x + 1], yy = row[4 * x + 2], k = row[4 * x + 3];
            if (!cinfo.saw_Adobe_marker) {
                c = 255 - c, m = 255 - m, yy = 255 - yy, k = 255 - k;
            }
            dst[3 * x] = (uint8_t)((c * k + 127) / 255);
            dst[3 * x + 1] = (uint8_t)((m * k + 127) / 255);
            dst[3 * x + 2] = (uint8_t)((yy * k + 127) / 255);
        }
    }
    jpeg_finish_decompress(&cinfo);
done:
    jpeg_destroy_decompress(&cinfo);
    free(row);
    if (rc) {
        dj_image_free(img);
        return rc;
    }
    *out = img;
    return DJ_OK;
}

/* --- PNG -------------------------------------------------------------------- */

typedef struct png_src {
    const uint8_t *data;
    size_t len, pos;
    char msg[200];
} png_src;

static void png_read(png_structp p, png_bytep out, size_t n)
{
    png_src *s = png_get_io_ptr(p);
    if (s->len - s->pos < n)
        png_error(p, "truncated data");
    memcpy(out, s->data + s->pos, n);
    s->pos += n;
}

static void png_fail(png_structp p, png_const_charp msg)
{
    png_src *s = png_get_error_ptr(p);
    snprintf(s->msg, sizeof s->msg, "%s", msg);
    png_longjmp(p, 1);
}

static void png_quiet(png_structp p, png_const_charp msg)
{
    (void)p;
    (void)msg;
}

static dj_rc decode_png(const uint8_t *data, size_t len, dj_image **out, dj_err *err)
{
    png_src src = {data, len, 0, ""};
    png_structp p = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_fail, png_quiet);
    png_infop info = p ? png_create_info_struct(p) : NULL;
    dj_image *volatile img = NULL;
    uint8_t *volatile row = NULL;
    dj_rc rc = DJ_OK;
    if (!p || !info) {
        png_destroy_read_struct(&p, &info, NULL);
        return dj_err_set(err, DJ_ENOMEM, "PNG: cannot allocate a decoder");
    }
    if (setjmp(png_jmpbuf(p))) {
        rc = dj_err_set(err, DJ_EPARSE, "PNG: %s", src.msg[0] ? src.msg : "corrupt data");
        goto done;
    }
    png_set_read_fn(p, &src, png_read);
    png_set_user_limits(p, DJ_IMAGE_MAX_SIDE, DJ_IMAGE_MAX_SIDE);
    png_read_info(p, info);
    png_uint_32 w, h;
    int depth, color, interlace;
    png_get_IHDR(p, info, &w, &h, &depth, &color, &interlace, NULL, NULL);
    if ((rc = check_size((long)w, (long)h, err)))
        goto done;
    if (color == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(p);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(p);
    png_set_strip_alpha(p); /* and tRNS is never turned into alpha */
    int passes = png_set_interlace_handling(p);
    png_read_update_info(p, info);
    int channels = png_get_channels(p, info);
    int bytes = png_get_bit_depth(p, info) == 16 ? 2 : 1;
    int gray = channels == 1;
    if (channels != 1 && channels != 3) {
        rc = dj_err_set(err, DJ_EINVAL, "PNG: %d channels after conversion, expected gray or RGB", channels);
        goto done;
    }
    img = image_new((int)w, (int)h, gray ? 1 : 3, "png");
    size_t rowbytes = png_get_rowbytes(p, info);
    /* Interlaced images need every row in memory for the passes. */
    row = dj_xcalloc(interlace != PNG_INTERLACE_NONE ? h : 1, rowbytes);
    for (int pass = 0; pass < passes; pass++)
        for (png_uint_32 y = 0; y < h; y++) {
            uint8_t *r = interlace != PNG_INTERLACE_NONE ? row + (size_t)y * rowbytes : row;
            png_read_row(p, r, NULL);
            if (pass != passes - 1)
                continue;
            uint8_t *dst = img->pixels + (size_t)y * w * (size_t)img->channels;
            size_t n = (size_t)w * (size_t)channels;
            if (bytes == 1)
                memcpy(dst, r, n);
            else
                for (size_t i = 0; i < n; i++)
                    dst[i] = r[2 * i + 1]; /* big-endian sample: its low byte */
        }
    png_read_end(p, NULL);
done:
    png_destroy_read_struct(&p, &info, NULL);
    free(row);
    if (rc) {
        dj_image_free(img);
        return rc;
    }
    *out = img;
    return DJ_OK;
}

/* --- WebP ------------------------------------------------------------------- */

static dj_rc decode_webp(const uint8_t *data, size_t len, dj_image **out, dj_err *err)
{
    int w = 0, h = 0;
    if (!WebPGetInfo(data, len, &w, &h))
        return dj_err_set(err, DJ_EPARSE, "WebP: not a valid WebP image");
    dj_rc rc = check_size(w, h, err);
    if (rc)
        return rc;
    dj_image *img = image_new(w, h, 3, "webp");
    if (!WebPDecodeRGBInto(data, len, img->pixels, (size_t)w * (size_t)h * 3, w * 3)) {
        dj_image_free(img);
        return dj_err_set(err, DJ_EPARSE, "WebP: corrupt or truncated data");
    }
    *out = img;
    return DJ_OK;
}

dj_rc dj_image_decode(const uint8_t *data, size_t len, dj_image **out, dj_err *err)
{
    if (len > DJ_IMAGE_MAX_BYTES)
        return dj_err_set(err, DJ_ETOOBIG, "image of %zu bytes, at most %zu", len, DJ_IMAGE_MAX_BYTES);
    if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        return decode_jpeg(data, len, out, err);
    if (len >= 8 && !memcmp(data, "\x89PNG\r\n\x1a\n", 8))
        return decode_png(data, len, out, err);
    if (len >= 12 && !memcmp(data, "RIFF", 4) && !memcmp(data + 8, "WEBP", 4))
        return decode_webp(data, len, out, err);
    return dj_err_set(err, DJ_EINVAL, "not a JPEG, PNG or WebP image");
}

dj_rc dj_image_load(const char *path, dj_image **out, dj_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dj_err_set(err, DJ_EIO, "%s: cannot open", path);
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = dj_xmalloc(cap);
    dj_rc rc = DJ_OK;
    for (;;) {
        if (n == cap) {
            if (cap > DJ_IMAGE_MAX_BYTES) {
                rc = dj_err_set(err, DJ_ETOOBIG, "%s: larger than %zu bytes", path, DJ_IMAGE_MAX_BYTES);
                break;
            }
            cap *= 2;
            buf = dj_xrealloc(buf, cap);
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    if (!rc && ferror(f))
        rc = dj_err_set(err, DJ_EIO, "%s: read error", path);
    fclose(f);
    if (!rc) {
        rc = dj_image_decode(buf, n, out, err);
        if (rc)
            dj_err_prefix(err, "%s", path);
    }
    free(buf);
    return rc;
}
