/*
 * t_badname -- test-only module: its descriptor names another module than
 * its file does.
 */
#include <kedr.h>

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,
    .name = "t_othername",
    .version = "0.1.0",
};
