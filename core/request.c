/*
 * request.c -- the request context seen by modules: accessors, arena,
 * responses and the one error shape, config and logging; and the
 * kedr_api table that hands all of it to modules.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core.h"

void
kedr_req_reset(struct kedr_req *r)
{
    struct kedr_arena a = r->arena;

    memset(r, 0, sizeof(*r));
    r->arena = a;
}

static void
json_decref_cb(void *p)
{
    json_decref(p);
}

/* ------------------------------------------------------------------ */
/* accessors                                                           */
/* ------------------------------------------------------------------ */

static const char *
kedr_core_method(kedr_req_t *r)
{
    return r->method;
}

static const char *
kedr_core_path(kedr_req_t *r)
{
    return r->path;
}

static const char *
kedr_core_param(kedr_req_t *r, const char *name)
{
    for (int i = 0; i < r->match.nparams; i++)
        if (strcmp(r->match.names[i], name) == 0)
            return r->match.values[i];
    return NULL;
}

static const char *
env_get(char **envp, const char *name)
{
    size_t n = strlen(name);

    if (envp == NULL)
        return NULL;
    for (; *envp; envp++)
        if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
            return *envp + n + 1;
    return NULL;
}

const char *
kedr_req_env(struct kedr_req *r, const char *name)
{
    return env_get(r->envp, name);
}

int
kedr_req_parse_params(struct kedr_req *r, char **envp)
{
    const char *uri, *q, *rid, *cl;

    r->envp = envp;
    rid = env_get(envp, "REQUEST_ID");
    r->rid = kedr_request_id_valid(rid) ? rid : NULL;
    r->method = env_get(envp, "REQUEST_METHOD");
    if (r->method == NULL || r->method[0] == '\0')
        r->method = "GET";
    uri = env_get(envp, "REQUEST_URI");
    if (uri == NULL)
        uri = env_get(envp, "DOCUMENT_URI");
    if (uri == NULL || uri[0] == '\0')
        uri = "/";
    q = strchr(uri, '?');
    r->path = q ? kedr_arena_strndup(&r->arena, uri, (size_t)(q - uri)) : uri;
    r->readonly =
        strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    r->content_length = 0;
    cl = env_get(envp, "CONTENT_LENGTH");
    if (cl != NULL && *cl != '\0') {
        char *end;

        errno = 0;
        r->content_length = strtoll(cl, &end, 10);
        if (errno != 0 || *end != '\0' || r->content_length < 0 ||
            !isdigit((unsigned char)cl[0])) {
            r->content_length = 0;
            return kedr_req_fail(r, KEDR_EBADREQ, NULL, "bad Content-Length");
        }
    }
    /* the query decodes whole or the request is refused before any
     * handler runs: a parameter silently dropped (dry_run, version) would
     * change what the request does */
    if (kedr_req_query_list(r)->bad != NULL)
        return kedr_req_fail(r, KEDR_EBADREQ, r->query.bad,
                             "bad percent-encoding or invalid UTF-8 in the "
                             "query parameter \"%s\"",
                             r->query.bad);
    return 0;
}

const struct kedr_kvlist *
kedr_req_query_list(struct kedr_req *r)
{
    if (!r->query_parsed) {
        const char *qs = env_get(r->envp, "QUERY_STRING");

        r->query_parsed = true;
        if (qs != NULL)
            (void)kedr_query_parse(&r->arena, qs, strlen(qs), &r->query);
        /* else the list is empty (kedr_req_reset zeroed it) */
    }
    return &r->query;
}

static const char *
kedr_core_query(kedr_req_t *r, const char *name)
{
    return kedr_kv_get(kedr_req_query_list(r), name);
}

static const char *
kedr_core_header(kedr_req_t *r, const char *name)
{
    char key[128];
    size_t i = 0, n = strlen(name);

    if (n + 6 >= sizeof(key))
        return NULL;
    if (strcasecmp(name, "Content-Type") != 0 &&
        strcasecmp(name, "Content-Length") != 0) {
        memcpy(key, "HTTP_", 5);
        i = 5;
    }
    for (size_t j = 0; j < n; j++)
        key[i++] = name[j] == '-' ? '_' : (char)toupper((unsigned char)name[j]);
    key[i] = '\0';
    return env_get(r->envp, key);
}

static json_t *
kedr_core_body(kedr_req_t *r)
{
    return r->body;
}

static const char *
kedr_core_body_raw(kedr_req_t *r, size_t *len)
{
    if (len != NULL)
        *len = r->body_len;
    return r->body_raw;
}

static const char *
kedr_core_request_id(kedr_req_t *r)
{
    return r->rid;
}

static int64_t
kedr_core_user_id(kedr_req_t *r)
{
    return r->user_id;
}

static bool
kedr_core_has_permission(kedr_req_t *r, const char *perm)
{
    return kedr_auth_has(r, perm);
}

static const char *
kedr_core_user_login(kedr_req_t *r)
{
    return r->user_id != 0 ? r->login : NULL;
}

static const char *
kedr_core_user_locale(kedr_req_t *r)
{
    return r->locale != NULL && r->locale[0] != '\0' ? r->locale : "ru";
}

static int64_t
kedr_core_counterparty_id(kedr_req_t *r)
{
    return r->counterparty_id;
}

/* ------------------------------------------------------------------ */
/* arena                                                               */
/* ------------------------------------------------------------------ */

static void *
kedr_core_alloc(kedr_req_t *r, size_t size)
{
    return kedr_arena_alloc(&r->arena, size);
}

static char *
kedr_core_strdup(kedr_req_t *r, const char *s)
{
    return kedr_arena_strdup(&r->arena, s ? s : "");
}

static char *
kedr_core_vsprintf(kedr_req_t *r, const char *fmt, va_list ap)
{
    return kedr_arena_vsprintf(&r->arena, fmt, ap);
}

static void
kedr_core_on_cleanup(kedr_req_t *r, void (*fn)(void *), void *arg)
{
    kedr_arena_on_cleanup(&r->arena, fn, arg);
}

/* ------------------------------------------------------------------ */
/* responses and errors                                                */
/* ------------------------------------------------------------------ */

static int
kedr_core_reply_raw(kedr_req_t *r, int status, const char *content_type,
                    const char *data, size_t len)
{
    char *copy = kedr_arena_alloc(&r->arena, len + 1);

    memcpy(copy, data, len);
    copy[len] = '\0';
    r->status = status;
    r->content_type = kedr_arena_strdup(&r->arena, content_type);
    r->out = copy;
    r->outlen = len;
    return 0;
}

static int
kedr_core_reply_json(kedr_req_t *r, int status, json_t *body)
{
    char *s;

    if (body == NULL)
        return kedr_req_fail(r, KEDR_EINTERNAL, NULL, "internal error");
    s = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(body);
    if (s == NULL)
        kedr_oom();
    kedr_arena_on_cleanup(&r->arena, free, s);
    r->status = status;
    r->content_type = "application/json";
    r->out = s;
    r->outlen = strlen(s);
    return 0;
}

static void
kedr_core_set_header(kedr_req_t *r, const char *name, const char *value)
{
    if (r->nhdrs == (int)(sizeof(r->hdrs) / sizeof(r->hdrs[0]))) {
        kedr_warn("too many response headers, \"%s\" dropped", name);
        return;
    }
    /* header injection: no CR/LF in names or values */
    if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL) {
        kedr_warn("response header \"%s\" refused: bad characters", name);
        return;
    }
    r->hdrs[r->nhdrs].name = kedr_arena_strdup(&r->arena, name);
    r->hdrs[r->nhdrs].value = kedr_arena_strdup(&r->arena, value);
    r->nhdrs++;
}

static void
kedr_core_field_error(kedr_req_t *r, const char *field, const char *msg)
{
    if (r->err_fields == NULL) {
        r->err_fields = json_object();
        kedr_arena_on_cleanup(&r->arena, json_decref_cb, r->err_fields);
    }
    if (json_object_get(r->err_fields, field) == NULL)
        json_object_set_new(r->err_fields, field, json_string(msg));
}

static int
kedr_core_vfail(kedr_req_t *r, int code, const char *field, const char *fmt,
                va_list ap)
{
    if (code >= 0)
        code = KEDR_EINTERNAL;
    r->err_code = code;
    r->err_msg = kedr_arena_vsprintf(&r->arena, fmt, ap);
    if (field != NULL)
        kedr_core_field_error(r, field, r->err_msg);
    return code;
}

int
kedr_req_fail(struct kedr_req *r, int code, const char *field, const char *fmt,
              ...)
{
    va_list ap;

    va_start(ap, fmt);
    code = kedr_core_vfail(r, code, field, fmt, ap);
    va_end(ap);
    return code;
}

void
kedr_req_error_response(struct kedr_req *r, int code)
{
    json_t *err, *doc;

    if (r->err_code != 0)
        code = r->err_code;
    if (code >= 0)
        code = KEDR_EINTERNAL;
    r->unsized = false;
    r->status = kedr_error_status(code);
    err = json_object();
    json_object_set_new(err, "code", json_string(kedr_error_name(code)));
    json_object_set_new(err, "message",
                        json_string(r->err_msg && r->err_msg[0]
                                        ? r->err_msg
                                        : kedr_status_text(r->status)));
    if (r->err_fields != NULL)
        json_object_set(err, "fields", r->err_fields);
    doc = json_object();
    json_object_set_new(doc, "error", err);
    {
        /* headers of a failed handler do not apply, but for those that
         * explain the error */
        int n = 0;

        for (int i = 0; i < r->nhdrs; i++)
            if (strcasecmp(r->hdrs[i].name, "Retry-After") == 0 ||
                strcasecmp(r->hdrs[i].name, "WWW-Authenticate") == 0)
                r->hdrs[n++] = r->hdrs[i];
        r->nhdrs = n;
    }
    (void)kedr_core_reply_json(r, r->status, doc);
}

void
kedr_req_render_head(struct kedr_req *r, struct kedr_buf *b)
{
    kedr_buf_addf(b, "Status: %d %s\r\n", r->status,
                  kedr_status_text(r->status));
    if (r->content_type != NULL)
        kedr_buf_addf(b, "Content-Type: %s%s\r\n", r->content_type,
                      strcmp(r->content_type, "application/json") == 0
                          ? "; charset=utf-8"
                          : "");
    if (!r->unsized)
        kedr_buf_addf(b, "Content-Length: %zu\r\n", r->outlen);
    kedr_buf_addf(b, "X-Request-Id: %s\r\n", r->rid);
    kedr_buf_adds(b, "Cache-Control: no-store\r\n");
    if (r->status == 405 && r->match.allow[0])
        kedr_buf_addf(b, "Allow: %s\r\n", r->match.allow);
    for (int i = 0; i < r->nhdrs; i++)
        kedr_buf_addf(b, "%s: %s\r\n", r->hdrs[i].name, r->hdrs[i].value);
    kedr_buf_adds(b, "\r\n");
}

/* ------------------------------------------------------------------ */
/* config and logging                                                  */
/* ------------------------------------------------------------------ */

static const char *const setting_type_names[] = {
    [KEDR_SETTING_STRING] = "a string",
    [KEDR_SETTING_INT] = "an integer",
    [KEDR_SETTING_BOOL] = "a boolean",
    [KEDR_SETTING_LIST] = "a list",
};

/*
 * The declaration of `key` when the module declares its settings (NULL
 * when it does not: the old rules, `def` for absent).  A module that
 * declares them may read only what it declared, with its type: anything
 * else is a bug in the module, logged, and sets *undeclared.
 */
static const struct kedr_setting *
api_conf_decl(kedr_env_t *env, const char *key, enum kedr_setting_type type,
              bool *undeclared)
{
    const struct kedr_setting *decl = kedr_module_config(env->mod->desc);
    const struct kedr_setting *d;

    *undeclared = false;
    if (decl == NULL)
        return NULL;
    d = kedr_setting_find(decl, key);
    if (d == NULL || d->type != type) {
        kedr_error("module \"%s\" reads setting \"%s\", which it does not "
                   "declare as %s",
                   env->mod->name, key, setting_type_names[type]);
        *undeclared = true;
    }
    return d;
}

static const char *
kedr_core_conf_string(kedr_env_t *env, const char *key, const char *def)
{
    config_setting_t *g = kedr_conf_group(env->conf, env->mod->name);
    bool undeclared;
    const struct kedr_setting *d =
        api_conf_decl(env, key, KEDR_SETTING_STRING, &undeclared);
    const char *v;

    if (undeclared)
        return def;
    if (g != NULL && config_setting_lookup_string(g, key, &v) == CONFIG_TRUE)
        return v;
    if (d != NULL)
        return d->def != NULL ? d->def : "";
    return def;
}

static long long
kedr_core_conf_int(kedr_env_t *env, const char *key, long long def)
{
    config_setting_t *g = kedr_conf_group(env->conf, env->mod->name);
    bool undeclared;
    const struct kedr_setting *d =
        api_conf_decl(env, key, KEDR_SETTING_INT, &undeclared);
    long long v;

    if (undeclared)
        return def;
    if (g != NULL && config_setting_lookup_int64(g, key, &v) == CONFIG_TRUE)
        return v;
    if (g != NULL) {
        int i;

        if (config_setting_lookup_int(g, key, &i) == CONFIG_TRUE)
            return i;
    }
    if (d != NULL && kedr_setting_int(d->def, &v)) /* checked at load */
        return v;
    return def;
}

static bool
kedr_core_conf_bool(kedr_env_t *env, const char *key, bool def)
{
    config_setting_t *g = kedr_conf_group(env->conf, env->mod->name);
    bool undeclared;
    const struct kedr_setting *d =
        api_conf_decl(env, key, KEDR_SETTING_BOOL, &undeclared);
    int v;

    if (undeclared)
        return def;
    if (g != NULL && config_setting_lookup_bool(g, key, &v) == CONFIG_TRUE)
        return v != 0;
    if (d != NULL)
        return kedr_setting_bool(d->def) == 1;
    return def;
}

/* A declared list: its strings in an array the module's record owns until
 * the modules are released. */
static const char *const *
kedr_core_conf_list(kedr_env_t *env, const char *key)
{
    config_setting_t *g = kedr_conf_group(env->conf, env->mod->name);
    config_setting_t *s = g != NULL ? config_setting_get_member(g, key) : NULL;
    bool undeclared;
    const struct kedr_setting *d =
        api_conf_decl(env, key, KEDR_SETTING_LIST, &undeclared);
    int n = s != NULL ? config_setting_length(s) : 0;
    const char **v;
    struct kedr_mod *m = env->mod;

    if (undeclared || d == NULL)
        return NULL;
    v = kedr_xcalloc((size_t)n + 1, sizeof(*v));
    for (int i = 0; i < n; i++)
        v[i] = config_setting_get_string_elem(s, i);
    m->owned = kedr_xrealloc(m->owned, (m->nowned + 1) * sizeof(*m->owned));
    m->owned[m->nowned++] = (void *)v;
    return v;
}

static void
kedr_core_vlog(kedr_req_t *r, int level, const char *fmt, va_list ap)
{
    kedr_log_vwrite(level, r && r->mod ? r->mod->name : kedr_log_module, fmt,
                    ap);
}

static void
kedr_core_env_log(kedr_env_t *env, int level, const char *msg)
{
    kedr_log_write(level, "module \"%s\": %s", env->mod->name, msg);
}

__attribute__((noreturn)) static void
kedr_core_out_of_memory(kedr_req_t *r)
{
    kedr_arena_fail(&r->arena);
}

static int
kedr_core_emit(kedr_req_t *r, const char *event, json_t *payload)
{
    return kedr_server_emit(r, event, payload);
}

/* The table's checks that lib/ implements: lib is a library of its own
 * (the migration and the fuzz targets link it without the server), so the
 * table's names for them are these one-line calls. */
static bool
kedr_core_value_valid(int type, const char *text)
{
    return kedr_value_check(type, text);
}

static const char *
kedr_core_inn_problem(const char *inn)
{
    return kedr_ru_inn_problem(inn);
}

static const char *
kedr_core_kpp_problem(const char *kpp)
{
    return kedr_ru_kpp_problem(kpp);
}

static const char *
kedr_core_ogrn_problem(const char *ogrn)
{
    return kedr_ru_ogrn_problem(ogrn);
}

static bool
kedr_core_phone_e164(const char *in, char *out, size_t outsz)
{
    return kedr_ru_phone_e164(in, out, outsz);
}

static bool
kedr_core_email_valid(const char *s)
{
    return kedr_value_email_valid(s);
}

const struct kedr_api kedr_core_api = {
    .size = sizeof(struct kedr_api),
    .method = kedr_core_method,
    .path = kedr_core_path,
    .param = kedr_core_param,
    .query = kedr_core_query,
    .header = kedr_core_header,
    .body = kedr_core_body,
    .body_raw = kedr_core_body_raw,
    .request_id = kedr_core_request_id,
    .user_id = kedr_core_user_id,
    .has_permission = kedr_core_has_permission,
    .alloc = kedr_core_alloc,
    .strdup = kedr_core_strdup,
    .vsprintf = kedr_core_vsprintf,
    .on_cleanup = kedr_core_on_cleanup,
    .reply_json = kedr_core_reply_json,
    .reply_raw = kedr_core_reply_raw,
    .set_header = kedr_core_set_header,
    .vfail = kedr_core_vfail,
    .field_error = kedr_core_field_error,
    .db_query = kedr_core_db_query,
    .db_exec = kedr_core_db_exec,
    .db_json = kedr_core_db_json,
    .reply_db_json = kedr_core_reply_db_json,
    .db_copy_begin = kedr_core_db_copy_begin,
    .db_copy_put = kedr_core_db_copy_put,
    .db_copy_end = kedr_core_db_copy_end,
    .db_sqlstate = kedr_core_db_sqlstate,
    .rows_count = kedr_core_rows_count,
    .rows_get = kedr_core_rows_get,
    .rows_isnull = kedr_core_rows_isnull,
    .emit = kedr_core_emit,
    .conf_string = kedr_core_conf_string,
    .conf_int = kedr_core_conf_int,
    .conf_bool = kedr_core_conf_bool,
    .vlog = kedr_core_vlog,
    .env_log = kedr_core_env_log,
    .user_login = kedr_core_user_login,
    .user_locale = kedr_core_user_locale,
    .counterparty_id = kedr_core_counterparty_id,
    .audit = kedr_core_audit,
    .value_valid = kedr_core_value_valid,
    .out_of_memory = kedr_core_out_of_memory,
    .attrs_check = kedr_core_attrs_check,
    .attrs_filter = kedr_core_attrs_filter,
    .export = kedr_core_export,
    .import_csv = kedr_core_import_csv,
    .inn_problem = kedr_core_inn_problem,
    .kpp_problem = kedr_core_kpp_problem,
    .ogrn_problem = kedr_core_ogrn_problem,
    .phone_e164 = kedr_core_phone_e164,
    .email_valid = kedr_core_email_valid,
    .migration_table = kedr_core_migration_table,
    .migration_dry_run = kedr_core_migration_dry_run,
    .migration_count = kedr_core_migration_count,
    .migration_reject = kedr_core_migration_reject,
    .conf_list = kedr_core_conf_list,
    .migration_map_put = kedr_core_migration_map_put,
    /* ABI 1.5: what the built-in modules needed (builtin.c, auth.c) */
    .entity_name = kedr_core_entity_name,
    .entity_readable = kedr_core_entity_readable,
    .entity_check_query = kedr_core_entity_check_query,
    .query_decode = kedr_core_query_decode,
    .modules = kedr_core_modules,
    .permissions = kedr_core_permissions,
    .field_errors = kedr_core_field_errors,
    .caller_id = kedr_core_caller_id,
    .password_problem = kedr_core_password_problem,
    .hash_password = kedr_core_hash_password,
    .secret_new = kedr_core_secret_new,
};
