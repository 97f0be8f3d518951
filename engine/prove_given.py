"""k-induction strengthened by Houdini's fixpoint: what discovery alone leaves open.

Houdini's fixpoint H is inductive and holds initially, so it holds in every reachable state and
may be assumed in every state of a k-induction query.  H alone may not entail a claim P, and P's
own clauses may have been dropped because they are not preserved one step at a time given H; yet
"k steps inside H where P holds are followed by P" can still be valid for a small k.  Each
clause of H is asserted under its own literal, so the unsat core names the clauses the proof
used; `Houdini.support` closes them under one step, and that closed set, with P, is printed as
the proof's invariant.  The base case (no bad state within k - 1 steps of an initial state) is
checked here too, so a proof never rests on the caller having run BMC first.
"""
from __future__ import annotations

from typing import Callable, Sequence

import z3

from . import stop
from .houdini import Houdini
from .symbolic import Encoder, check, new_solver

StatePred = Callable[[Sequence[z3.ArithRef]], z3.BoolRef]


def prove_given_fixpoint(enc: Encoder, h: Houdini, bads: dict[str, StatePred], kmax: int,
                         deadline: float | None) -> dict[str, tuple[int, list[int]]]:
    """name -> (k, the live candidates the proof needs, closed under one step) for each claim
    proved; the others are left out."""
    alive = sorted(h.alive)
    out: dict[str, tuple[int, list[int]]] = {}
    base = _base_depths(enc, bads, kmax, deadline)
    todo = {n: b for n, b in bads.items() if base[n] > 0}
    for k in range(1, kmax + 1):
        if not todo or stop.requested():
            break
        unr = enc.unroll(k, tag=f"g{k}_", initial=False)
        solver = new_solver()
        solver.set("core.minimize", True)
        solver.add(unr.constraints)
        sts = unr.states
        solver.add([z3.Or([x != y for x, y in zip(sts[i], sts[j])])
                    for i in range(len(sts)) for j in range(i + 1, len(sts))])
        acts = [z3.Bool(f"g{k}:a{i}") for i in alive]
        for a, i in zip(acts, alive):
            c = h.cands[i]
            solver.add([z3.Implies(a, c.formula(st)) for st in sts])
        index = {a.get_id(): i for a, i in zip(acts, alive)}
        for name, bad in list(todo.items()):
            if base[name] < k:   # the base case for this k is not established
                continue
            lit = z3.Bool(f"g{k}:q:{name}")
            solver.add(z3.Implies(lit, z3.And([z3.Not(bad(st)) for st in sts[:-1]] + [bad(sts[-1])])))
            if check(solver, lit, *acts, deadline=deadline) != z3.unsat:
                continue
            core = sorted(index[c.get_id()] for c in solver.unsat_core() if c.get_id() in index)
            need = h.support(core)
            if need is not None:
                out[name] = (k, need)
                del todo[name]
    return out


def _base_depths(enc: Encoder, bads: dict[str, StatePred], kmax: int, deadline: float | None) -> dict[str, int]:
    """name -> n: no path of fewer than n steps from an initial state ends in a bad state (n <= kmax)."""
    out = {name: 0 for name in bads}
    unr = enc.start("gb")
    solver = new_solver()
    solver.add(unr.constraints)
    open_ = set(bads)
    for j in range(kmax):
        if j:
            solver.add(enc.extend(unr, "gb"))
        for name in sorted(open_):
            if check(solver, bads[name](unr.states[j]), deadline=deadline) == z3.unsat:
                out[name] = j + 1
            else:
                open_.discard(name)
    return out
