"""Clock models and time series reads from Python (issue 18)."""
import math

import pytest

import libtwin
from libtwin import series

T0 = 1_751_328_000_000_000
S = 1_000_000


def test_clock_estimates_offset_and_skew():
    c = libtwin.Clock()
    for k in range(30):
        t = T0 + k * S
        src = t + 1_500_000 + round(50e-6 * k * S)  # 1.5 s ahead, 50 ppm fast
        c.observe(src, t + 200)
    e = c.estimate()
    assert abs(e.offset_us - (-1_500_000 - 50 * 29 + 200)) <= 2
    assert abs(e.skew_ppm - 50) < 0.1
    assert c.to_host(T0 + 40 * S + 1_500_000 + 2000) == pytest.approx(T0 + 40 * S + 200, abs=3)


def test_clock_bad_input_raises_and_keeps_estimate():
    c = libtwin.Clock()
    for k in range(5):
        c.observe(T0 + k * S, T0 + k * S + 100)
    before = c.estimate()
    with pytest.raises(libtwin.InvalidArgument):
        c.observe(T0, T0)  # receive time goes backwards
    with pytest.raises(libtwin.InvalidArgument):
        c.observe(float("nan"), T0 + 10 * S)
    with pytest.raises(libtwin.LimitExceeded):
        c.observe(-5, T0 + 10 * S)
    assert c.estimate() == before
    with pytest.raises(libtwin.NotFound):
        libtwin.Clock().estimate()
    with pytest.raises(libtwin.InvalidArgument):
        libtwin.Clock(tolerance_offset_us=-1)


def test_clock_known_offset_and_local_time():
    c = libtwin.Clock("known_offset", offset_us=-3 * S)
    assert c.estimate().offset_us == -3 * S and c.estimate().declared
    c = libtwin.Clock("local_time")
    for k in range(10):
        c.observe(T0 + k * S + 3600 * S, T0 + k * S)
    assert c.estimate().zone_offset_us == -3600 * S


def test_series_value_at_policies():
    t, v = [10, 20, 30], [1.0, 2.0, 4.0]
    assert series.value_at(t, v, 25).value == 2.0
    assert series.value_at(t, v, 25, policy="next").value == 4.0
    lin = series.value_at(t, v, 25, policy="linear")
    assert lin.value == 3.0 and lin.interpolated and lin.age_us == 5
    assert series.value_at(t, v, 24, policy="nearest").value == 2.0
    with pytest.raises(libtwin.LimitExceeded):
        series.value_at(t, v, 25, tolerance_us=3)
    m = series.value_at(t, v, 5, mark=True)
    assert not m.covered and math.isnan(m.value)
    b = series.resample(t, v, 0, 20, 2)
    assert (b[0].count, b[0].mean, b[1].count, b[1].max, b[1].last) == (1, 1.0, 2, 4.0, 4.0)


def test_ingest_state_at_and_history():
    with libtwin.Graph() as g:
        g.add_twin("p", "dtmi:x:P;1")
        with libtwin.Ingest(g) as ing:
            a = ing.add_signal("p", "a", history=8)
            b = ing.add_signal("p", "b", history=8)
            ing.write_signals([a, a, b], [T0, T0 + 10, T0 + 4], [1.0, 3.0, 7.0])
            samples, cf = ing.history(a)
            assert samples == [(T0, 1.0), (T0 + 10, 3.0)] and cf is None
            va, vb = ing.state_at([a, b], T0 + 5, policy="linear", mark=True)
            assert va.value == 2.0 and va.interpolated and not vb.covered
            with pytest.raises(libtwin.LimitExceeded):
                ing.state_at([a, b], T0 + 5, policy="linear")
            va, vb = ing.state_at([a, b], T0 + 5)
            assert (va.value, va.age_us, vb.value, vb.age_us) == (1.0, 5, 7.0, 1)
            bk = ing.resample(a, T0, 5, 3)
            assert [x.count for x in bk] == [1, 0, 1]


def test_align_rows_linear():
    with series.Align(2, T0, 10, policy="linear", tolerance_us=20) as a:
        assert a.push([(0, T0 - 5, 0.0), (0, T0 + 15, 2.0), (1, T0, 7.0), (1, T0 + 25, 9.0),
                       (0, T0 + 15, 5.0), (9, T0, 1.0)]) == 2
        rows = list(a.rows())
        assert [t for t, _ in rows] == [T0, T0 + 10]
        assert rows[0][1][0].value == 0.5 and rows[0][1][0].interpolated
        assert rows[0][1][1].value == 7.0 and not rows[0][1][1].interpolated
        a.flush()
        t, vals = next(a.rows())
        assert t == T0 + 20 and not vals[0].covered and vals[1].value == pytest.approx(8.6)
