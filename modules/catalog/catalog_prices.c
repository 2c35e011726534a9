/*
 * catalog_prices.c -- price types (base, distributor, project,
 * recommended retail, ...) and prices: each price belongs to a product
 * and a price type and is valid from a date until the next price of the
 * same product and type.  Money is numeric(18,2) in PostgreSQL and a
 * decimal string in JSON ("1234.50").
 */
#include <string.h>

#include "catalog_int.h"

/* the JSON shapes of catalog_int.h over this file's aliases */
#define PRICE_JSON_PR_T CATALOG_PRICE_JSON("pr", "t")

/* ------------------------------------------------------------------ */
/* price types                                                         */
/* ------------------------------------------------------------------ */

/* Whether `s` is a price type code: [a-z][a-z0-9_]{0,31}. */
static bool
price_type_code_valid(const char *s)
{
    size_t n = strlen(s);

    if (n < 1 || n > 32 || s[0] < 'a' || s[0] > 'z')
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* Before a price type is written (the kit serves the rest): the code is
 * the key integrations use, so it has a strict shape (and the kit never
 * lets an update change it). */
static int
/* cppcheck-suppress constParameter -- the signature is the kit's hook */
price_type_validate(kedr_req_t *r, json_t *in, json_t *old)
{
    const char *code = json_string_value(json_object_get(in, "code"));

    if (old == NULL && (code == NULL || !price_type_code_valid(code)))
        return kedr_fail(r, KEDR_EINVAL, "code",
                         "1 to 32 characters: a-z, 0-9, _, a letter first");
    return 0;
}

static const char price_type_used_sql[] =
    "SELECT count(*) FROM catalog.price WHERE price_type_id = $1";

/* Before a price type is deleted: only one no price uses (409
 * otherwise: deactivate it instead). */
static int
price_type_before_write(kedr_req_t *r, const char *action, json_t *old,
                        json_t *in)
{
    const char *id;
    kedr_rows_t *rows;

    (void)in;
    if (strcmp(action, "deleted") != 0)
        return 0;
    id = catalog_int_text(r, json_object_get(old, "id"));
    if ((rows = kedr_db_query(r, price_type_used_sql, KEDR_PARAMS(id))) == NULL)
        return KEDR_EDB;
    if (strcmp(kedr_rows_get(rows, 0, 0), "0") != 0)
        return kedr_fail(r, KEDR_ECONFLICT, NULL,
                         "%s prices have this type: deactivate it instead",
                         kedr_rows_get(rows, 0, 0));
    return 0;
}

const struct kedr_entity_hooks catalog_price_type_hooks = {
    .validate = price_type_validate,
    .before_write = price_type_before_write,
};

/* ------------------------------------------------------------------ */
/* prices                                                              */
/* ------------------------------------------------------------------ */

/* A product's prices, newest first per type; `current` marks the one
 * valid today.  NULL when there is no such product. */
static const char price_list_sql[] =
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM catalog.product WHERE id = $1) "
    "THEN (SELECT coalesce(json_agg((" PRICE_JSON_PR_T "::jsonb || "
    "jsonb_build_object('current', pr.valid_from = (SELECT max(c.valid_from) "
    "FROM catalog.price c WHERE c.product_id = pr.product_id AND "
    "c.price_type_id = pr.price_type_id AND c.valid_from <= current_date))) "
    "ORDER BY t.sort, t.code, pr.valid_from DESC), '[]') FROM catalog.price "
    "pr JOIN catalog.price_type t ON t.id = pr.price_type_id WHERE "
    "pr.product_id = $1 AND ($2::text IS NULL OR t.code = $2)) END::text";

/* GET /products/:id/prices[?type=CODE] -- the price history. */
int
catalog_prices_list(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    const char *type = kedr_query(r, "type");
    const char *text;
    int rc;

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such product");
    if (type != NULL && *type == '\0')
        type = NULL;
    if ((rc = kedr_db_json(r, price_list_sql, KEDR_PARAMS(id, type), &text)) !=
        0)
        return rc;
    if (text == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such product");
    return kedr_reply_text(r, 200, text);
}

/* The product (locked against a concurrent delete) and the price type. */
static const char price_refs_sql[] =
    "SELECT (SELECT id FROM catalog.product WHERE id = $1 FOR SHARE), "
    "(SELECT id FROM catalog.price_type WHERE code = $2)";

static const char price_insert_sql[] =
    "WITH ins AS (INSERT INTO catalog.price (product_id, price_type_id, "
    "amount, currency, valid_from, created_by) VALUES ($1, $2, $3::numeric, "
    "coalesce($4, 'RUB'), $5::date, $6::bigint) ON CONFLICT ON CONSTRAINT "
    "price_validity DO NOTHING RETURNING *) SELECT " PRICE_JSON_PR_T "::text "
    "FROM ins pr JOIN catalog.price_type t ON t.id = pr.price_type_id";

/* POST /products/:id/prices {type, amount, currency, valid_from} -- a new
 * price from that date on; one per product, type and date (409). */
int
catalog_prices_create(kedr_req_t *r)
{
    json_t *body = kedr_body(r);
    const char *id = kedr_param_id(r, "id");
    const char *type = json_string_value(json_object_get(body, "type"));
    const char *amount = json_string_value(json_object_get(body, "amount"));
    const char *currency = json_string_value(json_object_get(body, "currency"));
    const char *row;
    kedr_rows_t *rows;
    json_t *new_;
    int rc;

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such product");
    if (amount[0] == '-')
        kedr_field_error(r, "amount", "must not be negative");
    if (currency != NULL && !catalog_currency_valid(currency))
        kedr_field_error(r, "currency",
                         "must be an ISO 4217 code of three capital letters "
                         "(\"RUB\")");
    if (amount[0] == '-' ||
        (currency != NULL && !catalog_currency_valid(currency)))
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    if ((rows = kedr_db_query(r, price_refs_sql, KEDR_PARAMS(id, type))) ==
        NULL)
        return KEDR_EDB;
    if (kedr_rows_isnull(rows, 0, 0))
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such product");
    if (kedr_rows_isnull(rows, 0, 1))
        return kedr_fail(r, KEDR_EINVAL, "type", "no price type \"%.40s\"",
                         type);
    rc = kedr_db_json(
        r, price_insert_sql,
        KEDR_PARAMS(id, kedr_rows_get(rows, 0, 1), amount, currency,
                    json_string_value(json_object_get(body, "valid_from")),
                    kedr_user_id_text(r)),
        &row);
    if (rc != 0)
        return rc;
    if (row == NULL)
        return kedr_fail(r, KEDR_ECONFLICT, "valid_from",
                         "the product has a price of this type from this "
                         "date");
    new_ = kedr_json_parse(r, row);
    if ((rc = kedr_record(r, "catalog.price", "created", NULL, new_, NULL)) !=
        0)
        return rc;
    return kedr_reply_text(r, 201, row);
}

static const char price_delete_sql[] =
    "WITH d AS (DELETE FROM catalog.price WHERE id = $2 AND product_id = $1 "
    "RETURNING *) SELECT " PRICE_JSON_PR_T "::text FROM d pr JOIN "
    "catalog.price_type t ON t.id = pr.price_type_id";

/* DELETE /products/:id/prices/:price_id -- a price entered by mistake. */
int
catalog_prices_delete(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    const char *price = kedr_param_id(r, "price_id");
    const char *row;
    int rc;

    if (id == NULL || price == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such price");
    if ((rc = kedr_db_json(r, price_delete_sql, KEDR_PARAMS(id, price),
                           &row)) != 0)
        return rc;
    if (row == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such price");
    if ((rc = kedr_record(r, "catalog.price", "deleted",
                          kedr_json_parse(r, row), NULL, NULL)) != 0)
        return rc;
    return 0; /* 204 */
}

/* The price valid on $3 (today when NULL): the latest valid_from on or
 * before it. */
static const char price_on_date_sql[] =
    "SELECT " PRICE_JSON_PR_T "::text FROM catalog.price pr JOIN "
    "catalog.price_type t ON t.id = pr.price_type_id WHERE pr.product_id = "
    "$1 AND t.code = $2 AND pr.valid_from <= coalesce($3::date, "
    "current_date) ORDER BY pr.valid_from DESC LIMIT 1";
static const char price_miss_sql[] =
    "SELECT EXISTS (SELECT 1 FROM catalog.product WHERE id = $1), EXISTS "
    "(SELECT 1 FROM catalog.price_type WHERE code = $2)";

/* GET /products/:id/price?type=CODE&date=YYYY-MM-DD -- the price of that
 * type valid on that date (today without one); 404 when none is. */
int
catalog_price_on_date(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    const char *type = kedr_query(r, "type");
    const char *date = kedr_query(r, "date");
    const char *row;
    kedr_rows_t *rows;
    int rc;

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such product");
    if (date != NULL && *date == '\0')
        date = NULL;
    if (type == NULL || *type == '\0')
        kedr_field_error(r, "type", "is required");
    if (date != NULL && !catalog_date_ok(date))
        kedr_field_error(r, "date", "must be a date (YYYY-MM-DD)");
    if (type == NULL || *type == '\0' ||
        (date != NULL && !catalog_date_ok(date)))
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid query");
    rc = kedr_db_json(r, price_on_date_sql, KEDR_PARAMS(id, type, date), &row);
    if (rc != 0)
        return rc;
    if (row != NULL)
        return kedr_reply_text(r, 200, row);
    if ((rows = kedr_db_query(r, price_miss_sql, KEDR_PARAMS(id, type))) ==
        NULL)
        return KEDR_EDB;
    if (strcmp(kedr_rows_get(rows, 0, 0), "t") != 0)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such product");
    if (strcmp(kedr_rows_get(rows, 0, 1), "t") != 0)
        return kedr_fail(r, KEDR_EINVAL, "type", "no price type \"%.40s\"",
                         type);
    return kedr_fail(r, KEDR_ENOTFOUND, NULL,
                     "no price of type \"%.40s\" is valid on %s", type,
                     date != NULL ? date : "this date");
}
