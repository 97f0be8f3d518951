"""RPF consistency: the iif of a forwarding (S,G) entry points to where the sender really is."""
from __future__ import annotations

from pmipmc.engine.api import quiescent, reachable
from pmipmc.engine.expr import all_of, any_of, implies
from pmipmc.model.channel import forwards


@quiescent(cites="§3 'the RPF check will be successful'; §4.1")
def rpf_neighbour_serves_the_sender_at_quiescence(ctx, s):
    """A MAG whose (S,G) iif is a tunnel has, as RPF neighbour, the MAG that S is attached to."""
    return all_of(implies(all_of(s.iif[a][x] == ctx.via(b), s.att[x] != ctx.DETACHED), s.att[x] == ctx.at(b))
                  for a in ctx.mags for b in ctx.mags for x in ctx.senders)


@quiescent(cites="§6.1; §4.2 step 8")
def local_iif_only_where_the_sender_is_at_quiescence(ctx, s):
    """A forwarding (S,G) entry with a local iif sits on the MAG S is attached to."""
    return all_of(implies(all_of(s.iif[a][x] == ctx.IIF_LOCAL, forwards(ctx, s, a, x), s.att[x] != ctx.DETACHED),
                          s.att[x] == ctx.at(a))
                  for a in ctx.mags for x in ctx.senders)


@reachable(cites="§4.1")
def rpf_neighbour_is_the_senders_mag(ctx, s):
    """Witness: a MAG's iif is the tunnel to the MAG where S is attached and registered."""
    return any_of(all_of(s.iif[a][x] == ctx.via(b), s.att[x] == ctx.at(b), s.bce[x] == ctx.at(b))
                  for a in ctx.mags for b in ctx.mags if a != b for x in ctx.senders)


PROPERTIES = [rpf_neighbour_serves_the_sender_at_quiescence, local_iif_only_where_the_sender_is_at_quiescence,
              rpf_neighbour_is_the_senders_mag]
