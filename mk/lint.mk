# make lint -- mechanical checks of the sources, all with zero findings:
#
#   clang-format   every C file in git (and new ones not ignored) matches
#                  the committed .clang-format (`clang-format -i FILE`
#                  fixes one)
#   cppcheck       --enable=warning,style,performance,portability over the
#                  same files, every #ifdef configuration (KEDR_ARENA_MALLOC
#                  too); suppressions only in tools/lint/cppcheck.supp or
#                  inline (`cppcheck-suppress id`), each with its reason;
#                  tools/lint/jansson.cfg teaches it jansson's foreach
#                  macros so no system header is parsed
#   shellcheck     tools/*.sh, bench/*.sh, .ci/run and tests/*/run.sh
#   builtin        no core/builtin/ file includes a core header (core.h,
#                  kit_int.h, ...): the built-in modules see kedr.h and
#                  lib/ only (their build's include path enforces it too)
#
#   make lint          all four
#   make format        rewrite the C files in place with clang-format

CLANG_FORMAT ?= clang-format
CPPCHECK     ?= cppcheck
SHELLCHECK   ?= shellcheck

# tracked and new (not ignored) C files that exist; without git, every one
LINT_C   = $(wildcard $(or $(shell git ls-files --cached --others \
               --exclude-standard -- '*.c' '*.h' 2>/dev/null), \
               $(shell find core lib migrate modules tests -name '*.[ch]' 2>/dev/null)))
LINT_SH  = $(wildcard tools/*.sh bench/*.sh .ci/run tests/*/run.sh)

CPPCHECK_FLAGS = --enable=warning,style,performance,portability --std=c11 \
                 --inline-suppr --error-exitcode=1 --quiet \
                 --library=tools/lint/jansson.cfg \
                 --suppressions-list=tools/lint/cppcheck.supp \
                 $(SRC_DIRS:%=-I %) -I tests/fuzz/lib \
                 --template='{file}:{line}: {severity} [{id}] {message}'

.PHONY: lint lint-format lint-cppcheck lint-shell lint-builtin format
# all four run, whatever the first finds
lint:
	@status=0; \
	for t in lint-format lint-cppcheck lint-shell lint-builtin; do \
		$(MAKE) --no-print-directory $$t || status=1; \
	done; \
	if [ $$status -ne 0 ]; then echo "make lint: FAILED" >&2; fi; \
	exit $$status

lint-format:
	@echo "# clang-format"
	@$(CLANG_FORMAT) --dry-run --Werror $(LINT_C)

lint-cppcheck:
	@echo "# cppcheck"
	@$(CPPCHECK) $(CPPCHECK_FLAGS) $(LINT_C)

lint-shell:
	@echo "# shellcheck"
	@$(SHELLCHECK) $(LINT_SH)

lint-builtin:
	@echo "# built-in modules include kedr.h and lib/ only"
	@! grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]([^">]*/)?(core|kit_int)\.h[">]' \
		core/builtin/*.[ch]

format:
	$(CLANG_FORMAT) -i $(LINT_C)
