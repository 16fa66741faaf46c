"""libtwin.influx: the store's samples forwarded to a real InfluxDB 1.x
(Debian's influxd, started here on 127.0.0.1 with free ports in a temporary
directory, stopped by its PID). Counted upstream by query: every sample once,
also after a forwarder is dropped and a new one resumes from the cursors; a
line InfluxDB refuses goes to on_reject. Skipped without libtwin-influx or
influxd (failed without influxd when CI=true); the binding's declarations are
checked whenever the library loads."""

import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

import libtwin
from libtwin import errors
from libtwin import sqlite as tsq

tix = pytest.importorskip("libtwin.influx")

pytestmark = pytest.mark.skipif(not tix.available,
                                reason=f"libtwin-influx not available: {tix.load_error}")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MOTOR = "dtmi:factory:Motor;1"
S = 1_000_000
T0 = 1_700_000_000 * S


def influx_exported_symbols():
    with open(os.path.join(REPO, "include", "twin", "influx.h"), encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    return sorted(set(re.findall(r"^TWIN_INFLUX_API\b[^(;]*?\b(twin_influx_\w+)\s*\(", text,
                                 flags=re.M)))


def test_every_exported_symbol_is_declared():
    assert sorted(tix.FUNCTIONS) == influx_exported_symbols()
    for name, fn in tix.FUNCTIONS.items():
        assert fn.argtypes is not None, name
        if fn.restype is ctypes.c_int:
            assert fn.errcheck is not None, name


def test_options_layout_and_defaults():
    o = tix.twin_influx_options()
    tix.twin_influx_options_init_(ctypes.byref(o), ctypes.sizeof(o))
    assert o.size == ctypes.sizeof(o) and o.batch_lines == 5000
    assert o.connect_timeout_ms == 2000 and o.retry_max_ms == 30000
    with pytest.raises(errors.AbiMismatch):
        tix.twin_influx_options_init_(ctypes.byref(o), ctypes.sizeof(o) + 8)


# ---- a real influxd -------------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Influxd:
    def __init__(self, tmp):
        self.dir = tmp
        self.port, rpc = _free_port(), _free_port()
        conf = tmp / "influxdb.conf"
        conf.write_text(
            "reporting-disabled = true\n"
            f'bind-address = "127.0.0.1:{rpc}"\n'
            f'[meta]\n  dir = "{tmp}/meta"\n'
            f'[data]\n  dir = "{tmp}/data"\n  wal-dir = "{tmp}/wal"\n'
            '  index-version = "inmem"\n  query-log-enabled = false\n'
            f'[http]\n  bind-address = "127.0.0.1:{self.port}"\n  log-enabled = false\n'
            "[monitor]\n  store-enabled = false\n"
            "[continuous_queries]\n  enabled = false\n"
            "[subscriber]\n  enabled = false\n")
        self.log = open(tmp / "influxd.log", "wb")
        self.proc = subprocess.Popen(["influxd", "-config", str(conf)], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(self.url + "/ping", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"influxd did not start (log in {tmp})")

    def query(self, q, db="plant"):
        url = f"{self.url}/query?db={db}&q=" + urllib.parse.quote(q)
        with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=10) as r:
            return json.loads(r.read())

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)  # our child, by its PID
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture
def influxd(tmp_path):
    if shutil.which("influxd") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("influxd is missing (CI=true: tools/install-deps installs influxdb)")
        pytest.skip("no influxd (Debian's influxdb)")
    d = tmp_path / "influxd"
    d.mkdir()
    x = Influxd(d)
    x.query("CREATE DATABASE plant")
    yield x
    x.stop()


def fill(path, ntwins=3, n=200):
    """A store at ``path`` with ntwins motors, n samples of "temp" each;
    returns {twin: [(t_us, value)]}."""
    sent = {}
    with tsq.SqliteStore(path) as db, libtwin.Graph() as g:
        st = db.store(g)
        ing = libtwin.Ingest(g, st)
        for k in range(ntwins):
            twin = f"motor-{k}"
            st.add_twin(twin, MOTOR)
            sig = ing.add_signal(twin, "temp", unit="degreeCelsius")
            times = [T0 + i * S for i in range(n)]
            values = [20.0 + k + i / 8 for i in range(n)]
            ing.write_signals(sig, times, values)
            sent[twin] = list(zip(times, values))
        st.flush()
    return sent


def upstream(x):
    """{twin: [(t_us, value)]} as InfluxDB holds it."""
    r = x.query('SELECT "value" FROM "twin" GROUP BY "twin"', db="plant")
    out = {}
    for series in r["results"][0].get("series", []):
        rows = []
        for t, v in series["values"]:
            rows.append((t, v))
        out[series["tags"]["twin"]] = rows
    return out


def counts(x):
    r = x.query('SELECT count("value") FROM "twin" GROUP BY "twin"')
    return {s["tags"]["twin"]: s["values"][0][1] for s in r["results"][0].get("series", [])}


def test_forward_every_sample_once(tmp_path, influxd):
    path = tmp_path / "plant.db"
    sent = fill(path)
    with tsq.SqliteStore(path) as db, tix.Forwarder(db, influxd.url, "plant",
                                                    batch_lines=128) as fw:
        assert fw.backlog().signals == 3
        p = fw.drain(timeout_s=60)
        assert p.state == tix.State.IDLE
        st = fw.stats()
        assert st.confirmed == 600 and st.rejected == 0 and st.requests >= 5
        assert st.bytes_sent < st.bytes_raw  # gzip
        b = fw.backlog()
        assert (b.samples, b.signals, b.lag_us) == (0, 0, 0)
    assert counts(influxd) == {t: 200 for t in sent}
    # the values and times as written (precision us; epoch in the query's ns)
    r = influxd.query('SELECT "value" FROM "twin" WHERE "twin" = \'motor-2\'')
    got = [(int(t_ns_str_to_us(t)), v) for t, v in r["results"][0]["series"][0]["values"]]
    assert got == sent["motor-2"]


def t_ns_str_to_us(t):
    """An RFC 3339 time of InfluxDB's answer, in microseconds since the epoch."""
    from datetime import datetime, timezone
    base, _, frac = t.rstrip("Z").partition(".")
    sec = datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
    return int(sec) * S + int((frac + "000000")[:6])


def test_a_new_forwarder_resumes_from_the_cursors(tmp_path, influxd):
    path = tmp_path / "plant.db"
    fill(path, ntwins=2, n=500)
    with tsq.SqliteStore(path) as db:
        with tix.Forwarder(db, influxd.url, "plant", batch_lines=100) as fw:
            p = fw.step(budget=3)   # 300 of 1000, then dropped
            assert p.state == tix.State.SENDING and p.confirmed == 300
        with tix.Forwarder(db, influxd.url, "plant", batch_lines=100) as fw:
            assert fw.backlog().samples >= 700
            fw.drain(timeout_s=60)
            assert fw.stats().confirmed == 700  # nothing sent twice but what was unconfirmed
    assert counts(influxd) == {"motor-0": 500, "motor-1": 500}


def test_a_refused_line_goes_to_on_reject(tmp_path, influxd):
    path = tmp_path / "plant.db"
    fill(path, ntwins=1, n=50)
    # the field "value" made an integer first: InfluxDB refuses floats into it
    req = urllib.request.Request(f"{influxd.url}/write?db=plant&precision=u",
                                 data=f"twin,twin=motor-0 value=1i {T0 + 10 * S}".encode(),
                                 method="POST")
    urllib.request.urlopen(req, timeout=10)
    seen = []
    with tsq.SqliteStore(path) as db, tix.Forwarder(db, influxd.url, "plant",
                                                    on_reject=seen.append) as fw:
        fw.drain(timeout_s=60)
        st = fw.stats()
    assert st.rejected >= 1 and len(seen) == st.rejected
    r = seen[0]
    assert r.http_status == 400 and r.twin == "motor-0" and r.signal == "temp"
    assert "field type conflict" in r.message or "conflict" in r.message


def test_an_exception_in_on_reject_is_raised_by_the_step(tmp_path, influxd):
    path = tmp_path / "plant.db"
    fill(path, ntwins=1, n=10)
    req = urllib.request.Request(f"{influxd.url}/write?db=plant&precision=u",
                                 data=f"twin,twin=motor-0 value=1i {T0}".encode(), method="POST")
    urllib.request.urlopen(req, timeout=10)

    def boom(r):
        raise ValueError("refused: " + r.twin)

    with tsq.SqliteStore(path) as db, tix.Forwarder(db, influxd.url, "plant",
                                                    on_reject=boom) as fw:
        with pytest.raises(ValueError, match="refused: motor-0"):
            fw.drain(timeout_s=30)


def test_bad_options_and_a_closed_database(tmp_path):
    path = tmp_path / "plant.db"
    fill(path, ntwins=1, n=5)
    with tsq.SqliteStore(path) as db:
        with pytest.raises(errors.InvalidArgument):
            tix.Forwarder(db, "http://127.0.0.1:1", "plant", batch_lines=0)
        with pytest.raises(errors.InvalidArgument):
            tix.Forwarder(db, "http://127.0.0.1:1", "plant", precision="fortnight")
        with pytest.raises(errors.InvalidArgument):
            tix.Forwarder(db, "http://127.0.0.1:1", "pl\0ant")
        with pytest.raises(TypeError):
            tix.Forwarder("plant.db", "http://127.0.0.1:1", "plant")
        fw = tix.Forwarder(db, "http://127.0.0.1:1", "plant", retry_initial_ms=50)
        p = fw.step()  # nobody listens on port 1: a connection error, backing off
        assert p.state == tix.State.BACKOFF and p.last_http == 0 and p.wait_ms > 0
        assert p.last_message
    with pytest.raises(errors.Closed):
        fw.step()
    fw.close()
    fw.close()
    with pytest.raises(errors.Closed):
        fw.stats()
