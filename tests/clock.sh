# tests/clock.sh - sourced by tests/run.sh: runs a test variant with the
# machine's clock moved to a fixed moment for every process it starts
# (PostgreSQL, nginx, goldwatch-api, the pusher, the SMTP server, the jobs
# and the tests themselves), with libfaketime.
#
#   clock_moments                 the moments, one name a line
#   clock_start NAME              exports the faked clock (and the zones)
#   clock_stop                    the real clock again
#
# The clock reads the moment when the variant starts and runs on from
# there: the stack loads its demo shop then, the suites follow within a
# minute or two (so 09:59 crosses opening time, 23:59:30 the new month).
# Fixed dates, not "the next 03:00": a run at a moment is the same run
# whenever it happens, and the tests' own dates (2030, 2099) stay ahead.
# In the logs, PostgreSQL's postmaster stamps its own lines after start-up
# with the real time (seen with libfaketime 0.9.10); its backends, and so
# now() in SQL, read the moved clock, as every other process does.

# Debian's faketime package, whatever the architecture
CLOCK_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)

# NAME  moment (read in ZONE)  ZONE (GOLDWATCH_TIMEZONE)  TZ of the processes
#       NEXT: the next moment of the same kind, once this one has passed
clock_table() {
	cat <<'TABLE'
0300utc   2026-12-02T03:00:00  UTC               UTC                  week
0959shop  2026-12-02T09:59:00  Pacific/Auckland  America/Los_Angeles  week
1001shop  2026-12-02T10:01:00  UTC               UTC                  week
monthend  2026-12-31T23:59:30  Asia/Dubai        UTC                  year
dst       2027-03-28T10:30:00  Europe/London     UTC                  march
TABLE
}

# The clock is only ever moved ahead: a moment that has passed becomes the
# next one like it (the same weekday and wall-clock time a week on; the
# end of the next year; the day London's clocks go forward the next year,
# the last Sunday of March). Moved back, libfaketime's clock makes
# PostgreSQL's timers misfire (statement timeouts cancel queries that
# waited a few seconds; seen with libfaketime 0.9.10 and PostgreSQL 15).
clock_ahead() {
	local m=$1 next=$2 zone=$3 y d
	while [ "$(TZ=$zone date -d "${m/T/ }" +%s)" -le "$(date +%s)" ]; do
		case $next in
		week) m="$(date -d "${m%T*} + 7 days" +%F)T${m#*T}" ;;
		year) m="$((${m:0:4} + 1))${m:4}" ;;
		march)
			y=$((${m:0:4} + 1))
			d=$(date -d "$y-03-31" +%u)
			m="$y-03-$((31 - d % 7))T${m#*T}" ;;
		*) echo "clock: no next moment '$next'" >&2; return 1 ;;
		esac
	done
	echo "$m"
}
# 0959shop: the shop's day (Dec 2) is not the UTC day nor the server's
# (Dec 1): a "today" taken in the wrong zone shows. monthend: the end of a
# month and a year, four hours before UTC's. dst: the 23-hour day on which
# London's clocks go forward, half an hour after opening.

clock_moments() { clock_table | awk '{ print $1 }'; }

clock_start() {
	local name=$1 row target zone tz next offset i
	row=$(clock_table | awk -v n="$name" '$1 == n')
	[ -n "$row" ] || { echo "clock: no moment $name (one of: $(clock_moments | tr '\n' ' '))"; return 1; }
	[ -n "$CLOCK_LIB" ] || { echo "clock: libfaketime missing (apt-get install faketime)"; return 1; }
	read -r _ target zone tz next <<<"$row"
	target=$(clock_ahead "$target" "$next" "$zone") || return 1
	target=$(TZ=$zone date -d "${target/T/ }" +%s) || return 1
	offset=$((target - $(date +%s)))
	# the caller's zones (if any) come back at clock_stop
	CLOCK_SAVED=$(declare -p GOLDWATCH_TIMEZONE TZ 2>/dev/null | sed 's/^declare -/declare -g/')
	# libfaketime keeps its state in shared memory named after the first
	# process that loads it: one holder lives for the whole variant and the
	# others attach to it (postgres runs as another user: open it to all)
	env LD_PRELOAD=$CLOCK_LIB FAKETIME="$(printf '%+d' "$offset")" FAKETIME_DONT_FAKE_MONOTONIC=1 \
		FAKETIME_CACHE_DURATION=86400 sleep infinity &
	CLOCK_HOLDER=$!
	for i in $(seq 1 100); do
		[ -e /dev/shm/faketime_shm_$CLOCK_HOLDER ] && [ -e /dev/shm/sem.faketime_sem_$CLOCK_HOLDER ] && break
		sleep 0.05
	done
	chmod 666 /dev/shm/faketime_shm_$CLOCK_HOLDER /dev/shm/sem.faketime_sem_$CLOCK_HOLDER || {
		clock_stop
		return 1
	}
	# every process takes and gives back that semaphore as it starts; one
	# killed in between (the suites SIGKILL jobs mid-run) would leave it
	# taken and every later process waiting forever: raised far above one,
	# no kill can (tests/clock_sem.c says why that is safe)
	"$top/build/tests/clock-sem" /faketime_sem_$CLOCK_HOLDER 100000 || {
		clock_stop
		return 1
	}
	export LD_PRELOAD=$CLOCK_LIB FAKETIME="$(printf '%+d' "$offset")" FAKETIME_DONT_FAKE_MONOTONIC=1
	export FAKETIME_CACHE_DURATION=86400
	export FAKETIME_SHARED="/faketime_sem_$CLOCK_HOLDER /faketime_shm_$CLOCK_HOLDER"
	export GOLDWATCH_TIMEZONE=$zone TZ=$tz
	echo "clock: $(date -u +%FT%TZ) (shop: $(TZ=$zone date '+%F %T %Z') in $zone; processes in $tz)"
}

clock_stop() {
	unset LD_PRELOAD FAKETIME FAKETIME_DONT_FAKE_MONOTONIC FAKETIME_CACHE_DURATION FAKETIME_SHARED
	[ -n "${CLOCK_HOLDER:-}" ] || return 0
	unset GOLDWATCH_TIMEZONE TZ
	eval "${CLOCK_SAVED:-}"
	kill "$CLOCK_HOLDER" 2>/dev/null
	wait "$CLOCK_HOLDER" 2>/dev/null
	rm -f /dev/shm/faketime_shm_$CLOCK_HOLDER /dev/shm/sem.faketime_sem_$CLOCK_HOLDER
	CLOCK_HOLDER=
}
