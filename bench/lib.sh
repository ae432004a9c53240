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

# bench_open_alerts N: N rules on a push KPI, each with one firing alert
# (what bench/writers.sh and bench/relay.sh change).
bench_open_alerts() {
	echo "generating $1 open alerts"
	bench_psql -v alerts="$1" <<'SQL'
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
}

# bench_writer_script FILE ALERTS [tagged]: the pgbench script of one
# alert-changing transaction, as acknowledging one alert writes it:
# change one of ALERTS open alerts (an UPDATE whose condition is checked
# on the newest row version, with nothing locked before it; the trigger
# moves the read version and the summary's counters), record its event,
# commit. Events go as this schema's writers write them: queued in the
# transaction and numbered after its commit (migration 0031), or, before
# it, inserted under the events lock. The round trips are goldwatch's
# (core/db.c, core/alert_store.c): BEGIN goes with the UPDATE, the
# event's insert with the COMMIT, so a change waits on the network
# twice. From migration 0033 the numbering is not the writer's:
# goldwatch-api's sequencer thread numbers the commits of all its
# workers in one step (cgi/sequencer.h); bench_sequencer runs that step
# beside the writers. tagged: the event's data names the pgbench client
# and its transaction ("bench": {"c": client_id, "n": number from 1; run
# pgbench with -D n=0}), as pgbench's --log lines number them.
bench_writer_script() {
	local file=$1 alerts=$2 into=events publish= count= tag=
	if [ "$(bench_psql -tAc "SELECT to_regproc('events_sequence_step') IS NOT NULL")" = t ]; then
		into=event_queue
	elif [ "$(bench_psql -tAc "SELECT to_regclass('event_queue') IS NOT NULL")" = t ]; then
		into=event_queue
		publish="SELECT events_sequence();"
	fi
	if [ "${3:-}" = tagged ]; then
		count='\set n :n + 1'
		tag=", 'bench', jsonb_build_object('c', :client_id::int, 'n', :n::int)"
	fi
	cat > "$file" <<SQL
\\set id random(1, $alerts)
$count
\\startpipeline
BEGIN;
UPDATE alerts a SET state = CASE a.state WHEN 'firing' THEN 'acknowledged' ELSE 'firing' END,
       acknowledged_at = CASE a.state WHEN 'firing' THEN now() END,
       acknowledged_by = CASE a.state WHEN 'firing' THEN 'bench' END
 WHERE a.id = :id
RETURNING id, state, message;
\\endpipeline
\\startpipeline
INSERT INTO $into (type, data)
SELECT 'alert.acknowledged', jsonb_build_object('alert', jsonb_build_object('id', id, 'state', state, 'message', message)$tag)
  FROM alerts WHERE id = :id;
COMMIT;
\\endpipeline
$publish
SQL
	echo "writers put their events into $into${publish:+, then publish:}"
	[ -z "$publish" ] || echo "$publish"
}

# bench_sequencer SECONDS: for SECONDS, what goldwatch-api's sequencer
# thread does while its workers commit events: a step over the queue
# (events_sequence_step), again as soon as commits asked for one; here
# every millisecond, since pgbench's writers cannot wake it. In the
# background; nothing where the schema has no steps (before 0033).
bench_sequencer() {
	[ "$(bench_psql -tAc "SELECT to_regproc('events_sequence_step') IS NOT NULL")" = t ] || return 0
	printf 'SELECT events_sequence_step();\n\\sleep 1 ms\n' > "$BENCH_DIR/sequencer.sql"
	pgbench -n -c 1 -T "$1" -f "$BENCH_DIR/sequencer.sql" "$DATABASE_URL" \
		>>"$BENCH_DIR/sequencer.log" 2>&1 &
	BENCH_SEQUENCER_PID=$!
}

# bench_sequencer_wait: the sequencer's end, then what it left queued
# numbered (as its last step does when goldwatch-api stops).
bench_sequencer_wait() {
	[ -n "${BENCH_SEQUENCER_PID:-}" ] || return 0
	wait "$BENCH_SEQUENCER_PID" || true
	BENCH_SEQUENCER_PID=
	bench_psql -tAc "SELECT events_sequence()" >/dev/null
}
