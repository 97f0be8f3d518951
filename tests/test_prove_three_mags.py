"""The repaired draft on three-mags: every claim the explicit engine finds holding is proved.

These five resisted k-induction, Spacer and discovery over the 150 000-state sample; the
oracle of every reachable state (engine/oracle.py) closes them.  Slow: the native exploration
alone takes a minute."""
from __future__ import annotations

import pytest

from pmipmc.engine.native import native_available
from pmipmc.engine.results import HOLDS
from pmipmc.engine.session import run_prove

FIVE = ["rpf_neighbour_serves_the_sender_at_quiescence", "local_iif_only_where_the_sender_is_at_quiescence",
        "subscribed_listener_receives_at_quiescence", "tunnel_iif_only_with_a_reason_at_quiescence",
        "listener_state_has_an_iif_at_quiescence"]


@pytest.mark.slow
@pytest.mark.skipif(native_available() is not None, reason="no C compiler")
def test_the_quiescent_claims_about_a_moving_sender_are_proved_with_their_invariant():
    from pmipmc.properties import provider
    system = provider.build("three-mags", "repaired")
    run = run_prove(system, "three-mags", "repaired", names=FIVE, timeout_s=240)
    got = {r.property: r for r in run.results if r.topic != "lemma"}
    assert set(got) == set(FIVE)
    for name, r in got.items():
        assert r.verdict == HOLDS, (name, r.reason)
        assert r.invariant, name   # the reason it holds, printed next to the verdict
