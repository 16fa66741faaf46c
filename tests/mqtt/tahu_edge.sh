#!/usr/bin/env bash
# Eclipse Tahu's JavaScript Edge Node client (npm sparkplug-client 3.2.4,
# pinned by tests/mqtt/tahu_edge/package-lock.json) as a live edge node
# against libtwin-mqtt's host, through a private mosquitto
# (tests/mqtt/test_sp_tahu_edge.c drives tests/mqtt/tahu_edge.mjs). The
# package is installed with `npm ci` into BUILD/tahu_edge_js/, never into
# the source tree, and reinstalled only when the lock file changes.
# Usage: tahu_edge.sh TEST_SP_TAHU_EDGE SOURCE_ROOT BUILD_DIR
# Exit 77 (skipped) when node or npm is missing or npm cannot install;
# with CI=true that is a failure (1).
set -euo pipefail
test=$(realpath "$1") root=$2 build=$(realpath "$3")
skip() {
    echo "tahu_edge: skipped: $*"
    [ "${CI:-}" = true ] && exit 1
    exit 77
}
command -v node >/dev/null || skip "node not found (Debian: nodejs)"
command -v npm >/dev/null || skip "npm not found (Debian: npm)"
js=$build/tahu_edge_js
mkdir -p "$js"
cp "$root/tests/mqtt/tahu_edge/package.json" "$root/tests/mqtt/tahu_edge/package-lock.json" \
   "$root/tests/mqtt/tahu_edge.mjs" "$js/"
if [ ! -d "$js/node_modules" ] || ! cmp -s "$js/package-lock.json" "$js/.installed-lock"; then
    if ! (cd "$js" && timeout 300 npm ci --no-audit --no-fund --loglevel=error >npm-ci.log 2>&1); then
        tail -n 5 "$js/npm-ci.log" >&2
        skip "npm ci of sparkplug-client 3.2.4 failed (registry unreachable?)"
    fi
    cp "$js/package-lock.json" "$js/.installed-lock"
fi
exec "$test" "$js"
