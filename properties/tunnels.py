"""Tunnel lifecycle: no MAG-MAG tunnel is missing while needed, none is left behind."""
from __future__ import annotations

from pmipmc.engine.api import invariant, quiescent, reachable
from pmipmc.engine.expr import all_of, any_of, implies, some


def _uses(ctx, s, a, b):
    return some(ctx.senders, lambda x: any_of(s.iif[a][x] == ctx.via(b), s.oif_tunnel[a][x][b] == 1))


@invariant(cites="§4.3 steps 2 and 6", each=("MAG", "MAG", "SENDER"),
           says="{a}'s ({x},G) iif is the tunnel to {b}, which is gone")
def no_tunnel_removed_under_an_iif(ctx, s, a, b, x):
    """A MAG whose (S,G) iif is the tunnel to a peer still has its end of that tunnel."""
    return implies(s.iif[a][x] == ctx.via(b), s.tunnel[a][b] == 1)


@invariant(cites="§4.2 step 4; §6.2 MAG op 2", each=("MAG",), says="{a} has a multicast tunnel to itself")
def no_tunnel_to_itself(ctx, s, a):
    """No MAG builds a multicast tunnel to its own address."""
    return s.tunnel[a][a] == 0


@quiescent(cites="§4.3 step 6", each=("MAG", "MAG"), says="{a}'s tunnel end to {b} is used by no (S,G) entry")
def no_orphaned_tunnel_at_quiescence(ctx, s, a, b):
    """When nothing is left to do, every tunnel end is used by some (S,G) entry at its MAG."""
    return implies(s.tunnel[a][b] == 1, _uses(ctx, s, a, b)) if a != b else None


@quiescent(cites="§4.2 step 4 'bi-directional tunnel'", each=("MAG", "MAG"),
           says="only one of {a} and {b} has its end of their tunnel")
def tunnel_ends_agree_at_quiescence(ctx, s, a, b):
    """When nothing is left to do, a tunnel end at one MAG has its peer end at the other."""
    return s.tunnel[a][b] == s.tunnel[b][a] if a < b else None


@reachable(cites="§4.2 step 4", each=("MAG", "MAG"), says="{a} and {b} both have their end of the tunnel")
def tunnel_established_between_two_mags(ctx, s, a, b):
    """Witness: some pair of MAGs has both ends of a multicast tunnel."""
    return all_of(s.tunnel[a][b] == 1, s.tunnel[b][a] == 1) if a < b else None   # one clause per pair


@reachable(cites="§4.3 step 4", each=("MAG", "MAG", "SENDER"),
           says="a PIM ({x},G) Prune travels from {a} to {b} through the tunnel")
def prune_travels_through_the_tunnel(ctx, s, a, b, x):
    """Witness: a PIM (S,G) Prune is on its way through a MAG-MAG tunnel."""
    return s.pim[a][b][x] == ctx.PIM_PRUNE


PROPERTIES = [no_tunnel_removed_under_an_iif, no_tunnel_to_itself, no_orphaned_tunnel_at_quiescence,
              tunnel_ends_agree_at_quiescence, tunnel_established_between_two_mags,
              prune_travels_through_the_tunnel]
