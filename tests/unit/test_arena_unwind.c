/*
 * test_arena_unwind.c -- core/arena.c: an allocation that fails with a
 * recovery point set unwinds to it (siglongjmp) instead of aborting, the
 * recovery point is disarmed before the jump, and the arena stays usable.
 *
 * A real malloc failure cannot be forced here; a size no allocation can
 * have takes the same path.  make fault drives injected failures, the
 * cleanup that runs when its own record fails included, through a running
 * server (tests/api/fault.test.js).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core.h"

#define HUGE_SIZE (SIZE_MAX - 64)

/* Allocate HUGE_SIZE under a recovery point; true when it unwound. */
static bool
huge_alloc_unwinds(struct kedr_arena *a)
{
    sigjmp_buf recover;

    if (sigsetjmp(recover, 0) != 0)
        return true;
    a->recover = &recover;
    (void)kedr_arena_alloc(a, HUGE_SIZE);
    a->recover = NULL;
    return false;
}

static void
test_failed_alloc_unwinds(void **state)
{
    struct kedr_arena a;
    char *s;

    (void)state;
    kedr_arena_init(&a);
    s = kedr_arena_strdup(&a, "before");
    assert_true(huge_alloc_unwinds(&a));
    assert_null(a.recover); /* disarmed: a second failure aborts */
    /* what was allocated before is intact, and the arena still works */
    assert_string_equal(s, "before");
    assert_string_equal(kedr_arena_strdup(&a, "after"), "after");
    kedr_arena_release(&a);
}

/* An arena without a recovery point keeps working as before. */
static void
test_no_recovery_point(void **state)
{
    struct kedr_arena a;

    (void)state;
    kedr_arena_init(&a);
    assert_null(a.recover);
    assert_non_null(kedr_arena_alloc(&a, 100));
    kedr_arena_release(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_alloc_unwinds),
        cmocka_unit_test(test_no_recovery_point),
    };

    kedr_log_level = -1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
