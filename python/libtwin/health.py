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
the library on every call, as in C. User-defined models (a C function table)
are not bound.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Iterable, Sequence

from . import _ffi

_MODELS = {"exponential": _ffi.HEALTH_EXPONENTIAL, "linear": _ffi.HEALTH_LINEAR}
_RECAL = {"none": _ffi.HEALTH_RECAL_NONE, "ema": _ffi.HEALTH_RECAL_EMA,
          "kalman": _ffi.HEALTH_RECAL_KALMAN}


def _err():
    return ctypes.pointer(_ffi.twin_error())


class HealthOptions:
    """Settings shared by the signals of one kind (``twin_health_options``).

    Keyword arguments set the fields of the same names; ``model`` is
    "exponential" or "linear", ``recalibration`` "none", "ema" or "kalman";
    pairs and the 2x2 covariance (row-major, 4 values) are sequences.
    """

    def __init__(self, **fields):
        self._c = _ffi.twin_health_options()
        _ffi.twin_health_options_init_(ctypes.byref(self._c), ctypes.sizeof(self._c))
        for k, v in fields.items():
            setattr(self, k, v)

    _ARRAYS = {"prior_mean": 2, "prior_cov": 4, "process_noise": 2, "recal_noise": 2}

    def __setattr__(self, name, value):
        if name == "_c":
            object.__setattr__(self, name, value)
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
        elif name in ("user", "size") or not hasattr(self._c, name):
            raise AttributeError(f"HealthOptions has no settable field {name!r}")
        setattr(self._c, name, value)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
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
        _ffi.twin_health_init(ctypes.byref(self._c), ctypes.byref(options._c), int(t0_us),
                              _err())

    def _args(self):
        return ctypes.byref(self._c), ctypes.byref(self.options._c)

    def update(self, t_us: int, value: float) -> HealthEvent:
        ev = _ffi.twin_health_event()
        ev.size = ctypes.sizeof(ev)
        _ffi.twin_health_update(*self._args(), int(t_us), float(value), ctypes.byref(ev),
                                _err())
        return HealthEvent(ev.flags, ev.predicted, ev.error, tuple(ev.mean_before),
                           tuple(ev.mean_after), ev.recalibrations, bool(ev.diverged))

    def predict(self, t_us: int) -> float:
        out = ctypes.c_double()
        _ffi.twin_health_predict(*self._args(), int(t_us), ctypes.byref(out), _err())
        return out.value

    def score(self, t_us: int) -> float:
        out = ctypes.c_double()
        _ffi.twin_health_get_score(*self._args(), int(t_us), ctypes.byref(out), _err())
        return out.value

    def time_to(self, level: float) -> float:
        out = ctypes.c_double()
        _ffi.twin_health_get_time_to(*self._args(), float(level), ctypes.byref(out), _err())
        return out.value

    def rul(self, q_lower: float = 0.05, q_upper: float = 0.95) -> Rul:
        r = _ffi.twin_health_rul()
        r.size = ctypes.sizeof(r)
        _ffi.twin_health_get_rul(*self._args(), float(q_lower), float(q_upper),
                                 ctypes.byref(r), _err())
        return Rul(r.median, r.lower, r.upper)

    def posterior(self) -> tuple[tuple[float, float], tuple[float, float, float, float]]:
        m, c = (ctypes.c_double * 2)(), (ctypes.c_double * 4)()
        _ffi.twin_health_get_posterior(ctypes.byref(self._c), m, c, _err())
        return tuple(m), tuple(c)

    def stats(self) -> HealthStats:
        s = _ffi.twin_health_stats()
        s.size = ctypes.sizeof(s)
        _ffi.twin_health_get_stats(ctypes.byref(self._c), ctypes.byref(s), _err())
        return HealthStats(bool(s.diverged), s.samples, s.recalibrations, s.error_mean,
                           s.error_var, s.baseline, s.failure_level, s.t0_us, s.last_us)

    def set_failure_level(self, level: float) -> None:
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
        out = _ffi.twin_health_fusion()
        _ffi.twin_health_fusion_fit(ctypes.byref(out), ctypes.byref(f), int(regimes),
                                    float(cap_s), _err())
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


__all__ = ["HealthOptions", "Health", "HealthEvent", "HealthStats", "Rul", "Fusion"]
