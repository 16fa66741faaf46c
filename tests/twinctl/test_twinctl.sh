#!/usr/bin/env bash
# twinctl end to end, on the factory demo and on broken input:
#   test_twinctl.sh TWINCTL SOURCE_ROOT
# validate (the factory models; a broken model: FILE:LINE:COLUMN lines),
# import/export round trips, a twin that breaks its model, impact on the
# plant, DOT output, --help everywhere, and that examples/factory/plant.ndjson
# is what its generator writes.
set -euo pipefail
twinctl=$1
root=$2
here=$root/tests/twinctl
factory=$root/examples/factory
plant=$factory/plant.ndjson
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "not ok - $*"; }
check() {  # check DESCRIPTION COMMAND...: the command must succeed
    local what=$1
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}
not() { ! "$@"; }
# run EXPECTED_STATUS OUT ERR ARGS...: twinctl ARGS with stdout in OUT and
# stderr in ERR; fails the test when the exit status is not EXPECTED_STATUS.
run() {
    local want=$1 out=$2 err=$3 got=0
    shift 3
    "$twinctl" "$@" >"$out" 2>"$err" || got=$?
    if [ "$got" -ne "$want" ]; then
        echo "twinctl $* exited $got, expected $want; stderr:"
        sed 's/^/    /' "$err"
        return 1
    fi
}

# ---- validate
check "validate: the factory models resolve (exit 0)" \
    run 0 "$tmp/out" "$tmp/err" validate "$factory/models"
check "validate: it says so" grep -q "11 files, 11 interfaces: every model resolves" "$tmp/out"
json_empty() { [ "$("$twinctl" validate --json "$factory/models")" = "[]" ]; }
check "validate --json: [] for the factory models" json_empty

cp "$here/data/broken_model.json" "$tmp/broken.json"
check "validate: a broken model exits 1" run 1 "$tmp/out" "$tmp/err" validate "$tmp/broken.json"
grep -v '^twinctl validate: ' "$tmp/err" >"$tmp/diags"
editor_form() { [ -s "$1" ] && ! grep -Ev '^[^:]+:[0-9]+:[0-9]+: error [A-Za-z0-9_.]+: .+$' "$1"; }
check "validate: every error line is FILE:LINE:COLUMN: error CODE: MESSAGE" editor_form "$tmp/diags"
check "validate: the bad schema is reported on its line (7) and column (55)" \
    grep -q "^$tmp/broken.json:7:55: error idRefBadDtmiOrTerm: 'doubel'" "$tmp/diags"
check "validate: the bad name is reported on its line (8)" \
    grep -q "^$tmp/broken.json:8:[0-9]*: error stringInvalid: name '_bad'" "$tmp/diags"
check "validate: the summary counts 2 errors" grep -q "^twinctl validate: 2 errors$" "$tmp/err"
check "validate --json on a broken model exits 1" \
    run 1 "$tmp/json" "$tmp/err" validate --json "$tmp/broken.json" "$factory/models"
check "validate --json: an array of the same errors, with file, line, column, code" \
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [(x["line"], x["code"]) for x in d] == [(7, "idRefBadDtmiOrTerm"), (8, "stringInvalid")], d
assert all(x["file"].endswith("broken.json") and x["column"] > 0 and x["message"] for x in d)
' "$tmp/json"
check "validate: a missing file is an error with the others" \
    run 1 "$tmp/out" "$tmp/err" validate "$factory/models" "$tmp/missing.json"
check "validate: ... reported as FILE: error twin.io" \
    grep -q "^$tmp/missing.json: error twin.io: cannot open" "$tmp/err"
check "validate --max-dtdl-version 2 refuses the v3 models" \
    run 1 "$tmp/out" "$tmp/err" validate --max-dtdl-version 2 "$factory/models"

# ---- import and export
check "import: the plant, every twin, no error (exit 0)" \
    run 0 "$tmp/store.ndjson" "$tmp/err" import -o - "$plant"
check "import: summary of the plant" \
    grep -Eq "^twinctl import: .*: 11 models, 261 twins and 469 relationships imported in [0-9.]+ s$" \
    "$tmp/err"
check "import then export: the plant byte for byte (it is in normal form)" \
    cmp "$plant" "$tmp/store.ndjson"
export_same() { "$twinctl" export "$1" -o "$tmp/export.ndjson" && cmp "$1" "$tmp/export.ndjson"; }
check "export of the store: byte for byte again" export_same "$tmp/store.ndjson"

# Not in normal form: spaces, blank lines, CRLF, key order, escapes, 1e2,
# $etag, $metadata details, an array of models, relationships out of order.
sed 's/$/\r/' "$here/data/messy.ndjson" >"$tmp/messy.ndjson"
check "import: a file not in normal form" run 0 "$tmp/messy.out" "$tmp/err" import -o - "$tmp/messy.ndjson"
check "import then export: equal as JSON, modulo the documented normalisation" \
    python3 "$here/ndjson_equal.py" "$tmp/messy.ndjson" "$tmp/messy.out"
check "import then export of the result: byte for byte" export_same "$tmp/messy.out"
check "normal form: int64 kept exactly, doubles stay doubles, components get \$metadata {}" \
    grep -qF '"x":100.0,"tags":["ü\"\\\n/","😀"],"limits":{"k1":9007199254740993,"k2":-5},"on":true,"plate":{"$metadata":{},"maker":"ACME"}}' \
    "$tmp/messy.out"

# A twin that breaks its model (a string for an integer), one with a bad
# component value, a relationship the source's model does not have.
python3 - "$plant" "$tmp/bad.ndjson" <<'EOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
for i, l in enumerate(lines):
    if l.startswith('{"$dtId":"L1-ST03","$metadata"'):
        d = json.loads(l); d["stationNumber"] = "three"; lines[i] = json.dumps(d)
    if l.startswith('{"$dtId":"L2-CV01-M","$metadata"'):
        d = json.loads(l); d["nameplate"]["ratedPower"] = "high"; lines[i] = json.dumps(d)
lines.append('{"$dtId":"L1-ST01","$relationshipId":"x","$targetId":"L1-ST02","$relationshipName":"drives"}')
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(lines) + "\n")
EOF
bad_line=$(grep -n '^{"$dtId": "L1-ST03"' "$tmp/bad.ndjson" | cut -d: -f1)
motor_line=$(grep -n '^{"$dtId": "L2-CV01-M"' "$tmp/bad.ndjson" | cut -d: -f1)
last_line=$(wc -l <"$tmp/bad.ndjson")
check "import: twins that break the model: exit 1, the rest written" \
    run 1 "$tmp/bad.out" "$tmp/err" import -o - "$tmp/bad.ndjson"
check "import: the bad twin is reported with its line ($bad_line)" \
    grep -q "^$tmp/bad.ndjson:$bad_line:1: error twin.modelViolation: twin 'L1-ST03': property 'stationNumber': expected a 32-bit integer$" \
    "$tmp/err"
check "import: the bad component value too (line $motor_line)" \
    grep -q "^$tmp/bad.ndjson:$motor_line:1: error twin.modelViolation: twin 'L2-CV01-M': property 'ratedPower'" \
    "$tmp/err"
check "import: the relationship the model lacks (line $last_line)" \
    grep -q "^$tmp/bad.ndjson:$last_line:1: error twin.modelViolation: relationship 'x' of 'L1-ST01': .* has no relationship 'drives'$" \
    "$tmp/err"
check "import: the relationships of the rejected twins are reported as such" \
    grep -q "error twin.unknownTwin: relationship 'L1-ST03-feeds-L1-CV03' of 'L1-ST03': source twin 'L1-ST03' not found" \
    "$tmp/err"
check "import: the rest is imported (259 of 261 twins)" \
    grep -q "259 twins and .* relationships imported" "$tmp/err"
count_twins() { [ "$(grep -c '"$metadata":{"$model":' "$1")" -eq "$2" ]; }
check "import: and written" count_twins "$tmp/bad.out" 259
check "export refuses a store with errors" run 1 "$tmp/out" "$tmp/err" export "$tmp/bad.ndjson"
printf '{"Section": "Twins"}\n{"Section": "Models"}\n' >"$tmp/order.ndjson"
check "import: sections out of order: exit 1" run 1 "$tmp/out" "$tmp/err" import -o - "$tmp/order.ndjson"
check "import: ... reported with their line" \
    grep -q "^$tmp/order.ndjson:2:1: error twin.badSection: section \"Models\" after \"Twins\"" "$tmp/err"

# ---- impact
check "impact of a conveyor motor on the plant" \
    run 0 "$tmp/impact" "$tmp/err" impact "$plant" L1-CV02-M --follow partOf --follow feeds \
    --follow monitors:in
check "impact: its conveyor one hop away" \
    grep -Eq "^ +1 +0\.800 +L1-CV02 +ConveyorSegment +L1-CV02-M -partOf-> L1-CV02$" "$tmp/impact"
check "impact: the sensor monitoring it, against the relationship" \
    grep -Eq "^ +1 +0\.800 +L1-CV02-ENV +EnvironmentalSensor +L1-CV02-M <-monitors- L1-CV02-ENV$" \
    "$tmp/impact"
check "impact: downstream, the line's inspection zone" grep -q " L1-IZ " "$tmp/impact"
check "impact: ... and the packing line's last station" grep -q " PK-ST04 " "$tmp/impact"
check "impact: not what is upstream (L1-ST02) or on another line (L2-ST01)" \
    not grep -Eq " (L1-ST02|L2-ST01) " "$tmp/impact"
check "impact --json --depth 2" \
    run 0 "$tmp/impact.json" "$tmp/err" impact --json --depth 2 "$plant" L1-CV02-M \
    --follow partOf --follow feeds
check "impact --json: depths, scores and paths" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
hits = {h["twin"]: h for h in d["twins"]}
assert d["roots"] == ["L1-CV02-M"] and d["count"] == len(d["twins"])
assert max(h["depth"] for h in d["twins"]) == 2
assert hits["L1-ST03"]["path"] == ["L1-CV02-M", "L1-CV02", "L1-ST03"], hits["L1-ST03"]
assert hits["L1-ST03"]["via"]["name"] == "feeds"
assert abs(hits["L1-ST03"]["impact"] - 0.64) < 1e-12
' "$tmp/impact.json"
check "impact: an unknown twin is an error" run 1 "$tmp/out" "$tmp/err" impact "$plant" no-such-twin
check "impact: a bad --follow direction is a usage error" \
    run 2 "$tmp/out" "$tmp/err" impact "$plant" L1 --follow feeds:sideways

# ---- dot
check "dot: the plant" run 0 "$tmp/plant.dot" "$tmp/err" dot "$plant"
dot_shape() {
    local node edge
    node='^  "[^"]*" \[label="[^"]*\\n[A-Za-z]*", fillcolor="#[0-9a-f]{6}"\];$'
    edge='^  "[^"]*" -> "[^"]*" \[label="[A-Za-z]*"\];$'
    [ "$(head -n1 "$1")" = "digraph twins {" ] && [ "$(tail -n1 "$1")" = "}" ] &&
        [ "$(grep -Ec "$node" "$1")" -eq 261 ] && [ "$(grep -Ec "$edge" "$1")" -eq 469 ] &&
        [ "$(wc -l <"$1")" -eq $((4 + 261 + 469 + 1)) ]
}
check "dot: shape: a digraph, a node per twin, an edge per relationship" dot_shape "$tmp/plant.dot"
check "dot: a motor labelled with its model" \
    grep -qF '"L1-CV02-M" [label="L1-CV02-M\nMotor"' "$tmp/plant.dot"
check "dot: ... and its edge to its conveyor" \
    grep -qF '"L1-CV02-M" -> "L1-CV02" [label="partOf"];' "$tmp/plant.dot"
check "dot --json: nodes and edges" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.run([sys.argv[1], "dot", "--json", sys.argv[2]], check=True,
                              capture_output=True).stdout)
assert len(d["nodes"]) == 261 and len(d["edges"]) == 469
' "$twinctl" "$plant"
# (A small graph: laying out the whole plant takes Graphviz two seconds.)
svg_written() { "$twinctl" dot --svg "$tmp/small.svg" "$tmp/messy.out" && grep -q "<svg" "$tmp/small.svg"; }
graphviz_parses() { nop "$1" >/dev/null; }
no_graphviz() {
    local got=0
    PATH=/nonexistent "$twinctl" dot --svg "$tmp/x.svg" "$plant" 2>"$tmp/err" || got=$?
    [ "$got" -eq 1 ] && grep -q "needs Graphviz's dot program, which is not installed" "$tmp/err"
}
if command -v dot >/dev/null 2>&1 && command -v nop >/dev/null 2>&1; then
    check "dot: Graphviz parses it (nop)" graphviz_parses "$tmp/plant.dot"
    check "dot --svg writes an SVG" svg_written
else
    echo "# Graphviz's dot is not installed: the DOT text is checked by its shape only"
fi
check "dot --svg without Graphviz: a clear error" no_graphviz

# ---- help, usage
help_of() { "$twinctl" "$@" --help | grep -q "^Usage: twinctl ${1:-COMMAND}"; }
for cmd in validate import export impact dot; do
    check "$cmd --help" help_of "$cmd"
    check "$cmd with an unknown option: exit 2" run 2 "$tmp/out" "$tmp/err" "$cmd" --no-such-option
done
check "twinctl --help" help_of
check "an unknown command: exit 2" run 2 "$tmp/out" "$tmp/err" frobnicate

# ---- the committed plant is what the generator writes
generated() { python3 "$factory/generate_plant.py" - | cmp - "$plant"; }
check "examples/factory/plant.ndjson is generate_plant.py's output" generated

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
