/*
 * t_oldkit -- test-only module: built for ABI 1.3 with an entity.  ABI
 * 1.4 appended `options` to struct kedr_entity_col, so a 1.3 module's
 * column table has a shorter row; the loader must refuse it rather than
 * walk the table with the wrong stride.  (Built here with this kedr.h and
 * the minor set by hand: the loader refuses it before reading a column.)
 */
#include <kedr.h>

static const struct kedr_entity_col t_oldkit_cols[] = {
    {.name = "name", .type = KEDR_T_STRING, .label_ru = "Название"},
    {0},
};

static const struct kedr_entity t_oldkit_entities[] = {
    {.name = "thing",
     .path = "/things",
     .table = "t_oldkit.thing",
     .label_ru = "Вещи",
     .cols = t_oldkit_cols,
     .perm_read = KEDR_PUBLIC,
     .perm_write = KEDR_PUBLIC},
    {0},
};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    .magic = KEDR_MODULE_MAGIC,
    .abi_major = KEDR_ABI_MAJOR,
    .abi_minor = 3,
    .size = sizeof(struct kedr_module),
    .build_sig = KEDR_BUILD_SIG,
    .api = &kedr_api,
    .name = "t_oldkit",
    .version = "0.1.0",
    .entities = t_oldkit_entities,
};
