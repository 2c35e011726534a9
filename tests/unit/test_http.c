/*
 * test_http.c -- lib/http.c: percent-decoding, query strings, cookies,
 * request ids, JSON input specs and the error-code table.  The parsers
 * of outside input also run the data-driven cases in tests/data/pct,
 * tests/data/query and tests/data/cookie (see tests/data/README.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "testdata.h"

/* ------------------------------------------------------------------ */
/* fixtures                                                            */
/* ------------------------------------------------------------------ */

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

/* kedr_pct_decode over a C string. */
static char *
pct(struct kedr_arena *a, const char *s, bool form)
{
    return kedr_pct_decode(a, s, strlen(s), form);
}

/* ------------------------------------------------------------------ */
/* kedr_pct_decode                                                     */
/* ------------------------------------------------------------------ */

static void
test_pct_plain(void **state)
{
    struct kedr_arena *a = *state;

    assert_string_equal(pct(a, "", false), "");
    assert_string_equal(pct(a, "", true), "");
    assert_string_equal(pct(a, "hello", false), "hello");
    assert_string_equal(pct(a, "Привет", false), "Привет");
    /* only the first n bytes are read */
    assert_string_equal(kedr_pct_decode(a, "abcdef", 3, false), "abc");
    assert_string_equal(kedr_pct_decode(a, "ab%41", 2, false), "ab");
}

static void
test_pct_escapes(void **state)
{
    struct kedr_arena *a = *state;

    assert_string_equal(pct(a, "a%20b", false), "a b");
    assert_string_equal(pct(a, "%41%42C", false), "ABC");
    assert_string_equal(pct(a, "%2f%2F", false), "//");
    assert_string_equal(pct(a, "%e2%82%ac", false), "\xe2\x82\xac");
    assert_string_equal(pct(a, "%D0%9F", false), "П");
    assert_string_equal(pct(a, "%25", false), "%");
    assert_string_equal(pct(a, "%2541", false), "%41"); /* no double decode */
    assert_string_equal(pct(a, "%0A%7f", false), "\n\x7f");
    /* the last escape may end the input exactly */
    assert_string_equal(pct(a, "ab%41", false), "abA");
}

static void
test_pct_plus_modes(void **state)
{
    struct kedr_arena *a = *state;

    assert_string_equal(pct(a, "a+b", false), "a+b");
    assert_string_equal(pct(a, "a+b", true), "a b");
    assert_string_equal(pct(a, "++", true), "  ");
    assert_string_equal(pct(a, "a%2Bb", true), "a+b");
    assert_string_equal(pct(a, "a%2Bb", false), "a+b");
    assert_string_equal(pct(a, "a%20b+c", true), "a b c");
}

static void
test_pct_bad_escapes(void **state)
{
    struct kedr_arena *a = *state;
    static const char *const bad[] = {
        "%zz", "%g0", "%0g", "%%41", "a%-1b", "% 1", "%+1", "%\xd0\x9f", NULL,
    };

    for (int i = 0; bad[i] != NULL; i++) {
        assert_null(pct(a, bad[i], false));
        assert_null(pct(a, bad[i], true));
    }
}

static void
test_pct_invalid_utf8(void **state)
{
    struct kedr_arena *a = *state;
    static const char *const bad[] = {
        "%FF",       "%C0%AF",    "%D0",          "%D0%41",
        "%E0%80%AF", "%ED%A0%80", "%F4%90%80%80", "%F5%80%80%80",
        "\xff",      "a\xd0",     NULL,
    };

    for (int i = 0; bad[i] != NULL; i++) {
        assert_null(pct(a, bad[i], false));
        assert_null(pct(a, bad[i], true));
    }
    /* the largest and the edge cases that are well-formed */
    assert_string_equal(pct(a, "%F4%8F%BF%BF", false), "\xf4\x8f\xbf\xbf");
    assert_string_equal(pct(a, "%ED%9F%BF", false), "\xed\x9f\xbf");
    assert_string_equal(pct(a, "%C2%80", false), "\xc2\x80");
}

static void
test_utf8_sanitize(void **state)
{
    struct kedr_arena *a = *state;

    assert_string_equal(kedr_utf8_sanitize(a, ""), "");
    assert_string_equal(kedr_utf8_sanitize(a, "Mozilla/5.0 Привет"),
                        "Mozilla/5.0 Привет");
    assert_string_equal(kedr_utf8_sanitize(a, "a\xff"
                                              "b"),
                        "a\xef\xbf\xbd"
                        "b");
    assert_string_equal(kedr_utf8_sanitize(a, "\xd0"), "\xef\xbf\xbd");
    assert_string_equal(kedr_utf8_sanitize(a, "\xe0\x80x"),
                        "\xef\xbf\xbd\xef\xbf\xbdx");
    assert_true(kedr_utf8_valid("\xef\xbf\xbd", 3));
    assert_false(kedr_utf8_valid("\xed\xa0\x80", 3));
}

static void
test_pct_truncated(void **state)
{
    struct kedr_arena *a = *state;
    static const char *const bad[] = {"%",    "%4",    "abc%", "abc%4",
                                      "%41%", "%41%4", NULL};

    for (int i = 0; bad[i] != NULL; i++) {
        assert_null(pct(a, bad[i], false));
        assert_null(pct(a, bad[i], true));
    }
    /* truncated by n, not by the string's end */
    assert_null(kedr_pct_decode(a, "ab%41", 4, false));
    assert_null(kedr_pct_decode(a, "ab%41", 3, false));
}

static void
test_pct_nul_refused(void **state)
{
    struct kedr_arena *a = *state;

    assert_null(pct(a, "%00", false));
    assert_null(pct(a, "a%00b", true));
    assert_null(kedr_pct_decode(a, "a\0b", 3, false));
    assert_null(kedr_pct_decode(a, "\0", 1, true));
    /* %00 is refused, other low bytes are not */
    assert_string_equal(pct(a, "%01", false), "\x01");
}

/* ------------------------------------------------------------------ */
/* kedr_query_parse                                                    */
/* ------------------------------------------------------------------ */

static int
query(struct kedr_arena *a, const char *qs, struct kedr_kvlist *l)
{
    return kedr_query_parse(a, qs, strlen(qs), l);
}

static void
assert_kv(const struct kedr_kvlist *l, size_t i, const char *k, const char *v)
{
    assert_true(i < l->n);
    assert_string_equal(l->items[i].key, k);
    assert_string_equal(l->items[i].value, v);
}

static void
test_query_basic(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_kvlist l;

    assert_int_equal(query(a, "a=1&b=%20x", &l), 0);
    assert_int_equal(l.n, 2);
    assert_kv(&l, 0, "a", "1");
    assert_kv(&l, 1, "b", " x");
    assert_string_equal(kedr_kv_get(&l, "b"), " x");
    assert_null(kedr_kv_get(&l, "c"));
    assert_null(kedr_kv_get(&l, "A"));

    assert_int_equal(query(a, "", &l), 0);
    assert_int_equal(l.n, 0);
    assert_null(kedr_kv_get(&l, "a"));
}

static void
test_query_repeated(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_kvlist l;

    assert_int_equal(query(a, "a=1&a=2&b=3&a=4", &l), 0);
    assert_int_equal(l.n, 4);
    assert_kv(&l, 0, "a", "1");
    assert_kv(&l, 1, "a", "2");
    assert_kv(&l, 2, "b", "3");
    assert_kv(&l, 3, "a", "4");
    /* kedr_kv_get returns the first */
    assert_string_equal(kedr_kv_get(&l, "a"), "1");
}

static void
test_query_empty_values(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_kvlist l;

    assert_int_equal(query(a, "a=&b=", &l), 0);
    assert_int_equal(l.n, 2);
    assert_kv(&l, 0, "a", "");
    assert_kv(&l, 1, "b", "");

    /* a key without '=' has an empty value */
    assert_int_equal(query(a, "flag&x=1&other", &l), 0);
    assert_int_equal(l.n, 3);
    assert_kv(&l, 0, "flag", "");
    assert_kv(&l, 1, "x", "1");
    assert_kv(&l, 2, "other", "");
    assert_string_equal(kedr_kv_get(&l, "flag"), "");

    /* empty pieces are skipped */
    assert_int_equal(query(a, "&&a=1&&&b=2&", &l), 0);
    assert_int_equal(l.n, 2);
    assert_kv(&l, 0, "a", "1");
    assert_kv(&l, 1, "b", "2");

    /* only the first '=' splits */
    assert_int_equal(query(a, "a=b=c", &l), 0);
    assert_int_equal(l.n, 1);
    assert_kv(&l, 0, "a", "b=c");
}

static void
test_query_plus_and_escapes(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_kvlist l;

    assert_int_equal(query(a, "q=hello+world&my+key=a%2Bb&c=%26%3D", &l), 0);
    assert_int_equal(l.n, 3);
    assert_kv(&l, 0, "q", "hello world");
    assert_kv(&l, 1, "my key", "a+b");
    assert_kv(&l, 2, "c", "&=");

    assert_int_equal(query(a, "name=%D0%98%D0%B2%D0%B0%D0%BD&%D0%B3=1", &l), 0);
    assert_kv(&l, 0, "name", "Иван");
    assert_kv(&l, 1, "г", "1");
}

static void
test_query_bad_escape(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_kvlist l;

    /* the whole query is refused, naming the raw key of the bad pair */
    assert_int_equal(query(a, "a=1&b=%zz&c=3", &l), -1);
    assert_int_equal(l.n, 0);
    assert_string_equal(l.bad, "b");

    assert_int_equal(query(a, "%g=1", &l), -1);
    assert_int_equal(l.n, 0);
    assert_string_equal(l.bad, "%g");
    /* invalid UTF-8 after decoding, in a value */
    assert_int_equal(query(a, "x=%FF&dry_run=true", &l), -1);
    assert_string_equal(l.bad, "x");
    assert_int_equal(query(a, "a=1", &l), 0);
    assert_null(l.bad);
    assert_int_equal(query(a, "a=%", &l), -1);
    assert_int_equal(query(a, "a=%4", &l), -1);
    assert_int_equal(query(a, "a%=1", &l), -1);
    assert_int_equal(query(a, "a=%00", &l), -1);
    assert_int_equal(kedr_query_parse(a, "a=1\0", 4, &l), -1);
    assert_int_equal(l.n, 0);
}

static void
test_query_many(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_kvlist l;
    char qs[4000], key[16];
    size_t len = 0;

    /* enough pairs to grow the list several times */
    for (int i = 0; i < 200; i++)
        len += (size_t)snprintf(qs + len, sizeof(qs) - len, "%sk%d=%d",
                                i ? "&" : "", i, i * 7);
    assert_int_equal(kedr_query_parse(a, qs, len, &l), 0);
    assert_int_equal(l.n, 200);
    for (int i = 0; i < 200; i++) {
        char v[16];

        snprintf(key, sizeof(key), "k%d", i);
        snprintf(v, sizeof(v), "%d", i * 7);
        assert_kv(&l, (size_t)i, key, v);
    }
}

/* ------------------------------------------------------------------ */
/* kedr_cookie_parse                                                   */
/* ------------------------------------------------------------------ */

static void
cookies(struct kedr_arena *a, const char *s, struct kedr_kvlist *l)
{
    kedr_cookie_parse(a, s, strlen(s), l);
}

static void
test_cookie_basic(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_kvlist l;

    cookies(a, "a=1; b=2", &l);
    assert_int_equal(l.n, 2);
    assert_kv(&l, 0, "a", "1");
    assert_kv(&l, 1, "b", "2");

    cookies(a, "a=1;b=2", &l);
    assert_int_equal(l.n, 2);
    assert_kv(&l, 1, "b", "2");

    cookies(a, "sid=abc123", &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(kedr_kv_get(&l, "sid"), "abc123");
}

static void
test_cookie_spaces(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_kvlist l;

    cookies(a, "   a = 1 ;\tb\t=\t2\t;;  c=3   ", &l);
    assert_int_equal(l.n, 3);
    assert_kv(&l, 0, "a", "1");
    assert_kv(&l, 1, "b", "2");
    assert_kv(&l, 2, "c", "3");

    /* inner spaces of a value stay */
    cookies(a, "a= x y ", &l);
    assert_int_equal(l.n, 1);
    assert_kv(&l, 0, "a", "x y");
}

static void
test_cookie_quotes(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_kvlist l;

    cookies(a, "a=\"quoted value\"; b=\"\"; c=\"; d=\"open; e=close\"", &l);
    assert_int_equal(l.n, 5);
    assert_kv(&l, 0, "a", "quoted value");
    assert_kv(&l, 1, "b", "");
    assert_kv(&l, 2, "c", "\"");
    assert_kv(&l, 3, "d", "\"open");
    assert_kv(&l, 4, "e", "close\"");

    /* spaces outside the quotes are trimmed first */
    cookies(a, "a= \"x\" ", &l);
    assert_int_equal(l.n, 1);
    assert_kv(&l, 0, "a", "x");
}

static void
test_cookie_junk(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_kvlist l;

    cookies(a, "junk; a=1; =nokey; ;; b; c=x=y; ==; d=", &l);
    assert_int_equal(l.n, 3);
    assert_kv(&l, 0, "a", "1");
    assert_kv(&l, 1, "c", "x=y");
    assert_kv(&l, 2, "d", "");

    /* no percent-decoding in cookies */
    cookies(a, "a=%20", &l);
    assert_int_equal(l.n, 1);
    assert_kv(&l, 0, "a", "%20");

    /* a pair holding a NUL byte is skipped, the rest is kept */
    kedr_cookie_parse(a, "a=1\0x; b=2; c\0d=3", 17, &l);
    assert_int_equal(l.n, 1);
    assert_kv(&l, 0, "b", "2");

    /* only the first n bytes are read */
    kedr_cookie_parse(a, "a=1; b=2", 3, &l);
    assert_int_equal(l.n, 1);
    assert_kv(&l, 0, "a", "1");
}

static void
test_cookie_empty(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_kvlist l;

    cookies(a, "", &l);
    assert_int_equal(l.n, 0);
    assert_null(kedr_kv_get(&l, "a"));
    cookies(a, " ; ;\t; ", &l);
    assert_int_equal(l.n, 0);
    cookies(a, "novalue", &l);
    assert_int_equal(l.n, 0);
    cookies(a, "=", &l);
    assert_int_equal(l.n, 0);
    kedr_cookie_parse(a, "a=1", 0, &l);
    assert_int_equal(l.n, 0);
}

/* ------------------------------------------------------------------ */
/* kedr_request_id_valid                                               */
/* ------------------------------------------------------------------ */

static void
test_request_id(void **state)
{
    char s[80];

    (void)state;
    assert_true(kedr_request_id_valid("abcdefgh"));
    assert_true(kedr_request_id_valid("0123456789"));
    assert_true(kedr_request_id_valid("abc-def_1.2"));
    assert_true(kedr_request_id_valid("550e8400-e29b-41d4-a716-446655440000"));
    assert_true(kedr_request_id_valid("ABCDEFGH"));

    assert_false(kedr_request_id_valid(NULL));
    assert_false(kedr_request_id_valid(""));
    assert_false(kedr_request_id_valid("abcdefg")); /* 7: too short */
    assert_false(kedr_request_id_valid("abcd efgh"));
    assert_false(kedr_request_id_valid("abcd/efgh"));
    assert_false(kedr_request_id_valid("abcdefgh\n"));
    assert_false(kedr_request_id_valid("abcdefgh\r\nX-Evil: 1"));
    assert_false(kedr_request_id_valid("abcd%20efgh"));
    assert_false(kedr_request_id_valid("abcd\"efgh"));
    assert_false(kedr_request_id_valid("идентификатор"));

    /* 64 characters at most */
    memset(s, 'a', 64);
    s[64] = '\0';
    assert_true(kedr_request_id_valid(s));
    s[64] = 'a';
    s[65] = '\0';
    assert_false(kedr_request_id_valid(s));
    memset(s, 'z', 8);
    s[8] = '\0';
    assert_true(kedr_request_id_valid(s));
}

/* ------------------------------------------------------------------ */
/* kedr_json_bounds_check                                              */
/* ------------------------------------------------------------------ */

/* Check `json` against small bounds; the result, and the fields object
 * compacted into `out`. */
static int
bounds(const char *json, char *out, size_t outlen)
{
    static const struct kedr_field spec[] = {
        {.name = "few", .type = KEDR_T_ARRAY, .max = 2},
        {0},
    };
    static const struct kedr_json_bounds b = {
        .max_depth = 3, .max_items = 4, .max_keys = 3, .spec = spec};
    json_t *body = json_loads(json, 0, NULL), *fields = json_object();
    char *s;
    int n;

    assert_non_null(body);
    n = kedr_json_bounds_check(body, &b, fields);
    s = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS);
    snprintf(out, outlen, "%s", s);
    free(s);
    json_decref(fields);
    json_decref(body);
    return n;
}

static void
test_json_bounds(void **state)
{
    char out[512];

    (void)state;
    assert_int_equal(
        bounds("{\"a\":[1,2,3,4],\"b\":{\"x\":[1]}}", out, sizeof(out)), 0);
    assert_string_equal(out, "{}");
    /* too many items, named by the top-level field; a spec's max wins */
    assert_int_equal(
        bounds("{\"a\":[1,2,3,4,5],\"few\":[1,2,3]}", out, sizeof(out)), 2);
    assert_string_equal(out, "{\"a\":\"has too many items\",\"few\":\"has "
                             "too many items\"}");
    /* below the top too, one error per field */
    assert_int_equal(bounds("{\"e\":{\"k\":{\"a\":1,\"b\":2,\"c\":3,\"d\":4},"
                            "\"l\":[1,2,3,4,5]}}",
                            out, sizeof(out)),
                     1);
    assert_string_equal(out, "{\"e\":\"has too many keys\"}");
    /* the body itself: "" */
    assert_int_equal(bounds("[1,2,3,4,5]", out, sizeof(out)), 1);
    assert_string_equal(out, "{\"\":\"has too many items\"}");
    assert_int_equal(
        bounds("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", out, sizeof(out)), 1);
    /* nesting: three levels pass, four do not */
    assert_int_equal(bounds("{\"a\":[[1]]}", out, sizeof(out)), 0);
    assert_int_equal(bounds("{\"a\":[[[1]]]}", out, sizeof(out)), -1);
    assert_int_equal(bounds("[[[{}]]]", out, sizeof(out)), -1);
    /* a scalar is no level of its own */
    assert_int_equal(bounds("[[[\"s\"]]]", out, sizeof(out)), 0);
    assert_int_equal(bounds("[[[[\"s\"]]]]", out, sizeof(out)), -1);
}

/* ------------------------------------------------------------------ */
/* kedr_input_validate                                                 */
/* ------------------------------------------------------------------ */

/*
 * Validate `json` (text) against `spec`; return the error count, and the
 * fields object compacted into `out` ("{}" when clean).
 */
static int
validate(const struct kedr_field *spec, const char *json, char *out,
         size_t outlen)
{
    json_error_t jerr;
    json_t *body = json_loads(json, JSON_DECODE_ANY, &jerr);
    json_t *fields = json_object();
    char *dump;
    int n;

    if (body == NULL)
        fail_msg("bad test JSON %s: %s", json, jerr.text);
    n = kedr_input_validate(spec, body, fields);
    dump = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS);
    snprintf(out, outlen, "%s", dump);
    free(dump);
    json_decref(fields);
    json_decref(body);
    return n;
}

/* The message for field "v" in `{"v": <value>}`, or NULL when valid. */
static const char *
check_one(const struct kedr_field *spec, const char *value)
{
    static char msg[256];
    char json[512];
    json_t *body, *fields;
    const char *s;
    int n;

    snprintf(json, sizeof(json), "{\"v\": %s}", value);
    body = json_loads(json, 0, NULL);
    if (body == NULL)
        fail_msg("bad test JSON %s", json);
    fields = json_object();
    n = kedr_input_validate(spec, body, fields);
    s = json_string_value(json_object_get(fields, "v"));
    assert_int_equal(n, s != NULL ? 1 : 0);
    assert_int_equal(json_object_size(fields), (size_t)n);
    snprintf(msg, sizeof(msg), "%s", s != NULL ? s : "");
    json_decref(fields);
    json_decref(body);
    return n ? msg : NULL;
}

#define SPEC1(...)                                                             \
    ((const struct kedr_field[]){{.name = "v", __VA_ARGS__}, {0}})

static void
test_input_any(void **state)
{
    const struct kedr_field *spec = SPEC1(.type = KEDR_T_ANY);

    (void)state;
    assert_null(check_one(spec, "1"));
    assert_null(check_one(spec, "\"x\""));
    assert_null(check_one(spec, "[1, {}]"));
    assert_null(check_one(spec, "{\"a\": 1}"));
    assert_null(check_one(spec, "false"));
}

static void
test_input_string(void **state)
{
    const struct kedr_field *spec = SPEC1(.type = KEDR_T_STRING);
    const struct kedr_field *nonempty =
        SPEC1(.type = KEDR_T_STRING, .flags = KEDR_NONEMPTY);
    json_t *body, *fields;

    (void)state;
    assert_null(check_one(spec, "\"x\""));
    assert_null(check_one(spec, "\"\""));
    assert_null(check_one(spec, "\"   \""));
    assert_string_equal(check_one(spec, "1"), "must be a string");
    assert_string_equal(check_one(spec, "true"), "must be a string");
    assert_string_equal(check_one(spec, "[\"x\"]"), "must be a string");
    assert_string_equal(check_one(spec, "{}"), "must be a string");

    assert_null(check_one(nonempty, "\" x \""));
    assert_null(check_one(nonempty, "\"Ж\""));
    assert_string_equal(check_one(nonempty, "\"\""), "must not be empty");
    assert_string_equal(check_one(nonempty, "\"   \""), "must not be empty");
    assert_string_equal(check_one(nonempty, "\" \\t\\n\\r \""),
                        "must not be empty");

    /* an embedded NUL (only reachable through json_stringn or
     * JSON_ALLOW_NUL) is refused */
    body = json_object();
    fields = json_object();
    json_object_set_new(body, "v", json_stringn("a\0b", 3));
    assert_int_equal(kedr_input_validate(spec, body, fields), 1);
    assert_string_equal(json_string_value(json_object_get(fields, "v")),
                        "must not contain NUL characters");
    json_decref(fields);
    json_decref(body);
}

static void
test_input_string_max_utf8(void **state)
{
    const struct kedr_field *max5 = SPEC1(.type = KEDR_T_STRING, .max = 5);
    const struct kedr_field *max6 = SPEC1(.type = KEDR_T_STRING, .max = 6);
    const struct kedr_field *nolimit = SPEC1(.type = KEDR_T_STRING);

    (void)state;
    assert_null(check_one(max5, "\"abcde\""));
    assert_string_equal(check_one(max5, "\"abcdef\""), "is too long");
    /* "Привет": 6 characters, 12 bytes */
    assert_null(check_one(max6, "\"Привет\""));
    assert_string_equal(check_one(max5, "\"Привет\""), "is too long");
    assert_null(
        check_one(max6, "\"\\u041f\\u0440\\u0438\\u0432\\u0435\\u0442\""));
    /* mixed: "ab€😀" is 4 characters, 9 bytes */
    assert_null(check_one(max5, "\"ab€😀\""));
    assert_null(check_one(max5, "\"ab€😀x\""));
    assert_string_equal(check_one(max5, "\"ab€😀xy\""), "is too long");
    assert_null(check_one(nolimit, "\"a very long string with no limit at "
                                   "all set on it\""));
}

static void
test_input_int(void **state)
{
    const struct kedr_field *spec = SPEC1(.type = KEDR_T_INT);
    const struct kedr_field *ranged =
        SPEC1(.type = KEDR_T_INT, .min = 1, .max = 100);
    const struct kedr_field *neg =
        SPEC1(.type = KEDR_T_INT, .min = -10, .max = -1);

    (void)state;
    assert_null(check_one(spec, "0"));
    assert_null(check_one(spec, "-9007199254740993"));
    assert_null(check_one(spec, "9223372036854775807"));
    assert_string_equal(check_one(spec, "1.0"), "must be an integer");
    assert_string_equal(check_one(spec, "1.5"), "must be an integer");
    assert_string_equal(check_one(spec, "\"1\""), "must be an integer");
    assert_string_equal(check_one(spec, "true"), "must be an integer");

    assert_null(check_one(ranged, "1"));
    assert_null(check_one(ranged, "100"));
    assert_null(check_one(ranged, "50"));
    assert_string_equal(check_one(ranged, "0"), "is out of range");
    assert_string_equal(check_one(ranged, "101"), "is out of range");
    assert_string_equal(check_one(ranged, "-1"), "is out of range");
    assert_null(check_one(neg, "-10"));
    assert_null(check_one(neg, "-1"));
    assert_string_equal(check_one(neg, "0"), "is out of range");
    assert_string_equal(check_one(neg, "-11"), "is out of range");
}

static void
test_input_number(void **state)
{
    const struct kedr_field *spec = SPEC1(.type = KEDR_T_NUMBER);
    const struct kedr_field *ranged =
        SPEC1(.type = KEDR_T_NUMBER, .min = 0, .max = 1);

    (void)state;
    assert_null(check_one(spec, "1"));
    assert_null(check_one(spec, "1.5"));
    assert_null(check_one(spec, "-1e10"));
    assert_string_equal(check_one(spec, "\"1.5\""), "must be a number");
    assert_string_equal(check_one(spec, "false"), "must be a number");

    assert_null(check_one(ranged, "0"));
    assert_null(check_one(ranged, "0.5"));
    assert_null(check_one(ranged, "1.0"));
    assert_string_equal(check_one(ranged, "1.0001"), "is out of range");
    assert_string_equal(check_one(ranged, "-0.1"), "is out of range");
    assert_string_equal(check_one(ranged, "2"), "is out of range");
}

static void
test_input_bool_object_array(void **state)
{
    const struct kedr_field *b = SPEC1(.type = KEDR_T_BOOL);
    const struct kedr_field *o = SPEC1(.type = KEDR_T_OBJECT);
    const struct kedr_field *arr = SPEC1(.type = KEDR_T_ARRAY);
    const struct kedr_field *arr2 = SPEC1(.type = KEDR_T_ARRAY, .max = 2);

    (void)state;
    assert_null(check_one(b, "true"));
    assert_null(check_one(b, "false"));
    assert_string_equal(check_one(b, "0"), "must be true or false");
    assert_string_equal(check_one(b, "\"true\""), "must be true or false");

    assert_null(check_one(o, "{}"));
    assert_null(check_one(o, "{\"x\": [1]}"));
    assert_string_equal(check_one(o, "[]"), "must be an object");
    assert_string_equal(check_one(o, "\"{}\""), "must be an object");

    assert_null(check_one(arr, "[]"));
    assert_null(check_one(arr, "[1, 2, 3, 4, 5]"));
    assert_string_equal(check_one(arr, "{}"), "must be an array");
    assert_null(check_one(arr2, "[1, 2]"));
    assert_string_equal(check_one(arr2, "[1, 2, 3]"), "has too many items");
}

static void
test_input_money(void **state)
{
    const struct kedr_field *spec = SPEC1(.type = KEDR_T_MONEY);
    static const char *const good[] = {
        "\"1234.50\"",
        "\"0\"",
        "\"0.5\"",
        "\"-12.34\"",
        "\"1234\"",
        "\"-0\"",
        "\"9999999999999999.99\"",
        "\"007\"",
        NULL,
    };
    static const char *const bad[] = {
        "\"1.234\"",
        "\"12,5\"",
        "\"1e3\"",
        "\"\"",
        "\"-\"",
        "\".5\"",
        "\"1.\"",
        "\"+1\"",
        "\" 1\"",
        "\"1 \"",
        "\"1.2.3\"",
        "\"0x10\"",
        "\"12345678901234567\"",
        "\"--1\"",
        "\"1-\"",
        "\"1,234.50\"",
        "1234.5",
        "12",
        "true",
        "[\"1\"]",
        "{}",
        NULL,
    };
    const char *msg = "must be an amount as a decimal string (\"1234.50\")";

    (void)state;
    for (int i = 0; good[i] != NULL; i++) {
        const char *why = check_one(spec, good[i]);

        if (why != NULL)
            fail_msg("money %s: %s", good[i], why);
    }
    for (int i = 0; bad[i] != NULL; i++) {
        const char *why = check_one(spec, bad[i]);

        if (why == NULL)
            fail_msg("money %s accepted", bad[i]);
        assert_string_equal(why, msg);
    }
    /* null is "absent", and this field is not required */
    assert_null(check_one(spec, "null"));
}

static void
test_input_date(void **state)
{
    const struct kedr_field *spec = SPEC1(.type = KEDR_T_DATE);
    static const char *const good[] = {
        "2024-02-29", "2000-02-29", "2023-02-28", "2024-01-31", "2024-12-31",
        "0001-01-01", "9999-12-31", "2024-04-30", NULL,
    };
    static const char *const bad[] = {
        "2023-02-29",  "1900-02-29",  "2100-02-29", "2024-02-30",
        "2024-04-31",  "2024-06-31",  "2024-13-01", "2024-00-10",
        "2024-01-00",  "2024-01-32",  "0000-01-01", "2024-1-01",
        "2024-01-1",   "24-01-01",    "2024/01/01", "2024-01-01T00:00:00",
        "2024-01-01 ", " 2024-01-01", "20240101",   "",
        "2024-0a-01",  "+024-01-01",  "2024--1-01", "２０２４-01-01",
        NULL,
    };
    const char *msg = "must be a date (YYYY-MM-DD)";

    (void)state;
    for (int i = 0; good[i] != NULL; i++) {
        char v[64];
        const char *why;

        snprintf(v, sizeof(v), "\"%s\"", good[i]);
        why = check_one(spec, v);
        if (why != NULL)
            fail_msg("date %s: %s", good[i], why);
    }
    for (int i = 0; bad[i] != NULL; i++) {
        char v[64];
        const char *why;

        snprintf(v, sizeof(v), "\"%s\"", bad[i]);
        why = check_one(spec, v);
        if (why == NULL)
            fail_msg("date %s accepted", bad[i]);
        assert_string_equal(why, msg);
    }
    assert_string_equal(check_one(spec, "20240101"), msg);
}

static void
test_input_required(void **state)
{
    static const struct kedr_field spec[] = {
        {.name = "lang",
         .type = KEDR_T_STRING,
         .flags = KEDR_REQUIRED,
         .max = 2},
        {.name = "text",
         .type = KEDR_T_STRING,
         .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
         .max = 200},
        {.name = "note", .type = KEDR_T_STRING},
        {0},
    };
    char out[512];

    (void)state;
    assert_int_equal(
        validate(spec, "{\"lang\": \"ru\", \"text\": \"x\"}", out, sizeof(out)),
        0);
    assert_string_equal(out, "{}");
    /* optional fields may be absent or null */
    assert_int_equal(validate(spec,
                              "{\"lang\": \"ru\", \"text\": \"x\", "
                              "\"note\": null}",
                              out, sizeof(out)),
                     0);
    assert_int_equal(validate(spec, "{}", out, sizeof(out)), 2);
    assert_string_equal(out,
                        "{\"lang\":\"is required\",\"text\":\"is required\"}");
    /* null counts as absent */
    assert_int_equal(
        validate(spec, "{\"lang\": null, \"text\": \"x\"}", out, sizeof(out)),
        1);
    assert_string_equal(out, "{\"lang\":\"is required\"}");
    /* present but empty: NONEMPTY, not "required" */
    assert_int_equal(
        validate(spec, "{\"lang\": \"\", \"text\": \" \"}", out, sizeof(out)),
        1);
    assert_string_equal(out, "{\"text\":\"must not be empty\"}");
    /* every bad field is named */
    assert_int_equal(validate(spec,
                              "{\"lang\": \"rus\", \"text\": 5, "
                              "\"note\": []}",
                              out, sizeof(out)),
                     3);
    assert_string_equal(out, "{\"lang\":\"is too long\",\"note\":\"must be a "
                             "string\",\"text\":\"must be a string\"}");
}

static void
test_input_unknown_fields(void **state)
{
    static const struct kedr_field spec[] = {
        {.name = "name", .type = KEDR_T_STRING},
        {0},
    };
    static const struct kedr_field empty[] = {{0}};
    char out[512];

    (void)state;
    assert_int_equal(validate(spec, "{\"nmae\": \"x\"}", out, sizeof(out)), 1);
    assert_string_equal(out, "{\"nmae\":\"unknown field\"}");
    /* even when null */
    assert_int_equal(validate(spec,
                              "{\"name\": \"x\", \"extra\": null, \"Name\": 1}",
                              out, sizeof(out)),
                     2);
    assert_string_equal(out, "{\"Name\":\"unknown field\",\"extra\":\"unknown "
                             "field\"}");
    assert_int_equal(validate(empty, "{}", out, sizeof(out)), 0);
    assert_int_equal(validate(empty, "{\"a\": 1}", out, sizeof(out)), 1);
    assert_string_equal(out, "{\"a\":\"unknown field\"}");
}

static void
test_input_not_object(void **state)
{
    static const struct kedr_field spec[] = {
        {.name = "name", .type = KEDR_T_STRING, .flags = KEDR_REQUIRED},
        {0},
    };
    static const char *const bodies[] = {
        "[]", "[{\"name\": \"x\"}]", "\"x\"", "1", "null", "true", NULL};
    char out[512];
    json_t *fields;

    (void)state;
    for (int i = 0; bodies[i] != NULL; i++) {
        assert_int_equal(validate(spec, bodies[i], out, sizeof(out)), 1);
        assert_string_equal(out, "{\"\":\"must be a JSON object\"}");
    }
    fields = json_object();
    assert_int_equal(kedr_input_validate(spec, NULL, fields), 1);
    json_decref(fields);
}

static void
test_input_unknown_type(void **state)
{
    const struct kedr_field *spec = SPEC1(.type = (enum kedr_type)99);

    (void)state;
    assert_string_equal(check_one(spec, "1"), "has an unknown type");
}

/* ------------------------------------------------------------------ */
/* error codes                                                         */
/* ------------------------------------------------------------------ */

static void
test_error_codes(void **state)
{
    static const struct {
        int code, status;
        const char *name;
    } want[] = {
        {KEDR_EBADREQ, 400, "bad_request"},
        {KEDR_EUNAUTH, 401, "unauthenticated"},
        {KEDR_EFORBIDDEN, 403, "forbidden"},
        {KEDR_ENOTFOUND, 404, "not_found"},
        {KEDR_EMETHOD, 405, "method_not_allowed"},
        {KEDR_ECONFLICT, 409, "conflict"},
        {KEDR_ETOOLARGE, 413, "too_large"},
        {KEDR_EINVAL, 422, "validation"},
        {KEDR_ETHROTTLED, 429, "throttled"},
        {KEDR_EINTERNAL, 500, "internal"},
        {KEDR_EDBDOWN, 503, "db_unavailable"},
        {KEDR_EDB, 500, "db_error"},
    };

    (void)state;
    /* every code from KEDR_EBADREQ down to KEDR_EDB is listed above */
    assert_int_equal(sizeof(want) / sizeof(want[0]), -KEDR_EDB);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int st = kedr_error_status(want[i].code);

        assert_int_equal(want[i].code, -(int)(i + 1));
        assert_int_equal(st, want[i].status);
        assert_string_equal(kedr_error_name(want[i].code), want[i].name);
        assert_string_not_equal(kedr_status_text(st), "Unknown");
    }
}

static void
test_error_unknown_codes(void **state)
{
    static const int codes[] = {KEDR_OK, 1, -13, -100, INT_MIN, INT_MAX};

    (void)state;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        assert_int_equal(kedr_error_status(codes[i]), 500);
        assert_string_equal(kedr_error_name(codes[i]), "internal");
    }
}

static void
test_status_text(void **state)
{
    (void)state;
    assert_string_equal(kedr_status_text(200), "OK");
    assert_string_equal(kedr_status_text(201), "Created");
    assert_string_equal(kedr_status_text(204), "No Content");
    assert_string_equal(kedr_status_text(400), "Bad Request");
    assert_string_equal(kedr_status_text(404), "Not Found");
    assert_string_equal(kedr_status_text(405), "Method Not Allowed");
    assert_string_equal(kedr_status_text(422), "Unprocessable Content");
    assert_string_equal(kedr_status_text(503), "Service Unavailable");
    assert_string_equal(kedr_status_text(299), "Unknown");
    assert_string_equal(kedr_status_text(0), "Unknown");
}

/* ------------------------------------------------------------------ */
/* data-driven cases: tests/data/{pct,query,cookie}                    */
/* ------------------------------------------------------------------ */

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
    size_t len;

    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* Write s as "...": '"' and '\' escaped, control bytes and bytes that are
 * not well-formed UTF-8 as \xHH. */
static void
render_str(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);

    fputc('"', f);
    for (size_t i = 0; i < n;) {
        size_t k;

        if (p[i] == '"' || p[i] == '\\') {
            fprintf(f, "\\%c", p[i]);
            i++;
        } else if (p[i] < 0x20 || p[i] == 0x7f) {
            fprintf(f, "\\x%02X", p[i]);
            i++;
        } else if (p[i] < 0x80) {
            fputc(p[i], f);
            i++;
        } else if ((k = utf8_seq(p + i, n - i)) > 0) {
            fwrite(p + i, 1, k, f);
            i += k;
        } else {
            fprintf(f, "\\x%02X", p[i]);
            i++;
        }
    }
    fputc('"', f);
}

static void
render_list(FILE *f, const struct kedr_kvlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        render_str(f, l->items[i].key);
        fputs(" = ", f);
        render_str(f, l->items[i].value);
        fputc('\n', f);
    }
}

/* pct: "path <decoded>" and "form <decoded>", or "<mode> error". */
static char *
run_pct(const char *input, size_t len)
{
    struct kedr_arena a;
    char *out = NULL;
    size_t outlen;
    FILE *f = open_memstream(&out, &outlen);

    kedr_arena_init(&a);
    for (int form = 0; form <= 1; form++) {
        const char *s = kedr_pct_decode(&a, input, len, form != 0);

        fputs(form ? "form " : "path ", f);
        if (s == NULL)
            fputs("error", f);
        else
            render_str(f, s);
        fputc('\n', f);
    }
    fclose(f);
    kedr_arena_release(&a);
    return out;
}

/* query: one "key" = "value" line per pair; on failure only
 * error "raw name". */
static char *
run_query(const char *input, size_t len)
{
    struct kedr_arena a;
    struct kedr_kvlist l;
    char *out = NULL;
    size_t outlen;
    FILE *f = open_memstream(&out, &outlen);
    int rc;

    kedr_arena_init(&a);
    rc = kedr_query_parse(&a, input, len, &l);
    render_list(f, &l);
    if (rc != 0) {
        fputs("error ", f);
        render_str(f, l.bad);
        fputc('\n', f);
    }
    fclose(f);
    kedr_arena_release(&a);
    return out;
}

/* cookie: one "name" = "value" line per cookie. */
static char *
run_cookie(const char *input, size_t len)
{
    struct kedr_arena a;
    struct kedr_kvlist l;
    char *out = NULL;
    size_t outlen;
    FILE *f = open_memstream(&out, &outlen);

    kedr_arena_init(&a);
    kedr_cookie_parse(&a, input, len, &l);
    render_list(f, &l);
    fclose(f);
    kedr_arena_release(&a);
    return out;
}

static void
test_data_pct(void **state)
{
    (void)state;
    testdata_run("pct", run_pct);
}

static void
test_data_query(void **state)
{
    (void)state;
    testdata_run("query", run_query);
}

static void
test_data_cookie(void **state)
{
    (void)state;
    testdata_run("cookie", run_cookie);
}

#define ARENA_TEST(f)                                                          \
    cmocka_unit_test_setup_teardown(f, arena_setup, arena_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        ARENA_TEST(test_pct_plain),
        ARENA_TEST(test_pct_escapes),
        ARENA_TEST(test_pct_plus_modes),
        ARENA_TEST(test_pct_bad_escapes),
        ARENA_TEST(test_pct_invalid_utf8),
        ARENA_TEST(test_utf8_sanitize),
        ARENA_TEST(test_pct_truncated),
        ARENA_TEST(test_pct_nul_refused),
        ARENA_TEST(test_query_basic),
        ARENA_TEST(test_query_repeated),
        ARENA_TEST(test_query_empty_values),
        ARENA_TEST(test_query_plus_and_escapes),
        ARENA_TEST(test_query_bad_escape),
        ARENA_TEST(test_query_many),
        ARENA_TEST(test_cookie_basic),
        ARENA_TEST(test_cookie_spaces),
        ARENA_TEST(test_cookie_quotes),
        ARENA_TEST(test_cookie_junk),
        ARENA_TEST(test_cookie_empty),
        cmocka_unit_test(test_request_id),
        cmocka_unit_test(test_input_any),
        cmocka_unit_test(test_input_string),
        cmocka_unit_test(test_input_string_max_utf8),
        cmocka_unit_test(test_input_int),
        cmocka_unit_test(test_input_number),
        cmocka_unit_test(test_input_bool_object_array),
        cmocka_unit_test(test_input_money),
        cmocka_unit_test(test_input_date),
        cmocka_unit_test(test_input_required),
        cmocka_unit_test(test_input_unknown_fields),
        cmocka_unit_test(test_input_not_object),
        cmocka_unit_test(test_input_unknown_type),
        cmocka_unit_test(test_json_bounds),
        cmocka_unit_test(test_error_codes),
        cmocka_unit_test(test_error_unknown_codes),
        cmocka_unit_test(test_status_text),
        cmocka_unit_test(test_data_pct),
        cmocka_unit_test(test_data_query),
        cmocka_unit_test(test_data_cookie),
    };

    kedr_log_level = -1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
