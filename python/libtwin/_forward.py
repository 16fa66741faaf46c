"""What :mod:`libtwin.influx` and :mod:`libtwin.pg` share: loading a forwarder
library (it sits on libtwin and libtwin-sqlite), checking options, and a
forwarder handle's life: create, step, drain, backlog, stats, close."""

from __future__ import annotations

import ctypes
import enum
import os
import threading
import time
import weakref
from ctypes import c_void_p
from dataclasses import dataclass

from . import _ffi, errors
from . import sqlite as _sqlite
from ._handle import Handle


def _same(lib: ctypes.CDLL, other: ctypes.CDLL, name: str) -> bool:
    """Whether ``lib`` resolves ``name`` to the function ``other`` has."""
    return (ctypes.cast(getattr(lib, name), c_void_p).value
            == ctypes.cast(getattr(other, name), c_void_p).value)


def load(what: str, soname: str, env: str, subdir: str):
    """``(lib, path, None)`` or ``(None, None, why)``: the library ``what``
    found through ``env``, inside or beside the package, beside libtwin or
    in its ``subdir`` (a build tree), else by soname; it must use the
    libtwin and libtwin-sqlite this package loaded."""
    try:
        if _sqlite.lib is None:
            raise OSError(f"{what} needs libtwin-sqlite: {_sqlite.load_error}")
        here = os.path.dirname(os.path.abspath(__file__))
        cands = [os.path.join(here, soname), os.path.join(os.path.dirname(here), soname)]
        if os.sep in _ffi.path:  # libtwin was loaded from a path: look beside it
            beside = os.path.dirname(os.path.abspath(_ffi.path))
            cands += [os.path.join(beside, soname), os.path.join(beside, subdir, soname)]
        lib, path = _ffi.load_library(what, soname, env, cands,
                                      "put it beside the package or beside libtwin, or install it")
        if not _same(lib, _ffi.lib, "twin_version"):
            raise OSError(f"{what}: {path} uses another libtwin than {_ffi.path}")
        if not _same(lib, _sqlite.lib, "twin_sqlite_open"):
            raise OSError(f"{what}: {path} uses another libtwin-sqlite than {_sqlite.path}")
        return lib, path, None
    except OSError as e:
        return None, None, str(e)


def checker(last_error):
    """errcheck of the calls on a forwarder: its last error explains."""
    def check(rc, func, args):
        if rc < 0:
            text = _ffi.strerror(rc)
            if args[0]:
                rec = last_error(args[0])
                if rec and rec.contents.status == rc and rec.contents.message:
                    text = rec.contents.message.decode("utf-8", "replace")
            raise errors.from_status(rc, text)
        return rc
    return check


def check_plain(rc, func, args):
    """errcheck of calls without a forwarder (options, create)."""
    if rc < 0:
        raise errors.from_status(rc, f"{func.__name__}: {_ffi.strerror(rc)}")
    return rc


def text(b: bytes | None) -> str:
    return b.decode("utf-8", "replace") if b else ""


def c_text(name: str, v: str | None) -> bytes | None:
    """A str option as C wants it (None stays None)."""
    if v is None:
        return None
    if not isinstance(v, str):
        raise TypeError(f"{name} must be a str")
    raw = v.encode("utf-8")
    if b"\0" in raw:
        raise errors.InvalidArgument(f"{name} contains a NUL character")
    return raw


def set_positive(o, **values) -> None:
    """Set the int options given (None: the library's default), each > 0."""
    for name, v in values.items():
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{name} must be an int")
        if not 0 < v < 2 ** 31:
            raise errors.InvalidArgument(f"{name} must be > 0")
        setattr(o, name, v)


def set_seed(o, seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError("seed must be an int")
    if not 0 <= seed < 2 ** 64:
        raise errors.InvalidArgument("seed must be in [0, 2**64)")
    o.seed = seed


class State(enum.IntEnum):
    """What a step left (``twin_influx_state``, ``twin_pg_state``)."""

    IDLE = 0      #: nothing left to send
    SENDING = 1   #: more to send: step again now
    BACKOFF = 2   #: waiting ``wait_ms`` before a retry


@dataclass(frozen=True)
class Backlog:
    """What is left to forward (samples counted per block: at most a
    block's worth over, per signal)."""

    samples: int
    signals: int
    lag_us: int


class Forwarder(Handle):
    """The life of a forwarder handle over a
    :class:`~libtwin.sqlite.SqliteStore` (kept referenced: it must stay open
    while the forwarder lives). A subclass sets ``_c`` (its module's
    declared functions: ``create``, ``destroy``, ``step``, ``backlog``,
    ``stats``), the structs ``_progress_t``, ``_stats_t``, ``_backlog_t``,
    ``_reject_fn`` (the callback type), and converts with ``_progress``,
    ``_stats`` and ``_reject``. One thread at a time: calls are serialised
    by a lock."""

    def _create(self, db, o, on_reject) -> None:
        if not isinstance(db, _sqlite.SqliteStore):
            raise TypeError("db must be a libtwin.sqlite.SqliteStore")
        self._lock = threading.RLock()
        self._db = db
        self._pending: BaseException | None = None
        self._on_reject = on_reject
        self._reject_cb = (self._reject_fn(self._rejected) if on_reject is not None
                           else self._reject_fn())
        o.on_reject = self._reject_cb
        ptr = ctypes.POINTER(self._handle_t)()
        with db._locked():
            self._c.create(ctypes.byref(ptr), db._handle(), ctypes.byref(o))
        self._ptr = ptr
        # destroyed when collected if not closed (it never touches the database then)
        self._fin = weakref.finalize(self, self._c.destroy, ptr)

    def _rejected(self, ud, r):
        if self._pending is not None:
            return
        try:
            self._on_reject(self._reject(r.contents))
        except BaseException as e:  # noqa: BLE001 - kept, raised by the step
            self._pending = e

    def close(self) -> None:
        """Destroy the forwarder (a batch in flight is sent again by the next
        forwarder of this upstream, from the cursors). Idempotent."""
        with self._lock:
            if self._ptr is None:
                return
            self._fin()
            self._ptr = None

    def _fw(self):
        if self._db.closed:
            raise errors.Closed("the forwarder's SqliteStore is closed")
        return self._handle()

    def step(self, budget: int = 4):
        """At most ``budget`` requests or transactions (each blocking up to
        the request timeout); returns at once while a backoff delay runs.
        An exception ``on_reject`` raised comes out here."""
        if isinstance(budget, bool) or not isinstance(budget, int):
            raise TypeError("budget must be an int")
        if not 0 < budget < 2 ** 32:
            raise errors.InvalidArgument("budget must be >= 1")
        p = self._progress_t()
        p.size = ctypes.sizeof(p)
        with self._lock, self._db._locked():
            self._pending = None
            self._c.step(self._fw(), budget, ctypes.byref(p))
            if self._pending is not None:
                e, self._pending = self._pending, None
                raise e
        return self._progress(p)

    def drain(self, *, timeout_s: float | None = None, budget: int = 4):
        """Step until nothing is left (state IDLE), sleeping through backoffs;
        raises :class:`~libtwin.errors.Busy` if ``timeout_s`` passes first
        (what was confirmed stays confirmed). Returns the last step's progress."""
        end = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            p = self.step(budget)
            if p.state == State.IDLE:
                return p
            if end is not None and time.monotonic() >= end:
                raise errors.Busy(f"not drained within {timeout_s} s (last: {p.last_message})")
            if p.wait_ms > 0:
                left = None if end is None else max(0.0, end - time.monotonic())
                time.sleep(p.wait_ms / 1000 if left is None else min(p.wait_ms / 1000, left))

    def backlog(self) -> Backlog:
        """What is left to forward."""
        b = self._backlog_t()
        b.size = ctypes.sizeof(b)
        with self._lock, self._db._locked():
            self._c.backlog(self._fw(), ctypes.byref(b))
        return Backlog(b.samples, b.signals, b.lag_us)

    def stats(self):
        """Totals since creation."""
        s = self._stats_t()
        s.size = ctypes.sizeof(s)
        with self._lock:
            self._c.stats(self._handle(), ctypes.byref(s))
        return self._stats(s)
