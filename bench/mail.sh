#!/bin/bash
# E-mail delivery benchmarks (docs/BENCHMARKS.md, "E-mail delivery"):
# a private stack (PostgreSQL with fsync on, goldwatch-api, the delivery
# service goldwatch-mailer --serve, nginx) on a free port and the test SMTP
# server (tests/smtp: aiosmtpd, STARTTLS, AUTH), then build/bench/mail_bench:
#   (a) latency 100     one alert, two recipients, fired 100 times in a row
#   (b) burst 100 5     100 alerts fired by one evaluation, 5 rounds
#   (c) backlog 10000 3 10,000 mails queued at once, 3 rounds
# each of (a) and (b) through the API and through goldwatch-evaluate; the
# API and the job only queue, the service delivers (fired -> accepted).
#
#   bench/mail.sh            everything
#   bench/mail.sh a|b|c      one of them
#
# Everything it starts it stops; it lives in build/bench-mail*.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
what=${1:-all}
dir=$top/build/bench-mail
smtp=$top/build/bench-mail-smtp

make -s --no-print-directory all "$BUILD/bench/mail_bench" || exit 1

cleanup() {
	STACK_QUIET=1 BUILD=$BUILD scripts/stack.sh stop "$dir" >/dev/null 2>&1
	tests/smtp/smtp.sh stop "$smtp"
}
trap cleanup EXIT

cleanup
[ -L "$dir/pg" ] && rm -rf "$(readlink -f "$dir/pg")"
rm -rf "$dir" "$smtp"
export GOLDWATCH_DATA_DIR=$top
export SMTPD_USER=bench SMTPD_PASSWORD="bench-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
smtp_port=$(tests/smtp/smtp.sh start "$smtp") || exit 1
export SMTP_SERVER=127.0.0.1 SMTP_PORT=$smtp_port SMTP_USE_TLS=true
export SMTP_USERNAME=$SMTPD_USER SMTP_PASSWORD=$SMTPD_PASSWORD
export GOLDWATCH_SMTP_CA_FILE=$smtp/cert.pem FROM_EMAIL="Gold Shop <alerts@bench.example>"
export GW_BENCH_ADMIN_PASSWORD="bench-admin-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
port=
for _ in $(seq 1 100); do
	p=$((20000 + RANDOM % 30000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "no free port"; exit 1; }
GOLDWATCH_PORT=$port BUILD=$BUILD STACK_QUIET=1 STACK_DEMO=0 STACK_ACCESS_LOG=off \
	GOLDWATCH_ADMIN_PASSWORD=$GW_BENCH_ADMIN_PASSWORD scripts/stack.sh start "$dir" || exit 1
set -a
. "$dir/goldwatch.env"
set +a
export GW_BENCH_URL=http://127.0.0.1:$port GW_BENCH_SMTP_DIR=$smtp GW_BENCH_BIN=$top/$BUILD
export GW_BENCH_LOG=$dir/log/bench-jobs.log
echo "stack on 127.0.0.1:$port, SMTP server on 127.0.0.1:$smtp_port ($(nproc) cores)"

bench=$top/$BUILD/bench/mail_bench
case "$what" in a|all) $bench latency 100 api && $bench latency 100 job || exit 1 ;; esac
case "$what" in b|all) $bench burst 100 5 api && $bench burst 100 5 job || exit 1 ;; esac
case "$what" in c|all)
	[ "$what" = c ] && { $bench latency 1 api >/dev/null || exit 1; }
	$bench backlog ${BACKLOG:-10000} ${ROUNDS:-3} || exit 1 ;;
esac
