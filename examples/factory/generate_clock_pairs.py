#!/usr/bin/env python3
"""Write the clock pairs of the factory demo's gateways as CSV.

    generate_clock_pairs.py OUT_CSV TRUTH_TXT

Rows are receive_time,source,source_time (seconds since the epoch, to the
microsecond): for each sample a gateway or PLC sends, the host's receive
time and the timestamp the source put on it by its own clock. Ten minutes at
one sample a second per source, from 2024-07-31T00:00:00Z (the end of the
demo's telemetry), in the order the host received them. Standard library
only; a fixed seed: the same output every run.

The sources:
- GW-L1, line 1's gateway: a free-running RTC 1.8 s ahead, 45 ppm fast.
- PLC-L3, line 3's PLC: 0.6 s behind and 25 ppm slow, until someone sets it
  by hand at minute 5, 30 s forward (a step).
- GW-L2, line 2's gateway, synchronised by NTP: 2 ms ahead, 1 ppm.
Delays from source to host: exponential, mean 3 ms, and 5% of the samples
held a further 300 ms on average (a heavy tail; such a sample may arrive
after later ones).

TRUTH_TXT receives each source's true offset (host minus source time) at the
last sample and its skew, to set beside twinctl clocks' estimate.
"""

import random
import sys

SEED = 20240731
T0 = 1722384000.0  # 2024-07-31T00:00:00Z
SECONDS = 600
# name: (ahead s, skew ppm, step at s or None, step s)
SOURCES = {
    "GW-L1": (1.8, 45.0, None, 0.0),
    "PLC-L3": (-0.6, -25.0, 300, 30.0),
    "GW-L2": (0.002, 1.0, None, 0.0),
}


def source_time(spec, t):
    ahead, skew, step_at, step = spec
    v = t + ahead + skew * 1e-6 * (t - T0)
    if step_at is not None and t >= T0 + step_at:
        v += step
    return v


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    rng = random.Random(SEED)
    rows = []
    truth = []
    for name, spec in SOURCES.items():
        last = 0.0
        for k in range(SECONDS):
            sent = T0 + k + rng.random() * 0.01
            delay = rng.expovariate(1 / 0.003)
            if rng.random() < 0.05:
                delay += rng.expovariate(1 / 0.3)
            recv = sent + delay  # a held sample may arrive after later ones
            last = max(last, recv)
            rows.append((recv, name, source_time(spec, sent)))
        truth.append("%-8s true offset %+10.3f ms, skew %+7.2f ppm%s"
                     % (name, (last - source_time(spec, last)) * 1e3, spec[1],
                        ", set by hand +%g s at minute %d" % (spec[3], spec[2] // 60)
                        if spec[2] is not None else ""))
    rows.sort()
    with open(argv[1], "w", encoding="utf-8") as f:
        f.write("receive_time,source,source_time\n")
        for recv, name, st in rows:
            f.write("%.6f,%s,%.6f\n" % (recv, name, st))
    with open(argv[2], "w", encoding="utf-8") as f:
        f.write("\n".join(truth) + "\n")


if __name__ == "__main__":
    main(sys.argv)
