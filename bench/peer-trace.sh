#!/usr/bin/env bash
# bench/peer-trace.sh -- what one request costs kedr's worker in system
# calls and what it sends PostgreSQL, for the peer bench's kedr routes
# (bench/peer-php.sh) and a signed-in read:
#
#   nodb     GET /api/v1/hello/greeting         (no database)
#   select   GET /api/v1/hello/greetings/1      (public: no identity)
#   auth     GET /api/v1/users/1 with the admin's session cookie
#            (the identity statement, then the record's)
#
# A stack of the shipped configuration with one request worker; for each
# route `strace -c` on that worker over a wrk -t1 -c1 load of SECONDS,
# divided by the requests wrk counted, then the PostgreSQL messages of one
# more request (strace -e sendto: Parse/Bind/Execute/Sync and the
# statement names or texts, BEGIN and COMMIT among them).
#
#   bench/peer-trace.sh [SECONDS]     (default 3)
#
# Needs strace, wrk, root (strace -p).  Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-3}
# shellcheck source=bench/stack.sh
. bench/stack.sh
BENCH_WORKERS=1 bench_stack trace '"hello"'
MASTER=$(cat "$DIR/run/kedr.pid")
W=
for pid in $(pgrep -P "$MASTER"); do
    # the request worker waits on an epoll set; the jobs worker does not
    for fd in "/proc/$pid/fd/"*; do
        if [[ $(readlink "$fd" 2>/dev/null) == *eventpoll* ]]; then W=$pid; fi
    done
done
[[ -n $W ]] || { echo "no request worker found" >&2; exit 1; }
SESSION=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"login\": \"admin\", \"password\": \"$(cat "$DIR/admin-password")\"}" \
    "$BASE/api/v1/session" | sed -nE 's/^[Ss]et-[Cc]ookie: (kedr_session=[^;]*).*/\1/p')
[[ -n $SESSION ]] || { echo "admin login failed" >&2; exit 1; }

NAMES=(nodb select auth)
declare -A URL=([nodb]=/api/v1/hello/greeting [select]=/api/v1/hello/greetings/1
    [auth]=/api/v1/users/1)
declare -A HDR=([auth]="Cookie: $SESSION")
T=$DIR/trace
mkdir -p "$T"
echo "kedr $(git rev-parse --short HEAD), 1 request worker (pid $W), wrk -t1 -c1 -d${DUR}s per route; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${NAMES[@]}"; do
    h=${HDR[$n]:-}
    code=$(curl -s -o /dev/null -w '%{http_code}' ${h:+-H "$h"} "$BASE${URL[$n]}")
    [[ $code == 200 ]] || { echo "${URL[$n]} answered $code" >&2; exit 1; }
    wrk -t1 -c1 -d1s ${h:+-H "$h"} "$BASE${URL[$n]}" >/dev/null # warm
    strace -c -o "$T/$n.c" -p "$W" 2>/dev/null &
    SP=$!
    sleep 0.5
    reqs=$(wrk -t1 -c1 -d"${DUR}s" ${h:+-H "$h"} "$BASE${URL[$n]}" | awk '/ requests in / {print $1}')
    kill -INT "$SP"
    wait "$SP" 2>/dev/null || true
    echo
    echo "### $n: GET ${URL[$n]} ($reqs requests)"
    echo
    echo "| syscall | calls per request |"
    echo "|---|---:|"
    # strace -c: % time, seconds, usecs/call, calls, [errors,] syscall
    awk -v n="$reqs" 'NF >= 5 && $4 ~ /^[0-9]+$/ && $NF != "total" {
            printf "| %s | %.2f |\n", $NF, $4 / n }' "$T/$n.c" |
        sort -t'|' -k3 -gr
    # one more request: what went to PostgreSQL (printable bytes only)
    strace -e trace=sendto -s 600 -o "$T/$n.s" -p "$W" 2>/dev/null &
    SP=$!
    sleep 0.5
    curl -s -o /dev/null ${h:+-H "$h"} "$BASE${URL[$n]}"
    sleep 0.3
    kill -INT "$SP"
    wait "$SP" 2>/dev/null || true
    echo
    echo "to PostgreSQL: $(grep -c 'sendto(' "$T/$n.s" || true) sendto;" \
        "$(grep -oE "BEGIN[A-Z ]*|COMMIT|set_config\(.kedr.user_id.|[\\]0k[0-9]+[\\]0" "$T/$n.s" | sed "s/[\\]0//g" | paste -sd' ' || true)"
done
