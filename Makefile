# goldwatch - alerts and notifications for a gold shop.
#
#   make            build everything into build/
#   make run        install what is missing, build, start the private stack
#   make stop       stop what make run started
#   make test       install what is missing, build, run every test
#                   (also the whole suite built with ASan + UBSan, each
#                   fuzz target for a few seconds, and the integration
#                   suite once more with the clock at 09:59 in the shop)
#   make test-clock the unit and integration tests at five moments of the
#                   clock (libfaketime; see tests/clock.sh)
#   make fuzz       build the libFuzzer targets (clang), run each for
#                   FUZZ_SECONDS (60) over its corpus in fuzz/corpus/
#   make check-layers  the includes of core/ point down its layers
#   make bench      build the load clients, run bench/run.sh (see docs/BENCHMARKS.md)
#   make install    DESTDIR, PREFIX as usual
#   make clean
#
# Local overrides go in Makefile.local (not in git).

PKG_CONFIG ?= pkg-config
CC ?= cc
CXX ?= g++
# clang builds core/tpl.cc with its own clang++ unless CXX was chosen
ifeq ($(origin CXX),default)
ifneq ($(findstring clang,$(notdir $(CC))),)
CXX = $(subst clang,clang++,$(CC))
endif
endif
CC_IS_CLANG := $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n 1)),1)
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/goldwatch
SYSCONFDIR ?= /etc
DOCDIR ?= $(PREFIX)/share/doc/goldwatch
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
API_SOCKET ?= /run/goldwatch/api.sock
PUSHER_SOCKET ?= /run/goldwatch-pusher/pusher.sock
# HH:MM (host's time) of the daily digest; empty: core/schedule.h's 07:00
DIGEST_TIME ?=
NGINX_CONN_LIMIT ?= 100
BUILD ?= build
SAN ?=

CFLAGS ?= -O2 -g
CXXFLAGS ?= -O2 -g
LDFLAGS ?=

# project warnings: kept apart from the user's CFLAGS, errors for our code
WARN = -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
       -Wmissing-prototypes -Wformat=2 -Wformat-security -Wundef -Wvla \
       -Wno-format-nonliteral -Wimplicit-fallthrough
CXXWARN = -Wall -Wextra -Werror

PKGS = fcgi libpq libctemplate libcurl libwebsockets jansson libsodium zlib
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEP_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CUNIT_LIBS := $(shell $(PKG_CONFIG) --libs cunit 2>/dev/null)

ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=all
endif
# the code under a fuzz target: coverage for libFuzzer, no main of its own
ifeq ($(SAN),fuzz)
SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=all
endif
# clang's UBSan checks C++ vptrs (core/tpl.cc); its C++ runtime must be
# linked explicitly when the C driver links
ifneq ($(SANFLAGS),)
SANLINK = $(if $(CC_IS_CLANG),-fsanitize-link-c++-runtime)
endif

ALL_CPPFLAGS = -Icore -Icgi -Itests/lib -D_GNU_SOURCE -DGW_DATADIR='"$(DATADIR)"' $(DEP_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS = -std=c11 -pthread -MMD -MP $(WARN) $(SANFLAGS) $(CFLAGS)
ALL_CXXFLAGS = -std=c++11 -pthread -MMD -MP $(CXXWARN) $(SANFLAGS) $(CXXFLAGS)
ALL_LDFLAGS = -pthread $(SANFLAGS) $(SANLINK) $(LDFLAGS)
LIBS = $(DEP_LIBS) -lstdc++ -lm

-include Makefile.local

# A build folder remembers the compilers and sanitizers that built it:
# changing CC, CXX or SAN for it rebuilds everything instead of linking
# objects of two compilers (or two sanitizer runtimes) together.
BUILD_ID := $(CC) | $(CXX) | $(SAN)
BUILD_STAMP = $(BUILD)/.build-id
ifneq ($(BUILD_ID),$(file < $(BUILD_STAMP)))
$(shell mkdir -p $(BUILD))
$(file > $(BUILD_STAMP),$(BUILD_ID))
endif

CORE_SRC = $(wildcard core/*.c)
CORE_OBJ = $(CORE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/core/tpl.o
CORE_LIB = $(BUILD)/libgoldwatch.a

API_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard cgi/*.c))
ADMIN_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard admin/*.c))
JOB_NAMES = $(basename $(notdir $(wildcard jobs/*.c)))
JOB_BINS = $(JOB_NAMES:%=$(BUILD)/goldwatch-%)
PUSHER_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard pusher/*.c))
# the `make run` stack's stand-in for the timers: built, never installed
SCHEDULER_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard scheduler/*.c))
SCHEDULER = $(BUILD)/goldwatch-scheduler

BINS = $(BUILD)/goldwatch-api $(BUILD)/goldwatch-admin $(JOB_BINS)
ifneq ($(PUSHER_OBJ),)
BINS += $(BUILD)/goldwatch-pusher
endif

TESTLIB_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/lib/*.c))
UNIT_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/unit/*.c))
INTEG_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/integration/*.c))
# handlers the unit tests exercise directly (all of cgi but its main)
API_LIB_OBJ = $(filter-out $(BUILD)/cgi/main.o,$(API_OBJ))
TEST_BINS = $(BUILD)/tests/unit-tests $(BUILD)/tests/integration-tests $(BUILD)/tests/clock-sem
BENCH_LIB_SRC = bench/benchlib.c bench/wsclient.c bench/relay_check.c
BENCH_BINS = $(patsubst bench/%.c,$(BUILD)/bench/%,$(filter-out $(BENCH_LIB_SRC),$(wildcard bench/*.c)))

.PHONY: all deps run stop test test-clock test-cluster check-tests check-layers tests bench bench-bins \
	install uninstall clean fuzz fuzz-bins fuzz-targets
.DEFAULT_GOAL := all

all: $(BINS) $(SCHEDULER)

tests: $(TEST_BINS)

$(BUILD_STAMP): ;

$(BUILD)/%.o: %.c $(BUILD_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/core/tpl.o: core/tpl.cc $(BUILD_STAMP)
	@mkdir -p $(@D)
	$(CXX) $(ALL_CPPFLAGS) $(ALL_CXXFLAGS) -c -o $@ $<

$(CORE_LIB): $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/goldwatch-api: $(API_OBJ) $(CORE_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/goldwatch-admin: $(ADMIN_OBJ) $(CORE_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/goldwatch-pusher: $(PUSHER_OBJ) $(CORE_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(SCHEDULER): $(SCHEDULER_OBJ) $(CORE_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/goldwatch-%: $(BUILD)/jobs/%.o $(CORE_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/unit-tests: $(UNIT_OBJ) $(TESTLIB_OBJ) $(API_LIB_OBJ) $(BUILD)/pusher/ring.o \
    $(BUILD)/pusher/after.o $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CUNIT_LIBS)

$(BUILD)/tests/integration-tests: $(INTEG_OBJ) $(TESTLIB_OBJ) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CUNIT_LIBS)

# tests/clock.sh's guard against libfaketime's semaphore left taken
$(BUILD)/tests/clock-sem: $(BUILD)/tests/clock_sem.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# benchmarks: bench/*.sh build and run them (results in docs/BENCHMARKS.md);
# the load client watches its sockets with libuv (lws' foreign loop)
UV_CFLAGS := $(shell $(PKG_CONFIG) --cflags libuv 2>/dev/null)
UV_LIBS := $(shell $(PKG_CONFIG) --libs libuv 2>/dev/null)
$(BUILD)/bench/%.o: ALL_CPPFLAGS += $(UV_CFLAGS)
$(BUILD)/bench/%: $(BUILD)/bench/%.o $(BUILD)/bench/benchlib.o $(CORE_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(UV_LIBS)

# the notification benchmark receives with the tests' HTTP receiver
$(BUILD)/bench/notify_load: $(BUILD)/tests/lib/receiver.o
# the WebSocket load clients share their sockets' setup
$(BUILD)/bench/ws_load $(BUILD)/bench/relay_load: $(BUILD)/bench/wsclient.o
$(BUILD)/bench/relay_load: $(BUILD)/bench/relay_check.o

bench-bins: $(BENCH_BINS)
.PRECIOUS: $(BUILD)/bench/%.o

# Benchmarks on a throwaway stack: BENCH=fanout|e2e|all, see bench/run.sh.
bench: deps
	@$(MAKE) --no-print-directory all bench-bins
	@BUILD=$(BUILD) bench/run.sh $(BENCH)

# Fuzzing: fuzz/fuzz_NAME.c is one libFuzzer target per parser of outside
# input, linked against the code under test built with coverage (SAN=fuzz,
# clang only) in FUZZ_BUILD. fuzz/run.sh runs each over fuzz/corpus/NAME.
FUZZ_CC ?= clang
FUZZ_BUILD ?= build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_NAMES = $(basename $(notdir $(wildcard fuzz/fuzz_*.c)))
FUZZ_OBJ = $(FUZZ_NAMES:%=$(BUILD)/fuzz/%.o)
FUZZ_BINS = $(FUZZ_NAMES:%=$(BUILD)/%)
$(FUZZ_OBJ): ALL_CPPFLAGS += -Ipusher
$(BUILD)/fuzz_ws_after: $(BUILD)/pusher/after.o
$(FUZZ_BINS): $(BUILD)/%: $(BUILD)/fuzz/%.o $(CORE_LIB)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(CORE_LIB) $(LIBS)

fuzz-targets: $(FUZZ_BINS)
fuzz-bins:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) SAN=fuzz CC=$(FUZZ_CC) fuzz-targets
fuzz: deps fuzz-bins
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ)

# Installs the Debian packages that are missing (no-op when none is).
deps:
	@scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) STACK_LIVE=1 DIGEST_TIME=$(DIGEST_TIME) scripts/stack.sh start var

stop:
	@scripts/stack.sh stop var

# make test builds with both compilers without building anything twice:
# the normal build with CC (gcc), the ASan+UBSan build with clang (whose
# sanitizers also check what gcc's do not, e.g. C++ vptrs), and the fuzz
# targets, which need clang anyway. A third, plain clang build would only
# add minutes. `make test SAN_CC=gcc` runs the sanitizer pass with gcc's.
SAN_CC ?= clang
# the builds use every core the machine has (JOBS=1 for one at a time)
JOBS ?= $(shell nproc 2>/dev/null || echo 1)

test: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all tests
	@$(MAKE) --no-print-directory -j$(JOBS) BUILD=build/san SAN=1 CC=$(SAN_CC) all tests
	@$(MAKE) --no-print-directory -j$(JOBS) fuzz-bins
	@tests/run.sh

# the includes of core/ point down its layers (tests/run.sh runs it too)
check-layers:
	@scripts/check-layers.sh

# the clock moved for every process of a throwaway stack, moment by moment
test-clock: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all tests
	@SKIP_OPENAPI=1 SKIP_DEPLOY=1 SKIP_FUZZ=1 tests/run.sh clock

# the multi-host test: network namespaces with a primary, a replica, an
# SMTP server and two app hosts (tests/cluster/cluster.sh; root, ip, tc)
test-cluster: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all tests
	@SKIP_OPENAPI=1 SKIP_DEPLOY=1 SKIP_FUZZ=1 tests/run.sh cluster

install: all
	@DESTDIR="$(DESTDIR)" BINDIR="$(BINDIR)" DATADIR="$(DATADIR)" \
	  SYSCONFDIR="$(SYSCONFDIR)" UNITDIR="$(UNITDIR)" DOCDIR="$(DOCDIR)" \
	  SYSUSERSDIR="$(SYSUSERSDIR)" API_SOCKET="$(API_SOCKET)" \
	  PUSHER_SOCKET="$(PUSHER_SOCKET)" DIGEST_TIME="$(DIGEST_TIME)" BINS="$(BINS)" \
	  ADMIN="$(BUILD)/goldwatch-admin" \
	  NGINX_CONN_LIMIT="$(NGINX_CONN_LIMIT)" \
	  scripts/install.sh

uninstall:
	rm -f $(BINS:$(BUILD)/%=$(DESTDIR)$(BINDIR)/%)
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(UNITDIR)/goldwatch-* $(DESTDIR)$(SYSUSERSDIR)/goldwatch.conf
	rm -f $(DESTDIR)$(SYSCONFDIR)/nginx/sites-available/goldwatch
	rm -rf $(DESTDIR)$(SYSCONFDIR)/goldwatch/nginx

clean:
	rm -rf build

-include $(patsubst %.o,%.d,$(CORE_OBJ) $(API_OBJ) $(ADMIN_OBJ) $(PUSHER_OBJ) $(SCHEDULER_OBJ) \
	$(JOB_NAMES:%=$(BUILD)/jobs/%.o) $(TESTLIB_OBJ) $(UNIT_OBJ) $(INTEG_OBJ) $(FUZZ_OBJ))
