/*
 * PDQ (Meta's "pdqhash-2017-10-09"), computed the way the C++ reference
 * does, float operation for float operation, so that the bits come out
 * identical: luminance 0.299 R + 0.587 G + 0.114 B in single precision;
 * images over 512 pixels a side first resized to 512x512 by nearest
 * neighbour (what the reference's decoder, CImg, does by default); two
 * passes of Jarosz box filters along rows then columns, windows of
 * ceil(side / 128); decimation to 64x64 at pixel centres; the 16x16 DCT of
 * coefficients 1..16 (no DC) as D A D^T with single-precision sums in
 * index order; a bit per coefficient above the median; the quality metric
 * from the 64x64 gradients. The 8 dihedral hashes come from the same DCT
 * by sign flips and transposes.
 *
 * Bits: bit k (0..255) is coefficient (k / 16, k % 16); the hex form is the
 * reference's 16 words of 16 bits, word 15 first.
 */
#include "image/image.h"
#include "image/popcnt.h"
#include "util/mem.h"
#include "util/simd.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RESIZE_MAX 512
#define MIN_SIDE 5

static float dct[16][64];
static pthread_once_t dct_once = PTHREAD_ONCE_INIT;

static void dct_init(void)
{
    /* The reference keeps sqrt(2/64) as a float and multiplies it by a
     * double cosine: the product is rounded to float once. */
    const float scale = (float)sqrt(2.0 / 64.0);
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 64; j++)
            dct[i][j] = (float)(scale * cos((pi / 2.0 / 64.0) * (double)(i + 1) * (double)(2 * j + 1)));
}

const char *dj_pdq_dihedral_name(int i)
{
    static const char *const names[] = {"orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipp", "flipm"};
    return i >= 0 && i < DJ_PDQ_N_DIHEDRAL ? names[i] : "?";
}

/* One box filter along a vector, with the window growing in at the start
 * and shrinking out at the end (the reference's four phases). */
static void box1d(const float *in, float *out, int n, int stride, int window)
{
    int half = (window + 2) / 2;
    int p1 = half - 1, p2 = window - half + 1, p3 = n - window, p4 = half - 1;
    int li = 0, ri = 0, oi = 0, cur = 0;
    float sum = 0.0f;
    for (int i = 0; i < p1; i++) {
        sum += in[ri];
        cur++;
        ri += stride;
    }
    for (int i = 0; i < p2; i++) {
        sum += in[ri];
        cur++;
        out[oi] = sum / (float)cur;
        ri += stride;
        oi += stride;
    }
    for (int i = 0; i < p3; i++) {
        sum += in[ri];
        sum -= in[li];
        out[oi] = sum / (float)cur;
        li += stride;
        ri += stride;
        oi += stride;
    }
    for (int i = 0; i < p4; i++) {
        sum -= in[li];
        cur--;
        out[oi] = sum / (float)cur;
        li += stride;
        oi += stride;
    }
}

static void jarosz(float *a, float *b, int rows, int cols)
{
    int wr = (cols + 2 * 64 - 1) / (2 * 64), wc = (rows + 2 * 64 - 1) / (2 * 64);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < rows; i++)
            box1d(a + (size_t)i * cols, b + (size_t)i * cols, cols, 1, wr);
        for (int j = 0; j < cols; j++)
            box1d(b + j, a + j, rows, cols, wc);
    }
}

static int quality_of(float m[64][64])
{
    int sum = 0;
    for (int i = 0; i < 63; i++)
        for (int j = 0; j < 64; j++) {
            int d = (int)(((m[i][j] - m[i + 1][j]) * 100) / 255);
            sum += abs(d);
        }
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 63; j++) {
            int d = (int)(((m[i][j] - m[i][j + 1]) * 100) / 255);
            sum += abs(d);
        }
    int q = sum / 90;
    return q > 100 ? 100 : q;
}

static void dct64to16(float a[64][64], float out[16][16])
{
    float t[16][64];
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 64; j++) {
            float s = 0.0f;
            for (int k = 0; k < 64; k++)
                s += dct[i][k] * a[k][j];
            t[i][j] = s;
        }
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) {
            float s = 0.0f;
            for (int k = 0; k < 64; k++)
                s += t[i][k] * dct[j][k];
            out[i][j] = s;
        }
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

static void set_bit(dj_pdq *h, int k)
{
    int word = k >> 4, bit = k & 15;
    int byte = (15 - word) * 2 + (bit >= 8 ? 0 : 1);
    h->h[byte] |= (uint8_t)(1u << (bit & 7));
}

/* A bit per coefficient strictly above the median, the 128th smallest of
 * the 256 (the order statistic the reference's Torben selection returns). */
static void to_bits(float c[16][16], dj_pdq *h)
{
    float sorted[256];
    memcpy(sorted, c, sizeof sorted);
    qsort(sorted, 256, sizeof(float), cmp_float);
    float median = sorted[127];
    memset(h, 0, sizeof *h);
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++)
            if (c[i][j] > median)
                set_bit(h, i * 16 + j);
}

/* The DCT of each dihedral transform of the image, from the DCT of the
 * image: sign flips by coefficient parity, and transposes. */
static void dihedral(float a[16][16], int which, float b[16][16])
{
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) {
            float v = a[i][j];
            switch (which) {
            case DJ_PDQ_ROT90: b[j][i] = (j & 1) ? v : -v; break;
            case DJ_PDQ_ROT180: b[i][j] = ((i + j) & 1) ? -v : v; break;
            case DJ_PDQ_ROT270: b[j][i] = (i & 1) ? v : -v; break;
            case DJ_PDQ_FLIPX: b[i][j] = (i & 1) ? v : -v; break;
            case DJ_PDQ_FLIPY: b[i][j] = (j & 1) ? v : -v; break;
            case DJ_PDQ_FLIPP: b[j][i] = v; break;
            case DJ_PDQ_FLIPM: b[j][i] = ((i + j) & 1) ? -v : v; break;
            default: b[i][j] = v; break;
            }
        }
}

dj_rc dj_pdq_hash(const dj_image *img, dj_pdq *hash, int *quality, dj_pdq dihed[DJ_PDQ_N_DIHEDRAL], dj_err *err)
{
    pthread_once(&dct_once, dct_init);
    int w = img->width, h = img->height, ch = img->channels;
    if (ch != 1 && ch != 3)
        return dj_err_set(err, DJ_EINVAL, "image with %d channels, expected 1 or 3", ch);
    memset(hash, 0, sizeof *hash);
    *quality = 0;
    if (dihed)
        memset(dihed, 0, sizeof(dj_pdq) * DJ_PDQ_N_DIHEDRAL);
    /* Nearest-neighbour resize to 512x512 when a side is over 512: source
     * index floor(x * W / 512), as CImg computes it in double. */
    int rows = h, cols = w;
    int resized = w > RESIZE_MAX || h > RESIZE_MAX;
    if (resized)
        rows = cols = RESIZE_MAX;
    if (rows < MIN_SIDE || cols < MIN_SIDE)
        return DJ_OK;
    float *a = dj_xmalloc((size_t)rows * (size_t)cols * sizeof *a);
    float *b = dj_xmalloc((size_t)rows * (size_t)cols * sizeof *b);
    int *sx = dj_xmalloc((size_t)cols * sizeof *sx);
    for (int x = 0; x < cols; x++)
        sx[x] = resized ? (int)((double)x * w / RESIZE_MAX) : x;
    for (int y = 0; y < rows; y++) {
        int srow = resized ? (int)((double)y * h / RESIZE_MAX) : y;
        const uint8_t *p = img->pixels + (size_t)srow * (size_t)w * (size_t)ch;
        float *out = a + (size_t)y * cols;
        if (ch == 3)
            for (int x = 0; x < cols; x++) {
                const uint8_t *q = p + (size_t)sx[x] * 3;
                out[x] = 0.299f * q[0] + 0.587f * q[1] + 0.114f * q[2];
            }
        else
            for (int x = 0; x < cols; x++)
                out[x] = (float)p[sx[x]];
    }
    free(sx);
    float m[64][64];
    if (rows == 64 && cols == 64) {
        memcpy(m, a, sizeof m);
    } else {
        jarosz(a, b, rows, cols);
        for (int i = 0; i < 64; i++) {
            int si = (int)(((i + 0.5) * rows) / 64);
            for (int j = 0; j < 64; j++) {
                int sj = (int)(((j + 0.5) * cols) / 64);
                m[i][j] = a[(size_t)si * cols + sj];
            }
        }
    }
    free(a);
    free(b);
    *quality = quality_of(m);
    float c[16][16], d[16][16];
    dct64to16(m, c);
    to_bits(c, hash);
    if (dihed)
        for (int k = 0; k < DJ_PDQ_N_DIHEDRAL; k++) {
            dihedral(c, k, d);
            to_bits(d, &dihed[k]);
        }
    return DJ_OK;
}

/* Hex digit values plus one; 0 marks anything else. */
static const uint8_t hexv[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
    ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

#if DJ_SIMD
/* 32 hex digits at p to 16 bytes at out; 0 when one is not a digit.
 * Every image of every listing is decoded when its line is parsed, where
 * a byte loop with a table lookup per digit cost ~3% of a scan. */
static int hex32(const char *p, uint8_t *out)
{
    __m128i nib[2];
    for (int k = 0; k < 2; k++) {
        __m128i v = dj_simd_load(p + 16 * k);
        __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20)); /* A-F -> a-f; nothing else lands there */
        __m128i dig = dj_simd_in_range(v, '0', '9'), let = dj_simd_in_range(lower, 'a', 'f');
        if (dj_simd_mask(_mm_or_si128(dig, let)) != 0xFFFF)
            return 0;
        nib[k] = _mm_or_si128(_mm_and_si128(dig, _mm_sub_epi8(v, _mm_set1_epi8('0'))),
                              _mm_and_si128(let, _mm_sub_epi8(lower, _mm_set1_epi8('a' - 10))));
        /* Each 16-bit lane holds the high digit in its low byte: high << 4
         * | low into the low byte. */
        nib[k] = _mm_and_si128(_mm_or_si128(_mm_slli_epi16(nib[k], 4), _mm_srli_epi16(nib[k], 8)),
                               _mm_set1_epi16(0xFF));
    }
    _mm_storeu_si128((__m128i *)(void *)out, _mm_packus_epi16(nib[0], nib[1]));
    return 1;
}
#endif

dj_rc dj_pdq_from_hex(const char *s, size_t len, dj_pdq *out, dj_err *err)
{
    if (len != 64)
        return dj_err_set(err, DJ_EINVAL, "PDQ hash: expected 64 hex digits, got %zu characters", len);
    const unsigned char *u = (const unsigned char *)s;
    dj_pdq h;
    unsigned bad = 0;
#if DJ_SIMD
    bad = !hex32(s, h.h) || !hex32(s + 32, h.h + 16);
#else
    for (int i = 0; i < 32; i++) {
        unsigned hi = hexv[u[2 * i]], lo = hexv[u[2 * i + 1]];
        bad |= (hi == 0) | (lo == 0);
        h.h[i] = (uint8_t)((hi - 1) << 4 | ((lo - 1) & 15));
    }
#endif
    if (bad) {
        int at = 0;
        while (hexv[u[at]])
            at++;
        return dj_err_set(err, DJ_EINVAL, "PDQ hash: character %d is not a hex digit", at);
    }
    *out = h;
    return DJ_OK;
}

void dj_pdq_to_hex(const dj_pdq *h, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[h->h[i] >> 4];
        out[2 * i + 1] = hex[h->h[i] & 15];
    }
    out[64] = '\0';
}

/* The popcount instruction when the CPU has it (every x86-64 of the last
 * fifteen years), chosen at load time; the portable fallback otherwise. */
DJ_POPCNT_CLONES int dj_pdq_distance(const dj_pdq *a, const dj_pdq *b)
{
    int d = 0;
    for (int i = 0; i < 32; i += 8) {
        uint64_t x, y;
        memcpy(&x, a->h + i, 8);
        memcpy(&y, b->h + i, 8);
        d += __builtin_popcountll(x ^ y);
    }
    return d;
}
