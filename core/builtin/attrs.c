/*
 * attrs.c -- extra attributes: fields an administrator defines for a
 * module's records (text, number, date, boolean, list; Russian and
 * English labels; required) without a schema change.
 *
 * The definitions are core.attribute_def rows keyed by entity
 * ("clients.counterparty"); a module keeps a record's values in a jsonb
 * column and calls kedr_attrs_check (before writing) and
 * kedr_attrs_filter (for `attr.<name>=value` list filters, a jsonb
 * containment the module's GIN index serves).  Administration:
 * GET/POST /api/v1/attributes, PATCH /api/v1/attributes/:id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define ATTR_TEXT_MAX 2000

static const char attrs_defs_sql[] =
    "SELECT name, type, required, options::text, active "
    "FROM core.attribute_def WHERE entity = $1";

/* The definitions of `entity` (every one, active or not), or NULL with the
 * error recorded.  Read once per request and entity: an import checks
 * them for each of its rows. */
static kedr_rows_t *
attrs_defs(struct kedr_req *r, const char *entity)
{
    kedr_rows_t *defs;

    if (r->attrs_entity != NULL && strcmp(r->attrs_entity, entity) == 0)
        return r->attrs_defs;
    defs = kedr_pg_query(r, attrs_defs_sql, 1, (const char *const[]){entity});
    if (defs != NULL) {
        r->attrs_entity = kedr_arena_strdup(&r->arena, entity);
        r->attrs_defs = defs;
    }
    return defs;
}

static int
attrs_find(const kedr_rows_t *defs, const char *name)
{
    for (int i = 0; i < kedr_pg_rows_count(defs); i++)
        if (strcmp(kedr_pg_rows_get(defs, i, 0), name) == 0)
            return i;
    return -1;
}

/* Whether `value` is one of a list attribute's options. */
static bool
attrs_option(struct kedr_req *r, const char *options, const char *value)
{
    json_t *opts = kedr_json_parse(r, options), *o;
    size_t i;

    json_array_foreach (opts, i, o) {
        const char *ov = json_string_value(json_object_get(o, "value"));

        if (ov != NULL && strcmp(ov, value) == 0)
            return true;
    }
    return false;
}

/* Why `v` is not a value of an attribute of `type`, or NULL. */
static const char *
attrs_value_problem(struct kedr_req *r, const char *type, const char *options,
                    json_t *v)
{
    if (strcmp(type, "text") == 0) {
        if (!json_is_string(v))
            return "must be a string";
        if (json_string_length(v) > ATTR_TEXT_MAX)
            return "is too long";
        return NULL;
    }
    if (strcmp(type, "number") == 0)
        return json_is_number(v) ? NULL : "must be a number";
    if (strcmp(type, "boolean") == 0)
        return json_is_boolean(v) ? NULL : "must be true or false";
    if (strcmp(type, "date") == 0)
        return json_is_string(v) &&
                       kedr_value_check(KEDR_T_DATE, json_string_value(v))
                   ? NULL
                   : "must be a date (YYYY-MM-DD)";
    if (strcmp(type, "list") == 0)
        return json_is_string(v) &&
                       attrs_option(r, options, json_string_value(v))
                   ? NULL
                   : "is not one of the allowed values";
    return "has an unknown type";
}

int
kedr_core_attrs_check(struct kedr_req *r, const char *entity, json_t *attrs,
                      bool partial)
{
    kedr_rows_t *defs = attrs_defs(r, entity);
    const char *key;
    json_t *v;
    int n = 0;

    if (defs == NULL)
        return r->err_code ? r->err_code : KEDR_EDB;
    if (attrs != NULL && !json_is_object(attrs)) {
        kedr_api->field_error(r, "attrs", "must be an object");
        return 1;
    }
    json_object_foreach (attrs, key, v) {
        int i = attrs_find(defs, key);
        const char *why;
        char *field = kedr_arena_sprintf(&r->arena, "attrs.%s", key);

        if (i < 0) {
            kedr_api->field_error(r, field, "unknown attribute");
            n++;
            continue;
        }
        if (json_is_null(v)) {
            if (kedr_pg_rows_get(defs, i, 2)[0] == 't' &&
                kedr_pg_rows_get(defs, i, 4)[0] == 't') {
                kedr_api->field_error(r, field, "is required");
                n++;
            }
            continue;
        }
        why = attrs_value_problem(r, kedr_pg_rows_get(defs, i, 1),
                                  kedr_pg_rows_get(defs, i, 3), v);
        if (why != NULL) {
            kedr_api->field_error(r, field, why);
            n++;
        }
    }
    if (!partial)
        for (int i = 0; i < kedr_pg_rows_count(defs); i++) {
            const char *name = kedr_pg_rows_get(defs, i, 0);
            json_t *have = attrs ? json_object_get(attrs, name) : NULL;

            if (kedr_pg_rows_get(defs, i, 2)[0] == 't' &&
                kedr_pg_rows_get(defs, i, 4)[0] == 't' &&
                (have == NULL || json_is_null(have))) {
                kedr_api->field_error(
                    r, kedr_arena_sprintf(&r->arena, "attrs.%s", name),
                    "is required");
                n++;
            }
        }
    return n;
}

int
kedr_core_attrs_filter(struct kedr_req *r, const char *entity,
                       const char **json)
{
    json_t *filter = NULL;
    kedr_rows_t *defs = NULL;
    int bad = 0;

    const struct kedr_kvlist *q = kedr_req_query_list(r);

    *json = NULL;
    for (size_t k = 0; k < q->n; k++) {
        const char *key = q->items[k].key;
        const char *val = q->items[k].value;
        const char *type;
        json_t *v = NULL;
        int i;

        if (strncmp(key, "attr.", 5) != 0)
            continue;
        if (defs == NULL && (defs = attrs_defs(r, entity)) == NULL)
            return r->err_code ? r->err_code : KEDR_EDB;
        if (filter == NULL)
            filter = kedr_json_keep(r, json_object());
        i = attrs_find(defs, key + 5);
        if (i < 0) {
            kedr_api->field_error(r, key, "unknown attribute");
            bad++;
            continue;
        }
        type = kedr_pg_rows_get(defs, i, 1);
        if (strcmp(type, "number") == 0) {
            char *end;
            double d = strtod(val, &end);

            if (*val != '\0' && *end == '\0')
                v = json_real(d);
        } else if (strcmp(type, "boolean") == 0) {
            if (strcmp(val, "true") == 0 || strcmp(val, "false") == 0)
                v = json_boolean(val[0] == 't');
        } else if (strcmp(type, "date") != 0 ||
                   kedr_value_check(KEDR_T_DATE, val)) {
            v = json_string(val);
        }
        if (v == NULL) {
            kedr_api->field_error(r, key, "is not a value of this attribute");
            bad++;
            continue;
        }
        json_object_set_new(filter, key + 5, v);
    }
    if (bad > 0)
        return kedr_req_fail(r, KEDR_EINVAL, NULL, "invalid filter");
    if (filter != NULL && json_object_size(filter) > 0)
        *json = kedr_json_text(r, filter);
    return 0;
}

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
    return kedr_pg_reply_json(
        r, 200, attrs_list_sql, 2,
        (const char *const[]){
            entity, all && strcmp(all, "true") == 0 ? "true" : "false"});
}

/* Whether the entity belongs to an enabled module. */
static bool
attrs_entity_known(const char *entity)
{
    const char *dot = strchr(entity, '.');

    if (dot == NULL)
        return false;
    for (size_t i = 0; i < kedr_srv.mods.norder; i++) {
        const char *m = kedr_srv.mods.order[i]->name;

        if (strlen(m) == (size_t)(dot - entity) &&
            strncmp(m, entity, (size_t)(dot - entity)) == 0)
            return true;
    }
    return false;
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

    r->attrs_entity = NULL; /* definitions change: read them again */
    if (!attrs_entity_known(entity))
        kedr_field_error(r, "entity", "is not an entity of an enabled module");
    if (!kedr_module_name_valid(name))
        kedr_field_error(r, "name", "must be [a-z][a-z0-9_]*");
    if (strcmp(type, "text") != 0 && strcmp(type, "number") != 0 &&
        strcmp(type, "date") != 0 && strcmp(type, "boolean") != 0 &&
        strcmp(type, "list") != 0)
        kedr_field_error(r, "type",
                         "must be text, number, date, boolean or list");
    attrs_check_options(r, type, options);
    if (r->err_fields != NULL && json_object_size(r->err_fields) > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    rc = kedr_pg_json(
        r, attrs_insert_sql, 9,
        (const char *const[]){entity, name, type,
                              json_string_value(json_object_get(b, "label_ru")),
                              json_string_value(json_object_get(b, "label_en")),
                              attrs_bool(json_object_get(b, "required")),
                              options && !json_is_null(options)
                                  ? kedr_json_text(r, options)
                                  : NULL,
                              attrs_int(r, json_object_get(b, "sort")),
                              kedr_sprintf(r, "%lld", (long long)r->user_id)},
        &row);
    if (rc != 0)
        return rc;
    if (row == NULL)
        return kedr_fail(r, KEDR_ECONFLICT, "name",
                         "this entity already has an attribute \"%s\"", name);
    created = kedr_json_parse(r, row);
    rc = kedr_audit_write(r, "core.attribute_def",
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

    r->attrs_entity = NULL; /* definitions change: read them again */
    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such attribute");
    rc = kedr_pg_json(r, attrs_one_sql, 1, (const char *const[]){id}, &before);
    if (rc != 0)
        return rc;
    if (before == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such attribute");
    old = kedr_json_parse(r, before);
    if (options != NULL && !json_is_null(options))
        attrs_check_options(r, json_string_value(json_object_get(old, "type")),
                            options);
    if (r->err_fields != NULL && json_object_size(r->err_fields) > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    rc = kedr_pg_json(
        r, attrs_update_sql, 8,
        (const char *const[]){id, attrs_int(r, json_object_get(b, "version")),
                              json_string_value(json_object_get(b, "label_ru")),
                              json_string_value(json_object_get(b, "label_en")),
                              attrs_bool(json_object_get(b, "required")),
                              options && !json_is_null(options)
                                  ? kedr_json_text(r, options)
                                  : NULL,
                              attrs_int(r, json_object_get(b, "sort")),
                              attrs_bool(json_object_get(b, "active"))},
        &row);
    if (rc != 0)
        return rc;
    if (row == NULL)
        return kedr_fail(r, KEDR_ECONFLICT, "version",
                         "the attribute was changed meanwhile: reload it");
    rc = kedr_audit_write(r, "core.attribute_def", id, "updated", old,
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

const struct kedr_route kedr_attrs_routes[] = {
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
