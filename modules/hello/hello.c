/*
 * hello -- the example module.  Copy this folder to start a module:
 * a public route without database work, a route that lets PostgreSQL
 * build the JSON, a validated write that emits an event, a hook on that
 * event, a permission, a menu entry, a migration, and an API test.
 */
#include <string.h>

#include <kedr.h>

static const char *hello_greeting;

/* GET /api/v1/hello/greeting -- the configured greeting, no database. */
static int
hello_get_greeting(kedr_req_t *r)
{
    return kedr_reply_json(r, 200,
                           json_pack("{s:s}", "greeting", hello_greeting));
}

static const char hello_list_sql[] =
    "SELECT coalesce(json_agg(json_build_object('id', id, 'lang', lang, "
    "'text', text, 'version', version, 'created_at', created_at) "
    "ORDER BY id), '[]')::text "
    "FROM hello.greeting";

/* GET /api/v1/hello/greetings -- every stored greeting. */
static int
hello_list(kedr_req_t *r)
{
    return kedr_reply_db_json(r, 200, hello_list_sql, 0, NULL);
}

static const char hello_one_sql[] =
    "SELECT json_build_object('id', id, 'lang', lang, 'text', text, "
    "'version', version, 'created_at', created_at)::text "
    "FROM hello.greeting WHERE id = $1";

/* GET /api/v1/hello/greetings/:id -- one greeting by its key. */
static int
hello_get(kedr_req_t *r)
{
    const char *id = kedr_param(r, "id");

    for (const char *p = id; *p; p++)
        if (*p < '0' || *p > '9' || p - id > 17)
            return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such greeting");
    return kedr_reply_db_json(r, 200, hello_one_sql, KEDR_PARAMS(id));
}

static const struct kedr_field hello_create_input[] = {
    {.name = "lang", .type = KEDR_T_STRING, .flags = KEDR_REQUIRED, .max = 2},
    {.name = "text",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 200},
    {0},
};

static const char hello_insert_sql[] =
    "INSERT INTO hello.greeting (lang, text) VALUES ($1, $2) "
    "RETURNING json_build_object('id', id, 'lang', lang, 'text', text, "
    "'version', version, 'created_at', created_at)::text";

/* POST /api/v1/hello/greetings -- store a greeting; emits
 * hello.greeting.created inside the same transaction. */
static int
hello_create(kedr_req_t *r)
{
    json_t *body = kedr_body(r);
    const char *lang = json_string_value(json_object_get(body, "lang"));
    const char *text = json_string_value(json_object_get(body, "text"));
    const char *row;
    json_t *event;
    int rc;

    rc = kedr_db_json(r, hello_insert_sql, KEDR_PARAMS(lang, text), &row);
    if (rc != 0)
        return rc;
    event = kedr_json_own(r, json_loads(row, 0, NULL));
    /* every business write goes into the audit trail, in this transaction */
    rc = kedr_audit(r, "hello.greeting",
                    kedr_sprintf(r, "%lld",
                                 (long long)json_integer_value(
                                     json_object_get(event, "id"))),
                    "created", NULL, event);
    if (rc != 0)
        return rc;
    rc = kedr_emit(r, "hello.greeting.created", event);
    if (rc != 0)
        return rc;
    return kedr_reply_raw(r, 201, "application/json", row, strlen(row));
}

static const char hello_count_sql[] =
    "INSERT INTO hello.stat (lang, created) VALUES ($1, 1) "
    "ON CONFLICT (lang) DO UPDATE SET created = hello.stat.created + 1";

/* Hook: count greetings per language. */
static int
hello_on_created(kedr_req_t *r, const char *event, json_t *payload)
{
    const char *lang = json_string_value(json_object_get(payload, "lang"));

    (void)event;
    if (lang == NULL)
        return kedr_fail(r, KEDR_EINTERNAL, NULL, "event without a lang");
    return kedr_db_exec(r, hello_count_sql, KEDR_PARAMS(lang)) < 0 ? KEDR_EDB
                                                                   : 0;
}

static int
hello_init(kedr_env_t *env)
{
    hello_greeting = kedr_conf_string(env, "greeting", NULL);
    return 0;
}

static const struct kedr_route hello_routes[] = {
    {.method = "GET",
     .path = "/greeting",
     .handler = hello_get_greeting,
     .permission = KEDR_PUBLIC},
    {.method = "GET",
     .path = "/greetings",
     .handler = hello_list,
     .permission = KEDR_PUBLIC},
    {.method = "GET",
     .path = "/greetings/:id",
     .handler = hello_get,
     .permission = KEDR_PUBLIC},
    {.method = "POST",
     .path = "/greetings",
     .handler = hello_create,
     .permission = "hello.write",
     .input = hello_create_input},
    {0},
};

static const struct kedr_permission hello_permissions[] = {
    {.name = "hello.write",
     .label_ru = "Добавлять приветствия",
     .label_en = "Add greetings"},
    {0},
};

static const struct kedr_hook hello_hooks[] = {
    {.event = "hello.greeting.created", .fn = hello_on_created},
    {0},
};

static const struct kedr_ui hello_ui[] = {
    {.path = "/hello", .label_ru = "Привет", .label_en = "Hello"},
    {0},
};

/* hello's settings: its group in kedr.conf, checked by the core. */
static const struct kedr_setting hello_config[] = {
    {.name = "greeting",
     .type = KEDR_SETTING_STRING,
     .def = "Привет",
     .doc = "what GET /api/v1/hello/greeting answers"},
    {0},
};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,     .name = "hello",
    .config = hello_config, .version = "1.0.0",
    .routes = hello_routes, .permissions = hello_permissions,
    .hooks = hello_hooks,   .ui = hello_ui,
    .init = hello_init,
};
