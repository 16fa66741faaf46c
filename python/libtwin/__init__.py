"""Python binding of libtwin (ctypes over libtwin.so.1).

    >>> import libtwin
    >>> with libtwin.Graph() as g:
    ...     g.add_twin("motor-C", "dtmi:factory:Motor;1", {"ratedPowerKW": 7.5})
    ...     g.add_twin("conveyor-C", "dtmi:factory:Conveyor;1")
    ...     g.add_relationship("motor-C", "drives", "partOf", "conveyor-C")
    ...     hits = libtwin.Impact(g).run("motor-C", root_health=0.3)

See :class:`Graph`, :class:`Impact`, :class:`Health` (and
:class:`HealthModel`, user-defined models), :class:`Models` (DTDL),
:class:`Ingest`, :class:`Store`, :func:`store_load`, :func:`snapshot_save`,
:class:`Scenario` (what-if forks, run forward: :class:`Result`),
:mod:`libtwin.sqlite` (:class:`SqliteStore`, over libtwin-sqlite, loaded on
first use) and :mod:`libtwin.errors`. The library is found through
``LIBTWIN_LIBRARY``, beside the package, or by soname: :data:`library_path` is
the file loaded, :data:`library_origin` why it was chosen and
:data:`library_refused` the ``(path, reason)`` of those passed over;
``python3 -m libtwin`` prints them.
"""

from . import errors
from ._ffi import origin as library_origin
from ._ffi import path as library_path
from ._ffi import refused as library_refused
from ._ffi import strerror
from ._ffi import version as library_version
from ._ffi import version_number as library_version_number
from .errors import (AbiMismatch, AlreadyExists, Closed, ConstraintViolated, InvalidArgument,
                     InvalidState, IOFailure, LimitExceeded, Modified, NoMemory, NotFound,
                     ParseError, TwinError, Busy)
from .clock import Clock, ClockEstimate, ClockKind
from .graph import Graph, Relationship, Twin
from .health import (Fusion, Health, HealthEvent, HealthModel, HealthOptions, HealthStats,
                     Predictor, Rul, RulEstimate, Track)
from .impact import Hit, Impact
from .ingest import (EventFlag, Ingest, IngestEvent, IngestStats, Order, Outcome, SourceCorrection,
                     SourceInfo, outcome_counts)
from .models import (Diagnostic, DtmiInfo, DtmiResolver, Element, Kind, ModelCheck, Models,
                     ModelsValidator, Multiplicity, Primitive, dtmi_parse)
from .scenario import Diff, HealthParam, Result, Scenario, Stress, StressLaw, TwinOutcome
from .series import Bucket, Policy, SeriesValue
from .storage import (LoadedSignal, SampleBatch, Store, StoreSignal, StoreStats,
                      snapshot_restore, snapshot_save, store_load)

__version__ = library_version

__all__ = [
    "Graph", "Impact", "Twin", "Relationship", "Hit", "errors",
    "Health", "HealthOptions", "HealthModel", "HealthEvent", "HealthStats", "Rul", "Fusion",
    "Predictor", "Track", "RulEstimate",
    "Models", "ModelsValidator", "DtmiResolver", "Element", "Diagnostic", "DtmiInfo",
    "Multiplicity", "Kind", "Primitive", "ModelCheck", "dtmi_parse",
    "Ingest", "IngestEvent", "IngestStats", "Outcome", "Order", "EventFlag", "outcome_counts",
    "SourceInfo", "SourceCorrection",
    "Clock", "ClockKind", "ClockEstimate", "Policy", "SeriesValue", "Bucket",
    "Store", "StoreSignal", "StoreStats", "SampleBatch", "LoadedSignal", "store_load",
    "snapshot_save", "snapshot_restore", "SqliteStore",
    "Scenario", "Result", "TwinOutcome", "Diff", "Stress", "StressLaw", "HealthParam",
    "TwinError", "NoMemory", "InvalidArgument", "Closed", "NotFound", "AlreadyExists",
    "LimitExceeded", "ParseError", "AbiMismatch", "ConstraintViolated", "Modified",
    "InvalidState", "IOFailure", "Busy",
    "library_path", "library_origin", "library_refused", "library_version", "library_version_number", "strerror",
]


def __getattr__(name):
    """``SqliteStore`` (and the ``sqlite`` module) load libtwin-sqlite on first use;
    the ``influx`` and ``pg`` modules load libtwin-influx and libtwin-pg on first use."""
    if name in ("influx", "pg"):
        import importlib
        return importlib.import_module("." + name, __name__)
    if name in ("SqliteStore", "sqlite"):
        import importlib
        sqlite = importlib.import_module(".sqlite", __name__)
        return sqlite if name == "sqlite" else sqlite.SqliteStore
    raise AttributeError(f"module 'libtwin' has no attribute {name!r}")
