"""Action coverage: counts that add up, and no rule of the draft that its presets never fire."""
from __future__ import annotations

import json

import pytest

from pmipmc.engine.check import run_explicit
from pmipmc.engine.cli import run
from pmipmc.engine.coverage import never_fired
from pmipmc.engine.report import write_report
from pmipmc.model import draft, narrative
from pmipmc.properties import provider

from . import toys

# Rules the fast presets (tiny, ci: no sender moves, no attach/detach) cannot exercise, and why.
# Anything else that never fires there is dead text or an over-constrained model: the test fails.
SILENT_WITHOUT_MOBILITY = {
    "lma_accepts_pbu": "a PBU is sent only when an MN attaches or moves",
    "lma_deregisters": "a de-registration needs an MN that detaches",
    "lma_expires_binding": "lifetimes only run out for a binding a moving MAG stopped refreshing",
    "mag_refreshes_binding": "refreshes follow a registration made in the run",
    "mag_retransmits_pbu": "retransmits a PBU sent in the run",
    "network_loses_pbu": "loses a PBU sent in the run",
    "network_loses_deregistration": "loses a de-registration",
    "mag_receives_pba_q_failure": "the LMA fails a query only for a sender that is not registered",
    "mag_takes_local_iif_for_registered_source": "a sender must arrive at a MAG that already has the channel",
}
SILENT_IN_TINY = {  # tiny has no soft state: no loss, no timers, no silent departure
    "mag_discards_stale_report", "mag_expires_listener", "mag_refreshes_pim_join", "mn_reports_membership",
}


@pytest.fixture(scope="module")
def ci_runs():
    return {v: run_explicit(provider.build("ci", v), "ci", v, coverage=True) for v in ("draft", "repaired")}


def test_fire_counts_add_up_to_the_transitions_and_states_of_the_run(ci_runs):
    for r in ci_runs.values():
        assert sum(c["fired"] for c in r.coverage.values()) == r.transitions
        for rule, c in r.coverage.items():
            assert c["enabled_states"] <= min(c["fired"], r.states), rule
            assert (c["fired"] == 0) == (c["enabled_states"] == 0), rule


def test_on_a_toy_counter_inc_fires_once_per_lower_state_and_reset_once():
    system = toys.counter(limit=4, bad=9)
    r = run_explicit(system, "toy", "toy", coverage=True)
    assert r.coverage == {"inc": {"fired": 4, "enabled_states": 4}, "reset": {"fired": 1, "enabled_states": 1}}


def test_every_draft_rule_fires_in_the_fast_presets_unless_it_needs_mobility(ci_runs):
    tiny = run_explicit(provider.build("tiny", "draft"), "tiny", "draft", coverage=True)
    known = {r["name"] for r in provider.rules()}
    assert set(SILENT_WITHOUT_MOBILITY) | SILENT_IN_TINY <= known
    assert set(never_fired(ci_runs["draft"].coverage)) <= set(SILENT_WITHOUT_MOBILITY)
    assert set(never_fired(tiny.coverage)) <= set(SILENT_WITHOUT_MOBILITY) | SILENT_IN_TINY


@pytest.mark.slow
def test_the_mobility_preset_fires_the_registration_rules_the_fast_presets_cannot():
    r = run_explicit(provider.build("mobility", "draft"), "mobility", "draft", coverage=True)
    fired = {k for k, c in r.coverage.items() if c["fired"]}
    assert {"lma_accepts_pbu", "mag_takes_local_iif_for_registered_source"} <= fired


def test_the_report_shows_fire_counts_and_flags_rules_that_never_fired(ci_runs, tmp_path):
    runs = list(ci_runs.values())
    text = write_report(runs, tmp_path, narrative, draft.text(), provider.rules(), provider.properties(),
                        provider.variants(), None, pictures=False, timings=False,
                        system_for=lambda p, v, o: provider.build(p, v, **o)).read_text()
    cov = text.split("## Action coverage")[1]
    fired = ci_runs["draft"].coverage["mag_sends_pbu_q"]["fired"] + ci_runs["repaired"].coverage["mag_sends_pbu_q"]["fired"]
    assert f"`mag_sends_pbu_q` ×{fired:,}" in text.split("## Draft coverage")[1]
    assert "`mag_receives_pba_q_failure` ×0 **never fired**" not in text   # it shares §5 step 3 with a rule that fires
    assert "| `mag_receives_pba_q_failure` |" in cov and "**0**" in cov
    never_any = [n for n in ci_runs["draft"].coverage
                 if not any(r.coverage.get(n, {}).get("fired") for r in runs)]
    assert never_any and all(f"`{n}`" in cov.split("**Never fired in any run**")[1].split("\n")[0] for n in never_any)


def test_check_writes_coverage_into_the_json_only_when_asked(capsys, tmp_path):
    out = tmp_path / "r.json"
    assert run(provider, ["check", "--preset", "tiny", "--variant", "draft", "--jobs", "1", "--quiet",
                          "--coverage", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["runs"][0]["coverage"]["mag_sends_pbu_q"]["fired"] > 0
    assert run(provider, ["check", "--preset", "tiny", "--variant", "draft", "--jobs", "1", "--quiet",
                          "--json", str(out)]) == 0
    assert "coverage" not in json.loads(out.read_text())["runs"][0]
    capsys.readouterr()
