/*
 * views.c -- what the shell keeps per user for the working page and the
 * lists (issue 13): saved views, GET/POST/PATCH/DELETE /api/v1/views (a
 * named list-protocol query of one entity; a user sees and changes only
 * their own, audited as core.saved_view), and recent records, GET/POST
 * /api/v1/recent (the cards the user opened, the last 50 kept).  Both
 * only for declared entities the user may read now: a view or a recent
 * record of an entity whose permission was taken away is not shown.
 * A built-in module: the core links it in, it sees kedr.h alone.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kedr.h>

#define RECENT_KEEP 50

/* ---------------------------------------------------------------------
 * Shared
 * --------------------------------------------------------------------- */

/* The entities the user may read, as a JSON array text (for ANY). */
static const char *
views_readable(kedr_req_t *r)
{
    json_t *a = kedr_json_keep(r, json_array());
    const char *full;

    for (size_t i = 0; (full = kedr_entity_name(r, i)) != NULL; i++)
        if (kedr_entity_readable(r, full, NULL, NULL))
            json_array_append_new(a, json_string(full));
    return kedr_json_text(r, a);
}

/* Whether the entity `full` is one the user may read; if not, a 422 is
 * recorded on "entity" (a hidden entity and a missing one answer the
 * same). */
static bool
views_entity(kedr_req_t *r, const char *full)
{
    if (!kedr_entity_readable(r, full, NULL, NULL)) {
        kedr_fail(r, KEDR_EINVAL, "entity", "no such list");
        return false;
    }
    return true;
}

/* Each item of JSON array text `rows` given its entity's label and UI
 * page; the array. */
static json_t *
views_labelled(kedr_req_t *r, const char *rows)
{
    json_t *arr = kedr_json_parse(r, rows), *x;
    size_t j;

    json_array_foreach (arr, j, x) {
        const char *label = NULL, *ui = NULL;

        (void)kedr_entity_readable(
            r, json_string_value(json_object_get(x, "entity")), &label, &ui);
        if (label == NULL && ui == NULL)
            continue; /* no longer served */
        json_object_set_new(x, "label", json_string(label));
        json_object_set_new(x, "ui", json_string(ui));
    }
    return arr;
}

/* ---------------------------------------------------------------------
 * Saved views
 * --------------------------------------------------------------------- */

#define VIEW_OBJ                                                               \
    "json_build_object('id', v.id, 'entity', v.entity, 'name', v.name, "       \
    "'query', v.query, 'position', v.position, 'created_at', v.created_at)"

static const char views_list_sql[] =
    "SELECT coalesce(json_agg(" VIEW_OBJ " ORDER BY v.entity, v.position, "
    "v.id), '[]')::text FROM core.saved_view v WHERE v.user_id = "
    "core.current_user_id() AND v.entity IN (SELECT "
    "jsonb_array_elements_text($1::jsonb)) AND ($2::text IS NULL OR "
    "v.entity = $2)";

static const char views_insert_sql[] =
    "INSERT INTO core.saved_view AS v (user_id, entity, name, query, "
    "position) SELECT core.current_user_id(), $1, $2, $3, coalesce($4::int, "
    "(SELECT coalesce(max(position), 0) + 1 FROM core.saved_view WHERE "
    "user_id = core.current_user_id() AND entity = $1)) RETURNING " VIEW_OBJ
    "::text";

static const char views_lock_sql[] =
    "SELECT " VIEW_OBJ "::text FROM core.saved_view v WHERE v.id = $1 AND "
    "v.user_id = core.current_user_id() FOR UPDATE";

static const char views_update_sql[] =
    "UPDATE core.saved_view v SET name = coalesce($2, v.name), query = "
    "coalesce($3, v.query), position = coalesce($4::int, v.position), "
    "updated_at = now() WHERE v.id = $1 RETURNING " VIEW_OBJ "::text";

static const char views_delete_sql[] =
    "DELETE FROM core.saved_view v WHERE v.id = $1";

static const struct kedr_field views_create_in[] = {
    {.name = "entity",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED,
     .max = 200},
    {.name = "name",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 100},
    {.name = "query", .type = KEDR_T_STRING, .max = 4000},
    {.name = "position", .type = KEDR_T_INT, .min = 0, .max = 100000},
    {0},
};

static const struct kedr_field views_update_in[] = {
    {.name = "name", .type = KEDR_T_STRING, .flags = KEDR_NONEMPTY, .max = 100},
    {.name = "query", .type = KEDR_T_STRING, .max = 4000},
    {.name = "position", .type = KEDR_T_INT, .min = 0, .max = 100000},
    {0},
};

/* Whether `s` is "name,other" of identifiers (the columns shown). */
static bool
views_cols(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n <= 1000 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.,") == n;
}

/* Query string `qs` checked as a list-protocol query of entity `entity`,
 * plus `_cols` (the columns shown): 0, or KEDR_EINVAL naming "query". */
static int
views_check_query(kedr_req_t *r, const char *entity, const char *qs)
{
    json_t *ql = kedr_query_decode(r, qs), *pair;
    json_t *fields = kedr_json_keep(r, json_object());
    const char *key, *why = NULL;
    json_t *v;
    size_t j;

    if (ql == NULL)
        return kedr_fail(r, KEDR_EINVAL, "query", "does not decode");
    json_array_foreach (ql, j, pair) {
        const char *k = json_string_value(json_array_get(pair, 0));
        const char *val = json_string_value(json_array_get(pair, 1));

        if (why != NULL)
            break;
        if (strcmp(k, "_cols") == 0 && !views_cols(val))
            why = kedr_sprintf(r, "%s: must be column names", k);
        else if (k[0] == '_' && strcmp(k, "_cols") != 0)
            why = kedr_sprintf(r, "%s: is not a parameter of a view", k);
        else if (strcmp(k, "after") == 0)
            why = "after: a view keeps no page";
    }
    if (why == NULL && kedr_entity_check_query(r, entity, qs, fields) > 0) {
        json_object_foreach (fields, key, v) {
            why = kedr_sprintf(r, "%s: %s", key, json_string_value(v));
            break;
        }
        if (why == NULL)
            why = "is not a query of this list";
    }
    return why != NULL ? kedr_fail(r, KEDR_EINVAL, "query", "%s", why) : 0;
}

/* The request's failed write of a view, as the client should see it. */
static int
views_db_fail(kedr_req_t *r, int rc)
{
    const char *state = kedr_db_sqlstate(r);

    if (state != NULL && strcmp(state, "23505") == 0)
        return kedr_fail(r, KEDR_ECONFLICT, "name",
                         "you have a view of this list by that name");
    return rc;
}

static int
views_list(kedr_req_t *r)
{
    const char *entity = kedr_query(r, "entity"), *rows;
    int rc;

    if (entity != NULL && !views_entity(r, entity))
        return KEDR_EINVAL;
    if ((rc = kedr_db_json(r, views_list_sql,
                           KEDR_PARAMS(views_readable(r), entity), &rows)) != 0)
        return rc;
    return kedr_reply_json(
        r, 200, json_pack("{s:O}", "items", views_labelled(r, rows)));
}

/* The body's integer `name` as text, or NULL. */
static const char *
views_int(kedr_req_t *r, const char *name)
{
    json_t *v = json_object_get(kedr_body(r), name);

    return json_is_integer(v)
               ? kedr_sprintf(r, "%lld", (long long)json_integer_value(v))
               : NULL;
}

/* The body's string `name` trimmed, or NULL. */
static const char *
views_str(kedr_req_t *r, const char *name)
{
    const char *v = json_string_value(json_object_get(kedr_body(r), name));

    return v != NULL ? kedr_trim(r, v) : NULL;
}

static int
views_create(kedr_req_t *r)
{
    const char *entity = views_str(r, "entity"), *name = views_str(r, "name");
    const char *query = views_str(r, "query"), *row;
    int rc;

    if (!views_entity(r, entity))
        return KEDR_EINVAL;
    if (query == NULL)
        query = "";
    if ((rc = views_check_query(r, entity, query)) != 0)
        return rc;
    if ((rc = kedr_db_json(
             r, views_insert_sql,
             KEDR_PARAMS(entity, name, query, views_int(r, "position")),
             &row)) != 0)
        return views_db_fail(r, rc);
    if ((rc = kedr_record(r, "core.saved_view", "created", NULL,
                          kedr_json_parse(r, row), NULL)) != 0)
        return rc;
    return kedr_reply_text(r, 201, row);
}

static int
views_update(kedr_req_t *r)
{
    const char *name = views_str(r, "name"), *query = views_str(r, "query");
    const char *row, *entity;
    json_t *old;
    int rc;

    old = kedr_db_lock(r, views_lock_sql, kedr_param_id(r, "id"), NULL, "view",
                       &rc);
    if (old == NULL)
        return rc;
    entity = json_string_value(json_object_get(old, "entity"));
    if (!kedr_entity_readable(r, entity, NULL, NULL))
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such view");
    if (query != NULL && (rc = views_check_query(r, entity, query)) != 0)
        return rc;
    if ((rc = kedr_db_json(r, views_update_sql,
                           KEDR_PARAMS(kedr_param_id(r, "id"), name, query,
                                       views_int(r, "position")),
                           &row)) != 0)
        return views_db_fail(r, rc);
    if ((rc = kedr_record(r, "core.saved_view", "updated", old,
                          kedr_json_parse(r, row), NULL)) != 0)
        return rc;
    return kedr_reply_text(r, 200, row);
}

static int
views_delete(kedr_req_t *r)
{
    json_t *old;
    int rc;

    old = kedr_db_lock(r, views_lock_sql, kedr_param_id(r, "id"), NULL, "view",
                       &rc);
    if (old == NULL)
        return rc;
    if (kedr_db_query(r, views_delete_sql,
                      KEDR_PARAMS(kedr_param_id(r, "id"))) == NULL)
        return KEDR_EDB;
    return kedr_record(r, "core.saved_view", "deleted", old, NULL, NULL);
}

/* ---------------------------------------------------------------------
 * Recent records
 * --------------------------------------------------------------------- */

static const char recent_list_sql[] =
    "SELECT coalesce(json_agg(json_build_object('entity', x.entity, 'id', "
    "x.record_id, 'title', x.title, 'url', x.url, 'opened_at', x.opened_at) "
    "ORDER BY x.opened_at DESC), '[]')::text FROM (SELECT * FROM core.recent "
    "WHERE user_id = core.current_user_id() AND entity IN (SELECT "
    "jsonb_array_elements_text($1::jsonb)) ORDER BY opened_at DESC LIMIT "
    "$2::int) x";

static const char recent_put_sql[] =
    "INSERT INTO core.recent (user_id, entity, record_id, title, url) VALUES "
    "(core.current_user_id(), $1, $2::bigint, $3, $4) ON CONFLICT (user_id, "
    "entity, record_id) DO UPDATE SET title = EXCLUDED.title, url = "
    "EXCLUDED.url, opened_at = clock_timestamp()";

static const char recent_trim_sql[] =
    "DELETE FROM core.recent r WHERE r.user_id = core.current_user_id() AND "
    "(r.entity, r.record_id) NOT IN (SELECT entity, record_id FROM "
    "core.recent WHERE user_id = core.current_user_id() ORDER BY opened_at "
    "DESC LIMIT $1::int)";

static const struct kedr_field recent_in[] = {
    {.name = "entity",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED,
     .max = 200},
    {.name = "id",
     .type = KEDR_T_INT,
     .flags = KEDR_REQUIRED,
     .min = 1,
     .max = 9007199254740991.0},
    {.name = "title",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 200},
    {.name = "url", .type = KEDR_T_STRING, .flags = KEDR_REQUIRED, .max = 500},
    {0},
};

static int
recent_list(kedr_req_t *r)
{
    long n = kedr_query_count(r, "limit", 20, RECENT_KEEP);
    const char *rows;
    int rc;

    if (n < 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    if (n == 0)
        return kedr_fail(r, KEDR_EINVAL, "limit", "must be 1 or more");
    if ((rc = kedr_db_json(
             r, recent_list_sql,
             KEDR_PARAMS(views_readable(r), kedr_sprintf(r, "%ld", n)),
             &rows)) != 0)
        return rc;
    return kedr_reply_json(
        r, 200, json_pack("{s:O}", "items", views_labelled(r, rows)));
}

static int
recent_put(kedr_req_t *r)
{
    const char *entity = views_str(r, "entity"), *url = views_str(r, "url");

    if (!views_entity(r, entity))
        return KEDR_EINVAL;
    /* a page of this application: a path, never another site */
    if (url[0] != '/' || url[1] == '/' || url[1] == '\\' ||
        strpbrk(url, " \t\r\n") != NULL)
        return kedr_fail(r, KEDR_EINVAL, "url",
                         "must be a path of this site (\"/clients/5\")");
    if (kedr_db_query(r, recent_put_sql,
                      KEDR_PARAMS(entity, views_int(r, "id"),
                                  views_str(r, "title"), url)) == NULL ||
        kedr_db_query(r, recent_trim_sql,
                      KEDR_PARAMS(kedr_sprintf(r, "%d", RECENT_KEEP))) == NULL)
        return KEDR_EDB;
    return 0; /* 204 */
}

static const struct kedr_route views_routes[] = {
    {.method = "GET", .path = "/views", .handler = views_list},
    {.method = "POST",
     .path = "/views",
     .handler = views_create,
     .input = views_create_in},
    {.method = "PATCH",
     .path = "/views/:id",
     .handler = views_update,
     .input = views_update_in},
    {.method = "DELETE", .path = "/views/:id", .handler = views_delete},
    {.method = "GET", .path = "/recent", .handler = recent_list},
    {.method = "POST",
     .path = "/recent",
     .handler = recent_put,
     .input = recent_in},
    {0},
};

/* A built-in module: the core links it in and mounts its routes under
 * /api/v1 itself (core/builtin.c). */
const struct kedr_module kedr_builtin_views = {
    KEDR_MODULE_HEADER,
    .name = "views",
    .version = "1.0",
    .routes = views_routes,
};
