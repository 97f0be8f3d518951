"""Both tunnel ends agree: iif at the listener's MAG, oiflist at the sender's, MRIB in between."""
from __future__ import annotations

from pmipmc.engine.api import quiescent, reachable
from pmipmc.engine.expr import all_of, implies

PAIRS = ("MAG", "MAG", "SENDER")


@quiescent(cites="§4.2 steps 6 and 8", each=PAIRS,
           says="{a} expects ({x},G) from {b}, but {b}'s oiflist lacks the tunnel to {a}")
def iif_tunnel_has_upstream_oif_at_quiescence(ctx, s, a, b, x):
    """If MAG1's iif for (S,G) is the tunnel to MAG2, MAG2's oiflist holds the tunnel to MAG1."""
    return implies(s.iif[a][x] == ctx.via(b), s.oif_tunnel[b][x][a] == 1) if a != b else None


@quiescent(cites="§4.3 step 5; §6.2 MAG2 op 2", each=PAIRS,
           says="{b} forwards ({x},G) to {a}, whose iif is not that tunnel")
def oif_tunnel_has_downstream_iif_at_quiescence(ctx, s, a, b, x):
    """If MAG2's oiflist holds the tunnel to MAG1, MAG1's iif for (S,G) is that tunnel."""
    return implies(s.oif_tunnel[b][x][a] == 1, s.iif[a][x] == ctx.via(b)) if a != b else None


@quiescent(cites="§4.1; §4.2 steps 5-6", each=PAIRS,
           says="{a}'s MRIB route towards {x} and its ({x},G) iif disagree about {b}")
def mrib_route_matches_iif_at_quiescence(ctx, s, a, b, x):
    """MAG1's MRIB tunnel route towards S names the same MAG as its (S,G) iif."""
    return (s.mrib[a][x] == ctx.at(b)) == (s.iif[a][x] == ctx.via(b))


@reachable(cites="§4.2 step 8", each=PAIRS, says="{a}'s ({x},G) iif is the tunnel to {b}, which forwards to {a}")
def channel_joined_at_both_tunnel_ends(ctx, s, a, b, x):
    """Witness: MAG1's iif is the tunnel to MAG2 and MAG2's oiflist holds the tunnel to MAG1."""
    return all_of(s.iif[a][x] == ctx.via(b), s.oif_tunnel[b][x][a] == 1) if a != b else None


PROPERTIES = [iif_tunnel_has_upstream_oif_at_quiescence, oif_tunnel_has_downstream_iif_at_quiescence,
              mrib_route_matches_iif_at_quiescence, channel_joined_at_both_tunnel_ends]
