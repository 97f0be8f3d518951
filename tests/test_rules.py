"""Rules one at a time: what each draft step does and refuses to do."""
from __future__ import annotations

import pytest

from pmipmc.engine.coverage import Coverage
from pmipmc.engine.explore import Budget, Checks, explore
from pmipmc.model import ALL_RULES

from .helpers import enabled, fire, placed, system, val


def test_lma_answers_failure_when_the_sender_has_no_binding():
    s = system("ci")
    state = placed(s, MN1="MAG1", MN2="MAG2")
    bce = s.schema.arrays[[a.name for a in s.schema.arrays].index("bce")].slot(1)
    q = s.schema.arrays[[a.name for a in s.schema.arrays].index("pbu_q")].slot(0, 1)
    raw = bytearray(state)
    raw[bce], raw[q] = 0, 1
    after = fire(s, bytes(raw), "lma_answers_pbu_q", "MAG1", "MN2")
    assert val(s, after, "pba_q[MAG1][MN2]") == "failure"


def test_a_legacy_lma_moves_the_senders_binding_to_the_querying_mag():
    s = system("tiny", "legacy-lma")
    state = placed(s, MN1="MAG1", MN2="MAG2")
    for step in [("mn_subscribes", "MN1", "MN2", "MAG1"), ("mag_sends_pbu_q", "MAG1", "MN1", "MN2"),
                 ("legacy_lma_treats_pbu_q_as_pbu", "MAG1", "MN2")]:
        state = fire(s, state, *step)
    assert val(s, state, "bce[MN2]") == "MAG1" and val(s, state, "att[MN2]") == "MAG2"
    assert val(s, state, "q[MAG1][MN2]") == "asked"   # the plain PBA answers nothing MAG1 waits for


def test_deregistration_from_a_mag_that_is_not_the_proxy_coa_is_ignored():
    s = system("mobility")
    state = placed(s, MN1="MAG1", MN2="MAG2")
    state = fire(s, state, "mn_hands_over", "MN2", "MAG2", "MAG1")
    state = fire(s, state, "lma_accepts_pbu", "MN2", "MAG1")
    assert val(s, state, "bce[MN2]") == "MAG1"
    state = fire(s, state, "lma_deregisters", "MN2", "MAG2")   # the late lifetime-0 PBU from MAG2
    assert val(s, state, "bce[MN2]") == "MAG1"


def test_a_non_last_leave_keeps_the_channel():
    s = system("tiny", "draft", listeners=2)
    state = placed(s, MN1="MAG1", MN2="MAG1", MN3="MAG2")
    for l in ("MN1", "MN2"):
        state = fire(s, state, "mn_subscribes", l, "MN3", "MAG1")
        state = fire(s, state, "mag_sends_pbu_q", "MAG1", l, "MN3")
    state = fire(s, state, "mn_unsubscribes", "MN1", "MN3", "MAG1")
    assert not enabled(s, state, "mag_deletes_channel_state", "MAG1", "MN1", "MN3")
    state = fire(s, state, "mag_removes_listener", "MAG1", "MN1", "MN3")
    assert val(s, state, "oif_local[MAG1][MN3][MN2]") == "1"


def _enabled_somewhere(s, budget=Budget()) -> set[str]:
    cov = Coverage(s)
    explore(s, Checks(s, set()), budget=budget, coverage=cov)
    return {name for name, c in cov.by_rule().items() if c["fired"]}


@pytest.fixture(scope="module")
def fired_rules() -> set[str]:
    # the first few thousand states of the bigger spaces already fire what they add; a budget can only
    # make this set smaller, so the test stays as strict as exploring them whole
    names = set()
    for preset, budget in (("tiny", Budget()), ("ci", Budget(max_states=5000))):
        for variant in ("draft", "one-way-tunnel", "legacy-lma", "repaired"):
            names |= _enabled_somewhere(system(preset, variant), budget)
    mobile = {"attach_detach": True, "sender_handover": True, "loss": True, "fused_steps": True}
    names |= _enabled_somewhere(system("tiny", "draft", **mobile), Budget(max_states=20000))
    names |= _enabled_somewhere(system("tiny", "repaired", **mobile), Budget(max_states=20000))
    names |= _enabled_somewhere(system("tiny", "draft", listeners=2), Budget(max_states=5000))
    names |= _enabled_somewhere(system("handover-data", "repaired"))   # data packets in flight
    names |= _enabled_somewhere(system("ci", "base-path"))   # RFC 6224's base path: proxies, loss, expiry
    names |= _enabled_somewhere(system("handover-data", "base-path"))   # the LMA forwards packets
    return names


@pytest.mark.parametrize("rule", [r.name for r in ALL_RULES])
def test_every_rule_fires_somewhere(rule, fired_rules):
    assert rule in fired_rules, f"{rule} never fires: a dead rule or an unreachable draft step"
