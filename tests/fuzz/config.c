/*
 * config.c -- fuzz kedr_conf_check_text (core/config.c): libconfig's
 * parser plus the core's own checks (the key table, the 32-bit integer
 * scan).
 *
 * Input: config text (a NUL-terminated copy).  Oracles: the error count
 * is zero exactly when no error text was written, and does not depend on
 * the size of the error buffer (a tiny buffer truncates, never counts
 * differently or writes past its end).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text, err[4096], *tiny;
    int n, m;

    fuzz_quiet();
    text = fuzz_strndup(data, size);
    n = kedr_conf_check_text(text, err, sizeof(err));
    FUZZ_CHECK(n >= 0 && memchr(err, '\0', sizeof(err)) != NULL);
    FUZZ_CHECK((n == 0) == (err[0] == '\0'));
    tiny = kedr_xmalloc(7); /* exact size: ASan sees an overrun */
    m = kedr_conf_check_text(text, tiny, 7);
    FUZZ_CHECK(m == n && memchr(tiny, '\0', 7) != NULL);
    free(tiny);
    free(text);
    return 0;
}
