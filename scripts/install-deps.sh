#!/bin/sh
# Install the Debian 12 packages goldwatch needs to build, run and test.
# Called by `make run`, `make test` and `make fuzz` only when something is
# missing. clang builds the sanitizer pass and the libFuzzer targets
# (libclang-rt-14-dev holds its sanitizer and libFuzzer runtimes, llvm the
# symbolizer that puts file:line into their reports). prometheus ships
# promtool and the server the metrics tests scrape with.
set -eu
PKGS="build-essential g++ pkg-config ca-certificates openssl procps iproute2
libfcgi-dev libpq-dev postgresql postgresql-client libctemplate-dev
libcurl4-openssl-dev libwebsockets-dev libjansson-dev libsodium-dev
libcunit1-dev zlib1g-dev nginx-light python3 python3-aiosmtpd python3-websockets wrk
chromium systemd libuv1-dev faketime
valgrind clang libclang-rt-14-dev llvm prometheus"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
# Node.js may come from elsewhere (nodesource bundles npm): ask for the
# commands, not the Debian package names.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
