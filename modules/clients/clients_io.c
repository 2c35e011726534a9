/*
 * clients_io.c -- what the module's own imports of counterparties and
 * outlets share (their exports, and the contacts, are the kit's): the
 * extra attributes of the entity as more columns of the file (headers
 * "attr.<name>" or the attribute's label, gathered into the row's
 * "attrs"), the call into the core's kedr_import_csv, and the
 * counterparty a row names by id or INN.
 */
#include <stdlib.h>
#include <string.h>

#include "clients_int.h"

/* The active attribute definitions of $1, in form order. */
static const char io_defs_sql[] =
    "SELECT name, type, label_ru, label_en FROM core.attribute_def WHERE "
    "entity = $1 AND active ORDER BY sort, name";

/* The file cell type of an attribute type. */
static enum kedr_type
io_type(const char *type)
{
    if (strcmp(type, "number") == 0)
        return KEDR_T_NUMBER;
    if (strcmp(type, "date") == 0)
        return KEDR_T_DATE;
    if (strcmp(type, "boolean") == 0)
        return KEDR_T_BOOL;
    return KEDR_T_STRING;
}

/* What clients_import hands kedr_import_csv for each row. */
struct io_import {
    clients_import_pt fn;
};

/* One row: the "attr.<name>" members gathered into "attrs", then the
 * entity's own row function. */
static int
io_import_row(kedr_req_t *r, json_t *row, void *arg, json_t **out)
{
    const struct io_import *imp = arg;
    json_t *in = kedr_json_keep(r, json_object()), *attrs = NULL, *v;
    const char *key;

    json_object_foreach (row, key, v) {
        if (strncmp(key, "attr.", 5) != 0) {
            json_object_set(in, key, v);
            continue;
        }
        if (attrs == NULL) {
            attrs = json_object();
            json_object_set_new(in, "attrs", attrs);
        }
        json_object_set(attrs, key + 5, v);
    }
    return imp->fn(r, in, out);
}

int
clients_import(kedr_req_t *r, const char *entity,
               const struct kedr_import_col *cols, clients_import_pt fn)
{
    struct io_import *imp = kedr_alloc(r, sizeof(*imp));
    struct kedr_import_col *all;
    kedr_rows_t *defs;
    int ncols = 0, nattrs;

    if ((defs = kedr_db_query(r, io_defs_sql, KEDR_PARAMS(entity))) == NULL)
        return KEDR_EDB;
    nattrs = kedr_rows_count(defs);
    while (cols[ncols].field != NULL)
        ncols++;
    all = kedr_alloc(r, sizeof(*all) * (size_t)(ncols + nattrs + 1));
    memcpy(all, cols, sizeof(*all) * (size_t)ncols);
    for (int i = 0; i < nattrs; i++) {
        const char *label_en = kedr_rows_get(defs, i, 3);

        all[ncols + i] = (struct kedr_import_col){
            .field = kedr_sprintf(r, "attr.%s", kedr_rows_get(defs, i, 0)),
            .label_ru = kedr_rows_get(defs, i, 2),
            .label_en =
                *label_en != '\0' ? label_en : kedr_rows_get(defs, i, 2),
            .type = io_type(kedr_rows_get(defs, i, 1))};
    }
    all[ncols + nattrs] = (struct kedr_import_col){0};
    imp->fn = fn;
    return kedr_import_csv(r, all, io_import_row, imp);
}

/* $1 INN, $2 an id the row gives too (or NULL): the live counterparties
 * with that INN (and that id) the caller sees (a branch has the INN of
 * its head office: several mean the id is needed). */
static const char io_by_inn_sql[] =
    "SELECT c.id FROM clients.counterparty c WHERE c.inn = $1 AND "
    "c.merged_into IS NULL AND ($2::bigint IS NULL OR c.id = $2::bigint) "
    "AND " CLIENTS_CP_VISIBLE("c") " ORDER BY c.id LIMIT 2";

int
clients_import_ref(kedr_req_t *r, json_t *in, const char *idkey,
                   const char *innkey, json_t **id)
{
    json_t *inn = json_object_get(in, innkey);
    kedr_rows_t *rows;

    *id = json_object_get(in, idkey);
    if (inn == NULL)
        return 0;
    rows = kedr_db_query(
        r, io_by_inn_sql,
        KEDR_PARAMS(json_string_value(inn),
                    json_is_integer(*id) ? kedr_json_text(r, *id) : NULL));
    if (rows == NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) == 0 && *id != NULL)
        return kedr_fail(r, KEDR_EINVAL, innkey,
                         "is not the INN of the counterparty in %s", idkey);
    if (kedr_rows_count(rows) == 0)
        return kedr_fail(r, KEDR_EINVAL, innkey,
                         "no counterparty has this INN");
    if (kedr_rows_count(rows) > 1)
        return kedr_fail(r, KEDR_EINVAL, innkey,
                         "several counterparties have this INN: give %s",
                         idkey);
    *id = kedr_json_keep(
        r, json_integer(strtoll(kedr_rows_get(rows, 0, 0), NULL, 10)));
    return 0;
}
