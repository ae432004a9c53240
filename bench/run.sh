#!/bin/bash
# Benchmarks of goldwatch-pusher on a throwaway stack (its own PostgreSQL,
# goldwatch-api, pusher and nginx on a free port, under build/bench-stack),
# with the C load client build/bench/ws_load. Method and figures:
# docs/BENCHMARKS.md, section "Live updates (goldwatch-pusher)".
#
#   bench/run.sh [fanout|e2e|all|backfill|push|preview] [RUNS]   (default: all 3)
#
#   fanout  10,000 clients straight to the pusher's unix socket, 100 events
#           one commit each 250 ms apart: commit -> receipt, p50/p99 over
#           all clients; pusher RSS per client.
#   e2e     100 clients through nginx: POST /api/alerts/evaluate returned
#           -> alert.fired received, 100 firings.
#   backfill  bench/backfill.sh (its own stack; not part of all)
#   push    bench/push.sh: a pushed sample -> alert.fired, and 100 pushes/s
#           across 50 KPIs with 1,000 rules (its own stack; not part of all)
#   preview bench/preview.sh: the rule preview over 90 days of hourly
#           samples (its own stack; not part of all)
#
# Environment: BUILD (default build), BENCH_CLIENTS, BENCH_EVENTS,
# BENCH_VIA (unix|nginx, fanout only).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
what=${1:-all}
runs=${2:-3}
[ "$what" = backfill ] && RUNS=$runs exec bench/backfill.sh
[ "$what" = push ] && RUNS=$runs exec bench/push.sh
[ "$what" = preview ] && exec bench/preview.sh
dir=$top/build/bench-stack
load=$top/$BUILD/bench/ws_load
[ -x "$load" ] || { echo "bench: $load is not built (make bench-bins)" >&2; exit 1; }

# 10,000 sockets here and as many in the pusher (it raises its own soft
# limit to the hard one it inherits)
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"

free_port() {
	local p
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % 30000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}

stack() { STACK_QUIET=1 BUILD=$BUILD scripts/stack.sh "$@" "$dir" >/dev/null; }

port=$(free_port)
rm -rf "$dir"
trap 'stack stop || true' EXIT
GOLDWATCH_PORT=$port STACK_FSYNC=off STACK_DEMO=0 STACK_EVALUATE=0 \
	GOLDWATCH_ADMIN_PASSWORD="bench-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
	stack start
set -a
. "$dir/goldwatch.env"
set +a
export BENCH_URL=http://127.0.0.1:$port

echo "machine: $(nproc) cores, $(free -m | awk '/Mem:/ {print $2 " MiB RAM, " $7 " MiB available"}'),"\
	"$(uname -r), libwebsockets $(pkg-config --modversion libwebsockets), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "fd limit: $(ulimit -n)"

run() {
	local i
	for i in $(seq 1 "$runs"); do
		# a fresh pusher each run: RSS starts from the same point
		stack pusher-stop
		stack pusher-start
		export BENCH_PUSHER_PID=$(cat "$dir/run/pusher.pid")
		sleep 0.5
		echo "--- $1 run $i/$runs ($(date -u +%H:%M:%S), load $(cut -d' ' -f1 /proc/loadavg))"
		"$load" "$@"
	done
}

case "$what" in
fanout|all) run fanout --clients "${BENCH_CLIENTS:-10000}" --events "${BENCH_EVENTS:-100}" \
	--via "${BENCH_VIA:-unix}" ;;&
e2e|all) run e2e --clients 100 --events "${BENCH_EVENTS:-100}" --via nginx ;;
fanout) ;;
*) echo "usage: bench/run.sh [fanout|e2e|all|backfill|push|preview] [RUNS]" >&2; exit 2 ;;
esac
