/*
 * clients_int.h -- what the clients module's files share: requisites and
 * phone checks, request helpers and the handlers the descriptor in
 * clients.c lists.  Private to the module.
 */
#ifndef CLIENTS_INT_H
#define CLIENTS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <kedr.h>

/* ---------------------------------------------------------------------
 * JSON shapes, built by PostgreSQL.  The argument is the alias of a row
 * of the table.
 * --------------------------------------------------------------------- */

/* ---------------------------------------------------------------------
 * "Own only" (sql/0004_scope.sql, sql/0012_scope_index.sql): whether
 * the caller sees row `a`, as a boolean (never NULL).  The caller's
 * scope is read once per statement (InitPlans: `(SELECT NOT
 * core.own_only())`, the user id and regions), so a caller whose role is
 * not own-only pays nothing per row.  For an own-only caller the
 * counterparties they see (clients.own_counterparty_ids(), inlined) are
 * read once per statement as a hashed sub-plan, through the indexes, and
 * each row costs a comparison or a hash probe: no function call and no
 * sub-query per row, which made a manager's lists walk the tables at a
 * function call per row.  The same rules as clients.visible_*.
 * --------------------------------------------------------------------- */
#define CLIENTS_OWN_CPS "SELECT clients.own_counterparty_ids()"
#define CLIENTS_CP_VISIBLE(a)                                                  \
    "((SELECT NOT core.own_only()) OR (" a ".manager_id = (SELECT "            \
    "core.current_user_id())) IS TRUE OR (" a ".region = ANY ((SELECT "        \
    "core.user_regions())::text[])) IS TRUE)"
/* The same rules as the kit's `own` of counterparties and outlets: the
 * records an own-only caller sees, said so that the planner can take
 * each arm from an index (BitmapOr of counterparty_manager_name and
 * counterparty_region; of outlet_manager_name and outlet_owner): no
 * IS TRUE, and the caller's id and regions as the stable functions
 * themselves, which the planner evaluates for its estimates (as
 * initplans, "(SELECT core.current_user_id())", their values are
 * unknown when it plans: it guessed 8,000 of a manager's 500
 * counterparties, walked the name index past the other managers' rows
 * for the page and scanned the table for the total).  NULL where an arm
 * is NULL (the kit counts it as not own).  The kit's lists use them
 * alone for an own-only caller and nothing for anyone else (core/kit.c,
 * kit_scope). */
#define CLIENTS_CP_OWN(a)                                                      \
    "(" a ".manager_id = core.current_user_id() OR " a                         \
    ".region = ANY (core.user_regions()))"
#define CLIENTS_OUTLET_OWN(a)                                                  \
    "(" a ".manager_id = core.current_user_id() OR " a                         \
    ".owner_id = ANY (ARRAY(" CLIENTS_OWN_CPS ")))"
#define CLIENTS_OUTLET_VISIBLE(a)                                              \
    "((SELECT NOT core.own_only()) OR (" a ".manager_id = (SELECT "            \
    "core.current_user_id())) IS TRUE OR (" a ".owner_id IN (" CLIENTS_OWN_CPS \
    ")) IS TRUE)"

/* The distributors serving counterparty `a`: [{distributor_id, name,
 * main}], the main one first. */
#define CLIENTS_DISTRIBUTORS_JSON(a)                                           \
    "(SELECT coalesce(jsonb_agg(jsonb_build_object('distributor_id', "         \
    "sd.distributor_id, 'name', sk.name, 'main', sd.main) ORDER BY sd.main "   \
    "DESC, sk.name COLLATE \"ru-RU-x-icu\", sd.id), '[]') FROM "               \
    "clients.counterparty_distributor sd JOIN clients.counterparty sk ON "     \
    "sk.id = sd.distributor_id WHERE sd.counterparty_id = " a ".id)"

/* A counterparty row `a` as JSON, with its parent's id and name and the
 * distributors serving it (without search_text, name_words and
 * legal_words, the search box's copies of the names: sql/0006_search.sql,
 * sql/0007_search_words.sql). */
#define CLIENTS_CP_JSON(a)                                                     \
    "(to_jsonb(" a ") - '{search_text,name_words,legal_words}'::text[] || "    \
    "jsonb_build_object('parent', "                                            \
    "(SELECT "                                                                 \
    "jsonb_build_object('id', pp.id, 'name', pp.name) FROM "                   \
    "clients.counterparty pp WHERE pp.id = " a ".parent_id), "                 \
    "'distributors', " CLIENTS_DISTRIBUTORS_JSON(a) "))"

/* The counterparty $1, locked for the transaction, as CLIENTS_CP_JSON;
 * no row when the caller does not see it (a write answers 404). */
#define CLIENTS_CP_LOCK_SQL                                                    \
    "SELECT " CLIENTS_CP_JSON("c") "::text FROM clients.counterparty c "       \
                                   "WHERE c.id = $1 AND " CLIENTS_CP_VISIBLE(  \
                                       "c") " FOR UPDATE OF c"

/* ---------------------------------------------------------------------
 * Pure checks: the core's (core/ru.c, through kedr_api), so the data
 * migration cleanses by the same rules.  See kedr.h for each contract.
 * --------------------------------------------------------------------- */

static inline const char *
clients_inn_problem(const char *inn)
{
    return kedr_inn_problem(inn);
}

static inline const char *
clients_kpp_problem(const char *kpp)
{
    return kedr_kpp_problem(kpp);
}

static inline const char *
clients_ogrn_problem(const char *ogrn)
{
    return kedr_ogrn_problem(ogrn);
}

static inline bool
clients_phone_e164(const char *in, char *out, size_t outsz)
{
    return kedr_phone_e164(in, out, outsz);
}

static inline bool
clients_email_valid(const char *s)
{
    return kedr_email_valid(s);
}

/* ---------------------------------------------------------------------
 * Request helpers (clients_util.c)
 * --------------------------------------------------------------------- */

/* An optional query-string value, trimmed; NULL when absent or blank. */
const char *clients_query_str(kedr_req_t *r, const char *key);

/* A LIKE pattern matching text that contains the SQL text `x` (the
 * wildcards in it escaped). */
#define CLIENTS_LIKE_ANY(x)                                                    \
    "('%' || replace(replace(replace(" x ", '\\', '\\\\'), '%', '\\%'), "      \
    "'_', '\\_') || '%')"

/*
 * Whether contact `k` matches the search box: $q a fragment of its name
 * (case-insensitive, ё = е: clients.search_norm on both sides, the
 * trigram index contact_search_trgm), $phone (E.164, NULL when the box
 * is not a phone) one of its phones, or $q one of its e-mails (any
 * case).  Shared by the contact list and the counterparty search.
 */
#define CLIENTS_CONTACT_MATCH(k, q, phone)                                     \
    "(clients.search_norm(" k ".full_name) LIKE " CLIENTS_LIKE_ANY(            \
        "clients.search_norm(" q ")") " OR " k ".phones @> ARRAY[" phone       \
                                      "::text] OR clients.lower_array(" k      \
                                      ".emails) @> ARRAY[lower(" q ")])"

/* Whether a string is a phone number (clients_phone_e164) that a search
 * box means as one: its E.164 form, else NULL. */
const char *clients_query_phone(kedr_req_t *r, const char *q);

/*
 * Copy the member `key` of `in` (the request body, or an imported row)
 * into `out` when present: strings trimmed (blank becomes null), null
 * kept as null.  Returns the copied value (borrowed from `out`) or NULL
 * when `in` has no such member.
 */
json_t *clients_take_str(kedr_req_t *r, json_t *in, json_t *out,
                         const char *key);

/* The member `key` of `in` into `out` as is when present (numbers,
 * booleans, dates, null). */
void clients_take(json_t *in, json_t *out, const char *key);

/* `key` (an array of strings in `in`) into `out`, trimmed, blanks
 * dropped, duplicates dropped; phones normalised to E.164 when `phones`,
 * else e-mail addresses checked when `emails`.  Records a field error
 * naming "key[i]" and returns false on a bad element. */
bool clients_take_list(kedr_req_t *r, json_t *in, json_t *out, const char *key,
                       bool phones, bool emails);

/* Repeats in a list found in linear time: `set` is a JSON object the
 * request keeps (kedr_json_keep(r, json_object())) used as a hash set;
 * true when `key` was put in before, else false after putting it in. */
bool clients_seen(json_t *set, const char *key);
/* The same for a record id. */
bool clients_id_seen(kedr_req_t *r, json_t *set, json_int_t id);

/*
 * The extra attributes of `in` (member "attrs", an object) checked with
 * kedr_attrs_check against the definitions of `entity`
 * ("clients.counterparty") and copied into `out`.  A new record
 * (`partial` false) is checked for required ones even without "attrs",
 * and its null values are dropped; an update (`partial`) keeps them
 * null, which removes the value when merged (jsonb_strip_nulls(old ||
 * new)).  Returns 0, the number of field errors recorded, or a negative
 * code when the database failed.
 */
int clients_take_attrs(kedr_req_t *r, json_t *in, json_t *out,
                       const char *entity, bool partial);

/* Whether `s` is one of the NULL-terminated `allowed`. */
bool clients_one_of(const char *s, const char *const *allowed);

/* Check an external-ids object ({system: "id"}); records a field error
 * and returns false when it is wrong. */
bool clients_ext_valid(kedr_req_t *r, json_t *ext, const char *field);

/*
 * Record a write: the audit row (entity "clients.<entity>") and the event
 * "clients.<entity>.<action>" with `payload` (NULL: the new value, else
 * the old one).  The id is the value's "id".  Returns 0 or the failing
 * call's code.
 */
int clients_record(kedr_req_t *r, const char *entity, const char *action,
                   json_t *old, json_t *new_, json_t *payload);

/* ---------------------------------------------------------------------
 * Export and import (clients_io.c)
 * --------------------------------------------------------------------- */

/* A column of an export or an import table from one list of columns
 * (field, label_ru, label_en, export type, import type): see
 * CP_IO_COLS. */
#define CLIENTS_IMPORT_COL(f, ru, en, te, ti)                                  \
    {                                                                          \
        .field = (f), .label_ru = (ru), .label_en = (en), .type = (ti)         \
    }

/* Create one record from an imported row `in` (its extra attributes in
 * "attrs"): 0 with *out a result the core takes over ({id}), or a
 * negative code (recorded). */
typedef int (*clients_import_pt)(kedr_req_t *r, json_t *in, json_t **out);

/*
 * Answer POST .../import[?dry_run=true] (a CSV body) with kedr_import_csv:
 * the columns `cols` and one per active extra attribute of `entity`
 * (header "attr.<name>" or its label), each row handed to `fn`.
 */
int clients_import(kedr_req_t *r, const char *entity,
                   const struct kedr_import_col *cols, clients_import_pt fn);

/*
 * The counterparty an imported row refers to: its member `idkey` (an
 * id), or the live counterparty the caller sees with the INN in
 * `innkey` (both given: they must name the same one, as in an exported
 * file).  *id is the JSON id (NULL when the row gives neither).  Returns
 * 0, or a negative code after recording an error naming `innkey` (no
 * such INN, several with it, not the INN of that id).
 */
int clients_import_ref(kedr_req_t *r, json_t *in, const char *idkey,
                       const char *innkey, json_t **id);

/* ---------------------------------------------------------------------
 * handlers
 * --------------------------------------------------------------------- */

/* clients_counterparties.c */

/*
 * Create a counterparty from `in` (an imported row) with every check the
 * kit's create makes, the audit row and the event: 0 with *row the
 * record's JSON text, or a negative code (recorded: 422 naming the
 * fields, 409 naming `inn` for an INN+KPP in use).
 */
int clients_cp_insert(kedr_req_t *r, json_t *in, const char **row);
int clients_cp_import(kedr_req_t *r);
int clients_cp_similar(kedr_req_t *r);
int clients_cp_delete(kedr_req_t *r);
/* the entity "clients.counterparty" (clients.c declares it) */
extern const struct kedr_entity_col clients_cp_cols[];
extern const struct kedr_entity_filter clients_cp_filters[];
extern const struct kedr_entity_hooks clients_cp_hooks;

/* clients_distributors.c */
int clients_distributors_get(kedr_req_t *r);
int clients_distributors_put(kedr_req_t *r);

/* clients_merge.c */
int clients_cp_merge(kedr_req_t *r);
int clients_cp_unmerge(kedr_req_t *r);

/* clients_contacts.c: the entity "clients.contact" (clients.c declares
 * it) and the counterparty's contact tree */
extern const struct kedr_entity_col clients_contact_cols[];
extern const struct kedr_entity_filter clients_contact_filters[];
extern const struct kedr_entity_hooks clients_contact_hooks;
int clients_contacts_tree(kedr_req_t *r);
int clients_counterparty_related(kedr_req_t *r);

/* clients_outlets.c */

/* Create an outlet from `in` (the members of POST /outlets), checked,
 * audited and evented: 0 with *row its JSON, or a negative code
 * (recorded). */
int clients_outlet_insert(kedr_req_t *r, json_t *in, const char **row);
int clients_outlets_import(kedr_req_t *r);
int clients_outlets_delete(kedr_req_t *r);
int clients_outlets_distributors_get(kedr_req_t *r);
int clients_outlets_distributors_put(kedr_req_t *r);
int clients_outlets_assortment_get(kedr_req_t *r);
int clients_outlets_assortment_put(kedr_req_t *r);

/* The outlet on the resource kit (clients_outlets.c): a row of the
 * descriptor's `.entities`. */
extern const struct kedr_entity_col clients_outlet_cols[];
extern const struct kedr_entity_filter clients_outlet_filters[];
extern const struct kedr_entity_hooks clients_outlet_hooks;
#define CLIENTS_OUTLET_ENTITY                                                  \
    {                                                                          \
        .name = "outlet", .path = "/outlets", .table = "clients.outlet",       \
        .label_ru = "Торговые точки", .label_en = "Outlets",                   \
        .cols = clients_outlet_cols, .perm_read = "clients.read",              \
        .perm_write = "clients.write", .perm_export = "clients.export",        \
        .own = CLIENTS_OUTLET_OWN("t"), .flags = KEDR_ENTITY_ATTRS,            \
        .audit = "clients.outlet", .hooks = &clients_outlet_hooks,             \
        .sort = "name", .filters = clients_outlet_filters,                     \
        .ui = "/clients/outlets"                                               \
    }

/* clients_import.c: Salesforce Account and Contact (kedr_migrator). */
extern const struct kedr_migrator clients_migrators[];

#endif /* CLIENTS_INT_H */
