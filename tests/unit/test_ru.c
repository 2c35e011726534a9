/*
 * test_ru.c -- lib/ru.c: INN, KPP, OGRN/OGRNIP check digits, phones to
 * E.164, e-mail addresses (the rules the clients module and the data
 * migration share).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core.h"

static void
test_inn(void **state)
{
    (void)state;
    assert_null(kedr_ru_inn_problem("7707083893"));   /* Sberbank */
    assert_null(kedr_ru_inn_problem("500100732259")); /* a person */
    assert_string_equal(kedr_ru_inn_problem("7707083894"),
                        "checksum mismatch: not a valid INN");
    assert_string_equal(kedr_ru_inn_problem("500100732258"),
                        "checksum mismatch: not a valid INN");
    assert_string_equal(
        kedr_ru_inn_problem("77070838"),
        "must be 10 digits (organisation) or 12 digits (person)");
    assert_non_null(kedr_ru_inn_problem("770708389a"));
    assert_non_null(kedr_ru_inn_problem(""));
}

static void
test_kpp_ogrn(void **state)
{
    (void)state;
    assert_null(kedr_ru_kpp_problem("773601001"));
    assert_null(kedr_ru_kpp_problem("7736AB001"));
    assert_non_null(kedr_ru_kpp_problem("7736ab001"));
    assert_non_null(kedr_ru_kpp_problem("77360100"));
    assert_non_null(kedr_ru_kpp_problem("77360100X"));
    assert_null(kedr_ru_ogrn_problem("1027700132195"));
    assert_string_equal(kedr_ru_ogrn_problem("1027700132194"),
                        "checksum mismatch: not a valid OGRN");
    assert_null(kedr_ru_ogrn_problem("304500116000157"));
    assert_string_equal(kedr_ru_ogrn_problem("304500116000158"),
                        "checksum mismatch: not a valid OGRNIP");
    assert_non_null(kedr_ru_ogrn_problem("12345"));
}

static void
test_phone(void **state)
{
    char out[17];

    (void)state;
    assert_true(kedr_ru_phone_e164("8 (495) 123-45-67", out, sizeof(out)));
    assert_string_equal(out, "+74951234567");
    assert_true(kedr_ru_phone_e164("+7 495 1234567", out, sizeof(out)));
    assert_string_equal(out, "+74951234567");
    assert_true(kedr_ru_phone_e164("495 123 45 67", out, sizeof(out)));
    assert_string_equal(out, "+74951234567");
    assert_true(kedr_ru_phone_e164("+49 30 1234567", out, sizeof(out)));
    assert_string_equal(out, "+49301234567");
    assert_false(kedr_ru_phone_e164("+7 495 123", out, sizeof(out)));
    assert_false(kedr_ru_phone_e164("call me", out, sizeof(out)));
    assert_false(kedr_ru_phone_e164("123", out, sizeof(out)));
    assert_false(kedr_ru_phone_e164("8 495 123-45-67", out, 10));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inn),
        cmocka_unit_test(test_kpp_ogrn),
        cmocka_unit_test(test_phone),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
