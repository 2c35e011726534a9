/*
 * catalog_groups.c -- product groups: a tree (brand -> series -> group)
 * read as nested JSON built by PostgreSQL, or flat in display order; the
 * rest (one group, create, edit, delete) is the kit's, from the
 * declaration in catalog.c, with these hooks: the kind by depth, never
 * under itself, sibling names apart, deleted only when empty.
 */
#include <string.h>

#include "catalog_int.h"

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

/* GET /groups[?flat=true] -- the tree: [{..., products, children:
 * [...]}]; flat: [{..., depth, path: [names]}] in the same order. */
int
catalog_groups_tree(kedr_req_t *r)
{
    const char *flat = kedr_query(r, "flat");

    if (flat == NULL || *flat == '\0' || strcmp(flat, "false") == 0)
        return kedr_reply_db_json(r, 200, group_tree_sql, 0, NULL);
    if (strcmp(flat, "true") == 0)
        return kedr_reply_db_json(r, 200, group_flat_sql, 0, NULL);
    return kedr_fail(r, KEDR_EINVAL, "flat", "must be true or false");
}

/*
 * What would make a group's place or name wrong: parent_id inside the
 * group itself (422), its name among its new siblings taken (409).  $1
 * id (NULL for a new group), $2 parent_id, $3 name.
 */
static const char group_check_sql[] =
    "SELECT $1::bigint IS NOT NULL AND $2::bigint IN (SELECT "
    "catalog.group_subtree($1::bigint)), (SELECT id FROM "
    "catalog.product_group WHERE parent_id IS NOT DISTINCT FROM $2::bigint "
    "AND name = $3 AND id IS DISTINCT FROM $1::bigint LIMIT 1)";

/* The member `key` of the write: from `in` when sent, else from `old`. */
static json_t *
group_member(json_t *in, json_t *old, const char *key)
{
    json_t *v = json_object_get(in, key);

    return v != NULL || old == NULL ? v : json_object_get(old, key);
}

/* Before a group is written (its kind is one of the declared options):
 * no code for an empty one, a place not inside itself, a name its
 * siblings do not have. */
static int
group_validate(kedr_req_t *r, json_t *in, json_t *old)
{
    const char *code = json_string_value(json_object_get(in, "code"));
    kedr_rows_t *rows;

    /* kind and sort are never empty: null keeps (or defaults) them */
    if (json_is_null(json_object_get(in, "kind")))
        json_object_del(in, "kind");
    if (json_is_null(json_object_get(in, "sort")))
        json_object_del(in, "sort");
    if (code != NULL && *code == '\0')
        json_object_set_new(in, "code", json_null());
    rows = kedr_db_query(
        r, group_check_sql,
        KEDR_PARAMS(catalog_int_text(r, json_object_get(old, "id")),
                    catalog_int_text(r, group_member(in, old, "parent_id")),
                    json_string_value(group_member(in, old, "name"))));
    if (rows == NULL)
        return KEDR_EDB;
    if (strcmp(kedr_rows_get(rows, 0, 0), "t") == 0)
        return kedr_fail(r, KEDR_EINVAL, "parent_id",
                         "must not be the group itself or one of its "
                         "subgroups");
    if (!kedr_rows_isnull(rows, 0, 1))
        return kedr_fail(r, KEDR_ECONFLICT, "name",
                         "a group with this name exists here (%s)",
                         kedr_rows_get(rows, 0, 1));
    return 0;
}

/* The kind a new group takes by its depth: brand at the root, series
 * below it, group further down. */
static const char group_kind_sql[] =
    "SELECT CASE WHEN $1::bigint IS NULL THEN 'brand' WHEN (SELECT "
    "p.parent_id FROM catalog.product_group p WHERE p.id = $1::bigint) IS "
    "NULL THEN 'series' ELSE 'group' END";

static const char group_usage_sql[] =
    "SELECT (SELECT count(*) FROM catalog.product_group WHERE parent_id = "
    "$1), (SELECT count(*) FROM catalog.product WHERE group_id = $1)";

/* Before the statement: a new group's kind by depth when not given; a
 * group deleted only when empty (409 with subgroups or products). */
static int
group_before_write(kedr_req_t *r, const char *action, json_t *old, json_t *in)
{
    kedr_rows_t *rows;

    if (strcmp(action, "created") == 0 && json_object_get(in, "kind") == NULL) {
        rows = kedr_db_query(
            r, group_kind_sql,
            KEDR_PARAMS(catalog_int_text(r, json_object_get(in, "parent_id"))));
        if (rows == NULL)
            return KEDR_EDB;
        json_object_set_new(in, "kind", json_string(kedr_rows_get(rows, 0, 0)));
    }
    if (strcmp(action, "deleted") != 0)
        return 0;
    rows = kedr_db_query(
        r, group_usage_sql,
        KEDR_PARAMS(catalog_int_text(r, json_object_get(old, "id"))));
    if (rows == NULL)
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
    return 0;
}

const struct kedr_entity_hooks catalog_group_hooks = {
    .validate = group_validate,
    .before_write = group_before_write,
};
