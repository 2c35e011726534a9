/*
 * db.c -- the process's one PostgreSQL connection, its prepared-statement
 * cache, and the request transaction.
 *
 * The connection is opened at worker start and reopened by itself when it
 * breaks: a request that finds the database gone answers 503, and the
 * next one reconnects.  A transaction starts with a request's first query
 * (read-only for GET/HEAD), so routes that never touch the database pay
 * nothing for it.
 *
 * A read that identifies nobody (a public route's GET: no scope settings
 * to carry from one statement to the next) runs its first statement
 * without BEGIN, in the implicit transaction of that one statement, and
 * has nothing to COMMIT: one message and one answer where the explicit
 * transaction costs the backend two wake-ups and two more statements.  A
 * second statement opens the transaction as any first one does.  At READ
 * COMMITTED every statement takes its own snapshot anyway; what the first
 * statement's implicit transaction does not hand on are its
 * transaction-local settings and locks, which no public read uses.  A
 * worker's session is read-only by default (kedr_db_worker_session), so
 * that statement is as read-only as BEGIN READ ONLY made it, and writes
 * begin READ WRITE.
 *
 * A signed-in read goes the same way: its identity statement sets the
 * caller's settings session-level (auth.c), so it needs no transaction to
 * hand them to the handler's first statement, which goes without BEGIN
 * too: two statements, two round trips, no BEGIN and no COMMIT.  A
 * statement that sets something transaction-local itself (set_config,
 * an xact lock) opens the transaction instead (db_needs_block).  The
 * settings a request leaves behind are never the next one's: the next
 * identity statement overwrites all four, and the first statement of a
 * request that runs none (a public route, a job) carries a reset in its
 * own pipeline (db_scoped).  A connection lost after the identity
 * statement fails the request rather than run on a fresh connection
 * without the caller's scope (db_gen).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "core.h"

struct db_stmt {
    uint64_t hash;
    char *sql;
    char name[16];
};

static PGconn *db_conn;
static struct db_stmt *db_stmts;
static size_t db_nstmts, db_capstmts;
static unsigned db_stmt_seq;
static bool db_was_down; /* log an outage once, and its end */
static bool db_pending;  /* a read-only COMMIT sent, its result unread */
static bool db_worker;   /* a worker's session: read-only by default */
static bool db_scoped;   /* the session may hold a caller's settings */
static bool db_reset_tx; /* a reset ran in the open transaction */
static unsigned db_gen;  /* connections opened by this process */

/* Back to nobody's settings (auth.c's AUTH_SCOPE_SQL sets these four). */
static const char db_reset_sql[] =
    "SELECT set_config('kedr.user_id', '', false), "
    "set_config('kedr.counterparty_id', '', false), "
    "set_config('kedr.own_only', '', false), "
    "set_config('kedr.regions', '', false)";

/* Read the result of a COMMIT sent without waiting (see kedr_db_finish). */
static void
db_drain(void)
{
    PGresult *res;

    if (!db_pending || db_conn == NULL)
        return;
    db_pending = false;
    while ((res = PQgetResult(db_conn)) != NULL)
        PQclear(res);
}

#define DB_MAX_STMTS 2048

static uint64_t
fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ull;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static void
db_stmts_clear(void)
{
    for (size_t i = 0; i < db_nstmts; i++)
        free(db_stmts[i].sql);
    db_nstmts = 0;
}

void
kedr_db_close(void)
{
    db_drain();
    if (db_conn != NULL)
        PQfinish(db_conn);
    db_conn = NULL;
    db_stmts_clear();
    free(db_stmts);
    db_stmts = NULL;
    db_capstmts = 0;
}

void
kedr_db_worker_session(void)
{
    db_worker = true;
    kedr_db_close(); /* a connection opened before has the old default */
}

PGconn *
kedr_db_conn(void)
{
    return db_conn;
}

/* Server notices ("schema already exists, skipping") are not errors. */
static void
db_notice(void *arg, const char *msg)
{
    (void)arg;
    kedr_debug("database: %s", msg);
}

int
kedr_db_connect(void)
{
    const struct kedr_conf *c = kedr_srv.conf;
    /* a later keyword wins over the expanded url: the resolved host, when
       the url names a relative socket directory (kedr_conf.db_host) */
    static const char *const keys[] = {
        "connect_timeout", "dbname", "fallback_application_name", "host", NULL};
    const char *vals[] = {"5", c->db_url, "kedr", c->db_host, NULL};
    char timeout[32];
    const char *params[3];
    PGresult *res;

    db_drain();
    if (db_conn != NULL && PQstatus(db_conn) == CONNECTION_OK)
        return 0;
    if (db_conn != NULL)
        PQfinish(db_conn);
    db_stmts_clear();
    db_conn = PQconnectdbParams(keys, vals, 1);
    if (db_conn == NULL)
        kedr_oom();
    if (PQstatus(db_conn) != CONNECTION_OK) {
        kedr_log_write(db_was_down ? KEDR_LOG_DEBUG : KEDR_LOG_WARN,
                       "database: cannot connect: %s", PQerrorMessage(db_conn));
        db_was_down = true;
        PQfinish(db_conn);
        db_conn = NULL;
        return KEDR_EDBDOWN;
    }
    PQsetNoticeProcessor(db_conn, db_notice, NULL);
    snprintf(timeout, sizeof(timeout), "%d", c->statement_timeout);
    params[0] = timeout;
    params[1] = "UTC";
    params[2] = db_worker ? "on" : "off";
    res = PQexecParams(db_conn,
                       "SELECT set_config('statement_timeout', $1, false), "
                       "set_config('timezone', $2, false), "
                       "set_config('default_transaction_read_only', $3, false)",
                       3, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        kedr_warn("database: session setup failed: %s",
                  PQerrorMessage(db_conn));
        PQclear(res);
        PQfinish(db_conn);
        db_conn = NULL;
        return KEDR_EDBDOWN;
    }
    PQclear(res);
    db_scoped = false; /* a new session holds nobody's settings */
    db_gen++;
    if (db_was_down)
        kedr_info("database: connected again");
    db_was_down = false;
    return 0;
}

bool
kedr_db_ping(void)
{
    PGresult *res;
    bool ok;

    for (int attempt = 0; attempt < 2; attempt++) {
        if (kedr_db_connect() != 0)
            return false;
        res = PQexec(db_conn, "SELECT 1");
        ok = PQresultStatus(res) == PGRES_TUPLES_OK;
        PQclear(res);
        if (ok)
            return true;
        if (PQstatus(db_conn) == CONNECTION_OK)
            return false;
        /* the connection broke while idle (server restarted): retry once
         * on a fresh one */
    }
    return false;
}

/*
 * Errors of PostgreSQL that are about a value the request sent, not about
 * the server: a number past its type's range, a text that is no number,
 * bytes that are no UTF-8.  Such a request is answered 400 (422 when the
 * value is a field of the JSON body), never 500.
 */
static const struct {
    const char *state;
    const char *why;
} db_input_errors[] = {
    {"22003", "is out of range"},         /* numeric_value_out_of_range */
    {"22008", "is out of range"},         /* datetime_field_overflow */
    {"22P02", "is not a valid value"},    /* invalid_text_representation */
    {"22007", "is not a valid date"},     /* invalid_datetime_format */
    {"22021", "is not valid UTF-8 text"}, /* character_not_in_repertoire */
    {"22001", "is too long"},             /* string_data_right_truncation */
};

/* The request's field whose value is `v`: a path parameter, a query
 * parameter or a top-level field of the body; NULL when none is.  *body
 * tells which of them. */
static const char *
db_input_field(struct kedr_req *r, const char *v, bool *body)
{
    const char *key;
    json_t *x;

    *body = false;
    for (int i = 0; i < r->match.nparams; i++)
        if (strcmp(r->match.values[i], v) == 0)
            return r->match.names[i];
    for (size_t i = 0; i < r->query.n; i++)
        if (strcmp(r->query.items[i].value, v) == 0)
            return r->query.items[i].key;
    *body = true;
    json_object_foreach (json_is_object(r->body) ? r->body : NULL, key, x) {
        char num[32];

        if (json_is_integer(x))
            snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                     json_integer_value(x));
        if ((json_is_string(x) && strcmp(json_string_value(x), v) == 0) ||
            (json_is_integer(x) && strcmp(num, v) == 0))
            return key;
    }
    return NULL;
}

/* A data error (db_input_errors) in the one error shape, naming the field
 * when PostgreSQL's message quotes a value the request sent
 * (`value "99999999999999999999" is out of range for type bigint`). */
static int
db_input_fail(struct kedr_req *r, const char *why, const char *quoted)
{
    const char *field = NULL;
    bool body = false;

    if (quoted != NULL)
        field = db_input_field(r, quoted, &body);
    if (field == NULL)
        return kedr_req_fail(r, KEDR_EBADREQ, NULL, "a value %s", why);
    return kedr_req_fail(r, body ? KEDR_EINVAL : KEDR_EBADREQ, field, "%s",
                         why);
}

/* Record a failed call in the request: 503 when the connection is gone. */
static int
db_fail(struct kedr_req *r, PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(db_conn);
    const char *primary, *q1, *q2, *input_why = NULL;
    char sqlstate[8], quoted[128] = "", column[64] = "";

    if (db_conn == NULL || PQstatus(db_conn) != CONNECTION_OK) {
        kedr_warn("database: connection lost during %s: %s", what,
                  db_conn ? PQerrorMessage(db_conn) : "not connected");
        r->in_tx = false;
        r->sqlstate = "08006";
        if (res != NULL)
            PQclear(res);
        return kedr_req_fail(r, KEDR_EDBDOWN, NULL, "database unavailable");
    }
    /* done with res before allocating: an allocation failure unwinds */
    snprintf(sqlstate, sizeof(sqlstate), "%s", state ? state : "XX000");
    primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    /* a NOT NULL column left empty: the client's to fix, named */
    if (strcmp(sqlstate, "23502") == 0 && res != NULL &&
        PQresultErrorField(res, PG_DIAG_COLUMN_NAME) != NULL)
        snprintf(column, sizeof(column), "%s",
                 PQresultErrorField(res, PG_DIAG_COLUMN_NAME));
    if (primary != NULL && (q1 = strchr(primary, '"')) != NULL &&
        (q2 = strrchr(primary, '"')) > q1 && (size_t)(q2 - q1) < sizeof(quoted))
        snprintf(quoted, sizeof(quoted), "%.*s", (int)(q2 - q1 - 1), q1 + 1);
    for (size_t i = 0; i < sizeof(db_input_errors) / sizeof(db_input_errors[0]);
         i++)
        if (strcmp(sqlstate, db_input_errors[i].state) == 0)
            input_why = db_input_errors[i].why;
    if (input_why != NULL || column[0] != '\0')
        kedr_info("database: %s refused a value: %s", what, msg ? msg : "");
    else
        kedr_error("database: %s failed: %s", what, msg ? msg : "");
    if (res != NULL)
        PQclear(res);
    r->sqlstate = kedr_arena_strdup(&r->arena, sqlstate);
    if (input_why != NULL)
        return db_input_fail(r, input_why, quoted[0] ? quoted : NULL);
    if (column[0] != '\0')
        return kedr_req_fail(r, KEDR_EINVAL,
                             kedr_arena_strdup(&r->arena, column),
                             "is required");
    return kedr_req_fail(r, KEDR_EDB, NULL, "database error");
}

/* Whether this database call of the request is to fail (fault builds; see
 * core.h): counted while the request's recovery point is set. */
static bool
db_fault_hit(struct kedr_req *r)
{
    return r->arena.recover != NULL && kedr_fault_db();
}

/* Fail a call as a PostgreSQL error would, without touching the server. */
static int
db_fault(struct kedr_req *r, const char *what)
{
    r->sqlstate = "XX000";
    kedr_error("database: %s failed: injected fault", what);
    return kedr_req_fail(r, KEDR_EDB, NULL, "database error");
}

/* The request's BEGIN: READ WRITE spelled out, since a worker's session
 * is read-only by default. */
static const char *
db_begin_sql(const struct kedr_req *r)
{
    return r->readonly ? "BEGIN READ ONLY" : "BEGIN READ WRITE";
}

/* Whether the request's next statement would run on another session than
 * its identity statement did: the connection broke and was (or is to be)
 * opened again, without the caller's settings. */
static bool
db_lost_identity(const struct kedr_req *r)
{
    return r->db_gen != 0 &&
           (db_conn == NULL || PQstatus(db_conn) != CONNECTION_OK ||
            db_gen != r->db_gen);
}

/* In an open transaction: reset the settings an earlier request left when
 * this one has not set its own (the rare path; db_run_first pipelines the
 * reset).  0 or a code. */
static int
db_reset_if_scoped(struct kedr_req *r)
{
    PGresult *res;

    if (!db_scoped || r->db_ident)
        return 0;
    res = PQexec(db_conn, db_reset_sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return db_fail(r, res, "reset");
    PQclear(res);
    db_reset_tx = true;
    return 0;
}

static int
db_begin(struct kedr_req *r)
{
    const char *sql = db_begin_sql(r);
    PGresult *res;

    if (r->in_tx)
        return 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (kedr_db_connect() != 0 || db_lost_identity(r)) {
            r->sqlstate = "08006";
            return kedr_req_fail(r, KEDR_EDBDOWN, NULL, "database unavailable");
        }
        res = PQexec(db_conn, sql);
        if (PQresultStatus(res) == PGRES_COMMAND_OK) {
            PQclear(res);
            r->in_tx = true;
            db_reset_tx = false;
            return db_reset_if_scoped(r);
        }
        if (PQstatus(db_conn) == CONNECTION_OK || attempt == 1)
            return db_fail(r, res, "begin");
        /* nothing has run in this request yet: reconnect and retry */
        PQclear(res);
    }
    return KEDR_EDB;
}

static const char *
db_stmt_find(const char *sql, uint64_t h)
{
    for (size_t i = 0; i < db_nstmts; i++)
        if (db_stmts[i].hash == h && strcmp(db_stmts[i].sql, sql) == 0)
            return db_stmts[i].name;
    return NULL;
}

/* Reserve the next cache entry for `sql` (not yet counted in db_nstmts
 * until its PREPARE succeeded: see db_stmt_commit). */
static struct db_stmt *
db_stmt_reserve(void)
{
    struct db_stmt *st;

    if (db_nstmts == DB_MAX_STMTS) {
        /* a module building SQL text dynamically: start over */
        PGresult *res = PQexec(db_conn, "DEALLOCATE ALL");

        PQclear(res);
        db_stmts_clear();
    }
    if (db_nstmts == db_capstmts) {
        db_capstmts = db_capstmts ? db_capstmts * 2 : 64;
        db_stmts = kedr_xrealloc(db_stmts, db_capstmts * sizeof(*db_stmts));
    }
    st = &db_stmts[db_nstmts];
    snprintf(st->name, sizeof(st->name), "k%u", ++db_stmt_seq);
    return st;
}

static void
db_stmt_commit(struct db_stmt *st, const char *sql, uint64_t h)
{
    st->hash = h;
    st->sql = kedr_xstrdup(sql);
    db_nstmts++;
}

static const char *
db_stmt_name(struct kedr_req *r, const char *sql, int *rc)
{
    uint64_t h = fnv1a(sql);
    const char *name = db_stmt_find(sql, h);
    struct db_stmt *st;
    PGresult *res;

    if (name != NULL)
        return name;
    st = db_stmt_reserve();
    res = PQprepare(db_conn, st->name, sql, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        *rc = db_fail(r, res, "prepare");
        return NULL;
    }
    PQclear(res);
    db_stmt_commit(st, sql, h);
    return st->name;
}

static void
db_result_free(void *p)
{
    PQclear(p);
}

/* The next command's result in pipeline mode, its terminating NULL
 * consumed; NULL when the connection broke. */
static PGresult *
pipe_result(void)
{
    PGresult *res = PQgetResult(db_conn), *end;

    if (res != NULL && PQresultStatus(res) != PGRES_PIPELINE_SYNC &&
        (end = PQgetResult(db_conn)) != NULL)
        PQclear(end); /* not expected: a NULL ends each command */
    return res;
}

static bool
res_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);

    return res != NULL && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK);
}

/*
 * The request's first statement: BEGIN, PREPARE when the statement is new,
 * and EXECUTE go out together in one pipeline, so opening the transaction
 * costs no extra round trip.  Without `begin` (a lazy read, see the top)
 * the pipeline has no BEGIN and the statement is its own transaction,
 * ended by the pipeline's Sync whether it succeeded or failed.  When the
 * session may hold an earlier request's settings and this request has set
 * none of its own, the reset goes first in the same pipeline (after BEGIN:
 * a READ WRITE transaction must begin before any query).  A connection
 * found broken (the server restarted while we were idle) is reopened and
 * the whole batch retried once when nothing of this request has run yet;
 * after its identity statement the request fails instead.
 */
static PGresult *
db_run_first(struct kedr_req *r, const char *sql, int n,
             const char *const *params, bool begin, int *rc)
{
    uint64_t h = fnv1a(sql);

    for (int attempt = 0;; attempt++) {
        PGresult *rb, *rr, *rp = NULL, *rq, *rs;
        struct db_stmt *st = NULL;
        const char *name;
        bool sent, reset;

        if (kedr_db_connect() != 0 || db_lost_identity(r)) {
            r->sqlstate = "08006";
            *rc = kedr_req_fail(r, KEDR_EDBDOWN, NULL, "database unavailable");
            return NULL;
        }
        reset = db_scoped && !r->db_ident;
        name = db_stmt_find(sql, h);
        if (name == NULL) {
            st = db_stmt_reserve();
            name = st->name;
        }
        sent =
            PQenterPipelineMode(db_conn) == 1 &&
            (!begin || PQsendQueryParams(db_conn, db_begin_sql(r), 0, NULL,
                                         NULL, NULL, NULL, 0) == 1) &&
            (!reset || PQsendQueryParams(db_conn, db_reset_sql, 0, NULL, NULL,
                                         NULL, NULL, 0) == 1) &&
            (st == NULL ||
             PQsendPrepare(db_conn, st->name, sql, 0, NULL) == 1) &&
            PQsendQueryPrepared(db_conn, name, n, params, NULL, NULL, 0) == 1 &&
            PQpipelineSync(db_conn) == 1;
        rb = sent && begin ? pipe_result() : NULL;
        rr = sent && reset ? pipe_result() : NULL;
        rp = sent && st != NULL ? pipe_result() : NULL;
        rq = sent ? pipe_result() : NULL;
        rs = sent ? pipe_result() : NULL;
        if (rs != NULL)
            PQclear(rs);
        if (!sent || PQexitPipelineMode(db_conn) != 1 ||
            PQstatus(db_conn) != CONNECTION_OK) {
            PQclear(rb);
            PQclear(rr);
            PQclear(rp);
            PQclear(rq);
            PQfinish(db_conn); /* in an unknown state: start afresh */
            db_conn = NULL;
            if (attempt == 0 && r->db_gen == 0)
                continue;
            r->sqlstate = "08006";
            *rc = kedr_req_fail(r, KEDR_EDBDOWN, NULL, "database unavailable");
            return NULL;
        }
        if (begin && !res_ok(rb)) {
            PQclear(rr);
            PQclear(rp);
            PQclear(rq);
            *rc = db_fail(r, rb, "begin");
            return NULL;
        }
        PQclear(rb);
        r->in_tx = begin;
        if (reset && !res_ok(rr)) {
            PQclear(rp);
            PQclear(rq);
            *rc = db_fail(r, rr, "reset");
            return NULL;
        }
        PQclear(rr);
        /* its own transaction committed at the Sync: the session is
         * nobody's (in an open transaction: once that commits) */
        if (reset && !begin && res_ok(rq))
            db_scoped = false;
        db_reset_tx = reset && begin;
        if (st != NULL) {
            if (!res_ok(rp)) {
                PQclear(rq);
                *rc = db_fail(r, rp, "prepare");
                return NULL;
            }
            PQclear(rp);
            db_stmt_commit(st, sql, h);
        }
        return rq;
    }
}

/* Whether a statement sets something that lasts until its transaction
 * ends (set_config(..., true), an xact lock, a cursor) for the
 * statements after it: it must open the request's transaction rather
 * than run in one of its own.  (An export's first statement is its
 * DECLARE ... CURSOR, which PostgreSQL refuses outside a block.) */
static bool
db_needs_block(const char *sql)
{
    return strstr(sql, "set_config") != NULL ||
           strstr(sql, "_xact_lock") != NULL ||
           strncasecmp(sql, "DECLARE ", 8) == 0;
}

/* Run a statement in the request's transaction.  Returns the result (freed
 * with the request) or NULL with the error recorded in *rc. */
static PGresult *
db_run(struct kedr_req *r, const char *sql, int n, const char *const *params,
       int *rc)
{
    const char *name;
    PGresult *res;

    if (db_fault_hit(r)) {
        *rc = db_fault(r, "query");
        return NULL;
    }
    if (!r->in_tx) {
        /* a lazy read's identity statement and its first other statement
         * go without BEGIN, the next one opens the transaction */
        bool identifying = r->db_ident && r->db_gen == 0;
        bool begin =
            !r->db_lazy || !db_worker || (!identifying && db_needs_block(sql));

        r->db_lazy = false;
        res = db_run_first(r, sql, n, params, begin, rc);
        if (res == NULL)
            return NULL;
    } else {
        name = db_stmt_name(r, sql, rc);
        if (name == NULL)
            return NULL;
        res = PQexecPrepared(db_conn, name, n, params, NULL, NULL, 0);
    }
    if (!res_ok(res)) {
        *rc = db_fail(r, res, "query");
        return NULL;
    }
    kedr_arena_on_cleanup(&r->arena, db_result_free, res);
    r->sqlstate = NULL;
    return res;
}

kedr_rows_t *
kedr_db_identify(struct kedr_req *r, const char *sql, int n,
                 const char *const *params)
{
    bool lazy = r->db_lazy;
    int rc;
    PGresult *res;

    /* the request's first statement: nothing to reset before it, it
     * overwrites them (or finds nobody, and the request ends) */
    r->db_ident = true;
    db_scoped = true;
    res = db_run(r, sql, n, params, &rc);
    r->db_lazy = lazy && !r->in_tx; /* the handler's first statement too */
    r->db_gen = db_gen;
    return (kedr_rows_t *)res;
}

kedr_rows_t *
kedr_core_db_query(kedr_req_t *r, const char *sql, int n,
                   const char *const *params)
{
    int rc;

    return (kedr_rows_t *)db_run(r, sql, n, params, &rc);
}

int
kedr_core_db_exec(kedr_req_t *r, const char *sql, int n,
                  const char *const *params)
{
    int rc;
    PGresult *res = db_run(r, sql, n, params, &rc);

    if (res == NULL)
        return rc;
    return atoi(PQcmdTuples(res));
}

int
kedr_core_db_json(kedr_req_t *r, const char *sql, int n,
                  const char *const *params, const char **out)
{
    int rc;
    PGresult *res = db_run(r, sql, n, params, &rc);

    *out = NULL;
    if (res == NULL)
        return rc;
    if (PQntuples(res) > 0 && PQnfields(res) > 0 && !PQgetisnull(res, 0, 0))
        *out = PQgetvalue(res, 0, 0);
    return 0;
}

int
kedr_core_reply_db_json(kedr_req_t *r, int status, const char *sql, int n,
                        const char *const *params)
{
    const char *json;
    int rc = kedr_core_db_json(r, sql, n, params, &json);

    if (rc != 0)
        return rc;
    if (json == NULL)
        return kedr_req_fail(r, KEDR_ENOTFOUND, NULL, "not found");
    r->status = status;
    r->content_type = "application/json";
    r->out = json; /* lives with the result until the request ends */
    r->outlen = strlen(json);
    return 0;
}

int
kedr_core_db_copy_begin(kedr_req_t *r, const char *sql)
{
    PGresult *res;
    int rc;

    if (db_fault_hit(r))
        return db_fault(r, "copy");
    rc = db_begin(r);
    if (rc != 0)
        return rc;
    res = PQexec(db_conn, sql);
    if (PQresultStatus(res) != PGRES_COPY_IN)
        return db_fail(r, res, "copy");
    PQclear(res);
    return 0;
}

int
kedr_core_db_copy_put(kedr_req_t *r, const char *data, size_t len)
{
    if (db_fault_hit(r))
        return db_fault(r, "copy");
    while (len > 0) {
        int chunk = len > (1u << 30) ? (1 << 30) : (int)len;

        if (PQputCopyData(db_conn, data, chunk) != 1)
            return db_fail(r, NULL, "copy");
        data += chunk;
        len -= (size_t)chunk;
    }
    return 0;
}

int
kedr_core_db_copy_end(kedr_req_t *r)
{
    PGresult *res;

    if (db_fault_hit(r))
        return db_fault(r, "copy");
    if (PQputCopyEnd(db_conn, NULL) != 1)
        return db_fail(r, NULL, "copy");
    res = PQgetResult(db_conn);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return db_fail(r, res, "copy");
    PQclear(res);
    while ((res = PQgetResult(db_conn)) != NULL)
        PQclear(res);
    return 0;
}

const char *
kedr_core_db_sqlstate(kedr_req_t *r)
{
    return r->sqlstate;
}

int
kedr_core_rows_count(const kedr_rows_t *rows)
{
    return PQntuples((const PGresult *)rows);
}

const char *
kedr_core_rows_get(const kedr_rows_t *rows, int row, int col)
{
    const PGresult *res = (const PGresult *)rows;

    if (row < 0 || row >= PQntuples(res) || col < 0 || col >= PQnfields(res))
        return NULL;
    return PQgetvalue(res, row, col);
}

bool
kedr_core_rows_isnull(const kedr_rows_t *rows, int row, int col)
{
    const PGresult *res = (const PGresult *)rows;

    if (row < 0 || row >= PQntuples(res) || col < 0 || col >= PQnfields(res))
        return true;
    return PQgetisnull(res, row, col) != 0;
}

int
kedr_db_finish(struct kedr_req *r, bool commit)
{
    PGresult *res;
    bool ok, reset_tx = db_reset_tx;

    if (!r->in_tx)
        return 0;
    db_reset_tx = false;
    if (commit && db_fault_hit(r)) {
        (void)kedr_db_finish(r, false);
        return db_fault(r, "commit");
    }
    r->in_tx = false;
    if (db_conn == NULL)
        return commit ? kedr_req_fail(r, KEDR_EDBDOWN, NULL,
                                      "database unavailable")
                      : 0;
    if (r->readonly) {
        /* nothing to make durable: send the end and read its answer
         * before the connection's next use, while the response goes out */
        if (commit && reset_tx &&
            PQtransactionStatus(db_conn) == PQTRANS_INTRANS)
            db_scoped = false; /* a read-only COMMIT of a sound one holds */
        if (PQsendQuery(db_conn, "COMMIT") == 1)
            db_pending = true;
        return 0;
    }
    res = PQexec(db_conn, commit ? "COMMIT" : "ROLLBACK");
    ok = PQresultStatus(res) == PGRES_COMMAND_OK &&
         (!commit || strcmp(PQcmdStatus(res), "COMMIT") == 0);
    if (ok && commit && reset_tx)
        db_scoped = false;
    if (ok) {
        PQclear(res);
        return 0;
    }
    if (!commit) {
        PQclear(res);
        return 0;
    }
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        /* COMMIT of an aborted transaction answers ROLLBACK */
        PQclear(res);
        return kedr_req_fail(r, KEDR_EDB, NULL, "transaction rolled back");
    }
    if (PQresultErrorField(res, PG_DIAG_SQLSTATE) != NULL &&
        strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE), "40001") == 0) {
        PQclear(res);
        return kedr_req_fail(r, KEDR_ECONFLICT, NULL,
                             "concurrent update, retry");
    }
    return db_fail(r, res, "commit");
}

/* A statement without parameters on the connection; whether it ran. */
static bool
db_cmd(const char *sql)
{
    PGresult *res = PQexec(db_conn, sql);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;

    if (!ok)
        kedr_warn("database: %s: %s", sql, PQerrorMessage(db_conn));
    PQclear(res);
    return ok;
}

int
kedr_db_exec_now(const char *sql, int n, const char *const *params)
{
    PGresult *res;
    int rc = 0;

    if (kedr_db_connect() != 0)
        return KEDR_EDBDOWN;
    /* a worker's session is read-only by default: say this one writes */
    if (db_worker && !db_cmd("BEGIN READ WRITE"))
        return KEDR_EDB;
    res = PQexecParams(db_conn, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK &&
        PQresultStatus(res) != PGRES_TUPLES_OK) {
        kedr_warn("database: %s", PQerrorMessage(db_conn));
        rc = KEDR_EDB;
    }
    PQclear(res);
    if (db_worker && !db_cmd(rc == 0 ? "COMMIT" : "ROLLBACK"))
        rc = KEDR_EDB;
    return rc;
}

int
kedr_pg_rows_column(const kedr_rows_t *rows, const char *name)
{
    const PGresult *res = (const PGresult *)rows;

    for (int i = 0; i < PQnfields(res); i++)
        if (strcmp(PQfname(res, i), name) == 0)
            return i;
    return -1;
}

void
kedr_db_slot_clear(kedr_rows_t **slot)
{
    if (*slot != NULL)
        PQclear((PGresult *)*slot);
    *slot = NULL;
}

int
kedr_db_query_into(struct kedr_req *r, const char *sql, int n,
                   const char *const *params, kedr_rows_t **slot)
{
    PGresult *res;
    int rc;

    kedr_db_slot_clear(slot);
    if (db_fault_hit(r))
        return db_fault(r, "query");
    rc = db_begin(r);
    if (rc != 0)
        return rc;
    res = PQexecParams(db_conn, sql, n, NULL, params, NULL, NULL, 0);
    if (!res_ok(res))
        return db_fail(r, res, "query");
    r->sqlstate = NULL;
    *slot = (kedr_rows_t *)res;
    return 0;
}
