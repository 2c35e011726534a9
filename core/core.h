/*
 * core.h -- the core's internal interfaces.  Modules never include this;
 * they include kedr.h.
 */
#ifndef KEDR_CORE_H
#define KEDR_CORE_H

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <csv.h>
#include <libconfig.h>

#include "kedr.h"

#define KEDR_VERSION "0.1.0"

/* ------------------------------------------------------------------ */
/* arena.c: request memory.  Allocation never returns NULL: out of     */
/* memory unwinds to the arena's recovery point when one is set (the   */
/* request then fails with 500), else aborts (kedr_oom).               */
/* ------------------------------------------------------------------ */

struct kedr_arena_chunk;
struct kedr_cleanup;

struct kedr_arena {
    struct kedr_arena_chunk *head;
    struct kedr_cleanup *cleanups;
    size_t used; /* bytes handed out since init/clear, for statistics */
    /* Where a failed allocation unwinds to (siglongjmp), or NULL.  Set by
     * kedr_server_handle around route handling; cleared before the jump,
     * so a failure while the request fails aborts instead of looping. */
    sigjmp_buf *recover;
};

/* Initialise an empty arena (no memory yet). */
void kedr_arena_init(struct kedr_arena *a);
/* Run the cleanups (last registered first) and free all memory but the
 * first chunk, which is kept for the next request (none is kept when
 * built with -DKEDR_ARENA_MALLOC, make asan: see arena.c). */
void kedr_arena_clear(struct kedr_arena *a);
/* kedr_arena_clear and free everything. */
void kedr_arena_release(struct kedr_arena *a);
void *kedr_arena_alloc(struct kedr_arena *a, size_t size);
void *kedr_arena_calloc(struct kedr_arena *a, size_t size);
char *kedr_arena_strdup(struct kedr_arena *a, const char *s);
char *kedr_arena_strndup(struct kedr_arena *a, const char *s, size_t n);
char *kedr_arena_vsprintf(struct kedr_arena *a, const char *fmt, va_list ap);
__attribute__((format(printf, 2, 3))) char *
kedr_arena_sprintf(struct kedr_arena *a, const char *fmt, ...);
/* Run fn(arg) when the arena is cleared.  When recording it fails, fn(arg)
 * runs at once before the failure unwinds: a resource handed to the
 * arena is never leaked. */
void kedr_arena_on_cleanup(struct kedr_arena *a, void (*fn)(void *), void *arg);

/* Abort the process on out-of-memory (the master replaces a worker). */
__attribute__((noreturn)) void kedr_oom(void);
/* Out of memory in the arena's owner: unwind to its recovery point when
 * one is set (a request fails with 500 and rolls back), else kedr_oom. */
__attribute__((noreturn)) void kedr_arena_fail(struct kedr_arena *a);
void *kedr_xmalloc(size_t n);
void *kedr_xcalloc(size_t n, size_t size);
void *kedr_xrealloc(void *p, size_t n);
char *kedr_xstrdup(const char *s);

/* ------------------------------------------------------------------ */
/* Fault injection: test builds only (-DKEDR_FAULT, make fault).  While */
/* a request's recovery point is set, the Nth arena allocation or the   */
/* Nth database call (1-based, 0 = none) of the request fails, N read   */
/* from its X-Kedr-Fault-Alloc and X-Kedr-Fault-Db headers; the counts  */
/* go back in X-Kedr-Fault-Count (see server.c).                        */
/* ------------------------------------------------------------------ */

struct kedr_fault {
    unsigned long alloc_at, db_at; /* the plan of this request */
    unsigned long nalloc, ndb;     /* counted so far */
};

#ifdef KEDR_FAULT
#define KEDR_FAULT_BUILD " fault-injection"
extern struct kedr_fault kedr_fault;

/* Count an arena allocation; true when it is the one to fail. */
static inline bool
kedr_fault_alloc(void)
{
    return ++kedr_fault.nalloc == kedr_fault.alloc_at;
}

/* Count a database call; true from the one to fail on: a failed statement
 * aborts PostgreSQL's transaction, so every later call fails too. */
static inline bool
kedr_fault_db(void)
{
    return ++kedr_fault.ndb >= kedr_fault.db_at && kedr_fault.db_at != 0;
}
#else
#define KEDR_FAULT_BUILD ""

static inline bool
kedr_fault_alloc(void)
{
    return false;
}

static inline bool
kedr_fault_db(void)
{
    return false;
}
#endif

/* A growable byte buffer in an arena (for responses). */
struct kedr_buf {
    struct kedr_arena *arena;
    char *data;
    size_t len;
    size_t cap;
};

void kedr_buf_init(struct kedr_buf *b, struct kedr_arena *a);
void kedr_buf_add(struct kedr_buf *b, const void *data, size_t len);
void kedr_buf_adds(struct kedr_buf *b, const char *s);
__attribute__((format(printf, 2, 3))) void kedr_buf_addf(struct kedr_buf *b,
                                                         const char *fmt, ...);

/* ------------------------------------------------------------------ */
/* log.c                                                               */
/* ------------------------------------------------------------------ */

extern int kedr_log_level;
/* Context shown in every line: set while a request or job runs. */
extern const char *kedr_log_rid;
extern const char *kedr_log_module;

__attribute__((format(printf, 2, 3))) void kedr_log_write(int level,
                                                          const char *fmt, ...);
void kedr_log_vwrite(int level, const char *module, const char *fmt,
                     va_list ap);
int kedr_log_level_parse(const char *s);
#define kedr_error(...) kedr_log_write(KEDR_LOG_ERROR, __VA_ARGS__)
#define kedr_warn(...) kedr_log_write(KEDR_LOG_WARN, __VA_ARGS__)
#define kedr_info(...) kedr_log_write(KEDR_LOG_INFO, __VA_ARGS__)
#define kedr_debug(...) kedr_log_write(KEDR_LOG_DEBUG, __VA_ARGS__)

/* Milliseconds on the monotonic clock (shared by all processes). */
uint64_t kedr_now_ms(void);
uint64_t kedr_now_us(void);

/* ------------------------------------------------------------------ */
/* config.c                                                            */
/* ------------------------------------------------------------------ */

struct kedr_conf {
    config_t cfg; /* owns every string below */
    char *file;
    /* server */
    const char *listen;
    int backlog;
    int workers;
    int max_requests;
    int request_timeout; /* seconds */
    long long max_body;
    int import_max_rows; /* data rows of one CSV import (kedr_import_csv) */
    int json_max_depth;  /* nesting of a JSON body (deeper: 400) */
    int json_max_items;  /* items of one array in a JSON body (more: 422) */
    int json_max_keys;   /* keys of one object in a JSON body (more: 422) */
    int import_job_rows; /* more data rows than this: a job (0: never) */
    int export_job_rows; /* an export of more rows: a job (0: never) */
    bool jobs;
    const char *pid_file;
    int log_level;
    bool access_log;
    /* database */
    const char *db_url; /* KEDR_DATABASE_URL (the environment owns it) or
                           database.url */
    char *db_host;      /* db_url's host with relative socket directories
                           made absolute (owned), NULL when it has none */
    int statement_timeout;
    /* security */
    int session_idle;     /* seconds without a request before a session ends */
    int session_absolute; /* seconds after login a session ends regardless */
    bool cookie_secure;
    int password_min_length;
    int login_slow_after;      /* failures before answers are slowed */
    int login_max_failures;    /* failures of one login from one address
                                  before 429 for that pair */
    int login_max_failures_ip; /* failures from one address before 429 */
    int login_window;          /* seconds the failures count */
    int login_lock_failures;   /* failures of one login, all addresses... */
    int login_lock_addresses;  /* ...from this many addresses: locked for
                                  all but its known devices */
    int known_device_days;     /* lifetime of the kedr_device cookie */
    int argon2_ops;
    int argon2_mem_kib;
    /* modules */
    const char **module_path; /* NULL-terminated */
    const char **enabled;     /* NULL-terminated */
};

/*
 * Load and validate `file`.  Returns the config, or NULL after printing
 * every error ("FILE:LINE: message") to stderr.
 */
struct kedr_conf *kedr_conf_load(const char *file);
/* Validate config text from memory (fuzzing, tests): errors go to `err`
 * (may be NULL), each line "LINE: message".  Returns the number of
 * errors (0 = valid). */
int kedr_conf_check_text(const char *text, char *err, size_t errlen);
void kedr_conf_free(struct kedr_conf *c);

/* What config.c's checks share with other libconfig files (the import
 * mapping, sf_map.c).  Errors go to `buf` as "LINE: message" lines when
 * it is set (at most cap bytes), else to stderr as "FILE:LINE: message";
 * `count` counts them. */
struct kedr_conf_errors {
    char *buf;
    size_t len, cap;
    const char *file;
    int count;
};
/* Record one error; line 0 for one that belongs to no line. */
__attribute__((format(printf, 3, 4))) void
kedr_conf_err(struct kedr_conf_errors *e, int line, const char *fmt, ...);
/* libconfig 1.5 silently truncates an integer literal beyond 32 bits
 * without the L suffix (5000000000 reads as 705032704): an error for
 * each such literal in the text. */
void kedr_conf_scan_ints(const char *text, struct kedr_conf_errors *e);
/* libconfig reads an "@include" file while it parses and exits the
 * process when it cannot read it: refuse the directive before libconfig
 * sees the text ("the <what> is one file").  True, the error recorded,
 * when the text has one. */
bool kedr_conf_refuse_include(const char *text, struct kedr_conf_errors *e,
                              const char *what);
/* A whole file, NUL-terminated (malloc; the caller frees), or NULL with
 * errno set. */
char *kedr_conf_read_text(const char *file);
bool kedr_conf_is_enabled(const struct kedr_conf *c, const char *name);
/* A declared default as an integer (NULL: 0); false when it is not one. */
bool kedr_setting_int(const char *text, long long *out);
/* A declared default as a boolean: 1 "true", 0 "false" or NULL, -1 else. */
int kedr_setting_bool(const char *text);
/* The declared setting `name` of a module's table, or NULL. */
const struct kedr_setting *kedr_setting_find(const struct kedr_setting *decl,
                                             const char *name);
/*
 * Check a module's config group `g` (NULL: absent, nothing to check)
 * against its declared settings: each key must be declared, of its type,
 * an integer within its range; each error recorded at its line as
 * "<module>.<key>: ...", the words of the core's groups.  Returns the
 * number of errors found.
 */
int kedr_conf_check_module(config_setting_t *g, const char *module,
                           const struct kedr_setting *decl,
                           struct kedr_conf_errors *e);
/* The config group named after a module, or NULL. */
config_setting_t *kedr_conf_group(struct kedr_conf *c, const char *name);

/* ------------------------------------------------------------------ */
/* module.c                                                            */
/* ------------------------------------------------------------------ */

enum kedr_mod_state {
    KEDR_MOD_DISABLED = 0,
    KEDR_MOD_ENABLED,
    KEDR_MOD_REFUSED,
};

struct kedr_env {
    struct kedr_mod *mod;
    struct kedr_conf *conf;
};

struct kedr_mod {
    char *name;    /* from the file name until loaded, then descriptor */
    char *so_path; /* <dir>/<name>.so */
    char *res_dir; /* <dir>/<name>/ (sql/, www/) */
    void *handle;
    /* a built-in module's descriptor, linked in (no .so, no handle) */
    const struct kedr_module *builtin;
    const struct kedr_module *desc;
    enum kedr_mod_state state;
    char *why; /* refusal reason */
    struct kedr_env env;
    bool inited;
    void **owned; /* what kedr_conf_list handed out, freed at release */
    size_t nowned;
};

struct kedr_modset {
    struct kedr_mod *mods; /* every module found, sorted by name */
    size_t n;
    struct kedr_mod **order; /* enabled modules in dependency order */
    size_t norder;
};

/*
 * Find every module on the configured path, dlopen the enabled ones,
 * check their headers, names and dependencies, and order them.  Returns 0
 * when every enabled module loaded; otherwise -1, with each refused
 * module's reason in its `why` (and every refusal logged).
 */
int kedr_modules_load(struct kedr_modset *set, struct kedr_conf *conf);
/*
 * The same for the built-in modules (core/builtin/, kedr_builtin_modules):
 * their descriptors are linked in, so there is nothing to find or dlopen;
 * each is checked, ordered and handed the api table as a .so module is,
 * and is always enabled (a refusal is -1).  The server mounts their routes
 * and portal_routes under /api/v1 and runs init, worker_init and fini;
 * a built-in's hooks, jobs, entities and menu entries are not wired yet
 * (none declares any).
 */
int kedr_modules_load_builtin(struct kedr_modset *set, struct kedr_conf *conf,
                              const struct kedr_module *const *descs);
/* Call init on every loaded module (dependency order).  -1 on failure. */
int kedr_modules_init(struct kedr_modset *set);
int kedr_modules_worker_init(struct kedr_modset *set);
void kedr_modules_fini(struct kedr_modset *set);
void kedr_modules_release(struct kedr_modset *set);
/*
 * Members appended to the descriptor after ABI 1.0 are read only through
 * these, which check the descriptor's abi_minor and size first (a module
 * built for an older minor has a shorter descriptor).
 */
/* The descriptor's default grants, NULL before ABI 1.1 or when none. */
const struct kedr_grant *kedr_module_grants(const struct kedr_module *m);
/* The descriptor's portal routes, or NULL (a module older than ABI 1.2). */
const struct kedr_route *kedr_module_portal_routes(const struct kedr_module *m);
/* The descriptor's entities (the resource kit), or NULL (before ABI 1.3). */
const struct kedr_entity *kedr_module_entities(const struct kedr_module *m);
/*
 * Check a descriptor's header against this core.  Returns NULL when it
 * fits, or a message in buf naming both sides.  Pure; used by the loader
 * and its tests.
 */
const char *kedr_module_check_header(const struct kedr_module *m, char *buf,
                                     size_t buflen);
/* Why the descriptor's migrators cannot be read (a module built before
 * ABI 1.2, when they named a source object), or NULL; the message goes
 * into buf.  Pure. */
const char *kedr_module_migrators_problem(const struct kedr_module *m,
                                          char *buf, size_t buflen);
/* The descriptor's declared settings, or NULL (none, or a module older
 * than ABI 1.3). */
const struct kedr_setting *kedr_module_config(const struct kedr_module *m);
/* Why the descriptor's declared settings do not hold (a bad name, a name
 * twice, an unknown type, a default of the wrong type or out of range, a
 * list with a default), or NULL; the message goes into buf.  Pure. */
/* Why a module built for ABI 1.3 that declares entities is refused. */
const char *kedr_module_old_entities_problem(const struct kedr_module *m,
                                             char *buf, size_t buflen);
const char *kedr_module_config_problem(const struct kedr_module *m, char *buf,
                                       size_t buflen);
bool kedr_module_name_valid(const char *name);

/* ------------------------------------------------------------------ */
/* router.c                                                            */
/* ------------------------------------------------------------------ */

#define KEDR_MAX_SEGMENTS 16
#define KEDR_MAX_PARAMS 8

struct kedr_route_ent {
    const char *method;
    char *pattern; /* full path, "/api/v1/hello/items/:id" */
    char *segbuf;  /* a copy of pattern split in place into segs */
    char *segs[KEDR_MAX_SEGMENTS];
    int nsegs;
    const struct kedr_route *route;
    struct kedr_mod *mod; /* NULL for the core's own routes */
    bool portal;          /* portal users may call it */
};

struct kedr_router {
    struct kedr_route_ent *ents;
    size_t n, cap;
};

struct kedr_match {
    const struct kedr_route_ent *ent;
    int nparams;
    const char *names[KEDR_MAX_PARAMS];
    char *values[KEDR_MAX_PARAMS];
    char allow[64]; /* for 405: "GET, POST" */
};

void kedr_router_init(struct kedr_router *rt);
void kedr_router_release(struct kedr_router *rt);
/*
 * Add a route under `prefix` ("/api/v1/hello").  Returns 0, or -1 with a
 * message in err for a bad pattern or a duplicate.
 */
int kedr_router_add(struct kedr_router *rt, const char *prefix,
                    const struct kedr_route *route, struct kedr_mod *mod,
                    bool portal, char *err, size_t errlen);
/*
 * Match an undecoded path (no query string).  Returns 0 with `m` filled
 * (param values percent-decoded, allocated from `a`), KEDR_ENOTFOUND,
 * KEDR_EMETHOD (m->allow set), or KEDR_EBADREQ for bad encoding.
 */
int kedr_router_match(const struct kedr_router *rt, struct kedr_arena *a,
                      const char *method, const char *path,
                      struct kedr_match *m);

#include "lib.h" /* lib/: pure code (HTTP parsing, CSV, values) */

/* ------------------------------------------------------------------ */
/* db.c: the worker's PostgreSQL connection                            */
/* ------------------------------------------------------------------ */

struct kedr_req;

/* Open (or reopen) the connection.  0 or KEDR_EDBDOWN. */
int kedr_db_connect(void);
void kedr_db_close(void);
/* Make this process's connection a request worker's: its transactions
 * are read-only unless they begin READ WRITE (default_transaction_read_only
 * on), so a read that runs without BEGIN (kedr_req.db_lazy) is read-only
 * too.  Call before the worker's first connect. */
void kedr_db_worker_session(void);
/* Whether the database answers now (reconnects when needed). */
bool kedr_db_ping(void);
/* End the request's transaction: commit when `commit`, else roll back.
 * 0, or a code recorded in r when the commit failed. */
int kedr_db_finish(struct kedr_req *r, bool commit);
/* Run the request's identity statement (auth.c): it sets the identity
 * and scope settings (kedr.user_id, kedr.counterparty_id, kedr.own_only,
 * kedr.regions) session-level, overwriting all four when it finds the
 * caller; a request that runs none finds them reset.  As
 * kedr_core_db_query. */
kedr_rows_t *kedr_db_identify(struct kedr_req *r, const char *sql, int n,
                              const char *const *params);
/* Run one statement on its own, outside any request transaction (none
 * may be open), committed at once.  0 or a negative code (logged). */
int kedr_db_exec_now(const char *sql, int n, const char *const *params);
/* The raw connection (migrations), NULL when not connected. */
struct pg_conn *kedr_db_conn(void);

/* The database part of kedr_api (see kedr.h for each contract). */
kedr_rows_t *kedr_core_db_query(kedr_req_t *r, const char *sql, int n,
                                const char *const *params);
int kedr_core_db_exec(kedr_req_t *r, const char *sql, int n,
                      const char *const *params);
int kedr_core_db_json(kedr_req_t *r, const char *sql, int n,
                      const char *const *params, const char **out);
int kedr_core_reply_db_json(kedr_req_t *r, int status, const char *sql, int n,
                            const char *const *params);
int kedr_core_db_copy_begin(kedr_req_t *r, const char *sql);
int kedr_core_db_copy_put(kedr_req_t *r, const char *data, size_t len);
int kedr_core_db_copy_end(kedr_req_t *r);
const char *kedr_core_db_sqlstate(kedr_req_t *r);
int kedr_core_rows_count(const kedr_rows_t *rows);
const char *kedr_core_rows_get(const kedr_rows_t *rows, int row, int col);
bool kedr_core_rows_isnull(const kedr_rows_t *rows, int row, int col);
/* The index of the result column `name`, or -1. */
int kedr_pg_rows_column(const kedr_rows_t *rows, const char *name);
/*
 * Run a statement in the request's transaction (opening it) unprepared,
 * the result going into *slot after the one there is cleared, instead of
 * living until the request ends: a cursor's batches.  The caller clears
 * the last one with kedr_db_slot_clear (registered as a cleanup).  0, or
 * a negative code (recorded) with *slot NULL.
 */
int kedr_db_query_into(struct kedr_req *r, const char *sql, int n,
                       const char *const *params, kedr_rows_t **slot);
void kedr_db_slot_clear(kedr_rows_t **slot);

/* ------------------------------------------------------------------ */
/* request.c: one request/hook/job context                             */
/* ------------------------------------------------------------------ */

struct kedr_hdr {
    const char *name;
    const char *value;
};

struct kedr_req {
    struct kedr_arena arena;
    /* input */
    const char *method;
    const char *path; /* as sent, without the query string */
    const char *rid;
    char **envp; /* FastCGI params (NULL in jobs) */
    struct kedr_kvlist query;
    bool query_parsed;
    const char *body_raw;
    size_t body_len;
    json_t *body;
    struct kedr_match match;
    struct kedr_mod *mod; /* module of the route, hook or job running */
    /* identity (auth.c): who is asking, and what they may do */
    int64_t user_id;         /* 0: anonymous, a job, or an API token */
    int64_t token_id;        /* the API token used, or 0 */
    int64_t token_owner;     /* the user the token answers to, or 0 */
    int64_t session_id;      /* the session used, or 0 */
    int64_t counterparty_id; /* a portal user's distributor, or 0 */
    const char *login;
    const char *locale;
    const char *csrf; /* the session's CSRF token */
    int64_t job_id;   /* a request replayed by a job (jobs.c), or 0 */
    /* attrs.c: the attribute definitions last read, for the rows of an
     * import that each check theirs (NULL: none; dropped on a change) */
    const char *attrs_entity;
    kedr_rows_t *attrs_defs;
    const char **perms; /* the permissions held (arena) */
    int nperms;
    bool perm_all;        /* a role grants '*' */
    bool touch;           /* session/token last-use is stale: update it */
    bool commit_on_error; /* a core handler keeps its writes on an error
                             answer (a failed login's record) */
    bool readonly;        /* GET/HEAD: read-only transaction */
    long long content_length;
    /* database */
    bool in_tx;
    bool db_lazy;    /* a read: its identity statement and its first other
                        statement may run outside a transaction (db.c) */
    bool db_ident;   /* its identity statement ran (kedr_db_identify) */
    unsigned db_gen; /* ... on this connection (db.c counts them) */
    const char *sqlstate;
    /* output */
    struct FCGX_Request *fcgx; /* the client, for a streamed response */
    bool unsized;              /* a streamed head: no Content-Length */
    bool streamed;             /* the head went out: status fixed */
    int status;
    const char *content_type;
    const char *out;
    size_t outlen;
    struct kedr_hdr hdrs[16];
    int nhdrs;
    /* error being built */
    int err_code;
    char *err_msg;
    json_t *err_fields;
    uint64_t start_us;
};

extern const struct kedr_api kedr_core_api;

/*
 * Fill the request's method, path, request id (NULL when the one given is
 * missing or unsafe), read-only flag and content length from its FastCGI
 * params (outside input: nginx passes what the client sent).  Returns 0,
 * or KEDR_EBADREQ with the error recorded.  Pure: the fuzz target's
 * entry.
 */
int kedr_req_parse_params(struct kedr_req *r, char **envp);
/* Prepare a context for a request or job (arena already initialised). */
void kedr_req_reset(struct kedr_req *r);
/* Record an error in the one shape and return `code` (see kedr_fail). */
__attribute__((format(printf, 4, 5))) int kedr_req_fail(struct kedr_req *r,
                                                        int code,
                                                        const char *field,
                                                        const char *fmt, ...);
/* Set the error response from err_code/err_msg/err_fields (or `code`). */
void kedr_req_error_response(struct kedr_req *r, int code);
/* Render the response headers into b ("Status: ...\r\n...\r\n\r\n");
 * no Content-Length for a streamed response. */
void kedr_req_render_head(struct kedr_req *r, struct kedr_buf *b);
/*
 * A streamed response (export.c): send the head now with `status`,
 * `content_type` and the headers set so far, then the body in pieces.
 * After stream_begin the status cannot change: an error the handler
 * returns later is logged and the stream cut (server.c), so the client
 * sees a truncated transfer.  Both return 0, or KEDR_EINTERNAL (recorded)
 * when there is no client to stream to or it went away.
 */
struct FCGX_Request;
int kedr_req_stream_begin(struct kedr_req *r, int status,
                          const char *content_type);
int kedr_req_stream_put(struct kedr_req *r, const void *data, size_t len);

/* ------------------------------------------------------------------ */
/* export.c, import.c: kedr_export, kedr_import_csv                    */
/* ------------------------------------------------------------------ */

int kedr_core_export(struct kedr_req *r, const char *format,
                     const char *filename, const struct kedr_column *cols,
                     const char *sql, int nparams, const char *const *params);
/* Send the file an export job kept (large object `oid`) as a download
 * named `name` of type `type` (GET /jobs/:id/file). */
int kedr_export_send_kept(struct kedr_req *r, const char *oid, const char *name,
                          const char *type);
int kedr_core_import_csv(struct kedr_req *r, const struct kedr_import_col *cols,
                         kedr_import_row_pt fn, void *arg);
/* A batch of up to 500 rows at once (the kit's set-wise path): 1 when
 * every row went in (each res[i] given its "result"), 0 when the batch
 * should go row by row through `fn` instead (its writes are rolled back
 * and its errors cleared by the caller), or a negative code. */
typedef int (*kedr_import_set_pt)(struct kedr_req *r, json_t *const *rows,
                                  json_t *const *res, int n, void *arg);
/* kedr_core_import_csv with a set-wise path tried first for each batch. */
int kedr_import_run_sets(struct kedr_req *r, const struct kedr_import_col *cols,
                         kedr_import_row_pt fn, kedr_import_set_pt set_fn,
                         void *arg);

/* ------------------------------------------------------------------ */
/* server.c: the running server's shared state in a process            */
/* ------------------------------------------------------------------ */

struct kedr_server {
    struct kedr_conf *conf;
    struct kedr_modset mods;
    struct kedr_modset builtins; /* kedr_builtin_modules, loaded */
    struct kedr_router router;
    /* hooks flattened in dependency order */
    struct kedr_hook_ent {
        const struct kedr_hook *hook;
        struct kedr_mod *mod;
    } * hooks;
    size_t nhooks;
};

extern struct kedr_server kedr_srv;

/* The built-in modules (core/builtin/): descriptors the core links in,
 * written against kedr.h alone like any module; NULL-terminated. */
extern const struct kedr_module *const kedr_builtin_modules[];
/* builtin.c: the kedr_api calls of ABI 1.5 the built-ins needed (kedr.h
 * documents them as kedr_entity_name ... kedr_caller_id). */
const char *kedr_core_entity_name(kedr_req_t *r, size_t i);
bool kedr_core_entity_readable(kedr_req_t *r, const char *entity,
                               const char **label, const char **ui);
int kedr_core_entity_check_query(kedr_req_t *r, const char *entity,
                                 const char *qs, json_t *fields);
json_t *kedr_core_query_decode(kedr_req_t *r, const char *qs);
json_t *kedr_core_modules(kedr_req_t *r);
json_t *kedr_core_permissions(kedr_req_t *r);
int kedr_core_field_errors(kedr_req_t *r);
int64_t kedr_core_caller_id(kedr_req_t *r);

/* Load modules, init them, build the router and hook list.  0 or -1. */
int kedr_server_setup(struct kedr_conf *conf, bool worker);
void kedr_server_teardown(void);
/* Run one request given its FastCGI params and body stream. */
struct FCGX_Request;
void kedr_server_handle(struct kedr_req *r, struct FCGX_Request *fr);
/* Run the hooks of `event` (kedr_emit). */
int kedr_server_emit(struct kedr_req *r, const char *event, json_t *payload);
/* Whether some module's hook listens to `event`. */
bool kedr_server_has_hook(const char *event);
/* The request's query parameters, parsed on first use. */
const struct kedr_kvlist *kedr_req_query_list(struct kedr_req *r);
/* A FastCGI parameter of the request, or NULL. */
const char *kedr_req_env(struct kedr_req *r, const char *name);
/* Run one job once in its own transaction. */
int kedr_server_run_job(struct kedr_req *r, struct kedr_mod *mod,
                        const struct kedr_job *job);
/* Run a request a job rebuilt (method, path, query, body, job_id and the
 * user_id or token_id set; no client): route, identity as auth.c finds
 * it now, permission, handler, commit, as kedr_server_handle would.  0
 * with the answer in r->status/out, or a code with the error recorded. */
int kedr_server_replay(struct kedr_req *r);

/* jobs.c: durable jobs (core.job) and their routes (/jobs, /jobs/:id). */
extern const struct kedr_route kedr_jobs_routes[];
/* Keep the request (its method, URI, body and sender) as a job of `total`
 * units (-1: not known yet), answer 202 {"job": {...}} with its
 * Location.  From a handler. */
int kedr_jobs_queue(struct kedr_req *r, long total);
/* In a replayed request: `done` units of the job done (written at most
 * every 250 ms, outside the request's transaction); nothing otherwise. */
void kedr_jobs_progress(struct kedr_req *r, long done);
/* In a replayed request: the job's total units (a job queued with total
 * -1, unknown then, as an export is); nothing otherwise. */
void kedr_jobs_total(struct kedr_req *r, long total);
/* The jobs worker: mark jobs whose worker died failed, then run queued
 * jobs until none is left or *stop.  Returns how many ran. */
int kedr_jobs_poll(struct kedr_req *r, const volatile sig_atomic_t *stop);
/* Close the job connection. */
void kedr_jobs_close(void);

/* The core's own routes, prefix /api/v1: health (server.c), session
 * and audit (auth.c), administration (admin.c). */
extern const struct kedr_route kedr_core_routes[];
extern const struct kedr_route kedr_auth_routes[];
extern const struct kedr_route kedr_session_routes[]; /* portal users too */

/* attrs.c: extra attributes (kedr_attrs_check, kedr_attrs_filter). */
int kedr_core_attrs_check(struct kedr_req *r, const char *entity, json_t *attrs,
                          bool partial);
int kedr_core_attrs_filter(struct kedr_req *r, const char *entity,
                           const char **json);
/* The permissions the core itself declares (core.users.manage, ...). */
extern const struct kedr_permission kedr_core_own_permissions[];

/* cli_user.c: `kedr user add|passwd|list` (argv[0] is "user").  Returns
 * the exit status. */
int kedr_cli_user(struct kedr_conf *c, int argc, char **argv);
/* sf_migrate.c: `kedr migrate salesforce DIR ...` (argv[0] "migrate", or
 * the deprecated "import").  The exit status. */
int kedr_cli_migrate(struct kedr_conf *c, int argc, char **argv);
/* sf_migrate.c: the api table's migration_* (kedr.h documents them). */
const char *kedr_core_migration_table(kedr_migration_t *imp);
bool kedr_core_migration_dry_run(kedr_migration_t *imp);
void kedr_core_migration_count(kedr_migration_t *imp, const char *counter,
                               long n);
int kedr_core_migration_map_put(kedr_req_t *r, kedr_migration_t *imp,
                                const char *entity, const char *sql);
int kedr_core_migration_reject(kedr_migration_t *imp, const char *line,
                               const char *ext_id, const char *field,
                               const char *reason);

/* ------------------------------------------------------------------ */
/* auth.c: sessions, API tokens, CSRF, permissions, passwords, audit   */
/* ------------------------------------------------------------------ */

/* Call once per process before hashing or drawing random tokens. */
int kedr_auth_init(void);
/* The master, once per configuration, before it forks workers: make the
 * dummy password hash that unknown logins are checked against
 * (kedr_password_verify), so no worker spends an argon2 hash of its own
 * at start and no first unknown login is the slower one. */
void kedr_auth_prepare(void);
/*
 * Identify the caller of a request (session cookie or Bearer token) and
 * check the route's permission and, for cookie sessions on unsafe
 * methods, the CSRF token.  A portal user (one with a counterparty) is
 * refused every route not marked `portal`.  Returns 0, or KEDR_EUNAUTH /
 * KEDR_EFORBIDDEN with the error recorded.  Runs the identity query as
 * the request's first statement (kedr_db_identify), which also sets the
 * session-level settings kedr.user_id and kedr.counterparty_id (for
 * row-level security) and the caller's scope for the route's permission
 * (kedr.own_only, kedr.regions).
 */
int kedr_auth_check(struct kedr_req *r, const struct kedr_route_ent *ent);
/* Set the request's "own records only" scope to the one of `perm` (a
 * handler that lets a second permission in, as the audit list does).
 * 0 or a code. */
int kedr_auth_scope(struct kedr_req *r, const char *perm);
/* After the request's transaction ended: record the session's or token's
 * last use when it is stale (at most once a minute). */
void kedr_auth_after(struct kedr_req *r);
/* Whether the request's caller holds `perm`. */
bool kedr_auth_has(struct kedr_req *r, const char *perm);
/* Hash a password with argon2id (the configured cost) into `out`
 * (crypto_pwhash_STRBYTES bytes).  0, or -1 when out of memory. */
int kedr_core_hash_password(const char *password, char *out, size_t outlen);
/* Check a password against a stored hash (NULL: always false, in the
 * same time as a real check). */
bool kedr_password_verify(const char *hash, const char *password);
/* The password policy: NULL when `password` is acceptable for `login`,
 * else a message for the "password" field. */
const char *kedr_core_password_problem(const char *login, const char *password);
/* A new random token (256 bits, base64url, 43 characters) in `out` (at
 * least 64 bytes), with its SHA-256 in hex (65 bytes) in `hash`. */
void kedr_core_secret_new(const char *prefix, char *out, size_t outlen,
                          char hash[65]);
/* SHA-256 of a token, in hex. */
void kedr_token_hash(const char *token, char hash[65]);
/* Write an audit row in the request's transaction (kedr_audit). */
int kedr_core_audit(struct kedr_req *r, const char *entity,
                    const char *entity_id, const char *action, json_t *old,
                    json_t *new_);
/* Audit rows of `action` for each record of `records`, a JSON array's
 * text (their "id"), in one statement (the kit's set-wise import). */
int kedr_audit_write_many(struct kedr_req *r, const char *entity,
                          const char *action, const char *records);

/* ------------------------------------------------------------------ */
/* schema.c                                                            */
/* ------------------------------------------------------------------ */

/* Apply pending migrations of the core and every enabled module, in
 * dependency order.  0, or -1 after logging the failing file. */
int kedr_schema_apply(struct kedr_conf *conf, struct kedr_modset *set);

/* ------------------------------------------------------------------ */
/* master.c / worker.c                                                 */
/* ------------------------------------------------------------------ */

int kedr_master_run(const char *conf_file);
int kedr_worker_run(int listen_fd, int slot);
int kedr_jobs_run(int slot);

struct kedr_slot {
    volatile pid_t pid;
    volatile uint64_t req_start_ms; /* 0 when idle */
    volatile uint64_t served;
    char rid[48];
    char route[96];
};

extern struct kedr_slot *kedr_slots;
extern struct kedr_slot *kedr_my_slot; /* this worker's, or NULL */

/* ------------------------------------------------------------------ */
/* kit_list.c, kit.c: the resource kit (entities served by the core)   */
/* ------------------------------------------------------------------ */

#define KEDR_KIT_MAX_CONDS 32
#define KEDR_KIT_MAX_SORT 8
#define KEDR_KIT_MAX_WORDS 8
#define KEDR_KIT_MAX_IN 100
#define KEDR_KIT_LIMIT_DEF 50
#define KEDR_KIT_LIMIT_MAX 500
#define KEDR_KIT_TOTAL_CAP 1000

enum kedr_kit_op {
    KEDR_KIT_EQ,
    KEDR_KIT_GTE,
    KEDR_KIT_LTE,
    KEDR_KIT_IN,
    KEDR_KIT_NULL
};

/* One filter: column `col` of the entity's cols, operator, values (one,
 * or n for IN; for NULL the one value "true" or "false"). */
struct kedr_kit_cond {
    int col;    /* or -1 for the module's filter `filter` */
    int filter; /* index into the entity's filters, or -1 */
    enum kedr_kit_op op;
    const char **vals;
    int nvals;
};

/* One sort key: a column index, or -1 for the id. */
struct kedr_kit_sort {
    int col; /* a column; -1 the id, -2 the search's rank, or: */
    bool desc;
};
#define KEDR_KIT_KEY_UPDATED (-3) /* the kit's updated_at (ABI 1.5) */

/* A list request, parsed (everything in the arena given). */
struct kedr_kit_list {
    struct kedr_kit_cond conds[KEDR_KIT_MAX_CONDS];
    int nconds;
    struct kedr_kit_sort sort[KEDR_KIT_MAX_SORT]; /* ends with the id */
    int nsort;
    const char *sort_text; /* canonical "col,-other" (the cursor's check) */
    const char *words[KEDR_KIT_MAX_WORDS]; /* q= split on white space */
    int nwords;
    long limit;
    bool exact;         /* total=exact */
    bool mine;          /* mine=true: the entity's `own` whatever the scope */
    const char **after; /* the cursor's values, nsort of them, or NULL */
    /* ordered by the entity's search rank (a sort key of col -2), its
     * SQL given to kedr_kit_list_parse_rank; NULL: not ranked */
    const char *rank;
    /* the caller keeps to the entity's `own` (kit.c reads the scope once
     * the list is parsed; the list's statement is chosen by it) */
    bool own_only;
};

/*
 * Parse the list protocol's query parameters (see kedr.h "The list
 * protocol") against entity `e`.  Pure.  attr.* and _* parameters are
 * left to their owners (kedr_attrs_filter, kedr_export).  Each problem is
 * set in `fields` (parameter name -> message); returns their number.
 */
int kedr_kit_list_parse(struct kedr_arena *a, const struct kedr_entity *e,
                        const struct kedr_kvlist *q, struct kedr_kit_list *out,
                        json_t *fields);
/* The same for a search of the entity's own (kedr.h, struct
 * kedr_kit_search) whose rank is `rank` (NULL: none): without `sort` the
 * list is ordered by the rank (sort key col -2, "_rank" in the cursor),
 * then the id. */
int kedr_kit_list_parse_rank(struct kedr_arena *a, const struct kedr_entity *e,
                             const struct kedr_kvlist *q, const char *rank,
                             struct kedr_kit_list *out, json_t *fields);
/* The cursor of a page ending at `keys` (a JSON array of the sort keys'
 * values as text or null, the id last) for `sort_text`: base64url. */
const char *kedr_kit_cursor(struct kedr_arena *a, const char *sort_text,
                            const char *keys);
/* Why entity `e` of module `module` cannot be served (a static message
 * in buf), or NULL.  Pure; used by the loader. */
const char *kedr_kit_check(const char *module, const struct kedr_entity *e,
                           char *buf, size_t buflen);

struct kedr_mod;
struct kedr_router;
/* Build and route module m's entities.  0, or -1 (logged). */
int kedr_kit_add(struct kedr_router *rt, struct kedr_mod *m);
/* Resolve references between the entities of every module.  0, or -1
 * (logged). */
int kedr_kit_resolve(void);
/* Forget every entity (teardown). */
void kedr_kit_release(void);
extern const struct kedr_route kedr_kit_routes[];

/* The served entities, for the global search and saved views: their
 * number; entity i and its full name; the index of `full` or -1; whether
 * the user may read it; its label in the user's language; its UI page. */
size_t kedr_kit_count(void);
const struct kedr_entity *kedr_kit_at(size_t i, const char **full);
ssize_t kedr_kit_find(const char *full);
bool kedr_kit_readable(kedr_req_t *r, size_t i);
const char *kedr_kit_label(kedr_req_t *r, size_t i);
const char *kedr_kit_ui(kedr_req_t *r, size_t i);
/* The list parameters `ql` checked against entity i as its list checks
 * them: each problem in `fields` (parameter -> message; an attribute's
 * also recorded on the request); their number. */
int kedr_kit_check_query(kedr_req_t *r, size_t i, const struct kedr_kvlist *ql,
                         json_t *fields);
/* The rows entity i's list gives for `ql` (its WHERE: visibility in the
 * current scope, filters, q -- whatever the list's search is -- mine,
 * attributes; its ORDER BY; its limit), each as `obj` (a json expression
 * over t), into *json as a JSON array in the list's order.  0, or a code
 * with the error recorded. */
int kedr_kit_select(kedr_req_t *r, size_t i, const struct kedr_kvlist *ql,
                    const char *obj, const char **json);
extern const struct kedr_route kedr_search_routes[];

#endif /* KEDR_CORE_H */
