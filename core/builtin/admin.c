/*
 * admin.c -- the administration API under /api/v1: users, roles, the
 * permission catalogue, API tokens and the module list.  A built-in
 * module: the core links it in, it sees kedr.h alone.
 *
 * Handlers use the module API of kedr.h like any module (PostgreSQL
 * builds the JSON, kedr_fail for the one error shape, kedr_audit for
 * every write, kedr_hash_password and kedr_secret_new for the secrets,
 * kedr_permissions and kedr_modules for the running server's set).  Every write
 * is audited with its old and new values; no password hash or token hash ever
 * leaves the database through here.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <kedr.h>
#include <lib.h>

#include "user_json.h"

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

/* A string member of the body, or NULL when absent or null. */
static const char *
body_str(kedr_req_t *r, const char *key)
{
    return json_string_value(json_object_get(kedr_body(r), key));
}

/* Whether the body has `key`, null included. */
static bool
body_has(kedr_req_t *r, const char *key)
{
    return json_object_get(kedr_body(r), key) != NULL;
}

static const char *
user_id_text(kedr_req_t *r)
{
    int64_t uid = kedr_user_id(r);

    return uid > 0 ? kedr_sprintf(r, "%lld", (long long)uid) : NULL;
}

static bool
login_valid(const char *s)
{
    size_t n = strlen(s);

    if (n < 1 || n > 64)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && strchr("._@-", *s) == NULL)
            return false;
    return true;
}

static bool
locale_valid(const char *s)
{
    return strcmp(s, "ru") == 0 || strcmp(s, "en") == 0;
}

/* Whether `perm` is one a role or token may hold: the core's, an enabled
 * module's, or "*". */
static bool
perm_known(kedr_req_t *r, const char *perm)
{
    json_t *block, *p;
    size_t i, j;

    if (strcmp(perm, "*") == 0)
        return true;
    json_array_foreach (kedr_permissions(r), i, block)
        json_array_foreach (json_object_get(block, "permissions"), j, p)
            if (strcmp(json_string_value(json_object_get(p, "name")), perm) ==
                0)
                return true;
    return false;
}

/* Whether the JSON array `list` holds the string `s`. */
static bool
list_has(json_t *list, const char *s)
{
    size_t i;
    json_t *v;

    json_array_foreach (list, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return true;
    return false;
}

/*
 * Check a "permissions" array: every item a known permission, or one the
 * record already holds (`kept`, may be NULL: a module since disabled
 * must not make its role uneditable).  Records field errors; returns the
 * number of bad items.
 */
static int
perms_check(kedr_req_t *r, json_t *perms, json_t *kept)
{
    size_t i;
    json_t *v;
    int bad = 0;

    json_array_foreach (perms, i, v) {
        const char *p = json_string_value(v);

        if (p == NULL) {
            kedr_field_error(r, "permissions", "must be a list of strings");
            bad++;
        } else if (!perm_known(r, p) && (kept == NULL || !list_has(kept, p))) {
            kedr_field_error(
                r, "permissions",
                kedr_sprintf(r, "unknown permission \"%.100s\"", p));
            bad++;
        }
    }
    return bad;
}

/* Whether every item of a JSON array is a string. */
static bool
all_strings(json_t *list)
{
    size_t i;
    json_t *v;

    json_array_foreach (list, i, v)
        if (!json_is_string(v))
            return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* who may grant what                                                  */
/* ------------------------------------------------------------------ */

/*
 * The rules that keep a manager of users or roles from making anyone
 * (themselves included) more than they are; README "Users, roles, tokens
 * and the audit trail" states them.  A caller is a signed-in user or an
 * API token, whose permissions are then its effective ones (auth.c).
 * Each refusal is 403 naming a permission the caller lacks.
 */

/* The first permission of the JSON array `perms` the caller does not
 * hold, or NULL when it holds them all ("*" needs "*"). */
static const char *
perm_missing(kedr_req_t *r, json_t *perms)
{
    size_t i;
    json_t *v;

    json_array_foreach (perms, i, v)
        if (json_is_string(v) && !kedr_has_permission(r, json_string_value(v)))
            return json_string_value(v);
    return NULL;
}

/* Whether two JSON arrays of strings hold the same set. */
static bool
same_set(json_t *a, json_t *b)
{
    size_t i;
    json_t *v;

    json_array_foreach (a, i, v)
        if (!list_has(b, json_string_value(v)))
            return false;
    json_array_foreach (b, i, v)
        if (!list_has(a, json_string_value(v)))
            return false;
    return true;
}

static const char user_perms_sql[] =
    "SELECT to_json(core.user_permissions($1::bigint))::text";

/* $1 the user managed, $2 the caller's owner: the first permission the
 * user holds without the own-only limit that the caller does not. */
static const char user_wider_sql[] =
    "SELECT p FROM unnest(core.user_wide_permissions($1::bigint)) p "
    "WHERE NOT ('*' = ANY (core.user_wide_permissions($2::bigint)) OR "
    "p = ANY (core.user_wide_permissions($2::bigint))) ORDER BY p LIMIT 1";

/* 0 when the caller holds every permission user `id` holds, each as
 * widely (so it may edit, disable or reset the password of that user,
 * and signing in as them gains nothing); else a 403. */
static int
user_covered(kedr_req_t *r, const char *id)
{
    kedr_rows_t *rows = kedr_db_query(r, user_perms_sql, KEDR_PARAMS(id));
    const char *missing;

    if (rows == NULL)
        return KEDR_EDB;
    missing = perm_missing(r, kedr_json_parse(r, kedr_rows_get(rows, 0, 0)));
    if (missing != NULL)
        return kedr_fail(r, KEDR_EFORBIDDEN, NULL,
                         "permission \"%.100s\" required: the user holds it",
                         missing);
    rows = kedr_db_query(
        r, user_wider_sql,
        KEDR_PARAMS(id, kedr_sprintf(r, "%lld", (long long)kedr_caller_id(r))));
    if (rows == NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) > 0)
        return kedr_fail(r, KEDR_EFORBIDDEN, NULL,
                         "permission \"%.100s\" required without the "
                         "own-only limit: the user holds it so",
                         kedr_rows_get(rows, 0, 0));
    return 0;
}

/* The roles user $1 (NULL: a new user) gains or loses when their roles
 * become those named in $2 (a JSON array), with their permissions. */
static const char user_roles_change_sql[] =
    "SELECT ro.name, to_json(ro.permissions)::text FROM core.role ro "
    "WHERE (ro.name IN (SELECT json_array_elements_text($2::json))) <> "
    "EXISTS (SELECT 1 FROM core.user_role ur WHERE ur.user_id = $1::bigint "
    "AND ur.role_id = ro.id) ORDER BY ro.name";

/* 0 when the caller may give user `id` (NULL: a new user) the roles
 * named in `roles` (checked JSON text): nobody changes their own roles,
 * and a role is granted or taken away only by whoever holds every
 * permission it carries.  Else a 403. */
static int
roles_change_check(kedr_req_t *r, const char *id, const char *roles)
{
    kedr_rows_t *rows =
        kedr_db_query(r, user_roles_change_sql, KEDR_PARAMS(id, roles));
    int n;

    if (rows == NULL)
        return KEDR_EDB;
    n = kedr_rows_count(rows);
    if (n > 0 && id != NULL && strtoll(id, NULL, 10) == kedr_caller_id(r))
        return kedr_fail(r, KEDR_EFORBIDDEN, "roles",
                         "nobody changes their own roles");
    for (int i = 0; i < n; i++) {
        const char *missing =
            perm_missing(r, kedr_json_parse(r, kedr_rows_get(rows, i, 1)));

        if (missing != NULL)
            return kedr_fail(r, KEDR_EFORBIDDEN, "roles",
                             "permission \"%.100s\" required: role \"%s\" "
                             "carries it",
                             missing, kedr_rows_get(rows, i, 0));
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* users                                                               */
/* ------------------------------------------------------------------ */

/* $5 sort key and $6 order, both checked against a list first: the
 * ordering is chosen by CASE over fixed expressions, never spliced */
static const char user_list_sql[] =
    "WITH f AS (SELECT u.* FROM core.\"user\" u "
    "WHERE ($1::text IS NULL OR (u.login || ' ' || u.full_name || ' ' || "
    "u.email) ILIKE '%' || replace(replace(replace($1, '\\', '\\\\'), '%', "
    "'\\%'), '_', '\\_') || '%') "
    "AND ($2::boolean IS NULL OR u.active = $2::boolean) "
    "AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM core.user_role ur JOIN "
    "core.role ro ON ro.id = ur.role_id WHERE ur.user_id = u.id AND ro.name "
    "= $7))), "
    "s AS (SELECT f.*, CASE $5 WHEN 'full_name' THEN lower(full_name) "
    "WHEN 'email' THEN lower(email) WHEN 'locale' THEN locale "
    "WHEN 'active' THEN active::text "
    "WHEN 'created_at' THEN to_char(created_at, 'YYYYMMDDHH24MISSUS') "
    "WHEN 'updated_at' THEN to_char(updated_at, 'YYYYMMDDHH24MISSUS') "
    "ELSE lower(login) END AS k FROM f), "
    "p AS (SELECT *, row_number() OVER (ORDER BY "
    "CASE WHEN $6 = 'desc' THEN NULL ELSE k END ASC, "
    "CASE WHEN $6 = 'desc' THEN k END DESC, lower(login), id) AS ord "
    "FROM s ORDER BY ord LIMIT $3::int OFFSET $4::int) "
    "SELECT json_build_object('items', coalesce((SELECT "
    "json_agg(" KEDR_USER_JSON " ORDER BY u.ord) FROM p u), '[]'::json), "
    "'total', (SELECT count(*) FROM f))::text";

static const char *const user_sort_keys[] = {
    "login",  "full_name",  "email",      "locale",
    "active", "created_at", "updated_at", NULL};

/* GET /users?q=&active=&role=&sort=&order=&limit=&offset= */
static int
admin_users_list(kedr_req_t *r)
{
    const char *q = kedr_query(r, "q");
    const char *active = kedr_query(r, "active");
    const char *role = kedr_query(r, "role");
    const char *sort = kedr_query(r, "sort");
    const char *order = kedr_query(r, "order");
    long limit = kedr_query_count(r, "limit", 50, 500);
    long offset = kedr_query_count(r, "offset", 0, 100000000);

    if (active != NULL && *active == '\0')
        active = NULL;
    if (active != NULL && strcmp(active, "true") != 0 &&
        strcmp(active, "false") != 0) {
        kedr_field_error(r, "active", "must be true or false");
        limit = -1;
    }
    if (sort != NULL && *sort != '\0') {
        const char *const *k;

        for (k = user_sort_keys; *k && strcmp(*k, sort) != 0; k++)
            ;
        if (*k == NULL) {
            kedr_field_error(r, "sort", "is not a sortable column");
            limit = -1;
        }
    } else {
        sort = "login";
    }
    if (order != NULL && *order != '\0' && strcmp(order, "asc") != 0 &&
        strcmp(order, "desc") != 0) {
        kedr_field_error(r, "order", "must be asc or desc");
        limit = -1;
    }
    if (limit < 0 || offset < 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid query");
    if (q != NULL && *q == '\0')
        q = NULL;
    if (role != NULL && *role == '\0')
        role = NULL;
    return kedr_reply_db_json(
        r, 200, user_list_sql,
        KEDR_PARAMS(q, active, kedr_sprintf(r, "%ld", limit),
                    kedr_sprintf(r, "%ld", offset), sort,
                    order != NULL && strcmp(order, "desc") == 0 ? "desc"
                                                                : "asc",
                    role));
}

/* Active staff users (no portal users) by a fragment of login, name or
 * e-mail, or by ids: what a "responsible manager" field offers. */
static const char user_lookup_sql[] =
    "SELECT coalesce(json_agg(json_build_object('id', u.id, 'login', "
    "u.login, 'full_name', u.full_name) ORDER BY u.k COLLATE "
    "\"ru-RU-x-icu\", u.id), '[]')::text FROM (SELECT u.*, "
    "coalesce(nullif(u.full_name, ''), u.login) AS k FROM core.\"user\" u "
    "WHERE u.active AND u.counterparty_id IS NULL "
    "AND ($1::text IS NULL OR (u.login || ' ' || u.full_name || ' ' || "
    "u.email) ILIKE '%' || replace(replace(replace($1, '\\', '\\\\'), '%', "
    "'\\%'), '_', '\\_') || '%') "
    "AND ($3::bigint[] IS NULL OR u.id = ANY ($3::bigint[])) "
    "ORDER BY coalesce(nullif(u.full_name, ''), u.login) COLLATE "
    "\"ru-RU-x-icu\", u.id LIMIT $2::int) u";

/* GET /users/lookup?q=&ids=1,2&limit=20: [{id, login, full_name}] for any
 * signed-in employee; a portal user (a distributor's) gets 403. */
static int
admin_users_lookup(kedr_req_t *r)
{
    const char *q = kedr_query(r, "q");
    const char *ids = kedr_query(r, "ids");
    long limit = kedr_query_count(r, "limit", 20, 100);
    char *arr = NULL;

    if (kedr_counterparty_id(r) != 0)
        return kedr_fail(r, KEDR_EFORBIDDEN, NULL,
                         "portal users cannot list employees");
    if (q != NULL && *(q = kedr_trim(r, q)) == '\0')
        q = NULL;
    if (ids != NULL && *ids != '\0') {
        size_t n = strlen(ids);

        if (strspn(ids, "0123456789,") != n || n > 2000 || ids[0] == ',' ||
            ids[n - 1] == ',' || strstr(ids, ",,") != NULL)
            return kedr_fail(r, KEDR_EINVAL, "ids",
                             "must be user ids separated by commas");
        arr = kedr_sprintf(r, "{%s}", ids);
    }
    if (limit < 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    return kedr_reply_db_json(
        r, 200, user_lookup_sql,
        KEDR_PARAMS(q, kedr_sprintf(r, "%ld", limit), arr));
}

static const char user_one_sql[] =
    "SELECT " KEDR_USER_JSON "::text FROM core.\"user\" u WHERE u.id = $1";

/* GET /users/:id */
static int
admin_users_get(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such user");
    return kedr_reply_db_json(r, 200, user_one_sql, KEDR_PARAMS(id));
}

/* Role names of `roles` (a JSON array text) that no role has. */
static const char role_unknown_sql[] =
    "SELECT n FROM json_array_elements_text($1::json) n "
    "WHERE NOT EXISTS (SELECT 1 FROM core.role ro WHERE ro.name = n)";
static const char user_roles_clear_sql[] =
    "DELETE FROM core.user_role WHERE user_id = $1";
static const char user_roles_set_sql[] =
    "INSERT INTO core.user_role (user_id, role_id) SELECT $1, ro.id "
    "FROM core.role ro WHERE ro.name IN "
    "(SELECT json_array_elements_text($2::json)) ON CONFLICT DO NOTHING";

/* Check the body's "roles" (an array of role names, all existing).
 * Returns its JSON text, NULL when absent, or "" after recording a field
 * error; a failed query returns NULL with *rc set. */
static const char *
roles_check(kedr_req_t *r, int *rc)
{
    json_t *roles = json_object_get(kedr_body(r), "roles");
    const char *text;
    kedr_rows_t *rows;

    *rc = 0;
    if (roles == NULL || json_is_null(roles))
        return NULL;
    if (!all_strings(roles)) {
        kedr_field_error(r, "roles", "must be a list of role names");
        return "";
    }
    text = kedr_json_text(r, roles);
    rows = kedr_db_query(r, role_unknown_sql, KEDR_PARAMS(text));
    if (rows == NULL) {
        *rc = KEDR_EDB;
        return NULL;
    }
    if (kedr_rows_count(rows) > 0) {
        kedr_field_error(r, "roles",
                         kedr_sprintf(r, "unknown role \"%.100s\"",
                                      kedr_rows_get(rows, 0, 0)));
        return "";
    }
    return text;
}

/* Replace a user's roles with those named in `roles` (checked). */
static int
roles_set(kedr_req_t *r, const char *id, const char *roles)
{
    if (kedr_db_exec(r, user_roles_clear_sql, KEDR_PARAMS(id)) < 0 ||
        kedr_db_exec(r, user_roles_set_sql, KEDR_PARAMS(id, roles)) < 0)
        return KEDR_EDB;
    return 0;
}

/* The body's "regions" as a JSON array text (names trimmed), NULL when
 * absent; a bad one is recorded as a field error. */
static const char *
regions_text(kedr_req_t *r)
{
    json_t *regions = json_object_get(kedr_body(r), "regions"), *v, *out;
    size_t i;

    if (regions == NULL || json_is_null(regions))
        return NULL;
    out = kedr_json_own(r, json_array());
    json_array_foreach (regions, i, v) {
        const char *name =
            json_is_string(v) ? kedr_trim(r, json_string_value(v)) : "";

        if (*name == '\0' || strlen(name) > 200) {
            kedr_field_error(r, kedr_sprintf(r, "regions[%zu]", i),
                             "must be a region name (1 to 200 characters)");
            continue;
        }
        json_array_append_new(out, json_string(name));
    }
    return kedr_json_text(r, out);
}

/* Check the fields POST and PATCH share; records field errors. */
static void
user_fields_check(kedr_req_t *r)
{
    const char *email = body_str(r, "email");
    const char *locale = body_str(r, "locale");

    if (email != NULL && *email != '\0' && !kedr_value_email_valid(email))
        kedr_field_error(r, "email", "is not an email address");
    if (locale != NULL && !locale_valid(locale))
        kedr_field_error(r, "locale", "must be \"ru\" or \"en\"");
}

static const char counterparty_exists_sql[] =
    "SELECT core.counterparty_exists($1::bigint)";

/* A portal user's counterparty_id: a counterparty that exists (asked of
 * the clients module's table, which the core does not require).  Sets
 * *text to the id and records a field error when it is wrong; returns a
 * code only when the database failed. */
static int
counterparty_check(kedr_req_t *r, json_t *cp, const char **text)
{
    kedr_rows_t *rows;

    *text = NULL;
    if (!json_is_integer(cp))
        return 0;
    if (json_integer_value(cp) < 1) {
        kedr_field_error(r, "counterparty_id", "must be a positive id");
        return 0;
    }
    *text = kedr_sprintf(r, "%lld", (long long)json_integer_value(cp));
    if ((rows = kedr_db_query(r, counterparty_exists_sql,
                              KEDR_PARAMS(*text))) == NULL)
        return KEDR_EDB;
    if (kedr_rows_isnull(rows, 0, 0))
        kedr_field_error(r, "counterparty_id",
                         "portal users need the clients module");
    else if (strcmp(kedr_rows_get(rows, 0, 0), "t") != 0)
        kedr_field_error(r, "counterparty_id", "no such counterparty");
    return 0;
}

/* A JSON array text of region names as a sorted, distinct text[]. */
#define REGIONS_ARRAY(n)                                                       \
    "coalesce(ARRAY(SELECT DISTINCT x FROM json_array_elements_text($" #n      \
    "::json) x ORDER BY x), '{}')"

static const char user_insert_sql[] =
    "INSERT INTO core.\"user\" (login, full_name, email, phone, locale, "
    "password_hash, password_changed_at, counterparty_id, created_by, "
    "regions) "
    "VALUES ($1, coalesce($2, ''), coalesce($3, ''), coalesce($4, ''), "
    "coalesce($5, 'ru'), $6::text, CASE WHEN $6 IS NOT NULL THEN now() END, "
    "$7::bigint, $8::bigint, " REGIONS_ARRAY(
        9) ") "
           "ON CONFLICT ((lower(login))) DO NOTHING RETURNING id";

/* POST /users {login, full_name, email, phone, locale, roles, password,
 * counterparty_id, regions} */
static int
admin_users_create(kedr_req_t *r)
{
    json_t *body = kedr_body(r);
    const char *login = body_str(r, "login");
    const char *password = body_str(r, "password");
    json_t *cp = json_object_get(body, "counterparty_id");
    char hash[KEDR_PASSWORD_HASH_MAX];
    const char *roles, *id, *cp_text = NULL, *why, *row, *regions;
    kedr_rows_t *rows;
    int rc;

    if (!login_valid(login))
        kedr_field_error(r, "login",
                         "1 to 64 characters: letters, digits, . _ @ -");
    user_fields_check(r);
    regions = regions_text(r);
    if (password != NULL &&
        (why = kedr_password_problem(login, password)) != NULL)
        kedr_field_error(r, "password", why);
    if ((rc = counterparty_check(r, cp, &cp_text)) != 0)
        return rc;
    roles = roles_check(r, &rc);
    if (rc != 0)
        return rc;
    if ((roles != NULL && *roles == '\0') || kedr_field_errors(r) > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    if (roles != NULL && (rc = roles_change_check(r, NULL, roles)) != 0)
        return rc;
    if (password != NULL &&
        kedr_hash_password(password, hash, sizeof(hash)) != 0)
        return kedr_fail(r, KEDR_EINTERNAL, NULL, "cannot hash the password");
    rows = kedr_db_query(
        r, user_insert_sql,
        KEDR_PARAMS(login, body_str(r, "full_name"), body_str(r, "email"),
                    body_str(r, "phone"), body_str(r, "locale"),
                    password ? hash : NULL, cp_text, user_id_text(r),
                    regions ? regions : "[]"));
    sodium_memzero(hash, sizeof(hash));
    if (rows == NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) == 0)
        return kedr_fail(r, KEDR_ECONFLICT, "login",
                         "a user with this login exists");
    id = kedr_rows_get(rows, 0, 0);
    if (roles != NULL && (rc = roles_set(r, id, roles)) != 0)
        return rc;
    if ((rc = kedr_db_json(r, user_one_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    rc = kedr_audit(r, "core.user", id, "created", NULL,
                    kedr_json_parse(r, row));
    if (rc != 0)
        return rc;
    kedr_log(r, KEDR_LOG_INFO, "user \"%s\" created", login);
    return kedr_reply_raw(r, 201, "application/json", row, strlen(row));
}

static const char user_update_sql[] =
    "UPDATE core.\"user\" SET full_name = coalesce($3, full_name), "
    "email = coalesce($4, email), phone = coalesce($5, phone), "
    "locale = coalesce($6, locale), active = coalesce($7::boolean, active), "
    "counterparty_id = CASE WHEN $8::boolean THEN $9::bigint "
    "ELSE counterparty_id END, regions = CASE WHEN $10::json IS NULL THEN "
    "regions ELSE " REGIONS_ARRAY(
        10) " END, "
            "version = version + 1, updated_at = now() "
            "WHERE id = $1 AND version = $2::int";
static const char user_sessions_end_sql[] =
    "DELETE FROM core.session WHERE user_id = $1";
/* Whether an active user holds '*' through a role: the last one must not
 * be disabled or lose the role (nobody could administer Kedr again). */
static const char admin_exists_sql[] =
    "SELECT EXISTS (SELECT 1 FROM core.\"user\" u "
    "JOIN core.user_role ur ON ur.user_id = u.id "
    "JOIN core.role ro ON ro.id = ur.role_id "
    "WHERE u.active AND '*' = ANY (ro.permissions) "
    "AND ($1::bigint IS NULL OR u.id = $1::bigint))";

/* Whether an administrator (a given one, or any when id is NULL) exists.
 * -1 when the query failed. */
static int
admin_exists(kedr_req_t *r, const char *id)
{
    kedr_rows_t *rows = kedr_db_query(r, admin_exists_sql, KEDR_PARAMS(id));

    if (rows == NULL)
        return -1;
    return kedr_rows_get(rows, 0, 0)[0] == 't';
}

/* PATCH /users/:id {version, full_name, email, phone, locale, active,
 * roles, counterparty_id, regions} */
static int
admin_users_update(kedr_req_t *r)
{
    json_t *body = kedr_body(r);
    const char *id = kedr_param_id(r, "id");
    json_t *active = json_object_get(body, "active");
    json_t *cp = json_object_get(body, "counterparty_id");
    json_t *old, *new_;
    const char *roles, *cp_text = NULL, *row, *version, *regions;
    bool was_admin = false;
    int rc, n;

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such user");
    version = kedr_sprintf(
        r, "%lld",
        (long long)json_integer_value(json_object_get(body, "version")));
    user_fields_check(r);
    regions = regions_text(r);
    if ((rc = counterparty_check(r, cp, &cp_text)) != 0)
        return rc;
    if ((rc = kedr_db_json(r, user_one_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    if (row == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such user");
    old = kedr_json_parse(r, row);
    roles = roles_check(r, &rc);
    if (rc != 0)
        return rc;
    if ((roles != NULL && *roles == '\0') || kedr_field_errors(r) > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    if ((rc = user_covered(r, id)) != 0 ||
        (roles != NULL && (rc = roles_change_check(r, id, roles)) != 0))
        return rc;
    if (json_integer_value(json_object_get(old, "version")) !=
        json_integer_value(json_object_get(body, "version")))
        return kedr_fail(r, KEDR_ECONFLICT, "version",
                         "the user was changed by someone else: reload it");
    if (json_is_false(active) || roles != NULL) {
        if ((rc = admin_exists(r, id)) < 0)
            return KEDR_EDB;
        was_admin = rc == 1;
    }
    n = kedr_db_exec(
        r, user_update_sql,
        KEDR_PARAMS(id, version, body_str(r, "full_name"), body_str(r, "email"),
                    body_str(r, "phone"), body_str(r, "locale"),
                    json_is_boolean(active)
                        ? (json_is_true(active) ? "true" : "false")
                        : NULL,
                    body_has(r, "counterparty_id") ? "true" : "false", cp_text,
                    regions));
    if (n < 0)
        return n;
    if (n == 0)
        return kedr_fail(r, KEDR_ECONFLICT, "version",
                         "the user was changed by someone else: reload it");
    if (roles != NULL && (rc = roles_set(r, id, roles)) != 0)
        return rc;
    if (was_admin) {
        if ((rc = admin_exists(r, NULL)) < 0)
            return KEDR_EDB;
        if (rc == 0)
            return kedr_fail(r, KEDR_EINVAL,
                             json_is_false(active) ? "active" : "roles",
                             "the last administrator must stay an active "
                             "administrator");
    }
    /* a disabled user's sessions die with this transaction */
    if (json_is_false(active) &&
        kedr_db_exec(r, user_sessions_end_sql, KEDR_PARAMS(id)) < 0)
        return KEDR_EDB;
    if ((rc = kedr_db_json(r, user_one_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    new_ = kedr_json_parse(r, row);
    if ((rc = kedr_audit(r, "core.user", id, "updated", old, new_)) != 0)
        return rc;
    return kedr_reply_raw(r, 200, "application/json", row, strlen(row));
}

static const char user_login_sql[] =
    "SELECT login FROM core.\"user\" WHERE id = $1";
static const char user_password_sql[] =
    "UPDATE core.\"user\" SET password_hash = $2, password_changed_at = now(), "
    "updated_at = now(), version = version + 1 WHERE id = $1 "
    "RETURNING json_build_object('password_changed_at', "
    "password_changed_at)::text";

/* POST /users/:id/password {password}: set a new password and end the
 * user's sessions. */
static int
admin_users_password(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    const char *password = body_str(r, "password");
    char hash[KEDR_PASSWORD_HASH_MAX];
    const char *login, *why, *row;
    kedr_rows_t *rows;
    json_t *new_;
    int rc, ended;

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such user");
    rows = kedr_db_query(r, user_login_sql, KEDR_PARAMS(id));
    if (rows == NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) == 0)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such user");
    login = kedr_rows_get(rows, 0, 0);
    if ((rc = user_covered(r, id)) != 0)
        return rc;
    if ((why = kedr_password_problem(login, password)) != NULL)
        return kedr_fail(r, KEDR_EINVAL, "password", "%s", why);
    if (kedr_hash_password(password, hash, sizeof(hash)) != 0)
        return kedr_fail(r, KEDR_EINTERNAL, NULL, "cannot hash the password");
    rc = kedr_db_json(r, user_password_sql, KEDR_PARAMS(id, hash), &row);
    sodium_memzero(hash, sizeof(hash));
    if (rc != 0)
        return rc;
    ended = kedr_db_exec(r, user_sessions_end_sql, KEDR_PARAMS(id));
    if (ended < 0)
        return ended;
    new_ = kedr_json_parse(r, row);
    json_object_set_new(new_, "sessions_ended", json_integer(ended));
    if ((rc = kedr_audit(r, "core.user", id, "password_changed", NULL, new_)) !=
        0)
        return rc;
    kedr_log(r, KEDR_LOG_INFO, "password of \"%s\" changed, %d sessions ended",
             login, ended);
    return 0; /* 204 */
}

/* ------------------------------------------------------------------ */
/* roles                                                               */
/* ------------------------------------------------------------------ */

#define ROLE_JSON                                                              \
    "json_build_object('id', ro.id, 'name', ro.name, 'label_ru', "             \
    "ro.label_ru, 'label_en', ro.label_en, 'permissions', "                    \
    "to_json(ro.permissions), 'own_only', ro.own_only, 'builtin', "            \
    "ro.builtin, 'users', (SELECT "                                            \
    "count(*) FROM core.user_role ur JOIN core.\"user\" uu ON uu.id = "        \
    "ur.user_id WHERE ur.role_id = ro.id AND uu.active), 'created_at', "       \
    "ro.created_at, 'updated_at', ro.updated_at, 'version', ro.version)"

static const char role_list_sql[] =
    "SELECT coalesce(json_agg(" ROLE_JSON " ORDER BY ro.id), '[]')::text "
    "FROM core.role ro";
static const char role_one_sql[] =
    "SELECT " ROLE_JSON "::text FROM core.role ro WHERE ro.id = $1";

/* GET /roles: every role, with its permissions and active users. */
static int
admin_roles_list(kedr_req_t *r)
{
    return kedr_reply_db_json(r, 200, role_list_sql, 0, NULL);
}

/* GET /roles/:id */
static int
admin_roles_get(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such role");
    return kedr_reply_db_json(r, 200, role_one_sql, KEDR_PARAMS(id));
}

static bool
role_name_valid(const char *s)
{
    size_t n = strlen(s);

    if (n < 1 || n > 48 || !islower((unsigned char)s[0]))
        return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
            *s != '_')
            return false;
    return true;
}

/* The permissions array as sorted, distinct text[]. */
#define PERMS_ARRAY(n)                                                         \
    "ARRAY(SELECT DISTINCT p FROM json_array_elements_text($" #n               \
    "::json) p ORDER BY p)"

static const char role_insert_sql[] =
    "INSERT INTO core.role (name, label_ru, label_en, permissions, "
    "created_by, own_only) VALUES ($1, coalesce($2, ''), coalesce($3, "
    "''), " PERMS_ARRAY(4) ", $5::bigint, coalesce($6::boolean, false)) "
                           "ON CONFLICT (name) DO NOTHING RETURNING id";

/* A JSON boolean member as "true"/"false", or NULL when absent. */
static const char *
body_bool(kedr_req_t *r, const char *name)
{
    json_t *v = json_object_get(kedr_body(r), name);

    return json_is_boolean(v) ? (json_is_true(v) ? "true" : "false") : NULL;
}

/* An administrator's role cannot be limited to own records: '*' means
 * everything. */
static void
own_only_check(kedr_req_t *r, json_t *perms)
{
    if (json_is_true(json_object_get(kedr_body(r), "own_only")) &&
        list_has(perms, "*"))
        kedr_field_error(r, "own_only",
                         "a role holding \"*\" sees every record");
}

/* POST /roles {name, label_ru, label_en, permissions, own_only} */
static int
admin_roles_create(kedr_req_t *r)
{
    const char *name = body_str(r, "name");
    json_t *perms = json_object_get(kedr_body(r), "permissions");
    const char *id, *row, *missing;
    kedr_rows_t *rows;
    int rc;

    if (!role_name_valid(name))
        kedr_field_error(r, "name",
                         "1 to 48 characters: a-z, digits, _; a letter first");
    if (perms == NULL || json_is_null(perms))
        perms = kedr_json_own(r, json_array());
    own_only_check(r, perms);
    if (perms_check(r, perms, NULL) > 0 || kedr_field_errors(r) > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    if ((missing = perm_missing(r, perms)) != NULL)
        return kedr_fail(r, KEDR_EFORBIDDEN, "permissions",
                         "permission \"%.100s\" required to grant it", missing);
    rows = kedr_db_query(r, role_insert_sql,
                         KEDR_PARAMS(name, body_str(r, "label_ru"),
                                     body_str(r, "label_en"),
                                     kedr_json_text(r, perms), user_id_text(r),
                                     body_bool(r, "own_only")));
    if (rows == NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) == 0)
        return kedr_fail(r, KEDR_ECONFLICT, "name",
                         "a role with this name exists");
    id = kedr_rows_get(rows, 0, 0);
    if ((rc = kedr_db_json(r, role_one_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    rc = kedr_audit(r, "core.role", id, "created", NULL,
                    kedr_json_parse(r, row));
    if (rc != 0)
        return rc;
    return kedr_reply_raw(r, 201, "application/json", row, strlen(row));
}

static const char role_update_sql[] =
    "UPDATE core.role SET label_ru = coalesce($3, label_ru), "
    "label_en = coalesce($4, label_en), permissions = CASE WHEN $5::json IS "
    "NULL THEN permissions ELSE " PERMS_ARRAY(
        5) " END, own_only = coalesce($6::boolean, own_only), "
           "version = version + 1, updated_at = now() "
           "WHERE id = $1 AND version = $2::int";

static const char role_held_sql[] =
    "SELECT EXISTS (SELECT 1 FROM core.user_role WHERE user_id = $1::bigint "
    "AND role_id = $2::bigint)";

/* 0 when the caller may change role `id` (its record `old`) to the
 * permissions `perms` (NULL: unchanged) and the body's own_only: a
 * change of either is made only by whoever holds every permission the
 * role carries before and after it, and never to a role the caller
 * holds.  Labels are free.  Else a 403. */
static int
role_change_check(kedr_req_t *r, const char *id, json_t *old, json_t *perms)
{
    json_t *was = json_object_get(old, "permissions");
    json_t *own_only = json_object_get(kedr_body(r), "own_only");
    const char *missing;
    kedr_rows_t *rows;

    if ((perms == NULL || json_is_null(perms) || same_set(perms, was)) &&
        (!json_is_boolean(own_only) ||
         json_equal(own_only, json_object_get(old, "own_only"))))
        return 0;
    rows = kedr_db_query(
        r, role_held_sql,
        KEDR_PARAMS(kedr_sprintf(r, "%lld", (long long)kedr_caller_id(r)), id));
    if (rows == NULL)
        return KEDR_EDB;
    if (kedr_rows_get(rows, 0, 0)[0] == 't')
        return kedr_fail(r, KEDR_EFORBIDDEN, "permissions",
                         "nobody changes the permissions of their own role");
    if ((missing = perm_missing(r, was)) != NULL ||
        (perms != NULL && (missing = perm_missing(r, perms)) != NULL))
        return kedr_fail(r, KEDR_EFORBIDDEN, "permissions",
                         "permission \"%.100s\" required: the role "
                         "carries it",
                         missing);
    return 0;
}

/* PATCH /roles/:id {version, label_ru, label_en, permissions, own_only} */
static int
admin_roles_update(kedr_req_t *r)
{
    json_t *body = kedr_body(r);
    const char *id = kedr_param_id(r, "id");
    json_t *perms = json_object_get(body, "permissions");
    json_t *old;
    const char *row, *version, *perms_text = NULL;
    int rc, n;

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such role");
    if ((rc = kedr_db_json(r, role_one_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    if (row == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such role");
    old = kedr_json_parse(r, row);
    if (perms != NULL && !json_is_null(perms)) {
        if (perms_check(r, perms, json_object_get(old, "permissions")) > 0)
            return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
        if (strcmp(json_string_value(json_object_get(old, "name")), "admin") ==
                0 &&
            !list_has(perms, "*"))
            return kedr_fail(r, KEDR_EINVAL, "permissions",
                             "the admin role always holds \"*\"");
        perms_text = kedr_json_text(r, perms);
    }
    own_only_check(r, perms != NULL && !json_is_null(perms)
                          ? perms
                          : json_object_get(old, "permissions"));
    if (kedr_field_errors(r) > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    if ((rc = role_change_check(r, id, old, perms)) != 0)
        return rc;
    if (json_integer_value(json_object_get(old, "version")) !=
        json_integer_value(json_object_get(body, "version")))
        return kedr_fail(r, KEDR_ECONFLICT, "version",
                         "the role was changed by someone else: reload it");
    version = kedr_sprintf(
        r, "%lld",
        (long long)json_integer_value(json_object_get(body, "version")));
    n = kedr_db_exec(r, role_update_sql,
                     KEDR_PARAMS(id, version, body_str(r, "label_ru"),
                                 body_str(r, "label_en"), perms_text,
                                 body_bool(r, "own_only")));
    if (n < 0)
        return n;
    if (n == 0)
        return kedr_fail(r, KEDR_ECONFLICT, "version",
                         "the role was changed by someone else: reload it");
    if ((rc = kedr_db_json(r, role_one_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    rc =
        kedr_audit(r, "core.role", id, "updated", old, kedr_json_parse(r, row));
    if (rc != 0)
        return rc;
    return kedr_reply_raw(r, 200, "application/json", row, strlen(row));
}

/* GET /permissions: what a role may hold, by module, for the roles
 * screen's matrix. */
static int
admin_permissions(kedr_req_t *r)
{
    return kedr_reply_json(r, 200, json_incref(kedr_permissions(r)));
}

/* ------------------------------------------------------------------ */
/* API tokens                                                          */
/* ------------------------------------------------------------------ */

#define TOKEN_JSON                                                             \
    "json_build_object('id', t.id, 'name', t.name, 'permissions', "            \
    "to_json(t.permissions), 'expires_at', t.expires_at, 'last_used_at', "     \
    "t.last_used_at, 'revoked_at', t.revoked_at, 'created_at', "               \
    "t.created_at, 'created_by', t.created_by, 'created_by_login', "           \
    "o.login, 'owner_active', coalesce(o.active, false), "                     \
    "'effective_permissions', to_json(CASE WHEN o.active THEN "                \
    "core.permissions_meet(t.permissions, core.user_permissions(o.id)) "       \
    "ELSE '{}' END), 'active', t.revoked_at IS NULL AND (t.expires_at IS "     \
    "NULL OR t.expires_at > now()))"
/* the token's owner, for TOKEN_JSON */
#define TOKEN_OWNER "LEFT JOIN core.\"user\" o ON o.id = t.created_by"

static const char token_list_sql[] =
    "SELECT coalesce(json_agg(" TOKEN_JSON " ORDER BY t.id DESC), "
    "'[]')::text FROM core.api_token t " TOKEN_OWNER;
static const char token_one_sql[] =
    "SELECT " TOKEN_JSON "::text FROM core.api_token t " TOKEN_OWNER
    " WHERE t.id = $1";

/* GET /tokens: every token, never its secret. */
static int
admin_tokens_list(kedr_req_t *r)
{
    return kedr_reply_db_json(r, 200, token_list_sql, 0, NULL);
}

static const char token_future_sql[] = "SELECT $1::timestamptz > now()";
static const char token_insert_sql[] =
    "INSERT INTO core.api_token (name, token_hash, permissions, expires_at, "
    "created_by) VALUES ($1, $2, " PERMS_ARRAY(3) ", $4::timestamptz, "
                                                  "$5::bigint) RETURNING id";

/* POST /tokens {name, permissions, expires_at}: a new token, its secret
 * in the answer once. */
static int
admin_tokens_create(kedr_req_t *r)
{
    json_t *perms = json_object_get(kedr_body(r), "permissions");
    const char *expires = body_str(r, "expires_at");
    char token[96], hash[65];
    const char *id, *row, *missing;
    kedr_rows_t *rows;
    json_t *doc;
    int rc;

    if (perms_check(r, perms, NULL) > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    /* nobody hands out more than they hold (a token: its effective
     * permissions) */
    if ((missing = perm_missing(r, perms)) != NULL)
        return kedr_fail(r, KEDR_EFORBIDDEN, "permissions",
                         "permission \"%.100s\" required to grant it", missing);
    if (expires != NULL) {
        if (!kedr_value_datetime_valid(expires))
            return kedr_fail(r, KEDR_EINVAL, "expires_at",
                             "must be an ISO 8601 date-time "
                             "(2030-01-31T18:00:00Z)");
        rows = kedr_db_query(r, token_future_sql, KEDR_PARAMS(expires));
        if (rows == NULL)
            return KEDR_EDB;
        if (kedr_rows_get(rows, 0, 0)[0] != 't')
            return kedr_fail(r, KEDR_EINVAL, "expires_at",
                             "must be in the future");
    }
    kedr_secret_new("kedr_", token, sizeof(token), hash);
    rows = kedr_db_query(
        r, token_insert_sql,
        KEDR_PARAMS(body_str(r, "name"), hash, kedr_json_text(r, perms),
                    expires,
                    kedr_sprintf(r, "%lld", (long long)kedr_caller_id(r))));
    if (rows == NULL) {
        sodium_memzero(token, sizeof(token));
        return KEDR_EDB;
    }
    id = kedr_rows_get(rows, 0, 0);
    if ((rc = kedr_db_json(r, token_one_sql, KEDR_PARAMS(id), &row)) != 0 ||
        (rc = kedr_audit(r, "core.api_token", id, "created", NULL,
                         kedr_json_parse(r, row))) != 0) {
        sodium_memzero(token, sizeof(token));
        return rc;
    }
    kedr_log(r, KEDR_LOG_INFO, "api token %s created", id);
    /* nothing below allocates from the arena: doc cannot leak */
    doc = json_loads(row, 0, NULL);
    if (doc == NULL)
        kedr_out_of_memory(r);
    json_object_set_new(doc, "token", json_string(token));
    sodium_memzero(token, sizeof(token));
    return kedr_reply_json(r, 201, doc);
}

static const char token_revoke_sql[] =
    "UPDATE core.api_token SET revoked_at = now(), version = version + 1 "
    "WHERE id = $1 AND revoked_at IS NULL";

/* DELETE /tokens/:id: revoke (the row stays, for the record). */
static int
admin_tokens_revoke(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    const char *row, *missing;
    json_t *old;
    int rc, n;

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such token");
    if ((rc = kedr_db_json(r, token_one_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    if (row == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such token");
    old = kedr_json_parse(r, row);
    /* revoking a token cuts an integration off: only whoever holds what
     * it carries may */
    if ((missing = perm_missing(r, json_object_get(old, "permissions"))) !=
        NULL)
        return kedr_fail(r, KEDR_EFORBIDDEN, NULL,
                         "permission \"%.100s\" required: the token "
                         "holds it",
                         missing);
    if ((n = kedr_db_exec(r, token_revoke_sql, KEDR_PARAMS(id))) < 0)
        return n;
    if (n == 0)
        return 0; /* revoked already: nothing changed */
    if ((rc = kedr_db_json(r, token_one_sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    rc = kedr_audit(r, "core.api_token", id, "revoked", old,
                    kedr_json_parse(r, row));
    if (rc != 0)
        return rc;
    kedr_log(r, KEDR_LOG_INFO, "api token %s revoked", id);
    return 0; /* 204 */
}

/* ------------------------------------------------------------------ */
/* modules                                                             */
/* ------------------------------------------------------------------ */

static int
admin_modules(kedr_req_t *r)
{
    return kedr_reply_json(r, 200, json_incref(kedr_modules(r)));
}

/* ------------------------------------------------------------------ */
/* the routes                                                          */
/* ------------------------------------------------------------------ */

static const struct kedr_field user_create_input[] = {
    {.name = "login", .type = KEDR_T_STRING, .flags = KEDR_REQUIRED, .max = 64},
    {.name = "full_name", .type = KEDR_T_STRING, .max = 200},
    {.name = "email", .type = KEDR_T_STRING, .max = 254},
    {.name = "phone", .type = KEDR_T_STRING, .max = 32},
    {.name = "locale", .type = KEDR_T_STRING, .max = 2},
    {.name = "roles", .type = KEDR_T_ARRAY, .max = 50},
    {.name = "password", .type = KEDR_T_STRING, .max = 1024},
    {.name = "counterparty_id", .type = KEDR_T_INT},
    {.name = "regions", .type = KEDR_T_ARRAY, .max = 200},
    {0},
};

static const struct kedr_field user_update_input[] = {
    {.name = "version", .type = KEDR_T_INT, .flags = KEDR_REQUIRED},
    {.name = "full_name", .type = KEDR_T_STRING, .max = 200},
    {.name = "email", .type = KEDR_T_STRING, .max = 254},
    {.name = "phone", .type = KEDR_T_STRING, .max = 32},
    {.name = "locale", .type = KEDR_T_STRING, .max = 2},
    {.name = "active", .type = KEDR_T_BOOL},
    {.name = "roles", .type = KEDR_T_ARRAY, .max = 50},
    {.name = "counterparty_id", .type = KEDR_T_INT},
    {.name = "regions", .type = KEDR_T_ARRAY, .max = 200},
    {0},
};

static const struct kedr_field password_input[] = {
    {.name = "password",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED,
     .max = 1024},
    {0},
};

static const struct kedr_field role_create_input[] = {
    {.name = "name", .type = KEDR_T_STRING, .flags = KEDR_REQUIRED, .max = 48},
    {.name = "label_ru", .type = KEDR_T_STRING, .max = 200},
    {.name = "label_en", .type = KEDR_T_STRING, .max = 200},
    {.name = "permissions", .type = KEDR_T_ARRAY, .max = 1000},
    {.name = "own_only", .type = KEDR_T_BOOL},
    {0},
};

static const struct kedr_field role_update_input[] = {
    {.name = "version", .type = KEDR_T_INT, .flags = KEDR_REQUIRED},
    {.name = "label_ru", .type = KEDR_T_STRING, .max = 200},
    {.name = "label_en", .type = KEDR_T_STRING, .max = 200},
    {.name = "permissions", .type = KEDR_T_ARRAY, .max = 1000},
    {.name = "own_only", .type = KEDR_T_BOOL},
    {0},
};

static const struct kedr_field token_create_input[] = {
    {.name = "name",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 200},
    {.name = "permissions",
     .type = KEDR_T_ARRAY,
     .flags = KEDR_REQUIRED,
     .max = 1000},
    {.name = "expires_at", .type = KEDR_T_STRING, .max = 40},
    {0},
};

static const struct kedr_route admin_routes[] = {
    {.method = "GET",
     .path = "/users",
     .handler = admin_users_list,
     .permission = "core.users.manage"},
    {.method = "POST",
     .path = "/users",
     .handler = admin_users_create,
     .permission = "core.users.manage",
     .input = user_create_input},
    {.method = "GET",
     .path = "/users/lookup",
     .handler = admin_users_lookup,
     .permission = NULL},
    {.method = "GET",
     .path = "/users/:id",
     .handler = admin_users_get,
     .permission = "core.users.manage"},
    {.method = "PATCH",
     .path = "/users/:id",
     .handler = admin_users_update,
     .permission = "core.users.manage",
     .input = user_update_input},
    {.method = "POST",
     .path = "/users/:id/password",
     .handler = admin_users_password,
     .permission = "core.users.manage",
     .input = password_input},
    {.method = "GET",
     .path = "/roles",
     .handler = admin_roles_list,
     .permission = NULL},
    {.method = "POST",
     .path = "/roles",
     .handler = admin_roles_create,
     .permission = "core.roles.manage",
     .input = role_create_input},
    {.method = "GET",
     .path = "/roles/:id",
     .handler = admin_roles_get,
     .permission = "core.roles.manage"},
    {.method = "PATCH",
     .path = "/roles/:id",
     .handler = admin_roles_update,
     .permission = "core.roles.manage",
     .input = role_update_input},
    {.method = "GET",
     .path = "/permissions",
     .handler = admin_permissions,
     .permission = "core.roles.manage"},
    {.method = "GET",
     .path = "/tokens",
     .handler = admin_tokens_list,
     .permission = "core.users.manage"},
    {.method = "POST",
     .path = "/tokens",
     .handler = admin_tokens_create,
     .permission = "core.users.manage",
     .input = token_create_input},
    {.method = "DELETE",
     .path = "/tokens/:id",
     .handler = admin_tokens_revoke,
     .permission = "core.users.manage"},
    {.method = "GET",
     .path = "/modules",
     .handler = admin_modules,
     .permission = "core.modules.read"},
    {0},
};

/* A built-in module: the core links it in and mounts its routes under
 * /api/v1 itself (core/builtin.c).  The permissions it checks are the
 * core's own (kedr_permissions' "core" block): auth.c checks some too. */
const struct kedr_module kedr_builtin_admin = {
    KEDR_MODULE_HEADER,
    .name = "admin",
    .version = "1.0",
    .routes = admin_routes,
};
