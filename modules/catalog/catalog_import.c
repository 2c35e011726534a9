/*
 * catalog_import.c -- bulk upsert of products from a master-data system
 * (or 1C): POST /import/products with a JSON array, matched by an
 * external id, idempotent, with a result per row.
 *
 * The work is set-based: a few statements per request whatever the
 * number of rows (jsonb_to_recordset, INSERT ... ON CONFLICT, UPDATE ...
 * FROM), never a query per row -- except the audit rows and events of
 * the records that actually changed, which the module API writes one at
 * a time.
 *
 *   1. each row's shape is checked here (types, lengths, money, dates,
 *      price types); a bad row gets its field errors;
 *   2. one statement matches the remaining rows to products (by
 *      ext.<key>; failing that, by SKU a product without ext.<key>) and
 *      finds what would clash: SKU or external id of another product,
 *      repeats within the array, unknown group codes;
 *   3. groups named by path that do not exist yet are created, one
 *      statement per level;
 *   4. one statement inserts the new products and updates the changed
 *      ones (a row equal to its product changes nothing);
 *   5. one statement upserts the prices (a price equal to the stored one
 *      changes nothing);
 *   6. every created or changed record is audited and its event emitted.
 *
 * Mode "partial" (the default) saves the valid rows and reports the bad
 * ones; "atomic" saves nothing when any row is bad (422, fields named
 * "[index].field").  Nothing is written before every check has run, so
 * a bad row never leaves a group or a price behind in either mode.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

/* the JSON shapes of catalog_int.h over this file's aliases */
#define GROUP_JSON_G CATALOG_GROUP_JSON("g")
#define PRICE_JSON_C_T CATALOG_PRICE_JSON("c", "t")
#define PRICE_JSON_W_T CATALOG_PRICE_JSON("w", "t")
#define PRODUCT_JSON_I CATALOG_PRODUCT_JSON("i")
#define PRODUCT_JSON_O CATALOG_PRODUCT_JSON("o")
#define PRODUCT_JSON_U CATALOG_PRODUCT_JSON("u")

#define IMPORT_MAX_ROWS 5000
#define IMPORT_MAX_DEPTH 8
#define IMPORT_MAX_PRICES 100

/* What the request learns about one row of the array. */
struct import_row {
    json_t *result; /* {index, status, id, errors}: in the results array */
    json_t *errors; /* {field: message}; empty when the row is good */
    json_t *norm;   /* the normalised row for SQL, NULL when bad */
    json_int_t id;  /* the product, 0 while unknown */
    const char *status;
};

/* Record a field error of a row (the first message per field stays). */
static void
row_error(struct import_row *row, const char *field, const char *msg)
{
    if (json_object_get(row->errors, field) == NULL)
        json_object_set_new(row->errors, field, json_string(msg));
}

/* Characters of a UTF-8 string. */
static size_t
utf8_len(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/*
 * A string member `key` of `obj`, trimmed, checked: NULL when absent or
 * null (an error when `required`) or bad (error recorded under `field`).
 */
static const char *
row_string(kedr_req_t *r, struct import_row *row, json_t *obj, const char *key,
           const char *field, size_t max, bool required)
{
    json_t *v = json_object_get(obj, key);
    const char *s;

    if (v == NULL || json_is_null(v)) {
        if (required)
            row_error(row, field, "is required");
        return NULL;
    }
    if (!json_is_string(v)) {
        row_error(row, field, "must be a string");
        return NULL;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        row_error(row, field, "must not contain NUL characters");
        return NULL;
    }
    s = kedr_trim(r, json_string_value(v));
    if (*s == '\0') {
        row_error(row, field, "must not be empty");
        return NULL;
    }
    if (utf8_len(s) > max) {
        row_error(row, field, "is too long");
        return NULL;
    }
    return s;
}

/* Whether the JSON array `list` holds the string `s`. */
static bool
list_has(json_t *list, const char *s)
{
    size_t i;
    json_t *v;

    json_array_foreach (list, i, v)
        if (strcmp(json_string_value(v), s) == 0)
            return true;
    return false;
}

/* Check and normalise a row's "group_path": 1 to 8 names from the root.
 * Returns the new array or NULL (absent, or bad: error recorded). */
static json_t *
row_group_path(kedr_req_t *r, struct import_row *row, json_t *obj)
{
    json_t *v = json_object_get(obj, "group_path"), *out, *e;
    size_t i;

    if (v == NULL || json_is_null(v))
        return NULL;
    if (!json_is_array(v) || json_array_size(v) < 1 ||
        json_array_size(v) > IMPORT_MAX_DEPTH) {
        row_error(row, "group_path",
                  "must be a list of 1 to 8 group names from the root");
        return NULL;
    }
    out = kedr_json_keep(r, json_array());
    json_array_foreach (v, i, e) {
        const char *field = kedr_sprintf(r, "group_path[%zu]", i);
        const char *s;

        if (!json_is_string(e)) {
            row_error(row, field, "must be a string");
            return NULL;
        }
        s = kedr_trim(r, json_string_value(e));
        if (strlen(json_string_value(e)) != json_string_length(e) ||
            *s == '\0' || utf8_len(s) > 200) {
            row_error(row, field,
                      "must be a group name of 1 to 200 "
                      "characters");
            return NULL;
        }
        json_array_append_new(out, json_string(s));
    }
    return out;
}

/* Check and normalise a row's "prices": [{type, amount, currency,
 * valid_from}].  Returns the new array or NULL (absent, or bad). */
static json_t *
row_prices(kedr_req_t *r, struct import_row *row, json_t *obj, json_t *types)
{
    json_t *v = json_object_get(obj, "prices"), *out, *p;
    size_t i;
    int bad = 0;

    if (v == NULL || json_is_null(v))
        return NULL;
    if (!json_is_array(v) || json_array_size(v) > IMPORT_MAX_PRICES) {
        row_error(row, "prices", "must be a list of at most 100 prices");
        return NULL;
    }
    out = kedr_json_keep(r, json_array());
    json_array_foreach (v, i, p) {
        const char *at = kedr_sprintf(r, "prices[%zu]", i);
        const char *type, *amount, *currency, *from, *k;
        json_t *x, *q;
        size_t j;

        if (!json_is_object(p)) {
            row_error(row, at, "must be an object");
            bad++;
            continue;
        }
        json_object_foreach (p, k, x)
            if (strcmp(k, "type") != 0 && strcmp(k, "amount") != 0 &&
                strcmp(k, "currency") != 0 && strcmp(k, "valid_from") != 0) {
                row_error(row, kedr_sprintf(r, "%s.%.40s", at, k),
                          "unknown field");
                bad++;
            }
        type = row_string(r, row, p, "type", kedr_sprintf(r, "%s.type", at), 32,
                          true);
        amount = row_string(r, row, p, "amount",
                            kedr_sprintf(r, "%s.amount", at), 40, true);
        currency = row_string(r, row, p, "currency",
                              kedr_sprintf(r, "%s.currency", at), 3, false);
        from = row_string(r, row, p, "valid_from",
                          kedr_sprintf(r, "%s.valid_from", at), 10, true);
        if (type != NULL && !list_has(types, type))
            row_error(row, kedr_sprintf(r, "%s.type", at),
                      "no such price type");
        if (amount != NULL && !catalog_money_ok(amount))
            row_error(row, kedr_sprintf(r, "%s.amount", at),
                      "must be an amount as a decimal string (\"1234.50\"), "
                      "not negative");
        if (currency != NULL && !catalog_currency_valid(currency))
            row_error(row, kedr_sprintf(r, "%s.currency", at),
                      "must be an ISO 4217 code of three capital letters");
        if (from != NULL && !catalog_date_ok(from))
            row_error(row, kedr_sprintf(r, "%s.valid_from", at),
                      "must be a date (YYYY-MM-DD)");
        if (type == NULL || amount == NULL || from == NULL ||
            !list_has(types, type) || !catalog_money_ok(amount) ||
            (currency != NULL && !catalog_currency_valid(currency)) ||
            !catalog_date_ok(from)) {
            bad++;
            continue;
        }
        json_array_foreach (out, j, q)
            if (strcmp(json_string_value(json_object_get(q, "type")), type) ==
                    0 &&
                strcmp(json_string_value(json_object_get(q, "valid_from")),
                       from) == 0) {
                row_error(row, at,
                          kedr_sprintf(r,
                                       "repeats prices[%lld]: the same type "
                                       "and date",
                                       (long long)json_integer_value(
                                           json_object_get(q, "at"))));
                bad++;
                break;
            }
        q = json_pack("{s:s, s:s, s:s?, s:s, s:I}", "type", type, "amount",
                      amount, "currency", currency, "valid_from", from, "at",
                      (json_int_t)i);
        json_array_append_new(out, q);
    }
    if (bad > 0)
        return NULL;
    /* "at" only served the repeat check */
    json_array_foreach (out, i, p)
        json_object_del(p, "at");
    return out;
}

static const char *const import_fields[] = {
    "ext",  "sku",    "name",       "group_code", "group_path",
    "unit", "active", "attributes", "prices",     NULL,
};

/*
 * Check row `i` of the array and build its normalised form in row->norm
 * (NULL when it has errors):
 * {idx, kv, sku, name, ext, group_code, group_path, unit, attributes,
 *  active, prices}, members absent when the row leaves them out.
 */
static void
row_check(kedr_req_t *r, struct import_row *row, size_t i, json_t *src,
          const char *key, json_t *types)
{
    const char *sku, *name, *unit, *code, *why, *field, *k, *kv = NULL;
    json_t *ext = json_object_get(src, "ext"), *path, *prices, *v, *n;

    if (!json_is_object(src)) {
        row_error(row, "", "must be an object");
        return;
    }
    json_object_foreach (src, k, v) {
        size_t f;

        for (f = 0; import_fields[f] != NULL; f++)
            if (strcmp(import_fields[f], k) == 0)
                break;
        if (import_fields[f] == NULL)
            row_error(row, kedr_sprintf(r, "%.60s", k), "unknown field");
    }
    if (ext == NULL || json_is_null(ext))
        row_error(row, kedr_sprintf(r, "ext.%s", key),
                  "is required: rows are matched by it");
    else if ((why = catalog_ext_problem(r, ext, "ext", &field)) != NULL)
        row_error(row, field, why);
    else if ((ext = catalog_ext_normalize(r, ext)) != NULL &&
             (kv = json_string_value(json_object_get(ext, key))) == NULL)
        row_error(row, kedr_sprintf(r, "ext.%s", key),
                  "is required: rows are matched by it");
    sku = row_string(r, row, src, "sku", "sku", 100, true);
    name = row_string(r, row, src, "name", "name", 500, true);
    unit = row_string(r, row, src, "unit", "unit", 20, false);
    code = row_string(r, row, src, "group_code", "group_code", 64, false);
    path = row_group_path(r, row, src);
    if (code != NULL && path != NULL)
        row_error(row, "group_path",
                  "give group_code or group_path, not "
                  "both");
    v = json_object_get(src, "active");
    if (v != NULL && !json_is_null(v) && !json_is_boolean(v))
        row_error(row, "active", "must be true or false");
    v = json_object_get(src, "attributes");
    if (v != NULL && !json_is_null(v) &&
        (why = catalog_attributes_problem(r, v, "attributes", &field)) != NULL)
        row_error(row, field, why);
    prices = row_prices(r, row, src, types);
    if (json_object_size(row->errors) > 0)
        return;
    n = kedr_json_keep(r, json_object());
    json_object_set_new(n, "idx", json_integer((json_int_t)i));
    json_object_set_new(n, "kv", json_string(kv));
    json_object_set_new(n, "sku", json_string(sku));
    json_object_set_new(n, "name", json_string(name));
    json_object_set(n, "ext", ext);
    if (code != NULL)
        json_object_set_new(n, "group_code", json_string(code));
    if (path != NULL)
        json_object_set(n, "group_path", path);
    if (unit != NULL)
        json_object_set_new(n, "unit", json_string(unit));
    v = json_object_get(src, "attributes");
    if (json_is_object(v))
        json_object_set(n, "attributes", v);
    v = json_object_get(src, "active");
    if (json_is_boolean(v))
        json_object_set(n, "active", v);
    if (prices != NULL && json_array_size(prices) > 0)
        json_object_set(n, "prices", prices);
    row->norm = n;
}

static const char import_types_sql[] =
    "SELECT coalesce(json_agg(code), '[]')::text FROM catalog.price_type";

/*
 * Match rows to products and find clashes, for key "mdm" or "c1" (a
 * literal in each statement, so the expression indexes serve it).  $1
 * the normalised rows.  Answers [{idx, pid, errors}].
 */
#define IMPORT_CHECK_SQL(key)                                                  \
    "WITH r AS (SELECT x.* FROM jsonb_to_recordset($1::jsonb) AS x (idx "      \
    "int, kv text, sku text, ext jsonb, group_code text)), "                   \
    "m AS (SELECT r.*, coalesce((SELECT p.id FROM catalog.product p WHERE "    \
    "p.ext ->> '" key "' = r.kv), (SELECT p.id FROM catalog.product p "        \
    "WHERE p.sku = r.sku AND NOT p.ext ? '" key "')) AS pid FROM r), "         \
    "d AS (SELECT m.*, first_value(m.idx) OVER (PARTITION BY m.sku ORDER BY "  \
    "m.idx) AS sku_first, first_value(m.idx) OVER (PARTITION BY "              \
    "m.ext ->> 'mdm' ORDER BY m.idx) AS mdm_first, first_value(m.idx) OVER "   \
    "(PARTITION BY m.ext ->> 'c1' ORDER BY m.idx) AS c1_first FROM m) "        \
    "SELECT coalesce(json_agg(json_build_object('idx', d.idx, 'pid', d.pid, "  \
    "'errors', jsonb_strip_nulls(jsonb_build_object("                          \
    "'sku', CASE WHEN d.sku_first <> d.idx THEN 'repeats row ' || "            \
    "d.sku_first ELSE (SELECT 'is used by product ' || p.id FROM "             \
    "catalog.product p WHERE p.sku = d.sku AND p.id IS DISTINCT FROM d.pid) "  \
    "END, "                                                                    \
    "'ext.mdm', CASE WHEN NOT d.ext ? 'mdm' THEN NULL WHEN d.mdm_first <> "    \
    "d.idx THEN 'repeats row ' || d.mdm_first ELSE (SELECT 'is used by "       \
    "product ' || p.id FROM catalog.product p WHERE p.ext ->> 'mdm' = "        \
    "d.ext ->> 'mdm' AND p.id IS DISTINCT FROM d.pid) END, "                   \
    "'ext.c1', CASE WHEN NOT d.ext ? 'c1' THEN NULL WHEN d.c1_first <> "       \
    "d.idx THEN 'repeats row ' || d.c1_first ELSE (SELECT 'is used by "        \
    "product ' || p.id FROM catalog.product p WHERE p.ext ->> 'c1' = "         \
    "d.ext ->> 'c1' AND p.id IS DISTINCT FROM d.pid) END, "                    \
    "'group_code', CASE WHEN d.group_code IS NOT NULL AND NOT EXISTS ("        \
    "SELECT 1 FROM catalog.product_group g WHERE g.code = d.group_code) "      \
    "THEN 'no group with this code' END))) ORDER BY d.idx), '[]')::text "      \
    "FROM d"

static const char import_check_mdm_sql[] = IMPORT_CHECK_SQL("mdm");
static const char import_check_c1_sql[] = IMPORT_CHECK_SQL("c1");

/*
 * Create the groups of level `$2` that the paths in $1 name and that do
 * not exist yet (their parents exist: the level above ran first).
 * Answers the created groups.
 */
static const char import_groups_sql[] =
    "WITH w AS (SELECT DISTINCT (ARRAY(SELECT e FROM "
    "jsonb_array_elements_text(p.value) WITH ORDINALITY a (e, o) ORDER BY "
    "o))[1:$2::int] AS pre FROM jsonb_array_elements($1::jsonb) p WHERE "
    "jsonb_array_length(p.value) >= $2::int), ins AS (INSERT INTO "
    "catalog.product_group (parent_id, name, kind, created_by) SELECT CASE "
    "WHEN $2::int = 1 THEN NULL ELSE catalog.group_by_path(w.pre[1:$2::int - "
    "1]) END, w.pre[$2::int], CASE $2::int WHEN 1 THEN 'brand' WHEN 2 THEN "
    "'series' ELSE 'group' END, $3::bigint FROM w WHERE "
    "catalog.group_by_path(w.pre) IS NULL ORDER BY w.pre RETURNING *) SELECT "
    "coalesce(json_agg(" GROUP_JSON_G " ORDER BY g.id), '[]')::text FROM ins g";

/*
 * Insert the new products and update the changed ones.  $1 the good
 * rows, each with "pid" (the matched product or null), $2 created_by.
 * A member a row leaves out keeps the product's value (a default for a
 * new one); ext is merged key by key; attributes are replaced.
 * Answers [{idx, id, status, old, new}] for the rows that changed.
 */
static const char import_products_sql[] =
    "WITH s AS (SELECT x.*, (x.group_code IS NOT NULL OR x.group_path IS NOT "
    "NULL) AS has_group, CASE WHEN x.group_code IS NOT NULL THEN (SELECT "
    "g.id FROM catalog.product_group g WHERE g.code = x.group_code) WHEN "
    "x.group_path IS NOT NULL THEN catalog.group_by_path(ARRAY(SELECT e FROM "
    "jsonb_array_elements_text(x.group_path) WITH ORDINALITY a (e, o) ORDER "
    "BY o)) END AS gid FROM jsonb_to_recordset($1::jsonb) AS x (idx int, pid "
    "bigint, sku text, name text, ext jsonb, group_code text, group_path "
    "jsonb, unit text, attributes jsonb, active boolean)), n AS (SELECT "
    "s.idx, s.pid, s.sku, s.name, CASE WHEN s.has_group THEN s.gid ELSE "
    "o.group_id END AS group_id, coalesce(s.unit, o.unit, 'шт') AS unit, "
    "coalesce(s.attributes, o.attributes, '{}') AS attributes, "
    "coalesce(s.active, o.active, true) AS active, coalesce(o.ext, '{}') || "
    "s.ext AS ext, CASE WHEN o.id IS NOT NULL THEN " PRODUCT_JSON_O " END AS "
    "old FROM s LEFT JOIN catalog.product o ON o.id = s.pid), u AS (UPDATE "
    "catalog.product p SET sku = n.sku, name = n.name, group_id = "
    "n.group_id, unit = n.unit, attributes = n.attributes, active = "
    "n.active, ext = n.ext, version = p.version + 1, updated_at = now() FROM "
    "n WHERE n.pid IS NOT NULL AND p.id = n.pid AND (p.sku, p.name, "
    "p.group_id, p.unit, p.attributes, p.active, p.ext) IS DISTINCT FROM "
    "(n.sku, n.name, n.group_id, n.unit, n.attributes, n.active, n.ext) "
    "RETURNING n.idx, n.old, p.*), i AS (INSERT INTO catalog.product (sku, "
    "name, group_id, unit, attributes, active, ext, created_by) SELECT "
    "n.sku, n.name, n.group_id, n.unit, n.attributes, n.active, n.ext, "
    "$2::bigint FROM n WHERE n.pid IS NULL ORDER BY n.idx RETURNING *) "
    "SELECT coalesce(json_agg(z ORDER BY z.idx), '[]')::text FROM (SELECT "
    "n.idx, i.id, 'created' AS status, NULL::json AS old, " PRODUCT_JSON_I
    " AS new FROM i JOIN n ON n.pid IS NULL AND n.sku = i.sku UNION ALL "
    "SELECT u.idx, u.id, 'updated', u.old, " PRODUCT_JSON_U " FROM u) z";

/*
 * Upsert prices: $1 [{idx, product_id, prices: [{type, amount, currency,
 * valid_from}]}], $2 created_by.  A price of the same product, type and
 * date is replaced when its amount or currency differ.  Answers [{idx,
 * action, old, new}] for the prices created or changed.
 */
static const char import_prices_sql[] =
    "WITH s AS (SELECT x.idx, x.product_id, e.value AS pr FROM "
    "jsonb_to_recordset($1::jsonb) AS x (idx int, product_id bigint, prices "
    "jsonb) CROSS JOIN LATERAL jsonb_array_elements(x.prices) e), v AS "
    "(SELECT s.idx, s.product_id, t.id AS price_type_id, (s.pr ->> "
    "'amount')::numeric(18, 2) AS amount, coalesce(s.pr ->> 'currency', "
    "'RUB') AS currency, (s.pr ->> 'valid_from')::date AS valid_from FROM s "
    "JOIN catalog.price_type t ON t.code = s.pr ->> 'type'), o AS (SELECT "
    "c.id, " PRICE_JSON_C_T " AS old FROM v JOIN catalog.price c ON "
    "c.product_id = v.product_id AND c.price_type_id = v.price_type_id AND "
    "c.valid_from = v.valid_from JOIN catalog.price_type t ON t.id = "
    "c.price_type_id), w AS (INSERT INTO catalog.price AS c (product_id, "
    "price_type_id, amount, currency, valid_from, created_by) SELECT "
    "v.product_id, v.price_type_id, v.amount, v.currency, v.valid_from, "
    "$2::bigint FROM v ORDER BY v.idx ON CONFLICT ON CONSTRAINT "
    "price_validity DO UPDATE SET amount = EXCLUDED.amount, currency = "
    "EXCLUDED.currency, version = c.version + 1, updated_at = now() WHERE "
    "(c.amount, c.currency) IS DISTINCT FROM (EXCLUDED.amount, "
    "EXCLUDED.currency) RETURNING c.*) SELECT "
    "coalesce(json_agg(json_build_object('idx', v.idx, 'action', CASE WHEN "
    "o.id IS NULL THEN 'created' ELSE 'updated' END, 'old', o.old, "
    "'new', " PRICE_JSON_W_T
    ") ORDER BY v.idx, w.id), '[]')::text FROM w JOIN v ON "
    "v.product_id = w.product_id AND v.price_type_id = w.price_type_id AND "
    "v.valid_from = w.valid_from JOIN catalog.price_type t ON t.id = "
    "w.price_type_id LEFT JOIN o ON o.id = w.id";

/* Run a statement answering a JSON array; the array (owned) or NULL with
 * *rc set (409 for a unique violation). */
static json_t *
import_query(kedr_req_t *r, const char *sql, int n, const char *const *params,
             int *rc)
{
    const char *text;

    if ((*rc = kedr_db_json(r, sql, n, params, &text)) != 0) {
        /* a concurrent request wrote the same keys after our checks */
        *rc = catalog_db_fail(r, *rc, NULL,
                              "another request changed the same records: "
                              "send the array again");
        return NULL;
    }
    return kedr_json_parse(r, text != NULL ? text : "[]");
}

/* Stage 3: create the groups the good rows' paths name.  Returns 0 or a
 * failing call's code. */
static int
import_groups(kedr_req_t *r, struct import_row *rows, size_t n)
{
    json_t *paths = kedr_json_keep(r, json_array()), *made, *g, *p;
    size_t depth = 0, i, j;
    int rc;

    for (i = 0; i < n; i++) {
        json_t *path = json_object_get(rows[i].norm, "group_path");
        bool seen = false;

        if (path == NULL)
            continue;
        json_array_foreach (paths, j, p)
            if (json_equal(p, path)) {
                seen = true;
                break;
            }
        if (!seen)
            json_array_append(paths, path);
        if (json_array_size(path) > depth)
            depth = json_array_size(path);
    }
    for (size_t level = 1; level <= depth; level++) {
        made = import_query(r, import_groups_sql,
                            KEDR_PARAMS(kedr_json_text(r, paths),
                                        kedr_sprintf(r, "%zu", level),
                                        kedr_user_id_text(r)),
                            &rc);
        if (made == NULL)
            return rc;
        json_array_foreach (made, j, g)
            if ((rc = kedr_record(r, "catalog.group", "created", NULL, g,
                                  NULL)) != 0)
                return rc;
    }
    return 0;
}

/* The row whose index is the member "idx" of `v`, or NULL. */
static struct import_row *
row_at(struct import_row *rows, size_t n, json_t *v)
{
    json_int_t idx = json_integer_value(json_object_get(v, "idx"));

    return idx >= 0 && (size_t)idx < n ? &rows[idx] : NULL;
}

/* Stages 4 to 6: write the good rows, audit and emit what changed, set
 * each row's status and id.  Returns 0 or a failing call's code. */
static int
import_write(kedr_req_t *r, struct import_row *rows, size_t n)
{
    json_t *good = kedr_json_keep(r, json_array());
    json_t *priced = kedr_json_keep(r, json_array());
    json_t *changed, *v, *old;
    struct import_row *row;
    size_t i;
    int rc;

    for (i = 0; i < n; i++)
        if (rows[i].norm != NULL)
            json_array_append(good, rows[i].norm);
    if (json_array_size(good) == 0)
        return 0;
    if ((rc = import_groups(r, rows, n)) != 0)
        return rc;
    changed = import_query(
        r, import_products_sql,
        KEDR_PARAMS(kedr_json_text(r, good), kedr_user_id_text(r)), &rc);
    if (changed == NULL)
        return rc;
    json_array_foreach (changed, i, v) {
        if ((row = row_at(rows, n, v)) == NULL)
            continue;
        row->id = json_integer_value(json_object_get(v, "id"));
        row->status = json_string_value(json_object_get(v, "status"));
        old = json_object_get(v, "old");
        rc = kedr_record(r, "catalog.product", row->status,
                         json_is_null(old) ? NULL : old,
                         json_object_get(v, "new"), NULL);
        if (rc != 0)
            return rc;
    }
    for (i = 0; i < n; i++) {
        json_t *prices = json_object_get(rows[i].norm, "prices");

        if (rows[i].norm == NULL)
            continue;
        if (rows[i].status == NULL)
            rows[i].status = "unchanged";
        if (prices != NULL)
            json_array_append_new(
                priced, json_pack("{s:I, s:I, s:O}", "idx", (json_int_t)i,
                                  "product_id", rows[i].id, "prices", prices));
    }
    if (json_array_size(priced) == 0)
        return 0;
    changed = import_query(
        r, import_prices_sql,
        KEDR_PARAMS(kedr_json_text(r, priced), kedr_user_id_text(r)), &rc);
    if (changed == NULL)
        return rc;
    json_array_foreach (changed, i, v) {
        const char *action = json_string_value(json_object_get(v, "action"));

        if ((row = row_at(rows, n, v)) == NULL)
            continue;
        if (strcmp(row->status, "unchanged") == 0)
            row->status = "updated";
        old = json_object_get(v, "old");
        rc = kedr_record(r, "catalog.price", action,
                         json_is_null(old) ? NULL : old,
                         json_object_get(v, "new"), NULL);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Stage 2: match rows to products and take the clashes the database
 * finds.  Returns 0 or a failing call's code. */
static int
import_match(kedr_req_t *r, struct import_row *rows, size_t n, const char *key)
{
    json_t *cand = kedr_json_keep(r, json_array()), *found, *v, *errs, *e;
    const char *k;
    size_t i;
    int rc;

    for (i = 0; i < n; i++)
        if (rows[i].norm != NULL)
            json_array_append(cand, rows[i].norm);
    if (json_array_size(cand) == 0)
        return 0;
    found = import_query(
        r, strcmp(key, "c1") == 0 ? import_check_c1_sql : import_check_mdm_sql,
        KEDR_PARAMS(kedr_json_text(r, cand)), &rc);
    if (found == NULL)
        return rc;
    json_array_foreach (found, i, v) {
        struct import_row *row = row_at(rows, n, v);

        if (row == NULL)
            continue;
        row->id = json_integer_value(json_object_get(v, "pid"));
        errs = json_object_get(v, "errors");
        json_object_foreach (errs, k, e)
            row_error(row, k, json_string_value(e));
        if (json_object_size(row->errors) > 0)
            row->norm = NULL;
        else
            json_object_set_new(row->norm, "pid",
                                row->id > 0 ? json_integer(row->id)
                                            : json_null());
    }
    return 0;
}

/* The answer: counts and a result per row, in the array's order. */
static int
import_reply(kedr_req_t *r, struct import_row *rows, size_t n, json_t *results)
{
    json_int_t created = 0, updated = 0, unchanged = 0, failed = 0;

    for (size_t i = 0; i < n; i++) {
        json_t *res = rows[i].result;

        if (json_object_size(rows[i].errors) > 0) {
            rows[i].status = "error";
            failed++;
            json_object_set(res, "errors", rows[i].errors);
        } else if (strcmp(rows[i].status, "created") == 0) {
            created++;
        } else if (strcmp(rows[i].status, "updated") == 0) {
            updated++;
        } else {
            unchanged++;
        }
        json_object_set_new(res, "status", json_string(rows[i].status));
        json_object_set_new(
            res, "id", rows[i].id > 0 ? json_integer(rows[i].id) : json_null());
    }
    return kedr_reply_json(r, 200,
                           json_pack("{s:I, s:I, s:I, s:I, s:O}", "created",
                                     created, "updated", updated, "unchanged",
                                     unchanged, "errors", failed, "results",
                                     results));
}

/*
 * POST /import/products[?key=mdm|c1][&mode=partial|atomic] with a JSON
 * array of products -> {created, updated, unchanged, errors, results:
 * [{index, status, id, errors}]}.  See README.md for the row format.
 */
int
catalog_import_products(kedr_req_t *r)
{
    json_t *body = kedr_body(r), *results, *types;
    const char *key = kedr_query(r, "key");
    const char *mode = kedr_query(r, "mode");
    struct import_row *rows;
    size_t n, i;
    bool atomic;
    int rc, bad = 0;

    if (key == NULL || *key == '\0')
        key = "mdm";
    if (mode == NULL || *mode == '\0')
        mode = "partial";
    if (strcmp(key, "mdm") != 0 && strcmp(key, "c1") != 0) {
        kedr_field_error(r, "key", "must be \"mdm\" or \"c1\"");
        bad++;
    }
    if (strcmp(mode, "partial") != 0 && strcmp(mode, "atomic") != 0) {
        kedr_field_error(r, "mode", "must be \"partial\" or \"atomic\"");
        bad++;
    }
    if (bad > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid query");
    atomic = strcmp(mode, "atomic") == 0;
    if (!json_is_array(body))
        return kedr_fail(r, KEDR_EINVAL, NULL,
                         "the body must be a JSON array of products");
    n = json_array_size(body);
    if (n > IMPORT_MAX_ROWS)
        return kedr_fail(r, KEDR_ETOOLARGE, NULL, "at most %d rows per request",
                         IMPORT_MAX_ROWS);
    types = import_query(r, import_types_sql, 0, NULL, &rc);
    if (types == NULL)
        return rc;
    results = kedr_json_keep(r, json_array());
    rows = kedr_alloc(r, (n ? n : 1) * sizeof(*rows));
    for (i = 0; i < n; i++) {
        rows[i].result = json_pack("{s:I}", "index", (json_int_t)i);
        json_array_append_new(results, rows[i].result);
        rows[i].errors = kedr_json_keep(r, json_object());
        rows[i].norm = NULL;
        rows[i].id = 0;
        rows[i].status = NULL;
        row_check(r, &rows[i], i, json_array_get(body, i), key, types);
    }
    if ((rc = import_match(r, rows, n, key)) != 0)
        return rc;
    if (atomic) {
        for (i = 0; i < n; i++) {
            const char *k;
            json_t *e;

            json_object_foreach (rows[i].errors, k, e) {
                kedr_field_error(r,
                                 *k != '\0' ? kedr_sprintf(r, "[%zu].%s", i, k)
                                            : kedr_sprintf(r, "[%zu]", i),
                                 json_string_value(e));
                bad++;
            }
        }
        if (bad > 0)
            return kedr_fail(r, KEDR_EINVAL, NULL,
                             "invalid rows: nothing was imported");
    }
    if ((rc = import_write(r, rows, n)) != 0)
        return rc;
    return import_reply(r, rows, n, results);
}
