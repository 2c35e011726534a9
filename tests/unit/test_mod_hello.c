/*
 * test_mod_hello.c -- the hello module's logic against the fake kedr_api
 * (fake_api.h): its handlers, hook and init run with no server and no
 * database; what they ask of the core is checked.  The module's source is
 * included so its static handlers can be called.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_api.h"

#include "../../modules/hello/hello.c"

static int
setup(void **state)
{
    struct kedr_req *r = calloc(1, sizeof(*r));

    if (r == NULL)
        return -1;
    fake_api_install();
    fake_req_init(r);
    *state = r;
    return 0;
}

static int
teardown(void **state)
{
    fake_req_release(*state);
    free(*state);
    return 0;
}

/* init takes the greeting from the module's group. */
static void
test_init_greeting(void **state)
{
    struct kedr_env env = {.settings = {{"greeting", "Здравствуй"}}};
    kedr_req_t *r = *state;

    assert_int_equal(hello_init(&env), 0);
    assert_int_equal(hello_get_greeting(r), 0);
    assert_int_equal(r->status, 200);
    assert_string_equal(r->reply, "{\"greeting\":\"Здравствуй\"}");
}

/* An id that is not a number is a 404 named after the greeting, with no
 * query run. */
static void
test_get_bad_id(void **state)
{
    kedr_req_t *r = *state;

    r->param[0][0] = "id";
    r->param[0][1] = "7x";
    assert_int_equal(hello_get(r), KEDR_ENOTFOUND);
    assert_string_equal(r->error, "no such greeting");
    assert_int_equal(r->nstmts, 0);
}

/* A numeric id is passed to the query as a parameter, never formatted. */
static void
test_get_by_id(void **state)
{
    kedr_req_t *r = *state;

    r->param[0][0] = "id";
    r->param[0][1] = "42";
    r->db_json = "{\"id\":42}";
    assert_int_equal(hello_get(r), 0);
    assert_int_equal(r->nstmts, 1);
    assert_ptr_equal(strstr(r->stmts[0].sql, "42"), NULL);
    assert_int_equal(r->stmts[0].nparams, 1);
    assert_string_equal(r->stmts[0].params[0], "42");
    assert_string_equal(r->reply, "{\"id\":42}");
}

/* create: the insert, then the audit row and the event with the stored
 * row, then 201 with it. */
static void
test_create(void **state)
{
    kedr_req_t *r = *state;
    json_t *body = json_pack("{s:s, s:s}", "lang", "ru", "text", "Привет");

    r->body = body;
    r->db_json = "{\"id\":5,\"lang\":\"ru\",\"text\":\"Привет\",\"version\":1}";
    assert_int_equal(hello_create(r), 0);
    assert_int_equal(r->status, 201);
    assert_string_equal(r->reply, r->db_json);
    assert_int_equal(r->nstmts, 1);
    assert_string_equal(r->stmts[0].params[0], "ru");
    assert_string_equal(r->stmts[0].params[1], "Привет");
    assert_int_equal(json_array_size(r->audit), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(r->audit, 0), "id")),
        "5");
    assert_int_equal(json_array_size(r->events), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(r->events, 0), "event")),
                        "hello.greeting.created");
    json_decref(body);
}

/* A failed insert stops create: no audit row, no event, no reply. */
static void
test_create_db_fails(void **state)
{
    kedr_req_t *r = *state;
    json_t *body = json_pack("{s:s, s:s}", "lang", "ru", "text", "x");

    r->body = body;
    r->db_rc = KEDR_EDB;
    assert_int_equal(hello_create(r), KEDR_EDB);
    assert_int_equal(r->status, 0);
    assert_int_equal(json_array_size(r->audit), 0);
    assert_int_equal(json_array_size(r->events), 0);
    json_decref(body);
}

/* The hook counts by language; an event without one fails the request. */
static void
test_hook(void **state)
{
    kedr_req_t *r = *state;
    json_t *good = json_pack("{s:s}", "lang", "en");
    json_t *bad = json_object();

    assert_int_equal(hello_on_created(r, "hello.greeting.created", good), 0);
    assert_int_equal(r->nstmts, 1);
    assert_string_equal(r->stmts[0].params[0], "en");
    assert_int_equal(hello_on_created(r, "hello.greeting.created", bad),
                     KEDR_EINTERNAL);
    assert_string_equal(r->error, "event without a lang");
    assert_int_equal(r->nstmts, 1);
    json_decref(good);
    json_decref(bad);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_greeting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_bad_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_by_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_db_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
