"""Mutation coverage: each operator on a toy is caught by the property written for it."""
from __future__ import annotations

import json

import pytest

from pmipmc.engine.mutate import CAUGHT, EQUIVALENT, NOT_CAUGHT, apply, classify, generate, observe

from .toys import handshake


def _verdict(key: str, readings=(), rebuild=None):
    sysm = handshake()
    mutants = {m.key: m for m in generate(sysm, readings=readings)}
    assert key in mutants, sorted(mutants)
    return classify(observe(sysm), observe(apply(sysm, mutants[key], rebuild)))


@pytest.mark.parametrize("key,caught_by", [
    ("answer: drop_rule", "work_gets_done"),
    ("answer: drop_effect req", "no_request_left_at_quiescence"),
    ("finish: drop_guard ack", "done_only_after_an_ack"),
    ("finish: change_const done := err", "never_an_error"),
])
def test_each_operator_is_caught_by_the_property_written_for_it(key, caught_by):
    status, by = _verdict(key)
    assert status == CAUGHT and caught_by in by


def test_a_swapped_reading_is_caught():
    readings = [{"axis": "strict", "reading": "lax", "cites": "toy §3"}]
    status, by = _verdict("strict: swap_reading strict = lax", readings, lambda axis, reading: handshake(strict=False))
    assert status == CAUGHT and "done_only_after_an_ack" in by


def test_dropping_a_redundant_conjunct_is_equivalent():
    assert _verdict("answer: drop_guard done") == (EQUIVALENT, [])


def test_a_change_no_property_reads_survives():
    assert _verdict("answer: drop_effect log") == (NOT_CAUGHT, [])


def test_a_mutant_that_never_settles_is_caught_by_progress():
    # finish no longer clears ack, so it stays enabled forever and no state is quiescent: every
    # quiescent claim passes vacuously, and only the progress claim can notice
    status, by = _verdict("finish: drop_effect ack")
    assert status == CAUGHT and "settles" in by


def test_mutants_leave_the_original_alone():
    sysm = handshake()
    before = [(i.index, i.guard.key(), i.updates) for i in sysm.rules]
    for m in generate(sysm):
        apply(sysm, m)
    assert [(i.index, i.guard.key(), i.updates) for i in sysm.rules] == before


# tiny/repaired, drop_rule only (fast): a score below the pin means a property stopped noticing
# something it used to notice (measured when the settling and membership claims were added)
PINNED = {"mutants": 32, "equivalent": 16, "caught": 16}


def test_mutation_score_on_tiny_does_not_drop():
    from pmipmc.engine.mutate_run import Target, score
    sc = score(Target("pmipmc.properties.provider", "tiny", "repaired", ("drop_rule",)))
    c = sc.counts()
    assert sc.complete and (c["mutants"], c["equivalent"]) == (PINNED["mutants"], PINNED["equivalent"])
    assert c["caught"] >= PINNED["caught"], [m.key for i, m in enumerate(sc.mutants) if sc.status(i) == "not_caught"]


def test_mutate_cli_writes_the_score_json(tmp_path, capsys):
    from pmipmc.engine.cli import run
    from pmipmc.properties import provider
    out = tmp_path / "m.json"
    code = run(provider, ["mutate", "--preset", "tiny", "--variant", "repaired", "--operators", "drop_rule",
                          "--quiet", "--json", str(out), "--report", str(tmp_path / "rep")])
    assert code == 0
    doc = json.loads(out.read_text())
    (r,) = doc["mutation"]
    assert r["mutants"] == len(r["list"]) == r["caught"] + r["not_caught"] + r["equivalent"] + r["undecided"]
    assert r["score"] == pytest.approx(r["caught"] / (r["mutants"] - r["equivalent"]), abs=1e-4)
    assert "### tiny / repaired" in (tmp_path / "rep" / "COVERAGE-MUTATION.md").read_text()
    assert "tiny / repaired: score" in capsys.readouterr().out


@pytest.mark.parametrize("argv,needle", [
    (["mutate", "--variant", "nope"], "unknown variant 'nope'"),
    (["mutate", "--preset", "huge"], "unknown preset 'huge'"),
    (["mutate", "--operators", "frob"], "invalid choice"),
    (["mutate", "--min-score", "2"], "between 0 and 1"),
])
def test_mutate_bad_input_is_one_line_and_exit_2(capsys, argv, needle):
    from pmipmc.engine.cli import run
    from pmipmc.properties import provider
    code = run(provider, argv)
    err = capsys.readouterr().err
    assert code == 2 and needle in err and err.count("\n") == 1


def test_the_report_gains_a_property_coverage_section_from_a_mutation_json(tmp_path):
    from pmipmc.engine.report import property_coverage_section
    assert property_coverage_section(tmp_path) == []
    doc = {"tool": "pmipmc", "mutation": [{
        "preset": "ci", "variant": "draft", "mutants": 3, "caught": 1, "not_caught": 1, "equivalent": 1,
        "undecided": 0, "not_run": 0, "score": 0.5, "complete": True, "states": 10, "list": [
            {"key": "r: drop_rule", "rule": "r", "cites": "§4.2 step 2; §6.2", "operator": "drop_rule",
             "status": "caught", "caught_by": ["p"]},
            {"key": "r: drop_effect x", "rule": "r", "cites": "§4.2 step 2; §6.2", "operator": "drop_effect",
             "status": "not_caught", "caught_by": [], "note": "soft state heals it"},
            {"key": "q: drop_rule", "rule": "q", "cites": "§4.3 step 6", "operator": "drop_rule",
             "status": "equivalent", "caught_by": []}]}]}
    (tmp_path / "mutation.json").write_text(json.dumps(doc))
    text = "\n".join(property_coverage_section(tmp_path))
    assert "## Property coverage" in text and "50.0 %" in text
    assert "| §4.2 step 2 | 2 | 1 | 0 | 1 | 50 % |" in text and "| §4.3 step 6 | 1 | 0 | 1 | 0 | — |" in text
    assert "`r: drop_effect x` (not caught; §4.2 step 2; §6.2): soft state heals it" in text


# the target, on the default preset: at least 80 % of non-equivalent mutants caught
@pytest.mark.slow
@pytest.mark.parametrize("variant", ["draft", "repaired"])
def test_ci_mutation_score_is_at_least_80_percent(variant):
    from pmipmc.engine.mutate import OPERATORS
    from pmipmc.engine.mutate_run import Target, score
    sc = score(Target("pmipmc.properties.provider", "ci", variant, OPERATORS))
    assert sc.complete and sc.counts()["score"] >= 0.80
