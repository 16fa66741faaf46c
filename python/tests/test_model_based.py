"""Model-based test (issue 21): random sequences of graph, ingest, storage,
snapshot and impact operations run against libtwin through the binding and
against a small reference model written here, compared after every
operation; a failing sequence is shrunk (delta debugging: drop operations
while it still fails) and printed.

The model: twins (model, properties) and relationships in dicts; per signal
its options, latest sample and the history ring of ingest.h's time checks
(the last ``history`` accepted samples, the newest evicted time), which
classify each sample as accepted, late, duplicate, conflict, out of order
or not finite; what the store must have received (accepted samples in
order, twins, relationships). Impact answers come from networkx
(breadth-first distances over the relationships the query follows); each
hit's parent, relationship and score are checked against the rule.

Backends: most sequences go through a :class:`~libtwin.Store` whose Python
callbacks mirror what they receive (compared with the model at every
flush); one in ``SQLITE_EVERY`` through libtwin-sqlite, with reloads from
the database (close, open, load: the graph, latest values and every
stored sample compared).

Run alone (prints the seed; replays one with --seed):
    LIBTWIN_LIBRARY=build/lib/libtwin.so.1 \\
    LIBTWIN_SQLITE_LIBRARY=build/lib/sqlite/libtwin-sqlite.so.1 \\
    PYTHONPATH=python python3 python/tests/test_model_based.py [--seed N] [--sequences K]
In pytest: LIBTWIN_MBT_SEED and LIBTWIN_MBT_SEQUENCES (default 1500).
"""

from __future__ import annotations

import math
import os
import random
import shutil
import struct
import sys
import tempfile
from collections import deque

import pytest

if __name__ == "__main__":  # run alone: the in-tree package
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import libtwin  # noqa: E402
from libtwin import errors  # noqa: E402
from libtwin import sqlite as tsq  # noqa: E402

nx = pytest.importorskip("networkx") if __name__ != "__main__" else __import__("networkx")

S = 1_000_000
TWINS = ["a", "b", "c", "d", "e", "f"]
MODELS = ["dtmi:mbt:Pump;1", "dtmi:mbt:Tank;1"]
NAMES = ["feeds", "partOf", "drives"]
SIGNALS = ["v", "w"]
VALUES = [1.0, 2.0, 2.5, 0.0, -0.0, 1e300, float("nan"), float("inf")]  # not finite last
SQLITE_EVERY = 12
OUTCOME = {o.value: o.name for o in libtwin.Outcome}


class Mismatch(AssertionError):
    pass


def bits(samples):
    """Samples with their values' bits: -0.0 is not 0.0 for a store."""
    return [(t, struct.pack("<d", v)) for t, v in samples]


def check(cond, what):
    if not cond:
        raise Mismatch(what)


# ---- generating operations ------------------------------------------------------------


class Gen:
    """Makes operations, keeping a rough idea of what exists (twins and
    signals it asked for) so that most operations hit something; the rest
    name anything, to test the failures."""

    def __init__(self, r: random.Random):
        self.r = r
        self.twins: set = set()
        self.sigs: set = set()
        self.rels: list = []   # (source, name, target) asked for
        self.clock: dict = {}

    def twin(self):
        r = self.r
        if self.twins and r.random() < 0.85:
            return r.choice(sorted(self.twins))
        return r.choice(TWINS)

    def sample(self):
        r = self.r
        key = r.choice(sorted(self.sigs)) if self.sigs and r.random() < 0.9 else \
            (r.choice(TWINS), r.choice(SIGNALS))
        t = self.clock.get(key, 10 * S)
        t += r.choice([1, 1, 2, 5, 0, 0, -1, -2, -3, -25]) * S
        self.clock[key] = max(t, self.clock.get(key, t))
        v = r.choice(VALUES[-2:]) if r.random() < 0.1 else r.choice(VALUES[:-2])
        return (key[0], key[1], t, v)

    def op(self):
        r = self.r
        k = r.random()
        if k < 0.12 or len(self.twins) < 2 and k < 0.5:
            tw = r.choice(TWINS)
            props = {}
            if r.random() < 0.5:
                props["h"] = r.choice([0.0, 0.25, 0.5, 1.0])
            if r.random() < 0.3:
                props["serial"] = r.choice(["X1", "Y2", ""])
            self.twins.add(tw)
            return ("add_twin", tw, r.choice(MODELS), props)
        tw = self.twin()
        if k < 0.16:
            cascade = r.random() < 0.6
            if cascade:
                self.twins.discard(tw)
                self.sigs = {s for s in self.sigs if s[0] != tw}
            return ("remove_twin", tw, cascade)
        if k < 0.34:
            rel = ("add_rel", tw, "r%d" % r.randrange(4), r.choice(NAMES), self.twin())
            self.rels.append((rel[1], rel[3], rel[4]))
            return rel
        if k < 0.37:
            return ("remove_rel", tw, "r%d" % r.randrange(4))
        if k < 0.43:
            return ("set_prop", tw, r.choice(["h", "n", "s"]),
                    r.choice([0.0, 0.5, 0.75, 1.0, 7, True, "on"]))
        if k < 0.50:
            name = r.choice(SIGNALS)
            self.sigs.add((tw, name))
            return ("add_signal", tw, name, r.choice(["reject", "window"]),
                    r.choice([0, 3 * S, 20 * S]), r.choice([0, 1, 2, 5]))
        if k < 0.76:
            return ("write", tuple(self.sample() for _ in range(r.randint(1, 8))))
        if k < 0.80:
            return ("flush",)
        if k < 0.84:
            return ("snapshot",)
        if k < 0.86:
            return ("reload",)
        # mostly from an end of a relationship asked for, following its name
        follow, names = None, list(NAMES)
        roots = {self.twin() for _ in range(r.randint(1, 2))}
        if self.rels and r.random() < 0.75:
            src, name, tgt = r.choice(self.rels)
            roots = {src} if r.random() < 0.7 else {tgt}
            names = [name] + [n for n in NAMES if n != name]
        if r.random() < 0.6:
            follow = tuple(r.choice([n, (n, r.choice(["out", "in", "both"]))])
                           for n in names[:r.randint(1, 2)])
        return ("impact", tuple(sorted(roots)), follow, r.choice(["out", "out", "in", "both"]),
                r.choice([None, None, 0, 1, 2]), r.choice(["weakest", "attenuate"]),
                r.choice([0.0, 0.3]))


def gen_sequence(r: random.Random):
    g = Gen(r)
    return [g.op() for _ in range(r.randint(1, 50))]


# ---- the reference model ------------------------------------------------------------


class Sig:
    def __init__(self, order, window, history):
        self.order, self.window, self.history = order, window, history
        self.latest = None            # (t, v)
        self.ring = deque()           # last `history` accepted (t, v)
        self.evicted_max = None
        self.stored = []              # accepted samples, in order

    def push(self, t, v):
        if self.history == 0:
            return
        if len(self.ring) == self.history:
            et = self.ring.popleft()[0]
            if self.evicted_max is None or et > self.evicted_max:
                self.evicted_max = et
        self.ring.append((t, v))

    def classify(self, t, v):
        """ingest.h's checks, in order; the outcome's name."""
        if not math.isfinite(v):
            return "NOT_FINITE"
        if self.latest is None or t > self.latest[0]:
            self.latest = (t, v)
            self.push(t, v)
            self.stored.append((t, v))
            return "ACCEPTED"
        if t == self.latest[0]:
            return "DUPLICATE" if v == self.latest[1] else "CONFLICT"
        if self.history:
            for et, ev in self.ring:
                if et == t:
                    return "DUPLICATE" if ev == v else "CONFLICT"
            if (self.order == "window" and (self.evicted_max is None or t > self.evicted_max)
                    and self.latest[0] - t <= self.window):
                self.push(t, v)
                self.stored.append((t, v))
                return "ACCEPTED_LATE"
        return "OUT_OF_ORDER"


class Model:
    def __init__(self):
        self.twins = {}   # id -> [model, props]
        self.rels = {}    # (source, id) -> (name, target)
        self.sigs = {}    # (twin, name) -> Sig

    def has_rels(self, tw):
        return any(s == tw or tg == tw for (s, _), (_, tg) in self.rels.items())

    def remove_twin(self, tw):
        del self.twins[tw]
        self.rels = {k: v for k, v in self.rels.items() if k[0] != tw and v[1] != tw}
        for key in [k for k in self.sigs if k[0] == tw]:
            del self.sigs[key]

    def health(self, tw):
        h = self.twins[tw][1].get("h")
        if isinstance(h, bool) or not isinstance(h, (int, float)) or not 0 <= h <= 1:
            return 1.0
        return float(h)

    def reach(self, roots, follow, direction):
        """networkx: the graph of hops the query may take, and distances."""
        H = nx.DiGraph()
        H.add_nodes_from(self.twins)
        want = {}
        if follow is None:
            for n in NAMES:
                want.setdefault(n, set()).add(direction)
        else:
            for f in follow:
                n, d = (f, direction) if isinstance(f, str) else f
                want.setdefault(n, set()).add(d)
        for (src, _), (name, tgt) in self.rels.items():
            for d in want.get(name, ()):
                if d in ("out", "both"):
                    H.add_edge(src, tgt)
                if d in ("in", "both"):
                    H.add_edge(tgt, src)
        return dict(nx.multi_source_dijkstra_path_length(H, set(roots))), want


# ---- the system under test ------------------------------------------------------------


class Mirror:
    """Store callbacks keeping what the store delivered."""

    def __init__(self):
        self.twins, self.rels, self.samples, self.sig_key = {}, {}, {}, {}
        self.pending = []

    def put_twin(self, twin, model, properties):
        self.twins[twin] = (model, dict(properties or {}))

    def delete_twin(self, twin):
        self.twins.pop(twin, None)
        self.rels = {k: v for k, v in self.rels.items() if k[0] != twin and v[1] != twin}
        for key in [k for k in self.samples if k[0] == twin]:
            del self.samples[key]

    def put_relationship(self, rel):
        self.rels[(rel.source, rel.id)] = (rel.name, rel.target)

    def delete_relationship(self, source, rel_id):
        self.rels.pop((source, rel_id), None)

    def put_signal(self, sig):
        self.sig_key[sig.signal] = (sig.twin, sig.name)

    def write_samples(self, batch):
        for h, t, v in batch:
            self.samples.setdefault(self.sig_key[h], []).append((t, v))


class System:
    def __init__(self, sqlite_dir=None):
        self.dir = sqlite_dir
        self.handles = {}   # (twin, name) -> the newest handle (maybe stale)
        self.db = None
        self.mirror = None
        self.open(first=True)

    def open(self, first=False):
        self.g = libtwin.Graph()
        if self.dir:
            self.db = tsq.SqliteStore(os.path.join(self.dir, "mbt.db"))
            self.st = self.db.store(self.g)
            self.ing = libtwin.Ingest(self.g, self.st)
            self.db.load(self.g, self.ing)
            old, self.handles = self.handles, {}
            for h in self.ing.signals():
                tw, name, _ = self.ing.signal_info(h)
                self.handles[(tw, name)] = h
            for key, h in old.items():  # removed ones stay stale
                self.handles.setdefault(key, (1 << 62) + h % 1000)
        else:
            self.mirror = Mirror()
            self.st = libtwin.Store(self.g, self.mirror)
            self.ing = libtwin.Ingest(self.g, self.st)

    def close(self):
        self.st.flush()
        self.ing.close()
        self.st.close()
        self.g.close()
        if self.db is not None:
            self.db.close()


def call(fn, *args):
    """Run a library call: None, or the exception class's name."""
    try:
        fn(*args)
        return None
    except errors.TwinError as e:
        return type(e).__name__


def compare_graph(g, m: Model, where):
    twins = {t.id: t for t in g.twins()}
    check(set(twins) == set(m.twins), f"{where}: twins {sorted(twins)} != model {sorted(m.twins)}")
    for tw, (model, props) in m.twins.items():
        check(g.twin(tw) == model, f"{where}: model of {tw}")
        got = g.properties(tw)
        check(got == props, f"{where}: properties of {tw}: {got} != model {props}")
    rels = {}
    for tw in m.twins:
        for r in g.relationships(tw, "out"):
            rels[(r.source, r.id)] = (r.name, r.target)
    check(rels == m.rels, f"{where}: relationships {rels} != model {m.rels}")
    check(g.twin_count() == len(m.twins) and g.relationship_count() == len(m.rels),
          f"{where}: counts")


def compare_signals(sys_: System, ing, m: Model, where):
    live = {}
    for h in ing.signals():
        tw, name, _ = ing.signal_info(h)
        live[(tw, name)] = h
    check(set(live) == set(m.sigs), f"{where}: signals {sorted(live)} != model {sorted(m.sigs)}")
    for key, sig in m.sigs.items():
        try:
            got = ing.latest(live[key])
        except errors.NotFound:
            got = None
        if got is not None and sig.latest is not None:
            ok = got[0] == sig.latest[0] and (got[1] == sig.latest[1] and
                                              math.copysign(1, got[1]) == math.copysign(1, sig.latest[1]))
        else:
            ok = got == sig.latest
        check(ok, f"{where}: latest of {key}: {got} != model {sig.latest}")


def compare_store(s: System, m: Model, where):
    if s.mirror is not None:
        mi = s.mirror
        check(set(mi.twins) == set(m.twins), f"{where}: store twins {sorted(mi.twins)}")
        for tw, (model, props) in m.twins.items():
            check(mi.twins[tw] == (model, props), f"{where}: store twin {tw}: {mi.twins[tw]}")
        check(mi.rels == m.rels, f"{where}: store relationships {mi.rels}")
        for key, sig in m.sigs.items():
            got = mi.samples.get(key, [])
            check(bits(got) == bits(sig.stored), f"{where}: store samples of {key}: {got} != {sig.stored}")
        extra = set(mi.samples) - set(m.sigs)
        check(all(not mi.samples[k] for k in extra), f"{where}: samples of removed {extra}")
    else:
        for key, sig in m.sigs.items():
            got = [(int(t), float(v)) for t, v in s.db.read(key[0], key[1])]
            want = sorted(sig.stored)
            check(bits(got) == bits(want), f"{where}: sqlite samples of {key}: {got} != {want}")


def check_impact(hits, m: Model, op):
    _, roots, follow, direction, max_depth, rule, root_health = op
    dist, want = m.reach(roots, follow, direction)
    expect = {t: d for t, d in dist.items() if max_depth is None or d <= max_depth}
    got = {h.twin: h for h in hits}
    check(len(got) == len(hits), f"impact: a twin reported twice: {[h.twin for h in hits]}")
    check({t: h.depth for t, h in got.items()} == expect,
          f"impact: {({t: h.depth for t, h in got.items()})} != oracle {expect}")
    for h in hits:
        if h.depth == 0:
            check(h.parent is None and h.score == root_health, f"impact: root {h}")
            continue
        p = got.get(h.parent)
        check(p is not None and p.depth == h.depth - 1, f"impact: parent of {h.twin}")
        rel = m.rels.get((h.via_source, h.via_id))
        check(rel is not None and rel[0] == h.via_name, f"impact: no relationship {h}")
        src, tgt = h.via_source, rel[1]
        dirs = want.get(h.via_name, set())
        fwd = (src, tgt) == (h.parent, h.twin) and dirs & {"out", "both"}
        back = (tgt, src) == (h.parent, h.twin) and dirs & {"in", "both"}
        check(bool(fwd or back), f"impact: {h.twin} reached against the direction")
        own = m.health(h.twin)
        score = min(p.score, own) if rule == "weakest" else min(own, 1 - 0.5 * (1 - p.score))
        check(abs(h.score - score) < 1e-12, f"impact: score of {h.twin} {h.score} != {score}")


def run_sequence(ops, sqlite_dir=None):
    """Run ops on libtwin and on the model; None, or what differed."""
    m = Model()
    if sqlite_dir:
        shutil.rmtree(sqlite_dir, ignore_errors=True)
        os.makedirs(sqlite_dir)
    s = System(sqlite_dir)
    try:
        for i, op in enumerate(ops):
            where = f"op {i} {op[0]}"
            kind = op[0]
            if kind == "add_twin":
                _, tw, model, props = op
                exp = "AlreadyExists" if tw in m.twins else None
                got = call(s.st.add_twin, tw, model, props)
                check(got == exp, f"{where}: {got} != model {exp}")
                if exp is None:
                    m.twins[tw] = [model, dict(props)]
            elif kind == "remove_twin":
                _, tw, cascade = op
                exp = ("NotFound" if tw not in m.twins else
                       "ConstraintViolated" if not cascade and m.has_rels(tw) else None)
                got = call(s.st.remove_twin, tw, cascade)
                check(got == exp, f"{where}: {got} != model {exp}")
                if exp is None:
                    m.remove_twin(tw)
            elif kind == "add_rel":
                _, src, rid, name, tgt = op
                exp = ("NotFound" if src not in m.twins or tgt not in m.twins else
                       "AlreadyExists" if (src, rid) in m.rels else None)
                got = call(s.st.add_relationship, src, rid, name, tgt)
                check(got == exp, f"{where}: {got} != model {exp}")
                if exp is None:
                    m.rels[(src, rid)] = (name, tgt)
            elif kind == "remove_rel":
                _, src, rid = op
                exp = None if (src, rid) in m.rels else "NotFound"
                got = call(s.st.remove_relationship, src, rid)
                check(got == exp, f"{where}: {got} != model {exp}")
                m.rels.pop((src, rid), None)
            elif kind == "set_prop":
                _, tw, name, value = op
                exp = None if tw in m.twins else "NotFound"
                got = call(s.st.set_property, tw, name, value)
                check(got == exp, f"{where}: {got} != model {exp}")
                if exp is None:
                    m.twins[tw][1][name] = value
            elif kind == "add_signal":
                _, tw, name, order, window, history = op
                exp = ("NotFound" if tw not in m.twins else
                       "AlreadyExists" if (tw, name) in m.sigs else None)
                try:
                    h = s.ing.add_signal(tw, name, order=order, window_us=window, history=history)
                    got = None
                except errors.TwinError as e:
                    got = type(e).__name__
                check(got == exp, f"{where}: {got} != model {exp}")
                if exp is None:
                    s.handles[(tw, name)] = h
                    m.sigs[(tw, name)] = Sig(order, window, history)
            elif kind == "write":
                batch = [b for b in op[1] if (b[0], b[1]) in s.handles]
                if not batch:
                    continue
                hs = [s.handles[(tw, n)] for tw, n, _, _ in batch]
                out = s.ing.write_signals(hs, [b[2] for b in batch], [b[3] for b in batch])
                for k, (tw, n, t, v) in enumerate(batch):
                    sig = m.sigs.get((tw, n))
                    exp = sig.classify(t, v) if sig else "UNKNOWN_SIGNAL"
                    check(OUTCOME[out[k]] == exp,
                          f"{where}: sample {k} {(tw, n, t, v)}: {OUTCOME[out[k]]} != model {exp}")
            elif kind == "flush":
                s.st.flush()
                compare_store(s, m, where)
            elif kind == "snapshot":
                blob = libtwin.snapshot_save(s.g, s.ing)
                g2 = libtwin.Graph()
                i2 = libtwin.Ingest(g2)
                libtwin.snapshot_restore(g2, blob, i2)
                compare_graph(g2, m, where + " (restored)")
                compare_signals(s, i2, m, where + " (restored)")
                check(libtwin.snapshot_save(g2, i2) == blob, f"{where}: save, restore, save differ")
                i2.close()
                g2.close()
            elif kind == "reload":
                if not sqlite_dir:
                    continue
                s.close()
                s.open()
                for sig in m.sigs.values():  # loaded signals: load()'s options
                    sig.order, sig.window, sig.history = "reject", 0, 0
                    sig.ring.clear()
                compare_graph(s.g, m, where)
                compare_signals(s, s.ing, m, where)
            elif kind == "impact":
                _, roots, follow, direction, max_depth, rule, root_health = op
                q = libtwin.Impact(s.g)
                exp = None if all(r in m.twins for r in roots) else "NotFound"
                try:
                    hits = q.run(list(roots), follow=None if follow is None else list(follow),
                                 direction=direction, max_depth=max_depth, rule=rule,
                                 root_health=root_health, health=m.health
                                 if all(r in m.twins for r in roots) else None)
                    got = None
                except errors.TwinError as e:
                    got = type(e).__name__
                check(got == exp, f"{where}: {got} != model {exp}")
                if got is None:
                    check_impact(hits, m, op)
                q.close()
            if kind != "write":
                compare_graph(s.g, m, where)
        s.st.flush()
        compare_store(s, m, "end")
        compare_graph(s.g, m, "end")
        compare_signals(s, s.ing, m, "end")
        return None
    except Mismatch as e:
        return str(e)
    finally:
        try:
            s.close()
        except errors.TwinError:
            pass


def shrink(ops, fails):
    """Delta debugging: drop chunks of operations, halving the chunk size,
    while the sequence still fails, down to single operations; then single
    samples of the batches left."""
    n = 2
    while len(ops) >= 2:
        chunk = max(1, len(ops) // n)
        removed = False
        for start in range(0, len(ops), chunk):
            cand = ops[:start] + ops[start + chunk:]
            if cand and fails(cand):
                ops = cand
                n = max(n - 1, 2)
                removed = True
                break
        if not removed:
            if chunk == 1:
                break
            n = min(len(ops), n * 2)
    # then the samples of each batch, one at a time
    for i in range(len(ops)):
        k = 0
        while ops[i][0] == "write" and len(ops[i][1]) > 1 and k < len(ops[i][1]):
            batch = ops[i][1][:k] + ops[i][1][k + 1:]
            cand = ops[:i] + [("write", batch)] + ops[i + 1:]
            if fails(cand):
                ops = cand
            else:
                k += 1
    return ops


def run_many(seed: int, count: int, tmp: str, log=print):
    """Run count sequences from seed; on a failure, shrink it, print it and
    return the message."""
    r = random.Random(seed)
    for k in range(count):
        ops = gen_sequence(r)
        where = os.path.join(tmp, "db") if k % SQLITE_EVERY == SQLITE_EVERY - 1 and tsq.available \
            else None
        msg = run_sequence(ops, where)
        if msg is None:
            continue
        small = shrink(ops, lambda o: run_sequence(o, where) is not None)
        final = run_sequence(small, where)
        log(f"model-based: seed {seed}, sequence {k} ({'sqlite' if where else 'memory'}) fails:"
            f" {msg}\nshrunk from {len(ops)} to {len(small)} operations:")
        for op in small:
            log("    " + repr(op))
        log("which fails with: " + str(final))
        return msg
    return None


def scratch_dir():
    """A fresh directory for the databases: on tmpfs when there is one (the
    SQLite sequences then cost no disk syncs)."""
    shm = "/dev/shm"
    return tempfile.mkdtemp(prefix="twin-mbt-",
                            dir=shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None)


def test_model_based():
    seed = int(os.environ.get("LIBTWIN_MBT_SEED") or random.SystemRandom().randrange(1 << 32))
    count = int(os.environ.get("LIBTWIN_MBT_SEQUENCES", "1500"))
    print(f"model-based: seed {seed} (LIBTWIN_MBT_SEED={seed} replays), {count} sequences")
    d = scratch_dir()
    try:
        msg = run_many(seed, count, d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    assert msg is None, f"seed {seed}: {msg} (shrunk sequence printed above)"


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--sequences", type=int, default=1500)
    a = ap.parse_args()
    sd = a.seed if a.seed is not None else random.SystemRandom().randrange(1 << 32)
    print(f"model-based: seed {sd}, {a.sequences} sequences")
    d = scratch_dir()
    try:
        sys.exit(1 if run_many(sd, a.sequences, d) else 0)
    finally:
        shutil.rmtree(d, ignore_errors=True)
