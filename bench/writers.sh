#!/bin/bash
# bench/writers.sh - alert-changing transactions per second with 1, 8 and
# 32 concurrent writers (pgbench), on a cluster that flushes its WAL as a
# production one does (fsync on, synchronous_commit on).
#
# Each transaction is what acknowledging an alert writes: it locks one of
# ALERTS open alerts, changes it (the triggers move the read version and
# the summary's counters), and records its event; then it commits. Every
# writer has its own connection, as every goldwatch-api worker does.
# Statements are prepared and planned generically (-M prepared,
# plan_cache_mode=force_generic_plan), as goldwatch's DB_STMTs are.
# ROUNDS rounds of SECONDS_EACH seconds per writer count, interleaved; the
# report gives the median transactions per second and the latency.
#
#   bench/writers.sh     (ALERTS=20000 ROUNDS=3 SECONDS_EACH=10)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ALERTS=${ALERTS:-20000}
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-10}
WRITERS=${WRITERS:-"1 8 32"}
command -v pgbench >/dev/null || { echo "pgbench is missing (apt-get install postgresql-client)"; exit 1; }

make -s all
BENCH_FSYNC=on bench_stack_start writers
echo "generating $ALERTS open alerts"
bench_psql -v alerts="$ALERTS" <<'SQL'
INSERT INTO kpis (key, name, category, unit, source) VALUES ('bench_value', 'Bench value', 'financial', 'USD', 'push');
WITH r AS (
    INSERT INTO alert_rules (name, kpi_key, condition, threshold, severity)
    SELECT 'bench rule ' || i, 'bench_value', 'gt', 100, 'warning'
      FROM generate_series(1, :alerts) i RETURNING id)
INSERT INTO rule_state (rule_id) SELECT id FROM r;
INSERT INTO alerts (rule_id, rule_name, kpi_key, condition, threshold, value, severity, state,
                    message, triggered_at)
SELECT r.id, r.name, 'bench_value', 'gt', 100, 150, 'warning', 'firing',
       'Bench value is 150 USD, above the threshold of 100 USD.', now() - interval '1 hour'
  FROM alert_rules r;
SELECT compact_alert_stats();
VACUUM ANALYZE alerts, alert_rules, rule_state;
SQL

# Events as this schema's writers write them: queued in the transaction
# and numbered after its commit (migration 0031), or, before it, inserted
# under the events lock.
# From migration 0033 the publish takes steps that never wait for the
# lock, calling again after a step that numbered the queue (as
# core/event.c does; three rounds here, where it allows 16: a fourth is
# rare, and what is left goes with the next writer's).
if [ "$(bench_psql -tAc "SELECT to_regproc('events_sequence_step') IS NOT NULL")" = t ]; then
	into=event_queue
	publish='SELECT events_sequence_step()::int AS more \gset
\if :more = 1
SELECT events_sequence_step()::int AS more \gset
\if :more = 1
SELECT events_sequence_step();
\endif
\endif'
elif [ "$(bench_psql -tAc "SELECT to_regclass('event_queue') IS NOT NULL")" = t ]; then
	into=event_queue
	publish="SELECT events_sequence();"
else
	into=events
	publish=
fi
script=$BENCH_DIR/writer.sql
cat > "$script" <<SQL
\\set id random(1, $ALERTS)
BEGIN;
SELECT id, state FROM alerts WHERE id = :id FOR UPDATE;
UPDATE alerts a SET state = CASE a.state WHEN 'firing' THEN 'acknowledged' ELSE 'firing' END,
       acknowledged_at = CASE a.state WHEN 'firing' THEN now() END,
       acknowledged_by = CASE a.state WHEN 'firing' THEN 'bench' END
 WHERE a.id = :id;
INSERT INTO $into (type, data)
SELECT 'alert.acknowledged', jsonb_build_object('alert', jsonb_build_object('id', id, 'state', state, 'message', message))
  FROM alerts WHERE id = :id;
COMMIT;
$publish
SQL
echo "writers put their events into $into${publish:+, then publish:}"
[ -z "$publish" ] || echo "$publish"

out=$BENCH_DIR/writers.txt
: > "$out"
for round in $(seq 1 "$ROUNDS"); do
	for w in $WRITERS; do
		threads=$(( w < 2 ? 1 : 2 ))
		PGOPTIONS="-c plan_cache_mode=force_generic_plan" \
		pgbench -n -M prepared -c "$w" -j "$threads" -T "$SECONDS_EACH" -f "$script" \
			"$DATABASE_URL" 2>>"$BENCH_DIR/pgbench.err" |
			awk -v w="$w" '/^latency average/ {lat=$4} /^tps = / {tps=$3} END {print w, tps, lat}' >> "$out"
	done
done
echo
echo "alert-changing transactions, median of $ROUNDS rounds of $SECONDS_EACH s (fsync on):"
printf '%-8s %12s %14s\n' writers "tx/s" "latency ms"
for w in $WRITERS; do
	tps=$(awk -v w="$w" '$1 == w {print $2}' "$out" | median)
	lat=$(awk -v w="$w" '$1 == w {print $3}' "$out" | median)
	printf '%-8s %12.0f %14.2f\n' "$w" "$tps" "$lat"
done
bench_psql -tAc "SELECT 'events written: ' || count(*) FROM events"
