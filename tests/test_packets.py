"""Data packets in flight (switch data_packets): §1's "seamless handover" as verdicts with traces."""
from __future__ import annotations

from pmipmc.properties import packets

from .helpers import fire, placed, system, val


def _holds(s, prop, state) -> bool:
    return s.predicate(prop)(state)


def _route(s, state):
    """Figure 3 on the fused preset: MN1 on MAG1 joins MN2's channel on MAG2."""
    state = fire(s, state, "mn_subscribes", "MN1", "MN2", "MAG1")
    state = fire(s, state, "mag_sends_pbu_q", "MAG1", "MN1", "MN2")
    state = fire(s, state, "lma_answers_pbu_q", "MAG1", "MN2")
    state = fire(s, state, "mag_receives_pba_q", "MAG1", "MN2", "MAG2")
    state = fire(s, state, "mag_opens_optimized_route", "MAG1", "MN2", "MAG2")
    return fire(s, state, "mag_receives_pim_join", "MAG2", "MAG1", "MN2")


def test_without_the_switch_there_are_no_packets_and_the_claims_hold_trivially():
    s = system("ci", "draft")
    assert not any(a.name in ("pkt", "expect", "got") for a in s.schema.arrays)
    assert not any(r.rule.name in ("mn_sends_data", "mag_forwards_data") for r in s.rules)
    for p in packets.PROPERTIES:
        assert _holds(s, p, s.init[0]) == (p.kind != "reachable")


def test_a_packet_travels_the_optimized_route_once():
    s = system("handover-data", "draft")
    state = _route(s, placed(s, MN1="MAG1", MN2="MAG2"))
    state = fire(s, state, "mn_sends_data", "MN2", "MAG2")
    assert val(s, state, "expect[MN1][MN2]") == "1" and val(s, state, "pkt[MAG2][MN2]") == "access"
    state = fire(s, state, "mag_forwards_data", "MAG2", "MN2")
    assert val(s, state, "pkt[MAG1][MN2]") == "tunnel"
    state = fire(s, state, "mag_forwards_data", "MAG1", "MN2")
    assert val(s, state, "got[MN1][MN2]") == "1"
    assert all(_holds(s, p, state) for p in packets.PROPERTIES)


def test_a_packet_in_the_old_tunnel_is_lost_when_the_sender_moves_even_when_repaired():
    s = system("handover-data", "repaired")
    state = _route(s, placed(s, MN1="MAG1", MN2="MAG2"))
    state = fire(s, state, "mn_sends_data", "MN2", "MAG2")
    state = fire(s, state, "mn_hands_over", "MN2", "MAG2", "MAG1")
    state = fire(s, state, "lma_accepts_pbu", "MN2", "MAG1")
    state = fire(s, state, "mag_receives_pba_q", "MAG1", "MN2", "MAG1")   # RPF now local at MAG1
    assert _holds(s, packets.no_packet_lost_across_a_handover, state)
    state = fire(s, state, "mag_forwards_data", "MAG2", "MN2")             # the copy MAG1 now refuses
    assert val(s, state, "got[MN1][MN2]") == "0"
    assert not _holds(s, packets.no_packet_lost_across_a_handover, state)
    [lost] = s.findings(packets.no_packet_lost_across_a_handover, state)
    assert lost.names == {"l": "MN1", "x": "MN2"} and "no copy reached MN1" in lost.text


def test_a_listener_that_leaves_is_owed_nothing():
    s = system("handover-data", "draft")
    state = _route(s, placed(s, MN1="MAG1", MN2="MAG2"))
    state = fire(s, state, "mn_sends_data", "MN2", "MAG2")
    state = fire(s, state, "mn_unsubscribes", "MN1", "MN2", "MAG1")
    assert val(s, state, "expect[MN1][MN2]") == "0"
    state = fire(s, state, "mag_deletes_channel_state", "MAG1", "MN1", "MN2")
    state = fire(s, state, "mag_forwards_data", "MAG2", "MN2")
    state = fire(s, state, "mn_subscribes", "MN1", "MN2", "MAG1")
    assert _holds(s, packets.no_packet_lost_across_a_handover, state)
