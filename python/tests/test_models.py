"""DTDL models (libtwin.Models): parsing, diagnostics, resolution and the
resolver callback, elements, instance checks, graph validation, lifetime."""

import ctypes
import gc
import glob
import json
import os
import re
import shutil
import subprocess
import weakref

import pytest

import libtwin
from libtwin import Kind, ModelCheck, Models, Primitive, _ffi, errors
from conftest import REPO

CTX2 = "dtmi:dtdl:context;2"
CTX3 = "dtmi:dtdl:context;3"

PUMP = r'''{
  "@context": "dtmi:dtdl:context;3",
  "@id": "dtmi:test:Pump;1",
  "@type": "Interface",
  "displayName": {"en": "Pump", "de": "Pumpe"},
  "description": "A centrifugal pump.",
  "comment": "test fixture",
  "extends": "dtmi:test:Device;1",
  "schemas": [
    {"@id": "dtmi:test:Mode;1", "@type": "Enum", "valueSchema": "integer",
     "enumValues": [{"name": "off", "enumValue": 0}, {"name": "on", "enumValue": 1}]}
  ],
  "contents": [
    {"@type": "Property", "name": "speed", "schema": "double", "writable": true},
    {"@type": "Property", "name": "mode", "schema": "dtmi:test:Mode;1"},
    {"@type": "Property", "name": "rating", "schema": {"@type": "Object", "fields": [
        {"name": "power", "schema": "double"}, {"name": "label", "schema": "string"}]}},
    {"@type": "Property", "name": "tags", "schema": {"@type": "Map",
        "mapKey": {"name": "key", "schema": "string"},
        "mapValue": {"name": "value", "schema": "string"}}},
    {"@type": "Telemetry", "name": "samples",
     "schema": {"@type": "Array", "elementSchema": "float"}},
    {"@type": "Command", "name": "start",
     "request": {"name": "rpm", "schema": "integer"},
     "response": {"name": "ok", "schema": "boolean"}},
    {"@type": "Relationship", "name": "feeds", "target": "dtmi:test:Pump;1",
     "maxMultiplicity": 3,
     "properties": [{"@type": "Property", "name": "flow", "schema": "double"}]},
    {"@type": "Component", "name": "motor", "schema": "dtmi:test:Motor;1"}
  ]
}'''

BASE = r'''[
 {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:test:Device;1", "@type": "Interface",
  "contents": [{"@type": "Property", "name": "serial", "schema": "string"},
               {"@type": "Property", "name": "color", "schema": {"@type": "Enum",
                "valueSchema": "string", "enumValues": [{"name": "red", "enumValue": "R"}]}}]},
 {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:test:Motor;1", "@type": "Interface",
  "contents": [{"@type": "Telemetry", "name": "current", "schema": "double"}]}
]'''

# DTDL v2: semantic types and units need no extension context.
SENSOR_V2 = {
    "@context": CTX2, "@id": "dtmi:test:Sensor;1", "@type": "Interface",
    "contents": [
        {"@type": ["Telemetry", "Temperature"], "name": "temp", "schema": "double",
         "unit": "degreeCelsius"},
        {"@type": "Property", "name": "label", "schema": "string", "writable": True},
    ],
}

RECORE = os.path.join(REPO, "..", "shared", "corpus", "dtdl", "realestatecore")


def iface(dtmi, extends=None, contents=(), ctx=CTX3):
    doc = {"@context": ctx, "@id": dtmi, "@type": "Interface",
           "contents": [{"@type": "Telemetry", "name": n, "schema": "double"} for n in contents]}
    if extends is not None:
        doc["extends"] = extends
    return doc


@pytest.fixture
def pump():
    m = Models()
    m.add(BASE, "base.json")
    m.add(PUMP, "pump.json")
    m.resolve()
    yield m
    m.close()


# ---- parsing and reading elements -----------------------------------------------------


def test_inline_v3_interface(pump):
    assert pump.resolved
    assert len(pump) == 3
    assert [i.id for i in pump.interfaces] == ["dtmi:test:Device;1", "dtmi:test:Motor;1",
                                               "dtmi:test:Pump;1"]
    assert [i.id for i in pump] == [i.id for i in pump.interfaces]
    p = pump.find("dtmi:test:Pump;1")
    assert p == pump["dtmi:test:Pump;1"] and hash(p) == hash(pump["dtmi:test:Pump;1"])
    assert p.kind is Kind.INTERFACE and p.models is pump
    assert p.version == 3 and p.name is None
    assert p.display_name() == "Pump" and p.display_name("de") == "Pumpe"
    assert p.display_name("fr") == "Pump"  # falls back to "en"
    assert p.description() == "A centrifugal pump." and p.comment == "test fixture"
    assert p.parent is None
    assert "dtmi:test:Pump;1" in pump and "dtmi:test:Nope;1" not in pump and 3 not in pump
    assert pump.find("dtmi:test:Nope;1") is None
    with pytest.raises(KeyError):
        pump["dtmi:test:Nope;1"]
    assert "INTERFACE" in repr(p) and "dtmi:test:Pump;1" in repr(p)
    assert "3 interfaces" in repr(pump)


def test_contents_inherited_first(pump):
    p = pump["dtmi:test:Pump;1"]
    names = [c.name for c in p.contents]
    assert names == ["serial", "color", "speed", "mode", "rating", "tags", "samples", "start",
                     "feeds", "motor"]
    assert [c.name for c in p.own_contents] == names[2:]
    assert [c.kind for c in p.own_contents] == [
        Kind.PROPERTY, Kind.PROPERTY, Kind.PROPERTY, Kind.PROPERTY, Kind.TELEMETRY,
        Kind.COMMAND, Kind.RELATIONSHIP, Kind.COMPONENT]
    device = pump["dtmi:test:Device;1"]
    assert p.extends == [device]
    assert p.content("serial").parent == device
    assert p.content("speed").parent == p
    assert p.content("nope") is None
    assert p.is_a(device) and p.is_a("dtmi:test:Device;1") and p.is_a(p)
    assert not device.is_a(p) and not p.is_a("dtmi:test:Nope;1")
    with pytest.raises(TypeError):
        p.is_a(1)


def test_schemas_and_links(pump):
    p = pump["dtmi:test:Pump;1"]
    speed = p.content("speed")
    assert speed.writable and not p.content("mode").writable
    assert speed.schema.kind is Kind.PRIMITIVE
    assert speed.schema.primitive is Primitive.DOUBLE
    assert speed.schema.primitive.dtdl_name == "double"
    assert speed.schema.id is None and speed.schema.version is None
    assert speed.primitive is None
    assert speed.link("schema") == speed.schema == speed.link(libtwin.models.Link.SCHEMA)
    with pytest.raises(errors.InvalidArgument):
        speed.link("nope")

    mode = pump["dtmi:test:Mode;1"]
    assert p.content("mode").schema == mode and p.schemas == [mode]
    assert mode.kind is Kind.ENUM and mode.value_schema.primitive is Primitive.INTEGER
    assert [(v.kind, v.name, v.enum_value) for v in mode.enum_values] == [
        (Kind.ENUM_VALUE, "off", 0), (Kind.ENUM_VALUE, "on", 1)]
    color = p.content("color").schema
    assert color.enum_values[0].enum_value == "R"
    assert speed.enum_value is None

    rating = p.content("rating").schema
    assert rating.kind is Kind.OBJECT
    assert [(f.kind, f.name, f.schema.primitive) for f in rating.fields] == [
        (Kind.FIELD, "power", Primitive.DOUBLE), (Kind.FIELD, "label", Primitive.STRING)]
    tags = p.content("tags").schema
    assert tags.kind is Kind.MAP
    assert tags.map_key.kind is Kind.MAP_KEY and tags.map_key.schema.primitive is Primitive.STRING
    assert tags.map_value.kind is Kind.MAP_VALUE and tags.map_value.name == "value"
    samples = p.content("samples").schema
    assert samples.kind is Kind.ARRAY and samples.element_schema.primitive is Primitive.FLOAT

    start = p.content("start")
    assert start.request.kind is Kind.COMMAND_REQUEST and start.request.name == "rpm"
    assert start.request.schema.primitive is Primitive.INTEGER
    assert start.response.kind is Kind.COMMAND_RESPONSE
    assert start.response.schema.primitive is Primitive.BOOLEAN

    feeds = p.content("feeds")
    assert feeds.target == p
    assert feeds.multiplicity == (0, 3)
    assert [q.name for q in feeds.properties] == ["flow"]
    assert speed.multiplicity is None
    motor = p.content("motor")
    assert motor.schema == pump["dtmi:test:Motor;1"]
    # generated identifiers are findable
    assert pump.find(speed.id) == speed


def test_v2_semantic_type_unit_and_cotypes():
    with Models() as m:
        m.add(SENSOR_V2)
        m.resolve()
        s = m["dtmi:test:Sensor;1"]
        temp, label = s.contents
        assert s.version == 2 and temp.version == 2
        assert temp.semantic_type == "Temperature" and temp.unit == "degreeCelsius"
        assert temp.cotypes == ["Temperature"]
        assert label.semantic_type is None and label.unit is None and label.cotypes == []
        assert label.writable


def test_add_accepts_str_bytes_dict_and_list():
    with Models() as m:
        m.add(json.dumps(iface("dtmi:x:A;1")))
        m.add(b"\xef\xbb\xbf" + json.dumps(iface("dtmi:x:B;1")).encode())  # BOM
        m.add(iface("dtmi:x:C;1"))
        m.add([iface("dtmi:x:D;1"), iface("dtmi:x:E;1")])
        m.add(bytearray(json.dumps(iface("dtmi:x:F;1")).encode()))
        with pytest.raises(TypeError):
            m.add(42)
        m.resolve()
        assert len(m) == 6


def test_lookups_before_resolve_find_nothing():
    with Models() as m:
        m.add(iface("dtmi:x:A;1"))
        assert not m.resolved
        assert len(m) == 0 and m.interfaces == [] and m.find("dtmi:x:A;1") is None
        assert "not resolved" in repr(m)
        with pytest.raises(errors.InvalidState):
            m.validator()


# ---- errors and diagnostics ------------------------------------------------------------

def test_dtdl_error_carries_diagnostics():
    text = ('{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:A;1", "@type": "Interface",\n'
            ' "contents": [{"@type": "Telemetry", "name": "bad name", "schema": "double"}]}')
    m = Models()
    with pytest.raises(errors.ConstraintViolated) as e:
        m.add(text, source="a.json")
    assert "bad name" in e.value.message and e.value.status == errors.E_CONSTRAINT
    [d] = e.value.diagnostics
    assert d.code == "stringInvalid"
    assert d.source == "a.json" and d.pointer == "/contents/0/name" and d.document == 0
    assert d.line == 2
    assert d.column == text.splitlines()[1].index('"bad name"') + 1
    assert "bad name" in d.message
    assert d.secondary is None
    assert str(d).startswith(f"a.json:2:{d.column}: ") and "[stringInvalid]" in str(d)
    assert m.diagnostics == e.value.diagnostics
    # nothing was added; a good document then goes in and clears them
    m.add(iface("dtmi:x:A;1"))
    assert m.diagnostics == []
    m.resolve()
    assert len(m) == 1
    m.close()


def test_every_error_of_a_call_is_listed():
    docs = [iface("dtmi:x:A;1"),
            {"@context": CTX3, "@id": "not a dtmi", "@type": "Interface"},
            {"@context": CTX3, "@id": "dtmi:x:C;1", "@type": "Interface",
             "contents": [{"@type": "Property", "name": "p", "schema": "nope"}]}]
    with Models() as m:
        with pytest.raises(errors.ConstraintViolated) as e:
            m.add(json.dumps(docs, indent=1), source="many.json")
        diags = e.value.diagnostics
        assert len(diags) >= 2
        assert {d.document for d in diags} == {1, 2}
        assert all(d.source == "many.json" and d.line and d.column for d in diags)
        assert "invalidId" in {d.code for d in diags}
        m.resolve()
        assert len(m) == 0  # all or nothing: A was not added either


def test_malformed_json_is_parse_error_with_position():
    with Models() as m:
        with pytest.raises(errors.ParseError) as e:
            m.add('{\n  "@context": \n}', source="broken.json")
        [d] = e.value.diagnostics
        assert d.code == "twin.jsonSyntax"
        assert d.line == 3 and d.column == 1
        with pytest.raises(errors.ParseError) as e:
            m.add(b'{"a": "\xff"}')
        assert e.value.diagnostics[0].code == "twin.notUtf8"


def test_duplicate_definition_is_already_exists():
    with Models() as m:
        m.add(iface("dtmi:x:A;1"))
        with pytest.raises(errors.AlreadyExists) as e:
            m.add(iface("dtmi:x:A;1"))
        assert [d.code for d in e.value.diagnostics] == ["duplicateDefinition"]


def test_options_version_size_and_extensions():
    v3 = iface("dtmi:x:A;1")
    with Models(max_dtdl_version=2) as m:
        with pytest.raises(errors.TwinError) as e:
            m.add(v3)
        assert e.value.diagnostics
        m.add(iface("dtmi:x:B;1", ctx=CTX2))
    with Models(max_document_bytes=64) as m:
        with pytest.raises(errors.LimitExceeded):
            m.add(v3)
    ext = {"@context": CTX3, "@id": "dtmi:x:E;1", "@type": ["Interface", "Custom"]}
    with Models() as m:
        with pytest.raises(errors.ConstraintViolated):
            m.add(ext)
    with Models(allow_undefined_extensions=True) as m:
        m.add(ext)
        m.resolve()
        assert m["dtmi:x:E;1"].cotypes == ["Custom"]
    with Models(tolerate_solecisms=True) as m:
        m.add(v3)
    for bad in (1, 5):
        with pytest.raises(errors.InvalidArgument):
            Models(max_dtdl_version=bad)
    with pytest.raises(TypeError):
        Models(max_dtdl_version="4")
    with pytest.raises(errors.InvalidArgument):
        Models(max_document_bytes=0)
    with pytest.raises(TypeError):
        Models(resolver=42)


def test_acceptable_limits():
    doc = {"@context": ["dtmi:dtdl:context;4#limitless", "dtmi:dtdl:limits:onvif;1"],
           "@id": "dtmi:x:L;1", "@type": "Interface",
           "contents": [{"@type": "Telemetry", "name": "t", "schema": "double"}]}
    with Models() as m:
        with pytest.raises(errors.ConstraintViolated) as e:
            m.add(doc)
        assert e.value.diagnostics[0].code == "disallowedLimitContext"
    with Models(acceptable_limits=["dtmi:dtdl:limits:onvif"]) as m:
        m.add(doc)
        m.resolve()
        assert m["dtmi:x:L;1"].version == 4
    with pytest.raises(TypeError):
        Models(acceptable_limits="dtmi:dtdl:limits:onvif")


def test_library_without_acceptable_limits(monkeypatch):
    """An older 1.2 library's options end before acceptable_limits."""
    real = _ffi.twin_models_options_init_
    short = _ffi.twin_models_options.acceptable_limits.offset

    def init(o, size):
        if size > short:
            raise errors.AbiMismatch("too large")
        return real(o, size)

    monkeypatch.setattr(_ffi, "twin_models_options_init_", init)
    with Models() as m:
        m.add(iface("dtmi:x:A;1"))
        m.resolve()
        assert len(m) == 1
    with pytest.raises(errors.AbiMismatch):
        Models(acceptable_limits=["dtmi:dtdl:limits:onvif"])


def test_unresolved_reference_is_not_found_and_set_stays_open():
    with Models() as m:
        m.add(iface("dtmi:x:B;1", extends="dtmi:x:A;1"))
        with pytest.raises(errors.NotFound) as e:
            m.resolve()
        assert "dtmi:x:A;1" in e.value.message
        [d] = e.value.diagnostics
        assert d.code == "twin.unresolvedIdentifier"
        assert d.primary == "dtmi:x:B;1" and d.secondary == "dtmi:x:A;1"
        assert m.diagnostics == [d] and not m.resolved
        m.add(iface("dtmi:x:A;1", contents=["a"]))
        m.resolve()
        assert [c.name for c in m["dtmi:x:B;1"].contents] == ["a"]
        m.resolve()  # again: nothing to do


def test_add_after_resolve_is_invalid_state():
    with Models() as m:
        m.add(iface("dtmi:x:A;1"))
        m.resolve()
        with pytest.raises(errors.InvalidState, match="resolved"):
            m.add(iface("dtmi:x:B;1"))
        with pytest.raises(errors.InvalidState):
            m.add_file(os.path.join(REPO, "nope.json"))


def test_add_file(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:A;1",\n'
                    ' "@type": "Interface", "displayName": 3}')
    with Models() as m:
        with pytest.raises(errors.ConstraintViolated) as e:
            m.add_file(path)
        [d] = e.value.diagnostics
        assert d.source == str(path) and d.line == 2
        path.write_text(json.dumps(iface("dtmi:x:A;1")))
        m.add_file(str(path))
        with pytest.raises(errors.IOFailure) as e:
            m.add_file(tmp_path / "missing.json")
        assert isinstance(e.value, OSError) and e.value.status == errors.E_IO
        assert "missing.json" in e.value.message
        m.resolve()
        assert len(m) == 1


def test_new_status_classes():
    assert type(errors.from_status(errors.E_STATE, "x")) is errors.InvalidState
    assert type(errors.from_status(errors.E_IO, "x")) is errors.IOFailure
    assert libtwin.InvalidState is errors.InvalidState and libtwin.IOFailure is errors.IOFailure
    for status in (errors.E_STATE, errors.E_IO):
        assert libtwin.strerror(status) != "unknown status"
    assert errors.TwinError("x").diagnostics == ()


# ---- the resolver ------------------------------------------------------------------------

def test_resolver_adds_missing_documents_over_rounds():
    library = {"dtmi:x:A;1": iface("dtmi:x:A;1", extends="dtmi:x:Base;1", contents=["a"]),
               "dtmi:x:Base;1": iface("dtmi:x:Base;1", contents=["base"]),
               "dtmi:x:C;1": iface("dtmi:x:C;1", contents=["c"])}
    asked = []

    def resolver(models, dtmis):
        assert isinstance(models, Models)
        asked.append(list(dtmis))
        for dtmi in dtmis:
            models.add(library[dtmi], source=dtmi)

    with Models(resolver=resolver) as m:
        m.add(iface("dtmi:x:B;1", extends=["dtmi:x:A;1", "dtmi:x:C;1"], contents=["b"]))
        m.resolve()
        assert asked == [["dtmi:x:A;1", "dtmi:x:C;1"], ["dtmi:x:Base;1"]]
        assert [c.name for c in m["dtmi:x:B;1"].contents] == ["base", "a", "c", "b"]
        assert m["dtmi:x:B;1"].is_a("dtmi:x:Base;1")


def test_resolver_that_defines_nothing_gives_not_found():
    with Models(resolver=lambda models, dtmis: None) as m:
        m.add(iface("dtmi:x:B;1", extends="dtmi:x:A;1"))
        with pytest.raises(errors.NotFound):
            m.resolve()


class Boom(Exception):
    pass


def test_resolver_exception_is_reraised_and_set_stays_usable():
    calls = []

    def resolver(models, dtmis):
        calls.append(dtmis)
        if len(calls) == 1:
            raise Boom("no network")
        models.add(iface("dtmi:x:A;1"))

    with Models(resolver=resolver) as m:
        m.add(iface("dtmi:x:B;1", extends="dtmi:x:A;1"))
        with pytest.raises(Boom, match="no network"):
            m.resolve()
        assert not m.resolved
        m.resolve()  # the second call succeeds
        assert len(m) == 2


def test_resolver_base_exception_is_reraised():
    class Stop(BaseException):
        pass

    def resolver(models, dtmis):
        raise Stop

    with Models(resolver=resolver) as m:
        m.add(iface("dtmi:x:B;1", extends="dtmi:x:A;1"))
        with pytest.raises(Stop):
            m.resolve()


def test_resolver_adding_an_invalid_document():
    bad = {"@context": CTX3, "@id": "dtmi:x:A;1", "@type": "Interface", "displayName": 3}

    def uncaught(models, dtmis):
        models.add(bad, source="remote")

    with Models(resolver=uncaught) as m:
        m.add(iface("dtmi:x:B;1", extends="dtmi:x:A;1"))
        with pytest.raises(errors.ConstraintViolated) as e:
            m.resolve()
        assert e.value.diagnostics and e.value.diagnostics[0].source == "remote"

    def caught(models, dtmis):
        try:
            models.add(bad, source="remote")
        except errors.ConstraintViolated as e:
            seen.append(e.diagnostics)

    seen = []
    with Models(resolver=caught) as m:
        m.add(iface("dtmi:x:B;1", extends="dtmi:x:A;1"))
        with pytest.raises(errors.ConstraintViolated) as e:
            m.resolve()
        assert seen and seen[0][0].source == "remote"
        # the resolve call lists the resolver's document errors
        assert any(d.source == "remote" for d in e.value.diagnostics)
        assert m.diagnostics == e.value.diagnostics


def test_resolver_may_not_resolve_or_close():
    def resolver(models, dtmis):
        with pytest.raises(errors.InvalidState):
            models.resolve()
        with pytest.raises(errors.InvalidArgument):
            models.close()
        models.add(iface("dtmi:x:A;1"))

    with Models(resolver=resolver) as m:
        m.add(iface("dtmi:x:B;1", extends="dtmi:x:A;1"))
        m.resolve()
        assert len(m) == 2


def test_resolver_does_not_keep_models_alive():
    m = Models(resolver=lambda models, dtmis: None)
    ref = weakref.ref(m)
    fin = m._fin
    del m
    gc.collect()
    assert ref() is None and not fin.alive


# ---- instance checks ---------------------------------------------------------------------

@pytest.mark.parametrize("name,value,ok", [
    ("speed", 3, True), ("speed", 2.5, True), ("speed", "fast", False), ("speed", None, False),
    ("mode", 1, True), ("mode", 5, False), ("mode", "on", False),
    ("rating", {"power": 1.5, "label": "x"}, True), ("rating", {"power": "x"}, False),
    ("rating", {"nope": 1}, False),
    ("tags", {"a": "b"}, True), ("tags", {"a": 1}, False),
    ("samples", [1.0, 2], True), ("samples", ["x"], False),
    ("color", "R", True), ("color", "G", False),
])
def test_check_python_values(pump, name, value, ok):
    prop = pump["dtmi:test:Pump;1"].content(name)
    assert prop.conforms(value) is ok
    assert prop.schema.conforms(value) is ok
    if ok:
        prop.check(value)
        pump.check(prop.schema, value)
    else:
        with pytest.raises(errors.ConstraintViolated) as e:
            prop.check(value)
        assert e.value.message


def test_check_json(pump):
    p = pump["dtmi:test:Pump;1"]
    pump.check_json(p.content("rating").schema, '{"power": 2, "label": "x"}')
    p.content("samples").check_json(b"[1, 2.5]")
    pump.check_json("dtmi:test:Mode;1", "1")
    with pytest.raises(errors.ConstraintViolated, match="expected a number"):
        p.content("speed").check_json('"x"')
    with pytest.raises(errors.ParseError):
        p.content("rating").check_json('{"power": ')
    with pytest.raises(TypeError):
        p.content("speed").check_json(3)
    with pytest.raises(errors.InvalidArgument, match="not a schema"):
        p.check_json("1")
    with pytest.raises(errors.InvalidArgument, match="not a schema"):
        p.content("start").check(1)
    with pytest.raises(errors.NotFound):
        pump.check_json("dtmi:test:Nope;1", "1")
    with Models() as other:
        other.add(iface("dtmi:x:A;1"))
        other.resolve()
        with pytest.raises(errors.InvalidArgument, match="another model set"):
            other.check(p.content("speed"), 1)


# ---- DTMIs ---------------------------------------------------------------------------

def test_dtmi_parse():
    d = libtwin.dtmi_parse("dtmi:com:example:Thermostat;1.2#frag")
    assert d == ("dtmi:com:example:Thermostat;1.2#frag", "dtmi:com:example:Thermostat",
                 ("com", "example", "Thermostat"), 1, 2, "frag", False)
    d = libtwin.dtmi_parse("dtmi:dtdl:Interface")
    assert d.major is None and d.minor is None and d.fragment is None and d.reserved
    assert libtwin.dtmi_parse("dtmi:a;3").segments == ("a",)
    for bad in ("dtmi:1a;1", "x:a;1", "dtmi:a_;1", "dtmi:a;01", ""):
        with pytest.raises(errors.ParseError, match="not a DTMI"):
            libtwin.dtmi_parse(bad)
    with pytest.raises(TypeError):
        libtwin.dtmi_parse(None)
    at = "dtmi:a" + "b" * (4096 - 6)
    assert libtwin.dtmi_parse(at).path == at
    with pytest.raises(errors.LimitExceeded):
        libtwin.dtmi_parse(at + "b")


# ---- graph validation ------------------------------------------------------------------

def test_graph_validated_by_models(pump):
    with libtwin.Graph(validator=pump.validator()) as g:
        g.add_twin("p1", "dtmi:test:Pump;1", {"speed": 1.5, "serial": "S1"})
        g.add_twin("p2", "dtmi:test:Pump;1")
        g.add_relationship("p1", "r1", "feeds", "p2", {"flow": 2.0})
        with pytest.raises(errors.ConstraintViolated, match="dtmi:test:Unknown;1"):
            g.add_twin("x", "dtmi:test:Unknown;1")
        with pytest.raises(errors.ConstraintViolated):
            g.add_twin("p3", "dtmi:test:Pump;1", {"speed": "fast"})
        with pytest.raises(errors.ConstraintViolated):
            g.add_twin("p3", "dtmi:test:Pump;1", {"nope": 1})
        with pytest.raises(errors.ConstraintViolated):
            g.set_property("p1", "mode", 7)
        g.set_property("p1", "mode", 1)
        with pytest.raises(errors.ConstraintViolated):
            g.add_relationship("p1", "r2", "drains", "p2")
        with pytest.raises(errors.ConstraintViolated):
            g.set_model("p1", "dtmi:test:Unknown;1")
        assert sorted(g) == ["p1", "p2"]
        assert g.get_property("p1", "mode") == 1


def test_graph_validator_checks_selected(pump):
    with libtwin.Graph(validator=pump.validator(ModelCheck.MODEL)) as g:
        g.add_twin("p1", "dtmi:test:Pump;1", {"anything": "goes"})
        g.add_twin("p2", "dtmi:test:Pump;1")
        g.add_relationship("p1", "r", "whatever", "p2")
        with pytest.raises(errors.ConstraintViolated):
            g.add_twin("x", "dtmi:test:Unknown;1")
    v = pump.validator(ModelCheck.PROPERTIES | ModelCheck.RELATIONSHIPS)
    assert v.checks == ModelCheck.PROPERTIES | ModelCheck.RELATIONSHIPS and "ModelCheck" in repr(v)
    with pytest.raises(errors.InvalidArgument):
        pump.validator(8)
    with pytest.raises(TypeError):
        pump.validator("all")


def test_graph_takes_models_directly(pump):
    with libtwin.Graph(validator=pump) as g:
        with pytest.raises(errors.ConstraintViolated):
            g.add_twin("x", "dtmi:test:Unknown;1")


def test_graph_keeps_models_alive_and_open():
    m = Models()
    m.add(BASE)
    m.add(PUMP)
    m.resolve()
    g = libtwin.Graph(validator=m.validator())
    ref = weakref.ref(m)
    owner = m._owner
    del m
    gc.collect()
    assert ref() is not None
    # closing the Models while a graph validates against it keeps the C set
    ref().close()
    assert ref().closed and owner.ptr is not None
    g.add_twin("p", "dtmi:test:Pump;1")
    with pytest.raises(errors.ConstraintViolated):
        g.add_twin("x", "dtmi:test:Unknown;1")
    g.close()
    assert owner.ptr is None and owner.users == 0
    del g
    gc.collect()
    assert ref() is None


def test_dropped_graph_releases_models():
    m = Models()
    m.add(iface("dtmi:x:A;1"))
    m.resolve()
    owner = m._owner
    g = libtwin.Graph(validator=m)
    g.add_twin("a", "dtmi:x:A;1")
    assert owner.users == 2
    del g, m
    gc.collect()
    assert owner.users == 0 and owner.ptr is None


def test_validator_of_closed_models_is_refused(pump):
    v = pump.validator()
    pump.close()
    with pytest.raises(errors.Closed):
        libtwin.Graph(validator=v)
    with pytest.raises(errors.Closed):
        pump.validator()


# ---- RealEstateCore ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def recore():
    files = sorted(glob.glob(os.path.join(RECORE, "**", "*.json"), recursive=True))
    if not files:
        pytest.skip("RealEstateCore corpus not present (../shared/corpus/dtdl/realestatecore)")
    m = Models()
    for f in files:
        m.add_file(f)
    m.resolve()
    yield m
    m.close()


def test_realestatecore_resolves(recore):
    assert len(recore) == 767
    assert all(i.kind is Kind.INTERFACE and i.version == 3 for i in recore.interfaces)
    space = recore["dtmi:digitaltwins:rec_3_3:core:Space;1"]
    room = recore["dtmi:digitaltwins:rec_3_3:core:Room;1"]
    assert room.is_a(space) and not space.is_a(room)
    # inherited contents come first, then the Interface's own
    own = room.own_contents
    full = room.contents
    assert len(full) > len(own)
    assert full[len(full) - len(own):] == own
    space_names = [c.name for c in space.contents]
    assert [c.name for c in full[:len(space_names)]] == space_names
    assert room.content("isPartOf") is not None
    assert room.content("isPartOf").kind is Kind.RELATIONSHIP
    kinds = {c.kind for i in recore.interfaces for c in i.own_contents}
    assert {Kind.PROPERTY, Kind.RELATIONSHIP, Kind.COMPONENT} <= kinds


def test_realestatecore_graph(recore):
    with libtwin.Graph(validator=recore.validator()) as g:
        g.add_twin("b1", "dtmi:digitaltwins:rec_3_3:core:Building;1")
        g.add_twin("r1", "dtmi:digitaltwins:rec_3_3:core:Room;1")
        with pytest.raises(errors.ConstraintViolated):
            g.add_twin("x", "dtmi:digitaltwins:rec_3_3:core:NoSuchThing;1")


# ---- lifetime -------------------------------------------------------------------------------

def test_close_twice_and_context_manager():
    m = Models()
    m.close()
    m.close()
    assert m.closed and "closed" in repr(m)
    with Models() as m2:
        assert not m2.closed
    assert m2.closed
    with pytest.raises(errors.Closed):
        with m2:
            pass


def test_use_after_close_raises_closed(pump):
    p = pump["dtmi:test:Pump;1"]
    speed = p.content("speed")
    rel = p.content("feeds")
    pump.close()
    calls = [
        lambda: pump.add(iface("dtmi:x:A;1")), lambda: pump.add_file("x.json"),
        lambda: pump.resolve(), lambda: pump.find("dtmi:test:Pump;1"),
        lambda: pump["dtmi:test:Pump;1"], lambda: pump.interfaces, lambda: len(pump),
        lambda: list(pump), lambda: pump.validator(), lambda: pump.check_json(speed, "1"),
        lambda: p.kind, lambda: p.id, lambda: p.name, lambda: p.version,
        lambda: p.display_name(), lambda: p.description(), lambda: p.comment,
        lambda: p.contents, lambda: p.own_contents, lambda: p.extends, lambda: p.schemas,
        lambda: p.content("speed"), lambda: p.is_a(p), lambda: speed.schema,
        lambda: speed.primitive, lambda: speed.writable, lambda: speed.cotypes,
        lambda: speed.semantic_type, lambda: speed.unit, lambda: speed.enum_value,
        lambda: rel.multiplicity, lambda: rel.target, lambda: speed.check(1),
        lambda: speed.check_json("1"), lambda: speed.link("parent"),
        lambda: "dtmi:test:Pump;1" in pump,
    ]
    for call in calls:
        with pytest.raises(errors.Closed, match="model set is closed"):
            call()
    assert "closed" in repr(p)


def test_element_keeps_models_alive():
    m = Models()
    m.add(iface("dtmi:x:A;1", contents=["t"]))
    m.resolve()
    t = m["dtmi:x:A;1"].content("t")
    ref = weakref.ref(m)
    del m
    gc.collect()
    assert ref() is not None
    assert t.name == "t" and t.parent.id == "dtmi:x:A;1"
    del t
    gc.collect()
    assert ref() is None


def test_finalizer_closes_unclosed_sets():
    m = Models()
    m.add(iface("dtmi:x:A;1"))
    fin, owner = m._fin, m._owner
    del m
    gc.collect()
    assert not fin.alive and owner.ptr is None


def test_many_sets_created_and_dropped():
    for i in range(100):
        m = Models()
        m.add(iface(f"dtmi:x:A{i};1", contents=["t"]))
        m.resolve()
        g = libtwin.Graph(validator=m)
        g.add_twin("a", f"dtmi:x:A{i};1")
        if i % 2:
            m.close()
    gc.collect()


def test_threads_read_a_resolved_set_and_validate(pump):
    import threading
    seen, failures = [], []
    g = libtwin.Graph(validator=pump)

    def worker(k):
        try:
            for i in range(200):
                p = pump["dtmi:test:Pump;1"]
                seen.append(len(p.contents))
                p.content("speed").check(float(i))
                g.add_twin(f"t{k}-{i}", "dtmi:test:Pump;1", {"speed": float(i)})
        except Exception as e:  # noqa: BLE001
            failures.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and set(seen) == {10} and len(g) == 800
    g.close()


# ---- struct layouts against the C compiler ---------------------------------------------------

STRUCTS = {
    "twin_models_options": ["size", "flags", "alloc", "max_dtdl_version", "reserved_",
                            "max_document_bytes", "resolver", "resolver_ud",
                            "acceptable_limits", "nacceptable_limits"],
    "twin_dtdl_diag": ["code", "message", "source", "pointer", "primary", "secondary",
                       "document", "line", "column", "reserved_"],
    "twin_dtmi_info": ["size", "labels", "major", "minor", "path_len", "fragment",
                       "reserved_id", "reserved_"],
}


def test_struct_layouts_match_headers(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    lib = os.environ.get("LIBTWIN_LIBRARY")
    if not cc or not lib:
        pytest.skip("needs a C compiler and LIBTWIN_LIBRARY")
    build_include = os.path.join(os.path.dirname(os.path.dirname(lib)), "include")
    if not os.path.exists(os.path.join(build_include, "twin", "version.h")):
        pytest.skip("generated twin/version.h not found beside the library")
    lines = ["#include <stdio.h>", "#include <stddef.h>", "#include <twin/twin.h>",
             "int main(void) {"]
    for s, fields in STRUCTS.items():
        lines.append(f'printf("{s} sizeof %zu\\n", sizeof({s}));')
        lines += [f'printf("{s} {f} %zu\\n", offsetof({s}, {f}));' for f in fields]
    lines.append("return 0; }")
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines))
    exe = tmp_path / "layout"
    subprocess.run([cc, "-std=c11", f"-I{os.path.join(REPO, 'include')}", f"-I{build_include}",
                    str(src), "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    c = {tuple(line.split()[:2]): int(line.split()[2]) for line in out.splitlines()}
    for s, fields in STRUCTS.items():
        py = getattr(_ffi, s)
        assert ctypes.sizeof(py) == c[(s, "sizeof")], s
        for f in fields:
            assert getattr(py, f).offset == c[(s, f)], f"{s}.{f}"


# ---- the example ----------------------------------------------------------------------------

def run_dtdl_example(*args):
    import sys
    from conftest import PYTHON_DIR
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    example = os.path.join(REPO, "examples", "python", "dtdl_models.py")
    return subprocess.run([sys.executable, example, *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_dtdl_example_summarises_a_directory(tmp_path):
    (tmp_path / "base.json").write_text(BASE)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pump.json").write_text(PUMP)
    (tmp_path / "sensor.json").write_text(json.dumps(SENSOR_V2))
    (tmp_path / "broken.json").write_text('{"@context": "dtmi:dtdl:context;3",\n "@id": 5}')
    r = run_dtdl_example(str(tmp_path))
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "3 files loaded, 1 skipped" in out
    assert "broken.json: ConstraintViolated" in out and "broken.json:2:" in out
    assert "4 interfaces (1 DTDL v2, 3 DTDL v3)" in out
    assert "deepest hierarchy (2 levels): Pump -> dtmi:test:Device;1" in out
    assert "Temperature" in out and "degreeCelsius" in out
    rows = dict(re.findall(r"^  (\w+)\s+(\d+\s+\d+)$", out, flags=re.M))
    assert rows["property"].split() == ["7", "9"]  # Device 2, Pump 4 (+2), Sensor 1
    # on demand: only the Pump's file is read first, the resolver fetches the rest
    r = run_dtdl_example(str(tmp_path), "dtmi:test:Pump;1")
    assert r.returncode == 0, r.stderr
    assert "the resolver read 1 more files" in r.stdout  # base.json: Device and Motor
    assert "3 interfaces" in r.stdout


def test_dtdl_example_on_realestatecore():
    if not os.path.isdir(RECORE):
        pytest.skip("RealEstateCore corpus not present")
    r = run_dtdl_example(RECORE)
    assert r.returncode == 0, r.stderr
    assert "767 files loaded, 0 skipped" in r.stdout
    assert "767 interfaces (767 DTDL v3)" in r.stdout


def test_binary_form_round_trip():
    doc = {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:I;1", "@type": "Interface",
           "contents": [{"@type": "Property", "name": "p", "schema": "double"}]}
    with libtwin.Models() as m:
        with pytest.raises(libtwin.InvalidState):
            m.add(doc) or m.save()
        m.resolve()
        data = m.save()
    assert data[:4] == b"TWDM"
    with libtwin.Models.load(data) as l:
        assert l.resolved
        assert [i.id for i in l.interfaces] == ["dtmi:x:I;1"]
        assert l.find("dtmi:x:I;1").content("p").schema.primitive.dtdl_name == "double"
        assert l.save() == data
    with pytest.raises(libtwin.ParseError):
        libtwin.Models.load(data[:-1])
