/*
 * Fuzz target: knowledge-base JSON through validation and compilation.
 * Either a KB loads or an error message is set; nothing else may happen.
 */
#include "kb/kb.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    dj_kb *kb = NULL;
    dj_err err = {0};
    dj_rc rc = dj_kb_load((const char *)data, size, &kb, &err);
    if (rc == DJ_OK) {
        if (!kb)
            abort();
        dj_kb_unref(kb);
    } else if (kb || err.msg[0] == '\0') {
        abort();
    }
    return 0;
}
