"""RPF consistency: the iif of a forwarding (S,G) entry points to where the sender really is."""
from __future__ import annotations

from pmipmc.engine.api import quiescent, reachable
from pmipmc.engine.expr import all_of, implies
from pmipmc.model.channel import forwards


@quiescent(cites="§3 'the RPF check will be successful'; §4.1", each=("MAG", "MAG", "SENDER"),
           says="{a}'s RPF neighbour for ({x},G) is {b}, but {x} is not attached there")
def rpf_neighbour_serves_the_sender_at_quiescence(ctx, s, a, b, x):
    """A MAG whose (S,G) iif is a tunnel has, as RPF neighbour, the MAG that S is attached to."""
    return implies(all_of(s.iif[a][x] == ctx.via(b), s.att[x] != ctx.DETACHED), s.att[x] == ctx.at(b))


@quiescent(cites="§6.1; §4.2 step 8", each=("MAG", "SENDER"),
           says="{a} forwards ({x},G) with a local iif, but {x} is not attached to {a}")
def local_iif_only_where_the_sender_is_at_quiescence(ctx, s, a, x):
    """A forwarding (S,G) entry with a local iif sits on the MAG S is attached to."""
    return implies(all_of(s.iif[a][x] == ctx.IIF_LOCAL, forwards(ctx, s, a, x), s.att[x] != ctx.DETACHED),
                   s.att[x] == ctx.at(a))


@reachable(cites="§4.1", each=("MAG", "MAG", "SENDER"),
           says="{a}'s ({x},G) iif is the tunnel to {b}, where {x} is attached and registered")
def rpf_neighbour_is_the_senders_mag(ctx, s, a, b, x):
    """Witness: a MAG's iif is the tunnel to the MAG where S is attached and registered."""
    return all_of(s.iif[a][x] == ctx.via(b), s.att[x] == ctx.at(b), s.bce[x] == ctx.at(b)) if a != b else None


PROPERTIES = [rpf_neighbour_serves_the_sender_at_quiescence, local_iif_only_where_the_sender_is_at_quiescence,
              rpf_neighbour_is_the_senders_mag]
