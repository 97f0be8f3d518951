"""Delivery: every subscribed listener gets the data, nobody else does, once, without loops."""
from __future__ import annotations

from pmipmc.engine.api import invariant, quiescent, reachable
from pmipmc.engine.expr import all_of, implies
from pmipmc.model import forwarding as fw

CHANNEL = ("LISTENER", "SENDER")


@quiescent(cites="§4.2 step 9; §6.1 'send the multicast data flow from MN2 to MN1'", each=CHANNEL,
           says="{l} is subscribed to ({x},G) and receives nothing")
def subscribed_listener_receives_at_quiescence(ctx, s, l, x):
    """Every attached listener subscribed to an attached, registered sender receives its data."""
    return implies(all_of(s.sub[l][x] == 1, s.att[l] != ctx.DETACHED, s.att[x] != ctx.DETACHED,
                          s.bce[x] == s.att[x]), fw.delivered(ctx, s, x, l))


@quiescent(cites="§4.3 step 2", each=CHANNEL, says="{l} left ({x},G) and still receives it")
def no_delivery_to_unsubscribed_listener_at_quiescence(ctx, s, l, x):
    """A listener that left (S,G) no longer receives S's data."""
    return implies(s.sub[l][x] == 0, ~fw.delivered(ctx, s, x, l))


@invariant(cites="RFC 4601 §4.2 (RPF check), relied on by §3", each=("SENDER",),
           says="({x},G) packets loop: a MAG accepts the same packet twice")
def no_forwarding_loop(ctx, s, x):
    """No MAG accepts the same (S,G) packet twice along a cycle of tunnels."""
    return ~fw.revisits(ctx, s, x)


@invariant(cites="§4.2 step 9", each=CHANNEL, says="{l} receives each ({x},G) packet twice")
def no_duplicate_delivery(ctx, s, l, x):
    """No listener receives the same (S,G) packet twice."""
    return ~fw.duplicate_delivery(ctx, s, x, l)


@reachable(cites="§4.2 step 9", each=CHANNEL, says="{l} receives ({x},G) over a MAG-MAG tunnel")
def data_flows_over_a_mag_tunnel(ctx, s, l, x):
    """Witness: a listener on another MAG receives the sender's data over the MAG-MAG tunnel."""
    return fw.delivered_at_hop(ctx, s, x, l, 1)


@reachable(cites="§6.1", each=CHANNEL, says="{l} receives ({x},G) locally from the MAG they share")
def data_delivered_locally_on_the_same_mag(ctx, s, l, x):
    """Witness: sender and listener share a MAG and the data is delivered locally."""
    return fw.delivered_at_hop(ctx, s, x, l, 0)


PROPERTIES = [subscribed_listener_receives_at_quiescence, no_delivery_to_unsubscribed_listener_at_quiescence,
              no_forwarding_loop, no_duplicate_delivery, data_flows_over_a_mag_tunnel,
              data_delivered_locally_on_the_same_mag]
