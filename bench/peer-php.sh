#!/usr/bin/env bash
# bench/peer-php.sh -- kedr against the stack PHP CRMs (SuiteCRM, EspoCRM,
# vtiger) run on: the same two routes served by kedr and by PHP-FPM
# behind one nginx, in one run, with the same socket kind, the same worker
# count (8), persistent PostgreSQL connections on both sides, opcache on.
#
#   nodb     GET /api/v1/hello/greeting        vs  /php/greeting.php
#   select   GET /api/v1/hello/greetings/1     vs  /php/select.php?id=1
#            (one indexed SELECT; PHP runs the statement the kit runs,
#            with pg_query_params on a pg_pconnect connection)
#
# The machine is shared, so each round runs every load once, kedr and PHP
# back to back, and the table gives each load's median over the rounds;
# the ratios are the medians of the per-round ratios (side by side).
#
#   bench/peer-php.sh [SECONDS] [CONNECTIONS] [ROUNDS]   (defaults: 10 16 3)
#
# Variants (environment):
#   PEER_KEEP=N          fastcgi_keep_conn on and upstream `keepalive N;
#                        keepalive_timeout 1s` for both backends
#                        (default 0: a new connection per request, as
#                        nginx.conf.example ships)
#   PEER_KEDR_WORKERS=N  kedr's server.workers (PHP-FPM keeps 8)
#   PEER_PHP_WORKERS=N   PHP-FPM's pm.max_children (default 8)
#   PEER_KEDR_ACCESS_LOG=false   kedr without its access log line (PHP-FPM
#                        and the peer nginx write none)
#   PEER_AUTH=1          one more load, kedr only: kedr_auth, a signed-in
#                        GET of one record (GET /api/v1/users/1 with the
#                        admin's session cookie: the identity statement
#                        and the record's; PHP has no counterpart)
#   PEER_PERF=DIR        perf record -a -g during each load of the first
#                        round; DIR/<load>.txt has the summary (per
#                        process, then each process's top symbols)
#
# Needs: php8.2-fpm php8.2-pgsql wrk (tools/deps.sh bench), root for
# php-fpm -R.  Prints a Markdown table; the last line has the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
CONNS=${2:-16}
ROUNDS=${3:-3}
KEEP=${PEER_KEEP:-0}
PHP_WORKERS=${PEER_PHP_WORKERS:-8}
PERF_DIR=${PEER_PERF:-}
BENCH_WORKERS=${PEER_KEDR_WORKERS:-}
BENCH_ACCESS_LOG=${PEER_KEDR_ACCESS_LOG:-}
AUTH=${PEER_AUTH:-0}
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# shellcheck source=bench/stack.sh
. bench/stack.sh
bench_stack peer '"hello"'
KEDR_WORKERS=$(sed -nE 's/^ *workers = ([0-9]+);.*/\1/p' "$DIR/kedr.conf")
KEDR_ACCESS_LOG=$(sed -nE 's/^ *access_log = ([a-z]+);.*/\1/p' "$DIR/kedr.conf")
P=$DIR/peer
mkdir -p "$P/www/php" "$P/log" "$P/tmp"
head -c 768 /dev/urandom | base64 -w0 >"$P/www/static.txt"
cat >"$P/www/php/greeting.php" <<'PHP'
<?php header('Content-Type: application/json'); echo json_encode(['greeting' => 'Привет'], JSON_UNESCAPED_UNICODE);
PHP
# the statement the kit's GET one runs for hello.greeting (kit.c, see the
# PostgreSQL log of a stack with log_statement = all)
cat >"$P/www/php/select.php" <<'PHP'
<?php
$c = pg_pconnect(getenv('KEDR_DB'));
$r = pg_query_params($c, "SELECT json_build_object('id', t.id, 'lang', t.lang, 'text', t.text, 'created_at', t.created_at, 'version', t.version)::text FROM hello.greeting t WHERE t.id = $1", [$_GET['id'] ?? '1']);
header('Content-Type: application/json'); echo pg_fetch_result($r, 0, 0);
PHP
cat >"$P/php-fpm.conf" <<CONF
[global]
pid = $P/php-fpm.pid
error_log = $P/log/php-fpm.log
daemonize = yes
[peer]
user = root
group = root
listen = $P/php.sock
listen.mode = 0666
listen.backlog = 511
pm = static
pm.max_children = $PHP_WORKERS
pm.max_requests = 0
clear_env = no
env[KEDR_DB] = "$KEDR_DATABASE_URL"
php_admin_value[opcache.enable] = 1
CONF
chmod 755 "$P" "$P/www" "$P/www/php"
chmod 644 "$P/www/php/"*.php "$P/www/static.txt"
/usr/sbin/php-fpm8.2 -R -y "$P/php-fpm.conf"
PPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if ((KEEP > 0)); then
    UP_KEEP="keepalive $KEEP; keepalive_timeout 1s;"
    KEEP_CONN=on
else
    UP_KEEP=""
    KEEP_CONN=off
fi
cat >"$P/nginx.conf" <<CONF
user root; worker_processes 1; pid $P/nginx.pid; error_log $P/log/error.log;
events { worker_connections 4096; }
http {
  access_log off; client_body_temp_path $P/tmp; fastcgi_temp_path $P/tmp; proxy_temp_path $P/tmp;
  upstream kedr { server unix:$DIR/run/kedr.sock; $UP_KEEP }
  upstream php { server unix:$P/php.sock; $UP_KEEP }
  server {
    listen 127.0.0.1:$PPORT; root $P/www;
    location = /static.txt { }
    location /api/ { include /etc/nginx/fastcgi_params; fastcgi_keep_conn $KEEP_CONN; fastcgi_pass kedr; }
    location /php/ { include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_FILENAME $P/www\$fastcgi_script_name;
                     fastcgi_keep_conn $KEEP_CONN; fastcgi_pass php; }
  }
}
CONF
nginx -c "$P/nginx.conf" -p "$P"
stop_peer()
{
    kill "$(cat "$P/nginx.pid")" "$(cat "$P/php-fpm.pid")" 2>/dev/null || true
    bench_cleanup
}
trap stop_peer EXIT
B="http://127.0.0.1:$PPORT"

NAMES=(static kedr_nodb php_nodb kedr_select php_select)
declare -A HDR=()
if ((AUTH)); then
    NAMES+=(kedr_auth)
    # the admin's session (one login: its password hash is slow on purpose)
    SESSION=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"login\": \"admin\", \"password\": \"$(cat "$DIR/admin-password")\"}" \
        "$B/api/v1/session" | sed -nE 's/^[Ss]et-[Cc]ookie: (kedr_session=[^;]*).*/\1/p')
    [[ -n $SESSION ]] || { echo "admin login failed" >&2; exit 1; }
    HDR[kedr_auth]="Cookie: $SESSION"
fi
declare -A URL=(
    [static]=/static.txt
    [kedr_nodb]=/api/v1/hello/greeting
    [php_nodb]=/php/greeting.php
    [kedr_select]=/api/v1/hello/greetings/1
    [php_select]="/php/select.php?id=1"
    [kedr_auth]=/api/v1/users/1
)
for n in "${NAMES[@]}"; do
    u=${URL[$n]}
    code=$(curl -s -o /dev/null -w '%{http_code}' ${HDR[$n]:+-H "${HDR[$n]}"} "$B$u")
    if [[ $code != 200 ]]; then
        echo "$u answered $code" >&2
        curl -s "$B$u" | head -3 >&2
        for f in "$P"/log/*.log; do tail -n 3 "$f" >&2; done
        exit 1
    fi
    wrk -t1 -c4 -d1s ${HDR[$n]:+-H "${HDR[$n]}"} "$B$u" >/dev/null # warm: opcache, prepared statements
done

# CPU time (clock ticks, user and system) of a part of the stack: its
# parent process (kedr's master, PHP-FPM's master, nginx's master, the
# postmaster) with the children it has reaped (cutime, cstime: a worker
# that max_requests or a reload replaced still counts) plus the children
# alive now.  Only one side is loaded at a time, so the PostgreSQL
# backends' time belongs to the load that runs.
parent_of()
{
    case $1 in
    kedr) cat "$DIR/run/kedr.pid" ;;
    php) cat "$P/php-fpm.pid" ;;
    nginx) cat "$P/nginx.pid" ;;
    postgres) head -1 "$DIR/pg/data/postmaster.pid" ;;
    esac
}
ticks()
{
    local parent pid u=0 k=0 a b
    parent=$(parent_of "$1")
    # fields 14-17 (utime stime cutime cstime), counted after comm's ")"
    read -r u k < <(awk '{sub(/.*\) /, ""); print $12 + $14, $13 + $15}' "/proc/$parent/stat")
    for pid in $(pgrep -P "$parent"); do
        read -r a b < <(awk '{sub(/.*\) /, ""); print $12 + $14, $13 + $15}' "/proc/$pid/stat" 2>/dev/null) || continue
        u=$((u + ${a:-0}))
        k=$((k + ${b:-0}))
    done
    echo "$u $k"
}
pids_of() { parent_of "$1"; pgrep -P "$(parent_of "$1")"; }
PARTS=(nginx kedr php postgres)
HZ=$(getconf CLK_TCK)

# wrk URL [HEADER] -> "req/s p99ms non2xx requests"
rps()
{
    wrk -t2 -c"$CONNS" -d"${DUR}s" --latency ${2:+-H "$2"} "$B$1" | awk '
        function ms(v) {
            if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
            if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
            if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
            return v
        }
        /^Requests\/sec/ {r = $2}
        / requests in / {n = $1}
        $1 == "99%" {p = ms($2)}
        /Non-2xx/ {e = $NF}
        END {printf "%s %.2f %d %d\n", r, p, e + 0, n}'
}

# perf record -a -g for the load NAME while it runs, then its summary
perf_start()
{
    perf record -a -g -F 499 -o "$PERF_DIR/$1.data" -- sleep "$DUR" \
        >/dev/null 2>&1 &
    PERF_PID=$!
}
perf_summary()
{
    local d=$PERF_DIR/$1.data part pids
    {
        echo "## $1: CPU by process name, whole machine (perf record -a -g -F 499, ${DUR}s)"
        perf report -i "$d" --no-children --sort comm --stdio -g none 2>/dev/null |
            grep -E '^ +[0-9]' | head -12 || true
        for part in "${PARTS[@]}"; do
            pids=$(pids_of "$part" | paste -sd,)
            echo "## $1: $part (its processes only; % of its own samples), by library"
            perf report -i "$d" --no-children --pid "$pids" --percentage relative \
                --sort dso --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -8 || true
            echo "## $1: $part, top symbols"
            perf report -i "$d" --no-children --pid "$pids" --percentage relative \
                --sort dso,sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -25 || true
        done
    } >"$PERF_DIR/$1.txt"
    rm -f "$d"
}
[[ -n $PERF_DIR ]] && mkdir -p "$PERF_DIR"

declare -A R P99 E N CPU T0
for ((round = 1; round <= ROUNDS; round++)); do
    for n in "${NAMES[@]}"; do
        [[ -n $PERF_DIR && $round == 1 ]] && perf_start "$n"
        for part in "${PARTS[@]}"; do T0[$part]=$(ticks "$part"); done
        read -r r p e reqs < <(rps "${URL[$n]}" "${HDR[$n]:-}")
        for part in "${PARTS[@]}"; do
            read -r u0 k0 <<<"${T0[$part]}"
            read -r u1 k1 < <(ticks "$part")
            CPU[$n.$part.u]=$((${CPU[$n.$part.u]:-0} + u1 - u0))
            CPU[$n.$part.k]=$((${CPU[$n.$part.k]:-0} + k1 - k0))
        done
        N[$n]=$((${N[$n]:-0} + reqs))
        if [[ -n $PERF_DIR && $round == 1 ]]; then
            wait "$PERF_PID" || true
            perf_summary "$n"
        fi
        R[$n]+="$r "
        P99[$n]+="$p "
        E[$n]=$((${E[$n]:-0} + e))
    done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# the median over the rounds of A[i]/B[i]
ratio()
{
    local -a a b
    read -r -a a <<<"${R[$1]}"
    read -r -a b <<<"${R[$2]}"
    for i in "${!a[@]}"; do
        awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN {printf "%.2f\n", x / y}'
    done | median
}
all() { echo "${R[$1]}" | tr ' ' '\n' | grep . | awk '{printf "%s%.0f", (NR > 1 ? " / " : ""), $1}'; }

echo "kedr $KEDR_WORKERS workers (access_log $KEDR_ACCESS_LOG), PHP-FPM $PHP_WORKERS; fastcgi_keep_conn $KEEP_CONN${UP_KEEP:+ ($UP_KEEP)}; load average $LOAD_START at start, $LOAD_END at end"
echo
echo "| load (wrk -t2 -c$CONNS -d${DUR}s, $(nproc) cores, $ROUNDS rounds) | req/s (median) | each round | p99 ms (median) | non-2xx |"
echo "|---|---:|---|---:|---:|"
for n in "${NAMES[@]}"; do
    printf '| %s | %s | %s | %s | %s |\n' "$n ${URL[$n]}" \
        "$(echo "${R[$n]}" | median)" "$(all "$n")" \
        "$(echo "${P99[$n]}" | median)" "${E[$n]}"
done
echo
echo "CPU per request, µs (user + system), over all rounds; the machine's other load is not in it:"
echo
echo "| load | nginx | kedr | php-fpm | postgres | sum |"
echo "|---|---:|---:|---:|---:|---:|"
us() { awk -v t="$1" -v n="${N[$2]}" -v hz="$HZ" 'BEGIN {printf "%.0f", t * 1e6 / hz / n}'; }
for n in "${NAMES[@]}"; do
    line="| $n"
    sum=0
    for part in "${PARTS[@]}"; do
        u=$(us "${CPU[$n.$part.u]}" "$n")
        k=$(us "${CPU[$n.$part.k]}" "$n")
        line+=" | $((u + k)) ($u + $k)"
        sum=$((sum + u + k))
    done
    echo "$line | $sum |"
done
echo
echo "ratios: kedr/php no-DB $(ratio kedr_nodb php_nodb), kedr/php SELECT $(ratio kedr_select php_select), kedr no-DB/static $(ratio kedr_nodb static)"
