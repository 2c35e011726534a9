/*
 * clients_contacts.c -- contacts (people): a paged list (search by name,
 * phone in any written form or e-mail; filter by counterparty), one
 * record with its links to counterparties, create and edit (phones to
 * E.164, e-mails checked, reports-to without loops, links replaced as a
 * whole, optimistic locking), and a counterparty's contacts as a tree.
 */
#include <stdlib.h>
#include <string.h>

#include "clients_int.h"

/* A contact row `a` as JSON, with its links to counterparties. */
#define CONTACT_JSON(a)                                                        \
    "(to_jsonb(" a ") || jsonb_build_object('links', (SELECT "                 \
    "coalesce(jsonb_agg(jsonb_build_object('counterparty_id', "                \
    "l.counterparty_id, 'name', k.name, 'position', l.position, "              \
    "'department', l.department) ORDER BY l.id), '[]') FROM "                  \
    "clients.contact_link l JOIN clients.counterparty k ON k.id = "            \
    "l.counterparty_id WHERE l.contact_id = " a ".id)))"

static const char *const contact_roles[] = {
    "decision_maker", "influencer", "approver", "user",
    "gatekeeper",     "other",      NULL};

/*
 * The filters of the list and of the export on contact row `c`: $1 q (a
 * name fragment, any case, ё = е; an e-mail, any case; or its Salesforce
 * id, 15 or 18 characters: core.import_find), $2 q as an
 * E.164 phone (NULL when it is not one), $3 counterparty_id (linked to
 * it), $4 active, $5 extra attributes (a JSON object the record's attrs
 * contain).
 */
#define CONTACT_FILTERS                                                        \
    "($1::text IS NULL OR " CLIENTS_CONTACT_MATCH(                             \
        "c", "$1",                                                             \
        "$2") " OR c.id = ANY (ARRAY(SELECT core.import_find("                 \
              "'clients.contact', $1)))) "                                     \
              "AND ($3::bigint IS NULL OR EXISTS (SELECT 1 FROM "              \
              "clients.contact_link "                                          \
              "l WHERE l.contact_id = c.id AND l.counterparty_id = "           \
              "$3::bigint)) "                                                  \
              "AND ($4::boolean IS NULL OR c.active = $4::boolean) "           \
              "AND ($5::jsonb IS NULL OR c.attrs @> $5::jsonb) "               \
              "AND " CLIENTS_CONTACT_VISIBLE("c")

/* The sort keys of contacts; full_name, the default, matches index
 * contact_name. */
static const struct clients_order contact_orders[] = {
    CLIENTS_ORDER("full_name", "c.full_name COLLATE \"ru-RU-x-icu\"", "c",
                  CLIENTS_KEY_TEXT, false),
    CLIENTS_ORDER("created_at", "c.created_at", "c", CLIENTS_KEY_TIME, false),
    CLIENTS_ORDER("updated_at", "c.updated_at", "c", CLIENTS_KEY_TIME, false),
    CLIENTS_ORDER_ID("c"),
};

/* The list: the filters, then $6 limit, $7 offset, $8 the most records
 * `total` counts (NULL: all), with ?after= $9, $10; {AFTER}, {BY} and
 * {CURSOR} as clients_list_reply fills them in (see cp_list_sql). */
static const char contact_list_sql[] =
    "WITH f AS NOT MATERIALIZED (SELECT c.* FROM clients.contact c WHERE "
    "" CONTACT_FILTERS
    "), p AS (SELECT c.* FROM f c WHERE true{AFTER}" CLIENTS_PAGE_SQL(
        "c", CONTACT_JSON("c"), "$6", "$7", "$8", "f");

/* The filters and the order the query string asks for, as
 * CONTACT_FILTERS numbers them. */
static void
contact_filter(kedr_req_t *r, struct clients_query *q)
{
    const char *text = clients_query_str(r, "q");

    clients_query_add(q, text);
    clients_query_add(q, clients_query_phone(r, text));
    clients_query_idp(r, q, "counterparty_id");
    clients_query_bool(r, q, "active");
    clients_query_attrs(r, q, "clients.contact");
    clients_query_order(r, q, contact_orders,
                        sizeof(contact_orders) / sizeof(contact_orders[0]));
}

/* GET /contacts?q=&counterparty_id=&active=&attr.<name>=&sort=&order=
 * &limit=&offset=&after=&total= -- {items, total, total_exact, limit,
 * offset, next} */
int
clients_contacts_list(kedr_req_t *r)
{
    struct clients_query q = {0};

    contact_filter(r, &q);
    return clients_list_reply(r, &q, contact_list_sql);
}

static const char contact_one_sql[] =
    "SELECT " CONTACT_JSON("c") "::text FROM clients.contact c WHERE c.id = "
                                "$1 AND " CLIENTS_CONTACT_VISIBLE("c");

/* GET /contacts/:id */
int
clients_contacts_get(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such contact");
    return kedr_reply_db_json(r, 200, contact_one_sql, KEDR_PARAMS(id));
}

/*
 * Check the body's links ([{counterparty_id, position, department}]) and
 * copy them, trimmed, into `n`.  Records a field error and returns false
 * when one is wrong.
 */
static bool
contact_take_links(kedr_req_t *r, json_t *in, json_t *n)
{
    json_t *links = json_object_get(in, "links"), *e, *out, *seen;
    size_t i;

    if (links == NULL)
        return true;
    out = json_array();
    json_object_set_new(n, "links", out);
    if (json_is_null(links))
        return true;
    seen = kedr_json_keep(r, json_object());
    if (!json_is_array(links)) {
        kedr_field_error(r, "links", "must be a list");
        return false;
    }
    json_array_foreach (links, i, e) {
        json_t *cp = json_object_get(e, "counterparty_id");
        const char *key;
        json_t *v, *x;

        if (!json_is_object(e) || !json_is_integer(cp) ||
            json_integer_value(cp) < 1) {
            kedr_field_error(r, kedr_sprintf(r, "links[%zu]", i),
                             "must be {counterparty_id, position, "
                             "department}");
            return false;
        }
        json_object_foreach (e, key, v) {
            bool text =
                strcmp(key, "position") == 0 || strcmp(key, "department") == 0;

            if (!text && strcmp(key, "counterparty_id") != 0) {
                kedr_field_error(r, kedr_sprintf(r, "links[%zu].%s", i, key),
                                 "is not a field of a link");
                return false;
            }
            if (text && !json_is_null(v) &&
                (!json_is_string(v) || json_string_length(v) > 200)) {
                kedr_field_error(r, kedr_sprintf(r, "links[%zu].%s", i, key),
                                 "must be a string of at most 200 characters");
                return false;
            }
        }
        if (clients_id_seen(r, seen, json_integer_value(cp))) {
            kedr_field_error(r, kedr_sprintf(r, "links[%zu]", i),
                             "links the same counterparty twice");
            return false;
        }
        x = json_object();
        json_object_set(x, "counterparty_id", cp);
        for (const char *const *k =
                 (const char *const[]){"position", "department", NULL};
             *k != NULL; k++) {
            const char *t =
                kedr_trim(r, json_string_value(json_object_get(e, *k)));

            if (t != NULL && *t != '\0') /* blank: no value */
                json_object_set_new(x, *k, json_string(t));
        }
        json_array_append_new(out, x);
    }
    return true;
}

/* Check `in` (the body, or an imported row) and copy it, normalised,
 * into a new object (members present only); NULL with *rc set after
 * recording 422 or a database failure.  `partial`: an update. */
static json_t *
contact_normalize(kedr_req_t *r, json_t *in, bool partial, int *rc)
{
    static const char *const strs[] = {"last_name", "first_name", "middle_name",
                                       "decision_role", NULL};
    json_t *n = kedr_json_keep(r, json_object());
    const char *s;
    bool bad = false;
    int na;

    for (const char *const *k = strs; *k != NULL; k++)
        clients_take_str(r, in, n, *k);
    if (json_object_get(n, "last_name") != NULL &&
        json_is_null(json_object_get(n, "last_name"))) {
        kedr_field_error(r, "last_name", "must not be empty");
        bad = true;
    } else if (!partial && json_object_get(n, "last_name") == NULL) {
        /* an imported row has no input spec to require it */
        kedr_field_error(r, "last_name", "is required");
        bad = true;
    }
    if ((s = json_string_value(json_object_get(n, "decision_role"))) != NULL &&
        !clients_one_of(s, contact_roles)) {
        kedr_field_error(r, "decision_role",
                         "must be decision_maker, influencer, approver, "
                         "user, gatekeeper or other");
        bad = true;
    }
    if (!clients_take_list(r, in, n, "phones", true, false))
        bad = true;
    if (!clients_take_list(r, in, n, "emails", false, true))
        bad = true;
    if (json_object_get(in, "ext") != NULL) {
        if (!clients_ext_valid(r, json_object_get(in, "ext"), "ext"))
            bad = true;
        else if (json_is_null(json_object_get(in, "ext")))
            json_object_set_new(n, "ext", json_object());
        else
            clients_take(in, n, "ext");
    }
    for (const char *const *k =
             (const char *const[]){"reports_to", "birthday", "consent",
                                   "consent_at", "active", NULL};
         *k != NULL; k++)
        clients_take(in, n, *k);
    for (const char *const *k =
             (const char *const[]){"consent", "active", NULL};
         *k != NULL; k++)
        if (json_is_null(json_object_get(n, *k))) {
            kedr_field_error(r, *k, "must be true or false");
            bad = true;
        }
    if (!contact_take_links(r, in, n))
        bad = true;
    if ((na = clients_take_attrs(r, in, n, "clients.contact", partial)) < 0) {
        *rc = na;
        return NULL;
    }
    if (bad || na > 0) {
        *rc = kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
        return NULL;
    }
    return n;
}

/*
 * $1 reports_to, $2 the contact (NULL for a new one), $3 links: whether
 * the manager exists, whether they are the contact or below it (a loop),
 * the first linked counterparty that does not exist (or NULL), whether
 * the caller is own-only, and whether the caller sees the manager (one
 * they do not see is "no such contact" too: nothing tells the two apart).
 */
static const char contact_refs_sql[] =
    "SELECT $1::bigint IS NULL OR EXISTS (SELECT 1 FROM clients.contact "
    "WHERE id = $1::bigint), "
    "$1::bigint IS NOT NULL AND $2::bigint IS NOT NULL AND $2::bigint IN "
    "(WITH RECURSIVE up (id, reports_to) AS (SELECT id, reports_to FROM "
    "clients.contact WHERE id = $1::bigint UNION SELECT c.id, c.reports_to "
    "FROM clients.contact c JOIN up ON c.id = up.reports_to) SELECT id FROM "
    "up), "
    "(SELECT x.counterparty_id FROM jsonb_to_recordset(coalesce($3::jsonb, "
    "'[]')) AS x (counterparty_id bigint) WHERE NOT EXISTS (SELECT 1 FROM "
    "clients.counterparty k WHERE k.id = x.counterparty_id AND "
    "" CLIENTS_CP_VISIBLE("k") ") LIMIT 1), core.own_only(), "
                               "$1::bigint IS NULL OR EXISTS (SELECT 1 FROM "
                               "clients.contact c WHERE "
                               "c.id = $1::bigint AND " CLIENTS_CONTACT_VISIBLE(
                                   "c") ")";

/* The checks that need the database (422); 0 when the write may go
 * ahead. */
static int
contact_check(kedr_req_t *r, json_t *n, const char *id)
{
    json_t *boss = json_object_get(n, "reports_to");
    kedr_rows_t *rows;

    rows = kedr_db_query(
        r, contact_refs_sql,
        KEDR_PARAMS(json_is_integer(boss) ? kedr_json_text(r, boss) : NULL, id,
                    kedr_json_text(r, json_object_get(n, "links"))));
    if (rows == NULL)
        return KEDR_EDB;
    if (strcmp(kedr_rows_get(rows, 0, 0), "t") != 0 ||
        strcmp(kedr_rows_get(rows, 0, 4), "t") != 0)
        return kedr_fail(r, KEDR_EINVAL, "reports_to", "no such contact");
    if (strcmp(kedr_rows_get(rows, 0, 1), "t") == 0)
        return kedr_fail(r, KEDR_EINVAL, "reports_to",
                         "would make the reporting structure a loop");
    if (!kedr_rows_isnull(rows, 0, 2))
        return kedr_fail(r, KEDR_EINVAL, "links", "no such counterparty: %s",
                         kedr_rows_get(rows, 0, 2));
    /* an own-only caller sees a contact through its links only */
    if (strcmp(kedr_rows_get(rows, 0, 3), "t") == 0 &&
        (id == NULL || json_object_get(n, "links") != NULL) &&
        json_array_size(json_object_get(n, "links")) == 0)
        return kedr_fail(r, KEDR_EINVAL, "links",
                         "link the contact to one of your counterparties");
    return 0;
}

/* $1 contact, $2 links, $3 user: the links become exactly `links`. */
static const char contact_links_sql[] =
    "WITH n AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x "
    "(counterparty_id bigint, position text, department text)), "
    "d AS (DELETE FROM clients.contact_link l WHERE l.contact_id = $1 AND "
    "l.counterparty_id NOT IN (SELECT counterparty_id FROM n)) "
    "INSERT INTO clients.contact_link AS l (contact_id, counterparty_id, "
    "position, department, created_by) SELECT $1, n.counterparty_id, "
    "n.position, n.department, $3::bigint FROM n "
    "ON CONFLICT (contact_id, counterparty_id) DO UPDATE SET position = "
    "excluded.position, department = excluded.department, updated_at = "
    "now(), version = l.version + 1 WHERE (l.position, l.department) IS "
    "DISTINCT FROM (excluded.position, excluded.department)";

/* Write the links when the body has them, then read the contact back. */
static int
contact_finish(kedr_req_t *r, json_t *n, const char *id, const char **row)
{
    int rc;

    if (json_object_get(n, "links") != NULL &&
        (rc = kedr_db_exec(
             r, contact_links_sql,
             KEDR_PARAMS(id, kedr_json_text(r, json_object_get(n, "links")),
                         kedr_user_id_text(r)))) < 0)
        return rc;
    return kedr_db_json(r, contact_one_sql, KEDR_PARAMS(id), row);
}

static const char contact_insert_sql[] =
    "INSERT INTO clients.contact AS c (last_name, first_name, middle_name, "
    "reports_to, decision_role, phones, emails, birthday, consent, "
    "consent_at, active, ext, attrs, created_by) SELECT n.last_name, "
    "n.first_name, n.middle_name, n.reports_to, n.decision_role, "
    "coalesce(n.phones, '{}'), coalesce(n.emails, '{}'), n.birthday, "
    "coalesce(n.consent, false), coalesce(n.consent_at, CASE WHEN n.consent "
    "THEN current_date END), coalesce(n.active, true), coalesce(n.ext, "
    "'{}'), coalesce(n.attrs, '{}'), $2::bigint FROM "
    "jsonb_populate_record(NULL::clients.contact, $1::jsonb) n "
    "RETURNING c.id";

int
clients_contact_insert(kedr_req_t *r, json_t *in, const char **row)
{
    json_t *n;
    kedr_rows_t *rows;
    int rc;

    *row = NULL;
    if ((n = contact_normalize(r, in, false, &rc)) == NULL)
        return rc;
    if ((rc = contact_check(r, n, NULL)) != 0)
        return rc;
    rows =
        kedr_db_query(r, contact_insert_sql,
                      KEDR_PARAMS(kedr_json_text(r, n), kedr_user_id_text(r)));
    if (rows == NULL)
        return KEDR_EDB;
    if ((rc = contact_finish(r, n, kedr_rows_get(rows, 0, 0), row)) != 0)
        return rc;
    return clients_record(r, "contact", "created", NULL,
                          kedr_json_parse(r, *row), NULL);
}

/* POST /contacts -- 201 with the contact and its links. */
int
clients_contacts_create(kedr_req_t *r)
{
    const char *row;
    int rc = clients_contact_insert(r, kedr_body(r), &row);

    return clients_created(r, rc, row);
}

static const char contact_lock_sql[] = "SELECT " CONTACT_JSON(
    "c") "::text FROM clients.contact c WHERE c.id = "
         "$1 AND " CLIENTS_CONTACT_VISIBLE("c") " FOR UPDATE OF c";

/* each column: the new value when the patch has it; consent_at: the
 * date given, else today when consent changes */
static const char contact_update_sql[] =
    "UPDATE clients.contact AS c SET "
    "last_name = CASE WHEN $3::jsonb ? 'last_name' THEN n.last_name ELSE "
    "c.last_name END, "
    "first_name = CASE WHEN $3::jsonb ? 'first_name' THEN n.first_name ELSE "
    "c.first_name END, "
    "middle_name = CASE WHEN $3::jsonb ? 'middle_name' THEN n.middle_name ELSE "
    "c.middle_name END, "
    "reports_to = CASE WHEN $3::jsonb ? 'reports_to' THEN n.reports_to ELSE "
    "c.reports_to END, "
    "decision_role = CASE WHEN $3::jsonb ? 'decision_role' THEN "
    "n.decision_role ELSE c.decision_role END, "
    "phones = CASE WHEN $3::jsonb ? 'phones' THEN n.phones ELSE c.phones END, "
    "emails = CASE WHEN $3::jsonb ? 'emails' THEN n.emails ELSE c.emails END, "
    "birthday = CASE WHEN $3::jsonb ? 'birthday' THEN n.birthday ELSE "
    "c.birthday END, "
    "consent = CASE WHEN $3::jsonb ? 'consent' THEN n.consent ELSE c.consent "
    "END, "
    "active = CASE WHEN $3::jsonb ? 'active' THEN n.active ELSE c.active END, "
    "ext = CASE WHEN $3::jsonb ? 'ext' THEN n.ext ELSE c.ext END, "
    "attrs = CASE WHEN $3::jsonb ? 'attrs' THEN jsonb_strip_nulls(c.attrs || "
    "n.attrs) ELSE c.attrs END, "
    "consent_at = CASE WHEN $3::jsonb ? 'consent_at' THEN n.consent_at "
    "WHEN $3::jsonb ? 'consent' AND n.consent IS DISTINCT FROM c.consent "
    "THEN current_date ELSE c.consent_at END, "
    "version = c.version + 1, updated_at = now() "
    "FROM jsonb_populate_record(NULL::clients.contact, $3::jsonb) n "
    "WHERE c.id = $1 AND c.version = $2::int RETURNING c.id";

/* PATCH /contacts/:id {version, ...} -- members left out keep their
 * value; links, when given, replace the contact's links. */
int
clients_contacts_update(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    json_t *version = json_object_get(kedr_body(r), "version");
    json_t *old, *n;
    kedr_rows_t *rows;
    const char *row;
    int rc;

    if ((old = kedr_db_lock(r, contact_lock_sql, id, version, "contact",
                            &rc)) == NULL)
        return rc;
    if ((n = contact_normalize(r, kedr_body(r), true, &rc)) == NULL)
        return rc;
    if ((rc = contact_check(r, n, id)) != 0)
        return rc;
    rows = kedr_db_query(
        r, contact_update_sql,
        KEDR_PARAMS(id, kedr_json_text(r, version), kedr_json_text(r, n)));
    if (rows == NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) == 0)
        return kedr_fail(r, KEDR_ECONFLICT, "version",
                         "the contact was changed by someone else: reload "
                         "it");
    if ((rc = contact_finish(r, n, id, &row)) != 0)
        return rc;
    if ((rc = clients_record(r, "contact", "updated", old,
                             kedr_json_parse(r, row), NULL)) != 0)
        return rc;
    return clients_reply_text(r, 200, row);
}

static const char contact_tree_sql[] =
    "SELECT clients.contact_tree(c.id)::text FROM clients.counterparty c "
    "WHERE c.id = $1 AND " CLIENTS_CP_VISIBLE("c");

/* GET /counterparties/:id/contacts/tree -- the counterparty's contacts
 * nested by reports_to: [{id, full_name, position, ..., children: []}] */
int
clients_contacts_tree(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such counterparty");
    return kedr_reply_db_json(r, 200, contact_tree_sql, KEDR_PARAMS(id));
}

/* ---------------------------------------------------------------------
 * Export and import
 * --------------------------------------------------------------------- */

/* The columns an export writes and an import reads, under the same
 * headers: field, labels, the type in the export and in the import
 * (lists are text in a file, split again on import).  An exported file
 * imports again once the columns only an export has are dropped. */
#define CONTACT_IO_COLS(X)                                                     \
    X("last_name", "Фамилия", "Last name", KEDR_T_STRING, KEDR_T_STRING),      \
        X("first_name", "Имя", "First name", KEDR_T_STRING, KEDR_T_STRING),    \
        X("middle_name", "Отчество", "Middle name", KEDR_T_STRING,             \
          KEDR_T_STRING),                                                      \
        X("decision_role", "Роль в решении", "Decision role", KEDR_T_STRING,   \
          KEDR_T_STRING),                                                      \
        X("phones", "Телефоны", "Phones", KEDR_T_STRING, KEDR_T_ARRAY),        \
        X("emails", "Электронная почта", "E-mails", KEDR_T_STRING,             \
          KEDR_T_ARRAY),                                                       \
        X("birthday", "День рождения", "Birthday", KEDR_T_DATE, KEDR_T_DATE),  \
        X("consent", "Согласие", "Consent", KEDR_T_BOOL, KEDR_T_BOOL),         \
        X("active", "Активен", "Active", KEDR_T_BOOL, KEDR_T_BOOL)

static const struct kedr_column contact_export_cols[] = {
    CLIENTS_EXPORT_COL("id", "Номер", "ID", KEDR_T_INT, 0),
    CONTACT_IO_COLS(CLIENTS_EXPORT_COL),
    CLIENTS_EXPORT_COL("counterparties", "Контрагенты", "Counterparties",
                       KEDR_T_STRING, 0),
    CLIENTS_EXPORT_COL("created_at", "Создан", "Created", KEDR_T_DATE, 0),
    {0},
};

static const char contact_export_select[] =
    "c.id, c.last_name, c.first_name, c.middle_name, c.decision_role, "
    "array_to_string(c.phones, ', ') AS phones, array_to_string(c.emails, "
    "', ') AS emails, c.birthday, c.consent, c.active, (SELECT "
    "string_agg(k.name, ', ' ORDER BY l.id) FROM clients.contact_link l "
    "JOIN clients.counterparty k ON k.id = l.counterparty_id WHERE "
    "l.contact_id = c.id) AS counterparties, c.created_at::date AS "
    "created_at";

/* GET /contacts/export?_format=csv|xlsx&<the list's filters> -- the rows
 * the list selects, in its order, all of them. */
int
clients_contacts_export(kedr_req_t *r)
{
    struct clients_query q = {0};

    contact_filter(r, &q);
    return clients_export(r, "clients.contact", "c", "contacts",
                          contact_export_cols, contact_export_select,
                          "clients.contact c WHERE " CONTACT_FILTERS, &q);
}

static const struct kedr_import_col contact_import_cols[] = {
    CONTACT_IO_COLS(CLIENTS_IMPORT_COL),
    CLIENTS_IMPORT_COL("counterparty_id", "Номер контрагента",
                       "Counterparty ID", 0, KEDR_T_INT),
    CLIENTS_IMPORT_COL("counterparty_inn", "ИНН контрагента",
                       "Counterparty INN", 0, KEDR_T_STRING),
    CLIENTS_IMPORT_COL("position", "Должность", "Position", 0, KEDR_T_STRING),
    CLIENTS_IMPORT_COL("department", "Отдел", "Department", 0, KEDR_T_STRING),
    {0},
};

/* One imported row: the link (counterparty_id or counterparty_inn, with
 * position and department) made a one-element `links`, then created as
 * POST /contacts creates. */
static int
contact_import_row(kedr_req_t *r, json_t *in, json_t **out)
{
    const char *row;
    json_t *cp, *rec, *link;
    int rc;

    if ((rc = clients_import_ref(r, in, "counterparty_id", "counterparty_inn",
                                 &cp)) != 0)
        return rc;
    if (cp == NULL && (json_object_get(in, "position") != NULL ||
                       json_object_get(in, "department") != NULL))
        return kedr_fail(r, KEDR_EINVAL, "counterparty_id",
                         "a position or department needs the counterparty");
    if (cp != NULL) {
        link = json_pack("{s:O}", "counterparty_id", cp);
        json_object_set_new(in, "links", json_pack("[o]", link));
        for (const char *const *k =
                 (const char *const[]){"position", "department", NULL};
             *k != NULL; k++)
            if (json_object_get(in, *k) != NULL)
                json_object_set(link, *k, json_object_get(in, *k));
    }
    for (const char *const *k =
             (const char *const[]){"counterparty_id", "counterparty_inn",
                                   "position", "department", NULL};
         *k != NULL; k++)
        json_object_del(in, *k);
    if ((rc = clients_contact_insert(r, in, &row)) != 0)
        return rc;
    rec = kedr_json_parse(r, row);
    *out = json_pack("{s:O,s:O}", "id", json_object_get(rec, "id"), "full_name",
                     json_object_get(rec, "full_name"));
    return 0;
}

/* POST /contacts/import[?dry_run=true] -- a CSV body, all rows or none. */
int
clients_contacts_import(kedr_req_t *r)
{
    return clients_import(r, "clients.contact", contact_import_cols,
                          contact_import_row);
}
