/*
 * t_kit -- test-only module (tests/api/kit.test.js, and in the browser
 * tests/e2e/entity-screens.test.js): two entities declared for the
 * resource kit and no handler or page of its own.
 *
 *   t_kit.widget  every column type, a reference to a shelf, own-only
 *                 (the records a user owns), extra attributes, archive,
 *                 delete, a unique code, a default (qty 0), a column set
 *                 only by a create (serial), filters of its own
 *                 (shelf_name, heavy); hooks: validate refuses the name
 * "forbidden", after_write and the event hooks write t_kit.seen;
 *                 a status with options (codes and labels, ABI 1.4)
 *   t_kit.shelf   the target of the reference, own-only too
 *   t_kit.bin     (ABI 1.4) a jsonb column, computed members, a detail-only
 *                 one, a filter of its own named as a column
 *   t_kit.lid     (ABI 1.4) the bins again, without the kit's list
 *   t_kit.note    a search of its own (ABI 1.4): a number finds the note of
 *                 that id, words the titles holding them, ranked: the
 *                 title itself first, then those starting with it, then
 *                 the rest
 *   t_kit.person  (ABI 1.5) lists (phones and e-mails by their rules, tags),
 *                 a name sorted by the Russian collation, merged records
 *                 that every list leaves out (`where`), INN+KPP held
 *                 unique by a duplicate check of its own (which misses
 *                 once with ?race=1: a record saved meanwhile), a unique
 *                 code, DELETE making a record inactive
 *   t_kit.call    (ABI 1.5) a reference to a person: live ones only
 *   t_kit.box     (ABI 1.5) members the module writes itself: items kept
 *                 in a table of its own by after_write, read again after
 *                 it; `first`, an import's column standing for one item;
 *                 a computed member exported
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kedr.h>

#define T_KIT_OWN "t.owner_id = core.current_user_id()"

static const char t_kit_seen_sql[] =
    "INSERT INTO t_kit.seen (what, widget_id) VALUES ($1, $2::bigint)";

/* Write what was seen about widget `w` into t_kit.seen. */
static int
t_kit_seen(kedr_req_t *r, const char *what, json_t *w)
{
    const char *id = kedr_sprintf(
        r, "%lld", (long long)json_integer_value(json_object_get(w, "id")));

    return kedr_db_exec(r, t_kit_seen_sql, KEDR_PARAMS(what, id)) < 0 ? KEDR_EDB
                                                                      : 0;
}

static int
t_kit_validate(kedr_req_t *r, json_t *in, json_t *old)
{
    const char *name = json_string_value(json_object_get(in, "name"));

    (void)old;
    if (name != NULL && strcmp(name, "forbidden") == 0)
        return kedr_fail(r, KEDR_EINVAL, "name", "is not allowed");
    return 0;
}

static int
t_kit_after(kedr_req_t *r, const char *action, json_t *old, json_t *new_)
{
    return t_kit_seen(r, kedr_sprintf(r, "after_write %s", action),
                      new_ != NULL ? new_ : old);
}

static int
t_kit_on_event(kedr_req_t *r, const char *event, json_t *payload)
{
    return t_kit_seen(r, event, payload);
}

/* A box's event: what its record held (ABI 1.5: the items after_write
 * wrote), into t_kit.seen. */
static int
t_kit_on_box(kedr_req_t *r, const char *event, json_t *payload)
{
    return kedr_db_exec(
               r, t_kit_seen_sql,
               KEDR_PARAMS(
                   kedr_sprintf(
                       r, "%s %s", event,
                       kedr_json_text(r, json_object_get(payload, "items"))),
                   NULL)) < 0
               ? KEDR_EDB
               : 0;
}

static const struct kedr_entity_hooks t_kit_widget_hooks = {
    .validate = t_kit_validate,
    .after_write = t_kit_after,
};

#define F KEDR_COL_FILTER
#define S KEDR_COL_SORT
#define X KEDR_COL_EXPORT

/* An enum-like column (ABI 1.4): codes stored, labels shown. */
static const struct kedr_entity_option t_kit_status[] = {
    {.value = "new", .label_ru = "Новое", .label_en = "New"},
    {.value = "ready", .label_ru = "Готово к отгрузке", .label_en = "Ready"},
    {.value = "gone", .label_ru = "Списано", .label_en = "Written off"},
    {0},
};

static const struct kedr_entity_col t_kit_widget_cols[] = {
    {.name = "name",
     .type = KEDR_T_STRING,
     .label_ru = "Название",
     .label_en = "Name",
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY | F | S | X | KEDR_COL_SEARCH,
     .max = 100},
    {.name = "code",
     .type = KEDR_T_STRING,
     .label_ru = "Код",
     .label_en = "Code",
     .flags = F | X | KEDR_COL_SEARCH | KEDR_COL_UNIQUE,
     .max = 20},
    {.name = "qty",
     .type = KEDR_T_INT,
     .label_ru = "Количество",
     .label_en = "Quantity",
     .flags = F | S | X,
     .min = 0,
     .max = 1000,
     .def = "0"},
    {.name = "weight",
     .type = KEDR_T_NUMBER,
     .label_ru = "Вес",
     .label_en = "Weight",
     .flags = F | S},
    {.name = "price",
     .type = KEDR_T_MONEY,
     .label_ru = "Цена",
     .label_en = "Price",
     .flags = F | S | X},
    {.name = "due",
     .type = KEDR_T_DATE,
     .label_ru = "Срок",
     .label_en = "Due",
     .flags = F | S | X},
    {.name = "done",
     .type = KEDR_T_BOOL,
     .label_ru = "Готово",
     .label_en = "Done",
     .flags = F | X},
    {.name = "serial",
     .type = KEDR_T_STRING,
     .label_ru = "Серийный номер",
     .flags = KEDR_COL_CREATE_ONLY},
    {.name = "shelf_id",
     .type = KEDR_T_INT,
     .label_ru = "Полка",
     .label_en = "Shelf",
     .flags = F,
     .ref = "t_kit.shelf"},
    {.name = "owner_id",
     .type = KEDR_T_INT,
     .label_ru = "Владелец",
     .label_en = "Owner",
     .flags = F | KEDR_COL_READONLY,
     .def = "core.current_user_id()"},
    {.name = "status",
     .type = KEDR_T_STRING,
     .label_ru = "Статус",
     .label_en = "Status",
     .flags = F | S | X,
     .def = "'new'",
     .options = t_kit_status},
    {0},
};

static const struct kedr_entity_col t_kit_shelf_cols[] = {
    {.name = "name",
     .type = KEDR_T_STRING,
     .label_ru = "Название",
     .label_en = "Name",
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY | S,
     .max = 100},
    {.name = "owner_id",
     .type = KEDR_T_INT,
     .label_ru = "Владелец",
     .flags = KEDR_COL_READONLY},
    {0},
};

/* Filters of the module's own: what a column filter cannot say. */
static const struct kedr_entity_filter t_kit_widget_filters[] = {
    {.name = "shelf_name",
     .type = KEDR_T_STRING,
     .label_ru = "Полка (название)",
     .label_en = "Shelf name",
     .sql = "t.shelf_id IN (SELECT s.id FROM t_kit.shelf s WHERE s.name = "
            "$1)"},
    {.name = "heavy",
     .type = KEDR_T_BOOL,
     .label_ru = "Тяжёлое",
     .label_en = "Heavy",
     .sql = "(t.weight > 2) = $1::boolean"},
    {0},
};

/* ABI 1.4: a jsonb column, computed members (one of them only in the
 * one-record answer), and a filter of the module's own standing for the
 * filter of a column (shelf_id: that shelf or none). */
static const struct kedr_entity_col t_kit_bin_cols[] = {
    {.name = "name",
     .type = KEDR_T_STRING,
     .label_ru = "Название",
     .flags = KEDR_REQUIRED | S},
    {.name = "shelf_id",
     .type = KEDR_T_INT,
     .label_ru = "Полка",
     .ref = "t_kit.shelf"},
    {.name = "spec",
     .type = KEDR_T_OBJECT,
     .label_ru = "Описание",
     .def = "'{}'"},
    {.name = "shelf",
     .type = KEDR_T_OBJECT,
     .label_ru = "Полка (название)",
     .sql = "SELECT json_build_object('id', s.id, 'name', s.name) FROM "
            "t_kit.shelf s WHERE s.id = t.shelf_id"},
    {.name = "updated_at",
     .type = KEDR_T_STRING,
     .label_ru = "Изменено",
     .sql = "t.updated_at"},
    {.name = "words",
     .type = KEDR_T_ARRAY,
     .label_ru = "Слова",
     .flags = KEDR_COL_DETAIL,
     .sql = "to_json(string_to_array(t.name, ' '))"},
    {0},
};

static const struct kedr_entity_filter t_kit_bin_filters[] = {
    {.name = "shelf_id",
     .type = KEDR_T_INT,
     .label_ru = "Полка или никакая",
     .sql = "t.shelf_id = $1::bigint OR t.shelf_id IS NULL"},
    {0},
};

/* The same bins without the kit's list (KEDR_ENTITY_NO_LIST). */
static const struct kedr_entity_col t_kit_lid_cols[] = {
    {.name = "name",
     .type = KEDR_T_STRING,
     .label_ru = "Название",
     .flags = KEDR_REQUIRED},
    {0},
};

/* q= on notes: a number is an id (no rank: the list's order stays),
 * anything else a fragment of the title, ranked. */
static int
t_kit_note_search(kedr_req_t *r, const char *q, struct kedr_kit_search *s)
{
    (void)r;
    if (strspn(q, "0123456789") == strlen(q) && strlen(q) <= 18) {
        s->where = "t.id = $1::bigint";
        s->params[s->nparams++] = q;
        return 0;
    }
    s->where = "strpos(lower(t.title), lower($1)) > 0";
    s->rank = "CASE WHEN lower(t.title) = lower($1) THEN 'a' WHEN "
              "strpos(lower(t.title), lower($1)) = 1 THEN 'b' ELSE 'c' END "
              "|| lower(t.title)";
    s->params[s->nparams++] = q;
    return 0;
}

static const struct kedr_entity_hooks t_kit_note_hooks = {
    .search = t_kit_note_search,
};

static const struct kedr_entity_col t_kit_note_cols[] = {
    {.name = "title",
     .type = KEDR_T_STRING,
     .label_ru = "Заголовок",
     .label_en = "Title",
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY | F | S | X,
     .max = 100},
    {0},
};

/* INN+KPP among the live persons but this one: the duplicate of `in`
 * (ABI 1.5).  With ?race=1 the first call of a request finds nothing, as
 * when another request saves the duplicate between this check and the
 * INSERT: the unique index refuses it and the kit asks again. */
static const char t_kit_person_dup_sql[] =
    "SELECT p.id FROM t_kit.person p WHERE p.inn = $1 AND coalesce(p.kpp, "
    "'') = coalesce($2, '') AND p.merged_into IS NULL AND p.id IS DISTINCT "
    "FROM $3::bigint ORDER BY p.id LIMIT 1";

static int
t_kit_person_dup(kedr_req_t *r, json_t *in, json_t *old, const char **field,
                 long long *id)
{
    static char raced[64];
    json_t *inn = json_object_get(in, "inn"), *kpp = json_object_get(in, "kpp");
    const char *race = kedr_query(r, "race");
    kedr_rows_t *rows;

    if (inn == NULL && old != NULL)
        inn = json_object_get(old, "inn");
    if (kpp == NULL && old != NULL)
        kpp = json_object_get(old, "kpp");
    if (!json_is_string(inn))
        return 0;
    if (race != NULL && strcmp(raced, kedr_request_id(r)) != 0) {
        snprintf(raced, sizeof(raced), "%s", kedr_request_id(r));
        return 0;
    }
    rows = kedr_db_query(
        r, t_kit_person_dup_sql,
        KEDR_PARAMS(json_string_value(inn), json_string_value(kpp),
                    old != NULL ? kedr_json_text(r, json_object_get(old, "id"))
                                : NULL));
    if (rows == NULL)
        return KEDR_EDB;
    if (kedr_rows_count(rows) == 0)
        return 0;
    *field = "inn";
    *id = strtoll(kedr_rows_get(rows, 0, 0), NULL, 10);
    return 1;
}

static const struct kedr_entity_hooks t_kit_person_hooks = {
    .duplicate = t_kit_person_dup,
};

static const struct kedr_entity_col t_kit_person_cols[] = {
    {.name = "name",
     .type = KEDR_T_STRING,
     .label_ru = "Имя",
     .label_en = "Name",
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY | F | S | X | KEDR_COL_SEARCH,
     .max = 200,
     .collate = "ru-RU-x-icu"},
    {.name = "code",
     .type = KEDR_T_STRING,
     .label_ru = "Код",
     .flags = F | X | KEDR_COL_UNIQUE,
     .max = 20},
    {.name = "inn",
     .type = KEDR_T_STRING,
     .label_ru = "ИНН",
     .flags = F | X,
     .max = 12},
    {.name = "kpp",
     .type = KEDR_T_STRING,
     .label_ru = "КПП",
     .flags = F | X,
     .max = 9},
    {.name = "phones",
     .type = KEDR_T_ARRAY,
     .label_ru = "Телефоны",
     .label_en = "Phones",
     .flags = F | X | KEDR_COL_SEARCH,
     .max = 5,
     .def = "'{}'",
     .rule = KEDR_RULE_PHONE},
    {.name = "emails",
     .type = KEDR_T_ARRAY,
     .label_ru = "Эл. почта",
     .label_en = "E-mails",
     .flags = F | X,
     .def = "'{}'",
     .rule = KEDR_RULE_EMAIL},
    {.name = "tags",
     .type = KEDR_T_ARRAY,
     .label_ru = "Метки",
     .label_en = "Tags",
     .flags = F | X,
     .max = 10,
     .def = "'{}'",
     .item_max = 30},
    {.name = "main_phone",
     .type = KEDR_T_STRING,
     .label_ru = "Основной телефон",
     .rule = KEDR_RULE_PHONE},
    {.name = "merged_into",
     .type = KEDR_T_INT,
     .label_ru = "Объединён с",
     .flags = KEDR_COL_READONLY},
    {0},
};

static const struct kedr_entity_col t_kit_call_cols[] = {
    {.name = "person_id",
     .type = KEDR_T_INT,
     .label_ru = "Человек",
     .flags = KEDR_REQUIRED | F,
     .ref = "t_kit.person"},
    {.name = "topic", .type = KEDR_T_STRING, .label_ru = "Тема", .flags = X},
    {0},
};

/* ABI 1.5: a box's items, a member the module writes itself: each
 * {name, qty}; `first` (an import's column) stands for one item of it. */
static int
t_kit_box_validate(kedr_req_t *r, json_t *in, json_t *old)
{
    json_t *items = json_object_get(in, "items"), *e;
    const char *first = json_string_value(json_object_get(in, "first"));
    size_t i;

    (void)old;
    if (first != NULL && items == NULL && *first != '\0')
        json_object_set_new(
            in, "items",
            items = json_pack("[{s:s, s:i}]", "name", first, "qty", 1));
    json_object_del(in, "first");
    json_array_foreach (items, i, e)
        if (!json_is_string(json_object_get(e, "name")) ||
            !json_is_integer(json_object_get(e, "qty")))
            kedr_field_error(r, kedr_sprintf(r, "items[%zu]", i),
                             "must be {name, qty}");
    return kedr_field_errors(r) > 0
               ? kedr_fail(r, KEDR_EINVAL, NULL, "invalid input")
               : 0;
}

static const char t_kit_box_items_sql[] =
    "WITH d AS (DELETE FROM t_kit.box_item WHERE box_id = $1::bigint) "
    "INSERT INTO t_kit.box_item (box_id, name, qty) SELECT $1::bigint, "
    "x.name, x.qty FROM jsonb_to_recordset($2::jsonb) AS x (name text, qty "
    "int)";

static int
t_kit_box_after(kedr_req_t *r, const char *action, json_t *old, json_t *new_)
{
    json_t *items = json_object_get(new_, "items");

    (void)old;
    (void)action;
    if (items == NULL)
        return 0; /* not in the body: kept */
    return kedr_db_exec(
               r, t_kit_box_items_sql,
               KEDR_PARAMS(kedr_json_text(r, json_object_get(new_, "id")),
                           kedr_json_text(r, items))) < 0
               ? KEDR_EDB
               : 0;
}

static const struct kedr_entity_hooks t_kit_box_hooks = {
    .validate = t_kit_box_validate,
    .after_write = t_kit_box_after,
};

static const struct kedr_entity_col t_kit_box_cols[] = {
    {.name = "name",
     .type = KEDR_T_STRING,
     .label_ru = "Название",
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY | S | X},
    {.name = "items",
     .type = KEDR_T_ARRAY,
     .label_ru = "Предметы",
     .flags = KEDR_COL_MODULE,
     .sql = "SELECT coalesce(json_agg(json_build_object('name', i.name, "
            "'qty', i.qty) ORDER BY i.id), '[]') FROM t_kit.box_item i "
            "WHERE i.box_id = t.id"},
    {.name = "first",
     .type = KEDR_T_STRING,
     .label_ru = "Первый предмет",
     .flags = KEDR_COL_MODULE},
    {.name = "count",
     .type = KEDR_T_INT,
     .label_ru = "Всего штук",
     .flags = X,
     .sql = "SELECT coalesce(sum(i.qty), 0) FROM t_kit.box_item i WHERE "
            "i.box_id = t.id"},
    {0},
};

static const struct kedr_entity t_kit_entities[] = {
    {.name = "box",
     .path = "/boxes",
     .table = "t_kit.box",
     .label_ru = "Коробки",
     .cols = t_kit_box_cols,
     .perm_read = "t_kit.read",
     .perm_write = "t_kit.write",
     .perm_delete = "t_kit.delete",
     .hooks = &t_kit_box_hooks},
    {.name = "lid",
     .path = "/lids",
     .table = "t_kit.bin",
     .label_ru = "Крышки",
     .cols = t_kit_lid_cols,
     .perm_read = "t_kit.read",
     .perm_write = "t_kit.write",
     .flags = KEDR_ENTITY_NO_LIST},
    {.name = "bin",
     .path = "/bins",
     .table = "t_kit.bin",
     .label_ru = "Ящики",
     .cols = t_kit_bin_cols,
     .perm_read = "t_kit.read",
     .perm_write = "t_kit.write",
     .filters = t_kit_bin_filters},
    {.name = "widget",
     .path = "/widgets",
     .table = "t_kit.widget",
     .label_ru = "Изделия",
     .label_en = "Widgets",
     .cols = t_kit_widget_cols,
     .perm_read = "t_kit.read",
     .perm_write = "t_kit.write",
     .perm_delete = "t_kit.delete",
     .own = T_KIT_OWN,
     .flags = KEDR_ENTITY_ARCHIVE | KEDR_ENTITY_ATTRS,
     .hooks = &t_kit_widget_hooks,
     .filters = t_kit_widget_filters},
    {.name = "shelf",
     .path = "/shelves",
     .table = "t_kit.shelf",
     .label_ru = "Полки",
     .label_en = "Shelves",
     .cols = t_kit_shelf_cols,
     .perm_read = "t_kit.read",
     .perm_write = "t_kit.write",
     .own = T_KIT_OWN},
    {.name = "note",
     .path = "/notes",
     .table = "t_kit.note",
     .label_ru = "Заметки",
     .label_en = "Notes",
     .cols = t_kit_note_cols,
     .perm_read = "t_kit.read",
     .perm_write = "t_kit.write",
     .hooks = &t_kit_note_hooks,
     .sort = "title"},
    {.name = "person",
     .path = "/persons",
     .table = "t_kit.person",
     .label_ru = "Люди",
     .label_en = "Persons",
     .cols = t_kit_person_cols,
     .perm_read = "t_kit.read",
     .perm_write = "t_kit.write",
     .perm_delete = "t_kit.delete",
     .flags = KEDR_ENTITY_ARCHIVE | KEDR_ENTITY_DELETE_ARCHIVES,
     .hooks = &t_kit_person_hooks,
     .sort = "name",
     .where = "t.merged_into IS NULL",
     .title = "name"},
    {.name = "call",
     .path = "/calls",
     .table = "t_kit.call",
     .label_ru = "Звонки",
     .cols = t_kit_call_cols,
     .perm_read = "t_kit.read",
     .perm_write = "t_kit.write"},
    {0},
};

static const struct kedr_permission t_kit_permissions[] = {
    {.name = "t_kit.read", .label_ru = "Читать", .label_en = "Read"},
    {.name = "t_kit.write", .label_ru = "Писать", .label_en = "Write"},
    {.name = "t_kit.delete", .label_ru = "Удалять", .label_en = "Delete"},
    {0},
};

static const struct kedr_hook t_kit_hooks[] = {
    {.event = "t_kit.widget.created", .fn = t_kit_on_event},
    {.event = "t_kit.widget.updated", .fn = t_kit_on_event},
    {.event = "t_kit.widget.archived", .fn = t_kit_on_event},
    {.event = "t_kit.widget.restored", .fn = t_kit_on_event},
    {.event = "t_kit.widget.deleted", .fn = t_kit_on_event},
    {.event = "t_kit.box.created", .fn = t_kit_on_box},
    {.event = "t_kit.box.updated", .fn = t_kit_on_box},
    {0},
};

/* no www/: the shell draws these entities' screens from their metadata
 * (tests/e2e/entity-screens.test.js) */
static const struct kedr_ui t_kit_ui[] = {
    {.path = "/t_kit/widgets", .label_ru = "Изделия", .label_en = "Widgets"},
    {.path = "/t_kit/shelves", .label_ru = "Полки", .label_en = "Shelves"},
    {.path = "/t_kit/persons", .label_ru = "Люди", .label_en = "Persons"},
    {0},
};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,   .name = "t_kit",
    .version = "1.0.0",   .permissions = t_kit_permissions,
    .hooks = t_kit_hooks, .entities = t_kit_entities,
    .ui = t_kit_ui,
};
