/* Fuzz target: the WebP decoder path (libwebp) and PDQ. */
#include "fuzz_image_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 12 && !memcmp(data, "RIFF", 4) && !memcmp(data + 8, "WEBP", 4))
        fuzz_image(data, size);
    else
        with_magic(data, size, "RIFF\0\0\0\0WEBP", 12);
    return 0;
}
