/*
 * log.c -- one line per message on stderr:
 *   2026-11-26T14:44:14.123Z info [1234] rid=... mod=hello: message
 * The request id and module come from the context of what is running.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

int kedr_log_level = KEDR_LOG_INFO;
const char *kedr_log_rid;
const char *kedr_log_module;

static const char *const log_names[] = {"error", "warn", "info", "debug"};

uint64_t
kedr_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t
kedr_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
kedr_log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, log_names[i]) == 0)
            return i;
    return -1;
}

void
kedr_log_vwrite(int level, const char *module, const char *fmt, va_list ap)
{
    char line[4096];
    struct timeval tv;
    struct tm tm;
    size_t n;
    int k;

    if (level > kedr_log_level)
        return;
    if (level < 0 || level > KEDR_LOG_DEBUG)
        level = KEDR_LOG_ERROR;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    k = snprintf(line + n, sizeof(line) - n, ".%03dZ %s [%d]",
                 (int)(tv.tv_usec / 1000), log_names[level], (int)getpid());
    n += (size_t)k;
    if (kedr_log_rid != NULL && n < sizeof(line))
        n += (size_t)snprintf(line + n, sizeof(line) - n, " rid=%s",
                              kedr_log_rid);
    if (module != NULL && n < sizeof(line))
        n += (size_t)snprintf(line + n, sizeof(line) - n, " mod=%s", module);
    if (n < sizeof(line) - 2) {
        line[n++] = ':';
        line[n++] = ' ';
        k = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
        if (k > 0)
            n += (size_t)k;
    }
    if (n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    /* one line per message: newlines inside become spaces */
    for (size_t i = 0; i < n; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    line[n++] = '\n';
    (void)!write(STDERR_FILENO, line, n);
}

void
kedr_log_write(int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    kedr_log_vwrite(level, kedr_log_module, fmt, ap);
    va_end(ap);
}
