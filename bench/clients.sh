#!/usr/bin/env bash
# bench/clients.sh -- the clients module's list queries under load (issue
# 6), each against its floor, in one run on this machine:
#
#   list     GET /api/v1/clients/counterparties (first page, by name)
#   name     GET /api/v1/clients/counterparties?q=FRAGMENT (name search)
#   words    GET /api/v1/clients/counterparties?q=WORD WORD ооо (words of
#            a name in another order, a legal form: issue 13)
#   inn      GET /api/v1/clients/counterparties?q=INN (the search box
#            with a whole INN)
#   phone    GET /api/v1/clients/counterparties?q=8 495 NNNNNNN (a
#            contact's phone, written another way than it is stored)
#   contact  GET /api/v1/clients/counterparties?q=LAST FIRST (a linked
#            contact's name)
#   outlets  GET /api/v1/clients/outlets?distributor_id=N
#
# A throw-away stack (tools/stack.sh) with catalog and clients, 65,000
# counterparties, 150,000 contacts, 100,000 outlets and 20,000 products
# from bench/clients-data.sql, an admin session.  Each route is loaded
# with wrk (random fragments, INNs and distributors through a Lua
# script), then the statement the route runs -- extracted from the C
# source by bench/sql-of.py, parameters filled in the same way -- goes
# through pgbench -M prepared with the same number of clients (the
# floor).  Prints a Markdown table for bench/RESULTS.md.
#
#   bench/clients.sh [SECONDS] [CONNECTIONS]      (defaults: 10 50)
#   BENCH_KINDS="name phone" bench/clients.sh 5 50  (only those rows)
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
CONNS=${2:-50}
THREADS=2

# shellcheck source=bench/stack.sh
. bench/stack.sh
bench_stack clients '"catalog", "clients"'

psql -q -X "$KEDR_DATABASE_URL" -f bench/clients-data.sql >/dev/null
COUNTS=$(psql -X -At "$KEDR_DATABASE_URL" -c "SELECT (SELECT count(*) FROM clients.counterparty) || ' counterparties, ' || (SELECT count(*) FROM clients.contact) || ' contacts, ' || (SELECT count(*) FROM clients.outlet) || ' outlets, ' || (SELECT count(*) FROM catalog.product) || ' products'")

# an admin session: its cookie goes into every wrk request
PW=$(cat "$DIR/admin-password")
COOKIE=$(curl -sf -o /dev/null -D - -H 'Content-Type: application/json' \
    -d "{\"login\":\"admin\",\"password\":\"$PW\"}" "$BASE/api/v1/session" |
    sed -n 's/^[Ss]et-[Cc]ookie: kedr_session=\([^;]*\).*/\1/p' | tr -d '\r')
[[ -n $COOKIE ]] || { echo "login failed" >&2; exit 1; }

# the fragments and INNs both tools draw from (bench/clients-data.sql:
# name stems; INN of counterparty g is 1000000000 + 7919 g)
FRAGS="'строй','техно','энерго','снаб','монтаж','кабель','свет','маркет'"
# the two halves of a name there, for a search by words in another order
WA="'Строй','Электро','Свет','Техно','Энерго','Монтаж','Пром','Инвест'"
WB="'снаб','сервис','комплект','торг','маркет','групп','систем','проект'"
# contacts' names (the first 20 last names and 12 first names there)
LASTS="'Иванов','Смирнов','Кузнецов','Попов','Васильев','Петров','Соколов','Михайлов','Новиков','Фёдоров','Морозов','Волков','Алексеев','Лебедев','Семёнов','Егоров','Павлов','Козлов','Степанов','Николаев'"
FIRSTS="'Александр','Сергей','Дмитрий','Андрей','Алексей','Максим','Иван','Михаил','Николай','Владимир','Олег','Павел'"

cat >"$DIR/req.lua" <<'LUA'
local frags = {"строй","техно","энерго","снаб","монтаж","кабель","свет","маркет"}
local lasts = {"Иванов","Смирнов","Кузнецов","Попов","Васильев","Петров","Соколов","Михайлов","Новиков","Фёдоров",
  "Морозов","Волков","Алексеев","Лебедев","Семёнов","Егоров","Павлов","Козлов","Степанов","Николаев"}
local firsts = {"Александр","Сергей","Дмитрий","Андрей","Алексей","Максим","Иван","Михаил","Николай","Владимир","Олег","Павел"}
local was = {"Строй","Электро","Свет","Техно","Энерго","Монтаж","Пром","Инвест"}
local wbs = {"снаб","сервис","комплект","торг","маркет","групп","систем","проект"}
local kind = os.getenv("BENCH_KIND")
local function enc(s)
  return (s:gsub("[^%w]", function(c) return string.format("%%%02X", c:byte()) end))
end
request = function()
  local p
  if kind == "name" then
    p = "/api/v1/clients/counterparties?q=" .. enc(frags[math.random(#frags)])
  elseif kind == "words" then
    p = "/api/v1/clients/counterparties?q=" .. enc(wbs[math.random(#wbs)] .. " " .. was[math.random(#was)] .. " ооо")
  elseif kind == "inn" then
    p = "/api/v1/clients/counterparties?q=" .. (1000000000 + 7919 * math.random(65000))
  elseif kind == "phone" then
    p = "/api/v1/clients/counterparties?q=" .. enc(string.format("8 495 %07d", math.random(150000)))
  elseif kind == "contact" then
    p = "/api/v1/clients/counterparties?q=" .. enc(lasts[math.random(#lasts)] .. " " .. firsts[math.random(#firsts)])
  elseif kind == "outlets" then
    p = "/api/v1/clients/outlets?distributor_id=" .. math.random(500)
  else
    p = "/api/v1/clients/counterparties"
  end
  return wrk.format("GET", p)
end
LUA

# wrk KIND -> "rps p50ms p99ms"
ms()
{
    awk -v k="$1" '$1 == k {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}'
}
run_wrk()
{
    local out
    out=$(BENCH_KIND=$1 wrk -t"$THREADS" -c"$CONNS" -d"${2:-$DUR}s" --latency \
        -H "Cookie: kedr_session=$COOKIE" -s "$DIR/req.lua" "$BASE")
    if echo "$out" | grep -q "Non-2xx"; then
        echo "wrk $1: non-2xx answers" >&2
        echo "$out" >&2
        exit 1
    fi
    echo "$(echo "$out" | awk '/^Requests\/sec/ {print $2}') $(echo "$out" | ms 50%) $(echo "$out" | ms 99%)"
}

# the statements the routes run, their parameters filled in the same way
# (sql-of.py: absent ones are NULL; limit 50, offset 0, total counted up
# to 1000, the route's default order: the list by name ascending,
# cp_orders[7] / outlet_orders[1], the cursor of "next" cp_orders[9] /
# outlet_orders[3]; a counterparty search by relevance, cp_orders[1] and
# [3]: six strings per sort key).  A search (q, distributor_id) takes the
# *_search_sql statement (a counterparty's: cp_search_digits_sql for a
# number, cp_search_words_sql for anything else, as the module picks),
# and the word similarity threshold and the custom plans the module sets
# with q (cp_fuzzy_sql) are set for pgbench's sessions too.  A route the
# kit serves builds its statement at run time: with no statement in the
# source to extract, its floor columns say "-".  Limit, offset and
# the total's cap follow each list's filters: $12-$14 for counterparties
# ($11 is q as an E.164 phone, which the module works out in C),
# $8-$10 for outlets.
CP=modules/clients/clients_counterparties.c
OL=modules/clients/clients_outlets.c
LIST=("12=50" "13=0" "14=1000" "{BY}=cp_orders[7]" "{CURSOR}=cp_orders[9]")
SLIST=("12=50" "13=0" "14=1000" "{BY}=cp_orders[1]" "{CURSOR}=cp_orders[3]")
OLIST=("8=50" "9=0" "10=1000" "{BY}=outlet_orders[1]" "{CURSOR}=outlet_orders[3]")
mkdir -p "$DIR/sql"
python3 bench/sql-of.py "$CP" cp_list_sql "${LIST[@]}" >"$DIR/sql/list.sql" 2>/dev/null || rm -f "$DIR/sql/list.sql"
{ echo '\set i random(1, 8)'
  python3 bench/sql-of.py "$CP" cp_search_words_sql "${SLIST[@]}" 1="(ARRAY[$FRAGS])[:i]"; } >"$DIR/sql/name.sql" 2>/dev/null || rm -f "$DIR/sql/name.sql"
{ echo '\set a random(1, 8)'; echo '\set b random(1, 8)'
  python3 bench/sql-of.py "$CP" cp_search_words_sql "${SLIST[@]}" 1="((ARRAY[$WB])[:b] || ' ' || (ARRAY[$WA])[:a] || ' ооо')"; } >"$DIR/sql/words.sql" 2>/dev/null || rm -f "$DIR/sql/words.sql"
{ echo '\set g random(1, 65000)'
  python3 bench/sql-of.py "$CP" cp_search_digits_sql "${SLIST[@]}" 1="(1000000000 + 7919 * :g)::text" \
      11="(NULL::text)"; } >"$DIR/sql/inn.sql" 2>/dev/null || rm -f "$DIR/sql/inn.sql"
{ echo '\set g random(1, 150000)'
  python3 bench/sql-of.py "$CP" cp_search_digits_sql "${SLIST[@]}" 1="('8 495 ' || lpad(:g::text, 7, '0'))" \
      11="('+7495' || lpad(:g::text, 7, '0'))"; } >"$DIR/sql/phone.sql" 2>/dev/null || rm -f "$DIR/sql/phone.sql"
{ echo '\set a random(1, 20)'; echo '\set b random(1, 12)'
  python3 bench/sql-of.py "$CP" cp_search_words_sql "${SLIST[@]}" 1="((ARRAY[$LASTS])[:a] || ' ' || (ARRAY[$FIRSTS])[:b])"; } >"$DIR/sql/contact.sql" 2>/dev/null || rm -f "$DIR/sql/contact.sql"
{ echo '\set d random(1, 500)'
  python3 bench/sql-of.py "$OL" outlet_search_sql "${OLIST[@]}" 3=":d"; } >"$DIR/sql/outlets.sql" 2>/dev/null || rm -f "$DIR/sql/outlets.sql"

PGBENCH=$(printf '%s\n' /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -1)
# pgbench KIND -> "tps p50ms p99ms"
run_pgbench()
{
    local log=$DIR/pgbench-$1
    mkdir -p "$log"
    (cd "$log" && PGOPTIONS="-c pg_trgm.word_similarity_threshold=0.54 -c plan_cache_mode=force_custom_plan" "$PGBENCH" -n -M prepared -c "$CONNS" -j "$THREADS" -T "$DUR" \
        -f "$DIR/sql/$1.sql" -l --log-prefix=tx "$KEDR_DATABASE_URL" >"$log/out" 2>&1) ||
        { cat "$log/out" >&2; exit 1; }
    # per-transaction log: field 3 is the latency in microseconds
    echo "$(awk '/^tps/ {print $3; exit}' "$log/out")" \
        "$(cat "$log"/tx.* | awk '{print $3}' | sort -n |
           awk '{a[NR]=$1} END {i=int(NR*0.5); if (i<1) i=1; j=int(NR*0.99); if (j<1) j=1; printf "%.2f %.2f", a[i]/1000, a[j]/1000}')"
}

read -ra KINDS <<<"${BENCH_KINDS:-list name words inn phone contact outlets}"
# warm up every route (prepared statements, caches, connections)
for k in "${KINDS[@]}"; do
    BENCH_KIND=$k wrk -t1 -c4 -d2s -H "Cookie: kedr_session=$COOKIE" \
        -s "$DIR/req.lua" "$BASE" >/dev/null
done

declare -A W P
for k in "${KINDS[@]}"; do
    W[$k]=$(run_wrk "$k")
    P[$k]="- - -"
    [[ -f $DIR/sql/$k.sql ]] && P[$k]=$(run_pgbench "$k")
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b == "-") print "-"; else printf "%.0f%%", 100*a/b}'; }
# shellcheck disable=SC2016  # backquotes are Markdown here
declare -A LABEL=(
    [list]='`GET /counterparties` (first page, by name)'
    [name]='`GET /counterparties?q=<name fragment>`'
    [words]='`GET /counterparties?q=<word> <word> ооо`'
    [inn]='`GET /counterparties?q=<INN>`'
    [phone]='`GET /counterparties?q=8 495 <contact phone>`'
    [contact]='`GET /counterparties?q=<contact last and first name>`'
    [outlets]='`GET /outlets?distributor_id=<id>`'
)

cat <<EOT
Machine: $(nproc) cores, $(uname -r); wrk -t$THREADS -c$CONNS -d${DUR}s; pgbench -M prepared -c $CONNS -j $THREADS -T $DUR
nginx $(nginx -v 2>&1 | sed 's/.*\///'), 1 worker; kedr 8 workers (conf/kedr.conf); PostgreSQL $("$PGBENCH" --version | awk '{print $3}')
Data: $COUNTS

| query | wrk req/s | p50 ms | p99 ms | pgbench tx/s | p50 ms | p99 ms | ratio |
|---|---:|---:|---:|---:|---:|---:|---:|
EOT
for k in "${KINDS[@]}"; do
    read -r wr w50 w99 <<<"${W[$k]}"
    read -r pr p50 p99 <<<"${P[$k]}"
    echo "| ${LABEL[$k]} | $wr | $w50 | $w99 | $pr | $p50 | $p99 | $(ratio "$wr" "$pr") |"
done
