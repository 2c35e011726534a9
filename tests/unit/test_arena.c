/*
 * test_arena.c -- core/arena.c: allocation alignment, chunk crossing, big
 * blocks, string helpers, cleanups (last registered first), reuse after
 * clear, the growable kedr_buf and the kedr_x* helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static int
arena_setup(void **state)
{
    struct kedr_arena *a = malloc(sizeof(*a));

    if (a == NULL)
        return -1;
    kedr_arena_init(a);
    *state = a;
    return 0;
}

static int
arena_teardown(void **state)
{
    struct kedr_arena *a = *state;

    kedr_arena_release(a);
    free(a);
    return 0;
}

/* make asan builds the arena with one malloc'd block per allocation
 * (KEDR_ARENA_MALLOC): the tests of the chunk layout do not apply. */
#ifdef KEDR_ARENA_MALLOC
static const bool per_alloc = true;
#else
static const bool per_alloc = false;
#endif

static bool
aligned(const void *p)
{
    return (uintptr_t)p % 16 == 0 && (uintptr_t)p % _Alignof(max_align_t) == 0;
}

/* ------------------------------------------------------------------ */

static void
test_init(void **state)
{
    struct kedr_arena a;

    (void)state;
    kedr_arena_init(&a);
    assert_null(a.head);
    assert_null(a.cleanups);
    assert_int_equal(a.used, 0);
    /* clearing or releasing an unused arena is fine */
    kedr_arena_clear(&a);
    assert_null(a.head);
    kedr_arena_release(&a);
    assert_null(a.head);
}

static void
test_alignment(void **state)
{
    struct kedr_arena *a = *state;
    char *prev = NULL;
    size_t prev_size = 0;

    for (size_t size = 0; size < 200; size++) {
        char *p = kedr_arena_alloc(a, size);

        assert_non_null(p);
        if (!aligned(p))
            fail_msg("alloc(%zu) = %p is not aligned", size, (void *)p);
        /* no overlap with the previous block */
        if (prev != NULL && p > prev)
            assert_true(p >= prev + prev_size);
        memset(p, 0x5a, size);
        prev = p;
        prev_size = size;
    }
    /* odd sizes, a big block, and what follows it */
    assert_true(aligned(kedr_arena_alloc(a, 1)));
    assert_true(aligned(kedr_arena_alloc(a, 100000)));
    assert_true(aligned(kedr_arena_alloc(a, 3)));
    assert_true(aligned(kedr_arena_calloc(a, 7)));
    assert_true(aligned(kedr_arena_strdup(a, "x")));
    assert_true(aligned(kedr_arena_sprintf(a, "%d", 1)));
}

static void
test_zero_size(void **state)
{
    struct kedr_arena *a = *state;
    void *p = kedr_arena_alloc(a, 0);
    void *q = kedr_arena_alloc(a, 0);

    /* never NULL, and distinct */
    assert_non_null(p);
    assert_non_null(q);
    assert_ptr_not_equal(p, q);
}

static void
test_used(void **state)
{
    struct kedr_arena *a = *state;

    assert_int_equal(a->used, 0);
    kedr_arena_alloc(a, 1);
    assert_int_equal(a->used, 16);
    kedr_arena_alloc(a, 16);
    assert_int_equal(a->used, 32);
    kedr_arena_alloc(a, 17);
    assert_int_equal(a->used, 64);
    kedr_arena_alloc(a, 50000);
    assert_int_equal(a->used, 64 + 50000);
    kedr_arena_clear(a);
    assert_int_equal(a->used, 0);
}

static void
test_many_small_cross_chunks(void **state)
{
    struct kedr_arena *a = *state;
    enum { N = 5000 };
    unsigned char **ptrs = calloc(N, sizeof(*ptrs));
    size_t total = 0;

    assert_non_null(ptrs);
    /* about 300 KB in small blocks: many chunks */
    for (int i = 0; i < N; i++) {
        size_t size = 24 + (size_t)(i % 77);

        ptrs[i] = kedr_arena_alloc(a, size);
        assert_true(aligned(ptrs[i]));
        memset(ptrs[i], i & 0xff, size);
        total += (size + 15) & ~(size_t)15;
    }
    assert_int_equal(a->used, total);
    for (int i = 0; i < N; i++) {
        size_t size = 24 + (size_t)(i % 77);

        for (size_t j = 0; j < size; j++)
            if (ptrs[i][j] != (unsigned char)(i & 0xff))
                fail_msg("block %d byte %zu overwritten", i, j);
    }
    free(ptrs);
}

static void
test_big_alloc(void **state)
{
    struct kedr_arena *a = *state;
    unsigned char *small1, *big, *small2, *big2, *huge;

    small1 = kedr_arena_alloc(a, 32);
    memset(small1, 1, 32);
    big = kedr_arena_alloc(a, 100000);
    memset(big, 2, 100000);
    small2 = kedr_arena_alloc(a, 32);
    memset(small2, 3, 32);
    /* a big block gets its own chunk: the current one stays in use */
    if (!per_alloc)
        assert_ptr_equal(small2, small1 + 32);
    big2 = kedr_arena_alloc(a, 4097);
    memset(big2, 4, 4097);
    huge = kedr_arena_alloc(a, 8 << 20);
    memset(huge, 5, 8 << 20);

    for (int i = 0; i < 32; i++) {
        assert_int_equal(small1[i], 1);
        assert_int_equal(small2[i], 3);
    }
    for (int i = 0; i < 100000; i++)
        if (big[i] != 2)
            fail_msg("big block byte %d overwritten", i);
    for (int i = 0; i < 4097; i++)
        assert_int_equal(big2[i], 4);
    assert_int_equal(huge[0], 5);
    assert_int_equal(huge[(8 << 20) - 1], 5);
}

static void
test_big_alloc_first(void **state)
{
    struct kedr_arena *a = *state;
    unsigned char *big, *small;

    /* a big block in an empty arena, then small ones */
    big = kedr_arena_alloc(a, 20000);
    memset(big, 7, 20000);
    small = kedr_arena_alloc(a, 16);
    memset(small, 8, 16);
    assert_true(small + 16 <= big || small >= big + 20000);
    assert_int_equal(big[19999], 7);
    kedr_arena_clear(a);
    small = kedr_arena_alloc(a, 16);
    memset(small, 9, 16);
}

static void
test_arena_calloc(void **state)
{
    struct kedr_arena *a = *state;
    unsigned char *p;

    /* dirty the memory, clear, then calloc must still give zeroes */
    p = kedr_arena_alloc(a, 4000);
    memset(p, 0xff, 4000);
    kedr_arena_clear(a);
    p = kedr_arena_calloc(a, 4000);
    for (int i = 0; i < 4000; i++)
        assert_int_equal(p[i], 0);
    p = kedr_arena_calloc(a, 50000);
    for (int i = 0; i < 50000; i++)
        assert_int_equal(p[i], 0);
    assert_non_null(kedr_arena_calloc(a, 0));
}

static void
test_strdup(void **state)
{
    struct kedr_arena *a = *state;
    char big[20000];
    const char *s = "hello";
    char *p;

    p = kedr_arena_strdup(a, s);
    assert_string_equal(p, "hello");
    assert_ptr_not_equal(p, s);
    assert_string_equal(kedr_arena_strdup(a, ""), "");
    assert_string_equal(kedr_arena_strdup(a, "Привет"), "Привет");

    assert_string_equal(kedr_arena_strndup(a, "abcdef", 3), "abc");
    assert_string_equal(kedr_arena_strndup(a, "abcdef", 0), "");
    /* strndup copies exactly n bytes, NULs included, and terminates */
    p = kedr_arena_strndup(a, "a\0b", 3);
    assert_memory_equal(p, "a\0b\0", 4);

    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    p = kedr_arena_strdup(a, big);
    assert_string_equal(p, big);
}

static char *arena_vsprintf_wrap(struct kedr_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *
arena_vsprintf_wrap(struct kedr_arena *a, const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = kedr_arena_vsprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

static void
test_sprintf(void **state)
{
    struct kedr_arena *a = *state;
    char want[2048];
    char fill[1100];
    static const size_t lens[] = {0, 1, 254, 255, 256, 257, 1000};

    assert_string_equal(kedr_arena_sprintf(a, "%s-%d-%05.1f", "x", 42, 3.14),
                        "x-42-003.1");
    assert_string_equal(kedr_arena_sprintf(a, "%s", ""), "");
    assert_string_equal(kedr_arena_sprintf(a, "no args"), "no args");

    /* around the 256-byte first attempt, and well past it */
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        char *p;

        memset(fill, 'a' + (int)(i % 26), lens[i]);
        fill[lens[i]] = '\0';
        p = kedr_arena_sprintf(a, "%s", fill);
        assert_int_equal(strlen(p), lens[i]);
        assert_string_equal(p, fill);
    }
    /* long output that needs the arguments read twice */
    memset(fill, 'z', 600);
    fill[600] = '\0';
    snprintf(want, sizeof(want), "<%s|%d|%s|%ld>", fill, -12345, "tail",
             9876543210L);
    assert_string_equal(kedr_arena_sprintf(a, "<%s|%d|%s|%ld>", fill, -12345,
                                           "tail", 9876543210L),
                        want);
    assert_string_equal(arena_vsprintf_wrap(a, "<%s|%d|%s|%ld>", fill, -12345,
                                            "tail", 9876543210L),
                        want);
    assert_string_equal(arena_vsprintf_wrap(a, "%d+%d", 2, 2), "2+2");
}

/* Cleanups append their tag to a log. */
struct cleanup_log {
    char order[32];
    int n;
};

struct cleanup_arg {
    struct cleanup_log *log;
    char tag;
};

static void
cleanup_record(void *arg)
{
    struct cleanup_arg *c = arg;

    c->log->order[c->log->n++] = c->tag;
    c->log->order[c->log->n] = '\0';
}

static void
test_cleanups_reverse_order(void **state)
{
    struct kedr_arena *a = *state;
    struct cleanup_log log = {{0}, 0};
    struct cleanup_arg args[] = {
        {&log, '1'}, {&log, '2'}, {&log, '3'}, {&log, '4'}};

    for (int i = 0; i < 3; i++)
        kedr_arena_on_cleanup(a, cleanup_record, &args[i]);
    /* allocations in between do not disturb them */
    kedr_arena_alloc(a, 100000);
    for (int i = 0; i < 500; i++)
        kedr_arena_alloc(a, 100);
    assert_string_equal(log.order, "");
    kedr_arena_clear(a);
    assert_string_equal(log.order, "321");
    assert_null(a->cleanups);
    /* run once only */
    kedr_arena_clear(a);
    assert_string_equal(log.order, "321");

    /* registered after a clear: run at the next one, and on release */
    kedr_arena_on_cleanup(a, cleanup_record, &args[3]);
    kedr_arena_on_cleanup(a, cleanup_record, &args[0]);
    kedr_arena_release(a);
    assert_string_equal(log.order, "32114");
    kedr_arena_init(a);
}

static void
test_reuse_after_clear(void **state)
{
    struct kedr_arena *a = *state;
    char *first, *again;

    first = kedr_arena_alloc(a, 64);
    memset(first, 1, 64);
    for (int i = 0; i < 1000; i++)
        kedr_arena_alloc(a, 100); /* a few more chunks */
    kedr_arena_alloc(a, 100000);
    kedr_arena_clear(a);
    assert_int_equal(a->used, 0);
    assert_null(a->cleanups);
    /* one chunk is kept for the next request */
    if (!per_alloc)
        assert_non_null(a->head);

    for (int round = 0; round < 5; round++) {
        char *p = kedr_arena_alloc(a, 64);

        memset(p, round, 64);
        again = kedr_arena_strdup(a, "again");
        assert_string_equal(again, "again");
        for (int i = 0; i < 300; i++)
            memset(kedr_arena_alloc(a, 200), round, 200);
        assert_int_equal(p[63], round);
        kedr_arena_clear(a);
    }
}

static void
test_reuse_keeps_first_chunk(void **state)
{
    struct kedr_arena *a = *state;
    char *p, *q;

    if (per_alloc)
        skip();
    /* one chunk in use: the same memory serves the next request */
    p = kedr_arena_alloc(a, 64);
    kedr_arena_clear(a);
    q = kedr_arena_alloc(a, 64);
    assert_ptr_equal(p, q);
}

static void
test_buf(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_buf b;

    kedr_buf_init(&b, a);
    assert_ptr_equal(b.arena, a);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);

    kedr_buf_adds(&b, "");
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    kedr_buf_adds(&b, "Status: 200 OK\r\n");
    kedr_buf_addf(&b, "Content-Length: %d\r\n", 12);
    kedr_buf_add(&b, "\r\nbody", 6);
    assert_string_equal(b.data,
                        "Status: 200 OK\r\nContent-Length: 12\r\n\r\nbody");
    assert_int_equal(b.len, strlen(b.data));
    assert_true(b.cap > b.len);

    /* binary data with NULs */
    kedr_buf_add(&b, "\0x\0", 3);
    assert_memory_equal(b.data + b.len - 3, "\0x\0", 3);
    assert_int_equal(b.data[b.len], '\0');
}

static void
test_buf_growth(void **state)
{
    struct kedr_arena *a = *state;
    struct kedr_buf b;
    char piece[100], longs[700];
    size_t prev_cap = 0;
    int grows = 0;

    kedr_buf_init(&b, a);
    /* 10000 lines: the buffer grows past several chunks */
    for (int i = 0; i < 10000; i++) {
        int n = snprintf(piece, sizeof(piece), "line %05d\n", i);

        kedr_buf_add(&b, piece, (size_t)n);
        assert_true(b.cap >= b.len + 1);
        assert_int_equal(b.data[b.len], '\0');
        if (b.cap != prev_cap) {
            grows++;
            prev_cap = b.cap;
        }
    }
    assert_int_equal(b.len, 10000 * 11);
    assert_true(grows >= 5);
    for (int i = 0; i < 10000; i += 997) {
        snprintf(piece, sizeof(piece), "line %05d\n", i);
        assert_memory_equal(b.data + (size_t)i * 11, piece, 11);
    }

    /* one add bigger than twice the capacity */
    kedr_buf_init(&b, a);
    kedr_buf_adds(&b, "x");
    {
        size_t n = 50000;
        char *blob = malloc(n);

        assert_non_null(blob);
        memset(blob, 'b', n);
        kedr_buf_add(&b, blob, n);
        free(blob);
    }
    assert_int_equal(b.len, 50001);
    assert_true(b.cap >= 50002);
    assert_int_equal(b.data[0], 'x');
    assert_int_equal(b.data[50000], 'b');
    assert_int_equal(b.data[50001], '\0');

    /* addf longer than 256 bytes */
    kedr_buf_init(&b, a);
    memset(longs, 'L', 600);
    longs[600] = '\0';
    kedr_buf_addf(&b, "[%s]%d", longs, 7);
    assert_int_equal(b.len, 603);
    assert_int_equal(b.data[0], '[');
    assert_int_equal(b.data[601], ']');
    assert_string_equal(b.data + 602, "7");
}

static void
test_x_helpers(void **state)
{
    unsigned char *p;
    char *s;

    (void)state;
    p = kedr_xmalloc(0);
    assert_non_null(p);
    free(p);
    p = kedr_xcalloc(100, 3);
    for (int i = 0; i < 300; i++)
        assert_int_equal(p[i], 0);
    p = kedr_xrealloc(p, 10000);
    assert_int_equal(p[299], 0);
    free(p);
    p = kedr_xcalloc(0, 0);
    assert_non_null(p);
    free(p);
    s = kedr_xstrdup("Привет");
    assert_string_equal(s, "Привет");
    free(s);
}

#define ARENA_TEST(f)                                                          \
    cmocka_unit_test_setup_teardown(f, arena_setup, arena_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        ARENA_TEST(test_alignment),
        ARENA_TEST(test_zero_size),
        ARENA_TEST(test_used),
        ARENA_TEST(test_many_small_cross_chunks),
        ARENA_TEST(test_big_alloc),
        ARENA_TEST(test_big_alloc_first),
        ARENA_TEST(test_arena_calloc),
        ARENA_TEST(test_strdup),
        ARENA_TEST(test_sprintf),
        ARENA_TEST(test_cleanups_reverse_order),
        ARENA_TEST(test_reuse_after_clear),
        ARENA_TEST(test_reuse_keeps_first_chunk),
        ARENA_TEST(test_buf),
        ARENA_TEST(test_buf_growth),
        cmocka_unit_test(test_x_helpers),
    };

    kedr_log_level = -1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
