/* Fuzz target: finding the file part of a multipart/form-data body (POST
 * /v1/images). The input's first line is the Content-Type header, the rest
 * the body. A part found must lie inside the body; a refusal must say why
 * and where. */
#include "http/multipart.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t hl = nl ? (size_t)(nl - data) : size;
    char *ctype = malloc(hl + 1);
    memcpy(ctype, data, hl);
    ctype[hl] = '\0';
    const char *body = (const char *)data + (nl ? hl + 1 : size);
    size_t len = size - (size_t)(body - (const char *)data);
    const char *part = NULL, *why = NULL, *field = NULL;
    size_t n = 0;
    if (dj_multipart_file(ctype, body, len, &part, &n, &why, &field) == 0) {
        if (part < body || n > len || part + n > body + len)
            abort();
    } else if (!why || !field || !why[0]) {
        abort();
    }
    free(ctype);
    return 0;
}
