"""User-defined health models (HealthModel): the callbacks' contract
(state, statuses), numbers through Health and Ingest, exceptions that
surface without crashing, lifetime of the C table, snapshots."""

import gc
import math
import struct
import weakref

import pytest

import libtwin
from libtwin import errors

S = 1_000_000  # a second in microseconds
MOTOR = "dtmi:factory:Motor;1"


class Line(libtwin.HealthModel):
    """v(t) = level + rate * t; each sample sets the rate through the latest
    sample (the level stays the baseline)."""

    state_format = "2d"

    def __init__(self, level=40.0):
        super().__init__()
        self.level = level
        self.diverged = []

    def init(self):
        return (self.level, 0.0)

    def predict(self, state, t):
        level, rate = state
        return level + rate * t

    def update(self, state, t, value, diverged):
        self.diverged.append(diverged)
        level, _ = state
        return (level, (value - level) / t)


def line_options(model=None, **kw):
    kw.setdefault("failure_level", 100.0)
    return libtwin.HealthOptions(model=model or Line(), **kw)


# ---- numbers through Health ------------------------------------------------------------

def test_user_model_predictions_time_to_score_and_rul():
    o = line_options()
    assert o.model == 3 and isinstance(o.user, Line)
    h = libtwin.Health(o, t0_us=10 * S)
    assert h.predict(20 * S) == 40.0  # rate 0 from init
    s = h.stats()
    assert s.baseline == 40.0 and s.failure_level == 100.0 and s.t0_us == 10 * S
    ev = h.update(11 * S, 41.0)  # t = 1 s: rate becomes 1 per second
    assert ev.predicted == 40.0
    assert ev.error == pytest.approx(1 / 40)
    assert all(math.isnan(x) for x in ev.mean_before + ev.mean_after)
    assert h.predict(13 * S) == pytest.approx(43.0)
    assert h.score(13 * S) == pytest.approx((100 - 43) / 60)
    # the library searches the crossing of the Python prediction
    assert h.time_to(50.0) == pytest.approx(9.0, rel=1e-8)
    r = h.rul()
    assert r.median == pytest.approx(59.0, rel=1e-8)
    assert math.isnan(r.lower) and math.isnan(r.upper)
    with pytest.raises(errors.InvalidArgument, match="no Gaussian posterior"):
        h.posterior()
    # plain data: the state saved and restored bit for bit predicts the same
    again = libtwin.Health.from_bytes(o, h.to_bytes())
    assert again.predict(13 * S) == pytest.approx(43.0)


def test_divergence_reaches_update_and_recalibrates():
    calls = []

    def update(state, t, v, diverged):
        calls.append(diverged)
        return None  # keep the state

    m = libtwin.HealthModel(state_format="d", init=lambda: 1.0,
                            predict=lambda state, t: state[0], update=update)
    h = libtwin.Health(libtwin.HealthOptions(model=m, failure_level=10.0))
    events = [h.update(k * S, 2.0) for k in range(1, 5)]  # error 1.0 > 0.2, 3 in a row
    assert calls == [False, False, True, True]
    assert [e.became_diverged for e in events] == [False, False, True, False]
    assert [e.recalibrated for e in events] == [False, False, True, True]
    assert h.stats().recalibrations == 2 and h.stats().diverged
    assert h.predict(9 * S) == 1.0  # update returned None: the state is unchanged


def test_model_from_callables_with_raw_state():
    def init():
        return struct.pack("<d", 5.0) + bytes(8)

    def predict(state, t):
        assert isinstance(state, bytes) and len(state) == 16
        return struct.unpack_from("<d", state)[0] + 2.0 * t

    def update(state, t, v, diverged):
        base, n = struct.unpack("<dd", state)
        return struct.pack("<dd", v - 2.0 * t, n + 1)

    m = libtwin.HealthModel(state_size=16, init=init, predict=predict, update=update)
    h = libtwin.Health(libtwin.HealthOptions(model=m, failure_level=100.0))
    assert h.predict(3 * S) == 11.0
    h.update(2 * S, 10.0)  # base becomes 6
    assert h.predict(3 * S) == 12.0


def test_invalid_models_are_refused():
    class NoUpdate(libtwin.HealthModel):
        state_format = "d"

        def predict(self, state, t):
            return 1.0

    with pytest.raises(TypeError, match="update"):
        libtwin.HealthOptions(model=NoUpdate())
    with pytest.raises(TypeError, match="neither"):
        libtwin.HealthOptions(model=libtwin.HealthModel(predict=max, update=max))
    with pytest.raises(errors.InvalidArgument, match="1 to 64"):
        libtwin.HealthOptions(model=libtwin.HealthModel(state_size=65, predict=max,
                                                        update=max))
    with pytest.raises(errors.InvalidArgument, match="state_format"):
        libtwin.HealthOptions(model=libtwin.HealthModel(state_format="zz", predict=max,
                                                        update=max))
    with pytest.raises(TypeError):
        libtwin.HealthOptions(user=object())
    # the kind alone, without a table: the library says what is missing
    with pytest.raises(errors.InvalidArgument, match="function table"):
        libtwin.Health(libtwin.HealthOptions(model="user"))


# ---- exceptions in callbacks -----------------------------------------------------------

class Boom(Exception):
    pass


class Faulty(Line):
    """A Line whose callbacks raise on demand."""

    def __init__(self):
        super().__init__()
        self.fail = set()
        self.calls = {"init": 0, "predict": 0, "update": 0}

    def init(self):
        self.calls["init"] += 1
        if "init" in self.fail:
            raise Boom("init")
        return super().init()

    def predict(self, state, t):
        self.calls["predict"] += 1
        if "predict" in self.fail:
            raise Boom("predict")
        return super().predict(state, t)

    def update(self, state, t, value, diverged):
        self.calls["update"] += 1
        if "update" in self.fail:
            raise Boom("update")
        return super().update(state, t, value, diverged)


def test_exceptions_in_callbacks_are_reraised_and_change_nothing():
    m = Faulty()
    o = line_options(m)
    m.fail = {"init"}
    with pytest.raises(Boom, match="init"):
        libtwin.Health(o)
    m.fail = {"predict"}
    with pytest.raises(Boom, match="predict"):
        libtwin.Health(o)
    m.fail = set()
    h = libtwin.Health(o)
    h.update(1 * S, 41.0)
    before = h.to_bytes()
    m.fail = {"update"}
    with pytest.raises(Boom, match="update"):
        h.update(2 * S, 50.0)
    assert h.to_bytes() == before  # the scratch copy was dropped
    assert h.stats().samples == 1
    m.fail = {"predict"}
    for call in (lambda: h.predict(5 * S), lambda: h.score(5 * S),
                 lambda: h.time_to(60.0), lambda: h.rul(), lambda: h.update(3 * S, 42.0)):
        with pytest.raises(Boom, match="predict"):
            call()
    assert h.to_bytes() == before
    m.fail = set()  # nothing stays pending: the model works again
    h.update(2 * S, 42.0)
    assert h.predict(4 * S) == pytest.approx(44.0)


def test_first_exception_stops_the_callbacks_of_that_call():
    m = Faulty()
    h = libtwin.Health(line_options(m))
    h.update(1 * S, 41.0)
    m.fail = {"predict"}
    m.calls["predict"] = 0
    with pytest.raises(Boom):
        h.time_to(60.0)  # a search that would call predict dozens of times
    assert m.calls["predict"] == 1


def test_twin_error_status_of_a_callback_is_the_status():
    class Refuses(Line):
        def update(self, state, t, value, diverged):
            raise errors.LimitExceeded("value out of the model's domain")

    h = libtwin.Health(line_options(Refuses()))
    with pytest.raises(errors.LimitExceeded, match="domain"):
        h.update(1 * S, 41.0)


def test_bad_results_become_exceptions():
    class NotANumber(Line):
        def predict(self, state, t):
            return "forty"

    with pytest.raises(ValueError):
        libtwin.Health(line_options(NotANumber()))

    class WrongState(Line):
        def update(self, state, t, value, diverged):
            return (1.0,)  # two fields expected

    h = libtwin.Health(line_options(WrongState()))
    with pytest.raises(struct.error):
        h.update(1 * S, 41.0)
    assert h.stats().samples == 0

    class NonFinite(Line):
        def predict(self, state, t):
            return math.inf

    with pytest.raises(errors.LimitExceeded, match="not finite"):
        libtwin.Health(line_options(NonFinite()))


# ---- through Ingest --------------------------------------------------------------------

def test_user_model_in_ingest(graph):
    graph.add_twin("motor-C", MOTOR)
    events = []
    ing = libtwin.Ingest(graph, on_event=events.append)
    sig = ing.add_signal("motor-C", "temperature", health_step=0.01)
    m = Line()
    ing.attach_health(sig, line_options(m), t0_us=0)
    out = ing.write_signals(sig, [1 * S, 2 * S], [41.0, 44.0])
    assert out == bytes(2)
    assert [e.predicted for e in events] == [40.0, pytest.approx(42.0)]
    assert events[1].error == pytest.approx(2 / 42)
    h = ing.get_health(sig)
    assert h.options.user is m  # the Python model of the table the library holds
    assert h.predict(4 * S) == pytest.approx(48.0)  # rate 2 per second
    assert h.stats().samples == 2


def test_exception_in_ingest_update_surfaces_after_the_write(graph):
    graph.add_twin("motor-C", MOTOR)
    ing = libtwin.Ingest(graph)
    sig = ing.add_signal("motor-C", "temperature")
    m = Faulty()
    ing.attach_health(sig, line_options(m))
    m.fail = {"update"}
    m.calls["update"] = 0
    with pytest.raises(Boom) as info:
        ing.write_signals(sig, [1 * S, 2 * S, 3 * S], [41.0, 42.0, 43.0])
    # the samples are accepted; the model refused them and was not asked again
    assert info.value.outcomes == bytes(3) and info.value.done == 3
    assert m.calls["update"] == 1
    assert ing.stats(sig).health_errors == 3
    assert ing.latest(sig) == (3 * S, 43.0)
    m.fail = set()
    ing.write_signals(sig, [4 * S], [44.0])
    assert ing.get_health(sig).stats().samples == 1
    m.fail = {"init"}
    with pytest.raises(Boom):
        ing.attach_health(sig, line_options(m))


def test_ingest_keeps_the_model_alive(graph):
    graph.add_twin("motor-C", MOTOR)
    ing = libtwin.Ingest(graph)
    sig = ing.add_signal("motor-C", "temperature")

    def attach():
        m = Line()
        ing.attach_health(sig, line_options(m))
        return weakref.ref(m)

    ref = attach()
    gc.collect()
    assert ref() is not None  # the handle holds its table
    ing.write_signals(sig, [1 * S, 2 * S], [41.0, 42.0])
    assert ing.get_health(sig).predict(3 * S) == pytest.approx(43.0)
    ing.close()
    gc.collect()
    assert ref() is None


def test_options_and_health_keep_the_model_alive():
    m = Line()
    ref = weakref.ref(m)
    h = libtwin.Health(line_options(m))
    del m
    gc.collect()
    assert ref() is not None
    assert h.predict(1 * S) == 40.0
    del h
    gc.collect()
    assert ref() is None


def test_snapshot_restore_with_user_model(graph):
    graph.add_twin("motor-C", MOTOR)
    m = Line()
    ing = libtwin.Ingest(graph, user_model=m)
    sig = ing.add_signal("motor-C", "temperature")
    ing.attach_health(sig, line_options(m))
    ing.write_signals(sig, [1 * S, 2 * S], [41.0, 44.0])
    data = libtwin.snapshot_save(graph, ing)
    state = ing.get_health(sig).to_bytes()
    with libtwin.Graph() as g2:
        with pytest.raises(errors.InvalidState, match="user_model"):
            libtwin.snapshot_restore(g2, data, libtwin.Ingest(g2))
        ing2 = libtwin.Ingest(g2, user_model=m)
        libtwin.snapshot_restore(g2, data, ing2)
        sig2 = ing2.resolve("motor-C", "temperature")
        h2 = ing2.get_health(sig2)
        assert h2.to_bytes() == state and h2.options.user is m
        assert h2.predict(4 * S) == pytest.approx(48.0)
        # a user model whose init fails when the restore re-checks the options
        bad = Faulty()
        bad.fail = {"init"}
        ing3 = libtwin.Ingest(g2, user_model=bad)
        with pytest.raises(Boom):
            libtwin.snapshot_restore(g2, data, ing3)
        assert list(g2) == ["motor-C"]
