# bench/lib.sh - what the benchmarks share: a private stack of their own
# (own cluster, nginx and goldwatch-api on a free port), psql into it,
# medians. Sourced by the bench scripts; run them from the source tree.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

# The moment docs/BENCHMARKS.md's shop figures are taken at: 26 November
# 2026 18:40 in the shop's zone, as UTC ISO 8601 (the scripts' AT default).
bench_default_at() {
	date -u -d "@$(TZ=${GOLDWATCH_TIMEZONE:-UTC} date -d '2026-11-26 18:40' +%s)" +%FT%TZ
}

bench_free_port() {
	local p
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
	done
	return 1
}

# bench_stack_start NAME [extra env...]: a fresh stack under build/bench-NAME
bench_stack_start() {
	local name=$1
	BENCH_DIR=$top/build/bench-$name
	if [ -d "$BENCH_DIR" ]; then
		STACK_QUIET=1 scripts/stack.sh stop "$BENCH_DIR" >/dev/null 2>&1 || true
		if [ -L "$BENCH_DIR/pg" ]; then rm -rf "$(readlink -f "$BENCH_DIR/pg")"; fi
		rm -rf "$BENCH_DIR"
	fi
	BENCH_PORT=$(bench_free_port)
	BENCH_ADMIN_PASSWORD=bench-admin-password
	# fsync off: this cluster is thrown away after the run (never for make run);
	# BENCH_FSYNC=on where the figure is the disk's (bench/writers.sh)
	GOLDWATCH_PORT=$BENCH_PORT STACK_FSYNC=${BENCH_FSYNC:-off} STACK_QUIET=1 STACK_DEMO=0 \
		STACK_EVALUATE=0 STACK_ACCESS_LOG=off \
		GOLDWATCH_ADMIN_PASSWORD=$BENCH_ADMIN_PASSWORD \
		scripts/stack.sh start "$BENCH_DIR"
	set -a
	. "$BENCH_DIR/goldwatch.env"
	set +a
	BENCH_URL=http://127.0.0.1:$BENCH_PORT
	trap bench_stack_stop EXIT
}

bench_stack_stop() {
	[ -n "${BENCH_DIR:-}" ] && STACK_QUIET=1 scripts/stack.sh stop "$BENCH_DIR" >/dev/null 2>&1
}

bench_psql() {
	psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" "$@"
}

# median of numbers on stdin
median() {
	sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}

# An API token for the bench (admin), printed.
bench_token() {
	local session
	session=$(curl -s -X POST "$BENCH_URL/api/auth/login" -H 'Content-Type: application/json' \
		-d "{\"username\":\"admin\",\"password\":\"$BENCH_ADMIN_PASSWORD\"}" |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
	curl -s -X POST "$BENCH_URL/api/auth/tokens" -H 'Content-Type: application/json' \
		-H "Authorization: Bearer $session" -d '{"name":"bench"}' |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
