"""ctypes declarations of libtwin.so.1 (private to the package).

The library is looked for, in this order:

1. the file named by the environment variable ``LIBTWIN_LIBRARY`` (a full
   path; when it is set, nothing else is tried);
2. ``libtwin.so.1`` inside this package's directory, then beside it;
3. ``libtwin.so.1`` on the system library path (by soname).

A file found in 2 that does not load or is not a libtwin 1.x this binding
speaks is passed over (``refused`` says why) for the next place.
``path`` is the file loaded and ``origin`` why it was chosen;
``python3 -m libtwin`` prints both.

Every function of ``lib/libtwin.map`` is declared here once, with its
argument types, result type and, for those returning a ``twin_status``, an
``errcheck`` that turns a negative status into an exception of
:mod:`libtwin.errors`. ``FUNCTIONS`` maps each symbol name to its declared
function.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable, Sequence
from ctypes import (CFUNCTYPE, POINTER, Structure, Union, c_char_p, c_double, c_int,
                    c_int32, c_int64, c_size_t, c_uint32, c_uint64, c_void_p)
from typing import NamedTuple

from . import errors

SONAME = "libtwin.so.1"
ABI_MAJOR = 1          # the soname's major: the only one this binding speaks
MIN_MINOR = 2          # health (LIBTWIN_1.2) is bound too

# Limits from graph.h.
ID_MAX = 1024
MODEL_ID_MAX = 4096
VALUE_DEPTH_MAX = 32
REMOVE_RELATIONSHIPS = 1

# twin_value_type
VALUE_NULL, VALUE_BOOL, VALUE_INT, VALUE_DOUBLE, VALUE_STRING, VALUE_ARRAY, VALUE_OBJECT = range(7)

# twin_direction
DIRECTION_OUTGOING = 1
DIRECTION_INCOMING = 2
DIRECTION_BOTH = 3

# twin_impact_rule
IMPACT_WEAKEST_LINK = 1
IMPACT_ATTENUATE = 2
IMPACT_CUSTOM = 3

# twin_health_model_kind, twin_health_recalibration, event flags
HEALTH_EXPONENTIAL = 1
HEALTH_LINEAR = 2
HEALTH_USER = 3
HEALTH_RECAL_NONE = 1
HEALTH_RECAL_EMA = 2
HEALTH_RECAL_KALMAN = 3
HEALTH_EVENT_DIVERGED = 1
HEALTH_EVENT_CLEARED = 2
HEALTH_EVENT_RECALIBRATED = 4
HEALTH_USER_STATE_MAX = 64
HEALTH_FUSION_SENSORS = 32
HEALTH_FUSION_SETTINGS = 4
HEALTH_FUSION_REGIMES = 8

UINT32_MAX = 0xFFFFFFFF
UINT64_MAX = 0xFFFFFFFFFFFFFFFF


class Found(NamedTuple):
    """A library that :func:`find_library` loaded, and how it chose it."""

    lib: ctypes.CDLL
    path: str             #: the file loaded (as the dynamic loader found it)
    origin: str           #: why this one: "$LIBTWIN_LIBRARY", "inside the package", ...
    refused: list[tuple[str, str]]  #: (path, reason) of the candidates passed over


def _loaded_path(lib: ctypes.CDLL, fallback: str) -> str:
    """The file the dynamic loader opened for ``lib`` (glibc's dlinfo), else ``fallback``."""
    class _LinkMap(Structure):
        _fields_ = [("l_addr", c_void_p), ("l_name", c_char_p)]
    try:
        dlinfo = ctypes.CDLL(None).dlinfo
    except (OSError, AttributeError):
        return fallback
    dlinfo.argtypes = [c_void_p, c_int, c_void_p]
    dlinfo.restype = c_int
    lm = POINTER(_LinkMap)()
    RTLD_DI_LINKMAP = 2
    if dlinfo(lib._handle, RTLD_DI_LINKMAP, ctypes.byref(lm)) != 0 or not lm:
        return fallback
    name = lm.contents.l_name
    return os.fsdecode(name) if name else fallback


def find_library(what: str, soname: str, env: str,
                 candidates: Sequence[str | tuple[str, str]], where: str,
                 accept: Callable[[ctypes.CDLL], str | None] | None = None) -> Found:
    """Load a library and say which and why.

    The file ``$env`` names is the only one tried when it is set (a load
    failure raises ``OSError``, a refusal :class:`errors.AbiMismatch`).
    Otherwise each of ``candidates`` (a path, or ``(path, description)``)
    that exists is tried in turn, then ``soname`` from the system library
    path; one that fails to load or that ``accept`` refuses (it returns the
    reason) is passed over and recorded in :attr:`Found.refused`. When none
    is usable the exception lists every refusal; ``where`` tells the user
    what to do."""
    def check(lib: ctypes.CDLL) -> str | None:
        return accept(lib) if accept is not None else None

    path = os.environ.get(env)
    if path:
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            raise OSError(f"{what}: cannot load {env}={path}: {e}") from e
        why = check(lib)
        if why:
            raise errors.AbiMismatch(f"{what}: refused {env}={path}: {why}")
        return Found(lib, path, f"${env}", [])
    refused: list[tuple[str, str]] = []
    for item in candidates:
        path, origin = item if isinstance(item, tuple) else (item, "a candidate path")
        if not os.path.exists(path):
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            refused.append((path, str(e)))
            continue
        why = check(lib)
        if why:
            refused.append((path, why))
            continue
        return Found(lib, path, origin, refused)
    passed = "".join(f"; refused {p}: {why}" for p, why in refused)
    try:
        lib = ctypes.CDLL(soname)
    except OSError as e:
        raise OSError(f"{what}: {soname} not found (set {env} to its full path, {where}): "
                      f"{e}{passed}") from e
    path = _loaded_path(lib, soname)
    why = check(lib)
    if why:
        raise errors.AbiMismatch(f"{what}: refused {path} (by soname {soname}): {why}{passed}")
    return Found(lib, path, f"soname {soname} on the library search path", refused)


def load_library(what: str, soname: str, env: str, candidates: Sequence[str | tuple[str, str]],
                 where: str) -> tuple[ctypes.CDLL, str]:
    """:func:`find_library` with no acceptance check: ``(lib, path)``."""
    found = find_library(what, soname, env, candidates, where)
    return found.lib, found.path


def _candidates() -> list[tuple[str, str]]:
    here = os.path.dirname(os.path.abspath(__file__))
    return [(os.path.join(here, SONAME), "inside the package"),
            (os.path.join(os.path.dirname(here), SONAME), "beside the package")]


def _accept(lib: ctypes.CDLL) -> str | None:
    """Why ``lib`` is not a libtwin this binding speaks, or None."""
    try:
        fn = lib.twin_version_number
    except AttributeError:
        return "it has no twin_version_number (not libtwin)"
    fn.restype, fn.argtypes = c_uint32, []
    n = fn()
    if n // 10000 != ABI_MAJOR or n // 100 % 100 < MIN_MINOR:
        return (f"it is libtwin {n // 10000}.{n // 100 % 100}.{n % 100}; this binding needs "
                f"{ABI_MAJOR}.x with x >= {MIN_MINOR}")
    return None


_found = find_library("libtwin", SONAME, "LIBTWIN_LIBRARY", _candidates(),
                      "put it beside the package, or install it", _accept)
lib, path = _found.lib, _found.path
#: Why :data:`path` was chosen ("$LIBTWIN_LIBRARY", "inside the package", ...).
origin = _found.origin
#: ``(path, reason)`` of each libtwin.so.1 found but passed over.
refused = _found.refused

# ---- types (twin.h, graph.h, impact.h) ------------------------------------


class twin_graph(Structure):
    """Opaque."""


class twin_impact(Structure):
    """Opaque."""


graph_p = POINTER(twin_graph)
impact_p = POINTER(twin_impact)


class twin_error(Structure):
    _fields_ = [("status", c_int32), ("reserved_", c_uint32), ("message", c_char_p)]


ALLOC_FN = CFUNCTYPE(c_void_p, c_void_p, c_size_t)
REALLOC_FN = CFUNCTYPE(c_void_p, c_void_p, c_void_p, c_size_t, c_size_t)
FREE_FN = CFUNCTYPE(None, c_void_p, c_void_p, c_size_t)


class twin_allocator(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("alloc", ALLOC_FN),
                ("realloc", REALLOC_FN), ("free", FREE_FN), ("ud", c_void_p)]


class twin_arena(Structure):
    _fields_ = [("base_", c_void_p), ("cap_", c_size_t), ("used_", c_size_t),
                ("peak_", c_size_t), ("last_", c_size_t)]


class twin_value(Structure):
    pass


class twin_member(Structure):
    pass


class _twin_value_as(Union):
    # Strings are c_void_p: they are read with their length, never as C strings.
    _fields_ = [("b", c_int32), ("i", c_int64), ("d", c_double), ("s", c_void_p),
                ("items", POINTER(twin_value)), ("members", POINTER(twin_member))]


twin_value._fields_ = [("type", c_int32), ("len", c_uint32), ("as_", _twin_value_as)]
twin_member._fields_ = [("name", c_char_p), ("value", twin_value)]

CHECK_TWIN_FN = CFUNCTYPE(c_int, c_void_p, c_char_p, c_char_p, POINTER(twin_member), c_size_t,
                          c_void_p, c_size_t)
CHECK_RELATIONSHIP_FN = CFUNCTYPE(c_int, c_void_p, c_char_p, c_char_p, c_char_p,
                                  POINTER(twin_member), c_size_t, c_void_p, c_size_t)


class twin_graph_validator(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("ud", c_void_p),
                ("check_twin", CHECK_TWIN_FN), ("check_relationship", CHECK_RELATIONSHIP_FN)]


class twin_graph_options(Structure):
    _fields_ = [("size", c_uint32), ("flags", c_uint32), ("alloc", POINTER(twin_allocator)),
                ("validator", POINTER(twin_graph_validator)),
                ("twin_capacity", c_uint32), ("relationship_capacity", c_uint32),
                ("string_capacity", c_uint32), ("reserved_", c_uint32)]


class twin_change(Structure):
    _fields_ = [("size", c_uint32), ("kind", c_uint32), ("phase", c_uint32),
                ("reserved_", c_uint32), ("twin_id", c_char_p), ("rel_id", c_char_p)]


CHANGE_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(twin_change))


class twin_relationship(Structure):
    _fields_ = [("size", c_uint32), ("property_count", c_uint32), ("id", c_char_p),
                ("name", c_char_p), ("source_id", c_char_p), ("target_id", c_char_p),
                ("properties", POINTER(twin_member))]


class twin_cursor(Structure):
    _fields_ = [("opaque_", c_uint64 * 4)]


class twin_impact_follow(Structure):
    _fields_ = [("name", c_char_p), ("direction", c_int32), ("reserved_", c_uint32)]


class twin_impact_hit(Structure):
    _fields_ = [("size", c_uint32), ("depth", c_uint32), ("twin_id", c_char_p),
                ("model_id", c_char_p), ("parent_id", c_char_p), ("via_id", c_char_p),
                ("via_name", c_char_p), ("via_source_id", c_char_p), ("score", c_double),
                ("parent_index", c_uint64)]


VISITOR_FN = CFUNCTYPE(c_int, c_void_p, POINTER(twin_impact_hit))
FILTER_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_char_p, c_char_p, c_uint32)
HEALTH_FN = CFUNCTYPE(c_double, c_void_p, c_char_p)
RULE_FN = CFUNCTYPE(c_double, c_void_p, c_double, c_double, c_char_p, c_uint32)


class twin_impact_options(Structure):
    _fields_ = [("size", c_uint32), ("direction", c_int32),
                ("follow", POINTER(twin_impact_follow)), ("nfollow", c_size_t),
                ("max_depth", c_uint32), ("max_results", c_uint32), ("rule", c_int32),
                ("reserved_", c_uint32), ("root_health", c_double), ("attenuation", c_double),
                ("filter", FILTER_FN), ("filter_ud", c_void_p),
                ("health", HEALTH_FN), ("health_ud", c_void_p),
                ("rule_fn", RULE_FN), ("rule_ud", c_void_p)]


HEALTH_INIT_FN = CFUNCTYPE(c_int, c_void_p, c_void_p)
HEALTH_PREDICT_FN = CFUNCTYPE(c_double, c_void_p, c_void_p, c_double)
HEALTH_UPDATE_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_double, c_double, c_int32)


class twin_health_model(Structure):
    _fields_ = [("size", c_uint32), ("state_size", c_uint32), ("ud", c_void_p),
                ("init", HEALTH_INIT_FN), ("predict", HEALTH_PREDICT_FN),
                ("update", HEALTH_UPDATE_FN)]


class twin_health_options(Structure):
    _fields_ = [("size", c_uint32), ("model", c_int32), ("phi", c_double),
                ("prior_mean", c_double * 2), ("prior_cov", c_double * 4), ("noise", c_double),
                ("process_noise", c_double * 2), ("failure_level", c_double),
                ("failure_factor", c_double), ("divergence_threshold", c_double),
                ("divergence_clear", c_double), ("divergence_count", c_uint32),
                ("recalibration", c_int32), ("ema_alpha", c_double),
                ("recal_noise", c_double * 2), ("user", POINTER(twin_health_model))]


class twin_health(Structure):
    _fields_ = [("size", c_uint32), ("layout_", c_uint32), ("opaque_", c_uint64 * 23)]


class twin_health_packed(Structure):
    _fields_ = [("opaque_", c_uint64 * 14)]


class twin_health_event(Structure):
    _fields_ = [("size", c_uint32), ("flags", c_uint32), ("predicted", c_double),
                ("error", c_double), ("mean_before", c_double * 2),
                ("mean_after", c_double * 2), ("recalibrations", c_uint64),
                ("diverged", c_int32), ("reserved_", c_uint32)]


class twin_health_stats(Structure):
    _fields_ = [("size", c_uint32), ("diverged", c_int32), ("samples", c_uint64),
                ("recalibrations", c_uint64), ("error_mean", c_double),
                ("error_var", c_double), ("baseline", c_double), ("failure_level", c_double),
                ("t0_us", c_int64), ("last_us", c_int64)]


class twin_health_rul(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("median", c_double),
                ("lower", c_double), ("upper", c_double)]


class twin_health_run(Structure):
    _fields_ = [("t_us", POINTER(c_int64)), ("v", POINTER(c_double)), ("n", c_size_t)]


class twin_health_fleet(Structure):
    _fields_ = [("size", c_uint32), ("nsensors", c_uint32), ("nsettings", c_uint32),
                ("reserved_", c_uint32), ("nrows", c_size_t), ("run", POINTER(c_uint32)),
                ("t_us", POINTER(c_int64)), ("sensors", POINTER(c_double)),
                ("settings", POINTER(c_double))]


class twin_health_fusion(Structure):
    _fields_ = [("size", c_uint32), ("nsensors", c_uint32), ("nsettings", c_uint32),
                ("nregimes", c_uint32),
                ("setting_scale", c_double * HEALTH_FUSION_SETTINGS),
                ("centre", (c_double * HEALTH_FUSION_SETTINGS) * HEALTH_FUSION_REGIMES),
                ("mean", (c_double * HEALTH_FUSION_SENSORS) * HEALTH_FUSION_REGIMES),
                ("scale", (c_double * HEALTH_FUSION_SENSORS) * HEALTH_FUSION_REGIMES),
                ("weight", c_double * HEALTH_FUSION_SENSORS), ("bias", c_double),
                ("rmse", c_double)]


class twin_health_predictor(Structure):
    pass


class twin_health_predictor_params(Structure):
    _fields_ = [("size", c_uint32), ("nregimes", c_uint32), ("trees", c_uint32),
                ("depth", c_uint32), ("bins", c_uint32), ("fast_span", c_uint32),
                ("slow_span", c_uint32), ("baseline", c_uint32), ("horizon", c_double),
                ("censor", c_double), ("learning_rate", c_double), ("subsample", c_double),
                ("lambda_", c_double), ("seed", c_uint64)]


class twin_health_predictor_info(Structure):
    _fields_ = [("size", c_uint32), ("nsensors", c_uint32), ("nsettings", c_uint32),
                ("nregimes", c_uint32), ("nfeatures", c_uint32), ("trees", c_uint32),
                ("depth", c_uint32), ("reserved_", c_uint32), ("horizon", c_double),
                ("censor_level", c_double), ("bytes", c_uint64)]


class twin_health_track(Structure):
    _fields_ = [("size", c_uint32), ("layout_", c_uint32), ("opaque_", c_uint64 * 63)]


class twin_health_rul_estimate(Structure):
    _fields_ = [("size", c_uint32), ("flags", c_uint32), ("rul", c_double),
                ("horizon", c_double), ("cycles", c_uint64)]


HEALTH_RUL_CENSORED = 1


# ---- declarations ----------------------------------------------------------

FUNCTIONS: dict[str, object] = {}


def declarer(dll: ctypes.CDLL, table: dict, what: str, where: str):
    """A function ``declare(name, restype, argtypes, errcheck=None)`` that
    sets a function of ``dll`` up (result and argument types, errcheck),
    records it in ``table`` and returns it; a function ``dll`` lacks raises
    AbiMismatch naming ``what`` (the library) and ``where`` (its path).
    Every binding module declares its library's functions with one."""
    def declare(name, restype, argtypes, errcheck=None):
        try:
            fn = getattr(dll, name)
        except AttributeError:
            raise errors.AbiMismatch(
                f"{what}: {where} has no {name}: it is older than this binding, "
                f"which needs the {what} of its own release") from None
        fn.restype = restype
        fn.argtypes = argtypes
        if errcheck is not None:
            fn.errcheck = errcheck
        table[name] = fn
        return fn
    return declare


_declare = declarer(lib, FUNCTIONS, "libtwin", f"{path} ({origin})")


def strerror(status: int) -> str:
    """The library's description of a status code (any value; never fails)."""
    return twin_strerror(status).decode("utf-8", "replace")


def _record_text(record, status: int) -> str:
    """The message of a handle's error record if it is about ``status``."""
    rec = record.contents
    if rec.status == status and rec.message:
        return rec.message.decode("utf-8", "replace")
    return strerror(status)


def _check(rc, func, args):
    """errcheck of calls with no handle (or none that records errors)."""
    if rc < 0:
        raise errors.from_status(rc, f"{func.__name__}: {strerror(rc)}")
    return rc


def _check_graph(rc, func, args):
    """errcheck of mutating graph calls: the graph's last error explains."""
    if rc < 0:
        raise errors.from_status(rc, _record_text(twin_graph_last_error(args[0]), rc))
    return rc


def _check_impact(rc, func, args):
    """errcheck of twin_impact_run: the context's last error explains."""
    if rc < 0:
        raise errors.from_status(rc, _record_text(twin_impact_last_error(args[0]), rc))
    return rc


def _check_health(rc, func, args):
    """errcheck of health calls: their last argument is a POINTER(twin_error),
    filled with a static message on failure."""
    if rc < 0:
        err = args[-1]
        text = None
        if err:
            rec = err.contents
            if rec.status == rc and rec.message:
                text = rec.message.decode("utf-8", "replace")
        raise errors.from_status(rc, f"{func.__name__}: {text or strerror(rc)}")
    return rc


_status = c_int  # twin_status, an enum

# Version first: everything else depends on the library being one we know.
twin_version = _declare("twin_version", c_char_p, [])
twin_version_number = _declare("twin_version_number", c_uint32, [])

version = twin_version().decode("ascii")
version_number = twin_version_number()
if version_number // 10000 != ABI_MAJOR or version_number // 100 % 100 < MIN_MINOR:
    raise errors.AbiMismatch(
        f"{path} is libtwin {version}; this binding needs {ABI_MAJOR}.x with x >= {MIN_MINOR}")

# twin.h
twin_strerror = _declare("twin_strerror", c_char_p, [_status])
twin_allocator_default = _declare("twin_allocator_default", POINTER(twin_allocator), [])
twin_arena_init = _declare("twin_arena_init", _status,
                           [POINTER(twin_arena), c_void_p, c_size_t, POINTER(twin_allocator)],
                           _check)
twin_arena_reset = _declare("twin_arena_reset", None, [POINTER(twin_arena)])
twin_arena_used = _declare("twin_arena_used", c_size_t, [POINTER(twin_arena)])
twin_arena_peak = _declare("twin_arena_peak", c_size_t, [POINTER(twin_arena)])

# graph.h: lifetime and errors
twin_graph_options_init_ = _declare("twin_graph_options_init_", _status,
                                    [POINTER(twin_graph_options), c_size_t], _check)
twin_graph_create = _declare("twin_graph_create", _status,
                             [POINTER(graph_p), POINTER(twin_graph_options)], _check)
twin_graph_destroy = _declare("twin_graph_destroy", None, [graph_p])
twin_graph_last_error = _declare("twin_graph_last_error", POINTER(twin_error), [graph_p])
twin_graph_twin_count = _declare("twin_graph_twin_count", c_size_t, [graph_p])
twin_graph_relationship_count = _declare("twin_graph_relationship_count", c_size_t, [graph_p])

# graph.h: twins and properties
twin_graph_add_twin = _declare("twin_graph_add_twin", _status,
                               [graph_p, c_char_p, c_char_p, POINTER(twin_member), c_size_t],
                               _check_graph)
twin_graph_remove_twin = _declare("twin_graph_remove_twin", _status,
                                  [graph_p, c_char_p, c_uint32], _check_graph)
twin_graph_find_twin = _declare("twin_graph_find_twin", _status,
                                [graph_p, c_char_p, POINTER(c_char_p)], _check)
twin_graph_set_model = _declare("twin_graph_set_model", _status,
                                [graph_p, c_char_p, c_char_p], _check_graph)
twin_graph_set_property = _declare("twin_graph_set_property", _status,
                                   [graph_p, c_char_p, c_char_p, POINTER(twin_value)],
                                   _check_graph)
twin_graph_remove_property = _declare("twin_graph_remove_property", _status,
                                      [graph_p, c_char_p, c_char_p], _check_graph)
twin_graph_get_property = _declare("twin_graph_get_property", _status,
                                   [graph_p, c_char_p, c_char_p, POINTER(POINTER(twin_value))],
                                   _check)
twin_graph_get_properties = _declare("twin_graph_get_properties", _status,
                                     [graph_p, c_char_p, POINTER(POINTER(twin_member)),
                                      POINTER(c_size_t)], _check)

# graph.h: relationships
twin_graph_add_relationship = _declare(
    "twin_graph_add_relationship", _status,
    [graph_p, c_char_p, c_char_p, c_char_p, c_char_p, POINTER(twin_member), c_size_t],
    _check_graph)
twin_graph_remove_relationship = _declare("twin_graph_remove_relationship", _status,
                                          [graph_p, c_char_p, c_char_p], _check_graph)
twin_graph_find_relationship = _declare("twin_graph_find_relationship", _status,
                                        [graph_p, c_char_p, c_char_p,
                                         POINTER(twin_relationship)], _check)
twin_graph_set_relationship_property = _declare(
    "twin_graph_set_relationship_property", _status,
    [graph_p, c_char_p, c_char_p, c_char_p, POINTER(twin_value)], _check_graph)
twin_graph_remove_relationship_property = _declare(
    "twin_graph_remove_relationship_property", _status,
    [graph_p, c_char_p, c_char_p, c_char_p], _check_graph)

# graph.h: iteration and the compact adjacency
twin_graph_twins_begin = _declare("twin_graph_twins_begin", _status,
                                  [graph_p, POINTER(twin_cursor)], _check)
twin_graph_twins_next = _declare("twin_graph_twins_next", _status,
                                 [graph_p, POINTER(twin_cursor), POINTER(c_char_p),
                                  POINTER(c_char_p)], _check)
twin_graph_relationships_begin = _declare("twin_graph_relationships_begin", _status,
                                          [graph_p, POINTER(twin_cursor), c_char_p, c_int,
                                           c_char_p], _check)
twin_graph_relationships_next = _declare("twin_graph_relationships_next", _status,
                                         [graph_p, POINTER(twin_cursor),
                                          POINTER(twin_relationship)], _check)
twin_graph_optimize = _declare("twin_graph_optimize", _status, [graph_p], _check_graph)
twin_graph_add_change_hook = _declare("twin_graph_add_change_hook", _status,
                                      [graph_p, CHANGE_FN, c_void_p], _check_graph)
twin_graph_remove_change_hook = _declare("twin_graph_remove_change_hook", _status,
                                         [graph_p, CHANGE_FN, c_void_p], _check_graph)

# impact.h
twin_impact_options_init_ = _declare("twin_impact_options_init_", _status,
                                     [POINTER(twin_impact_options), c_size_t], _check)
twin_impact_create = _declare("twin_impact_create", _status,
                              [POINTER(impact_p), graph_p, POINTER(twin_allocator)], _check)
twin_impact_destroy = _declare("twin_impact_destroy", None, [impact_p])
twin_impact_run = _declare("twin_impact_run", _status,
                           [impact_p, POINTER(c_char_p), c_size_t, POINTER(twin_impact_options),
                            VISITOR_FN, c_void_p], _check_impact)
twin_impact_count = _declare("twin_impact_count", c_size_t, [impact_p])
twin_impact_get = _declare("twin_impact_get", _status,
                           [impact_p, c_size_t, POINTER(twin_impact_hit)], _check)
twin_impact_last_error = _declare("twin_impact_last_error", POINTER(twin_error), [impact_p])

# health.h
health_p = POINTER(twin_health)
error_p = POINTER(twin_error)
twin_health_options_init_ = _declare("twin_health_options_init_", _status,
                                     [POINTER(twin_health_options), c_size_t], _check)
twin_health_init = _declare("twin_health_init", _status,
                            [health_p, POINTER(twin_health_options), c_int64, error_p],
                            _check_health)
twin_health_update = _declare("twin_health_update", _status,
                              [health_p, POINTER(twin_health_options), c_int64, c_double,
                               POINTER(twin_health_event), error_p], _check_health)
twin_health_predict = _declare("twin_health_predict", _status,
                               [health_p, POINTER(twin_health_options), c_int64,
                                POINTER(c_double), error_p], _check_health)
twin_health_get_score = _declare("twin_health_get_score", _status,
                                 [health_p, POINTER(twin_health_options), c_int64,
                                  POINTER(c_double), error_p], _check_health)
twin_health_get_time_to = _declare("twin_health_get_time_to", _status,
                                   [health_p, POINTER(twin_health_options), c_double,
                                    POINTER(c_double), error_p], _check_health)
twin_health_get_rul = _declare("twin_health_get_rul", _status,
                               [health_p, POINTER(twin_health_options), c_double, c_double,
                                POINTER(twin_health_rul), error_p], _check_health)
twin_health_get_posterior = _declare("twin_health_get_posterior", _status,
                                     [health_p, POINTER(c_double), POINTER(c_double), error_p],
                                     _check_health)
twin_health_get_stats = _declare("twin_health_get_stats", _status,
                                 [health_p, POINTER(twin_health_stats), error_p], _check_health)
twin_health_set_failure_level = _declare("twin_health_set_failure_level", _status,
                                         [health_p, POINTER(twin_health_options), c_double,
                                          error_p], _check_health)
twin_health_pack = _declare("twin_health_pack", _status,
                            [health_p, POINTER(twin_health_packed), error_p], _check_health)
twin_health_unpack = _declare("twin_health_unpack", _status,
                              [POINTER(twin_health_packed), health_p, error_p], _check_health)
twin_health_encode = _declare("twin_health_encode", _status,
                              [health_p, c_void_p, c_size_t, POINTER(c_size_t), error_p],
                              _check_health)
twin_health_decode = _declare("twin_health_decode", _status,
                              [health_p, c_void_p, c_size_t, error_p], _check_health)
twin_health_options_encode = _declare("twin_health_options_encode", _status,
                                      [POINTER(twin_health_options), c_void_p, c_size_t,
                                       POINTER(c_size_t), error_p], _check_health)
twin_health_options_decode = _declare("twin_health_options_decode", _status,
                                      [POINTER(twin_health_options), c_void_p, c_size_t,
                                       error_p], _check_health)
twin_health_fit_prior = _declare("twin_health_fit_prior", _status,
                                 [POINTER(twin_health_options), POINTER(twin_health_run),
                                  c_size_t, error_p], _check_health)
twin_health_fusion_fit = _declare("twin_health_fusion_fit", _status,
                                  [POINTER(twin_health_fusion), POINTER(twin_health_fleet),
                                   c_uint32, c_double, error_p], _check_health)
twin_health_fusion_apply = _declare("twin_health_fusion_apply", _status,
                                    [POINTER(twin_health_fusion), POINTER(c_double),
                                     POINTER(c_double), POINTER(c_double), POINTER(c_uint32),
                                     error_p], _check_health)
predictor_p = POINTER(twin_health_predictor)
twin_health_predictor_params_init_ = _declare(
    "twin_health_predictor_params_init_", _status,
    [POINTER(twin_health_predictor_params), c_size_t], _check)
twin_health_predictor_fit = _declare(
    "twin_health_predictor_fit", _status,
    [POINTER(predictor_p), POINTER(twin_health_fleet), POINTER(twin_health_predictor_params),
     c_void_p, error_p], _check_health)
twin_health_predictor_destroy = _declare("twin_health_predictor_destroy", None, [predictor_p])
twin_health_predictor_save = _declare(
    "twin_health_predictor_save", _status,
    [predictor_p, c_void_p, c_size_t, POINTER(c_size_t), error_p], _check_health)
twin_health_predictor_load = _declare(
    "twin_health_predictor_load", _status,
    [POINTER(predictor_p), c_void_p, c_size_t, c_void_p, error_p], _check_health)
twin_health_predictor_get_info = _declare(
    "twin_health_predictor_get_info", _status,
    [predictor_p, POINTER(twin_health_predictor_info), error_p], _check_health)
twin_health_track_init = _declare(
    "twin_health_track_init", _status,
    [predictor_p, POINTER(twin_health_track), error_p], _check_health)
twin_health_track_update = _declare(
    "twin_health_track_update", _status,
    [predictor_p, POINTER(twin_health_track), POINTER(c_double), POINTER(c_double), error_p],
    _check_health)
twin_health_track_get_rul = _declare(
    "twin_health_track_get_rul", _status,
    [predictor_p, POINTER(twin_health_track), POINTER(twin_health_rul_estimate), error_p],
    _check_health)

# ---- clock.h (1.5) ------------------------------------------------------------

CLOCK_ESTIMATED, CLOCK_KNOWN_OFFSET, CLOCK_LOCAL_TIME = 1, 2, 3
CLOCK_OUT_OF_TOLERANCE, CLOCK_STEPPED, CLOCK_SKEW_PRIOR, CLOCK_DECLARED = 1, 2, 4, 8


class twin_clock_options(Structure):
    _fields_ = [("size", c_uint32), ("kind", c_int32), ("offset_us", c_int64),
                ("window_us", c_int64), ("step_us", c_int64), ("max_offset_us", c_int64),
                ("min_delay_us", c_int64), ("tolerance_offset_us", c_int64),
                ("tolerance_skew_ppm", c_double), ("zone_step_us", c_int64),
                ("min_pairs", c_uint32), ("step_pairs", c_uint32)]


class twin_clock(Structure):
    _fields_ = [("size", c_uint32), ("layout_", c_uint32), ("opaque_", c_uint64 * 158)]


class twin_clock_estimate(Structure):
    _fields_ = [("size", c_uint32), ("flags", c_uint32), ("t_us", c_int64),
                ("offset_us", c_int64), ("skew_ppm", c_double),
                ("offset_uncertainty_us", c_double), ("skew_uncertainty_ppm", c_double),
                ("zone_offset_us", c_int64), ("pairs", c_uint64), ("points", c_uint32),
                ("steps", c_uint32)]


clock_p = POINTER(twin_clock)
twin_clock_options_init_ = _declare("twin_clock_options_init_", _status,
                                    [POINTER(twin_clock_options), c_size_t], _check)
twin_clock_init = _declare("twin_clock_init", _status,
                           [clock_p, POINTER(twin_clock_options), error_p], _check_health)
twin_clock_observe = _declare("twin_clock_observe", _status,
                              [clock_p, c_int64, c_int64, error_p], _check_health)
twin_clock_get_estimate = _declare("twin_clock_get_estimate", _status,
                                   [clock_p, POINTER(twin_clock_estimate), error_p],
                                   _check_health)
twin_clock_to_host = _declare("twin_clock_to_host", _status,
                              [clock_p, c_int64, POINTER(c_int64), error_p], _check_health)

# clock.h (1.7): the portable byte form of a clock model.
CLOCK_ENCODED_MAX = 1236
if version_number // 100 % 100 >= 7:
    twin_clock_encode = _declare("twin_clock_encode", _status,
                                 [clock_p, c_void_p, c_size_t, POINTER(c_size_t), error_p],
                                 _check_health)
    twin_clock_decode = _declare("twin_clock_decode", _status,
                                 [clock_p, c_void_p, c_size_t, error_p], _check_health)

# ---- series.h (1.5) -----------------------------------------------------------

SERIES_PREVIOUS, SERIES_NEXT, SERIES_NEAREST, SERIES_LINEAR = 1, 2, 3, 4
SERIES_MARK_UNCOVERED = 1
SERIES_INTERPOLATED, SERIES_UNCOVERED = 1, 2


class twin_series_options(Structure):
    _fields_ = [("size", c_uint32), ("flags", c_uint32), ("policy", c_int32),
                ("reserved_", c_uint32), ("tolerance_us", c_int64)]


class twin_series_value(Structure):
    _fields_ = [("value", c_double), ("t_us", c_int64), ("age_us", c_int64),
                ("flags", c_uint32), ("reserved_", c_uint32)]


class twin_series_bucket(Structure):
    _fields_ = [("mean", c_double), ("min", c_double), ("max", c_double), ("last", c_double),
                ("last_t_us", c_int64), ("count", c_uint64)]


twin_series_options_init_ = _declare("twin_series_options_init_", _status,
                                     [POINTER(twin_series_options), c_size_t], _check)
twin_series_at = _declare("twin_series_at", _status,
                          [POINTER(c_int64), POINTER(c_double), c_size_t, c_int64, c_int64,
                           POINTER(twin_series_options), POINTER(twin_series_value), error_p],
                          _check_health)
twin_series_resample = _declare("twin_series_resample", _status,
                                [POINTER(c_int64), POINTER(c_double), c_size_t, c_int64,
                                 c_int64, c_size_t, POINTER(twin_series_bucket), error_p],
                                _check_health)


class twin_align_options(Structure):
    _fields_ = [("size", c_uint32), ("nsignals", c_uint32), ("alloc", c_void_p),
                ("policy", c_int32), ("reserved_", c_uint32), ("start_us", c_int64),
                ("step_us", c_int64), ("tolerance_us", c_int64), ("lateness_us", c_int64),
                ("watermark_us", c_int64)]


class twin_align_sample(Structure):
    _fields_ = [("signal", c_uint32), ("reserved_", c_uint32), ("t_us", c_int64),
                ("value", c_double)]


twin_align_last_error = _declare("twin_align_last_error", POINTER(twin_error), [c_void_p])


def _check_align(rc, func, args):
    """errcheck of alignment calls: the handle's last error explains."""
    if rc < 0:
        text = strerror(rc)
        if args and args[0]:
            text = _record_text(twin_align_last_error(args[0]), rc)
        raise errors.from_status(rc, text)
    return rc


twin_align_options_init_ = _declare("twin_align_options_init_", _status,
                                    [POINTER(twin_align_options), c_size_t], _check)
twin_align_create = _declare("twin_align_create", _status,
                             [POINTER(c_void_p), POINTER(twin_align_options), error_p],
                             _check_health)
twin_align_destroy = _declare("twin_align_destroy", None, [c_void_p])
twin_align_push = _declare("twin_align_push", _status,
                           [c_void_p, POINTER(twin_align_sample), c_size_t, POINTER(c_size_t)],
                           _check_align)
twin_align_next = _declare("twin_align_next", _status,
                           [c_void_p, POINTER(c_int64), POINTER(twin_series_value)],
                           _check_align)
twin_align_flush = _declare("twin_align_flush", _status, [c_void_p], _check_align)

# ---- dtdl.h ----------------------------------------------------------------

# twin_models_flag, twin_models_check
MODELS_ALLOW_UNDEFINED_EXTENSIONS = 1
MODELS_TOLERATE_SOLECISMS = 2
MODELS_CHECK_MODEL = 1
MODELS_CHECK_PROPERTIES = 2
MODELS_CHECK_RELATIONSHIPS = 4
MODELS_CHECK_ALL = 7

# twin_dtdl_link_kind, twin_dtdl_list_kind
DTDL_SCHEMA = 1
DTDL_ELEMENT_SCHEMA = 2
DTDL_VALUE_SCHEMA = 3
DTDL_MAP_KEY_OF = 4
DTDL_MAP_VALUE_OF = 5
DTDL_REQUEST = 6
DTDL_RESPONSE = 7
DTDL_TARGET = 8
DTDL_PARENT = 9
DTDL_CONTENTS = 1
DTDL_OWN_CONTENTS = 2
DTDL_EXTENDS = 3
DTDL_SCHEMAS = 4
DTDL_FIELDS = 5
DTDL_ENUM_VALUES = 6
DTDL_PROPERTIES = 7


class twin_models(Structure):
    """Opaque."""


models_p = POINTER(twin_models)
# Elements (twin_dtdl_elem, opaque and owned by their set) travel as plain
# addresses: c_void_p results are ints (None for NULL).
elem_p = c_void_p

RESOLVER_FN = CFUNCTYPE(c_int, c_void_p, models_p, POINTER(c_char_p), c_size_t)


class twin_models_options(Structure):
    _fields_ = [("size", c_uint32), ("flags", c_uint32), ("alloc", POINTER(twin_allocator)),
                ("max_dtdl_version", c_int32), ("reserved_", c_uint32),
                ("max_document_bytes", c_size_t), ("resolver", RESOLVER_FN),
                ("resolver_ud", c_void_p), ("acceptable_limits", POINTER(c_char_p)),
                ("nacceptable_limits", c_size_t)]


class twin_dtdl_diag(Structure):
    _fields_ = [("code", c_char_p), ("message", c_char_p), ("source", c_char_p),
                ("pointer", c_char_p), ("primary", c_char_p), ("secondary", c_char_p),
                ("document", c_uint32), ("line", c_uint32), ("column", c_uint32),
                ("reserved_", c_uint32)]


class twin_dtmi_info(Structure):
    _fields_ = [("size", c_uint32), ("labels", c_uint32), ("major", c_int64),
                ("minor", c_int64), ("path_len", c_uint32), ("fragment", c_uint32),
                ("reserved_id", c_int32), ("reserved_", c_uint32)]


def _check_models(rc, func, args):
    """errcheck of writing model-set calls: the set's last error explains."""
    if rc < 0:
        rec = twin_models_last_error(args[0])
        text = (rec.message.decode("utf-8", "replace")
                if rec.status == rc and rec.message else strerror(rc))
        raise errors.from_status(rc, text)
    return rc


# ingest.h and storage.h (LIBTWIN_1.3): the raw layer only, for now; the
# option, sample and callback structs are passed as pointers the caller
# builds (Pythonic wrappers belong to the binding's own issue).
def _check_ingest(rc, func, args):
    """errcheck of ingest calls: the handle's last error explains."""
    if rc < 0:
        text = strerror(rc)
        if args and args[0]:
            text = _record_text(twin_ingest_last_error(args[0]), rc)
        raise errors.from_status(rc, text)
    return rc


def _check_message_at(index):
    """errcheck of the schema checks: argument ``index`` is the message buffer."""
    def check(rc, func, args):
        if rc < 0:
            buf = args[index]
            text = buf.value.decode("utf-8", "replace") if buf is not None else ""
            raise errors.from_status(rc, text or f"{func.__name__}: {strerror(rc)}")
        return rc
    return check


def _not_status(rc, func, args):
    """errcheck of the int results that are values, not statuses (kind,
    primitive, version, booleans): passed through as they are."""
    return rc


twin_models_options_init_ = _declare("twin_models_options_init_", _status,
                                     [POINTER(twin_models_options), c_size_t], _check)
twin_models_open = _declare("twin_models_open", _status,
                            [POINTER(models_p), POINTER(twin_models_options)], _check)
twin_models_close = _declare("twin_models_close", None, [models_p])
# twin_models_create/destroy are 1.5's names of open/close (1.2), which stay
# exported for all of 1.x: a 1.2-1.4 library has only the old names.
if hasattr(lib, "twin_models_create"):
    twin_models_create = _declare("twin_models_create", _status,
                                  [POINTER(models_p), POINTER(twin_models_options)], _check)
    twin_models_destroy = _declare("twin_models_destroy", None, [models_p])
else:
    twin_models_create, twin_models_destroy = twin_models_open, twin_models_close
twin_models_last_error = _declare("twin_models_last_error", twin_error, [models_p])
twin_models_add = _declare("twin_models_add", _status,
                           [models_p, c_char_p, c_size_t, c_char_p], _check_models)
twin_models_add_file = _declare("twin_models_add_file", _status, [models_p, c_char_p],
                                _check_models)
twin_models_resolve = _declare("twin_models_resolve", _status, [models_p], _check_models)
twin_models_diag_count = _declare("twin_models_diag_count", c_size_t, [models_p])
twin_models_diag = _declare("twin_models_diag", POINTER(twin_dtdl_diag), [models_p, c_size_t])
twin_models_find = _declare("twin_models_find", elem_p, [models_p, c_char_p])
twin_models_interface_count = _declare("twin_models_interface_count", c_size_t, [models_p])
twin_models_interface = _declare("twin_models_interface", elem_p, [models_p, c_size_t])
WRITE_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)
twin_models_save = _declare("twin_models_save", _status, [models_p, WRITE_FN, c_void_p],
                            _check_models)
twin_models_load = _declare("twin_models_load", _status,
                            [POINTER(models_p), c_void_p, c_size_t, POINTER(twin_models_options)],
                            _check)
twin_models_validator = _declare("twin_models_validator", _status,
                                 [models_p, c_uint32, POINTER(twin_graph_validator)], _check)

twin_dtdl_kind_of = _declare("twin_dtdl_kind_of", c_int, [elem_p], _not_status)
twin_dtdl_id = _declare("twin_dtdl_id", c_char_p, [elem_p])
twin_dtdl_name = _declare("twin_dtdl_name", c_char_p, [elem_p])
twin_dtdl_version = _declare("twin_dtdl_version", c_int, [elem_p], _not_status)
twin_dtdl_display_name = _declare("twin_dtdl_display_name", c_char_p, [elem_p, c_char_p])
twin_dtdl_description = _declare("twin_dtdl_description", c_char_p, [elem_p, c_char_p])
twin_dtdl_comment = _declare("twin_dtdl_comment", c_char_p, [elem_p])
twin_dtdl_primitive_of = _declare("twin_dtdl_primitive_of", c_int, [elem_p], _not_status)
twin_dtdl_primitive_name = _declare("twin_dtdl_primitive_name", c_char_p, [c_int])
twin_dtdl_link = _declare("twin_dtdl_link", elem_p, [elem_p, c_int])
twin_dtdl_count = _declare("twin_dtdl_count", c_size_t, [elem_p, c_int])
twin_dtdl_at = _declare("twin_dtdl_at", elem_p, [elem_p, c_int, c_size_t])
twin_dtdl_content = _declare("twin_dtdl_content", elem_p, [elem_p, c_char_p])
twin_dtdl_is_a = _declare("twin_dtdl_is_a", c_int, [elem_p, elem_p], _not_status)
twin_dtdl_writable = _declare("twin_dtdl_writable", c_int, [elem_p], _not_status)
twin_dtdl_multiplicity = _declare("twin_dtdl_multiplicity", _status,
                                  [elem_p, POINTER(c_uint32), POINTER(c_uint32)], _check)
twin_dtdl_cotype_count = _declare("twin_dtdl_cotype_count", c_size_t, [elem_p])
twin_dtdl_cotype = _declare("twin_dtdl_cotype", c_char_p, [elem_p, c_size_t])
twin_dtdl_semantic_type = _declare("twin_dtdl_semantic_type", c_char_p, [elem_p])
twin_dtdl_unit = _declare("twin_dtdl_unit", c_char_p, [elem_p])
twin_dtdl_enum_value = _declare("twin_dtdl_enum_value", _status,
                                [elem_p, POINTER(c_char_p), POINTER(c_int64)], _check)
twin_dtdl_check_value = _declare("twin_dtdl_check_value", _status,
                                 [elem_p, POINTER(twin_value), c_void_p, c_size_t],
                                 _check_message_at(2))
twin_dtdl_check_json = _declare("twin_dtdl_check_json", _status,
                                [elem_p, c_char_p, c_size_t, c_void_p, c_size_t],
                                _check_message_at(3))
twin_dtmi_parse = _declare("twin_dtmi_parse", _status,
                           [c_char_p, c_size_t, POINTER(twin_dtmi_info)], _check)

def _check_store(rc, func, args):
    """errcheck of store calls: the store's last error explains."""
    if rc < 0:
        text = strerror(rc)
        if args and args[0]:
            text = _record_text(twin_store_last_error(args[0]), rc)
        raise errors.from_status(rc, text)
    return rc


if version_number // 100 % 100 >= 3:
    _vp, _u64p = c_void_p, POINTER(c_uint64)
    twin_ingest_last_error = _declare("twin_ingest_last_error", POINTER(twin_error), [_vp])
    twin_store_last_error = _declare("twin_store_last_error", POINTER(twin_error), [_vp])
    twin_ingest_options_init_ = _declare("twin_ingest_options_init_", _status,
                                         [_vp, c_size_t], _check)
    twin_signal_options_init_ = _declare("twin_signal_options_init_", _status,
                                         [_vp, c_size_t], _check)
    twin_ingest_create = _declare("twin_ingest_create", _status,
                                  [POINTER(c_void_p), _vp, _vp], _check)
    twin_ingest_destroy = _declare("twin_ingest_destroy", None, [_vp])
    twin_ingest_add_signal = _declare("twin_ingest_add_signal", _status,
                                      [_vp, c_char_p, c_char_p, _vp, _u64p], _check_ingest)
    twin_ingest_resolve = _declare("twin_ingest_resolve", _status,
                                   [_vp, c_char_p, c_char_p, c_char_p, _u64p], _check_ingest)
    twin_ingest_set_signal_options = _declare("twin_ingest_set_signal_options", _status,
                                              [_vp, c_uint64, _vp], _check_ingest)
    twin_ingest_attach_health = _declare("twin_ingest_attach_health", _status,
                                         [_vp, c_uint64, POINTER(twin_health_options),
                                          c_int64], _check_ingest)
    twin_ingest_detach_health = _declare("twin_ingest_detach_health", _status,
                                         [_vp, c_uint64], _check_ingest)
    twin_ingest_write_ = _declare("twin_ingest_write_", _status,
                                  [_vp, _vp, c_size_t, c_size_t, _vp, POINTER(c_size_t)],
                                  _check_ingest)
    twin_ingest_write_signals_ = _declare("twin_ingest_write_signals_", _status,
                                          [_vp, _vp, c_size_t, c_size_t, _vp,
                                           POINTER(c_size_t)], _check_ingest)
    twin_ingest_get_latest = _declare("twin_ingest_get_latest", _status,
                                      [_vp, c_uint64, POINTER(c_int64), POINTER(c_double)],
                                      _check)
    twin_ingest_get_history = _declare(
        "twin_ingest_get_history", _status,
        [_vp, c_uint64, POINTER(c_int64), POINTER(c_double), c_size_t, POINTER(c_size_t),
         POINTER(c_int64)], _check)
    twin_ingest_state_at = _declare(
        "twin_ingest_state_at", _status,
        [_vp, _u64p, c_size_t, c_int64, POINTER(twin_series_options),
         POINTER(twin_series_value), error_p], _check_health)
    twin_ingest_resample = _declare(
        "twin_ingest_resample", _status,
        [_vp, c_uint64, c_int64, c_int64, c_size_t, POINTER(twin_series_bucket), error_p],
        _check_health)
    twin_ingest_get_health = _declare("twin_ingest_get_health", _status,
                                      [_vp, c_uint64, health_p, POINTER(twin_health_options)],
                                      _check)
    twin_ingest_get_stats = _declare("twin_ingest_get_stats", _status,
                                     [_vp, c_uint64, _vp], _check)
    twin_ingest_signal_info = _declare("twin_ingest_signal_info", _status,
                                       [_vp, c_uint64, POINTER(c_char_p), POINTER(c_char_p),
                                        POINTER(c_char_p)], _check)
    twin_ingest_signals_next = _declare("twin_ingest_signals_next", _status,
                                        [_vp, _u64p, _u64p], _check)
    twin_ingest_signal_count = _declare("twin_ingest_signal_count", c_size_t, [_vp])
    twin_ingest_remove_twin = _declare("twin_ingest_remove_twin", _status,
                                       [_vp, c_char_p], _check_ingest)
    twin_ingest_resolver_from_models = _declare("twin_ingest_resolver_from_models", _status,
                                                [_vp, _vp], _check)
    twin_store_options_init_ = _declare("twin_store_options_init_", _status,
                                        [_vp, c_size_t], _check)
    twin_store_create = _declare("twin_store_create", _status,
                                 [POINTER(c_void_p), _vp, _vp], _check)
    twin_store_destroy = _declare("twin_store_destroy", None, [_vp])
    twin_store_flush = _declare("twin_store_flush", _status, [_vp], _check_store)
    twin_store_checkpoint = _declare("twin_store_checkpoint", _status, [_vp], _check_store)
    twin_store_get_stats = _declare("twin_store_get_stats", _status, [_vp, _vp], _check)
    twin_store_add_twin = _declare("twin_store_add_twin", _status,
                                   [_vp, c_char_p, c_char_p, _vp, c_size_t], _check_store)
    twin_store_remove_twin = _declare("twin_store_remove_twin", _status,
                                      [_vp, c_char_p, c_uint32], _check_store)
    twin_store_set_model = _declare("twin_store_set_model", _status,
                                    [_vp, c_char_p, c_char_p], _check_store)
    twin_store_set_property = _declare("twin_store_set_property", _status,
                                       [_vp, c_char_p, c_char_p, _vp], _check_store)
    twin_store_remove_property = _declare("twin_store_remove_property", _status,
                                          [_vp, c_char_p, c_char_p], _check_store)
    twin_store_add_relationship = _declare("twin_store_add_relationship", _status,
                                           [_vp, c_char_p, c_char_p, c_char_p, c_char_p, _vp,
                                            c_size_t], _check_store)
    twin_store_remove_relationship = _declare("twin_store_remove_relationship", _status,
                                              [_vp, c_char_p, c_char_p], _check_store)
    twin_store_set_relationship_property = _declare(
        "twin_store_set_relationship_property", _status,
        [_vp, c_char_p, c_char_p, c_char_p, _vp], _check_store)
    twin_store_remove_relationship_property = _declare(
        "twin_store_remove_relationship_property", _status,
        [_vp, c_char_p, c_char_p, c_char_p], _check_store)
    # Its failures are recorded as the graph's last error (the loader's, or the add's).
    twin_store_load = _declare("twin_store_load", _status, [graph_p, _vp, _vp], _check_graph)
    twin_snapshot_save = _declare("twin_snapshot_save", _status, [_vp, _vp, _vp, _vp], _check)
    twin_snapshot_restore = _declare("twin_snapshot_restore", _status, [_vp, _vp, _vp, _vp],
                                     _check)


# ---- ingest.h and storage.h structs (used by ingest.py and storage.py) -----

INGEST_OUTCOMES = 10
INGEST_HISTORY_MAX = 256
STORE_OUTBOX_MIN = 4096


class twin_sample(Structure):
    _fields_ = [("twin_id", c_char_p), ("signal", c_char_p), ("t_us", c_int64),
                ("value", c_double), ("unit", c_char_p)]


class twin_signal_sample(Structure):
    _fields_ = [("signal", c_uint64), ("t_us", c_int64), ("value", c_double)]


class twin_signal_options(Structure):
    _fields_ = [("size", c_uint32), ("order", c_int32), ("reorder_window_us", c_int64),
                ("unit", c_char_p), ("alarm_low", c_double), ("alarm_high", c_double),
                ("history", c_uint32), ("reserved_", c_uint32), ("health_step", c_double)]


class twin_ingest_event(Structure):
    _fields_ = [("size", c_uint32), ("flags", c_uint32), ("signal", c_uint64),
                ("t_us", c_int64), ("value", c_double), ("predicted", c_double),
                ("error", c_double), ("mean_before", c_double * 2),
                ("mean_after", c_double * 2), ("recalibrations", c_uint64),
                ("health", c_double), ("diverged", c_int32), ("zone", c_int32)]


INGEST_EVENT_FN = CFUNCTYPE(None, c_void_p, POINTER(twin_ingest_event))
INGEST_RESOLVE_FN = CFUNCTYPE(c_int, c_void_p, c_char_p, c_char_p, c_char_p,
                              POINTER(c_char_p))


class twin_ingest_resolver(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("resolve", INGEST_RESOLVE_FN),
                ("ud", c_void_p)]


class twin_ingest_options(Structure):
    _fields_ = [("size", c_uint32), ("flags", c_uint32), ("alloc", POINTER(twin_allocator)),
                ("store", c_void_p), ("on_event", INGEST_EVENT_FN), ("event_ud", c_void_p),
                ("resolver", POINTER(twin_ingest_resolver)),
                ("resolved_options", POINTER(twin_signal_options)),
                ("user_model", POINTER(twin_health_model)),
                ("signal_capacity", c_uint32), ("twin_capacity", c_uint32)]


class twin_ingest_stats(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("outcomes", c_uint64 * 16),
                ("health_errors", c_uint64), ("events", c_uint64), ("signals", c_uint64)]


class twin_store_signal(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("signal", c_uint64),
                ("twin_id", c_char_p), ("name", c_char_p), ("unit", c_char_p)]


STORE_WRITE_SAMPLES_FN = CFUNCTYPE(c_int, c_void_p, POINTER(twin_signal_sample), c_size_t)
STORE_PUT_SIGNAL_FN = CFUNCTYPE(c_int, c_void_p, POINTER(twin_store_signal))
STORE_PUT_TWIN_FN = CFUNCTYPE(c_int, c_void_p, c_char_p, c_char_p, POINTER(twin_member),
                              c_size_t)
STORE_DELETE_TWIN_FN = CFUNCTYPE(c_int, c_void_p, c_char_p)
STORE_PUT_RELATIONSHIP_FN = CFUNCTYPE(c_int, c_void_p, POINTER(twin_relationship))
STORE_DELETE_RELATIONSHIP_FN = CFUNCTYPE(c_int, c_void_p, c_char_p, c_char_p)
STORE_PUT_HEALTH_FN = CFUNCTYPE(c_int, c_void_p, c_uint64, POINTER(twin_health))
STORE_FLUSH_FN = CFUNCTYPE(c_int, c_void_p)


class twin_store_callbacks(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("ud", c_void_p),
                ("write_samples", STORE_WRITE_SAMPLES_FN), ("put_signal", STORE_PUT_SIGNAL_FN),
                ("put_twin", STORE_PUT_TWIN_FN), ("delete_twin", STORE_DELETE_TWIN_FN),
                ("put_relationship", STORE_PUT_RELATIONSHIP_FN),
                ("delete_relationship", STORE_DELETE_RELATIONSHIP_FN),
                ("put_health", STORE_PUT_HEALTH_FN), ("flush", STORE_FLUSH_FN)]


class twin_store_options(Structure):
    _fields_ = [("size", c_uint32), ("flags", c_uint32), ("alloc", POINTER(twin_allocator)),
                ("callbacks", POINTER(twin_store_callbacks)), ("outbox_bytes", c_size_t)]


class twin_store_stats(Structure):
    _fields_ = [("size", c_uint32), ("last_status", c_int32), ("pending_records", c_uint64),
                ("pending_samples", c_uint64), ("pending_bytes", c_uint64),
                ("capacity_bytes", c_uint64), ("confirmed_samples", c_uint64),
                ("failures", c_uint64), ("busy", c_int32), ("reserved_", c_uint32)]


SNAPSHOT_WRITE_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)
SNAPSHOT_READ_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t, POINTER(c_size_t))


# ---- ingest.h: sources and their clocks (1.6) ----------------------------------

INGEST_EVENT_CLOCK_OUT_OF_TOLERANCE, INGEST_EVENT_CLOCK_UNCORRECTED = 64, 128


class twin_ingest_source_info(Structure):
    _fields_ = [("size", c_uint32), ("clock_flags", c_uint32), ("name", c_char_p),
                ("estimated", c_int32), ("reserved_", c_uint32), ("t_us", c_int64),
                ("offset_us", c_int64), ("skew_ppm", c_double),
                ("offset_uncertainty_us", c_double), ("skew_uncertainty_ppm", c_double),
                ("signals", c_uint64), ("pairs", c_uint64), ("pairs_refused", c_uint64),
                ("corrected", c_uint64), ("uncorrected", c_uint64),
                ("out_of_tolerance", c_uint64)]


class twin_ingest_correction(Structure):
    _fields_ = [("size", c_uint32), ("flags", c_uint32), ("source", c_uint32),
                ("reserved_", c_uint32), ("source_t_us", c_int64), ("t_us", c_int64),
                ("uncertainty_us", c_double)]


if version_number // 100 % 100 >= 6:
    _vp, _u32p = c_void_p, POINTER(c_uint32)
    twin_ingest_add_source = _declare(
        "twin_ingest_add_source", _status,
        [_vp, c_char_p, POINTER(twin_clock_options), _u32p], _check_ingest)
    twin_ingest_find_source = _declare("twin_ingest_find_source", _status,
                                       [_vp, c_char_p, _u32p], _check)
    twin_ingest_sources_next = _declare("twin_ingest_sources_next", _status,
                                        [_vp, POINTER(c_uint64), _u32p], _check)
    twin_ingest_set_signal_source = _declare("twin_ingest_set_signal_source", _status,
                                             [_vp, c_uint64, c_uint32], _check_ingest)
    twin_ingest_signal_source = _declare(
        "twin_ingest_signal_source", _status,
        [_vp, c_uint64, POINTER(twin_ingest_correction)], _check)
    twin_ingest_observe_source = _declare("twin_ingest_observe_source", _status,
                                          [_vp, c_uint32, c_int64, c_int64], _check_ingest)
    twin_ingest_set_source_clock = _declare("twin_ingest_set_source_clock", _status,
                                            [_vp, c_uint32, clock_p], _check_ingest)
    twin_ingest_get_source = _declare(
        "twin_ingest_get_source", _status,
        [_vp, c_uint32, POINTER(twin_ingest_source_info), clock_p], _check)

# ingest.h (1.7): sources put back all at once (libtwin-sqlite's load).
if version_number // 100 % 100 >= 7:
    twin_ingest_put_sources = _declare(
        "twin_ingest_put_sources", _status,
        [c_void_p, POINTER(c_char_p), POINTER(twin_clock), c_size_t], _check_ingest)

# ---- storage.h: the loader of twin_store_load (used by storage.py) ---------


class twin_store_twin(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("id", c_char_p),
                ("model_id", c_char_p), ("props", POINTER(twin_member)), ("nprops", c_size_t)]


class twin_store_loaded_signal(Structure):
    _fields_ = [("size", c_uint32), ("has_latest", c_int32), ("twin_id", c_char_p),
                ("name", c_char_p), ("options", POINTER(twin_signal_options)),
                ("latest_t_us", c_int64), ("latest_value", c_double),
                ("health_options", POINTER(twin_health_options)),
                ("health", POINTER(twin_health)), ("health_t0_us", c_int64)]


LOADER_NEXT_TWIN_FN = CFUNCTYPE(c_int, c_void_p, POINTER(twin_store_twin))
LOADER_NEXT_RELATIONSHIP_FN = CFUNCTYPE(c_int, c_void_p, POINTER(twin_relationship))
LOADER_NEXT_SIGNAL_FN = CFUNCTYPE(c_int, c_void_p, POINTER(twin_store_loaded_signal))


class twin_store_loader(Structure):
    _fields_ = [("size", c_uint32), ("reserved_", c_uint32), ("ud", c_void_p),
                ("next_twin", LOADER_NEXT_TWIN_FN),
                ("next_relationship", LOADER_NEXT_RELATIONSHIP_FN),
                ("next_signal", LOADER_NEXT_SIGNAL_FN)]


# ---- scenario.h (1.6, used by scenario.py) ----------------------------------

SCENARIO_FAILURE_LEVEL, SCENARIO_RATE_FACTOR, SCENARIO_RATE = 1, 2, 3
STRESS_POWER, STRESS_ARRHENIUS = 1, 2


class twin_scenario(Structure):
    """Opaque."""


class twin_scenario_result(Structure):
    """Opaque."""


scenario_p = POINTER(twin_scenario)
scenario_result_p = POINTER(twin_scenario_result)


class twin_scenario_rel(Structure):
    _fields_ = [("id", c_char_p), ("name", c_char_p), ("source_id", c_char_p),
                ("target_id", c_char_p)]


SCENARIO_REL_FN = CFUNCTYPE(c_int, c_void_p, POINTER(twin_scenario_rel))
# const uint8_t *up is read as bytes through its address (c_void_p).
SCENARIO_STRUCTURE_FN = CFUNCTYPE(c_int32, c_void_p, c_char_p, POINTER(c_void_p), c_void_p,
                                  c_size_t)


class twin_scenario_stress(Structure):
    _fields_ = [("signal", c_char_p), ("property", c_char_p), ("via", c_char_p),
                ("law", c_int32), ("reserved_", c_uint32), ("exponent", c_double),
                ("rated", c_double)]


class twin_scenario_run_options(Structure):
    _fields_ = [("size", c_uint32), ("runs", c_uint32), ("seed", c_uint64),
                ("horizon_s", c_double), ("step_s", c_double),
                ("depends", POINTER(c_char_p)), ("k_property", c_char_p),
                ("structure", SCENARIO_STRUCTURE_FN), ("structure_ud", c_void_p),
                ("stress", POINTER(twin_scenario_stress)), ("nstress", c_uint32),
                ("reserved_", c_uint32), ("q_lower", c_double), ("q_upper", c_double)]


class twin_scenario_outcome(Structure):
    _fields_ = [("size", c_uint32), ("runs", c_uint32), ("twin_id", c_char_p),
                ("p_fail", c_double), ("ttf_median", c_double), ("ttf_lower", c_double),
                ("ttf_upper", c_double), ("availability", c_double), ("downtime_s", c_double),
                ("inputs", c_uint32), ("k", c_uint32)]


class twin_scenario_diff(Structure):
    _fields_ = [("size", c_uint32), ("runs", c_uint32), ("p_fail", c_double),
                ("p_fail_lo", c_double), ("p_fail_hi", c_double), ("downtime_s", c_double),
                ("downtime_lo", c_double), ("downtime_hi", c_double),
                ("ttf_median_a", c_double), ("ttf_median_b", c_double)]


def _check_scenario(rc, func, args):
    """errcheck of scenario calls: the scenario's last error explains."""
    if rc < 0:
        text = strerror(rc)
        if args and args[0]:
            text = _record_text(twin_scenario_last_error(args[0]), rc)
        raise errors.from_status(rc, text)
    return rc


def _check_fork(rc, func, args):
    """errcheck of twin_scenario_fork_scenario: a failure is the parent's error."""
    if rc < 0:
        text = strerror(rc)
        if len(args) > 1 and args[1]:
            text = _record_text(twin_scenario_last_error(args[1]), rc)
        raise errors.from_status(rc, text)
    return rc


if hasattr(lib, "twin_scenario_fork"):
    _sp, _rp = scenario_p, scenario_result_p
    twin_scenario_last_error = _declare("twin_scenario_last_error", POINTER(twin_error), [_sp])
    # The fork records no message anywhere (there is no scenario yet).
    twin_scenario_fork = _declare("twin_scenario_fork", _status,
                                  [POINTER(_sp), graph_p, c_void_p, c_int64], _check)
    twin_scenario_fork_scenario = _declare("twin_scenario_fork_scenario", _status,
                                           [POINTER(_sp), _sp], _check_fork)
    twin_scenario_destroy = _declare("twin_scenario_destroy", None, [_sp])
    twin_scenario_find_twin = _declare("twin_scenario_find_twin", _status,
                                       [_sp, c_char_p, POINTER(c_char_p)], _check_scenario)
    twin_scenario_get_property = _declare("twin_scenario_get_property", _status,
                                          [_sp, c_char_p, c_char_p,
                                           POINTER(POINTER(twin_value))], _check_scenario)
    twin_scenario_relationships = _declare("twin_scenario_relationships", _status,
                                           [_sp, c_char_p, c_int, c_char_p, SCENARIO_REL_FN,
                                            c_void_p], _check_scenario)
    twin_scenario_twin_count = _declare("twin_scenario_twin_count", c_size_t, [_sp])
    twin_scenario_set_property = _declare("twin_scenario_set_property", _status,
                                          [_sp, c_char_p, c_char_p, POINTER(twin_value)],
                                          _check_scenario)
    twin_scenario_add_twin = _declare("twin_scenario_add_twin", _status,
                                      [_sp, c_char_p, c_char_p], _check_scenario)
    twin_scenario_remove_twin = _declare("twin_scenario_remove_twin", _status,
                                         [_sp, c_char_p], _check_scenario)
    twin_scenario_add_relationship = _declare("twin_scenario_add_relationship", _status,
                                              [_sp, c_char_p, c_char_p, c_char_p, c_char_p],
                                              _check_scenario)
    twin_scenario_remove_relationship = _declare("twin_scenario_remove_relationship", _status,
                                                 [_sp, c_char_p, c_char_p], _check_scenario)
    twin_scenario_fail_twin = _declare("twin_scenario_fail_twin", _status,
                                       [_sp, c_char_p, c_double], _check_scenario)
    twin_scenario_set_failure_rate = _declare("twin_scenario_set_failure_rate", _status,
                                              [_sp, c_char_p, c_double], _check_scenario)
    twin_scenario_set_health = _declare("twin_scenario_set_health", _status,
                                        [_sp, c_char_p, c_char_p, c_int32, c_double],
                                        _check_scenario)
    twin_scenario_run_options_init_ = _declare("twin_scenario_run_options_init_", _status,
                                               [POINTER(twin_scenario_run_options), c_size_t],
                                               _check)
    twin_scenario_run = _declare("twin_scenario_run", _status,
                                 [_sp, POINTER(twin_scenario_run_options), POINTER(_rp)],
                                 _check_scenario)
    twin_scenario_result_destroy = _declare("twin_scenario_result_destroy", None, [_rp])
    twin_scenario_result_count = _declare("twin_scenario_result_count", c_size_t, [_rp])
    # Results record no message: scenario.py words them.
    twin_scenario_result_get = _declare("twin_scenario_result_get", _status,
                                        [_rp, c_size_t, c_char_p,
                                         POINTER(twin_scenario_outcome)], _check)
    twin_scenario_result_times = _declare("twin_scenario_result_times", _status,
                                          [_rp, c_char_p, POINTER(POINTER(c_double)),
                                           POINTER(c_size_t)], _check)
    twin_scenario_compare = _declare("twin_scenario_compare", _status,
                                     [_rp, _rp, c_char_p, POINTER(twin_scenario_diff)], _check)
