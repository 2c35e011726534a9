/*
 * import.c -- kedr_import_csv: a CSV file in the request body, row by row
 * through a module's function, each row under a savepoint, all or nothing.
 *
 *   SAVEPOINT kedr_import                 (the whole import)
 *     per row: SAVEPOINT kedr_import_row; fn();
 *              RELEASE it, or ROLLBACK TO it when fn failed
 *   dry run: ROLLBACK TO SAVEPOINT kedr_import; answer 200
 *   a row failed: answer 422 (the core rolls the transaction back)
 *
 * A row's failure is moved out of the request (its field errors, message
 * and SQLSTATE) into the report, so the next row starts clean and the
 * request's own error state only ever holds what fails the import.
 *
 * Rows go in batches while none has failed: one savepoint for up to
 * IMPORT_BATCH rows instead of one each (a savepoint is two round trips
 * and a subtransaction; 100,000 of them in one transaction are what made
 * a big import crawl).  When a row of a batch fails, the batch is rolled
 * back to its savepoint and run again row by row as above, so the report
 * is the same as without batches; the rest of the file then goes row by
 * row too (the import fails anyway: it only has to report).
 *
 * With a set-wise path (kedr_import_run_sets, the kit's import), a batch
 * is collected first and given to it whole; when it does not take the
 * batch, the rows go one by one as above.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static const char import_sp_sql[] = "SAVEPOINT kedr_import";
static const char import_sp_back_sql[] = "ROLLBACK TO SAVEPOINT kedr_import";
static const char import_row_sql[] = "SAVEPOINT kedr_import_row";
static const char import_row_ok_sql[] = "RELEASE SAVEPOINT kedr_import_row";
static const char import_row_back_sql[] =
    "ROLLBACK TO SAVEPOINT kedr_import_row";
static const char import_batch_sql[] = "SAVEPOINT kedr_import_batch";
static const char import_batch_ok_sql[] = "RELEASE SAVEPOINT kedr_import_batch";
static const char import_batch_back_sql[] =
    "ROLLBACK TO SAVEPOINT kedr_import_batch";

#define IMPORT_BATCH 500

/* The rows of the batch running, to run again one by one if one fails. */
struct import_batch {
    bool on; /* rows still go in batches */
    int n;   /* rows in the open batch (its savepoint is set when n > 0) */
    json_t *row[IMPORT_BATCH], *res[IMPORT_BATCH];
};

static void
import_decref(void *p)
{
    json_decref(p);
}

static void
import_csv_release(void *c)
{
    kedr_csv_release(c);
}

/* A JSON value the request owns from now on; NULL is out of memory. */
static json_t *
import_own(struct kedr_req *r, json_t *v)
{
    if (v == NULL)
        kedr_arena_fail(&r->arena);
    kedr_arena_on_cleanup(&r->arena, import_decref, v);
    return v;
}

static void
import_set(struct kedr_req *r, json_t *obj, const char *key, json_t *v)
{
    if (v == NULL || json_object_set_new(obj, key, v) != 0)
        kedr_arena_fail(&r->arena);
}

/* Map each header cell to a column (-1: an empty header, ignored).
 * 0, or KEDR_EINVAL with the bad headers recorded. */
static int
import_header(struct kedr_req *r, const struct kedr_import_col *cols,
              const struct kedr_csv_rec *rec, int *map)
{
    int bad = 0;

    for (size_t i = 0; i < rec->n; i++) {
        const char *h = rec->cells[i];
        map[i] = -1;
        if (kedr_csv_header_eq(h, ""))
            continue;
        for (int c = 0; cols[c].field != NULL && map[i] < 0; c++)
            if (kedr_csv_header_eq(h, cols[c].field) ||
                kedr_csv_header_eq(h, cols[c].label_ru) ||
                kedr_csv_header_eq(h, cols[c].label_en))
                map[i] = c;
        if (map[i] < 0) {
            kedr_api->field_error(
                r, "header",
                kedr_arena_sprintf(&r->arena, "unknown column \"%s\"", h));
            bad++;
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (map[j] == map[i]) {
                kedr_api->field_error(
                    r, "header",
                    kedr_arena_sprintf(&r->arena, "column \"%s\" given twice",
                                       h));
                bad++;
            }
    }
    for (size_t i = 0; i < rec->n && bad == 0; i++)
        if (map[i] >= 0)
            return 0;
    if (bad == 0)
        kedr_api->field_error(r, "header", "no column of this import");
    return kedr_req_fail(r, KEDR_EINVAL, NULL, "bad header row");
}

/* Whether every cell of a record is blank (";;;" lines Excel writes). */
static bool
import_blank(const struct kedr_csv_rec *rec)
{
    for (size_t i = 0; i < rec->n; i++)
        if (!kedr_csv_header_eq(rec->cells[i], ""))
            return false;
    return true;
}

/* The row's cells as a JSON object; conversion problems go into
 * `fields`.  Returns the number of problems. */
static int
import_row_json(struct kedr_req *r, const struct kedr_import_col *cols,
                const int *map, size_t nmap, const struct kedr_csv_rec *rec,
                json_t *row, json_t *fields)
{
    int bad = 0;

    for (size_t i = 0; i < rec->n; i++) {
        const char *why;
        json_t *v;

        if (i >= nmap || map[i] < 0) {
            if (!kedr_csv_header_eq(rec->cells[i], "") && i >= nmap) {
                import_set(r, fields, "file",
                           json_string("more cells than header columns"));
                bad++;
            }
            continue;
        }
        v = kedr_csv_cell_json(cols[map[i]].type, rec->cells[i], &why);
        if (v != NULL)
            import_set(r, row, cols[map[i]].field, v);
        else if (why != NULL) {
            import_set(r, fields, cols[map[i]].field, json_string(why));
            bad++;
        }
    }
    return bad;
}

/* Clear a failed row's error from the request: the report has it (or the
 * row runs again and reports it then). */
static void
import_clear_error(struct kedr_req *r)
{
    r->err_code = 0;
    r->err_msg = NULL;
    r->err_fields = NULL;
    r->sqlstate = NULL;
}

/* Run fn on one row under its savepoint.  Fills `res`; returns 1 when
 * the row went in, 0 when it failed, or a negative code (recorded) when
 * the import cannot go on. */
static int
import_row(struct kedr_req *r, kedr_import_row_pt fn, void *arg, json_t *row,
           json_t *res)
{
    json_t *out = NULL;
    int rc;

    rc = kedr_core_db_exec(r, import_row_sql, 0, NULL);
    if (rc < 0)
        return rc;
    rc = fn(r, row, arg, &out);
    if (out != NULL)
        import_set(r, res, "result", out);
    if (rc == 0 && r->err_code == 0 && r->err_fields == NULL) {
        rc = kedr_core_db_exec(r, import_row_ok_sql, 0, NULL);
        return rc < 0 ? rc : 1;
    }
    if (rc >= 0)
        rc = r->err_code != 0 ? r->err_code : KEDR_EINVAL;
    if (rc == KEDR_EDBDOWN)
        return rc; /* the connection is gone: nothing more can run */
    json_object_del(res, "result");
    if (r->err_fields != NULL)
        json_object_set(res, "fields", r->err_fields);
    import_set(r, res, "error",
               json_string(r->err_msg != NULL && r->err_msg[0] != '\0'
                               ? r->err_msg
                               : kedr_status_text(kedr_error_status(rc))));
    /* the row's failure is in the report now, not the request's; its
     * objects are freed by the cleanups that were registered for them */
    import_clear_error(r);
    rc = kedr_core_db_exec(r, import_row_back_sql, 0, NULL);
    return rc < 0 ? rc : 0;
}

static void
import_arena_release(void *a)
{
    kedr_arena_release(a);
}

/*
 * The data rows of the file after the header (blank lines not counted),
 * read with a scratch arena cleared as it goes: 0 with *n, or the 422 of
 * a malformed line or the 413 of too many rows, as the import itself
 * would answer them.  The scratch arena and the reader are released with
 * the request too, so an allocation failure in here unwinds the request
 * without a leak.
 */
static int
import_count(struct kedr_req *r, const char *text, size_t len, long *n)
{
    struct kedr_arena *scratch = kedr_arena_alloc(&r->arena, sizeof(*scratch));
    struct kedr_csv *csv = kedr_arena_alloc(&r->arena, sizeof(*csv));
    struct kedr_csv_rec rec;
    int rc;

    *n = 0;
    kedr_arena_init(scratch);
    kedr_arena_on_cleanup(&r->arena, import_arena_release, scratch);
    scratch->recover = r->arena.recover;
    kedr_csv_init(csv, text, len, kedr_csv_detect_sep(text, len));
    kedr_arena_on_cleanup(&r->arena, import_csv_release, csv);
    rc = kedr_csv_next(csv, scratch, &rec); /* the header */
    while (rc > 0 && (rc = kedr_csv_next(csv, scratch, &rec)) > 0) {
        if (!import_blank(&rec))
            ++*n;
        if (*n % 1000 == 0)
            kedr_arena_clear(scratch);
    }
    if (rc < 0)
        rc = kedr_req_fail(r, KEDR_EINVAL, "file", "line %u: %s", rec.line,
                           csv->err);
    else if (*n > kedr_srv.conf->import_max_rows)
        rc = kedr_req_fail(r, KEDR_ETOOLARGE, "file", "more than %d rows",
                           kedr_srv.conf->import_max_rows);
    kedr_csv_release(csv);
    kedr_arena_release(scratch); /* now: the import needs the memory */
    return rc;
}

/* Run fn on one row of a batch, without a savepoint of its own: 1 when
 * it went in, 0 when it failed (its error cleared: the batch runs again
 * row by row), or a negative code when the import cannot go on. */
static int
import_row_batched(struct kedr_req *r, kedr_import_row_pt fn, void *arg,
                   json_t *row, json_t *res)
{
    json_t *out = NULL;
    int rc = fn(r, row, arg, &out);

    if (out != NULL)
        import_set(r, res, "result", out);
    if (rc == 0 && r->err_code == 0 && r->err_fields == NULL)
        return 1;
    if (rc >= 0)
        rc = r->err_code != 0 ? r->err_code : KEDR_EINVAL;
    if (rc == KEDR_EDBDOWN)
        return rc;
    import_clear_error(r);
    return 0;
}

/* Close the open batch, its rows kept.  0 or a negative code. */
static int
import_batch_end(struct kedr_req *r, struct import_batch *b)
{
    int rc = 0;

    if (b->n > 0)
        rc = kedr_core_db_exec(r, import_batch_ok_sql, 0, NULL);
    b->n = 0;
    return rc < 0 ? rc : 0;
}

/* A row of the open batch failed: undo the batch and run its rows again
 * one by one under their own savepoints; no more batches after it.
 * 0 or a negative code. */
static int
import_batch_retry(struct kedr_req *r, struct import_batch *b,
                   kedr_import_row_pt fn, void *arg, long *nok, long *nfailed)
{
    int rc;

    *nok -= b->n - 1; /* the rows before the failed one, counted ok */
    b->on = false;
    if ((rc = kedr_core_db_exec(r, import_batch_back_sql, 0, NULL)) < 0 ||
        (rc = kedr_core_db_exec(r, import_batch_ok_sql, 0, NULL)) < 0)
        return rc;
    for (int i = 0; i < b->n; i++) {
        json_object_del(b->res[i], "result");
        rc = import_row(r, fn, arg, b->row[i], b->res[i]);
        if (rc < 0)
            return rc;
        import_set(r, b->res[i], "ok", json_boolean(rc == 1));
        if (rc == 1)
            ++*nok;
        else
            ++*nfailed;
    }
    b->n = 0;
    return 0;
}

/* The open batch, collected for the set-wise path: set_fn takes it all
 * (the rows ok, the batch closed), or its writes are undone and its rows
 * go one by one as without it (a failing row then sends the batch row by
 * row under savepoints, naming it).  0 or a negative code. */
static int
import_batch_flush(struct kedr_req *r, struct import_batch *b,
                   kedr_import_row_pt fn, kedr_import_set_pt set_fn, void *arg,
                   long *nok, long *nfailed)
{
    int rc;

    if (b->n == 0)
        return 0;
    if ((rc = set_fn(r, b->row, b->res, b->n, arg)) < 0)
        return rc;
    if (rc == 1) {
        for (int i = 0; i < b->n; i++)
            import_set(r, b->res[i], "ok", json_true());
        *nok += b->n;
        return import_batch_end(r, b);
    }
    import_clear_error(r);
    if ((rc = kedr_core_db_exec(r, import_batch_back_sql, 0, NULL)) < 0)
        return rc;
    for (int i = 0; i < b->n; i++) {
        json_object_del(b->res[i], "result");
        if ((rc = import_row_batched(r, fn, arg, b->row[i], b->res[i])) < 0)
            return rc;
        if (rc == 0) {
            /* import_batch_retry takes the batch's rows but the failed
             * one as counted */
            *nok += b->n - 1 - i;
            return import_batch_retry(r, b, fn, arg, nok, nfailed);
        }
        import_set(r, b->res[i], "ok", json_true());
        ++*nok;
    }
    return import_batch_end(r, b);
}

/* ?dry_run=true|1|false|0 (absent: false); -1 when malformed. */
static int
import_dry_run(struct kedr_req *r)
{
    const char *v = kedr_api->query(r, "dry_run");

    if (v == NULL || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        return 0;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || v[0] == '\0')
        return 1;
    return -1;
}

int
kedr_core_import_csv(struct kedr_req *r, const struct kedr_import_col *cols,
                     kedr_import_row_pt fn, void *arg)
{
    return kedr_import_run_sets(r, cols, fn, NULL, arg);
}

int
kedr_import_run_sets(struct kedr_req *r, const struct kedr_import_col *cols,
                     kedr_import_row_pt fn, kedr_import_set_pt set_fn,
                     void *arg)
{
    int dry = import_dry_run(r), rc, *map;
    long nrows = 0, nok = 0, nfailed = 0;
    struct kedr_csv_rec rec;
    struct import_batch *b;
    struct kedr_csv *csv;
    const char *text;
    json_t *results;
    size_t len, nmap;

    if (dry < 0)
        return kedr_req_fail(r, KEDR_EINVAL, "dry_run",
                             "must be true or false");
    if (cols == NULL || cols[0].field == NULL || fn == NULL)
        return kedr_req_fail(r, KEDR_EINTERNAL, NULL, "import without columns");
    text = r->body_raw != NULL
               ? kedr_csv_to_utf8(&r->arena, r->body_raw, r->body_len, &len)
               : "";
    if (r->body_raw == NULL)
        len = 0;
    if (text == NULL)
        return kedr_req_fail(
            r, KEDR_EINVAL, "file",
            "not UTF-8, UTF-16 (with its BOM) or Windows-1251 text");
    /* in the arena: its cleanup frees it however the import ends */
    csv = kedr_arena_alloc(&r->arena, sizeof(*csv));
    kedr_csv_init(csv, text, len, kedr_csv_detect_sep(text, len));
    kedr_arena_on_cleanup(&r->arena, import_csv_release, csv);
    rc = kedr_csv_next(csv, &r->arena, &rec);
    if (rc == 0)
        return kedr_req_fail(r, KEDR_EINVAL, "file", "the file is empty");
    if (rc < 0)
        return kedr_req_fail(r, KEDR_EINVAL, "file", "line %u: %s", rec.line,
                             csv->err);
    nmap = rec.n;
    map = kedr_arena_alloc(&r->arena, nmap * sizeof(int));
    if ((rc = import_header(r, cols, &rec, map)) != 0)
        return rc;
    if (r->job_id == 0 && kedr_srv.conf->import_job_rows > 0) {
        /* too long for a request: a job replays it (jobs.c); a preview
         * runs the same statements, so it is a job as well */
        if ((rc = import_count(r, text, len, &nrows)) != 0)
            return rc;
        if (nrows > kedr_srv.conf->import_job_rows)
            return kedr_jobs_queue(r, nrows);
        nrows = 0;
    }
    if ((rc = kedr_core_db_exec(r, import_sp_sql, 0, NULL)) < 0)
        return rc;
    results = import_own(r, json_array());
    b = kedr_arena_alloc(&r->arena, sizeof(*b));
    b->on = true;
    b->n = 0;
    while ((rc = kedr_csv_next(csv, &r->arena, &rec)) != 0) {
        json_t *res, *row, *fields;

        if (rc < 0)
            return kedr_req_fail(r, KEDR_EINVAL, "file", "line %u: %s",
                                 rec.line, csv->err);
        if (import_blank(&rec))
            continue;
        if (++nrows > kedr_srv.conf->import_max_rows)
            return kedr_req_fail(r, KEDR_ETOOLARGE, "file", "more than %d rows",
                                 kedr_srv.conf->import_max_rows);
        res = json_object();
        if (res == NULL || json_array_append_new(results, res) != 0)
            kedr_arena_fail(&r->arena);
        import_set(r, res, "row", json_integer(rec.line));
        import_set(r, res, "ok", json_false());
        row = import_own(r, json_object());
        fields = import_own(r, json_object());
        if (import_row_json(r, cols, map, nmap, &rec, row, fields) > 0) {
            json_object_set(res, "fields", fields);
            import_set(r, res, "error", json_string("invalid values"));
            nfailed++;
            /* the rows before it stay: they went in */
            if (set_fn != NULL && b->on &&
                (rc = import_batch_flush(r, b, fn, set_fn, arg, &nok,
                                         &nfailed)) < 0)
                return rc;
            b->on = false;
            if ((rc = import_batch_end(r, b)) < 0)
                return rc;
            continue;
        }
        kedr_jobs_progress(r, nrows);
        if (b->on) {
            if (b->n == 0 &&
                (rc = kedr_core_db_exec(r, import_batch_sql, 0, NULL)) < 0)
                return rc;
            b->row[b->n] = row;
            b->res[b->n++] = res;
            if (set_fn != NULL) {
                if (b->n == IMPORT_BATCH &&
                    (rc = import_batch_flush(r, b, fn, set_fn, arg, &nok,
                                             &nfailed)) < 0)
                    return rc;
                continue;
            }
            rc = import_row_batched(r, fn, arg, row, res);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                if ((rc = import_batch_retry(r, b, fn, arg, &nok, &nfailed)) <
                    0)
                    return rc;
                continue;
            }
            import_set(r, res, "ok", json_true());
            nok++;
            if (b->n == IMPORT_BATCH && (rc = import_batch_end(r, b)) < 0)
                return rc;
            continue;
        }
        rc = import_row(r, fn, arg, row, res);
        if (rc < 0)
            return rc;
        import_set(r, res, "ok", json_boolean(rc == 1));
        if (rc == 1)
            nok++;
        else
            nfailed++;
    }
    if (set_fn != NULL && b->on &&
        (rc = import_batch_flush(r, b, fn, set_fn, arg, &nok, &nfailed)) < 0)
        return rc;
    if ((rc = import_batch_end(r, b)) < 0)
        return rc;
    if (dry && (rc = kedr_core_db_exec(r, import_sp_back_sql, 0, NULL)) < 0)
        return rc;
    return kedr_api->reply_json(
        r, nfailed > 0 && !dry ? 422 : 200,
        json_pack("{s:I, s:I, s:I, s:b, s:O}", "rows", (json_int_t)nrows, "ok",
                  (json_int_t)nok, "failed", (json_int_t)nfailed, "dry_run",
                  dry, "results", results));
}
