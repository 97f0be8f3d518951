"""One explicit-engine run: explore, decide every property, turn hits into cited traces."""
from __future__ import annotations

from typing import Callable

from .api import PropertyDef, System
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


def decide(prop: PropertyDef, ex: Exploration) -> tuple[str, str]:
    if prop.name in ex.hits:
        return decided_by_trace(prop.kind), ""
    if ex.complete:
        return HOLDS_WITHIN_BOUNDS, ""
    return UNKNOWN, ex.reason


def run_explicit(system: System, preset: str, variant: str, names: set[str] | None = None,
                 symmetry: bool = True, budget: Budget = Budget(),
                 progress: Callable | None = None, overrides: dict | None = None) -> RunResult:
    props = [p for p in system.properties if names is None or p.name in names]
    ex = explore(system, Checks(system, {p.name for p in props}), symmetry, budget, progress)
    return run_result(system, ex, props, preset, variant, symmetry, overrides)


def run_result(system: System, ex: Exploration, props: list[PropertyDef], preset: str, variant: str,
               symmetry: bool, overrides: dict | None, engine: str = "explicit") -> RunResult:
    """Verdicts and cited traces from an exploration, whichever engine numbered its states."""
    run = RunResult(variant, preset, engine, ex.complete, ex.reason, len(ex.states), ex.transitions,
                    ex.depth, ex.seconds, peak_mb(), symmetry)
    for p in props:
        verdict, reason = decide(p, ex)
        res = PropertyResult(p.name, p.kind, p.cites, p.doc, p.topic, verdict, reason)
        if has_trace(verdict):
            check = system.predicate(p) if p.kind == "step" else None
            tr = concretise(system, ex, ex.hits[p.name], symmetry, check)
            res.trace = trace_record(system, tr, p, preset, variant, overrides=overrides)
            res.trace.states = len(ex.states)
            res.depth = len(tr.steps)
        run.results.append(res)
    return run


__all__ = ["run_explicit", "trace_record", "HOLDS_WITHIN_BOUNDS", "UNKNOWN"]
