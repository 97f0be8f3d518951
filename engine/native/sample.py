"""Reachable states for invariant discovery, from the native engine: every depth, every symmetry.

Discovery filters candidate clauses by reachable states.  The Python explorer, in its budget,
sees only the shallow levels of a large preset (three-mags: a few levels of 10 million states),
so clauses true there but false deeper survive the filter and cost Houdini a round each, and
the explored states are a poor oracle for generalising counterexamples to induction.  The native
engine explores the whole symmetry-reduced space in seconds; this module keeps an evenly spaced
sample of its states (state ids are in BFS order, so every depth is represented) and adds each
one's images under the symmetry group, since a clause filter must see concrete states.
"""
from __future__ import annotations

import ctypes
from typing import Callable, Sequence

from ..api import System
from ..explore import Budget
from ..symmetry import compile_permuters
from .build import build
from .gen import generate
from .run import NativeExploration, NativeStats, _counts, _explore, _masks


def sample_states(system: System, names: set[str], budget: Budget, keep: int,
                  progress: Callable | None = None,
                  every: Callable | None = None) -> tuple[NativeExploration, list[bytes]]:
    """(the exploration, its hits and completeness; at most `keep` concrete reachable states).

    The sample is the initial states, then representatives spaced evenly over the state ids,
    each with all its symmetric images; duplicates removed, order kept (shallow first).
    `every(chunks, complete)`, when given, sees every stored representative (an iterator over
    runs of packed states) before the engine's memory is freed."""
    src, layout = generate(system)
    lib, _ = build(src)
    n = system.schema.nslots
    limit = int(budget.memory_mb * 2**20) if budget.memory_mb else 0
    ctx = lib.nm_new(1, 1, 0, budget.max_states or 0, limit, *_masks(layout, names), 0, 0, 0)   # no graph, coverage, POR
    if not ctx:
        return NativeExploration(states=[], parent=None, complete=False, reason="no memory"), []
    try:
        ex = _explore(lib, ctx, system, layout, n, budget, progress, NativeStats(), True, [], "")
        count = _counts(lib, ctx)[0]
        perms = compile_permuters(system.schema)
        reps = max(1, keep // (len(perms) + 1))
        buf = ctypes.create_string_buffer(n)
        picked = _spread(count, reps)
        out: dict[bytes, None] = {}

        def orbit(s: bytes) -> None:   # whole orbits only: the sample is closed under symmetry
            out[s] = None
            for p in perms:
                out[p(s)] = None
        for s in system.init:
            orbit(s)
        for sid in picked:
            if len(out) + len(perms) + 1 > keep:
                break
            if lib.nm_state(ctx, sid, buf):
                orbit(buf.raw)
        if every is not None:
            every(_runs(lib, ctx, count, n), ex.complete)
    finally:
        lib.nm_free(ctx)
    return ex, list(out)


def _spread(count: int, k: int) -> Sequence[int]:
    """k ids spread evenly over 0..count-1 (all of them when there are fewer)."""
    if count <= k:
        return range(count)
    return [i * count // k for i in range(k)]


def _runs(lib, ctx, count: int, n: int, per: int = 1 << 20):
    """Every stored state, `per` at a time, as one bytes object of packed states per run."""
    buf = ctypes.create_string_buffer(n)
    for lo in range(0, count, per):
        run = bytearray()
        for sid in range(lo, min(count, lo + per)):
            if lib.nm_state(ctx, sid, buf):
                run += buf.raw
        yield bytes(run)
