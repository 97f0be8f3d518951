"""Drive the compiled engine in chunks and turn its findings into the Python engine's results.

The C side numbers states exactly as engine/explore.py does, so its parent links, rule indices and
first hits feed the unchanged concretise/trace_record code: a report does not depend on which
engine found it.  Chunks are sized to take a fraction of a second, so progress lines, budgets and
Ctrl-C behave as they do in the Python engine.
"""
from __future__ import annotations

import ctypes
import os
import time
from dataclasses import dataclass, field
from typing import Callable

from ..api import System
from ..explore import Budget, Exploration, Hit, over_memory
from .build import build
from .gen import Layout, generate

MORE, DONE, LIMIT, MEMORY, RANGE = 0, 1, 2, 3, -1
CHUNK_SECONDS = 0.25


class NativeError(RuntimeError):
    """The model stored a value outside a slot's domain, or the engine could not start."""


class _Lazy:
    """A read-only sequence whose items come from the C side on demand (trace reconstruction)."""

    def __init__(self, n: int, get: Callable[[int], object], extra: dict | None = None):
        self._n, self._get, self._extra = n, get, extra or {}

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int):
        if i in self._extra:   # lasso states past the stored ones (settle.c gives states, not ids)
            return self._extra[i]
        if not -self._n <= i < self._n:
            raise IndexError(i)
        return self._get(i % self._n)


@dataclass
class NativeStats:
    codegen_s: float = 0.0
    compile_s: float = 0.0
    bytes_per_state: float = 0.0
    workers: int = 1
    memory_bytes: int = 0
    levels: list[int] = field(default_factory=list)   # states per BFS level
    omission: float | None = None   # with fingerprints: bound on the chance a state was missed
    por_reduced: int = 0            # --por: states expanded through a proper subset
    por_pruned: int = 0             # --por: transitions not taken
    edges: int = 0                  # protocol edges kept for progress claims (0: none kept)
    graph_bytes: int = 0            # what they cost, included in memory_bytes
    settle: dict | None = None      # fingerprints: what deciding progress while exploring cost (settle.c)
    table_load: float = 0.0         # the visited table's fill at the end: past 0.7 when doubling did not fit

    @property
    def bytes_per_edge(self) -> float:
        return self.graph_bytes / self.edges if self.edges else 0.0


@dataclass
class NativeExploration(Exploration):
    stats: NativeStats = field(default_factory=NativeStats)
    coverage: dict | None = None   # engine/coverage.py's by_rule(), when asked


FP_NO_PROGRESS = ("fingerprints: more progress claims than settle.c has mark bits for; "
                  "run without --fingerprints")
# settle.c's bounds: a greedy walk of K protocol steps, then a local search of at most L states
SETTLE_K, SETTLE_L = 256, 1_000_000
POR_NO_PROGRESS = "por: progress is not decided on a partial-order-reduced graph"


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _masks(layout: Layout, names: set[str] | None) -> tuple[int, int, int]:
    """Bits set for properties this run does not check: the C side treats them as decided."""
    def mask(items) -> int:
        return sum(1 << j for j, n in enumerate(items) if names is not None and n not in names)
    return mask([n for n, _ in layout.state]), mask(layout.quiet), mask(layout.step)


def explore_native(system: System, names: set[str] | None = None, symmetry: bool = True,
                   budget: Budget = Budget(), progress: Callable | None = None,
                   workers: int | None = None, fingerprints: bool = False,
                   coverage: bool = False, por: bool = False,
                   settle: tuple[int, int] = (SETTLE_K, SETTLE_L)) -> NativeExploration:
    """With `fingerprints`, the table keeps 64-bit hashes instead of states (TLC-style hash
    compaction): less memory, no state comparison, and a small chance that two distinct states
    share a hash and one is never explored; `stats.omission` bounds that chance.  Progress claims
    are then decided while exploring (settle.c) within `settle` = (K walk steps, L local states)."""
    t0 = time.monotonic()
    tables = None
    if por:   # the tables depend on what is checked: visibility (engine/por.py)
        from ..por import por_tables
        tables = por_tables(system, [p for p in system.properties if names is None or p.name in names])
    src, layout = generate(system, tables)
    stats = NativeStats(codegen_s=time.monotonic() - t0, workers=workers or default_workers())
    lib, stats.compile_s = build(src)
    n = system.schema.nslots
    limit = int(budget.memory_mb * 2**20) if budget.memory_mb else 0   # the tables alone, checked per chunk
    progress_names = [p for p in layout.progress if names is None or p in names]
    ctx = lib.nm_new(stats.workers, int(symmetry), int(fingerprints), budget.max_states or 0, limit,
                     *_masks(layout, names), int(bool(progress_names)), int(coverage), int(por))
    if not ctx:
        raise NativeError("the native engine could not allocate its tables")
    no_graph = "por" if por else "fingerprints" if fingerprints else ""
    if no_graph == "fingerprints" and progress_names and lib.nm_settle(ctx, _progress_mask(layout, progress_names),
                                                                       *settle):
        no_graph, stats.settle = "settle", {"walk_steps_max": settle[0], "local_states_max": settle[1]}
    try:
        ex = _explore(lib, ctx, system, layout, n, budget, progress, stats, symmetry, progress_names, no_graph)
        if coverage:
            ex.coverage = _coverage(lib, ctx, system)
        return ex
    finally:
        lib.nm_free(ctx)


def _progress_mask(layout: Layout, names: list[str]) -> int:
    return sum(1 << j for j, p in enumerate(layout.progress) if p in names)


def table_load(lib, ctx) -> float:
    out = (ctypes.c_uint64 * 2)()
    lib.nm_table(ctx, out)
    return out[1] / out[0]


def _counts(lib, ctx) -> list[int]:
    out = (ctypes.c_uint64 * 5)()
    lib.nm_counts(ctx, out)
    return list(out)


def _explore(lib, ctx, system: System, layout: Layout, n: int, budget: Budget, progress, stats,
             symmetry: bool, progress_names: list[str], no_graph: str) -> NativeExploration:
    ex = NativeExploration(states=[], parent=None, stats=stats)
    t0 = time.monotonic()
    for s0 in system.init:
        system.schema.check(s0)
        if lib.nm_add_init(ctx, s0) == 0:
            ex.complete, ex.reason = False, "out of memory"
    chunk, status = 256, MORE
    try:
        while status == MORE and ex.complete:
            c0 = time.monotonic()
            if budget.max_states:   # near the limit, small chunks: overshoot it by little
                chunk = max(1, min(chunk, budget.max_states - _counts(lib, ctx)[0]))
            status = lib.nm_run(ctx, chunk)
            took = time.monotonic() - c0
            chunk = max(64, min(chunk * 4, int(chunk * CHUNK_SECONDS / max(took, 1e-4))))
            elapsed = time.monotonic() - t0
            ex.depth = _counts(lib, ctx)[2]
            if progress:
                ex.states = _Lazy(_counts(lib, ctx)[0], None)
                progress(ex, elapsed)
            if status == MORE and budget.seconds and elapsed >= budget.seconds:
                ex.complete, ex.reason = False, f"time budget {budget.seconds:g}s reached"
            elif status == MORE and over_memory(budget):
                status = MEMORY
    except KeyboardInterrupt:
        ex.complete, ex.reason = False, "interrupted"
    if status == RANGE:
        err = (ctypes.c_int64 * 4)()
        lib.nm_error(ctx, err)
        sid, k, slot, value = list(err)
        sc = system.schema
        raise NativeError(f"{system.instance_label(system.rules[k])} stores {value} into {sc.slot_name(slot)}, "
                          f"outside its domain of {sc.slot_domain(slot).size} values")
    if status == LIMIT:
        ex.complete, ex.reason = False, f"max-states {budget.max_states} reached"
    elif status == MEMORY:
        ex.complete, ex.reason = False, "memory" if budget.memory_mb else "out of memory"
    count, ex.transitions, ex.depth, _, used = _counts(lib, ctx)
    graph = (ctypes.c_uint64 * 2)()
    lib.nm_graph(ctx, graph)
    stats.edges, stats.graph_bytes = graph
    extra: dict[int, bytes] = {}   # lasso states settle.c found, numbered from `count` on
    # settle.c decides while exploring: a stuck state it found is one however far the search went
    decided = ex.complete or no_graph == "settle"
    lasso = _progress(lib, ctx, ex, layout, progress_names, no_graph, extra, n) if decided else {}
    if stats.settle is not None:
        _settle_stats(lib, ctx, stats, ex.transitions)
    pr = (ctypes.c_uint64 * 2)()
    lib.nm_por(ctx, pr)
    stats.por_reduced, stats.por_pruned = pr
    ex.seconds = time.monotonic() - t0
    stats.memory_bytes = used
    stats.table_load = table_load(lib, ctx)
    stats.bytes_per_state = (used - stats.graph_bytes) / max(count, 1)   # the graph is reported per edge
    levels = (ctypes.c_uint64 * (ex.depth + 2))()
    filled = lib.nm_levels(ctx, levels)
    stats.levels = list(levels)[:filled]   # a last entry still growing, if incomplete
    if lib.nm_fingerprints(ctx):   # pairs of states that could share a fingerprint (settle.c marks take bits)
        bits = 64 - (len(layout.progress) if stats.settle is not None else 0)
        stats.omission = min(1.0, count * count / 2.0 ** (bits + 1))
    ex.hits = _hits(lib, ctx, layout, n)
    ex.hits.update(lasso)
    _attach_states(ex, lib, ctx, count, n, system, symmetry, extra)
    return ex


def _settle_stats(lib, ctx, stats: NativeStats, transitions: int) -> None:
    out = (ctypes.c_uint64 * 7)()
    lib.nm_settle_stats(ctx, out)
    checks, known, steps, searches, searched, most, ns = out   # ns: walks and searches, summed over workers
    stats.settle.update(checks=checks, known_at_once=known, walk_steps=steps, local_searches=searches,
                        local_states=searched, local_states_largest=most, walk_s=round(ns / 1e9, 3),
                        # successor computations the checks made, against the search's transitions
                        extra_pct=round(100.0 * (steps + searched) / max(transitions, 1), 2))


def _progress(lib, ctx, ex: NativeExploration, layout: Layout, names: list[str], no_graph: str,
              extra: dict[int, bytes], n: int) -> dict[str, Hit]:
    """Progress claims decided on the kept protocol edges (engine/settling.py's definition):
    a Hit at the shallowest state that cannot settle, with its lasso."""
    if not names:
        return {}
    if no_graph == "settle":
        return _settled(lib, ctx, ex, layout, names, extra, n)
    if no_graph:
        ex.no_progress = POR_NO_PROGRESS if no_graph == "por" else FP_NO_PROGRESS
        return {}
    status = lib.nm_progress(ctx, sum(1 << j for j, p in enumerate(layout.progress) if p in names))
    if status:
        ex.no_progress = ("memory: the reverse edge index for progress does not fit the memory budget"
                          if status == 1 else "more than 2^32 protocol edges: progress not decided")
        return {}
    ex.no_progress = ""
    hits: dict[str, Hit] = {}
    for j, name in enumerate(layout.progress):
        if name not in names:
            continue
        size, cap = ctypes.c_uint64(), 64
        while True:
            buf = (ctypes.c_uint32 * cap)()
            stuck = lib.nm_stuck(ctx, j, buf, cap, ctypes.byref(size))
            if size.value <= cap:
                break
            cap = size.value
        if stuck >= 0:
            hits[name] = Hit(stuck, lasso=tuple(buf[:size.value]))
    return hits


def _coverage(lib, ctx, system: System) -> dict:
    from ..coverage import Coverage
    cov = Coverage(system)
    fired, enabled = (ctypes.c_uint64 * len(system.rules))(), (ctypes.c_uint64 * lib.nm_nrulenames())()
    lib.nm_coverage(ctx, fired, enabled)
    cov.fired, cov.enabled = list(fired), list(enabled)
    return cov.by_rule()


def _hits(lib, ctx, layout: Layout, n: int) -> dict[str, Hit]:
    hits: dict[str, Hit] = {}
    k, target = ctypes.c_int64(), ctypes.create_string_buffer(n)
    for kind, names in ((0, [name for name, _ in layout.state]), (1, layout.quiet), (2, layout.step)):
        for j, name in enumerate(names):
            sid = lib.nm_hit(ctx, kind, j, ctypes.byref(k), target)
            if sid >= 0:
                hits[name] = Hit(sid, k.value, target.raw) if kind == 2 else Hit(sid)
    return hits


def _attach_states(ex: NativeExploration, lib, ctx, count: int, n: int, system: System, symmetry: bool,
                   extra: dict[int, bytes]) -> None:
    """Copy out what trace reconstruction reads (the C tables are freed after the run).  A state
    whose block is gone (fingerprint mode) is re-derived: its recorded rule applied to its parent,
    then canonicalised, exactly as the engine derived it."""
    wanted: list[int] = []
    parents: dict[int, int] = {}
    for hit in ex.hits.values():
        sid = hit.state_id
        while sid >= 0 and sid not in parents:
            wanted.append(sid)
            parents[sid] = sid = lib.nm_parent(ctx, sid)
    on_lasso = {j for hit in ex.hits.values() for j in hit.lasso} - extra.keys()   # exact mode: all stored
    buf = ctypes.create_string_buffer(n)
    states: dict[int, bytes] = {}
    roots = None
    for sid in sorted(wanted):   # parents have smaller ids than their children
        if lib.nm_state(ctx, sid, buf):
            states[sid] = buf.raw
            continue
        canon = system.canon(symmetry)
        if parents[sid] < 0:
            roots = roots or list(dict.fromkeys(canon(s) for s in system.init))
            states[sid] = roots[sid]
        else:
            _, apply = system.instance(lib.nm_via(ctx, sid))
            states[sid] = canon(apply(states[parents[sid]]))
    for sid in on_lasso - states.keys():
        lib.nm_state(ctx, sid, buf)
        states[sid] = buf.raw
    ex.states = _Lazy(count, states.__getitem__, extra)
    ex.parent = _Lazy(count, parents.__getitem__)


def _settled(lib, ctx, ex: NativeExploration, layout: Layout, names: list[str], extra: dict[int, bytes],
             n: int) -> dict[str, Hit]:
    """settle.c's decisions: a stuck state with its lasso as states, or the first state it could not
    decide (UNKNOWN for that claim only, unless a stuck state turned up later)."""
    ex.no_progress = ""
    count, hits = _counts(lib, ctx)[0], {}
    for j, name in enumerate(layout.progress):
        if name not in names:
            continue
        stuck = lib.nm_stuck(ctx, j, None, 0, ctypes.byref(ctypes.c_uint64()))
        if stuck < 0:
            first = lib.nm_undecided(ctx, j)
            if first >= 0:
                L = ex.stats.settle["local_states_max"]
                ex.undecided[name] = (f"progress: a local search from state {first} reached {L:,} states "
                                      "without a settled or stuck verdict")
            continue
        size = lib.nm_stuck_states(ctx, j, None, 0)
        buf = ctypes.create_string_buffer(size * n)
        lib.nm_stuck_states(ctx, j, buf, size)
        states = [buf.raw[i * n:(i + 1) * n] for i in range(size)]
        ids = {states[0]: stuck}
        for st in states[1:]:
            if st not in ids:
                ids[st] = count + len(extra)
                extra[ids[st]] = st
        hits[name] = Hit(stuck, lasso=tuple(ids[st] for st in states))
    return hits
