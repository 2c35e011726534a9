/*
 * t_core -- test-only module (tests/api): the routes the API tests drive.
 *
 *   GET  /pid                 {"pid": <worker pid>}, no database
 *   GET  /crash               the worker dies on SIGSEGV
 *   GET  /hang                sleeps ten minutes (request_timeout cuts it)
 *   GET  /sleep?ms=N          sleeps N ms, then 200 (reload/stop tests)
 *   GET  /params/:a/sub/:b    echoes path params, ?q=, a header
 *   POST /echo                echoes the body (no input spec)
 *   GET  /conf                the t_core config group as read by init
 *   GET  /secret              any authenticated user (so: 401)
 *   GET  /scope               the caller's data scope: core.own_only() ...
 *   GET  /scope/public        the same on a public route, with the
 *                             counterparty and whether it runs read-only
 *   GET  /scope/clients       the same through permission clients.read
 *   GET  /scope/catalog       the same through permission catalog.read
 *   GET  /portal/whoami       a portal route: {user_id, counterparty_id}
 *   POST /items               validated insert; emits t_core.item.created
 *   GET  /items[?name=]       list, JSON built by PostgreSQL
 *   GET  /items/:id           one item, JSON built by PostgreSQL
 *   POST /fail-after-write    insert, emit created, emit doomed (t_base's
 *                             hook fails it): everything must roll back
 *   POST /audited[?fail=1]    insert and audit; fail=1 then fails (422):
 *                             the audit row must roll back too
 *   POST /reply-error         insert, then answer 409 itself: rolls back
 *   GET  /write-in-get        INSERT inside a GET (read-only transaction)
 *   POST /copy?n=N            COPY N rows into t_core.bulk
 *   GET  /things/export       kedr_export of /things (_format, _sep, attr.*)
 *   POST /things/import       kedr_import_csv into /things (dry_run)
 *   GET  /series/export?n=N   kedr_export of N generated rows
 *
 * Hook: t_core.item.created -> a row in t_core.audit (same transaction).
 * Jobs: "tick" (1 s) bumps t_core.counter 1; "tick_fail" (1 s) bumps
 * counter 2 and fails, so its bump must never commit.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kedr.h>

static const char *t_core_label = "none";
static long long t_core_limit = -1;
static bool t_core_flag = false;
static const char *const *t_core_tags;

/* Sleep `ms` milliseconds even across signals (SIGTERM of a graceful stop
 * or reload interrupts nanosleep; the request must still finish). */
static void
t_core_sleep_ms(long long ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000),
                          .tv_nsec = (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A path parameter or query value that must be a positive integer. */
static bool
t_core_is_id(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 18)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static int
t_core_pid(kedr_req_t *r)
{
    return kedr_reply_json(r, 200,
                           json_pack("{s:I}", "pid", (json_int_t)getpid()));
}

static int
t_core_crash(kedr_req_t *r)
{
    kedr_log(r, KEDR_LOG_INFO, "crashing on purpose");
    raise(SIGSEGV);
    return kedr_fail(r, KEDR_EINTERNAL, NULL, "still alive after SIGSEGV");
}

static int
t_core_hang(kedr_req_t *r)
{
    kedr_log(r, KEDR_LOG_INFO, "hanging on purpose");
    t_core_sleep_ms(600 * 1000);
    return kedr_reply_json(r, 200, json_pack("{s:b}", "woke", 1));
}

static int
t_core_sleep(kedr_req_t *r)
{
    const char *ms = kedr_query(r, "ms");
    long long n;

    if (!t_core_is_id(ms) || (n = atoll(ms)) > 60000)
        return kedr_fail(r, KEDR_EINVAL, "ms", "must be 0..60000");
    /* tests wait for this line to know the request is in flight */
    kedr_log(r, KEDR_LOG_INFO, "sleeping %lld ms", n);
    t_core_sleep_ms(n);
    return kedr_reply_json(r, 200,
                           json_pack("{s:I, s:I}", "slept", (json_int_t)n,
                                     "pid", (json_int_t)getpid()));
}

static json_t *
t_core_str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static int
t_core_params(kedr_req_t *r)
{
    return kedr_reply_json(
        r, 200,
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "a",
                  t_core_str_or_null(kedr_param(r, "a")), "b",
                  t_core_str_or_null(kedr_param(r, "b")), "q",
                  t_core_str_or_null(kedr_query(r, "q")), "method",
                  t_core_str_or_null(kedr_method(r)), "path",
                  t_core_str_or_null(kedr_path(r)), "x_test",
                  t_core_str_or_null(kedr_header(r, "X-Test"))));
}

static int
t_core_echo(kedr_req_t *r)
{
    json_t *body = kedr_body(r);
    size_t len = 0;

    (void)kedr_body_raw(r, &len);
    return kedr_reply_json(
        r, 200,
        json_pack("{s:O, s:I, s:o}", "body", body ? body : json_null(),
                  "raw_len", (json_int_t)len, "content_type",
                  t_core_str_or_null(kedr_header(r, "Content-Type"))));
}

static int
t_core_conf(kedr_req_t *r)
{
    json_t *tags = json_array();

    for (const char *const *t = t_core_tags; t != NULL && *t != NULL; t++)
        json_array_append_new(tags, json_string(*t));
    return kedr_reply_json(
        r, 200,
        json_pack("{s:s, s:I, s:b, s:o}", "label", t_core_label, "limit",
                  (json_int_t)t_core_limit, "flag", t_core_flag, "tags", tags));
}

/* The caller's data scope as the database sees it (core/sql/0004). */
static int
t_core_scope(kedr_req_t *r)
{
    return kedr_reply_db_json(
        r, 200,
        "SELECT json_build_object('user_id', core.current_user_id(), "
        "'own_only', core.own_only(), 'regions', core.user_regions())::text",
        0, NULL);
}

/* What a public read sees of the identity settings: never those of an
 * earlier request of the same worker; and whether it runs read-only. */
static int
t_core_scope_public(kedr_req_t *r)
{
    return kedr_reply_db_json(
        r, 200,
        "SELECT json_build_object('user_id', core.current_user_id(), "
        "'own_only', core.own_only(), 'regions', core.user_regions(), "
        "'counterparty_id', current_setting('kedr.counterparty_id', true), "
        "'read_only', current_setting('transaction_read_only'))::text",
        0, NULL);
}

/* A portal route: who is asking, as the database sees it. */
static int
t_core_portal_whoami(kedr_req_t *r)
{
    return kedr_reply_db_json(
        r, 200,
        "SELECT json_build_object('user_id', core.current_user_id(), "
        "'counterparty_id', nullif(current_setting('kedr.counterparty_id', "
        "true), '')::bigint)::text",
        0, NULL);
}

static int
t_core_secret(kedr_req_t *r)
{
    return kedr_reply_json(r, 200, json_pack("{s:s}", "secret", "leaked"));
}

static const struct kedr_field t_core_item_input[] = {
    {.name = "name",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 50},
    {.name = "qty", .type = KEDR_T_INT, .min = 0, .max = 1000},
    {.name = "price", .type = KEDR_T_MONEY},
    {.name = "due", .type = KEDR_T_DATE},
    {0},
};

static const char t_core_insert_sql[] =
    "INSERT INTO t_core.item (name, qty, price, due) "
    "VALUES ($1, $2::int, $3::numeric, $4::date) "
    "RETURNING json_build_object('id', id, 'name', name, 'qty', qty, "
    "'price', price::text, 'due', due, 'txid', txid, "
    "'version', version)::text";

/* Insert the item of the request body; *row gets its JSON.  Emits
 * t_core.item.created.  0 or a code (recorded). */
static int
t_core_insert(kedr_req_t *r, const char **row)
{
    json_t *body = kedr_body(r), *qty, *ev;
    const char *name, *q = NULL;
    int rc;

    name = json_string_value(json_object_get(body, "name"));
    qty = json_object_get(body, "qty");
    if (json_is_integer(qty))
        q = kedr_sprintf(r, "%lld", (long long)json_integer_value(qty));
    rc = kedr_db_json(
        r, t_core_insert_sql,
        KEDR_PARAMS(name, q, json_string_value(json_object_get(body, "price")),
                    json_string_value(json_object_get(body, "due"))),
        row);
    if (rc != 0)
        return rc;
    ev = kedr_json_own(r, json_loads(*row, 0, NULL));
    if (ev == NULL)
        return kedr_fail(r, KEDR_EINTERNAL, NULL, "bad row JSON");
    kedr_log(r, KEDR_LOG_INFO, "inserted item %lld \"%s\"",
             (long long)json_integer_value(json_object_get(ev, "id")), name);
    return kedr_emit(r, "t_core.item.created", ev);
}

static int
t_core_create(kedr_req_t *r)
{
    const char *row;
    int rc = t_core_insert(r, &row);

    if (rc != 0)
        return rc;
    return kedr_reply_raw(r, 201, "application/json", row, strlen(row));
}

static const struct kedr_field t_core_name_input[] = {
    {.name = "name",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 50},
    {0},
};

static int
t_core_fail_after_write(kedr_req_t *r)
{
    const char *row;
    json_t *ev;
    int rc = t_core_insert(r, &row);

    if (rc != 0)
        return rc;
    ev = kedr_json_own(r, json_loads(row, 0, NULL));
    rc = kedr_emit(r, "t_core.item.doomed", ev);
    if (rc != 0)
        return rc;
    /* not reached while t_base is loaded */
    return kedr_reply_raw(r, 201, "application/json", row, strlen(row));
}

/* POST /audited[?fail=1]: insert, record the audit row, then (with
 * fail=1) fail: the audit row must roll back with the item. */
static int
t_core_audited(kedr_req_t *r)
{
    const char *row, *fail = kedr_query(r, "fail");
    json_t *item;
    int rc = t_core_insert(r, &row);

    if (rc != 0)
        return rc;
    item = kedr_json_own(r, json_loads(row, 0, NULL));
    rc = kedr_audit(r, "t_core.item",
                    kedr_sprintf(r, "%lld",
                                 (long long)json_integer_value(
                                     json_object_get(item, "id"))),
                    "created", NULL, item);
    if (rc != 0)
        return rc;
    if (fail != NULL && strcmp(fail, "1") == 0)
        return kedr_fail(r, KEDR_EINVAL, "fail", "failing after the audit");
    return kedr_reply_raw(r, 201, "application/json", row, strlen(row));
}

static int
t_core_reply_error(kedr_req_t *r)
{
    const char *row;
    int rc = t_core_insert(r, &row);

    if (rc != 0)
        return rc;
    /* an error answered by the handler itself, not through kedr_fail */
    return kedr_reply_json(r, 409,
                           json_pack("{s:{s:s, s:s}}", "error", "code",
                                     "conflict", "message",
                                     "answered by the handler after a write"));
}

static int
t_core_write_in_get(kedr_req_t *r)
{
    int rc = kedr_db_exec(r, "INSERT INTO t_core.item (name) VALUES ($1)",
                          KEDR_PARAMS("written in a GET"));

    if (rc < 0)
        return rc;
    return kedr_reply_json(r, 200, json_pack("{s:i}", "inserted", rc));
}

static const char t_core_list_sql[] =
    "SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, "
    "'qty', qty, 'price', price::text, 'due', due) ORDER BY id), "
    "'[]')::text FROM t_core.item WHERE $1::text IS NULL OR name = $1";

static int
t_core_list(kedr_req_t *r)
{
    return kedr_reply_db_json(r, 200, t_core_list_sql,
                              KEDR_PARAMS(kedr_query(r, "name")));
}

static const char t_core_one_sql[] =
    "SELECT json_build_object('id', id, 'name', name, 'qty', qty, "
    "'price', price::text, 'due', due, 'txid', txid, "
    "'version', version)::text FROM t_core.item WHERE id = $1::bigint";

static int
t_core_get(kedr_req_t *r)
{
    const char *id = kedr_param(r, "id");

    if (!t_core_is_id(id))
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such item");
    return kedr_reply_db_json(r, 200, t_core_one_sql, KEDR_PARAMS(id));
}

static const char t_core_bulk_count_sql[] =
    "SELECT count(*), coalesce(sum(n), 0) FROM t_core.bulk WHERE batch = $1";

/* POST /copy?n=N: COPY rows 1..N of batch <request id>. */
static int
t_core_copy(kedr_req_t *r)
{
    const char *ns = kedr_query(r, "n"), *rid = kedr_request_id(r);
    kedr_rows_t *rows;
    long long n;
    char *buf, *p;
    size_t cap;
    int rc;

    if (!t_core_is_id(ns) || (n = atoll(ns)) > 100000)
        return kedr_fail(r, KEDR_EINVAL, "n", "must be 0..100000");
    cap = (size_t)n * (strlen(rid) + 24) + 1;
    p = buf = kedr_alloc(r, cap);
    for (long long i = 1; i <= n; i++) {
        size_t len = strlen(rid);

        memcpy(p, rid, len);
        p += len;
        p += sprintf(p, "\t%lld\n", i);
    }
    rc = kedr_db_copy_begin(r, "COPY t_core.bulk (batch, n) FROM STDIN");
    if (rc == 0)
        rc = kedr_db_copy_put(r, buf, (size_t)(p - buf));
    if (rc == 0)
        rc = kedr_db_copy_end(r);
    if (rc != 0)
        return rc;
    rows = kedr_db_query(r, t_core_bulk_count_sql, KEDR_PARAMS(rid));
    if (rows == NULL)
        return KEDR_EDB;
    return kedr_reply_json(
        r, 200,
        json_pack("{s:s, s:I, s:I, s:I}", "batch", rid, "copied", (json_int_t)n,
                  "count", (json_int_t)atoll(kedr_rows_get(rows, 0, 0)), "sum",
                  (json_int_t)atoll(kedr_rows_get(rows, 0, 1))));
}

static const char t_core_audit_sql[] =
    "INSERT INTO t_core.audit (item_id, name, event, hook_at) "
    "VALUES ($1::bigint, $2, $3, clock_timestamp())";

/* Hook: an audit-like row, in the emitting request's transaction. */
static int
t_core_on_created(kedr_req_t *r, const char *event, json_t *payload)
{
    const char *id, *name;

    if (!json_is_integer(json_object_get(payload, "id")))
        return kedr_fail(r, KEDR_EINTERNAL, NULL, "event without an id");
    id = kedr_sprintf(
        r, "%lld",
        (long long)json_integer_value(json_object_get(payload, "id")));
    name = json_string_value(json_object_get(payload, "name"));
    return kedr_db_exec(r, t_core_audit_sql, KEDR_PARAMS(id, name, event)) < 0
               ? KEDR_EDB
               : 0;
}

/* The related-records registry of clients' counterparty card
 * (modules/clients/clients_related.c): items named "cp-<id> ..." are
 * this module's records about counterparty <id>; one named "cp-<id>-bad"
 * makes the entry malformed, to prove clients refuses it. */
static const char t_core_related_sql[] =
    "SELECT count(*), coalesce(json_agg(json_build_object('id', i.id, "
    "'title', i.name, 'path', '/t_core/items/' || i.id) ORDER BY i.id), "
    "'[]')::text, bool_or(i.name = $1 || '-bad') FROM t_core.item i "
    "WHERE i.name LIKE $1 || '%'";

static int
t_core_on_related(kedr_req_t *r, const char *event, json_t *payload)
{
    json_t *cp = json_object_get(payload, "counterparty_id"), *entry;
    const char *key;
    kedr_rows_t *rows;

    (void)event;
    key = kedr_sprintf(r, "cp-%lld", (long long)json_integer_value(cp));
    rows = kedr_db_query(r, t_core_related_sql, KEDR_PARAMS(key));
    if (rows == NULL)
        return KEDR_EDB;
    if (strcmp(kedr_rows_get(rows, 0, 0), "0") == 0)
        return 0; /* nothing about it: no entry */
    entry = json_pack(
        "{s:s, s:s, s:s, s:s, s:I, s:s, s:o}", "module", "t_core", "key",
        "items", "label_ru", "Элементы", "label_en", "Items", "count",
        (json_int_t)atoll(kedr_rows_get(rows, 0, 0)), "path", "/t_core/items",
        "items", json_loads(kedr_rows_get(rows, 0, 1), 0, NULL));
    if (entry == NULL)
        kedr_out_of_memory(r);
    if (strcmp(kedr_rows_get(rows, 0, 2), "t") == 0)
        json_object_set_new(entry, "count", json_string("many"));
    json_array_append_new(json_object_get(payload, "related"), entry);
    return 0;
}

static const char t_core_tick_sql[] =
    "UPDATE t_core.counter SET n = n + 1, ticked_at = now() WHERE id = $1";

static int
t_core_tick(kedr_req_t *r)
{
    return kedr_db_exec(r, t_core_tick_sql, KEDR_PARAMS("1")) < 0 ? KEDR_EDB
                                                                  : 0;
}

static int
t_core_tick_fail(kedr_req_t *r)
{
    if (kedr_db_exec(r, t_core_tick_sql, KEDR_PARAMS("2")) < 0)
        return KEDR_EDB;
    return kedr_fail(r, KEDR_EINTERNAL, NULL, "tick_fail fails on purpose");
}

static int
t_core_init(kedr_env_t *env)
{
    t_core_label = kedr_conf_string(env, "label", NULL);
    t_core_limit = kedr_conf_int(env, "limit", 0);
    t_core_flag = kedr_conf_bool(env, "flag", false);
    t_core_tags = kedr_conf_list(env, "tags");
    if (kedr_conf_bool(env, "fail_init", false)) {
        kedr_env_log(env, KEDR_LOG_ERROR, "fail_init is set: refusing");
        return KEDR_EINVAL;
    }
    return 0;
}

static const char t_core_thing_insert_sql[] =
    "INSERT INTO t_core.thing (name, attrs) VALUES ($1, "
    "coalesce($2::jsonb, '{}')) RETURNING json_build_object('id', id, "
    "'name', name, 'attrs', attrs)::text";

/* POST /things {name, attrs}: values checked against the extra attributes
 * of "t_core.thing". */
static int
t_core_thing_create(kedr_req_t *r)
{
    json_t *body = kedr_body(r);
    json_t *attrs = json_object_get(body, "attrs");
    const char *row;
    int n, rc;

    n = kedr_attrs_check(r, "t_core.thing", attrs, false);
    if (n < 0)
        return n;
    if (n > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid attributes");
    rc = kedr_db_json(
        r, t_core_thing_insert_sql,
        KEDR_PARAMS(json_string_value(json_object_get(body, "name")),
                    kedr_json_text(r, attrs)),
        &row);
    if (rc != 0)
        return rc;
    return kedr_reply_raw(r, 201, "application/json", row, strlen(row));
}

static const char t_core_thing_list_sql[] =
    "SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, "
    "'attrs', attrs) ORDER BY id), '[]')::text FROM t_core.thing "
    "WHERE $1::jsonb IS NULL OR attrs @> $1::jsonb";

/* GET /things?attr.<name>=value */
static int
t_core_thing_list(kedr_req_t *r)
{
    const char *filter;
    int rc = kedr_attrs_filter(r, "t_core.thing", &filter);

    if (rc != 0)
        return rc;
    return kedr_reply_db_json(r, 200, t_core_thing_list_sql,
                              KEDR_PARAMS(filter));
}

static const struct kedr_field t_core_thing_input[] = {
    {.name = "name", .type = KEDR_T_STRING, .flags = KEDR_REQUIRED, .max = 100},
    {.name = "attrs", .type = KEDR_T_ANY},
    {0},
};

/* ---------------------------------------------------------------------
 * Export and import (tests/api/export.test.js, import.test.js).
 * --------------------------------------------------------------------- */

static const struct kedr_column t_core_thing_cols[] = {
    {.name = "id", .label_ru = "Номер", .label_en = "No.", .type = KEDR_T_INT},
    {.name = "name",
     .label_ru = "Название",
     .label_en = "Name",
     .type = KEDR_T_STRING},
    {.name = "code",
     .label_ru = "Код",
     .label_en = "Code",
     .type = KEDR_T_STRING},
    {.name = "area",
     .label_ru = "Площадь",
     .label_en = "Area",
     .type = KEDR_T_NUMBER},
    {.name = "checked",
     .label_ru = "Проверено",
     .label_en = "Checked",
     .type = KEDR_T_DATE},
    {.name = "vip", .label_ru = "VIP", .label_en = "VIP", .type = KEDR_T_BOOL},
    {.name = "size",
     .label_ru = "Размер",
     .label_en = "Size",
     .type = KEDR_T_STRING},
    {0},
};

static const char t_core_thing_export_sql[] =
    "SELECT id, name, attrs->>'code' AS code, (attrs->>'area')::numeric AS "
    "area, (attrs->>'checked')::date AS checked, (attrs->>'vip')::boolean "
    "AS vip, attrs->>'size' AS size FROM t_core.thing "
    "WHERE $1::jsonb IS NULL OR attrs @> $1::jsonb ORDER BY id";

/* GET /things/export?_format=csv|xlsx[&_sep=comma][&attr.<name>=v] */
static int
t_core_thing_export(kedr_req_t *r)
{
    const char *filter;
    int rc = kedr_attrs_filter(r, "t_core.thing", &filter);

    if (rc != 0)
        return rc;
    return kedr_export(r, NULL, "вещи", t_core_thing_cols,
                       t_core_thing_export_sql, KEDR_PARAMS(filter));
}

static const struct kedr_column t_core_series_cols[] = {
    {.name = "n", .label_ru = "N", .label_en = "N", .type = KEDR_T_INT},
    {.name = "label",
     .label_ru = "Метка",
     .label_en = "Label",
     .type = KEDR_T_STRING},
    {.name = "amount",
     .label_ru = "Сумма",
     .label_en = "Amount",
     .type = KEDR_T_MONEY},
    {.name = "day", .label_ru = "День", .label_en = "Day", .type = KEDR_T_DATE},
    {.name = "even",
     .label_ru = "Чётное",
     .label_en = "Even",
     .type = KEDR_T_BOOL},
    {.name = "tags",
     .label_ru = "Теги",
     .label_en = "Tags",
     .type = KEDR_T_ARRAY},
    {0},
};

static const char t_core_series_sql[] =
    "SELECT g AS n, 'row ' || g AS label, (g * 1.5)::numeric(18,2) AS amount, "
    "date '2026-01-01' + g % 365 AS day, g % 2 = 0 AS even, "
    "ARRAY['t' || g % 3, 'x'] AS tags, repeat('z', 16) AS unused "
    "FROM generate_series(1, $1::int) g ORDER BY g";

/* GET /series/export?n=N&_format=csv|xlsx: N generated rows (no table),
 * for the size of a streamed export. */
static int
t_core_series_export(kedr_req_t *r)
{
    long n = kedr_query_count(r, "n", 10, 2000000);

    if (n < 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    return kedr_export(r, NULL, "series", t_core_series_cols, t_core_series_sql,
                       KEDR_PARAMS(kedr_sprintf(r, "%ld", n)));
}

static const struct kedr_import_col t_core_import_cols[] = {
    {.field = "name",
     .label_ru = "Название",
     .label_en = "Name",
     .type = KEDR_T_STRING},
    {.field = "code",
     .label_ru = "Код",
     .label_en = "Code",
     .type = KEDR_T_STRING},
    {.field = "area",
     .label_ru = "Площадь",
     .label_en = "Area",
     .type = KEDR_T_NUMBER},
    {.field = "checked",
     .label_ru = "Проверено",
     .label_en = "Checked",
     .type = KEDR_T_DATE},
    {.field = "vip", .label_ru = "VIP", .label_en = "VIP", .type = KEDR_T_BOOL},
    {.field = "size",
     .label_ru = "Размер",
     .label_en = "Size",
     .type = KEDR_T_STRING},
    {0},
};

static const char t_core_thing_exists_sql[] =
    "SELECT 1 FROM t_core.thing WHERE name = $1";
static const char t_core_thing_import_sql[] =
    "INSERT INTO t_core.thing (name, attrs) VALUES ($1, $2::jsonb) "
    "RETURNING json_build_object('id', id)::text";

/* One imported row: name (required, unique), the rest extra attributes.
 * The name "FAIL-SQL" runs a statement PostgreSQL refuses (a division by
 * zero): the row fails and the next one must still go in. */
static int
t_core_thing_import_row(kedr_req_t *r, json_t *row, void *arg, json_t **out)
{
    const char *name = json_string_value(json_object_get(row, "name"));
    json_t *attrs = kedr_json_keep(r, json_deep_copy(row));
    const char *res;
    kedr_rows_t *rows;
    int n, rc;

    (void)arg;
    if (name == NULL)
        return kedr_fail(r, KEDR_EINVAL, "name", "required");
    if (strcmp(name, "FAIL-SQL") == 0) {
        rows = kedr_db_query(r, "SELECT 1 / 0", 0, NULL);
        return rows == NULL ? KEDR_EDB : 0;
    }
    rows = kedr_db_query(r, t_core_thing_exists_sql, KEDR_PARAMS(name));
    if (rows == NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) > 0)
        return kedr_fail(r, KEDR_ECONFLICT, "name", "already exists");
    json_object_del(attrs, "name");
    n = kedr_attrs_check(r, "t_core.thing", attrs, false);
    if (n < 0)
        return n;
    if (n > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid attributes");
    rc = kedr_db_json(r, t_core_thing_import_sql,
                      KEDR_PARAMS(name, kedr_json_text(r, attrs)), &res);
    if (rc != 0)
        return rc;
    *out = json_incref(kedr_json_parse(r, res));
    return 0;
}

/* POST /things/import[?dry_run=true]: the body is CSV. */
static int
t_core_thing_import(kedr_req_t *r)
{
    return kedr_import_csv(r, t_core_import_cols, t_core_thing_import_row,
                           NULL);
}

static const struct kedr_route t_core_routes[] = {
    {.method = "GET",
     .path = "/things/export",
     .handler = t_core_thing_export,
     .permission = NULL},
    {.method = "POST",
     .path = "/things/import",
     .handler = t_core_thing_import,
     .permission = NULL},
    {.method = "GET",
     .path = "/series/export",
     .handler = t_core_series_export,
     .permission = NULL},
    {.method = "POST",
     .path = "/things",
     .handler = t_core_thing_create,
     .permission = KEDR_PUBLIC,
     .input = t_core_thing_input},
    {.method = "GET",
     .path = "/things",
     .handler = t_core_thing_list,
     .permission = KEDR_PUBLIC},
    {.method = "GET",
     .path = "/pid",
     .handler = t_core_pid,
     .permission = KEDR_PUBLIC},
    {.method = "GET",
     .path = "/crash",
     .handler = t_core_crash,
     .permission = KEDR_PUBLIC},
    {.method = "GET",
     .path = "/hang",
     .handler = t_core_hang,
     .permission = KEDR_PUBLIC},
    {.method = "GET",
     .path = "/sleep",
     .handler = t_core_sleep,
     .permission = KEDR_PUBLIC},
    {.method = "GET",
     .path = "/params/:a/sub/:b",
     .handler = t_core_params,
     .permission = KEDR_PUBLIC},
    {.method = "POST",
     .path = "/echo",
     .handler = t_core_echo,
     .permission = KEDR_PUBLIC},
    {.method = "GET",
     .path = "/conf",
     .handler = t_core_conf,
     .permission = KEDR_PUBLIC},
    {.method = "GET",
     .path = "/secret",
     .handler = t_core_secret,
     .permission = NULL},
    {.method = "GET",
     .path = "/items",
     .handler = t_core_list,
     .permission = KEDR_PUBLIC},
    {.method = "POST",
     .path = "/items",
     .handler = t_core_create,
     .permission = KEDR_PUBLIC,
     .input = t_core_item_input},
    {.method = "GET",
     .path = "/items/:id",
     .handler = t_core_get,
     .permission = KEDR_PUBLIC},
    {.method = "POST",
     .path = "/fail-after-write",
     .handler = t_core_fail_after_write,
     .permission = KEDR_PUBLIC,
     .input = t_core_name_input},
    {.method = "POST",
     .path = "/audited",
     .handler = t_core_audited,
     .permission = KEDR_PUBLIC,
     .input = t_core_name_input},
    {.method = "POST",
     .path = "/reply-error",
     .handler = t_core_reply_error,
     .permission = KEDR_PUBLIC,
     .input = t_core_name_input},
    {.method = "GET",
     .path = "/write-in-get",
     .handler = t_core_write_in_get,
     .permission = KEDR_PUBLIC},
    {.method = "POST",
     .path = "/copy",
     .handler = t_core_copy,
     .permission = KEDR_PUBLIC},
    {.method = "GET", .path = "/scope", .handler = t_core_scope},
    {.method = "GET",
     .path = "/scope/clients",
     .handler = t_core_scope,
     .permission = "clients.read"},
    {.method = "GET",
     .path = "/scope/catalog",
     .handler = t_core_scope,
     .permission = "catalog.read"},
    {.method = "GET",
     .path = "/scope/public",
     .handler = t_core_scope_public,
     .permission = KEDR_PUBLIC},
    {0},
};

static const struct kedr_route t_core_portal_routes[] = {
    {.method = "GET",
     .path = "/portal/whoami",
     .handler = t_core_portal_whoami},
    {0},
};

static const struct kedr_hook t_core_hooks[] = {
    {.event = "t_core.item.created", .fn = t_core_on_created},
    {.event = "clients.counterparty.related", .fn = t_core_on_related},
    {0},
};

static const struct kedr_job t_core_jobs[] = {
    {.name = "tick", .interval = 1, .fn = t_core_tick},
    {.name = "tick_fail", .interval = 1, .fn = t_core_tick_fail},
    {0},
};

static const char *const t_core_requires[] = {"t_base", NULL};

/* Its config group, one setting of each type (tests/api/core.test.js and
 * cli.test.js set and break them). */
static const struct kedr_setting t_core_config[] = {
    {.name = "label",
     .type = KEDR_SETTING_STRING,
     .def = "none",
     .doc = "echoed by GET /conf"},
    {.name = "limit",
     .type = KEDR_SETTING_INT,
     .def = "-1",
     .min = -1,
     .max = 1000,
     .doc = "echoed by GET /conf"},
    {.name = "flag", .type = KEDR_SETTING_BOOL, .doc = "echoed by GET /conf"},
    {.name = "tags", .type = KEDR_SETTING_LIST, .doc = "echoed by GET /conf"},
    {.name = "fail_init",
     .type = KEDR_SETTING_BOOL,
     .doc = "init refuses the module: the master must not start"},
    {0},
};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,          .name = "t_core",
    .config = t_core_config,     .version = "0.2.0",
    .requires = t_core_requires, .routes = t_core_routes,
    .hooks = t_core_hooks,       .jobs = t_core_jobs,
    .init = t_core_init,         .portal_routes = t_core_portal_routes,
};
