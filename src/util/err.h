/*
 * Error codes and error messages shared by every room.
 *
 * A function that can fail returns dj_rc. When a person may need to know why,
 * its last parameter is a dj_err * (which may be NULL) that receives a code and
 * a message naming the field and the place, e.g.
 *   "brands[12].min_price.shoes: expected a number".
 * Library code never logs or exits on an error; only boundaries (CLI, HTTP,
 * stream worker) report them.
 */
#ifndef DJ_UTIL_ERR_H
#define DJ_UTIL_ERR_H

#include <stddef.h>

#define DJ_ERR_MAP(XX)                                   \
    XX(EINVAL, "invalid argument")                       \
    XX(EPARSE, "parse error")                            \
    XX(ETOOBIG, "too big")                               \
    XX(ENOTFOUND, "not found")                           \
    XX(ECONFLICT, "conflict")                            \
    XX(EPERM, "permission denied")                       \
    XX(EIO, "input/output error")                        \
    XX(EDB, "database error")                            \
    XX(EUNAVAIL, "unavailable")                          \
    XX(ENOMEM, "out of memory")

typedef enum {
    DJ_OK = 0,
#define XX(code, _) DJ_##code,
    DJ_ERR_MAP(XX)
#undef XX
    DJ_ERR_MAX_,
} dj_rc;

typedef struct dj_err {
    dj_rc rc;       /* DJ_OK when no error was recorded */
    char msg[256];  /* NUL-terminated message for a person */
} dj_err;

/* Short symbolic name of rc ("EINVAL"); "OK" for DJ_OK. Never NULL. */
const char *dj_err_name(dj_rc rc);

/* Generic English description of rc. Never NULL. */
const char *dj_err_str(dj_rc rc);

/* Records rc and a printf-style message in err (when err is not NULL) and
 * returns rc, so that callers can write `return dj_err_set(err, ...);`. */
dj_rc dj_err_set(dj_err *err, dj_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes err's message with "prefix: " (for adding the outer context of a
 * nested error). Does nothing when err is NULL. */
void dj_err_prefix(dj_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Clears err to DJ_OK with an empty message. */
void dj_err_clear(dj_err *err);

#endif
