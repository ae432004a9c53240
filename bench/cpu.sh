# bench/cpu.sh - where the CPU went during a benchmark run: the CPU time
# of given processes, of a whole PostgreSQL cluster (its backends,
# including those that ended), and of the machine. Sourced by bench
# scripts (bench/relay.sh); figures in clock ticks, cpu_seconds turns
# two snapshots into seconds.

# CPU ticks (user + system, with reaped children) of the processes $@ that live.
cpu_ticks() {
	local pid t=0
	for pid in "$@"; do
		[ -r "/proc/$pid/stat" ] || continue
		# the fields after the command's name "(...)": 14 to 17 of stat
		t=$((t + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13 + $14 + $15}')))
	done
	echo "$t"
}

# CPU ticks of the cluster whose data directory is $1: the postmaster,
# the backends it has reaped and the ones alive.
cpu_cluster_ticks() {
	local pm
	pm=$(head -1 "$1/postmaster.pid")
	# shellcheck disable=SC2046
	cpu_ticks "$pm" $(pgrep -P "$pm")
}

# CPU ticks the machine spent busy (all cores; not idle, not waiting on I/O).
cpu_machine_ticks() {
	awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}

# cpu_seconds BEFORE AFTER: ticks to seconds, one decimal.
cpu_seconds() {
	awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", (b - a) / hz}'
}
