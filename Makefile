# Kedr -- build, run and test.
#
#   make            build the server, the modules and the tests
#   make build      build the server and the modules only
#   make run        install what is missing, build, start PostgreSQL,
#                   kedr and nginx under var/ on http://127.0.0.1:8080/;
#                   the first time, demo data (tools/demo.mjs: a generated
#                   Salesforce export through `kedr migrate salesforce`)
#                   and the demo logins (var/*-password)
#   make stop       stop what `make run` started
#   make test       unit tests (cmocka) and API tests (node) against a
#                   throw-away stack
#
# Variables: PORT (make run), CC, CFLAGS_EXTRA, B (build directory).

B          ?= build
CC         ?= cc
PKGS        = jansson libconfig libpq libsodium xlsxwriter libzip
# Evaluated when make reads this file: on a fresh machine that is before
# tools/deps.sh has installed the -dev packages, so the targets that run
# deps.sh (run, test) build in a sub-make, which reads it again after.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
          -Wformat=2 -Wcast-qual -Wno-format-nonliteral -fno-common -Werror
CFLAGS ?= -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(CFLAGS_EXTRA) \
             $(SRC_DIRS:%=-I%) $(PKG_CFLAGS) -MMD -MP
LDLIBS_CORE = -lfcgi -lcsv $(PKG_LIBS) -ldl

# The server: core/ (process model, FastCGI, router, request, database,
# arena, config, module loader, the kit, identity, CSV/XLSX I/O),
# core/builtin/ (the built-in modules: administration, attribute
# definitions, saved views; kedr.h only), lib/ (pure parsing, CSV,
# Russian requisites) and migrate/salesforce/ (the data migration).
SRC_DIRS  := core core/builtin lib migrate/salesforce
CORE_SRC  := $(filter-out core/main.c,$(wildcard $(SRC_DIRS:%=%/*.c)))
CORE_OBJ  := $(CORE_SRC:%.c=$(B)/%.o) $(B)/core/core_sql.o
CORE_SQL  := $(sort $(wildcard core/sql/*.sql))
# core/builtin/: the built-in modules, built against kedr.h alone (below)
BUILTIN_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard core/builtin/*.c))

# modules/<name>/*.c -> $(B)/modules/<name>.so (+ $(B)/modules/<name> -> its folder)
MODULES      := $(notdir $(patsubst %/,%,$(dir $(wildcard modules/*/*.c))))
MODULE_SOS   := $(sort $(MODULES:%=$(B)/modules/%.so))
TEST_MODULES := $(notdir $(patsubst %/,%,$(dir $(wildcard tests/modules/*/*.c))))
TEST_MOD_SOS := $(sort $(TEST_MODULES:%=$(B)/tests/modules/%.so))
UNIT_SRC     := $(wildcard tests/unit/test_*.c)
UNIT_BINS    := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/unit/%)
# a module's own unit test: modules/<m>/tests/test_<m>.c -> test_mod_<m>
MOD_UNIT_SRC := $(wildcard modules/*/tests/test_*.c)
UNIT_BINS    += $(foreach f,$(MOD_UNIT_SRC),$(B)/tests/unit/test_mod_$(patsubst test_%.c,%,$(notdir $(f))))

MOD_CFLAGS  = -fPIC -fvisibility=hidden
MOD_LDFLAGS = -shared -Wl,-z,defs
MOD_LIBS   := $(shell pkg-config --libs jansson 2>/dev/null)

.PHONY: all build deps run stop test clean
.DEFAULT_GOAL := all
# build: what a server needs; all: that and the tests
build: $(B)/kedr $(MODULE_SOS)
all: build $(TEST_MOD_SOS) $(UNIT_BINS)

$(B)/kedr: $(B)/core/main.o $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_CORE)

$(filter-out $(BUILTIN_OBJ),$(CORE_SRC:%.c=$(B)/%.o)) $(B)/core/main.o: \
		$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The built-in modules (core/builtin/) see kedr.h and nothing else of the
# core, as a module in modules/ does: their include path holds a copy of
# kedr.h alone (and lib/, the pure library), so an #include "core.h"
# there fails the build.
BUILTIN_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(CFLAGS_EXTRA) \
                 -I$(B)/include -Ilib $(PKG_CFLAGS) -MMD -MP

$(B)/include/kedr.h: core/kedr.h
	@mkdir -p $(@D)
	cp $< $@

$(BUILTIN_OBJ): $(B)/%.o: %.c $(B)/include/kedr.h
	@mkdir -p $(@D)
	$(CC) $(BUILTIN_CFLAGS) -c -o $@ $<

$(B)/core/core_sql.c: $(CORE_SQL) tools/embed-sql.sh
	@mkdir -p $(@D)
	sh tools/embed-sql.sh $@ $(CORE_SQL)

$(B)/core/core_sql.o: $(B)/core/core_sql.c
	$(CC) -std=c11 $(CFLAGS) -c -o $@ $<

# one shared object per module folder; the link pulls in every .c there
.SECONDEXPANSION:
$(B)/modules/%.so: $$(wildcard modules/%/*.c) core/kedr.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(MOD_CFLAGS) $(MOD_LDFLAGS) -o $@ \
		$(filter %.c,$^) $(MOD_LIBS)
	@ln -sfn ../../modules/$* $(B)/modules/$*

$(B)/tests/modules/%.so: $$(wildcard tests/modules/%/*.c) core/kedr.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(MOD_CFLAGS) $(MOD_LDFLAGS) -o $@ \
		$(filter %.c,$^) $(MOD_LIBS)
	@ln -sfn ../../../tests/modules/$* $(B)/tests/modules/$*

# a module's logic (modules/<m>/tests/test_<m>.c) against the fake
# kedr_api (tests/unit/fake_api.c): the module's sources only, no core
# objects; the shorter stem wins over the rule below
$(B)/tests/unit/test_mod_%: modules/$$*/tests/test_$$*.c tests/unit/fake_api.c \
		tests/unit/fake_api.h $$(wildcard modules/%/*.c) core/kedr.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< tests/unit/fake_api.c -lcmocka $(MOD_LIBS)

$(B)/tests/unit/%: tests/unit/%.c $(CORE_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(CORE_OBJ) -lcmocka $(LDLIBS_CORE)

deps:
	@tools/deps.sh

# deps first, then the build in a sub-make (see PKG_CFLAGS above); --dev:
# kedr runs with var/kedr.conf, conf/kedr.conf without the Secure cookie
# (plain HTTP on 127.0.0.1)
run: deps
	@$(MAKE) --no-print-directory build
	@tools/stack.sh up var --conf conf/kedr.conf --dev $(if $(PORT),--port $(PORT))
	@node tools/demo.mjs var

stop:
	@tools/stack.sh down var

test: deps
	@$(MAKE) --no-print-directory all
	@tools/test.sh

clean:
	rm -rf build build-*

# Quality gates and other tooling, one file each (mk/asan.mk, mk/fuzz.mk,
# ...), so each can grow without touching the others.
include $(wildcard mk/*.mk)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
