/*
 * cli_user.c -- `kedr user add|passwd|list`: manage users from the shell
 * (the first administrator, a forgotten password) without the HTTP API.
 *
 * Each command runs parameterised SQL on the process's raw connection in
 * one transaction, and records what it changed in the audit trail with
 * request id "cli".  A password comes from standard input: typed twice
 * without echo on a terminal, else the first line.  It is never taken
 * from the command line (other users see argv in ps).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "core.h"
#include "builtin/user_json.h"

#define CLI_PW_MAX 1100 /* the API takes up to 1024 characters */
#define CLI_MAX_ROLES 32

static void
cli_user_usage(FILE *f)
{
    fputs("usage: kedr [-c FILE] user add LOGIN --role ROLE [--role ROLE...]\n"
          "                [--name NAME] [--email EMAIL] [--locale ru|en]\n"
          "                [--password-stdin]\n"
          "       kedr [-c FILE] user passwd LOGIN\n"
          "       kedr [-c FILE] user list\n"
          "\n"
          "add      create a user with the given roles; with --password-stdin\n"
          "         the password is read from standard input, else the user\n"
          "         cannot log in until `kedr user passwd`\n"
          "passwd   set a user's password (read from standard input) and\n"
          "         end their sessions\n"
          "list     print every user with their roles\n",
          f);
}

/* Print "kedr user: MESSAGE[: DETAIL]" to stderr; returns 1. */
__attribute__((format(printf, 1, 2))) static int
cli_fail(const char *fmt, ...)
{
    va_list ap;

    fputs("kedr user: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

/* ------------------------------------------------------------------ */
/* SQL on the raw connection                                           */
/* ------------------------------------------------------------------ */

/* Run a statement; the result, or NULL after printing the error. */
static PGresult *
cli_sql(PGconn *conn, const char *sql, int n, const char *const *params)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);

    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    fprintf(stderr, "kedr user: database: %s", PQerrorMessage(conn));
    PQclear(res);
    return NULL;
}

/* Run a statement whose result is not needed.  0 or -1 (printed). */
static int
cli_exec(PGconn *conn, const char *sql, int n, const char *const *params)
{
    PGresult *res = cli_sql(conn, sql, n, params);

    if (res == NULL)
        return -1;
    PQclear(res);
    return 0;
}

/* Connect to the configured database.  NULL after printing why. */
static PGconn *
cli_connect(void)
{
    if (kedr_db_connect() != 0) {
        cli_fail("cannot connect to the database (database.url or "
                 "KEDR_DATABASE_URL)");
        return NULL;
    }
    return kedr_db_conn();
}

/* ------------------------------------------------------------------ */
/* passwords                                                           */
/* ------------------------------------------------------------------ */

/* Read one line of at most size-1 bytes without its line end, with the
 * terminal's echo off when stdin is one.  0, or -1 at end of input or
 * for a line that does not fit. */
static int
cli_read_line(const char *prompt, char *buf, size_t size, bool tty)
{
    struct termios old, quiet;
    bool echo_off = false;
    size_t n;
    char *ok;

    if (tty) {
        fputs(prompt, stderr);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }
    ok = fgets(buf, (int)size, stdin);
    if (echo_off) {
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (ok == NULL)
        return -1;
    n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (n == size - 1)
        return -1; /* longer than the buffer */
    if (n > 0 && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return 0;
}

/*
 * The new password of `login` from stdin, checked against the policy and
 * hashed into `hash` (crypto_pwhash_STRBYTES).  0, or 1 after printing
 * why.  The clear text is wiped before returning.
 */
static int
cli_password(const char *login, char *hash, size_t hashlen)
{
    char pw[CLI_PW_MAX], again[CLI_PW_MAX];
    bool tty = isatty(STDIN_FILENO) != 0;
    const char *why;
    int rc = 1;

    if (cli_read_line("new password: ", pw, sizeof(pw), tty) != 0) {
        cli_fail("no password on standard input (or longer than %d bytes)",
                 CLI_PW_MAX - 2);
        goto wipe;
    }
    if (tty) {
        if (cli_read_line("again: ", again, sizeof(again), tty) != 0 ||
            strcmp(pw, again) != 0) {
            cli_fail("the passwords do not match");
            goto wipe;
        }
    }
    if ((why = kedr_core_password_problem(login, pw)) != NULL) {
        cli_fail("password %s (at least %d characters, not the login)", why,
                 kedr_srv.conf->password_min_length);
        goto wipe;
    }
    if (kedr_core_hash_password(pw, hash, hashlen) != 0) {
        cli_fail("cannot hash the password (out of memory?)");
        goto wipe;
    }
    rc = 0;
wipe:
    sodium_memzero(pw, sizeof(pw));
    sodium_memzero(again, sizeof(again));
    return rc;
}

/* ------------------------------------------------------------------ */
/* kedr user add                                                       */
/* ------------------------------------------------------------------ */

static const char cli_role_unknown_sql[] =
    "SELECT n FROM json_array_elements_text($1::json) n "
    "WHERE NOT EXISTS (SELECT 1 FROM core.role ro WHERE ro.name = n)";
static const char cli_user_insert_sql[] =
    "INSERT INTO core.\"user\" (login, full_name, email, locale, "
    "password_hash, password_changed_at) VALUES ($1, coalesce($2, ''), "
    "coalesce($3, ''), coalesce($4, 'ru'), $5::text, "
    "CASE WHEN $5 IS NOT NULL THEN now() END) "
    "ON CONFLICT ((lower(login))) DO NOTHING RETURNING id";
static const char cli_user_roles_sql[] =
    "INSERT INTO core.user_role (user_id, role_id) SELECT $1, ro.id "
    "FROM core.role ro WHERE ro.name IN "
    "(SELECT json_array_elements_text($2::json))";
static const char cli_audit_created_sql[] =
    "INSERT INTO core.audit (request_id, entity, entity_id, action, new) "
    "SELECT 'cli', 'core.user', u.id::text, 'created', " KEDR_USER_JSON
    "::jsonb FROM core.\"user\" u WHERE u.id = $1";

struct cli_add {
    const char *login, *name, *email, *locale;
    const char *roles[CLI_MAX_ROLES];
    int nroles;
    bool password_stdin;
};

/* Parse `add LOGIN [options]` (argv[0] = "add").  0, or 2 (usage). */
static int
cli_add_parse(int argc, char **argv, struct cli_add *a)
{
    static const struct option opts[] = {
        {"role", required_argument, NULL, 'r'},
        {"name", required_argument, NULL, 'n'},
        {"email", required_argument, NULL, 'e'},
        {"locale", required_argument, NULL, 'l'},
        {"password-stdin", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    memset(a, 0, sizeof(*a));
    optind = 0; /* restart getopt (main used it) */
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'r':
            if (a->nroles == CLI_MAX_ROLES)
                return cli_fail("at most %d roles", CLI_MAX_ROLES) + 1;
            a->roles[a->nroles++] = optarg;
            break;
        case 'n':
            a->name = optarg;
            break;
        case 'e':
            a->email = optarg;
            break;
        case 'l':
            a->locale = optarg;
            break;
        case 'p':
            a->password_stdin = true;
            break;
        case 'h':
            cli_user_usage(stdout);
            exit(0);
        default:
            cli_user_usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        cli_user_usage(stderr);
        return 2;
    }
    a->login = argv[optind];
    if (a->nroles == 0) {
        cli_fail("at least one --role is required");
        return 2;
    }
    return 0;
}

/* Check what the database does not: the login's and locale's form. */
static int
cli_add_check(const struct cli_add *a)
{
    size_t n = strlen(a->login);

    if (n == 0 || n > 64 ||
        strspn(a->login, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789._@-") != n)
        return cli_fail("bad login \"%s\": 1 to 64 characters, letters, "
                        "digits, . _ @ -",
                        a->login);
    if (a->locale != NULL && strcmp(a->locale, "ru") != 0 &&
        strcmp(a->locale, "en") != 0)
        return cli_fail("--locale must be ru or en");
    if (a->email != NULL && !kedr_value_email_valid(a->email))
        return cli_fail("bad email \"%s\"", a->email);
    return 0;
}

static int
cli_add(int argc, char **argv)
{
    char hash[crypto_pwhash_STRBYTES], *roles = NULL;
    const char *id;
    struct cli_add a;
    json_t *list;
    PGresult *res = NULL;
    PGconn *conn;
    int rc;

    if ((rc = cli_add_parse(argc, argv, &a)) != 0)
        return rc;
    if (cli_add_check(&a) != 0)
        return 1;
    if (a.password_stdin && cli_password(a.login, hash, sizeof(hash)) != 0)
        return 1;
    list = json_array();
    for (int i = 0; i < a.nroles; i++)
        json_array_append_new(list, json_string(a.roles[i]));
    roles = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    if (roles == NULL)
        kedr_oom();
    rc = 1;
    if ((conn = cli_connect()) == NULL)
        goto out;
    if (cli_exec(conn, "BEGIN", 0, NULL) != 0)
        goto out;
    res = cli_sql(conn, cli_role_unknown_sql, 1, (const char *const[]){roles});
    if (res == NULL)
        goto rollback;
    if (PQntuples(res) > 0) {
        cli_fail("unknown role \"%s\"", PQgetvalue(res, 0, 0));
        goto rollback;
    }
    PQclear(res);
    res = cli_sql(conn, cli_user_insert_sql, 5,
                  (const char *const[]){a.login, a.name, a.email, a.locale,
                                        a.password_stdin ? hash : NULL});
    if (res == NULL)
        goto rollback;
    if (PQntuples(res) == 0) {
        cli_fail("a user with login \"%s\" exists", a.login);
        goto rollback;
    }
    id = PQgetvalue(res, 0, 0);
    if (cli_exec(conn, cli_user_roles_sql, 2,
                 (const char *const[]){id, roles}) != 0 ||
        cli_exec(conn, cli_audit_created_sql, 1, (const char *const[]){id}) !=
            0 ||
        cli_exec(conn, "COMMIT", 0, NULL) != 0)
        goto rollback;
    printf("user \"%s\" created (id %s)%s\n", a.login, id,
           a.password_stdin ? ""
                            : "; it has no password: set one with "
                              "`kedr user passwd`");
    rc = 0;
    goto out;
rollback:
    (void)cli_exec(conn, "ROLLBACK", 0, NULL);
out:
    PQclear(res);
    free(roles);
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

/* ------------------------------------------------------------------ */
/* kedr user passwd                                                    */
/* ------------------------------------------------------------------ */

static const char cli_passwd_sql[] =
    "UPDATE core.\"user\" SET password_hash = $2, password_changed_at = now(), "
    "updated_at = now(), version = version + 1 "
    "WHERE lower(login) = lower($1) RETURNING id, login";
static const char cli_sessions_end_sql[] =
    "DELETE FROM core.session WHERE user_id = $1";
static const char cli_audit_passwd_sql[] =
    "INSERT INTO core.audit (request_id, entity, entity_id, action, new) "
    "SELECT 'cli', 'core.user', u.id::text, 'password_changed', "
    "json_build_object('password_changed_at', u.password_changed_at, "
    "'sessions_ended', $2::int) FROM core.\"user\" u WHERE u.id = $1";

static int
cli_passwd(int argc, char **argv)
{
    char hash[crypto_pwhash_STRBYTES];
    const char *login;
    PGresult *res = NULL, *del = NULL;
    PGconn *conn;
    int rc = 1;

    if (argc != 2 || argv[1][0] == '-') {
        cli_user_usage(stderr);
        return 2;
    }
    login = argv[1];
    if ((conn = cli_connect()) == NULL)
        return 1;
    /* an unknown login fails before anyone types a password */
    res = cli_sql(conn,
                  "SELECT login FROM core.\"user\" "
                  "WHERE lower(login) = lower($1)",
                  1, (const char *const[]){login});
    if (res == NULL)
        return 1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return cli_fail("no user \"%s\"", login);
    }
    PQclear(res);
    res = NULL;
    if (cli_password(login, hash, sizeof(hash)) != 0)
        return 1;
    if (cli_exec(conn, "BEGIN", 0, NULL) != 0)
        goto out;
    res = cli_sql(conn, cli_passwd_sql, 2, (const char *const[]){login, hash});
    if (res == NULL)
        goto rollback;
    if (PQntuples(res) == 0) {
        cli_fail("no user \"%s\"", login);
        goto rollback;
    }
    del = cli_sql(conn, cli_sessions_end_sql, 1,
                  (const char *const[]){PQgetvalue(res, 0, 0)});
    if (del == NULL ||
        cli_exec(conn, cli_audit_passwd_sql, 2,
                 (const char *const[]){PQgetvalue(res, 0, 0),
                                       PQcmdTuples(del)}) != 0 ||
        cli_exec(conn, "COMMIT", 0, NULL) != 0)
        goto rollback;
    printf("password of \"%s\" changed; %s session(s) ended\n",
           PQgetvalue(res, 0, 1), PQcmdTuples(del));
    rc = 0;
    goto out;
rollback:
    (void)cli_exec(conn, "ROLLBACK", 0, NULL);
out:
    PQclear(del);
    PQclear(res);
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

/* ------------------------------------------------------------------ */
/* kedr user list                                                      */
/* ------------------------------------------------------------------ */

static const char cli_list_sql[] =
    "SELECT u.login, CASE WHEN u.active THEN 'yes' ELSE 'no' END, "
    "CASE WHEN u.password_hash IS NULL THEN 'no' ELSE 'yes' END, "
    "coalesce(string_agg(ro.name, ',' ORDER BY ro.name), '-'), u.full_name "
    "FROM core.\"user\" u LEFT JOIN core.user_role ur ON ur.user_id = u.id "
    "LEFT JOIN core.role ro ON ro.id = ur.role_id "
    "GROUP BY u.id ORDER BY lower(u.login)";

static int
cli_list(int argc, char **argv)
{
    PGresult *res;
    PGconn *conn;

    (void)argv;
    if (argc != 1) {
        cli_user_usage(stderr);
        return 2;
    }
    if ((conn = cli_connect()) == NULL)
        return 1;
    res = cli_sql(conn, cli_list_sql, 0, NULL);
    if (res == NULL)
        return 1;
    printf("%-24s %-6s %-8s %-30s %s\n", "LOGIN", "ACTIVE", "PASSWORD", "ROLES",
           "NAME");
    for (int i = 0; i < PQntuples(res); i++)
        printf("%-24s %-6s %-8s %-30s %s\n", PQgetvalue(res, i, 0),
               PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
               PQgetvalue(res, i, 3), PQgetvalue(res, i, 4));
    PQclear(res);
    return 0;
}

int
kedr_cli_user(struct kedr_conf *c, int argc, char **argv)
{
    int rc;

    (void)c; /* kedr_srv.conf: the connection and the password cost */
    if (argc < 2) {
        cli_user_usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        cli_user_usage(stdout);
        return 0;
    }
    if (kedr_auth_init() != 0)
        return 1;
    if (strcmp(argv[1], "add") == 0)
        rc = cli_add(argc - 1, argv + 1);
    else if (strcmp(argv[1], "passwd") == 0)
        rc = cli_passwd(argc - 1, argv + 1);
    else if (strcmp(argv[1], "list") == 0)
        rc = cli_list(argc - 1, argv + 1);
    else {
        fprintf(stderr, "kedr user: unknown command \"%s\"\n", argv[1]);
        cli_user_usage(stderr);
        rc = 2;
    }
    kedr_db_close();
    return rc;
}
