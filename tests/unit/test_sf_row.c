/*
 * test_sf_row.c -- migrate/salesforce/sf_row.c: Salesforce export files
 * cleansed by the shipped mapping (conf/import/salesforce.conf).  Each file of
 * tests/data/sf/export/ is read as the import reads it (a stream through
 * kedr_csv_next, header, every row through kedr_sf_row_clean) and the
 * result rendered as text must equal tests/data/sf/expected/<file>.txt:
 *
 *   columns: <output columns>
 *   missing: <fields the file has no column for>
 *   LINE STATUS col=value col=null ...
 *     <field> <action>: <reason>
 *   counts: rows=.. ok=.. ...
 *
 * Then cases the shipped files do not reach: other encodings, mojibake
 * modes, unknown picklist values, a required column missing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"
#include "testdata.h"

static const char *const row_status[] = {"ok", "rejected", "deleted"};

/* Render every row of a CSV stream cleansed by `obj` into out. */
static void
render_file(FILE *out, FILE *in, const struct kedr_sf_object *obj,
            const char *encoding, int mojibake, char sep)
{
    struct kedr_sf_counts n = {0};
    struct kedr_sf_header h;
    struct kedr_sf_conv cv;
    struct kedr_csv_rec rec;
    struct kedr_arena a, rows;
    struct kedr_csv c;
    int rc;

    kedr_arena_init(&a);
    kedr_arena_init(&rows);
    assert_int_equal(kedr_sf_conv_init(&cv, encoding), 0);
    kedr_csv_init_file(&c, in, sep);
    if (kedr_csv_next(&c, &a, &rec) != 1) {
        fprintf(out, "no header\n");
        goto done;
    }
    rc = kedr_sf_header_init(&h, obj, &cv, &rec, &a);
    fputs("columns:", out);
    for (size_t i = 0; i < h.ncols; i++)
        fprintf(out, " %s", h.cols[i]);
    fputs("\nmissing:", out);
    for (size_t i = 0; i < h.nmissing; i++)
        fprintf(out, " %s", h.missing[i]);
    fputc('\n', out);
    if (rc != 0) {
        fputs("a required column is missing\n", out);
        goto done;
    }
    while ((rc = kedr_csv_next(&c, &rows, &rec)) == 1) {
        struct kedr_sf_row row = {0};

        kedr_sf_row_clean(&h, &cv, mojibake, &rec, &rows, &row, &n);
        fprintf(out, "%u %s", row.line, row_status[row.status]);
        for (size_t i = 0; row.status != KEDR_SF_ROW_DELETED && i < h.ncols;
             i++) {
            fprintf(out, " %s=", h.cols[i]);
            if (row.values[i] == NULL) {
                fputs("null", out);
                continue;
            }
            fputc('"', out);
            for (const char *p = row.values[i]; *p != '\0'; p++)
                if (*p == '\n')
                    fputs("\\n", out);
                else if (*p == '\r')
                    fputs("\\r", out);
                else
                    fputc(*p, out);
            fputc('"', out);
        }
        fputc('\n', out);
        for (size_t i = 0; i < row.nactions; i++)
            fprintf(out, "  %s %s: %s\n",
                    row.actions[i].field != NULL ? row.actions[i].field
                                                 : "(row)",
                    kedr_sf_action_name(row.actions[i].action),
                    row.actions[i].reason);
        kedr_arena_clear(&rows); /* constant memory, row after row */
    }
    if (rc < 0)
        fprintf(out, "error %u: %s\n", rec.line, c.err);
    fprintf(out,
            "counts: rows=%lu ok=%lu rejected=%lu deleted=%lu trimmed=%lu "
            "repaired=%lu cleared=%lu invalid=%lu suspect=%lu "
            "unknown_picklist=%lu\n",
            n.rows, n.ok, n.rejected, n.deleted, n.trimmed, n.repaired,
            n.cleared, n.invalid, n.suspect, n.unknown_picklist);
done:
    kedr_csv_release(&c);
    kedr_sf_conv_release(&cv);
    kedr_arena_release(&rows);
    kedr_arena_release(&a);
}

/* The shipped conf/import/salesforce.conf, or NULL. */
static struct kedr_sf_map *
load_shipped(void)
{
    return kedr_sf_map_load(testdata_repo_file("conf/import/salesforce.conf"));
}

/* A whole file, or NULL. */
static char *
slurp(const char *path)
{
    size_t len;

    return testdata_read(path, &len);
}

static void
test_export_files(void **state)
{
    struct kedr_sf_map *m = load_shipped();
    char dir[4200], path[4600], *actual, *expected;
    struct dirent *de;
    int files = 0, failed = 0;
    DIR *d;

    (void)state;
    assert_non_null(m);
    snprintf(dir, sizeof(dir), "%s/sf/export", testdata_dir());
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        const struct kedr_sf_object *obj = kedr_sf_map_find(m, de->d_name);
        size_t alen;
        FILE *in, *out;

        if (de->d_name[0] == '.')
            continue;
        assert_non_null(obj);
        files++;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        in = fopen(path, "rb");
        assert_non_null(in);
        out = open_memstream(&actual, &alen);
        render_file(out, in, obj, m->encoding, m->mojibake, m->sep);
        fclose(out);
        fclose(in);
        snprintf(path, sizeof(path), "%s/sf/expected/%s.txt", testdata_dir(),
                 de->d_name);
        expected = slurp(path);
        if (expected == NULL || strcmp(expected, actual) != 0) {
            printf("sf/export/%s: mismatch\n--- expected\n%s--- actual\n%s---"
                   "\n",
                   de->d_name, expected != NULL ? expected : "(none)\n",
                   actual);
            failed++;
        }
        free(expected);
        free(actual);
    }
    closedir(d);
    kedr_sf_map_free(m);
    assert_true(files >= 3);
    assert_int_equal(failed, 0);
}

/* The rendering of `csv` cleansed by the object `object` of `map`. */
static char *
run_text(const char *map, const char *object_file, const char *csv,
         const char *encoding, int mojibake)
{
    char err[4096], *actual, path[] = "/tmp/kedr-sf-row-XXXXXX";
    int fd = mkstemp(path);
    struct kedr_sf_map *m;
    FILE *f, *in, *out;
    size_t alen;

    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs(map, f);
    fclose(f);
    if (kedr_sf_map_check_text(map, err, sizeof(err)) != 0)
        fail_msg("mapping: %s", err);
    m = kedr_sf_map_load(path);
    unlink(path);
    assert_non_null(m);
    in = fmemopen((void *)(uintptr_t)csv, strlen(csv), "rb");
    out = open_memstream(&actual, &alen);
    render_file(out, in, kedr_sf_map_find(m, object_file), encoding, mojibake,
                m->sep);
    fclose(out);
    fclose(in);
    kedr_sf_map_free(m);
    return actual;
}

static const char acc_map[] =
    "objects = ( { file = \"Account.csv\"; object = \"Account\";\n"
    "  target = \"clients.counterparty\"; on_invalid = \"reject\";\n"
    "  fields = (\n"
    "    { from = \"Id\"; to = \"sf_id\"; type = \"id\"; required = true; },\n"
    "    { from = \"Name\"; to = \"name\"; collapse = true; },\n"
    "    { from = \"Type\"; to = \"kind\"; type = \"picklist\";\n"
    "      values = ( [\"Partner\", \"distributor\"] ); unknown = "
    "\"keep\"; },\n"
    "    { from = \"Rating\"; to = \"rating\"; type = \"picklist\";\n"
    "      values = ( [\"Hot\", \"hot\"] ); unknown = \"default:cold\"; }\n"
    "  ); } );\n";

static void
test_encodings_and_modes(void **state)
{
    char *s;

    (void)state;
    /* Windows-1251 cells, header in any case, unknown picklist values
     * kept or defaulted; on_invalid reject from the object */
    s = run_text(acc_map, "Account.csv",
                 "id,NAME,Type,Rating\r\n"
                 "001A0000006Vm9r,\xd0\xee\xec\xe0\xf8\xea\xe0  \xb9"
                 "1,Partner,Warm\r\n"
                 "bad,x,Other,Hot\r\n",
                 "windows-1251", KEDR_SF_MOJI_REPAIR);
    assert_string_equal(
        s, "columns: sf_id name kind rating\n"
           "missing:\n"
           "2 ok sf_id=\"001A0000006Vm9rIAC\" name=\"Ромашка №1\" "
           "kind=\"distributor\" rating=\"cold\"\n"
           "  name trimmed: white space trimmed and collapsed\n"
           "  rating reported: unknown picklist value \"Warm\", \"cold\" "
           "instead\n"
           "3 rejected sf_id=null name=\"x\" kind=\"Other\" rating=\"hot\"\n"
           "  sf_id rejected: not a Salesforce id\n"
           "  kind reported: unknown picklist value \"Other\", kept\n"
           "counts: rows=2 ok=1 rejected=1 deleted=0 trimmed=1 repaired=0 "
           "cleared=0 invalid=1 suspect=0 unknown_picklist=2\n");
    free(s);
    /* ISO-8859-1 */
    s = run_text(acc_map, "Account.csv",
                 "Id,Name\n001A0000006Vm9r,M\xfcller GmbH\n", "iso-8859-1",
                 KEDR_SF_MOJI_REPAIR);
    assert_non_null(strstr(s, "name=\"Müller GmbH\""));
    free(s);
    /* UTF-8 that is not: the field fails, the row is rejected */
    s = run_text(acc_map, "Account.csv", "Id,Name\n001A0000006Vm9r,\xff\n",
                 "utf-8", KEDR_SF_MOJI_REPAIR);
    assert_non_null(
        strstr(s, "name rejected: not text in the file's encoding"));
    free(s);
    /* mojibake: reported only, or not looked at */
    s = run_text(acc_map, "Account.csv", "Id,Name\n001A0000006Vm9r,РћРћРћ\n",
                 "utf-8", KEDR_SF_MOJI_REPORT);
    assert_non_null(strstr(s, "name=\"РћРћРћ\""));
    assert_non_null(
        strstr(s, "name reported: double-encoded UTF-8 (left as it is)"));
    free(s);
    s = run_text(acc_map, "Account.csv", "Id,Name\n001A0000006Vm9r,РћРћРћ\n",
                 "utf-8", KEDR_SF_MOJI_OFF);
    assert_non_null(strstr(s, "name=\"РћРћРћ\""));
    assert_null(strstr(s, "reported"));
    free(s);
    /* a required column missing: the file cannot go in */
    s = run_text(acc_map, "Account.csv", "Name,Type\nx,y\n", "utf-8",
                 KEDR_SF_MOJI_REPAIR);
    assert_string_equal(s, "columns: sf_id name kind rating\n"
                           "missing: Id Rating\n"
                           "a required column is missing\n");
    free(s);
    /* malformed quoting stops the file at its line */
    s = run_text(acc_map, "Account.csv", "Id,Name\n001A0000006Vm9r,\"a\"b\n",
                 "utf-8", KEDR_SF_MOJI_REPAIR);
    assert_non_null(strstr(s, "error 2: text after a closing quote\n"));
    free(s);
}

static void
test_action_names(void **state)
{
    (void)state;
    assert_string_equal(kedr_sf_action_name(KEDR_SF_A_TRIMMED), "trimmed");
    assert_string_equal(kedr_sf_action_name(KEDR_SF_A_REPAIRED), "repaired");
    assert_string_equal(kedr_sf_action_name(KEDR_SF_A_CLEARED), "cleared");
    assert_string_equal(kedr_sf_action_name(KEDR_SF_A_REJECTED), "rejected");
    assert_string_equal(kedr_sf_action_name(KEDR_SF_A_REPORTED), "reported");
    assert_string_equal(kedr_sf_action_name(99), "?");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_files),
        cmocka_unit_test(test_encodings_and_modes),
        cmocka_unit_test(test_action_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
