# make install -- the server, its modules and the module developer kit:
#
#   $(PREFIX)/bin/kedr
#   $(PREFIX)/lib/kedr/modules/<name>.so       every module of modules/
#   $(PREFIX)/lib/kedr/modules/<name>/sql/...  its resources (sql/, www/):
#                                              the core looks for them in
#                                              <dir>/<name>/ next to the .so
#   $(PREFIX)/include/kedr/kedr.h              the one header a module needs
#   $(PREFIX)/lib/pkgconfig/kedr.pc            `pkg-config --cflags --libs
#                                              kedr`; variable moduledir
#   $(PREFIX)/etc/kedr/kedr.conf               conf/kedr.conf with
#                                              modules.path = moduledir and
#                                              database.url = "dbname=kedr"
#                                              (not make run's var/pg/run;
#                                              kept if it already exists)
#
#   make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage]
#   make uninstall [PREFIX=...] [DESTDIR=...]   (keeps etc/kedr/kedr.conf)
#
# A module built out of tree (see modules/hello/README.md):
#   cc $(pkg-config --cflags kedr) -fPIC -shared -fvisibility=hidden \
#      -Wl,-z,defs -o hello.so hello.c $(pkg-config --libs kedr)
# tests/install/run.sh checks all of this.

PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR      = $(PREFIX)/bin
LIBDIR      = $(PREFIX)/lib
MODULEDIR   = $(LIBDIR)/kedr/modules
INCLUDEDIR  = $(PREFIX)/include
PKGCONFDIR  = $(LIBDIR)/pkgconfig
SYSCONFDIR  = $(PREFIX)/etc
INSTALL    ?= install

KEDR_VERSION := $(shell sed -n 's/^\#define KEDR_VERSION "\(.*\)"$$/\1/p' core/core.h)
KEDR_ABI     := $(shell sed -n 's/^\#define KEDR_ABI_MAJOR \([0-9]*\)$$/\1/p' core/kedr.h).$(shell \
                  sed -n 's/^\#define KEDR_ABI_MINOR \([0-9]*\)$$/\1/p' core/kedr.h)

.PHONY: install uninstall
install: build
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MODULEDIR) \
		$(DESTDIR)$(INCLUDEDIR)/kedr $(DESTDIR)$(PKGCONFDIR) \
		$(DESTDIR)$(SYSCONFDIR)/kedr
	$(INSTALL) -m 755 $(B)/kedr $(DESTDIR)$(BINDIR)/kedr
	$(INSTALL) -m 644 core/kedr.h $(DESTDIR)$(INCLUDEDIR)/kedr/kedr.h
	@set -e; for m in $(MODULES); do \
		echo "install module $$m"; \
		$(INSTALL) -m 755 $(B)/modules/$$m.so $(DESTDIR)$(MODULEDIR)/$$m.so; \
		rm -rf $(DESTDIR)$(MODULEDIR)/$$m; \
		$(INSTALL) -d $(DESTDIR)$(MODULEDIR)/$$m; \
		for f in $$(cd modules/$$m && find sql www -type f 2>/dev/null | sort); do \
			$(INSTALL) -D -m 644 modules/$$m/$$f $(DESTDIR)$(MODULEDIR)/$$m/$$f; \
		done; \
	done
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
		-e 's|@MODULEDIR@|$(MODULEDIR)|g' -e 's|@VERSION@|$(KEDR_VERSION)|g' \
		-e 's|@ABI@|$(KEDR_ABI)|g' \
		tools/kedr.pc.in >$(DESTDIR)$(PKGCONFDIR)/kedr.pc
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/kedr/kedr.conf ]; then \
		echo "keep $(DESTDIR)$(SYSCONFDIR)/kedr/kedr.conf"; \
	else \
		echo "install $(DESTDIR)$(SYSCONFDIR)/kedr/kedr.conf"; \
		sed -e 's|^\(  *path *= *\)\[ *"build/modules" *\];|\1[ "$(MODULEDIR)" ];|' \
			-e 's|^\(  *url *= *\)"host=var/pg/run [^"]*";|\1"dbname=kedr";|' \
			conf/kedr.conf >$(DESTDIR)$(SYSCONFDIR)/kedr/kedr.conf; \
		grep -q '"$(MODULEDIR)"' $(DESTDIR)$(SYSCONFDIR)/kedr/kedr.conf || \
			{ echo "install: modules.path not found in conf/kedr.conf" >&2; exit 1; }; \
		grep -q '^ *url = "dbname=kedr";' $(DESTDIR)$(SYSCONFDIR)/kedr/kedr.conf || \
			{ echo "install: database.url (make run's var/pg/run) not found in conf/kedr.conf" >&2; exit 1; }; \
	fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kedr $(DESTDIR)$(INCLUDEDIR)/kedr/kedr.h \
		$(DESTDIR)$(PKGCONFDIR)/kedr.pc
	-rmdir $(DESTDIR)$(INCLUDEDIR)/kedr 2>/dev/null
	@for m in $(MODULES); do \
		rm -rf $(DESTDIR)$(MODULEDIR)/$$m.so $(DESTDIR)$(MODULEDIR)/$$m; \
	done
	-rmdir $(DESTDIR)$(MODULEDIR) $(DESTDIR)$(LIBDIR)/kedr 2>/dev/null
