"""The ctypes layer: every exported symbol bound, layouts match the C
headers, the version check, and the raw functions the Pythonic surface does
not use (allocators, arena)."""

import ctypes
import os
import re
import shutil
import subprocess

import pytest

import libtwin
from libtwin import _ffi, errors
from conftest import REPO

MAP = os.path.join(REPO, "lib", "libtwin.map")


def exported_symbols():
    with open(MAP, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    return sorted(set(re.findall(r"\b(twin_\w+)\s*;", text)))


def test_map_lists_symbols():
    syms = exported_symbols()
    assert "twin_graph_create" in syms and "twin_impact_run" in syms
    assert len(syms) >= 39


def test_every_exported_symbol_is_declared():
    missing = [s for s in exported_symbols() if s not in _ffi.FUNCTIONS]
    assert missing == []


@pytest.mark.parametrize("name", exported_symbols())
def test_symbol_has_argtypes_and_restype(name):
    fn = _ffi.FUNCTIONS[name]
    assert fn is getattr(_ffi, name)
    assert fn.argtypes is not None
    assert hasattr(fn, "restype")
    if fn.restype is ctypes.c_int and name not in ("twin_strerror",):
        # every twin_status function maps failures to exceptions
        assert fn.errcheck is not None, name


def test_no_declared_function_is_unexported():
    assert sorted(_ffi.FUNCTIONS) == exported_symbols()


def test_version_matches_abi_major():
    assert libtwin.library_version_number // 10000 == _ffi.ABI_MAJOR
    major, minor, patch = (int(x) for x in libtwin.library_version.split("."))
    assert libtwin.library_version_number == major * 10000 + minor * 100 + patch
    assert libtwin.__version__ == libtwin.library_version


def test_library_loaded_from_env():
    env = os.environ.get("LIBTWIN_LIBRARY")
    if env:
        assert libtwin.library_path == env


def test_load_error_names_the_path(tmp_path):
    code = "import libtwin"
    env = dict(os.environ, LIBTWIN_LIBRARY=str(tmp_path / "nope.so"),
               PYTHONPATH=os.path.join(REPO, "python"))
    r = subprocess.run([os.sys.executable, "-c", code], env=env, capture_output=True,
                       text=True)
    assert r.returncode != 0
    assert "LIBTWIN_LIBRARY=" in r.stderr and "nope.so" in r.stderr


def test_origin_says_why_this_library():
    if os.environ.get("LIBTWIN_LIBRARY"):
        assert libtwin.library_origin == "$LIBTWIN_LIBRARY"
        assert libtwin.library_refused == []
    assert os.path.exists(libtwin.library_path)


def test_find_library_passes_over_unusable_candidates(tmp_path, monkeypatch):
    """A candidate that does not load, or that the check refuses, is recorded
    with its reason and the next place is tried."""
    real = libtwin.library_path
    junk = tmp_path / "libtwin.so.1"
    junk.write_bytes(b"not an ELF file")
    other = tmp_path / "other" / "libtwin.so.1"
    other.parent.mkdir()
    shutil.copy(real, other)
    monkeypatch.delenv("LIBTWIN_TEST_NONE", raising=False)
    calls = []

    def accept(lib):
        calls.append(lib)
        return "too old for this test" if len(calls) == 1 else None

    found = _ffi.find_library("libtwin", real, "LIBTWIN_TEST_NONE",
                              [(str(junk), "inside the package"),
                               (str(other), "beside the package"),
                               str(tmp_path / "absent.so")], "hint", accept)
    assert found.origin.startswith("soname ")
    assert [p for p, _ in found.refused] == [str(junk), str(other)]
    assert "too old for this test" in found.refused[1][1]
    assert os.path.samefile(found.path, real)


def test_find_library_refusal_names_path_and_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("LIBTWIN_TEST_ENV", libtwin.library_path)
    with pytest.raises(errors.AbiMismatch, match="refused LIBTWIN_TEST_ENV=.*: it is too new"):
        _ffi.find_library("libtwin", "libtwin.so.1", "LIBTWIN_TEST_ENV", [], "hint",
                          lambda lib: "it is too new")
    monkeypatch.delenv("LIBTWIN_TEST_ENV")
    junk = tmp_path / "libtwin.so.1"
    junk.write_bytes(b"junk")
    with pytest.raises(OSError, match=r"libnothing\.so\.9 not found .*refused .*libtwin\.so\.1"):
        _ffi.find_library("libtwin", "libnothing.so.9", "LIBTWIN_TEST_ENV",
                          [(str(junk), "inside the package")], "hint")


def test_module_main_prints_library_and_origin():
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "python"))
    r = subprocess.run([os.sys.executable, "-m", "libtwin"], env=env, capture_output=True,
                       text=True, check=True)
    assert f"libtwin {libtwin.library_version}: " in r.stdout
    assert "(from " in r.stdout and "libtwin-sqlite: " in r.stdout


def test_strerror_known_and_unknown():
    assert libtwin.strerror(errors.E_NOTFOUND) == "not found"
    assert libtwin.strerror(errors.E_MODIFIED) == "modified during a read"
    assert libtwin.strerror(-1000) == "unknown status"


def test_allocator_default_table():
    a = _ffi.twin_allocator_default().contents
    assert a.size == ctypes.sizeof(_ffi.twin_allocator)
    assert a.alloc and a.realloc and a.free


def test_arena_functions():
    arena = _ffi.twin_arena()
    table = _ffi.twin_allocator()
    buf = ctypes.create_string_buffer(1 << 16)
    _ffi.twin_arena_init(ctypes.byref(arena), buf, len(buf), ctypes.byref(table))
    assert _ffi.twin_arena_used(ctypes.byref(arena)) == 0
    p = table.alloc(table.ud, 100)
    assert p
    assert _ffi.twin_arena_used(ctypes.byref(arena)) >= 100
    peak = _ffi.twin_arena_peak(ctypes.byref(arena))
    _ffi.twin_arena_reset(ctypes.byref(arena))
    assert _ffi.twin_arena_used(ctypes.byref(arena)) == 0
    assert _ffi.twin_arena_peak(ctypes.byref(arena)) == peak
    assert _ffi.twin_arena_used(None) == 0


def test_arena_init_null_raises_invalid_argument():
    with pytest.raises(errors.InvalidArgument, match="twin_arena_init: invalid argument"):
        _ffi.twin_arena_init(None, None, 0, None)


def test_options_init_larger_size_is_abi_mismatch():
    o = _ffi.twin_graph_options()
    with pytest.raises(errors.AbiMismatch):
        _ffi.twin_graph_options_init_(ctypes.byref(o), ctypes.sizeof(o) + 8)
    q = _ffi.twin_impact_options()
    with pytest.raises(errors.AbiMismatch):
        _ffi.twin_impact_options_init_(ctypes.byref(q), ctypes.sizeof(q) + 8)


def test_graph_on_small_arena_reports_no_memory_with_message():
    """A mutating call's failure carries the graph's own message."""
    arena = _ffi.twin_arena()
    table = _ffi.twin_allocator()
    buf = ctypes.create_string_buffer(4096)
    _ffi.twin_arena_init(ctypes.byref(arena), buf, len(buf), ctypes.byref(table))
    opts = _ffi.twin_graph_options()
    _ffi.twin_graph_options_init_(ctypes.byref(opts), ctypes.sizeof(opts))
    opts.alloc = ctypes.pointer(table)
    g = _ffi.graph_p()
    try:
        _ffi.twin_graph_create(ctypes.byref(g), ctypes.byref(opts))
    except errors.NoMemory:
        pytest.skip("graph does not fit a 4 KiB arena")
    try:
        with pytest.raises(errors.NoMemory) as e:
            for i in range(10000):
                _ffi.twin_graph_add_twin(g, f"twin-{i:05d}".encode(), b"dtmi:m;1", None, 0)
        assert e.value.status == errors.E_NOMEM
        assert "out of memory" in e.value.message
        assert e.value.message == _ffi.twin_graph_last_error(g).contents.message.decode()
    finally:
        _ffi.twin_graph_destroy(g)


# ---- layouts against the C compiler -------------------------------------------------

STRUCTS = {
    "twin_error": ["status", "message"],
    "twin_allocator": ["size", "alloc", "realloc", "free", "ud"],
    "twin_arena": ["base_", "cap_", "used_", "peak_", "last_"],
    "twin_value": ["type", "len", "as"],
    "twin_member": ["name", "value"],
    "twin_graph_validator": ["size", "ud", "check_twin", "check_relationship"],
    "twin_graph_options": ["size", "flags", "alloc", "validator"],
    "twin_relationship": ["size", "property_count", "id", "name", "source_id", "target_id",
                          "properties"],
    "twin_cursor": ["opaque_"],
    "twin_impact_follow": ["name", "direction"],
    "twin_impact_hit": ["size", "depth", "twin_id", "model_id", "parent_id", "via_id",
                        "via_name", "via_source_id", "score", "parent_index"],
    "twin_impact_options": ["size", "direction", "follow", "nfollow", "max_depth",
                            "max_results", "rule", "root_health", "attenuation", "filter",
                            "filter_ud", "health", "health_ud", "rule_fn", "rule_ud"],
    "twin_health_model": ["size", "state_size", "ud", "init", "predict", "update"],
    "twin_health_options": ["size", "model", "phi", "prior_mean", "prior_cov", "noise",
                            "process_noise", "failure_level", "failure_factor",
                            "divergence_threshold", "divergence_clear", "divergence_count",
                            "recalibration", "ema_alpha", "recal_noise", "user"],
    "twin_health": ["size", "layout_", "opaque_"],
    "twin_health_event": ["size", "flags", "predicted", "error", "mean_before", "mean_after",
                          "recalibrations", "diverged"],
    "twin_health_stats": ["size", "diverged", "samples", "recalibrations", "error_mean",
                          "error_var", "baseline", "failure_level", "t0_us", "last_us"],
    "twin_health_rul": ["size", "median", "lower", "upper"],
    "twin_health_run": ["t_us", "v", "n"],
    "twin_health_fleet": ["size", "nsensors", "nsettings", "nrows", "run", "t_us", "sensors",
                          "settings"],
    "twin_health_fusion": ["size", "nsensors", "nsettings", "nregimes", "setting_scale",
                           "centre", "mean", "scale", "weight", "bias", "rmse"],
    "twin_sample": ["twin_id", "signal", "t_us", "value", "unit"],
    "twin_signal_sample": ["signal", "t_us", "value"],
    "twin_signal_options": ["size", "order", "reorder_window_us", "unit", "alarm_low",
                            "alarm_high", "history", "health_step"],
    "twin_ingest_event": ["size", "flags", "signal", "t_us", "value", "predicted", "error",
                          "mean_before", "mean_after", "recalibrations", "health", "diverged",
                          "zone"],
    "twin_ingest_resolver": ["size", "resolve", "ud"],
    "twin_ingest_options": ["size", "flags", "alloc", "store", "on_event", "event_ud",
                            "resolver", "resolved_options", "user_model", "signal_capacity",
                            "twin_capacity"],
    "twin_ingest_stats": ["size", "outcomes", "health_errors", "events", "signals"],
    "twin_store_signal": ["size", "signal", "twin_id", "name", "unit"],
    "twin_store_callbacks": ["size", "ud", "write_samples", "put_signal", "put_twin",
                             "delete_twin", "put_relationship", "delete_relationship",
                             "put_health", "flush"],
    "twin_store_options": ["size", "flags", "alloc", "callbacks", "outbox_bytes"],
    "twin_store_stats": ["size", "last_status", "pending_records", "pending_samples",
                         "pending_bytes", "capacity_bytes", "confirmed_samples", "failures",
                         "busy"],
    "twin_store_twin": ["size", "id", "model_id", "props", "nprops"],
    "twin_store_loaded_signal": ["size", "has_latest", "twin_id", "name", "options",
                                 "latest_t_us", "latest_value", "health_options", "health",
                                 "health_t0_us"],
    "twin_store_loader": ["size", "ud", "next_twin", "next_relationship", "next_signal"],
    "twin_scenario_rel": ["id", "name", "source_id", "target_id"],
    "twin_scenario_stress": ["signal", "property", "via", "law", "exponent", "rated"],
    "twin_scenario_run_options": ["size", "runs", "seed", "horizon_s", "step_s", "depends",
                                  "k_property", "structure", "structure_ud", "stress",
                                  "nstress", "q_lower", "q_upper"],
    "twin_scenario_outcome": ["size", "runs", "twin_id", "p_fail", "ttf_median", "ttf_lower",
                              "ttf_upper", "availability", "downtime_s", "inputs", "k"],
    "twin_scenario_diff": ["size", "runs", "p_fail", "p_fail_lo", "p_fail_hi", "downtime_s",
                           "downtime_lo", "downtime_hi", "ttf_median_a", "ttf_median_b"],
}


def c_layouts(tmp_path, lib, header="twin/twin.h", structs=None):
    """sizeof and offsetof of ``structs`` (default STRUCTS) as a C compiler
    sees them through ``header``, with the generated headers of the build
    that ``lib`` (a library's path) comes from."""
    structs = STRUCTS if structs is None else structs
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc or not lib:
        pytest.skip("needs a C compiler and the library's path")
    build_include = os.path.join(os.path.dirname(os.path.dirname(lib)), "include")
    if not os.path.exists(os.path.join(build_include, "twin", "version.h")):
        pytest.skip("generated twin/version.h not found beside the library")
    lines = ["#include <stdio.h>", "#include <stddef.h>", f"#include <{header}>",
             "int main(void) {"]
    for s, fields in structs.items():
        lines.append(f'printf("{s} sizeof %zu\\n", sizeof({s}));')
        for f in fields:
            lines.append(f'printf("{s} {f} %zu\\n", offsetof({s}, {f}));')
    lines += ["return 0; }"]
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines))
    exe = tmp_path / "layout"
    subprocess.run([cc, "-std=c11", f"-I{os.path.join(REPO, 'include')}", f"-I{build_include}",
                    str(src), "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    return {tuple(line.split()[:2]): int(line.split()[2]) for line in out.splitlines()}


def test_struct_layouts_match_headers(tmp_path):
    c = c_layouts(tmp_path, os.environ.get("LIBTWIN_LIBRARY"))
    for s, fields in STRUCTS.items():
        py = getattr(_ffi, s)
        assert ctypes.sizeof(py) == c[(s, "sizeof")], s
        for f in fields:
            attr = "as_" if f == "as" else f
            assert getattr(py, attr).offset == c[(s, f)], f"{s}.{f}"


# ---- libtwin-sqlite: every exported function bound, layouts ---------------------------

from libtwin import sqlite as tsq  # noqa: E402 - loads libtwin-sqlite if it is built

SQLITE_H = os.path.join(REPO, "include", "twin", "sqlite.h")
needs_sqlite = pytest.mark.skipif(not tsq.available,
                                  reason=f"libtwin-sqlite not available: {tsq.load_error}")


def sqlite_exported_symbols():
    """The TWIN_SQLITE_API functions of sqlite.h: libtwin-sqlite's exports
    (tools/check-symbols checks them against its version script)."""
    with open(SQLITE_H, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    return sorted(set(re.findall(r"^TWIN_SQLITE_API\b[^(;]*?\b(twin_sqlite_\w+)\s*\(", text,
                                 flags=re.M)))


def test_sqlite_header_lists_symbols():
    syms = sqlite_exported_symbols()
    assert "twin_sqlite_open" in syms and "twin_sqlite_connection" in syms
    assert len(syms) >= 14


@needs_sqlite
def test_sqlite_every_exported_symbol_is_declared():
    assert sorted(tsq.FUNCTIONS) == sqlite_exported_symbols()


@needs_sqlite
def test_sqlite_library_exports_exactly_the_header():
    nm = shutil.which("nm")
    if not nm:
        pytest.skip("needs nm")
    out = subprocess.run([nm, "-D", "--defined-only", tsq.path], check=True,
                         capture_output=True, text=True).stdout
    exported = sorted({line.split()[-1].split("@")[0] for line in out.splitlines()
                       if line.split()[1:2] == ["T"]})
    assert exported == sqlite_exported_symbols()


@needs_sqlite
@pytest.mark.parametrize("name", sqlite_exported_symbols())
def test_sqlite_symbol_has_argtypes_and_restype(name):
    fn = tsq.FUNCTIONS[name]
    assert fn is getattr(tsq, name)
    assert fn.argtypes is not None
    assert hasattr(fn, "restype")
    if fn.restype is ctypes.c_int:
        assert fn.errcheck is not None, name


@needs_sqlite
def test_sqlite_options_init_sizes():
    o = tsq.twin_sqlite_options()
    tsq.twin_sqlite_options_init_(ctypes.byref(o), ctypes.sizeof(o))
    assert o.size == ctypes.sizeof(o) and o.busy_timeout_ms == 1000
    with pytest.raises(errors.AbiMismatch):
        tsq.twin_sqlite_options_init_(ctypes.byref(o), ctypes.sizeof(o) + 8)
    with pytest.raises(errors.InvalidArgument):
        tsq.twin_sqlite_options_init_(None, 0)


SQLITE_STRUCTS = {
    "twin_sqlite_options": ["size", "flags", "busy_timeout_ms"],
    "twin_sqlite_retention": ["size", "raw_keep_us", "bucket_us", "rollup_keep_us"],
    "twin_sqlite_retention_stats": ["size", "cutoff_us", "raw_folded", "rollups_written",
                                    "rollups_deleted"],
    "twin_sqlite_counts": ["size", "twins", "relationships", "signals", "samples", "rollups",
                           "health", "file_bytes", "late_duplicates"],
}


@needs_sqlite
def test_sqlite_struct_layouts_match_header(tmp_path):
    c = c_layouts(tmp_path, _ffi.path, "twin/sqlite.h", SQLITE_STRUCTS)
    for s, fields in SQLITE_STRUCTS.items():
        py = getattr(tsq, s)
        assert ctypes.sizeof(py) == c[(s, "sizeof")], s
        for f in fields:
            assert getattr(py, f).offset == c[(s, f)], f"{s}.{f}"


def test_sqlite_unavailable_is_reported_not_raised_at_import(tmp_path):
    code = ("import libtwin, libtwin.sqlite as s\n"
            "assert not s.available and s.lib is None\n"
            "try:\n"
            "    libtwin.SqliteStore('x.db')\n"
            "except OSError as e:\n"
            "    print('OSError', e)\n")
    env = dict(os.environ, LIBTWIN_SQLITE_LIBRARY=str(tmp_path / "nope.so"),
               PYTHONPATH=os.path.join(REPO, "python"))
    r = subprocess.run([os.sys.executable, "-c", code], env=env, capture_output=True,
                       text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "OSError" in r.stdout and "LIBTWIN_SQLITE_LIBRARY=" in r.stdout
    assert "nope.so" in r.stdout
