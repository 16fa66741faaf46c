"""Twins: add, find, models, removal, counts, and the errors they raise."""

import pytest

import libtwin
from libtwin import errors

PUMP = "dtmi:factory:Pump;1"


def test_add_and_find_twin(graph):
    graph.add_twin("p1", PUMP)
    assert graph.twin("p1") == PUMP
    assert "p1" in graph and "p2" not in graph
    assert graph.twin_count() == 1 and len(graph) == 1
    assert graph.relationship_count() == 0


def test_add_twin_with_properties(graph):
    graph.add_twin("p1", PUMP, {"displayName": "Pump 1", "ratedFlow": 12.5})
    assert graph.properties("p1") == {"displayName": "Pump 1", "ratedFlow": 12.5}
    assert graph.get_property("p1", "ratedFlow") == 12.5


def test_duplicate_twin_is_already_exists_with_message(graph):
    graph.add_twin("p1", PUMP)
    with pytest.raises(errors.AlreadyExists) as e:
        graph.add_twin("p1", PUMP)
    assert e.value.status == errors.E_EXISTS == -4
    assert e.value.message == "twin 'p1' already exists"
    assert str(e.value) == e.value.message
    assert isinstance(e.value, libtwin.TwinError)
    assert graph.twin_count() == 1


def test_unknown_twin_is_not_found(graph):
    with pytest.raises(errors.NotFound, match="twin 'ghost' not found") as e:
        graph.twin("ghost")
    assert e.value.status == errors.E_NOTFOUND
    assert isinstance(e.value, LookupError)
    for call in (lambda: graph.properties("ghost"),
                 lambda: graph.get_property("ghost", "x"),
                 lambda: graph.set_property("ghost", "x", 1),
                 lambda: graph.remove_property("ghost", "x"),
                 lambda: graph.set_model("ghost", PUMP),
                 lambda: graph.remove_twin("ghost")):
        with pytest.raises(errors.NotFound, match="'ghost' not found"):
            call()


def test_missing_property_names_property(graph):
    graph.add_twin("p1", PUMP)
    with pytest.raises(errors.NotFound, match="twin 'p1' has no property 'speed'"):
        graph.get_property("p1", "speed")
    with pytest.raises(errors.NotFound):
        graph.remove_property("p1", "speed")


@pytest.mark.parametrize("bad, match", [("", "twin id is empty"),
                                        ("x\0y", "contains a NUL"),
                                        ("\udcff", "not valid UTF-8")])
def test_invalid_twin_id(graph, bad, match):
    with pytest.raises(errors.InvalidArgument, match=match) as e:
        graph.add_twin(bad, PUMP)
    assert isinstance(e.value, ValueError)
    assert graph.twin_count() == 0


def test_empty_model_id_is_invalid(graph):
    with pytest.raises(errors.InvalidArgument, match="model id is empty"):
        graph.add_twin("p1", "")


def test_non_str_ids_are_type_errors(graph):
    with pytest.raises(TypeError, match="twin id must be str"):
        graph.add_twin(b"p1", PUMP)
    with pytest.raises(TypeError):
        graph.add_twin("p1", 3)
    with pytest.raises(TypeError):
        graph.add_twin("p1", PUMP, ["not", "a", "dict"])
    assert 1 not in graph


def test_too_long_id_is_limit_exceeded(graph):
    graph.add_twin("x" * 1024, PUMP)
    with pytest.raises(errors.LimitExceeded, match="longer than 1024 bytes") as e:
        graph.add_twin("y" * 1025, PUMP)
    assert e.value.status == errors.E_RANGE
    with pytest.raises(errors.LimitExceeded):
        graph.add_twin("z", "m" * 4097)


def test_set_model(graph):
    graph.add_twin("p1", PUMP, {"a": 1})
    graph.set_model("p1", "dtmi:factory:Pump;2")
    assert graph.twin("p1") == "dtmi:factory:Pump;2"
    assert graph.properties("p1") == {"a": 1}


def test_remove_twin(graph):
    graph.add_twin("p1", PUMP)
    graph.add_twin("p2", PUMP)
    graph.remove_twin("p1")
    assert "p1" not in graph and graph.twin_count() == 1
    graph.add_twin("p1", PUMP)  # the id is free again
    assert graph.twin_count() == 2


def test_remove_twin_with_relationships_needs_cascade(graph):
    graph.add_twin("a", PUMP)
    graph.add_twin("b", PUMP)
    graph.add_relationship("a", "r", "feeds", "b")
    with pytest.raises(errors.ConstraintViolated, match="still has relationships") as e:
        graph.remove_twin("b")
    assert e.value.status == errors.E_CONSTRAINT
    assert graph.twin_count() == 2
    graph.remove_twin("b", cascade=True)
    assert graph.twin_count() == 1 and graph.relationship_count() == 0


def test_optimize_keeps_answers(graph):
    graph.add_twin("a", PUMP)
    graph.add_twin("b", PUMP)
    graph.add_relationship("a", "r", "feeds", "b")
    graph.optimize()
    graph.optimize()
    assert [r.target for r in graph.relationships("a")] == ["b"]


def test_iterating_graph_gives_ids(graph):
    for t in ("c", "a", "b"):
        graph.add_twin(t, PUMP)
    assert list(graph) == ["c", "a", "b"]


def test_repr(graph):
    graph.add_twin("a", PUMP)
    assert "1 twins" in repr(graph)
    graph.close()
    assert "closed" in repr(graph)


def test_many_twins(graph):
    for i in range(5000):
        graph.add_twin(f"t{i}", PUMP, {"i": i})
    assert graph.twin_count() == 5000
    assert graph.get_property("t4999", "i") == 4999
    for i in range(0, 5000, 2):
        graph.remove_twin(f"t{i}")
    assert graph.twin_count() == 2500
    assert sum(1 for _ in graph.twins()) == 2500


def test_capacity_hints_accepted_and_checked():
    with libtwin.Graph(twin_capacity=1000, relationship_capacity=3000,
                       string_capacity=40000) as g:
        for i in range(1000):
            g.add_twin(f"unit-{i:04d}", "dtmi:x:Unit;1")
        assert g.twin_count() == 1000
    with pytest.raises(errors.InvalidArgument):
        libtwin.Graph(twin_capacity=-1)
    with pytest.raises(errors.InvalidArgument):
        libtwin.Graph(string_capacity=2**32)


# ---- change hooks (twin_graph_add_change_hook) ---------------------------------


def test_change_hook_sees_every_change_and_may_refuse():
    g = libtwin.Graph()
    seen = []

    def hook(phase, kind, twin_id, rel_id):
        # a hook may read the graph: before a removal the twin is still there
        seen.append((phase, kind, twin_id, rel_id, twin_id in g))
        if phase == "before" and twin_id == "forbidden":
            return False
        return None

    g.add_change_hook(hook)
    g.add_twin("a", "dtmi:x:A;1")
    g.add_twin("b", "dtmi:x:A;1")
    g.add_relationship("a", "r1", "feeds", "b")
    g.set_property("a", "p", 1)
    g.remove_twin("b", cascade=True)
    assert seen[0] == ("before", "twin_put", "a", None, False)
    assert seen[1] == ("after", "twin_put", "a", None, True)
    assert ("before", "relationship_put", "a", "r1", True) in seen
    assert seen[-2] == ("before", "twin_delete", "b", None, True)
    assert seen[-1] == ("after", "twin_delete", "b", None, False)
    with pytest.raises(libtwin.errors.ConstraintViolated):
        g.add_twin("forbidden", "dtmi:x:A;1")
    assert "forbidden" not in g

    def raising(phase, kind, twin_id, rel_id):
        if phase == "before":
            raise RuntimeError("no")

    g.add_change_hook(raising)
    n = len(seen)
    with pytest.raises(RuntimeError):
        g.add_twin("c", "dtmi:x:A;1")
    assert "c" not in g
    # the first hook had accepted: it hears the change is cancelled
    assert seen[n:] == [("before", "twin_put", "c", None, False),
                        ("cancelled", "twin_put", "c", None, False)]
    g.remove_change_hook(raising)

    def writer(phase, kind, twin_id, rel_id):
        g.add_twin("from-hook", "dtmi:x:A;1")

    g.add_change_hook(writer)
    with pytest.raises(libtwin.errors.InvalidArgument):
        g.add_twin("d", "dtmi:x:A;1")
    assert "from-hook" not in g
    g.remove_change_hook(writer)
    g.remove_change_hook(hook)
    with pytest.raises(libtwin.errors.NotFound):
        g.remove_change_hook(hook)
    g.add_twin("e", "dtmi:x:A;1")
    g.close()
