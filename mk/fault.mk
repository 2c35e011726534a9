# make fault -- the fault-injection gate (STYLE.md "Tests": fail the Nth
# allocation / query).  Builds the server, the modules and the test modules
# into build-fault/ with -DKEDR_FAULT (never in a production build), under
# AddressSanitizer and UndefinedBehaviorSanitizer with LeakSanitizer on,
# the arena in per-allocation mode (KEDR_ARENA_MALLOC) so that a use of
# request memory after a failure unwound is caught; then runs
# tests/api/fault.test.js against it, which fails every arena allocation
# and every database call of its routes in turn (X-Kedr-Fault-Alloc,
# X-Kedr-Fault-Db headers; see core/core.h).
#
#   make fault             build build-fault/ and run the gate
#   make fault-build       build build-fault/ only
#
# tools/test.sh runs fault.test.js too, which skips itself unless the
# kedr binary says "fault-injection" in `kedr version`.

FAULT_B       = build-fault
FAULT_CFLAGS  = -O1 -g -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=all
FAULT_LDFLAGS = -fsanitize=address,undefined
# leaks on: a worker that exits (reload) reports what a failed request
# left behind
FAULT_ASAN_OPTIONS  = abort_on_error=1:halt_on_error=1:detect_leaks=1
FAULT_UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1:abort_on_error=1

.PHONY: fault fault-build fault-targets
fault-build:
	@$(MAKE) --no-print-directory B=$(FAULT_B) CFLAGS='$(FAULT_CFLAGS)' \
		CFLAGS_EXTRA='-DKEDR_FAULT -DKEDR_ARENA_MALLOC $(CFLAGS_EXTRA)' \
		LDFLAGS='$(FAULT_LDFLAGS)' fault-targets

# what the gate needs of $(B) (the sub-make above sets B)
fault-targets: $(B)/kedr $(MODULE_SOS) $(TEST_MOD_SOS)

# deps first, then the build (see asan in mk/asan.mk)
fault: deps
	@$(MAKE) --no-print-directory fault-build
	@B=$(FAULT_B) KEDR_BIN=$(CURDIR)/$(FAULT_B)/kedr KEDR_FAULT_REQUIRED=1 \
		ASAN_OPTIONS='$(FAULT_ASAN_OPTIONS)' \
		UBSAN_OPTIONS='$(FAULT_UBSAN_OPTIONS)' \
		node --test tests/api/fault.test.js
