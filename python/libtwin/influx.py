"""libtwin-influx: a SQLite store's samples forwarded to InfluxDB (influx.h).

    >>> from libtwin.sqlite import SqliteStore
    >>> from libtwin.influx import Forwarder
    >>> with SqliteStore("plant.db") as db, \\
    ...         Forwarder(db, "http://127.0.0.1:8086", "plant") as fw:
    ...     fw.drain(timeout_s=60)            # step until nothing is left
    ...     fw.stats().confirmed
    1440

The store is the spool: the forwarder keeps, per upstream and signal, the
time of the newest sample InfluxDB confirmed, in the same database, so a
new forwarder resumes where the last one stopped. Delivery is at least once
and idempotent upstream (InfluxDB keeps one point per series and time). The
forwarder owns no thread: :meth:`Forwarder.step` does a bounded amount of
work and says how long to wait; :meth:`Forwarder.drain` loops over it.

``libtwin-influx.so.1`` is a library of its own (it needs libcurl and
zlib). It is looked for, in this order: the file named by
``LIBTWIN_INFLUX_LIBRARY`` (nothing else is tried when it is set);
``libtwin-influx.so.1`` inside this package's directory, then beside it;
beside the libtwin this package loaded and in its ``influx/`` subdirectory
(a build tree); then by soname on the system library path. It must use the
libtwin and libtwin-sqlite this package uses (checked at load). Importing
this module never fails: :data:`available` and :data:`load_error` say
whether it loaded, and :class:`Forwarder` raises ``OSError`` when not.

Every exported function (the ``TWIN_INFLUX_API`` declarations of
``include/twin/influx.h``) is declared once, in ``FUNCTIONS``.
"""

from __future__ import annotations

import ctypes
import enum
import os
import threading
import time
import weakref
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_int, c_int32, c_int64,
                    c_size_t, c_uint32, c_uint64, c_void_p)
from dataclasses import dataclass
from typing import Callable

from . import _ffi, errors
from . import sqlite as _sqlite
from ._handle import Handle

SONAME = "libtwin-influx.so.1"
ENV = "LIBTWIN_INFLUX_LIBRARY"

# twin_influx_flag
API_V2 = 1
NO_GZIP = 2
MEASUREMENT_PER_SIGNAL = 4


class Precision(enum.IntEnum):
    """Timestamp precision of the lines sent (``twin_influx_precision``)."""

    US = 0
    NS = 1
    MS = 2
    S = 3


class State(enum.IntEnum):
    """What a step left (``twin_influx_state``)."""

    IDLE = 0      #: nothing left to send
    SENDING = 1   #: more to send: step again now
    BACKOFF = 2   #: waiting ``wait_ms`` before a retry


# ---- types ----------------------------------------------------------------------------


class twin_influx_reject(Structure):
    _fields_ = [("size", c_uint32), ("http_status", c_int32), ("twin_id", c_char_p),
                ("name", c_char_p), ("t_us", c_int64), ("value", c_double),
                ("line", c_char_p), ("message", c_char_p)]


REJECT_FN = CFUNCTYPE(None, c_void_p, POINTER(twin_influx_reject))
CLOCK_FN = CFUNCTYPE(c_int64, c_void_p)


class twin_influx_options(Structure):
    _fields_ = [("size", c_uint32), ("flags", c_uint32), ("url", c_char_p), ("db", c_char_p),
                ("org", c_char_p), ("token", c_char_p), ("upstream", c_char_p),
                ("measurement", c_char_p), ("precision", c_int32), ("batch_lines", c_uint32),
                ("connect_timeout_ms", c_int32), ("request_timeout_ms", c_int32),
                ("retry_initial_ms", c_int32), ("retry_max_ms", c_int32),
                ("clock", CLOCK_FN), ("clock_ud", c_void_p), ("on_reject", REJECT_FN),
                ("reject_ud", c_void_p), ("seed", c_uint64), ("ca_file", c_char_p),
                ("cert_file", c_char_p), ("key_file", c_char_p)]


class twin_influx_progress(Structure):
    _fields_ = [("size", c_uint32), ("state", c_int32), ("lines_confirmed", c_uint64),
                ("requests", c_uint32), ("wait_ms", c_int32), ("last_http", c_int32),
                ("reserved_", c_uint32), ("last_message", c_char_p)]


class twin_influx_stats(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("confirmed", c_uint64),
                ("lines_sent", c_uint64), ("requests", c_uint64), ("retries", c_uint64),
                ("splits", c_uint64), ("rejected", c_uint64), ("skipped", c_uint64),
                ("bytes_raw", c_uint64), ("bytes_sent", c_uint64)]


class twin_influx_backlog_info(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("samples", c_uint64),
                ("signals", c_uint64), ("lag_us", c_int64)]


class twin_influx(Structure):
    """Opaque."""


_fw = POINTER(twin_influx)

# ---- loading --------------------------------------------------------------------------


def _candidates() -> list[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    out = [os.path.join(here, SONAME), os.path.join(os.path.dirname(here), SONAME)]
    if os.sep in _ffi.path:  # libtwin was loaded from a path: look beside it
        beside = os.path.dirname(os.path.abspath(_ffi.path))
        out += [os.path.join(beside, SONAME), os.path.join(beside, "influx", SONAME)]
    return out


def _same(lib: ctypes.CDLL, other: ctypes.CDLL, name: str) -> bool:
    """Whether ``lib`` resolves ``name`` to the function ``other`` has."""
    return (ctypes.cast(getattr(lib, name), c_void_p).value
            == ctypes.cast(getattr(other, name), c_void_p).value)


lib: ctypes.CDLL | None = None
path: str | None = None
#: Why the library could not be loaded (None when :data:`available`).
load_error: str | None = None
try:
    if _sqlite.lib is None:
        raise OSError(f"libtwin-influx needs libtwin-sqlite: {_sqlite.load_error}")
    lib, path = _ffi.load_library("libtwin-influx", SONAME, ENV, _candidates(),
                                  "put it beside the package or beside libtwin, or install it")
    if not _same(lib, _ffi.lib, "twin_version"):
        raise OSError(f"libtwin-influx: {path} uses another libtwin than {_ffi.path}")
    if not _same(lib, _sqlite.lib, "twin_sqlite_open"):
        raise OSError(f"libtwin-influx: {path} uses another libtwin-sqlite than {_sqlite.path}")
except OSError as e:
    lib, path, load_error = None, None, str(e)

#: True when libtwin-influx is loaded and usable.
available = lib is not None

# ---- declarations ---------------------------------------------------------------------

FUNCTIONS: dict[str, object] = {}


def _check(rc, func, args):
    """errcheck of the calls on a forwarder: its last error explains."""
    if rc < 0:
        text = _ffi.strerror(rc)
        if args[0]:
            rec = twin_influx_last_error(args[0])
            if rec and rec.contents.status == rc and rec.contents.message:
                text = rec.contents.message.decode("utf-8", "replace")
        raise errors.from_status(rc, text)
    return rc


def _check_plain(rc, func, args):
    if rc < 0:
        raise errors.from_status(rc, f"{func.__name__}: {_ffi.strerror(rc)}")
    return rc


if lib is not None:
    _declare = _ffi.declarer(lib, FUNCTIONS, "libtwin-influx", path)
    twin_influx_last_error = _declare("twin_influx_last_error", POINTER(_ffi.twin_error), [_fw])
    twin_influx_options_init_ = _declare("twin_influx_options_init_", c_int,
                                         [POINTER(twin_influx_options), c_size_t], _check_plain)
    twin_influx_create = _declare("twin_influx_create", c_int,
                                  [POINTER(_fw), c_void_p, POINTER(twin_influx_options)],
                                  _check_plain)
    twin_influx_destroy = _declare("twin_influx_destroy", None, [_fw])
    twin_influx_step = _declare("twin_influx_step", c_int,
                                [_fw, c_uint32, POINTER(twin_influx_progress)], _check)
    twin_influx_backlog = _declare("twin_influx_backlog", c_int,
                                   [_fw, POINTER(twin_influx_backlog_info)], _check)
    twin_influx_get_stats = _declare("twin_influx_get_stats", c_int,
                                     [_fw, POINTER(twin_influx_stats)], _check)


def _require() -> None:
    if lib is None:
        raise OSError(load_error)


# ---- the Pythonic surface -------------------------------------------------------------


@dataclass(frozen=True)
class Rejected:
    """A line InfluxDB refused on its own (passed over; its batch completes)."""

    http_status: int
    twin: str
    signal: str
    t_us: int
    value: float
    line: str
    message: str


@dataclass(frozen=True)
class Progress:
    """What one :meth:`Forwarder.step` did and what is left."""

    state: State
    confirmed: int       #: samples confirmed by this step
    requests: int        #: HTTP requests it made
    wait_ms: int         #: how long to wait before the next step (0: step now)
    last_http: int       #: status of the last answer (0: none, or no connection)
    last_message: str    #: the last failure, "" when none


@dataclass(frozen=True)
class Stats:
    """Totals since the forwarder was created."""

    confirmed: int
    lines_sent: int
    requests: int
    retries: int
    splits: int
    rejected: int
    skipped: int
    bytes_raw: int
    bytes_sent: int


@dataclass(frozen=True)
class Backlog:
    """What is left to forward (samples counted per block: at most a
    block's worth over, per signal)."""

    samples: int
    signals: int
    lag_us: int


def _text(b: bytes | None) -> str:
    return b.decode("utf-8", "replace") if b else ""


def _c_text(name: str, v: str | None) -> bytes | None:
    if v is None:
        return None
    if not isinstance(v, str):
        raise TypeError(f"{name} must be a str")
    raw = v.encode("utf-8")
    if b"\0" in raw:
        raise errors.InvalidArgument(f"{name} contains a NUL character")
    return raw


class Forwarder(Handle):
    """A forwarder (``twin_influx``) of a :class:`~libtwin.sqlite.SqliteStore`'s
    samples to the InfluxDB at ``url``, database (or 2.x bucket) ``database``.

    Keyword options (defaults as the C library's): ``org`` and ``token``
    (2.x), ``api_v2`` (the ``/api/v2/write`` path), ``gzip`` (default
    True), ``measurement`` (default ``twin``), ``per_signal`` (one
    measurement per signal name), ``upstream`` (the cursor's name; default
    url and database), ``precision`` (a :class:`Precision` or ``"us"``,
    ``"ns"``, ``"ms"``, ``"s"``), ``batch_lines`` (default 5000),
    ``connect_timeout_ms``, ``request_timeout_ms``, ``retry_initial_ms``,
    ``retry_max_ms``, ``seed`` (the jitter's), ``ca_file``, ``cert_file``,
    ``key_file`` (https), ``on_reject`` (called with a :class:`Rejected`
    for each line InfluxDB refuses on its own; an exception it raises is
    kept and raised by the step that called it).

    The database is borrowed and must stay open while the forwarder lives
    (the forwarder keeps a reference to it); a database of its own (a
    second ``SqliteStore`` of the same file) is best, so SQLite orders it
    with the store's writer. One thread at a time per forwarder (calls are
    serialised by a lock).
    """

    _what = "InfluxDB forwarder"

    def __init__(self, db: _sqlite.SqliteStore, url: str, database: str, *,
                 org: str | None = None, token: str | None = None, api_v2: bool = False,
                 gzip: bool = True, measurement: str | None = None, per_signal: bool = False,
                 upstream: str | None = None, precision: Precision | str = Precision.US,
                 batch_lines: int | None = None, connect_timeout_ms: int | None = None,
                 request_timeout_ms: int | None = None, retry_initial_ms: int | None = None,
                 retry_max_ms: int | None = None, seed: int = 0, ca_file: str | None = None,
                 cert_file: str | None = None, key_file: str | None = None,
                 on_reject: Callable[[Rejected], None] | None = None):
        _require()
        if not isinstance(db, _sqlite.SqliteStore):
            raise TypeError("db must be a libtwin.sqlite.SqliteStore")
        self._lock = threading.RLock()
        self._db = db
        self._pending: BaseException | None = None
        o = twin_influx_options()
        twin_influx_options_init_(ctypes.byref(o), ctypes.sizeof(o))
        # the strings live as long as the options (create copies them)
        keep = {k: _c_text(k, v) for k, v in (
            ("url", url), ("database", database), ("org", org), ("token", token),
            ("upstream", upstream), ("measurement", measurement), ("ca_file", ca_file),
            ("cert_file", cert_file), ("key_file", key_file))}
        if keep["url"] is None or keep["database"] is None:
            raise errors.InvalidArgument("url and database are required")
        o.url, o.db = keep["url"], keep["database"]
        o.org, o.token, o.upstream = keep["org"], keep["token"], keep["upstream"]
        o.measurement = keep["measurement"]
        o.ca_file, o.cert_file, o.key_file = keep["ca_file"], keep["cert_file"], keep["key_file"]
        o.flags = ((API_V2 if api_v2 else 0) | (0 if gzip else NO_GZIP)
                   | (MEASUREMENT_PER_SIGNAL if per_signal else 0))
        if isinstance(precision, str):
            try:
                precision = Precision[precision.upper()]
            except KeyError:
                raise errors.InvalidArgument(f"precision {precision!r}: us, ns, ms or s") from None
        o.precision = int(Precision(precision))
        for name, v in (("batch_lines", batch_lines), ("connect_timeout_ms", connect_timeout_ms),
                        ("request_timeout_ms", request_timeout_ms),
                        ("retry_initial_ms", retry_initial_ms), ("retry_max_ms", retry_max_ms)):
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int):
                raise TypeError(f"{name} must be an int")
            if not 0 < v < 2 ** 31:
                raise errors.InvalidArgument(f"{name} must be > 0")
            setattr(o, name, v)
        if not 0 <= seed < 2 ** 64:
            raise errors.InvalidArgument("seed must be in [0, 2**64)")
        o.seed = seed
        self._on_reject = on_reject
        self._reject_cb = REJECT_FN(self._rejected) if on_reject is not None else REJECT_FN()
        o.on_reject = self._reject_cb
        ptr = _fw()
        with db._locked():
            twin_influx_create(ctypes.byref(ptr), db._handle(), ctypes.byref(o))
        self._ptr = ptr
        # destroyed when collected if not closed (it never touches the database then)
        self._fin = weakref.finalize(self, twin_influx_destroy, ptr)

    def _rejected(self, ud, r):
        if self._pending is not None:
            return
        x = r.contents
        try:
            self._on_reject(Rejected(x.http_status, _text(x.twin_id), _text(x.name), x.t_us,
                                     x.value, _text(x.line), _text(x.message)))
        except BaseException as e:  # noqa: BLE001 - kept, raised by the step
            self._pending = e

    def close(self) -> None:
        """Destroy the forwarder (a batch in flight is sent again by the next
        forwarder of this upstream). Idempotent."""
        with self._lock:
            if self._ptr is None:
                return
            self._fin()
            self._ptr = None

    def _fw(self):
        if self._db.closed:
            raise errors.Closed("the forwarder's SqliteStore is closed")
        return self._handle()

    def step(self, budget: int = 4) -> Progress:
        """At most ``budget`` HTTP requests (each blocking up to the request
        timeout); returns at once while a backoff delay runs."""
        if isinstance(budget, bool) or not isinstance(budget, int):
            raise TypeError("budget must be an int")
        if not 0 < budget < 2 ** 32:
            raise errors.InvalidArgument("budget must be >= 1")
        p = twin_influx_progress()
        p.size = ctypes.sizeof(p)
        with self._lock, self._db._locked():
            self._pending = None
            twin_influx_step(self._fw(), budget, ctypes.byref(p))
            if self._pending is not None:
                e, self._pending = self._pending, None
                raise e
        return Progress(State(p.state), p.lines_confirmed, p.requests, p.wait_ms, p.last_http,
                        _text(p.last_message))

    def drain(self, *, timeout_s: float | None = None, budget: int = 4) -> Progress:
        """Step until nothing is left (state IDLE), sleeping through backoffs;
        raises :class:`~libtwin.errors.Busy` if ``timeout_s`` passes first
        (what was confirmed stays confirmed). Returns the last step's progress."""
        end = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            p = self.step(budget)
            if p.state == State.IDLE:
                return p
            if end is not None and time.monotonic() >= end:
                raise errors.Busy(f"not drained within {timeout_s} s "
                                  f"(last: {p.last_http} {p.last_message})")
            if p.wait_ms > 0:
                left = None if end is None else max(0.0, end - time.monotonic())
                time.sleep(p.wait_ms / 1000 if left is None else min(p.wait_ms / 1000, left))

    def backlog(self) -> Backlog:
        """What is left to forward."""
        b = twin_influx_backlog_info()
        b.size = ctypes.sizeof(b)
        with self._lock, self._db._locked():
            twin_influx_backlog(self._fw(), ctypes.byref(b))
        return Backlog(b.samples, b.signals, b.lag_us)

    def stats(self) -> Stats:
        """Totals since creation."""
        s = twin_influx_stats()
        s.size = ctypes.sizeof(s)
        with self._lock:
            twin_influx_get_stats(self._handle(), ctypes.byref(s))
        return Stats(s.confirmed, s.lines_sent, s.requests, s.retries, s.splits, s.rejected,
                     s.skipped, s.bytes_raw, s.bytes_sent)


__all__ = ["Forwarder", "Progress", "Stats", "Backlog", "Rejected", "Precision", "State",
           "available", "load_error"]
