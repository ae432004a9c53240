# goldwatch - alerts and notifications for a gold shop.
#
#   make            build everything into build/
#   make run        install what is missing, build, start the private stack
#   make stop       stop what make run started
#   make test       install what is missing, build, run every test
#                   (also the whole suite built with ASan + UBSan)
#   make bench      build the load clients, run bench/run.sh (see docs/BENCHMARKS.md)
#   make install    DESTDIR, PREFIX as usual
#   make clean
#
# Local overrides go in Makefile.local (not in git).

PKG_CONFIG ?= pkg-config
CC ?= cc
CXX ?= g++
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
DIGEST_TIME ?= 07:00
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

PKGS = fcgi libpq libctemplate libcurl libwebsockets jansson libsodium
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEP_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CUNIT_LIBS := $(shell $(PKG_CONFIG) --libs cunit 2>/dev/null)

ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=all
endif

ALL_CPPFLAGS = -Icore -Icgi -Itests/lib -D_GNU_SOURCE -DGW_DATADIR='"$(DATADIR)"' $(DEP_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS = -std=c11 -pthread -MMD -MP $(WARN) $(SANFLAGS) $(CFLAGS)
ALL_CXXFLAGS = -std=c++11 -pthread -MMD -MP $(CXXWARN) $(SANFLAGS) $(CXXFLAGS)
ALL_LDFLAGS = -pthread $(SANFLAGS) $(LDFLAGS)
LIBS = $(DEP_LIBS) -lstdc++ -lm

-include Makefile.local

CORE_SRC = $(wildcard core/*.c)
CORE_OBJ = $(CORE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/core/tpl.o
CORE_LIB = $(BUILD)/libgoldwatch.a

API_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard cgi/*.c))
ADMIN_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard admin/*.c))
JOB_NAMES = $(basename $(notdir $(wildcard jobs/*.c)))
JOB_BINS = $(JOB_NAMES:%=$(BUILD)/goldwatch-%)
PUSHER_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard pusher/*.c))

BINS = $(BUILD)/goldwatch-api $(BUILD)/goldwatch-admin $(JOB_BINS)
ifneq ($(PUSHER_OBJ),)
BINS += $(BUILD)/goldwatch-pusher
endif

TESTLIB_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/lib/*.c))
UNIT_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/unit/*.c))
INTEG_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/integration/*.c))
# handlers the unit tests exercise directly (all of cgi but its main)
API_LIB_OBJ = $(filter-out $(BUILD)/cgi/main.o,$(API_OBJ))
TEST_BINS = $(BUILD)/tests/unit-tests $(BUILD)/tests/integration-tests
BENCH_BINS = $(patsubst bench/%.c,$(BUILD)/bench/%,$(filter-out bench/benchlib.c,$(wildcard bench/*.c)))

.PHONY: all deps run stop test check-tests tests bench bench-bins install uninstall clean
.DEFAULT_GOAL := all

all: $(BINS)

tests: $(TEST_BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/core/tpl.o: core/tpl.cc
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

$(BUILD)/goldwatch-%: $(BUILD)/jobs/%.o $(CORE_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/unit-tests: $(UNIT_OBJ) $(TESTLIB_OBJ) $(API_LIB_OBJ) $(BUILD)/pusher/ring.o $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CUNIT_LIBS)

$(BUILD)/tests/integration-tests: $(INTEG_OBJ) $(TESTLIB_OBJ) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CUNIT_LIBS)

# benchmarks: bench/*.sh build and run them (results in docs/BENCHMARKS.md);
# the load client watches its sockets with libuv (lws' foreign loop)
UV_CFLAGS := $(shell $(PKG_CONFIG) --cflags libuv 2>/dev/null)
UV_LIBS := $(shell $(PKG_CONFIG) --libs libuv 2>/dev/null)
$(BUILD)/bench/%.o: ALL_CPPFLAGS += $(UV_CFLAGS)
$(BUILD)/bench/%: $(BUILD)/bench/%.o $(BUILD)/bench/benchlib.o $(CORE_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(UV_LIBS)

bench-bins: $(BENCH_BINS)
.PRECIOUS: $(BUILD)/bench/%.o

# Benchmarks on a throwaway stack: BENCH=fanout|e2e|all, see bench/run.sh.
bench: deps
	@$(MAKE) --no-print-directory all bench-bins
	@BUILD=$(BUILD) bench/run.sh $(BENCH)

# Installs the Debian packages that are missing (no-op when none is).
deps:
	@scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) scripts/stack.sh start var

stop:
	@scripts/stack.sh stop var

test: deps
	@$(MAKE) --no-print-directory all tests
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 all tests
	@tests/run.sh

install: all
	@DESTDIR="$(DESTDIR)" BINDIR="$(BINDIR)" DATADIR="$(DATADIR)" \
	  SYSCONFDIR="$(SYSCONFDIR)" UNITDIR="$(UNITDIR)" DOCDIR="$(DOCDIR)" \
	  SYSUSERSDIR="$(SYSUSERSDIR)" API_SOCKET="$(API_SOCKET)" \
	  PUSHER_SOCKET="$(PUSHER_SOCKET)" DIGEST_TIME="$(DIGEST_TIME)" BINS="$(BINS)" \
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

-include $(patsubst %.o,%.d,$(CORE_OBJ) $(API_OBJ) $(ADMIN_OBJ) $(PUSHER_OBJ) \
	$(JOB_NAMES:%=$(BUILD)/jobs/%.o) $(TESTLIB_OBJ) $(UNIT_OBJ) $(INTEG_OBJ))
