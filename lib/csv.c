/*
 * csv.c -- the pure parts of CSV export and import: reading records (RFC
 * 4180 quotes, line numbers), separator and encoding detection, quoting
 * cells for output, and turning a cell into JSON of a column's type.
 *
 * Records are read by libcsv in strict mode (a quote inside an unquoted
 * field, or text after a closing quote, is an error).  The reports name
 * each record by the file line it starts on, and a quoted newline makes a
 * record span lines, while libcsv's callbacks carry no position: so the
 * reader feeds libcsv one physical line at a time (with its line end)
 * and notes the line on which the current record began; the end-of-record
 * callback fires while the record's last line is fed.  The input is a
 * buffer in memory (the HTTP import) or a FILE read through a fixed
 * window (a data-export file of hundreds of MB is never read whole).
 * Fuzzed by tests/fuzz/csv.c and tests/fuzz/sf.c.
 */
#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define CSV_WINDOW (64 * 1024) /* a stream's read-ahead */

static bool
csv_is_eol(char ch)
{
    return ch == '\n' || ch == '\r';
}

/* libcsv's space test: none, so spaces are kept as they are. */
static int
csv_no_space(unsigned char ch)
{
    (void)ch;
    return 0;
}

static void
csv_parser_init(struct kedr_csv *c)
{
    csv_init(&c->parser, CSV_STRICT | CSV_STRICT_FINI);
    csv_set_delim(&c->parser, (unsigned char)c->sep);
    csv_set_space_func(&c->parser, csv_no_space);
    csv_set_realloc_func(&c->parser, kedr_xrealloc);
    csv_set_blk_size(&c->parser, 4096);
}

void
kedr_csv_init(struct kedr_csv *c, const char *data, size_t len, char sep)
{
    memset(c, 0, sizeof(*c));
    c->p = data;
    c->end = len > 0 ? data + len : data; /* no arithmetic on NULL */
    c->sep = sep;
    c->line = 1;
    csv_parser_init(c);
}

void
kedr_csv_init_file(struct kedr_csv *c, FILE *f, char sep)
{
    kedr_csv_init(c, NULL, 0, sep);
    c->f = f;
    c->buf = kedr_xmalloc(CSV_WINDOW);
    c->p = c->end = c->buf;
    c->bom = true;
}

void
kedr_csv_release(struct kedr_csv *c)
{
    csv_free(&c->parser);
    free(c->buf);
    c->buf = NULL;
    c->p = c->end = NULL;
    c->f = NULL;
}

/* A stream: move the unread bytes to the window's start and read more.
 * 0, or -1 on a read error. */
static int
csv_fill(struct kedr_csv *c)
{
    size_t left = (size_t)(c->end - c->p), got;

    memmove(c->buf, c->p, left);
    c->p = c->buf;
    c->end = c->buf + left;
    got = fread(c->buf + left, 1, CSV_WINDOW - left, c->f);
    c->end += got;
    if (got == 0) {
        if (ferror(c->f))
            return -1;
        c->eof = true;
    }
    if (c->bom && (size_t)(c->end - c->p) >= 3) {
        c->bom = false;
        if (memcmp(c->p, "\xef\xbb\xbf", 3) == 0)
            c->p += 3;
    } else if (c->eof) {
        c->bom = false;
    }
    return 0;
}

/*
 * The next piece of input to feed: a physical line with its line end
 * ("\r\n", "\n" or a lone "\r"; *eol set), or a piece of a line longer
 * than a stream's window, or the rest of the input without a line end.
 * 1 with *s, *n set, 0 at the end of the input, -1 on a read error.
 */
static int
csv_piece(struct kedr_csv *c, const char **s, size_t *n, bool *eol)
{
    for (;;) {
        const char *t = c->p;
        bool more = c->f != NULL && !c->eof;

        while (t < c->end && !csv_is_eol(*t))
            t++;
        if (t < c->end && *t == '\r' && t + 1 == c->end && more) {
            if (t > c->p) { /* feed up to the CR; see what follows it */
                *s = c->p;
                *n = (size_t)(t - c->p);
                *eol = false;
                c->p = t;
                c->bom = false;
                return 1;
            }
            if (csv_fill(c) != 0)
                return -1;
            continue;
        }
        if (t == c->end && more && (size_t)(c->end - c->p) < CSV_WINDOW / 2) {
            if (csv_fill(c) != 0)
                return -1;
            continue;
        }
        *eol = t < c->end;
        if (*eol)
            t += *t == '\r' && t + 1 < c->end && t[1] == '\n' ? 2 : 1;
        *s = c->p;
        *n = (size_t)(t - c->p);
        c->p = t;
        c->bom = false; /* a BOM only counts before the first byte fed */
        return *n > 0;
    }
}

/* libcsv's end-of-field callback: the cell into the record. */
static void
csv_on_field(void *s, size_t len, void *data)
{
    struct kedr_csv *c = data;
    struct kedr_csv_rec *rec = c->rec;

    if (rec->n == KEDR_CSV_MAX_CELLS) {
        c->too_many = true;
        return;
    }
    if (rec->n == c->cap) {
        size_t cap = c->cap == 0 ? 8 : 2 * c->cap;
        char **grown = kedr_arena_alloc(c->arena, cap * sizeof(char *));

        if (rec->n > 0)
            memcpy(grown, rec->cells, rec->n * sizeof(char *));
        rec->cells = grown;
        c->cap = cap;
    }
    rec->cells[rec->n++] =
        kedr_arena_strndup(c->arena, s != NULL ? s : "", len);
}

/* libcsv's end-of-record callback. */
static void
csv_on_record(int term, void *data)
{
    struct kedr_csv *c = data;

    (void)term;
    c->ended = true;
}

/* Stop with an error: -1 from now on, with its line and reason. */
static int
csv_fail(struct kedr_csv *c, unsigned line, const char *why)
{
    c->done = -1;
    c->err_line = line;
    c->err = why;
    kedr_csv_release(c);
    return -1;
}

/* Feed one piece (csv_piece) to libcsv, keeping the line count and the
 * line the current record began on.  0, or -1 (csv_fail). */
static int
csv_feed(struct kedr_csv *c, const char *s, size_t n, bool eol)
{
    bool content = c->in_record;

    if (!c->in_record) {
        c->start = c->line;
        for (size_t i = 0; i < n && !content; i++)
            content = !csv_is_eol(s[i]);
    }
    c->bytes += n;
    if (c->bytes > KEDR_CSV_MAX_RECORD)
        return csv_fail(c, c->start, "a record longer than 32 MiB");
    if (csv_parse(&c->parser, s, n, csv_on_field, csv_on_record, c) != n)
        return csv_fail(c, c->line,
                        c->parser.quoted ? "text after a closing quote"
                                         : "a quote inside an unquoted field");
    c->in_record = content && !c->ended;
    if (eol)
        c->line++;
    return 0;
}

/* kedr_csv_next without the error's line in rec. */
static int
csv_next(struct kedr_csv *c, struct kedr_arena *a, struct kedr_csv_rec *rec)
{
    const char *s;
    size_t n;
    bool eol;
    int rc;

    if (c->done != 0)
        return c->done < 0 ? -1 : 0;
    c->arena = a;
    c->rec = rec;
    c->cap = 0;
    c->ended = c->too_many = false;
    c->bytes = 0;
    while (!c->ended) {
        rc = csv_piece(c, &s, &n, &eol);
        if (rc < 0)
            return csv_fail(c, c->line, "cannot read the file");
        if (rc == 0) {
            if (csv_fini(&c->parser, csv_on_field, csv_on_record, c) != 0)
                return csv_fail(c, c->start, "a quote is not closed");
            c->done = 1;
            kedr_csv_release(c);
            if (!c->ended)
                return 0;
        } else if (csv_feed(c, s, n, eol) != 0) {
            return -1;
        }
    }
    rec->line = c->start;
    if (c->too_many)
        return csv_fail(c, c->start, "more than 1024 cells in a record");
    return 1;
}

int
kedr_csv_next(struct kedr_csv *c, struct kedr_arena *a,
              struct kedr_csv_rec *rec)
{
    int rc;

    rec->cells = NULL;
    rec->n = 0;
    rec->line = c->line;
    rc = csv_next(c, a, rec);
    if (rc < 0)
        rec->line = c->err_line;
    return rc;
}

char
kedr_csv_detect_sep(const char *data, size_t len)
{
    size_t semi = 0, comma = 0;
    bool quoted = false;

    for (size_t i = 0; i < len; i++) {
        char ch = data[i];

        if (ch == '"')
            quoted = !quoted;
        else if (!quoted && csv_is_eol(ch))
            break;
        else if (!quoted && ch == ';')
            semi++;
        else if (!quoted && ch == ',')
            comma++;
    }
    return comma > semi ? ',' : ';';
}

bool
kedr_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < n) {
        unsigned char b = s[i];
        size_t len;
        unsigned cp;

        if (b == 0)
            return false;
        if (b < 0x80) {
            i++;
            continue;
        }
        if (b >= 0xc2 && b <= 0xdf) {
            len = 2;
            cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
            len = 3;
            cp = b & 0x0f;
        } else if (b >= 0xf0 && b <= 0xf4) {
            len = 4;
            cp = b & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        /* overlong forms, surrogates, beyond U+10FFFF */
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return false;
        i += len;
    }
    return true;
}

/* iconv's descriptor, released with the arena. */
static void
csv_iconv_close(void *cd)
{
    iconv_close((iconv_t)cd);
}

const char *
kedr_csv_to_utf8(struct kedr_arena *a, const char *s, size_t n, size_t *outlen)
{
    iconv_t cd;
    char *out, *in, *o;
    size_t inleft, outleft;

    if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
        s += 3;
        n -= 3;
    }
    if (kedr_utf8_valid(s, n)) {
        *outlen = n;
        return s;
    }
    if (memchr(s, '\0', n) != NULL)
        return NULL;
    cd = iconv_open("UTF-8", "CP1251");
    if (cd == (iconv_t)-1)
        return NULL;
    kedr_arena_on_cleanup(a, csv_iconv_close, cd);
    /* a Windows-1251 byte is at most 3 bytes of UTF-8 */
    out = kedr_arena_alloc(a, 3 * n + 1);
    in = (char *)(uintptr_t)s; /* iconv's prototype, never written */
    inleft = n;
    o = out;
    outleft = 3 * n;
    if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1)
        return NULL; /* 0x98, the one byte Windows-1251 leaves undefined */
    *o = '\0';
    *outlen = (size_t)(o - out);
    return out;
}

/* "-12", "+3.5": a number Excel reads as one, harmless. */
static bool
csv_plain_number(const char *s)
{
    size_t i = 1, digits = 0;

    for (; s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (s[i] == '.' || s[i] == ',')
        for (i++; s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    return digits > 0 && s[i] == '\0';
}

void
kedr_csv_put_cell(struct kedr_buf *b, const char *s, size_t n, char sep)
{
    bool quote = false;

    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == sep || s[i] == '"' || csv_is_eol(s[i]);
    if (!quote) {
        kedr_buf_add(b, s, n);
        return;
    }
    kedr_buf_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        const char *q = memchr(s + i, '"', n - i);
        size_t run = q != NULL ? (size_t)(q - (s + i)) : n - i;

        kedr_buf_add(b, s + i, run);
        i += run;
        if (i < n)
            kedr_buf_add(b, "\"\"", 2);
    }
    kedr_buf_add(b, "\"", 1);
}

bool
kedr_csv_formula_like(const char *s)
{
    return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL &&
           !csv_plain_number(s);
}

void
kedr_csv_array_text(struct kedr_buf *out, const char *pg)
{
    size_t n = strlen(pg), items = 0;
    const char *p = pg + 1, *end = pg + n - 1;

    /* one dimension only: "{a,b}" -- not "{{a},{b}}" nor "[1:2]={a,b}" */
    if (n < 2 || pg[0] != '{' || pg[n - 1] != '}' || pg[1] == '{') {
        kedr_buf_adds(out, pg);
        return;
    }
    while (p < end) {
        const char *start = p;

        if (*p != '"') {
            while (p < end && *p != ',')
                p++;
            if (p - start != 4 || memcmp(start, "NULL", 4) != 0) {
                if (items++ > 0)
                    kedr_buf_add(out, ", ", 2);
                kedr_buf_add(out, start, (size_t)(p - start));
            }
        } else {
            if (items++ > 0)
                kedr_buf_add(out, ", ", 2);
            for (p++; p < end && *p != '"'; p++) {
                if (*p == '\\' && p + 1 < end)
                    p++;
                kedr_buf_add(out, p, 1);
            }
            p++; /* the closing quote */
        }
        if (p < end && *p == ',')
            p++;
    }
}

/* ------------------------------------------------------------------ */
/* cells to JSON                                                       */
/* ------------------------------------------------------------------ */

/* Whether [s, end) starts with white space; *len gets its bytes. */
static bool
csv_space(const char *s, const char *end, size_t *len)
{
    if (s >= end)
        return false;
    if (*s == ' ' || (*s >= '\t' && *s <= '\r')) {
        *len = 1;
        return true;
    }
    if (end - s >= 2 && (unsigned char)s[0] == 0xc2 &&
        (unsigned char)s[1] == 0xa0) {
        *len = 2; /* no-break space, Excel's thousands separator */
        return true;
    }
    return false;
}

/* [*start, *start + *n) without white space at either end. */
static void
csv_trim(const char **start, size_t *n)
{
    const char *s = *start, *e = s + *n;
    size_t k;

    while (csv_space(s, e, &k))
        s += k;
    while (e > s) {
        size_t left = (size_t)(e - s);

        if (e[-1] == ' ' || (e[-1] >= '\t' && e[-1] <= '\r'))
            e--;
        else if (left >= 2 && (unsigned char)e[-2] == 0xc2 &&
                 (unsigned char)e[-1] == 0xa0)
            e -= 2;
        else
            break;
    }
    *start = s;
    *n = (size_t)(e - s);
}

/* The next code point of UTF-8 text, lower-cased for ASCII and Russian
 * letters; 0 at the end.  Invalid bytes come through as themselves. */
static unsigned
csv_fold_next(const unsigned char **p, const unsigned char *end)
{
    const unsigned char *s = *p;
    unsigned cp;

    if (s >= end)
        return 0;
    if (s[0] >= 0xc0 && s[0] < 0xe0 && s + 1 < end && (s[1] & 0xc0) == 0x80) {
        cp = ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu);
        *p = s + 2;
    } else {
        cp = s[0];
        *p = s + 1;
    }
    if (cp >= 'A' && cp <= 'Z')
        cp += 'a' - 'A';
    else if (cp >= 0x410 && cp <= 0x42f) /* А..Я */
        cp += 0x20;
    else if (cp >= 0x400 && cp <= 0x40f) /* Ё and the rest */
        cp += 0x50;
    return cp;
}

/* Case-insensitive equality of [a, a+an) and [b, b+bn). */
static bool
csv_fold_eq(const char *a, size_t an, const char *b, size_t bn)
{
    const unsigned char *p = (const unsigned char *)a, *pe = p + an;
    const unsigned char *q = (const unsigned char *)b, *qe = q + bn;

    for (;;) {
        unsigned x = csv_fold_next(&p, pe), y = csv_fold_next(&q, qe);

        if (x != y)
            return false;
        if (x == 0)
            return p >= pe && q >= qe;
    }
}

bool
kedr_csv_header_eq(const char *a, const char *b)
{
    size_t an, bn;

    if (a == NULL || b == NULL)
        return false;
    an = strlen(a);
    bn = strlen(b);
    csv_trim(&a, &an);
    csv_trim(&b, &bn);
    return csv_fold_eq(a, an, b, bn);
}

/*
 * A number's text as C reads it into `out` (at most 63 bytes): white
 * space and no-break spaces (thousands separators) dropped, a decimal
 * comma made a point, a leading '+' dropped.  False when too long or it
 * holds anything but digits, one point, a leading minus.
 */
static bool
csv_number_text(const char *s, size_t n, char *out, size_t outsz)
{
    size_t o = 0, k;
    bool point = false, digit = false;

    if (n > 0 && *s == '+') {
        s++;
        n--;
    }
    for (size_t i = 0; i < n; i += k) {
        char ch = s[i];

        k = 1;
        if (csv_space(s + i, s + n, &k) || ch == '\'')
            continue;
        if (o + 1 >= outsz)
            return false;
        if (ch == '-' && o == 0) {
            out[o++] = ch;
        } else if ((ch == ',' || ch == '.') && !point) {
            point = true;
            out[o++] = '.';
        } else if (ch >= '0' && ch <= '9') {
            digit = true;
            out[o++] = ch;
        } else {
            return false;
        }
    }
    out[o] = '\0';
    return digit;
}

/* "DD.MM.YYYY" (day and month of one or two digits) or "YYYY-MM-DD" as
 * "YYYY-MM-DD" in out[11]; the calendar is checked by the caller. */
static bool
csv_date_text(const char *s, size_t n, char out[11])
{
    unsigned d, m, y;
    int used = 0;
    char tmp[16];

    if (n >= sizeof(tmp))
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (n == 10 && tmp[4] == '-' && tmp[7] == '-') {
        memcpy(out, tmp, 11);
        return true;
    }
    if (sscanf(tmp, "%2u.%2u.%4u%n", &d, &m, &y, &used) != 3 ||
        (size_t)used != n || y < 1000 || tmp[0] < '0' || tmp[0] > '9')
        return false;
    snprintf(out, 11, "%04u-%02u-%02u", y % 10000, m % 100, d % 100);
    return true;
}

static json_t *
csv_bool(const char *s, size_t n, const char **why)
{
    static const char *const yes[] = {"да", "yes", "true", "1", "y", "д"};
    static const char *const no[] = {"нет", "no", "false", "0", "n", "н"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (csv_fold_eq(s, n, yes[i], strlen(yes[i])))
            return json_true();
        if (csv_fold_eq(s, n, no[i], strlen(no[i])))
            return json_false();
    }
    *why = "must be да/нет, yes/no, true/false or 1/0";
    return NULL;
}

/* ',' or ';' separated items, each trimmed, empty ones dropped. */
static json_t *
csv_array(const char *s, size_t n)
{
    json_t *arr = json_array();
    const char *end = s + n;

    if (arr == NULL)
        kedr_oom();
    while (s < end) {
        const char *e = s, *t = s;
        size_t tn;

        while (e < end && *e != ',' && *e != ';')
            e++;
        tn = (size_t)(e - s);
        csv_trim(&t, &tn);
        /* the cell is valid UTF-8 and split on ASCII: so is each item */
        if (tn > 0 && json_array_append_new(arr, json_stringn(t, tn)) != 0) {
            json_decref(arr);
            kedr_oom();
        }
        s = e < end ? e + 1 : e;
    }
    return arr;
}

json_t *
kedr_csv_cell_json(int type, const char *text, const char **why)
{
    char num[64], date[11];
    const char *s = text;
    json_t *v = NULL;
    size_t n;

    *why = NULL;
    n = strlen(s);
    csv_trim(&s, &n);
    if (n == 0)
        return NULL;
    if (!kedr_utf8_valid(s, n)) {
        *why = "must be valid text";
        return NULL;
    }
    /* the quote an export put before formula-like text goes again: in a
     * text cell, and before a list's text as a whole (its first item) */
    if ((type == KEDR_T_ARRAY || type == KEDR_T_STRING) && n > 1 &&
        s[0] == '\'' && strchr("=+-@", s[1]) != NULL) {
        s++;
        n--;
    }
    switch (type) {
    case KEDR_T_INT:
        if (!csv_number_text(s, n, num, sizeof(num)) ||
            strchr(num, '.') != NULL || strlen(num) > 19) {
            *why = "must be a whole number";
            return NULL;
        }
        errno = 0;
        v = json_integer(strtoll(num, NULL, 10));
        if (errno != 0) {
            json_decref(v);
            *why = "must be a whole number";
            return NULL;
        }
        break;
    case KEDR_T_NUMBER: {
        double d;

        if (!csv_number_text(s, n, num, sizeof(num)) ||
            !isfinite(d = strtod(num, NULL))) {
            *why = "must be a number";
            return NULL;
        }
        v = json_real(d);
        break;
    }
    case KEDR_T_MONEY:
        if (!csv_number_text(s, n, num, sizeof(num)) ||
            !kedr_value_check(KEDR_T_MONEY, num)) {
            *why = "must be an amount like 1234.50";
            return NULL;
        }
        v = json_string(num);
        break;
    case KEDR_T_DATE:
        if (!csv_date_text(s, n, date) ||
            !kedr_value_check(KEDR_T_DATE, date)) {
            *why = "must be a date, YYYY-MM-DD or DD.MM.YYYY";
            return NULL;
        }
        v = json_string(date);
        break;
    case KEDR_T_BOOL:
        return csv_bool(s, n, why);
    case KEDR_T_ARRAY:
        return csv_array(s, n);
    default:
        v = json_stringn(s, n);
        break;
    }
    if (v == NULL)
        kedr_oom();
    return v;
}
