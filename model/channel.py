"""Derived facts about one MAG's (S,G) entry, shared by rules and properties."""
from __future__ import annotations

from pmipmc.engine.expr import any_of, ite

from .state import QUERY_PHASES, Ctx


def members(ctx: Ctx, s, m: int, src: int, but: int | None = None):
    """Some listener other than `but` is on the (S,G) oiflist's MAG-MN interfaces."""
    return any_of(s.oif_local[m][src][x] for x in ctx.listeners if x != but)


def forwards(ctx: Ctx, s, m: int, src: int):
    """The (S,G) oiflist is not empty: local listeners or MAG-MAG tunnels."""
    return any_of([s.oif_local[m][src][x] == 1 for x in ctx.listeners] +
                  [s.oif_tunnel[m][src][b] == 1 for b in ctx.mags])


def building_towards(ctx: Ctx, s, m: int, src: int, b: int):
    """MAG m is between §4.2 step 3 and step 7 of a query whose answer named b."""
    return any_of(s.q[m][src] == ctx.q(p, b) for p in QUERY_PHASES)


def lma_answer(ctx: Ctx, s, src: int):
    """The PBA-Q value the LMA's binding cache gives for S: failure, or the CoA it names."""
    return ite(s.bce[src] == ctx.NONE, ctx.PBAQ_FAILURE, s.bce[src] + ctx.COA_SHIFT)
