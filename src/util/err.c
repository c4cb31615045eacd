/*
 * The error table (DJ_ERR_MAP) turned into names and descriptions, and the
 * helpers that fill a dj_err.
 */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *dj_err_name(dj_rc rc)
{
    switch (rc) {
    case DJ_OK: return "OK";
#define XX(code, _) case DJ_##code: return #code;
    DJ_ERR_MAP(XX)
#undef XX
    default: return "EUNKNOWN";
    }
}

const char *dj_err_str(dj_rc rc)
{
    switch (rc) {
    case DJ_OK: return "success";
#define XX(code, s) case DJ_##code: return s;
    DJ_ERR_MAP(XX)
#undef XX
    default: return "unknown error";
    }
}

dj_rc dj_err_set(dj_err *err, dj_rc rc, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->rc = rc;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return rc;
}

void dj_err_prefix(dj_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    char pre[128], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* "pre: old", cut to fit; by hand, because GCC warns that a snprintf
     * of the two may truncate, which is the point. */
    size_t n = strlen(pre), cap = sizeof err->msg - 1, k = strnlen(old, sizeof old - 1);
    memcpy(err->msg, pre, n);
    memcpy(err->msg + n, ": ", 2);
    n += 2;
    if (k > cap - n)
        k = cap - n;
    memcpy(err->msg + n, old, k);
    err->msg[n + k] = '\0';
}

void dj_err_clear(dj_err *err)
{
    if (err) {
        err->rc = DJ_OK;
        err->msg[0] = '\0';
    }
}
