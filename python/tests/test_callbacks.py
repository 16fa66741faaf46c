"""Python exceptions in traversal callbacks, and callbacks that write.

No exception may cross into C: each kind of callback that raises gives C a
safe answer, the traversal stops, and run() re-raises the original
exception. A callback that writes to the graph ends the run with Modified.
"""

import pytest

import libtwin
from libtwin import errors
from conftest import FACTORY_FOLLOW, names


class Boom(Exception):
    pass


@pytest.fixture
def q(factory):
    with libtwin.Impact(factory) as impact:
        yield impact


def raising_after(n, result):
    """A callback that answers `result` n times, then raises Boom."""
    calls = []

    def fn(*args):
        calls.append(args)
        if len(calls) > n:
            raise Boom(f"call {len(calls)}")
        return result

    return fn, calls


@pytest.mark.parametrize("kind, result", [
    ("visitor", False), ("filter", True), ("health", 0.5), ("rule", 0.5)])
@pytest.mark.parametrize("n", [0, 2])
def test_raising_callback_is_reraised_and_stops(factory, q, kind, result, n):
    fn, calls = raising_after(n, result)
    with pytest.raises(Boom, match=f"call {n + 1}") as e:
        q.run("motor-C", follow=FACTORY_FOLLOW, **{kind: fn})
    assert e.traceback[-1].name == "fn"
    assert len(calls) == n + 1  # not called again after it raised
    # the graph and the context are intact and reusable
    assert factory.twin_count() == 12
    assert names(q.run("motor-C", max_depth=1)) == ["motor-C", "conveyor-C"]


def test_visitor_exception_keeps_hits_up_to_it(q):
    fn, _ = raising_after(2, None)
    with pytest.raises(Boom):
        q.run("motor-C", visitor=fn)
    assert len(q) == 3


def test_base_exception_in_callback(q):
    def visit(hit):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        q.run("motor-C", visitor=visit)


def test_health_returning_non_number(q):
    with pytest.raises(ValueError):
        q.run("motor-C", health=lambda t: "very healthy")
    with pytest.raises(TypeError):
        q.run("motor-C", health=lambda t: None)


def test_rule_returning_non_number(q):
    with pytest.raises(TypeError):
        q.run("motor-C", rule=lambda *a: [1])


def test_visitor_result_whose_truth_raises(q):
    class Undecided:
        def __bool__(self):
            raise Boom("undecided")

    with pytest.raises(Boom, match="undecided"):
        q.run("motor-C", visitor=lambda h: Undecided())


def test_filter_exception_with_other_callbacks(q):
    seen = []
    fn, _ = raising_after(1, True)
    with pytest.raises(Boom):
        q.run("motor-C", filter=fn, visitor=seen.append, health=lambda t: 1.0)
    assert names(seen) == ["motor-C", "conveyor-C"]


def test_callback_type_checks(q):
    with pytest.raises(TypeError, match="visitor must be callable"):
        q.run("motor-C", visitor=3)
    with pytest.raises(TypeError, match="filter must be callable"):
        q.run("motor-C", filter="x")
    with pytest.raises(TypeError, match="health must be"):
        q.run("motor-C", health=0.5)


# ---- writes from callbacks -------------------------------------------------------


def test_visitor_writing_to_graph_raises_modified(factory, q):
    def visit(hit):
        if hit.depth == 1:
            factory.set_property(hit.twin, "touched", True)

    with pytest.raises(errors.Modified) as e:
        q.run("motor-C", visitor=visit)
    assert e.value.status == errors.E_MODIFIED
    assert e.value.message == "graph modified by a callback during the traversal"
    # the write itself happened; the results are stale
    assert factory.get_property("conveyor-C", "touched") is True
    with pytest.raises(errors.Modified):
        q.results()


def test_visitor_adding_twins_raises_modified(factory, q):
    def visit(hit):
        factory.add_twin("new-" + hit.twin, "m")

    with pytest.raises(errors.Modified):
        q.run("motor-C", follow=FACTORY_FOLLOW, visitor=visit)
    assert "new-motor-C" in factory


def test_structural_write_after_optimize(factory, q):
    factory.optimize()

    def visit(hit):
        if hit.twin == "conveyor-C":
            factory.remove_twin("packing", cascade=True)

    with pytest.raises(errors.Modified):
        q.run("motor-C", visitor=visit)
    assert "packing" not in factory
    assert names(q.run("motor-C")) == ["motor-C", "conveyor-C", "station-4",
                                       "inspection-zone-2"]


def test_filter_writing_raises_modified(factory, q):
    def keep(twin, model, depth):
        factory.set_property("motor-C", "x", 1)
        return True

    with pytest.raises(errors.Modified):
        q.run("motor-C", filter=keep)
    assert factory.get_property("motor-C", "x") == 1


@pytest.mark.parametrize("kind", ["health", "rule"])
def test_health_and_rule_callbacks_may_not_write(factory, q, kind):
    def write(*args):
        factory.set_property("motor-C", "x", 1)
        return 1.0

    with pytest.raises(errors.InvalidArgument, match="must not modify the graph"):
        q.run("motor-C", **{kind: write})
    assert factory.properties("motor-C") == {}
    factory.set_property("motor-C", "x", 2)  # writable again afterwards


def test_health_removing_relationship_before_custom_rule(graph):
    """The C library calls the rule after the health callback without
    checking for a write in between; removing the only relationship of a
    name there would hand the rule a released name. Refused instead."""
    graph.add_twin("a", "m")
    graph.add_twin("b", "m")
    graph.add_relationship("a", "r", "solo", "b")
    seen = []

    def health(twin):
        if twin == "b":
            graph.remove_relationship("a", "r")
        return 1.0

    def rule(parent, own, via, depth):
        seen.append(via)
        return 0.5

    with pytest.raises(errors.InvalidArgument):
        libtwin.Impact(graph).run("a", health=health, rule=rule)
    assert graph.relationship_count() == 1
    assert seen == []  # stopped before the rule ran


def test_callbacks_may_read_the_graph(factory, q):
    factory.set_property("station-4", "critical", True)

    def keep(twin, model, depth):
        return not factory.properties(twin).get("critical", False)

    hits = q.run("motor-C", filter=keep,
                 health=lambda t: 0.5 if factory.relationship_count() else 1.0)
    assert "station-4" not in names(hits)


def test_nested_run_of_same_context_is_refused(q):
    def visit(hit):
        q.run("motor-B")

    with pytest.raises(errors.InvalidArgument, match="own callbacks"):
        q.run("motor-C", visitor=visit)
    assert names(q.run("motor-B", max_depth=0)) == ["motor-B"]


def test_other_context_may_run_inside_a_visitor(factory, q):
    inner = libtwin.Impact(factory)
    found = {}

    def visit(hit):
        found[hit.twin] = len(inner.run(hit.twin))

    q.run("motor-C", max_depth=1, visitor=visit)
    assert found == {"motor-C": 5, "conveyor-C": 4}


def test_closing_from_a_callback_is_refused(factory, q):
    with pytest.raises(errors.InvalidArgument, match="cannot close an Impact"):
        q.run("motor-C", visitor=lambda h: q.close())
    with pytest.raises(errors.InvalidArgument, match="cannot close a graph"):
        q.run("motor-C", visitor=lambda h: factory.close())
    assert not q.closed and not factory.closed
    assert len(q.run("motor-C")) == 5
