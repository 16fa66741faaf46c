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


# ---- the Pythonic surface (1.7 for put_sources, encode, the store) ----------------


def feed(ing, src, n=20, ahead=1_500_000, skew_ppm=40.0, delay=1000):
    for k in range(n):
        sent = T0 + k * S
        ing.observe_source(src, sent + ahead + int(skew_ppm * k), sent + delay + (k * 37) % 500)


def test_ingest_sources_methods(graph):
    graph.add_twin("m1", "dtmi:test:Machine;1")
    ing = libtwin.Ingest(graph)
    try:
        h = ing.add_signal("m1", "temp")
        gw = ing.add_source("gw1", tolerance_offset_us=100_000)
        plc = ing.add_source("plc2", "known_offset", offset_us=-3_600 * S)
        assert list(ing.sources()) == [gw, plc]
        assert ing.find_source("gw1") == gw and ing.find_source("nope") is None
        info = ing.source_info(gw)
        assert not info.estimated and info.offset_us is None and info.pairs == 0
        ing.set_signal_source(h, gw)
        feed(ing, gw)
        info = ing.source_info(gw)
        assert info.estimated and info.out_of_tolerance and info.signals == 1
        # the constant 1 ms of delay cannot be told from the offset
        assert abs(info.offset_us + 1_500_000 + 40 * 19 - 1000) < 600 and info.pairs == 20
        ing.write_signals(h, [T0 + 20 * S + 1_500_000 + 800], [5.0])
        c = ing.signal_source(h)
        assert c.source == gw and c.out_of_tolerance and not c.uncorrected
        assert abs(c.t_us - (T0 + 20 * S)) < 2000 and ing.latest(h)[0] == c.t_us
        assert ing.source_info(gw).corrected == 1
        assert ing.source_info(plc).offset_us == -3_600 * S
        # a copy of the model, corrects as the source does
        k = ing.source_clock(gw)
        assert k.estimate().offset_us == info.offset_us
        # bad input: the estimate stays
        with pytest.raises(libtwin.InvalidArgument):
            ing.observe_source(gw, T0, T0)  # receive time going back
        assert ing.source_info(gw).offset_us == info.offset_us
        assert ing.source_info(gw).pairs_refused == 1
        with pytest.raises(libtwin.InvalidArgument):
            ing.add_source("bad", tolerance_offset_us=-1)
        with pytest.raises(TypeError):
            ing.add_source("bad", colour=3)
        with pytest.raises(libtwin.errors.AlreadyExists):
            ing.add_source("gw1")
        ing.set_signal_source(h, None)
        assert ing.signal_source(h).source is None
    finally:
        ing.close()


def test_clock_encode_decode_and_put_sources(graph):
    ing = libtwin.Ingest(graph)
    try:
        gw = ing.add_source("gw1")
        feed(ing, gw, n=30)
        blob = ing.source_clock(gw).encode()
        assert 212 < len(blob) <= _ffi.CLOCK_ENCODED_MAX
        k = libtwin.Clock.decode(blob)
        assert k.estimate() == ing.source_clock(gw).estimate()
        with pytest.raises(libtwin.errors.ParseError):
            libtwin.Clock.decode(blob[:-1])
        with pytest.raises(libtwin.errors.ParseError):
            libtwin.Clock.decode(b"nonsense")
    finally:
        ing.close()
    with libtwin.Graph() as g2:
        ing2 = libtwin.Ingest(g2)
        try:
            ing2.add_source("gw1")
            ing2.put_sources({"gw1": k, "gw9": libtwin.Clock()})
            assert [ing2.source_info(s).name for s in ing2.sources()] == ["gw1", "gw9"]
            assert ing2.source_info(1).offset_us == k.estimate().offset_us
            # all or nothing: a bad clock refuses the whole call
            bad = libtwin.Clock()
            bad._c.layout_ = 99
            with pytest.raises(libtwin.TwinError):
                ing2.put_sources({"gw10": libtwin.Clock(), "gw11": bad})
            assert len(list(ing2.sources())) == 2
        finally:
            ing2.close()


def test_sources_kept_in_sqlite(tmp_path):
    from libtwin import sqlite as tsq
    path = tmp_path / "s.db"
    with tsq.SqliteStore(path) as db, libtwin.Graph() as g:
        st = db.store(g)
        ing = libtwin.Ingest(g, st)
        db.bind_ingest(ing)
        st.add_twin("m1", "dtmi:test:Machine;1")
        h = ing.add_signal("m1", "temp")
        gw = ing.add_source("gw1", tolerance_offset_us=100_000)
        ing.set_signal_source(h, gw)
        feed(ing, gw, n=40)
        before = ing.source_info(gw)
        db.checkpoint(st)
        db.save_sources(ing)
    with tsq.SqliteStore(path) as db, libtwin.Graph() as g:
        st = db.store(g)
        ing = libtwin.Ingest(g, st)
        db.load(g, ing)
        db.load_sources(ing)
        gw = ing.find_source("gw1")
        after = ing.source_info(gw)
        assert (after.offset_us, after.skew_ppm, after.out_of_tolerance, after.t_us) == \
            (before.offset_us, before.skew_ppm, before.out_of_tolerance, before.t_us)
        assert ing.signal_source(ing.resolve("m1", "temp")).source == gw
