/*
 * clients_outlets.c -- outlets (shops), declared on the resource kit
 * (clients.outlet: the list protocol -- search by name, address or
 * Salesforce id, filters by owner, supplying distributor, format, manager,
 * active and extra attributes, keyset pages in the Russian order -- one
 * record with its assortment, create and edit, the owner and the manager
 * checked, coordinates in range and given in pairs), and what the kit has
 * no shape for, by hand: deactivation (DELETE, audited as an update), the
 * distributors that supply an outlet and its assortment (sets replaced
 * as a whole: catalog groups with shelf share or facings, the products
 * offered to it, the date of the last check), and the CSV export and
 * import with the owner's INN and name.
 */
#include <string.h>

#include "clients_int.h"

/* The distributors supplying outlet `a`: [{distributor_id, name}]. */
#define OUTLET_DISTRIBUTORS_JSON(a)                                            \
    "(SELECT coalesce(jsonb_agg(jsonb_build_object('distributor_id', "         \
    "od.distributor_id, 'name', dk.name) ORDER BY dk.name COLLATE "            \
    "\"ru-RU-x-icu\", od.id), '[]') FROM clients.outlet_distributor od JOIN "  \
    "clients.counterparty dk ON dk.id = od.distributor_id WHERE "              \
    "od.outlet_id = " a ".id)"

/* An outlet row `a` as JSON, with its owner {id, name} and distributors. */
#define OUTLET_JSON(a)                                                         \
    "(to_jsonb(" a ") || jsonb_build_object('owner', (SELECT "                 \
    "jsonb_build_object('id', ow.id, 'name', ow.name) FROM "                   \
    "clients.counterparty ow WHERE ow.id = " a ".owner_id), "                  \
    "'distributors', " OUTLET_DISTRIBUTORS_JSON(a) "))"

/* The assortment of outlet `a`: {checked_at, groups: [{group_id, name,
 * kind, shelf_share, facings}], products: [{product_id, sku, name}]}. */
#define OUTLET_ASSORTMENT_JSON(a)                                              \
    "jsonb_build_object('checked_at', " a ".checked_at, 'groups', (SELECT "    \
    "coalesce(jsonb_agg(jsonb_build_object('group_id', og.group_id, 'name', "  \
    "pg.name, 'kind', pg.kind, 'shelf_share', og.shelf_share, 'facings', "     \
    "og.facings) ORDER BY pg.name COLLATE \"ru-RU-x-icu\", og.group_id), "     \
    "'[]') FROM clients.outlet_group og JOIN catalog.product_group pg ON "     \
    "pg.id = og.group_id WHERE og.outlet_id = " a ".id), 'products', "         \
    "(SELECT coalesce(jsonb_agg(jsonb_build_object('product_id', "             \
    "op.product_id, 'sku', pp.sku, 'name', pp.name) ORDER BY pp.sku, "         \
    "op.product_id), '[]') FROM clients.outlet_product op JOIN "               \
    "catalog.product pp ON pp.id = op.product_id WHERE op.outlet_id = " a      \
    ".id))"

/* OUTLET_JSON with the assortment as member "assortment". */
#define OUTLET_FULL_JSON(a)                                                    \
    "(" OUTLET_JSON(a) " || jsonb_build_object('assortment', "                 \
                       "" OUTLET_ASSORTMENT_JSON(a) "))"

static const char *const outlet_formats[] = {
    "diy", "electrical_shop", "chain_store", "showroom", "online", NULL};

static const struct kedr_entity_option outlet_format_options[] = {
    {.value = "diy",
     .label_ru = "DIY-гипермаркет",
     .label_en = "DIY hypermarket"},
    {.value = "electrical_shop",
     .label_ru = "Магазин электротоваров",
     .label_en = "Electrical shop"},
    {.value = "chain_store",
     .label_ru = "Магазин сети",
     .label_en = "Chain store"},
    {.value = "showroom", .label_ru = "Шоурум", .label_en = "Showroom"},
    {.value = "online",
     .label_ru = "Интернет-магазин",
     .label_en = "Online shop"},
    {0},
};

/* The value of `key` after the write: the new one when given, else the
 * old record's (NULL for a new record). */
static json_t *
outlet_after(json_t *n, json_t *old, const char *key)
{
    json_t *v = json_object_get(n, key);

    return v != NULL ? v : json_object_get(old, key);
}

/*
 * Check the values of `in` (the body, or an imported row) and copy them,
 * normalised, into a new object (the members present only).  `old` is
 * the record for an update, NULL for a new one.  Returns it, or NULL
 * with *rc set after recording 422 (every bad field named) or a
 * database failure.  Ranges of numbers are checked by the input spec.
 */
static json_t *
outlet_normalize(kedr_req_t *r, json_t *in, json_t *old, int *rc)
{
    static const char *const strs[] = {"name", "format", "address", NULL};
    static const char *const required[] = {"name", "format", "owner_id",
                                           "active", NULL};
    static const char *const takes[] = {"owner_id", "manager_id", "lat", "lon",
                                        "area",     "active",     NULL};
    json_t *v;
    json_t *n = kedr_json_keep(r, json_object());
    const char *s;
    bool bad = false;
    int na;

    for (const char *const *k = strs; *k != NULL; k++)
        clients_take_str(r, in, n, *k);
    for (const char *const *k = takes; *k != NULL; k++)
        clients_take(in, n, *k);
    for (const char *const *k = required; *k != NULL; k++)
        if (json_is_null(json_object_get(n, *k))) {
            kedr_field_error(r, *k, "must not be empty");
            bad = true;
        } else if (old == NULL && strcmp(*k, "active") != 0 &&
                   json_object_get(n, *k) == NULL) {
            /* an imported row has no input spec to require it */
            kedr_field_error(r, *k, "is required");
            bad = true;
        }
    if ((s = json_string_value(json_object_get(n, "format"))) != NULL &&
        !clients_one_of(s, outlet_formats)) {
        kedr_field_error(r, "format",
                         "must be diy, electrical_shop, chain_store, "
                         "showroom or online");
        bad = true;
    }
    /* coordinates come in pairs */
    if (json_is_number(outlet_after(n, old, "lat")) !=
        json_is_number(outlet_after(n, old, "lon"))) {
        kedr_field_error(
            r, json_is_number(outlet_after(n, old, "lat")) ? "lon" : "lat",
            "latitude and longitude go together");
        bad = true;
    }
    if ((v = json_object_get(in, "characteristics")) != NULL) {
        if (json_is_null(v))
            json_object_set_new(n, "characteristics", json_object());
        else
            clients_take(in, n, "characteristics");
    }
    if ((v = json_object_get(in, "ext")) != NULL) {
        if (!clients_ext_valid(r, v, "ext"))
            bad = true;
        else if (json_is_null(v))
            json_object_set_new(n, "ext", json_object());
        else
            clients_take(in, n, "ext");
    }
    if ((na = clients_take_attrs(r, in, n, "clients.outlet", old != NULL)) <
        0) {
        *rc = na;
        return NULL;
    }
    if (bad || na > 0) {
        *rc = kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
        return NULL;
    }
    return n;
}

/* $1 owner_id, $2 manager_id: whether the owner is a live counterparty
 * and whether the manager is a user (NULL: true). */
static const char outlet_refs_sql[] =
    "SELECT $1::bigint IS NULL OR EXISTS (SELECT 1 FROM clients.counterparty "
    "k WHERE k.id = $1::bigint AND k.merged_into IS NULL AND "
    "" CLIENTS_CP_VISIBLE("k") "), "
                               "$2::bigint IS NULL OR EXISTS (SELECT 1 FROM "
                               "core.\"user\" WHERE id = "
                               "$2::bigint)";

/* Check the owner and the manager the write sets; 0 or the code of the
 * recorded error. */
static int
outlet_check(kedr_req_t *r, json_t *n)
{
    json_t *owner = json_object_get(n, "owner_id");
    json_t *manager = json_object_get(n, "manager_id");
    kedr_rows_t *rows;

    rows = kedr_db_query(
        r, outlet_refs_sql,
        KEDR_PARAMS(json_is_integer(owner) ? kedr_json_text(r, owner) : NULL,
                    json_is_integer(manager) ? kedr_json_text(r, manager)
                                             : NULL));
    if (rows == NULL)
        return KEDR_EDB;
    if (strcmp(kedr_rows_get(rows, 0, 0), "t") != 0)
        return kedr_fail(r, KEDR_EINVAL, "owner_id", "no such counterparty");
    if (strcmp(kedr_rows_get(rows, 0, 1), "t") != 0)
        return kedr_fail(r, KEDR_EINVAL, "manager_id", "no such user");
    return 0;
}

/* $1 the record, $2 the caller: the manager defaults to the caller (an
 * explicit null leaves it empty) */
static const char outlet_insert_sql[] =
    "INSERT INTO clients.outlet AS o (owner_id, name, format, address, lat, "
    "lon, area, characteristics, manager_id, active, ext, attrs, "
    "created_by) SELECT n.owner_id, n.name, n.format, n.address, n.lat, "
    "n.lon, n.area, coalesce(n.characteristics, '{}'), CASE WHEN $1::jsonb "
    "? 'manager_id' THEN n.manager_id ELSE $2::bigint END, "
    "coalesce(n.active, true), coalesce(n.ext, '{}'), coalesce(n.attrs, "
    "'{}'), $2::bigint "
    "FROM jsonb_populate_record(NULL::clients.outlet, $1::jsonb) n "
    "RETURNING " OUTLET_JSON("o") "::text";

int
clients_outlet_insert(kedr_req_t *r, json_t *in, const char **row)
{
    json_t *n;
    int rc;

    *row = NULL;
    if ((n = outlet_normalize(r, in, NULL, &rc)) == NULL)
        return rc;
    if ((rc = outlet_check(r, n)) != 0)
        return rc;
    rc = kedr_db_json(r, outlet_insert_sql,
                      KEDR_PARAMS(kedr_json_text(r, n), kedr_user_id_text(r)),
                      row);
    if (rc != 0)
        return rc;
    return clients_record(r, "outlet", "created", NULL,
                          kedr_json_parse(r, *row), NULL);
}

static const char outlet_lock_sql[] = "SELECT " OUTLET_JSON(
    "o") "::text FROM clients.outlet o WHERE o.id = $1 "
         "AND " CLIENTS_OUTLET_VISIBLE("o") " FOR UPDATE OF o";

static const char outlet_deactivate_sql[] =
    "UPDATE clients.outlet AS o SET active = false, version = o.version + 1, "
    "updated_at = now() WHERE o.id = $1 RETURNING " OUTLET_JSON("o") "::text";

/* DELETE /outlets/:id[?version=N] -- outlets are never removed: active
 * becomes false.  200 with the record. */
int
clients_outlets_delete(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    bool bad = false;
    json_t *version = kedr_query_version(r, &bad), *old;
    const char *row;
    int rc;

    if (bad)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid query");
    if ((old = kedr_db_lock(r, outlet_lock_sql, id, version, "outlet", &rc)) ==
        NULL)
        return rc;
    if ((rc = kedr_db_json(r, outlet_deactivate_sql, KEDR_PARAMS(id), &row)) !=
        0)
        return rc;
    if ((rc = clients_record(r, "outlet", "updated", old,
                             kedr_json_parse(r, row), NULL)) != 0)
        return rc;
    return kedr_reply_text(r, 200, row);
}

/* ---------------------------------------------------------------------
 * The distributors that supply an outlet
 * --------------------------------------------------------------------- */

static const char outlet_dist_get_sql[] =
    "SELECT " OUTLET_DISTRIBUTORS_JSON("o") "::text FROM clients.outlet o "
                                            "WHERE o.id = $1 AND "
                                            "" CLIENTS_OUTLET_VISIBLE("o");

/* GET /outlets/:id/distributors -- [{distributor_id, name}] */
int
clients_outlets_distributors_get(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such outlet");
    return kedr_reply_db_json(r, 200, outlet_dist_get_sql, KEDR_PARAMS(id));
}

/* $1 [{distributor_id}]: the index of the first entry that is not a live
 * distributor the caller sees, and why. */
static const char outlet_dist_check_sql[] =
    "SELECT x.i - 1, CASE WHEN k.id IS NULL THEN 'no such counterparty' "
    "WHEN k.merged_into IS NOT NULL THEN 'was merged into another "
    "counterparty' ELSE 'is not a distributor' END FROM "
    "jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x (e, i) LEFT JOIN "
    "clients.counterparty k ON k.id = (x.e ->> 'distributor_id')::bigint "
    "AND " CLIENTS_CP_VISIBLE(
        "k") " WHERE k.id IS NULL OR k.merged_into IS NOT NULL OR k.kind <> "
             "'distributor' ORDER BY x.i LIMIT 1";

static const char outlet_dist_delete_sql[] =
    "DELETE FROM clients.outlet_distributor d WHERE d.outlet_id = $1 AND "
    "d.distributor_id NOT IN (SELECT x.distributor_id FROM "
    "jsonb_to_recordset($2::jsonb) AS x (distributor_id bigint))";

static const char outlet_dist_insert_sql[] =
    "INSERT INTO clients.outlet_distributor (outlet_id, distributor_id, "
    "created_by) SELECT $1::bigint, x.distributor_id, $3::bigint FROM "
    "jsonb_to_recordset($2::jsonb) AS x (distributor_id bigint) ON CONFLICT "
    "(outlet_id, distributor_id) DO NOTHING";

static const char outlet_touch_sql[] =
    "UPDATE clients.outlet o SET version = o.version + 1, updated_at = now() "
    "WHERE o.id = $1 RETURNING " OUTLET_JSON("o") "::text";

/* The body of PUT /distributors, an array of {distributor_id}, checked
 * for shape and repeats; NULL after recording 422. */
static json_t *
outlet_dist_normalize(kedr_req_t *r)
{
    json_t *body = kedr_body(r), *out, *seen, *e;
    size_t i;

    if (!json_is_array(body)) {
        kedr_fail(r, KEDR_EINVAL, "distributors",
                  "the body must be an array of {distributor_id}");
        return NULL;
    }
    out = kedr_json_keep(r, json_array());
    /* the ids taken so far, as a hash set: repeats found in linear time */
    seen = kedr_json_keep(r, json_object());
    json_array_foreach (body, i, e) {
        json_t *did = json_object_get(e, "distributor_id");
        const char *field = kedr_sprintf(r, "distributors[%zu]", i);

        if (!json_is_object(e) || !json_is_integer(did) ||
            json_integer_value(did) < 1 || json_object_size(e) != 1) {
            kedr_fail(r, KEDR_EINVAL, field, "must be {distributor_id}");
            return NULL;
        }
        if (clients_id_seen(r, seen, json_integer_value(did))) {
            kedr_fail(r, KEDR_EINVAL, field,
                      "names the same distributor twice");
            return NULL;
        }
        json_array_append_new(out, json_pack("{s:O}", "distributor_id", did));
    }
    return out;
}

/* PUT /outlets/:id/distributors[?version=N] [{distributor_id}] -- the set
 * becomes exactly this; each must be a live counterparty of kind
 * distributor; bumps the outlet's version; 200 with the outlet. */
int
clients_outlets_distributors_put(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    bool bad = false;
    json_t *version = kedr_query_version(r, &bad), *old, *list;
    const char *text, *row;
    kedr_rows_t *rows;
    int rc;

    if (bad)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid query");
    if ((old = kedr_db_lock(r, outlet_lock_sql, id, version, "outlet", &rc)) ==
        NULL)
        return rc;
    if ((list = outlet_dist_normalize(r)) == NULL)
        return KEDR_EINVAL;
    text = kedr_json_text(r, list);
    if ((rows = kedr_db_query(r, outlet_dist_check_sql, KEDR_PARAMS(text))) ==
        NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) > 0)
        return kedr_fail(
            r, KEDR_EINVAL,
            kedr_sprintf(r, "distributors[%s]", kedr_rows_get(rows, 0, 0)),
            "%s", kedr_rows_get(rows, 0, 1));
    if ((rc = kedr_db_exec(r, outlet_dist_delete_sql, KEDR_PARAMS(id, text))) <
            0 ||
        (rc = kedr_db_exec(r, outlet_dist_insert_sql,
                           KEDR_PARAMS(id, text, kedr_user_id_text(r)))) < 0)
        return rc;
    if ((rc = kedr_db_json(r, outlet_touch_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    if ((rc = clients_record(r, "outlet", "updated", old,
                             kedr_json_parse(r, row), NULL)) != 0)
        return rc;
    return kedr_reply_text(r, 200, row);
}

/* ---------------------------------------------------------------------
 * Assortment
 * --------------------------------------------------------------------- */

static const char outlet_assort_get_sql[] =
    "SELECT (jsonb_build_object('outlet_id', o.id, 'version', o.version) "
    "|| " OUTLET_ASSORTMENT_JSON("o") ")::text FROM clients.outlet o WHERE "
                                      "o.id = $1 AND " CLIENTS_OUTLET_VISIBLE(
                                          "o");

/* GET /outlets/:id/assortment -- {outlet_id, version, checked_at, groups,
 * products} */
int
clients_outlets_assortment_get(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such outlet");
    return kedr_reply_db_json(r, 200, outlet_assort_get_sql, KEDR_PARAMS(id));
}

static const char outlet_full_lock_sql[] = "SELECT " OUTLET_FULL_JSON(
    "o") "::text FROM clients.outlet o WHERE o.id "
         "= $1 AND " CLIENTS_OUTLET_VISIBLE("o") " FOR UPDATE OF o";

/* $1 groups [{group_id}], $2 products [{product_id}] (either NULL): the
 * first reference to a catalog record that does not exist, as the name
 * of the field and why. */
static const char outlet_assort_check_sql[] =
    "SELECT z.field, z.why FROM (SELECT 0 AS part, x.i, format("
    "'groups[%s].group_id', x.i - 1) AS field, 'no such product group' AS "
    "why FROM jsonb_array_elements(coalesce($1::jsonb, '[]')) WITH "
    "ORDINALITY AS x (e, i) WHERE NOT EXISTS (SELECT 1 FROM "
    "catalog.product_group g WHERE g.id = (x.e ->> 'group_id')::bigint) "
    "UNION ALL SELECT 1, x.i, format('products[%s].product_id', x.i - 1), "
    "'no such product' FROM jsonb_array_elements(coalesce($2::jsonb, "
    "'[]')) WITH ORDINALITY AS x (e, i) WHERE NOT EXISTS (SELECT 1 FROM "
    "catalog.product p WHERE p.id = (x.e ->> 'product_id')::bigint)) z "
    "ORDER BY z.part, z.i LIMIT 1";

/* The writes of PUT /assortment: $1 outlet, $2 the set (NULL: it is
 * kept), $3 user.  Each set given becomes exactly that one. */
static const char outlet_groups_delete_sql[] =
    "DELETE FROM clients.outlet_group g WHERE g.outlet_id = $1 AND "
    "$2::jsonb IS NOT NULL AND g.group_id NOT IN (SELECT x.group_id FROM "
    "jsonb_to_recordset($2::jsonb) AS x (group_id bigint))";

static const char outlet_groups_upsert_sql[] =
    "INSERT INTO clients.outlet_group AS g (outlet_id, group_id, "
    "shelf_share, facings, created_by) SELECT $1::bigint, x.group_id, "
    "x.shelf_share, x.facings, $3::bigint FROM jsonb_to_recordset($2::jsonb) "
    "AS x (group_id bigint, shelf_share numeric, facings int) ON CONFLICT "
    "(outlet_id, group_id) DO UPDATE SET shelf_share = excluded.shelf_share, "
    "facings = excluded.facings, version = g.version + 1, updated_at = now() "
    "WHERE (g.shelf_share, g.facings) IS DISTINCT FROM "
    "(excluded.shelf_share, excluded.facings)";

static const char outlet_products_delete_sql[] =
    "DELETE FROM clients.outlet_product p WHERE p.outlet_id = $1 AND "
    "$2::jsonb IS NOT NULL AND p.product_id NOT IN (SELECT x.product_id "
    "FROM jsonb_to_recordset($2::jsonb) AS x (product_id bigint))";

static const char outlet_products_insert_sql[] =
    "INSERT INTO clients.outlet_product (outlet_id, product_id, created_by) "
    "SELECT $1::bigint, x.product_id, $3::bigint FROM "
    "jsonb_to_recordset($2::jsonb) AS x (product_id bigint) ON CONFLICT "
    "(outlet_id, product_id) DO NOTHING";

/* $1 outlet, $2 checked_at (NULL: today) */
static const char outlet_assort_touch_sql[] =
    "UPDATE clients.outlet o SET checked_at = coalesce($2::date, "
    "current_date), version = o.version + 1, updated_at = now() WHERE o.id "
    "= $1 RETURNING " OUTLET_FULL_JSON("o") "::text";

/* Whether `v` is absent, null, or a number from lo to hi (an integer
 * when `integer`). */
static bool
outlet_num_ok(json_t *v, double lo, double hi, bool integer)
{
    if (v == NULL || json_is_null(v))
        return true;
    if (integer ? !json_is_integer(v) : !json_is_number(v))
        return false;
    return json_number_value(v) >= lo && json_number_value(v) <= hi;
}

/*
 * The body's `key` (groups or products), an array of objects with the
 * id member `idkey` (and for groups shelf_share, facings), checked for
 * shape, ranges and repeats and copied into a new array; NULL when the
 * body has no such member (that set is kept).  Sets *bad after recording
 * the field errors (groups[2].shelf_share, ...).
 */
static json_t *
outlet_assort_list(kedr_req_t *r, const char *key, const char *idkey, bool *bad)
{
    json_t *v = json_object_get(kedr_body(r), key), *out, *seen, *e;
    bool groups = strcmp(key, "groups") == 0;
    size_t i;

    if (v == NULL)
        return NULL;
    out = kedr_json_keep(r, json_array());
    seen = kedr_json_keep(r, json_object());
    json_array_foreach (v, i, e) {
        const char *f = kedr_sprintf(r, "%s[%zu]", key, i);
        json_t *id = json_object_get(e, idkey);
        json_t *share = json_object_get(e, "shelf_share");
        json_t *facings = json_object_get(e, "facings");
        size_t known = 1;
        json_t *row;

        if (!json_is_object(e)) {
            kedr_field_error(r, f, "must be an object");
            *bad = true;
            continue;
        }
        if (groups)
            known += (share != NULL) + (facings != NULL);
        if (json_object_size(e) != known) {
            kedr_field_error(r, f,
                             groups ? "may have group_id, shelf_share and "
                                      "facings only"
                                    : "may have product_id only");
            *bad = true;
        }
        if (!json_is_integer(id) || json_integer_value(id) < 1) {
            kedr_field_error(r, kedr_sprintf(r, "%s.%s", f, idkey),
                             "must be a record id");
            *bad = true;
            continue;
        }
        if (!outlet_num_ok(share, 0, 100, false)) {
            kedr_field_error(r, kedr_sprintf(r, "%s.shelf_share", f),
                             "must be a percentage from 0 to 100");
            *bad = true;
        }
        if (!outlet_num_ok(facings, 0, 1000000, true)) {
            kedr_field_error(r, kedr_sprintf(r, "%s.facings", f),
                             "must be a whole number from 0");
            *bad = true;
        }
        if (clients_id_seen(r, seen, json_integer_value(id))) {
            kedr_field_error(r, kedr_sprintf(r, "%s.%s", f, idkey),
                             "is listed twice");
            *bad = true;
        }
        row = json_pack("{s:O}", idkey, id);
        if (row == NULL)
            kedr_out_of_memory(r);
        if (groups) {
            json_object_set(row, "shelf_share",
                            share != NULL ? share : json_null());
            json_object_set(row, "facings",
                            facings != NULL ? facings : json_null());
        }
        json_array_append_new(out, row);
    }
    return out;
}

/* PUT /outlets/:id/assortment[?version=N] {checked_at, groups:
 * [{group_id, shelf_share, facings}], products: [{product_id}]} -- each
 * set given becomes exactly that one (one left out is kept); checked_at
 * defaults to today.  200 with the assortment as GET answers it. */
int
clients_outlets_assortment_put(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    bool bad = false;
    json_t *version = kedr_query_version(r, &bad), *old, *groups, *products;
    const char *gtext, *ptext, *uid, *row;
    kedr_rows_t *rows;
    int rc;

    if (bad)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid query");
    if ((old = kedr_db_lock(r, outlet_full_lock_sql, id, version, "outlet",
                            &rc)) == NULL)
        return rc;
    groups = outlet_assort_list(r, "groups", "group_id", &bad);
    products = outlet_assort_list(r, "products", "product_id", &bad);
    if (bad)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    gtext = kedr_json_text(r, groups);
    ptext = kedr_json_text(r, products);
    rows = kedr_db_query(r, outlet_assort_check_sql, KEDR_PARAMS(gtext, ptext));
    if (rows == NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) > 0)
        return kedr_fail(r, KEDR_EINVAL, kedr_rows_get(rows, 0, 0), "%s",
                         kedr_rows_get(rows, 0, 1));
    uid = kedr_user_id_text(r);
    if ((rc = kedr_db_exec(r, outlet_groups_delete_sql,
                           KEDR_PARAMS(id, gtext))) < 0 ||
        (rc = kedr_db_exec(r, outlet_groups_upsert_sql,
                           KEDR_PARAMS(id, gtext, uid))) < 0 ||
        (rc = kedr_db_exec(r, outlet_products_delete_sql,
                           KEDR_PARAMS(id, ptext))) < 0 ||
        (rc = kedr_db_exec(r, outlet_products_insert_sql,
                           KEDR_PARAMS(id, ptext, uid))) < 0)
        return rc;
    rc = kedr_db_json(r, outlet_assort_touch_sql,
                      KEDR_PARAMS(id, json_string_value(json_object_get(
                                          kedr_body(r), "checked_at"))),
                      &row);
    if (rc != 0)
        return rc;
    if ((rc = clients_record(r, "outlet", "assortment_updated", old,
                             kedr_json_parse(r, row), NULL)) != 0)
        return rc;
    return kedr_reply_db_json(r, 200, outlet_assort_get_sql, KEDR_PARAMS(id));
}

/* ---------------------------------------------------------------------
 * Export and import
 * --------------------------------------------------------------------- */

/* The columns an export writes and an import reads, under the same
 * headers: field, labels, the type in the export and in the import
 * (lists are text in a file, split again on import).  An exported file
 * imports again once the columns only an export has are dropped. */
#define OUTLET_IO_COLS(X)                                                      \
    X("owner_id", "Номер владельца", "Owner ID", KEDR_T_INT, KEDR_T_INT),      \
        X("owner_inn", "ИНН владельца", "Owner INN", KEDR_T_STRING,            \
          KEDR_T_STRING),                                                      \
        X("name", "Название", "Name", KEDR_T_STRING, KEDR_T_STRING),           \
        X("format", "Формат", "Format", KEDR_T_STRING, KEDR_T_STRING),         \
        X("address", "Адрес", "Address", KEDR_T_STRING, KEDR_T_STRING),        \
        X("lat", "Широта", "Latitude", KEDR_T_NUMBER, KEDR_T_NUMBER),          \
        X("lon", "Долгота", "Longitude", KEDR_T_NUMBER, KEDR_T_NUMBER),        \
        X("area", "Площадь, м²", "Area, m²", KEDR_T_NUMBER, KEDR_T_NUMBER),    \
        X("manager_id", "Номер менеджера", "Manager ID", KEDR_T_INT,           \
          KEDR_T_INT),                                                         \
        X("active", "Активна", "Active", KEDR_T_BOOL, KEDR_T_BOOL)

static const struct kedr_import_col outlet_import_cols[] = {
    OUTLET_IO_COLS(CLIENTS_IMPORT_COL),
    {0},
};

/* One imported row: the owner by owner_id or owner_inn, then created as
 * POST /outlets creates. */
static int
outlet_import_row(kedr_req_t *r, json_t *in, json_t **out)
{
    const char *row;
    json_t *owner, *rec;
    int rc;

    if ((rc = clients_import_ref(r, in, "owner_id", "owner_inn", &owner)) != 0)
        return rc;
    json_object_del(in, "owner_inn");
    if (owner != NULL)
        json_object_set(in, "owner_id", owner);
    if ((rc = clients_outlet_insert(r, in, &row)) != 0)
        return rc;
    rec = kedr_json_parse(r, row);
    *out = json_pack("{s:O,s:O}", "id", json_object_get(rec, "id"), "name",
                     json_object_get(rec, "name"));
    return 0;
}

/* POST /outlets/import[?dry_run=true] -- a CSV body, all rows or none. */
int
clients_outlets_import(kedr_req_t *r)
{
    return clients_import(r, "clients.outlet", outlet_import_cols,
                          outlet_import_row);
}

/* ---------------------------------------------------------------------
 * The entity (the kit serves list, get, create and update)
 * --------------------------------------------------------------------- */

/* The kit's checks of an outlet written through it, beyond the column
 * specs: coordinates in pairs, ext keys, null objects made empty, the
 * owner a live counterparty the caller sees, the manager a user. */
static int
outlet_validate(kedr_req_t *r, json_t *in, json_t *old)
{
    static const char *const objects[] = {"characteristics", "ext", NULL};
    json_t *v;

    if (json_is_number(outlet_after(in, old, "lat")) !=
        json_is_number(outlet_after(in, old, "lon")))
        return kedr_fail(r, KEDR_EINVAL,
                         json_is_number(outlet_after(in, old, "lat")) ? "lon"
                                                                      : "lat",
                         "latitude and longitude go together");
    for (const char *const *k = objects; *k != NULL; k++)
        if (json_is_null(json_object_get(in, *k)))
            json_object_set_new(in, *k, json_object());
    if ((v = json_object_get(in, "ext")) != NULL &&
        !clients_ext_valid(r, v, "ext"))
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    return outlet_check(r, in);
}

/* q= on outlets: a fragment of the name or the address, or the
 * Salesforce id of an imported outlet (as before the kit). */
static int
outlet_search(kedr_req_t *r, const char *q, struct kedr_kit_search *s)
{
    char *like = kedr_alloc(r, 2 * strlen(q) + 3), *p = like;

    *p++ = '%';
    for (const char *c = q; *c != '\0'; c++) {
        if (*c == '%' || *c == '_' || *c == '\\')
            *p++ = '\\';
        *p++ = *c;
    }
    *p++ = '%';
    *p = '\0';
    s->where = "t.name ILIKE $1 OR t.address ILIKE $1 OR t.id = ANY (ARRAY("
               "SELECT core.import_find('clients.outlet', $2)))";
    s->params[s->nparams++] = like;
    s->params[s->nparams++] = q;
    return 0;
}

const struct kedr_entity_hooks clients_outlet_hooks = {
    .validate = outlet_validate,
    .search = outlet_search,
};

#define F KEDR_COL_FILTER
#define S KEDR_COL_SORT
#define X KEDR_COL_EXPORT

const struct kedr_entity_col clients_outlet_cols[] = {
    {.name = "owner_id",
     .type = KEDR_T_INT,
     .label_ru = "Владелец",
     .label_en = "Owner",
     .flags = KEDR_REQUIRED | F,
     .ref = "clients.counterparty"},
    {.name = "name",
     .type = KEDR_T_STRING,
     .label_ru = "Название",
     .label_en = "Name",
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY | F | S | KEDR_COL_SEARCH | X,
     .max = 500,
     .collate = "ru-RU-x-icu"},
    {.name = "format",
     .type = KEDR_T_STRING,
     .label_ru = "Формат",
     .label_en = "Format",
     .flags = KEDR_REQUIRED | F | S | X,
     .max = 32,
     .options = outlet_format_options},
    {.name = "address",
     .type = KEDR_T_STRING,
     .label_ru = "Адрес",
     .label_en = "Address",
     .flags = S | KEDR_COL_SEARCH | X,
     .max = 1000},
    {.name = "lat",
     .type = KEDR_T_NUMBER,
     .label_ru = "Широта",
     .label_en = "Latitude",
     .min = -90,
     .max = 90,
     .flags = X},
    {.name = "lon",
     .type = KEDR_T_NUMBER,
     .label_ru = "Долгота",
     .label_en = "Longitude",
     .min = -180,
     .max = 180,
     .flags = X},
    {.name = "area",
     .type = KEDR_T_NUMBER,
     .label_ru = "Площадь, м²",
     .label_en = "Area, m²",
     .min = 0,
     .max = 1e9,
     .flags = X},
    {.name = "characteristics",
     .type = KEDR_T_OBJECT,
     .label_ru = "Характеристики",
     .label_en = "Characteristics",
     .def = "'{}'"},
    {.name = "manager_id",
     .type = KEDR_T_INT,
     .label_ru = "Менеджер",
     .label_en = "Manager",
     .flags = F | X,
     .def = "core.current_user_id()"},
    {.name = "active",
     .type = KEDR_T_BOOL,
     .label_ru = "Активна",
     .label_en = "Active",
     .flags = F | X,
     .def = "true"},
    {.name = "ext",
     .type = KEDR_T_OBJECT,
     .label_ru = "Внешние коды",
     .label_en = "External codes",
     .def = "'{}'"},
    {.name = "checked_at",
     .type = KEDR_T_DATE,
     .label_ru = "Проверка ассортимента",
     .label_en = "Assortment checked",
     .flags = KEDR_COL_READONLY | S | X},
    {.name = "created_by",
     .type = KEDR_T_INT,
     .label_ru = "Создал",
     .label_en = "Created by",
     .flags = KEDR_COL_READONLY,
     .def = "core.current_user_id()"},
    {.name = "created_at",
     .type = KEDR_T_STRING,
     .label_ru = "Создана",
     .label_en = "Created",
     .sql = "t.created_at"},
    {.name = "updated_at",
     .type = KEDR_T_STRING,
     .label_ru = "Изменена",
     .label_en = "Updated",
     .sql = "t.updated_at"},
    {.name = "owner",
     .type = KEDR_T_OBJECT,
     .label_ru = "Владелец (название)",
     .label_en = "Owner (name)",
     .sql = "SELECT json_build_object('id', ow.id, 'name', ow.name) FROM "
            "clients.counterparty ow WHERE ow.id = t.owner_id"},
    {.name = "distributors",
     .type = KEDR_T_ARRAY,
     .label_ru = "Дистрибьюторы",
     .label_en = "Distributors",
     .sql = OUTLET_DISTRIBUTORS_JSON("t")},
    {.name = "assortment",
     .type = KEDR_T_OBJECT,
     .label_ru = "Ассортимент",
     .label_en = "Assortment",
     .flags = KEDR_COL_DETAIL,
     .sql = OUTLET_ASSORTMENT_JSON("t")},
    /* the export's: the owner and the suppliers by name */
    {.name = "owner_name",
     .type = KEDR_T_STRING,
     .label_ru = "Название владельца",
     .label_en = "Owner name",
     .flags = KEDR_COL_DETAIL | X,
     .sql = "SELECT ow.name FROM clients.counterparty ow WHERE ow.id = "
            "t.owner_id"},
    {.name = "owner_inn",
     .type = KEDR_T_STRING,
     .label_ru = "ИНН владельца",
     .label_en = "Owner INN",
     .flags = KEDR_COL_DETAIL | X,
     .sql = "SELECT ow.inn FROM clients.counterparty ow WHERE ow.id = "
            "t.owner_id"},
    {.name = "distributor_names",
     .type = KEDR_T_STRING,
     .label_ru = "Дистрибьюторы",
     .label_en = "Distributors",
     .flags = KEDR_COL_DETAIL | X,
     .sql = "SELECT string_agg(dk.name, ', ' ORDER BY dk.name COLLATE "
            "\"ru-RU-x-icu\") FROM clients.outlet_distributor od JOIN "
            "clients.counterparty dk ON dk.id = od.distributor_id WHERE "
            "od.outlet_id = t.id"},
    {0},
};

/* ?distributor_id=: the outlets it supplies (outlet_distributor's
 * (distributor_id, outlet_id) index). */
const struct kedr_entity_filter clients_outlet_filters[] = {
    {.name = "distributor_id",
     .type = KEDR_T_INT,
     .label_ru = "Дистрибьютор",
     .label_en = "Distributor",
     .sql = "t.id IN (SELECT d.outlet_id FROM clients.outlet_distributor d "
            "WHERE d.distributor_id = $1::bigint)"},
    {0},
};
