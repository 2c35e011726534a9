/*
 * test_csv.c -- lib/csv.c: the CSV reader (data-driven cases in
 * tests/data/csv, see tests/data/README.md), separator and encoding
 * detection, quoting for output, header matching and cell conversion.
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

static int
arena_setup(void **state)
{
    struct kedr_arena *a = malloc(sizeof(*a));

    if (a == NULL)
        return -1;
    kedr_arena_init(a);
    *state = a;
    return 0;
}

static int
arena_teardown(void **state)
{
    struct kedr_arena *a = *state;

    kedr_arena_release(a);
    free(a);
    return 0;
}

/* ------------------------------------------------------------------ */
/* the reader, data-driven                                             */
/* ------------------------------------------------------------------ */

/* A cell as "...": '"' and '\' escaped, control bytes as \xHH (the text
 * is UTF-8 by then). */
static void
render_cell(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02X", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* Every record of a reader as "LINE: cells..." lines, then "error LINE:
 * why" for a refused record. */
static void
render_records(FILE *f, struct kedr_csv *c, struct kedr_arena *a)
{
    struct kedr_csv_rec rec;
    int rc;

    while ((rc = kedr_csv_next(c, a, &rec)) != 0) {
        if (rc < 0) {
            fprintf(f, "error %u: %s\n", rec.line, c->err);
            break;
        }
        fprintf(f, "%u:", rec.line);
        for (size_t i = 0; i < rec.n; i++) {
            fputc(' ', f);
            render_cell(f, rec.cells[i]);
        }
        fputc('\n', f);
    }
    kedr_csv_release(c);
}

/* The records of `text` read from a stream (kedr_csv_init_file). */
static char *
run_stream(const char *text, size_t n, char sep)
{
    struct kedr_arena a;
    struct kedr_csv c;
    char *out = NULL;
    size_t outlen;
    FILE *f = open_memstream(&out, &outlen);
    FILE *in = fmemopen((void *)(uintptr_t)text, n, "rb");

    assert_non_null(in);
    kedr_arena_init(&a);
    kedr_csv_init_file(&c, in, sep);
    render_records(f, &c, &a);
    fclose(in);
    fclose(f);
    kedr_arena_release(&a);
    return out;
}

/* csv: "sep X", then "LINE: cells..." per record, "error LINE: why" for
 * a refused record, "encoding error" when the text is neither UTF-8 nor
 * Windows-1251.  The same text read from a stream must give the same
 * records. */
static char *
run_csv(const char *input, size_t len)
{
    struct kedr_arena a;
    struct kedr_csv c;
    char *out = NULL, *recs = NULL, *streamed;
    size_t outlen, recslen, n;
    FILE *f = open_memstream(&out, &outlen), *rf;
    const char *text;

    kedr_arena_init(&a);
    text = kedr_csv_to_utf8(&a, input, len, &n);
    if (text == NULL) {
        fputs("encoding error\n", f);
        goto done;
    }
    kedr_csv_init(&c, text, n, kedr_csv_detect_sep(text, n));
    fprintf(f, "sep %c\n", c.sep);
    rf = open_memstream(&recs, &recslen);
    render_records(rf, &c, &a);
    fclose(rf);
    fputs(recs, f);
    if (n > 0) { /* a stream needs a file; fmemopen refuses 0 bytes */
        streamed = run_stream(text, n, c.sep);
        assert_string_equal(streamed, recs);
        free(streamed);
    }
    free(recs);
done:
    fclose(f);
    kedr_arena_release(&a);
    return out;
}

static void
test_data_csv(void **state)
{
    (void)state;
    testdata_run("csv", run_csv);
}

static void
test_reader_limits(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_csv c;
    struct kedr_csv_rec rec;
    size_t n = 2 * KEDR_CSV_MAX_CELLS;
    char *many = kedr_arena_alloc(a, n + 1);

    memset(many, ';', n);
    many[n] = '\0';
    kedr_csv_init(&c, many, n, ';');
    assert_int_equal(kedr_csv_next(&c, a, &rec), -1);
    /* exactly the limit is fine */
    kedr_csv_init(&c, many, KEDR_CSV_MAX_CELLS - 1, ';');
    assert_int_equal(kedr_csv_next(&c, a, &rec), 1);
    assert_int_equal(rec.n, KEDR_CSV_MAX_CELLS);
    assert_int_equal(kedr_csv_next(&c, a, &rec), 0);
}

/* A stream longer than the reader's window: fields of every length
 * around the window's size, CRLF pairs cut by a window's end, quoted
 * newlines, a BOM; the stream gives what the buffer gives, and each
 * record its line. */
static void
test_stream_window(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_buf b;
    char *buffered, *streamed;
    struct kedr_csv c;
    FILE *rf;
    size_t len;

    kedr_buf_init(&b, a);
    kedr_buf_add(&b, "\xef\xbb\xbf", 3);
    for (size_t i = 0; i < 40; i++) {
        size_t n = 1 + (i * 7919) % 140000;

        kedr_buf_addf(&b, "%zu;\"", i);
        for (size_t k = 0; k < n; k++)
            kedr_buf_add(&b, k % 977 == 5 ? "\r\n" : "x", k % 977 == 5 ? 2 : 1);
        kedr_buf_add(&b, "\";end\r\n", 7);
    }
    kedr_buf_add(&b, "", 1);
    rf = open_memstream(&buffered, &len);
    kedr_csv_init(&c, b.data + 3, b.len - 4, ';');
    render_records(rf, &c, a);
    fclose(rf);
    streamed = run_stream(b.data, b.len - 1, ';');
    assert_string_equal(streamed, buffered);
    assert_non_null(strstr(buffered, ": \"39\" "));
    free(streamed);
    free(buffered);
}

/* A CR as the last byte of a window with the LF after it: one line end,
 * not two. */
static void
test_stream_cr_lf_split(void **state)
{
    struct kedr_arena *a = *state;
    size_t n = 64 * 1024 + 10;
    char *text = kedr_arena_alloc(a, n + 1), *out;
    char expect[64];

    memset(text, 'a', n);
    text[0] = 'h';
    text[1] = '\r';
    text[2] = '\n';
    text[64 * 1024 - 1] = '\r'; /* the window's last byte */
    text[64 * 1024] = '\n';
    memcpy(text + n - 3, "\nz\n", 3);
    text[n] = '\0';
    out = run_stream(text, n, ';');
    snprintf(expect, sizeof(expect), "4: \"z\"\n");
    assert_non_null(strstr(out, expect));
    assert_non_null(strstr(out, "1: \"h\"\n2: \"aaa"));
    free(out);
}

/* ------------------------------------------------------------------ */
/* detection                                                           */
/* ------------------------------------------------------------------ */

static char
sep_of(const char *s)
{
    return kedr_csv_detect_sep(s, strlen(s));
}

static void
test_detect_sep(void **state)
{
    (void)state;
    assert_int_equal(sep_of("a;b;c\n1,2;3"), ';');
    assert_int_equal(sep_of("a,b,c\n1;2;3;4;5"), ',');
    assert_int_equal(sep_of("\"a;b;c\",d,e\n"), ',');
    assert_int_equal(sep_of("a;b,c"), ';'); /* a tie */
    assert_int_equal(sep_of("single"), ';');
    assert_int_equal(sep_of(""), ';');
}

static void
test_utf8_valid(void **state)
{
    (void)state;
    assert_true(kedr_utf8_valid("", 0));
    assert_true(kedr_utf8_valid("abc Привет €", strlen("abc Привет €")));
    assert_false(kedr_utf8_valid("a\0b", 3));
    assert_false(kedr_utf8_valid("\xcf\xf0\xe8", 3)); /* cp1251 "При" */
    assert_false(kedr_utf8_valid("\xc0\xaf", 2));     /* overlong */
    assert_false(kedr_utf8_valid("\xed\xa0\x80", 3)); /* a surrogate */
    assert_false(kedr_utf8_valid("\xd0", 1));         /* cut short */
    assert_false(kedr_utf8_valid("\xf4\x90\x80\x80", 4));
}

static void
test_to_utf8(void **state)
{
    struct kedr_arena *a = *state;
    const char *s;
    size_t n;

    s = kedr_csv_to_utf8(a, "\xef\xbb\xbfid;имя", strlen("\xef\xbb\xbfid;имя"),
                         &n);
    assert_string_equal(s, "id;имя");
    assert_int_equal(n, strlen("id;имя"));
    s = kedr_csv_to_utf8(a, "\xcf\xf0\xe8\xe2\xe5\xf2 \xa8\xb8 \xb9", 11, &n);
    assert_non_null(s);
    assert_string_equal(s, "Привет Ёё №");
    assert_null(kedr_csv_to_utf8(a, "a\x98", 2, &n)); /* undefined in 1251 */
    assert_null(kedr_csv_to_utf8(a, "\xcf\0", 2, &n));
    s = kedr_csv_to_utf8(a, "", 0, &n);
    assert_int_equal(n, 0);
}

/* ------------------------------------------------------------------ */
/* output quoting                                                      */
/* ------------------------------------------------------------------ */

static const char *
put(struct kedr_arena *a, const char *s, char sep)
{
    struct kedr_buf b;

    kedr_buf_init(&b, a);
    kedr_csv_put_cell(&b, s, strlen(s), sep);
    kedr_buf_add(&b, "", 0);
    return b.data;
}

static void
test_put_cell(void **state)
{
    struct kedr_arena *a = *state;

    assert_string_equal(put(a, "plain", ';'), "plain");
    assert_string_equal(put(a, "", ';'), "");
    assert_string_equal(put(a, "a;b", ';'), "\"a;b\"");
    assert_string_equal(put(a, "a,b", ';'), "a,b");
    assert_string_equal(put(a, "a,b", ','), "\"a,b\"");
    assert_string_equal(put(a, "say \"hi\"", ';'), "\"say \"\"hi\"\"\"");
    assert_string_equal(put(a, "\"", ';'), "\"\"\"\"");
    assert_string_equal(put(a, "two\nlines", ';'), "\"two\nlines\"");
    assert_string_equal(put(a, "cr\r", ';'), "\"cr\r\"");
    assert_string_equal(put(a, " Ёлка ", ';'), " Ёлка ");
}

static void
test_formula_like(void **state)
{
    (void)state;
    assert_true(kedr_csv_formula_like("=1+2"));
    assert_true(kedr_csv_formula_like("@SUM(A1)"));
    assert_true(kedr_csv_formula_like("+7 495 123-45-67"));
    assert_true(kedr_csv_formula_like("-cmd|' /C calc'!A0"));
    assert_true(kedr_csv_formula_like("\t=x"));
    assert_true(kedr_csv_formula_like("-"));
    assert_false(kedr_csv_formula_like("-12"));
    assert_false(kedr_csv_formula_like("+3,5"));
    assert_false(kedr_csv_formula_like("a=b"));
    assert_false(kedr_csv_formula_like(""));
}

static const char *
array_text(struct kedr_arena *a, const char *pg)
{
    struct kedr_buf b;

    kedr_buf_init(&b, a);
    kedr_csv_array_text(&b, pg);
    kedr_buf_add(&b, "", 0);
    return b.data;
}

static void
test_array_text(void **state)
{
    struct kedr_arena *a = *state;

    assert_string_equal(array_text(a, "{a,b}"), "a, b");
    assert_string_equal(array_text(a, "{}"), "");
    assert_string_equal(array_text(a, "{NULL,x,NULL}"), "x");
    assert_string_equal(array_text(a, "{\"a b\",\"c,d\",\"q\\\"x\"}"),
                        "a b, c,d, q\"x");
    assert_string_equal(array_text(a, "{\"NULL\"}"), "NULL");
    assert_string_equal(array_text(a, "{{1,2},{3,4}}"), "{{1,2},{3,4}}");
    assert_string_equal(array_text(a, "plain text"), "plain text");
    assert_string_equal(array_text(a, "{\"unclosed"), "{\"unclosed");
    assert_string_equal(array_text(a, "{\"unclosed}"), "unclosed");
    assert_string_equal(array_text(a, "{\"end\\}"), "end\\");
}

/* ------------------------------------------------------------------ */
/* headers and cells                                                   */
/* ------------------------------------------------------------------ */

static void
test_header_eq(void **state)
{
    (void)state;
    assert_true(kedr_csv_header_eq("name", "name"));
    assert_true(kedr_csv_header_eq("  NAME\t", "name"));
    assert_true(kedr_csv_header_eq("НАЗВАНИЕ", "название"));
    assert_true(kedr_csv_header_eq("Ёлка", "ёЛКА"));
    assert_true(kedr_csv_header_eq("\xc2\xa0ИНН\xc2\xa0", "инн"));
    assert_true(kedr_csv_header_eq("", "  "));
    assert_false(kedr_csv_header_eq("name", "names"));
    assert_false(kedr_csv_header_eq("Ёлка", "Елка"));
    assert_false(kedr_csv_header_eq("x", NULL));
}

/* A cell converted and dumped as JSON text, or "!<why>", or "(empty)". */
static char *
cell(int type, const char *text)
{
    static char out[256];
    const char *why;
    json_t *v = kedr_csv_cell_json(type, text, &why);
    char *s;

    if (v == NULL) {
        snprintf(out, sizeof(out), why != NULL ? "!%s" : "(empty)", why);
        return out;
    }
    s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(out, sizeof(out), "%s", s);
    free(s);
    json_decref(v);
    return out;
}

static void
test_cell_strings(void **state)
{
    (void)state;
    assert_string_equal(cell(KEDR_T_STRING, "  ООО \"Ромашка\" "),
                        "\"ООО \\\"Ромашка\\\"\"");
    assert_string_equal(cell(KEDR_T_STRING, "'=1+2"), "\"=1+2\"");
    assert_string_equal(cell(KEDR_T_STRING, "'+7 495"), "\"+7 495\"");
    assert_string_equal(cell(KEDR_T_STRING, "'quoted'"), "\"'quoted'\"");
    assert_string_equal(cell(KEDR_T_STRING, "   "), "(empty)");
    assert_string_equal(cell(KEDR_T_STRING, ""), "(empty)");
    assert_string_equal(cell(KEDR_T_ARRAY, " a, b ;c,, "),
                        "[\"a\",\"b\",\"c\"]");
    assert_string_equal(cell(KEDR_T_ARRAY, "один"), "[\"один\"]");
    /* an export's quote before a list's text: gone, the items kept */
    assert_string_equal(cell(KEDR_T_ARRAY, "'=a, +b"), "[\"=a\",\"+b\"]");
    assert_string_equal(cell(KEDR_T_ARRAY, " '@a;-b"), "[\"@a\",\"-b\"]");
    assert_string_equal(cell(KEDR_T_ARRAY, "'a, 'b"), "[\"'a\",\"'b\"]");
    assert_string_equal(cell(KEDR_T_ARRAY, "a\xd0"), "!must be valid text");
    assert_string_equal(cell(KEDR_T_STRING, "\xff"), "!must be valid text");
}

/* An array item longer than any fixed buffer, a Cyrillic letter across
 * where a 4 KiB cut would fall: kept whole. */
static void
test_cell_long_array_item(void **state)
{
    struct kedr_arena *a = *state;
    size_t n = 3 * 4096;
    char *text = kedr_arena_alloc(a, n + 3);
    const char *why;
    json_t *v;

    for (size_t i = 0; i < n; i += 2)
        memcpy(text + i, "ж", 2);
    memcpy(text + n, ",x", 3);
    v = kedr_csv_cell_json(KEDR_T_ARRAY, text, &why);
    assert_non_null(v);
    assert_int_equal(json_array_size(v), 2);
    assert_int_equal(json_string_length(json_array_get(v, 0)), n);
    json_decref(v);
}

static void
test_cell_numbers(void **state)
{
    (void)state;
    assert_string_equal(cell(KEDR_T_INT, "42"), "42");
    assert_string_equal(cell(KEDR_T_INT, "-7"), "-7");
    assert_string_equal(cell(KEDR_T_INT, "+7"), "7");
    assert_string_equal(cell(KEDR_T_INT, "1 000 000"), "1000000");
    assert_string_equal(cell(KEDR_T_INT, "1\xc2\xa0"
                                         "000"),
                        "1000");
    assert_string_equal(cell(KEDR_T_INT, "1.5"), "!must be a whole number");
    assert_string_equal(cell(KEDR_T_INT, "12abc"), "!must be a whole number");
    assert_string_equal(cell(KEDR_T_INT, "99999999999999999999"),
                        "!must be a whole number");
    assert_string_equal(cell(KEDR_T_INT, "-"), "!must be a whole number");
    assert_string_equal(cell(KEDR_T_NUMBER, "1 234,5"), "1234.5");
    assert_string_equal(cell(KEDR_T_NUMBER, "1234.5"), "1234.5");
    assert_string_equal(cell(KEDR_T_NUMBER, "-0,25"), "-0.25");
    assert_string_equal(cell(KEDR_T_NUMBER, "1,2,3"), "!must be a number");
    assert_string_equal(cell(KEDR_T_NUMBER, "1e5"), "!must be a number");
    assert_string_equal(cell(KEDR_T_NUMBER, "nan"), "!must be a number");
    assert_string_equal(cell(KEDR_T_MONEY, "1 234,50"), "\"1234.50\"");
    assert_string_equal(cell(KEDR_T_MONEY, "10"), "\"10\"");
    assert_string_equal(cell(KEDR_T_MONEY, "1.234"),
                        "!must be an amount like 1234.50");
}

static void
test_cell_dates_bools(void **state)
{
    (void)state;
    assert_string_equal(cell(KEDR_T_DATE, "2026-11-26"), "\"2026-11-26\"");
    assert_string_equal(cell(KEDR_T_DATE, "26.11.2026"), "\"2026-11-26\"");
    assert_string_equal(cell(KEDR_T_DATE, "1.2.2026"), "\"2026-02-01\"");
    assert_string_equal(cell(KEDR_T_DATE, "30.02.2026"),
                        "!must be a date, YYYY-MM-DD or DD.MM.YYYY");
    assert_string_equal(cell(KEDR_T_DATE, "26/11/2026"),
                        "!must be a date, YYYY-MM-DD or DD.MM.YYYY");
    assert_string_equal(cell(KEDR_T_DATE, "26.11.26"),
                        "!must be a date, YYYY-MM-DD or DD.MM.YYYY");
    assert_string_equal(cell(KEDR_T_BOOL, "да"), "true");
    assert_string_equal(cell(KEDR_T_BOOL, "ДА"), "true");
    assert_string_equal(cell(KEDR_T_BOOL, "Yes"), "true");
    assert_string_equal(cell(KEDR_T_BOOL, "1"), "true");
    assert_string_equal(cell(KEDR_T_BOOL, "TRUE"), "true");
    assert_string_equal(cell(KEDR_T_BOOL, "Нет"), "false");
    assert_string_equal(cell(KEDR_T_BOOL, "no"), "false");
    assert_string_equal(cell(KEDR_T_BOOL, "0"), "false");
    assert_string_equal(cell(KEDR_T_BOOL, "false"), "false");
    assert_string_equal(cell(KEDR_T_BOOL, "может"),
                        "!must be да/нет, yes/no, true/false or 1/0");
}

#define ARENA_TEST(f)                                                          \
    cmocka_unit_test_setup_teardown(f, arena_setup, arena_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_csv),
        ARENA_TEST(test_reader_limits),
        ARENA_TEST(test_stream_window),
        ARENA_TEST(test_stream_cr_lf_split),
        cmocka_unit_test(test_detect_sep),
        cmocka_unit_test(test_utf8_valid),
        ARENA_TEST(test_to_utf8),
        ARENA_TEST(test_put_cell),
        ARENA_TEST(test_array_text),
        cmocka_unit_test(test_formula_like),
        cmocka_unit_test(test_header_eq),
        cmocka_unit_test(test_cell_strings),
        ARENA_TEST(test_cell_long_array_item),
        cmocka_unit_test(test_cell_numbers),
        cmocka_unit_test(test_cell_dates_bools),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
