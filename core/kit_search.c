/*
 * kit_search.c -- the top bar's global search, GET /api/v1/search?q=
 * [&limit=]: for each declared entity the user may read and that has a
 * search, the first matches of its own list asked with q= (the kit's
 * kedr_kit_select: the list's WHERE -- visibility in the scope of the
 * entity's read permission, its search, whatever hook the entity gives
 * its search -- and its order), one statement per entity, in the
 * request's transaction.  Portal users never reach it (not a portal
 * route), as they never reach a kit list.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define SEARCH_LIMIT_DEF 5
#define SEARCH_LIMIT_MAX 20
#define SEARCH_Q_MAX 200

/* The characters of UTF-8 `s`. */
static size_t
search_chars(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static const char search_unscoped_sql[] =
    "SELECT set_config('kedr.own_only', 'off', true)";

/* The json of one match over t: id, title (the first searchable column),
 * subtitle (the second, or null). */
static const char *
search_obj(kedr_req_t *r, const struct kedr_entity *e)
{
    const char *cols[2] = {NULL, "null"};
    int n = 0;

    /* a list (ABI 1.5) as its elements joined */
    for (const struct kedr_entity_col *c = e->cols; c->name && n < 2; c++)
        if ((c->flags & KEDR_COL_SEARCH) != 0)
            cols[n++] = kedr_sprintf(r,
                                     c->type == KEDR_T_ARRAY
                                         ? "array_to_string(t.%s, ', ')"
                                         : "t.%s::text",
                                     c->name);
    if (n == 0)
        return NULL;
    return kedr_sprintf(r,
                        "json_build_object('id', t.id, 'title', %s, "
                        "'subtitle', %s)",
                        cols[0], cols[1]);
}

/* The scope of `perm` for what follows: what the entity's list runs in
 * (a public list looks nobody up, so it is never limited). */
static int
search_scope(kedr_req_t *r, const char *perm)
{
    if (strcmp(perm, KEDR_PUBLIC) == 0)
        return kedr_core_db_query(r, search_unscoped_sql, 0, NULL) != NULL
                   ? 0
                   : (r->err_code ? r->err_code : KEDR_EDB);
    return kedr_auth_scope(r, perm);
}

/* One group: entity i's first `limit` matches of `q`, or NULL for none.
 * *scoped: the permission whose scope is set now (set again only when an
 * entity reads by another). */
static json_t *
search_entity(kedr_req_t *r, size_t i, const char *q, long limit,
              const char **scoped, int *rc)
{
    const char *full, *rows, *obj, *ui;
    const struct kedr_entity *e = kedr_kit_at(i, &full);
    struct kedr_kv kv[2] = {
        {.key = "q", .value = (char *)(uintptr_t)q},
        {.key = "limit", .value = kedr_sprintf(r, "%ld", limit + 1)},
    };
    struct kedr_kvlist ql = {.items = kv, .n = 2};
    json_t *arr, *items, *x;
    size_t j;

    *rc = 0;
    if (!kedr_kit_readable(r, i) || (obj = search_obj(r, e)) == NULL)
        return NULL;
    if (*scoped == NULL || strcmp(*scoped, e->perm_read) != 0) {
        if ((*rc = search_scope(r, e->perm_read)) != 0)
            return NULL;
        *scoped = e->perm_read;
    }
    if ((*rc = kedr_kit_select(r, i, &ql, obj, &rows)) != 0)
        return NULL;
    arr = kedr_json_parse(r, rows);
    if (json_array_size(arr) == 0)
        return NULL;
    ui = kedr_kit_ui(r, i);
    items = json_array();
    json_array_foreach (arr, j, x) {
        if (j == (size_t)limit)
            break;
        json_object_set_new(x, "entity", json_string(full));
        json_object_set_new(x, "label", json_string(kedr_kit_label(r, i)));
        json_object_set_new(
            x, "url",
            json_string(kedr_sprintf(
                r, "%s/%lld", ui,
                (long long)json_integer_value(json_object_get(x, "id")))));
        json_array_append(items, x);
    }
    return json_pack("{s:s, s:s, s:s, s:b, s:o}", "entity", full, "label",
                     kedr_kit_label(r, i), "ui", ui, "more",
                     json_array_size(arr) > (size_t)limit, "items", items);
}

static int
search_get(kedr_req_t *r)
{
    const char *q = kedr_query(r, "q"), *lim = kedr_query(r, "limit");
    const char *scoped = NULL;
    long limit = SEARCH_LIMIT_DEF;
    json_t *groups;
    int rc;

    q = q != NULL ? kedr_trim(r, q) : "";
    if (*q == '\0')
        return kedr_fail(r, KEDR_EINVAL, "q", "is required");
    if (search_chars(q) > SEARCH_Q_MAX)
        return kedr_fail(r, KEDR_EINVAL, "q", "is longer than 200 characters");
    if (lim != NULL) {
        size_t n = strlen(lim);

        if (n == 0 || n > 2 || strspn(lim, "0123456789") != n ||
            atol(lim) < 1 || atol(lim) > SEARCH_LIMIT_MAX)
            return kedr_fail(r, KEDR_EINVAL, "limit",
                             "must be a number from 1 to 20");
        limit = atol(lim);
    }
    groups = kedr_json_keep(r, json_array());
    for (size_t i = 0; i < kedr_kit_count(); i++) {
        json_t *g = search_entity(r, i, q, limit, &scoped, &rc);

        if (rc != 0)
            return rc;
        if (g == NULL)
            continue;
        if (json_array_append_new(groups, g) != 0)
            kedr_out_of_memory(r);
    }
    return kedr_reply_json(r, 200,
                           json_pack("{s:s, s:O}", "q", q, "groups", groups));
}

const struct kedr_route kedr_search_routes[] = {
    {.method = "GET", .path = "/search", .handler = search_get},
    {0},
};
