"""Store: Python callbacks through the outbox, failures that lose nothing,
exceptions that surface, back-pressure; snapshots to bytes and back."""

import gc
import sys
import weakref

import pytest

import libtwin
from libtwin import Outcome, errors

MOTOR = "dtmi:factory:Motor;1"
S = 1_000_000


class Recorder:
    """A store in memory; ``fail`` makes every callback raise (or return False)."""

    def __init__(self):
        self.samples = []
        self.signals = {}
        self.twins = {}
        self.relationships = {}
        self.health = {}
        self.flushes = 0
        self.fail = None  # None, an exception to raise, or False to return

    def _check(self):
        if isinstance(self.fail, BaseException):
            raise self.fail
        return self.fail

    def write_samples(self, batch):
        r = self._check()
        if r is False:
            return False
        self.samples += list(batch)

    def put_signal(self, sig):
        if self._check() is False:
            return False
        self.signals[sig.signal] = sig

    def put_twin(self, twin, model, props):
        if self._check() is False:
            return False
        self.twins[twin] = (model, props)

    def delete_twin(self, twin):
        self.twins.pop(twin)

    def put_relationship(self, rel):
        self.relationships[(rel.source, rel.id)] = rel

    def delete_relationship(self, source, rel_id):
        del self.relationships[(source, rel_id)]

    def put_health(self, signal, state):
        self.health[signal] = state


@pytest.fixture
def rec():
    return Recorder()


def test_changes_reach_the_callbacks_in_order(graph, rec):
    st = libtwin.Store(graph, rec)
    st.add_twin("motor-C", MOTOR, {"ratedKW": 7.5})
    st.add_twin("conveyor-C", "dtmi:factory:Conveyor;1")
    st.add_relationship("motor-C", "r1", "partOf", "conveyor-C", {"since": 2020})
    st.set_property("motor-C", "ratedKW", 9.0)
    assert rec.twins["motor-C"] == (MOTOR, {"ratedKW": 9.0})
    assert rec.relationships[("motor-C", "r1")].properties == {"since": 2020}
    assert graph.get_property("motor-C", "ratedKW") == 9.0
    ing = libtwin.Ingest(graph, st)
    sig = ing.add_signal("motor-C", "temperature", unit="degreeCelsius")
    ing.attach_health(sig, libtwin.HealthOptions(model="linear", prior_mean=(40.0, 0.0)))
    out = ing.write_signals(sig, [1 * S, 2 * S, 2 * S], [40.0, 41.0, 41.0])
    assert [Outcome(o) for o in out] == [Outcome.ACCEPTED, Outcome.ACCEPTED,
                                         Outcome.DUPLICATE]
    st.flush()
    assert rec.signals[sig] == libtwin.StoreSignal(sig, "motor-C", "temperature",
                                                   "degreeCelsius")
    assert rec.samples == [(sig, 1 * S, 40.0), (sig, 2 * S, 41.0)]
    assert len(rec.health[sig]) == libtwin.Health.SIZE
    h = libtwin.Health.from_bytes(ing.get_health(sig).options, rec.health[sig])
    assert h.stats().samples == 0  # the state as attached
    st.checkpoint()
    assert libtwin.Health.from_bytes(h.options, rec.health[sig]).stats().samples == 2
    s = st.stats()
    assert s.pending_samples == 0 and s.confirmed_samples == 2 and s.failures == 0
    st.remove_twin("motor-C", cascade=True)
    assert "motor-C" not in rec.twins and rec.relationships == {}
    assert "motor-C" not in graph


def test_callback_that_raises_loses_nothing_and_surfaces(graph, rec):
    st = libtwin.Store(graph, rec)
    st.add_twin("motor-C", MOTOR)
    ing = libtwin.Ingest(graph, st)
    sig = ing.add_signal("motor-C", "temperature")
    rec.fail = ConnectionError("database down")
    with pytest.raises(ConnectionError, match="database down") as info:
        ing.write_signals(sig, [1 * S, 2 * S], [1.0, 2.0])
    assert info.value.outcomes == bytes(2)  # both accepted: they wait in the outbox
    assert ing.latest(sig) == (2 * S, 2.0)
    s = st.stats()
    assert s.pending_samples == 2 and s.failures >= 1 and s.last_status == errors.E_IO
    with pytest.raises(ConnectionError):
        st.flush()
    with pytest.raises(ConnectionError):
        ing.write_signals(sig, [3 * S], [3.0])
    assert rec.samples == []
    rec.fail = None
    st.flush()
    assert rec.samples == [(sig, 1 * S, 1.0), (sig, 2 * S, 2.0), (sig, 3 * S, 3.0)]
    assert st.stats().pending_samples == 0


def test_callback_returning_false_keeps_the_records(graph, rec):
    st = libtwin.Store(graph, rec)
    rec.fail = False
    st.add_twin("motor-C", MOTOR)  # queued; its delivery failed quietly
    assert rec.twins == {} and st.stats().pending_records == 1
    with pytest.raises(errors.IOFailure):
        st.flush()
    rec.fail = None
    st.flush()
    assert rec.twins == {"motor-C": (MOTOR, {})}


def test_full_outbox_is_back_pressure(graph, rec):
    st = libtwin.Store(graph, rec, outbox_bytes=4096)
    st.add_twin("motor-C", MOTOR)
    ing = libtwin.Ingest(graph, st)
    sig = ing.add_signal("motor-C", "temperature")
    rec.fail = False
    n = 1000
    with pytest.raises(errors.Busy) as info:
        ing.write_signals(sig, range(1, n + 1), [1.0] * n)
    done = info.value.done
    assert 0 < done < n
    assert info.value.outcomes[:done] == bytes(done)
    assert set(info.value.outcomes[done:]) == {Outcome.NOT_PROCESSED}
    assert st.stats().busy
    rec.fail = None
    st.flush()
    assert [t for _, t, _ in rec.samples] == list(range(1, done + 1))
    assert ing.write_signals(sig, range(done + 1, n + 1), [1.0] * (n - done)) == bytes(n - done)
    st.flush()
    assert len(rec.samples) == n


def test_callbacks_may_not_write(graph):
    seen = []

    def put_twin(twin, model, props):
        try:
            graph.add_twin("other", MOTOR)
        except errors.TwinError as e:
            seen.append(type(e))
        assert graph.twin(twin) == model  # reading is allowed

    st = libtwin.Store(graph, {"put_twin": put_twin})
    st.add_twin("motor-C", MOTOR)
    assert seen == [errors.InvalidArgument] and "other" not in graph
    with pytest.raises(TypeError):
        libtwin.Store(graph, {"nothing": 1})


@pytest.mark.parametrize("use_numpy", [False, True])
def test_samples_batch_columns(graph, monkeypatch, use_numpy):
    if use_numpy:
        np = pytest.importorskip("numpy")
    else:
        monkeypatch.setitem(sys.modules, "numpy", None)  # as if numpy were absent
    got = []
    st = libtwin.Store(graph, {"write_samples": got.append})
    st.add_twin("m", MOTOR)
    ing = libtwin.Ingest(graph, st)
    sig = ing.add_signal("m", "x")
    ing.write_signals(sig, [1, 2, 3], [0.5, 1.5, 2.5])
    st.flush()
    (batch,) = got
    assert len(batch) == 3
    assert list(batch.t_us) == [1, 2, 3] and list(batch.values) == [0.5, 1.5, 2.5]
    assert set(int(s) for s in batch.signals) == {sig}
    if use_numpy:
        assert isinstance(batch.values, np.ndarray) and batch.t_us.dtype == np.int64
    else:
        assert batch.values.typecode == "d" and batch.t_us.typecode == "q"


def test_store_lifetime(graph, rec):
    st = libtwin.Store(graph, rec)
    st.add_twin("m", MOTOR)
    ing = libtwin.Ingest(graph, st)
    st.close()  # closes the ingest handle first
    assert ing.closed and st.closed
    st2 = libtwin.Store(graph)
    graph.close()
    assert st2.closed
    with pytest.raises(errors.Closed):
        st2.flush()


def test_callbacks_do_not_keep_the_store_alive(graph, rec):
    st = libtwin.Store(graph, rec)
    st.add_twin("m", MOTOR)
    st.flush()
    assert "m" in rec.twins  # the callbacks work while the store is alive
    ref = weakref.ref(st)
    fin = st._fin
    del st
    gc.collect()
    assert ref() is None and not fin.alive
    assert not graph.closed


def test_a_store_held_by_its_ingest_keeps_working(graph, rec):
    graph.add_twin("m", MOTOR)
    events = []
    ing = libtwin.Ingest(graph, libtwin.Store(graph, rec), on_event=events.append)
    st_ref, st_fin = weakref.ref(ing.store), ing.store._fin
    gc.collect()
    assert st_ref() is ing.store and st_fin.alive  # the Ingest keeps it
    sig = ing.add_signal("m", "temperature", alarm_high=10.0)
    assert ing.write_signals(sig, [S, 2 * S], [5.0, 20.0]) == bytes(2)  # accepted
    ing.store.flush()
    assert rec.samples == [(sig, S, 5.0), (sig, 2 * S, 20.0)] and events
    ing_ref, ing_fin = weakref.ref(ing), ing._fin
    del ing
    gc.collect()
    assert ing_ref() is None and not ing_fin.alive
    assert st_ref() is None and not st_fin.alive


def test_snapshot_round_trip(graph):
    graph.add_twin("motor-C", MOTOR, {"ratedKW": 7.5, "tags": ["a", "b"]})
    graph.add_twin("conveyor-C", "dtmi:factory:Conveyor;1")
    graph.add_relationship("motor-C", "r1", "partOf", "conveyor-C")
    ing = libtwin.Ingest(graph)
    sig = ing.add_signal("motor-C", "temperature", unit="degreeCelsius")
    ing.attach_health(sig, libtwin.HealthOptions(model="linear", prior_mean=(40.0, 0.0)))
    ing.write_signals(sig, [1 * S, 2 * S], [40.0, 41.0])
    data = libtwin.snapshot_save(graph, ing)
    assert isinstance(data, bytes) and len(data) > 100

    with libtwin.Graph() as g2:
        ing2 = libtwin.Ingest(g2)
        libtwin.snapshot_restore(g2, data, ing2)
        assert g2.get_property("motor-C", "tags") == ["a", "b"]
        assert g2.relationship("motor-C", "r1").target == "conveyor-C"
        sig2 = ing2.resolve("motor-C", "temperature")
        assert ing2.latest(sig2) == (2 * S, 41.0)
        assert ing2.get_health(sig2).stats().samples == 2
        assert libtwin.snapshot_save(g2, ing2) == data  # same bytes again
        with pytest.raises(errors.ParseError):
            libtwin.snapshot_restore(g2, data[:-3], ing2)
        bad = bytearray(data)
        bad[len(bad) // 2] ^= 0xFF
        with pytest.raises(errors.ParseError):
            libtwin.snapshot_restore(g2, bytes(bad), ing2)
        assert g2.twin_count() == 2  # unchanged by the failures

    with libtwin.Graph() as g3:  # the graph only
        libtwin.snapshot_restore(g3, libtwin.snapshot_save(graph))
        assert g3.twin("motor-C") == MOTOR
