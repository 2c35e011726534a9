/*
 * kit.c -- the resource kit: each entity a module declares (struct
 * kedr_entity, kedr.h) served by the core: list and export by the one
 * list protocol, get, create, partial update, archive/restore, delete,
 * and GET /api/v1/meta/<entity>.  The statements are built once, when
 * the module is routed, from the declaration alone (identifiers checked
 * by kedr_kit_check at load); the list's WHERE and ORDER BY are put
 * together per request from those checked pieces, and every value is a
 * parameter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "kit_int.h"

/* each apart: the router keeps pointers to their routes */
static struct kit_ent **kit_ents;
static size_t kit_nents;
/* statements live as long as the process: a plain arena of its own */
static struct kedr_arena kit_arena;
static bool kit_arena_ready;

static const char *const kit_sqltype[] = {
    [KEDR_T_STRING] = "text",    [KEDR_T_INT] = "bigint",
    [KEDR_T_NUMBER] = "numeric", [KEDR_T_MONEY] = "numeric",
    [KEDR_T_DATE] = "date",      [KEDR_T_BOOL] = "boolean",
    [KEDR_T_OBJECT] = "jsonb",   [KEDR_T_ARRAY] = "jsonb",
};

static const struct kedr_field kit_active_in[] = {KEDR_FIELD_VERSION, {0}};

/* ---------------------------------------------------------------------
 * Building the statements
 * --------------------------------------------------------------------- */

/* The strings of the NULL-terminated `parts` joined, in the kit's arena;
 * kit_cat(a, b, ...) builds the list. */
static const char *
kit_cat_v(const char *const *parts)
{
    struct kedr_buf b;

    kedr_buf_init(&b, &kit_arena);
    for (; *parts != NULL; parts++)
        kedr_buf_adds(&b, *parts);
    return b.data;
}
#define kit_cat(...) kit_cat_v((const char *const[]){__VA_ARGS__, NULL})

static bool
kit_writable(const struct kedr_entity_col *c)
{
    return (c->flags & KEDR_COL_READONLY) == 0;
}

/* A member the module writes itself (KEDR_COL_MODULE, ABI 1.5): in the
 * input specs by its type, in the export by its sql, never in a
 * statement that writes; the entity is read again after after_write. */
static void
kit_module_member(struct kit_ent *k, const struct kedr_entity_col *c,
                  size_t *nin, size_t *nup)
{
    k->reread = true;
    if (!kit_writable(c))
        return;
    k->create_in[*nin] =
        (struct kedr_field){.name = c->name,
                            .type = c->type,
                            .flags = c->flags & (KEDR_REQUIRED | KEDR_NONEMPTY),
                            .min = c->min,
                            .max = c->max};
    if ((c->flags & KEDR_COL_CREATE_ONLY) == 0) {
        k->update_in[*nup] = k->create_in[*nin];
        k->update_in[(*nup)++].flags &= ~KEDR_REQUIRED;
    }
    (*nin)++;
}

/* Build what entity k serves from its declaration. */
static void
kit_build(struct kit_ent *k)
{
    const struct kedr_entity *e = k->e;
    struct kedr_buf obj, det, ins, sel, upd, exs;
    size_t ncols = 0, nin = 0, nup = 0, nex = 0;
    const char *scope, *title = NULL;

    kedr_buf_init(&obj, &kit_arena);
    kedr_buf_init(&det, &kit_arena);
    kedr_buf_init(&ins, &kit_arena);
    kedr_buf_init(&sel, &kit_arena);
    kedr_buf_init(&upd, &kit_arena);
    kedr_buf_init(&exs, &kit_arena);
    kedr_buf_adds(&exs, "");
    k->where = e->where != NULL ? kit_cat(" AND (", e->where, ")") : "";
    for (const struct kedr_entity_col *c = e->cols; c->name != NULL; c++) {
        ncols++;
        if (title == NULL && c->sql == NULL && c->type == KEDR_T_STRING &&
            (c->flags & KEDR_COL_MODULE) == 0)
            title = c->name;
    }
    if (e->title != NULL)
        title = e->title;
    k->create_in = kedr_xcalloc(ncols + 2, sizeof(*k->create_in));
    k->update_in = kedr_xcalloc(ncols + 3, sizeof(*k->update_in));
    k->export_cols = kedr_xcalloc(ncols + 3, sizeof(*k->export_cols));
    k->refs = kedr_xcalloc(ncols + 1, sizeof(*k->refs));
    k->unique_sql = kedr_xcalloc(ncols + 1, sizeof(*k->unique_sql));
    k->col_sql = kedr_xcalloc(ncols + 1, sizeof(*k->col_sql));
    k->export_cols[nex++] = (struct kedr_column){
        .name = "id", .label_ru = "ID", .label_en = "ID", .type = KEDR_T_INT};

    kedr_buf_adds(&obj, "json_build_object('id', t.id");
    for (const struct kedr_entity_col *c = e->cols; c->name != NULL; c++) {
        const char *val =
            c->sql != NULL ? kit_cat("(", c->sql, ")")
                           : kit_cat("t.", c->name,
                                     c->type == KEDR_T_MONEY ? "::text" : "");

        /* the detail members go only into the one-record answer; a
         * member the module writes shows only through its sql */
        if ((c->flags & KEDR_COL_MODULE) == 0 || c->sql != NULL)
            kedr_buf_addf((c->flags & KEDR_COL_DETAIL) != 0 ? &det : &obj,
                          ", '%s', %s", c->name, val);
        /* a sort key in its collation (ABI 1.5): the order and the
         * keyset's comparisons alike */
        k->col_sql[c - e->cols] =
            c->sql != NULL ? val
            : c->collate != NULL
                ? kit_cat("(t.", c->name, " COLLATE \"", c->collate, "\")")
                : kit_cat("t.", c->name);
        /* ABI 1.5: a computed scalar member exported as its sql */
        if (c->sql != NULL && (c->flags & KEDR_COL_EXPORT) != 0) {
            k->export_cols[nex++] = (struct kedr_column){
                .name = c->name,
                .label_ru = c->label_ru,
                .label_en = c->label_en != NULL ? c->label_en : c->label_ru,
                .type = c->type};
            kedr_buf_addf(&exs, ", (%s) AS %s", c->sql, c->name);
        }
        if ((c->flags & KEDR_COL_MODULE) != 0) {
            kit_module_member(k, c, &nin, &nup);
            continue;
        }
        if (c->sql != NULL)
            continue; /* computed: shown, never written */
        if ((c->flags & KEDR_COL_EXPORT) != 0) {
            /* a list as "a; b" (the import splits on ';' and ',') */
            k->export_cols[nex++] = (struct kedr_column){
                .name = c->name,
                .label_ru = c->label_ru,
                .label_en = c->label_en != NULL ? c->label_en : c->label_ru,
                .type = c->type == KEDR_T_ARRAY ? KEDR_T_STRING : c->type};
            if (c->type == KEDR_T_ARRAY)
                kedr_buf_addf(&exs, ", array_to_string(t.%s, '; ') AS %s",
                              c->name, c->name);
            else
                kedr_buf_addf(&exs, ", t.%s", c->name);
        }
        if (!kit_writable(c)) {
            /* read-only with a default: the create sets it from that */
            if (c->def != NULL) {
                kedr_buf_addf(&ins, "%s%s", ins.len > 0 ? ", " : "", c->name);
                kedr_buf_addf(&sel, "%s(%s)", sel.len > 0 ? ", " : "", c->def);
            }
            continue;
        }
        k->create_in[nin] = (struct kedr_field){
            .name = c->name,
            .type = c->type,
            .flags = c->flags & (KEDR_REQUIRED | KEDR_NONEMPTY),
            .min = c->min,
            .max = c->max};
        if ((c->flags & KEDR_COL_UNIQUE) != 0)
            k->unique_sql[c - e->cols] =
                kit_cat("SELECT t.id FROM ", e->table, " t WHERE t.", c->name,
                        " = $1::", kit_sqltype[c->type],
                        " AND t.id IS DISTINCT FROM $2::bigint", k->where,
                        " ORDER BY t.id LIMIT 1");
        kedr_buf_addf(&ins, "%s%s", ins.len > 0 ? ", " : "", c->name);
        if (c->def != NULL)
            kedr_buf_addf(&sel,
                          "%sCASE WHEN j.doc ? '%s' THEN x.%s ELSE (%s) "
                          "END",
                          sel.len > 0 ? ", " : "", c->name, c->name, c->def);
        else
            kedr_buf_addf(&sel, "%sx.%s", sel.len > 0 ? ", " : "", c->name);
        nin++;
        if ((c->flags & KEDR_COL_CREATE_ONLY) != 0)
            continue;
        k->update_in[nup] = k->create_in[nin - 1];
        k->update_in[nup++].flags &= ~KEDR_REQUIRED;
        kedr_buf_addf(&upd,
                      "%s = CASE WHEN $2::jsonb ? '%s' THEN x.%s ELSE t.%s "
                      "END, ",
                      c->name, c->name, c->name, c->name);
    }
    if ((e->flags & KEDR_ENTITY_ATTRS) != 0) {
        kedr_buf_adds(&obj, ", 'attrs', t.attrs");
        k->create_in[nin] =
            (struct kedr_field){.name = "attrs", .type = KEDR_T_OBJECT};
        k->update_in[nup++] = k->create_in[nin++];
        kedr_buf_addf(&ins, "%sattrs", ins.len > 0 ? ", " : "");
        kedr_buf_addf(&sel, "%sjsonb_strip_nulls(coalesce(x.attrs, '{}'))",
                      sel.len > 0 ? ", " : "");
        kedr_buf_adds(&upd, "attrs = CASE WHEN $2::jsonb ? 'attrs' THEN "
                            "jsonb_strip_nulls(t.attrs || x.attrs) ELSE "
                            "t.attrs END, ");
    }
    if ((e->flags & KEDR_ENTITY_ARCHIVE) != 0)
        kedr_buf_adds(&obj, ", 'active', t.active");
    kedr_buf_adds(&obj, ", 'version', t.version");
    /* last: an exported file imported back updates each record only if
     * nobody changed it since (kit_import.c) */
    k->export_cols[nex] = (struct kedr_column){.name = "version",
                                               .label_ru = "Версия",
                                               .label_en = "Version",
                                               .type = KEDR_T_INT};
    k->update_in[nup] = (struct kedr_field)KEDR_FIELD_VERSION;
    /* json_build_object takes at most 100 arguments: the detail members
     * are a second object joined to the first */
    k->obj = kit_cat(obj.data, ")");
    k->obj_get = det.len > 0
                     ? kit_cat("(", k->obj, "::jsonb || jsonb_build_object(",
                               det.data + 2, "))")
                     : k->obj;
    /* by id (get, lock, the checks after a write): one statement for
     * every scope; an `own` that is NULL for a row is not visible.  The
     * lists choose theirs by the caller's scope (kit_scope). */
    k->visible = e->own != NULL
                     ? kit_cat("((SELECT NOT core.own_only()) OR coalesce((",
                               e->own, "), false))")
                     : "true";
    k->get_sql = kit_cat("SELECT ", k->obj_get, "::text FROM ", e->table,
                         " t WHERE t.id = $1 AND ", k->visible);
    k->lock_sql =
        kit_cat("SELECT ", k->obj, "::text FROM ", e->table,
                " t WHERE t.id = $1 AND ", k->visible, " FOR UPDATE OF t");
    k->ins_cols = ins.data;
    k->ins_sel = sel.data; /* over j.doc, the body, and x, its record */
    k->insert_sql =
        kit_cat("INSERT INTO ", e->table, " AS t (", ins.data, ") SELECT ",
                sel.data, " FROM (SELECT $1::jsonb AS doc) j, ",
                "jsonb_populate_record(NULL::", e->table,
                ", j.doc) x RETURNING ", k->obj, "::text");
    k->update_sql = kit_cat("UPDATE ", e->table, " t SET ", upd.data,
                            "version = t.version + 1, updated_at = now() "
                            "FROM jsonb_populate_record(NULL::",
                            e->table,
                            ", $2::jsonb) x WHERE t.id = $1 "
                            "RETURNING ",
                            k->obj, "::text");
    k->delete_sql = kit_cat("DELETE FROM ", e->table,
                            " t WHERE t.id = $1 RETURNING ", k->obj, "::text");
    k->active_sql = kit_cat("UPDATE ", e->table,
                            " t SET active = $2::boolean, version = t.version "
                            "+ 1, updated_at = now() WHERE t.id = $1 "
                            "RETURNING ",
                            k->obj, "::text");
    k->visible_sql = kit_cat("SELECT ", k->visible, " FROM ", e->table,
                             " t WHERE t.id = $1");
    k->read_sql = kit_cat("SELECT ", k->obj, "::text FROM ", e->table,
                          " t WHERE t.id = $1");
    k->export_sel = exs.data;
    k->recheck = e->hooks != NULL && e->hooks->duplicate != NULL;
    for (size_t i = 0; i < ncols; i++)
        k->recheck = k->recheck || k->unique_sql[i] != NULL;
    k->dup_sql =
        kit_cat("SELECT ", title != NULL ? kit_cat("t.", title) : "''", ", ",
                k->visible, " FROM ", e->table, " t WHERE t.id = $1::bigint");
    /* as the target of a reference: the caller's scope by the read
     * permission of this entity, whatever route they are on */
    scope =
        kit_cat(e->own != NULL
                    ? " AND (NOT core.scope_own_only(core.current_user_id(), "
                      "$2) OR ("
                    : " AND ($2::text IS NOT NULL OR (",
                e->own != NULL ? e->own : "true", "))");
    k->ref_sql = kit_cat("SELECT 1 FROM ", e->table,
                         " t WHERE t.id = $1::bigint", scope, k->where);
    /* the same for a JSON array of ids: how many of them */
    k->ref_many_sql =
        kit_cat("SELECT count(DISTINCT t.id) FROM ", e->table,
                " t WHERE t.id = ANY (ARRAY(SELECT "
                "jsonb_array_elements_text($1::jsonb))::bigint[])",
                scope, k->where);
    kit_import_build(k, &kit_arena);
}

/* ---------------------------------------------------------------------
 * Requests: shared steps
 * --------------------------------------------------------------------- */

/* The entity whose route the request matched. */
struct kit_ent *
kit_of(kedr_req_t *r)
{
    const struct kedr_route *rt = r->match.ent->route;

    for (size_t i = 0; i < kit_nents; i++)
        if (rt >= kit_ents[i]->routes && rt < kit_ents[i]->routes + KIT_NROUTES)
            return kit_ents[i];
    return NULL;
}

/* A label in the user's language. */
const char *
kit_label(kedr_req_t *r, const char *ru, const char *en)
{
    return strcmp(kedr_user_locale(r), "en") == 0 && en != NULL ? en : ru;
}

/* Whether the user holds `perm` (KEDR_PUBLIC: everyone does). */
bool
kit_may(kedr_req_t *r, const char *perm)
{
    return strcmp(perm, KEDR_PUBLIC) == 0 || kedr_has_permission(r, perm);
}

/* The references of `in` checked: each points at a record the user may
 * see (a hidden one and a missing one answer the same).  The number of
 * field errors, or a negative code. */
static int
kit_refs(kedr_req_t *r, struct kit_ent *k, json_t *in)
{
    int n = 0;

    for (size_t i = 0; k->e->cols[i].name != NULL; i++) {
        const struct kedr_entity_col *c = &k->e->cols[i];
        json_t *v = json_object_get(in, c->name);
        struct kit_ent *to = k->refs[i];
        kedr_rows_t *rows;

        if (to == NULL || !json_is_integer(v))
            continue;
        if (kit_may(r, to->e->perm_read)) {
            rows = kedr_db_query(
                r, to->ref_sql,
                KEDR_PARAMS(
                    kedr_sprintf(r, "%lld", (long long)json_integer_value(v)),
                    to->e->perm_read));
            if (rows == NULL)
                return KEDR_EDB;
            if (kedr_rows_count(rows) == 1)
                continue;
        }
        kedr_field_error(r, c->name,
                         kedr_sprintf(r, "no such %s", to->e->name));
        n++;
    }
    return n;
}

/* Trim the text members of `in` (what is checked is what is written). */
static void
kit_trim(kedr_req_t *r, struct kit_ent *k, json_t *in)
{
    for (const struct kedr_entity_col *c = k->e->cols; c->name != NULL; c++) {
        const char *v = c->type == KEDR_T_STRING
                            ? json_string_value(json_object_get(in, c->name))
                            : NULL;

        if (v != NULL)
            json_object_set_new(in, c->name, json_string(kedr_trim(r, v)));
    }
}

/* The characters of UTF-8 `s`. */
static size_t
kit_chars(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* ABI 1.5: a value by column c's rule, into *out (a phone made
 * +7XXXXXXXXXX); why it breaks the rule, or NULL. */
static const char *
kit_rule(kedr_req_t *r, const struct kedr_entity_col *c, const char *v,
         const char **out)
{
    char e164[32];

    *out = v;
    if (c->rule == KEDR_RULE_PHONE) {
        if (!kedr_phone_e164(v, e164, sizeof(e164)))
            return "is not a phone number: write it as +7 495 123-45-67 or "
                   "8 (495) 123-45-67";
        *out = kedr_strdup(r, e164);
    } else if (c->rule == KEDR_RULE_EMAIL && !kedr_email_valid(v)) {
        return "is not an e-mail address";
    }
    return NULL;
}

/* List (ARRAY) column c of `in` made what is stored (ABI 1.5): each
 * element a trimmed string by the column's rule, empty ones and repeats
 * dropped, null the empty list.  The number of field errors (an element
 * named "<col>[i]"). */
static int
kit_list_in(kedr_req_t *r, const struct kedr_entity_col *c, json_t *in)
{
    json_t *v = json_object_get(in, c->name), *e, *list, *seen;
    size_t i, most = c->item_max > 0 ? c->item_max : 200;
    int n = 0;

    if (v == NULL)
        return 0;
    list = json_array();
    seen = kedr_json_keep(r, json_object());
    json_array_foreach (v, i, e) {
        const char *s = json_string_value(e), *why = NULL, *norm;

        if (s == NULL)
            why = "must be a string";
        else if (*(s = kedr_trim(r, s)) == '\0')
            continue;
        else if (kit_chars(s) > most)
            why = "is too long";
        else if ((why = kit_rule(r, c, s, &norm)) == NULL &&
                 json_object_get(seen, norm) == NULL) {
            json_object_set_new(seen, norm, json_true());
            json_array_append_new(list, json_string(norm));
        }
        if (why != NULL) {
            kedr_field_error(r, kedr_sprintf(r, "%s[%zu]", c->name, i), why);
            n++;
        }
    }
    json_object_set_new(in, c->name, list);
    return n;
}

/* The record `id` holding a value `field` must not repeat (a unique
 * column, the module's duplicate check): the 409 the kit answers,
 * {"error", "duplicate": {"id", <title>, "visible", "link"}}, kept for
 * the handler (kit_answer); the import reports the conflict as a row's.
 * KEDR_ECONFLICT, or a negative code. */
static json_t *kit_dup;
static char kit_dup_rid[64]; /* the request it belongs to */

static int
kit_duplicate(kedr_req_t *r, struct kit_ent *k, const char *field, long long id)
{
    const char *ids = kedr_sprintf(r, "%lld", id), *title;
    kedr_rows_t *rows = kedr_db_query(r, k->dup_sql, KEDR_PARAMS(ids));
    const struct kedr_entity_col *tc = NULL;

    if (rows == NULL)
        return KEDR_EDB;
    title = kedr_rows_count(rows) > 0 ? kedr_rows_get(rows, 0, 0) : "";
    for (const struct kedr_entity_col *c = k->e->cols; c->name != NULL; c++)
        if (tc == NULL && c->sql == NULL && c->type == KEDR_T_STRING &&
            (c->flags & KEDR_COL_MODULE) == 0 &&
            (k->e->title == NULL || strcmp(k->e->title, c->name) == 0))
            tc = c;
    kit_dup = kedr_json_keep(
        r, json_pack("{s:I, s:b, s:s}", "id", (json_int_t)id, "visible",
                     kedr_rows_count(rows) > 0 &&
                         strcmp(kedr_rows_get(rows, 0, 1), "t") == 0,
                     "link",
                     kedr_sprintf(r, "/api/v1/%s%s/%s", k->mod->name,
                                  k->e->path, ids)));
    if (kit_dup == NULL)
        kedr_out_of_memory(r);
    snprintf(kit_dup_rid, sizeof(kit_dup_rid), "%s", kedr_request_id(r));
    if (tc != NULL)
        json_object_set_new(kit_dup, tc->name, json_string(title));
    kedr_field_error(
        r, field,
        kedr_sprintf(r, "is used by another %s (id %s)", k->e->name, ids));
    return kedr_fail(r, KEDR_ECONFLICT, NULL, "another %s has the same %s: %s",
                     k->e->name, field, ids);
}

/* The handler's answer after rc: a duplicate answered 409 with the
 * record holding the value (the reply is an error's: rolled back). */
static int
kit_answer(kedr_req_t *r, int rc)
{
    json_t *body, *err;

    if (rc != KEDR_ECONFLICT || kit_dup == NULL ||
        strcmp(kit_dup_rid, kedr_request_id(r)) != 0)
        return rc;
    err = json_pack("{s:s, s:s}", "code", "conflict", "message", r->err_msg);
    if (err == NULL)
        kedr_out_of_memory(r);
    if (r->err_fields != NULL)
        json_object_set(err, "fields", r->err_fields);
    body = json_pack("{s:o, s:O}", "error", err, "duplicate", kit_dup);
    kit_dup = NULL;
    return kedr_reply_json(r, 409, body);
}

/* The module's duplicate check (ABI 1.5): 0, or the 409 recorded. */
static int
kit_dup_hook(kedr_req_t *r, struct kit_ent *k, json_t *in, json_t *old)
{
    const struct kedr_entity_hooks *h = k->e->hooks;
    const char *field = NULL;
    long long id = 0;
    int rc;

    if (h == NULL || h->duplicate == NULL)
        return 0;
    rc = h->duplicate(r, in, old, &field, &id);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return 0;
    if (field == NULL)
        return kedr_fail(r, KEDR_EINTERNAL, NULL,
                         "the %s duplicate check named no field", k->e->name);
    return kit_duplicate(r, k, field, id);
}

/* The unique columns of `in` free of other records (record `id`, NULL on
 * create): the number taken (each a field error), or a negative code (the
 * first taken answered with its record: KEDR_ECONFLICT). */
static int
kit_unique(kedr_req_t *r, struct kit_ent *k, json_t *in, const char *id)
{
    int n = 0;

    for (size_t i = 0; k->e->cols[i].name != NULL; i++) {
        json_t *v = json_object_get(in, k->e->cols[i].name);
        const char *text;
        kedr_rows_t *rows;

        if (k->unique_sql[i] == NULL || v == NULL || json_is_null(v))
            continue;
        text = json_is_string(v) ? json_string_value(v) : kedr_json_text(r, v);
        if ((rows = kedr_db_query(r, k->unique_sql[i],
                                  KEDR_PARAMS(text, id))) == NULL)
            return KEDR_EDB;
        if (kedr_rows_count(rows) > 0)
            return kit_duplicate(r, k, k->e->cols[i].name,
                                 strtoll(kedr_rows_get(rows, 0, 0), NULL, 10));
    }
    return n;
}

/* The checks every write of `in` runs before its statement: text
 * trimmed, required members not cleared, references, attributes, the
 * module's validate, unique values.  `old` and `id` are NULL on create. */
int
kit_check(kedr_req_t *r, struct kit_ent *k, json_t *in, json_t *old,
          const char *id)
{
    return kit_check_in(r, k, in, old, id, true);
}

/* kit_check; without `db` the references and unique values are left to
 * the caller (the import checks a batch's at once). */
int
kit_check_in(kedr_req_t *r, struct kit_ent *k, json_t *in, json_t *old,
             const char *id, bool db)
{
    int n = 0, rc;

    kit_trim(r, k, in);
    for (const struct kedr_entity_col *c = k->e->cols; c->name != NULL; c++) {
        json_t *v = json_object_get(in, c->name);
        const char *why, *norm;

        if (c->type == KEDR_T_ARRAY && c->sql == NULL &&
            (c->flags & KEDR_COL_MODULE) == 0) {
            n += kit_list_in(r, c, in);
            continue;
        }
        if (c->rule != 0 && json_is_string(v) &&
            *json_string_value(v) != '\0') {
            if ((why = kit_rule(r, c, json_string_value(v), &norm)) != NULL) {
                kedr_field_error(r, c->name, why);
                n++;
                continue;
            }
            json_object_set_new(in, c->name, json_string(norm));
        }
        if ((c->flags & KEDR_REQUIRED) != 0 && json_is_null(v)) {
            kedr_field_error(r, c->name, "is required");
            n++;
        } else if ((c->flags & KEDR_NONEMPTY) != 0 && json_is_string(v) &&
                   *json_string_value(v) == '\0') {
            kedr_field_error(r, c->name, "must not be empty");
            n++;
        } else if (c->options != NULL && v != NULL && !json_is_null(v) &&
                   kit_option_find(c, json_is_string(v)
                                          ? json_string_value(v)
                                          : kedr_json_text(r, v)) == NULL) {
            kedr_field_error(r, c->name, "is not one of the allowed values");
            n++;
        }
    }
    if (db) {
        if ((rc = kit_refs(r, k, in)) < 0)
            return rc;
        n += rc;
    }
    if ((k->e->flags & KEDR_ENTITY_ATTRS) != 0) {
        json_t *attrs = json_object_get(in, "attrs");
        json_t *given = json_is_null(attrs) ? NULL : attrs;

        if (old == NULL || attrs != NULL) {
            if ((rc = kedr_attrs_check(r, k->audit, given, old != NULL)) < 0)
                return rc;
            n += rc;
        }
    }
    if (n > 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    if (k->e->hooks != NULL && k->e->hooks->validate != NULL &&
        (rc = k->e->hooks->validate(r, in, old)) != 0)
        return rc < 0 ? rc : KEDR_EINVAL;
    if (!db)
        return 0;
    if ((rc = kit_dup_hook(r, k, in, old)) != 0)
        return rc;
    if ((rc = kit_unique(r, k, in, id)) < 0)
        return rc;
    if (rc > 0)
        return kedr_fail(r, KEDR_ECONFLICT, NULL, "another %s has the same %s",
                         k->e->name, rc == 1 ? "value" : "values");
    return 0;
}

/* A failed write statement as the client should see it. */
static int
kit_db_fail(kedr_req_t *r, struct kit_ent *k, int rc)
{
    const char *state = kedr_db_sqlstate(r);

    if (state != NULL && strcmp(state, "23505") == 0)
        return kedr_fail(r, KEDR_ECONFLICT, NULL, "such a %s already exists",
                         k->e->name);
    if (state != NULL && strcmp(state, "23503") == 0)
        return kedr_fail(r, KEDR_ECONFLICT, NULL,
                         "the %s is used by other records", k->e->name);
    return rc;
}

static const char kit_sp_sql[] = "SAVEPOINT kedr_kit_write";
static const char kit_sp_back_sql[] = "ROLLBACK TO SAVEPOINT kedr_kit_write";

/* A create or update `in` (record `old`) that a unique index refused
 * (23505: a record saved meanwhile): back to the savepoint before the
 * statement and the duplicate checks again, which now see that record
 * and answer it (ABI 1.5); a plain 409 when they do not find it. */
static int
kit_unique_raced(kedr_req_t *r, struct kit_ent *k, json_t *in, json_t *old)
{
    const char *id = old != NULL ? kedr_sprintf(r, "%lld",
                                                (long long)json_integer_value(
                                                    json_object_get(old, "id")))
                                 : NULL;
    int rc;

    r->err_code = 0;
    r->err_msg = NULL;
    r->err_fields = NULL; /* its cleanup still frees it */
    if (kedr_db_exec(r, kit_sp_back_sql, 0, NULL) < 0)
        return KEDR_EDB;
    if ((rc = kit_dup_hook(r, k, in, old)) != 0 ||
        (rc = kit_unique(r, k, in, id)) < 0)
        return rc;
    return kedr_fail(r, KEDR_ECONFLICT, NULL, "such a %s already exists",
                     k->e->name);
}

/* The module's after_write, if any. */
static int
kit_after(kedr_req_t *r, struct kit_ent *k, const char *action, json_t *old,
          json_t *new_)
{
    const struct kedr_entity_hooks *h = k->e->hooks;
    int rc;

    if (h == NULL || h->after_write == NULL ||
        (rc = h->after_write(r, action, old, new_)) == 0)
        return 0;
    return rc < 0 ? rc : KEDR_EINTERNAL;
}

/* The record written `cur` with the members the module writes as the
 * body `in` gave them (absent when it left them out): after_write's
 * `new_`. */
static json_t *
kit_module_new(struct kit_ent *k, json_t *cur, json_t *in)
{
    for (const struct kedr_entity_col *c = k->e->cols; c->name != NULL; c++) {
        json_t *v = in != NULL ? json_object_get(in, c->name) : NULL;

        if ((c->flags & KEDR_COL_MODULE) == 0)
            continue;
        if (v != NULL)
            json_object_set(cur, c->name, v);
        else
            json_object_del(cur, c->name);
    }
    return cur;
}

/* Run write `sql` (of `in` on create and update, else NULL); then the
 * own-only check, the audit row and event, and the module's after_write;
 * *out the record written as JSON text. */
int
kit_write_row(kedr_req_t *r, struct kit_ent *k, const char *action,
              const char *sql, int nparams, const char *const *params,
              json_t *in, json_t *old, const char **out)
{
    const char *row, *id, *state;
    bool del = strcmp(action, "deleted") == 0;
    json_t *cur, *body = in;
    kedr_rows_t *rows;
    int rc;

    /* a savepoint only when there is a check to run again */
    if (in != NULL && !k->recheck)
        in = NULL;
    if (in != NULL && kedr_db_exec(r, kit_sp_sql, 0, NULL) < 0)
        return KEDR_EDB;
    if ((rc = kedr_db_json(r, sql, nparams, params, &row)) != 0) {
        state = kedr_db_sqlstate(r);
        if (in != NULL && state != NULL && strcmp(state, "23505") == 0)
            return kit_unique_raced(r, k, in, old);
        return kit_db_fail(r, k, rc);
    }
    if (row == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such %s", k->e->name);
    cur = kedr_json_parse(r, row);
    id = kedr_sprintf(
        r, "%lld", (long long)json_integer_value(json_object_get(cur, "id")));
    /* members the module writes (ABI 1.5): its after_write first, then
     * the record read again for the checks, the audit and the answer */
    if (k->reread && !del) {
        if ((rc = kit_after(r, k, action, old, kit_module_new(k, cur, body))) !=
            0)
            return rc;
        if ((rc = kedr_db_json(r, k->read_sql, KEDR_PARAMS(id), &row)) != 0)
            return rc;
        cur = kedr_json_parse(r, row);
    }
    if (!del) {
        /* an own-only user keeps what they write in their own sight */
        if ((rows = kedr_db_query(r, k->visible_sql, KEDR_PARAMS(id))) == NULL)
            return KEDR_EDB;
        if (strcmp(kedr_rows_get(rows, 0, 0), "t") != 0)
            return kedr_fail(r, KEDR_EINVAL, NULL,
                             "you would no longer see this %s", k->e->name);
    }
    rc = del ? kedr_record(r, k->audit, action, cur, NULL, NULL)
             : kedr_record(r, k->audit, action, old, cur, NULL);
    if (rc != 0 || (!(k->reread && !del) &&
                    (rc = kit_after(r, k, action, old, del ? NULL : cur)) != 0))
        return rc;
    *out = row;
    return 0;
}

/* kit_write_row, then the reply: `status` with the record (none for a
 * delete: 204). */
static int
kit_write(kedr_req_t *r, struct kit_ent *k, const char *action, const char *sql,
          int nparams, const char *const *params, json_t *in, json_t *old,
          int status)
{
    const char *row;
    int rc = kit_write_row(r, k, action, sql, nparams, params, in, old, &row);

    if (rc != 0 || status == 204)
        return kit_answer(r, rc); /* a delete answers 204 */
    return kedr_reply_text(r, status, row);
}

int
kit_before(kedr_req_t *r, struct kit_ent *k, const char *action, json_t *old,
           json_t *in)
{
    const struct kedr_entity_hooks *h = k->e->hooks;
    int rc;

    if (h == NULL || h->before_write == NULL)
        return 0;
    rc = h->before_write(r, action, old, in);
    return rc > 0 ? KEDR_EINTERNAL : rc;
}

/* ---------------------------------------------------------------------
 * Handlers
 * --------------------------------------------------------------------- */

static int
kit_get(kedr_req_t *r)
{
    struct kit_ent *k = kit_of(r);

    return kedr_reply_one(r, k->get_sql, kedr_param_id(r, "id"), k->e->name);
}

static int
kit_create(kedr_req_t *r)
{
    struct kit_ent *k = kit_of(r);
    json_t *in = kedr_json_keep(r, json_copy(kedr_body(r)));
    int rc;

    kit_dup = NULL;
    if ((rc = kit_check(r, k, in, NULL, NULL)) != 0 ||
        (rc = kit_before(r, k, "created", NULL, in)) != 0)
        return kit_answer(r, rc);
    return kit_write(r, k, "created", k->insert_sql,
                     KEDR_PARAMS(kedr_json_text(r, in)), in, NULL, 201);
}

/* The record locked for a write, its version checked; NULL with *rc. */
static json_t *
kit_lock(kedr_req_t *r, struct kit_ent *k, json_t *version, int *rc)
{
    return kedr_db_lock(r, k->lock_sql, kedr_param_id(r, "id"), version,
                        k->e->name, rc);
}

static int
kit_update(kedr_req_t *r)
{
    struct kit_ent *k = kit_of(r);
    json_t *in = kedr_json_keep(r, json_copy(kedr_body(r)));
    json_t *old;
    int rc;

    kit_dup = NULL;
    old = kit_lock(r, k, json_object_get(kedr_body(r), "version"), &rc);
    if (old == NULL)
        return rc;
    json_object_del(in, "version");
    if ((rc = kit_check(r, k, in, old, kedr_param_id(r, "id"))) != 0 ||
        (rc = kit_before(r, k, "updated", old, in)) != 0)
        return kit_answer(r, rc);
    return kit_write(r, k, "updated", k->update_sql,
                     KEDR_PARAMS(kedr_param_id(r, "id"), kedr_json_text(r, in)),
                     in, old, 200);
}

/* POST .../archive and .../restore {version}; DELETE of an entity whose
 * delete archives (ABI 1.5): `version` from the query. */
static int
kit_set_active(kedr_req_t *r, bool active, json_t *version)
{
    struct kit_ent *k = kit_of(r);
    const char *action = active ? "restored" : "archived";
    json_t *old;
    int rc;

    kit_dup = NULL;
    old = kit_lock(r, k, version, &rc);
    if (old == NULL || (rc = kit_before(r, k, action, old, NULL)) != 0)
        return rc;
    return kit_write(
        r, k, action, k->active_sql,
        KEDR_PARAMS(kedr_param_id(r, "id"), active ? "true" : "false"), NULL,
        old, 200);
}

static int
kit_archive(kedr_req_t *r)
{
    return kit_set_active(r, false, json_object_get(kedr_body(r), "version"));
}

static int
kit_restore(kedr_req_t *r)
{
    return kit_set_active(r, true, json_object_get(kedr_body(r), "version"));
}

/* DELETE <path>/:id?version= with KEDR_ENTITY_DELETE_ARCHIVES: the
 * record made inactive, answered 200 with it. */
static int
kit_delete_archive(kedr_req_t *r)
{
    bool bad = false;
    json_t *version = kedr_query_version(r, &bad);

    if (bad)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    return kit_set_active(r, false, version);
}

/* GET <path> of a KEDR_ENTITY_NO_LIST entity that its module does not
 * route: 404 naming the entity (ABI 1.5; was the router's 405). */
static int
kit_no_list(kedr_req_t *r)
{
    struct kit_ent *k = kit_of(r);

    return kedr_fail(r, KEDR_ENOTFOUND, NULL,
                     "the %s list is not served here: its module lists "
                     "them in a shape of its own",
                     k->e->name);
}

static int
kit_delete(kedr_req_t *r)
{
    struct kit_ent *k = kit_of(r);
    bool bad = false;
    json_t *version = kedr_query_version(r, &bad), *old;
    int rc;

    if (bad)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");
    old = kit_lock(r, k, version, &rc);
    if (old == NULL || (rc = kit_before(r, k, "deleted", old, NULL)) != 0)
        return rc;
    return kit_write(r, k, "deleted", k->delete_sql,
                     KEDR_PARAMS(kedr_param_id(r, "id")), NULL, old, 204);
}

/* ---------------------------------------------------------------------
 * The list and its export
 * --------------------------------------------------------------------- */

/* A query being put together: its text and parameters. */
struct kit_q {
    struct kedr_buf sql;
    const char *p[KEDR_KIT_MAX_CONDS + 3 * KEDR_KIT_MAX_SORT +
                  KEDR_KIT_MAX_WORDS + KEDR_KIT_SEARCH_PARAMS + 8];
    int n;
};

/* Add parameter `v`; its number. */
static int
kit_param(struct kit_q *q, const char *v)
{
    q->p[q->n++] = v;
    return q->n;
}

/* `s` as an ILIKE pattern matching it anywhere. */
static const char *
kit_like(kedr_req_t *r, const char *s)
{
    struct kedr_buf b;

    kedr_buf_init(&b, &r->arena);
    kedr_buf_adds(&b, "%");
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            kedr_buf_adds(&b, "\\");
        kedr_buf_add(&b, s, 1);
    }
    kedr_buf_adds(&b, "%");
    return b.data;
}

/* SQL of the module's `sql` into b, its $1, $2, ... made parameters
 * base, base + 1, ... */
static void
kit_splice(struct kedr_buf *b, const char *sql, int base)
{
    for (const char *p = sql; *p != '\0'; p++)
        if (p[0] == '$' && p[1] >= '1' && p[1] <= '9') {
            char *end;
            long n = strtol(p + 1, &end, 10);

            kedr_buf_addf(b, "$%ld", base + n - 1);
            p = end - 1;
        } else {
            kedr_buf_add(b, p, 1);
        }
}

/* A module's filter `sql` into b, its $1 made parameter n. */
static void
kit_own_where(struct kedr_buf *b, const char *sql, int n)
{
    kedr_buf_adds(b, " AND (");
    kit_splice(b, sql, n);
    kedr_buf_adds(b, ")");
}

/* The entity's own search `s` into q (ABI 1.4), its parameters numbered
 * from `base`: its `where` ANDed (when it has one), its rank renumbered
 * the same way into l->rank. */
static void
kit_search_where(kedr_req_t *r, const struct kedr_kit_search *s,
                 struct kedr_kit_list *l, struct kit_q *q, int base)
{
    struct kedr_buf rank;

    if (s->where != NULL)
        kit_own_where(&q->sql, s->where, base);
    if (l->rank != NULL) {
        kedr_buf_init(&rank, &r->arena);
        kedr_buf_adds(&rank, "(");
        kit_splice(&rank, s->rank, base);
        kedr_buf_adds(&rank, ")");
        l->rank = rank.data;
    }
}

/* A list value `v` of column c as stored: a phone by the phone rule (a
 * value that is no phone stays as given: it matches nothing). */
static const char *
kit_rule_value(kedr_req_t *r, const struct kedr_entity_col *c, const char *v)
{
    char e164[32];

    if (c->rule == KEDR_RULE_PHONE && kedr_phone_e164(v, e164, sizeof(e164)))
        return kedr_strdup(r, e164);
    return v;
}

/* Condition `c` on list (ARRAY) column `col` into q (ABI 1.5): = holds
 * the value, .in one of the values, .null is (not) empty. */
static void
kit_list_cond(kedr_req_t *r, const struct kedr_entity_col *col,
              const struct kedr_kit_cond *c, struct kit_q *q)
{
    json_t *arr;

    switch (c->op) {
    case KEDR_KIT_EQ:
        kedr_buf_addf(&q->sql, " AND t.%s @> ARRAY[$%d::text]", col->name,
                      kit_param(q, kit_rule_value(r, col, c->vals[0])));
        break;
    case KEDR_KIT_IN:
        arr = kedr_json_keep(r, json_array());
        for (int j = 0; j < c->nvals; j++)
            json_array_append_new(
                arr, json_string(kit_rule_value(r, col, c->vals[j])));
        kedr_buf_addf(&q->sql,
                      " AND t.%s && ARRAY(SELECT "
                      "jsonb_array_elements_text($%d::jsonb))",
                      col->name, kit_param(q, kedr_json_text(r, arr)));
        break;
    case KEDR_KIT_NULL:
        kedr_buf_addf(&q->sql, " AND %s(coalesce(cardinality(t.%s), 0) = 0)",
                      strcmp(c->vals[0], "true") == 0 ? "" : "NOT ", col->name);
        break;
    default: /* refused by the parser */
        kedr_buf_adds(&q->sql, " AND false");
        break;
    }
}

/* FROM and WHERE of list `l` into q (the visibility, filters, search,
 * attributes); the parameters added. */
static void
kit_where(kedr_req_t *r, struct kit_ent *k, struct kedr_kit_list *l,
          const struct kedr_kit_search *s, const char *attrs, struct kit_q *q)
{
    const struct kedr_entity_col *cols = k->e->cols;
    bool own_search = s->where != NULL || s->from != NULL;
    int base = q->n + 1;

    /* the search's parameters first: its relation (ABI 1.5) comes before
     * every other parameter in the text */
    for (int i = 0; own_search && i < s->nparams; i++)
        kit_param(q, s->params[i]);
    if (s->from != NULL) {
        kedr_buf_adds(&q->sql, " FROM (");
        kit_splice(&q->sql, s->from, base);
        kedr_buf_adds(&q->sql, ") t");
    } else {
        kedr_buf_addf(&q->sql, " FROM %s t", k->e->table);
    }
    /* the visibility by the caller's scope (kit_scope): an own-only caller
     * the entity's `own` alone, which the planner can use an index for;
     * anyone else nothing */
    kedr_buf_addf(&q->sql, " WHERE %s%s",
                  l->own_only ? kedr_sprintf(r, "(%s)", k->e->own) : "true",
                  k->where);
    for (int i = 0; i < l->nconds; i++) {
        const struct kedr_kit_cond *c = &l->conds[i];
        const char *name, *type;
        json_t *arr;

        if (c->filter >= 0) {
            kit_own_where(&q->sql, k->e->filters[c->filter].sql,
                          kit_param(q, c->vals[0]));
            continue;
        }
        name = cols[c->col].name;
        type = kit_sqltype[cols[c->col].type];
        if (cols[c->col].type == KEDR_T_ARRAY) {
            kit_list_cond(r, &cols[c->col], c, q);
            continue;
        }

        switch (c->op) {
        case KEDR_KIT_EQ:
            kedr_buf_addf(
                &q->sql, " AND t.%s = $%d::%s", name,
                kit_param(q, kit_rule_value(r, &cols[c->col], c->vals[0])),
                type);
            break;
        case KEDR_KIT_GTE:
        case KEDR_KIT_LTE:
            kedr_buf_addf(&q->sql, " AND t.%s %s $%d::%s", name,
                          c->op == KEDR_KIT_GTE ? ">=" : "<=",
                          kit_param(q, c->vals[0]), type);
            break;
        case KEDR_KIT_IN:
            arr = kedr_json_keep(r, json_array());
            for (int j = 0; j < c->nvals; j++)
                json_array_append_new(arr, json_string(c->vals[j]));
            kedr_buf_addf(&q->sql,
                          " AND t.%s = ANY (ARRAY(SELECT "
                          "jsonb_array_elements_text($%d::jsonb))::%s[])",
                          name, kit_param(q, kedr_json_text(r, arr)), type);
            break;
        case KEDR_KIT_NULL:
            kedr_buf_addf(&q->sql, " AND t.%s IS %sNULL", name,
                          strcmp(c->vals[0], "true") == 0 ? "" : "NOT ");
            break;
        }
    }
    if (own_search)
        kit_search_where(r, s, l, q, base);
    for (int i = 0; i < l->nwords && !own_search; i++) {
        int n = kit_param(q, kit_like(r, l->words[i]));
        bool first = true;

        kedr_buf_adds(&q->sql, " AND (");
        for (const struct kedr_entity_col *c = cols; c->name != NULL; c++)
            if ((c->flags & KEDR_COL_SEARCH) != 0) {
                kedr_buf_addf(&q->sql,
                              c->type == KEDR_T_ARRAY
                                  ? "%sarray_to_string(t.%s, ' ') ILIKE $%d"
                                  : "%st.%s::text ILIKE $%d",
                              first ? "" : " OR ", c->name, n);
                first = false;
            }
        kedr_buf_adds(&q->sql, ")");
    }
    if (attrs != NULL)
        kedr_buf_addf(&q->sql, " AND t.attrs @> $%d::jsonb",
                      kit_param(q, attrs));
    if (l->mine) /* "my records": the owner's predicate, whatever the scope */
        kedr_buf_addf(&q->sql, " AND (%s)", k->e->own);
}

/* The SQL (over t) and the SQL type of sort key `s` of list `l`: a
 * column, the id (col -1) or the search's rank (col -2). */
static void
kit_key(struct kit_ent *k, const struct kedr_kit_list *l,
        const struct kedr_kit_sort *s, const char **expr, const char **type)
{
    if (s->col == -2) {
        *expr = l->rank;
        *type = "text";
    } else if (s->col == KEDR_KIT_KEY_UPDATED) {
        *expr = "t.updated_at";
        *type = "timestamptz";
    } else if (s->col < 0) {
        *expr = "t.id";
        *type = "bigint";
    } else {
        *expr = k->col_sql[s->col];
        *type = kit_sqltype[k->e->cols[s->col].type];
    }
}

/* ORDER BY of list `l`: each key's empty values last, the id last.
 * Said with NULLS LAST rather than a leading (t.col IS NULL), so that an
 * ascending order walks a b-tree index on (col, id) and stops at the
 * page's end instead of sorting every row. */
static void
kit_order(struct kit_ent *k, const struct kedr_kit_list *l, struct kedr_buf *b)
{
    kedr_buf_adds(b, " ORDER BY ");
    for (int i = 0; i < l->nsort; i++) {
        const char *name, *type;

        kit_key(k, l, &l->sort[i], &name, &type);
        kedr_buf_addf(b, "%s%s%s%s", name, l->sort[i].desc ? " DESC" : "",
                      l->sort[i].col >= 0 ? " NULLS LAST" : "",
                      i + 1 < l->nsort ? ", " : "");
    }
}

/* The keyset condition: rows after the cursor's values, in the list's
 * order (empty values last in either direction). */
static void
kit_after_cond(struct kit_ent *k, const struct kedr_kit_list *l,
               struct kit_q *q)
{
    int pn[KEDR_KIT_MAX_SORT];

    for (int i = 0; i < l->nsort; i++)
        pn[i] = kit_param(q, l->after[i]);
    kedr_buf_adds(&q->sql, " AND (");
    for (int i = 0; i < l->nsort; i++) {
        const char *name, *type, *op = l->sort[i].desc ? "<" : ">";

        kit_key(k, l, &l->sort[i], &name, &type);
        kedr_buf_adds(&q->sql, i > 0 ? " OR (" : "(");
        for (int j = 0; j < i; j++) {
            const char *jn, *jt;

            kit_key(k, l, &l->sort[j], &jn, &jt);
            kedr_buf_addf(&q->sql, "%s IS NOT DISTINCT FROM $%d::%s AND ", jn,
                          pn[j], jt);
        }
        kedr_buf_addf(&q->sql,
                      "$%d::%s IS NOT NULL AND (%s IS NULL OR %s %s "
                      "$%d::%s))",
                      pn[i], type, name, name, op, pn[i], type);
    }
    kedr_buf_adds(&q->sql, ")");
}

/* Parse the list parameters `ql` for entity k (*s: the entity's own
 * search, when it has one and q is given; each problem put in `fields`,
 * parameter -> message; the attributes' recorded on the request): the
 * number of problems, or a negative code recorded (the search hook's). */
static int
kit_parse_into(kedr_req_t *r, struct kit_ent *k, const struct kedr_kvlist *ql,
               struct kedr_kit_list *l, struct kedr_kit_search *s,
               const char **attrs, json_t *fields)
{
    const char *box = kedr_kv_get(ql, "q");
    const struct kedr_entity_hooks *h = k->e->hooks;
    int bad, rc;

    memset(s, 0, sizeof(*s));
    *attrs = NULL;
    box = box != NULL ? kedr_trim(r, box) : "";
    if (*box != '\0' && h != NULL && h->search != NULL) {
        if ((rc = h->search(r, box, s)) != 0)
            return rc < 0 ? rc : KEDR_EINTERNAL;
        if ((s->where == NULL && s->from == NULL) || s->nparams < 0 ||
            s->nparams > KEDR_KIT_SEARCH_PARAMS)
            return kedr_fail(r, KEDR_EINTERNAL, NULL,
                             "the %s search answered no condition", k->e->name);
    }
    bad = kedr_kit_list_parse_rank(&r->arena, k->e, ql, s->rank, l, fields);
    if ((k->e->flags & KEDR_ENTITY_ATTRS) != 0) {
        /* kedr_attrs_filter reads the request's query: lend it ql */
        struct kedr_kvlist saved = *kedr_req_query_list(r);

        r->query = *ql;
        if (kedr_attrs_filter(r, k->audit, attrs) != 0)
            bad++;
        r->query = saved;
    } else {
        for (size_t i = 0; i < ql->n; i++)
            if (strncmp(ql->items[i].key, "attr.", 5) == 0 &&
                json_object_get(fields, ql->items[i].key) == NULL) {
                json_object_set_new(fields, ql->items[i].key,
                                    json_string("this list has no attributes"));
                bad++;
            }
    }
    return bad;
}

static const char kit_own_only_sql[] = "SELECT core.own_only()";

/* The caller's scope for list `l` of entity k, as the statement is
 * built: whether it keeps to the entity's `own` (l->own_only).  The
 * statement is chosen by it, where one statement for every scope
 * ("(SELECT NOT core.own_only()) OR own") could be planned neither way:
 * the own-only caller's index on the owner unused, the wide caller's
 * rows each tested.  Read from the setting the statement would read
 * (kedr_auth_scope's, in this transaction): 0, or a code recorded. */
static int
kit_scope(kedr_req_t *r, struct kit_ent *k, struct kedr_kit_list *l)
{
    kedr_rows_t *rows;

    l->own_only = false;
    if (k->e->own == NULL)
        return 0;
    if ((rows = kedr_db_query(r, kit_own_only_sql, 0, NULL)) == NULL)
        return KEDR_EDB;
    l->own_only = strcmp(kedr_rows_get(rows, 0, 0), "t") == 0;
    return 0;
}

/* Parse the list parameters `ql` of entity k: 0, or a negative code
 * recorded (KEDR_EINVAL naming each bad parameter); the caller's scope
 * read into l (kit_scope). */
static int
kit_parse(kedr_req_t *r, struct kit_ent *k, const struct kedr_kvlist *ql,
          struct kedr_kit_list *l, struct kedr_kit_search *s,
          const char **attrs)
{
    json_t *fields = kedr_json_keep(r, json_object());
    const char *key;
    json_t *v;
    int bad = kit_parse_into(r, k, ql, l, s, attrs, fields);

    if (bad < 0)
        return bad;
    json_object_foreach (fields, key, v)
        kedr_field_error(r, key, json_string_value(v));
    return bad > 0 ? kedr_fail(r, KEDR_EINVAL, NULL, "invalid list parameters")
                   : kit_scope(r, k, l);
}

/* KEDR_KIT_TOTAL_CAP + 1, as the text of the count's LIMIT */
#define KIT_TOTAL_MORE "1001"

static int
kit_list(kedr_req_t *r)
{
    struct kit_ent *k = kit_of(r);
    struct kedr_kit_list l;
    struct kedr_kit_search s;
    struct kit_q q = {.n = 0};
    struct kedr_buf out, cnt, keys;
    const char *attrs, *total;
    kedr_rows_t *rows;
    int rc, lim;

    if ((rc = kit_parse(r, k, kedr_req_query_list(r), &l, &s, &attrs)) != 0)
        return rc;
    kedr_buf_init(&q.sql, &r->arena);
    kedr_buf_init(&cnt, &r->arena);
    kedr_buf_init(&keys, &r->arena);
    kit_where(r, k, &l, &s, attrs, &q);
    /* One statement: the page, and the total over the filter alone.  A
     * search of the module's own (costly arms, a rank) finds its matches
     * once: they are collected (MATERIALIZED), then counted and paged;
     * any other list reads its page in the order of an index and counts
     * apart. */
    if (s.where != NULL || s.from != NULL) {
        kedr_buf_addf(&cnt,
                      "WITH m AS MATERIALIZED (SELECT t.*%s), "
                      "c AS (SELECT count(*) AS n FROM (SELECT 1 FROM m%s) "
                      "c), ",
                      q.sql.data, l.exact ? "" : " LIMIT " KIT_TOTAL_MORE);
        q.sql.len = 0;
        kedr_buf_adds(&q.sql, " FROM m t WHERE true");
    } else {
        kedr_buf_addf(&cnt,
                      "WITH c AS (SELECT count(*) AS n FROM (SELECT 1%s%s) "
                      "c), ",
                      q.sql.data, l.exact ? "" : " LIMIT " KIT_TOTAL_MORE);
    }
    if (l.after != NULL)
        kit_after_cond(k, &l, &q);
    kit_order(k, &l, &q.sql);
    lim = kit_param(&q, kedr_sprintf(r, "%ld", l.limit + 1));
    kedr_buf_adds(&keys, "json_build_array(");
    for (int i = 0; i < l.nsort; i++) {
        const char *name, *type;

        kit_key(k, &l, &l.sort[i], &name, &type);
        kedr_buf_addf(&keys, "%s%s::text", i > 0 ? ", " : "", name);
    }
    kedr_buf_adds(&keys, ")");
    kedr_buf_init(&out, &r->arena);
    /* the page's rows limited before they are numbered: a window over the
     * ordered rows keeps the sort below it from stopping at the page, so
     * a search's thousands of matches were each sorted whole (7,681 rows
     * of «строй», 3 MB, 85 ms) where a bounded sort keeps the best 51 */
    kedr_buf_addf(&out,
                  "%sp AS (SELECT %s AS o, %s AS k, row_number() OVER "
                  "(%s) AS n FROM (SELECT t.*%s LIMIT $%d::bigint) t) SELECT "
                  "coalesce((SELECT "
                  "json_agg(o ORDER BY n) FROM p WHERE n < $%d::bigint), "
                  "'[]')::text, (SELECT k::text FROM p WHERE n = $%d::bigint "
                  "- 1 AND EXISTS (SELECT 1 FROM p WHERE n = $%d::bigint)), "
                  "(SELECT n FROM c)",
                  cnt.data, k->obj, keys.data,
                  strstr(q.sql.data, " ORDER BY ") + 1, q.sql.data, lim, lim,
                  lim, lim);
    if ((rows = kedr_db_query(r, out.data, q.n, q.p)) == NULL)
        return KEDR_EDB;
    total = kedr_rows_get(rows, 0, 2);
    kedr_buf_init(&cnt, &r->arena);
    kedr_buf_adds(&cnt, "{\"items\":");
    kedr_buf_adds(&cnt, kedr_rows_get(rows, 0, 0));
    kedr_buf_adds(&cnt, ",\"next\":");
    if (kedr_rows_isnull(rows, 0, 1))
        kedr_buf_adds(&cnt, "null");
    else
        kedr_buf_addf(
            &cnt, "\"%s\"",
            kedr_kit_cursor(&r->arena, l.sort_text, kedr_rows_get(rows, 0, 1)));
    if (!l.exact && atol(total) > KEDR_KIT_TOTAL_CAP)
        kedr_buf_addf(&cnt, ",\"total\":%d,\"total_exact\":false}",
                      KEDR_KIT_TOTAL_CAP);
    else
        kedr_buf_addf(&cnt, ",\"total\":%s,\"total_exact\":true}", total);
    return kedr_reply_text(r, 200, cnt.data);
}

static int
kit_export(kedr_req_t *r)
{
    struct kit_ent *k = kit_of(r);
    struct kedr_kit_list l;
    struct kedr_kit_search s;
    struct kit_q q = {.n = 0};
    struct kedr_buf sel;
    const char *attrs;
    int rc;

    if ((rc = kit_parse(r, k, kedr_req_query_list(r), &l, &s, &attrs)) != 0)
        return rc;
    kedr_buf_init(&q.sql, &r->arena);
    kedr_buf_init(&sel, &r->arena);
    kit_where(r, k, &l, &s, attrs, &q);
    kit_order(k, &l, &q.sql);
    kedr_buf_adds(&sel, "SELECT t.id");
    kedr_buf_adds(&sel, k->export_sel);
    kedr_buf_adds(&sel, ", t.version");
    kedr_buf_adds(&sel, q.sql.data);
    return kedr_export(r, NULL, k->e->path + 1, k->export_cols, sel.data, q.n,
                       q.p);
}

/* ---------------------------------------------------------------------
 * GET /api/v1/meta/:entity
 * --------------------------------------------------------------------- */

static const char kit_attrs_sql[] =
    "SELECT coalesce(json_agg(json_build_object('name', name, 'type', type, "
    "'label', CASE WHEN $2 = 'en' AND label_en <> '' THEN label_en ELSE "
    "label_ru END, 'required', required, 'options', options) ORDER BY sort, "
    "name), '[]')::text FROM core.attribute_def WHERE entity = $1 AND active";

static const char *const kit_typename[] = {
    [KEDR_T_STRING] = "string", [KEDR_T_INT] = "int",
    [KEDR_T_NUMBER] = "number", [KEDR_T_MONEY] = "money",
    [KEDR_T_DATE] = "date",     [KEDR_T_BOOL] = "bool",
    [KEDR_T_OBJECT] = "object", [KEDR_T_ARRAY] = "array",
};

/* Whether q= searches the entity: its own search, or a searched column. */
static bool
kit_searchable(const struct kit_ent *k)
{
    if (k->e->hooks != NULL && k->e->hooks->search != NULL)
        return true;
    for (size_t i = 0; k->e->cols[i].name != NULL; i++)
        if ((k->e->cols[i].flags & KEDR_COL_SEARCH) != 0)
            return true;
    return false;
}

/* One column of the metadata. */
static json_t *
kit_meta_col(kedr_req_t *r, struct kit_ent *k, size_t i)
{
    const struct kedr_entity_col *c = &k->e->cols[i];
    json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b}",
                          "name", c->name, "type", kit_typename[c->type],
                          "label", kit_label(r, c->label_ru, c->label_en),
                          "required", (c->flags & KEDR_REQUIRED) != 0,
                          "filterable", (c->flags & KEDR_COL_FILTER) != 0,
                          "sortable", (c->flags & KEDR_COL_SORT) != 0,
                          "searchable", (c->flags & KEDR_COL_SEARCH) != 0,
                          "exported", (c->flags & KEDR_COL_EXPORT) != 0,
                          "readonly", (c->flags & KEDR_COL_READONLY) != 0);

    if (o == NULL)
        kedr_out_of_memory(r);
    if (c->sql != NULL && (c->flags & KEDR_COL_MODULE) == 0)
        json_object_set_new(o, "readonly", json_true()); /* computed */
    if ((c->flags & KEDR_COL_MODULE) != 0) /* ABI 1.5: the module's own */
        json_object_set_new(o, "module", json_true());
    if (c->max > 0 && c->type == KEDR_T_STRING)
        json_object_set_new(o, "max", json_integer((json_int_t)c->max));
    else if (c->min < c->max && c->type != KEDR_T_STRING &&
             c->type != KEDR_T_ARRAY) {
        /* a number's bounds, as the kit checks them */
        json_object_set_new(o, "min", json_real(c->min));
        json_object_set_new(o, "max", json_real(c->max));
    }
    if (c->ref != NULL)
        json_object_set_new(o, "ref", json_string(c->ref));
    /* ABI 1.5: a list's bounds, a rule (the screens show phones
     * formatted and edit a list one input an element) */
    if (c->type == KEDR_T_ARRAY && c->sql == NULL) {
        json_object_set_new(o, "list", json_true());
        json_object_set_new(o, "item_max",
                            json_integer(c->item_max > 0 ? c->item_max : 200));
        if (c->max > 0)
            json_object_set_new(o, "max_items",
                                json_integer((json_int_t)c->max));
    }
    if (c->rule != 0)
        json_object_set_new(
            o, "rule",
            json_string(c->rule == KEDR_RULE_PHONE ? "phone" : "email"));
    if (c->options != NULL) {
        json_t *opts = json_array();

        for (const struct kedr_entity_option *op = c->options;
             op->value != NULL; op++)
            json_array_append_new(
                opts, json_pack("{s:s, s:s}", "value", op->value, "label",
                                kit_label(r, op->label_ru, op->label_en)));
        json_object_set_new(o, "options", opts);
    }
    return o;
}

static int
kit_meta(kedr_req_t *r)
{
    const char *name = kedr_param(r, "entity"), *attrs = NULL;
    struct kit_ent *k = NULL;
    json_t *m, *cols, *filters, *sorts;
    int rc;

    for (size_t i = 0; i < kit_nents && name != NULL; i++)
        if (strcmp(kit_ents[i]->full, name) == 0)
            k = kit_ents[i];
    if (k == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such entity");
    if (!kit_may(r, k->e->perm_read))
        return kedr_fail(r, KEDR_EFORBIDDEN, NULL,
                         "you may not see the %s list", k->e->name);
    m = kedr_json_keep(r, json_object());
    cols = json_array();
    filters = json_array();
    sorts = json_array();
    json_object_set_new(m, "entity", json_string(k->full));
    json_object_set_new(
        m, "label", json_string(kit_label(r, k->e->label_ru, k->e->label_en)));
    json_object_set_new(
        m, "path",
        json_string(kedr_sprintf(r, "/api/v1/%s%s", k->mod->name, k->e->path)));
    json_object_set_new(m, "audit", json_string(k->audit));
    for (size_t i = 0; k->e->cols[i].name != NULL; i++) {
        const struct kedr_entity_col *c = &k->e->cols[i];

        json_array_append_new(cols, kit_meta_col(r, k, i));
        if ((c->flags & KEDR_COL_FILTER) != 0)
            json_array_append_new(
                filters, json_pack("{s:s, s:[s,s,s,s,s]}", "field", c->name,
                                   "ops", "eq", "gte", "lte", "in", "null"));
        if ((c->flags & KEDR_COL_SORT) != 0 ||
            (c->sql != NULL && strcmp(c->name, "updated_at") == 0))
            json_array_append_new(sorts, json_string(c->name));
    }
    for (const struct kedr_entity_filter *f = k->e->filters;
         f != NULL && f->name != NULL; f++)
        json_array_append_new(
            filters,
            json_pack("{s:s, s:s, s:s, s:[s]}", "field", f->name, "type",
                      kit_typename[f->type], "label",
                      kit_label(r, f->label_ru, f->label_en), "ops", "eq"));
    json_object_set_new(m, "columns", cols);
    json_object_set_new(m, "filters", filters);
    json_object_set_new(m, "sorts", sorts);
    json_object_set_new(m, "search", json_boolean(kit_searchable(k)));
    json_object_set_new(m, "archive",
                        json_boolean((k->e->flags & KEDR_ENTITY_ARCHIVE) != 0));
    json_object_set_new(m, "list",
                        json_boolean((k->e->flags & KEDR_ENTITY_NO_LIST) == 0));
    /* whether POST <path>/import is the kit's (reads what the export
     * writes) or the module's own */
    json_object_set_new(m, "import", json_boolean(k->import));
    json_object_set_new(
        m, "delete_archives",
        json_boolean((k->e->flags & KEDR_ENTITY_DELETE_ARCHIVES) != 0));
    json_object_set_new(
        m, "permissions",
        json_pack("{s:b, s:b, s:b}", "read", 1, "write",
                  kit_may(r, k->e->perm_write), "delete",
                  (k->e->flags & KEDR_ENTITY_DELETE_ARCHIVES) != 0
                      ? kit_may(r, k->e->perm_delete != NULL ? k->e->perm_delete
                                                             : k->e->perm_write)
                      : k->e->perm_delete != NULL &&
                            kit_may(r, k->e->perm_delete)));
    if ((k->e->flags & KEDR_ENTITY_ATTRS) != 0) {
        if ((rc = kedr_db_json(r, kit_attrs_sql,
                               KEDR_PARAMS(k->audit, kedr_user_locale(r)),
                               &attrs)) != 0)
            return rc;
        json_object_set(m, "attributes", kedr_json_parse(r, attrs));
    } else {
        json_object_set_new(m, "attributes", json_array());
    }
    return kedr_reply_json(r, 200, json_incref(m));
}

/* The UI page of entity k's list (a record is <ui>/<id>). */
static const char *
kit_ui(kedr_req_t *r, struct kit_ent *k)
{
    return k->e->ui != NULL
               ? k->e->ui
               : kedr_sprintf(r, "/%s%s", k->mod->name, k->e->path);
}

/* GET /api/v1/meta: the entities the user may read, for the shell (the
 * global search, saved views, the attributes screen). */
static int
kit_meta_list(kedr_req_t *r)
{
    json_t *items = kedr_json_keep(r, json_array());

    for (size_t i = 0; i < kit_nents; i++) {
        struct kit_ent *k = kit_ents[i];

        if (!kit_may(r, k->e->perm_read))
            continue;
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b}",
                      "entity", k->full, "module", k->mod->name, "name",
                      k->e->name, "path",
                      kedr_sprintf(r, "/api/v1/%s%s", k->mod->name, k->e->path),
                      "label", kit_label(r, k->e->label_ru, k->e->label_en),
                      "ui", kit_ui(r, k), "search", kit_searchable(k), "attrs",
                      (k->e->flags & KEDR_ENTITY_ATTRS) != 0, "archive",
                      (k->e->flags & KEDR_ENTITY_ARCHIVE) != 0, "mine",
                      k->e->own != NULL, "perm_write",
                      kit_may(r, k->e->perm_write)));
    }
    return kedr_reply_json(r, 200, json_pack("{s:O}", "items", items));
}

/* ---------------------------------------------------------------------
 * For the global search and saved views (kit_search.c, builtin/views.c)
 * --------------------------------------------------------------------- */

size_t
kedr_kit_count(void)
{
    return kit_nents;
}

const struct kedr_entity *
kedr_kit_at(size_t i, const char **full)
{
    *full = kit_ents[i]->full;
    return kit_ents[i]->e;
}

ssize_t
kedr_kit_find(const char *full)
{
    for (size_t i = 0; full != NULL && i < kit_nents; i++)
        if (strcmp(kit_ents[i]->full, full) == 0)
            return (ssize_t)i;
    return -1;
}

bool
kedr_kit_readable(kedr_req_t *r, size_t i)
{
    return kit_may(r, kit_ents[i]->e->perm_read);
}

const char *
kedr_kit_label(kedr_req_t *r, size_t i)
{
    return kit_label(r, kit_ents[i]->e->label_ru, kit_ents[i]->e->label_en);
}

const char *
kedr_kit_ui(kedr_req_t *r, size_t i)
{
    return kit_ui(r, kit_ents[i]);
}

int
kedr_kit_check_query(kedr_req_t *r, size_t i, const struct kedr_kvlist *ql,
                     json_t *fields)
{
    struct kedr_kit_list l;
    struct kedr_kit_search s;
    const char *attrs;

    return kit_parse_into(r, kit_ents[i], ql, &l, &s, &attrs, fields);
}

int
kedr_kit_select(kedr_req_t *r, size_t i, const struct kedr_kvlist *ql,
                const char *obj, const char **json)
{
    struct kit_ent *k = kit_ents[i];
    struct kedr_kit_list l;
    struct kedr_kit_search s;
    struct kit_q q = {.n = 0};
    struct kedr_buf sql;
    const char *attrs;
    int rc, lim;

    if ((rc = kit_parse(r, k, ql, &l, &s, &attrs)) != 0)
        return rc;
    kedr_buf_init(&q.sql, &r->arena);
    kedr_buf_init(&sql, &r->arena);
    kit_where(r, k, &l, &s, attrs, &q);
    kit_order(k, &l, &q.sql);
    lim = kit_param(&q, kedr_sprintf(r, "%ld", l.limit));
    kedr_buf_addf(&sql,
                  "SELECT coalesce(json_agg(x.o ORDER BY x.n), '[]')::text "
                  "FROM (SELECT %s AS o, row_number() OVER (%s) AS n FROM "
                  "(SELECT t.*%s LIMIT $%d::bigint) t) x",
                  obj, strstr(q.sql.data, " ORDER BY ") + 1, q.sql.data, lim);
    return kedr_db_json(r, sql.data, q.n, q.p, json);
}

const struct kedr_route kedr_kit_routes[] = {
    {.method = "GET", .path = "/meta", .handler = kit_meta_list},
    {.method = "GET", .path = "/meta/:entity", .handler = kit_meta},
    {0},
};

/* ---------------------------------------------------------------------
 * Setup
 * --------------------------------------------------------------------- */

/* Whether the module routes `method` `path` itself. */
static bool
kit_own_route(const struct kedr_route *routes, const char *method,
              const char *path)
{
    for (; routes != NULL && routes->method != NULL; routes++)
        if (strcmp(routes->method, method) == 0 &&
            strcmp(routes->path, path) == 0)
            return true;
    return false;
}

int
kedr_kit_add(struct kedr_router *rt, struct kedr_mod *m)
{
    const struct kedr_entity *ents = kedr_module_entities(m->desc);
    char prefix[96], err[512];

    if (!kit_arena_ready) {
        kedr_arena_init(&kit_arena);
        kit_arena_ready = true;
    }
    snprintf(prefix, sizeof(prefix), "/api/v1/%s", m->name);
    for (const struct kedr_entity *e = ents; e != NULL && e->name; e++) {
        struct kit_ent *k;
        const char *p = e->path;
        int n = 0;

        kit_ents = kedr_xrealloc(kit_ents, (kit_nents + 1) * sizeof(*kit_ents));
        k = kit_ents[kit_nents++] = kedr_xcalloc(1, sizeof(*k));
        k->e = e;
        k->mod = m;
        k->full = kedr_arena_sprintf(&kit_arena, "%s.%s", m->name, e->name);
        k->audit = e->audit != NULL ? kedr_arena_strdup(&kit_arena, e->audit)
                                    : k->full;
        kit_build(k);
        if ((e->flags & KEDR_ENTITY_NO_LIST) != 0 &&
            !kit_own_route(m->desc->routes, "GET", p))
            k->routes[n++] = (struct kedr_route){.method = "GET",
                                                 .path = p,
                                                 .handler = kit_no_list,
                                                 .permission = e->perm_read};
        if ((e->flags & KEDR_ENTITY_NO_LIST) == 0) {
            k->routes[n++] = (struct kedr_route){.method = "GET",
                                                 .path = p,
                                                 .handler = kit_list,
                                                 .permission = e->perm_read};
            /* a module's own export (columns of other tables) keeps its
             * route (ABI 1.5) */
            if (!kit_own_route(m->desc->routes, "GET", kit_cat(p, "/export")))
                k->routes[n++] = (struct kedr_route){
                    .method = "GET",
                    .path = kit_cat(p, "/export"),
                    .handler = kit_export,
                    .permission =
                        e->perm_export != NULL ? e->perm_export : e->perm_read};
        }
        k->routes[n++] = (struct kedr_route){.method = "GET",
                                             .path = kit_cat(p, "/:id"),
                                             .handler = kit_get,
                                             .permission = e->perm_read};
        k->routes[n++] = (struct kedr_route){.method = "POST",
                                             .path = p,
                                             .handler = kit_create,
                                             .permission = e->perm_write,
                                             .input = k->create_in};
        k->routes[n++] = (struct kedr_route){.method = "PATCH",
                                             .path = kit_cat(p, "/:id"),
                                             .handler = kit_update,
                                             .permission = e->perm_write,
                                             .input = k->update_in};
        if ((e->flags & KEDR_ENTITY_ARCHIVE) != 0) {
            k->routes[n++] =
                (struct kedr_route){.method = "POST",
                                    .path = kit_cat(p, "/:id/archive"),
                                    .handler = kit_archive,
                                    .permission = e->perm_write,
                                    .input = kit_active_in};
            k->routes[n++] =
                (struct kedr_route){.method = "POST",
                                    .path = kit_cat(p, "/:id/restore"),
                                    .handler = kit_restore,
                                    .permission = e->perm_write,
                                    .input = kit_active_in};
        }
        /* a module's own import of the entity (until it is ported)
         * keeps its route */
        k->import =
            !kit_own_route(m->desc->routes, "POST", kit_cat(p, "/import"));
        if (k->import)
            k->routes[n++] = (struct kedr_route){.method = "POST",
                                                 .path = kit_cat(p, "/import"),
                                                 .handler = kit_import,
                                                 .permission = e->perm_write};
        if ((e->flags & KEDR_ENTITY_DELETE_ARCHIVES) != 0)
            k->routes[n++] = (struct kedr_route){
                .method = "DELETE",
                .path = kit_cat(p, "/:id"),
                .handler = kit_delete_archive,
                .permission =
                    e->perm_delete != NULL ? e->perm_delete : e->perm_write};
        else if (e->perm_delete != NULL)
            k->routes[n++] = (struct kedr_route){.method = "DELETE",
                                                 .path = kit_cat(p, "/:id"),
                                                 .handler = kit_delete,
                                                 .permission = e->perm_delete};
        for (int i = 0; i < n; i++)
            if (kedr_router_add(rt, prefix, &k->routes[i], m, false, err,
                                sizeof(err)) != 0) {
                kedr_error("module \"%s\": %s", m->name, err);
                return -1;
            }
    }
    return 0;
}

int
kedr_kit_resolve(void)
{
    for (size_t i = 0; i < kit_nents; i++) {
        struct kit_ent *k = kit_ents[i];

        for (size_t c = 0; k->e->cols[c].name != NULL; c++) {
            const char *ref = k->e->cols[c].ref;

            if (ref == NULL)
                continue;
            for (size_t j = 0; j < kit_nents; j++)
                if (strcmp(kit_ents[j]->full, ref) == 0)
                    k->refs[c] = kit_ents[j];
            if (k->refs[c] == NULL) {
                kedr_error("module \"%s\": entity \"%s\" column \"%s\": "
                           "\"%s\" is not a declared entity",
                           k->mod->name, k->e->name, k->e->cols[c].name, ref);
                return -1;
            }
        }
    }
    return 0;
}

void
kedr_kit_release(void)
{
    for (size_t i = 0; i < kit_nents; i++) {
        free(kit_ents[i]->create_in);
        free(kit_ents[i]->update_in);
        free(kit_ents[i]->export_cols);
        free(kit_ents[i]->refs);
        free(kit_ents[i]->unique_sql);
        kit_import_release(kit_ents[i]);
        free(kit_ents[i]->col_sql);
        free(kit_ents[i]);
    }
    free(kit_ents);
    kit_ents = NULL;
    kit_nents = 0;
    if (kit_arena_ready)
        kedr_arena_release(&kit_arena);
    kit_arena_ready = false;
}
