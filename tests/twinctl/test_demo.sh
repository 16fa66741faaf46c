#!/usr/bin/env bash
# The factory demo (examples/factory/demo.sh) end to end: its key lines, in
# under a minute; then the database it leaves: export round-trips the plant,
# health --json, ingest of a CSV into a missing database fails clearly.
#   test_demo.sh TWINCTL SOURCE_ROOT
set -uo pipefail
twinctl=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
has() {  # has DESCRIPTION REGEX: a line of the demo's output matches
    if grep -Eq -- "$2" "$tmp/demo.out"; then ok "$1"; else fail "$1"; fi
}

start=$(date +%s)
if "$root/examples/factory/demo.sh" "$twinctl" "$tmp/demo" >"$tmp/demo.out" 2>&1; then
    ok "the demo runs"
else
    fail "the demo runs"
    cat "$tmp/demo.out"
fi
secs=$(($(date +%s) - start))
if [ "$secs" -lt 60 ]; then ok "in under a minute ($secs s)"; else fail "in under a minute ($secs s)"; fi
has "the models resolve" "11 files, 11 interfaces: every model resolves"
has "the plant is imported" "11 models, 261 twins and 469 relationships imported"
has "what-if: line 2 stops sooner when its conveyors run faster" "^L2 +1\.00->1\.00 .* [0-9.]+->[0-9.]+ \["
has "what-if: a faster conveyor's motor fails within the year" "^L2-CV08-M +0\.00->1\.00 "
has "the telemetry is generated" "telemetry.csv: 115216 rows"
has "bad rows are reported by line" "telemetry.csv:[0-9]+: error: bad timestamp"
has "ingest: accepted, the late ones among them" "^ +of them late +6$"
has "ingest: duplicates counted" "^ +duplicate +12$"
has "ingest: rejected by reason" "^ +bad unit +2$"
has "ingest: unknown twins" "^ +unknown twin +2$"
has "health: the degrading motor first, RUL in days with an interval" \
    "^L2-CV03-M +vibration +0\.[0-3][0-9] +[0-9.]+ +[0-9.]+ \.\. [0-9.]+ +ok"
has "health: the drifting motor second, recalibrated" "^L3-CV05-M +vibration +0\.[0-9]+ .* ok +[1-9]"
has "events: the drifting motor diverged" "L3-CV05-M +vibration +diverged: measured"
has "events: ... and the model follows again" "L3-CV05-M +vibration +cleared"
has "impact of the degrading motor: its conveyor" "^ +1 +0\.800 +L2-CV03 +ConveyorSegment"
has "impact: downstream station" "L2-ST04 +ProductionStation"
has "the graph picture" "wrote .*/plant.dot"
has "tiers: the policy" "^ +default +raw:2w,6h:30d,1d:forever$"
has "tiers: raw, the last 14 days" "^ +raw +80 +[0-9]+ +0 +27200 +2024-07-16T20:00Z"
has "tiers: 6-hour buckets, 30 days" "^ +6h +80 +[0-9]+ +[0-9]+ +[0-9]+ +2024-06-30T18:00Z"
has "tiers: daily buckets, forever: with raw, every sample" "^ +1d +80 +[0-9]+ +3680 +87998 +2024-06-01T00:00Z"
if grep -q 'fillcolor="#f08080"' "$tmp/demo/plant.dot" 2>/dev/null; then
    ok "dot --health: the degrading motor in red"
else
    fail "dot --health: the degrading motor in red"
fi

db=$tmp/demo/plant.db
if "$twinctl" export -d "$db" | cmp -s - "$root/examples/factory/plant.ndjson"; then
    ok "export from the database gives back the plant byte for byte"
else
    fail "export from the database gives back the plant byte for byte"
fi
if "$twinctl" health -d "$db" --json L2-CV03-M | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d) == 1 and d[0]["twin"] == "L2-CV03-M" and d[0]["signal"] == "vibration", d
assert 0 < d[0]["rul_low_days"] <= d[0]["rul_days"] <= d[0]["rul_high_days"] < 30, d
assert d[0]["diverged"] is False and d[0]["samples"] > 1000, d
'; then ok "health --json for one twin"; else fail "health --json for one twin"; fi
if ! "$twinctl" ingest -d "$tmp/missing.db" "$tmp/demo/telemetry.csv" -q 2>"$tmp/err" &&
    grep -q "missing.db: .*cannot open" "$tmp/err"; then
    ok "ingest into a missing database: a clear error"
else
    fail "ingest into a missing database: a clear error"
    cat "$tmp/err"
fi
if ! "$twinctl" import "$root/examples/factory/plant.ndjson" -d "$db" 2>"$tmp/err" &&
    grep -q "already holds 261 twins" "$tmp/err"; then
    ok "import into a database that holds a graph is refused"
else
    fail "import into a database that holds a graph is refused"
fi
# whatif: bad input gets a status and a message; the database is unchanged
st=0
"$twinctl" whatif -d "$db" --set nope.speed=1 2>"$tmp/err" || st=$?
if [ "$st" -eq 1 ] && grep -q "no twin 'nope'" "$tmp/err"; then
    ok "whatif: an unknown twin is refused"
else
    fail "whatif: an unknown twin is refused"
fi
st=0
"$twinctl" whatif -d "$db" --horizon -5d 2>"$tmp/err" || st=$?
if [ "$st" -eq 2 ]; then ok "whatif: a negative horizon is a usage error"; else fail "whatif: a negative horizon is a usage error"; fi
st=0
"$twinctl" whatif -d "$db" --stress vibration:speedSetpoint:power:3:0 2>"$tmp/err" || st=$?
if [ "$st" -eq 2 ]; then ok "whatif: a stress law with rated 0 is a usage error"; else fail "whatif: a stress law with rated 0 is a usage error"; fi
st=0
"$twinctl" whatif -d "$db" --depends feeds --add-rel L2-CV03/loop/feeds/L2-CV03 2>"$tmp/err" || st=$?
if [ "$st" -eq 1 ] && grep -q "cycle through twin 'L2-CV03'" "$tmp/err"; then
    ok "whatif: dependencies in a cycle are refused"
else
    fail "whatif: dependencies in a cycle are refused ($(cat "$tmp/err"))"
fi

# tiers: bad policies and arguments get a status and a message
if ! "$twinctl" tiers -d "$db" --policy raw:7d,1m:3d 2>"$tmp/err" &&
    grep -q "spans must increase" "$tmp/err"; then
    ok "tiers: a policy whose spans do not increase is refused"
else
    fail "tiers: a policy whose spans do not increase is refused"
fi
if ! "$twinctl" tiers -d "$db" --policy raw:7d,1m:90d,90s:1y 2>"$tmp/err" &&
    grep -q "multiple of the previous" "$tmp/err"; then
    ok "tiers: a width not a multiple of the previous one is refused"
else
    fail "tiers: a width not a multiple of the previous one is refused"
fi
st=0
"$twinctl" tiers -d "$db" --signal nameless --policy raw:1d 2>"$tmp/err" || st=$?
if [ "$st" -eq 2 ]; then ok "tiers: --signal needs TWIN/NAME"; else fail "tiers: --signal needs TWIN/NAME"; fi
if "$twinctl" tiers -d "$db" --signal L2-CV03-M/vibration --policy raw:30d >/dev/null &&
    "$twinctl" tiers -d "$db" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert {"scope": "signal", "key": "L2-CV03-M", "name": "vibration", "policy": "raw:30d"} in d["policies"], d
assert [t["tier"] for t in d["tiers"]] == ["raw", "6h", "1d"], d
assert all(t["bytes"] > 0 for t in d["tiers"]), d
'; then ok "tiers: a signal's policy, and --json"; else fail "tiers: a signal's policy, and --json"; fi
has "clocks: the drifting gateway out of tolerance" "^GW-L1 +-1826\.[0-9]+ .*OUT OF TOLERANCE +0 +600"
has "clocks: the PLC set by hand, a step" "^PLC-L3 +-293[0-9]{2}\.[0-9]+ .*OUT OF TOLERANCE +1 +600"
has "clocks: a timestamp by the drifting gateway, corrected" "^  GW-L1 +2024-07-31T00:09:58\.1"
if "$twinctl" clocks -d "$db" --json | python3 -c '
import json, re, sys
est = {r["source"]: r for r in json.load(sys.stdin)}
truth = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+) +true offset +([-+0-9.]+) ms", line)
    truth[m.group(1)] = float(m.group(2)) * 1000
assert set(est) == set(truth) == {"GW-L1", "PLC-L3", "GW-L2"}, est
for s, t in truth.items():
    assert abs(est[s]["offset_us"] - t) < 1000, (s, est[s]["offset_us"], t)
assert not est["GW-L2"]["out_of_tolerance"] and est["GW-L2"]["steps"] == 0
assert est["PLC-L3"]["steps"] == 1
' "$tmp/demo/clock_truth.txt"; then
    ok "clocks kept in the database: every offset within 1 ms of the truth"
else
    fail "clocks kept in the database: every offset within 1 ms of the truth"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
