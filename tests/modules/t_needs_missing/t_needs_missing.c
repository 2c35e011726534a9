/*
 * t_needs_missing -- test-only module: requires a module that exists
 * nowhere on modules.path.
 */
#include <kedr.h>

static const char *const t_needs_missing_requires[] = {"t_nowhere", NULL};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,
    .name = "t_needs_missing",
    .version = "0.1.0",
    .requires = t_needs_missing_requires,
};
