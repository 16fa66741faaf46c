"""The factory example runs end to end and prints the expected answers."""

import os
import re
import subprocess
import sys

from conftest import PYTHON_DIR, REPO

EXAMPLE = os.path.join(REPO, "examples", "python", "factory.py")


def run_example(path=EXAMPLE):
    env = dict(os.environ)
    env["PYTHONPATH"] = PYTHON_DIR
    r = subprocess.run([sys.executable, path], capture_output=True, text=True, env=env,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout


def test_factory_example_reports_affected_twins_with_scores():
    out = run_example()
    section = out.split("each hop passes on half the loss:")[1].split("\n\n")[0]
    rows = re.findall(r"^\s+(\d+)\s+(\S+)\s+([\d.]+)", section, flags=re.M)
    assert rows == [("0", "motor-C", "0.20"), ("1", "conveyor-C", "0.60"),
                    ("2", "station-4", "0.80"), ("2", "inspection-zone-2", "0.80"),
                    ("3", "welding-robot", "0.90"), ("3", "packing", "0.90")]
    assert "welding-robot -locatedIn-> station-4" in section
    assert "upstream" not in section and "conveyor-B" not in section
    assert "3     welding-robot      0.35" in out
    assert "motor-C (0.20), conveyor-C (0.60), station-4 (0.80), welding-robot (0.90)" in out
    assert "stopped at station-4 after 3 twins" in out
    assert "duplicate twin: AlreadyExists: twin 'motor-C' already exists" in out
    assert "bad nameplate: ConstraintViolated: motor-C: ratedPowerKW must be positive" in out
    assert out.rstrip().endswith("11 twins, 10 relationships left")


def test_ingest_example_runs_health_and_store_end_to_end():
    out = run_example(os.path.join(REPO, "examples", "python", "ingest.py"))
    assert "batch of 24: 24 accepted" in out
    assert "by name: ACCEPTED, DUPLICATE, UNKNOWN_TWIN, ACCEPTED" in out
    assert "event at hour 26: THRESHOLD (zone 1" in out
    assert "health model: 26 samples, diverged=False" in out
    assert "26 samples, 1 health state; pending 0" in out
    assert "latest 5.00 mm/s, 26 health samples" in out
