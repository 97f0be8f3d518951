"""Exhaustive breadth-first exploration with shortest counterexamples.

States are numbered in discovery order; the list of states is also the BFS queue, so level
order, shortest traces and deterministic output all come from one list.  Parent links are one
compact integer array.  Properties are compiled predicates; the first hit of each (a
violation, or a witness for `reachable`) is kept with its state id.
"""
from __future__ import annotations

import resource
import time
from array import array
from dataclasses import dataclass, field
from typing import Callable

from .api import System
from .por import AmpleSets, por_tables


@dataclass
class Hit:
    state_id: int                 # canonical state where the property was decided
    inst: int | None = None       # for step properties: the violating rule instance
    target: bytes | None = None   # for step properties: the concrete successor
    lasso: tuple[int, ...] = ()   # for progress: canonical state ids from state_id round a cycle


@dataclass(frozen=True)
class Budget:
    max_states: int | None = None
    seconds: float | None = None
    memory_mb: float | None = None   # the process's peak resident memory


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def over_memory(budget: Budget) -> bool:
    return bool(budget.memory_mb) and peak_mb() >= budget.memory_mb


@dataclass
class Exploration:
    states: list[bytes]
    parent: array
    depth: int = 0
    transitions: int = 0
    complete: bool = True
    reason: str = ""
    seconds: float = 0.0
    hits: dict[str, Hit] = field(default_factory=dict)
    expanded: int = 0             # states whose successors are done; the rest is the queue
    # the graph, kept only when asked (progress properties, mutation): edge k goes from
    # edge_src[k] to edge_dst[k] by rule instance edge_inst[k]; quiet[i] = no protocol rule enabled
    edge_src: array | None = None
    edge_dst: array | None = None
    edge_inst: array | None = None
    quiet: bytearray | None = None
    # why progress properties were not decided on this run's graph ("" once they were): the
    # cluster engine keeps no edges, and a partial-order-reduced graph may hide the way out
    no_progress: str = "this engine keeps no edges, which progress needs"
    undecided: dict[str, str] = field(default_factory=dict)   # progress claims left UNKNOWN, and why


class Checks:
    """Compiled property predicates, split by when they are evaluated."""

    def __init__(self, system: System, names: set[str] | None = None):
        props = [p for p in system.properties if names is None or p.name in names]
        self.props = props
        self.state: list = []   # (name, fn, wanted) evaluated on every new state
        self.quiet: list = []   # (name, fn) evaluated where no protocol rule is enabled
        self.step: list = []    # (name, fn) evaluated on every transition
        self.progress: list = []   # (name, fn): decided on the whole graph once explored
        for p in props:
            fn = system.predicate(p)
            if p.kind == "progress":
                self.progress.append((p.name, fn))
            elif p.kind == "invariant":
                self.state.append((p.name, fn, False))
            elif p.kind == "reachable":
                self.state.append((p.name, fn, True))
            elif p.kind == "quiescent":
                self.quiet.append((p.name, fn))
            else:
                self.step.append((p.name, fn))


def explore(system: System, checks: Checks, symmetry: bool = True, budget: Budget = Budget(),
            progress: Callable[[Exploration, float], bool | None] | None = None, por: bool = False,
            coverage: Callable[[list], None] | None = None, edges: bool = False) -> Exploration:
    succ = system.successors_flagged()
    canon = system.canon(symmetry)
    ample = AmpleSets(por_tables(system, checks.props)) if por else None
    ex = Exploration(states=[], parent=array("q"))
    index: dict[bytes, int] = {}
    hits = ex.hits
    # the lists shrink as properties are decided, so decided properties cost nothing afterwards
    state_checks, quiet_checks, step_checks = list(checks.state), list(checks.quiet), list(checks.step)
    t0 = time.monotonic()
    if edges or checks.progress:
        ex.edge_src, ex.edge_dst, ex.edge_inst, ex.quiet = array("i"), array("i"), array("i"), bytearray()
    record = ex.edge_src is not None

    def add(state: bytes, parent: int) -> None:
        sid = len(ex.states)
        index[state] = sid
        ex.states.append(state)
        ex.parent.append(parent)
        for c in [c for c in state_checks if c[1](state) == c[2]]:
            hits[c[0]] = Hit(sid)
            state_checks.remove(c)

    for s0 in system.init:
        c0 = canon(s0)
        if c0 not in index:
            add(c0, -1)
    level_end, i = len(ex.states), 0
    try:
        while i < len(ex.states):
            if i == level_end:
                ex.depth += 1
                level_end = len(ex.states)
            s = ex.states[i]
            out, protocol = succ(s)
            if ample is not None:   # `protocol` stays the full set's: quiescence is judged on it
                out = ample.reduce(s, out, protocol, lambda t: index.get(t, index.get(canon(t), level_end)) < level_end)
            ex.transitions += len(out)
            if coverage is not None:
                coverage(out)
            for k, t in out:
                for c in step_checks:
                    if not c[1](s, t):
                        hits[c[0]] = Hit(i, k, t)
                        step_checks = [x for x in step_checks if x is not c]
                j = index.get(t)   # a stored state is canonical already: skip the permutations
                if j is None:
                    t = canon(t)
                    j = index.get(t)
                    if j is None:
                        j = len(ex.states)
                        add(t, i)
                if record:
                    ex.edge_src.append(i), ex.edge_dst.append(j), ex.edge_inst.append(k)
            if record:
                ex.quiet.append(not protocol)
            if not protocol and quiet_checks:
                for c in [c for c in quiet_checks if not c[1](s)]:
                    hits[c[0]] = Hit(i)
                    quiet_checks.remove(c)
            i += 1
            if budget.max_states and len(ex.states) >= budget.max_states and i < len(ex.states):
                ex.complete, ex.reason = False, f"max-states {budget.max_states} reached"
                break
            if i & 1023 == 0:
                elapsed = time.monotonic() - t0
                if progress:
                    ex.expanded = i
                    if progress(ex, elapsed):   # the caller has seen enough
                        ex.complete, ex.reason = False, "stopped by the caller"
                        break
                if budget.seconds and elapsed >= budget.seconds:
                    ex.complete, ex.reason = False, f"time budget {budget.seconds:g}s reached"
                    break
                if over_memory(budget):
                    ex.complete, ex.reason = False, "memory"   # the reason the stop session gives too
                    break
    except KeyboardInterrupt:
        ex.complete, ex.reason = False, "interrupted"
    if checks.progress and ex.complete:
        if por:   # the ample sets preserve what the other kinds see, not every way to settle
            ex.no_progress = "por: progress is not decided on a partial-order-reduced graph"
        else:
            from .settling import decide_progress
            decide_progress(system, ex, checks.progress)
            ex.no_progress = ""
    ex.seconds = time.monotonic() - t0
    return ex
