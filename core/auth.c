/*
 * auth.c -- who is asking, and may they: sessions (cookie kedr_session),
 * API tokens (Authorization: Bearer), CSRF on unsafe methods, the route's
 * permission, login with throttling, passwords (argon2id through
 * libsodium), and the audit trail.
 *
 * Secrets are never stored: a session cookie and an API token are 256-bit
 * random values of which the database keeps only the SHA-256; passwords
 * are argon2id hashes.  Nothing here logs a password or a token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core.h"

#define SESSION_COOKIE "kedr_session"
#define DEVICE_COOKIE "kedr_device" /* a browser that logged in before */
#define TOUCH_AFTER "60"            /* seconds between last-use updates */

int
kedr_auth_init(void)
{
    if (sodium_init() < 0) {
        kedr_error("libsodium failed to initialise");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* tokens and passwords                                                */
/* ------------------------------------------------------------------ */

void
kedr_token_hash(const char *token, char hash[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(hash, 65, h, sizeof(h));
}

void
kedr_core_secret_new(const char *prefix, char *out, size_t outlen,
                     char hash[65])
{
    unsigned char raw[32];
    char b64[64];

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(out, outlen, "%s%s", prefix ? prefix : "", b64);
    kedr_token_hash(out, hash);
}

int
kedr_core_hash_password(const char *password, char *out, size_t outlen)
{
    const struct kedr_conf *c = kedr_srv.conf;

    if (outlen < crypto_pwhash_STRBYTES)
        return -1;
    return crypto_pwhash_str_alg(out, password, strlen(password),
                                 (unsigned long long)c->argon2_ops,
                                 (size_t)c->argon2_mem_kib * 1024u,
                                 crypto_pwhash_ALG_ARGON2ID13) == 0
               ? 0
               : -1;
}

/* A hash of the configured cost that no password is checked against but
 * for show: an unknown login spends the time of a real check. */
static char auth_dummy[crypto_pwhash_STRBYTES];

/* Make the dummy hash when the process has none (the master makes it
 * before it forks, so workers start with it: see kedr_auth_prepare). */
static bool
auth_dummy_ready(void)
{
    return auth_dummy[0] != '\0' ||
           kedr_core_hash_password("kedr-dummy-password", auth_dummy,
                                   sizeof(auth_dummy)) == 0;
}

void
kedr_auth_prepare(void)
{
    auth_dummy[0] = '\0'; /* the configured cost may have changed */
    if (kedr_auth_init() != 0 || !auth_dummy_ready())
        kedr_warn("the dummy password hash could not be made");
}

bool
kedr_password_verify(const char *hash, const char *password)
{
    if (hash == NULL || strncmp(hash, "$argon2id$", 10) != 0) {
        /* spend the same time as a real check: no login enumeration */
        if (!auth_dummy_ready())
            return false;
        if (crypto_pwhash_str_verify(auth_dummy, password, strlen(password)) ==
            0)
            kedr_debug("the dummy password matched");
        return false;
    }
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

const char *
kedr_core_password_problem(const char *login, const char *password)
{
    size_t n = 0;
    bool same = true;

    for (const char *p = password; *p; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80)
            n++;
        if (*p != password[0])
            same = false;
    }
    if ((int)n < kedr_srv.conf->password_min_length)
        return "is too short";
    if (login != NULL && strcasecmp(login, password) == 0)
        return "must not be the login";
    if (same)
        return "must not repeat one character";
    if (strlen(password) > 1024)
        return "is too long";
    return NULL;
}

/* ------------------------------------------------------------------ */
/* identity                                                            */
/* ------------------------------------------------------------------ */

/* core.scope_own_only(u.id, $1) (core/sql/0009_scope_by_permission.sql),
 * written out: a SQL function with an aggregate is not inlined, and its
 * call cost the identity statement more than the rest of it together
 * (bench/RESULTS.md, "Third session").  Keep the two the same. */
#define AUTH_OWN_ONLY_SQL                                                      \
    "(SELECT coalesce(bool_and(ro.own_only), true) FROM core.user_role ur "    \
    "JOIN core.role ro ON ro.id = ur.role_id WHERE ur.user_id = u.id AND "     \
    "CASE WHEN $1::text IS NULL THEN cardinality(ro.permissions) > 0 "         \
    "ELSE $1::text = ANY (ro.permissions) OR '*' = ANY (ro.permissions) END)"

/* The identity a request runs as, for SQL: the user (a token's owner),
 * their counterparty (a portal user's distributor), their scope for the
 * route's permission ($1 of every identity query, see
 * core.scope_own_only) and regions.  Session-level, so that a read's
 * next statement needs no transaction to see them: all four are
 * overwritten by every request's identity statement and reset before the
 * first statement of a request that runs none (db.c, kedr_db_identify).
 * `u` is the user's row. */
#define AUTH_SCOPE_SQL                                                         \
    "set_config('kedr.user_id', u.id::text, false), "                          \
    "set_config('kedr.counterparty_id', coalesce(u.counterparty_id::text, "    \
    "''), false), "                                                            \
    "set_config('kedr.own_only', CASE WHEN " AUTH_OWN_ONLY_SQL                 \
    " THEN 'on' ELSE 'off' END, false), "                                      \
    "set_config('kedr.regions', coalesce(u.regions::text, ''), false) "

/* What a user holds through their roles, as "a b c". */
#define AUTH_USER_PERMS_SQL                                                    \
    "coalesce((SELECT string_agg(DISTINCT p, ' ') FROM core.user_role ur "     \
    "JOIN core.role ro ON ro.id = ur.role_id, unnest(ro.permissions) p "       \
    "WHERE ur.user_id = u.id), '')"

/* What a token holds: what both it and its owner hold now. */
#define AUTH_TOKEN_PERMS_SQL                                                   \
    "array_to_string(core.permissions_meet(t.permissions, "                    \
    "core.user_permissions(u.id)), ' ')"

/* A token's owner, who must be active; a token not revoked or expired. */
#define AUTH_TOKEN_FROM_SQL                                                    \
    "FROM core.api_token t JOIN core.\"user\" u ON u.id = t.created_by "       \
    "AND u.active WHERE t.revoked_at IS NULL "                                 \
    "AND (t.expires_at IS NULL OR t.expires_at > now()) "

/* $1 the route's permission, $2 the cookie's hash, $3 the idle limit. */
static const char auth_session_sql[] =
    "SELECT s.id, u.id, u.login, u.locale, coalesce(u.counterparty_id, 0), "
    "s.csrf_token, s.last_seen_at < now() - interval '" TOUCH_AFTER
    " seconds', " AUTH_USER_PERMS_SQL ", " AUTH_SCOPE_SQL
    "FROM core.session s JOIN core.\"user\" u ON u.id = s.user_id "
    "WHERE s.token_hash = $2 AND u.active AND s.expires_at > now() "
    "AND s.last_seen_at > now() - make_interval(secs => $3::int)";

/* A token holds what both it and its owner (created_by) hold at this
 * request, and sees what its owner sees (a portal user's token is a
 * portal caller).  A token whose owner is disabled or gone finds no row.
 * $1 the route's permission, $2 the token's hash. */
static const char auth_token_sql[] =
    "SELECT t.id, " AUTH_TOKEN_PERMS_SQL ", "
    "t.last_used_at IS NULL OR t.last_used_at < now() - interval '" TOUCH_AFTER
    " seconds', u.id, coalesce(u.counterparty_id, 0), " AUTH_SCOPE_SQL
        AUTH_TOKEN_FROM_SQL "AND t.token_hash = $2";

/* A job replaying a request (jobs.c) runs as its sender is now: $1 the
 * route's permission, $2 the user or the token. */
static const char auth_job_user_sql[] =
    "SELECT u.login, u.locale, coalesce(u.counterparty_id, 0), "
    "" AUTH_USER_PERMS_SQL ", " AUTH_SCOPE_SQL
    "FROM core.\"user\" u WHERE u.id = $2::bigint AND u.active";

static const char auth_job_token_sql[] =
    "SELECT " AUTH_TOKEN_PERMS_SQL ", u.id, coalesce(u.counterparty_id, 0), "
    "" AUTH_SCOPE_SQL AUTH_TOKEN_FROM_SQL "AND t.id = $2::bigint";

/* Split "a b c" into the request's permission list. */
static void
auth_set_perms(struct kedr_req *r, const char *list)
{
    char *copy = kedr_arena_strdup(&r->arena, list), *save = NULL, *p;
    int cap = 8;

    r->perms = kedr_arena_alloc(&r->arena, (size_t)cap * sizeof(char *));
    r->nperms = 0;
    r->perm_all = false;
    for (p = strtok_r(copy, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
        if (strcmp(p, "*") == 0)
            r->perm_all = true;
        if (r->nperms == cap) {
            const char **n =
                kedr_arena_alloc(&r->arena, (size_t)cap * 2 * sizeof(char *));

            memcpy(n, r->perms, (size_t)cap * sizeof(char *));
            r->perms = n;
            cap *= 2;
        }
        r->perms[r->nperms++] = p;
    }
}

bool
kedr_auth_has(struct kedr_req *r, const char *perm)
{
    if (r->perm_all)
        return true;
    for (int i = 0; i < r->nperms; i++)
        if (strcmp(r->perms[i], perm) == 0)
            return true;
    return false;
}

/* The value of the cookie `name`, or NULL. */
static const char *
auth_cookie_named(struct kedr_req *r, const char *name)
{
    const char *c = kedr_req_env(r, "HTTP_COOKIE");
    struct kedr_kvlist l;

    if (c == NULL)
        return NULL;
    kedr_cookie_parse(&r->arena, c, strlen(c), &l);
    return kedr_kv_get(&l, name);
}

/* The session cookie's value, or NULL. */
static const char *
auth_cookie(struct kedr_req *r)
{
    return auth_cookie_named(r, SESSION_COOKIE);
}

/* Identify the caller from a Bearer token or the session cookie, and
 * set their scope for `perm`, the permission the request uses (NULL: a
 * route any employee may call).  0 when identified or anonymous; a code
 * when the database failed. */
static int
auth_identify(struct kedr_req *r, const char *perm)
{
    const char *authz = kedr_req_env(r, "HTTP_AUTHORIZATION");
    const char *cookie;
    char hash[65], idle[16];
    kedr_rows_t *rows;

    if (authz != NULL && strncasecmp(authz, "Bearer ", 7) == 0) {
        const char *tok = authz + 7;

        while (*tok == ' ')
            tok++;
        kedr_token_hash(tok, hash);
        rows = kedr_db_identify(r, auth_token_sql, 2,
                                (const char *const[]){perm, hash});
        if (rows == NULL)
            return r->err_code ? r->err_code : KEDR_EDB;
        if (kedr_core_rows_count(rows) == 1) {
            r->token_id = strtoll(kedr_core_rows_get(rows, 0, 0), NULL, 10);
            auth_set_perms(r, kedr_core_rows_get(rows, 0, 1));
            r->touch = kedr_core_rows_get(rows, 0, 2)[0] == 't';
            r->token_owner = strtoll(kedr_core_rows_get(rows, 0, 3), NULL, 10);
            r->counterparty_id =
                strtoll(kedr_core_rows_get(rows, 0, 4), NULL, 10);
        }
        return 0;
    }
    cookie = auth_cookie(r);
    if (cookie == NULL || *cookie == '\0')
        return 0;
    kedr_token_hash(cookie, hash);
    snprintf(idle, sizeof(idle), "%d", kedr_srv.conf->session_idle);
    rows = kedr_db_identify(r, auth_session_sql, 3,
                            (const char *const[]){perm, hash, idle});
    if (rows == NULL)
        return r->err_code ? r->err_code : KEDR_EDB;
    if (kedr_core_rows_count(rows) == 1) {
        r->session_id = strtoll(kedr_core_rows_get(rows, 0, 0), NULL, 10);
        r->user_id = strtoll(kedr_core_rows_get(rows, 0, 1), NULL, 10);
        r->login = kedr_core_rows_get(rows, 0, 2);
        r->locale = kedr_core_rows_get(rows, 0, 3);
        r->counterparty_id = strtoll(kedr_core_rows_get(rows, 0, 4), NULL, 10);
        r->csrf = kedr_core_rows_get(rows, 0, 5);
        r->touch = kedr_core_rows_get(rows, 0, 6)[0] == 't';
        auth_set_perms(r, kedr_core_rows_get(rows, 0, 7));
    }
    return 0;
}

/* A request a job replays (jobs.c): its sender's identity as it is now,
 * as a session or token would give it.  0, or a code when the database
 * failed. */
static int
auth_assume(struct kedr_req *r, const char *perm)
{
    char id[24];
    kedr_rows_t *rows;

    snprintf(id, sizeof(id), "%lld",
             (long long)(r->token_id != 0 ? r->token_id : r->user_id));
    rows = kedr_db_identify(
        r, r->token_id != 0 ? auth_job_token_sql : auth_job_user_sql, 2,
        (const char *const[]){perm, id});
    if (rows == NULL)
        return r->err_code ? r->err_code : KEDR_EDB;
    if (kedr_core_rows_count(rows) != 1) {
        r->user_id = r->token_id = 0; /* nobody now: 401 */
        return 0;
    }
    if (r->token_id != 0) {
        r->user_id = 0;
        auth_set_perms(r, kedr_core_rows_get(rows, 0, 0));
        r->token_owner = strtoll(kedr_core_rows_get(rows, 0, 1), NULL, 10);
        r->counterparty_id = strtoll(kedr_core_rows_get(rows, 0, 2), NULL, 10);
        return 0;
    }
    r->login = kedr_core_rows_get(rows, 0, 0);
    r->locale = kedr_core_rows_get(rows, 0, 1);
    r->counterparty_id = strtoll(kedr_core_rows_get(rows, 0, 2), NULL, 10);
    auth_set_perms(r, kedr_core_rows_get(rows, 0, 3));
    return 0;
}

static bool
method_is_safe(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 ||
           strcmp(m, "OPTIONS") == 0;
}

int
kedr_auth_check(struct kedr_req *r, const struct kedr_route_ent *ent)
{
    const struct kedr_route *route = ent->route;
    bool public_route = route->permission != NULL &&
                        strcmp(route->permission, KEDR_PUBLIC) == 0;
    int rc;

    if (public_route)
        return 0; /* public routes never look anyone up */
    rc = r->job_id != 0 ? auth_assume(r, route->permission)
                        : auth_identify(r, route->permission);
    if (rc != 0)
        return rc;
    if (r->user_id == 0 && r->token_id == 0)
        return kedr_req_fail(r, KEDR_EUNAUTH, NULL, "authentication required");
    /* a distributor's people reach the portal's routes only, whatever a
     * role gives them by mistake */
    if (r->counterparty_id != 0 && !ent->portal)
        return kedr_req_fail(r, KEDR_EFORBIDDEN, NULL,
                             "not available to portal users");
    if (r->session_id != 0 && !method_is_safe(r->method)) {
        const char *sent = kedr_req_env(r, "HTTP_X_CSRF_TOKEN");

        if (sent == NULL || strlen(sent) != strlen(r->csrf) ||
            sodium_memcmp(sent, r->csrf, strlen(sent)) != 0)
            return kedr_req_fail(r, KEDR_EFORBIDDEN, NULL,
                                 "missing or wrong X-CSRF-Token header");
    }
    if (route->permission != NULL && !kedr_auth_has(r, route->permission))
        return kedr_req_fail(r, KEDR_EFORBIDDEN, NULL,
                             "permission \"%s\" required", route->permission);
    return 0;
}

static const char auth_scope_sql[] =
    "SELECT set_config('kedr.own_only', CASE WHEN core.scope_own_only($1, "
    "$2::text) THEN 'on' ELSE 'off' END, true)";

int
kedr_auth_scope(struct kedr_req *r, const char *perm)
{
    int64_t who = r->user_id != 0 ? r->user_id : r->token_owner;
    char uid[32];

    if (who == 0)
        return 0; /* jobs are never limited */
    snprintf(uid, sizeof(uid), "%lld", (long long)who);
    return kedr_core_db_query(r, auth_scope_sql, 2,
                              (const char *const[]){uid, perm}) != NULL
               ? 0
               : (r->err_code ? r->err_code : KEDR_EDB);
}

void
kedr_auth_after(struct kedr_req *r)
{
    char id[32];
    const char *params[1] = {id};

    if (!r->touch)
        return;
    r->touch = false;
    if (r->session_id != 0) {
        snprintf(id, sizeof(id), "%lld", (long long)r->session_id);
        (void)kedr_db_exec_now(
            "UPDATE core.session SET last_seen_at = now() WHERE id = $1", 1,
            params);
    } else if (r->token_id != 0) {
        snprintf(id, sizeof(id), "%lld", (long long)r->token_id);
        (void)kedr_db_exec_now(
            "UPDATE core.api_token SET last_used_at = now() WHERE id = $1", 1,
            params);
    }
}

/* ------------------------------------------------------------------ */
/* the session routes                                                  */
/* ------------------------------------------------------------------ */

static void
auth_set_cookie(struct kedr_req *r, const char *value, int max_age)
{
    kedr_api->set_header(
        r, "Set-Cookie",
        kedr_arena_sprintf(&r->arena,
                           SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; "
                                          "SameSite=Lax%s",
                           value, max_age,
                           kedr_srv.conf->cookie_secure ? "; Secure" : ""));
}

static const char session_user_sql[] =
    "SELECT json_build_object('id', u.id, 'login', u.login, 'full_name', "
    "u.full_name, 'email', u.email, 'phone', u.phone, 'locale', u.locale, "
    "'counterparty_id', u.counterparty_id, 'regions', to_json(u.regions), "
    "'own_only', core.scope_own_only(u.id, NULL), 'roles', coalesce((SELECT "
    "json_agg(ro.name ORDER BY ro.name) FROM core.user_role ur JOIN core.role "
    "ro ON ro.id = ur.role_id WHERE ur.user_id = u.id), '[]'))::text, "
    "coalesce((SELECT string_agg(DISTINCT p, ' ') FROM core.user_role ur "
    "JOIN core.role ro ON ro.id = ur.role_id, unnest(ro.permissions) p "
    "WHERE ur.user_id = u.id), '') "
    "FROM core.\"user\" u WHERE u.id = $1";

/* Whether the module brings pages of its own (www/index.js beside its
 * sql/); a module without them gets the shell's generic screens. */
static bool
session_has_script(struct kedr_req *r, const struct kedr_mod *m)
{
    return m->res_dir != NULL &&
           access(kedr_arena_sprintf(&r->arena, "%s/www/index.js", m->res_dir),
                  R_OK) == 0;
}

/* {"user":…, "permissions":[…], "csrf_token":…, "modules":[…]} */
static int
session_reply(struct kedr_req *r, int status, int64_t user_id, const char *csrf)
{
    char id[32];
    kedr_rows_t *rows;
    json_t *doc, *perms, *mods;

    snprintf(id, sizeof(id), "%lld", (long long)user_id);
    rows =
        kedr_core_db_query(r, session_user_sql, 1, (const char *const[]){id});
    if (rows == NULL)
        return KEDR_EDB;
    if (kedr_core_rows_count(rows) != 1)
        return kedr_req_fail(r, KEDR_EUNAUTH, NULL, "authentication required");
    auth_set_perms(r, kedr_core_rows_get(rows, 0, 1));
    doc = kedr_json_own(r, json_object());
    json_object_set_new(doc, "user",
                        json_loads(kedr_core_rows_get(rows, 0, 0), 0, NULL));
    perms = json_array();
    json_object_set_new(doc, "permissions", perms);
    if (r->perm_all) {
        json_array_append_new(perms, json_string("*"));
        for (const struct kedr_permission *p = kedr_core_own_permissions;
             p->name; p++)
            json_array_append_new(perms, json_string(p->name));
        for (size_t i = 0; i < kedr_srv.mods.norder; i++)
            for (const struct kedr_permission *p =
                     kedr_srv.mods.order[i]->desc->permissions;
                 p && p->name; p++)
                json_array_append_new(perms, json_string(p->name));
    } else {
        for (int i = 0; i < r->nperms; i++)
            json_array_append_new(perms, json_string(r->perms[i]));
    }
    json_object_set_new(doc, "csrf_token", json_string(csrf));
    mods = json_array();
    json_object_set_new(doc, "modules", mods);
    for (size_t i = 0; i < kedr_srv.mods.norder; i++) {
        const struct kedr_mod *m = kedr_srv.mods.order[i];
        json_t *ui = json_array();
        /* no www/index.js: the shell serves the module's declared
         * entities with its generic screens */
        json_t *script = session_has_script(r, m)
                             ? json_string(kedr_arena_sprintf(
                                   &r->arena, "m/%s/index.js", m->name))
                             : json_null();

        for (const struct kedr_ui *u = m->desc->ui; u && u->path; u++)
            if (u->permission == NULL || kedr_auth_has(r, u->permission))
                json_array_append_new(
                    ui, json_pack("{s:s, s:s, s:s}", "path", u->path,
                                  "label_ru", u->label_ru ? u->label_ru : "",
                                  "label_en", u->label_en ? u->label_en : ""));
        json_array_append_new(
            mods, json_pack("{s:s, s:s, s:o, s:o}", "name", m->name, "version",
                            m->desc->version, "script", script, "ui", ui));
    }
    return kedr_api->reply_json(r, status, json_incref(doc));
}

/* Failures in the window: of this login from this address, from this
 * address, of this login, and the addresses the login's came from. */
static const char login_throttle_sql[] =
    "SELECT count(*) FILTER (WHERE lower(login) = lower($1) AND ip = $2), "
    "count(*) FILTER (WHERE ip = $2), "
    "count(*) FILTER (WHERE lower(login) = lower($1)), "
    "count(DISTINCT ip) FILTER (WHERE lower(login) = lower($1)) "
    "FROM core.login_attempt "
    "WHERE NOT ok AND at > now() - make_interval(secs => $3::int) "
    "AND (lower(login) = lower($1) OR ip = $2)";
static const char login_device_sql[] =
    "SELECT 1 FROM core.known_device d JOIN core.\"user\" u "
    "ON u.id = d.user_id WHERE d.token_hash = $1 AND lower(u.login) = "
    "lower($2) AND d.expires_at > now()";
static const char login_user_sql[] =
    "SELECT id, password_hash, active FROM core.\"user\" "
    "WHERE lower(login) = lower($1)";
static const char login_attempt_sql[] =
    "INSERT INTO core.login_attempt (login, ip, ok) VALUES ($1, $2, $3)";
/* a success clears its own pair's failures only: the owner logging in
 * does not reset the count of an attack from elsewhere */
static const char login_clear_sql[] =
    "DELETE FROM core.login_attempt WHERE lower(login) = lower($1) "
    "AND ip = $2 AND NOT ok";
/* the record of attempts is kept 30 days (the log keeps them too) */
static const char login_expire_sql[] =
    "DELETE FROM core.login_attempt WHERE at < now() - interval '30 days'";
static const char login_rehash_sql[] =
    "UPDATE core.\"user\" SET password_hash = $2 WHERE id = $1";
/* the browser's device token, refreshed when it is this user's, else a
 * new one (the old one, someone else's or expired, stays as it is) */
static const char device_touch_sql[] =
    "UPDATE core.known_device SET last_used_at = now(), expires_at = now() + "
    "make_interval(days => $3::int) WHERE token_hash = $1 AND user_id = $2 "
    "AND expires_at > now() RETURNING 1";
static const char device_new_sql[] =
    "INSERT INTO core.known_device (token_hash, user_id, expires_at) "
    "VALUES ($1, $2, now() + make_interval(days => $3::int))";
static const char device_expire_sql[] =
    "DELETE FROM core.known_device WHERE expires_at < now()";
static const char session_drop_sql[] =
    "DELETE FROM core.session WHERE token_hash = $1";
static const char session_new_sql[] =
    "INSERT INTO core.session (token_hash, user_id, csrf_token, expires_at, "
    "ip, user_agent) VALUES ($1, $2, $3, now() + make_interval(secs => "
    "$4::int), $5, left($6, 300)) RETURNING id";

/* Whether the request carries a valid known-device cookie of `login`.
 * -1 when the database failed. */
static int
login_known_device(struct kedr_req *r, const char *login)
{
    const char *dev = auth_cookie_named(r, DEVICE_COOKIE);
    char hash[65];
    kedr_rows_t *rows;

    if (dev == NULL || *dev == '\0')
        return 0;
    kedr_token_hash(dev, hash);
    rows = kedr_core_db_query(r, login_device_sql, 2,
                              (const char *const[]){hash, login});
    if (rows == NULL)
        return -1;
    return kedr_core_rows_count(rows) > 0;
}

/* After a successful login: keep the browser's known-device cookie fresh,
 * or give it one.  0, or a code. */
static int
login_remember_device(struct kedr_req *r, const char *user_id)
{
    const struct kedr_conf *c = kedr_srv.conf;
    const char *dev = auth_cookie_named(r, DEVICE_COOKIE);
    char days[16], token[96], hash[65];
    kedr_rows_t *rows;

    snprintf(days, sizeof(days), "%d", c->known_device_days);
    if (dev != NULL && *dev != '\0') {
        kedr_token_hash(dev, hash);
        rows = kedr_core_db_query(r, device_touch_sql, 3,
                                  (const char *const[]){hash, user_id, days});
        if (rows == NULL)
            return KEDR_EDB;
        if (kedr_core_rows_count(rows) > 0)
            return 0; /* known: the cookie stays as it is */
    }
    kedr_core_secret_new(NULL, token, sizeof(token), hash);
    if (kedr_core_db_exec(r, device_new_sql, 3,
                          (const char *const[]){hash, user_id, days}) < 0 ||
        kedr_core_db_exec(r, device_expire_sql, 0, NULL) < 0)
        return KEDR_EDB;
    kedr_api->set_header(
        r, "Set-Cookie",
        kedr_arena_sprintf(&r->arena,
                           DEVICE_COOKIE "=%s; Path=/api/v1/session; "
                                         "Max-Age=%d; HttpOnly; "
                                         "SameSite=Strict%s",
                           token, c->known_device_days * 86400,
                           c->cookie_secure ? "; Secure" : ""));
    return 0;
}

/* Refuse a throttled login attempt: 429 with Retry-After. */
static int
login_throttled(struct kedr_req *r)
{
    char window[16];

    snprintf(window, sizeof(window), "%d", kedr_srv.conf->login_window);
    kedr_api->set_header(r, "Retry-After", window);
    return kedr_req_fail(r, KEDR_ETHROTTLED, NULL,
                         "too many failed logins, try again later");
}

/*
 * POST /api/v1/session {login, password}: log in.
 *
 * Throttling (security.login_* in kedr.conf): failures are counted per
 * login and address pair, so wrong passwords from one place lock only that
 * place; an address guessing many logins is refused as a whole; a login is
 * locked for everyone only when its failures come from many addresses (a
 * distributed attack), and even then not for a browser that logged in as
 * it before (the known-device cookie).
 *
 * An unknown login costs what a wrong password costs (a password check
 * against a dummy hash, the same statements): timing does not tell which
 * logins exist.
 */
static int
auth_login(kedr_req_t *r)
{
    const struct kedr_conf *c = kedr_srv.conf;
    json_t *body = kedr_body(r);
    const char *login = json_string_value(json_object_get(body, "login"));
    const char *password = json_string_value(json_object_get(body, "password"));
    const char *ip = kedr_req_env(r, "REMOTE_ADDR");
    const char *ua = kedr_req_env(r, "HTTP_USER_AGENT");
    const char *old = auth_cookie(r);
    char window[16], token[96], hash[65], csrf[96], csrf_hash[65], abs[16];
    kedr_rows_t *rows;
    long pair_failures, ip_failures, failures, addresses;
    char id[32];
    bool found, ok;
    int rc;

    if (ip == NULL)
        ip = "";
    /* the User-Agent is kept with the session for the user to see: a
     * browser sending bytes that are not UTF-8 still logs in */
    if (ua == NULL)
        ua = "";
    else if (!kedr_utf8_valid(ua, strlen(ua)))
        ua = kedr_utf8_sanitize(&r->arena, ua);
    snprintf(window, sizeof(window), "%d", c->login_window);
    rows = kedr_core_db_query(r, login_throttle_sql, 3,
                              (const char *const[]){login, ip, window});
    if (rows == NULL)
        return KEDR_EDB;
    pair_failures = strtol(kedr_core_rows_get(rows, 0, 0), NULL, 10);
    ip_failures = strtol(kedr_core_rows_get(rows, 0, 1), NULL, 10);
    failures = strtol(kedr_core_rows_get(rows, 0, 2), NULL, 10);
    addresses = strtol(kedr_core_rows_get(rows, 0, 3), NULL, 10);
    if (pair_failures >= c->login_max_failures ||
        ip_failures >= c->login_max_failures_ip) {
        kedr_warn("login refused for \"%s\" from %s: %ld failures of the "
                  "login from the address, %ld from the address in %d s",
                  login, ip, pair_failures, ip_failures, c->login_window);
        return login_throttled(r);
    }
    if (failures >= c->login_lock_failures &&
        addresses >= c->login_lock_addresses) {
        int known = login_known_device(r, login);

        if (known < 0)
            return KEDR_EDB;
        if (!known) {
            kedr_warn("login refused for \"%s\" from %s: %ld failures from "
                      "%ld addresses in %d s (a known device would pass)",
                      login, ip, failures, addresses, c->login_window);
            return login_throttled(r);
        }
    }
    if (pair_failures >= c->login_slow_after) {
        /* slow down guessing: 0.25 s more for each failure past the
         * threshold, at most 2 s */
        long ms = (pair_failures - c->login_slow_after + 1) * 250;
        struct timespec ts;

        if (ms > 2000)
            ms = 2000;
        ts.tv_sec = ms / 1000;
        ts.tv_nsec = (ms % 1000) * 1000000L;
        nanosleep(&ts, NULL);
    }
    rows =
        kedr_core_db_query(r, login_user_sql, 1, (const char *const[]){login});
    if (rows == NULL)
        return KEDR_EDB;
    found = kedr_core_rows_count(rows) == 1;
    /* always a password check, against a dummy hash when the login is
     * unknown or has no password */
    ok = kedr_password_verify(found && !kedr_core_rows_isnull(rows, 0, 1)
                                  ? kedr_core_rows_get(rows, 0, 1)
                                  : NULL,
                              password) &&
         found && kedr_core_rows_get(rows, 0, 2)[0] == 't';
    if (!ok) {
        if (kedr_core_db_exec(r, login_attempt_sql, 3,
                              (const char *const[]){login, ip, "false"}) < 0)
            return KEDR_EDB;
        kedr_warn("login failed for \"%s\" from %s", login, ip);
        r->commit_on_error = true; /* keep the failure on record */
        return kedr_req_fail(r, KEDR_EUNAUTH, NULL, "wrong login or password");
    }
    r->user_id = strtoll(kedr_core_rows_get(rows, 0, 0), NULL, 10);
    if (crypto_pwhash_str_needs_rehash(
            kedr_core_rows_get(rows, 0, 1), (unsigned long long)c->argon2_ops,
            (size_t)c->argon2_mem_kib * 1024u) != 0) {
        char fresh[crypto_pwhash_STRBYTES];

        if (kedr_core_hash_password(password, fresh, sizeof(fresh)) == 0 &&
            kedr_core_db_exec(r, login_rehash_sql, 2,
                              (const char *const[]){
                                  kedr_core_rows_get(rows, 0, 0), fresh}) < 0)
            return KEDR_EDB;
    }
    if (kedr_core_db_exec(r, login_attempt_sql, 3,
                          (const char *const[]){login, ip, "true"}) < 0 ||
        kedr_core_db_exec(r, login_clear_sql, 2,
                          (const char *const[]){login, ip}) < 0 ||
        kedr_core_db_exec(r, login_expire_sql, 0, NULL) < 0)
        return KEDR_EDB;
    /* a new session every time: a session id planted before login is
     * never the one after it (no fixation) */
    if (old != NULL && *old != '\0') {
        kedr_token_hash(old, hash);
        if (kedr_core_db_exec(r, session_drop_sql, 1,
                              (const char *const[]){hash}) < 0)
            return KEDR_EDB;
    }
    kedr_core_secret_new(NULL, token, sizeof(token), hash);
    kedr_core_secret_new(NULL, csrf, sizeof(csrf), csrf_hash);
    snprintf(abs, sizeof(abs), "%d", c->session_absolute);
    rows = kedr_core_db_query(
        r, session_new_sql, 6,
        (const char *const[]){hash, kedr_core_rows_get(rows, 0, 0), csrf, abs,
                              ip, ua});
    if (rows == NULL)
        return KEDR_EDB;
    r->session_id = strtoll(kedr_core_rows_get(rows, 0, 0), NULL, 10);
    kedr_info("login \"%s\" from %s", login, ip);
    /* the session cookie first: a client that reads one Set-Cookie reads
     * that one */
    auth_set_cookie(r, token, c->session_absolute);
    snprintf(id, sizeof(id), "%lld", (long long)r->user_id);
    if ((rc = login_remember_device(r, id)) != 0)
        return rc;
    return session_reply(r, 201, r->user_id, csrf);
}

/* GET /api/v1/session: who am I. */
static int
auth_whoami(kedr_req_t *r)
{
    if (r->session_id == 0)
        return kedr_req_fail(r, KEDR_EBADREQ, NULL,
                             "an API token has no session");
    return session_reply(r, 200, r->user_id, r->csrf);
}

static const char session_locale_sql[] =
    "UPDATE core.\"user\" SET locale = $2, updated_at = now(), "
    "version = version + 1 WHERE id = $1 AND locale <> $2 RETURNING 1";

/* PATCH /api/v1/session {locale}: the user's own language. */
static int
auth_set_locale(kedr_req_t *r)
{
    const char *locale =
        json_string_value(json_object_get(kedr_body(r), "locale"));
    char id[32];
    int n;

    if (r->session_id == 0)
        return kedr_req_fail(r, KEDR_EBADREQ, NULL,
                             "an API token has no session");
    if (strcmp(locale, "ru") != 0 && strcmp(locale, "en") != 0)
        return kedr_req_fail(r, KEDR_EINVAL, "locale", "must be ru or en");
    snprintf(id, sizeof(id), "%lld", (long long)r->user_id);
    n = kedr_core_db_exec(r, session_locale_sql, 2,
                          (const char *const[]){id, locale});
    if (n < 0)
        return n;
    if (n > 0) {
        json_t *old = kedr_json_own(r, json_pack("{s:s}", "locale", r->locale));
        json_t *new_ = kedr_json_own(r, json_pack("{s:s}", "locale", locale));
        int rc = kedr_core_audit(r, "core.user", id, "updated", old, new_);

        if (rc != 0)
            return rc;
    }
    return session_reply(r, 200, r->user_id, r->csrf);
}

/* DELETE /api/v1/session: log out. */
static int
auth_logout(kedr_req_t *r)
{
    char id[32];

    if (r->session_id == 0)
        return kedr_req_fail(r, KEDR_EBADREQ, NULL,
                             "an API token has no session");
    snprintf(id, sizeof(id), "%lld", (long long)r->session_id);
    if (kedr_core_db_exec(r, "DELETE FROM core.session WHERE id = $1", 1,
                          (const char *const[]){id}) < 0)
        return KEDR_EDB;
    r->touch = false;
    auth_set_cookie(r, "", 0);
    return 0;
}

/* DELETE /api/v1/session/all: log out everywhere. */
static int
auth_logout_all(kedr_req_t *r)
{
    char id[32];

    if (r->session_id == 0)
        return kedr_req_fail(r, KEDR_EBADREQ, NULL,
                             "an API token has no session");
    snprintf(id, sizeof(id), "%lld", (long long)r->user_id);
    if (kedr_core_db_exec(r, "DELETE FROM core.session WHERE user_id = $1", 1,
                          (const char *const[]){id}) < 0)
        return KEDR_EDB;
    r->touch = false;
    kedr_info("user \"%s\" logged out everywhere", r->login);
    auth_set_cookie(r, "", 0);
    return 0;
}

/* ------------------------------------------------------------------ */
/* audit                                                               */
/* ------------------------------------------------------------------ */

static const char audit_insert_sql[] =
    "INSERT INTO core.audit (user_id, token_id, request_id, entity, "
    "entity_id, action, old, new) VALUES (nullif($1, '0')::bigint, "
    "nullif($2, '0')::bigint, $3, $4, $5, $6, $7::jsonb, $8::jsonb)";

static const char *
audit_json(struct kedr_req *r, json_t *v)
{
    char *s;

    if (v == NULL)
        return NULL;
    s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s == NULL)
        return NULL;
    kedr_arena_on_cleanup(&r->arena, free, s);
    return s;
}

int
kedr_core_audit(struct kedr_req *r, const char *entity, const char *entity_id,
                const char *action, json_t *old, json_t *new_)
{
    char uid[32], tid[32];
    int rc;

    if (entity == NULL || entity_id == NULL || action == NULL)
        return kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                             "audit needs an entity, an id and an action");
    snprintf(uid, sizeof(uid), "%lld", (long long)r->user_id);
    snprintf(tid, sizeof(tid), "%lld", (long long)r->token_id);
    rc = kedr_core_db_exec(
        r, audit_insert_sql, 8,
        (const char *const[]){uid, tid, r->rid ? r->rid : "", entity, entity_id,
                              action, audit_json(r, old), audit_json(r, new_)});
    return rc < 0 ? rc : 0;
}

static const char audit_insert_many_sql[] =
    "INSERT INTO core.audit (user_id, token_id, request_id, entity, "
    "entity_id, action, new) SELECT nullif($1, '0')::bigint, "
    "nullif($2, '0')::bigint, $3, $4, e->>'id', $5, e "
    "FROM jsonb_array_elements($6::jsonb) e";

int
kedr_audit_write_many(struct kedr_req *r, const char *entity,
                      const char *action, const char *records)
{
    char uid[32], tid[32];
    int rc;

    snprintf(uid, sizeof(uid), "%lld", (long long)r->user_id);
    snprintf(tid, sizeof(tid), "%lld", (long long)r->token_id);
    rc = kedr_core_db_exec(r, audit_insert_many_sql, 6,
                           (const char *const[]){uid, tid, r->rid ? r->rid : "",
                                                 entity, action, records});
    return rc < 0 ? rc : 0;
}

static const char audit_list_sql[] =
    "SELECT coalesce(json_agg(x ORDER BY x.id DESC), '[]')::text FROM ("
    "SELECT a.id, a.at, a.user_id, u.login AS user_login, a.token_id, "
    "a.request_id, a.entity, a.entity_id, a.action, a.old, a.new "
    "FROM core.audit a LEFT JOIN core.\"user\" u ON u.id = a.user_id "
    "WHERE a.entity = $1 AND ($2::text IS NULL OR a.entity_id = $2) "
    "AND ($3::bigint IS NULL OR a.id < $3::bigint) "
    "AND ($5::boolean OR core.audit_visible($1, $2)) "
    "ORDER BY a.id DESC LIMIT $4::int) x";

/* GET /api/v1/audit?entity=…&id=…&before=…&limit=…: a record's history.
 * core.audit.read, or the entity's module's read permission
 * ("clients.read" for "clients.counterparty"); through the latter an
 * own-only user sees the history of the records the module shows them
 * (core.audit_visible), and of one record at a time. */
static int
auth_audit_list(kedr_req_t *r)
{
    const char *entity = kedr_query(r, "entity");
    const char *id = kedr_query(r, "id");
    const char *before = kedr_query(r, "before");
    const char *limit = kedr_query(r, "limit");
    const char *dot, *perm;
    long n = limit ? strtol(limit, NULL, 10) : 100;
    bool auditor;
    int rc;

    if (entity == NULL || *entity == '\0')
        return kedr_req_fail(r, KEDR_EINVAL, "entity", "is required");
    if (before != NULL && strspn(before, "0123456789") != strlen(before))
        return kedr_req_fail(r, KEDR_EINVAL, "before", "must be an id");
    if (n < 1 || n > 1000)
        return kedr_req_fail(r, KEDR_EINVAL, "limit",
                             "must be between 1 and 1000");
    dot = strchr(entity, '.');
    auditor = kedr_auth_has(r, "core.audit.read");
    perm = dot == NULL ? NULL
                       : kedr_arena_sprintf(&r->arena, "%.*s.read",
                                            (int)(dot - entity), entity);
    if (!auditor && (perm == NULL || !kedr_auth_has(r, perm)))
        return kedr_req_fail(r, KEDR_EFORBIDDEN, NULL,
                             "permission \"core.audit.read\" required");
    /* through the module's read permission: that permission's scope */
    if (!auditor && (rc = kedr_auth_scope(r, perm)) != 0)
        return rc;
    return kedr_core_reply_db_json(
        r, 200, audit_list_sql, 5,
        (const char *const[]){entity, id && *id ? id : NULL,
                              before && *before ? before : NULL,
                              kedr_arena_sprintf(&r->arena, "%ld", n),
                              auditor ? "true" : "false"});
}

static const struct kedr_field login_input[] = {
    {.name = "login", .type = KEDR_T_STRING, .flags = KEDR_REQUIRED, .max = 64},
    {.name = "password",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED,
     .max = 1024},
    {0},
};

static const struct kedr_field locale_input[] = {
    {.name = "locale", .type = KEDR_T_STRING, .flags = KEDR_REQUIRED, .max = 2},
    {0},
};

const struct kedr_route kedr_auth_routes[] = {
    {.method = "GET", .path = "/audit", .handler = auth_audit_list},
    {0},
};

/* The session's own routes serve portal users too. */
const struct kedr_route kedr_session_routes[] = {
    {.method = "POST",
     .path = "/session",
     .handler = auth_login,
     .permission = KEDR_PUBLIC,
     .input = login_input},
    {.method = "GET", .path = "/session", .handler = auth_whoami},
    {.method = "PATCH",
     .path = "/session",
     .handler = auth_set_locale,
     .input = locale_input},
    {.method = "DELETE", .path = "/session", .handler = auth_logout},
    {.method = "DELETE", .path = "/session/all", .handler = auth_logout_all},
    {0},
};
