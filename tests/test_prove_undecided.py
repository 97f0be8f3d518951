"""`check --prove-undecided`: an exploration cut short, then z3 on the claims it left open, gives the
exhaustive run's verdicts (violations at the same shortest depth, HOLDS for what held within bounds)."""
from __future__ import annotations

import json

import pytest

from pmipmc.engine.cli import run
from pmipmc.properties import provider


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def results(capsys, path, *argv):
    code = run(provider, ["check", "--preset", "ci", "--variant", "draft", "--no-reports", "--quiet",
                          "--json", str(path), *argv])
    out, err = capsys.readouterr()
    (r,) = json.loads(path.read_text())["runs"]
    return code, out, r


def test_a_cut_short_search_plus_proofs_gives_the_exhaustive_verdicts(capsys, tmp_path):
    code_full, _, full = results(capsys, tmp_path / "full.json")
    code, out, cut = results(capsys, tmp_path / "cut.json", "--max-states", "500", "--prove-undecided",
                             "--prove-seconds", "30")
    assert code_full == 0 and full["complete"] and not cut["complete"] and cut["states"] < full["states"]
    assert "UNEXPECTED" not in out and "proved = proved with z3" in out
    whole = {r["property"]: r for r in full["results"]}
    proved = unreached = 0
    for r in cut["results"]:
        w = whole[r["property"]]
        if r["verdict"] == "UNKNOWN":   # only what no single-state proof decides is left open
            assert r["kind"] == "progress"
        elif r["verdict"] == "HOLDS":
            assert w["verdict"] == "HOLDS_WITHIN_BOUNDS" and r["method"]
            proved += 1
        else:   # violations and witnesses at the exhaustive run's shortest depth; unreached ones proved so
            assert (r["verdict"], r["depth"]) == (w["verdict"], w["depth"]), r["property"]
            unreached += r["kind"] == "reachable" and r["verdict"] == "HOLDS_WITHIN_BOUNDS"
    assert proved >= 20 and unreached >= 3
    # progress stays undecided, so the run still reports itself incomplete
    assert code == 3


def test_a_complete_search_proves_nothing_and_symbolic_runs_refuse_it(capsys, tmp_path):
    code, _, r = results(capsys, tmp_path / "r.json", "--prove-undecided")
    assert code == 0 and r["complete"] and not any(x["verdict"] == "HOLDS" for x in r["results"])
    code = run(provider, ["check", "--preset", "tiny", "--engine", "symbolic", "--depth", "2", "--prove-undecided"])
    assert code == 2 and "--prove-undecided" in capsys.readouterr().err
    assert run(provider, ["check", "--preset", "tiny", "--prove-seconds", "5"]) == 2
    assert "only with --prove-undecided" in capsys.readouterr().err


def test_add_found_records_the_witnesses_proved_unreachable_and_the_next_run_has_no_surprise(capsys, tmp_path):
    base = tmp_path / "b.json"
    base.write_text("{}")
    argv = ["--max-states", "500", "--prove-undecided", "--baseline", str(base)]
    code, out, r = results(capsys, tmp_path / "r.json", *argv, "--add-found")
    never = {x["property"] for x in r["results"] if x["kind"] == "reachable" and x["verdict"] == "HOLDS_WITHIN_BOUNDS"}
    entry = json.loads(base.read_text())["ci"]["draft"]
    assert never and set(entry["not_witnessed"]) == never
    assert code == 3   # progress is still open: incomplete, but nothing unexpected
    code, out, _ = results(capsys, tmp_path / "again.json", *argv)
    assert code == 3 and "UNEXPECTED" not in out
