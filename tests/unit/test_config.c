/*
 * test_config.c -- core/config.c: kedr_conf_check_text on valid and broken
 * configs (each error with its line number), kedr_conf_load on the shipped
 * conf/kedr.conf and on temporary files, defaults, and KEDR_DATABASE_URL.
 * Broken configs are also data-driven: tests/data/config/<case>/{input,
 * expected} (see tests/data/README.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "testdata.h"

/* The smallest valid config. */
#define MINIMAL                                                                \
    "server: { listen = \"var/run/kedr.sock\"; };\n"                           \
    "modules: { path = [\"build/modules\"]; };\n"

/* Check `text`: the error count, and the error text into err. */
static int
check(const char *text, char *err, size_t errlen)
{
    return kedr_conf_check_text(text, err, errlen);
}

/* Assert `text` gives exactly `want` (the whole error text). */
static void
assert_check(const char *text, int nerr, const char *want)
{
    char err[4096];
    int n = check(text, err, sizeof(err));

    if (n != nerr || strcmp(err, want) != 0)
        fail_msg("config:\n%s\n--- want %d errors:\n%s--- got %d:\n%s", text,
                 nerr, want, n, err);
}

/* ------------------------------------------------------------------ */
/* kedr_conf_check_text                                                */
/* ------------------------------------------------------------------ */

static void
test_check_valid(void **state)
{
    (void)state;
    assert_check(MINIMAL, 0, "");
    /* every core key, at its bounds */
    assert_check("server:\n"
                 "{\n"
                 "  listen = \"127.0.0.1:9000\";\n"
                 "  backlog = 1;\n"
                 "  workers = 256;\n"
                 "  max_requests = 0;\n"
                 "  request_timeout = 86400;\n"
                 "  max_body = 1073741824L;\n"
                 "  jobs = false;\n"
                 "  pid_file = \"\";\n"
                 "  log_level = \"debug\";\n"
                 "  access_log = false;\n"
                 "};\n"
                 "database: { url = \"postgresql:///kedr\"; "
                 "statement_timeout = 0; };\n"
                 "modules:\n"
                 "{\n"
                 "  path = [\"a\", \"b\"];\n"
                 "  enabled = [\"hello\", \"clients\", \"a1_b\"];\n"
                 "};\n"
                 "hello: { greeting = \"Привет\"; anything = [1, 2]; };\n"
                 "clients: { };\n",
                 0, "");
    /* lists may be libconfig lists too, and empty */
    assert_check("server: { listen = \"x\"; };\n"
                 "modules: { path = (\"a\"); enabled = (); };\n",
                 0, "");
    /* the four levels */
    assert_check("server: { listen = \"x\"; log_level = \"error\"; };\n"
                 "modules: { path = []; };\n",
                 0, "");
    assert_check("server: { listen = \"x\"; log_level = \"warn\"; };\n"
                 "modules: { path = []; };\n",
                 0, "");
    assert_check("server: { listen = \"x\"; log_level = \"info\"; };\n"
                 "modules: { path = []; };\n",
                 0, "");
    /* err may be NULL */
    assert_int_equal(kedr_conf_check_text(MINIMAL, NULL, 0), 0);
}

static void
test_check_syntax_error(void **state)
{
    (void)state;
    assert_check("server: { listen = \"x\";\n"
                 "  workers = ;\n"
                 "};\n",
                 1, "2: syntax error\n");
    /* an unterminated string runs to the end of the text */
    assert_check(MINIMAL "\n\n"
                         "hello: { greeting = \"unterminated; };\n",
                 1, "6: syntax error\n");
    /* reported at the end of the text, after the last newline */
    assert_check(MINIMAL "hello: {\n", 1, "4: syntax error\n");
    assert_check("server: { listen = \"x\"; listen = \"y\"; };\n", 1,
                 "1: duplicate setting name\n");
    /* err may be NULL */
    assert_int_equal(kedr_conf_check_text("x = ;", NULL, 0), 1);
}

static void
test_check_unknown_key(void **state)
{
    (void)state;
    assert_check("server:\n"
                 "{\n"
                 "  listen = \"x\";\n"
                 "  wrokers = 3;\n"
                 "};\n"
                 "database: { uri = \"x\"; };\n"
                 "modules: { path = []; enable = []; };\n",
                 3,
                 "4: server.wrokers: unknown setting\n"
                 "6: database.uri: unknown setting\n"
                 "7: modules.enable: unknown setting\n");
    /* names are case-sensitive; nested groups are unknown settings */
    assert_check("server: { listen = \"x\"; Workers = 2; tls: { }; };\n"
                 "modules: { path = []; };\n",
                 2,
                 "1: server.Workers: unknown setting\n"
                 "1: server.tls: unknown setting\n");
}

static void
test_check_wrong_type(void **state)
{
    (void)state;
    assert_check("server:\n"
                 "{\n"
                 "  listen = 9000;\n"
                 "  workers = \"8\";\n"
                 "  backlog = 1.5;\n"
                 "  jobs = 1;\n"
                 "  access_log = \"yes\";\n"
                 "  log_level = \"INFO\";\n"
                 "  pid_file = [\"x\"];\n"
                 "};\n"
                 "database: { url = true; statement_timeout = 1e3; };\n"
                 "modules: { path = \"build/modules\"; enabled = [1]; };\n",
                 11,
                 "3: server.listen: must be a string\n"
                 "4: server.workers: must be an integer\n"
                 "5: server.backlog: must be an integer\n"
                 "6: server.jobs: must be true or false\n"
                 "7: server.access_log: must be true or false\n"
                 "8: server.log_level: must be one of \"error\", \"warn\", "
                 "\"info\", \"debug\"\n"
                 "9: server.pid_file: must be a string\n"
                 "11: database.url: must be a string\n"
                 "11: database.statement_timeout: must be an integer\n"
                 "12: modules.path: must be a list of strings\n"
                 "12: modules.enabled: must be a list of strings\n");
    /* a mixed list: one error for the list */
    assert_check("server: { listen = \"x\"; };\n"
                 "modules: { path = (\"a\", 1, 2); };\n",
                 1, "2: modules.path: must be a list of strings\n");
    assert_check("server: { listen = \"x\"; log_level = 2; };\n"
                 "modules: { path = []; };\n",
                 1,
                 "1: server.log_level: must be one of \"error\", \"warn\", "
                 "\"info\", \"debug\"\n");
}

static void
test_check_out_of_range(void **state)
{
    (void)state;
    assert_check("server:\n"
                 "{\n"
                 "  listen = \"x\";\n"
                 "  backlog = 0;\n"
                 "  workers = 257;\n"
                 "  max_requests = -1;\n"
                 "  request_timeout = 86401;\n"
                 "  max_body = 1023;\n"
                 "};\n"
                 "database: { statement_timeout = 86400001; };\n"
                 "modules: { path = []; };\n",
                 6,
                 "4: server.backlog: must be between 1 and 65535\n"
                 "5: server.workers: must be between 1 and 256\n"
                 "6: server.max_requests: must be between 0 and 1000000000\n"
                 "7: server.request_timeout: must be between 1 and 86400\n"
                 "8: server.max_body: must be between 1024 and 1073741824\n"
                 "10: database.statement_timeout: must be between 0 and "
                 "86400000\n");
    assert_check("server: { listen = \"x\"; max_body = 4294967297L; "
                 "workers = 0; };\n"
                 "modules: { path = []; };\n",
                 2,
                 "1: server.max_body: must be between 1024 and 1073741824\n"
                 "1: server.workers: must be between 1 and 256\n");
    /* 64-bit values are range-checked as 64-bit */
    assert_check("server: { listen = \"x\"; workers = 4294967297L; };\n"
                 "modules: { path = []; };\n",
                 1, "1: server.workers: must be between 1 and 256\n");
}

static void
test_check_missing_required(void **state)
{
    (void)state;
    assert_check("modules: { path = []; };\n", 1,
                 "server.listen: required setting is missing\n");
    assert_check("server: { workers = 2; };\n"
                 "modules: { path = []; };\n",
                 1, "server.listen: required setting is missing\n");
    assert_check("server: { listen = \"x\"; };\n", 1,
                 "modules.path: required setting is missing\n");
    assert_check("server: { listen = \"x\"; };\n"
                 "modules: { enabled = [\"hello\"]; };\n",
                 1, "modules.path: required setting is missing\n");
    assert_check("", 2,
                 "server.listen: required setting is missing\n"
                 "modules.path: required setting is missing\n");
    assert_check("# only a comment\n", 2,
                 "server.listen: required setting is missing\n"
                 "modules.path: required setting is missing\n");
}

static void
test_check_bad_module_name(void **state)
{
    (void)state;
    assert_check("server: { listen = \"x\"; };\n"
                 "modules:\n"
                 "{\n"
                 "  path = [];\n"
                 "  enabled = [\"hello\", \"Bad\", \"1x\", \"a-b\", \"\", "
                 "\"ok_2\"];\n"
                 "};\n",
                 4,
                 "5: modules.enabled: \"Bad\" is not a module name "
                 "([a-z][a-z0-9_]*)\n"
                 "5: modules.enabled: \"1x\" is not a module name "
                 "([a-z][a-z0-9_]*)\n"
                 "5: modules.enabled: \"a-b\" is not a module name "
                 "([a-z][a-z0-9_]*)\n"
                 "5: modules.enabled: \"\" is not a module name "
                 "([a-z][a-z0-9_]*)\n");
    /* module names are not checked in modules.path */
    assert_check("server: { listen = \"x\"; };\n"
                 "modules: { path = [\"Some/Dir\"]; };\n",
                 0, "");
}

static void
test_check_top_level(void **state)
{
    (void)state;
    /* a top-level setting that is not a group */
    assert_check(MINIMAL "debug = true;\n", 1,
                 "3: \"debug\": top-level settings must be groups\n");
    /* even under a valid module name */
    assert_check(MINIMAL "hello = \"x\";\n", 1,
                 "3: \"hello\": top-level settings must be groups\n");
    /* a core name that is not a group */
    assert_check("server = \"x\";\nmodules: { path = []; };\n", 2,
                 "1: \"server\": top-level settings must be groups\n"
                 "server.listen: required setting is missing\n");
    /* a group that cannot be a module's */
    assert_check(MINIMAL "\nMyModule: { };\n", 1,
                 "4: \"MyModule\": unknown group (module groups are named "
                 "[a-z][a-z0-9_]*)\n");
    /* a module group may hold anything, unchecked */
    assert_check(MINIMAL "hello: { greeting = 5; nested: { x = 1; }; };\n", 0,
                 "");
}

static void
test_check_error_buffer(void **state)
{
    char err[24];
    char big[64];
    int n;

    (void)state;
    /* a short buffer truncates, counts every error, stays terminated */
    memset(err, 'x', sizeof(err));
    n = check("", err, sizeof(err));
    assert_int_equal(n, 2);
    assert_int_equal(strlen(err), sizeof(err) - 1);
    assert_memory_equal(err, "server.listen: required setting is",
                        sizeof(err) - 1);

    n = check("", big, 1);
    assert_int_equal(n, 2);
    assert_string_equal(big, "");

    /* a valid check empties a buffer holding old text */
    strcpy(big, "old");
    assert_int_equal(check(MINIMAL, big, sizeof(big)), 0);
    assert_string_equal(big, "");
}

/* ------------------------------------------------------------------ */
/* data-driven: tests/data/config                                      */
/* ------------------------------------------------------------------ */

static char *
run_config(const char *input, size_t len)
{
    char err[8192];
    char *text = strndup(input, len);

    if (text == NULL)
        abort();
    kedr_conf_check_text(text, err, sizeof(err));
    free(text);
    return strdup(err);
}

static void
test_data_config(void **state)
{
    (void)state;
    testdata_run("config", run_config);
}

/* ------------------------------------------------------------------ */
/* data-driven: tests/data/config_module -- a module's group against     */
/* its declared settings                                                */
/* ------------------------------------------------------------------ */

/* The declaration the cases' group "t_conf" is checked against: one
 * setting of each type, a bounded and an unbounded integer. */
static const struct kedr_setting t_conf_settings[] = {
    {.name = "name", .type = KEDR_SETTING_STRING, .def = "x"},
    {.name = "size",
     .type = KEDR_SETTING_INT,
     .def = "10",
     .min = 1,
     .max = 100},
    {.name = "count", .type = KEDR_SETTING_INT},
    {.name = "on", .type = KEDR_SETTING_BOOL},
    {.name = "tags", .type = KEDR_SETTING_LIST},
    {0},
};

static char *
run_config_module(const char *input, size_t len)
{
    char err[8192];
    struct kedr_conf_errors e = {err, 0, sizeof(err), NULL, 0};
    char *text = strndup(input, len);
    config_t cfg;

    if (text == NULL)
        abort();
    err[0] = '\0';
    config_init(&cfg);
    if (config_read_string(&cfg, text) != CONFIG_TRUE)
        kedr_conf_err(&e, config_error_line(&cfg), "%s",
                      config_error_text(&cfg));
    else
        kedr_conf_check_module(config_lookup(&cfg, "t_conf"), "t_conf",
                               t_conf_settings, &e);
    config_destroy(&cfg);
    free(text);
    return strdup(err);
}

static void
test_data_config_module(void **state)
{
    (void)state;
    testdata_run("config_module", run_config_module);
}

/* ------------------------------------------------------------------ */
/* kedr_conf_load                                                      */
/* ------------------------------------------------------------------ */

/* conf/kedr.conf, found from the data folder (<root>/tests/data). */
static const char *
shipped_conf(void)
{
    static char path[PATH_MAX];

    if (snprintf(path, sizeof(path), "%s/../../conf/kedr.conf",
                 testdata_dir()) >= (int)sizeof(path))
        fail_msg("path too long");
    return path;
}

/* Write `text` to a new temporary file; its path in `path`. */
static void
write_tmp(const char *text, char *path, size_t pathlen)
{
    const char *dir = getenv("TMPDIR");
    int fd;
    size_t len = strlen(text);

    snprintf(path, pathlen, "%s/kedr-test-conf-XXXXXX",
             dir != NULL && *dir != '\0' ? dir : "/tmp");
    fd = mkstemp(path);
    if (fd < 0)
        fail_msg("mkstemp %s failed", path);
    if (write(fd, text, len) != (ssize_t)len)
        fail_msg("write %s failed", path);
    close(fd);
}

/*
 * kedr_conf_load(file) with stderr captured into `out`; returns the
 * config (or NULL).
 */
static struct kedr_conf *
load_capture(const char *file, char *out, size_t outlen)
{
    char path[PATH_MAX];
    struct kedr_conf *c;
    int saved, fd;
    char *text;

    write_tmp("", path, sizeof(path));
    fflush(stderr);
    saved = dup(STDERR_FILENO);
    fd = open(path, O_WRONLY | O_TRUNC);
    if (saved < 0 || fd < 0)
        fail_msg("cannot redirect stderr");
    dup2(fd, STDERR_FILENO);
    close(fd);
    c = kedr_conf_load(file);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    text = testdata_read(path, NULL);
    unlink(path);
    snprintf(out, outlen, "%s", text != NULL ? text : "");
    free(text);
    return c;
}

static void
test_load_shipped(void **state)
{
    const char *file = shipped_conf();
    struct kedr_conf *c;
    config_setting_t *g;
    const char *greeting = NULL;
    char err[1024];

    (void)state;
    unsetenv("KEDR_DATABASE_URL");
    c = load_capture(file, err, sizeof(err));
    if (c == NULL)
        fail_msg("%s refused:\n%s", file, err);
    assert_string_equal(err, "");
    assert_string_equal(c->file, file);
    assert_string_equal(c->listen, "var/run/kedr.sock");
    assert_int_equal(c->backlog, 256);
    assert_int_equal(c->workers, 8);
    assert_int_equal(c->max_requests, 10000);
    assert_int_equal(c->request_timeout, 30);
    assert_int_equal(c->max_body, 10485760);
    assert_true(c->jobs);
    assert_string_equal(c->pid_file, "var/run/kedr.pid");
    assert_int_equal(c->log_level, KEDR_LOG_INFO);
    assert_true(c->access_log);
    /* make run's private cluster, relative to the checkout */
    assert_string_equal(c->db_url, "host=var/pg/run dbname=kedr user=kedr");
    assert_non_null(c->db_host);
    assert_int_equal(c->statement_timeout, 20000);
    assert_true(c->cookie_secure);
    assert_non_null(c->module_path);
    assert_string_equal(c->module_path[0], "build/modules");
    assert_null(c->module_path[1]);
    assert_non_null(c->enabled);
    /* the business modules are on by default; the example is not */
    assert_true(kedr_conf_is_enabled(c, "catalog"));
    assert_false(kedr_conf_is_enabled(c, "hello"));

    g = kedr_conf_group(c, "hello");
    assert_non_null(g);
    assert_int_equal(config_setting_lookup_string(g, "greeting", &greeting),
                     CONFIG_TRUE);
    assert_string_equal(greeting, "Привет из Kedr");
    /* core groups are groups too; missing ones and non-groups are NULL */
    assert_non_null(kedr_conf_group(c, "server"));
    assert_null(kedr_conf_group(c, "clients"));
    assert_null(kedr_conf_group(c, "server.listen"));
    kedr_conf_free(c);
}

static void
test_load_shipped_checks_clean(void **state)
{
    char *text = testdata_read(shipped_conf(), NULL);
    char err[1024];

    (void)state;
    assert_non_null(text);
    assert_int_equal(check(text, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    free(text);
}

static void
test_load_defaults(void **state)
{
    char path[PATH_MAX], err[1024];
    struct kedr_conf *c;

    (void)state;
    unsetenv("KEDR_DATABASE_URL");
    write_tmp("server: { listen = \"127.0.0.1:9000\"; };\n"
              "modules: { path = [\"m1\", \"m2\"]; "
              "enabled = [\"hello\", \"clients\"]; };\n",
              path, sizeof(path));
    c = load_capture(path, err, sizeof(err));
    unlink(path);
    if (c == NULL)
        fail_msg("refused:\n%s", err);
    assert_string_equal(c->listen, "127.0.0.1:9000");
    assert_int_equal(c->backlog, 256);
    assert_int_equal(c->workers, 8);
    assert_int_equal(c->max_requests, 10000);
    assert_int_equal(c->request_timeout, 30);
    assert_int_equal(c->max_body, 10485760);
    assert_true(c->jobs);
    assert_string_equal(c->pid_file, "");
    assert_int_equal(c->log_level, KEDR_LOG_INFO);
    assert_true(c->access_log);
    assert_string_equal(c->db_url, "dbname=kedr");
    assert_null(c->db_host);
    assert_int_equal(c->statement_timeout, 20000);
    /* the session cookie is Secure unless a config says otherwise */
    assert_true(c->cookie_secure);
    assert_string_equal(c->module_path[0], "m1");
    assert_string_equal(c->module_path[1], "m2");
    assert_null(c->module_path[2]);
    assert_string_equal(c->enabled[0], "hello");
    assert_string_equal(c->enabled[1], "clients");
    assert_null(c->enabled[2]);
    assert_true(kedr_conf_is_enabled(c, "hello"));
    assert_true(kedr_conf_is_enabled(c, "clients"));
    assert_false(kedr_conf_is_enabled(c, "hell"));
    assert_false(kedr_conf_is_enabled(c, "hello2"));
    assert_null(kedr_conf_group(c, "hello"));
    kedr_conf_free(c);
}

static void
test_load_values(void **state)
{
    char path[PATH_MAX], err[1024];
    struct kedr_conf *c;

    (void)state;
    unsetenv("KEDR_DATABASE_URL");
    write_tmp("server:\n"
              "{\n"
              "  listen = \"s.sock\";\n"
              "  backlog = 16;\n"
              "  workers = 3;\n"
              "  max_requests = 0;\n"
              "  request_timeout = 5;\n"
              "  max_body = 1073741824L;\n"
              "  jobs = false;\n"
              "  pid_file = \"k.pid\";\n"
              "  log_level = \"debug\";\n"
              "  access_log = false;\n"
              "};\n"
              "database: { url = \"host=db\"; statement_timeout = 0; };\n"
              "modules: { path = (); };\n",
              path, sizeof(path));
    c = load_capture(path, err, sizeof(err));
    unlink(path);
    if (c == NULL)
        fail_msg("refused:\n%s", err);
    assert_string_equal(c->listen, "s.sock");
    assert_int_equal(c->backlog, 16);
    assert_int_equal(c->workers, 3);
    assert_int_equal(c->max_requests, 0);
    assert_int_equal(c->request_timeout, 5);
    assert_int_equal(c->max_body, 1073741824LL);
    assert_false(c->jobs);
    assert_string_equal(c->pid_file, "k.pid");
    assert_int_equal(c->log_level, KEDR_LOG_DEBUG);
    assert_false(c->access_log);
    assert_string_equal(c->db_url, "host=db");
    assert_int_equal(c->statement_timeout, 0);
    assert_null(c->module_path[0]);
    assert_null(c->enabled[0]);
    assert_false(kedr_conf_is_enabled(c, "hello"));
    kedr_conf_free(c);
}

static void
test_load_database_url_env(void **state)
{
    struct kedr_conf *c;
    char err[1024];

    (void)state;
    setenv("KEDR_DATABASE_URL", "postgresql://u@127.0.0.1:5433/kedr_test", 1);
    c = load_capture(shipped_conf(), err, sizeof(err));
    assert_non_null(c);
    assert_string_equal(c->db_url, "postgresql://u@127.0.0.1:5433/kedr_test");
    kedr_conf_free(c);

    /* an empty variable does not override */
    setenv("KEDR_DATABASE_URL", "", 1);
    c = load_capture(shipped_conf(), err, sizeof(err));
    assert_non_null(c);
    assert_string_equal(c->db_url, "host=var/pg/run dbname=kedr user=kedr");
    kedr_conf_free(c);

    /* and without the setting, the default is overridden too */
    setenv("KEDR_DATABASE_URL", "dbname=other", 1);
    {
        char path[PATH_MAX];

        write_tmp(MINIMAL, path, sizeof(path));
        c = load_capture(path, err, sizeof(err));
        unlink(path);
    }
    assert_non_null(c);
    assert_string_equal(c->db_url, "dbname=other");
    kedr_conf_free(c);
    unsetenv("KEDR_DATABASE_URL");
}

/* Load a config whose database.url is `url`; the caller frees it. */
static struct kedr_conf *
load_url(const char *url)
{
    char path[PATH_MAX], text[1024], err[1024];
    struct kedr_conf *c;

    snprintf(text, sizeof(text), MINIMAL "database: { url = \"%s\"; };\n", url);
    write_tmp(text, path, sizeof(path));
    c = load_capture(path, err, sizeof(err));
    unlink(path);
    if (c == NULL)
        fail_msg("refused:\n%s", err);
    return c;
}

/* A relative socket directory in database.url is made absolute against the
 * working directory (libpq would take it for a host name); absolute
 * directories and host names are left alone. */
static void
test_load_database_relative_socket(void **state)
{
    char cwd[PATH_MAX], want[3 * PATH_MAX];
    struct kedr_conf *c;

    (void)state;
    unsetenv("KEDR_DATABASE_URL");
    assert_non_null(getcwd(cwd, sizeof(cwd)));

    c = load_url("host=var/pg/run dbname=kedr user=kedr");
    snprintf(want, sizeof(want), "%s/var/pg/run", cwd);
    assert_string_equal(c->db_host, want);
    kedr_conf_free(c);

    /* a host list: only the relative element changes */
    c = load_url("host=/run/postgresql,./pg/run,db.example dbname=kedr");
    snprintf(want, sizeof(want), "/run/postgresql,%s/./pg/run,db.example", cwd);
    assert_string_equal(c->db_host, want);
    kedr_conf_free(c);

    /* the URI form */
    c = load_url("postgresql:///kedr?host=var/pg/run");
    snprintf(want, sizeof(want), "%s/var/pg/run", cwd);
    assert_string_equal(c->db_host, want);
    kedr_conf_free(c);

    /* nothing to resolve: no host, absolute, a host name, unparsable */
    const char *const none[] = {"dbname=kedr", "host=/var/run/postgresql",
                                "host=db port=5433", "postgresql://u@db/k",
                                "host='unterminated"};
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        c = load_url(none[i]);
        if (c->db_host != NULL)
            fail_msg("%s: db_host %s", none[i], c->db_host);
        kedr_conf_free(c);
    }

    /* the environment's url is resolved the same way */
    setenv("KEDR_DATABASE_URL", "host=var/pg/run dbname=kedr", 1);
    c = load_url("dbname=other");
    snprintf(want, sizeof(want), "%s/var/pg/run", cwd);
    assert_string_equal(c->db_host, want);
    kedr_conf_free(c);
    unsetenv("KEDR_DATABASE_URL");
}

static void
test_load_errors(void **state)
{
    char path[PATH_MAX], err[1024], want[PATH_MAX + 256];
    struct kedr_conf *c;

    (void)state;
    /* every error as "FILE:LINE: message" */
    write_tmp("server:\n{\n  listen = 1;\n  wrokers = 2;\n};\n", path,
              sizeof(path));
    c = load_capture(path, err, sizeof(err));
    assert_null(c);
    if (snprintf(want, sizeof(want),
                 "%s:3: server.listen: must be a string\n"
                 "%s:4: server.wrokers: unknown setting\n"
                 "%s: modules.path: required setting is missing\n",
                 path, path, path) >= (int)sizeof(want))
        fail_msg("path too long");
    unlink(path);
    assert_string_equal(err, want);

    write_tmp(MINIMAL "x = ;\n", path, sizeof(path));
    c = load_capture(path, err, sizeof(err));
    assert_null(c);
    if (snprintf(want, sizeof(want), "%s:3: syntax error\n", path) >=
        (int)sizeof(want))
        fail_msg("path too long");
    unlink(path);
    assert_string_equal(err, want);

    /* a missing file */
    c = load_capture("/nonexistent/kedr.conf", err, sizeof(err));
    assert_null(c);
    assert_string_equal(err, "/nonexistent/kedr.conf: cannot read: No such "
                             "file or directory\n");
    kedr_conf_free(NULL);
}

/*
 * libconfig 1.5 wraps an integer literal above 32 bits written without the
 * L suffix ("max_body = 4294968320;" would load as 1024, and
 * "statement_timeout = 4294967296;" as 0 = no limit): the checker refuses
 * such literals instead of range-checking the wrapped value.
 */
static void
test_int_beyond_32_bits(void **state)
{
    char err[1024];

    (void)state;
    /* refused, never silently wrapped */
    assert_int_not_equal(
        check("server: { listen = \"x\"; max_body = 4294968320; };\n"
              "modules: { path = []; };\n",
              err, sizeof(err)),
        0);
    assert_int_not_equal(
        check("server: { listen = \"x\"; };\n"
              "database: { statement_timeout = 4294967296; };\n"
              "modules: { path = []; };\n",
              err, sizeof(err)),
        0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_valid),
        cmocka_unit_test(test_check_syntax_error),
        cmocka_unit_test(test_check_unknown_key),
        cmocka_unit_test(test_check_wrong_type),
        cmocka_unit_test(test_check_out_of_range),
        cmocka_unit_test(test_check_missing_required),
        cmocka_unit_test(test_check_bad_module_name),
        cmocka_unit_test(test_check_top_level),
        cmocka_unit_test(test_check_error_buffer),
        cmocka_unit_test(test_data_config),
        cmocka_unit_test(test_data_config_module),
        cmocka_unit_test(test_load_shipped),
        cmocka_unit_test(test_load_shipped_checks_clean),
        cmocka_unit_test(test_load_database_relative_socket),
        cmocka_unit_test(test_load_defaults),
        cmocka_unit_test(test_load_values),
        cmocka_unit_test(test_load_database_url_env),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_int_beyond_32_bits),
    };

    kedr_log_level = -1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
