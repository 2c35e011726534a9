/*
 * clients_util.c -- helpers the clients handlers share: path and query
 * parameters, body members copied into normalised objects, the record
 * lock with its version check, and the audit-and-event record of every
 * write.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "clients_int.h"

const char *
clients_query_id(kedr_req_t *r, const char *key, bool *bad)
{
    const char *v = kedr_query(r, key);
    size_t n;

    if (v == NULL || *v == '\0')
        return NULL;
    n = strlen(v);
    if (n > 18 || strspn(v, "0123456789") != n || v[0] == '0') {
        kedr_field_error(r, key, "must be a record id");
        *bad = true;
        return NULL;
    }
    return v;
}

json_t *
clients_take_str(kedr_req_t *r, json_t *out, const char *key)
{
    json_t *v = json_object_get(kedr_body(r), key);
    const char *s;

    if (v == NULL)
        return NULL;
    s = kedr_trim(r, json_string_value(v));
    json_object_set_new(out, key,
                        s != NULL && *s != '\0' ? json_string(s) : json_null());
    return json_object_get(out, key);
}

void
clients_take(kedr_req_t *r, json_t *out, const char *key)
{
    json_t *v = json_object_get(kedr_body(r), key);

    if (v != NULL)
        json_object_set(out, key, v);
}

bool
clients_take_list(kedr_req_t *r, json_t *out, const char *key, bool phones,
                  bool emails)
{
    json_t *v = json_object_get(kedr_body(r), key), *e;
    json_t *list;
    size_t i;

    if (v == NULL)
        return true;
    list = json_array();
    json_object_set_new(out, key, list);
    if (json_is_null(v))
        return true;
    json_array_foreach (v, i, e) {
        const char *s = kedr_trim(r, json_string_value(e));
        const char *field = kedr_sprintf(r, "%s[%zu]", key, i);
        char e164[32];
        bool dup = false;
        size_t j;
        json_t *x;

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
        json_array_foreach (list, j, x)
            if (strcmp(json_string_value(x), s) == 0)
                dup = true;
        if (!dup)
            json_array_append_new(list, json_string(s));
    }
    return true;
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

int
clients_record(kedr_req_t *r, const char *entity, const char *action,
               json_t *old, json_t *new_, json_t *payload)
{
    json_t *cur = new_ != NULL ? new_ : old;
    const char *id;
    int rc;

    id = kedr_sprintf(
        r, "%lld", (long long)json_integer_value(json_object_get(cur, "id")));
    rc = kedr_audit(r, kedr_sprintf(r, "clients.%s", entity), id, action, old,
                    new_);
    if (rc != 0)
        return rc;
    return kedr_emit(r, kedr_sprintf(r, "clients.%s.%s", entity, action),
                     payload != NULL ? payload : cur);
}

json_t *
clients_query_version(kedr_req_t *r, bool *bad)
{
    const char *v = kedr_query(r, "version");
    size_t n;

    if (v == NULL || *v == '\0')
        return NULL;
    n = strlen(v);
    if (n > 9 || strspn(v, "0123456789") != n) {
        kedr_field_error(r, "version", "must be a version number");
        *bad = true;
        return NULL;
    }
    return kedr_json_keep(r, json_integer(atol(v)));
}

int
clients_reply_text(kedr_req_t *r, int status, const char *json)
{
    return kedr_reply_raw(r, status, "application/json", json, strlen(json));
}
