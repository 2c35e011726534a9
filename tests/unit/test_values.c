/*
 * test_values.c -- lib/values.c: the one e-mail rule and the one date
 * rule, data-driven (tests/data/email and tests/data/date, see
 * tests/data/README.md).
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
#include "testdata.h"

static char *
run_email(const char *input, size_t len)
{
    char *text = strndup(input, len);
    char *out;

    if (text == NULL)
        abort();
    out = strdup(kedr_value_email_valid(text) ? "valid" : "invalid");
    free(text);
    return out;
}

static char *
run_date(const char *input, size_t len)
{
    char *text = strndup(input, len);
    char out[64];

    if (text == NULL)
        abort();
    snprintf(out, sizeof(out), "date %s\ndatetime %s",
             kedr_value_date_valid(text) ? "valid" : "invalid",
             kedr_value_datetime_valid(text) ? "valid" : "invalid");
    free(text);
    return strdup(out);
}

static void
test_data_email(void **state)
{
    (void)state;
    testdata_run("email", run_email);
}

static void
test_data_date(void **state)
{
    (void)state;
    testdata_run("date", run_date);
}

/* The same rule reaches a module through kedr.h. */
static void
test_through_api(void **state)
{
    (void)state;
    kedr_api = &kedr_core_api;
    assert_true(kedr_email_valid("ivan@example.ru"));
    assert_false(kedr_email_valid("ivan@.example.ru"));
    assert_true(kedr_value_valid(KEDR_T_DATE, "2024-02-29"));
    assert_false(kedr_value_valid(KEDR_T_DATE, "2023-02-29"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_email),
        cmocka_unit_test(test_data_date),
        cmocka_unit_test(test_through_api),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
