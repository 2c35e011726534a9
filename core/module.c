/*
 * module.c -- finding, loading, checking and ordering modules.
 *
 * A module is <dir>/<name>.so on modules.path, its resources in
 * <dir>/<name>/.  Only enabled modules are opened (RTLD_NOW|RTLD_LOCAL);
 * the descriptor's header is checked before anything else is read.  Each
 * refusal has one exact message, kept in the module's `why`.
 */
#include <dirent.h>
#include <stdarg.h>
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core.h"

/* The end of the ABI 1.0 descriptor: a module must provide at least this. */
#define DESC_MIN_SIZE                                                          \
    (offsetof(struct kedr_module, fini) + sizeof(void (*)(void)))

bool
kedr_module_name_valid(const char *name)
{
    if (name == NULL || !(name[0] >= 'a' && name[0] <= 'z'))
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return false;
    return strlen(name) <= 48;
}

const char *
kedr_module_check_header(const struct kedr_module *m, char *buf, size_t buflen)
{
    if (m->magic != KEDR_MODULE_MAGIC) {
        snprintf(buf, buflen, "not a kedr module (bad magic 0x%08x)",
                 (unsigned)m->magic);
        return buf;
    }
    if (m->abi_major != KEDR_ABI_MAJOR || m->abi_minor > KEDR_ABI_MINOR) {
        snprintf(buf, buflen,
                 "built for module ABI %u.%u, this core provides %d.%d",
                 (unsigned)m->abi_major, (unsigned)m->abi_minor, KEDR_ABI_MAJOR,
                 KEDR_ABI_MINOR);
        return buf;
    }
    if (m->size < DESC_MIN_SIZE) {
        snprintf(buf, buflen,
                 "descriptor is %u bytes, ABI %u.%u needs at least %zu",
                 (unsigned)m->size, (unsigned)m->abi_major,
                 (unsigned)m->abi_minor, (size_t)DESC_MIN_SIZE);
        return buf;
    }
    if (m->build_sig == NULL || strcmp(m->build_sig, KEDR_BUILD_SIG) != 0) {
        snprintf(buf, buflen,
                 "build signature \"%s\" does not match the core's \"%s\"",
                 m->build_sig ? m->build_sig : "(null)", KEDR_BUILD_SIG);
        return buf;
    }
    return NULL;
}

static void mod_refuse(struct kedr_mod *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
mod_refuse(struct kedr_mod *m, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (m->state == KEDR_MOD_REFUSED)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    m->state = KEDR_MOD_REFUSED;
    free(m->why);
    m->why = kedr_xstrdup(msg);
    kedr_error("module \"%s\" refused: %s", m->name, msg);
}

static struct kedr_mod *
set_find(struct kedr_modset *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->mods[i].name, name) == 0 &&
            (set->mods[i].so_path != NULL || set->mods[i].builtin != NULL))
            return &set->mods[i];
    return NULL;
}

static struct kedr_mod *
set_add(struct kedr_modset *set, const char *name)
{
    struct kedr_mod *m;

    set->mods = kedr_xrealloc(set->mods, (set->n + 1) * sizeof(*set->mods));
    m = &set->mods[set->n++];
    memset(m, 0, sizeof(*m));
    m->name = kedr_xstrdup(name);
    return m;
}

static void
scan_dir(struct kedr_modset *set, struct kedr_conf *conf, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (d == NULL) {
        kedr_warn("modules.path: cannot open \"%s\"", dir);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        char name[64], path[4096];
        struct kedr_mod *m, *prev;

        if (n <= 3 || n - 3 >= sizeof(name) ||
            strcmp(de->d_name + n - 3, ".so") != 0)
            continue;
        memcpy(name, de->d_name, n - 3);
        name[n - 3] = '\0';
        if (!kedr_module_name_valid(name))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        prev = set_find(set, name);
        if (prev != NULL) {
            size_t pi = (size_t)(prev - set->mods);

            m = set_add(set, name);
            prev = &set->mods[pi];
        } else {
            m = set_add(set, name);
        }
        m->so_path = kedr_xstrdup(path);
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        m->res_dir = kedr_xstrdup(path);
        m->state = kedr_conf_is_enabled(conf, name) ? KEDR_MOD_ENABLED
                                                    : KEDR_MOD_DISABLED;
        m->env.mod = NULL;
        m->env.conf = conf;
        if (prev != NULL) {
            /* the same name twice on the path: refuse both, never guess */
            char why[4096 + 64];

            snprintf(why, sizeof(why), "found twice: %s and %s", prev->so_path,
                     m->so_path);
            if (prev->state != KEDR_MOD_REFUSED)
                mod_refuse(prev, "%s", why);
            mod_refuse(m, "%s", why);
        }
    }
    closedir(d);
}

const struct kedr_grant *
kedr_module_grants(const struct kedr_module *m)
{
    if (m->abi_minor < 1 ||
        m->size < offsetof(struct kedr_module, grants) + sizeof(m->grants))
        return NULL;
    return m->grants;
}

const struct kedr_route *
kedr_module_portal_routes(const struct kedr_module *m)
{
    if (m->abi_minor < 2 ||
        m->size < offsetof(struct kedr_module, portal_routes) +
                      sizeof(m->portal_routes))
        return NULL;
    return m->portal_routes;
}

/*
 * Why the descriptor's migrators cannot be used, or NULL.  Before ABI 1.2
 * a migrator's second member named a Salesforce object ("Account"); since
 * 1.2 it names the entity the migrator fills ("clients.counterparty"), and
 * the calls `load` needs (kedr_migration_*) arrived with it.  So a migrator
 * of a module built for an older minor would be read with the wrong
 * meaning: refuse the module instead, naming the rebuild.
 */
const char *
kedr_module_migrators_problem(const struct kedr_module *m, char *buf,
                              size_t buflen)
{
    if (m->abi_minor >= 2 || m->migrators == NULL ||
        (m->migrators[0].source == NULL && m->migrators[0].target == NULL))
        return NULL;
    snprintf(buf, buflen,
             "migrators of ABI %u.%u name a source object, ABI 1.2 the "
             "entity they fill: rebuild the module against this kedr.h",
             (unsigned)m->abi_major, (unsigned)m->abi_minor);
    return buf;
}

const struct kedr_setting *
kedr_module_config(const struct kedr_module *m)
{
    if (m->abi_minor < 3 ||
        m->size < offsetof(struct kedr_module, config) + sizeof(m->config))
        return NULL;
    return m->config;
}

const char *
kedr_module_config_problem(const struct kedr_module *m, char *buf,
                           size_t buflen)
{
    const struct kedr_setting *decl = kedr_module_config(m);

    for (const struct kedr_setting *d = decl; d != NULL && d->name != NULL;
         d++) {
        const char *why = NULL;
        long long v;

        if (!kedr_module_name_valid(d->name))
            why = "is not a setting name ([a-z][a-z0-9_]*)";
        else if (kedr_setting_find(decl, d->name) != d)
            why = "is declared twice";
        else if (d->type == KEDR_SETTING_STRING)
            continue;
        else if (d->type == KEDR_SETTING_INT && !kedr_setting_int(d->def, &v))
            why = "has a default that is not an integer";
        else if (d->type == KEDR_SETTING_INT && d->min < d->max &&
                 (v < d->min || v > d->max))
            why = "has a default outside its range";
        else if (d->type == KEDR_SETTING_BOOL && kedr_setting_bool(d->def) < 0)
            why = "has a default that is not \"true\" or \"false\"";
        else if (d->type == KEDR_SETTING_LIST && d->def != NULL)
            why = "is a list: its default is the empty list (def NULL)";
        else if (d->type < KEDR_SETTING_STRING || d->type > KEDR_SETTING_LIST)
            why = "has no type (string, int, bool or list)";
        if (why != NULL) {
            snprintf(buf, buflen, "setting \"%s\" %s", d->name, why);
            return buf;
        }
    }
    return NULL;
}

const struct kedr_entity *
kedr_module_entities(const struct kedr_module *m)
{
    if (m->abi_minor < 3 ||
        m->size < offsetof(struct kedr_module, entities) + sizeof(m->entities))
        return NULL;
    return m->entities;
}

/*
 * Why the descriptor's entities cannot be read, or NULL.  ABI 1.4 appended
 * `options` to struct kedr_entity_col, and 1.5 `rule`, `item_max` and
 * `collate` (and `where`, `title` to struct kedr_entity, `duplicate` to
 * its hooks), so the column tables of a module built for an older minor
 * have a shorter row: walked with this core's stride they would be
 * misread.  Refuse the module instead, naming the rebuild.
 */
const char *
kedr_module_old_entities_problem(const struct kedr_module *m, char *buf,
                                 size_t buflen)
{
    const struct kedr_entity *e = kedr_module_entities(m);

    if (m->abi_minor >= 5 || e == NULL || e->name == NULL)
        return NULL;
    if (m->abi_minor < 4)
        snprintf(buf, buflen,
                 "entities of ABI %u.%u have shorter column rows than ABI "
                 "1.4's (options): rebuild the module against this kedr.h",
                 (unsigned)m->abi_major, (unsigned)m->abi_minor);
    else
        snprintf(buf, buflen,
                 "entities of ABI %u.%u have shorter column rows than ABI "
                 "1.5's (rule, item_max, collate): rebuild the module "
                 "against this kedr.h",
                 (unsigned)m->abi_major, (unsigned)m->abi_minor);
    return buf;
}

/* Why one of the descriptor's entities cannot be served, or NULL. */
static const char *
entities_problem(const struct kedr_module *desc, char *buf, size_t buflen)
{
    const char *why;

    if ((why = kedr_module_old_entities_problem(desc, buf, buflen)) != NULL)
        return why;

    for (const struct kedr_entity *e = kedr_module_entities(desc);
         e != NULL && e->name != NULL; e++) {
        if ((why = kedr_kit_check(desc->name, e, buf, buflen)) != NULL)
            return why;
        for (const struct kedr_entity *o = kedr_module_entities(desc); o < e;
             o++)
            if (strcmp(o->name, e->name) == 0) {
                snprintf(buf, buflen, "entity \"%s\" is declared twice",
                         e->name);
                return buf;
            }
    }
    return NULL;
}

/* Check the module's config group against its declared settings; each
 * error goes to stderr as FILE:LINE: message, like the core's groups.
 * Returns the number of errors. */
static int
config_errors(struct kedr_mod *m, const struct kedr_module *desc)
{
    struct kedr_conf_errors e = {NULL, 0, 0, m->env.conf->file, 0};
    const struct kedr_setting *decl = kedr_module_config(desc);

    if (decl == NULL)
        return 0;
    return kedr_conf_check_module(kedr_conf_group(m->env.conf, m->name),
                                  m->name, decl, &e);
}

/* Why the descriptor's default grants are wrong, or NULL: each names a
 * role and one of the module's own permissions. */
static const char *
grants_problem(const struct kedr_module *desc, char *buf, size_t buflen)
{
    for (const struct kedr_grant *g = kedr_module_grants(desc);
         g != NULL && (g->role != NULL || g->permission != NULL); g++) {
        bool own = false;

        for (const struct kedr_permission *p = desc->permissions;
             p != NULL && p->name != NULL && g->permission != NULL; p++)
            own = own || strcmp(p->name, g->permission) == 0;
        if (g->role == NULL || !own) {
            snprintf(buf, buflen,
                     "grant of \"%s\" to \"%s\": a grant names a role and "
                     "one of the module's own permissions",
                     g->permission ? g->permission : "(null)",
                     g->role ? g->role : "(null)");
            return buf;
        }
    }
    return NULL;
}

/* Open the module's descriptor: dlopen and dlsym for a .so, the one the
 * core links in for a built-in (kedr_modules_load_builtin); then check it
 * the same way for both. */
static void
load_one(struct kedr_mod *m)
{
    const struct kedr_module *desc = m->builtin;
    char buf[256];
    const char *why;
    int n;

    if (desc == NULL) {
        m->handle = dlopen(m->so_path, RTLD_NOW | RTLD_LOCAL);
        if (m->handle == NULL) {
            mod_refuse(m, "cannot load: %s", dlerror());
            return;
        }
        desc = dlsym(m->handle, "kedr_module");
    }
    if (desc == NULL) {
        mod_refuse(m, "no kedr_module descriptor exported");
        return;
    }
    why = kedr_module_check_header(desc, buf, sizeof(buf));
    if (why != NULL) {
        mod_refuse(m, "%s", why);
        return;
    }
    if (desc->name == NULL || strcmp(desc->name, m->name) != 0) {
        mod_refuse(m, "descriptor names it \"%s\", the file \"%s\"",
                   desc->name ? desc->name : "(null)", m->name);
        return;
    }
    if (desc->api == NULL || desc->version == NULL) {
        mod_refuse(m, "descriptor has no api slot or no version");
        return;
    }
    if ((why = grants_problem(desc, buf, sizeof(buf))) != NULL ||
        (why = kedr_module_migrators_problem(desc, buf, sizeof(buf))) != NULL ||
        (why = entities_problem(desc, buf, sizeof(buf))) != NULL) {
        mod_refuse(m, "%s", why);
        return;
    }
    if ((why = kedr_module_config_problem(desc, buf, sizeof(buf))) != NULL) {
        mod_refuse(m, "%s", why);
        return;
    }
    if ((n = config_errors(m, desc)) > 0) {
        mod_refuse(m, "its config group \"%s\" has %d error%s", m->name, n,
                   n == 1 ? "" : "s");
        return;
    }
    m->desc = desc;
    m->env.mod = m;
}

/* Refuse modules whose dependencies are missing, disabled or refused,
 * until nothing changes (a refusal propagates to its dependents). */
static void
check_requires(struct kedr_modset *set)
{
    bool changed = true;

    while (changed) {
        changed = false;
        for (size_t i = 0; i < set->n; i++) {
            struct kedr_mod *m = &set->mods[i];

            if (m->state != KEDR_MOD_ENABLED || m->desc->requires == NULL)
                continue;
            for (const char *const *r = m->desc->requires; *r; r++) {
                struct kedr_mod *d = set_find(set, *r);

                if (d == NULL)
                    mod_refuse(m, "requires \"%s\", which is not found", *r);
                else if (d->state == KEDR_MOD_DISABLED)
                    mod_refuse(m, "requires \"%s\", which is disabled", *r);
                else if (d->state == KEDR_MOD_REFUSED)
                    mod_refuse(m, "requires \"%s\", which is refused", *r);
                else
                    continue;
                changed = true;
                break;
            }
        }
    }
}

enum { WHITE, GREY, BLACK };

struct topo {
    struct kedr_modset *set;
    int *color;
    struct kedr_mod **stack;
    size_t depth;
};

/* Depth-first visit; returns false when a cycle was found (and refused). */
static bool
topo_visit(struct topo *t, struct kedr_mod *m)
{
    size_t idx = (size_t)(m - t->set->mods);

    if (t->color[idx] == BLACK)
        return true;
    if (t->color[idx] == GREY) {
        char path[1024];
        size_t len = 0, from = 0;

        while (t->stack[from] != m)
            from++;
        for (size_t i = from; i < t->depth && len < sizeof(path); i++)
            len += (size_t)snprintf(path + len, sizeof(path) - len, "%s -> ",
                                    t->stack[i]->name);
        if (len < sizeof(path))
            snprintf(path + len, sizeof(path) - len, "%s", m->name);
        for (size_t i = from; i < t->depth; i++)
            mod_refuse(t->stack[i], "dependency cycle: %s", path);
        return false;
    }
    t->color[idx] = GREY;
    t->stack[t->depth++] = m;
    if (m->desc->requires != NULL)
        for (const char *const *r = m->desc->requires; *r; r++) {
            struct kedr_mod *d = set_find(t->set, *r);

            if (d != NULL && d->state == KEDR_MOD_ENABLED &&
                !topo_visit(t, d)) {
                t->depth--;
                t->color[idx] = BLACK;
                return false;
            }
        }
    t->depth--;
    t->color[idx] = BLACK;
    t->set->order[t->set->norder++] = m;
    return true;
}

static int
mod_cmp(const void *a, const void *b)
{
    return strcmp(((const struct kedr_mod *)a)->name,
                  ((const struct kedr_mod *)b)->name);
}

/* Load, check and order the modules of `set` (sorted, each enabled one
 * with its .so path or built-in descriptor), then hand each the api
 * table.  0, or -1 when a module enabled in `conf` was refused. */
static int
modules_finish(struct kedr_modset *set, struct kedr_conf *conf)
{
    struct topo t;
    int rc = 0;

    qsort(set->mods, set->n, sizeof(*set->mods), mod_cmp);
    for (size_t i = 0; i < set->n; i++) {
        set->mods[i].env.mod = &set->mods[i];
        if (set->mods[i].state == KEDR_MOD_ENABLED)
            load_one(&set->mods[i]);
    }
    check_requires(set);

    /* dependency order; a cycle refuses its members, and then their
     * dependents, so repeat until the order is stable */
    for (;;) {
        bool cycle = false;

        set->order =
            kedr_xrealloc(set->order, (set->n + 1) * sizeof(*set->order));
        set->norder = 0;
        t.set = set;
        t.color = kedr_xcalloc(set->n + 1, sizeof(int));
        t.stack = kedr_xcalloc(set->n + 1, sizeof(*t.stack));
        t.depth = 0;
        for (size_t i = 0; i < set->n; i++)
            if (set->mods[i].state == KEDR_MOD_ENABLED &&
                !topo_visit(&t, &set->mods[i]))
                cycle = true;
        free(t.color);
        free(t.stack);
        if (!cycle)
            break;
        check_requires(set);
    }
    for (size_t i = 0; i < set->n; i++) {
        struct kedr_mod *m = &set->mods[i];

        if (m->state == KEDR_MOD_ENABLED)
            *m->desc->api = &kedr_core_api;
        if (m->state == KEDR_MOD_REFUSED &&
            (m->builtin != NULL || kedr_conf_is_enabled(conf, m->name)))
            rc = -1;
    }
    return rc;
}

int
kedr_modules_load(struct kedr_modset *set, struct kedr_conf *conf)
{
    memset(set, 0, sizeof(*set));
    for (const char **d = conf->module_path; *d; d++)
        scan_dir(set, conf, *d);
    for (const char **e = conf->enabled; *e; e++)
        if (set_find(set, *e) == NULL) {
            struct kedr_mod *m = set_add(set, *e);

            m->env.conf = conf;
            m->state = KEDR_MOD_ENABLED;
            mod_refuse(m, "enabled in the config but not found on "
                          "modules.path");
        }
    return modules_finish(set, conf);
}

int
kedr_modules_load_builtin(struct kedr_modset *set, struct kedr_conf *conf,
                          const struct kedr_module *const *descs)
{
    memset(set, 0, sizeof(*set));
    for (const struct kedr_module *const *d = descs; *d != NULL; d++) {
        struct kedr_mod *m =
            set_add(set, (*d)->name != NULL ? (*d)->name : "(null)");

        m->builtin = *d;
        m->state = KEDR_MOD_ENABLED;
        m->env.conf = conf;
    }
    return modules_finish(set, conf);
}

int
kedr_modules_init(struct kedr_modset *set)
{
    for (size_t i = 0; i < set->norder; i++) {
        struct kedr_mod *m = set->order[i];
        int rc = 0;

        kedr_log_module = m->name;
        if (m->desc->init != NULL)
            rc = m->desc->init(&m->env);
        kedr_log_module = NULL;
        if (rc != 0) {
            kedr_error("module \"%s\": init failed (%d)", m->name, rc);
            return -1;
        }
        m->inited = true;
    }
    return 0;
}

int
kedr_modules_worker_init(struct kedr_modset *set)
{
    for (size_t i = 0; i < set->norder; i++) {
        struct kedr_mod *m = set->order[i];
        int rc = 0;

        kedr_log_module = m->name;
        if (m->desc->worker_init != NULL)
            rc = m->desc->worker_init(&m->env);
        kedr_log_module = NULL;
        if (rc != 0) {
            kedr_error("module \"%s\": worker_init failed (%d)", m->name, rc);
            return -1;
        }
    }
    return 0;
}

void
kedr_modules_fini(struct kedr_modset *set)
{
    for (size_t i = set->norder; i-- > 0;) {
        struct kedr_mod *m = set->order[i];

        if (m->inited && m->desc->fini != NULL) {
            kedr_log_module = m->name;
            m->desc->fini(&m->env);
            kedr_log_module = NULL;
        }
        m->inited = false;
    }
}

void
kedr_modules_release(struct kedr_modset *set)
{
    /* modules are never dlclose()d: a module may leave threads, atexit
     * handlers or strings in use; a reload starts new processes instead */
    for (size_t i = 0; i < set->n; i++) {
        free(set->mods[i].name);
        free(set->mods[i].so_path);
        free(set->mods[i].res_dir);
        free(set->mods[i].why);
        for (size_t j = 0; j < set->mods[i].nowned; j++)
            free(set->mods[i].owned[j]);
        free(set->mods[i].owned);
    }
    free(set->mods);
    free(set->order);
    memset(set, 0, sizeof(*set));
}
