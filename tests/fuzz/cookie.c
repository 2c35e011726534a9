/*
 * cookie.c -- fuzz kedr_cookie_parse (lib/http.c).
 *
 * Input: the raw bytes of a Cookie header.  Oracles: every cookie kept has
 * a non-empty name without '=', ';' or surrounding blanks, its value has
 * no ';', and neither holds a NUL.
 */
#include <string.h>

#include "fuzz.h"

static bool
fuzz_blank(char c)
{
    return c == ' ' || c == '\t';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kedr_arena a;
    struct kedr_kvlist l;

    fuzz_quiet();
    kedr_arena_init(&a);
    kedr_cookie_parse(&a, (const char *)data, size, &l);
    FUZZ_CHECK(l.n == 0 || l.items != NULL);
    for (size_t i = 0; i < l.n; i++) {
        const char *k = l.items[i].key, *v = l.items[i].value;
        size_t kn = strlen(k);

        FUZZ_CHECK(kn > 0 && kn <= size && strlen(v) <= size);
        FUZZ_CHECK(strpbrk(k, "=;") == NULL && strchr(v, ';') == NULL);
        FUZZ_CHECK(!fuzz_blank(k[0]) && !fuzz_blank(k[kn - 1]));
        FUZZ_CHECK(kedr_kv_get(&l, k) != NULL);
    }
    kedr_arena_release(&a);
    return 0;
}
