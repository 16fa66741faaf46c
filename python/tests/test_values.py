"""Property values: every Python type in and back, nesting, limits."""

import math

import pytest

from libtwin import errors

ROUND_TRIPS = [
    None, True, False, 0, 1, -1, 2**63 - 1, -2**63, 0.0, -2.5, 1e300, 5e-324,
    "", "plain", "UTF-8: é ü 漢字 🚀", "x" * 100000,
    [], [1, 2, 3], [None, True, 1, 1.5, "s", [], {}],
    {}, {"a": 1}, {"manufacturer": "ACME", "ratedPowerKW": 7.5, "serial": 40213},
    {"z": 1, "a": 2, "m": 3},  # order kept, not sorted
    {"nested": {"deeper": [{"x": [1, [2, [3]]]}]}},
]


@pytest.fixture
def twin(graph):
    graph.add_twin("t", "dtmi:test:T;1")
    return graph


@pytest.mark.parametrize("value", ROUND_TRIPS, ids=lambda v: repr(v)[:30])
def test_set_property_round_trip(twin, value):
    twin.set_property("t", "p", value)
    back = twin.get_property("t", "p")
    assert back == value
    assert type(back) is type(value)
    if isinstance(value, dict):
        assert list(back) == list(value)


@pytest.mark.parametrize("value", ROUND_TRIPS, ids=lambda v: repr(v)[:30])
def test_initial_properties_round_trip(graph, value):
    graph.add_twin("t", "dtmi:test:T;1", {"p": value, "q": 1})
    assert graph.properties("t") == {"p": value, "q": 1}


def test_relationship_property_round_trip(graph):
    graph.add_twin("a", "m")
    graph.add_twin("b", "m")
    value = {"flow": [1.5, 2.5], "unit": "l/min", "ok": True, "none": None}
    graph.add_relationship("a", "r", "feeds", "b", {"v": value})
    assert graph.relationship("a", "r").properties == {"v": value}


def test_bool_stays_bool_and_int_stays_int(twin):
    twin.set_property("t", "b", True)
    twin.set_property("t", "i", 1)
    twin.set_property("t", "f", 1.0)
    assert twin.get_property("t", "b") is True
    assert type(twin.get_property("t", "i")) is int
    assert type(twin.get_property("t", "f")) is float


def test_tuple_reads_back_as_list(twin):
    twin.set_property("t", "p", (1, (2, 3)))
    assert twin.get_property("t", "p") == [1, [2, 3]]


def test_integral_and_real_subclasses(twin):
    import fractions

    class Count(int):
        pass

    twin.set_property("t", "i", Count(7))
    twin.set_property("t", "r", fractions.Fraction(1, 4))
    assert twin.get_property("t", "i") == 7
    assert twin.get_property("t", "r") == 0.25


@pytest.mark.parametrize("value", [2**63, -2**63 - 1, 10**30])
def test_int_outside_int64_is_limit_exceeded(twin, value):
    with pytest.raises(errors.LimitExceeded, match="property 'p': integer outside"):
        twin.set_property("t", "p", value)
    with pytest.raises(errors.LimitExceeded):
        twin.set_property("t", "p", {"deep": [value]})
    assert twin.properties("t") == {}


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_float_is_invalid(twin, value):
    with pytest.raises(errors.InvalidArgument, match="property 'p': double is not finite") as e:
        twin.set_property("t", "p", value)
    assert e.value.status == errors.E_INVAL
    with pytest.raises(errors.InvalidArgument, match="not finite"):
        twin.set_property("t", "p", [1.0, value])


def test_string_with_nul_is_invalid(twin):
    with pytest.raises(errors.InvalidArgument, match="NUL"):
        twin.set_property("t", "p", "a\0b")


def test_string_with_lone_surrogate_is_invalid(twin):
    with pytest.raises(errors.InvalidArgument, match="not valid UTF-8"):
        twin.set_property("t", "p", "\udc80")


@pytest.mark.parametrize("value", [b"bytes", {1, 2}, object(), 1j])
def test_unsupported_type_is_type_error(twin, value):
    with pytest.raises(TypeError, match="cannot store"):
        twin.set_property("t", "p", value)


def test_object_keys_must_be_str(twin):
    with pytest.raises(TypeError, match="member name must be str"):
        twin.set_property("t", "p", {1: "x"})
    with pytest.raises(TypeError, match="property name must be str"):
        twin.add_twin("u", "m", {1: "x"})
    with pytest.raises(errors.InvalidArgument, match="NUL"):
        twin.set_property("t", "p", {"a\0": 1})


def test_empty_member_name_is_rejected_by_library(twin):
    with pytest.raises(errors.InvalidArgument, match="member name is empty"):
        twin.set_property("t", "p", {"": 1})


def nested(depth):
    v = 1
    for _ in range(depth):
        v = [v]
    return v


def test_nesting_to_the_limit_round_trips(twin):
    twin.set_property("t", "p", nested(32))
    assert twin.get_property("t", "p") == nested(32)


def test_nesting_past_the_limit_is_limit_exceeded(twin):
    with pytest.raises(errors.LimitExceeded, match="nesting deeper than 32"):
        twin.set_property("t", "p", nested(33))


def test_self_containing_list_is_limit_exceeded_not_recursion(twin):
    loop = []
    loop.append(loop)
    with pytest.raises(errors.LimitExceeded):
        twin.set_property("t", "p", loop)


def test_values_read_back_are_copies(twin):
    twin.set_property("t", "p", {"a": [1, 2]})
    v = twin.get_property("t", "p")
    v["a"].append(3)
    twin.set_property("t", "other", "x" * 1000)  # the library reorganises memory
    twin.remove_property("t", "other")
    assert twin.get_property("t", "p") == {"a": [1, 2]}


def test_replace_and_remove_property(twin):
    twin.set_property("t", "p", 1)
    twin.set_property("t", "q", 2)
    twin.set_property("t", "p", "one")
    assert twin.properties("t") == {"p": "one", "q": 2}
    twin.remove_property("t", "p")
    assert twin.properties("t") == {"q": 2}
    with pytest.raises(errors.NotFound):
        twin.get_property("t", "p")
