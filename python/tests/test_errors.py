"""The exception hierarchy and the mapping from status codes."""

import pytest

import libtwin
from libtwin import errors

CLASSES = {
    errors.E_NOMEM: errors.NoMemory,
    errors.E_INVAL: errors.InvalidArgument,
    errors.E_NOTFOUND: errors.NotFound,
    errors.E_EXISTS: errors.AlreadyExists,
    errors.E_RANGE: errors.LimitExceeded,
    errors.E_PARSE: errors.ParseError,
    errors.E_ABI: errors.AbiMismatch,
    errors.E_CONSTRAINT: errors.ConstraintViolated,
    errors.E_MODIFIED: errors.Modified,
    errors.E_STATE: errors.InvalidState,
    errors.E_IO: errors.IOFailure,
    errors.E_BUSY: errors.Busy,
}


@pytest.mark.parametrize("status", sorted(CLASSES))
def test_from_status_picks_class(status):
    e = errors.from_status(status, "why")
    assert type(e) is CLASSES[status]
    assert isinstance(e, errors.TwinError)
    assert e.status == status
    assert e.message == "why" == str(e)
    assert "why" in repr(e)


def test_unknown_status_is_base_class():
    e = errors.from_status(-1000, "new code")
    assert type(e) is errors.TwinError
    assert e.status == -1000


def test_status_values_match_library():
    for status in CLASSES:
        assert libtwin.strerror(status) != "unknown status"
    assert libtwin.strerror(-1000) == "unknown status"


def test_classes_can_be_raised_by_users():
    e = errors.ConstraintViolated("pressure must be positive")
    assert e.status == errors.E_CONSTRAINT
    assert errors.Closed("x").status == errors.E_INVAL


def test_builtin_bases():
    assert issubclass(errors.NotFound, LookupError)
    assert issubclass(errors.InvalidArgument, ValueError)
    assert issubclass(errors.NoMemory, MemoryError)
    assert issubclass(errors.Closed, errors.InvalidArgument)


def test_package_exports_hierarchy():
    for cls in CLASSES.values():
        assert getattr(libtwin, cls.__name__) is cls


def test_failed_call_leaves_graph_unchanged_and_later_calls_work(graph):
    graph.add_twin("a", "m", {"x": 1})
    with pytest.raises(errors.InvalidArgument):
        graph.set_property("a", "x", float("nan"))
    assert graph.properties("a") == {"x": 1}
    graph.set_property("a", "x", 2)
    assert graph.properties("a") == {"x": 2}


def test_message_is_of_the_failing_call(graph):
    graph.add_twin("a", "m")
    with pytest.raises(errors.AlreadyExists, match="'a' already exists"):
        graph.add_twin("a", "m")
    with pytest.raises(errors.NotFound, match="twin 'b' not found"):
        graph.remove_twin("b")
