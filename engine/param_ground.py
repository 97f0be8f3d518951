"""Quiescent claims for every size: "no rule is enabled" instantiated lazily, guided by models.

Quiescence is ∀ parameters ¬guard, and a guard that says "some sender still uses the tunnel"
makes that ∀∃; asked whole, z3 gives up.  So the hypotheses (each rule's ¬guard, each live
invariant clause that nests an ∃) are asserted only at ground terms, and the set of terms grows
by counterexample: z3's model is a finite domain, where every hypothesis is evaluated at every
tuple of elements; one that fails there is instantiated at terms naming those elements (the
claim's own constants, Skolem constants, and element-valued reads such as `pba_q@(a, x)`), and
z3 is asked again.  It ends UNSAT — sound, since each instance follows from the hypothesis it
instantiates — or with a model where every hypothesis holds at every tuple: a quiescent state
satisfying the invariant and violating the claim, reported as it is.

Skolemising: an ∃ in positive position (`some`, or `every` under a negation) not nested in
another quantifier becomes a fresh constant (equisatisfiable), which later rounds can
instantiate at; a ∀ in positive position stays a z3 quantifier.
"""
from __future__ import annotations

import itertools
import sys
import time
from dataclasses import dataclass, field

import z3

from .expr import Expr, all_of, le, not_
from .param_eval import Snapshot
from .param_model import Elem
from .param_prove import Inconclusive
from .param_z3 import Inst, Tr


FACT = "fact:"   # marks a hypothesis that is a quiescent claim proved before, not an invariant clause


class Sk(Tr):
    """Tr with outermost existentials of the given polarity replaced by fresh constants."""

    def __init__(self, enc, env, frame, fresh: list, pos: bool = True):
        super().__init__(enc, env, frame)
        self.fresh, self.pos = fresh, pos

    def tr(self, e: Expr):
        op, a = e.op, e.args
        if op == "not":
            return z3.Not(Sk(self.enc, self.env, self.frame, self.fresh, not self.pos).bool(a[0]))
        if op in ("and", "or"):
            parts = [self.bool(x) for x in a]
            return z3.And(parts) if op == "and" else z3.Or(parts)
        if (op == "some" and self.pos) or (op == "every" and not self.pos):
            sort = self.enc.ctx_sorts()[a[0]]
            c = z3.Const(f"sk{len(self.fresh)}:{a[0].lower()}", self.enc.sorts[sort.base])
            self.fresh.append((c, sort.base))
            body = Sk(self.enc, {**self.env, a[1].args[0]: c}, self.frame, self.fresh, self.pos).bool(a[2])
            role = [] if sort.role is None else [self.enc.sender(c) if sort.role == "S" else z3.Not(self.enc.sender(c))]
            if op == "some":
                return z3.And(role + [body])
            return z3.Implies(z3.And(role), body) if role else body
        return Tr(self.enc, self.env, self.frame).tr(e)   # a ∀, or both polarities (eq, ite): z3 quantifiers


def nests_exists(e: Expr, pos: bool = True) -> bool:
    """Does `e` (asserted in polarity `pos`) hold an ∃ anywhere — an instance would need Skolem terms?"""
    if not isinstance(e, Expr) or e.op in ("const", "app", "val", "bvar"):
        return False
    if (e.op == "some" and pos) or (e.op == "every" and not pos):
        return True
    if e.op == "not":
        return nests_exists(e.args[0], not pos)
    if e.op in ("and", "or", "some", "every"):
        return any(nests_exists(x, pos) for x in e.args if isinstance(x, Expr))
    return any(nests_exists(x, p) for x in e.args if isinstance(x, Expr) for p in (True, False))


def has_quantifier(e) -> bool:
    if not isinstance(e, Expr):
        return False
    return e.op in ("some", "every") or any(has_quantifier(x) for x in e.args)


@dataclass
class Hyp:
    """∀ over the instance's pattern: `body` (a rule's ¬guard, or a clause)."""
    label: str
    inst: Inst
    body: Expr
    clause: str | None = None    # the live candidate it belongs to (None: quiescence)
    distinct: bool = True        # the pattern's classes are distinct elements (not so for a range)


@dataclass
class Grounded:
    """The answer: `model` a genuine quiescent counterexample (or None: proved), with what was used."""
    model: z3.ModelRef | None
    rounds: int
    instances: int
    used_clauses: set
    used_quiet: list     # "rule(terms)" of the quiescence instances in the final unsat core
    used_facts: set = field(default_factory=set)   # quiescent claims proved before, assumed here
    fixed_level: int | None = None   # proved at this level of engine/param_fixed.py (None: model-led)


class Grounding:
    def __init__(self, prover, alive: list, goal, deadline: float, max_rounds: int = 60, facts: tuple = ()):
        self.p, self.enc, self.pre = prover, prover.enc, prover.enc.pre
        self.deadline, self.max_rounds = deadline, max_rounds
        self.fresh: list = []
        self.terms: list = []          # (ground z3 term, base sort): every element-sorted term asserted
        self.depth: dict = {}          # term id -> how far from the claim's constants it is
        self.seen: set = set()         # ids of the z3 terms already harvested
        self.done: set = set()
        self.lits: dict = {}           # assumption literal -> ("clause", name) | ("quiet", label)
        self.range_of, self.elem_of = {}, {}
        for name, (idx, named, k, _) in self.enc.info.items():
            if idx:
                t, e = self.pre.funcs[name]
                self.range_of[t.get_id()] = k
                if e is not None:
                    self.elem_of[e.get_id()] = (t, named)
        # where a slot's code names no MAG its element is read nowhere (`eq` compares it under
        # "code >= named"; the model's one `recode`, coa_of(bce), sits under bce != none), so
        # pinning it to one constant keeps every model a model and stops z3 inventing a fresh MAG
        # per such slot.  A model that recodes an unguarded value would make this unsound.
        self.void = z3.Const("void:MAG", self.enc.sorts["MAG"])
        self.s = z3.Solver()   # no ∀ range axioms: each array read asserted gets its range as a fact
        self.s.set("timeout", prover.timeout_ms)
        self.lazy: list[Hyp] = self._ranges()
        self._goal(goal)
        self.seed = list(self.terms)
        for c in alive:
            self.lazy += [Hyp(c.name, i, i.body, c.name) for i in c.insts]
        # quiescent claims proved for all sizes before this one hold at every reachable quiescent
        # state, so they are hypotheses here like the invariant (the caller keeps the order)
        for c in facts:
            self.lazy += [Hyp(c.name, i, i.body, FACT + c.name) for i in c.insts]
        self.lazy += [Hyp(inst.name, inst, not_(inst.guard)) for inst in prover.rules if not inst.env_rule]
        self.trace = False

    def _ranges(self) -> list[Hyp]:
        """Every array's code within its domain, as hypotheses over its index sorts."""
        out = []
        for name, (idx, _named, k, _) in self.enc.info.items():
            a = self.enc.arrays[name]
            classes = tuple(Elem(s.parent or s.name, i) for i, s in enumerate(a.index))
            node = self.enc.view.app(name, classes) if classes else getattr(self.enc.view, name)
            body = all_of(le(0, node), le(node, k - 1))
            if not classes:
                self.s.add(Tr(self.enc, {}, self.pre).bool(body))
                continue
            env = {e: z3.Const(f"range:{name}{i}", self.enc.sorts[e.sort]) for i, e in enumerate(classes)}
            out.append(Hyp(f"range of {name}", Inst(f"range of {name}", classes, env, z3.BoolVal(True)), body,
                           distinct=False))
        return out

    def _lit(self, key) -> z3.BoolRef:
        lit = z3.Bool(f"use#{len(self.lits)}")
        self.lits[lit] = key
        return lit

    def _assert(self, f, key=None) -> None:
        self._harvest(f)
        self.s.add(z3.Implies(self._lit(key), f) if key else f)

    def _harvest(self, f) -> None:
        """Element-sorted ground subterms join the terms; each ground array read gets its range."""
        sorts = {s.get_id(): n for n, s in self.enc.sorts.items()}
        stack = [f]
        while stack:
            e = stack.pop()
            if e.get_id() in self.seen or z3.is_quantifier(e) or not z3.is_app(e):
                continue
            self.seen.add(e.get_id())
            n = sorts.get(e.sort().get_id())
            if n is not None and not z3.is_var(e):
                self.terms.append((e, n))
                self._depth(e)
            d = e.decl().get_id() if e.num_args() else None
            k = self.range_of.get(d)
            if k is not None:
                self.s.add(0 <= e, e < k)
            tn = self.elem_of.get(d)
            if tn is not None:
                self.s.add(z3.Implies(tn[0](*e.children()) < tn[1], e == self.void))
            stack.extend(e.children())

    def _depth(self, t) -> int:
        d = self.depth.get(t.get_id())
        if d is None:
            d = self.depth[t.get_id()] = 1 + max((self._depth(c) for c in t.children()), default=-1)
        return d

    def _goal(self, goal) -> None:
        parts = [z3.And(i.pc, Sk(self.enc, i.env, self.pre, self.fresh).bool(not_(i.body))) for i in goal.insts]
        for i in goal.insts:   # the claim's own constants first: they lead every pool
            self.terms += [(i.env[e], e.sort) for e in i.env]
            self.seen |= {i.env[e].get_id() for e in i.env}
            self.depth.update({i.env[e].get_id(): 0 for e in i.env})
        self._assert(z3.Or(parts))

    # --- the loop -------------------------------------------------------------------------
    def run(self, fixed: bool = True) -> Grounded:
        t0 = time.monotonic()
        if fixed:
            from .param_fixed import run_fixed
            got = run_fixed(self)
            if got is not None:
                return got
        for h in self.lazy:   # first round: every hypothesis at the claim's own terms
            if h.distinct:
                for combo in itertools.product(*([t for t, s in self.seed if s == e.sort] for e in h.inst.env)):
                    self._instantiate(h, combo)
        rounds = 0
        while True:
            rounds += 1
            self.rounds = rounds
            if time.monotonic() > self.deadline or rounds > self.max_rounds:
                raise Inconclusive(f"quiescence grounding: no answer after {rounds - 1} rounds, "
                                   f"{len(self.done)} instances")
            self.s.set("timeout", max(1, min(self.p.timeout_ms, int((self.deadline - time.monotonic()) * 1000))))
            r = self.p._check(self.s, *self.lits)
            if self.trace:
                print(f"round {rounds}: {r}, {len(self.done)} instances, {len(self.terms)} terms, "
                      f"{time.monotonic() - t0:.1f} s", file=sys.stderr)
            if r == z3.unsat:
                return self._proved(rounds)
            m = self.s.model()
            if self._refine(m, named_only=True) == 0:
                if self._refine(m, named_only=False, count_only=True):
                    raise Inconclusive("z3's model breaks a hypothesis only at elements no term names")
                return Grounded(m, rounds, len(self.done), set(), [])

    def _proved(self, rounds: int) -> Grounded:
        ids = {x.get_id() for x in self.s.unsat_core()}
        used = [self.lits[lit] for lit in self.lits if lit.get_id() in ids]
        clauses = {n for k, n in used if k == "clause"}
        return Grounded(None, rounds, len(self.done), {n for n in clauses if not n.startswith(FACT)},
                        sorted({n for k, n in used if k == "quiet"}),
                        {n[len(FACT):] for n in clauses if n.startswith(FACT)})

    def _instantiate(self, h: Hyp, combo) -> bool:
        key = (id(h), tuple(t.get_id() for t in combo))
        if key in self.done:
            return False
        self.done.add(key)
        classes = list(h.inst.env)
        env = dict(zip(classes, combo))
        pc = z3.substitute(h.inst.pc, *zip((h.inst.env[e] for e in classes), combo)) if classes else z3.BoolVal(True)
        n = len(self.fresh)
        body = Sk(self.enc, env, self.pre, self.fresh).bool(h.body)
        d = 1 + max((self._depth(t) for t in combo), default=0)
        for c, srt in self.fresh[n:]:   # Skolem constants: one step further than the instance's terms
            self.terms.append((c, srt))
            self.seen.add(c.get_id())
            self.depth[c.get_id()] = d
        label = f"{h.label}({', '.join(_short(t) for t in combo)})"
        kind = ("clause", h.clause) if h.clause else None if not h.distinct else ("quiet", label)
        self._assert(z3.Implies(pc, body), kind)
        return True

    def _refine(self, m: z3.ModelRef, named_only: bool, count_only: bool = False) -> int:
        """Instantiate the lazy hypotheses that fail at some tuple of the model's elements: those
        at the nearest terms first (breadth first over the terms), ranges only when nothing else fails."""
        snap = Snapshot(self.enc, m, self.pre)
        names: dict = {}
        for t, srt in sorted(self.terms, key=lambda ts: self._depth(ts[0])):
            i = snap.elem_of(srt, t)
            if i is not None:
                names.setdefault((srt, i), t)
        order = {k: n for n, k in enumerate(names)}
        found: list = []
        for group in ([h for h in self.lazy if h.distinct], [h for h in self.lazy if not h.distinct]):
            for h in group:
                classes = list(h.inst.env)
                pools = []
                for c in classes:
                    els = snap.members(c.sort if c.role is None else {"S": "SENDER", "L": "LISTENER"}[c.role])
                    if named_only:
                        els = sorted((i for i in els if (c.sort, i) in names), key=lambda i, c=c: order[(c.sort, i)])
                    pools.append(els)
                for elems in itertools.product(*pools):
                    if time.monotonic() > self.deadline:
                        raise Inconclusive(f"quiescence grounding: time budget reached in round {self.rounds}, "
                                           f"{len(self.done)} instances")
                    if h.distinct and not _distinct_ok(classes, elems):
                        continue
                    if snap.holds(h.body, dict(zip(classes, elems))):
                        continue
                    if count_only:
                        return 1
                    combo = [names[(c.sort, i)] for c, i in zip(classes, elems)]
                    found.append((max((self._depth(t) for t in combo), default=0), h, combo))
            if found:
                break
        if not found:
            return 0
        near = min(d for d, _, _ in found)
        return sum(self._instantiate(h, combo) for d, h, combo in found if d == near)

def _distinct_ok(classes, elems) -> bool:
    """Classes of one sort in a pattern are distinct elements."""
    seen = set()
    for c, e in zip(classes, elems):
        k = (c.sort, e)
        if k in seen:
            return False
        seen.add(k)
    return True


def _short(t) -> str:
    s = str(t)
    return s.split(":", 1)[1] if ":" in s and "(" not in s else s

