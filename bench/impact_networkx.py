#!/usr/bin/env python3
"""networkx side of bench_impact: the same traversals on the same edges.

Usage: impact_networkx.py EDGEFILE [CLOSURE_RUNS [FULL_RUNS]]

EDGEFILE (written by bench_impact, uint32 in native byte order throughout):
    magic "TWE1", n (twins), m (relationships), r (roots),
    r root numbers, then m (source, target) pairs.

Builds a DiGraph with nodes 0..n-1 (in twin order) and the m edges, then
times, warm, nx.descendants() from each root (one sample: the r closures in
a row, divided by r) and from twin 0 (the whole graph). Prints on stdout,
one per line:
    networkx VERSION
    python VERSION
    build_s S
    closure_ms MEDIAN FASTEST     (milliseconds per closure)
    full_ms MEDIAN FASTEST        (milliseconds)
    closure_counts C1 ... Cr      (twins reached, the root included)
    full_count C
Exit status 3 when networkx cannot be imported.
"""
import platform
import statistics
import struct
import sys
import time
from array import array

try:
    import networkx as nx
except ImportError as e:
    print(f"skipped: networkx: {e}")
    sys.exit(3)


def main():
    path = sys.argv[1]
    closure_runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    full_runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    with open(path, "rb") as f:
        magic, n, m, r = struct.unpack("=4sIII", f.read(16))
        if magic != b"TWE1":
            sys.exit("impact_networkx: bad edge file")
        roots = array("I")
        roots.fromfile(f, r)
        edges = array("I")
        edges.fromfile(f, 2 * m)

    t0 = time.perf_counter()
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    it = iter(edges)
    g.add_edges_from(zip(it, it))
    build_s = time.perf_counter() - t0
    del edges, it
    if g.number_of_edges() != m:
        sys.exit(f"impact_networkx: {g.number_of_edges()} edges, expected {m}")

    roots = list(roots)
    counts = [len(nx.descendants(g, x)) + 1 for x in roots]  # warm-up
    samples = []
    for _ in range(closure_runs):
        t = time.perf_counter()
        for x in roots:
            nx.descendants(g, x)
        samples.append((time.perf_counter() - t) * 1e3 / len(roots))
    closure_ms = (statistics.median(samples), min(samples))

    full_count = len(nx.descendants(g, 0)) + 1  # warm-up
    samples = []
    for _ in range(full_runs):
        t = time.perf_counter()
        nx.descendants(g, 0)
        samples.append((time.perf_counter() - t) * 1e3)
    full_ms = (statistics.median(samples), min(samples))

    print(f"networkx {nx.__version__}")
    print(f"python {platform.python_version()} {sys.executable}")
    print(f"build_s {build_s:.3f}")
    print("closure_ms %.6f %.6f" % closure_ms)
    print("full_ms %.3f %.3f" % full_ms)
    print("closure_counts " + " ".join(map(str, counts)))
    print(f"full_count {full_count}")


if __name__ == "__main__":
    main()
