# mk/www.mk -- the browser UI.
#
#   make / make build    also install each module's pages: modules/<m>/www/
#                        is copied to www/m/<m>/ (generated, not in git),
#                        where nginx serves it and the shell imports
#                        m/<m>/index.js when the module's page is opened
#   make www-modules     only that
#   make www-vendor      the browser libraries of the shared components
#                        (SortableJS, FullCalendar, Chart.js), pinned in
#                        vendor/package-lock.json: npm ci into
#                        vendor/node_modules, then the few files the UI
#                        loads copied to www/vendor/ (generated, not in
#                        git); only the pages that use one load it
#   make e2e-deps        what the browser tests need: Debian's chromium
#                        (tools/deps.sh e2e) and playwright-core, pinned in
#                        tests/e2e/package-lock.json, in tests/e2e/node_modules
#                        (npm ci; never a browser download)
#   make www-stamp       write www/app.html (generated, not in git), the page
#                        nginx serves: www/index.html pointing at
#                        /v/<hash of www/>/..., which nginx serves from www/
#                        with `Cache-Control: immutable` (tools/www-stamp.sh)
#   make www-size        the first page's JS and CSS, in bytes (budget 200 KB)
#
# The UI itself (www/) needs no build step: plain ES modules and CSS.

# the modules' pages, and the test modules' (tests/modules/<m>/www/: the
# pages the core's browser tests drive; `make install` ships neither from
# here, it takes modules/<m>/www/ itself)
WWW_MODULES := $(notdir $(patsubst %/www,%,$(wildcard modules/*/www tests/modules/*/www)))
WWW_STAMPS  := $(WWW_MODULES:%=www/m/%/.installed)

.PHONY: www-modules www-vendor www-stamp e2e-deps e2e-packages www-size
build: www-modules www-vendor www-stamp

# A stamp per module, remade when any file or folder of its www/ is newer
# (a deleted file touches its folder); the copy is redone from scratch, so
# nothing stale stays behind.
www/m/%/.installed: $$(shell find modules/$$*/www tests/modules/$$*/www 2>/dev/null)
	@rm -rf www/m/$*
	@mkdir -p www/m/$*
	cp -R $(firstword $(wildcard modules/$*/www tests/modules/$*/www))/. www/m/$*/
	@touch $@

# Install every module's pages, and drop those of modules that are gone.
www-modules: $(WWW_STAMPS)
	@for d in www/m/*/; do \
		[ -d "$$d" ] || continue; \
		m=$${d#www/m/}; m=$${m%/}; \
		if [ ! -d "modules/$$m/www" ] && [ ! -d "tests/modules/$$m/www" ]; then \
			echo "rm -rf www/m/$$m"; rm -rf "www/m/$$m"; fi; \
	done

# The vendored libraries: what www/js/ui/vendor.js loads, by path under
# www/vendor/.  Each is a classic script defining one global (no bundler,
# no bare imports), plus FullCalendar's stylesheets (it injects none: the
# CSP allows no inline style) and its Russian locale.
VENDOR_STAMP := vendor/node_modules/.package-lock.json
VENDOR_FILES := \
	sortablejs/Sortable.min.js:sortable/Sortable.min.js \
	sortablejs/LICENSE:sortable/LICENSE \
	fullcalendar/all/global.js:fullcalendar/global.js \
	fullcalendar/locales/ru/global.js:fullcalendar/ru.js \
	fullcalendar/themes/classic/global.js:fullcalendar/classic.js \
	fullcalendar/skeleton.css:fullcalendar/skeleton.css \
	fullcalendar/themes/classic/theme.css:fullcalendar/theme.css \
	fullcalendar/themes/classic/palette.css:fullcalendar/palette.css \
	fullcalendar/LICENSE.md:fullcalendar/LICENSE.md \
	chart.js/dist/chart.umd.min.js:chart/chart.umd.min.js \
	chart.js/LICENSE.md:chart/LICENSE.md

$(VENDOR_STAMP): vendor/package.json vendor/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: run tools/deps.sh (Debian: apt-get install npm)" >&2; exit 1; }
	cd vendor && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Redone from scratch when the packages change, so nothing stale stays.
www/vendor/.installed: $(VENDOR_STAMP) mk/www.mk
	@rm -rf www/vendor
	@for f in $(VENDOR_FILES); do \
		mkdir -p "www/vendor/$$(dirname "$${f#*:}")" && \
		cp "vendor/node_modules/$${f%%:*}" "www/vendor/$${f#*:}" || exit 1; \
	done
	@echo "installed www/vendor/ from vendor/package-lock.json"
	@touch $@

www-vendor: www/vendor/.installed

# After everything under www/ is in place: the stamp hashes it all.
www-stamp: www-modules www-vendor
	@tools/www-stamp.sh

E2E_STAMP := tests/e2e/node_modules/.package-lock.json

$(E2E_STAMP): tests/e2e/package.json tests/e2e/package-lock.json | e2e-packages
	@command -v npm >/dev/null || { echo "npm not found: install Node.js with npm (Debian: apt-get install npm)" >&2; exit 1; }
	cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# chromium (Debian's) and the npm packages; `make test` runs the browser
# tests after the API tests (tools/test.sh).  Without root, a missing
# chromium is reported (with the apt-get line) and the browser tests are
# skipped; in CI it is installed or the run fails.
# The packages after deps (never two apt-gets at once under -j), npm ci
# after them (tools/deps.sh e2e installs npm where it is missing).
e2e-packages: deps
	@tools/deps.sh e2e || [ "$${CI:-}" != true ]
e2e-deps: $(E2E_STAMP)
test: e2e-deps

# What the login page loads before any lazy import: index.html, the CSS
# and the static import graph of js/app.js.
www-size:
	@node tests/e2e/www-size.mjs
