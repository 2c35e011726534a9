/*
 * catalog_int.h -- what the catalog module's files share: the JSON shapes
 * PostgreSQL builds (the import's, the same as the kit's records), small
 * helpers, and the hooks and handlers the descriptor in catalog.c lists.
 * Private to the module.
 */
#ifndef CATALOG_INT_H
#define CATALOG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <kedr.h>

/* ---------------------------------------------------------------------
 * JSON shapes, built by PostgreSQL.  The argument is the alias (or CTE
 * name) of a row with the table's columns.  Money is text ("1234.50").
 * --------------------------------------------------------------------- */

/* catalog.product_group */
#define CATALOG_GROUP_JSON(a)                                                  \
    "json_build_object('id', " a ".id, 'parent_id', " a ".parent_id, "         \
    "'code', " a ".code, 'name', " a ".name, 'kind', " a ".kind, "             \
    "'sort', " a ".sort, 'created_at', " a ".created_at, 'updated_at', " a     \
    ".updated_at, 'created_by', " a ".created_by, 'version', " a ".version)"

/* catalog.product, with its group's id, code and name */
#define CATALOG_PRODUCT_JSON(a)                                                \
    "json_build_object('id', " a ".id, 'sku', " a ".sku, 'name', " a           \
    ".name, 'group_id', " a ".group_id, 'group', (SELECT "                     \
    "json_build_object('id', gg.id, 'code', gg.code, 'name', gg.name) "        \
    "FROM catalog.product_group gg WHERE gg.id = " a ".group_id), "            \
    "'unit', " a ".unit, 'attributes', " a ".attributes, 'active', " a         \
    ".active, 'ext', " a ".ext, 'created_at', " a ".created_at, "              \
    "'updated_at', " a ".updated_at, 'created_by', " a ".created_by, "         \
    "'version', " a ".version)"

/* catalog.price_type */
/* catalog.price `a` with the code of its price type `t` */
#define CATALOG_PRICE_JSON(a, t)                                               \
    "json_build_object('id', " a ".id, 'product_id', " a ".product_id, "       \
    "'price_type_id', " a ".price_type_id, 'type', " t ".code, "               \
    "'amount', " a ".amount::text, 'currency', " a ".currency, "               \
    "'valid_from', " a ".valid_from, 'created_at', " a ".created_at, "         \
    "'updated_at', " a ".updated_at, 'created_by', " a ".created_by, "         \
    "'version', " a ".version)"

/* ---------------------------------------------------------------------
 * Computed members of the declared entities (SQL over the row alias t)
 * --------------------------------------------------------------------- */

/* A group's way from its root down to it: [{id, code, name}, ...]. */
#define CATALOG_GROUP_PATH_SQL                                                 \
    "SELECT jsonb_agg(jsonb_build_object('id', a.id, 'code', a.code, "         \
    "'name', a.name) ORDER BY a.depth DESC) FROM (WITH RECURSIVE up AS "       \
    "(SELECT x.id, x.parent_id, x.code, x.name, 0 AS depth FROM "              \
    "catalog.product_group x WHERE x.id = t.id UNION ALL SELECT x.id, "        \
    "x.parent_id, x.code, x.name, up.depth + 1 FROM catalog.product_group x "  \
    "JOIN up ON x.id = up.parent_id) SELECT * FROM up) a"

/* A product's price of each price type valid today. */
#define CATALOG_CURRENT_PRICES_SQL                                             \
    "SELECT coalesce(jsonb_agg(jsonb_build_object('type', pt.code, "           \
    "'type_name', pt.name, 'type_name_en', pt.name_en, 'amount', "             \
    "c.amount::text, 'currency', c.currency, 'valid_from', c.valid_from) "     \
    "ORDER BY pt.sort, pt.code), '[]') FROM catalog.price_type pt CROSS JOIN " \
    "LATERAL (SELECT pr.amount, pr.currency, pr.valid_from FROM "              \
    "catalog.price pr WHERE pr.product_id = t.id AND pr.price_type_id = "      \
    "pt.id AND pr.valid_from <= current_date ORDER BY pr.valid_from DESC "     \
    "LIMIT 1) c"

/* ---------------------------------------------------------------------
 * helpers (catalog_util.c)
 * --------------------------------------------------------------------- */

/* Whether `s` is an amount: digits, optionally '.' and one or two
 * digits, at most 16 integer digits, no sign. */
bool catalog_money_ok(const char *s);

/* Whether `s` is a calendar date YYYY-MM-DD. */
bool catalog_date_ok(const char *s);

/* Whether `s` is an ISO 4217 style currency code (three capitals). */
bool catalog_currency_valid(const char *s);

/*
 * Check an external-ids object: keys [a-z][a-z0-9_]{0,31}, values
 * non-blank strings of at most 100 characters.  Returns NULL when it is
 * fine, else the message, with the field (`prefix` or `prefix.key`) in
 * *field (arena).
 */
const char *catalog_ext_problem(kedr_req_t *r, json_t *ext, const char *prefix,
                                const char **field);

/* Check an attributes object: at most 200 keys of 1 to 100 characters,
 * values strings, numbers, booleans or null.  As catalog_ext_problem. */
const char *catalog_attributes_problem(kedr_req_t *r, json_t *attrs,
                                       const char *prefix, const char **field);

/*
 * Normalise an external-ids object (checked by catalog_ext_problem):
 * values trimmed.  A new object owned by the request; NULL for NULL.
 */
json_t *catalog_ext_normalize(kedr_req_t *r, json_t *ext);

/*
 * After a failed database call: turn a unique violation (23505) into 409
 * naming `field`, a foreign-key violation (23503) into 409 "in use", and
 * return the call's code otherwise.
 */
int catalog_db_fail(kedr_req_t *r, int rc, const char *field,
                    const char *conflict_msg);

/* Record field errors for every member of a JSON object of
 * {field: message}; returns how many. */
int catalog_field_errors(kedr_req_t *r, json_t *fields);

/* A JSON integer as text; NULL for anything else (NULL, null). */
const char *catalog_int_text(kedr_req_t *r, json_t *v);

/* ---------------------------------------------------------------------
 * hooks of the declared entities (catalog.c) and handlers
 * --------------------------------------------------------------------- */

/* catalog_groups.c */
extern const struct kedr_entity_hooks catalog_group_hooks;
int catalog_groups_tree(kedr_req_t *r);

/* catalog_products.c */
extern const struct kedr_entity_hooks catalog_product_hooks;

/* catalog_prices.c */
extern const struct kedr_entity_hooks catalog_price_type_hooks;
int catalog_prices_list(kedr_req_t *r);
int catalog_prices_create(kedr_req_t *r);
int catalog_prices_delete(kedr_req_t *r);
int catalog_price_on_date(kedr_req_t *r);

/* catalog_import.c */
int catalog_import_products(kedr_req_t *r);

/* catalog_import_sf.c: Product2, Pricebook2, PricebookEntry of a
 * Salesforce export (kedr migrate salesforce) */
extern const struct kedr_migrator catalog_importers[];

#endif /* CATALOG_INT_H */
