#!/usr/bin/env bash
# Run every test: the C unit tests, the test scripts tests/*/run.sh, then
# the API tests (node's test runner) against throw-away stacks the tests
# start themselves (tests/lib/stack.js).
# KEDR_TEST_KEEP=1 keeps each stack's directory and prints where it is.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}

status=0
units=$(find "$B/tests/unit" -maxdepth 1 -type f -name 'test_*' -perm -u+x 2>/dev/null | sort)
for t in $units; do
    echo "# unit: $t"
    # make asan: LeakSanitizer on the unit tests only (not on the server)
    if ! ASAN_OPTIONS=${KEDR_UNIT_ASAN_OPTIONS:-${ASAN_OPTIONS:-}} \
        CMOCKA_MESSAGE_OUTPUT=stdout "$t"; then
        status=1
    fi
done

# fuzz targets through the plain replay driver (mk/fuzz.mk): every seed
# and every regression input, so a crasher once found stays fixed
for r in $(find "$B/tests/fuzz" -maxdepth 1 -type f -name 'replay-*' -perm -u+x 2>/dev/null | sort); do
    t=${r##*/replay-}
    inputs=()
    for d in "tests/fuzz/regress/$t" "tests/fuzz/corpus/$t"; do
        [ -d "$d" ] && inputs+=("$d")
    done
    [ ${#inputs[@]} -gt 0 ] || continue
    if ! ASAN_OPTIONS=${KEDR_UNIT_ASAN_OPTIONS:-${ASAN_OPTIONS:-}} \
        LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0 "$r" "${inputs[@]}"; then
        status=1
    fi
done

# self-contained test scripts (tests/install/run.sh, ...): fast, no stack
for t in tests/*/run.sh; do
    [ -x "$t" ] || continue
    echo "# script: $t"
    if ! B=$B "$t"; then
        status=1
    fi
done

# a module's API tests sit in modules/<name>/tests/, its browser tests in
# modules/<name>/tests/e2e/
# two stacks at once on two cores; Debian 12's node 18 lacks the flag
conc=()
if node --help 2>/dev/null | grep -q -- --test-concurrency; then
    conc=(--test-concurrency=2)
fi
mapfile -t api < <(find tests/api modules/*/tests -maxdepth 1 -name '*.test.js' 2>/dev/null | sort)
if [ ${#api[@]} -gt 0 ]; then
    echo "# api: ${#api[@]} files"
    if ! node --test "${conc[@]}" "${api[@]}"; then
        status=1
    fi
fi
# browser tests: Debian's chromium driven by playwright-core (make
# e2e-deps), after the API tests; skipped only where there is no chromium
# to drive, never in CI
mapfile -t e2e < <(find tests/e2e modules/*/tests/e2e -maxdepth 1 -name '*.test.js' 2>/dev/null | sort)
if [ ${#e2e[@]} -gt 0 ]; then
    chromium=${KEDR_CHROMIUM:-/usr/bin/chromium}
    if [ ! -x "$chromium" ] && [ "${CI:-}" != true ]; then
        echo "# e2e: SKIPPED: no chromium at $chromium (tools/deps.sh e2e installs it)"
    elif [ ! -d tests/e2e/node_modules/playwright-core ]; then
        echo "# e2e: FAILED: playwright-core is not installed (make e2e-deps)" >&2
        status=1
    else
        echo "# e2e: ${#e2e[@]} files"
        # two browsers at once, like the API stacks: each file starts its
        # own stack and chromium, and none shares state with another
        if ! node --test "${conc[@]}" "${e2e[@]}"; then
            status=1
        fi
    fi
fi
if [ $status -ne 0 ]; then
    echo "make test: FAILED" >&2
fi
exit $status
