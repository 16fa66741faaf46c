"""DTDL models: parse, validate, resolve and read DTDL v2/v3/v4 (dtdl.h).

    >>> import libtwin
    >>> with libtwin.Models() as m:
    ...     m.add({"@context": "dtmi:dtdl:context;2", "@id": "dtmi:x:Pump;1",
    ...            "@type": "Interface", "contents": [
    ...                {"@type": ["Property", "Temperature"], "name": "temp",
    ...                 "schema": "double", "unit": "degreeCelsius"}]})
    ...     m.resolve()
    ...     pump = m["dtmi:x:Pump;1"]
    ...     [(c.kind.name, c.name, c.semantic_type, c.unit) for c in pump.contents]
    [('PROPERTY', 'temp', 'Temperature', 'degreeCelsius')]

A :class:`Models` is filled with :meth:`~Models.add` and
:meth:`~Models.add_file` (each call adds all of its documents or none),
then sealed by :meth:`~Models.resolve`; only a resolved set finds
anything. A failing call raises a :class:`~libtwin.errors.TwinError`
subclass whose ``diagnostics`` lists every error found
(:class:`Diagnostic`: rule code, message, source, JSON pointer, line and
column); :attr:`Models.diagnostics` holds those of the last call.

Elements (:class:`Element`) are views of the set: each keeps its
:class:`Models` alive, and using one after the set is closed raises
:class:`~libtwin.errors.Closed`. A graph validating twins against a set
(``Graph(validator=models.validator())``) keeps the C set open until the
graph is closed, even when the :class:`Models` is closed first.
"""

from __future__ import annotations

import ctypes
import enum
import json
import os
import threading
import weakref
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from . import _ffi, errors, values
from ._handle import Handle
from .values import decode, encode_id

_MSG_CAP = 1024


class Kind(enum.IntEnum):
    """Element classes (``twin_dtdl_kind``)."""

    INTERFACE = 1
    TELEMETRY = 2
    PROPERTY = 3
    COMMAND = 4
    RELATIONSHIP = 5
    COMPONENT = 6
    COMMAND_REQUEST = 7
    COMMAND_RESPONSE = 8
    PRIMITIVE = 9
    ARRAY = 10
    ENUM = 11
    MAP = 12
    OBJECT = 13
    FIELD = 14
    ENUM_VALUE = 15
    MAP_KEY = 16
    MAP_VALUE = 17


class Primitive(enum.IntEnum):
    """Primitive schemas (``twin_dtdl_primitive``); ``dtdl_name`` is the
    spelling of DTDL (e.g. ``"dateTime"``)."""

    BOOLEAN = 1
    DATE = 2
    DATETIME = 3
    DOUBLE = 4
    DURATION = 5
    FLOAT = 6
    INTEGER = 7
    LONG = 8
    STRING = 9
    TIME = 10
    BYTE = 11
    BYTES = 12
    DECIMAL = 13
    SHORT = 14
    UNSIGNED_BYTE = 15
    UNSIGNED_SHORT = 16
    UNSIGNED_INTEGER = 17
    UNSIGNED_LONG = 18
    UUID = 19
    POINT = 20
    MULTI_POINT = 21
    LINE_STRING = 22
    MULTI_LINE_STRING = 23
    POLYGON = 24
    MULTI_POLYGON = 25

    @property
    def dtdl_name(self) -> str:
        return decode(_ffi.twin_dtdl_primitive_name(self.value))


class Link(enum.IntEnum):
    """Single links of an element (``twin_dtdl_link_kind``), for :meth:`Element.link`."""

    SCHEMA = _ffi.DTDL_SCHEMA
    ELEMENT_SCHEMA = _ffi.DTDL_ELEMENT_SCHEMA
    VALUE_SCHEMA = _ffi.DTDL_VALUE_SCHEMA
    MAP_KEY = _ffi.DTDL_MAP_KEY_OF
    MAP_VALUE = _ffi.DTDL_MAP_VALUE_OF
    REQUEST = _ffi.DTDL_REQUEST
    RESPONSE = _ffi.DTDL_RESPONSE
    TARGET = _ffi.DTDL_TARGET
    PARENT = _ffi.DTDL_PARENT


class ListKind(enum.IntEnum):
    """Lists of an element (``twin_dtdl_list_kind``), for :meth:`Element.elements`."""

    CONTENTS = _ffi.DTDL_CONTENTS
    OWN_CONTENTS = _ffi.DTDL_OWN_CONTENTS
    EXTENDS = _ffi.DTDL_EXTENDS
    SCHEMAS = _ffi.DTDL_SCHEMAS
    FIELDS = _ffi.DTDL_FIELDS
    ENUM_VALUES = _ffi.DTDL_ENUM_VALUES
    PROPERTIES = _ffi.DTDL_PROPERTIES


class ModelCheck(enum.IntFlag):
    """What a :class:`ModelsValidator` checks (``twin_models_check``)."""

    MODEL = _ffi.MODELS_CHECK_MODEL                  # a twin's model is an Interface of the set
    PROPERTIES = _ffi.MODELS_CHECK_PROPERTIES        # its properties are Properties, values match
    RELATIONSHIPS = _ffi.MODELS_CHECK_RELATIONSHIPS  # name, target model and properties
    ALL = _ffi.MODELS_CHECK_ALL


def _enum(cls, value: int):
    """``cls(value)``, or the plain int for a value newer than this binding."""
    try:
        return cls(value)
    except ValueError:
        return value


def _opt(raw: bytes | None) -> str | None:
    """A C string where "" means absent, as str or None."""
    return raw.decode("utf-8", "replace") if raw else None


class Diagnostic(NamedTuple):
    """One error found in DTDL input (``twin_dtdl_diag``).

    ``code`` is the official parser's validation identifier (e.g.
    ``"invalidId"``) or a ``twin.``-prefixed one; ``pointer`` the JSON
    pointer of the offending value in its document (``""``: the whole
    document); ``primary`` the DTMI of the element at fault and
    ``secondary`` one it refers to (None when unknown or none);
    ``document`` the index in a source holding an array of documents;
    ``line`` and ``column`` (1-based, column in bytes) None when unknown.
    """

    code: str
    message: str
    source: str | None
    pointer: str
    primary: str | None
    secondary: str | None
    document: int
    line: int | None
    column: int | None

    def __str__(self) -> str:
        where = self.source or "<input>"
        if self.line:
            where += f":{self.line}:{self.column}"
        return f"{where}: {self.message} [{self.code}]"

    @classmethod
    def _from_c(cls, d: _ffi.twin_dtdl_diag) -> "Diagnostic":
        return cls(decode(d.code) or "", decode(d.message) or "", _opt(d.source),
                   decode(d.pointer) or "", _opt(d.primary), _opt(d.secondary), d.document,
                   d.line or None, d.column or None)


class Multiplicity(NamedTuple):
    """A Relationship's multiplicity; ``max`` None when unbounded."""

    min: int
    max: int | None


class DtmiInfo(NamedTuple):
    """The parts of a Digital Twin Model Identifier (:func:`dtmi_parse`).

    ``path`` is the identifier without version and fragment
    (``dtmi:com:example:Pump``), ``segments`` its labels after ``dtmi:``;
    ``major`` and ``minor`` are None when absent; ``reserved`` is true for
    the name spaces of DTDL itself (``dtmi:dtdl:``, ``dtmi:standard:``).
    """

    dtmi: str
    path: str
    segments: tuple
    major: int | None
    minor: int | None
    fragment: str | None
    reserved: bool


def dtmi_parse(text: str) -> DtmiInfo:
    """Check the syntax of a DTMI and split it; ParseError if it is not one
    (DTDL v3/v4 syntax; v2's stricter rules are the parser's), LimitExceeded
    past 4096 bytes of UTF-8."""
    if not isinstance(text, str):
        raise TypeError(f"dtmi must be str, not {type(text).__name__}")
    raw = text.encode("utf-8", "surrogatepass")
    info = _ffi.twin_dtmi_info()
    info.size = ctypes.sizeof(info)
    try:
        _ffi.twin_dtmi_parse(raw, len(raw), ctypes.byref(info))
    except errors.ParseError:
        raise errors.ParseError(f"not a DTMI: {text!r}") from None
    path = raw[:info.path_len].decode("utf-8")
    segments = tuple(path[len("dtmi:"):].split(":")) if info.labels else ()
    fragment = raw[info.fragment:].decode("utf-8") if info.fragment else None
    return DtmiInfo(text, path, segments, None if info.major < 0 else info.major,
                    None if info.minor < 0 else info.minor, fragment, bool(info.reserved_id))


class _Owner:
    """The C model set and its users: the :class:`Models` and each graph
    validating against it. The set is freed when the last one lets go."""

    __slots__ = ("ptr", "users", "lock")

    def __init__(self, ptr):
        self.ptr = ptr
        self.users = 1
        self.lock = threading.Lock()

    def acquire(self) -> None:
        with self.lock:
            self.users += 1

    def release(self) -> None:
        with self.lock:
            self.users -= 1
            if self.users == 0 and self.ptr is not None:
                ptr, self.ptr = self.ptr, None
                _ffi.twin_models_destroy(ptr)


def _text_bytes(doc) -> bytes:
    if isinstance(doc, str):
        try:
            return doc.encode("utf-8")
        except UnicodeEncodeError as e:
            raise errors.InvalidArgument(f"document is not valid UTF-8: {e.reason}") from None
    if isinstance(doc, (bytes, bytearray, memoryview)):
        return bytes(doc)
    if isinstance(doc, (dict, list, tuple)):
        return json.dumps(doc, ensure_ascii=False, allow_nan=False).encode("utf-8")
    raise TypeError("a DTDL document is str, bytes, or a dict or list (JSON), "
                    f"not {type(doc).__name__}")


class Models(Handle):
    """A set of DTDL models (``twin_models``), closed by :meth:`close` or ``with``.

    - ``allow_undefined_extensions``: accept co-types and properties no
      loaded context defines (else they are errors).
    - ``tolerate_solecisms``: accept the deviations the official parser
      tolerates on request.
    - ``max_dtdl_version``: highest DTDL version accepted, 2 to 4.
    - ``max_document_bytes``: largest document accepted (None: 16 MiB; at
      most 2**31 - 1).
    - ``resolver(models, dtmis)``: called by :meth:`resolve` with the list
      of DTMIs referenced and not defined; it may :meth:`add` or
      :meth:`add_file` documents defining them (nothing else). An exception
      it raises ends :meth:`resolve`, which raises it again.
    - ``fetch(dtmi)``: the simpler form of ``resolver`` (give one or the
      other), asked for one DTMI at a time: it returns the DTDL text that
      defines it (str, bytes, or a dict or list serialised as JSON), or None
      when it does not know it (:meth:`resolve` then raises NotFound with a
      ``twin.unresolvedIdentifier`` diagnostic naming it). See
      :class:`DtmiResolver`.
    - ``acceptable_limits``: the DTDL v4 limit extensions a document may
      select, each named without its version (e.g.
      ``"dtmi:dtdl:limits:onvif"``); None: none.

    Calls on one set are serialised by a lock. Once resolved the set is
    immutable, and graphs may validate against it from any thread.
    """

    _what = "model set"

    def __init__(self, allow_undefined_extensions: bool = False,
                 tolerate_solecisms: bool = False, max_dtdl_version: int = 4,
                 max_document_bytes: int | None = None,
                 resolver: Callable[["Models", list], Any] | None = None,
                 acceptable_limits: Iterable[str] | None = None,
                 fetch: Callable[[str], Any] | None = None):
        if fetch is not None:
            if resolver is not None:
                raise errors.InvalidArgument("give a resolver or fetch, not both")
            resolver = DtmiResolver(fetch)
        self._lock = threading.RLock()
        self._diagnostics: list[Diagnostic] = []
        self._resolved = False
        self._in_resolver = False
        self._resolver_error: BaseException | None = None
        if resolver is not None and not callable(resolver):
            raise TypeError("resolver must be callable")
        self._resolver = resolver
        opts = _ffi.twin_models_options()
        try:
            _ffi.twin_models_options_init_(ctypes.byref(opts), ctypes.sizeof(opts))
        except errors.AbiMismatch:
            if acceptable_limits is not None:
                raise
            # A library from before acceptable_limits: its struct ends before them.
            _ffi.twin_models_options_init_(ctypes.byref(opts),
                                           _ffi.twin_models_options.acceptable_limits.offset)
        opts.flags = ((_ffi.MODELS_ALLOW_UNDEFINED_EXTENSIONS if allow_undefined_extensions else 0)
                      | (_ffi.MODELS_TOLERATE_SOLECISMS if tolerate_solecisms else 0))
        if isinstance(max_dtdl_version, bool) or not isinstance(max_dtdl_version, int):
            raise TypeError("max_dtdl_version must be an int")
        if not 2 <= max_dtdl_version <= 4:
            raise errors.InvalidArgument(
                f"max_dtdl_version must be 2, 3 or 4, not {max_dtdl_version}")
        opts.max_dtdl_version = max_dtdl_version
        if max_document_bytes is not None:
            if isinstance(max_document_bytes, bool) or not isinstance(max_document_bytes, int):
                raise TypeError("max_document_bytes must be an int or None")
            if not 1 <= max_document_bytes <= 2 ** 31 - 1:
                raise errors.InvalidArgument("max_document_bytes must be from 1 to 2**31 - 1")
            opts.max_document_bytes = max_document_bytes
        if acceptable_limits is not None:
            if isinstance(acceptable_limits, str):
                raise TypeError("acceptable_limits is a list of DTMIs, not one str")
            names = [encode_id(x, "limits DTMI") for x in acceptable_limits]
            arr = (ctypes.c_char_p * max(len(names), 1))(*names)
            opts.acceptable_limits = ctypes.cast(arr, ctypes.POINTER(ctypes.c_char_p))
            opts.nacceptable_limits = len(names)  # copied by twin_models_create
        self._c_resolver = None  # the CFUNCTYPE C holds: kept alive with the set
        if resolver is not None:
            self._c_resolver = _ffi.RESOLVER_FN(_resolver_trampoline(weakref.ref(self)))
            opts.resolver = self._c_resolver
        ptr = _ffi.models_p()
        _ffi.twin_models_create(ctypes.byref(ptr), ctypes.byref(opts))
        self._owner = _Owner(ptr)
        self._ptr = ptr
        self._fin = weakref.finalize(self, self._owner.release)

    # ---- lifetime -------------------------------------------------------------

    def close(self) -> None:
        """Close the set. Idempotent. Its elements can no longer be used; a
        graph validating against it keeps the C set until it is closed."""
        with self._lock:
            if self._ptr is None:
                return
            if self._in_resolver:
                raise errors.InvalidArgument("cannot close a model set from its resolver")
            self._fin()
            self._ptr = None

    # ---- binary form ----------------------------------------------------------

    def save(self) -> bytes:
        """The resolved set in its compact binary form (what firmware loads
        without a JSON parser); InvalidState before :meth:`resolve`."""
        chunks: list[bytes] = []

        def write(ud, data, n):
            chunks.append(ctypes.string_at(data, n))
            return 0

        c_write = _ffi.WRITE_FN(write)
        with self._lock:
            _ffi.twin_models_save(self._handle(), c_write, None)
        return b"".join(chunks)

    @classmethod
    def load(cls, data: bytes) -> "Models":
        """A resolved set rebuilt from :meth:`save`'s bytes; ParseError when
        they are truncated, corrupted or of another format version."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("data must be bytes")
        raw = bytes(data)
        self = cls.__new__(cls)
        self._lock = threading.RLock()
        self._diagnostics = []
        self._resolved = True
        self._in_resolver = False
        self._resolver_error = None
        self._resolver = None
        self._c_resolver = None
        ptr = _ffi.models_p()
        _ffi.twin_models_load(ctypes.byref(ptr), raw, len(raw), None)
        self._owner = _Owner(ptr)
        self._ptr = ptr
        self._fin = weakref.finalize(self, self._owner.release)
        return self

    @property
    def resolved(self) -> bool:
        """True once :meth:`resolve` has succeeded (the set is then sealed)."""
        return self._resolved

    # ---- adding and resolving -------------------------------------------------

    def _diags(self, ptr, first: int) -> list[Diagnostic]:
        n = _ffi.twin_models_diag_count(ptr)
        out = []
        for i in range(first, n):
            d = _ffi.twin_models_diag(ptr, i)
            if d:
                out.append(Diagnostic._from_c(d.contents))
        return out

    def _write(self, fn, *args) -> None:
        """A writing call: diagnostics kept, and attached to its exception."""
        with self._lock:
            ptr = self._handle()
            # From the resolver, an add's diagnostics join those of the
            # resolve call: this call's are those after the ones already there.
            first = _ffi.twin_models_diag_count(ptr) if self._in_resolver else 0
            try:
                fn(ptr, *args)
            except errors.TwinError as e:
                self._diagnostics = self._diags(ptr, first)
                e.diagnostics = list(self._diagnostics)
                raise
            self._diagnostics = self._diags(ptr, first)

    def add(self, document, source: str | None = None) -> None:
        """Parse DTDL text (str or bytes: one document or a JSON array of
        them; a dict or list is serialised as JSON first) and add its models.

        All or nothing: on failure nothing is added and the exception (and
        :attr:`diagnostics`) lists every error. ``source`` names the text
        in diagnostics.
        """
        data = _text_bytes(document)
        raw_source = None if source is None else encode_id(source, "source")
        self._write(_ffi.twin_models_add, data, len(data), raw_source)

    def add_file(self, path) -> None:
        """Read a file and add its documents, as :meth:`add` (the path is
        the source name); IOFailure when it cannot be read."""
        raw = os.fsencode(path)
        if b"\0" in raw:
            raise errors.InvalidArgument(f"path {path!r} contains a NUL character")
        self._write(_ffi.twin_models_add_file, raw)

    def resolve(self) -> None:
        """Check every reference (asking the resolver for undefined DTMIs)
        and the rules spanning Interfaces, then seal the set.

        Raises NotFound when a referenced DTMI is defined nowhere (code
        ``twin.unresolvedIdentifier``, the DTMI in ``secondary``) and
        ConstraintViolated when a rule is broken; the set then stays open
        for more documents. Resolving a resolved set does nothing.
        """
        with self._lock:
            ptr = self._handle()
            if self._in_resolver:
                raise errors.InvalidState("resolve() called from the resolver")
            self._resolver_error = None
            self._in_resolver = True
            failure = None
            try:
                _ffi.twin_models_resolve(ptr)
            except errors.TwinError as e:
                failure = e
            finally:
                self._in_resolver = False
            self._diagnostics = self._diags(ptr, 0)
            if failure is not None:
                failure.diagnostics = list(self._diagnostics)
            raised, self._resolver_error = self._resolver_error, None
            if raised is not None:
                raise raised
            if failure is not None:
                raise failure
            self._resolved = True

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """The diagnostics of the last add, add_file or resolve call (a copy)."""
        return list(self._diagnostics)

    # ---- lookup -----------------------------------------------------------------

    def _elem(self, addr) -> "Element | None":
        return None if not addr else Element(self, addr)

    def find(self, dtmi: str) -> "Element | None":
        """The element with identifier ``dtmi`` (an Interface, or any element
        with an explicit or generated ``@id``); None if none (always before
        :meth:`resolve`)."""
        raw = encode_id(dtmi, "dtmi")
        with self._lock:
            return self._elem(_ffi.twin_models_find(self._handle(), raw))

    def __getitem__(self, dtmi: str) -> "Element":
        e = self.find(dtmi)
        if e is None:
            raise KeyError(dtmi)
        return e

    def __contains__(self, dtmi) -> bool:
        if not isinstance(dtmi, str) or "\0" in dtmi:
            return False
        return self.find(dtmi) is not None

    @property
    def interfaces(self) -> list["Element"]:
        """Every Interface (inline ones too), in the order added; empty before
        :meth:`resolve`."""
        with self._lock:
            ptr = self._handle()
            n = _ffi.twin_models_interface_count(ptr)
            return [Element(self, _ffi.twin_models_interface(ptr, i)) for i in range(n)]

    def __iter__(self) -> Iterator["Element"]:
        return iter(self.interfaces)

    def __len__(self) -> int:
        """Number of Interfaces (0 before :meth:`resolve`)."""
        with self._lock:
            return _ffi.twin_models_interface_count(self._handle())

    # ---- checks and validation --------------------------------------------------

    def check_json(self, schema: "Element | str", text) -> None:
        """Check JSON text against a schema; see :meth:`Element.check_json`."""
        self._schema_arg(schema).check_json(text)

    def check(self, schema: "Element | str", value: Any) -> None:
        """Check a Python value against a schema; see :meth:`Element.check`."""
        self._schema_arg(schema).check(value)

    def _schema_arg(self, schema) -> "Element":
        if isinstance(schema, str):
            e = self.find(schema)
            if e is None:
                raise errors.NotFound(f"no element '{schema}' in the model set")
            return e
        if not isinstance(schema, Element):
            raise TypeError(f"schema must be an Element or a DTMI, not {type(schema).__name__}")
        if schema._models is not self:
            raise errors.InvalidArgument("the schema is an element of another model set")
        return schema

    def validator(self, checks: int = ModelCheck.ALL) -> "ModelsValidator":
        """A graph validator checking twins and relationships against this
        resolved set: give it to ``Graph(validator=...)``. ``checks`` is a
        :class:`ModelCheck` combination."""
        return ModelsValidator(self, checks)

    def _native_validator(self):
        """For Graph(validator=models): every check."""
        return ModelsValidator(self, ModelCheck.ALL)._native_validator()

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<libtwin.Models closed>"
        state = f"{len(self)} interfaces" if self._resolved else "not resolved"
        return f"<libtwin.Models {state}>"


class DtmiResolver:
    """A :class:`Models` resolver built from ``fetch(dtmi)``, a function that
    returns the DTDL text defining one DTMI (str, bytes, or a dict or list
    serialised as JSON), or None when it does not know it.

    Each round of :meth:`Models.resolve` asks ``fetch`` for every DTMI still
    undefined and adds what it returns, with the DTMI as the source name of
    its diagnostics; a document returned again (one file defining several
    DTMIs) is added once. Later rounds ask for what the new documents
    reference in turn. A document that is not valid DTDL does not stop the
    round: its errors join the diagnostics of :meth:`Models.resolve`, which
    raises ConstraintViolated. A DTMI ``fetch`` returns None for stays
    undefined (NotFound, diagnostic ``twin.unresolvedIdentifier``). An
    exception ``fetch`` raises ends :meth:`Models.resolve`, which raises it.

    ``asked`` lists every DTMI asked for, in order.
    """

    def __init__(self, fetch: Callable[[str], Any]):
        if not callable(fetch):
            raise TypeError("fetch must be callable")
        self.fetch = fetch
        self.asked: list[str] = []
        self._added: set = set()

    def __call__(self, models: "Models", dtmis: list) -> None:
        for dtmi in dtmis:
            self.asked.append(dtmi)
            doc = self.fetch(dtmi)
            if doc is None:
                continue
            data = _text_bytes(doc)
            if data in self._added:
                continue
            self._added.add(data)
            try:
                models.add(data, source=dtmi)
            except errors.TwinError:
                pass  # its diagnostics are the resolve call's; resolve fails with them


def _resolver_trampoline(ref):
    """The C resolver of a set: calls its Python resolver, and never lets an
    exception reach ctypes (the first is kept for resolve() to raise)."""
    def resolve(_ud, _m, dtmis, n):
        models = ref()
        if models is None:  # pragma: no cover - resolve() holds the set
            return errors.E_INVAL
        if models._resolver_error is not None:
            return errors.E_INVAL
        try:
            ids = [dtmis[k].decode("utf-8", "replace") for k in range(n)]
            models._resolver(models, ids)
        except BaseException as e:  # noqa: BLE001 - re-raised by resolve()
            models._resolver_error = e
            return errors.E_INVAL
        return errors.OK
    return resolve


class ModelsValidator:
    """Checks a graph's twins and relationships against a resolved set
    (``twin_models_validator``). Pass it to ``Graph(validator=...)``; the
    graph keeps the set alive (and open in C) until the graph is closed.

    The maximum multiplicity of a Relationship is not checked (the graph
    hook sees one relationship at a time).
    """

    def __init__(self, models: Models, checks: int = ModelCheck.ALL):
        if not isinstance(models, Models):
            raise TypeError(f"ModelsValidator needs Models, not {type(models).__name__}")
        if isinstance(checks, bool) or not isinstance(checks, int):
            raise TypeError("checks must be a ModelCheck combination")
        if not 0 <= checks <= ModelCheck.ALL:
            raise errors.InvalidArgument(f"checks {checks!r} outside ModelCheck.ALL")
        self.models = models
        self.checks = ModelCheck(checks)
        with models._lock:
            models._handle()
            if not models._resolved:
                raise errors.InvalidState("resolve() the model set before making a validator")

    def _native_validator(self):
        """The twin_graph_validator struct, and the callable the graph calls
        once destroyed (the set may then be freed)."""
        m = self.models
        with m._lock:
            ptr = m._handle()
            v = _ffi.twin_graph_validator()
            v.size = ctypes.sizeof(v)
            _ffi.twin_models_validator(ptr, int(self.checks), ctypes.byref(v))
            m._owner.acquire()
            return v, m._owner.release

    def __repr__(self) -> str:
        return f"<libtwin.ModelsValidator {self.checks!r}>"


_HAS_SCHEMA = frozenset({Kind.TELEMETRY, Kind.PROPERTY, Kind.FIELD, Kind.MAP_KEY,
                         Kind.MAP_VALUE, Kind.COMMAND_REQUEST, Kind.COMMAND_RESPONSE})


class Element:
    """An element of a resolved :class:`Models` (Interface, content, command
    payload, schema or schema part). It keeps its set alive; two Element
    objects for the same element compare equal.

    Strings the set does not have (a name, comment, unit, ...) are None.
    """

    __slots__ = ("_models", "_addr", "__weakref__")

    def __init__(self, models: Models, addr: int):
        self._models = models
        self._addr = addr

    @property
    def models(self) -> Models:
        return self._models

    def _call(self, fn, *args):
        m = self._models
        with m._lock:
            m._handle()
            return fn(self._addr, *args)

    def _link(self, kind) -> "Element | None":
        m = self._models
        with m._lock:
            m._handle()
            return m._elem(_ffi.twin_dtdl_link(self._addr, int(kind)))

    # ---- identity ---------------------------------------------------------------

    @property
    def kind(self) -> Kind:
        return _enum(Kind, self._call(_ffi.twin_dtdl_kind_of))

    @property
    def id(self) -> str | None:
        """Its ``@id``, explicit or generated; None for primitive schemas."""
        return _opt(self._call(_ffi.twin_dtdl_id))

    @property
    def name(self) -> str | None:
        return _opt(self._call(_ffi.twin_dtdl_name))

    @property
    def version(self) -> int | None:
        """DTDL version of the document that defined it; None for primitives."""
        return self._call(_ffi.twin_dtdl_version) or None

    def display_name(self, lang: str | None = None) -> str | None:
        """Its display name in ``lang`` (default "en"), else the "en" one, else the first."""
        raw = None if lang is None else encode_id(lang, "language")
        return _opt(self._call(_ffi.twin_dtdl_display_name, raw))

    def description(self, lang: str | None = None) -> str | None:
        """Its description, chosen as :meth:`display_name` does."""
        raw = None if lang is None else encode_id(lang, "language")
        return _opt(self._call(_ffi.twin_dtdl_description, raw))

    @property
    def comment(self) -> str | None:
        return _opt(self._call(_ffi.twin_dtdl_comment))

    @property
    def primitive(self) -> Primitive | None:
        """The primitive of a primitive schema; None for other elements."""
        return _enum(Primitive, self._call(_ffi.twin_dtdl_primitive_of)) or None

    # ---- links ------------------------------------------------------------------

    def link(self, kind: Link | int | str) -> "Element | None":
        """The element linked by ``kind`` (a :class:`Link` or its name, e.g.
        ``"schema"``); None when there is none."""
        if isinstance(kind, str):
            try:
                kind = Link[kind.upper()]
            except KeyError:
                raise errors.InvalidArgument(f"unknown link {kind!r}") from None
        return self._link(kind)

    @property
    def schema(self) -> "Element | None":
        """``schema`` of a Telemetry, Property, Field, MapKey, MapValue or
        command payload; the Interface of a Component."""
        return self._link(Link.SCHEMA)

    @property
    def element_schema(self) -> "Element | None":
        return self._link(Link.ELEMENT_SCHEMA)

    @property
    def value_schema(self) -> "Element | None":
        return self._link(Link.VALUE_SCHEMA)

    @property
    def map_key(self) -> "Element | None":
        return self._link(Link.MAP_KEY)

    @property
    def map_value(self) -> "Element | None":
        return self._link(Link.MAP_VALUE)

    @property
    def request(self) -> "Element | None":
        return self._link(Link.REQUEST)

    @property
    def response(self) -> "Element | None":
        return self._link(Link.RESPONSE)

    @property
    def target(self) -> "Element | None":
        """The target Interface of a Relationship (None: any)."""
        return self._link(Link.TARGET)

    @property
    def parent(self) -> "Element | None":
        """The element this one is defined in; None at the top."""
        return self._link(Link.PARENT)

    # ---- lists ------------------------------------------------------------------

    def elements(self, kind: ListKind | int) -> list["Element"]:
        """The elements of list ``kind`` (a :class:`ListKind`)."""
        m = self._models
        with m._lock:
            m._handle()
            n = _ffi.twin_dtdl_count(self._addr, int(kind))
            return [Element(m, _ffi.twin_dtdl_at(self._addr, int(kind), i)) for i in range(n)]

    @property
    def contents(self) -> list["Element"]:
        """An Interface's full contents: those it inherits (depth first, in
        ``extends`` order, each Interface once), then its own."""
        return self.elements(ListKind.CONTENTS)

    @property
    def own_contents(self) -> list["Element"]:
        return self.elements(ListKind.OWN_CONTENTS)

    @property
    def extends(self) -> list["Element"]:
        """The Interfaces it extends directly."""
        return self.elements(ListKind.EXTENDS)

    @property
    def schemas(self) -> list["Element"]:
        """An Interface's reusable ``schemas``."""
        return self.elements(ListKind.SCHEMAS)

    @property
    def fields(self) -> list["Element"]:
        return self.elements(ListKind.FIELDS)

    @property
    def enum_values(self) -> list["Element"]:
        return self.elements(ListKind.ENUM_VALUES)

    @property
    def properties(self) -> list["Element"]:
        """A Relationship's properties."""
        return self.elements(ListKind.PROPERTIES)

    def content(self, name: str) -> "Element | None":
        """The content called ``name`` among an Interface's full contents."""
        raw = encode_id(name, "content name")
        m = self._models
        with m._lock:
            m._handle()
            return m._elem(_ffi.twin_dtdl_content(self._addr, raw))

    def is_a(self, other: "Element | str") -> bool:
        """True when this Interface is ``other`` (an Element or DTMI) or
        extends it, directly or not."""
        if isinstance(other, str):
            found = self._models.find(other)
            if found is None:
                return False
            other = found
        elif not isinstance(other, Element):
            raise TypeError(f"is_a() takes an Element or a DTMI, not {type(other).__name__}")
        m = self._models
        with m._lock:
            m._handle()
            other._models._handle()
            return bool(_ffi.twin_dtdl_is_a(self._addr, other._addr))

    # ---- other facets -------------------------------------------------------------

    @property
    def writable(self) -> bool:
        return bool(self._call(_ffi.twin_dtdl_writable))

    @property
    def multiplicity(self) -> Multiplicity | None:
        """A Relationship's (min, max); max None when unbounded. None for
        other elements."""
        lo, hi = ctypes.c_uint32(), ctypes.c_uint32()
        try:
            self._call(_ffi.twin_dtdl_multiplicity, ctypes.byref(lo), ctypes.byref(hi))
        except errors.InvalidArgument as e:
            if isinstance(e, errors.Closed):
                raise
            return None
        return Multiplicity(lo.value, None if hi.value == _ffi.UINT32_MAX else hi.value)

    @property
    def cotypes(self) -> list[str]:
        """The ``@type`` values after the element's class, as written."""
        m = self._models
        with m._lock:
            m._handle()
            n = _ffi.twin_dtdl_cotype_count(self._addr)
            return [decode(_ffi.twin_dtdl_cotype(self._addr, i)) for i in range(n)]

    @property
    def semantic_type(self) -> str | None:
        """The semantic type (e.g. "Temperature") of a Telemetry, Property or Field."""
        return _opt(self._call(_ffi.twin_dtdl_semantic_type))

    @property
    def unit(self) -> str | None:
        return _opt(self._call(_ffi.twin_dtdl_unit))

    @property
    def enum_value(self) -> str | int | None:
        """An EnumValue's value (str or int); None for other elements."""
        s, num = ctypes.c_char_p(), ctypes.c_int64()
        try:
            self._call(_ffi.twin_dtdl_enum_value, ctypes.byref(s), ctypes.byref(num))
        except errors.InvalidArgument as e:
            if isinstance(e, errors.Closed):
                raise
            return None
        return num.value if s.value is None else decode(s.value)

    # ---- instance checks -----------------------------------------------------------

    def _schema(self) -> "Element":
        kind = self.kind
        if kind in _HAS_SCHEMA:
            schema = self.schema
            if schema is not None:
                return schema
        return self

    def check(self, value: Any) -> None:
        """Check a Python value (as a twin property holds it: None, bool,
        int, float, str, list, dict) against this schema; a Telemetry,
        Property, Field, MapKey, MapValue or payload is checked against its
        ``schema``. Raises ConstraintViolated with the reason when it does
        not conform, InvalidArgument when this is not a schema."""
        schema = self._schema()
        keep: list = []
        v = values.to_c(value, schema.name or "value", keep)
        schema._check(_ffi.twin_dtdl_check_value, ctypes.byref(v))

    def check_json(self, text) -> None:
        """Check JSON text (str or bytes) against this schema, as
        :meth:`check` does; ParseError if it is not JSON."""
        data = _text_bytes(text) if isinstance(text, (str, bytes, bytearray, memoryview)) \
            else None
        if data is None:
            raise TypeError(f"check_json() takes JSON text, not {type(text).__name__} "
                            "(use check() for Python values)")
        self._schema()._check(_ffi.twin_dtdl_check_json, data, len(data))

    def _check(self, fn, *args) -> None:
        msg = ctypes.create_string_buffer(_MSG_CAP)
        try:
            self._call(fn, *args, msg, _MSG_CAP)
        except errors.InvalidArgument as e:
            if isinstance(e, errors.Closed):
                raise
            raise errors.InvalidArgument(f"{self!r} is not a schema") from None

    def conforms(self, value: Any) -> bool:
        """True when :meth:`check` accepts ``value``."""
        try:
            self.check(value)
        except errors.ConstraintViolated:
            return False
        return True

    # ---- protocol ---------------------------------------------------------------------

    def __eq__(self, other) -> bool:
        if not isinstance(other, Element):
            return NotImplemented
        return self._addr == other._addr and self._models is other._models

    def __hash__(self) -> int:
        return hash((self._addr, id(self._models)))

    def __repr__(self) -> str:
        if self._models.closed:
            return "<libtwin.Element (model set closed)>"
        kind = self.kind
        kind_name = kind.name if isinstance(kind, Kind) else str(kind)
        if kind == Kind.PRIMITIVE:
            return f"<libtwin.Element PRIMITIVE {self.primitive.dtdl_name}>"
        label = f" {self.name!r}" if self.name else ""
        return f"<libtwin.Element {kind_name}{label} {self.id}>"


__all__ = ["Models", "Element", "ModelsValidator", "DtmiResolver", "Diagnostic", "DtmiInfo",
           "Multiplicity", "Kind", "Primitive", "Link", "ListKind", "ModelCheck", "dtmi_parse"]
