"""Status codes of libtwin and the exceptions they become.

Every failure the C library reports (a negative ``twin_status``) is raised
as a :class:`TwinError` subclass chosen by the status, carrying the status
code and the handle's message. Codes this binding does not know yet are
raised as :class:`TwinError` itself, so callers catching the base class keep
working when the library grows new codes.
"""

from __future__ import annotations

# twin_status values (twin.h). Fixed forever; new ones are only appended.
OK = 0
DONE = 1
E_NOMEM = -1
E_INVAL = -2
E_NOTFOUND = -3
E_EXISTS = -4
E_RANGE = -5
E_PARSE = -6
E_ABI = -7
E_CONSTRAINT = -8
E_MODIFIED = -9
E_STATE = -10
E_IO = -11
E_BUSY = -12


class TwinError(Exception):
    """A libtwin failure: ``status`` is the twin_status, ``message`` the detail.

    Subclasses fix ``status``; the base class takes it as an argument (it is
    raised as such for codes this binding does not know).
    """

    status_code: int | None = None
    #: What the failing call found wrong, item by item, when it reports
    #: that way (the DTDL calls of :class:`~libtwin.Models`); else empty.
    diagnostics: tuple = ()

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is None:
            status = self.status_code if self.status_code is not None else E_INVAL
        self.status = status

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status})"


class NoMemory(TwinError, MemoryError):
    """TWIN_E_NOMEM: an allocation failed; the handle is unchanged."""

    status_code = E_NOMEM


class InvalidArgument(TwinError, ValueError):
    """TWIN_E_INVAL: an argument is invalid (empty, not UTF-8, bad value)."""

    status_code = E_INVAL


class Closed(InvalidArgument):
    """A method was called on a closed Graph, Impact or Models (status TWIN_E_INVAL)."""


class NotFound(TwinError, LookupError):
    """TWIN_E_NOTFOUND: no such twin, relationship or property."""

    status_code = E_NOTFOUND


class AlreadyExists(TwinError):
    """TWIN_E_EXISTS: the identifier is taken."""

    status_code = E_EXISTS


class LimitExceeded(TwinError):
    """TWIN_E_RANGE: a length, count, depth or numeric range is exceeded."""

    status_code = E_RANGE


class ParseError(TwinError):
    """TWIN_E_PARSE: input text could not be parsed."""

    status_code = E_PARSE


class AbiMismatch(TwinError):
    """TWIN_E_ABI: the loaded library does not match this binding."""

    status_code = E_ABI


class ConstraintViolated(TwinError):
    """TWIN_E_CONSTRAINT: the change breaks a rule (or a validator said no)."""

    status_code = E_CONSTRAINT


class Modified(TwinError):
    """TWIN_E_MODIFIED: the graph changed underneath a read or traversal."""

    status_code = E_MODIFIED


class InvalidState(TwinError):
    """TWIN_E_STATE: the handle's state forbids the call (e.g. adding to a
    resolved model set, resolving from inside a resolver)."""

    status_code = E_STATE


class IOFailure(TwinError, OSError):
    """TWIN_E_IO: a file could not be read or written."""

    status_code = E_IO


class Busy(TwinError):
    """TWIN_E_BUSY: back-pressure, the store's outbox is full. A write that
    stops part way carries ``done`` (samples processed) and ``outcomes``."""

    status_code = E_BUSY


_BY_STATUS = {
    cls.status_code: cls
    for cls in (NoMemory, InvalidArgument, NotFound, AlreadyExists, LimitExceeded,
                ParseError, AbiMismatch, ConstraintViolated, Modified, InvalidState, IOFailure,
                Busy)
}


def from_status(status: int, message: str) -> TwinError:
    """The exception for a negative ``status`` (not raised, returned)."""
    cls = _BY_STATUS.get(status)
    if cls is None:
        return TwinError(message, status)
    return cls(message)
