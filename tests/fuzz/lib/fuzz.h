/*
 * fuzz.h -- what every fuzz target shares (tests/fuzz/<target>.c).
 *
 * A target defines LLVMFuzzerTestOneInput, which takes any bytes and
 * must never crash, leak, or trip a sanitizer.  The same target is linked
 * two ways: with libFuzzer (clang, ASan+UBSan; mk/fuzz.mk, `make fuzz`)
 * and with the plain replay driver (replay.c, the normal build), which
 * `make test` runs over the committed seeds and regression inputs.
 */
#ifndef KEDR_FUZZ_H
#define KEDR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

/* The libFuzzer entry point.  Always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort (a crash the fuzzer records) when `cond` is false: the targets'
 * oracles, kept even under NDEBUG. */
#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            fuzz_fail(__FILE__, __LINE__, #cond);                              \
    } while (0)

__attribute__((noreturn)) void fuzz_fail(const char *file, int line,
                                         const char *what);

/* Silence the core's logging (called first by every target; cheap). */
void fuzz_quiet(void);

/* A NUL-terminated heap copy of the input; free() it. */
char *fuzz_strndup(const uint8_t *data, size_t size);

/*
 * The route table the path and FastCGI targets match against: the core's
 * health route and realistic module routes (literals, parameters, the
 * same path under several methods), built on first use and kept for the
 * life of the process.
 */
const struct kedr_router *fuzz_router(void);

/*
 * Check a rendered response head: every line ends in CRLF, no other CR
 * or LF appears (no header injection), and it ends with an empty line.
 */
void fuzz_check_head(const char *head, size_t len);

#endif /* KEDR_FUZZ_H */
