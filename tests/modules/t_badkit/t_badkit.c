/*
 * t_badkit -- test-only module: an entity whose table name is not an
 * identifier (the kit puts it into SQL as is, so the loader refuses it).
 */
#include <kedr.h>

static const struct kedr_entity_col t_badkit_cols[] = {
    {.name = "name", .type = KEDR_T_STRING, .label_ru = "Имя"},
    {0},
};

static const struct kedr_entity t_badkit_entities[] = {
    {.name = "thing",
     .path = "/things",
     .table = "t_badkit.thing; DROP TABLE core.users",
     .label_ru = "Вещи",
     .cols = t_badkit_cols,
     .perm_read = "t_badkit.read",
     .perm_write = "t_badkit.read"},
    {0},
};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,
    .name = "t_badkit",
    .version = "0.1.0",
    .entities = t_badkit_entities,
};
