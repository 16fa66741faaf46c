"""Sources and their clocks in ingest (issue 18), through the ctypes layer:
layouts of the 1.6 structs, a source correcting a signal's timestamps."""
import ctypes
import os

import pytest

import libtwin
from libtwin import _ffi

from test_ffi import c_layouts

T0 = 1_751_328_000_000_000
S = 1_000_000

STRUCTS = {
    "twin_ingest_source_info": ["size", "clock_flags", "name", "estimated", "t_us",
                                "offset_us", "skew_ppm", "offset_uncertainty_us",
                                "skew_uncertainty_ppm", "signals", "pairs", "pairs_refused",
                                "corrected", "uncorrected", "out_of_tolerance"],
    "twin_ingest_correction": ["size", "flags", "source", "source_t_us", "t_us",
                               "uncertainty_us"],
}


def test_source_struct_layouts_match_header(tmp_path):
    c = c_layouts(tmp_path, os.environ.get("LIBTWIN_LIBRARY"), structs=STRUCTS)
    for s, fields in STRUCTS.items():
        py = getattr(_ffi, s)
        assert ctypes.sizeof(py) == c[(s, "sizeof")], s
        for f in fields:
            assert getattr(py, f).offset == c[(s, f)], f"{s}.{f}"


def test_source_corrects_a_signal(graph):
    graph.add_twin("m1", "dtmi:test:Machine;1")
    ing = libtwin.Ingest(graph)
    try:
        h = ing.add_signal("m1", "temp")
        src = ctypes.c_uint32()
        co = _ffi.twin_clock_options()
        _ffi.twin_clock_options_init_(ctypes.byref(co), ctypes.sizeof(co))
        co.tolerance_offset_us = 100_000
        _ffi.twin_ingest_add_source(ing._ptr, b"plc", ctypes.byref(co), ctypes.byref(src))
        _ffi.twin_ingest_set_signal_source(ing._ptr, int(h), src.value)
        for k in range(10):  # 1.5 s ahead, 1 ms delays
            _ffi.twin_ingest_observe_source(ing._ptr, src.value, T0 + k * S + 1_500_000,
                                            T0 + k * S + 1000)
        ing.write_signals(h, [T0 + 10 * S + 1_500_000], [42.0])
        t, v = ing.latest(h)
        assert abs(t - (T0 + 10 * S + 1000)) < 50 and v == 42.0
        cr = _ffi.twin_ingest_correction(size=ctypes.sizeof(_ffi.twin_ingest_correction))
        _ffi.twin_ingest_signal_source(ing._ptr, int(h), ctypes.byref(cr))
        assert cr.source == src.value and cr.source_t_us == T0 + 10 * S + 1_500_000
        assert cr.flags == _ffi.INGEST_EVENT_CLOCK_OUT_OF_TOLERANCE
        info = _ffi.twin_ingest_source_info(size=ctypes.sizeof(_ffi.twin_ingest_source_info))
        _ffi.twin_ingest_get_source(ing._ptr, src.value, ctypes.byref(info), None)
        assert info.name == b"plc" and info.pairs == 10 and info.out_of_tolerance == 1
        assert abs(info.offset_us + 1_499_000) < 50
        with pytest.raises(libtwin.InvalidArgument):  # receive time going back
            _ffi.twin_ingest_observe_source(ing._ptr, src.value, T0, T0)
    finally:
        ing.close()
