/*
 * catalog -- the product catalog: product groups as a tree (brand ->
 * series -> group), products with attributes and external ids, price
 * types and prices valid from a date, and a bulk upsert for master data.
 *
 * This file holds the descriptor: the entities the core serves (groups,
 * products, price types), the routes of its own (the group tree, a
 * product's prices, the import), permissions.  The hooks and handlers
 * live by area in catalog_groups.c, catalog_products.c,
 * catalog_prices.c and catalog_import.c; the tables in sql/.  README.md
 * lists the routes, events and the import format.
 */
#include "catalog_int.h"

#define SORT_MIN -1000000
#define SORT_MAX 1000000

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
    /* the group tree: the entity's list (KEDR_ENTITY_NO_LIST) */
    {.method = "GET",
     .path = "/groups",
     .handler = catalog_groups_tree,
     .permission = READ},
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

/* When a record was created and last changed: shown, written by the
 * table's defaults and the kit. */
#define STAMP_COLS STAMP_CREATED_AT, STAMP_UPDATED_AT, STAMP_CREATED_BY
#define STAMP_CREATED_AT                                                       \
    {                                                                          \
        .name = "created_at", .type = KEDR_T_STRING, .label_ru = "Создано",    \
        .label_en = "Created", .sql = "t.created_at"                           \
    }
#define STAMP_UPDATED_AT                                                       \
    {                                                                          \
        .name = "updated_at", .type = KEDR_T_STRING, .label_ru = "Изменено",   \
        .label_en = "Changed", .sql = "t.updated_at"                           \
    }
#define STAMP_CREATED_BY                                                       \
    {                                                                          \
        .name = "created_by", .type = KEDR_T_INT, .label_ru = "Создал",        \
        .label_en = "Created by", .flags = KEDR_COL_READONLY,                  \
        .def = "core.current_user_id()"                                        \
    }

/* A group's kind: a brand, a series inside it, or a plain group. */
static const struct kedr_entity_option group_kinds[] = {
    {.value = "brand", .label_ru = "Бренд", .label_en = "Brand"},
    {.value = "series", .label_ru = "Серия", .label_en = "Series"},
    {.value = "group", .label_ru = "Группа", .label_en = "Group"},
    {0},
};

static const struct kedr_entity_col group_cols[] = {
    {.name = "parent_id",
     .type = KEDR_T_INT,
     .label_ru = "Родительская группа",
     .label_en = "Parent group",
     .ref = "catalog.group"},
    {.name = "code",
     .type = KEDR_T_STRING,
     .label_ru = "Код",
     .label_en = "Code",
     .flags = KEDR_COL_UNIQUE,
     .max = 64},
    {.name = "name",
     .type = KEDR_T_STRING,
     .label_ru = "Название",
     .label_en = "Name",
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 200},
    {.name = "kind",
     .type = KEDR_T_STRING,
     .label_ru = "Вид",
     .label_en = "Kind",
     .max = 10,
     .options = group_kinds},
    {.name = "sort",
     .type = KEDR_T_INT,
     .label_ru = "Порядок",
     .label_en = "Order",
     .min = SORT_MIN,
     .max = SORT_MAX,
     .def = "0"},
    STAMP_COLS,
    /* GET /groups/:id only */
    {.name = "path",
     .type = KEDR_T_ARRAY,
     .label_ru = "Путь от корня",
     .label_en = "Path from the root",
     .flags = KEDR_COL_DETAIL,
     .sql = CATALOG_GROUP_PATH_SQL},
    {.name = "children",
     .type = KEDR_T_INT,
     .label_ru = "Подгрупп",
     .label_en = "Subgroups",
     .flags = KEDR_COL_DETAIL,
     .sql = "SELECT count(*) FROM catalog.product_group c WHERE c.parent_id "
            "= t.id"},
    {.name = "products",
     .type = KEDR_T_INT,
     .label_ru = "Товаров",
     .label_en = "Products",
     .flags = KEDR_COL_DETAIL,
     .sql = "SELECT count(*) FROM catalog.product p WHERE p.group_id = t.id"},
    {.name = "products_total",
     .type = KEDR_T_INT,
     .label_ru = "Товаров с подгруппами",
     .label_en = "Products with the subgroups",
     .flags = KEDR_COL_DETAIL,
     .sql = "SELECT count(*) FROM catalog.product p WHERE p.group_id IN "
            "(SELECT catalog.group_subtree(t.id))"},
    {0},
};

static const struct kedr_entity_col product_cols[] = {
    {.name = "sku",
     .type = KEDR_T_STRING,
     .label_ru = "Артикул",
     .label_en = "Article",
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY | KEDR_COL_UNIQUE |
              KEDR_COL_FILTER | KEDR_COL_SORT | KEDR_COL_SEARCH |
              KEDR_COL_EXPORT,
     .max = 100},
    {.name = "name",
     .type = KEDR_T_STRING,
     .label_ru = "Название",
     .label_en = "Name",
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY | KEDR_COL_SORT | KEDR_COL_SEARCH |
              KEDR_COL_EXPORT,
     .max = 500},
    /* its list filter is product_filters' group_id, with the subgroups */
    {.name = "group_id",
     .type = KEDR_T_INT,
     .label_ru = "Группа",
     .label_en = "Group",
     .flags = KEDR_COL_EXPORT,
     .ref = "catalog.group"},
    {.name = "group",
     .type = KEDR_T_OBJECT,
     .label_ru = "Группа (код и название)",
     .label_en = "Group (code and name)",
     .sql = "SELECT json_build_object('id', g.id, 'code', g.code, 'name', "
            "g.name) FROM catalog.product_group g WHERE g.id = t.group_id"},
    {.name = "unit",
     .type = KEDR_T_STRING,
     .label_ru = "Единица",
     .label_en = "Unit",
     .flags = KEDR_NONEMPTY | KEDR_COL_FILTER | KEDR_COL_EXPORT,
     .max = 20,
     .def = "'шт'"},
    {.name = "attributes",
     .type = KEDR_T_OBJECT,
     .label_ru = "Характеристики",
     .label_en = "Attributes",
     .def = "'{}'"},
    {.name = "active",
     .type = KEDR_T_BOOL,
     .label_ru = "Действует",
     .label_en = "Active",
     .flags = KEDR_COL_FILTER | KEDR_COL_EXPORT,
     .def = "true"},
    {.name = "ext",
     .type = KEDR_T_OBJECT,
     .label_ru = "Внешние коды",
     .label_en = "External ids",
     .def = "'{}'"},
    STAMP_COLS,
    /* GET /products/:id only */
    {.name = "current_prices",
     .type = KEDR_T_ARRAY,
     .label_ru = "Цены на сегодня",
     .label_en = "Prices today",
     .flags = KEDR_COL_DETAIL,
     .sql = CATALOG_CURRENT_PRICES_SQL},
    {0},
};

/* Filters of the product list a column filter cannot say. */
static const struct kedr_entity_filter product_filters[] = {
    {.name = "group_id",
     .type = KEDR_T_INT,
     .label_ru = "Группа с подгруппами",
     .label_en = "Group with its subgroups",
     .sql = "t.group_id IN (SELECT catalog.group_subtree($1::bigint))"},
    {.name = "mdm",
     .type = KEDR_T_STRING,
     .label_ru = "Код мастер-данных",
     .label_en = "Master data id",
     .sql = "t.ext ->> 'mdm' = $1"},
    {.name = "c1",
     .type = KEDR_T_STRING,
     .label_ru = "Код 1С",
     .label_en = "1C id",
     .sql = "t.ext ->> 'c1' = $1"},
    {0},
};

/* Served by the core from these declarations: /groups (but its list,
 * the tree of catalog_groups.c), /products, /price-types (with the hooks
 * of catalog_groups.c, catalog_products.c and catalog_prices.c). */
static const struct kedr_entity catalog_entities[] = {
    {.name = "group",
     .path = "/groups",
     .table = "catalog.product_group",
     .label_ru = "Группы товаров",
     .label_en = "Product groups",
     .cols = group_cols,
     .perm_read = READ,
     .perm_write = WRITE,
     .perm_delete = WRITE,
     .flags = KEDR_ENTITY_NO_LIST,
     .hooks = &catalog_group_hooks},
    {.name = "product",
     .path = "/products",
     .table = "catalog.product",
     .label_ru = "Товары",
     .label_en = "Products",
     .cols = product_cols,
     .perm_read = READ,
     .perm_write = WRITE,
     .perm_delete = WRITE,
     .hooks = &catalog_product_hooks,
     .sort = "name",
     .filters = product_filters},
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
    .migrators = catalog_importers,
    .ui = catalog_ui,
    .grants = catalog_grants,
    .entities = catalog_entities,
};
