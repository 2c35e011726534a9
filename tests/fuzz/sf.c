/*
 * sf.c -- fuzz the Salesforce reading layer end to end: a file of an
 * export streamed through kedr_csv_init_file / kedr_csv_next, its header
 * mapped (kedr_sf_header_init) and every record cleansed
 * (kedr_sf_row_clean) by a mapping with a field of every type.
 *
 * Input: one byte choosing the file's encoding (utf-8, windows-1251,
 * iso-8859-1), the mojibake mode and the object, then the file's bytes.
 * Oracles: records start on lines that never go back; every value is
 * valid UTF-8 without NUL; ids and lookups are 18 characters with their
 * suffix, booleans "true"/"false", datetimes end in Z; an action names a
 * known action; the counts add up (rows = ok + rejected + deleted).
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "sf.h"

static const char fuzz_map_text[] =
    "import: { separator = \",\"; on_invalid = \"clear\"; };\n"
    "objects = (\n"
    " { file = \"Account.csv\"; object = \"Account\";\n"
    "   target = \"clients.counterparty\";\n"
    "   fields = (\n"
    "    { from = \"Id\"; to = \"sf_id\"; type = \"id\"; required = true;\n"
    "      on_invalid = \"reject\"; },\n"
    "    { from = \"Name\"; to = \"name\"; collapse = true; },\n"
    "    { from = \"Note\"; to = \"note\"; trim = false; },\n"
    "    { from = \"ParentId\"; to = \"parent\"; type = \"ref\";\n"
    "      ref = \"Account\"; },\n"
    "    { from = \"Active\"; to = \"active\"; type = \"bool\"; },\n"
    "    { from = \"CreatedDate\"; to = \"created\"; type = \"datetime\"; },\n"
    "    { from = \"Day\"; to = \"day\"; type = \"date\"; },\n"
    "    { from = \"Area\"; to = \"area\"; type = \"number\"; },\n"
    "    { from = \"Phone\"; to = \"phone\"; type = \"phone\"; },\n"
    "    { from = \"Email\"; to = \"email\"; type = \"email\"; },\n"
    "    { from = \"INN\"; to = \"inn\"; type = \"inn\"; },\n"
    "    { from = \"KPP\"; to = \"kpp\"; type = \"kpp\"; },\n"
    "    { from = \"OGRN\"; to = \"ogrn\"; type = \"ogrn\";\n"
    "      on_invalid = \"reject\"; },\n"
    "    { from = \"Type\"; to = \"kind\"; type = \"picklist\";\n"
    "      values = ( [\"A\", \"a\"], [\"B b\", \"b\"] ); },\n"
    "    { from = \"Format\"; to = \"format\"; type = \"picklist\";\n"
    "      values = ( [\"X\", \"x\"] ); unknown = \"keep\"; },\n"
    "    { from = \"Size\"; to = \"size\"; type = \"picklist\";\n"
    "      values = ( [\"S\", \"s\"] ); unknown = \"default:m\"; }\n"
    "   );\n"
    "   defaults = { kind = \"a\"; region = \"RU\"; }; },\n"
    " { file = \"Store__c.csv\"; object = \"Store__c\";\n"
    "   target = \"clients.outlet\"; drop_deleted = false;\n"
    "   fields = ( { from = \"Id\"; to = \"sf_id\"; type = \"id\"; },\n"
    "     { from = \"Account__c\"; to = \"account\"; type = \"ref\";\n"
    "       ref = \"Account\"; required = true; on_invalid = \"reject\"; },\n"
    "     { from = \"Name\"; to = \"name\"; } ); }\n"
    ");\n";

static const char *const fuzz_encodings[] = {"utf-8", "windows-1251",
                                             "iso-8859-1"};

static bool
fuzz_alnum18(const char *s)
{
    if (strlen(s) != 18)
        return false;
    for (int i = 0; i < 18; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= 'A' && s[i] <= 'Z')))
            return false;
    return kedr_sf_id_valid(s);
}

static void
fuzz_row(const struct kedr_sf_header *h, const struct kedr_sf_row *row)
{
    const struct kedr_sf_object *obj = h->obj;

    FUZZ_CHECK(row->status >= KEDR_SF_ROW_OK &&
               row->status <= KEDR_SF_ROW_DELETED);
    for (size_t i = 0; i < row->nactions; i++) {
        FUZZ_CHECK(strcmp(kedr_sf_action_name(row->actions[i].action), "?") !=
                   0);
        FUZZ_CHECK(row->actions[i].reason != NULL);
    }
    if (row->status == KEDR_SF_ROW_DELETED)
        return;
    for (size_t i = 0; i < h->ncols; i++) {
        const char *v = row->values[i];

        if (v == NULL)
            continue;
        FUZZ_CHECK(kedr_utf8_valid(v, strlen(v)));
        if (i >= obj->nfields)
            continue;
        switch (obj->fields[i].type) {
        case KEDR_SF_ID:
        case KEDR_SF_REF:
            FUZZ_CHECK(fuzz_alnum18(v));
            break;
        case KEDR_SF_BOOL:
            FUZZ_CHECK(strcmp(v, "true") == 0 || strcmp(v, "false") == 0);
            break;
        case KEDR_SF_DATETIME:
            FUZZ_CHECK(strlen(v) >= 20 && v[strlen(v) - 1] == 'Z');
            break;
        case KEDR_SF_DATE:
            FUZZ_CHECK(strlen(v) == 10);
            break;
        case KEDR_SF_PHONE:
            FUZZ_CHECK(v[0] == '+');
            break;
        default:
            break;
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct kedr_sf_map *map;
    struct kedr_sf_counts n = {0};
    const struct kedr_sf_object *obj;
    struct kedr_arena a, rows;
    struct kedr_sf_header h;
    struct kedr_sf_conv cv;
    struct kedr_csv_rec rec;
    struct kedr_csv c;
    unsigned last = 0;
    FILE *in;
    int rc, mode;

    fuzz_quiet();
    if (map == NULL) {
        char err[1024];

        map = kedr_sf_map_from_text(fuzz_map_text, err, sizeof(err));
        FUZZ_CHECK(map != NULL);
    }
    if (size < 2)
        return 0;
    obj = &map->objects[(data[0] >> 4) % map->nobjects];
    mode = (data[0] >> 2) % 3;
    if (kedr_sf_conv_init(&cv, fuzz_encodings[data[0] % 3]) != 0)
        return 0;
    in = fmemopen((void *)(uintptr_t)(data + 1), size - 1, "rb");
    FUZZ_CHECK(in != NULL);
    kedr_arena_init(&a);
    kedr_arena_init(&rows);
    kedr_csv_init_file(&c, in, map->sep);
    if (kedr_csv_next(&c, &a, &rec) != 1 ||
        kedr_sf_header_init(&h, obj, &cv, &rec, &a) != 0)
        goto done;
    FUZZ_CHECK(h.ncols >= obj->nfields);
    last = rec.line;
    while ((rc = kedr_csv_next(&c, &rows, &rec)) == 1) {
        struct kedr_sf_row row = {0};

        FUZZ_CHECK(rec.line > last);
        last = rec.line;
        kedr_sf_row_clean(&h, &cv, mode, &rec, &rows, &row, &n);
        FUZZ_CHECK(row.line == rec.line);
        fuzz_row(&h, &row);
        kedr_arena_clear(&rows);
    }
    FUZZ_CHECK(n.rows == n.ok + n.rejected + n.deleted);
done:
    kedr_csv_release(&c);
    fclose(in);
    kedr_sf_conv_release(&cv);
    kedr_arena_release(&rows);
    kedr_arena_release(&a);
    return 0;
}
