"""Conversion between Python values and libtwin's ``twin_value`` trees.

=================  ===================  =================================
Python             twin_value           notes
=================  ===================  =================================
``None``           NULL
``bool``           BOOL                 checked before ``int``
``int``            INT                  signed 64-bit, else LimitExceeded
``float``          DOUBLE               finite, else InvalidArgument
``str``            STRING               UTF-8, no NUL character
``list``/``tuple`` ARRAY                read back as ``list``
``dict``           OBJECT               ``str`` keys, order kept
=================  ===================  =================================

Other ``numbers.Integral`` (e.g. numpy integers) count as ``int`` and other
``numbers.Real`` as ``float``. Nesting is limited to
``TWIN_VALUE_DEPTH_MAX`` (32) levels of lists and dicts, which also stops a
list that contains itself.

Going in, the C structures built here reference Python-owned buffers that
must stay alive until the call that copies them returns: every builder
takes a ``keep`` list and appends what it allocates. Coming out, values are
copied into Python objects at once (the library's are borrowed).
"""

from __future__ import annotations

import ctypes
import numbers
import operator
from collections.abc import Mapping

from . import _ffi, errors

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1


def encode_id(text, what: str) -> bytes:
    """An identifier (twin, model, relationship, property name) as C bytes."""
    if not isinstance(text, str):
        raise TypeError(f"{what} must be str, not {type(text).__name__}")
    if "\0" in text:
        raise errors.InvalidArgument(f"{what} {text!r} contains a NUL character")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise errors.InvalidArgument(f"{what} {text!r} is not valid UTF-8: {e.reason}") from None


def decode(raw: bytes | None) -> str | None:
    """A borrowed C string, copied into a Python str (None stays None)."""
    return None if raw is None else raw.decode("utf-8", "replace")


def _string(text: str, prop: str, keep: list) -> tuple[int, int]:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise errors.InvalidArgument(
            f"property '{prop}': string is not valid UTF-8: {e.reason}") from None
    if len(data) > _ffi.UINT32_MAX:
        raise errors.LimitExceeded(f"property '{prop}': string longer than 4 GiB")
    buf = ctypes.create_string_buffer(data, len(data) + 1)
    keep.append(buf)
    return ctypes.addressof(buf), len(data)


def to_c(obj, prop: str, keep: list, depth: int = 0) -> _ffi.twin_value:
    """Build the twin_value of ``obj``; ``prop`` names it in error messages."""
    v = _ffi.twin_value()
    if obj is None:
        v.type = _ffi.VALUE_NULL
    elif isinstance(obj, bool):
        v.type = _ffi.VALUE_BOOL
        v.as_.b = 1 if obj else 0
    elif isinstance(obj, str):
        v.type = _ffi.VALUE_STRING
        v.as_.s, v.len = _string(obj, prop, keep)
    elif isinstance(obj, numbers.Integral):
        i = operator.index(obj)
        if not _INT64_MIN <= i <= _INT64_MAX:
            raise errors.LimitExceeded(
                f"property '{prop}': integer outside the signed 64-bit range")
        v.type = _ffi.VALUE_INT
        v.as_.i = i
    elif isinstance(obj, (float, numbers.Real)):
        v.type = _ffi.VALUE_DOUBLE
        v.as_.d = float(obj)  # the library refuses NaN and infinities
    elif isinstance(obj, (list, tuple, Mapping)):
        if depth + 1 > _ffi.VALUE_DEPTH_MAX:
            raise errors.LimitExceeded(
                f"property '{prop}': nesting deeper than {_ffi.VALUE_DEPTH_MAX}")
        if isinstance(obj, Mapping):
            v.type = _ffi.VALUE_OBJECT
            v.as_.members, n = members_to_c(obj, keep, prop, depth + 1)
        else:
            v.type = _ffi.VALUE_ARRAY
            n = len(obj)
            items = (_ffi.twin_value * max(n, 1))()
            keep.append(items)
            for k, item in enumerate(obj):
                items[k] = to_c(item, prop, keep, depth + 1)
            v.as_.items = ctypes.cast(items, ctypes.POINTER(_ffi.twin_value))
        if n > _ffi.UINT32_MAX:
            raise errors.LimitExceeded(f"property '{prop}': more than 2**32-1 elements")
        v.len = n
    else:
        raise TypeError(f"property '{prop}': cannot store a {type(obj).__name__} "
                        "(use None, bool, int, float, str, list or dict)")
    return v


def members_to_c(mapping, keep: list, prop: str | None = None, depth: int = 0):
    """Build a twin_member array of a dict: (pointer or None, count).

    ``prop`` is None for a top-level property set (each key names itself in
    messages) and the enclosing property's name for an object value.
    """
    if mapping is None:
        return None, 0
    if not isinstance(mapping, Mapping):
        raise TypeError(f"properties must be a dict, not {type(mapping).__name__}")
    n = len(mapping)
    if n == 0:
        return None, 0
    arr = (_ffi.twin_member * n)()
    keep.append(arr)
    what = "property name" if prop is None else "member name"
    for k, (name, value) in enumerate(mapping.items()):
        raw = encode_id(name, what)
        keep.append(raw)
        arr[k].name = raw
        arr[k].value = to_c(value, name if prop is None else prop, keep, depth)
    return ctypes.cast(arr, ctypes.POINTER(_ffi.twin_member)), n


def from_c(v: _ffi.twin_value):
    """Copy a borrowed twin_value into a Python value."""
    t = v.type
    if t == _ffi.VALUE_NULL:
        return None
    if t == _ffi.VALUE_BOOL:
        return bool(v.as_.b)
    if t == _ffi.VALUE_INT:
        return v.as_.i
    if t == _ffi.VALUE_DOUBLE:
        return v.as_.d
    if t == _ffi.VALUE_STRING:
        if v.len == 0:
            return ""
        return ctypes.string_at(v.as_.s, v.len).decode("utf-8", "replace")
    if t == _ffi.VALUE_ARRAY:
        items = v.as_.items
        return [from_c(items[k]) for k in range(v.len)]
    if t == _ffi.VALUE_OBJECT:
        return members_from_c(v.as_.members, v.len)
    raise errors.TwinError(f"value of unknown type {t} (library newer than this binding?)",
                           errors.E_INVAL)


def members_from_c(members, count: int) -> dict:
    """Copy a borrowed twin_member array into a dict, in its order."""
    if not members or count == 0:
        return {}
    return {decode(members[k].name): from_c(members[k].value) for k in range(count)}
