#!/bin/bash
# Runs every test of goldwatch (called by `make test` after building):
# for the normal build and again for the ASan+UBSan build, the unit tests,
# then a throwaway stack (own PostgreSQL cluster, goldwatch-api, pusher,
# nginx on free ports) and the integration tests against it. Sanitizer
# reports in any log fail the run. Before them, each fuzz target runs for
# a few seconds (SKIP_FUZZ=1 leaves that out).
# A clock variant runs the normal build's unit and integration tests with
# every process's clock moved to a fixed moment (tests/clock.sh: before
# opening, a month's end, a DST day, ...). The icu variant runs the normal
# build's integration tests on a stack whose database has ICU's en-US
# collation (STACK_DB_LOCALE=icu) instead of C: nothing may depend on the
# database ordering text the way strcmp does; VARIANT+icu does the same
# for a clock variant (make test's extra run is both: before opening, on
# ICU's collation).
#
# The cluster variant runs tests/cluster/cluster.sh (network namespaces:
# a primary and its replica, an SMTP server, two app hosts), after the
# other variants, alone.
#
#   tests/run.sh [normal|san|icu|clock-MOMENT[+icu]|clock|cluster ...]
#       (default: normal san clock-0959shop+icu browser cluster; clock: every moment)
#   TEST_SUITE=NAME: that integration suite only (tests/integration/main.c)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. tests/clock.sh
variants=()
for v in "$@"; do
	if [ "$v" = clock ]; then
		for m in $(clock_moments); do variants+=("clock-$m"); done
	else
		variants+=("$v")
	fi
done
[ ${#variants[@]} -gt 0 ] || variants=(normal san clock-0959shop+icu browser cluster)
# the cluster variant runs after the others, alone (it makes namespaces
# and loads the machine): taken out of the list here, run at the end
cluster=0
rest=()
for v in "${variants[@]}"; do
	if [ "$v" = cluster ]; then cluster=1; else rest+=("$v"); fi
done
variants=("${rest[@]+"${rest[@]}"}")
failures=()
export GOLDWATCH_DATA_DIR=$top
# contact point tests wait for a receiver that hangs: not the default 10 s
export GOLDWATCH_HTTP_TIMEOUT_MS=1500
trap clock_stop EXIT

# A port for a variant's nginx: below the kernel's ephemeral range (where
# the SMTP servers, receivers and every outgoing connection get theirs), not
# in use, and claimed under build/ports so that variants starting together
# never pick the same one. The claim goes when the variant ends.
free_port() {
	local p low
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	mkdir -p "$top/build/ports"
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % (low - 20000)))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
		mkdir "$top/build/ports/$p" 2>/dev/null || continue
		echo "$p"
		return 0
	done
	return 1
}

stack_down() {
	local dir=$1 build=$2
	[ -d "$dir" ] || return 0
	STACK_QUIET=1 BUILD=$build scripts/stack.sh stop "$dir" >/dev/null 2>&1 || true
}

stack_wipe() {
	local dir=$1 build=$2 target
	stack_down "$dir" "$build"
	if [ -L "$dir/pg" ]; then
		target=$(readlink -f "$dir/pg")
		case "$target" in /var/tmp/goldwatch-pg-*) rm -rf "$target" ;; esac
	fi
	rm -rf "$dir"
}

# Starts the test SMTP server of a variant and exports SMTP_* for it: the
# stack's processes and the jobs the tests run deliver there.
smtp_up() {
	export GW_TEST_SMTP_DIR=$top/build/test-$1-smtp GW_TEST_SMTP_USER=goldwatch-test
	export GW_TEST_SMTP_PASSWORD="smtp-test-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
	tests/smtp/smtp.sh stop "$GW_TEST_SMTP_DIR" 2>/dev/null
	rm -rf "$GW_TEST_SMTP_DIR"
	GW_TEST_SMTP_PORT=$(SMTPD_DESCRIBE=1 SMTPD_USER=$GW_TEST_SMTP_USER \
		SMTPD_PASSWORD=$GW_TEST_SMTP_PASSWORD tests/smtp/smtp.sh start "$GW_TEST_SMTP_DIR") ||
		return 1
	export GW_TEST_SMTP_PORT SMTP_SERVER=127.0.0.1 SMTP_PORT=$GW_TEST_SMTP_PORT SMTP_USE_TLS=true
	export SMTP_USERNAME=$GW_TEST_SMTP_USER SMTP_PASSWORD=$GW_TEST_SMTP_PASSWORD
	export GOLDWATCH_SMTP_CA_FILE=$GW_TEST_SMTP_DIR/cert.pem
	export FROM_EMAIL="goldwatch tests <alerts@goldwatch.test>"
}

sanitizer_reports() {
	grep -l -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined)" \
		"$@" 2>/dev/null
}

# minutes:seconds since the run began, on each "ok" line: the time budget
run_start=$SECONDS
elapsed() { local t=$((SECONDS - run_start)); printf '%d:%02d' $((t / 60)) $((t % 60)); }

step() {
	local name=$1; shift
	echo
	echo "=== $name"
	if "$@"; then
		echo "=== $name: ok ($(elapsed))"
	else
		echo "=== $name: FAILED"
		failures+=("$name")
	fi
}

# The integration suites (tests/integration) against a variant's stack.
integration_suites() {
	local variant=$1 dir=$2 port=$3 build=$4
	(
		set -a
		. "$dir/goldwatch.env"
		set +a
		export GW_TEST_URL=http://127.0.0.1:$port GW_TEST_STACK=$dir GW_TEST_BIN=$top/$build
		# a hang fails the variant with its output, not the whole run
		# by CI's clock (TEST_VARIANT_MINUTES, default 35)
		timeout -k 10 "$((${TEST_VARIANT_MINUTES:-35} * 60))" \
			"$top/$build/tests/integration-tests" ${TEST_SUITE:-}
	)
	local rc=$?
	if [ $rc -eq 0 ]; then echo "=== $variant: integration tests: ok ($(elapsed))"
	else echo "=== $variant: integration tests: FAILED"; failures+=("$variant: integration tests"); fi
}

# The pages in a real browser: every tests/browser/NN-*.mjs in order, on a
# stack of their own (what the integration suites leave behind, thousands
# of open alerts and rules, is not a shop the pages' tests can reason
# about), with the normal build.
browser_files() {
	local dir=$1 port=$2 build=$3 file
	for file in tests/browser/[0-9]*.mjs; do
		step "browser: $(basename "$file" .mjs) (chromium)" env GW_TEST_URL="http://127.0.0.1:$port" \
			GW_TEST_STACK="$dir" GW_TEST_BIN="$top/$build" timeout -k 10 600 node "$file"
	done
}

run_variant() {
	local variant=$1 build dir port log db_locale="" moment
	case "$variant" in
	normal|browser) build=build ;;
	icu) build=build db_locale=icu ;;
	clock-*) build=build moment=${variant#clock-}
	     [ "${moment%+icu}" = "$moment" ] || db_locale=icu moment=${moment%+icu}
	     clock_start "$moment" || { failures+=("$variant: clock"); return; } ;;
	san) build=build/san
	     export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
	     export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	     export LSAN_OPTIONS=suppressions=$top/tests/lsan.supp:print_suppressions=0 ;;
	*) echo "unknown variant $variant"; return 2 ;;
	esac
	dir=$top/build/test-$variant
	log=$top/build/test-$variant.log
	# the icu variant has the normal build's binaries: their unit tests ran
	case "$variant" in icu|browser) ;; *) step "$variant: unit tests" "$build/tests/unit-tests" ;; esac

	stack_wipe "$dir" "$build"
	port=$(free_port) || { failures+=("$variant: no free port"); return; }
	export GW_TEST_ADMIN_PASSWORD="admin-test-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
	# a real SMTP server (STARTTLS, AUTH) the stack's processes deliver to;
	# the tests get its folder, port and credentials as GW_TEST_SMTP_*
	smtp_up "$variant" || { failures+=("$variant: SMTP server start"); return; }
	echo
	echo "=== $variant: starting a throwaway stack on 127.0.0.1:$port (SMTP on $GW_TEST_SMTP_PORT)"
	if ! GOLDWATCH_PORT=$port BUILD=$build STACK_FSYNC=off STACK_QUIET=1 STACK_DB_LOCALE=$db_locale \
		GOLDWATCH_ADMIN_PASSWORD=$GW_TEST_ADMIN_PASSWORD scripts/stack.sh start "$dir"; then
		failures+=("$variant: stack start")
		tail -n 30 "$dir"/log/*.log 2>/dev/null
		tests/smtp/smtp.sh stop "$GW_TEST_SMTP_DIR"
		rmdir "$top/build/ports/$port"
		return
	fi
	if [ "$variant" = browser ]; then
		browser_files "$dir" "$port" "$build"
	else
		integration_suites "$variant" "$dir" "$port" "$build"
	fi
	stack_down "$dir" "$build"
	rmdir "$top/build/ports/$port"
	tests/smtp/smtp.sh stop "$GW_TEST_SMTP_DIR"
	local reports
	reports=$(sanitizer_reports "$dir"/log/*.log)
	if [ -n "$reports" ]; then
		echo "=== $variant: sanitizer reports in: $reports"
		grep -h -A 30 -E "ERROR: (Address|Leak)Sanitizer|runtime error:" $reports | head -n 80
		failures+=("$variant: sanitizer reports")
	fi
	unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
}

# node tools (OpenAPI linter, browser driver), pinned in package-lock.json
node_tools() {
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
		npm ci --no-audit --no-fund --loglevel=error || return 1
	fi
}

if [ -z "${SKIP_OPENAPI:-}" ]; then
	step "node tools" node_tools
	step "openapi: lint (redocly)" npx --no-install redocly lint --format=stylish docs/openapi.yaml
	step "openapi: routes and documentation agree" node tests/openapi_check.mjs build/goldwatch-api
fi

# the includes of core/ point down its layers (base, domain, store, engine)
step "layers: every include of core/ points down" scripts/check-layers.sh

# what `make install` lays out: units verify, timers, sandboxing, nginx -t
[ -n "${SKIP_DEPLOY:-}" ] || step "deploy: make install, units, timers, sandbox, nginx site" tests/deploy_check.sh

# every libFuzzer target (built by `make fuzz-bins`) a few seconds over its
# corpus; `make fuzz` runs them longer
fuzz_seconds=${FUZZ_TEST_SECONDS:-3}
[ -n "${SKIP_FUZZ:-}" ] || step "fuzz: every target for ${fuzz_seconds}s" \
	env FUZZ_SECONDS="$fuzz_seconds" fuzz/run.sh

# The variants are independent (each its own stack, ports, SMTP server,
# clock): TEST_PARALLEL of them run at once (default 3; 1 runs them one
# after the other, printing as they go). A parallel variant writes to
# build/test-VARIANT.out, printed whole when it ends.
parallel=${TEST_PARALLEL:-3}
if [ "$parallel" -le 1 ] || [ ${#variants[@]} -le 1 ]; then
	for v in "${variants[@]}"; do
		run_variant "$v"
		clock_stop
	done
else
	running=()
	print_variant() {
		local v=$1 f
		wait "${running[0]}"
		running=("${running[@]:1}")
		cat "$top/build/test-$v.out"
		while IFS= read -r f; do [ -n "$f" ] && failures+=("$f"); done <"$top/build/test-$v.failures"
	}
	started=()
	for v in "${variants[@]}"; do
		mkdir -p "$top/build"
		(
			trap clock_stop EXIT
			failures=()
			run_variant "$v"
			clock_stop
			printf '%s\n' "${failures[@]+"${failures[@]}"}" >"$top/build/test-$v.failures"
		) >"$top/build/test-$v.out" 2>&1 &
		running+=($!)
		started+=("$v")
		echo "=== $v: started ($(elapsed)), output in build/test-$v.out"
		if [ ${#running[@]} -ge "$parallel" ]; then
			print_variant "${started[0]}"
			started=("${started[@]:1}")
		fi
	done
	while [ ${#started[@]} -gt 0 ]; do
		print_variant "${started[0]}"
		started=("${started[@]:1}")
	done
fi

if [ $cluster = 1 ]; then
	step "cluster: namespaces, primary + replica, two app hosts (tests/cluster/cluster.sh)" \
		timeout -k 10 300 tests/cluster/cluster.sh
	variants+=(cluster)
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "FAILED: ${failures[*]}"
	exit 1
fi
echo "all tests passed (${variants[*]})"
