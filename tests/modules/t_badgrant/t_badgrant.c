/*
 * t_badgrant -- test-only module: a default grant of a permission it does
 * not declare (ABI 1.1 grants name the module's own permissions only).
 */
#include <kedr.h>

static const struct kedr_permission t_badgrant_perms[] = {
    {.name = "t_badgrant.read", .label_ru = "Читать", .label_en = "Read"},
    {0},
};

static const struct kedr_grant t_badgrant_grants[] = {
    {.role = "manager", .permission = "t_badgrant.read"},
    {.role = "manager", .permission = "clients.merge"},
    {0},
};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,
    .name = "t_badgrant",
    .version = "0.1.0",
    .permissions = t_badgrant_perms,
    .grants = t_badgrant_grants,
};
