"""libtwin-sqlite: the embedded default store, over SQLite (sqlite.h).

    >>> import libtwin
    >>> from libtwin.sqlite import SqliteStore
    >>> with SqliteStore("plant.db") as db, libtwin.Graph() as g:
    ...     st = db.store(g)                  # a libtwin.Store writing into the database
    ...     ing = libtwin.Ingest(g, st)
    ...     db.load(g, ing)                   # rebuild graph, signals, health (binds ing)
    ...     st.add_twin("motor-C", "dtmi:factory:Motor;1")
    ...     sig = ing.add_signal("motor-C", "temperature", unit="degreeCelsius")
    ...     _ = ing.write_signals(sig, [1_000_000], [40.5])
    ...     db.checkpoint(st)                 # health states, retention, WAL
    ...     db.counts().samples
    1

``libtwin-sqlite.so.1`` is a library of its own (libtwin needs no SQLite).
It is looked for, in this order:

1. the file named by ``LIBTWIN_SQLITE_LIBRARY`` (a full path; when it is
   set, nothing else is tried);
2. ``libtwin-sqlite.so.1`` inside this package's directory, then beside it;
3. beside the libtwin this package loaded, and in its ``sqlite/``
   subdirectory (the layout of a build tree);
4. ``libtwin-sqlite.so.1`` on the system library path (by soname).

It must use the same libtwin as the package (checked at load). Importing
this module never fails: when the library cannot be loaded, :data:`available`
is False, :data:`load_error` says why, and :class:`SqliteStore` raises
``OSError``.

Every function of the library (its exports are the ``TWIN_SQLITE_API``
declarations of ``include/twin/sqlite.h``, the functions of its version script) is
declared here once, with argument and result types, in ``FUNCTIONS``.
"""

from __future__ import annotations

import ctypes
import os
import threading
import weakref
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_int, c_int32, c_int64,
                    c_size_t, c_uint32, c_uint64, c_void_p)
from dataclasses import dataclass
from typing import Callable, NamedTuple

from . import _ffi, errors
from . import health as _health
from ._handle import Handle
from .graph import Graph
from .storage import Store
from .values import encode_id

SONAME = "libtwin-sqlite.so.1"
ENV = "LIBTWIN_SQLITE_LIBRARY"
SCHEMA_VERSION = 7  # TWIN_SQLITE_SCHEMA_VERSION
TIERS_MAX = 4  # TWIN_SQLITE_TIERS_MAX

# twin_sqlite_policy_scope
POLICY_DEFAULT = 0
POLICY_MODEL = 1
POLICY_SIGNAL = 2

# twin_sqlite_flag
READONLY = 1
NO_CREATE = 2
SYNC_FULL = 4

INT64_MIN = -(1 << 63)


# ---- types ----------------------------------------------------------------------------


class twin_sqlite_options(Structure):
    _fields_ = [("size", c_uint32), ("flags", c_uint32), ("busy_timeout_ms", c_int32),
                ("reserved_", c_uint32)]


class twin_sqlite_retention(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("raw_keep_us", c_int64),
                ("bucket_us", c_int64), ("rollup_keep_us", c_int64)]


class twin_sqlite_retention_stats(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("cutoff_us", c_int64),
                ("raw_folded", c_uint64), ("rollups_written", c_uint64),
                ("rollups_deleted", c_uint64)]


class twin_sqlite_counts(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("twins", c_uint64),
                ("relationships", c_uint64), ("signals", c_uint64), ("samples", c_uint64),
                ("rollups", c_uint64), ("health", c_uint64), ("file_bytes", c_uint64),
                ("late_duplicates", c_uint64)]


DOCUMENT_FN = CFUNCTYPE(c_int, c_void_p, c_char_p, c_char_p)
SAMPLES_FN = CFUNCTYPE(c_int, c_void_p, POINTER(c_int64), POINTER(ctypes.c_double), c_size_t)


class twin_sqlite_bucket(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("t_us", c_int64),
                ("count", c_uint64), ("mean", ctypes.c_double), ("min", ctypes.c_double),
                ("max", ctypes.c_double), ("first", ctypes.c_double), ("last", ctypes.c_double)]


class twin_sqlite_bad_block(Structure):
    _fields_ = [("size", c_uint32), ("status", c_int32), ("twin_id", c_char_p),
                ("name", c_char_p), ("t0_us", c_int64), ("t1_us", c_int64),
                ("samples", c_uint64), ("open", c_int32), ("reserved_", c_uint32)]


BAD_BLOCK_FN = CFUNCTYPE(c_int, c_void_p, POINTER(twin_sqlite_bad_block))


class twin_sqlite_tier(Structure):
    _fields_ = [("res_us", c_int64), ("keep_us", c_int64)]


class twin_sqlite_policy(Structure):
    _fields_ = [("size", c_uint32), ("ntiers", c_uint32), ("raw_keep_us", c_int64),
                ("tier", twin_sqlite_tier * TIERS_MAX)]


class twin_sqlite_fold_stats(Structure):
    _fields_ = [("size", c_uint32), ("more", c_uint32), ("blocks_folded", c_uint64),
                ("samples_folded", c_uint64), ("rows_written", c_uint64),
                ("rows_deleted", c_uint64), ("bad_blocks", c_uint64)]


class twin_sqlite_tier_answer(Structure):
    _fields_ = [("size", c_uint32), ("tier", c_int32), ("res_us", c_int64),
                ("covered_from_us", c_int64), ("complete", c_int32), ("reserved_", c_uint32)]


class twin_sqlite_tier_info(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("res_us", c_int64),
                ("signals", c_uint64), ("rows", c_uint64), ("buckets", c_uint64),
                ("samples", c_uint64), ("t_min_us", c_int64), ("t_max_us", c_int64),
                ("bytes", c_uint64)]


TIER_INFO_FN = CFUNCTYPE(c_int, c_void_p, POINTER(twin_sqlite_tier_info))
POLICY_FN = CFUNCTYPE(c_int, c_void_p, c_int, c_char_p, c_char_p, POINTER(twin_sqlite_policy),
                      c_char_p)


# ---- loading the library --------------------------------------------------------------


def _candidates() -> list[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    out = [os.path.join(here, SONAME), os.path.join(os.path.dirname(here), SONAME)]
    if os.sep in _ffi.path:  # libtwin was loaded from a path: look beside it
        beside = os.path.dirname(os.path.abspath(_ffi.path))
        out += [os.path.join(beside, SONAME), os.path.join(beside, "sqlite", SONAME)]
    return out


def _same_libtwin(lib: ctypes.CDLL) -> bool:
    """Whether ``lib`` resolves libtwin's symbols to the libtwin this package uses
    (two copies in one process would mix handles of one with the other)."""
    theirs = ctypes.cast(lib.twin_version, c_void_p).value
    ours = ctypes.cast(_ffi.lib.twin_version, c_void_p).value
    return theirs == ours


lib: ctypes.CDLL | None = None
path: str | None = None
#: Why the library could not be loaded (None when :data:`available`).
load_error: str | None = None
try:
    lib, path = _ffi.load_library("libtwin-sqlite", SONAME, ENV, _candidates(),
                                  "put it beside the package or beside libtwin, or install it")
    if not _same_libtwin(lib):
        raise OSError(f"libtwin-sqlite: {path} uses another libtwin than {_ffi.path}")
except OSError as e:
    lib, path, load_error = None, None, str(e)

#: True when libtwin-sqlite is loaded and usable.
available = lib is not None

# ---- declarations ---------------------------------------------------------------------

FUNCTIONS: dict[str, object] = {}


def _record_text(db, status: int) -> str:
    """The database's last error message if it is about ``status``."""
    if db:
        rec = twin_sqlite_last_error(db).contents
        if rec.status == status and rec.message:
            return rec.message.decode("utf-8", "replace")
    return _ffi.strerror(status)


def _check(rc, func, args):
    """errcheck of the calls on a database: its last error explains."""
    if rc < 0:
        raise errors.from_status(rc, _record_text(args[0], rc))
    return rc


def _check_plain(rc, func, args):
    """errcheck of calls with no database handle."""
    if rc < 0:
        raise errors.from_status(rc, f"{func.__name__}: {_ffi.strerror(rc)}")
    return rc


def _check_open(rc, func, args):
    """errcheck of twin_sqlite_open: on failure the handle only carries the
    error; it is read, then closed."""
    if rc < 0:
        out = args[0].contents
        text = _record_text(out.value, rc) if out.value else _ffi.strerror(rc)
        if out.value:
            twin_sqlite_close(out.value)
            out.value = None
        raise errors.from_status(rc, text)
    return rc


def _check_parse(rc, func, args):
    """errcheck of twin_sqlite_policy_parse: its twin_error explains."""
    if rc < 0:
        e = args[2]._obj if hasattr(args[2], "_obj") else None
        msg = e.message.decode("utf-8", "replace") if e is not None and e.message else ""
        raise errors.from_status(rc, f"policy {args[0].decode('utf-8', 'replace')!r}: {msg}")
    return rc


def _check_parse_struct(rc, func, args):
    """errcheck of twin_sqlite_policy_check: its twin_error explains."""
    if rc < 0:
        e = args[1]._obj if hasattr(args[1], "_obj") else None
        msg = e.message.decode("utf-8", "replace") if e is not None and e.message else ""
        raise errors.from_status(rc, f"policy: {msg}")
    return rc


def _check_more(rc, func, args):
    """errcheck of reads into a caller's array: TWIN_E_RANGE comes back (the
    caller grows the array when more is there), the rest raises."""
    if rc < 0 and rc != errors.E_RANGE:
        raise errors.from_status(rc, _record_text(args[0], rc))
    return rc


if lib is not None:
    _declare = _ffi.declarer(lib, FUNCTIONS, "libtwin-sqlite", path)
    _db, _st = c_void_p, c_int  # twin_sqlite *, twin_status
    twin_sqlite_options_init_ = _declare("twin_sqlite_options_init_", _st,
                                         [POINTER(twin_sqlite_options), c_size_t], _check_plain)
    twin_sqlite_last_error = _declare("twin_sqlite_last_error", POINTER(_ffi.twin_error), [_db])
    twin_sqlite_close = _declare("twin_sqlite_close", None, [_db])
    twin_sqlite_open = _declare("twin_sqlite_open", _st,
                                [POINTER(c_void_p), c_char_p, POINTER(twin_sqlite_options)],
                                _check_open)
    twin_sqlite_callbacks = _declare("twin_sqlite_callbacks", _st,
                                     [_db, POINTER(_ffi.twin_store_callbacks)], _check)
    twin_sqlite_bind_ingest = _declare("twin_sqlite_bind_ingest", _st, [_db, c_void_p], _check)
    twin_sqlite_load = _declare("twin_sqlite_load", _st,
                                [_db, _ffi.graph_p, c_void_p,
                                 POINTER(_ffi.twin_signal_options)], _check)
    twin_sqlite_set_retention = _declare("twin_sqlite_set_retention", _st,
                                         [_db, POINTER(twin_sqlite_retention)], _check)
    twin_sqlite_apply_retention = _declare("twin_sqlite_apply_retention", _st,
                                           [_db, POINTER(twin_sqlite_retention), c_int64,
                                            POINTER(twin_sqlite_retention_stats)], _check)
    twin_sqlite_checkpoint = _declare("twin_sqlite_checkpoint", _st, [_db, c_void_p], _check)
    twin_sqlite_get_counts = _declare("twin_sqlite_get_counts", _st,
                                      [_db, POINTER(twin_sqlite_counts)], _check)
    twin_sqlite_put_document = _declare("twin_sqlite_put_document", _st,
                                        [_db, c_char_p, c_char_p, c_char_p], _check)
    twin_sqlite_documents = _declare("twin_sqlite_documents", _st,
                                     [_db, c_char_p, DOCUMENT_FN, c_void_p], _check)
    twin_sqlite_read = _declare("twin_sqlite_read", _st,
                                [_db, c_char_p, c_char_p, c_int64, c_int64, SAMPLES_FN,
                                 c_void_p], _check)
    twin_sqlite_value_at = _declare("twin_sqlite_value_at", _st,
                                    [_db, c_char_p, c_char_p, c_int64, POINTER(c_int64),
                                     POINTER(ctypes.c_double)], _check)
    twin_sqlite_read_buckets = _declare("twin_sqlite_read_buckets", _st,
                                        [_db, c_char_p, c_char_p, c_int64, c_int64, c_int64,
                                         POINTER(twin_sqlite_bucket), c_size_t,
                                         POINTER(c_size_t)], _check)
    twin_sqlite_check_blocks = _declare("twin_sqlite_check_blocks", _st,
                                        [_db, BAD_BLOCK_FN, c_void_p, POINTER(c_uint64)],
                                        _check)
    twin_sqlite_policy_init_ = _declare("twin_sqlite_policy_init_", _st,
                                        [POINTER(twin_sqlite_policy), c_size_t], _check_plain)
    twin_sqlite_policy_check = _declare("twin_sqlite_policy_check", _st,
                                        [POINTER(twin_sqlite_policy), POINTER(_ffi.twin_error)],
                                        _check_parse_struct)
    twin_sqlite_policy_parse = _declare("twin_sqlite_policy_parse", _st,
                                        [c_char_p, POINTER(twin_sqlite_policy),
                                         POINTER(_ffi.twin_error)], _check_parse)
    twin_sqlite_policy_format = _declare("twin_sqlite_policy_format", _st,
                                         [POINTER(twin_sqlite_policy), c_char_p, c_size_t,
                                          POINTER(c_size_t)], _check_plain)
    twin_sqlite_tier_info_each = _declare("twin_sqlite_tier_info_each", _st,
                                          [_db, TIER_INFO_FN, c_void_p], _check)
    twin_sqlite_set_policy = _declare("twin_sqlite_set_policy", _st,
                                      [_db, c_int, c_char_p, c_char_p,
                                       POINTER(twin_sqlite_policy)], _check)
    twin_sqlite_policies = _declare("twin_sqlite_policies", _st, [_db, POLICY_FN, c_void_p],
                                    _check)
    twin_sqlite_set_fold_budget = _declare("twin_sqlite_set_fold_budget", _st,
                                           [_db, c_uint32, c_uint32], _check)
    twin_sqlite_fold = _declare("twin_sqlite_fold", _st,
                                [_db, c_uint64, POINTER(twin_sqlite_fold_stats)], _check)
    twin_sqlite_read_tier = _declare("twin_sqlite_read_tier", _st,
                                     [_db, c_char_p, c_char_p, c_int64, c_int64, c_int64,
                                      POINTER(twin_sqlite_bucket), c_size_t, POINTER(c_size_t),
                                      POINTER(twin_sqlite_tier_answer)], _check_more)
    # 1.7: ingest sources kept in the database
    twin_sqlite_save_sources = _declare("twin_sqlite_save_sources", _st, [_db, c_void_p], _check)
    twin_sqlite_load_sources = _declare("twin_sqlite_load_sources", _st, [_db, c_void_p], _check)
    # The sqlite3 * of the handle (for reading; not used by this binding).
    twin_sqlite_connection = _declare("twin_sqlite_connection", c_void_p, [_db])


def _require() -> None:
    if lib is None:
        raise OSError(load_error)


# ---- the Pythonic surface -------------------------------------------------------------


class Retention(NamedTuple):
    """A retention policy (``twin_sqlite_retention``), in microseconds: raw
    samples are kept for ``raw_keep_us``, older ones are folded into rollups
    of ``bucket_us`` (count, mean, min, max), and rollups older than
    ``rollup_keep_us`` are deleted (0: kept forever)."""

    raw_keep_us: int
    bucket_us: int
    rollup_keep_us: int = 0

    def _c(self) -> twin_sqlite_retention:
        r = twin_sqlite_retention()
        r.size = ctypes.sizeof(r)
        r.raw_keep_us, r.bucket_us = int(self.raw_keep_us), int(self.bucket_us)
        r.rollup_keep_us = int(self.rollup_keep_us)
        return r


@dataclass(frozen=True)
class RetentionStats:
    """What :meth:`SqliteStore.apply_retention` did: raw samples before
    ``cutoff_us`` (None: no cutoff, nothing old enough) were folded."""

    cutoff_us: int | None
    raw_folded: int
    rollups_written: int
    rollups_deleted: int


@dataclass(frozen=True)
class SqliteCounts:
    """What a database holds (``twin_sqlite_counts``)."""

    twins: int
    relationships: int
    signals: int
    samples: int
    rollups: int
    health: int
    file_bytes: int
    #: late samples at a time already held, dropped since the database was opened
    late_duplicates: int = 0


def _close_db(ptr) -> None:
    twin_sqlite_close(ptr)


def _unbinder(db_ref, ing_ptr):
    """An Ingest close hook: unbind the database from the handle going away."""
    def unbind() -> None:
        db = db_ref()
        if db is not None and db._ptr is not None and db._bound == ing_ptr:
            twin_sqlite_bind_ingest(db._ptr, None)
            db._bound = None
    return unbind


class SqliteStore(Handle):
    """A store database (``twin_sqlite``), closed by :meth:`close` or ``with``.

    Opens (or creates) ``path`` in WAL mode with the libtwin schema.
    ``readonly``: every write fails with IOFailure; ``create=False``:
    IOFailure when the file does not exist; ``sync_full``: commits survive a
    power loss (slower); ``busy_timeout_ms``: how long a write waits for
    another connection's lock (default 1000) before :class:`~libtwin.Busy`.
    Another application's database, or a newer schema, raises InvalidState.

    Use it as the callbacks of one :class:`~libtwin.Store` at a time
    (:meth:`store`, or ``Store(graph, db)``): everything the store's outbox
    delivers between two flushes is one transaction. :meth:`bind_ingest`
    (done by :meth:`load`) lets it store health states with their options.
    Closing it closes its store (and the store's Ingest) first: flush the
    store before, or its unconfirmed records are dropped (the database
    rolls back what was not flushed).
    """

    _what = "SQLite store"

    def __init__(self, path, *, readonly: bool = False, create: bool = True,
                 sync_full: bool = False, busy_timeout_ms: int | None = None):
        _require()
        self._lock = threading.RLock()
        self._stores: weakref.WeakSet = weakref.WeakSet()
        self._bound = None          # address of the Ingest the database is bound to
        self._retention: Retention | None = None
        raw = os.fsencode(path)
        if b"\0" in raw:
            raise errors.InvalidArgument(f"path {path!r} contains a NUL character")
        o = twin_sqlite_options()
        twin_sqlite_options_init_(ctypes.byref(o), ctypes.sizeof(o))
        o.flags = ((READONLY if readonly else 0) | (0 if create else NO_CREATE)
                   | (SYNC_FULL if sync_full else 0))
        if busy_timeout_ms is not None:
            if isinstance(busy_timeout_ms, bool) or not isinstance(busy_timeout_ms, int):
                raise TypeError("busy_timeout_ms must be an int")
            if not 0 <= busy_timeout_ms < 2 ** 31:
                raise errors.InvalidArgument("busy_timeout_ms must be >= 0")
            o.busy_timeout_ms = busy_timeout_ms
        ptr = c_void_p()
        twin_sqlite_open(ctypes.pointer(ptr), raw, ctypes.byref(o))
        self.path = os.fsdecode(raw)
        self._ptr = ptr.value
        self._fin = weakref.finalize(self, _close_db, ptr.value)

    # ---- lifetime -----------------------------------------------------------------

    def _store(self):
        """The open Store using this database, if any."""
        for st in list(self._stores):
            if not st.closed:
                return st
        return None

    def _locked(self):
        """The locks a call on the database takes: its store's graph's, then its own."""
        st = self._store()
        return _Locks(st.graph._lock if st is not None else None, self._lock)

    def close(self) -> None:
        """Close the database, its Store (and the store's Ingest) first.
        Idempotent. What the store delivered but did not flush is rolled back."""
        with self._locked():
            if self._ptr is None:
                return
            for st in list(self._stores):
                st.close()
            self._fin()
            self._ptr = None
            self._bound = None

    # ---- the store ----------------------------------------------------------------

    def _native_store_callbacks(self):
        """For Store(graph, db): the C callbacks writing into this database,
        and what the Store must keep alive while C uses them (this object)."""
        with self._lock:
            ptr = self._handle()
            if self._store() is not None:
                raise errors.InvalidState("a SqliteStore serves one Store at a time "
                                          "(close the other first)")
            cb = _ffi.twin_store_callbacks()
            cb.size = ctypes.sizeof(cb)
            twin_sqlite_callbacks(ptr, ctypes.byref(cb))
            return cb, self

    def store(self, graph: Graph, *, outbox_bytes: int | None = None) -> Store:
        """A :class:`~libtwin.Store` of ``graph`` whose callbacks write into
        this database (``Store(graph, self, outbox_bytes=...)``)."""
        return Store(graph, self, outbox_bytes=outbox_bytes)

    def _bind(self, ingest) -> None:
        """Record a binding to ``ingest`` (done in C), unbound when it goes."""
        ing_ptr = ingest._handle()
        self._bound = ing_ptr
        ingest._hooks.append(_unbinder(weakref.ref(self), ing_ptr))

    def bind_ingest(self, ingest) -> None:
        """Tell the database the :class:`~libtwin.Ingest` of its store, so
        that health states are stored with their options (without it they
        are not stored); None unbinds. :meth:`load` binds its ingest. The
        binding ends when the Ingest is closed."""
        with self._locked():
            ptr = self._handle()
            if ingest is None:
                twin_sqlite_bind_ingest(ptr, None)
                self._bound = None
                return
            twin_sqlite_bind_ingest(ptr, ingest._handle())
            self._bind(ingest)

    def load(self, graph: Graph, ingest=None, *, order: str = "reject", window_us: int = 0,
             history: int = 0, alarm_low: float | None = None,
             alarm_high: float | None = None, health_step: float = 0.0) -> None:
        """Rebuild ``graph`` and the signals, latest values and health states
        of ``ingest`` (an :class:`~libtwin.Ingest` over it, or None: signals
        skipped) from the database, then bind ``ingest``.

        Twins are checked by the graph's validator: give the graph its
        models first (e.g. from :meth:`documents`). The keyword arguments
        are the options of the loaded signals (as
        :meth:`Ingest.add_signal <libtwin.Ingest.add_signal>`; each keeps its
        own unit). All or nothing; signals get new handles (resolve them
        again). The ingest handle's store must have nothing unconfirmed.
        """
        from .ingest import _signal_options
        if not isinstance(graph, Graph):
            raise TypeError(f"load needs a Graph, not {type(graph).__name__}")
        keep: list = []
        so = _signal_options(None, order, window_us, history, alarm_low, alarm_high,
                             health_step, keep)
        with graph._lock, self._locked():
            ptr = self._handle()
            gp = graph._handle()
            ing = None
            if ingest is not None:
                if ingest.graph is not graph:
                    raise errors.InvalidArgument("the ingest handle is over another graph")
                ing = ingest._handle()
                store = ingest.store
                if ingest._running or (store is not None and store._running):
                    raise errors.InvalidState(
                        "cannot load from inside an ingest or store callback")
            if graph._busy or graph._hooks.readonly:
                raise errors.InvalidArgument("cannot load a graph from inside one of its calls")
            graph._busy += 1
            failure = None
            try:
                with _health._Collect() as models:
                    twin_sqlite_load(ptr, gp, ing, ctypes.byref(so))
            except errors.TwinError as e:
                failure = e
            finally:
                graph._busy -= 1
                graph._version += 1
            if failure is None and ingest is not None:
                self._bind(ingest)
            for exc in (graph._hooks.take(), models.error, failure):
                if exc is not None:
                    raise exc

    def checkpoint(self, store: Store) -> None:
        """Queue the changed health states of ``store`` (which writes into
        this database), flush it, apply the retention policy if one is set
        (at the newest sample's time), and checkpoint the WAL."""
        if not isinstance(store, Store):
            raise TypeError(f"checkpoint needs a Store, not {type(store).__name__}")
        if store not in self._stores:
            raise errors.InvalidArgument("the store does not write into this database")

        def run(store_ptr):
            with self._lock:
                return twin_sqlite_checkpoint(self._handle(), store_ptr)
        store._call(run)

    # ---- retention ----------------------------------------------------------------

    @property
    def retention(self) -> Retention | None:
        """The policy :meth:`checkpoint` applies (None: none)."""
        return self._retention

    def set_retention(self, policy: Retention | None) -> None:
        """Set (or, with None, clear) the retention policy :meth:`checkpoint`
        applies; a :class:`Retention` or a ``(raw_keep_us, bucket_us[,
        rollup_keep_us])`` tuple."""
        if policy is not None and not isinstance(policy, Retention):
            policy = Retention(*policy)
        with self._locked():
            twin_sqlite_set_retention(self._handle(),
                                      None if policy is None else ctypes.byref(policy._c()))
            self._retention = policy

    def apply_retention(self, policy: Retention | None = None,
                        now_us: int | None = None) -> RetentionStats:
        """Fold raw samples older than ``now_us - raw_keep_us`` (rounded down
        to a bucket) into rollups and delete them, and delete old rollups, in
        one transaction. ``policy``: None for the one set with
        :meth:`set_retention`; ``now_us``: None for the newest raw sample's
        time. The store must have flushed (InvalidState otherwise)."""
        if policy is not None and not isinstance(policy, Retention):
            policy = Retention(*policy)
        out = twin_sqlite_retention_stats()
        out.size = ctypes.sizeof(out)
        out.cutoff_us = INT64_MIN
        with self._locked():
            twin_sqlite_apply_retention(self._handle(),
                                        None if policy is None else ctypes.byref(policy._c()),
                                        INT64_MIN if now_us is None else int(now_us),
                                        ctypes.byref(out))
        return RetentionStats(None if out.cutoff_us == INT64_MIN else out.cutoff_us,
                              out.raw_folded, out.rollups_written, out.rollups_deleted)

    # ---- reading ------------------------------------------------------------------

    def counts(self) -> SqliteCounts:
        """Rows of each table, and the bytes of the pages in use."""
        c = twin_sqlite_counts()
        c.size = ctypes.sizeof(c)
        with self._locked():
            twin_sqlite_get_counts(self._handle(), ctypes.byref(c))
        return SqliteCounts(c.twins, c.relationships, c.signals, c.samples, c.rollups,
                            c.health, c.file_bytes, c.late_duplicates)

    def read(self, twin_id: str, name: str, from_us: int = -(1 << 63),
             to_us: int = (1 << 63) - 1) -> list[tuple[int, float]]:
        """``(t_us, value)`` of a signal's samples with times in
        ``[from_us, to_us)``, oldest first (compressed blocks and late
        samples; every value exactly as written). ParseError when a block
        is corrupted (its message names it)."""
        out: list = []

        def each(_ud, t, v, n):
            out.extend((t[k], v[k]) for k in range(n))
            return errors.OK

        c_each = SAMPLES_FN(each)
        with self._locked():
            twin_sqlite_read(self._handle(), encode_id(twin_id, "twin id"),
                             encode_id(name, "name"), from_us, to_us, c_each, None)
        return out

    def value_at(self, twin_id: str, name: str, t_us: int) -> tuple[int, float]:
        """``(t_us, value)`` of the signal's newest sample at or before ``t_us``
        (NotFound when there is none)."""
        t, v = c_int64(), ctypes.c_double()
        with self._locked():
            twin_sqlite_value_at(self._handle(), encode_id(twin_id, "twin id"),
                                 encode_id(name, "name"), t_us, ctypes.byref(t), ctypes.byref(v))
        return t.value, v.value

    # ---- tiers --------------------------------------------------------------------

    def set_policy(self, text: str | None, *, model: str | None = None,
                   signal: tuple[str, str] | None = None) -> None:
        """Keep a tier policy in the database (text such as
        ``"raw:7d,1m:90d,1h:5y"``): the default one, ``model``'s (a DTMI) or
        ``signal``'s (``(twin_id, name)``); ``None`` as text removes it.
        InvalidArgument (with the rule) or ParseError for a bad policy."""
        if model is not None and signal is not None:
            raise errors.InvalidArgument("model and signal exclude each other")
        p = None if text is None else _parse_policy(text)
        scope, key, name = POLICY_DEFAULT, None, None
        if model is not None:
            scope, key = POLICY_MODEL, encode_id(model, "model")
        elif signal is not None:
            scope = POLICY_SIGNAL
            key, name = encode_id(signal[0], "twin id"), encode_id(signal[1], "name")
        with self._locked():
            twin_sqlite_set_policy(self._handle(), scope, key, name,
                                   None if p is None else ctypes.byref(p))

    def policies(self) -> list[tuple[str, str | None, str | None, str]]:
        """``(scope, key, name, text)`` of every stored policy; scope is
        ``"default"``, ``"model"`` or ``"signal"``."""
        out: list = []
        scopes = {POLICY_DEFAULT: "default", POLICY_MODEL: "model", POLICY_SIGNAL: "signal"}

        def each(_ud, scope, key, name, _p, text):
            dec = (lambda b: None if b is None else b.decode("utf-8"))
            out.append((scopes.get(scope, str(scope)), dec(key), dec(name), dec(text)))
            return errors.OK

        c_each = POLICY_FN(each)
        with self._locked():
            twin_sqlite_policies(self._handle(), c_each, None)
        return out

    def set_fold_budget(self, blocks: int, rows: int) -> None:
        """How much a flush folds: ``blocks`` blocks and ``rows`` deleted
        rows at most (0 and 0: flushes do not fold)."""
        with self._locked():
            twin_sqlite_set_fold_budget(self._handle(), blocks, rows)

    def fold(self, blocks: int = 0) -> FoldStats:
        """Fold what is due now (at most ``blocks`` blocks; 0: all), in one
        transaction. The store must have flushed."""
        out = twin_sqlite_fold_stats()
        out.size = ctypes.sizeof(out)
        with self._locked():
            twin_sqlite_fold(self._handle(), blocks, ctypes.byref(out))
        return FoldStats(out.blocks_folded, out.samples_folded, out.rows_written,
                         out.rows_deleted, out.bad_blocks, bool(out.more))

    def tier_info(self) -> list[TierInfo]:
        """What each tier holds (raw first, then each bucket width) and its
        bytes on disk."""
        out: list = []

        def each(_ud, t):
            t = t.contents
            out.append(TierInfo(t.res_us, t.signals, t.rows, t.buckets, t.samples,
                                None if t.t_min_us == INT64_MIN else t.t_min_us,
                                None if t.t_max_us == INT64_MIN else t.t_max_us, t.bytes))
            return errors.OK

        c_each = TIER_INFO_FN(each)
        with self._locked():
            twin_sqlite_tier_info_each(self._handle(), c_each, None)
        return out

    def read_tier(self, twin_id: str, name: str, from_us: int, to_us: int,
                  bucket_us: int) -> tuple[list[Bucket], TierAnswer]:
        """A signal's buckets of ``bucket_us`` over ``[from_us, to_us)``
        from the finest tier that covers the range, and which tier that was."""
        cap, n = 1024, c_size_t()
        ans = twin_sqlite_tier_answer()
        ans.size = ctypes.sizeof(ans)
        while True:
            buf = (twin_sqlite_bucket * cap)()
            buf[0].size = ctypes.sizeof(twin_sqlite_bucket)
            with self._locked():
                h = self._handle()
                rc = twin_sqlite_read_tier(h, encode_id(twin_id, "twin id"),
                                           encode_id(name, "name"), from_us, to_us, bucket_us,
                                           buf, cap, ctypes.byref(n), ctypes.byref(ans))
                if rc == errors.E_RANGE and n.value > cap:
                    cap = n.value
                    continue
                if rc < 0:  # an inverted range
                    raise errors.from_status(rc, _record_text(h, rc))
            break
        out = [Bucket(b.t_us, b.count, b.mean, b.min, b.max, b.first, b.last)
               for b in buf[:n.value]]
        return out, TierAnswer(ans.tier, ans.res_us,
                               None if ans.covered_from_us == INT64_MIN else ans.covered_from_us,
                               bool(ans.complete))

    # ---- documents ----------------------------------------------------------------

    def save_sources(self, ingest) -> None:
        """Keep ``ingest``'s sources (their clock models) and each signal's source
        in the database (``twin_sqlite_save_sources``, libtwin-sqlite 1.7)."""
        with self._locked():
            twin_sqlite_save_sources(self._handle(), ingest._handle())

    def load_sources(self, ingest) -> None:
        """Put the kept sources back into ``ingest`` (load its signals first),
        all or nothing (``twin_sqlite_load_sources``)."""
        with self._locked():
            twin_sqlite_load_sources(self._handle(), ingest._handle())

    def put_document(self, kind: str, name: str, body: str) -> None:
        """Keep a text document (e.g. kind ``"dtdl"``, a DTMI as name, the
        model as body), replacing the one of the same kind and name;
        committed at once. InvalidState while the store has delivered
        records it has not flushed."""
        if not isinstance(body, str):
            raise TypeError(f"body must be str, not {type(body).__name__}")
        raw = encode_id(body, "document body")
        with self._locked():
            twin_sqlite_put_document(self._handle(), encode_id(kind, "kind"),
                                     encode_id(name, "name"), raw)

    def for_each_document(self, kind: str, fn: Callable[[str, str], object]) -> bool:
        """Call ``fn(name, body)`` for each document of ``kind``, in the order
        they were first put. ``fn`` returning False stops (the result is
        then False); an exception it raises stops and is re-raised."""
        if not callable(fn):
            raise TypeError("fn must be callable")
        raised: list = []
        stopped = [False]

        def each(_ud, name, body):
            try:
                verdict = fn(name.decode("utf-8", "replace"), body.decode("utf-8", "replace"))
            except BaseException as e:  # noqa: BLE001 - re-raised after the call
                raised.append(e)
                return errors.E_IO
            if verdict is False:
                stopped[0] = True
                return errors.DONE
            return errors.OK

        c_each = DOCUMENT_FN(each)
        failure = None
        with self._locked():
            try:
                rc = twin_sqlite_documents(self._handle(), encode_id(kind, "kind"), c_each, None)
            except errors.TwinError as e:
                failure = e
        if raised:
            raise raised[0]
        if failure is not None:
            raise failure
        return not stopped[0] and rc == errors.OK

    def documents(self, kind: str) -> list[tuple[str, str]]:
        """``(name, body)`` of each document of ``kind``, in the order first put."""
        out: list = []
        self.for_each_document(kind, lambda name, body: out.append((name, body)))
        return out

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<libtwin.sqlite.SqliteStore closed>"
        return f"<libtwin.sqlite.SqliteStore {self.path!r}>"


class FoldStats(NamedTuple):
    """What :meth:`SqliteStore.fold` did (``twin_sqlite_fold_stats``)."""

    blocks_folded: int
    samples_folded: int
    rows_written: int
    rows_deleted: int
    bad_blocks: int
    more: bool


class TierInfo(NamedTuple):
    """What one tier holds (``twin_sqlite_tier_info``); ``res_us`` 0: raw."""

    res_us: int
    signals: int
    rows: int
    buckets: int
    samples: int
    t_min_us: int | None
    t_max_us: int | None
    bytes: int


class Bucket(NamedTuple):
    """One bucket of a downsampled read (``twin_sqlite_bucket``)."""

    t_us: int
    count: int
    mean: float
    min: float
    max: float
    first: float
    last: float


class TierAnswer(NamedTuple):
    """Which tier answered a :meth:`SqliteStore.read_tier`: ``tier`` 0 raw,
    k >= 1 the k-th finest width of the signal (``res_us``); it holds data
    from ``covered_from_us`` (None: from the start); ``complete`` when that
    is at or before the range's start."""

    tier: int
    res_us: int
    covered_from_us: int | None
    complete: bool


def _parse_policy(text: str) -> twin_sqlite_policy:
    p = twin_sqlite_policy()
    p.size = ctypes.sizeof(p)
    twin_sqlite_policy_parse(encode_id(text, "policy"), ctypes.byref(p),
                             ctypes.byref(_ffi.twin_error()))
    return p



class _Locks:
    """Holds an optional outer lock, then an inner one."""

    __slots__ = ("outer", "inner")

    def __init__(self, outer, inner):
        self.outer, self.inner = outer, inner

    def __enter__(self):
        if self.outer is not None:
            self.outer.acquire()
        self.inner.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.inner.release()
        if self.outer is not None:
            self.outer.release()


__all__ = ["SqliteStore", "Retention", "RetentionStats", "SqliteCounts", "FoldStats", "Bucket",
           "TierAnswer", "TierInfo", "available", "load_error", "SCHEMA_VERSION"]
