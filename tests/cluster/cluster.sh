#!/bin/bash
# The multi-host test (make test-cluster): network namespaces on this
# machine make the deployment of docs/DEPLOY.md "Several hosts":
#
#   gwc-PID-br   a bridge (br0) joining the others, 10.231.0.0/24
#   gwc-PID-db   PostgreSQL 15 primary 10.231.0.1:5432, its streaming
#                replica 10.231.0.1:5433 (pg_basebackup -R -X stream), and
#                the test SMTP server (tests/smtp/smtpd.py) on 10.231.0.1:2525
#   gwc-PID-a    10.231.0.2: goldwatch-api, goldwatch-pusher, nginx
#   gwc-PID-b    10.231.0.3: the same; the jobs are run here and on a
#
# tests/cluster/ws_tail.py is the WebSocket client of the checks.
#
# Each app host has DATABASE_URL at the primary over TCP and
# GOLDWATCH_READ_DATABASE_URL at the replica (GOLDWATCH_READ_MAX_LAG_MS
# 600000). Every check prints "ok - ..." or "not ok - ..."; the exit status
# is non-zero if one failed. Everything made (namespaces, processes by pid,
# folders) is removed at the end, on failure too.
#
#   tests/cluster/cluster.sh        (as root; BUILD: the binaries, default build)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) bin=$BUILD ;; *) bin=$top/$BUILD ;; esac
PGBIN=/usr/lib/postgresql/15/bin
P=gwc-$$
NS_BR=$P-br NS_DB=$P-db NS_A=$P-a NS_B=$P-b
DB_IP=10.231.0.1 A_IP=10.231.0.2 B_IP=10.231.0.3
WORK=/var/tmp/$P
PGW=$WORK/pg
PORT=8080
SMTP_PORT_=2525
failed=0
started=$SECONDS
pids=()

say() { echo "# $*"; }
die() { echo "not ok - $*"; exit 1; }
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; failed=1; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else notok "$name"; fi; }

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
as_pg() { runuser -u postgres -- "$@"; }

cleanup() {
	local pid ns
	set +e
	for host in a b; do
		[ -d "$WORK/$host/run" ] || continue
		for f in "$WORK/$host"/run/*.pid; do
			[ -f "$f" ] || continue
			pid=$(cat "$f"); [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
		done
	done
	for pid in "${pids[@]+"${pids[@]}"}"; do kill -9 "$pid" 2>/dev/null; done
	for d in "$PGW/replica" "$PGW/primary"; do
		[ -f "$d/postmaster.pid" ] && kill -9 "$(head -n 1 "$d/postmaster.pid")" 2>/dev/null
	done
	sleep 0.2
	for ns in "$NS_A" "$NS_B" "$NS_DB" "$NS_BR"; do
		ip netns pids "$ns" 2>/dev/null | while read -r pid; do kill -9 "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || die "the cluster test needs root (network namespaces)"
for b in goldwatch-api goldwatch-pusher goldwatch-admin goldwatch-evaluate goldwatch-mailer; do
	[ -x "$bin/$b" ] || die "$bin/$b is not built (make)"
done
[ -x "$PGBIN/postgres" ] || die "PostgreSQL 15 server binaries not found in $PGBIN"

# --- the network --------------------------------------------------------
netns() {
	local ns
	for ns in "$NS_BR" "$NS_DB" "$NS_A" "$NS_B"; do ip netns add "$ns" || return 1; done
	ip -n "$NS_BR" link add br0 type bridge || return 1
	ip -n "$NS_BR" link set br0 up
	local host ip
	for host in db:$DB_IP a:$A_IP b:$B_IP; do
		ip=${host#*:} host=${host%%:*}
		ip -n "$NS_BR" link add "p-$host" type veth peer name eth0 netns "$P-$host" || return 1
		ip -n "$NS_BR" link set "p-$host" master br0 up
		ip -n "$P-$host" addr add "$ip/24" dev eth0
		ip -n "$P-$host" link set eth0 up
		ip -n "$P-$host" link set lo up
	done
}
netns || die "network namespaces could not be made (ip netns add, veth, bridge): the cluster test needs them"
mkdir -p "$WORK"
chmod 755 "$WORK"

wait_for() { # SECONDS COMMAND...: until it succeeds
	local deadline=$((SECONDS + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}
in_ns "$NS_A" bash -c "exec 3<>/dev/tcp/$DB_IP/9" 2>/dev/null; true

# --- PostgreSQL ---------------------------------------------------------
PSQL=(in_ns "$NS_DB" psql -X -q -tA -h $DB_IP -U postgres)
pg_up() {
	mkdir -p "$PGW" && chown postgres: "$PGW"
	as_pg $PGBIN/initdb -D "$PGW/primary" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
		>"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log"; return 1; }
	cat >>"$PGW/primary/postgresql.conf" <<CONF
listen_addresses = '$DB_IP'
unix_socket_directories = ''
port = 5432
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = replica
CONF
	cat >>"$PGW/primary/pg_hba.conf" <<CONF
host all all 10.231.0.0/24 trust
host replication all 10.231.0.0/24 trust
CONF
	in_ns "$NS_DB" runuser -u postgres -- $PGBIN/pg_ctl -D "$PGW/primary" -w -t 60 \
		-l "$PGW/primary.log" start >/dev/null || { tail "$PGW/primary.log"; return 1; }
	"${PSQL[@]}" -d postgres -c "CREATE ROLE goldwatch LOGIN" -c "CREATE DATABASE goldwatch OWNER goldwatch" ||
		return 1
	in_ns "$NS_DB" runuser -u postgres -- $PGBIN/pg_basebackup -h $DB_IP -p 5432 -U postgres \
		-D "$PGW/replica" -R -X stream -c fast >"$PGW/basebackup.log" 2>&1 ||
		{ cat "$PGW/basebackup.log"; return 1; }
	printf "port = 5433\nhot_standby = on\nhot_standby_feedback = on\n" >>"$PGW/replica/postgresql.conf"
	replica_start
}
replica_start() {
	in_ns "$NS_DB" runuser -u postgres -- $PGBIN/pg_ctl -D "$PGW/replica" -w -t 60 \
		-l "$PGW/replica.log" start >/dev/null
}
replica_stop() {
	in_ns "$NS_DB" runuser -u postgres -- $PGBIN/pg_ctl -D "$PGW/replica" -w -t 60 -m fast stop >/dev/null
}
pg_up || die "PostgreSQL primary and replica did not start"
DBURL="postgresql://goldwatch@$DB_IP:5432/goldwatch"
READURL="postgresql://goldwatch@$DB_IP:5433/goldwatch"
sql() { in_ns "$NS_DB" psql -X -q -tA -h $DB_IP -U goldwatch -d goldwatch -c "$1"; }
rsql() { in_ns "$NS_DB" psql -X -q -tA -h $DB_IP -p 5433 -U postgres -d goldwatch -c "$1"; }

# --- SMTP -------------------------------------------------------------------
SMTP_DIR=$WORK/smtp
smtp_up() {
	mkdir -p "$SMTP_DIR"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
		-addext "subjectAltName=IP:$DB_IP" -keyout "$SMTP_DIR/key.pem" -out "$SMTP_DIR/cert.pem" \
		>"$SMTP_DIR/openssl.log" 2>&1 || return 1
	SMTP_PASS=smtp-$$-$RANDOM
	in_ns "$NS_DB" env SMTPD_USER=goldwatch-test SMTPD_PASSWORD=$SMTP_PASS setsid /usr/bin/python3 -u \
		"$top/tests/smtp/smtpd.py" --dir "$SMTP_DIR" --cert "$SMTP_DIR/cert.pem" --key "$SMTP_DIR/key.pem" \
		--host $DB_IP --port $SMTP_PORT_ >>"$SMTP_DIR/smtpd.log" 2>&1 </dev/null &
	pids+=($!)
	disown $!
	wait_for 20 test -s "$SMTP_DIR/port"
}
smtp_up || die "the SMTP server did not start"

# --- the app hosts ------------------------------------------------------
KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
ADMIN_PW=admin-$$-$RANDOM
host_env() { # HOST IP
	local d=$WORK/$1
	mkdir -p "$d/run" "$d/log" "$d/spool" "$d/nginx/tmp"
	cat >"$d/goldwatch.env" <<ENV
DATABASE_URL="$DBURL"
GOLDWATCH_READ_DATABASE_URL="$READURL"
GOLDWATCH_READ_MAX_LAG_MS="600000"
GOLDWATCH_REQUEST_DEADLINE_MS="1500"
GOLDWATCH_DATA_DIR="$top"
GOLDWATCH_SOCKET="$d/run/api.sock"
GOLDWATCH_PUSHER_SOCKET="$d/run/pusher.sock"
GOLDWATCH_SPOOL_DIR="$d/spool"
GOLDWATCH_BASE_URL="http://$2:$PORT"
GOLDWATCH_TIMEZONE="UTC"
GOLDWATCH_PORT="$PORT"
GOLDWATCH_SECRET_KEY="$KEY"
GOLDWATCH_SYSTEM_CHECKS="false"
SMTP_SERVER="$DB_IP"
SMTP_PORT="$SMTP_PORT_"
SMTP_USE_TLS="true"
SMTP_USERNAME="goldwatch-test"
SMTP_PASSWORD="$SMTP_PASS"
GOLDWATCH_SMTP_CA_FILE="$SMTP_DIR/cert.pem"
FROM_EMAIL="goldwatch cluster <alerts@goldwatch.test>"
ENV
}
# on_host HOST COMMAND...: in the host's namespace with its environment
on_host() {
	local h=$1; shift
	( set -a; . "$WORK/$h/goldwatch.env"; set +a; cd "$WORK/$h/log" && ip netns exec "$P-$h" "$@" )
}
stack() { # HOST CMD: scripts/stack.sh's per-process start/stop on that host
	in_ns "$P-$1" env BUILD="$bin" STACK_QUIET=1 "$top/scripts/stack.sh" "$2" "$WORK/$1"
}
host_env a $A_IP
host_env b $B_IP
on_host a "$bin/goldwatch-admin" migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log"; die "migrations failed"; }
printf '%s\n' "$ADMIN_PW" | on_host a "$bin/goldwatch-admin" user add admin --role admin >/dev/null ||
	die "the admin user could not be made"
printf '%s\n' "viewer-$ADMIN_PW" | on_host a "$bin/goldwatch-admin" user add viewer1 --role viewer >/dev/null ||
	die "the viewer user could not be made"
for h in a b; do
	for c in api-start pusher-start nginx-start; do
		stack $h $c || { tail -n 20 "$WORK/$h"/log/*.log; die "host $h: $c failed"; }
	done
done
say "cluster up in $((SECONDS - started)) s"

# HTTP on a host's nginx: curl_h HOST ARGS... (inside the host's namespace)
curl_h() { local h=$1; shift; in_ns "$P-$h" curl -sS --max-time 10 "$@"; }
url() { echo "http://127.0.0.1:$PORT$1"; }
login() { # HOST USER PASSWORD: the token
	curl_h "$1" -H 'Content-Type: application/json' \
		-d "{\"username\":\"$2\",\"password\":\"$3\"}" "$(url /api/auth/login)" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
ADMIN_A=$(login a admin "$ADMIN_PW") && ADMIN_B=$(login b admin "$ADMIN_PW") &&
	VIEWER_B=$(login b viewer1 "viewer-$ADMIN_PW") || die "login failed"

# status, headers and body of one request: req HOST METHOD PATH TOKEN [BODY] [HEADER]
# sets ST (status), HD (headers file), BD (body file), MS (milliseconds taken)
req() {
	local h=$1 m=$2 path=$3 tok=$4 body=${5:-} extra=${6:-} t0
	HD=$WORK/last.h BD=$WORK/last.b
	local args=(-X "$m" -D "$HD" -o "$BD" -w '%{http_code}')
	[ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	[ -n "$extra" ] && args+=(-H "$extra")
	t0=$(date +%s%N)
	ST=$(curl_h "$h" "${args[@]}" "$(url "$path")" 2>/dev/null) || ST=${ST:-000}
	MS=$((($(date +%s%N) - t0) / 1000000))
}
hdr() { tr -d '\r' <"$HD" | sed -n "s/^$1: *//Ip" | tail -n 1; }

# --- 1: evaluations racing on both hosts -----------------------------------
# Fixed moments (no dependence on the hour): three 5-minute slots; at each,
# a pushed value past both thresholds, then goldwatch-evaluate --slot on
# both hosts at once. One host gets each slot, the other exits 0 ("the
# slot ... was taken"). Wanted: what one host alone gives, the rule with
# for_evaluations 1 fired at the first slot, the one with 3 at the third,
# one alert and one alert.fired event each.
check_eval_race() {
	local k=race_$$ t slot r1 r3 ok=1
	req a POST /api/kpis "$ADMIN_A" "{\"key\":\"$k\",\"name\":\"race\",\"category\":\"financial\",\"unit\":\"USD\"}"
	[ "$ST" = 201 ] || { say "POST /api/kpis: $ST $(cat "$BD")"; return 1; }
	for r in 1 3; do
		req b POST /api/alerts/rules "$ADMIN_B" "{\"name\":\"race $r\",\"kpi\":\"$k\",\"condition\":\"gt\",\"threshold\":5,\"severity\":\"critical\",\"recipients\":[\"owner@shop.example\"],\"for_evaluations\":$r}"
		[ "$ST" = 201 ] || { say "POST /api/alerts/rules: $ST $(cat "$BD")"; return 1; }
		eval "r$r=\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"id\"])' \"\$BD\")"
	done
	for slot in 1 2 3; do
		t=$(printf '2026-01-07T10:%02d:00Z' $(( (slot - 1) * 5 )))
		req a POST "/api/kpis/$k/samples" "$ADMIN_A" "{\"value\":10,\"at\":\"$t\",\"evaluate\":false}"
		[ "$ST" = 201 ] || { say "sample at $t: $ST $(cat "$BD")"; return 1; }
		on_host a "$bin/goldwatch-evaluate" --slot --now="$t" >"$WORK/eval-a-$slot.out" 2>&1 & local pa=$!
		on_host b "$bin/goldwatch-evaluate" --slot --now="$t" >"$WORK/eval-b-$slot.out" 2>&1 & local pb=$!
		pids+=($pa $pb)
		wait $pa || { say "evaluate on a at $t failed: $(tail -n 3 "$WORK/eval-a-$slot.out")"; ok=0; }
		wait $pb || { say "evaluate on b at $t failed: $(tail -n 3 "$WORK/eval-b-$slot.out")"; ok=0; }
		local taken
		taken=$(cat "$WORK/eval-a-$slot.out" "$WORK/eval-b-$slot.out" | grep -c "was taken")
		[ "$taken" = 1 ] || { say "slot $t: $taken runs said the slot was taken, want 1"; ok=0; }
		local a1 a3
		a1=$(sql "SELECT count(*) FROM alerts WHERE rule_id = $r1")
		a3=$(sql "SELECT count(*) FROM alerts WHERE rule_id = $r3")
		local w3=0; [ $slot = 3 ] && w3=1
		say "slot $t: alerts $a1 (for_evaluations 1), $a3 (for_evaluations 3)"
		[ "$a1" = 1 ] && [ "$a3" = $w3 ] || { say "after slot $slot: alerts $a1 (for 1), $a3 (for 3); want 1, $w3"; ok=0; }
	done
	local e1 e3
	e1=$(sql "SELECT count(*) FROM events WHERE type = 'alert.fired' AND (data->>'rule_id')::bigint = $r1")
	e3=$(sql "SELECT count(*) FROM events WHERE type = 'alert.fired' AND (data->>'rule_id')::bigint = $r3")
	[ "$e1" = 1 ] && [ "$e3" = 1 ] || { say "alert.fired events: $e1 and $e3, want 1 and 1"; ok=0; }
	[ $ok = 1 ]
}
check "evaluations racing: goldwatch-evaluate --slot on both hosts at once for 3 slots, alerts as from one host (for_evaluations 1 and 3)" check_eval_race

# --- 3 and 4: WebSocket clients on both hosts; a pusher failover -----------
WS=$top/tests/cluster/ws_tail.py
ws_start() { # HOST OUTFILE QUERY SECONDS: a client in the background (pid in WSPID)
	in_ns "$P-$1" python3 "$WS" $PORT "/api/alerts/ws?token=$ADMIN_A$3" "$4" >"$2" 2>&1 &
	WSPID=$!
	pids+=($WSPID)
	wait_for 10 grep -q '^#connected' "$2"
}
ids_of() { grep -v '^#' "$1" | python3 -c '
import json, sys
for l in sys.stdin:
    try: m = json.loads(l)
    except ValueError: continue
    if isinstance(m, dict) and m.get("id") is not None: print(m["id"])'; }
changes() { # HOST N TAG: N rule creations on that host
	local i
	for i in $(seq 1 "$2"); do
		req "$1" POST /api/alerts/rules "$([ "$1" = a ] && echo "$ADMIN_A" || echo "$ADMIN_B")" \
			"{\"name\":\"ws $3 $i\",\"kpi\":\"race_$$\",\"condition\":\"gt\",\"threshold\":50,\"severity\":\"critical\",\"recipients\":[\"owner@shop.example\"]}"
	done
}
check_ws_order() {
	local start want
	start=$(sql "SELECT coalesce(max(id), 0) FROM events")
	ws_start a "$WORK/ws-a.out" "&after=$start" 30 || { say "no client on a: $(cat "$WORK/ws-a.out")"; return 1; }
	local wa=$WSPID
	ws_start b "$WORK/ws-b.out" "&after=$start" 30 || { say "no client on b: $(cat "$WORK/ws-b.out")"; return 1; }
	local wb=$WSPID
	( changes a 10 a ) & local ca=$!
	( changes b 10 b ) & local cb=$!
	wait $ca; wait $cb
	want=$(sql "SELECT count(*) FROM events WHERE id > $start")
	[ "$want" -gt 0 ] || { say "the changes made no events"; return 1; }
	wait_for 20 bash -c "[ \$(grep -vc '^#' '$WORK/ws-a.out') -ge $want ] && [ \$(grep -vc '^#' '$WORK/ws-b.out') -ge $want ]"
	kill $wa $wb 2>/dev/null
	local db
	db=$(sql "SELECT id FROM events WHERE id > $start ORDER BY id")
	say "events: $want in the database; a's client got $(ids_of "$WORK/ws-a.out" | wc -l), b's $(ids_of "$WORK/ws-b.out" | wc -l)"
	[ "$(ids_of "$WORK/ws-a.out")" = "$db" ] && [ "$(ids_of "$WORK/ws-b.out")" = "$db" ]
}
check "websocket: clients on a and b receive the same events, in the database's order, with changes made on both hosts at once" check_ws_order

check_failover() {
	local start last db got
	start=$(sql "SELECT coalesce(max(id), 0) FROM events")
	ws_start a "$WORK/fo-a.out" "&after=$start" 60 || { say "no client on a"; return 1; }
	local wa=$WSPID
	changes b 5 fo1
	wait_for 20 bash -c "[ \$(grep -vc '^#' '$WORK/fo-a.out') -ge \$(in_ns '$NS_DB' psql -X -tA -h $DB_IP -U goldwatch -d goldwatch -c 'SELECT count(*) FROM events WHERE id > $start') ]"
	kill -9 "$(cat "$WORK/a/run/pusher.pid")"
	wait_for 10 bash -c "! kill -0 $wa" || kill $wa
	changes b 5 fo2
	last=$(ids_of "$WORK/fo-a.out" | tail -n 1)
	[ -n "$last" ] || { say "a's client saw nothing"; return 1; }
	ws_start b "$WORK/fo-b.out" "&after=$last" 30 || { say "no client on b"; return 1; }
	local wb=$WSPID
	changes a 0 x
	db=$(sql "SELECT id FROM events WHERE id > $start ORDER BY id")
	local n; n=$(echo "$db" | wc -l)
	wait_for 20 bash -c "[ \$(( \$(grep -vc '^#' '$WORK/fo-a.out') + \$(grep -vc '^#' '$WORK/fo-b.out') )) -ge $n ]"
	kill $wb 2>/dev/null
	got=$( { ids_of "$WORK/fo-a.out"; ids_of "$WORK/fo-b.out"; } )
	say "failover: a's client got $(ids_of "$WORK/fo-a.out" | wc -l) up to $last, b's $(ids_of "$WORK/fo-b.out" | wc -l) after; $n in the database"
	stack a pusher-start || { say "a's pusher did not start again"; return 1; }
	[ "$got" = "$db" ]
}
check "pusher failover: a's pusher killed, the client resumes on b with ?after=, no gap, no duplicate" check_failover

# --- 2: mail exactly once -----------------------------------------------------
MAILS=500
spool_ids() { # PREFIX: messages in the SMTP spool whose Message-ID starts so, and distinct ones
	python3 - "$SMTP_DIR/mail" "$1" <<'PY'
import json, os, sys
ids = []
for f in os.listdir(sys.argv[1]):
    if f.endswith(".json"):
        m = json.load(open(os.path.join(sys.argv[1], f))).get("message_id") or ""
        if m.startswith(sys.argv[2]):
            ids.append(m)
print(len(ids), len(set(ids)))
PY
}
spool_has() { # PREFIX N: at least N such messages in the spool
	local n u
	read -r n u < <(spool_ids "$1")
	[ "$n" -ge "$2" ]
}
check_mail() {
	sql "INSERT INTO mail_outbox (kind, recipient, subject, body_text, body_html, message_id)
	     SELECT 'test', 'cl-' || g || '@shop.example', 'cluster ' || g, 'text', '<p>html</p>',
	            '<cluster.' || g || '@goldwatch.test>' FROM generate_series(1, $MAILS) g" >/dev/null || return 1
	local queued
	queued=$(sql "SELECT count(*) FROM mail_outbox WHERE status <> 'sent'")
	on_host a "$bin/goldwatch-mailer" --json >"$WORK/mail-a.json" 2>"$WORK/mail-a.log" & local pa=$!
	on_host b "$bin/goldwatch-mailer" --json >"$WORK/mail-b.json" 2>"$WORK/mail-b.log" & local pb=$!
	pids+=($pa $pb)
	wait $pa || { say "mailer a failed: $(tail -n 3 "$WORK/mail-a.log")"; return 1; }
	wait $pb || { say "mailer b failed: $(tail -n 3 "$WORK/mail-b.log")"; return 1; }
	local sa sb rows got uniq
	sa=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sent"])' "$WORK/mail-a.json")
	sb=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sent"])' "$WORK/mail-b.json")
	say "mailer on a sent $sa, on b $sb, of $queued queued (the race's alert mails too)"
	rows=$(sql "SELECT count(*) FROM mail_outbox WHERE recipient LIKE 'cl-%' AND status = 'sent'
	            AND attempts = 1 AND last_error IS NULL")
	read -r got uniq < <(spool_ids "<cluster.")
	say "rows sent at the first attempt: $rows; spool: $got messages, $uniq Message-IDs"
	[ "$((sa + sb))" = "$queued" ] && [ "$sa" -gt 0 ] && [ "$sb" -gt 0 ] && [ "$rows" = $MAILS ] &&
		[ "$got" = $MAILS ] && [ "$uniq" = $MAILS ]
}
check "mail: $MAILS messages, mailers on both hosts at once, each delivered once, no failed attempt" check_mail

# --- 5: a host cut off from the database ------------------------------------
json_503() { # the last answer: 503 JSON with Retry-After, within 2 s
	[ "$ST" = 503 ] && [ "$MS" -lt 2000 ] && [ -n "$(hdr Retry-After)" ] &&
		hdr Content-Type | grep -q json && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$BD"
}
check_cut_off() {
	req a GET /api/health "" || true
	[ "$ST" = 200 ] || { say "a's health before the cut: $ST"; return 1; }
	ip -n "$NS_A" link set eth0 down || return 1
	local ok=1
	req a GET /api/health ""
	json_503 || { say "a's /api/health cut off: $ST in $MS ms, Retry-After '$(hdr Retry-After)'"; ok=0; }
	req a GET /api/health ""
	json_503 || { say "a's /api/health again: $ST in $MS ms"; ok=0; }
	req a GET /api/kpis "$ADMIN_A"
	json_503 || { say "a's GET /api/kpis cut off: $ST in $MS ms, Retry-After '$(hdr Retry-After)'"; ok=0; }
	say "cut off: a answered GET /api/kpis $ST in $MS ms"
	req b GET /api/health ""
	[ "$ST" = 200 ] || { say "b's health while a is cut off: $ST"; ok=0; }
	req b GET /api/kpis "$ADMIN_B"
	[ "$ST" = 200 ] || { say "b's GET /api/kpis while a is cut off: $ST"; ok=0; }
	ip -n "$NS_A" link set eth0 up || return 1
	# each worker drops its connection at its next request's deadline and
	# connects again: recovered once 20 requests in a row answer 200
	local deadline=$((SECONDS + 40)) streak=0 t0=$SECONDS
	while [ $streak -lt 20 ]; do
		req a GET /api/health ""
		if [ "$ST" = 200 ]; then req a GET /api/kpis "$ADMIN_A"; fi
		if [ "$ST" = 200 ]; then streak=$((streak + 1)); else streak=0; fi
		[ $SECONDS -lt $deadline ] || { say "a did not recover: $ST"; return 1; }
	done
	say "a recovered $((SECONDS - t0)) s after the link came back"
	[ $ok = 1 ]
}
check "cut off: a answers 503 JSON with Retry-After within 2 s, b unaffected, a recovers without restart" check_cut_off

# --- 8: replica reads, read-your-writes ------------------------------------
reads_replica_soon() { # HOST PATH TOKEN: within 20 s, 200 from the replica
	local deadline=$((SECONDS + 20))
	while :; do
		req "$1" GET "$2" "$3"
		[ "$ST" = 200 ] && [ "$(hdr Goldwatch-Read-From)" = replica ] && return 0
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}
expect_read() { # HOST PATH TOKEN STATUS FROM [HEADER]
	req "$1" GET "$2" "$3" "" "${6:-}"
	[ "$ST" = "$4" ] && [ "$(hdr Goldwatch-Read-From)" = "$5" ] && return 0
	say "GET $2 on $1 [${6:-}]: $ST from $(hdr Goldwatch-Read-From), want $4 from $5"
	return 1
}
check_replica() {
	local ok=1 key=cluster_$$ after
	reads_replica_soon b /api/kpis "$VIEWER_B" || { say "b never read from the replica"; return 1; }
	reads_replica_soon a /api/kpis "$ADMIN_A" || { say "a never read from the replica"; return 1; }
	rsql "SELECT pg_wal_replay_pause()" >/dev/null || return 1
	req a POST /api/kpis "$ADMIN_A" "{\"key\":\"$key\",\"name\":\"Cluster check\",\"category\":\"operational\",\"unit\":\"count\"}"
	[ "$ST" = 201 ] || { say "POST /api/kpis on a: $ST $(cat "$BD")"; return 1; }
	after=$(hdr Goldwatch-Read-After)
	[ -n "$after" ] || { say "no Goldwatch-Read-After"; ok=0; }
	expect_read a "/api/kpis/$key" "$ADMIN_A" 200 primary || ok=0
	expect_read b "/api/kpis/$key" "$VIEWER_B" 404 replica || ok=0
	expect_read b "/api/kpis/$key" "$VIEWER_B" 200 primary "Goldwatch-Read-After: $after" || ok=0
	expect_read b "/api/kpis/$key" "$ADMIN_B" 200 primary "Cookie: gw_read_after=$after" || ok=0
	rsql "SELECT pg_wal_replay_resume()" >/dev/null || return 1
	reads_replica_soon b "/api/kpis/$key" "$VIEWER_B" || { say "b: not from the replica after resume"; ok=0; }
	reads_replica_soon a "/api/kpis/$key" "$ADMIN_A" || { say "a: not from the replica after resume"; ok=0; }
	reads_replica_soon b "/api/kpis/$key" "$ADMIN_B" || { say "b admin: not from the replica after resume"; ok=0; }
	replica_stop || return 1
	local h
	for h in a b; do
		tok=$ADMIN_A; [ $h = b ] && tok=$VIEWER_B
		expect_read $h "/api/kpis/$key" "$tok" 200 primary || ok=0
		[ "$MS" -lt 1000 ] || { say "$h: read with the replica down took $MS ms"; ok=0; }
	done
	replica_start || return 1
	reads_replica_soon b /api/kpis "$VIEWER_B" || { say "b: not back on the replica"; ok=0; }
	[ $ok = 1 ]
}
check "replica: reads from the replica, read-your-writes with replay paused (header, cookie), replica down -> primary at once" check_replica

# --- 6: a host cut off while it holds locks --------------------------------
# A session from host a, with the timeouts every goldwatch connection sets
# (core/db.c: lock_timeout 5 s, idle_in_transaction_session_timeout 15 s;
# tcp_user_timeout 5 s on a's side), locks a rule's row, as an evaluator
# or a rule change in flight does; then a's link goes down. Host b's
# change of that rule answers 503 within its bounds (here the request
# deadline, GOLDWATCH_REQUEST_DEADLINE_MS 1.5 s; else lock_timeout), and
# goes through once the server has ended a's silent session.
check_locks() {
	local body ok=1 id t0
	body='{"name":"locked","kpi":"'"race_$$"'","condition":"gt","threshold":7,"severity":"critical","recipients":["owner@shop.example"]}'
	req b POST /api/alerts/rules "$ADMIN_B" "$body"
	[ "$ST" = 201 ] || { say "POST /api/alerts/rules: $ST $(cat "$BD")"; return 1; }
	id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$BD")
	mkfifo "$WORK/locker.in"
	( exec 3<>"$WORK/locker.in"; in_ns "$NS_A" env PGOPTIONS="-c lock_timeout=5000 -c idle_in_transaction_session_timeout=15000" \
		psql -X -q -tA "host=$DB_IP user=goldwatch dbname=goldwatch tcp_user_timeout=5000 keepalives=1 keepalives_idle=5 keepalives_interval=1 keepalives_count=3" \
		<&3 >"$WORK/locker.out" 2>&1 ) &
	local lp=$!
	pids+=($lp)
	exec 4>"$WORK/locker.in"
	echo "BEGIN; SELECT id FROM alert_rules WHERE id = $id FOR UPDATE; SELECT 'locked';" >&4
	wait_for 10 grep -q locked "$WORK/locker.out" || { say "the lock was not taken: $(cat "$WORK/locker.out")"; exec 4>&-; return 1; }
	ip -n "$NS_A" link set eth0 down
	local body2=${body/\"threshold\":7/\"threshold\":8}
	req b PUT "/api/alerts/rules/$id" "$ADMIN_B" "$body2"
	say "b's change of the locked rule: $ST in $MS ms"
	[ "$ST" = 503 ] && [ "$MS" -lt 6000 ] || { say "want 503 within 6 s: $(head -c 300 "$BD")"; ok=0; }
	t0=$SECONDS
	local deadline=$((SECONDS + 40))
	while :; do
		req b PUT "/api/alerts/rules/$id" "$ADMIN_B" "$body2"
		[ "$ST" = 200 ] && break
		[ $SECONDS -lt $deadline ] || { say "b's change never went through: $ST"; ok=0; break; }
		sleep 0.5
	done
	say "b's change went through $((SECONDS - t0)) s later"
	exec 4>&-
	ip -n "$NS_A" link set eth0 up
	kill "$lp" 2>/dev/null
	[ "$(sql "SELECT threshold FROM alert_rules WHERE id = $id")" = 8 ] || { say "the rule's threshold is not 8"; ok=0; }
	[ $ok = 1 ]
}
check "locks: a cut off holding a rule's lock, b's change 503s within its deadline, then goes through after idle_in_transaction_session_timeout" check_locks

# --- 7: kill -9 of the api and the pusher on a ------------------------------
check_kill9() {
	local ok=1 pid before after
	before=$(sql "SELECT count(*) FROM alert_rules")
	for svc in api pusher; do
		pid=$(cat "$WORK/a/run/$svc.pid")
		kill -9 "$pid" || return 1
		wait_for 10 bash -c "! kill -0 $pid" || { say "$svc did not die"; return 1; }
		req b GET /api/alerts/rules "$ADMIN_B"
		[ "$ST" = 200 ] || { say "b while a's $svc is dead: $ST"; ok=0; }
		stack a "$svc-start" || { say "a's $svc did not start again"; return 1; }
	done
	local deadline=$((SECONDS + 20))
	until req a GET /api/alerts/rules "$ADMIN_A"; [ "$ST" = 200 ]; do
		[ $SECONDS -lt $deadline ] || { say "a's api after the restart: $ST"; return 1; }
		sleep 0.2
	done
	# the restarted pusher takes a WebSocket upgrade
	local code
	code=$(curl_h a -s -o /dev/null -w '%{http_code}' --max-time 3 -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
		-H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
		"$(url "/api/alerts/ws?token=$ADMIN_A")" 2>/dev/null)
	[ "$code" = 101 ] || { say "a's pusher after the restart answered the upgrade $code"; ok=0; }
	after=$(sql "SELECT count(*) FROM alert_rules")
	[ "$before" = "$after" ] || { say "rules: $before before, $after after"; ok=0; }
	req a PUT "/api/alerts/rules/$(sql "SELECT max(id) FROM alert_rules")" "$ADMIN_A" \
		'{"name":"after kill","kpi":"'"race_$$"'","condition":"gt","threshold":9,"severity":"critical","recipients":["owner@shop.example"]}'
	[ "$ST" = 200 ] || { say "a's write after the restart: $ST $(head -c 200 "$BD")"; ok=0; }
	[ $ok = 1 ]
}
check "kill -9: a's api and pusher killed, b unaffected, restarted ones serve reads, writes and upgrades" check_kill9

# --- 7b: kill -9 of a job mid-run: the mail delivery -----------------------
# the SMTP server slowed (its delay file) so that a's pass is still sending
# when killed;
# what it had leased stays queued under its lease (GOLDWATCH_SMTP_TIMEOUT=2:
# 60 + 8 x 2 s), b's pass sends the rest; the lease run out (moved back
# here instead of waiting 76 s), b sends those too: every message arrives,
# at most the one being sent at the kill twice
KILLED=300
check_job_kill9() {
	local ok=1 pid got uniq leased sent
	sql "INSERT INTO mail_outbox (kind, recipient, subject, body_text, body_html, message_id)
	     SELECT 'test', 'k-' || g || '@shop.example', 'killed ' || g, 'text', '<p>html</p>',
	            '<killed.' || g || '@goldwatch.test>' FROM generate_series(1, $KILLED) g" >/dev/null || return 1
	echo 0.05 > "$SMTP_DIR/delay"   # the SMTP server answers each DATA 50 ms late
	GOLDWATCH_SMTP_TIMEOUT=2 on_host a "$bin/goldwatch-mailer" >"$WORK/mail-k.log" 2>&1 & pid=$!
	pids+=($pid)
	wait_for 30 spool_has "<killed." 3 || { say "a's mailer sent nothing in 30 s"; ok=0; }
	local mpid   # the mailer itself, in a's namespace (pid is on_host's subshell)
	mpid=$(for p in $(ip netns pids "$NS_A"); do
		grep -qa goldwatch-mailer "/proc/$p/cmdline" 2>/dev/null && echo "$p"; done | head -n 1)
	[ -n "$mpid" ] && kill -9 "$mpid" || { say "a's mailer was not running"; ok=0; }
	wait "$pid" 2>/dev/null
	rm -f "$SMTP_DIR/delay"
	read -r got uniq < <(spool_ids "<killed.")
	say "a's mailer killed after $got of $KILLED"
	[ "$got" -lt "$KILLED" ] || { say "a's mailer was done before the kill"; ok=0; }
	on_host b "$bin/goldwatch-mailer" >>"$WORK/mail-k.log" 2>&1 || { say "b's mailer failed"; ok=0; }
	leased=$(sql "SELECT count(*) FROM mail_outbox WHERE message_id LIKE '<killed.%' AND status <> 'sent'
	              AND lease_until > now() AND lease_owner IS NOT NULL")
	sent=$(sql "SELECT count(*) FROM mail_outbox WHERE message_id LIKE '<killed.%' AND status = 'sent'")
	say "after b's pass: $sent sent, $leased still leased by the killed mailer"
	[ "$((sent + leased))" = $KILLED ] && [ "$leased" -le 8 ] || { say "rows neither sent nor leased"; ok=0; }
	sql "UPDATE mail_outbox SET lease_until = now() - interval '1 second'
	     WHERE message_id LIKE '<killed.%' AND status <> 'sent'" >/dev/null
	on_host b "$bin/goldwatch-mailer" >>"$WORK/mail-k.log" 2>&1 || { say "b's second pass failed"; ok=0; }
	sent=$(sql "SELECT count(*) FROM mail_outbox WHERE message_id LIKE '<killed.%' AND status = 'sent'")
	read -r got uniq < <(spool_ids "<killed.")
	say "in the end: $sent rows sent; spool: $got messages, $uniq Message-IDs"
	[ "$sent" = $KILLED ] && [ "$uniq" = $KILLED ] && [ "$got" -le $((KILLED + 1)) ] || ok=0
	[ $ok = 1 ]
}
check "kill -9 of a job mid-run: a's mail delivery killed while sending, nothing lost, at most one message twice" check_job_kill9

say "cluster test: $((SECONDS - started)) s"
[ $failed = 0 ]
