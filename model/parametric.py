"""The model at every size: the same rules and claims read over symbolic sorts (`prove --all-sizes`).

Only the value constructors differ from `Ctx`: a value naming a MAG is a symbolic `val` node
rather than a code, and membership of an MN in the listeners or senders is its pattern role.
"""
from __future__ import annotations

from pmipmc.engine.expr import Expr, all_of, every, some
from pmipmc.engine.param_model import SymSort, val

from .bounds import Bounds
from .state import QUERY_PHASES, Ctx, build_schema
from .variants import Variant


class ParamCtx(Ctx):
    def at(self, m):
        return val("bce", 0, m)

    def via(self, m):
        return val("iif", 0, m)

    def coa(self, m):
        return val("pba_q", 0, m)

    def coa_of(self, at):   # meaningful where `at` names a MAG, as Ctx.coa_of
        return Expr("recode", (at, "pba_q", 0))

    def q(self, phase: str, m):
        return val("q", QUERY_PHASES.index(phase), m)

    def is_sender(self, n) -> bool:
        return n.role == "S"

    def is_listener(self, n) -> bool:
        return n.role == "L"


def make_param_ctx(b: Bounds, v: Variant) -> ParamCtx:
    sc, _, _ = build_schema(b)   # the value codes of named values; its sizes are not used
    return ParamCtx(b, v, sc, SymSort("MAG", "MAG"), SymSort("MN", "MN"),   # type: ignore[arg-type]
                    SymSort("LISTENER", "MN", "L"), SymSort("SENDER", "MN", "S"))


INITIAL_ARRAYS = ("att", "bce", "bul", "moves_left")   # every other array starts at its first value


def initially(ctx: Ctx, s):
    """§3 as a predicate (`initial_states` lists its states for a preset): every MN attached to some
    MAG, every sender registered there; tests/test_param.py checks the two agree."""
    return all_of(
        every(ctx.mns, lambda n: some(ctx.mags, lambda m: s.att[n] == ctx.at(m))),
        every(ctx.listeners, lambda n: s.bce[n] == ctx.NONE),
        every(ctx.senders, lambda n: s.bce[n] == s.att[n]),
        every(ctx.mags, lambda m: every(ctx.listeners, lambda n: s.bul[m][n] == 0)),
        every(ctx.mags, lambda m: every(ctx.senders, lambda n: (s.bul[m][n] == 1) == (s.att[n] == ctx.at(m)))),
        s.moves_left == ctx.bounds.sender_moves)
