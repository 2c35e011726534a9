/*
 * test_kit.c -- core/kit_list.c: the list protocol's parameters parsed
 * against a declaration (filters and their operators, q, sort with the id
 * appended, limit, total, the cursor's round trip, every refusal named),
 * and the check of a declaration at load.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static const struct kedr_entity_col cols[] = {
    {.name = "name",
     .type = KEDR_T_STRING,
     .label_ru = "Имя",
     .flags = KEDR_COL_FILTER | KEDR_COL_SORT | KEDR_COL_SEARCH},
    {.name = "qty",
     .type = KEDR_T_INT,
     .label_ru = "Кол-во",
     .flags = KEDR_COL_FILTER | KEDR_COL_SORT},
    {.name = "price",
     .type = KEDR_T_MONEY,
     .label_ru = "Цена",
     .flags = KEDR_COL_FILTER},
    {.name = "due", .type = KEDR_T_DATE, .label_ru = "Срок"},
    {0},
};

static const struct kedr_entity_filter filters[] = {
    {.name = "in_group",
     .type = KEDR_T_INT,
     .label_ru = "В группе",
     .sql = "t.group_id IN (SELECT m.subtree($1::bigint))"},
    {0},
};

static const struct kedr_entity ent = {.filters = filters,
                                       .name = "thing",
                                       .path = "/things",
                                       .table = "m.thing",
                                       .label_ru = "Вещи",
                                       .cols = cols,
                                       .perm_read = "m.read",
                                       .perm_write = "m.write"};

struct fixture {
    struct kedr_arena arena;
    struct kedr_kit_list l;
    json_t *fields;
};

static int
fx_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));

    if (fx == NULL)
        return -1;
    kedr_arena_init(&fx->arena);
    *state = fx;
    return 0;
}

static int
fx_teardown(void **state)
{
    struct fixture *fx = *state;

    json_decref(fx->fields);
    kedr_arena_release(&fx->arena);
    free(fx);
    return 0;
}

/* Parse query string `qs`; the number of problems. */
static int
parse(struct fixture *fx, const char *qs)
{
    struct kedr_kvlist q;

    json_decref(fx->fields);
    fx->fields = json_object();
    assert_int_equal(kedr_query_parse(&fx->arena, qs, strlen(qs), &q), 0);
    return kedr_kit_list_parse(&fx->arena, &ent, &q, &fx->l, fx->fields);
}

/* The problem recorded for parameter `key`, or NULL. */
static const char *
problem(struct fixture *fx, const char *key)
{
    return json_string_value(json_object_get(fx->fields, key));
}

static void
test_defaults(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(parse(fx, ""), 0);
    assert_int_equal(fx->l.nconds, 0);
    assert_int_equal(fx->l.limit, KEDR_KIT_LIMIT_DEF);
    assert_false(fx->l.exact);
    assert_null(fx->l.after);
    assert_int_equal(fx->l.nsort, 1);
    assert_int_equal(fx->l.sort[0].col, -1);
    assert_string_equal(fx->l.sort_text, "id");
}

static void
test_filters(void **state)
{
    struct fixture *fx = *state;
    const struct kedr_kit_cond *c = fx->l.conds;

    assert_int_equal(parse(fx, "name=A%20B&qty.gte=2&qty.lte=-5&price.in=1.50,"
                               "2&name.null=true&_format=xlsx&attr.x=1"),
                     0);
    assert_int_equal(fx->l.nconds, 5);
    assert_int_equal(c[0].col, 0);
    assert_int_equal(c[0].op, KEDR_KIT_EQ);
    assert_string_equal(c[0].vals[0], "A B");
    assert_int_equal(c[1].op, KEDR_KIT_GTE);
    assert_int_equal(c[2].op, KEDR_KIT_LTE);
    assert_string_equal(c[2].vals[0], "-5");
    assert_int_equal(c[3].op, KEDR_KIT_IN);
    assert_int_equal(c[3].nvals, 2);
    assert_string_equal(c[3].vals[1], "2");
    assert_int_equal(c[4].op, KEDR_KIT_NULL);
    assert_string_equal(c[4].vals[0], "true");
}

/* A filter of the module's own: its value checked by its type. */
static void
test_own_filter(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(parse(fx, "in_group=7&qty=1"), 0);
    assert_int_equal(fx->l.nconds, 2);
    assert_int_equal(fx->l.conds[0].filter, 0);
    assert_int_equal(fx->l.conds[0].col, -1);
    assert_string_equal(fx->l.conds[0].vals[0], "7");
    assert_int_equal(fx->l.conds[1].filter, -1);
    assert_int_equal(parse(fx, "in_group=x&in_group.gte=1"), 2);
    assert_string_equal(problem(fx, "in_group"), "must be a whole number");
    assert_string_equal(problem(fx, "in_group.gte"),
                        "is not a filter of this list");
}

static void
test_filter_refusals(void **state)
{
    struct fixture *fx = *state;

    /* not filterable, unknown, bad operator, bad values of each type */
    assert_int_equal(parse(fx, "due=2026-01-01&nosuch=1&qty.like=1&qty=1x&"
                               "price=1.234&name.null=maybe&price.in=,"),
                     7);
    assert_string_equal(problem(fx, "due"), "is not a filter of this list");
    assert_string_equal(problem(fx, "nosuch"), "is not a filter of this list");
    assert_string_equal(problem(fx, "qty.like"),
                        "is not a filter of this list");
    assert_string_equal(problem(fx, "qty"), "must be a whole number");
    assert_non_null(problem(fx, "price"));
    assert_string_equal(problem(fx, "name.null"), "must be true or false");
    assert_string_equal(problem(fx, "price.in"), "needs at least one value");
    assert_int_equal(parse(fx, "qty=-"), 1);
}

static void
test_sort(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(parse(fx, "sort=-qty,name"), 0);
    assert_int_equal(fx->l.nsort, 3);
    assert_int_equal(fx->l.sort[0].col, 1);
    assert_true(fx->l.sort[0].desc);
    assert_int_equal(fx->l.sort[1].col, 0);
    assert_false(fx->l.sort[1].desc);
    assert_int_equal(fx->l.sort[2].col, -1);
    assert_string_equal(fx->l.sort_text, "-qty,name");
    /* the id ends the keys: nothing after it is read */
    assert_int_equal(parse(fx, "sort=-id,qty"), 0);
    assert_int_equal(fx->l.nsort, 1);
    assert_true(fx->l.sort[0].desc);
    assert_string_equal(fx->l.sort_text, "-id");
    assert_int_equal(parse(fx, "sort=price"), 1);
    assert_non_null(problem(fx, "sort"));
    assert_int_equal(parse(fx, "sort=name,,qty"), 1);
}

/* The entity's own order when the request asks none. */
static void
test_default_sort(void **state)
{
    struct fixture *fx = *state;
    struct kedr_entity e = ent;
    struct kedr_kvlist q;

    e.sort = "-qty";
    json_decref(fx->fields);
    fx->fields = json_object();
    assert_int_equal(kedr_query_parse(&fx->arena, "sort=", 5, &q), 0);
    assert_int_equal(
        kedr_kit_list_parse(&fx->arena, &e, &q, &fx->l, fx->fields), 0);
    assert_string_equal(fx->l.sort_text, "-qty");
    assert_int_equal(fx->l.nsort, 2);
    assert_true(fx->l.sort[0].desc);
}

static void
test_limit_total_q(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(parse(fx, "limit=500&total=exact&q=%20ab%20%20cd%20"), 0);
    assert_int_equal(fx->l.limit, 500);
    assert_true(fx->l.exact);
    assert_int_equal(fx->l.nwords, 2);
    assert_string_equal(fx->l.words[0], "ab");
    assert_string_equal(fx->l.words[1], "cd");
    assert_int_equal(parse(fx, "limit=0&total=all"), 2);
    assert_non_null(problem(fx, "limit"));
    assert_non_null(problem(fx, "total"));
    assert_int_equal(parse(fx, "limit=501"), 1);
    assert_int_equal(parse(fx, "limit=1e2"), 1);
}

/* mine=true: only on an entity with an owner predicate */
static void
test_mine(void **state)
{
    struct fixture *fx = *state;
    struct kedr_entity e = ent;
    struct kedr_kvlist q;

    assert_int_equal(parse(fx, "mine=true"), 1);
    assert_string_equal(problem(fx, "mine"), "this list has no owner");
    e.own = "t.owner_id = core.current_user_id()";
    json_decref(fx->fields);
    fx->fields = json_object();
    assert_int_equal(kedr_query_parse(&fx->arena, "mine=true", 9, &q), 0);
    assert_int_equal(
        kedr_kit_list_parse(&fx->arena, &e, &q, &fx->l, fx->fields), 0);
    assert_true(fx->l.mine);
    assert_int_equal(kedr_query_parse(&fx->arena, "mine=false", 10, &q), 0);
    assert_int_equal(
        kedr_kit_list_parse(&fx->arena, &e, &q, &fx->l, fx->fields), 0);
    assert_false(fx->l.mine);
    assert_int_equal(kedr_query_parse(&fx->arena, "mine=1", 6, &q), 0);
    assert_int_equal(
        kedr_kit_list_parse(&fx->arena, &e, &q, &fx->l, fx->fields), 1);
    assert_string_equal(problem(fx, "mine"), "must be true or false");
}

static void
test_cursor(void **state)
{
    struct fixture *fx = *state;
    const char *cur;
    char *qs;

    cur = kedr_kit_cursor(&fx->arena, "-qty,name", "[\"7\", null, \"42\"]");
    qs = kedr_arena_sprintf(&fx->arena, "sort=-qty,name&after=%s", cur);
    assert_int_equal(parse(fx, qs), 0);
    assert_non_null(fx->l.after);
    assert_string_equal(fx->l.after[0], "7");
    assert_null(fx->l.after[1]);
    assert_string_equal(fx->l.after[2], "42");
    /* the same cursor under another order is refused, not misread */
    qs = kedr_arena_sprintf(&fx->arena, "sort=qty&after=%s", cur);
    assert_int_equal(parse(fx, qs), 1);
    assert_non_null(problem(fx, "after"));
    /* the id (last) may not be null; garbage is no cursor */
    cur = kedr_kit_cursor(&fx->arena, "id", "[null]");
    assert_int_equal(parse(fx, kedr_arena_sprintf(&fx->arena, "after=%s", cur)),
                     1);
    assert_int_equal(parse(fx, "after=%21%21"), 1);
    assert_int_equal(parse(fx, "after=e30"), 1); /* "{}" */
}

/* An entity's own search with a rank (ABI 1.4): without sort the list is
 * ordered by the rank, then the id, and its cursor is its own; a sort
 * asked for wins.  Its q needs no searchable column. */
static int
t_search(kedr_req_t *r, const char *q, struct kedr_kit_search *s)
{
    (void)r;
    (void)q;
    (void)s;
    return 0;
}

static void
test_rank(void **state)
{
    static const struct kedr_entity_hooks hooks = {.search = t_search};
    static const struct kedr_entity_col plain[] = {
        {.name = "qty", .type = KEDR_T_INT, .label_ru = "К", .flags = 0x30u},
        {0}};
    struct fixture *fx = *state;
    struct kedr_entity e = ent;
    struct kedr_kvlist q;
    const char *cur;
    char *qs;

    e.hooks = &hooks;
    e.cols = plain;
    fx->fields = json_object();
    assert_int_equal(kedr_query_parse(&fx->arena, "q=box", 5, &q), 0);
    assert_int_equal(
        kedr_kit_list_parse_rank(&fx->arena, &e, &q, "t.r", &fx->l, fx->fields),
        0);
    assert_string_equal(fx->l.rank, "t.r");
    assert_string_equal(fx->l.sort_text, "_rank");
    assert_int_equal(fx->l.nsort, 2);
    assert_int_equal(fx->l.sort[0].col, -2);
    assert_int_equal(fx->l.sort[1].col, -1);
    /* its cursor pages it, and no other order */
    cur = kedr_kit_cursor(&fx->arena, "_rank", "[\"b\", \"42\"]");
    qs = kedr_arena_sprintf(&fx->arena, "q=box&after=%s", cur);
    assert_int_equal(kedr_query_parse(&fx->arena, qs, strlen(qs), &q), 0);
    assert_int_equal(
        kedr_kit_list_parse_rank(&fx->arena, &e, &q, "t.r", &fx->l, fx->fields),
        0);
    assert_string_equal(fx->l.after[0], "b");
    assert_string_equal(fx->l.after[1], "42");
    qs = kedr_arena_sprintf(&fx->arena, "q=box&sort=qty&after=%s", cur);
    assert_int_equal(kedr_query_parse(&fx->arena, qs, strlen(qs), &q), 0);
    assert_int_equal(
        kedr_kit_list_parse_rank(&fx->arena, &e, &q, "t.r", &fx->l, fx->fields),
        1);
    assert_non_null(problem(fx, "after"));
    /* sort asked for: the rank only narrows */
    assert_int_equal(kedr_query_parse(&fx->arena, "q=box&sort=-qty", 15, &q),
                     0);
    json_object_clear(fx->fields);
    assert_int_equal(
        kedr_kit_list_parse_rank(&fx->arena, &e, &q, "t.r", &fx->l, fx->fields),
        0);
    assert_null(fx->l.rank);
    assert_string_equal(fx->l.sort_text, "-qty");
    /* ABI 1.5: the kit's own updated_at sorts every list */
    assert_int_equal(kedr_query_parse(&fx->arena, "sort=-updated_at", 16, &q),
                     0);
    assert_int_equal(
        kedr_kit_list_parse_rank(&fx->arena, &e, &q, NULL, &fx->l, fx->fields),
        0);
    assert_int_equal(fx->l.sort[0].col, KEDR_KIT_KEY_UPDATED);
    assert_true(fx->l.sort[0].desc);
    assert_int_equal(fx->l.sort[1].col, -1);
}

/* The loader's message for `e`, or NULL. */
static const char *
check(const struct kedr_entity *e)
{
    static char buf[256];

    return kedr_kit_check("m", e, buf, sizeof(buf));
}

/* The loader's message for an entity like `ent` whose second column is
 * `col`, with entity flags `flags` and default order `sort`. */
static const char *
check_col(struct kedr_entity_col col, unsigned flags, const char *sort)
{
    struct kedr_entity_col two[] = {cols[0], col, {0}};
    struct kedr_entity e = ent;

    e.cols = two;
    e.flags = flags;
    e.sort = sort;
    return check(&e);
}

/* The loader's message for `ent` with one filter `name` of `sql`. */
static const char *
check_filter(const char *name, const char *sql)
{
    struct kedr_entity_filter f[] = {filters[0], {0}};
    struct kedr_entity e = ent;

    f[0].name = name;
    f[0].sql = sql;
    e.filters = f;
    return check(&e);
}

static void
test_check(void **state)
{
    struct kedr_entity e = ent;
    struct kedr_entity_col c = {
        .name = "ok", .type = KEDR_T_STRING, .label_ru = "x"};

    (void)state;
    assert_null(check(&e));
    e.table = "m.thing; DROP TABLE x";
    assert_non_null(strstr(check(&e), "table"));
    e = ent;
    e.name = "Thing";
    assert_string_equal(check(&e),
                        "entity \"Thing\": name must match [a-z_][a-z0-9_]*");
    e = ent;
    e.path = "/things/:id";
    assert_non_null(check(&e));
    e = ent;
    e.perm_read = NULL;
    assert_non_null(check(&e));
    e = ent;
    e.audit = "other.thing";
    assert_non_null(strstr(check(&e), "module's name"));

    assert_null(check_col(c, 0, NULL));
    assert_string_equal(check_col(cols[0], 0, NULL),
                        "entity \"thing\" column \"name\": is declared twice");
    c.name = "version";
    assert_string_equal(
        check_col(c, 0, NULL),
        "entity \"thing\" column \"version\": name is reserved by the kit");
    c.name = "x y";
    assert_non_null(strstr(check_col(c, 0, NULL), "must match"));
    c.name = "ok";
    /* ABI 1.4: a stored OBJECT column is written whole, never listed by;
     * an ARRAY only computed */
    c.type = KEDR_T_OBJECT;
    assert_null(check_col(c, 0, NULL));
    c.flags = KEDR_COL_FILTER;
    assert_non_null(strstr(check_col(c, 0, NULL), "never filtered"));
    c.flags = 0;
    /* ABI 1.5: a stored ARRAY is a list of strings: filtered, searched,
     * exported, never sorted, unique, a reference or an option */
    c.type = KEDR_T_ARRAY;
    assert_null(check_col(c, 0, NULL));
    c.flags = KEDR_COL_FILTER | KEDR_COL_SEARCH | KEDR_COL_EXPORT;
    c.rule = KEDR_RULE_PHONE;
    c.item_max = 30;
    assert_null(check_col(c, 0, NULL));
    c.flags = KEDR_COL_SORT;
    assert_non_null(strstr(check_col(c, 0, NULL), "never sorted"));
    c.flags = 0;
    c.rule = 7;
    assert_non_null(strstr(check_col(c, 0, NULL), "a rule is"));
    c.rule = 0;
    c.type = KEDR_T_INT;
    c.rule = KEDR_RULE_EMAIL;
    assert_non_null(strstr(check_col(c, 0, NULL), "a rule is"));
    c.rule = 0;
    assert_non_null(strstr(check_col(c, 0, NULL), "item_max"));
    c.item_max = 0;
    /* a collation: a sorted STRING's, a name put in quotes as is */
    c.type = KEDR_T_STRING;
    c.collate = "ru-RU-x-icu";
    assert_non_null(strstr(check_col(c, 0, NULL), "collation"));
    c.flags = KEDR_COL_SORT;
    assert_null(check_col(c, 0, NULL));
    c.collate = "ru\" x";
    assert_non_null(strstr(check_col(c, 0, NULL), "collation"));
    c.collate = NULL;
    c.flags = 0;
    /* the entity's 1.5 members */
    e = ent;
    e.where = "";
    assert_non_null(strstr(check(&e), "where"));
    e = ent;
    e.title = "nope";
    assert_non_null(strstr(check(&e), "title"));
    e.title = "name";
    assert_null(check(&e));
    e.flags = KEDR_ENTITY_DELETE_ARCHIVES;
    assert_non_null(strstr(check(&e), "DELETE_ARCHIVES"));
    e.flags |= KEDR_ENTITY_ARCHIVE;
    assert_null(check(&e));
    c.type = KEDR_T_ARRAY;
    /* a computed member: any type, shown only; it may be updated_at */
    c.sql = "SELECT 1";
    assert_null(check_col(c, 0, NULL));
    c.flags = KEDR_COL_DETAIL;
    c.name = "updated_at";
    assert_null(check_col(c, 0, NULL));
    c.name = "version";
    assert_non_null(strstr(check_col(c, 0, NULL), "reserved"));
    c.name = "ok";
    c.flags = KEDR_COL_SORT;
    assert_non_null(strstr(check_col(c, 0, NULL), "never filtered"));
    c.flags = KEDR_REQUIRED;
    assert_non_null(strstr(check_col(c, 0, NULL), "never required"));
    c.flags = 0;
    c.def = "1";
    assert_non_null(strstr(check_col(c, 0, NULL), "never required"));
    c.def = NULL;
    c.sql = NULL;
    c.type = KEDR_T_STRING;
    c.ref = "m.other";
    assert_string_equal(
        check_col(c, 0, NULL),
        "entity \"thing\" column \"ok\": a reference must be of type INT");
    c.ref = NULL;
    /* a protocol name only for a column that is no filter; active only
     * without the kit's archive */
    c.name = "sort";
    c.flags = KEDR_COL_SORT;
    assert_null(check_col(c, 0, NULL));
    c.flags = KEDR_COL_FILTER;
    assert_non_null(strstr(check_col(c, 0, NULL), "reserved"));
    c.name = "mine";
    assert_non_null(strstr(check_col(c, 0, NULL), "reserved"));
    c.flags = 0;
    c.name = "active";
    assert_null(check_col(c, 0, NULL));
    assert_non_null(
        strstr(check_col(c, KEDR_ENTITY_ARCHIVE, NULL), "reserved"));
    /* the module's filters: not a column's name nor the protocol's, with
     * its value as $1 */
    assert_null(check_filter("in_group", filters[0].sql));
    assert_string_equal(
        check_filter("qty", filters[0].sql),
        "entity \"thing\" filter \"qty\": is a filter column's name");
    /* ABI 1.4: it may stand for the filter of a column that has none */
    assert_null(check_filter("due", filters[0].sql));
    assert_non_null(
        strstr(check_filter("limit", filters[0].sql), "protocol's"));
    assert_non_null(strstr(check_filter("in_group", "t.group_id = 1"), "$1"));
    /* a default order of sortable columns */
    assert_null(check_col(c, 0, "-name,id"));
    assert_string_equal(check_col(c, 0, "price"),
                        "entity \"thing\": sort \"price\" is not a list of "
                        "sortable columns");
}

#define FX_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_defaults),
        FX_TEST(test_filters),
        FX_TEST(test_filter_refusals),
        FX_TEST(test_sort),
        FX_TEST(test_limit_total_q),
        FX_TEST(test_cursor),
        FX_TEST(test_default_sort),
        FX_TEST(test_own_filter),
        FX_TEST(test_rank),
        FX_TEST(test_mine),
        cmocka_unit_test(test_check),
    };

    kedr_log_level = -1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
