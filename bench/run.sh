#!/usr/bin/env bash
# bench/run.sh -- the core's throughput against its ceiling and its floor,
# measured in one run on this machine:
#
#   static   a 1 KiB file served by nginx itself (the ceiling)
#   nodb     GET /api/v1/hello/greeting: nginx -> kedr, no database work
#   select   GET /api/v1/hello/greetings/1: nginx -> kedr -> one indexed
#            SELECT (PostgreSQL builds the JSON) in a read-only transaction
#   pgbench  the same SELECT straight from pgbench, prepared (the floor)
#
# Every HTTP load is wrk with the same threads, connections and duration;
# pgbench gets the same number of clients.  Results are ratios, printed as
# a Markdown table for bench/RESULTS.md.
#
#   bench/run.sh [SECONDS] [CONNECTIONS]      (defaults: 10 16)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd -P)
DUR=${1:-10}
CONNS=${2:-16}
THREADS=2

# shellcheck source=bench/stack.sh
. bench/stack.sh
STATIC="$ROOT/www/bench-1k.txt"
BENCH_CLEAN=("$STATIC")
bench_stack core '"hello"'

head -c 768 /dev/urandom | base64 -w0 >"$STATIC"   # 1024 bytes

# wrk NAME PATH -> "rps p99ms"
run_wrk()
{
    local out rps p99
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" --latency "$BASE$1")
    if echo "$out" | grep -q "Non-2xx"; then
        echo "wrk $1: non-2xx answers" >&2
        echo "$out" >&2
        # which statuses, and what nginx and kedr said about them
        awk '$9 !~ /^(2..|499)$/' "$DIR/log/nginx-access.log" | tail -5 >&2
        tail -5 "$DIR/log/nginx-error.log" >&2
        grep -E ' (error|warn) ' "$DIR/log/kedr.log" | tail -5 >&2
        exit 1
    fi
    rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}')
    echo "$rps $p99"
}

# warm up every path (prepared statements, page cache, connections)
for p in /bench-1k.txt /api/v1/hello/greeting /api/v1/hello/greetings/1; do
    wrk -t1 -c4 -d1s "$BASE$p" >/dev/null
done

read -r S_RPS S_P99 < <(run_wrk /bench-1k.txt)
read -r N_RPS N_P99 < <(run_wrk /api/v1/hello/greeting)
read -r Q_RPS Q_P99 < <(run_wrk /api/v1/hello/greetings/1)

# the same statement hello_get runs (modules/hello/hello.c: hello_one_sql)
SQL="$DIR/select.sql"
cat >"$SQL" <<'SQL'
SELECT json_build_object('id', id, 'lang', lang, 'text', text, 'version', version)::text FROM hello.greeting WHERE id = 1;
SQL
PGBENCH=$(printf '%s\n' /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -1)
PGLOG="$DIR/pgbench"
mkdir -p "$PGLOG"
(cd "$PGLOG" && "$PGBENCH" -n -M prepared -c "$CONNS" -j "$THREADS" -T "$DUR" \
    -f "$SQL" -l --log-prefix=tx "$KEDR_DATABASE_URL" >"$DIR/pgbench.out" 2>&1)
P_RPS=$(awk '/^tps/ {print $3; exit}' "$DIR/pgbench.out")
# per-transaction log: field 3 is the latency in microseconds
P_P99=$(cat "$PGLOG"/tx.* | awk '{print $3}' | sort -n |
        awk '{a[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; printf "%.2f", a[i]/1000}')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f%%", 100*a/b}'; }

cat <<EOF
Machine: $(nproc) cores, $(uname -r); wrk -t$THREADS -c$CONNS -d${DUR}s; pgbench -M prepared -c $CONNS -j $THREADS -T $DUR
nginx $(nginx -v 2>&1 | sed 's/.*\///'), 1 worker; kedr 8 workers (conf/kedr.conf), access log on; PostgreSQL $("$PGBENCH" --version | awk '{print $3}')

| load | requests/s | p99 ms | ratio |
|---|---:|---:|---|
| static 1 KiB file, nginx (ceiling) | $S_RPS | $S_P99 | 100% |
| GET /api/v1/hello/greeting, no database | $N_RPS | $N_P99 | $(ratio "$N_RPS" "$S_RPS") of static |
| GET /api/v1/hello/greetings/1, one indexed SELECT | $Q_RPS | $Q_P99 | $(ratio "$Q_RPS" "$P_RPS") of pgbench |
| pgbench, the same SELECT (floor) | $P_RPS | $P_P99 | 100% |
EOF
