/*
 * sf_map.c -- fuzz kedr_sf_map_check_text (migrate/salesforce/sf_map.c): the
 * Salesforce import's mapping file, libconfig's parser plus every check of the
 * loader.
 *
 * Input: mapping text (a NUL-terminated copy).  Oracles: the error count
 * is zero exactly when no error text was written, does not depend on the
 * size of the error buffer, and a text that checks clean also loads.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text, err[4096], *tiny;
    struct kedr_sf_map *m;
    int n, k;

    fuzz_quiet();
    text = fuzz_strndup(data, size);
    n = kedr_sf_map_check_text(text, err, sizeof(err));
    FUZZ_CHECK(n >= 0 && memchr(err, '\0', sizeof(err)) != NULL);
    FUZZ_CHECK((n == 0) == (err[0] == '\0'));
    tiny = kedr_xmalloc(7); /* exact size: ASan sees an overrun */
    k = kedr_sf_map_check_text(text, tiny, 7);
    FUZZ_CHECK(k == n && memchr(tiny, '\0', 7) != NULL);
    free(tiny);
    m = kedr_sf_map_from_text(text, NULL, 0);
    FUZZ_CHECK((m != NULL) == (n == 0));
    if (m != NULL)
        for (size_t i = 0; i < m->nobjects; i++)
            FUZZ_CHECK(kedr_sf_map_find(m, m->objects[i].file) != NULL);
    kedr_sf_map_free(m);
    free(text);
    return 0;
}
