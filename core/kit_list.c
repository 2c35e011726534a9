/*
 * kit_list.c -- the pure parts of the resource kit: the check of an
 * entity's declaration at load, and the list protocol's parameters
 * (filters, q, sort, limit, after, total) parsed against a declaration.
 * No database, no request: unit-tested by tests/unit/test_kit.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Names the kit gives its own columns, then the protocol's parameters
 * (only a filter column would collide with those). */
static const char *const kit_reserved[] = {
    "id",    "version", "attrs", "updated_at", "q",    "sort",
    "limit", "after",   "total", "attr",       "mine", NULL,
};
#define KIT_RESERVED_ALWAYS 4

/* What only a stored column of a plain type may be (ABI 1.4: computed
 * members and OBJECT columns are none of it). */
#define KIT_PLAIN_ONLY                                                         \
    (KEDR_COL_FILTER | KEDR_COL_SORT | KEDR_COL_SEARCH | KEDR_COL_UNIQUE |     \
     KEDR_COL_EXPORT)

/* Whether `s` is an SQL identifier we put into statements as is. */
static bool
kit_ident(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;

    return n > 0 && n <= 63 && strchr("abcdefghijklmnopqrstuvwxyz_", s[0]) &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* Whether `s` is "schema.table" of two identifiers. */
static bool
kit_table(const char *s)
{
    const char *dot = s != NULL ? strchr(s, '.') : NULL;
    char schema[64];

    if (dot == NULL || dot - s > 63)
        return false;
    memcpy(schema, s, (size_t)(dot - s));
    schema[dot - s] = '\0';
    return kit_ident(schema) && kit_ident(dot + 1);
}

/* Whether `s` is a route path of literal identifier segments ("/a/b"). */
static bool
kit_path(const char *s)
{
    if (s == NULL || *s != '/')
        return false;
    while (*s == '/') {
        size_t n = strspn(s + 1, "abcdefghijklmnopqrstuvwxyz0123456789_-");

        if (n == 0)
            return false;
        s += 1 + n;
    }
    return *s == '\0';
}

/* Whether column `c` takes a name of the kit's or the protocol's. */
static bool
kit_reserved_name(const struct kedr_entity_col *c)
{
    bool filter = (c->flags & KEDR_COL_FILTER) != 0;

    for (int i = 0; kit_reserved[i] != NULL; i++) {
        bool applies = filter || i < KIT_RESERVED_ALWAYS;

        if (applies && strcmp(kit_reserved[i], c->name) == 0)
            return true;
    }
    return false;
}

/* Why column `c`'s ABI 1.5 members (a stored ARRAY, a rule, a
 * collation) do not hold, or NULL. */
static const char *
kit_col_15_problem(const struct kedr_entity_col *c)
{
    bool list = c->type == KEDR_T_ARRAY && c->sql == NULL;

    if (list && ((c->flags & (KEDR_COL_SORT | KEDR_COL_UNIQUE)) != 0 ||
                 c->ref != NULL || c->options != NULL))
        return "a list (ARRAY) is never sorted, unique, a reference or "
               "an option";
    if (c->rule != 0 &&
        (c->sql != NULL || (c->type != KEDR_T_STRING && !list) ||
         (c->rule != KEDR_RULE_PHONE && c->rule != KEDR_RULE_EMAIL)))
        return "a rule is KEDR_RULE_PHONE or KEDR_RULE_EMAIL, of a stored "
               "STRING or ARRAY";
    if (c->item_max != 0 && !list)
        return "item_max is an ARRAY's";
    if (c->collate != NULL &&
        (c->type != KEDR_T_STRING || c->sql != NULL ||
         (c->flags & KEDR_COL_SORT) == 0 || c->collate[0] == '\0' ||
         strlen(c->collate) > 63 ||
         strspn(c->collate, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
                            "WXYZ0123456789_-.") != strlen(c->collate)))
        return "a collation is a sorted STRING's, of [A-Za-z0-9_.-]";
    return NULL;
}

static int kit_col(const struct kedr_entity *e, const char *name, size_t len,
                   unsigned flags);
static void kit_sort(struct kedr_arena *a, const struct kedr_entity *e,
                     const char *v, struct kedr_kit_list *out, json_t *fields,
                     int *nbad);

const char *
kedr_kit_check(const char *module, const struct kedr_entity *e, char *buf,
               size_t buflen)
{
    const char *en = e->name != NULL ? e->name : "(null)";
    int n = 0;

    if (!kit_ident(e->name)) {
        snprintf(buf, buflen, "entity \"%s\": name must match [a-z_][a-z0-9_]*",
                 en);
        return buf;
    }
    if (!kit_path(e->path) || !kit_table(e->table)) {
        snprintf(buf, buflen,
                 "entity \"%s\": path must be \"/segment\" and table "
                 "\"schema.table\" of [a-z_][a-z0-9_]*",
                 en);
        return buf;
    }
    if (e->ui != NULL && !kit_path(e->ui)) {
        snprintf(buf, buflen, "entity \"%s\": ui must be \"/segment\"", en);
        return buf;
    }
    if (e->label_ru == NULL || e->perm_read == NULL || e->perm_write == NULL ||
        e->cols == NULL) {
        snprintf(buf, buflen,
                 "entity \"%s\": label_ru, perm_read, perm_write and cols "
                 "are required",
                 en);
        return buf;
    }
    if (e->audit != NULL && strncmp(e->audit, module, strlen(module)) != 0) {
        snprintf(buf, buflen,
                 "entity \"%s\": audit name \"%s\" must start with the "
                 "module's name",
                 en, e->audit);
        return buf;
    }
    for (const struct kedr_entity_col *c = e->cols; c->name != NULL; c++, n++) {
        const char *why = NULL;

        if (!kit_ident(c->name))
            why = "name must match [a-z_][a-z0-9_]*";
        else if (c->name[0] == '_' ||
                 (kit_reserved_name(c) &&
                  (c->sql == NULL || strcmp(c->name, "updated_at") != 0)) ||
                 ((e->flags & KEDR_ENTITY_ARCHIVE) != 0 &&
                  strcmp(c->name, "active") == 0))
            why = "name is reserved by the kit";
        else if (c->type < KEDR_T_STRING || c->type > KEDR_T_DATE)
            why = "type must be STRING, INT, NUMBER, MONEY, DATE, BOOL, "
                  "OBJECT or ARRAY";
        else if ((why = kit_col_15_problem(c)) != NULL)
            ;
        else if ((c->flags & KEDR_COL_MODULE) != 0 &&
                 ((c->flags & KIT_PLAIN_ONLY) != 0 || c->ref != NULL ||
                  c->def != NULL || c->rule != 0 || c->options != NULL))
            why = "a member the module writes is never filtered, sorted, "
                  "searched, unique, exported, a reference, an option, "
                  "ruled or defaulted";
        else if ((c->flags & KEDR_COL_MODULE) == 0 &&
                 (c->sql != NULL || c->type == KEDR_T_OBJECT) &&
                 ((c->flags & (c->sql != NULL && c->type != KEDR_T_OBJECT &&
                                       c->type != KEDR_T_ARRAY
                                   ? KIT_PLAIN_ONLY & ~KEDR_COL_EXPORT
                                   : KIT_PLAIN_ONLY)) != 0 ||
                  c->ref != NULL ||
                  (c->sql != NULL &&
                   (c->def != NULL || (c->flags & KEDR_REQUIRED) != 0))))
            why = "a computed or OBJECT member is never filtered, sorted, "
                  "searched, unique, exported or a reference (computed: "
                  "never required, nor with a default)";
        else if (c->ref != NULL && c->type != KEDR_T_INT)
            why = "a reference must be of type INT";
        else if (c->label_ru == NULL)
            why = "label_ru is required";
        else if (c->options != NULL &&
                 (c->ref != NULL || c->options[0].value == NULL))
            why = "options need at least one row and no ref";
        for (const struct kedr_entity_option *o = c->options;
             why == NULL && o != NULL && o->value != NULL; o++)
            if (o->label_ru == NULL || !kedr_value_check(c->type, o->value) ||
                (c->type == KEDR_T_INT &&
                 (o->value[strspn(o->value, "-0123456789")] != '\0' ||
                  o->value[0] == '\0')))
                why = "an option needs label_ru and a value of the column's "
                      "type";
        for (const struct kedr_entity_col *o = e->cols; why == NULL && o < c;
             o++)
            if (strcmp(o->name, c->name) == 0)
                why = "is declared twice";
        if (why != NULL) {
            snprintf(buf, buflen, "entity \"%s\" column \"%s\": %s", en,
                     c->name != NULL ? c->name : "(null)", why);
            return buf;
        }
    }
    if (n == 0 || n > 40) {
        snprintf(buf, buflen, "entity \"%s\": 1 to 40 columns", en);
        return buf;
    }
    if ((e->where != NULL && e->where[0] == '\0') ||
        (e->title != NULL && kit_col(e, e->title, strlen(e->title), 0) < 0) ||
        (e->title != NULL &&
         e->cols[kit_col(e, e->title, strlen(e->title), 0)].type !=
             KEDR_T_STRING) ||
        ((e->flags & KEDR_ENTITY_DELETE_ARCHIVES) != 0 &&
         (e->flags & KEDR_ENTITY_ARCHIVE) == 0)) {
        snprintf(buf, buflen,
                 "entity \"%s\": where must not be empty, title must name a "
                 "STRING column, DELETE_ARCHIVES needs ARCHIVE",
                 en);
        return buf;
    }
    for (const struct kedr_entity_filter *f = e->filters;
         f != NULL && f->name != NULL; f++) {
        struct kedr_entity_col as = {.name = f->name, .flags = KEDR_COL_FILTER};
        const char *why = NULL;

        if (!kit_ident(f->name) || f->name[0] == '_' || kit_reserved_name(&as))
            why = "name must match [a-z_][a-z0-9_]* and be none of the "
                  "protocol's";
        else if (kit_col(e, f->name, strlen(f->name), KEDR_COL_FILTER) >= 0)
            why = "is a filter column's name";
        else if (f->type < KEDR_T_STRING || f->type > KEDR_T_DATE ||
                 f->type == KEDR_T_OBJECT || f->type == KEDR_T_ARRAY)
            why = "type must be STRING, INT, NUMBER, MONEY, DATE or BOOL";
        else if (f->sql == NULL || strstr(f->sql, "$1") == NULL ||
                 f->label_ru == NULL)
            why = "needs label_ru and sql with $1";
        if (why != NULL) {
            snprintf(buf, buflen, "entity \"%s\" filter \"%s\": %s", en,
                     f->name != NULL ? f->name : "(null)", why);
            return buf;
        }
    }
    if (e->sort != NULL) {
        struct kedr_arena a;
        struct kedr_kit_list *l;
        json_t *fields = json_object();
        int bad = 0;

        kedr_arena_init(&a);
        l = kedr_arena_alloc(&a, sizeof(*l));
        kit_sort(&a, e, e->sort, l, fields, &bad);
        kedr_arena_release(&a);
        json_decref(fields);
        if (bad > 0 || *e->sort == '\0') {
            snprintf(buf, buflen,
                     "entity \"%s\": sort \"%s\" is not a list of sortable "
                     "columns",
                     en, e->sort);
            return buf;
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------------
 * The list protocol
 * --------------------------------------------------------------------- */

/* The column `name` of `e` with all of `flags`, or -1. */
static int
kit_col(const struct kedr_entity *e, const char *name, size_t len,
        unsigned flags)
{
    for (int i = 0; e->cols[i].name != NULL; i++)
        if (strlen(e->cols[i].name) == len &&
            strncmp(e->cols[i].name, name, len) == 0)
            return (e->cols[i].flags & flags) == flags ? i : -1;
    return -1;
}

/* Why `v` is not a value of `type` in a filter, or NULL. */
static const char *
kit_value_problem(enum kedr_type type, const char *v)
{
    char *end;
    size_t n = strlen(v);

    switch (type) {
    case KEDR_T_INT:
        if (n == 0 || n > 19 ||
            (v[0] == '-' ? strspn(v + 1, "0123456789") != n - 1 || n == 1
                         : strspn(v, "0123456789") != n))
            return "must be a whole number";
        return NULL;
    case KEDR_T_NUMBER:
        (void)strtod(v, &end);
        return n == 0 || *end != '\0' || n > 40 ? "must be a number" : NULL;
    case KEDR_T_MONEY:
        return kedr_value_check(KEDR_T_MONEY, v)
                   ? NULL
                   : "must be an amount (\"1234.50\")";
    case KEDR_T_DATE:
        return kedr_value_check(KEDR_T_DATE, v) ? NULL
                                                : "must be a date (YYYY-MM-DD)";
    case KEDR_T_BOOL:
        return strcmp(v, "true") == 0 || strcmp(v, "false") == 0
                   ? NULL
                   : "must be true or false";
    default:
        return strlen(v) > 1000 ? "is too long" : NULL;
    }
}

static void
kit_bad(json_t *fields, const char *key, const char *msg, int *nbad)
{
    if (json_object_get(fields, key) == NULL)
        json_object_set_new(fields, key, json_string(msg));
    (*nbad)++;
}

/* The module's filter `key`=`v` into out (the parameter is no column's). */
static void
kit_own_filter(struct kedr_arena *a, const struct kedr_entity *e,
               const char *key, const char *v, struct kedr_kit_list *out,
               json_t *fields, int *nbad)
{
    const struct kedr_entity_filter *f = e->filters;
    struct kedr_kit_cond *c;
    const char *why;

    while (f != NULL && f->name != NULL && strcmp(f->name, key) != 0)
        f++;
    if (f == NULL || f->name == NULL) {
        kit_bad(fields, key, "is not a filter of this list", nbad);
        return;
    }
    if ((why = kit_value_problem(f->type, v)) != NULL) {
        kit_bad(fields, key, why, nbad);
        return;
    }
    if (out->nconds == KEDR_KIT_MAX_CONDS) {
        kit_bad(fields, key, "too many filters", nbad);
        return;
    }
    c = &out->conds[out->nconds++];
    c->col = -1;
    c->filter = (int)(f - e->filters);
    c->op = KEDR_KIT_EQ;
    c->vals = kedr_arena_alloc(a, sizeof(char *));
    c->vals[0] = v;
    c->nvals = 1;
}

/* Whether `v` is one of column c's option values. */
static bool
kit_is_option(const struct kedr_entity_col *c, const char *v)
{
    for (const struct kedr_entity_option *o = c->options; o->value != NULL; o++)
        if (strcmp(o->value, v) == 0)
            return true;
    return false;
}

/* One filter parameter `key`=`v` ("col", "col.gte", ...) into out. */
static void
kit_filter(struct kedr_arena *a, const struct kedr_entity *e, const char *key,
           const char *v, struct kedr_kit_list *out, json_t *fields, int *nbad)
{
    static const char *const ops[] = {"", ".gte", ".lte", ".in", ".null"};
    const char *dot = strchr(key, '.');
    size_t len = dot != NULL ? (size_t)(dot - key) : strlen(key);
    int col = kit_col(e, key, len, KEDR_COL_FILTER), op = -1;
    struct kedr_kit_cond *c;
    const char *why = NULL;

    for (int i = 0; i < 5; i++)
        if (strcmp(key + len, ops[i]) == 0)
            op = i;
    if (col < 0 && dot == NULL) {
        kit_own_filter(a, e, key, v, out, fields, nbad);
        return;
    }
    if (col < 0 || op < 0) {
        kit_bad(fields, key, "is not a filter of this list", nbad);
        return;
    }
    if (e->cols[col].type == KEDR_T_ARRAY &&
        (op == KEDR_KIT_GTE || op == KEDR_KIT_LTE)) {
        kit_bad(fields, key, "a list is filtered by =, .in or .null", nbad);
        return;
    }
    if (out->nconds == KEDR_KIT_MAX_CONDS) {
        kit_bad(fields, key, "too many filters", nbad);
        return;
    }
    c = &out->conds[out->nconds];
    c->col = col;
    c->filter = -1;
    c->op = (enum kedr_kit_op)op;
    if (c->op == KEDR_KIT_IN) {
        char *copy = kedr_arena_strdup(a, v), *save = NULL;

        c->vals = kedr_arena_alloc(a, KEDR_KIT_MAX_IN * sizeof(char *));
        c->nvals = 0;
        for (char *t = strtok_r(copy, ",", &save); t != NULL && why == NULL;
             t = strtok_r(NULL, ",", &save)) {
            if (c->nvals == KEDR_KIT_MAX_IN)
                why = "has more than 100 values";
            else if ((why = kit_value_problem(e->cols[col].type, t)) == NULL)
                c->vals[c->nvals++] = t;
        }
        if (why == NULL && c->nvals == 0)
            why = "needs at least one value";
    } else {
        c->vals = kedr_arena_alloc(a, sizeof(char *));
        c->vals[0] = v;
        c->nvals = 1;
        why = c->op == KEDR_KIT_NULL ? kit_value_problem(KEDR_T_BOOL, v)
                                     : kit_value_problem(e->cols[col].type, v);
    }
    /* ABI 1.5: an options column is filtered by its values only */
    for (int i = 0; why == NULL && e->cols[col].options != NULL &&
                    c->op != KEDR_KIT_NULL && i < c->nvals;
         i++)
        if (!kit_is_option(&e->cols[col], c->vals[i]))
            why = "is not one of the allowed values";
    if (why != NULL) {
        kit_bad(fields, key, why, nbad);
        return;
    }
    out->nconds++;
}

/* sort=col,-other into out (the id appended as the last key). */
static void
kit_sort(struct kedr_arena *a, const struct kedr_entity *e, const char *v,
         struct kedr_kit_list *out, json_t *fields, int *nbad)
{
    struct kedr_buf canon;

    kedr_buf_init(&canon, a);
    out->nsort = 0;
    for (const char *p = v; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ',');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        bool desc = *p == '-';
        size_t kn = n - (desc ? 1 : 0);
        const char *k = p + (desc ? 1 : 0);
        int col = kit_col(e, k, kn, KEDR_COL_SORT);
        bool id = kn == 2 && strncmp(k, "id", 2) == 0;

        /* ABI 1.5: the kit's own updated_at, which every table has */
        if (col < 0 && kn == 10 && strncmp(k, "updated_at", 10) == 0)
            col = KEDR_KIT_KEY_UPDATED;
        if ((col < 0 && col != KEDR_KIT_KEY_UPDATED && !id) ||
            out->nsort == KEDR_KIT_MAX_SORT - 1) {
            kit_bad(fields, "sort",
                    "is not a list of sortable columns (\"name,-due\")", nbad);
            return;
        }
        out->sort[out->nsort].col = id ? -1 : col;
        out->sort[out->nsort++].desc = desc;
        if (canon.len > 0)
            kedr_buf_adds(&canon, ",");
        kedr_buf_add(&canon, p, n);
        if (id)
            break; /* the id is unique: keys after it never decide */
        p = end != NULL ? end + 1 : NULL;
    }
    if (out->nsort == 0 || out->sort[out->nsort - 1].col != -1) {
        out->sort[out->nsort].col = -1;
        out->sort[out->nsort++].desc = false;
    }
    out->sort_text = canon.len > 0 ? canon.data : "id";
}

/* The value of base64url digit `c`, or -1. */
static int
kit_b64(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}

const char *
kedr_kit_cursor(struct kedr_arena *a, const char *sort_text, const char *keys)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    struct kedr_buf raw, out;
    unsigned long acc = 0;
    int bits = 0;

    kedr_buf_init(&raw, a);
    kedr_buf_init(&out, a);
    /* [sort_text, keys...]: keys is a JSON array, so splice it in */
    kedr_buf_adds(&raw, "[");
    {
        json_t *s = json_string(sort_text);
        char *t = s != NULL ? json_dumps(s, JSON_ENCODE_ANY) : NULL;

        json_decref(s);
        if (t == NULL)
            kedr_arena_fail(a);
        kedr_buf_adds(&raw, t);
        free(t);
    }
    kedr_buf_adds(&raw, ",");
    kedr_buf_adds(&raw, keys + 1); /* keys without its '[' */
    for (size_t i = 0; i < raw.len; i++) {
        acc = (acc << 8 | (unsigned char)raw.data[i]) & 0xffffff;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            kedr_buf_add(&out, &digits[(acc >> bits) & 63], 1);
        }
    }
    if (bits > 0)
        kedr_buf_add(&out, &digits[(acc << (6 - bits)) & 63], 1);
    return out.data;
}

/* after=<cursor> into out->after: nsort values (text or NULL). */
static void
kit_after(struct kedr_arena *a, const char *v, struct kedr_kit_list *out,
          json_t *fields, int *nbad)
{
    size_t len = strlen(v), n = 0;
    unsigned char *raw;
    unsigned long acc = 0;
    int bits = 0;
    json_t *arr = NULL, *x;

    if (len > 4096 || len % 4 == 1)
        goto bad;
    raw = kedr_arena_alloc(a, len * 3 / 4 + 1);
    for (size_t i = 0; i < len; i++) {
        int d = kit_b64((unsigned char)v[i]);

        if (d < 0)
            goto bad;
        acc = (acc << 6 | (unsigned long)d) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            raw[n++] = (unsigned char)(acc >> bits);
        }
    }
    arr = json_loadb((const char *)raw, n, 0, NULL);
    if (!json_is_array(arr) || json_array_size(arr) != (size_t)out->nsort + 1 ||
        !json_is_string(json_array_get(arr, 0)) ||
        strcmp(json_string_value(json_array_get(arr, 0)), out->sort_text) != 0)
        goto bad;
    out->after = kedr_arena_alloc(a, (size_t)out->nsort * sizeof(char *));
    for (int i = 0; i < out->nsort; i++) {
        x = json_array_get(arr, (size_t)i + 1);
        if (!json_is_string(x) && !(json_is_null(x) && i < out->nsort - 1))
            goto bad;
        out->after[i] =
            json_is_null(x) ? NULL : kedr_arena_strdup(a, json_string_value(x));
    }
    json_decref(arr);
    return;

bad:
    json_decref(arr);
    out->after = NULL;
    kit_bad(fields, "after",
            "is not a cursor of this list: use the next one it answered", nbad);
}

/* Whether entity e has a search of its own (ABI 1.4). */
static bool
kit_own_search(const struct kedr_entity *e)
{
    return e->hooks != NULL && e->hooks->search != NULL;
}

int
kedr_kit_list_parse(struct kedr_arena *a, const struct kedr_entity *e,
                    const struct kedr_kvlist *q, struct kedr_kit_list *out,
                    json_t *fields)
{
    return kedr_kit_list_parse_rank(a, e, q, NULL, out, fields);
}

int
kedr_kit_list_parse_rank(struct kedr_arena *a, const struct kedr_entity *e,
                         const struct kedr_kvlist *q, const char *rank,
                         struct kedr_kit_list *out, json_t *fields)
{
    const char *sort = kedr_kv_get(q, "sort");
    const char *after = NULL;
    int nbad = 0;

    memset(out, 0, sizeof(*out));
    out->limit = KEDR_KIT_LIMIT_DEF;
    if (rank != NULL && (sort == NULL || *sort == '\0')) {
        /* the search's order: rank, then the id */
        out->rank = rank;
        out->sort[0] = (struct kedr_kit_sort){.col = -2, .desc = false};
        out->sort[1] = (struct kedr_kit_sort){.col = -1, .desc = false};
        out->nsort = 2;
        out->sort_text = "_rank";
    } else {
        if (sort == NULL || *sort == '\0')
            sort = e->sort != NULL ? e->sort : "";
        kit_sort(a, e, sort, out, fields, &nbad);
    }
    for (size_t i = 0; i < q->n; i++) {
        const char *k = q->items[i].key, *v = q->items[i].value;

        if (k[0] == '_' || strncmp(k, "attr.", 5) == 0 ||
            strcmp(k, "sort") == 0)
            continue;
        if (strcmp(k, "limit") == 0) {
            size_t n = strlen(v);

            if (n == 0 || n > 3 || strspn(v, "0123456789") != n ||
                atol(v) < 1 || atol(v) > KEDR_KIT_LIMIT_MAX)
                kit_bad(fields, k, "must be a number from 1 to 500", &nbad);
            else
                out->limit = atol(v);
        } else if (strcmp(k, "total") == 0) {
            if (strcmp(v, "exact") != 0)
                kit_bad(fields, k, "must be exact", &nbad);
            out->exact = true;
        } else if (strcmp(k, "after") == 0) {
            after = v;
        } else if (strcmp(k, "mine") == 0) {
            if (e->own == NULL)
                kit_bad(fields, k, "this list has no owner", &nbad);
            else if (kit_value_problem(KEDR_T_BOOL, v) != NULL)
                kit_bad(fields, k, "must be true or false", &nbad);
            out->mine = strcmp(v, "true") == 0;
        } else if (strcmp(k, "q") == 0) {
            char *copy = kedr_arena_strdup(a, v), *save = NULL;

            for (char *t = strtok_r(copy, " \t\r\n", &save); t != NULL;
                 t = strtok_r(NULL, " \t\r\n", &save))
                if (out->nwords < KEDR_KIT_MAX_WORDS)
                    out->words[out->nwords++] = t;
        } else {
            kit_filter(a, e, k, v, out, fields, &nbad);
        }
    }
    if (out->nwords > 0 && !kit_own_search(e)) {
        bool any = false;

        for (const struct kedr_entity_col *c = e->cols; c->name != NULL; c++)
            any = any || (c->flags & KEDR_COL_SEARCH) != 0;
        if (!any)
            kit_bad(fields, "q", "this list has no search", &nbad);
    }
    if (after != NULL && *after != '\0')
        kit_after(a, after, out, fields, &nbad);
    return nbad;
}
