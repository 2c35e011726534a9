/*
 * t_oldimporter -- test-only module: built for ABI 1.1 with an importer.
 * Before 1.2 an importer named a Salesforce object where it now names the
 * entity it fills; the loader must refuse it rather than read the old
 * meaning as the new.  It keeps the names of its time (kedr_importer,
 * kedr_import_t, .importers): the deprecated aliases of 1.5 build it.
 */
#include <kedr.h>

static int
t_oldimporter_load(kedr_req_t *r, kedr_import_t *imp)
{
    (void)r;
    (void)imp;
    return 0;
}

static const struct kedr_importer t_oldimporter_importers[] = {
    {.source = "salesforce", .target = "Account", .load = t_oldimporter_load},
    {0},
};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    .magic = KEDR_MODULE_MAGIC,
    .abi_major = KEDR_ABI_MAJOR,
    .abi_minor = 1,
    .size = sizeof(struct kedr_module),
    .build_sig = KEDR_BUILD_SIG,
    .api = &kedr_api,
    .name = "t_oldimporter",
    .version = "0.1.0",
    .importers = t_oldimporter_importers,
};
