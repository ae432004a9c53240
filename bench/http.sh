#!/bin/bash
# bench/http.sh - the JSON API under load through nginx, on a database of
# 1,000,000 alerts: wrk at 64 connections against
#   nginx serving a small static file (the baseline of this run),
#   GET /api/health (one FastCGI request with one query: the floor),
#   GET /metrics (Prometheus: the process's counters and one statement
#   over the database's figures; the target is half of health's rate),
#   GET /api/alerts/summary,
#   GET /api/alerts/history?limit=50 (first page and a deep cursor),
#   GET /api/alerts/history?state=firing&severity=critical,
# and the staff pages as a signed-in browser asks for them (the session
# cookie, Accept-Encoding: gzip): the dashboard with the RULES open alerts,
# the history page (/alerts), the rules page with the RULES rules and a
# KPI page with a day of samples (its chart); then the dashboard again as
# STAFF sessions ask for it in turn (one session per request, round
# robin: what the page cache keeps per session is shared by fewer
# requests). It also reports the dashboard's HTML size, as sent and
# gzipped (target: under 150 KB).
# Each endpoint ROUNDS times in turn (interleaved, so a noisy neighbour
# hits all alike); the report gives the median req/s, p50 and p99.
#
#   bench/http.sh     (ALERTS=1000000 RULES=1000 ROUNDS=3 SECONDS_EACH=10)
#   GOLDWATCH_READ_CACHE_KB=0 bench/http.sh     the same without the read cache
#   GOLDWATCH_PAGE_CACHE_MS=0 bench/http.sh     every page rendered (no page cache)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ALERTS=${ALERTS:-1000000}
RULES=${RULES:-1000}
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-10}
CONNS=${CONNS:-64}
STAFF=${STAFF:-20}
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)"; exit 1; }

make -s all
bench_stack_start http
echo "generating $ALERTS alerts over a year, $RULES rules"
bench_psql -v alerts="$ALERTS" -v rules="$RULES" <<'SQL'
INSERT INTO kpis (key, name, category, unit, source) VALUES ('bench_value', 'Bench value', 'financial', 'USD', 'push');
WITH r AS (
    INSERT INTO alert_rules (name, kpi_key, condition, threshold, severity)
    SELECT 'bench rule ' || i, 'bench_value', 'gt', 100, (ARRAY['info','warning','critical'])[1 + i % 3]
      FROM generate_series(1, :rules) i RETURNING id)
INSERT INTO rule_state (rule_id) SELECT id FROM r;
-- a year of history, newest last; the last alert of each rule is still
-- open (firing or acknowledged), all older ones resolved
INSERT INTO alerts (rule_id, rule_name, kpi_key, condition, threshold, value, severity, state,
                    message, triggered_at, acknowledged_at, acknowledged_by, resolved_at,
                    resolve_reason)
SELECT r, 'bench rule ' || r, 'bench_value', 'gt', 100, 150,
       (ARRAY['info','warning','critical'])[1 + r % 3],
       CASE WHEN g > :alerts - :rules THEN (CASE WHEN g % 2 = 0 THEN 'firing' ELSE 'acknowledged' END)
            ELSE 'resolved' END,
       'Bench value is 150 USD, above the threshold of 100 USD.',
       t,
       CASE WHEN g % 2 = 1 OR g <= :alerts - :rules THEN t + interval '7 minutes' END,
       CASE WHEN g % 2 = 1 OR g <= :alerts - :rules THEN 'admin' END,
       CASE WHEN g <= :alerts - :rules THEN t + interval '20 minutes' END,
       CASE WHEN g <= :alerts - :rules THEN 'condition cleared' END
  FROM (SELECT g, 1 + g % :rules AS r,
               now() - interval '365 days' + g * (interval '365 days' / :alerts) AS t
          FROM generate_series(1, :alerts) g) x;
-- a day of samples every five minutes for the KPI page's chart
INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)
SELECT 'bench_value', 100 + 50 * sin(g / 20.0), now() - g * interval '5 minutes', 'push'
  FROM generate_series(0, 287) g;
-- as the evaluator leaves them every five minutes: counters folded
SELECT compact_alert_stats();
VACUUM ANALYZE alerts, alert_rules, rule_state, counter_deltas, alert_hour_deltas, kpi_samples;
SQL
bench_psql -tAc "SELECT count(*), count(*) FILTER (WHERE state <> 'resolved') FROM alerts" |
	awk -F'|' '{print "  alerts: " $1 ", open: " $2}'

token=$(bench_token)
[ -n "$token" ] || { echo "no API token"; exit 1; }
deep=$(curl -s -H "Authorization: Bearer $token" \
	"$BENCH_URL/api/alerts/history?limit=1&cursor=$(
		bench_psql -tAc "SELECT translate(encode(convert_to((extract(epoch FROM triggered_at) * 1000000)::bigint || '.' || id, 'UTF8'), 'base64'), '+/=', '-_')
		                   FROM alerts ORDER BY triggered_at DESC, id DESC OFFSET $((ALERTS / 2)) LIMIT 1")" |
	sed -n 's/.*"next_cursor":"\([^"]*\)".*/\1/p')
[ -n "$deep" ] || { echo "no deep cursor"; exit 1; }

# a browser's session for the pages
session=$(curl -s -X POST "$BENCH_URL/api/auth/login" -H 'Content-Type: application/json' \
	-d "{\"username\":\"admin\",\"password\":\"$BENCH_ADMIN_PASSWORD\"}" |
	sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$session" ] || { echo "no session"; exit 1; }
# the staff's sessions, one request each in turn (a wrk script)
staff_lua=$BENCH_DIR/staff.lua
{
	echo 'local cookies = {'
	for _ in $(seq 1 "$STAFF"); do
		s=$(curl -s -X POST "$BENCH_URL/api/auth/login" -H 'Content-Type: application/json' \
			-d "{\"username\":\"admin\",\"password\":\"$BENCH_ADMIN_PASSWORD\"}" |
			sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
		[ -n "$s" ] || { echo "no staff session" >&2; exit 1; }
		echo "  \"gw_session=$s\","
	done
	echo '}'
	echo 'local n = 0'
	echo 'request = function()'
	echo '  n = n % #cookies + 1'
	echo '  return wrk.format("GET", nil, {["Cookie"] = cookies[n], ["Accept-Encoding"] = "gzip"})'
	echo 'end'
} > "$staff_lua"

names=(static health metrics summary history history_deep firing_critical
	page_dashboard page_history page_rules page_kpi page_dashboard_staff)
paths=(
	"/static/css/goldwatch.css"
	"/api/health"
	"/metrics"
	"/api/alerts/summary"
	"/api/alerts/history?limit=50"
	"/api/alerts/history?limit=50&cursor=$deep"
	"/api/alerts/history?state=firing&severity=critical&limit=50"
	"/"
	"/alerts"
	"/rules"
	"/kpis/bench_value"
	"/"
)
# The headers of endpoint i: the API's token, or a signed-in browser's.
headers() {
	case "${names[$1]}" in
	page_*) printf '%s\n' "Cookie: gw_session=$session" "Accept-Encoding: gzip" ;;
	*) printf '%s\n' "Authorization: Bearer $token" ;;
	esac
}
# the deep page starts half-way down the history
# every endpoint must answer 200 before it is measured
for i in "${!paths[@]}"; do
	mapfile -t h < <(headers "$i")
	code=$(curl -s -o /dev/null -w '%{http_code}' "${h[@]/#/-H}" "$BENCH_URL${paths[$i]}")
	[ "$code" = 200 ] || { echo "${names[$i]}: HTTP $code"; exit 1; }
done
open=$(bench_psql -tAc "SELECT count(*) FROM alerts WHERE state <> 'resolved'")
plain=$(curl -s -o /dev/null -w '%{size_download}' -H "Cookie: gw_session=$session" "$BENCH_URL/")
gz=$(curl -s -o /dev/null -w '%{size_download}' -H "Cookie: gw_session=$session" \
	-H 'Accept-Encoding: gzip' "$BENCH_URL/")
shown=$(curl -s -H "Cookie: gw_session=$session" "$BENCH_URL/" | grep -c 'href="/alerts/[0-9]*"' || true)
printf 'dashboard with %s open alerts: %s bytes of HTML (%.0f KB), %s bytes gzipped; %s alert links on it\n' \
	"$open" "$plain" "$(awk -v b="$plain" 'BEGIN {print b / 1024}')" "$gz" "$shown"

out=$BENCH_DIR/wrk
mkdir -p "$out"
for round in $(seq 1 "$ROUNDS"); do
	for i in "${!paths[@]}"; do
		mapfile -t h < <(headers "$i")
		script=()
		# the script's request() sends its own headers, one session after another
		if [[ ${names[$i]} == *_staff ]]; then
			script=(-s "$staff_lua")
			h=()
		fi
		wrk -t2 -c"$CONNS" -d"${SECONDS_EACH}s" --latency "${script[@]}" \
			"${h[@]/#/-H}" "$BENCH_URL${paths[$i]}" > "$out/${names[$i]}.$round"
	done
	echo "round $round done"
done

# wrk latency figures to ms
to_ms() {
	awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f\n", v}'
}
printf '\n%-22s %10s %9s %9s %8s %s\n' endpoint req/s p50_ms p99_ms errors of_health
health_rps=$(for r in $(seq 1 "$ROUNDS"); do awk '/^Requests\/sec/ {print $2}' "$out/health.$r"; done | median)
for i in "${!paths[@]}"; do
	n=${names[$i]}
	rps=$(for r in $(seq 1 "$ROUNDS"); do awk '/^Requests\/sec/ {print $2}' "$out/$n.$r"; done | median)
	p50=$(for r in $(seq 1 "$ROUNDS"); do awk '$1 == "50%" {print $2}' "$out/$n.$r" | to_ms; done | median)
	p99=$(for r in $(seq 1 "$ROUNDS"); do awk '$1 == "99%" {print $2}' "$out/$n.$r" | to_ms; done | median)
	errs=$(for r in $(seq 1 "$ROUNDS"); do awk '/Non-2xx|Socket errors/ {s=s $0 "; "} END {print (s ? s : "0")}' "$out/$n.$r"; done | sort -u | tr '\n' ' ')
	pct=$(awk -v a="$rps" -v b="$health_rps" 'BEGIN {printf "%.0f%%", 100 * a / b}')
	printf '%-22s %10.0f %9s %9s %8s %s\n' "$n" "$rps" "$p50" "$p99" "$errs" "$pct"
done
echo "(median of $ROUNDS rounds of ${SECONDS_EACH}s, wrk -t2 -c$CONNS; raw output in $out)"
