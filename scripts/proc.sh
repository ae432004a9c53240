# scripts/proc.sh - sourced by the scripts that start processes of their
# own (stack.sh, tests/smtp/smtp.sh): stopping one by the pid recorded
# when it was started, never by name.

# term_then_kill PID: SIGTERM, up to 10 s to exit, then SIGKILL.
term_then_kill() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}
