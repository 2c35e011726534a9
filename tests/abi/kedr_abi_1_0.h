/*
 * kedr_abi_1_0.h -- frozen snapshot of the module ABI 1.0: the structs of
 * core/kedr.h as they were at 88f5314 (the first core),
 * renamed with the suffix _1_0.  Never edit: tests/unit/test_abi.c
 * checks that every member here still has the same offset and size in
 * core/kedr.h, so a module built against 1.0 keeps working.
 * core/CHANGELOG-API.md tells the history.
 */
#ifndef KEDR_ABI_1_0_H
#define KEDR_ABI_1_0_H

#include <kedr.h>

struct kedr_api_1_0;

struct kedr_field_1_0 {
    const char *name;
    enum kedr_type type;
    unsigned flags;
    double min;
    double max;
};

struct kedr_route_1_0 {
    const char *method;
    const char *path;
    kedr_handler_pt handler;
    const char *permission;
    const struct kedr_field_1_0 *input;
};

struct kedr_permission_1_0 {
    const char *name;
    const char *label_ru;
    const char *label_en;
};

struct kedr_hook_1_0 {
    const char *event;
    kedr_hook_pt fn;
};

struct kedr_job_1_0 {
    const char *name;
    unsigned interval;
    kedr_job_pt fn;
};

struct kedr_importer_1_0 {
    const char *source;
    const char *object;
    int (*load)(kedr_req_t *r, kedr_import_t *imp);
};

struct kedr_ui_1_0 {
    const char *path;
    const char *label_ru;
    const char *label_en;
    const char *permission;
};

struct kedr_module_1_0 {
    uint32_t magic;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t size;
    const char *build_sig;
    const struct kedr_api_1_0 **api;
    const char *name;
    const char *version;
    const char *const *requires;
    const struct kedr_route_1_0 *routes;
    const struct kedr_permission_1_0 *permissions;
    const struct kedr_hook_1_0 *hooks;
    const struct kedr_job_1_0 *jobs;
    const struct kedr_importer_1_0 *importers;
    const struct kedr_ui_1_0 *ui;
    int (*init)(kedr_env_t *env);
    int (*worker_init)(kedr_env_t *env);
    void (*fini)(kedr_env_t *env);
};

struct kedr_api_1_0 {
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
};

#endif /* KEDR_ABI_1_0_H */
