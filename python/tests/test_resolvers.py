"""Resolvers written in Python: a DTDL model set asking ``fetch(dtmi)`` for
the DTMIs it references and lacks (DtmiResolver), and an ingest handle
asking ``resolver(twin, model, signal)`` for the signals not declared."""

import gc
import json
import weakref

import pytest

import libtwin
from libtwin import Outcome, errors

CTX3 = "dtmi:dtdl:context;3"
S = 1_000_000


def iface(dtmi, extends=None, contents=()):
    doc = {"@context": CTX3, "@id": dtmi, "@type": "Interface",
           "contents": [{"@type": "Property", "name": c, "schema": "double"} for c in contents]}
    if extends:
        doc["extends"] = extends
    return doc


LIBRARY = {
    "dtmi:x:A;1": json.dumps(iface("dtmi:x:A;1", extends="dtmi:x:Base;1", contents=["a"])),
    "dtmi:x:Base;1": json.dumps(iface("dtmi:x:Base;1", contents=["base"])),
    "dtmi:x:C;1": json.dumps(iface("dtmi:x:C;1", contents=["c"])).encode(),  # bytes too
}


# ---- DTDL: fetch(dtmi) -------------------------------------------------------------------

def test_fetch_is_asked_for_each_missing_dtmi_over_rounds():
    asked = []

    def fetch(dtmi):
        asked.append(dtmi)
        return LIBRARY.get(dtmi)

    with libtwin.Models(fetch=fetch) as m:
        m.add(iface("dtmi:x:B;1", extends=["dtmi:x:A;1", "dtmi:x:C;1"], contents=["b"]))
        assert asked == []  # asked only when resolving
        m.resolve()
        assert asked == ["dtmi:x:A;1", "dtmi:x:C;1", "dtmi:x:Base;1"]
        assert [c.name for c in m["dtmi:x:B;1"].contents] == ["base", "a", "c", "b"]
        assert m["dtmi:x:B;1"].is_a("dtmi:x:Base;1")
        assert len(m) == 4


def test_unknown_dtmi_gives_not_found_with_its_diagnostic():
    with libtwin.Models(fetch=lambda dtmi: None) as m:
        m.add(iface("dtmi:x:B;1", extends="dtmi:x:A;1"))
        with pytest.raises(errors.NotFound) as info:
            m.resolve()
        (d,) = info.value.diagnostics
        assert d.code == "twin.unresolvedIdentifier" and d.secondary == "dtmi:x:A;1"
        assert not m.resolved
        m.add(LIBRARY["dtmi:x:A;1"])  # still open: the host may add what was missing
        m.add(LIBRARY["dtmi:x:Base;1"])
        m.resolve()
        assert m.resolved


def test_invalid_fetched_document_is_a_diagnostic_of_resolve():
    bad = {"@context": CTX3, "@id": "dtmi:x:A;1", "@type": "Interface", "displayName": 3}
    for doc in (bad, "{not json"):
        with libtwin.Models(fetch=lambda dtmi, doc=doc: doc) as m:
            m.add(iface("dtmi:x:B;1", extends="dtmi:x:A;1"))
            with pytest.raises(errors.ConstraintViolated, match="from the resolver") as info:
                m.resolve()
            assert [d.source for d in info.value.diagnostics] == ["dtmi:x:A;1"]
            assert m.diagnostics == info.value.diagnostics


def test_fetch_that_raises_ends_resolve_and_the_set_stays_usable():
    class Offline(Exception):
        pass

    calls = []

    def fetch(dtmi):
        calls.append(dtmi)
        if len(calls) == 1:
            raise Offline("model repository unreachable")
        return LIBRARY.get(dtmi)

    with libtwin.Models(fetch=fetch) as m:
        m.add(iface("dtmi:x:B;1", extends="dtmi:x:A;1"))
        with pytest.raises(Offline, match="unreachable"):
            m.resolve()
        assert not m.resolved
        m.resolve()
        assert calls == ["dtmi:x:A;1", "dtmi:x:A;1", "dtmi:x:Base;1"]
        assert len(m) == 3


def test_one_document_defining_several_dtmis_is_added_once():
    both = json.dumps([iface("dtmi:x:A;1", contents=["a"]), iface("dtmi:x:C;1")])
    resolver = libtwin.DtmiResolver(lambda dtmi: both)
    with libtwin.Models(resolver=resolver) as m:
        m.add(iface("dtmi:x:B;1", extends=["dtmi:x:A;1", "dtmi:x:C;1"]))
        m.resolve()  # a second add of the same text would be a duplicate definition
        assert resolver.asked == ["dtmi:x:A;1", "dtmi:x:C;1"]
        assert len(m) == 3


def test_fetch_argument_errors():
    with pytest.raises(errors.InvalidArgument):
        libtwin.Models(fetch=LIBRARY.get, resolver=lambda m, d: None)
    with pytest.raises(TypeError):
        libtwin.Models(fetch=42)
    with libtwin.Models(fetch=lambda dtmi: 42) as m:  # not a document
        m.add(iface("dtmi:x:B;1", extends="dtmi:x:A;1"))
        with pytest.raises(TypeError, match="DTDL document"):
            m.resolve()
    # a dict is serialised as JSON
    with libtwin.Models(fetch=lambda dtmi: iface(dtmi)) as m:
        m.add(iface("dtmi:x:B;1", extends="dtmi:x:A;1"))
        m.resolve()
        assert "dtmi:x:A;1" in m


# ---- ingest: resolver(twin, model, signal) ---------------------------------------------

MOTOR = "dtmi:factory:Motor;1"
SIGNALS = {MOTOR: {"temperature": "degreeCelsius", "vibration": "", "pressure": "pascal"}}


class Catalogue:
    def __init__(self):
        self.asked = []

    def __call__(self, twin, model, signal):
        self.asked.append((twin, model, signal))
        return SIGNALS.get(model, {}).get(signal)


@pytest.fixture
def plant(graph):
    graph.add_twin("motor-C", MOTOR)
    graph.add_twin("belt", "dtmi:factory:Belt;1")
    return graph


def test_resolver_is_consulted_for_undeclared_signals(plant):
    cat = Catalogue()
    ing = libtwin.Ingest(plant, resolver=cat)
    out = ing.write([("motor-C", "temperature", 1 * S, 212.0, "degreeFahrenheit"),
                     ("motor-C", "temperature", 2 * S, 32.0, "degreeFahrenheit"),
                     ("motor-C", "vibration", 1 * S, 0.3),
                     ("motor-C", "torque", 1 * S, 5.0),
                     ("belt", "temperature", 1 * S, 5.0)])
    assert [Outcome(o) for o in out] == [Outcome.ACCEPTED, Outcome.ACCEPTED, Outcome.ACCEPTED,
                                         Outcome.UNKNOWN_SIGNAL, Outcome.UNKNOWN_SIGNAL]
    # asked once per undeclared signal, with the twin's model
    assert cat.asked == [("motor-C", MOTOR, "temperature"), ("motor-C", MOTOR, "vibration"),
                         ("motor-C", MOTOR, "torque"), ("belt", "dtmi:factory:Belt;1",
                                                        "temperature")]
    sig = ing.resolve("motor-C", "temperature")
    assert ing.signal_info(sig) == ("motor-C", "temperature", "degreeCelsius")
    assert ing.latest(sig) == (2 * S, pytest.approx(0.0))  # converted from Fahrenheit
    vib = ing.resolve("motor-C", "vibration")
    assert ing.signal_info(vib)[2] == ""  # "" declares a signal without unit
    kpa = ing.resolve("motor-C", "pressure", "kilopascal")  # through resolve() too
    assert ing.write_signals(kpa, [1 * S], [2.0]) == bytes(1)
    assert ing.latest(ing.resolve("motor-C", "pressure")) == (1 * S, 2000.0)
    with pytest.raises(errors.NotFound):
        ing.resolve("motor-C", "torque")


def test_resolver_not_found_and_bad_units(plant):
    def resolver(twin, model, signal):
        if signal == "nope":
            raise errors.NotFound("no such signal")  # the same as returning None
        return "furlongsPerFortnight"  # not a DTDL unit: the signal stays unknown

    ing = libtwin.Ingest(plant, resolver=resolver)
    out = ing.write([("motor-C", "nope", 1 * S, 1.0), ("motor-C", "speed", 1 * S, 1.0)])
    assert [Outcome(o) for o in out] == [Outcome.UNKNOWN_SIGNAL] * 2
    assert len(ing) == 0


def test_resolver_that_raises_ends_the_write_and_surfaces(plant):
    class CatalogueDown(Exception):
        pass

    def resolver(twin, model, signal):
        if signal == "vibration":
            raise CatalogueDown("catalogue down")
        return SIGNALS[model][signal]

    ing = libtwin.Ingest(plant, resolver=resolver)
    with pytest.raises(CatalogueDown) as info:
        ing.write([("motor-C", "temperature", 1 * S, 40.0),
                   ("motor-C", "vibration", 1 * S, 0.3),
                   ("motor-C", "temperature", 2 * S, 41.0)])
    assert info.value.done == 1
    assert [Outcome(o) for o in info.value.outcomes] == [Outcome.ACCEPTED,
                                                         Outcome.NOT_PROCESSED,
                                                         Outcome.NOT_PROCESSED]
    with pytest.raises(CatalogueDown):
        ing.resolve("motor-C", "vibration")
    # the handle goes on: the declared signal works, the next write runs
    assert ing.write([("motor-C", "temperature", 2 * S, 41.0)]) == bytes(1)
    # a TwinError's status is the resolver's status
    ing2 = libtwin.Ingest(plant, resolver=lambda t, m, s: (_ for _ in ()).throw(
        errors.LimitExceeded("too many signals")))
    with pytest.raises(errors.LimitExceeded, match="too many"):
        ing2.resolve("motor-C", "temperature")


def test_resolver_result_must_be_a_unit(plant):
    ing = libtwin.Ingest(plant, resolver=lambda twin, model, signal: 42)
    with pytest.raises(TypeError, match="unit"):
        ing.resolve("motor-C", "temperature")
    ing = libtwin.Ingest(plant, resolver=lambda twin, model, signal: "bad\0unit")
    with pytest.raises(errors.InvalidArgument, match="NUL"):
        ing.resolve("motor-C", "temperature")


def test_resolver_may_not_write(plant):
    seen = []

    def resolver(twin, model, signal):
        for call in (lambda: plant.add_twin("other", MOTOR),
                     lambda: ing.add_signal("motor-C", "x")):
            try:
                call()
            except errors.TwinError as e:
                seen.append(type(e))
        return "degreeCelsius"

    ing = libtwin.Ingest(plant, resolver=resolver)
    ing.resolve("motor-C", "temperature")
    assert seen == [errors.InvalidArgument, errors.InvalidState]
    assert "other" not in plant


def test_resolver_argument_errors(plant):
    with pytest.raises(TypeError):
        libtwin.Ingest(plant, resolver="not callable")
    with libtwin.Models() as m:
        m.add(iface(MOTOR))
        m.resolve()
        with pytest.raises(errors.InvalidArgument, match="not both"):
            libtwin.Ingest(plant, models=m, resolver=Catalogue())


def test_resolver_does_not_keep_the_ingest_alive(plant):
    ing = libtwin.Ingest(plant, resolver=Catalogue())
    ref = weakref.ref(ing)
    fin = ing._fin
    del ing
    gc.collect()
    assert ref() is None and not fin.alive
