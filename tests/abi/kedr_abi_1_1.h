/*
 * kedr_abi_1_1.h -- frozen snapshot of the module ABI 1.1: the structs of
 * core/kedr.h as they were at 5fe2256 (KEDR_ABI_MINOR 1: default grants),
 * renamed with the suffix _1_1.  Never edit: tests/unit/test_abi.c
 * checks that every member here still has the same offset and size in
 * core/kedr.h, so a module built against 1.1 keeps working.
 * core/CHANGELOG-API.md tells the history.
 */
#ifndef KEDR_ABI_1_1_H
#define KEDR_ABI_1_1_H

#include <kedr.h>

struct kedr_api_1_1;

struct kedr_field_1_1 {
    const char *name;
    enum kedr_type type;
    unsigned flags;
    double min;
    double max;
};

struct kedr_route_1_1 {
    const char *method;
    const char *path;
    kedr_handler_pt handler;
    const char *permission;
    const struct kedr_field_1_1 *input;
};

struct kedr_permission_1_1 {
    const char *name;
    const char *label_ru;
    const char *label_en;
};

struct kedr_grant_1_1 {
    const char *role;
    const char *permission;
};

struct kedr_hook_1_1 {
    const char *event;
    kedr_hook_pt fn;
};

struct kedr_job_1_1 {
    const char *name;
    unsigned interval;
    kedr_job_pt fn;
};

struct kedr_importer_1_1 {
    const char *source;
    const char *object;
    int (*load)(kedr_req_t *r, kedr_import_t *imp);
};

struct kedr_ui_1_1 {
    const char *path;
    const char *label_ru;
    const char *label_en;
    const char *permission;
};

struct kedr_module_1_1 {
    uint32_t magic;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t size;
    const char *build_sig;
    const struct kedr_api_1_1 **api;
    const char *name;
    const char *version;
    const char *const *requires;
    const struct kedr_route_1_1 *routes;
    const struct kedr_permission_1_1 *permissions;
    const struct kedr_hook_1_1 *hooks;
    const struct kedr_job_1_1 *jobs;
    const struct kedr_importer_1_1 *importers;
    const struct kedr_ui_1_1 *ui;
    int (*init)(kedr_env_t *env);
    int (*worker_init)(kedr_env_t *env);
    void (*fini)(kedr_env_t *env);
    const struct kedr_grant_1_1 *grants;
};

struct kedr_api_1_1 {
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
};

#endif /* KEDR_ABI_1_1_H */
