"""Derived facts about one MAG's (S,G) entry, shared by rules and properties."""
from __future__ import annotations

from pmipmc.engine.expr import any_of, ite, same, some

from .state import QUERY_PHASES, Ctx


def members(ctx: Ctx, s, m: int, src: int, but: int | None = None):
    """Some listener other than `but` is on the (S,G) oiflist's MAG-MN interfaces."""
    return some(ctx.listeners, lambda x: s.oif_local[m][src][x] & ~same(x, but))


def forwards(ctx: Ctx, s, m: int, src: int):
    """The (S,G) oiflist is not empty: local listeners or MAG-MAG tunnels."""
    return any_of(some(ctx.listeners, lambda x: s.oif_local[m][src][x] == 1),
                  some(ctx.mags, lambda b: s.oif_tunnel[m][src][b] == 1))


def building_towards(ctx: Ctx, s, m: int, src: int, b: int):
    """MAG m is between §4.2 step 3 and step 7 of a query whose answer named b."""
    return any_of(s.q[m][src] == ctx.q(p, b) for p in QUERY_PHASES)


def lma_answer(ctx: Ctx, s, src: int):
    """The PBA-Q value the LMA's binding cache gives for S: failure, or the CoA it names."""
    return ite(s.bce[src] == ctx.NONE, ctx.PBAQ_FAILURE, ctx.coa_of(s.bce[src]))
