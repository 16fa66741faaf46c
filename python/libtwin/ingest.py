"""Ingest: samples in, checked, converted and applied to the twins (ingest.h).

    >>> import libtwin
    >>> g = libtwin.Graph()
    >>> g.add_twin("motor-C", "dtmi:factory:Motor;1")
    >>> ing = libtwin.Ingest(g)
    >>> sig = ing.add_signal("motor-C", "temperature", unit="degreeCelsius")
    >>> out = ing.write_signals(sig, [1_000_000, 2_000_000], [40.5, 41.0])
    >>> [libtwin.Outcome(o).name for o in out]
    ['ACCEPTED', 'ACCEPTED']

Batches cross to C as one array, built without a Python loop per sample:
a numpy structured array when the caller passes numpy arrays (numpy is never
imported by this module: it is used when the caller has imported it), else
``array.array`` columns interleaved by slice assignment. Outcomes come back
as one byte per sample (``bytes``, or a numpy ``uint8`` array on the numpy
path); :class:`Outcome` names the codes and :func:`outcome_counts` counts them.

An :class:`Ingest` keeps its graph (and store) alive; closing the graph or
the store closes it first. Its event callback runs inside the write calls:
an exception raised there is kept (the library's callback returns nothing,
so ingest goes on; the callback is not called again during that call) and
re-raised when the write call returns, with the call's ``outcomes`` and
``done`` set on it. The same holds for an exception in a :class:`Store`
callback delivering what the call accepted: the records stay in the outbox.
"""

from __future__ import annotations

import ctypes
import enum
import math
import sys
import weakref
from array import array
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from . import _ffi, errors
from . import health as _health
from ._handle import Handle
from .graph import Graph
from .health import Health, HealthModel, HealthOptions
from .values import decode, encode_id

_READONLY = "ingest event and store callbacks must not modify the graph"


class Outcome(enum.IntEnum):
    """What became of one sample (``twin_ingest_outcome``)."""

    ACCEPTED = 0
    ACCEPTED_LATE = 1
    DUPLICATE = 2
    UNKNOWN_TWIN = 3
    UNKNOWN_SIGNAL = 4
    NOT_FINITE = 5
    BAD_UNIT = 6
    OUT_OF_ORDER = 7
    CONFLICT = 8
    NOT_PROCESSED = 9


class Order(enum.IntEnum):
    """What a signal does with a sample older than its latest (``twin_ingest_order``)."""

    REJECT = 1
    WINDOW = 2


class EventFlag(enum.IntFlag):
    """Flags of an :class:`IngestEvent` (``twin_ingest_event_flag``)."""

    DIVERGED = 1
    CLEARED = 2
    RECALIBRATED = 4
    THRESHOLD = 8
    HEALTH_CHANGED = 16
    HEALTH_ERROR = 32


@dataclass(frozen=True)
class IngestEvent:
    """What one accepted sample caused (``twin_ingest_event``)."""

    flags: EventFlag
    signal: int
    t_us: int
    value: float
    predicted: float
    error: float
    mean_before: tuple[float, float]
    mean_after: tuple[float, float]
    recalibrations: int
    health: float
    diverged: bool
    zone: int

    @classmethod
    def _from_c(cls, e: _ffi.twin_ingest_event) -> "IngestEvent":
        return cls(EventFlag(e.flags), e.signal, e.t_us, e.value, e.predicted, e.error,
                   tuple(e.mean_before), tuple(e.mean_after), e.recalibrations, e.health,
                   bool(e.diverged), e.zone)


@dataclass(frozen=True)
class IngestStats:
    """Counters of a signal or of the whole handle (``twin_ingest_stats``)."""

    outcomes: dict
    health_errors: int
    events: int
    signals: int

    @property
    def accepted(self) -> int:
        return self.outcomes[Outcome.ACCEPTED] + self.outcomes[Outcome.ACCEPTED_LATE]


@dataclass(frozen=True)
class SourceInfo:
    """A source's estimate in use (None without one: too few pairs) and its
    counters (``twin_ingest_source_info``)."""
    name: str
    estimated: bool
    t_us: int | None
    offset_us: int | None
    skew_ppm: float | None
    offset_uncertainty_us: float
    skew_uncertainty_ppm: float
    out_of_tolerance: bool
    signals: int
    pairs: int
    pairs_refused: int
    corrected: int
    uncorrected: int
    out_of_tolerance_samples: int


@dataclass(frozen=True)
class SourceCorrection:
    """A signal's source (None: none) and how its latest sample's timestamp
    was corrected (``twin_ingest_correction``); times None before a sample."""
    source: int | None
    source_t_us: int | None
    t_us: int | None
    uncertainty_us: float
    out_of_tolerance: bool
    uncorrected: bool


def outcome_counts(outcomes) -> dict:
    """{Outcome: count} of a write's outcomes (bytes or a numpy array), every
    code present (0 when absent)."""
    np = sys.modules.get("numpy")
    if np is not None and isinstance(outcomes, np.ndarray):
        counts = np.bincount(outcomes.astype(np.intp), minlength=len(Outcome))
        return {o: int(counts[o]) for o in Outcome}
    data = bytes(outcomes)
    return {o: data.count(o) for o in Outcome}


# ---- batches ------------------------------------------------------------------------

_SLOTS = ctypes.sizeof(_ffi.twin_signal_sample) // 8
assert _SLOTS * 8 == ctypes.sizeof(_ffi.twin_signal_sample) == 24


def _numpy_for(*columns):
    """numpy, if the caller imported it and passed at least one ndarray."""
    np = sys.modules.get("numpy")
    if np is not None and any(isinstance(c, np.ndarray) for c in columns):
        return np
    return None


def _bits(col, code: str) -> array:
    """A column as 64-bit words: array(code, col) reinterpreted as 'Q'."""
    a = col if isinstance(col, array) and col.typecode == code else array(code, col)
    out = array("Q")
    out.frombytes(a.tobytes())
    return out


def _length(*cols) -> int:
    n = len(cols[0])
    for c in cols[1:]:
        if len(c) != n:
            raise errors.InvalidArgument("the columns of a batch differ in length")
    return n


class _SignalBatch:
    """``twin_signal_sample`` records in one buffer, and a buffer for the outcomes."""

    def __init__(self, handles, t_us, values):
        np = _numpy_for(handles, t_us, values)
        scalar = isinstance(handles, int) or (np is not None and np.isscalar(handles))
        n = _length(t_us, values) if scalar else _length(handles, t_us, values)
        self.n = n
        if np is not None:
            rec = np.empty(n, dtype=[("signal", "<u8"), ("t_us", "<i8"), ("value", "<f8")])
            rec["signal"] = handles
            rec["t_us"] = t_us
            rec["value"] = values
            self._keep = rec
            self.ptr = rec.ctypes.data if n else None
            self.outcomes = np.full(n, Outcome.NOT_PROCESSED, dtype=np.uint8)
            self.out_ptr = self.outcomes.ctypes.data if n else None
            self.numpy = True
            return
        words = array("Q", bytes(8 * _SLOTS * n))
        words[0::_SLOTS] = array("Q", [int(handles)]) * n if scalar else array("Q", handles)
        words[1::_SLOTS] = _bits(t_us, "q")
        words[2::_SLOTS] = _bits(values, "d")
        self._keep = words
        self.ptr = words.buffer_info()[0] if n else None
        self._out = bytearray([Outcome.NOT_PROCESSED]) * n
        self.out_ptr = (ctypes.addressof((ctypes.c_uint8 * n).from_buffer(self._out))
                        if n else None)
        self.numpy = False

    def result(self):
        return self.outcomes if self.numpy else bytes(self._out)


class _NamedBatch:
    """``twin_sample`` records (5 words each) over interned UTF-8 names."""

    def __init__(self, samples):
        rows = samples if isinstance(samples, (list, tuple)) else list(samples)
        n = len(rows)
        widths = set(map(len, rows))
        if not widths <= {4, 5}:
            raise errors.InvalidArgument(
                "a sample is (twin, signal, t_us, value) or (twin, signal, t_us, value, unit)")
        if widths == {4, 5}:
            rows = [r if len(r) == 5 else (*r, None) for r in rows]
        cols = list(zip(*rows)) if n else [(), (), (), ()]
        twins, signals, t_us, values = cols[:4]
        units = cols[4] if len(cols) > 4 else None
        self._strings: list = []
        slots = ctypes.sizeof(_ffi.twin_sample) // 8
        assert slots == 5
        words = array("Q", bytes(8 * slots * n))
        words[0::slots] = self._pointers(twins, "twin id")
        words[1::slots] = self._pointers(signals, "signal name")
        words[2::slots] = _bits(t_us, "q")
        words[3::slots] = _bits(values, "d")
        if units is not None:
            words[4::slots] = self._pointers(units, "unit", none_ok=True)
        self.n = n
        self._keep = words
        self.ptr = words.buffer_info()[0] if n else None
        self._out = bytearray([Outcome.NOT_PROCESSED]) * n
        self.out_ptr = (ctypes.addressof((ctypes.c_uint8 * n).from_buffer(self._out))
                        if n else None)

    def _pointers(self, col, what: str, none_ok: bool = False) -> array:
        addr = {}
        for text in set(col):
            if text is None or (none_ok and text == ""):
                if not none_ok:
                    raise TypeError(f"{what} must be str, not None")
                addr[text] = 0
                continue
            raw = ctypes.create_string_buffer(encode_id(text, what))
            self._strings.append(raw)
            addr[text] = ctypes.addressof(raw)
        return array("Q", map(addr.__getitem__, col))

    def result(self):
        return bytes(self._out)


# ---- the handle ---------------------------------------------------------------------


def _signal_options(unit, order, window_us, history, alarm_low, alarm_high, health_step,
                    keep: list):
    o = _ffi.twin_signal_options()
    _ffi.twin_signal_options_init_(ctypes.byref(o), ctypes.sizeof(o))
    if unit is not None:
        raw = encode_id(unit, "unit")
        keep.append(raw)
        o.unit = raw
    if isinstance(order, str):
        try:
            order = Order[order.upper()]
        except KeyError:
            raise errors.InvalidArgument(f"order must be 'reject' or 'window', not {order!r}") \
                from None
    o.order = int(order)
    o.reorder_window_us = int(window_us)
    o.history = int(history)
    o.alarm_low = math.nan if alarm_low is None else float(alarm_low)
    o.alarm_high = math.nan if alarm_high is None else float(alarm_high)
    o.health_step = float(health_step)
    return o


def _destroy_ingest(ptr, keep, hooks) -> None:
    # hooks: what must let go of the handle first (a SqliteStore bound to it);
    # keep: the CFUNCTYPEs, tables and objects C held, alive until now.
    for hook in hooks:
        hook()
    _ffi.twin_ingest_destroy(ptr)


def _resolver_status(e: BaseException) -> int:
    if isinstance(e, errors.TwinError) and e.status < 0:
        return e.status
    return errors.E_IO


class Ingest(Handle):
    """An ingest handle (``twin_ingest``) over a :class:`Graph`.

    - ``store``: a :class:`~libtwin.Store` over the same graph that receives
      accepted samples, signals and health states (one ingest per store).
    - ``on_event(event)``: called with an :class:`IngestEvent` for each
      accepted sample that moved a health model, crossed an alarm threshold
      or changed health band. It must not write to the graph, the ingest
      handle or its store.
    - ``models``: a resolved :class:`~libtwin.Models`; signals not declared
      are then found in the twins' DTDL models (numeric Telemetry and
      Properties, with their units), and the model set is kept alive.
    - ``resolver(twin, model, signal)``: finds signals that are not
      declared, in place of ``models`` (give one or the other). Called with
      the twin's identifier, its model identifier and the signal's name the
      first time a sample or :meth:`resolve` names the signal; it returns
      the signal's DTDL unit name (``""`` for a signal without unit) to
      declare it, or None when the twin has no such signal (raising
      :class:`~libtwin.errors.NotFound` says the same). A unit that is not a
      DTDL unit makes the signal unknown. Any other exception ends the
      write (or resolve) call that asked, as the library does with a
      resolver's failure, and is re-raised by it, with ``outcomes`` and
      ``done`` set on it for writes.
    - ``user_model``: the :class:`~libtwin.HealthModel` given to
      user-model health states that :func:`~libtwin.snapshot_restore` or a
      store load brings back (the handle keeps it alive).
    - ``signal_capacity``, ``twin_capacity``: room reserved at creation.
    """

    _what = "ingest handle"

    def __init__(self, graph: Graph, store=None, on_event: Callable | None = None, *,
                 models=None, resolver: Callable | None = None,
                 user_model: HealthModel | None = None, signal_capacity: int = 0,
                 twin_capacity: int = 0):
        if not isinstance(graph, Graph):
            raise TypeError(f"Ingest needs a Graph, not {type(graph).__name__}")
        if on_event is not None and not callable(on_event):
            raise TypeError("on_event must be callable")
        if resolver is not None and not callable(resolver):
            raise TypeError("resolver must be callable")
        if resolver is not None and models is not None:
            raise errors.InvalidArgument("give models or a resolver, not both")
        if user_model is not None and not isinstance(user_model, HealthModel):
            raise TypeError(f"user_model must be a HealthModel, not {type(user_model).__name__}")
        self._error: BaseException | None = None
        self._running = False
        self._resolver_error: BaseException | None = None
        self._unit = None  # the unit the resolver returned last, until C copies it
        o = _ffi.twin_ingest_options()
        _ffi.twin_ingest_options_init_(ctypes.byref(o), ctypes.sizeof(o))
        keep: list = []
        hooks: list = []
        if on_event is not None:
            fn = _ffi.INGEST_EVENT_FN(self._event_fn(on_event))
            keep.append(fn)
            o.on_event = fn
        if store is not None:
            from .storage import Store
            if not isinstance(store, Store):
                raise TypeError(f"store must be a Store, not {type(store).__name__}")
            if store.graph is not graph:
                raise errors.InvalidArgument("the store serves another graph")
            o.store = store._handle()
        if models is not None:
            resolver = _ffi.twin_ingest_resolver()
            resolver.size = ctypes.sizeof(resolver)
            _ffi.twin_ingest_resolver_from_models(models._handle(), ctypes.byref(resolver))
            keep += [resolver, models]
            o.resolver = ctypes.pointer(resolver)
        elif resolver is not None:
            table = _ffi.twin_ingest_resolver()
            table.size = ctypes.sizeof(table)
            fn = _ffi.INGEST_RESOLVE_FN(self._resolver_fn(resolver))
            table.resolve = fn
            keep += [table, fn]  # copied by twin_ingest_create; fn stays called
            o.resolver = ctypes.pointer(table)
        if user_model is not None:
            o.user_model = ctypes.pointer(user_model._table())
            keep.append(user_model)
        o.signal_capacity = int(signal_capacity)
        o.twin_capacity = int(twin_capacity)
        ptr = ctypes.c_void_p()
        with graph._lock:
            _ffi.twin_ingest_create(ctypes.byref(ptr), graph._handle(), ctypes.byref(o))
            self._graph = graph
            self._store = store
            self._ptr = ptr.value
            self._keep = keep
            self._hooks = hooks
            self._fin = weakref.finalize(self, _destroy_ingest, ptr.value, keep, hooks)
            graph._children.add(self)
            if store is not None:
                store._ingest = weakref.ref(self)

    def _event_fn(self, on_event):
        ref = weakref.ref(self)  # the finalizer holds this function: no cycle through it

        def event(_ud, ev):
            self = ref()
            if self is None:  # pragma: no cover - C calls it inside the handle's calls
                return
            if self._error is not None:
                return
            try:
                on_event(IngestEvent._from_c(ev.contents))
            except BaseException as e:  # noqa: BLE001 - re-raised after the call
                self._error = e
        return event

    def _resolver_fn(self, resolver):
        ref = weakref.ref(self)  # the finalizer holds this function: no cycle through it

        def resolve(_ud, twin, model, signal, unit_out):
            self = ref()
            if self is None:  # pragma: no cover - C calls it inside the handle's calls
                return errors.E_STATE
            if self._resolver_error is not None:  # pragma: no cover - the call has ended
                return _resolver_status(self._resolver_error)
            try:
                unit = resolver(decode(twin), decode(model), decode(signal))
                if unit is None:
                    return errors.E_NOTFOUND
                if not isinstance(unit, str):
                    raise TypeError(f"a resolver returns a unit (str) or None, "
                                    f"not {type(unit).__name__}")
                raw = encode_id(unit, "unit") if unit else None
            except errors.NotFound:
                return errors.E_NOTFOUND
            except BaseException as e:  # noqa: BLE001 - re-raised after the call
                self._resolver_error = e
                return _resolver_status(e)
            self._unit = raw  # C copies it once the callback returns
            unit_out[0] = raw
            return errors.OK
        return resolve

    def _keep_model(self, options: HealthOptions) -> None:
        """Keep alive the user model of options the handle now holds."""
        model = options._user
        if model is not None and not any(x is model for x in self._keep):
            self._keep.append(model)

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def store(self):
        return self._store

    def close(self) -> None:
        """Destroy the handle (its signals, latest values, health states). Idempotent."""
        with self._graph._lock:
            if self._ptr is None:
                return
            if self._running:
                raise errors.InvalidArgument("cannot close an Ingest from inside its callbacks")
            self._fin()
            self._ptr = None
            self._keep, self._hooks = [], []  # what C held may go now

    # ---- calling C -----------------------------------------------------------------

    def _call(self, fn, *args, batch=None, done=None):
        """Run a call that may run callbacks: the graph locked and read-only
        to them, their first exception re-raised after it."""
        graph = self._graph
        with graph._lock:
            ptr = self._handle()
            graph._handle()
            if self._running or (self._store is not None and self._store._running):
                raise errors.InvalidState("an ingest or store callback must not call the "
                                          "ingest handle's or store's writing functions")
            outer, graph._hooks.readonly = graph._hooks.readonly, _READONLY
            self._running = True
            if self._store is not None:
                self._store._running = True
            graph._busy += 1
            failure = None
            try:
                with _health._Collect() as models:
                    rc = fn(ptr, *args)
            except errors.TwinError as e:
                failure = e
            finally:
                graph._busy -= 1
                graph._hooks.readonly = outer
                self._running = False
                if self._store is not None:
                    self._store._running = False
            raised, self._error = self._error, None
            resolver_raised, self._resolver_error = self._resolver_error, None
            if raised is None:
                raised = resolver_raised if resolver_raised is not None else models.error
            if self._store is not None:
                store_raised = self._store._take()
                raised = raised if raised is not None else store_raised
            for exc in (raised, failure):
                if exc is not None and batch is not None:
                    try:
                        exc.outcomes = batch.result()
                        exc.done = done.value
                    except AttributeError:
                        pass
            if raised is not None:
                raise raised
            if failure is not None:
                raise failure
            return rc

    def _read(self, fn, *args):
        with self._graph._lock:
            return fn(self._handle(), *args)

    # ---- signals -------------------------------------------------------------------

    def add_signal(self, twin: str, signal: str, unit: str | None = None, *,
                   order: Order | str = Order.REJECT, window_us: int = 0, history: int = 0,
                   alarm_low: float | None = None, alarm_high: float | None = None,
                   health_step: float = 0.0) -> int:
        """Declare a signal of a twin and return its handle (an int, never 0).

        ``order``: ``'reject'`` refuses samples older than the latest;
        ``'window'`` accepts them into history when at most ``window_us``
        older (it needs ``history`` >= 1: the accepted samples remembered to
        recognise duplicates). ``alarm_low``/``alarm_high``: thresholds;
        ``health_step``: width of a health band for HEALTH_CHANGED events
        (0: none)."""
        keep: list = []
        o = _signal_options(unit, order, window_us, history, alarm_low, alarm_high,
                            health_step, keep)
        out = ctypes.c_uint64()
        self._call(_ffi.twin_ingest_add_signal, encode_id(twin, "twin id"),
                   encode_id(signal, "signal name"), ctypes.byref(o), ctypes.byref(out))
        return out.value

    def set_signal_options(self, signal: int, *, order: Order | str = Order.REJECT,
                           window_us: int = 0, history: int = 0,
                           alarm_low: float | None = None, alarm_high: float | None = None,
                           health_step: float = 0.0) -> None:
        """Replace a signal's order policy, window, history, alarms and health step."""
        keep: list = []
        o = _signal_options(None, order, window_us, history, alarm_low, alarm_high,
                            health_step, keep)
        self._call(_ffi.twin_ingest_set_signal_options, int(signal), ctypes.byref(o))

    def resolve(self, twin: str, signal: str, unit: str | None = None) -> int:
        """The handle of a signal for samples in ``unit`` (None: the signal's
        own), declaring it through the models if it is not declared yet."""
        out = ctypes.c_uint64()
        self._call(_ffi.twin_ingest_resolve, encode_id(twin, "twin id"),
                   encode_id(signal, "signal name"),
                   None if unit is None else encode_id(unit, "unit"), ctypes.byref(out))
        return out.value

    def signal_info(self, signal: int) -> tuple[str, str, str]:
        """(twin, name, unit) of a signal; unit "" for none."""
        t, n, u = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_char_p()
        self._read(_ffi.twin_ingest_signal_info, int(signal), ctypes.byref(t),
                   ctypes.byref(n), ctypes.byref(u))
        return decode(t.value), decode(n.value), decode(u.value)

    def signals(self) -> Iterator[int]:
        """The handles of the live signals, in declaration order."""
        with self._graph._lock:
            ptr = self._handle()
            cursor, sig, out = ctypes.c_uint64(0), ctypes.c_uint64(), []
            while _ffi.twin_ingest_signals_next(ptr, ctypes.byref(cursor),
                                                ctypes.byref(sig)) == errors.OK:
                out.append(sig.value)
        return iter(out)

    def __len__(self) -> int:
        with self._graph._lock:
            return _ffi.twin_ingest_signal_count(self._handle())

    def remove_twin(self, twin: str) -> None:
        """Remove every signal of a twin (their handles become stale)."""
        self._call(_ffi.twin_ingest_remove_twin, encode_id(twin, "twin id"))

    # ---- health --------------------------------------------------------------------

    def attach_health(self, signal: int, options: HealthOptions, t0_us: int = 0) -> None:
        """Run a health model on the signal's accepted samples from ``t0_us``
        (a user model's :class:`~libtwin.HealthModel` is kept alive by the
        handle from then on)."""
        if not isinstance(options, HealthOptions):
            raise TypeError("options must be a HealthOptions")
        with self._graph._lock:
            self._handle()
            self._keep_model(options)  # before: C may hold the table even if a callback raises
        self._call(_ffi.twin_ingest_attach_health, int(signal), ctypes.byref(options._c),
                   int(t0_us))

    def detach_health(self, signal: int) -> None:
        """Stop running the signal's health model (and forget its state)."""
        self._call(_ffi.twin_ingest_detach_health, int(signal))

    def get_health(self, signal: int) -> Health:
        """A copy of the signal's health state, with the options it runs with
        (NotFound when it has none)."""
        state, c = _ffi.twin_health(), _ffi.twin_health_options()
        c.size = ctypes.sizeof(c)
        self._read(_ffi.twin_ingest_get_health, int(signal), ctypes.byref(state),
                   ctypes.byref(c))
        return Health.from_bytes(HealthOptions._from_c(c),
                                 ctypes.string_at(ctypes.addressof(state), Health.SIZE))

    # ---- samples -------------------------------------------------------------------

    def write_signals(self, signals, t_us, values):
        """Ingest samples by handle: ``signals`` (one handle, or one per
        sample), ``t_us`` (microseconds since the epoch) and ``values`` (in
        the handle's unit) as numpy arrays, ``array.array``, ctypes arrays or
        sequences. Returns one :class:`Outcome` code per sample (``bytes``,
        or a numpy ``uint8`` array when numpy arrays were passed).

        When the store's outbox is full the call stops: :class:`~libtwin.errors.Busy`
        is raised with ``done`` and ``outcomes`` (NOT_PROCESSED from ``done`` on)."""
        batch = _SignalBatch(signals, t_us, values)
        done = ctypes.c_size_t(0)
        self._call(_ffi.twin_ingest_write_signals_, batch.ptr, batch.n,
                   ctypes.sizeof(_ffi.twin_signal_sample), batch.out_ptr, ctypes.byref(done),
                   batch=batch, done=done)
        return batch.result()

    def write(self, samples: Iterable[tuple]) -> bytes:
        """Ingest samples by name: each ``(twin, signal, t_us, value)`` or
        ``(twin, signal, t_us, value, unit)``. Names are encoded once per
        distinct name. Returns one :class:`Outcome` code per sample (bytes);
        a full outbox raises :class:`~libtwin.errors.Busy` as write_signals()."""
        batch = _NamedBatch(samples)
        done = ctypes.c_size_t(0)
        self._call(_ffi.twin_ingest_write_, batch.ptr, batch.n,
                   ctypes.sizeof(_ffi.twin_sample), batch.out_ptr, ctypes.byref(done),
                   batch=batch, done=done)
        return batch.result()

    def latest(self, signal: int) -> tuple[int, float]:
        """(t_us, value) of the signal's latest accepted sample (NotFound if none)."""
        t, v = ctypes.c_int64(), ctypes.c_double()
        self._read(_ffi.twin_ingest_get_latest, int(signal), ctypes.byref(t), ctypes.byref(v))
        return t.value, v.value

    def stats(self, signal: int = 0) -> IngestStats:
        """Counters of one signal, or (0) of the whole handle."""
        s = _ffi.twin_ingest_stats()
        s.size = ctypes.sizeof(s)
        self._read(_ffi.twin_ingest_get_stats, int(signal), ctypes.byref(s))
        return IngestStats({o: s.outcomes[o] for o in Outcome}, s.health_errors, s.events,
                           s.signals)

    # ---- history: state at an instant, buckets (1.5) -----------------------------

    def history(self, signal: int) -> tuple[list[tuple[int, float]], int | None]:
        """The signal's known samples ``[(t_us, value)]`` sorted by time, and the
        instant from which they are complete (None: since the first)."""
        n, cf = ctypes.c_size_t(), ctypes.c_int64()
        cap = 257  # TWIN_INGEST_HISTORY_MAX + 1: always room
        t, v = (ctypes.c_int64 * cap)(), (ctypes.c_double * cap)()
        self._read(_ffi.twin_ingest_get_history, int(signal), t, v, cap, ctypes.byref(n),
                   ctypes.byref(cf))
        samples = [(t[i], v[i]) for i in range(n.value)]
        return samples, (None if cf.value == -(1 << 63) else cf.value)

    def state_at(self, signals: Iterable[int], at_us: int, *, policy="previous",
                 tolerance_us: int | None = None, mark: bool = False):
        """The state of ``signals`` at ``at_us``: one :class:`libtwin.series.SeriesValue`
        each. A consistent read: raises :class:`libtwin.LimitExceeded` when a
        signal's data does not cover the instant, unless ``mark``."""
        from . import series
        sigs = [int(s) for s in signals]
        arr = (ctypes.c_uint64 * max(len(sigs), 1))(*sigs)
        out = (_ffi.twin_series_value * max(len(sigs), 1))()
        err = _ffi.twin_error()
        o = series._options(policy, tolerance_us, mark)
        self._read(_ffi.twin_ingest_state_at, arr, len(sigs), int(at_us), ctypes.byref(o), out,
                   ctypes.pointer(err))
        return [series._value(out[i]) for i in range(len(sigs))]

    def resample(self, signal: int, start_us: int, width_us: int, nbuckets: int):
        """Buckets of the signal's known samples (:class:`libtwin.series.Bucket`)."""
        from . import series
        out = (_ffi.twin_series_bucket * max(nbuckets, 1))()
        err = _ffi.twin_error()
        self._read(_ffi.twin_ingest_resample, int(signal), int(start_us), int(width_us),
                   nbuckets, out, ctypes.pointer(err))
        return [series._bucket(out[i]) for i in range(nbuckets)]

    # ---- sources and their clocks (1.6; put_sources 1.7) ---------------------------

    def add_source(self, name: str, kind="estimated", **options) -> int:
        """Declare a source (whatever stamps samples) with a clock model of its
        own; options as :class:`libtwin.Clock`'s (``tolerance_offset_us``,
        ``offset_us`` for a known offset, ...). Returns its handle."""
        from .clock import _options
        o = _options(kind, options)
        out = ctypes.c_uint32()
        self._call(_ffi.twin_ingest_add_source, encode_id(name, "source name"), ctypes.byref(o),
                   ctypes.byref(out))
        return out.value

    def find_source(self, name: str) -> int | None:
        """The source of this name, or None."""
        out = ctypes.c_uint32()
        try:
            self._read(_ffi.twin_ingest_find_source, encode_id(name, "source name"),
                       ctypes.byref(out))
        except errors.NotFound:
            return None
        return out.value

    def sources(self) -> Iterator[int]:
        """The sources, in declaration order."""
        cur, out = ctypes.c_uint64(), ctypes.c_uint32()
        while self._read(_ffi.twin_ingest_sources_next, ctypes.byref(cur),
                         ctypes.byref(out)) == 0:
            yield out.value

    def set_signal_source(self, signal: int, source: int | None) -> None:
        """Give a signal a source (its timestamps are corrected from its next
        sample on), or take it away (None)."""
        self._call(_ffi.twin_ingest_set_signal_source, int(signal), int(source or 0))

    def signal_source(self, signal: int) -> SourceCorrection:
        """A signal's source and how its latest sample was corrected."""
        c = _ffi.twin_ingest_correction(size=ctypes.sizeof(_ffi.twin_ingest_correction))
        self._read(_ffi.twin_ingest_signal_source, int(signal), ctypes.byref(c))
        return SourceCorrection(c.source or None,
                                None if c.source_t_us == -(1 << 63) else c.source_t_us,
                                None if c.t_us == -(1 << 63) else c.t_us, c.uncertainty_us,
                                bool(c.flags & _ffi.INGEST_EVENT_CLOCK_OUT_OF_TOLERANCE),
                                bool(c.flags & _ffi.INGEST_EVENT_CLOCK_UNCORRECTED))

    def observe_source(self, source: int, source_us: int, receive_us: int) -> None:
        """Hand a source's clock one pair (its timestamp of a sample, the host's
        receive time); bad input raises and leaves the estimate as it was."""
        from .series import _finite_time
        self._call(_ffi.twin_ingest_observe_source, int(source), _finite_time(source_us),
                   _finite_time(receive_us))

    def set_source_clock(self, source: int, clock) -> None:
        """Replace a source's clock model by a copy of ``clock`` (a :class:`libtwin.Clock`)."""
        self._call(_ffi.twin_ingest_set_source_clock, int(source), ctypes.byref(clock._c))

    def source_clock(self, source: int):
        """A copy of the source's clock model (a :class:`libtwin.Clock`)."""
        from .clock import Clock
        raw = _ffi.twin_clock()
        self._read(_ffi.twin_ingest_get_source, int(source), None, ctypes.byref(raw))
        return Clock._from_c(raw)

    def source_info(self, source: int) -> SourceInfo:
        """A source's estimate in use and its counters."""
        i = _ffi.twin_ingest_source_info(size=ctypes.sizeof(_ffi.twin_ingest_source_info))
        self._read(_ffi.twin_ingest_get_source, int(source), ctypes.byref(i), None)
        est = bool(i.estimated)
        return SourceInfo(i.name.decode(), est, None if not est else i.t_us,
                          i.offset_us if est else None, i.skew_ppm if est else None,
                          i.offset_uncertainty_us, i.skew_uncertainty_ppm,
                          bool(i.clock_flags & _ffi.CLOCK_OUT_OF_TOLERANCE), i.signals, i.pairs,
                          i.pairs_refused, i.corrected, i.uncorrected, i.out_of_tolerance)

    def put_sources(self, clocks: dict) -> None:
        """Declare or replace many sources at once, all or nothing
        (``twin_ingest_put_sources``, libtwin 1.7): ``{name: Clock}``."""
        items = list(clocks.items())
        names = (ctypes.c_char_p * max(len(items), 1))(*[encode_id(n, "source name") for n, _ in items])
        arr = (_ffi.twin_clock * max(len(items), 1))(*[c._c for _, c in items])
        self._call(_ffi.twin_ingest_put_sources, names, arr, len(items))

    def __repr__(self) -> str:
        state = "closed" if self._ptr is None else f"{len(self)} signals"
        return f"<libtwin.Ingest {state}>"


__all__ = ["Ingest", "Outcome", "Order", "EventFlag", "IngestEvent", "IngestStats",
           "SourceInfo", "SourceCorrection", "outcome_counts"]
