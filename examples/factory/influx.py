#!/usr/bin/env python3
"""The factory demo's store forwarded to a private InfluxDB, and counted back.

    influx.py TWINCTL STORE [--db NAME]      (demo.sh --influx runs it)

1. starts Debian's influxd (1.x) on 127.0.0.1 and two free ports (HTTP and
   its RPC service), in a temporary directory, and creates database NAME
   (default plant);
2. forwards STORE with libtwin-influx through `twinctl forward --influx URL
   --db NAME --measurement-per-signal`: one measurement per signal name
   (vibration, temperature), tagged with the twin, its model and the unit;
3. counts the points of each measurement upstream (InfluxQL) and the
   samples of each signal name in the store (SQL on the store's tables, as
   include/twin/sqlite.h documents them: closed blocks, open blocks, late
   samples), prints both side by side;
4. stops influxd by its PID (also when a step fails, or on SIGINT/SIGTERM).

Exit status: 0 when every measurement holds exactly the store's samples,
1 when a count differs or a step fails, 77 when influxd is not installed.
Standard library only.
"""

import argparse
import ctypes
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

# $INFLUXD, else the influxd on the PATH (Debian's: /usr/bin/influxd).
INFLUXD = os.environ.get("INFLUXD") or shutil.which("influxd") or ""

# The store's samples per signal name: closed blocks, open blocks (chunks),
# late samples (include/twin/sqlite.h, Schema).
STORE_COUNTS = """
SELECT s.name,
       count(*),
       sum((SELECT coalesce(sum(n), 0) FROM blocks b WHERE b.signal = s.id)
           + (SELECT coalesce(sum(n), 0) FROM open_blocks o WHERE o.signal = s.id)
           + (SELECT count(*) FROM samples x WHERE x.signal = s.id))
FROM signals s GROUP BY s.name ORDER BY s.name
"""


def free_ports(n):
    """n free TCP ports on 127.0.0.1 (bound to port 0 together, then released)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def die_with_parent():
    """In influxd's child, before exec: SIGTERM when this script dies."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Influxd:
    """A private influxd: started in a temporary directory, stopped by PID."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="twin-influx-")
        self.port, rpc = free_ports(2)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = os.path.join(self.dir, "influxd.log")
        conf = os.path.join(self.dir, "influxdb.conf")
        with open(conf, "w") as f:
            f.write(f"""reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"
[meta]
  dir = "{self.dir}/meta"
[data]
  dir = "{self.dir}/data"
  wal-dir = "{self.dir}/wal"
  index-version = "inmem"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:{self.port}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
""")
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([INFLUXD, "-config", conf], stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         preexec_fn=die_with_parent)
        self.pid = self.proc.pid

    def wait_ready(self, secs=30.0):
        """Until /ping answers 204; False when influxd died or took too long."""
        end = time.monotonic() + secs
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.url + "/ping", timeout=2) as r:
                    if r.status == 204:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        return False

    def query(self, q, db=None, post=False):
        """An InfluxQL statement's JSON answer."""
        args = {"q": q}
        if db:
            args["db"] = db
        data = urllib.parse.urlencode(args).encode()
        if post:
            req = urllib.request.Request(self.url + "/query", data=data, method="POST")
        else:
            req = urllib.request.Request(self.url + "/query?" + data.decode())
        with urllib.request.urlopen(req, timeout=30) as r:
            answer = json.load(r)
        for res in answer.get("results", []):
            if "error" in res:
                raise RuntimeError(f"InfluxDB: {q}: {res['error']}")
        return answer

    def stop(self):
        """SIGTERM to its PID (SIGKILL after 10 s), reaped; the directory removed."""
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def upstream_counts(server, db):
    """{measurement: (twins, points)}."""
    out = {}
    answer = server.query('SELECT count("value") FROM /.*/ GROUP BY "twin"', db)
    for s in answer["results"][0].get("series", []):
        twins, points = out.get(s["name"], (0, 0))
        out[s["name"]] = (twins + 1, points + s["values"][0][1])
    return out


def store_counts(path):
    """{signal name: (signals, samples)} read from the store (read-only)."""
    con = sqlite3.connect(f"file:{urllib.parse.quote(os.path.abspath(path))}?mode=ro", uri=True)
    try:
        return {name: (n, samples) for name, n, samples in con.execute(STORE_COUNTS)}
    finally:
        con.close()


def on_signal(sig, _frame):
    raise SystemExit(128 + sig)


def main(argv):
    ap = argparse.ArgumentParser(prog="influx.py",
                                 description="Forward a store to a private InfluxDB and count it back.")
    ap.add_argument("twinctl", help="the twinctl to forward with")
    ap.add_argument("store", help="the store (a libtwin-sqlite database)")
    ap.add_argument("--db", default="plant", help="InfluxDB's database (default plant)")
    a = ap.parse_args(argv[1:])
    twinctl, store, db = a.twinctl, a.store, a.db
    if not os.access(INFLUXD, os.X_OK):
        print("influx.py: no influxd (apt-get install influxdb)", file=sys.stderr)
        return 77
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server = Influxd()
    try:
        if not server.wait_ready():
            print("influx.py: influxd did not start; its log:", file=sys.stderr)
            with open(server.log) as f:
                sys.stderr.write(f.read()[-4000:])
            return 1
        print(f"influxd on {server.url} (pid {server.pid}, in {server.dir})")
        server.query(f'CREATE DATABASE "{db}"', post=True)
        cmd = [twinctl, "forward", "--influx", server.url, "--db", db,
               "--measurement-per-signal", "-d", store]
        print("$ twinctl " + " ".join(cmd[1:]))
        sys.stdout.flush()
        done = subprocess.run(cmd)
        if done.returncode != 0:
            print(f"influx.py: twinctl forward failed (exit {done.returncode})", file=sys.stderr)
            return 1
        up = upstream_counts(server, db)
        local = store_counts(store)
        print(f"{'measurement':<14}{'twins':>6}{'points upstream':>17}{'samples in the store':>22}")
        same = True
        for name in sorted(set(up) | set(local)):
            twins, points = up.get(name, (0, 0))
            signals, samples = local.get(name, (0, 0))
            ok = points == samples and twins == signals
            same = same and ok
            print(f"{name:<14}{twins:>6}{points:>17}{samples:>22}{'' if ok else '   DIFFERENT'}")
        total = sum(p for _, p in up.values())
        if same:
            print(f"every sample of the store is upstream, once: {total} points")
        else:
            print("influx.py: the counts differ", file=sys.stderr)
        return 0 if same else 1
    finally:
        server.stop()
        print(f"influxd stopped (pid {server.pid})")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
