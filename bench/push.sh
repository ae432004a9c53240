#!/bin/bash
# bench/push.sh - push KPIs evaluated in their own request, on a throwaway
# stack (its own PostgreSQL, goldwatch-api, pusher and nginx on a free
# port, under build/bench-push):
#   latency  a sample posted through nginx that makes a rule fire ->
#            alert.fired received by a WebSocket client through nginx, 100
#            firings (each: the breach, then a value that resolves it),
#            build/bench/ws_load push, RUNS runs;
#   load     100 pushes a second through nginx across 50 push KPIs with
#            1,000 rules on them (20 each, thresholds spread so that a
#            random value 0..100 changes about half of them: fires and
#            resolves in most requests), the API's p99, with the baseline of
#            the same run at the same rate and by the same client: nginx
#            serving a static file and GET /api/health; RUNS rounds,
#            interleaved.
# Method and figures: docs/BENCHMARKS.md, "Push KPIs evaluated at once".
#
#   bench/push.sh     (RUNS=3 RATE=100 SECONDS_EACH=20 KPIS=50 RULES=1000)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-3}
RATE=${RATE:-100}
SECONDS_EACH=${SECONDS_EACH:-20}
KPIS=${KPIS:-50}
RULES=${RULES:-1000}
BUILD=${BUILD:-build}

make -s all bench-bins
bench_stack_start push
export BENCH_URL
echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"

echo "--- latency: sample posted -> alert.fired received (1 client through nginx)"
for i in $(seq 1 "$RUNS"); do
	echo "run $i/$RUNS ($(date -u +%H:%M:%S), load $(cut -d' ' -f1 /proc/loadavg))"
	"$BUILD/bench/ws_load" push --clients 1 --events 100 --via nginx | grep -E 'latency|samples'
done

echo "--- load: $RATE pushes/s across $KPIS KPIs with $RULES rules"
bench_psql -v kpis="$KPIS" -v rules="$RULES" <<'SQL'
INSERT INTO kpis (key, name, category, unit, source)
SELECT 'bench_push_' || k, 'Bench push ' || k, 'operational', 'count', 'push'
  FROM generate_series(0, :kpis - 1) k;
WITH r AS (
    INSERT INTO alert_rules (name, kpi_key, condition, threshold, severity, cooldown_minutes)
    SELECT 'bench push rule ' || i, 'bench_push_' || (i % :kpis),
           CASE WHEN i % 2 = 0 THEN 'gt' ELSE 'lt' END, 5 + (i / :kpis) * 90.0 / (:rules / :kpis),
           'warning', 0
      FROM generate_series(0, :rules - 1) i RETURNING id)
INSERT INTO rule_state (rule_id) SELECT id FROM r;
ANALYZE kpis, alert_rules, rule_state;
SQL
BENCH_TOKEN=$(bench_token)
export BENCH_TOKEN
[ -n "$BENCH_TOKEN" ] || { echo "no API token"; exit 1; }
out=$BENCH_DIR/load
mkdir -p "$out"
for round in $(seq 1 "$RUNS"); do
	for what in static health push; do
		case $what in
		static) args=(get /static/css/goldwatch.css) ;;
		health) args=(get /api/health) ;;
		push) args=(push bench_push_ "$KPIS") ;;
		esac
		"$BUILD/bench/push_load" "${args[@]}" --rate "$RATE" --seconds "$SECONDS_EACH" \
			--threads 8 | tee "$out/$what.$round"
	done
	echo "round $round done (load $(cut -d' ' -f1 /proc/loadavg))"
done
printf '\n%-8s %9s %9s %9s\n' what req/s p50_ms p99_ms
for what in static health push; do
	f() { for r in $(seq 1 "$RUNS"); do sed -n "s/.* $1 \([0-9.]*\).*/\1/p" "$out/$what.$r"; done | median; }
	rps=$(for r in $(seq 1 "$RUNS"); do sed -n 's/.* \([0-9.]*\) req\/s.*/\1/p' "$out/$what.$r"; done | median)
	printf '%-8s %9s %9s %9s\n' "$what" "$rps" "$(f p50)" "$(f p99)"
done
bench_psql -tAc "SELECT count(*), count(*) FILTER (WHERE state = 'firing') FROM alerts" |
	awk -F'|' '{print "alerts fired during the load: " $1 " (" $2 " still firing)"}'
echo "(median of $RUNS rounds of ${SECONDS_EACH}s at $RATE req/s; raw output in $out)"
