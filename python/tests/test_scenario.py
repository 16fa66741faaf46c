"""Scenarios (issue 17) from Python: the fork keeps the live graph as it was
and nothing done in a scenario reaches it, results agree with closed forms,
failure times come out as numpy or array.array copies, comparisons use
common random numbers, the structure callback decides (and its exceptions
propagate), bad input raises with the library's message, lifetimes hold."""

import array
import gc
import math
import sys

import pytest

import libtwin
from libtwin import errors
from libtwin.scenario import HealthParam, Stress

DAY = 86400.0
DAY_US = 86_400_000_000
T0_US = 1_700_000_000_000_000
M = "dtmi:t:M;1"


def add(g, twin, speed=0.0, **props):
    g.add_twin(twin, M, {"speed": speed, **props})


def near_p(got, p, n, what):
    """A Monte Carlo share against its exact value, within 4.5 sigma."""
    sigma = math.sqrt(max(p * (1 - p), 1e-12) / n)
    assert abs(got - p) <= 4.5 * sigma + 1e-12, f"{what}: {got} vs exact {p}"


def cdf_at(res, twin, t):
    times = res.times(twin)
    return sum(1 for x in times if x <= t) / len(times)


def vibration(ing, twin, days=10, rate_per_day=0.01):
    """A signal with an exponential health model that has seen ``days`` days
    of exponential growth (the C tests' fixture)."""
    opts = libtwin.HealthOptions(model="exponential",
                                 prior_mean=(math.log(0.12), 0.01 / DAY),
                                 prior_cov=(0.01, 0.0, 0.0, (0.004 / DAY) ** 2),
                                 noise=0.01, failure_level=1.2)
    sig = ing.add_signal(twin, "vibration")
    ing.attach_health(sig, opts, t0_us=T0_US)
    ts = [T0_US + d * DAY_US for d in range(1, days + 1)]
    ing.write_signals(sig, ts, [0.12 * math.exp(rate_per_day * d) for d in range(1, days + 1)])
    return sig


def live_state(g):
    """What the live graph holds, for before/after comparisons."""
    return sorted((t.id, t.model, tuple(sorted(g.properties(t.id).items())),
                   tuple(sorted((r.id, r.name, r.target) for r in g.relationships(t.id))))
                  for t in g.twins())


# ---- the fork --------------------------------------------------------------------------

def test_live_changes_after_fork_do_not_show(graph):
    for k, t in enumerate("ABC"):
        add(graph, t, k + 1)
    graph.add_relationship("A", "r1", "feeds", "B")
    graph.add_relationship("C", "r2", "feeds", "B")
    with libtwin.Scenario(graph) as sc:
        graph.set_property("A", "speed", 9.0)
        graph.remove_twin("C", cascade=True)
        add(graph, "D", 4)
        graph.add_relationship("D", "r3", "feeds", "B")
        graph.remove_relationship("A", "r1")
        assert sc.get_property("A", "speed") == 1.0
        assert sc.get_property("C", "speed") == 3.0
        assert sc.find_twin("D") is None and "D" not in sc
        assert sc.find_twin("C") == M and "C" in sc
        assert sorted(r.source for r in sc.relationships("B", "in")) == ["A", "C"]
        assert [r.target for r in sc.relationships("A")] == ["B"]
        assert [(r.id, r.name) for r in sc.relationships("C", "out", "feeds")] == [("r2", "feeds")]
        assert sc.relationships("C", "out", "other") == []
        assert sc.twin_count() == 3 and len(sc) == 3
        assert graph.twin_count() == 3  # A B D


def test_scenario_changes_stay_in_the_scenario(graph):
    add(graph, "A", 1.0, tags=["x", 2])
    add(graph, "B", 2.0)
    graph.add_relationship("A", "r1", "feeds", "B")
    ing = libtwin.Ingest(graph)
    vibration(ing, "A")
    before = live_state(graph)
    sc = libtwin.Scenario.fork(graph, ing)
    assert sc.get_property("A", "tags") == ["x", 2]  # values as Graph converts them
    sc.set_property("A", "speed", 1.2)
    sc.set_property("A", "spec", {"rated": 7.5, "ok": True, "name": "m"})
    sc.add_twin("P2", "dtmi:t:Pump;1")
    sc.add_relationship("P2", "r9", "feeds", "B")
    sc.remove_relationship("A", "r1")
    sc.fail_twin("B", 30 * DAY)
    sc.set_health("A", "vibration", HealthParam.RATE_FACTOR, 2.0)
    sc.set_failure_rate("A", 1e-9)
    assert sc.get_property("A", "speed") == 1.2
    assert sc.get_property("A", "spec") == {"rated": 7.5, "ok": True, "name": "m"}
    assert sc.find_twin("P2") == "dtmi:t:Pump;1"
    assert [r.source for r in sc.relationships("B", "in")] == ["P2"]
    # a child sees its parent as it is; the parent is frozen while it has one
    child = sc.fork()
    assert child.parent is sc and child.graph is graph
    with pytest.raises(errors.InvalidState, match="children"):
        sc.remove_twin("A")
    child.remove_twin("A")
    assert child.find_twin("A") is None and sc.find_twin("A") == M
    assert child.find_twin("P2") == "dtmi:t:Pump;1"
    res = child.run(runs=50)
    assert sorted(res.twin_ids()) == ["B", "P2"]
    assert res.outcome("B").p_fail == 1.0  # failed at 30 days in every run
    assert res.outcome("B").ttf_median == 30 * DAY
    child.close()
    sc.set_property("A", "speed", 1.5)  # thawed once its child is closed
    sc.close()
    assert live_state(graph) == before
    assert graph.get_property("A", "speed") == 1.0
    ing.close()


# ---- closed forms ----------------------------------------------------------------------

def test_k_of_n_with_exponential_lifetimes_matches_the_closed_form(graph):
    """Pumps P0..P2 (exponential lifetimes) feed station S, which needs 2 of
    them; line L needs S and valve V (series)."""
    lam = 1.0 / (200 * DAY)
    for t in ("L", "S", "V", "P0", "P1", "P2"):
        add(graph, t)
    graph.set_property("S", "required", 2)
    for i in range(3):
        graph.add_relationship(f"P{i}", f"p{i}", "partOf", "S")
    graph.add_relationship("S", "s", "partOf", "L")
    graph.add_relationship("V", "v", "partOf", "L")
    runs = 4000
    with libtwin.Scenario(graph, now_us=T0_US) as sc:
        for t in ("P0", "P1", "P2", "V"):
            sc.set_failure_rate(t, lam)
        res = sc.run(runs=runs, seed=3, depends=["partOf:in"], k_property="required")
    s = res.outcome("S")
    assert (s.inputs, s.k, s.runs) == (3, 2, runs)
    assert res.outcome("L").inputs == 2 and res.outcome("L").k == 2
    for d in (50, 150, 250, 350):
        t = d * DAY
        p = 1 - math.exp(-lam * t)
        ks = 3 * p * p * (1 - p) + p ** 3          # 2 of 3 down
        pl = 1 - (1 - ks) * math.exp(-lam * t)     # S in series with V
        near_p(cdf_at(res, "P1", t), p, runs, "one pump")
        near_p(cdf_at(res, "S", t), ks, runs, "2-of-3 station")
        near_p(cdf_at(res, "L", t), pl, runs, "series line")
    line = res.outcome("L")
    assert line.availability + line.downtime_s / res.horizon_s == pytest.approx(1.0, abs=1e-9)
    assert res.horizon_s == 365 * DAY and res.step_s == DAY  # the library's defaults


def test_structure_callback_decides(graph):
    """S is up while P0 is, or while both P1 and P2 are."""
    lam = 1.0 / (200 * DAY)
    add(graph, "S")
    for i in range(3):
        add(graph, f"P{i}")
        graph.add_relationship(f"P{i}", f"p{i}", "partOf", "S")
    seen = set()

    def p0_or_both(twin, inputs, up):
        assert twin == "S" and len(inputs) == len(up) == 3
        state = dict(zip(inputs, up))
        seen.add(tuple(sorted(inputs)))
        return state["P0"] or (state["P1"] and state["P2"])

    runs = 3000
    with libtwin.Scenario(graph, now_us=T0_US) as sc:
        for i in range(3):
            sc.set_failure_rate(f"P{i}", lam)
        res = sc.run(runs=runs, depends="partOf:in", structure=p0_or_both)
    assert seen == {("P0", "P1", "P2")}
    assert res.outcome("S").k == 0 and res.outcome("S").inputs == 3
    for d in (50, 150, 250, 350):
        t = d * DAY
        p = 1 - math.exp(-lam * t)
        near_p(cdf_at(res, "S", t), p * (1 - (1 - p) ** 2), runs, "P0 or (P1 and P2)")


def test_structure_callback_exception_propagates(graph):
    add(graph, "S")
    add(graph, "P")
    graph.add_relationship("P", "p", "partOf", "S")
    calls = []

    class Boom(Exception):
        pass

    def structure(twin, inputs, up):
        calls.append(twin)
        raise Boom("no structure today")

    with libtwin.Scenario(graph) as sc:
        sc.set_failure_rate("P", 1e-7)
        with pytest.raises(Boom, match="no structure today"):
            sc.run(runs=200, depends="partOf:in", structure=structure)
        assert len(calls) == 1  # not called again after the first exception
        # the scenario is usable afterwards, and a callback may not change it
        def writer(twin, inputs, up):
            sc.set_property("S", "speed", 2.0)
        with pytest.raises(errors.InvalidState, match="structure callback"):
            sc.run(runs=5, depends="partOf:in", structure=writer)
        assert sc.get_property("S", "speed") == 0.0
        assert sc.run(runs=5, depends="partOf:in").outcome("S").inputs == 1
        with pytest.raises(TypeError, match="callable"):
            sc.run(structure=42)


# ---- results -----------------------------------------------------------------------------

@pytest.mark.parametrize("use_numpy", [True, False])
def test_times_are_copies_as_numpy_or_array(graph, monkeypatch, use_numpy):
    if use_numpy:
        np = pytest.importorskip("numpy")
    else:
        monkeypatch.setitem(sys.modules, "numpy", None)  # as if numpy were absent
    add(graph, "A")
    add(graph, "B")
    with libtwin.Scenario(graph) as sc:
        sc.set_failure_rate("A", 1 / (100 * DAY))
        sc.fail_twin("B", 10 * DAY + 1)
        res = sc.run(runs=300, seed=9, horizon_s=200 * DAY, step_s=DAY)
    ta, tb = res.times("A"), res.times("B")
    if use_numpy:
        assert isinstance(ta, np.ndarray) and ta.dtype == np.float64 and ta.shape == (300,)
        assert ta.flags.writeable and ta.flags.owndata
        ta[0] = -1.0  # a copy: the results are untouched
        assert res.times("A")[0] != -1.0
        ta = res.times("A")
    else:
        assert isinstance(ta, array.array) and ta.typecode == "d" and len(ta) == 300
    assert set(tb) == {11 * DAY}  # the end of the step it failed in
    finite = [t for t in ta if t != math.inf]
    assert all(t % DAY == 0 and 0 < t <= 200 * DAY for t in finite)
    out = res.outcome("A")
    assert out.p_fail == len(finite) / 300
    assert 0 < out.p_fail < 1 and math.inf in list(ta)
    assert out.ttf_lower <= out.ttf_median <= out.ttf_upper
    assert [o.twin for o in res.outcomes()] == res.twin_ids() and len(res) == 2


def test_compare_uses_common_random_numbers(graph):
    lam = 1 / (300 * DAY)
    for t in ("L", "P0", "P1"):
        add(graph, t)
    for i in range(2):
        graph.add_relationship(f"P{i}", f"p{i}", "partOf", "L")
    base = libtwin.Scenario(graph)
    same = libtwin.Scenario(graph)
    worse = libtwin.Scenario(graph)
    for sc in (base, same, worse):
        for t in ("P0", "P1"):
            sc.set_failure_rate(t, lam)
    worse.set_failure_rate("P1", 3 * lam)
    kw = dict(runs=2000, seed=42, depends="partOf:in")
    ra, rs, rw = base.run(**kw), same.run(**kw), worse.run(**kw)
    d = ra.compare(rs, "L")
    assert (d.p_fail, d.p_fail_lo, d.p_fail_hi) == (0.0, 0.0, 0.0)
    assert (d.downtime_s, d.downtime_lo, d.downtime_hi) == (0.0, 0.0, 0.0)
    assert d.runs == 2000 and d.ttf_median_a == d.ttf_median_b
    assert list(ra.times("L")) == list(rs.times("L"))
    # the unchanged pump fails at the same times in both: only P1 moved
    assert list(ra.times("P0")) == list(rw.times("P0"))
    w = ra.compare(rw, "L")
    assert w.p_fail_lo <= w.p_fail <= w.p_fail_hi and w.p_fail_lo > 0
    assert w.downtime_lo > 0 and w.ttf_median_b < w.ttf_median_a
    # results outlive their scenarios and graph
    for sc in (base, same, worse):
        sc.close()
    graph.close()
    assert ra.compare(rw, "L") == w
    with pytest.raises(errors.InvalidArgument, match="same seed.*seed 42 vs 43"):
        ra.compare(base_run_again(rw), "L")
    with pytest.raises(errors.NotFound, match="no twin 'X'"):
        ra.compare(rw, "X")


def base_run_again(r):
    """Results of a different seed, over a fresh graph."""
    g = libtwin.Graph()
    add(g, "L")
    with libtwin.Scenario(g) as sc:
        return sc.run(runs=r.runs, seed=43)


def test_health_rate_factor_and_stress_law(graph):
    """Health states are forked from the ingest handle; a faster rate brings
    failures forward; a power stress law on a property does what the same
    factor on the rate does."""
    add(graph, "A", 1.0)
    ing = libtwin.Ingest(graph)
    vibration(ing, "A", days=10, rate_per_day=0.01)
    kw = dict(runs=2000, seed=5, horizon_s=1000 * DAY)
    base = libtwin.Scenario(graph, ing)
    ra = base.run(**kw)
    assert 0 < ra.outcome("A").p_fail  # the model's path reaches its failure level
    fast = base.fork()
    fast.set_health("A", "vibration", "rate_factor", 2.0)
    rf = fast.run(**kw)
    d = ra.compare(rf, "A")
    assert d.ttf_median_b < d.ttf_median_a and d.downtime_s > 0
    loaded = base.fork()
    loaded.set_property("A", "speed", 2.0)
    law = Stress(signal="vibration", property="speed", exponent=1.0, rated=1.0)
    rl = loaded.run(stress=[law], **kw)
    assert rl.outcome("A").ttf_median == pytest.approx(rf.outcome("A").ttf_median, rel=0.02)
    assert abs(rl.outcome("A").p_fail - rf.outcome("A").p_fail) < 0.02
    # the same law on the unchanged parent changes nothing
    assert list(base.run(stress=[law], **kw).times("A")) == list(ra.times("A"))
    with pytest.raises(errors.NotFound):
        base.fork().set_health("A", "temperature", HealthParam.RATE, 1e-9)
    for sc in (fast, loaded):
        sc.close()
    base.close()
    ing.close()


# ---- bad input ---------------------------------------------------------------------------

def test_bad_input_raises_with_the_library_message(graph):
    add(graph, "A", half=0.5)
    add(graph, "B", k=5)
    graph.add_relationship("A", "r", "feeds", "B")
    before = live_state(graph)
    sc = libtwin.Scenario(graph)
    cases = [
        (errors.NotFound, "no twin 'X' in the scenario", lambda: sc.set_property("X", "p", 1)),
        (errors.NotFound, "no twin 'X' in the scenario", lambda: sc.relationships("X")),
        (errors.NotFound, "has no property 'nope'", lambda: sc.get_property("A", "nope")),
        (errors.AlreadyExists, "twin 'A' exists", lambda: sc.add_twin("A", M)),
        (errors.InvalidArgument, "failure time must be >= 0", lambda: sc.fail_twin("A", -1.0)),
        (errors.InvalidArgument, "failure rate", lambda: sc.set_failure_rate("A", math.inf)),
        (errors.InvalidArgument, "", lambda: sc.set_health("A", "vibration", 99, 1.0)),
        (errors.InvalidArgument, "unknown health parameter 'speed'",
         lambda: sc.set_health("A", "vibration", "speed", 1.0)),
        (errors.InvalidArgument, "runs must be >= 1", lambda: sc.run(runs=0)),
        (errors.InvalidArgument, "horizon must be finite and > 0",
         lambda: sc.run(horizon_s=-DAY)),
        (errors.InvalidArgument, r"step must be in \(0, horizon\]",
         lambda: sc.run(horizon_s=DAY, step_s=2 * DAY)),
        (errors.InvalidArgument, "quantiles", lambda: sc.run(q_lower=0.7)),
        (errors.InvalidArgument, "rated value must be finite and > 0",
         lambda: sc.run(stress=[Stress("vibration", "speed", exponent=3, rated=0)])),
        (errors.InvalidArgument, "unknown law 'linear'",
         lambda: sc.run(stress=[Stress("vibration", "speed", 3, 1, law="linear")])),
        (errors.LimitExceeded, r"twin 'B': k = 5 is not in 1\.\.1 \(its inputs\)",
         lambda: sc.run(depends="feeds:in", k_property="k")),
        (errors.LimitExceeded, r"twin 'A': half is not an integer in 1\.\.1",
         lambda: sc.run(depends="feeds", k_property="half")),
        (errors.InvalidArgument, "direction", lambda: sc.relationships("A", "sideways")),
    ]
    for exc, message, call in cases:
        with pytest.raises(exc, match=message) as info:
            call()
        assert info.value.message  # never empty
    # a cycle of dependencies
    sc.add_relationship("B", "back", "feeds", "A")
    with pytest.raises(errors.ConstraintViolated, match="cycle through twin"):
        sc.run(depends="feeds")
    with pytest.raises(TypeError):
        sc.fail_twin("A", "soon")
    with pytest.raises(errors.InvalidArgument, match="runs must be in"):
        sc.run(runs=-1)
    sc.close()
    with pytest.raises(errors.Closed, match="scenario is closed"):
        sc.twin_count()
    with pytest.raises(TypeError):
        libtwin.Scenario("not a graph")
    assert live_state(graph) == before


def test_scenario_of_a_replaced_graph_refuses_calls(graph):
    add(graph, "A")
    data = libtwin.snapshot_save(graph)
    sc = libtwin.Scenario(graph)
    libtwin.snapshot_restore(graph, data)
    with pytest.raises(errors.InvalidState, match="replaced by a load or restore"):
        sc.find_twin("A")
    with pytest.raises(errors.InvalidState, match="replaced"):
        sc.run(runs=1)
    sc.close()


def test_ingest_of_another_graph_is_refused(graph):
    other = libtwin.Graph()
    ing = libtwin.Ingest(other)
    with pytest.raises(errors.InvalidArgument, match="another graph"):
        libtwin.Scenario(graph, ing)
    ing.close()
    other.close()


# ---- lifetimes ---------------------------------------------------------------------------

def test_lifetimes(graph):
    add(graph, "A", 1.0)
    root = libtwin.Scenario(graph)
    child = root.fork()
    grandchild = child.fork()
    grandchild.set_property("A", "speed", 3.0)
    # dropping the ancestors' Python objects keeps their C handles alive
    del root, child
    gc.collect()
    assert grandchild.get_property("A", "speed") == 3.0
    assert grandchild.parent.parent.get_property("A", "speed") == 1.0
    # closing a parent closes its children first
    top = grandchild.parent.parent
    top.close()
    assert grandchild.closed and grandchild.parent.closed
    # closing the graph closes its scenarios
    sc = libtwin.Scenario(graph)
    kid = sc.fork()
    res = kid.run(runs=10)
    graph.close()
    assert sc.closed and kid.closed
    assert res.outcome("A").runs == 10  # results are self-contained
    res.close()
    with pytest.raises(errors.Closed):
        res.outcome("A")


def test_dropped_scenarios_are_destroyed_in_any_order(graph):
    add(graph, "A")
    for _ in range(20):
        root = libtwin.Scenario(graph)
        kids = [root.fork() for _ in range(3)]
        grandkids = [k.fork() for k in kids]
        del root, kids
        gc.collect()
        for g in grandkids:
            assert g.twin_count() == 1
        del grandkids, g
        gc.collect()
    graph.set_property("A", "speed", 2.0)  # no dangling change hook left behind
    assert graph.get_property("A", "speed") == 2.0
