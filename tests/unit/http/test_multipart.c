/*
 * Finding the file part of a multipart/form-data body (src/http/multipart.c).
 */
#include "http/multipart.h"
#include "test.h"

static const struct {
    const char *ctype;
    const char *body;
    const char *part;  /* expected file part, or NULL for a refusal */
    const char *field; /* the refusal's field */
} cases[] = {
    {"multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
     "--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n\r\nJPEGBYTES\r\n--XyZ--\r\n",
     "JPEGBYTES", NULL},
    /* quoted boundary with a space, a preamble, headers in upper case */
    {"multipart/form-data; boundary=\"q q\"", "preamble\r\n--q q\r\nCONTENT-DISPOSITION: form-data; NAME=\"FILE\"\r\n\r\nbytes\r\n--q q--",
     "bytes", NULL},
    /* parameters after the boundary; the file may contain the boundary text without CRLF before it */
    {"multipart/form-data; boundary=B; charset=utf-8",
     "--B\r\nContent-Disposition: form-data; filename=\"x\"\r\n\r\nab--Bcd\r\n--B--", "ab--Bcd", NULL},
    {"multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nno end", NULL, "body"},
    {"multipart/form-data", "--B\r\n\r\n", NULL, "Content-Type"},
    {"multipart/form-data; boundary=", "--\r\n", NULL, "Content-Type"},
    {"multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx\r\n--B--", NULL, "body"},
    {"multipart/form-data; boundary=B", "", NULL, "body"},
    /* a boundary only a preamble mentions, not preceded by CRLF, is not one */
    {"multipart/form-data; boundary=B", "junk--B\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nx\r\n--B--", NULL,
     "body"},
};

static void test_multipart_finds_the_file_part(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *part = NULL, *why = NULL, *field = NULL;
        size_t n = 0;
        int rc = dj_multipart_file(cases[i].ctype, cases[i].body, strlen(cases[i].body), &part, &n, &why, &field);
        if (cases[i].part) {
            if (rc || n != strlen(cases[i].part) || memcmp(part, cases[i].part, n))
                dj_test_fail(__FILE__, __LINE__, "case %zu: expected part \"%s\", got rc %d (%s)", i, cases[i].part, rc,
                             rc ? why : "");
        } else if (!rc || !why || strcmp(field, cases[i].field)) {
            dj_test_fail(__FILE__, __LINE__, "case %zu: expected a refusal of %s, got rc %d field %s", i,
                         cases[i].field, rc, field ? field : "-");
        }
    }
}

static const dj_test tests[] = {
    DJ_TEST(test_multipart_finds_the_file_part),
};
DJ_TEST_SUITE(tests)
