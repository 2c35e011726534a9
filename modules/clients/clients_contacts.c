/*
 * clients_contacts.c -- contacts (people), declared on the resource kit
 * (clients.contact: the list protocol -- search by name, phone in any
 * written form, e-mail or Salesforce id; filtered by counterparty, keyset
 * pages in the Russian order of full names -- one record, create, edit,
 * delete, export and import), with what only a contact has: its links to
 * counterparties (position, department), a member the module writes
 * itself (KEDR_COL_MODULE), checked by the validate hook and replaced as
 * a whole by after_write; reports-to without loops; the consent date; and
 * a counterparty's contacts as a tree.
 */
#include <string.h>

#include "clients_int.h"

/* A contact's links: [{counterparty_id, name, position, department}] */
#define CONTACT_LINKS_SQL                                                      \
    "SELECT coalesce(jsonb_agg(jsonb_build_object('counterparty_id', "         \
    "l.counterparty_id, 'name', k.name, 'position', l.position, "              \
    "'department', l.department) ORDER BY l.id), '[]') FROM "                  \
    "clients.contact_link l JOIN clients.counterparty k ON k.id = "            \
    "l.counterparty_id WHERE l.contact_id = t.id"

/* What q= finds, by the kind of box so that each statement keeps only
 * the index arm that can match: a phone (E.164, GIN on phones), an
 * e-mail (GIN on the lower-cased e-mails), else a fragment of the full
 * name (trigram GIN on its normalised text) or a Salesforce id. */
static int
contact_search(kedr_req_t *r, const char *q, struct kedr_kit_search *s)
{
    const char *phone = clients_query_phone(r, q);

    s->nparams = 1;
    if (phone != NULL) {
        s->params[0] = phone;
        s->where = "t.phones @> ARRAY[$1::text]";
    } else if (strchr(q, '@') != NULL) {
        s->params[0] = q;
        s->where = "clients.lower_array(t.emails) @> ARRAY[lower($1)]";
    } else {
        s->params[0] = q;
        s->where = "clients.search_norm(t.full_name) LIKE " CLIENTS_LIKE_ANY(
            "clients.search_norm($1)") " OR t.id = ANY (ARRAY(SELECT "
                                       "core.import_find('clients.contact', "
                                       "$1)))";
    }
    return 0;
}

/* An import's one link (counterparty_id or counterparty_inn, with
 * position and department) made the body's `links`. */
static int
contact_import_link(kedr_req_t *r, json_t *in)
{
    static const char *const keys[] = {"counterparty_id", "counterparty_inn",
                                       "position", "department", NULL};
    json_t *cp, *link;
    int rc;

    if ((rc = clients_import_ref(r, in, "counterparty_id", "counterparty_inn",
                                 &cp)) != 0)
        return rc;
    if (cp == NULL && (json_object_get(in, "position") != NULL ||
                       json_object_get(in, "department") != NULL))
        return kedr_fail(r, KEDR_EINVAL, "counterparty_id",
                         "a position or department needs the counterparty");
    if (cp != NULL && json_object_get(in, "links") == NULL) {
        link = json_pack("{s:O}", "counterparty_id", cp);
        for (size_t i = 2; keys[i] != NULL; i++)
            if (json_object_get(in, keys[i]) != NULL)
                json_object_set(link, keys[i], json_object_get(in, keys[i]));
        json_object_set_new(in, "links", json_pack("[o]", link));
    }
    for (size_t i = 0; keys[i] != NULL; i++)
        json_object_del(in, keys[i]);
    return 0;
}

/* The body's links ([{counterparty_id, position, department}]) checked
 * and made what is written: trimmed, blanks left out.  The number of
 * field errors. */
static int
contact_links(kedr_req_t *r, json_t *in)
{
    json_t *links = json_object_get(in, "links"), *e, *out, *seen;
    size_t i;

    if (links == NULL)
        return 0;
    /* held: replacing the member below drops the body's reference */
    kedr_json_keep(r, json_incref(links));
    out = json_array();
    json_object_set_new(in, "links", out);
    seen = kedr_json_keep(r, json_object());
    json_array_foreach (links, i, e) {
        json_t *cp = json_object_get(e, "counterparty_id"), *v, *x;
        const char *key, *field = kedr_sprintf(r, "links[%zu]", i);

        if (!json_is_object(e) || !json_is_integer(cp) ||
            json_integer_value(cp) < 1) {
            kedr_field_error(r, field,
                             "must be {counterparty_id, position, "
                             "department}");
            return 1;
        }
        x = json_pack("{s:O}", "counterparty_id", cp);
        json_array_append_new(out, x);
        json_object_foreach (e, key, v) {
            bool text =
                strcmp(key, "position") == 0 || strcmp(key, "department") == 0;
            const char *t = kedr_trim(r, json_string_value(v));

            if (!text && strcmp(key, "counterparty_id") != 0) {
                kedr_field_error(r, kedr_sprintf(r, "%s.%s", field, key),
                                 "is not a field of a link");
                return 1;
            }
            if (text && !json_is_null(v) &&
                (!json_is_string(v) || json_string_length(v) > 200)) {
                kedr_field_error(r, kedr_sprintf(r, "%s.%s", field, key),
                                 "must be a string of at most 200 characters");
                return 1;
            }
            if (text && t != NULL && *t != '\0') /* blank: no value */
                json_object_set_new(x, key, json_string(t));
        }
        if (clients_id_seen(r, seen, json_integer_value(cp))) {
            kedr_field_error(r, field, "links the same counterparty twice");
            return 1;
        }
    }
    return 0;
}

/*
 * $1 reports_to, $2 the contact (NULL for a new one), $3 links: whether
 * the manager is the contact or below it (a loop), the first linked
 * counterparty the caller does not see (a missing one alike), and
 * whether the caller is own-only.
 */
static const char contact_refs_sql[] =
    "SELECT $1::bigint IS NOT NULL AND $2::bigint IS NOT NULL AND $2::bigint "
    "IN (WITH RECURSIVE up (id, reports_to) AS (SELECT id, reports_to FROM "
    "clients.contact WHERE id = $1::bigint UNION SELECT c.id, c.reports_to "
    "FROM clients.contact c JOIN up ON c.id = up.reports_to) SELECT id FROM "
    "up), "
    "(SELECT x.counterparty_id FROM jsonb_to_recordset(coalesce($3::jsonb, "
    "'[]')) AS x (counterparty_id bigint) WHERE NOT EXISTS (SELECT 1 FROM "
    "clients.counterparty k WHERE k.id = x.counterparty_id AND "
    "" CLIENTS_CP_VISIBLE("k") ") LIMIT 1), core.own_only()";

/* The kit's validate: the import's link columns made `links`, the links,
 * booleans, external ids and the reporting structure checked. */
static int
contact_validate(kedr_req_t *r, json_t *in, json_t *old)
{
    json_t *boss = json_object_get(in, "reports_to");
    json_t *links, *id = json_object_get(old, "id");
    kedr_rows_t *rows;
    int rc, bad;

    if ((rc = contact_import_link(r, in)) != 0)
        return rc;
    bad = contact_links(r, in);
    for (const char *const *k =
             (const char *const[]){"consent", "active", NULL};
         *k != NULL; k++)
        if (json_is_null(json_object_get(in, *k))) {
            kedr_field_error(r, *k, "must be true or false");
            bad++;
        }
    if (json_object_get(in, "ext") != NULL) {
        if (!clients_ext_valid(r, json_object_get(in, "ext"), "ext"))
            bad++;
        else if (json_is_null(json_object_get(in, "ext")))
            json_object_set_new(in, "ext", json_object());
    }
    if (bad > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    links = json_object_get(in, "links");
    rows = kedr_db_query(
        r, contact_refs_sql,
        KEDR_PARAMS(json_is_integer(boss) ? kedr_json_text(r, boss) : NULL,
                    id != NULL ? kedr_json_text(r, id) : NULL,
                    links != NULL ? kedr_json_text(r, links) : NULL));
    if (rows == NULL)
        return KEDR_EDB;
    if (strcmp(kedr_rows_get(rows, 0, 0), "t") == 0)
        return kedr_fail(r, KEDR_EINVAL, "reports_to",
                         "would make the reporting structure a loop");
    if (!kedr_rows_isnull(rows, 0, 1))
        return kedr_fail(r, KEDR_EINVAL, "links", "no such counterparty: %s",
                         kedr_rows_get(rows, 0, 1));
    /* an own-only caller sees a contact through its links only */
    if (strcmp(kedr_rows_get(rows, 0, 2), "t") == 0 &&
        (old == NULL || links != NULL) && json_array_size(links) == 0)
        return kedr_fail(r, KEDR_EINVAL, "links",
                         "link the contact to one of your counterparties");
    return 0;
}

/* The kit's before_write: consent given without its date is dated
 * today (on update: when it changes either way). */
static int
contact_before(kedr_req_t *r, const char *action, json_t *old, json_t *in)
{
    json_t *consent = json_object_get(in, "consent");
    kedr_rows_t *rows;

    (void)action;
    if (!json_is_boolean(consent) ||
        json_object_get(in, "consent_at") != NULL ||
        (old == NULL ? json_is_false(consent)
                     : json_equal(consent, json_object_get(old, "consent"))))
        return 0;
    if ((rows = kedr_db_query(r, "SELECT current_date::text", 0, NULL)) == NULL)
        return KEDR_EDB;
    json_object_set_new(in, "consent_at",
                        json_string(kedr_rows_get(rows, 0, 0)));
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

/* The kit's after_write: the links, when the body had them. */
static int
contact_after(kedr_req_t *r, const char *action, json_t *old, json_t *new_)
{
    json_t *links = json_object_get(new_, "links");

    (void)action;
    (void)old;
    if (links == NULL)
        return 0;
    return kedr_db_exec(
               r, contact_links_sql,
               KEDR_PARAMS(kedr_json_text(r, json_object_get(new_, "id")),
                           kedr_json_text(r, links), kedr_user_id_text(r))) < 0
               ? KEDR_EDB
               : 0;
}

const struct kedr_entity_hooks clients_contact_hooks = {
    .validate = contact_validate,
    .before_write = contact_before,
    .after_write = contact_after,
    .search = contact_search,
};

static const struct kedr_entity_option contact_role_options[] = {
    {"decision_maker", "Принимает решение", "Decision maker"},
    {"influencer", "Влияет на решение", "Influencer"},
    {"approver", "Согласует", "Approver"},
    {"user", "Пользователь", "User"},
    {"gatekeeper", "Привратник", "Gatekeeper"},
    {"other", "Другое", "Other"},
    {0},
};

#define F KEDR_COL_FILTER
#define X KEDR_COL_EXPORT

const struct kedr_entity_col clients_contact_cols[] = {
    {.name = "last_name",
     .type = KEDR_T_STRING,
     .label_ru = "Фамилия",
     .label_en = "Last name",
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY | X,
     .max = 200},
    {.name = "first_name",
     .type = KEDR_T_STRING,
     .label_ru = "Имя",
     .label_en = "First name",
     .flags = X,
     .max = 200},
    {.name = "middle_name",
     .type = KEDR_T_STRING,
     .label_ru = "Отчество",
     .label_en = "Middle name",
     .flags = X,
     .max = 200},
    {.name = "full_name",
     .type = KEDR_T_STRING,
     .label_ru = "ФИО",
     .label_en = "Full name",
     .flags = KEDR_COL_READONLY | KEDR_COL_SORT,
     .collate = "ru-RU-x-icu"},
    {.name = "reports_to",
     .type = KEDR_T_INT,
     .label_ru = "Руководитель",
     .label_en = "Reports to",
     .flags = F,
     .ref = "clients.contact"},
    {.name = "decision_role",
     .type = KEDR_T_STRING,
     .label_ru = "Роль в решении",
     .label_en = "Decision role",
     .flags = F | X,
     .options = contact_role_options},
    {.name = "phones",
     .type = KEDR_T_ARRAY,
     .label_ru = "Телефоны",
     .label_en = "Phones",
     .flags = F | X,
     .def = "'{}'",
     .rule = KEDR_RULE_PHONE},
    {.name = "emails",
     .type = KEDR_T_ARRAY,
     .label_ru = "Электронная почта",
     .label_en = "E-mails",
     .flags = F | X,
     .def = "'{}'",
     .rule = KEDR_RULE_EMAIL},
    {.name = "birthday",
     .type = KEDR_T_DATE,
     .label_ru = "День рождения",
     .label_en = "Birthday",
     .flags = X},
    {.name = "consent",
     .type = KEDR_T_BOOL,
     .label_ru = "Согласие",
     .label_en = "Consent",
     .flags = F | X,
     .def = "false"},
    {.name = "consent_at",
     .type = KEDR_T_DATE,
     .label_ru = "Дата согласия",
     .label_en = "Consent date"},
    {.name = "active",
     .type = KEDR_T_BOOL,
     .label_ru = "Активен",
     .label_en = "Active",
     .flags = F | X,
     .def = "true"},
    {.name = "ext",
     .type = KEDR_T_OBJECT,
     .label_ru = "Внешние номера",
     .label_en = "External ids",
     .def = "'{}'"},
    {.name = "links",
     .type = KEDR_T_ARRAY,
     .label_ru = "Контрагенты",
     .label_en = "Counterparties",
     .flags = KEDR_COL_MODULE,
     .sql = CONTACT_LINKS_SQL},
    {.name = "counterparties",
     .type = KEDR_T_STRING,
     .label_ru = "Контрагенты",
     .label_en = "Counterparties",
     .flags = KEDR_COL_DETAIL | X,
     .sql = "SELECT string_agg(k.name, ', ' ORDER BY l.id) FROM "
            "clients.contact_link l JOIN clients.counterparty k ON k.id = "
            "l.counterparty_id WHERE l.contact_id = t.id"},
    /* an import's link: the counterparty by id or INN, the position */
    {.name = "counterparty_id",
     .type = KEDR_T_INT,
     .label_ru = "Номер контрагента",
     .label_en = "Counterparty ID",
     .flags = KEDR_COL_MODULE},
    {.name = "counterparty_inn",
     .type = KEDR_T_STRING,
     .label_ru = "ИНН контрагента",
     .label_en = "Counterparty INN",
     .flags = KEDR_COL_MODULE},
    {.name = "position",
     .type = KEDR_T_STRING,
     .label_ru = "Должность",
     .label_en = "Position",
     .flags = KEDR_COL_MODULE},
    {.name = "department",
     .type = KEDR_T_STRING,
     .label_ru = "Отдел",
     .label_en = "Department",
     .flags = KEDR_COL_MODULE},
    {.name = "created_at",
     .type = KEDR_T_STRING,
     .label_ru = "Создан",
     .label_en = "Created",
     .flags = KEDR_COL_READONLY},
    {.name = "created_by",
     .type = KEDR_T_INT,
     .label_ru = "Создал",
     .label_en = "Created by",
     .flags = KEDR_COL_READONLY,
     .def = "core.current_user_id()"},
    {0},
};

const struct kedr_entity_filter clients_contact_filters[] = {
    {.name = "counterparty_id",
     .type = KEDR_T_INT,
     .label_ru = "Контрагент",
     .label_en = "Counterparty",
     .sql = "t.id IN (SELECT l.contact_id FROM clients.contact_link l WHERE "
            "l.counterparty_id = $1::bigint)"},
    {0},
};

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
