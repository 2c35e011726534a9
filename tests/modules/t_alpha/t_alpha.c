/*
 * t_alpha -- test-only module (tests/api).  Its name sorts before t_base
 * and t_core, yet it requires t_core: its migration and its hook must
 * come after theirs, which tells dependency order from name order.
 */
#include <kedr.h>

static const char t_alpha_seen_sql[] =
    "INSERT INTO t_alpha.seen (item_id, hook_at) "
    "VALUES ($1::bigint, clock_timestamp())";

/* Hook: record every item t_core creates (after t_base's and t_core's). */
static int
t_alpha_on_created(kedr_req_t *r, const char *event, json_t *payload)
{
    json_t *id = json_object_get(payload, "id");
    const char *sid;

    (void)event;
    if (!json_is_integer(id))
        return kedr_fail(r, KEDR_EINTERNAL, NULL, "event without an id");
    sid = kedr_sprintf(r, "%lld", (long long)json_integer_value(id));
    return kedr_db_exec(r, t_alpha_seen_sql, KEDR_PARAMS(sid)) < 0 ? KEDR_EDB
                                                                   : 0;
}

static int
t_alpha_ping(kedr_req_t *r)
{
    return kedr_reply_json(r, 200, json_pack("{s:s}", "module", "t_alpha"));
}

static const struct kedr_route t_alpha_routes[] = {
    {.method = "GET",
     .path = "/ping",
     .handler = t_alpha_ping,
     .permission = KEDR_PUBLIC},
    {0},
};

static const struct kedr_hook t_alpha_hooks[] = {
    {.event = "t_core.item.created", .fn = t_alpha_on_created},
    {0},
};

static const char *const t_alpha_requires[] = {"t_core", NULL};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,       .name = "t_alpha",
    .version = "0.1.0",       .requires = t_alpha_requires,
    .routes = t_alpha_routes, .hooks = t_alpha_hooks,
};
