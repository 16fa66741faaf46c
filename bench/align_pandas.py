#!/usr/bin/env python3
"""pandas side of bench_align: the same alignment with merge_asof.

Usage: align_pandas.py DATAFILE [RUNS]

DATAFILE (written by bench_align, native byte order): magic "TWA1", then
int64 signals, rows, grid start, grid step, tolerance, then per signal its
sample count (int64), timestamps (int64) and values (float64).

For each signal, merge_asof of the grid with its samples backward and
forward (tolerance as given), then the linear policy of twin/series.h
with numpy: the sample at T, else the line between the two neighbours.
Also the previous policy (backward alone), for the semantics check. Times
the merges and the arithmetic (the frames are built beforehand), the
median of RUNS runs. Prints:
    pandas VERSION
    seconds_linear S
    linear COUNT SUM       (covered values and their sum)
    previous COUNT SUM
Exit status 3 when pandas cannot be imported.
"""
import statistics
import struct
import sys
import time

try:
    import numpy as np
    import pandas as pd
except ImportError as e:
    print(f"skipped: pandas: {e}")
    sys.exit(3)


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(path, "rb") as f:
        if f.read(4) != b"TWA1":
            sys.exit("bad data file")
        ns, rows, start, step, tol = struct.unpack("=5q", f.read(40))
        sigs = []
        for _ in range(ns):
            (n,) = struct.unpack("=q", f.read(8))
            t = np.frombuffer(f.read(8 * n), dtype=np.int64)
            v = np.frombuffer(f.read(8 * n), dtype=np.float64)
            sigs.append(pd.DataFrame({"t": t, "ts": t, "v": v}))
    grid = pd.DataFrame({"t": start + step * np.arange(rows, dtype=np.int64)})
    T = grid["t"].to_numpy()

    def linear():
        out = []
        for df in sigs:
            b = pd.merge_asof(grid, df, on="t", direction="backward", tolerance=tol)
            a = pd.merge_asof(grid, df, on="t", direction="forward", tolerance=tol)
            tp, vp = b["ts"].to_numpy(dtype=np.float64), b["v"].to_numpy()
            tn, vn = a["ts"].to_numpy(dtype=np.float64), a["v"].to_numpy()
            exact = tp == T
            with np.errstate(invalid="ignore", divide="ignore"):
                lin = vp + (vn - vp) * ((T - tp) / (tn - tp))
            out.append(np.where(exact, vp, lin))
        return out

    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        res = linear()
        times.append(time.perf_counter() - t0)
    allv = np.concatenate(res)
    ok = ~np.isnan(allv)
    prev = np.concatenate([pd.merge_asof(grid, df, on="t", direction="backward",
                                         tolerance=tol)["v"].to_numpy() for df in sigs])
    pok = ~np.isnan(prev)
    print(f"pandas {pd.__version__}")
    print(f"seconds_linear {statistics.median(times):.6f}")
    print(f"linear {int(ok.sum())} {float(allv[ok].sum()):.9e}")
    print(f"previous {int(pok.sum())} {float(prev[pok].sum()):.9e}")


if __name__ == "__main__":
    main()
