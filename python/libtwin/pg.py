"""libtwin-pg: a SQLite store's samples forwarded to PostgreSQL (pg.h).

    >>> from libtwin.sqlite import SqliteStore
    >>> from libtwin.pg import Forwarder
    >>> with SqliteStore("plant.db") as db, \\
    ...         Forwarder(db, "host=db.site dbname=fleet user=gw", source="gw-7") as fw:
    ...     fw.drain(timeout_s=60)            # step until nothing is left
    ...     fw.stats().confirmed
    1440

As :mod:`libtwin.influx`: the store is the spool, a cursor per upstream and
signal kept in the same database, delivery at least once and exactly once
upstream (the table's primary key, ``ON CONFLICT DO NOTHING`` on a batch
sent again). One table, a row per sample (``source, twin, signal, t, value,
unit, model, rels``; see ``include/twin/pg.h``), created when missing.

``libtwin-pg.so.1`` (it needs libpq) is looked for through
``LIBTWIN_PG_LIBRARY``, inside or beside the package, beside libtwin or in
its ``pg/`` subdirectory, then by soname; it must use the libtwin and
libtwin-sqlite this package uses. Importing never fails: :data:`available`
and :data:`load_error` say whether it loaded.
"""

from __future__ import annotations

import ctypes
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_int, c_int32, c_int64,
                    c_size_t, c_uint32, c_uint64, c_void_p)
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable

from . import _ffi, errors
from . import _forward
from . import sqlite as _sqlite
from ._forward import Backlog, State

SONAME = "libtwin-pg.so.1"
ENV = "LIBTWIN_PG_LIBRARY"

# twin_pg_flag
NO_CREATE = 1
COPY_TEXT = 2
DIRECT = 4


class twin_pg_reject(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("twin_id", c_char_p),
                ("name", c_char_p), ("t_us", c_int64), ("value", c_double),
                ("sqlstate", c_char_p), ("message", c_char_p)]


REJECT_FN = CFUNCTYPE(None, c_void_p, POINTER(twin_pg_reject))
CLOCK_FN = CFUNCTYPE(c_int64, c_void_p)


class twin_pg_options(Structure):
    _fields_ = [("size", c_uint32), ("flags", c_uint32), ("conninfo", c_char_p),
                ("table", c_char_p), ("source", c_char_p), ("upstream", c_char_p),
                ("batch_rows", c_uint32), ("connect_timeout_ms", c_int32),
                ("request_timeout_ms", c_int32), ("retry_initial_ms", c_int32),
                ("retry_max_ms", c_int32), ("reserved_", c_uint32), ("clock", CLOCK_FN),
                ("clock_ud", c_void_p), ("on_reject", REJECT_FN), ("reject_ud", c_void_p),
                ("seed", c_uint64)]


class twin_pg_progress(Structure):
    _fields_ = [("size", c_uint32), ("state", c_int32), ("rows_confirmed", c_uint64),
                ("transactions", c_uint32), ("wait_ms", c_int32), ("last_sqlstate", c_char_p),
                ("last_message", c_char_p)]


class twin_pg_stats(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("confirmed", c_uint64),
                ("rows_sent", c_uint64), ("transactions", c_uint64), ("retries", c_uint64),
                ("splits", c_uint64), ("rejected", c_uint64), ("duplicates", c_uint64),
                ("connects", c_uint64), ("bytes_sent", c_uint64), ("redeliveries", c_uint64)]


class twin_pg_backlog_info(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("samples", c_uint64),
                ("signals", c_uint64), ("lag_us", c_int64)]


class twin_pg(Structure):
    """Opaque."""


_fw = POINTER(twin_pg)

lib, path, load_error = _forward.load("libtwin-pg", SONAME, ENV, "pg")
#: True when libtwin-pg is loaded and usable.
available = lib is not None

FUNCTIONS: dict[str, object] = {}

if lib is not None:
    _declare = _ffi.declarer(lib, FUNCTIONS, "libtwin-pg", path)
    twin_pg_last_error = _declare("twin_pg_last_error", POINTER(_ffi.twin_error), [_fw])
    _check = _forward.checker(twin_pg_last_error)
    twin_pg_options_init_ = _declare("twin_pg_options_init_", c_int,
                                     [POINTER(twin_pg_options), c_size_t], _forward.check_plain)
    twin_pg_create = _declare("twin_pg_create", c_int,
                              [POINTER(_fw), c_void_p, POINTER(twin_pg_options)],
                              _forward.check_plain)
    twin_pg_destroy = _declare("twin_pg_destroy", None, [_fw])
    twin_pg_step = _declare("twin_pg_step", c_int, [_fw, c_uint32, POINTER(twin_pg_progress)],
                            _check)
    twin_pg_backlog = _declare("twin_pg_backlog", c_int, [_fw, POINTER(twin_pg_backlog_info)],
                               _check)
    twin_pg_get_stats = _declare("twin_pg_get_stats", c_int, [_fw, POINTER(twin_pg_stats)],
                                 _check)
    _C = SimpleNamespace(create=twin_pg_create, destroy=twin_pg_destroy, step=twin_pg_step,
                         backlog=twin_pg_backlog, stats=twin_pg_get_stats)


@dataclass(frozen=True)
class Rejected:
    """A row PostgreSQL refused on its own (passed over; its batch completes)."""

    twin: str
    signal: str
    t_us: int
    value: float
    sqlstate: str
    message: str


@dataclass(frozen=True)
class Progress:
    """What one :meth:`Forwarder.step` did and what is left."""

    state: State
    confirmed: int       #: samples confirmed by this step
    transactions: int    #: transactions it tried
    wait_ms: int         #: how long to wait before the next step (0: step now)
    last_sqlstate: str   #: SQLSTATE of the last failure, "" when none
    last_message: str    #: the last failure, "" when none


@dataclass(frozen=True)
class Stats:
    """Totals since the forwarder was created."""

    confirmed: int
    rows_sent: int
    transactions: int
    retries: int
    splits: int
    rejected: int
    duplicates: int
    connects: int
    bytes_sent: int
    redeliveries: int


class Forwarder(_forward.Forwarder):
    """A forwarder (``twin_pg``) of a :class:`~libtwin.sqlite.SqliteStore`'s
    samples to the PostgreSQL of ``conninfo`` (libpq's connection string or
    URI; TLS through it, e.g. ``sslmode=verify-full sslrootcert=ca.pem``).

    Keyword options (defaults as the C library's): ``table`` (default
    ``twin_samples``), ``source`` (the gateway's name; default the host
    name), ``upstream`` (the cursor's name), ``create`` (create the table
    when missing; default True), ``copy_text`` (COPY in text, not binary),
    ``direct`` (COPY straight into the table, the staging path for batches
    it refuses), ``batch_rows`` (default 20000), ``connect_timeout_ms``,
    ``request_timeout_ms``, ``retry_initial_ms``, ``retry_max_ms``, ``seed``,
    ``on_reject`` (called with a :class:`Rejected` for each row refused on
    its own; an exception it raises comes out of the step).
    Methods as :class:`libtwin.influx.Forwarder`: ``step(budget) ->
    Progress``, ``drain(timeout_s=)``, ``backlog()``, ``stats() -> Stats``,
    ``close()`` (or ``with``).
    """

    _what = "PostgreSQL forwarder"
    _handle_t = twin_pg
    _progress_t = twin_pg_progress
    _stats_t = twin_pg_stats
    _backlog_t = twin_pg_backlog_info
    _reject_fn = REJECT_FN

    def __init__(self, db: _sqlite.SqliteStore, conninfo: str, *, table: str | None = None,
                 source: str | None = None, upstream: str | None = None, create: bool = True,
                 copy_text: bool = False, direct: bool = False, batch_rows: int | None = None,
                 connect_timeout_ms: int | None = None, request_timeout_ms: int | None = None,
                 retry_initial_ms: int | None = None, retry_max_ms: int | None = None,
                 seed: int = 0, on_reject: Callable[[Rejected], None] | None = None):
        if lib is None:
            raise OSError(load_error)
        self._c = _C
        o = twin_pg_options()
        twin_pg_options_init_(ctypes.byref(o), ctypes.sizeof(o))
        keep = {k: _forward.c_text(k, v) for k, v in (
            ("conninfo", conninfo), ("table", table), ("source", source), ("upstream", upstream))}
        if keep["conninfo"] is None:
            raise errors.InvalidArgument("conninfo is required")
        o.conninfo, o.table, o.source, o.upstream = (keep["conninfo"], keep["table"],
                                                     keep["source"], keep["upstream"])
        o.flags = ((0 if create else NO_CREATE) | (COPY_TEXT if copy_text else 0)
                   | (DIRECT if direct else 0))
        _forward.set_positive(o, batch_rows=batch_rows, connect_timeout_ms=connect_timeout_ms,
                              request_timeout_ms=request_timeout_ms,
                              retry_initial_ms=retry_initial_ms, retry_max_ms=retry_max_ms)
        _forward.set_seed(o, seed)
        self._create(db, o, on_reject)

    @staticmethod
    def _reject(x) -> Rejected:
        t = _forward.text
        return Rejected(t(x.twin_id), t(x.name), x.t_us, x.value, t(x.sqlstate), t(x.message))

    @staticmethod
    def _progress(p) -> Progress:
        t = _forward.text
        return Progress(State(p.state), p.rows_confirmed, p.transactions, p.wait_ms,
                        t(p.last_sqlstate), t(p.last_message))

    @staticmethod
    def _stats(s) -> Stats:
        return Stats(s.confirmed, s.rows_sent, s.transactions, s.retries, s.splits, s.rejected,
                     s.duplicates, s.connects, s.bytes_sent, s.redeliveries)


__all__ = ["Forwarder", "Progress", "Stats", "Backlog", "Rejected", "State", "available",
           "load_error"]
