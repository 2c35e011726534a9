/*
 * catalog_groups.c -- product groups: a tree (brand -> series -> group)
 * read as nested JSON built by PostgreSQL, or flat in display order;
 * created, edited (renamed, moved: never under itself) and deleted only
 * when empty.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

/* the JSON shapes of catalog_int.h over this file's aliases */
#define GROUP_JSON_G CATALOG_GROUP_JSON("g")

static const char group_tree_sql[] = "SELECT catalog.group_tree()::text";

/* Every group in tree order (siblings by sort, then name), with its depth
 * and the names from its root down to it. */
static const char group_flat_sql[] =
    "WITH RECURSIVE s AS (SELECT g.*, row_number() OVER (PARTITION BY "
    "g.parent_id ORDER BY g.sort, g.name COLLATE \"ru-RU-x-icu\", g.id) AS "
    "rn FROM catalog.product_group g), t AS (SELECT s.*, 0 AS depth, "
    "ARRAY[s.rn] AS k, ARRAY[s.name] AS names FROM s WHERE s.parent_id IS "
    "NULL UNION ALL SELECT s.*, t.depth + 1, t.k || s.rn, t.names || s.name "
    "FROM s JOIN t ON s.parent_id = t.id) SELECT "
    "coalesce(json_agg(json_build_object('id', t.id, 'parent_id', "
    "t.parent_id, 'code', t.code, 'name', t.name, 'kind', t.kind, 'sort', "
    "t.sort, 'version', t.version, 'depth', t.depth, 'path', "
    "array_to_json(t.names)) ORDER BY t.k), '[]')::text FROM t";

/* GET /groups[?flat=true] -- the tree: [{..., products, children: [...]}];
 * flat: [{..., depth, path: [names]}] in the same order. */
int
catalog_groups_list(kedr_req_t *r)
{
    bool bad = false;
    const char *flat = catalog_query_bool(r, "flat", &bad);

    if (bad)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid query");
    if (flat != NULL && strcmp(flat, "true") == 0)
        return kedr_reply_db_json(r, 200, group_flat_sql, 0, NULL);
    return kedr_reply_db_json(r, 200, group_tree_sql, 0, NULL);
}

static const char group_one_sql[] =
    "SELECT (" GROUP_JSON_G "::jsonb || jsonb_build_object('path', (SELECT "
    "jsonb_agg(jsonb_build_object('id', a.id, 'code', a.code, 'name', "
    "a.name) ORDER BY a.depth DESC) FROM (WITH RECURSIVE up AS (SELECT x.id, "
    "x.parent_id, x.code, x.name, 0 AS depth FROM catalog.product_group x "
    "WHERE x.id = g.id UNION ALL SELECT x.id, x.parent_id, x.code, x.name, "
    "up.depth + 1 FROM catalog.product_group x JOIN up ON x.id = "
    "up.parent_id) SELECT * FROM up) a), 'children', (SELECT count(*) FROM "
    "catalog.product_group c WHERE c.parent_id = g.id), 'products', (SELECT "
    "count(*) FROM catalog.product p WHERE p.group_id = g.id), "
    "'products_total', (SELECT count(*) FROM catalog.product p WHERE "
    "p.group_id IN (SELECT catalog.group_subtree(g.id)))))::text FROM "
    "catalog.product_group g WHERE g.id = $1";

/* GET /groups/:id -- one group with its path from the root, and how many
 * subgroups and products (its own, and in the whole subtree) it has. */
int
catalog_groups_get(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    const char *row;
    int rc;

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such group");
    if ((rc = kedr_db_json(r, group_one_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    if (row == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such group");
    return kedr_reply_text(r, 200, row);
}

/*
 * What would make a group's new place or names wrong: parent_id missing
 * or inside the group itself (422), its code or its name among its new
 * siblings taken (409).  $1 id (NULL for a new group), $2 parent_id, $3
 * code, $4 name.
 */
static const char group_check_sql[] =
    "SELECT jsonb_strip_nulls(jsonb_build_object('parent_id', CASE WHEN "
    "$2::bigint IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
    "catalog.product_group WHERE id = $2::bigint) THEN 'no such group' WHEN "
    "$1::bigint IS NOT NULL AND $2::bigint IN (SELECT "
    "catalog.group_subtree($1::bigint)) THEN 'must not be the group itself "
    "or one of its subgroups' END, 'code', (SELECT 'is used by group ' || id "
    "FROM catalog.product_group WHERE code = $3 AND id IS DISTINCT FROM "
    "$1::bigint), 'name', (SELECT 'a group with this name exists here (' || "
    "id || ')' FROM catalog.product_group WHERE parent_id IS NOT DISTINCT "
    "FROM $2::bigint AND name = $4 AND id IS DISTINCT FROM $1::bigint LIMIT "
    "1)))::text";

/*
 * Run group_check_sql and turn its findings into the request's error.
 * Returns 0 when the group may go there, else the code to return.
 */
static int
group_check(kedr_req_t *r, const char *id, const char *parent, const char *code,
            const char *name)
{
    const char *text;
    json_t *found;
    int rc;

    rc = kedr_db_json(r, group_check_sql, KEDR_PARAMS(id, parent, code, name),
                      &text);
    if (rc != 0)
        return rc;
    found = kedr_json_parse(r, text);
    if (json_object_get(found, "parent_id") != NULL)
        return kedr_fail(
            r, KEDR_EINVAL, "parent_id", "%s",
            json_string_value(json_object_get(found, "parent_id")));
    if (catalog_field_errors(r, found) > 0)
        return kedr_fail(r, KEDR_ECONFLICT, NULL,
                         "the group would clash "
                         "with another one");
    return 0;
}

/* Check the kind and code the body brings; records field errors.  Returns
 * the number of errors. */
static int
group_body_check(kedr_req_t *r)
{
    const char *kind = catalog_body_str(r, "kind");
    int bad = 0;

    if (kind != NULL && strcmp(kind, "brand") != 0 &&
        strcmp(kind, "series") != 0 && strcmp(kind, "group") != 0) {
        kedr_field_error(r, "kind",
                         "must be \"brand\", \"series\" or "
                         "\"group\"");
        bad++;
    }
    return bad;
}

/* The body's code, trimmed; "" and null give NULL (no code). */
static const char *
group_body_code(kedr_req_t *r)
{
    const char *code = kedr_trim(r, catalog_body_str(r, "code"));

    return code != NULL && *code != '\0' ? code : NULL;
}

static const char group_insert_sql[] =
    "INSERT INTO catalog.product_group AS g (parent_id, code, name, kind, "
    "sort, created_by) VALUES ($1::bigint, $2, $3, coalesce($4, CASE WHEN "
    "$1::bigint IS NULL THEN 'brand' WHEN (SELECT p.parent_id FROM "
    "catalog.product_group p WHERE p.id = $1::bigint) IS NULL THEN 'series' "
    "ELSE 'group' END), coalesce($5::int, 0), $6::bigint) "
    "RETURNING " GROUP_JSON_G "::text";

/* POST /groups {name, code, parent_id, kind, sort} -- kind defaults by
 * depth: brand at the root, series below it, group further down. */
int
catalog_groups_create(kedr_req_t *r)
{
    const char *parent = catalog_body_int(r, "parent_id");
    const char *code = group_body_code(r);
    const char *name = kedr_trim(r, catalog_body_str(r, "name"));
    const char *row;
    int rc;

    if (group_body_check(r) > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    if ((rc = group_check(r, NULL, parent, code, name)) != 0)
        return rc;
    rc = kedr_db_json(
        r, group_insert_sql,
        KEDR_PARAMS(parent, code, name, catalog_body_str(r, "kind"),
                    catalog_body_int(r, "sort"), kedr_user_id_text(r)),
        &row);
    if (rc != 0)
        return catalog_db_fail(
            r, rc, NULL,
            "a group with this code or name was just saved by someone else");
    if ((rc = catalog_record(r, "group", "created", NULL,
                             kedr_json_parse(r, row))) != 0)
        return rc;
    return kedr_reply_text(r, 201, row);
}

static const char group_lock_sql[] =
    "SELECT " GROUP_JSON_G "::text FROM catalog.product_group g WHERE g.id = "
    "$1 FOR UPDATE";

static const char group_update_sql[] =
    "UPDATE catalog.product_group AS g SET parent_id = $3::bigint, code = "
    "$4, name = $5, kind = coalesce($6, kind), sort = coalesce($7::int, "
    "sort), version = version + 1, updated_at = now() WHERE id = $1 AND "
    "version = $2::int RETURNING " GROUP_JSON_G "::text";

/* A JSON integer or null member as text (NULL for null). */
static const char *
json_int_text(kedr_req_t *r, json_t *v)
{
    if (!json_is_integer(v))
        return NULL;
    return kedr_sprintf(r, "%lld", (long long)json_integer_value(v));
}

/* PATCH /groups/:id {version, name, code, parent_id, kind, sort} -- a
 * member left out keeps its value; code and parent_id take null. */
int
catalog_groups_update(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    json_t *version = json_object_get(kedr_body(r), "version");
    const char *parent, *code, *name, *row;
    json_t *old;
    int rc;

    if (group_body_check(r) > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    if ((old = kedr_db_lock(r, group_lock_sql, id, version, "group", &rc)) ==
        NULL)
        return rc;
    parent = catalog_body_has(r, "parent_id")
                 ? catalog_body_int(r, "parent_id")
                 : json_int_text(r, json_object_get(old, "parent_id"));
    code = catalog_body_has(r, "code")
               ? group_body_code(r)
               : json_string_value(json_object_get(old, "code"));
    name = catalog_body_str(r, "name") != NULL
               ? kedr_trim(r, catalog_body_str(r, "name"))
               : json_string_value(json_object_get(old, "name"));
    if ((rc = group_check(r, id, parent, code, name)) != 0)
        return rc;
    rc = kedr_db_json(r, group_update_sql,
                      KEDR_PARAMS(id, json_int_text(r, version), parent, code,
                                  name, catalog_body_str(r, "kind"),
                                  catalog_body_int(r, "sort")),
                      &row);
    if (rc != 0)
        return catalog_db_fail(
            r, rc, NULL,
            "a group with this code or name was just saved by someone else");
    if (row == NULL)
        return kedr_fail(r, KEDR_ECONFLICT, "version",
                         "the group was changed by someone else: reload it");
    if ((rc = catalog_record(r, "group", "updated", old,
                             kedr_json_parse(r, row))) != 0)
        return rc;
    return kedr_reply_text(r, 200, row);
}

static const char group_usage_sql[] =
    "SELECT (SELECT count(*) FROM catalog.product_group WHERE parent_id = "
    "$1), (SELECT count(*) FROM catalog.product WHERE group_id = $1)";
static const char group_delete_sql[] =
    "DELETE FROM catalog.product_group WHERE id = $1";

/* DELETE /groups/:id[?version=N] -- only an empty group: one with
 * subgroups or products is 409. */
int
catalog_groups_delete(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    bool bad = false;
    json_t *version = kedr_query_version(r, &bad), *old;
    kedr_rows_t *rows;
    int rc;

    if (bad)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid query");
    if ((old = kedr_db_lock(r, group_lock_sql, id, version, "group", &rc)) ==
        NULL)
        return rc;
    if ((rows = kedr_db_query(r, group_usage_sql, KEDR_PARAMS(id))) == NULL)
        return KEDR_EDB;
    if (strcmp(kedr_rows_get(rows, 0, 0), "0") != 0)
        return kedr_fail(r, KEDR_ECONFLICT, NULL,
                         "the group has %s subgroups: move or delete them "
                         "first",
                         kedr_rows_get(rows, 0, 0));
    if (strcmp(kedr_rows_get(rows, 0, 1), "0") != 0)
        return kedr_fail(r, KEDR_ECONFLICT, NULL,
                         "the group has %s products: move or delete them "
                         "first",
                         kedr_rows_get(rows, 0, 1));
    if ((rc = kedr_db_exec(r, group_delete_sql, KEDR_PARAMS(id))) < 0)
        return catalog_db_fail(r, rc, NULL, "");
    if ((rc = catalog_record(r, "group", "deleted", old, NULL)) != 0)
        return rc;
    return 0; /* 204 */
}
