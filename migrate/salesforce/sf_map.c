/*
 * sf_map.c -- the Salesforce migration's mapping file
 * (conf/import/salesforce.conf, documented there): which file is which
 * object, where it goes, each field's source, type and cleansing.
 *
 * Every key is declared in one of the tables below; an unknown key, a
 * wrong type, a bad value, a missing key or a reference to an object the
 * file does not map is an error with its line, all of them reported at
 * once.  libconfig's pitfalls are handled as config.c handles them (the
 * same functions): @include refused, integers beyond 32 bits caught.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

enum map_kind { MK_STRING, MK_BOOL, MK_LIST, MK_GROUP };

struct map_key {
    const char *name;
    enum map_kind kind;
    bool required;
};

static const struct map_key map_import_keys[] = {
    {"encoding", MK_STRING, false},
    {"separator", MK_STRING, false},
    {"mojibake", MK_STRING, false},
    {"on_invalid", MK_STRING, false},
    {NULL, 0, false},
};

static const struct map_key map_object_keys[] = {
    {"file", MK_STRING, true},
    {"object", MK_STRING, true},
    {"target", MK_STRING, true},
    {"drop_deleted", MK_BOOL, false},
    {"on_invalid", MK_STRING, false},
    {"fields", MK_LIST, true},
    {"defaults", MK_GROUP, false},
    {"options", MK_GROUP, false},
    {NULL, 0, false},
};

static const struct map_key map_field_keys[] = {
    {"from", MK_STRING, true},
    {"to", MK_STRING, true},
    {"type", MK_STRING, false},
    {"trim", MK_BOOL, false},
    {"collapse", MK_BOOL, false},
    {"required", MK_BOOL, false},
    {"on_invalid", MK_STRING, false},
    {"ref", MK_STRING, false},
    {"values", MK_LIST, false},
    {"unknown", MK_STRING, false},
    {"orphans", MK_STRING, false},
    {"holding", MK_STRING, false},
    {NULL, 0, false},
};

static const char *const map_types[] = {
    [KEDR_SF_TEXT] = "text",         [KEDR_SF_ID] = "id",
    [KEDR_SF_REF] = "ref",           [KEDR_SF_BOOL] = "bool",
    [KEDR_SF_DATETIME] = "datetime", [KEDR_SF_DATE] = "date",
    [KEDR_SF_NUMBER] = "number",     [KEDR_SF_PHONE] = "phone",
    [KEDR_SF_EMAIL] = "email",       [KEDR_SF_INN] = "inn",
    [KEDR_SF_KPP] = "kpp",           [KEDR_SF_OGRN] = "ogrn",
    [KEDR_SF_PICKLIST] = "picklist",
};

const char *
kedr_sf_type_name(int type)
{
    return type >= 0 && type < KEDR_SF_NTYPES ? map_types[type] : "?";
}

static int
map_line(const config_setting_t *s)
{
    return (int)config_setting_source_line(s);
}

static const char *
map_kind_text(enum map_kind k)
{
    switch (k) {
    case MK_STRING:
        return "a string";
    case MK_BOOL:
        return "true or false";
    case MK_LIST:
        return "a list ( ... )";
    case MK_GROUP:
        return "a group { ... }";
    }
    return "?";
}

static bool
map_kind_ok(const config_setting_t *s, enum map_kind k)
{
    int t = config_setting_type(s);

    switch (k) {
    case MK_STRING:
        return t == CONFIG_TYPE_STRING;
    case MK_BOOL:
        return t == CONFIG_TYPE_BOOL;
    case MK_LIST:
        return t == CONFIG_TYPE_LIST;
    case MK_GROUP:
        return t == CONFIG_TYPE_GROUP;
    }
    return false;
}

/* Check a group's members against `keys` (`where` names it in messages).
 * True when every member is known and of its kind and every required
 * one is there. */
static bool
map_check_keys(const config_setting_t *g, const struct map_key *keys,
               const char *where, struct kedr_conf_errors *e)
{
    int before = e->count;

    for (int i = 0; i < config_setting_length(g); i++) {
        config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(s);
        const struct map_key *k = keys;

        while (k->name != NULL && strcmp(k->name, name) != 0)
            k++;
        if (k->name == NULL)
            kedr_conf_err(e, map_line(s), "%s: unknown setting \"%s\"", where,
                          name);
        else if (!map_kind_ok(s, k->kind))
            kedr_conf_err(e, map_line(s), "%s.%s: must be %s", where, name,
                          map_kind_text(k->kind));
    }
    for (const struct map_key *k = keys; k->name != NULL; k++)
        if (k->required && config_setting_get_member(g, k->name) == NULL)
            kedr_conf_err(e, map_line(g), "%s: \"%s\" is missing", where,
                          k->name);
    return e->count == before;
}

/* A string member, or `def` when absent (its kind checked already). */
static const char *
map_str(const config_setting_t *g, const char *name, const char *def)
{
    config_setting_t *s = config_setting_get_member(g, name);

    return s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING
               ? config_setting_get_string(s)
               : def;
}

static bool
map_bool(const config_setting_t *g, const char *name, bool def)
{
    config_setting_t *s = config_setting_get_member(g, name);

    return s != NULL && config_setting_type(s) == CONFIG_TYPE_BOOL
               ? config_setting_get_bool(s) != 0
               : def;
}

/* on_invalid of a group: "clear" or "reject", or `def` when absent. */
static int
map_on_invalid(const config_setting_t *g, const char *where, int def,
               struct kedr_conf_errors *e)
{
    const char *v = map_str(g, "on_invalid", NULL);

    if (v == NULL)
        return def;
    if (strcmp(v, "clear") == 0)
        return KEDR_SF_CLEAR;
    if (strcmp(v, "reject") == 0)
        return KEDR_SF_REJECT;
    kedr_conf_err(e, map_line(config_setting_get_member(g, "on_invalid")),
                  "%s.on_invalid: must be \"clear\" or \"reject\"", where);
    return def;
}

/* A Salesforce API name: a letter, then letters, digits, '_'. */
static bool
map_api_name(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return false;
    for (s++; *s != '\0'; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* A Kedr field name: [a-z][a-z0-9_]*. */
static bool
map_kedr_name(const char *s)
{
    return kedr_module_name_valid(s);
}

/* "<module>.<entity>", both [a-z][a-z0-9_]*. */
static bool
map_target_ok(const char *t)
{
    const char *dot = strchr(t, '.');
    char mod[64];
    size_t n;

    if (dot == NULL || (n = (size_t)(dot - t)) >= sizeof(mod))
        return false;
    memcpy(mod, t, n);
    mod[n] = '\0';
    return kedr_module_name_valid(mod) && kedr_module_name_valid(dot + 1);
}

/* The `import` group. */
static void
map_import(config_setting_t *g, struct kedr_sf_map *m,
           struct kedr_conf_errors *e)
{
    const char *v;

    if (g == NULL)
        return;
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        kedr_conf_err(e, map_line(g), "import: must be a group { ... }");
        return;
    }
    map_check_keys(g, map_import_keys, "import", e);
    m->encoding = map_str(g, "encoding", m->encoding);
    if (kedr_sf_encoding(m->encoding) < 0)
        kedr_conf_err(e, map_line(config_setting_get_member(g, "encoding")),
                      "import.encoding: \"%s\" is not one of \"utf-8\", "
                      "\"windows-1251\", \"iso-8859-1\"",
                      m->encoding);
    v = map_str(g, "separator", ",");
    if (strcmp(v, ",") != 0 && strcmp(v, ";") != 0)
        kedr_conf_err(e, map_line(config_setting_get_member(g, "separator")),
                      "import.separator: must be \",\" or \";\"");
    else
        m->sep = v[0];
    v = map_str(g, "mojibake", "repair");
    if (strcmp(v, "repair") == 0)
        m->mojibake = KEDR_SF_MOJI_REPAIR;
    else if (strcmp(v, "report") == 0)
        m->mojibake = KEDR_SF_MOJI_REPORT;
    else if (strcmp(v, "off") == 0)
        m->mojibake = KEDR_SF_MOJI_OFF;
    else
        kedr_conf_err(e, map_line(config_setting_get_member(g, "mojibake")),
                      "import.mojibake: must be \"repair\", \"report\" or "
                      "\"off\"");
    m->on_invalid = map_on_invalid(g, "import", KEDR_SF_CLEAR, e);
}

/* A picklist's `values`: ( ["from", "to"], ... ). */
static void
map_picks(config_setting_t *vals, struct kedr_sf_field *f, const char *where,
          struct kedr_conf_errors *e)
{
    int n = config_setting_length(vals);

    f->picks = kedr_xcalloc((size_t)n + 1, sizeof(*f->picks));
    for (int i = 0; i < n; i++) {
        config_setting_t *p = config_setting_get_elem(vals, (unsigned)i);
        const char *from, *to;

        if (config_setting_type(p) != CONFIG_TYPE_ARRAY ||
            config_setting_length(p) != 2 ||
            (from = config_setting_get_string_elem(p, 0)) == NULL ||
            (to = config_setting_get_string_elem(p, 1)) == NULL) {
            kedr_conf_err(e, map_line(p),
                          "%s.values: each item must be [\"Salesforce value\", "
                          "\"kedr value\"]",
                          where);
            continue;
        }
        for (size_t j = 0; j < f->npicks; j++)
            if (strcmp(f->picks[j].from, from) == 0)
                kedr_conf_err(e, map_line(p), "%s.values: \"%s\" given twice",
                              where, from);
        f->picks[f->npicks].from = from;
        f->picks[f->npicks].to = to;
        f->npicks++;
    }
}

/* A ref field's orphans and holding: orphans = "reject" (the default) or
 * "attach" with holding = "<Salesforce id>" (stored as 18 characters).
 * Not on a ref to the object itself: its rows are not loaded yet when
 * the orphans are re-pointed. */
static void
map_orphans(config_setting_t *g, const struct kedr_sf_object *o,
            struct kedr_sf_field *f, const char *where,
            struct kedr_conf_errors *e)
{
    config_setting_t *os = config_setting_get_member(g, "orphans");
    config_setting_t *hs = config_setting_get_member(g, "holding");
    const char *orphans = map_str(g, "orphans", NULL);
    const char *holding = map_str(g, "holding", NULL);

    f->orphans = KEDR_SF_ORPHANS_REJECT;
    if (os == NULL && hs == NULL)
        return;
    if (f->type != KEDR_SF_REF) {
        kedr_conf_err(e, map_line(os != NULL ? os : hs),
                      "%s: orphans and holding are only for type \"ref\"",
                      where);
        return;
    }
    if (orphans != NULL && strcmp(orphans, "attach") == 0) {
        f->orphans = KEDR_SF_ORPHANS_ATTACH;
    } else if (orphans != NULL && strcmp(orphans, "reject") != 0) {
        kedr_conf_err(e, map_line(os),
                      "%s.orphans: must be \"reject\" or \"attach\"", where);
        return;
    }
    if (f->orphans != KEDR_SF_ORPHANS_ATTACH) {
        if (hs != NULL)
            kedr_conf_err(e, map_line(hs),
                          "%s.holding: only with orphans = \"attach\"", where);
        return;
    }
    if (hs == NULL)
        kedr_conf_err(e, map_line(os),
                      "%s: orphans = \"attach\" needs holding = \"<Salesforce "
                      "id>\" (the record they are attached to)",
                      where);
    else if (holding != NULL && !kedr_sf_id18(holding, f->holding))
        kedr_conf_err(e, map_line(hs),
                      "%s.holding: \"%s\" is not a Salesforce id (15 or 18 "
                      "characters)",
                      where, holding);
    if (f->ref != NULL && o->object != NULL && strcmp(f->ref, o->object) == 0)
        kedr_conf_err(e, map_line(os),
                      "%s: orphans = \"attach\" on a ref to %s itself (its "
                      "rows are not loaded when orphans are attached)",
                      where, o->object);
}

/* One field of an object. */
static void
map_field(config_setting_t *g, const struct kedr_sf_object *o,
          struct kedr_sf_field *f, struct kedr_conf_errors *e)
{
    char where[160];
    const char *type, *unknown;
    config_setting_t *vals;

    f->line = (unsigned)map_line(g);
    snprintf(where, sizeof(where), "%s field", o->object);
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        kedr_conf_err(e, map_line(g), "%s: must be a group { from = ...; }",
                      where);
        return;
    }
    map_check_keys(g, map_field_keys, where, e);
    f->from = map_str(g, "from", NULL);
    f->to = map_str(g, "to", NULL);
    snprintf(where, sizeof(where), "%s.%s", o->object,
             f->from != NULL ? f->from : "?");
    if (f->from != NULL && !map_api_name(f->from))
        kedr_conf_err(e, map_line(g), "%s: \"from\" is not a field name",
                      where);
    if (f->to != NULL && !map_kedr_name(f->to))
        kedr_conf_err(e, map_line(config_setting_get_member(g, "to")),
                      "%s.to: \"%s\" is not a Kedr field name "
                      "([a-z][a-z0-9_]*)",
                      where, f->to);
    type = map_str(g, "type", "text");
    f->type = -1;
    for (int t = 0; t < KEDR_SF_NTYPES; t++)
        if (strcmp(type, map_types[t]) == 0)
            f->type = t;
    if (f->type < 0) {
        kedr_conf_err(e, map_line(config_setting_get_member(g, "type")),
                      "%s.type: \"%s\" is not a type (text, id, ref, bool, "
                      "datetime, date, number, phone, email, inn, kpp, ogrn, "
                      "picklist)",
                      where, type);
        f->type = KEDR_SF_TEXT;
    }
    f->trim = map_bool(g, "trim", true);
    f->collapse = map_bool(g, "collapse", false);
    f->required = map_bool(g, "required", false);
    f->on_invalid = map_on_invalid(g, where, o->on_invalid, e);
    f->ref = map_str(g, "ref", NULL);
    if ((f->type == KEDR_SF_REF) != (f->ref != NULL))
        kedr_conf_err(e, map_line(g),
                      f->ref == NULL
                          ? "%s: a ref needs ref = \"<object>\""
                          : "%s: ref = \"...\" is only for type \"ref\"",
                      where);
    map_orphans(g, o, f, where, e);
    vals = config_setting_get_member(g, "values");
    unknown = map_str(g, "unknown", NULL);
    if (f->type == KEDR_SF_PICKLIST) {
        if (vals == NULL)
            kedr_conf_err(e, map_line(g),
                          "%s: a picklist needs values = ( [\"from\", "
                          "\"to\"], ... )",
                          where);
        else
            map_picks(vals, f, where, e);
    } else if (vals != NULL || unknown != NULL) {
        kedr_conf_err(e,
                      map_line(vals != NULL
                                   ? vals
                                   : config_setting_get_member(g, "unknown")),
                      "%s: values and unknown are only for type "
                      "\"picklist\"",
                      where);
    }
    f->unknown = KEDR_SF_UNKNOWN_REPORT;
    if (unknown == NULL || strcmp(unknown, "report") == 0)
        return;
    if (strcmp(unknown, "keep") == 0) {
        f->unknown = KEDR_SF_UNKNOWN_KEEP;
    } else if (strncmp(unknown, "default:", 8) == 0 && unknown[8] != '\0') {
        f->unknown = KEDR_SF_UNKNOWN_DEFAULT;
        f->unknown_value = unknown + 8;
    } else {
        kedr_conf_err(e, map_line(config_setting_get_member(g, "unknown")),
                      "%s.unknown: must be \"report\", \"keep\" or "
                      "\"default:<value>\"",
                      where);
    }
}

/* One object of the `objects` list. */

/* The object's `options`: settings for its migrator, each a string or a
 * boolean, named [a-z][a-z0-9_]*; what they mean is the migrator's (its
 * module's README). */
static void
map_options(config_setting_t *g, struct kedr_sf_object *o, const char *where,
            struct kedr_conf_errors *e)
{
    config_setting_t *opts = config_setting_get_member(g, "options");

    if (opts == NULL || config_setting_type(opts) != CONFIG_TYPE_GROUP)
        return;
    o->noptions = (size_t)config_setting_length(opts);
    o->options = kedr_xcalloc(o->noptions + 1, sizeof(*o->options));
    for (size_t i = 0; i < o->noptions; i++) {
        config_setting_t *d = config_setting_get_elem(opts, (unsigned)i);
        struct kedr_sf_option *op = &o->options[i];

        op->name = config_setting_name(d);
        if (config_setting_type(d) == CONFIG_TYPE_STRING)
            op->value = config_setting_get_string(d);
        else if (config_setting_type(d) == CONFIG_TYPE_BOOL)
            op->value = config_setting_get_bool(d) ? "true" : "false";
        else
            kedr_conf_err(e, map_line(d),
                          "%s.options.%s: must be a string or true/false",
                          where, op->name);
        if (!map_kedr_name(op->name))
            kedr_conf_err(e, map_line(d),
                          "%s.options: \"%s\" is not an option name "
                          "([a-z][a-z0-9_]*)",
                          where, op->name);
    }
}

static void
map_object(config_setting_t *g, const struct kedr_sf_map *m,
           struct kedr_sf_object *o, struct kedr_conf_errors *e)
{
    config_setting_t *fields, *defs;
    char where[160];

    o->line = (unsigned)map_line(g);
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        kedr_conf_err(e, map_line(g),
                      "objects: each item must be a group { file = ...; }");
        return;
    }
    o->object = map_str(g, "object", NULL);
    if (o->object != NULL)
        snprintf(where, sizeof(where), "object %s", o->object);
    else
        snprintf(where, sizeof(where), "object at line %u", o->line);
    map_check_keys(g, map_object_keys, where, e);
    o->file = map_str(g, "file", NULL);
    o->target = map_str(g, "target", NULL);
    if (o->object != NULL && !map_api_name(o->object))
        kedr_conf_err(e, map_line(config_setting_get_member(g, "object")),
                      "%s: \"%s\" is not an object name", where, o->object);
    if (o->file != NULL &&
        (strlen(o->file) < 5 ||
         strcasecmp(o->file + strlen(o->file) - 4, ".csv") != 0 ||
         strchr(o->file, '/') != NULL))
        kedr_conf_err(e, map_line(config_setting_get_member(g, "file")),
                      "%s.file: \"%s\" must be a file name ending in .csv",
                      where, o->file);
    if (o->object == NULL)
        o->object = "?";
    if (o->target != NULL && !map_target_ok(o->target))
        kedr_conf_err(e, map_line(config_setting_get_member(g, "target")),
                      "%s.target: \"%s\" must be \"<module>.<entity>\"", where,
                      o->target);
    o->drop_deleted = map_bool(g, "drop_deleted", true);
    o->on_invalid = map_on_invalid(g, where, m->on_invalid, e);
    fields = config_setting_get_member(g, "fields");
    if (fields == NULL || config_setting_type(fields) != CONFIG_TYPE_LIST)
        return; /* reported */
    o->nfields = (size_t)config_setting_length(fields);
    if (o->nfields == 0)
        kedr_conf_err(e, map_line(fields), "%s.fields: no field", where);
    o->fields = kedr_xcalloc(o->nfields + 1, sizeof(*o->fields));
    for (size_t i = 0; i < o->nfields; i++) {
        struct kedr_sf_field *f = &o->fields[i];

        map_field(config_setting_get_elem(fields, (unsigned)i), o, f, e);
        for (size_t j = 0; j < i && f->from != NULL; j++) {
            if (o->fields[j].from != NULL &&
                strcmp(o->fields[j].from, f->from) == 0)
                kedr_conf_err(e, (int)f->line, "%s: field %s mapped twice",
                              where, f->from);
            if (o->fields[j].to != NULL && f->to != NULL &&
                strcmp(o->fields[j].to, f->to) == 0)
                kedr_conf_err(e, (int)f->line,
                              "%s: Kedr field %s filled twice (%s and %s)",
                              where, f->to, o->fields[j].from, f->from);
        }
    }
    map_options(g, o, where, e);
    defs = config_setting_get_member(g, "defaults");
    if (defs == NULL || config_setting_type(defs) != CONFIG_TYPE_GROUP)
        return;
    o->ndefaults = (size_t)config_setting_length(defs);
    o->defaults = kedr_xcalloc(o->ndefaults + 1, sizeof(*o->defaults));
    for (size_t i = 0; i < o->ndefaults; i++) {
        config_setting_t *d = config_setting_get_elem(defs, (unsigned)i);

        o->defaults[i].to = config_setting_name(d);
        o->defaults[i].value = config_setting_get_string(d);
        if (config_setting_type(d) != CONFIG_TYPE_STRING)
            kedr_conf_err(e, map_line(d),
                          "%s.defaults.%s: must be a string (\"...\")", where,
                          o->defaults[i].to);
        else if (!map_kedr_name(o->defaults[i].to))
            kedr_conf_err(e, map_line(d),
                          "%s.defaults: \"%s\" is not a Kedr field name "
                          "([a-z][a-z0-9_]*)",
                          where, o->defaults[i].to);
    }
}

/* Checks across objects: files and objects named once, refs to objects
 * the mapping has. */
static void
map_cross(struct kedr_sf_map *m, struct kedr_conf_errors *e)
{
    for (size_t i = 0; i < m->nobjects; i++) {
        struct kedr_sf_object *o = &m->objects[i];

        for (size_t j = 0; j < i; j++) {
            if (o->file != NULL && m->objects[j].file != NULL &&
                strcasecmp(m->objects[j].file, o->file) == 0)
                kedr_conf_err(e, (int)o->line,
                              "file %s is mapped twice (line %u)", o->file,
                              m->objects[j].line);
            if (m->objects[j].object != NULL && o->object != NULL &&
                strcmp(o->object, "?") != 0 &&
                strcmp(m->objects[j].object, o->object) == 0)
                kedr_conf_err(e, (int)o->line,
                              "object %s is mapped twice (line %u)", o->object,
                              m->objects[j].line);
        }
        for (size_t k = 0; k < o->nfields; k++) {
            const struct kedr_sf_field *f = &o->fields[k];
            bool found = false;

            if (f->ref == NULL || f->type != KEDR_SF_REF)
                continue;
            for (size_t j = 0; j < m->nobjects && !found; j++)
                found = m->objects[j].object != NULL &&
                        strcmp(m->objects[j].object, f->ref) == 0;
            if (!found)
                kedr_conf_err(e, (int)f->line,
                              "%s.%s: ref \"%s\" is not an object of this "
                              "mapping",
                              o->object, f->from, f->ref);
        }
    }
}

/* Validate the parsed file and fill m; returns the number of errors. */
static int
map_build(struct kedr_sf_map *m, struct kedr_conf_errors *e)
{
    config_setting_t *root = config_root_setting(&m->cfg), *objs;

    m->encoding = "utf-8";
    m->sep = ',';
    m->mojibake = KEDR_SF_MOJI_REPAIR;
    m->on_invalid = KEDR_SF_CLEAR;
    for (int i = 0; i < config_setting_length(root); i++) {
        config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);

        if (strcmp(name, "import") != 0 && strcmp(name, "objects") != 0)
            kedr_conf_err(e, map_line(s),
                          "\"%s\": unknown setting (the file has \"import\" "
                          "and \"objects\")",
                          name);
    }
    map_import(config_setting_get_member(root, "import"), m, e);
    objs = config_setting_get_member(root, "objects");
    if (objs == NULL || config_setting_type(objs) != CONFIG_TYPE_LIST ||
        config_setting_length(objs) == 0) {
        kedr_conf_err(e, objs != NULL ? map_line(objs) : 0,
                      "objects: must be a list of objects ( { file = ...; }, "
                      "... )");
        return e->count;
    }
    m->nobjects = (size_t)config_setting_length(objs);
    m->objects = kedr_xcalloc(m->nobjects + 1, sizeof(*m->objects));
    for (size_t i = 0; i < m->nobjects; i++)
        map_object(config_setting_get_elem(objs, (unsigned)i), m,
                   &m->objects[i], e);
    map_cross(m, e);
    return e->count;
}

/* Parse and check text into m (config_init done); errors into e. */
static int
map_parse(struct kedr_sf_map *m, const char *text, struct kedr_conf_errors *e)
{
    if (kedr_conf_refuse_include(text, e, "mapping"))
        return e->count;
    if (config_read_string(&m->cfg, text) != CONFIG_TRUE) {
        kedr_conf_err(e, config_error_line(&m->cfg), "%s",
                      config_error_text(&m->cfg) != NULL
                          ? config_error_text(&m->cfg)
                          : "syntax error");
        return e->count;
    }
    kedr_conf_scan_ints(text, e);
    return map_build(m, e);
}

static struct kedr_sf_map *
map_new(void)
{
    struct kedr_sf_map *m = kedr_xcalloc(1, sizeof(*m));

    config_init(&m->cfg);
    return m;
}

struct kedr_sf_map *
kedr_sf_map_from_text(const char *text, char *err, size_t errlen)
{
    char none[1];
    struct kedr_conf_errors e = {err != NULL ? err : none, 0,
                                 err != NULL ? errlen : sizeof(none), NULL, 0};
    struct kedr_sf_map *m = map_new();

    if (e.cap > 0)
        e.buf[0] = '\0';
    if (map_parse(m, text, &e) > 0) {
        kedr_sf_map_free(m);
        return NULL;
    }
    return m;
}

int
kedr_sf_map_check_text(const char *text, char *err, size_t errlen)
{
    struct kedr_conf_errors e = {err, 0, errlen, NULL, 0};
    struct kedr_sf_map *m = map_new();
    int n;

    if (err != NULL && errlen > 0)
        err[0] = '\0';
    n = map_parse(m, text, &e);
    kedr_sf_map_free(m);
    return n;
}

struct kedr_sf_map *
kedr_sf_map_load(const char *file)
{
    struct kedr_conf_errors e = {NULL, 0, 0, file, 0};
    struct kedr_sf_map *m;
    char *text = kedr_conf_read_text(file);

    if (text == NULL) {
        fprintf(stderr, "%s: cannot read: %s\n", file, strerror(errno));
        return NULL;
    }
    m = map_new();
    m->file = kedr_xstrdup(file);
    if (map_parse(m, text, &e) > 0) {
        free(text);
        kedr_sf_map_free(m);
        return NULL;
    }
    free(text);
    return m;
}

void
kedr_sf_map_free(struct kedr_sf_map *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->nobjects; i++) {
        for (size_t k = 0; k < m->objects[i].nfields; k++)
            free(m->objects[i].fields[k].picks);
        free(m->objects[i].fields);
        free(m->objects[i].defaults);
        free(m->objects[i].options);
    }
    free(m->objects);
    config_destroy(&m->cfg);
    free(m->file);
    free(m);
}

const struct kedr_sf_object *
kedr_sf_map_find(const struct kedr_sf_map *m, const char *file_name)
{
    for (size_t i = 0; i < m->nobjects; i++)
        if (m->objects[i].file != NULL &&
            strcasecmp(m->objects[i].file, file_name) == 0)
            return &m->objects[i];
    return NULL;
}
