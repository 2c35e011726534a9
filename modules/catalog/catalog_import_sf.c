/*
 * catalog_import_sf.c -- the catalog's importers of a Salesforce export
 * (kedr.h, struct kedr_migrator): Product2 -> catalog.product (Family a
 * group under a brand group), Pricebook2 -> catalog.price_type (the
 * standard price book is the base type), PricebookEntry ->
 * catalog.price.
 *
 * The core has staged the cleansed rows (kedr_migration_table: one text
 * column per mapped field, _line, _sf_id, _modstamp).  As in clients'
 * importers everything is set-wise: a working table joined with
 * core.import_map decides per row whether it is new, newer than what
 * was taken last time, or unchanged; then one statement per step.  A
 * record that was in Kedr before the import and is taken over (a
 * product of the same SKU from master data, the base price type) is
 * counted "merged".  Groups are found and made by name path with
 * catalog.group_by_path, the function the master-data upsert
 * (catalog_import.c) uses.
 */

#include "catalog_int.h"

/* The rows for kedr_migration_map_put (`work` has _sf_id, _modstamp and
 * the record's id in coalesce(new_id, old_id)): every row into
 * core.import_map, and an audit row 'imported' per record created,
 * updated or taken over. */
#define SF_RECORDED_SQL(work)                                                  \
    "SELECT _sf_id, coalesce(new_id, old_id), _modstamp, CASE WHEN action "    \
    "IN ('created', 'updated', 'merged') THEN action END FROM " work

/* created / updated / unchanged by the modstamp; a record found in Kedr
 * without a map entry (old_stamp null) is merged. */
#define SF_ACTION_SQL(work)                                                    \
    "UPDATE " work " SET action = CASE WHEN old_id IS NULL THEN 'created' "    \
    "    WHEN old_stamp IS NULL THEN 'merged' "                                \
    "    WHEN _modstamp > old_stamp THEN 'updated' ELSE 'unchanged' END"

/* ------------------------------------------------------------------ */
/* Product2 -> catalog.product                                         */
/* ------------------------------------------------------------------ */

static const char prod_work_sql[] =
    "CREATE TEMP TABLE imp_prod ON COMMIT DROP AS "
    "SELECT s.*, m.local_id AS old_id, m.modstamp AS old_stamp, "
    "       NULL::bigint AS gid, NULL::bigint AS new_id, ''::text AS action "
    "  FROM %s s LEFT JOIN core.import_map m ON m.source = 'salesforce' "
    "   AND m.object = current_setting('kedr.import_object') "
    "   AND m.ext_id = s._sf_id";

/* Two products of the export with one ProductCode: the most recently
 * modified keeps it. */
static const char prod_repeat_sql[] =
    "DELETE FROM imp_prod p USING (SELECT _sf_id, row_number() OVER ("
    "    PARTITION BY code ORDER BY _modstamp DESC NULLS LAST, _sf_id) AS n "
    "    FROM imp_prod) d WHERE p._sf_id = d._sf_id AND d.n > 1 "
    "RETURNING p._line::text, p._sf_id";

/* A product of the same SKU that came from elsewhere is taken over. */
static const char *const prod_adopt_sql[] = {
    "UPDATE imp_prod p SET old_id = c.id FROM catalog.product c "
    " WHERE p.old_id IS NULL AND c.sku = p.code "
    "   AND NOT c.ext ? 'salesforce_id'",
    NULL,
};

/* The SKU is another product's (one imported under another id). */
static const char prod_taken_sql[] =
    "DELETE FROM imp_prod p WHERE EXISTS (SELECT 1 FROM catalog.product c "
    " WHERE c.sku = p.code AND c.id IS DISTINCT FROM p.old_id) "
    "RETURNING p._line::text, p._sf_id";

static const char *const prod_load_sql[] = {
    SF_ACTION_SQL("imp_prod"),
    "ANALYZE imp_prod",
    /* the brand groups, then the families under them, then each row's
     * group: catalog.group_by_path once per distinct (brand, family), not
     * once per product */
    "INSERT INTO catalog.product_group (parent_id, name, kind) "
    "SELECT NULL::bigint, b, 'brand' FROM (SELECT DISTINCT "
    "       coalesce(brand, 'Salesforce') AS b FROM imp_prod "
    " WHERE family IS NOT NULL AND action <> 'unchanged') x "
    " WHERE catalog.group_by_path(ARRAY[b]) IS NULL "
    "ON CONFLICT DO NOTHING",
    "INSERT INTO catalog.product_group (parent_id, name, kind) "
    "SELECT catalog.group_by_path(ARRAY[b]), family, 'group' "
    "  FROM (SELECT DISTINCT coalesce(brand, 'Salesforce') AS b, family "
    "          FROM imp_prod WHERE family IS NOT NULL "
    "           AND action <> 'unchanged') x "
    "ON CONFLICT DO NOTHING",
    "UPDATE imp_prod p SET gid = g.gid "
    "  FROM (SELECT b, family, catalog.group_by_path(ARRAY[b, family]) "
    "               AS gid "
    "          FROM (SELECT DISTINCT coalesce(brand, 'Salesforce') AS b, "
    "                       family FROM imp_prod WHERE family IS NOT NULL "
    "                   AND action <> 'unchanged') x) g "
    " WHERE coalesce(p.brand, 'Salesforce') = g.b AND p.family = g.family "
    "   AND p.action <> 'unchanged'",
    "WITH ins AS (INSERT INTO catalog.product (sku, name, group_id, unit, "
    "    active, ext, created_at) "
    "  SELECT code, name, gid, coalesce(unit, 'шт'), "
    "         coalesce(active::boolean, true), "
    "         jsonb_build_object('salesforce_id', _sf_id), "
    "         coalesce(created_at::timestamptz, now()) "
    "    FROM imp_prod WHERE action = 'created' "
    "  RETURNING id, ext->>'salesforce_id' AS sf) "
    "UPDATE imp_prod p SET new_id = ins.id FROM ins WHERE p._sf_id = ins.sf",
    "UPDATE catalog.product c SET sku = p.code, name = p.name, "
    "    group_id = coalesce(p.gid, c.group_id), "
    "    unit = coalesce(p.unit, c.unit), "
    "    active = coalesce(p.active::boolean, c.active), "
    "    ext = c.ext || jsonb_build_object('salesforce_id', p._sf_id), "
    "    updated_at = now(), version = c.version + 1 "
    "  FROM imp_prod p WHERE c.id = p.old_id "
    "   AND p.action IN ('updated', 'merged')",
    NULL,
};

static int
catalog_import_product(kedr_req_t *r, kedr_migration_t *imp)
{
    int rc = kedr_migration_begin(r, imp, prod_work_sql, "imp_prod");

    if (rc != 0 ||
        (rc = kedr_migration_reject_rows(
             r, imp, prod_repeat_sql, "code",
             "another product of the export has this "
             "ProductCode")) != 0 ||
        (rc = kedr_migration_steps(r, prod_adopt_sql)) != 0 ||
        (rc = kedr_migration_reject_rows(r, imp, prod_taken_sql, "code",
                                         "the SKU is another product's")) !=
            0 ||
        (rc = kedr_migration_steps(r, prod_load_sql)) != 0 ||
        (rc = kedr_migration_map_put(r, imp, "catalog.product",
                                     SF_RECORDED_SQL("imp_prod"))) != 0 ||
        (rc = kedr_migration_archive(r, imp, "catalog.product",
                                     "active = false", "t.active")) != 0)
        return rc;
    return kedr_migration_finish(r, imp, "imp_prod");
}

/* ------------------------------------------------------------------ */
/* Pricebook2 -> catalog.price_type                                    */
/* ------------------------------------------------------------------ */

/* The standard price book is the base type; another one a type of its
 * name (an existing one of that name, else a new one). */
static const char book_work_sql[] =
    "CREATE TEMP TABLE imp_book ON COMMIT DROP AS "
    "SELECT s.*, m.local_id AS old_id, m.modstamp AS old_stamp, "
    "       NULL::bigint AS new_id, ''::text AS action "
    "  FROM %s s LEFT JOIN core.import_map m ON m.source = 'salesforce' "
    "   AND m.object = current_setting('kedr.import_object') "
    "   AND m.ext_id = s._sf_id";

static const char *const book_load_sql[] = {
    "UPDATE imp_book b SET old_id = t.id FROM catalog.price_type t "
    " WHERE b.old_id IS NULL AND coalesce(b.is_base::boolean, false) "
    "   AND t.code = 'base'",
    "UPDATE imp_book b SET old_id = t.id FROM catalog.price_type t "
    " WHERE b.old_id IS NULL AND NOT coalesce(b.is_base::boolean, false) "
    "   AND t.name = b.name AND t.code <> 'base'",
    SF_ACTION_SQL("imp_book"),
    /* a code of its own: sf_ and a hash of the Salesforce id */
    "WITH ins AS (INSERT INTO catalog.price_type (code, name, active, sort) "
    "  SELECT 'sf_' || left(md5(_sf_id), 12), name, "
    "         coalesce(active::boolean, true), 100 "
    "    FROM imp_book WHERE action = 'created' "
    "  RETURNING id, code) "
    "UPDATE imp_book b SET new_id = ins.id FROM ins "
    " WHERE ins.code = 'sf_' || left(md5(b._sf_id), 12)",
    /* the base type keeps its name; another takes the price book's */
    "UPDATE catalog.price_type t SET name = CASE WHEN t.code = 'base' "
    "    THEN t.name ELSE b.name END, "
    "    active = coalesce(b.active::boolean, t.active), "
    "    updated_at = now(), version = t.version + 1 "
    "  FROM imp_book b WHERE t.id = b.old_id "
    "   AND b.action IN ('updated', 'merged')",
    NULL,
};

static int
catalog_import_pricebook(kedr_req_t *r, kedr_migration_t *imp)
{
    int rc = kedr_migration_begin(r, imp, book_work_sql, "imp_book");

    if (rc != 0 || (rc = kedr_migration_steps(r, book_load_sql)) != 0 ||
        (rc = kedr_migration_map_put(r, imp, "catalog.price_type",
                                     SF_RECORDED_SQL("imp_book"))) != 0)
        return rc;
    return kedr_migration_finish(r, imp, "imp_book");
}

/* ------------------------------------------------------------------ */
/* PricebookEntry -> catalog.price                                     */
/* ------------------------------------------------------------------ */

static const char entry_work_sql[] =
    "CREATE TEMP TABLE imp_entry ON COMMIT DROP AS "
    "SELECT s.*, m.local_id AS old_id, m.modstamp AS old_stamp, "
    "       p.local_id AS product_id, t.local_id AS type_id, "
    "       coalesce(s.created_at::timestamptz::date, current_date) "
    "           AS valid_from, "
    "       upper(coalesce(s.currency, 'RUB')) AS cur, "
    "       NULL::date AS since, "
    "       NULL::bigint AS new_id, ''::text AS action "
    "  FROM %s s "
    "  LEFT JOIN core.import_map m ON m.source = 'salesforce' "
    "   AND m.object = current_setting('kedr.import_object') "
    "   AND m.ext_id = s._sf_id "
    "  LEFT JOIN core.import_map p ON p.source = 'salesforce' "
    "   AND p.object = 'Product2' AND p.ext_id = s.product_sf_id "
    "  LEFT JOIN core.import_map t ON t.source = 'salesforce' "
    "   AND t.object = 'Pricebook2' AND t.ext_id = s.price_type_sf_id";

static const char entry_noproduct_sql[] =
    "DELETE FROM imp_entry WHERE product_id IS NULL "
    "RETURNING _line::text, _sf_id";

static const char entry_nobook_sql[] =
    "DELETE FROM imp_entry WHERE type_id IS NULL "
    "RETURNING _line::text, _sf_id";

static const char entry_bad_sql[] =
    "DELETE FROM imp_entry WHERE price::numeric < 0 "
    "   OR cur !~ '^[A-Z]{3}$' RETURNING _line::text, _sf_id";

/* One price per product, type and start date: a second entry of the
 * same (another currency of a multi-currency org) is refused. */
static const char entry_repeat_sql[] =
    "DELETE FROM imp_entry e USING (SELECT _sf_id, row_number() OVER ("
    "    PARTITION BY product_id, type_id, valid_from ORDER BY "
    "    (cur = 'RUB') DESC, _modstamp DESC NULLS LAST, _sf_id) AS n "
    "    FROM imp_entry WHERE old_id IS NULL) d "
    " WHERE e._sf_id = d._sf_id AND d.n > 1 "
    "RETURNING e._line::text, e._sf_id";

/*
 * Prices are history: a changed UnitPrice (or currency) is a new price
 * of the product and type, valid from the day of the change
 * (LastModifiedDate), and the entry's map moves to it; the old price
 * stays with its dates.  A change on the day the price starts, or one
 * that leaves the amount alone, updates that price.
 */
static const char *const entry_load_sql[] = {
    SF_ACTION_SQL("imp_entry"),
    "UPDATE imp_entry e SET since = e._modstamp::date "
    "  FROM catalog.price c WHERE c.id = e.old_id AND e.action = 'updated' "
    "   AND (c.amount <> e.price::numeric OR c.currency <> e.cur) "
    "   AND e._modstamp::date > c.valid_from",
    "ANALYZE imp_entry",
    /* a price of that product, type and date entered in Kedr is taken
     * over (counted as created: the entry is new to Kedr's map) */
    "WITH ins AS (INSERT INTO catalog.price (product_id, price_type_id, "
    "    amount, currency, valid_from) "
    "  SELECT product_id, type_id, price::numeric, cur, valid_from "
    "    FROM imp_entry WHERE action = 'created' "
    "  ON CONFLICT (product_id, price_type_id, valid_from) DO UPDATE "
    "     SET amount = excluded.amount, currency = excluded.currency, "
    "         updated_at = now(), version = catalog.price.version + 1 "
    "  RETURNING id, product_id, price_type_id, valid_from) "
    "UPDATE imp_entry e SET new_id = ins.id FROM ins "
    " WHERE e.action = 'created' AND ins.product_id = e.product_id "
    "   AND ins.price_type_id = e.type_id AND ins.valid_from = e.valid_from",
    "WITH ins AS (INSERT INTO catalog.price (product_id, price_type_id, "
    "    amount, currency, valid_from) "
    "  SELECT product_id, type_id, price::numeric, cur, since "
    "    FROM imp_entry WHERE since IS NOT NULL "
    "  ON CONFLICT (product_id, price_type_id, valid_from) DO UPDATE "
    "     SET amount = excluded.amount, currency = excluded.currency, "
    "         updated_at = now(), version = catalog.price.version + 1 "
    "  RETURNING id, product_id, price_type_id, valid_from) "
    "UPDATE imp_entry e SET new_id = ins.id FROM ins "
    " WHERE e.since IS NOT NULL AND ins.product_id = e.product_id "
    "   AND ins.price_type_id = e.type_id AND ins.valid_from = e.since",
    "UPDATE catalog.price c SET amount = e.price::numeric, currency = e.cur, "
    "    updated_at = now(), version = c.version + 1 "
    "  FROM imp_entry e WHERE c.id = e.old_id AND e.action = 'updated' "
    "   AND e.since IS NULL",
    NULL,
};

static int
catalog_import_entry(kedr_req_t *r, kedr_migration_t *imp)
{
    int rc = kedr_migration_begin(r, imp, entry_work_sql, "imp_entry");

    if (rc != 0 ||
        (rc = kedr_migration_reject_rows(
             r, imp, entry_noproduct_sql, "product_sf_id",
             "the product is not in the export")) != 0 ||
        (rc = kedr_migration_reject_rows(
             r, imp, entry_nobook_sql, "price_type_sf_id",
             "the price book is not in the export")) != 0 ||
        (rc = kedr_migration_reject_rows(
             r, imp, entry_bad_sql, "price",
             "a negative price or a currency that is not an "
             "ISO 4217 code")) != 0 ||
        (rc = kedr_migration_reject_rows(
             r, imp, entry_repeat_sql, "price_type_sf_id",
             "another entry gives the product's price in this "
             "price book")) != 0 ||
        (rc = kedr_migration_steps(r, entry_load_sql)) != 0 ||
        (rc = kedr_migration_map_put(r, imp, "catalog.price",
                                     SF_RECORDED_SQL("imp_entry"))) != 0)
        return rc;
    return kedr_migration_finish(r, imp, "imp_entry");
}

const struct kedr_migrator catalog_importers[] = {
    {.source = "salesforce",
     .target = "catalog.product",
     .load = catalog_import_product},
    {.source = "salesforce",
     .target = "catalog.price_type",
     .load = catalog_import_pricebook},
    {.source = "salesforce",
     .target = "catalog.price",
     .load = catalog_import_entry},
    {0},
};
