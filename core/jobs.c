/*
 * jobs.c -- durable jobs (core.job): work too long for a request, queued
 * by a request and run by the jobs worker of any host.
 *
 * The one kind today is a replayed route: kedr_import_csv, given more
 * rows than server.import_job_rows, keeps the request's method, URI,
 * Content-Type and body with the sender's identity in core.job and
 * answers 202.  The jobs worker claims the job (FOR UPDATE SKIP LOCKED),
 * rebuilds the request as the same user or API token -- permissions and
 * scope as they are now, not as they were -- and runs the route's handler
 * as a request would (server.c), so the module's code runs unchanged.
 * The answer it would have sent (status and JSON body) becomes the job's
 * result; GET /api/v1/jobs/:id shows it to the job's owner.
 *
 * The worker keeps a second connection (the "job connection"): it
 * claims the job there and holds a session advisory lock on it while it
 * runs, and writes progress there, outside the import's own transaction,
 * so GET /jobs/:id sees the count move.  A job found 'running' whose lock
 * nobody holds lost its worker (a crash, a kill, the database connection
 * gone): it is marked failed, never run twice by itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core.h"

/* pg_advisory_lock(JOBS_LOCK_CLASS, id): the two-key form, so the job
 * ids never meet another user of advisory locks */
#define JOBS_LOCK_CLASS "1263488"
#define JOBS_PROGRESS_MS 250 /* at most one progress write per this */

/* The job as the API shows it. */
#define JOB_JSON                                                               \
    "json_build_object('id', j.id, 'kind', j.kind, 'state', j.state, "         \
    "'uri', j.uri, 'progress', json_build_object('done', j.done, 'total', "    \
    "j.total), 'status', j.status, 'result', j.result, 'error', j.error, "     \
    "'created_at', j.created_at, 'started_at', j.started_at, 'finished_at', "  \
    "j.finished_at)"

/* $1 module, $2 method, $3 uri, $4 content type, $5 body (bytea hex),
 * $6 user id, $7 token id (0: none), $8 total */
static const char jobs_insert_sql[] =
    "INSERT INTO core.job AS j (kind, module, method, uri, content_type, "
    "input, user_id, token_id, total) VALUES ('route', $1, $2, $3, $4, "
    "$5::bytea, nullif($6::bigint, 0), nullif($7::bigint, 0), $8::bigint) "
    "RETURNING j.id::text, " JOB_JSON "::text";

/* the caller's jobs: $1 user id, $2 token id (0: none) */
#define JOBS_MINE                                                              \
    "((j.user_id = nullif($1::bigint, 0) AND j.token_id IS NULL) OR "          \
    "j.token_id = nullif($2::bigint, 0))"

static const char jobs_get_sql[] =
    "SELECT " JOB_JSON
    "::text FROM core.job j WHERE j.id = $3::bigint AND " JOBS_MINE;

/* without "result": an import's report can be large; GET /jobs/:id has it */
/* the file of the caller's job: large object, name, type */
static const char jobs_file_sql[] =
    "SELECT j.file_oid::text, j.file_name, j.file_type FROM core.job j "
    "WHERE j.id = $3::bigint AND j.file_oid IS NOT NULL AND " JOBS_MINE;

static const char jobs_list_sql[] =
    "SELECT coalesce(json_agg(x.doc ORDER BY x.id DESC), '[]')::text FROM "
    "(SELECT j.id, " JOB_JSON "::jsonb - 'result' AS doc FROM core.job j "
    "WHERE " JOBS_MINE " ORDER BY j.id DESC LIMIT 50) x";

/* On the job connection. */
static const char jobs_sweep_sql[] =
    "UPDATE core.job SET state = 'failed', input = NULL, finished_at = "
    "now(), error = 'the worker running the job stopped; send the file "
    "again' WHERE id IN (SELECT id FROM core.job WHERE state = 'running' "
    "FOR UPDATE SKIP LOCKED) AND pg_try_advisory_xact_lock(" JOBS_LOCK_CLASS
    ", (id % 2147483647)::int)";
static const char jobs_claim_sql[] =
    "UPDATE core.job j SET state = 'running', started_at = now() WHERE "
    "j.id = (SELECT id FROM core.job WHERE state = 'queued' ORDER BY id "
    "LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING j.id, j.method, j.uri, "
    "coalesce(j.content_type, ''), j.input, coalesce(j.user_id, 0), "
    "coalesce(j.token_id, 0), pg_advisory_lock(" JOBS_LOCK_CLASS
    ", (j.id % 2147483647)::int)";
static const char jobs_progress_sql[] =
    "UPDATE core.job SET done = $2 WHERE id = $1";
static const char jobs_total_sql[] =
    "UPDATE core.job SET total = $2 WHERE id = $1";
/* an export's file (sql/0014_export_jobs.sql) a day after its job ended:
 * the trigger unlinks the large object */
static const char jobs_files_sweep_sql[] =
    "UPDATE core.job SET file_oid = NULL WHERE id IN (SELECT id FROM "
    "core.job WHERE file_oid IS NOT NULL AND finished_at < now() - "
    "interval '1 day' FOR UPDATE SKIP LOCKED)";
/* $1 id, $2 state, $3 status, $4 result, $5 error */
static const char jobs_finish_sql[] =
    "UPDATE core.job SET state = $2, status = $3::int, result = $4::jsonb, "
    "error = $5, input = NULL, finished_at = now(), done = CASE WHEN $2 = "
    "'done' THEN coalesce(total, done) ELSE done END WHERE id = $1";
static const char jobs_unlock_sql[] =
    "SELECT pg_advisory_unlock(" JOBS_LOCK_CLASS
    ", ($1::bigint % 2147483647)::int)";

static PGconn *jobs_conn;     /* the job connection (jobs worker only) */
static uint64_t jobs_last_ms; /* the last progress write */

/* ------------------------------------------------------------------ */
/* queueing, from a request                                            */
/* ------------------------------------------------------------------ */

int
kedr_jobs_queue(struct kedr_req *r, long total)
{
    static const char hex[] = "0123456789abcdef";
    const char *uri = kedr_req_env(r, "REQUEST_URI");
    const char *ct = kedr_req_env(r, "CONTENT_TYPE");
    char uid[24], tid[24], tot[24];
    char *body = kedr_arena_alloc(&r->arena, 2 * r->body_len + 3);
    kedr_rows_t *rows;
    const char *doc;

    body[0] = '\\';
    body[1] = 'x';
    for (size_t i = 0; i < r->body_len; i++) {
        body[2 + 2 * i] = hex[(unsigned char)r->body_raw[i] >> 4];
        body[3 + 2 * i] = hex[(unsigned char)r->body_raw[i] & 15];
    }
    body[2 + 2 * r->body_len] = '\0';
    snprintf(uid, sizeof(uid), "%lld", (long long)r->user_id);
    snprintf(tid, sizeof(tid), "%lld", (long long)r->token_id);
    snprintf(tot, sizeof(tot), "%ld", total);
    rows = kedr_core_db_query(
        r, jobs_insert_sql, 8,
        (const char *const[]){r->mod != NULL ? r->mod->name : NULL, r->method,
                              uri != NULL && uri[0] != '\0' ? uri : r->path, ct,
                              body, uid, tid, total >= 0 ? tot : NULL});
    if (rows == NULL)
        return r->err_code != 0 ? r->err_code : KEDR_EDB;
    kedr_api->set_header(r, "Location",
                         kedr_arena_sprintf(&r->arena, "/api/v1/jobs/%s",
                                            kedr_core_rows_get(rows, 0, 0)));
    kedr_info("job %s queued: %s rows", kedr_core_rows_get(rows, 0, 0),
              total >= 0 ? tot : "?");
    doc = kedr_arena_sprintf(&r->arena, "{\"job\": %s}",
                             kedr_core_rows_get(rows, 0, 1));
    return kedr_api->reply_raw(r, 202, "application/json", doc, strlen(doc));
}

/* ------------------------------------------------------------------ */
/* the routes                                                          */
/* ------------------------------------------------------------------ */

/* GET /jobs/:id: the caller's own job; anyone else's is 404. */
static int
jobs_get(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    char uid[24], tid[24];

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such job");
    snprintf(uid, sizeof(uid), "%lld", (long long)r->user_id);
    snprintf(tid, sizeof(tid), "%lld", (long long)r->token_id);
    return kedr_reply_db_json(r, 200, jobs_get_sql, KEDR_PARAMS(uid, tid, id));
}

/* GET /jobs/:id/file: the file an export job wrote, to its owner only;
 * anyone else's, or one already dropped, is 404. */
static int
jobs_file(kedr_req_t *r)
{
    const char *id = kedr_param_id(r, "id");
    char uid[24], tid[24];
    kedr_rows_t *rows;

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such file");
    snprintf(uid, sizeof(uid), "%lld", (long long)r->user_id);
    snprintf(tid, sizeof(tid), "%lld", (long long)r->token_id);
    rows = kedr_core_db_query(r, jobs_file_sql, 3,
                              (const char *const[]){uid, tid, id});
    if (rows == NULL)
        return r->err_code != 0 ? r->err_code : KEDR_EDB;
    if (kedr_core_rows_count(rows) == 0)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such file");
    return kedr_export_send_kept(r, kedr_core_rows_get(rows, 0, 0),
                                 kedr_core_rows_get(rows, 0, 1),
                                 kedr_core_rows_get(rows, 0, 2));
}

/* GET /jobs: the caller's 50 latest jobs, newest first, without their
 * results. */
static int
jobs_list(kedr_req_t *r)
{
    char uid[24], tid[24];

    snprintf(uid, sizeof(uid), "%lld", (long long)r->user_id);
    snprintf(tid, sizeof(tid), "%lld", (long long)r->token_id);
    return kedr_reply_db_json(r, 200, jobs_list_sql, KEDR_PARAMS(uid, tid));
}

const struct kedr_route kedr_jobs_routes[] = {
    {.method = "GET", .path = "/jobs", .handler = jobs_list},
    {.method = "GET", .path = "/jobs/:id", .handler = jobs_get},
    {.method = "GET", .path = "/jobs/:id/file", .handler = jobs_file},
    {0},
};

/* ------------------------------------------------------------------ */
/* running, in the jobs worker                                         */
/* ------------------------------------------------------------------ */

/* The job connection, (re)connected: NULL when the database is down. */
static PGconn *
jobs_db(void)
{
    static const char *const keys[] = {"connect_timeout", "dbname",
                                       "fallback_application_name", NULL};
    const char *vals[] = {"5", kedr_srv.conf->db_url, "kedr-jobs", NULL};

    if (jobs_conn != NULL && PQstatus(jobs_conn) == CONNECTION_OK)
        return jobs_conn;
    if (jobs_conn != NULL)
        PQfinish(jobs_conn);
    jobs_conn = PQconnectdbParams(keys, vals, 1);
    if (jobs_conn != NULL && PQstatus(jobs_conn) == CONNECTION_OK)
        return jobs_conn;
    PQfinish(jobs_conn);
    jobs_conn = NULL;
    return NULL;
}

/* A statement on the job connection; its result (the caller clears it),
 * or NULL when it failed (logged). */
static PGresult *
jobs_exec(const char *sql, int n, const char *const *params)
{
    PGconn *c = jobs_db();
    PGresult *res;

    if (c == NULL)
        return NULL;
    res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_COMMAND_OK ||
        PQresultStatus(res) == PGRES_TUPLES_OK)
        return res;
    kedr_warn("jobs: %s", PQerrorMessage(c));
    PQclear(res);
    return NULL;
}

void
kedr_jobs_progress(struct kedr_req *r, long done)
{
    uint64_t now = kedr_now_ms();
    char id[24], n[24];

    if (r->job_id == 0 || now - jobs_last_ms < JOBS_PROGRESS_MS)
        return;
    jobs_last_ms = now;
    snprintf(id, sizeof(id), "%lld", (long long)r->job_id);
    snprintf(n, sizeof(n), "%ld", done);
    PQclear(jobs_exec(jobs_progress_sql, 2, (const char *const[]){id, n}));
}

void
kedr_jobs_total(struct kedr_req *r, long total)
{
    char id[24], n[24];

    if (r->job_id == 0)
        return;
    snprintf(id, sizeof(id), "%lld", (long long)r->job_id);
    snprintf(n, sizeof(n), "%ld", total);
    PQclear(jobs_exec(jobs_total_sql, 2, (const char *const[]){id, n}));
}

/* "\x4142..." (bytea's hex output) decoded in place; its length. */
static size_t
jobs_unhex(char *s)
{
    size_t n = 0;

    if (s[0] != '\\' || s[1] != 'x')
        return 0;
    for (const char *p = s + 2; p[0] != '\0' && p[1] != '\0'; p += 2) {
        int hi = p[0] <= '9' ? p[0] - '0' : (p[0] | 0x20) - 'a' + 10;
        int lo = p[1] <= '9' ? p[1] - '0' : (p[1] | 0x20) - 'a' + 10;

        s[n++] = (char)(hi << 4 | lo);
    }
    s[n] = '\0';
    return n;
}

/* Run the claimed job in row 0 of `res` as its request, then record its
 * answer and let its lock go. */
static void
jobs_run_one(struct kedr_req *r, PGresult *res)
{
    const char *id = PQgetvalue(res, 0, 0);
    char *input = PQgetvalue(res, 0, 4);
    const char *state, *status, *result, *error = NULL;
    const char *uri = PQgetvalue(res, 0, 2), *q = strchr(uri, '?');
    char st[8], **envp;
    size_t len = jobs_unhex(input);
    int rc;

    kedr_req_reset(r);
    envp = kedr_arena_alloc(&r->arena, 6 * sizeof(char *));
    r->start_us = kedr_now_us();
    envp[0] = kedr_arena_sprintf(&r->arena, "REQUEST_METHOD=%s",
                                 PQgetvalue(res, 0, 1));
    envp[1] = kedr_arena_sprintf(&r->arena, "REQUEST_URI=%s", uri);
    envp[2] =
        kedr_arena_sprintf(&r->arena, "CONTENT_TYPE=%s", PQgetvalue(res, 0, 3));
    envp[3] = kedr_arena_sprintf(&r->arena, "CONTENT_LENGTH=%zu", len);
    envp[4] = kedr_arena_sprintf(&r->arena, "QUERY_STRING=%s",
                                 q != NULL ? q + 1 : "");
    envp[5] = NULL;
    rc = kedr_req_parse_params(r, envp);
    r->readonly = false; /* a replayed GET (an export) writes its file */
    r->rid = kedr_arena_sprintf(&r->arena, "job-%s", id);
    kedr_log_rid = r->rid;
    r->job_id = strtoll(id, NULL, 10);
    r->user_id = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
    r->token_id = strtoll(PQgetvalue(res, 0, 6), NULL, 10);
    r->body_raw = len > 0 ? input : NULL;
    r->body_len = len;
    jobs_last_ms = 0;
    kedr_info("job %s started: %s %s", id, r->method, r->path);
    if (rc == 0)
        rc = kedr_server_replay(r);
    if (rc < 0)
        kedr_req_error_response(r, rc);
    snprintf(st, sizeof(st), "%d", r->status);
    state = r->status >= 200 && r->status < 300 ? "done" : "failed";
    status = st;
    result = r->outlen > 0 && r->content_type != NULL &&
                     strncmp(r->content_type, "application/json", 16) == 0
                 ? kedr_arena_strndup(&r->arena, r->out, r->outlen)
                 : NULL;
    if (r->status >= 300)
        error = r->err_msg != NULL && r->err_msg[0] != '\0'
                    ? r->err_msg
                    : kedr_status_text(r->status);
    PQclear(jobs_exec(jobs_finish_sql, 5,
                      (const char *const[]){id, state, status, result, error}));
    PQclear(jobs_exec(jobs_unlock_sql, 1, (const char *const[]){id}));
    kedr_info("job %s %s: %d in %.3fs", id, state, r->status,
              (double)(kedr_now_us() - r->start_us) / 1e6);
    r->job_id = 0;
    kedr_log_rid = NULL;
    kedr_log_module = NULL;
    kedr_arena_clear(&r->arena);
}

int
kedr_jobs_poll(struct kedr_req *r, const volatile sig_atomic_t *stop)
{
    PGresult *res;
    int ran = 0;

    PQclear(jobs_exec(jobs_sweep_sql, 0, NULL));
    PQclear(jobs_exec(jobs_files_sweep_sql, 0, NULL));
    while (!*stop && (res = jobs_exec(jobs_claim_sql, 0, NULL)) != NULL) {
        if (PQntuples(res) == 0) {
            PQclear(res);
            break;
        }
        jobs_run_one(r, res);
        PQclear(res);
        ran++;
    }
    return ran;
}

void
kedr_jobs_close(void)
{
    if (jobs_conn != NULL)
        PQfinish(jobs_conn);
    jobs_conn = NULL;
}
