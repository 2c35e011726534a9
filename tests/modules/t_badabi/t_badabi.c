/*
 * t_badabi -- test-only module: built for a module ABI major the core
 * does not provide.  The loader must refuse it before reading anything
 * past the header.
 */
#include <kedr.h>

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    .magic = KEDR_MODULE_MAGIC,
    .abi_major = KEDR_ABI_MAJOR + 1,
    .abi_minor = 0,
    .size = sizeof(struct kedr_module),
    .build_sig = KEDR_BUILD_SIG,
    .api = &kedr_api,
    .name = "t_badabi",
    .version = "0.1.0",
};
