# make asan -- build everything (server, modules, test modules, unit tests)
# with AddressSanitizer and UndefinedBehaviorSanitizer into build-asan/, the
# arena in per-allocation mode (KEDR_ARENA_MALLOC: each kedr_arena_alloc
# is its own malloc'd block, so an overflow of arena memory is caught), and
# run every test against it: `B=build-asan tools/test.sh` (KEDR_BIN too,
# for tools/stack.sh).
#
# Any report fails the run (-fno-sanitize-recover=all, abort_on_error).
# Unit tests also run LeakSanitizer (KEDR_UNIT_ASAN_OPTIONS, applied by
# tools/test.sh to the unit tests only).  The server's processes run with
# detect_leaks=0: a forked worker exits holding what its parent allocated.
# Their reports go to stderr, that is the stack's kedr log; a worker that
# aborts fails its request, and the API harness fails a test file whose
# kedr log holds a sanitizer report.
#
#   make asan              build build-asan/ and run every test
#   make asan-build        build build-asan/ only

ASAN_B       = build-asan
ASAN_CFLAGS  = -O1 -g -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=all
ASAN_LDFLAGS = -fsanitize=address,undefined
# server processes (kedr serve, migrate, modules, ...); handle_segv=0: a
# segfault stays a plain SIGSEGV the master logs (t_core crashes on purpose)
ASAN_SERVER_OPTIONS = abort_on_error=1:halt_on_error=1:detect_leaks=0:$\
                      handle_segv=0:$\
                      detect_stack_use_after_return=1:strict_string_checks=1
# unit tests: the same, and leaks
ASAN_UNIT_OPTIONS   = abort_on_error=1:halt_on_error=1:detect_leaks=1:$\
                      detect_stack_use_after_return=1:strict_string_checks=1
ASAN_UBSAN_OPTIONS  = print_stacktrace=1:halt_on_error=1:abort_on_error=1

.PHONY: asan asan-build
asan-build:
	$(MAKE) B=$(ASAN_B) CFLAGS='$(ASAN_CFLAGS)' \
		CFLAGS_EXTRA='-DKEDR_ARENA_MALLOC $(CFLAGS_EXTRA)' \
		LDFLAGS='$(ASAN_LDFLAGS)' all

# deps, then the build in a sub-make of its own: after deps, never beside
# it under -j (see PKG_CFLAGS in the Makefile)
asan: deps
	@$(MAKE) --no-print-directory asan-build
	@B=$(ASAN_B) KEDR_BIN=$(abspath $(ASAN_B)/kedr) \
		ASAN_OPTIONS='$(ASAN_SERVER_OPTIONS)' \
		KEDR_UNIT_ASAN_OPTIONS='$(ASAN_UNIT_OPTIONS)' \
		UBSAN_OPTIONS='$(ASAN_UBSAN_OPTIONS)' \
		tools/test.sh
