/*
 * catalog_util.c -- helpers the catalog's hooks, handlers and import
 * share: value checks of money, dates, currencies, external ids and
 * attributes, and database errors as the client should see them.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

const char *
catalog_int_text(kedr_req_t *r, json_t *v)
{
    if (!json_is_integer(v))
        return NULL;
    return kedr_sprintf(r, "%lld", (long long)json_integer_value(v));
}

/* An amount that cannot be negative (prices), by the core's money rules. */
bool
catalog_money_ok(const char *s)
{
    return kedr_value_valid(KEDR_T_MONEY, s) && s[0] != '-';
}

bool
catalog_date_ok(const char *s)
{
    return kedr_value_valid(KEDR_T_DATE, s);
}

bool
catalog_currency_valid(const char *s)
{
    return s != NULL && strlen(s) == 3 && isupper((unsigned char)s[0]) &&
           isupper((unsigned char)s[1]) && isupper((unsigned char)s[2]);
}

/* Characters of a UTF-8 string. */
static size_t
utf8_length(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Whether `s` is a key of an external-ids object. */
static bool
ext_key_valid(const char *s)
{
    size_t n = strlen(s);

    if (n < 1 || n > 32 || !islower((unsigned char)s[0]))
        return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
            *s != '_')
            return false;
    return true;
}

const char *
catalog_ext_problem(kedr_req_t *r, json_t *ext, const char *prefix,
                    const char **field)
{
    const char *key;
    json_t *v;

    *field = prefix;
    if (!json_is_object(ext))
        return "must be an object of external ids";
    json_object_foreach (ext, key, v) {
        const char *s = json_string_value(v);

        if (!ext_key_valid(key)) {
            *field = kedr_sprintf(r, "%s.%.40s", prefix, key);
            return "must be a name of a system: a-z, 0-9, _";
        }
        *field = kedr_sprintf(r, "%s.%s", prefix, key);
        if (s == NULL)
            return "must be a string";
        if (strlen(s) != json_string_length(v))
            return "must not contain NUL characters";
        if (*kedr_trim(r, s) == '\0')
            return "must not be empty";
        if (utf8_length(s) > 100)
            return "is too long";
    }
    *field = prefix;
    return NULL;
}

const char *
catalog_attributes_problem(kedr_req_t *r, json_t *attrs, const char *prefix,
                           const char **field)
{
    const char *key;
    json_t *v;

    *field = prefix;
    if (!json_is_object(attrs))
        return "must be an object";
    if (json_object_size(attrs) > 200)
        return "has too many attributes";
    json_object_foreach (attrs, key, v) {
        if (*key == '\0' || utf8_length(key) > 100) {
            *field = prefix;
            return "names must have 1 to 100 characters";
        }
        if (json_is_object(v) || json_is_array(v)) {
            *field = kedr_sprintf(r, "%s.%s", prefix, key);
            return "must be a string, a number, true, false or null";
        }
        if (json_is_string(v) &&
            strlen(json_string_value(v)) != json_string_length(v)) {
            *field = kedr_sprintf(r, "%s.%s", prefix, key);
            return "must not contain NUL characters";
        }
    }
    return NULL;
}

int
catalog_db_fail(kedr_req_t *r, int rc, const char *field,
                const char *conflict_msg)
{
    const char *state = kedr_db_sqlstate(r);

    if (state != NULL && strcmp(state, "23505") == 0)
        return kedr_fail(r, KEDR_ECONFLICT, field, "%s", conflict_msg);
    if (state != NULL && strcmp(state, "23503") == 0)
        return kedr_fail(r, KEDR_ECONFLICT, NULL,
                         "the record is used by other records");
    return rc;
}

int
catalog_field_errors(kedr_req_t *r, json_t *fields)
{
    const char *key;
    json_t *v;
    int n = 0;

    json_object_foreach (fields, key, v) {
        kedr_field_error(r, key, json_string_value(v));
        n++;
    }
    return n;
}

json_t *
catalog_ext_normalize(kedr_req_t *r, json_t *ext)
{
    const char *key;
    json_t *v, *out;

    if (!json_is_object(ext))
        return NULL;
    out = kedr_json_keep(r, json_object());
    json_object_foreach (ext, key, v)
        json_object_set_new(out, key,
                            json_string(kedr_trim(r, json_string_value(v))));
    return out;
}
