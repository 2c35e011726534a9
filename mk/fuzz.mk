# Fuzzing gate: a libFuzzer target per parser of outside input
# (tests/fuzz/<target>.c; see tests/fuzz/README.md).
#
#   make fuzz                   every target for FUZZ_TIME seconds (60) each
#   make fuzz-smoke             every target for FUZZ_SMOKE_TIME (30) each (CI)
#   make fuzz-<target>          one target for FUZZ_TIME seconds
#   make fuzz-build             build the libFuzzer binaries only
#
# The libFuzzer binaries are built with clang, ASan and UBSan into
# $(FUZZ_B)/ (core objects included, the arena in per-allocation mode so
# an overflow of arena memory is caught).  Each run reads the committed
# seeds (tests/fuzz/corpus/<target>/) and regression inputs
# (tests/fuzz/regress/<target>/) and grows a working corpus in
# $(FUZZ_B)/corpus/<target>/, never in git; a crasher is written to
# $(FUZZ_B)/crashes/<target>/ and fails the run.  FUZZ_ARGS adds libFuzzer
# flags (FUZZ_ARGS=-max_len=16384, FUZZ_ARGS=-only_ascii=1, ...).  Leaks inside
# system libraries Kedr cannot fix are listed in tests/fuzz/lsan.supp.
#
# `all` also builds each target with the plain replay driver
# (tests/fuzz/lib/replay.c) and the normal compiler and flags as
# $(B)/tests/fuzz/replay-<target>; tools/test.sh runs them over every seed
# and regression input, so `make test` (and `make asan`) keep every
# crasher ever found fixed.

FUZZ_B          ?= build-fuzz
FUZZ_CC         ?= clang
FUZZ_TIME       ?= 60
FUZZ_SMOKE_TIME ?= 30
FUZZ_ARGS       ?=

# every tests/fuzz/*.c is a target; tests/fuzz/lib/ holds what they share
FUZZ_TARGETS := $(sort $(basename $(notdir $(wildcard tests/fuzz/*.c))))
FUZZ_LIB_SRC := tests/fuzz/lib/common.c

# --- replay drivers: the normal build --------------------------------
FUZZ_REPLAY_BINS := $(FUZZ_TARGETS:%=$(B)/tests/fuzz/replay-%)
FUZZ_REPLAY_LIB  := $(FUZZ_LIB_SRC:%.c=$(B)/%.o) $(B)/tests/fuzz/lib/replay.o

all: $(FUZZ_REPLAY_BINS)

$(B)/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/fuzz/lib -c -o $@ $<

$(FUZZ_REPLAY_BINS): $(B)/tests/fuzz/replay-%: $(B)/tests/fuzz/%.o \
		$(FUZZ_REPLAY_LIB) $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_CORE)

# --- libFuzzer binaries: clang, sanitizers ---------------------------
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE -DKEDR_ARENA_MALLOC $(WARN) \
                -O1 -g -fno-omit-frame-pointer \
                -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
                $(SRC_DIRS:%=-I%) -Itests/fuzz/lib $(PKG_CFLAGS) -MMD -MP
FUZZ_CORE_OBJ = $(CORE_SRC:%.c=$(FUZZ_B)/%.o) $(FUZZ_B)/core/core_sql.o
FUZZ_LIB_OBJ  = $(FUZZ_LIB_SRC:%.c=$(FUZZ_B)/%.o)
FUZZ_BINS     = $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz-%)
# libFuzzer: a slow input is a bug (10 s), memory is bounded, and each
# run ends with its statistics (execs/s)
FUZZ_RUN_FLAGS = -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
# the CI smoke run: no line per new input (reports and statistics stay)
FUZZ_SMOKE_FLAGS = -verbosity=0
# Per target: FUZZ_FLAGS_<target>.  libconfig 1.5 leaks a few bytes on
# most syntax errors (tests/fuzz/lsan.supp); each such input makes
# libFuzzer stop the process for a full leak scan, 25 times slower.  So
# the config target checks leaks once at exit, not after each input (a
# leak then fails the run without naming its input); `make asan` replays
# its seeds and regressions under LeakSanitizer, and `make check-mem` runs
# test_config under valgrind.
FUZZ_FLAGS_config = -detect_leaks=0
# the Salesforce mapping is libconfig text too: the same reason
FUZZ_FLAGS_sf_map = -detect_leaks=0
# sf_src.c prints why each damaged zip cannot be read, to stderr: most
# inputs, thousands of lines a second.  Close the target's stderr
# (libFuzzer and the sanitizers report on a copy of it; a failed
# FUZZ_CHECK shows as an abort in fuzz_fail, its text under replay-sf_zip)
FUZZ_FLAGS_sf_zip = -close_fd_mask=2

$(CORE_SRC:%.c=$(FUZZ_B)/%.o): $(FUZZ_B)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_B)/core/core_sql.o: $(B)/core/core_sql.c
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -O1 -g -c -o $@ $<

$(FUZZ_B)/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BINS): $(FUZZ_B)/fuzz-%: $(FUZZ_B)/tests/fuzz/%.o $(FUZZ_LIB_OBJ) \
		$(FUZZ_CORE_OBJ)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LDLIBS_CORE)

# One bounded run of target $(1) for $(2) seconds, libFuzzer flags $(3).
define fuzz_run
	@mkdir -p $(FUZZ_B)/corpus/$(1) $(FUZZ_B)/crashes/$(1)
	@echo "# fuzz: $(1) for $(2) s"
	LSAN_OPTIONS=suppressions=$(abspath tests/fuzz/lsan.supp) \
	UBSAN_OPTIONS=print_stacktrace=1 \
	$(FUZZ_B)/fuzz-$(1) $(FUZZ_RUN_FLAGS) -max_total_time=$(2) \
		-dict=tests/fuzz/$(1).dict \
		-artifact_prefix=$(FUZZ_B)/crashes/$(1)/ $(FUZZ_FLAGS_$(1)) $(3) \
		$(FUZZ_ARGS) \
		$(FUZZ_B)/corpus/$(1) tests/fuzz/corpus/$(1) \
		$(wildcard tests/fuzz/regress/$(1))

endef

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-deps $(FUZZ_TARGETS:%=fuzz-%)
fuzz-deps:
	@tools/deps.sh dev

fuzz-build: $(FUZZ_BINS)

# one target after another: each may use every core
fuzz: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-build
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t),$(FUZZ_TIME)))

fuzz-smoke: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-build
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t),$(FUZZ_SMOKE_TIME),$(FUZZ_SMOKE_FLAGS)))

$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: fuzz-deps
	@$(MAKE) --no-print-directory $(FUZZ_B)/fuzz-$*
	$(call fuzz_run,$*,$(FUZZ_TIME))

-include $(shell find $(FUZZ_B) -name '*.d' 2>/dev/null)
