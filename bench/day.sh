#!/usr/bin/env bash
# bench/day.sh -- a working day of 150 users against a throw-away stack
# with catalog and clients over the benchmark data set (issue 13,
# section 5): bench/day.mjs sends an open-model load (Poisson arrivals
# at a set rate, latency from the scheduled time) at each multiple of the
# design peak, 35 requests/s.
#
#   bench/day.sh [MULTIPLE...]            (default: 1 10)
#   DAY_SECONDS=120 bench/day.sh 10       (each level's length, default 60)
#   DAY_SKIP=contact.list,contact.search bench/day.sh   (leave routes out)
#   DAY_OWN_ONLY=false bench/day.sh       (managers see every client)
#
# The data: bench/clients-data.sql (65,000 counterparties, 150,000
# contacts, 100,000 outlets, 20,000 products).  The users: 130 managers
# (own-only, each the manager of 1/130 of the counterparties and outlets)
# and 20 analysts (read and export everything, write nothing), all with
# one password; they log in once before the clock starts.  The login
# throttle of the private nginx is raised for the 150 logins from one
# address (KEDR_LOGIN_RATE); nothing else differs from the shipped
# configuration.  Prints, per level, the load average and the table of
# bench/day.mjs (p50/p99 per route, errors).
set -euo pipefail
cd "$(dirname "$0")/.."
LEVELS=("$@")
((${#LEVELS[@]})) || LEVELS=(1 10)
SECONDS_PER_LEVEL=${DAY_SECONDS:-60}
PEAK=35
USERS=150
MANAGERS=130
# the managers' role: the built-in own-only "manager", or a copy of its
# permissions without the own-only limit
if [[ ${DAY_OWN_ONLY:-true} == false ]]; then MROLE=day_manager; else MROLE=manager; fi

export KEDR_LOGIN_RATE=6000r/m
# shellcheck source=bench/stack.sh
. bench/stack.sh
bench_stack day '"catalog", "clients"'

echo "loading the data set (bench/clients-data.sql)..." >&2
psql -q -X "$KEDR_DATABASE_URL" -f bench/clients-data.sql >/dev/null

# one user made by the CLI (the password hashed as kedr does), the others
# copied from it in SQL: 150 password hashes would take minutes
PW=day-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
printf '%s\n' "$PW" |
    build/kedr -c "$DIR/kedr.conf" user add day001 --role analyst --password-stdin >/dev/null
psql -q -X -v ON_ERROR_STOP=1 "$KEDR_DATABASE_URL" <<SQL >/dev/null
INSERT INTO core.role (name, label_ru, label_en, permissions, own_only)
SELECT 'day_manager', 'Менеджер (все клиенты)', 'Manager (all clients)', permissions, false
  FROM core.role WHERE name = 'manager';
DELETE FROM core.user_role WHERE user_id = (SELECT id FROM core."user" WHERE login = 'day001');
INSERT INTO core."user" (login, full_name, password_hash, password_changed_at)
SELECT 'day' || lpad(g::text, 3, '0'), 'Day user ' || g, u.password_hash, now()
  FROM generate_series(2, $USERS) g, core."user" u WHERE u.login = 'day001';
INSERT INTO core.user_role (user_id, role_id)
SELECT u.id, r.id FROM core."user" u, core.role r
 WHERE u.login ~ '^day[0-9]{3}$'
   AND r.name = CASE WHEN substr(u.login, 4)::int <= $MANAGERS THEN '$MROLE' ELSE 'analyst' END;
-- each manager owns a share of the clients (own-only lists are theirs)
CREATE TEMP TABLE day_mgr AS
SELECT row_number() OVER (ORDER BY u.login) - 1 AS k, u.id
  FROM core."user" u WHERE u.login ~ '^day[0-9]{3}$' AND substr(u.login, 4)::int <= $MANAGERS;
UPDATE clients.counterparty c SET manager_id = m.id FROM day_mgr m WHERE m.k = c.id % $MANAGERS;
UPDATE clients.outlet o SET manager_id = m.id FROM day_mgr m WHERE m.k = o.id % $MANAGERS;
VACUUM ANALYZE clients.counterparty;
VACUUM ANALYZE clients.outlet;
SQL

# one first page of each list, alone, as a manager (own-only) and as an
# analyst: what a single request costs before any load
probe()
{
    local login=$1 cookie path
    cookie=$(curl -sf -o /dev/null -D - -H 'Content-Type: application/json' \
        -d "{\"login\":\"$login\",\"password\":\"$PW\"}" "$BASE/api/v1/session" |
        sed -n 's/^[Ss]et-[Cc]ookie: \(kedr_session=[^;]*\).*/\1/p' | tr -d '\r')
    for path in clients/counterparties clients/contacts clients/outlets catalog/products; do
        curl -s -o /dev/null -H "Cookie: $cookie" -w "| $login | /api/v1/$path?limit=50 | %{http_code} | %{time_total} s |\n" \
            "$BASE/api/v1/$path?limit=50"
    done
}
echo
echo "One request alone (load average $(cut -d' ' -f1-3 /proc/loadavg)):"
echo
echo "| user | first page | status | time |"
echo "|---|---|---:|---:|"
probe day001
probe day$USERS

for m in "${LEVELS[@]}"; do
    rate=$((m * PEAK))
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    out=$(node bench/day.mjs --base "$BASE" --password "$PW" --users "$USERS" \
        --editors "$MANAGERS" --rate "$rate" --seconds "$SECONDS_PER_LEVEL" \
        --skip "${DAY_SKIP:-}")
    load1=$(cut -d' ' -f1-3 /proc/loadavg)
    echo
    echo "### ${m}× the design peak: $rate requests/s, ${SECONDS_PER_LEVEL}s, managers' role $MROLE; load average $load0 before, $load1 after${DAY_SKIP:+; left out: $DAY_SKIP}"
    echo
    echo "$out" | grep -v '^JSON '
done
