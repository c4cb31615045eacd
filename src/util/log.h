/*
 * One line per event on stderr as key=value pairs:
 *   2026-11-28T19:40:01Z level=info msg="listening" addr=127.0.0.1:8080
 * dj_log does not evaluate its arguments when the level is off (Redis's
 * serverLog). Only boundary code (CLI, HTTP, stream) logs.
 */
#ifndef DJ_UTIL_LOG_H
#define DJ_UTIL_LOG_H

typedef enum {
    DJ_LOG_DEBUG,
    DJ_LOG_INFO,
    DJ_LOG_WARN,
    DJ_LOG_ERROR,
    DJ_LOG_OFF,
} dj_log_level;

extern dj_log_level dj_log_min;

/* Sets the minimum level from a name (debug|info|warn|error|off); returns 0,
 * or -1 for an unknown name. */
int dj_log_set_level(const char *name);

void dj_log_write(dj_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define dj_log(lvl, ...)                        \
    do {                                        \
        if ((lvl) >= dj_log_min)                \
            dj_log_write((lvl), __VA_ARGS__);   \
    } while (0)

#endif
