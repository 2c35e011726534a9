/*
 * fcgi_params.c -- fuzz a request's FastCGI params as core/server.c takes
 * them: kedr_req_parse_params (core/request.c), then what reads params
 * later: the route match of the path, the query string (kedr_query via
 * the API table), headers, the Cookie header, and the response head with
 * the request id echoed and header values set from outside input (one
 * of a kind an error response keeps).
 *
 * Input: NUL-separated "KEY=VALUE" strings (at most FUZZ_MAX_PARAMS; any
 * bytes, so also strings without '=').  Each request is run twice on the
 * same arena, cleared in between, as a worker serves requests: both runs
 * must agree.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define FUZZ_MAX_PARAMS 64
/* The longest header name kedr_header takes (121 bytes: "HTTP_" + name +
 * NUL fill its 128-byte key but one). */
#define FUZZ_X10 "xxxxxxxxxx"
#define FUZZ_LONGEST_NAME                                                      \
    "X-Long" FUZZ_X10 FUZZ_X10 FUZZ_X10 FUZZ_X10 FUZZ_X10 FUZZ_X10 FUZZ_X10    \
        FUZZ_X10 FUZZ_X10 FUZZ_X10 FUZZ_X10 "xxxxx"

/* Names a module might ask for; the first are the ones nginx sends. */
static const char *const fuzz_headers[] = {
    "Content-Type",    "Content-Length", "Cookie",          "X-Request-Id",
    "Accept-Language", "If-None-Match",  FUZZ_LONGEST_NAME, NULL};

static const char *const fuzz_query_keys[] = {"q",    "page", "limit",
                                              "sort", "",     NULL};

/* One request; returns a digest of what it decided, to compare runs. */
static unsigned long
fuzz_request(struct kedr_req *r, char **envp)
{
    struct kedr_kvlist cookies;
    struct kedr_buf head;
    const char *s;
    unsigned long digest;
    int rc;

    kedr_req_reset(r);
    rc = kedr_req_parse_params(r, envp);
    FUZZ_CHECK(rc == 0 || rc == KEDR_EBADREQ);
    FUZZ_CHECK(r->method != NULL && r->path != NULL);
    FUZZ_CHECK(r->content_length >= 0);
    FUZZ_CHECK(r->rid == NULL || kedr_request_id_valid(r->rid));
    if (r->rid == NULL)
        r->rid = "fuzz-request-0001"; /* server.c makes one up */
    if (rc == 0) {
        rc = kedr_router_match(fuzz_router(), &r->arena, r->method, r->path,
                               &r->match);
        if (rc == KEDR_ENOTFOUND)
            kedr_req_fail(r, rc, NULL, "no such route");
        else if (rc == KEDR_EMETHOD)
            kedr_req_fail(r, rc, NULL, "method not allowed here");
        else if (rc == KEDR_EBADREQ)
            kedr_req_fail(r, rc, NULL,
                          "bad percent-encoding or invalid UTF-8 in the path");
    }
    digest = (unsigned long)-rc * 31u + (unsigned long)r->content_length;
    for (const char *const *k = fuzz_query_keys; *k != NULL; k++)
        if ((s = kedr_core_api.query(r, *k)) != NULL)
            digest = digest * 31u + strlen(s);
    for (const char *const *h = fuzz_headers; *h != NULL; h++)
        if ((s = kedr_core_api.header(r, *h)) != NULL) {
            digest = digest * 31u + strlen(s);
            /* a handler echoing a header: CR/LF must never get through */
            kedr_core_api.set_header(r, "X-Echo", s);
        }
    s = kedr_req_env(r, "HTTP_COOKIE");
    if (s != NULL) {
        kedr_cookie_parse(&r->arena, s, strlen(s), &cookies);
        digest = digest * 31u + cookies.n;
        /* a header an error response keeps, with a value from outside */
        if (cookies.n > 0)
            kedr_core_api.set_header(r, "Retry-After", cookies.items[0].value);
    }
    if (rc != 0)
        kedr_req_error_response(r, rc);
    else
        kedr_core_api.reply_raw(r, 200, "text/plain", "ok", 2);
    kedr_buf_init(&head, &r->arena);
    kedr_req_render_head(r, &head);
    fuzz_check_head(head.data, head.len);
    return digest * 31u + (unsigned long)r->status;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf, *envp[FUZZ_MAX_PARAMS + 1];
    size_t n = 0, i = 0;
    struct kedr_req r;
    unsigned long first;

    fuzz_quiet();
    buf = fuzz_strndup(data, size);
    while (i < size && n < FUZZ_MAX_PARAMS) {
        envp[n++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    envp[n] = NULL;
    memset(&r, 0, sizeof(r));
    kedr_arena_init(&r.arena);
    first = fuzz_request(&r, envp);
    kedr_arena_clear(&r.arena);
    FUZZ_CHECK(fuzz_request(&r, envp) == first);
    kedr_arena_release(&r.arena);
    free(buf);
    return 0;
}
