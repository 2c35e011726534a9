/*
 * query.c -- fuzz kedr_query_parse and kedr_pct_decode (lib/http.c).
 *
 * Input: the raw bytes of a query string (may hold NUL bytes: the parser
 * takes a length).  Oracles: the two decoding modes differ only where the
 * input has '+', a successful decode is as long as the input less two
 * bytes per escape and holds no NUL, and every pair of a parsed query is
 * a pair of strings findable with kedr_kv_get.
 */
#include <string.h>

#include "fuzz.h"

static void
fuzz_pct(struct kedr_arena *a, const char *s, size_t n)
{
    char *path = kedr_pct_decode(a, s, n, false);
    char *form = kedr_pct_decode(a, s, n, true);
    size_t escapes = 0;

    FUZZ_CHECK((path == NULL) == (form == NULL));
    if (path == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '%')
            escapes++;
    FUZZ_CHECK(strlen(path) == n - 2 * escapes);
    FUZZ_CHECK(strlen(form) == strlen(path));
    for (size_t i = 0; path[i] != '\0'; i++)
        FUZZ_CHECK(path[i] == form[i] || (path[i] == '+' && form[i] == ' '));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kedr_arena a;
    struct kedr_kvlist l;
    const char *qs = (const char *)data;

    fuzz_quiet();
    kedr_arena_init(&a);
    fuzz_pct(&a, qs, size);
    kedr_arena_clear(&a);
    (void)kedr_query_parse(&a, qs, size, &l);
    FUZZ_CHECK(l.n == 0 || l.items != NULL);
    for (size_t i = 0; i < l.n; i++) {
        FUZZ_CHECK(l.items[i].key != NULL && l.items[i].value != NULL);
        FUZZ_CHECK(kedr_kv_get(&l, l.items[i].key) != NULL);
    }
    kedr_arena_release(&a);
    return 0;
}
