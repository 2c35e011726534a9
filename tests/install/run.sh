#!/usr/bin/env bash
# tests/install/run.sh -- the module developer kit, end to end (make test
# runs it through tools/test.sh; about a second, no database):
#   1. `make install` into a temporary PREFIX, with DESTDIR too;
#   2. build modules/hello out of tree with pkg-config only (the installed
#      kedr.h, nothing from core/);
#   3. the installed kedr, with a config whose modules.path is the
#      out-of-tree directory, lists hello as enabled, version 1.0.0;
#   4. the installed sample config finds the installed modules.
# KEDR_TEST_KEEP=1 keeps the temporary directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
B=${B:-build}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/kedr-install-XXXXXX")
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
    echo "install test: FAILED: $*" >&2
    exit 1
}

# a make of our own: not the jobserver or variables of a calling make
mk()
{
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory \
        B="$B" "$@"
}

PREFIX=$TMP/prefix
mk install PREFIX="$PREFIX" >"$TMP/install.log" 2>&1 ||
    { cat "$TMP/install.log" >&2; fail "make install"; }
for f in bin/kedr include/kedr/kedr.h lib/pkgconfig/kedr.pc \
    etc/kedr/kedr.conf lib/kedr/modules/hello.so \
    lib/kedr/modules/hello/sql/0001_greeting.sql; do
    [[ -f $PREFIX/$f ]] || fail "make install did not install $f"
done
[[ -x $PREFIX/bin/kedr ]] || fail "bin/kedr is not executable"

# DESTDIR stages the same tree under another root, paths unchanged
mk install PREFIX=/opt/kedr DESTDIR="$TMP/stage" >"$TMP/stage.log" 2>&1 ||
    { cat "$TMP/stage.log" >&2; fail "make install DESTDIR=..."; }
[[ -f $TMP/stage/opt/kedr/lib/kedr/modules/hello.so ]] ||
    fail "DESTDIR: hello.so not staged"
grep -q '^moduledir=/opt/kedr/lib/kedr/modules$' \
    "$TMP/stage/opt/kedr/lib/pkgconfig/kedr.pc" ||
    fail "DESTDIR: kedr.pc must name the final moduledir, not the stage"

# pkg-config finds the kit
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
version=$(pkg-config --modversion kedr) || fail "pkg-config kedr"
want=$(sed -n 's/^#define KEDR_VERSION "\(.*\)"$/\1/p' core/core.h)
[[ $version == "$want" ]] || fail "kedr.pc version $version, core $want"
moduledir=$(pkg-config --variable=moduledir kedr)
[[ $moduledir == "$PREFIX/lib/kedr/modules" ]] ||
    fail "moduledir is '$moduledir'"
cflags=$(pkg-config --cflags kedr)
[[ $cflags == *"-I$PREFIX/include/kedr"* ]] || fail "cflags '$cflags'"
libs=$(pkg-config --libs kedr)
[[ $libs == *-ljansson* ]] || fail "libs '$libs' lack jansson"

# hello, built out of tree from the installed header only
OOT=$TMP/oot
mkdir -p "$OOT/hello"
cp -R modules/hello/sql "$OOT/hello/"
# shellcheck disable=SC2086 # word splitting of pkg-config output is meant
(cd "$TMP" && cc $cflags -fPIC -shared -fvisibility=hidden -Wl,-z,defs \
    -o "$OOT/hello.so" "$ROOT/modules/hello/hello.c" $libs) ||
    fail "out-of-tree build of hello"

cat >"$TMP/kedr.conf" <<CONF
server: { listen = "$TMP/kedr.sock"; };
modules: { path = [ "$OOT" ]; enabled = [ "hello" ]; };
hello: { greeting = "hi"; };
CONF
out=$("$PREFIX/bin/kedr" -c "$TMP/kedr.conf" modules 2>&1) ||
    { echo "$out" >&2; fail "kedr modules with the out-of-tree hello"; }
grep -Eq "^hello +enabled +1\.0\.0 +$OOT/hello\.so$" <<<"$out" ||
    { echo "$out" >&2; fail "hello is not enabled 1.0.0 from $OOT"; }

# the installed sample config points at the installed modules, and at
# the local PostgreSQL rather than make run's cluster in a checkout
grep -q '^ *url = "dbname=kedr";' "$PREFIX/etc/kedr/kedr.conf" ||
    fail "the installed kedr.conf keeps database.url '$(grep '^ *url' "$PREFIX/etc/kedr/kedr.conf")'"
out=$(cd "$TMP" && "$PREFIX/bin/kedr" -c "$PREFIX/etc/kedr/kedr.conf" \
    modules 2>&1) ||
    { echo "$out" >&2; fail "kedr modules with the installed kedr.conf"; }
grep -Eq "^hello +disabled +" <<<"$out" ||
    { echo "$out" >&2; fail "the installed kedr.conf does not find hello"; }

echo "install test: ok (make install, pkg-config, out-of-tree hello)"
