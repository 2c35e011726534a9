/*
 * csv.c -- fuzz the CSV reader of imports (lib/csv.c): kedr_csv_to_utf8,
 * kedr_csv_detect_sep, kedr_csv_next, and kedr_csv_cell_json over every
 * cell with every column type.
 *
 * Also kedr_csv_array_text (what export does to array cells) on each cell.
 *
 * Input: the raw bytes of an uploaded file.  Oracles: converted text is
 * valid UTF-8 without NUL, and so is every cell; records start on lines
 * that never go back and hold 1 to KEDR_CSV_MAX_CELLS cells; a header
 * equals itself; and writing the records back with kedr_csv_put_cell
 * and reading them again gives the same cells (what export writes,
 * import reads).
 */
#include <string.h>

#include "fuzz.h"

static const int fuzz_types[] = {
    KEDR_T_STRING, KEDR_T_INT,  KEDR_T_NUMBER, KEDR_T_MONEY,
    KEDR_T_DATE,   KEDR_T_BOOL, KEDR_T_ARRAY,
};

/* A cell read as a PostgreSQL array's text (export): the items joined
 * are never longer than the text with ", " for each ','. */
static void
fuzz_array_text(struct kedr_arena *a, const char *s)
{
    struct kedr_buf b;
    size_t commas = 0;

    for (const char *p = s; *p; p++)
        commas += *p == ',';
    kedr_buf_init(&b, a);
    kedr_csv_array_text(&b, s);
    FUZZ_CHECK(b.len <= strlen(s) + commas);
}

static void
fuzz_cells(struct kedr_arena *a, const struct kedr_csv_rec *rec)
{
    for (size_t i = 0; i < rec->n; i++) {
        const char *s = rec->cells[i];

        FUZZ_CHECK(kedr_utf8_valid(s, strlen(s)));
        FUZZ_CHECK(kedr_csv_header_eq(s, s));
        fuzz_array_text(a, s);
        for (size_t t = 0; t < sizeof(fuzz_types) / sizeof(fuzz_types[0]);
             t++) {
            const char *why;
            json_t *v = kedr_csv_cell_json(fuzz_types[t], s, &why);

            FUZZ_CHECK(v == NULL || why == NULL);
            json_decref(v);
        }
    }
}

/* Write `rec` as a CSV line and read it back: the same cells. */
static void
fuzz_round_trip(struct kedr_arena *a, const struct kedr_csv_rec *rec, char sep)
{
    struct kedr_buf b;
    struct kedr_csv c;
    struct kedr_csv_rec back;

    if (rec->n == 1 && rec->cells[0][0] == '\0')
        return; /* an empty line: skipped as blank, by design */
    kedr_buf_init(&b, a);
    for (size_t i = 0; i < rec->n; i++) {
        if (i > 0)
            kedr_buf_add(&b, &sep, 1);
        kedr_csv_put_cell(&b, rec->cells[i], strlen(rec->cells[i]), sep);
    }
    kedr_buf_add(&b, "\r\n", 2);
    kedr_csv_init(&c, b.data, b.len, sep);
    FUZZ_CHECK(kedr_csv_next(&c, a, &back) == 1);
    FUZZ_CHECK(back.n == rec->n);
    for (size_t i = 0; i < rec->n; i++)
        FUZZ_CHECK(strcmp(back.cells[i], rec->cells[i]) == 0);
    FUZZ_CHECK(kedr_csv_next(&c, a, &back) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kedr_arena a;
    struct kedr_csv c;
    struct kedr_csv_rec rec;
    unsigned last = 0;
    const char *text;
    size_t n;
    int rc;

    fuzz_quiet();
    kedr_arena_init(&a);
    text = kedr_csv_to_utf8(&a, (const char *)data, size, &n);
    if (text == NULL)
        goto done;
    FUZZ_CHECK(kedr_utf8_valid(text, n));
    kedr_csv_init(&c, text, n, kedr_csv_detect_sep(text, n));
    FUZZ_CHECK(c.sep == ';' || c.sep == ',');
    while ((rc = kedr_csv_next(&c, &a, &rec)) == 1) {
        FUZZ_CHECK(rec.line > last);
        FUZZ_CHECK(rec.n >= 1 && rec.n <= KEDR_CSV_MAX_CELLS);
        last = rec.line;
        fuzz_cells(&a, &rec);
        fuzz_round_trip(&a, &rec, c.sep);
    }
    FUZZ_CHECK(rc == 0 || rec.line > last);
done:
    kedr_arena_release(&a);
    return 0;
}
