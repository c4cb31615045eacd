/*
 * The file part of a multipart/form-data body (RFC 7578), as POST
 * /v1/images accepts it: the first part with a filename, or named "image"
 * or "file". A pure function over bytes (no request, no allocation), so it
 * can be fuzzed on its own (tests/fuzz/fuzz_multipart.c).
 */
#ifndef DJ_HTTP_MULTIPART_H
#define DJ_HTTP_MULTIPART_H

#include <stddef.h>

/* Finds the file part of body[0..len) given its Content-Type header. On
 * success returns 0 with *data, *n pointing into body; otherwise returns
 * -1 with *why a message and *field the part of the request at fault
 * ("Content-Type" or "body"). */
int dj_multipart_file(const char *ctype, const char *body, size_t len, const char **data, size_t *n,
                      const char **why, const char **field);

#endif
