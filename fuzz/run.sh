#!/bin/bash
# Runs the libFuzzer targets built by `make fuzz-bins` (all, or those
# named) for FUZZ_SECONDS each over their seed corpus fuzz/corpus/NAME.
# The tree's corpus is only read: new inputs go to FUZZ_BUILD/corpus/NAME,
# crashes to FUZZ_BUILD/crashes/NAME/, the log to FUZZ_BUILD/NAME.log.
# Exits non-zero if any target found a crash, a leak, a timeout or a
# sanitizer report (libFuzzer exits non-zero on each).
#
#   FUZZ_SECONDS=60 fuzz/run.sh [fuzz_NAME ...]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${FUZZ_BUILD:-build/fuzz}
seconds=${FUZZ_SECONDS:-60}
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in fuzz/fuzz_*.c; do
		names+=("$(basename "$f" .c)")
	done
fi
# UBSan reports are fatal (-fno-sanitize-recover), so libFuzzer keeps them
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for name in "${names[@]}"; do
	bin=$build/$name
	corpus=$build/corpus/$name
	crashes=$build/crashes/$name
	log=$build/$name.log
	dict=()
	if [ ! -x "$bin" ]; then
		echo "$name: not built (make fuzz-bins)"
		failed+=("$name")
		continue
	fi
	[ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
	mkdir -p "$corpus" "$crashes"
	# the first folder is written to, the tree's seeds only read
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" \
		"$corpus" "fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	units=$(ls "$corpus" | wc -l)
	if [ $rc -eq 0 ]; then
		printf '%-18s ok: %s runs in %ss (%s/s), %s inputs found so far in %s\n' \
			"$name" "${runs:-?}" "$seconds" "${rate:-?}" "$units" "$corpus"
	else
		printf '%-18s FAILED (exit %d), input in %s/:\n' "$name" "$rc" "$crashes"
		grep -E -A 12 "ERROR: |runtime error|fuzz check failed|SUMMARY" "$log" | head -n 40
		failed+=("$name")
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: FAILED: ${failed[*]}"
	exit 1
fi
echo "fuzz: ${#names[@]} targets ok (${seconds}s each)"
