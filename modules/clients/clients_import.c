/*
 * clients_import.c -- the clients module's migrators (kedr.h, struct
 * kedr_migrator): Salesforce Account -> clients.counterparty, Contact ->
 * clients.contact with its link to the account, Store__c ->
 * clients.outlet.
 *
 * The core has staged the cleansed rows (kedr_migration_table: one text
 * column per mapped field, _line, _sf_id, _modstamp).  Everything here is
 * set-wise SQL: a working table joined with core.import_map decides per
 * row whether it is new, newer than what was taken last time, unchanged,
 * or (accounts) a duplicate by INN+KPP merged into its group's survivor;
 * then one INSERT, one UPDATE, the map, the references a second pass
 * resolves (ParentId, ReportsToId) and the audit rows.
 */
#include "clients_int.h"

/* ------------------------------------------------------------------ */
/* Account -> clients.counterparty                                     */
/* ------------------------------------------------------------------ */

/* The working table: each staged account with what the map knows of it
 * and its duplicate group (INN+KPP; an account without an INN is a group
 * of its own). */
static const char acc_work_sql[] =
    "CREATE TEMP TABLE imp_acc ON COMMIT DROP AS "
    "SELECT s.*, m.local_id AS old_id, m.modstamp AS old_stamp, "
    "       CASE WHEN s.inn IS NULL THEN 'id:' || s._sf_id "
    "            ELSE s.inn || '/' || coalesce(s.kpp, '') END AS grp, "
    "       false AS survivor, NULL::bigint AS gid, ''::text AS action "
    "  FROM %s s LEFT JOIN core.import_map m ON m.source = 'salesforce' "
    "   AND m.object = current_setting('kedr.import_object') "
    "   AND m.ext_id = s._sf_id";

/* The survivor of each group: the most recently modified row.  The
 * group's record: one a row of it already became, else a live
 * counterparty of the same INN+KPP that was there before the import. */
static const char acc_survivor_sql[] =
    "UPDATE imp_acc a SET survivor = true FROM (SELECT DISTINCT ON (grp) "
    "    _sf_id FROM imp_acc ORDER BY grp, _modstamp DESC NULLS LAST, "
    "    _sf_id) w WHERE a._sf_id = w._sf_id";

/* options { merge_duplicates = false; } in the mapping: the duplicates
 * of the export are rejected instead of merged (the survivor stays). */
static const char acc_nomerge_sql[] =
    "DELETE FROM imp_acc WHERE NOT survivor AND old_id IS NULL "
    "   AND inn IS NOT NULL "
    "   AND current_setting('kedr.import.merge_duplicates', true) = 'false' "
    "RETURNING _line::text, _sf_id";

static const char *const acc_group_sql[] = {
    "UPDATE imp_acc a SET gid = g.id FROM (SELECT grp, min(old_id) AS id "
    "    FROM imp_acc GROUP BY grp) g WHERE a.grp = g.grp AND g.id IS NOT NULL",
    "UPDATE imp_acc a SET gid = c.id FROM clients.counterparty c "
    " WHERE a.gid IS NULL AND a.inn IS NOT NULL AND c.inn = a.inn "
    "   AND coalesce(c.kpp, '') = coalesce(a.kpp, '') "
    "   AND c.merged_into IS NULL",
    "UPDATE imp_acc SET action = CASE "
    "    WHEN old_id IS NOT NULL THEN CASE WHEN _modstamp > old_stamp "
    "        THEN 'updated' ELSE 'unchanged' END "
    "    WHEN survivor AND gid IS NULL THEN 'created' "
    "    ELSE 'merged' END",
    NULL,
};

#define ACC_VALUES                                                             \
    "CASE WHEN a.kind IN ('distributor', 'end_customer', 'installer', "        \
    "'design_institute', 'developer', 'retail_chain', 'partner', "             \
    "'competitor') THEN a.kind ELSE 'end_customer' END, "                      \
    "CASE a.kind WHEN 'prospect' THEN 'prospect' ELSE 'active' END, "          \
    "a.name, a.inn, a.kpp, a.ogrn, a.region, "                                 \
    "nullif(concat_ws(', ', a.address, a.city), ''), "                         \
    "(SELECT u.local_id FROM core.import_map u WHERE u.source = "              \
    "'salesforce' AND u.object = 'User' AND u.ext_id = a.manager_sf_id), "     \
    "CASE WHEN a.phone IS NULL THEN '{}'::text[] ELSE ARRAY[a.phone] END, "    \
    "a.website"

static const char *const acc_insert_sql[] = {
    "WITH ins AS (INSERT INTO clients.counterparty (kind, status, name, inn, "
    "    kpp, ogrn, region, address, manager_id, phones, site, ext, "
    "    created_at) "
    "  SELECT " ACC_VALUES ", jsonb_build_object('salesforce_id', a._sf_id), "
    "         coalesce(a.created_at::timestamptz, now()) "
    "    FROM imp_acc a WHERE a.action = 'created' "
    "  RETURNING id, ext->>'salesforce_id' AS sf) "
    "UPDATE imp_acc a SET gid = ins.id FROM ins WHERE a._sf_id = ins.sf",
    "UPDATE imp_acc a SET gid = s.gid FROM imp_acc s "
    " WHERE a.gid IS NULL AND s.grp = a.grp AND s.action = 'created'",
    NULL,
};

static const char acc_update_sql[] =
    "UPDATE clients.counterparty c SET (kind, status, name, inn, kpp, ogrn, "
    "    region, address, manager_id, phones, site) = (" ACC_VALUES "), "
    "    ext = c.ext || jsonb_build_object('salesforce_id', a._sf_id), "
    "    updated_at = now(), version = c.version + 1 "
    "  FROM imp_acc a WHERE c.id = a.gid AND a.survivor "
    "   AND a.action = 'updated'";

/* ParentId, once every account of the export has its record. */
static const char acc_parent_sql[] =
    "UPDATE clients.counterparty c SET parent_id = p.local_id "
    "  FROM imp_acc a JOIN core.import_map p ON p.source = 'salesforce' "
    "   AND p.object = current_setting('kedr.import_object') "
    "   AND p.ext_id = a.parent_sf_id "
    " WHERE c.id = a.gid AND a.survivor AND a.action IN ('created', "
    "   'updated') AND p.local_id <> c.id "
    "   AND c.parent_id IS DISTINCT FROM p.local_id";

/* Once the rows have their records: the updates; then the map and the
 * audit (acc_recorded_sql), then the holdings (ParentId). */
static const char *const acc_load_sql[] = {acc_update_sql, NULL};

/* kedr_migration_map_put: every account that has its record; the audit of
 * the records that changed (a merged-away account's too). */
static const char acc_recorded_sql[] =
    "SELECT _sf_id, gid, _modstamp, CASE WHEN action <> 'unchanged' "
    "   AND (survivor OR action = 'merged') THEN action END "
    "  FROM imp_acc WHERE gid IS NOT NULL";

static const char *const acc_parent_steps[] = {
    /* the ids are in now: without fresh statistics the second pass
     * plans for none and loops */
    "ANALYZE imp_acc",
    acc_parent_sql,
    NULL,
};

static int
clients_import_account(kedr_req_t *r, kedr_migration_t *imp)
{
    static const char *const survivors[] = {acc_survivor_sql, NULL};
    int rc = kedr_migration_begin(r, imp, acc_work_sql, "imp_acc");

    if (rc != 0 || (rc = kedr_migration_steps(r, survivors)) != 0 ||
        (rc = kedr_migration_reject_rows(
             r, imp, acc_nomerge_sql, "inn",
             "another account of the export has this INN and KPP "
             "(merge_duplicates is off)")) != 0 ||
        (rc = kedr_migration_steps(r, acc_group_sql)) != 0 ||
        (rc = kedr_migration_steps(r, acc_insert_sql)) != 0 ||
        (rc = kedr_migration_steps(r, acc_load_sql)) != 0 ||
        (rc = kedr_migration_map_put(r, imp, "clients.counterparty",
                                     acc_recorded_sql)) != 0 ||
        (rc = kedr_migration_steps(r, acc_parent_steps)) != 0 ||
        (rc = kedr_migration_archive(r, imp, "clients.counterparty",
                                     "status = 'inactive'",
                                     "t.status <> 'inactive'")) != 0)
        return rc;
    return kedr_migration_finish(r, imp, "imp_acc");
}

/* ------------------------------------------------------------------ */
/* Contact -> clients.contact, contact_link                            */
/* ------------------------------------------------------------------ */

/* The working table of an object whose rows name an account (contacts,
 * stores): each staged row with what the map knows of it and, as cp_id,
 * the record its account became -- an account merged away maps to its
 * group's survivor, so its contacts and stores go to the survivor. */
#define WORK_WITH_ACCOUNT_SQL(work)                                            \
    "CREATE TEMP TABLE " work " ON COMMIT DROP AS "                            \
    "SELECT s.*, m.local_id AS old_id, m.modstamp AS old_stamp, "              \
    "       a.local_id AS cp_id, NULL::bigint AS new_id, ''::text AS action "  \
    "  FROM %s s "                                                             \
    "  LEFT JOIN core.import_map m ON m.source = 'salesforce' "                \
    "   AND m.object = current_setting('kedr.import_object') "                 \
    "   AND m.ext_id = s._sf_id "                                              \
    "  LEFT JOIN core.import_map a ON a.source = 'salesforce' "                \
    "   AND a.object = 'Account' AND a.ext_id = s.counterparty_sf_id"

static const char con_work_sql[] = WORK_WITH_ACCOUNT_SQL("imp_con");

/* An account id that is in no file (or was deleted there). */
static const char con_orphan_sql[] =
    "DELETE FROM imp_con WHERE counterparty_sf_id IS NOT NULL "
    "   AND cp_id IS NULL RETURNING _line::text, _sf_id";

static const char con_noname_sql[] =
    "DELETE FROM imp_con WHERE last_name IS NULL "
    "RETURNING _line::text, _sf_id";

static const char con_action_sql[] =
    "UPDATE imp_con SET action = CASE WHEN old_id IS NULL THEN 'created' "
    "    WHEN _modstamp > old_stamp THEN 'updated' ELSE 'unchanged' END";

#define CON_VALUES                                                             \
    "c.last_name, c.first_name, "                                              \
    "array_remove(ARRAY[c.phone, c.mobile], NULL), "                           \
    "array_remove(ARRAY[c.email], NULL), c.birthday::date"

static const char con_insert_sql[] =
    "WITH ins AS (INSERT INTO clients.contact (last_name, first_name, "
    "    phones, emails, birthday, ext, created_at) "
    "  SELECT " CON_VALUES ", jsonb_build_object('salesforce_id', c._sf_id), "
    "         coalesce(c.created_at::timestamptz, now()) "
    "    FROM imp_con c WHERE c.action = 'created' "
    "  RETURNING id, ext->>'salesforce_id' AS sf) "
    "UPDATE imp_con c SET new_id = ins.id FROM ins WHERE c._sf_id = ins.sf";

static const char con_update_sql[] =
    "UPDATE clients.contact t SET (last_name, first_name, phones, emails, "
    "    birthday) = (" CON_VALUES "), updated_at = now(), "
    "    version = t.version + 1 "
    "  FROM imp_con c WHERE t.id = c.old_id AND c.action = 'updated'";

static const char con_link_sql[] =
    "INSERT INTO clients.contact_link (contact_id, counterparty_id, position) "
    "SELECT coalesce(new_id, old_id), cp_id, position FROM imp_con "
    " WHERE cp_id IS NOT NULL AND action IN ('created', 'updated') "
    "ON CONFLICT (contact_id, counterparty_id) DO UPDATE "
    "   SET position = excluded.position, updated_at = now()";

/* ReportsToId, once every contact of the export has its record. */
static const char con_reports_sql[] =
    "UPDATE clients.contact t SET reports_to = b.local_id "
    "  FROM imp_con c JOIN core.import_map b ON b.source = 'salesforce' "
    "   AND b.object = current_setting('kedr.import_object') "
    "   AND b.ext_id = c.reports_to_sf_id "
    " WHERE t.id = coalesce(c.new_id, c.old_id) AND c.action IN "
    "   ('created', 'updated') AND b.local_id <> t.id "
    "   AND t.reports_to IS DISTINCT FROM b.local_id";

/* After the orphans are out: the rows' actions, the records and the
 * links; then the map and the audit (con_recorded_sql), ReportsToId. */
static const char *const con_load_sql[] = {
    con_action_sql, con_insert_sql, con_update_sql, con_link_sql, NULL,
};

/* kedr_migration_map_put: every contact; the audit of those that changed. */
static const char con_recorded_sql[] =
    "SELECT _sf_id, coalesce(new_id, old_id), _modstamp, CASE WHEN action "
    "IN ('created', 'updated') THEN action END FROM imp_con";

static const char *const con_reports_steps[] = {
    "ANALYZE imp_con", /* the new ids, as for accounts */
    con_reports_sql,
    NULL,
};

static int
clients_import_contact(kedr_req_t *r, kedr_migration_t *imp)
{
    int rc = kedr_migration_begin(r, imp, con_work_sql, "imp_con");

    if (rc != 0 ||
        (rc = kedr_migration_reject_rows(
             r, imp, con_orphan_sql, "counterparty_sf_id",
             "the account is not in the export")) != 0 ||
        (rc = kedr_migration_reject_rows(r, imp, con_noname_sql, "last_name",
                                         "no last name")) != 0 ||
        (rc = kedr_migration_steps(r, con_load_sql)) != 0 ||
        (rc = kedr_migration_map_put(r, imp, "clients.contact",
                                     con_recorded_sql)) != 0 ||
        (rc = kedr_migration_steps(r, con_reports_steps)) != 0 ||
        (rc = kedr_migration_archive(r, imp, "clients.contact",
                                     "active = false", "t.active")) != 0)
        return rc;
    return kedr_migration_finish(r, imp, "imp_con");
}

/* ------------------------------------------------------------------ */
/* Store__c -> clients.outlet                                          */
/* ------------------------------------------------------------------ */

/* The owner through the Account map (WORK_WITH_ACCOUNT_SQL). */
static const char out_work_sql[] = WORK_WITH_ACCOUNT_SQL("imp_out");

/* An account id that is in no file (or was deleted there). */
static const char out_orphan_sql[] =
    "DELETE FROM imp_out WHERE cp_id IS NULL RETURNING _line::text, _sf_id";

static const char out_action_sql[] =
    "UPDATE imp_out SET action = CASE WHEN old_id IS NULL THEN 'created' "
    "    WHEN _modstamp > old_stamp THEN 'updated' ELSE 'unchanged' END";

/* Coordinates both or neither (the table's CHECK); a format the table
 * does not know (a `keep` in a changed mapping) becomes chain_store. */
#define OUT_VALUES                                                             \
    "o.cp_id, o.name, CASE WHEN o.format IN ('diy', 'electrical_shop', "       \
    "'chain_store', 'showroom', 'online') THEN o.format "                      \
    "ELSE 'chain_store' END, "                                                 \
    "nullif(concat_ws(', ', o.region, o.city, o.address), ''), "               \
    "CASE WHEN o.lat::numeric BETWEEN -90 AND 90 AND o.lon::numeric "          \
    "BETWEEN -180 AND 180 THEN o.lat::numeric END, "                           \
    "CASE WHEN o.lat::numeric BETWEEN -90 AND 90 AND o.lon::numeric "          \
    "BETWEEN -180 AND 180 THEN o.lon::numeric END, "                           \
    "CASE WHEN o.area::numeric >= 0 THEN o.area::numeric END, "                \
    "(SELECT u.local_id FROM core.import_map u WHERE u.source = "              \
    "'salesforce' AND u.object = 'User' AND u.ext_id = o.manager_sf_id), "     \
    "coalesce(o.active::boolean, true)"

static const char out_insert_sql[] =
    "WITH ins AS (INSERT INTO clients.outlet (owner_id, name, format, "
    "    address, lat, lon, area, manager_id, active, characteristics, ext, "
    "    created_at) "
    "  SELECT " OUT_VALUES ", jsonb_strip_nulls(jsonb_build_object('phone', "
    "         o.phone)), jsonb_build_object('salesforce_id', o._sf_id), "
    "         coalesce(o.created_at::timestamptz, now()) "
    "    FROM imp_out o WHERE o.action = 'created' "
    "  RETURNING id, ext->>'salesforce_id' AS sf) "
    "UPDATE imp_out o SET new_id = ins.id FROM ins WHERE o._sf_id = ins.sf";

static const char out_update_sql[] =
    "UPDATE clients.outlet t SET (owner_id, name, format, address, lat, lon, "
    "    area, manager_id, active) = (" OUT_VALUES "), "
    "    characteristics = t.characteristics - 'phone' || "
    "        jsonb_strip_nulls(jsonb_build_object('phone', o.phone)), "
    "    ext = t.ext || jsonb_build_object('salesforce_id', o._sf_id), "
    "    updated_at = now(), version = t.version + 1 "
    "  FROM imp_out o WHERE t.id = o.old_id AND o.action = 'updated'";

/* After the orphans are out: the rows' actions and the records; then
 * the map and the audit (out_recorded_sql). */
static const char *const out_load_sql[] = {
    out_action_sql,
    out_insert_sql,
    out_update_sql,
    NULL,
};

/* kedr_migration_map_put: every store; the audit of those that changed. */
static const char out_recorded_sql[] =
    "SELECT _sf_id, coalesce(new_id, old_id), _modstamp, CASE WHEN action "
    "IN ('created', 'updated') THEN action END FROM imp_out";

static int
clients_import_store(kedr_req_t *r, kedr_migration_t *imp)
{
    int rc = kedr_migration_begin(r, imp, out_work_sql, "imp_out");

    if (rc != 0 ||
        (rc = kedr_migration_reject_rows(
             r, imp, out_orphan_sql, "counterparty_sf_id",
             "the account is not in the export")) != 0 ||
        (rc = kedr_migration_steps(r, out_load_sql)) != 0 ||
        (rc = kedr_migration_map_put(r, imp, "clients.outlet",
                                     out_recorded_sql)) != 0 ||
        (rc = kedr_migration_archive(r, imp, "clients.outlet", "active = false",
                                     "t.active")) != 0)
        return rc;
    return kedr_migration_finish(r, imp, "imp_out");
}

const struct kedr_migrator clients_migrators[] = {
    {.source = "salesforce",
     .target = "clients.counterparty",
     .load = clients_import_account},
    {.source = "salesforce",
     .target = "clients.contact",
     .load = clients_import_contact},
    {.source = "salesforce",
     .target = "clients.outlet",
     .load = clients_import_store},
    {0},
};
