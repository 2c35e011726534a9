/*
 * attrs.c -- extra attributes: fields an administrator defines for a
 * module's records (text, number, date, boolean, list; Russian and
 * English labels; required) without a schema change.
 *
 * The definitions are core.attribute_def rows keyed by entity
 * ("clients.counterparty"); a module keeps a record's values in a jsonb
 * column and calls kedr_attrs_check (before writing) and
 * kedr_attrs_filter (for `attr.<name>=value` list filters, a jsonb
 * containment the module's GIN index serves).  These two stay in the
 * core: the kit's writes and lists call them on every request that has
 * attributes, with a per-request cache of the definitions.  The
 * definitions' administration (GET/POST /api/v1/attributes, PATCH
 * /api/v1/attributes/:id) is the built-in module core/builtin/attrs.c.
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
    defs =
        kedr_core_db_query(r, attrs_defs_sql, 1, (const char *const[]){entity});
    if (defs != NULL) {
        r->attrs_entity = kedr_arena_strdup(&r->arena, entity);
        r->attrs_defs = defs;
    }
    return defs;
}

static int
attrs_find(const kedr_rows_t *defs, const char *name)
{
    for (int i = 0; i < kedr_core_rows_count(defs); i++)
        if (strcmp(kedr_core_rows_get(defs, i, 0), name) == 0)
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
            if (kedr_core_rows_get(defs, i, 2)[0] == 't' &&
                kedr_core_rows_get(defs, i, 4)[0] == 't') {
                kedr_api->field_error(r, field, "is required");
                n++;
            }
            continue;
        }
        why = attrs_value_problem(r, kedr_core_rows_get(defs, i, 1),
                                  kedr_core_rows_get(defs, i, 3), v);
        if (why != NULL) {
            kedr_api->field_error(r, field, why);
            n++;
        }
    }
    if (!partial)
        for (int i = 0; i < kedr_core_rows_count(defs); i++) {
            const char *name = kedr_core_rows_get(defs, i, 0);
            json_t *have = attrs ? json_object_get(attrs, name) : NULL;

            if (kedr_core_rows_get(defs, i, 2)[0] == 't' &&
                kedr_core_rows_get(defs, i, 4)[0] == 't' &&
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
        type = kedr_core_rows_get(defs, i, 1);
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
