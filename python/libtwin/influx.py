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
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_int, c_int32, c_int64,
                    c_size_t, c_uint32, c_uint64, c_void_p)
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable

from . import _ffi, errors
from . import _forward
from . import sqlite as _sqlite
from ._forward import Backlog, State

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

# ---- loading and declarations ---------------------------------------------------------

lib, path, load_error = _forward.load("libtwin-influx", SONAME, ENV, "influx")
#: True when libtwin-influx is loaded and usable.
available = lib is not None

FUNCTIONS: dict[str, object] = {}

if lib is not None:
    _declare = _ffi.declarer(lib, FUNCTIONS, "libtwin-influx", path)
    twin_influx_last_error = _declare("twin_influx_last_error", POINTER(_ffi.twin_error), [_fw])
    _check = _forward.checker(twin_influx_last_error)
    twin_influx_options_init_ = _declare("twin_influx_options_init_", c_int,
                                         [POINTER(twin_influx_options), c_size_t],
                                         _forward.check_plain)
    twin_influx_create = _declare("twin_influx_create", c_int,
                                  [POINTER(_fw), c_void_p, POINTER(twin_influx_options)],
                                  _forward.check_plain)
    twin_influx_destroy = _declare("twin_influx_destroy", None, [_fw])
    twin_influx_step = _declare("twin_influx_step", c_int,
                                [_fw, c_uint32, POINTER(twin_influx_progress)], _check)
    twin_influx_backlog = _declare("twin_influx_backlog", c_int,
                                   [_fw, POINTER(twin_influx_backlog_info)], _check)
    twin_influx_get_stats = _declare("twin_influx_get_stats", c_int,
                                     [_fw, POINTER(twin_influx_stats)], _check)
    _C = SimpleNamespace(create=twin_influx_create, destroy=twin_influx_destroy,
                         step=twin_influx_step, backlog=twin_influx_backlog,
                         stats=twin_influx_get_stats)


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


class Forwarder(_forward.Forwarder):
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
    with the store's writer. Methods: ``step(budget) -> Progress``,
    ``drain(timeout_s=)``, ``backlog() -> Backlog``, ``stats() -> Stats``,
    ``close()`` (or ``with``).
    """

    _what = "InfluxDB forwarder"
    _handle_t = twin_influx
    _progress_t = twin_influx_progress
    _stats_t = twin_influx_stats
    _backlog_t = twin_influx_backlog_info
    _reject_fn = REJECT_FN

    def __init__(self, db: _sqlite.SqliteStore, url: str, database: str, *,
                 org: str | None = None, token: str | None = None, api_v2: bool = False,
                 gzip: bool = True, measurement: str | None = None, per_signal: bool = False,
                 upstream: str | None = None, precision: Precision | str = Precision.US,
                 batch_lines: int | None = None, connect_timeout_ms: int | None = None,
                 request_timeout_ms: int | None = None, retry_initial_ms: int | None = None,
                 retry_max_ms: int | None = None, seed: int = 0, ca_file: str | None = None,
                 cert_file: str | None = None, key_file: str | None = None,
                 on_reject: Callable[[Rejected], None] | None = None):
        if lib is None:
            raise OSError(load_error)
        self._c = _C
        o = twin_influx_options()
        twin_influx_options_init_(ctypes.byref(o), ctypes.sizeof(o))
        # the bytes live as long as the options (create copies them)
        keep = {k: _forward.c_text(k, v) for k, v in (
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
        _forward.set_positive(o, batch_lines=batch_lines, connect_timeout_ms=connect_timeout_ms,
                              request_timeout_ms=request_timeout_ms,
                              retry_initial_ms=retry_initial_ms, retry_max_ms=retry_max_ms)
        _forward.set_seed(o, seed)
        self._create(db, o, on_reject)

    @staticmethod
    def _reject(x) -> Rejected:
        t = _forward.text
        return Rejected(x.http_status, t(x.twin_id), t(x.name), x.t_us, x.value, t(x.line),
                        t(x.message))

    @staticmethod
    def _progress(p) -> Progress:
        return Progress(State(p.state), p.lines_confirmed, p.requests, p.wait_ms, p.last_http,
                        _forward.text(p.last_message))

    @staticmethod
    def _stats(s) -> Stats:
        return Stats(s.confirmed, s.lines_sent, s.requests, s.retries, s.splits, s.rejected,
                     s.skipped, s.bytes_raw, s.bytes_sent)


__all__ = ["Forwarder", "Progress", "Stats", "Backlog", "Rejected", "Precision", "State",
           "available", "load_error"]
