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
bench_open_alerts "$ALERTS"
script=$BENCH_DIR/writer.sql
bench_writer_script "$script" "$ALERTS"

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
