/*
 * t_fault -- test-only module for the fault-injection gate
 * (tests/api/fault.test.js, make fault): routes that go through many
 * failure points, so that failing each one in turn proves every error
 * path rolls back and answers in the one error shape.
 *
 *   POST /write  {"name"}  insert an item, emit t_fault.item.written (its
 *                          hook inserts an audit row), read both back,
 *                          set a header, reply 201
 *   POST /copy   {"n"}     COPY n rows into t_fault.bulk (memory is taken
 *                          between COPY's begin and end), reply 201
 *   POST /fail-sql {"name"} what /write does up to the hook, then a
 *                          statement PostgreSQL refuses (division by zero):
 *                          500 db_error, everything rolled back
 *   GET  /count            rows of each table and the worker's pid
 *   POST /import[?dry_run] a CSV of names: each row inserted like /write
 *                          under its savepoint ("FAIL" fails its row)
 *   GET  /export?_format=&n= n generated rows as a CSV or XLSX file
 *
 * The module keeps the rule of an unwinding arena: a resource held across
 * a call that may allocate (a JSON payload) is registered with
 * kedr_on_cleanup first, so an allocation failure cannot leak it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kedr.h>

static void
t_fault_decref(void *p)
{
    json_decref(p);
}

/* A JSON value owned by the request: released when it ends, even when an
 * allocation failure unwinds it. */
static json_t *
t_fault_own(kedr_req_t *r, json_t *v)
{
    kedr_on_cleanup(r, t_fault_decref, v);
    return v;
}

static const struct kedr_field t_fault_write_input[] = {
    {.name = "name",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 50},
    {0},
};

static const char t_fault_insert_sql[] =
    "INSERT INTO t_fault.item (name, note) VALUES ($1, $2) "
    "RETURNING json_build_object('id', id, 'name', name)::text";

/* Insert an item and emit t_fault.item.written (its hook writes the
 * audit row); *ev gets the item, owned by the request.  0 or a code. */
static int
t_fault_insert_emit(kedr_req_t *r, const char *name, const char *note,
                    json_t **ev)
{
    const char *row;
    int rc;

    rc = kedr_db_json(r, t_fault_insert_sql, KEDR_PARAMS(name, note), &row);
    if (rc != 0)
        return rc;
    *ev = json_loads(row, 0, NULL);
    if (*ev == NULL)
        return kedr_fail(r, KEDR_EINTERNAL, NULL, "bad row JSON");
    t_fault_own(r, *ev);
    return kedr_emit(r, "t_fault.item.written", *ev);
}

static const char t_fault_readback_sql[] =
    "SELECT i.name, i.note, (SELECT count(*) FROM t_fault.audit a "
    "WHERE a.item_id = i.id) FROM t_fault.item i WHERE i.id = $1::bigint";

static int
t_fault_write(kedr_req_t *r)
{
    const char *name = json_string_value(json_object_get(kedr_body(r), "name"));
    const char *id;
    char *note;
    json_t *ev;
    kedr_rows_t *rows;
    int rc;

    note = kedr_sprintf(r, "written by request %s", kedr_request_id(r));
    rc = t_fault_insert_emit(r, name, note, &ev);
    if (rc != 0)
        return rc;
    id = kedr_sprintf(r, "%lld",
                      (long long)json_integer_value(json_object_get(ev, "id")));
    rows = kedr_db_query(r, t_fault_readback_sql, KEDR_PARAMS(id));
    if (rows == NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) != 1)
        return kedr_fail(r, KEDR_EINTERNAL, NULL, "item %s not read back", id);
    kedr_set_header(r, "X-T-Fault-Item", id);
    return kedr_reply_json(
        r, 201,
        json_pack("{s:s, s:s, s:s, s:I}", "id", id, "name",
                  kedr_rows_get(rows, 0, 0), "note", kedr_rows_get(rows, 0, 1),
                  "audits", (json_int_t)atoll(kedr_rows_get(rows, 0, 2))));
}

/* A real database error after writes: the core's error path for it. */
static int
t_fault_fail_sql(kedr_req_t *r)
{
    const char *name = json_string_value(json_object_get(kedr_body(r), "name"));
    json_t *ev;
    int rc;

    rc = t_fault_insert_emit(r, name, "doomed", &ev);
    if (rc != 0)
        return rc;
    rc = kedr_db_exec(r, "SELECT 1 / $1::int", KEDR_PARAMS("0"));
    if (rc < 0)
        return rc;
    return kedr_fail(r, KEDR_EINTERNAL, NULL, "division by zero succeeded");
}

static const char t_fault_audit_sql[] =
    "INSERT INTO t_fault.audit (item_id, event) VALUES ($1::bigint, $2)";

/* Hook: an audit row in the emitting request's transaction. */
static int
t_fault_on_written(kedr_req_t *r, const char *event, json_t *payload)
{
    const char *id = kedr_sprintf(
        r, "%lld",
        (long long)json_integer_value(json_object_get(payload, "id")));

    return kedr_db_exec(r, t_fault_audit_sql, KEDR_PARAMS(id, event)) < 0
               ? KEDR_EDB
               : 0;
}

static const struct kedr_field t_fault_copy_input[] = {
    {.name = "n",
     .type = KEDR_T_INT,
     .flags = KEDR_REQUIRED,
     .min = 1,
     .max = 100},
    {0},
};

static int
t_fault_copy(kedr_req_t *r)
{
    json_int_t n = json_integer_value(json_object_get(kedr_body(r), "n"));
    const char *rid = kedr_request_id(r);
    int rc;

    rc = kedr_db_copy_begin(r, "COPY t_fault.bulk (batch, n) FROM STDIN");
    for (json_int_t i = 1; rc == 0 && i <= n; i++) {
        /* memory taken while COPY is in progress */
        const char *line = kedr_sprintf(r, "%s\t%lld\n", rid, (long long)i);

        rc = kedr_db_copy_put(r, line, strlen(line));
    }
    if (rc == 0)
        rc = kedr_db_copy_end(r);
    if (rc != 0)
        return rc;
    return kedr_reply_json(r, 201,
                           json_pack("{s:s, s:I}", "batch", rid, "copied", n));
}

static const char t_fault_count_sql[] =
    "SELECT (SELECT count(*) FROM t_fault.item), "
    "(SELECT count(*) FROM t_fault.audit), "
    "(SELECT count(*) FROM t_fault.bulk)";

static int
t_fault_count(kedr_req_t *r)
{
    kedr_rows_t *rows = kedr_db_query(r, t_fault_count_sql, 0, NULL);

    if (rows == NULL)
        return KEDR_EDB;
    return kedr_reply_json(
        r, 200,
        json_pack("{s:I, s:I, s:I, s:I}", "items",
                  (json_int_t)atoll(kedr_rows_get(rows, 0, 0)), "audits",
                  (json_int_t)atoll(kedr_rows_get(rows, 0, 1)), "bulk",
                  (json_int_t)atoll(kedr_rows_get(rows, 0, 2)), "pid",
                  (json_int_t)getpid()));
}

/* One row of /import: what /write does up to the hook; the name "FAIL"
 * runs a statement PostgreSQL refuses, so the row fails and its
 * savepoint is rolled back. */
static int
t_fault_import_row(kedr_req_t *r, json_t *row, void *arg, json_t **out)
{
    const char *name = json_string_value(json_object_get(row, "name"));
    json_t *ev;
    int rc;

    (void)arg;
    if (name == NULL)
        return kedr_fail(r, KEDR_EINVAL, "name", "required");
    if (strcmp(name, "FAIL") == 0) {
        rc = kedr_db_exec(r, "SELECT 1 / $1::int", KEDR_PARAMS("0"));
        return rc < 0 ? rc : 0;
    }
    rc = t_fault_insert_emit(r, name, "imported", &ev);
    if (rc != 0)
        return rc;
    *out = json_incref(ev);
    return 0;
}

static const struct kedr_import_col t_fault_import_cols[] = {
    {.field = "name",
     .label_ru = "Имя",
     .label_en = "Name",
     .type = KEDR_T_STRING},
    {.field = "note",
     .label_ru = "Заметка",
     .label_en = "Note",
     .type = KEDR_T_STRING},
    {0},
};

static int
t_fault_import(kedr_req_t *r)
{
    return kedr_import_csv(r, t_fault_import_cols, t_fault_import_row, NULL);
}

static const struct kedr_column t_fault_export_cols[] = {
    {.name = "id", .label_ru = "Номер", .label_en = "No.", .type = KEDR_T_INT},
    {.name = "name",
     .label_ru = "Имя",
     .label_en = "Name",
     .type = KEDR_T_STRING},
    {.name = "day", .label_ru = "День", .label_en = "Day", .type = KEDR_T_DATE},
    {0},
};

static const char t_fault_export_sql[] =
    "SELECT g AS id, 'item ' || g AS name, date '2026-01-01' + g AS day "
    "FROM generate_series(1, $1::int) g";

/* GET /export?_format=csv|xlsx&n=N */
static int
t_fault_export(kedr_req_t *r)
{
    long n = kedr_query_count(r, "n", 3, 5000);

    if (n < 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    return kedr_export(r, NULL, "fault", t_fault_export_cols,
                       t_fault_export_sql,
                       KEDR_PARAMS(kedr_sprintf(r, "%ld", n)));
}

static const struct kedr_route t_fault_routes[] = {
    {.method = "POST",
     .path = "/import",
     .handler = t_fault_import,
     .permission = KEDR_PUBLIC},
    {.method = "GET",
     .path = "/export",
     .handler = t_fault_export,
     .permission = KEDR_PUBLIC},
    {.method = "POST",
     .path = "/write",
     .handler = t_fault_write,
     .permission = KEDR_PUBLIC,
     .input = t_fault_write_input},
    {.method = "POST",
     .path = "/copy",
     .handler = t_fault_copy,
     .permission = KEDR_PUBLIC,
     .input = t_fault_copy_input},
    {.method = "POST",
     .path = "/fail-sql",
     .handler = t_fault_fail_sql,
     .permission = KEDR_PUBLIC,
     .input = t_fault_write_input},
    {.method = "GET",
     .path = "/count",
     .handler = t_fault_count,
     .permission = KEDR_PUBLIC},
    {0},
};

static const struct kedr_hook t_fault_hooks[] = {
    {.event = "t_fault.item.written", .fn = t_fault_on_written},
    {0},
};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,       .name = "t_fault",      .version = "0.1.0",
    .routes = t_fault_routes, .hooks = t_fault_hooks,
};
