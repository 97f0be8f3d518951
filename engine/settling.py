"""Progress: from every reachable state, protocol steps alone can reach a settled state.

A state is *settled* when no protocol (non-environment) rule is enabled and the property's
predicate holds there (most catalogues say `True`: plain quiescence).  The claim fails at a
state from which no path of protocol edges leads to a settled state: the protocol can only
keep busy (a livelock, a message nobody consumes, a query answered forever).  This is decided
on the explored graph by backward reachability from the settled states over protocol edges,
so any engine that can hand over (number of states, edges, quiet flags) can use it.  The native
engine in fingerprint mode keeps no edges and decides the same claim per state while exploring
(engine/native/settle.c), with the same shallowest stuck state and lasso.

What it does not promise: that the protocol *will* settle.  No fairness is assumed, so a
scheduler that keeps choosing a loop while an exit exists is not a violation; nor is an
environment that never stops acting.  And it is decided on the bounded graph only.
"""
from __future__ import annotations

from array import array
from typing import Callable, Sequence


def can_settle(n: int, src: Sequence[int], dst: Sequence[int], protocol_edge: Sequence[bool],
               settled: Sequence[bool]) -> bytearray:
    """ok[i] = 1 when state i reaches a settled state along protocol edges (i itself included)."""
    # reverse adjacency in CSR form: preds of j are rev[start[j]:start[j+1]]
    start = array("i", bytes(4 * (n + 1)))
    for k, j in enumerate(dst):
        if protocol_edge[k]:
            start[j + 1] += 1
    for j in range(n):
        start[j + 1] += start[j]
    fill = array("i", start)
    rev = array("i", bytes(4 * start[n]))
    for k, j in enumerate(dst):
        if protocol_edge[k]:
            rev[fill[j]] = src[k]
            fill[j] += 1
    ok = bytearray(n)
    stack = [i for i in range(n) if settled[i]]
    for i in stack:
        ok[i] = 1
    while stack:
        j = stack.pop()
        for x in range(start[j], start[j + 1]):
            i = rev[x]
            if not ok[i]:
                ok[i] = 1
                stack.append(i)
    return ok


def lasso(first: int, src: Sequence[int], dst: Sequence[int], protocol_edge: Sequence[bool]) -> tuple[int, ...]:
    """From a stuck state, follow protocol edges until a state repeats: stem then cycle.

    Every protocol successor of a stuck state is stuck too (else the state could settle).  The
    walk ends either in a cycle (the last id occurs earlier) or, when the property's predicate
    narrows the settled states, in a quiet state where the predicate fails (no protocol edge).
    """
    succ: dict[int, int] = {}
    for k, i in enumerate(src):
        if protocol_edge[k] and i not in succ:
            succ[i] = dst[k]
    path, seen = [first], {first}
    while path[-1] in succ:
        nxt = succ[path[-1]]
        path.append(nxt)
        if nxt in seen:
            return tuple(path)
        seen.add(nxt)
    return tuple(path)


def decide_progress(system, ex, props: Sequence[tuple[str, Callable]]) -> None:
    """Record a Hit for every progress property that fails on the explored graph."""
    from .explore import Hit
    env = [r.env for r in system.rules]
    protocol_edge = [not env[k] for k in ex.edge_inst]
    n = len(ex.states)
    for name, pred in props:
        settled = [ex.quiet[i] and pred(ex.states[i]) for i in range(n)]
        ok = can_settle(n, ex.edge_src, ex.edge_dst, protocol_edge, settled)
        stuck = next((i for i in range(n) if not ok[i]), None)   # ids are BFS order: the shallowest
        if stuck is not None:
            ex.hits[name] = Hit(stuck, lasso=lasso(stuck, ex.edge_src, ex.edge_dst, protocol_edge))


def settles_from(system, state: bytes, pred: Callable[[bytes], bool]) -> bool:
    """Independent re-check for replay: explore protocol steps alone from `state` (no symmetry)."""
    from .compile import compile_successors_flagged
    succ = compile_successors_flagged([r for r in system.rules if not r.env])
    seen, todo = {state}, [state]
    while todo:
        s = todo.pop()
        out, busy = succ(s)
        if not busy and pred(s):
            return True
        for _, t in out:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return False


def extend_lasso(system, ex, trace, ids: Sequence[int], symmetry: bool):
    """Concrete protocol steps along the canonical lasso `ids`, appended to the trace to ids[0].

    Returns (trace, loop_from): the number of steps before the cycle starts (with symmetry on the
    cycle closes up to a permutation of MAGs or MNs), or None when the walk ends in a dead end.
    """
    from .trace import Trace, TraceStep
    canon = system.canon(symmetry)
    succ = system.successors
    env = [r.env for r in system.rules]
    cur, steps = trace.final, list(trace.steps)
    stem = len(steps)
    for j in ids[1:]:
        k, cur = next((k, t) for k, t in succ(cur) if not env[k] and canon(t) == ex.states[j])
        steps.append(TraceStep(k, cur))
    closes = ids[-1] in ids[:-1]
    return Trace(trace.init, tuple(steps)), (stem + ids.index(ids[-1]) if closes else None)
