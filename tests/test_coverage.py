"""Action coverage: counts that add up, and no rule of the draft that its presets never fire."""
from __future__ import annotations

import json

import pytest

from pmipmc.engine.check import run_explicit
from pmipmc.engine.cli import run
from pmipmc.engine.explore import Budget
from pmipmc.engine.report import write_report
from pmipmc.model import draft, narrative
from pmipmc.properties import provider

from . import toys

# The preset that exercises each rule of the draft variant: the first of tiny, ci, handover-data and
# thorough in which it fires.  A rule that does not fire in its preset is dead text or an
# over-constrained model, and the test below fails.  Why the fast presets miss the others:
# - handover-data: a sender that moves.  Only then can the LMA lack a binding for it and answer a
#   PBU-Q with a failure (§5 step 3), and only then can a sender arrive at a MAG that already has its
#   channel (the local iif).  In tiny, ci and shared every sender stays registered where it started.
#   legacy-lma does not help: an RFC 5213-only LMA answers no PBU-Q at all, so no failure either.
# - thorough: a second listener at one MAG (a leave that is not the last), attach/detach, and loss
#   together with sender mobility (a PBU lost, retransmitted, or never followed by a de-registration).
EXERCISED_BY = {
    "mn_subscribes": "tiny", "mn_unsubscribes": "tiny", "mag_joins_locally": "tiny", "mag_sends_pbu_q": "tiny",
    "mag_deletes_channel_state": "tiny", "lma_answers_pbu_q": "tiny", "mag_receives_pba_q": "tiny",
    "mag_establishes_tunnel": "tiny", "mag_adds_mrib_route": "tiny", "mag_sets_iif": "tiny",
    "mag_sends_pim_join": "tiny", "mag_receives_pim_join": "tiny", "mag_removes_route_and_prunes": "tiny",
    "mag_receives_pim_prune": "tiny", "mag_discards_pim_without_tunnel": "tiny", "mag_removes_tunnel": "tiny",
    "mag_expires_tunnel_oif": "tiny",
    # soft state, loss, listener handover
    "mn_reports_membership": "ci", "mag_discards_stale_report": "ci", "mag_expires_listener": "ci",
    "network_loses_mld_report": "ci", "mag_opens_optimized_route": "ci", "mn_hands_over": "ci",
    "mag_refreshes_pim_join": "ci", "network_loses_pbu_q": "ci", "network_loses_pba_q": "ci",
    "network_loses_pim": "ci",
    # the sender moves (and data packets fly)
    "mag_receives_pba_q_failure": "handover-data", "mag_takes_local_iif_for_registered_source": "handover-data",
    "lma_accepts_pbu": "handover-data", "lma_deregisters": "handover-data", "mn_sends_data": "handover-data",
    "mag_forwards_data": "handover-data",
    # two listeners at a MAG, attach/detach, loss with a moving sender
    "mag_removes_listener": "thorough", "mn_attaches": "thorough", "mn_detaches": "thorough",
    "mag_retransmits_pbu": "thorough", "lma_expires_binding": "thorough", "network_loses_pbu": "thorough",
    "network_loses_deregistration": "thorough",
}
# Rules the draft variant has but never fires in any preset, with the (preset, variant) that does and why.
# Not dead draft text: RFC 5213 behaviour the model needs for another reading of the draft.
OTHER_VARIANT = {
    "mag_refreshes_binding": ("tiny", "legacy-lma", "an RFC 5213-aware LMA's binding never names a MAG other "
                              "than the serving one (one PBU in flight per MN, a de-registration only from "
                              "the current MAG); a legacy LMA moves the sender's binding to the querying MAG"),
}
# how much of each preset is explored: the first states already fire what the preset is named for here,
# and a state budget can only make a fire count smaller, so the check is as strict as a whole run
BUDGET = {"tiny": None, "ci": None, "handover-data": 2000, "thorough": 10000}
FAST = ("tiny", "ci", "handover-data")   # thorough's 10,000 states take seconds: the slow tier


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


def _fired(preset: str, variant: str = "draft") -> set[str]:
    r = run_explicit(provider.build(preset, variant), preset, variant, budget=Budget(max_states=BUDGET[preset]),
                     coverage=True)
    return {rule for rule, c in r.coverage.items() if c["fired"]}


def test_the_table_names_a_preset_for_every_rule_and_only_rules_the_model_has():
    known = {r["name"] for r in provider.rules()}
    assert set(EXERCISED_BY) | set(OTHER_VARIANT) <= known
    assert not set(EXERCISED_BY) & set(OTHER_VARIANT)
    assert set(EXERCISED_BY.values()) == set(BUDGET)
    for preset in FAST:   # thorough's rules: the slow test below
        has = {i.rule.name for i in provider.build(preset, "draft").rules}
        assert has <= set(EXERCISED_BY) | set(OTHER_VARIANT), sorted(has - set(EXERCISED_BY) - set(OTHER_VARIANT))


@pytest.mark.parametrize("preset", [*FAST, pytest.param("thorough", marks=pytest.mark.slow)])
def test_every_draft_rule_fires_in_the_preset_the_table_names(preset, ci_runs):
    fired = ({r for r, c in ci_runs["draft"].coverage.items() if c["fired"]} if preset == "ci"
             else _fired(preset))
    mine = {r for r, p in EXERCISED_BY.items() if p == preset}
    assert mine <= fired, f"never fired in {preset}: {sorted(mine - fired)}"
    if preset == "thorough":   # every preset together: the draft has no rule the table leaves out
        has = {i.rule.name for p in BUDGET for i in provider.build(p, "draft").rules}
        assert has == set(EXERCISED_BY) | set(OTHER_VARIANT)


@pytest.mark.parametrize("rule", sorted(OTHER_VARIANT))
def test_a_rule_the_draft_never_fires_fires_in_the_variant_the_table_names(rule, ci_runs):
    preset, variant, _why = OTHER_VARIANT[rule]
    assert not ci_runs["draft"].coverage[rule]["fired"] and rule not in _fired("handover-data")
    assert rule in _fired(preset, variant)


@pytest.mark.slow
def test_the_mobility_preset_fires_the_registration_rules_the_fast_presets_cannot():
    # the first 20,000 states fire both (a budget only lowers fire counts); the whole preset takes minutes
    r = run_explicit(provider.build("mobility", "draft"), "mobility", "draft", budget=Budget(max_states=20000),
                     coverage=True)
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
