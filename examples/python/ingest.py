#!/usr/bin/env python3
"""Ingest demo in Python: motor C's bearing vibration, end to end.

A graph with the drive motor and its conveyor; a store that keeps what the
library accepts (here: lists in memory, as a database would); an ingest
handle with a linear degradation model on the vibration signal. A day of
hourly samples goes in as one batch (by handle, arrays), a few more by name
(one in another unit, one duplicate, one for an unknown twin), then the
health state, the store's content and a snapshot round trip are printed.

Run from the repository with LIBTWIN_LIBRARY=build/lib/libtwin.so.1.
"""

import os
import sys
from array import array

_IN_TREE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python")
if os.path.isdir(os.path.join(_IN_TREE, "libtwin")):
    sys.path.insert(0, os.path.normpath(_IN_TREE))

import libtwin  # noqa: E402

HOUR = 3600 * 1_000_000  # microseconds
T0 = 1_700_000_000 * 1_000_000


class MemoryStore:
    """The store's callbacks: each returns normally when it took the records."""

    def __init__(self):
        self.samples, self.signals, self.twins, self.health = [], {}, {}, {}

    def write_samples(self, batch):
        self.samples.extend(batch)

    def put_signal(self, sig):
        self.signals[sig.signal] = f"{sig.twin}/{sig.name} [{sig.unit}]"

    def put_twin(self, twin, model, props):
        self.twins[twin] = model

    def put_health(self, signal, state):
        self.health[signal] = state


def main():
    db = MemoryStore()
    with libtwin.Graph() as g:
        store = libtwin.Store(g, db)
        store.add_twin("motor-C", "dtmi:factory:Motor;1", {"ratedPowerKW": 7.5})
        store.add_twin("conveyor-C", "dtmi:factory:Conveyor;1")
        store.add_relationship("motor-C", "drives", "partOf", "conveyor-C")

        events = []
        ing = libtwin.Ingest(g, store, on_event=events.append)
        vib = ing.add_signal("motor-C", "vibration", unit="millimetrePerSecond",
                             alarm_high=4.5, health_step=0.25)
        # Vibration starts at 2.0 mm/s and would reach the 7.1 mm/s failure
        # level (ISO 10816 zone D) in about a year.
        health = libtwin.HealthOptions(model="linear", prior_mean=(2.0, 5.1 / (365 * 86400)),
                                       prior_cov=(0.04, 0, 0, 1e-16), noise=0.01,
                                       failure_level=7.1)
        ing.attach_health(vib, health, t0_us=T0)

        # A day of hourly samples, one batch by handle: the columns cross to C
        # as one array (numpy arrays work the same way).
        t = array("q", (T0 + k * HOUR for k in range(1, 25)))
        v = array("d", (2.0 + 0.002 * k for k in range(1, 25)))
        out = ing.write_signals(vib, t, v)
        counts = libtwin.outcome_counts(out)
        print(f"batch of {len(out)}: {counts[libtwin.Outcome.ACCEPTED]} accepted")

        # A few by name: another unit, a duplicate, an unknown twin, a jump.
        out = ing.write([
            ("motor-C", "vibration", T0 + 25 * HOUR, 0.00205, "metrePerSecond"),
            ("motor-C", "vibration", T0 + 25 * HOUR, 0.00205, "metrePerSecond"),
            ("motor-X", "vibration", T0 + 25 * HOUR, 2.0),
            ("motor-C", "vibration", T0 + 26 * HOUR, 5.0),
        ])
        print("by name:", ", ".join(libtwin.Outcome(o).name for o in out))

        t_last, value = ing.latest(vib)
        print(f"latest: {value:.2f} mm/s at hour {(t_last - T0) // HOUR}")
        for e in events:
            what = [f.name for f in libtwin.EventFlag if f in e.flags]
            print(f"event at hour {(e.t_us - T0) // HOUR}: {' '.join(what)}"
                  f" (zone {e.zone}, health {e.health:.2f})")

        h = ing.get_health(vib)
        st = h.stats()
        print(f"health model: {st.samples} samples, diverged={st.diverged},"
              f" score {h.score(t_last):.2f}, RUL {h.rul().median / 86400:.0f} days")

        store.checkpoint()
        store.flush()
        print(f"store: {len(db.twins)} twins, {len(db.signals)} signal"
              f" ({db.signals[vib]}), {len(db.samples)} samples,"
              f" {len(db.health)} health state; pending {store.stats().pending_samples}")

        snap = libtwin.snapshot_save(g, ing)
        with libtwin.Graph() as g2:
            ing2 = libtwin.Ingest(g2)
            libtwin.snapshot_restore(g2, snap, ing2)
            vib2 = ing2.resolve("motor-C", "vibration")
            print(f"snapshot: {len(snap)} bytes; restored {g2.twin_count()} twins,"
                  f" latest {ing2.latest(vib2)[1]:.2f} mm/s,"
                  f" {ing2.get_health(vib2).stats().samples} health samples")


if __name__ == "__main__":
    main()
