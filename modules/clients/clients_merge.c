/*
 * clients_merge.c -- merging duplicate counterparties into a surviving
 * one: contact links, child counterparties, served-by distributor links,
 * owned outlets and outlet supply links move to the survivor; the merged
 * records stay, inactive, with merged_into set.  The survivor's fields
 * are chosen field by field (`keep`: the record whose value stays, or
 * both for lists), the rest by one rule that loses nothing: its own value
 * when it has one, else a duplicate's; lists united
 * (sql/0008_merge_fields.sql).  Every merged record is
 * audited with what it had (links, children, distributors, outlets) so
 * that the audit view can undo it, and the event
 * clients.counterparty.merged {into, from} lets later modules move their
 * references in the same transaction.
 */
#include <stdio.h>
#include <string.h>

#include "clients_int.h"

static const char merge_lock_sql[] = CLIENTS_CP_LOCK_SQL;

/*
 * $1 ids: those counterparties, locked, each as CLIENTS_CP_JSON with
 * what the merge takes from it: contact_links, child_ids, the
 * served_by rows where it is the distributor (serves), the outlets it
 * owns (outlet_ids) and the outlet rows it supplies (supplies).
 */
static const char merge_from_sql[] =
    "SELECT coalesce(jsonb_agg(" CLIENTS_CP_JSON(
        "c") " || jsonb_build_object('contact_links', (SELECT "
             "coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.id), '[]') FROM "
             "clients.contact_link l WHERE l.counterparty_id = c.id), "
             "'child_ids', (SELECT coalesce(jsonb_agg(k.id ORDER BY k.id), "
             "'[]') FROM clients.counterparty k WHERE k.parent_id = c.id), "
             "'serves', (SELECT coalesce(jsonb_agg(to_jsonb(d) ORDER BY "
             "d.id), '[]') FROM clients.counterparty_distributor d WHERE "
             "d.distributor_id = c.id), 'outlet_ids', (SELECT "
             "coalesce(jsonb_agg(o.id ORDER BY o.id), '[]') FROM "
             "clients.outlet o WHERE o.owner_id = c.id), 'supplies', (SELECT "
             "coalesce(jsonb_agg(to_jsonb(od) ORDER BY od.id), '[]') FROM "
             "clients.outlet_distributor od WHERE od.distributor_id = c.id)) "
             "ORDER BY c.id), '[]')::text FROM "
             "(SELECT * FROM clients.counterparty k WHERE k.id = ANY "
             "($1::bigint[]) AND " CLIENTS_CP_VISIBLE(
                 "k") " ORDER BY k.id FOR UPDATE) c";

/*
 * The distributors serving the survivor, as `keep` ($3) chooses: both
 * (the default) its own and those of the merged records; one merged
 * record's: its own go here, main with them, and that record's come with
 * its main (merge_moves_sql); the survivor's: its own only.  $1 survivor,
 * $2 merged ids.
 */
static const char merge_own_dist_sql[] =
    "DELETE FROM clients.counterparty_distributor WHERE counterparty_id = "
    "$1::bigint AND $3::jsonb->>'distributors' = ANY ($2::bigint[]::text[])";

/* The moves; $1 survivor, $2 merged ids (bigint[]), $3 user, $4 `keep`. */
static const char *const merge_moves_sql[] = {
    /* contact links: to the survivor unless already linked there */
    "INSERT INTO clients.contact_link (contact_id, counterparty_id, "
    "position, department, created_by) SELECT DISTINCT ON (l.contact_id) "
    "l.contact_id, $1::bigint, l.position, l.department, $3::bigint FROM "
    "clients.contact_link l WHERE l.counterparty_id = ANY ($2::bigint[]) "
    "ORDER BY l.contact_id, l.id ON CONFLICT (contact_id, counterparty_id) "
    "DO NOTHING",
    "DELETE FROM clients.contact_link WHERE counterparty_id = ANY "
    "($2::bigint[]) AND counterparty_id <> $1::bigint",
    /* the survivor no longer sits under a record that goes away */
    "UPDATE clients.counterparty SET parent_id = NULL, version = version + "
    "1, updated_at = now() WHERE id = $1::bigint AND parent_id = ANY "
    "($2::bigint[])",
    /* children move under the survivor (never its own ancestors) */
    "UPDATE clients.counterparty SET parent_id = $1::bigint, version = "
    "version + 1, updated_at = now() WHERE parent_id = ANY ($2::bigint[]) "
    "AND id <> $1::bigint AND NOT (id = ANY ($2::bigint[])) AND id NOT IN "
    "(WITH RECURSIVE up (id, parent_id) AS (SELECT id, parent_id FROM "
    "clients.counterparty WHERE id = $1::bigint UNION SELECT c.id, "
    "c.parent_id FROM clients.counterparty c JOIN up ON c.id = up.parent_id) "
    "SELECT id FROM up)",
    /*
     * counterparties a merged distributor served are served by the
     * survivor, one row each, "main" kept: first the survivor's own row
     * goes where a merged one was main, then all but the best merged row
     * (main, else oldest) go where one is left, then they are re-pointed
     */
    "DELETE FROM clients.counterparty_distributor s WHERE s.distributor_id "
    "= $1::bigint AND EXISTS (SELECT 1 FROM clients.counterparty_distributor "
    "o WHERE o.counterparty_id = s.counterparty_id AND o.distributor_id = "
    "ANY ($2::bigint[]) AND o.main)",
    "DELETE FROM clients.counterparty_distributor o WHERE o.distributor_id = "
    "ANY ($2::bigint[]) AND (o.counterparty_id = $1::bigint OR EXISTS "
    "(SELECT 1 FROM clients.counterparty_distributor s WHERE "
    "s.counterparty_id = o.counterparty_id AND s.distributor_id = "
    "$1::bigint) OR EXISTS (SELECT 1 FROM clients.counterparty_distributor p "
    "WHERE p.counterparty_id = o.counterparty_id AND p.distributor_id = ANY "
    "($2::bigint[]) AND (p.main, -p.id) > (o.main, -o.id)))",
    "UPDATE clients.counterparty_distributor SET distributor_id = "
    "$1::bigint, version = version + 1, updated_at = now() WHERE "
    "distributor_id = ANY ($2::bigint[])",
    /* the distributors of the merged records serve the survivor too,
     * unless `keep` ($4) chose the survivor's (merge_own_dist_sql) */
    "INSERT INTO clients.counterparty_distributor (counterparty_id, "
    "distributor_id, main, created_by) SELECT DISTINCT ON "
    "(d.distributor_id) $1::bigint, d.distributor_id, d.main AND "
    "coalesce($4::jsonb->>'distributors' = d.counterparty_id::text, false), "
    "$3::bigint "
    "FROM clients.counterparty_distributor d WHERE d.counterparty_id = ANY "
    "($2::bigint[]) AND d.distributor_id <> $1::bigint AND NOT "
    "(d.distributor_id = ANY ($2::bigint[])) AND coalesce($4::jsonb->>"
    "'distributors', 'both') IN ('both', d.counterparty_id::text) ORDER BY "
    "d.distributor_id, d.id ON CONFLICT (counterparty_id, distributor_id) "
    "DO NOTHING",
    "DELETE FROM clients.counterparty_distributor WHERE counterparty_id = "
    "ANY ($2::bigint[]) AND $1::bigint IS NOT NULL",
    /* outlets owned or supplied by a merged record: a new version, and
     * the owner becomes the survivor */
    "UPDATE clients.outlet o SET owner_id = CASE WHEN o.owner_id = ANY "
    "($2::bigint[]) THEN $1::bigint ELSE o.owner_id END, version = "
    "o.version + 1, updated_at = now() WHERE o.owner_id = ANY "
    "($2::bigint[]) OR EXISTS (SELECT 1 FROM clients.outlet_distributor d "
    "WHERE d.outlet_id = o.id AND d.distributor_id = ANY ($2::bigint[]))",
    /* the survivor supplies them, one row each: merged rows go where the
     * outlet has the survivor or an older merged row, the rest re-point */
    "DELETE FROM clients.outlet_distributor o WHERE o.distributor_id = ANY "
    "($2::bigint[]) AND EXISTS (SELECT 1 FROM clients.outlet_distributor s "
    "WHERE s.outlet_id = o.outlet_id AND (s.distributor_id = $1::bigint OR "
    "(s.distributor_id = ANY ($2::bigint[]) AND s.id < o.id)))",
    "UPDATE clients.outlet_distributor SET distributor_id = $1::bigint, "
    "version = version + 1, updated_at = now() WHERE distributor_id = ANY "
    "($2::bigint[])",
    /* the survivor changed: a new version */
    "UPDATE clients.counterparty SET version = version + 1, updated_at = "
    "now() WHERE id = $1::bigint AND cardinality($2::bigint[]) > 0",
    /* the merged records themselves */
    "UPDATE clients.counterparty SET merged_into = $1::bigint, status = "
    "'inactive', version = version + 1, updated_at = now() WHERE id = ANY "
    "($2::bigint[])",
    NULL,
};

/*
 * The survivor's fields chosen ($1 the survivor, $2 it and $3 the merged
 * records as the API shows them, $4 the choices): after the merged
 * records are marked, so that the survivor may take a merged one's INN
 * and KPP (unique among live records).
 */
static const char merge_fields_sql[] =
    "UPDATE clients.counterparty c SET (kind, name, legal_name, inn, kpp, "
    "ogrn, region, address, segment, abc, manager_id, site, phones, emails, "
    "tags, attrs) = (SELECT n.kind, n.name, n.legal_name, n.inn, n.kpp, "
    "n.ogrn, n.region, n.address, n.segment, n.abc, n.manager_id, n.site, "
    "n.phones, n.emails, n.tags, n.attrs FROM jsonb_populate_record(NULL::"
    "clients.counterparty, clients.merge_values($2::jsonb, $3::jsonb, "
    "$4::jsonb)) n) WHERE c.id = $1::bigint";

static const char merge_one_sql[] =
    "SELECT " CLIENTS_CP_JSON("c") "::text FROM clients.counterparty c WHERE "
                                   "c.id = $1";

/*
 * Check `from` (an array of distinct counterparty ids, none the
 * survivor) and return it as a PostgreSQL bigint[] literal, or NULL
 * after recording 422.
 */
static const char *
merge_ids(kedr_req_t *r, json_t *from, json_int_t into)
{
    char *lit = kedr_strdup(r, "{");
    json_t *e, *x;
    size_t i, j;

    if (!json_is_array(from) || json_array_size(from) == 0 ||
        json_array_size(from) > 100) {
        kedr_fail(r, KEDR_EINVAL, "from",
                  "must be a list of 1 to 100 counterparty ids");
        return NULL;
    }
    json_array_foreach (from, i, e) {
        if (!json_is_integer(e) || json_integer_value(e) < 1) {
            kedr_fail(r, KEDR_EINVAL, kedr_sprintf(r, "from[%zu]", i),
                      "must be a counterparty id");
            return NULL;
        }
        if (json_integer_value(e) == into) {
            kedr_fail(r, KEDR_EINVAL, kedr_sprintf(r, "from[%zu]", i),
                      "is the surviving counterparty itself");
            return NULL;
        }
        json_array_foreach (from, j, x)
            if (j < i && json_integer_value(x) == json_integer_value(e)) {
                kedr_fail(r, KEDR_EINVAL, kedr_sprintf(r, "from[%zu]", i),
                          "is listed twice");
                return NULL;
            }
        lit = kedr_sprintf(r, "%s%s%lld", lit, i > 0 ? "," : "",
                           (long long)json_integer_value(e));
    }
    return kedr_sprintf(r, "%s}", lit);
}

/* The fields a merge chooses between (clients.merge_scalars and
 * clients.merge_lists, sql/0008_merge_fields.sql) and distributors; the
 * lists may keep both. */
static const struct {
    const char *field;
    bool list;
} merge_fields[] = {
    {"kind", false},    {"name", false},   {"legal_name", false},
    {"inn", false},     {"region", false}, {"address", false},
    {"segment", false}, {"abc", false},    {"manager_id", false},
    {"site", false},    {"phones", true},  {"emails", true},
    {"tags", true},     {"attrs", true},   {"distributors", true},
};

/*
 * Check `keep` ({field: record id or "both"}; absent: {}) against the
 * survivor `into` and the merged ids `from`, and return it as JSON text
 * with the ids as strings, or NULL after recording 422 naming
 * keep.<field>.
 */
static const char *
merge_keep(kedr_req_t *r, json_t *keep, json_int_t into, json_t *from)
{
    json_t *out = kedr_json_keep(r, json_object()), *v, *e;
    const char *field, *path;
    bool bad = false;

    /* an object, or absent: the input spec (clients.c) says so */
    if (!json_is_object(keep))
        return "{}";
    json_object_foreach (keep, field, v) {
        size_t i, f, n = sizeof(merge_fields) / sizeof(merge_fields[0]);
        bool known;

        path = kedr_sprintf(r, "keep.%s", field);
        for (f = 0; f < n && strcmp(merge_fields[f].field, field) != 0; f++)
            ;
        if (f == n) {
            kedr_field_error(r, path, "is not a field a merge chooses");
            bad = true;
            continue;
        }
        if (json_is_string(v) && strcmp(json_string_value(v), "both") == 0 &&
            merge_fields[f].list) {
            json_object_set_new(out, field, json_string("both"));
            continue;
        }
        known = json_is_integer(v) && json_integer_value(v) == into;
        json_array_foreach (from, i, e)
            known = known || (json_is_integer(v) &&
                              json_integer_value(v) == json_integer_value(e));
        if (!known) {
            kedr_field_error(r, path,
                             merge_fields[f].list
                                 ? "must be one of the records or both"
                                 : "must be one of the records");
            bad = true;
            continue;
        }
        json_object_set_new(out, field, json_string(kedr_json_text(r, v)));
    }
    if (bad) {
        kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
        return NULL;
    }
    return kedr_json_text(r, out);
}

/* The number of parameters statement `sql` uses: the highest $n of
 * $2..$4 (every statement uses $1 and $2; one it does not use could not
 * be typed). */
static int
merge_nparams(const char *sql)
{
    char p[16]; /* "$" and an int, whatever the compiler proves of n */
    int n = 4;

    do
        snprintf(p, sizeof(p), "$%d", n);
    while (strstr(sql, p) == NULL && --n > 1);
    return n;
}

/* POST /counterparties/:id/merge {from: [ids], version, keep: {field: id
 * or "both"}} -- the records in `from` are merged into :id (the
 * survivor, at `version`), its fields as `keep` chooses and by the rule
 * where it does not; 200 with the survivor. */
int
clients_cp_merge(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    json_t *body = kedr_body(r);
    json_t *version = json_object_get(body, "version");
    json_t *into, *from, *e, *ev, *after;
    const char *ids, *keep, *text, *row;
    size_t i;
    int rc;

    if ((into = kedr_db_lock(r, merge_lock_sql, id, version, "counterparty",
                             &rc)) == NULL)
        return rc;
    if (!json_is_null(json_object_get(into, "merged_into")))
        return kedr_fail(r, KEDR_ECONFLICT, NULL,
                         "the surviving counterparty was itself merged");
    ids = merge_ids(r, json_object_get(body, "from"),
                    json_integer_value(json_object_get(into, "id")));
    if (ids == NULL)
        return KEDR_EINVAL;
    keep = merge_keep(r, json_object_get(body, "keep"),
                      json_integer_value(json_object_get(into, "id")),
                      json_object_get(body, "from"));
    if (keep == NULL)
        return KEDR_EINVAL;
    if ((rc = kedr_db_json(r, merge_from_sql, KEDR_PARAMS(ids), &text)) != 0)
        return rc;
    from = kedr_json_parse(r, text);
    json_array_foreach (json_object_get(body, "from"), i, e) {
        json_t *rec = NULL, *x;
        size_t j;

        json_array_foreach (from, j, x)
            if (json_integer_value(json_object_get(x, "id")) ==
                json_integer_value(e))
                rec = x;
        if (rec == NULL)
            return kedr_fail(r, KEDR_EINVAL, kedr_sprintf(r, "from[%zu]", i),
                             "no such counterparty");
        if (!json_is_null(json_object_get(rec, "merged_into")))
            return kedr_fail(r, KEDR_EINVAL, kedr_sprintf(r, "from[%zu]", i),
                             "was already merged into another counterparty");
    }
    rc = kedr_db_exec(r, merge_own_dist_sql, KEDR_PARAMS(id, ids, keep));
    if (rc < 0)
        return rc;
    for (const char *const *sql = merge_moves_sql; *sql != NULL; sql++) {
        const char *const params[] = {id, ids, kedr_user_id_text(r), keep};

        /* the user ($3) where a row is created, `keep` ($4) where the
         * statement follows a choice */
        rc = kedr_db_exec(r, *sql, merge_nparams(*sql), params);
        if (rc < 0)
            return rc;
    }
    if ((rc = kedr_db_exec(
             r, merge_fields_sql,
             KEDR_PARAMS(id, kedr_json_text(r, into), text, keep))) < 0)
        return rc;
    json_array_foreach (from, i, e) {
        const char *mid = kedr_json_text(r, json_object_get(e, "id"));

        if ((rc = kedr_db_json(r, merge_one_sql, KEDR_PARAMS(mid), &row)) != 0)
            return rc;
        if ((rc = kedr_audit(r, "clients.counterparty", mid, "merged", e,
                             kedr_json_parse(r, row))) != 0)
            return rc;
    }
    if ((rc = kedr_db_json(r, merge_one_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    after = kedr_json_parse(r, row);
    ev = kedr_json_keep(r, json_pack("{s:O,s:O}", "into",
                                     json_object_get(into, "id"), "from",
                                     json_object_get(body, "from")));
    after = kedr_json_keep(r, json_deep_copy(after));
    json_object_set(after, "merged_from", json_object_get(body, "from"));
    if ((rc = kedr_audit(r, "clients.counterparty", id, "merged", into,
                         after)) != 0)
        return rc;
    if ((rc = kedr_emit(r, "clients.counterparty.merged", ev)) != 0)
        return rc;
    return kedr_reply_text(r, 200, row);
}

/* ---------------------------------------------------------------------
 * Undoing a merge
 * --------------------------------------------------------------------- */

/* $1 the merged record: the "merged" audit row the merge wrote for it
 * (its old value holds what it had), the latest one. */
static const char unmerge_audit_sql[] =
    "SELECT a.old::text FROM core.audit a WHERE a.entity = "
    "'clients.counterparty' AND a.entity_id = $1 AND a.action = 'merged' "
    "AND a.old ? 'contact_links' ORDER BY a.id DESC LIMIT 1";

/* The moves back; every statement gets $1 the merged record, $2 the
 * survivor, $3 the audit row's old value, $4 the user (as p).  What moved
 * to the survivor returns where it still sits there; the survivor's
 * fields and distributors are as before the merge, but for what changed
 * since; the contact links it got, and what it gained since, stay. */
#define UNMERGE_P                                                              \
    "WITH p AS (SELECT $1::bigint AS me, $2::bigint AS survivor, "             \
    "$3::jsonb AS old, $4::bigint AS uid) "
/* ... and s: the survivor's "merged" audit row of that merge (its fields
 * before and after). */
#define UNMERGE_S                                                              \
    UNMERGE_P                                                                  \
    ", s AS (SELECT a.old, a.new FROM core.audit a, p WHERE a.entity = "       \
    "'clients.counterparty' AND a.entity_id = p.survivor::text AND a.action "  \
    "= 'merged' AND a.new->'merged_from' @> to_jsonb(p.me) ORDER BY a.id "     \
    "DESC LIMIT 1) "
static const char *const unmerge_moves_sql[] = {
    /*
     * first the survivor's fields as they were before the merge, those
     * not changed since (clients.merge_undo): before the record lives
     * again, since the survivor may hold its INN and KPP
     */
    UNMERGE_S
    "UPDATE clients.counterparty c SET (kind, name, legal_name, inn, kpp, "
    "ogrn, region, address, segment, abc, manager_id, site, phones, emails, "
    "tags, attrs) = (SELECT n.kind, n.name, n.legal_name, n.inn, n.kpp, "
    "n.ogrn, n.region, n.address, n.segment, n.abc, n.manager_id, n.site, "
    "n.phones, n.emails, n.tags, n.attrs FROM jsonb_populate_record(NULL::"
    "clients.counterparty, clients.merge_undo(to_jsonb(c), s.old, s.new)) n) "
    "FROM p, s WHERE c.id = p.survivor",
    /* the distributors serving the survivor: those the merge brought go,
     * those it took away come back */
    UNMERGE_S
    "DELETE FROM clients.counterparty_distributor x USING p, s WHERE "
    "x.counterparty_id = p.survivor AND x.distributor_id IN (SELECT (e->>"
    "'distributor_id')::bigint FROM jsonb_array_elements(s.new->"
    "'distributors') e) AND x.distributor_id NOT IN (SELECT (e->>"
    "'distributor_id')::bigint FROM jsonb_array_elements(s.old->"
    "'distributors') e)",
    UNMERGE_S
    "INSERT INTO clients.counterparty_distributor (counterparty_id, "
    "distributor_id, main, created_by) SELECT p.survivor, (e->>"
    "'distributor_id')::bigint, (e->>'main')::boolean AND NOT EXISTS "
    "(SELECT 1 FROM clients.counterparty_distributor m WHERE "
    "m.counterparty_id = p.survivor AND m.main), p.uid FROM p, s, "
    "jsonb_array_elements(s.old->'distributors') e WHERE EXISTS (SELECT 1 "
    "FROM clients.counterparty k WHERE k.id = (e->>'distributor_id')::bigint "
    "AND k.merged_into IS NULL) ON CONFLICT (counterparty_id, "
    "distributor_id) DO NOTHING",
    /* the record itself: live again, its status and holding back (the
     * holding only if it is still a live record) */
    UNMERGE_P
    "UPDATE clients.counterparty c SET merged_into = NULL, status = "
    "coalesce(p.old->>'status', 'active'), parent_id = (SELECT h.id FROM "
    "clients.counterparty h WHERE h.id = (p.old->>'parent_id')::bigint AND "
    "h.merged_into IS NULL AND h.id <> c.id), version = c.version + 1, "
    "updated_at = now() FROM p WHERE c.id = p.me",
    /* its contact links (the survivor keeps the links it got: the person
     * may well belong to both) */
    UNMERGE_P
    "INSERT INTO clients.contact_link (contact_id, counterparty_id, "
    "position, department, created_by) SELECT (l->>'contact_id')::bigint, "
    "p.me, l->>'position', l->>'department', p.uid FROM p, "
    "jsonb_array_elements(p.old->'contact_links') l WHERE EXISTS (SELECT 1 "
    "FROM clients.contact k WHERE k.id = (l->>'contact_id')::bigint) ON "
    "CONFLICT (contact_id, counterparty_id) DO NOTHING",
    /* its children, those still under the survivor */
    UNMERGE_P "UPDATE clients.counterparty c SET parent_id = p.me, version = "
              "c.version + 1, updated_at = now() FROM p WHERE c.parent_id = "
              "p.survivor AND c.id IN (SELECT jsonb_array_elements_text(p.old->"
              "'child_ids')::bigint)",
    /* its outlets, those the survivor still owns */
    UNMERGE_P
    "UPDATE clients.outlet o SET owner_id = p.me, version = o.version + 1, "
    "updated_at = now() FROM p WHERE o.owner_id = p.survivor AND o.id IN "
    "(SELECT jsonb_array_elements_text(p.old->'outlet_ids')::bigint)",
    /* the distributors that served it serve it again */
    UNMERGE_P
    "INSERT INTO clients.counterparty_distributor (counterparty_id, "
    "distributor_id, main, created_by) SELECT p.me, (d->>'distributor_id')"
    "::bigint, (d->>'main')::boolean, p.uid FROM p, jsonb_array_elements("
    "p.old->'distributors') d WHERE EXISTS (SELECT 1 FROM "
    "clients.counterparty k WHERE k.id = (d->>'distributor_id')::bigint AND "
    "k.merged_into IS NULL) ON CONFLICT (counterparty_id, distributor_id) "
    "DO NOTHING",
    /* as a distributor: it serves and supplies again what it did (not
     * main where another has become main since) */
    UNMERGE_P
    "INSERT INTO clients.counterparty_distributor (counterparty_id, "
    "distributor_id, main, created_by) SELECT (d->>'counterparty_id')"
    "::bigint, p.me, (d->>'main')::boolean AND NOT EXISTS (SELECT 1 FROM "
    "clients.counterparty_distributor m WHERE m.counterparty_id = (d->>"
    "'counterparty_id')::bigint AND m.main), p.uid FROM p, "
    "jsonb_array_elements(p.old->'serves') d WHERE EXISTS (SELECT 1 FROM "
    "clients.counterparty k WHERE k.id = (d->>'counterparty_id')::bigint) "
    "ON CONFLICT (counterparty_id, distributor_id) DO NOTHING",
    UNMERGE_P
    "INSERT INTO clients.outlet_distributor (outlet_id, distributor_id, "
    "created_by) SELECT (d->>'outlet_id')::bigint, p.me, p.uid FROM p, "
    "jsonb_array_elements(p.old->'supplies') d WHERE EXISTS (SELECT 1 FROM "
    "clients.outlet o WHERE o.id = (d->>'outlet_id')::bigint) ON CONFLICT "
    "DO NOTHING",
    /* the survivor changed: a new version */
    UNMERGE_P "UPDATE clients.counterparty c SET version = c.version + 1, "
              "updated_at = now() FROM p WHERE c.id = p.survivor",
    NULL,
};

/* POST /counterparties/:id/unmerge {version}: undo the merge of :id (a
 * merged record, at `version`) into its survivor, from the audit row the
 * merge wrote; 200 with the record, live again. */
int
clients_cp_unmerge(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    json_t *version = json_object_get(kedr_body(r), "version");
    json_t *rec, *into, *ev;
    const char *survivor, *old, *row;
    int rc;

    if ((rec = kedr_db_lock(r, merge_lock_sql, id, version, "counterparty",
                            &rc)) == NULL)
        return rc;
    into = json_object_get(rec, "merged_into");
    if (!json_is_integer(into))
        return kedr_fail(r, KEDR_ECONFLICT, NULL,
                         "the counterparty is not merged into another");
    survivor = kedr_json_text(r, into);
    if ((rc = kedr_db_json(r, unmerge_audit_sql, KEDR_PARAMS(id), &old)) != 0)
        return rc;
    if (old == NULL)
        return kedr_fail(r, KEDR_ECONFLICT, NULL,
                         "the merge left no audit record to undo it from");
    /* the survivor too, so two undos and a merge do not interleave */
    if (kedr_db_exec(r,
                     "SELECT 1 FROM clients.counterparty WHERE id = $1 "
                     "FOR UPDATE",
                     KEDR_PARAMS(survivor)) < 0)
        return KEDR_EDB;
    for (const char *const *sql = unmerge_moves_sql; *sql != NULL; sql++)
        if ((rc = kedr_db_exec(
                 r, *sql,
                 KEDR_PARAMS(id, survivor, old, kedr_user_id_text(r)))) < 0)
            return rc;
    if ((rc = kedr_db_json(r, merge_one_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    if ((rc = kedr_audit(r, "clients.counterparty", id, "unmerged", rec,
                         kedr_json_parse(r, row))) != 0)
        return rc;
    ev = kedr_json_keep(r, json_pack("{s:O,s:[O]}", "into", into, "from",
                                     json_object_get(rec, "id")));
    if ((rc = kedr_audit(r, "clients.counterparty", survivor, "unmerged", NULL,
                         ev)) != 0)
        return rc;
    if ((rc = kedr_emit(r, "clients.counterparty.unmerged", ev)) != 0)
        return rc;
    return kedr_reply_text(r, 200, row);
}
