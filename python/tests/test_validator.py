"""Graph validators written in Python: verdicts, messages, exceptions."""

import types

import pytest

import libtwin
from libtwin import _ffi, errors


def last_message(g):
    return _ffi.twin_graph_last_error(g._ptr).contents.message.decode()


class PumpRules:
    """Pumps need a positive ratedFlow; 'feeds' only between pumps."""

    def __init__(self):
        self.calls = []

    def check_twin(self, twin_id, model, props):
        self.calls.append(("twin", twin_id, model, props))
        if model.startswith("dtmi:factory:Pump") and props.get("ratedFlow", 1) <= 0:
            raise errors.ConstraintViolated(f"{twin_id}: ratedFlow must be positive")
        return True

    def check_relationship(self, name, source_model, target_model, props):
        self.calls.append(("rel", name, source_model, target_model, props))
        return name != "feeds" or (source_model, target_model) == (PUMP, PUMP)


PUMP = "dtmi:factory:Pump;1"
TANK = "dtmi:factory:Tank;1"


@pytest.fixture
def rules():
    return PumpRules()


@pytest.fixture
def vgraph(rules):
    with libtwin.Graph(validator=rules) as g:
        yield g


def test_validator_sees_twin_as_it_would_become(vgraph, rules):
    vgraph.add_twin("p1", PUMP, {"ratedFlow": 3})
    vgraph.set_property("p1", "name", "Pump 1")
    assert rules.calls == [("twin", "p1", PUMP, {"ratedFlow": 3}),
                           ("twin", "p1", PUMP, {"ratedFlow": 3, "name": "Pump 1"})]
    vgraph.remove_property("p1", "name")
    assert rules.calls[-1] == ("twin", "p1", PUMP, {"ratedFlow": 3})
    vgraph.set_model("p1", TANK)
    assert rules.calls[-1] == ("twin", "p1", TANK, {"ratedFlow": 3})


def test_validator_sees_relationship_with_endpoint_models(vgraph, rules):
    vgraph.add_twin("p1", PUMP)
    vgraph.add_twin("p2", PUMP)
    vgraph.add_relationship("p1", "r", "feeds", "p2", {"rate": 1})
    assert rules.calls[-1] == ("rel", "feeds", PUMP, PUMP, {"rate": 1})
    vgraph.set_relationship_property("p1", "r", "rate", 2)
    assert rules.calls[-1] == ("rel", "feeds", PUMP, PUMP, {"rate": 2})


def test_false_rejects_with_constraint_violated(vgraph):
    vgraph.add_twin("p1", PUMP)
    vgraph.add_twin("t1", TANK)
    with pytest.raises(errors.ConstraintViolated) as e:
        vgraph.add_relationship("p1", "r", "feeds", "t1")
    assert e.value.status == errors.E_CONSTRAINT
    assert "rejected by validator" in e.value.message
    assert vgraph.relationship_count() == 0
    vgraph.add_relationship("p1", "r", "partOf", "t1")  # other names pass


def test_raised_exception_is_reraised_and_becomes_message(vgraph):
    with pytest.raises(errors.ConstraintViolated, match="p1: ratedFlow must be positive"):
        vgraph.add_twin("p1", PUMP, {"ratedFlow": -1})
    assert "p1" not in vgraph
    assert last_message(vgraph) == "p1: ratedFlow must be positive"
    vgraph.add_twin("p1", PUMP, {"ratedFlow": 2})
    with pytest.raises(errors.ConstraintViolated):
        vgraph.set_property("p1", "ratedFlow", 0)
    assert vgraph.get_property("p1", "ratedFlow") == 2


def test_any_exception_type_is_reraised_unchanged():
    class Boom(Exception):
        pass

    def check_twin(twin_id, model, props):
        raise Boom("no " + twin_id)

    with libtwin.Graph(validator={"check_twin": check_twin}) as g:
        with pytest.raises(Boom, match="no x") as e:
            g.add_twin("x", "m")
        assert e.traceback[-1].name == "check_twin"
        assert last_message(g) == "no x"
        assert g.twin_count() == 0


def test_base_exceptions_do_not_escape_into_c():
    def check_twin(twin_id, model, props):
        raise KeyboardInterrupt

    with libtwin.Graph(validator={"check_twin": check_twin}) as g:
        with pytest.raises(KeyboardInterrupt):
            g.add_twin("x", "m")
        assert last_message(g) == "KeyboardInterrupt"  # the type when no text
        assert g.twin_count() == 0


def test_validator_errors_in_argument_conversion_are_caught():
    seen = []

    def check_twin(twin_id, model, props):
        seen.append(props)
        return 1 / 0

    with libtwin.Graph(validator=types.SimpleNamespace(check_twin=check_twin)) as g:
        with pytest.raises(ZeroDivisionError):
            g.add_twin("x", "m", {"a": [1, {"b": None}]})
    assert seen == [{"a": [1, {"b": None}]}]


def test_none_accepts_and_falsy_rejects():
    verdict = [None]
    with libtwin.Graph(validator={"check_twin": lambda *a: verdict[0]}) as g:
        g.add_twin("a", "m")
        verdict[0] = 0
        with pytest.raises(errors.ConstraintViolated):
            g.add_twin("b", "m")
        verdict[0] = "yes"
        g.add_twin("b", "m")
        assert g.twin_count() == 2


def test_long_and_unicode_messages_are_cut_safely():
    def check_twin(twin_id, model, props):
        raise ValueError("é" * 1000)

    with libtwin.Graph(validator={"check_twin": check_twin}) as g:
        with pytest.raises(ValueError):
            g.add_twin("x", "m")
        msg = last_message(g)
        assert 0 < len(msg.encode()) < 256
        assert set(msg) == {"é"}


def test_validator_may_read_the_graph():
    holder = {}

    def check_relationship(name, src, dst, props):
        g = holder["g"]
        return [t.id for t in g.twins()] == ["a", "b"] and g.twin("a") == src

    with libtwin.Graph(validator={"check_relationship": check_relationship}) as g:
        holder["g"] = g
        g.add_twin("a", "m:A")
        g.add_twin("b", "m:B")
        g.add_relationship("a", "r", "feeds", "b")
        assert g.relationship_count() == 1


def test_validator_must_not_write_the_graph():
    holder = {}

    def check_twin(twin_id, model, props):
        if twin_id == "a":
            holder["g"].add_twin("sneaky", "m")
        return True

    with libtwin.Graph(validator={"check_twin": check_twin}) as g:
        holder["g"] = g
        with pytest.raises(errors.InvalidArgument, match="validator must not modify"):
            g.add_twin("a", "m")
        assert g.twin_count() == 0
        g.add_twin("b", "m")


def test_validator_cannot_close_the_graph():
    holder = {}

    def check_twin(twin_id, model, props):
        holder["g"].close()

    g = libtwin.Graph(validator={"check_twin": check_twin})
    holder["g"] = g
    with pytest.raises(errors.InvalidArgument, match="cannot close"):
        g.add_twin("a", "m")
    assert not g.closed
    g.close()


def test_validator_without_hooks_is_type_error():
    with pytest.raises(TypeError, match="neither check_twin nor check_relationship"):
        libtwin.Graph(validator=object())
    with pytest.raises(TypeError, match="not callable"):
        libtwin.Graph(validator={"check_twin": 3})


def test_validator_survives_garbage_collection():
    import gc

    def make():
        calls = []
        return libtwin.Graph(validator={"check_twin": lambda *a: calls.append(a) or True}), calls

    g, calls = make()
    gc.collect()
    g.add_twin("a", "m")
    assert calls == [("a", "m", {})]
    g.close()


def test_unvalidated_graph_accepts_anything(graph):
    graph.add_twin("a", "anything at all")
    assert graph.twin("a") == "anything at all"


def test_verdict_whose_truth_raises_is_caught():
    class Undecided:
        def __bool__(self):
            raise RuntimeError("cannot decide")

    with libtwin.Graph(validator={"check_twin": lambda *a: Undecided()}) as g:
        with pytest.raises(RuntimeError, match="cannot decide"):
            g.add_twin("a", "m")
        assert g.twin_count() == 0
