/*
 * clients_counterparties.c -- counterparties: a paged list PostgreSQL
 * builds (search by name fragment with pg_trgm or by INN, filters, sort
 * through a whitelisted CASE), name-similarity candidates, one record,
 * create and edit (requisites checked, INN+KPP duplicates refused with
 * the existing record's id, optimistic locking) and deactivation.
 */
#include <stdlib.h>
#include <string.h>

#include "clients_int.h"

#define CP_JSON(a) CLIENTS_CP_JSON(a)

static const char *const cp_kinds[] = {
    "distributor",      "end_customer", "installer",
    "design_institute", "developer",    "retail_chain",
    "partner",          "competitor",   NULL};
static const char *const cp_statuses[] = {"prospect", "active", "inactive",
                                          NULL};
static const char *const cp_abc[] = {"A", "B", "C", NULL};

/*
 * Whether the words of the search box `q` are all in the words `w` of a
 * name (sql/0007_search_words.sql): the trigram index on `w` finds the
 * rows holding the box's longest word, and LIKE ALL checks every word on
 * those.  CP_FUZZY: the same one letter off (clients.words_match, the
 * index by word similarity).
 */
#define CP_WORDS(w, q)                                                         \
    "(" w " LIKE clients.like_any(clients.query_key(" q ")) AND " w            \
    " LIKE ALL (clients.query_patterns(" q ")))"
#define CP_FUZZY(w, q)                                                         \
    "(" w " %> clients.query_fuzzy(" q ") AND clients.words_match(" w ", "     \
    "clients.query_words(" q ")))"

/*
 * What the search box `q` ($1) finds, on counterparty row `a`: a
 * fragment of the name or the legal name (case-insensitive, ё = е: the
 * stored search_text, trigram index counterparty_search_trgm), the words
 * of the name or of the legal name in any order, legal forms and
 * punctuation aside (CP_WORDS), or, when nothing matches, a word one
 * letter off (CP_FUZZY), the start of the
 * INN (a range on counterparty_inn, text_pattern_ops: INNs are digits, so
 * a prefix p is [p, p || ':')) or its end (the same on the reversed INN,
 * counterparty_inn_end), $2 a phone (q as E.164, NULL when it is not
 * one; GIN counterparty_phones) or four digits or more of one
 * (counterparty_phone_digits), an e-mail (any case;
 * GIN counterparty_emails), its Salesforce id, 15 or 18 characters
 * (core.import_find: the record it became, a merged one's survivor), or
 * a contact linked to it that matches
 * (CLIENTS_CONTACT_MATCH: name fragment, phone, e-mail).  Each arm has an
 * index, so PostgreSQL ORs their bitmaps (the contacts' counterparties
 * come as an id array, searched once per statement).
 */
#define CP_MATCH_TEXT CLIENTS_LIKE_ANY("clients.search_norm($1)")
/* the counterparties of the contacts `where` (over contact k) finds: an id
 * array, searched once per statement */
#define CP_BY_CONTACT(a, where)                                                \
    a ".id = ANY (ARRAY(SELECT l.counterparty_id FROM clients.contact k JOIN " \
      "clients.contact_link l ON l.contact_id = k.id WHERE " where "))"

/*
 * The arms are split by the kind of box (cp_box_digits), so that a search
 * runs only the index arms that can match it (issue 13: every arm for
 * every box made a contact's name 2x slower, an INN or a phone 0.6-0.8x):
 *
 * CP_MATCH_DIGITS, a box of digits and the signs a phone is written with
 * (clients.query_digits' set), or a phone: the fragment (a name with a
 * number in it), the start and the end of the INN, the phone and part of
 * one, a contact's phone.  A name's words, an e-mail, a Salesforce id,
 * a contact's name and the words one letter off cannot match such a box
 * (no letter, no '@'; fuzzy words need a letter), so they are left out.
 *
 * CP_MATCH_WORDS, any other box: the fragment, the words of the name and
 * of the legal name, the e-mail, the Salesforce id, a contact's name or
 * e-mail.  An INN and a phone are digits only: left out.
 */
#define CP_MATCH_DIGITS                                                        \
    "(t.search_text LIKE " CP_MATCH_TEXT " OR (t.inn ~>=~ $1 AND t.inn ~<~ "   \
    "($1 || ':')) OR (reverse(t.inn) ~>=~ reverse(clients.query_digits($1)) "  \
    "AND reverse(t.inn) ~<~ (reverse(clients.query_digits($1)) || ':')) OR "   \
    "t.phones @> ARRAY[$2::text] OR clients.phone_digits(t.phones) LIKE "      \
    "clients.like_any(clients.query_digits($1)) OR "                           \
    "" CP_BY_CONTACT("t", "k.phones @> ARRAY[$2::text]") ")"
#define CP_MATCH_WORDS(a)                                                      \
    "(" a ".search_text LIKE " CP_MATCH_TEXT " OR "                            \
    "" CP_WORDS(                                                               \
        a ".name_words",                                                       \
        "$1") " OR "                                                           \
              "" CP_WORDS(                                                     \
                  a ".legal_words",                                            \
                  "$1") " OR clients.lower_array(" a                           \
                        ".emails) @> ARRAY[lower($1)] OR " a                   \
                        ".id = ANY (ARRAY(SELECT "                             \
                        "core.import_find('clients.counterparty', $1))) OR "   \
                        "" CP_BY_CONTACT(                                      \
                            a, CLIENTS_CONTACT_MATCH("k", "$1", "$2")) ")"
#define CP_MATCH_FUZZY(a)                                                      \
    "(" CP_FUZZY(a ".name_words", "$1") " OR " CP_FUZZY(a ".legal_words",      \
                                                        "$1") ")"
/* a live counterparty row `a` the caller sees */
#define CP_LIVE(a) a ".merged_into IS NULL AND " CLIENTS_CP_VISIBLE(a)
/* A box of words, as the relation the kit lists from (the hook's `from`,
 * ABI 1.5): the exact matches among the live records the caller sees,
 * or when there are none, the words one letter off: a common word's near
 * matches («строй» has thousands) would cost every search their
 * similarity checks.  The exact arms run once (e), and the NOT EXISTS is
 * a one-time filter of the fuzzy arm, which runs only when nothing
 * matched as typed.  The rows are the bitmap heap scan's, as the
 * statement before the port onto the kit had them: handed to the kit as
 * an id array they were each looked up again by the primary key and
 * tested per row, which made a common fragment («строй», 7,681 matches)
 * 0.5-0.6x as fast (bench/RESULTS.md, issue 13 section 1). */
#define CP_FOUND_WORDS                                                         \
    "WITH e AS MATERIALIZED (SELECT c.* FROM clients.counterparty c WHERE "    \
    "" CP_MATCH_WORDS("c") " AND " CP_LIVE(                                    \
        "c") ") SELECT * FROM e UNION ALL SELECT c.* FROM "                    \
             "clients.counterparty c WHERE NOT EXISTS (SELECT 1 FROM e) AND "  \
             "" CP_MATCH_FUZZY("c") " AND " CP_LIVE("c")

/*
 * The order of a search (the kit's rank, when no sort is asked): first
 * the records that hold the box as a fragment, by their normalised names
 * (search_text), then those found otherwise (words in another order, one
 * letter off, a number), best word similarity (pg_trgm) first.  Text, so
 * that the keyset cursor carries it: "a" and the name, "b" and 1 -
 * similarity at a fixed width.  Only the records the fragment misses pay
 * for a similarity: over all of a common fragment's matches («строй»,
 * 7,681 of the benchmark's 65,000) it made the search three times
 * slower.
 */
#define CP_RELEVANCE                                                           \
    "CASE WHEN t.search_text LIKE " CP_MATCH_TEXT " THEN 'a' || "              \
    "t.search_text ELSE 'b' || to_char(1 - word_similarity("                   \
    "clients.name_words($1), t.search_text), 'FM0.000000') END"

/* A word one letter off matches at a word similarity of 0.54: pg_trgm's
 * default of 0.6 misses a letter changed or dropped in the middle of a
 * word («кристолл» 0.556 for «кристалл», «петрвич» 0.545), while two
 * letters off («елочный» for «елочка» 0.5) stay apart.  Set for the
 * request's transaction before the search, for the index lookup and the
 * check of every word alike (clients.words_match).  And a plan for the
 * box at hand: after five runs PostgreSQL may keep a generic plan of a
 * prepared statement, in which the box's words, patterns and key are
 * worked out again for every row the indexes find and the arms cannot
 * be pruned (the words statement went from 0.1-0.5 s to 3-7 s so). */
static const char cp_fuzzy_sql[] =
    "SELECT set_config('pg_trgm.word_similarity_threshold', '0.54', true), "
    "set_config('plan_cache_mode', 'force_custom_plan', true)";

/* Whether the search box `box` is a number (CP_MATCH_DIGITS): digits and
 * the signs a phone is written with only, or a phone number (its E.164
 * form `phone`). */
static bool
cp_box_digits(const char *box, const char *phone)
{
    return phone != NULL || (strspn(box, "0123456789 ()+.-") == strlen(box) &&
                             strpbrk(box, "0123456789") != NULL);
}

/* What q= finds (the kit's list, export and global search): $1 the box,
 * $2 the box as a phone (E.164) or NULL; the arms by the kind of box: a
 * number as a condition on the table's rows (its arms are selective), a
 * box of words as the relation of its matches. */
static int
cp_search(kedr_req_t *r, const char *q, struct kedr_kit_search *s)
{
    const char *phone = clients_query_phone(r, q);

    if (kedr_db_exec(r, cp_fuzzy_sql, 0, NULL) < 0)
        return KEDR_EDB;
    s->params[0] = q;
    s->params[1] = phone;
    s->nparams = 2;
    if (cp_box_digits(q, phone))
        s->where = CP_MATCH_DIGITS;
    else
        s->from = CP_FOUND_WORDS;
    s->rank = CP_RELEVANCE;
    return 0;
}

/* $1 name, $2 limit: live counterparties whose names are similar
 * (pg_trgm's % with its threshold, through the trigram index), every
 * one, so that an own-only caller does not create a duplicate of a
 * record they do not see; of those only id, name and similarity. */
static const char cp_similar_sql[] =
    "SELECT coalesce(json_agg(CASE WHEN x.visible THEN to_jsonb(x) ELSE "
    "jsonb_build_object('id', x.id, 'name', x.name, 'similarity', "
    "x.similarity, 'visible', false) END ORDER BY x.similarity DESC, x.id), "
    "'[]')::text FROM (SELECT c.id, c.name, c.legal_name, c.inn, c.kpp, "
    "c.kind, c.status, c.region, round(similarity(c.name, $1)::numeric, 3) "
    "AS similarity, " CLIENTS_CP_VISIBLE(
        "c") " AS visible FROM "
             "clients.counterparty c WHERE c.name % $1 AND c.merged_into IS "
             "NULL "
             "ORDER BY similarity(c.name, $1) DESC, c.id LIMIT $2::int) x";

/* GET /counterparties/similar?name=&limit= -- candidates for the form
 * before saving: [{id, name, inn, kpp, ..., similarity}], best first. */
int
clients_cp_similar(kedr_req_t *r)
{
    const char *name = clients_query_str(r, "name");
    long limit = kedr_query_count(r, "limit", 10, 50);

    if (name == NULL)
        kedr_field_error(r, "name", "is required");
    if (name == NULL || limit < 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid query");
    return kedr_reply_db_json(r, 200, cp_similar_sql,
                              KEDR_PARAMS(name, kedr_sprintf(r, "%ld", limit)));
}

/*
 * Check the values of `in` (the body, or an imported row) and copy them,
 * normalised, into a new object (the members present only).  Returns it,
 * or NULL with *rc set after recording 422 (every bad field named) or a
 * database failure.  `partial`: an update (extra attributes merged);
 * `kit`: a write the kit checks, whose attributes it checks itself.
 */
static json_t *
cp_normalize(kedr_req_t *r, json_t *in, bool partial, bool kit, int *rc)
{
    static const char *const strs[] = {
        "kind",    "name",    "legal_name", "inn",    "kpp",  "ogrn", "region",
        "address", "segment", "abc",        "status", "site", NULL};
    static const char *const required[] = {"kind", "name", "status", NULL};
    json_t *n = kedr_json_keep(r, json_object());
    const char *s, *why;
    bool bad = false;
    int na = 0;

    for (const char *const *k = strs; *k != NULL; k++)
        clients_take_str(r, in, n, *k);
    for (const char *const *k = required; *k != NULL; k++)
        if (json_object_get(n, *k) != NULL &&
            json_is_null(json_object_get(n, *k))) {
            kedr_field_error(r, *k, "must not be empty");
            bad = true;
        } else if (!partial && strcmp(*k, "status") != 0 &&
                   json_object_get(n, *k) == NULL) {
            /* an imported row has no input spec to require it */
            kedr_field_error(r, *k, "is required");
            bad = true;
        }
    if ((s = json_string_value(json_object_get(n, "kind"))) != NULL &&
        !clients_one_of(s, cp_kinds)) {
        kedr_field_error(r, "kind",
                         "must be distributor, end_customer, installer, "
                         "design_institute, developer, retail_chain, partner "
                         "or competitor");
        bad = true;
    }
    if ((s = json_string_value(json_object_get(n, "status"))) != NULL &&
        !clients_one_of(s, cp_statuses)) {
        kedr_field_error(r, "status", "must be prospect, active or inactive");
        bad = true;
    }
    if ((s = json_string_value(json_object_get(n, "abc"))) != NULL &&
        !clients_one_of(s, cp_abc)) {
        kedr_field_error(r, "abc", "must be A, B or C");
        bad = true;
    }
    if ((s = json_string_value(json_object_get(n, "inn"))) != NULL &&
        (why = clients_inn_problem(s)) != NULL) {
        kedr_field_error(r, "inn", why);
        bad = true;
    }
    if ((s = json_string_value(json_object_get(n, "kpp"))) != NULL &&
        (why = clients_kpp_problem(s)) != NULL) {
        kedr_field_error(r, "kpp", why);
        bad = true;
    }
    if ((s = json_string_value(json_object_get(n, "ogrn"))) != NULL &&
        (why = clients_ogrn_problem(s)) != NULL) {
        kedr_field_error(r, "ogrn", why);
        bad = true;
    }
    if (!clients_take_list(r, in, n, "phones", true, false))
        bad = true;
    if (!clients_take_list(r, in, n, "emails", false, true))
        bad = true;
    if (!clients_take_list(r, in, n, "tags", false, false))
        bad = true;
    if (json_object_get(in, "ext") != NULL) {
        if (!clients_ext_valid(r, json_object_get(in, "ext"), "ext"))
            bad = true;
        else if (json_is_null(json_object_get(in, "ext")))
            json_object_set_new(n, "ext", json_object());
        else
            clients_take(in, n, "ext");
    }
    clients_take(in, n, "parent_id");
    clients_take(in, n, "manager_id");
    if (!kit && (na = clients_take_attrs(r, in, n, "clients.counterparty",
                                         partial)) < 0) {
        *rc = na;
        return NULL;
    }
    if (bad || na > 0) {
        *rc = kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
        return NULL;
    }
    return n;
}

/* The value of `key` after the write: the new one when given, else the
 * old record's (NULL for a new record). */
static const char *
cp_after(json_t *n, json_t *old, const char *key)
{
    json_t *v = json_object_get(n, key);

    return v != NULL ? json_string_value(v)
                     : json_string_value(json_object_get(old, key));
}

/* $1 inn, $2 kpp, $3 the record itself (NULL for a new one): every
 * live record, seen by the caller or not. */
static const char cp_duplicate_sql[] =
    "SELECT c.id, c.name, " CLIENTS_CP_VISIBLE(
        "c") " FROM clients.counterparty c WHERE c.inn = $1 AND "
             "coalesce(c.kpp, '') = coalesce($2, '') AND c.merged_into IS NULL "
             "AND "
             "c.id IS DISTINCT FROM $3::bigint ORDER BY c.id LIMIT 1";

/*
 * $1 parent_id, $2 manager_id, $3 the record (NULL for a new one):
 * whether the parent exists and is live, whether the manager exists, and
 * whether the parent is the record itself or below it (a cycle).
 */
static const char cp_refs_sql[] =
    "SELECT $1::bigint IS NULL OR EXISTS (SELECT 1 FROM clients.counterparty "
    "k WHERE k.id = $1::bigint AND k.merged_into IS NULL AND "
    "" CLIENTS_CP_VISIBLE(
        "k") "), "
             "$2::bigint IS NULL OR EXISTS (SELECT 1 FROM core.\"user\" WHERE "
             "id = "
             "$2::bigint), "
             "$1::bigint IS NOT NULL AND $3::bigint IS NOT NULL AND $3::bigint "
             "IN "
             "(WITH RECURSIVE up (id, parent_id) AS (SELECT id, parent_id FROM "
             "clients.counterparty WHERE id = $1::bigint UNION SELECT c.id, "
             "c.parent_id FROM clients.counterparty c JOIN up ON c.id = "
             "up.parent_id) "
             "SELECT id FROM up)";

/*
 * The checks that need the old record or the database: KPP only with a
 * 10-digit INN (422), parent and manager exist, no cycle (422).  `id` is
 * the record's (NULL for a new one).  Returns 0 when the write may go
 * ahead.
 */
static int
cp_check(kedr_req_t *r, json_t *n, json_t *old, const char *id)
{
    const char *inn = cp_after(n, old, "inn");
    const char *kpp = cp_after(n, old, "kpp");
    json_t *parent = json_object_get(n, "parent_id");
    json_t *manager = json_object_get(n, "manager_id");
    kedr_rows_t *rows;

    if (kpp != NULL && inn != NULL && strlen(inn) == 12)
        return kedr_fail(r, KEDR_EINVAL, "kpp",
                         "an individual entrepreneur (12-digit INN) has no "
                         "KPP");
    if (kpp != NULL && inn == NULL)
        return kedr_fail(r, KEDR_EINVAL, "inn", "is required with a KPP");
    /* nothing to look up without a parent or manager (most imported rows) */
    if (!json_is_integer(parent) && !json_is_integer(manager))
        return 0;
    rows = kedr_db_query(
        r, cp_refs_sql,
        KEDR_PARAMS(
            json_is_integer(parent) ? kedr_json_text(r, parent) : NULL,
            json_is_integer(manager) ? kedr_json_text(r, manager) : NULL, id));
    if (rows == NULL)
        return KEDR_EDB;
    if (strcmp(kedr_rows_get(rows, 0, 0), "t") != 0)
        return kedr_fail(r, KEDR_EINVAL, "parent_id", "no such counterparty");
    if (strcmp(kedr_rows_get(rows, 0, 1), "t") != 0)
        return kedr_fail(r, KEDR_EINVAL, "manager_id", "no such user");
    if (strcmp(kedr_rows_get(rows, 0, 2), "t") == 0)
        return kedr_fail(r, KEDR_EINVAL, "parent_id",
                         "would make the holding structure a loop");
    return 0;
}

/* The live counterparty other than `id` with the INN and KPP record `n`
 * has after the write (`old` before it): 0 none, 1 with *dup its row
 * (id, name, visible), or a negative code. */
static int
cp_find_duplicate(kedr_req_t *r, json_t *n, json_t *old, const char *id,
                  kedr_rows_t **dup)
{
    const char *inn = cp_after(n, old, "inn");

    if (inn == NULL)
        return 0;
    *dup = kedr_db_query(r, cp_duplicate_sql,
                         KEDR_PARAMS(inn, cp_after(n, old, "kpp"), id));
    if (*dup == NULL)
        return KEDR_EDB;
    return kedr_rows_count(*dup) > 0;
}

/* After a failed insert or update: the unique INN+KPP index (a record
 * saved meanwhile) is a 409, anything else the call's code. */
static int
cp_db_fail(kedr_req_t *r, int rc)
{
    const char *state = kedr_db_sqlstate(r);

    if (state != NULL && strcmp(state, "23505") == 0)
        return kedr_fail(r, KEDR_ECONFLICT, "inn",
                         "a counterparty with this INN and KPP was just "
                         "saved by someone else");
    return rc;
}

#define CP_COLS                                                                \
    "kind, name, legal_name, inn, kpp, ogrn, parent_id, region, address, "     \
    "segment, abc, status, manager_id, phones, emails, site, tags, ext, attrs"

/* $1 the record, $2 the caller: the manager defaults to the caller (an
 * explicit null leaves it empty) */
static const char cp_insert_sql[] =
    "INSERT INTO clients.counterparty AS c (" CP_COLS ", created_by) "
    "SELECT n.kind, n.name, n.legal_name, n.inn, n.kpp, n.ogrn, "
    "n.parent_id, n.region, n.address, n.segment, n.abc, "
    "coalesce(n.status, 'prospect'), CASE WHEN $1::jsonb ? 'manager_id' "
    "THEN n.manager_id ELSE $2::bigint END, coalesce(n.phones, '{}'), "
    "coalesce(n.emails, '{}'), n.site, coalesce(n.tags, '{}'), "
    "coalesce(n.ext, '{}'), coalesce(n.attrs, '{}'), $2::bigint "
    "FROM jsonb_populate_record(NULL::clients.counterparty, $1::jsonb) n "
    "RETURNING " CP_JSON("c") "::text";

int
clients_cp_insert(kedr_req_t *r, json_t *in, const char **row)
{
    kedr_rows_t *dup;
    json_t *n;
    int rc;

    *row = NULL;
    if ((n = cp_normalize(r, in, false, false, &rc)) == NULL)
        return rc;
    if ((rc = cp_check(r, n, NULL, NULL)) != 0 ||
        (rc = cp_find_duplicate(r, n, NULL, NULL, &dup)) < 0)
        return rc;
    if (rc > 0)
        return kedr_fail(r, KEDR_ECONFLICT, "inn",
                         "is used by counterparty %s (\"%s\")",
                         kedr_rows_get(dup, 0, 0), kedr_rows_get(dup, 0, 1));
    rc = kedr_db_json(r, cp_insert_sql,
                      KEDR_PARAMS(kedr_json_text(r, n), kedr_user_id_text(r)),
                      row);
    if (rc != 0)
        return cp_db_fail(r, rc);
    return clients_record(r, "counterparty", "created", NULL,
                          kedr_json_parse(r, *row), NULL);
}

/* ---------------------------------------------------------------------
 * The entity the kit serves (list, export, one record, create, edit):
 * the declaration in the descriptor (clients.c), its columns and hooks
 * here.
 * --------------------------------------------------------------------- */

/* $1 the manager, $2 the region after a write, $3 whether the manager
 * is known (else the caller, a create's default): whether the caller
 * still sees the record then. */
static const char cp_in_sight_sql[] =
    "SELECT clients.visible_counterparty(CASE WHEN $3::boolean THEN "
    "$1::bigint ELSE core.current_user_id() END, $2)";

/* The text of member `key` of `in` when it has one, else of `old`. */
static const char *
cp_after_text(kedr_req_t *r, json_t *in, json_t *old, const char *key)
{
    json_t *v = json_object_get(in, key);

    if (v == NULL)
        v = json_object_get(old, key);
    if (v == NULL || json_is_null(v))
        return NULL;
    return json_is_string(v) ? json_string_value(v) : kedr_json_text(r, v);
}

/* Before a counterparty is written through the kit: a merged record is
 * never changed (409); the body normalised as cp_normalize does (text
 * blank = null, phones to E.164, e-mails checked, lists without
 * repeats, requisites checked) and written back into `in`; then the
 * checks of cp_check (KPP with INN, parent, manager, no cycle), and an
 * own-only caller keeps the record in sight: handing it to another
 * manager outside their regions is 422 naming manager_id (the kit's own
 * check after the write names no field). */
static int
cp_validate(kedr_req_t *r, json_t *in, json_t *old)
{
    json_t *id = json_object_get(old, "id"), *n, *v;
    bool known = old != NULL || json_object_get(in, "manager_id") != NULL;
    const char *key;
    kedr_rows_t *rows;
    int rc;

    if (old != NULL && !json_is_null(json_object_get(old, "merged_into")))
        return kedr_fail(r, KEDR_ECONFLICT, NULL,
                         "the counterparty was merged into another one");
    if ((n = cp_normalize(r, in, old != NULL, true, &rc)) == NULL)
        return rc;
    json_object_foreach (n, key, v)
        json_object_set(in, key, v);
    if ((rc = cp_check(r, in, old,
                       id != NULL ? kedr_json_text(r, id) : NULL)) != 0)
        return rc;
    rows = kedr_db_query(r, cp_in_sight_sql,
                         KEDR_PARAMS(cp_after_text(r, in, old, "manager_id"),
                                     cp_after_text(r, in, old, "region"),
                                     known ? "true" : "false"));
    if (rows == NULL)
        return KEDR_EDB;
    if (strcmp(kedr_rows_get(rows, 0, 0), "t") != 0)
        return kedr_fail(r, KEDR_EINVAL, "manager_id",
                         "you would no longer see this record: keep yourself "
                         "as its manager or choose one of your regions");
    return 0;
}

/* The kit's duplicate check: the INN+KPP of another live record (seen
 * by the caller or not, so that an own-only user does not create a
 * second copy of it). */
static int
cp_duplicate(kedr_req_t *r, json_t *in, json_t *old, const char **field,
             long long *id)
{
    json_t *self = json_object_get(old, "id");
    kedr_rows_t *dup;
    int rc = cp_find_duplicate(
        r, in, old, self != NULL ? kedr_json_text(r, self) : NULL, &dup);

    if (rc <= 0)
        return rc;
    *field = "inn";
    *id = strtoll(kedr_rows_get(dup, 0, 0), NULL, 10);
    return 1;
}

const struct kedr_entity_hooks clients_cp_hooks = {
    .validate = cp_validate,
    .search = cp_search,
    .duplicate = cp_duplicate,
};

static const struct kedr_entity_option cp_kind_options[] = {
    {"distributor", "Дистрибьютор", "Distributor"},
    {"end_customer", "Конечный заказчик", "End customer"},
    {"installer", "Монтажник", "Installer"},
    {"design_institute", "Проектный институт", "Design institute"},
    {"developer", "Девелопер", "Developer"},
    {"retail_chain", "Розничная сеть", "Retail chain"},
    {"partner", "Партнёр", "Partner"},
    {"competitor", "Конкурент", "Competitor"},
    {0},
};

static const struct kedr_entity_option cp_status_options[] = {
    {"prospect", "Потенциальный", "Prospect"},
    {"active", "Активный", "Active"},
    {"inactive", "Неактивный", "Inactive"},
    {0},
};

static const struct kedr_entity_option cp_abc_options[] = {
    {"A", "A", "A"},
    {"B", "B", "B"},
    {"C", "C", "C"},
    {0},
};

/* a list of strings in a text[] column (phones, e-mails, tags), each
 * kept by `rule` */
#define CP_LIST(n, ru, en, r)                                                  \
    {                                                                          \
        .name = (n), .type = KEDR_T_ARRAY, .label_ru = (ru), .label_en = (en), \
        .flags = KEDR_COL_EXPORT, .def = "'{}'", .rule = (r)                   \
    }

/* The columns, labelled as the hand-written import reads them
 * (CP_IO_COLS): an exported file imports again. */
const struct kedr_entity_col clients_cp_cols[] = {
    {.name = "kind",
     .type = KEDR_T_STRING,
     .label_ru = "Тип",
     .label_en = "Kind",
     .flags = KEDR_REQUIRED | KEDR_COL_FILTER | KEDR_COL_SORT | KEDR_COL_EXPORT,
     .max = 32,
     .options = cp_kind_options},
    {.name = "name",
     .type = KEDR_T_STRING,
     .label_ru = "Название",
     .label_en = "Name",
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY | KEDR_COL_SORT | KEDR_COL_SEARCH |
              KEDR_COL_EXPORT,
     .max = 500,
     .collate = "ru-RU-x-icu"},
    {.name = "legal_name",
     .type = KEDR_T_STRING,
     .label_ru = "Юридическое название",
     .label_en = "Legal name",
     .flags = KEDR_COL_EXPORT,
     .max = 1000},
    {.name = "inn",
     .type = KEDR_T_STRING,
     .label_ru = "ИНН",
     .label_en = "INN",
     .flags =
         KEDR_COL_FILTER | KEDR_COL_SORT | KEDR_COL_SEARCH | KEDR_COL_EXPORT,
     .max = 20},
    {.name = "kpp",
     .type = KEDR_T_STRING,
     .label_ru = "КПП",
     .label_en = "KPP",
     .flags = KEDR_COL_EXPORT,
     .max = 20},
    {.name = "ogrn",
     .type = KEDR_T_STRING,
     .label_ru = "ОГРН",
     .label_en = "OGRN",
     .flags = KEDR_COL_EXPORT,
     .max = 20},
    {.name = "parent_id",
     .type = KEDR_T_INT,
     .label_ru = "Номер холдинга",
     .label_en = "Parent ID",
     .flags = KEDR_COL_FILTER | KEDR_COL_EXPORT,
     .min = 1,
     .max = 1e18,
     .ref = "clients.counterparty"},
    {.name = "region",
     .type = KEDR_T_STRING,
     .label_ru = "Регион",
     .label_en = "Region",
     .flags = KEDR_COL_FILTER | KEDR_COL_SORT | KEDR_COL_EXPORT,
     .max = 200},
    {.name = "address",
     .type = KEDR_T_STRING,
     .label_ru = "Адрес",
     .label_en = "Address",
     .flags = KEDR_COL_EXPORT,
     .max = 1000},
    {.name = "segment",
     .type = KEDR_T_STRING,
     .label_ru = "Сегмент",
     .label_en = "Segment",
     .flags = KEDR_COL_EXPORT,
     .max = 200},
    {.name = "abc",
     .type = KEDR_T_STRING,
     .label_ru = "ABC",
     .label_en = "ABC",
     .flags = KEDR_COL_FILTER | KEDR_COL_SORT | KEDR_COL_EXPORT,
     .max = 1,
     .options = cp_abc_options},
    {.name = "status",
     .type = KEDR_T_STRING,
     .label_ru = "Статус",
     .label_en = "Status",
     .flags = KEDR_NONEMPTY | KEDR_COL_FILTER | KEDR_COL_SORT | KEDR_COL_EXPORT,
     .max = 16,
     .def = "'prospect'",
     .options = cp_status_options},
    /* left out on create: the creator (a token: none); null: nobody */
    {.name = "manager_id",
     .type = KEDR_T_INT,
     .label_ru = "Номер менеджера",
     .label_en = "Manager ID",
     .flags = KEDR_COL_FILTER | KEDR_COL_EXPORT,
     .min = 1,
     .max = 1e18,
     .def = "core.current_user_id()"},
    CP_LIST("phones", "Телефоны", "Phones", KEDR_RULE_PHONE),
    CP_LIST("emails", "Электронная почта", "E-mails", KEDR_RULE_EMAIL),
    {.name = "site",
     .type = KEDR_T_STRING,
     .label_ru = "Сайт",
     .label_en = "Site",
     .flags = KEDR_COL_EXPORT,
     .max = 500},
    CP_LIST("tags", "Метки", "Tags", 0),
    {.name = "ext",
     .type = KEDR_T_OBJECT,
     .label_ru = "Внешние номера",
     .label_en = "External ids",
     .def = "'{}'"},
    {.name = "merged_into",
     .type = KEDR_T_INT,
     .label_ru = "Объединён с",
     .label_en = "Merged into",
     .flags = KEDR_COL_READONLY},
    {.name = "created_by",
     .type = KEDR_T_INT,
     .label_ru = "Создал",
     .label_en = "Created by",
     .flags = KEDR_COL_READONLY,
     .def = "core.current_user_id()"},
    {.name = "created_at",
     .type = KEDR_T_STRING,
     .label_ru = "Создан",
     .label_en = "Created",
     .sql = "t.created_at"},
    {.name = "updated_at",
     .type = KEDR_T_STRING,
     .label_ru = "Изменён",
     .label_en = "Updated",
     .sql = "t.updated_at"},
    {.name = "parent",
     .type = KEDR_T_OBJECT,
     .label_ru = "Холдинг",
     .label_en = "Parent",
     .sql = "SELECT json_build_object('id', pp.id, 'name', pp.name) FROM "
            "clients.counterparty pp WHERE pp.id = t.parent_id"},
    {.name = "distributors",
     .type = KEDR_T_ARRAY,
     .label_ru = "Дистрибьюторы",
     .label_en = "Distributors",
     .sql = CLIENTS_DISTRIBUTORS_JSON("t")},
    /* the one record: the children the caller sees */
    {.name = "children",
     .type = KEDR_T_ARRAY,
     .label_ru = "Дочерние",
     .label_en = "Children",
     .flags = KEDR_COL_DETAIL,
     .sql = "SELECT coalesce(jsonb_agg(jsonb_build_object('id', k.id, "
            "'name', k.name) ORDER BY k.name COLLATE \"ru-RU-x-icu\", k.id), "
            "'[]') FROM clients.counterparty k WHERE k.parent_id = t.id AND "
            "k.merged_into IS NULL AND " CLIENTS_CP_VISIBLE("k")},
    {0},
};

/* The list's filters a column cannot say: a tag among the tags, the
 * counterparties a distributor serves. */
const struct kedr_entity_filter clients_cp_filters[] = {
    {.name = "tag",
     .type = KEDR_T_STRING,
     .label_ru = "Метка",
     .label_en = "Tag",
     .sql = "t.tags @> ARRAY[$1::text]"},
    {.name = "distributor_id",
     .type = KEDR_T_INT,
     .label_ru = "Обслуживает дистрибьютор",
     .label_en = "Served by",
     .sql = "EXISTS (SELECT 1 FROM clients.counterparty_distributor d WHERE "
            "d.counterparty_id = t.id AND d.distributor_id = $1::bigint)"},
    {0},
};

static const char cp_lock_sql[] = CLIENTS_CP_LOCK_SQL;

static const char cp_deactivate_sql[] =
    "UPDATE clients.counterparty AS c SET status = 'inactive', version = "
    "c.version + 1, updated_at = now() WHERE c.id = $1 RETURNING " CP_JSON(
        "c") "::text";

/* DELETE /counterparties/:id[?version=N] -- counterparties are never
 * removed (other records refer to them): the status becomes inactive.
 * 200 with the record. */
int
clients_cp_delete(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    bool bad = false;
    json_t *version = kedr_query_version(r, &bad), *old;
    const char *row;
    int rc;

    if (bad)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid query");
    if ((old = kedr_db_lock(r, cp_lock_sql, id, version, "counterparty",
                            &rc)) == NULL)
        return rc;
    if ((rc = kedr_db_json(r, cp_deactivate_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    if ((rc = clients_record(r, "counterparty", "updated", old,
                             kedr_json_parse(r, row), NULL)) != 0)
        return rc;
    return kedr_reply_text(r, 200, row);
}

/* ---------------------------------------------------------------------
 * Export and import
 * --------------------------------------------------------------------- */

/* The columns an export writes and an import reads, under the same
 * headers: field, labels, the type in the export and in the import
 * (lists are text in a file, split again on import).  An exported file
 * imports again once the columns only an export has are dropped. */
#define CP_IO_COLS(X)                                                          \
    X("kind", "Тип", "Kind", KEDR_T_STRING, KEDR_T_STRING),                    \
        X("name", "Название", "Name", KEDR_T_STRING, KEDR_T_STRING),           \
        X("legal_name", "Юридическое название", "Legal name", KEDR_T_STRING,   \
          KEDR_T_STRING),                                                      \
        X("inn", "ИНН", "INN", KEDR_T_STRING, KEDR_T_STRING),                  \
        X("kpp", "КПП", "KPP", KEDR_T_STRING, KEDR_T_STRING),                  \
        X("ogrn", "ОГРН", "OGRN", KEDR_T_STRING, KEDR_T_STRING),               \
        X("parent_id", "Номер холдинга", "Parent ID", KEDR_T_INT, KEDR_T_INT), \
        X("region", "Регион", "Region", KEDR_T_STRING, KEDR_T_STRING),         \
        X("address", "Адрес", "Address", KEDR_T_STRING, KEDR_T_STRING),        \
        X("segment", "Сегмент", "Segment", KEDR_T_STRING, KEDR_T_STRING),      \
        X("abc", "ABC", "ABC", KEDR_T_STRING, KEDR_T_STRING),                  \
        X("status", "Статус", "Status", KEDR_T_STRING, KEDR_T_STRING),         \
        X("manager_id", "Номер менеджера", "Manager ID", KEDR_T_INT,           \
          KEDR_T_INT),                                                         \
        X("phones", "Телефоны", "Phones", KEDR_T_STRING, KEDR_T_ARRAY),        \
        X("emails", "Электронная почта", "E-mails", KEDR_T_STRING,             \
          KEDR_T_ARRAY),                                                       \
        X("site", "Сайт", "Site", KEDR_T_STRING, KEDR_T_STRING),               \
        X("tags", "Метки", "Tags", KEDR_T_STRING, KEDR_T_ARRAY)

static const struct kedr_import_col cp_import_cols[] = {
    CP_IO_COLS(CLIENTS_IMPORT_COL),
    {0},
};

/* One imported row: created as POST /counterparties creates (checks,
 * the INN+KPP duplicate as a conflict naming inn, audit, event). */
static int
cp_import_row(kedr_req_t *r, json_t *in, json_t **out)
{
    const char *row;
    json_t *rec;
    int rc = clients_cp_insert(r, in, &row);

    if (rc != 0)
        return rc;
    rec = kedr_json_parse(r, row);
    *out = json_pack("{s:O,s:O}", "id", json_object_get(rec, "id"), "name",
                     json_object_get(rec, "name"));
    return 0;
}

/* POST /counterparties/import[?dry_run=true] -- a CSV body, all rows or
 * none (see kedr_import_csv for the report). */
int
clients_cp_import(kedr_req_t *r)
{
    return clients_import(r, "clients.counterparty", cp_import_cols,
                          cp_import_row);
}
