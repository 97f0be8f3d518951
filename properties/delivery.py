"""Delivery: every subscribed listener gets the data, nobody else does, once, without loops."""
from __future__ import annotations

from pmipmc.engine.api import invariant, quiescent, reachable
from pmipmc.engine.expr import all_of, any_of, implies
from pmipmc.model import forwarding as fw


def _channels(ctx):
    return [(x, l) for x in ctx.senders for l in ctx.listeners]


@quiescent(cites="§4.2 step 9; §6.1 'send the multicast data flow from MN2 to MN1'")
def subscribed_listener_receives_at_quiescence(ctx, s):
    """Every attached listener subscribed to an attached, registered sender receives its data."""
    return all_of(implies(all_of(s.sub[l][x] == 1, s.att[l] != ctx.DETACHED, s.att[x] != ctx.DETACHED,
                                 s.bce[x] == s.att[x]), fw.delivered(ctx, s, x, l))
                  for x, l in _channels(ctx))


@quiescent(cites="§4.3 step 2")
def no_delivery_to_unsubscribed_listener_at_quiescence(ctx, s):
    """A listener that left (S,G) no longer receives S's data."""
    return all_of(implies(s.sub[l][x] == 0, ~fw.delivered(ctx, s, x, l)) for x, l in _channels(ctx))


@invariant(cites="RFC 4601 §4.2 (RPF check), relied on by §3")
def no_forwarding_loop(ctx, s):
    """No MAG accepts the same (S,G) packet twice along a cycle of tunnels."""
    return all_of(~fw.revisits(ctx, s, x) for x in ctx.senders)


@invariant(cites="§4.2 step 9")
def no_duplicate_delivery(ctx, s):
    """No listener receives the same (S,G) packet twice."""
    return all_of(~fw.duplicate_delivery(ctx, s, x, l) for x, l in _channels(ctx))


@reachable(cites="§4.2 step 9")
def data_flows_over_a_mag_tunnel(ctx, s):
    """Witness: a listener on another MAG receives the sender's data over the MAG-MAG tunnel."""
    return any_of(fw.delivered_at_hop(ctx, s, x, l, 1) for x, l in _channels(ctx))


@reachable(cites="§6.1")
def data_delivered_locally_on_the_same_mag(ctx, s):
    """Witness: sender and listener share a MAG and the data is delivered locally."""
    return any_of(fw.delivered_at_hop(ctx, s, x, l, 0) for x, l in _channels(ctx))


PROPERTIES = [subscribed_listener_receives_at_quiescence, no_delivery_to_unsubscribed_listener_at_quiescence,
              no_forwarding_loop, no_duplicate_delivery, data_flows_over_a_mag_tunnel,
              data_delivered_locally_on_the_same_mag]
