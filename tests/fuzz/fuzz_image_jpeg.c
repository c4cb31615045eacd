/* Fuzz target: the JPEG decoder path (libjpeg-turbo with our error manager) and PDQ. */
#include "fuzz_image_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Corpus files are whole JPEGs: keep them as they are. */
    if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8)
        fuzz_image(data, size);
    else
        with_magic(data, size, "\xFF\xD8\xFF", 3);
    return 0;
}
