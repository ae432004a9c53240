#!/bin/bash
# bench/backfill.sh - goldwatch-admin backfill at 1 h steps: every built-in
# KPI over the demo shop's 90 days (RUNS runs, their median; target < 30 s),
# then over LARGE_DAYS days of the 1,000,000-invoice shop of bench/eval.sh
# (one run; target < 10 minutes for 1,000 days), and each KPI's query cost
# per moment on that shop (which queries the time goes to).
#
#   bench/backfill.sh        (RUNS=5 LARGE=1 LARGE_DAYS=1000
#                             AT: 2026-11-26 18:40 in GOLDWATCH_TIMEZONE)
#
# LARGE=0 skips the large shop; LARGE_DAYS=30 backfills only its last 30
# days (the cost per moment is about the same over the whole history: the
# windows are a day or 30 days whatever the moment). Everything happens at
# the moment AT (--now), as in bench/eval.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-5}
LARGE=${LARGE:-1}
LARGE_DAYS=${LARGE_DAYS:-1000}
AT=${AT:-$(bench_default_at)}

make -s all
bench_stack_start backfill

# one backfill from scratch; prints its summary line
backfill_once() {
	bench_psql -c "DELETE FROM kpi_samples WHERE source = 'backfill'" \
		-c "VACUUM ANALYZE kpi_samples"
	build/goldwatch-admin backfill --days "$1" --step 1h --now "$AT" 2>&1 | tail -n 1
}

seconds_of() { sed -n 's/.*, \([0-9.]*\) s$/\1/p'; }

echo "demo shop: 90 days x ~40 invoices, up to $AT"
build/goldwatch-admin demo --days 90 --per-day 40 --seed 0.42 --now "$AT" --no-backfill --no-rules
: > "$BENCH_DIR/demo-runs.txt"
for run in $(seq 1 "$RUNS"); do
	line=$(backfill_once 90)
	echo "run $run: $line"
	echo "$line" >> "$BENCH_DIR/demo-runs.txt"
done
demo_s=$(seconds_of < "$BENCH_DIR/demo-runs.txt" | median)
echo "median of $RUNS: 90 days x every built-in KPI at 1 h: $demo_s s (target < 30)"
[ "$LARGE" = 1 ] || exit 0

echo
echo "large shop: 1000 days x ~1000 invoices, up to $AT"
t0=$(date +%s)
build/goldwatch-admin demo --reset --days 1000 --per-day 1000 --seed 0.42 --now "$AT" --no-backfill --no-rules
echo "  generated in $(( $(date +%s) - t0 )) s"
line=$(backfill_once "$LARGE_DAYS")
echo "$line"
echo "$LARGE_DAYS days x every built-in KPI at 1 h: $(echo "$line" | seconds_of) s" \
	"(target < 600 for 1000 days)"

# each KPI's query at 24 moments of the last day, as the backfill runs it
echo
echo "per KPI on the large shop, ms per moment (24 moments of the last day):"
bench_psql -tA -c "SELECT key FROM kpis WHERE source = 'sql' AND deleted_at IS NULL ORDER BY key" |
while read -r key; do
	q=$(bench_psql -tA -c "SELECT query FROM kpis WHERE key = '$key'")
	ms=$(bench_psql -tA <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1
CREATE FUNCTION pg_temp.f(timestamptz, text) RETURNS float8 LANGUAGE sql STABLE
    AS \$gw_bench\$ SELECT q.value::float8 FROM ($q
) AS q \$gw_bench\$;
\timing on
SELECT count(pg_temp.f(g, '${GOLDWATCH_TIMEZONE:-UTC}'))
  FROM generate_series('$AT'::timestamptz - interval '23 hours', '$AT', interval '1 hour') g;
SQL
)
	awk -v k="$key" -v ms="$ms" 'BEGIN { printf "  %-26s %8.2f\n", k, ms / 24 }'
done
