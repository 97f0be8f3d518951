"""One explicit-engine run: explore, decide every property, turn hits into cited traces."""
from __future__ import annotations

import resource
from typing import Callable

from .api import PropertyDef, System
from .compile import compile_predicate
from .explore import Budget, Checks, Exploration, explore
from .results import HOLDS_WITHIN_BOUNDS, UNKNOWN, VIOLATED, PropertyResult, RunResult, StepRecord, TraceRecord
from .trace import Trace, concretise


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


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
                       dict(overrides or {}))


def decide(prop: PropertyDef, ex: Exploration) -> tuple[str, str]:
    hit = prop.name in ex.hits
    if hit:
        return VIOLATED, ""
    if ex.complete:
        return HOLDS_WITHIN_BOUNDS, ""
    return UNKNOWN, ex.reason


def run_explicit(system: System, preset: str, variant: str, names: set[str] | None = None,
                 symmetry: bool = True, budget: Budget = Budget(),
                 progress: Callable | None = None, overrides: dict | None = None) -> RunResult:
    props = [p for p in system.properties if names is None or p.name in names]
    ex = explore(system, Checks(system, {p.name for p in props}), symmetry, budget, progress)
    run = RunResult(variant, preset, "explicit", ex.complete, ex.reason, len(ex.states), ex.transitions,
                    ex.depth, ex.seconds, peak_mb(), symmetry)
    for p in props:
        verdict, reason = decide(p, ex)
        res = PropertyResult(p.name, p.kind, p.cites, p.doc, p.topic, verdict, reason)
        if verdict == VIOLATED:
            check = compile_predicate(system.prop_expr(p), step=True) if p.kind == "step" else None
            tr = concretise(system, ex, ex.hits[p.name], symmetry, check)
            loop_from = None
            if p.kind == "progress":
                from .progress import extend_lasso
                tr, loop_from = extend_lasso(system, ex, tr, ex.hits[p.name].lasso, symmetry)
            res.trace = trace_record(system, tr, p, preset, variant, overrides=overrides)
            res.trace.loop_from = loop_from
            res.depth = len(tr.steps)
        run.results.append(res)
    return run


__all__ = ["run_explicit", "trace_record", "HOLDS_WITHIN_BOUNDS", "UNKNOWN"]
