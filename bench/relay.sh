#!/bin/bash
# bench/relay.sh - events per second relayed to 10 pushers: 8 writers
# (pgbench, the transaction of bench/writers.sh: lock an alert, toggle its
# acknowledgement, queue its alert.acknowledged event, commit; beside them
# the step of goldwatch-api's sequencer numbers the queue) produce events
# as fast as the database allows,
# on a cluster that flushes its WAL (fsync on); PUSHERS goldwatch-pusher
# processes, each on its own unix socket, relay them to PER clients each
# (build/bench/relay_load, straight to the sockets). The baseline, in the
# same rounds: all the clients on one pusher. Method and figures:
# docs/BENCHMARKS.md, section "Events relayed to 10 pushers".
#
#   bench/relay.sh    (PUSHERS=10 PER=10 WRITERS=8 ROUNDS=3 SECONDS_EACH=20 ALERTS=20000)
#
# Every client must get every event of the run once, in id order: the
# script fails when one did not (relay_load prints what went wrong).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpu.sh"

PUSHERS=${PUSHERS:-10}
PER=${PER:-10}
WRITERS=${WRITERS:-8}
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-20}
ALERTS=${ALERTS:-20000}
BUILD=${BUILD:-build}
load=$top/$BUILD/bench/relay_load
command -v pgbench >/dev/null || { echo "pgbench is missing (apt-get install postgresql-client)"; exit 1; }

make -s -j2 all bench-bins
BENCH_FSYNC=on bench_stack_start relay
trap 'pushers_stop; bench_stack_stop' EXIT
extra_pids=()
feed_pids=()

# pushers_start N: N - 1 more pushers beside the stack's, each on its own
# socket under the bench dir; their sockets (the stack's first) in socks.
pushers_start() {
	local i sock
	socks=("$GOLDWATCH_PUSHER_SOCKET")
	for i in $(seq 2 "$1"); do
		sock=$BENCH_DIR/run/pusher-$i.sock
		rm -f "$sock"
		GOLDWATCH_PUSHER_SOCKET=$sock "$top/$BUILD/goldwatch-pusher" \
			>>"$BENCH_DIR/log/pusher-$i.log" 2>&1 </dev/null &
		extra_pids+=($!)
		socks+=("$sock")
	done
	for sock in "${socks[@]}"; do
		for _ in $(seq 1 200); do [ -S "$sock" ] && break; sleep 0.05; done
		[ -S "$sock" ] || { echo "bench: no pusher on $sock (see $BENCH_DIR/log)" >&2; exit 1; }
	done
}

# Stops the pushers pushers_start started, by their pids.
pushers_stop() {
	local pid
	for pid in "${extra_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${extra_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	extra_pids=()
}

# CPU ticks so far: the pushers, their database connections (feed_pids),
# the whole cluster (writers included), the machine, as one line.
cpu_snapshot() {
	echo "$(cpu_ticks "$(cat "$BENCH_DIR/run/pusher.pid")" "${extra_pids[@]}")" \
		"$(cpu_ticks "${feed_pids[@]}")" "$(cpu_cluster_ticks "$BENCH_DIR/pg/data")" \
		"$(cpu_machine_ticks)"
}

# cpu_report BEFORE AFTER WALL: the CPU of a run, as a line (cpu_line) and as
# key=value fields (cpu_fields).
cpu_report() {
	local -a a b
	read -ra a <<<"$1"
	read -ra b <<<"$2"
	cpu_fields="cpu_pushers=$(cpu_seconds "${a[0]}" "${b[0]}") cpu_feeds=$(cpu_seconds "${a[1]}" "${b[1]}")"
	cpu_fields+=" cpu_db=$(cpu_seconds "${a[2]}" "${b[2]}") cpu_busy=$(cpu_seconds "${a[3]}" "${b[3]}")"
	cpu_line=$(echo "CPU s in $3 s ($(nproc) cores: $(awk -v w="$3" -v c="$(nproc)" 'BEGIN {print c * w}') at most):" \
		"pushers ${cpu_fields#cpu_pushers=}" | sed 's/ cpu_feeds=/, their database connections /;
		s/ cpu_db=/, the cluster (writers included) /; s/ cpu_busy=/, the machine busy /')
}

# The events after id $1 as relay_load wants them: "id done_us at_us",
# done_us when the writer's pgbench transaction (its commit) ended,
# from pgbench's log of every transaction (-1 if it has no line).
run_events() {
	bench_psql -c 'SET client_min_messages = warning; CREATE UNLOGGED TABLE IF NOT EXISTS bench_tx (client int, n bigint,
		took text, script int, epoch bigint, us bigint); TRUNCATE bench_tx'
	cat "$BENCH_DIR"/pgbench_log.* | bench_psql -c '\copy bench_tx FROM STDIN (DELIMITER '"' '"')'
	bench_psql -tA -F ' ' -c "SELECT e.id, coalesce(t.epoch * 1000000 + t.us, -1),
		(extract(epoch FROM e.at) * 1000000)::bigint
	  FROM events e LEFT JOIN bench_tx t ON t.client = (e.data->'bench'->>'c')::int
	   AND t.n = (e.data->'bench'->>'n')::bigint
	 WHERE e.id > $1 ORDER BY e.id"
}

# one_run PUSHERS PER ROUND: a line of figures into $results
one_run() {
	local n=$1 per=$2 round=$3 out fifo pid warm=0 rc=0 events load0 tps cpu0 cpu1 t0 cpu_line
	out=$BENCH_DIR/relay-$n-$round.txt
	fifo=$BENCH_DIR/relay.in
	pushers_start "$n"
	rm -f "$fifo" "$BENCH_DIR"/pgbench_log.*
	mkfifo "$fifo"
	"$load" --per "$per" "${socks[@]}" <"$fifo" >"$out" 2>&1 &
	pid=$!
	exec 7>"$fifo"
	for _ in $(seq 1 600); do
		warm=$(sed -n 's/^ready //p' "$out")
		[ -n "$warm" ] || ! kill -0 "$pid" 2>/dev/null && break
		sleep 0.1
	done
	[ -n "$warm" ] || { cat "$out"; echo "bench: relay_load did not get ready" >&2; exit 1; }
	load0=$(cut -d' ' -f1 /proc/loadavg)
	mapfile -t feed_pids < <(bench_psql -tAc "SELECT pid FROM pg_stat_activity
		WHERE application_name = 'goldwatch-pusher'")
	cpu0=$(cpu_snapshot)
	t0=$(date +%s.%N)
	echo "--- $n pushers x $per clients, round $round ($(date -u +%H:%M:%S), load $load0)"
	bench_sequencer $(( SECONDS_EACH + 1 ))
	(cd "$BENCH_DIR" && PGOPTIONS="-c plan_cache_mode=force_generic_plan" pgbench -n -M prepared -c "$WRITERS" -j 2 -T "$SECONDS_EACH" -D n=0 -f writer.sql \
		-l --log-prefix=pgbench_log "$DATABASE_URL" >pgbench.out 2>>pgbench.err)
	tps=$(awk '/^tps = / {print $3}' "$BENCH_DIR/pgbench.out")
	# what the sequencer's last steps leave queued, numbered
	bench_sequencer_wait
	run_events "$warm" >"$BENCH_DIR/run-events.txt"
	events=$(wc -l <"$BENCH_DIR/run-events.txt")
	# the pairing's sanity: a transaction ends after its event was queued
	awk '$2 >= 0 && $2 < $3 {bad++} $2 < 0 {none++}
		END {printf "events without their pgbench line %d, ended before queued %d\n", none, bad}' \
		"$BENCH_DIR/run-events.txt"
	echo "done $BENCH_DIR/run-events.txt" >&7
	exec 7>&-
	# the CPU up to the last message (relay_load says so, then reports)
	until grep -q '^client CPU' "$out" || ! kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	cpu1=$(cpu_snapshot)
	cpu_report "$cpu0" "$cpu1" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')"
	wait "$pid" || rc=$?
	echo "$cpu_line" >>"$out"
	pushers_stop
	sed -n '/^connect:/p; /^client CPU/p; /^run:/,$p' "$out"
	echo "pgbench: $tps tx/s; events committed $events in $SECONDS_EACH s; load $(cut -d' ' -f1-3 /proc/loadavg)"
	[ "$rc" = 0 ] || { echo "bench: the check failed (see $out)" >&2; exit 1; }
	sed -n 's/^result //p' "$out" | awk -v n="$n" -v c=$((n * per)) -v e="$events" \
		-v s="$SECONDS_EACH" -v l="$load0" -v f="$cpu_fields" '{print n, c, e / s, $0, f, "load=" l}' >>"$results"
}

# field KEY of the results' lines of N pushers, one a line
field() { awk -v n="$1" -v k="$2" '$1 == n {for (i = 4; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2)}' "$results"; }

# The medians of the rounds, one line per configuration.
summary() {
	local n c
	echo
	echo "events relayed, median of $ROUNDS rounds of $SECONDS_EACH s, $WRITERS writers (fsync on):"
	printf '%-8s %8s %12s %18s %12s %9s %9s %11s %11s %10s\n' pushers clients "committed/s" \
		"recv/s/client med" "lowest" "p50 ms" "p99 ms" "at p50 ms" "at p99 ms" load
	for n in 1 "$PUSHERS"; do
		c=$(awk -v n="$n" '$1 == n {print $2; exit}' "$results")
		printf '%-8s %8s %12.0f %18.0f %12.0f %9.2f %9.2f %11.2f %11.2f %10s\n' "$n" "$c" \
			"$(awk -v n="$n" '$1 == n {print $3}' "$results" | median)" \
			"$(field "$n" rate_med | median)" "$(field "$n" rate_min | median)" \
			"$(field "$n" p50 | median)" "$(field "$n" p99 | median)" \
			"$(field "$n" at_p50 | median)" "$(field "$n" at_p99 | median)" \
			"$(field "$n" load | sort -g | sed -n '1p;$p' | paste -sd- -)"
	done
	echo "CPU seconds in a run (from ready to the last message), medians:"
	printf '%-8s %10s %22s %12s %14s\n' pushers pushers "their db connections" cluster "machine busy"
	for n in 1 "$PUSHERS"; do
		printf '%-8s %10s %22s %12s %14s\n' "$n" "$(field "$n" cpu_pushers | median)" \
			"$(field "$n" cpu_feeds | median)" "$(field "$n" cpu_db | median)" "$(field "$n" cpu_busy | median)"
	done
	echo "(the rounds: $results)"
}

bench_open_alerts "$ALERTS"
bench_writer_script "$BENCH_DIR/writer.sql" "$ALERTS" tagged
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
results=$BENCH_DIR/relay.txt
: >"$results"
for round in $(seq 1 "$ROUNDS"); do
	one_run 1 $((PUSHERS * PER)) "$round"
	one_run "$PUSHERS" "$PER" "$round"
done
summary
