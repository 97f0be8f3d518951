"""Proofs for every domain size: Houdini over universally quantified clauses, checked by z3.

A candidate is a claim over the model's arrays whose parameters range over *all* MAGs and MNs
(the properties themselves, the lemmas, and clauses built from the schema by
engine/param_candidates.py).  Each must hold in every initial state; then, rule instance by rule
instance, z3 is asked for a state satisfying every live candidate (and the range axioms) in which
the instance is enabled and after which some live candidate fails.  The candidates false in the
answer's post-state are dropped (indicator literals say which), until no instance breaks any:
the live set is then inductive and initially true, so it holds in every reachable state of every
domain size.  An invariant property is proved when it is live at the end; a quiescent one when
the live set and "no protocol rule is enabled" exclude its violation.  Every z3 `unknown` makes
the run conclude nothing.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import z3

from .param_z3 import Inst, PEncoder, PostFrame


class Inconclusive(RuntimeError):
    """z3 answered unknown (or the time budget ran out): nothing may be concluded."""


@dataclass
class Cand:
    name: str
    insts: list[Inst]
    text: str
    prop: str | None = None     # the property it is (its own clauses)


@dataclass
class CTI:
    """A counterexample to induction (or, for a quiescent claim, a quiescent state) as a small domain."""
    rule: str
    sizes: dict
    table: list[tuple[str, str]]
    broken: list[str]
    note: str = ""    # why there is no state: z3 gave up


@dataclass
class Outcome:
    alive: list[Cand]
    dropped: dict[str, CTI] = field(default_factory=dict)   # candidate name -> the CTI that dropped it
    seconds: float = 0.0
    queries: int = 0


class Prover:
    def __init__(self, pm, timeout_s: float = 60.0):
        self.pm = pm
        self.enc = PEncoder(pm.schema, pm.ctx)
        self.rules = self.enc.rule_instances(pm.rules)
        self.timeout_ms = int(timeout_s * 1000)
        self.queries = 0

    def solver(self) -> z3.Solver:
        s = z3.Solver()
        s.set("timeout", self.timeout_ms)
        s.add(self.enc.ranges(self.enc.pre))
        return s

    def _check(self, s, *assumptions):
        self.queries += 1
        r = s.check(*assumptions)
        if r == z3.unknown:
            raise Inconclusive(f"z3: {s.reason_unknown()}")
        return r

    def initial(self) -> z3.BoolRef:
        enc, pre = self.enc, self.enc.pre
        from .expr import lift
        from .param_z3 import Tr
        parts = [Tr(enc, {}, pre).bool(lift(self.pm.initially(self.pm.ctx, enc.view)))]
        for name, (idx, named, k, has_elem) in enc.info.items():
            if name in self.pm.initial_arrays:
                continue
            xs = [z3.Const(f"i{i}", s) for i, s in enumerate(idx)]
            t = pre.funcs[name][0](*xs) if xs else pre.funcs[name][0]
            parts.append(z3.ForAll(xs, t == 0) if xs else t == 0)
        return z3.And(parts)

    def initially_true(self, cands: list[Cand]) -> tuple[list[Cand], dict]:
        init = self.initial()
        keep, dropped = [], {}
        for c in cands:   # a fresh solver each (no push: an earlier run's z3 interrupt cancels it)
            s = self.solver()
            s.add(init, z3.Not(self.enc.holds(c.insts, self.enc.pre)))
            if self._check(s) == z3.sat:
                dropped[c.name] = self._cti(s.model(), "initial state", [c])
            else:
                keep.append(c)
        return keep, dropped

    def houdini(self, cands: list[Cand], deadline: float) -> Outcome:
        t0, q0 = time.monotonic(), self.queries
        alive, dropped = self.initially_true(cands)
        pre = self.enc.pre
        changed = True
        while changed:
            changed = False
            for inst in self.rules:
                while alive:
                    if time.monotonic() > deadline:
                        raise Inconclusive("time budget reached")
                    s = self.solver()
                    post = PostFrame(self.enc, pre, inst)
                    s.add(inst.pc, self.enc.enabled(inst, pre))
                    s.add([self.enc.holds(c.insts, pre) for c in alive])
                    viol = [z3.Bool(f"viol:{c.name}") for c in alive]
                    for v, c in zip(viol, alive):
                        s.add(z3.Implies(v, z3.Not(self.enc.holds(c.insts, post))))
                    s.add(z3.Or(viol))
                    try:
                        r = self._check(s)
                    except Inconclusive as e:
                        # dropping a candidate only weakens the invariant, so it is always sound:
                        # the clauses that nest quantifiers (∀∃, outside EPR) go first, else each
                        # live clause is asked about alone and dropped unless z3 shows it kept
                        gone = [c for c in alive if _alternates(c)] or self._one_by_one(s, viol, alive, inst, dropped)
                        for c in gone:
                            dropped.setdefault(c.name, CTI(f"{inst.name}{_pattern_text(inst)}", {}, [], [c.name], str(e)))
                        alive = [c for c in alive if c not in gone]
                        changed = True
                        continue
                    if r == z3.unsat:
                        break
                    m = s.model()
                    gone = [c for v, c in zip(viol, alive) if z3.is_true(m.eval(v, model_completion=True))]
                    cti = self._cti(m, f"{inst.name}{_pattern_text(inst)}", gone)
                    for c in gone:
                        dropped[c.name] = cti
                    alive = [c for c in alive if c not in gone]
                    changed = True
        return Outcome(alive, dropped, time.monotonic() - t0, self.queries - q0)

    def _one_by_one(self, s, viol, alive, inst, dropped) -> list[Cand]:
        gone = []
        s.set("timeout", 3000)
        for v, c in zip(viol, alive):
            try:
                r = self._check(s, v)
            except Inconclusive:
                gone.append(c)
                continue
            if r == z3.sat:
                dropped[c.name] = self._cti(s.model(), f"{inst.name}{_pattern_text(inst)}", [c])
                gone.append(c)
        return gone

    def grounded_at_quiescence(self, alive: list[Cand], prop: Cand, seconds: float, facts: tuple = ()):
        """Quiescence instantiated lazily, guided by z3's models (engine/param_ground.py):
        (None, how) when proved, (a quiescent state satisfying the invariant, how) when z3's model
        satisfies every hypothesis at every tuple; Inconclusive when the budget runs out."""
        import time as _time

        from .param_ground import Grounding
        g = Grounding(self, alive, prop, _time.monotonic() + seconds, facts=facts).run()
        if g.model is None:
            return None, g
        return self._cti(g.model, "quiescent state (no rule enabled, every invariant clause true)", [prop]), g

    def entails_at_quiescence(self, alive: list[Cand], prop: Cand) -> CTI | None:
        """None when the invariant and quiescence exclude the claim's violation, else such a state.

        Quiescence ("no protocol rule instance is enabled", ∀ over parameters, with guards that
        quantify themselves) is assumed only at the violation's own elements and one listener and
        one sender: a weaker assumption, so an UNSAT answer still proves the claim, and z3 is
        spared the ∀∃ alternation that makes it time out."""
        s = self.solver()
        pre = self.enc.pre
        terms = self._ground(prop)
        s.add(self._violated(prop, pre))
        s.add(self._quiescent_at(terms, pre))
        s.add(self._invariant_at(alive, terms, pre))
        if self._check(s) == z3.unsat:
            return None
        m = s.model()
        focus = [c for cs in terms.values() for c in cs]
        return self._cti(m, "quiescent state", [prop], focus)

    def _violated(self, prop: Cand, pre) -> z3.BoolRef:
        from .param_z3 import Tr
        return z3.Or([z3.And(i.pc, z3.Not(Tr(self.enc, i.env, pre).bool(i.body))) for i in prop.insts])

    def _ground(self, prop: Cand) -> dict:
        terms = {"MAG": [], "MN": []}
        for i in prop.insts:
            for e, c in i.env.items():
                terms[e.sort].append(c)
        extra = [z3.Const("q:sender", self.enc.sorts["MN"]), z3.Const("q:listener", self.enc.sorts["MN"])]
        terms["MN"] += extra
        self._ground_facts = [self.enc.sender(extra[0]), z3.Not(self.enc.sender(extra[1]))]
        return terms

    def _invariant_at(self, alive: list[Cand], terms: dict, pre) -> list:
        """The live clauses at the ground elements only (also a weaker assumption)."""
        import itertools

        from .param_z3 import Tr
        out = []
        for c in alive:
            for i in c.insts:
                f = z3.Implies(i.pc, Tr(self.enc, i.env, pre).bool(i.body))
                elems = list(i.env)
                for choice in itertools.product(*(terms[e.sort] for e in elems)):
                    out.append(z3.substitute(f, *zip((i.env[e] for e in elems), choice)) if elems else f)
        return out

    def _quiescent_at(self, terms: dict, pre) -> list:
        import itertools
        out = list(self._ground_facts)
        for inst in self.rules:
            if inst.env_rule:
                continue
            g = z3.And(inst.pc, self.enc.enabled(inst, pre))
            elems = list(inst.env)
            for choice in itertools.product(*(terms[e.sort] for e in elems)):
                out.append(z3.Not(z3.substitute(g, *zip((inst.env[e] for e in elems), choice))) if elems else z3.Not(g))
        return out

    def support(self, alive: list[Cand], goal: Cand, quiescent: bool, need: set | None = None) -> list[Cand]:
        """A smaller inductive subset that still proves the goal: unsat cores, layer by layer
        (from `need` when the clauses the goal needs are known already)."""
        pre = self.enc.pre
        lits = {c.name: z3.Bool(f"use:{c.name}") for c in alive}

        def core(extra, frame_of=None, insts=None) -> set:
            out = set()
            for inst in insts or [None]:
                s = self.solver()
                s.set("core.minimize", True)
                for c in alive:
                    s.add(z3.Implies(lits[c.name], self.enc.holds(c.insts, pre)))
                if inst is not None:
                    s.add(inst.pc, self.enc.enabled(inst, pre))
                s.add(extra(inst))
                if self._check(s, *lits.values()) != z3.unsat:
                    raise Inconclusive("support: a live clause is not preserved")
                ids = {x.get_id() for x in s.unsat_core()}
                out |= {n for n, l in lits.items() if l.get_id() in ids}
            return out
        if need is not None:
            need = set(need)
        elif quiescent:
            need = core(lambda _: [self.enc.quiescent(self.rules, pre), z3.Not(self.enc.holds(goal.insts, pre))])
        else:
            need = {goal.name}
        frontier = set(need)
        by_name = {c.name: c for c in alive}
        while frontier:
            fs = [by_name[n] for n in frontier]
            got = core(lambda inst: z3.Or([z3.Not(self.enc.holds(c.insts, PostFrame(self.enc, pre, inst)))
                                           for c in fs]), insts=self.rules)
            frontier = got - need
            need |= got
        return [c for c in alive if c.name in need]

    def _cti(self, m: z3.ModelRef, rule: str, broken: list[Cand], focus: list | None = None) -> CTI:
        """The model's state as a table; with `focus`, only the rows over the elements those
        constants denote (z3's models of quantified formulas can be large)."""
        enc = self.enc
        uni = {n: (m.get_universe(s) or []) for n, s in enc.sorts.items()}
        if focus:
            keep = {str(m.eval(c, model_completion=True)) for c in focus}
            uni = {n: [e for e in els if str(e) in keep] for n, els in uni.items()}
        names = {}
        for n, els in uni.items():
            for i, e in enumerate(els):
                names[str(e)] = f"{n}{i + 1}"
        senders = [e for e in uni["MN"] if z3.is_true(m.eval(enc.sender(e), model_completion=True))]
        sizes = {"MAG": len(uni["MAG"]), "listeners": len(uni["MN"]) - len(senders), "senders": len(senders)}
        table = [("senders", ", ".join(names[str(e)] for e in senders) or "-")]
        import itertools
        for name, (idx, named, k, has_elem) in enc.info.items():
            a = enc.arrays[name]
            t, e = enc.pre.funcs[name]
            for args in itertools.product(*(uni["MAG" if s == enc.sorts["MAG"] else "MN"] for s in idx)):
                code = m.eval(t(*args) if args else t, model_completion=True).as_long()
                if code == 0:
                    continue
                label = a.domain.labels[code]
                if has_elem and code >= named:   # "tunnel(MAG1)" is the block's format at the first MAG
                    fmt = a.domain.labels[a.domain.offsets[code - named]].replace("MAG1", "{}")
                    label = fmt.format(names.get(str(m.eval(e(*args) if args else e, model_completion=True)), "?"))
                table.append((name + "".join(f"[{names[str(x)]}]" for x in args), label))
        return CTI(rule, sizes, table, [c.name for c in broken])


def _pattern_text(inst: Inst) -> str:
    return "(" + ", ".join(repr(e) for e in inst.pattern) + ")"


def _alternates(c: Cand) -> bool:
    """Under the clause's own ∀, its body has an ∃ (a positive `some`, a negative `every`): ∀∃,
    outside EPR, where z3 may give up."""
    stack = [(i.body, True) for i in c.insts]
    while stack:
        e, pos = stack.pop()
        if (e.op == "some" and pos) or (e.op == "every" and not pos):
            return True
        if e.op == "not":
            stack.append((e.args[0], not pos))
        elif e.op in ("and", "or", "some", "every"):
            stack.extend((a, pos) for a in e.args if hasattr(a, "op"))
        elif e.op in ("eq", "ite"):   # both polarities
            stack.extend((a, p) for a in e.args if hasattr(a, "op") for p in (True, False))
    return False
