/*
 * attrs.c -- the built-in module that administers extra attributes:
 * GET/POST /api/v1/attributes, PATCH /api/v1/attributes/:id, the
 * core.attribute_def rows (fields an administrator defines for a
 * module's records without a schema change).  Checking and filtering
 * the values is the core's (core/attrs.c: kedr_attrs_check,
 * kedr_attrs_filter), which every module calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kedr.h>

/* ------------------------------------------------------------------ */
/* administration                                                      */
/* ------------------------------------------------------------------ */

#define ATTR_JSON                                                              \
    "json_build_object('id', a.id, 'entity', a.entity, 'name', a.name, "       \
    "'type', a.type, 'label_ru', a.label_ru, 'label_en', a.label_en, "         \
    "'required', a.required, 'options', a.options, 'sort', a.sort, "           \
    "'active', a.active, 'created_at', a.created_at, 'updated_at', "           \
    "a.updated_at, 'version', a.version)"

static const char attrs_list_sql[] =
    "SELECT coalesce(json_agg(" ATTR_JSON " ORDER BY a.entity, a.sort, "
    "a.name), '[]')::text FROM core.attribute_def a "
    "WHERE ($1::text IS NULL OR a.entity = $1) AND ($2 OR a.active)";

/* GET /attributes?entity=&all=true: the definitions (active ones unless
 * all=true), for forms, filters and the administration screen. */
static int
attrs_list(kedr_req_t *r)
{
    const char *entity = kedr_query(r, "entity");
    const char *all = kedr_query(r, "all");

    if (entity != NULL && *entity == '\0')
        entity = NULL;
    return kedr_reply_db_json(
        r, 200, attrs_list_sql,
        KEDR_PARAMS(entity,
                    all && strcmp(all, "true") == 0 ? "true" : "false"));
}

/* Whether the entity belongs to an enabled module. */
static bool
attrs_entity_known(kedr_req_t *r, const char *entity)
{
    const char *dot = strchr(entity, '.');
    json_t *m;
    size_t i;

    if (dot == NULL)
        return false;
    json_array_foreach (kedr_modules(r), i, m) {
        const char *name = json_string_value(json_object_get(m, "name"));
        const char *state = json_string_value(json_object_get(m, "state"));

        if (strcmp(state, "enabled") == 0 &&
            strlen(name) == (size_t)(dot - entity) &&
            strncmp(name, entity, (size_t)(dot - entity)) == 0)
            return true;
    }
    return false;
}

/* Whether `name` is [a-z][a-z0-9_]*, at most 48 characters (a module's
 * names' rule, which an attribute's follows). */
static bool
attrs_name_valid(const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;

    return n > 0 && n <= 48 && name[0] >= 'a' && name[0] <= 'z' &&
           strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* Check "options" of a list attribute: [{value, label_ru, label_en}]. */
static void
attrs_check_options(kedr_req_t *r, const char *type, json_t *options)
{
    json_t *o;
    size_t i;

    if (options == NULL || json_is_null(options)) {
        if (type != NULL && strcmp(type, "list") == 0)
            kedr_field_error(r, "options", "a list needs its values");
        return;
    }
    if (!json_is_array(options) || (type != NULL && strcmp(type, "list") == 0 &&
                                    json_array_size(options) == 0)) {
        kedr_field_error(r, "options", "must be a list of values");
        return;
    }
    json_array_foreach (options, i, o) {
        const char *v = json_string_value(json_object_get(o, "value"));

        if (v == NULL || *v == '\0' ||
            json_string_value(json_object_get(o, "label_ru")) == NULL) {
            kedr_field_error(r, kedr_sprintf(r, "options[%zu]", i),
                             "needs a value and a label_ru");
            return;
        }
    }
}

static const char attrs_insert_sql[] =
    "INSERT INTO core.attribute_def AS a (entity, name, type, label_ru, "
    "label_en, "
    "required, options, sort, created_by) VALUES ($1, $2, $3, $4, "
    "coalesce($5, ''), coalesce($6::boolean, false), coalesce($7::jsonb, "
    "'[]'), coalesce($8::int, 0), nullif($9, '0')::bigint) "
    "ON CONFLICT (entity, name) DO NOTHING "
    "RETURNING " ATTR_JSON "::text";

static const char *
attrs_bool(json_t *v)
{
    return v == NULL || json_is_null(v) ? NULL
                                        : (json_is_true(v) ? "true" : "false");
}

static const char *
attrs_int(kedr_req_t *r, json_t *v)
{
    return json_is_integer(v)
               ? kedr_sprintf(r, "%lld", (long long)json_integer_value(v))
               : NULL;
}

/* POST /attributes {entity, name, type, label_ru, label_en, required,
 * options, sort} */
static int
attrs_create(kedr_req_t *r)
{
    json_t *b = kedr_body(r);
    const char *entity = json_string_value(json_object_get(b, "entity"));
    const char *name = json_string_value(json_object_get(b, "name"));
    const char *type = json_string_value(json_object_get(b, "type"));
    json_t *options = json_object_get(b, "options"), *created;
    const char *row;
    int rc;

    if (!attrs_entity_known(r, entity))
        kedr_field_error(r, "entity", "is not an entity of an enabled module");
    if (!attrs_name_valid(name))
        kedr_field_error(r, "name", "must be [a-z][a-z0-9_]*");
    if (strcmp(type, "text") != 0 && strcmp(type, "number") != 0 &&
        strcmp(type, "date") != 0 && strcmp(type, "boolean") != 0 &&
        strcmp(type, "list") != 0)
        kedr_field_error(r, "type",
                         "must be text, number, date, boolean or list");
    attrs_check_options(r, type, options);
    if (kedr_field_errors(r) > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    rc = kedr_db_json(
        r, attrs_insert_sql,
        KEDR_PARAMS(entity, name, type,
                    json_string_value(json_object_get(b, "label_ru")),
                    json_string_value(json_object_get(b, "label_en")),
                    attrs_bool(json_object_get(b, "required")),
                    options && !json_is_null(options)
                        ? kedr_json_text(r, options)
                        : NULL,
                    attrs_int(r, json_object_get(b, "sort")),
                    kedr_sprintf(r, "%lld", (long long)kedr_user_id(r))),
        &row);
    if (rc != 0)
        return rc;
    if (row == NULL)
        return kedr_fail(r, KEDR_ECONFLICT, "name",
                         "this entity already has an attribute \"%s\"", name);
    created = kedr_json_parse(r, row);
    rc = kedr_audit(r, "core.attribute_def",
                    kedr_sprintf(r, "%lld",
                                 (long long)json_integer_value(
                                     json_object_get(created, "id"))),
                    "created", NULL, created);
    if (rc != 0)
        return rc;
    return kedr_reply_raw(r, 201, "application/json", row, strlen(row));
}

static const char attrs_one_sql[] =
    "SELECT " ATTR_JSON "::text FROM core.attribute_def a WHERE a.id = $1 "
    "FOR UPDATE";
static const char attrs_update_sql[] =
    "UPDATE core.attribute_def a SET label_ru = coalesce($3, label_ru), "
    "label_en = coalesce($4, label_en), required = coalesce($5::boolean, "
    "required), options = coalesce($6::jsonb, options), sort = "
    "coalesce($7::int, sort), active = coalesce($8::boolean, active), "
    "updated_at = now(), version = version + 1 "
    "WHERE a.id = $1 AND a.version = $2::int RETURNING " ATTR_JSON "::text";

/* PATCH /attributes/:id {version, label_ru, label_en, required, options,
 * sort, active}: entity, name and type never change. */
static int
attrs_update(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    json_t *b = kedr_body(r), *old, *options = json_object_get(b, "options");
    const char *before, *row;
    int rc;

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such attribute");
    rc = kedr_db_json(r, attrs_one_sql, KEDR_PARAMS(id), &before);
    if (rc != 0)
        return rc;
    if (before == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such attribute");
    old = kedr_json_parse(r, before);
    if (options != NULL && !json_is_null(options))
        attrs_check_options(r, json_string_value(json_object_get(old, "type")),
                            options);
    if (kedr_field_errors(r) > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    rc = kedr_db_json(
        r, attrs_update_sql,
        KEDR_PARAMS(id, attrs_int(r, json_object_get(b, "version")),
                    json_string_value(json_object_get(b, "label_ru")),
                    json_string_value(json_object_get(b, "label_en")),
                    attrs_bool(json_object_get(b, "required")),
                    options && !json_is_null(options)
                        ? kedr_json_text(r, options)
                        : NULL,
                    attrs_int(r, json_object_get(b, "sort")),
                    attrs_bool(json_object_get(b, "active"))),
        &row);
    if (rc != 0)
        return rc;
    if (row == NULL)
        return kedr_fail(r, KEDR_ECONFLICT, "version",
                         "the attribute was changed meanwhile: reload it");
    rc = kedr_audit(r, "core.attribute_def", id, "updated", old,
                    kedr_json_parse(r, row));
    if (rc != 0)
        return rc;
    return kedr_reply_raw(r, 200, "application/json", row, strlen(row));
}

static const struct kedr_field attrs_create_input[] = {
    {.name = "entity",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED,
     .max = 100},
    {.name = "name", .type = KEDR_T_STRING, .flags = KEDR_REQUIRED, .max = 48},
    {.name = "type", .type = KEDR_T_STRING, .flags = KEDR_REQUIRED, .max = 16},
    {.name = "label_ru",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 200},
    {.name = "label_en", .type = KEDR_T_STRING, .max = 200},
    {.name = "required", .type = KEDR_T_BOOL},
    {.name = "options", .type = KEDR_T_ARRAY, .max = 500},
    {.name = "sort", .type = KEDR_T_INT, .min = -100000, .max = 100000},
    {0},
};

static const struct kedr_field attrs_update_input[] = {
    {.name = "version",
     .type = KEDR_T_INT,
     .flags = KEDR_REQUIRED,
     .min = 1,
     .max = 2147483647},
    {.name = "label_ru",
     .type = KEDR_T_STRING,
     .flags = KEDR_NONEMPTY,
     .max = 200},
    {.name = "label_en", .type = KEDR_T_STRING, .max = 200},
    {.name = "required", .type = KEDR_T_BOOL},
    {.name = "options", .type = KEDR_T_ARRAY, .max = 500},
    {.name = "sort", .type = KEDR_T_INT, .min = -100000, .max = 100000},
    {.name = "active", .type = KEDR_T_BOOL},
    {0},
};

static const struct kedr_route attrs_routes[] = {
    {.method = "GET", .path = "/attributes", .handler = attrs_list},
    {.method = "POST",
     .path = "/attributes",
     .handler = attrs_create,
     .permission = "core.attributes.manage",
     .input = attrs_create_input},
    {.method = "PATCH",
     .path = "/attributes/:id",
     .handler = attrs_update,
     .permission = "core.attributes.manage",
     .input = attrs_update_input},
    {0},
};

/* A built-in module: the core links it in and mounts its routes under
 * /api/v1 itself (core/builtin.c). */
const struct kedr_module kedr_builtin_attrs = {
    KEDR_MODULE_HEADER,
    .name = "attrs",
    .version = "1.0",
    .routes = attrs_routes,
};
