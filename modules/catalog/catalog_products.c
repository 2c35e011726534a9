/*
 * catalog_products.c -- products: a paged list PostgreSQL builds
 * (search by article and name with pg_trgm, filter by group with its
 * subgroups, by activity and external id, sort on indexed columns), one
 * product with its current prices, create, edit (optimistic locking) and
 * delete.
 */
#include <string.h>

#include "catalog_int.h"

/* the JSON shapes of catalog_int.h over this file's aliases */
#define PRODUCT_JSON_P CATALOG_PRODUCT_JSON("p")

/* q as an ILIKE pattern matching it anywhere, its wildcards literal */
#define PRODUCT_Q_PATTERN                                                      \
    "('%' || replace(replace(replace($1, '\\', '\\\\'), '%', '\\%'), '_', "    \
    "'\\_') || '%')"

/*
 * The list: one statement per sort order, with and without the filter on
 * q (so that even a generic plan of a prepared statement uses the
 * trigram index product_search_trgm, whose expression the filter is).
 * $1 q (only echoed by the statements without its filter), $2 group_id
 * (with its subgroups), $3 active, $4 ext.mdm, $5 ext.c1, $6 limit, $7
 * offset.  The page and the total are apart, so that the page can walk a
 * sort index.
 */
#define PRODUCT_FILTERS                                                        \
    "($2::bigint IS NULL OR p.group_id IN (SELECT "                            \
    "catalog.group_subtree($2::bigint))) "                                     \
    "AND ($3::boolean IS NULL OR p.active = $3::boolean) "                     \
    "AND ($4::text IS NULL OR p.ext ->> 'mdm' = $4) "                          \
    "AND ($5::text IS NULL OR p.ext ->> 'c1' = $5)"

#define PRODUCT_WHERE_ALL "FROM catalog.product p WHERE " PRODUCT_FILTERS

#define PRODUCT_WHERE_Q                                                        \
    "FROM catalog.product p WHERE (p.sku || ' ' || p.name) "                   \
    "ILIKE " PRODUCT_Q_PATTERN " AND " PRODUCT_FILTERS

#define PRODUCT_LIST_SQL(where, order)                                         \
    "SELECT json_build_object('items', coalesce((SELECT "                      \
    "json_agg(" PRODUCT_JSON_P " ORDER BY " order ") FROM (SELECT p.* " where  \
    " ORDER BY " order " LIMIT $6::int OFFSET $7::int) p), '[]'::json), "      \
    "'total', (SELECT count(*) " where "), 'limit', $6::int, "                 \
    "'offset', $7::int, 'q', $1::text)::text"

#define BY_NAME "name COLLATE \"ru-RU-x-icu\""

/* best matches of q first: the article itself, articles starting with
 * it, names starting with it, then by name */
#define BY_RELEVANCE                                                           \
    "lower(sku) = lower($1) DESC, starts_with(lower(sku), lower($1)) DESC, "   \
    "starts_with(lower(name), lower($1)) DESC, " BY_NAME ", id"

#define PRODUCT_SORT(key, order, qorder)                                       \
    {                                                                          \
        key, PRODUCT_LIST_SQL(PRODUCT_WHERE_ALL, order),                       \
            PRODUCT_LIST_SQL(PRODUCT_WHERE_Q, qorder)                          \
    }

static const struct {
    const char *sort;
    const char *sql;   /* without q */
    const char *sql_q; /* with q */
} product_sorts[] = {
    PRODUCT_SORT("name", BY_NAME ", id", BY_NAME ", id"),
    PRODUCT_SORT("-name", BY_NAME " DESC, id DESC", BY_NAME " DESC, id DESC"),
    PRODUCT_SORT("sku", "sku", "sku"),
    PRODUCT_SORT("-sku", "sku DESC", "sku DESC"),
    PRODUCT_SORT("created_at", "created_at, id", "created_at, id"),
    PRODUCT_SORT("-created_at", "created_at DESC, id DESC",
                 "created_at DESC, id DESC"),
    PRODUCT_SORT("updated_at", "updated_at, id", "updated_at, id"),
    PRODUCT_SORT("-updated_at", "updated_at DESC, id DESC",
                 "updated_at DESC, id DESC"),
    PRODUCT_SORT("id", "id", "id"),
    PRODUCT_SORT("-id", "id DESC", "id DESC"),
    PRODUCT_SORT("relevance", BY_NAME ", id", BY_RELEVANCE),
};

/* GET /products?q=&group_id=&active=&mdm=&c1=&sort=&limit=&offset= --
 * {items, total, limit, offset}.  Sort defaults to relevance with q, to
 * name without. */
int
catalog_products_list(kedr_req_t *r)
{
    const char *q = kedr_trim(r, kedr_query(r, "q"));
    const char *group = kedr_query(r, "group_id");
    const char *sort = kedr_query(r, "sort");
    const char *mdm = kedr_query(r, "mdm");
    const char *c1 = kedr_query(r, "c1");
    bool bad = false;
    const char *active = catalog_query_bool(r, "active", &bad);
    long limit = kedr_query_count(r, "limit", 50, 500);
    long offset = kedr_query_count(r, "offset", 0, 100000000);
    const char *sql = NULL;

    if (q != NULL && *q == '\0')
        q = NULL;
    if (group != NULL && *group == '\0')
        group = NULL;
    if (group != NULL &&
        (strlen(group) > 18 || strspn(group, "0123456789") != strlen(group))) {
        kedr_field_error(r, "group_id", "must be a group id");
        bad = true;
    }
    if (sort == NULL || *sort == '\0')
        sort = q != NULL ? "relevance" : "name";
    for (size_t i = 0; i < sizeof(product_sorts) / sizeof(product_sorts[0]);
         i++)
        if (strcmp(product_sorts[i].sort, sort) == 0)
            sql = q != NULL ? product_sorts[i].sql_q : product_sorts[i].sql;
    if (sql == NULL) {
        kedr_field_error(r, "sort",
                         "must be name, sku, created_at, updated_at, id "
                         "(- before it: descending) or relevance");
        bad = true;
    }
    if (bad || limit < 0 || offset < 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid query");
    if (mdm != NULL && *mdm == '\0')
        mdm = NULL;
    if (c1 != NULL && *c1 == '\0')
        c1 = NULL;
    return kedr_reply_db_json(r, 200, sql,
                              KEDR_PARAMS(q, group, active, mdm, c1,
                                          kedr_sprintf(r, "%ld", limit),
                                          kedr_sprintf(r, "%ld", offset)));
}

/* One product with the price of each price type valid today. */
static const char product_one_sql[] =
    "SELECT (" PRODUCT_JSON_P "::jsonb || "
    "jsonb_build_object('current_prices', (SELECT "
    "coalesce(jsonb_agg(jsonb_build_object('type', t.code, 'type_name', "
    "t.name, 'type_name_en', t.name_en, 'amount', c.amount::text, "
    "'currency', c.currency, 'valid_from', c.valid_from) ORDER BY t.sort, "
    "t.code), '[]') FROM catalog.price_type t CROSS JOIN LATERAL (SELECT "
    "pr.amount, pr.currency, pr.valid_from FROM catalog.price pr WHERE "
    "pr.product_id = p.id AND pr.price_type_id = t.id AND pr.valid_from <= "
    "current_date ORDER BY pr.valid_from DESC LIMIT 1) c)))::text FROM "
    "catalog.product p WHERE p.id = $1";

/* GET /products/:id -- the product and its current prices. */
int
catalog_products_get(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    const char *row;
    int rc;

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such product");
    if ((rc = kedr_db_json(r, product_one_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    if (row == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such product");
    return kedr_reply_text(r, 200, row);
}

/*
 * What the unique keys would clash with ({"sku": "is used by product
 * 7", "ext.mdm": ...}) and whether the group exists.  $1 the product
 * (NULL for a new one), $2 sku, $3 ext, $4 group_id.
 */
static const char product_check_sql[] =
    "SELECT jsonb_strip_nulls(jsonb_build_object('sku', (SELECT 'is used by "
    "product ' || p.id FROM catalog.product p WHERE p.sku = $2 AND p.id IS "
    "DISTINCT FROM $1::bigint), 'ext.mdm', (SELECT 'is used by product ' || "
    "p.id FROM catalog.product p WHERE p.ext ->> 'mdm' = $3::jsonb ->> 'mdm' "
    "AND p.id IS DISTINCT FROM $1::bigint), 'ext.c1', (SELECT 'is used by "
    "product ' || p.id FROM catalog.product p WHERE p.ext ->> 'c1' = "
    "$3::jsonb ->> 'c1' AND p.id IS DISTINCT FROM $1::bigint)))::text, "
    "$4::bigint IS NULL OR EXISTS (SELECT 1 FROM catalog.product_group g "
    "WHERE g.id = $4::bigint)";

/*
 * Check the body's ext and attributes (422) and, in the database, its
 * group (422) and unique keys (409).  Returns 0 when the write may go
 * ahead.  `ext` is the normalised ext or NULL.
 */
static int
product_check(kedr_req_t *r, const char *id, const char *sku, json_t *ext,
              const char *group)
{
    json_t *body = kedr_body(r);
    const char *why, *field;
    kedr_rows_t *rows;
    int bad = 0;

    if (json_object_get(body, "ext") != NULL &&
        (why = catalog_ext_problem(r, json_object_get(body, "ext"), "ext",
                                   &field)) != NULL) {
        kedr_field_error(r, field, why);
        bad++;
    }
    if (json_object_get(body, "attributes") != NULL &&
        (why =
             catalog_attributes_problem(r, json_object_get(body, "attributes"),
                                        "attributes", &field)) != NULL) {
        kedr_field_error(r, field, why);
        bad++;
    }
    if (bad > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    rows = kedr_db_query(r, product_check_sql,
                         KEDR_PARAMS(id, sku, kedr_json_text(r, ext), group));
    if (rows == NULL)
        return KEDR_EDB;
    if (strcmp(kedr_rows_get(rows, 0, 1), "t") != 0)
        return kedr_fail(r, KEDR_EINVAL, "group_id", "no such group");
    if (catalog_field_errors(r, kedr_json_parse(r, kedr_rows_get(rows, 0, 0))) >
        0)
        return kedr_fail(r, KEDR_ECONFLICT, NULL,
                         "another product has the same article or "
                         "external id");
    return 0;
}

static const char product_insert_sql[] =
    "INSERT INTO catalog.product AS p (sku, name, group_id, unit, "
    "attributes, active, ext, created_by) VALUES ($1, $2, $3::bigint, "
    "coalesce($4, 'шт'), coalesce($5::jsonb, '{}'), coalesce($6::boolean, "
    "true), coalesce($7::jsonb, '{}'), $8::bigint) RETURNING " PRODUCT_JSON_P
    "::text";

/* POST /products {sku, name, group_id, unit, attributes, active, ext} */
int
catalog_products_create(kedr_req_t *r)
{
    json_t *body = kedr_body(r);
    const char *sku = kedr_trim(r, catalog_body_str(r, "sku"));
    const char *group = catalog_body_int(r, "group_id");
    json_t *ext = catalog_ext_normalize(r, json_object_get(body, "ext"));
    const char *row;
    int rc;

    if ((rc = product_check(r, NULL, sku, ext, group)) != 0)
        return rc;
    rc = kedr_db_json(
        r, product_insert_sql,
        KEDR_PARAMS(sku, kedr_trim(r, catalog_body_str(r, "name")), group,
                    kedr_trim(r, catalog_body_str(r, "unit")),
                    kedr_json_text(r, json_object_get(body, "attributes")),
                    catalog_body_bool(r, "active"), kedr_json_text(r, ext),
                    kedr_user_id_text(r)),
        &row);
    if (rc != 0)
        return catalog_db_fail(r, rc, NULL,
                               "a product with this article or external id was "
                               "just saved by someone else");
    if ((rc = catalog_record(r, "product", "created", NULL,
                             kedr_json_parse(r, row))) != 0)
        return rc;
    return kedr_reply_text(r, 201, row);
}

static const char product_lock_sql[] =
    "SELECT " PRODUCT_JSON_P "::text FROM catalog.product p WHERE p.id = $1 "
    "FOR UPDATE OF p";

static const char product_update_sql[] =
    "UPDATE catalog.product AS p SET sku = coalesce($3, sku), name = "
    "coalesce($4, name), group_id = CASE WHEN $5::boolean THEN $6::bigint "
    "ELSE group_id END, unit = coalesce($7, unit), attributes = "
    "coalesce($8::jsonb, attributes), active = coalesce($9::boolean, "
    "active), ext = coalesce($10::jsonb, ext), version = version + 1, "
    "updated_at = now() WHERE id = $1 AND version = $2::int "
    "RETURNING " PRODUCT_JSON_P "::text";

/* PATCH /products/:id {version, sku, name, group_id, unit, attributes,
 * active, ext} -- members left out keep their value; attributes and ext
 * are replaced as a whole; group_id takes null. */
int
catalog_products_update(kedr_req_t *r)
{
    json_t *body = kedr_body(r);
    const char *id = kedr_param_id(r, "id");
    json_t *version = json_object_get(body, "version");
    const char *sku = kedr_trim(r, catalog_body_str(r, "sku"));
    const char *group = catalog_body_int(r, "group_id");
    json_t *ext = catalog_ext_normalize(r, json_object_get(body, "ext"));
    json_t *old;
    const char *row;
    int rc;

    if ((old = kedr_db_lock(r, product_lock_sql, id, version, "product",
                            &rc)) == NULL)
        return rc;
    if ((rc = product_check(r, id, sku, ext, group)) != 0)
        return rc;
    rc = kedr_db_json(
        r, product_update_sql,
        KEDR_PARAMS(
            id, kedr_sprintf(r, "%lld", (long long)json_integer_value(version)),
            sku, kedr_trim(r, catalog_body_str(r, "name")),
            catalog_body_has(r, "group_id") ? "true" : "false", group,
            kedr_trim(r, catalog_body_str(r, "unit")),
            kedr_json_text(r, json_object_get(body, "attributes")),
            catalog_body_bool(r, "active"), kedr_json_text(r, ext)),
        &row);
    if (rc != 0)
        return catalog_db_fail(r, rc, NULL,
                               "a product with this article or external id was "
                               "just saved by someone else");
    if (row == NULL)
        return kedr_fail(r, KEDR_ECONFLICT, "version",
                         "the product was changed by someone else: reload "
                         "it");
    if ((rc = catalog_record(r, "product", "updated", old,
                             kedr_json_parse(r, row))) != 0)
        return rc;
    return kedr_reply_text(r, 200, row);
}

static const char product_delete_sql[] =
    "DELETE FROM catalog.product WHERE id = $1";

/* DELETE /products/:id[?version=N] -- with its prices; 409 when records
 * of other modules refer to it (deactivate it instead). */
int
catalog_products_delete(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    bool bad = false;
    json_t *version = kedr_query_version(r, &bad), *old;
    int rc;

    if (bad)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid query");
    if ((old = kedr_db_lock(r, product_lock_sql, id, version, "product",
                            &rc)) == NULL)
        return rc;
    if ((rc = kedr_db_exec(r, product_delete_sql, KEDR_PARAMS(id))) < 0)
        return catalog_db_fail(r, rc, NULL, "");
    if ((rc = catalog_record(r, "product", "deleted", old, NULL)) != 0)
        return rc;
    return 0; /* 204 */
}
