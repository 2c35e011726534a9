/*
 * common.c -- helpers shared by the fuzz targets (see fuzz.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void
fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
    abort();
}

void
fuzz_quiet(void)
{
    kedr_log_level = -1;
}

char *
fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = kedr_xmalloc(size + 1);

    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

static int
fuzz_handler(kedr_req_t *r)
{
    (void)r;
    return 0;
}

/* Field specs only matter to the JSON target; routes carry one so a match
 * looks like the real thing. */
static const struct kedr_field fuzz_greeting_input[] = {
    {.name = "lang", .type = KEDR_T_STRING, .flags = KEDR_REQUIRED, .max = 2},
    {.name = "text",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 200},
    {0},
};

static const struct kedr_route fuzz_core_routes[] = {
    {.method = "GET", .path = "/health", .handler = fuzz_handler},
    {0},
};

static const struct kedr_route fuzz_hello_routes[] = {
    {.method = "GET", .path = "", .handler = fuzz_handler},
    {.method = "GET", .path = "/greeting", .handler = fuzz_handler},
    {.method = "GET", .path = "/greetings", .handler = fuzz_handler},
    {.method = "GET", .path = "/greetings/:id", .handler = fuzz_handler},
    {.method = "POST",
     .path = "/greetings",
     .handler = fuzz_handler,
     .input = fuzz_greeting_input},
    {.method = "PATCH", .path = "/greetings/:id", .handler = fuzz_handler},
    {.method = "DELETE", .path = "/greetings/:id", .handler = fuzz_handler},
    {0},
};

static const struct kedr_route fuzz_clients_routes[] = {
    {.method = "GET", .path = "/counterparties", .handler = fuzz_handler},
    {.method = "POST", .path = "/counterparties", .handler = fuzz_handler},
    {.method = "GET", .path = "/counterparties/new", .handler = fuzz_handler},
    {.method = "GET", .path = "/counterparties/:id", .handler = fuzz_handler},
    {.method = "PUT", .path = "/counterparties/:id", .handler = fuzz_handler},
    {.method = "OPTIONS",
     .path = "/counterparties/:id",
     .handler = fuzz_handler},
    {.method = "POST",
     .path = "/counterparties/:id/merge/:other",
     .handler = fuzz_handler},
    {.method = "GET",
     .path = "/counterparties/:id/contacts/:cid/notes/:nid",
     .handler = fuzz_handler},
    {.method = "GET",
     .path = "/:a/:b/:c/:d/:e/:f/:g/:h",
     .handler = fuzz_handler},
    {.method = "GET",
     .path = "/a/b/c/d/e/f/g/h/i/j/k/l/m",
     .handler = fuzz_handler},
    {0},
};

static const struct kedr_route fuzz_t_core_routes[] = {
    {.method = "GET", .path = "/params/:a/sub/:b", .handler = fuzz_handler},
    {.method = "POST", .path = "/echo", .handler = fuzz_handler},
    {0},
};

static struct kedr_mod fuzz_mods[] = {
    {.name = "hello"},
    {.name = "clients"},
    {.name = "t_core"},
};

static void
fuzz_add(struct kedr_router *rt, const char *prefix,
         const struct kedr_route *routes, struct kedr_mod *mod)
{
    char err[256];

    for (const struct kedr_route *r = routes; r->method != NULL; r++)
        if (kedr_router_add(rt, prefix, r, mod, false, err, sizeof(err)) != 0)
            fuzz_fail(__FILE__, __LINE__, err);
}

const struct kedr_router *
fuzz_router(void)
{
    static struct kedr_router rt;
    static bool built;

    if (!built) {
        kedr_router_init(&rt);
        fuzz_add(&rt, "/api/v1", fuzz_core_routes, NULL);
        fuzz_add(&rt, "/api/v1/hello", fuzz_hello_routes, &fuzz_mods[0]);
        fuzz_add(&rt, "/api/v1/clients", fuzz_clients_routes, &fuzz_mods[1]);
        fuzz_add(&rt, "/api/v1/t_core", fuzz_t_core_routes, &fuzz_mods[2]);
        built = true;
    }
    return &rt;
}

void
fuzz_check_head(const char *head, size_t len)
{
    FUZZ_CHECK(len >= 4 && memcmp(head + len - 4, "\r\n\r\n", 4) == 0);
    for (size_t i = 0; i < len; i++) {
        if (head[i] == '\r')
            FUZZ_CHECK(i + 1 < len && head[i + 1] == '\n');
        else if (head[i] == '\n')
            FUZZ_CHECK(i > 0 && head[i - 1] == '\r');
        FUZZ_CHECK(head[i] != '\0');
    }
    /* only the final empty line ends the head */
    FUZZ_CHECK(strstr(head, "\r\n\r\n") == head + len - 4);
}
