#!/usr/bin/env bash
# tests/make/run.sh -- `make run` and `make test` on a fresh machine
# (issue 12, item 16; make test runs it through tools/test.sh).
#
# There, pkg-config finds none of the -dev packages when make reads the
# Makefile, and tools/deps.sh installs them only afterwards: the build
# must still get their flags (core/cli_user.c includes libpq-fe.h, which
# is in /usr/include/postgresql, named only by pkg-config).  Simulated in
# a copy of the checkout in a temporary directory: the sources linked,
# tools/deps.sh, stack.sh, test.sh and demo.mjs stand-ins that log their
# calls (deps.sh also marks the packages "installed"), and a pkg-config on
# PATH that answers nothing until then.  The build itself is real (-O0,
# a few seconds each).  KEDR_TEST_KEEP=1 keeps the directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

TMP=$(mktemp -d "${TMPDIR:-/tmp}/kedr-make-XXXXXX")
cleanup()
{
    if [[ ${KEDR_TEST_KEEP:-} == 1 ]]; then
        echo "# kept (KEDR_TEST_KEEP=1): $TMP" >&2
    else
        rm -rf -- "$TMP"
    fi
}
trap cleanup EXIT

fail()
{
    echo "make test: FAILED: $*" >&2
    exit 1
}

REAL_PKG_CONFIG=$(command -v pkg-config) || fail "no pkg-config on PATH"
T=$TMP/src
CALLS=$TMP/calls
mkdir -p "$T/tools" "$T/www" "$TMP/bin"
for f in Makefile mk core lib migrate modules tests conf nginx.conf.example vendor; do
    ln -s "$ROOT/$f" "$T/$f"
done
# the UI's sources; what make generates in www/ (module pages, vendored
# libraries, the stamped page) is made in the copy
for f in "$ROOT"/www/*; do
    case ${f##*/} in
        m | vendor | app.html) ;;
        *) ln -s "$f" "$T/www/${f##*/}" ;;
    esac
done
for f in "$ROOT"/tools/*; do
    case ${f##*/} in
        deps.sh | stack.sh | test.sh | demo.mjs) ;;
        *) ln -s "$f" "$T/tools/${f##*/}" ;;
    esac
done
cat >"$T/tools/deps.sh" <<EOF
#!/bin/sh
echo "deps \$*" >>"$CALLS"
touch "$TMP/installed"
EOF
cat >"$T/tools/stack.sh" <<EOF
#!/bin/sh
echo "stack \$*" >>"$CALLS"
EOF
cat >"$T/tools/test.sh" <<EOF
#!/bin/sh
echo "test.sh" >>"$CALLS"
EOF
cat >"$T/tools/demo.mjs" <<EOF
import fs from 'node:fs';
fs.appendFileSync('$CALLS', 'demo ' + process.argv.slice(2).join(' ') + '\n');
EOF
# a pkg-config that knows no package until deps.sh has "installed" them
cat >"$TMP/bin/pkg-config" <<EOF
#!/bin/sh
[ -e "$TMP/installed" ] || exit 1
exec "$REAL_PKG_CONFIG" "\$@"
EOF
chmod +x "$T/tools/deps.sh" "$T/tools/stack.sh" "$T/tools/test.sh" "$TMP/bin/pkg-config"

# a make of our own: not the jobserver or variables of a calling make
mk()
{
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u B PATH="$TMP/bin:$PATH" \
        make -C "$T" --no-print-directory -j2 CFLAGS=-O0 "$@"
}

# make run: deps.sh first, then a build with the packages' flags, then
# the stack (in development mode) and the demo data
mk run >"$TMP/run.log" 2>&1 || { cat "$TMP/run.log" >&2; fail "make run on a fresh machine"; }
[[ -x $T/build/kedr ]] || fail "make run built no build/kedr"
grep -q -- '-I/usr/include/postgresql' "$TMP/run.log" ||
    fail "make run compiled without pkg-config's flags"
want='deps 
stack up var --conf conf/kedr.conf --dev
demo var'
[[ $(cat "$CALLS") == "$want" ]] || fail "make run's steps: $(cat "$CALLS")"

# make test, fresh again: the packages gone, an object to rebuild
rm -f -- "$TMP/installed" "$CALLS" "$T/build/core/cli_user.o"
mk test >"$TMP/test.log" 2>&1 || { cat "$TMP/test.log" >&2; fail "make test on a fresh machine"; }
grep -q -- '-I/usr/include/postgresql.*-o build/core/cli_user.o' "$TMP/test.log" ||
    fail "make test compiled core/cli_user.c without pkg-config's flags"
[[ -x $T/build/tests/unit/test_config ]] || fail "make test built no unit tests"
[[ $(head -n 1 "$CALLS") == 'deps ' && $(tail -n 1 "$CALLS") == test.sh ]] ||
    fail "make test's steps: $(cat "$CALLS")"
echo "# make: make run and make test build after tools/deps.sh"
