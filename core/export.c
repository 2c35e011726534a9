/*
 * export.c -- kedr_export: the rows of a query as a CSV or XLSX download.
 *
 * Rows come through a cursor in the request's transaction, EXPORT_BATCH at
 * a time, each batch freed before the next is fetched.  CSV goes to the
 * client batch by batch (a streamed response, server.c); XLSX is written
 * by libxlsxwriter in constant_memory mode (a row at a time to its own
 * temporary file) into a temporary file of ours, then streamed.  Nothing
 * but one batch and one row of cells is ever held in memory.
 *
 * An export of more rows than server.export_job_rows is a job instead
 * (core/jobs.c): the request answers 202, the jobs worker replays it and
 * writes the file (CSV too) into a large object that core.job points
 * at, and GET /jobs/:id/file sends it to the job's owner.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core.h"

#define EXPORT_BATCH 1000
#define EXPORT_XLSX_MAX_ROWS 1048575 /* Excel's sheet, less the header */
#define EXPORT_XLSX_MAX_CELL 32767   /* characters in one cell */

static const char export_fetch_sql[] = "FETCH 1000 FROM kedr_export";

/* What an export holds that is not arena memory; released with the
 * request, also when an allocation failure unwinds past the export. */
struct export_state {
    kedr_rows_t *batch;
    lxw_workbook *wb;
    char *path; /* the XLSX temporary file, unlinked at the end */
    FILE *file;
    const char *name; /* the download's file name */
    long rows;        /* rows written, a job's progress */
};

static void
export_release(void *arg)
{
    struct export_state *st = arg;

    kedr_db_slot_clear(&st->batch);
    if (st->wb != NULL)
        lxw_workbook_free(st->wb);
    if (st->file != NULL)
        fclose(st->file);
    if (st->path != NULL)
        unlink(st->path);
}

/* The column's header in the user's language. */
static const char *
export_label(struct kedr_req *r, const struct kedr_column *c)
{
    bool en = strcmp(kedr_api->user_locale(r), "en") == 0;
    const char *l = en ? c->label_en : c->label_ru;

    if (l == NULL || l[0] == '\0')
        l = en ? c->label_ru : c->label_en;
    return l != NULL && l[0] != '\0' ? l : c->name;
}

/* The download's name: "<filename>-<today>.<ext>". */
static const char *
export_file_name(struct kedr_req *r, const char *filename, const char *ext)
{
    char date[16];
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    return kedr_arena_sprintf(
        &r->arena, "%s-%s.%s",
        filename != NULL && filename[0] != '\0' ? filename : "export", date,
        ext);
}

/* Content-Disposition: an ASCII name (anything else '_') and the exact
 * one in filename* (RFC 6266, RFC 5987). */
static void
export_disposition(struct kedr_req *r, const char *name)
{
    struct kedr_buf b;

    kedr_buf_init(&b, &r->arena);
    kedr_buf_adds(&b, "attachment; filename=\"");
    for (const char *p = name; *p != '\0'; p++) {
        char ch = *p;

        if ((unsigned char)ch >= 0x80 && ((unsigned char)ch & 0xc0) == 0x80)
            continue; /* one '_' per non-ASCII character */
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '.' || ch == '-'))
            ch = '_';
        kedr_buf_add(&b, &ch, 1);
    }
    kedr_buf_adds(&b, "\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_')
            kedr_buf_add(&b, p, 1);
        else
            kedr_buf_addf(&b, "%%%02X", *p);
    }
    kedr_api->set_header(r, "Content-Disposition", b.data);
}

/* The directory of temporary files. */
static const char *
export_tmpdir(void)
{
    const char *tmpdir = getenv("TMPDIR");

    return tmpdir != NULL && tmpdir[0] != '\0' ? tmpdir : "/tmp";
}

/* A new temporary file at st->path (unlinked with the request). */
static int
export_temp(struct kedr_req *r, struct export_state *st)
{
    int fd;

    st->path =
        kedr_arena_sprintf(&r->arena, "%s/kedr-export-XXXXXX", export_tmpdir());
    fd = mkstemp(st->path);
    if (fd < 0) {
        kedr_error("export: cannot create a file in \"%s\": %s",
                   export_tmpdir(), strerror(errno));
        st->path = NULL;
        return kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                             "cannot create the export file");
    }
    close(fd);
    return 0;
}

/* Exports as jobs: below, before the entry. */
static const char export_csv_type[] = "text/csv; charset=utf-8";
static const char export_xlsx_type[] =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
static int export_out_begin(struct kedr_req *r, struct export_state *st);
static int export_out_put(struct kedr_req *r, struct export_state *st,
                          const void *data, size_t len);
static int export_keep(struct kedr_req *r, struct export_state *st,
                       const char *type);
static void export_progress(struct kedr_req *r, struct export_state *st,
                            int got);

/* ------------------------------------------------------------------ */
/* CSV                                                                 */
/* ------------------------------------------------------------------ */

/* One value as CSV text: booleans in words, the decimal comma with ';',
 * arrays as "a, b" (what an import splits again), a quote before text
 * that Excel would run as a formula; `tmp` is scratch space reused from
 * cell to cell. */
static void
export_csv_value(struct kedr_buf *b, struct kedr_buf *tmp, const char *v,
                 enum kedr_type type, char sep, bool en)
{
    size_t n = strlen(v);

    if (type == KEDR_T_ARRAY || kedr_csv_formula_like(v)) {
        /* an array is judged by its text "a, b", not PostgreSQL's "{a,b}" */
        tmp->len = 0;
        kedr_buf_add(tmp, "'", 1); /* text, not a formula, for Excel */
        if (type == KEDR_T_ARRAY)
            kedr_csv_array_text(tmp, v);
        else
            kedr_buf_add(tmp, v, n);
        if (kedr_csv_formula_like(tmp->data + 1))
            kedr_csv_put_cell(b, tmp->data, tmp->len, sep);
        else
            kedr_csv_put_cell(b, tmp->data + 1, tmp->len - 1, sep);
        return;
    }

    if (type == KEDR_T_BOOL && (strcmp(v, "t") == 0 || strcmp(v, "f") == 0)) {
        bool yes = v[0] == 't';

        kedr_buf_adds(b, en ? (yes ? "yes" : "no") : (yes ? "да" : "нет"));
        return;
    }
    if ((type == KEDR_T_NUMBER || type == KEDR_T_MONEY) && sep == ';' &&
        n < 64 && strchr(v, '.') != NULL) {
        char num[64];

        memcpy(num, v, n + 1);
        *strchr(num, '.') = ',';
        kedr_buf_add(b, num, n);
        return;
    }
    kedr_csv_put_cell(b, v, n, sep);
}

/* Append the rows of the current batch. */
static void
export_csv_rows(struct kedr_buf *b, struct kedr_buf *tmp,
                const kedr_rows_t *rows, const struct kedr_column *cols,
                const int *idx, int ncols, char sep, bool en)
{
    int nrows = kedr_core_rows_count(rows);

    for (int i = 0; i < nrows; i++) {
        for (int c = 0; c < ncols; c++) {
            if (c > 0)
                kedr_buf_add(b, &sep, 1);
            if (!kedr_core_rows_isnull(rows, i, idx[c]))
                export_csv_value(b, tmp, kedr_core_rows_get(rows, i, idx[c]),
                                 cols[c].type, sep, en);
        }
        kedr_buf_add(b, "\r\n", 2);
    }
}

static int
export_csv(struct kedr_req *r, struct export_state *st,
           const struct kedr_column *cols, const int *idx, int ncols, char sep)
{
    bool en = strcmp(kedr_api->user_locale(r), "en") == 0;
    struct kedr_buf b, tmp;
    int rc;

    kedr_buf_init(&b, &r->arena);
    kedr_buf_init(&tmp, &r->arena);
    kedr_buf_adds(&b, "\xef\xbb\xbf");
    for (int c = 0; c < ncols; c++) {
        const char *l = export_label(r, &cols[c]);

        if (c > 0)
            kedr_buf_add(&b, &sep, 1);
        kedr_csv_put_cell(&b, l, strlen(l), sep);
    }
    kedr_buf_add(&b, "\r\n", 2);
    rc = export_out_begin(r, st);
    for (;;) {
        int got = kedr_core_rows_count(st->batch);

        if (rc != 0)
            return rc;
        export_csv_rows(&b, &tmp, st->batch, cols, idx, ncols, sep, en);
        rc = export_out_put(r, st, b.data, b.len);
        b.len = 0; /* the buffer is reused: memory stays one batch */
        export_progress(r, st, got);
        if (rc != 0)
            return rc;
        if (got < EXPORT_BATCH)
            return export_keep(r, st, export_csv_type);
        rc = kedr_db_query_into(r, export_fetch_sql, 0, NULL, &st->batch);
    }
}

/* ------------------------------------------------------------------ */
/* XLSX                                                                */
/* ------------------------------------------------------------------ */

struct export_xlsx {
    lxw_worksheet *ws;
    lxw_format *bold, *date, *datetime, *money, *integer;
    struct kedr_buf tmp; /* an array cell's text, reused */
};

/* "YYYY-MM-DD" with an optional " HH:MM:SS[.fff]" after it. */
static bool
export_parse_date(const char *v, lxw_datetime *dt)
{
    int y, m, d;

    memset(dt, 0, sizeof(*dt));
    if (!kedr_value_date_parse(v, &y, &m, &d) || y < 1900) /* Excel's */
        return false;
    dt->year = y;
    dt->month = m;
    dt->day = d;
    if (v[10] == ' ' || v[10] == 'T')
        (void)sscanf(v + 11, "%2d:%2d:%lf", &dt->hour, &dt->min, &dt->sec);
    return true;
}

/* A string cell, cut at a character boundary to Excel's limit. */
static lxw_error
export_xlsx_string(struct kedr_req *r, struct export_xlsx *x, lxw_row_t row,
                   lxw_col_t col, const char *v, lxw_format *fmt)
{
    size_t n = strlen(v), chars = 0, i;

    for (i = 0; i < n; i++)
        if (((unsigned char)v[i] & 0xc0) != 0x80 &&
            ++chars > EXPORT_XLSX_MAX_CELL)
            break;
    if (i < n)
        v = kedr_arena_strndup(&r->arena, v, i);
    return worksheet_write_string(x->ws, row, col, v, fmt);
}

static lxw_error
export_xlsx_cell(struct kedr_req *r, struct export_xlsx *x, lxw_row_t row,
                 lxw_col_t col, const char *v, enum kedr_type type)
{
    lxw_datetime dt;
    char *end;
    double d;

    switch (type) {
    case KEDR_T_INT:
    case KEDR_T_NUMBER:
    case KEDR_T_MONEY:
        errno = 0;
        d = strtod(v, &end);
        if (*end != '\0' || end == v || !isfinite(d) || errno != 0)
            break;
        return worksheet_write_number(
            x->ws, row, col, d,
            type == KEDR_T_MONEY ? x->money
                                 : (type == KEDR_T_INT ? x->integer : NULL));
    case KEDR_T_DATE:
        if (!export_parse_date(v, &dt))
            break;
        return worksheet_write_datetime(x->ws, row, col, &dt,
                                        strlen(v) > 10 ? x->datetime : x->date);
    case KEDR_T_BOOL:
        if (strcmp(v, "t") == 0 || strcmp(v, "f") == 0)
            return worksheet_write_boolean(x->ws, row, col, v[0] == 't', NULL);
        break;
    case KEDR_T_ARRAY:
        x->tmp.len = 0;
        kedr_csv_array_text(&x->tmp, v);
        kedr_buf_add(&x->tmp, "", 0); /* terminated even when empty */
        v = x->tmp.data;
        break;
    default:
        break;
    }
    return export_xlsx_string(r, x, row, col, v, NULL);
}

/* The column widths and the formats, before the first row (constant
 * memory mode writes rows as they come). */
static void
export_xlsx_setup(struct kedr_req *r, struct export_xlsx *x, lxw_workbook *wb,
                  const struct kedr_column *cols, int ncols)
{
    bool en = strcmp(kedr_api->user_locale(r), "en") == 0;

    kedr_buf_init(&x->tmp, &r->arena);
    x->bold = workbook_add_format(wb);
    format_set_bold(x->bold);
    x->date = workbook_add_format(wb);
    format_set_num_format(x->date, en ? "yyyy-mm-dd" : "dd.mm.yyyy");
    x->datetime = workbook_add_format(wb);
    format_set_num_format(x->datetime,
                          en ? "yyyy-mm-dd hh:mm" : "dd.mm.yyyy hh:mm");
    x->money = workbook_add_format(wb);
    format_set_num_format(x->money, "#,##0.00");
    x->integer = workbook_add_format(wb);
    format_set_num_format(x->integer, "0");
    for (int c = 0; c < ncols; c++) {
        size_t w = strlen(export_label(r, &cols[c])) + 4;

        if (cols[c].type == KEDR_T_STRING || cols[c].type == KEDR_T_ARRAY)
            w = w < 24 ? 24 : w;
        else if (cols[c].type == KEDR_T_DATE || cols[c].type == KEDR_T_MONEY)
            w = w < 14 ? 14 : w;
        worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c,
                             (double)(w > 60 ? 60 : w), NULL);
    }
    worksheet_freeze_panes(x->ws, 1, 0);
}

/* Send the finished file. */
static int
export_send_file(struct kedr_req *r, struct export_state *st)
{
    char chunk[65536];
    size_t got;
    int rc;

    st->file = fopen(st->path, "rb");
    if (st->file == NULL)
        return kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                             "cannot read the export file");
    rc = kedr_req_stream_begin(r, 200, export_xlsx_type);
    while (rc == 0 && (got = fread(chunk, 1, sizeof(chunk), st->file)) > 0)
        rc = kedr_req_stream_put(r, chunk, got);
    if (rc == 0 && ferror(st->file))
        rc = kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                           "cannot read the export file");
    return rc;
}

static int
export_xlsx(struct kedr_req *r, struct export_state *st,
            const struct kedr_column *cols, const int *idx, int ncols)
{
    lxw_workbook_options opts = {.constant_memory = LXW_TRUE};
    struct export_xlsx x;
    lxw_row_t row = 1;
    lxw_error err = LXW_NO_ERROR;
    int rc;

    opts.tmpdir = (char *)(uintptr_t)export_tmpdir(); /* only read */
    if ((rc = export_temp(r, st)) != 0)
        return rc;
    st->wb = workbook_new_opt(st->path, &opts);
    x.ws = st->wb != NULL ? workbook_add_worksheet(st->wb, NULL) : NULL;
    if (x.ws == NULL)
        return kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                             "cannot start the export workbook");
    export_xlsx_setup(r, &x, st->wb, cols, ncols);
    for (int c = 0; c < ncols && err == LXW_NO_ERROR; c++)
        err = export_xlsx_string(r, &x, 0, (lxw_col_t)c,
                                 export_label(r, &cols[c]), x.bold);
    for (;;) {
        int got = kedr_core_rows_count(st->batch);

        for (int i = 0; i < got && err == LXW_NO_ERROR; i++, row++) {
            if (row > EXPORT_XLSX_MAX_ROWS)
                return kedr_req_fail(r, KEDR_EINVAL, "_format",
                                     "more than %d rows: export as csv",
                                     EXPORT_XLSX_MAX_ROWS);
            for (int c = 0; c < ncols && err == LXW_NO_ERROR; c++)
                if (!kedr_core_rows_isnull(st->batch, i, idx[c]))
                    err = export_xlsx_cell(
                        r, &x, row, (lxw_col_t)c,
                        kedr_core_rows_get(st->batch, i, idx[c]), cols[c].type);
        }
        export_progress(r, st, got);
        if (err != LXW_NO_ERROR || got < EXPORT_BATCH)
            break;
        rc = kedr_db_query_into(r, export_fetch_sql, 0, NULL, &st->batch);
        if (rc != 0)
            return rc;
    }
    kedr_db_slot_clear(&st->batch);
    if (err == LXW_NO_ERROR)
        err = worksheet_autofilter(x.ws, 0, 0, row - 1, (lxw_col_t)(ncols - 1));
    if (err == LXW_NO_ERROR) {
        err = workbook_close(st->wb); /* frees it, even on error */
        st->wb = NULL;
    }
    if (err != LXW_NO_ERROR) {
        kedr_error("export: xlsx: %s", lxw_strerror(err));
        return kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                             "cannot write the export workbook");
    }
    return r->job_id != 0 ? export_keep(r, st, export_xlsx_type)
                          : export_send_file(r, st);
}

/* ------------------------------------------------------------------ */
/* exports as jobs (server.export_job_rows)                            */
/* ------------------------------------------------------------------ */

#define EXPORT_LO_CHUNK (512 * 1024) /* bytes per lo_put / lo_get */

static const char export_lo_create_sql[] = "SELECT lo_create(0)::text";
static const char export_lo_put_sql[] =
    "SELECT lo_put($1::oid, $2::bigint, $3::bytea)";
static const char export_lo_get_sql[] =
    "SELECT lo_get($1::oid, $2::bigint, $3::int)";
/* $1 job, $2 large object, $3 name, $4 type, $5 size */
static const char export_job_file_sql[] =
    "UPDATE core.job SET file_oid = $2::oid, file_name = $3, file_type = $4, "
    "file_size = $5::bigint WHERE id = $1::bigint";

/* The rows an export's query gives, counting up to `cap` (0: all). */
static long
export_count(struct kedr_req *r, const char *sql, int nparams,
             const char *const *params, long cap)
{
    kedr_rows_t *rows = kedr_core_db_query(
        r,
        cap > 0 ? kedr_arena_sprintf(&r->arena,
                                     "SELECT count(*) FROM (SELECT 1 FROM "
                                     "(%s) kedr_export_q LIMIT %ld) y",
                                     sql, cap)
                : kedr_arena_sprintf(&r->arena,
                                     "SELECT count(*) FROM (%s) kedr_export_q",
                                     sql),
        nparams, params);

    return rows != NULL && kedr_core_rows_count(rows) == 1
               ? strtol(kedr_core_rows_get(rows, 0, 0), NULL, 10)
               : -1;
}

/* The start of the file: streamed to the client, or in a job into a
 * temporary file. */
static int
export_out_begin(struct kedr_req *r, struct export_state *st)
{
    int rc;

    if (r->job_id == 0)
        return kedr_req_stream_begin(r, 200, export_csv_type);
    if ((rc = export_temp(r, st)) != 0)
        return rc;
    st->file = fopen(st->path, "wb");
    return st->file != NULL ? 0
                            : kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                                            "cannot write the export file");
}

static int
export_out_put(struct kedr_req *r, struct export_state *st, const void *data,
               size_t len)
{
    if (r->job_id == 0)
        return kedr_req_stream_put(r, data, len);
    if (len > 0 && fwrite(data, 1, len, st->file) != len)
        return kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                             "cannot write the export file");
    return 0;
}

static void
export_progress(struct kedr_req *r, struct export_state *st, int got)
{
    st->rows += got;
    kedr_jobs_progress(r, st->rows);
}

/* In a job: the finished file at st->path into a large object that the
 * job points at, and the answer (the job's result) names it.  Outside a
 * job the file went to the client already: nothing to do.  In the job's
 * transaction, after the last progress write (which goes through another
 * connection and would wait for the job row this locks). */
static int
export_keep(struct kedr_req *r, struct export_state *st, const char *type)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char *chunk;
    char *x, off[24], size[24], job[24];
    const char *oid;
    kedr_rows_t *rows;
    long long at = 0;
    size_t got;
    int rc = 0;

    if (r->job_id == 0)
        return 0;
    if (st->file != NULL && fclose(st->file) != 0)
        rc = kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                           "cannot write the export file");
    st->file = rc == 0 ? fopen(st->path, "rb") : NULL;
    if (st->file == NULL)
        return rc != 0 ? rc
                       : kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                                       "cannot read the export file");
    if ((rows = kedr_core_db_query(r, export_lo_create_sql, 0, NULL)) == NULL)
        return r->err_code != 0 ? r->err_code : KEDR_EDB;
    oid = kedr_core_rows_get(rows, 0, 0);
    chunk = kedr_arena_alloc(&r->arena, EXPORT_LO_CHUNK);
    x = kedr_arena_alloc(&r->arena, 2 * EXPORT_LO_CHUNK + 3);
    while (rc == 0 && (got = fread(chunk, 1, EXPORT_LO_CHUNK, st->file)) > 0) {
        x[0] = '\\';
        x[1] = 'x';
        for (size_t i = 0; i < got; i++) {
            x[2 + 2 * i] = hex[chunk[i] >> 4];
            x[3 + 2 * i] = hex[chunk[i] & 15];
        }
        x[2 + 2 * got] = '\0';
        snprintf(off, sizeof(off), "%lld", at);
        rc = kedr_db_query_into(r, export_lo_put_sql, 3,
                                (const char *const[]){oid, off, x}, &st->batch);
        at += (long long)got;
    }
    if (rc == 0 && ferror(st->file))
        rc = kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                           "cannot read the export file");
    snprintf(size, sizeof(size), "%lld", at);
    snprintf(job, sizeof(job), "%lld", (long long)r->job_id);
    if (rc == 0 && kedr_core_db_exec(r, export_job_file_sql, 5,
                                     (const char *const[]){job, oid, st->name,
                                                           type, size}) < 0)
        rc = r->err_code != 0 ? r->err_code : KEDR_EDB;
    if (rc != 0)
        return rc;
    kedr_info("export job %s: %ld rows, %lld bytes", job, st->rows, at);
    return kedr_api->reply_json(
        r, 200,
        json_pack("{s:{s:s, s:s, s:I}, s:s}", "file", "name", st->name, "type",
                  type, "size", (json_int_t)at, "download",
                  kedr_arena_sprintf(&r->arena, "/api/v1/jobs/%s/file", job)));
}

int
kedr_export_send_kept(struct kedr_req *r, const char *oid, const char *name,
                      const char *type)
{
    kedr_rows_t *slot = NULL;
    char off[24], len[24];
    long long at = 0;
    int rc;

    snprintf(len, sizeof(len), "%d", EXPORT_LO_CHUNK);
    export_disposition(r, name);
    rc = kedr_req_stream_begin(r, 200, type);
    for (;;) {
        char *v;
        size_t n;

        snprintf(off, sizeof(off), "%lld", at);
        if (rc == 0)
            rc =
                kedr_db_query_into(r, export_lo_get_sql, 3,
                                   (const char *const[]){oid, off, len}, &slot);
        if (rc != 0)
            break;
        /* bytea's hex text "\x...", decoded in place */
        v = (char *)(uintptr_t)kedr_core_rows_get(slot, 0, 0);
        n = 0;
        for (const char *p = v + 2; p[0] != '\0' && p[1] != '\0'; p += 2) {
            int hi = p[0] <= '9' ? p[0] - '0' : (p[0] | 0x20) - 'a' + 10;
            int lo = p[1] <= '9' ? p[1] - '0' : (p[1] | 0x20) - 'a' + 10;

            v[n++] = (char)(hi << 4 | lo);
        }
        if (n > 0)
            rc = kedr_req_stream_put(r, v, n);
        at += (long long)n;
        if (rc != 0 || n < EXPORT_LO_CHUNK)
            break;
    }
    kedr_db_slot_clear(&slot);
    return rc;
}

/* ------------------------------------------------------------------ */
/* the entry                                                           */
/* ------------------------------------------------------------------ */

int
kedr_core_export(struct kedr_req *r, const char *format, const char *filename,
                 const struct kedr_column *cols, const char *sql, int nparams,
                 const char *const *params)
{
    const char *sepq = kedr_api->query(r, "_sep");
    struct export_state *st;
    bool xlsx;
    char sep = ';';
    int ncols = 0, *idx, rc;

    /* the list protocol's own parameters start with '_', a name no
     * filter of a list can take (an outlet's "format" is a filter) */
    if (format == NULL)
        format = kedr_api->query(r, "_format");
    if (format == NULL)
        format = "csv";
    if (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)
        return kedr_req_fail(r, KEDR_EINVAL, "_format", "must be csv or xlsx");
    xlsx = format[0] == 'x';
    if (sepq != NULL && (strcmp(sepq, "comma") == 0 || strcmp(sepq, ",") == 0))
        sep = ',';
    else if (sepq != NULL && strcmp(sepq, "semicolon") != 0 &&
             strcmp(sepq, ";") != 0)
        return kedr_req_fail(r, KEDR_EINVAL, "_sep",
                             "must be comma or semicolon");
    while (cols != NULL && cols[ncols].name != NULL)
        ncols++;
    if (ncols == 0 || sql == NULL)
        return kedr_req_fail(r, KEDR_EINTERNAL, NULL, "export without columns");
    /* a big export is a job: no request holds a worker for it */
    if (r->job_id == 0 && kedr_srv.conf->export_job_rows > 0) {
        long n = export_count(r, sql, nparams, params,
                              (long)kedr_srv.conf->export_job_rows + 1);

        if (n < 0)
            return r->err_code != 0 ? r->err_code : KEDR_EDB;
        if (n > kedr_srv.conf->export_job_rows) {
            /* a GET reads in a read-only transaction: the job is written
             * in a second one (the sender's identity is in r) */
            if (r->readonly && (rc = kedr_db_finish(r, true)) != 0)
                return rc;
            r->readonly = false;
            return kedr_jobs_queue(r, -1);
        }
    } else if (r->job_id != 0) {
        long n = export_count(r, sql, nparams, params, 0);

        if (n < 0)
            return r->err_code != 0 ? r->err_code : KEDR_EDB;
        kedr_jobs_total(r, n);
    }
    st = kedr_arena_calloc(&r->arena, sizeof(*st));
    kedr_arena_on_cleanup(&r->arena, export_release, st);
    st->name = export_file_name(r, filename, format);
    rc = kedr_db_query_into(
        r,
        kedr_arena_sprintf(&r->arena,
                           "DECLARE kedr_export NO SCROLL CURSOR FOR %s", sql),
        nparams, params, &st->batch);
    if (rc == 0)
        rc = kedr_db_query_into(r, export_fetch_sql, 0, NULL, &st->batch);
    if (rc != 0)
        return rc;
    idx = kedr_arena_alloc(&r->arena, (size_t)ncols * sizeof(int));
    for (int c = 0; c < ncols; c++)
        if ((idx[c] = kedr_pg_rows_column(st->batch, cols[c].name)) < 0)
            return kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                                 "export column \"%s\" is not in the query",
                                 cols[c].name);
    if (r->job_id == 0)
        export_disposition(r, st->name);
    return xlsx ? export_xlsx(r, st, cols, idx, ncols)
                : export_csv(r, st, cols, idx, ncols, sep);
}
