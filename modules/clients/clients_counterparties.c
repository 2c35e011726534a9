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
 * What the search box `q` ($1) finds, on counterparty row `c`: a
 * fragment of the name or the legal name (case-insensitive, ё = е: the
 * stored search_text, trigram index counterparty_search_trgm), the words
 * of the name or of the legal name in any order, legal forms and
 * punctuation aside (CP_WORDS), or, when nothing matches, a word one
 * letter off (CP_FUZZY), the start of the
 * INN (a range on counterparty_inn, text_pattern_ops: INNs are digits, so
 * a prefix p is [p, p || ':')) or its end (the same on the reversed INN,
 * counterparty_inn_end), $11 a phone (q as E.164, NULL when it is not
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
#define CP_MATCH_NAME CP_WORDS("c.name_words", "$1")
#define CP_MATCH_LEGAL CP_WORDS("c.legal_words", "$1")
/* the counterparties of the contacts `where` (over contact k) finds: an id
 * array, searched once per statement */
#define CP_BY_CONTACT(where)                                                   \
    "c.id = ANY (ARRAY(SELECT l.counterparty_id FROM clients.contact k JOIN "  \
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
    "(c.search_text LIKE " CP_MATCH_TEXT " OR (c.inn ~>=~ $1 AND c.inn ~<~ "   \
    "($1 || ':')) OR (reverse(c.inn) ~>=~ reverse(clients.query_digits($1)) "  \
    "AND reverse(c.inn) ~<~ (reverse(clients.query_digits($1)) || ':')) OR "   \
    "c.phones @> ARRAY[$11::text] OR clients.phone_digits(c.phones) LIKE "     \
    "clients.like_any(clients.query_digits($1)) OR "                           \
    "" CP_BY_CONTACT("k.phones @> ARRAY[$11::text]") ")"
#define CP_MATCH_WORDS                                                         \
    "(c.search_text LIKE " CP_MATCH_TEXT " OR " CP_MATCH_NAME                  \
    " OR " CP_MATCH_LEGAL " OR clients.lower_array(c.emails) @> "              \
    "ARRAY[lower($1)] OR c.id = ANY (ARRAY(SELECT "                            \
    "core.import_find('clients.counterparty', $1))) OR "                       \
    "" CP_BY_CONTACT(CLIENTS_CONTACT_MATCH("k", "$1", "$11")) ")"
#define CP_FUZZY_NAME CP_FUZZY("c.name_words", "$1")
#define CP_FUZZY_LEGAL CP_FUZZY("c.legal_words", "$1")
#define CP_MATCH_FUZZY "(" CP_FUZZY_NAME " OR " CP_FUZZY_LEGAL ")"
/* the exact matches, or when the box has none (with the other filters),
 * the words one letter off: a common word's near matches («строй» has
 * thousands) would cost every search their similarity checks.  The
 * NOT EXISTS is one initplan per statement, stopping at the first match;
 * the export's filter (the list's search runs the two as CTEs).  A box of
 * digits has no words one letter off. */
#define CP_MATCH                                                               \
    "(" CP_MATCH_WORDS " OR (NOT EXISTS (SELECT 1 FROM clients.counterparty "  \
    "c WHERE " CP_MATCH_WORDS " AND " CP_FILTERS_REST ") AND " CP_MATCH_FUZZY  \
    "))"

/*
 * The other filters of the list and of the export, on counterparty row
 * `c`: $2 kind, $3 status, $4 region, $5 manager_id, $6 tag, $7 inn
 * (exact), $8 parent_id, $9 distributor_id (served by it), $10 extra
 * attributes (a JSON object the record's attrs contain).  Merged records
 * and those the caller does not see (own only) are left out.  cp_filter
 * reads them from the query string.
 */
#define CP_FILTERS_REST                                                        \
    "c.merged_into IS NULL "                                                   \
    "AND ($2::text IS NULL OR c.kind = $2) "                                   \
    "AND ($3::text IS NULL OR c.status = $3) "                                 \
    "AND ($4::text IS NULL OR c.region = $4) "                                 \
    "AND ($5::bigint IS NULL OR c.manager_id = $5::bigint) "                   \
    "AND ($6::text IS NULL OR c.tags @> ARRAY[$6::text]) "                     \
    "AND ($7::text IS NULL OR c.inn = $7) "                                    \
    "AND ($8::bigint IS NULL OR c.parent_id = $8::bigint) "                    \
    "AND ($9::bigint IS NULL OR EXISTS (SELECT 1 FROM "                        \
    "clients.counterparty_distributor d WHERE d.counterparty_id = c.id AND "   \
    "d.distributor_id = $9::bigint)) "                                         \
    "AND ($10::jsonb IS NULL OR c.attrs @> $10::jsonb) "                       \
    "AND " CLIENTS_CP_VISIBLE("c")

/* Every filter, q ($1, $11) included: the export's WHERE, and the list's
 * without a search. */
#define CP_FILTERS "($1::text IS NULL OR " CP_MATCH ") AND " CP_FILTERS_REST
#define CP_FILTERS_DIGITS                                                      \
    "($1::text IS NULL OR " CP_MATCH_DIGITS ") AND " CP_FILTERS_REST

/*
 * The list: the filters, then $12 limit, $13 offset, $14 the most records
 * `total` counts (NULL: all), and with ?after= the cursor's value and id
 * ($15, $16); clients_list_reply fills in {AFTER} (the rows after the
 * cursor), {BY} (one of cp_orders, chosen from a fixed list, never
 * spliced from the request) and {CURSOR}.  The page is read one row
 * longer than `limit`: a row after it means there is a next page, whose
 * cursor is that of the page's last row.
 *
 * Without q (cp_list_sql) the page is read in the order of an index
 * where there is one (counterparty_name for the default) and stopped
 * after it.  With q (cp_search_words_sql, cp_search_digits_sql) the matches are
 * collected first (the indexes of CP_MATCH, no "$1 IS NULL" to keep a generic
 * plan from them; the exact ones, then, only when there are none, the fuzzy
 * ones: the NOT EXISTS on the CTE is a one-time filter, so neither the exact
 * arms run twice nor the fuzzy ones at all when something matched) and sorted:
 * read in name order instead, a fragment whose matches cluster (a common
 * prefix: "Энерго...") walks most of the index before the first match.
 */
#define CP_PAGE_TAIL(from)                                                     \
    CLIENTS_PAGE_SQL("c", CP_JSON("c"), "$12", "$13", "$14", from)
static const char cp_list_sql[] =
    "WITH p AS (SELECT c.* FROM clients.counterparty c WHERE " CP_FILTERS
    "{AFTER}" CP_PAGE_TAIL("clients.counterparty c WHERE " CP_FILTERS);
static const char cp_search_words_sql[] =
    "WITH e AS MATERIALIZED (SELECT c.* FROM clients.counterparty c WHERE "
    "" CP_MATCH_WORDS " AND " CP_FILTERS_REST "), m AS MATERIALIZED (SELECT * "
    "FROM e UNION ALL SELECT c.* FROM clients.counterparty c WHERE NOT EXISTS "
    "(SELECT 1 FROM e) AND " CP_MATCH_FUZZY " AND " CP_FILTERS_REST "), p AS "
    "(SELECT c.* FROM m c WHERE true{AFTER}" CP_PAGE_TAIL("m");
static const char cp_search_digits_sql[] =
    "WITH m AS MATERIALIZED (SELECT c.* FROM clients.counterparty c WHERE "
    "" CP_MATCH_DIGITS " AND " CP_FILTERS_REST "), p AS "
    "(SELECT c.* FROM m c WHERE true{AFTER}" CP_PAGE_TAIL("m");

/*
 * The sort keys.  With a search the default is relevance: first the
 * records that hold the box as a fragment, by their normalised names
 * (search_text), then those found otherwise (words in another order, one
 * letter off, a number), best word similarity (pg_trgm) first.  Both as
 * text, so that the keyset cursor carries it: "a" and the name, "b" and
 * 1 - similarity at a fixed width.  Only the records the fragment misses
 * pay for a similarity: over all of a common fragment's matches
 * («строй», 7,681 of the benchmark's 65,000) it made the search three
 * times slower.  Without a search the default is name (index
 * counterparty_name, read backwards for desc): the list passes the keys
 * after relevance.
 */
#define CP_RELEVANCE                                                           \
    "CASE WHEN c.search_text LIKE " CP_MATCH_TEXT " THEN 'a' || "              \
    "c.search_text ELSE 'b' || to_char(1 - word_similarity("                   \
    "clients.name_words($1), c.search_text), 'FM0.000000') END"
static const struct clients_order cp_orders[] = {
    CLIENTS_ORDER("relevance", CP_RELEVANCE, "c", CLIENTS_KEY_TEXT, false),
    CLIENTS_ORDER("name", "c.name COLLATE \"ru-RU-x-icu\"", "c",
                  CLIENTS_KEY_TEXT, false),
    CLIENTS_ORDER("inn", "c.inn", "c", CLIENTS_KEY_TEXT, true),
    CLIENTS_ORDER("region", "c.region", "c", CLIENTS_KEY_TEXT, true),
    CLIENTS_ORDER("kind", "c.kind", "c", CLIENTS_KEY_TEXT, false),
    CLIENTS_ORDER("status", "c.status", "c", CLIENTS_KEY_TEXT, false),
    CLIENTS_ORDER("abc", "c.abc", "c", CLIENTS_KEY_TEXT, true),
    CLIENTS_ORDER("created_at", "c.created_at", "c", CLIENTS_KEY_TIME, false),
    CLIENTS_ORDER("updated_at", "c.updated_at", "c", CLIENTS_KEY_TIME, false),
    CLIENTS_ORDER_ID("c"),
};

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

/* The filters and the order the query string asks for, as CP_FILTERS
 * numbers them (field errors recorded, q->bad set). */
static void
cp_filter(kedr_req_t *r, struct clients_query *q)
{
    const size_t n = sizeof(cp_orders) / sizeof(cp_orders[0]);
    const char *box = clients_query_str(r, "q");

    clients_query_add(q, box);
    clients_query_enum(r, q, "kind", cp_kinds, "is not a kind of counterparty");
    clients_query_enum(r, q, "status", cp_statuses,
                       "must be prospect, active or inactive");
    clients_query_add(q, clients_query_str(r, "region"));
    clients_query_idp(r, q, "manager_id");
    clients_query_add(q, clients_query_str(r, "tag"));
    clients_query_add(q, clients_query_str(r, "inn"));
    clients_query_idp(r, q, "parent_id");
    clients_query_idp(r, q, "distributor_id");
    clients_query_attrs(r, q, "clients.counterparty");
    clients_query_add(q, clients_query_phone(r, box));
    if (box != NULL) {
        clients_query_order(r, q, cp_orders, n);
        if (kedr_db_exec(r, cp_fuzzy_sql, 0, NULL) < 0)
            q->bad = true;
    } else
        clients_query_order(r, q, cp_orders + 1, n - 1);
}

/* Whether the search box `box` is a number (CP_MATCH_DIGITS): digits and
 * the signs a phone is written with only, or a phone number (its E.164
 * form `phone`). */
static bool
cp_box_digits(const char *box, const char *phone)
{
    return phone != NULL || (strspn(box, "0123456789 ()+.-") == strlen(box) &&
                             strpbrk(box, "0123456789") != NULL);
}

/* GET /counterparties?q=&kind=&status=&region=&manager_id=&tag=&inn=
 * &parent_id=&distributor_id=&attr.<name>=&sort=&order=&limit=&offset=
 * &after=&total= -- {items, total, total_exact, limit, offset, next} */
int
clients_cp_list(kedr_req_t *r)
{
    struct clients_query q = {0};

    cp_filter(r, &q);
    if (q.p[0] == NULL)
        return clients_list_reply(r, &q, cp_list_sql);
    return clients_list_reply(r, &q,
                              cp_box_digits(q.p[0], q.p[10])
                                  ? cp_search_digits_sql
                                  : cp_search_words_sql);
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

static const char cp_one_sql[] = "SELECT (" CP_JSON(
    "c") " || jsonb_build_object('children', (SELECT "
         "coalesce(jsonb_agg(jsonb_build_object('id', k.id, 'name', k.name) "
         "ORDER BY k.name COLLATE \"ru-RU-x-icu\", k.id), '[]') FROM "
         "clients.counterparty k WHERE k.parent_id = c.id AND k.merged_into IS "
         "NULL AND " CLIENTS_CP_VISIBLE(
             "k") ")))::text FROM clients.counterparty "
                  "c WHERE c.id = $1 AND " CLIENTS_CP_VISIBLE("c");

/* GET /counterparties/:id -- the record with its parent and children
 * (those the caller sees); 404 when the caller does not see it. */
int
clients_cp_get(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such counterparty");
    return kedr_reply_db_json(r, 200, cp_one_sql, KEDR_PARAMS(id));
}

/*
 * Check the values of `in` (the body, or an imported row) and copy them,
 * normalised, into a new object (the members present only).  Returns it,
 * or NULL with *rc set after recording 422 (every bad field named) or a
 * database failure.  `partial`: an update (extra attributes merged).
 */
static json_t *
cp_normalize(kedr_req_t *r, json_t *in, bool partial, int *rc)
{
    static const char *const strs[] = {
        "kind",    "name",    "legal_name", "inn",    "kpp",  "ogrn", "region",
        "address", "segment", "abc",        "status", "site", NULL};
    static const char *const required[] = {"kind", "name", "status", NULL};
    json_t *n = kedr_json_keep(r, json_object());
    const char *s, *why;
    bool bad = false;
    int na;

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
    if ((na = clients_take_attrs(r, in, n, "clients.counterparty", partial)) <
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
 * 10-digit INN (422), parent and manager exist, no cycle (422), INN+KPP
 * not used by another live record (409 with its id: replied here with
 * the duplicate's id, name and link when `reply`, returning 1; else
 * recorded as a conflict naming `inn`).  Returns 0 when the write may go
 * ahead.
 */
static int
cp_check(kedr_req_t *r, json_t *n, json_t *old, const char *id, bool reply)
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
    if (json_is_integer(parent) || json_is_integer(manager)) {
        rows = kedr_db_query(
            r, cp_refs_sql,
            KEDR_PARAMS(
                json_is_integer(parent) ? kedr_json_text(r, parent) : NULL,
                json_is_integer(manager) ? kedr_json_text(r, manager) : NULL,
                id));
        if (rows == NULL)
            return KEDR_EDB;
        if (strcmp(kedr_rows_get(rows, 0, 0), "t") != 0)
            return kedr_fail(r, KEDR_EINVAL, "parent_id",
                             "no such counterparty");
        if (strcmp(kedr_rows_get(rows, 0, 1), "t") != 0)
            return kedr_fail(r, KEDR_EINVAL, "manager_id", "no such user");
        if (strcmp(kedr_rows_get(rows, 0, 2), "t") == 0)
            return kedr_fail(r, KEDR_EINVAL, "parent_id",
                             "would make the holding structure a loop");
    }
    if (inn == NULL)
        return 0;
    rows = kedr_db_query(r, cp_duplicate_sql, KEDR_PARAMS(inn, kpp, id));
    if (rows == NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) > 0) {
        const char *dup = kedr_rows_get(rows, 0, 0);
        const char *name = kedr_rows_get(rows, 0, 1);
        json_t *body;

        if (!reply)
            return kedr_fail(r, KEDR_ECONFLICT, "inn",
                             "is used by counterparty %s (\"%s\")", dup, name);
        body = json_pack(
            "{s:{s:s,s:s,s:{s:s}},s:{s:I,s:s,s:s}}", "error", "code",
            "conflict", "message",
            kedr_sprintf(r,
                         "a counterparty with this INN and KPP exists: "
                         "\"%s\" (id %s)",
                         name, dup),
            "fields", "inn", kedr_sprintf(r, "is used by counterparty %s", dup),
            "duplicate", "id", (json_int_t)strtoll(dup, NULL, 10), "name", name,
            "link", kedr_sprintf(r, "/api/v1/clients/counterparties/%s", dup));
        json_object_set_new(json_object_get(body, "duplicate"), "visible",
                            json_boolean(kedr_rows_get(rows, 0, 2)[0] == 't'));

        kedr_reply_json(r, 409, body);
        return 1; /* replied: the caller returns 0 */
    }
    return 0;
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
clients_cp_insert(kedr_req_t *r, json_t *in, bool reply_dup, const char **row)
{
    json_t *n;
    int rc;

    *row = NULL;
    if ((n = cp_normalize(r, in, false, &rc)) == NULL)
        return rc;
    if ((rc = cp_check(r, n, NULL, NULL, reply_dup)) != 0)
        return rc;
    rc = kedr_db_json(r, cp_insert_sql,
                      KEDR_PARAMS(kedr_json_text(r, n), kedr_user_id_text(r)),
                      row);
    if (rc != 0)
        return cp_db_fail(r, rc);
    return clients_record(r, "counterparty", "created", NULL,
                          kedr_json_parse(r, *row), NULL);
}

/* POST /counterparties -- 201 with the record; 422 naming the field; 409
 * with {"duplicate": {id, name, link}} when the INN+KPP exists. */
int
clients_cp_create(kedr_req_t *r)
{
    const char *row;
    int rc = clients_cp_insert(r, kedr_body(r), true, &row);

    if (rc != 0)
        return rc > 0 ? 0 : rc;
    return clients_reply_text(r, 201, row);
}

static const char cp_lock_sql[] = CLIENTS_CP_LOCK_SQL;

/* each column: the new value when the patch has it */
static const char cp_update_sql[] =
    "UPDATE clients.counterparty AS c SET "
    "kind = CASE WHEN $3::jsonb ? 'kind' THEN n.kind ELSE c.kind END, "
    "name = CASE WHEN $3::jsonb ? 'name' THEN n.name ELSE c.name END, "
    "legal_name = CASE WHEN $3::jsonb ? 'legal_name' THEN n.legal_name ELSE "
    "c.legal_name END, "
    "inn = CASE WHEN $3::jsonb ? 'inn' THEN n.inn ELSE c.inn END, "
    "kpp = CASE WHEN $3::jsonb ? 'kpp' THEN n.kpp ELSE c.kpp END, "
    "ogrn = CASE WHEN $3::jsonb ? 'ogrn' THEN n.ogrn ELSE c.ogrn END, "
    "parent_id = CASE WHEN $3::jsonb ? 'parent_id' THEN n.parent_id ELSE "
    "c.parent_id END, "
    "region = CASE WHEN $3::jsonb ? 'region' THEN n.region ELSE c.region END, "
    "address = CASE WHEN $3::jsonb ? 'address' THEN n.address ELSE c.address "
    "END, "
    "segment = CASE WHEN $3::jsonb ? 'segment' THEN n.segment ELSE c.segment "
    "END, "
    "abc = CASE WHEN $3::jsonb ? 'abc' THEN n.abc ELSE c.abc END, "
    "status = CASE WHEN $3::jsonb ? 'status' THEN n.status ELSE c.status END, "
    "manager_id = CASE WHEN $3::jsonb ? 'manager_id' THEN n.manager_id ELSE "
    "c.manager_id END, "
    "phones = CASE WHEN $3::jsonb ? 'phones' THEN n.phones ELSE c.phones END, "
    "emails = CASE WHEN $3::jsonb ? 'emails' THEN n.emails ELSE c.emails END, "
    "site = CASE WHEN $3::jsonb ? 'site' THEN n.site ELSE c.site END, "
    "tags = CASE WHEN $3::jsonb ? 'tags' THEN n.tags ELSE c.tags END, "
    "ext = CASE WHEN $3::jsonb ? 'ext' THEN n.ext ELSE c.ext END, "
    "attrs = CASE WHEN $3::jsonb ? 'attrs' THEN jsonb_strip_nulls(c.attrs || "
    "n.attrs) ELSE c.attrs END, "
    "version = c.version + 1, updated_at = now() "
    "FROM jsonb_populate_record(NULL::clients.counterparty, $3::jsonb) n "
    "WHERE c.id = $1 AND c.version = $2::int RETURNING " CP_JSON("c") "::text";

/* PATCH /counterparties/:id {version, ...} -- members left out keep
 * their value; null clears an optional one; lists are replaced. */
int
clients_cp_update(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    json_t *version = json_object_get(kedr_body(r), "version");
    json_t *old, *n;
    const char *row;
    int rc;

    if ((old = kedr_db_lock(r, cp_lock_sql, id, version, "counterparty",
                            &rc)) == NULL)
        return rc;
    if (!json_is_null(json_object_get(old, "merged_into")))
        return kedr_fail(r, KEDR_ECONFLICT, NULL,
                         "the counterparty was merged into another one");
    if ((n = cp_normalize(r, kedr_body(r), true, &rc)) == NULL)
        return rc;
    if ((rc = cp_check(r, n, old, id, true)) != 0)
        return rc > 0 ? 0 : rc;
    rc = kedr_db_json(
        r, cp_update_sql,
        KEDR_PARAMS(id, kedr_json_text(r, version), kedr_json_text(r, n)),
        &row);
    if (rc != 0)
        return cp_db_fail(r, rc);
    if (row == NULL)
        return kedr_fail(r, KEDR_ECONFLICT, "version",
                         "the counterparty was changed by someone else: "
                         "reload it");
    if ((rc = clients_record(r, "counterparty", "updated", old,
                             kedr_json_parse(r, row), NULL)) != 0)
        return rc;
    return clients_reply_text(r, 200, row);
}

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
    json_t *version = clients_query_version(r, &bad), *old;
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
    return clients_reply_text(r, 200, row);
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

static const struct kedr_column cp_export_cols[] = {
    CLIENTS_EXPORT_COL("id", "Номер", "ID", KEDR_T_INT, 0),
    CP_IO_COLS(CLIENTS_EXPORT_COL),
    CLIENTS_EXPORT_COL("parent_name", "Холдинг", "Parent", KEDR_T_STRING, 0),
    CLIENTS_EXPORT_COL("manager", "Менеджер", "Manager", KEDR_T_STRING, 0),
    CLIENTS_EXPORT_COL("created_at", "Создан", "Created", KEDR_T_DATE, 0),
    {0},
};

static const char cp_export_select[] =
    "c.id, c.kind, c.name, c.legal_name, c.inn, c.kpp, c.ogrn, c.parent_id, "
    "(SELECT pp.name FROM clients.counterparty pp WHERE pp.id = c.parent_id) "
    "AS parent_name, c.region, c.address, c.segment, c.abc, c.status, "
    "c.manager_id, (SELECT u.full_name FROM core.\"user\" u WHERE u.id = "
    "c.manager_id) AS manager, array_to_string(c.phones, ', ') AS phones, "
    "array_to_string(c.emails, ', ') AS emails, c.site, "
    "array_to_string(c.tags, ', ') AS tags, c.created_at::date AS created_at";

/* GET /counterparties/export?_format=csv|xlsx&<the list's filters and
 * sort> -- the rows the list selects, in its order, all of them. */
int
clients_cp_export(kedr_req_t *r)
{
    struct clients_query q = {0};

    cp_filter(r, &q);
    return clients_export(
        r, "clients.counterparty", "c", "counterparties", cp_export_cols,
        cp_export_select,
        q.p[0] != NULL && cp_box_digits(q.p[0], q.p[10])
            ? "clients.counterparty c WHERE " CP_FILTERS_DIGITS
            : "clients.counterparty c WHERE " CP_FILTERS,
        &q);
}

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
    int rc = clients_cp_insert(r, in, false, &row);

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
