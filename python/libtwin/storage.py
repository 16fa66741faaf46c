"""Storage: every accepted change to the host's store, in order; snapshots (storage.h).

A :class:`Store` carries the changes of a graph (and of the :class:`Ingest`
made with it) to Python callbacks through the library's bounded outbox. The
callbacks are the methods (or dict entries) of one object, each optional:

- ``write_samples(batch)``: a :class:`SampleBatch` of accepted samples
  (``signals``, ``t_us`` and ``values`` columns: numpy arrays when numpy is
  imported, else ``array.array``);
- ``put_signal(signal)``: a :class:`StoreSignal`, before its first sample;
- ``put_twin(twin, model, properties)``, ``delete_twin(twin)``;
- ``put_relationship(relationship)`` (a :class:`~libtwin.Relationship`),
  ``delete_relationship(source, rel_id)``;
- ``put_health(signal, state)``: the 192 bytes of a health state
  (:meth:`Health.from_bytes <libtwin.Health.from_bytes>` reads them);
- ``flush()``: make what was delivered since the last flush durable.

A callback that returns normally (None or a true value) confirms what it was
given. One that returns False, or raises, took nothing: the library keeps
the records in the outbox and delivers them again on the next attempt, so
nothing is lost. An exception is re-raised by the Python call during which
it was raised (a write of the Ingest, a change through the store,
:meth:`Store.flush`), after that call has done its work.

:func:`snapshot_save` and :func:`snapshot_restore` save the whole state of
a graph (and its ingest handle) to bytes and back.
"""

from __future__ import annotations

import ctypes
import sys
import weakref
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Iterator, NamedTuple

from . import _ffi, errors, values
from ._handle import Handle
from .graph import Graph, Relationship
from .values import decode, encode_id

_FAILED = errors.E_IO  # what a callback that took nothing returns to the library
_CALLBACKS = ("write_samples", "put_signal", "put_twin", "delete_twin", "put_relationship",
              "delete_relationship", "put_health", "flush")


class StoreSignal(NamedTuple):
    """A signal as the store receives it."""

    signal: int
    twin: str
    name: str
    unit: str


class SampleBatch:
    """Accepted samples handed to ``write_samples``: three columns (copies)."""

    def __init__(self, ptr, n: int):
        raw = ctypes.string_at(ptr, n * ctypes.sizeof(_ffi.twin_signal_sample)) if n else b""
        np = sys.modules.get("numpy")
        if np is not None:
            rec = np.frombuffer(raw, dtype=[("signal", "<u8"), ("t_us", "<i8"),
                                            ("value", "<f8")])
            self.signals, self.t_us, self.values = (rec["signal"].copy(), rec["t_us"].copy(),
                                                    rec["value"].copy())
        else:
            words = array("Q", raw)
            self.signals = words[0::3]
            self.t_us = array("q", words[1::3].tobytes())
            self.values = array("d", words[2::3].tobytes())

    def __len__(self) -> int:
        return len(self.signals)

    def __iter__(self) -> Iterator[tuple[int, int, float]]:
        return zip((int(x) for x in self.signals), (int(x) for x in self.t_us),
                   (float(x) for x in self.values))


@dataclass(frozen=True)
class StoreStats:
    """State of a store's outbox (``twin_store_stats``)."""

    last_status: int
    pending_records: int
    pending_samples: int
    pending_bytes: int
    capacity_bytes: int
    confirmed_samples: int
    failures: int
    busy: bool


def _callback(target, name: str):
    fn = target.get(name) if isinstance(target, Mapping) else getattr(target, name, None)
    if fn is not None and not callable(fn):
        raise TypeError(f"store callback {name} is not callable")
    return fn


def _destroy_store(ptr, keep) -> None:  # keep: the callbacks C held, alive until now
    _ffi.twin_store_destroy(ptr)


class Store(Handle):
    """A store (``twin_store``): the outbox and callbacks of one graph.

    ``callbacks`` is an object or dict with any of the functions listed in
    the module's documentation (None: every record is confirmed at once);
    ``outbox_bytes`` the outbox size (default 1 MiB, at least 4096).
    Pass the store to :class:`~libtwin.Ingest` to store its samples; change
    the graph through the store's own methods (:meth:`add_twin`, ...) for
    the changes to reach the store. It keeps its graph alive; closing the
    graph closes it; closing it closes its Ingest first. Closing drops what
    is not confirmed: :meth:`flush` first.
    """

    _what = "store"

    def __init__(self, graph: Graph, callbacks: Any = None, *, outbox_bytes: int | None = None):
        if not isinstance(graph, Graph):
            raise TypeError(f"Store needs a Graph, not {type(graph).__name__}")
        self._error: BaseException | None = None
        self._running = False
        self._ingest = None  # weakref to the Ingest using it
        o = _ffi.twin_store_options()
        _ffi.twin_store_options_init_(ctypes.byref(o), ctypes.sizeof(o))
        if outbox_bytes is not None:
            o.outbox_bytes = int(outbox_bytes)
        keep: list = []
        if callbacks is not None:
            cb = _ffi.twin_store_callbacks()
            cb.size = ctypes.sizeof(cb)
            found = False
            for name in _CALLBACKS:
                fn = _callback(callbacks, name)
                if fn is None:
                    continue
                found = True
                cfn = getattr(_ffi, f"STORE_{name.upper()}_FN")(getattr(self, f"_c_{name}")(fn))
                setattr(cb, name, cfn)
                keep.append(cfn)
            if not found:
                raise TypeError("callbacks has none of " + ", ".join(_CALLBACKS))
            keep.append(cb)
            o.callbacks = ctypes.pointer(cb)
        ptr = ctypes.c_void_p()
        with graph._lock:
            _ffi.twin_store_create(ctypes.byref(ptr), graph._handle(), ctypes.byref(o))
            self._graph = graph
            self._ptr = ptr.value
            self._fin = weakref.finalize(self, _destroy_store, ptr.value, keep)
            graph._children.add(self)

    # ---- callbacks -----------------------------------------------------------------

    def _guard(self, call) -> int:
        if self._error is not None:
            return _FAILED
        try:
            verdict = call()
        except BaseException as e:  # noqa: BLE001 - re-raised after the C call
            self._error = e
            return _FAILED
        return _FAILED if verdict is False else errors.OK

    def _take(self) -> BaseException | None:
        err, self._error = self._error, None
        return err

    def _c_write_samples(self, fn):
        return lambda _ud, s, n: self._guard(
            lambda: fn(SampleBatch(ctypes.cast(s, ctypes.c_void_p).value, n)))

    def _c_put_signal(self, fn):
        def put_signal(_ud, sig):
            return self._guard(lambda: fn(StoreSignal(
                sig.contents.signal, decode(sig.contents.twin_id), decode(sig.contents.name),
                decode(sig.contents.unit) or "")))
        return put_signal

    def _c_put_twin(self, fn):
        return lambda _ud, twin, model, props, n: self._guard(
            lambda: fn(decode(twin), decode(model), values.members_from_c(props, n)))

    def _c_delete_twin(self, fn):
        return lambda _ud, twin: self._guard(lambda: fn(decode(twin)))

    def _c_put_relationship(self, fn):
        return lambda _ud, rel: self._guard(lambda: fn(Relationship._from_c(rel.contents)))

    def _c_delete_relationship(self, fn):
        return lambda _ud, src, rel_id: self._guard(lambda: fn(decode(src), decode(rel_id)))

    def _c_put_health(self, fn):
        return lambda _ud, sig, state: self._guard(lambda: fn(
            sig, ctypes.string_at(ctypes.cast(state, ctypes.c_void_p).value,
                                  ctypes.sizeof(_ffi.twin_health))))

    def _c_flush(self, fn):
        return lambda _ud: self._guard(fn)

    # ---- lifetime ------------------------------------------------------------------

    @property
    def graph(self) -> Graph:
        return self._graph

    def close(self) -> None:
        """Destroy the store, its Ingest first. Unconfirmed records are dropped."""
        with self._graph._lock:
            if self._ptr is None:
                return
            if self._running:
                raise errors.InvalidArgument("cannot close a Store from inside its callbacks")
            ing = self._ingest() if self._ingest is not None else None
            if ing is not None:
                ing.close()
            self._fin()
            self._ptr = None

    # ---- calling C -----------------------------------------------------------------

    def _call(self, fn, *args, graph_write: bool = False):
        graph = self._graph
        with graph._lock:
            ptr = self._handle()
            graph._handle()
            ing = self._ingest() if self._ingest is not None else None
            if self._running or (ing is not None and ing._running):
                raise errors.InvalidState("a store or ingest callback must not call the "
                                          "store's writing functions")
            if graph._hooks.readonly:
                raise errors.InvalidArgument(graph._hooks.readonly)
            graph._hooks.readonly = "store callbacks must not modify the graph"
            self._running = True
            graph._busy += 1
            failure = None
            try:
                rc = fn(ptr, *args)
                if graph_write:
                    graph._version += 1
            except errors.TwinError as e:
                failure = e
            finally:
                graph._busy -= 1
                graph._hooks.readonly = None
                self._running = False
            raised = self._take()
            validator = graph._hooks.take()
            if raised is not None:
                raise raised
            if validator is not None:
                raise validator
            if failure is not None:
                raise failure
            return rc

    def flush(self) -> None:
        """Deliver everything pending, then flush. Raises what a callback
        raised, or the library's error when a callback returned False; what
        was not confirmed stays in the outbox."""
        self._call(_ffi.twin_store_flush)

    def checkpoint(self) -> None:
        """Queue the health state of every signal whose state changed, then deliver."""
        self._call(_ffi.twin_store_checkpoint)

    def stats(self) -> StoreStats:
        s = _ffi.twin_store_stats()
        s.size = ctypes.sizeof(s)
        with self._graph._lock:
            _ffi.twin_store_get_stats(self._handle(), ctypes.byref(s))
        return StoreStats(s.last_status, s.pending_records, s.pending_samples, s.pending_bytes,
                          s.capacity_bytes, s.confirmed_samples, s.failures, bool(s.busy))

    # ---- changes to the graph through the store ------------------------------------

    def add_twin(self, twin_id: str, model: str, properties: Mapping | None = None) -> None:
        keep: list = []
        props, n = values.members_to_c(properties, keep)
        self._call(_ffi.twin_store_add_twin, encode_id(twin_id, "twin id"),
                   encode_id(model, "model id"), props, n, graph_write=True)

    def remove_twin(self, twin_id: str, cascade: bool = False) -> None:
        self._call(_ffi.twin_store_remove_twin, encode_id(twin_id, "twin id"),
                   _ffi.REMOVE_RELATIONSHIPS if cascade else 0, graph_write=True)

    def set_model(self, twin_id: str, model: str) -> None:
        self._call(_ffi.twin_store_set_model, encode_id(twin_id, "twin id"),
                   encode_id(model, "model id"), graph_write=True)

    def set_property(self, twin_id: str, name: str, value: Any) -> None:
        keep: list = []
        v = values.to_c(value, name, keep)
        self._call(_ffi.twin_store_set_property, encode_id(twin_id, "twin id"),
                   encode_id(name, "property name"), ctypes.byref(v), graph_write=True)

    def remove_property(self, twin_id: str, name: str) -> None:
        self._call(_ffi.twin_store_remove_property, encode_id(twin_id, "twin id"),
                   encode_id(name, "property name"), graph_write=True)

    def add_relationship(self, source: str, rel_id: str, name: str, target: str,
                         properties: Mapping | None = None) -> None:
        keep: list = []
        props, n = values.members_to_c(properties, keep)
        self._call(_ffi.twin_store_add_relationship, encode_id(source, "source twin id"),
                   encode_id(rel_id, "relationship id"), encode_id(name, "relationship name"),
                   encode_id(target, "target twin id"), props, n, graph_write=True)

    def remove_relationship(self, source: str, rel_id: str) -> None:
        self._call(_ffi.twin_store_remove_relationship, encode_id(source, "source twin id"),
                   encode_id(rel_id, "relationship id"), graph_write=True)

    def set_relationship_property(self, source: str, rel_id: str, name: str,
                                  value: Any) -> None:
        keep: list = []
        v = values.to_c(value, name, keep)
        self._call(_ffi.twin_store_set_relationship_property,
                   encode_id(source, "source twin id"), encode_id(rel_id, "relationship id"),
                   encode_id(name, "property name"), ctypes.byref(v), graph_write=True)

    def remove_relationship_property(self, source: str, rel_id: str, name: str) -> None:
        self._call(_ffi.twin_store_remove_relationship_property,
                   encode_id(source, "source twin id"), encode_id(rel_id, "relationship id"),
                   encode_id(name, "property name"), graph_write=True)

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<libtwin.Store closed>"
        s = self.stats()
        return f"<libtwin.Store {s.pending_samples} samples pending>"


# ---- snapshots ----------------------------------------------------------------------


def _snapshot_handles(graph: Graph, ingest):
    if not isinstance(graph, Graph):
        raise TypeError(f"snapshots need a Graph, not {type(graph).__name__}")
    if ingest is None:
        return None
    if ingest.graph is not graph:
        raise errors.InvalidArgument("the ingest handle is over another graph")
    return ingest._handle()


def snapshot_save(graph: Graph, ingest=None) -> bytes:
    """The whole state of ``graph`` (and its ``ingest`` handle's signals,
    latest values and health states) as bytes (``twin_snapshot_save``)."""
    chunks: list[bytes] = []

    def write(_ud, buf, n):
        chunks.append(ctypes.string_at(buf, n))
        return errors.OK

    fn = _ffi.SNAPSHOT_WRITE_FN(write)
    with graph._lock:
        ing = _snapshot_handles(graph, ingest)
        _ffi.twin_snapshot_save(graph._handle(), ing, fn, None)
    return b"".join(chunks)


def snapshot_restore(graph: Graph, data: bytes, ingest=None) -> None:
    """Replace the state of ``graph`` (and ``ingest``) with a snapshot from
    :func:`snapshot_save`. A truncated or corrupted snapshot raises
    :class:`~libtwin.errors.ParseError` and changes nothing. Signals come
    back with new handles: resolve them again."""
    src = bytes(data)
    buf = ctypes.create_string_buffer(src, len(src))
    pos = 0

    def read(_ud, out, cap, got):
        nonlocal pos
        k = min(cap, len(src) - pos)
        ctypes.memmove(out, ctypes.addressof(buf) + pos, k)
        pos += k
        got[0] = k
        return errors.OK

    fn = _ffi.SNAPSHOT_READ_FN(read)
    with graph._lock:
        ing = _snapshot_handles(graph, ingest)
        if graph._busy or graph._hooks.readonly:
            raise errors.InvalidArgument("cannot restore a graph from inside one of its calls")
        try:
            _ffi.twin_snapshot_restore(graph._handle(), ing, fn, None)
        except errors.TwinError as e:
            if e.status != errors.E_PARSE:
                raise
            rec = _ffi.twin_graph_last_error(graph._handle()).contents
            text = rec.message.decode("utf-8", "replace") if rec.message else e.message
            raise errors.ParseError(text) from None
        finally:
            graph._version += 1


__all__ = ["Store", "StoreSignal", "StoreStats", "SampleBatch", "snapshot_save",
           "snapshot_restore"]
