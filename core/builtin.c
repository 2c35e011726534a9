/*
 * builtin.c -- the built-in modules the core links in (core/builtin/,
 * each written against kedr.h alone and loaded through the module loader
 * without dlopen), and the kedr_api calls added for them in ABI 1.5:
 * what they needed of the core, open to every module.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

extern const struct kedr_module kedr_builtin_admin;
extern const struct kedr_module kedr_builtin_attrs;
extern const struct kedr_module kedr_builtin_views;

const struct kedr_module *const kedr_builtin_modules[] = {
    &kedr_builtin_admin,
    &kedr_builtin_attrs,
    &kedr_builtin_views,
    NULL,
};

/* The permissions the core itself declares: the identity and
 * administration routes check them, and "*" holds them too. */
const struct kedr_permission kedr_core_own_permissions[] = {
    {.name = "core.users.manage",
     .label_ru = "Управлять пользователями и API-токенами",
     .label_en = "Manage users and API tokens"},
    {.name = "core.roles.manage",
     .label_ru = "Управлять ролями и правами",
     .label_en = "Manage roles and permissions"},
    {.name = "core.audit.read",
     .label_ru = "Читать журнал изменений",
     .label_en = "Read the audit trail"},
    {.name = "core.modules.read",
     .label_ru = "Просматривать список модулей",
     .label_en = "View the module list"},
    {.name = "core.attributes.manage",
     .label_ru = "Настраивать дополнительные поля",
     .label_en = "Manage extra fields"},
    {0},
};

/* ------------------------------------------------------------------ */
/* the served entities                                                 */
/* ------------------------------------------------------------------ */

const char *
kedr_core_entity_name(kedr_req_t *r, size_t i)
{
    const char *full = NULL;

    (void)r;
    if (i >= kedr_kit_count())
        return NULL;
    (void)kedr_kit_at(i, &full);
    return full;
}

bool
kedr_core_entity_readable(kedr_req_t *r, const char *entity, const char **label,
                          const char **ui)
{
    ssize_t i = entity != NULL ? kedr_kit_find(entity) : -1;

    if (i < 0)
        return false;
    if (label != NULL)
        *label = kedr_kit_label(r, (size_t)i);
    if (ui != NULL)
        *ui = kedr_kit_ui(r, (size_t)i);
    return kedr_kit_readable(r, (size_t)i);
}

int
kedr_core_entity_check_query(kedr_req_t *r, const char *entity, const char *qs,
                             json_t *fields)
{
    ssize_t i = entity != NULL ? kedr_kit_find(entity) : -1;
    struct kedr_kvlist ql;

    if (i < 0)
        return kedr_req_fail(r, KEDR_EINVAL, "entity", "no such list");
    if (qs == NULL)
        qs = "";
    if (kedr_query_parse(&r->arena, qs, strlen(qs), &ql) != 0)
        return kedr_req_fail(r, KEDR_EINVAL, "query", "does not decode");
    return kedr_kit_check_query(r, (size_t)i, &ql, fields);
}

json_t *
kedr_core_query_decode(kedr_req_t *r, const char *qs)
{
    struct kedr_kvlist ql;
    json_t *a;

    if (qs == NULL || kedr_query_parse(&r->arena, qs, strlen(qs), &ql) != 0)
        return NULL;
    a = kedr_json_keep(r, json_array());
    for (size_t j = 0; j < ql.n; j++)
        json_array_append_new(
            a, json_pack("[s, s]", ql.items[j].key, ql.items[j].value));
    return a;
}

/* ------------------------------------------------------------------ */
/* modules and permissions                                             */
/* ------------------------------------------------------------------ */

static const char *const builtin_state_names[] = {"disabled", "enabled",
                                                  "refused"};

static json_t *
str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

/* A permission table as [{name, label_ru, label_en}] (a new reference). */
static json_t *
perms_list(const struct kedr_permission *perms)
{
    json_t *list = json_array();

    for (const struct kedr_permission *p = perms; p && p->name; p++)
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s}", "name", p->name, "label_ru",
                            p->label_ru ? p->label_ru : p->name, "label_en",
                            p->label_en ? p->label_en : p->name));
    return list;
}

/* One module's block of the permission catalogue. */
static json_t *
perms_block(const char *module, const struct kedr_permission *perms)
{
    return json_pack("{s:s, s:o}", "module", module, "permissions",
                     perms_list(perms));
}

json_t *
kedr_core_permissions(kedr_req_t *r)
{
    json_t *doc = kedr_json_keep(r, json_array());

    json_array_append_new(doc, perms_block("core", kedr_core_own_permissions));
    for (size_t i = 0; i < kedr_srv.mods.norder; i++) {
        const struct kedr_mod *m = kedr_srv.mods.order[i];

        if (m->desc->permissions != NULL && m->desc->permissions->name != NULL)
            json_array_append_new(doc,
                                  perms_block(m->name, m->desc->permissions));
    }
    return doc;
}

json_t *
kedr_core_modules(kedr_req_t *r)
{
    json_t *doc = kedr_json_keep(r, json_array());

    for (size_t i = 0; i < kedr_srv.mods.n; i++) {
        const struct kedr_mod *m = &kedr_srv.mods.mods[i];
        /* desc is set once the header checked out: safe to read */
        const struct kedr_module *d = m->desc;
        json_t *req = json_array(), *ui = json_array(), *one;

        for (const char *const *q = d ? d->requires : NULL; q && *q; q++)
            json_array_append_new(req, json_string(*q));
        for (const struct kedr_ui *u = d ? d->ui : NULL; u && u->path; u++)
            json_array_append_new(
                ui, json_pack("{s:s, s:o, s:o, s:o}", "path", u->path,
                              "label_ru", str_or_null(u->label_ru), "label_en",
                              str_or_null(u->label_en), "permission",
                              str_or_null(u->permission)));
        one = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "name", m->name,
                        "state", builtin_state_names[m->state], "version",
                        str_or_null(d ? d->version : NULL), "why",
                        str_or_null(m->why), "requires", req, "permissions",
                        perms_list(d ? d->permissions : NULL), "ui", ui);
        json_array_append_new(doc, one);
    }
    return doc;
}

/* ------------------------------------------------------------------ */
/* the caller                                                          */
/* ------------------------------------------------------------------ */

int
kedr_core_field_errors(kedr_req_t *r)
{
    return r->err_fields != NULL ? (int)json_object_size(r->err_fields) : 0;
}

int64_t
kedr_core_caller_id(kedr_req_t *r)
{
    return r->user_id != 0 ? r->user_id : r->token_owner;
}
