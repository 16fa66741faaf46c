"""store_load / Store.load: rebuilding a graph and its ingest handle's
signals from what a store holds, through a Python loader (twin_store_load)."""

import gc

import pytest

import libtwin
from libtwin import LoadedSignal, Outcome, errors

MOTOR = "dtmi:factory:Motor;1"
BELT = "dtmi:factory:Conveyor;1"
S = 1_000_000


class MemoryStore:
    """The store callbacks keeping everything in dicts, and a loader over them."""

    def __init__(self):
        self.twins = {}
        self.relationships = {}
        self.signals = {}
        self.latest = {}
        self.health = {}
        self.health_options = {}  # signal -> HealthOptions (not delivered: the host's own)

    # callbacks
    def put_twin(self, twin, model, props):
        self.twins[twin] = (model, props)

    def delete_twin(self, twin):
        del self.twins[twin]

    def put_relationship(self, rel):
        self.relationships[(rel.source, rel.id)] = rel

    def delete_relationship(self, source, rel_id):
        del self.relationships[(source, rel_id)]

    def put_signal(self, sig):
        self.signals[sig.signal] = sig

    def write_samples(self, batch):
        for sig, t, v in batch:
            if sig not in self.latest or t > self.latest[sig][0]:
                self.latest[sig] = (t, v)

    def put_health(self, signal, state):
        self.health[signal] = state

    # the loader
    def loader(self):
        return {
            "twins": [(t, m, p) for t, (m, p) in self.twins.items()],
            "relationships": lambda: iter(self.relationships.values()),
            "signals": [LoadedSignal(s.twin, s.name, unit=s.unit or None,
                                     latest=self.latest.get(h),
                                     health_options=self.health_options.get(h),
                                     health=self.health.get(h))
                        for h, s in self.signals.items()],
        }


def fill(graph, mem):
    """A plant through a store into ``mem``; returns (store, ingest, signals)."""
    st = libtwin.Store(graph, mem)
    st.add_twin("motor-C", MOTOR, {"nameplate": {"ratedKW": 7.5, "poles": 4},
                                   "tags": ["a", "b"]})
    st.add_twin("belt-C", BELT, {"lengthM": 12.0})
    st.add_relationship("motor-C", "drives-1", "drives", "belt-C", {"since": 2019})
    ing = libtwin.Ingest(graph, st)
    temp = ing.add_signal("motor-C", "temperature", unit="degreeCelsius")
    vib = ing.add_signal("motor-C", "vibration")
    opts = libtwin.HealthOptions(model="linear", prior_mean=(40.0, 0.0), failure_level=90.0)
    ing.attach_health(temp, opts)
    mem.health_options[temp] = opts
    ing.write_signals(temp, [1 * S, 2 * S, 3 * S], [40.5, 41.0, 41.7])
    ing.write_signals(vib, [1 * S, 5 * S], [0.2, 0.25])
    st.checkpoint()
    st.flush()
    return st, ing, (temp, vib)


def test_load_restores_exactly_what_the_store_holds(graph):
    mem = MemoryStore()
    st, ing, (temp, vib) = fill(graph, mem)
    state = ing.get_health(temp).to_bytes()
    assert mem.health[temp] == state  # the checkpoint delivered the latest state
    with libtwin.Graph() as g2:
        ing2 = libtwin.Ingest(g2)
        libtwin.store_load(g2, mem.loader(), ing2)
        assert list(g2.twins()) == list(graph.twins())
        for t in graph:
            assert g2.properties(t) == graph.properties(t)
        assert g2.relationship("motor-C", "drives-1") == graph.relationship("motor-C",
                                                                            "drives-1")
        assert g2.relationship_count() == 1 and len(ing2) == 2
        t2 = ing2.resolve("motor-C", "temperature")  # new handles
        v2 = ing2.resolve("motor-C", "vibration")
        assert ing2.signal_info(t2) == ("motor-C", "temperature", "degreeCelsius")
        assert ing2.signal_info(v2) == ("motor-C", "vibration", "")
        assert ing2.latest(t2) == (3 * S, 41.7) and ing2.latest(v2) == (5 * S, 0.25)
        h2 = ing2.get_health(t2)
        assert h2.to_bytes() == state
        assert h2.stats().samples == 3
        assert h2.predict(10 * S) == ing.get_health(temp).predict(10 * S)
        # the loaded signals go on where they were
        out = ing2.write_signals(t2, [3 * S, 2 * S, 4 * S], [41.7, 40.0, 42.0])
        assert [Outcome(o) for o in out] == [Outcome.DUPLICATE, Outcome.OUT_OF_ORDER,
                                             Outcome.ACCEPTED]
        assert ing2.get_health(t2).stats().samples == 4


def test_store_load_method_and_nothing_queued(graph):
    mem = MemoryStore()
    fill(graph, mem)
    with libtwin.Graph() as g2:
        again = MemoryStore()
        st2 = libtwin.Store(g2, again)
        ing2 = libtwin.Ingest(g2, st2)
        st2.load(mem.loader())  # the store's graph and ingest handle
        assert len(g2) == 2 and len(ing2) == 2
        st2.flush()
        assert again.twins == {} and again.signals == {}  # nothing queued: it came from there
        assert st2.stats().pending_records == 0


def test_loader_forms_and_signals_without_ingest(graph):
    def twins():
        yield libtwin.Twin("a", MOTOR)
        yield ("b", BELT, {"x": 1})

    loader = {"twins": twins,
              "relationships": [("a", "r", "drives", "b"),
                                ("b", "r2", "near", "a", {"m": 2.5})],
              "signals": [{"twin": "a", "name": "speed", "unit": "revolutionPerMinute",
                           "latest": (7, 1500.0), "history": 4, "order": "window",
                           "window_us": 100}]}
    libtwin.store_load(graph, loader)  # no ingest handle: signals skipped
    assert list(graph) == ["a", "b"] and graph.properties("b") == {"x": 1}
    assert graph.relationship("b", "r2").properties == {"m": 2.5}
    with libtwin.Graph() as g2:
        ing = libtwin.Ingest(g2)
        libtwin.store_load(g2, loader, ing)
        sig = ing.resolve("a", "speed")
        assert ing.latest(sig) == (7, 1500.0)
        out = ing.write_signals(sig, [5, 9], [1.0, 2.0])  # the window came with it
        assert [Outcome(o) for o in out] == [Outcome.ACCEPTED_LATE, Outcome.ACCEPTED]


def test_loader_that_raises_changes_nothing(graph):
    graph.add_twin("old", MOTOR)

    class DiskError(Exception):
        pass

    def twins():
        yield ("a", MOTOR)
        raise DiskError("bad sector")

    with pytest.raises(DiskError, match="bad sector"):
        libtwin.store_load(graph, {"twins": twins})
    assert list(graph) == ["old"]
    # a TwinError raised by the loader is re-raised as it is
    with pytest.raises(errors.ParseError, match="corrupt"):
        libtwin.store_load(graph, {"twins": lambda: (_ for _ in ()).throw(
            errors.ParseError("corrupt row"))})
    assert list(graph) == ["old"]


def test_malformed_and_refused_items(graph):
    graph.add_twin("old", MOTOR)
    with pytest.raises(TypeError, match="loaded twin"):
        libtwin.store_load(graph, {"twins": [("a",)]})
    with pytest.raises(TypeError, match="loaded relationship"):
        libtwin.store_load(graph, {"twins": [("a", MOTOR)], "relationships": [("a", "r")]})
    with pytest.raises(errors.AlreadyExists, match="'a'"):
        libtwin.store_load(graph, {"twins": [("a", MOTOR), ("a", MOTOR)]})
    with pytest.raises(errors.NotFound, match="ghost"):
        libtwin.store_load(graph, {"relationships": [("ghost", "r", "drives", "ghost")]})
    ing = libtwin.Ingest(graph)
    with pytest.raises(errors.NotFound, match="nobody"):
        libtwin.store_load(graph, {"signals": [LoadedSignal("nobody", "x")]}, ing)
    with pytest.raises(errors.InvalidArgument, match="192 bytes"):
        libtwin.store_load(graph, {"twins": [("a", MOTOR)], "signals": [LoadedSignal(
            "a", "x", health_options=libtwin.HealthOptions(), health=b"short")]}, ing)
    with pytest.raises(TypeError):
        libtwin.store_load(graph, {"nothing": []})
    assert list(graph) == ["old"] and len(ing) == 0


def test_validator_checks_loaded_twins(graph):
    def check_twin(twin, model, props):
        if model != MOTOR:
            raise ValueError(f"{twin}: only motors here")
        return True

    with libtwin.Graph(validator={"check_twin": check_twin}) as g:
        g.add_twin("m0", MOTOR)
        with pytest.raises(ValueError, match="only motors"):
            libtwin.store_load(g, {"twins": [("m1", MOTOR), ("b", BELT)]})
        assert list(g) == ["m0"]
        libtwin.store_load(g, {"twins": [("m1", MOTOR)]})
        assert list(g) == ["m1"]  # the content is replaced


def test_unconfirmed_records_make_the_load_busy(graph):
    mem = MemoryStore()
    st = libtwin.Store(graph, {"put_twin": lambda *a: False})
    ing = libtwin.Ingest(graph, st)
    st.add_twin("a", MOTOR)  # stays in the outbox
    with pytest.raises(errors.Busy, match="flush"):
        st.load({"twins": [("b", MOTOR)]})
    assert list(graph) == ["a"] and mem.twins == {} and len(ing) == 0
    with pytest.raises(errors.InvalidArgument):
        libtwin.store_load(graph, {"twins": []}, libtwin.Ingest(libtwin.Graph()))


def test_loader_with_a_user_model_keeps_it_alive(graph):
    class Flat(libtwin.HealthModel):
        state_format = "d"

        def init(self):
            return 3.0

        def predict(self, state, t):
            return state[0]

        def update(self, state, t, value, diverged):
            return value

    ing = libtwin.Ingest(graph)

    def load():
        opts = libtwin.HealthOptions(model=Flat(), failure_level=10.0)
        libtwin.store_load(graph, {"twins": [("a", MOTOR)], "signals": [
            LoadedSignal("a", "x", health_options=opts, health_t0_us=5 * S)]}, ing)

    load()
    gc.collect()
    sig = ing.resolve("a", "x")
    h = ing.get_health(sig)  # a fresh state from the model's init at health_t0_us
    assert h.predict(9 * S) == 3.0 and h.stats().t0_us == 5 * S
    ing.write_signals(sig, [6 * S], [4.5])
    assert ing.get_health(sig).predict(9 * S) == 4.5
    # a model whose init raises: the load fails with its exception, nothing changes

    class Broken(Flat):
        def init(self):
            raise RuntimeError("no calibration")

    opts = libtwin.HealthOptions(model=Broken(), failure_level=10.0)
    with pytest.raises(RuntimeError, match="calibration"):
        libtwin.store_load(graph, {"twins": [("b", MOTOR)], "signals": [
            LoadedSignal("b", "x", health_options=opts)]}, ing)
    assert list(graph) == ["a"] and len(ing) == 1
