"""k-induction for many properties over one set of unrollings: one solver per k, built once.

The unrolling of k steps from a free state, its domain and simple-path constraints do not
depend on the property, so each k has one solver for the whole (preset, variant).  Proved
lemmas are asserted under one literal (`lemmas`), so lemmas themselves are proved in the same
solvers without it.  Each question "does a k-step path with the property true in its first k
states end in a bad state?" is added under a fresh assumption literal and asked once.
"""
from __future__ import annotations

from typing import Callable, Sequence

import z3

from . import stop
from .symbolic import Encoder, Unrolling, check, new_solver, why_unknown
from .trace import Trace

StatePred = Callable[[Sequence[z3.ArithRef]], z3.BoolRef]


def describe_cti(enc: Encoder, tr: Trace, k: int) -> str:
    """The last step of a counterexample to induction: a good state, a rule, a bad state."""
    sts = tr.states()
    pre, step = sts[-2], tr.steps[-1]
    label = enc.system.instance_label(enc.system.rules[step.inst])
    delta = ", ".join(f"{n}: {a} -> {b}" for n, a, b in enc.schema.delta(pre, step.state))
    return f"CTI at k={k}: from {{{enc.readable(pre)}}} {label} changes {{{delta}}} into a bad state"


class Inductor:
    def __init__(self, enc: Encoder, kmax: int):
        self.enc, self.kmax = enc, kmax
        self.lemmas = z3.Bool("ind:lemmas")
        self._solvers: dict[int, tuple[z3.Solver, Unrolling]] = {}
        self._assumed: list[StatePred] = []
        self.names: list[str] = []     # the proved lemmas assumed, for the printed invariant
        self._n = 0

    def _solver(self, k: int) -> tuple[z3.Solver, Unrolling]:
        if k not in self._solvers:
            unr = self.enc.unroll(k, tag=f"t{k}_", initial=False)
            solver = new_solver()
            solver.add(unr.constraints)
            sts = unr.states
            solver.add([z3.Or([x != y for x, y in zip(sts[i], sts[j])])       # simple path
                        for i in range(len(sts)) for j in range(i + 1, len(sts))])
            solver.add([z3.Implies(self.lemmas, a(st)) for a in self._assumed for st in sts])
            self._solvers[k] = (solver, unr)
        return self._solvers[k]

    def assume(self, preds: Sequence[StatePred], names: Sequence[str] = ()) -> None:
        """Proved lemmas: from now on they hold in every state of every unrolling (under `lemmas`)."""
        self._assumed += list(preds)
        self.names += list(names)
        for solver, unr in self._solvers.values():
            solver.add([z3.Implies(self.lemmas, a(st)) for a in preds for st in unr.states])

    def prove(self, bad: StatePred, deadline: float | None, with_lemmas: bool = True) -> tuple[str, int, str]:
        """('proved' | 'cti' | 'unknown', k, text).  The base case is the caller's BMC to kmax."""
        text = ""
        for k in range(1, self.kmax + 1):
            if stop.requested():   # building an unrolling alone can take seconds
                return "unknown", k, stop.requested()
            solver, unr = self._solver(k)
            sts = unr.states
            self._n += 1
            lit = z3.Bool(f"ind:q{self._n}")
            solver.add(z3.Implies(lit, z3.And([z3.Not(bad(st)) for st in sts[:-1]] + [bad(sts[-1])])))
            r = check(solver, lit, *([self.lemmas] if with_lemmas else []), deadline=deadline)
            if r == z3.unsat:
                return "proved", k, ""
            if r == z3.unknown:
                return "unknown", k, why_unknown(solver, deadline)
            text = describe_cti(self.enc, self.enc.replay(self.enc.decode(solver.model(), unr), initial=False), k)
        return "cti", self.kmax, text
