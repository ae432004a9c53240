#!/bin/bash
# tests/deploy_check.sh - what `make install` lays out is a working
# installation: every unit passes `systemd-analyze verify`, each timer's
# schedule has the interval README.md gives and is the one the schedule
# table (core/schedule.c) gives, every service's exposure score is low, and nginx accepts the production site (`nginx -t`, with a
# throwaway certificate). Installs into build/install-check with its
# own PREFIX so unit paths point at files that exist.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
root=$top/build/install-check
fail=0
problem() { echo "deploy: $*"; fail=1; }

rm -rf "$root"
make -s install PREFIX="$root/usr" SYSCONFDIR="$root/etc" >/dev/null || { echo "deploy: make install failed"; exit 1; }
units=$root/usr/lib/systemd/system

# 1. every unit verifies, without a single complaint
out=$(systemd-analyze verify "$units"/goldwatch-*.service "$units"/goldwatch-*.socket \
	"$units"/goldwatch-*.timer 2>&1)
[ -z "$out" ] || problem "systemd-analyze verify: $out"

# 2. the timers fire at the intervals README.md gives (seconds between runs)
interval() {
	local cal next prev
	cal=$(sed -n 's/^OnCalendar=//p' "$units/goldwatch-$1.timer")
	systemd-analyze calendar --iterations=3 "$cal" 2>/dev/null |
		sed -n 's/^ *Next elapse: //p; s/^ *Iter\. #[0-9]*: //p' |
		while read -r line; do date -d "$line" +%s; done |
		awk 'NR > 1 {print $1 - prev} {prev = $1}' | sort -u
}
for spec in evaluate:300 escalate:900 mailer:60 cleanup:86400 digest:86400; do
	job=${spec%%:*} want=${spec#*:}
	got=$(interval "$job" | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] || problem "goldwatch-$job.timer runs every ${got:-?} s, want $want"
	grep -q '^Persistent=true' "$units/goldwatch-$job.timer" || problem "goldwatch-$job.timer is not Persistent"
done

# 2b. the timers say what the schedule table says (core/schedule.c, through
# goldwatch-admin schedule), the digest at make install's DIGEST_TIME
timers_agree() {
	local units_dir=$1 job cal got
	shift
	while read -r job cal; do
		got=$(sed -n 's/^OnCalendar=//p' "$units_dir/goldwatch-$job.timer")
		[ "$got" = "$cal" ] || problem "goldwatch-$job.timer says OnCalendar=$got, the table $cal"
	done < <(env -i build/goldwatch-admin schedule "$@")
}
timers_agree "$units"
[ "$(build/goldwatch-admin schedule | wc -l)" = 5 ] || problem "the schedule table does not list the five timers"
late=$root-1845
rm -rf "$late"
make -s install PREFIX="$late/usr" SYSCONFDIR="$late/etc" DIGEST_TIME=18:45 >/dev/null ||
	problem "make install DIGEST_TIME=18:45 failed"
timers_agree "$late/usr/lib/systemd/system" --digest-time 18:45
grep -qx 'OnCalendar=\*-\*-\* 18:45:00' "$late/usr/lib/systemd/system/goldwatch-digest.timer" ||
	problem "DIGEST_TIME=18:45 did not reach goldwatch-digest.timer"
make -s install PREFIX="$late/usr" SYSCONFDIR="$late/etc" DIGEST_TIME=24:00 >/dev/null 2>&1 &&
	problem "make install took DIGEST_TIME=24:00"
rm -rf "$late"
# production runs the timers: make run's scheduler is not installed
[ ! -e "$root/usr/bin/goldwatch-scheduler" ] || problem "make install installed goldwatch-scheduler"

# 3. sandboxing: systemd's exposure score of each service
for s in "$units"/goldwatch-*.service; do
	name=$(basename "$s")
	score=$(systemd-analyze security --offline=yes "$s" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	echo "deploy: $name exposure $score"
	awk -v s="${score:-99}" 'BEGIN {exit !(s <= 3.0)}' || problem "$name exposure ${score:-?} is above 3.0"
done

# 4. nginx accepts the production site
ngx=$root/nginx-test
mkdir -p "$ngx/logs" "$ngx/tmp"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=goldwatch.example.com \
	-keyout "$ngx/test.key" -out "$ngx/test.crt" >/dev/null 2>&1
sed -e "s|/etc/ssl/certs/goldwatch.crt|$ngx/test.crt|" \
    -e "s|/etc/ssl/private/goldwatch.key|$ngx/test.key|" \
    -e "s|/var/log/nginx/|$ngx/logs/|" \
	"$root/etc/nginx/sites-available/goldwatch" > "$ngx/site.conf"
cat > "$ngx/nginx.conf" <<NGX
pid $ngx/nginx.pid;
error_log $ngx/logs/error.log;
events {}
http {
    client_body_temp_path $ngx/tmp/body;
    proxy_temp_path $ngx/tmp/proxy;
    fastcgi_temp_path $ngx/tmp/fastcgi;
    uwsgi_temp_path $ngx/tmp/uwsgi;
    scgi_temp_path $ngx/tmp/scgi;
    include $ngx/site.conf;
}
NGX
out=$(/usr/sbin/nginx -t -p "$ngx" -c "$ngx/nginx.conf" 2>&1) || problem "nginx -t: $out"
# the production site keeps the limit on connections and logs no query
grep -q 'limit_conn goldwatch_conn 100;' "$root/etc/goldwatch/nginx/locations.conf" ||
	problem "the production locations lack limit_conn"
grep -Eq '^ *access_log [^ ]+ goldwatch;' "$ngx/site.conf" || problem "the site's access log is not masked"
grep -Eq '^ *error_log [^ ]+ emerg;' "$ngx/site.conf" || problem "the site's error log would hold queries"
echo "deploy: nginx -t: $(echo "$out" | tail -n 1)"

exit $fail
