"""libtwin.pg: the store's samples forwarded to a real PostgreSQL 15 (Debian's,
started here: initdb and postgres in a temporary directory, as ``nobody`` when
we are root, on 127.0.0.1 and a free port, stopped by its PID). Counted by
query: every sample once, also when a new forwarder resumes from the cursors;
a row the table's CHECK refuses goes to on_reject. Skipped without
libtwin-pg or PostgreSQL 15 (failed without the server when CI=true)."""

import ctypes
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

import libtwin
from libtwin import errors
from libtwin import sqlite as tsq

tpg = pytest.importorskip("libtwin.pg")

pytestmark = pytest.mark.skipif(not tpg.available,
                                reason=f"libtwin-pg not available: {tpg.load_error}")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = "/usr/lib/postgresql/15/bin"
MOTOR = "dtmi:factory:Motor;1"
S = 1_000_000
T0 = 1_700_000_000 * S


def pg_exported_symbols():
    with open(os.path.join(REPO, "include", "twin", "pg.h"), encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    return sorted(set(re.findall(r"^TWIN_PG_API\b[^(;]*?\b(twin_pg_\w+)\s*\(", text, flags=re.M)))


def test_every_exported_symbol_is_declared():
    assert sorted(tpg.FUNCTIONS) == pg_exported_symbols()
    for name, fn in tpg.FUNCTIONS.items():
        assert fn.argtypes is not None, name
        if fn.restype is ctypes.c_int:
            assert fn.errcheck is not None, name


def test_options_layout_and_defaults():
    o = tpg.twin_pg_options()
    tpg.twin_pg_options_init_(ctypes.byref(o), ctypes.sizeof(o))
    assert o.size == ctypes.sizeof(o) and o.batch_rows == 20000 and o.flags == 0
    with pytest.raises(errors.AbiMismatch):
        tpg.twin_pg_options_init_(ctypes.byref(o), ctypes.sizeof(o) + 8)


# ---- a real PostgreSQL ------------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    def __init__(self, tmp):
        self.dir = str(tmp)
        ids = None
        if os.getuid() == 0:  # PostgreSQL refuses to run as root
            pw = pwd.getpwnam("nobody")
            ids = (pw.pw_uid, pw.pw_gid)
            os.chown(self.dir, *ids)
        os.chmod(self.dir, 0o700)

        def demote():
            if ids:
                os.setgroups([])
                os.setgid(ids[1])
                os.setuid(ids[0])

        self._demote = demote
        data = os.path.join(self.dir, "data")
        with open(os.path.join(self.dir, "initdb.log"), "wb") as log:
            subprocess.run([f"{BIN}/initdb", "-D", data, "-U", "twin", "-A", "trust", "-N",
                            "-E", "UTF8", "--locale=C"], stdout=log, stderr=subprocess.STDOUT,
                           preexec_fn=demote, check=True)
        with open(os.path.join(data, "postgresql.conf"), "a") as f:
            f.write("fsync = off\nfull_page_writes = off\nshared_buffers = 32MB\n")
        self.port = _free_port()
        self.log = open(os.path.join(self.dir, "postgres.log"), "wb")
        self.proc = subprocess.Popen([f"{BIN}/postgres", "-D", data, "-h", "127.0.0.1",
                                      "-p", str(self.port), "-k", self.dir],
                                     stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=demote)
        self.conninfo = (f"host=127.0.0.1 port={self.port} dbname=postgres user=twin "
                         "sslmode=disable connect_timeout=10")
        for _ in range(300):
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited (log in {self.dir})")
            r = subprocess.run([f"{BIN}/pg_isready", "-h", "127.0.0.1", "-p", str(self.port)],
                               capture_output=True)
            if r.returncode == 0:
                break
            time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"postgres did not start (log in {self.dir})")

    def sql(self, q):
        r = subprocess.run([f"{BIN}/psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "twin",
                            "-d", "postgres", "-At", "-v", "ON_ERROR_STOP=1", "-c", q],
                           capture_output=True, text=True, check=True)
        return [line.split("|") for line in r.stdout.splitlines() if line]

    def stop(self):
        self.proc.send_signal(signal.SIGINT)  # fast shutdown; our child, by its PID
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture
def postgres():
    if not (os.access(f"{BIN}/postgres", os.X_OK) and shutil.which("true")):
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL 15 is missing (CI=true: tools/install-deps installs it)")
        pytest.skip("no PostgreSQL 15 (Debian's postgresql-15)")
    # its own directory under /tmp: pytest's are closed to other users (nobody)
    d = tempfile.mkdtemp(prefix="twin-pg-")
    try:
        x = Postgres(d)
        yield x
        x.stop()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def fill(path, ntwins=3, n=200, offset=0.0):
    """A store at ``path``: ntwins motors on line "L1", n samples of "temp" each."""
    with tsq.SqliteStore(path) as db, libtwin.Graph() as g:
        st = db.store(g)
        ing = libtwin.Ingest(g, st)
        st.add_twin("L1", "dtmi:factory:Line;1")
        for k in range(ntwins):
            twin = f"motor-{k}"
            st.add_twin(twin, MOTOR)
            st.add_relationship(twin, f"p{k}", "partOf", "L1")
            sig = ing.add_signal(twin, "temp", unit="degreeCelsius")
            ing.write_signals(sig, [T0 + i * S for i in range(n)],
                              [offset + 20.0 + k + i / 8 for i in range(n)])
        st.flush()


def test_forward_every_sample_once_with_model_and_relationships(tmp_path, postgres):
    path = tmp_path / "plant.db"
    fill(path)
    with tsq.SqliteStore(path) as db, tpg.Forwarder(db, postgres.conninfo, source="gw-1",
                                                    batch_rows=128) as fw:
        assert fw.backlog().signals == 3
        p = fw.drain(timeout_s=60)
        assert p.state == tpg.State.IDLE and p.last_sqlstate == ""
        st = fw.stats()
        assert st.confirmed == 600 and st.rejected == 0 and st.duplicates == 0
        assert st.transactions >= 5
        assert fw.backlog().samples == 0
    rows = postgres.sql("SELECT twin, count(*), count(DISTINCT t), min(value), max(value), "
                        "min(model), min(unit), min(rels->>'partOf'), min(source) "
                        "FROM twin_samples GROUP BY twin ORDER BY twin")
    assert [r[0] for r in rows] == ["motor-0", "motor-1", "motor-2"]
    for k, r in enumerate(rows):
        assert r[1:3] == ["200", "200"]
        assert float(r[3]) == 20.0 + k and float(r[4]) == 20.0 + k + 199 / 8
        assert r[5:] == [MOTOR, "degreeCelsius", "L1", "gw-1"]


def test_a_new_forwarder_resumes_and_a_resent_batch_is_not_doubled(tmp_path, postgres):
    path = tmp_path / "plant.db"
    fill(path, ntwins=2, n=500)
    with tsq.SqliteStore(path) as db:
        with tpg.Forwarder(db, postgres.conninfo, source="gw", batch_rows=100) as fw:
            p = fw.step(budget=3)
            assert p.state == tpg.State.SENDING and p.confirmed == 300
        with tpg.Forwarder(db, postgres.conninfo, source="gw", batch_rows=100) as fw:
            fw.drain(timeout_s=60)
            assert fw.stats().confirmed == 700
        # another upstream name: its cursors start at zero, every batch sent
        # again into the same table, and nothing doubled
        with tpg.Forwarder(db, postgres.conninfo, source="gw", upstream="again",
                           batch_rows=250) as fw:
            fw.drain(timeout_s=60)
            st = fw.stats()
            assert st.confirmed == 1000 and st.duplicates == 1000 and st.redeliveries >= 1
    assert postgres.sql("SELECT count(*), count(DISTINCT (twin, t)) FROM twin_samples") == \
        [["1000", "1000"]]


def test_a_refused_row_goes_to_on_reject(tmp_path, postgres):
    path = tmp_path / "plant.db"
    fill(path, ntwins=1, n=40)
    postgres.sql("CREATE TABLE twin_samples (source text NOT NULL, twin text NOT NULL, "
                 "signal text NOT NULL, t timestamptz NOT NULL, value double precision NOT NULL "
                 "CHECK (value < 22), unit text NOT NULL, model text NOT NULL, "
                 "rels jsonb NOT NULL, PRIMARY KEY (source, twin, signal, t))")
    seen = []
    with tsq.SqliteStore(path) as db, tpg.Forwarder(db, postgres.conninfo, source="gw",
                                                    on_reject=seen.append) as fw:
        fw.drain(timeout_s=60)
        st = fw.stats()
    # values 20 + i/8: i >= 16 are refused by the CHECK
    assert st.rejected == 24 and len(seen) == 24 and st.confirmed == 16  # stored rows
    assert {r.sqlstate for r in seen} == {"23514"} and seen[0].twin == "motor-0"
    assert seen[0].value == 22.0 and "check" in seen[0].message.lower()
    assert postgres.sql("SELECT count(*) FROM twin_samples") == [["16"]]


def test_bad_options_and_an_unreachable_server(tmp_path):
    path = tmp_path / "plant.db"
    fill(path, ntwins=1, n=5)
    with tsq.SqliteStore(path) as db:
        with pytest.raises(errors.InvalidArgument):
            tpg.Forwarder(db, "host=127.0.0.1 port=1", batch_rows=0)
        with pytest.raises(errors.InvalidArgument):
            tpg.Forwarder(db, "host=127.0.0.1\0port=1")
        with pytest.raises(TypeError):
            tpg.Forwarder(str(path), "host=127.0.0.1 port=1")
        fw = tpg.Forwarder(db, "host=127.0.0.1 port=1 connect_timeout=2", retry_initial_ms=50)
        p = fw.step()  # nobody listens on port 1: a connection error, backing off
        assert p.state == tpg.State.BACKOFF and p.wait_ms > 0 and p.last_message
        assert fw.stats().confirmed == 0
    with pytest.raises(errors.Closed):
        fw.step()
    fw.close()
    fw.close()
