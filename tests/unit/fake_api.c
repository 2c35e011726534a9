/*
 * fake_api.c -- the fake kedr_api of fake_api.h: each member records what
 * the module asked for in the context and answers what the test put
 * there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_api.h"

static char *
fake_xstrdup(const char *s)
{
    char *p = strdup(s != NULL ? s : "");

    if (p == NULL)
        abort();
    return p;
}

static const char *
fake_lookup(const char *(*pairs)[2], const char *name)
{
    for (int i = 0; i < FAKE_MAX && pairs[i][0] != NULL; i++)
        if (strcmp(pairs[i][0], name) == 0)
            return pairs[i][1];
    return NULL;
}

static const char *
fake_param(kedr_req_t *r, const char *name)
{
    return fake_lookup(r->param, name);
}

static const char *
fake_query(kedr_req_t *r, const char *name)
{
    return fake_lookup(r->query, name);
}

static json_t *
fake_body(kedr_req_t *r)
{
    return r->body;
}

static int64_t
fake_user_id(kedr_req_t *r)
{
    return r->user_id;
}

static void *
fake_alloc(kedr_req_t *r, size_t size)
{
    void *p = malloc(size != 0 ? size : 1);

    if (p == NULL || r->nallocs == 256)
        abort();
    r->allocs[r->nallocs++] = p;
    return p;
}

static char *
fake_strdup(kedr_req_t *r, const char *s)
{
    size_t n = strlen(s != NULL ? s : "") + 1;

    return memcpy(fake_alloc(r, n), s != NULL ? s : "", n);
}

static char *
fake_vsprintf(kedr_req_t *r, const char *fmt, va_list ap)
{
    char *s = NULL;

    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    if (r->nallocs == 256)
        abort();
    r->allocs[r->nallocs++] = s;
    return s;
}

static void
fake_on_cleanup(kedr_req_t *r, void (*fn)(void *), void *arg)
{
    if (r->ncleanups == FAKE_MAX)
        abort();
    r->cleanup_fn[r->ncleanups] = fn;
    r->cleanup_arg[r->ncleanups++] = arg;
}

static int
fake_reply_raw(kedr_req_t *r, int status, const char *content_type,
               const char *data, size_t len)
{
    (void)content_type;
    free(r->reply);
    r->reply = strndup(data, len);
    r->status = status;
    return 0;
}

static int
fake_reply_json(kedr_req_t *r, int status, json_t *body)
{
    free(r->reply);
    r->reply = json_dumps(body, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(body);
    r->status = status;
    return 0;
}

static int
fake_vfail(kedr_req_t *r, int code, const char *field, const char *fmt,
           va_list ap)
{
    r->error_code = code;
    vsnprintf(r->error, sizeof(r->error), fmt, ap);
    if (field != NULL)
        json_object_set_new(r->fields, field, json_string(r->error));
    return code;
}

static void
fake_field_error(kedr_req_t *r, const char *field, const char *msg)
{
    json_object_set_new(r->fields, field, json_string(msg));
}

static void
fake_record(kedr_req_t *r, const char *sql, int nparams,
            const char *const *params)
{
    struct fake_stmt *s;

    if (r->nstmts == FAKE_MAX || nparams > FAKE_MAX)
        abort();
    s = &r->stmts[r->nstmts++];
    s->sql = fake_xstrdup(sql);
    s->nparams = nparams;
    for (int i = 0; i < nparams; i++)
        s->params[i] = params[i] != NULL ? fake_xstrdup(params[i]) : NULL;
}

static int
fake_db_exec(kedr_req_t *r, const char *sql, int nparams,
             const char *const *params)
{
    fake_record(r, sql, nparams, params);
    return r->db_rc;
}

static int
fake_db_json(kedr_req_t *r, const char *sql, int nparams,
             const char *const *params, const char **out)
{
    fake_record(r, sql, nparams, params);
    *out = r->db_rc == 0 ? r->db_json : NULL;
    return r->db_rc;
}

static int
fake_reply_db_json(kedr_req_t *r, int status, const char *sql, int nparams,
                   const char *const *params)
{
    fake_record(r, sql, nparams, params);
    if (r->db_rc != 0)
        return r->db_rc;
    return fake_reply_raw(r, status, "application/json", r->db_json,
                          strlen(r->db_json));
}

static int
fake_emit(kedr_req_t *r, const char *event, json_t *payload)
{
    json_array_append_new(
        r->events, json_pack("{s:s, s:O}", "event", event, "payload", payload));
    return 0;
}

static const char *
fake_conf_string(kedr_env_t *env, const char *key, const char *def)
{
    const char *v = fake_lookup(env->settings, key);

    return v != NULL ? v : def;
}

static void
fake_vlog(kedr_req_t *r, int level, const char *fmt, va_list ap)
{
    (void)r;
    (void)level;
    (void)fmt;
    (void)ap;
}

static int
fake_audit(kedr_req_t *r, const char *entity, const char *entity_id,
           const char *action, json_t *old, json_t *new_)
{
    (void)old;
    json_array_append_new(r->audit, json_pack("{s:s, s:s, s:s, s:O?}", "entity",
                                              entity, "id", entity_id, "action",
                                              action, "new", new_));
    return 0;
}

static const char *
fake_user_locale(kedr_req_t *r)
{
    (void)r;
    return "ru";
}

static void
fake_oom(kedr_req_t *r)
{
    (void)r;
    abort();
}

static const struct kedr_api fake_api = {
    .size = sizeof(struct kedr_api),
    .param = fake_param,
    .query = fake_query,
    .body = fake_body,
    .user_id = fake_user_id,
    .alloc = fake_alloc,
    .strdup = fake_strdup,
    .vsprintf = fake_vsprintf,
    .on_cleanup = fake_on_cleanup,
    .reply_json = fake_reply_json,
    .reply_raw = fake_reply_raw,
    .vfail = fake_vfail,
    .field_error = fake_field_error,
    .db_exec = fake_db_exec,
    .db_json = fake_db_json,
    .reply_db_json = fake_reply_db_json,
    .emit = fake_emit,
    .conf_string = fake_conf_string,
    .vlog = fake_vlog,
    .user_locale = fake_user_locale,
    .audit = fake_audit,
    .out_of_memory = fake_oom,
};

void
fake_api_install(void)
{
    kedr_api = &fake_api;
}

void
fake_req_init(struct kedr_req *r)
{
    memset(r, 0, sizeof(*r));
    r->db_json = "{}";
    r->fields = json_object();
    r->audit = json_array();
    r->events = json_array();
}

void
fake_req_release(struct kedr_req *r)
{
    while (r->ncleanups > 0) {
        r->ncleanups--;
        r->cleanup_fn[r->ncleanups](r->cleanup_arg[r->ncleanups]);
    }
    for (int i = 0; i < r->nallocs; i++)
        free(r->allocs[i]);
    for (int i = 0; i < r->nstmts; i++) {
        free(r->stmts[i].sql);
        for (int j = 0; j < r->stmts[i].nparams; j++)
            free(r->stmts[i].params[j]);
    }
    free(r->reply);
    json_decref(r->fields);
    json_decref(r->audit);
    json_decref(r->events);
    memset(r, 0, sizeof(*r));
}
