#!/bin/bash
# bench/notify.sh - alerts to contact points through the whole pipeline, on
# a throwaway stack (its own PostgreSQL, goldwatch-api, delivery service
# and nginx on a free port, under build/bench-notify):
#   latency  a sample posted through nginx that makes a rule fire -> the
#            webhook's request at a real HTTP receiver (group wait 0, a
#            signed webhook), 100 firings each resolved again, RUNS runs;
#   burst    1,000 rules on one push KPI fire from one sample, routed to 3
#            contact points (webhook, Slack-style, Telegram-style): group
#            wait 0 and 5 s, the time to the last delivery, the messages
#            and the alerts they carried.
# The baseline of the same run: nginx serving a static file and
# GET /api/health (bench/http.sh's client, build/bench/push_load get).
# Method and figures: docs/BENCHMARKS.md, "Notifications".
#
#   bench/notify.sh     (RUNS=3 EVENTS=100 RULES=1000)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-3}
EVENTS=${EVENTS:-100}
RULES=${RULES:-1000}
BUILD=${BUILD:-build}

make -s all bench-bins
bench_stack_start notify
export BENCH_URL
BENCH_TOKEN=$(bench_token)
export BENCH_TOKEN
[ -n "$BENCH_TOKEN" ] || { echo "no API token"; exit 1; }
echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"

out=$BENCH_DIR/runs
mkdir -p "$out"
for i in $(seq 1 "$RUNS"); do
	echo "run $i/$RUNS ($(date -u +%H:%M:%S), load $(cut -d' ' -f1 /proc/loadavg))"
	for what in static health; do
		case $what in
		static) args=(get /static/css/goldwatch.css) ;;
		health) args=(get /api/health) ;;
		esac
		"$BUILD/bench/push_load" "${args[@]}" --rate 50 --seconds 4 --threads 2 |
			tee "$out/$what.$i"
	done
	bench_psql -qc "DELETE FROM notification_policies WHERE NOT is_default;
		UPDATE notification_policies SET contact_points = '{}';
		DELETE FROM alert_rules WHERE name LIKE 'bench notify %';
		DELETE FROM kpis WHERE key LIKE 'bench_notify_%';
		DELETE FROM contact_points;"
	"$BUILD/bench/notify_load" latency --events "$EVENTS" | tee "$out/latency.$i"
done
printf '\n%-44s %9s %9s\n' what p50_ms p99_ms
med() { for r in $(seq 1 "$RUNS"); do grep "$1" "$out/$2.$r" | sed -n "s/.* $3 \([0-9.]*\) ms.*/\1/p"; done | median; }
for what in static health; do
	printf '%-44s %9s %9s\n' "baseline: $what" \
		"$(for r in $(seq 1 "$RUNS"); do sed -n 's/.* p50 \([0-9.]*\).*/\1/p' "$out/$what.$r"; done | median)" \
		"$(for r in $(seq 1 "$RUNS"); do sed -n 's/.* p99 \([0-9.]*\).*/\1/p' "$out/$what.$r"; done | median)"
done
printf '%-44s %9s %9s\n' "fired (sample answered) -> webhook received" \
	"$(med 'fired (sample' latency p50)" "$(med 'fired (sample' latency p99)"
printf '%-44s %9s %9s\n' "sample posted -> webhook received" \
	"$(med 'sample posted' latency p50)" "$(med 'sample posted' latency p99)"

for wait in 0 5; do
	echo "--- burst: $RULES alerts at once to 3 contact points, group wait ${wait}s"
	bench_psql -qc "DELETE FROM notification_policies WHERE NOT is_default;
		UPDATE notification_policies SET contact_points = '{}';
		DELETE FROM alert_rules WHERE name LIKE 'bench notify %';
		DELETE FROM kpis WHERE key LIKE 'bench_notify_%';
		DELETE FROM contact_points;"
	"$BUILD/bench/notify_load" burst --rules "$RULES" --wait "$wait"
	bench_psql -tAc "SELECT channel, count(*), sum(cardinality(alert_ids)),
		count(*) FILTER (WHERE status = 'sent') FROM mail_outbox
		WHERE contact_point_id IS NOT NULL GROUP BY 1 ORDER BY 1" |
		awk -F'|' '{print "  outbox " $1 ": " $2 " message(s), " $3 " alerts, " $4 " sent"}'
done
echo "(medians of $RUNS runs; raw output in $out)"
