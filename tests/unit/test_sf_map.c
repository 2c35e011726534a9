/*
 * test_sf_map.c -- migrate/salesforce/sf_map.c: the Salesforce mapping file.
 * Error cases are data-driven (tests/data/sf_map: the errors exactly as the
 * checker writes them, "LINE: message"); the shipped
 * conf/import/salesforce.conf loads and maps what it says.
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
#include "testdata.h"

static char *
run_sf_map(const char *input, size_t len)
{
    char err[8192];
    char *text = strndup(input, len);

    if (text == NULL)
        abort();
    kedr_sf_map_check_text(text, err, sizeof(err));
    free(text);
    return strdup(err);
}

static void
test_data_sf_map(void **state)
{
    (void)state;
    testdata_run("sf_map", run_sf_map);
}

/* The shipped conf/import/salesforce.conf, or NULL. */
static struct kedr_sf_map *
load_shipped(void)
{
    return kedr_sf_map_load(testdata_repo_file("conf/import/salesforce.conf"));
}

static const struct kedr_sf_field *
field_of(const struct kedr_sf_object *o, const char *from)
{
    for (size_t i = 0; i < o->nfields; i++)
        if (strcmp(o->fields[i].from, from) == 0)
            return &o->fields[i];
    return NULL;
}

static void
test_shipped_mapping(void **state)
{
    struct kedr_sf_map *m = load_shipped();
    const struct kedr_sf_object *o;
    const struct kedr_sf_field *f;
    static const char *const files[] = {
        "User.csv",     "Account.csv",    "Contact.csv",        "Store__c.csv",
        "Product2.csv", "Pricebook2.csv", "PricebookEntry.csv",
    };

    (void)state;
    assert_non_null(m);
    assert_string_equal(m->encoding, "utf-8");
    assert_int_equal(m->sep, ',');
    assert_int_equal(m->mojibake, KEDR_SF_MOJI_REPAIR);
    assert_int_equal(m->on_invalid, KEDR_SF_CLEAR);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        assert_non_null(kedr_sf_map_find(m, files[i]));
    assert_null(kedr_sf_map_find(m, "Opportunity.csv"));
    /* the importer's switch on accounts, as text */
    o = kedr_sf_map_find(m, "Account.csv");
    assert_int_equal(o->noptions, 1);
    assert_string_equal(o->options[0].name, "merge_duplicates");
    assert_string_equal(o->options[0].value, "true");
    /* a custom object with custom fields, found in any case */
    o = kedr_sf_map_find(m, "store__C.CSV");
    assert_non_null(o);
    assert_string_equal(o->object, "Store__c");
    assert_string_equal(o->target, "clients.outlet");
    assert_true(o->drop_deleted);
    f = field_of(o, "Account__c");
    assert_non_null(f);
    assert_int_equal(f->type, KEDR_SF_REF);
    assert_string_equal(f->ref, "Account");
    assert_true(f->required);
    assert_int_equal(f->on_invalid, KEDR_SF_REJECT);
    assert_int_equal(f->orphans, KEDR_SF_ORPHANS_REJECT); /* the default */
    f = field_of(o, "Format__c");
    assert_int_equal(f->type, KEDR_SF_PICKLIST);
    assert_int_equal(f->npicks, 7);
    assert_string_equal(f->picks[0].from, "Hypermarket");
    assert_string_equal(f->picks[0].to, "chain_store");
    assert_int_equal(f->unknown, KEDR_SF_UNKNOWN_REPORT);
    /* custom fields of a standard object, defaults */
    o = kedr_sf_map_find(m, "Account.csv");
    f = field_of(o, "INN__c");
    assert_int_equal(f->type, KEDR_SF_INN);
    assert_string_equal(f->to, "inn");
    assert_int_equal(f->on_invalid, KEDR_SF_CLEAR);
    assert_true(f->trim);
    assert_false(f->collapse);
    assert_true(field_of(o, "Name")->collapse);
    assert_int_equal(o->ndefaults, 1);
    assert_string_equal(o->defaults[0].to, "kind");
    assert_string_equal(o->defaults[0].value, "end_customer");
    /* an object's on_invalid is its fields' default */
    o = kedr_sf_map_find(m, "PricebookEntry.csv");
    assert_int_equal(field_of(o, "UnitPrice")->on_invalid, KEDR_SF_REJECT);
    assert_int_equal(field_of(o, "LastModifiedDate")->on_invalid,
                     KEDR_SF_CLEAR);
    f = field_of(kedr_sf_map_find(m, "User.csv"), "LanguageLocaleKey");
    assert_int_equal(f->unknown, KEDR_SF_UNKNOWN_DEFAULT);
    assert_string_equal(f->unknown_value, "ru");
    assert_string_equal(kedr_sf_type_name(KEDR_SF_DATETIME), "datetime");
    kedr_sf_map_free(m);
}

/* orphans = "attach": the holding id kept as 18 characters; a ref
 * without the key rejects (the importer decides). */
static void
test_orphans_attach(void **state)
{
    static const char text[] =
        "objects = (\n"
        "  { file = \"Account.csv\"; object = \"Account\";\n"
        "    target = \"clients.counterparty\";\n"
        "    fields = ( { from = \"Id\"; to = \"sf_id\"; type = \"id\"; } ); "
        "},\n"
        "  { file = \"Contact.csv\"; object = \"Contact\";\n"
        "    target = \"clients.contact\";\n"
        "    fields = (\n"
        "      { from = \"AccountId\"; to = \"counterparty_sf_id\";\n"
        "        type = \"ref\"; ref = \"Account\"; orphans = \"attach\";\n"
        "        holding = \"001A0000006Vm9r\"; },\n"
        "      { from = \"OtherId\"; to = \"other_sf_id\"; type = \"ref\";\n"
        "        ref = \"Account\"; } ); }\n"
        ");\n";
    char err[1024];
    struct kedr_sf_map *m = kedr_sf_map_from_text(text, err, sizeof(err));
    const struct kedr_sf_object *o;

    (void)state;
    assert_non_null(m);
    o = kedr_sf_map_find(m, "Contact.csv");
    assert_int_equal(field_of(o, "AccountId")->orphans, KEDR_SF_ORPHANS_ATTACH);
    assert_string_equal(field_of(o, "AccountId")->holding,
                        "001A0000006Vm9rIAC");
    assert_int_equal(field_of(o, "OtherId")->orphans, KEDR_SF_ORPHANS_REJECT);
    assert_string_equal(field_of(o, "OtherId")->holding, "");
    kedr_sf_map_free(m);
}

static void
test_load_errors(void **state)
{
    char path[] = "/tmp/kedr-sf-map-XXXXXX";
    int fd = mkstemp(path);
    FILE *f;

    (void)state;
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs("objects = ( { file = \"A.csv\"; } );\n", f);
    fclose(f);
    assert_null(kedr_sf_map_load(path));
    unlink(path);
    assert_null(kedr_sf_map_load("/nonexistent/salesforce.conf"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_sf_map),
        cmocka_unit_test(test_shipped_mapping),
        cmocka_unit_test(test_orphans_attach),
        cmocka_unit_test(test_load_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
