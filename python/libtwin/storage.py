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

``callbacks`` may also be a :class:`libtwin.sqlite.SqliteStore`: the
records then go to its SQLite database, in C.

A callback that returns normally (None or a true value) confirms what it was
given. One that returns False, or raises, took nothing: the library keeps
the records in the outbox and delivers them again on the next attempt, so
nothing is lost. An exception is re-raised by the Python call during which
it was raised (a write of the Ingest, a change through the store,
:meth:`Store.flush`), after that call has done its work.

:func:`store_load` (or :meth:`Store.load`) rebuilds a graph and its
ingest handle's signals from what a store holds, read through a Python
loader (see :func:`store_load`).

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
from . import health as _health
from ._handle import Handle
from .graph import Graph, Relationship
from .health import Health, HealthOptions
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
        native = getattr(callbacks, "_native_store_callbacks", None)
        if native is not None:  # a SqliteStore: its C callbacks
            cb, owner = native()
            keep += [cb, owner]
            o.callbacks = ctypes.pointer(cb)
        elif callbacks is not None:
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
            if native is not None:
                callbacks._stores.add(self)

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

    def _guarded(self, call):
        """The C callback running ``call(*args)`` (the arguments after the
        user data) under :meth:`_guard`. It holds the store weakly: the
        finalizer keeps it for C, so a strong reference would be a cycle
        that keeps the store alive until closed."""
        ref = weakref.ref(self)

        def callback(_ud, *args):
            store = ref()
            if store is None:  # pragma: no cover - C calls it inside the store's calls
                return _FAILED
            return store._guard(lambda: call(*args))
        return callback

    def _c_write_samples(self, fn):
        return self._guarded(
            lambda s, n: fn(SampleBatch(ctypes.cast(s, ctypes.c_void_p).value, n)))

    def _c_put_signal(self, fn):
        return self._guarded(lambda sig: fn(StoreSignal(
            sig.contents.signal, decode(sig.contents.twin_id), decode(sig.contents.name),
            decode(sig.contents.unit) or "")))

    def _c_put_twin(self, fn):
        return self._guarded(lambda twin, model, props, n: fn(
            decode(twin), decode(model), values.members_from_c(props, n)))

    def _c_delete_twin(self, fn):
        return self._guarded(lambda twin: fn(decode(twin)))

    def _c_put_relationship(self, fn):
        return self._guarded(lambda rel: fn(Relationship._from_c(rel.contents)))

    def _c_delete_relationship(self, fn):
        return self._guarded(lambda src, rel_id: fn(decode(src), decode(rel_id)))

    def _c_put_health(self, fn):
        return self._guarded(lambda sig, state: fn(
            sig, ctypes.string_at(ctypes.cast(state, ctypes.c_void_p).value,
                                  ctypes.sizeof(_ffi.twin_health))))

    def _c_flush(self, fn):
        return self._guarded(fn)

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

    def load(self, loader: Any) -> None:
        """Rebuild this store's graph (and the signals of the :class:`Ingest
        <libtwin.Ingest>` using this store) from ``loader``: see
        :func:`store_load`. Nothing is queued for the store. The store must
        have nothing unconfirmed (:meth:`flush` first)."""
        ing = self._ingest() if self._ingest is not None else None
        store_load(self._graph, loader, ing)

    def stats(self) -> StoreStats:
        """The outbox's counters and state."""
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


# ---- loading --------------------------------------------------------------------------


@dataclass
class LoadedSignal:
    """A signal as a loader hands it to :func:`store_load`
    (``twin_store_loaded_signal``).

    ``twin`` and ``name`` name it (the twin is loaded before); ``unit`` is
    its DTDL unit (None: none); ``latest`` its latest accepted sample as
    ``(t_us, value)`` (None: none yet). With a health model:
    ``health_options`` (a :class:`~libtwin.HealthOptions`; a user model's
    table is kept alive by the ingest handle) and ``health``, the state as
    ``put_health`` delivered it (192 bytes, or a :class:`~libtwin.Health`,
    whose options serve when ``health_options`` is None); ``health`` None
    starts a fresh state at ``health_t0_us``. The remaining fields are the
    signal options of :meth:`Ingest.add_signal <libtwin.Ingest.add_signal>`.
    """

    twin: str
    name: str
    unit: str | None = None
    latest: tuple | None = None
    health_options: HealthOptions | None = None
    health: Any = None
    health_t0_us: int = 0
    order: str = "reject"
    window_us: int = 0
    history: int = 0
    alarm_low: float | None = None
    alarm_high: float | None = None
    health_step: float = 0.0


def _items(loader, name: str):
    """The loader's ``name`` entry: an iterable or a function returning one (None: none)."""
    return loader.get(name) if isinstance(loader, Mapping) else getattr(loader, name, None)


class _Loader:
    """A ``twin_store_loader`` over a Python loader: one iterator per kind of
    item, advanced by each C call. What C borrows from the current item
    (strings, properties, options, state) is kept until the next call of the
    same kind; the first exception is kept for the caller to raise."""

    def __init__(self, loader):
        if loader is None:
            raise TypeError("store_load needs a loader")
        self.error: BaseException | None = None
        self.models: list = []  # HealthOptions met, whose user models must stay alive
        self._iters: dict = {}
        self._held: dict = {}
        self.table = _ffi.twin_store_loader()
        self.table.size = ctypes.sizeof(self.table)
        self._fns = []
        found = False
        for name, ctype, method in (("twins", _ffi.LOADER_NEXT_TWIN_FN, self._twin),
                                    ("relationships", _ffi.LOADER_NEXT_RELATIONSHIP_FN,
                                     self._relationship),
                                    ("signals", _ffi.LOADER_NEXT_SIGNAL_FN, self._signal)):
            src = _items(loader, name)
            if src is None:
                continue
            found = True
            fn = ctype(self._next(name, src, method))
            self._fns.append(fn)
            setattr(self.table, {"twins": "next_twin", "relationships": "next_relationship",
                                 "signals": "next_signal"}[name], fn)
        if not found:
            raise TypeError("the loader has none of twins, relationships, signals")

    def _next(self, name, src, fill):
        def step(_ud, out):
            if self.error is not None:  # pragma: no cover - the load has ended
                return errors.E_IO
            try:
                it = self._iters.get(name)
                if it is None:
                    it = self._iters[name] = iter(src() if callable(src) else src)
                try:
                    item = next(it)
                except StopIteration:
                    self._held.pop(name, None)
                    return errors.DONE
                keep: list = []
                fill(item, out.contents, keep)
                self._held[name] = keep  # borrowed by C until the next call
            except BaseException as e:  # noqa: BLE001 - re-raised by store_load
                self.error = e
                if isinstance(e, errors.TwinError) and e.status < 0:
                    return e.status
                return errors.E_IO
            return errors.OK
        return step

    @staticmethod
    def _twin(item, out, keep) -> None:
        if isinstance(item, (str, bytes)) or not 2 <= len(item) <= 3:
            raise TypeError("a loaded twin is (twin_id, model) or (twin_id, model, properties)")
        twin_id, model = item[0], item[1]
        props = item[2] if len(item) == 3 else None
        tid, mid = encode_id(twin_id, "twin id"), encode_id(model, "model id")
        members, n = values.members_to_c(props, keep)
        keep += [tid, mid]
        out.id, out.model_id = tid, mid
        out.props, out.nprops = members, n

    @staticmethod
    def _relationship(item, out, keep) -> None:
        if isinstance(item, Relationship):
            fields = (item.source, item.id, item.name, item.target, item.properties)
        elif isinstance(item, (str, bytes)) or not 4 <= len(item) <= 5:
            raise TypeError("a loaded relationship is a Relationship or "
                            "(source, rel_id, name, target[, properties])")
        else:
            fields = tuple(item) + ((None,) if len(item) == 4 else ())
        raw = [encode_id(v, what) for v, what in zip(
            fields[:4], ("source twin id", "relationship id", "relationship name",
                         "target twin id"))]
        members, n = values.members_to_c(fields[4], keep)
        keep += raw
        out.source_id, out.id, out.name, out.target_id = raw
        out.properties, out.property_count = members, n

    def _signal(self, item, out, keep) -> None:
        from .ingest import _signal_options
        if isinstance(item, Mapping):
            item = LoadedSignal(**item)
        if not isinstance(item, LoadedSignal):
            raise TypeError(f"a loaded signal is a LoadedSignal or a dict, "
                            f"not {type(item).__name__}")
        tid, name = encode_id(item.twin, "twin id"), encode_id(item.name, "signal name")
        so = _signal_options(item.unit or None, item.order, item.window_us, item.history,
                             item.alarm_low, item.alarm_high, item.health_step, keep)
        keep += [tid, name, so]
        out.twin_id, out.name = tid, name
        out.options = ctypes.pointer(so)
        if item.latest is not None:
            t, v = item.latest
            out.has_latest = 1
            out.latest_t_us, out.latest_value = int(t), float(v)
        opts, state = item.health_options, item.health
        if isinstance(state, Health):
            if opts is None:
                opts = state.options
            state = state.to_bytes()
        if opts is None:
            if state is not None:
                raise errors.InvalidArgument(
                    f"signal '{item.name}': a health state needs its health_options")
            return
        if not isinstance(opts, HealthOptions):
            raise TypeError("health_options must be a HealthOptions")
        self.models.append(opts)
        out.health_options = ctypes.pointer(opts._c)
        keep.append(opts)
        if state is not None:
            data = bytes(state)
            if len(data) != Health.SIZE:
                raise errors.InvalidArgument(
                    f"signal '{item.name}': a health state is {Health.SIZE} bytes, "
                    f"not {len(data)}")
            h = _ffi.twin_health.from_buffer_copy(data)
            keep.append(h)
            out.health = ctypes.pointer(h)
        out.health_t0_us = int(item.health_t0_us)


def store_load(graph: Graph, loader: Any, ingest=None) -> None:
    """Rebuild ``graph`` (and the signals of ``ingest``, an
    :class:`~libtwin.Ingest` over it) from what a store holds
    (``twin_store_load``), at start-up.

    ``loader`` is an object (or dict) with any of ``twins``,
    ``relationships`` and ``signals``: each an iterable, or a function
    returning one, consumed in that order:

    - twins: ``(twin_id, model)`` or ``(twin_id, model, properties)``;
    - relationships: :class:`~libtwin.Relationship` objects, or
      ``(source, rel_id, name, target[, properties])``;
    - signals (skipped without ``ingest``): :class:`LoadedSignal` objects
      (or dicts of their fields), each of a twin loaded before.

    Each is added as the graph and ingest functions would (the graph's
    validator checks them). The new state replaces the graph's (and the
    ingest handle's) only when everything loaded: on any failure (a
    malformed item, an exception the loader raised, which is re-raised
    here, a twin the validator refuses) nothing changes. Nothing is queued
    for the store; the ingest handle's store must have nothing unconfirmed
    (:class:`~libtwin.errors.Busy` otherwise). Signals get new handles:
    resolve them again.
    """
    if not isinstance(graph, Graph):
        raise TypeError(f"store_load needs a Graph, not {type(graph).__name__}")
    adapter = _Loader(loader)
    with graph._lock:
        gp = graph._handle()
        ing = None
        if ingest is not None:
            if ingest.graph is not graph:
                raise errors.InvalidArgument("the ingest handle is over another graph")
            ing = ingest._handle()
            store = ingest.store
            if ingest._running or (store is not None and store._running):
                raise errors.InvalidState("cannot load from inside an ingest or store callback")
        if graph._busy or graph._hooks.readonly:
            raise errors.InvalidArgument("cannot load a graph from inside one of its calls")
        outer, graph._hooks.readonly = graph._hooks.readonly, "a loader must not modify the graph"
        graph._busy += 1
        if ingest is not None:
            ingest._running = True
        failure = None
        try:
            with _health._Collect() as models:
                _ffi.twin_store_load(gp, ing, ctypes.byref(adapter.table))
        except errors.TwinError as e:
            failure = e
        finally:
            graph._busy -= 1
            graph._hooks.readonly = outer
            graph._version += 1
            if ingest is not None:
                ingest._running = False
                for opts in adapter.models:
                    ingest._keep_model(opts)
        validator = graph._hooks.take()
        for exc in (adapter.error, validator, models.error, failure):
            if exc is not None:
                raise exc


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
            with _health._Collect() as models:  # a user model's init runs again
                _ffi.twin_snapshot_restore(graph._handle(), ing, fn, None)
            if models.error is not None:  # pragma: no cover - a failing init fails the restore
                raise models.error
        except errors.TwinError as e:
            if models.error is not None:
                raise models.error from None
            # the graph's last error says what was wrong (and, for a parse error, where)
            rec = _ffi.twin_graph_last_error(graph._handle()).contents
            if rec.status != e.status or not rec.message:
                raise
            raise errors.from_status(e.status, rec.message.decode("utf-8", "replace")) from None
        finally:
            graph._version += 1


__all__ = ["Store", "StoreSignal", "StoreStats", "SampleBatch", "LoadedSignal", "store_load",
           "snapshot_save", "snapshot_restore"]
