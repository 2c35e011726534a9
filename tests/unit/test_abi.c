/*
 * test_abi.c -- the module ABI held to its frozen snapshots
 * (tests/abi/kedr_abi_1_*.h): every member of every struct a module
 * shares with the core keeps its offset and size; table rows keep their
 * size (a module walks them with its own stride); the descriptor and the
 * API table only grow, and the snapshot of the current minor matches
 * exactly (a member appended without moving the minor fails here).  Then
 * the wrappers of members after 1.0 against a core table that ends
 * before them: each fails cleanly instead of calling past the table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core.h"

#include "../abi/kedr_abi_1_0.h"
#include "../abi/kedr_abi_1_1.h"
#include "../abi/kedr_abi_1_2.h"
#include "../abi/kedr_abi_1_3.h"
#include "../abi/kedr_abi_1_4.h"

/* Member `m` of struct `cur` sits where member `om` of the snapshot `old`
 * sat, with the same size. */
#define SAME_AS(cur, m, old, om)                                               \
    do {                                                                       \
        assert_int_equal(offsetof(struct cur, m), offsetof(struct old, om));   \
        assert_int_equal(sizeof(((struct cur *)0)->m),                         \
                         sizeof(((struct old *)0)->om));                       \
    } while (0)

/* A table row: exactly the snapshot's size. */
#define SIZE_SAME(cur, old)                                                    \
    assert_int_equal(sizeof(struct cur), sizeof(struct old))

/* The descriptor and the API table: never smaller than a snapshot; the
 * snapshot of the current minor exactly (a new member moves the minor). */
#define SIZE_GROWS(cur, old, minor)                                            \
    do {                                                                       \
        assert_true(sizeof(struct cur) >= sizeof(struct old));                 \
        if ((minor) == KEDR_ABI_MINOR)                                         \
            assert_int_equal(sizeof(struct cur), sizeof(struct old));          \
    } while (0)

static void
test_field_1_0(void **state)
{
    (void)state;
    SAME_AS(kedr_field, name, kedr_field_1_0, name);
    SAME_AS(kedr_field, type, kedr_field_1_0, type);
    SAME_AS(kedr_field, flags, kedr_field_1_0, flags);
    SAME_AS(kedr_field, min, kedr_field_1_0, min);
    SAME_AS(kedr_field, max, kedr_field_1_0, max);
    SIZE_SAME(kedr_field, kedr_field_1_0);
}

static void
test_route_1_0(void **state)
{
    (void)state;
    SAME_AS(kedr_route, method, kedr_route_1_0, method);
    SAME_AS(kedr_route, path, kedr_route_1_0, path);
    SAME_AS(kedr_route, handler, kedr_route_1_0, handler);
    SAME_AS(kedr_route, permission, kedr_route_1_0, permission);
    SAME_AS(kedr_route, input, kedr_route_1_0, input);
    SIZE_SAME(kedr_route, kedr_route_1_0);
}

static void
test_permission_1_0(void **state)
{
    (void)state;
    SAME_AS(kedr_permission, name, kedr_permission_1_0, name);
    SAME_AS(kedr_permission, label_ru, kedr_permission_1_0, label_ru);
    SAME_AS(kedr_permission, label_en, kedr_permission_1_0, label_en);
    SIZE_SAME(kedr_permission, kedr_permission_1_0);
}

static void
test_hook_1_0(void **state)
{
    (void)state;
    SAME_AS(kedr_hook, event, kedr_hook_1_0, event);
    SAME_AS(kedr_hook, fn, kedr_hook_1_0, fn);
    SIZE_SAME(kedr_hook, kedr_hook_1_0);
}

static void
test_job_1_0(void **state)
{
    (void)state;
    SAME_AS(kedr_job, name, kedr_job_1_0, name);
    SAME_AS(kedr_job, interval, kedr_job_1_0, interval);
    SAME_AS(kedr_job, fn, kedr_job_1_0, fn);
    SIZE_SAME(kedr_job, kedr_job_1_0);
}

static void
test_importer_1_0(void **state)
{
    (void)state;
    SAME_AS(kedr_migrator, source, kedr_importer_1_0, source);
    SAME_AS(kedr_migrator, target, kedr_importer_1_0, object);
    SAME_AS(kedr_migrator, load, kedr_importer_1_0, load);
    SIZE_SAME(kedr_migrator, kedr_importer_1_0);
}

static void
test_ui_1_0(void **state)
{
    (void)state;
    SAME_AS(kedr_ui, path, kedr_ui_1_0, path);
    SAME_AS(kedr_ui, label_ru, kedr_ui_1_0, label_ru);
    SAME_AS(kedr_ui, label_en, kedr_ui_1_0, label_en);
    SAME_AS(kedr_ui, permission, kedr_ui_1_0, permission);
    SIZE_SAME(kedr_ui, kedr_ui_1_0);
}

static void
test_module_1_0(void **state)
{
    (void)state;
    SAME_AS(kedr_module, magic, kedr_module_1_0, magic);
    SAME_AS(kedr_module, abi_major, kedr_module_1_0, abi_major);
    SAME_AS(kedr_module, abi_minor, kedr_module_1_0, abi_minor);
    SAME_AS(kedr_module, size, kedr_module_1_0, size);
    SAME_AS(kedr_module, build_sig, kedr_module_1_0, build_sig);
    SAME_AS(kedr_module, api, kedr_module_1_0, api);
    SAME_AS(kedr_module, name, kedr_module_1_0, name);
    SAME_AS(kedr_module, version, kedr_module_1_0, version);
    SAME_AS(kedr_module, requires, kedr_module_1_0, requires);
    SAME_AS(kedr_module, routes, kedr_module_1_0, routes);
    SAME_AS(kedr_module, permissions, kedr_module_1_0, permissions);
    SAME_AS(kedr_module, hooks, kedr_module_1_0, hooks);
    SAME_AS(kedr_module, jobs, kedr_module_1_0, jobs);
    SAME_AS(kedr_module, migrators, kedr_module_1_0, importers);
    SAME_AS(kedr_module, ui, kedr_module_1_0, ui);
    SAME_AS(kedr_module, init, kedr_module_1_0, init);
    SAME_AS(kedr_module, worker_init, kedr_module_1_0, worker_init);
    SAME_AS(kedr_module, fini, kedr_module_1_0, fini);
    SIZE_GROWS(kedr_module, kedr_module_1_0, 0);
}

static void
test_api_1_0(void **state)
{
    (void)state;
    SAME_AS(kedr_api, size, kedr_api_1_0, size);
    SAME_AS(kedr_api, method, kedr_api_1_0, method);
    SAME_AS(kedr_api, path, kedr_api_1_0, path);
    SAME_AS(kedr_api, param, kedr_api_1_0, param);
    SAME_AS(kedr_api, query, kedr_api_1_0, query);
    SAME_AS(kedr_api, header, kedr_api_1_0, header);
    SAME_AS(kedr_api, body, kedr_api_1_0, body);
    SAME_AS(kedr_api, body_raw, kedr_api_1_0, body_raw);
    SAME_AS(kedr_api, request_id, kedr_api_1_0, request_id);
    SAME_AS(kedr_api, user_id, kedr_api_1_0, user_id);
    SAME_AS(kedr_api, has_permission, kedr_api_1_0, has_permission);
    SAME_AS(kedr_api, alloc, kedr_api_1_0, alloc);
    SAME_AS(kedr_api, strdup, kedr_api_1_0, strdup);
    SAME_AS(kedr_api, vsprintf, kedr_api_1_0, vsprintf);
    SAME_AS(kedr_api, on_cleanup, kedr_api_1_0, on_cleanup);
    SAME_AS(kedr_api, reply_json, kedr_api_1_0, reply_json);
    SAME_AS(kedr_api, reply_raw, kedr_api_1_0, reply_raw);
    SAME_AS(kedr_api, set_header, kedr_api_1_0, set_header);
    SAME_AS(kedr_api, vfail, kedr_api_1_0, vfail);
    SAME_AS(kedr_api, field_error, kedr_api_1_0, field_error);
    SAME_AS(kedr_api, db_query, kedr_api_1_0, db_query);
    SAME_AS(kedr_api, db_exec, kedr_api_1_0, db_exec);
    SAME_AS(kedr_api, db_json, kedr_api_1_0, db_json);
    SAME_AS(kedr_api, reply_db_json, kedr_api_1_0, reply_db_json);
    SAME_AS(kedr_api, db_copy_begin, kedr_api_1_0, db_copy_begin);
    SAME_AS(kedr_api, db_copy_put, kedr_api_1_0, db_copy_put);
    SAME_AS(kedr_api, db_copy_end, kedr_api_1_0, db_copy_end);
    SAME_AS(kedr_api, db_sqlstate, kedr_api_1_0, db_sqlstate);
    SAME_AS(kedr_api, rows_count, kedr_api_1_0, rows_count);
    SAME_AS(kedr_api, rows_get, kedr_api_1_0, rows_get);
    SAME_AS(kedr_api, rows_isnull, kedr_api_1_0, rows_isnull);
    SAME_AS(kedr_api, emit, kedr_api_1_0, emit);
    SAME_AS(kedr_api, conf_string, kedr_api_1_0, conf_string);
    SAME_AS(kedr_api, conf_int, kedr_api_1_0, conf_int);
    SAME_AS(kedr_api, conf_bool, kedr_api_1_0, conf_bool);
    SAME_AS(kedr_api, vlog, kedr_api_1_0, vlog);
    SAME_AS(kedr_api, env_log, kedr_api_1_0, env_log);
    SIZE_GROWS(kedr_api, kedr_api_1_0, 0);
}

static void
test_field_1_1(void **state)
{
    (void)state;
    SAME_AS(kedr_field, name, kedr_field_1_1, name);
    SAME_AS(kedr_field, type, kedr_field_1_1, type);
    SAME_AS(kedr_field, flags, kedr_field_1_1, flags);
    SAME_AS(kedr_field, min, kedr_field_1_1, min);
    SAME_AS(kedr_field, max, kedr_field_1_1, max);
    SIZE_SAME(kedr_field, kedr_field_1_1);
}

static void
test_route_1_1(void **state)
{
    (void)state;
    SAME_AS(kedr_route, method, kedr_route_1_1, method);
    SAME_AS(kedr_route, path, kedr_route_1_1, path);
    SAME_AS(kedr_route, handler, kedr_route_1_1, handler);
    SAME_AS(kedr_route, permission, kedr_route_1_1, permission);
    SAME_AS(kedr_route, input, kedr_route_1_1, input);
    SIZE_SAME(kedr_route, kedr_route_1_1);
}

static void
test_permission_1_1(void **state)
{
    (void)state;
    SAME_AS(kedr_permission, name, kedr_permission_1_1, name);
    SAME_AS(kedr_permission, label_ru, kedr_permission_1_1, label_ru);
    SAME_AS(kedr_permission, label_en, kedr_permission_1_1, label_en);
    SIZE_SAME(kedr_permission, kedr_permission_1_1);
}

static void
test_grant_1_1(void **state)
{
    (void)state;
    SAME_AS(kedr_grant, role, kedr_grant_1_1, role);
    SAME_AS(kedr_grant, permission, kedr_grant_1_1, permission);
    SIZE_SAME(kedr_grant, kedr_grant_1_1);
}

static void
test_hook_1_1(void **state)
{
    (void)state;
    SAME_AS(kedr_hook, event, kedr_hook_1_1, event);
    SAME_AS(kedr_hook, fn, kedr_hook_1_1, fn);
    SIZE_SAME(kedr_hook, kedr_hook_1_1);
}

static void
test_job_1_1(void **state)
{
    (void)state;
    SAME_AS(kedr_job, name, kedr_job_1_1, name);
    SAME_AS(kedr_job, interval, kedr_job_1_1, interval);
    SAME_AS(kedr_job, fn, kedr_job_1_1, fn);
    SIZE_SAME(kedr_job, kedr_job_1_1);
}

static void
test_importer_1_1(void **state)
{
    (void)state;
    SAME_AS(kedr_migrator, source, kedr_importer_1_1, source);
    SAME_AS(kedr_migrator, target, kedr_importer_1_1, object);
    SAME_AS(kedr_migrator, load, kedr_importer_1_1, load);
    SIZE_SAME(kedr_migrator, kedr_importer_1_1);
}

static void
test_ui_1_1(void **state)
{
    (void)state;
    SAME_AS(kedr_ui, path, kedr_ui_1_1, path);
    SAME_AS(kedr_ui, label_ru, kedr_ui_1_1, label_ru);
    SAME_AS(kedr_ui, label_en, kedr_ui_1_1, label_en);
    SAME_AS(kedr_ui, permission, kedr_ui_1_1, permission);
    SIZE_SAME(kedr_ui, kedr_ui_1_1);
}

static void
test_module_1_1(void **state)
{
    (void)state;
    SAME_AS(kedr_module, magic, kedr_module_1_1, magic);
    SAME_AS(kedr_module, abi_major, kedr_module_1_1, abi_major);
    SAME_AS(kedr_module, abi_minor, kedr_module_1_1, abi_minor);
    SAME_AS(kedr_module, size, kedr_module_1_1, size);
    SAME_AS(kedr_module, build_sig, kedr_module_1_1, build_sig);
    SAME_AS(kedr_module, api, kedr_module_1_1, api);
    SAME_AS(kedr_module, name, kedr_module_1_1, name);
    SAME_AS(kedr_module, version, kedr_module_1_1, version);
    SAME_AS(kedr_module, requires, kedr_module_1_1, requires);
    SAME_AS(kedr_module, routes, kedr_module_1_1, routes);
    SAME_AS(kedr_module, permissions, kedr_module_1_1, permissions);
    SAME_AS(kedr_module, hooks, kedr_module_1_1, hooks);
    SAME_AS(kedr_module, jobs, kedr_module_1_1, jobs);
    SAME_AS(kedr_module, migrators, kedr_module_1_1, importers);
    SAME_AS(kedr_module, ui, kedr_module_1_1, ui);
    SAME_AS(kedr_module, init, kedr_module_1_1, init);
    SAME_AS(kedr_module, worker_init, kedr_module_1_1, worker_init);
    SAME_AS(kedr_module, fini, kedr_module_1_1, fini);
    SAME_AS(kedr_module, grants, kedr_module_1_1, grants);
    SIZE_GROWS(kedr_module, kedr_module_1_1, 1);
}

static void
test_api_1_1(void **state)
{
    (void)state;
    SAME_AS(kedr_api, size, kedr_api_1_1, size);
    SAME_AS(kedr_api, method, kedr_api_1_1, method);
    SAME_AS(kedr_api, path, kedr_api_1_1, path);
    SAME_AS(kedr_api, param, kedr_api_1_1, param);
    SAME_AS(kedr_api, query, kedr_api_1_1, query);
    SAME_AS(kedr_api, header, kedr_api_1_1, header);
    SAME_AS(kedr_api, body, kedr_api_1_1, body);
    SAME_AS(kedr_api, body_raw, kedr_api_1_1, body_raw);
    SAME_AS(kedr_api, request_id, kedr_api_1_1, request_id);
    SAME_AS(kedr_api, user_id, kedr_api_1_1, user_id);
    SAME_AS(kedr_api, has_permission, kedr_api_1_1, has_permission);
    SAME_AS(kedr_api, alloc, kedr_api_1_1, alloc);
    SAME_AS(kedr_api, strdup, kedr_api_1_1, strdup);
    SAME_AS(kedr_api, vsprintf, kedr_api_1_1, vsprintf);
    SAME_AS(kedr_api, on_cleanup, kedr_api_1_1, on_cleanup);
    SAME_AS(kedr_api, reply_json, kedr_api_1_1, reply_json);
    SAME_AS(kedr_api, reply_raw, kedr_api_1_1, reply_raw);
    SAME_AS(kedr_api, set_header, kedr_api_1_1, set_header);
    SAME_AS(kedr_api, vfail, kedr_api_1_1, vfail);
    SAME_AS(kedr_api, field_error, kedr_api_1_1, field_error);
    SAME_AS(kedr_api, db_query, kedr_api_1_1, db_query);
    SAME_AS(kedr_api, db_exec, kedr_api_1_1, db_exec);
    SAME_AS(kedr_api, db_json, kedr_api_1_1, db_json);
    SAME_AS(kedr_api, reply_db_json, kedr_api_1_1, reply_db_json);
    SAME_AS(kedr_api, db_copy_begin, kedr_api_1_1, db_copy_begin);
    SAME_AS(kedr_api, db_copy_put, kedr_api_1_1, db_copy_put);
    SAME_AS(kedr_api, db_copy_end, kedr_api_1_1, db_copy_end);
    SAME_AS(kedr_api, db_sqlstate, kedr_api_1_1, db_sqlstate);
    SAME_AS(kedr_api, rows_count, kedr_api_1_1, rows_count);
    SAME_AS(kedr_api, rows_get, kedr_api_1_1, rows_get);
    SAME_AS(kedr_api, rows_isnull, kedr_api_1_1, rows_isnull);
    SAME_AS(kedr_api, emit, kedr_api_1_1, emit);
    SAME_AS(kedr_api, conf_string, kedr_api_1_1, conf_string);
    SAME_AS(kedr_api, conf_int, kedr_api_1_1, conf_int);
    SAME_AS(kedr_api, conf_bool, kedr_api_1_1, conf_bool);
    SAME_AS(kedr_api, vlog, kedr_api_1_1, vlog);
    SAME_AS(kedr_api, env_log, kedr_api_1_1, env_log);
    SAME_AS(kedr_api, user_login, kedr_api_1_1, user_login);
    SAME_AS(kedr_api, user_locale, kedr_api_1_1, user_locale);
    SAME_AS(kedr_api, counterparty_id, kedr_api_1_1, counterparty_id);
    SAME_AS(kedr_api, audit, kedr_api_1_1, audit);
    SAME_AS(kedr_api, value_valid, kedr_api_1_1, value_valid);
    SAME_AS(kedr_api, out_of_memory, kedr_api_1_1, oom);
    SAME_AS(kedr_api, attrs_check, kedr_api_1_1, attrs_check);
    SAME_AS(kedr_api, attrs_filter, kedr_api_1_1, attrs_filter);
    SIZE_GROWS(kedr_api, kedr_api_1_1, 1);
}

static void
test_field_1_2(void **state)
{
    (void)state;
    SAME_AS(kedr_field, name, kedr_field_1_2, name);
    SAME_AS(kedr_field, type, kedr_field_1_2, type);
    SAME_AS(kedr_field, flags, kedr_field_1_2, flags);
    SAME_AS(kedr_field, min, kedr_field_1_2, min);
    SAME_AS(kedr_field, max, kedr_field_1_2, max);
    SIZE_SAME(kedr_field, kedr_field_1_2);
}

static void
test_route_1_2(void **state)
{
    (void)state;
    SAME_AS(kedr_route, method, kedr_route_1_2, method);
    SAME_AS(kedr_route, path, kedr_route_1_2, path);
    SAME_AS(kedr_route, handler, kedr_route_1_2, handler);
    SAME_AS(kedr_route, permission, kedr_route_1_2, permission);
    SAME_AS(kedr_route, input, kedr_route_1_2, input);
    SIZE_SAME(kedr_route, kedr_route_1_2);
}

static void
test_permission_1_2(void **state)
{
    (void)state;
    SAME_AS(kedr_permission, name, kedr_permission_1_2, name);
    SAME_AS(kedr_permission, label_ru, kedr_permission_1_2, label_ru);
    SAME_AS(kedr_permission, label_en, kedr_permission_1_2, label_en);
    SIZE_SAME(kedr_permission, kedr_permission_1_2);
}

static void
test_grant_1_2(void **state)
{
    (void)state;
    SAME_AS(kedr_grant, role, kedr_grant_1_2, role);
    SAME_AS(kedr_grant, permission, kedr_grant_1_2, permission);
    SIZE_SAME(kedr_grant, kedr_grant_1_2);
}

static void
test_hook_1_2(void **state)
{
    (void)state;
    SAME_AS(kedr_hook, event, kedr_hook_1_2, event);
    SAME_AS(kedr_hook, fn, kedr_hook_1_2, fn);
    SIZE_SAME(kedr_hook, kedr_hook_1_2);
}

static void
test_job_1_2(void **state)
{
    (void)state;
    SAME_AS(kedr_job, name, kedr_job_1_2, name);
    SAME_AS(kedr_job, interval, kedr_job_1_2, interval);
    SAME_AS(kedr_job, fn, kedr_job_1_2, fn);
    SIZE_SAME(kedr_job, kedr_job_1_2);
}

static void
test_importer_1_2(void **state)
{
    (void)state;
    SAME_AS(kedr_migrator, source, kedr_importer_1_2, source);
    SAME_AS(kedr_migrator, target, kedr_importer_1_2, target);
    SAME_AS(kedr_migrator, load, kedr_importer_1_2, load);
    SIZE_SAME(kedr_migrator, kedr_importer_1_2);
}

static void
test_ui_1_2(void **state)
{
    (void)state;
    SAME_AS(kedr_ui, path, kedr_ui_1_2, path);
    SAME_AS(kedr_ui, label_ru, kedr_ui_1_2, label_ru);
    SAME_AS(kedr_ui, label_en, kedr_ui_1_2, label_en);
    SAME_AS(kedr_ui, permission, kedr_ui_1_2, permission);
    SIZE_SAME(kedr_ui, kedr_ui_1_2);
}

static void
test_column_1_2(void **state)
{
    (void)state;
    SAME_AS(kedr_column, name, kedr_column_1_2, name);
    SAME_AS(kedr_column, label_ru, kedr_column_1_2, label_ru);
    SAME_AS(kedr_column, label_en, kedr_column_1_2, label_en);
    SAME_AS(kedr_column, type, kedr_column_1_2, type);
    SIZE_SAME(kedr_column, kedr_column_1_2);
}

static void
test_import_col_1_2(void **state)
{
    (void)state;
    SAME_AS(kedr_import_col, field, kedr_import_col_1_2, field);
    SAME_AS(kedr_import_col, label_ru, kedr_import_col_1_2, label_ru);
    SAME_AS(kedr_import_col, label_en, kedr_import_col_1_2, label_en);
    SAME_AS(kedr_import_col, type, kedr_import_col_1_2, type);
    SIZE_SAME(kedr_import_col, kedr_import_col_1_2);
}

static void
test_module_1_2(void **state)
{
    (void)state;
    SAME_AS(kedr_module, magic, kedr_module_1_2, magic);
    SAME_AS(kedr_module, abi_major, kedr_module_1_2, abi_major);
    SAME_AS(kedr_module, abi_minor, kedr_module_1_2, abi_minor);
    SAME_AS(kedr_module, size, kedr_module_1_2, size);
    SAME_AS(kedr_module, build_sig, kedr_module_1_2, build_sig);
    SAME_AS(kedr_module, api, kedr_module_1_2, api);
    SAME_AS(kedr_module, name, kedr_module_1_2, name);
    SAME_AS(kedr_module, version, kedr_module_1_2, version);
    SAME_AS(kedr_module, requires, kedr_module_1_2, requires);
    SAME_AS(kedr_module, routes, kedr_module_1_2, routes);
    SAME_AS(kedr_module, permissions, kedr_module_1_2, permissions);
    SAME_AS(kedr_module, hooks, kedr_module_1_2, hooks);
    SAME_AS(kedr_module, jobs, kedr_module_1_2, jobs);
    SAME_AS(kedr_module, migrators, kedr_module_1_2, importers);
    SAME_AS(kedr_module, ui, kedr_module_1_2, ui);
    SAME_AS(kedr_module, init, kedr_module_1_2, init);
    SAME_AS(kedr_module, worker_init, kedr_module_1_2, worker_init);
    SAME_AS(kedr_module, fini, kedr_module_1_2, fini);
    SAME_AS(kedr_module, grants, kedr_module_1_2, grants);
    SAME_AS(kedr_module, portal_routes, kedr_module_1_2, portal_routes);
    SIZE_GROWS(kedr_module, kedr_module_1_2, 2);
}

static void
test_api_1_2(void **state)
{
    (void)state;
    SAME_AS(kedr_api, size, kedr_api_1_2, size);
    SAME_AS(kedr_api, method, kedr_api_1_2, method);
    SAME_AS(kedr_api, path, kedr_api_1_2, path);
    SAME_AS(kedr_api, param, kedr_api_1_2, param);
    SAME_AS(kedr_api, query, kedr_api_1_2, query);
    SAME_AS(kedr_api, header, kedr_api_1_2, header);
    SAME_AS(kedr_api, body, kedr_api_1_2, body);
    SAME_AS(kedr_api, body_raw, kedr_api_1_2, body_raw);
    SAME_AS(kedr_api, request_id, kedr_api_1_2, request_id);
    SAME_AS(kedr_api, user_id, kedr_api_1_2, user_id);
    SAME_AS(kedr_api, has_permission, kedr_api_1_2, has_permission);
    SAME_AS(kedr_api, alloc, kedr_api_1_2, alloc);
    SAME_AS(kedr_api, strdup, kedr_api_1_2, strdup);
    SAME_AS(kedr_api, vsprintf, kedr_api_1_2, vsprintf);
    SAME_AS(kedr_api, on_cleanup, kedr_api_1_2, on_cleanup);
    SAME_AS(kedr_api, reply_json, kedr_api_1_2, reply_json);
    SAME_AS(kedr_api, reply_raw, kedr_api_1_2, reply_raw);
    SAME_AS(kedr_api, set_header, kedr_api_1_2, set_header);
    SAME_AS(kedr_api, vfail, kedr_api_1_2, vfail);
    SAME_AS(kedr_api, field_error, kedr_api_1_2, field_error);
    SAME_AS(kedr_api, db_query, kedr_api_1_2, db_query);
    SAME_AS(kedr_api, db_exec, kedr_api_1_2, db_exec);
    SAME_AS(kedr_api, db_json, kedr_api_1_2, db_json);
    SAME_AS(kedr_api, reply_db_json, kedr_api_1_2, reply_db_json);
    SAME_AS(kedr_api, db_copy_begin, kedr_api_1_2, db_copy_begin);
    SAME_AS(kedr_api, db_copy_put, kedr_api_1_2, db_copy_put);
    SAME_AS(kedr_api, db_copy_end, kedr_api_1_2, db_copy_end);
    SAME_AS(kedr_api, db_sqlstate, kedr_api_1_2, db_sqlstate);
    SAME_AS(kedr_api, rows_count, kedr_api_1_2, rows_count);
    SAME_AS(kedr_api, rows_get, kedr_api_1_2, rows_get);
    SAME_AS(kedr_api, rows_isnull, kedr_api_1_2, rows_isnull);
    SAME_AS(kedr_api, emit, kedr_api_1_2, emit);
    SAME_AS(kedr_api, conf_string, kedr_api_1_2, conf_string);
    SAME_AS(kedr_api, conf_int, kedr_api_1_2, conf_int);
    SAME_AS(kedr_api, conf_bool, kedr_api_1_2, conf_bool);
    SAME_AS(kedr_api, vlog, kedr_api_1_2, vlog);
    SAME_AS(kedr_api, env_log, kedr_api_1_2, env_log);
    SAME_AS(kedr_api, user_login, kedr_api_1_2, user_login);
    SAME_AS(kedr_api, user_locale, kedr_api_1_2, user_locale);
    SAME_AS(kedr_api, counterparty_id, kedr_api_1_2, counterparty_id);
    SAME_AS(kedr_api, audit, kedr_api_1_2, audit);
    SAME_AS(kedr_api, value_valid, kedr_api_1_2, value_valid);
    SAME_AS(kedr_api, out_of_memory, kedr_api_1_2, oom);
    SAME_AS(kedr_api, attrs_check, kedr_api_1_2, attrs_check);
    SAME_AS(kedr_api, attrs_filter, kedr_api_1_2, attrs_filter);
    SAME_AS(kedr_api, export, kedr_api_1_2, export_file);
    SAME_AS(kedr_api, import_csv, kedr_api_1_2, import_csv);
    SAME_AS(kedr_api, inn_problem, kedr_api_1_2, inn_problem);
    SAME_AS(kedr_api, kpp_problem, kedr_api_1_2, kpp_problem);
    SAME_AS(kedr_api, ogrn_problem, kedr_api_1_2, ogrn_problem);
    SAME_AS(kedr_api, phone_e164, kedr_api_1_2, phone_e164);
    SAME_AS(kedr_api, email_valid, kedr_api_1_2, email_valid);
    SAME_AS(kedr_api, migration_table, kedr_api_1_2, import_table);
    SAME_AS(kedr_api, migration_dry_run, kedr_api_1_2, import_dry_run);
    SAME_AS(kedr_api, migration_count, kedr_api_1_2, import_count);
    SAME_AS(kedr_api, migration_reject, kedr_api_1_2, import_reject);
    SIZE_GROWS(kedr_api, kedr_api_1_2, 2);
}

static void
test_field_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_field, name, kedr_field_1_3, name);
    SAME_AS(kedr_field, type, kedr_field_1_3, type);
    SAME_AS(kedr_field, flags, kedr_field_1_3, flags);
    SAME_AS(kedr_field, min, kedr_field_1_3, min);
    SAME_AS(kedr_field, max, kedr_field_1_3, max);
    SIZE_SAME(kedr_field, kedr_field_1_3);
}

static void
test_route_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_route, method, kedr_route_1_3, method);
    SAME_AS(kedr_route, path, kedr_route_1_3, path);
    SAME_AS(kedr_route, handler, kedr_route_1_3, handler);
    SAME_AS(kedr_route, permission, kedr_route_1_3, permission);
    SAME_AS(kedr_route, input, kedr_route_1_3, input);
    SIZE_SAME(kedr_route, kedr_route_1_3);
}

static void
test_permission_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_permission, name, kedr_permission_1_3, name);
    SAME_AS(kedr_permission, label_ru, kedr_permission_1_3, label_ru);
    SAME_AS(kedr_permission, label_en, kedr_permission_1_3, label_en);
    SIZE_SAME(kedr_permission, kedr_permission_1_3);
}

static void
test_grant_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_grant, role, kedr_grant_1_3, role);
    SAME_AS(kedr_grant, permission, kedr_grant_1_3, permission);
    SIZE_SAME(kedr_grant, kedr_grant_1_3);
}

static void
test_hook_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_hook, event, kedr_hook_1_3, event);
    SAME_AS(kedr_hook, fn, kedr_hook_1_3, fn);
    SIZE_SAME(kedr_hook, kedr_hook_1_3);
}

static void
test_job_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_job, name, kedr_job_1_3, name);
    SAME_AS(kedr_job, interval, kedr_job_1_3, interval);
    SAME_AS(kedr_job, fn, kedr_job_1_3, fn);
    SIZE_SAME(kedr_job, kedr_job_1_3);
}

static void
test_importer_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_migrator, source, kedr_importer_1_3, source);
    SAME_AS(kedr_migrator, target, kedr_importer_1_3, target);
    SAME_AS(kedr_migrator, load, kedr_importer_1_3, load);
    SIZE_SAME(kedr_migrator, kedr_importer_1_3);
}

static void
test_ui_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_ui, path, kedr_ui_1_3, path);
    SAME_AS(kedr_ui, label_ru, kedr_ui_1_3, label_ru);
    SAME_AS(kedr_ui, label_en, kedr_ui_1_3, label_en);
    SAME_AS(kedr_ui, permission, kedr_ui_1_3, permission);
    SIZE_SAME(kedr_ui, kedr_ui_1_3);
}

static void
test_column_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_column, name, kedr_column_1_3, name);
    SAME_AS(kedr_column, label_ru, kedr_column_1_3, label_ru);
    SAME_AS(kedr_column, label_en, kedr_column_1_3, label_en);
    SAME_AS(kedr_column, type, kedr_column_1_3, type);
    SIZE_SAME(kedr_column, kedr_column_1_3);
}

static void
test_import_col_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_import_col, field, kedr_import_col_1_3, field);
    SAME_AS(kedr_import_col, label_ru, kedr_import_col_1_3, label_ru);
    SAME_AS(kedr_import_col, label_en, kedr_import_col_1_3, label_en);
    SAME_AS(kedr_import_col, type, kedr_import_col_1_3, type);
    SIZE_SAME(kedr_import_col, kedr_import_col_1_3);
}

static void
test_setting_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_setting, name, kedr_setting_1_3, name);
    SAME_AS(kedr_setting, type, kedr_setting_1_3, type);
    SAME_AS(kedr_setting, def, kedr_setting_1_3, def);
    SAME_AS(kedr_setting, min, kedr_setting_1_3, min);
    SAME_AS(kedr_setting, max, kedr_setting_1_3, max);
    SAME_AS(kedr_setting, doc, kedr_setting_1_3, doc);
    SIZE_SAME(kedr_setting, kedr_setting_1_3);
}

static void
test_entity_col_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_entity_col, name, kedr_entity_col_1_3, name);
    SAME_AS(kedr_entity_col, type, kedr_entity_col_1_3, type);
    SAME_AS(kedr_entity_col, label_ru, kedr_entity_col_1_3, label_ru);
    SAME_AS(kedr_entity_col, label_en, kedr_entity_col_1_3, label_en);
    SAME_AS(kedr_entity_col, flags, kedr_entity_col_1_3, flags);
    SAME_AS(kedr_entity_col, min, kedr_entity_col_1_3, min);
    SAME_AS(kedr_entity_col, max, kedr_entity_col_1_3, max);
    SAME_AS(kedr_entity_col, ref, kedr_entity_col_1_3, ref);
    SAME_AS(kedr_entity_col, def, kedr_entity_col_1_3, def);
    /* grew in 1.4 (a 1.3 module with entities is refused) */
    assert_true(sizeof(struct kedr_entity_col) >=
                sizeof(struct kedr_entity_col_1_3));
}

static void
test_entity_filter_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_entity_filter, name, kedr_entity_filter_1_3, name);
    SAME_AS(kedr_entity_filter, type, kedr_entity_filter_1_3, type);
    SAME_AS(kedr_entity_filter, label_ru, kedr_entity_filter_1_3, label_ru);
    SAME_AS(kedr_entity_filter, label_en, kedr_entity_filter_1_3, label_en);
    SAME_AS(kedr_entity_filter, sql, kedr_entity_filter_1_3, sql);
    SIZE_SAME(kedr_entity_filter, kedr_entity_filter_1_3);
}

static void
test_entity_hooks_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_entity_hooks, validate, kedr_entity_hooks_1_3, validate);
    SAME_AS(kedr_entity_hooks, before_write, kedr_entity_hooks_1_3,
            before_write);
    SAME_AS(kedr_entity_hooks, after_write, kedr_entity_hooks_1_3, after_write);
    /* grew in 1.4 (a 1.3 module with entities is refused) */
    assert_true(sizeof(struct kedr_entity_hooks) >=
                sizeof(struct kedr_entity_hooks_1_3));
}

static void
test_entity_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_entity, name, kedr_entity_1_3, name);
    SAME_AS(kedr_entity, path, kedr_entity_1_3, path);
    SAME_AS(kedr_entity, table, kedr_entity_1_3, table);
    SAME_AS(kedr_entity, label_ru, kedr_entity_1_3, label_ru);
    SAME_AS(kedr_entity, label_en, kedr_entity_1_3, label_en);
    SAME_AS(kedr_entity, cols, kedr_entity_1_3, cols);
    SAME_AS(kedr_entity, perm_read, kedr_entity_1_3, perm_read);
    SAME_AS(kedr_entity, perm_write, kedr_entity_1_3, perm_write);
    SAME_AS(kedr_entity, perm_delete, kedr_entity_1_3, perm_delete);
    SAME_AS(kedr_entity, own, kedr_entity_1_3, own);
    SAME_AS(kedr_entity, flags, kedr_entity_1_3, flags);
    SAME_AS(kedr_entity, audit, kedr_entity_1_3, audit);
    SAME_AS(kedr_entity, hooks, kedr_entity_1_3, hooks);
    SAME_AS(kedr_entity, sort, kedr_entity_1_3, sort);
    SAME_AS(kedr_entity, filters, kedr_entity_1_3, filters);
    /* grew in 1.4 (a 1.3 module with entities is refused) */
    assert_true(sizeof(struct kedr_entity) >= sizeof(struct kedr_entity_1_3));
}

static void
test_module_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_module, magic, kedr_module_1_3, magic);
    SAME_AS(kedr_module, abi_major, kedr_module_1_3, abi_major);
    SAME_AS(kedr_module, abi_minor, kedr_module_1_3, abi_minor);
    SAME_AS(kedr_module, size, kedr_module_1_3, size);
    SAME_AS(kedr_module, build_sig, kedr_module_1_3, build_sig);
    SAME_AS(kedr_module, api, kedr_module_1_3, api);
    SAME_AS(kedr_module, name, kedr_module_1_3, name);
    SAME_AS(kedr_module, version, kedr_module_1_3, version);
    SAME_AS(kedr_module, requires, kedr_module_1_3, requires);
    SAME_AS(kedr_module, routes, kedr_module_1_3, routes);
    SAME_AS(kedr_module, permissions, kedr_module_1_3, permissions);
    SAME_AS(kedr_module, hooks, kedr_module_1_3, hooks);
    SAME_AS(kedr_module, jobs, kedr_module_1_3, jobs);
    SAME_AS(kedr_module, migrators, kedr_module_1_3, importers);
    SAME_AS(kedr_module, ui, kedr_module_1_3, ui);
    SAME_AS(kedr_module, init, kedr_module_1_3, init);
    SAME_AS(kedr_module, worker_init, kedr_module_1_3, worker_init);
    SAME_AS(kedr_module, fini, kedr_module_1_3, fini);
    SAME_AS(kedr_module, grants, kedr_module_1_3, grants);
    SAME_AS(kedr_module, portal_routes, kedr_module_1_3, portal_routes);
    SAME_AS(kedr_module, config, kedr_module_1_3, config);
    SAME_AS(kedr_module, entities, kedr_module_1_3, entities);
    SIZE_GROWS(kedr_module, kedr_module_1_3, 3);
}

static void
test_api_1_3(void **state)
{
    (void)state;
    SAME_AS(kedr_api, size, kedr_api_1_3, size);
    SAME_AS(kedr_api, method, kedr_api_1_3, method);
    SAME_AS(kedr_api, path, kedr_api_1_3, path);
    SAME_AS(kedr_api, param, kedr_api_1_3, param);
    SAME_AS(kedr_api, query, kedr_api_1_3, query);
    SAME_AS(kedr_api, header, kedr_api_1_3, header);
    SAME_AS(kedr_api, body, kedr_api_1_3, body);
    SAME_AS(kedr_api, body_raw, kedr_api_1_3, body_raw);
    SAME_AS(kedr_api, request_id, kedr_api_1_3, request_id);
    SAME_AS(kedr_api, user_id, kedr_api_1_3, user_id);
    SAME_AS(kedr_api, has_permission, kedr_api_1_3, has_permission);
    SAME_AS(kedr_api, alloc, kedr_api_1_3, alloc);
    SAME_AS(kedr_api, strdup, kedr_api_1_3, strdup);
    SAME_AS(kedr_api, vsprintf, kedr_api_1_3, vsprintf);
    SAME_AS(kedr_api, on_cleanup, kedr_api_1_3, on_cleanup);
    SAME_AS(kedr_api, reply_json, kedr_api_1_3, reply_json);
    SAME_AS(kedr_api, reply_raw, kedr_api_1_3, reply_raw);
    SAME_AS(kedr_api, set_header, kedr_api_1_3, set_header);
    SAME_AS(kedr_api, vfail, kedr_api_1_3, vfail);
    SAME_AS(kedr_api, field_error, kedr_api_1_3, field_error);
    SAME_AS(kedr_api, db_query, kedr_api_1_3, db_query);
    SAME_AS(kedr_api, db_exec, kedr_api_1_3, db_exec);
    SAME_AS(kedr_api, db_json, kedr_api_1_3, db_json);
    SAME_AS(kedr_api, reply_db_json, kedr_api_1_3, reply_db_json);
    SAME_AS(kedr_api, db_copy_begin, kedr_api_1_3, db_copy_begin);
    SAME_AS(kedr_api, db_copy_put, kedr_api_1_3, db_copy_put);
    SAME_AS(kedr_api, db_copy_end, kedr_api_1_3, db_copy_end);
    SAME_AS(kedr_api, db_sqlstate, kedr_api_1_3, db_sqlstate);
    SAME_AS(kedr_api, rows_count, kedr_api_1_3, rows_count);
    SAME_AS(kedr_api, rows_get, kedr_api_1_3, rows_get);
    SAME_AS(kedr_api, rows_isnull, kedr_api_1_3, rows_isnull);
    SAME_AS(kedr_api, emit, kedr_api_1_3, emit);
    SAME_AS(kedr_api, conf_string, kedr_api_1_3, conf_string);
    SAME_AS(kedr_api, conf_int, kedr_api_1_3, conf_int);
    SAME_AS(kedr_api, conf_bool, kedr_api_1_3, conf_bool);
    SAME_AS(kedr_api, vlog, kedr_api_1_3, vlog);
    SAME_AS(kedr_api, env_log, kedr_api_1_3, env_log);
    SAME_AS(kedr_api, user_login, kedr_api_1_3, user_login);
    SAME_AS(kedr_api, user_locale, kedr_api_1_3, user_locale);
    SAME_AS(kedr_api, counterparty_id, kedr_api_1_3, counterparty_id);
    SAME_AS(kedr_api, audit, kedr_api_1_3, audit);
    SAME_AS(kedr_api, value_valid, kedr_api_1_3, value_valid);
    SAME_AS(kedr_api, out_of_memory, kedr_api_1_3, oom);
    SAME_AS(kedr_api, attrs_check, kedr_api_1_3, attrs_check);
    SAME_AS(kedr_api, attrs_filter, kedr_api_1_3, attrs_filter);
    SAME_AS(kedr_api, export, kedr_api_1_3, export_file);
    SAME_AS(kedr_api, import_csv, kedr_api_1_3, import_csv);
    SAME_AS(kedr_api, inn_problem, kedr_api_1_3, inn_problem);
    SAME_AS(kedr_api, kpp_problem, kedr_api_1_3, kpp_problem);
    SAME_AS(kedr_api, ogrn_problem, kedr_api_1_3, ogrn_problem);
    SAME_AS(kedr_api, phone_e164, kedr_api_1_3, phone_e164);
    SAME_AS(kedr_api, email_valid, kedr_api_1_3, email_valid);
    SAME_AS(kedr_api, migration_table, kedr_api_1_3, import_table);
    SAME_AS(kedr_api, migration_dry_run, kedr_api_1_3, import_dry_run);
    SAME_AS(kedr_api, migration_count, kedr_api_1_3, import_count);
    SAME_AS(kedr_api, migration_reject, kedr_api_1_3, import_reject);
    SAME_AS(kedr_api, conf_list, kedr_api_1_3, conf_list);
    SIZE_GROWS(kedr_api, kedr_api_1_3, 3);
}

/* The constants a module compiles in keep their values. */
static void
test_constants(void **state)
{
    (void)state;
    assert_int_equal(KEDR_ABI_MAJOR, 1);
    assert_true(KEDR_ABI_MINOR >= 4);
    assert_int_equal(KEDR_MODULE_MAGIC, 0x5244454bu);
    assert_int_equal(KEDR_EBADREQ, -1);
    assert_int_equal(KEDR_EUNAUTH, -2);
    assert_int_equal(KEDR_EFORBIDDEN, -3);
    assert_int_equal(KEDR_ENOTFOUND, -4);
    assert_int_equal(KEDR_EMETHOD, -5);
    assert_int_equal(KEDR_ECONFLICT, -6);
    assert_int_equal(KEDR_ETOOLARGE, -7);
    assert_int_equal(KEDR_EINVAL, -8);
    assert_int_equal(KEDR_ETHROTTLED, -9);
    assert_int_equal(KEDR_EINTERNAL, -10);
    assert_int_equal(KEDR_EDBDOWN, -11);
    assert_int_equal(KEDR_EDB, -12);
    assert_int_equal(KEDR_T_ANY, 0);
    assert_int_equal(KEDR_T_STRING, 1);
    assert_int_equal(KEDR_T_INT, 2);
    assert_int_equal(KEDR_T_NUMBER, 3);
    assert_int_equal(KEDR_T_BOOL, 4);
    assert_int_equal(KEDR_T_OBJECT, 5);
    assert_int_equal(KEDR_T_ARRAY, 6);
    assert_int_equal(KEDR_T_MONEY, 7);
    assert_int_equal(KEDR_T_DATE, 8);
    assert_int_equal(KEDR_REQUIRED, 0x1u);
    assert_int_equal(KEDR_NONEMPTY, 0x2u);
    assert_int_equal(KEDR_LOG_ERROR, 0);
    assert_int_equal(KEDR_LOG_DEBUG, 3);
}

/* ------------------------------------------------------------------ */
/* Wrappers against a table that ends early.                           */

/* A core table as big as the ABI 1.0 one, inside a full-size buffer
 * whose members past the end are NULL: a wrapper that called past
 * `size` would crash on them. */
static struct kedr_api short_api;
static int vfail_calls;
static char vfail_msg[256];

static int
fake_vfail(kedr_req_t *r, int code, const char *field, const char *fmt,
           va_list ap)
{
    (void)r;
    (void)field;
    vfail_calls++;
    vsnprintf(vfail_msg, sizeof(vfail_msg), fmt, ap);
    return code;
}

static int
setup_short(void **state)
{
    (void)state;
    memset(&short_api, 0, sizeof(short_api));
    short_api.size = sizeof(struct kedr_api_1_0);
    short_api.vfail = fake_vfail;
    vfail_calls = 0;
    vfail_msg[0] = '\0';
    kedr_api = &short_api;
    return 0;
}

static void
test_short_table_requests(void **state)
{
    kedr_req_t *r = (kedr_req_t *)&short_api; /* never dereferenced */
    const char *json = "x";

    (void)state;
    assert_int_equal(kedr_export(r, "csv", "f", NULL, "SELECT 1", 0, NULL),
                     KEDR_EINTERNAL);
    assert_int_equal(vfail_calls, 1);
    assert_string_equal(vfail_msg,
                        "module API call \"export\" is not in this "
                        "core's table (module built for ABI " KEDR__STR(
                            KEDR_ABI_MAJOR) "." KEDR__STR(KEDR_ABI_MINOR) ")");
    assert_int_equal(kedr_import_csv(r, NULL, NULL, NULL), KEDR_EINTERNAL);
    assert_int_equal(kedr_audit(r, "e", "1", "created", NULL, NULL),
                     KEDR_EINTERNAL);
    assert_int_equal(kedr_attrs_check(r, "e", NULL, false), KEDR_EINTERNAL);
    assert_int_equal(kedr_attrs_filter(r, "e", &json), KEDR_EINTERNAL);
    assert_null(kedr_user_login(r));
    assert_true(kedr_counterparty_id(r) < 0); /* nobody's: fails closed */
    assert_int_equal(kedr_migration_map_put(r, NULL, "e", "SELECT 1"),
                     KEDR_EINTERNAL); /* ABI 1.4 */
    assert_int_equal(vfail_calls, 8);
    assert_string_equal(kedr_user_locale(r), "ru");
}

static void
test_short_table_checks(void **state)
{
    char out[32];

    (void)state;
    /* valid values, answered "invalid": a check the core lacks never
     * lets a value through */
    assert_false(kedr_email_valid("a@b.ru"));
    assert_false(kedr_phone_e164("+7 495 123-45-67", out, sizeof(out)));
    assert_false(kedr_value_valid(KEDR_T_DATE, "2026-12-07"));
    assert_non_null(kedr_inn_problem("7707083893"));
    assert_non_null(kedr_kpp_problem("773601001"));
    assert_non_null(kedr_ogrn_problem("1027700132195"));
    /* an import run: everything rolled back, nothing counted */
    assert_true(kedr_migration_dry_run(NULL));
    kedr_migration_count(NULL, "created", 1);
    assert_int_equal(kedr_migration_reject(NULL, "2", "x", NULL, "r"),
                     KEDR_EINTERNAL);
    assert_string_equal(kedr_migration_table(NULL),
                        "pg_temp.kedr_import_table_missing");
    assert_null(kedr_conf_list(NULL, "tags")); /* ABI 1.3 */
    assert_int_equal(vfail_calls, 0);
}

/* The core's own table reaches every member: the same wrappers call
 * through. */
static void
test_full_table(void **state)
{
    char out[32];

    (void)state;
    kedr_api = &kedr_core_api;
    assert_int_equal(kedr_core_api.size, sizeof(struct kedr_api));
    assert_true(kedr_email_valid("a@b.ru"));
    assert_true(kedr_phone_e164("8 (495) 123-45-67", out, sizeof(out)));
    assert_string_equal(out, "+74951234567");
    assert_null(kedr_inn_problem("7707083893"));
    assert_true(kedr_value_valid(KEDR_T_DATE, "2026-12-07"));
}

/* ------------------------------------------------------------------ */
/* The data migration's names before 1.5: deprecated aliases (kedr.h)  */

static int
old_load(kedr_req_t *r, kedr_import_t *imp)
{
    (void)r;
    return kedr_import_dry_run(imp) ? 1 : 0;
}

static void
test_deprecated_migration_names(void **state)
{
    static const struct kedr_importer old[] = {
        {.source = "salesforce", .target = "clients.outlet", .load = old_load},
        {0},
    };
    struct kedr_module m = {.importers = old};
    /* a table without the migration calls: they answer their defaults */
    static const struct kedr_api before = {
        .size = offsetof(struct kedr_api, migration_table)};

    (void)state;
    kedr_api = &before;
    /* the old slot name is the new slot, at the same place */
    assert_ptr_equal(m.migrators, old);
    assert_int_equal(offsetof(struct kedr_module, importers),
                     offsetof(struct kedr_module, migrators));
    assert_int_equal(sizeof(struct kedr_importer),
                     sizeof(struct kedr_migrator));
    /* the old calls are the new ones: without a table, a dry run */
    assert_int_equal(m.migrators[0].load(NULL, NULL), 1);
    assert_string_equal(kedr_import_table(NULL), kedr_migration_table(NULL));
}

/* ------------------------------------------------------------------ */
/* The loader: migrators of a module older than 1.2.                  */

static int
no_load(kedr_req_t *r, kedr_migration_t *imp)
{
    (void)r;
    (void)imp;
    return 0;
}

static void
test_old_migrators(void **state)
{
    static const struct kedr_migrator imps[] = {
        {.source = "salesforce", .target = "Account", .load = no_load},
        {0},
    };
    static const struct kedr_migrator none[] = {{0}};
    struct kedr_module m = {.magic = KEDR_MODULE_MAGIC,
                            .abi_major = KEDR_ABI_MAJOR,
                            .abi_minor = 1,
                            .size = sizeof(struct kedr_module_1_1),
                            .build_sig = KEDR_BUILD_SIG,
                            .migrators = imps};
    char buf[256];

    (void)state;
    assert_string_equal(kedr_module_migrators_problem(&m, buf, sizeof(buf)),
                        "migrators of ABI 1.1 name a source object, ABI 1.2 "
                        "the entity they fill: rebuild the module against "
                        "this kedr.h");
    m.migrators = none; /* an empty table, or none: nothing to misread */
    assert_null(kedr_module_migrators_problem(&m, buf, sizeof(buf)));
    m.migrators = NULL;
    assert_null(kedr_module_migrators_problem(&m, buf, sizeof(buf)));
    m.migrators = imps; /* built for 1.2: the new meaning */
    m.abi_minor = 2;
    assert_null(kedr_module_migrators_problem(&m, buf, sizeof(buf)));
}

/* The loader reads appended descriptor members only when the module's
 * descriptor has them. */
static void
test_descriptor_members_by_size(void **state)
{
    static const struct kedr_grant grants[] = {{"manager", "t.read"}, {0}};
    static const struct kedr_route routes[] = {{0}};
    struct kedr_module m = {.magic = KEDR_MODULE_MAGIC,
                            .abi_major = KEDR_ABI_MAJOR,
                            .abi_minor = KEDR_ABI_MINOR,
                            .size = sizeof(struct kedr_module),
                            .grants = grants,
                            .portal_routes = routes};

    (void)state;
    assert_ptr_equal(kedr_module_grants(&m), grants);
    assert_ptr_equal(kedr_module_portal_routes(&m), routes);
    m.size = sizeof(struct kedr_module_1_1);
    assert_ptr_equal(kedr_module_grants(&m), grants);
    assert_null(kedr_module_portal_routes(&m));
    m.size = sizeof(struct kedr_module_1_0);
    assert_null(kedr_module_grants(&m));
}

/* The declared settings (ABI 1.3): read only from a descriptor that has
 * them; a declaration that does not hold is named. */
static void
test_descriptor_config(void **state)
{
    static const struct kedr_setting ok[] = {
        {.name = "n", .type = KEDR_SETTING_INT, .def = "5", .min = 1, .max = 9},
        {.name = "s", .type = KEDR_SETTING_STRING},
        {.name = "b", .type = KEDR_SETTING_BOOL, .def = "true"},
        {.name = "l", .type = KEDR_SETTING_LIST},
        {0},
    };
    static const struct {
        struct kedr_setting row;
        const char *why;
    } bad[] = {
        {{.name = "Bad", .type = KEDR_SETTING_STRING},
         "setting \"Bad\" is not a setting name ([a-z][a-z0-9_]*)"},
        {{.name = "n", .type = KEDR_SETTING_INT, .def = "five"},
         "setting \"n\" has a default that is not an integer"},
        {{.name = "n",
          .type = KEDR_SETTING_INT,
          .def = "0",
          .min = 1,
          .max = 9},
         "setting \"n\" has a default outside its range"},
        {{.name = "b", .type = KEDR_SETTING_BOOL, .def = "yes"},
         "setting \"b\" has a default that is not \"true\" or \"false\""},
        {{.name = "l", .type = KEDR_SETTING_LIST, .def = "a"},
         "setting \"l\" is a list: its default is the empty list (def NULL)"},
        {{.name = "t"},
         "setting \"t\" has no type (string, int, bool or list)"},
    };
    struct kedr_module m = {.magic = KEDR_MODULE_MAGIC,
                            .abi_major = KEDR_ABI_MAJOR,
                            .abi_minor = KEDR_ABI_MINOR,
                            .size = sizeof(struct kedr_module),
                            .config = ok};
    char buf[256];

    (void)state;
    assert_ptr_equal(kedr_module_config(&m), ok);
    assert_null(kedr_module_config_problem(&m, buf, sizeof(buf)));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct kedr_setting two[2] = {bad[i].row, {0}};

        m.config = two;
        assert_string_equal(kedr_module_config_problem(&m, buf, sizeof(buf)),
                            bad[i].why);
    }
    {
        struct kedr_setting twice[3] = {ok[0], ok[0], {0}};

        m.config = twice;
        assert_string_equal(kedr_module_config_problem(&m, buf, sizeof(buf)),
                            "setting \"n\" is declared twice");
    }
    m.size = sizeof(struct kedr_module_1_2); /* a 1.2 module has none */
    m.abi_minor = 2;
    assert_null(kedr_module_config(&m));
}

/* ---- ABI 1.4 (frozen when the minor moved to 5) ---- */

static void
test_field_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_field, name, kedr_field_1_4, name);
    SAME_AS(kedr_field, type, kedr_field_1_4, type);
    SAME_AS(kedr_field, flags, kedr_field_1_4, flags);
    SAME_AS(kedr_field, min, kedr_field_1_4, min);
    SAME_AS(kedr_field, max, kedr_field_1_4, max);
    SIZE_SAME(kedr_field, kedr_field_1_4);
}

static void
test_route_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_route, method, kedr_route_1_4, method);
    SAME_AS(kedr_route, path, kedr_route_1_4, path);
    SAME_AS(kedr_route, handler, kedr_route_1_4, handler);
    SAME_AS(kedr_route, permission, kedr_route_1_4, permission);
    SAME_AS(kedr_route, input, kedr_route_1_4, input);
    SIZE_SAME(kedr_route, kedr_route_1_4);
}

static void
test_permission_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_permission, name, kedr_permission_1_4, name);
    SAME_AS(kedr_permission, label_ru, kedr_permission_1_4, label_ru);
    SAME_AS(kedr_permission, label_en, kedr_permission_1_4, label_en);
    SIZE_SAME(kedr_permission, kedr_permission_1_4);
}

static void
test_grant_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_grant, role, kedr_grant_1_4, role);
    SAME_AS(kedr_grant, permission, kedr_grant_1_4, permission);
    SIZE_SAME(kedr_grant, kedr_grant_1_4);
}

static void
test_hook_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_hook, event, kedr_hook_1_4, event);
    SAME_AS(kedr_hook, fn, kedr_hook_1_4, fn);
    SIZE_SAME(kedr_hook, kedr_hook_1_4);
}

static void
test_job_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_job, name, kedr_job_1_4, name);
    SAME_AS(kedr_job, interval, kedr_job_1_4, interval);
    SAME_AS(kedr_job, fn, kedr_job_1_4, fn);
    SIZE_SAME(kedr_job, kedr_job_1_4);
}

static void
test_importer_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_importer, source, kedr_importer_1_4, source);
    SAME_AS(kedr_importer, target, kedr_importer_1_4, target);
    SAME_AS(kedr_importer, load, kedr_importer_1_4, load);
    SIZE_SAME(kedr_importer, kedr_importer_1_4);
}

static void
test_ui_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_ui, path, kedr_ui_1_4, path);
    SAME_AS(kedr_ui, label_ru, kedr_ui_1_4, label_ru);
    SAME_AS(kedr_ui, label_en, kedr_ui_1_4, label_en);
    SAME_AS(kedr_ui, permission, kedr_ui_1_4, permission);
    SIZE_SAME(kedr_ui, kedr_ui_1_4);
}

static void
test_column_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_column, name, kedr_column_1_4, name);
    SAME_AS(kedr_column, label_ru, kedr_column_1_4, label_ru);
    SAME_AS(kedr_column, label_en, kedr_column_1_4, label_en);
    SAME_AS(kedr_column, type, kedr_column_1_4, type);
    SIZE_SAME(kedr_column, kedr_column_1_4);
}

static void
test_import_col_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_import_col, field, kedr_import_col_1_4, field);
    SAME_AS(kedr_import_col, label_ru, kedr_import_col_1_4, label_ru);
    SAME_AS(kedr_import_col, label_en, kedr_import_col_1_4, label_en);
    SAME_AS(kedr_import_col, type, kedr_import_col_1_4, type);
    SIZE_SAME(kedr_import_col, kedr_import_col_1_4);
}

static void
test_setting_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_setting, name, kedr_setting_1_4, name);
    SAME_AS(kedr_setting, type, kedr_setting_1_4, type);
    SAME_AS(kedr_setting, def, kedr_setting_1_4, def);
    SAME_AS(kedr_setting, min, kedr_setting_1_4, min);
    SAME_AS(kedr_setting, max, kedr_setting_1_4, max);
    SAME_AS(kedr_setting, doc, kedr_setting_1_4, doc);
    SIZE_SAME(kedr_setting, kedr_setting_1_4);
}

static void
test_entity_option_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_entity_option, value, kedr_entity_option_1_4, value);
    SAME_AS(kedr_entity_option, label_ru, kedr_entity_option_1_4, label_ru);
    SAME_AS(kedr_entity_option, label_en, kedr_entity_option_1_4, label_en);
    SIZE_SAME(kedr_entity_option, kedr_entity_option_1_4);
}

static void
test_entity_col_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_entity_col, name, kedr_entity_col_1_4, name);
    SAME_AS(kedr_entity_col, type, kedr_entity_col_1_4, type);
    SAME_AS(kedr_entity_col, label_ru, kedr_entity_col_1_4, label_ru);
    SAME_AS(kedr_entity_col, label_en, kedr_entity_col_1_4, label_en);
    SAME_AS(kedr_entity_col, flags, kedr_entity_col_1_4, flags);
    SAME_AS(kedr_entity_col, min, kedr_entity_col_1_4, min);
    SAME_AS(kedr_entity_col, max, kedr_entity_col_1_4, max);
    SAME_AS(kedr_entity_col, ref, kedr_entity_col_1_4, ref);
    SAME_AS(kedr_entity_col, def, kedr_entity_col_1_4, def);
    SAME_AS(kedr_entity_col, sql, kedr_entity_col_1_4, sql);
    SAME_AS(kedr_entity_col, options, kedr_entity_col_1_4, options);
    /* grew in 1.5 (a 1.4 module with entities is refused) */
    assert_true(sizeof(struct kedr_entity_col) >=
                sizeof(struct kedr_entity_col_1_4));
}

static void
test_entity_filter_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_entity_filter, name, kedr_entity_filter_1_4, name);
    SAME_AS(kedr_entity_filter, type, kedr_entity_filter_1_4, type);
    SAME_AS(kedr_entity_filter, label_ru, kedr_entity_filter_1_4, label_ru);
    SAME_AS(kedr_entity_filter, label_en, kedr_entity_filter_1_4, label_en);
    SAME_AS(kedr_entity_filter, sql, kedr_entity_filter_1_4, sql);
    SIZE_SAME(kedr_entity_filter, kedr_entity_filter_1_4);
}

static void
test_entity_hooks_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_entity_hooks, validate, kedr_entity_hooks_1_4, validate);
    SAME_AS(kedr_entity_hooks, before_write, kedr_entity_hooks_1_4,
            before_write);
    SAME_AS(kedr_entity_hooks, after_write, kedr_entity_hooks_1_4, after_write);
    SAME_AS(kedr_entity_hooks, search, kedr_entity_hooks_1_4, search);
    /* grew in 1.5 (a 1.4 module with entities is refused) */
    assert_true(sizeof(struct kedr_entity_hooks) >=
                sizeof(struct kedr_entity_hooks_1_4));
}

static void
test_kit_search_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_kit_search, where, kedr_kit_search_1_4, where);
    SAME_AS(kedr_kit_search, rank, kedr_kit_search_1_4, rank);
    SAME_AS(kedr_kit_search, params, kedr_kit_search_1_4, params);
    SAME_AS(kedr_kit_search, nparams, kedr_kit_search_1_4, nparams);
    /* grew in 1.5 (`from`): the kit allocates and zeroes it, a 1.4 hook
     * fills only the members it knows */
    assert_true(sizeof(struct kedr_kit_search) >=
                sizeof(struct kedr_kit_search_1_4));
}

static void
test_entity_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_entity, name, kedr_entity_1_4, name);
    SAME_AS(kedr_entity, path, kedr_entity_1_4, path);
    SAME_AS(kedr_entity, table, kedr_entity_1_4, table);
    SAME_AS(kedr_entity, label_ru, kedr_entity_1_4, label_ru);
    SAME_AS(kedr_entity, label_en, kedr_entity_1_4, label_en);
    SAME_AS(kedr_entity, cols, kedr_entity_1_4, cols);
    SAME_AS(kedr_entity, perm_read, kedr_entity_1_4, perm_read);
    SAME_AS(kedr_entity, perm_write, kedr_entity_1_4, perm_write);
    SAME_AS(kedr_entity, perm_delete, kedr_entity_1_4, perm_delete);
    SAME_AS(kedr_entity, own, kedr_entity_1_4, own);
    SAME_AS(kedr_entity, flags, kedr_entity_1_4, flags);
    SAME_AS(kedr_entity, audit, kedr_entity_1_4, audit);
    SAME_AS(kedr_entity, hooks, kedr_entity_1_4, hooks);
    SAME_AS(kedr_entity, sort, kedr_entity_1_4, sort);
    SAME_AS(kedr_entity, filters, kedr_entity_1_4, filters);
    SAME_AS(kedr_entity, ui, kedr_entity_1_4, ui);
    /* grew in 1.5 (a 1.4 module with entities is refused) */
    assert_true(sizeof(struct kedr_entity) >= sizeof(struct kedr_entity_1_4));
}

static void
test_module_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_module, magic, kedr_module_1_4, magic);
    SAME_AS(kedr_module, abi_major, kedr_module_1_4, abi_major);
    SAME_AS(kedr_module, abi_minor, kedr_module_1_4, abi_minor);
    SAME_AS(kedr_module, size, kedr_module_1_4, size);
    SAME_AS(kedr_module, build_sig, kedr_module_1_4, build_sig);
    SAME_AS(kedr_module, api, kedr_module_1_4, api);
    SAME_AS(kedr_module, name, kedr_module_1_4, name);
    SAME_AS(kedr_module, version, kedr_module_1_4, version);
    SAME_AS(kedr_module, requires, kedr_module_1_4, requires);
    SAME_AS(kedr_module, routes, kedr_module_1_4, routes);
    SAME_AS(kedr_module, permissions, kedr_module_1_4, permissions);
    SAME_AS(kedr_module, hooks, kedr_module_1_4, hooks);
    SAME_AS(kedr_module, jobs, kedr_module_1_4, jobs);
    SAME_AS(kedr_module, importers, kedr_module_1_4, importers);
    SAME_AS(kedr_module, ui, kedr_module_1_4, ui);
    SAME_AS(kedr_module, init, kedr_module_1_4, init);
    SAME_AS(kedr_module, worker_init, kedr_module_1_4, worker_init);
    SAME_AS(kedr_module, fini, kedr_module_1_4, fini);
    SAME_AS(kedr_module, grants, kedr_module_1_4, grants);
    SAME_AS(kedr_module, portal_routes, kedr_module_1_4, portal_routes);
    SAME_AS(kedr_module, config, kedr_module_1_4, config);
    SAME_AS(kedr_module, entities, kedr_module_1_4, entities);
    SIZE_GROWS(kedr_module, kedr_module_1_4, 4);
}

static void
test_api_1_4(void **state)
{
    (void)state;
    SAME_AS(kedr_api, size, kedr_api_1_4, size);
    SAME_AS(kedr_api, method, kedr_api_1_4, method);
    SAME_AS(kedr_api, path, kedr_api_1_4, path);
    SAME_AS(kedr_api, param, kedr_api_1_4, param);
    SAME_AS(kedr_api, query, kedr_api_1_4, query);
    SAME_AS(kedr_api, header, kedr_api_1_4, header);
    SAME_AS(kedr_api, body, kedr_api_1_4, body);
    SAME_AS(kedr_api, body_raw, kedr_api_1_4, body_raw);
    SAME_AS(kedr_api, request_id, kedr_api_1_4, request_id);
    SAME_AS(kedr_api, user_id, kedr_api_1_4, user_id);
    SAME_AS(kedr_api, has_permission, kedr_api_1_4, has_permission);
    SAME_AS(kedr_api, alloc, kedr_api_1_4, alloc);
    SAME_AS(kedr_api, strdup, kedr_api_1_4, strdup);
    SAME_AS(kedr_api, vsprintf, kedr_api_1_4, vsprintf);
    SAME_AS(kedr_api, on_cleanup, kedr_api_1_4, on_cleanup);
    SAME_AS(kedr_api, reply_json, kedr_api_1_4, reply_json);
    SAME_AS(kedr_api, reply_raw, kedr_api_1_4, reply_raw);
    SAME_AS(kedr_api, set_header, kedr_api_1_4, set_header);
    SAME_AS(kedr_api, vfail, kedr_api_1_4, vfail);
    SAME_AS(kedr_api, field_error, kedr_api_1_4, field_error);
    SAME_AS(kedr_api, db_query, kedr_api_1_4, db_query);
    SAME_AS(kedr_api, db_exec, kedr_api_1_4, db_exec);
    SAME_AS(kedr_api, db_json, kedr_api_1_4, db_json);
    SAME_AS(kedr_api, reply_db_json, kedr_api_1_4, reply_db_json);
    SAME_AS(kedr_api, db_copy_begin, kedr_api_1_4, db_copy_begin);
    SAME_AS(kedr_api, db_copy_put, kedr_api_1_4, db_copy_put);
    SAME_AS(kedr_api, db_copy_end, kedr_api_1_4, db_copy_end);
    SAME_AS(kedr_api, db_sqlstate, kedr_api_1_4, db_sqlstate);
    SAME_AS(kedr_api, rows_count, kedr_api_1_4, rows_count);
    SAME_AS(kedr_api, rows_get, kedr_api_1_4, rows_get);
    SAME_AS(kedr_api, rows_isnull, kedr_api_1_4, rows_isnull);
    SAME_AS(kedr_api, emit, kedr_api_1_4, emit);
    SAME_AS(kedr_api, conf_string, kedr_api_1_4, conf_string);
    SAME_AS(kedr_api, conf_int, kedr_api_1_4, conf_int);
    SAME_AS(kedr_api, conf_bool, kedr_api_1_4, conf_bool);
    SAME_AS(kedr_api, vlog, kedr_api_1_4, vlog);
    SAME_AS(kedr_api, env_log, kedr_api_1_4, env_log);
    SAME_AS(kedr_api, user_login, kedr_api_1_4, user_login);
    SAME_AS(kedr_api, user_locale, kedr_api_1_4, user_locale);
    SAME_AS(kedr_api, counterparty_id, kedr_api_1_4, counterparty_id);
    SAME_AS(kedr_api, audit, kedr_api_1_4, audit);
    SAME_AS(kedr_api, value_valid, kedr_api_1_4, value_valid);
    SAME_AS(kedr_api, out_of_memory, kedr_api_1_4, oom);
    SAME_AS(kedr_api, attrs_check, kedr_api_1_4, attrs_check);
    SAME_AS(kedr_api, attrs_filter, kedr_api_1_4, attrs_filter);
    SAME_AS(kedr_api, export, kedr_api_1_4, export_file);
    SAME_AS(kedr_api, import_csv, kedr_api_1_4, import_csv);
    SAME_AS(kedr_api, inn_problem, kedr_api_1_4, inn_problem);
    SAME_AS(kedr_api, kpp_problem, kedr_api_1_4, kpp_problem);
    SAME_AS(kedr_api, ogrn_problem, kedr_api_1_4, ogrn_problem);
    SAME_AS(kedr_api, phone_e164, kedr_api_1_4, phone_e164);
    SAME_AS(kedr_api, email_valid, kedr_api_1_4, email_valid);
    SAME_AS(kedr_api, migration_table, kedr_api_1_4, import_table);
    SAME_AS(kedr_api, migration_dry_run, kedr_api_1_4, import_dry_run);
    SAME_AS(kedr_api, migration_count, kedr_api_1_4, import_count);
    SAME_AS(kedr_api, migration_reject, kedr_api_1_4, import_reject);
    SAME_AS(kedr_api, conf_list, kedr_api_1_4, conf_list);
    SAME_AS(kedr_api, migration_map_put, kedr_api_1_4, import_map_put);
    SIZE_GROWS(kedr_api, kedr_api_1_4, 4);
}

/* The loader: entities of a module built for 1.3 (the column rows grew
 * in 1.4). */
static void
test_old_entities(void **state)
{
    static const struct kedr_entity_col cols[] = {
        {.name = "name", .type = KEDR_T_STRING}, {0}};
    static const struct kedr_entity ents[] = {
        {.name = "w", .path = "/w", .table = "t.w", .cols = cols}, {0}};
    static const struct kedr_entity none[] = {{0}};
    struct kedr_module m = {.magic = KEDR_MODULE_MAGIC,
                            .abi_major = KEDR_ABI_MAJOR,
                            .abi_minor = 3,
                            .size = sizeof(struct kedr_module_1_3),
                            .build_sig = KEDR_BUILD_SIG,
                            .entities = ents};
    char buf[256];

    (void)state;
    assert_string_equal(
        kedr_module_old_entities_problem(&m, buf, sizeof(buf)),
        "entities of ABI 1.3 have shorter column rows than ABI 1.4's "
        "(options): rebuild the module against this kedr.h");
    m.entities = none; /* no entity: nothing to misread */
    assert_null(kedr_module_old_entities_problem(&m, buf, sizeof(buf)));
    m.entities = ents; /* built for 1.4: the rows grew again in 1.5 */
    m.abi_minor = 4;
    m.size = sizeof(struct kedr_module_1_4);
    assert_string_equal(
        kedr_module_old_entities_problem(&m, buf, sizeof(buf)),
        "entities of ABI 1.4 have shorter column rows than ABI 1.5's "
        "(rule, item_max, collate): rebuild the module against this kedr.h");
    m.abi_minor = 5; /* built for 1.5: the new rows */
    m.size = sizeof(struct kedr_module);
    assert_null(kedr_module_old_entities_problem(&m, buf, sizeof(buf)));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_1_0),
        cmocka_unit_test(test_route_1_0),
        cmocka_unit_test(test_permission_1_0),
        cmocka_unit_test(test_hook_1_0),
        cmocka_unit_test(test_job_1_0),
        cmocka_unit_test(test_importer_1_0),
        cmocka_unit_test(test_ui_1_0),
        cmocka_unit_test(test_module_1_0),
        cmocka_unit_test(test_api_1_0),
        cmocka_unit_test(test_field_1_1),
        cmocka_unit_test(test_route_1_1),
        cmocka_unit_test(test_permission_1_1),
        cmocka_unit_test(test_grant_1_1),
        cmocka_unit_test(test_hook_1_1),
        cmocka_unit_test(test_job_1_1),
        cmocka_unit_test(test_importer_1_1),
        cmocka_unit_test(test_ui_1_1),
        cmocka_unit_test(test_module_1_1),
        cmocka_unit_test(test_api_1_1),
        cmocka_unit_test(test_field_1_2),
        cmocka_unit_test(test_route_1_2),
        cmocka_unit_test(test_permission_1_2),
        cmocka_unit_test(test_grant_1_2),
        cmocka_unit_test(test_hook_1_2),
        cmocka_unit_test(test_job_1_2),
        cmocka_unit_test(test_importer_1_2),
        cmocka_unit_test(test_ui_1_2),
        cmocka_unit_test(test_column_1_2),
        cmocka_unit_test(test_import_col_1_2),
        cmocka_unit_test(test_module_1_2),
        cmocka_unit_test(test_api_1_2),
        cmocka_unit_test(test_field_1_3),
        cmocka_unit_test(test_route_1_3),
        cmocka_unit_test(test_permission_1_3),
        cmocka_unit_test(test_grant_1_3),
        cmocka_unit_test(test_hook_1_3),
        cmocka_unit_test(test_job_1_3),
        cmocka_unit_test(test_importer_1_3),
        cmocka_unit_test(test_ui_1_3),
        cmocka_unit_test(test_column_1_3),
        cmocka_unit_test(test_import_col_1_3),
        cmocka_unit_test(test_setting_1_3),
        cmocka_unit_test(test_entity_col_1_3),
        cmocka_unit_test(test_entity_filter_1_3),
        cmocka_unit_test(test_entity_hooks_1_3),
        cmocka_unit_test(test_entity_1_3),
        cmocka_unit_test(test_module_1_3),
        cmocka_unit_test(test_api_1_3),
        cmocka_unit_test(test_field_1_4),
        cmocka_unit_test(test_route_1_4),
        cmocka_unit_test(test_permission_1_4),
        cmocka_unit_test(test_grant_1_4),
        cmocka_unit_test(test_hook_1_4),
        cmocka_unit_test(test_job_1_4),
        cmocka_unit_test(test_importer_1_4),
        cmocka_unit_test(test_ui_1_4),
        cmocka_unit_test(test_column_1_4),
        cmocka_unit_test(test_import_col_1_4),
        cmocka_unit_test(test_setting_1_4),
        cmocka_unit_test(test_entity_option_1_4),
        cmocka_unit_test(test_entity_col_1_4),
        cmocka_unit_test(test_entity_filter_1_4),
        cmocka_unit_test(test_entity_hooks_1_4),
        cmocka_unit_test(test_kit_search_1_4),
        cmocka_unit_test(test_entity_1_4),
        cmocka_unit_test(test_module_1_4),
        cmocka_unit_test(test_api_1_4),
        cmocka_unit_test(test_constants),
        cmocka_unit_test_setup(test_short_table_requests, setup_short),
        cmocka_unit_test_setup(test_short_table_checks, setup_short),
        cmocka_unit_test(test_full_table),
        cmocka_unit_test(test_old_migrators),
        cmocka_unit_test(test_deprecated_migration_names),
        cmocka_unit_test(test_descriptor_members_by_size),
        cmocka_unit_test(test_descriptor_config),
        cmocka_unit_test(test_old_entities),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
