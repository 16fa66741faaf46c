"""Iteration over twins and relationships, and what modification does to it."""

import pytest

import libtwin
from libtwin import errors
from conftest import build


def test_twins_in_insertion_order(graph):
    graph.add_twin("b", "m:B")
    graph.add_twin("a", "m:A")
    graph.add_twin("c", "m:C")
    assert list(graph.twins()) == [libtwin.Twin("b", "m:B"), libtwin.Twin("a", "m:A"),
                                   libtwin.Twin("c", "m:C")]
    ids = [tid for tid, _model in graph.twins()]
    assert ids == ["b", "a", "c"]


def test_twins_of_empty_graph(graph):
    assert list(graph.twins()) == []


def test_twins_is_a_generator(graph):
    graph.add_twin("a", "m")
    it = graph.twins()
    assert iter(it) is it
    assert next(it).id == "a"
    with pytest.raises(StopIteration):
        next(it)


def test_relationships_by_direction(graph):
    build(graph, "a>b b>c d>b b>b:self b>e:partOf")
    out = [r.target for r in graph.relationships("b")]
    assert out == ["e", "b", "c"]  # newest first
    inc = [r.source for r in graph.relationships("b", "in")]
    assert inc == ["b", "d", "a"]
    both = [(r.source, r.target) for r in graph.relationships("b", direction="both")]
    # outgoing first; the self-relationship listed once
    assert both == [("b", "e"), ("b", "b"), ("b", "c"), ("d", "b"), ("a", "b")]


def test_relationships_by_name(graph):
    build(graph, "a>b b>c b>e:partOf")
    assert [r.id for r in graph.relationships("b", "both", name="feeds")] == [
        "feeds-c", "feeds-b"]
    assert [r.id for r in graph.relationships("b", name="partOf")] == ["partOf-e"]
    assert list(graph.relationships("b", name="nothing-has-this")) == []


def test_relationship_objects_carry_properties(graph):
    graph.add_twin("a", "m")
    graph.add_twin("b", "m")
    graph.add_relationship("a", "r", "feeds", "b", {"rate": 1.5})
    (r,) = graph.relationships("a")
    assert r.properties == {"rate": 1.5}
    assert isinstance(r, libtwin.Relationship)


def test_relationships_of_missing_twin_fail_at_once(graph):
    with pytest.raises(errors.NotFound, match="twin 'ghost' not found"):
        graph.relationships("ghost")


def test_bad_direction(graph):
    graph.add_twin("a", "m")
    with pytest.raises(errors.InvalidArgument, match="direction must be"):
        graph.relationships("a", "sideways")
    with pytest.raises(errors.InvalidArgument):
        graph.relationships("a", ["out"])


def test_modifying_during_twin_iteration_raises_modified(graph):
    for t in "abc":
        graph.add_twin(t, "m")
    it = graph.twins()
    next(it)
    graph.add_twin("d", "m")
    with pytest.raises(errors.Modified, match="modified during iteration") as e:
        next(it)
    assert e.value.status == errors.E_MODIFIED


def test_modifying_during_relationship_iteration_raises_modified(graph):
    build(graph, "a>b a>c a>d")
    it = graph.relationships("a")
    next(it)
    graph.remove_relationship("a", "feeds-c")
    with pytest.raises(errors.Modified):
        list(it)


def test_property_write_also_invalidates(graph):
    graph.add_twin("a", "m")
    graph.add_twin("b", "m")
    it = graph.twins()
    next(it)
    graph.set_property("a", "x", 1)
    with pytest.raises(errors.Modified):
        next(it)


def test_failed_write_does_not_invalidate(graph):
    graph.add_twin("a", "m")
    graph.add_twin("b", "m")
    it = graph.twins()
    next(it)
    with pytest.raises(errors.AlreadyExists):
        graph.add_twin("a", "m")
    assert next(it).id == "b"


def test_reads_during_iteration_are_fine(graph):
    build(graph, "a>b b>c")
    seen = []
    for t in graph.twins():
        seen.append((t.id, len(list(graph.relationships(t.id, "both"))), graph.properties(t.id)))
    assert seen == [("a", 1, {}), ("b", 2, {}), ("c", 1, {})]
