#!/bin/bash
# The private goldwatch stack: PostgreSQL cluster, goldwatch-api, the
# pusher (when built), the mail delivery service (goldwatch-mailer --serve)
# and nginx, all under one folder, all on 127.0.0.1 or unix sockets, each
# recorded by pid so that `stop` stops exactly them.
#
#   scripts/stack.sh start DIR     start (or restart what is down), print URL
#   scripts/stack.sh stop DIR      stop what start started
#   scripts/stack.sh status DIR
#   scripts/stack.sh pg-stop DIR | pg-start DIR     (for fault tests)
#   scripts/stack.sh api-stop DIR | api-start DIR
#   scripts/stack.sh pusher-stop DIR | pusher-start DIR
#   scripts/stack.sh mailer-stop DIR | mailer-start DIR
#   scripts/stack.sh nginx-stop DIR | nginx-start DIR
#   scripts/stack.sh replica-start DIR | replica-stop DIR  (a streaming read
#       replica of the cluster, port 5433 on its socket folder; start prints its URL)
#
# Environment: BUILD (binaries, default build), GOLDWATCH_PORT (8080),
# GOLDWATCH_ADMIN_PASSWORD (else one is generated and printed once),
# STACK_FSYNC=off (throwaway clusters only), STACK_DEMO=0 (no demo shop),
# STACK_LIVE=1 (make run: the live demo; see below),
# STACK_QUIET=1, STACK_ACCESS_LOG=off, GOLDWATCH_LOGIN_RATE (10r/s),
# GOLDWATCH_LOGIN_BURST (20), GOLDWATCH_CONN_LIMIT (20000: connections
# being served per client address; the benchmarks open 10,000 from
# loopback, the production site allows 100), STACK_DB_LOCALE=icu (the
# goldwatch database is created with ICU's en-US collation instead of the
# cluster's C.UTF-8, as a production database may be). Other GOLDWATCH_*,
# SMTP_* and FROM_EMAIL variables pass through to the processes;
# GOLDWATCH_SYSTEM_CHECKS is false unless STACK_LIVE=1 (the tests' moved
# clocks would fire the system rules under the suites).
# STACK_LIVE=1 (make run) makes the demo live: the demo shop comes with its
# KPI history (backfilled) and the starter rules, the trade it missed while
# the stack was down is caught up, and goldwatch-scheduler runs the jobs on
# the timers' schedule and the demo trade every minute (DIGEST_TIME=HH:MM:
# the digest's). Without it (the tests' stacks) there are no rules, no
# backfilled samples, no scheduler and no trade.
set -euo pipefail

cmd=${1:-}
dir_arg=${2:-}
[ -n "$cmd" ] && [ -n "$dir_arg" ] || { sed -n '2,34p' "$0" >&2; exit 2; }

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/proc.sh"
mkdir -p "$dir_arg"
DIR=$(cd "$dir_arg" && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) bin=$BUILD ;; *) bin=$top/$BUILD ;; esac
PORT=${GOLDWATCH_PORT:-8080}
quiet=${STACK_QUIET:-0}

say() { [ "$quiet" = 1 ] || echo "$@"; }
die() { echo "stack: $*" >&2; exit 1; }

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || die "PostgreSQL server binaries not found (apt-get install postgresql)"

# PostgreSQL refuses to run as root: run the cluster as the postgres user,
# in a folder that user can reach (a clone under /root is not reachable:
# then the cluster lives under /var/tmp and DIR/pg links to it).
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_root() {
	if [ -e "$DIR/pg" ]; then readlink -f "$DIR/pg"; return; fi
	local want=$DIR/pg
	if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$DIR" 2>/dev/null; then
		want=/var/tmp/goldwatch-pg-$(printf %s "$DIR" | sha1sum | cut -c1-12)
	fi
	# a unix socket path must stay under 108 bytes
	if [ ${#want} -gt 80 ]; then
		want=/var/tmp/goldwatch-pg-$(printf %s "$DIR" | sha1sum | cut -c1-12)
	fi
	mkdir -p "$want"
	[ "$want" = "$DIR/pg" ] || ln -sfn "$want" "$DIR/pg"
	echo "$want"
}

PGROOT=$(pg_root)
PGDATA_DIR=$PGROOT/data
PGSOCK=$PGROOT/sock
PGPORT_PRIV=5432
DBURL="postgresql:///goldwatch?host=$PGSOCK&port=$PGPORT_PRIV&user=goldwatch"

# The key that seals the contact points' secrets: kept from the env file
# this stack had (a new key could not open what the old one sealed).
secret_key() {
	local key
	key=$(sed -n 's/^GOLDWATCH_SECRET_KEY="\([0-9a-f]\{64\}\)"$/\1/p' "$DIR/goldwatch.env" 2>/dev/null)
	[ -n "$key" ] || key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
	echo "$key"
}

write_env() {
	local key
	mkdir -p "$DIR/run" "$DIR/log" "$DIR/spool" "$DIR/nginx/tmp"
	key=$(secret_key)
	cat > "$DIR/goldwatch.env" <<ENV
# written by scripts/stack.sh: the configuration every process of this stack reads
DATABASE_URL="$DBURL"
GOLDWATCH_DATA_DIR="$top"
GOLDWATCH_SOCKET="$DIR/run/api.sock"
GOLDWATCH_PUSHER_SOCKET="$DIR/run/pusher.sock"
GOLDWATCH_SPOOL_DIR="$DIR/spool"
GOLDWATCH_BASE_URL="${GOLDWATCH_BASE_URL:-http://127.0.0.1:$PORT}"
GOLDWATCH_TIMEZONE="${GOLDWATCH_TIMEZONE:-UTC}"
GOLDWATCH_PORT="$PORT"
GOLDWATCH_SECRET_KEY="$key"
GOLDWATCH_HTTP_TIMEOUT_MS="${GOLDWATCH_HTTP_TIMEOUT_MS:-10000}"
GOLDWATCH_SYSTEM_CHECKS="${GOLDWATCH_SYSTEM_CHECKS:-$([ "${STACK_LIVE:-0}" = 1 ] && echo true || echo false)}"
ENV
	# the shop's units, kept when given at the first start (unset: USD and
	# grams, and a process started with them set takes them: 40-money.mjs)
	for key in GOLDWATCH_CURRENCY GOLDWATCH_WEIGHT_UNIT; do
		[ -n "${!key:-}" ] && echo "$key=\"${!key}\"" >> "$DIR/goldwatch.env"
	done
	chmod 0600 "$DIR/goldwatch.env"
}

load_env() {
	[ -f "$DIR/goldwatch.env" ] || write_env
	set -a
	# shellcheck disable=SC1091
	. "$DIR/goldwatch.env"
	set +a
}

pg_running() { as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; }

pg_start() {
	if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
		[ "$(id -u)" = 0 ] && chown postgres: "$PGROOT"
		as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres -A trust -E UTF8 \
			--locale=C.UTF-8 >"$DIR/log/initdb.log" 2>&1 ||
			die "initdb failed: see $DIR/log/initdb.log"
		as_pg mkdir -p "$PGSOCK"
		{
			echo "listen_addresses = ''"
			echo "unix_socket_directories = '$PGSOCK'"
			echo "port = $PGPORT_PRIV"
			echo "max_connections = 200"
			echo "shared_buffers = 256MB"
			echo "log_min_duration_statement = 2000"
			if [ "${STACK_FSYNC:-on}" = off ]; then
				echo "fsync = off"
				echo "synchronous_commit = off"
				echo "full_page_writes = off"
			fi
		} | as_pg tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null
	fi
	if ! pg_running; then
		as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -w -t 60 -l "$PGROOT/postgres.log" start >/dev/null ||
			die "PostgreSQL did not start: see $PGROOT/postgres.log"
	fi
	local psql=(psql -X -q -h "$PGSOCK" -p "$PGPORT_PRIV" -U postgres -d postgres -tA)
	if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'goldwatch'")" ]; then
		"${psql[@]}" -c "CREATE ROLE goldwatch LOGIN"
	fi
	if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'goldwatch'")" ]; then
		local create="CREATE DATABASE goldwatch OWNER goldwatch"
		case "${STACK_DB_LOCALE:-}" in
		"") ;;
		icu) create+=" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'" ;;
		*) die "STACK_DB_LOCALE must be icu or unset" ;;
		esac
		"${psql[@]}" -c "$create"
	fi
}

pg_stop() {
	if pg_running; then
		as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -w -t 60 -m fast stop >/dev/null
	fi
}

# A streaming replica of the stack's cluster (the read replica path):
# PGROOT/replica, on the same socket folder, port 5433. Its URL is
# REPLICA_URL; replica-start makes it and waits until it accepts reads.
REPLICA_DIR=$PGROOT/replica
REPLICA_PORT=5433
REPLICA_URL="postgresql:///goldwatch?host=$PGSOCK&port=$REPLICA_PORT&user=goldwatch"
replica_running() {
	[ -f "$REPLICA_DIR/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1
}

replica_start() {
	pg_running || die "PostgreSQL is not running: start the stack first"
	if [ ! -f "$REPLICA_DIR/PG_VERSION" ]; then
		as_pg "$PGBIN/pg_basebackup" -h "$PGSOCK" -p "$PGPORT_PRIV" -U postgres \
			-D "$REPLICA_DIR" -R -X stream -c fast >"$DIR/log/basebackup.log" 2>&1 ||
			die "pg_basebackup failed: see $DIR/log/basebackup.log"
		{
			echo "port = $REPLICA_PORT"
			echo "hot_standby = on"
			echo "hot_standby_feedback = on"
		} | as_pg tee -a "$REPLICA_DIR/postgresql.conf" >/dev/null
	fi
	if ! replica_running; then
		as_pg "$PGBIN/pg_ctl" -D "$REPLICA_DIR" -w -t 60 -l "$PGROOT/replica.log" start >/dev/null ||
			die "the replica did not start: see $PGROOT/replica.log"
	fi
	echo "$REPLICA_URL"
}

replica_stop() {
	if replica_running; then
		as_pg "$PGBIN/pg_ctl" -D "$REPLICA_DIR" -w -t 60 -m fast stop >/dev/null
	fi
	return 0
}

# A pid file names a live process of ours only if the process still runs
# the binary we started (pids are reused).
alive() {
	local pidfile=$1 name=$2 pid
	[ -f "$pidfile" ] || return 1
	pid=$(cat "$pidfile")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	grep -qa -- "$name" "/proc/$pid/cmdline" 2>/dev/null
}

stop_pid() {
	local pidfile=$1 name=$2
	if alive "$pidfile" "$name"; then
		term_then_kill "$(cat "$pidfile")"
	fi
	rm -f "$pidfile"
}

wait_for_socket() {
	local path=$1 pidfile=$2 i
	for i in $(seq 1 200); do
		[ -S "$path" ] && return 0
		# started just now by us: until it has exec'd, its cmdline is still
		# this script's, so `alive` would fail; that the pid lives is enough
		kill -0 "$(cat "$pidfile")" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# start_daemon NAME [optional]: build/NAME in the background, its pid
# recorded, until its socket (run/NAME-without-goldwatch.sock) appears.
start_daemon() {
	local name=$1 optional=${2:-} short=${1#goldwatch-}
	if [ ! -x "$bin/$name" ]; then
		[ -n "$optional" ] && return 0
		die "$bin/$name is not built (make)"
	fi
	alive "$DIR/run/$short.pid" "$name" && return 0
	rm -f "$DIR/run/$short.sock"
	setsid "$bin/$name" >>"$DIR/log/$short.log" 2>&1 < /dev/null &
	echo $! > "$DIR/run/$short.pid"
	wait_for_socket "$DIR/run/$short.sock" "$DIR/run/$short.pid" "$name" ||
		die "$name did not start: see $DIR/log/$short.log"
}

# STACK_API_DATABASE_URL: goldwatch-api alone reaches the database another
# way (the partition tests' freezing proxy)
api_start() { DATABASE_URL="${STACK_API_DATABASE_URL:-$DATABASE_URL}" start_daemon goldwatch-api; }
pusher_start() { start_daemon goldwatch-pusher optional; }

# The delivery service has no socket to wait for: it is up when it still
# runs a moment after the start (a bad mail setting ends it at once).
# Mail queued before it LISTENs is found by its first pass.
mailer_start() {
	local name=goldwatch-mailer i
	[ -x "$bin/$name" ] || die "$bin/$name is not built (make)"
	alive "$DIR/run/mailer.pid" "$name" && return 0
	setsid "$bin/$name" --serve >>"$DIR/log/mailer.log" 2>&1 < /dev/null &
	echo $! > "$DIR/run/mailer.pid"
	for i in $(seq 1 10); do
		sleep 0.05
		kill -0 "$(cat "$DIR/run/mailer.pid")" 2>/dev/null ||
			die "$name did not start: see $DIR/log/mailer.log"
	done
}

# The jobs on their schedule (make run only: the tests run jobs themselves).
scheduler_args=()
scheduler_start() {
	local name=goldwatch-scheduler
	[ -x "$bin/$name" ] || die "$bin/$name is not built (make)"
	scheduler_args=(--log-dir "$DIR/log" --demo-trade ${DIGEST_TIME:+--digest-time "$DIGEST_TIME"})
	alive "$DIR/run/scheduler.pid" "$name" && return 0
	setsid "$bin/$name" "${scheduler_args[@]}" >>"$DIR/log/scheduler.log" 2>&1 < /dev/null &
	echo $! > "$DIR/run/scheduler.pid"
}

# The banner's lines on the jobs and on where mail goes.
live_banner() {
	local jobs
	jobs=$("$bin/goldwatch-scheduler" "${scheduler_args[@]}" --list | sed 's/ /: /' | paste -sd, - |
		sed 's/,/, /g')
	say "  jobs on their schedule: $jobs"
	say "    (each run's summary line in $DIR/log/JOB.log)"
	if [ -n "${SMTP_SERVER:-}" ]; then
		say "  mail: sent to the SMTP server $SMTP_SERVER:${SMTP_PORT:-587}"
	else
		say "  mail: no SMTP_SERVER set, written as .eml files to $GOLDWATCH_SPOOL_DIR"
	fi
}

nginx_conf() {
	local user_line="" conf=$DIR/nginx
	# as root the workers would become nobody, who may not reach a clone
	# under /root: in this private stack they run as the invoking user
	[ "$(id -u)" = 0 ] && user_line="user root root;"
	local access_log="${STACK_ACCESS_LOG:-$DIR/log/nginx-access.log} goldwatch"
	[ "${STACK_ACCESS_LOG:-}" = off ] && access_log=off
	local subst=(
		-e "s|@USER_LINE@|$user_line|g"
		-e "s|@DIR@|$DIR|g"
		-e "s|@CONF_DIR@|$conf|g"
		-e "s|@PORT@|$PORT|g"
		-e "s|@STATIC_DIR@|$top/static|g"
		-e "s|@API_SOCKET@|$DIR/run/api.sock|g"
		-e "s|@PUSHER_SOCKET@|$DIR/run/pusher.sock|g"
		-e "s|@BODY_LIMIT@|${GOLDWATCH_BODY_LIMIT:-1048576}|g"
		-e "s|@LOGIN_RATE@|${GOLDWATCH_LOGIN_RATE:-10r/s}|g"
		-e "s|@LOGIN_BURST@|${GOLDWATCH_LOGIN_BURST:-20}|g"
		-e "s|@ACCESS_LOG@|$access_log|g"
		-e "s|@CONN_LIMIT@|${GOLDWATCH_CONN_LIMIT:-20000}|g"
	)
	sed "${subst[@]}" "$top/nginx/dev.conf.in" > "$conf/nginx.conf"
	sed "${subst[@]}" "$top/nginx/http.conf.in" > "$conf/http.conf"
	sed "${subst[@]}" "$top/nginx/locations.conf.in" > "$conf/locations.conf"
	sed "${subst[@]}" "$top/nginx/fastcgi.conf.in" > "$conf/fastcgi.conf"
}

nginx_start() {
	alive "$DIR/run/nginx.pid" nginx && return 0
	nginx_conf
	/usr/sbin/nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -t -q 2>>"$DIR/log/nginx-error.log" ||
		die "nginx configuration is invalid: see $DIR/log/nginx-error.log"
	/usr/sbin/nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" 2>>"$DIR/log/nginx-error.log" ||
		die "nginx did not start (port $PORT taken?): see $DIR/log/nginx-error.log"
	local i
	for i in $(seq 1 100); do
		alive "$DIR/run/nginx.pid" nginx && return 0
		sleep 0.05
	done
	die "nginx did not start: see $DIR/log/nginx-error.log"
}

admin_bootstrap() {
	local pw=${GOLDWATCH_ADMIN_PASSWORD:-} generated=0 out
	if [ -z "$pw" ]; then
		pw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
		generated=1
	fi
	# the live demo's admin is the starter rules' recipient: with that
	# address, the acknowledge links in their mail name a user
	local email=()
	[ "${STACK_LIVE:-0}" = 1 ] && email=(--email "${GOLDWATCH_ADMIN_EMAIL:-admin@localhost}")
	out=$(printf '%s\n' "$pw" | "$bin/goldwatch-admin" user add admin --role admin \
		"${email[@]}" --if-absent 2>&1) ||
		die "creating the admin user failed: $out"
	case "$out" in
	*created*)
		if [ "$generated" = 1 ]; then
			ADMIN_NOTE="admin password: $pw   (shown once; set GOLDWATCH_ADMIN_PASSWORD to choose it)"
		else
			ADMIN_NOTE="admin password: the one in GOLDWATCH_ADMIN_PASSWORD"
		fi ;;
	*) ADMIN_NOTE="admin user exists: its password is unchanged" ;;
	esac
}

start() {
	write_env
	load_env
	pg_start
	"$bin/goldwatch-admin" migrate >>"$DIR/log/admin.log" 2>&1 ||
		die "migrations failed: see $DIR/log/admin.log"
	if [ "${STACK_DEMO:-1}" = 1 ]; then
		"$bin/goldwatch-admin" demo --if-empty $([ "${STACK_LIVE:-0}" = 1 ] || echo --no-rules --no-backfill) >>"$DIR/log/admin.log" 2>&1 ||
			die "loading the demo shop failed: see $DIR/log/admin.log"
		# the trade the stack missed while it was down (the scheduler goes on)
		if [ "${STACK_LIVE:-0}" = 1 ]; then
			"$bin/goldwatch-admin" demo trade >>"$DIR/log/demo-trade.log" 2>&1 ||
				say "note: the demo trade failed: see $DIR/log/demo-trade.log"
		fi
	fi
	ADMIN_NOTE=""
	admin_bootstrap
	api_start
	pusher_start
	mailer_start
	nginx_start
	if [ -x "$bin/goldwatch-evaluate" ] && [ "${STACK_EVALUATE:-1}" = 1 ]; then
		"$bin/goldwatch-evaluate" >>"$DIR/log/evaluate.log" 2>&1 ||
			say "note: the first evaluation failed: see $DIR/log/evaluate.log"
	fi
	[ "${STACK_LIVE:-0}" = 1 ] && scheduler_start
	say ""
	say "goldwatch is running: http://127.0.0.1:$PORT/"
	say "  sign in as: admin"
	say "  $ADMIN_NOTE"
	[ "${STACK_LIVE:-0}" = 1 ] && live_banner
	say "  logs: $DIR/log/   stop: make stop"
}

stop() {
	stop_pid "$DIR/run/scheduler.pid" goldwatch-scheduler
	stop_pid "$DIR/run/nginx.pid" nginx
	stop_pid "$DIR/run/pusher.pid" goldwatch-pusher
	stop_pid "$DIR/run/mailer.pid" goldwatch-mailer
	stop_pid "$DIR/run/api.pid" goldwatch-api
	replica_stop
	[ -f "$PGDATA_DIR/PG_VERSION" ] && pg_stop
	say "goldwatch stopped ($DIR)"
}

status() {
	local s
	pg_running && s=up || s=down; echo "postgres: $s"
	alive "$DIR/run/api.pid" goldwatch-api && s=up || s=down; echo "api: $s"
	alive "$DIR/run/pusher.pid" goldwatch-pusher && s=up || s=down; echo "pusher: $s"
	alive "$DIR/run/mailer.pid" goldwatch-mailer && s=up || s=down; echo "mailer: $s"
	alive "$DIR/run/nginx.pid" nginx && s=up || s=down; echo "nginx: $s"
	alive "$DIR/run/scheduler.pid" goldwatch-scheduler && s=up || s=down; echo "scheduler: $s"
}

case "$cmd" in
start) start ;;
stop) stop ;;
status) status ;;
pg-stop) pg_stop ;;
pg-start) load_env; pg_start ;;
replica-start) load_env; replica_start ;;
replica-stop) replica_stop ;;
api-stop) stop_pid "$DIR/run/api.pid" goldwatch-api ;;
api-start) load_env; api_start ;;
pusher-stop) stop_pid "$DIR/run/pusher.pid" goldwatch-pusher ;;
pusher-start) load_env; pusher_start ;;
mailer-stop) stop_pid "$DIR/run/mailer.pid" goldwatch-mailer ;;
mailer-start) load_env; mailer_start ;;
nginx-stop) stop_pid "$DIR/run/nginx.pid" nginx ;;
nginx-start) load_env; nginx_start ;;
*) sed -n '2,34p' "$0" >&2; exit 2 ;;
esac
