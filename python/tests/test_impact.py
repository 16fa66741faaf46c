"""Impact analysis: follow lists and directions, limits, scores, callbacks."""

import math

import pytest

import libtwin
from libtwin import errors
from conftest import FACTORY_FOLLOW, build, names, scores


@pytest.fixture
def q(factory):
    with libtwin.Impact(factory) as impact:
        yield impact


def test_degraded_motor_reaches_line_not_upstream(q):
    hits = q.run("motor-C", follow=FACTORY_FOLLOW, rule="attenuate", root_health=0.2,
                 attenuation=0.5)
    assert [(h.twin, h.depth) for h in hits] == [
        ("motor-C", 0), ("conveyor-C", 1), ("station-4", 2), ("inspection-zone-2", 2),
        ("welding-robot", 3), ("packing", 3)]
    assert scores(hits) == {"motor-C": 0.2, "conveyor-C": 0.6, "station-4": 0.8,
                            "inspection-zone-2": 0.8, "welding-robot": 0.9, "packing": 0.9}
    robot = hits[4]
    assert (robot.parent, robot.via_id, robot.via_name, robot.via_source) == (
        "station-4", "locatedIn-station-4", "locatedIn", "welding-robot")
    assert robot.via_target == "station-4"
    assert robot.model == "dtmi:test:Machine;1"
    assert hits[robot.parent_index].twin == "station-4"
    conveyor = hits[1]
    assert (conveyor.via_source, conveyor.via_target) == ("motor-C", "conveyor-C")


def test_root_hit_has_no_parent(q):
    (root,) = q.run("motor-C", max_depth=0, root_health=0.25)
    assert root == libtwin.Hit("motor-C", "dtmi:test:Machine;1", 0, None, None, None, None,
                               0.25, None)
    assert root.via_target is None


def test_default_follows_everything_outgoing(q):
    assert names(q.run("motor-C")) == ["motor-C", "conveyor-C", "station-4",
                                       "inspection-zone-2", "packing"]


def test_direction_in(q):
    assert names(q.run("conveyor-C", direction="in")) == [
        "conveyor-C", "motor-C", "conveyor-B", "supplier-line", "motor-B"]


def test_direction_both(q):
    assert names(q.run("station-4", direction="both", max_depth=1)) == [
        "station-4", "conveyor-C", "welding-robot", "clamp-fixture"]


def test_follow_with_own_direction(q):
    assert names(q.run("packing", follow=[("feeds", "in")])) == [
        "packing", "inspection-zone-2", "conveyor-C", "conveyor-B", "supplier-line"]


def test_follow_name_alone_takes_run_direction(q):
    assert names(q.run("conveyor-C", follow=["feeds", ("partOf", "in")])) == [
        "conveyor-C", "inspection-zone-2", "motor-C", "packing"]
    assert names(q.run("conveyor-C", follow=[("feeds", None)], direction="in")) == [
        "conveyor-C", "conveyor-B", "supplier-line"]


def test_follow_empty_list_follows_nothing(q):
    assert names(q.run("conveyor-C", follow=[])) == ["conveyor-C"]


def test_follow_unknown_name_matches_nothing(q):
    assert names(q.run("conveyor-C", follow=["teleports"])) == ["conveyor-C"]


def test_bad_follow_entries(q):
    with pytest.raises(errors.InvalidArgument, match="direction must be"):
        q.run("conveyor-C", follow=[("feeds", "up")])
    with pytest.raises(TypeError, match="follow\\[0\\]"):
        q.run("conveyor-C", follow=[("feeds", "out", "extra")])
    with pytest.raises(errors.InvalidArgument, match="NUL"):
        q.run("conveyor-C", follow=["fe\0eds"])


def test_max_depth(q):
    assert names(q.run("motor-C", max_depth=0)) == ["motor-C"]
    assert names(q.run("motor-C", max_depth=1)) == ["motor-C", "conveyor-C"]
    assert len(q.run("motor-C", max_depth=2**32 - 1)) == 5


def test_max_results_keeps_a_prefix(q):
    full = names(q.run("motor-C", follow=FACTORY_FOLLOW))
    for n in range(1, len(full) + 2):
        assert names(q.run("motor-C", follow=FACTORY_FOLLOW, max_results=n)) == full[:n]


def test_bad_limits(q):
    with pytest.raises(errors.InvalidArgument, match="max_results"):
        q.run("motor-C", max_results=0)
    with pytest.raises(errors.InvalidArgument, match="max_depth"):
        q.run("motor-C", max_depth=-1)
    with pytest.raises(errors.InvalidArgument, match="max_depth"):
        q.run("motor-C", max_depth=2**32)
    with pytest.raises(TypeError):
        q.run("motor-C", max_depth=1.5)


def test_several_roots_deduplicated(q):
    hits = q.run(["motor-B", "motor-C", "motor-B"], max_depth=0, root_health=0.5)
    assert names(hits) == ["motor-B", "motor-C"]
    assert all(h.depth == 0 and h.score == 0.5 for h in hits)


def test_root_errors(q):
    with pytest.raises(errors.NotFound, match="root twin 'ghost' not found"):
        q.run(["motor-C", "ghost"])
    assert len(q) == 0  # a failed run leaves no results
    with pytest.raises(errors.InvalidArgument, match="no roots"):
        q.run([])
    with pytest.raises(TypeError):
        q.run([1])


@pytest.mark.parametrize("kwargs, match", [
    ({"root_health": 1.5}, "root_health is not in \\[0, 1\\]"),
    ({"root_health": math.nan}, "root_health"),
    ({"attenuation": -0.1}, "attenuation is not in \\[0, 1\\]"),
    ({"rule": "strongest"}, "rule must be"),
    ({"direction": "down"}, "direction must be"),
])
def test_invalid_options(q, kwargs, match):
    with pytest.raises(errors.InvalidArgument, match=match):
        q.run("motor-C", **kwargs)


def test_weakest_link_with_health_dict(q):
    hits = q.run("motor-C", follow=FACTORY_FOLLOW, root_health=1.0,
                 health={"station-4": 0.4, "packing": 0.7})
    assert scores(hits) == {"motor-C": 1.0, "conveyor-C": 1.0, "station-4": 0.4,
                            "inspection-zone-2": 1.0, "welding-robot": 0.4, "packing": 0.7}


def test_weakest_link_root_scores_root_health_not_own(q):
    hits = q.run("motor-C", max_depth=1, root_health=0.9, health=lambda t: 0.1)
    assert scores(hits) == {"motor-C": 0.9, "conveyor-C": 0.1}


def test_health_nan_or_out_of_range_counts_as_one(q):
    bad = {"conveyor-C": math.nan, "station-4": 1.5, "inspection-zone-2": -0.5}
    hits = q.run("motor-C", root_health=1.0, health=lambda t: bad.get(t, 1.0))
    assert set(scores(hits).values()) == {1.0}


def test_attenuate(q):
    hits = q.run("motor-C", max_depth=2, rule="attenuate", attenuation=0.8, root_health=0.0)
    assert scores(hits) == {"motor-C": 0.0, "conveyor-C": 0.2, "station-4": 0.36,
                            "inspection-zone-2": 0.36}


def test_custom_rule_gets_parent_own_via_depth(q):
    calls = []

    def rule(parent, own, via, depth):
        calls.append((parent, own, via, depth))
        return parent + 0.25

    hits = q.run("motor-C", max_depth=2, rule=rule, root_health=0.0,
                 health={"conveyor-C": 0.5})
    assert calls[0] == (0.0, 0.5, "partOf", 1)
    assert sorted(c[2:] for c in calls[1:]) == [("feeds", 2), ("partOf", 2)]
    assert scores(hits) == {"motor-C": 0.0, "conveyor-C": 0.25, "station-4": 0.5,
                            "inspection-zone-2": 0.5}


def test_custom_rule_result_clamped(q):
    answers = {1: 7.0, 2: -3.0, 3: math.nan}
    hits = q.run("motor-C", rule=lambda p, o, v, d: answers[d])
    assert [(h.depth, h.score) for h in hits] == [
        (0, 0.0), (1, 1.0), (2, 0.0), (2, 0.0), (3, 0.0)]


def test_filter_prunes_and_is_asked_once_per_twin(q):
    asked = []

    def keep(twin, model, depth):
        asked.append((twin, model, depth))
        return twin != "station-4"

    hits = q.run("motor-C", follow=FACTORY_FOLLOW, filter=keep)
    assert names(hits) == ["motor-C", "conveyor-C", "inspection-zone-2", "packing"]
    assert ("conveyor-C", "dtmi:test:Machine;1", 1) in asked
    assert "motor-C" not in [a[0] for a in asked]  # never asked about roots
    assert len(asked) == len(set(asked))


def test_visitor_streams_hits_in_order(q):
    seen = []
    hits = q.run("motor-C", follow=FACTORY_FOLLOW, visitor=seen.append)
    assert seen == hits


def test_visitor_true_stops_keeping_this_one(q):
    seen = []

    def visit(hit):
        seen.append(hit.twin)
        return hit.twin == "station-4"

    hits = q.run("motor-C", follow=FACTORY_FOLLOW, visitor=visit)
    assert names(hits) == seen == ["motor-C", "conveyor-C", "station-4"]


def test_visitor_can_stop_at_root(q):
    hits = q.run(["motor-B", "motor-C"], visitor=lambda h: True)
    assert names(hits) == ["motor-B"]


def test_optimize_gives_same_answers(factory, q):
    kwargs = dict(follow=FACTORY_FOLLOW, rule="attenuate", root_health=0.2)
    before = q.run("motor-C", **kwargs)
    everything = q.run("conveyor-B", direction="both")
    factory.optimize()
    assert q.run("motor-C", **kwargs) == before
    assert q.run("conveyor-B", direction="both") == everything
    assert len(everything) == factory.twin_count()


def test_results_again_and_after_change(factory, q):
    hits = q.run("motor-C")
    assert q.results() == hits and len(q) == len(hits)
    factory.set_property("motor-C", "load", 0.5)
    with pytest.raises(errors.Modified, match="run again"):
        q.results()
    assert q.run("motor-C") == hits


def test_context_reused_and_several_per_graph(factory):
    a, b = libtwin.Impact(factory), libtwin.Impact(factory)
    for _ in range(50):
        ra = a.run("motor-C")
        rb = b.run("conveyor-C", direction="in")
    assert names(ra) == names(a.results())
    assert names(rb)[0] == "conveyor-C"
    assert a.graph is factory
    a.close()
    b.close()


def test_large_chain(graph):
    n = 3000
    build(graph, " ".join(f"n{i}>n{i + 1}" for i in range(n)))
    q = libtwin.Impact(graph)
    hits = q.run("n0", rule="attenuate", root_health=0.0, attenuation=0.5)
    assert len(hits) == n + 1
    assert hits[-1].depth == n and hits[-1].score == 1.0
    assert hits[10].score == pytest.approx(1 - 0.5 ** 10)
