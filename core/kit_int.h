/*
 * kit_int.h -- the resource kit's entity as served, shared by kit.c (the
 * routes and the write path) and kit_import.c (the CSV import, which
 * writes through the same path).  Core-internal.
 */
#ifndef KEDR_KIT_INT_H
#define KEDR_KIT_INT_H

#include "core.h"

/* list, export, get, create, update, archive, restore, delete, import */
#define KIT_NROUTES 9

/* An entity as served: the declaration and what was built from it. */
struct kit_ent {
    const struct kedr_entity *e;
    struct kedr_mod *mod;
    char *full;  /* "<module>.<name>" */
    char *audit; /* the audit and attribute entity */
    struct kedr_route routes[KIT_NROUTES];
    struct kedr_field *create_in, *update_in;
    struct kedr_column *export_cols;
    struct kedr_import_col *import_cols; /* kit_import.c */
    struct kit_ent **refs; /* per column: the referenced entity, or NULL */
    const char *visible;   /* SQL over t: the user sees the row */
    const char *obj;       /* SQL over t: the record as json */
    const char *obj_get;   /* the same with the KEDR_COL_DETAIL members */
    const char *get_sql, *lock_sql, *insert_sql, *update_sql, *delete_sql;
    const char *active_sql, *visible_sql, *ref_sql;
    const char **unique_sql; /* per column: the record holding a value */
    /* per column: "t.<name>" (or a computed member's SQL), a sort key */
    const char **col_sql;
    const char **key_sql;           /* per unique column: the visible record
                                       holding a value (kit_import.c) */
    const char *ins_cols, *ins_sel; /* the INSERT's columns and values */
    /* kit_import.c, a batch at once: the INSERT of many records, the
     * unique columns' values taken, the references visible */
    const char *insert_many_sql, *ref_many_sql;
    const char **unique_many_sql;
    /* ABI 1.5: " AND (<where>)" of the entity's lists, or ""; the
     * export's SELECT list after t.id; the title and visibility of a
     * duplicate ($1 its id) */
    const char *where, *export_sel, *dup_sql;
    bool recheck; /* a unique column or a duplicate hook: a 23505 is
                     looked into after a savepoint */
    bool import;  /* POST <path>/import is the kit's, not the module's */
    /* ABI 1.5: a KEDR_COL_MODULE member: the record read again (read_sql,
     * $1 its id) after after_write */
    bool reread;
    const char *read_sql;
};

/* kit.c */
struct kit_ent *kit_of(kedr_req_t *r);
const char *kit_label(kedr_req_t *r, const char *ru, const char *en);
bool kit_may(kedr_req_t *r, const char *perm);
int kit_check(kedr_req_t *r, struct kit_ent *k, json_t *in, json_t *old,
              const char *id);
int kit_check_in(kedr_req_t *r, struct kit_ent *k, json_t *in, json_t *old,
                 const char *id, bool db);
int kit_before(kedr_req_t *r, struct kit_ent *k, const char *action,
               json_t *old, json_t *in);
int kit_write_row(kedr_req_t *r, struct kit_ent *k, const char *action,
                  const char *sql, int nparams, const char *const *params,
                  json_t *in, json_t *old, const char **out);

/* kit_import.c */
void kit_import_build(struct kit_ent *k, struct kedr_arena *a);
void kit_import_release(struct kit_ent *k);
int kit_import(kedr_req_t *r);
const struct kedr_entity_option *
kit_option_find(const struct kedr_entity_col *c, const char *text);

#endif /* KEDR_KIT_INT_H */
