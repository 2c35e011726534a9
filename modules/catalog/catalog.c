/*
 * catalog -- the product catalog: product groups as a tree (brand ->
 * series -> group), products with attributes and external ids, price
 * types and prices valid from a date, and a bulk upsert for master data.
 *
 * This file holds the descriptor: routes with their input specs,
 * permissions.  The handlers live by area in catalog_groups.c,
 * catalog_products.c, catalog_prices.c and catalog_import.c; the tables
 * in sql/.  README.md lists the routes, events and the import format.
 */
#include "catalog_int.h"

/* ids and versions: positive, within bigint and int */
#define ID_MIN 1
#define ID_MAX 1e18
#define VERSION_MAX 2147483647
#define SORT_MIN -1000000
#define SORT_MAX 1000000

static const struct kedr_field group_create_input[] = {
    {.name = "name",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 200},
    {.name = "code", .type = KEDR_T_STRING, .max = 64},
    {.name = "parent_id", .type = KEDR_T_INT, .min = ID_MIN, .max = ID_MAX},
    {.name = "kind", .type = KEDR_T_STRING, .max = 10},
    {.name = "sort", .type = KEDR_T_INT, .min = SORT_MIN, .max = SORT_MAX},
    {0},
};

static const struct kedr_field group_update_input[] = {
    {.name = "version",
     .type = KEDR_T_INT,
     .flags = KEDR_REQUIRED,
     .min = 1,
     .max = VERSION_MAX},
    {.name = "name", .type = KEDR_T_STRING, .flags = KEDR_NONEMPTY, .max = 200},
    {.name = "code", .type = KEDR_T_STRING, .max = 64},
    {.name = "parent_id", .type = KEDR_T_INT, .min = ID_MIN, .max = ID_MAX},
    {.name = "kind", .type = KEDR_T_STRING, .max = 10},
    {.name = "sort", .type = KEDR_T_INT, .min = SORT_MIN, .max = SORT_MAX},
    {0},
};

static const struct kedr_field product_create_input[] = {
    {.name = "sku",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 100},
    {.name = "name",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 500},
    {.name = "group_id", .type = KEDR_T_INT, .min = ID_MIN, .max = ID_MAX},
    {.name = "unit", .type = KEDR_T_STRING, .flags = KEDR_NONEMPTY, .max = 20},
    {.name = "attributes", .type = KEDR_T_OBJECT},
    {.name = "active", .type = KEDR_T_BOOL},
    {.name = "ext", .type = KEDR_T_OBJECT},
    {0},
};

static const struct kedr_field product_update_input[] = {
    {.name = "version",
     .type = KEDR_T_INT,
     .flags = KEDR_REQUIRED,
     .min = 1,
     .max = VERSION_MAX},
    {.name = "sku", .type = KEDR_T_STRING, .flags = KEDR_NONEMPTY, .max = 100},
    {.name = "name", .type = KEDR_T_STRING, .flags = KEDR_NONEMPTY, .max = 500},
    {.name = "group_id", .type = KEDR_T_INT, .min = ID_MIN, .max = ID_MAX},
    {.name = "unit", .type = KEDR_T_STRING, .flags = KEDR_NONEMPTY, .max = 20},
    {.name = "attributes", .type = KEDR_T_OBJECT},
    {.name = "active", .type = KEDR_T_BOOL},
    {.name = "ext", .type = KEDR_T_OBJECT},
    {0},
};

static const struct kedr_field price_create_input[] = {
    {.name = "type",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 32},
    {.name = "amount", .type = KEDR_T_MONEY, .flags = KEDR_REQUIRED},
    {.name = "currency", .type = KEDR_T_STRING},
    {.name = "valid_from", .type = KEDR_T_DATE, .flags = KEDR_REQUIRED},
    {0},
};

#define READ "catalog.read"
#define WRITE "catalog.write"

static const struct kedr_route catalog_routes[] = {
    /* groups */
    {.method = "GET",
     .path = "/groups",
     .handler = catalog_groups_list,
     .permission = READ},
    {.method = "POST",
     .path = "/groups",
     .handler = catalog_groups_create,
     .permission = WRITE,
     .input = group_create_input},
    {.method = "GET",
     .path = "/groups/:id",
     .handler = catalog_groups_get,
     .permission = READ},
    {.method = "PATCH",
     .path = "/groups/:id",
     .handler = catalog_groups_update,
     .permission = WRITE,
     .input = group_update_input},
    {.method = "DELETE",
     .path = "/groups/:id",
     .handler = catalog_groups_delete,
     .permission = WRITE},
    /* products */
    {.method = "GET",
     .path = "/products",
     .handler = catalog_products_list,
     .permission = READ},
    {.method = "POST",
     .path = "/products",
     .handler = catalog_products_create,
     .permission = WRITE,
     .input = product_create_input},
    {.method = "GET",
     .path = "/products/:id",
     .handler = catalog_products_get,
     .permission = READ},
    {.method = "PATCH",
     .path = "/products/:id",
     .handler = catalog_products_update,
     .permission = WRITE,
     .input = product_update_input},
    {.method = "DELETE",
     .path = "/products/:id",
     .handler = catalog_products_delete,
     .permission = WRITE},
    /* prices */
    {.method = "GET",
     .path = "/products/:id/prices",
     .handler = catalog_prices_list,
     .permission = READ},
    {.method = "POST",
     .path = "/products/:id/prices",
     .handler = catalog_prices_create,
     .permission = WRITE,
     .input = price_create_input},
    {.method = "DELETE",
     .path = "/products/:id/prices/:price_id",
     .handler = catalog_prices_delete,
     .permission = WRITE},
    {.method = "GET",
     .path = "/products/:id/price",
     .handler = catalog_price_on_date,
     .permission = READ},
    /* master data */
    {.method = "POST",
     .path = "/import/products",
     .handler = catalog_import_products,
     .permission = WRITE},
    {0},
};

static const struct kedr_entity_col price_type_cols[] = {
    {.name = "code",
     .type = KEDR_T_STRING,
     .label_ru = "Код",
     .label_en = "Code",
     .flags = KEDR_REQUIRED | KEDR_COL_UNIQUE | KEDR_COL_CREATE_ONLY |
              KEDR_COL_FILTER | KEDR_COL_SORT | KEDR_COL_EXPORT,
     .max = 32},
    {.name = "name",
     .type = KEDR_T_STRING,
     .label_ru = "Название",
     .label_en = "Name",
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY | KEDR_COL_SORT | KEDR_COL_SEARCH |
              KEDR_COL_EXPORT,
     .max = 200},
    {.name = "name_en",
     .type = KEDR_T_STRING,
     .label_ru = "Название по-английски",
     .label_en = "Name in English",
     .flags = KEDR_COL_SEARCH | KEDR_COL_EXPORT,
     .max = 200,
     .def = "''"},
    {.name = "sort",
     .type = KEDR_T_INT,
     .label_ru = "Порядок",
     .label_en = "Order",
     .flags = KEDR_COL_SORT,
     .min = SORT_MIN,
     .max = SORT_MAX,
     .def = "0"},
    {.name = "active",
     .type = KEDR_T_BOOL,
     .label_ru = "Действует",
     .label_en = "Active",
     .flags = KEDR_COL_FILTER | KEDR_COL_EXPORT,
     .def = "true"},
    {.name = "created_by",
     .type = KEDR_T_INT,
     .label_ru = "Создал",
     .label_en = "Created by",
     .flags = KEDR_COL_READONLY,
     .def = "core.current_user_id()"},
    {0},
};

/* Served by the core from this declaration: /price-types. */
static const struct kedr_entity catalog_entities[] = {
    {.name = "price_type",
     .path = "/price-types",
     .table = "catalog.price_type",
     .label_ru = "Типы цен",
     .label_en = "Price types",
     .cols = price_type_cols,
     .perm_read = READ,
     .perm_write = WRITE,
     .perm_delete = WRITE,
     .hooks = &catalog_price_type_hooks,
     .sort = "sort,code"},
    {0},
};

static const struct kedr_permission catalog_permissions[] = {
    {.name = READ,
     .label_ru = "Просматривать каталог товаров и цены",
     .label_en = "View the product catalog and prices"},
    {.name = WRITE,
     .label_ru = "Изменять каталог товаров и цены",
     .label_en = "Edit the product catalog and prices"},
    {0},
};

static const struct kedr_ui catalog_ui[] = {
    {.path = "/catalog",
     .label_ru = "Каталог",
     .label_en = "Catalog",
     .permission = READ},
    {0},
};

/* Everyone at the manufacturer reads the catalog; editing master data is
 * an administrator's grant. */
static const struct kedr_grant catalog_grants[] = {
    {.role = "manager", .permission = READ},
    {.role = "analyst", .permission = READ},
    {.role = "support", .permission = READ},
    {.role = "marketing", .permission = READ},
    {0},
};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,
    .name = "catalog",
    .version = "1.0.0",
    .routes = catalog_routes,
    .permissions = catalog_permissions,
    .importers = catalog_importers,
    .ui = catalog_ui,
    .grants = catalog_grants,
    .entities = catalog_entities,
};
