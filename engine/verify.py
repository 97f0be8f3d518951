"""Replay that re-derives, never believes: a trace file is a claim, checked against the model.

The file names a preset, a variant, bound overrides, a property, an initial state and rule
firings.  Every other fact is recomputed: the property's kind and statement come from the
catalogue, the initial state must be (up to symmetry) one of the model's initial states, each
step is re-executed and its delta, cites and env flag must equal what the model produces, and
the verdict is re-checked on the final state (or final step).
"""
from __future__ import annotations

from dataclasses import dataclass

from .api import PropertyDef, System
from .results import TraceRecord
from .schema import SchemaError
from .symmetry import canonicaliser
from .trace import ReplayError, Trace, is_quiescent, replay, violates


class Rejected(ValueError):
    """The file is not a faithful record of the model's execution (exit 2)."""


class NotShown(ValueError):
    """A faithful execution that does not end in the claimed verdict (exit 1)."""


@dataclass(frozen=True)
class Verified:
    system: System
    prop: PropertyDef      # from the catalogue, not from the file
    trace: Trace

    @property
    def word(self) -> str:
        return "witnessed" if self.prop.kind == "reachable" else "violated"


def build(provider, rec: TraceRecord) -> System:
    try:
        return provider.build(rec.preset, rec.variant, **rec.overrides)
    except (*provider.BAD_INPUT, SchemaError) as e:
        raise Rejected(str(e)) from None


def verify(provider, rec: TraceRecord) -> Verified:
    system = build(provider, rec)
    prop = next((p for p in system.properties if p.name == rec.property), None)
    if prop is None:
        raise Rejected(f"property: no property {rec.property!r} in the catalogue")
    if rec.kind != prop.kind:
        raise Rejected(f"kind: the file says {rec.kind!r}, the catalogue says {prop.name} is '{prop.kind}'")
    for name, claimed, actual in (("cites", rec.cites, prop.cites), ("statement", rec.statement, prop.doc)):
        if claimed and claimed != actual:
            raise Rejected(f"{name}: the file says {claimed!r}, the catalogue says {actual!r}")
    trace = reexecute(system, rec)
    check_loop(system, rec, trace)
    if not violates(system, prop.name, trace, is_quiescent(system)):
        word = "witnessed" if prop.kind == "reachable" else "violated"
        raise NotShown(f"the trace replays but {prop.name} is not {word} at its end")
    return Verified(system, prop, trace)


def reexecute(system: System, rec: TraceRecord) -> Trace:
    """The trace's states, recomputed; Rejected at the first thing the model would not produce."""
    sc = system.schema
    try:
        init = sc.encode(rec.init)
    except SchemaError as e:
        raise Rejected(f"init: {e}") from None
    canon = canonicaliser(sc, True)
    if canon(init) not in {canon(s) for s in system.init}:
        raise Rejected(f"init: not an initial state of preset {rec.preset}, variant {rec.variant}"
                       + (" with these overrides" if rec.overrides else ""))
    try:
        trace = replay(system, init, [(st.rule, st.args) for st in rec.steps])
    except ReplayError as e:
        raise Rejected(str(e)) from None
    states = trace.states()
    for n, (st, done) in enumerate(zip(rec.steps, trace.steps)):
        rule = system.rules[done.inst]
        if st.cites != rule.rule.cites:
            raise Rejected(f"steps[{n}].cites: the file says {st.cites!r}, the rule cites {rule.rule.cites!r}")
        if st.env != rule.env:
            raise Rejected(f"steps[{n}].env: the file says {str(st.env).lower()}, "
                           f"the rule says {str(rule.env).lower()}")
        delta = [list(d) for d in sc.delta(states[n], done.state)]
        if st.delta != delta:
            raise Rejected(f"steps[{n}].delta: differs from the model's ({_first_difference(st.delta, delta)})")
    return trace


def check_loop(system: System, rec: TraceRecord, trace: Trace) -> None:
    """A claimed cycle must be one: protocol steps only, back to the state it starts from (up to
    symmetry, as the search found it).  Only progress traces carry one."""
    if rec.loop_from is None:
        return
    if rec.kind != "progress":
        raise Rejected(f"loop_from: only a progress trace has a cycle, this one is '{rec.kind}'")
    for n in range(rec.loop_from, len(rec.steps)):
        if rec.steps[n].env:
            raise Rejected(f"loop_from: steps[{n}] is an environment step, the cycle must be protocol steps")
    canon = canonicaliser(system.schema, True)
    states = trace.states()
    if canon(states[rec.loop_from]) != canon(states[-1]):
        raise Rejected(f"loop_from: the state after {rec.loop_from} steps is not the final state, no cycle")


def _first_difference(claimed: list, actual: list) -> str:
    for a, b in zip(claimed, actual):
        if a != b:
            return f"file {' '.join(a)!r}, model {' '.join(b)!r}"
    if len(claimed) > len(actual):
        return f"the model does not change {claimed[len(actual)][0]}"
    return f"the file omits {actual[len(claimed)][0]}"
