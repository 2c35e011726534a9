#!/usr/bin/env bash
# tools/deps.sh -- make sure the Debian 12 packages Kedr needs are installed.
#
#   tools/deps.sh [GROUP...]      GROUP: bench, dev, e2e, all
#
# With everything present it prints nothing and exits 0.  Otherwise, as
# root it runs `apt-get update` and installs what is missing; as anyone
# else it prints the sudo command to run and exits 1.
#
# Node.js: a `node` on PATH of version 18 or newer is accepted wherever it
# came from; otherwise Debian's `nodejs` package is installed.

set -euo pipefail

PROG=tools/deps.sh

# The packages, by group: the one place to edit.  `base` is always
# checked; the others only when named on the command line.
#   base   build, unit tests, the local stack (tools/stack.sh), api tests
#   bench  load generators: wrk; pgbench comes with postgresql-15 (the
#          server, pulled in by postgresql) as
#          /usr/lib/postgresql/15/bin/pgbench; PHP-FPM with its
#          PostgreSQL driver, the peer of bench/peer-php.sh
#   dev    the quality gates: shellcheck, cppcheck, clang-format (make
#          lint), valgrind (make check-mem), clang with its compiler-rt
#          (libFuzzer, which apt only recommends) for make fuzz; make asan
#          needs only gcc's libasan and libubsan (build-essential)
#   e2e    the browser tests (tests/e2e/, make test): Debian's chromium,
#          driven by playwright-core from npm (make e2e-deps), and a font
#          with Cyrillic for its screenshots
declare -A GROUPS_PKGS=(
    [base]="build-essential pkg-config libfcgi-dev libpq-dev libjansson-dev
            libconfig-dev libcsv-dev libsodium-dev libxlsxwriter-dev libzip-dev libcmocka-dev postgresql postgresql-contrib nginx
            curl procps"
    [bench]="wrk postgresql-contrib php8.2-fpm php8.2-pgsql"
    [dev]="shellcheck cppcheck clang clang-format valgrind libclang-rt-14-dev"
    [e2e]="chromium fonts-dejavu-core"
)
GROUP_NAMES="bench dev e2e"    # what `all` means, besides base

NODE_PACKAGE=nodejs
NODE_MIN_MAJOR=18
# npm: the build installs the UI's vendored libraries with it (make
# www-vendor: npm ci), and e2e its playwright-core.  Debian's nodejs comes
# without it; a node from elsewhere usually brings its own, accepted.
NPM_PACKAGE=npm

usage()
{
    cat <<EOF
usage: $PROG [GROUP...]

Checks (and, as root, installs) the Debian 12 packages Kedr needs.
Groups besides the base set: $GROUP_NAMES, or all.
EOF
}

die()
{
    printf '%s: %s\n' "$PROG" "$*" >&2
    exit 1
}

# The major version of `node` on PATH, or nothing.
node_major()
{
    local v
    v=$(node --version 2>/dev/null) || return 0
    v=${v#v}
    v=${v%%.*}
    [[ $v =~ ^[0-9]+$ ]] && printf '%s' "$v"
    return 0
}

main()
{
    local groups=(base) g want=() missing=() installed major p
    local -A seen=()

    for g in "$@"; do
        case $g in
            -h | --help) usage; return 0 ;;
            all) read -r -a want <<<"$GROUP_NAMES"; groups+=("${want[@]}") ;;
            *)
                [[ -n ${GROUPS_PKGS[$g]+x} && $g != base ]] ||
                    die "unknown group '$g' (known: $GROUP_NAMES, all)"
                groups+=("$g")
                ;;
        esac
    done

    want=()
    for g in "${groups[@]}"; do
        for p in ${GROUPS_PKGS[$g]}; do
            [[ -n ${seen[$p]+x} ]] && continue
            seen[$p]=1
            want+=("$p")
        done
    done

    command -v dpkg-query >/dev/null 2>&1 ||
        die "dpkg-query not found: this script supports Debian 12 only"

    # One dpkg-query for all; packages it does not know are simply absent
    # from its output (and it exits 1 for them).
    installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${want[@]}" \
        2>/dev/null || true)
    for p in "${want[@]}"; do
        grep -qxE "ii +$p" <<<"$installed" || missing+=("$p")
    done

    major=$(node_major)
    if [[ -z $major ]] || ((major < NODE_MIN_MAJOR)); then
        missing+=("$NODE_PACKAGE")
    fi
    if ! command -v npm >/dev/null 2>&1; then
        missing+=("$NPM_PACKAGE")
    fi

    ((${#missing[@]} > 0)) || return 0

    if [[ $EUID -ne 0 ]]; then
        {
            printf '%s: missing packages: %s\n' "$PROG" "${missing[*]}"
            printf 'install them with:\n'
            printf '  sudo apt-get update && sudo apt-get install -y --no-install-recommends %s\n' \
                "${missing[*]}"
        } >&2
        return 1
    fi

    printf '%s: installing %s\n' "$PROG" "${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"

    major=$(node_major)
    if [[ -z $major ]] || ((major < NODE_MIN_MAJOR)); then
        die "node ${major:-(none)} on PATH is older than $NODE_MIN_MAJOR even after installing $NODE_PACKAGE; put a newer node first on PATH"
    fi
}

main "$@"
