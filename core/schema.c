/*
 * schema.c -- schema migrations (`kedr schema`, and each start): the
 * core's (embedded in the binary), then each enabled module's
 * <res_dir>/sql/NNNN_name.sql in dependency order.  Each file runs in its own
 * transaction with the module's schema first on the search_path, and is
 * recorded in core.migration with a checksum; an applied file that changed
 * afterwards stops the run.  A session advisory lock keeps two instances from
 * migrating at once.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core.h"

struct kedr_sql_file {
    const char *name;
    const char *text;
};
extern const struct kedr_sql_file kedr_core_sql[];

static const char schema_bootstrap[] =
    "CREATE SCHEMA IF NOT EXISTS core;"
    "CREATE TABLE IF NOT EXISTS core.migration ("
    "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  module text NOT NULL,"
    "  name text NOT NULL,"
    "  checksum text NOT NULL,"
    "  applied_at timestamptz NOT NULL DEFAULT now(),"
    "  UNIQUE (module, name))";

static const char schema_applied_sql[] =
    "SELECT name, checksum FROM core.migration WHERE module = $1";
static const char schema_record_sql[] =
    "INSERT INTO core.migration (module, name, checksum) VALUES ($1, $2, $3)";

static bool
exec_ok(PGconn *c, const char *sql, const char *what)
{
    PGresult *res = PQexec(c, sql);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
              PQresultStatus(res) == PGRES_TUPLES_OK;

    if (!ok)
        kedr_error("schema: %s: %s", what, PQerrorMessage(c));
    PQclear(res);
    return ok;
}

static void
checksum(const char *text, char out[17])
{
    uint64_t h = 14695981039346656037ull;

    for (const char *s = text; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static bool
name_is_migration(const char *n)
{
    size_t len = strlen(n);

    return len > 9 && n[0] >= '0' && n[0] <= '9' && n[1] >= '0' &&
           n[1] <= '9' && n[2] >= '0' && n[2] <= '9' && n[3] >= '0' &&
           n[3] <= '9' && n[4] == '_' && strcmp(n + len - 4, ".sql") == 0;
}

static int
str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = kedr_xmalloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Apply one file unless applied; -1 on failure. */
static int
apply_one(PGconn *c, const char *module, const char *name, const char *text,
          PGresult *applied, int *count)
{
    char sum[17], *ident, *prologue;
    const char *params[3];
    PGresult *res;
    bool ok;

    checksum(text, sum);
    for (int i = 0; i < PQntuples(applied); i++)
        if (strcmp(PQgetvalue(applied, i, 0), name) == 0) {
            if (strcmp(PQgetvalue(applied, i, 1), sum) != 0) {
                kedr_error("schema: \"%s/%s\" changed after it was applied "
                           "(write a new migration instead)",
                           module, name);
                return -1;
            }
            return 0;
        }
    /* the module's schema first on the search path; the name is a checked
     * module name and quoted besides */
    ident = PQescapeIdentifier(c, module, strlen(module));
    if (ident == NULL)
        kedr_oom();
    prologue = kedr_xmalloc(2 * strlen(ident) + 80);
    sprintf(prologue,
            "CREATE SCHEMA IF NOT EXISTS %s; SET LOCAL search_path = %s, "
            "public",
            ident, ident);
    PQfreemem(ident);
    ok = exec_ok(c, "BEGIN", "begin") && exec_ok(c, prologue, "schema");
    free(prologue);
    if (ok) {
        res = PQexec(c, text);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
             PQresultStatus(res) == PGRES_TUPLES_OK ||
             PQresultStatus(res) == PGRES_EMPTY_QUERY;
        if (!ok)
            kedr_error("schema: \"%s/%s\" failed: %s", module, name,
                       PQerrorMessage(c));
        PQclear(res);
    }
    if (ok) {
        params[0] = module;
        params[1] = name;
        params[2] = sum;
        res =
            PQexecParams(c, schema_record_sql, 3, NULL, params, NULL, NULL, 0);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok)
            kedr_error("schema: recording \"%s/%s\": %s", module, name,
                       PQerrorMessage(c));
        PQclear(res);
    }
    if (!ok || !exec_ok(c, "COMMIT", "commit")) {
        (void)exec_ok(c, "ROLLBACK", "rollback");
        return -1;
    }
    kedr_info("schema: applied %s/%s", module, name);
    (*count)++;
    return 0;
}

static PGresult *
applied_of(PGconn *c, const char *module)
{
    const char *params[1] = {module};
    PGresult *res =
        PQexecParams(c, schema_applied_sql, 1, NULL, params, NULL, NULL, 0);

    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        kedr_error("schema: reading core.migration: %s", PQerrorMessage(c));
        PQclear(res);
        return NULL;
    }
    return res;
}

/* Record the module's default grants not recorded before and add each to
 * its role (when the role exists), in one statement. */
static const char schema_grants_sql[] =
    "WITH g AS (INSERT INTO core.module_grant (module, role, permission) "
    "SELECT $1, x.role, x.permission FROM json_to_recordset($2::json) AS "
    "x(role text, permission text) ON CONFLICT DO NOTHING "
    "RETURNING role, permission) "
    "UPDATE core.role ro SET permissions = ARRAY(SELECT DISTINCT p FROM "
    "unnest(ro.permissions || ARRAY(SELECT g.permission FROM g WHERE g.role = "
    "ro.name)) p ORDER BY p), version = version + 1, updated_at = now() "
    "WHERE ro.name IN (SELECT role FROM g)";

static int
grants_apply(PGconn *c, struct kedr_mod *m)
{
    const struct kedr_grant *g = kedr_module_grants(m->desc);
    json_t *list;
    char *text;
    const char *params[2];
    PGresult *res;
    int rc = 0;

    if (g == NULL || g->role == NULL)
        return 0;
    list = json_array();
    for (; g->role != NULL; g++)
        json_array_append_new(list, json_pack("{s:s, s:s}", "role", g->role,
                                              "permission", g->permission));
    text = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    if (text == NULL)
        kedr_oom();
    params[0] = m->name;
    params[1] = text;
    res = PQexecParams(c, schema_grants_sql, 2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        kedr_error("schema: default grants of \"%s\": %s", m->name,
                   PQerrorMessage(c));
        rc = -1;
    } else if (strcmp(PQcmdTuples(res), "0") != 0) {
        kedr_info("schema: default grants of \"%s\" given to %s role(s)",
                  m->name, PQcmdTuples(res));
    }
    PQclear(res);
    free(text);
    return rc;
}

static int
schema_module(PGconn *c, struct kedr_mod *m, int *count)
{
    char dir[4200];
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    PGresult *applied;
    DIR *d;
    int rc = 0;

    snprintf(dir, sizeof(dir), "%s/sql", m->res_dir);
    d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT
                   ? 0
                   : (kedr_error("schema: cannot open \"%s\"", dir), -1);
    while ((de = readdir(d)) != NULL)
        if (name_is_migration(de->d_name)) {
            names = kedr_xrealloc(names, (n + 1) * sizeof(*names));
            names[n++] = kedr_xstrdup(de->d_name);
        }
    closedir(d);
    qsort(names, n, sizeof(*names), str_cmp);
    applied = n > 0 ? applied_of(c, m->name) : NULL;
    if (n > 0 && applied == NULL)
        rc = -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char path[4600], *text;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        text = read_file(path);
        if (text == NULL) {
            kedr_error("schema: cannot read \"%s\"", path);
            rc = -1;
            break;
        }
        rc = apply_one(c, m->name, names[i], text, applied, count);
        free(text);
    }
    PQclear(applied);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int
kedr_schema_apply(struct kedr_conf *conf, struct kedr_modset *set)
{
    PGconn *c;
    PGresult *applied;
    int rc = 0, count = 0;

    (void)conf;
    if (kedr_db_connect() != 0) {
        kedr_error("schema: database unavailable");
        return -1;
    }
    c = kedr_db_conn();
    /* the lock's key predates the name schema.c: an older kedr running
     * beside this one during an upgrade must take the same lock */
    if (!exec_ok(c, "SELECT pg_advisory_lock(hashtext('kedr.migrate'))",
                 "lock"))
        return -1;
    if (!exec_ok(c, schema_bootstrap, "bootstrap")) {
        rc = -1;
        goto unlock;
    }
    applied = applied_of(c, "core");
    if (applied == NULL) {
        rc = -1;
        goto unlock;
    }
    for (const struct kedr_sql_file *f = kedr_core_sql; f->name && rc == 0; f++)
        rc = apply_one(c, "core", f->name, f->text, applied, &count);
    PQclear(applied);
    for (size_t i = 0; i < set->norder && rc == 0; i++) {
        rc = schema_module(c, set->order[i], &count);
        if (rc == 0)
            rc = grants_apply(c, set->order[i]);
    }
    if (rc == 0)
        kedr_info("schema: %d migration%s applied, up to date", count,
                  count == 1 ? "" : "s");
unlock:
    (void)exec_ok(c, "SELECT pg_advisory_unlock(hashtext('kedr.migrate'))",
                  "unlock");
    return rc;
}
