"""Quiescence instantiated at a fixed set of terms, in one query, before any model-led growth.

Model-led instantiation (engine/param_ground.py) chases whatever elements z3's latest model
invents and may never converge.  A hand proof of a quiescent claim needs few terms: the claim's
own constants, the witnesses a disabled guard's ∃ names (e.g. the sender that keeps a tunnel
busy), and a MAG read off them one step (`q@(a, x)`, `pba_q@(b, s1)`).  So every hypothesis is
instantiated at the claim's constants and at most one other term, in levels, one check after each:
  level 0: the other term is a Skolem witness of an instance over the claim's constants;
  level 1: or a MAG-valued read of the claim's constants (`q@(a, x)`).
Every instance follows from the ∀ it instantiates, so UNSAT at any level proves the claim; SAT
says only that these terms are not enough (the model-led loop then carries on from there).
"""
from __future__ import annotations

import itertools
import time

import z3

from .param_prove import Inconclusive


def _is_skolem(t) -> bool:
    return str(t).startswith("sk")


def _is_read(t) -> bool:
    """An element-valued array read such as `q@(a, x)` (the encoder's `name@` functions)."""
    return z3.is_app(t) and t.num_args() > 0 and t.decl().name().endswith("@")


def pools(g, reads: bool) -> tuple[dict, set]:
    """The terms instances range over, by sort, and the ids of those that are not the claim's own."""
    base = {t.get_id(): (t, s) for t, s in g.terms if g._depth(t) == 0 or (_is_skolem(t) and g._depth(t) <= 1)}
    more = {}
    if reads:
        more = {t.get_id(): (t, s) for t, s in g.terms
                if _is_read(t) and g._depth(t) == 1}   # of the claim's constants only: reads of witnesses multiply
    out: dict = {}
    for tid, (t, s) in list(base.items()) + list(more.items()):
        out.setdefault(s, {})[tid] = t
    own = {tid for tid, (t, _) in base.items() if g._depth(t) == 0}
    return {s: list(d.values()) for s, d in out.items()}, (set(base) | set(more)) - own


def instantiate_level(g, reads: bool) -> int:
    """Every distinct-pattern hypothesis at every combination of the level's terms (at most one
    not the claim's own), repeated while instances add terms of the level (Skolem witnesses, reads)."""
    n0 = len(g.done)
    while True:
        before = len(g.done)
        pool, other = pools(g, reads)
        for h in g.lazy:
            if not h.distinct:
                continue
            for combo in itertools.product(*(pool.get(e.sort, []) for e in h.inst.env)):
                if len({t.get_id() for t in combo}) < len(combo):
                    continue   # two classes at one term: the pattern's distinctness makes it vacuous
                if sum(t.get_id() in other for t in combo) > 1:
                    continue   # all combinations of witnesses and reads grow as a power of their number
                if time.monotonic() > g.deadline:
                    raise Inconclusive(f"fixed-term instantiation: time budget reached, {len(g.done)} instances")
                g._instantiate(h, combo)
        if len(g.done) == before:
            return len(g.done) - n0


def run_fixed(g):
    """UNSAT at a fixed level: the Grounded answer; None when these terms do not suffice."""
    for level, reads in enumerate((False, True)):
        instantiate_level(g, reads)
        g.s.set("timeout", max(1, min(g.p.timeout_ms, int((g.deadline - time.monotonic()) * 1000))))
        if g.p._check(g.s, *g.lits) == z3.unsat:
            got = g._proved(level + 1)
            got.fixed_level = level
            return got
    return None
