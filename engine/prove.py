"""Unbounded proofs of invariants with z3: k-induction first, Spacer (PDR over Horn clauses) next.

Every property is reduced to a *state* predicate `bad(s)` whose unreachability is the claim:
  invariant P   bad(s) = not P(s)
  quiescent P   bad(s) = quiescent(s) and not P(s)   (an invariant: quiescent(s) -> P(s))
  step P        bad(s) = some instance r is enabled in s and not P(s, r(s))
Reachable witnesses are found by `check`, not proved; asking for one here is UnsupportedProperty.

Order of attempts, cheapest first:
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
from typing import Callable, Iterable, Sequence

import z3

from . import stop
from .api import PROVABLE, PropertyDef, System
from .bmc import search, select
from .check import peak_mb, trace_record
from .results import HOLDS, UNKNOWN, VIOLATED, PropertyResult, RunResult
from .symbolic import Encoder, UnsupportedProperty, interrupt_z3, check, new_solver, why_unknown
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


def bad_state(enc: Encoder, prop: PropertyDef) -> StatePred:
    e = enc.system.prop_expr(prop)
    if prop.kind == "invariant":
        return lambda st: z3.Not(enc.pred(e, st))
    if prop.kind == "quiescent":
        return lambda st: z3.And(enc.quiescent(st), z3.Not(enc.pred(e, st)))
    if prop.kind == "step":
        return lambda st: z3.Or([z3.And(enc.pred(r.guard, st), z3.Not(enc.pred(e, st, enc.successor(r.index, st))))
                                 for r in enc.system.rules])
    raise UnsupportedProperty(f"{prop.name}: a {prop.kind} property cannot be proved, only checked")


def k_induction(enc: Encoder, bad: StatePred, assume: Sequence[StatePred], kmax: int,
                deadline: float | None) -> tuple[str, int, str]:
    """('proved' | 'cti' | 'unknown', k, text).  The base case is the caller's BMC to kmax."""
    text = ""
    for k in range(1, kmax + 1):
        unr = enc.unroll(k, tag=f"t{k}_", initial=False)
        solver = new_solver()
        solver.add(unr.constraints)
        sts = unr.states
        solver.add([a(st) for a in assume for st in sts])
        solver.add([z3.Not(bad(st)) for st in sts[:-1]])
        solver.add([z3.Or([x != y for x, y in zip(sts[i], sts[j])])       # simple path
                    for i in range(len(sts)) for j in range(i + 1, len(sts))])
        solver.add(bad(sts[-1]))
        r = check(solver, deadline=deadline)
        if r == z3.unsat:
            return "proved", k, ""
        if r == z3.unknown:
            return "unknown", k, why_unknown(solver, deadline)
        text = describe_cti(enc, enc.replay(enc.decode(solver.model(), unr), initial=False), k)
    return "cti", kmax, text


def describe_cti(enc: Encoder, tr: Trace, k: int) -> str:
    """The last step of a counterexample to induction: a good state, a rule, a bad state."""
    sts = tr.states()
    pre, step = sts[-2], tr.steps[-1]
    label = enc.system.instance_label(enc.system.rules[step.inst])
    delta = ", ".join(f"{n}: {a} -> {b}" for n, a, b in enc.schema.delta(pre, step.state))
    return f"CTI at k={k}: from {{{enc.readable(pre)}}} {label} changes {{{delta}}} into a bad state"


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


def prove_lemmas(enc: Encoder, lemmas: Sequence[PropertyDef], kmax: int, timeout_s: float | None,
                 use_spacer: bool = True) -> tuple[list[Proof], list[StatePred]]:
    """Prove the lemmas; returns one Proof each and the predicates of those proved.

    Lemmas often need each other (a PBA-Q never names the asking MAG *because* no query ever
    targets it, and vice versa), so their conjunction is tried first by k-induction; failing
    that, each is proved on its own, assuming the ones before it that were proved.
    """
    for lem in lemmas:
        if lem.kind != "invariant":
            raise UnsupportedProperty(f"lemma {lem.name} must be an invariant, not {lem.kind}")
    preds = [(lem, enc.system.prop_expr(lem)) for lem in lemmas]
    as_pred = [lambda st, e=e: enc.pred(e, st) for _, e in preds]
    if lemmas:
        t0 = time.monotonic()
        deadline = None if timeout_s is None else t0 + timeout_s
        base = search(enc.system, list(lemmas), kmax, deadline, enc)
        if all(o.verdict == "HOLDS_WITHIN_BOUNDS" and not o.reason for o in base.outcomes):
            try:
                status, k, _ = k_induction(enc, lambda st: z3.Or([z3.Not(a(st)) for a in as_pred]), [], kmax,
                                           deadline)
            except z3.Z3Exception:   # interrupted: each lemma below is then UNKNOWN at once
                if not stop.requested():
                    raise
                status, k = "unknown", 0
            if status == "proved":
                secs = time.monotonic() - t0
                return [Proof(lem, HOLDS, f"k-induction (k={k})", f"proved jointly with the other lemmas by "
                              f"k-induction (k={k})", seconds=secs) for lem in lemmas], as_pred
    proofs, assume = [], []
    for (lem, _), pred in zip(preds, as_pred):
        pf = prove(enc, lem, assume, kmax, timeout_s, use_spacer)
        proofs.append(pf)
        if pf.verdict == HOLDS:
            assume.append(pred)
    return proofs, assume


def run_prove(system: System, preset: str, variant: str, names: Iterable[str] | None = None,
              timeout_s: float | None = None, lemmas: Sequence[PropertyDef] = (), kmax: int = 3,
              use_spacer: bool = True, overrides: dict | None = None) -> RunResult:
    """Prove the invariant, quiescent and step properties (or those named); `timeout_s` is per property.

    Lemmas (and the system's `invariant_hints`) are proved first and reported as extra rows with
    topic "lemma"; only the proved ones strengthen the induction.
    """
    props = select(system, names, PROVABLE)
    t0 = time.monotonic()
    enc = Encoder(system)
    lemma_proofs, assume = prove_lemmas(enc, list(lemmas) + list(system.invariant_hints), kmax, timeout_s, use_spacer)
    proofs = [prove(enc, p, assume, kmax, timeout_s, use_spacer) for p in props]
    complete = all(pf.verdict != UNKNOWN for pf in proofs)
    run = RunResult(variant, preset, "symbolic", complete, "" if complete else "some proofs were inconclusive",
                    0, 0, kmax, time.monotonic() - t0, peak_mb(), False)
    rows = [(pf, pf.prop.topic) for pf in proofs] + [(pf, "lemma") for pf in lemma_proofs]
    for pf, topic in rows:
        p = pf.prop
        res = PropertyResult(p.name, p.kind, p.cites, p.doc, topic, pf.verdict, pf.reason)
        if pf.trace is not None:
            res.depth = len(pf.trace.steps)
            res.trace = trace_record(system, pf.trace, p, preset, variant, engine="symbolic", overrides=overrides)
        run.results.append(res)
    return run


__all__ = ["run_prove", "prove", "prove_lemmas", "k_induction", "spacer", "bad_state", "Proof"]
