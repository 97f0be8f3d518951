"""Exhaustive breadth-first exploration with shortest counterexamples.

States are numbered in discovery order; the list of states is also the BFS queue, so level
order, shortest traces and deterministic output all come from one list.  Parent links are two
compact integer arrays.  Properties are compiled predicates; the first hit of each (a
violation, or a witness for `reachable`) is kept with its state id.
"""
from __future__ import annotations

import time
from array import array
from dataclasses import dataclass, field
from typing import Callable

from .api import System
from .compile import compile_predicate, compile_successors
from .symmetry import canonicaliser


@dataclass
class Hit:
    state_id: int                 # canonical state where the property was decided
    inst: int | None = None       # for step properties: the violating rule instance
    target: bytes | None = None   # for step properties: the concrete successor


@dataclass(frozen=True)
class Budget:
    max_states: int | None = None
    seconds: float | None = None


@dataclass
class Exploration:
    states: list[bytes]
    parent: array
    via: array
    depth: int = 0
    transitions: int = 0
    complete: bool = True
    reason: str = ""
    seconds: float = 0.0
    hits: dict[str, Hit] = field(default_factory=dict)
    deadlocks: int = 0            # states with no successor at all (declared terminal by quiescence)


class Checks:
    """Compiled property predicates, split by when they are evaluated."""

    def __init__(self, system: System, names: set[str] | None = None):
        props = [p for p in system.properties if names is None or p.name in names]
        self.state = []       # (name, fn, wanted) evaluated on every new state
        self.quiet = []       # evaluated where no protocol rule is enabled
        self.step = []
        for p in props:
            fn = compile_predicate(system.prop_expr(p), step=p.kind == "step")
            if p.kind == "invariant":
                self.state.append((p.name, fn, False))
            elif p.kind == "reachable":
                self.state.append((p.name, fn, True))
            elif p.kind == "quiescent":
                self.quiet.append((p.name, fn))
            else:
                self.step.append((p.name, fn))


def explore(system: System, checks: Checks, symmetry: bool = True, budget: Budget = Budget(),
            progress: Callable[[Exploration, float], None] | None = None) -> Exploration:
    succ = compile_successors(system.rules)
    canon = canonicaliser(system.schema, symmetry)
    env = bytes(1 if r.env else 0 for r in system.rules)
    ex = Exploration(states=[], parent=array("q"), via=array("i"))
    index: dict[bytes, int] = {}
    t0 = time.monotonic()
    hits = ex.hits

    def add(state: bytes, parent: int, via: int) -> None:
        if state in index:
            return
        sid = len(ex.states)
        index[state] = sid
        ex.states.append(state)
        ex.parent.append(parent)
        ex.via.append(via)
        for name, fn, wanted in checks.state:
            if name not in hits and fn(state) == wanted:
                hits[name] = Hit(sid)

    for s0 in system.init:
        add(canon(s0), -1, -1)
    level_end, i = len(ex.states), 0
    try:
        while i < len(ex.states):
            if i == level_end:
                ex.depth += 1
                level_end = len(ex.states)
            s = ex.states[i]
            out = succ(s)
            ex.transitions += len(out)
            if not out:
                ex.deadlocks += 1
            for k, t in out:
                for name, fn in checks.step:
                    if name not in hits and not fn(s, t):
                        hits[name] = Hit(i, k, t)
                add(canon(t), i, k)
            if checks.quiet and not any(env[k] == 0 for k, _ in out):
                for name, fn in checks.quiet:
                    if name not in hits and not fn(s):
                        hits[name] = Hit(i)
            i += 1
            if budget.max_states and len(ex.states) >= budget.max_states and i < len(ex.states):
                ex.complete, ex.reason = False, f"max-states {budget.max_states} reached"
                break
            if i & 1023 == 0:
                elapsed = time.monotonic() - t0
                if progress:
                    progress(ex, elapsed)
                if budget.seconds and elapsed >= budget.seconds:
                    ex.complete, ex.reason = False, f"time budget {budget.seconds:g}s reached"
                    break
    except KeyboardInterrupt:
        ex.complete, ex.reason = False, "interrupted"
    ex.seconds = time.monotonic() - t0
    return ex
