/*
 * lib.h -- pure code without server state (lib/): parsing of outside
 * input (HTTP, cookies, query strings), CSV reading and writing, the
 * e-mail and date rules.  Unit-tested and fuzzed.  Included by core.h,
 * after the arena it allocates from.
 */
#ifndef KEDR_LIB_H
#define KEDR_LIB_H

/* Standalone too (the built-in modules include it without core.h, for
 * the pure functions: those taking an arena need the core's). */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <csv.h>

struct kedr_arena;
struct kedr_buf;

/* ------------------------------------------------------------------ */
/* http.c: parsing of outside input.  Pure functions.                  */
/* ------------------------------------------------------------------ */

/* A copy of `s` in arena memory with each byte that is not part of
 * well-formed UTF-8 replaced by U+FFFD: for text from outside that is
 * kept rather than refused (a browser's User-Agent). */
char *kedr_utf8_sanitize(struct kedr_arena *a, const char *s);
/* Percent-decode [s, s+n) into arena memory; '+' as space when `form`.
 * Returns NULL on a bad escape, an encoded NUL, or a result that is not
 * well-formed UTF-8. */
char *kedr_pct_decode(struct kedr_arena *a, const char *s, size_t n, bool form);

struct kedr_kv {
    char *key;
    char *value;
};

struct kedr_kvlist {
    struct kedr_kv *items;
    size_t n;
    const char *bad; /* kedr_query_parse: the raw name that did not decode */
};

/* Parse "a=1&b=%20x" into decoded pairs.  Returns 0, or -1 when a name or
 * value does not decode (kedr_pct_decode): the list is then empty and
 * `bad` holds the raw name of that pair (at most 64 bytes, made UTF-8). */
int kedr_query_parse(struct kedr_arena *a, const char *qs, size_t n,
                     struct kedr_kvlist *out);
/* Parse a Cookie header ("a=1; b=2").  Never fails; skips junk. */
void kedr_cookie_parse(struct kedr_arena *a, const char *s, size_t n,
                       struct kedr_kvlist *out);
const char *kedr_kv_get(const struct kedr_kvlist *l, const char *key);
/* Whether a request id from outside is safe to log and echo. */
bool kedr_request_id_valid(const char *s);
/* Validate a JSON body against a route's input spec; each error goes into
 * `fields` (an object: name -> message).  Returns the number of errors. */
int kedr_input_validate(const struct kedr_field *spec, json_t *body,
                        json_t *fields);
/* The generic bounds of a JSON body (server.json_max_* in kedr.conf). */
struct kedr_json_bounds {
    int max_depth;    /* levels of nesting; the body itself is level 1 */
    size_t max_items; /* items of one array */
    size_t max_keys;  /* keys of one object */
    const struct kedr_field *spec; /* the route's, or NULL: an array field
                                      with a max uses it instead */
};
/* Check a parsed body against `b` in one linear walk (recursion bounded
 * by max_depth).  -1 when it is nested deeper than max_depth (nothing
 * recorded); else the number of errors put into `fields` (name of the
 * top-level field, "" for the body itself -> message). */
int kedr_json_bounds_check(json_t *body, const struct kedr_json_bounds *b,
                           json_t *fields);
/* kedr_value_valid: money and date texts by the input-spec rules. */
bool kedr_value_check(int type, const char *text);
/* HTTP status and error-code string of a KEDR_E* code. */
int kedr_error_status(int code);
const char *kedr_error_name(int code);
const char *kedr_status_text(int status);

/* ------------------------------------------------------------------ */
/* csv.c: CSV reading and writing, cell conversion.  Pure functions.   */
/* ------------------------------------------------------------------ */

#define KEDR_CSV_MAX_CELLS 1024                /* cells of one record */
#define KEDR_CSV_MAX_RECORD ((size_t)32 << 20) /* bytes of one record */

/* A CSV reader (libcsv underneath).  Its members are private but for
 * `sep`, `line`, `err` and `err_line`. */
struct kedr_csv {
    const char *p, *end; /* unread input (a stream: the window's) */
    FILE *f;             /* the stream, or NULL for a buffer */
    char *buf;           /* a stream's window (malloc) */
    bool eof, bom;
    char sep;
    unsigned line;     /* line number of the next byte, from 1 */
    unsigned err_line; /* where the error kedr_csv_next returned was */
    const char *err;   /* what it was (static text), else NULL */
    struct csv_parser parser;
    int done; /* 1 at the end, -1 after an error */
    bool in_record;
    unsigned start; /* the line the current record began on */
    /* the record being read */
    struct kedr_arena *arena;
    struct kedr_csv_rec *rec;
    size_t cap, bytes;
    bool ended, too_many;
};

struct kedr_csv_rec {
    char **cells; /* NUL-terminated copies in the arena */
    size_t n;
    unsigned line; /* the line the record starts on */
};

/* Read `len` bytes of `data` (already UTF-8: kedr_csv_to_utf8), fields
 * separated by `sep`. */
void kedr_csv_init(struct kedr_csv *c, const char *data, size_t len, char sep);
/* Read a stream, through a 64 KiB window, never whole; a UTF-8 BOM at
 * its start is skipped.  The bytes are not converted: every encoding the
 * reader meets (UTF-8, Windows-1251, ISO-8859-1) keeps CSV's quote,
 * separators and line ends in ASCII, so cells are converted one by one
 * (kedr_sf_to_utf8).  The caller keeps `f` open and closes it. */
void kedr_csv_init_file(struct kedr_csv *c, FILE *f, char sep);
/*
 * The next record (blank lines skipped): 1 with rec filled (cells in
 * `a`), 0 at the end, -1 for malformed input: a quote not closed, a
 * quote inside an unquoted field or text after a closing quote (strict
 * RFC 4180), more than KEDR_CSV_MAX_CELLS cells or KEDR_CSV_MAX_RECORD
 * bytes, a read error.  On -1 rec->line and c->err_line say the line of
 * the error (for a quote not closed or a record too large, the line the
 * record began on) and c->err what it was; later calls return -1 again.
 */
int kedr_csv_next(struct kedr_csv *c, struct kedr_arena *a,
                  struct kedr_csv_rec *rec);
/* Free what the reader holds.  kedr_csv_next does it by itself when it
 * returns 0 or -1; a caller that stops before calls this (twice is
 * harmless). */
void kedr_csv_release(struct kedr_csv *c);
/* The separator of a file from its first line: ';' or ',', whichever
 * appears more often outside quotes (';' on a tie or with neither). */
char kedr_csv_detect_sep(const char *data, size_t len);
/* Whether [s, s+n) is valid UTF-8 without NUL bytes. */
bool kedr_utf8_valid(const char *s, size_t n);
/* The body as UTF-8: without its BOM when it has one, as is when valid
 * UTF-8, else converted from Windows-1251.  NULL when it is neither (or
 * holds a NUL byte).  *outlen gets the length. */
const char *kedr_csv_to_utf8(struct kedr_arena *a, const char *s, size_t n,
                             size_t *outlen);
/* Append one cell, quoted by RFC 4180 when it holds the separator, a
 * quote, CR or LF. */
void kedr_csv_put_cell(struct kedr_buf *b, const char *s, size_t n, char sep);
/* Whether Excel would take a text cell for a formula (it starts with
 * '=', '+', '-', '@', TAB or CR and is not a plain number like "-12"):
 * a CSV export writes a "'" before it, which an import drops again. */
bool kedr_csv_formula_like(const char *s);
/* A one-dimensional PostgreSQL array's text ("{a,\"b c\",NULL}") as
 * "a, b c" appended to `out` (NULLs left out); any other text as is. */
void kedr_csv_array_text(struct kedr_buf *out, const char *pg);
/* A cell's text (trimmed here) as JSON of `type` (kedr_import_csv rules):
 * a new reference, or NULL for an empty cell (*why NULL) or a value that
 * does not convert (*why the field error message). */
json_t *kedr_csv_cell_json(int type, const char *text, const char **why);
/* Whether two header names are equal, trimmed, ignoring case (ASCII and
 * Russian letters). */
bool kedr_csv_header_eq(const char *a, const char *b);

/* ------------------------------------------------------------------ */
/* values.c: the one e-mail rule and the one date rule of the tree       */
/* ------------------------------------------------------------------ */

/* An e-mail address: local@domain.tld, one '@', at most 254 bytes, no
 * spaces, control characters or <>(),;:"[]\, a domain that does not
 * start with a dot and ends with a dot and something after it.  The rule
 * of kedr_email_valid (kedr.h), the admin screens, `kedr user` and the
 * Salesforce migration. */
bool kedr_value_email_valid(const char *s);
/* Days in month m (1..12) of year y, leap years by the Gregorian rule. */
int kedr_value_month_days(int y, int m);
/* Whether s starts with "YYYY-MM-DD", a real day of a year from 1 (what
 * follows is the caller's); the parts go to *y, *m, *d. */
bool kedr_value_date_parse(const char *s, int *y, int *m, int *d);
/* Exactly "YYYY-MM-DD", a real day: KEDR_T_DATE, date attributes. */
bool kedr_value_date_valid(const char *s);
/* A date, or a date and time PostgreSQL takes as timestamptz:
 * YYYY-MM-DD[(T| )HH:MM[:SS[.f{1,6}]][Z|(+|-)HH[[:]MM]]]. */
bool kedr_value_datetime_valid(const char *s);

/* ------------------------------------------------------------------ */
/* ru.c: the checks behind kedr_inn_problem, kedr_kpp_problem,
 * kedr_ogrn_problem, kedr_phone_e164 (kedr.h has each contract); the
 * e-mail rule is kedr_value_email_valid (values.c). */
const char *kedr_ru_inn_problem(const char *inn);
const char *kedr_ru_kpp_problem(const char *kpp);
const char *kedr_ru_ogrn_problem(const char *ogrn);
bool kedr_ru_phone_e164(const char *in, char *out, size_t outsz);

#endif /* KEDR_LIB_H */
