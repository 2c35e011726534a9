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
clients_created(kedr_req_t *r, int rc, const char *row)
{
    return rc != 0 ? rc : clients_reply_text(r, 201, row);
}

int
clients_reply_text(kedr_req_t *r, int status, const char *json)
{
    return kedr_reply_raw(r, status, "application/json", json, strlen(json));
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

void
clients_query_add(struct clients_query *q, const char *value)
{
    assert(q->n < CLIENTS_QUERY_MAX);
    q->p[q->n++] = value;
}

void
clients_query_enum(kedr_req_t *r, struct clients_query *q, const char *key,
                   const char *const *allowed, const char *why)
{
    const char *v = clients_query_str(r, key);

    if (v != NULL && !clients_one_of(v, allowed)) {
        kedr_field_error(r, key, why);
        q->bad = true;
    }
    clients_query_add(q, v);
}

void
clients_query_idp(kedr_req_t *r, struct clients_query *q, const char *key)
{
    clients_query_add(q, clients_query_id(r, key, &q->bad));
}

void
clients_query_bool(kedr_req_t *r, struct clients_query *q, const char *key)
{
    static const char *const bools[] = {"true", "false", NULL};

    clients_query_enum(r, q, key, bools, "must be true or false");
}

void
clients_query_attrs(kedr_req_t *r, struct clients_query *q, const char *entity)
{
    const char *json = NULL;

    if (kedr_attrs_filter(r, entity, &json) != 0)
        q->bad = true;
    clients_query_add(q, json);
}

void
clients_query_order(kedr_req_t *r, struct clients_query *q,
                    const struct clients_order *orders, size_t n)
{
    const char *sort = clients_query_str(r, "sort");
    const char *order = clients_query_str(r, "order");
    bool desc = order != NULL && strcmp(order, "desc") == 0;
    size_t len = sort != NULL ? strcspn(sort, ",") : 0;

    /* the kit's form too (a list on the kit, its export here): sort=-name,
     * the first key of several */
    if (sort != NULL && sort[0] == '-') {
        desc = true;
        sort++;
        len--;
    }
    q->by = NULL;
    for (size_t i = 0; i < n; i++)
        if (sort == NULL || (strlen(orders[i].key) == len &&
                             strncmp(sort, orders[i].key, len) == 0)) {
            q->by = desc ? orders[i].desc : orders[i].asc;
            q->order = &orders[i];
            q->desc = desc;
            break;
        }
    if (q->by == NULL) {
        kedr_field_error(r, "sort", "is not a sortable column");
        q->bad = true;
    }
    if (order != NULL && strcmp(order, "asc") != 0 && !desc) {
        kedr_field_error(r, "order", "must be asc or desc");
        q->bad = true;
    }
}

const char *
clients_query_phone(kedr_req_t *r, const char *q)
{
    char e164[32];

    return q != NULL && clients_phone_e164(q, e164, sizeof(e164))
               ? kedr_strdup(r, e164)
               : NULL;
}

/* The value of base64url digit `c` (also the standard alphabet's + and
 * /), or -1. */
static int
util_b64(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-' || c == '+')
        return 62;
    if (c == '_' || c == '/')
        return 63;
    return -1;
}

/* Decode base64url `s` (padding optional) into request memory: the
 * bytes and *n, or NULL when it is not base64. */
static unsigned char *
util_b64_decode(kedr_req_t *r, const char *s, size_t *n)
{
    size_t len = strlen(s);
    unsigned char *out;
    unsigned long acc = 0;
    int bits = 0;

    while (len > 0 && s[len - 1] == '=')
        len--;
    if (len % 4 == 1)
        return NULL;
    out = kedr_alloc(r, len * 3 / 4 + 1);
    *n = 0;
    for (size_t i = 0; i < len; i++) {
        int v = util_b64((unsigned char)s[i]);

        if (v < 0)
            return NULL;
        acc = (acc << 6 | (unsigned long)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[(*n)++] = (unsigned char)(acc >> bits);
        }
    }
    return out;
}

/*
 * The cursor ?after= of list `q` (clients.page_cursor: base64url of
 * [sort key, value, id]) as the value and the id of its row: appended
 * to q's parameters (the value only when the key is not the id), and
 * the condition on rows after it (in the list's order) returned; NULL
 * after recording a field error `after` when the cursor is not one of
 * this sort key.
 */
static const char *
util_after(kedr_req_t *r, struct clients_query *q, const char *after)
{
    const struct clients_order *o = q->order;
    const char *bad = "is not a cursor of this list: use the next one it "
                      "answered";
    const char *op = q->desc ? "<" : ">", *v = NULL, *val, *id;
    unsigned char *raw;
    json_error_t jerr;
    json_t *a, *jv, *jid;
    size_t n;
    int pv, pi;

    if (strlen(after) > 2048 || (raw = util_b64_decode(r, after, &n)) == NULL ||
        (a = json_loadb((const char *)raw, n, 0, &jerr)) == NULL)
        goto fail;
    kedr_json_keep(r, a);
    if (!json_is_array(a) || json_array_size(a) != 3 ||
        !json_is_string(json_array_get(a, 0)) ||
        strcmp(json_string_value(json_array_get(a, 0)), o->key) != 0)
        goto fail;
    jv = json_array_get(a, 1);
    jid = json_array_get(a, 2);
    if (!json_is_integer(jid) || json_integer_value(jid) < 1)
        goto fail;
    id = kedr_sprintf(r, "%lld", (long long)json_integer_value(jid));
    if (json_is_null(jv) && !o->nullable)
        goto fail;
    if (o->type == CLIENTS_KEY_ID) {
        clients_query_add(q, id);
        return kedr_sprintf(r, "%s %s $%d::bigint", o->id, op, q->n);
    }
    if (o->type == CLIENTS_KEY_TEXT && !json_is_null(jv)) {
        if (!json_is_string(jv))
            goto fail;
        v = json_string_value(jv);
    } else if (!json_is_null(jv)) {
        json_int_t x = json_is_integer(jv) ? json_integer_value(jv) : -1;
        json_int_t lim =
            o->type == CLIENTS_KEY_TIME ? 10000000000000000LL : 1000000;

        if (!json_is_integer(jv) || x <= -lim || x >= lim)
            goto fail;
        v = kedr_sprintf(r, "%lld", (long long)x);
    }
    clients_query_add(q, v);
    clients_query_add(q, id);
    pv = q->n - 1;
    pi = q->n;
    val = o->type == CLIENTS_KEY_TEXT ? kedr_sprintf(r, "$%d::text", pv)
          : o->type == CLIENTS_KEY_TIME
              ? kedr_sprintf(r,
                             "(timestamptz 'epoch' + $%d::text::bigint * "
                             "interval '1 microsecond')",
                             pv)
              : kedr_sprintf(r, "(DATE '2000-01-01' + $%d::text::int)", pv);
    /* (key, id) after (value, id) in the list's order, NULL keys last
     * ascending and first descending */
    if (!o->nullable)
        return kedr_sprintf(r, "(%s, %s) %s (%s, $%d::bigint)", o->expr, o->id,
                            op, val, pi);
    if (!q->desc)
        return kedr_sprintf(
            r,
            "((%s, %s) > (%s, $%d::bigint) OR ($%d::text IS NOT NULL AND %s "
            "IS NULL) OR ($%d::text IS NULL AND %s IS NULL AND %s > "
            "$%d::bigint))",
            o->expr, o->id, val, pi, pv, o->expr, pv, o->expr, o->id, pi);
    return kedr_sprintf(r,
                        "((%s, %s) < (%s, $%d::bigint) OR ($%d::text IS NULL "
                        "AND (%s IS NOT NULL OR %s < $%d::bigint)))",
                        o->expr, o->id, val, pi, pv, o->expr, o->id, pi);

fail:
    kedr_field_error(r, "after", bad);
    q->bad = true;
    return NULL;
}

/* `sql` with every `marker` replaced by `with`. */
static const char *
util_replace(kedr_req_t *r, const char *sql, const char *marker,
             const char *with)
{
    const char *p, *out = "";
    size_t n = strlen(marker);

    while ((p = strstr(sql, marker)) != NULL) {
        out = kedr_sprintf(r, "%s%.*s%s", out, (int)(p - sql), sql, with);
        sql = p + n;
    }
    return kedr_sprintf(r, "%s%s", out, sql);
}

int
clients_list_reply(kedr_req_t *r, struct clients_query *q, const char *sql)
{
    const char *total = clients_query_str(r, "total");
    const char *after = clients_query_str(r, "after");
    long limit = kedr_query_count(r, "limit", 50, 500);
    long offset = kedr_query_count(r, "offset", 0, 100000000);
    const char *cond = NULL;

    if (total != NULL && strcmp(total, "exact") != 0) {
        kedr_field_error(r, "total", "must be exact");
        q->bad = true;
    }
    clients_query_add(q, kedr_sprintf(r, "%ld", limit));
    clients_query_add(q, kedr_sprintf(r, "%ld", offset));
    clients_query_add(
        q, total != NULL ? NULL
                         : kedr_sprintf(r, "%ld", offset + CLIENTS_TOTAL_MORE));
    if (after != NULL && q->order != NULL)
        cond = util_after(r, q, after);
    if (q->bad || limit < 0 || offset < 0)
        return kedr_fail(r, KEDR_EINVAL, NULL, "invalid query");
    sql = util_replace(r, sql, "{AFTER}",
                       cond != NULL ? kedr_sprintf(r, " AND %s", cond) : "");
    sql = util_replace(r, sql, "{BY}", q->by);
    sql = util_replace(r, sql, "{CURSOR}", q->order->cursor);
    return kedr_reply_db_json(r, 200, sql, q->n, q->p);
}
