/*
 * t_badmagic -- test-only module: a descriptor without the Kedr magic
 * (what a stray or corrupt .so on modules.path looks like).
 */
#include <kedr.h>

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    .magic = 0xdeadbeefu,
    .abi_major = KEDR_ABI_MAJOR,
    .abi_minor = KEDR_ABI_MINOR,
    .size = sizeof(struct kedr_module),
    .build_sig = KEDR_BUILD_SIG,
    .api = &kedr_api,
    .name = "t_badmagic",
    .version = "0.1.0",
};
