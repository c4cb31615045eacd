/* Fuzz target: the PNG decoder path (libpng with our error handler) and PDQ. */
#include "fuzz_image_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 8 && !memcmp(data, "\x89PNG\r\n\x1a\n", 8))
        fuzz_image(data, size);
    else
        with_magic(data, size, "\x89PNG\r\n\x1a\n", 8);
    return 0;
}
