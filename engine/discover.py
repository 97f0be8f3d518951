"""Automatic invariant discovery for `prove`: reachable states -> candidate clauses -> Houdini.

1. The explicit engine explores (no symmetry reduction, so every concrete state is seen) within
   a time budget; its states filter the candidates (engine/candidates.py).
2. Every property still open becomes candidates too: an invariant's conjuncts, and for a
   quiescent property `quiescent(s) -> conjunct` per conjunct.  A property whose own candidates
   survive the fixpoint is proved by it; one whose candidates were dropped may still follow
   from the fixpoint (`H(s) and bad(s)` UNSAT); step properties are checked as
   `H(s) and T(s, t) and not P(s, t)` UNSAT.
3. What the fixpoint does not entail is tried by k-induction with the fixpoint assumed in every
   state (engine/prove_given.py); the claim itself then heads its printed invariant.
4. Each proof prints the support of the clauses it needed (unsat cores, closed under one step).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import z3

from . import stop
from .api import PropertyDef
from .candidates import Clause, blocking, columns, generate
from .compile import compile_predicate
from .expr import Expr, all_of, any_of, not_
from .explore import Budget, Checks, explore, peak_mb
from .houdini import Candidate, Houdini
from .oracle import Oracle
from .progress import silent
from .symmetry import compile_permuters
from .prove import bad_state
from .prove_given import prove_given_fixpoint
from .symbolic import Encoder


MAX_FILTER_STATES = 150_000
QUICK_SECONDS = 5.0          # a model the Python explorer finishes in this needs no native sample
SAMPLE_MEMORY_MB = 2048      # what the native search for the sample may add to the process
MAX_BLOCKED_PER_ROUND = 30    # the properties' own CTIs come first in the list


@dataclass
class Discovery:
    proved: dict[str, list[str]] = field(default_factory=dict)   # property -> readable invariant
    violated: set[str] = field(default_factory=set)              # false on an explored (reachable) state
    support: dict[str, list[Candidate]] = field(default_factory=dict)   # property -> the clauses themselves
    states: int = 0
    complete: bool = False
    candidates: int = 0
    inductive: int = 0
    rounds: int = 0
    seconds: float = 0.0
    reason: str = ""
    k_given: dict[str, int] = field(default_factory=dict)   # proved by k-induction given the fixpoint


def _stop_exploring(ex, elapsed: float) -> None:
    """The explorer's progress callback: a stop request ends the exploration (it keeps its states)."""
    if stop.requested():
        raise KeyboardInterrupt


def _conjuncts(e: Expr) -> list[Expr]:
    return list(e.args) if e.op == "and" else [e]


def quiescent_expr(enc: Encoder) -> Expr:
    return all_of(not_(r.guard) for r in enc.system.rules if not r.env)


def _clause_candidate(enc: Encoder, c: Clause) -> Candidate:
    def formula(st, c=c):
        return z3.Or([(st[i] == v) if pos else (st[i] != v) for i, v, pos in c.lits])
    return Candidate(c.text(enc.schema), c.holds, formula)


def _expr_candidate(enc: Encoder, e: Expr, text: str, prop: str) -> Candidate:
    return Candidate(text, compile_predicate(e), lambda st, e=e: enc.pred(e, st), prop)


def _checks(enc: Encoder, props: Sequence[PropertyDef]) -> Checks:
    """The explorer decides the properties on the fly; lemmas are not in the catalogue, so their
    compiled predicates join the per-state checks by hand."""
    names = {p.name for p in props}
    checks = Checks(enc.system, {p.name for p in enc.system.properties if p.name in names})
    listed = {p.name for p in enc.system.properties}
    checks.state += [(p.name, compile_predicate(enc.system.prop_expr(p)), False) for p in props
                     if p.name not in listed and p.kind == "invariant"]
    return checks


def property_candidates(enc: Encoder, props: Sequence[PropertyDef]) -> list[Candidate]:
    quiet = None
    out = []
    for p in props:
        if p.kind not in ("invariant", "quiescent"):
            continue
        parts = _conjuncts(enc.system.prop_expr(p))
        if p.kind == "quiescent":
            quiet = quiescent_expr(enc) if quiet is None else quiet
            parts = [any_of(x, not_(quiet)) for x in parts]   # the part first: it is cheaper to evaluate
        out += [_expr_candidate(enc, x, f"{p.name} part {k + 1}/{len(parts)}", p.name) for k, x in enumerate(parts)]
    return out


def reachable(enc: Encoder, props: Sequence[PropertyDef], seconds: float,
              oracle: list | None = None) -> tuple[list[bytes], bool, set[str]]:
    """(reachable states, whether the search was complete, the properties some state violates).
    With the native engine, `oracle` (a list) receives an `Oracle` of every state it stored.

    The Python explorer without symmetry reduction when it finishes in a few seconds (small
    models: no C compiler run); else the native engine when it builds (all depths, symmetric
    images added: engine/native/sample.py); else the Python explorer's shallow levels."""
    from .native import native_available
    quick = explore(enc.system, _checks(enc, props), symmetry=False,
                    budget=Budget(max_states=MAX_FILTER_STATES, seconds=min(QUICK_SECONDS, seconds)),
                    progress=_stop_exploring)
    if quick.complete or stop.requested():
        return quick.states, quick.complete, set(quick.hits)
    if native_available() is None:
        from .native.sample import sample_states
        listed = {p.name for p in enc.system.properties}
        budget = Budget(seconds=4 * seconds, memory_mb=peak_mb() + SAMPLE_MEMORY_MB)   # the oracle wants it whole
        def keep(chunks, complete):
            if oracle is not None and not stop.requested():
                oracle.append(Oracle.from_chunks(enc.schema, chunks, complete))
        ex, states = sample_states(enc.system, {p.name for p in props if p.name in listed},
                                   budget, MAX_FILTER_STATES, _stop_exploring, keep)
        bad = set(ex.hits) | {p.name for p in props if p.name not in listed and p.kind == "invariant"
                              and not all(map(compile_predicate(enc.system.prop_expr(p)), states))}
        return states, ex.complete, bad
    ex = explore(enc.system, _checks(enc, props), symmetry=False, budget=Budget(seconds=seconds),
                 progress=_stop_exploring)
    return ex.states, ex.complete, set(ex.hits)


def discover(enc: Encoder, props: Sequence[PropertyDef], seconds: float | None = None,
             explore_seconds: float = 30.0, max_rounds: int = 40, kmax: int = 3,
             say: Callable[[str], None] = silent) -> Discovery:
    """Houdini over generated clauses; CTIs of what stays unproved are blocked and Houdini runs again."""
    t0 = time.monotonic()
    deadline = None if seconds is None else t0 + seconds
    out = Discovery()
    whole: list[Oracle] = []
    states, out.complete, out.violated = reachable(enc, props, explore_seconds, whole)
    out.states = len(states)
    say(f"discovery: {len(states):,} reachable states sampled ({'every' if out.complete else 'not every'} "
        f"state explored), {len(out.violated)} claims violated there")
    if stop.requested():
        return _stopped(out, t0)
    # the filter is an optimisation, not the proof: a sample of the reachable states is enough to
    # drop most false candidates, and big-int work grows with their number
    cols = columns(states[:MAX_FILTER_STATES], enc.schema.nslots)
    seen = set(generate(enc.schema, states[:MAX_FILTER_STATES], cols))
    if whole and whole[0].complete:   # what a state outside the sample refutes costs Houdini a round
        seen = {c for c in seen if whole[0].holds(c)}
    if stop.requested():
        return _stopped(out, t0)
    known = set(states)
    h = Houdini(enc, [_clause_candidate(enc, c) for c in seen], deadline)
    # a property that holds on every explored state holds there conjunct by conjunct
    wanted = set(h.add(property_candidates(enc, [p for p in props if p.name not in out.violated])))
    out.candidates = len(h.alive)
    # with every reachable state seen, each candidate is a true invariant: one Houdini dropped for
    # want of support comes back once new clauses may support it (the fixpoint of a growing set)
    trusted = set(h.alive) if whole and whole[0].complete else set()
    if whole:   # the sample is closed under symmetry, and so are the blocking clauses (images added)
        h.images = compile_permuters(enc.schema)
    blocked: set[bytes] = set()
    todo = list(props)
    for rnd in range(max_rounds):
        since = len(h.ctis)
        h.revive(_revivable(h, trusted))
        if stop.requested():
            out.reason = stop.requested()
            break
        say(f"discovery round {rnd + 1}: Houdini on {len(h.alive):,} clauses")
        if not h.fixpoint():
            out.reason = f"Houdini: {h.reason}"
            break
        ctis, left = [], []
        for p in todo:
            core, cti = _needs(enc, h, p)
            need = None if core is None else h.support(core)
            if need is not None:
                out.proved[p.name] = h.texts(need)
                out.support[p.name] = [h.cands[i] for i in need]
            else:
                left.append(p)
                if cti is not None:
                    ctis.append(cti)
        todo = left
        say(f"discovery round {rnd + 1}: {len(h.alive):,} clauses inductive, {len(out.proved)} claims proved, "
            f"{len(todo)} open")
        if todo and kmax and rnd == 0:   # the fixpoint is an invariant: k-induction may assume it (once:
            # new solvers per k, each holding every live clause in every state, are not cheap)
            done = prove_given_fixpoint(enc, h, {p.name: bad_state(enc, p) for p in todo
                                                 if p.name not in out.violated}, kmax, deadline)
            for p in todo:
                if p.name in done:
                    k, need = done[p.name]
                    out.k_given[p.name] = k
                    out.proved[p.name] = [f"{p.name} (the property itself, {k}-inductive given the clauses below)"]
                    out.proved[p.name] += [x for x in h.texts(need) if x != f"{p.name} (the property itself)"]
                    out.support[p.name] = [h.cands[i] for i in need]
            todo = [p for p in todo if p.name not in done]
        if not todo:
            break
        ctis += [pre for pre, dropped in h.ctis[since:] if dropped & wanted]
        ctis = [st for st in dict.fromkeys(ctis) if st not in known and st not in blocked][:MAX_BLOCKED_PER_ROUND]
        blocked.update(ctis)
        if whole:   # every reachable state judges the cubes; each clause joins with its symmetric images
            new = [x for st in ctis for c in whole[0].blocking(st) for x in whole[0].images_of(c) if x not in seen]
        else:
            new = [c for st in ctis for c in blocking(st, cols) if c not in seen]
        new = list(dict.fromkeys(new))
        if not new:
            out.reason = "no new clause blocks the remaining counterexamples to induction"
            break
        if deadline is not None and time.monotonic() >= deadline:
            out.reason = "time budget reached"
            break
        seen.update(new)
        added = h.add([_clause_candidate(enc, c) for c in new])
        wanted.update(added)
        if trusted:
            trusted.update(added)
        out.candidates += len(new)
    else:
        out.reason = out.reason or f"stopped after {max_rounds} strengthening rounds"
    out.rounds, out.inductive = h.rounds, len(h.alive)
    out.seconds = time.monotonic() - t0
    return out


def _revivable(h: Houdini, trusted: set[int]) -> set[int]:
    """Trusted candidates whose last drop no longer stands: the pre-state of the step that refuted
    them now violates a live candidate (reviving them all each round re-drops most, one z3 round each)."""
    last: dict[int, bytes] = {}
    for pre, dropped in h.ctis:
        for i in dropped & trusted:
            last[i] = pre
    live = [h.cands[i] for i in sorted(h.alive)]
    gone: dict[bytes, bool] = {}
    out = set()
    for i, pre in last.items():
        if i in h.alive:
            continue
        if pre not in gone:
            gone[pre] = not all(c.holds(pre) for c in live)
        if gone[pre]:
            out.add(i)
    return out


def _stopped(out: Discovery, t0: float) -> Discovery:
    out.reason, out.seconds = stop.requested(), time.monotonic() - t0
    return out


def _needs(enc: Encoder, h: Houdini, p: PropertyDef):
    own = [i for i, c in enumerate(h.cands) if c.prop == p.name]
    if own and all(i in h.alive for i in own):
        return own, None
    e = enc.system.prop_expr(p)
    if p.kind == "invariant":
        return h.entails(lambda s, t: z3.Not(enc.pred(e, s)))
    if p.kind == "quiescent":
        return h.entails(lambda s, t: z3.And(enc.quiescent(s), z3.Not(enc.pred(e, s))))
    if p.kind == "step":
        return h.entails(lambda s, t: z3.Not(enc.pred(e, s, t)), step=True)
    if p.kind == "reachable":   # proved: the invariant excludes every state that witnesses it
        return h.entails(lambda s, t: enc.pred(e, s))
    return None, None
