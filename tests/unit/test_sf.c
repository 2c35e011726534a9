/*
 * test_sf.c -- migrate/salesforce/sf.c: Salesforce ids (15 to 18 characters,
 * the case suffix), lookups, booleans, datetimes and dates, white space,
 * encodings, and double-encoded UTF-8 found and repaired.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

struct sf_state {
    struct kedr_arena arena;
    struct kedr_sf_conv cv;
};

static int
sf_setup(void **state)
{
    struct sf_state *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return -1;
    kedr_arena_init(&s->arena);
    if (kedr_sf_conv_init(&s->cv, "utf-8") != 0)
        return -1;
    *state = s;
    return 0;
}

static int
sf_teardown(void **state)
{
    struct sf_state *s = *state;

    kedr_sf_conv_release(&s->cv);
    kedr_arena_release(&s->arena);
    free(s);
    return 0;
}

static const char *
id18(const char *id)
{
    static char out[19];

    return kedr_sf_id18(id, out) ? out : "(invalid)";
}

static void
test_id18(void **state)
{
    (void)state;
    /* the documented vector */
    assert_string_equal(id18("001A0000006Vm9r"), "001A0000006Vm9rIAC");
    assert_string_equal(id18("001A0000006Vm9rIAC"), "001A0000006Vm9rIAC");
    /* each bit of a block: upper case at positions 0 and 4, all, none */
    assert_string_equal(id18("AbcdeabcdEABCDE"), "AbcdeabcdEABCDEBQ5");
    assert_string_equal(id18("aaaaaaaaaaaaaaa"), "aaaaaaaaaaaaaaaAAA");
    assert_string_equal(id18("AAAAAAAAAAAAAAA"), "AAAAAAAAAAAAAAA555");
    assert_string_equal(id18("000000000000000"), "000000000000000AAA");
    assert_string_equal(id18("0a1B2c3D4e5F6g7"), "0a1B2c3D4e5F6g7IEC");
    /* the suffix in lower case is the same suffix */
    assert_string_equal(id18("001A0000006Vm9riac"), "001A0000006Vm9rIAC");
    /* an id whose case was lost (a case-insensitive tool): back from the
     * suffix */
    assert_string_equal(id18("001A0000006VM9RIAC"), "001A0000006Vm9rIAC");
    assert_string_equal(id18("001a0000006vm9riac"), "001A0000006Vm9rIAC");
    /* a wrong suffix with mixed case: not an id */
    assert_string_equal(id18("001A0000006Vm9rIAB"), "(invalid)");
    /* the suffix asks for an upper-case digit */
    assert_string_equal(id18("0010000000000009B"), "(invalid)");
    assert_string_equal(id18("001000000000000BAA"), "(invalid)");
    assert_string_equal(id18("001A0000006Vm9"), "(invalid)");
    assert_string_equal(id18("001A0000006Vm9rI"), "(invalid)");
    assert_string_equal(id18("001A0000006Vm9-"), "(invalid)");
    assert_string_equal(id18(""), "(invalid)");
    assert_string_equal(id18("001A0000006Vm9rIA6"), "(invalid)");
    assert_true(kedr_sf_id_valid("001A0000006Vm9r"));
    assert_false(kedr_sf_id_valid("not an id at all"));
}

static void
test_ref(void **state)
{
    char out[19];

    (void)state;
    assert_int_equal(kedr_sf_ref("", out), 0);
    assert_string_equal(out, "");
    assert_int_equal(kedr_sf_ref("000000000000000AAA", out), 0);
    assert_int_equal(kedr_sf_ref("000000000000000", out), 0);
    assert_int_equal(kedr_sf_ref("001A0000006Vm9r", out), 1);
    assert_string_equal(out, "001A0000006Vm9rIAC");
    assert_int_equal(kedr_sf_ref("#N/A", out), -1);
}

static void
test_bool(void **state)
{
    (void)state;
    assert_int_equal(kedr_sf_bool("1"), 1);
    assert_int_equal(kedr_sf_bool("0"), 0);
    assert_int_equal(kedr_sf_bool("true"), 1);
    assert_int_equal(kedr_sf_bool("false"), 0);
    assert_int_equal(kedr_sf_bool("TRUE"), 1);
    assert_int_equal(kedr_sf_bool("FALSE"), 0);
    assert_int_equal(kedr_sf_bool("True"), 1);
    assert_int_equal(kedr_sf_bool(""), -1);
    assert_int_equal(kedr_sf_bool("yes"), -1);
    assert_int_equal(kedr_sf_bool("2"), -1);
    assert_int_equal(kedr_sf_bool(" 1"), -1);
}

static const char *
ts(const char *s)
{
    static char out[KEDR_SF_TS_SIZE];

    return kedr_sf_datetime(s, out) == 0 ? out : "(invalid)";
}

static void
test_datetime(void **state)
{
    (void)state;
    /* the data-export form: GMT */
    assert_string_equal(ts("2026-11-26 10:15:00"), "2026-11-26T10:15:00Z");
    /* the API form */
    assert_string_equal(ts("2026-11-26T10:15:00Z"), "2026-11-26T10:15:00Z");
    assert_string_equal(ts("2026-11-26T10:15:00.000Z"), "2026-11-26T10:15:00Z");
    assert_string_equal(ts("2026-11-26T10:15:00.250Z"),
                        "2026-11-26T10:15:00.25Z");
    assert_string_equal(ts("2026-11-26T10:15:00.000+0000"),
                        "2026-11-26T10:15:00Z");
    /* offsets, across a day, a month, a year and 29 February */
    assert_string_equal(ts("2026-11-26T01:00:00+03:00"),
                        "2026-11-25T22:00:00Z");
    assert_string_equal(ts("2026-12-31T22:30:00-02:00"),
                        "2027-01-01T00:30:00Z");
    assert_string_equal(ts("2024-03-01T02:00:00+0300"), "2024-02-29T23:00:00Z");
    assert_string_equal(ts("2026-01-01T05:00:00+05"), "2026-01-01T00:00:00Z");
    assert_string_equal(ts("2026-11-26 23:59:59"), "2026-11-26T23:59:59Z");
    /* not datetimes */
    assert_string_equal(ts("2026-11-26"), "(invalid)");
    assert_string_equal(ts("2026-02-30 10:00:00"), "(invalid)");
    assert_string_equal(ts("2025-02-29T10:00:00Z"), "(invalid)");
    assert_string_equal(ts("2026-11-26 24:00:00"), "(invalid)");
    assert_string_equal(ts("2026-11-26 10:60:00"), "(invalid)");
    assert_string_equal(ts("2026-11-26 10:15:00Z"), "(invalid)");
    assert_string_equal(ts("2026-11-26T10:15:00+15:00"), "(invalid)");
    assert_string_equal(ts("2026-11-26T10:15:00.Z"), "(invalid)");
    assert_string_equal(ts("2026-11-26T10:15:00 GMT"), "(invalid)");
    assert_string_equal(ts("26.11.2026 10:15:00"), "(invalid)");
    assert_string_equal(ts("2026-11-26T10:15"), "(invalid)");
    /* cut short where an offset or a time goes on (found by fuzz/sf) */
    assert_string_equal(ts("2026-11-26T10:15:00+"), "(invalid)");
    assert_string_equal(ts("2026-11-26T10:15:00+0"), "(invalid)");
    assert_string_equal(ts("2026-11-26T10:15:00+03:"), "(invalid)");
    assert_string_equal(ts("2026-11-26T10:15:00+03:0"), "(invalid)");
    assert_string_equal(ts("2026-11-26T10:15:0"), "(invalid)");
    assert_string_equal(ts(""), "(invalid)");
}

static const char *
date(const char *s)
{
    static char out[11];

    return kedr_sf_date(s, out) == 0 ? out : "(invalid)";
}

static void
test_date(void **state)
{
    (void)state;
    assert_string_equal(date("2026-11-26"), "2026-11-26");
    assert_string_equal(date("2026-11-26 00:00:00"), "2026-11-26");
    assert_string_equal(date("2026-11-26T00:00:00.000Z"), "2026-11-26");
    assert_string_equal(date("2024-02-29"), "2024-02-29");
    assert_string_equal(date("2026-11-26 10:00:00"), "(invalid)");
    assert_string_equal(date("2026-11-26T00:00:00+03:00"), "(invalid)");
    assert_string_equal(date("2026-13-01"), "(invalid)");
    assert_string_equal(date("2025-02-29"), "(invalid)");
    assert_string_equal(date("26.11.2026"), "(invalid)");
    assert_string_equal(date("2026-11-26x"), "(invalid)");
    assert_string_equal(date("2026-11-26 "), "(invalid)");
    assert_string_equal(date("2026-11-26 00:0"), "(invalid)");
    assert_string_equal(date("2026-11-26T00:00:00+"), "(invalid)");
    assert_string_equal(date(""), "(invalid)");
}

static void
test_space(void **state)
{
    struct sf_state *s = *state;
    struct kedr_arena *a = &s->arena;
    bool ch;

    assert_string_equal(kedr_sf_space(a, "  ООО  Ромашка \t", false, &ch),
                        "ООО  Ромашка");
    assert_true(ch);
    assert_string_equal(kedr_sf_space(a, "  ООО  Ромашка \t", true, &ch),
                        "ООО Ромашка");
    assert_string_equal(kedr_sf_space(a,
                                      "\xc2\xa0"
                                      "a\xc2\xa0\xc2\xa0 b\r\nc\xe2\x80\xaf",
                                      true, &ch),
                        "a b c");
    assert_string_equal(kedr_sf_space(a, "a\nb", false, &ch), "a\nb");
    assert_false(ch);
    assert_string_equal(kedr_sf_space(a, "clean", true, &ch), "clean");
    assert_false(ch);
    assert_string_equal(kedr_sf_space(a, " \t\xc2\xa0 ", true, &ch), "");
    assert_true(ch);
    assert_string_equal(kedr_sf_space(a, "", true, &ch), "");
    assert_false(ch);
}

static void
test_encodings(void **state)
{
    struct sf_state *s = *state;
    struct kedr_sf_conv cv;

    assert_int_equal(kedr_sf_encoding("UTF-8"), KEDR_ENC_UTF8);
    assert_int_equal(kedr_sf_encoding("windows-1251"), KEDR_ENC_CP1251);
    assert_int_equal(kedr_sf_encoding("CP1251"), KEDR_ENC_CP1251);
    assert_int_equal(kedr_sf_encoding("ISO-8859-1"), KEDR_ENC_LATIN1);
    assert_int_equal(kedr_sf_encoding("koi8-r"), -1);
    assert_int_equal(kedr_sf_conv_init(&cv, "koi8-r"), -1);
    kedr_sf_conv_release(&cv);

    /* UTF-8: as is, a BOM dropped, invalid bytes refused */
    assert_string_equal(kedr_sf_to_utf8(&s->cv, &s->arena, "Ромашка"),
                        "Ромашка");
    assert_string_equal(kedr_sf_to_utf8(&s->cv, &s->arena,
                                        "\xef\xbb\xbf"
                                        "Id"),
                        "Id");
    assert_null(kedr_sf_to_utf8(&s->cv, &s->arena, "\xd0\xee\xec"));

    assert_int_equal(kedr_sf_conv_init(&cv, "windows-1251"), 0);
    assert_string_equal(kedr_sf_to_utf8(&cv, &s->arena,
                                        "\xd0\xee\xec\xe0\xf8\xea\xe0 \xb9"
                                        "5 \xa8\xeb\xea\xe0"),
                        "Ромашка №5 Ёлка");
    assert_null(kedr_sf_to_utf8(&cv, &s->arena, "\x98"));
    kedr_sf_conv_release(&cv);

    assert_int_equal(kedr_sf_conv_init(&cv, "iso-8859-1"), 0);
    assert_string_equal(kedr_sf_to_utf8(&cv, &s->arena, "M\xfcller caf\xe9"),
                        "Müller café");
    kedr_sf_conv_release(&cv);
}

/* The verdict and text of kedr_sf_mojibake as "verdict: text". */
static const char *
moji(struct sf_state *s, const char *in)
{
    static const char *const names[] = {"clean", "repaired", "suspect"};
    const char *out;
    int v = kedr_sf_mojibake(&s->cv, &s->arena, in, &out);

    return kedr_arena_sprintf(&s->arena, "%s: %s", names[v], out);
}

static void
test_mojibake(void **state)
{
    struct sf_state *s = *state;

    /* UTF-8 read as Windows-1251 and saved again */
    assert_string_equal(moji(s, "РћРћРћ"), "repaired: ООО");
    assert_string_equal(moji(s, "РћРћРћ В«Р\xc2\xa0РѕРјР°С€РєР°В»"),
                        "repaired: ООО «Ромашка»");
    assert_string_equal(moji(s, "РџС‘С‚СЂ РЎРёРґРѕСЂРѕРІ"),
                        "repaired: Пётр Сидоров");
    assert_string_equal(moji(s, "СѓР». Р›РµРЅРёРЅР°, Рґ. 5"),
                        "repaired: ул. Ленина, д. 5");
    /* "И" is D0 98, and 0x98 is no Windows-1251 character: U+0098 */
    assert_string_equal(moji(s, "Р\xc2\x98РІР°РЅ"), "repaired: Иван");
    /* ... as Windows-1252 / ISO-8859-1 */
    assert_string_equal(moji(s, "MÃ¼ller cafÃ©"), "repaired: Müller café");
    /* twice */
    assert_string_equal(moji(s, "Р\xc2\xa0С›Р\xc2\xa0С›Р\xc2\xa0С›"),
                        "repaired: ООО");
    /* one part doubled, one part right */
    assert_string_equal(moji(s, "РћРћРћ Ромашка"), "repaired: ООО Ромашка");
    /* clean text stays as it is, both scripts */
    assert_string_equal(moji(s, "ООО «Ромашка»"), "clean: ООО «Ромашка»");
    assert_string_equal(moji(s, "Пётр Сидоров, ул. Ленина, д. 5 №7"),
                        "clean: Пётр Сидоров, ул. Ленина, д. 5 №7");
    assert_string_equal(moji(s, "Müller café naïve"),
                        "clean: Müller café naïve");
    assert_string_equal(moji(s, "ЯЯ Я» plain ASCII"),
                        "clean: ЯЯ Я» plain ASCII");
    assert_string_equal(moji(s, "Сёмга, Пётр"), "clean: Сёмга, Пётр");
    assert_string_equal(moji(s, ""), "clean: ");
    /* looks doubled, does not repair: a cut sequence, lost bytes */
    assert_string_equal(moji(s, "РћРћР"), "suspect: РћРћР");
    assert_string_equal(moji(s, "ООО \xef\xbf\xbd"),
                        "suspect: ООО \xef\xbf\xbd");
}

#define SF_TEST(f) cmocka_unit_test_setup_teardown(f, sf_setup, sf_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id18), cmocka_unit_test(test_ref),
        cmocka_unit_test(test_bool), cmocka_unit_test(test_datetime),
        cmocka_unit_test(test_date), SF_TEST(test_space),
        SF_TEST(test_encodings),     SF_TEST(test_mojibake),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
