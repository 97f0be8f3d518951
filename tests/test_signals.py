"""A stopped run loses nothing: real processes, real signals.

Each test starts `python -m pmipmc` on the thorough preset (which does not finish here) with a
time budget far beyond the test, signals it once its workers run, and checks the exit code, the
JSON and report folder it leaves, and that no worker outlives it.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc for child processes")


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"   # a zombie has exited
    except (OSError, IndexError):
        return False


def start(tmp: Path, *argv: str, workers: int) -> tuple[subprocess.Popen, list[int]]:
    p = subprocess.Popen([sys.executable, "-m", "pmipmc", *argv, "--json", str(tmp / "r.json"),
                          "--reports", str(tmp / "rep")], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    kids: list[int] = []
    while len(kids) < workers and time.monotonic() < deadline:
        time.sleep(0.2)
        kids = children(p.pid)
    assert len(kids) >= workers, "workers did not start"
    time.sleep(1.0)   # let them explore a little
    return p, kids


THOROUGH = ("check", "--preset", "thorough", "--variant", "draft", "--variant", "repaired", "--variant",
            "legacy-lma", "--time-budget", "300", "--quiet")


def assert_kept(p: subprocess.Popen, tmp: Path, kids: list[int], reason: str = "interrupted") -> None:
    out, err = p.communicate(timeout=120)
    assert p.returncode == 3, err
    assert "Traceback" not in err
    doc = json.loads((tmp / "r.json").read_text())
    shown = {r["shown"] for run in doc["runs"] for r in run["results"]}
    assert f"UNKNOWN({reason})" in shown and shown & {"VIOLATED", "WITNESSED"}   # partial, findings kept
    assert (tmp / "rep" / "README.md").exists()
    assert not [k for k in kids if alive(k)]


@pytest.mark.parametrize("sig", [pytest.param(signal.SIGTERM, marks=pytest.mark.slow), signal.SIGINT])
def test_a_signal_to_the_parent_alone_stops_the_workers_and_keeps_their_findings(tmp_path, sig):
    p, kids = start(tmp_path, *THOROUGH, "--jobs", "2", workers=2)
    p.send_signal(sig)
    assert_kept(p, tmp_path, kids)
    doc = json.loads((tmp_path / "r.json").read_text())
    assert [r["variant"] for r in doc["runs"]] == ["draft", "repaired", "legacy-lma"]
    assert doc["runs"][2]["states"] == 0   # never started: reported, not dropped


def test_ctrl_c_to_the_process_group_stops_every_process(tmp_path):
    p, kids = start(tmp_path, *THOROUGH, "--jobs", "2", workers=2)
    os.killpg(p.pid, signal.SIGINT)
    assert_kept(p, tmp_path, kids)


def test_a_killed_parent_leaves_no_orphans(tmp_path):
    p, kids = start(tmp_path, *THOROUGH, "--jobs", "2", workers=2)
    p.kill()
    p.wait()
    deadline = time.monotonic() + 10
    while [k for k in kids if alive(k)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [k for k in kids if alive(k)]


@pytest.mark.slow   # six seconds of waiting for z3 to be busy
def test_sigint_stops_a_proof_within_seconds(tmp_path):
    p = subprocess.Popen([sys.executable, "-m", "pmipmc", "prove", "--preset", "thorough", "--variant", "draft",
                          "--quiet", "--no-reports", "--json", str(tmp_path / "r.json")],
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(6)   # inside z3 by now: encoding takes about a second
    t0 = time.monotonic()
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    took = time.monotonic() - t0
    assert p.returncode == 3 and "Traceback" not in err
    assert took < 5, f"took {took:.1f}s to stop"   # about half a second unloaded; the margin is for busy CI
    doc = json.loads((tmp_path / "r.json").read_text())
    assert any(r["shown"].startswith("UNKNOWN(interrupted") for r in doc["runs"][0]["results"])
