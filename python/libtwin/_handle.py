"""The part of every handle-owning object that does not depend on the handle."""

from __future__ import annotations

from typing import TypeVar

from . import errors

_H = TypeVar("_H", bound="Handle")


class Handle:
    """Owns one C pointer (``self._ptr``, None once closed).

    Subclasses set ``_what`` (used in messages) and define ``close()``,
    which must be idempotent.
    """

    _ptr = None
    _what = "handle"

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._ptr is None

    def __enter__(self: _H) -> _H:
        self._handle()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _handle(self):
        if self._ptr is None:
            raise errors.Closed(f"{self._what} is closed")
        return self._ptr
