#!/usr/bin/env bash
# tools/check-includes passes on the tree, and fails on a copy with one
# include across a forbidden arrow (impact reaching into the graph's private
# layout), with a cycle in the table, and with an unlisted module.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/tools/check-includes" "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails() {  # the checker must refuse the copy, naming $1
    if out=$("$root/tools/check-includes" "$tmp/t" 2>&1); then
        echo "check-includes accepted: $2" >&2; exit 1
    fi
    grep -q "$1" <<<"$out" || { echo "check-includes did not name '$1': $out" >&2; exit 1; }
}
fresh() {
    rm -rf "$tmp/t"
    mkdir -p "$tmp/t"
    cp -r "$root/lib" "$root/include" "$root/docs" "$tmp/t/"
}
fresh
sed -i '1i #include "graph/graph_int.h"' "$tmp/t/lib/impact/impact.c"
fails 'no arrow impact -> graph/graph_int.h' 'impact including graph_int.h'
fresh
sed -i '1i #include "ingest/state.h"' "$tmp/t/lib/outbox/store.c"
fails 'no arrow outbox -> ingest/state.h' 'the store reaching up into ingest'
fresh
sed -i '1i #include "twin/twin.h"' "$tmp/t/lib/graph/graph.c"
fails 'twin/twin.h' 'the umbrella header in lib/'
fresh
sed -i 's/^graph   : core util$/graph   : core util ingest/' "$tmp/t/docs/architecture.md"
fails 'cycle' 'a cycle graph -> ingest -> graph'
fresh
mkdir "$tmp/t/lib/newmod" && echo '/* x */' >"$tmp/t/lib/newmod/x.c"
fails 'lib/newmod' 'a module the table does not list'
echo "arrows: the tree passes; five broken copies are refused"
