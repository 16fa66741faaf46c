#!/usr/bin/env bash
# twinctl state and clocks (issue 18), end to end on the factory plant:
#   test_time.sh TWINCTL SOURCE_ROOT
# state at an instant by each policy, with tolerance: values, ages,
# interpolation, refusal and --mark; clocks learnt from (receive, source,
# source time) rows: offset and skew near the truth, the tolerance flag,
# refused rows, kept in the database with --save; twinctl ingest through
# the sources' clocks (rows naming their source and receive time), the
# tolerance flag, the models kept and resumed; bad command lines.
set -euo pipefail
twinctl=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "not ok - $*"; }
check() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}
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
db=$tmp/t.db
"$twinctl" import "$root/examples/factory/plant.ndjson" -d "$db" 2>/dev/null
cat >"$tmp/tel.csv" <<'CSV'
timestamp,twin,signal,value
2024-07-01T01:59:50Z,L1-ST01-ENV,temperature,20
2024-07-01T02:00:00Z,L1-ST01-ENV,temperature,22
2024-07-01T02:00:10Z,L1-ST01-ENV,temperature,24
2024-07-01T01:59:00Z,L1-ST01-ENV,humidity,40
2024-07-01T02:00:30Z,L1-ST01-ENV,humidity,44
2024-07-01T01:00:00Z,L1-CV01,load,100
CSV
"$twinctl" ingest -d "$db" -q "$tmp/tel.csv"
at=2024-07-01T02:00:05Z

# value of TWIN SIGNAL in a state --json: "value age_us interpolated covered"
field() {
    python3 -c '
import json, sys
for r in json.load(open(sys.argv[1])):
    if r["twin"] == sys.argv[2] and r["signal"] == sys.argv[3]:
        print(r["value"], r["age_us"], r["interpolated"], r["covered"])' "$@"
}
check "state: previous, no tolerance (exit 0)" run 0 "$tmp/s.json" "$tmp/err" state -d "$db" --at $at --json
check "state: previous temperature 22, 5 s old" \
    test "$(field "$tmp/s.json" L1-ST01-ENV temperature)" = "22 5000000 False True"
check "state: previous load an hour old" \
    test "$(field "$tmp/s.json" L1-CV01 load)" = "100 3605000000 False True"
check "state: linear (exit 0)" \
    run 0 "$tmp/l.json" "$tmp/err" state -d "$db" --at $at --policy linear --json L1-ST01-ENV
check "state: linear temperature 23, interpolated" \
    test "$(field "$tmp/l.json" L1-ST01-ENV temperature | cut -d' ' -f1,3)" = "23 True"
check "state: next humidity 44, -25 s" \
    bash -c "'$twinctl' state -d '$db' --at $at --policy next --json L1-ST01-ENV >'$tmp/n.json' &&
             test \"\$(python3 -c 'import json,sys; print([r[\"age_us\"] for r in json.load(open(sys.argv[1])) if r[\"signal\"]==\"humidity\"][0])' '$tmp/n.json')\" = -25000000"
check "state: nearest, tolerance 40s, a signal not covered: refused (exit 1)" \
    run 1 "$tmp/out" "$tmp/err" state -d "$db" --at $at --policy nearest --tolerance 40s
check "state: the refusal names the signal" grep -q "L1-CV01 load" "$tmp/err"
check "state: nothing on stdout when refused" test ! -s "$tmp/out"
check "state: --mark lists it" \
    run 0 "$tmp/m.json" "$tmp/err" state -d "$db" --at $at --tolerance 40s --mark --json
check "state: marked not covered, value null" \
    test "$(field "$tmp/m.json" L1-CV01 load)" = "None None False False"
check "state: table" run 0 "$tmp/out" "$tmp/err" state -d "$db" --at $at --policy linear --tolerance 1min --mark
check "state: table says interpolated and not covered" \
    bash -c "grep -q 'interpolated' '$tmp/out' && grep -q 'NOT COVERED' '$tmp/out'"
check "state: --at missing: exit 2" run 2 "$tmp/out" "$tmp/err" state -d "$db"
check "state: a bad policy: exit 2" run 2 "$tmp/out" "$tmp/err" state -d "$db" --at $at --policy mean
check "state: a negative tolerance: exit 2" run 2 "$tmp/out" "$tmp/err" state -d "$db" --at $at --tolerance -5s
check "state: a bad time: exit 2" run 2 "$tmp/out" "$tmp/err" state -d "$db" --at yesterday
check "state: an unknown twin: exit 1" run 1 "$tmp/out" "$tmp/err" state -d "$db" --at $at nosuch

# ---- clocks: gw1 1.5 s ahead and 40 ppm fast, plc2 20 ms behind and 10 ppm slow
python3 - "$tmp/pairs.csv" <<'PY'
import random, sys
random.seed(3)
rows = ["receive_time,source,source_time"]
t0 = 1719799200.0
srcs = {"gw1": (1.5, 40e-6), "plc2": (-0.02, -10e-6)}
for k in range(120):
    for s, (ahead, skew) in srcs.items():
        sent = t0 + k + random.random() * 0.01
        d = random.expovariate(1 / 0.002)
        rows.append("%.6f,%s,%.6f" % (sent + d, s, sent + ahead + skew * (sent - t0)))
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
check "clocks: learnt from pairs (exit 0)" \
    run 0 "$tmp/c.json" "$tmp/err" clocks --tolerance-offset 100ms --json "$tmp/pairs.csv"
near_truth() {
    python3 -c '
import json, sys
c = {r["source"]: r for r in json.load(open(sys.argv[1]))}
t = (c["gw1"]["t_us"] - 1719799200e6) / 1e6
g, p = c["gw1"], c["plc2"]
assert abs(g["offset_us"] + 1.5e6 + 40 * t) < 1000, g
assert abs(p["offset_us"] - 20000 - 10 * t) < 1000, p
assert abs(g["skew_ppm"] - 40) < 20 and abs(p["skew_ppm"] + 10) < 20
assert g["out_of_tolerance"] and not p["out_of_tolerance"]
assert g["pairs"] == 120 and g["refused"] == 0' "$1"
}
check "clocks: offsets within 1 ms of the truth, skews near, gw1 out of tolerance" near_truth "$tmp/c.json"
cp "$tmp/pairs.csv" "$tmp/bad.csv"
echo "garbage" >>"$tmp/bad.csv"
echo "1719799200,gw1,1719799200" >>"$tmp/bad.csv"
check "clocks: bad rows and refused pairs: exit 1" \
    run 1 "$tmp/out" "$tmp/err" clocks -d "$db" --save --tolerance-offset 100ms "$tmp/bad.csv"
check "clocks: the malformed row by its line" grep -q "bad.csv:242: error: expected" "$tmp/err"
check "clocks: the pair going back by its line" grep -q "bad.csv:243: error: source 'gw1'" "$tmp/err"
check "clocks: kept in the database" run 0 "$tmp/k.json" "$tmp/err" clocks -d "$db" --json
same_clocks() {
    python3 -c '
import json, sys
a = {r["source"]: r for r in json.load(open(sys.argv[1]))}
b = {r["source"]: r for r in json.load(open(sys.argv[2]))}
assert b["gw1"]["refused"] == 1 and b["plc2"]["refused"] == 0
for s in a:
    for k in ("offset_us", "skew_ppm", "out_of_tolerance", "pairs"):
        assert a[s][k] == b[s][k], (s, k)' "$1" "$2"
}
check "clocks: the database gives the same estimates" same_clocks "$tmp/c.json" "$tmp/k.json"
check "clocks: table" run 0 "$tmp/out" "$tmp/err" clocks -d "$db"
check "clocks: table flags gw1" grep -q "^gw1 .*OUT OF TOLERANCE" "$tmp/out"
check "clocks: --save without pairs: exit 2" run 2 "$tmp/out" "$tmp/err" clocks -d "$db" --save
check "clocks: a bad tolerance: exit 2" run 2 "$tmp/out" "$tmp/err" clocks --tolerance-skew x
check "clocks: a missing database: exit 1" run 1 "$tmp/out" "$tmp/err" clocks -d "$tmp/none.db"
# ---- ingest through the clocks: rows naming their source and receive time
# gw1 stamps 1.5 s ahead and 40 ppm fast, plc2 20 ms behind
cdb=$tmp/c.db
"$twinctl" import "$root/examples/factory/plant.ndjson" -d "$cdb" 2>/dev/null
python3 - "$tmp/ctel.csv" <<'PY'
import random, sys
random.seed(5)
rows = ["timestamp,twin,signal,value,source,receive_time"]
t0 = 1719799200.0
for k in range(60):
    sent = t0 + k
    d = random.expovariate(1 / 0.002)
    rows.append("%.6f,L1-ST01-ENV,temperature,%d,gw1,%.6f" % (sent + 1.5 + 40e-6 * k, 20 + k, sent + d))
    rows.append("%.6f,L1-ST01-ENV,humidity,%d,plc2,%.6f" % (sent - 0.02, 40 + k, sent + d + 0.001))
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
check "ingest: rows with source and receive_time (exit 0)" \
    run 0 "$tmp/out" "$tmp/ierr" ingest -d "$cdb" --tolerance-offset 100ms "$tmp/ctel.csv"
check "ingest: gw1 flagged out of tolerance" \
    grep -q "warning: source gw1 is out of its clock tolerance" "$tmp/ierr"
check "ingest: plc2 not flagged" bash -c "! grep -q 'warning: source plc2' '$tmp/ierr'"
check "ingest: the summary lists the sources" \
    bash -c "grep -q '^    gw1 .*60 pairs, 0 refused; corrected 59, uncorrected 1' '$tmp/ierr' &&
             grep -q '^    plc2 .*60 pairs, 0 refused; corrected 60, uncorrected 0' '$tmp/ierr'"
# the last temperature (value 79) was stamped 02:00:60.5 + 2.36 ms by gw1: stored at host time 02:00:59
check "ingest: corrected timestamps (state at 02:00:59.5)" \
    run 0 "$tmp/cs.json" "$tmp/err" state -d "$cdb" --at 2024-07-01T02:00:59.5Z --json L1-ST01-ENV
corrected() {
    python3 -c '
import json, sys
r = {x["signal"]: x for x in json.load(open(sys.argv[1]))}
t, h = r["temperature"], r["humidity"]
assert t["value"] == 79 and abs(t["age_us"] - 500000) < 3000, t
assert h["value"] == 99 and abs(h["age_us"] - 500000) < 3000, h' "$1"
}
check "ingest: both signals at host time within 3 ms" corrected "$tmp/cs.json"
check "ingest: the sources kept (clocks lists them)" \
    run 0 "$tmp/ck.json" "$tmp/err" clocks -d "$cdb" --json
kept() {
    python3 -c '
import json, sys
c = {r["source"]: r for r in json.load(open(sys.argv[1]))}
assert abs(c["gw1"]["offset_us"] + 1.5e6 + 40 * 59) < 1000, c["gw1"]
assert c["gw1"]["out_of_tolerance"] and not c["plc2"]["out_of_tolerance"]
assert c["gw1"]["pairs"] == 60' "$1"
}
check "ingest: kept estimates near the truth" kept "$tmp/ck.json"
# a second run resumes the models: the same pairs go back in time (refused,
# warned about, rows still read), the estimates stay. (The samples are
# stamped 0.25 s earlier than the first run's: a late sample at the very
# timestamp of a late sample stored by an earlier process is refused by
# libtwin-sqlite's samples table, whatever the clocks.)
python3 -c '
import sys
rows = open(sys.argv[1]).read().splitlines()
out = [rows[0]]
for r in rows[1:]:
    f = r.split(",")
    f[0] = "%.6f" % (float(f[0]) - 0.25)
    out.append(",".join(f))
open(sys.argv[2], "w").write("\n".join(out) + "\n")' "$tmp/ctel.csv" "$tmp/ctel2.csv"
check "ingest: again (exit 0)" run 0 "$tmp/out" "$tmp/ierr2" ingest -d "$cdb" "$tmp/ctel2.csv"
check "ingest: again: the pairs going back are warnings by line" \
    grep -q "ctel2.csv:2: warning: pair not taken: source 'gw1'" "$tmp/ierr2"
# (the last pair of each source has the receive time of the model's latest:
# taken; the 118 before it go back)
check "ingest: again: 118 pairs refused, every row read" \
    bash -c "grep -q 'pairs refused *118' '$tmp/ierr2' && grep -q 'malformed rows *0' '$tmp/ierr2'"
check "ingest: again: estimates unchanged" \
    bash -c "'$twinctl' clocks -d '$cdb' --json >'$tmp/ck2.json' &&
             python3 -c 'import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); assert [(r[\"offset_us\"],r[\"skew_ppm\"]) for r in a]==[(r[\"offset_us\"],r[\"skew_ppm\"]) for r in b]' '$tmp/ck.json' '$tmp/ck2.json'"
# a source column alone: corrected by the kept model (no pairs)
cat >"$tmp/late.csv" <<'CSV'
timestamp,twin,signal,value,unit,source
2024-07-01T02:01:31.5Z,L1-ST01-ENV,temperature,30,,gw1
CSV
check "ingest: a source column without receive_time (exit 0)" \
    run 0 "$tmp/out" "$tmp/err" ingest -d "$cdb" -q "$tmp/late.csv"
check "ingest: corrected by the kept model" \
    bash -c "'$twinctl' state -d '$cdb' --at 2024-07-01T02:01:30.5Z --json L1-ST01-ENV >'$tmp/l2.json' &&
             python3 -c 'import json,sys; r=[x for x in json.load(open(sys.argv[1])) if x[\"signal\"]==\"temperature\"][0]; assert r[\"value\"]==30 and abs(r[\"age_us\"]-500000)<5000, r' '$tmp/l2.json'"
# bad input
printf 'timestamp,twin,signal,value,receive_time\n2024-07-01T02:00:00Z,L1-ST01-ENV,temperature,1,2024-07-01T02:00:00Z\n' >"$tmp/nosrc.csv"
check "ingest: receive_time without a source: exit 1" run 1 "$tmp/out" "$tmp/err" ingest -d "$cdb" -q "$tmp/nosrc.csv"
check "ingest: ... by its line" grep -q "nosrc.csv:2: error: a receive_time needs a source" "$tmp/err"
printf 'timestamp,twin,signal,value,source,receive_time\n2024-07-01T02:00:00Z,L1-ST01-ENV,temperature,1,gw1,yesterday\n' >"$tmp/badrt.csv"
check "ingest: a bad receive_time: exit 1" run 1 "$tmp/out" "$tmp/err" ingest -d "$cdb" -q "$tmp/badrt.csv"
check "ingest: ... by its line" grep -q "badrt.csv:2: error: bad receive_time" "$tmp/err"
printf 'timestamp,twin,signal,value,colour\n' >"$tmp/badh.csv"
check "ingest: an unknown header column: exit 1" run 1 "$tmp/out" "$tmp/err" ingest -d "$cdb" -q "$tmp/badh.csv"
check "ingest: ... named" grep -q "badh.csv:1: error: header" "$tmp/err"
printf 'timestamp,twin,signal,unit\n2024-07-01T02:00:00Z,L1-ST01-ENV,temperature,degreeCelsius\n' >"$tmp/noval.csv"
check "ingest: a header without value: exit 1" run 1 "$tmp/out" "$tmp/err" ingest -d "$cdb" -q "$tmp/noval.csv"
check "ingest: ... named" grep -q "noval.csv:1: error: header" "$tmp/err"
check "ingest: a negative tolerance: exit 2" \
    run 2 "$tmp/out" "$tmp/err" ingest -d "$cdb" --tolerance-offset -1s "$tmp/ctel.csv"
check "ingest: a bad skew tolerance: exit 2" \
    run 2 "$tmp/out" "$tmp/err" ingest -d "$cdb" --tolerance-skew x "$tmp/ctel.csv"
for cmd in state clocks; do
    check "$cmd --help" bash -c "'$twinctl' $cmd --help | grep -q '^Usage: twinctl $cmd'"
    check "$cmd with an unknown option: exit 2" run 2 "$tmp/out" "$tmp/err" $cmd --no-such-option
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
