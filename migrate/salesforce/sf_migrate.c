/*
 * sf_migrate.c -- `kedr migrate salesforce DIR`: a Salesforce weekly data
 * export into Kedr.
 *
 * The core orchestrates; the migrators move rows.  For each object of
 * the mapping (its order is the reference order: User, Account,
 * Contact, ...) that has a migrator (the core's own for User, a
 * module's through its descriptor's `migrators` slot), the object's file
 * is read and cleansed row by row (csv.c, sf_row.c), rejects and changes
 * go to the report, the clean rows go by COPY into a temporary staging
 * table, and the migrator moves them set-wise into its tables and keeps
 * core.import_map.  One transaction per object: an interrupted run loses
 * only the object in flight, and a rerun finds the rest in the map.  A
 * dry run does it all in one transaction and rolls it back.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "sf.h"

#define MIG_COPY_FLUSH (256u << 10) /* bytes of COPY data sent at once */
#define MIG_ARENA_ROWS 512          /* rows cleansed between arena clears */
#define MIG_MAX_JOBS 16             /* --jobs at most */
#define MIG_BAR 20                  /* characters of a progress bar */

struct kedr_migration {
    const char *file; /* "Account.csv" */
    char table[80];   /* the staging table */
    bool dry_run;
    json_t *counts; /* the object's entry of the summary */
    json_t *cleared;
    FILE *report; /* --report FILE, or NULL */
};

/* The options of one run. */
struct mig_opts {
    const char *dir, *mapping, *encoding, *report;
    bool dry_run, json;
    int jobs;    /* objects loaded at once, each in a process of its own */
    bool tty;    /* standard error is a terminal: show progress */
    int pipe_fd; /* in an object's process: the pipe to the command */
};

static void
mig_usage(FILE *f)
{
    fputs("usage: kedr [-c FILE] migrate salesforce DIR|ZIP [--mapping FILE]\n"
          "                [--encoding E] [--jobs N] [--dry-run] [--json]\n"
          "                [--report FILE]\n"
          "\n"
          "DIR|ZIP    a Salesforce data export: a folder of its CSV files,\n"
          "           a folder of its .zip files (a CSV file beside them\n"
          "           wins), or one .zip file\n"
          "--mapping  the mapping (default conf/import/salesforce.conf)\n"
          "--encoding the files' encoding, over the mapping's\n"
          "--jobs     objects loaded at once, each by a process of its own\n"
          "           (default: the cores; an object waits for those it\n"
          "           refers to)\n"
          "--dry-run  read, check and load everything in one transaction,\n"
          "           then roll back\n"
          "--json     the summary as JSON on standard output\n"
          "--report   every rejected or changed value as CSV (file, line,\n"
          "           id, field, action, reason)\n",
          f);
}

/* In an object's process: the pipe to the command, which prints what a
 * process has to say between its progress lines ("E" lines). */
static int mig_err_fd = -1;

static int mig_write_all(int fd, const char *s, size_t n);

__attribute__((format(printf, 1, 2))) static int
mig_fail(const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof(msg) - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof(msg) - 1)
        n = (int)sizeof(msg) - 2;
    /* a message with line ends in it (libpq's) stays one pipe line */
    while (n > 0 && msg[n - 1] == '\n')
        n--;
    msg[n] = '\0';
    if (mig_err_fd >= 0) {
        for (char *c = msg; *c; c++)
            if (*c == '\n')
                *c = '\x1e';
        msg[n] = '\n';
        if (mig_write_all(mig_err_fd, "E", 1) == 0 &&
            mig_write_all(mig_err_fd, msg, (size_t)n + 1) == 0)
            return 1;
        msg[n] = '\0';
    }
    fprintf(stderr, "kedr migrate: %s\n", msg);
    return 1;
}

/* ------------------------------------------------------------------ */
/* progress on a terminal                                              */
/* ------------------------------------------------------------------ */

/* Reading a file on a terminal: one line rewritten in place, at most five
 * times a second, with rows, rows/s, the share of the file read and the
 * time left at that pace.  Not a terminal (a log, CI): nothing here; the
 * plain line per object after it is done says it all.  An object loaded
 * in a process of its own sends the text up its pipe instead ("P" lines),
 * and the command shows the objects in flight on one line (mig_jobs). */
struct mig_progress {
    bool tty;
    int fd; /* the pipe to the command, or -1: stderr */
    const char *object;
    FILE *f;
    off_t size;
    uint64_t start_us, shown_us;
    char text[160];
};

/* `size`: the file's bytes (uncompressed, for a zip's member), the
 * whole of what ftell(f) counts. */
static void
mig_progress_start(struct mig_progress *p, const char *object, FILE *f,
                   off_t size, const struct mig_opts *o)
{
    p->tty = o->tty;
    p->fd = o->pipe_fd;
    p->object = object;
    p->f = f;
    p->size = size;
    p->start_us = p->shown_us = kedr_now_us();
    p->text[0] = '\0';
}

/* Write s whole to fd (a pipe: short writes and EINTR happen). */
static int
mig_write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Show p->text: on the terminal, or up the pipe. */
static void
mig_progress_put(struct mig_progress *p)
{
    char line[sizeof(p->text) + 4];
    int n;

    if (p->fd < 0) {
        fprintf(stderr, "\r\033[K%s", p->text);
        fflush(stderr);
        return;
    }
    n = snprintf(line, sizeof(line), "P%s\n", p->text);
    (void)mig_write_all(
        p->fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void
mig_progress_show(struct mig_progress *p, long rows, bool force)
{
    uint64_t now = kedr_now_us();
    double secs = (double)(now - p->start_us) / 1e6, share;
    long pos;
    int n;

    if (!p->tty || (!force && now - p->shown_us < 200000))
        return;
    p->shown_us = now;
    pos = ftell(p->f);
    share = p->size > 0 && pos > 0 ? (double)pos / (double)p->size : 0;
    if (share > 1)
        share = 1;
    {
        char bar[MIG_BAR + 1];
        int fill = (int)(share * MIG_BAR + 0.5);

        for (int i = 0; i < MIG_BAR; i++)
            bar[i] = i < fill ? '#' : '-';
        bar[MIG_BAR] = '\0';
        n = snprintf(p->text, sizeof(p->text),
                     "%-15s [%s] %3.0f%%  %ld rows  %.0f rows/s", p->object,
                     bar, share * 100, rows,
                     secs > 0 ? (double)rows / secs : 0);
    }
    if (share > 0.01 && share < 1 && n > 0 && (size_t)n < sizeof(p->text))
        snprintf(p->text + n, sizeof(p->text) - (size_t)n, "  %.0f s left",
                 secs / share - secs);
    mig_progress_put(p);
}

/* The file is read; the migrator's statements run. */
static void
mig_progress_loading(struct mig_progress *p)
{
    size_t n = strlen(p->text);

    if (!p->tty)
        return;
    snprintf(p->text + n, sizeof(p->text) - n, "  loading");
    mig_progress_put(p);
}

/* The object is done (or failed): the line goes, the summary line or the
 * error takes its place. */
static void
mig_progress_end(struct mig_progress *p)
{
    if (p->tty && p->fd < 0)
        fputs("\r\033[K", stderr);
}

/* ------------------------------------------------------------------ */
/* counters and the report                                             */
/* ------------------------------------------------------------------ */

static void
mig_add(json_t *obj, const char *key, long n)
{
    json_t *v = json_object_get(obj, key);

    json_object_set_new(obj, key,
                        json_integer((v ? json_integer_value(v) : 0) + n));
}

/* One cell of the report, quoted when it needs it (RFC 4180). */
static void
mig_report_cell(FILE *f, const char *s, bool last)
{
    if (s == NULL)
        s = "";
    if (strpbrk(s, ",\"\r\n") != NULL) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

static void
mig_report(struct kedr_migration *imp, const char *line, const char *id,
           const char *field, const char *action, const char *reason)
{
    if (imp->report == NULL)
        return;
    mig_report_cell(imp->report, imp->file, false);
    mig_report_cell(imp->report, line, false);
    mig_report_cell(imp->report, id, false);
    mig_report_cell(imp->report, field, false);
    mig_report_cell(imp->report, action, false);
    mig_report_cell(imp->report, reason, true);
}

/* The api table's migration functions (kedr.h documents them). */
const char *
kedr_core_migration_table(kedr_migration_t *imp)
{
    return imp->table;
}

bool
kedr_core_migration_dry_run(kedr_migration_t *imp)
{
    return imp->dry_run;
}

void
kedr_core_migration_count(kedr_migration_t *imp, const char *counter, long n)
{
    mig_add(imp->counts, counter, n);
}

int
kedr_core_migration_reject(kedr_migration_t *imp, const char *line,
                           const char *ext_id, const char *field,
                           const char *reason)
{
    mig_add(imp->counts, "rejected", 1);
    mig_report(imp, line, ext_id, field, "rejected", reason);
    return 0;
}

/* The loaded rows' map entries and audit rows (kedr_migration_map_put). */
static const char mig_map_put_sql[] =
    "WITH s (ext_id, local_id, modstamp, change) AS MATERIALIZED (%s), "
    "m AS (INSERT INTO core.import_map AS m (source, object, ext_id, entity, "
    "    local_id, modstamp) "
    "  SELECT 'salesforce', current_setting('kedr.import_object'), "
    "         s.ext_id, $1, s.local_id, s.modstamp FROM s "
    "  ON CONFLICT (source, object, ext_id) DO UPDATE "
    "     SET local_id = excluded.local_id, modstamp = excluded.modstamp, "
    "         imported_at = now() "
    "   WHERE (m.local_id, m.modstamp) IS DISTINCT FROM "
    "         (excluded.local_id, excluded.modstamp)), "
    "a AS (INSERT INTO core.audit (request_id, entity, entity_id, action, "
    "    new) "
    "  SELECT 'import', $1, s.local_id::text, 'imported', "
    "         jsonb_build_object('source', 'salesforce', 'salesforce_id', "
    "         s.ext_id, 'change', s.change) FROM s "
    "   WHERE s.change IS NOT NULL) "
    "SELECT 1";

int
kedr_core_migration_map_put(kedr_req_t *r, kedr_migration_t *imp,
                            const char *entity, const char *sql)
{
    int rc;

    (void)imp; /* the object is the transaction's kedr.import_object */
    if (entity == NULL || sql == NULL)
        return kedr_req_fail(r, KEDR_EINTERNAL, NULL,
                             "migration_map_put without an entity or a query");
    rc = kedr_core_db_exec(r,
                           kedr_arena_sprintf(&r->arena, mig_map_put_sql, sql),
                           1, (const char *const[]){entity});
    return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------------ */
/* staging                                                             */
/* ------------------------------------------------------------------ */

/* COPY text-format bytes, gathered and sent in pieces. */
struct mig_copy {
    char *data;
    size_t len, cap;
};

static void
mig_copy_add(struct mig_copy *c, const char *s, size_t n)
{
    if (c->len + n > c->cap) {
        c->cap = (c->len + n) * 2;
        c->data = kedr_xrealloc(c->data, c->cap);
    }
    memcpy(c->data + c->len, s, n);
    c->len += n;
}

/* A value in COPY's text format: \N for null, backslash escapes. */
static void
mig_copy_value(struct mig_copy *c, const char *s)
{
    const char *run = s;

    if (s == NULL) {
        mig_copy_add(c, "\\N", 2);
        return;
    }
    for (; *s; s++) {
        const char *esc = NULL;

        switch (*s) {
        case '\\':
            esc = "\\\\";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        default:
            continue;
        }
        mig_copy_add(c, run, (size_t)(s - run));
        mig_copy_add(c, esc, 2);
        run = s + 1;
    }
    mig_copy_add(c, run, (size_t)(s - run));
}

/* An SQL identifier, double-quoted, appended to b. */
static void
mig_ident(struct kedr_buf *b, const char *name)
{
    kedr_buf_adds(b, "\"");
    for (const char *p = name; *p; p++)
        kedr_buf_add(b, p, *p == '"' ? 0u : 1u);
    kedr_buf_adds(b, "\"");
}

/* Create the staging table of h's columns and open its COPY. */
static int
mig_stage_begin(struct kedr_req *r, struct kedr_migration *imp,
                const struct kedr_sf_header *h)
{
    struct kedr_buf b, cols;
    int rc;

    kedr_buf_init(&b, &r->arena);
    kedr_buf_init(&cols, &r->arena);
    kedr_buf_adds(&b, "CREATE TEMP TABLE ");
    kedr_buf_adds(&b, imp->table);
    kedr_buf_adds(&b, " (_line int, _sf_id text, _modstamp timestamptz");
    kedr_buf_adds(&cols, "_line, _sf_id, _modstamp");
    for (size_t i = 0; i < h->ncols; i++) {
        kedr_buf_adds(&b, ", ");
        mig_ident(&b, h->cols[i]);
        kedr_buf_adds(&b, " text");
        kedr_buf_adds(&cols, ", ");
        mig_ident(&cols, h->cols[i]);
    }
    kedr_buf_adds(&b, ")");
    rc = kedr_core_db_exec(r, b.data, 0, NULL);
    if (rc < 0)
        return rc;
    kedr_buf_init(&b, &r->arena);
    kedr_buf_adds(&b, "COPY ");
    kedr_buf_adds(&b, imp->table);
    kedr_buf_adds(&b, " (");
    kedr_buf_add(&b, cols.data, cols.len);
    kedr_buf_adds(&b, ") FROM STDIN");
    return kedr_core_db_copy_begin(r, b.data);
}

/* End a COPY in progress with an error, so that the connection leaves
 * the copy state and the transaction can roll back. */
static void
mig_copy_abort(void)
{
    PGconn *conn = kedr_db_conn();
    PGresult *res;

    if (conn == NULL || PQputCopyEnd(conn, "import stopped") != 1)
        return;
    while ((res = PQgetResult(conn)) != NULL)
        PQclear(res);
}

/* ------------------------------------------------------------------ */
/* one object                                                          */
/* ------------------------------------------------------------------ */

/* The column of the first of `names` the header has, or -1. */
static int
mig_find_col(const struct kedr_csv_rec *hdr, struct kedr_sf_conv *cv,
             struct kedr_arena *a, const char *const *names)
{
    for (; *names; names++)
        for (size_t i = 0; i < hdr->n; i++) {
            const char *cell = kedr_sf_to_utf8(cv, a, hdr->cells[i]);

            if (cell != NULL && kedr_csv_header_eq(cell, *names))
                return (int)i;
        }
    return -1;
}

/* Whether the record ($1 object, $2 id) is imported. */
static const char mig_holding_sql[] =
    "SELECT 1 FROM core.import_map WHERE source = 'salesforce' "
    "   AND object = $1 AND ext_id = $2";

/*
 * The orphans of the object's ref fields with orphans = "attach": a
 * staged value the map of the ref'd object does not have (in no file of
 * the export, or deleted there) becomes the field's holding id, set-wise,
 * before the migrator sees the rows; each is counted "attached" and is
 * one line of the report.  A holding id that is not imported itself
 * fails the object.  0, or 1 after printing why (the caller rolls back).
 */
static int
mig_orphans(struct kedr_req *r, const struct kedr_sf_object *obj,
            struct kedr_migration *imp, struct mig_progress *prog)
{
    for (size_t i = 0; i < obj->nfields; i++) {
        const struct kedr_sf_field *f = &obj->fields[i];
        const char *params[2] = {f->ref, f->holding};
        struct kedr_buf b;
        kedr_rows_t *rows;
        const char *reason;
        char *lower;

        if (f->type != KEDR_SF_REF || f->orphans != KEDR_SF_ORPHANS_ATTACH)
            continue;
        rows = kedr_core_db_query(r, mig_holding_sql, 2, params);
        if (rows == NULL)
            goto db_error;
        if (kedr_core_rows_count(rows) == 0) {
            mig_progress_end(prog);
            return mig_fail("%s: holding %s of %s is not imported", obj->object,
                            f->holding, f->from);
        }
        /* the holding ($2) where the map of the ref'd object ($1) lacks
         * the value; the rows in file order for the report */
        kedr_buf_init(&b, &r->arena);
        kedr_buf_adds(&b, "WITH u AS (UPDATE ");
        kedr_buf_adds(&b, imp->table);
        kedr_buf_adds(&b, " s SET ");
        mig_ident(&b, f->to);
        kedr_buf_adds(&b, " = $2 WHERE s.");
        mig_ident(&b, f->to);
        kedr_buf_adds(&b, " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                          "core.import_map m WHERE m.source = 'salesforce' "
                          "AND m.object = $1 AND m.ext_id = s.");
        mig_ident(&b, f->to);
        kedr_buf_adds(&b, ") RETURNING s._line, s._sf_id) "
                          "SELECT _line::text, _sf_id FROM u ORDER BY _line");
        rows = kedr_core_db_query(r, b.data, 2, params);
        if (rows == NULL)
            goto db_error;
        /* "the account is not in the export; attached to 001..." */
        lower = kedr_arena_strdup(&r->arena, f->ref);
        for (char *p = lower; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        kedr_buf_init(&b, &r->arena);
        kedr_buf_addf(&b, "the %s is not in the export; attached to %s", lower,
                      f->holding);
        reason = b.data;
        mig_add(imp->counts, "attached", kedr_core_rows_count(rows));
        for (int k = 0; k < kedr_core_rows_count(rows); k++)
            mig_report(imp, kedr_core_rows_get(rows, k, 0),
                       kedr_core_rows_get(rows, k, 1), f->to, "attached",
                       reason);
    }
    return 0;
db_error:
    mig_progress_end(prog);
    return mig_fail("%s: %s: %s", obj->object,
                    r->err_msg ? r->err_msg : "database error",
                    kedr_db_conn() ? PQerrorMessage(kedr_db_conn()) : "");
}

/* The row's modification time (LastModifiedDate, else SystemModstamp)
 * in the one UTC form, or NULL. */
static const char *
mig_stamp(struct kedr_sf_conv *cv, struct kedr_arena *a,
          const struct kedr_csv_rec *rec, int stamp_col,
          char stamp[KEDR_SF_TS_SIZE])
{
    const char *cell = stamp_col >= 0 && (size_t)stamp_col < rec->n
                           ? kedr_sf_to_utf8(cv, a, rec->cells[stamp_col])
                           : NULL;

    return cell != NULL && kedr_sf_datetime(cell, stamp) == 0 ? stamp : NULL;
}

/* The id of a row the export marks deleted (the row is not cleansed:
 * only its id is needed), as 18 characters in out; false when it has
 * none that reads as an id. */
static bool
mig_deleted_id(const struct kedr_sf_header *h, int id_col,
               struct kedr_sf_conv *cv, struct kedr_arena *a,
               const struct kedr_csv_rec *rec, char out[19])
{
    const char *cell;
    bool changed;

    if ((size_t)id_col >= h->obj->nfields || h->col[id_col] < 0 ||
        (size_t)h->col[id_col] >= rec->n)
        return false;
    cell = kedr_sf_to_utf8(cv, a, rec->cells[h->col[id_col]]);
    cell = cell ? kedr_sf_space(a, cell, false, &changed) : NULL;
    return cell != NULL && kedr_sf_id18(cell, out);
}

/* The rows the export marks deleted, for a migrator that carries
 * deletions over (kedr.h): the staging table's twin <table>_deleted
 * (_line, _sf_id, _modstamp), made even when empty. */
static int
mig_stage_deleted(struct kedr_req *r, struct kedr_migration *imp,
                  const struct mig_copy *del)
{
    char sql[192];

    snprintf(sql, sizeof(sql),
             "CREATE TEMP TABLE %s_deleted (_line int, _sf_id text, "
             "_modstamp timestamptz)",
             imp->table);
    if (kedr_core_db_exec(r, sql, 0, NULL) < 0)
        return -1;
    if (del->len == 0)
        return 0;
    snprintf(sql, sizeof(sql), "COPY %s_deleted FROM STDIN", imp->table);
    if (kedr_core_db_copy_begin(r, sql) != 0 ||
        kedr_core_db_copy_put(r, del->data, del->len) != 0 ||
        kedr_core_db_copy_end(r) != 0)
        return -1;
    snprintf(sql, sizeof(sql), "ANALYZE %s_deleted", imp->table);
    return kedr_core_db_exec(r, sql, 0, NULL) < 0 ? -1 : 0;
}

/* What the migrator is told in its transaction (kedr.h): the object's
 * name as the mapping gives it, kedr.import_object, and each of the
 * mapping's `options` as kedr.import.<name>. */
static int
mig_settings(struct kedr_req *r, const struct kedr_sf_object *obj)
{
    const char *params[2] = {"kedr.import_object", obj->object};

    if (kedr_core_db_exec(r, "SELECT set_config($1, $2, true)", 2, params) < 0)
        return -1;
    for (size_t i = 0; i < obj->noptions; i++) {
        params[0] = kedr_arena_sprintf(&r->arena, "kedr.import.%s",
                                       obj->options[i].name);
        params[1] = obj->options[i].value;
        if (kedr_core_db_exec(r, "SELECT set_config($1, $2, true)", 2, params) <
            0)
            return -1;
    }
    return 0;
}

/* Read, cleanse and stage one file; then run its migrator.  0, or 1
 * after printing why. */
static int
mig_object(struct kedr_req *r, const struct kedr_sf_map *map,
           const struct kedr_sf_object *obj, const struct kedr_migrator *ld,
           struct kedr_migration *imp, const struct mig_opts *o)
{
    static const char *const stamp_names[] = {"LastModifiedDate",
                                              "SystemModstamp", NULL};
    struct kedr_arena ha, ra;
    struct kedr_csv csv;
    struct kedr_csv_rec hdr, rec;
    struct kedr_sf_conv cv;
    struct kedr_sf_header h;
    struct kedr_sf_counts n = {0};
    struct mig_copy cp = {0}, del = {0};
    struct mig_progress prog = {0};
    long rows = 0;
    char *path = NULL;
    FILE *f;
    off_t size;
    int stamp_col, id_col = -1, ret = 1, got, rc;
    unsigned long since_clear = 0;

    if (asprintf(&path, "%s/%s", o->dir, obj->file) < 0)
        kedr_oom();
    f = kedr_sf_src_open(o->dir, obj->file, &size);
    if (f == NULL && errno != ENOENT) {
        free(path); /* kedr_sf_src_open said why */
        return 1;
    }
    if (f == NULL) {
        json_object_set_new(imp->counts, "skipped",
                            json_string("file not found"));
        fprintf(stderr, "%s: skipped: %s not found\n", obj->object, path);
        free(path);
        return 0;
    }
    if (kedr_sf_conv_init(&cv, map->encoding) != 0) {
        fclose(f);
        free(path);
        return mig_fail("unknown encoding \"%s\"", map->encoding);
    }
    kedr_arena_init(&ha);
    kedr_arena_init(&ra);
    kedr_csv_init_file(&csv, f, map->sep);
    if (kedr_csv_next(&csv, &ha, &hdr) != 1) {
        mig_fail("%s: no header line", path);
        goto out;
    }
    if (kedr_sf_header_init(&h, obj, &cv, &hdr, &ha) != 0) {
        for (size_t i = 0; i < h.nmissing; i++)
            mig_fail("%s: no column \"%s\"", path, h.missing[i]);
        goto out;
    }
    for (size_t i = 0; i < h.ncols; i++)
        if (strcmp(h.cols[i], "sf_id") == 0)
            id_col = (int)i;
    if (id_col < 0) {
        mig_fail("%s: the mapping of %s has no field to = \"sf_id\"", path,
                 obj->object);
        goto out;
    }
    stamp_col = mig_find_col(&hdr, &cv, &ha, stamp_names);
    if (mig_stage_begin(r, imp, &h) != 0)
        goto db_error;
    mig_progress_start(&prog, obj->object, f, size, o);
    while ((got = kedr_csv_next(&csv, &ra, &rec)) == 1) {
        struct kedr_sf_row row = {0};
        char line[16], stamp[KEDR_SF_TS_SIZE];
        const char *id;

        mig_add(imp->counts, "read", 1);
        kedr_sf_row_clean(&h, &cv, map->mojibake, &rec, &ra, &row, &n);
        id = row.values ? row.values[id_col] : NULL;
        snprintf(line, sizeof(line), "%u", row.line);
        for (size_t i = 0; i < row.nactions; i++) {
            const struct kedr_sf_action *act = &row.actions[i];

            if (act->action == KEDR_SF_A_CLEARED && act->field != NULL &&
                row.status == KEDR_SF_ROW_OK)
                mig_add(imp->cleared, act->field, 1);
            mig_report(imp, line, id, act->field,
                       kedr_sf_action_name(act->action), act->reason);
        }
        if (row.status == KEDR_SF_ROW_DELETED) {
            char id18[19];

            mig_add(imp->counts, "dropped_deleted", 1);
            if (mig_deleted_id(&h, id_col, &cv, &ra, &rec, id18)) {
                mig_copy_add(&del, line, strlen(line));
                mig_copy_add(&del, "\t", 1);
                mig_copy_value(&del, id18);
                mig_copy_add(&del, "\t", 1);
                mig_copy_value(&del,
                               mig_stamp(&cv, &ra, &rec, stamp_col, stamp));
                mig_copy_add(&del, "\n", 1);
            }
        } else if (row.status == KEDR_SF_ROW_REJECTED) {
            mig_add(imp->counts, "rejected", 1);
            if (row.nactions == 0)
                mig_report(imp, line, id, NULL, "rejected", "not read");
        } else if (id == NULL) {
            kedr_core_migration_reject(imp, line, NULL, "sf_id", "no id");
        } else {
            mig_copy_add(&cp, line, strlen(line));
            mig_copy_add(&cp, "\t", 1);
            mig_copy_value(&cp, id);
            mig_copy_add(&cp, "\t", 1);
            mig_copy_value(&cp, mig_stamp(&cv, &ra, &rec, stamp_col, stamp));
            for (size_t i = 0; i < h.ncols; i++) {
                mig_copy_add(&cp, "\t", 1);
                mig_copy_value(&cp, row.values[i]);
            }
            mig_copy_add(&cp, "\n", 1);
            if (cp.len >= MIG_COPY_FLUSH) {
                if (kedr_core_db_copy_put(r, cp.data, cp.len) != 0)
                    goto db_error;
                cp.len = 0;
            }
        }
        if (++since_clear >= MIG_ARENA_ROWS) {
            kedr_arena_clear(&ra);
            since_clear = 0;
        }
        if ((++rows & 1023) == 0)
            mig_progress_show(&prog, rows, false);
    }
    mig_progress_show(&prog, rows, true);
    mig_progress_loading(&prog);
    if (got < 0) {
        mig_progress_end(&prog);
        /* a damaged zip member: its CRC error first, the garbage after */
        (void)kedr_sf_src_drain(f);
        mig_fail("%s:%u: %s", path, csv.err_line,
                 csv.err ? csv.err : "malformed CSV");
        mig_copy_abort();
        goto out_tx;
    }
    if ((cp.len > 0 && kedr_core_db_copy_put(r, cp.data, cp.len) != 0) ||
        kedr_core_db_copy_end(r) != 0)
        goto db_error;
    /* the planner's statistics of the staging table: temporary tables
     * are never analysed by autovacuum, and joins on them without
     * statistics can go quadratic */
    {
        char analyze[128];

        snprintf(analyze, sizeof(analyze), "ANALYZE %s", imp->table);
        if (kedr_core_db_exec(r, analyze, 0, NULL) < 0)
            goto db_error;
    }
    if (mig_stage_deleted(r, imp, &del) != 0)
        goto db_error;
    if (mig_orphans(r, obj, imp, &prog) != 0)
        goto out_tx;
    if (mig_settings(r, obj) != 0)
        goto db_error;
    rc = ld->load(r, imp);
    if (rc < 0)
        goto db_error;
    {
        char drop[256];

        snprintf(drop, sizeof(drop), "DROP TABLE %s, %s_deleted", imp->table,
                 imp->table);
        if (kedr_core_db_exec(r, drop, 0, NULL) < 0)
            goto db_error;
    }
    if (!o->dry_run && kedr_db_finish(r, true) != 0)
        goto db_error;
    ret = 0;
    goto out;
db_error:
    mig_progress_end(&prog);
    mig_fail("%s: %s: %s", obj->object,
             r->err_msg ? r->err_msg : "database error",
             kedr_db_conn() ? PQerrorMessage(kedr_db_conn()) : "");
out_tx:
    (void)kedr_db_finish(r, false);
out:
    mig_progress_end(&prog); /* the summary line takes its place */
    kedr_csv_release(&csv);
    kedr_sf_conv_release(&cv);
    kedr_arena_release(&ra);
    kedr_arena_release(&ha);
    free(cp.data);
    free(del.data);
    free(path);
    fclose(f);
    return ret;
}

/* ------------------------------------------------------------------ */
/* the core's migrator: User -> core."user"                            */
/* ------------------------------------------------------------------ */

/*
 * Users come in inactive and without a password: an administrator
 * invites them.  A login already taken by a user who is not in the map
 * (the administrator who runs the migration) maps onto that user.
 */
static const char mig_user_sql[] =
    "CREATE TEMP TABLE mig_user ON COMMIT DROP AS "
    "SELECT s._sf_id, s._modstamp, s._line, m.local_id AS old_id, "
    "       m.modstamp AS old_stamp, "
    "       lower(coalesce(s.login, s.email)) AS login, "
    "       btrim(coalesce(s.first_name || ' ', '') || "
    "             coalesce(s.last_name, '')) AS full_name, "
    "       coalesce(s.email, '') AS email, "
    "       coalesce(s.phone, s.mobile, '') AS phone, "
    "       CASE WHEN s.locale IN ('ru', 'en') THEN s.locale ELSE 'ru' END "
    "           AS locale, "
    "       NULL::bigint AS new_id "
    "  FROM %s s LEFT JOIN core.import_map m ON m.source = 'salesforce' "
    "   AND m.object = current_setting('kedr.import_object') "
    "   AND m.ext_id = s._sf_id";

static const char mig_user_bad_sql[] =
    "DELETE FROM mig_user WHERE old_id IS NULL AND (login IS NULL OR "
    "login !~ '^[A-Za-z0-9._@-]{1,64}$') RETURNING _line::text, _sf_id";

static const char mig_user_taken_sql[] =
    "UPDATE mig_user i SET old_id = u.id, new_id = u.id "
    "  FROM core.\"user\" u WHERE i.old_id IS NULL "
    "   AND lower(u.login) = i.login";

static const char mig_user_insert_sql[] =
    "WITH ins AS (INSERT INTO core.\"user\" (login, full_name, email, phone, "
    "    locale, active, ext) "
    "  SELECT login, full_name, email, phone, locale, false, "
    "         jsonb_build_object('salesforce_id', _sf_id) "
    "    FROM mig_user WHERE old_id IS NULL "
    "  RETURNING id, ext->>'salesforce_id' AS sf) "
    "UPDATE mig_user i SET new_id = ins.id FROM ins WHERE ins.sf = i._sf_id";

static const char mig_user_update_sql[] =
    "UPDATE core.\"user\" u SET full_name = i.full_name, email = i.email, "
    "       phone = i.phone, updated_at = now(), version = u.version + 1 "
    "  FROM mig_user i WHERE u.id = i.old_id AND i.new_id IS NULL "
    "   AND i._modstamp > i.old_stamp";

static const char mig_user_counts_sql[] =
    "SELECT count(*) FILTER (WHERE old_id IS NULL), "
    "       count(*) FILTER (WHERE new_id IS NULL "
    "                          AND _modstamp > old_stamp), "
    "       count(*) FILTER (WHERE new_id IS NULL "
    "                          AND NOT coalesce(_modstamp > old_stamp, "
    "false)), "
    "       count(*) FILTER (WHERE old_id = new_id) "
    "  FROM mig_user";

static const char mig_user_audit_sql[] =
    "INSERT INTO core.audit (request_id, entity, entity_id, action, new) "
    "SELECT 'import', 'core.user', coalesce(new_id, old_id)::text, "
    "       'imported', jsonb_build_object('source', 'salesforce', "
    "       'salesforce_id', _sf_id, 'change', CASE WHEN old_id IS NULL "
    "       THEN 'created' ELSE 'updated' END) "
    "  FROM mig_user WHERE (old_id IS NULL AND new_id IS NOT NULL) "
    "     OR (new_id IS NULL AND _modstamp > old_stamp)";

static const char mig_user_map_sql[] =
    "INSERT INTO core.import_map AS m (source, object, ext_id, entity, "
    "    local_id, modstamp) "
    "SELECT 'salesforce', current_setting('kedr.import_object'), "
    "       _sf_id, 'core.user', "
    "       coalesce(new_id, old_id), _modstamp FROM mig_user "
    "ON CONFLICT (source, object, ext_id) DO UPDATE "
    "   SET modstamp = excluded.modstamp, imported_at = now() "
    " WHERE m.modstamp IS DISTINCT FROM excluded.modstamp";

static int
mig_user_load(kedr_req_t *r, kedr_migration_t *imp)
{
    kedr_rows_t *rows;
    char *sql = kedr_sprintf(r, mig_user_sql, kedr_migration_table(imp));
    int rc;

    if ((rc = kedr_db_exec(r, sql, 0, NULL)) < 0 ||
        (rc = kedr_db_exec(r, "ANALYZE mig_user", 0, NULL)) < 0)
        return rc;
    rows = kedr_db_query(r, mig_user_bad_sql, 0, NULL);
    if (rows == NULL)
        return KEDR_EDB;
    for (int i = 0; i < kedr_rows_count(rows); i++)
        kedr_migration_reject(imp, kedr_rows_get(rows, i, 0),
                              kedr_rows_get(rows, i, 1), "login",
                              "not a usable login");
    if ((rc = kedr_db_exec(r, mig_user_taken_sql, 0, NULL)) < 0 ||
        (rc = kedr_db_exec(r, mig_user_insert_sql, 0, NULL)) < 0 ||
        (rc = kedr_db_exec(r, mig_user_update_sql, 0, NULL)) < 0 ||
        (rc = kedr_db_exec(r, mig_user_audit_sql, 0, NULL)) < 0 ||
        (rc = kedr_db_exec(r, mig_user_map_sql, 0, NULL)) < 0)
        return rc;
    rows = kedr_db_query(r, mig_user_counts_sql, 0, NULL);
    if (rows == NULL)
        return KEDR_EDB;
    kedr_migration_count(imp, "created", atol(kedr_rows_get(rows, 0, 0)));
    kedr_migration_count(imp, "updated", atol(kedr_rows_get(rows, 0, 1)));
    kedr_migration_count(imp, "unchanged", atol(kedr_rows_get(rows, 0, 2)));
    kedr_migration_count(imp, "merged", atol(kedr_rows_get(rows, 0, 3)));
    rc = kedr_db_exec(r, "DROP TABLE mig_user", 0, NULL);
    return rc < 0 ? rc : 0;
}

static const struct kedr_migrator mig_core_migrators[] = {
    {.source = "salesforce", .target = "core.user", .load = mig_user_load},
    {0},
};

/* ------------------------------------------------------------------ */
/* the command                                                         */
/* ------------------------------------------------------------------ */

/* The migrator of (salesforce, target entity): the core's, then the
 * enabled modules' in dependency order; NULL when none. */
static const struct kedr_migrator *
mig_find(const char *target, struct kedr_mod **mod)
{
    *mod = NULL;
    for (const struct kedr_migrator *i = mig_core_migrators; i->target; i++)
        if (strcmp(i->target, target) == 0)
            return i;
    for (size_t k = 0; k < kedr_srv.mods.norder; k++) {
        struct kedr_mod *m = kedr_srv.mods.order[k];

        for (const struct kedr_migrator *i = m->desc->migrators; i && i->target;
             i++)
            if (i->load != NULL && strcmp(i->source, "salesforce") == 0 &&
                strcmp(i->target, target) == 0) {
                *mod = m;
                return i;
            }
    }
    return NULL;
}

/* The counters every object's summary has, in the table's order. */
static const char *const mig_keys[] = {"read",     "created",
                                       "updated",  "unchanged",
                                       "merged",   "dropped_deleted",
                                       "rejected", "attached",
                                       "archived", NULL};

static long
mig_get(json_t *o, const char *key)
{
    return (long)json_integer_value(json_object_get(o, key));
}

/* The table's column heads, one per mig_keys counter, then CLEARED. */
static const char *const mig_heads[] = {
    "READ",    "CREATED",  "UPDATED",  "UNCHANGED", "MERGED",
    "DELETED", "REJECTED", "ATTACHED", "ARCHIVED",  "CLEARED"};

static int
mig_width(int col)
{
    int w = (int)strlen(mig_heads[col]);

    return w < 8 ? 8 : w;
}

static void
mig_table(json_t *objects)
{
    const char *name;
    json_t *o;
    int i;

    printf("%-16s", "OBJECT");
    for (i = 0; i < (int)(sizeof(mig_heads) / sizeof(mig_heads[0])); i++)
        printf(" %*s", mig_width(i), mig_heads[i]);
    putchar('\n');
    json_object_foreach (objects, name, o) {
        long cleared = 0;
        const char *k;
        json_t *v;

        if (json_object_get(o, "skipped") != NULL) {
            printf("%-16s skipped: %s\n", name,
                   json_string_value(json_object_get(o, "skipped")));
            continue;
        }
        json_object_foreach (json_object_get(o, "cleared"), k, v)
            cleared += (long)json_integer_value(v);
        printf("%-16s", name);
        for (i = 0; mig_keys[i]; i++)
            printf(" %*ld", mig_width(i), mig_get(o, mig_keys[i]));
        printf(" %*ld\n", mig_width(i), cleared);
    }
}

static int
mig_parse(int argc, char **argv, struct mig_opts *o)
{
    const char *jobs = NULL;

    memset(o, 0, sizeof(*o));
    o->pipe_fd = -1;
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        mig_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : -1;
    }
    if (strcmp(argv[1], "salesforce") != 0) {
        mig_fail("unknown source \"%s\" (only salesforce)", argv[1]);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char **val = NULL;

        if (strcmp(a, "--dry-run") == 0)
            o->dry_run = true;
        else if (strcmp(a, "--json") == 0)
            o->json = true;
        else if (strcmp(a, "--mapping") == 0)
            val = &o->mapping;
        else if (strcmp(a, "--encoding") == 0)
            val = &o->encoding;
        else if (strcmp(a, "--report") == 0)
            val = &o->report;
        else if (strcmp(a, "--jobs") == 0)
            val = &jobs;
        else if (a[0] == '-' || o->dir != NULL) {
            mig_fail("unknown argument \"%s\"", a);
            mig_usage(stderr);
            return 2;
        } else
            o->dir = a;
        if (val != NULL) {
            if (i + 1 >= argc) {
                mig_fail("%s needs a value", a);
                return 2;
            }
            *val = argv[++i];
        }
    }
    if (o->dir == NULL) {
        mig_usage(stderr);
        return 2;
    }
    if (o->mapping == NULL)
        o->mapping = "conf/import/salesforce.conf";
    if (jobs != NULL) {
        char *end;
        long n = strtol(jobs, &end, 10);

        if (*jobs == '\0' || *end != '\0' || n < 1 || n > MIG_MAX_JOBS) {
            mig_fail("--jobs: a number from 1 to %d", MIG_MAX_JOBS);
            return 2;
        }
        o->jobs = (int)n;
    } else {
        long n = sysconf(_SC_NPROCESSORS_ONLN);

        o->jobs = n < 1 ? 1 : n > MIG_MAX_JOBS ? MIG_MAX_JOBS : (int)n;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* the run: objects in parallel, each after the objects it refers to   */
/* ------------------------------------------------------------------ */

/*
 * Each object is loaded by a process of its own (forked, with its own
 * database connection), up to --jobs at once (default: the machine's
 * cores).  An object starts once every object it refers to (its "ref"
 * fields' objects earlier in the mapping) has finished: Account after
 * User, Contact and Store__c after Account, while the catalog's objects,
 * which refer to none of those, load alongside.  The process reports on
 * a pipe: progress lines ("P" + text) and, once committed, its counts
 * ("J" + JSON); its report lines go to a temporary file of its own that
 * the command copies into --report in the mapping's order.  After a
 * failure nothing new starts; what runs finishes.  A dry run is one
 * transaction, so it loads every object in this process, in order.
 */

enum { JOB_WAITING, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_SKIPPED };

struct mig_job {
    const struct kedr_sf_object *obj;
    const struct kedr_migrator *ld; /* NULL: no migrator, skipped */
    struct kedr_mod *mod;
    size_t index;
    int state;
    json_t *counts; /* its entry of the summary */
    FILE *report;   /* its report lines, until copied in order */
    pid_t pid;
    int fd;   /* the pipe from its process */
    char *in; /* what came up the pipe, not yet a whole line */
    size_t inlen, incap;
    char progress[160];
    bool got_counts;
    uint64_t t0;
};

/* Load one object in this process on the connection it has: 0, or 1
 * after printing why. */
static int
mig_run_object(struct kedr_req *r, const struct kedr_sf_map *map,
               struct mig_job *j, FILE *report, const struct mig_opts *o)
{
    struct kedr_migration imp = {.file = j->obj->file,
                                 .dry_run = o->dry_run,
                                 .counts = j->counts,
                                 .cleared = json_object(),
                                 .report = report};
    int rc;

    for (int k = 0; mig_keys[k]; k++)
        json_object_set_new(imp.counts, mig_keys[k], json_integer(0));
    json_object_set_new(imp.counts, "cleared", imp.cleared);
    snprintf(imp.table, sizeof(imp.table), "mig_stage_%zu", j->index);
    r->mod = j->mod;
    kedr_log_module = j->mod ? j->mod->name : NULL;
    rc = mig_object(r, map, j->obj, j->ld, &imp, o);
    kedr_log_module = NULL;
    r->mod = NULL;
    kedr_arena_clear(&r->arena);
    return rc;
}

/* The object's line once it is done. */
static void
mig_job_summary(const struct mig_job *j)
{
    json_t *c = j->counts;

    if (json_object_get(c, "skipped") != NULL)
        return;
    json_object_set_new(c, "seconds",
                        json_real((double)(kedr_now_us() - j->t0) / 1e6));
    fprintf(stderr,
            "%s: %ld read, %ld created, %ld updated, %ld unchanged, "
            "%ld merged, %ld rejected (%.1fs)\n",
            j->obj->object, mig_get(c, "read"), mig_get(c, "created"),
            mig_get(c, "updated"), mig_get(c, "unchanged"),
            mig_get(c, "merged"), mig_get(c, "rejected"),
            json_real_value(json_object_get(c, "seconds")));
}

/* The connection a migration runs on: no statement timeout (the server's
 * database.statement_timeout is for requests; one statement of a migration
 * moves a whole object), and named "kedr migrate <object>" in
 * pg_stat_activity ("kedr migrate" for a dry run's one connection); and
 * the context its statements run in, r. */
static int
mig_connect(struct kedr_req *r, const char *object)
{
    const char *params[1];
    char name[96];
    PGresult *res;
    int ok;

    if (kedr_db_connect() != 0)
        return -1;
    snprintf(name, sizeof(name), "kedr migrate%s%s", object ? " " : "",
             object ? object : "");
    params[0] = name;
    res = PQexecParams(kedr_db_conn(),
                       "SELECT set_config('statement_timeout', '0', false), "
                       "set_config('application_name', $1, false)",
                       1, NULL, params, NULL, NULL, 0);
    ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    if (!ok)
        return -1;
    kedr_arena_init(&r->arena);
    kedr_req_reset(r);
    r->method = "CLI";
    r->path = "import";
    r->rid = "import";
    return 0;
}

/* A process's life: connect, load the object, send its counts. */
static void __attribute__((noreturn))
mig_child(const struct kedr_sf_map *map, struct mig_job *j, int fd,
          struct mig_opts o)
{
    static struct kedr_req r;
    char *doc;
    int rc = 1;

    /* the command gone (killed), the object in flight goes with it */
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    o.pipe_fd = fd;
    mig_err_fd = fd;
    if (mig_connect(&r, j->obj->object) != 0) {
        mig_fail("%s: cannot connect to the database", j->obj->object);
        _exit(1);
    }
    if (mig_run_object(&r, map, j, j->report, &o) == 0 &&
        (j->report == NULL || fflush(j->report) == 0)) {
        doc = json_dumps(j->counts, JSON_COMPACT);
        if (doc != NULL && mig_write_all(fd, "J", 1) == 0 &&
            mig_write_all(fd, doc, strlen(doc)) == 0 &&
            mig_write_all(fd, "\n", 1) == 0)
            rc = 0;
        free(doc);
    }
    kedr_db_close();
    _exit(rc);
}

/* Objects refer backwards: j may start once every object its ref fields
 * name, earlier in the mapping, is done (or has no migrator). */
static bool
mig_job_ready(const struct mig_job *jobs, const struct mig_job *j)
{
    for (size_t f = 0; f < j->obj->nfields; f++) {
        const struct kedr_sf_field *fd = &j->obj->fields[f];

        if (fd->type != KEDR_SF_REF || fd->ref == NULL)
            continue;
        for (size_t k = 0; k < j->index; k++)
            if (strcmp(jobs[k].obj->object, fd->ref) == 0 &&
                jobs[k].state != JOB_DONE && jobs[k].state != JOB_SKIPPED)
                return false;
    }
    return true;
}

static int
mig_job_start(const struct kedr_sf_map *map, struct mig_job *j,
              const struct mig_opts *o)
{
    int p[2];

    if (o->report != NULL && (j->report = tmpfile()) == NULL)
        return mig_fail("cannot make a temporary file: %s", strerror(errno));
    if (pipe(p) != 0)
        return mig_fail("pipe: %s", strerror(errno));
    fflush(stdout);
    fflush(stderr);
    j->t0 = kedr_now_us();
    j->pid = fork();
    if (j->pid < 0) {
        close(p[0]);
        close(p[1]);
        return mig_fail("fork: %s", strerror(errno));
    }
    if (j->pid == 0) {
        close(p[0]);
        mig_child(map, j, p[1], *o);
    }
    close(p[1]);
    j->fd = p[0];
    j->state = JOB_RUNNING;
    return 0;
}

/* On a terminal, the objects in flight: a line each, redrawn in place
 * below whatever has been printed (mig_block_clear before printing). */
static int mig_block_lines; /* lines of the block on the screen */

static void
mig_block_clear(void)
{
    if (mig_block_lines > 0)
        fprintf(stderr, "\033[%dA", mig_block_lines);
    fputs("\r\033[J", stderr);
    mig_block_lines = 0;
}

static void
mig_jobs_show(const struct mig_job *jobs, size_t n)
{
    struct winsize ws;
    int width = 80;

    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
        width = ws.ws_col - 1;
    mig_block_clear();
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].state != JOB_RUNNING || jobs[i].progress[0] == '\0')
            continue;
        fprintf(stderr, "%.*s\n", width, jobs[i].progress);
        mig_block_lines++;
    }
    fflush(stderr);
}

/* What a process had to say: its error, printed above the block. */
static void
mig_job_say(const struct mig_job *jobs, size_t n, bool tty, char *msg)
{
    for (char *c = msg; *c; c++)
        if (*c == '\x1e')
            *c = '\n';
    if (tty)
        mig_block_clear();
    fprintf(stderr, "kedr migrate: %s\n", msg);
    if (tty)
        mig_jobs_show(jobs, n);
}

/* The whole lines that came up j's pipe; progress shown as it comes. */
static void
mig_job_lines(const struct mig_job *jobs, size_t n, struct mig_job *j, bool tty)
{
    char *nl, *line = j->in;

    while ((nl = memchr(line, '\n', j->inlen - (size_t)(line - j->in)))) {
        *nl = '\0';
        if (line[0] == 'P') {
            snprintf(j->progress, sizeof(j->progress), "%s", line + 1);
            if (tty)
                mig_jobs_show(jobs, n);
        } else if (line[0] == 'E') {
            mig_job_say(jobs, n, tty, line + 1);
        } else if (line[0] == 'J') {
            json_t *c = json_loads(line + 1, 0, NULL);

            if (c != NULL) {
                json_object_update(j->counts, c);
                json_decref(c);
                j->got_counts = true;
            }
        }
        line = nl + 1;
    }
    j->inlen -= (size_t)(line - j->in);
    memmove(j->in, line, j->inlen);
}

/* Read what j's process sent; at the end of it, reap the process. */
static void
mig_job_read(const struct mig_job *jobs, size_t n_jobs, struct mig_job *j,
             bool tty)
{
    ssize_t n;
    int status;

    if (j->incap - j->inlen < 4096) {
        j->incap = j->incap * 2 + 8192;
        j->in = kedr_xrealloc(j->in, j->incap);
    }
    n = read(j->fd, j->in + j->inlen, j->incap - j->inlen);
    if (n < 0 && errno == EINTR)
        return;
    if (n > 0) {
        j->inlen += (size_t)n;
        mig_job_lines(jobs, n_jobs, j, tty);
        return;
    }
    close(j->fd);
    j->fd = -1;
    while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
        ;
    j->progress[0] = '\0';
    j->state = WIFEXITED(status) && WEXITSTATUS(status) == 0 && j->got_counts
                   ? JOB_DONE
                   : JOB_FAILED;
    if (j->state == JOB_FAILED && WIFSIGNALED(status)) {
        if (tty)
            mig_block_clear();
        mig_fail("%s: the loading process died of signal %d", j->obj->object,
                 WTERMSIG(status));
    }
}

/* Run the jobs, --jobs at a time: 0, or 1 when an object failed. */
static int
mig_jobs_run(const struct kedr_sf_map *map, struct mig_job *jobs, size_t n,
             const struct mig_opts *o)
{
    struct pollfd pfd[MIG_MAX_JOBS];
    struct mig_job *who[MIG_MAX_JOBS];
    bool failed = false;

    for (;;) {
        int running = 0, np = 0;

        for (size_t i = 0; i < n; i++)
            running += jobs[i].state == JOB_RUNNING;
        for (size_t i = 0; i < n && !failed && running < o->jobs; i++)
            if (jobs[i].state == JOB_WAITING && mig_job_ready(jobs, &jobs[i])) {
                if (mig_job_start(map, &jobs[i], o) != 0) {
                    failed = true;
                    break;
                }
                running++;
            }
        if (running == 0)
            break;
        for (size_t i = 0; i < n; i++)
            if (jobs[i].state == JOB_RUNNING) {
                pfd[np] = (struct pollfd){.fd = jobs[i].fd, .events = POLLIN};
                who[np++] = &jobs[i];
            }
        if (poll(pfd, (nfds_t)np, -1) < 0) {
            if (errno == EINTR)
                continue;
            mig_fail("poll: %s", strerror(errno));
            failed = true;
            break;
        }
        for (int k = 0; k < np; k++) {
            if (pfd[k].revents == 0)
                continue;
            mig_job_read(jobs, n, who[k], o->tty);
            if (who[k]->state == JOB_RUNNING)
                continue;
            if (o->tty)
                mig_block_clear();
            if (who[k]->state == JOB_DONE)
                mig_job_summary(who[k]);
            else
                failed = true;
            if (o->tty)
                mig_jobs_show(jobs, n);
        }
    }
    if (o->tty)
        mig_block_clear();
    /* a job that never started (after a failure) has no counts to give */
    for (size_t i = 0; i < n; i++)
        if (jobs[i].state == JOB_WAITING) {
            json_object_clear(jobs[i].counts);
            json_object_set_new(jobs[i].counts, "skipped",
                                json_string("not run: an object failed"));
        }
    return failed ? 1 : 0;
}

/* A dry run: every object in this process, in order, in one transaction
 * rolled back at the end. */
static int
mig_jobs_run_here(const struct kedr_sf_map *map, struct mig_job *jobs, size_t n,
                  FILE *report, const struct mig_opts *o)
{
    static struct kedr_req r;
    int rc = 0;

    if (mig_connect(&r, NULL) != 0)
        return mig_fail("cannot connect to the database (database.url or "
                        "KEDR_DATABASE_URL)");
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (jobs[i].state != JOB_WAITING)
            continue;
        jobs[i].t0 = kedr_now_us();
        rc = mig_run_object(&r, map, &jobs[i], report, o);
        jobs[i].state = rc == 0 ? JOB_DONE : JOB_FAILED;
        if (rc == 0)
            mig_job_summary(&jobs[i]);
    }
    (void)kedr_db_finish(&r, false);
    kedr_arena_release(&r.arena);
    kedr_db_close();
    return rc;
}

/* The jobs' report lines into the report, in the mapping's order. */
static void
mig_jobs_report(struct mig_job *jobs, size_t n, FILE *report)
{
    char buf[65536];
    size_t got;

    for (size_t i = 0; i < n; i++) {
        if (jobs[i].report == NULL)
            continue;
        rewind(jobs[i].report);
        while ((got = fread(buf, 1, sizeof(buf), jobs[i].report)) > 0)
            fwrite(buf, 1, got, report);
        fclose(jobs[i].report);
        jobs[i].report = NULL;
    }
}

int
kedr_cli_migrate(struct kedr_conf *c, int argc, char **argv)
{
    struct mig_opts o;
    struct kedr_sf_map *map;
    struct mig_job *jobs = NULL;
    json_t *objects = json_object(), *doc;
    FILE *report = NULL;
    uint64_t t0 = kedr_now_us();
    int rc = mig_parse(argc, argv, &o);

    if (rc != 0) {
        json_decref(objects);
        return rc < 0 ? 0 : rc;
    }
    o.tty = isatty(STDERR_FILENO) == 1;
    if (kedr_sf_src_check(o.dir) != 0) {
        json_decref(objects);
        return 1;
    }
    map = kedr_sf_map_load(o.mapping);
    if (map == NULL) {
        json_decref(objects);
        return 1;
    }
    if (o.encoding != NULL)
        map->encoding = o.encoding;
    if (o.report != NULL) {
        report = fopen(o.report, "w");
        if (report == NULL) {
            rc = mig_fail("cannot write \"%s\": %s", o.report, strerror(errno));
            goto out_map;
        }
        fputs("file,line,id,field,action,reason\n", report);
    }
    if (kedr_server_setup(c, false) != 0) {
        rc = mig_fail("cannot set up the modules");
        goto out_server;
    }
    /* a database that is not there fails here, once, not per object */
    if (kedr_db_connect() != 0) {
        rc = mig_fail("cannot connect to the database (database.url or "
                      "KEDR_DATABASE_URL)");
        goto out_server;
    }
    kedr_db_close(); /* the objects' processes open their own */
    jobs = kedr_xcalloc(map->nobjects ? map->nobjects : 1, sizeof(*jobs));
    for (size_t i = 0; i < map->nobjects; i++) {
        struct mig_job *j = &jobs[i];

        j->obj = &map->objects[i];
        j->index = i;
        j->fd = -1;
        j->ld = mig_find(j->obj->target, &j->mod);
        j->counts = json_object();
        json_object_set_new(objects, j->obj->object, j->counts);
        if (j->ld == NULL) {
            j->state = JOB_SKIPPED;
            json_object_set_new(j->counts, "skipped",
                                json_string("no migrator yet"));
            fprintf(stderr, "%s: skipped: no migrator yet\n", j->obj->object);
        }
    }
    rc = o.dry_run ? mig_jobs_run_here(map, jobs, map->nobjects, report, &o)
                   : mig_jobs_run(map, jobs, map->nobjects, &o);
    if (report != NULL)
        mig_jobs_report(jobs, map->nobjects, report);
    doc = json_pack("{s:O, s:f, s:b, s:i}", "objects", objects, "seconds",
                    (double)(kedr_now_us() - t0) / 1e6, "dry_run", o.dry_run,
                    "jobs", o.dry_run ? 1 : o.jobs);
    if (o.json) {
        json_dumpf(doc, stdout, JSON_INDENT(1));
        fputc('\n', stdout);
    } else {
        mig_table(objects);
        if (o.dry_run)
            puts("dry run: nothing was written");
    }
    json_decref(doc);
    for (size_t i = 0; i < map->nobjects; i++)
        free(jobs[i].in);
    free(jobs);
out_server:
    kedr_server_teardown();
    kedr_db_close();
    if (report != NULL && fclose(report) != 0 && rc == 0)
        rc = mig_fail("cannot write \"%s\"", o.report);
out_map:
    kedr_sf_map_free(map);
    json_decref(objects);
    return rc;
}
