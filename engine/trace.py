"""Concrete traces: from a path of canonical states back to real rule firings, and replay.

With symmetry on, the explorer stores canonical representatives, and the rule recorded on a
parent link fired on a *representative*, not on the state a reader would follow.  We therefore
re-derive each step from the concrete state: the first rule instance (in instance order, so the
result is deterministic) whose successor is equivalent to the next state on the path.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from .api import System
from .explore import Exploration, Hit


class ReplayError(ValueError):
    pass


@dataclass(frozen=True)
class TraceStep:
    inst: int
    state: bytes   # the state after the step


@dataclass(frozen=True)
class Trace:
    init: bytes
    steps: tuple[TraceStep, ...]

    @property
    def final(self) -> bytes:
        return self.steps[-1].state if self.steps else self.init

    def states(self) -> list[bytes]:
        return [self.init] + [s.state for s in self.steps]


def canonical_path(ex: Exploration, sid: int) -> list[int]:
    path = []
    while sid >= 0:
        path.append(sid)
        sid = ex.parent[sid]
    return path[::-1]


def concretise(system: System, ex: Exploration, hit: Hit, symmetry: bool,
               step_check: Callable | None = None) -> Trace:
    canon, succ = system.canon(symmetry), system.successors
    path = [ex.states[i] for i in canonical_path(ex, hit.state_id)]
    init = next(s for s in system.init if canon(s) == path[0])
    cur, steps = init, []
    for nxt in path[1:]:
        k, cur = next((k, t) for k, t in succ(cur) if canon(t) == nxt)
        steps.append(TraceStep(k, cur))
    if hit.inst is not None:   # a step property: find the equivalent violating transition
        goal = canon(hit.target)
        k, t = next((k, t) for k, t in succ(cur)
                    if canon(t) == goal and (step_check is None or not step_check(cur, t)))
        steps.append(TraceStep(k, t))
    return Trace(init, tuple(steps))


def replay(system: System, init: bytes, labelled_steps: Sequence[tuple[str, Sequence[str]]]) -> Trace:
    """Re-execute named rule firings; every guard must hold.  Raises ReplayError otherwise."""
    system.schema.check(init)
    cur, steps = init, []
    for n, (name, args) in enumerate(labelled_steps, 1):
        try:
            cur = system.fire(cur, name, *args)
        except ReplayError as e:
            raise ReplayError(f"step {n}: {e}") from None
        steps.append(TraceStep(system.find_instance(name, args).index, cur))
    return Trace(init, tuple(steps))


def violates(system: System, prop_name: str, trace: Trace, quiescent_ok: Callable[[bytes], bool]) -> bool:
    """Does the trace end in a state (or step) that violates / witnesses the named property?"""
    p = system.property(prop_name)
    fn = system.predicate(p)
    final = trace.final
    if p.kind == "invariant":
        return not fn(final)
    if p.kind == "reachable":
        return fn(final)
    if p.kind == "quiescent":
        return quiescent_ok(final) and not fn(final)
    if p.kind == "progress":
        from .settling import settles_from
        return not settles_from(system, final, fn)
    if not trace.steps:
        return False
    before = trace.states()[-2]
    return not fn(before, final)


def is_quiescent(system: System) -> Callable[[bytes], bool]:
    succ = system.successors_flagged()
    return lambda s: not succ(s)[1]
