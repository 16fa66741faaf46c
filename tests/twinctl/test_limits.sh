#!/usr/bin/env bash
# The limits of twinctl's readers (issue 21; docs/limits.md, twinctl(1)
# LIMITS): for each, an input exactly at the limit (accepted, the result
# right) and one just past it (refused with the stated message, nothing
# half-applied). The bulk-import reader (twinctl import): file size, line
# length, JSON nesting, twins and relationships per file, identifiers; the
# telemetry CSV reader (twinctl ingest): file size, line length, twin,
# signal and source lengths, rows per file; the pairs CSV (twinctl
# clocks): source names. The limits on whole files are
# reached by lowering them through the environment (TWINCTL_MAX_*); the
# default file limit, by a sparse file that claims a size past it.
#   test_limits.sh TWINCTL
set -euo pipefail
twinctl=$1
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
# run EXPECTED_STATUS OUT ERR ARGS...: twinctl ARGS, stdout in OUT, stderr
# in ERR; fails when the exit status is not EXPECTED_STATUS.
run() {
    local want=$1 out=$2 err=$3 got=0
    shift 3
    "$twinctl" "$@" >"$out" 2>"$err" || got=$?
    if [ "$got" -ne "$want" ]; then
        echo "twinctl $* exited $got, expected $want; stderr:"
        head -c 2000 "$err" | sed 's/^/    /'
        return 1
    fi
}
# the same with VAR=VALUE in the environment
run_env() {
    local var=$1
    shift
    (export "${var?}"; run "$@")
}
has() { grep -qF -- "$1" "$2"; }
lines() { [ "$(grep -c -- "$1" "$2")" -eq "$3" ]; }

# ---- a graph file: models, N twins, relationships between them
# graph.py OUT NTWINS NRELS [ID_LEN]: twins t0..., each with property p;
# relationships r0... from t0 to t1. With ID_LEN, one more twin whose id
# has that many bytes.
cat >"$tmp/graph.py" <<'EOF'
import json, sys
out, nt, nr = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
model = {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:lim:T;1", "@type": "Interface",
         "contents": [{"@type": "Property", "name": "p", "schema": "string"},
                      {"@type": "Relationship", "name": "r"}]}
with open(out, "w") as f:
    w = lambda v: f.write(json.dumps(v, separators=(",", ":")) + "\n")
    w({"Section": "Header"}); w({"fileVersion": "1.0.0"})
    w({"Section": "Models"}); w(model)
    w({"Section": "Twins"})
    for k in range(nt):
        w({"$dtId": "t%d" % k, "$metadata": {"$model": "dtmi:lim:T;1"}, "p": "v%d" % k})
    if len(sys.argv) > 4:
        w({"$dtId": "x" * int(sys.argv[4]), "$metadata": {"$model": "dtmi:lim:T;1"}})
    w({"Section": "Relationships"})
    for k in range(nr):
        w({"$dtId": "t0", "$relationshipId": "r%d" % k, "$targetId": "t1",
           "$relationshipName": "r"})
EOF
graph() { python3 "$tmp/graph.py" "$@"; }
twins_in() { grep -c '"$metadata":{"$model":' "$1"; }
rels_in() { grep -c '"$relationshipId":' "$1"; }

# ---- import: file size
graph "$tmp/g.ndjson" 3 2
size=$(stat -c %s "$tmp/g.ndjson")
check "import: a file of exactly TWINCTL_MAX_FILE_BYTES is read" \
    run_env TWINCTL_MAX_FILE_BYTES=$size 0 "$tmp/out" "$tmp/err" import -q -o "$tmp/g.out" "$tmp/g.ndjson"
check "... whole (3 twins, 2 relationships)" test "$(twins_in "$tmp/g.out") $(rels_in "$tmp/g.out")" = "3 2"
check "import: one byte more is refused" \
    run_env TWINCTL_MAX_FILE_BYTES=$((size - 1)) 1 "$tmp/out" "$tmp/err" import -o "$tmp/g2.out" "$tmp/g.ndjson"
check "... naming the limit" \
    has "g.ndjson: larger than $((size - 1)) bytes, the limit of an input file (TWINCTL_MAX_FILE_BYTES)" "$tmp/err"
check "... and nothing is written" test ! -e "$tmp/g2.out"
pipe_over() {
    local got=0
    TWINCTL_MAX_FILE_BYTES=$((size - 1)) "$twinctl" import -o "$tmp/g3.out" /dev/stdin \
        <"$tmp/g.ndjson" 2>"$tmp/err" || got=$?
    [ "$got" -eq 1 ] && has "/dev/stdin: larger than $((size - 1)) bytes" "$tmp/err" && [ ! -e "$tmp/g3.out" ]
}
check "import: a pipe is cut at one byte past the limit, and refused" pipe_over
pipe_at() {
    TWINCTL_MAX_FILE_BYTES=$size "$twinctl" import -q -o "$tmp/g3.out" /dev/stdin <"$tmp/g.ndjson" &&
        cmp -s "$tmp/g.out" "$tmp/g3.out"
}
check "import: a pipe of exactly the limit is read whole" pipe_at
# The default limit, 1 GiB, by the size a sparse file claims (never read).
truncate -s $((1024 * 1024 * 1024 + 1)) "$tmp/huge.ndjson"
check "import: a file of 1 GiB + 1 byte is refused by its size, unread" \
    run 1 "$tmp/out" "$tmp/err" import -o "$tmp/h.out" "$tmp/huge.ndjson"
check "... naming the default limit" has "larger than 1073741824 bytes" "$tmp/err"
rm -f "$tmp/huge.ndjson"

# ---- import: line length (16 MiB), a twin line padded with white space
# inside its object
pad_line() {  # pad_line OUT BYTES: a graph whose twin t0 line has BYTES bytes
    python3 - "$1" "$2" <<'EOF'
import json, sys
out, n = sys.argv[1], int(sys.argv[2])
head = '{"$dtId":"t0","$metadata":{"$model":"dtmi:lim:T;1"},"p":"padded"'
line = head + " " * (n - len(head) - 1) + "}"
assert len(line) == n
model = {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:lim:T;1", "@type": "Interface",
         "contents": [{"@type": "Property", "name": "p", "schema": "string"}]}
with open(out, "w") as f:
    f.write('{"Section":"Header"}\n{"Section":"Models"}\n' + json.dumps(model) + "\n")
    f.write('{"Section":"Twins"}\n' + line + "\n")
    f.write('{"$dtId":"t1","$metadata":{"$model":"dtmi:lim:T;1"}}\n')
EOF
}
pad_line "$tmp/line.ndjson" $((16 * 1024 * 1024))
check "import: a line of exactly 16 MiB is read" \
    run 0 "$tmp/line.out" "$tmp/err" import -q -o - "$tmp/line.ndjson"
check "... its twin with its property" has '{"$dtId":"t0","$metadata":{"$model":"dtmi:lim:T;1"},"p":"padded"}' "$tmp/line.out"
pad_line "$tmp/line.ndjson" $((16 * 1024 * 1024 + 1))
check "import: a line of 16 MiB + 1 byte is refused (exit 1)" \
    run 1 "$tmp/line.out" "$tmp/err" import -o - "$tmp/line.ndjson"
check "... reported on its line, naming the limit" \
    has "line.ndjson:5:1: error twin.lineTooLong: a line of 16777217 bytes, over the limit of 16777216" "$tmp/err"
check "... its twin left out whole, the other imported" \
    test "$(twins_in "$tmp/line.out")" = 1
rm -f "$tmp/line.ndjson" "$tmp/line.out"

# ---- import: JSON nesting (512 levels of arrays and objects), in the header
nested_header() {  # nested_header OUT LEVELS: the header object holds arrays to LEVELS in all
    python3 - "$1" "$2" <<'EOF'
import sys
out, levels = sys.argv[1], int(sys.argv[2])
arrays = levels - 1
with open(out, "w") as f:
    f.write('{"Section":"Header"}\n{"deep":' + "[" * arrays + "]" * arrays + "}\n")
    f.write('{"Section":"Models"}\n{"Section":"Twins"}\n')
EOF
}
nested_header "$tmp/deep.ndjson" 512
check "import: JSON nested 512 deep is read" run 0 "$tmp/deep.out" "$tmp/err" import -q -o - "$tmp/deep.ndjson"
check "... and written back as it was" cmp -s <(sed -n 2p "$tmp/deep.ndjson") <(sed -n 2p "$tmp/deep.out")
nested_header "$tmp/deep.ndjson" 513
check "import: JSON nested 513 deep is refused (exit 1)" \
    run 1 "$tmp/deep.out" "$tmp/err" import -o - "$tmp/deep.ndjson"
check "... at the 513th bracket, naming the limit" \
    has "deep.ndjson:2:520: error twin.jsonTooDeep: arrays and objects nested deeper than 512 (the limit)" "$tmp/err"
check "... and the header left out (export writes its default)" \
    test "$(sed -n 2p "$tmp/deep.out")" = '{"fileVersion":"1.0.0"}'

# ---- import: twins and relationships per file
graph "$tmp/n.ndjson" 5 4
check "import: exactly TWINCTL_MAX_TWINS twins are read" \
    run_env TWINCTL_MAX_TWINS=5 0 "$tmp/n.out" "$tmp/err" import -q -o - "$tmp/n.ndjson"
check "... all of them" test "$(twins_in "$tmp/n.out")" = 5
check "import: one twin more refuses the file (exit 1)" \
    run_env TWINCTL_MAX_TWINS=4 1 "$tmp/n.out" "$tmp/err" import -d "$tmp/n.db" "$tmp/n.ndjson"
check "... reported on the twin past the limit" \
    has "n.ndjson:10:1: error twin.tooManyTwins: more than 4 twins in one file (the limit, TWINCTL_MAX_TWINS)" "$tmp/err"
check "... nothing imported" has "nothing imported" "$tmp/err"
no_twins_in_db() {
    [ ! -e "$tmp/n.db" ] || [ "$(python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM twins").fetchone()[0])' "$tmp/n.db")" = 0 ]
}
check "... the database holds no twin" no_twins_in_db
check "import: exactly TWINCTL_MAX_RELATIONSHIPS relationships are read" \
    run_env TWINCTL_MAX_RELATIONSHIPS=4 0 "$tmp/n.out" "$tmp/err" import -q -o - "$tmp/n.ndjson"
check "... all of them" test "$(rels_in "$tmp/n.out")" = 4
check "import: one relationship more refuses the file (exit 1)" \
    run_env TWINCTL_MAX_RELATIONSHIPS=3 1 "$tmp/n.out" "$tmp/err" import -o "$tmp/n2.out" "$tmp/n.ndjson"
check "... reported on the relationship past the limit" \
    has "n.ndjson:15:1: error twin.tooManyRelationships: more than 3 relationships in one file (the limit, TWINCTL_MAX_RELATIONSHIPS)" "$tmp/err"
check "... nothing written" test ! -e "$tmp/n2.out"
for v in 0 4194305 x 1e3 -1; do
    check "TWINCTL_MAX_TWINS=$v: a usage error (exit 2)" \
        run_env TWINCTL_MAX_TWINS=$v 2 "$tmp/out" "$tmp/err" import -o - "$tmp/n.ndjson"
done
check "... naming the range" has "TWINCTL_MAX_TWINS must be a whole number from 1 to 4194304" "$tmp/err"

# ---- import: identifiers (the graph's TWIN_ID_MAX, 1024 bytes)
graph "$tmp/id.ndjson" 2 0 1024
check "import: a twin id of 1024 bytes is read" run 0 "$tmp/id.out" "$tmp/err" import -q -o - "$tmp/id.ndjson"
check "... that twin with it" has "{\"\$dtId\":\"$(printf 'x%.0s' $(seq 1024))\"," "$tmp/id.out"
graph "$tmp/id.ndjson" 2 0 1025
check "import: a twin id of 1025 bytes is refused (exit 1)" \
    run 1 "$tmp/id.out" "$tmp/err" import -o - "$tmp/id.ndjson"
check "... naming the limit" has "error twin.invalidTwin: twin '$(printf 'x%.0s' $(seq 1025))': twin id is longer than 1024 bytes" "$tmp/err"
check "... that twin left out, the others imported" test "$(twins_in "$tmp/id.out")" = 2

# relationship identifiers: the same limit
rel_id() {  # rel_id OUT BYTES: t0 -> t1 with an id of BYTES bytes
    graph "$1" 2 0
    python3 - "$1" "$2" <<'EOF'
import json, sys
with open(sys.argv[1], "a") as f:
    f.write(json.dumps({"$dtId": "t0", "$relationshipId": "r" * int(sys.argv[2]),
                        "$targetId": "t1", "$relationshipName": "r"}) + "\n")
EOF
}
rel_id "$tmp/rid.ndjson" 1024
check "import: a relationship id of 1024 bytes is read" run 0 "$tmp/rid.out" "$tmp/err" import -q -o - "$tmp/rid.ndjson"
check "... that relationship with it" has "\"\$relationshipId\":\"$(printf 'r%.0s' $(seq 1024))\"" "$tmp/rid.out"
rel_id "$tmp/rid.ndjson" 1025
check "import: a relationship id of 1025 bytes is refused (exit 1)" \
    run 1 "$tmp/rid.out" "$tmp/err" import -o - "$tmp/rid.ndjson"
check "... naming the limit" has "error twin.invalidRelationship: relationship '$(printf 'r%.0s' $(seq 1025))' of 't0': relationship id is longer than 1024 bytes" "$tmp/err"
check "... that relationship left out" test "$(rels_in "$tmp/rid.out")" = 0

# model identifiers: the graph's 4096 bytes (an Interface's DTMI has 128
# characters at most, so a longer one names no model of the file either)
graph "$tmp/mid.ndjson" 1 0
python3 - "$tmp/mid.ndjson" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    lines = f.read().splitlines()
at = lines.index('{"Section":"Relationships"}')
for n in (4096, 4097):
    lines.insert(at, json.dumps({"$dtId": "m%d" % n, "$metadata": {"$model": "dtmi:" + "m" * (n - 5)}}))
with open(sys.argv[1], "w") as f:
    f.write("\n".join(lines) + "\n")
EOF
check "import: twins of models of 4096 and 4097 bytes are refused (exit 1)" \
    run 1 "$tmp/mid.out" "$tmp/err" import -o - "$tmp/mid.ndjson"
check "... 4096 bytes: no such model" has "error twin.modelViolation: twin 'm4096'" "$tmp/err"
check "... 4097 bytes: past the limit" has "error twin.invalidTwin: twin 'm4097': model id is longer than 4096 bytes" "$tmp/err"
check "... the other twin imported" test "$(twins_in "$tmp/mid.out")" = 1

# the header: one object
graph "$tmp/hdr.ndjson" 1 0
sed -i '2a {"fileVersion":"2.0.0"}' "$tmp/hdr.ndjson"
check "import: a second header object is refused (exit 1)" \
    run 1 "$tmp/hdr.out" "$tmp/err" import -o - "$tmp/hdr.ndjson"
check "... reported on its line" has "hdr.ndjson:3:1: error twin.badHeader: the header is one JSON object on one line" "$tmp/err"
check "... the first one kept" test "$(sed -n 2p "$tmp/hdr.out")" = '{"fileVersion":"1.0.0"}'

# ---- ingest: a database with twins t0, t1 (Telemetry v) and x...x (1024 bytes)
python3 - "$tmp/tel.ndjson" <<'EOF'
import json, sys
model = {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:lim:S;1", "@type": "Interface",
         "contents": [{"@type": "Telemetry", "name": "v", "schema": "double"}]}
with open(sys.argv[1], "w") as f:
    f.write('{"Section":"Header"}\n{"Section":"Models"}\n' + json.dumps(model) + "\n")
    f.write('{"Section":"Twins"}\n')
    for t in ["t0", "t1", "x" * 1024]:
        f.write(json.dumps({"$dtId": t, "$metadata": {"$model": "dtmi:lim:S;1"}}) + "\n")
EOF
newdb() {  # newdb NAME: a fresh database of that graph
    rm -f "$tmp/$1"*
    "$twinctl" import -q -d "$tmp/$1" "$tmp/tel.ndjson"
}
# samples DB: the samples the database holds
samples() {
    python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("SELECT (SELECT count(*) FROM samples) + (SELECT coalesce(sum(n), 0) FROM blocks)"
                " + (SELECT coalesce(sum(n), 0) FROM open_blocks)").fetchone()[0])' "$1"
}
latest() {  # latest DB TWIN: the latest value of TWIN's v
    python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("SELECT latest_value FROM signals WHERE twin = ? AND name = ?",
                (sys.argv[2], "v")).fetchone()[0])' "$1" "$2"
}

# ---- ingest: file size
printf 'timestamp,twin,signal,value\n1718092800,t0,v,1\n1718092801,t0,v,2\n' >"$tmp/s.csv"
size=$(stat -c %s "$tmp/s.csv")
newdb s.db
check "ingest: a file of exactly TWINCTL_MAX_FILE_BYTES is read" \
    run_env TWINCTL_MAX_FILE_BYTES=$size 0 "$tmp/out" "$tmp/err" ingest -q -d "$tmp/s.db" "$tmp/s.csv"
check "... both rows" test "$(samples "$tmp/s.db")" = 2
newdb s.db
check "ingest: one byte more is refused" \
    run_env TWINCTL_MAX_FILE_BYTES=$((size - 1)) 1 "$tmp/out" "$tmp/err" ingest -d "$tmp/s.db" "$tmp/s.csv"
check "... naming the limit" has "s.csv: larger than $((size - 1)) bytes, the limit of an input file" "$tmp/err"
check "... nothing ingested" test "$(samples "$tmp/s.db")" = 0

# ---- ingest: line length (4096 bytes): the value padded with leading zeros
pad_row() {  # pad_row BYTES TIME: a row of t0's v = 7.25 of BYTES bytes
    local head="$2,t0,v," tail="7.25"
    printf '%s%0*d%s\n' "$head" $(($1 - ${#head} - ${#tail})) 0 "$tail"
}
newdb l.db
{ echo 'timestamp,twin,signal,value'; echo '1718092800,t1,v,1'; pad_row 4096 1718092801; } >"$tmp/l.csv"
check "ingest: a row of exactly 4096 bytes is read" run 0 "$tmp/out" "$tmp/err" ingest -q -d "$tmp/l.db" "$tmp/l.csv"
check "... its value right" test "$(latest "$tmp/l.db" t0)" = 7.25
newdb l.db
{ echo 'timestamp,twin,signal,value'; echo '1718092800,t1,v,1'; pad_row 4097 1718092801; } >"$tmp/l.csv"
check "ingest: a row of 4097 bytes is refused (exit 1)" run 1 "$tmp/out" "$tmp/err" ingest -q -d "$tmp/l.db" "$tmp/l.csv"
check "... on its line, naming the limit" has "l.csv:3: error: a line longer than 4096 bytes (the limit)" "$tmp/err"
check "... the row left out, the other ingested" test "$(samples "$tmp/l.db")" = 1

# ---- ingest: twin, signal and source fields (1024 bytes)
x1024=$(printf 'x%.0s' $(seq 1024))
newdb f.db
printf 'timestamp,twin,signal,value\n1718092800,%s,v,3.5\n' "$x1024" >"$tmp/f.csv"
check "ingest: a twin of 1024 bytes is read" run 0 "$tmp/out" "$tmp/err" ingest -q -d "$tmp/f.db" "$tmp/f.csv"
check "... and its sample stored" test "$(latest "$tmp/f.db" "$x1024")" = 3.5
printf 'timestamp,twin,signal,value\n1718092800,%sx,v,3.5\n1718092800,t0,v,1\n' "$x1024" >"$tmp/f.csv"
check "ingest: a twin of 1025 bytes is a bad row (exit 1)" \
    run 1 "$tmp/out" "$tmp/err" ingest -d "$tmp/f.db" "$tmp/f.csv"
check "... naming the limit" has "f.csv:2: error: twin longer than 1024 bytes (the limit)" "$tmp/err"
check "... the other row ingested" test "$(latest "$tmp/f.db" t0)" = 1.0
printf 'timestamp,twin,signal,value\n1718092801,t1,%s,1\n' "$x1024" >"$tmp/f.csv"
check "ingest: a signal of 1024 bytes is read (and is no signal of the model)" \
    run 0 "$tmp/out" "$tmp/err" ingest -d "$tmp/f.db" "$tmp/f.csv"
check "... rejected as an unknown signal, not as a bad row" \
    grep -Eq '^ +unknown signal +1$' "$tmp/err"
printf 'timestamp,twin,signal,value\n1718092801,t1,%sx,1\n' "$x1024" >"$tmp/f.csv"
check "ingest: a signal of 1025 bytes is a bad row (exit 1)" \
    run 1 "$tmp/out" "$tmp/err" ingest -d "$tmp/f.db" "$tmp/f.csv"
check "... naming the limit" has "f.csv:2: error: signal longer than 1024 bytes (the limit)" "$tmp/err"
printf 'timestamp,twin,signal,value,source\n1718092802,t1,v,2,%s\n' "$x1024" >"$tmp/f.csv"
check "ingest: a source of 1024 bytes is read" run 0 "$tmp/out" "$tmp/err" ingest -d "$tmp/f.db" "$tmp/f.csv"
check "... and kept" has "    $x1024 " "$tmp/err"
printf 'timestamp,twin,signal,value,source\n1718092803,t1,v,2,%sx\n' "$x1024" >"$tmp/f.csv"
check "ingest: a source of 1025 bytes is a bad row (exit 1)" \
    run 1 "$tmp/out" "$tmp/err" ingest -d "$tmp/f.db" "$tmp/f.csv"
check "... naming the limit" has "f.csv:2: error: source longer than 1024 bytes (the limit)" "$tmp/err"

# ---- ingest: the header's columns (the seven, each once) and a row's fields
newdb c.db
printf 'timestamp,twin,signal,value,unit,source,receive_time\n1718092800,t0,v,4.5,,s1,1718092800.1\n' >"$tmp/c.csv"
check "ingest: a header of all seven columns is read" run 0 "$tmp/out" "$tmp/err" ingest -q -d "$tmp/c.db" "$tmp/c.csv"
check "... and its row" test "$(latest "$tmp/c.db" t0)" = 4.5
printf 'timestamp,twin,signal,value,unit,source,receive_time,unit\n1718092801,t0,v,5.5\n' >"$tmp/c.csv"
check "ingest: an eighth column is refused (exit 1)" run 1 "$tmp/out" "$tmp/err" ingest -q -d "$tmp/c.db" "$tmp/c.csv"
check "... as a malformed header" has "c.csv:1: error: header: expected timestamp,twin,signal,value then any of unit, source, receive_time" "$tmp/err"
check "... nothing more ingested" test "$(latest "$tmp/c.db" t0)" = 4.5
printf 'timestamp,twin,signal,value,unit,source,receive_time\n1718092801,t0,v,5.5,,s1,1718092801.1,x\n' >"$tmp/c.csv"
check "ingest: a row of eight fields under seven columns is a bad row (exit 1)" \
    run 1 "$tmp/out" "$tmp/err" ingest -q -d "$tmp/c.db" "$tmp/c.csv"
check "... reported" has "c.csv:2: error: expected the fields the header names (4 at least)" "$tmp/err"

# ---- ingest: rows per file
newdb r.db
{ echo 'timestamp,twin,signal,value'; for k in 1 2 3 4 5; do echo "171809280$k,t0,v,$k"; done; } >"$tmp/r.csv"
check "ingest: exactly TWINCTL_MAX_ROWS rows are read" \
    run_env TWINCTL_MAX_ROWS=5 0 "$tmp/out" "$tmp/err" ingest -q -d "$tmp/r.db" "$tmp/r.csv"
check "... all of them" test "$(samples "$tmp/r.db") $(latest "$tmp/r.db" t0)" = "5 5.0"
newdb r.db
check "ingest: one row more refuses the file (exit 1)" \
    run_env TWINCTL_MAX_ROWS=4 1 "$tmp/out" "$tmp/err" ingest -d "$tmp/r.db" "$tmp/r.csv"
check "... on the row past the limit" has "r.csv:6: error: more than 4 rows (the limit: split the file)" "$tmp/err"
check "... nothing ingested" test "$(samples "$tmp/r.db")" = 0

# ---- clocks: a pairs CSV's source names (1024 bytes, libtwin's TWIN_ID_MAX)
s1024=$(printf 's%.0s' $(seq 1024))
printf 'receive_time,source,source_time\n1700000000.5,%s,1700000000.0\n1700000001.5,%s,1700000001.0\n' \
    "$s1024" "$s1024" >"$tmp/pairs_at.csv"
check "clocks: a source name of exactly 1024 bytes is learnt" \
    run 0 "$tmp/out" "$tmp/err" clocks "$tmp/pairs_at.csv"
check "... its two pairs" grep -qE "^$s1024 .* 2 " "$tmp/out"
printf '1700000002.5,%sx,1700000002.0\n' "$s1024" >>"$tmp/pairs_at.csv"
check "clocks: a source name of 1025 bytes makes its row a bad row (exit 1)" \
    run 1 "$tmp/out" "$tmp/err" clocks "$tmp/pairs_at.csv"
check "... reported on its line, naming the limit" \
    has "pairs_at.csv:4: error: source name is longer than 1024 bytes" "$tmp/err"
check "... the other rows learnt" grep -qE "^$s1024 .* 2 " "$tmp/out"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
