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
from dataclasses import dataclass
from typing import Sequence

from . import _ffi

__all__ = ["Policy", "SeriesValue", "Bucket", "value_at", "resample"]


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
