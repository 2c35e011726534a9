/*
 * t_campaign -- test-only module (tests/api/import-sf-module.test.js): a
 * module the core knows nothing of that brings in a Salesforce object
 * through the descriptor's migrators slot alone, as the later modules
 * (marketing: Campaign; projects: Opportunity, ...) will.  The mapping
 * sends the org's campaign object to its target t_campaign.campaign.
 *
 * Its rows: new ones created (ParentId in a second pass), newer ones
 * updated, deleted ones archived (kedr_migration_archive), each audited;
 * the option `min_budget` (the mapping's options) rejects campaigns
 * below it.
 */
#include <kedr.h>

static const char work_sql[] =
    "CREATE TEMP TABLE imp_camp ON COMMIT DROP AS "
    "SELECT s.*, m.local_id AS old_id, m.modstamp AS old_stamp, "
    "       NULL::bigint AS new_id, ''::text AS action "
    "  FROM %s s LEFT JOIN core.import_map m ON m.source = 'salesforce' "
    "   AND m.object = current_setting('kedr.import_object') "
    "   AND m.ext_id = s._sf_id";

static const char small_sql[] =
    "DELETE FROM imp_camp WHERE budget::numeric < "
    "       current_setting('kedr.import.min_budget', true)::numeric "
    "RETURNING _line::text, _sf_id";

static const char *const load_sql[] = {
    "UPDATE imp_camp SET action = CASE WHEN old_id IS NULL THEN 'created' "
    "    WHEN _modstamp > old_stamp THEN 'updated' ELSE 'unchanged' END",
    "WITH ins AS (INSERT INTO t_campaign.campaign (name, kind, status, "
    "    starts, ends, budget, ext) "
    "  SELECT name, kind, status, starts::date, ends::date, "
    "         budget::numeric, jsonb_build_object('salesforce_id', _sf_id) "
    "    FROM imp_camp WHERE action = 'created' "
    "  RETURNING id, ext->>'salesforce_id' AS sf) "
    "UPDATE imp_camp c SET new_id = ins.id FROM ins WHERE c._sf_id = ins.sf",
    "UPDATE t_campaign.campaign t SET name = c.name, kind = c.kind, "
    "    status = c.status, starts = c.starts::date, ends = c.ends::date, "
    "    budget = c.budget::numeric, updated_at = now(), "
    "    version = t.version + 1 "
    "  FROM imp_camp c WHERE t.id = c.old_id AND c.action = 'updated'",
    "INSERT INTO core.import_map AS m (source, object, ext_id, entity, "
    "    local_id, modstamp) "
    "SELECT 'salesforce', current_setting('kedr.import_object'), _sf_id, "
    "       't_campaign.campaign', coalesce(new_id, old_id), _modstamp "
    "  FROM imp_camp "
    "ON CONFLICT (source, object, ext_id) DO UPDATE "
    "   SET modstamp = excluded.modstamp, imported_at = now() "
    " WHERE m.modstamp IS DISTINCT FROM excluded.modstamp",
    "UPDATE t_campaign.campaign t SET parent_id = p.local_id "
    "  FROM imp_camp c JOIN core.import_map p ON p.source = 'salesforce' "
    "   AND p.object = current_setting('kedr.import_object') "
    "   AND p.ext_id = c.parent_sf_id "
    " WHERE t.id = coalesce(c.new_id, c.old_id) "
    "   AND c.action IN ('created', 'updated') AND p.local_id <> t.id",
    "INSERT INTO core.audit (request_id, entity, entity_id, action, new) "
    "SELECT 'import', 't_campaign.campaign', coalesce(new_id, old_id)::text, "
    "       'imported', jsonb_build_object('source', 'salesforce', "
    "       'salesforce_id', _sf_id, 'change', action) "
    "  FROM imp_camp WHERE action IN ('created', 'updated')",
    NULL,
};

static int
t_campaign_import(kedr_req_t *r, kedr_migration_t *imp)
{
    int rc = kedr_migration_begin(r, imp, work_sql, "imp_camp");

    if (rc != 0 ||
        (rc = kedr_migration_reject_rows(r, imp, small_sql, "budget",
                                         "below min_budget")) != 0 ||
        (rc = kedr_migration_steps(r, load_sql)) != 0 ||
        (rc = kedr_migration_archive(r, imp, "t_campaign.campaign",
                                     "active = false", "t.active")) != 0)
        return rc;
    return kedr_migration_finish(r, imp, "imp_camp");
}

static const struct kedr_migrator t_campaign_importers[] = {
    {.source = "salesforce",
     .target = "t_campaign.campaign",
     .load = t_campaign_import},
    {0},
};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,
    .name = "t_campaign",
    .version = "0.1.0",
    .migrators = t_campaign_importers,
};
