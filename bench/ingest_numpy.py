#!/usr/bin/env python3
"""numpy side of bench_ingest: the floor's health arithmetic, vectorised.

Usage: ingest_numpy.py DATAFILE [RUNS]

DATAFILE (written by bench_ingest, native byte order):
    magic "TWI1", ns and steps (uint64), 16 float64 options
    (phi, prior mean x0, x1, prior covariance P00, P01, P11, noise,
    divergence threshold, clear level, count, EMA alpha, seconds per step,
    then 4 unused), then steps x ns float64 values.

The state of the ns signals lives in numpy arrays; each step updates all
of them at once with the same operations as twin_health_update() for the
exponential model with EMA recalibration (log, prediction, relative error,
Welford, divergence with hysteresis, then the Kalman update where not
diverged and Holt's EMA where diverged, chosen with masks). Each run starts
from the prior and times every step (the batch arrives as an array). Prints:
    numpy VERSION
    rate SAMPLES_PER_SECOND       (median of the runs)
    state0 X0 X1                  (signal 0 after the last step, for a check)
Exit status 3 when numpy cannot be imported.
"""
import statistics
import struct
import sys
import time

try:
    import numpy as np
except ImportError as e:
    print(f"skipped: numpy: {e}")
    sys.exit(3)


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with open(path, "rb") as f:
        magic = f.read(4)
        if magic != b"TWI1":
            sys.exit("ingest_numpy: bad data file")
        ns, steps = struct.unpack("=QQ", f.read(16))
        o = struct.unpack("=16d", f.read(128))
        values = np.fromfile(f, dtype=np.float64, count=ns * steps).reshape(steps, ns)
    phi, pm0, pm1, p00, p01, p11, noise, thr, clear, count, alpha, step_s = o[:12]
    det = p00 * p11 - p01 * p01
    L0, L1, L2 = p11 / det, -p01 / det, p00 / det

    rates = []
    for _ in range(runs):
        m0 = np.full(ns, pm0)
        m1 = np.full(ns, pm1)
        l0 = np.full(ns, L0)
        l1 = np.full(ns, L1)
        l2 = np.full(ns, L2)
        mean = np.zeros(ns)
        m2 = np.zeros(ns)
        n = 0
        above = np.zeros(ns, dtype=np.int64)
        div = np.zeros(ns, dtype=bool)
        tp = 0.0
        elapsed = 0.0
        for k in range(steps):
            v = values[k]
            t = (k + 1) * step_s
            t0 = time.perf_counter()
            y = np.log(v - phi)
            pred = phi + np.exp(m0 + m1 * t)
            e = (v - pred) / np.maximum(np.abs(pred), np.finfo(np.float64).tiny)
            n += 1
            d = e - mean
            mean += d / n
            m2 += d * (e - mean)
            a = np.abs(e)
            over = a > thr
            above = np.where(div, above, np.where(over, above + 1, 0))
            start = ~div & (above >= count)
            stop = div & (a <= clear)
            div = (div | start) & ~stop
            above = np.where(stop, 0, above)
            # EMA where diverged, the Kalman update elsewhere
            lp = m0 + m1 * tp
            level = alpha * y + (1 - alpha) * (m0 + m1 * t)
            rate = alpha * (level - lp) / (t - tp) + (1 - alpha) * m1
            n0 = l0 + 1.0 / noise
            n1 = l1 + t / noise
            n2 = l2 + t * t / noise
            dt = n0 * n2 - n1 * n1
            res = (y - (m0 + m1 * t)) / noise
            g0 = (n2 - n1 * t) / dt * res
            g1 = (n0 * t - n1) / dt * res
            m0 = np.where(div, level - rate * t, m0 + g0)
            m1 = np.where(div, rate, m1 + g1)
            l0 = np.where(div, l0, n0)
            l1 = np.where(div, l1, n1)
            l2 = np.where(div, l2, n2)
            elapsed += time.perf_counter() - t0
            tp = t
        rates.append(ns * steps / elapsed)
    print(f"numpy {np.__version__}")
    print(f"rate {statistics.median(rates):.6g}")
    print(f"state0 {m0[0]!r} {m1[0]!r}")


if __name__ == "__main__":
    main()
