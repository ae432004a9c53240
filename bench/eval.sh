#!/bin/bash
# bench/eval.sh - one evaluation at scale: a generated shop of about
# 1,000,000 invoices and 10,000 enabled rules over the built-in KPIs, 1%
# of them breaching. Prints the wall time of sampling and of rule
# evaluation for each of RUNS evaluations and their medians, and writes
# EXPLAIN ANALYZE of every KPI query to build/bench-eval/explain.txt.
#
#   bench/eval.sh            (RUNS=5 RULES=10000 DAYS=1000 PER_DAY=1000
#                             AT: 2026-11-26 18:40 in GOLDWATCH_TIMEZONE)
#
# Between runs the alerts, their events and mail and the rules' state are
# reset, so every run fires the same 1% (100 alerts, 200 mails).
# Everything happens at the moment AT, not at the real one: the shop's
# trade ends there and every evaluation runs there (--now), so the shop,
# the samples and the rules are the same whenever the benchmark runs (at
# 03:00 the real "today" has no sale and two KPIs no value to set a rule's
# threshold from). AT is in opening hours (10:00-21:00 in the shop's zone).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-5}
RULES=${RULES:-10000}
DAYS=${DAYS:-1000}
PER_DAY=${PER_DAY:-1000}
AT=${AT:-$(bench_default_at)}

make -s all
bench_stack_start eval
echo "generating the shop: $DAYS days x ~$PER_DAY invoices"
t0=$(date +%s)
build/goldwatch-admin demo --days "$DAYS" --per-day "$PER_DAY" --seed 0.42 --now "$AT" --no-backfill --no-rules
echo "  took $(( $(date +%s) - t0 )) s"

# current values, then 36 earlier samples of each KPI (every 5 minutes),
# so percent-change and z-score rules have history
build/goldwatch-evaluate --now="$AT" >/dev/null
bench_psql -v rules="$RULES" <<'SQL'
INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)
SELECT s.kpi_key, s.value * (1 + (random() - 0.5) * 0.02),
       s.sampled_at - g * interval '5 minutes', 'evaluation'
  FROM kpi_samples s, generate_series(1, 36) g;

-- RULES rules over the 16 built-in KPIs; every 100th breaches (gte v - 1),
-- the others hold comfortably false, spread over the conditions
WITH k AS (
    SELECT row_number() OVER (ORDER BY key) - 1 AS n, key,
           (SELECT value FROM kpi_samples s WHERE s.kpi_key = kpis.key
             ORDER BY sampled_at DESC LIMIT 1) AS v
      FROM kpis WHERE source = 'sql'),
nk AS (SELECT count(*) AS c FROM k),
r AS (
    INSERT INTO alert_rules (name, kpi_key, condition, threshold, severity, window_minutes,
                             window_samples, recipients, cooldown_minutes)
    SELECT 'bench rule ' || i, k.key,
           CASE WHEN i % 100 = 0 THEN 'gte'
                ELSE (ARRAY['gt', 'lt', 'pct_change_gt', 'zscore_gt', 'eq', 'lte'])[1 + i % 6] END,
           CASE WHEN i % 100 = 0 THEN k.v - 1
                ELSE (ARRAY[k.v * 10 + 1000, k.v * 0.1 - 1000, 50, 1000, k.v + 12345.5,
                            k.v * 0.1 - 1000])[1 + i % 6] END,
           (ARRAY['info', 'warning', 'critical'])[1 + i % 3],
           CASE WHEN i % 100 <> 0 AND i % 6 = 2 THEN 60 END,
           CASE WHEN i % 100 <> 0 AND i % 6 = 3 THEN 30 END,
           '{owner@shop.example,manager@shop.example}', 0
      FROM generate_series(1, :rules) i, nk
      JOIN k ON true
     WHERE k.n = i % nk.c
    RETURNING id)
INSERT INTO rule_state (rule_id) SELECT id FROM r;
VACUUM ANALYZE alert_rules, rule_state, kpi_samples;
SQL

reset_run() {
	bench_psql <<'SQL'
DELETE FROM mail_outbox; DELETE FROM ack_tokens;
DELETE FROM events WHERE type LIKE 'alert.%';
DELETE FROM alerts;
UPDATE rule_state SET consecutive = 0, last_fired_at = NULL, changes = '{}', flapping = false, clear_since = NULL
 WHERE consecutive <> 0 OR last_fired_at IS NOT NULL;
VACUUM ANALYZE alerts, rule_state, mail_outbox, events;
SQL
}

: > "$BENCH_DIR/eval-runs.txt"
for run in $(seq 1 "$RUNS"); do
	reset_run
	line=$(build/goldwatch-evaluate --now="$AT" 2>&1 | tail -n 1)
	echo "run $run: $line"
	echo "$line" >> "$BENCH_DIR/eval-runs.txt"
done

sample_ms=$(sed -n 's/.*KPIs sampled in \([0-9.]*\) ms.*/\1/p' "$BENCH_DIR/eval-runs.txt" | median)
rules_ms=$(sed -n 's/.*rules in \([0-9.]*\) ms.*/\1/p' "$BENCH_DIR/eval-runs.txt" | median)
invoices=$(bench_psql -tAc "SELECT count(*) FROM shop.invoices")
lines=$(bench_psql -tAc "SELECT count(*) FROM shop.invoice_lines")
echo
echo "shop: $invoices invoices, $lines lines up to $AT; rules: $RULES enabled"
echo "median of $RUNS: sampling $sample_ms ms (target < 300), rule evaluation $rules_ms ms (target < 200)"

# the plan of every KPI query, as the evaluator runs it
{
	bench_psql -tA -c "SELECT key FROM kpis WHERE source = 'sql' ORDER BY key" | while read -r key; do
		q=$(bench_psql -tA -c "SELECT query FROM kpis WHERE key = '$key'")
		echo "=== $key"
		bench_psql <<SQL
PREPARE kpi(timestamptz, text) AS $q;
EXPLAIN (ANALYZE, COSTS OFF, TIMING ON, SUMMARY ON) EXECUTE kpi('$AT', '$GOLDWATCH_TIMEZONE');
SQL
	done
} > "$BENCH_DIR/explain.txt" 2>&1
echo "plans: $BENCH_DIR/explain.txt"
