/*
 * catalog_products.c -- products.  The kit serves them from the
 * declaration in catalog.c (the list with its search, filters -- the
 * group with its subgroups, the external ids -- and sorts, one product
 * with today's prices, create, edit, delete); these hooks check what a
 * column spec cannot: the external ids and the attributes.
 */
#include <string.h>

#include "catalog_int.h"

/* Which products other than $1 hold the external ids of $2 that must be
 * unique (each has its index): {"ext.mdm": "is used by product 7"}. */
static const char product_ext_taken_sql[] =
    "SELECT jsonb_strip_nulls(jsonb_build_object('ext.mdm', (SELECT 'is "
    "used by product ' || p.id FROM catalog.product p WHERE p.ext ->> 'mdm' "
    "= $2::jsonb ->> 'mdm' AND p.id IS DISTINCT FROM $1::bigint), 'ext.c1', "
    "(SELECT 'is used by product ' || p.id FROM catalog.product p WHERE "
    "p.ext ->> 'c1' = $2::jsonb ->> 'c1' AND p.id IS DISTINCT FROM "
    "$1::bigint)))::text";

/* Columns the table never holds empty: null in a write keeps (or
 * defaults) them. */
static const char *const product_not_null[] = {"unit", "attributes", "active",
                                               "ext", NULL};

/* Before a product is written: external ids of the right shape (trimmed)
 * and free (409 naming the system), attributes of the right shape. */
static int
product_validate(kedr_req_t *r, json_t *in, json_t *old)
{
    json_t *ext = json_object_get(in, "ext");
    json_t *attrs = json_object_get(in, "attributes");
    const char *why, *field;
    kedr_rows_t *rows;

    for (int i = 0; product_not_null[i] != NULL; i++)
        if (json_is_null(json_object_get(in, product_not_null[i])))
            json_object_del(in, product_not_null[i]);
    if (json_is_object(ext) &&
        (why = catalog_ext_problem(r, ext, "ext", &field)) != NULL)
        return kedr_fail(r, KEDR_EINVAL, field, "%s", why);
    if (json_is_object(attrs) && (why = catalog_attributes_problem(
                                      r, attrs, "attributes", &field)) != NULL)
        return kedr_fail(r, KEDR_EINVAL, field, "%s", why);
    if (!json_is_object(ext))
        return 0;
    ext = catalog_ext_normalize(r, ext);
    json_object_set(in, "ext", ext);
    rows = kedr_db_query(
        r, product_ext_taken_sql,
        KEDR_PARAMS(catalog_int_text(r, json_object_get(old, "id")),
                    kedr_json_text(r, ext)));
    if (rows == NULL)
        return KEDR_EDB;
    if (catalog_field_errors(r, kedr_json_parse(r, kedr_rows_get(rows, 0, 0))) >
        0)
        return kedr_fail(r, KEDR_ECONFLICT, NULL,
                         "another product has the same external id");
    return 0;
}

const struct kedr_entity_hooks catalog_product_hooks = {
    .validate = product_validate,
};
