/*
 * kedr.h -- the one header a Kedr module includes.
 *
 * A module is a shared object that exports one constant descriptor,
 * `const struct kedr_module kedr_module`, built with KEDR_MODULE_HEADER
 * first.  The core checks the header fields before it reads anything else
 * (magic, ABI major/minor, struct size, build signature) and refuses a
 * module that does not match, naming both sides.
 *
 * ABI rules (see STYLE.md "The module ABI"):
 *   - KEDR_ABI_MAJOR must match exactly; it changes only when a member of
 *     an existing struct moves or changes meaning.
 *   - KEDR_ABI_MINOR only grows: new members are appended to the end of
 *     struct kedr_module and struct kedr_api, never inserted.  A module
 *     built for a higher minor than the core provides is refused.
 *   - No libpq, libfcgi or libconfig type appears here; jansson's json_t is
 *     the one shared vocabulary.
 *   - Every group of members in struct kedr_module and struct kedr_api is
 *     headed by the ABI that added it; core/CHANGELOG-API.md lists each
 *     member with its ABI, and tests/unit/test_abi.c compares the layout
 *     with the frozen snapshots of each ABI (tests/abi/kedr_abi_1_*.h).
 *     A new member: append it under a new heading, move the minor, add it
 *     to the changelog and, at release, freeze a new snapshot.
 *
 * The core's functions reach a module through `kedr_api`, a table the core
 * fills in before calling the module's init.  The static inline wrappers at
 * the end of this file are what module code calls.
 *
 * Memory: every handler, hook and job runs with a context (kedr_req_t) that
 * owns an arena.  Everything allocated from it, every result set and every
 * string the core returns lives until the context ends; nothing is freed by
 * hand.  Allocation never returns NULL: in a request or a job, out of
 * memory unwinds to the core (siglongjmp past the module's frames), which
 * rolls the transaction back (a request answers 500, a job runs again at
 * its next interval); elsewhere (init) it aborts the process.  So a resource
 * held across a call that may allocate (a json_t of your own, across kedr_emit
 * or kedr_sprintf) is handed to kedr_on_cleanup first, never released by hand
 * after the call.
 *
 * Errors: functions that act return int, 0 on success and a negative
 * KEDR_E* code on failure; pointer returns are NULL only for "absent" or
 * for a failure already recorded in the context.
 */
#ifndef KEDR_H
#define KEDR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KEDR_MODULE_MAGIC 0x5244454bu /* "KEDR" little-endian */
#define KEDR_ABI_MAJOR 1
#define KEDR_ABI_MINOR 5

#define KEDR__STR2(x) #x
#define KEDR__STR(x) KEDR__STR2(x)

/*
 * Build signature: what must agree between core and module beyond the ABI
 * numbers: pointer size and the jansson major version (json_t crosses the
 * boundary).
 */
#define KEDR_BUILD_SIG                                                         \
    "ptr" KEDR__STR(__SIZEOF_POINTER__) "-jansson" KEDR__STR(                  \
        JANSSON_MAJOR_VERSION)

/* Error codes.  Each maps to one HTTP status and one error "code" string. */
enum kedr_error_code {
    KEDR_OK = 0,
    KEDR_EBADREQ = -1,    /* 400 "bad_request": malformed input */
    KEDR_EUNAUTH = -2,    /* 401 "unauthenticated" */
    KEDR_EFORBIDDEN = -3, /* 403 "forbidden" */
    KEDR_ENOTFOUND = -4,  /* 404 "not_found" */
    KEDR_EMETHOD = -5,    /* 405 "method_not_allowed" */
    KEDR_ECONFLICT = -6,  /* 409 "conflict": stale version, duplicate */
    KEDR_ETOOLARGE = -7,  /* 413 "too_large" */
    KEDR_EINVAL = -8,     /* 422 "validation": a field is invalid */
    KEDR_ETHROTTLED = -9, /* 429 "throttled" */
    KEDR_EINTERNAL = -10, /* 500 "internal" */
    KEDR_EDBDOWN = -11,   /* 503 "db_unavailable" */
    KEDR_EDB = -12,       /* 500 "db_error": a query failed */
};

/* Log levels for kedr_log(). */
enum kedr_log_level {
    KEDR_LOG_ERROR = 0,
    KEDR_LOG_WARN = 1,
    KEDR_LOG_INFO = 2,
    KEDR_LOG_DEBUG = 3,
};

/* Opaque handles. */
typedef struct kedr_req kedr_req_t;   /* a request, hook or job context */
typedef struct kedr_env kedr_env_t;   /* a module's environment */
typedef struct kedr_rows kedr_rows_t; /* a query result */
typedef struct kedr_migration kedr_migration_t; /* a migration run (ABI 1.2) */

/* A route handler: set the response (kedr_reply_*) and return 0, or
 * return a negative KEDR_E* code (after kedr_fail, or after a failed
 * kedr_db_* call, which records its own error).  A non-zero return or a
 * response status >= 400 rolls the request's transaction back. */
typedef int (*kedr_handler_pt)(kedr_req_t *r);

/* A hook: called for each emitted event it listens to, inside the
 * emitting request's transaction.  A non-zero return fails the request
 * and rolls everything back. */
typedef int (*kedr_hook_pt)(kedr_req_t *r, const char *event, json_t *payload);

/* A job: run by the jobs worker in its own transaction.  Non-zero rolls
 * back and is logged; the job runs again at its next interval. */
typedef int (*kedr_job_pt)(kedr_req_t *r);

/* Permission value of a route that needs no authentication. */
#define KEDR_PUBLIC "public"

/* JSON input field types for route input specs. */
enum kedr_type {
    KEDR_T_ANY = 0,
    KEDR_T_STRING,
    KEDR_T_INT,
    KEDR_T_NUMBER,
    KEDR_T_BOOL,
    KEDR_T_OBJECT,
    KEDR_T_ARRAY,
    KEDR_T_MONEY, /* decimal string, up to 16 integer and 2 fraction digits */
    KEDR_T_DATE,  /* "YYYY-MM-DD" */
};

/* Field flags. */
#define KEDR_REQUIRED 0x1u /* must be present and not null */
#define KEDR_NONEMPTY 0x2u /* a string must have a non-blank character */

/*
 * One field of a route's JSON input spec; a table ends with a zero row.
 * The core validates the body against it before the handler runs and
 * answers 422 naming every bad field; fields not listed are refused too
 * (a typo in a field name is an error, not a silent no-op).
 * For strings `max` is the maximum length in characters (0 = no limit);
 * for numbers `min`/`max` bound the value when min < max.
 */
struct kedr_field {
    const char *name;
    enum kedr_type type;
    unsigned flags;
    double min;
    double max;
};

/*
 * A route.  `path` is relative to /api/v1/<module>; segments starting with
 * ':' are parameters ("/items/:id").  `permission` is KEDR_PUBLIC, or the
 * permission a user must hold (checked by the core before the handler), or
 * NULL for "any authenticated user".  `input`, if set, is the JSON body
 * spec.
 */
struct kedr_route {
    const char *method;
    const char *path;
    kedr_handler_pt handler;
    const char *permission;
    const struct kedr_field *input;
};

/* A permission the module defines, with labels for the roles screen. */
struct kedr_permission {
    const char *name; /* "<module>.<verb>" */
    const char *label_ru;
    const char *label_en;
};

/*
 * A default grant (ABI 1.1): a permission of this module that a built-in
 * role ("manager", "analyst", "support", "marketing", "distributor")
 * receives when the module is first migrated, so a fresh install works
 * without a trip to the roles screen.  Applied once per (module, role,
 * permission): what an administrator takes away later stays away.
 */
struct kedr_grant {
    const char *role;
    const char *permission; /* one of the module's own permissions */
};

/* A hook: `event` is an exact event name ("clients.counterparty.created"). */
struct kedr_hook {
    const char *event;
    kedr_hook_pt fn;
};

/* A periodic job: run every `interval` seconds by the jobs worker. */
struct kedr_job {
    const char *name;
    unsigned interval;
    kedr_job_pt fn;
};

/*
 * A migrator slot: what the module can take from a data migration (the
 * old CRM's data: source "salesforce") into one of its entities (`target`,
 * "clients.outlet").  `kedr migrate salesforce DIR` gives each object of
 * the mapping whose `target` names this entity to `load` (the mapping
 * says which Salesforce object that is -- Store__c in one org, Outlet__c
 * in another -- so no module names a custom object): it reads and
 * cleanses the object's file, copies the cleaned rows into a staging
 * table (kedr_migration_table) and calls `load` inside the object's
 * transaction; `load` moves the rows into the module's tables set-wise,
 * keeps core.import_map (source, object, ext_id -> entity, local_id,
 * modstamp) up to date and reports with kedr_migration_count and
 * kedr_migration_reject.  In that transaction the setting
 * `kedr.import.<name>` holds each of the mapping's `options` of the object
 * (text; "true"/"false" for a boolean: the migrator's switches, which its
 * module documents), and `kedr.import_object` the object's name as the
 * mapping gives it:
 * the migrator's own rows of core.import_map are
 * current_setting('kedr.import_object'); the standard objects it refers
 * to (User, Account, Product2, ...) it names, since Salesforce never
 * renames them.  0, or a negative KEDR_E* code: the object's transaction
 * is rolled back and the run stops.
 */
struct kedr_migrator {
    const char *source;
    const char *target; /* ABI 1.2; until then `object`, a Salesforce
                           object name: the loader refuses migrators of
                           a module built for an older minor */
    int (*load)(kedr_req_t *r, kedr_migration_t *imp);
};

/* A menu entry of the module's UI (script: www/m/<module>/index.js). */
struct kedr_ui {
    const char *path; /* client-side route, "/hello" */
    const char *label_ru;
    const char *label_en;
    const char *permission; /* shown only to users holding it; NULL = all */
};

/*
 * Export and import (core/export.c, core/import.c): the shapes
 * of the column tables.  See kedr_export and kedr_import_csv below.
 */

/* One column of an export; a table ends with a zero row ({0}). */
struct kedr_column {
    const char *name;     /* column name in the SQL result */
    const char *label_ru; /* header in the file, by kedr_user_locale */
    const char *label_en;
    enum kedr_type type; /* KEDR_T_STRING/INT/NUMBER/MONEY/DATE/BOOL: the
                            XLSX cell type; KEDR_T_ARRAY: a PostgreSQL
                            array written "a, b"; anything else as the
                            text PostgreSQL gives */
};

/* One column of a CSV import; a table ends with a zero row ({0}). */
struct kedr_import_col {
    const char *field;    /* JSON member the value goes to; also accepted
                             as the CSV header */
    const char *label_ru; /* also accepted as header (case-insensitive,
                             trimmed) */
    const char *label_en;
    enum kedr_type type; /* how a cell becomes JSON: see kedr_import_csv */
};

/* ---------------------------------------------------------------------
 * The resource kit (ABI 1.3): an entity declared once, served by the core.
 *
 * A module lists its entities in the descriptor's `entities`; for each the
 * core registers, under /api/v1/<module><path>, with no C of the module's:
 *
 *   GET    <path>              the list (the list protocol below)
 *   GET    <path>/export       the same rows as CSV/XLSX (_format, _sep)
 *   GET    <path>/:id          one record; 404 "no such <label_en>"
 *   POST   <path>              create: 201 and the record
 *   PATCH  <path>/:id          partial update; `version` required, 409 when
 *                              stale; only the members sent change
 *   POST   <path>/:id/archive  {version} -> active = false
 * (KEDR_ENTITY_ARCHIVE) POST   <path>/:id/restore  {version} -> active = true
 *   DELETE <path>/:id?version= (when `perm_delete` is set; ABI 1.5: with
 *                              KEDR_ENTITY_DELETE_ARCHIVES it archives)
 *   POST   <path>/import[?dry_run=true]  a CSV file (ABI 1.4; not when
 *                              the module routes that path itself): each
 *                              row through the same write path as a
 *                              create or update; see "The kit's import"
 * and GET /api/v1/meta/<module>.<name>, the declaration for screens, and
 * GET /api/v1/meta, the entities the user may read: {"items": [{"entity",
 * "module", "name", "path", "label", "ui", "search", "attrs", "archive",
 * "mine", "perm_write"}]}.
 *
 * The kit's import (core/kit_import.c) reads the file as kedr_import_csv
 * does (encodings, ';' or ',', the preview, big files as jobs) and
 * answers its report, each row's "result" {"id", "action": "created" |
 * "updated" | "unchanged"}.  Headers: "ID", the columns' fields or labels,
 * "Версия"/"Version" -- what the export writes, so an exported file
 * edited in Excel imports back.  A row with an id updates that record and
 * must give its version (checked: a record changed since the export
 * fails its row with 409 "version"); without an id, a KEDR_COL_UNIQUE
 * column's value held by a record the user sees names the record to
 * update; otherwise the row creates one.  An update changes the columns
 * the row has values for (an empty cell keeps the value); a row that
 * changes nothing writes nothing.  An `options` column takes the value
 * or either label; a `ref` column the id; read-only columns (and, ABI
 * 1.5, exported computed members) are ignored.
 * GET /api/v1/search?q= (ABI 1.4) runs each readable entity's list with
 * q= (the same WHERE, scope and search) for the top bar's global search:
 * the title is the first KEDR_COL_SEARCH column, the subtitle the second.
 *
 * The table (`table`, "schema.name") has `id bigint` (identity), `version
 * int NOT NULL DEFAULT 1`, `updated_at timestamptz`, every declared column,
 * `attrs jsonb NOT NULL DEFAULT '{}'` with KEDR_ENTITY_ATTRS and `active
 * boolean NOT NULL DEFAULT true` with KEDR_ENTITY_ARCHIVE.  A record's JSON
 * is {id, <columns>, [attrs], [active], version}, built by PostgreSQL.
 * A column absent from a create takes its `def` (NULL without one); text
 * is trimmed before it is checked and written.  Every identifier is checked
 * against [a-z_][a-z0-9_]* when the module loads (a bad declaration
 * refuses the module, naming entity and member); the statements are built
 * then from the declaration alone, and every value is a parameter.
 *
 * Every write, the same way: body checked by the column specs (422 naming
 * each bad field; unknown fields refused; a KEDR_COL_CREATE_ONLY column
 * in an update too; a list's elements by its rule, "phones[1]"), the
 * module's `duplicate` check and KEDR_COL_UNIQUE values free (ABI 1.5:
 * 409 {"error": {..., "fields": {<column>: ...}}, "duplicate": {"id",
 * <title column>, "visible", "link"}}; the same when a unique index
 * refuses the statement, the checks run again after a savepoint),
 * `ref` columns pointing only at
 * records the user may see (a hidden and a missing record give the same
 * 422 "no such <label>"), attributes by kedr_attrs_check, the `validate`
 * hook, `before_write`, the statement, the own-only check (an own-only
 * user may not write a record out of their own sight: 422), the audit row
 * (`audit` or "<module>.<name>") and the event
 * "<module>.<name>.<created|updated|archived|restored|deleted>" with the
 * record (the old one for deleted), then `after_write`.
 *
 * The list protocol (every list of every module, and its export):
 *   <col>=v            equals (a column flagged KEDR_COL_FILTER; a list
 *                      (ABI 1.5) holds v, .in: any of, .null: empty; a
 *                      column with a phone rule reads v as a phone)
 *   <col>.gte=v, <col>.lte=v   an inclusive range
 *   <col>.in=a,b,c     one of (up to 100 values)
 *   <col>.null=true|false      is (not) empty
 *   <filter>=v         a filter of the module's own (`filters`)
 *   attr.<name>=v      an extra attribute (kedr_attrs_filter)
 *   mine=true          "my records": the entity's `own` predicate, whatever
 *                      the user's scope (ABI 1.4; an entity without `own`:
 *                      422 naming "mine")
 *   q=words            every word found in some KEDR_COL_SEARCH column,
 *                      or what the entity's `search` hook makes of it
 *                      (ABI 1.4: then by its rank unless `sort` is given)
 *   sort=col,-other    KEDR_COL_SORT columns, '-' descending; empty values
 *                      last either way; the id breaks ties; default the
 *                      entity's `sort`, or "id"; a column's `collate`
 *                      (ABI 1.5) orders and pages it; updated_at (ABI
 *                      1.5) on every list
 *   limit=n            1..500 (default 50)
 *   after=<cursor>     the `next` of the previous page (keyset paging)
 *   total=exact        count every row (default: counted up to 1000)
 *   _format, _sep      the export's (see kedr_export); names starting with
 *                      '_' belong to the protocol, never to a filter
 * Every list keeps to the entity's `where` (ABI 1.5).
 * A parameter that is none of these is a 422 naming it, as is a value that
 * is not of its column's type.  The answer: {"items": [...], "next":
 * cursor or null, "total": n, "total_exact": bool}.
 * --------------------------------------------------------------------- */

/* Column flags (with KEDR_REQUIRED and KEDR_NONEMPTY above).  A filter
 * column may not take a name of the protocol (q, sort, limit, after,
 * total, attr); no column is named id, version, attrs or updated_at, nor
 * active with KEDR_ENTITY_ARCHIVE. */
#define KEDR_COL_FILTER 0x10u    /* a list filter: =, .gte, .lte, .in, .null */
#define KEDR_COL_SORT 0x20u      /* a sort key of the list */
#define KEDR_COL_SEARCH 0x40u    /* searched by q= */
#define KEDR_COL_EXPORT 0x80u    /* a column of the CSV/XLSX export */
#define KEDR_COL_READONLY 0x100u /* shown, never written through the API */
#define KEDR_COL_UNIQUE                                                        \
    0x200u /* no two records share a value: 409 naming it                      \
            */
#define KEDR_COL_CREATE_ONLY 0x400u /* set by a create, never changed after */
/* ABI 1.4: a member only GET <path>/:id shows (not the list, the answers
 * of writes, the audit rows or the events): what is costly per row */
#define KEDR_COL_DETAIL 0x800u
/* ABI 1.5 (branch wt-contacts: members the module writes itself).  No
 * column of the table: a member of the body that the module stores
 * (rows of its own: a contact's links, a document's lines).  The kit
 * checks its JSON type (a create requires it with KEDR_REQUIRED), hands
 * it to the hooks in `in`, never puts it in the INSERT or the UPDATE,
 * and gives it to `after_write` in `new_` as the body had it (absent
 * when the body left it out), where the module writes it.  Its `sql`
 * (optional) is how the record shows it, as a computed member's.  An
 * entity with such a member is read again after `after_write`: the
 * answer, the audit row and the event carry what the module wrote, and
 * the own-only check, the audit and the event come after `after_write`.
 * A scalar one without `sql` is a column of the import too (an import's
 * key the module resolves).  The kit's batch import goes row by row for
 * such an entity.  Never filtered, sorted, searched, exported, unique, a
 * reference, an option or defaulted. */
#define KEDR_COL_MODULE 0x1000u

/* One allowed value of an entity column (ABI 1.4): `value` is what is
 * stored (text of the column's type: "new", "2"), the labels what people
 * read.  A table ends with a zero row. */
struct kedr_entity_option {
    const char *value;
    const char *label_ru;
    const char *label_en;
};

/* One column of an entity; a table ends with a zero row. */
struct kedr_entity_col {
    const char *name; /* column of the table and member of the JSON */
    /* STRING, INT, NUMBER, MONEY, DATE or BOOL; OBJECT (ABI 1.4): a
     * jsonb column written whole, no filter, sort, search, unique value,
     * reference or export; ARRAY (ABI 1.5, stored): a list of strings,
     * text[] in SQL, a JSON array in and out (see `rule`, `item_max`),
     * filtered, searched and exported, never sorted, unique or a
     * reference */
    enum kedr_type type;
    const char *label_ru;
    const char *label_en;
    unsigned flags; /* KEDR_REQUIRED, KEDR_NONEMPTY, KEDR_COL_* */
    double min;     /* numbers: bounds when min < max */
    double max;     /* strings: maximum length in characters (0: none) */
    /* a reference: the full name of another declared entity
     * ("clients.counterparty"); the column is its id (INT) */
    const char *ref;
    /* SQL the column takes when a create leaves it out ("''", "0",
     * "true"; for a KEDR_COL_READONLY column what every create writes,
     * "core.current_user_id()"): a constant of the module; NULL: SQL
     * NULL (a read-only column: the table's default) */
    const char *def;

    /* ---- ABI 1.4 ---- */
    /* A computed member: SQL over the row alias `t` (a constant of the
     * module, "(SELECT ... WHERE g.id = t.group_id)") whose value the
     * record shows as `name`; no column of the table, never written,
     * neither filtered, sorted, searched nor exported (ABI 1.5: a scalar
     * one with KEDR_COL_EXPORT is exported, its sql as the value).  Its type
     * may be OBJECT or ARRAY too (JSON built by PostgreSQL); it may be named
     * updated_at (the column the kit writes).  NULL: a stored column. */
    const char *sql;

    /* The values the column may hold (enum-like columns), a table ending
     * with a zero row; NULL: any value of its type.  The kit refuses any
     * other value (422 naming the column), the metadata lists them as
     * {value, label} in the user's language, the export writes the value
     * (the code: a file exported in one language imports in the other),
     * and the import takes the value or either label.  A row grows the
     * table's stride: the loader refuses a module built for ABI 1.3 that
     * declares entities. */
    const struct kedr_entity_option *options; /* ABI 1.4 */

    /* ---- ABI 1.5 ---- */
    /* A rule every value keeps, for a STRING column or each element of an
     * ARRAY: KEDR_RULE_PHONE (written +7XXXXXXXXXX by kedr_phone_e164's
     * rule; a filter value is read the same way) or KEDR_RULE_EMAIL
     * (kedr_email_valid); 0: none.  A value that breaks it: 422 naming the
     * column ("phones[1]" for an element). */
    unsigned rule;
    /* An ARRAY column (a list of strings, text[] in SQL): the most
     * characters of an element (0: 200); its `max` is the most elements
     * (0: no bound) */
    unsigned item_max;
    /* A KEDR_COL_SORT STRING column: the collation ("ru-RU-x-icu") its
     * order and the pages' keyset use (give the module's index the same);
     * NULL: the database's */
    const char *collate;
};

/* The rules of a column (ABI 1.5): kedr_entity_col.rule. */
#define KEDR_RULE_PHONE 1u
#define KEDR_RULE_EMAIL 2u

/*
 * A filter of the module's own, for what a column filter cannot say (a
 * group with its subgroups, a member of a jsonb column): ?<name>=v adds
 * `sql`, an SQL boolean over the row alias `t` in which $1 is the value
 * (cast it: "$1::bigint"), to the list's and the export's WHERE.  The
 * value is checked by `type` first (422 naming the parameter).  `name`
 * is [a-z_][a-z0-9_]*, no filter column's and no name of the protocol
 * (ABI 1.4: it may be the name of a column not flagged KEDR_COL_FILTER,
 * whose filter it then is: ?group_id= with the subgroups); `sql` is a
 * constant of the module.  A table ends with a zero row.
 */
struct kedr_entity_filter {
    const char *name;
    enum kedr_type type; /* STRING, INT, NUMBER, MONEY, DATE or BOOL */
    const char *label_ru;
    const char *label_en;
    const char *sql;
};

/* Entity flags. */
#define KEDR_ENTITY_ARCHIVE 0x1u /* an `active` column; archive/restore */
#define KEDR_ENTITY_ATTRS 0x2u   /* an `attrs` column of extra attributes */
/* ABI 1.4: no GET <path> nor its export: the module answers GET <path>
 * itself, in a shape of its own (a tree); the kit serves the rest */
#define KEDR_ENTITY_NO_LIST 0x4u
/* ABI 1.5 (with KEDR_ENTITY_ARCHIVE): DELETE <path>/:id?version= makes the
 * record inactive -- audited and announced as "archived", answered 200
 * with the record -- instead of deleting it; restore brings it back.  The
 * route needs `perm_delete`, or `perm_write` when that is NULL. */
#define KEDR_ENTITY_DELETE_ARCHIVES 0x8u

/*
 * Hooks of an entity, each optional; each returns 0 or a negative KEDR_E*
 * code (after kedr_fail or kedr_field_error + kedr_fail), which rolls the
 * request back.  `action` is "created", "updated", "archived", "restored"
 * or "deleted"; `old` is the locked record (NULL on create), `in` the body
 * (may be changed: what it holds is written), `new_` the record written
 * (NULL on delete).  All borrowed.
 */
struct kedr_kit_search;

struct kedr_entity_hooks {
    int (*validate)(kedr_req_t *r, json_t *in, json_t *old);
    int (*before_write)(kedr_req_t *r, const char *action, json_t *old,
                        json_t *in);
    int (*after_write)(kedr_req_t *r, const char *action, json_t *old,
                       json_t *new_);

    /* ---- ABI 1.4: the entity's own search ---- */
    /* What q= means for this entity, in place of "every word in some
     * KEDR_COL_SEARCH column": called by the list and the export (and so
     * by every search that goes through the kit's q) with the box `q`
     * (trimmed, not empty); fills *s (see struct kedr_kit_search), may
     * run statements of its own first (set_config for the request's
     * transaction), and may pick `where` by the kind of box (digits,
     * words) so that each statement keeps only the index arms that can
     * match it. */
    int (*search)(kedr_req_t *r, const char *q, struct kedr_kit_search *s);

    /* ---- ABI 1.5: a duplicate check of the module's own ---- */
    /* Whether `in` (the body; on update only the members sent, `old` the
     * record) would repeat a record the module holds unique (INN+KPP):
     * 0 none, 1 a duplicate -- *field the member to name and *id the
     * record holding it -- or a negative code.  Called after `validate`
     * on every create and update (and again after a unique index refused
     * the statement, to name the record saved meanwhile); the kit answers
     * a duplicate as it answers a KEDR_COL_UNIQUE one: 409 {"error":
     * {..., "fields": {<field>: ...}}, "duplicate": {"id", <title>,
     * "visible", "link"}}. */
    int (*duplicate)(kedr_req_t *r, json_t *in, json_t *old, const char **field,
                     long long *id);
};

/* The maximum parameters of an entity's own search. */
#define KEDR_KIT_SEARCH_PARAMS 4

/*
 * What an entity's `search` hook answers (ABI 1.4).  `where` is an SQL
 * boolean over the row alias `t` in which $1..$nparams are `params` (the
 * kit renumbers them); it narrows the list and the export like a filter,
 * with the other filters.  `rank` (NULL: none) is an SQL expression of
 * type text over `t`, with the same parameters, smaller = better: a list
 * with q and without `sort` is ordered by rank, then id, and pages by
 * both (the cursor carries the rank; empty ranks last); with `sort` the
 * search only narrows and the order stays the one asked for.  Both are
 * constants of the module; every value of the request is a parameter.
 */
struct kedr_kit_search {
    const char *where;
    const char *rank;
    const char *params[KEDR_KIT_SEARCH_PARAMS];
    int nparams;

    /* ---- ABI 1.5 (branch wt-search): the search as a relation ---- */
    /* An SQL query whose rows are rows of the entity's table, with the
     * same parameters ("SELECT c.* FROM schema.table c WHERE <arms over
     * indexes>", a WITH inside it allowed): the records the box finds.
     * The list, its count and export, and the global search read from it
     * in place of the table -- FROM (<from>) t, then the visibility, the
     * entity's `where`, the filters and `where` (which may then be NULL)
     * -- so the matches come as the indexes give them (a bitmap heap
     * scan) instead of being looked up again by id for a per-row test.
     * Its rows must be live rows of the table (the kit writes nothing
     * through it).  A constant of the module; NULL: the table (the 1.4
     * form, `where` required).  The kit zeroes the struct before the
     * hook, so a hook built for 1.4 leaves it NULL. */
    const char *from; /* ABI 1.5 */
};

/* A declared entity; a table of them ends with a zero row. */
struct kedr_entity {
    const char *name;  /* [a-z][a-z0-9_]*; full name "<module>.<name>" */
    const char *path;  /* route under the module's prefix, "/widgets" */
    const char *table; /* "schema.table" */
    const char *label_ru;
    const char *label_en;
    const struct kedr_entity_col *cols;
    const char *perm_read;   /* list, get, export, meta */
    const char *perm_write;  /* create, update, archive, restore */
    const char *perm_delete; /* NULL: no DELETE route */
    /* An SQL boolean over the row alias `t`: the records an own-only user
     * (core.own_only()) sees, "t.owner_id = core.current_user_id()".
     * A constant of the module, never outside input.  NULL: all. */
    const char *own;
    unsigned flags;    /* KEDR_ENTITY_* */
    const char *audit; /* audit and attribute entity; NULL: full name */
    const struct kedr_entity_hooks *hooks;
    const char *sort; /* the list's order when none is asked ("sort,code");
                         NULL: "id" */
    const struct kedr_entity_filter *filters; /* the module's own, or NULL */
    /* ABI 1.4: the UI page of the list ("/hello"; a record's card is
     * <ui>/<id>), for the global search and recent records.  NULL:
     * "/<module><path>". */
    const char *ui;

    /* ---- ABI 1.5 ---- */
    /* An SQL boolean over `t` every list keeps to ("t.merged_into IS
     * NULL"): the list, its count and export, q=, the global search, the
     * records a reference or an import's key may name, and the records a
     * KEDR_COL_UNIQUE value is checked against (a partial unique index
     * with the same condition).  Not GET <path>/:id: such a record stays
     * readable by its id.  A constant of the module; NULL: none. */
    const char *where;
    /* The STRING column that names a record (a duplicate's 409); NULL:
     * the first STRING column. */
    const char *title;
    /* ABI 1.5 (branch wt-clients): */
    /* The permission of GET <path>/export (NULL: perm_read): a list the
     * user may read but not take away as a file.  The export's scope
     * (own only) follows it, as a route's does. */
    const char *perm_export;
};

/*
 * Called by kedr_import_csv for each data row with the row as a JSON
 * object (borrowed; empty cells left out).  It reports problems like a
 * handler (kedr_field_error / kedr_fail, and returns non-zero) and may
 * give a result through *out: a new reference the core takes over
 * (json_pack("{s:I}", "id", id)); leave *out alone for none.
 */
typedef int (*kedr_import_row_pt)(kedr_req_t *r, json_t *row, void *arg,
                                  json_t **out);

/* The type of a module setting (ABI 1.3). */
enum kedr_setting_type {
    KEDR_SETTING_STRING = 1,
    KEDR_SETTING_INT,
    KEDR_SETTING_BOOL,
    KEDR_SETTING_LIST, /* a list of strings: ["a", "b"] */
};

/*
 * One setting of the module's config group (ABI 1.3), the descriptor's
 * `config`; a table ends with a zero row.  The core checks the group
 * against it as it checks its own groups: a key not declared, a value of
 * another type or an integer outside [min, max] is an error at its line
 * (`kedr check-config`, and the module is refused at start).  `def` is
 * the value when the key is absent, as text ("20", "true", "Привет"); NULL
 * gives "", 0, false, or the empty list (a list's default is always
 * empty).  For an integer, min < max bounds the value (and the default);
 * min == max leaves it unbounded.  `doc` says what it does, for the
 * reader of the descriptor.  A declaration that does not hold (a bad
 * name, a default of the wrong type or out of range, a name twice)
 * refuses the module.
 */
struct kedr_setting {
    const char *name; /* [a-z][a-z0-9_]* */
    enum kedr_setting_type type;
    const char *def;
    long long min;
    long long max;
    const char *doc;
};

struct kedr_api;

/*
 * The descriptor.  Header fields (magic .. build_sig) are fixed forever.
 * Every table is `static const`, ends with a zero row and is filled with
 * designated initialisers.
 */
struct kedr_module {
    /* header: fixed forever */
    uint32_t magic;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t size;
    const char *build_sig;

    /* ---- ABI 1.0 ---- */
    const struct kedr_api **api; /* where the core stores its table */
    const char *name;            /* [a-z][a-z0-9_]*, = folder = schema */
    const char *version;
    const char *const *requires; /* NULL-terminated, or NULL */
    const struct kedr_route *routes;
    const struct kedr_permission *permissions;
    const struct kedr_hook *hooks;
    const struct kedr_job *jobs;
    union { /* until ABI 1.5 `importers`; the old name stays for 1.5 */
        const struct kedr_migrator *migrators;
        const struct kedr_migrator *importers;
    };
    const struct kedr_ui *ui;
    /* init: once per process that loads the module, before any request;
     * reads and checks its config; non-zero refuses the module. */
    int (*init)(kedr_env_t *env);
    /* worker_init: in each serving or jobs process after init, before its
     * first request or job: open per-process resources here. */
    int (*worker_init)(kedr_env_t *env);
    /* fini: when the process stops gracefully. */
    void (*fini)(kedr_env_t *env);

    /* ---- ABI 1.1 ---- */
    const struct kedr_grant *grants; /* default grants to built-in roles */

    /* ---- ABI 1.2 ---- */
    /* Routes that serve portal users (a distributor's people: a user with
     * a counterparty), under the same prefix as `routes` and checked the
     * same way.  A portal user reaches these and nothing else: every
     * route in `routes` answers them 403 whatever their roles grant.
     * Employees and tokens reach both tables.  Each query of a portal
     * route must keep to the caller's counterparty (kedr_counterparty_id,
     * the setting kedr.counterparty_id in SQL). */
    const struct kedr_route *portal_routes;

    /* ---- ABI 1.3 ---- */

    /* -- typed module configuration (ABI 1.3) -- */
    /* The module's settings: its config group, typed and documented (see
     * struct kedr_setting); NULL leaves the group unchecked, as before
     * 1.3. */
    const struct kedr_setting *config;

    /* -- the resource kit (ABI 1.3) -- */
    const struct kedr_entity *entities; /* served by the core, see above */
};

/*
 * The core's function table.  Append-only: members are never removed or
 * reordered; new ones go at the end under a comment naming the ABI minor
 * that adds them, and KEDR_ABI_MINOR moves in the same commit.  Each
 * group says which ABI added it; core/CHANGELOG-API.md lists every member
 * and tests/unit/test_abi.c holds the layout to the frozen snapshots in
 * tests/abi/.  Wrappers of members after 1.0 check `size` first
 * (KEDR_API_HAS).
 *
 * One name from a call to its implementation: a module calls kedr_X(),
 * which calls the member .X, which the core implements as kedr_core_X
 * (the table is in core/request.c).  A call with a format string keeps
 * printf's pairing: kedr_sprintf, kedr_fail and kedr_log call .vsprintf,
 * .vfail and .vlog (kedr_core_vsprintf, ...).
 */
struct kedr_api {
    uint32_t size; /* sizeof(struct kedr_api) in the core */

    /* ---- ABI 1.0 ---- */

    /* -- request accessors -- */
    const char *(*method)(kedr_req_t *r);
    const char *(*path)(kedr_req_t *r);
    const char *(*param)(kedr_req_t *r, const char *name);
    const char *(*query)(kedr_req_t *r, const char *name);
    const char *(*header)(kedr_req_t *r, const char *name);
    json_t *(*body)(kedr_req_t *r);
    const char *(*body_raw)(kedr_req_t *r, size_t *len);
    const char *(*request_id)(kedr_req_t *r);
    int64_t (*user_id)(kedr_req_t *r);
    bool (*has_permission)(kedr_req_t *r, const char *perm);

    /* -- arena -- */
    void *(*alloc)(kedr_req_t *r, size_t size);
    char *(*strdup)(kedr_req_t *r, const char *s);
    char *(*vsprintf)(kedr_req_t *r, const char *fmt, va_list ap);
    void (*on_cleanup)(kedr_req_t *r, void (*fn)(void *), void *arg);

    /* -- responses -- */
    int (*reply_json)(kedr_req_t *r, int status, json_t *body);
    int (*reply_raw)(kedr_req_t *r, int status, const char *content_type,
                     const char *data, size_t len);
    void (*set_header)(kedr_req_t *r, const char *name, const char *value);
    int (*vfail)(kedr_req_t *r, int code, const char *field, const char *fmt,
                 va_list ap);
    void (*field_error)(kedr_req_t *r, const char *field, const char *msg);

    /* -- database -- */
    kedr_rows_t *(*db_query)(kedr_req_t *r, const char *sql, int nparams,
                             const char *const *params);
    int (*db_exec)(kedr_req_t *r, const char *sql, int nparams,
                   const char *const *params);
    int (*db_json)(kedr_req_t *r, const char *sql, int nparams,
                   const char *const *params, const char **out);
    int (*reply_db_json)(kedr_req_t *r, int status, const char *sql,
                         int nparams, const char *const *params);
    int (*db_copy_begin)(kedr_req_t *r, const char *sql);
    int (*db_copy_put)(kedr_req_t *r, const char *data, size_t len);
    int (*db_copy_end)(kedr_req_t *r);
    const char *(*db_sqlstate)(kedr_req_t *r);
    int (*rows_count)(const kedr_rows_t *rows);
    const char *(*rows_get)(const kedr_rows_t *rows, int row, int col);
    bool (*rows_isnull)(const kedr_rows_t *rows, int row, int col);

    /* -- events -- */
    int (*emit)(kedr_req_t *r, const char *event, json_t *payload);

    /* -- config and logging -- */
    const char *(*conf_string)(kedr_env_t *env, const char *key,
                               const char *def);
    long long (*conf_int)(kedr_env_t *env, const char *key, long long def);
    bool (*conf_bool)(kedr_env_t *env, const char *key, bool def);
    void (*vlog)(kedr_req_t *r, int level, const char *fmt, va_list ap);
    void (*env_log)(kedr_env_t *env, int level, const char *msg);

    /* ---- ABI 1.1 (appended under 1.0 before the minor moved; see
     * core/CHANGELOG-API.md) ---- */

    /* -- identity and audit -- */
    const char *(*user_login)(kedr_req_t *r);
    const char *(*user_locale)(kedr_req_t *r);
    int64_t (*counterparty_id)(kedr_req_t *r);
    int (*audit)(kedr_req_t *r, const char *entity, const char *entity_id,
                 const char *action, json_t *old, json_t *new_);

    /* -- values and memory -- */
    bool (*value_valid)(int type, const char *text);
    void (*out_of_memory)(kedr_req_t *r); /* never returns */

    /* -- extra attributes -- */
    int (*attrs_check)(kedr_req_t *r, const char *entity, json_t *attrs,
                       bool partial);
    int (*attrs_filter)(kedr_req_t *r, const char *entity, const char **json);

    /* ---- ABI 1.2 (appended under 1.1 before the minor moved; see
     * core/CHANGELOG-API.md) ---- */

    /* -- export and import -- */
    int (*export)(kedr_req_t *r, const char *format, const char *filename,
                  const struct kedr_column *cols, const char *sql, int nparams,
                  const char *const *params);
    int (*import_csv)(kedr_req_t *r, const struct kedr_import_col *cols,
                      kedr_import_row_pt fn, void *arg);

    /* -- Russian requisites, phones, e-mail -- */
    const char *(*inn_problem)(const char *inn);
    const char *(*kpp_problem)(const char *kpp);
    const char *(*ogrn_problem)(const char *ogrn);
    bool (*phone_e164)(const char *in, char *out, size_t outsz);
    bool (*email_valid)(const char *s);

    /* -- data migrations: the migrator slot's handle -- */
    const char *(*migration_table)(kedr_migration_t *imp);
    bool (*migration_dry_run)(kedr_migration_t *imp);
    void (*migration_count)(kedr_migration_t *imp, const char *counter, long n);
    int (*migration_reject)(kedr_migration_t *imp, const char *line,
                            const char *ext_id, const char *field,
                            const char *reason);

    /* ---- ABI 1.3 ---- */

    /* -- typed module configuration (ABI 1.3) -- */
    const char *const *(*conf_list)(kedr_env_t *env, const char *key);

    /* ---- ABI 1.4 ---- */

    /* -- data migrations: the map and the audit of loaded rows -- */
    int (*migration_map_put)(kedr_req_t *r, kedr_migration_t *imp,
                             const char *entity, const char *sql);

    /* -- what the built-in modules (core/builtin/) lacked: the served
     *    entities, the module list, the caller, passwords and tokens
     *    (ABI 1.5, issue 13) -- */
    const char *(*entity_name)(kedr_req_t *r, size_t i);       /* ABI 1.5 */
    bool (*entity_readable)(kedr_req_t *r, const char *entity, /* ABI 1.5 */
                            const char **label, const char **ui);
    int (*entity_check_query)(kedr_req_t *r, const char *entity, /* ABI 1.5 */
                              const char *qs, json_t *fields);
    json_t *(*query_decode)(kedr_req_t *r, const char *qs); /* ABI 1.5 */
    json_t *(*modules)(kedr_req_t *r);                      /* ABI 1.5 */
    json_t *(*permissions)(kedr_req_t *r);                  /* ABI 1.5 */
    int (*field_errors)(kedr_req_t *r);                     /* ABI 1.5 */
    int64_t (*caller_id)(kedr_req_t *r);                    /* ABI 1.5 */
    const char *(*password_problem)(const char *login,      /* ABI 1.5 */
                                    const char *password);
    int (*hash_password)(const char *password, char *out, /* ABI 1.5 */
                         size_t outlen);
    void (*secret_new)(const char *prefix, char *out, /* ABI 1.5 */
                       size_t outlen, char hash[65]);
};

/*
 * The table pointer every module has: weak and hidden, so each module
 * (and each of its translation units) shares one copy that no other
 * module can see.  The core writes it through the descriptor's `api`
 * member before calling init; it is NULL before that, so no kedr_*
 * function may run in a constructor.
 */
__attribute__((weak, visibility("hidden"))) const struct kedr_api *kedr_api;

/*
 * Calls past the table.  A wrapper of a member appended after ABI 1.0
 * calls it only when the core's table reaches it (kedr_api->size, which
 * the core sets to the sizeof of its own table), as PostgreSQL checks a
 * size-prefixed block before reading it.  The loader refuses a module
 * built for a newer minor than the core's, so this never fires in a
 * correct install; if it does (a hand-made table, a core that lies about
 * its minor), the call fails cleanly instead of jumping through whatever
 * follows the table: a request or job fails with 500 naming the member,
 * a check answers "invalid", a lookup "absent".  The 1.0 members (up to
 * env_log) are always there and are called directly.
 */
#define KEDR_API_HAS(member)                                                   \
    (kedr_api->size >=                                                         \
     offsetof(struct kedr_api, member) + sizeof(kedr_api->member))

/* What a *_problem check answers when the core lacks it: the value is not
 * taken as valid. */
#define KEDR_API_NOT_CHECKED "cannot be checked: the core lacks this check"

/* Record, in the context, that the core lacks the call `member` (a 500
 * "internal" naming it); returns KEDR_EINTERNAL.  Uses only vfail (1.0). */
__attribute__((format(printf, 2, 3))) static inline int
kedr__api_missing_f(kedr_req_t *r, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = kedr_api->vfail(r, KEDR_EINTERNAL, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

static inline int
kedr__api_missing(kedr_req_t *r, const char *member)
{
    return kedr__api_missing_f(
        r,
        "module API call \"%s\" is not in this core's table (module built "
        "for ABI %d.%d)",
        member, KEDR_ABI_MAJOR, KEDR_ABI_MINOR);
}

/* The descriptor's header and the api slot; put it first in the
 * initialiser of `kedr_module`. */
#define KEDR_MODULE_HEADER                                                     \
    .magic = KEDR_MODULE_MAGIC, .abi_major = KEDR_ABI_MAJOR,                   \
    .abi_minor = KEDR_ABI_MINOR, .size = sizeof(struct kedr_module),           \
    .build_sig = KEDR_BUILD_SIG, .api = &kedr_api

/* Export the descriptor: `KEDR_MODULE_EXPORT const struct kedr_module
 * kedr_module = { KEDR_MODULE_HEADER, .name = "hello", ... };` */
#define KEDR_MODULE_EXPORT __attribute__((visibility("default")))

/* ---------------------------------------------------------------------
 * Request accessors.  Call them with the context the core passed to the
 * handler, hook or job (never one kept from an earlier call).  Strings
 * returned belong to the context and live until it ends: do not free or
 * modify them.  In a job there is no HTTP request: no parameters, query,
 * headers or body.
 * --------------------------------------------------------------------- */

/* The request method, "GET", "POST", ...; "JOB" in a job.  Never NULL. */
static inline const char *
kedr_method(kedr_req_t *r)
{
    return kedr_api->method(r);
}

/* The request path as the client sent it, without the query string and
 * not percent-decoded ("/api/v1/hello/greetings/7"); the job's name in a
 * job.  Never NULL.  Use kedr_param for decoded parts of it. */
static inline const char *
kedr_path(kedr_req_t *r)
{
    return kedr_api->path(r);
}

/* A path parameter of the matched route (":id" -> "id"), percent-decoded;
 * NULL if the route has no such parameter. */
static inline const char *
kedr_param(kedr_req_t *r, const char *name)
{
    return kedr_api->param(r, name);
}

/* A query-string parameter, decoded; the first if repeated; NULL if
 * absent. */
static inline const char *
kedr_query(kedr_req_t *r, const char *name)
{
    return kedr_api->query(r, name);
}

/* A request header by its HTTP name ("X-Csrf-Token"), case-insensitive;
 * NULL if absent. */
static inline const char *
kedr_header(kedr_req_t *r, const char *name)
{
    return kedr_api->header(r, name);
}

/* The parsed JSON body (borrowed: do not decref), or NULL when the request
 * had no body.  A malformed body never reaches a handler (400). */
static inline json_t *
kedr_body(kedr_req_t *r)
{
    return kedr_api->body(r);
}

/* The raw request body, or NULL when the request had none; its length
 * goes to *len (when len is not NULL).  The core adds a NUL after the
 * last byte, but the body may hold NULs of its own: use *len. */
static inline const char *
kedr_body_raw(kedr_req_t *r, size_t *len)
{
    return kedr_api->body_raw(r, len);
}

/* The request id (32 hex digits, or the id nginx passed), also in the
 * X-Request-Id header and on every log line; a fresh id in a job.  Never
 * NULL. */
static inline const char *
kedr_request_id(kedr_req_t *r)
{
    return kedr_api->request_id(r);
}

/* The authenticated user's id, 0 when anonymous or in a job. */
static inline int64_t
kedr_user_id(kedr_req_t *r)
{
    return kedr_api->user_id(r);
}

/* Whether the current user holds `perm` ("<module>.<verb>").  False for
 * anonymous requests and in jobs.  Routes declare their permission in
 * struct kedr_route and the core checks it before the handler: call this
 * only for finer decisions inside a handler. */
static inline bool
kedr_has_permission(kedr_req_t *r, const char *perm)
{
    return kedr_api->has_permission(r, perm);
}

/* ---------------------------------------------------------------------
 * Arena: memory that lives until the context ends (the request, hook
 * chain or job), freed all at once by the core; never free it by hand
 * and never keep a pointer to it past the context.  These never return
 * NULL (out of memory: see "Memory" at the top of this file).
 * --------------------------------------------------------------------- */

/* `size` bytes, uninitialised, aligned for any type (16 bytes). */
static inline void *
kedr_alloc(kedr_req_t *r, size_t size)
{
    return kedr_api->alloc(r, size);
}

/* A copy of the string `s` in the arena; NULL `s` gives "". */
static inline char *
kedr_strdup(kedr_req_t *r, const char *s)
{
    return kedr_api->strdup(r, s);
}

/* A printf-formatted string in the arena, of any length. */
__attribute__((format(printf, 2, 3))) static inline char *
kedr_sprintf(kedr_req_t *r, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = kedr_api->vsprintf(r, fmt, ap);
    va_end(ap);
    return s;
}

/* Run fn(arg) when the context ends, whether it succeeded or failed (for
 * non-memory resources: a file, a json_t of your own, a malloc'd
 * buffer).  Cleanups run last registered first, after the transaction
 * has ended, before the arena is freed.  If the record cannot be
 * allocated, fn(arg) runs at once, then the failure unwinds: a resource
 * handed over is never leaked. */
static inline void
kedr_on_cleanup(kedr_req_t *r, void (*fn)(void *), void *arg)
{
    kedr_api->on_cleanup(r, fn, arg);
}

/* ---------------------------------------------------------------------
 * Responses, from a route handler (not from a hook or job).  The last
 * reply wins; the response is sent after the transaction commits, and is
 * replaced by the error shape when the handler or a hook fails.  A
 * handler that sets no response answers 204.
 * --------------------------------------------------------------------- */

/* Reply with a JSON document; steals the reference to `body` (so
 * `kedr_reply_json(r, 200, json_pack(...))` leaks nothing).  Returns 0;
 * a NULL body (json_pack failed) records a 500 and returns
 * KEDR_EINTERNAL. */
static inline int
kedr_reply_json(kedr_req_t *r, int status, json_t *body)
{
    return kedr_api->reply_json(r, status, body);
}

/* Reply with `len` bytes of the given content type; both are copied into
 * the arena.  Returns 0. */
static inline int
kedr_reply_raw(kedr_req_t *r, int status, const char *content_type,
               const char *data, size_t len)
{
    return kedr_api->reply_raw(r, status, content_type, data, len);
}

/* Add a response header; name and value are copied.  Up to 16 per
 * response; a name with ':', CR or LF, or a value with CR or LF, is
 * refused (logged, not sent).  Headers of a failed request are dropped. */
static inline void
kedr_set_header(kedr_req_t *r, const char *name, const char *value)
{
    kedr_api->set_header(r, name, value);
}

/*
 * Record an error in the one JSON shape and return `code`, so a handler
 * says `return kedr_fail(r, KEDR_EINVAL, "inn", "checksum mismatch");`.
 * `field` may be NULL; with a field the message also goes to "fields".
 * `code` is a negative KEDR_E* code (anything else becomes
 * KEDR_EINTERNAL); it sets the response status.  The message is formatted
 * into the arena; the last call sets the message and code.
 */
__attribute__((format(printf, 4, 5))) static inline int
kedr_fail(kedr_req_t *r, int code, const char *field, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = kedr_api->vfail(r, code, field, fmt, ap);
    va_end(ap);
    return rc;
}

/* Add one field error ("fields": {field: msg}, both copied; the first
 * message for a field is kept).  Report several this way, then finish
 * with `return kedr_fail(r, KEDR_EINVAL, NULL, "invalid input");`. */
static inline void
kedr_field_error(kedr_req_t *r, const char *field, const char *msg)
{
    kedr_api->field_error(r, field, msg);
}

/* ---------------------------------------------------------------------
 * Database.  Parameters only, in text form (NULL = SQL NULL).  Statements
 * are prepared once per connection and cached by their text.  The first
 * call in a request opens its transaction (read-only for GET and HEAD);
 * the core commits or rolls back.  A GET or HEAD (public or signed in:
 * the caller's identity and scope settings are the connection's session
 * settings for the request) runs its first call as a read-only statement
 * of its own, without BEGIN, and the second call opens the transaction; a
 * first call whose text names set_config or an xact lock opens it at
 * once, so that what it sets transaction-local reaches the calls after
 * it.  On failure the error is recorded in the
 * context (503 when the database is down, 500 otherwise) and the call
 * returns NULL or a negative code; kedr_db_sqlstate() says why.  Return
 * that code from the handler: the request then rolls back.
 * `sql` and `params` are only read during the call.  Call these from a
 * handler, hook or job, never from init or worker_init.
 * --------------------------------------------------------------------- */

/* Run a query.  Returns its rows, owned by the context and freed when it
 * ends, or NULL on failure (recorded). */
static inline kedr_rows_t *
kedr_db_query(kedr_req_t *r, const char *sql, int nparams,
              const char *const *params)
{
    return kedr_api->db_query(r, sql, nparams, params);
}

/* Run a command; returns the number of rows it affected (>= 0; 0 for
 * commands that report none) or a negative code (recorded). */
static inline int
kedr_db_exec(kedr_req_t *r, const char *sql, int nparams,
             const char *const *params)
{
    return kedr_api->db_exec(r, sql, nparams, params);
}

/* Run a query whose one row and column is JSON text built by PostgreSQL.
 * Returns 0 with *out pointing to that text (owned by the context), or
 * to NULL when the query returned no row or a SQL NULL; or a negative
 * code (recorded) with *out NULL. */
static inline int
kedr_db_json(kedr_req_t *r, const char *sql, int nparams,
             const char *const *params, const char **out)
{
    return kedr_api->db_json(r, sql, nparams, params, out);
}

/* Reply with the JSON text a query builds, passed through unparsed.
 * Returns 0; KEDR_ENOTFOUND (recorded, 404) when the query returns no row
 * or NULL; or the code of a failed query. */
static inline int
kedr_reply_db_json(kedr_req_t *r, int status, const char *sql, int nparams,
                   const char *const *params)
{
    return kedr_api->reply_db_json(r, status, sql, nparams, params);
}

/* COPY ... FROM STDIN inside the request's transaction: begin with the
 * COPY statement, put the data in COPY text format (any number of calls,
 * any split), end.  No other query may run between begin and end.  Each
 * returns 0 or a negative code (recorded). */
static inline int
kedr_db_copy_begin(kedr_req_t *r, const char *sql)
{
    return kedr_api->db_copy_begin(r, sql);
}

/* Send `len` bytes of COPY data (read during the call only). */
static inline int
kedr_db_copy_put(kedr_req_t *r, const char *data, size_t len)
{
    return kedr_api->db_copy_put(r, data, len);
}

/* End the COPY and wait for the server's verdict on the rows. */
static inline int
kedr_db_copy_end(kedr_req_t *r)
{
    return kedr_api->db_copy_end(r);
}

/* SQLSTATE of the last failed call ("23505"; "08006" when the database
 * is unreachable), or NULL after a successful query.  Lets a handler turn
 * a unique violation into a 409. */
static inline const char *
kedr_db_sqlstate(kedr_req_t *r)
{
    return kedr_api->db_sqlstate(r);
}

/* The number of rows of a result from kedr_db_query. */
static inline int
kedr_rows_count(const kedr_rows_t *rows)
{
    return kedr_api->rows_count(rows);
}

/* Text value of a cell, owned by the result: "" for SQL NULL (see
 * kedr_rows_isnull), NULL when row or col is out of range.  Rows and
 * columns count from 0. */
static inline const char *
kedr_rows_get(const kedr_rows_t *rows, int row, int col)
{
    return kedr_api->rows_get(rows, row, col);
}

/* Whether a cell is SQL NULL; true when row or col is out of range. */
static inline bool
kedr_rows_isnull(const kedr_rows_t *rows, int row, int col)
{
    return kedr_api->rows_isnull(rows, row, col);
}

/* The count and array arguments of kedr_db_*, built in place from one or
 * more strings: `kedr_db_exec(r, sql, KEDR_PARAMS(id, name))`.  For no
 * parameters pass `0, NULL`. */
#define KEDR_PARAMS(...)                                                       \
    (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),       \
        (const char *const[])                                                  \
    {                                                                          \
        __VA_ARGS__                                                            \
    }

/* The cleanup kedr_json_own registers (internal). */
static inline void
kedr__json_decref(void *p)
{
    json_decref((json_t *)p);
}

/*
 * Hand a JSON value of your own to the request: it is decref'd when the
 * request ends, also when a later allocation fails and unwinds past your
 * code.  Returns `v` (NULL stays NULL), so: ev = kedr_json_own(r,
 * json_loads(...)).  Never decref it yourself afterwards.
 */
static inline json_t *
kedr_json_own(kedr_req_t *r, json_t *v)
{
    if (v != NULL)
        kedr_on_cleanup(r, kedr__json_decref, v);
    return v;
}

/* ---------------------------------------------------------------------
 * Events: run every hook listening to `event`, in module dependency
 * order, inside the current transaction, before kedr_emit returns.
 * The payload is borrowed: hooks must not keep it; own it with
 * kedr_json_own before the call rather than decref it after.  Returns 0, or the
 * first failing hook's code (recorded; the remaining hooks are skipped): return
 * it, and the request rolls back.  Call from a handler, hook or job.
 * --------------------------------------------------------------------- */
static inline int
kedr_emit(kedr_req_t *r, const char *event, json_t *payload)
{
    return kedr_api->emit(r, event, payload);
}

/* ---------------------------------------------------------------------
 * Config: keys of the module's own group in kedr.conf (`hello: { ... }`).
 * `env` is the one passed to init, worker_init and fini; valid from init
 * until fini.  Read the settings in init; keep what you need in static
 * variables.  Strings belong to the configuration and live as long as the
 * process (until a reload replaces the workers).
 *
 * A module that declares its settings (`.config`, ABI 1.3) reads only
 * those: the core has already checked the group against the declaration,
 * so each call gives the value set or the declared default, and `def` is
 * not used (pass the declared default, or 0/NULL).  Reading a key not
 * declared with that type is a bug: it is logged and gives `def`.
 * Without a declaration, a key that is absent or of another type gives
 * `def`.
 * --------------------------------------------------------------------- */

/* A string setting, or `def`. */
static inline const char *
kedr_conf_string(kedr_env_t *env, const char *key, const char *def)
{
    return kedr_api->conf_string(env, key, def);
}

/* An integer setting (`n = 5;` or `n = 5L;`), or `def`. */
static inline long long
kedr_conf_int(kedr_env_t *env, const char *key, long long def)
{
    return kedr_api->conf_int(env, key, def);
}

/* A boolean setting (`true` / `false`), or `def`. */
static inline bool
kedr_conf_bool(kedr_env_t *env, const char *key, bool def)
{
    return kedr_api->conf_bool(env, key, def);
}

/* A declared list setting (ABI 1.3): its strings, NULL-terminated (empty
 * when absent), owned by the core until the process ends; NULL when the
 * module does not declare `key` as a list. */
static inline const char *const *
kedr_conf_list(kedr_env_t *env, const char *key)
{
    if (!KEDR_API_HAS(conf_list))
        return NULL;
    return kedr_api->conf_list(env, key);
}

/* ---------------------------------------------------------------------
 * Logging: one line, prefixed with time, level, pid, request id and
 * module.  Messages are lowercase, without a full stop, the subject in
 * quotes; newlines become spaces.  `level` is a KEDR_LOG_* value; lines
 * above server.log_level are dropped.
 * --------------------------------------------------------------------- */

/* Log from a handler, hook or job (the line carries its request id and
 * module); `r` may be NULL outside one. */
__attribute__((format(printf, 3, 4))) static inline void
kedr_log(kedr_req_t *r, int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    kedr_api->vlog(r, level, fmt, ap);
    va_end(ap);
}

/* Log from init, worker_init or fini, where there is no request: the
 * line names the module.  `msg` is printed as is (not a format). */
static inline void
kedr_env_log(kedr_env_t *env, int level, const char *msg)
{
    kedr_api->env_log(env, level, msg);
}

/* ---------------------------------------------------------------------
 * Identity and audit.
 * --------------------------------------------------------------------- */

/* The current user's login, or NULL when anonymous, in a job, or for an
 * API token.  Lives as long as the request. */
static inline const char *
kedr_user_login(kedr_req_t *r)
{
    if (!KEDR_API_HAS(user_login)) {
        kedr__api_missing(r, "user_login");
        return NULL;
    }
    return kedr_api->user_login(r);
}

/* The current user's language, "ru" (the default) or "en". */
static inline const char *
kedr_user_locale(kedr_req_t *r)
{
    if (!KEDR_API_HAS(user_locale))
        return "ru";
    return kedr_api->user_locale(r);
}

/* For a portal user, the distributor (counterparty id) they belong to;
 * 0 for staff, tokens and jobs.  Every portal route scopes its queries by
 * it; PostgreSQL also sees it as current_setting('kedr.counterparty_id')
 * for row-level security. */
static inline int64_t
kedr_counterparty_id(kedr_req_t *r)
{
    if (!KEDR_API_HAS(counterparty_id)) {
        kedr__api_missing(r, "counterparty_id");
        return -1; /* fail closed: no counterparty has this id */
    }
    return kedr_api->counterparty_id(r);
}

/*
 * Record a business write in the audit trail, in the request's
 * transaction (a rolled-back request leaves no row): `entity` is
 * "<module>.<entity>" ("clients.counterparty"), `entity_id` its id,
 * `action` what happened ("created", "updated", "deleted", "merged"),
 * `old` and `new` the values before and after (borrowed; either may be
 * NULL).  The user, API token and request id are added by the core.
 * Returns 0 or a negative code (the request then fails).
 */
static inline int
kedr_audit(kedr_req_t *r, const char *entity, const char *entity_id,
           const char *action, json_t *old, json_t *new_)
{
    if (!KEDR_API_HAS(audit))
        return kedr__api_missing(r, "audit");
    return kedr_api->audit(r, entity, entity_id, action, old, new_);
}

/* ---------------------------------------------------------------------
 * Small helpers every module needs, built on the table above.
 * --------------------------------------------------------------------- */

/* Out of memory (a jansson call returned NULL): in a request it fails
 * with 500 and rolls back, like a failed kedr_alloc; never returns. */
__attribute__((noreturn)) static inline void
kedr_out_of_memory(kedr_req_t *r)
{
    if (KEDR_API_HAS(out_of_memory))
        kedr_api->out_of_memory(r);
    abort(); /* not reached: the core unwinds or aborts itself */
}

/* Whether `text` is a valid value of `type` by the same rules as input
 * specs: KEDR_T_MONEY ("1234.50", at most 16+2 digits, a leading minus
 * allowed: refuse it yourself where amounts cannot be negative) and
 * KEDR_T_DATE ("YYYY-MM-DD", a real day).  Other types: true. */
static inline bool
kedr_value_valid(enum kedr_type type, const char *text)
{
    return text != NULL && KEDR_API_HAS(value_valid) &&
           kedr_api->value_valid((int)type, text);
}

/* A path parameter that is a record id (1 to 18 digits, no leading zero),
 * or NULL: answer 404 then. */
static inline const char *
kedr_param_id(kedr_req_t *r, const char *name)
{
    const char *id = kedr_param(r, name);
    size_t n = id != NULL ? strlen(id) : 0;

    if (n == 0 || n > 18 || strspn(id, "0123456789") != n || id[0] == '0')
        return NULL;
    return id;
}

/* `s` without leading and trailing white space, in the request's arena;
 * NULL for NULL. */
static inline char *
kedr_trim(kedr_req_t *r, const char *s)
{
    size_t n;
    char *out;

    if (s == NULL)
        return NULL;
    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
        n--;
    out = (char *)kedr_alloc(r, n + 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

/* The current user's id as text (a created_by parameter), or NULL when
 * there is none (an API token, a job). */
static inline const char *
kedr_user_id_text(kedr_req_t *r)
{
    int64_t uid = kedr_user_id(r);

    return uid > 0 ? kedr_sprintf(r, "%lld", (long long)uid) : NULL;
}

/* A query parameter that is a count from 0 to `max` (paging): `def` when
 * absent; -1 after recording a field error when malformed (finish with
 * kedr_fail(r, KEDR_EINVAL, ...)). */
static inline long
kedr_query_count(kedr_req_t *r, const char *key, long def, long max)
{
    const char *v = kedr_query(r, key);
    size_t n = v != NULL ? strlen(v) : 0;

    if (n == 0)
        return def;
    if (n > 9 || strspn(v, "0123456789") != n || atol(v) > max) {
        kedr_field_error(
            r, key, kedr_sprintf(r, "must be a number from 0 to %ld", max));
        return -1;
    }
    return atol(v);
}

/* A JSON value you just built (json_object(), json_pack(), ...) handed to
 * the request like kedr_json_own; NULL from jansson means out of memory
 * and fails the request (kedr_out_of_memory). */
static inline json_t *
kedr_json_keep(kedr_req_t *r, json_t *v)
{
    if (v == NULL)
        kedr_out_of_memory(r);
    return kedr_json_own(r, v);
}

/* JSON text PostgreSQL built (kedr_db_json, a result cell) parsed into a
 * value the request owns; NULL for NULL text. */
static inline json_t *
kedr_json_parse(kedr_req_t *r, const char *text)
{
    if (text == NULL)
        return NULL;
    return kedr_json_keep(r, json_loads(text, JSON_DECODE_ANY, NULL));
}

/* A value as compact JSON text that lives as long as the request (a query
 * parameter for $1::jsonb); NULL for NULL. */
static inline const char *
kedr_json_text(kedr_req_t *r, json_t *v)
{
    char *s;

    if (v == NULL)
        return NULL;
    s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s == NULL)
        kedr_out_of_memory(r);
    kedr_on_cleanup(r, free, s);
    return s;
}

/*
 * The optimistic lock every update and delete starts with: run `sql` (one
 * parameter, the record id; a SELECT ... FOR UPDATE answering the record
 * as JSON text) and return the record the request owns.  NULL, with *rc
 * set, when `id` is NULL or no row came back (404 "no such <what>"), when
 * `version` (the JSON integer the client read; NULL: no check) is not the
 * record's "version" (409 naming "version"), or when the query failed.
 */
static inline json_t *
kedr_db_lock(kedr_req_t *r, const char *sql, const char *id, json_t *version,
             const char *what, int *rc)
{
    const char *row;
    json_t *cur;

    *rc = 0;
    if (id == NULL) {
        *rc = kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such %s", what);
        return NULL;
    }
    if ((*rc = kedr_db_json(r, sql, KEDR_PARAMS(id), &row)) != 0)
        return NULL;
    if (row == NULL) {
        *rc = kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such %s", what);
        return NULL;
    }
    cur = kedr_json_parse(r, row);
    if (version != NULL &&
        json_integer_value(version) !=
            json_integer_value(json_object_get(cur, "version"))) {
        *rc = kedr_fail(r, KEDR_ECONFLICT, "version",
                        "the %s was changed by someone else: reload it", what);
        return NULL;
    }
    return cur;
}

/* The `version` member of an update's input spec: required, 1 and up. */
#define KEDR_FIELD_VERSION                                                     \
    {                                                                          \
        .name = "version", .type = KEDR_T_INT, .flags = KEDR_REQUIRED,         \
        .min = 1, .max = 2147483647                                            \
    }

/* The query parameter ?version= (a DELETE's optimistic lock) as a JSON
 * integer the request owns; NULL when absent, and NULL with *bad set
 * after a field error "version" when it is not a number. */
static inline json_t *
kedr_query_version(kedr_req_t *r, bool *bad)
{
    const char *v = kedr_query(r, "version");
    size_t n = v != NULL ? strlen(v) : 0;

    if (n == 0)
        return NULL;
    if (n > 9 || strspn(v, "0123456789") != n) {
        kedr_field_error(r, "version", "must be a version number");
        *bad = true;
        return NULL;
    }
    return kedr_json_keep(r, json_integer(atol(v)));
}

/* Reply with JSON text (built by PostgreSQL) as it is.  Returns 0. */
static inline int
kedr_reply_text(kedr_req_t *r, int status, const char *json)
{
    return kedr_reply_raw(r, status, "application/json", json, strlen(json));
}

/* Get one or 404 with a name: run `sql` (one parameter, the id; JSON text
 * of the record, no row when it is missing or out of the user's sight)
 * and reply 200 with it, or 404 "no such <what>" (also for a NULL id,
 * kedr_param_id's answer to a malformed one). */
static inline int
kedr_reply_one(kedr_req_t *r, const char *sql, const char *id, const char *what)
{
    const char *row;
    int rc;

    if (id == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such %s", what);
    if ((rc = kedr_db_json(r, sql, KEDR_PARAMS(id), &row)) != 0)
        return rc;
    if (row == NULL)
        return kedr_fail(r, KEDR_ENOTFOUND, NULL, "no such %s", what);
    return kedr_reply_text(r, 200, row);
}

/* Record a write: the audit row of `entity` ("<module>.<name>"), then the
 * event "<entity>.<action>" with `payload` (NULL: the new record, or the
 * old one when there is none).  The id is the record's "id".  0, or the
 * first failing code (return it: the request rolls back). */
static inline int
kedr_record(kedr_req_t *r, const char *entity, const char *action, json_t *old,
            json_t *new_, json_t *payload)
{
    json_t *cur = new_ != NULL ? new_ : old;
    const char *id = kedr_sprintf(
        r, "%lld", (long long)json_integer_value(json_object_get(cur, "id")));
    int rc = kedr_audit(r, entity, id, action, old, new_);

    if (rc != 0)
        return rc;
    return kedr_emit(r, kedr_sprintf(r, "%s.%s", entity, action),
                     payload != NULL ? payload : cur);
}

/* ---------------------------------------------------------------------
 * Extra attributes: fields an administrator defines for an entity
 * ("clients.counterparty") at /api/v1/attributes (text, number, date,
 * boolean, list; labels; required) without a schema change.  A module
 * keeps a record's values in a jsonb column (say `attrs`, with a GIN
 * index) and:
 * --------------------------------------------------------------------- */

/*
 * Check a record's attribute values (a JSON object, or NULL for none)
 * before writing them: each problem is recorded as a field error
 * "attrs.<name>" (unknown attribute, wrong type, value not in the list,
 * a required one missing).  `partial` (an update that sends only some
 * values): missing required ones are not errors.  Returns the number of
 * errors (finish with kedr_fail(r, KEDR_EINVAL, ...)), or a negative
 * code when the database failed.
 */
static inline int
kedr_attrs_check(kedr_req_t *r, const char *entity, json_t *attrs, bool partial)
{
    if (!KEDR_API_HAS(attrs_check))
        return kedr__api_missing(r, "attrs_check");
    return kedr_api->attrs_check(r, entity, attrs, partial);
}

/*
 * The list filter the request asks for with query parameters
 * `attr.<name>=value`, typed by each definition: *json is a JSON object
 * for `attrs @> $n::jsonb`, or NULL when the request has none.  Returns
 * 0, or KEDR_EINVAL with the bad parameters recorded (unknown attribute,
 * a value that is not of its type).
 */
static inline int
kedr_attrs_filter(kedr_req_t *r, const char *entity, const char **json)
{
    if (!KEDR_API_HAS(attrs_filter))
        return kedr__api_missing(r, "attrs_filter");
    return kedr_api->attrs_filter(r, entity, json);
}

/* ---------------------------------------------------------------------
 * Export: the rows of a query as a CSV or XLSX file download.
 * --------------------------------------------------------------------- */

/*
 * Answer the request with the rows of `sql` (parameterised like
 * kedr_db_query) as a file, `format` "csv" or "xlsx" (anything else: 422
 * naming "_format").  `format` NULL takes the query parameter `_format`
 * (absent: "csv").  Query parameters whose names start with '_' belong to
 * the list protocol (_format, _sep): no filter of a list may take such a
 * name, so an export never collides with a filter (an outlet's "format").
 * `cols` names the result columns to write, in order, with their headers
 * (label_ru or label_en by kedr_user_locale) and types; a column missing from
 * the result is a 500 before anything is sent.  The response is
 * `Content-Disposition: attachment` with `filename` plus the date
 * ("things-2026-11-26.csv", non-ASCII replaced by '_') and the exact name as
 * UTF-8 in filename*.
 *
 * Rows are read through a cursor in the request's transaction, 1000 at a
 * time, never all in memory.
 *   csv:  UTF-8 with a BOM, ';' between cells (the query parameter
 *         _sep=comma gives ','; _sep=semicolon the default; anything else
 *         422 naming "_sep"), RFC 4180 quoting, CRLF line ends.  Booleans
 *         да/нет in Russian or yes/no in English; dates ISO; with ';' the
 *         decimal separator of numbers and money is ',' (what Russian
 *         Excel reads as a number), with ',' it is '.'.  Text Excel would
 *         run as a formula (starting with = + - @, not a plain number) gets
 *         a "'" before it; kedr_import_csv drops it again.  The first batch
 *         is read before anything is sent, then the file streams to the
 *         client batch by batch.
 *   xlsx: libxlsxwriter in constant_memory mode into a temporary file,
 *         then streamed.  A bold, frozen header row with an autofilter;
 *         INT, NUMBER and MONEY cells are numbers, DATE cells dates, BOOL
 *         cells booleans.  At most 1048575 rows (422 naming "_format").
 *
 * A query of more rows than server.export_job_rows (counted up to it
 * first, then the cursor reads the file; the job runs it again) is
 * not exported in the request: the request answers 202 with a core.job,
 * the jobs worker replays the route as the sender and keeps the file;
 * GET /api/v1/jobs/:id/file sends it to the job's owner (README.md).
 *
 * Returns 0 or a negative KEDR_E* code, like a handler: `return
 * kedr_export(r, ...)`.  An error after the first byte was sent cannot
 * change the status any more: the core logs it and cuts the stream
 * (the client sees a truncated transfer, never a complete-looking file).
 * Call it last, once, from a handler; no kedr_reply_* after it.
 */
static inline int
kedr_export(kedr_req_t *r, const char *format, const char *filename,
            const struct kedr_column *cols, const char *sql, int nparams,
            const char *const *params)
{
    if (!KEDR_API_HAS(export))
        return kedr__api_missing(r, "export");
    return kedr_api->export(r, format, filename, cols, sql, nparams, params);
}

/* ---------------------------------------------------------------------
 * Import: a CSV file in the request body, row by row, all or nothing.
 * --------------------------------------------------------------------- */

/*
 * Read the request body as CSV, map its header row to `cols`, call `fn`
 * for each data row, and answer the report.
 *
 * The file: UTF-8 with or without a BOM, UTF-16 LE or BE with its BOM
 * (Excel's "Unicode text"), or Windows-1251 when the body is not valid
 * UTF-8; ';' or ',' between cells, whichever the header line
 * has more of; RFC 4180 quotes (fields may hold the separator, "" and
 * newlines), read strictly: a quote not closed, a quote inside an
 * unquoted cell or text after a closing quote is a 422 naming "file" and
 * the line; blank lines skipped.  Each header cell matches a column's
 * field, label_ru or label_en (trimmed, case-insensitive); an unknown or
 * repeated header is a 422 naming it ("header"); an empty file a 422
 * naming "file"; more than server.import_max_rows data rows a 413; a body
 * over server.max_body a 413 (before the handler runs).
 *
 * More data rows than server.import_job_rows (a dry run too, which runs
 * the same statements and takes as long): the file is
 * checked (well-formed, within import_max_rows) and kept with the
 * request's method, URI and sender in a durable job (core.job), and the
 * answer is 202 {"job": {"id", "state": "queued", "progress": {"done",
 * "total"}, ...}} with Location: /api/v1/jobs/<id>.  The jobs worker then
 * replays the request as the same user or API token (permissions and
 * scope as they are then): the handler runs again, unchanged, from its
 * start, in the worker's transaction, and kedr_import_csv runs the rows.
 * Its answer (status and report, below) becomes the job's "status" and
 * "result"; state "done" for a 2xx, "failed" otherwise.  So a handler
 * must do nothing before kedr_import_csv that it cannot do twice.
 *
 * Cells become JSON by the column's type (the cell trimmed; empty cells
 * are left out of the row): STRING a string (a "'" before = + - @, which
 * a CSV export adds, dropped); INT an integer; NUMBER a
 * number ("1 234,5" and "1234.5" both); MONEY a decimal string
 * ("1234.50", ',' accepted as the decimal point); DATE "YYYY-MM-DD" (also
 * read from "DD.MM.YYYY"); BOOL true for да/yes/true/1, false for
 * нет/no/false/0; ARRAY the cell split on ',' or ';' into trimmed
 * strings (a "'" before = + - @ at the cell's start dropped first, as for
 * STRING: "'=a, b" is ["=a", "b"]).  A cell that does not convert fails its row
 * with a field error naming the column's field; `fn` is not called for it.
 *
 * Each row runs under a SAVEPOINT: when `fn` fails, its writes are rolled
 * back to it, its field errors and message are moved into the report and
 * cleared from the request, and the next row goes on in a usable
 * transaction.  With ?dry_run=true (the preview), or when any row failed,
 * everything the import wrote is rolled back: nothing is half-written.
 * The preview runs the real statements (duplicates, checks, hooks) and so
 * reports exactly what the real import would.
 *
 * The report: {"rows": n, "ok": k, "failed": f, "dry_run": bool,
 * "results": [{"row": 2, "ok": true, "result": {...}},
 *             {"row": 3, "ok": false, "fields": {"inn": "..."},
 *              "error": "..."}]}
 * with the file's line number of each row (the header is 1; a row with a
 * quoted newline counts both lines); "result" only when fn gave one.
 * Status 200, or 422 with the same body when rows failed and it was not
 * a dry run.  Returns 0, or a negative code (recorded) when the import
 * could not run (bad file, the database lost, a failed savepoint): the
 * handler returns it.  Call it last, once, from a POST handler without an
 * input spec (the body is CSV, any Content-Type but application/json).
 */
static inline int
kedr_import_csv(kedr_req_t *r, const struct kedr_import_col *cols,
                kedr_import_row_pt fn, void *arg)
{
    if (!KEDR_API_HAS(import_csv))
        return kedr__api_missing(r, "import_csv");
    return kedr_api->import_csv(r, cols, fn, arg);
}

/* ---------------------------------------------------------------------
 * Checks of Russian requisites, phones and e-mail (lib/ru.c): pure, the
 * same rules the data migration cleanses by.
 * --------------------------------------------------------------------- */

/* Why `inn` is not a valid INN (10 digits for an organisation, 12 for a
 * person, with the official check digits), or NULL when it is. */
static inline const char *
kedr_inn_problem(const char *inn)
{
    if (!KEDR_API_HAS(inn_problem))
        return KEDR_API_NOT_CHECKED;
    return kedr_api->inn_problem(inn);
}

/* Why `kpp` is not a KPP (9 characters: 4 digits, 2 digits or capital
 * Latin letters, 3 digits), or NULL. */
static inline const char *
kedr_kpp_problem(const char *kpp)
{
    if (!KEDR_API_HAS(kpp_problem))
        return KEDR_API_NOT_CHECKED;
    return kedr_api->kpp_problem(kpp);
}

/* Why `ogrn` is not an OGRN (13 digits, mod 11 check) or OGRNIP (15
 * digits, mod 13 check), or NULL. */
static inline const char *
kedr_ogrn_problem(const char *ogrn)
{
    if (!KEDR_API_HAS(ogrn_problem))
        return KEDR_API_NOT_CHECKED;
    return kedr_api->ogrn_problem(ogrn);
}

/*
 * Normalise a phone number to E.164 into `out` (at least 17 bytes):
 * Russian forms ("8 (495) 123-45-67", "+7 495 1234567", "495 123 45 67",
 * "8-912-345-67-89") become "+7" and ten digits; "+<country>..." keeps its
 * 8 to 15 digits.  Spaces, dashes, dots and parentheses are ignored.
 * Returns false when it is not a phone number.
 */
static inline bool
kedr_phone_e164(const char *in, char *out, size_t outsz)
{
    return KEDR_API_HAS(phone_e164) && kedr_api->phone_e164(in, out, outsz);
}

/* Whether `s` is an e-mail address by the tree's one rule (lib/values.c,
 * also the admin screens', `kedr user`'s and the migration's):
 * local@domain.tld, one '@', at most 254 bytes, no spaces, control
 * characters or <>(),;:"[]\, the domain neither starting nor ending with
 * a dot. */
static inline bool
kedr_email_valid(const char *s)
{
    return KEDR_API_HAS(email_valid) && kedr_api->email_valid(s);
}

/*
 * Data migrations (kedr_migrator's `load`).  The staging table is a
 * temporary table of the migration's connection: every mapped field (the
 * mapping's `to`) as a text column, and `_line` (int, the record's file
 * line), `_sf_id` (text, the record's id in the source) and `_modstamp`
 * (timestamptz, its last modification there; null when the file has
 * none).  Its name is safe to put into SQL as is.
 */
static inline const char *
kedr_migration_table(kedr_migration_t *imp)
{
    if (!KEDR_API_HAS(migration_table)) /* a table that never exists: the
                                          migrator's SQL fails cleanly */
        return "pg_temp.kedr_import_table_missing";
    return kedr_api->migration_table(imp);
}

/* Whether the run is `--dry-run`: the migrator does everything as usual;
 * the core rolls it all back at the end. */
static inline bool
kedr_migration_dry_run(kedr_migration_t *imp)
{
    /* without the call, nothing may stay written */
    return !KEDR_API_HAS(migration_dry_run) || kedr_api->migration_dry_run(imp);
}

/* Add n to one of the object's counters in the summary: "created",
 * "updated", "unchanged", "merged" (another counter name is kept and
 * shown too).  The core counts "read", "rejected" (cleansing),
 * "dropped_deleted" and "cleared" itself. */
static inline void
kedr_migration_count(kedr_migration_t *imp, const char *counter, long n)
{
    if (KEDR_API_HAS(migration_count))
        kedr_api->migration_count(imp, counter, n);
}

/* Reject one staged row the migrator cannot take (an orphan): a line of
 * the report (file, `line`, `ext_id`, `field` (may be NULL), `reason`)
 * and one more "rejected".  The migrator leaves the row out itself.
 * Returns 0. */
static inline int
kedr_migration_reject(kedr_migration_t *imp, const char *line,
                      const char *ext_id, const char *field, const char *reason)
{
    if (!KEDR_API_HAS(migration_reject))
        return KEDR_EINTERNAL;
    return kedr_api->migration_reject(imp, line, ext_id, field, reason);
}

/*
 * Record the rows a migrator loaded (ABI 1.4): `sql` (a constant of the
 * module) answers (ext_id text, local_id bigint, modstamp timestamptz,
 * change text) over its working table; each row goes into core.import_map
 * (source, the object as the mapping names it, ext_id -> `entity`,
 * local_id, modstamp; an existing entry takes the new local_id and
 * modstamp), and each row whose `change` is not NULL gets an audit row
 * 'imported' of `entity` ({"source", "salesforce_id", "change"}).  One
 * statement for all the rows, not one per row: a migration loads hundreds
 * of thousands.  0, or a negative code (recorded).
 */
static inline int
kedr_migration_map_put(kedr_req_t *r, kedr_migration_t *imp, const char *entity,
                       const char *sql)
{
    if (!KEDR_API_HAS(migration_map_put))
        return kedr__api_missing(r, "migration_map_put");
    return kedr_api->migration_map_put(r, imp, entity, sql);
}

/* Helpers over the calls above (no ABI of their own).  Reject every row
 * `sql` answers as (line, ext_id) -- a DELETE ... RETURNING _line::text,
 * _sf_id of the orphans from the migrator's working table -- with
 * `field` and `reason`.  0, or KEDR_EDB. */
static inline int
kedr_migration_reject_rows(kedr_req_t *r, kedr_migration_t *imp,
                           const char *sql, const char *field,
                           const char *reason)
{
    kedr_rows_t *rows = kedr_db_query(r, sql, 0, NULL);

    if (rows == NULL)
        return KEDR_EDB;
    for (int i = 0; i < kedr_rows_count(rows); i++)
        kedr_migration_reject(imp, kedr_rows_get(rows, i, 0),
                              kedr_rows_get(rows, i, 1), field, reason);
    return 0;
}

/* Add every row `sql` answers as (counter, n) -- a SELECT action,
 * count(*) ... GROUP BY action -- to the run's counters.  0, or
 * KEDR_EDB. */
static inline int
kedr_migration_count_rows(kedr_req_t *r, kedr_migration_t *imp, const char *sql)
{
    kedr_rows_t *rows = kedr_db_query(r, sql, 0, NULL);

    if (rows == NULL)
        return KEDR_EDB;
    for (int i = 0; i < kedr_rows_count(rows); i++)
        kedr_migration_count(imp, kedr_rows_get(rows, i, 0),
                             strtol(kedr_rows_get(rows, i, 1), NULL, 10));
    return 0;
}

/* Run the statements of `sqls` (NULL-terminated) in order, as an
 * migrator's steps are.  0, or the first negative code. */
static inline int
kedr_migration_steps(kedr_req_t *r, const char *const *sqls)
{
    for (; *sqls; sqls++) {
        int rc = kedr_db_exec(r, *sqls, 0, NULL);

        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The migrator's working table `work` made by `sql` (a %s in it names
 * the staging table), with fresh statistics (no autovacuum on temporary
 * tables).  0, or a negative code. */
static inline int
kedr_migration_begin(kedr_req_t *r, kedr_migration_t *imp, const char *sql,
                     const char *work)
{
    int rc = kedr_db_exec(r, kedr_sprintf(r, sql, kedr_migration_table(imp)), 0,
                          NULL);

    if (rc >= 0)
        rc = kedr_db_exec(r, kedr_sprintf(r, "ANALYZE %s", work), 0, NULL);
    return rc < 0 ? rc : 0;
}

/* The working table's column `action` counted into the run's counters;
 * the table dropped.  0, or a negative code. */
static inline int
kedr_migration_finish(kedr_req_t *r, kedr_migration_t *imp, const char *work)
{
    int rc = kedr_migration_count_rows(
        r, imp,
        kedr_sprintf(r, "SELECT action, count(*) FROM %s GROUP BY action",
                     work));

    if (rc == 0)
        rc = kedr_db_exec(r, kedr_sprintf(r, "DROP TABLE %s", work), 0, NULL);
    return rc < 0 ? rc : 0;
}

/*
 * Deletions carried over.  The rows the export marks deleted (IsDeleted,
 * when the mapping drops them) are in the staging table's twin
 * "<kedr_migration_table>_deleted" (_line, _sf_id, _modstamp).  A migrator
 * whose records can be archived calls this once its own work is done:
 * every record of `table` ("clients.counterparty", also the audit's
 * entity) that came from a deleted row -- the row's core.import_map entry
 * under the object's name, newer than what was taken, and the record's
 * own ext->>'salesforce_id' (never a survivor the row was merged into) --
 * for which `live` holds (an SQL condition on t: "t.active") gets `set`
 * (an SQL SET list: "active = false"), an audit row 'imported' with
 * change 'archived', and one more "archived".  The map entry takes the
 * deletion's time, so a rerun archives nothing again.  `table`, `set` and
 * `live` are the module's constants, never outside input.  0, or a
 * negative code.
 */
static inline int
kedr_migration_archive(kedr_req_t *r, kedr_migration_t *imp, const char *table,
                       const char *set, const char *live)
{
    return kedr_migration_count_rows(
        r, imp,
        kedr_sprintf(
            r,
            "WITH d AS (SELECT d._sf_id, d._modstamp, m.local_id "
            "  FROM %s_deleted d JOIN core.import_map m "
            "    ON m.source = 'salesforce' "
            "   AND m.object = current_setting('kedr.import_object') "
            "   AND m.ext_id = d._sf_id "
            " WHERE d._modstamp > coalesce(m.modstamp, '-infinity')), "
            "a AS (UPDATE %s t SET %s, updated_at = now(), "
            "    version = t.version + 1 FROM d "
            "  WHERE t.id = d.local_id AND t.ext->>'salesforce_id' = d._sf_id "
            "    AND (%s) RETURNING t.id, d._sf_id), "
            "mp AS (UPDATE core.import_map m SET modstamp = d._modstamp, "
            "    imported_at = now() FROM d WHERE m.source = 'salesforce' "
            "   AND m.object = current_setting('kedr.import_object') "
            "   AND m.ext_id = d._sf_id), "
            "au AS (INSERT INTO core.audit (request_id, entity, entity_id, "
            "    action, new) SELECT 'import', '%s', id::text, 'imported', "
            "    jsonb_build_object('source', 'salesforce', 'salesforce_id', "
            "    _sf_id, 'change', 'archived') FROM a) "
            "SELECT 'archived', count(*) FROM a",
            kedr_migration_table(imp), table, set, live, table));
}

/* ---------------------------------------------------------------------
 * What the built-in modules lacked (ABI 1.5).  Identity administration,
 * extra attributes and saved views are modules of the core's own
 * (core/builtin/), written against this header alone; these calls are
 * what they needed of the core, open to every module.
 * --------------------------------------------------------------------- */

/* The full name ("hello.greeting") of the i-th entity the kit serves, in
 * a stable order; NULL past the last one (so `for (i = 0; (e =
 * kedr_entity_name(r, i)) != NULL; i++)` walks them all). */
static inline const char *
kedr_entity_name(kedr_req_t *r, size_t i)
{
    if (!KEDR_API_HAS(entity_name))
        return NULL;
    return kedr_api->entity_name(r, i);
}

/* Whether `entity` (a full name) is served and the caller may read it
 * now; when served, *label (its label in the caller's language) and *ui
 * (the UI page of its list) are set, each pointer may be NULL.  False for
 * NULL or an unknown name. */
static inline bool
kedr_entity_readable(kedr_req_t *r, const char *entity, const char **label,
                     const char **ui)
{
    if (!KEDR_API_HAS(entity_readable) || entity == NULL)
        return false;
    return kedr_api->entity_readable(r, entity, label, ui);
}

/* Query string `qs` ("status=active&sort=-name") checked as the list of
 * served entity `entity` checks its parameters (kedr.h "The list
 * protocol"; `_`-parameters are left to the caller): each problem set in
 * the object `fields` (parameter -> message; an attribute's also recorded
 * on the request).  Their number; KEDR_EINVAL (recorded) when `qs` does
 * not decode or `entity` is not served. */
static inline int
kedr_entity_check_query(kedr_req_t *r, const char *entity, const char *qs,
                        json_t *fields)
{
    if (!KEDR_API_HAS(entity_check_query))
        return kedr__api_missing(r, "entity_check_query");
    return kedr_api->entity_check_query(r, entity, qs, fields);
}

/* Query string `qs` decoded ('+' and %XX) into a JSON array of [name,
 * value] string pairs in their order, owned by the request; NULL when it
 * does not decode (or the core lacks the call). */
static inline json_t *
kedr_query_decode(kedr_req_t *r, const char *qs)
{
    if (!KEDR_API_HAS(query_decode))
        return NULL;
    return kedr_api->query_decode(r, qs);
}

/* Every module found on modules.path, by name, as GET /api/v1/modules
 * answers them: [{"name", "state" ("enabled", "disabled", "refused"),
 * "version", "why", "requires", "permissions": [{"name", "label_ru",
 * "label_en"}], "ui": [{"path", "label_ru", "label_en", "permission"}]}],
 * owned by the request.  An empty array when the core lacks the call. */
static inline json_t *
kedr_modules(kedr_req_t *r)
{
    if (!KEDR_API_HAS(modules))
        return kedr_json_keep(r, json_array());
    return kedr_api->modules(r);
}

/* The permissions a role or token may hold, by module: [{"module",
 * "permissions": [{"name", "label_ru", "label_en"}]}], the core's
 * ("core") first, then each loaded module that declares some, in
 * dependency order; owned by the request.  An empty array when the core
 * lacks the call. */
static inline json_t *
kedr_permissions(kedr_req_t *r)
{
    if (!KEDR_API_HAS(permissions))
        return kedr_json_keep(r, json_array());
    return kedr_api->permissions(r);
}

/* How many field errors kedr_field_error recorded that no kedr_fail has
 * answered yet (check a whole body, then fail once). */
static inline int
kedr_field_errors(kedr_req_t *r)
{
    if (!KEDR_API_HAS(field_errors))
        return 0;
    return kedr_api->field_errors(r);
}

/* The user the request acts for: the signed-in user, or the owner of the
 * API token used (kedr_user_id is 0 for a token); 0 for none. */
static inline int64_t
kedr_caller_id(kedr_req_t *r)
{
    if (!KEDR_API_HAS(caller_id))
        return kedr_user_id(r);
    return kedr_api->caller_id(r);
}

/* The password policy: NULL when `password` is acceptable for `login`,
 * else the message for the "password" field. */
static inline const char *
kedr_password_problem(const char *login, const char *password)
{
    if (!KEDR_API_HAS(password_problem))
        return KEDR_API_NOT_CHECKED;
    return kedr_api->password_problem(login, password);
}

/* The longest hash kedr_hash_password writes, its NUL included. */
#define KEDR_PASSWORD_HASH_MAX 128

/* `password` hashed the way the core checks sign-ins (argon2id, the
 * configured cost) into `out` (KEDR_PASSWORD_HASH_MAX bytes).  0, or -1
 * (out of memory, or the core lacks the call). */
static inline int
kedr_hash_password(const char *password, char *out, size_t outlen)
{
    if (!KEDR_API_HAS(hash_password))
        return -1;
    return kedr_api->hash_password(password, out, outlen);
}

/* A new random secret as the core's API tokens are (256 bits, base64url
 * after `prefix`) in `out` (at least 64 bytes), its SHA-256 in hex (what
 * to store) in `hash`.  The caller wipes `out` when done.  The core
 * lacking the call leaves both empty strings. */
static inline void
kedr_secret_new(const char *prefix, char *out, size_t outlen, char hash[65])
{
    if (!KEDR_API_HAS(secret_new)) {
        out[0] = hash[0] = '\0';
        return;
    }
    kedr_api->secret_new(prefix, out, outlen, hash);
}

/*
 * The data migration's names before ABI 1.5, when "import" named both a
 * user's CSV upload and the move from the old CRM: deprecated aliases,
 * kept for the 1.5 minor only (core/CHANGELOG-API.md).  The descriptor
 * slot `importers` is an anonymous union member of struct kedr_module
 * above.  What sits in the database keeps its name: the table
 * core.import_map, the settings kedr.import.<option> and
 * kedr.import_object of a migrator's transaction, the audit action
 * 'imported'.
 */
#define kedr_import_t kedr_migration_t
#define kedr_importer kedr_migrator
#define kedr_import_table kedr_migration_table
#define kedr_import_dry_run kedr_migration_dry_run
#define kedr_import_count kedr_migration_count
#define kedr_import_reject kedr_migration_reject
#define kedr_import_map_put kedr_migration_map_put
#define kedr_import_reject_rows kedr_migration_reject_rows
#define kedr_import_count_rows kedr_migration_count_rows
#define kedr_import_steps kedr_migration_steps
#define kedr_import_begin kedr_migration_begin
#define kedr_import_finish kedr_migration_finish
#define kedr_import_archive kedr_migration_archive

#ifdef __cplusplus
}
#endif

#endif /* KEDR_H */
