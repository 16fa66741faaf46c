"""Relationships: add, find, remove, their properties, and errors."""

import pytest

import libtwin
from libtwin import errors


@pytest.fixture
def line(graph):
    for t in ("a", "b", "c"):
        graph.add_twin(t, "dtmi:test:Conveyor;1")
    graph.add_relationship("a", "a-b", "feeds", "b", {"rate": 3.5})
    graph.add_relationship("b", "b-c", "feeds", "c")
    return graph


def test_find_relationship(line):
    r = line.relationship("a", "a-b")
    assert r == libtwin.Relationship("a-b", "feeds", "a", "b", {"rate": 3.5})
    assert (r.id, r.name, r.source, r.target) == ("a-b", "feeds", "a", "b")
    assert line.relationship_count() == 2


def test_relationship_is_frozen(line):
    r = line.relationship("a", "a-b")
    with pytest.raises(AttributeError):
        r.name = "x"


def test_duplicate_relationship_id_per_source(line):
    with pytest.raises(errors.AlreadyExists, match="twin 'a' already has relationship 'a-b'"):
        line.add_relationship("a", "a-b", "feeds", "c")
    line.add_relationship("c", "a-b", "feeds", "a")  # unique per source only
    assert line.relationship_count() == 3


def test_missing_endpoint_is_not_found(line):
    with pytest.raises(errors.NotFound, match="'ghost'"):
        line.add_relationship("a", "r", "feeds", "ghost")
    with pytest.raises(errors.NotFound, match="'ghost'"):
        line.add_relationship("ghost", "r", "feeds", "a")
    assert line.relationship_count() == 2


def test_self_relationship(line):
    line.add_relationship("a", "loop", "feeds", "a")
    assert line.relationship("a", "loop").target == "a"


def test_find_missing_relationship(line):
    with pytest.raises(errors.NotFound, match="twin 'a' has no relationship 'nope'"):
        line.relationship("a", "nope")
    with pytest.raises(errors.NotFound, match="twin 'ghost' not found"):
        line.relationship("ghost", "a-b")


def test_remove_relationship(line):
    line.remove_relationship("a", "a-b")
    assert line.relationship_count() == 1
    with pytest.raises(errors.NotFound, match="has no relationship 'a-b'"):
        line.remove_relationship("a", "a-b")
    line.remove_twin("a")  # no relationships left


def test_relationship_properties(line):
    line.set_relationship_property("b", "b-c", "rate", 2)
    line.set_relationship_property("b", "b-c", "medium", {"kind": "bottles", "size": [0.5, 1]})
    assert line.relationship("b", "b-c").properties == {
        "rate": 2, "medium": {"kind": "bottles", "size": [0.5, 1]}}
    line.remove_relationship_property("b", "b-c", "rate")
    assert line.relationship("b", "b-c").properties == {
        "medium": {"kind": "bottles", "size": [0.5, 1]}}
    with pytest.raises(errors.NotFound):
        line.remove_relationship_property("b", "b-c", "rate")
    with pytest.raises(errors.NotFound):
        line.set_relationship_property("b", "nope", "rate", 1)


def test_invalid_relationship_arguments(line):
    with pytest.raises(errors.InvalidArgument, match="empty"):
        line.add_relationship("a", "", "feeds", "b")
    with pytest.raises(errors.InvalidArgument, match="empty"):
        line.add_relationship("a", "r", "", "b")
    with pytest.raises(errors.InvalidArgument, match="NUL"):
        line.add_relationship("a", "r\0", "feeds", "b")
    with pytest.raises(errors.InvalidArgument, match="property name is empty"):
        line.set_relationship_property("a", "a-b", "", 1)
    with pytest.raises(errors.InvalidArgument, match="duplicate property 'x'"):
        line.add_relationship("a", "r", "feeds", "b", _DupKeys())
    assert line.relationship_count() == 2


class _DupKeys(dict):
    """A mapping whose items() repeats a name (a dict cannot): the library
    refuses duplicate names."""

    def __len__(self):
        return 2

    def items(self):
        return [("x", 1), ("x", 2)]
