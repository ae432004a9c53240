#!/bin/sh
# Installs goldwatch (called by `make install` with the Makefile's
# variables in the environment): binaries, templates, static files, SQL,
# systemd units and timers, the nginx site, an example env file, docs.
# Everything lands under $DESTDIR; paths written into files are the final ones.
set -eu

: "${DESTDIR:=}" "${BINDIR:?}" "${DATADIR:?}" "${SYSCONFDIR:?}" "${UNITDIR:?}"
: "${DOCDIR:?}" "${SYSUSERSDIR:?}" "${API_SOCKET:?}" "${PUSHER_SOCKET:?}"
: "${DIGEST_TIME:=}" "${BINS:?}" "${ADMIN:?}" "${NGINX_CONN_LIMIT:=100}"

case "$NGINX_CONN_LIMIT" in
''|*[!0-9]*) echo "install: NGINX_CONN_LIMIT must be a number" >&2; exit 2 ;;
esac

confdir=$SYSCONFDIR/goldwatch
# the timers' schedules, from the one table (core/schedule.c), read in a
# clean environment: the installer's own GOLDWATCH_* settings play no part
schedule=$(env -i "$ADMIN" schedule ${DIGEST_TIME:+--digest-time "$DIGEST_TIME"}) ||
	{ echo "install: $ADMIN schedule failed" >&2; exit 2; }
on_calendar() {
	cal=$(printf '%s\n' "$schedule" | sed -n "s/^$1 //p")
	[ -n "$cal" ] || { echo "install: the schedule has no $1" >&2; exit 2; }
	printf '%s\n' "$cal"
}
# the pages' Content-Security-Policy, from the one place it is written
csp=$(sed -n 's/^#define PAGE_CSP "\(.*\)"$/\1/p' cgi/csp.h)
[ -n "$csp" ] || { echo "install: no PAGE_CSP line in cgi/csp.h" >&2; exit 2; }
subst() {
	sed -e "s|@BINDIR@|$BINDIR|g" -e "s|@DATADIR@|$DATADIR|g" \
	    -e "s|@SYSCONFDIR@|$SYSCONFDIR|g" -e "s|@DOCDIR@|$DOCDIR|g" \
	    -e "s|@API_SOCKET@|$API_SOCKET|g" -e "s|@PUSHER_SOCKET@|$PUSHER_SOCKET|g" \
	    -e "s|@CONF_DIR@|$confdir/nginx|g" \
	    -e "s|@STATIC_DIR@|$DATADIR/static|g" -e "s|@BODY_LIMIT@|1048576|g" \
	    -e "s|@LOGIN_BURST@|20|g" -e "s|@CONN_LIMIT@|${NGINX_CONN_LIMIT:-100}|g" \
	    -e "s|@CSP@|$csp|g" \
	    -e '/@SANDBOX@/{r systemd/sandbox.conf' -e 'd;}' "$@"
}

install -d "$DESTDIR$BINDIR" "$DESTDIR$DATADIR" "$DESTDIR$UNITDIR" "$DESTDIR$DOCDIR" \
	"$DESTDIR$confdir/nginx" "$DESTDIR$SYSCONFDIR/nginx/sites-available" \
	"$DESTDIR$SYSUSERSDIR"
install -m 0755 $BINS "$DESTDIR$BINDIR/"
rm -rf "$DESTDIR$DATADIR/templates" "$DESTDIR$DATADIR/static" "$DESTDIR$DATADIR/sql"
cp -R templates static sql "$DESTDIR$DATADIR/"
chmod -R u=rwX,go=rX "$DESTDIR$DATADIR"

# systemd: the API's socket and service, the pusher, the mail delivery
# service (its timer only restarts it if it is down), a service and a
# timer per job
subst systemd/goldwatch-api.socket.in > "$DESTDIR$UNITDIR/goldwatch-api.socket"
subst systemd/goldwatch-api.service.in > "$DESTDIR$UNITDIR/goldwatch-api.service"
subst systemd/goldwatch-pusher.service.in > "$DESTDIR$UNITDIR/goldwatch-pusher.service"
subst systemd/goldwatch-mailer.service.in > "$DESTDIR$UNITDIR/goldwatch-mailer.service"
subst systemd/goldwatch-mailer.timer.in | sed "s|@ON_CALENDAR@|$(on_calendar mailer)|" \
	> "$DESTDIR$UNITDIR/goldwatch-mailer.timer"
for job in evaluate escalate cleanup digest; do
	subst systemd/goldwatch-job.service.in | sed "s|@JOB@|$job|g" \
		> "$DESTDIR$UNITDIR/goldwatch-$job.service"
	subst "systemd/goldwatch-$job.timer.in" | sed "s|@ON_CALENDAR@|$(on_calendar "$job")|" \
		> "$DESTDIR$UNITDIR/goldwatch-$job.timer"
done
chmod 0644 "$DESTDIR$UNITDIR"/goldwatch-*
install -m 0644 systemd/goldwatch.sysusers "$DESTDIR$SYSUSERSDIR/goldwatch.conf"

# configuration: an example next to (never over) the real env file
subst systemd/goldwatch.env.example > "$DESTDIR$confdir/goldwatch.env.example"
chmod 0640 "$DESTDIR$confdir/goldwatch.env.example"

# nginx: the site and the locations it shares with the private stack
subst nginx/site.conf.in > "$DESTDIR$SYSCONFDIR/nginx/sites-available/goldwatch"
subst nginx/http.conf.in > "$DESTDIR$confdir/nginx/http.conf"
subst nginx/locations.conf.in > "$DESTDIR$confdir/nginx/locations.conf"
subst nginx/fastcgi.conf.in > "$DESTDIR$confdir/nginx/fastcgi.conf"

install -m 0644 README.md docs/*.md docs/openapi.yaml "$DESTDIR$DOCDIR/"
echo "installed goldwatch under ${DESTDIR:-/} (binaries in $BINDIR); next: docs/DEPLOY.md"
