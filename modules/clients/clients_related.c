/*
 * clients_related.c -- the registry of related records a counterparty's
 * card shows: GET /counterparties/:id/related emits
 * "clients.counterparty.related" with {"counterparty_id": N, "related":
 * []}, and every module that keeps records about counterparties (projects,
 * meetings, helpdesk, ...) appends what it has from a hook:
 *
 *   {"module": "projects", "key": "projects", "label_ru": "Проекты",
 *    "label_en": "Projects", "count": 3, "path": "/projects?counterparty_id=N",
 *    "items": [{"id": 7, "title": "...", "path": "/projects/7"}]}
 *
 * The card lists the entries; clients knows nothing of the modules that
 * answer.  The hooks run in the request's read-only transaction, so they
 * read, never write.  An entry that does not have that shape fails the
 * request (500) naming the module, rather than reaching the browser.
 */
#include <stdlib.h>
#include <string.h>

#include "clients_int.h"

static const char related_visible_sql[] =
    "SELECT 1 FROM clients.counterparty c WHERE c.id = $1 AND "
    "c.merged_into IS NULL AND " CLIENTS_CP_VISIBLE("c");

/* Whether `e` is an entry of the shape above. */
static bool
related_entry_valid(json_t *e)
{
    json_t *items = json_object_get(e, "items"), *it;
    size_t i;

    if (!json_is_object(e) || !json_is_string(json_object_get(e, "module")) ||
        !json_is_string(json_object_get(e, "key")) ||
        !json_is_string(json_object_get(e, "label_ru")) ||
        !json_is_string(json_object_get(e, "label_en")) ||
        !json_is_integer(json_object_get(e, "count")))
        return false;
    if (json_object_get(e, "path") != NULL &&
        !json_is_string(json_object_get(e, "path")))
        return false;
    if (items == NULL)
        return true;
    if (!json_is_array(items))
        return false;
    json_array_foreach (items, i, it)
        if (!json_is_object(it) ||
            !json_is_string(json_object_get(it, "title")) ||
            (json_object_get(it, "path") != NULL &&
             !json_is_string(json_object_get(it, "path"))))
            return false;
    return true;
}

/* GET /counterparties/:id/related: [{module, key, label_ru, label_en,
 * count, path, items}] from every module's hook, in module order. */
int
clients_counterparty_related(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    kedr_rows_t *rows;
    json_t *payload, *related, *e;
    size_t i;
    int rc;

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such counterparty");
    rows = kedr_db_query(r, related_visible_sql, KEDR_PARAMS(id));
    if (rows == NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) == 0)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such counterparty");
    payload = kedr_json_keep(r, json_pack("{s:I, s:[]}", "counterparty_id",
                                          (json_int_t)strtoll(id, NULL, 10),
                                          "related"));
    if ((rc = kedr_emit(r, "clients.counterparty.related", payload)) != 0)
        return rc;
    related = json_object_get(payload, "related");
    if (!json_is_array(related))
        return kedr_fail(r, KEDR_EINTERNAL, NULL,
                         "a hook replaced the related list");
    json_array_foreach (related, i, e)
        if (!related_entry_valid(e))
            return kedr_fail(
                r, KEDR_EINTERNAL, NULL,
                "a related entry of module \"%s\" has not the registry's shape",
                json_is_string(json_object_get(e, "module"))
                    ? json_string_value(json_object_get(e, "module"))
                    : "?");
    return kedr_reply_json(r, 200, json_incref(related));
}
