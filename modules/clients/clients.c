/*
 * clients -- the client base: counterparties (distributors, end
 * customers, installers, design institutes, ...) with checked
 * requisites and a holding structure, contacts linked to them, outlets
 * (shops) with their assortment, duplicate detection by INN+KPP and by
 * name similarity.
 *
 * This file holds the descriptor: routes with their input specs and
 * permissions.  The handlers live by area in clients_counterparties.c,
 * clients_distributors.c, clients_merge.c, clients_contacts.c and
 * clients_outlets.c; the checks of requisites and phones are the core's
 * (core/ru.c, shared with the data migration); the tables in sql/.  README.md
 * lists routes and events.
 */
#include "clients_int.h"

/* ids and versions: positive, within bigint and int */
#define ID_MIN 1
#define ID_MAX 1e18
#define VERSION_MAX 2147483647

static const struct kedr_field unmerge_input[] = {
    {.name = "version",
     .type = KEDR_T_INT,
     .flags = KEDR_REQUIRED,
     .min = 1,
     .max = VERSION_MAX},
    {0},
};

static const struct kedr_field merge_input[] = {
    {.name = "version",
     .type = KEDR_T_INT,
     .flags = KEDR_REQUIRED,
     .min = 1,
     .max = VERSION_MAX},
    {.name = "from", .type = KEDR_T_ARRAY, .flags = KEDR_REQUIRED},
    {.name = "keep", .type = KEDR_T_OBJECT}, /* checked by merge_keep */
    {0},
};

static const struct kedr_field assortment_input[] = {
    {.name = "checked_at", .type = KEDR_T_DATE},
    {.name = "groups", .type = KEDR_T_ARRAY, .max = 1000},
    {.name = "products", .type = KEDR_T_ARRAY, .max = 10000},
    {0},
};

#define READ "clients.read"
#define WRITE "clients.write"
#define EXPORT "clients.export"

static const struct kedr_route clients_routes[] = {
    /* counterparties: the rest is the kit's (clients_entities) */
    {.method = "POST",
     .path = "/counterparties/import",
     .handler = clients_cp_import,
     .permission = WRITE},
    {.method = "GET",
     .path = "/counterparties/similar",
     .handler = clients_cp_similar,
     .permission = READ},
    {.method = "DELETE",
     .path = "/counterparties/:id",
     .handler = clients_cp_delete,
     .permission = WRITE},
    {.method = "GET",
     .path = "/counterparties/:id/distributors",
     .handler = clients_distributors_get,
     .permission = READ},
    {.method = "PUT",
     .path = "/counterparties/:id/distributors",
     .handler = clients_distributors_put,
     .permission = WRITE},
    {.method = "POST",
     .path = "/counterparties/:id/merge",
     .handler = clients_cp_merge,
     .permission = "clients.merge",
     .input = merge_input},
    {.method = "POST",
     .path = "/counterparties/:id/unmerge",
     .handler = clients_cp_unmerge,
     .permission = "clients.merge",
     .input = unmerge_input},
    {.method = "GET",
     .path = "/counterparties/:id/related",
     .handler = clients_counterparty_related,
     .permission = READ},
    {.method = "GET",
     .path = "/counterparties/:id/contacts/tree",
     .handler = clients_contacts_tree,
     .permission = READ},
    /* outlets: list, get, create, update and export are the kit's */
    {.method = "POST",
     .path = "/outlets/import",
     .handler = clients_outlets_import,
     .permission = WRITE},
    {.method = "DELETE",
     .path = "/outlets/:id",
     .handler = clients_outlets_delete,
     .permission = WRITE},
    {.method = "GET",
     .path = "/outlets/:id/distributors",
     .handler = clients_outlets_distributors_get,
     .permission = READ},
    {.method = "PUT",
     .path = "/outlets/:id/distributors",
     .handler = clients_outlets_distributors_put,
     .permission = WRITE},
    {.method = "GET",
     .path = "/outlets/:id/assortment",
     .handler = clients_outlets_assortment_get,
     .permission = READ},
    {.method = "PUT",
     .path = "/outlets/:id/assortment",
     .handler = clients_outlets_assortment_put,
     .permission = WRITE,
     .input = assortment_input},
    {0},
};

/* The entities the kit serves: list (the list protocol), export, one
 * record, create, edit; the hooks and columns live with each entity's
 * handlers. */
static const struct kedr_entity clients_entities[] = {
    {.name = "counterparty",
     .path = "/counterparties",
     .table = "clients.counterparty",
     .label_ru = "Контрагенты",
     .label_en = "Counterparties",
     .cols = clients_cp_cols,
     .perm_read = READ,
     .perm_write = WRITE,
     .own = CLIENTS_CP_OWN("t"),
     .perm_export = EXPORT,
     .flags = KEDR_ENTITY_ATTRS,
     .hooks = &clients_cp_hooks,
     .sort = "name",
     .filters = clients_cp_filters,
     .ui = "/clients",
     .where = "t.merged_into IS NULL",
     .title = "name"},
    CLIENTS_OUTLET_ENTITY,
    {.name = "contact",
     .path = "/contacts",
     .table = "clients.contact",
     .label_ru = "Контакты",
     .label_en = "Contacts",
     .cols = clients_contact_cols,
     .perm_read = READ,
     .perm_write = WRITE,
     .perm_delete = WRITE,
     .perm_export = EXPORT,
     /* index-friendly (sql/0012_scope_index.sql): the links of the
      * caller's counterparties read once per statement, a hashed
      * sub-plan */
     .own = "t.id IN (SELECT vis_l.contact_id FROM clients.contact_link "
            "vis_l WHERE vis_l.counterparty_id IN (" CLIENTS_OWN_CPS "))",
     .flags = KEDR_ENTITY_ATTRS,
     .hooks = &clients_contact_hooks,
     .sort = "full_name",
     .filters = clients_contact_filters,
     .ui = "/clients/contacts",
     .title = "full_name"},
    {0},
};

static const struct kedr_permission clients_permissions[] = {
    {.name = READ,
     .label_ru = "Просматривать контрагентов и контакты",
     .label_en = "View counterparties and contacts"},
    {.name = WRITE,
     .label_ru = "Изменять контрагентов и контакты",
     .label_en = "Edit counterparties and contacts"},
    {.name = "clients.merge",
     .label_ru = "Объединять дубликаты контрагентов",
     .label_en = "Merge duplicate counterparties"},
    {.name = EXPORT,
     .label_ru = "Выгружать списки контрагентов и контактов",
     .label_en = "Export counterparty and contact lists"},
    {0},
};

static const struct kedr_ui clients_ui[] = {
    {.path = "/clients",
     .label_ru = "Клиенты",
     .label_en = "Clients",
     .permission = "clients.read"},
    {.path = "/clients/contacts",
     .label_ru = "Контакты",
     .label_en = "Contacts",
     .permission = "clients.read"},
    {.path = "/clients/outlets",
     .label_ru = "Торговые точки",
     .label_en = "Outlets",
     .permission = "clients.read"},
    {0},
};

/* What the built-in roles start with; merging stays an administrator's
 * grant, and portal users (role "distributor") never read the client
 * base. */
static const struct kedr_grant clients_grants[] = {
    {.role = "manager", .permission = "clients.read"},
    {.role = "manager", .permission = "clients.write"},
    {.role = "manager", .permission = "clients.export"},
    {.role = "analyst", .permission = "clients.read"},
    {.role = "analyst", .permission = "clients.export"},
    {.role = "support", .permission = "clients.read"},
    {.role = "marketing", .permission = "clients.read"},
    {.role = "marketing", .permission = "clients.export"},
    {0},
};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,
    .name = "clients",
    .version = "0.1.0",
    .requires = (const char *const[]){"catalog", NULL},
    .routes = clients_routes,
    .permissions = clients_permissions,
    .ui = clients_ui,
    .grants = clients_grants,
    .migrators = clients_migrators,
    .entities = clients_entities,
};
