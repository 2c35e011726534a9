/*
 * server.c -- what a serving process holds (modules, router, hooks) and
 * the request lifecycle:
 *   read params and body (size-limited) -> match route (404/405) ->
 *   authenticate -> permission -> parse and validate JSON (400/422) ->
 *   handler (transaction opened by its first query) -> hooks ->
 *   commit or roll back -> response -> access log line.
 * From the route match to the commit the request arena has a recovery
 * point: an allocation that fails in there unwinds to it (arena.c), the
 * transaction rolls back and the answer is 500 "out of memory".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "core.h"

struct kedr_server kedr_srv;
struct kedr_slot *kedr_my_slot;

/* ------------------------------------------------------------------ */
/* setup                                                               */
/* ------------------------------------------------------------------ */

static int
server_add_routes(const char *prefix, const struct kedr_route *routes,
                  struct kedr_mod *mod, bool portal)
{
    char err[512];

    for (const struct kedr_route *rt = routes; rt && rt->method; rt++)
        if (kedr_router_add(&kedr_srv.router, prefix, rt, mod, portal, err,
                            sizeof(err)) != 0) {
            kedr_error("module \"%s\": %s", mod ? mod->name : "core", err);
            return -1;
        }
    return 0;
}

int
kedr_server_setup(struct kedr_conf *conf, bool worker)
{
    struct kedr_modset *set = &kedr_srv.mods;

    kedr_api = &kedr_core_api; /* the core's own routes use kedr.h too */
    if (kedr_auth_init() != 0)
        return -1;
    kedr_srv.conf = conf;
    kedr_router_init(&kedr_srv.router);
    if (kedr_modules_load(set, conf) != 0 ||
        kedr_modules_load_builtin(&kedr_srv.builtins, conf,
                                  kedr_builtin_modules) != 0)
        return -1;
    if (server_add_routes("/api/v1", kedr_core_routes, NULL, false) != 0 ||
        server_add_routes("/api/v1", kedr_auth_routes, NULL, false) != 0 ||
        server_add_routes("/api/v1", kedr_session_routes, NULL, true) != 0 ||
        server_add_routes("/api/v1", kedr_jobs_routes, NULL, false) != 0 ||
        server_add_routes("/api/v1", kedr_kit_routes, NULL, false) != 0 ||
        server_add_routes("/api/v1", kedr_search_routes, NULL, false) != 0)
        return -1;
    /* the built-in modules answer under /api/v1 itself, as the core's own
     * routes (no module of theirs on the request: logs, jobs and the
     * module list stay the core's) */
    for (size_t i = 0; i < kedr_srv.builtins.norder; i++) {
        const struct kedr_mod *m = kedr_srv.builtins.order[i];

        if (server_add_routes("/api/v1", m->desc->routes, NULL, false) != 0 ||
            server_add_routes("/api/v1", kedr_module_portal_routes(m->desc),
                              NULL, true) != 0)
            return -1;
    }
    for (size_t i = 0; i < set->norder; i++) {
        struct kedr_mod *m = set->order[i];
        char prefix[96];

        snprintf(prefix, sizeof(prefix), "/api/v1/%s", m->name);
        if (server_add_routes(prefix, m->desc->routes, m, false) != 0 ||
            server_add_routes(prefix, kedr_module_portal_routes(m->desc), m,
                              true) != 0 ||
            kedr_kit_add(&kedr_srv.router, m) != 0)
            return -1;
        for (const struct kedr_hook *h = m->desc->hooks; h && h->event; h++) {
            if (h->fn == NULL) {
                kedr_error("module \"%s\": hook \"%s\" has no function",
                           m->name, h->event);
                return -1;
            }
            kedr_srv.hooks =
                kedr_xrealloc(kedr_srv.hooks,
                              (kedr_srv.nhooks + 1) * sizeof(*kedr_srv.hooks));
            kedr_srv.hooks[kedr_srv.nhooks].hook = h;
            kedr_srv.hooks[kedr_srv.nhooks].mod = m;
            kedr_srv.nhooks++;
        }
    }
    if (kedr_kit_resolve() != 0 || kedr_modules_init(&kedr_srv.builtins) != 0 ||
        kedr_modules_init(set) != 0)
        return -1;
    if (worker && (kedr_modules_worker_init(&kedr_srv.builtins) != 0 ||
                   kedr_modules_worker_init(set) != 0))
        return -1;
    return 0;
}

void
kedr_server_teardown(void)
{
    kedr_modules_fini(&kedr_srv.mods);
    kedr_modules_fini(&kedr_srv.builtins);
    kedr_router_release(&kedr_srv.router);
    kedr_kit_release();
    kedr_modules_release(&kedr_srv.mods);
    kedr_modules_release(&kedr_srv.builtins);
    free(kedr_srv.hooks);
    kedr_srv.hooks = NULL;
    kedr_srv.nhooks = 0;
}

/* ------------------------------------------------------------------ */
/* events                                                              */
/* ------------------------------------------------------------------ */

bool
kedr_server_has_hook(const char *event)
{
    for (size_t i = 0; i < kedr_srv.nhooks; i++)
        if (strcmp(kedr_srv.hooks[i].hook->event, event) == 0)
            return true;
    return false;
}

int
kedr_server_emit(struct kedr_req *r, const char *event, json_t *payload)
{
    struct kedr_mod *saved = r->mod;
    int rc = 0;

    for (size_t i = 0; i < kedr_srv.nhooks && rc == 0; i++) {
        const struct kedr_hook_ent *h = &kedr_srv.hooks[i];

        if (strcmp(h->hook->event, event) != 0)
            continue;
        r->mod = h->mod;
        kedr_log_module = h->mod->name;
        rc = h->hook->fn(r, event, payload);
        if (rc != 0) {
            if (rc > 0)
                rc = KEDR_EINTERNAL;
            if (r->err_code == 0)
                kedr_req_fail(r, rc, NULL, "hook \"%s\" of \"%s\" failed",
                              event, h->mod->name);
            kedr_warn("hook for \"%s\" failed (%d)", event, rc);
        }
    }
    r->mod = saved;
    kedr_log_module = saved ? saved->name : NULL;
    return rc;
}

/* ------------------------------------------------------------------ */
/* the request                                                         */
/* ------------------------------------------------------------------ */

static const char *
new_request_id(struct kedr_req *r)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char raw[16];
    char *hex = kedr_arena_alloc(&r->arena, 33);

    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
        static unsigned long seq;

        snprintf((char *)raw, sizeof(raw), "%08lx", ++seq);
    }
    /* every request: a table, not 16 snprintf calls */
    for (int i = 0; i < 16; i++) {
        hex[2 * i] = digits[raw[i] >> 4];
        hex[2 * i + 1] = digits[raw[i] & 15];
    }
    hex[32] = '\0';
    return hex;
}

/* Read the body (CONTENT_LENGTH bytes).  0, or a code with the error. */
static int
read_body(struct kedr_req *r, FCGX_Request *fr)
{
    long long len = r->content_length;
    char *buf;
    int got;

    if (len == 0)
        return 0;
    if (len > kedr_srv.conf->max_body) {
        char sink[8192];

        /* drain what nginx sends so the kept connection stays in step */
        while (FCGX_GetStr(sink, sizeof(sink), fr->in) > 0)
            ;
        return kedr_req_fail(r, KEDR_ETOOLARGE, NULL,
                             "request body is larger than %lld bytes",
                             kedr_srv.conf->max_body);
    }
    buf = kedr_arena_alloc(&r->arena, (size_t)len + 1);
    got = FCGX_GetStr(buf, (int)len, fr->in);
    if (got != (int)len)
        return kedr_req_fail(r, KEDR_EBADREQ, NULL, "request body truncated");
    buf[len] = '\0';
    r->body_raw = buf;
    r->body_len = (size_t)len;
    return 0;
}

static bool
is_json_type(const char *ct)
{
    return ct != NULL && strncasecmp(ct, "application/json", 16) == 0 &&
           (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ');
}

static void
body_free(void *p)
{
    json_decref(p);
}

/* Parse and validate the JSON body.  0, or a code with the error. */
static int
parse_body(struct kedr_req *r, const struct kedr_route *route)
{
    const char *ct = kedr_req_env(r, "CONTENT_TYPE");
    struct kedr_json_bounds bounds;
    json_error_t jerr;
    json_t *fields;
    int nbad;

    if (r->body_raw == NULL) {
        if (route->input != NULL)
            return kedr_req_fail(r, KEDR_EBADREQ, NULL,
                                 "a JSON body is required");
        return 0;
    }
    if (!is_json_type(ct)) {
        if (route->input != NULL)
            return kedr_req_fail(r, KEDR_EBADREQ, NULL,
                                 "expected Content-Type: application/json");
        return 0; /* a raw body (file upload): kedr_body_raw */
    }
    r->body =
        json_loadb(r->body_raw, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (r->body == NULL)
        return kedr_req_fail(r, KEDR_EBADREQ, NULL,
                             "malformed JSON at line %d column %d: %s",
                             jerr.line, jerr.column, jerr.text);
    kedr_arena_on_cleanup(&r->arena, body_free, r->body);
    /* the arena owns it: field_error below may allocate, and a failure
     * there unwinds past this function */
    fields = json_object();
    kedr_arena_on_cleanup(&r->arena, body_free, fields);
    /* bounded before any handler walks it: no list, object or nesting so
     * large that its handling holds the worker */
    bounds.max_depth = kedr_srv.conf->json_max_depth;
    bounds.max_items = (size_t)kedr_srv.conf->json_max_items;
    bounds.max_keys = (size_t)kedr_srv.conf->json_max_keys;
    bounds.spec = route->input;
    nbad = kedr_json_bounds_check(r->body, &bounds, fields);
    if (nbad < 0)
        return kedr_req_fail(r, KEDR_EBADREQ, NULL,
                             "JSON nested deeper than %d levels",
                             bounds.max_depth);
    if (nbad == 0 && route->input != NULL)
        nbad = kedr_input_validate(route->input, r->body, fields);
    if (nbad > 0) {
        const char *k;
        json_t *v;

        json_object_foreach (fields, k, v)
            kedr_api->field_error(r, k, json_string_value(v));
        return kedr_req_fail(r, KEDR_EINVAL, NULL, "invalid input");
    }
    return 0;
}

int
kedr_req_stream_begin(struct kedr_req *r, int status, const char *content_type)
{
    struct kedr_buf head;

    if (r->fcgx == NULL || r->streamed)
        return kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                             "no client to stream the response to");
    kedr_buf_init(&head, &r->arena);
    r->status = status;
    r->content_type = kedr_arena_strdup(&r->arena, content_type);
    r->unsized = true;
    kedr_req_render_head(r, &head);
    /* nothing sent before this point: an error up to here still has the
     * one error shape (kedr_req_error_response clears `unsized`) */
    r->streamed = true;
    if (FCGX_PutStr(head.data, (int)head.len, r->fcgx->out) != (int)head.len)
        return kedr_req_fail(r, KEDR_EINTERNAL, NULL, "the client went away");
    return 0;
}

int
kedr_req_stream_put(struct kedr_req *r, const void *data, size_t len)
{
    if (!r->streamed)
        return kedr_req_fail(r, KEDR_EINTERNAL, NULL, "stream not started");
    if (strcmp(r->method, "HEAD") == 0)
        return 0;
    while (len > 0) {
        int chunk = len > (1u << 20) ? (1 << 20) : (int)len;

        if (FCGX_PutStr(data, chunk, r->fcgx->out) != chunk)
            return kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                                 "the client went away");
        data = (const char *)data + chunk;
        len -= (size_t)chunk;
    }
    return 0;
}

/*
 * A streamed response failed after its head went out: the status cannot
 * change, so the error is logged and the transfer cut, never ended like a
 * complete file.  A closed connection alone is not enough: with
 * fastcgi_keep_conn off nginx takes the close for the end of the
 * response.  So what was written is flushed, then a FastCGI record header
 * of protocol version 0 follows, which nginx refuses ("unsupported
 * FastCGI protocol version"): it aborts the client's transfer (no final
 * chunk), and the connection is shut.
 */
static void
stream_cut(struct kedr_req *r, FCGX_Request *fr, int rc)
{
    static const unsigned char bad_record[8] = {0};

    kedr_error("streamed response failed after it started (%s: %s): "
               "stream cut",
               kedr_error_name(rc), r->err_msg ? r->err_msg : "");
    FCGX_FFlush(fr->out);
    if (fr->ipcFd >= 0) {
        if (write(fr->ipcFd, bad_record, sizeof(bad_record)) < 0)
            kedr_debug("stream cut: %s", strerror(errno));
        shutdown(fr->ipcFd, SHUT_RDWR);
    }
}

static void
write_response(struct kedr_req *r, FCGX_Request *fr)
{
    struct kedr_buf head;

    if (r->streamed)
        return; /* head and body went out already */
    kedr_buf_init(&head, &r->arena);
    if (r->status == 0) {
        r->status = 204;
        r->outlen = 0;
    }
    kedr_req_render_head(r, &head);
    FCGX_PutStr(head.data, (int)head.len, fr->out);
    if (r->outlen > 0 && strcmp(r->method, "HEAD") != 0)
        FCGX_PutStr(r->out, (int)r->outlen, fr->out);
}

/* ------------------------------------------------------------------ */
/* fault injection (test builds: -DKEDR_FAULT; see core.h)             */
/* ------------------------------------------------------------------ */

#ifdef KEDR_FAULT
struct kedr_fault kedr_fault;

static unsigned long
fault_header(struct kedr_req *r, const char *param)
{
    const char *v = kedr_req_env(r, param);

    return v != NULL ? strtoul(v, NULL, 10) : 0;
}

/* Read this request's plan from its headers and reset the counts. */
static void
server_fault_arm(struct kedr_req *r)
{
    kedr_fault.alloc_at = fault_header(r, "HTTP_X_KEDR_FAULT_ALLOC");
    kedr_fault.db_at = fault_header(r, "HTTP_X_KEDR_FAULT_DB");
    kedr_fault.nalloc = 0;
    kedr_fault.ndb = 0;
}

/* Tell the test how many failure points the request went through. */
static void
server_fault_report(struct kedr_req *r)
{
    char v[64];

    snprintf(v, sizeof(v), "alloc=%lu db=%lu pid=%d", kedr_fault.nalloc,
             kedr_fault.ndb, (int)getpid());
    kedr_fault.alloc_at = kedr_fault.db_at = 0;
    kedr_api->set_header(r, "X-Kedr-Fault-Count", v);
}
#else
static void
server_fault_arm(struct kedr_req *r)
{
    (void)r;
}

static void
server_fault_report(struct kedr_req *r)
{
    (void)r;
}
#endif

/* From the route match to the commit: 0 or a code with the error. */
static int
server_route(struct kedr_req *r)
{
    const struct kedr_route *route = NULL;
    int rc;

    rc = kedr_router_match(&kedr_srv.router, &r->arena, r->method, r->path,
                           &r->match);
    if (rc == KEDR_ENOTFOUND)
        kedr_req_fail(r, rc, NULL, "no such route");
    else if (rc == KEDR_EMETHOD)
        kedr_req_fail(r, rc, NULL, "method not allowed here");
    else if (rc == KEDR_EBADREQ)
        kedr_req_fail(r, rc, NULL,
                      "bad percent-encoding or invalid UTF-8 in the path");
    if (rc == 0) {
        route = r->match.ent->route;
        r->mod = r->match.ent->mod;
        if (kedr_my_slot != NULL) {
            /* what the master names if it must kill this request */
            snprintf(kedr_my_slot->rid, sizeof(kedr_my_slot->rid), "%s",
                     r->rid);
            snprintf(kedr_my_slot->route, sizeof(kedr_my_slot->route), "%s %s",
                     r->method, r->match.ent->pattern);
        }
        /* a read's identity statement sets session-level settings: it
         * and the handler's first statement may go without BEGIN (db.c) */
        r->db_lazy = r->readonly && !r->in_tx && r->job_id == 0;
        rc = kedr_auth_check(r, r->match.ent);
    }
    if (rc == 0)
        rc = parse_body(r, route);
    if (rc == 0) {
        kedr_log_module = r->mod ? r->mod->name : NULL;
        rc = route->handler(r);
        if (rc > 0)
            rc = KEDR_EINTERNAL;
        if (rc == 0 && r->status >= 400)
            rc = 1; /* a handler may answer an error itself: roll back */
    }
    if (rc == 0) {
        rc = kedr_db_finish(r, true);
    } else if (r->commit_on_error) {
        /* a core handler that keeps its writes on an error answer */
        int crc = kedr_db_finish(r, true);

        if (crc < 0)
            rc = crc;
    } else {
        (void)kedr_db_finish(r, false);
    }
    return rc;
}

/* An allocation failed under server_route: whatever ran (a hook, the
 * commit) is abandoned; roll back and fail in the one shape.  The arena's
 * cleanups release the rest when the request ends. */
static int
server_unwound(struct kedr_req *r)
{
    r->mod = r->match.ent != NULL ? r->match.ent->mod : NULL;
    kedr_log_module = r->mod ? r->mod->name : NULL;
    kedr_error("out of memory: request rolled back");
    (void)kedr_db_finish(r, false);
    r->err_code = KEDR_EINTERNAL;
    r->err_msg = "out of memory";
    r->err_fields = NULL; /* its cleanup still frees it */
    return KEDR_EINTERNAL;
}

/* server_route under the request arena's recovery point. */
static int
server_route_protected(struct kedr_req *r)
{
    sigjmp_buf recover;
    int rc;

    if (sigsetjmp(recover, 0) != 0)
        return server_unwound(r);
    r->arena.recover = &recover;
    rc = server_route(r);
    r->arena.recover = NULL;
    return rc;
}

int
kedr_server_replay(struct kedr_req *r)
{
    int rc = server_route_protected(r);

    kedr_log_write(
        KEDR_LOG_INFO, "access %s %s %d %.3fms user=%lld route=\"%s\" (job)",
        r->method, r->path, rc < 0 ? kedr_error_status(rc) : r->status,
        (double)(kedr_now_us() - r->start_us) / 1000.0, (long long)r->user_id,
        r->match.ent ? r->match.ent->pattern : "-");
    return rc;
}

void
kedr_server_handle(struct kedr_req *r, FCGX_Request *fr)
{
    int rc;

    kedr_req_reset(r);
    r->start_us = kedr_now_us();
    rc = kedr_req_parse_params(r, fr->envp);
    if (r->rid == NULL)
        r->rid = new_request_id(r);
    kedr_log_rid = r->rid;
    server_fault_arm(r);
    if (rc == 0)
        rc = read_body(r, fr);
    r->fcgx = fr;
    if (rc == 0)
        rc = server_route_protected(r);
    if (rc < 0 && r->streamed)
        stream_cut(r, fr, rc);
    else if (rc < 0)
        kedr_req_error_response(r, rc);
    server_fault_report(r);
    write_response(r, fr);
    kedr_auth_after(r);
    if (kedr_srv.conf->access_log)
        kedr_log_write(
            KEDR_LOG_INFO, "access %s %s %d %.3fms user=%lld route=\"%s\"",
            r->method, r->path, r->status,
            (double)(kedr_now_us() - r->start_us) / 1000.0,
            (long long)r->user_id, r->match.ent ? r->match.ent->pattern : "-");
    kedr_log_module = NULL;
}

/* A job and its commit under a recovery point, as a request: out of
 * memory rolls the job back (it runs again at its next interval) instead
 * of aborting the jobs worker. */
static int
server_job_protected(struct kedr_req *r, const struct kedr_job *job)
{
    sigjmp_buf recover;
    int rc;

    if (sigsetjmp(recover, 0) != 0) {
        kedr_error("out of memory: job rolled back");
        (void)kedr_db_finish(r, false);
        r->err_msg = "out of memory";
        return KEDR_EINTERNAL;
    }
    r->arena.recover = &recover;
    rc = job->fn(r);
    if (rc > 0)
        rc = KEDR_EINTERNAL;
    if (rc == 0)
        rc = kedr_db_finish(r, true);
    else
        (void)kedr_db_finish(r, false);
    r->arena.recover = NULL;
    return rc;
}

int
kedr_server_run_job(struct kedr_req *r, struct kedr_mod *mod,
                    const struct kedr_job *job)
{
    int rc;

    kedr_req_reset(r);
    r->start_us = kedr_now_us();
    r->rid = new_request_id(r);
    r->method = "JOB";
    r->path = job->name;
    r->mod = mod;
    kedr_log_rid = r->rid;
    kedr_log_module = mod->name;
    rc = server_job_protected(r, job);
    if (rc != 0)
        kedr_warn("job \"%s\" failed: %s", job->name,
                  r->err_msg ? r->err_msg : kedr_error_name(rc));
    else
        kedr_debug("job \"%s\" done in %.3fms", job->name,
                   (double)(kedr_now_us() - r->start_us) / 1000.0);
    kedr_log_module = NULL;
    kedr_log_rid = NULL;
    kedr_arena_clear(&r->arena);
    return rc;
}

/* ------------------------------------------------------------------ */
/* the core's own routes                                               */
/* ------------------------------------------------------------------ */

static int
core_health(kedr_req_t *r)
{
    bool db = kedr_db_ping();
    json_t *mods = json_array(), *doc;

    for (size_t i = 0; i < kedr_srv.mods.norder; i++) {
        const struct kedr_mod *m = kedr_srv.mods.order[i];

        json_array_append_new(mods, json_pack("{s:s, s:s}", "name", m->name,
                                              "version", m->desc->version));
    }
    doc = json_pack("{s:s, s:s, s:s, s:o}", "status", db ? "ok" : "degraded",
                    "db", db ? "ok" : "down", "version", KEDR_VERSION,
                    "modules", mods);
    return kedr_reply_json(r, db ? 200 : 503, doc);
}

const struct kedr_route kedr_core_routes[] = {
    {.method = "GET",
     .path = "/health",
     .handler = core_health,
     .permission = KEDR_PUBLIC},
    {0},
};
