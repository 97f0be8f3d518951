"""Data packets across handovers (switch `data_packets`): §1 claims the protocol "supports seamless handover".

A listener that was receiving S's data when S sent a packet, and is still subscribed and
attached when no copy of the packet is left in the domain, has lost it if no copy reached it; a
listener that got two copies received it twice.  Without the switch there are no packets and the
claims hold trivially (the witness is then not witnessed).
"""
from __future__ import annotations

from pmipmc.engine.api import invariant, reachable
from pmipmc.engine.expr import FALSE, TRUE, all_of, any_of, implies


def _pairs(ctx):
    return [(x, l) for x in ctx.senders for l in ctx.listeners]


@invariant(cites="§1 'supports seamless handover'; §4.2 step 9")
def no_packet_lost_across_a_handover(ctx, s):
    """A packet sent while a listener received S's data reaches it, if it is still subscribed and attached."""
    if not ctx.bounds.data_packets:
        return TRUE
    done = {x: all_of(*(s.pkt[m][x] == 0 for m in ctx.mags)) for x in ctx.senders}
    return all_of(implies(all_of(done[x], s.expect[l][x] == 1, s.sub[l][x] == 1, s.att[l] != ctx.DETACHED),
                          s.got[l][x] != 0) for x, l in _pairs(ctx))


@invariant(cites="§1 'supports seamless handover'; §4.2 step 9")
def no_packet_delivered_twice(ctx, s):
    """No listener receives two copies of the same packet."""
    if not ctx.bounds.data_packets:
        return TRUE
    return all_of(s.got[l][x] != 2 for x, l in _pairs(ctx))


@reachable(cites="§4.2 step 9")
def packet_delivered_over_a_tunnel(ctx, s):
    """Witness: a listener on another MAG than the sender receives a packet."""
    if not ctx.bounds.data_packets:
        return FALSE
    return any_of(all_of(s.got[l][x] == 1, s.att[l] != s.att[x]) for x, l in _pairs(ctx))


PROPERTIES = [no_packet_lost_across_a_handover, no_packet_delivered_twice, packet_delivered_over_a_tunnel]
