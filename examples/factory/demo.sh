#!/usr/bin/env bash
# The factory demo: a living twin of the plant of plant.ndjson.
#
#   examples/factory/demo.sh [--influx] TWINCTL [OUT_DIR]
#                                   (examples/run runs it; examples/run influx
#                                   with --influx)
#
# 1. validates the DTDL models of models/;
# 2. imports the plant (261 twins, 469 relationships) into a fresh SQLite
#    store, OUT_DIR/plant.db;
# 3. generates 60 days of hourly telemetry of the 40 conveyor motors
#    (generate_telemetry.py: vibration degrading exponentially with noise,
#    one bearing going bad, one motor drifting from its model, a few samples
#    late, duplicated, in other units or in a wrong one, two bad rows);
# 4. replays it through libtwin's ingest path into the store, with an
#    exponential health model on every motor's vibration. Its parameters
#    are the seed's: a healthy motor vibrates at 0.12 G (baseline), growing
#    0.003 per day (relative rate), with failure at 10 x the baseline
#    (1.2 G); the filter then learns each motor's own level and rate from
#    its samples, and recalibrates when a motor drifts from its model;
# 4b. with --influx (needs Debian's influxdb): forwards the store to a
#    private influxd with twinctl forward, before step 7 folds its old
#    samples, and counts them back (influx.py);
# 5. prints the health table (worst first), the divergence and
#    recalibration events, and the impact of the degrading conveyor motor;
# 6. writes the graph coloured by health as DOT (and SVG when Graphviz's
#    dot is installed);
# 7. sets a retention policy in tiers (raw samples for 14 days, 6-hour
#    aggregates for 30 days, daily ones forever), folds what is due and
#    shows per tier what the store holds and its bytes;
# 8. learns the clocks of three gateways and PLCs that stamp the samples
#    (generate_clock_pairs.py: one free-running 1.8 s ahead and 45 ppm fast,
#    one set by hand 30 s forward half way, one synchronised by NTP) from
#    the host's receive times, prints the estimates beside the truth, and
#    corrects a timestamp by each clock;
# 9. asks what if line 2's conveyors ran 20% faster: a fork of the plant,
#    each motor's degradation rate scaled by (speed / rated)^3 (a bearing's
#    load law), run forward a year against the plant as it is, with the same
#    random numbers: the line's time to first stop and each motor's time to
#    failure, with intervals.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
influx=0
if [ "${1:-}" = --influx ]; then
    influx=1
    shift
fi
twinctl=${1:?usage: demo.sh [--influx] TWINCTL [OUT_DIR]}
out=${2:-demo}
if [ "$influx" = 1 ] && [ ! -x "${INFLUXD:-$(command -v influxd || true)}" ]; then
    echo "demo.sh: --influx needs influxd (apt-get install influxdb)" >&2
    exit 77
fi
mkdir -p "$out"
db=$out/plant.db
rm -f "$db" "$db-wal" "$db-shm"
t0=$(date +%s.%N)
step() { printf '\n== %s\n' "$*"; }

step "1. The DTDL models"
"$twinctl" validate "$here/models"

step "2. The plant, imported into $db"
"$twinctl" import "$here/plant.ndjson" -d "$db"

step "3. Telemetry: 60 days of the 40 conveyor motors, hourly"
python3 "$here/generate_telemetry.py" "$out/telemetry.csv"
echo "$out/telemetry.csv: $(($(wc -l <"$out/telemetry.csv") - 1)) rows"

step "4. Replayed through the ingest path (health model: baseline 0.12 G, +0.003/day)"
# Exit 1: the two malformed rows (reported by line); the rest is ingested.
"$twinctl" ingest "$out/telemetry.csv" -d "$db" --health vibration:0.12:0.003 \
    --reorder-window 7200 --events >"$out/events.txt" || [ $? -eq 1 ]

if [ "$influx" = 1 ]; then
    step "4b. Forwarded to a private InfluxDB, and counted back"
    python3 "$here/influx.py" "$twinctl" "$db"
fi

step "5. Health, worst first"
"$twinctl" health -d "$db" --top 8

step "   Divergence and recalibration events"
cat "$out/events.txt"

step "   Impact of the degrading motor L2-CV03-M"
"$twinctl" impact -d "$db" L2-CV03-M --follow partOf --follow feeds --follow monitors:in \
    --depth 4 | head -n 16

step "6. The graph, coloured by health"
"$twinctl" dot -d "$db" --health -o "$out/plant.dot"
echo "wrote $out/plant.dot"
if command -v dot >/dev/null; then
    "$twinctl" dot -d "$db" --health --svg "$out/plant.svg"
    echo "wrote $out/plant.svg"
fi

step "7. Tiers: raw 14 days, then 6-hour aggregates for 30 days, daily ones forever"
"$twinctl" tiers -d "$db" --policy raw:14d,6h:30d,1d:forever --fold

step "8. Clocks that drift: the gateways' and PLCs' clocks, from their receive times"
python3 "$here/generate_clock_pairs.py" "$out/clock_pairs.csv" "$out/clock_truth.txt"
"$twinctl" clocks -d "$db" --save --tolerance-offset 100ms --tolerance-skew 20 \
    --correct 2024-07-31T00:10:00Z "$out/clock_pairs.csv"
echo "the truth:"
sed 's/^/  /' "$out/clock_truth.txt"

step "9. What if line 2's conveyors ran 20% faster?"
sets=()
for cv in $(sed -n 's/.*"\$dtId":"\(L2-CV[0-9]*\)","\$metadata".*/\1/p' "$here/plant.ndjson"); do
    sets+=(--set "$cv.speedSetpoint=*1.2")
done
"$twinctl" whatif -d "$db" "${sets[@]}" --stress vibration:speedSetpoint:power:3:0.5:partOf \
    --horizon 365d --runs 2000 --twin L2 --top 10
printf '\ndemo: done in %.1f s\n' "$(echo "$(date +%s.%N) - $t0" | bc)"
