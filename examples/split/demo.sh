#!/usr/bin/env bash
# The split factory demo: the plant of examples/factory over three gateway
# processes and one site process, through a real MQTT broker (Sparkplug B).
#
#   examples/split/demo.sh BUILD_DIR [OUT_DIR]     (examples/run split runs it)
#
# 1. imports the plant (plant.ndjson) into a SQLite store, OUT_DIR/plant.db,
#    and generates the single-process demo's 60 days of motor telemetry;
# 2. starts Debian's mosquitto on 127.0.0.1 and a free port, in a temporary
#    directory (stopped by its PID at the end);
# 3. starts the site (split_site, a Sparkplug Host Application): the plant's
#    graph from the store, its STATE online;
# 4. starts three gateways (split_gateway, Sparkplug Edge Nodes, each
#    waiting for the site's STATE): gw-a owns body lines 1 and 2, gw-b body
#    lines 3 and 4, gw-pack the packing line. Each replays its lines'
#    telemetry through libtwin's ingest path with a health model on every
#    motor's vibration and publishes its motors as devices (DBIRTH), their
#    telemetry, health and RUL (DDATA by alias), then stops (NDEATH);
# 5. the site prints what it saw of each gateway, the merged health table
#    and the impact of the worst motor (on gw-a) across the plant: through
#    line 2's inspection zone into the packing line, on gw-pack.
# Exit status: non-zero when the site did not see every motor of every
# gateway (the counts are taken from plant.ndjson), or a process failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
factory=$here/../factory
build=${1:?usage: demo.sh BUILD_DIR [OUT_DIR]}
out=${2:-$build/demo-split}
twinctl=$build/tools/twinctl/twinctl
gateway=$build/examples/split_gateway
site=$build/examples/split_site
mosquitto=${MOSQUITTO:-/usr/sbin/mosquitto}
for exe in "$twinctl" "$gateway" "$site"; do
    [ -x "$exe" ] || { echo "demo.sh: $exe is not built (libmosquitto-dev missing?)" >&2; exit 1; }
done
if [ ! -x "$mosquitto" ]; then
    echo "demo.sh: no mosquitto at $mosquitto (apt-get install mosquitto)" >&2
    exit 77
fi
mkdir -p "$out"
t0=$(date +%s.%N)
step() { printf '\n== %s\n' "$*"; }

broker_dir=$(mktemp -d /tmp/twin-split-XXXXXX)
pids=()
broker_pid=
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    if [ -n "$broker_pid" ]; then
        kill "$broker_pid" 2>/dev/null || true
        wait "$broker_pid" 2>/dev/null || true
    fi
    rm -rf "$broker_dir"
}
trap cleanup EXIT

step "1. The plant and its telemetry"
rm -f "$out/plant.db" "$out/plant.db-wal" "$out/plant.db-shm"
"$twinctl" import "$factory/plant.ndjson" -d "$out/plant.db"
python3 "$factory/generate_telemetry.py" "$out/telemetry.csv"

# Which lines each gateway owns, and how many motors (Sparkplug devices)
# that makes, from plant.ndjson.
nodes=(gw-a gw-b gw-pack)
lines=(L1,L2 L3,L4 PK)
motors() {  # motors LINE,LINE
    local n=0 l
    for l in ${1//,/ }; do
        n=$((n + $(grep -c "\"\\\$dtId\":\"$l-[A-Z0-9-]*\",\"\\\$metadata\":{\"\\\$model\":\"dtmi:libtwin:factory:Motor;1\"" \
            "$factory/plant.ndjson")))
    done
    echo "$n"
}
expect=
for i in 0 1 2; do
    expect+="${expect:+,}${nodes[$i]}=$(motors "${lines[$i]}")"
done

step "2. A private broker on 127.0.0.1"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$broker_dir/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_queued_bytes 0
log_dest stderr
log_type error
log_type warning
EOF
"$mosquitto" -c "$broker_dir/mosquitto.conf" 2>"$broker_dir/mosquitto.log" &
broker_pid=$!
for _ in $(seq 100); do
    if python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $port)))"; then
        break
    fi
    sleep 0.05
done
echo "mosquitto (pid $broker_pid) on 127.0.0.1:$port"

step "3. The site (host application) and 4. three gateways (edge nodes)"
echo "expected motors by gateway: $expect"
"$site" --broker "127.0.0.1:$port" --plant "$out/plant.db" --expect "$expect" \
    --seconds 120 >"$out/site.out" 2>&1 &
site_pid=$!
pids+=("$site_pid")
# the gateways wait for the site's STATE before their births
gw_pids=()
for i in 0 1 2; do
    "$gateway" --broker "127.0.0.1:$port" --node "${nodes[$i]}" --lines "${lines[$i]}" \
        --plant "$out/plant.db" --telemetry "$out/telemetry.csv" >"$out/${nodes[$i]}.out" 2>&1 &
    gw_pids+=($!)
    pids+=($!)
done
failed=0
for i in 0 1 2; do
    if ! wait "${gw_pids[$i]}"; then
        echo "demo.sh: gateway ${nodes[$i]} failed:" >&2
        failed=1
    fi
    cat "$out/${nodes[$i]}.out"
done
site_rc=0
wait "$site_pid" || site_rc=$?
pids=()

step "5. The site's view: every gateway in one graph"
cat "$out/site.out"
if [ "$failed" -ne 0 ] || [ "$site_rc" -ne 0 ]; then
    echo "demo.sh: FAILED (gateways $failed, site exit $site_rc)" >&2
    exit 1
fi
printf '\nsplit demo: done in %.1f s\n' "$(echo "$(date +%s.%N) - $t0" | bc)"
