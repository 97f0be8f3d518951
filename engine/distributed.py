"""Level-synchronous, hash-partitioned breadth-first search over a pool of shards.

The driver holds no states: it tells every shard to expand a chunk of its frontier, routes the
packed batches to their home shards, and waits (the barrier) before the next chunk; a level ends
when every chunk of every shard is done.  Because whole levels are processed before the next one,
the first level at which a property is decided is its shortest depth, as in explore.py; among the
hits of that level the least (by canonical bytes) is kept, so the verdict and trace do not depend
on timing.  A pool is either in-process shards (`LocalPool`, used by tests and as the reference)
or Ray actors (engine/ray_cluster.py); both offer the same calls.
"""
from __future__ import annotations

import math
import time
from array import array
from dataclasses import dataclass, field
from typing import Callable

from . import stop as stopping
from .api import System
from .check import add_verdicts, peak_mb
from .checkpoint import Store
from .explore import Budget, Checks, Exploration, Hit
from .results import RunResult
from .shard import default_chunk, make_shard
from .shardwork import choose_backend


def partition_key(system: System, nshards: int, symmetry: bool, backend: str) -> tuple[int, ...]:
    """The native shards' partition key (engine/partition.py); the Python backend hashes whole states."""
    if backend != "native":
        return ()
    from .partition import key_for
    return key_for(system, nshards, symmetry)

RECOVERY_ATTEMPTS = 3


@dataclass
class Found:
    path: list[bytes]             # canonical states from an initial state to the deciding state
    inst: int | None = None
    target: bytes | None = None


@dataclass
class Progress:
    levels: int = 0               # complete levels (level 0 holds the initial states)
    states: int = 0
    transitions: int = 0
    depth: int = 0
    moved: int = 0                # bytes of batches sent to another shard
    seconds: float = 0.0
    found: dict[str, Found] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"levels": self.levels, "states": self.states, "transitions": self.transitions,
                "depth": self.depth, "moved": self.moved, "seconds": self.seconds,
                "found": {n: {"path": [s.hex() for s in f.path], "inst": f.inst,
                              "target": None if f.target is None else f.target.hex()}
                          for n, f in sorted(self.found.items())}}

    @staticmethod
    def from_json(d: dict) -> "Progress":
        found = {n: Found([bytes.fromhex(s) for s in f["path"]], f["inst"],
                          None if f["target"] is None else bytes.fromhex(f["target"])) for n, f in d["found"].items()}
        return Progress(d["levels"], d["states"], d["transitions"], d["depth"], d["moved"], d["seconds"], found)


class LocalPool:
    """Shards in this process: the same protocol as the Ray pool, without Ray."""
    failures: tuple = ()

    def __init__(self, system: System, checks: Checks, symmetry: bool, nshards: int, chunk: int | None = None,
                 backend: str | None = None, key: tuple[int, ...] | None = None, fingerprints: bool = False):
        self.backend = choose_backend(backend)
        self.chunk = chunk or default_chunk(self.backend)
        self.key = partition_key(system, nshards, symmetry, self.backend) if key is None else tuple(key)
        # a backend each, as each Ray worker has its own: their caches must not help one another
        self.shards = [make_shard(i, nshards, system, checks, symmetry, self.backend, self.chunk, self.key,
                                  fingerprints) for i in range(nshards)]
        self.n = nshards

    def call_all(self, method: str, *args) -> list:
        return [getattr(s, method)(*args) for s in self.shards]

    def call(self, i: int, method: str, *args):
        return getattr(self.shards[i], method)(*args)

    def round(self, depth: int, chunk: int, active: frozenset[str]):
        res = [s.expand(depth, chunk, active) for s in self.shards]
        absorbed = [s.absorb(active, *(r[1][j] for r in res)) for j, s in enumerate(self.shards)]
        return [r[0] for r in res], absorbed

    def rounds(self, depth: int, chunks: int, active: frozenset[str]):
        for c in range(chunks):
            yield self.round(depth, c, active)

    def wait_ready(self) -> None:
        pass

    def resident_bytes(self) -> None:
        """None: these shards share the driver's process, which the stop session's watcher measures."""
        return None


MEMORY_EVERY_S = 2.0   # how often the shards' resident memory is summed against the budget


class _Limits:
    """The budget a run stops at: states, seconds, and the shards' summed resident memory, which
    only the pool can measure (Ray workers are not this process's children)."""

    def __init__(self, pool, budget: Budget, t0: float):
        self.pool, self.budget, self.t0 = pool, budget, t0
        self.memory_hit, self.last_memory = False, 0.0

    def __call__(self, states: int) -> bool:
        b = self.budget
        if b.max_states is not None and states >= b.max_states:
            return True
        now = time.monotonic()
        if b.seconds is not None and now - self.t0 >= b.seconds:
            return True
        if b.memory_mb and (self.memory_hit or now - self.last_memory >= MEMORY_EVERY_S):
            self.last_memory = now
            used = self.pool.resident_bytes()
            self.memory_hit = self.memory_hit or (used is not None and used >= b.memory_mb * 2**20)
        return self.memory_hit

    def reason(self, states: int) -> str:
        b = self.budget
        if b.max_states is not None and states >= b.max_states:
            return f"max-states {b.max_states} reached"
        if self.memory_hit:
            return "memory"
        return f"time budget {b.seconds:g}s reached"


class _Level:
    """What one level contributes; committed to the progress only when the level completes."""

    def __init__(self):
        self.transitions = self.moved = 0
        self.partial: int | None = None
        self.cand: dict[str, tuple] = {}   # property -> (key, shard, local index, inst, target)

    def offer(self, name: str, key: tuple, where: tuple) -> None:
        if name not in self.cand or key < self.cand[name][0]:
            self.cand[name] = (key,) + where


def _path(pool, shard: int, idx: int, step: Callable[[bytes, int], bytes] | None = None) -> list[bytes]:
    """The canonical states from an initial state to (shard, idx).  A fingerprint shard has freed the
    states of expanded levels: each is re-derived from its parent by the rule instance that found it
    (`step(parent, instance)`: the canonical successor, as the shard computed it)."""
    links = []
    while idx >= 0:
        s, shard, idx, via = pool.call(shard, "link", idx)
        links.append((s, via))
    out: list[bytes] = []
    for s, via in reversed(links):
        if s is None:
            if step is None or not out:
                raise RuntimeError("a trace's state was freed and cannot be re-derived")
            s = step(out[-1], via)
        out.append(s)
    return out


def _decided(pool, lv: _Level, step=None) -> dict[str, Found]:
    return {name: Found(_path(pool, shard, idx, step), k, t) for name, (_, shard, idx, k, t) in sorted(lv.cand.items())}


def replayer(system: System, symmetry: bool) -> Callable[[bytes, int], bytes]:
    """(canonical state, rule instance) -> the canonical successor: how a freed state on a trace is
    re-derived from its parent link."""
    canon = system.canon(symmetry)

    def step(s: bytes, k: int) -> bytes:
        guard, apply = system.instance(k)
        if not guard(s):
            raise RuntimeError(f"rule instance {k} is not enabled where a parent link says it fired")
        return canon(apply(s))
    return step


def _seed(pool, system: System, symmetry: bool, active: frozenset[str], pr: Progress) -> None:
    canon = system.canon(symmetry)
    init = list(dict.fromkeys(canon(s) for s in system.init))
    lv = _Level()
    for j, hits in enumerate(pool.call_all("seed", init, active)):
        for name, s, idx in hits:
            lv.offer(name, (s,), (j, idx, None, None))
    pr.states = sum(pool.call_all("close_level"))
    pr.levels = 1
    pr.found.update(_decided(pool, lv))


def _level(pool, pr: Progress, active: frozenset[str], chunks: int, out_of_time: Callable[[int], bool]) -> _Level:
    """Expand the last complete level; `lv.partial` holds the state count when the budget ran out part-way."""
    lv, depth = _Level(), pr.levels - 1
    for c, (infos, absorbed) in enumerate(pool.rounds(depth, chunks, active)):
        for i, info in enumerate(infos):
            lv.transitions += info["transitions"]
            lv.moved += info["moved"]
            for name, s, idx, k, t in info["hits"]:
                lv.offer(name, (s, -1 if k is None else k, t or b""), (i, idx, k, t))
        for j, (hits, _) in enumerate(absorbed):
            for name, s, idx in hits:
                lv.offer(name, (s,), (j, idx, None, None))
        total = sum(n for _, n in absorbed)
        if out_of_time(total) and c + 1 < chunks:
            lv.partial = total
            break
    return lv


def explore_sharded(pool, system: System, checks: Checks, symmetry: bool = True, budget: Budget = Budget(),
                    store: Store | None = None, progress: Callable[[Progress, float], None] | None = None
                    ) -> tuple[Progress, bool, str]:
    """Returns (progress, complete, reason)."""
    names = {c[0] for c in checks.state + checks.quiet + checks.step}
    t0 = time.monotonic()
    doc = store.resume() if store else None
    if doc and doc["levels"] > 0:
        pr = Progress.from_json(doc)
        pool.call_all("load", str(store.folder), pr.levels)
    else:
        if store:
            store.start_fresh()
        pool.call_all("rollback", 0)   # a pool kept from an earlier run of the same job starts empty
        pr = Progress()
        _seed(pool, system, symmetry, frozenset(names), pr)
        _save(pool, store, pr, 0.0)
    before = pr.seconds

    out_of_time = _Limits(pool, budget, t0)
    step = replayer(system, symmetry)
    complete, reason, attempts = True, "", 0
    sizes: dict = {}   # "next": each shard's frontier, as the last close_level counted it
    try:
        while True:
            try:
                stop = _advance(pool, pr, names, budget, out_of_time, store, lambda: before + time.monotonic() - t0,
                                sizes, step)
            except pool.failures as e:
                attempts += 1
                if store is None or attempts > RECOVERY_ATTEMPTS:
                    complete, reason = False, f"worker lost ({type(e).__name__}); rerun with --checkpoint to recover"
                    break
                pool.wait_ready()
                pool.call_all("restore", str(store.folder), pr.levels)
                continue
            if stop is not None:
                complete, reason = stop
                break
            attempts = 0
            if stopping.requested():   # the stop session took the signal: end at this complete level
                raise KeyboardInterrupt
            if progress:
                progress(pr, time.monotonic() - t0)
    except KeyboardInterrupt:
        complete, reason = False, "interrupted"
    pr.seconds = before + time.monotonic() - t0
    return pr, complete, reason


def _advance(pool, pr: Progress, names: set[str], budget: Budget, out_of_time, store: Store | None,
             elapsed: Callable[[], float], known: dict, step=None) -> tuple[bool, str] | None:
    """Run one level; (complete, reason) when the search stops instead.  `pr` changes only once
    every shard has closed and saved the level, so a failure part-way leaves it at the last level.
    `known["next"]`, when there, holds the frontier sizes, which saves asking every shard per level;
    it is taken out first, so after a failure the shards are asked again."""
    sizes = known.pop("next", None) or pool.call_all("frontier_size")
    if sum(sizes) == 0:
        return True, ""
    if out_of_time(pr.states):
        return False, out_of_time.reason(pr.states)
    lv = _level(pool, pr, frozenset(names - set(pr.found)), math.ceil(max(sizes) / pool.chunk), out_of_time)
    if lv.partial is not None:
        # a stopped run keeps what it found: a hit in this unfinished level is still at the shortest
        # depth (nothing shallower decided it); the checkpoint stays at the last complete level
        pr.found.update(_decided(pool, lv, step))
        pr.states, pr.transitions = lv.partial, pr.transitions + lv.transitions
        return False, out_of_time.reason(lv.partial)
    closed_each = pool.call_all("close_level")   # the level just closed is the next frontier
    closed = sum(closed_each)
    found = _decided(pool, lv, step)
    if store is not None:
        pool.call_all("save_level", str(store.folder), pr.levels)
    pr.levels += 1
    pr.states += closed
    pr.transitions += lv.transitions
    pr.moved += lv.moved
    pr.depth = pr.levels - 1 if closed else pr.depth
    pr.found.update(found)
    pr.seconds = elapsed()
    if store is not None:
        store.commit(pr.to_json())
    known["next"] = closed_each
    return None


def _save(pool, store: Store | None, pr: Progress, seconds: float) -> None:
    if store is None:
        return
    pool.call_all("save_level", str(store.folder), pr.levels - 1)
    pr.seconds = seconds
    store.commit(pr.to_json())


def as_exploration(pr: Progress, complete: bool, reason: str) -> Exploration:
    """The decided properties' paths as an Exploration, so check.py's verdicts and trace.py's
    concretisation apply unchanged."""
    ex = Exploration(states=[], parent=array("q"), depth=pr.depth, transitions=pr.transitions,
                     complete=complete, reason=reason, seconds=pr.seconds,
                     no_progress="cluster: the distributed engine keeps no edges, which progress needs")
    for name, f in sorted(pr.found.items()):
        base = len(ex.states)
        for j, s in enumerate(f.path):
            ex.states.append(s)
            ex.parent.append(base + j - 1 if j else -1)
        ex.hits[name] = Hit(len(ex.states) - 1, f.inst, f.target)
    return ex


def run_sharded(system: System, preset: str, variant: str, make_pool: Callable[[Checks], object],
                names: set[str] | None = None, symmetry: bool = True, budget: Budget = Budget(),
                store: Store | None = None, progress: Callable | None = None,
                overrides: dict | None = None) -> tuple[RunResult, Progress]:
    """One (preset, variant) run on a pool of shards, judged by check.py exactly as a single run."""
    props = [p for p in system.properties if names is None or p.name in names]
    checks = Checks(system, {p.name for p in props})
    pr, complete, reason = explore_sharded(make_pool(checks), system, checks, symmetry, budget, store, progress)
    run = RunResult(variant, preset, "cluster", complete, reason, pr.states, pr.transitions, pr.depth,
                    pr.seconds, peak_mb(), symmetry)
    return add_verdicts(system, run, as_exploration(pr, complete, reason), props, overrides), pr
