#!/bin/bash
# check-layers.sh - the includes of core/ point down the layers.
#
#   base -> domain -> store -> engine -> bin
#
# Every file of core/ is listed below with its layer (by its name without
# .c/.h/.cc). A core file may include the headers of its own layer and of
# the layers below it, never one of a higher layer nor a header of a
# binary's folder (cgi/, pusher/, jobs/, admin/, scheduler/). `bin` is the binaries'
# plumbing that lives in core/ (job.c: what jobs/ shares). A core file
# missing from the table fails the check: a new module says where it
# belongs. A binary includes core and its own folder, never another
# binary's headers. docs/ARCHITECTURE.md describes the layers.
#
#   scripts/check-layers.sh [TOP]     exit 0 when every include points down
set -uo pipefail

top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 2

declare -A layer=(
	# base: no knowledge of the shop, only of the tools
	[util]=base [log]=base [config]=base [db]=base [db_values]=base [json_out]=base
	[params]=base [cursor]=base [migrate]=base [read_version]=base
	[tpl]=base [mail_mime]=base [mail_send]=base [secret]=base [http_send]=base
	[prom]=base [addr_list]=base [units]=base [gzip]=base
	# domain: what conditions, values and inputs mean, no table of its own
	[rule]=domain [fmt]=domain [valid]=domain [auth]=domain [alert]=domain
	[schedule]=domain [calendar]=domain [contact_point]=domain [notice]=domain [policy]=domain [escalation_policy]=domain [baseline]=domain
	# stores: one per resource, each with its transactions
	[store]=store [rule_store]=store [calendar_store]=store [silence_store]=store [alert_store]=store
	[user_store]=store [kpi_store]=store [audit]=store
	[event]=store [ack]=store [mail]=store [job_runs]=store [job_slots]=store [contact_point_store]=store [policy_store]=store [escalation_policy_store]=store [notify]=store [delivery_store]=store [metrics_store]=store [status_store]=store
	# engine: the work of a run over many rows
	[eval]=engine [kpi]=engine [escalate]=engine [digest]=engine
	[cleanup]=engine [mail_deliver]=engine [mail_service]=engine [starter]=engine
	[backfill]=engine [cp_send]=engine [cp_test]=engine [notify_flush]=engine [http_deliver]=engine [delivery]=engine [preview]=engine [system_check]=engine
	# the binaries' plumbing in core/
	[job]=bin
)
declare -A rank=([base]=0 [domain]=1 [store]=2 [engine]=3 [bin]=4)
bins=(cgi pusher jobs admin scheduler)
bad=0

say() {
	echo "check-layers: $*" >&2
	bad=1
}

# the quoted includes of a file, one per line
includes() {
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1"
}

for f in core/*.c core/*.h core/*.cc; do
	[ -e "$f" ] || continue
	name=$(basename "$f"); name=${name%.*}
	mine=${layer[$name]:-}
	if [ -z "$mine" ]; then
		say "$f is in no layer: list it in scripts/check-layers.sh"
		continue
	fi
	while read -r inc; do
		[ -n "$inc" ] || continue
		base=${inc%.h}
		if [ -e "core/$inc" ]; then
			theirs=${layer[$base]:-}
			[ -n "$theirs" ] || continue   # reported as a file of its own
			if [ "${rank[$theirs]}" -gt "${rank[$mine]}" ]; then
				say "$f ($mine) includes $inc ($theirs): an include must point down"
			fi
		else
			for b in "${bins[@]}"; do
				[ -e "$b/$inc" ] && say "$f ($mine) includes $b/$inc: core includes no binary's header"
			done
		fi
	done < <(includes "$f")
done

# a binary includes core and its own folder only
for b in "${bins[@]}"; do
	for f in "$b"/*.c "$b"/*.h; do
		[ -e "$f" ] || continue
		while read -r inc; do
			[ -n "$inc" ] && [ ! -e "$b/$inc" ] && [ ! -e "core/$inc" ] || continue
			for o in "${bins[@]}"; do
				[ "$o" != "$b" ] && [ -e "$o/$inc" ] && say "$f includes $o/$inc: another binary's header"
			done
		done < <(includes "$f")
		# job.h is the jobs' plumbing
		if [ "$b" != jobs ] && includes "$f" | grep -qx 'job.h'; then
			say "$f includes job.h: only jobs/ does"
		fi
	done
done

[ $bad -eq 0 ] && echo "check-layers: every include of core/ points down"
exit $bad
