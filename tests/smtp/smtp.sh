#!/bin/bash
# The test SMTP server (smtpd.py: aiosmtpd with STARTTLS and AUTH), one per
# folder, recorded by pid so that `stop` stops exactly it.
#
#   tests/smtp/smtp.sh start DIR [PORT]   start (PORT: the same port again
#                                         after a stop; default a free one),
#                                         print the port
#   tests/smtp/smtp.sh stop DIR
#
# DIR gets cert.pem/key.pem (made once with openssl for 127.0.0.1 and
# localhost), port, smtpd.pid, smtpd.log and mail/ (the messages).
# Credentials: SMTPD_USER and SMTPD_PASSWORD from the environment;
# SMTPD_DESCRIBE=1 adds Python's reading of each message to its .json
# (the tests want it; it costs the server about 2 ms a message).
set -euo pipefail

cmd=${1:-}
dir_arg=${2:-}
[ -n "$cmd" ] && [ -n "$dir_arg" ] || { sed -n '2,14p' "$0" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/proc.sh"
mkdir -p "$dir_arg"
DIR=$(cd "$dir_arg" && pwd)

die() { echo "smtp: $*" >&2; exit 1; }

alive() {
	local pid
	[ -f "$DIR/smtpd.pid" ] || return 1
	pid=$(cat "$DIR/smtpd.pid")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	grep -qa -- smtpd.py "/proc/$pid/cmdline" 2>/dev/null
}

make_cert() {
	[ -s "$DIR/cert.pem" ] && [ -s "$DIR/key.pem" ] && return 0
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$DIR/key.pem" -out "$DIR/cert.pem" >"$DIR/openssl.log" 2>&1 ||
		die "openssl could not make the certificate: see $DIR/openssl.log"
}

start() {
	local port=${1:-0} i pid
	alive && die "already running (pid $(cat "$DIR/smtpd.pid"))"
	make_cert
	rm -f "$DIR/port"
	setsid /usr/bin/python3 -u "$here/smtpd.py" --dir "$DIR" --cert "$DIR/cert.pem" \
		--key "$DIR/key.pem" --port "$port" ${SMTPD_DESCRIBE:+--describe} \
		>>"$DIR/smtpd.log" 2>&1 </dev/null &
	pid=$!
	echo $pid >"$DIR/smtpd.pid"
	for i in $(seq 1 200); do
		if [ -s "$DIR/port" ]; then
			cat "$DIR/port"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break # (before exec, cmdline is not ours yet)
		sleep 0.05
	done
	die "the SMTP server did not start: see $DIR/smtpd.log"
}

stop() {
	if alive; then
		term_then_kill "$(cat "$DIR/smtpd.pid")"
	fi
	rm -f "$DIR/smtpd.pid"
}

case "$cmd" in
start) start "${3:-0}" ;;
stop) stop ;;
*) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
