/*
 * http.c -- parsers of outside input (percent-encoding, query strings,
 * cookies, request ids, JSON input specs) and the error-code table.
 * Pure functions of their input: the fuzz targets and unit tests call
 * them directly.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* (kedr_utf8_valid is in csv.c, which checks files with it too) */
char *
kedr_utf8_sanitize(struct kedr_arena *a, const char *s)
{
    size_t n = strlen(s), o = 0;
    /* each bad byte becomes U+FFFD (3 bytes) */
    char *out = kedr_arena_alloc(a, 3 * n + 1);

    for (size_t i = 0; i < n;) {
        size_t good = 1;

        /* the well-formed character starting here (1 to 4 bytes) */
        while (good <= 4 && i + good <= n && !kedr_utf8_valid(s + i, good))
            good++;
        if (good <= 4 && i + good <= n) {
            memcpy(out + o, s + i, good);
            o += good;
            i += good;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    return out;
}

char *
kedr_pct_decode(struct kedr_arena *a, const char *s, size_t n, bool form)
{
    char *out = kedr_arena_alloc(a, n + 1), *o = out;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '%') {
            int h, l;

            if (i + 2 >= n)
                return NULL;
            h = hexval((unsigned char)s[i + 1]);
            l = hexval((unsigned char)s[i + 2]);
            if (h < 0 || l < 0 || (h == 0 && l == 0))
                return NULL;
            *o++ = (char)(h * 16 + l);
            i += 2;
        } else if (c == '\0') {
            return NULL;
        } else if (c == '+' && form) {
            *o++ = ' ';
        } else {
            *o++ = (char)c;
        }
    }
    *o = '\0';
    /* what a handler or PostgreSQL reads is text: well-formed UTF-8 */
    if (!kedr_utf8_valid(out, (size_t)(o - out)))
        return NULL;
    return out;
}

static void
kv_push(struct kedr_arena *a, struct kedr_kvlist *l, char *k, char *v,
        size_t *cap)
{
    if (l->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        struct kedr_kv *items = kedr_arena_alloc(a, ncap * sizeof(*items));

        if (l->n)
            memcpy(items, l->items, l->n * sizeof(*items));
        l->items = items;
        *cap = ncap;
    }
    l->items[l->n].key = k;
    l->items[l->n].value = v;
    l->n++;
}

int
kedr_query_parse(struct kedr_arena *a, const char *qs, size_t n,
                 struct kedr_kvlist *out)
{
    size_t cap = 0, i = 0;

    out->items = NULL;
    out->n = 0;
    out->bad = NULL;
    while (i < n) {
        size_t start = i, eq = (size_t)-1;
        char *k, *v;

        while (i < n && qs[i] != '&') {
            if (qs[i] == '=' && eq == (size_t)-1)
                eq = i;
            i++;
        }
        if (i > start) {
            size_t kend = eq != (size_t)-1 ? eq : i;

            k = kedr_pct_decode(a, qs + start, kend - start, true);
            v = eq != (size_t)-1
                    ? kedr_pct_decode(a, qs + eq + 1, i - eq - 1, true)
                    : kedr_arena_strdup(a, "");
            if (k == NULL || v == NULL) {
                /* the whole query is refused, not the pairs after this
                 * one only: a dropped dry_run or version would change what
                 * the request does.  The raw name goes into the error. */
                size_t kend2 = kend - start > 64 ? start + 64 : kend;

                out->bad = kedr_arena_strndup(a, qs + start, kend2 - start);
                if (!kedr_utf8_valid(out->bad, strlen(out->bad)))
                    out->bad = kedr_utf8_sanitize(a, out->bad);
                out->items = NULL;
                out->n = 0;
                return -1;
            }
            kv_push(a, out, k, v, &cap);
        }
        i++; /* skip '&' */
    }
    return 0;
}

void
kedr_cookie_parse(struct kedr_arena *a, const char *s, size_t n,
                  struct kedr_kvlist *out)
{
    size_t cap = 0, i = 0;

    out->items = NULL;
    out->n = 0;
    out->bad = NULL;
    while (i < n) {
        size_t ks, ke, vs, ve;

        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ';'))
            i++;
        ks = i;
        while (i < n && s[i] != '=' && s[i] != ';')
            i++;
        ke = i;
        while (ke > ks && (s[ke - 1] == ' ' || s[ke - 1] == '\t'))
            ke--;
        if (i >= n || s[i] != '=') {
            continue; /* a name without a value: skip */
        }
        i++;
        vs = i;
        while (i < n && s[i] != ';')
            i++;
        ve = i;
        while (vs < ve && (s[vs] == ' ' || s[vs] == '\t'))
            vs++;
        while (ve > vs && (s[ve - 1] == ' ' || s[ve - 1] == '\t'))
            ve--;
        if (ve >= vs + 2 && s[vs] == '"' && s[ve - 1] == '"') {
            vs++;
            ve--;
        }
        if (ke > ks && memchr(s + ks, '\0', ke - ks) == NULL &&
            memchr(s + vs, '\0', ve - vs) == NULL)
            kv_push(a, out, kedr_arena_strndup(a, s + ks, ke - ks),
                    kedr_arena_strndup(a, s + vs, ve - vs), &cap);
    }
}

const char *
kedr_kv_get(const struct kedr_kvlist *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].key, key) == 0)
            return l->items[i].value;
    return NULL;
}

bool
kedr_request_id_valid(const char *s)
{
    size_t n = 0;

    if (s == NULL)
        return false;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];

        if (n >= 64 || !(isalnum(c) || c == '-' || c == '_' || c == '.'))
            return false;
    }
    return n >= 8;
}

/* ------------------------------------------------------------------ */
/* JSON input specs                                                    */
/* ------------------------------------------------------------------ */

static size_t
utf8_length(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static bool
money_valid(const char *s)
{
    int ip = 0, fp = 0;

    if (*s == '-')
        s++;
    while (*s >= '0' && *s <= '9') {
        s++;
        ip++;
    }
    if (ip == 0 || ip > 16)
        return false;
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9') {
            s++;
            fp++;
        }
        if (fp == 0 || fp > 2)
            return false;
    }
    return *s == '\0';
}

bool
kedr_value_check(int type, const char *text)
{
    switch (type) {
    case KEDR_T_MONEY:
        return money_valid(text);
    case KEDR_T_DATE:
        return kedr_value_date_valid(text);
    default:
        return true;
    }
}

static const char *
field_check(const struct kedr_field *f, json_t *v)
{
    bool ranged = f->min < f->max;

    switch (f->type) {
    case KEDR_T_ANY:
        return NULL;
    case KEDR_T_STRING: {
        const char *s;

        if (!json_is_string(v))
            return "must be a string";
        s = json_string_value(v);
        if (strlen(s) != json_string_length(v))
            return "must not contain NUL characters";
        if ((f->flags & KEDR_NONEMPTY) != 0) {
            const char *p = s;

            while (*p && isspace((unsigned char)*p))
                p++;
            if (*p == '\0')
                return "must not be empty";
        }
        if (f->max > 0 && (double)utf8_length(s) > f->max)
            return "is too long";
        return NULL;
    }
    case KEDR_T_INT:
        if (!json_is_integer(v))
            return "must be an integer";
        if (ranged && ((double)json_integer_value(v) < f->min ||
                       (double)json_integer_value(v) > f->max))
            return "is out of range";
        return NULL;
    case KEDR_T_NUMBER:
        if (!json_is_number(v))
            return "must be a number";
        if (ranged &&
            (json_number_value(v) < f->min || json_number_value(v) > f->max))
            return "is out of range";
        return NULL;
    case KEDR_T_BOOL:
        return json_is_boolean(v) ? NULL : "must be true or false";
    case KEDR_T_OBJECT:
        return json_is_object(v) ? NULL : "must be an object";
    case KEDR_T_ARRAY:
        if (!json_is_array(v))
            return "must be an array";
        if (f->max > 0 && (double)json_array_size(v) > f->max)
            return "has too many items";
        return NULL;
    case KEDR_T_MONEY:
        if (!json_is_string(v) || !money_valid(json_string_value(v)))
            return "must be an amount as a decimal string (\"1234.50\")";
        return NULL;
    case KEDR_T_DATE:
        if (!json_is_string(v) || !kedr_value_date_valid(json_string_value(v)))
            return "must be a date (YYYY-MM-DD)";
        return NULL;
    }
    return "has an unknown type";
}

int
kedr_input_validate(const struct kedr_field *spec, json_t *body, json_t *fields)
{
    const char *key;
    json_t *v;
    int n = 0;

    if (!json_is_object(body)) {
        json_object_set_new(fields, "", json_string("must be a JSON object"));
        return 1;
    }
    for (const struct kedr_field *f = spec; f->name; f++) {
        const char *why;

        v = json_object_get(body, f->name);
        if (v == NULL || json_is_null(v)) {
            if ((f->flags & KEDR_REQUIRED) != 0) {
                json_object_set_new(fields, f->name,
                                    json_string("is required"));
                n++;
            }
            continue;
        }
        why = field_check(f, v);
        if (why != NULL) {
            json_object_set_new(fields, f->name, json_string(why));
            n++;
        }
    }
    json_object_foreach (body, key, v) {
        const struct kedr_field *f;

        for (f = spec; f->name; f++)
            if (strcmp(f->name, key) == 0)
                break;
        if (f->name == NULL) {
            json_object_set_new(fields, key, json_string("unknown field"));
            n++;
        }
    }
    return n;
}

/* One value of a body and what is below it, `depth` levels deep (the
 * body is level 1); `field` is the top-level field it is part of.
 * -1 when something is nested deeper than b->max_depth, else the errors
 * recorded (at most one per field). */
static int
bounds_walk(json_t *v, int depth, const struct kedr_json_bounds *b,
            const char *field, size_t max_items, json_t *fields)
{
    const char *why = NULL, *key;
    json_t *x;
    size_t i;
    int n = 0, sub;

    if (!json_is_array(v) && !json_is_object(v))
        return 0;
    if (depth > b->max_depth)
        return -1;
    if (json_is_array(v) && json_array_size(v) > max_items)
        why = "has too many items";
    else if (json_is_object(v) && json_object_size(v) > b->max_keys)
        why = "has too many keys";
    if (why != NULL) {
        if (json_object_get(fields, field) != NULL)
            return 0;
        json_object_set_new(fields, field, json_string(why));
        return 1;
    }
    if (json_is_array(v)) {
        json_array_foreach (v, i, x) {
            if ((sub = bounds_walk(x, depth + 1, b, field, b->max_items,
                                   fields)) < 0)
                return -1;
            n += sub;
        }
        return n;
    }
    json_object_foreach (v, key, x) {
        size_t items = b->max_items;

        if (depth == 1) {
            /* a top-level field names the errors below it, and its own
             * limit in the route's spec replaces the default */
            field = key;
            for (const struct kedr_field *f = b->spec; f && f->name; f++)
                if (strcmp(f->name, key) == 0 && f->type == KEDR_T_ARRAY &&
                    f->max > 0)
                    items = (size_t)f->max;
        }
        if ((sub = bounds_walk(x, depth + 1, b, field, items, fields)) < 0)
            return -1;
        n += sub;
    }
    return n;
}

int
kedr_json_bounds_check(json_t *body, const struct kedr_json_bounds *b,
                       json_t *fields)
{
    return bounds_walk(body, 1, b, "", b->max_items, fields);
}

/* ------------------------------------------------------------------ */
/* error codes                                                         */
/* ------------------------------------------------------------------ */

static const struct {
    int code;
    int status;
    const char *name;
} error_table[] = {
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

int
kedr_error_status(int code)
{
    for (size_t i = 0; i < sizeof(error_table) / sizeof(error_table[0]); i++)
        if (error_table[i].code == code)
            return error_table[i].status;
    return 500;
}

const char *
kedr_error_name(int code)
{
    for (size_t i = 0; i < sizeof(error_table) / sizeof(error_table[0]); i++)
        if (error_table[i].code == code)
            return error_table[i].name;
    return "internal";
}

static const struct {
    int status;
    const char *text;
} status_table[] = {
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {204, "No Content"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {409, "Conflict"},
    {413, "Content Too Large"},
    {415, "Unsupported Media Type"},
    {422, "Unprocessable Content"},
    {429, "Too Many Requests"},
    {500, "Internal Server Error"},
    {503, "Service Unavailable"},
};

const char *
kedr_status_text(int status)
{
    for (size_t i = 0; i < sizeof(status_table) / sizeof(status_table[0]); i++)
        if (status_table[i].status == status)
            return status_table[i].text;
    return "Unknown";
}
