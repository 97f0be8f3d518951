"""Data packets across handovers (switch `data_packets`): §1 claims the protocol "supports seamless handover".

A listener that was receiving S's data when S sent a packet, and is still subscribed and
attached when no copy of the packet is left in the domain, has lost it if no copy reached it; a
listener that got two copies received it twice.  Without the switch there are no packets and the
claims hold trivially (the witness is then not witnessed).
"""
from __future__ import annotations

from pmipmc.engine.api import invariant, reachable
from pmipmc.engine.expr import FALSE, TRUE, all_of, implies
from pmipmc.model.rules_data import packet_gone

CHANNEL = ("LISTENER", "SENDER")


@invariant(cites="§1 'supports seamless handover'; §4.2 step 9", each=CHANNEL,
           says="{l} was receiving ({x},G) when {x} sent a packet, and no copy reached {l}")
def no_packet_lost_across_a_handover(ctx, s, l, x):
    """A packet sent while a listener received S's data reaches it, if it is still subscribed and attached."""
    if not ctx.bounds.data_packets:
        return TRUE
    done = packet_gone(ctx, s, x)
    return implies(all_of(done, s.expect[l][x] == 1, s.sub[l][x] == 1, s.att[l] != ctx.DETACHED),
                   s.got[l][x] != ctx.GOT_NONE)


@invariant(cites="§1 'supports seamless handover'; §4.2 step 9", each=CHANNEL,
           says="{l} received the same ({x},G) packet twice")
def no_packet_delivered_twice(ctx, s, l, x):
    """No listener receives two copies of the same packet."""
    if not ctx.bounds.data_packets:
        return TRUE
    return s.got[l][x] != ctx.GOT_TWICE


@reachable(cites="§4.2 step 9", each=CHANNEL, says="{l} received a ({x},G) packet on another MAG than {x}'s")
def packet_delivered_over_a_tunnel(ctx, s, l, x):
    """Witness: a listener on another MAG than the sender receives a packet."""
    if not ctx.bounds.data_packets:
        return FALSE
    return all_of(s.got[l][x] == ctx.GOT_ONCE, s.att[l] != s.att[x])


PROPERTIES = [no_packet_lost_across_a_handover, no_packet_delivered_twice, packet_delivered_over_a_tunnel]
