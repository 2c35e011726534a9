/*
 * config.c -- conf/kedr.conf: loading, validation, and the module groups.
 *
 * Every key the core reads is declared in one table with its type and
 * range; unknown keys in the core's groups are errors (a typo must not be
 * silently ignored), each reported with its line number.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "core.h"

enum conf_kind { CK_STRING, CK_INT, CK_BOOL, CK_STRLIST, CK_LEVEL };

struct conf_key {
    const char *group;
    const char *name;
    enum conf_kind kind;
    long long min, max;
    bool required;
};

static const struct conf_key conf_keys[] = {
    {"server", "listen", CK_STRING, 0, 0, true},
    {"server", "backlog", CK_INT, 1, 65535, false},
    {"server", "workers", CK_INT, 1, 256, false},
    {"server", "max_requests", CK_INT, 0, 1000000000, false},
    {"server", "request_timeout", CK_INT, 1, 86400, false},
    {"server", "max_body", CK_INT, 1024, 1LL << 30, false},
    {"server", "import_max_rows", CK_INT, 1, 10000000, false},
    {"server", "json_max_depth", CK_INT, 2, 256, false},
    {"server", "json_max_items", CK_INT, 10, 10000000, false},
    {"server", "json_max_keys", CK_INT, 10, 1000000, false},
    {"server", "import_job_rows", CK_INT, 0, 10000000, false},
    {"server", "export_job_rows", CK_INT, 0, 100000000, false},
    {"server", "jobs", CK_BOOL, 0, 0, false},
    {"server", "pid_file", CK_STRING, 0, 0, false},
    {"server", "log_level", CK_LEVEL, 0, 0, false},
    {"server", "access_log", CK_BOOL, 0, 0, false},
    {"database", "url", CK_STRING, 0, 0, false},
    {"database", "statement_timeout", CK_INT, 0, 86400000, false},
    {"modules", "path", CK_STRLIST, 0, 0, true},
    {"modules", "enabled", CK_STRLIST, 0, 0, false},
    {"security", "session_idle", CK_INT, 60, 86400 * 30, false},
    {"security", "session_absolute", CK_INT, 300, 86400 * 365, false},
    {"security", "cookie_secure", CK_BOOL, 0, 0, false},
    {"security", "password_min_length", CK_INT, 8, 128, false},
    {"security", "login_slow_after", CK_INT, 1, 1000, false},
    {"security", "login_max_failures", CK_INT, 1, 1000, false},
    {"security", "login_max_failures_ip", CK_INT, 1, 100000, false},
    {"security", "login_window", CK_INT, 10, 86400, false},
    {"security", "login_lock_failures", CK_INT, 1, 1000000, false},
    {"security", "login_lock_addresses", CK_INT, 2, 100000, false},
    {"security", "known_device_days", CK_INT, 1, 3650, false},
    {"security", "argon2_ops", CK_INT, 1, 10, false},
    {"security", "argon2_mem_kib", CK_INT, 1024, 1048576, false},
    {NULL, NULL, 0, 0, 0, false},
};

static void
conf_verr(struct kedr_conf_errors *e, int line, const char *fmt, va_list ap)
{
    char msg[512];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    e->count++;
    /* line 0: the error belongs to no line (a missing setting) */
    if (e->buf == NULL) {
        if (line > 0)
            fprintf(stderr, "%s:%d: %s\n", e->file ? e->file : "config", line,
                    msg);
        else
            fprintf(stderr, "%s: %s\n", e->file ? e->file : "config", msg);
        return;
    }
    if (e->len < e->cap) {
        int n = line > 0
                    ? snprintf(e->buf + e->len, e->cap - e->len, "%d: %s\n",
                               line, msg)
                    : snprintf(e->buf + e->len, e->cap - e->len, "%s\n", msg);
        if (n > 0)
            e->len +=
                (size_t)n < e->cap - e->len ? (size_t)n : e->cap - e->len - 1;
    }
}

__attribute__((format(printf, 3, 4))) static void
conf_err(struct kedr_conf_errors *e, int line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    conf_verr(e, line, fmt, ap);
    va_end(ap);
}

void
kedr_conf_err(struct kedr_conf_errors *e, int line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    conf_verr(e, line, fmt, ap);
    va_end(ap);
}

static bool
conf_is_int(const config_setting_t *s)
{
    int t = config_setting_type(s);

    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static bool
conf_group_is_core(const char *name)
{
    for (const struct conf_key *k = conf_keys; k->group; k++)
        if (strcmp(k->group, name) == 0)
            return true;
    return false;
}

static void
conf_check_key(const struct conf_key *k, config_setting_t *s,
               struct kedr_conf_errors *e)
{
    int line = (int)config_setting_source_line(s);

    switch (k->kind) {
    case CK_STRING:
        if (config_setting_type(s) != CONFIG_TYPE_STRING)
            conf_err(e, line, "%s.%s: must be a string", k->group, k->name);
        break;
    case CK_LEVEL:
        if (config_setting_type(s) != CONFIG_TYPE_STRING ||
            kedr_log_level_parse(config_setting_get_string(s)) < 0)
            conf_err(e, line,
                     "%s.%s: must be one of \"error\", \"warn\", \"info\", "
                     "\"debug\"",
                     k->group, k->name);
        break;
    case CK_BOOL:
        if (config_setting_type(s) != CONFIG_TYPE_BOOL)
            conf_err(e, line, "%s.%s: must be true or false", k->group,
                     k->name);
        break;
    case CK_INT: {
        long long v;

        if (!conf_is_int(s)) {
            conf_err(e, line, "%s.%s: must be an integer", k->group, k->name);
            break;
        }
        v = config_setting_get_int64(s);
        if (v < k->min || v > k->max)
            conf_err(e, line, "%s.%s: must be between %lld and %lld", k->group,
                     k->name, k->min, k->max);
        break;
    }
    case CK_STRLIST: {
        int t = config_setting_type(s);

        if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) {
            conf_err(e, line, "%s.%s: must be a list of strings", k->group,
                     k->name);
            break;
        }
        for (int i = 0; i < config_setting_length(s); i++) {
            config_setting_t *it = config_setting_get_elem(s, (unsigned)i);

            if (config_setting_type(it) != CONFIG_TYPE_STRING) {
                conf_err(e, line, "%s.%s: must be a list of strings", k->group,
                         k->name);
                break;
            }
            if (strcmp(k->name, "enabled") == 0 &&
                !kedr_module_name_valid(config_setting_get_string(it)))
                conf_err(e, line,
                         "modules.enabled: \"%s\" is not a module name "
                         "([a-z][a-z0-9_]*)",
                         config_setting_get_string(it));
        }
        break;
    }
    }
}

/*
 * libconfig 1.5 silently truncates an integer literal beyond 32 bits that
 * lacks the L suffix (5000000000 reads as 705032704), so the range checks
 * would pass a wrong value.  Scan the text for such literals first.
 */
void
kedr_conf_scan_ints(const char *t, struct kedr_conf_errors *e)
{
    int line = 1;

    while (*t) {
        if (*t == '\n') {
            line++;
            t++;
        } else if (*t == '"') {
            for (t++; *t && *t != '"'; t++) {
                if (*t == '\\' && t[1])
                    t++;
                else if (*t == '\n')
                    line++;
            }
            if (*t)
                t++;
        } else if (*t == '#' || (t[0] == '/' && t[1] == '/')) {
            while (*t && *t != '\n')
                t++;
        } else if (t[0] == '/' && t[1] == '*') {
            for (t += 2; *t && !(t[0] == '*' && t[1] == '/'); t++)
                if (*t == '\n')
                    line++;
            if (*t)
                t += 2;
        } else if (*t >= '0' && *t <= '9') {
            const char *start = t;
            unsigned long long v = 0;
            bool big = false, hex = t[0] == '0' && (t[1] == 'x' || t[1] == 'X');

            if (hex)
                t += 2;
            for (;
                 hex ? isxdigit((unsigned char)*t) : isdigit((unsigned char)*t);
                 t++) {
                v = v * (hex ? 16 : 10) +
                    (unsigned)(isdigit((unsigned char)*t)
                                   ? *t - '0'
                                   : (tolower((unsigned char)*t) - 'a' + 10));
                if (v > 0xFFFFFFFFull)
                    big = true;
            }
            if (*t == '.' || *t == 'e' || *t == 'E')
                big = false; /* a float */
            else if (!hex && v > 0x7FFFFFFFull)
                big = true;
            if (big && *t != 'L')
                conf_err(e, line,
                         "integer %.*s does not fit in 32 bits: write it with "
                         "an L suffix (%.*sL)",
                         (int)(t - start), start, (int)(t - start), start);
            while (isalnum((unsigned char)*t) || *t == '.')
                t++;
        } else if (isalpha((unsigned char)*t) || *t == '_') {
            while (isalnum((unsigned char)*t) || *t == '_' || *t == '-')
                t++; /* a name: digits inside it are not numbers */
        } else {
            t++;
        }
    }
}

/* The kind a module setting's type is checked as; -1 for no type. */
static int
conf_setting_kind(enum kedr_setting_type t)
{
    switch (t) {
    case KEDR_SETTING_STRING:
        return CK_STRING;
    case KEDR_SETTING_INT:
        return CK_INT;
    case KEDR_SETTING_BOOL:
        return CK_BOOL;
    case KEDR_SETTING_LIST:
        return CK_STRLIST;
    }
    return -1;
}

const struct kedr_setting *
kedr_setting_find(const struct kedr_setting *decl, const char *name)
{
    for (; decl != NULL && decl->name != NULL; decl++)
        if (strcmp(decl->name, name) == 0)
            return decl;
    return NULL;
}

bool
kedr_setting_int(const char *text, long long *out)
{
    char *end;

    *out = 0;
    if (text == NULL)
        return true;
    errno = 0;
    *out = strtoll(text, &end, 10);
    return end != text && *end == '\0' && errno == 0;
}

int
kedr_setting_bool(const char *text)
{
    if (text == NULL || strcmp(text, "false") == 0)
        return 0;
    return strcmp(text, "true") == 0 ? 1 : -1;
}

/*
 * A module's group is checked by the same rules as the core's groups: the
 * declaration is turned into the core's key shape, so a type or a range
 * reads the same error wherever it is.
 */
int
kedr_conf_check_module(config_setting_t *g, const char *module,
                       const struct kedr_setting *decl,
                       struct kedr_conf_errors *e)
{
    int before = e->count;

    for (int j = 0; g != NULL && j < config_setting_length(g); j++) {
        config_setting_t *s = config_setting_get_elem(g, (unsigned)j);
        const struct kedr_setting *d =
            kedr_setting_find(decl, config_setting_name(s));
        struct conf_key k = {module, NULL, CK_STRING, 0, 0, false};

        if (d == NULL || conf_setting_kind(d->type) < 0) {
            conf_err(e, (int)config_setting_source_line(s),
                     "%s.%s: unknown setting", module, config_setting_name(s));
            continue;
        }
        k.name = d->name;
        k.kind = (enum conf_kind)conf_setting_kind(d->type);
        k.min = d->min < d->max ? d->min : LLONG_MIN;
        k.max = d->min < d->max ? d->max : LLONG_MAX;
        conf_check_key(&k, s, e);
    }
    return e->count - before;
}

/* Validate a parsed config; returns the number of errors. */
static int
conf_validate(config_t *cfg, struct kedr_conf_errors *e)
{
    config_setting_t *root = config_root_setting(cfg);

    for (int i = 0; i < config_setting_length(root); i++) {
        config_setting_t *g = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(g);
        int line = (int)config_setting_source_line(g);

        if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
            conf_err(e, line, "\"%s\": top-level settings must be groups",
                     name);
            continue;
        }
        if (conf_group_is_core(name)) {
            for (int j = 0; j < config_setting_length(g); j++) {
                config_setting_t *s = config_setting_get_elem(g, (unsigned)j);
                const struct conf_key *k;

                for (k = conf_keys; k->group; k++)
                    if (strcmp(k->group, name) == 0 &&
                        strcmp(k->name, config_setting_name(s)) == 0)
                        break;
                if (k->group == NULL)
                    conf_err(e, (int)config_setting_source_line(s),
                             "%s.%s: unknown setting", name,
                             config_setting_name(s));
                else
                    conf_check_key(k, s, e);
            }
        } else if (!kedr_module_name_valid(name)) {
            conf_err(e, line,
                     "\"%s\": unknown group (module groups are named "
                     "[a-z][a-z0-9_]*)",
                     name);
        }
    }
    for (const struct conf_key *k = conf_keys; k->group; k++) {
        char path[128];

        if (!k->required)
            continue;
        snprintf(path, sizeof(path), "%s.%s", k->group, k->name);
        if (config_lookup(cfg, path) == NULL)
            conf_err(e, 0, "%s: required setting is missing", path);
    }
    return e->count;
}

/*
 * libconfig reads an "@include" file while it parses, and when that file
 * cannot be read (a directory, say) its scanner calls exit(): such a line
 * would kill `kedr check-config` and, on SIGHUP, the master.  Kedr's
 * config is one file, so the directive is refused before libconfig sees
 * the text.  Same lexical rules as kedr_conf_scan_ints; libconfig only takes
 * "@include" first on a line.  True (the error recorded) when found.
 */
bool
kedr_conf_refuse_include(const char *t, struct kedr_conf_errors *e,
                         const char *what)
{
    int line = 1;
    bool bol = true; /* only blanks since the line began */

    while (*t) {
        if (*t == '\n') {
            line++;
            bol = true;
            t++;
        } else if (*t == ' ' || *t == '\t') {
            t++;
        } else if (bol && strncmp(t, "@include", 8) == 0) {
            conf_err(e, line, "@include is not supported: the %s is one file",
                     what);
            return true;
        } else if (*t == '"') {
            for (t++; *t && *t != '"'; t++) {
                if (*t == '\\' && t[1])
                    t++;
                if (*t == '\n')
                    line++;
            }
            if (*t)
                t++;
            bol = false;
        } else if (*t == '#' || (t[0] == '/' && t[1] == '/')) {
            while (*t && *t != '\n')
                t++;
        } else if (t[0] == '/' && t[1] == '*') {
            for (t += 2; *t && !(t[0] == '*' && t[1] == '/'); t++)
                if (*t == '\n')
                    line++;
            if (*t)
                t += 2;
            bol = false;
        } else {
            bol = false;
            t++;
        }
    }
    return false;
}

int
kedr_conf_check_text(const char *text, char *err, size_t errlen)
{
    struct kedr_conf_errors e = {err, 0, errlen, NULL, 0};
    config_t cfg;
    int n;

    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (kedr_conf_refuse_include(text, &e, "configuration"))
        return e.count;
    config_init(&cfg);
    if (config_read_string(&cfg, text) != CONFIG_TRUE) {
        conf_err(&e, config_error_line(&cfg), "%s",
                 config_error_text(&cfg) ? config_error_text(&cfg)
                                         : "syntax error");
        config_destroy(&cfg);
        return e.count;
    }
    kedr_conf_scan_ints(text, &e);
    n = conf_validate(&cfg, &e);
    config_destroy(&cfg);
    return n;
}

static const char **
conf_strlist(config_t *cfg, const char *path)
{
    config_setting_t *s = config_lookup(cfg, path);
    int n = s ? config_setting_length(s) : 0;
    const char **v = kedr_xcalloc((size_t)n + 1, sizeof(*v));

    for (int i = 0; i < n; i++)
        v[i] = config_setting_get_string_elem(s, i);
    return v;
}

static long long
conf_int(config_t *cfg, const char *path, long long def)
{
    config_setting_t *s = config_lookup(cfg, path);

    return s != NULL ? config_setting_get_int64(s) : def;
}

static bool
conf_bool(config_t *cfg, const char *path, bool def)
{
    config_setting_t *s = config_lookup(cfg, path);

    return s != NULL ? config_setting_get_bool(s) != 0 : def;
}

static const char *
conf_str(config_t *cfg, const char *path, const char *def)
{
    const char *v;

    return config_lookup_string(cfg, path, &v) == CONFIG_TRUE ? v : def;
}

char *
kedr_conf_read_text(const char *file)
{
    FILE *f = fopen(file, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0, n;

    if (f == NULL)
        return NULL;
    do {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            buf = kedr_xrealloc(buf, cap + 1);
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    if (ferror(f)) { /* a directory: EISDIR */
        int err = errno;

        fclose(f);
        free(buf);
        errno = err;
        return NULL;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* True if the host list element h[0..len) is a relative socket directory:
 * it holds a slash (no host name does) but does not start with one. */
static bool
conf_sockdir_relative(const char *h, size_t len)
{
    return len > 0 && h[0] != '/' && memchr(h, '/', len) != NULL;
}

/*
 * The host list of the libpq connection string `url` with each relative
 * socket directory ("var/pg/run") made absolute against the working
 * directory, as every relative path of the configuration is; libpq would
 * take it for a host name.  This is how conf/kedr.conf reaches the private
 * cluster of `make run` from the checkout.  Returns NULL when there is
 * nothing to resolve (or the string does not parse: connecting says so),
 * else a malloc'd string.
 */
static char *
conf_db_host(const char *url)
{
    PQconninfoOption *opts = PQconninfoParse(url, NULL);
    const char *host = NULL;
    char *cwd = NULL, *out = NULL;
    size_t nrel = 0, len, n = 0;

    if (opts == NULL)
        return NULL;
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
        if (strcmp(o->keyword, "host") == 0)
            host = o->val;
    for (const char *h = host; h != NULL && *h != '\0';) {
        size_t el = strcspn(h, ",");

        nrel += conf_sockdir_relative(h, el);
        h += el + (h[el] == ',');
    }
    if (nrel == 0 || (cwd = getcwd(NULL, 0)) == NULL)
        goto out_opts;
    len = strlen(host) + nrel * (strlen(cwd) + 1) + 1;
    out = malloc(len);
    if (out == NULL)
        kedr_oom();
    for (const char *h = host; *h != '\0';) {
        size_t el = strcspn(h, ",");

        n += (size_t)snprintf(out + n, len - n, "%s%s%.*s",
                              conf_sockdir_relative(h, el) ? cwd : "",
                              conf_sockdir_relative(h, el) ? "/" : "",
                              (int)(el + (h[el] == ',')), h);
        h += el + (h[el] == ',');
    }
    free(cwd);
out_opts:
    PQconninfoFree(opts);
    return out;
}

struct kedr_conf *
kedr_conf_load(const char *file)
{
    struct kedr_conf *c = kedr_xcalloc(1, sizeof(*c));
    struct kedr_conf_errors e = {NULL, 0, 0, file, 0};
    const char *env;
    char *text;

    config_init(&c->cfg);
    c->file = kedr_xstrdup(file);
    /* parse the very text checked for @include, not the file again */
    text = kedr_conf_read_text(file);
    if (text == NULL) {
        fprintf(stderr, "%s: cannot read: %s\n", file, strerror(errno));
        kedr_conf_free(c);
        return NULL;
    }
    if (kedr_conf_refuse_include(text, &e, "configuration") ||
        config_read_string(&c->cfg, text) != CONFIG_TRUE) {
        if (e.count == 0)
            conf_err(&e, config_error_line(&c->cfg), "%s",
                     config_error_text(&c->cfg));
        free(text);
        kedr_conf_free(c);
        return NULL;
    }
    kedr_conf_scan_ints(text, &e);
    free(text);
    if (conf_validate(&c->cfg, &e) > 0) {
        kedr_conf_free(c);
        return NULL;
    }
    c->listen = conf_str(&c->cfg, "server.listen", NULL);
    c->backlog = (int)conf_int(&c->cfg, "server.backlog", 256);
    c->workers = (int)conf_int(&c->cfg, "server.workers", 8);
    c->max_requests = (int)conf_int(&c->cfg, "server.max_requests", 10000);
    c->request_timeout = (int)conf_int(&c->cfg, "server.request_timeout", 30);
    c->max_body = conf_int(&c->cfg, "server.max_body", 10485760);
    c->import_max_rows =
        (int)conf_int(&c->cfg, "server.import_max_rows", 100000);
    c->json_max_depth = (int)conf_int(&c->cfg, "server.json_max_depth", 32);
    c->json_max_items = (int)conf_int(&c->cfg, "server.json_max_items", 10000);
    c->json_max_keys = (int)conf_int(&c->cfg, "server.json_max_keys", 200);
    c->import_job_rows = (int)conf_int(&c->cfg, "server.import_job_rows", 5000);
    c->export_job_rows =
        (int)conf_int(&c->cfg, "server.export_job_rows", 10000);
    c->jobs = conf_bool(&c->cfg, "server.jobs", true);
    c->pid_file = conf_str(&c->cfg, "server.pid_file", "");
    c->log_level =
        kedr_log_level_parse(conf_str(&c->cfg, "server.log_level", "info"));
    c->access_log = conf_bool(&c->cfg, "server.access_log", true);
    env = getenv("KEDR_DATABASE_URL");
    c->db_url = (env != NULL && *env != '\0')
                    ? env
                    : conf_str(&c->cfg, "database.url", "dbname=kedr");
    c->db_host = conf_db_host(c->db_url);
    c->statement_timeout =
        (int)conf_int(&c->cfg, "database.statement_timeout", 20000);
    c->session_idle = (int)conf_int(&c->cfg, "security.session_idle", 1800);
    c->session_absolute =
        (int)conf_int(&c->cfg, "security.session_absolute", 43200);
    c->cookie_secure = conf_bool(&c->cfg, "security.cookie_secure", true);
    c->password_min_length =
        (int)conf_int(&c->cfg, "security.password_min_length", 10);
    c->login_slow_after =
        (int)conf_int(&c->cfg, "security.login_slow_after", 3);
    c->login_max_failures =
        (int)conf_int(&c->cfg, "security.login_max_failures", 10);
    c->login_max_failures_ip =
        (int)conf_int(&c->cfg, "security.login_max_failures_ip", 100);
    c->login_window = (int)conf_int(&c->cfg, "security.login_window", 900);
    c->login_lock_failures =
        (int)conf_int(&c->cfg, "security.login_lock_failures", 50);
    c->login_lock_addresses =
        (int)conf_int(&c->cfg, "security.login_lock_addresses", 5);
    c->known_device_days =
        (int)conf_int(&c->cfg, "security.known_device_days", 180);
    c->argon2_ops = (int)conf_int(&c->cfg, "security.argon2_ops", 2);
    c->argon2_mem_kib =
        (int)conf_int(&c->cfg, "security.argon2_mem_kib", 65536);
    c->module_path = conf_strlist(&c->cfg, "modules.path");
    c->enabled = conf_strlist(&c->cfg, "modules.enabled");
    return c;
}

void
kedr_conf_free(struct kedr_conf *c)
{
    if (c == NULL)
        return;
    config_destroy(&c->cfg);
    free(c->module_path);
    free(c->enabled);
    free(c->file);
    free(c->db_host);
    free(c);
}

bool
kedr_conf_is_enabled(const struct kedr_conf *c, const char *name)
{
    for (const char **p = c->enabled; *p; p++)
        if (strcmp(*p, name) == 0)
            return true;
    return false;
}

config_setting_t *
kedr_conf_group(struct kedr_conf *c, const char *name)
{
    config_setting_t *g = config_lookup(&c->cfg, name);

    return (g != NULL && config_setting_type(g) == CONFIG_TYPE_GROUP) ? g
                                                                      : NULL;
}
