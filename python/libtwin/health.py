"""Health of a signal: degradation models, divergence, recalibration, RUL (health.h).

    >>> import math, libtwin
    >>> day = 86400.0
    >>> opts = libtwin.HealthOptions(prior_mean=(math.log(0.12), 0.003 / day),
    ...                              prior_cov=(1e-10, 0, 0, 1e-10 * (0.003 / day) ** 2))
    >>> h = libtwin.Health(opts, t0_us=0)
    >>> round(h.time_to(0.5) / day, 1)
    475.7

A :class:`Health` is plain data (the C state is 192 bytes with no
pointers): it owns no C resource, needs no ``close()``, and
:meth:`Health.to_bytes` / :meth:`Health.from_bytes` save and restore it bit
for bit. Its :class:`HealthOptions` (shared by many signals) is passed to
the library on every call, as in C.

A user-defined degradation model is a :class:`HealthModel` (a subclass, or
one built from callables) given as ``HealthOptions(model=my_model)``: its
``init``, ``predict`` and ``update`` methods are the callbacks of the C
model table. An exception raised in one of them never reaches the library:
the callback returns what the library expects of a failure (a negative
status, or NaN from ``predict``), and the exception is raised again by the
Python call during which it happened (:meth:`Health.update`,
:meth:`Ingest.write <libtwin.Ingest.write>`, ...) once that call returns.
"""

from __future__ import annotations

import ctypes
import math
import struct
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from . import _ffi, errors

_MODELS = {"exponential": _ffi.HEALTH_EXPONENTIAL, "linear": _ffi.HEALTH_LINEAR,
           "user": _ffi.HEALTH_USER}
_RECAL = {"none": _ffi.HEALTH_RECAL_NONE, "ema": _ffi.HEALTH_RECAL_EMA,
          "kalman": _ffi.HEALTH_RECAL_KALMAN}


def _err():
    return ctypes.pointer(_ffi.twin_error())


# ---- user-defined models ------------------------------------------------------------

# The first exception raised by a HealthModel callback during the C call
# running on this thread (callbacks run on the thread that called the library).
_tls = threading.local()


class _Collect:
    """Context of one C call that may run HealthModel callbacks: on exit,
    ``error`` is the first exception one of them raised (None if none).
    Nested uses (a callback calling the library on another state) each see
    their own."""

    __slots__ = ("error", "_saved")

    def __enter__(self) -> "_Collect":
        self._saved = getattr(_tls, "error", None)
        _tls.error = None
        self.error = None
        return self

    def __exit__(self, *exc) -> None:
        self.error = getattr(_tls, "error", None)
        _tls.error = self._saved


def _pending() -> bool:
    return getattr(_tls, "error", None) is not None


def _callback_failed(e: BaseException) -> int:
    """Keep the first exception of the current call; the status to return."""
    if getattr(_tls, "error", None) is None:
        _tls.error = e
    if isinstance(e, errors.TwinError) and e.status < 0:
        return e.status
    return errors.E_INVAL


def _run(fn, *args):
    """Call ``fn`` (a declared C function); an exception a HealthModel
    callback raised during it is raised in place of the call's own result
    or error."""
    failure = None
    rc = None
    with _Collect() as c:
        try:
            rc = fn(*args)
        except errors.TwinError as e:
            failure = e
    if c.error is not None:
        raise c.error
    if failure is not None:
        raise failure
    return rc


# Models by the address of their C table, to find the Python model of a
# table the library hands back (Ingest.get_health).
_BY_TABLE: "weakref.WeakValueDictionary[int, HealthModel]" = weakref.WeakValueDictionary()


class HealthModel:
    """A user-defined degradation model (``twin_health_model``) in Python.

    Subclass it and define :meth:`predict` and :meth:`update` (and
    optionally :meth:`init`), or pass the functions to the constructor::

        class Linear(libtwin.HealthModel):
            state_format = "2d"                       # (level, rate)
            def init(self):
                return (0.12, 0.0)
            def predict(self, state, t):
                return state[0] + state[1] * t
            def update(self, state, t, value, diverged):
                ...
                return (level, rate)

        opts = libtwin.HealthOptions(model=Linear(), failure_level=0.5)

    The model's parameters live in each :class:`Health` state (so the state
    stays plain data, saved bit for bit): an area of at most 64 bytes
    (``TWIN_HEALTH_USER_STATE_MAX``) described by either

    - ``state_format``: a :mod:`struct` format (e.g. ``"2d"``); the
      callbacks get the state as the tuple of its fields and return a
      sequence of them (a bare number when the format has one field); or
    - ``state_size``: a byte count; the callbacks get ``bytes`` and return
      bytes-like objects of exactly that size.

    Model time ``t`` is seconds since the state's time zero. The library
    calls the methods inside its own calls, on the calling thread; they must
    not call the library on the same state. An exception they raise is
    kept, the callback returns a failure to the library (``init`` and
    ``update``: the exception's ``status`` if it is a
    :class:`~libtwin.TwinError`, else ``TWIN_E_INVAL``; ``predict``: NaN),
    no callback of the model runs again during that call, and the Python
    call that ran it raises the exception when the library returns.

    The C table and its callbacks live as long as this object, which every
    :class:`HealthOptions` naming it, and every :class:`~libtwin.Ingest`
    running it, keeps alive.
    """

    #: :mod:`struct` format of the state (None: raw bytes of ``state_size``).
    state_format: str | None = None
    #: Bytes of state when ``state_format`` is None, 1 to 64.
    state_size: int | None = None

    def __init__(self, *, state_format: str | None = None, state_size: int | None = None,
                 init: Callable[[], Any] | None = None,
                 predict: Callable[[Any, float], float] | None = None,
                 update: Callable[[Any, float, float, bool], Any] | None = None):
        if state_format is not None:
            self.state_format = state_format
        if state_size is not None:
            self.state_size = state_size
        for name, fn in (("init", init), ("predict", predict), ("update", update)):
            if fn is not None:
                if not callable(fn):
                    raise TypeError(f"{name} must be callable")
                setattr(self, name, fn)

    # ---- the callbacks (override these) -------------------------------------------

    def init(self) -> Any:
        """The initial state (parameters at time zero); None: all zero bytes."""
        return None

    def predict(self, state: Any, t: float) -> float:
        """The signal predicted at model time ``t`` (seconds) by ``state``.
        Must be pure: the library calls it many times (e.g. to find the time
        to a level)."""
        raise NotImplementedError

    def update(self, state: Any, t: float, value: float, diverged: bool) -> Any:
        """The state after sample ``value`` at model time ``t``; None keeps
        ``state``. ``diverged`` is true while the signal is diverged (the
        model should recalibrate). Raising leaves the state unchanged."""
        raise NotImplementedError

    # ---- the C table --------------------------------------------------------------

    def _codec(self):
        fmt = self.state_format
        if fmt is not None:
            try:
                st = struct.Struct(fmt)
            except (struct.error, TypeError) as e:
                raise errors.InvalidArgument(f"state_format {fmt!r}: {e}") from None
            size = st.size
            if self.state_size is not None and self.state_size != size:
                raise errors.InvalidArgument(
                    f"state_format {fmt!r} is {size} bytes, state_size says {self.state_size}")
            one = len(st.unpack(bytes(size))) == 1

            def encode(v):
                if one and not isinstance(v, (tuple, list)):
                    v = (v,)
                return st.pack(*v)
            decode = st.unpack
        else:
            size = self.state_size
            if size is None:
                raise TypeError(f"{type(self).__name__} sets neither state_format nor "
                                "state_size")
            if isinstance(size, bool) or not isinstance(size, int):
                raise TypeError("state_size must be an int")

            def encode(v):
                data = bytes(v)
                if len(data) != size:
                    raise ValueError(f"a state is {size} bytes, not {len(data)}")
                return data
            decode = bytes
        if not 1 <= size <= _ffi.HEALTH_USER_STATE_MAX:
            raise errors.InvalidArgument(
                f"a user model's state is 1 to {_ffi.HEALTH_USER_STATE_MAX} bytes, not {size}")
        return size, encode, decode

    def _table(self) -> _ffi.twin_health_model:
        """The C table (built once, kept with the model)."""
        built = self.__dict__.get("_c_table")
        if built is not None:
            return built[0]
        for name in ("predict", "update"):
            if name not in self.__dict__ and \
                    getattr(type(self), name) is getattr(HealthModel, name):
                raise TypeError(f"{type(self).__name__} does not define {name}()")
        size, encode, decode = self._codec()
        model = self

        def c_init(_ud, state):
            if _pending():
                return errors.E_INVAL
            try:
                v = model.init()
                if v is not None:
                    ctypes.memmove(state, encode(v), size)
            except BaseException as e:  # noqa: BLE001 - re-raised after the C call
                return _callback_failed(e)
            return errors.OK

        def c_predict(_ud, state, t):
            if _pending():
                return math.nan
            try:
                return float(model.predict(decode(ctypes.string_at(state, size)), t))
            except BaseException as e:  # noqa: BLE001 - re-raised after the C call
                _callback_failed(e)
                return math.nan

        def c_update(_ud, state, t, v, diverged):
            if _pending():
                return errors.E_INVAL
            try:
                new = model.update(decode(ctypes.string_at(state, size)), t, v, bool(diverged))
                if new is not None:
                    ctypes.memmove(state, encode(new), size)
            except BaseException as e:  # noqa: BLE001 - re-raised after the C call
                return _callback_failed(e)
            return errors.OK

        table = _ffi.twin_health_model()
        table.size = ctypes.sizeof(table)
        table.state_size = size
        fns = (_ffi.HEALTH_INIT_FN(c_init), _ffi.HEALTH_PREDICT_FN(c_predict),
               _ffi.HEALTH_UPDATE_FN(c_update))
        table.init, table.predict, table.update = fns
        self.__dict__["_c_table"] = (table, fns)
        _BY_TABLE[ctypes.addressof(table)] = self
        return table

    def __repr__(self) -> str:
        layout = (f"state_format={self.state_format!r}" if self.state_format is not None
                  else f"state_size={self.state_size!r}")
        return f"<{type(self).__name__} {layout}>"


def _model_of_table(addr: int) -> HealthModel:
    model = _BY_TABLE.get(addr)
    if model is None:  # pragma: no cover - whoever holds the table keeps its model
        raise errors.InvalidState("a user model table that this binding did not make")
    return model


class HealthOptions:
    """Settings shared by the signals of one kind (``twin_health_options``).

    Keyword arguments set the fields of the same names; ``model`` is
    "exponential", "linear" or a :class:`HealthModel` (a user-defined model:
    the kind becomes ``TWIN_HEALTH_USER`` and ``user`` the model; the
    options keep it alive), ``recalibration`` "none", "ema" or "kalman";
    pairs and the 2x2 covariance (row-major, 4 values) are sequences.
    """

    def __init__(self, **fields):
        object.__setattr__(self, "_user", None)
        self._c = _ffi.twin_health_options()
        _ffi.twin_health_options_init_(ctypes.byref(self._c), ctypes.sizeof(self._c))
        for k, v in fields.items():
            setattr(self, k, v)

    @classmethod
    def _from_c(cls, c: _ffi.twin_health_options) -> "HealthOptions":
        """Options the library copied out (with the Python model of their table)."""
        opts = cls.__new__(cls)
        object.__setattr__(opts, "_c", c)
        addr = ctypes.cast(c.user, ctypes.c_void_p).value
        object.__setattr__(opts, "_user", _model_of_table(addr) if addr else None)
        return opts

    _ARRAYS = {"prior_mean": 2, "prior_cov": 4, "process_noise": 2, "recal_noise": 2}

    def encode(self) -> bytes:
        """The options in their encoded form (``twin_health_options_encode``:
        little-endian, versioned, every field but the user model), for
        files and databases."""
        buf = ctypes.create_string_buffer(512)
        n = ctypes.c_size_t()
        _ffi.twin_health_options_encode(ctypes.byref(self._c), buf, len(buf), ctypes.byref(n),
                                        _err())
        return buf.raw[:n.value]

    @classmethod
    def decode(cls, data: bytes, user: "HealthModel | None" = None) -> "HealthOptions":
        """Options from :meth:`encode` of this or an earlier release; a user
        model's options need their model again (``user``)."""
        opts = cls()
        _ffi.twin_health_options_decode(ctypes.byref(opts._c), bytes(data), len(data), _err())
        if user is not None:
            opts._set_user(user)
        return opts

    def _set_user(self, model) -> None:
        if model is None:
            self._c.user = None
        elif isinstance(model, HealthModel):
            self._c.user = ctypes.pointer(model._table())
            self._c.model = _ffi.HEALTH_USER
        else:
            raise TypeError(f"a user model is a HealthModel, not {type(model).__name__}")
        object.__setattr__(self, "_user", model)

    def __setattr__(self, name, value):
        if name == "_c":
            object.__setattr__(self, name, value)
            return
        if name == "user" or (name == "model" and isinstance(value, HealthModel)):
            self._set_user(value)
            return
        if name == "model":
            value = _MODELS[value] if isinstance(value, str) else int(value)
        elif name == "recalibration":
            value = _RECAL[value] if isinstance(value, str) else int(value)
        elif name in self._ARRAYS:
            vals = [float(x) for x in value]
            if len(vals) != self._ARRAYS[name]:
                raise ValueError(f"{name} takes {self._ARRAYS[name]} values")
            value = (ctypes.c_double * len(vals))(*vals)
        elif name == "size" or not hasattr(self._c, name):
            raise AttributeError(f"HealthOptions has no settable field {name!r}")
        setattr(self._c, name, value)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "user":
            return self._user
        value = getattr(self._c, name)
        if name in self._ARRAYS:
            return tuple(value)
        return value

    def fit_prior(self, runs: Iterable[tuple[Sequence[int], Sequence[float]]]) -> None:
        """Learn ``prior_mean``, ``prior_cov``, ``noise`` and ``failure_level``
        from run-to-failure histories, each a pair (times in microseconds,
        values) (``twin_health_fit_prior``)."""
        keep, arr = [], []
        for t, v in runs:
            if len(t) != len(v):
                raise ValueError("a run's times and values differ in length")
            ct = (ctypes.c_int64 * len(t))(*[int(x) for x in t])
            cv = (ctypes.c_double * len(v))(*[float(x) for x in v])
            keep += [ct, cv]
            arr.append(_ffi.twin_health_run(ctypes.cast(ct, ctypes.POINTER(ctypes.c_int64)),
                                            ctypes.cast(cv, ctypes.POINTER(ctypes.c_double)),
                                            len(t)))
        runs_c = (_ffi.twin_health_run * max(len(arr), 1))(*arr)
        _ffi.twin_health_fit_prior(ctypes.byref(self._c), runs_c, len(arr), _err())


@dataclass(frozen=True)
class HealthEvent:
    """What one :meth:`Health.update` did."""

    flags: int
    predicted: float
    error: float
    mean_before: tuple[float, float]
    mean_after: tuple[float, float]
    recalibrations: int
    diverged: bool

    @property
    def became_diverged(self) -> bool:
        return bool(self.flags & _ffi.HEALTH_EVENT_DIVERGED)

    @property
    def cleared(self) -> bool:
        return bool(self.flags & _ffi.HEALTH_EVENT_CLEARED)

    @property
    def recalibrated(self) -> bool:
        return bool(self.flags & _ffi.HEALTH_EVENT_RECALIBRATED)


@dataclass(frozen=True)
class HealthStats:
    """Counters and levels of a state (``twin_health_stats``)."""

    diverged: bool
    samples: int
    recalibrations: int
    error_mean: float
    error_var: float
    baseline: float
    failure_level: float
    t0_us: int
    last_us: int


@dataclass(frozen=True)
class Rul:
    """Remaining useful life in seconds from the latest sample (inf: never)."""

    median: float
    lower: float
    upper: float


class Health:
    """The state of one signal (``twin_health``): plain data."""

    SIZE = ctypes.sizeof(_ffi.twin_health)

    def __init__(self, options: HealthOptions, t0_us: int = 0):
        self.options = options
        self._c = _ffi.twin_health()
        _run(_ffi.twin_health_init, ctypes.byref(self._c), ctypes.byref(options._c),
             int(t0_us), _err())

    def _args(self):
        return ctypes.byref(self._c), ctypes.byref(self.options._c)

    def update(self, t_us: int, value: float) -> HealthEvent:
        """Feed one sample (time in microseconds since the epoch): predict,
        measure the error, detect divergence, recalibrate, update. A failure
        (or an exception of a user model) leaves the state unchanged."""
        ev = _ffi.twin_health_event()
        ev.size = ctypes.sizeof(ev)
        _run(_ffi.twin_health_update, *self._args(), int(t_us), float(value),
             ctypes.byref(ev), _err())
        return HealthEvent(ev.flags, ev.predicted, ev.error, tuple(ev.mean_before),
                           tuple(ev.mean_after), ev.recalibrations, bool(ev.diverged))

    def predict(self, t_us: int) -> float:
        """The signal predicted at ``t_us`` by the current parameters."""
        out = ctypes.c_double()
        _run(_ffi.twin_health_predict, *self._args(), int(t_us), ctypes.byref(out), _err())
        return out.value

    def score(self, t_us: int) -> float:
        """Health at ``t_us``: 1 at the baseline, 0 at the failure level."""
        out = ctypes.c_double()
        _run(_ffi.twin_health_get_score, *self._args(), int(t_us), ctypes.byref(out), _err())
        return out.value

    def time_to(self, level: float) -> float:
        """Seconds from the latest sample until the prediction reaches
        ``level`` (0 if already past it, inf if never). User models are
        searched forward (doubling steps, then bisection)."""
        out = ctypes.c_double()
        _run(_ffi.twin_health_get_time_to, *self._args(), float(level), ctypes.byref(out),
             _err())
        return out.value

    def rul(self, q_lower: float = 0.05, q_upper: float = 0.95) -> Rul:
        """Remaining useful life to the failure level, with quantile bounds
        (NaN bounds for user models)."""
        r = _ffi.twin_health_rul()
        r.size = ctypes.sizeof(r)
        _run(_ffi.twin_health_get_rul, *self._args(), float(q_lower), float(q_upper),
             ctypes.byref(r), _err())
        return Rul(r.median, r.lower, r.upper)

    def posterior(self) -> tuple[tuple[float, float], tuple[float, float, float, float]]:
        """Mean and covariance (row-major) of the parameters (built-in models only)."""
        m, c = (ctypes.c_double * 2)(), (ctypes.c_double * 4)()
        _ffi.twin_health_get_posterior(ctypes.byref(self._c), m, c, _err())
        return tuple(m), tuple(c)

    def stats(self) -> HealthStats:
        """Counters, error statistics and levels."""
        s = _ffi.twin_health_stats()
        s.size = ctypes.sizeof(s)
        _ffi.twin_health_get_stats(ctypes.byref(self._c), ctypes.byref(s), _err())
        return HealthStats(bool(s.diverged), s.samples, s.recalibrations, s.error_mean,
                           s.error_var, s.baseline, s.failure_level, s.t0_us, s.last_us)

    def set_failure_level(self, level: float) -> None:
        """Change the failure level (beyond the baseline)."""
        _ffi.twin_health_set_failure_level(*self._args(), float(level), _err())

    def to_bytes(self) -> bytes:
        """The state, bit for bit (192 bytes)."""
        return ctypes.string_at(ctypes.addressof(self._c), self.SIZE)

    @classmethod
    def from_bytes(cls, options: HealthOptions, data: bytes) -> "Health":
        """A state saved by :meth:`to_bytes`, to be used with ``options``."""
        if len(data) != cls.SIZE:
            raise ValueError(f"a health state is {cls.SIZE} bytes, not {len(data)}")
        h = cls.__new__(cls)
        h.options = options
        h._c = _ffi.twin_health.from_buffer_copy(data)
        return h

    def encode(self) -> bytes:
        """The state in its encoded form (``twin_health_encode``: little-endian,
        versioned, independent of the library's layout), for files and
        databases."""
        buf = ctypes.create_string_buffer(512)
        n = ctypes.c_size_t()
        _ffi.twin_health_encode(ctypes.byref(self._c), buf, len(buf), ctypes.byref(n), _err())
        return buf.raw[:n.value]

    @classmethod
    def decode(cls, options: HealthOptions, data: bytes) -> "Health":
        """A state from :meth:`encode` of this or an earlier release, to be
        used with ``options``."""
        h = cls.__new__(cls)
        h.options = options
        h._c = _ffi.twin_health()
        _ffi.twin_health_decode(ctypes.byref(h._c), bytes(data), len(data), _err())
        return h

    PACKED_SIZE = ctypes.sizeof(_ffi.twin_health_packed)

    def pack(self) -> bytes:
        """The state in its packed form (112 bytes, lossless; see
        ``twin_health_pack``). Raises :class:`~libtwin.errors.LimitExceeded`
        for a user model whose state does not fit."""
        p = _ffi.twin_health_packed()
        _ffi.twin_health_pack(ctypes.byref(self._c), ctypes.byref(p), _err())
        return bytes(p)

    @classmethod
    def unpack(cls, options: HealthOptions, data: bytes) -> "Health":
        """A state packed by :meth:`pack`, to be used with ``options``."""
        if len(data) != cls.PACKED_SIZE:
            raise ValueError(f"a packed health state is {cls.PACKED_SIZE} bytes, not {len(data)}")
        h = cls.__new__(cls)
        h.options = options
        h._c = _ffi.twin_health()
        _ffi.twin_health_unpack(_ffi.twin_health_packed.from_buffer_copy(data),
                                ctypes.byref(h._c), _err())
        return h


class Fusion:
    """A fused health index (``twin_health_fusion``), plain data."""

    def __init__(self, c: _ffi.twin_health_fusion):
        self._c = c

    @classmethod
    def fit(cls, runs: Sequence[int], t_us: Sequence[int], sensors: Sequence[Sequence[float]],
            settings: Sequence[Sequence[float]] | None = None, regimes: int = 1,
            cap_s: float = 0.0) -> "Fusion":
        """Fit on rows (run id, time, sensor values, settings) of a fleet;
        rows of a run contiguous and in time order (``twin_health_fusion_fit``)."""
        f, keep = _fleet(runs, t_us, sensors, settings)
        out = _ffi.twin_health_fusion()
        _ffi.twin_health_fusion_fit(ctypes.byref(out), ctypes.byref(f), int(regimes),
                                    float(cap_s), _err())
        del keep
        return cls(out)

    @property
    def weights(self) -> tuple[float, ...]:
        return tuple(self._c.weight[:self._c.nsensors])

    @property
    def bias(self) -> float:
        return self._c.bias

    @property
    def regimes(self) -> int:
        return self._c.nregimes

    @property
    def rmse(self) -> float:
        return self._c.rmse

    def apply(self, sensors: Sequence[float],
              settings: Sequence[float] | None = None) -> tuple[float, int]:
        """(index, regime) of one row."""
        sen = (ctypes.c_double * len(sensors))(*[float(x) for x in sensors])
        st = (ctypes.c_double * len(settings))(*[float(x) for x in settings]) if settings else None
        idx, reg = ctypes.c_double(), ctypes.c_uint32()
        _ffi.twin_health_fusion_apply(ctypes.byref(self._c), sen, st, ctypes.byref(idx),
                                      ctypes.byref(reg), _err())
        return idx.value, reg.value


def _fleet(runs, t_us, sensors, settings):
    """A twin_health_fleet over ctypes copies of the rows (kept alive by
    the returned tuple)."""
    n = len(runs)
    ns = len(sensors[0]) if n else 0
    nq = len(settings[0]) if settings is not None and n else 0
    run_c = (ctypes.c_uint32 * n)(*[int(x) for x in runs])
    t_c = (ctypes.c_int64 * n)(*[int(x) for x in t_us])
    sen_c = (ctypes.c_double * (n * ns))(*[float(x) for row in sensors for x in row])
    set_c = ((ctypes.c_double * (n * nq))(*[float(x) for row in settings for x in row])
             if nq else None)
    f = _ffi.twin_health_fleet()
    f.size = ctypes.sizeof(f)
    f.nsensors, f.nsettings, f.nrows = ns, nq, n
    f.run = ctypes.cast(run_c, ctypes.POINTER(ctypes.c_uint32))
    f.t_us = ctypes.cast(t_c, ctypes.POINTER(ctypes.c_int64))
    f.sensors = ctypes.cast(sen_c, ctypes.POINTER(ctypes.c_double))
    if set_c is not None:
        f.settings = ctypes.cast(set_c, ctypes.POINTER(ctypes.c_double))
    return f, (run_c, t_c, sen_c, set_c)


@dataclass(frozen=True)
class RulEstimate:
    """Remaining useful life from a :class:`Predictor` (``twin_health_rul_estimate``).

    With ``censored`` the asset looks healthier than the model can tell
    apart within its horizon: read ``rul`` as "at least ``rul`` cycles"."""
    rul: float
    censored: bool
    horizon: float
    cycles: int


class Predictor:
    """A fitted RUL predictor (``twin_health_predictor``): per-regime
    normalised rolling features and boosted trees, fitted on a fleet's
    run-to-failure rows. Read-only once made: many :class:`Track` objects,
    one per asset, may use it. Owns one C pointer, freed by :meth:`close`
    or by the garbage collector."""

    def __init__(self, ptr):
        self._p = ptr
        self._finalizer = weakref.finalize(self, _ffi.twin_health_predictor_destroy, ptr)

    @classmethod
    def fit(cls, runs: Sequence[int], t_us: Sequence[int], sensors: Sequence[Sequence[float]],
            settings: Sequence[Sequence[float]] | None = None, **params: Any) -> "Predictor":
        """Fit on rows (run id, time, sensor values, settings) of a fleet; rows
        of a run contiguous, in time order, the last at failure
        (``twin_health_predictor_fit``). Keyword arguments set fields of
        ``twin_health_predictor_params`` (``trees``, ``depth``, ``nregimes``,
        ``horizon``, ``censor``, ``seed``...; ``lambda_`` for ``lambda``)."""
        f, keep = _fleet(runs, t_us, sensors, settings)
        p = _ffi.twin_health_predictor_params()
        _ffi.twin_health_predictor_params_init_(ctypes.byref(p), ctypes.sizeof(p))
        for k, v in params.items():
            if k in ("size",) or not any(k == n for n, _ in p._fields_):
                raise TypeError(f"unknown predictor parameter {k!r}")
            setattr(p, k, v)
        out = _ffi.predictor_p()
        _ffi.twin_health_predictor_fit(ctypes.byref(out), ctypes.byref(f), ctypes.byref(p),
                                       None, _err())
        del keep
        return cls(out)

    @classmethod
    def load(cls, data: bytes) -> "Predictor":
        """A model from its binary form (``twin_health_predictor_load``)."""
        buf = ctypes.create_string_buffer(bytes(data), len(data))
        out = _ffi.predictor_p()
        _ffi.twin_health_predictor_load(ctypes.byref(out), buf, len(data), None, _err())
        return cls(out)

    def save(self) -> bytes:
        """The binary form: little-endian, versioned, with a CRC-32."""
        need = ctypes.c_size_t()
        try:  # sizing: TWIN_E_RANGE with the size needed
            _ffi.twin_health_predictor_save(self._live(), None, 0, ctypes.byref(need), None)
        except errors.LimitExceeded:
            pass
        buf = ctypes.create_string_buffer(need.value)
        _ffi.twin_health_predictor_save(self._live(), buf, need.value, None, _err())
        return buf.raw

    @property
    def info(self) -> dict:
        """Sensors, settings, regimes, features, trees, depth, horizon,
        censor level and the size of the binary form."""
        i = _ffi.twin_health_predictor_info()
        i.size = ctypes.sizeof(i)
        _ffi.twin_health_predictor_get_info(self._live(), ctypes.byref(i), _err())
        return {k: getattr(i, k) for k, _ in i._fields_ if k not in ("size", "reserved_")}

    def track(self) -> "Track":
        """A new track (one asset's state) over this model."""
        return Track(self)

    def close(self) -> None:
        """Free the model now; its tracks become unusable."""
        self._finalizer()
        self._p = None

    def _live(self):
        if self._p is None:
            raise errors.InvalidState("the predictor is closed")
        return self._p


class Track:
    """One asset's state for a :class:`Predictor` (``twin_health_track``,
    512 bytes of plain data): one update per cycle, then an estimate."""

    def __init__(self, predictor: Predictor):
        self._m = predictor
        self._c = _ffi.twin_health_track()
        _ffi.twin_health_track_init(predictor._live(), ctypes.byref(self._c), _err())

    def update(self, sensors: Sequence[float], settings: Sequence[float] | None = None) -> None:
        """Add one cycle (``twin_health_track_update``); a non-finite value
        raises and leaves the track as it was."""
        sen = (ctypes.c_double * len(sensors))(*[float(x) for x in sensors])
        st = (ctypes.c_double * len(settings))(*[float(x) for x in settings]) if settings else None
        _ffi.twin_health_track_update(self._m._live(), ctypes.byref(self._c), sen, st, _err())

    def rul(self) -> RulEstimate:
        """The estimate after the latest cycle (``twin_health_track_get_rul``)."""
        e = _ffi.twin_health_rul_estimate()
        e.size = ctypes.sizeof(e)
        _ffi.twin_health_track_get_rul(self._m._live(), ctypes.byref(self._c), ctypes.byref(e),
                                       _err())
        return RulEstimate(e.rul, bool(e.flags & _ffi.HEALTH_RUL_CENSORED), e.horizon, e.cycles)


__all__ = ["HealthOptions", "HealthModel", "Health", "HealthEvent", "HealthStats", "Rul",
           "Fusion", "Predictor", "Track", "RulEstimate"]
