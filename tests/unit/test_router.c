/*
 * test_router.c -- core/router.c: adding routes (patterns, duplicates,
 * refusals with their messages) and matching undecoded paths (literal
 * segments, percent-decoded parameters, 404 vs 405 with the exact Allow
 * list, HEAD on GET routes, bad encoding).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define HELLO "/api/v1/hello"

struct fixture {
    struct kedr_router rt;
    struct kedr_arena arena;
    struct kedr_match m;
    char err[256];
};

static int
fx_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));

    if (fx == NULL)
        return -1;
    kedr_router_init(&fx->rt);
    kedr_arena_init(&fx->arena);
    *state = fx;
    return 0;
}

static int
fx_teardown(void **state)
{
    struct fixture *fx = *state;

    kedr_router_release(&fx->rt);
    kedr_arena_release(&fx->arena);
    free(fx);
    return 0;
}

static int
h_one(kedr_req_t *r)
{
    (void)r;
    return 0;
}

/* Add a route that must be accepted. */
static void
add_ok(struct fixture *fx, const char *prefix, const struct kedr_route *rt,
       struct kedr_mod *mod)
{
    fx->err[0] = '\0';
    if (kedr_router_add(&fx->rt, prefix, rt, mod, false, fx->err,
                        sizeof(fx->err)) != 0)
        fail_msg("route %s %s%s refused: %s", rt->method, prefix, rt->path,
                 fx->err);
}

/* Add a route that must be refused with exactly `msg`. */
static void
add_refused(struct fixture *fx, const char *prefix, const struct kedr_route *rt,
            const char *msg)
{
    size_t n = fx->rt.n;

    fx->err[0] = '\0';
    assert_int_equal(kedr_router_add(&fx->rt, prefix, rt, NULL, false, fx->err,
                                     sizeof(fx->err)),
                     -1);
    assert_string_equal(fx->err, msg);
    assert_int_equal(fx->rt.n, n); /* nothing added */
}

static int
match(struct fixture *fx, const char *method, const char *path)
{
    return kedr_router_match(&fx->rt, &fx->arena, method, path, &fx->m);
}

static const char *
param(const struct kedr_match *m, const char *name)
{
    for (int i = 0; i < m->nparams; i++)
        if (strcmp(m->names[i], name) == 0)
            return m->values[i];
    return NULL;
}

/* ------------------------------------------------------------------ */

static void
test_literal(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route r = {"GET", "/greeting", h_one, NULL, NULL};
    struct kedr_mod mod = {.name = (char *)"hello"};

    add_ok(fx, HELLO, &r, &mod);
    assert_int_equal(fx->rt.n, 1);
    assert_string_equal(fx->rt.ents[0].pattern, HELLO "/greeting");
    assert_int_equal(fx->rt.ents[0].nsegs, 4);

    assert_int_equal(match(fx, "GET", HELLO "/greeting"), 0);
    assert_ptr_equal(fx->m.ent, &fx->rt.ents[0]);
    assert_ptr_equal(fx->m.ent->route, &r);
    assert_ptr_equal(fx->m.ent->mod, &mod);
    assert_string_equal(fx->m.ent->method, "GET");
    assert_int_equal(fx->m.nparams, 0);
    assert_string_equal(fx->m.allow, "");

    /* a literal segment is compared after decoding */
    assert_int_equal(match(fx, "GET", HELLO "/gr%65eting"), 0);

    assert_int_equal(match(fx, "GET", HELLO "/greetings"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", HELLO "/greet"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", HELLO "/Greeting"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", HELLO), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", HELLO "/greeting/x"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", "/api/v1/hell/greeting"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", "api/v1/hello/greeting"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", ""), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", "/"), KEDR_ENOTFOUND);
    assert_null(fx->m.ent);
    assert_string_equal(fx->m.allow, "");
    /* the query string is not the router's: it would be part of a segment */
    assert_int_equal(match(fx, "GET", HELLO "/greeting?x=1"), KEDR_ENOTFOUND);
}

static void
test_empty_route_path(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route r = {"GET", "", h_one, NULL, NULL};

    /* "" is the prefix itself */
    add_ok(fx, HELLO, &r, NULL);
    assert_string_equal(fx->rt.ents[0].pattern, HELLO);
    assert_int_equal(match(fx, "GET", HELLO), 0);
    assert_int_equal(match(fx, "GET", HELLO "/"), KEDR_ENOTFOUND);
}

static void
test_param_capture(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route r = {"GET", "/items/:id", h_one, NULL, NULL};

    add_ok(fx, HELLO, &r, NULL);
    assert_int_equal(match(fx, "GET", HELLO "/items/42"), 0);
    assert_int_equal(fx->m.nparams, 1);
    assert_string_equal(fx->m.names[0], "id");
    assert_string_equal(fx->m.values[0], "42");

    /* an empty parameter does not match */
    assert_int_equal(match(fx, "GET", HELLO "/items/"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", HELLO "/items"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", HELLO "/items/42/"), KEDR_ENOTFOUND);
    /* ":id" in a path is just a value */
    assert_int_equal(match(fx, "GET", HELLO "/items/:id"), 0);
    assert_string_equal(param(&fx->m, "id"), ":id");
}

static void
test_param_decoding(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route r = {"GET", "/items/:id", h_one, NULL, NULL};

    add_ok(fx, HELLO, &r, NULL);
    assert_int_equal(match(fx, "GET", HELLO "/items/a%20b"), 0);
    assert_string_equal(param(&fx->m, "id"), "a b");

    /* %2F inside a parameter does not split it */
    assert_int_equal(match(fx, "GET", HELLO "/items/a%2Fb"), 0);
    assert_int_equal(fx->m.nparams, 1);
    assert_string_equal(param(&fx->m, "id"), "a/b");
    assert_int_equal(match(fx, "GET", HELLO "/items/%2F%2f"), 0);
    assert_string_equal(param(&fx->m, "id"), "//");
    assert_int_equal(match(fx, "GET", HELLO "/items/a/b"), KEDR_ENOTFOUND);

    /* path mode: '+' stays '+' */
    assert_int_equal(match(fx, "GET", HELLO "/items/a+b"), 0);
    assert_string_equal(param(&fx->m, "id"), "a+b");

    assert_int_equal(match(fx, "GET", HELLO "/items/%D0%9F%D1%80%D0%B8"), 0);
    assert_string_equal(param(&fx->m, "id"), "При");
    assert_int_equal(match(fx, "GET", HELLO "/items/%25"), 0);
    assert_string_equal(param(&fx->m, "id"), "%");
    assert_int_equal(match(fx, "GET", HELLO "/items/%3A1"), 0);
    assert_string_equal(param(&fx->m, "id"), ":1");
}

static void
test_several_params(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route r = {
        "GET", "/clients/:client/notes/:note/v/:ver", h_one, NULL, NULL};

    add_ok(fx, HELLO, &r, NULL);
    assert_int_equal(match(fx, "GET", HELLO "/clients/7/notes/a%2Fb/v/3"), 0);
    assert_int_equal(fx->m.nparams, 3);
    assert_string_equal(fx->m.names[0], "client");
    assert_string_equal(fx->m.values[0], "7");
    assert_string_equal(fx->m.names[1], "note");
    assert_string_equal(fx->m.values[1], "a/b");
    assert_string_equal(fx->m.names[2], "ver");
    assert_string_equal(fx->m.values[2], "3");
    assert_int_equal(match(fx, "GET", HELLO "/clients/7/note/1/v/3"),
                     KEDR_ENOTFOUND);
}

static void
test_max_params(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route eight = {"GET", "/:a/:b/:c/:d/:e/:f/:g/:h",
                                            h_one, NULL, NULL};
    static const struct kedr_route nine = {
        "POST", "/:a/:b/:c/:d/:e/:f/:g/:h/:i", h_one, NULL, NULL};
    static const char *const names[] = {"a", "b", "c", "d", "e", "f", "g", "h"};

    add_ok(fx, "/p", &eight, NULL);
    assert_int_equal(match(fx, "GET", "/p/1/2/3/4/5/6/7/8"), 0);
    assert_int_equal(fx->m.nparams, KEDR_MAX_PARAMS);
    for (int i = 0; i < KEDR_MAX_PARAMS; i++) {
        char v[16];

        snprintf(v, sizeof(v), "%d", i + 1);
        assert_string_equal(fx->m.names[i], names[i]);
        assert_string_equal(fx->m.values[i], v);
    }
    add_refused(fx, "/p", &nine,
                "route \"POST /p/:a/:b/:c/:d/:e/:f/:g/:h/:i\": empty "
                "segment, bad parameter, or too many segments");
}

static void
test_404_vs_405(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route routes[] = {
        {"GET", "/items", h_one, NULL, NULL},
        {"POST", "/items", h_one, NULL, NULL},
        {"DELETE", "/items/:id", h_one, NULL, NULL},
        {"PATCH", "/items/:id", h_one, NULL, NULL},
        {"POST", "/jobs", h_one, NULL, NULL},
        {"PUT", "/later", h_one, NULL, NULL},
        {"GET", "/later", h_one, NULL, NULL},
    };

    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
        add_ok(fx, HELLO, &routes[i], NULL);

    assert_int_equal(match(fx, "POST", HELLO "/items"), 0);
    assert_ptr_equal(fx->m.ent->route, &routes[1]);

    /* GET implies HEAD in Allow */
    assert_int_equal(match(fx, "PUT", HELLO "/items"), KEDR_EMETHOD);
    assert_string_equal(fx->m.allow, "GET, HEAD, POST");
    assert_null(fx->m.ent);
    assert_int_equal(fx->m.nparams, 0);
    assert_int_equal(match(fx, "DELETE", HELLO "/items"), KEDR_EMETHOD);
    assert_string_equal(fx->m.allow, "GET, HEAD, POST");

    /* parameter routes too; the order is the order of declaration */
    assert_int_equal(match(fx, "GET", HELLO "/items/5"), KEDR_EMETHOD);
    assert_string_equal(fx->m.allow, "DELETE, PATCH");
    assert_int_equal(fx->m.nparams, 0);

    /* HEAD on a path without GET: 405, HEAD not offered */
    assert_int_equal(match(fx, "HEAD", HELLO "/jobs"), KEDR_EMETHOD);
    assert_string_equal(fx->m.allow, "POST");
    assert_int_equal(match(fx, "GET", HELLO "/jobs"), KEDR_EMETHOD);
    assert_string_equal(fx->m.allow, "POST");

    assert_int_equal(match(fx, "POST", HELLO "/later"), KEDR_EMETHOD);
    assert_string_equal(fx->m.allow, "PUT, GET, HEAD");

    /* methods are case-sensitive */
    assert_int_equal(match(fx, "get", HELLO "/items"), KEDR_EMETHOD);
    assert_string_equal(fx->m.allow, "GET, HEAD, POST");

    /* unknown path: 404 with no Allow */
    assert_int_equal(match(fx, "GET", HELLO "/nothing"), KEDR_ENOTFOUND);
    assert_string_equal(fx->m.allow, "");
    assert_int_equal(match(fx, "PUT", HELLO "/items/5/x"), KEDR_ENOTFOUND);
    assert_string_equal(fx->m.allow, "");
}

static void
test_405_every_method(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route routes[] = {
        {"GET", "/all", h_one, NULL, NULL},
        {"POST", "/all", h_one, NULL, NULL},
        {"PUT", "/all", h_one, NULL, NULL},
        {"PATCH", "/all", h_one, NULL, NULL},
        {"DELETE", "/all", h_one, NULL, NULL},
        {"OPTIONS", "/all", h_one, NULL, NULL},
    };

    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
        add_ok(fx, HELLO, &routes[i], NULL);
    /* the longest list fits */
    assert_int_equal(match(fx, "TRACE", HELLO "/all"), KEDR_EMETHOD);
    assert_string_equal(fx->m.allow,
                        "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        assert_int_equal(match(fx, routes[i].method, HELLO "/all"), 0);
        assert_ptr_equal(fx->m.ent->route, &routes[i]);
    }
}

static void
test_head_matches_get(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route routes[] = {
        {"POST", "/items/:id", h_one, NULL, NULL},
        {"GET", "/items/:id", h_one, NULL, NULL},
    };

    add_ok(fx, HELLO, &routes[0], NULL);
    add_ok(fx, HELLO, &routes[1], NULL);
    assert_int_equal(match(fx, "HEAD", HELLO "/items/9"), 0);
    assert_ptr_equal(fx->m.ent->route, &routes[1]);
    assert_string_equal(fx->m.ent->method, "GET");
    assert_string_equal(param(&fx->m, "id"), "9");
    assert_int_equal(match(fx, "HEAD", HELLO "/other"), KEDR_ENOTFOUND);
}

static void
test_trailing_slash_and_empty_segments(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route r = {"GET", "/a/b", h_one, NULL, NULL};
    static const struct kedr_route trailing = {"GET", "/c/", h_one, NULL, NULL};
    static const struct kedr_route empty = {"GET", "/c//d", h_one, NULL, NULL};
    static const struct kedr_route slash = {"GET", "/", h_one, NULL, NULL};
    static const struct kedr_route colon = {"GET", "/c/:", h_one, NULL, NULL};

    add_ok(fx, HELLO, &r, NULL);
    assert_int_equal(match(fx, "GET", HELLO "/a/b"), 0);
    assert_int_equal(match(fx, "GET", HELLO "/a/b/"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", HELLO "/a//b"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", "/api//v1/hello/a/b"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", "//api/v1/hello/a/b"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", HELLO "/a/b//"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", "//"), KEDR_ENOTFOUND);
    /* no dot-segment normalisation */
    assert_int_equal(match(fx, "GET", HELLO "/a/./b"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", HELLO "/a/x/../b"), KEDR_ENOTFOUND);

    add_refused(fx, HELLO, &trailing,
                "route \"GET /api/v1/hello/c/\": empty segment, bad "
                "parameter, or too many segments");
    add_refused(fx, HELLO, &empty,
                "route \"GET /api/v1/hello/c//d\": empty segment, bad "
                "parameter, or too many segments");
    add_refused(fx, HELLO, &slash,
                "route \"GET /api/v1/hello/\": empty segment, bad "
                "parameter, or too many segments");
    add_refused(fx, HELLO, &colon,
                "route \"GET /api/v1/hello/c/:\": empty segment, bad "
                "parameter, or too many segments");
}

static void
test_bad_encoding(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route r = {"GET", "/items/:id", h_one, NULL, NULL};
    static const char *const bad[] = {
        HELLO "/items/%zz",
        HELLO "/items/%",
        HELLO "/items/%4",
        HELLO "/items/a%4/",
        HELLO "/items/%G1",
        HELLO "/items/%%",
        HELLO "/items/%00",
        HELLO "/items/a%00b",
        /* decoding comes first: a path that would not match anyway */
        "/api/v1/%zz/x",
        "/nothing/%",
        NULL,
    };

    add_ok(fx, HELLO, &r, NULL);
    for (int i = 0; bad[i] != NULL; i++) {
        int rc = match(fx, "GET", bad[i]);

        if (rc != KEDR_EBADREQ)
            fail_msg("%s: %d, want KEDR_EBADREQ", bad[i], rc);
        assert_null(fx->m.ent);
    }
    /* %01 is allowed; only NUL is refused */
    assert_int_equal(match(fx, "GET", HELLO "/items/%01"), 0);
    assert_string_equal(param(&fx->m, "id"), "\x01");
}

static void
test_duplicates(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route routes[] = {
        {"GET", "/items/:id", h_one, NULL, NULL},
        {"POST", "/items/:id", h_one, NULL, NULL},
        {"GET", "/items/new", h_one, NULL, NULL},
        {"GET", "/items/:id/x", h_one, NULL, NULL},
    };
    static const struct kedr_route dup_param = {"GET", "/items/:name", h_one,
                                                NULL, NULL};
    static const struct kedr_route dup_literal = {"GET", "/items/new", h_one,
                                                  NULL, NULL};

    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
        add_ok(fx, HELLO, &routes[i], NULL);
    /* parameters match alike whatever their names */
    add_refused(fx, HELLO, &dup_param,
                "route \"GET /api/v1/hello/items/:name\" is declared twice");
    add_refused(fx, HELLO, &routes[0],
                "route \"GET /api/v1/hello/items/:id\" is declared twice");
    add_refused(fx, HELLO, &dup_literal,
                "route \"GET /api/v1/hello/items/new\" is declared twice");
    add_refused(fx, HELLO, &routes[3],
                "route \"GET /api/v1/hello/items/:id/x\" is declared "
                "twice");
    assert_int_equal(fx->rt.n, 4);
}

static void
test_duplicate_across_prefixes(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route core = {"GET", "/health", h_one, KEDR_PUBLIC,
                                           NULL};
    static const struct kedr_route mod = {"GET", "", h_one, NULL, NULL};

    /* a module named "health" cannot shadow the core's /api/v1/health */
    add_ok(fx, "/api/v1", &core, NULL);
    add_refused(fx, "/api/v1/health", &mod,
                "route \"GET /api/v1/health\" is declared twice");
}

static void
test_literal_declared_first_wins(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route routes[] = {
        {"GET", "/items/new", h_one, NULL, NULL},
        {"GET", "/items/:id", h_one, NULL, NULL},
    };

    add_ok(fx, HELLO, &routes[0], NULL);
    add_ok(fx, HELLO, &routes[1], NULL);
    assert_int_equal(match(fx, "GET", HELLO "/items/new"), 0);
    assert_ptr_equal(fx->m.ent->route, &routes[0]);
    assert_int_equal(fx->m.nparams, 0);
    assert_int_equal(match(fx, "GET", HELLO "/items/7"), 0);
    assert_ptr_equal(fx->m.ent->route, &routes[1]);
    assert_string_equal(param(&fx->m, "id"), "7");
}

/* The literal wins whatever the declaration order. */
static void
test_literal_declared_second_wins(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route routes[] = {
        {"GET", "/items/:id", h_one, NULL, NULL},
        {"GET", "/items/new", h_one, NULL, NULL},
        {"POST", "/items/:id", h_one, NULL, NULL},
    };

    add_ok(fx, HELLO, &routes[0], NULL);
    add_ok(fx, HELLO, &routes[1], NULL);
    add_ok(fx, HELLO, &routes[2], NULL);
    assert_int_equal(match(fx, "GET", HELLO "/items/new"), 0);
    assert_ptr_equal(fx->m.ent->route, &routes[1]);
    assert_int_equal(fx->m.nparams, 0);
    assert_int_equal(match(fx, "GET", HELLO "/items/7"), 0);
    assert_ptr_equal(fx->m.ent->route, &routes[0]);
    assert_string_equal(param(&fx->m, "id"), "7");
    /* a match leaves no Allow list behind */
    assert_int_equal(match(fx, "HEAD", HELLO "/items/7"), 0);
    assert_string_equal(fx->m.allow, "");
}

static void
test_bad_method(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route foo = {"FOO", "/x", h_one, NULL, NULL};
    static const struct kedr_route head = {"HEAD", "/x", h_one, NULL, NULL};
    static const struct kedr_route lower = {"get", "/x", h_one, NULL, NULL};
    static const struct kedr_route none = {NULL, "/x", h_one, NULL, NULL};
    static const struct kedr_route empty = {"", "/x", h_one, NULL, NULL};
    static const struct kedr_route trace = {"TRACE", NULL, h_one, NULL, NULL};

    add_refused(fx, HELLO, &foo, "route \"/x\": unknown method \"FOO\"");
    /* HEAD is implied by GET, never declared */
    add_refused(fx, HELLO, &head, "route \"/x\": unknown method \"HEAD\"");
    add_refused(fx, HELLO, &lower, "route \"/x\": unknown method \"get\"");
    add_refused(fx, HELLO, &none, "route \"/x\": unknown method \"(null)\"");
    add_refused(fx, HELLO, &empty, "route \"/x\": unknown method \"\"");
    add_refused(fx, HELLO, &trace,
                "route \"(null)\": unknown method \"TRACE\"");
}

static void
test_bad_path_or_handler(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route relative = {"GET", "items", h_one, NULL,
                                               NULL};
    static const struct kedr_route nopath = {"GET", NULL, h_one, NULL, NULL};
    static const struct kedr_route nohandler = {"POST", "/x", NULL, NULL, NULL};

    add_refused(fx, HELLO, &relative,
                "route \"GET items\": path must start with '/' and a "
                "handler is required");
    add_refused(fx, HELLO, &nopath,
                "route \"GET (null)\": path must start with '/' and a "
                "handler is required");
    add_refused(fx, HELLO, &nohandler,
                "route \"POST /x\": path must start with '/' and a "
                "handler is required");
}

static void
test_too_many_segments(void **state)
{
    struct fixture *fx = *state;
    /* HELLO is 3 segments: 3 + 13 = KEDR_MAX_SEGMENTS */
    static const struct kedr_route max = {
        "GET", "/4/5/6/7/8/9/10/11/12/13/14/15/:p", h_one, NULL, NULL};
    static const struct kedr_route over = {
        "GET", "/4/5/6/7/8/9/10/11/12/13/14/15/16/17", h_one, NULL, NULL};
    char path[1024];
    size_t len;

    assert_int_equal(KEDR_MAX_SEGMENTS, 16);
    add_ok(fx, HELLO, &max, NULL);
    assert_int_equal(fx->rt.ents[0].nsegs, KEDR_MAX_SEGMENTS);
    add_refused(fx, HELLO, &over,
                "route \"GET "
                "/api/v1/hello/4/5/6/7/8/9/10/11/12/13/14/15/16/17\": empty "
                "segment, bad parameter, or too many segments");

    assert_int_equal(match(fx, "GET", HELLO "/4/5/6/7/8/9/10/11/12/13/14/15/x"),
                     0);
    assert_string_equal(param(&fx->m, "p"), "x");
    /* 17, 18 and 201 segments: not found, no overflow */
    assert_int_equal(
        match(fx, "GET", HELLO "/4/5/6/7/8/9/10/11/12/13/14/15/16/17"),
        KEDR_ENOTFOUND);
    assert_int_equal(
        match(fx, "GET", HELLO "/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18"),
        KEDR_ENOTFOUND);
    len = 0;
    for (int i = 0; i < 200; i++)
        len += (size_t)snprintf(path + len, sizeof(path) - len, "/s");
    assert_int_equal(match(fx, "GET", path), KEDR_ENOTFOUND);
    /* too many segments is 404 even when a later one is badly encoded */
    assert_int_equal(
        match(fx, "GET", HELLO "/4/5/6/7/8/9/10/11/12/13/14/15/16/17/%zz"),
        KEDR_ENOTFOUND);
}

static void
test_exactly_max_segments(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route r = {
        "GET", "/4/5/6/7/8/9/10/11/12/13/14/15/16", h_one, NULL, NULL};
    static const struct kedr_route r17 = {
        "GET", "/4/5/6/7/8/9/10/11/12/13/14/15/16/17", h_one, NULL, NULL};

    add_ok(fx, HELLO, &r, NULL);
    assert_int_equal(fx->rt.ents[0].nsegs, KEDR_MAX_SEGMENTS);
    assert_int_equal(
        match(fx, "GET", HELLO "/4/5/6/7/8/9/10/11/12/13/14/15/16"), 0);
    assert_int_equal(
        match(fx, "GET", HELLO "/4/5/6/7/8/9/10/11/12/13/14/15/16/17"),
        KEDR_ENOTFOUND);
    add_refused(fx, HELLO, &r17,
                "route \"GET "
                "/api/v1/hello/4/5/6/7/8/9/10/11/12/13/14/15/16/17\": empty "
                "segment, bad parameter, or too many segments");
}

static void
test_two_prefixes(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route core[] = {
        {"GET", "/health", h_one, KEDR_PUBLIC, NULL},
        {0},
    };
    static const struct kedr_route hello[] = {
        {"GET", "/health", h_one, NULL, NULL},
        {"GET", "/greeting", h_one, NULL, NULL},
        {0},
    };
    struct kedr_mod mod = {.name = (char *)"hello"};

    add_ok(fx, "/api/v1", &core[0], NULL);
    add_ok(fx, HELLO, &hello[0], &mod);
    add_ok(fx, HELLO, &hello[1], &mod);
    assert_int_equal(fx->rt.n, 3);

    assert_int_equal(match(fx, "GET", "/api/v1/health"), 0);
    assert_ptr_equal(fx->m.ent->route, &core[0]);
    assert_null(fx->m.ent->mod);
    assert_int_equal(match(fx, "GET", HELLO "/health"), 0);
    assert_ptr_equal(fx->m.ent->route, &hello[0]);
    assert_ptr_equal(fx->m.ent->mod, &mod);
    assert_int_equal(match(fx, "GET", HELLO "/greeting"), 0);
    assert_ptr_equal(fx->m.ent->route, &hello[1]);
    assert_int_equal(match(fx, "GET", "/api/v1/greeting"), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "POST", "/api/v1/health"), KEDR_EMETHOD);
    assert_string_equal(fx->m.allow, "GET, HEAD");
}

static void
test_many_routes(void **state)
{
    struct fixture *fx = *state;
    enum { N = 100 };
    static struct kedr_route routes[N];
    static char paths[N][32];

    /* more routes than the first allocation holds */
    for (int i = 0; i < N; i++) {
        snprintf(paths[i], sizeof(paths[i]), "/r%d/:id", i);
        routes[i] = (struct kedr_route){
            .method = "GET", .path = paths[i], .handler = h_one};
        add_ok(fx, HELLO, &routes[i], NULL);
    }
    assert_int_equal(fx->rt.n, N);
    for (int i = 0; i < N; i++) {
        char path[64];

        snprintf(path, sizeof(path), HELLO "/r%d/x%d", i, i);
        assert_int_equal(match(fx, "GET", path), 0);
        assert_ptr_equal(fx->m.ent->route, &routes[i]);
    }
}

/* A route whose whole pattern is "" (prefix "" and path "") is refused
 * (it once made kedr_router_add read past the end of its copy). */
static void
test_empty_pattern_refused(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route r = {"GET", "", h_one, NULL, NULL};

    fx->err[0] = '\0';
    assert_int_equal(
        kedr_router_add(&fx->rt, "", &r, NULL, false, fx->err, sizeof(fx->err)),
        -1);
    assert_int_equal(fx->rt.n, 0);
}

/* "." and ".." (sent as they are or percent-encoded) never reach a
 * parameter: REQUEST_URI is not normalised by nginx. */
static void
test_dot_segments(void **state)
{
    struct fixture *fx = *state;
    static const struct kedr_route r = {"GET", "/greetings/:id", h_one, NULL,
                                        NULL};

    add_ok(fx, HELLO, &r, NULL);
    assert_int_equal(match(fx, "GET", HELLO "/greetings/7"), 0);
    assert_string_equal(param(&fx->m, "id"), "7");
    assert_int_equal(match(fx, "GET", HELLO "/greetings/.."), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", HELLO "/greetings/."), KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", HELLO "/greetings/%2e%2E"),
                     KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", "/api/v1/../v1/hello/greetings/7"),
                     KEDR_ENOTFOUND);
    assert_int_equal(match(fx, "GET", HELLO "/greetings/..."), 0);
    assert_string_equal(param(&fx->m, "id"), "...");
}

#define FX_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_literal),
        FX_TEST(test_empty_route_path),
        FX_TEST(test_param_capture),
        FX_TEST(test_param_decoding),
        FX_TEST(test_several_params),
        FX_TEST(test_max_params),
        FX_TEST(test_404_vs_405),
        FX_TEST(test_405_every_method),
        FX_TEST(test_head_matches_get),
        FX_TEST(test_trailing_slash_and_empty_segments),
        FX_TEST(test_bad_encoding),
        FX_TEST(test_duplicates),
        FX_TEST(test_duplicate_across_prefixes),
        FX_TEST(test_literal_declared_first_wins),
        FX_TEST(test_literal_declared_second_wins),
        FX_TEST(test_bad_method),
        FX_TEST(test_bad_path_or_handler),
        FX_TEST(test_too_many_segments),
        FX_TEST(test_exactly_max_segments),
        FX_TEST(test_two_prefixes),
        FX_TEST(test_many_routes),
        FX_TEST(test_empty_pattern_refused),
        FX_TEST(test_dot_segments),
    };

    kedr_log_level = -1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
