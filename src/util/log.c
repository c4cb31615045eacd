/*
 * Logging to stderr. Each line is written with a single fputs so lines from
 * several threads do not interleave.
 */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

dj_log_level dj_log_min = DJ_LOG_INFO;

static const char *names[] = {"debug", "info", "warn", "error", "off"};

int dj_log_set_level(const char *name)
{
    for (int i = 0; i <= DJ_LOG_OFF; i++)
        if (strcmp(name, names[i]) == 0) {
            dj_log_min = (dj_log_level)i;
            return 0;
        }
    return -1;
}

void dj_log_write(dj_log_level lvl, const char *fmt, ...)
{
    char line[2048];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    size_t n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ", &tm);
    n += (size_t)snprintf(line + n, sizeof line - n, " level=%s ", names[lvl]);
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    if (k > 0)
        n += (size_t)k < sizeof line - n - 1 ? (size_t)k : sizeof line - n - 2;
    line[n++] = '\n';
    line[n] = '\0';
    fputs(line, stderr);
}
