#!/bin/bash
# bench/writers.sh - alert-changing transactions per second with 1, 8 and
# 32 concurrent writers (pgbench), on a cluster that flushes its WAL as a
# production one does (fsync on, synchronous_commit on).
#
# Each transaction is what acknowledging an alert writes: it changes one
# of ALERTS open alerts (the trigger moves the read version and the
# summary's counters), and records its event; then it commits. Every
# writer has its own connection, as every goldwatch-api worker does, and
# waits on the network as often as goldwatch's does (twice: BEGIN with
# the UPDATE, the event with the COMMIT; core/db.c, core/alert_store.c).
# Statements are prepared and planned generically (-M prepared,
# plan_cache_mode=force_generic_plan), as goldwatch's DB_STMTs are.
# Beside the writers runs the step goldwatch-api's sequencer thread takes
# (bench_sequencer), which numbers their events after their commits.
# ROUNDS rounds of SECONDS_EACH seconds per writer count, interleaved with
# the machine's baseline (a one-row UPDATE); the report gives the medians
# of transactions per second and latency, and checks that every committed
# change's event was numbered once. Every round opens its writers'
# connections afresh, and their first second commits 15 to 20 % less
# (each connection compiles the triggers' plpgsql and plans its
# statements; pgbench -P 1): 20 s rounds keep that warm-up a small share
# of what is measured, as goldwatch-api's long-lived connections have none.
#
#   bench/writers.sh     (ALERTS=20000 ROUNDS=3 SECONDS_EACH=20)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ALERTS=${ALERTS:-20000}
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-20}
WRITERS=${WRITERS:-"1 8 32"}
command -v pgbench >/dev/null || { echo "pgbench is missing (apt-get install postgresql-client)"; exit 1; }

make -s all
BENCH_FSYNC=on bench_stack_start writers
bench_open_alerts "$ALERTS"
script=$BENCH_DIR/writer.sql
bench_writer_script "$script" "$ALERTS"

# the machine's own figure in the same run, as the HTTP benchmarks compare
# with nginx: a one-row UPDATE of a small table per transaction, nothing
# else, flushed the same way. What an alert change costs beyond it is the
# design's; what the machine gives that minute is the baseline's.
bench_psql -c "CREATE TABLE bench_baseline (id int PRIMARY KEY, n int NOT NULL);
	INSERT INTO bench_baseline SELECT g, 0 FROM generate_series(1, $ALERTS) g"
printf '\\set id random(1, %d)\nUPDATE bench_baseline SET n = n + 1 WHERE id = :id;\n' \
	"$ALERTS" > "$BENCH_DIR/baseline.sql"

# run_pgbench LABEL WRITERS SCRIPT: one round, its line into $out
run_pgbench() {
	local threads=$(( $2 < 2 ? 1 : 2 ))
	PGOPTIONS="-c plan_cache_mode=force_generic_plan" \
	pgbench -n -M prepared -c "$2" -j "$threads" -T "$SECONDS_EACH" -f "$3" \
		"$DATABASE_URL" 2>>"$BENCH_DIR/pgbench.err" |
		awk -v l="$1" -v w="$2" '/^number of transactions actually processed/ {n=$NF}
			/^latency average/ {lat=$4} /^tps = / {tps=$3} END {print l, w, tps, lat, n}' >> "$out"
}

out=$BENCH_DIR/writers.txt
: > "$out"
for round in $(seq 1 "$ROUNDS"); do
	for w in $WRITERS; do
		run_pgbench baseline "$w" "$BENCH_DIR/baseline.sql"
		bench_sequencer $(( SECONDS_EACH + 1 ))
		run_pgbench alert "$w" "$script"
		bench_sequencer_wait
	done
done
echo
echo "alert-changing transactions, median of $ROUNDS rounds of $SECONDS_EACH s (fsync on):"
printf '%-8s %12s %14s %18s\n' writers "tx/s" "latency ms" "baseline tx/s"
for w in $WRITERS; do
	tps=$(awk -v w="$w" '$1 == "alert" && $2 == w {print $3}' "$out" | median)
	lat=$(awk -v w="$w" '$1 == "alert" && $2 == w {print $4}' "$out" | median)
	base=$(awk -v w="$w" '$1 == "baseline" && $2 == w {print $3}' "$out" | median)
	printf '%-8s %12.0f %14.2f %18.0f\n' "$w" "$tps" "$lat" "$base"
done
# every committed change's event numbered, none twice, none left queued
committed=$(awk '$1 == "alert" {n += $5} END {print n}' "$out")
numbered=$(bench_psql -tAc "SELECT count(*) FROM events WHERE type = 'alert.acknowledged'")
queued=$(bench_psql -tAc "SELECT CASE WHEN to_regclass('event_queue') IS NULL THEN 0
	ELSE (SELECT count(*) FROM event_queue) END")
echo "transactions committed: $committed; their events numbered: $numbered; left queued: $queued"
[ "$committed" = "$numbered" ] && [ "$queued" = 0 ] || { echo "events were lost or doubled"; exit 1; }
