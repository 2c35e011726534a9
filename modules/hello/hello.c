/*
 * hello -- the example module.  Copy this folder to start a module:
 * an entity the core serves from its declaration (list, get, create,
 * update with version, delete, export, metadata), a check of its own
 * (validate), a public route without database work, a hook on the
 * entity's event, a permission, a menu entry, a migration, an API test.
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

/* Before every write of a greeting: the language is two small Latin
 * letters (the table's CHECK says so too; this names the field). */
static int
hello_validate(kedr_req_t *r, json_t *in, json_t *old)
{
    const char *lang = json_string_value(json_object_get(in, "lang"));

    (void)old;
    if (lang != NULL &&
        (strlen(lang) != 2 || strspn(lang, "abcdefghijklmnopqrstuvwxyz") != 2))
        return kedr_fail(r, KEDR_EINVAL, "lang", "must be two letters, a-z");
    return 0;
}

static const struct kedr_entity_hooks hello_greeting_hooks = {
    .validate = hello_validate,
};

static const struct kedr_entity_col hello_greeting_cols[] = {
    {.name = "lang",
     .type = KEDR_T_STRING,
     .label_ru = "Язык",
     .label_en = "Language",
     .flags = KEDR_REQUIRED | KEDR_COL_FILTER | KEDR_COL_SORT | KEDR_COL_EXPORT,
     .max = 2},
    {.name = "text",
     .type = KEDR_T_STRING,
     .label_ru = "Текст",
     .label_en = "Text",
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY | KEDR_COL_SORT | KEDR_COL_SEARCH |
              KEDR_COL_EXPORT,
     .max = 200},
    /* shown (the calendar page places greetings by it), set on create */
    {.name = "created_at",
     .type = KEDR_T_STRING,
     .label_ru = "Создано",
     .label_en = "Created",
     .flags = KEDR_COL_READONLY | KEDR_COL_SORT,
     .def = "now()"},
    {0},
};

/* /api/v1/hello/greetings[/:id]: everyone reads, hello.write writes. */
static const struct kedr_entity hello_entities[] = {
    {.name = "greeting",
     .path = "/greetings",
     .table = "hello.greeting",
     .label_ru = "Приветствия",
     .label_en = "Greetings",
     .cols = hello_greeting_cols,
     .perm_read = KEDR_PUBLIC,
     .perm_write = "hello.write",
     .perm_delete = "hello.write",
     .hooks = &hello_greeting_hooks,
     .ui = "/hello"},
    {0},
};

static const char hello_count_sql[] =
    "INSERT INTO hello.stat (lang, created) VALUES ($1, 1) "
    "ON CONFLICT (lang) DO UPDATE SET created = hello.stat.created + 1";

/* Hook on the event the core emits for each created greeting: count
 * greetings per language, in the same transaction. */
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
    KEDR_MODULE_HEADER,         .name = "hello",
    .config = hello_config,     .version = "1.0.0",
    .routes = hello_routes,     .permissions = hello_permissions,
    .hooks = hello_hooks,       .ui = hello_ui,
    .entities = hello_entities, .init = hello_init,
};
