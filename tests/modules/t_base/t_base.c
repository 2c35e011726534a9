/*
 * t_base -- test-only module (tests/api): the dependency of t_core.
 *
 * Proves, with t_core and t_alpha, that migrations run in dependency order
 * (t_alpha sorts first by name but requires t_core, which requires
 * t_base), that hooks run in dependency order inside the emitting
 * request's transaction, and that a failing hook rolls the whole request
 * back (its hook on "t_core.item.doomed" always fails).
 */
#include <kedr.h>

static const char t_base_seen_sql[] =
    "INSERT INTO t_base.seen (item_id, hook_at) "
    "VALUES ($1::bigint, clock_timestamp())";

/* Hook: record every item t_core creates, in t_base's own table. */
static int
t_base_on_created(kedr_req_t *r, const char *event, json_t *payload)
{
    json_t *id = json_object_get(payload, "id");
    const char *sid;

    (void)event;
    if (!json_is_integer(id))
        return kedr_fail(r, KEDR_EINTERNAL, NULL, "event without an id");
    sid = kedr_sprintf(r, "%lld", (long long)json_integer_value(id));
    return kedr_db_exec(r, t_base_seen_sql, KEDR_PARAMS(sid)) < 0 ? KEDR_EDB
                                                                  : 0;
}

/* Hook: refuse every doomed item, so the request that emitted the event
 * must roll back everything it wrote. */
static int
t_base_on_doomed(kedr_req_t *r, const char *event, json_t *payload)
{
    (void)payload;
    return kedr_fail(r, KEDR_ECONFLICT, NULL, "\"%s\" refused by t_base",
                     event);
}

static const struct kedr_hook t_base_hooks[] = {
    {.event = "t_core.item.created", .fn = t_base_on_created},
    {.event = "t_core.item.doomed", .fn = t_base_on_doomed},
    {0},
};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,
    .name = "t_base",
    .version = "0.1.0",
    .hooks = t_base_hooks,
};
