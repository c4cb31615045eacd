/* Fuzz target: PDQ hex parsing; a parsed hash must print back the same
 * (lower-cased) and be at distance 0 from itself. */
#include "image/image.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dj_pdq h;
    dj_err err = {0};
    if (dj_pdq_from_hex((const char *)data, size, &h, &err) != DJ_OK) {
        if (!err.msg[0])
            abort();
        return 0;
    }
    char out[65];
    dj_pdq_to_hex(&h, out);
    for (size_t i = 0; i < 64; i++)
        if (out[i] != tolower(data[i]))
            abort();
    if (dj_pdq_distance(&h, &h) != 0)
        abort();
    return 0;
}
