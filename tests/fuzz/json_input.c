/*
 * json_input.c -- fuzz a JSON request body the way core/server.c takes
 * it: json_loadb with JSON_REJECT_DUPLICATES, the generic bounds
 * (kedr_json_bounds_check: nesting, list lengths, object keys), then
 * kedr_input_validate (lib/http.c) against a spec using every kedr_type
 * and flag, then the 400/422 error response rendered from the field
 * errors.
 *
 * Input: the body bytes.  Oracles: the error count equals the number of
 * fields named in the errors, is zero for an empty spec only when the
 * body is an empty object, and the rendered response head is well formed.
 */
#include <string.h>

#include "fuzz.h"

static const struct kedr_field fuzz_spec[] = {
    {.name = "any", .type = KEDR_T_ANY},
    {.name = "name",
     .type = KEDR_T_STRING,
     .flags = KEDR_REQUIRED | KEDR_NONEMPTY,
     .max = 50},
    {.name = "note", .type = KEDR_T_STRING},
    {.name = "lang", .type = KEDR_T_STRING, .flags = KEDR_NONEMPTY, .max = 2},
    {.name = "qty", .type = KEDR_T_INT, .min = 0, .max = 1000},
    {.name = "id", .type = KEDR_T_INT, .flags = KEDR_REQUIRED},
    {.name = "rate", .type = KEDR_T_NUMBER, .min = -1.5, .max = 1e6},
    {.name = "ratio", .type = KEDR_T_NUMBER},
    {.name = "active", .type = KEDR_T_BOOL},
    {.name = "meta", .type = KEDR_T_OBJECT},
    {.name = "tags", .type = KEDR_T_ARRAY, .max = 3},
    {.name = "items", .type = KEDR_T_ARRAY},
    {.name = "price", .type = KEDR_T_MONEY, .flags = KEDR_REQUIRED},
    {.name = "total", .type = KEDR_T_MONEY},
    {.name = "due", .type = KEDR_T_DATE},
    {.name = "born", .type = KEDR_T_DATE, .flags = KEDR_REQUIRED},
    {0},
};

static const struct kedr_field fuzz_empty_spec[] = {{0}};

static const struct kedr_json_bounds fuzz_bounds = {
    .max_depth = 4, .max_items = 5, .max_keys = 6, .spec = fuzz_spec};

/* Validate against `spec`; returns the error count after checking it. */
static int
fuzz_validate(const struct kedr_field *spec, json_t *body, json_t *fields)
{
    int n = kedr_input_validate(spec, body, fields);

    FUZZ_CHECK(n >= 0 && (size_t)n == json_object_size(fields));
    return n;
}

/* What server.c answers: the error in the one shape, then the head. */
static void
fuzz_respond(struct kedr_req *r)
{
    struct kedr_buf head;

    kedr_req_error_response(r, r->err_code);
    FUZZ_CHECK(r->status == 400 || r->status == 422);
    FUZZ_CHECK(r->out != NULL && strlen(r->out) == r->outlen);
    kedr_buf_init(&head, &r->arena);
    kedr_req_render_head(r, &head);
    fuzz_check_head(head.data, head.len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kedr_req r;
    json_error_t jerr;
    json_t *body, *fields;
    const char *k;
    json_t *v;
    int nbad;

    fuzz_quiet();
    memset(&r, 0, sizeof(r));
    kedr_arena_init(&r.arena);
    kedr_req_reset(&r);
    r.method = "POST";
    r.path = "/api/v1/hello/greetings";
    r.rid = "fuzz-request-0001";
    body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (body == NULL) {
        kedr_req_fail(&r, KEDR_EBADREQ, NULL,
                      "malformed JSON at line %d column %d: %s", jerr.line,
                      jerr.column, jerr.text);
        fuzz_respond(&r);
        goto out;
    }
    fields = json_object();
    /* small bounds, so that short inputs reach every refusal */
    nbad = kedr_json_bounds_check(body, &fuzz_bounds, fields);
    FUZZ_CHECK(nbad == -1 || (size_t)nbad == json_object_size(fields));
    if (nbad < 0)
        kedr_req_fail(&r, KEDR_EBADREQ, NULL, "JSON nested too deep");
    else if (nbad > 0)
        kedr_req_fail(&r, KEDR_EINVAL, NULL, "invalid input");
    if (nbad != 0) {
        json_object_foreach (fields, k, v)
            kedr_core_api.field_error(&r, k, json_string_value(v));
        fuzz_respond(&r);
        kedr_req_reset(&r);
        r.method = "POST";
        r.path = "/api/v1/hello/greetings";
        r.rid = "fuzz-request-0001";
    }
    json_object_clear(fields);
    FUZZ_CHECK((fuzz_validate(fuzz_empty_spec, body, fields) == 0) ==
               (json_is_object(body) && json_object_size(body) == 0));
    json_object_clear(fields);
    if (fuzz_validate(fuzz_spec, body, fields) > 0) {
        json_object_foreach (fields, k, v)
            kedr_core_api.field_error(&r, k, json_string_value(v));
        kedr_req_fail(&r, KEDR_EINVAL, NULL, "invalid input");
        fuzz_respond(&r);
    }
    json_decref(fields);
    json_decref(body);
out:
    kedr_arena_release(&r.arena);
    return 0;
}
