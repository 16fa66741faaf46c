"""Impact analysis: who is affected by a twin, how far, how badly (impact.h)."""

from __future__ import annotations

import ctypes
import math
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Callable

from . import _ffi, errors
from ._handle import Handle
from .graph import Graph, direction_code
from .values import decode, encode_id

_RULES = {
    "weakest": _ffi.IMPACT_WEAKEST_LINK,
    "weakest_link": _ffi.IMPACT_WEAKEST_LINK,
    "attenuate": _ffi.IMPACT_ATTENUATE,
}


@dataclass(frozen=True)
class Hit:
    """A twin reached by a traversal, copied out of the library.

    ``parent``, ``via_id``, ``via_name``, ``via_source`` and
    ``parent_index`` are None for a root. The relationship followed runs from
    ``via_source`` to ``via_target``: a hop can follow it either way.
    """

    twin: str
    model: str
    depth: int
    parent: str | None
    via_id: str | None
    via_name: str | None
    via_source: str | None
    score: float
    parent_index: int | None = None

    @property
    def via_target(self) -> str | None:
        if self.via_source is None:
            return None
        return self.twin if self.via_source == self.parent else self.parent

    @classmethod
    def _from_c(cls, h: _ffi.twin_impact_hit) -> "Hit":
        return cls(decode(h.twin_id), decode(h.model_id), h.depth, decode(h.parent_id),
                   decode(h.via_id), decode(h.via_name), decode(h.via_source_id), h.score,
                   None if h.parent_index == _ffi.UINT64_MAX else h.parent_index)


# impact.h promises that a write from a visitor or filter ends the run with
# TWIN_E_MODIFIED, and says nothing of health and rule callbacks: a health
# callback's write is not checked for before the rule callback runs (and can
# make it read a released relationship name), so the binding refuses them.
_READONLY = "health and rule callbacks must not modify the graph"


class _Callbacks:
    """The CFUNCTYPE wrappers of one run, and the first exception they caught.

    No Python exception may cross into C. Each wrapper gives C a safe answer
    instead (visitor: stop; filter: prune; health and rule: NaN) and keeps
    the exception for run() to raise once the C call has returned. After the
    first exception the wrappers stop calling Python, and a visitor stops
    the traversal (one is installed for that when the caller has none).
    """

    def __init__(self, hooks, visitor, filter, health, rule):
        self.error: BaseException | None = None
        self.hooks = hooks  # the graph's: marks health and rule callbacks read-only
        any_callback = any(f is not None for f in (visitor, filter, health, rule))
        self.visit = (_ffi.VISITOR_FN(self._visit_fn(visitor)) if any_callback
                      else _ffi.VISITOR_FN())  # NULL: the library's fast path
        self.filter = None if filter is None else _ffi.FILTER_FN(self._filter_fn(filter))
        self.health = None if health is None else _ffi.HEALTH_FN(self._health_fn(health))
        self.rule = None if rule is None else _ffi.RULE_FN(self._rule_fn(rule))

    def _catch(self, e: BaseException) -> None:
        if self.error is None:
            self.error = e

    def _visit_fn(self, visitor):
        def visit(_ud, hit):
            if self.error is not None:
                return 1
            if visitor is None:
                return 0
            try:
                return 1 if visitor(Hit._from_c(hit.contents)) else 0
            except BaseException as e:  # noqa: BLE001 - re-raised by run()
                self._catch(e)
                return 1
        return visit

    def _filter_fn(self, keep):
        def filter_(_ud, _graph, twin_id, model_id, depth):
            if self.error is not None:
                return 0
            try:
                return 1 if keep(decode(twin_id), decode(model_id), depth) else 0
            except BaseException as e:  # noqa: BLE001
                self._catch(e)
                return 0
        return filter_

    def _health_fn(self, health):
        if isinstance(health, Mapping):
            table = health
            health = lambda twin_id: table.get(twin_id, 1.0)  # noqa: E731

        def health_(_ud, twin_id):
            if self.error is not None:
                return math.nan
            outer, self.hooks.readonly = self.hooks.readonly, _READONLY
            try:
                return float(health(decode(twin_id)))
            except BaseException as e:  # noqa: BLE001
                self._catch(e)
                return math.nan
            finally:
                self.hooks.readonly = outer
        return health_

    def _rule_fn(self, rule):
        def rule_(_ud, parent_score, own_health, via_name, depth):
            if self.error is not None:
                return math.nan
            outer, self.hooks.readonly = self.hooks.readonly, _READONLY
            try:
                return float(rule(parent_score, own_health, decode(via_name), depth))
            except BaseException as e:  # noqa: BLE001
                self._catch(e)
                return math.nan
            finally:
                self.hooks.readonly = outer
        return rule_


def _follow_array(follow, keep: list):
    """A twin_impact_follow array of [(name, direction), ...] or [name, ...]."""
    entries = list(follow)
    arr = (_ffi.twin_impact_follow * max(len(entries), 1))()  # run() maps [] to max_depth 0
    keep.append(arr)
    for k, entry in enumerate(entries):
        if isinstance(entry, str):
            name, direction = entry, None
        else:
            try:
                name, direction = entry
            except (TypeError, ValueError):
                raise TypeError(f"follow[{k}] must be a name or a (name, direction) pair, "
                                f"not {entry!r}") from None
        raw = encode_id(name, f"follow[{k}] name")
        keep.append(raw)
        arr[k].name = raw
        arr[k].direction = 0 if direction is None else direction_code(direction)
    return ctypes.cast(arr, ctypes.POINTER(_ffi.twin_impact_follow)), len(entries)


def _uint32(value, what: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int or None, not {type(value).__name__}")
    if not low <= value <= _ffi.UINT32_MAX:
        raise errors.InvalidArgument(f"{what} must be in [{low}, {_ffi.UINT32_MAX}], not {value}")
    return value


class Impact(Handle):
    """A traversal context (``twin_impact``) on a graph, reused from run to run.

    It keeps its graph alive; closing the graph closes it first.
    """

    _what = "impact context"

    def __init__(self, graph: Graph):
        if not isinstance(graph, Graph):
            raise TypeError(f"Impact needs a Graph, not {type(graph).__name__}")
        ptr = _ffi.impact_p()
        with graph._lock:
            _ffi.twin_impact_create(ctypes.byref(ptr), graph._handle(), None)
            self._graph = graph
            self._ptr = ptr
            self._running = False
            self._fin = weakref.finalize(self, _ffi.twin_impact_destroy, ptr)
            graph._children.add(self)

    @property
    def graph(self) -> Graph:
        return self._graph

    def close(self) -> None:
        """Destroy the context. Idempotent."""
        with self._graph._lock:
            if self._ptr is None:
                return
            if self._running:
                raise errors.InvalidArgument("cannot close an Impact from inside its own run")
            self._fin()
            self._ptr = None

    def run(self, roots, follow: Iterable | None = None, direction: str = "out",
            max_depth: int | None = None, max_results: int | None = None,
            rule: str | Callable[[float, float, str, int], float] = "weakest",
            root_health: float = 0.0, attenuation: float = 0.5,
            health: Callable[[str], float] | Mapping | None = None,
            filter: Callable[[str, str, int], bool] | None = None,
            visitor: Callable[[Hit], Any] | None = None) -> list[Hit]:
        """Traverse breadth-first from ``roots`` and return the twins reached.

        - ``roots``: a twin id or several; duplicates count once.
        - ``follow``: None follows every relationship in ``direction``; else
          names to follow, each ``"name"`` (in ``direction``) or
          ``("name", "out"|"in"|"both")``. An empty list follows nothing.
        - ``max_depth``: deepest hop reported (0: roots only); None: no limit.
        - ``max_results``: stop after this many twins (>= 1); None: no limit.
        - ``rule``: ``'weakest'`` (min of the parent's score and own health),
          ``'attenuate'`` (each hop passes on ``attenuation`` of the loss),
          or ``rule(parent_score, own_health, via_name, depth) -> float``.
        - ``root_health``: the roots' score, in [0, 1]; ``attenuation`` in [0, 1].
        - ``health``: ``health(twin_id) -> float`` in [0, 1], or a dict
          (absent twins are healthy, 1.0).
        - ``filter(twin_id, model, depth) -> bool``: False prunes the twin.
        - ``visitor(hit)``: called as each twin is reached; a true result stops.

        An exception raised by a callback stops the run and is re-raised here.
        A callback may read the graph. A visitor or filter that writes to it
        ends the run with :class:`~libtwin.errors.Modified`; a health or rule
        callback that tries gets :class:`~libtwin.errors.InvalidArgument`.
        """
        keep: list = []
        root_list = [roots] if isinstance(roots, str) else list(roots)
        raw_roots = (ctypes.c_char_p * max(len(root_list), 1))()
        for k, root in enumerate(root_list):
            raw_roots[k] = encode_id(root, "root twin id")
        o = _ffi.twin_impact_options()
        _ffi.twin_impact_options_init_(ctypes.byref(o), ctypes.sizeof(o))
        o.direction = direction_code(direction)
        if follow is not None:
            o.follow, o.nfollow = _follow_array(follow, keep)

        if max_depth is not None:
            o.max_depth = _uint32(max_depth, "max_depth", 0)
        if follow is not None and o.nfollow == 0:
            o.max_depth = 0  # C reads nfollow 0 as every name; [] follows none
        if max_results is not None:
            o.max_results = _uint32(max_results, "max_results", 1)
        custom = None
        if callable(rule):
            o.rule, custom = _ffi.IMPACT_CUSTOM, rule
        else:
            try:
                o.rule = _RULES[rule]
            except (KeyError, TypeError):
                raise errors.InvalidArgument(
                    f"rule must be 'weakest', 'attenuate' or a callable, not {rule!r}") from None
        o.root_health = float(root_health)
        o.attenuation = float(attenuation)
        if filter is not None and not callable(filter):
            raise TypeError("filter must be callable")
        if health is not None and not (callable(health) or isinstance(health, Mapping)):
            raise TypeError("health must be callable or a dict")
        if visitor is not None and not callable(visitor):
            raise TypeError("visitor must be callable")
        cb = _Callbacks(self._graph._hooks, visitor, filter, health, custom)
        if cb.filter is not None:
            o.filter = cb.filter
        if cb.health is not None:
            o.health = cb.health
        if cb.rule is not None:
            o.rule_fn = cb.rule

        graph = self._graph
        with graph._lock:
            ptr = self._handle()
            graph._handle()
            if self._running:
                raise errors.InvalidArgument("Impact.run() called from one of its own callbacks")
            self._running = True
            graph._busy += 1
            failure = None
            try:
                _ffi.twin_impact_run(ptr, raw_roots, len(root_list), ctypes.byref(o),
                                     cb.visit, None)
            except errors.TwinError as e:
                failure = e
            finally:
                self._running = False
                graph._busy -= 1
            if cb.error is not None:
                raise cb.error
            if failure is not None:
                raise failure
            return self._results(ptr)

    def _results(self, ptr) -> list[Hit]:
        hit = _ffi.twin_impact_hit()
        out = []
        for i in range(_ffi.twin_impact_count(ptr)):
            hit.size = ctypes.sizeof(hit)
            _ffi.twin_impact_get(ptr, i, ctypes.byref(hit))
            out.append(Hit._from_c(hit))
        return out

    def results(self) -> list[Hit]:
        """The hits of the last run, again (Modified if the graph changed since)."""
        with self._graph._lock:
            ptr = self._handle()
            try:
                return self._results(ptr)
            except errors.Modified:
                raise errors.Modified("the graph changed since the last run: run again") from None

    def __len__(self) -> int:
        with self._graph._lock:
            return _ffi.twin_impact_count(self._handle())

    def __repr__(self) -> str:
        state = "closed" if self._ptr is None else f"{len(self)} hits"
        return f"<libtwin.Impact {state}>"
