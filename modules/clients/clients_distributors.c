/*
 * clients_distributors.c -- the distributors that serve a counterparty
 * (many-to-many, at most one main): read them, and replace them as a
 * whole.  The set is part of the counterparty: a change bumps its
 * version, is audited as an update of it and emits
 * clients.counterparty.updated.
 */
#include <string.h>

#include "clients_int.h"

static const char dist_get_sql[] = "SELECT " CLIENTS_DISTRIBUTORS_JSON(
    "c") "::text FROM clients.counterparty c WHERE c.id = $1 AND "
         "" CLIENTS_CP_VISIBLE("c");

/* GET /counterparties/:id/distributors -- [{distributor_id, name, main}] */
int
clients_distributors_get(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such counterparty");
    return kedr_reply_db_json(r, 200, dist_get_sql, KEDR_PARAMS(id));
}

/* $1 [{distributor_id}], $2 the counterparty: the first entry that is
 * not a live distributor other than the counterparty, and why (one the
 * caller does not see is "no such counterparty", as a missing one). */
static const char dist_check_sql[] =
    "SELECT x.distributor_id, CASE WHEN k.id IS NULL THEN 'no such "
    "counterparty' WHEN k.id = $2::bigint THEN 'a counterparty does not "
    "serve itself' WHEN k.merged_into IS NOT NULL THEN 'was merged into "
    "another counterparty' ELSE 'is not a distributor' END FROM "
    "jsonb_to_recordset($1::jsonb) AS x (distributor_id bigint) LEFT JOIN "
    "clients.counterparty k ON k.id = x.distributor_id AND "
    "" CLIENTS_CP_VISIBLE(
        "k") " WHERE k.id IS NULL "
             "OR k.id = $2::bigint OR k.merged_into IS NOT NULL OR k.kind <> "
             "'distributor' LIMIT 1";

static const char dist_delete_sql[] =
    "DELETE FROM clients.counterparty_distributor d WHERE d.counterparty_id "
    "= $1 AND d.distributor_id NOT IN (SELECT x.distributor_id FROM "
    "jsonb_to_recordset($2::jsonb) AS x (distributor_id bigint))";

/* the main flag first off everywhere, so that moving it never meets the
 * one-main index half-way */
static const char dist_unmain_sql[] =
    "UPDATE clients.counterparty_distributor SET main = false, version = "
    "version + 1, updated_at = now() WHERE counterparty_id = $1 AND main";

static const char dist_upsert_sql[] =
    "INSERT INTO clients.counterparty_distributor AS d (counterparty_id, "
    "distributor_id, main, created_by) SELECT $1, x.distributor_id, x.main, "
    "$3::bigint FROM jsonb_to_recordset($2::jsonb) AS x (distributor_id "
    "bigint, main boolean) ON CONFLICT (counterparty_id, distributor_id) DO "
    "UPDATE SET main = excluded.main, version = d.version + 1, updated_at = "
    "now() WHERE d.main IS DISTINCT FROM excluded.main";

static const char dist_touch_sql[] =
    "UPDATE clients.counterparty c SET version = c.version + 1, updated_at = "
    "now() WHERE c.id = $1 RETURNING " CLIENTS_CP_JSON("c") "::text";

static const char dist_lock_sql[] = CLIENTS_CP_LOCK_SQL;

/*
 * Check the body, an array of {distributor_id, main}, and return it
 * normalised (main false when absent; the only entry is main), or NULL
 * after recording 422.
 */
static json_t *
dist_normalize(kedr_req_t *r)
{
    json_t *body = kedr_body(r), *out, *seen, *e;
    size_t i;
    int mains = 0;

    if (!json_is_array(body)) {
        kedr_fail(r, KEDR_EINVAL, "distributors",
                  "the body must be an array of {distributor_id, main}");
        return NULL;
    }
    out = kedr_json_keep(r, json_array());
    seen = kedr_json_keep(r, json_object());
    json_array_foreach (body, i, e) {
        json_t *did = json_object_get(e, "distributor_id");
        json_t *main = json_object_get(e, "main");
        const char *field = kedr_sprintf(r, "distributors[%zu]", i);

        if (!json_is_object(e) || !json_is_integer(did) ||
            json_integer_value(did) < 1 ||
            (main != NULL && !json_is_boolean(main)) ||
            json_object_size(e) != (main != NULL ? 2u : 1u)) {
            kedr_fail(r, KEDR_EINVAL, field,
                      "must be {distributor_id, main (true or false)}");
            return NULL;
        }
        if (clients_id_seen(r, seen, json_integer_value(did))) {
            kedr_fail(r, KEDR_EINVAL, field,
                      "names the same distributor twice");
            return NULL;
        }
        if (json_is_true(main))
            mains++;
        json_array_append_new(out, json_pack("{s:O,s:b}", "distributor_id", did,
                                             "main", json_is_true(main)));
    }
    if (mains > 1) {
        kedr_fail(r, KEDR_EINVAL, "distributors",
                  "only one distributor can be the main one");
        return NULL;
    }
    if (mains == 0 && json_array_size(out) == 1)
        json_object_set_new(json_array_get(out, 0), "main", json_true());
    else if (mains == 0 && json_array_size(out) > 1) {
        kedr_fail(r, KEDR_EINVAL, "distributors",
                  "mark one of the distributors as the main one");
        return NULL;
    }
    return out;
}

/* PUT /counterparties/:id/distributors[?version=N] [{distributor_id,
 * main}] -- the set becomes exactly this; 200 with the counterparty. */
int
clients_distributors_put(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    bool bad = false;
    json_t *version = kedr_query_version(r, &bad), *old, *list;
    const char *text, *row;
    kedr_rows_t *rows;
    int rc;

    if (bad)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid query");
    if ((old = kedr_db_lock(r, dist_lock_sql, id, version, "counterparty",
                            &rc)) == NULL)
        return rc;
    if (!json_is_null(json_object_get(old, "merged_into")))
        return kedr_fail(r, KEDR_ECONFLICT, NULL,
                         "the counterparty was merged into another one");
    if ((list = dist_normalize(r)) == NULL)
        return KEDR_EINVAL;
    text = kedr_json_text(r, list);
    if ((rows = kedr_db_query(r, dist_check_sql, KEDR_PARAMS(text, id))) ==
        NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) > 0) {
        json_t *e;
        size_t i;

        json_array_foreach (list, i, e)
            if (strcmp(kedr_json_text(r, json_object_get(e, "distributor_id")),
                       kedr_rows_get(rows, 0, 0)) == 0)
                break;
        return kedr_fail(r, KEDR_EINVAL,
                         kedr_sprintf(r, "distributors[%zu]", i), "%s",
                         kedr_rows_get(rows, 0, 1));
    }
    if ((rc = kedr_db_exec(r, dist_delete_sql, KEDR_PARAMS(id, text))) < 0 ||
        (rc = kedr_db_exec(r, dist_unmain_sql, KEDR_PARAMS(id))) < 0 ||
        (rc = kedr_db_exec(r, dist_upsert_sql,
                           KEDR_PARAMS(id, text, kedr_user_id_text(r)))) < 0)
        return rc;
    if ((rc = kedr_db_json(r, dist_touch_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    if ((rc = clients_record(r, "counterparty", "updated", old,
                             kedr_json_parse(r, row), NULL)) != 0)
        return rc;
    return kedr_reply_text(r, 200, row);
}
