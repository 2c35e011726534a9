/*
 * kit_import.c -- POST <entity path>/import[?dry_run=true]: a CSV file
 * into a declared entity, through kedr_import_csv (encodings, separators,
 * savepoints, the preview, big files as jobs) and, row by row, through the
 * kit's own write path (kit.c: the column checks, references, unique
 * values, the module's hooks, own-only, audit and events).  No statement
 * of its own writes a record.
 *
 * The header: the entity's columns by field or label (what its export
 * writes: "ID", the exported columns' labels, "Версия"/"Version"), all
 * optional.  Which record a row goes to:
 *   - an `id` cell: that record (the user must see it), and `version` is
 *     then required and checked: a record changed since the file was
 *     exported fails its row with 409 "version" (never last write wins);
 *   - else a KEDR_COL_UNIQUE column whose value a record the user sees
 *     holds: that record (the file names it by its key; no version);
 *   - else a new record.
 * An update changes only the columns the row has a value for (an empty
 * cell keeps the value: kedr_import_csv leaves empty cells out), and a
 * row that changes nothing is "unchanged": no write, no audit row, no
 * event, the version kept, so a file exported and imported back leaves
 * every record as it was.  A column with `options` takes the stored value
 * or either label (case-insensitive); a `ref` column the referenced id
 * (not its name: names need not be unique); a read-only column's cells
 * (the export may write them) are ignored.
 *
 * Each row's result: {"id": n, "action": "created"|"updated"|"unchanged"}.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "kit_int.h"

static const char *const kit_sqltypes[] = {
    [KEDR_T_STRING] = "text",    [KEDR_T_INT] = "bigint",
    [KEDR_T_NUMBER] = "numeric", [KEDR_T_MONEY] = "numeric",
    [KEDR_T_DATE] = "date",      [KEDR_T_BOOL] = "boolean",
};

void
kit_import_build(struct kit_ent *k, struct kedr_arena *a)
{
    const struct kedr_entity *e = k->e;
    size_t n = 0, i = 0;

    for (const struct kedr_entity_col *c = e->cols; c->name != NULL; c++)
        n++;
    k->import_cols = kedr_xcalloc(n + 3, sizeof(*k->import_cols));
    k->key_sql = kedr_xcalloc(n + 1, sizeof(*k->key_sql));
    k->import_cols[i++] = (struct kedr_import_col){
        .field = "id", .label_ru = "ID", .label_en = "ID", .type = KEDR_T_INT};
    for (size_t j = 0; j < n; j++) {
        const struct kedr_entity_col *c = &e->cols[j];

        /* ABI 1.5: an exported computed member comes back in the file:
         * read (as text) and ignored, as a read-only column's cells */
        if (c->sql != NULL && (c->flags & KEDR_COL_EXPORT) != 0) {
            k->import_cols[i++] = (struct kedr_import_col){
                .field = c->name,
                .label_ru = c->label_ru,
                .label_en = c->label_en != NULL ? c->label_en : c->label_ru,
                .type = KEDR_T_STRING};
            continue;
        }
        /* a computed member or a jsonb column is never in a file, nor a
         * list the module writes */
        if (c->sql != NULL || c->type == KEDR_T_OBJECT ||
            ((c->flags & KEDR_COL_MODULE) != 0 && c->type == KEDR_T_ARRAY))
            continue;
        k->import_cols[i++] = (struct kedr_import_col){
            .field = c->name,
            .label_ru = c->label_ru,
            .label_en = c->label_en != NULL ? c->label_en : c->label_ru,
            /* a label of an option is text; mapped to the value below */
            .type = c->options != NULL ? KEDR_T_STRING : c->type};
        if ((c->flags & KEDR_COL_UNIQUE) != 0 &&
            (c->flags & KEDR_COL_READONLY) == 0)
            k->key_sql[j] = kedr_arena_sprintf(
                a, "SELECT t.id FROM %s t WHERE t.%s = $1::%s AND %s%s LIMIT 1",
                e->table, c->name, kit_sqltypes[c->type], k->visible, k->where);
    }
    k->unique_many_sql = kedr_xcalloc(n + 1, sizeof(*k->unique_many_sql));
    for (size_t j = 0; j < n; j++)
        if (k->unique_sql[j] != NULL)
            k->unique_many_sql[j] = kedr_arena_sprintf(
                a,
                "SELECT 1 FROM %s t WHERE t.%s = ANY (ARRAY(SELECT "
                "jsonb_array_elements_text($1::jsonb))::%s[])%s LIMIT 1",
                e->table, e->cols[j].name, kit_sqltypes[e->cols[j].type],
                k->where);
    /* the records in the rows' order (identities are drawn in it), each
     * with whether the user sees it */
    if (k->ins_cols[0] != '\0')
        k->insert_many_sql = kedr_arena_sprintf(
            a,
            "WITH ins AS (INSERT INTO %s AS t (%s) SELECT %s FROM "
            "jsonb_array_elements($1::jsonb) WITH ORDINALITY j(doc, n), "
            "jsonb_populate_record(NULL::%s, j.doc) x ORDER BY j.n "
            "RETURNING t.id, %s AS o, %s AS v) "
            "SELECT o::text, v, id FROM ins ORDER BY id",
            e->table, k->ins_cols, k->ins_sel, e->table, k->obj, k->visible);
    k->import_cols[i] = (struct kedr_import_col){.field = "version",
                                                 .label_ru = "Версия",
                                                 .label_en = "Version",
                                                 .type = KEDR_T_INT};
}

void
kit_import_release(struct kit_ent *k)
{
    free(k->import_cols);
    free(k->key_sql);
    free(k->unique_many_sql);
}

const struct kedr_entity_option *
kit_option_find(const struct kedr_entity_col *c, const char *text)
{
    for (const struct kedr_entity_option *o = c->options;
         o != NULL && o->value != NULL && text != NULL; o++)
        if (strcmp(o->value, text) == 0)
            return o;
    return NULL;
}

/* The option a cell names: its value, or a label in either language. */
static const struct kedr_entity_option *
kit_option_match(const struct kedr_entity_col *c, const char *text)
{
    for (const struct kedr_entity_option *o = c->options; o->value != NULL; o++)
        if (strcmp(o->value, text) == 0 ||
            kedr_csv_header_eq(text, o->label_ru) ||
            kedr_csv_header_eq(text, o->label_en))
            return o;
    return NULL;
}

/* An option's value as JSON of the column's type. */
static json_t *
kit_option_json(const struct kedr_entity_col *c,
                const struct kedr_entity_option *o)
{
    const char *why;
    json_t *v = kedr_csv_cell_json(c->type, o->value, &why);

    return v != NULL ? v : json_string(o->value);
}

/* Whether a row's value and a record's are the same (2 and 2.0 too). */
static bool
kit_same(json_t *a, json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    return json_equal(a, b);
}

/* The row's option labels made values, read-only cells dropped; the
 * number of field errors. */
static int
kit_import_cells(kedr_req_t *r, struct kit_ent *k, json_t *in)
{
    int bad = 0;

    for (const struct kedr_entity_col *c = k->e->cols; c->name != NULL; c++) {
        json_t *v = json_object_get(in, c->name);
        const struct kedr_entity_option *o;

        if (v == NULL)
            continue;
        if ((c->flags & KEDR_COL_READONLY) != 0 || c->sql != NULL) {
            json_object_del(in, c->name);
        } else if (c->options != NULL) {
            if ((o = kit_option_match(c, json_string_value(v))) == NULL) {
                kedr_field_error(r, c->name,
                                 "is not one of the allowed values");
                bad++;
            } else {
                json_object_set_new(in, c->name, kit_option_json(c, o));
            }
        }
    }
    return bad;
}

/* The record a row without an id names by a unique column: its id, or
 * NULL (none; or the query failed, *rc set). */
static const char *
kit_import_key(kedr_req_t *r, struct kit_ent *k, json_t *in, int *rc)
{
    *rc = 0;
    for (size_t i = 0; k->e->cols[i].name != NULL; i++) {
        json_t *v = json_object_get(in, k->e->cols[i].name);
        kedr_rows_t *rows;

        if (k->key_sql[i] == NULL || v == NULL)
            continue;
        rows = kedr_db_query(
            r, k->key_sql[i],
            KEDR_PARAMS(json_is_string(v) ? kedr_trim(r, json_string_value(v))
                                          : kedr_json_text(r, v)));
        if (rows == NULL) {
            *rc = KEDR_EDB;
            return NULL;
        }
        if (kedr_rows_count(rows) > 0)
            return kedr_rows_get(rows, 0, 0);
    }
    return NULL;
}

/* `in` checked by the route's input spec `spec`, as the router checks a
 * body: 0, or KEDR_EINVAL with the field errors recorded. */
static int
kit_import_spec(kedr_req_t *r, const struct kedr_field *spec, json_t *in)
{
    json_t *fields = kedr_json_keep(r, json_object());
    const char *key;
    json_t *v;

    if (kedr_input_validate(spec, in, fields) == 0)
        return 0;
    json_object_foreach (fields, key, v)
        kedr_field_error(r, key, json_string_value(v));
    return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
}

/* An update of record `old` by `in`: "unchanged" when it changes
 * nothing, else through the kit's update. */
static int
kit_import_update(kedr_req_t *r, struct kit_ent *k, json_t *in, json_t *old,
                  const char *id, const char **action)
{
    bool changed = false;
    const char *key, *row;
    json_t *v;
    int rc;

    for (const struct kedr_entity_col *c = k->e->cols; c->name != NULL; c++) {
        v = json_object_get(in, c->name);
        if (v == NULL || (c->flags & KEDR_COL_CREATE_ONLY) == 0)
            continue;
        /* set once by the create: the same value may come back */
        if (!kit_same(v, json_object_get(old, c->name))) {
            kedr_field_error(r, c->name,
                             "is set only when the record is "
                             "created");
            return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
        }
        json_object_del(in, c->name);
    }
    json_object_foreach (in, key, v)
        if (!kit_same(v, json_object_get(old, key)))
            changed = true;
    if (!changed) {
        *action = "unchanged";
        return 0;
    }
    json_object_set(in, "version", json_object_get(old, "version"));
    if ((rc = kit_import_spec(r, k->update_in, in)) != 0)
        return rc;
    json_object_del(in, "version");
    *action = "updated";
    if ((rc = kit_check(r, k, in, old, id)) != 0 ||
        (rc = kit_before(r, k, "updated", old, in)) != 0)
        return rc;
    return kit_write_row(r, k, "updated", k->update_sql,
                         KEDR_PARAMS(id, kedr_json_text(r, in)), in, old, &row);
}

/* One row of the file (kedr_import_row_pt). */
static int
kit_import_row(kedr_req_t *r, json_t *row, void *arg, json_t **out)
{
    struct kit_ent *k = arg;
    json_t *in = kedr_json_keep(r, json_deep_copy(row)), *old = NULL;
    json_t *idv = json_object_get(row, "id");
    json_t *ver = json_object_get(row, "version");
    const char *id = NULL, *action, *written = NULL;
    int rc;

    json_object_del(in, "id");
    json_object_del(in, "version");
    if (kit_import_cells(r, k, in) > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    if (idv != NULL && ver == NULL) {
        kedr_field_error(r, "version",
                         "is required with an id (export the list again)");
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    }
    if (idv == NULL && ver != NULL) {
        kedr_field_error(r, "version", "is given without an id");
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    }
    if (idv != NULL)
        id = kedr_sprintf(r, "%lld", (long long)json_integer_value(idv));
    else if ((id = kit_import_key(r, k, in, &rc)) == NULL && rc != 0)
        return rc;
    if (id != NULL &&
        (old = kedr_db_lock(r, k->lock_sql, id, ver, k->e->name, &rc)) == NULL)
        return rc;
    if (old != NULL) {
        rc = kit_import_update(r, k, in, old, id, &action);
    } else {
        action = "created";
        if ((rc = kit_import_spec(r, k->create_in, in)) == 0 &&
            (rc = kit_check(r, k, in, NULL, NULL)) == 0 &&
            (rc = kit_before(r, k, "created", NULL, in)) == 0)
            rc = kit_write_row(r, k, "created", k->insert_sql,
                               KEDR_PARAMS(kedr_json_text(r, in)), in, NULL,
                               &written);
    }
    if (rc != 0)
        return rc;
    if (written != NULL)
        id = kedr_sprintf(r, "%lld",
                          (long long)json_integer_value(json_object_get(
                              kedr_json_parse(r, written), "id")));
    *out = json_pack("{s:I, s:s}", "id", (json_int_t)strtoll(id, NULL, 10),
                     "action", action);
    return 0;
}

/*
 * The set-wise path: a batch of rows that all create records goes in with
 * one statement per check and one INSERT, instead of five or six round
 * trips a row.  Each row is checked as kit_import_row checks it (the
 * cells, the route's input spec, kit_check_in's checks and the module's
 * validate, before_write), then for the whole batch: no unique value
 * repeated nor held by any record, every reference visible, the INSERT
 * (each record visible to its writer), the audit rows, and per record
 * its event and after_write.  Anything else -- a row with an id or a key
 * of an existing record, any failure -- answers 0: the caller undoes the
 * batch and runs its rows one by one through kit_import_row, which names
 * the failing row.
 */
static int
kit_import_set(kedr_req_t *r, json_t *const *rows, json_t *const *res, int n,
               void *arg)
{
    struct kit_ent *k = arg;
    const struct kedr_entity_col *cols = k->e->cols;
    const struct kedr_entity_hooks *h = k->e->hooks;
    json_t *ins = kedr_json_keep(r, json_array());
    json_t *fields = kedr_json_keep(r, json_object());
    const char *event = kedr_sprintf(r, "%s.created", k->audit);
    /* the records as JSON only for hooks that take them */
    bool hooked =
        kedr_server_has_hook(event) || (h != NULL && h->after_write != NULL);
    struct kedr_buf audit;
    kedr_rows_t *q;

    if (k->insert_many_sql == NULL || k->reread)
        return 0; /* after_write needs each row's own members */
    for (int i = 0; i < n; i++) {
        /* a copy of the row's members: what the checks change is the
         * copy's, the row stays for the one-by-one path */
        json_t *in = kedr_json_keep(r, json_copy(rows[i]));

        json_object_clear(fields);
        if (json_object_get(in, "id") != NULL ||
            json_object_get(in, "version") != NULL ||
            kit_import_cells(r, k, in) > 0 ||
            kedr_input_validate(k->create_in, in, fields) > 0 ||
            kit_check_in(r, k, in, NULL, NULL, false) != 0 ||
            kit_before(r, k, "created", NULL, in) != 0)
            return 0;
        json_array_append(ins, in);
    }
    for (size_t c = 0; cols[c].name != NULL; c++) {
        json_t *seen, *vals, *in, *v;
        size_t i;

        if (k->unique_many_sql[c] == NULL && k->refs[c] == NULL)
            continue;
        seen = kedr_json_keep(r, json_object());
        vals = kedr_json_keep(r, json_array());
        json_array_foreach (ins, i, in) {
            const char *t;

            if ((v = json_object_get(in, cols[c].name)) == NULL ||
                json_is_null(v))
                continue;
            t = json_is_string(v) ? json_string_value(v) : kedr_json_text(r, v);
            if (json_object_get(seen, t) != NULL) {
                if (k->unique_many_sql[c] != NULL)
                    return 0; /* twice in the file */
                continue;
            }
            json_object_set_new(seen, t, json_true());
            json_array_append_new(vals, json_string(t));
        }
        if (json_array_size(vals) == 0)
            continue;
        if (k->unique_many_sql[c] != NULL) {
            q = kedr_db_query(r, k->unique_many_sql[c],
                              KEDR_PARAMS(kedr_json_text(r, vals)));
            if (q == NULL || kedr_rows_count(q) > 0)
                return 0; /* taken: a key to update, or a conflict */
        } else {
            struct kit_ent *to = k->refs[c];

            if (!kit_may(r, to->e->perm_read) ||
                (q = kedr_db_query(r, to->ref_many_sql,
                                   KEDR_PARAMS(kedr_json_text(r, vals),
                                               to->e->perm_read))) == NULL ||
                strtoul(kedr_rows_get(q, 0, 0), NULL, 10) !=
                    json_array_size(vals))
                return 0;
        }
    }
    q = kedr_db_query(r, k->insert_many_sql,
                      KEDR_PARAMS(kedr_json_text(r, ins)));
    if (q == NULL || kedr_rows_count(q) != n)
        return 0;
    kedr_buf_init(&audit, &r->arena);
    for (int i = 0; i < n; i++) {
        if (strcmp(kedr_rows_get(q, i, 1), "t") != 0)
            return 0; /* the writer would no longer see it */
        kedr_buf_adds(&audit, i == 0 ? "[" : ",");
        kedr_buf_adds(&audit, kedr_rows_get(q, i, 0));
    }
    kedr_buf_adds(&audit, "]");
    if (kedr_audit_write_many(r, k->audit, "created", audit.data) != 0)
        return 0;
    for (int i = 0; i < n; i++) {
        json_t *rec =
            hooked ? kedr_json_parse(r, kedr_rows_get(q, i, 0)) : NULL;

        if (rec != NULL && (kedr_emit(r, event, rec) != 0 ||
                            (h != NULL && h->after_write != NULL &&
                             h->after_write(r, "created", NULL, rec) != 0)))
            return 0;
        json_object_set_new(
            res[i], "result",
            json_pack("{s:I, s:s}", "id",
                      (json_int_t)strtoll(kedr_rows_get(q, i, 2), NULL, 10),
                      "action", "created"));
    }
    return 1;
}

int
kit_import(kedr_req_t *r)
{
    struct kit_ent *k = kit_of(r);

    return kedr_import_run_sets(r, k->import_cols, kit_import_row,
                                kit_import_set, k);
}
