"""Bounded model checking with z3: incremental unrolling, shortest traces, sanity-paired UNSATs.

One solver holds the path s0 -> s1 -> ... -> sk and grows by one transition per depth.  At each
depth it first asks the *sanity* question "does a path of exactly k steps exist at all?" (SAT
expected; the model is decoded and replayed, so the encoder is exercised even when no property
fails), then, under a fresh assumption literal per (property, depth), whether the property fails
at s_k.  Depths are visited in order, so the first SAT depth is the length of a shortest
counterexample, the same number the explicit engine's BFS reports.  An UNSAT answer is only
recorded next to the SAT sanity answer for the same unrolling; when no path of k steps exists,
every reachable state has already been checked and the search stops early, saying so.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import z3

from . import stop
from .api import PropertyDef, System
from .check import peak_mb, trace_record
from .results import HOLDS_WITHIN_BOUNDS, UNKNOWN, PropertyResult, RunResult, decided_by_trace, has_trace
from .symbolic import Encoder, EncoderError, UnsupportedProperty, Unrolling, check, new_solver, why_unknown
from .trace import Trace, is_quiescent, violates


@dataclass
class Outcome:
    """What BMC learnt about one property; `unsat` and `sanity` pair up depth by depth."""
    prop: PropertyDef
    verdict: str = HOLDS_WITHIN_BOUNDS
    depth: int | None = None
    trace: Trace | None = None
    reason: str = ""
    unsat: list[int] = field(default_factory=list)          # depths whose query was UNSAT
    sanity: dict[int, bool] = field(default_factory=dict)   # depth -> a path of that many steps exists

    @property
    def open(self) -> bool:
        return self.verdict == HOLDS_WITHIN_BOUNDS and not self.reason


@dataclass
class Search:
    outcomes: list[Outcome]
    depth: int = 0                 # deepest unrolling asked about
    exhausted_at: int | None = None  # no path of this many steps: the search is complete
    seconds: float = 0.0


def select(system: System, names: Iterable[str] | None, kinds: Sequence[str]) -> list[PropertyDef]:
    """The properties to run, in catalogue order; an unknown or unsupported name is an error."""
    if names is None:
        return [p for p in system.properties if p.kind in kinds]
    wanted = set(names)
    known = {p.name: p for p in system.properties}
    missing = sorted(wanted - set(known))
    if missing:
        raise UnsupportedProperty(f"unknown property {missing[0]!r}")
    props = [p for p in system.properties if p.name in wanted]
    for p in props:
        if p.kind not in kinds:
            raise UnsupportedProperty(f"{p.name}: kind {p.kind!r} is not supported here (only {', '.join(kinds)})")
    return props


def search(system: System, props: Sequence[PropertyDef], depth: int, deadline: float | None = None,
           enc: Encoder | None = None) -> Search:
    """Incremental BMC of every property in `props` from depth 0 to `depth` inclusive."""
    t0 = time.monotonic()
    enc = enc or Encoder(system)
    quiet = is_quiescent(system)
    outs = [Outcome(p) for p in props]
    res = Search(outs)
    if stop.requested():   # building the unrolling alone can take seconds
        _give_up(outs, stop.requested())
        return res
    solver = new_solver()
    unr: Unrolling = enc.start()
    solver.add(unr.constraints)
    try:
        for k in range(depth + 1):
            if not any(o.open for o in outs):
                break
            if k:
                solver.add(enc.extend(unr))
            res.depth = k
            sane = check(solver, deadline=deadline)
            if sane == z3.unknown:
                _give_up(outs, f"{why_unknown(solver, deadline)} at depth {k}")
                break
            if sane == z3.unsat:
                res.exhausted_at = k
                break
            enc.replay(enc.decode(solver.model(), unr))   # the sanity model must replay too
            _ask_all(enc, solver, system, unr, k, [o for o in outs if o.open], quiet, deadline)
    except z3.Z3Exception:   # an interrupt cancels whatever z3 was doing, model evaluation included
        if not stop.requested():
            raise
        _give_up(outs, f"{stop.requested()} at depth {res.depth}")
    res.seconds = time.monotonic() - t0
    return res


def _give_up(outs: Sequence[Outcome], why: str) -> None:
    for o in outs:
        if o.open:
            o.verdict, o.reason = UNKNOWN, why


def _ask_all(enc: Encoder, solver: z3.Solver, system: System, unr: Unrolling, k: int,
             outs: list[Outcome], quiet, deadline: float | None) -> int:
    """Decide every open property at depth k; returns the number of solver calls.

    One query asks whether *any* of them fails at s_k: UNSAT closes them all at once.  A model
    decides every property it happens to violate; the rest are asked again, so each property
    gets its own shortest trace and its own UNSAT.
    """
    bads = []
    for o in outs:
        o.sanity[k] = True
        bad = enc.bad(o.prop, unr, k)
        if bad is None:          # a step property needs at least one step
            o.unsat.append(k)
        else:
            bads.append((o, bad))
    calls = 0
    while bads:
        lit = z3.Bool(f"bad@{k}#{calls}")
        solver.add(z3.Implies(lit, z3.Or([b for _, b in bads])))
        r = check(solver, lit, deadline=deadline)
        calls += 1
        if r == z3.unsat:
            for o, _ in bads:
                o.unsat.append(k)
            return calls
        if r == z3.unknown:
            why = f"{why_unknown(solver, deadline)} at depth {k}"
            for o, _ in bads:
                o.verdict, o.reason = UNKNOWN, why
            return calls
        model = solver.model()
        trace = enc.replay(enc.decode(model, unr))
        rest = []
        for o, bad in bads:
            if z3.is_true(model.eval(bad, model_completion=True)):
                if not violates(system, o.prop.name, trace, quiet):
                    raise EncoderError(f"{o.prop.name}: z3 trace of depth {k} does not end in a violation when replayed")
                o.verdict, o.depth, o.trace = decided_by_trace(o.prop.kind), k, trace
            else:
                rest.append((o, bad))
        if len(rest) == len(bads):
            raise EncoderError(f"depth {k}: the model satisfies the disjunction but none of its parts")
        bads = rest
    return calls


def run_bmc(system: System, preset: str, variant: str, names: Iterable[str] | None = None, depth: int = 10,
            timeout_s: float | None = None, overrides: dict | None = None) -> RunResult:
    """Every property (or those named) by BMC to `depth`; the verdicts of engine.results."""
    if depth <= 0:
        raise ValueError(f"depth must be positive, not {depth}")
    props = select(system, names, ("invariant", "quiescent", "step", "reachable"))
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    sr = search(system, props, depth, deadline)
    complete = all(o.verdict != UNKNOWN for o in sr.outcomes)
    if sr.exhausted_at is not None:
        bound = f"BMC to depth {depth} (complete: no path of {sr.exhausted_at} steps exists)"
    else:
        bound = f"BMC to depth {depth}"
    run = RunResult(variant, preset, "symbolic", complete,
                    "" if complete else "solver gave up or time budget reached",
                    0, 0, sr.depth, sr.seconds, peak_mb(), False,   # no states or transitions are enumerated
                    bound=None if sr.exhausted_at is not None else depth)
    for o in sr.outcomes:
        p = o.prop
        res = PropertyResult(p.name, p.kind, p.cites, p.doc, p.topic, o.verdict, o.reason)
        if has_trace(o.verdict):
            res.depth = o.depth
            res.reason = f"BMC: shortest trace has {o.depth} steps"
            res.trace = trace_record(system, o.trace, p, preset, variant, engine="symbolic", overrides=overrides)
        elif o.verdict == HOLDS_WITHIN_BOUNDS:
            res.reason = f"{bound}; {len(o.unsat)} UNSAT, each paired with a SAT sanity query"
        run.results.append(res)
    return run


__all__ = ["run_bmc", "search", "select", "Outcome", "Search"]
