"""Unbounded proofs of invariants with z3: k-induction first, Spacer (PDR over Horn clauses) next.

Every property is reduced to a *state* predicate `bad(s)` whose unreachability is the claim:
  invariant P   bad(s) = not P(s)
  quiescent P   bad(s) = quiescent(s) and not P(s)   (an invariant: quiescent(s) -> P(s))
  step P        bad(s) = some instance r is enabled in s and not P(s, r(s))
  reachable W   bad(s) = W(s)   (HOLDS: no execution ever witnesses W; only check --prove-undecided asks)

`prove` below decides one property; `pmipmc prove` runs engine/session.py, which shares one
encoding between all properties and adds invariant discovery.  Order of attempts, cheapest first:
1. BMC to depth `kmax` (+1 for step properties): a violation within it gets its shortest trace.
   This is also the base case of k-induction.
2. k-induction for k = 1..kmax over simple paths, assuming the already proved lemmas in every
   state.  Its last counterexample to induction (CTI) is kept, decoded, for the report.
3. Spacer on the constrained Horn clauses  Init(x) -> Inv(x);  Inv(x) & L(x) & guard_r(x) ->
   Inv(r(x)) per instance r;  Inv(x) & bad(x) -> false.  UNSAT of the query is a proof; SAT
   means a real violation, whose trace BMC then finds (deeper than kmax) and replays.
Lemmas (PropertyDef invariants) are proved the same way before they are assumed, so an unproved
lemma never strengthens anything.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Sequence

import z3

from . import stop
from .api import PROVABLE, PropertyDef
from .bmc import search
from .induction import Inductor
from .results import HOLDS, UNKNOWN, VIOLATED
from .symbolic import Encoder, UnsupportedProperty, interrupt_z3
from .trace import Trace

StatePred = Callable[[Sequence[z3.ArithRef]], z3.BoolRef]


@dataclass
class Proof:
    prop: PropertyDef
    verdict: str
    method: str = ""           # "k-induction (k=2)", "Spacer", "BMC"
    reason: str = ""
    trace: Trace | None = None
    cti: str = ""              # the last counterexample to induction, readable
    seconds: float = 0.0
    invariant: tuple[str, ...] = ()   # the inductive invariant that closes the proof, readable


def bad_state(enc: Encoder, prop: PropertyDef) -> StatePred:
    e = enc.system.prop_expr(prop)
    if prop.kind == "invariant":
        return lambda st: z3.Not(enc.pred(e, st))
    if prop.kind == "quiescent":
        return lambda st: z3.And(enc.quiescent(st), z3.Not(enc.pred(e, st)))
    if prop.kind == "step":
        return lambda st: enc.bad_step(e, st)
    if prop.kind == "reachable":   # the witness's state is what must be unreachable: HOLDS = never witnessed
        return lambda st: enc.pred(e, st)
    raise UnsupportedProperty(f"{prop.name}: a {prop.kind} property cannot be proved, only checked")


def k_induction(enc: Encoder, bad: StatePred, assume: Sequence[StatePred], kmax: int,
                deadline: float | None) -> tuple[str, int, str]:
    """('proved' | 'cti' | 'unknown', k, text) for one property (session.py shares the solvers)."""
    ind = Inductor(enc, kmax)
    ind.assume(assume)
    return ind.prove(bad, deadline)


def spacer(enc: Encoder, bad: StatePred, assume: Sequence[StatePred], deadline: float | None) -> tuple[str, str]:
    """('proved' | 'violated' | 'unknown', detail) from z3's Spacer engine."""
    x = enc.state("x")
    inv = z3.Function("Inv", *([z3.IntSort()] * len(x)), z3.BoolSort())
    if stop.requested():
        return "unknown", stop.requested()
    stop.on_request(interrupt_z3)
    fp = z3.Fixedpoint()
    fp.set(engine="spacer")
    if deadline is not None:
        left = deadline - time.monotonic()
        if left <= 0:
            return "unknown", "time budget reached"
        fp.set(timeout=max(1, int(left * 1000)))
    fp.declare_var(*x)
    fp.register_relation(inv)
    for s0 in enc.system.init:
        fp.fact(inv(*[z3.IntVal(v) for v in s0]))
    extra = [a(x) for a in assume]
    for r in enc.system.rules:
        fp.rule(inv(*enc.successor(r.index, x)), [inv(*x), enc.pred(r.guard, x)] + extra)
        if stop.requested():   # z3's interrupt only cancels a running query, not one yet to start
            return "unknown", stop.requested()
    if stop.requested():
        return "unknown", stop.requested()
    try:
        res = fp.query(z3.And(inv(*x), bad(x)))
    except z3.Z3Exception as err:      # Spacer reports its timeout as an exception ("canceled")
        if stop.requested():
            return "unknown", stop.requested()
        return "unknown", f"Spacer: {err.value.decode() if isinstance(err.value, bytes) else err.value}"
    if res == z3.unsat:
        return "proved", ""
    if res == z3.sat:
        return "violated", ""
    if deadline is not None and time.monotonic() >= deadline:
        return "unknown", "time budget reached"
    return "unknown", f"Spacer: {fp.reason_unknown()}"


def prove(enc: Encoder, prop: PropertyDef, assume: Sequence[StatePred], kmax: int = 3,
          timeout_s: float | None = None, use_spacer: bool = True) -> Proof:
    t0 = time.monotonic()
    deadline = None if timeout_s is None else t0 + timeout_s
    if stop.requested():
        return Proof(prop, UNKNOWN, "", stop.requested())
    bad = bad_state(enc, prop)
    try:
        out = _prove(enc, prop, bad, assume, kmax, deadline, use_spacer)
    except z3.Z3Exception:   # an interrupt cancels whatever z3 was doing, model evaluation included
        if not stop.requested():
            raise
        out = Proof(prop, UNKNOWN, "", stop.requested())
    out.seconds = time.monotonic() - t0
    return out


def _prove(enc, prop, bad, assume, kmax, deadline, use_spacer) -> Proof:
    base = _bmc(enc, prop, kmax + (prop.kind == "step"), deadline)
    if base.verdict != "open":
        return base
    status, k, text = k_induction(enc, bad, assume, kmax, deadline)
    if status == "proved":
        return Proof(prop, HOLDS, f"k-induction (k={k})", f"proved by k-induction (k={k})")
    if status == "unknown" or not use_spacer:
        return Proof(prop, UNKNOWN, "k-induction", text, cti=text if status == "cti" else "")
    status, detail = spacer(enc, bad, assume, deadline)
    if status == "proved":
        return Proof(prop, HOLDS, "Spacer", f"proved by Spacer (k-induction failed: {text})", cti=text)
    if status == "violated":
        found = _bmc(enc, prop, 10_000, deadline)
        if found.verdict == VIOLATED:
            found.reason = f"Spacer: reachable; BMC: shortest trace has {found.trace and len(found.trace.steps)} steps"
            return found
        return Proof(prop, UNKNOWN, "Spacer", f"Spacer says reachable but BMC found no trace in time ({found.reason})")
    return Proof(prop, UNKNOWN, "Spacer", f"{detail}; {text}", cti=text)


def _bmc(enc: Encoder, prop: PropertyDef, depth: int, deadline: float | None) -> Proof:
    sr = search(enc.system, [prop], depth, deadline, enc)
    o = sr.outcomes[0]
    if o.verdict == VIOLATED:
        return Proof(prop, VIOLATED, "BMC", f"BMC: shortest trace has {o.depth} steps", trace=o.trace)
    if o.verdict == UNKNOWN:
        return Proof(prop, UNKNOWN, "BMC", o.reason)
    if sr.exhausted_at is not None:      # no path of that length: every reachable state was checked
        return Proof(prop, HOLDS, "BMC", f"proved by exhaustive BMC: no path of {sr.exhausted_at} steps exists")
    return Proof(prop, "open", "BMC")


__all__ = ["PROVABLE", "prove", "k_induction", "spacer", "bad_state", "Proof"]
