#!/usr/bin/env bash
# bench/sf-import.sh -- `kedr migrate salesforce` (issue 7) against plain
# \copy, in one run on this machine:
#
#   export   tools/sf-export.mjs writes a weekly data export of SCALE
#            (1 = 600,202 rows in all, 375,152 of them in the objects
#            Kedr imports today; 1.6 = 600,000 of those), seed "bench"
#            (not timed)
#   kedr     `kedr migrate salesforce DIR --json` into a fresh throw-away
#            stack (tools/stack.sh, catalog and clients), JOBS processes
#            (default: the cores): wall clock for the whole run, and per
#            object its own seconds from the JSON (objects overlap)
#   \copy    the floor: the rows the import wrote (every column of its
#            records, dumped to CSV) loaded by psql's \copy into an
#            empty copy of the same tables (CREATE TABLE ... (LIKE ...
#            INCLUDING ALL): same columns, defaults, checks and indexes;
#            no foreign keys, no triggers), one table after the other
#   rerun    the same import again: it must create and update nothing
#
# The raw Salesforce files cannot be \copy'd into Kedr's tables as they
# are (other columns, and the dirt the import cleans), so the floor loads
# the cleaned rows; it does not write core.import_map or core.audit,
# which the import does.  Prints a Markdown table for bench/RESULTS.md.
#
#   bench/sf-import.sh [SCALE [JOBS]]      (default 1.6, the cores)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-1.6}
JOBS=${2:-$(nproc)}

# shellcheck source=bench/stack.sh
. bench/stack.sh
bench_stack sf '"catalog", "clients"'
PSQL=(psql -X -q -v ON_ERROR_STOP=1 "$KEDR_DATABASE_URL")

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

T=$(now)
node tools/sf-export.mjs "$DIR/sf" --scale "$SCALE" --seed bench >/dev/null 2>&1
GEN=$(secs "$T" "$(now)")
TOTAL=$(node -e 'const m=require(process.argv[1]); console.log(m.totalRows)' "$DIR/sf/manifest.json")
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# kedr migrate: each progress line on standard error stamped on arrival
import_sf()
{
    local out=$1 t0
    t0=$(now)
    echo "start $t0" >"$out.times"
    # the subshell's `times`: kedr's own CPU (user, system), its child
    (
        rc=0
        build/kedr -c "$DIR/kedr.conf" migrate salesforce "$DIR/sf" \
            --mapping conf/import/salesforce.conf --jobs "$JOBS" --json 2>&1 >"$out.json" || rc=$?
        times >"$out.cpu"
        exit "$rc"
    ) | while IFS= read -r line; do printf '%s %s\n' "$(now)" "$line"; done >>"$out.times"
    echo "end $(now)" >>"$out.times"
}
import_sf "$DIR/first"
import_sf "$DIR/second"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
grep -q '^end' "$DIR/first.times" || { echo "import failed" >&2; exit 1; }
KEDR1=$(awk '$1 == "start" {s = $2} $1 == "end" {printf "%.2f", $2 - s}' "$DIR/first.times")
# "0m1.234s 0m0.056s" -> seconds
cpu() { awk 'NR == 2 {t = 0; for (i = 1; i <= 2; i++) {split($i, a, /[ms]/); t += a[1] * 60 + a[2]}; printf "%.2f", t}' "$1"; }
CPU1=$(cpu "$DIR/first.cpu")
KEDR2=$(awk '$1 == "start" {s = $2} $1 == "end" {printf "%.2f", $2 - s}' "$DIR/second.times")

# per object: its own seconds (with JOBS > 1 the objects overlap)
declare -A KT
while read -r obj t; do KT[$obj]=$t; done < <(
    jq -r '.objects | to_entries[] | select(.value.seconds) | "\(.key) \(.value.seconds * 100 | round / 100)"' \
        "$DIR/first.json")

# the floor: the tables each imported object writes, and which of their rows
declare -A TABLES=(
    [User]='core.user'
    [Account]='clients.counterparty'
    [Contact]='clients.contact clients.contact_link'
    [Store__c]='clients.outlet'
    [Product2]='catalog.product_group catalog.product'
    [Pricebook2]='catalog.price_type'
    [PricebookEntry]='catalog.price'
)
declare -A WHERE=([core.user]="WHERE ext ? 'salesforce_id'")
"${PSQL[@]}" -c 'CREATE SCHEMA bench'
declare -A CT
OBJECTS=()
for obj in User Account Contact Store__c Product2 Pricebook2 PricebookEntry; do
    [[ $(jq -r ".objects.$obj.skipped // empty" "$DIR/first.json") == "" ]] || continue
    OBJECTS+=("$obj")
    total=0
    for t in ${TABLES[$obj]}; do
        s=${t%%.*} n=${t#*.}
        cols=$("${PSQL[@]}" -At -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
            FROM pg_attribute WHERE attrelid = '$s.\"$n\"'::regclass AND attnum > 0
            AND NOT attisdropped AND attgenerated = ''")
        "${PSQL[@]}" -c "CREATE TABLE bench.\"$n\" (LIKE $s.\"$n\" INCLUDING ALL EXCLUDING IDENTITY)"
        "${PSQL[@]}" -c "\\copy (SELECT $cols FROM $s.\"$n\" ${WHERE[$t]:-}) TO '$DIR/$n.csv' WITH (FORMAT csv)"
        T=$(now)
        "${PSQL[@]}" -c "\\copy bench.\"$n\" ($cols) FROM '$DIR/$n.csv' WITH (FORMAT csv)"
        total=$(awk -v a="$total" -v b="$(secs "$T" "$(now)")" 'BEGIN {printf "%.2f", a + b}')
    done
    CT[$obj]=$total
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1f×", a / b; else print "-"}'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN {if (s > 0) printf "%.0f", n / s; else print "-"}'; }
j() { jq -r "$1" "$DIR/first.json"; }

SKIPPED=$(jq -r '[.objects | to_entries[] | select(.value.skipped) | .key] | join(", ")' "$DIR/first.json")
IMPORTED_ROWS=0
for obj in "${OBJECTS[@]}"; do IMPORTED_ROWS=$((IMPORTED_ROWS + $(j ".objects.$obj.read"))); done
C2=$(jq '[.objects[] | (.created // 0)] | add' "$DIR/second.json")
U2=$(jq '[.objects[] | (.updated // 0)] | add' "$DIR/second.json")

cat <<EOT
Machine: $(nproc) cores, $(uname -r); PostgreSQL $(psql --version | awk '{print $3}'); load average $LOAD_BEFORE before the import, $LOAD_AFTER after the rerun
Export: scale $SCALE, seed bench, $TOTAL rows in $(jq '.files | length' "$DIR/sf/manifest.json") files (generated in $GEN s, not counted); skipped by the migrator (no migrator yet): ${SKIPPED:-none}

| object | rows read | created | kedr s | rows/s | tables | \\copy s | ratio |
|---|---:|---:|---:|---:|---|---:|---:|
EOT
KSUM=0 CSUM=0
for obj in "${OBJECTS[@]}"; do
    read_n=$(j ".objects.$obj.read")
    echo "| $obj | $read_n | $(j ".objects.$obj.created") | ${KT[$obj]} | $(rate "$read_n" "${KT[$obj]}") | ${TABLES[$obj]// /, } | ${CT[$obj]} | $(ratio "${KT[$obj]}" "${CT[$obj]}") |"
    KSUM=$(awk -v a="$KSUM" -v b="${KT[$obj]}" 'BEGIN {printf "%.2f", a + b}')
    CSUM=$(awk -v a="$CSUM" -v b="${CT[$obj]}" 'BEGIN {printf "%.2f", a + b}')
done
echo "| objects one after another (sum) | $IMPORTED_ROWS | | $KSUM | $(rate "$IMPORTED_ROWS" "$KSUM") | | $CSUM | $(ratio "$KSUM" "$CSUM") |"
echo "| **the whole run, $JOBS jobs (wall clock)** | $IMPORTED_ROWS | | $KEDR1 | $(rate "$IMPORTED_ROWS" "$KEDR1") | | $CSUM | $(ratio "$KEDR1" "$CSUM") |"
cat <<EOT

Whole first run (wall clock, skipped files and the JSON included): $KEDR1 s, $(rate "$IMPORTED_ROWS" "$KEDR1") imported rows/s; of it kedr's own CPU (reading, cleansing, COPY out, all its processes) $CPU1 s, the rest PostgreSQL (and waiting).
Second run of the same export: $KEDR2 s, $C2 created, $U2 updated$( ((C2 + U2 == 0)) && echo " (idempotent)" || echo " (NOT idempotent)").
EOT
((C2 + U2 == 0))
