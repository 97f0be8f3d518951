"""Outputs are replaced whole, and a baseline is only ever recorded from a complete run."""
from __future__ import annotations

import json

from pmipmc.engine.cli import run
from pmipmc.properties import provider


def test_a_reused_report_folder_keeps_no_stale_trace(capsys, tmp_path):
    rep = tmp_path / "rep"
    stale = rep / "traces" / "draft" / "a_property_that_no_longer_fails.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    (rep / "keep.txt").write_text("not ours")
    assert run(provider, ["check", "--preset", "tiny", "--variant", "repaired", "--quiet", "--reports", str(rep)]) == 0
    assert not stale.exists() and (rep / "README.md").exists() and (rep / "keep.txt").exists()
    assert (rep / "traces" / "repaired").is_dir()
    assert not [p for p in rep.iterdir() if p.name.startswith(".pmipmc-")]   # no temporary folder left


def test_the_memory_budget_ends_in_unknown_memory_and_no_baseline_update(capsys, tmp_path):
    base, out = tmp_path / "b.json", tmp_path / "r.json"
    base.write_text(provider.BASELINE.read_text())
    before = base.read_text()
    code = run(provider, ["check", "--preset", "ci", "--variant", "draft", "--quiet", "--max-memory", "1M",
                          "--update-baseline", "--baseline", str(base), "--json", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "baseline not updated: variant draft is incomplete (memory)" in err
    assert base.read_text() == before
    results = json.loads(out.read_text())["runs"][0]["results"]
    assert {r["shown"] for r in results} >= {"UNKNOWN(memory)"}
