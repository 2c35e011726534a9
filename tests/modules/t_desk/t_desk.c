/*
 * t_desk -- test-only module: a module with pages, for the core's tests of
 * the shell (tests/api/shell.test.js, reload.test.js, the browser tests): the
 * examples in modules/ are not the core's fixtures, so the shell's
 * components and screens are tested against this one.
 *
 *   t_desk.card  cards in lanes ("todo", "done", ...): read by everyone,
 *                written with t_desk.write, searched by title, no owner,
 *                its screens at /t_desk (declared `ui`)
 *   GET /api/v1/t_desk/motto   public, no database: the config's `motto`
 *
 * www/: the card screens (kedr.ui.entityScreens) and one page per shared
 * component: /t_desk/board (kanban), /t_desk/calendar, /t_desk/stats
 * (chart).
 */
#include <kedr.h>

static const char *t_desk_motto;

static int
t_desk_get_motto(kedr_req_t *r)
{
    return kedr_reply_json(r, 200, json_pack("{s:s}", "motto", t_desk_motto));
}

static const struct kedr_entity_col t_desk_card_cols[] = {
    {.name = "lane",
     .type = KEDR_T_STRING,
     .label_ru = "Колонка",
     .label_en = "Lane",
     .flags = KEDR_REQUIRED | KEDR_COL_FILTER | KEDR_COL_SORT | KEDR_COL_EXPORT,
     .max = 10},
    {.name = "title",
     .type = KEDR_T_STRING,
     .label_ru = "Заголовок",
     .label_en = "Title",
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY | KEDR_COL_SORT | KEDR_COL_SEARCH |
              KEDR_COL_EXPORT,
     .max = 200},
    {.name = "created_at",
     .type = KEDR_T_STRING,
     .label_ru = "Создана",
     .label_en = "Created",
     .flags = KEDR_COL_READONLY | KEDR_COL_SORT,
     .def = "now()"},
    {0},
};

static const struct kedr_entity t_desk_entities[] = {
    {.name = "card",
     .path = "/cards",
     .table = "t_desk.card",
     .label_ru = "Карточки",
     .label_en = "Cards",
     .cols = t_desk_card_cols,
     .perm_read = KEDR_PUBLIC,
     .perm_write = "t_desk.write",
     .perm_delete = "t_desk.write",
     .ui = "/t_desk"},
    {0},
};

static int
t_desk_init(kedr_env_t *env)
{
    t_desk_motto = kedr_conf_string(env, "motto", NULL);
    return 0;
}

static const struct kedr_route t_desk_routes[] = {
    {.method = "GET",
     .path = "/motto",
     .handler = t_desk_get_motto,
     .permission = KEDR_PUBLIC},
    {0},
};

static const struct kedr_permission t_desk_permissions[] = {
    {.name = "t_desk.write",
     .label_ru = "Вести доску",
     .label_en = "Keep the desk"},
    {0},
};

static const struct kedr_ui t_desk_ui[] = {
    {.path = "/t_desk", .label_ru = "Доска задач", .label_en = "Desk"},
    {0},
};

static const struct kedr_setting t_desk_config[] = {
    {.name = "motto",
     .type = KEDR_SETTING_STRING,
     .def = "Без спешки",
     .doc = "what GET /api/v1/t_desk/motto answers"},
    {0},
};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,      .name = "t_desk",
    .config = t_desk_config, .version = "1.0.0",
    .routes = t_desk_routes, .permissions = t_desk_permissions,
    .ui = t_desk_ui,         .entities = t_desk_entities,
    .init = t_desk_init,
};
