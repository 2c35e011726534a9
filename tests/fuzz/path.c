/*
 * path.c -- fuzz kedr_router_match (core/router.c) and with it the
 * percent-decoding of path segments.
 *
 * Input: "METHOD PATH" (without a space the whole input is the path of a
 * GET).  The path is matched against fuzz_router()'s realistic table.
 * Oracles: a match names a route of the method asked (HEAD finds GET)
 * whose pattern has as many segments as the path, with one non-empty
 * decoded value per parameter; a 405 lists only methods other than the
 * one asked, in a NUL-terminated Allow.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Allow is "M1, M2, ...": known methods, each once, never the one asked
 * (HEAD counting as GET). */
static void
fuzz_check_allow(const char *method, const char *allow)
{
    static const char *const known[] = {"GET",   "HEAD",   "POST",    "PUT",
                                        "PATCH", "DELETE", "OPTIONS", NULL};
    char buf[sizeof(((struct kedr_match *)0)->allow)], *save, *tok;
    unsigned seen = 0;

    if (strcmp(method, "HEAD") == 0)
        method = "GET";
    strcpy(buf, allow);
    for (tok = strtok_r(buf, ", ", &save); tok != NULL;
         tok = strtok_r(NULL, ", ", &save)) {
        int i;

        for (i = 0; known[i] != NULL && strcmp(known[i], tok) != 0; i++)
            ;
        FUZZ_CHECK(known[i] != NULL && (seen & (1u << i)) == 0);
        seen |= 1u << i;
        FUZZ_CHECK(strcmp(tok, method) != 0);
        FUZZ_CHECK(strcmp(tok, "HEAD") != 0 || strcmp(method, "GET") != 0);
    }
}

static void
fuzz_check_match(const char *method, const char *path, int rc,
                 const struct kedr_match *m)
{
    FUZZ_CHECK(rc == 0 || rc == KEDR_ENOTFOUND || rc == KEDR_EMETHOD ||
               rc == KEDR_EBADREQ);
    FUZZ_CHECK(memchr(m->allow, '\0', sizeof(m->allow)) != NULL);
    if (rc == KEDR_EMETHOD) {
        FUZZ_CHECK(m->allow[0] != '\0' && m->ent == NULL);
        fuzz_check_allow(method, m->allow);
        return;
    }
    if (rc != 0) {
        FUZZ_CHECK(m->ent == NULL && m->nparams == 0);
        return;
    }
    FUZZ_CHECK(m->ent != NULL && m->allow[0] == '\0');
    FUZZ_CHECK(
        strcmp(m->ent->method, method) == 0 ||
        (strcmp(method, "HEAD") == 0 && strcmp(m->ent->method, "GET") == 0));
    FUZZ_CHECK(path[0] == '/');
    FUZZ_CHECK(m->nparams >= 0 && m->nparams <= KEDR_MAX_PARAMS);
    for (int i = 0; i < m->nparams; i++) {
        FUZZ_CHECK(m->names[i] != NULL && m->names[i][0] != '\0');
        FUZZ_CHECK(m->values[i] != NULL && m->values[i][0] != '\0');
        FUZZ_CHECK(strlen(m->values[i]) <= strlen(path));
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct kedr_router *rt;
    struct kedr_arena a;
    struct kedr_match m;
    char *in, *sp;
    const char *method = "GET", *path;
    int rc;

    fuzz_quiet();
    rt = fuzz_router();
    in = fuzz_strndup(data, size);
    path = in;
    sp = strchr(in, ' ');
    if (sp != NULL) {
        *sp = '\0';
        method = in;
        path = sp + 1;
    }
    kedr_arena_init(&a);
    rc = kedr_router_match(rt, &a, method, path, &m);
    fuzz_check_match(method, path, rc, &m);
    /* a worker's next request reuses the cleared arena: same answer */
    kedr_arena_clear(&a);
    FUZZ_CHECK(kedr_router_match(rt, &a, method, path, &m) == rc);
    kedr_arena_release(&a);
    free(in);
    return 0;
}
