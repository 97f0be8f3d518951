"""Tunnel lifecycle: no MAG-MAG tunnel is missing while needed, none is left behind."""
from __future__ import annotations

from pmipmc.engine.api import invariant, quiescent, reachable
from pmipmc.engine.expr import all_of, any_of, implies


def _uses(ctx, s, a, b):
    return any_of(any_of(s.iif[a][x] == ctx.via(b), s.oif_tunnel[a][x][b] == 1) for x in ctx.senders)


@invariant(cites="§4.3 steps 2 and 6")
def no_tunnel_removed_under_an_iif(ctx, s):
    """A MAG whose (S,G) iif is the tunnel to a peer still has its end of that tunnel."""
    return all_of(implies(s.iif[a][x] == ctx.via(b), s.tunnel[a][b] == 1)
                  for a in ctx.mags for b in ctx.mags for x in ctx.senders)


@invariant(cites="§4.2 step 4; §6.2 MAG op 2")
def no_tunnel_to_itself(ctx, s):
    """No MAG builds a multicast tunnel to its own address."""
    return all_of(s.tunnel[a][a] == 0 for a in ctx.mags)


@quiescent(cites="§4.3 step 6")
def no_orphaned_tunnel_at_quiescence(ctx, s):
    """When nothing is left to do, every tunnel end is used by some (S,G) entry at its MAG."""
    return all_of(implies(s.tunnel[a][b] == 1, _uses(ctx, s, a, b))
                  for a in ctx.mags for b in ctx.mags if a != b)


@quiescent(cites="§4.2 step 4 'bi-directional tunnel'")
def tunnel_ends_agree_at_quiescence(ctx, s):
    """When nothing is left to do, a tunnel end at one MAG has its peer end at the other."""
    return all_of(s.tunnel[a][b] == s.tunnel[b][a] for a in ctx.mags for b in ctx.mags if a < b)


@reachable(cites="§4.2 step 4")
def tunnel_established_between_two_mags(ctx, s):
    """Witness: some pair of MAGs has both ends of a multicast tunnel."""
    return any_of(all_of(s.tunnel[a][b] == 1, s.tunnel[b][a] == 1) for a in ctx.mags for b in ctx.mags if a != b)


@reachable(cites="§4.3 step 4")
def prune_travels_through_the_tunnel(ctx, s):
    """Witness: a PIM (S,G) Prune is on its way through a MAG-MAG tunnel."""
    return any_of(s.pim[a][b][x] == ctx.PIM_PRUNE for a in ctx.mags for b in ctx.mags for x in ctx.senders)


PROPERTIES = [no_tunnel_removed_under_an_iif, no_tunnel_to_itself, no_orphaned_tunnel_at_quiescence,
              tunnel_ends_agree_at_quiescence, tunnel_established_between_two_mags,
              prune_travels_through_the_tunnel]
