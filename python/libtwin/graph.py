"""The asset graph: twins, their properties, and relationships (graph.h)."""

from __future__ import annotations

import ctypes
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, NamedTuple

from . import _ffi, errors, values
from ._handle import Handle
from .values import decode, encode_id

_DIRECTIONS = {
    "out": _ffi.DIRECTION_OUTGOING, "outgoing": _ffi.DIRECTION_OUTGOING,
    "in": _ffi.DIRECTION_INCOMING, "incoming": _ffi.DIRECTION_INCOMING,
    "both": _ffi.DIRECTION_BOTH,
}


def direction_code(direction) -> int:
    """'out', 'in' or 'both' as a twin_direction."""
    try:
        return _DIRECTIONS[direction]
    except (KeyError, TypeError):
        raise errors.InvalidArgument(
            f"direction must be 'out', 'in' or 'both', not {direction!r}") from None


class Twin(NamedTuple):
    """A twin as listed by :meth:`Graph.twins`."""

    id: str
    model: str


@dataclass(frozen=True)
class Relationship:
    """A relationship, copied out of the graph."""

    id: str
    name: str
    source: str
    target: str
    properties: dict = field(default_factory=dict)

    @classmethod
    def _from_c(cls, r: _ffi.twin_relationship) -> "Relationship":
        return cls(decode(r.id), decode(r.name), decode(r.source_id), decode(r.target_id),
                   values.members_from_c(r.properties, r.property_count))


def _new_relationship() -> _ffi.twin_relationship:
    r = _ffi.twin_relationship()
    r.size = ctypes.sizeof(r)
    return r


class _Hooks:
    """Runs a graph's validator callbacks for C.

    A callback must never let a Python exception reach ctypes: the first one
    is kept in ``error`` (and its text given to the graph as the message of
    its TWIN_E_CONSTRAINT) until the Python call that caused it re-raises it.
    ``readonly`` is set, to the reason, while a callback that must not write
    to the graph runs (a validator; also an Impact's health and rule
    callbacks): the graph then refuses writes with InvalidArgument.
    """

    def __init__(self):
        self.error: BaseException | None = None
        self.readonly: str | None = None

    def take(self) -> BaseException | None:
        err, self.error = self.error, None
        return err

    def check(self, msg: int | None, cap: int, call: Callable[[], Any]) -> int:
        outer, self.readonly = self.readonly, "a validator must not modify the graph"
        try:
            verdict = call()
            rejected = verdict is not None and not verdict
        except BaseException as e:  # noqa: BLE001 - re-raised after the C call
            if self.error is None:
                self.error = e
            _write_message(msg, cap, str(e) or type(e).__name__)
            return errors.E_CONSTRAINT
        finally:
            self.readonly = outer
        # On a plain rejection the graph words the message itself.
        return errors.E_CONSTRAINT if rejected else errors.OK


def _write_message(msg: int | None, cap: int, text: str) -> None:
    if not msg or cap == 0:
        return
    data = text.replace("\0", " ").encode("utf-8", "replace")[:cap - 1]
    data = data.decode("utf-8", "ignore").encode("utf-8")  # no cut character
    ctypes.memmove(msg, data + b"\0", len(data) + 1)


def _hook(validator, name: str):
    fn = validator.get(name) if isinstance(validator, Mapping) else getattr(validator, name, None)
    if fn is not None and not callable(fn):
        raise TypeError(f"validator's {name} is not callable")
    return fn


def _make_validator(validator, hooks: _Hooks):
    """The twin_graph_validator struct, and the CFUNCTYPE objects it points to."""
    check_twin = _hook(validator, "check_twin")
    check_rel = _hook(validator, "check_relationship")
    if check_twin is None and check_rel is None:
        raise TypeError("validator has neither check_twin nor check_relationship")
    v = _ffi.twin_graph_validator()
    v.size = ctypes.sizeof(v)
    keep = [v]
    if check_twin is not None:
        def c_check_twin(_ud, twin_id, model_id, props, nprops, msg, cap):
            return hooks.check(msg, cap, lambda: check_twin(
                decode(twin_id), decode(model_id), values.members_from_c(props, nprops)))
        fn = _ffi.CHECK_TWIN_FN(c_check_twin)
        v.check_twin = fn
        keep.append(fn)
    if check_rel is not None:
        def c_check_rel(_ud, name, source_model, target_model, props, nprops, msg, cap):
            return hooks.check(msg, cap, lambda: check_rel(
                decode(name), decode(source_model), decode(target_model),
                values.members_from_c(props, nprops)))
        fn = _ffi.CHECK_RELATIONSHIP_FN(c_check_rel)
        v.check_relationship = fn
        keep.append(fn)
    return keep


def _destroy(ptr, release) -> None:
    _ffi.twin_graph_destroy(ptr)
    if release is not None:
        release()  # the model set the graph validated against may go now


class Graph(Handle):
    """An asset graph (``twin_graph``), closed by :meth:`close` or ``with``.

    ``validator``, if given, is an object (or a dict) with either or both of:

    - ``check_twin(twin_id, model_id, properties) -> bool``
    - ``check_relationship(name, source_model, target_model, properties) -> bool``

    called before every change with the twin or relationship as it would
    become. Returning False (or any false value but None) rejects the change
    with :class:`~libtwin.errors.ConstraintViolated`; raising rejects it too,
    and the exception raised is re-raised from the call that made the
    change. A validator may read the graph but not modify it.

    ``validator`` may also be a resolved :class:`~libtwin.Models` (every
    check) or ``models.validator(checks)``: twins and relationships are then
    checked against the DTDL models in C, and the graph keeps the model set
    alive (and open in C) until the graph is closed.

    Calls on one graph are serialised by a lock (the C library allows one
    writer or many readers per graph; this binding does not try to tell
    them apart).
    """

    _what = "graph"

    def __init__(self, validator: Any = None, *, twin_capacity: int = 0,
                 relationship_capacity: int = 0, string_capacity: int = 0) -> None:
        """Create an empty graph checked by ``validator`` (see the class).
        The capacities are initial sizes (0: the library's defaults); the
        graph grows past them."""
        self._lock = threading.RLock()
        self._busy = 0          # C calls (and traversals) in progress
        self._version = 0       # bumped by every successful write: stales cursors
        self._children: weakref.WeakSet = weakref.WeakSet()
        self._hooks = _Hooks()
        self._validator = None  # the struct and CFUNCTYPEs C holds: kept alive
        self._change_hooks: list = []  # (callable, CFUNCTYPE) the graph calls
        opts = _ffi.twin_graph_options()
        _ffi.twin_graph_options_init_(ctypes.byref(opts), ctypes.sizeof(opts))
        # Capacity hints: room reserved at creation (see graph.h).
        for field, value in (("twin_capacity", twin_capacity),
                             ("relationship_capacity", relationship_capacity),
                             ("string_capacity", string_capacity)):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**32:
                raise errors.InvalidArgument(f"{field} must be an int in [0, 2**32)")
            setattr(opts, field, value)
        release = None  # a native validator's: called once the graph is destroyed
        if validator is not None:
            native = getattr(validator, "_native_validator", None)
            if native is not None:  # Models or ModelsValidator: checked in C
                struct, release = native()
                self._validator = [struct, validator]
            else:
                self._validator = _make_validator(validator, self._hooks)
            opts.validator = ctypes.pointer(self._validator[0])
        ptr = _ffi.graph_p()
        try:
            _ffi.twin_graph_create(ctypes.byref(ptr), ctypes.byref(opts))
        except BaseException:
            if release is not None:
                release()
            raise
        self._ptr = ptr
        self._fin = weakref.finalize(self, _destroy, ptr, release)

    # ---- lifetime -----------------------------------------------------------

    def close(self) -> None:
        """Destroy the graph, and first every Impact made on it. Idempotent."""
        with self._lock:
            if self._ptr is None:
                return
            if self._busy:
                raise errors.InvalidArgument("cannot close a graph from inside one of its calls")
            for child in list(self._children):
                child.close()
            self._fin()
            self._ptr = None

    def _read(self, fn, *args):
        with self._lock:
            ptr = self._handle()
            self._busy += 1
            try:
                return fn(ptr, *args)
            finally:
                self._busy -= 1

    def _write(self, fn, *args):
        with self._lock:
            ptr = self._handle()
            if self._hooks.readonly:
                raise errors.InvalidArgument(self._hooks.readonly)
            self._busy += 1
            failure = None
            try:
                rc = fn(ptr, *args)
                self._version += 1
            except errors.TwinError as e:
                failure = e
            finally:
                self._busy -= 1
            raised = self._hooks.take()
            if raised is not None:
                raise raised  # what the validator raised, not its CONSTRAINT
            if failure is not None:
                raise failure
            return rc

    # ---- change hooks ---------------------------------------------------------

    _KINDS = {1: "twin_put", 2: "twin_delete", 3: "relationship_put", 4: "relationship_delete"}
    _PHASES = {1: "before", 2: "after", 3: "cancelled"}

    def add_change_hook(self, fn: Callable[[str, str, str, str | None], Any]) -> None:
        """Call ``fn(phase, kind, twin_id, rel_id)`` for every change to a twin
        or relationship, whichever call makes it (``twin_graph_add_change_hook``).

        ``phase`` is "before" (the change is checked, not made; returning
        False or raising refuses it, and the call that made it raises),
        "after" (made) or "cancelled" (a hook added later refused it).
        ``kind`` is "twin_put", "twin_delete", "relationship_put" or
        "relationship_delete". A hook must not write to the graph."""
        if not callable(fn):
            raise TypeError("a change hook must be callable")
        hooks = self._hooks

        def c_hook(_ud, _g, change):
            c = change.contents
            phase = self._PHASES.get(c.phase, "?")
            outer, hooks.readonly = hooks.readonly, "a change hook must not modify the graph"
            try:
                verdict = fn(phase, self._KINDS.get(c.kind, "?"), decode(c.twin_id),
                             decode(c.rel_id) if c.rel_id else None)
            except BaseException as e:  # noqa: BLE001 - re-raised after the C call
                if hooks.error is None:
                    hooks.error = e
                return errors.E_CONSTRAINT if phase == "before" else errors.OK
            finally:
                hooks.readonly = outer
            refused = phase == "before" and verdict is not None and not verdict
            return errors.E_CONSTRAINT if refused else errors.OK

        cfn = _ffi.CHANGE_FN(c_hook)
        self._write(_ffi.twin_graph_add_change_hook, cfn, None)
        self._change_hooks.append((fn, cfn))

    def remove_change_hook(self, fn: Callable[[str, str, str, str | None], Any]) -> None:
        """Remove a hook added with :meth:`add_change_hook` (NotFound if none)."""
        for i, (f, cfn) in enumerate(self._change_hooks):
            if f is fn:
                self._write(_ffi.twin_graph_remove_change_hook, cfn, None)
                del self._change_hooks[i]
                return
        raise errors.NotFound("no such change hook")

    # ---- twins ----------------------------------------------------------------

    def add_twin(self, twin_id: str, model: str, properties: Mapping | None = None) -> None:
        """Add twin ``twin_id`` of ``model`` with initial ``properties``."""
        keep: list = []
        props, n = values.members_to_c(properties, keep)
        self._write(_ffi.twin_graph_add_twin, encode_id(twin_id, "twin id"),
                    encode_id(model, "model id"), props, n)

    def remove_twin(self, twin_id: str, cascade: bool = False) -> None:
        """Remove a twin; with ``cascade`` its relationships too, else it must have none."""
        self._write(_ffi.twin_graph_remove_twin, encode_id(twin_id, "twin id"),
                    _ffi.REMOVE_RELATIONSHIPS if cascade else 0)

    def twin(self, twin_id: str) -> str:
        """The model of twin ``twin_id`` (NotFound if there is none)."""
        model = ctypes.c_char_p()
        try:
            self._read(_ffi.twin_graph_find_twin, encode_id(twin_id, "twin id"),
                       ctypes.byref(model))
        except errors.NotFound:
            raise errors.NotFound(f"twin '{twin_id}' not found") from None
        return decode(model.value)

    def __contains__(self, twin_id: object) -> bool:
        """``twin_id in graph``: whether the graph has that twin."""
        if not isinstance(twin_id, str) or "\0" in twin_id:
            return False
        try:
            self.twin(twin_id)
        except errors.NotFound:
            return False
        return True

    def set_model(self, twin_id: str, model: str) -> None:
        """Change the model of a twin (checked by the validator)."""
        self._write(_ffi.twin_graph_set_model, encode_id(twin_id, "twin id"),
                    encode_id(model, "model id"))

    def twin_count(self) -> int:
        """The number of twins."""
        return self._read(_ffi.twin_graph_twin_count)

    def relationship_count(self) -> int:
        """The number of relationships."""
        return self._read(_ffi.twin_graph_relationship_count)

    def __len__(self) -> int:
        """The number of twins."""
        return self.twin_count()

    # ---- twin properties ------------------------------------------------------

    def set_property(self, twin_id: str, name: str, value: Any) -> None:
        """Add or replace property ``name`` of a twin (value deep-copied)."""
        keep: list = []
        v = values.to_c(value, name if isinstance(name, str) else "?", keep)
        self._write(_ffi.twin_graph_set_property, encode_id(twin_id, "twin id"),
                    encode_id(name, "property name"), ctypes.byref(v))

    def remove_property(self, twin_id: str, name: str) -> None:
        """Remove property ``name`` of a twin (NotFound if absent)."""
        self._write(_ffi.twin_graph_remove_property, encode_id(twin_id, "twin id"),
                    encode_id(name, "property name"))

    def get_property(self, twin_id: str, name: str) -> Any:
        """A copy of property ``name`` of a twin (NotFound if absent)."""
        out = ctypes.POINTER(_ffi.twin_value)()
        with self._lock:
            try:
                self._read(_ffi.twin_graph_get_property, encode_id(twin_id, "twin id"),
                           encode_id(name, "property name"), ctypes.byref(out))
            except errors.NotFound:
                self.twin(twin_id)  # NotFound naming the twin, if that is what is missing
                raise errors.NotFound(f"twin '{twin_id}' has no property '{name}'") from None
            return values.from_c(out.contents)

    def properties(self, twin_id: str) -> dict:
        """A copy of all properties of a twin, in the order first set."""
        members = ctypes.POINTER(_ffi.twin_member)()
        count = ctypes.c_size_t()
        with self._lock:
            try:
                self._read(_ffi.twin_graph_get_properties, encode_id(twin_id, "twin id"),
                           ctypes.byref(members), ctypes.byref(count))
            except errors.NotFound:
                raise errors.NotFound(f"twin '{twin_id}' not found") from None
            return values.members_from_c(members, count.value)

    # ---- relationships --------------------------------------------------------

    def add_relationship(self, source: str, rel_id: str, name: str, target: str,
                         properties: Mapping | None = None) -> None:
        """Add relationship ``rel_id`` (unique per source) named ``name``."""
        keep: list = []
        props, n = values.members_to_c(properties, keep)
        self._write(_ffi.twin_graph_add_relationship, encode_id(source, "source twin id"),
                    encode_id(rel_id, "relationship id"),
                    encode_id(name, "relationship name"),
                    encode_id(target, "target twin id"), props, n)

    def remove_relationship(self, source: str, rel_id: str) -> None:
        """Remove relationship ``rel_id`` of twin ``source``."""
        self._write(_ffi.twin_graph_remove_relationship, encode_id(source, "source twin id"),
                    encode_id(rel_id, "relationship id"))

    def relationship(self, source: str, rel_id: str) -> Relationship:
        """A copy of relationship ``rel_id`` of twin ``source``."""
        r = _new_relationship()
        with self._lock:
            try:
                self._read(_ffi.twin_graph_find_relationship,
                           encode_id(source, "source twin id"),
                           encode_id(rel_id, "relationship id"), ctypes.byref(r))
            except errors.NotFound:
                self.twin(source)
                raise errors.NotFound(
                    f"twin '{source}' has no relationship '{rel_id}'") from None
            return Relationship._from_c(r)

    def set_relationship_property(self, source: str, rel_id: str, name: str,
                                  value: Any) -> None:
        """Add or replace property ``name`` of a relationship (value deep-copied)."""
        keep: list = []
        v = values.to_c(value, name if isinstance(name, str) else "?", keep)
        self._write(_ffi.twin_graph_set_relationship_property,
                    encode_id(source, "source twin id"), encode_id(rel_id, "relationship id"),
                    encode_id(name, "property name"), ctypes.byref(v))

    def remove_relationship_property(self, source: str, rel_id: str, name: str) -> None:
        """Remove property ``name`` of a relationship (NotFound if absent)."""
        self._write(_ffi.twin_graph_remove_relationship_property,
                    encode_id(source, "source twin id"), encode_id(rel_id, "relationship id"),
                    encode_id(name, "property name"))

    # ---- iteration ------------------------------------------------------------

    def _next(self, version: int, fn, cursor, *out) -> bool:
        """One cursor step; False at the end. Call with the lock held."""
        ptr = self._handle()
        if self._version != version:
            raise errors.Modified("graph modified during iteration")
        return fn(ptr, ctypes.byref(cursor), *out) == errors.OK

    def twins(self) -> Iterator[Twin]:
        """Every twin as ``Twin(id, model)``, in insertion order.

        Modifying the graph while iterating makes the next step raise
        :class:`~libtwin.errors.Modified`.
        """
        cursor = _ffi.twin_cursor()
        with self._lock:
            self._read(_ffi.twin_graph_twins_begin, ctypes.byref(cursor))
            version = self._version
        return self._twins(cursor, version)

    def _twins(self, cursor, version) -> Iterator[Twin]:
        tid, model = ctypes.c_char_p(), ctypes.c_char_p()
        while True:
            with self._lock:
                if not self._next(version, _ffi.twin_graph_twins_next, cursor,
                                  ctypes.byref(tid), ctypes.byref(model)):
                    return
                item = Twin(decode(tid.value), decode(model.value))
            yield item

    def __iter__(self) -> Iterator[str]:
        """The twin ids, in insertion order (see :meth:`twins`)."""
        return (t.id for t in self.twins())

    def relationships(self, twin_id: str, direction: str = "out",
                      name: str | None = None) -> Iterator[Relationship]:
        """The relationships of a twin: ``direction`` 'out', 'in' or 'both'
        (outgoing first, newest first within each), only those called
        ``name`` if given. The twin must exist (checked at once)."""
        cursor = _ffi.twin_cursor()
        raw_name = None if name is None else encode_id(name, "relationship name")
        with self._lock:
            try:
                self._read(_ffi.twin_graph_relationships_begin, ctypes.byref(cursor),
                           encode_id(twin_id, "twin id"), direction_code(direction), raw_name)
            except errors.NotFound:
                raise errors.NotFound(f"twin '{twin_id}' not found") from None
            version = self._version
        return self._relationships(cursor, version)

    def _relationships(self, cursor, version) -> Iterator[Relationship]:
        r = _new_relationship()
        while True:
            with self._lock:
                if not self._next(version, _ffi.twin_graph_relationships_next, cursor,
                                  ctypes.byref(r)):
                    return
                item = Relationship._from_c(r)
            yield item

    # ---- traversal support ------------------------------------------------------

    def optimize(self) -> None:
        """Build the compact adjacency traversals use (dropped by structural changes)."""
        self._write(_ffi.twin_graph_optimize)

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<libtwin.Graph closed>"
        return (f"<libtwin.Graph {self.twin_count()} twins, "
                f"{self.relationship_count()} relationships>")
