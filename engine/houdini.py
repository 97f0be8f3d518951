"""Houdini: the largest inductive subset of a set of candidate invariants, and what a proof needs.

One solver holds one transition pre -> post (built once) and, per candidate c, an activation
literal `a_c -> c(pre)` and a violation literal `v_c -> not c(post)`.  A fixpoint round asks
for a transition from a state satisfying every live candidate to one violating some live
candidate; the model's post-state is replayed through the explicit rules and every candidate
false on it is dropped.  When the answer is UNSAT the live set H is inductive: H(pre) and a
transition imply H(post).  Every candidate is checked on every initial state before it enters,
so H holds initially and hence in every reachable state — the fixpoint *is* the proof, whatever
produced the candidates.

The clauses a proof needs are found by unsat cores over the activation literals: starting from
the goal's clauses, each clause in the support asks which live clauses keep it true after one
step, until the support is closed.  The support is itself inductive (each of its clauses is
preserved by the support alone) and initially true, so it is the invariant printed next to the
verdict.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import z3

from . import stop
from .symbolic import Encoder, EncoderError, Unrolling, check, new_solver, why_unknown

StatePred = Callable[[Sequence[z3.ArithRef]], z3.BoolRef]


@dataclass
class Candidate:
    text: str                             # readable, in the model's own names
    holds: Callable[[bytes], bool]        # the same claim on a concrete state (filters, CTIs)
    formula: StatePred                    # the claim as z3 over one state vector
    prop: str | None = None               # the property this candidate states (part of)


class Houdini:
    WALK = 200    # states per round that `_walk` visits explicitly
    def __init__(self, enc: Encoder, candidates: Sequence[Candidate], deadline: float | None = None):
        self.enc, self.deadline = enc, deadline
        self.pre, self.post = enc.state("h0:"), enc.state("h1:")
        self.solver = new_solver()
        self.solver.set("core.minimize", True)
        ind, t = enc.trans(self.pre, self.post, "h0>1")
        self.unr = Unrolling([self.pre, self.post], [ind])
        # the transition is assumed, not asserted: a bad state need not have a successor
        self.step = z3.Bool("h:step")
        self.solver.add(enc.domain(self.pre), enc.domain(self.post), z3.Implies(self.step, t))
        self.act: list[z3.BoolRef] = []
        self.viol: list[z3.BoolRef] = []
        self.cands: list[Candidate] = []
        self.alive: set[int] = set()
        self.ctis: list[tuple[bytes, set[int]]] = []   # (pre-state, candidates its step dropped)
        self.rounds = 0
        self.reason = ""
        # state permuters of the system's symmetry, set when the candidate set is closed under it:
        # what an image of a CTI's post-state refutes is then outside the fixpoint as well
        self.images: list[Callable[[bytes], bytes]] = []
        self._queries = 0
        self.add(candidates)

    def add(self, candidates: Sequence[Candidate]) -> list[int]:
        """New candidates (those true initially become live); returns their indices.  After a stop
        request the rest are left out: every later query is unknown, so nothing is concluded."""
        out = []
        for n, c in enumerate(candidates):
            if n % 256 == 0 and stop.requested():
                self.reason = stop.requested()
                break
            i = len(self.cands)
            a, v = z3.Bool(f"h:a{i}"), z3.Bool(f"h:v{i}")
            self.cands.append(c)
            self.act.append(a)
            self.viol.append(v)
            self.solver.add(z3.Implies(a, c.formula(self.pre)), z3.Implies(v, z3.Not(c.formula(self.post))))
            if all(c.holds(s0) for s0 in self.enc.system.init):
                self.alive.add(i)
            out.append(i)
        return out

    def revive(self, idx) -> None:
        """Candidates dropped earlier become live again (those true initially): sound, since only
        the fixpoint is the proof, and needed when later candidates supply their support."""
        self.alive |= {i for i in idx if all(self.cands[i].holds(s0) for s0 in self.enc.system.init)}

    def _check(self, *assumptions) -> z3.CheckSatResult:
        self._queries += 1
        return check(self.solver, *assumptions, deadline=self.deadline)

    def _assumed(self, step: bool = True) -> list[z3.BoolRef]:
        return [self.step] * step + [self.act[i] for i in sorted(self.alive)]

    def fixpoint(self) -> bool:
        """Shrink `alive` to the largest inductive subset; False when the solver gave up."""
        while self.alive:
            if stop.requested():
                self.reason = stop.requested()
                return False
            q = z3.Bool(f"h:q{self.rounds}")
            self.solver.add(z3.Implies(q, z3.Or([self.viol[i] for i in sorted(self.alive)])))
            r = self._check(q, *self._assumed())
            self.rounds += 1
            if r == z3.unsat:
                break
            if r == z3.unknown:
                self.reason = why_unknown(self.solver, self.deadline)
                return False
            tr = self.enc.replay(self.enc.decode(self.solver.model(), self.unr), initial=False)
            post = tr.final
            dropped = {i for i in self.alive if not self.cands[i].holds(post)}
            if not dropped:
                raise EncoderError("Houdini: a model violates a candidate that holds on its decoded post-state")
            for image in self.images:   # a symmetric candidate set has a symmetric fixpoint
                dropped |= {i for i in self.alive if not self.cands[i].holds(image(post))}
            self.alive -= dropped
            self.ctis.append((tr.init, dropped))
            self._walk(tr.init)
        return self._sane()

    def _walk(self, start: bytes) -> None:
        """Drop, without z3, what the explicit rules refute around a state of H.

        A successor of a state satisfying every live candidate must satisfy every candidate of
        the greatest inductive subset, so whatever it violates is dropped exactly as a solver
        round would drop it; a successor that violates nothing left satisfies H in turn and is
        walked from as well.  The search is bounded: z3 rounds decide the rest."""
        succ = self.enc.system.successors
        queue, seen = [start], {start}
        while queue and len(seen) < self.WALK:
            s = queue.pop()
            for _, t in succ(s):
                if t in seen:
                    continue
                seen.add(t)
                bad = {i for i in self.alive if not self.cands[i].holds(t)}
                if bad:
                    self.alive -= bad
                    self.ctis.append((s, bad))
                else:
                    queue.append(t)

    def _sane(self) -> bool:
        """The UNSAT of the last round means something only if a transition from H exists at all."""
        r = self._check(*self._assumed())
        if r == z3.sat:
            self.enc.replay(self.enc.decode(self.solver.model(), self.unr), initial=False)
            return True
        self.reason = (why_unknown(self.solver, self.deadline) if r == z3.unknown
                       else "no transition leaves the invariant's states (sanity query not SAT)")
        return False

    def entails(self, bad, step: bool = False) -> tuple[list[int] | None, bytes | None]:
        """(core, None): the live candidates whose conjunction excludes `bad(pre, post)`; or
        (None, a pre-state satisfying them where `bad` happens) or (None, None) on unknown.
        Without `step`, `bad` is a state predicate and post is unconstrained."""
        lit = z3.Bool(f"h:bad{self._queries}")
        self.solver.add(z3.Implies(lit, bad(self.pre, self.post)))
        r = self._check(lit, *self._assumed(step))
        if r == z3.unsat:
            return self._core(), None
        if r == z3.unknown:
            self.reason = why_unknown(self.solver, self.deadline)
            return None, None
        model = self.solver.model()
        if step:
            return None, self.enc.replay(self.enc.decode(model, self.unr), initial=False).init
        return None, self.enc.values(model, self.pre)

    def _core(self) -> list[int]:
        index = {a.get_id(): i for i, a in enumerate(self.act)}
        return sorted(index[c.get_id()] for c in self.solver.unsat_core() if c.get_id() in index)

    def support(self, start: Sequence[int]) -> list[int] | None:
        """A closed (inductive) subset of the live candidates that contains `start`; None when the
        solver gave up (a stop request, the deadline).

        One query per layer: the core of "some clause of the frontier is false after a step"
        keeps the whole frontier true, so the layer's new clauses form the next frontier."""
        need, frontier = set(start), sorted(set(start))
        while frontier:
            q = z3.Bool(f"h:s{self._queries}")
            self.solver.add(z3.Implies(q, z3.Or([self.viol[i] for i in frontier])))
            r = self._check(q, *self._assumed())
            if r == z3.unknown:
                self.reason = why_unknown(self.solver, self.deadline)
                return None
            if r != z3.unsat:   # cannot happen for live candidates
                raise EncoderError("Houdini: a live candidate is not preserved after the fixpoint")
            frontier = [j for j in self._core() if j not in need]
            need.update(frontier)
        return sorted(need)

    def texts(self, idx: Sequence[int]) -> list[str]:
        """Readable clauses; a property's own parts collapse into one line naming it."""
        out, props = [], []
        for i in idx:
            c = self.cands[i]
            if c.prop is None:
                out.append(c.text)
            elif c.prop not in props:
                props.append(c.prop)
        return [f"{p} (the property itself)" for p in props] + sorted(out)

