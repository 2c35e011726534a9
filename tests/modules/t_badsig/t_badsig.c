/*
 * t_badsig -- test-only module: a build signature that is not the core's
 * (as if built against another jansson major).
 */
#include <kedr.h>

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    .magic = KEDR_MODULE_MAGIC,
    .abi_major = KEDR_ABI_MAJOR,
    .abi_minor = KEDR_ABI_MINOR,
    .size = sizeof(struct kedr_module),
    .build_sig = "ptr8-jansson99",
    .api = &kedr_api,
    .name = "t_badsig",
    .version = "0.1.0",
};
