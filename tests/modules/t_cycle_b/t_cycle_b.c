/*
 * t_cycle_b -- test-only module: requires t_cycle_a, which requires it
 * back.  The loader must refuse both, naming the cycle.
 */
#include <kedr.h>

static const char *const t_cycle_b_requires[] = {"t_cycle_a", NULL};

KEDR_MODULE_EXPORT const struct kedr_module kedr_module = {
    KEDR_MODULE_HEADER,
    .name = "t_cycle_b",
    .version = "0.1.0",
    .requires = t_cycle_b_requires,
};
