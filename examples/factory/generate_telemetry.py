#!/usr/bin/env python3
"""Write telemetry of the factory demo's conveyor motors as CSV.

    generate_telemetry.py [OUT] [--days N]   default: stdout, 60 days

Rows are timestamp,twin,signal,value[,unit] (ISO 8601 UTC), one vibration
(gForce, RMS bearing vibration) and one temperature (degreeCelsius) sample
per motor per hour, for every Motor twin of plant.ndjson (40 motors), from
2024-06-01T00:00:00Z. Standard library only; a fixed seed: the same output
every run.

What is in it:
- Bearing vibration degrading exponentially with noise: motor i starts at
  0.12 G times a small per-motor spread (5%) and grows by 0.003 per day
  (relative; again with a small spread), with 4% multiplicative noise. These
  are the seed's figures, the ones the demo's health model is given.
- DEGRADING (L2-CV03-M): a bearing going bad, growing 0.035 per day, more
  than ten times the fleet's rate: it reaches about 1 G by the end, near the
  failure level (10 x 0.12 G).
- DRIFTING (L3-CV05-M): at day 30 its vibration steps up by 70% (a loosened
  mount) and goes on from there: it drifts from its model, which diverges,
  recalibrates and follows again.
- A few samples late (written after the next sample of their signal), duplicated (the
  same row twice), and in other units: vibration in metrePerSecondSquared
  and temperature in degreeFahrenheit (converted on ingest), vibration in
  degreeCelsius (a wrong unit: rejected); samples of a twin that does not
  exist; and two malformed rows (a bad timestamp, a missing value).
"""

import datetime
import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240601
START = datetime.datetime(2024, 6, 1, tzinfo=datetime.timezone.utc)
BASELINE_G = 0.12      # healthy RMS vibration, gForce
RATE_PER_DAY = 0.003   # relative growth per day
NOISE = 0.04           # multiplicative noise
DEGRADING = "L2-CV03-M"
DEGRADING_RATE = 0.035
DRIFTING = "L3-CV05-M"
DRIFT_DAY = 30
DRIFT_FACTOR = 1.7


def motors():
    out = []
    section = None
    with open(os.path.join(HERE, "plant.ndjson")) as f:
        for line in f:
            d = json.loads(line)
            if list(d) == ["Section"]:
                section = d["Section"]
            elif section == "Twins" and d["$metadata"]["$model"].endswith(":Motor;1"):
                out.append(d["$dtId"])
    return out


def iso(t_hours):
    t = START + datetime.timedelta(hours=t_hours)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def main(argv):
    days = 60
    out = "-"
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--days":
            days = int(args.pop(0))
        else:
            out = a
    rng = random.Random(SEED)
    ms = motors()
    params = {}
    for m in ms:
        b = BASELINE_G * (1 + 0.05 * rng.gauss(0, 1))
        r = RATE_PER_DAY * (1 + 0.2 * rng.gauss(0, 1))
        if m == DEGRADING:
            r = DEGRADING_RATE
        params[m] = (b, r, 55 + 5 * rng.gauss(0, 1))
    rows = []
    for h in range(days * 24):
        d = h / 24.0
        for m in ms:
            b, r, temp = params[m]
            v = b * math.exp(r * d) * (1 + NOISE * rng.gauss(0, 1))
            if m == DRIFTING and d >= DRIFT_DAY:
                v *= DRIFT_FACTOR
            rows.append([iso(h), m, "vibration", "%.5f" % v])
            rows.append([iso(h), m, "temperature", "%.2f" % (temp + 1.5 * rng.gauss(0, 1))])
    # Imperfections, at fixed places.
    n = len(rows)
    picks = [int(rng.random() * (n - 10)) + 5 for _ in range(40)]
    for i in picks[0:8]:      # in metrePerSecondSquared (converted)
        if rows[i][2] == "vibration":
            rows[i][3] = "%.5f" % (float(rows[i][3]) * 9.80665)
            rows[i].append("metrePerSecondSquared")
    for i in picks[8:14]:     # temperature in degreeFahrenheit (converted)
        if rows[i][2] == "temperature":
            rows[i][3] = "%.2f" % (float(rows[i][3]) * 9 / 5 + 32)
            rows[i].append("degreeFahrenheit")
    for i in picks[14:18]:    # vibration in degreeCelsius (rejected)
        if rows[i][2] == "vibration" and len(rows[i]) == 4:
            rows[i].append("degreeCelsius")
    dups = sorted(set(picks[18:30]), reverse=True)
    for i in dups:            # the same row twice
        rows.insert(i + 1, list(rows[i]))
    late = sorted(set(picks[30:36]), reverse=True)
    for i in late:            # after the signal's next sample: an hour late
        rows.insert(i + 100, rows.pop(i))
    ghost = picks[36]
    rows.insert(ghost, [rows[ghost][0], "L9-CV01-M", "vibration", "0.11"])
    rows.insert(ghost + 1, [rows[ghost][0], "L9-CV01-M", "temperature", "50.0"])
    rows.insert(picks[37], ["2024-06-31T99:00:00Z", ms[0], "vibration", "0.12"])
    rows.insert(picks[38], [rows[picks[38]][0], ms[1], "vibration"])
    f = sys.stdout if out == "-" else open(out, "w")
    f.write("timestamp,twin,signal,value,unit\n")
    for r in rows:
        f.write(",".join(r) + "\n")
    if f is not sys.stdout:
        f.close()


if __name__ == "__main__":
    main(sys.argv[1:])
