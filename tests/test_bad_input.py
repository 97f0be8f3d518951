"""Every bad input from issue 9 is one line on stderr and exit 2, never a traceback.

Each row builds its files in a temporary folder and runs the CLI in-process; the checks that
need a real process (a full stdout, `python -m`) run one subprocess each.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pmipmc.engine.cli import run
from pmipmc.engine.results import TRACE_FORMAT
from pmipmc.properties import provider

TRACE = {"version": TRACE_FORMAT, "preset": "tiny", "variant": "draft", "property": "no_forwarding_loop",
         "kind": "invariant", "init": {}, "steps": []}


def trace(**changes) -> str:
    return json.dumps({**TRACE, **changes})


# (name, files to write, argv with {d} for the folder, text expected in the one stderr line)
ROWS = [
    ("replay a directory", {}, ["replay", "{d}"], "not a trace file"),
    ("render a directory", {}, ["render", "{d}"], "not a trace file"),
    ("non-UTF-8 bytes", {"t.json": b'{"preset": "\xff"}'}, ["replay", "{d}/t.json"], "not UTF-8"),
    ("deeply nested JSON", {"t.json": "[" * 100_000 + "]" * 100_000}, ["replay", "{d}/t.json"], "nested too deeply"),
    ("empty string", {"t.json": '""'}, ["replay", "{d}/t.json"], "expected a JSON object"),
    ("no version", {"t.json": json.dumps({k: v for k, v in TRACE.items() if k != "version"})},
     ["replay", "{d}/t.json"], "version: missing"),
    ("args null", {"t.json": trace(steps=[{"rule": "r", "args": None, "cites": "", "env": False, "delta": []}])},
     ["replay", "{d}/t.json"], "steps[0].args"),
    ("overrides mags '3'", {"t.json": trace(overrides={"mags": "3"})}, ["replay", "{d}/t.json"], "overrides.mags"),
    ("overrides mags true", {"t.json": trace(overrides={"mags": True})}, ["replay", "{d}/t.json"], "bound mags"),
    ("preset a list", {"t.json": trace(preset=["ci"])}, ["render", "{d}/t.json"], "preset: expected a string"),
    ("impossible MAG", {"t.json": trace(init={"att[MN1]": "MAG9"})}, ["render", "{d}/t.json"], "NOT REPRODUCED"),
    ("unknown rule", {"t.json": trace(steps=[{"rule": "mag_flies", "args": [], "cites": "", "env": False,
                                             "delta": []}])}, ["render", "{d}/t.json", "--pcap", "{d}/x.pcap"],
     "NOT REPRODUCED"),
    ("baseline a directory", {}, ["check", "--preset", "tiny", "--baseline", "{d}"], "not a file"),
    ("baseline missing", {}, ["check", "--preset", "tiny", "--baseline", "{d}/typo.json"], "no such baseline"),
    ("baseline preset a list", {"b.json": '{"tiny": []}'}, ["check", "--preset", "tiny", "--baseline", "{d}/b.json"],
     "tiny must map variants"),
    ("baseline preset a string", {"b.json": '{"tiny": "x"}'},
     ["check", "--preset", "tiny", "--baseline", "{d}/b.json"], "tiny must map variants"),
    ("baseline variant a list", {"b.json": '{"tiny": {"draft": []}}'},
     ["check", "--preset", "tiny", "--baseline", "{d}/b.json"], "tiny.draft must map"),
    ("baseline violated a string", {"b.json": '{"tiny": {"draft": {"violated": "name"}}}'},
     ["check", "--preset", "tiny", "--baseline", "{d}/b.json"], "tiny.draft.violated must be a list"),
    ("empty preset", {}, ["check", "--preset", "", "--reports", "{d}/r"], "unknown preset ''"),
    ("time budget nan", {}, ["check", "--preset", "tiny", "--time-budget", "nan"], "not a finite number"),
    ("time budget inf", {}, ["prove", "--preset", "tiny", "--time-budget", "inf"], "not a finite number"),
    ("no-reports and reports", {}, ["check", "--preset", "tiny", "--no-reports", "--reports", "{d}/r"],
     "contradict"),
    ("max-states with prove", {}, ["prove", "--preset", "tiny", "--max-states", "9"], "explicit engine"),
    ("no-symmetry with BMC", {}, ["check", "--engine", "symbolic", "--depth", "2", "--no-symmetry"],
     "explicit engine"),
    ("update with --property", {}, ["check", "--preset", "tiny", "--update-baseline", "--property",
                                    "no_forwarding_loop", "--baseline", "{d}/b.json"], "--property checks a subset"),
    ("update with a budget", {}, ["check", "--preset", "tiny", "--update-baseline", "--time-budget", "5",
                                  "--baseline", "{d}/b.json"], "--time-budget may stop"),
    ("update with BMC", {}, ["check", "--preset", "tiny", "--engine", "symbolic", "--depth", "3",
                             "--update-baseline", "--baseline", "{d}/b.json"], "is bounded"),
    ("json into a missing folder", {}, ["check", "--preset", "tiny", "--json", "{d}/no/r.json"], "does not exist"),
    ("json a directory", {}, ["check", "--preset", "tiny", "--json", "{d}"], "is a directory"),
    ("reports a file", {"f": "x"}, ["check", "--preset", "tiny", "--reports", "{d}/f"], "not a folder"),
    ("reports under /proc", {}, ["check", "--preset", "tiny", "--reports", "/proc/pmipmc-reports"], "cannot write"),
    ("max-memory nonsense", {}, ["check", "--max-memory", "lots"], "not a memory size"),
    ("max-memory zero", {}, ["check", "--max-memory", "0"], "at least 1M"),
]


@pytest.mark.parametrize("name,files,argv,needle", ROWS, ids=[r[0] for r in ROWS])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, name, files, argv, needle):
    for fname, content in files.items():
        p = tmp_path / fname
        p.write_bytes(content) if isinstance(content, bytes) else p.write_text(content)
    before = sorted(p.name for p in tmp_path.iterdir())
    code = run(provider, [a.format(d=tmp_path) for a in argv])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert needle in err and err.count("\n") == 1 and err.startswith("pmipmc: error: "), err
    assert "Traceback" not in out + err
    assert sorted(p.name for p in tmp_path.iterdir()) == before   # refused before anything was written


def test_violated_as_a_string_is_not_read_letter_by_letter(capsys, tmp_path):
    b = tmp_path / "b.json"
    b.write_text('{"tiny": {"draft": {"violated": "no_tunnel_removed_under_an_iif"}}}')
    assert run(provider, ["check", "--preset", "tiny", "--variant", "draft", "--baseline", str(b)]) == 2


def test_jobs_beyond_the_runs_is_capped_in_one_line(capsys):
    code = run(provider, ["check", "--preset", "tiny", "--variant", "legacy-lma", "--jobs", "100000", "--quiet"])
    _, err = capsys.readouterr()
    assert code == 0 and err.count("\n") == 1 and "--jobs 100000 capped at 1" in err


def test_bounded_bmc_reports_deeper_expected_violations_as_unknown_depth(capsys, tmp_path):
    out = tmp_path / "r.json"
    code = run(provider, ["check", "--preset", "tiny", "--variant", "draft", "--engine", "symbolic", "--depth", "2",
                          "--quiet", "--json", str(out)])
    text = capsys.readouterr().out
    res = {r["property"]: r for r in json.loads(out.read_text())["runs"][0]["results"]}
    assert code == 3 and "UNEXPECTED" not in text
    assert res["no_tunnel_removed_under_an_iif"]["shown"] == "UNKNOWN(depth)"   # expected at depth 11
    assert res["no_forwarding_loop"]["verdict"] == "HOLDS_WITHIN_BOUNDS"


def test_a_full_stdout_is_one_line_not_a_traceback():
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "pmipmc", "list", "rules"], stdout=full, stderr=subprocess.PIPE,
                           text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "No space left" in p.stderr


def test_a_failed_output_still_writes_the_others(capsys, tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    junit, reports = tmp_path / "j.xml", tmp_path / "r"
    code = run(provider, ["check", "--preset", "tiny", "--variant", "repaired", "--quiet", "--json", "/dev/full",
                          "--junit", str(junit), "--reports", str(reports)])
    err = capsys.readouterr().err
    assert code == 2 and "cannot write --json /dev/full" in err
    assert junit.exists() and (reports / "README.md").exists()


def test_version_and_python_dash_m(capsys):
    assert run(provider, ["--version"]) == 0
    assert capsys.readouterr().out.startswith("pmipmc ")
    p = subprocess.run([sys.executable, "-m", "pmipmc", "--version"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.startswith("pmipmc ")
