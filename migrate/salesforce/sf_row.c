/*
 * sf_row.c -- one record of a Salesforce export file, cleansed by its
 * object's mapping: the row Kedr loads (one text or null per output
 * column) and what was done to it (field, action, reason), with running
 * counts for the migration's report.  Pure: the orchestrator reads records
 * (kedr_csv_next), calls kedr_sf_row_clean and COPYs what comes back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

static const char *const row_action_names[] = {
    [KEDR_SF_A_TRIMMED] = "trimmed",   [KEDR_SF_A_REPAIRED] = "repaired",
    [KEDR_SF_A_CLEARED] = "cleared",   [KEDR_SF_A_REJECTED] = "rejected",
    [KEDR_SF_A_REPORTED] = "reported",
};

const char *
kedr_sf_action_name(int action)
{
    return action >= 0 && action <= KEDR_SF_A_REPORTED
               ? row_action_names[action]
               : "?";
}

/* A header cell as a name: UTF-8 in the file's encoding, no BOM, no
 * white space around it; "" when it does not convert. */
static const char *
row_header_name(struct kedr_sf_conv *cv, struct kedr_arena *a, const char *s)
{
    const char *u = kedr_sf_to_utf8(cv, a, s);
    bool changed;

    if (u == NULL)
        return "";
    if (strncmp(u, "\xef\xbb\xbf", 3) == 0)
        u += 3;
    return kedr_sf_space(a, u, false, &changed);
}

/* The index of `name` among the output columns, or -1. */
static int
row_col_index(const struct kedr_sf_header *h, const char *name)
{
    for (size_t i = 0; i < h->ncols; i++)
        if (strcmp(h->cols[i], name) == 0)
            return (int)i;
    return -1;
}

int
kedr_sf_header_init(struct kedr_sf_header *h, const struct kedr_sf_object *obj,
                    struct kedr_sf_conv *cv, const struct kedr_csv_rec *hdr,
                    struct kedr_arena *a)
{
    const char **names = kedr_arena_alloc(a, (hdr->n + 1) * sizeof(char *));
    bool required_missing = false;

    memset(h, 0, sizeof(*h));
    h->obj = obj;
    h->ncells = hdr->n;
    h->deleted_col = -1;
    for (size_t i = 0; i < hdr->n; i++) {
        names[i] = row_header_name(cv, a, hdr->cells[i]);
        if (strcasecmp(names[i], "IsDeleted") == 0)
            h->deleted_col = (int)i;
    }
    h->col = kedr_arena_alloc(a, (obj->nfields + 1) * sizeof(int));
    h->missing = kedr_arena_alloc(a, (obj->nfields + 1) * sizeof(char *));
    h->cols = kedr_arena_alloc(a, (obj->nfields + obj->ndefaults + 1) *
                                      sizeof(char *));
    for (size_t f = 0; f < obj->nfields; f++) {
        h->col[f] = -1;
        for (size_t i = 0; i < hdr->n && h->col[f] < 0; i++)
            if (strcasecmp(names[i], obj->fields[f].from) == 0)
                h->col[f] = (int)i;
        if (h->col[f] < 0) {
            h->missing[h->nmissing++] = obj->fields[f].from;
            required_missing = required_missing || obj->fields[f].required;
        }
        h->cols[h->ncols++] = obj->fields[f].to;
    }
    for (size_t d = 0; d < obj->ndefaults; d++)
        if (row_col_index(h, obj->defaults[d].to) < 0)
            h->cols[h->ncols++] = obj->defaults[d].to;
    return required_missing ? -1 : 0;
}

/* The row being cleansed. */
struct row_ctx {
    struct kedr_sf_conv *cv;
    struct kedr_arena *a;
    struct kedr_sf_row *row;
    struct kedr_sf_counts *n;
    size_t cap;
};

static void
row_action(struct row_ctx *x, const char *field, int action, const char *reason)
{
    struct kedr_sf_row *row = x->row;

    if (row->nactions == x->cap) {
        size_t cap = x->cap == 0 ? 4 : 2 * x->cap;
        struct kedr_sf_action *grown =
            kedr_arena_alloc(x->a, cap * sizeof(*grown));

        if (row->nactions > 0)
            memcpy(grown, row->actions, row->nactions * sizeof(*grown));
        row->actions = grown;
        x->cap = cap;
    }
    row->actions[row->nactions].field = field;
    row->actions[row->nactions].action = action;
    row->actions[row->nactions].reason = reason;
    row->nactions++;
}

/* -12, 3.5: Salesforce's number text (a point, no grouping). */
static bool
row_number(const char *s)
{
    size_t i = s[0] == '-' ? 1 : 0, digits = 0;

    for (; s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (digits > 0 && s[i] == '.') {
        size_t frac = 0;

        for (i++; s[i] >= '0' && s[i] <= '9'; i++)
            frac++;
        if (frac == 0)
            return false;
    }
    return digits > 0 && s[i] == '\0';
}

/*
 * A value by its field's type: *out the value to store (arena, or the
 * text itself), NULL for null.  Returns NULL when it converts, else why
 * not.  An unknown picklist value is no failure: it is handled here by
 * the field's `unknown` and reported.
 */
static const char *
row_typed(struct row_ctx *x, const struct kedr_sf_field *f, const char *v,
          const char **out)
{
    char id[19], ts[KEDR_SF_TS_SIZE], day[11], e164[32];
    const char *why;
    int b;

    *out = v;
    switch (f->type) {
    case KEDR_SF_ID:
        if (!kedr_sf_id18(v, id))
            return "not a Salesforce id";
        *out = kedr_arena_strdup(x->a, id);
        return NULL;
    case KEDR_SF_REF:
        b = kedr_sf_ref(v, id);
        if (b < 0)
            return "not a Salesforce id";
        *out = b == 0 ? NULL : kedr_arena_strdup(x->a, id);
        return NULL;
    case KEDR_SF_BOOL:
        b = kedr_sf_bool(v);
        if (b < 0)
            return "not a boolean (0/1, true/false)";
        *out = b ? "true" : "false";
        return NULL;
    case KEDR_SF_DATETIME:
        if (kedr_sf_datetime(v, ts) != 0)
            return "not a datetime (YYYY-MM-DD HH:MM:SS or ISO 8601)";
        *out = kedr_arena_strdup(x->a, ts);
        return NULL;
    case KEDR_SF_DATE:
        if (kedr_sf_date(v, day) != 0)
            return "not a date (YYYY-MM-DD)";
        *out = kedr_arena_strdup(x->a, day);
        return NULL;
    case KEDR_SF_NUMBER:
        return row_number(v) ? NULL : "not a number";
    case KEDR_SF_PHONE:
        if (!kedr_ru_phone_e164(v, e164, sizeof(e164)))
            return "not a phone number";
        *out = kedr_arena_strdup(x->a, e164);
        return NULL;
    case KEDR_SF_EMAIL:
        return kedr_value_email_valid(v) ? NULL : "not an e-mail address";
    case KEDR_SF_INN:
        return kedr_ru_inn_problem(v);
    case KEDR_SF_KPP:
        return kedr_ru_kpp_problem(v);
    case KEDR_SF_OGRN:
        return kedr_ru_ogrn_problem(v);
    case KEDR_SF_PICKLIST:
        for (size_t i = 0; i < f->npicks; i++)
            if (strcmp(f->picks[i].from, v) == 0) {
                *out = f->picks[i].to;
                return NULL;
            }
        x->n->unknown_picklist++;
        why = kedr_arena_sprintf(x->a, "unknown picklist value \"%s\"", v);
        if (f->unknown == KEDR_SF_UNKNOWN_REPORT) {
            *out = NULL;
            row_action(x, f->to, KEDR_SF_A_CLEARED, why);
            x->n->cleared++;
        } else {
            if (f->unknown == KEDR_SF_UNKNOWN_DEFAULT)
                *out = f->unknown_value;
            row_action(x, f->to, KEDR_SF_A_REPORTED,
                       f->unknown == KEDR_SF_UNKNOWN_KEEP
                           ? kedr_arena_sprintf(x->a, "%s, kept", why)
                           : kedr_arena_sprintf(x->a, "%s, \"%s\" instead", why,
                                                f->unknown_value));
        }
        return NULL;
    default:
        return NULL;
    }
}

/* One field of the row: its cell through every step (the file's
 * encoding, mojibake, white space, empty, type); the value, or NULL. */
static const char *
row_field(struct row_ctx *x, const struct kedr_sf_field *f, const char *cell,
          int mojibake)
{
    const char *v, *why, *out;
    bool changed;

    if (cell == NULL)
        return NULL; /* the file has no such column */
    v = kedr_sf_to_utf8(x->cv, x->a, cell);
    if (v == NULL) {
        why = "not text in the file's encoding";
        goto invalid;
    }
    if (mojibake != KEDR_SF_MOJI_OFF) {
        const char *fixed;
        int verdict = kedr_sf_mojibake(x->cv, x->a, v, &fixed);

        if (verdict == KEDR_SF_REPAIRED && mojibake == KEDR_SF_MOJI_REPAIR) {
            row_action(
                x, f->to, KEDR_SF_A_REPAIRED,
                kedr_arena_sprintf(x->a, "double-encoded UTF-8: \"%s\"", v));
            x->n->repaired++;
            v = fixed;
        } else if (verdict != KEDR_SF_CLEAN) {
            row_action(x, f->to, KEDR_SF_A_REPORTED,
                       verdict == KEDR_SF_REPAIRED
                           ? "double-encoded UTF-8 (left as it is)"
                           : "may be double-encoded UTF-8");
            x->n->suspect++;
        }
    }
    if (f->trim || f->collapse) {
        v = kedr_sf_space(x->a, v, f->collapse, &changed);
        if (changed) {
            row_action(x, f->to, KEDR_SF_A_TRIMMED,
                       f->collapse ? "white space trimmed and collapsed"
                                   : "white space trimmed");
            x->n->trimmed++;
        }
    }
    if (v[0] == '\0') {
        if (!f->required)
            return NULL;
        why = "required, and empty";
        goto invalid;
    }
    why = row_typed(x, f, v, &out);
    if (why == NULL) {
        if (out == NULL && f->required && f->type == KEDR_SF_REF) {
            why = "required, and a null lookup";
            goto invalid;
        }
        return out;
    }
invalid:
    x->n->invalid++;
    if (f->on_invalid == KEDR_SF_REJECT) {
        row_action(x, f->to, KEDR_SF_A_REJECTED, why);
        x->row->status = KEDR_SF_ROW_REJECTED;
    } else {
        row_action(x, f->to, KEDR_SF_A_CLEARED, why);
        x->n->cleared++;
    }
    return NULL;
}

int
kedr_sf_row_clean(const struct kedr_sf_header *h, struct kedr_sf_conv *cv,
                  int mojibake, const struct kedr_csv_rec *rec,
                  struct kedr_arena *a, struct kedr_sf_row *row,
                  struct kedr_sf_counts *n)
{
    const struct kedr_sf_object *obj = h->obj;
    struct row_ctx x = {cv, a, row, n, 0};

    memset(row, 0, sizeof(*row));
    row->line = rec->line;
    row->status = KEDR_SF_ROW_OK;
    row->values = kedr_arena_calloc(a, (h->ncols + 1) * sizeof(char *));
    n->rows++;
    if (rec->n != h->ncells) {
        row_action(&x, NULL, KEDR_SF_A_REJECTED,
                   kedr_arena_sprintf(a, "%zu cells where the header has %zu",
                                      rec->n, h->ncells));
        row->status = KEDR_SF_ROW_REJECTED;
        n->rejected++;
        return row->status;
    }
    if (obj->drop_deleted && h->deleted_col >= 0) {
        bool changed;
        const char *d =
            kedr_sf_space(a, rec->cells[h->deleted_col], false, &changed);

        if (kedr_sf_bool(d) == 1) {
            row->status = KEDR_SF_ROW_DELETED;
            n->deleted++;
            return row->status;
        }
    }
    for (size_t f = 0; f < obj->nfields; f++)
        row->values[f] =
            row_field(&x, &obj->fields[f],
                      h->col[f] >= 0 ? rec->cells[h->col[f]] : NULL, mojibake);
    for (size_t d = 0; d < obj->ndefaults; d++) {
        int c = row_col_index(h, obj->defaults[d].to);

        if (c >= 0 && row->values[c] == NULL)
            row->values[c] = obj->defaults[d].value;
    }
    if (row->status == KEDR_SF_ROW_REJECTED)
        n->rejected++;
    else
        n->ok++;
    return row->status;
}
