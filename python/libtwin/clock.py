"""Clock models per source (``twin/clock.h``, libtwin 1.5): offset and skew of
a source's clock from (source timestamp, receive timestamp) pairs, by the
lower envelope of the delays; steps; sources with a declared offset or in
local time; a tolerance flag and the estimate's uncertainty.

    >>> c = Clock()
    >>> for k in range(10):
    ...     c.observe(source_us=T0 + k * 1_000_000 + 2_000_000, receive_us=T0 + k * 1_000_000)
    >>> c.estimate().offset_us
    -2000000
"""

from __future__ import annotations

import ctypes
import enum
from dataclasses import dataclass

from . import _ffi
from .series import _finite_time

__all__ = ["Clock", "ClockKind", "ClockEstimate"]


class ClockKind(enum.IntEnum):
    ESTIMATED = _ffi.CLOCK_ESTIMATED
    KNOWN_OFFSET = _ffi.CLOCK_KNOWN_OFFSET
    LOCAL_TIME = _ffi.CLOCK_LOCAL_TIME


@dataclass(frozen=True)
class ClockEstimate:
    """Offset (host minus source time, us) at ``t_us``, skew (ppm, positive:
    the source runs fast), their uncertainties and flags."""
    t_us: int
    offset_us: int
    skew_ppm: float
    offset_uncertainty_us: float
    skew_uncertainty_ppm: float
    zone_offset_us: int
    pairs: int
    points: int
    steps: int
    out_of_tolerance: bool
    stepped: bool
    skew_prior: bool
    declared: bool


def _options(kind, options: dict) -> _ffi.twin_clock_options:
    """``twin_clock_options`` from a kind and keyword options (None: default)."""
    o = _ffi.twin_clock_options()
    _ffi.twin_clock_options_init_(ctypes.byref(o), ctypes.sizeof(o))
    o.kind = int(ClockKind[kind.upper()] if isinstance(kind, str) else ClockKind(kind))
    names = {f[0] for f in _ffi.twin_clock_options._fields_} - {"size", "kind"}
    for k, v in options.items():
        if k not in names:
            raise TypeError(f"unknown clock option {k!r}")
        if v is not None:
            setattr(o, k, v)
    return o


class Clock:
    """One source's clock model: plain data (a copy of ``twin_clock``), no
    handle to close. Options as in ``twin_clock_options`` (None: default)."""

    def __init__(self, kind: ClockKind | str = ClockKind.ESTIMATED, **options):
        o = _options(kind, options)
        self._c = _ffi.twin_clock()
        self._err = _ffi.twin_error()
        _ffi.twin_clock_init(ctypes.byref(self._c), ctypes.byref(o), ctypes.pointer(self._err))

    def observe(self, source_us: int, receive_us: int) -> None:
        """Hand in one pair; bad input raises and leaves the estimate as it was."""
        _ffi.twin_clock_observe(ctypes.byref(self._c), _finite_time(source_us),
                                _finite_time(receive_us), ctypes.pointer(self._err))

    def estimate(self) -> ClockEstimate:
        """The estimate in use (NotFound with too few pairs)."""
        e = _ffi.twin_clock_estimate()
        e.size = ctypes.sizeof(e)
        _ffi.twin_clock_get_estimate(ctypes.byref(self._c), ctypes.byref(e),
                                     ctypes.pointer(self._err))
        return ClockEstimate(e.t_us, e.offset_us, e.skew_ppm, e.offset_uncertainty_us,
                             e.skew_uncertainty_ppm, e.zone_offset_us, e.pairs, e.points,
                             e.steps, bool(e.flags & _ffi.CLOCK_OUT_OF_TOLERANCE),
                             bool(e.flags & _ffi.CLOCK_STEPPED),
                             bool(e.flags & _ffi.CLOCK_SKEW_PRIOR),
                             bool(e.flags & _ffi.CLOCK_DECLARED))

    def to_host(self, source_us: int) -> int:
        """A source timestamp corrected to host time."""
        h = ctypes.c_int64()
        _ffi.twin_clock_to_host(ctypes.byref(self._c), _finite_time(source_us), ctypes.byref(h),
                                ctypes.pointer(self._err))
        return h.value

    def encode(self) -> bytes:
        """The model (options and whole estimate state) in its portable byte
        form (``twin_clock_encode``, libtwin 1.7): keep it, and
        :meth:`decode` resumes the estimate where it was."""
        buf = ctypes.create_string_buffer(_ffi.CLOCK_ENCODED_MAX)
        n = ctypes.c_size_t()
        _ffi.twin_clock_encode(ctypes.byref(self._c), buf, len(buf), ctypes.byref(n),
                               ctypes.pointer(self._err))
        return buf.raw[:n.value]

    @classmethod
    def decode(cls, data: bytes) -> "Clock":
        """A model from :meth:`encode`'s bytes (``twin_clock_decode``); corrupted
        or foreign bytes raise :class:`libtwin.ParseError`."""
        c = cls.__new__(cls)
        c._c = _ffi.twin_clock()
        c._err = _ffi.twin_error()
        b = bytes(data)
        _ffi.twin_clock_decode(ctypes.byref(c._c), b, len(b), ctypes.pointer(c._err))
        return c

    @classmethod
    def _from_c(cls, raw: _ffi.twin_clock) -> "Clock":
        c = cls.__new__(cls)
        c._c = raw
        c._err = _ffi.twin_error()
        return c
