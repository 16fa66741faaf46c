"""Ingest: signals, batches by name and by handle (array.array, ctypes, lists,
numpy when installed), outcomes, health models, the event callback and its
exceptions, lifetimes."""

import ctypes
import gc
import math
import weakref
from array import array

import pytest

import libtwin
from libtwin import Outcome, errors

MOTOR = "dtmi:factory:Motor;1"
S = 1_000_000  # one second in microseconds


@pytest.fixture
def plant(graph):
    graph.add_twin("motor-C", MOTOR)
    graph.add_twin("motor-B", MOTOR)
    return graph


def names(outcomes):
    return [Outcome(o).name for o in outcomes]


def test_add_signal_resolve_and_info(plant):
    ing = libtwin.Ingest(plant)
    sig = ing.add_signal("motor-C", "temperature", unit="degreeCelsius")
    assert isinstance(sig, int) and sig != 0
    assert ing.signal_info(sig) == ("motor-C", "temperature", "degreeCelsius")
    assert ing.resolve("motor-C", "temperature") == sig
    f = ing.resolve("motor-C", "temperature", "degreeFahrenheit")
    assert f != sig
    assert len(ing) == 1 and list(ing.signals()) == [sig]
    with pytest.raises(errors.AlreadyExists):
        ing.add_signal("motor-C", "temperature")
    with pytest.raises(errors.NotFound):
        ing.add_signal("nobody", "temperature")
    with pytest.raises(errors.NotFound):
        ing.resolve("motor-C", "pressure")
    with pytest.raises(errors.NotFound):
        ing.add_signal("motor-C", "speed", unit="furlongPerFortnight")


def test_write_signals_lists_give_outcomes_per_sample(plant):
    ing = libtwin.Ingest(plant)
    sig = ing.add_signal("motor-C", "temperature", unit="degreeCelsius")
    out = ing.write_signals(sig, [1 * S, 2 * S, 2 * S, 2 * S, S // 2, 3 * S],
                            [40.0, 41.0, 41.0, 42.0, 1.0, math.inf])
    assert isinstance(out, bytes) and len(out) == 6
    assert names(out) == ["ACCEPTED", "ACCEPTED", "DUPLICATE", "CONFLICT", "OUT_OF_ORDER",
                          "NOT_FINITE"]
    assert ing.latest(sig) == (2 * S, 41.0)
    st = ing.stats(sig)
    assert st.outcomes[Outcome.ACCEPTED] == 2 and st.outcomes[Outcome.CONFLICT] == 1
    assert st.accepted == 2 and st.signals == 1
    counts = libtwin.outcome_counts(out)
    assert counts[Outcome.ACCEPTED] == 2 and counts[Outcome.NOT_PROCESSED] == 0
    assert sum(counts.values()) == 6


def test_write_signals_array_and_ctypes_columns(plant):
    ing = libtwin.Ingest(plant)
    a = ing.add_signal("motor-C", "temperature", unit="degreeCelsius")
    b = ing.add_signal("motor-B", "temperature", unit="degreeCelsius")
    n = 1000
    handles = array("Q", [a, b]) * (n // 2)
    t = array("q", range(S, S + n))
    v = array("d", [20.0 + k / 10 for k in range(n)])
    out = ing.write_signals(handles, t, v)
    assert out == bytes(n)  # every sample accepted
    assert ing.latest(b) == (S + n - 1, v[-1])
    ct = (ctypes.c_int64 * 2)(10 * S, 11 * S)
    cv = (ctypes.c_double * 2)(1.5, 2.5)
    assert ing.write_signals(a, ct, cv) == bytes(2)
    assert ing.latest(a) == (11 * S, 2.5)
    assert ing.stats().outcomes[Outcome.ACCEPTED] == n + 2


def test_write_signals_numpy(plant):
    np = pytest.importorskip("numpy")
    ing = libtwin.Ingest(plant)
    sig = ing.add_signal("motor-C", "temperature", unit="degreeCelsius")
    f = ing.resolve("motor-C", "temperature", "degreeFahrenheit")
    t = np.arange(1, 5, dtype=np.int64) * S
    out = ing.write_signals(np.array([sig, sig, f, f], dtype=np.uint64), t,
                            np.array([10.0, 20.0, 32.0, 212.0]))
    assert isinstance(out, np.ndarray) and out.dtype == np.uint8
    assert out.tolist() == [0, 0, 0, 0]
    assert ing.latest(sig) == (4 * S, 100.0)  # 212 degreeFahrenheit, converted
    out = ing.write_signals(sig, np.array([4 * S]), np.array([99.0], dtype=np.float32))
    assert names(out) == ["CONFLICT"]
    assert libtwin.outcome_counts(out)[Outcome.CONFLICT] == 1


def test_write_by_name_with_units_and_rejections(plant):
    ing = libtwin.Ingest(plant)
    ing.add_signal("motor-C", "temperature", unit="degreeCelsius")
    out = ing.write([
        ("motor-C", "temperature", 1 * S, 32.0, "degreeFahrenheit"),
        ("motor-C", "temperature", 2 * S, 25.0),
        ("motor-X", "temperature", 3 * S, 1.0),
        ("motor-C", "pressure", 3 * S, 1.0),
        ("motor-C", "temperature", 4 * S, 1.0, "pascal"),
    ])
    assert names(out) == ["ACCEPTED", "ACCEPTED", "UNKNOWN_TWIN", "UNKNOWN_SIGNAL",
                          "BAD_UNIT"]
    sig = ing.resolve("motor-C", "temperature")
    assert ing.latest(sig) == (2 * S, 25.0)
    assert ing.write([]) == b""
    with pytest.raises(errors.InvalidArgument):
        ing.write([("motor-C", "temperature", 1)])
    with pytest.raises(errors.InvalidArgument):
        ing.write_signals(sig, [1, 2], [1.0])


def test_reorder_window(plant):
    ing = libtwin.Ingest(plant)
    sig = ing.add_signal("motor-C", "temperature", order="window", window_us=5 * S, history=8)
    out = ing.write_signals(sig, [10 * S, 8 * S, 8 * S, 1 * S], [1.0, 2.0, 2.0, 3.0])
    assert names(out) == ["ACCEPTED", "ACCEPTED_LATE", "DUPLICATE", "OUT_OF_ORDER"]
    ing.set_signal_options(sig, order=libtwin.Order.REJECT)
    assert names(ing.write_signals(sig, [9 * S], [1.0])) == ["OUT_OF_ORDER"]
    with pytest.raises(errors.InvalidArgument):
        ing.add_signal("motor-B", "x", order="sometimes")


def health_options():
    return libtwin.HealthOptions(model="linear", prior_mean=(10.0, 0.0),
                                 prior_cov=(1.0, 0, 0, 1e-6), noise=0.01,
                                 failure_level=100.0, divergence_threshold=0.2,
                                 divergence_clear=0.1, divergence_count=2)


def test_health_model_runs_on_accepted_samples_and_events(plant):
    events = []
    ing = libtwin.Ingest(plant, on_event=events.append)
    sig = ing.add_signal("motor-C", "vibration", health_step=0.1, alarm_high=30.0)
    ing.attach_health(sig, health_options(), t0_us=0)
    t = [k * S for k in range(1, 11)]
    v = [10.0] * 5 + [40.0] * 5  # a jump: divergence, and the alarm
    assert ing.write_signals(sig, t, v) == bytes(10)
    h = ing.get_health(sig)
    assert isinstance(h, libtwin.Health)
    st = h.stats()
    assert st.samples == 10 and st.diverged
    assert h.options.model == 2 and h.options.failure_level == 100.0
    flags = libtwin.EventFlag(0)
    for e in events:
        flags |= e.flags
        assert e.signal == sig
    assert libtwin.EventFlag.DIVERGED in flags and libtwin.EventFlag.THRESHOLD in flags
    assert any(e.zone == 1 for e in events)
    assert ing.stats(sig).events == len(events)
    ing.detach_health(sig)
    with pytest.raises(errors.NotFound):
        ing.get_health(sig)


def test_event_callback_exception_is_reraised_after_the_write(plant):
    calls = []

    def boom(ev):
        calls.append(ev)
        raise KeyError("in the callback")

    ing = libtwin.Ingest(plant, on_event=boom)
    sig = ing.add_signal("motor-C", "temperature", alarm_high=10.0)
    with pytest.raises(KeyError, match="in the callback") as info:
        ing.write_signals(sig, [1 * S, 2 * S, 3 * S], [20.0, 5.0, 20.0])
    assert len(calls) == 1  # not called again during that write
    assert names(info.value.outcomes) == ["ACCEPTED"] * 3  # the write went through
    assert info.value.done == 3
    assert ing.latest(sig) == (3 * S, 20.0)
    # the handle still works, and the next write calls the callback again
    with pytest.raises(KeyError):
        ing.write_signals(sig, [4 * S], [5.0])
    assert len(calls) == 2


def test_event_callback_cannot_write(plant):
    seen = []
    ing = None

    def writer(ev):
        try:
            ing.write_signals(ev.signal, [ev.t_us + 1], [0.0])
        except errors.TwinError as e:
            seen.append(type(e))
        try:
            plant.add_twin("new", MOTOR)
        except errors.TwinError as e:
            seen.append(type(e))

    ing = libtwin.Ingest(plant, on_event=writer)
    sig = ing.add_signal("motor-C", "temperature", alarm_high=10.0)
    ing.write_signals(sig, [S], [20.0])
    assert seen == [errors.InvalidState, errors.InvalidArgument]
    assert "new" not in plant


def test_lifetimes(plant):
    ing = libtwin.Ingest(plant)
    sig = ing.add_signal("motor-C", "temperature")
    with ing:
        ing.write_signals(sig, [S], [1.0])
    assert ing.closed
    ing.close()  # idempotent
    with pytest.raises(errors.Closed):
        ing.latest(sig)
    ing2 = libtwin.Ingest(plant)
    plant.close()  # closes the ingest handle first
    assert ing2.closed
    # an Ingest keeps its graph alive
    g = libtwin.Graph()
    g.add_twin("a", MOTOR)
    ing3 = libtwin.Ingest(g)
    del g
    gc.collect()
    s = ing3.add_signal("a", "x")
    assert names(ing3.write_signals(s, [1], [1.0])) == ["ACCEPTED"]
    ing3.close()


def test_event_callback_does_not_keep_the_ingest_alive(plant):
    events = []
    ing = libtwin.Ingest(plant, on_event=events.append)
    sig = ing.add_signal("motor-C", "temperature", alarm_high=10.0)
    ing.write_signals(sig, [S], [20.0])
    assert events  # the callback works while the handle is alive
    ref = weakref.ref(ing)
    fin = ing._fin
    del ing
    gc.collect()
    assert ref() is None and not fin.alive


def test_remove_twin_makes_handles_stale(plant):
    ing = libtwin.Ingest(plant)
    sig = ing.add_signal("motor-C", "temperature")
    ing.remove_twin("motor-C")
    assert names(ing.write_signals(sig, [S], [1.0])) == ["UNKNOWN_SIGNAL"]
    assert len(ing) == 0


def test_resolver_from_models(graph):
    models = libtwin.Models()
    models.add("""{"@context": ["dtmi:dtdl:context;3",
                   "dtmi:dtdl:extension:quantitativeTypes;1"], "@id": "dtmi:factory:Motor;1",
      "@type": "Interface", "contents": [
        {"@type": ["Telemetry", "Temperature"], "name": "temperature",
         "schema": "double", "unit": "degreeCelsius"}]}""")
    models.resolve()
    graph.add_twin("motor-C", MOTOR)
    ing = libtwin.Ingest(graph, models=models)
    out = ing.write([("motor-C", "temperature", S, 212.0, "degreeFahrenheit"),
                     ("motor-C", "pressure", 2 * S, 1.0)])
    assert names(out) == ["ACCEPTED", "UNKNOWN_SIGNAL"]
    sig = ing.resolve("motor-C", "temperature")
    assert ing.signal_info(sig)[2] == "degreeCelsius"
    assert ing.latest(sig) == (S, 100.0)
