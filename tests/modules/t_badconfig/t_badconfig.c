/*
 * t_badconfig -- test-only module: a declared setting whose default is
 * outside its own range.  The loader must refuse it, naming the setting.
 */
#include <kedr.h>

static const struct kedr_setting t_badconfig_config[] = {
    {.name = "label", .type = KEDR_SETTING_STRING, .def = "x"},
    {.name = "limit",
     .type = KEDR_SETTING_INT,
     .def = "50",
     .min = 1,
     .max = 10,
     .doc = "the default breaks the range"},
    {0},
};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,
    .name = "t_badconfig",
    .version = "0.1.0",
    .config = t_badconfig_config,
};
