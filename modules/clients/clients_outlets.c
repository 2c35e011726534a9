/*
 * clients_outlets.c -- outlets (shops): a paged list PostgreSQL builds
 * (search by name or address with pg_trgm, filters by owner, supplying
 * distributor, format, manager and active, sort through a whitelisted
 * CASE), one record, create and edit (owner and manager checked,
 * coordinates in range and given in pairs, optimistic locking),
 * deactivation, the distributors that supply an outlet, and its
 * assortment: catalog groups with shelf share or facings, the products
 * offered to it and the date of the last check.
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

/* The filters of the list and of the export on outlet row `o`, but the
 * distributor (see below): $1 q (a fragment of the name or the
 * address, or the Salesforce id: core.import_find), $2 owner_id, $4 format, $5
 * manager_id, $6 active, $7 extra attributes (a JSON object the record's attrs
 * contain). */
#define OUTLET_FILTERS                                                         \
    "($1::text IS NULL OR o.name ILIKE '%' || replace(replace(replace($1, "    \
    "'\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' OR o.address ILIKE '%' "   \
    "|| replace(replace(replace($1, '\\', '\\\\'), '%', '\\%'), '_', '\\_') "  \
    "|| '%' OR o.id = ANY (ARRAY(SELECT core.import_find('clients.outlet', "   \
    "$1)))) "                                                                  \
    "AND ($2::bigint IS NULL OR o.owner_id = $2::bigint) "                     \
    "AND ($4::text IS NULL OR o.format = $4) "                                 \
    "AND ($5::bigint IS NULL OR o.manager_id = $5::bigint) "                   \
    "AND ($6::boolean IS NULL OR o.active = $6::boolean) "                     \
    "AND ($7::jsonb IS NULL OR o.attrs @> $7::jsonb) "                         \
    "AND " CLIENTS_OUTLET_VISIBLE("o")

/* The outlets the filters select, $3 distributor_id (supplied by it)
 * included: found through outlet_distributor's (distributor_id,
 * outlet_id) index, then by primary key (never a scan of every outlet),
 * when $3 is given; the two branches are gated by one-time filters on
 * $3, which hold in a generic plan of the prepared statement too. */
#define OUTLET_MATCHES                                                         \
    "SELECT o.* FROM clients.outlet o WHERE $3::bigint IS NULL AND "           \
    "" OUTLET_FILTERS " UNION ALL SELECT o.* FROM clients.outlet o WHERE "     \
    "$3::bigint IS NOT NULL AND o.id = ANY (ARRAY(SELECT d.outlet_id FROM "    \
    "clients.outlet_distributor d WHERE d.distributor_id = $3::bigint)) AND "  \
    "" OUTLET_FILTERS

/*
 * The list: the filters, then $8 limit, $9 offset, $10 the most records
 * `total` counts (NULL: all), with ?after= $11, $12; {AFTER}, {BY} and
 * {CURSOR} as clients_list_reply fills them in (one of outlet_orders,
 * chosen from a fixed list, never spliced from the request; see
 * cp_list_sql for the page read one row longer).
 *
 * Without q and distributor (outlet_list_sql) the page is read in the
 * order of an index where there is one (outlet_name for the default) and
 * stopped after it.  Otherwise (outlet_search_sql) the matches are
 * collected first (OUTLET_MATCHES) and sorted.
 */
#define OUTLET_PAGE_TAIL(from)                                                 \
    CLIENTS_PAGE_SQL("o", OUTLET_JSON("o"), "$8", "$9", "$10", from)
static const char outlet_list_sql[] =
    "WITH p AS (SELECT o.* FROM clients.outlet o WHERE $3::bigint IS NULL "
    "AND " OUTLET_FILTERS "{AFTER}" OUTLET_PAGE_TAIL(
        "clients.outlet o WHERE $3::bigint IS NULL AND " OUTLET_FILTERS);
static const char outlet_search_sql[] =
    "WITH m AS MATERIALIZED (" OUTLET_MATCHES "), "
    "p AS (SELECT o.* FROM m o WHERE true{AFTER}" OUTLET_PAGE_TAIL("m");

/* The sort keys; name, the default, matches index outlet_name (read
 * backwards for desc). */
static const struct clients_order outlet_orders[] = {
    CLIENTS_ORDER("name", "o.name COLLATE \"ru-RU-x-icu\"", "o",
                  CLIENTS_KEY_TEXT, false),
    CLIENTS_ORDER("address", "o.address", "o", CLIENTS_KEY_TEXT, true),
    CLIENTS_ORDER("format", "o.format", "o", CLIENTS_KEY_TEXT, false),
    CLIENTS_ORDER("checked_at", "o.checked_at", "o", CLIENTS_KEY_DATE, true),
    CLIENTS_ORDER("created_at", "o.created_at", "o", CLIENTS_KEY_TIME, false),
    CLIENTS_ORDER("updated_at", "o.updated_at", "o", CLIENTS_KEY_TIME, false),
    CLIENTS_ORDER_ID("o"),
};

/* The filters and the order the query string asks for, numbered as
 * OUTLET_FILTERS and OUTLET_MATCHES use them (field errors recorded,
 * q->bad set). */
static void
outlet_filter(kedr_req_t *r, struct clients_query *q)
{
    clients_query_add(q, clients_query_str(r, "q"));
    clients_query_idp(r, q, "owner_id");
    clients_query_idp(r, q, "distributor_id");
    clients_query_enum(r, q, "format", outlet_formats,
                       "is not a format of outlet");
    clients_query_idp(r, q, "manager_id");
    clients_query_bool(r, q, "active");
    clients_query_attrs(r, q, "clients.outlet");
    clients_query_order(r, q, outlet_orders,
                        sizeof(outlet_orders) / sizeof(outlet_orders[0]));
}

/* GET /outlets?q=&owner_id=&distributor_id=&format=&manager_id=&active=
 * &attr.<name>=&sort=&order=&limit=&offset=&after=&total= -- {items,
 * total, total_exact, limit, offset, next} */
int
clients_outlets_list(kedr_req_t *r)
{
    struct clients_query q = {0};

    outlet_filter(r, &q);
    return clients_list_reply(
        r, &q,
        q.p[0] != NULL || q.p[2] != NULL ? outlet_search_sql : outlet_list_sql);
}

static const char outlet_one_sql[] = "SELECT " OUTLET_FULL_JSON(
    "o") "::text FROM clients.outlet o WHERE "
         "o.id = $1 AND " CLIENTS_OUTLET_VISIBLE("o");

/* GET /outlets/:id -- the record with its owner, distributors and
 * assortment. */
int
clients_outlets_get(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such outlet");
    return kedr_reply_db_json(r, 200, outlet_one_sql, KEDR_PARAMS(id));
}

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

/* POST /outlets -- 201 with the record; 422 naming the field. */
int
clients_outlets_create(kedr_req_t *r)
{
    const char *row;
    int rc = clients_outlet_insert(r, kedr_body(r), &row);

    return clients_created(r, rc, row);
}

static const char outlet_lock_sql[] = "SELECT " OUTLET_JSON(
    "o") "::text FROM clients.outlet o WHERE o.id = $1 "
         "AND " CLIENTS_OUTLET_VISIBLE("o") " FOR UPDATE OF o";

/* each column: the new value when the patch has it */
static const char outlet_update_sql[] =
    "UPDATE clients.outlet AS o SET "
    "owner_id = CASE WHEN $3::jsonb ? 'owner_id' THEN n.owner_id ELSE "
    "o.owner_id END, "
    "name = CASE WHEN $3::jsonb ? 'name' THEN n.name ELSE o.name END, "
    "format = CASE WHEN $3::jsonb ? 'format' THEN n.format ELSE o.format END, "
    "address = CASE WHEN $3::jsonb ? 'address' THEN n.address ELSE o.address "
    "END, "
    "lat = CASE WHEN $3::jsonb ? 'lat' THEN n.lat ELSE o.lat END, "
    "lon = CASE WHEN $3::jsonb ? 'lon' THEN n.lon ELSE o.lon END, "
    "area = CASE WHEN $3::jsonb ? 'area' THEN n.area ELSE o.area END, "
    "characteristics = CASE WHEN $3::jsonb ? 'characteristics' THEN "
    "n.characteristics ELSE o.characteristics END, "
    "manager_id = CASE WHEN $3::jsonb ? 'manager_id' THEN n.manager_id ELSE "
    "o.manager_id END, "
    "active = CASE WHEN $3::jsonb ? 'active' THEN n.active ELSE o.active END, "
    "ext = CASE WHEN $3::jsonb ? 'ext' THEN n.ext ELSE o.ext END, "
    "attrs = CASE WHEN $3::jsonb ? 'attrs' THEN jsonb_strip_nulls(o.attrs || "
    "n.attrs) ELSE o.attrs END, "
    "version = o.version + 1, updated_at = now() "
    "FROM jsonb_populate_record(NULL::clients.outlet, $3::jsonb) n "
    "WHERE o.id = $1 AND o.version = $2::int RETURNING " OUTLET_JSON(
        "o") "::text";

/* PATCH /outlets/:id {version, ...} -- members left out keep their
 * value; null clears an optional one. */
int
clients_outlets_update(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    json_t *version = json_object_get(kedr_body(r), "version");
    json_t *old, *n;
    const char *row;
    int rc;

    if ((old = kedr_db_lock(r, outlet_lock_sql, id, version, "outlet", &rc)) ==
        NULL)
        return rc;
    if ((n = outlet_normalize(r, kedr_body(r), old, &rc)) == NULL)
        return rc;
    if ((rc = outlet_check(r, n)) != 0)
        return rc;
    rc = kedr_db_json(
        r, outlet_update_sql,
        KEDR_PARAMS(id, kedr_json_text(r, version), kedr_json_text(r, n)),
        &row);
    if (rc != 0)
        return rc;
    if (row == NULL)
        return kedr_fail(r, KEDR_ECONFLICT, "version",
                         "the outlet was changed by someone else: reload it");
    if ((rc = clients_record(r, "outlet", "updated", old,
                             kedr_json_parse(r, row), NULL)) != 0)
        return rc;
    return clients_reply_text(r, 200, row);
}

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
    json_t *version = clients_query_version(r, &bad), *old;
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
    return clients_reply_text(r, 200, row);
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
    json_t *version = clients_query_version(r, &bad), *old, *list;
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
    return clients_reply_text(r, 200, row);
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
    json_t *version = clients_query_version(r, &bad), *old, *groups, *products;
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

static const struct kedr_column outlet_export_cols[] = {
    CLIENTS_EXPORT_COL("id", "Номер", "ID", KEDR_T_INT, 0),
    OUTLET_IO_COLS(CLIENTS_EXPORT_COL),
    CLIENTS_EXPORT_COL("owner_name", "Владелец", "Owner", KEDR_T_STRING, 0),
    CLIENTS_EXPORT_COL("manager", "Менеджер", "Manager", KEDR_T_STRING, 0),
    CLIENTS_EXPORT_COL("checked_at", "Проверка ассортимента",
                       "Assortment checked", KEDR_T_DATE, 0),
    CLIENTS_EXPORT_COL("distributors", "Дистрибьюторы", "Distributors",
                       KEDR_T_STRING, 0),
    CLIENTS_EXPORT_COL("created_at", "Создана", "Created", KEDR_T_DATE, 0),
    {0},
};

static const char outlet_export_select[] =
    "o.id, o.owner_id, ow.inn AS owner_inn, ow.name AS owner_name, o.name, "
    "o.format, o.address, o.lat, o.lon, o.area, o.manager_id, (SELECT "
    "u.full_name FROM core.\"user\" u WHERE u.id = o.manager_id) AS manager, "
    "o.active, o.checked_at, (SELECT string_agg(dk.name, ', ' ORDER BY "
    "dk.name COLLATE \"ru-RU-x-icu\") FROM clients.outlet_distributor od "
    "JOIN clients.counterparty dk ON dk.id = od.distributor_id WHERE "
    "od.outlet_id = o.id) AS distributors, o.created_at::date AS created_at";

/* GET /outlets/export?_format=csv|xlsx&<the list's filters and sort> --
 * the rows the list selects, in its order, all of them. */
int
clients_outlets_export(kedr_req_t *r)
{
    struct clients_query q = {0};

    outlet_filter(r, &q);
    return clients_export(r, "clients.outlet", "o", "outlets",
                          outlet_export_cols, outlet_export_select,
                          "(" OUTLET_MATCHES ") o JOIN clients.counterparty "
                          "ow ON ow.id = o.owner_id",
                          &q);
}

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
