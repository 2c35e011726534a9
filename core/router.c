/*
 * router.c -- route table and matching.  A pattern is split into
 * segments once at load; a request path is split, each segment
 * percent-decoded (so "%2F" inside a parameter never splits it), and
 * compared segment by segment.  A path that matches under another method
 * answers 405 with the methods in `allow`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static const char *const router_methods[] = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", NULL};

void
kedr_router_init(struct kedr_router *rt)
{
    rt->ents = NULL;
    rt->n = 0;
    rt->cap = 0;
}

void
kedr_router_release(struct kedr_router *rt)
{
    for (size_t i = 0; i < rt->n; i++) {
        free(rt->ents[i].pattern);
        free(rt->ents[i].segbuf);
    }
    free(rt->ents);
    kedr_router_init(rt);
}

static bool
method_known(const char *m)
{
    for (const char *const *p = router_methods; *p; p++)
        if (strcmp(*p, m) == 0)
            return true;
    return false;
}

int
kedr_router_add(struct kedr_router *rt, const char *prefix,
                const struct kedr_route *route, struct kedr_mod *mod,
                bool portal, char *err, size_t errlen)
{
    struct kedr_route_ent e;
    char *p;
    int nparams = 0;

    if (route->method == NULL || !method_known(route->method) ||
        strcmp(route->method, "HEAD") == 0) {
        snprintf(err, errlen, "route \"%s\": unknown method \"%s\"",
                 route->path ? route->path : "(null)",
                 route->method ? route->method : "(null)");
        return -1;
    }
    if (route->path == NULL || route->handler == NULL ||
        (route->path[0] != '/' && route->path[0] != '\0')) {
        snprintf(err, errlen,
                 "route \"%s %s\": path must start with '/' and a handler "
                 "is required",
                 route->method, route->path ? route->path : "(null)");
        return -1;
    }
    memset(&e, 0, sizeof(e));
    e.method = route->method;
    e.route = route;
    e.mod = mod;
    e.portal = portal;
    e.pattern = kedr_xmalloc(strlen(prefix) + strlen(route->path) + 1);
    strcpy(e.pattern, prefix);
    strcat(e.pattern, route->path);
    e.segbuf = kedr_xstrdup(e.pattern);
    if (e.pattern[0] != '/') {
        snprintf(err, errlen, "route \"%s %s\": the path must start with '/'",
                 route->method, e.pattern);
        goto fail;
    }
    for (p = e.segbuf; p != NULL;) {
        char *start = p + 1, *next = strchr(start, '/');

        if (next != NULL)
            *next = '\0';
        if (*start == '\0' || e.nsegs == KEDR_MAX_SEGMENTS ||
            (start[0] == ':' &&
             (start[1] == '\0' || ++nparams > KEDR_MAX_PARAMS))) {
            snprintf(err, errlen,
                     "route \"%s %s\": empty segment, bad parameter, or "
                     "too many segments",
                     route->method, e.pattern);
            goto fail;
        }
        e.segs[e.nsegs++] = start;
        p = next;
    }
    for (size_t i = 0; i < rt->n; i++) {
        const struct kedr_route_ent *o = &rt->ents[i];
        bool same = o->nsegs == e.nsegs && strcmp(o->method, e.method) == 0;

        for (int j = 0; same && j < e.nsegs; j++) {
            bool op = o->segs[j][0] == ':', ep = e.segs[j][0] == ':';

            same = (op && ep) ||
                   (!op && !ep && strcmp(o->segs[j], e.segs[j]) == 0);
        }
        if (same) {
            snprintf(err, errlen, "route \"%s %s\" is declared twice",
                     route->method, e.pattern);
            goto fail;
        }
    }
    if (rt->n == rt->cap) {
        rt->cap = rt->cap ? rt->cap * 2 : 32;
        rt->ents = kedr_xrealloc(rt->ents, rt->cap * sizeof(*rt->ents));
    }
    rt->ents[rt->n++] = e;
    return 0;

fail:
    free(e.segbuf);
    free(e.pattern);
    return -1;
}

/* Whether a route's pattern fits the decoded segments. */
static bool
route_fits(const struct kedr_route_ent *e, char *const *segs, int nsegs)
{
    if (e->nsegs != nsegs)
        return false;
    for (int j = 0; j < nsegs; j++) {
        if (e->segs[j][0] == ':') {
            if (segs[j][0] == '\0')
                return false;
        } else if (strcmp(e->segs[j], segs[j]) != 0) {
            return false;
        }
    }
    return true;
}

/* Whether `a` beats `b` for the same path: the first segment where one
 * is literal and the other a parameter decides ("/items/new" wins over
 * "/items/:id" whatever the declaration order). */
static bool
more_specific(const struct kedr_route_ent *a, const struct kedr_route_ent *b)
{
    for (int j = 0; j < a->nsegs; j++) {
        bool ap = a->segs[j][0] == ':', bp = b->segs[j][0] == ':';

        if (ap != bp)
            return bp;
    }
    return false;
}

int
kedr_router_match(const struct kedr_router *rt, struct kedr_arena *a,
                  const char *method, const char *path, struct kedr_match *m)
{
    char *segs[KEDR_MAX_SEGMENTS];
    int nsegs = 0;
    const char *p = path;
    const struct kedr_route_ent *best = NULL;
    bool path_seen = false;
    size_t allow_len = 0;

    memset(m, 0, sizeof(*m));
    if (*p != '/')
        return KEDR_ENOTFOUND;
    while (*p == '/') {
        const char *start = ++p;

        while (*p && *p != '/')
            p++;
        if (nsegs == KEDR_MAX_SEGMENTS)
            return KEDR_ENOTFOUND;
        segs[nsegs] = kedr_pct_decode(a, start, (size_t)(p - start), false);
        if (segs[nsegs] == NULL)
            return KEDR_EBADREQ;
        /* a dot segment is never a route's literal, and never a value a
         * parameter may take (REQUEST_URI arrives as the client sent it) */
        if (strcmp(segs[nsegs], ".") == 0 || strcmp(segs[nsegs], "..") == 0)
            return KEDR_ENOTFOUND;
        nsegs++;
    }
    if (strcmp(method, "HEAD") == 0)
        method = "GET";
    for (size_t i = 0; i < rt->n; i++) {
        const struct kedr_route_ent *e = &rt->ents[i];

        if (!route_fits(e, segs, nsegs))
            continue;
        if (strcmp(e->method, method) == 0) {
            if (best == NULL || more_specific(e, best))
                best = e;
            continue;
        }
        path_seen = true;
        if (strstr(m->allow, e->method) == NULL &&
            allow_len + strlen(e->method) + 8 < sizeof(m->allow)) {
            allow_len += (size_t)snprintf(m->allow + allow_len,
                                          sizeof(m->allow) - allow_len, "%s%s",
                                          allow_len ? ", " : "", e->method);
            if (strcmp(e->method, "GET") == 0)
                allow_len +=
                    (size_t)snprintf(m->allow + allow_len,
                                     sizeof(m->allow) - allow_len, ", HEAD");
        }
    }
    if (best != NULL) {
        m->allow[0] = '\0';
        m->ent = best;
        for (int j = 0; j < nsegs; j++)
            if (best->segs[j][0] == ':') {
                m->names[m->nparams] = best->segs[j] + 1;
                m->values[m->nparams] = segs[j];
                m->nparams++;
            }
        return 0;
    }
    m->nparams = 0;
    return path_seen ? KEDR_EMETHOD : KEDR_ENOTFOUND;
}
