# make check-mem -- every unit test ($(B)/tests/unit/test_*) under valgrind
# memcheck.  Fails on any memcheck error (invalid read or write, use of
# uninitialised memory, bad free) and on definite leaks; "possibly lost"
# and "still reachable" memory (libraries' caches) do not fail it.
#
# It runs the normal build (bump arena), so it complements make asan:
# valgrind needs no rebuild and checks libraries (libconfig, jansson)
# as they are linked.

VALGRIND       ?= valgrind
VALGRIND_FLAGS  = --quiet --leak-check=full --errors-for-leak-kinds=definite \
                  --show-leak-kinds=definite --error-exitcode=1 \
                  --track-origins=yes

.PHONY: check-mem
check-mem: all
	@command -v $(VALGRIND) >/dev/null 2>&1 || \
		{ echo "check-mem: $(VALGRIND) not found (tools/deps.sh dev)" >&2; exit 1; }
	@status=0; \
	for t in $$(find $(B)/tests/unit -maxdepth 1 -type f -perm -u+x \
			-name 'test_*' | sort); do \
		echo "# valgrind: $$t"; \
		CMOCKA_MESSAGE_OUTPUT=stdout $(VALGRIND) $(VALGRIND_FLAGS) $$t \
			>$$t.memcheck 2>&1 || { cat $$t.memcheck; status=1; }; \
	done; \
	if [ $$status -ne 0 ]; then echo "make check-mem: FAILED" >&2; fi; \
	exit $$status
