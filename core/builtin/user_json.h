/*
 * user_json.h -- a user as JSON (no password hash), from a row of
 * core."user" aliased u: the API's and the audit trail's one shape,
 * shared by the admin built-in (admin.c) and `kedr user` (core/cli_user.c).
 * Plain SQL text, no core type.
 */
#ifndef KEDR_USER_JSON_H
#define KEDR_USER_JSON_H

#define KEDR_USER_JSON                                                         \
    "json_build_object('id', u.id, 'login', u.login, 'full_name', "            \
    "u.full_name, 'email', u.email, 'phone', u.phone, 'locale', u.locale, "    \
    "'active', u.active, 'roles', coalesce((SELECT json_agg(ro.name ORDER "    \
    "BY ro.name) FROM core.user_role ur JOIN core.role ro ON ro.id = "         \
    "ur.role_id WHERE ur.user_id = u.id), '[]'::json), 'counterparty_id', "    \
    "u.counterparty_id, 'regions', to_json(u.regions), "                       \
    "'has_password', u.password_hash IS NOT NULL, "                            \
    "'password_changed_at', u.password_changed_at, 'created_at', "             \
    "u.created_at, 'updated_at', u.updated_at, 'version', u.version)"

#endif /* KEDR_USER_JSON_H */
