/*
 * kedr_abi_1_4.h -- frozen snapshot of the module ABI 1.4: the structs of
 * core/kedr.h as they were when the minor moved to 5 (main at 72fb6f9,
 * KEDR_ABI_MINOR 4: column options, computed members, detail-only and
 * jsonb columns, NO_LIST, the entity's ui and own search, the data
 * migrations' map), renamed with the suffix _1_4.  Never edit:
 * tests/unit/test_abi.c checks that every member here still has the same
 * offset and size in core/kedr.h, so a module built against 1.4 keeps
 * working (except its entity tables, whose rows grew in 1.5: the loader
 * refuses a 1.4 module that declares entities).  core/CHANGELOG-API.md
 * tells the history.
 */
#ifndef KEDR_ABI_1_4_H
#define KEDR_ABI_1_4_H

#include <kedr.h>

struct kedr_api_1_4;
struct kedr_kit_search_1_4;

struct kedr_field_1_4 {
    const char *name;
    enum kedr_type type;
    unsigned flags;
    double min;
    double max;
};

struct kedr_route_1_4 {
    const char *method;
    const char *path;
    kedr_handler_pt handler;
    const char *permission;
    const struct kedr_field_1_4 *input;
};

struct kedr_permission_1_4 {
    const char *name;
    const char *label_ru;
    const char *label_en;
};

struct kedr_grant_1_4 {
    const char *role;
    const char *permission;
};

struct kedr_hook_1_4 {
    const char *event;
    kedr_hook_pt fn;
};

struct kedr_job_1_4 {
    const char *name;
    unsigned interval;
    kedr_job_pt fn;
};

struct kedr_importer_1_4 {
    const char *source;
    const char *target;
    int (*load)(kedr_req_t *r, kedr_import_t *imp);
};

struct kedr_ui_1_4 {
    const char *path;
    const char *label_ru;
    const char *label_en;
    const char *permission;
};

struct kedr_column_1_4 {
    const char *name;
    const char *label_ru;
    const char *label_en;
    enum kedr_type type;
};

struct kedr_import_col_1_4 {
    const char *field;
    const char *label_ru;
    const char *label_en;
    enum kedr_type type;
};

struct kedr_setting_1_4 {
    const char *name;
    enum kedr_setting_type type;
    const char *def;
    long long min;
    long long max;
    const char *doc;
};

struct kedr_entity_option_1_4 {
    const char *value;
    const char *label_ru;
    const char *label_en;
};

struct kedr_entity_col_1_4 {
    const char *name;
    enum kedr_type type;
    const char *label_ru;
    const char *label_en;
    unsigned flags;
    double min;
    double max;
    const char *ref;
    const char *def;
    const char *sql;
    const struct kedr_entity_option_1_4 *options;
};

struct kedr_entity_filter_1_4 {
    const char *name;
    enum kedr_type type;
    const char *label_ru;
    const char *label_en;
    const char *sql;
};

struct kedr_entity_hooks_1_4 {
    int (*validate)(kedr_req_t *r, json_t *in, json_t *old);
    int (*before_write)(kedr_req_t *r, const char *action, json_t *old,
                        json_t *in);
    int (*after_write)(kedr_req_t *r, const char *action, json_t *old,
                       json_t *new_);
    int (*search)(kedr_req_t *r, const char *q, struct kedr_kit_search_1_4 *s);
};

struct kedr_kit_search_1_4 {
    const char *where;
    const char *rank;
    const char *params[4];
    int nparams;
};

struct kedr_entity_1_4 {
    const char *name;
    const char *path;
    const char *table;
    const char *label_ru;
    const char *label_en;
    const struct kedr_entity_col_1_4 *cols;
    const char *perm_read;
    const char *perm_write;
    const char *perm_delete;
    const char *own;
    unsigned flags;
    const char *audit;
    const struct kedr_entity_hooks_1_4 *hooks;
    const char *sort;
    const struct kedr_entity_filter_1_4 *filters;
    const char *ui;
};

struct kedr_module_1_4 {
    uint32_t magic;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t size;
    const char *build_sig;
    const struct kedr_api_1_4 **api;
    const char *name;
    const char *version;
    const char *const *requires;
    const struct kedr_route_1_4 *routes;
    const struct kedr_permission_1_4 *permissions;
    const struct kedr_hook_1_4 *hooks;
    const struct kedr_job_1_4 *jobs;
    const struct kedr_importer_1_4 *importers;
    const struct kedr_ui_1_4 *ui;
    int (*init)(kedr_env_t *env);
    int (*worker_init)(kedr_env_t *env);
    void (*fini)(kedr_env_t *env);
    const struct kedr_grant_1_4 *grants;
    const struct kedr_route_1_4 *portal_routes;
    const struct kedr_setting_1_4 *config;
    const struct kedr_entity_1_4 *entities;
};

struct kedr_api_1_4 {
    uint32_t size;
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
    void *(*alloc)(kedr_req_t *r, size_t size);
    char *(*strdup)(kedr_req_t *r, const char *s);
    char *(*vsprintf)(kedr_req_t *r, const char *fmt, va_list ap);
    void (*on_cleanup)(kedr_req_t *r, void (*fn)(void *), void *arg);
    int (*reply_json)(kedr_req_t *r, int status, json_t *body);
    int (*reply_raw)(kedr_req_t *r, int status, const char *content_type,
                     const char *data, size_t len);
    void (*set_header)(kedr_req_t *r, const char *name, const char *value);
    int (*vfail)(kedr_req_t *r, int code, const char *field, const char *fmt,
                 va_list ap);
    void (*field_error)(kedr_req_t *r, const char *field, const char *msg);
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
    int (*emit)(kedr_req_t *r, const char *event, json_t *payload);
    const char *(*conf_string)(kedr_env_t *env, const char *key,
                               const char *def);
    long long (*conf_int)(kedr_env_t *env, const char *key, long long def);
    bool (*conf_bool)(kedr_env_t *env, const char *key, bool def);
    void (*vlog)(kedr_req_t *r, int level, const char *fmt, va_list ap);
    void (*env_log)(kedr_env_t *env, int level, const char *msg);
    const char *(*user_login)(kedr_req_t *r);
    const char *(*user_locale)(kedr_req_t *r);
    int64_t (*counterparty_id)(kedr_req_t *r);
    int (*audit)(kedr_req_t *r, const char *entity, const char *entity_id,
                 const char *action, json_t *old, json_t *new_);
    bool (*value_valid)(int type, const char *text);
    void (*oom)(kedr_req_t *r);
    int (*attrs_check)(kedr_req_t *r, const char *entity, json_t *attrs,
                       bool partial);
    int (*attrs_filter)(kedr_req_t *r, const char *entity, const char **json);
    int (*export_file)(kedr_req_t *r, const char *format, const char *filename,
                       const struct kedr_column_1_4 *cols, const char *sql,
                       int nparams, const char *const *params);
    int (*import_csv)(kedr_req_t *r, const struct kedr_import_col_1_4 *cols,
                      kedr_import_row_pt fn, void *arg);
    const char *(*inn_problem)(const char *inn);
    const char *(*kpp_problem)(const char *kpp);
    const char *(*ogrn_problem)(const char *ogrn);
    bool (*phone_e164)(const char *in, char *out, size_t outsz);
    bool (*email_valid)(const char *s);
    const char *(*import_table)(kedr_import_t *imp);
    bool (*import_dry_run)(kedr_import_t *imp);
    void (*import_count)(kedr_import_t *imp, const char *counter, long n);
    int (*import_reject)(kedr_import_t *imp, const char *line,
                         const char *ext_id, const char *field,
                         const char *reason);
    const char *const *(*conf_list)(kedr_env_t *env, const char *key);
    int (*import_map_put)(kedr_req_t *r, kedr_import_t *imp, const char *entity,
                          const char *sql);
};

#endif /* KEDR_ABI_1_4_H */
