/*
 * fake_api.h -- a kedr_api for C unit tests of a module's logic, without
 * the server or the database (STYLE.md: "a module's pure logic can be
 * unit-tested against a fake table").
 *
 * A test compiles the module's sources with tests/unit/fake_api.c (the
 * Makefile's rule for tests/unit/test_mod_*.c; no core objects), calls
 * fake_api_install() once, and runs each handler, hook or init with a
 * fake context it fills (path parameters, query, body, settings, what the
 * database answers) and then inspects (the reply, the recorded error and
 * fields, every statement with its parameters, audit rows and events).
 * Members of the table the fake does not provide are NULL: a module that
 * calls one crashes the test, which names the call to fake next.
 */
#ifndef FAKE_API_H
#define FAKE_API_H

#include <kedr.h>

#define FAKE_MAX 16

/* One statement the module ran, with its parameters. */
struct fake_stmt {
    char *sql;
    char *params[FAKE_MAX];
    int nparams;
};

struct kedr_req {
    /* given by the test */
    const char *param[FAKE_MAX][2]; /* path parameters: name, value */
    const char *query[FAKE_MAX][2]; /* query string: name, value */
    json_t *body;                   /* borrowed */
    int64_t user_id;
    int db_rc;           /* what db_exec / db_json answer (0: success) */
    const char *db_json; /* the text db_json / reply_db_json give */

    /* recorded from the module */
    int status;      /* of the reply, 0 before one */
    char *reply;     /* its body as text */
    int error_code;  /* of kedr_fail, 0 when none */
    char error[256]; /* its message */
    json_t *fields;  /* field errors: {"field": "message"} */
    struct fake_stmt stmts[FAKE_MAX];
    int nstmts;
    json_t *audit;  /* [{"entity", "id", "action", "new"}] */
    json_t *events; /* [{"event", "payload"}] */

    /* the arena and the cleanups, released by fake_req_release */
    void *allocs[256];
    int nallocs;
    void (*cleanup_fn[FAKE_MAX])(void *);
    void *cleanup_arg[FAKE_MAX];
    int ncleanups;
};

struct kedr_env {
    const char *settings[FAKE_MAX][2]; /* string settings: key, value */
};

/* Point the module's kedr_api at the fake table. */
void fake_api_install(void);
/* A fresh context; fake_req_release frees everything it recorded. */
void fake_req_init(struct kedr_req *r);
void fake_req_release(struct kedr_req *r);

#endif /* FAKE_API_H */
