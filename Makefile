# procaudit build.  Plain GNU make; see README.md.
#
#   make            build build/procaudit and build/procauditd
#   make demo       the main job on the embedded default (private PostgreSQL under ./var)
#   make check      the whole test suite (unit + integration against a private PostgreSQL)
#   make SANITIZE=address,undefined check    the same under ASan/UBSan
#   make bench-ingest | bench-indicators | bench-reports    long benchmarks (not in check)

CC      ?= cc
PKGS    := libpq libxml-2.0 yajl libunibreak libsystemd libmicrohttpd
WARN    := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wmissing-declarations \
           -Wshadow -Wpointer-arith -Wcast-qual -Wformat=2 -Wundef -Wvla
OPT     ?= -O2 -g
CFLAGS  += -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) $(WARN) -fno-strict-aliasing
ifeq ($(CI),true)
CFLAGS  += -Werror
endif
ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libharu ships no .pc file on Debian: probe, then fall back to -lhpdf.
HPDF_LIBS  = $(shell pkg-config --libs libhpdf 2>/dev/null || echo -lhpdf)
CPPFLAGS += -Ibackend -Ireports $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) $(HPDF_LIBS) -lm -lcrypto

B := build
# The core library: every module under backend/ and reports/ except the two front-ends.
LIB_SRC  := $(sort $(wildcard backend/*.c backend/*/*.c reports/*.c))
LIB_SRC  := $(filter-out backend/cli/% backend/daemon/%,$(LIB_SRC))
CLI_SRC  := $(sort $(wildcard backend/cli/*.c))
DMN_SRC  := $(sort $(wildcard backend/daemon/*.c))
DMN_MAIN := backend/daemon/main.c
DMN_LIB  := $(filter-out $(DMN_MAIN),$(DMN_SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/%.o)
DMN_OBJ  := $(DMN_SRC:%.c=$(B)/%.o)
DMN_LIB_OBJ := $(DMN_LIB:%.c=$(B)/%.o)
LIB      := $(B)/libprocaudit.a

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
INTG_SRC := $(sort $(wildcard tests/integration/test_*.c))
TEST_HELP:= $(sort $(wildcard tests/common/*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
INTG_BIN := $(INTG_SRC:tests/integration/%.c=$(B)/tests/%)
TEST_HELP_OBJ := $(TEST_HELP:%.c=$(B)/%.o)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(B)/bench/%)

.PHONY: all deps demo check unit integration clean distclean pg-start pg-stop lint fuzz \
        bench-ingest bench-indicators bench-reports bench-read
all: $(B)/procaudit $(B)/procauditd

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(B)/procaudit: $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(B)/procauditd: $(DMN_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(DMN_OBJ) $(LIB) $(LDLIBS)

# Tests link the core library (and the daemon's modules, minus its main) and cmocka.
$(B)/tests/%: tests/unit/%.c $(LIB) $(DMN_LIB_OBJ) $(TEST_HELP_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/common -Ibackend/daemon $(CFLAGS) -o $@ $< $(TEST_HELP_OBJ) $(DMN_LIB_OBJ) $(LIB) $(LDFLAGS) $(LDLIBS) -lcmocka
$(B)/tests/%: tests/integration/%.c $(LIB) $(DMN_LIB_OBJ) $(TEST_HELP_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/common -Ibackend/daemon $(CFLAGS) -o $@ $< $(TEST_HELP_OBJ) $(DMN_LIB_OBJ) $(LIB) $(LDFLAGS) $(LDLIBS) -lcmocka
$(B)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

deps:
	@scripts/deps.sh

# --- the private PostgreSQL cluster (./var/pg, Unix socket only) ---
pg-start:
	@scripts/pg.sh start
pg-stop:
	@scripts/pg.sh stop

# --- the two README commands ---
demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(INTG_BIN)
	@scripts/check.sh $(UNIT_BIN) -- $(INTG_BIN)

unit: $(UNIT_BIN)
	@scripts/check.sh $(UNIT_BIN) --

integration: all $(INTG_BIN)
	@scripts/check.sh -- $(INTG_BIN)

lint:
	@scripts/lint.sh && echo 'lint: ok'

bench-ingest: all
	@bench/ingest
bench-indicators: all
	@bench/indicators
bench-reports: all $(BENCH_BIN)
	@bench/reports
bench-read: $(B)/bench/read_ocds
	@bench/read

clean:
	rm -rf $(B)
distclean: clean
	-scripts/pg.sh destroy
	rm -rf var

-include $(shell find $(B) -name '*.d' 2>/dev/null)
