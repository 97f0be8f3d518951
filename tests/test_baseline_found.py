"""`--add-found` records what a run that cannot finish has proved by example, and nothing else."""
from __future__ import annotations

import json

from pmipmc.engine.cli import run
from pmipmc.properties import provider

ARGS = ["check", "--preset", "ci", "--variant", "draft", "--engine", "python", "--quiet", "--no-reports"]


def _found(out):
    res = json.loads(out.read_text())["runs"][0]["results"]
    return ({r["property"] for r in res if r["kind"] != "reachable" and r["verdict"] == "VIOLATED"},
            {r["property"] for r in res if r["kind"] == "reachable" and r["verdict"] == "FOUND"},
            {r["property"] for r in res if r["verdict"] == "UNKNOWN"})


def test_a_truncated_run_adds_its_violations_and_witnesses_and_removes_nothing(capsys, tmp_path):
    base, out = tmp_path / "b.json", tmp_path / "r.json"
    # a stale claim (kept: nothing proves it wrong) and a witness listed as unreachable (the run sees it)
    base.write_text(json.dumps({"ci": {"draft": {"violated": ["a_claim_nobody_checked"],
                                                 "not_witnessed": ["tunnel_established_between_two_mags"]}}}))
    code = run(provider, ARGS + ["--max-states", "3000", "--add-found", "--baseline", str(base), "--json", str(out)])
    assert code == 3   # still incomplete: the exit code says so
    violated, seen, unknown = _found(out)
    assert violated and unknown and "tunnel_established_between_two_mags" in seen
    entry = json.loads(base.read_text())["ci"]["draft"]
    assert set(entry["violated"]) == violated | {"a_claim_nobody_checked"}
    assert "tunnel_established_between_two_mags" not in entry["not_witnessed"]
    assert not set(entry["violated"]) & unknown - {"a_claim_nobody_checked"}   # undecided stays out


def test_after_adding_the_same_run_has_no_surprise_and_changes_nothing(capsys, tmp_path):
    base, out = tmp_path / "b.json", tmp_path / "r.json"
    base.write_text("{}")
    run(provider, ARGS + ["--max-states", "3000", "--add-found", "--baseline", str(base), "--json", str(out)])
    first = base.read_text()
    capsys.readouterr()
    assert run(provider, ARGS + ["--max-states", "3000", "--add-found", "--baseline", str(base)]) == 3
    captured = capsys.readouterr()
    assert "UNEXPECTED" not in captured.out and "nothing found that it lacks" in captured.err
    assert base.read_text() == first


def test_add_found_and_update_baseline_contradict(capsys, tmp_path):
    assert run(provider, ARGS + ["--add-found", "--update-baseline", "--baseline", str(tmp_path / "b.json")]) == 2
    assert "contradict" in capsys.readouterr().err
