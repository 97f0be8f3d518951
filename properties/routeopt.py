"""The route-optimisation claim: data takes the direct MAG-MAG path."""
from __future__ import annotations

from pmipmc.engine.api import invariant, reachable
from pmipmc.engine.expr import all_of, any_of
from pmipmc.model import forwarding as fw


@invariant(cites="Abstract; §3 Figure 2")
def data_takes_the_direct_mag_mag_path(ctx, s):
    """Data reaches every listener in at most one tunnel hop from the sender's MAG."""
    return all_of(~fw.delivered_at_hop(ctx, s, x, l, h) for x in ctx.senders for l in ctx.listeners
                  for h in range(2, len(ctx.mags) + 1))


@reachable(cites="§3 Figure 2")
def optimized_route_and_local_delivery_together(ctx, s):
    """Witness: one sender's data is delivered both locally and over a tunnel at once."""
    return any_of(all_of(fw.delivered_at_hop(ctx, s, x, l1, 0), fw.delivered_at_hop(ctx, s, x, l2, 1))
                  for x in ctx.senders for l1 in ctx.listeners for l2 in ctx.listeners if l1 != l2)


@reachable(cites="§3 Figure 2; §4.2 step 9")
def listener_served_directly_by_the_senders_current_mag(ctx, s):
    """Witness: data reaches a listener in one tunnel hop from the MAG that the LMA names as S's CoA."""
    return any_of(all_of(fw.delivered_at_hop(ctx, s, x, l, 1), s.bce[x] == s.att[x]) for x in ctx.senders
                  for l in ctx.listeners)


PROPERTIES = [data_takes_the_direct_mag_mag_path, listener_served_directly_by_the_senders_current_mag,
              optimized_route_and_local_delivery_together]
