"""One explicit-engine run: explore, decide every property, turn hits into cited traces."""
from __future__ import annotations

from typing import Callable

from . import stop
from .api import Kind, PropertyDef, System
from .coverage import Coverage
from .explore import Budget, Checks, Exploration, explore, peak_mb
from .results import (HOLDS_WITHIN_BOUNDS, UNKNOWN, PropertyResult, RunResult, StepRecord, TraceRecord,
                      decided_by_trace, has_trace)
from .trace import Trace, concretise


def trace_record(system: System, trace: Trace, prop: PropertyDef, preset: str, variant: str,
                 engine: str = "explicit", overrides: dict | None = None) -> TraceRecord:
    sc = system.schema
    steps, prev = [], trace.init
    for st in trace.steps:
        inst = system.rules[st.inst]
        steps.append(StepRecord(inst.rule.name, system.args_text(inst), inst.rule.cites, inst.env,
                                [list(d) for d in sc.delta(prev, st.state)]))
        prev = st.state
    return TraceRecord(preset, variant, prop.name, prop.kind, sc.decode(trace.init), steps, engine,
                       dict(overrides or {}), prop.cites, prop.doc)


# partial-order reduction may drop the interleaving that is shortest: the trace header says so
POR_TRACE = "explicit with partial-order reduction (--por): this trace may not be the shortest"


def decide(prop: PropertyDef, ex: Exploration) -> tuple[str, str]:
    if prop.name in ex.hits:
        return decided_by_trace(prop.kind), ""
    if ex.complete and prop.kind == Kind.PROGRESS and (ex.no_progress or prop.name in ex.undecided):
        return UNKNOWN, ex.no_progress or ex.undecided[prop.name]
    if ex.complete:
        return HOLDS_WITHIN_BOUNDS, ""
    return UNKNOWN, ex.reason


def run_explicit(system: System, preset: str, variant: str, names: set[str] | None = None,
                 symmetry: bool = True, budget: Budget = Budget(),
                 progress: Callable | None = None, overrides: dict | None = None, por: bool = False,
                 coverage: bool = False) -> RunResult:
    props = [p for p in system.properties if names is None or p.name in names]
    cov = Coverage(system) if coverage else None
    with stop.raising():   # SIGINT, SIGTERM or the memory budget end the search, keeping its states
        ex = explore(system, Checks(system, {p.name for p in props}), symmetry, budget, progress, por, cov)
    if ex.reason == "interrupted":
        ex.reason = stop.requested() or ex.reason
    run = RunResult(variant, preset, "explicit+por" if por else "explicit", ex.complete, ex.reason, len(ex.states),
                    ex.transitions, ex.depth, ex.seconds, peak_mb(), symmetry,
                    coverage=cov.by_rule() if cov else None)
    return add_verdicts(system, run, ex, props, overrides)


def run_result(system: System, ex: Exploration, props: list[PropertyDef], preset: str, variant: str,
               symmetry: bool, overrides: dict | None, engine: str = "explicit") -> RunResult:
    """Verdicts and cited traces from an exploration, whichever engine numbered its states."""
    if ex.reason == "interrupted":
        ex.reason = stop.requested() or ex.reason
    run = RunResult(variant, preset, engine, ex.complete, ex.reason, len(ex.states), ex.transitions,
                    ex.depth, ex.seconds, peak_mb(), symmetry)
    return add_verdicts(system, run, ex, props, overrides)


def add_verdicts(system: System, run: RunResult, ex: Exploration, props: list[PropertyDef],
                 overrides: dict | None = None) -> RunResult:
    """Decide each property from the exploration's hits and attach a concrete trace to each hit.
    `ex` needs only the paths to its hits (the distributed engine hands over just those)."""
    preset, variant, symmetry = run.preset, run.variant, run.symmetry
    for p in props:
        verdict, reason = decide(p, ex)
        res = PropertyResult(p.name, p.kind, p.cites, p.doc, p.topic, verdict, reason)
        if has_trace(verdict):
            check = system.predicate(p) if p.kind == "step" else None
            tr = concretise(system, ex, ex.hits[p.name], symmetry, check)
            loop_from = None
            if p.kind == Kind.PROGRESS:
                from .settling import extend_lasso
                tr, loop_from = extend_lasso(system, ex, tr, ex.hits[p.name].lasso, symmetry)
            engine = POR_TRACE if run.engine.endswith("+por") else run.engine
            res.trace = trace_record(system, tr, p, preset, variant, engine, overrides)
            res.trace.states = run.states   # the run's count: a cluster's `ex` holds only the hit paths
            res.trace.loop_from = loop_from
            res.depth = len(tr.steps)
        run.results.append(res)
    return run


__all__ = ["run_explicit", "trace_record", "HOLDS_WITHIN_BOUNDS", "UNKNOWN"]
