/*
 * test_hello.c -- the hello module's logic against the fake kedr_api
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

#include "../hello.c"

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

/* The list, get, create, update and delete of greetings are the core's
 * (the resource kit); hello's own logic is its validate hook: a language
 * is two small Latin letters, named as the field when it is not, with no
 * query run. */
static void
test_validate_lang(void **state)
{
    kedr_req_t *r = *state;
    json_t *good = json_pack("{s:s, s:s}", "lang", "ru", "text", "Привет");
    json_t *upper = json_pack("{s:s}", "lang", "RU");
    json_t *digit = json_pack("{s:s}", "lang", "r1");
    json_t *none = json_pack("{s:s}", "text", "only the text changes");

    assert_int_equal(hello_validate(r, good, NULL), 0);
    assert_int_equal(hello_validate(r, none, good), 0);
    assert_int_equal(hello_validate(r, upper, NULL), KEDR_EINVAL);
    assert_non_null(json_object_get(r->fields, "lang"));
    assert_int_equal(hello_validate(r, digit, good), KEDR_EINVAL);
    assert_int_equal(r->nstmts, 0);
    json_decref(good);
    json_decref(upper);
    json_decref(digit);
    json_decref(none);
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
        cmocka_unit_test_setup_teardown(test_validate_lang, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
