#!/bin/bash
# bench/preview.sh - POST /api/alerts/rules/preview through nginx over 90
# days of hourly samples (2,160) of one KPI, on a throwaway stack (under
# build/bench-preview): N requests each for a threshold rule, a pending
# and cooldown rule, a percent change over a day, a z-score over the
# last 1,000 samples, a seasonal percent over 12 weeks and a seasonal
# z-score over 4 (the baseline at every moment: 12 more weeks of hourly
# samples are stored before the span), and staleness (evaluated at every
# 5-minute step, 25,920 moments), one after the other; the median and p99
# of the request times (curl's time_total).
# Method and figures: docs/BENCHMARKS.md, "Preview of a rule".
#
#   bench/preview.sh     (N=50)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=${N:-50}
make -s all
bench_stack_start preview
echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
bench_psql <<'SQL'
INSERT INTO kpis (key, name, category, unit, source)
VALUES ('bench_preview', 'Bench preview', 'financial', 'USD', 'push');
INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)
SELECT 'bench_preview', 5000 + 1500 * sin(h / 7.0) + 300 * sin(h * 1.3), now() - h * interval '1 hour', 'push'
  FROM generate_series(0, (90 + 12 * 7) * 24 - 1) h;
ANALYZE kpi_samples;
SQL
token=$(bench_token)
[ -n "$token" ] || { echo "no API token"; exit 1; }
head='"days":90,"kpi":"bench_preview","severity":"warning"'
bodies=(
	"{$head,\"condition\":\"gt\",\"threshold\":6000,\"cooldown_minutes\":0}"
	"{$head,\"condition\":\"lt\",\"threshold\":4000,\"for_evaluations\":3,\"cooldown_minutes\":240}"
	"{$head,\"condition\":\"pct_change_gt\",\"threshold\":20,\"window_minutes\":1440}"
	"{$head,\"condition\":\"zscore_gt\",\"threshold\":2,\"window_samples\":1000}"
	"{$head,\"condition\":\"seasonal_pct_lt\",\"threshold\":-20,\"window_weeks\":12}"
	"{$head,\"condition\":\"seasonal_zscore_gt\",\"threshold\":2,\"window_weeks\":4}"
	"{$head,\"condition\":\"no_data\",\"threshold\":0,\"window_minutes\":120}"
)
names=(threshold pending_cooldown pct_change_1d zscore_1000 seasonal_pct_12w seasonal_z_4w no_data_2h)
printf '%-18s %8s %8s %8s %8s\n' rule firings samples p50_ms p99_ms
for i in "${!bodies[@]}"; do
	answer=$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		-d "${bodies[$i]}" "$BENCH_URL/api/alerts/rules/preview")
	count=$(sed -n 's/.*"count":\([0-9]*\).*/\1/p' <<<"$answer")
	samples=$(sed -n 's/.*"samples":\([0-9]*\).*/\1/p' <<<"$answer")
	[ -n "$samples" ] || { echo "${names[$i]}: $answer"; exit 1; }
	times=$(for _ in $(seq 1 "$N"); do
		curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" \
			-H 'Content-Type: application/json' -d "${bodies[$i]}" "$BENCH_URL/api/alerts/rules/preview"
	done | awk '{printf "%.2f\n", $1 * 1000}')
	p50=$(median <<<"$times")
	p99=$(sort -g <<<"$times" | awk '{a[NR]=$1} END {i=int(NR*0.99+0.999); print a[i]}')
	printf '%-18s %8s %8s %8s %8s\n' "${names[$i]}" "$count" "$samples" "$p50" "$p99"
done
echo "($N requests each, one at a time, through nginx; load $(cut -d' ' -f1-3 /proc/loadavg))"
