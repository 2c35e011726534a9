/*
 * test_module.c -- core/module.c: the descriptor header check on
 * hand-built descriptors (each refusal with its exact message, in the
 * order the loader checks), module name validation, and the built-in
 * modules going through the same loader without dlopen.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core.h"

/* The end of the ABI 1.0 descriptor (its last member is fini). */
#define ABI10_SIZE (offsetof(struct kedr_module, fini) + sizeof(void (*)(void)))

static const struct kedr_api *test_api;

/* A descriptor as KEDR_MODULE_HEADER builds it. */
static struct kedr_module
good_desc(void)
{
    struct kedr_module m = {
        .magic = KEDR_MODULE_MAGIC,
        .abi_major = KEDR_ABI_MAJOR,
        .abi_minor = KEDR_ABI_MINOR,
        .size = sizeof(struct kedr_module),
        .build_sig = KEDR_BUILD_SIG,
        .api = &test_api,
        .name = "t_test",
        .version = "1.0",
    };

    return m;
}

/* Check m; return the message ("" when it fits). */
static const char *
check(const struct kedr_module *m)
{
    static char buf[256];
    const char *why;

    memset(buf, 0, sizeof(buf));
    why = kedr_module_check_header(m, buf, sizeof(buf));
    if (why == NULL)
        return "";
    assert_ptr_equal(why, buf); /* the message is written into buf */
    return why;
}

/* ------------------------------------------------------------------ */

static void
test_build_sig(void **state)
{
    char want[64];

    (void)state;
    snprintf(want, sizeof(want), "ptr%d-jansson%d", (int)sizeof(void *),
             JANSSON_MAJOR_VERSION);
    assert_string_equal(KEDR_BUILD_SIG, want);
    assert_int_equal(KEDR_MODULE_MAGIC, 0x5244454bu);
    assert_memory_equal(&(uint32_t){KEDR_MODULE_MAGIC}, "KEDR", 4);
}

static void
test_header_fixed_layout(void **state)
{
    (void)state;
    /* the header never moves */
    assert_int_equal(offsetof(struct kedr_module, magic), 0);
    assert_int_equal(offsetof(struct kedr_module, abi_major), 4);
    assert_int_equal(offsetof(struct kedr_module, abi_minor), 6);
    assert_int_equal(offsetof(struct kedr_module, size), 8);
    assert_int_equal(offsetof(struct kedr_module, build_sig), 16);
    /* at ABI x.0 the descriptor ends with fini */
    if (KEDR_ABI_MINOR == 0)
        assert_int_equal(sizeof(struct kedr_module), ABI10_SIZE);
}

static void
test_good(void **state)
{
    struct kedr_module m = good_desc();
    char buf[8] = "unused";

    (void)state;
    assert_null(kedr_module_check_header(&m, buf, sizeof(buf)));
    assert_string_equal(buf, "unused");
    /* exactly the 1.0 size is enough; a bigger one (a later core's
     * appended members) is fine too */
    m.size = (uint32_t)ABI10_SIZE;
    assert_string_equal(check(&m), "");
    m.size = (uint32_t)ABI10_SIZE + 64;
    assert_string_equal(check(&m), "");
    /* the signature is compared by value, not by address */
    {
        char sig[64];

        snprintf(sig, sizeof(sig), "%s", KEDR_BUILD_SIG);
        m.build_sig = sig;
        assert_string_equal(check(&m), "");
    }
}

static void
test_bad_magic(void **state)
{
    struct kedr_module m = good_desc();

    (void)state;
    m.magic = 0x12345678u;
    assert_string_equal(check(&m), "not a kedr module (bad magic 0x12345678)");
    m.magic = 0;
    assert_string_equal(check(&m), "not a kedr module (bad magic 0x00000000)");
    /* byte-swapped */
    m.magic = 0x4b454452u;
    assert_string_equal(check(&m), "not a kedr module (bad magic 0x4b454452)");
    /* the magic is checked first, whatever else is wrong */
    m.magic = 0xdeadbeefu;
    m.abi_major = 9;
    m.size = 1;
    m.build_sig = NULL;
    assert_string_equal(check(&m), "not a kedr module (bad magic 0xdeadbeef)");
}

/* The expected ABI refusal for a module built for major.minor. */
static const char *
abi_msg(unsigned major, unsigned minor)
{
    static char want[128];

    snprintf(want, sizeof(want),
             "built for module ABI %u.%u, this core provides %d.%d", major,
             minor, KEDR_ABI_MAJOR, KEDR_ABI_MINOR);
    return want;
}

/* The expected signature refusal for `sig`. */
static const char *
sig_msg(const char *sig)
{
    static char want[160];

    snprintf(want, sizeof(want),
             "build signature \"%s\" does not match the core's \"%s\"", sig,
             KEDR_BUILD_SIG);
    return want;
}

static void
test_abi_major(void **state)
{
    struct kedr_module m = good_desc();

    (void)state;
    m.abi_major = KEDR_ABI_MAJOR + 1;
    assert_string_equal(check(&m), abi_msg(KEDR_ABI_MAJOR + 1, KEDR_ABI_MINOR));
    if (KEDR_ABI_MAJOR == 1 && KEDR_ABI_MINOR == 0)
        assert_string_equal(check(&m),
                            "built for module ABI 2.0, this core provides 1.0");

    m.abi_major = KEDR_ABI_MAJOR - 1;
    assert_string_equal(check(&m), abi_msg(KEDR_ABI_MAJOR - 1, KEDR_ABI_MINOR));
    m.abi_major = 65535;
    m.abi_minor = 65535;
    assert_string_equal(check(&m), abi_msg(65535, 65535));
    /* a lower minor of another major is refused too */
    m.abi_major = KEDR_ABI_MAJOR + 1;
    m.abi_minor = 0;
    assert_string_equal(check(&m), abi_msg(KEDR_ABI_MAJOR + 1, 0));
    /* checked before the size and the signature */
    m.size = 4;
    m.build_sig = "nope";
    assert_string_equal(check(&m), abi_msg(KEDR_ABI_MAJOR + 1, 0));
}

static void
test_abi_higher_minor(void **state)
{
    struct kedr_module m = good_desc();

    (void)state;
    m.abi_minor = KEDR_ABI_MINOR + 1;
    assert_string_equal(check(&m), abi_msg(KEDR_ABI_MAJOR, KEDR_ABI_MINOR + 1));
    if (KEDR_ABI_MAJOR == 1 && KEDR_ABI_MINOR == 0)
        assert_string_equal(check(&m),
                            "built for module ABI 1.1, this core provides 1.0");
    m.abi_minor = KEDR_ABI_MINOR + 7;
    assert_string_equal(check(&m), abi_msg(KEDR_ABI_MAJOR, KEDR_ABI_MINOR + 7));
}

static void
test_size_too_small(void **state)
{
    struct kedr_module m = good_desc();
    char want[128];

    (void)state;
    m.size = (uint32_t)ABI10_SIZE - 1;
    snprintf(want, sizeof(want),
             "descriptor is %zu bytes, ABI %d.%d needs at least %zu",
             ABI10_SIZE - 1, KEDR_ABI_MAJOR, KEDR_ABI_MINOR, ABI10_SIZE);
    assert_string_equal(check(&m), want);
    if (KEDR_ABI_MAJOR == 1 && KEDR_ABI_MINOR == 0 && sizeof(void *) == 8)
        assert_string_equal(check(&m),
                            "descriptor is 127 bytes, ABI 1.0 needs at least "
                            "128");

    m.size = 0;
    snprintf(want, sizeof(want),
             "descriptor is 0 bytes, ABI %d.%d needs at least %zu",
             KEDR_ABI_MAJOR, KEDR_ABI_MINOR, ABI10_SIZE);
    assert_string_equal(check(&m), want);

    /* the header alone */
    m.size = (uint32_t)offsetof(struct kedr_module, api);
    snprintf(want, sizeof(want),
             "descriptor is %zu bytes, ABI %d.%d needs at least %zu",
             offsetof(struct kedr_module, api), KEDR_ABI_MAJOR, KEDR_ABI_MINOR,
             ABI10_SIZE);
    assert_string_equal(check(&m), want);

    /* checked before the signature */
    m.build_sig = "nope";
    assert_string_equal(check(&m), want);
}

static void
test_build_signature(void **state)
{
    struct kedr_module m = good_desc();

    (void)state;
    m.build_sig = "ptr4-jansson2";
    assert_string_equal(check(&m), sig_msg("ptr4-jansson2"));
    if (sizeof(void *) == 8 && JANSSON_MAJOR_VERSION == 2)
        assert_string_equal(check(&m),
                            "build signature \"ptr4-jansson2\" does not match "
                            "the core's \"ptr8-jansson2\"");
    m.build_sig = "ptr8-jansson3";
    assert_string_equal(check(&m), sig_msg("ptr8-jansson3"));
    m.build_sig = "";
    assert_string_equal(check(&m), sig_msg(""));
    /* a prefix or a longer string is not a match */
    m.build_sig = "ptr8-jansson";
    assert_string_equal(check(&m), sig_msg("ptr8-jansson"));
    m.build_sig = KEDR_BUILD_SIG "2";
    assert_string_equal(check(&m), sig_msg(KEDR_BUILD_SIG "2"));
    m.build_sig = NULL;
    assert_string_equal(check(&m), sig_msg("(null)"));
}

static void
test_message_truncated(void **state)
{
    struct kedr_module m = good_desc();
    char buf[12];

    (void)state;
    m.magic = 1;
    memset(buf, 'x', sizeof(buf));
    assert_ptr_equal(kedr_module_check_header(&m, buf, sizeof(buf)), buf);
    assert_string_equal(buf, "not a kedr ");
}

static void
test_name_valid(void **state)
{
    static const char *const good[] = {
        "a",
        "hello",
        "clients",
        "a1",
        "a_b",
        "a__",
        "z9_0",
        "t_alpha",
        "abcdefghijklmnopqrstuvwxyz0123456789_abcdefghijk", /* 48 */
        NULL,
    };
    static const char *const bad[] = {
        "",       "1abc",
        "_a",     "Hello",
        "helloW", "he-llo",
        "he.llo", "he llo",
        "a/b",    "../a",
        "héllo",  "модуль",
        "a\n",    " a",
        "a ",     "abcdefghijklmnopqrstuvwxyz0123456789_abcdefghijkl", /* 49 */
        NULL,
    };

    (void)state;
    for (int i = 0; good[i] != NULL; i++)
        if (!kedr_module_name_valid(good[i]))
            fail_msg("\"%s\" refused", good[i]);
    for (int i = 0; bad[i] != NULL; i++)
        if (kedr_module_name_valid(bad[i]))
            fail_msg("\"%s\" accepted", bad[i]);
    assert_false(kedr_module_name_valid(NULL));
    assert_int_equal(strlen(good[8]), 48);
    assert_int_equal(strlen(bad[15]), 49);
}

/* ------------------------------------------------------------------ */
/* built-in modules: kedr_modules_load_builtin                         */
/* ------------------------------------------------------------------ */

static const struct kedr_api *builtin_api_one, *builtin_api_two;

/* Load `descs` as built-ins; the set's return code. */
static int
load_builtins(struct kedr_modset *set, const struct kedr_module *const *descs)
{
    static struct kedr_conf conf;

    return kedr_modules_load_builtin(set, &conf, descs);
}

static void
test_builtin_loaded_in_order(void **state)
{
    static const char *const needs_one[] = {"b_one", NULL};
    struct kedr_module one = good_desc(), two = good_desc();
    const struct kedr_module *const descs[] = {&two, &one, NULL};
    struct kedr_modset set;

    (void)state;
    one.name = "b_one";
    one.api = &builtin_api_one;
    two.name = "b_two";
    two.api = &builtin_api_two;
    two.requires = needs_one;
    assert_int_equal(load_builtins(&set, descs), 0);
    assert_int_equal(set.n, 2);
    assert_int_equal(set.norder, 2);
    assert_string_equal(set.order[0]->name, "b_one"); /* dependency first */
    assert_string_equal(set.order[1]->name, "b_two");
    for (size_t i = 0; i < set.n; i++) {
        assert_int_equal(set.mods[i].state, KEDR_MOD_ENABLED);
        assert_null(set.mods[i].handle); /* nothing dlopen()ed */
        assert_null(set.mods[i].so_path);
    }
    assert_ptr_equal(set.order[0]->desc, &one);
    /* handed the table as a .so module is */
    assert_ptr_equal(builtin_api_one, &kedr_core_api);
    assert_ptr_equal(builtin_api_two, &kedr_core_api);
    kedr_modules_release(&set);
}

static void
test_builtin_refused(void **state)
{
    static const char *const needs_gone[] = {"b_gone", NULL};
    struct kedr_module bad = good_desc(), orphan = good_desc();
    const struct kedr_module *const descs[] = {&bad, &orphan, NULL};
    struct kedr_modset set;

    (void)state;
    bad.name = "b_bad";
    bad.magic = 0x12345678;
    orphan.name = "b_orphan";
    orphan.requires = needs_gone;
    /* a built-in is always enabled: any refusal fails the load */
    assert_int_equal(load_builtins(&set, descs), -1);
    assert_int_equal(set.norder, 0);
    assert_int_equal(set.mods[0].state, KEDR_MOD_REFUSED);
    assert_string_equal(set.mods[0].why,
                        "not a kedr module (bad magic 0x12345678)");
    assert_int_equal(set.mods[1].state, KEDR_MOD_REFUSED);
    assert_string_equal(set.mods[1].why,
                        "requires \"b_gone\", which is not found");
    kedr_modules_release(&set);
}

/* The built-ins the core ships pass every check the loader makes. */
static void
test_builtin_shipped(void **state)
{
    struct kedr_modset set;

    (void)state;
    assert_int_equal(load_builtins(&set, kedr_builtin_modules), 0);
    assert_true(set.n >= 3);
    assert_int_equal(set.norder, set.n);
    for (size_t i = 0; i < set.n; i++) {
        assert_int_equal(set.mods[i].state, KEDR_MOD_ENABLED);
        assert_non_null(set.mods[i].desc->routes);
    }
    kedr_modules_release(&set);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_sig),
        cmocka_unit_test(test_header_fixed_layout),
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_abi_major),
        cmocka_unit_test(test_abi_higher_minor),
        cmocka_unit_test(test_size_too_small),
        cmocka_unit_test(test_build_signature),
        cmocka_unit_test(test_message_truncated),
        cmocka_unit_test(test_name_valid),
        cmocka_unit_test(test_builtin_loaded_in_order),
        cmocka_unit_test(test_builtin_refused),
        cmocka_unit_test(test_builtin_shipped),
    };

    kedr_log_level = -1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
