"""Time series reads (``twin/series.h``, libtwin 1.5): the value at an instant
by a policy (previous, next, nearest, linear) with a tolerance, each value
with its age and whether it is interpolated, and buckets (mean, min, max,
last, count). The same reads over an ingest handle's history are
:meth:`libtwin.Ingest.state_at`, :meth:`libtwin.Ingest.history` and
:meth:`libtwin.Ingest.resample`."""

from __future__ import annotations

import ctypes
import enum
import math
import weakref
from dataclasses import dataclass
from typing import Sequence

from . import _ffi

__all__ = ["Policy", "SeriesValue", "Bucket", "value_at", "resample", "Align"]


class Policy(enum.IntEnum):
    """Which sample gives the value at an instant."""
    PREVIOUS = _ffi.SERIES_PREVIOUS
    NEXT = _ffi.SERIES_NEXT
    NEAREST = _ffi.SERIES_NEAREST
    LINEAR = _ffi.SERIES_LINEAR


@dataclass(frozen=True)
class SeriesValue:
    """A value at an instant; ``covered`` False: no value (``value`` NaN)."""
    value: float
    t_us: int
    age_us: int
    interpolated: bool
    covered: bool


@dataclass(frozen=True)
class Bucket:
    """One bucket: mean, min, max, last (NaN when empty), count."""
    mean: float
    min: float
    max: float
    last: float
    last_t_us: int
    count: int


def _options(policy, tolerance_us, mark) -> _ffi.twin_series_options:
    o = _ffi.twin_series_options()
    _ffi.twin_series_options_init_(ctypes.byref(o), ctypes.sizeof(o))
    o.policy = int(Policy[policy.upper()] if isinstance(policy, str) else Policy(policy))
    if tolerance_us is not None:
        o.tolerance_us = int(tolerance_us)
    if mark:
        o.flags = _ffi.SERIES_MARK_UNCOVERED
    return o


def _value(v: _ffi.twin_series_value) -> SeriesValue:
    return SeriesValue(v.value, v.t_us, v.age_us, bool(v.flags & _ffi.SERIES_INTERPOLATED),
                       not v.flags & _ffi.SERIES_UNCOVERED)


def _bucket(b: _ffi.twin_series_bucket) -> Bucket:
    return Bucket(b.mean, b.min, b.max, b.last, b.last_t_us, b.count)


def _arrays(times: Sequence[int], values: Sequence[float]):
    if len(times) != len(values):
        raise ValueError("times and values differ in length")
    n = len(times)
    return (ctypes.c_int64 * n)(*times), (ctypes.c_double * n)(*values), n


def value_at(times: Sequence[int], values: Sequence[float], at_us: int, *,
             policy: Policy | str = Policy.PREVIOUS, tolerance_us: int | None = None,
             complete_from_us: int | None = None, mark: bool = False) -> SeriesValue:
    """The value at ``at_us`` of samples sorted by time (microseconds).

    Raises :class:`libtwin.LimitExceeded` when the data does not cover the
    instant, unless ``mark`` (then ``covered`` is False)."""
    t, v, n = _arrays(times, values)
    out = _ffi.twin_series_value()
    err = _ffi.twin_error()
    cf = -(1 << 63) if complete_from_us is None else int(complete_from_us)
    _ffi.twin_series_at(t, v, n, cf, int(at_us), ctypes.byref(_options(policy, tolerance_us, mark)),
                        ctypes.byref(out), ctypes.pointer(err))
    return _value(out)


def resample(times: Sequence[int], values: Sequence[float], start_us: int, width_us: int,
             nbuckets: int) -> list[Bucket]:
    """Buckets [start + k width, start + (k + 1) width) of samples in any order."""
    t, v, n = _arrays(times, values)
    out = (_ffi.twin_series_bucket * nbuckets)()
    err = _ffi.twin_error()
    _ffi.twin_series_resample(t, v, n, int(start_us), int(width_us), nbuckets, out,
                              ctypes.pointer(err))
    return [_bucket(b) for b in out]


def _finite_time(x) -> int:
    if isinstance(x, float) and not math.isfinite(x):
        from . import errors
        raise errors.from_status(-2, "a timestamp is NaN or infinite")
    return int(x)


class Align:
    """A streaming alignment of ``nsignals`` signals onto a grid (``twin_align``):
    :meth:`push` samples ``(signal, t_us, value)``, :meth:`rows` yields the
    rows that are final, ``(t_us, [SeriesValue, ...])``."""

    def __init__(self, nsignals: int, start_us: int, step_us: int, *,
                 policy: Policy | str = Policy.PREVIOUS, tolerance_us: int | None = None,
                 lateness_us: int = 0, watermark_us: int | None = None):
        o = _ffi.twin_align_options()
        _ffi.twin_align_options_init_(ctypes.byref(o), ctypes.sizeof(o))
        o.nsignals = nsignals
        o.policy = int(Policy[policy.upper()] if isinstance(policy, str) else Policy(policy))
        o.start_us, o.step_us, o.lateness_us = int(start_us), int(step_us), int(lateness_us)
        if tolerance_us is not None:
            o.tolerance_us = int(tolerance_us)
        if watermark_us is not None:
            o.watermark_us = int(watermark_us)
        p = ctypes.c_void_p()
        err = _ffi.twin_error()
        _ffi.twin_align_create(ctypes.byref(p), ctypes.byref(o), ctypes.pointer(err))
        self._p, self._n = p, nsignals
        self._row = (_ffi.twin_series_value * nsignals)()
        self._fin = weakref.finalize(self, _ffi.twin_align_destroy, p)

    def close(self) -> None:
        self._fin()
        self._p = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def push(self, samples) -> int:
        """Hand in ``(signal, t_us, value)`` samples; returns how many were refused."""
        samples = list(samples)
        arr = (_ffi.twin_align_sample * max(len(samples), 1))()
        for i, (sig, t, v) in enumerate(samples):
            arr[i].signal, arr[i].t_us, arr[i].value = int(sig), int(t), float(v)
        refused = ctypes.c_size_t()
        _ffi.twin_align_push(self._p, arr, len(samples), ctypes.byref(refused))
        return refused.value

    def flush(self) -> None:
        """End of input for now: rows up to the newest sample become ready."""
        _ffi.twin_align_flush(self._p)

    def rows(self):
        """Yield the rows that are ready: ``(t_us, [SeriesValue] * nsignals)``."""
        t = ctypes.c_int64()
        while _ffi.twin_align_next(self._p, ctypes.byref(t), self._row) == 0:
            yield t.value, [_value(self._row[i]) for i in range(self._n)]
