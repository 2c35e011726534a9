#!/usr/bin/env bash
# tools/www-stamp.sh -- write www/app.html, the page nginx serves for the UI:
# www/index.html with every path it names moved under /v/<stamp>/.
#
#   tools/www-stamp.sh          (make runs it after installing www/m/ and
#                                www/vendor/)
#
# <stamp> is a hash of the names and contents of every file under www/, so
# it changes with any change there; nginx serves www/ under /v/<stamp>/
# with a year's immutable caching (nginx.conf.example), and the page's
# modules reach the rest relative to their own URL (import.meta.url), so
# a reload asks the server for the page only.  The file is rewritten only
# when it changes.

set -euo pipefail
cd "$(dirname "$0")/.."

src=www/index.html
out=www/app.html
stamp=$(find www -type f ! -path "$out" ! -name .installed -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
sed -E "s#(href|src)=\"/#\\1=\"/v/$stamp/#g" "$src" >"$tmp"
grep -q "/v/$stamp/js/app.js" "$tmp" || { echo "$0: no /js/app.js in $src" >&2; exit 1; }
if ! cmp -s "$tmp" "$out"; then
    chmod 644 "$tmp"
    mv "$tmp" "$out"
    echo "www/app.html: stamp $stamp"
fi
