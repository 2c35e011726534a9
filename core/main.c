/*
 * main.c -- the kedr command: serve, schema, modules, routes, user,
 * migrate, check-config, version.  Words (README.md, "Words"): `schema`
 * applies the SQL schema migrations of sql/; `migrate` moves data from
 * the old CRM; "import" is a user's CSV/XLSX upload, not a command.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static void
usage(FILE *f)
{
    fputs("usage: kedr [-c FILE] COMMAND\n"
          "\n"
          "commands:\n"
          "  serve          run the server (master, workers, jobs worker)\n"
          "  schema         apply pending schema migrations (core/sql/,\n"
          "                 modules' sql/)\n"
          "  modules        list the modules found, with their state\n"
          "  routes         list every route of the core and the enabled\n"
          "                 modules; --json: [{method, path, permission,\n"
          "                 module}], permission null = any signed-in user\n"
          "  user           add, passwd, list: manage users (user --help)\n"
          "  migrate        migrate salesforce DIR: data from the old CRM,\n"
          "                 a Salesforce data export (migrate --help)\n"
          "  check-config   validate the configuration file\n"
          "  version        print the version\n"
          "\n"
          "options:\n"
          "  -c FILE        configuration (default conf/kedr.conf)\n"
          "\n"
          "environment:\n"
          "  KEDR_DATABASE_URL  overrides database.url\n",
          f);
}

static const char *const state_names[] = {"disabled", "enabled", "refused"};

static int
cmd_modules(struct kedr_conf *c)
{
    struct kedr_modset set;
    int rc;

    kedr_api = &kedr_core_api;
    kedr_log_level = -1; /* the listing says it all */
    rc = kedr_modules_load(&set, c);
    printf("%-20s %-9s %-10s %s\n", "MODULE", "STATE", "VERSION", "DETAIL");
    for (size_t i = 0; i < set.n; i++) {
        const struct kedr_mod *m = &set.mods[i];

        printf("%-20s %-9s %-10s %s\n", m->name, state_names[m->state],
               m->desc ? m->desc->version : "-",
               m->why ? m->why : (m->so_path ? m->so_path : ""));
    }
    kedr_modules_release(&set);
    return rc == 0 ? 0 : 1;
}

/*
 * kedr check-config: the file (already checked by kedr_conf_load), then
 * the enabled modules' groups against their declared settings, each error
 * as FILE:LINE: message, and every other reason an enabled module would
 * be refused at start.  0 when `serve` would start with it.
 */
static int
cmd_check_config(struct kedr_conf *c, const char *file)
{
    struct kedr_modset set;
    int rc;

    kedr_api = &kedr_core_api;
    kedr_log_level = -1; /* the refusals are printed below, once each */
    rc = kedr_modules_load(&set, c);
    for (size_t i = 0; i < set.n; i++) {
        const struct kedr_mod *m = &set.mods[i];

        if (m->state == KEDR_MOD_REFUSED && kedr_conf_is_enabled(c, m->name))
            fprintf(stderr, "%s: module \"%s\" refused: %s\n", file, m->name,
                    m->why);
    }
    kedr_modules_release(&set);
    if (rc != 0)
        return 1;
    printf("%s: ok\n", file);
    return 0;
}

/* The routes as a JSON array, for tools and the generic route test. */
static void
routes_json(void)
{
    json_t *doc = json_array();

    for (size_t i = 0; i < kedr_srv.router.n; i++) {
        const struct kedr_route_ent *e = &kedr_srv.router.ents[i];
        const char *perm = e->route->permission;

        json_array_append_new(
            doc, json_pack("{s:s, s:s, s:o, s:s}", "method", e->method, "path",
                           e->pattern, "permission",
                           perm ? json_string(perm) : json_null(), "module",
                           e->mod ? e->mod->name : "core"));
    }
    json_dumpf(doc, stdout, JSON_INDENT(1));
    fputc('\n', stdout);
    json_decref(doc);
}

static int
cmd_routes(struct kedr_conf *c, bool json)
{
    int rc = kedr_server_setup(c, false);

    if (rc == 0 && json)
        routes_json();
    else if (rc == 0)
        for (size_t i = 0; i < kedr_srv.router.n; i++) {
            const struct kedr_route_ent *e = &kedr_srv.router.ents[i];
            const char *perm = e->route->permission;

            printf("%-7s %-50s %-24s %s\n", e->method, e->pattern,
                   perm ? perm : "(authenticated)",
                   e->mod ? e->mod->name : "core");
        }
    kedr_server_teardown();
    return rc == 0 ? 0 : 1;
}

static int
cmd_schema(struct kedr_conf *c)
{
    int rc = kedr_server_setup(c, false);

    if (rc == 0)
        rc = kedr_schema_apply(c, &kedr_srv.mods);
    kedr_server_teardown();
    kedr_db_close();
    return rc == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
    const char *file = "conf/kedr.conf", *cmd;
    struct kedr_conf *c;
    int opt, rc;

    while ((opt = getopt(argc, argv, "+c:h")) != -1) {
        switch (opt) {
        case 'c':
            file = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    cmd = argv[optind];
    if (strcmp(cmd, "version") == 0) {
        printf("kedr %s (module ABI %d.%d, %s)%s\n", KEDR_VERSION,
               KEDR_ABI_MAJOR, KEDR_ABI_MINOR, KEDR_BUILD_SIG,
               KEDR_FAULT_BUILD);
        return 0;
    }
    if (strcmp(cmd, "serve") == 0)
        return kedr_master_run(file);
    c = kedr_conf_load(file);
    if (c == NULL)
        return 1;
    kedr_srv.conf = c;
    kedr_log_level = c->log_level;
    if (strcmp(cmd, "check-config") == 0) {
        rc = cmd_check_config(c, file);
    } else if (strcmp(cmd, "modules") == 0) {
        rc = cmd_modules(c);
    } else if (strcmp(cmd, "routes") == 0) {
        if (optind + 1 < argc && strcmp(argv[optind + 1], "--json") != 0) {
            fprintf(stderr, "kedr routes: unknown option \"%s\"\n",
                    argv[optind + 1]);
            rc = 2;
        } else {
            rc = cmd_routes(c, optind + 1 < argc);
        }
    } else if (strcmp(cmd, "user") == 0) {
        rc = kedr_cli_user(c, argc - optind, argv + optind);
    } else if (strcmp(cmd, "schema") == 0) {
        rc = cmd_schema(c);
    } else if (strcmp(cmd, "migrate") == 0 && optind + 1 >= argc) {
        /* the schema command's name until 1.5: kept for 1.5 only */
        fputs("kedr migrate: deprecated without a source: the schema "
              "command is `kedr schema` since 1.5\n",
              stderr);
        rc = cmd_schema(c);
    } else if (strcmp(cmd, "migrate") == 0) {
        rc = kedr_cli_migrate(c, argc - optind, argv + optind);
    } else if (strcmp(cmd, "import") == 0) {
        /* the data migration's name until 1.5: kept for 1.5 only */
        fputs("kedr import: deprecated: the data migration is "
              "`kedr migrate` since 1.5\n",
              stderr);
        rc = kedr_cli_migrate(c, argc - optind, argv + optind);
    } else {
        fprintf(stderr, "kedr: unknown command \"%s\"\n", cmd);
        usage(stderr);
        rc = 2;
    }
    kedr_conf_free(c);
    return rc;
}
