"""What-if scenarios: fork the live graph, change the fork, run it forward (scenario.h).

    >>> import libtwin
    >>> g = libtwin.Graph()
    >>> g.add_twin("pump-A", "dtmi:plant:Pump;1")
    >>> with libtwin.Scenario(g) as sc:
    ...     sc.set_failure_rate("pump-A", 1 / (200 * 86400))
    ...     res = sc.run(runs=1000, seed=7)
    ...     out = res.outcome("pump-A")

A :class:`Scenario` is a copy-on-write view of a :class:`~libtwin.Graph`
(and of the health states of an :class:`~libtwin.Ingest`, copied at the
fork) as it was when forked: the live graph may go on changing, and nothing
done in the scenario reaches it. :meth:`Scenario.fork` makes a child, which
sees its parent as it is then; the parent refuses changes while it has
children. :meth:`Scenario.run` simulates the scenario by Monte Carlo and
returns a :class:`Result`: per-twin :class:`TwinOutcome` summaries, each
run's failure times (:meth:`Result.times`), and :meth:`Result.compare`,
the paired difference between two results run with the same seed (common
random numbers, so identical scenarios differ by exactly zero).

Lifetimes: a scenario keeps its graph alive, a child keeps its parent
alive; closing the graph closes its scenarios, closing a scenario closes its
children first. A :class:`Result` is self-contained and may outlive them
all. :meth:`Result.times` returns a numpy ``float64`` array when the caller
has imported numpy (this module never imports it), else an
``array.array('d')``; either way a copy.

Threads: one thread at a time per scenario (calls on one scenario are
serialised by a lock); scenarios may be read and run on other threads while
the live graph is written. Fork and close a root scenario on the thread that
writes the graph.
"""

from __future__ import annotations

import array
import ctypes
import enum
import functools
import sys
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from . import _ffi, errors, values
from ._handle import Handle
from .graph import Graph, Relationship, direction_code
from .values import decode, encode_id


class HealthParam(enum.IntEnum):
    """What :meth:`Scenario.set_health` changes (``twin_scenario_health_param``)."""

    FAILURE_LEVEL = _ffi.SCENARIO_FAILURE_LEVEL  #: the failure threshold
    RATE_FACTOR = _ffi.SCENARIO_RATE_FACTOR      #: a factor (> 0) on the degradation rate
    RATE = _ffi.SCENARIO_RATE                    #: the degradation rate itself, per second


class StressLaw(enum.IntEnum):
    """How a property scales a degradation rate (``twin_scenario_stress_law``)."""

    POWER = _ffi.STRESS_POWER            #: ``(load / rated) ** exponent``
    ARRHENIUS = _ffi.STRESS_ARRHENIUS    #: ``exp(-exponent / T)``, T in kelvin


@dataclass(frozen=True)
class Stress:
    """A stress law for :meth:`Scenario.run` (``twin_scenario_stress``).

    The rate of every health signal named ``signal`` is multiplied by
    ``law(x) / law(x0)``, ``x`` being ``property`` in the scenario and ``x0``
    the same property in the live graph at the fork. The property is read on
    the signal's twin or, when it has none and ``via`` is given, on the twin
    it is related to by ``via`` (outgoing). ``law`` is a :class:`StressLaw`
    or its name ("power", "arrhenius"); ``exponent`` and ``rated`` are > 0
    (for Arrhenius, the activation energy over Boltzmann's constant and the
    reference temperature, both in kelvin).
    """

    signal: str
    property: str
    exponent: float
    rated: float
    law: StressLaw | str = StressLaw.POWER
    via: str | None = None


@dataclass(frozen=True)
class TwinOutcome:
    """What the runs say about one twin (``twin_scenario_outcome``).

    Times are seconds from the start of simulated time, at step resolution;
    a quantile beyond the horizon is ``math.inf``. ``k`` is 0 when a
    structure callback decided.
    """

    twin: str
    runs: int
    p_fail: float        #: share of runs in which it stopped within the horizon
    ttf_median: float    #: median time to first stop
    ttf_lower: float     #: the lower quantile asked for (``q_lower``)
    ttf_upper: float     #: the upper quantile asked for (``q_upper``)
    availability: float  #: mean share of the horizon it was up
    downtime_s: float    #: expected downtime over the horizon
    inputs: int          #: inputs it depends on (n)
    k: int               #: inputs it needs up

    @classmethod
    def _from_c(cls, o: _ffi.twin_scenario_outcome) -> "TwinOutcome":
        return cls(decode(o.twin_id), o.runs, o.p_fail, o.ttf_median, o.ttf_lower,
                   o.ttf_upper, o.availability, o.downtime_s, o.inputs, o.k)


@dataclass(frozen=True)
class Diff:
    """The difference a scenario makes to one twin, ``b`` minus ``a``, with
    95% intervals from the paired runs (``twin_scenario_diff``)."""

    runs: int
    p_fail: float
    p_fail_lo: float
    p_fail_hi: float
    downtime_s: float
    downtime_lo: float
    downtime_hi: float
    ttf_median_a: float
    ttf_median_b: float

    @classmethod
    def _from_c(cls, d: _ffi.twin_scenario_diff) -> "Diff":
        return cls(d.runs, d.p_fail, d.p_fail_lo, d.p_fail_hi, d.downtime_s, d.downtime_lo,
                   d.downtime_hi, d.ttf_median_a, d.ttf_median_b)


# ---- lifetimes of the C handles -------------------------------------------------------
#
# A child's C handle reads through its parent's, so the parent is destroyed
# only after all its children are, whatever order the garbage collector
# finalizes the Python objects in. A root is destroyed under its graph's
# lock and never inside a call on the graph (it removes a change hook from
# the graph): a root released by the collector at such a moment waits in
# _pending until the next fork or close.

_nodes_lock = threading.Lock()
_pending: set = set()


class _Node:
    """One C scenario handle: destroyed once released and childless."""

    __slots__ = ("ptr", "parent", "graph", "children", "released", "__weakref__")

    def __init__(self, ptr, parent: "_Node | None", graph: Graph | None):
        self.ptr = ptr
        self.parent = parent
        self.graph = graph      # roots only: the graph outlives its scenarios
        self.children = 0
        self.released = False


def _release(node: _Node) -> None:
    """Finalizer of a Scenario (and the end of close())."""
    node.released = True
    _destroy(node, block=False)


def _destroy(node: _Node | None, block: bool) -> None:
    while node is not None:
        with _nodes_lock:
            if node.ptr is None or not node.released or node.children:
                return
            parent = node.parent
            if parent is not None:
                ptr, node.ptr = node.ptr, None
                _ffi.twin_scenario_destroy(ptr)  # a child: any thread
                parent.children -= 1
                node = parent
                continue
        graph = node.graph
        if not graph._lock.acquire(blocking=block):
            with _nodes_lock:
                _pending.add(node)
            return
        try:
            if graph._busy:
                with _nodes_lock:
                    _pending.add(node)
                return
            with _nodes_lock:
                if node.ptr is None:
                    return
                ptr, node.ptr = node.ptr, None
                _pending.discard(node)
            _ffi.twin_scenario_destroy(ptr)
            node.graph = None
        finally:
            graph._lock.release()
        return


def _drain() -> None:
    """Destroy the roots that waited for their graph."""
    with _nodes_lock:
        waiting = list(_pending)
        _pending.clear()
    for node in waiting:
        _destroy(node, block=False)


# ---- the scenario -------------------------------------------------------------------

class _hybrid:
    """``Scenario.fork(graph, ...)`` forks a graph; ``scenario.fork()`` a scenario."""

    def __init__(self, on_class, on_instance):
        self.on_class, self.on_instance = on_class, on_instance
        functools.update_wrapper(self, on_instance)

    def __get__(self, obj, cls=None):
        if obj is None:
            return functools.partial(self.on_class, cls)
        return functools.partial(self.on_instance, obj)


_IN_RUN = "a structure callback must not change the scenario it runs in"


def _float(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number, not {type(value).__name__}")
    return float(value)


def _int(value, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not low <= value <= high:
        raise errors.InvalidArgument(f"{what} must be in [{low}, {high}], not {value}")
    return value


class Scenario(Handle):
    """A what-if scenario (``twin_scenario``) forked from a :class:`~libtwin.Graph`.

    ``Scenario(graph, ingest=None, now_us=0)`` (or ``Scenario.fork(graph,
    ...)``) forks the graph and, when ``ingest`` (an
    :class:`~libtwin.Ingest` over the same graph) is given, the health
    states of its signals. Simulated time starts at ``now_us``
    (microseconds since the epoch; 0: the latest health sample).
    ``scenario.fork()`` forks a child. Close with :meth:`close` or ``with``.

    Reads see the graph as it was at the fork plus the scenario's own
    changes. Failures raise the :mod:`libtwin.errors` exception of the
    library's status, with its message.
    """

    _what = "scenario"

    def __init__(self, graph: Graph, ingest=None, now_us: int = 0):
        if not isinstance(graph, Graph):
            raise TypeError(f"Scenario needs a Graph, not {type(graph).__name__}")
        if ingest is not None:
            from .ingest import Ingest
            if not isinstance(ingest, Ingest):
                raise TypeError(f"ingest must be an Ingest, not {type(ingest).__name__}")
            if ingest.graph is not graph:
                raise errors.InvalidArgument("the ingest handle serves another graph")
        now_us = _int(now_us, "now_us", -(1 << 63), (1 << 63) - 1)
        if not hasattr(_ffi, "twin_scenario_fork"):
            raise errors.AbiMismatch(f"{_ffi.path} is libtwin {_ffi.version}: scenarios need "
                                     f"1.6 or later")
        _drain()
        ptr = _ffi.scenario_p()
        with graph._lock:
            gptr = graph._handle()
            if graph._busy:
                raise errors.InvalidState("cannot fork a scenario from inside a call on its graph")
            iptr = None
            if ingest is not None:
                iptr = ingest._handle()
                if ingest._running:
                    raise errors.InvalidState("cannot fork a scenario from an ingest callback")
            _ffi.twin_scenario_fork(ctypes.byref(ptr), gptr, iptr, now_us)
            self._setup(ptr, graph, None)
            graph._children.add(self)

    def _setup(self, ptr, graph: Graph, parent: "Scenario | None") -> None:
        self._lock = threading.RLock()
        self._graph = graph
        self._parent = parent           # a child keeps its parent alive
        self._running = False
        self._children: weakref.WeakSet = weakref.WeakSet()
        node = _Node(ptr, None if parent is None else parent._node,
                     graph if parent is None else None)
        if parent is not None:
            with _nodes_lock:
                parent._node.children += 1
        self._node = node
        self._ptr = ptr
        self._fin = weakref.finalize(self, _release, node)

    def _fork_graph(cls, graph: Graph, ingest=None, now_us: int = 0) -> "Scenario":
        """Fork ``graph`` (and ``ingest``'s health states): ``Scenario(graph, ingest, now_us)``."""
        return cls(graph, ingest, now_us)

    def _fork_child(self) -> "Scenario":
        """A child scenario: it sees this one as it is now, later changes here
        do not show in it, and this one refuses changes until its children
        are closed."""
        ptr = _ffi.scenario_p()
        with self._lock:
            _ffi.twin_scenario_fork_scenario(ctypes.byref(ptr), self._handle())
            child = Scenario.__new__(Scenario)
            child._setup(ptr, self._graph, self)
            self._children.add(child)
        return child

    fork = _hybrid(_fork_graph, _fork_child)

    # ---- lifetime ---------------------------------------------------------------------

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def parent(self) -> "Scenario | None":
        return self._parent

    def close(self) -> None:
        """Destroy the scenario, its children first. Idempotent. A root
        scenario is closed on the thread that writes its graph."""
        if self._parent is None:
            graph = self._graph
            with graph._lock:  # the root unhooks itself from the graph
                if self._ptr is not None and graph._busy:
                    raise errors.InvalidArgument("cannot close a scenario from inside a call "
                                                 "on its graph")
                self._close()
        else:
            self._close()
        _drain()

    def _close(self) -> None:
        with self._lock:
            if self._ptr is None:
                return
            if self._running:
                raise errors.InvalidArgument("cannot close a scenario from inside its run")
            for child in list(self._children):
                child.close()
            self._ptr = None
            self._fin.detach()
            self._node.released = True
            _destroy(self._node, block=True)

    # ---- calling C --------------------------------------------------------------------

    def _call(self, fn, *args):
        with self._lock:
            return fn(self._handle(), *args)

    def _change(self, fn, *args):
        with self._lock:
            ptr = self._handle()
            if self._running:
                raise errors.InvalidState(_IN_RUN)
            return fn(ptr, *args)

    # ---- reads ------------------------------------------------------------------------

    def find_twin(self, twin_id: str) -> str | None:
        """The model of a twin in the scenario, None if it has no such twin."""
        model = ctypes.c_char_p()
        try:
            self._call(_ffi.twin_scenario_find_twin, encode_id(twin_id, "twin id"),
                       ctypes.byref(model))
        except errors.NotFound:
            return None
        return decode(model.value)

    def __contains__(self, twin_id) -> bool:
        if not isinstance(twin_id, str) or "\0" in twin_id:
            return False
        return self.find_twin(twin_id) is not None

    def get_property(self, twin_id: str, name: str) -> Any:
        """A copy of property ``name`` of a twin in the scenario (NotFound if absent)."""
        out = ctypes.POINTER(_ffi.twin_value)()
        with self._lock:
            self._call(_ffi.twin_scenario_get_property, encode_id(twin_id, "twin id"),
                       encode_id(name, "property name"), ctypes.byref(out))
            return values.from_c(out.contents)

    def relationships(self, twin_id: str, direction: str = "out",
                      name: str | None = None) -> list[Relationship]:
        """A twin's relationships in the scenario: ``direction`` 'out', 'in' or
        'both', only those called ``name`` if given (``properties`` empty)."""
        found: list[Relationship] = []
        failure: list[BaseException] = []

        def visit(_ud, r):
            try:
                c = r.contents
                found.append(Relationship(decode(c.id), decode(c.name), decode(c.source_id),
                                          decode(c.target_id)))
                return errors.OK
            except BaseException as e:  # noqa: BLE001 - re-raised after the call
                failure.append(e)
                return errors.E_INVAL

        fn = _ffi.SCENARIO_REL_FN(visit)
        raw_name = None if name is None else encode_id(name, "relationship name")
        try:
            self._call(_ffi.twin_scenario_relationships, encode_id(twin_id, "twin id"),
                       direction_code(direction), raw_name, fn, None)
        except errors.TwinError:
            if failure:
                raise failure[0] from None
            raise
        return found

    def twin_count(self) -> int:
        """Number of twins in the scenario (O(twins))."""
        return self._call(_ffi.twin_scenario_twin_count)

    def __len__(self) -> int:
        return self.twin_count()

    # ---- changes ----------------------------------------------------------------------

    def set_property(self, twin_id: str, name: str, value: Any) -> None:
        """Set (or add) property ``name`` of a twin in the scenario."""
        keep: list = []
        v = values.to_c(value, name if isinstance(name, str) else "?", keep)
        self._change(_ffi.twin_scenario_set_property, encode_id(twin_id, "twin id"),
                     encode_id(name, "property name"), ctypes.byref(v))

    def add_twin(self, twin_id: str, model: str) -> None:
        """Add a twin to the scenario (a redundant unit, a second pump)."""
        self._change(_ffi.twin_scenario_add_twin, encode_id(twin_id, "twin id"),
                     encode_id(model, "model id"))

    def remove_twin(self, twin_id: str) -> None:
        """Remove a twin and its relationships (both directions) from the scenario."""
        self._change(_ffi.twin_scenario_remove_twin, encode_id(twin_id, "twin id"))

    def add_relationship(self, source: str, rel_id: str, name: str, target: str) -> None:
        """Add relationship ``rel_id`` (unique per source) named ``name``."""
        self._change(_ffi.twin_scenario_add_relationship, encode_id(source, "source twin id"),
                     encode_id(rel_id, "relationship id"), encode_id(name, "relationship name"),
                     encode_id(target, "target twin id"))

    def remove_relationship(self, source: str, rel_id: str) -> None:
        self._change(_ffi.twin_scenario_remove_relationship,
                     encode_id(source, "source twin id"), encode_id(rel_id, "relationship id"))

    def fail_twin(self, twin_id: str, at_s: float) -> None:
        """Fail a twin ``at_s`` seconds after the start in every run (``math.inf`` cancels)."""
        self._change(_ffi.twin_scenario_fail_twin, encode_id(twin_id, "twin id"),
                     _float(at_s, "at_s"))

    def set_failure_rate(self, twin_id: str, per_s: float) -> None:
        """Give a twin random failures at a constant rate (an exponential
        lifetime, mean ``1 / per_s`` seconds); 0 removes it."""
        self._change(_ffi.twin_scenario_set_failure_rate, encode_id(twin_id, "twin id"),
                     _float(per_s, "per_s"))

    def set_health(self, twin_id: str, signal: str, param: HealthParam | str | int,
                   value: float) -> None:
        """Change a health setting of one signal: ``param`` a :class:`HealthParam`
        (or its name, e.g. "rate_factor")."""
        if isinstance(param, str):
            try:
                param = HealthParam[param.upper()]
            except KeyError:
                raise errors.InvalidArgument(
                    f"unknown health parameter {param!r} (one of "
                    f"{', '.join(p.name.lower() for p in HealthParam)})") from None
        code = _int(int(param) if isinstance(param, enum.IntEnum) else param, "param",
                    -(1 << 31), (1 << 31) - 1)
        self._change(_ffi.twin_scenario_set_health, encode_id(twin_id, "twin id"),
                     encode_id(signal, "signal name"), code, _float(value, "value"))

    # ---- running ----------------------------------------------------------------------

    def run(self, runs: int | None = None, seed: int | None = None,
            horizon_s: float | None = None, step_s: float | None = None,
            depends: str | Iterable[str] | None = None, k_property: str | None = None,
            structure: Callable[[str, Sequence[str], Sequence[bool]], Any] | None = None,
            stress: Iterable[Stress] = (), q_lower: float | None = None,
            q_upper: float | None = None) -> "Result":
        """Simulate the scenario forward ``runs`` times (None: the library's
        defaults: 1000 runs, seed 1, 365 days with daily steps, quantiles
        0.05 and 0.95).

        - ``depends``: relationship names that make a twin depend on others,
          ``"name"`` (on its targets) or ``"name:in"`` (on its sources);
          None: each twin fails on its own.
        - ``k_property``: integer property giving k in k-of-n (default: all
          inputs needed).
        - ``structure(twin_id, inputs, up) -> bool``: whether a twin with
          inputs is up, given its inputs' names and whether each is up; it
          overrides k-of-n. It is called many times per run and must be
          pure; an exception raised in it ends the run and is re-raised here.
        - ``stress``: :class:`Stress` laws.
        """
        o = _ffi.twin_scenario_run_options()
        _ffi.twin_scenario_run_options_init_(ctypes.byref(o), ctypes.sizeof(o))
        keep: list = []
        if runs is not None:
            o.runs = _int(runs, "runs", 0, _ffi.UINT32_MAX)
        if seed is not None:
            o.seed = _int(seed, "seed", 0, _ffi.UINT64_MAX)
        if horizon_s is not None:
            o.horizon_s = _float(horizon_s, "horizon_s")
        if step_s is not None:
            o.step_s = _float(step_s, "step_s")
        if q_lower is not None:
            o.q_lower = _float(q_lower, "q_lower")
        if q_upper is not None:
            o.q_upper = _float(q_upper, "q_upper")
        if depends is not None:
            names = [depends] if isinstance(depends, str) else list(depends)
            arr = (ctypes.c_char_p * (len(names) + 1))()
            for k, n in enumerate(names):
                arr[k] = encode_id(n, f"depends[{k}]")
            keep.append(arr)
            o.depends = ctypes.cast(arr, ctypes.POINTER(ctypes.c_char_p))
        if k_property is not None:
            raw = encode_id(k_property, "k_property")
            keep.append(raw)
            o.k_property = raw
        laws = list(stress)
        if laws:
            arr = (_ffi.twin_scenario_stress * len(laws))()
            for k, s in enumerate(laws):
                _stress_to_c(s, k, arr[k], keep)
            keep.append(arr)
            o.stress = ctypes.cast(arr, ctypes.POINTER(_ffi.twin_scenario_stress))
            o.nstress = len(laws)
        cb = None
        if structure is not None:
            if not callable(structure):
                raise TypeError("structure must be callable")
            cb = _Structure(structure)
            o.structure = cb.cfn
        out = _ffi.scenario_result_p()
        with self._lock:
            ptr = self._handle()
            if self._running:
                raise errors.InvalidState("Scenario.run() called from its own structure callback")
            self._running = True
            failure = None
            try:
                _ffi.twin_scenario_run(ptr, ctypes.byref(o), ctypes.byref(out))
            except errors.TwinError as e:
                failure = e
            finally:
                self._running = False
            result = Result(out, o) if out else None
            if cb is not None and cb.error is not None:
                if result is not None:
                    result.close()
                raise cb.error
            if failure is not None:
                raise failure
            return result

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<libtwin.Scenario closed>"
        kind = "child" if self._parent is not None else "root"
        return f"<libtwin.Scenario {kind}, {self.twin_count()} twins>"


def _stress_to_c(s: Stress, k: int, c: _ffi.twin_scenario_stress, keep: list) -> None:
    if not isinstance(s, Stress):
        raise TypeError(f"stress[{k}] must be a Stress, not {type(s).__name__}")
    law = s.law
    if isinstance(law, str):
        try:
            law = StressLaw[law.upper()]
        except KeyError:
            raise errors.InvalidArgument(f"stress[{k}]: unknown law {law!r} "
                                         f"('power' or 'arrhenius')") from None
    raw = [encode_id(s.signal, f"stress[{k}] signal"),
           encode_id(s.property, f"stress[{k}] property"),
           None if s.via is None else encode_id(s.via, f"stress[{k}] via")]
    keep.extend(raw)
    c.signal, c.property, c.via = raw
    c.law = _int(int(law) if isinstance(law, enum.IntEnum) else law, f"stress[{k}] law",
                 -(1 << 31), (1 << 31) - 1)
    c.exponent = _float(s.exponent, f"stress[{k}] exponent")
    c.rated = _float(s.rated, f"stress[{k}] rated")


class _Structure:
    """The C structure callback around a Python one.

    No exception may cross into C, and C cannot be told to stop: the first
    exception is kept, every later call answers "down" without calling
    Python, and run() raises the exception once the C call has returned.
    Names are decoded once per run (their addresses are stable during it).
    """

    def __init__(self, fn):
        self.fn = fn
        self.error: BaseException | None = None
        self.names: dict = {}
        self.cfn = _ffi.SCENARIO_STRUCTURE_FN(self._call)

    def _name(self, addr: int) -> str:
        name = self.names.get(addr)
        if name is None:
            name = self.names[addr] = ctypes.string_at(addr).decode("utf-8", "replace")
        return name

    def _call(self, _ud, twin_id, inputs, up, n):
        if self.error is not None:
            return 0
        try:
            names = tuple(self._name(inputs[i]) for i in range(n))
            flags = tuple(b != 0 for b in ctypes.string_at(up, n))
            return 1 if self.fn(decode(twin_id), names, flags) else 0
        except BaseException as e:  # noqa: BLE001 - re-raised by run()
            self.error = e
            return 0


# ---- results ------------------------------------------------------------------------

class Result(Handle):
    """The results of :meth:`Scenario.run` (``twin_scenario_result``): immutable,
    self-contained (it may outlive its scenario and graph), closed by
    :meth:`close`, ``with`` or garbage collection.

    ``runs``, ``seed``, ``horizon_s``, ``step_s``, ``q_lower`` and ``q_upper``
    are the options it was run with.
    """

    _what = "scenario result"

    def __init__(self, ptr, o: _ffi.twin_scenario_run_options):
        self._ptr = ptr
        self._fin = weakref.finalize(self, _ffi.twin_scenario_result_destroy, ptr)
        self.runs = o.runs
        self.seed = o.seed
        self.horizon_s = o.horizon_s
        self.step_s = o.step_s
        self.q_lower = o.q_lower
        self.q_upper = o.q_upper

    def close(self) -> None:
        """Free the results. Idempotent."""
        if self._ptr is not None:
            self._fin()
            self._ptr = None

    def __len__(self) -> int:
        return _ffi.twin_scenario_result_count(self._handle())

    def _get(self, i: int, twin: str | None) -> TwinOutcome:
        o = _ffi.twin_scenario_outcome()
        o.size = ctypes.sizeof(o)
        raw = None if twin is None else encode_id(twin, "twin id")
        try:
            _ffi.twin_scenario_result_get(self._handle(), i, raw, ctypes.byref(o))
        except errors.NotFound:
            raise errors.NotFound(f"no twin '{twin}' in the results") from None
        return TwinOutcome._from_c(o)

    def outcomes(self) -> list[TwinOutcome]:
        """Every twin's outcome, in the scenario's twin order."""
        return [self._get(i, None) for i in range(len(self))]

    def outcome(self, twin: str) -> TwinOutcome:
        """One twin's outcome (NotFound if the results have no such twin)."""
        return self._get(0, twin)

    def twin_ids(self) -> list[str]:
        """The twins, in the order of :meth:`outcomes`."""
        return [o.twin for o in self.outcomes()]

    def times(self, twin: str):
        """The twin's failure time in each run, seconds from the start
        (``math.inf`` when it did not stop within the horizon): a copy, as a
        numpy ``float64`` array of shape ``(runs,)`` when the caller has
        imported numpy, else an ``array.array('d')``."""
        p = ctypes.POINTER(ctypes.c_double)()
        n = ctypes.c_size_t()
        try:
            _ffi.twin_scenario_result_times(self._handle(), encode_id(twin, "twin id"),
                                            ctypes.byref(p), ctypes.byref(n))
        except errors.NotFound:
            raise errors.NotFound(f"no twin '{twin}' in the results") from None
        data = ctypes.string_at(p, n.value * ctypes.sizeof(ctypes.c_double))
        np = sys.modules.get("numpy")
        if np is not None:
            return np.frombuffer(data, dtype=np.float64).copy()
        out = array.array("d")
        out.frombytes(data)
        return out

    def compare(self, other: "Result", twin: str) -> Diff:
        """The difference ``other`` makes to ``twin`` with respect to these
        results (``other`` minus ``self``), paired run by run: both must have
        been run with the same seed, runs, horizon and step."""
        if not isinstance(other, Result):
            raise TypeError(f"compare needs a Result, not {type(other).__name__}")
        d = _ffi.twin_scenario_diff()
        d.size = ctypes.sizeof(d)
        try:
            _ffi.twin_scenario_compare(self._handle(), other._handle(),
                                       encode_id(twin, "twin id"), ctypes.byref(d))
        except errors.NotFound:
            missing = "these" if twin not in self.twin_ids() else "the other"
            raise errors.NotFound(f"no twin '{twin}' in {missing} results") from None
        except errors.InvalidArgument:
            raise errors.InvalidArgument(
                "results to compare must be run with the same seed, runs, horizon and step "
                f"(seed {self.seed} vs {other.seed}, runs {self.runs} vs {other.runs}, "
                f"horizon {self.horizon_s:g} s vs {other.horizon_s:g} s, "
                f"step {self.step_s:g} s vs {other.step_s:g} s)") from None
        return Diff._from_c(d)

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<libtwin.scenario.Result closed>"
        return (f"<libtwin.scenario.Result {len(self)} twins, {self.runs} runs, "
                f"horizon {self.horizon_s:g} s>")


__all__ = ["Scenario", "Result", "TwinOutcome", "Diff", "Stress", "StressLaw", "HealthParam"]
