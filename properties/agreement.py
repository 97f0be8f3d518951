"""Both tunnel ends agree: iif at the listener's MAG, oiflist at the sender's, MRIB in between."""
from __future__ import annotations

from pmipmc.engine.api import quiescent, reachable
from pmipmc.engine.expr import all_of, any_of, implies


def _pairs(ctx):
    return [(a, b, x) for a in ctx.mags for b in ctx.mags if a != b for x in ctx.senders]


@quiescent(cites="§4.2 steps 6 and 8")
def iif_tunnel_has_upstream_oif_at_quiescence(ctx, s):
    """If MAG1's iif for (S,G) is the tunnel to MAG2, MAG2's oiflist holds the tunnel to MAG1."""
    return all_of(implies(s.iif[a][x] == ctx.via(b), s.oif_tunnel[b][x][a] == 1) for a, b, x in _pairs(ctx))


@quiescent(cites="§4.3 step 5; §6.2 MAG2 op 2")
def oif_tunnel_has_downstream_iif_at_quiescence(ctx, s):
    """If MAG2's oiflist holds the tunnel to MAG1, MAG1's iif for (S,G) is that tunnel."""
    return all_of(implies(s.oif_tunnel[b][x][a] == 1, s.iif[a][x] == ctx.via(b)) for a, b, x in _pairs(ctx))


@quiescent(cites="§4.1; §4.2 steps 5-6")
def mrib_route_matches_iif_at_quiescence(ctx, s):
    """MAG1's MRIB tunnel route towards S names the same MAG as its (S,G) iif."""
    return all_of((s.mrib[a][x] == ctx.at(b)) == (s.iif[a][x] == ctx.via(b))
                  for a in ctx.mags for b in ctx.mags for x in ctx.senders)


@reachable(cites="§4.2 step 8")
def channel_joined_at_both_tunnel_ends(ctx, s):
    """Witness: MAG1's iif is the tunnel to MAG2 and MAG2's oiflist holds the tunnel to MAG1."""
    return any_of(all_of(s.iif[a][x] == ctx.via(b), s.oif_tunnel[b][x][a] == 1) for a, b, x in _pairs(ctx))


PROPERTIES = [iif_tunnel_has_upstream_oif_at_quiescence, oif_tunnel_has_downstream_iif_at_quiescence,
              mrib_route_matches_iif_at_quiescence, channel_joined_at_both_tunnel_ends]
