"""The health binding: the seed's bearing example, updates and events,
RUL, save and restore, errors with the library's messages, fitting."""

import math
import random

import pytest

import libtwin
from libtwin import errors

DAY = 86400.0
RATE = 0.003 / DAY


def seed_options(**kw):
    return libtwin.HealthOptions(prior_mean=(math.log(0.12), RATE),
                                 prior_cov=(1e-10, 0, 0, 1e-10 * RATE * RATE), **kw)


def test_options_defaults_and_fields():
    o = libtwin.HealthOptions()
    assert o.model == 1 and o.noise == 0.01 and math.isnan(o.failure_level)
    assert o.prior_cov == (1.0, 0.0, 0.0, 1e-6)
    o.model = "linear"
    o.recalibration = "kalman"
    assert o.model == 2 and o.recalibration == 3
    with pytest.raises(ValueError):
        o.prior_mean = (1, 2, 3)
    with pytest.raises(AttributeError):
        o.nonsense = 1


def test_seed_days_to_alarm_and_score():
    h = libtwin.Health(seed_options())
    assert h.time_to(0.5) / DAY == pytest.approx(math.log(0.5 / 0.12) / 0.003, rel=1e-12)
    for d in (0, 100, 300, 700):
        v = 0.12 * math.exp(0.003 * d)
        t = round(d * DAY * 1e6)
        if d:
            h.update(t, v)
        assert h.score(t) == pytest.approx(max(0.0, (1.2 - v) / 1.08), abs=1e-9)
    s = h.stats()
    assert s.samples == 3 and s.baseline == pytest.approx(0.12)
    assert s.failure_level == pytest.approx(1.2)


def test_update_returns_event_and_divergence():
    o = libtwin.HealthOptions(model="linear", prior_mean=(1.0, 0.0),
                              prior_cov=(1e-20, 0, 0, 1e-30), noise=1e6, failure_level=2.0)
    h = libtwin.Health(o)
    events = [h.update(i + 1, v) for i, v in enumerate([1.3, 1.3, 1.3, 1.15, 1.05])]
    assert [e.became_diverged for e in events] == [False, False, True, False, False]
    assert [e.cleared for e in events] == [False] * 4 + [True]
    assert events[0].predicted == pytest.approx(1.0)
    assert events[0].error == pytest.approx(0.3)


def test_rul_bounds_order():
    o = libtwin.HealthOptions(prior_cov=(1, 0, 0, 1e-12), failure_level=2.0)
    h = libtwin.Health(o)
    rng = random.Random(3)
    for i in range(1, 201):
        t = 3600.0 * i
        h.update(round(t * 1e6), 0.1 * math.exp(1e-6 * t + 0.1 * rng.gauss(0, 1)))
    r = h.rul(0.05, 0.95)
    assert 0 < r.lower < r.median < r.upper < math.inf
    assert r.median == pytest.approx(h.time_to(2.0), rel=1e-9)
    mean, cov = h.posterior()
    assert mean[1] == pytest.approx(1e-6, rel=0.2) and cov[1] == cov[2]


def test_save_and_restore_bit_for_bit():
    o = seed_options()
    h = libtwin.Health(o)
    h.update(10**9, 0.121)
    data = h.to_bytes()
    assert len(data) == 192
    g = libtwin.Health.from_bytes(o, data)
    for k in range(2, 6):
        h.update(k * 10**9, 0.12 + 0.001 * k)
        g.update(k * 10**9, 0.12 + 0.001 * k)
    assert h.to_bytes() == g.to_bytes()
    with pytest.raises(ValueError):
        libtwin.Health.from_bytes(o, data[:-1])


def test_packed_state_round_trips_and_updates_the_same():
    o = seed_options()
    h = libtwin.Health(o)
    h.update(10**9, 0.121)
    packed = h.pack()
    assert len(packed) == libtwin.Health.PACKED_SIZE == 112
    assert libtwin.Health.unpack(o, packed).to_bytes() == h.to_bytes()
    for k in range(2, 6):
        g = libtwin.Health.unpack(o, packed)
        g.update(k * 10**9, 0.12 + 0.001 * k)
        packed = g.pack()
        h.update(k * 10**9, 0.12 + 0.001 * k)
    assert libtwin.Health.unpack(o, packed).to_bytes() == h.to_bytes()
    with pytest.raises(errors.InvalidArgument, match="not a packed"):
        libtwin.Health.unpack(o, bytes(112))
    with pytest.raises(ValueError):
        libtwin.Health.unpack(o, packed[:-1])


def test_encoded_state_and_options_round_trip():
    o = seed_options(recalibration="ema")
    h = libtwin.Health(o)
    for k in range(1, 6):
        h.update(k * 10**9, 0.12 + 0.001 * k)
    data = h.encode()
    assert len(data) == 144 and data[:3] == b"HS\x01"
    assert libtwin.Health.decode(o, data).to_bytes() == h.to_bytes()
    assert libtwin.Health.decode(o, data).encode() == data
    od = o.encode()
    assert len(od) == 152 and od[:3] == b"HO\x01"
    o2 = libtwin.HealthOptions.decode(od)
    assert o2.encode() == od
    assert o2.recalibration == o.recalibration and o2.noise == o.noise
    with pytest.raises(errors.ParseError):
        libtwin.Health.decode(o, data[:-1])
    with pytest.raises(errors.ParseError):
        libtwin.HealthOptions.decode(data)


def test_bad_input_raises_with_message_and_keeps_state():
    h = libtwin.Health(seed_options())
    h.update(10**9, 0.13)
    before = h.to_bytes()
    with pytest.raises(errors.InvalidArgument, match="not finite"):
        h.update(2 * 10**9, float("nan"))
    with pytest.raises(errors.LimitExceeded, match="above phi"):
        h.update(2 * 10**9, -1.0)
    with pytest.raises(errors.InvalidArgument, match="backwards"):
        h.update(10**8, 0.13)
    with pytest.raises(errors.LimitExceeded, match="baseline"):
        h.time_to(0.05)
    assert h.to_bytes() == before
    with pytest.raises(errors.LimitExceeded, match="positive definite"):
        libtwin.Health(libtwin.HealthOptions(prior_cov=(1, 1, 1, 1)))


def test_fit_prior_and_errors():
    rng = random.Random(5)
    runs = []
    for _ in range(30):
        a, b = math.log(0.1) + 0.1 * rng.gauss(0, 1), 1e-4 + 1e-5 * rng.gauss(0, 1)
        t = [60 * i for i in range(50)]
        runs.append(([round(x * 1e6) for x in t],
                     [math.exp(a + b * x + 0.02 * rng.gauss(0, 1)) for x in t]))
    o = libtwin.HealthOptions()
    o.fit_prior(runs)
    assert o.prior_mean[0] == pytest.approx(math.log(0.1), abs=0.1)
    assert o.prior_mean[1] == pytest.approx(1e-4, rel=0.1)
    assert math.sqrt(o.noise) == pytest.approx(0.02, rel=0.1)
    with pytest.raises(errors.InvalidArgument, match="at least 2 runs"):
        libtwin.HealthOptions().fit_prior(runs[:1])


def test_fusion_fit_and_apply():
    runs, ts, sens = [], [], []
    for k in range(2):
        for i in range(20):
            h = 1 - i / 19
            runs.append(k)
            ts.append(i * 10**6)
            sens.append([5 + 2 * (1 - h) + 0.1 * k, 3.0])
    f = libtwin.Fusion.fit(runs, ts, sens)
    assert f.regimes == 1 and f.rmse < 0.05
    idx, reg = f.apply(sens[0])
    assert reg == 0 and idx == pytest.approx(1.0, abs=0.06)
    assert f.weights[1] == 0.0
    with pytest.raises(errors.InvalidArgument):
        libtwin.Fusion.fit(runs[:20], ts[:20], sens[:20])


# ---- the RUL predictor (twin_health_predictor) ---------------------------------


def _fleet_rows(runs=5, length=60):
    rows = []
    for r in range(runs):
        n = length + 7 * r
        for k in range(n):
            wear = (k / n) ** 2
            rows.append((r, k * 1_000_000, [1.0 + wear + 0.01 * ((k * 7 + r) % 5),
                                             2.0 - 0.5 * wear]))
    return rows


def test_predictor_fits_saves_loads_and_tracks():
    rows = _fleet_rows()
    m = libtwin.Predictor.fit([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                              trees=40, depth=3, horizon=50)
    info = m.info
    assert info["nsensors"] == 2 and info["trees"] == 40 and info["horizon"] == 50
    blob = m.save()
    assert len(blob) == info["bytes"]
    m2 = libtwin.Predictor.load(blob)
    assert m2.save() == blob
    # the same estimates from the loaded copy; a worn asset has less life left
    t1, t2 = m.track(), m2.track()
    last = None
    for k in range(60):
        wear = (k / 60) ** 2
        row = [1.0 + wear, 2.0 - 0.5 * wear]
        t1.update(row)
        t2.update(row)
        e1, e2 = t1.rul(), t2.rul()
        assert e1 == e2
        assert 0 <= e1.rul <= 50 and e1.horizon == 50 and e1.cycles == k + 1
        last = e1
    assert not last.censored and last.rul < 25
    with pytest.raises(errors.InvalidArgument):
        t1.update([float("nan"), 1.0])
    assert t1.rul() == last
    with pytest.raises(errors.ParseError):
        libtwin.Predictor.load(blob[:-1])
    with pytest.raises(TypeError):
        libtwin.Predictor.fit([0], [0], [[1.0]], bogus=1)
    m.close()
    with pytest.raises(errors.InvalidState):
        t1.rul()
