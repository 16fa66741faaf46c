#!/usr/bin/env bash
# Interoperability with Eclipse Tahu's JavaScript codec (npm
# sparkplug-payload 1.0.3, pinned by bench/sparkplug_js/package-lock.json),
# both ways (tests/mqtt/tahu_interop.mjs). The package is installed with
# `npm ci` into BUILD/tahu_js/, never into the source tree.
# Usage: tahu_interop.sh SP_INTEROP SOURCE_ROOT BUILD_DIR
# Exit 77 (skipped) when node or npm is missing or npm cannot install;
# with CI=true that is a failure (1).
set -euo pipefail
tool=$(realpath "$1") root=$2 build=$(realpath "$3")
skip() {
    echo "tahu_interop: skipped: $*"
    [ "${CI:-}" = true ] && exit 1
    exit 77
}
command -v node >/dev/null || skip "node not found (Debian: nodejs)"
command -v npm >/dev/null || skip "npm not found (Debian: npm)"
js=$build/tahu_js
mkdir -p "$js"
cp "$root/bench/sparkplug_js/package.json" "$root/bench/sparkplug_js/package-lock.json" \
   "$root/tests/mqtt/tahu_interop.mjs" "$js/"
if [ ! -d "$js/node_modules" ] || ! cmp -s "$js/package-lock.json" "$js/.installed-lock"; then
    if ! (cd "$js" && timeout 300 npm ci --no-audit --no-fund --loglevel=error >npm-ci.log 2>&1); then
        tail -n 5 "$js/npm-ci.log" >&2
        skip "npm ci failed (offline?)"
    fi
    cp "$js/package-lock.json" "$js/.installed-lock"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$js"
node tahu_interop.mjs "$tool" "$work"
