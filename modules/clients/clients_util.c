/*
 * clients_util.c -- helpers the clients handlers share: path and query
 * parameters, body members copied into normalised objects, the record
 * lock with its version check, and the audit-and-event record of every
 * write.
 */
#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "clients_int.h"

json_t *
clients_take_str(kedr_req_t *r, json_t *in, json_t *out, const char *key)
{
    json_t *v = json_object_get(in, key);
    const char *s;

    if (v == NULL)
        return NULL;
    s = kedr_trim(r, json_string_value(v));
    json_object_set_new(out, key,
                        s != NULL && *s != '\0' ? json_string(s) : json_null());
    return json_object_get(out, key);
}

void
clients_take(json_t *in, json_t *out, const char *key)
{
    json_t *v = json_object_get(in, key);

    if (v != NULL)
        json_object_set(out, key, v);
}

bool
clients_take_list(kedr_req_t *r, json_t *in, json_t *out, const char *key,
                  bool phones, bool emails)
{
    json_t *v = json_object_get(in, key), *e;
    json_t *list, *seen;
    size_t i;

    if (v == NULL)
        return true;
    list = json_array();
    json_object_set_new(out, key, list);
    /* the entries kept so far, as a hash set: repeats dropped in linear
     * time, in the order first given */
    seen = kedr_json_keep(r, json_object());
    if (json_is_null(v))
        return true;
    if (!json_is_array(v)) {
        kedr_field_error(r, key, "must be a list");
        return false;
    }
    json_array_foreach (v, i, e) {
        const char *s = kedr_trim(r, json_string_value(e));
        const char *field = kedr_sprintf(r, "%s[%zu]", key, i);
        char e164[32];

        if (!json_is_string(e)) {
            kedr_field_error(r, field, "must be a string");
            return false;
        }
        if (*s == '\0')
            continue;
        if (strlen(s) > 200) {
            kedr_field_error(r, field, "is too long");
            return false;
        }
        if (phones) {
            if (!clients_phone_e164(s, e164, sizeof(e164))) {
                kedr_field_error(r, field,
                                 "is not a phone number: write it as +7 495 "
                                 "123-45-67 or 8 (495) 123-45-67");
                return false;
            }
            s = kedr_strdup(r, e164);
        } else if (emails && !clients_email_valid(s)) {
            kedr_field_error(r, field, "is not an e-mail address");
            return false;
        }
        if (!clients_seen(seen, s))
            json_array_append_new(list, json_string(s));
    }
    return true;
}

bool
clients_seen(json_t *set, const char *key)
{
    if (json_object_get(set, key) != NULL)
        return true;
    json_object_set_new(set, key, json_true());
    return false;
}

bool
clients_id_seen(kedr_req_t *r, json_t *set, json_int_t id)
{
    return clients_seen(set, kedr_sprintf(r, "%" JSON_INTEGER_FORMAT, id));
}

int
clients_take_attrs(kedr_req_t *r, json_t *in, json_t *out, const char *entity,
                   bool partial)
{
    json_t *v = json_object_get(in, "attrs"), *copy, *e;
    const char *key;
    int n;

    if (v == NULL && partial)
        return 0;
    if (json_is_null(v))
        v = NULL;
    if ((n = kedr_attrs_check(r, entity, v, partial)) != 0)
        return n;
    copy = json_object();
    json_object_set_new(out, "attrs", copy);
    json_object_foreach (v, key, e)
        if (partial || !json_is_null(e))
            json_object_set(copy, key, e);
    return 0;
}

bool
clients_one_of(const char *s, const char *const *allowed)
{
    for (; *allowed != NULL; allowed++)
        if (strcmp(*allowed, s) == 0)
            return true;
    return false;
}

bool
clients_ext_valid(kedr_req_t *r, json_t *ext, const char *field)
{
    const char *key;
    json_t *v;

    if (json_is_null(ext))
        return true;
    if (!json_is_object(ext)) {
        kedr_field_error(r, field, "must be an object of external ids");
        return false;
    }
    json_object_foreach (ext, key, v) {
        size_t n = strlen(key);

        if (n < 1 || n > 32 || !islower((unsigned char)key[0]) ||
            strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_") != n) {
            kedr_field_error(r, field,
                             "keys must be names of systems: a-z, 0-9, _");
            return false;
        }
        if (!json_is_string(v) || json_string_length(v) == 0 ||
            json_string_length(v) > 100) {
            kedr_field_error(r, kedr_sprintf(r, "%s.%s", field, key),
                             "must be a string of 1 to 100 characters");
            return false;
        }
    }
    return true;
}

/* Whether the caller still sees the counterparty or outlet $1. */
static const char scope_cp_sql[] =
    "SELECT " CLIENTS_CP_VISIBLE("c") " FROM clients.counterparty c "
                                      "WHERE c.id = $1";
static const char scope_outlet_sql[] =
    "SELECT " CLIENTS_OUTLET_VISIBLE("o") " FROM clients.outlet o "
                                          "WHERE o.id = $1";

/* An own-only caller keeps what they write: a counterparty or outlet
 * they create or change must stay theirs (they manage it, or it lies in
 * their regions), or the write is refused (422 naming manager_id), so no
 * record ever disappears from under the hands of the one who saved it. */
static int
record_in_scope(kedr_req_t *r, const char *entity, const char *id)
{
    const char *sql = strcmp(entity, "counterparty") == 0 ? scope_cp_sql
                      : strcmp(entity, "outlet") == 0     ? scope_outlet_sql
                                                          : NULL;
    kedr_rows_t *rows;

    if (sql == NULL)
        return 0;
    if ((rows = kedr_db_query(r, sql, KEDR_PARAMS(id))) == NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) == 1 && strcmp(kedr_rows_get(rows, 0, 0), "t"))
        return kedr_fail(r, KEDR_EINVAL, "manager_id",
                         "you would no longer see this record: keep yourself "
                         "as its manager or choose one of your regions");
    return 0;
}

int
clients_record(kedr_req_t *r, const char *entity, const char *action,
               json_t *old, json_t *new_, json_t *payload)
{
    json_t *cur = new_ != NULL ? new_ : old;
    const char *id;
    int rc;

    id = kedr_sprintf(
        r, "%lld", (long long)json_integer_value(json_object_get(cur, "id")));
    if (new_ != NULL && (rc = record_in_scope(r, entity, id)) != 0)
        return rc;
    rc = kedr_audit(r, kedr_sprintf(r, "clients.%s", entity), id, action, old,
                    new_);
    if (rc != 0)
        return rc;
    return kedr_emit(r, kedr_sprintf(r, "clients.%s.%s", entity, action),
                     payload != NULL ? payload : cur);
}

/* ---------------------------------------------------------------------
 * List parameters, shared by each list and the export of its filter
 * --------------------------------------------------------------------- */

const char *
clients_query_str(kedr_req_t *r, const char *key)
{
    const char *v = kedr_trim(r, kedr_query(r, key));

    return v != NULL && *v != '\0' ? v : NULL;
}

const char *
clients_query_phone(kedr_req_t *r, const char *q)
{
    char e164[32];

    return q != NULL && clients_phone_e164(q, e164, sizeof(e164))
               ? kedr_strdup(r, e164)
               : NULL;
}
