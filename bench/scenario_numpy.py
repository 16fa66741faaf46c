#!/usr/bin/env python3
"""numpy side of bench_scenario: the scenario run, vectorised.

Usage: scenario_numpy.py DATAFILE [REPS]

DATAFILE (written by bench_scenario, text):
    run RUNS HORIZON_S STEP_S
    sig TWIN SIGN ML MB L11 L21 L22 C     one per health signal: its twin's
        index, the side the threshold is crossed from (+1 rising), the
        level now and rate in model space (log(v - phi)), the Cholesky
        factor of their covariance, the threshold in model space
    twin ID INPUT...                      one per twin, in index order: the
        indexes of the twins it depends on (series: down when one is)

Each repetition does what twin_scenario_run() does without process noise,
over all runs and signals at once: draws (level, rate) from each posterior
(two standard normals per run and signal), the analytic crossing time
sign * (C - level) / (sign * rate) (0 when already beyond, never when
moving away), onto the day grid (end of the step, never beyond the
horizon), the earliest per twin, then through the structure level by level
(a twin's time is the earliest of its own and its inputs'), and the
summary libtwin makes (P(fail), median and 5%/95% quantiles of the time
to failure, availability). Prints:
    numpy VERSION
    rate RUNS_PER_SECOND        (median of the repetitions)
    twin I P UP SD              (each twin, by index, from the last
                                repetition: P(fail), mean and standard
                                deviation of its uptime min(t, horizon))
Exit status 3 when numpy cannot be imported.
"""
import statistics
import sys
import time

try:
    import numpy as np
except ImportError as e:
    print(f"skipped: numpy: {e}")
    sys.exit(3)


def main():
    path = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    sigs, inputs = [], []
    with open(path) as f:
        for line in f:
            w = line.split()
            if w[0] == "run":
                runs, horizon, step = int(w[1]), float(w[2]), float(w[3])
            elif w[0] == "sig":
                sigs.append([float(x) for x in w[1:]])
            elif w[0] == "twin":
                inputs.append([int(x) for x in w[2:]])
    n = len(inputs)
    s = np.array(sigs, dtype=np.float64).reshape(-1, 8)
    node = s[:, 0].astype(np.intp)
    order = np.argsort(node, kind="stable")
    s, node = s[order], node[order]
    sign, ml, mb, l11, l21, l22, c = (s[:, k] for k in range(1, 8))
    # signals grouped by twin: a twin's own time is its earliest signal's
    own_tw, own_start = np.unique(node, return_index=True)

    # Levels of the structure: a twin comes after its inputs. Per level,
    # the flattened inputs and where each twin's start (np.minimum.reduceat).
    depth = [0] * n
    changed = True
    while changed:
        changed = False
        for i in range(n):
            d = 1 + max((depth[j] for j in inputs[i]), default=-1)
            if inputs[i] and d != depth[i]:
                depth[i], changed = d, True
    levels = []
    for d in range(1, max(depth) + 1):
        tw = [i for i in range(n) if inputs[i] and depth[i] == d]
        flat = np.array([j for i in tw for j in inputs[i]], dtype=np.intp)
        starts = np.cumsum([0] + [len(inputs[i]) for i in tw[:-1]]).astype(np.intp)
        levels.append((np.array(tw, dtype=np.intp), flat, starts))

    rng = np.random.default_rng(17)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        z = rng.standard_normal((2, runs, len(sigs)))
        level = ml + l11 * z[0]
        rate = mb + l21 * z[0] + l22 * z[1]
        d = sign * (c - level)
        sb = sign * rate
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(d <= 0, 0.0, np.where(sb > 0, d / sb, np.inf))
        # onto the grid: the end of the step; beyond the horizon: never
        g = np.minimum(np.ceil(t / step) * step, horizon)
        g[~(t <= horizon)] = np.inf
        ft = np.full((runs, n), np.inf)
        ft[:, own_tw] = np.minimum.reduceat(g, own_start, axis=1)
        for tw, flat, starts in levels:
            ft[:, tw] = np.minimum(ft[:, tw], np.minimum.reduceat(ft[:, flat], starts, axis=1))
        # the summary of every twin
        p_fail = np.mean(ft < np.inf, axis=0)
        srt = np.sort(ft, axis=0)
        quant = srt[[max(int(np.ceil(q * runs)) - 1, 0) for q in (0.05, 0.5, 0.95)], :]
        avail = np.mean(np.minimum(ft, horizon), axis=0) / horizon
        times.append(time.perf_counter() - t0)
    del quant, avail
    print(f"numpy {np.__version__}")
    print(f"rate {runs / statistics.median(times):.6g}")
    up = np.minimum(ft, horizon)
    mean_up, sd_up = up.mean(axis=0), up.std(axis=0, ddof=1) if runs > 1 else np.zeros(n)
    for i in range(n):
        print(f"twin {i} {p_fail[i]:.9g} {mean_up[i]:.17g} {sd_up[i]:.17g}")


if __name__ == "__main__":
    main()
