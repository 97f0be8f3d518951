"""Where (S,G) data goes (§4.2 step 9), computed from the forwarding state rather than simulated.

A packet from S enters the domain at the MAG S is attached to.  A MAG accepts it if the RPF
check passes (RFC 4601 §4.2: iif is the interface towards S: `local` at S's own MAG, the tunnel
it came through elsewhere) and forwards it on its oiflist: to attached listeners on its
MAG-MN interfaces, and into MAG-MAG tunnels whose both ends exist.  `reach[h][a]` says that a
packet reaches and is accepted by MAG a after exactly h tunnel hops; hops up to the number of
MAGs are computed, so a cycle shows up as a MAG reached at two hop counts.  Under the
`local_sources_only` repair only the sender's own MAG feeds tunnels, so paths have one hop.
Under RFC 6224's base path (axis `route`) the data goes via the LMA: two tunnel hops.
"""
from __future__ import annotations

from dataclasses import dataclass

from pmipmc.engine.compile import evaluate
from pmipmc.engine.expr import FALSE, all_of, any_of

from .state import Ctx


def enters(ctx: Ctx, s, src: int, a: int):
    """A packet from S enters the domain at MAG a and passes its RPF check there."""
    return all_of(s.att[src] == ctx.at(a), s.iif[a][src] == ctx.IIF_LOCAL)


def tunnel_hop(ctx: Ctx, s, src: int, a: int, b: int):
    """MAG a forwards S's packet into the a-b tunnel and b accepts it (its iif is that tunnel)."""
    return all_of(s.oif_tunnel[a][src][b] == 1, s.tunnel[a][b] == 1, s.tunnel[b][a] == 1,
                  s.iif[b][src] == ctx.via(a))


def handed_to(ctx: Ctx, s, src: int, l: int, a: int):
    """MAG a forwards S's packet to listener l on its MAG-MN interface."""
    return all_of(s.oif_local[a][src][l] == 1, s.att[l] == ctx.at(a))


def base_path(ctx: Ctx) -> bool:
    """RFC 6224's base path: data via the LMA (variant axis `route`)."""
    return ctx.reads("route", "base_rfc6224")


def up_to_lma(ctx: Ctx, s, src: int, a: int):
    """The LMA accepts S's packet from MAG a's tunnel only while S's binding names a (RFC 5213 §5.6.2)."""
    return s.bce[src] == ctx.at(a)


def down_from_lma(ctx: Ctx, s, src: int, b: int):
    """The LMA forwards (S,G) down the LMA-MAG tunnel to b: b's proxy reported members upstream."""
    return s.lma_sub[src][b] == 1


def _reach_via_lma(ctx: Ctx, s, src: int) -> list[list]:
    """RFC 6224 §3 with RFC 4605 §4.2: the sender's MAG (a proxy that has S in its Binding Update List)
    forwards S's data to its own subscribed links and upstream; the LMA sends it down to every other
    MAG with members.  Hop 1 is the MAG-LMA tunnel (no MAG is reached), hop 2 the LMA-MAG tunnel."""
    entry = [all_of(s.att[src] == ctx.at(a), s.bul[a][src] == 1) for a in ctx.mags]
    down = [any_of(all_of(entry[a], up_to_lma(ctx, s, src, a), down_from_lma(ctx, s, src, b))
                   for a in ctx.mags if a != b) for b in ctx.mags]
    levels = [entry, [FALSE for _ in ctx.mags], down]
    return levels + [[FALSE for _ in ctx.mags] for _ in range(len(ctx.mags) + 1 - len(levels))]


def reach(ctx: Ctx, s, src: int) -> list[list]:
    if base_path(ctx):
        return _reach_via_lma(ctx, s, src)
    levels = [[enters(ctx, s, src, a) for a in ctx.mags]]
    local_only = ctx.reads("tunnel_forwarding", "local_sources_only")
    for h in range(len(ctx.mags)):
        if local_only and h > 0:   # tunnel-received data goes to local listeners only
            levels.append([FALSE for _ in ctx.mags])
            continue
        prev = levels[-1]
        levels.append([any_of(all_of(prev[a], tunnel_hop(ctx, s, src, a, b)) for a in ctx.mags if a != b)
                       for b in ctx.mags])
    return levels


@dataclass(frozen=True)
class Flow:
    """Where S's data goes in one concrete state, read off the same expressions the properties use."""
    entry: int | None                       # the MAG where it enters, if it passes the RPF check
    hops: tuple[tuple[int, int], ...]       # tunnel hops (from MAG, to MAG) in hop order
    deliveries: tuple[tuple[int, int], ...]  # (MAG, listener) handovers to listeners
    via_lma: tuple[tuple[int, int], ...] = ()  # base path: (MAG up to the LMA, MAG the LMA sends down to)


def flow(ctx: Ctx, state: bytes, src: int) -> Flow:
    s = ctx.schema.view(0)
    levels = reach(ctx, s, src)

    def holds(*parts) -> bool:
        return bool(evaluate(all_of(*parts), state))
    entry = next((a for a in ctx.mags if holds(levels[0][a])), None)
    hops = tuple(dict.fromkeys((a, b) for h in range(len(levels) - 1) for a in ctx.mags for b in ctx.mags
                               if a != b and holds(levels[h][a], levels[h + 1][b], tunnel_hop(ctx, s, src, a, b))))
    deliveries = tuple(dict.fromkeys((a, l) for h in range(len(levels)) for a in ctx.mags for l in ctx.listeners
                                     if holds(levels[h][a], handed_to(ctx, s, src, l, a))))
    via_lma = ()
    if base_path(ctx):
        via_lma = tuple((a, b) for a in ctx.mags for b in ctx.mags if a != b and holds(
            levels[0][a], up_to_lma(ctx, s, src, a), down_from_lma(ctx, s, src, b)))
    return Flow(entry, hops, deliveries, via_lma)


def delivered_at_hop(ctx: Ctx, s, src: int, l: int, h: int, levels=None):
    levels = levels or reach(ctx, s, src)
    return any_of(all_of(levels[h][a], handed_to(ctx, s, src, l, a)) for a in ctx.mags)


def delivered(ctx: Ctx, s, src: int, l: int, levels=None):
    levels = levels or reach(ctx, s, src)
    return any_of(delivered_at_hop(ctx, s, src, l, h, levels) for h in range(len(levels)))


def revisits(ctx: Ctx, s, src: int, levels=None):
    """Some MAG accepts the same packet at two different hop counts: a forwarding loop."""
    levels = levels or reach(ctx, s, src)
    return any_of(all_of(levels[h][a], levels[k][a])
                  for a in ctx.mags for h in range(len(levels)) for k in range(h + 1, len(levels)))


def duplicate_delivery(ctx: Ctx, s, src: int, l: int, levels=None):
    """The listener would receive the packet along two distinct (MAG, hop) arrivals."""
    levels = levels or reach(ctx, s, src)
    arrivals = [all_of(levels[h][a], handed_to(ctx, s, src, l, a))
                for a in ctx.mags for h in range(len(levels))]
    return any_of(all_of(x, y) for i, x in enumerate(arrivals) for y in arrivals[i + 1:]) if arrivals else FALSE
