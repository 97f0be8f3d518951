"""Which shard owns a state: a key of slots that most transitions leave alone (native shards).

Hashing the whole state sends half of all successors to another shard on 2 shards, and most of them
more than once, since the sender cannot remember every state it has sent: on three-mags 34 M records
crossed for 10.4 M states, and the receiving shard pays a table probe per record.  Lerda and Sisto's
partition for distributed SPIN (1999) hashes one part of the state instead, chosen so that most
transitions keep it and their successors stay home.  Here the part is picked by measurement:

- random walks from the initial states (a fixed seed, so every shard and every resume picks the same
  key) give a sample of canonical states and of transitions, and the native engine's first
  `PREFIX_STATES` states, sampled evenly, a second sample with BFS levels;
- slots are taken in order of how rarely the walks' transitions change them (constant ones skipped),
  and the key is the shortest such prefix whose hash spreads every sampled level within `BALANCE`
  of even and the walks' states within `WALK_BALANCE` (either sample alone misjudged balance);
- where no prefix of at most `MAX_KEY` slots spreads them (many shards, a small model), the key is
  empty and the whole state is hashed, as before.

A key changes only where states live and how many cross, never which states are found: a state's home
is a function of its canonical form either way.  The identity of a checkpoint records the key.
"""
from __future__ import annotations

import random
from collections import Counter

from .api import System

WALK_STEPS = 8000     # ~0.5 s of the Python successor function on three-mags
WALK_DEPTH = 200
BALANCE = 1.04        # Σ over sampled levels of the fullest shard's share, over an even share
WALK_BALANCE = 1.10   # the fullest shard's share of the walks' states, over an even share
PREFIX_STATES = 1_000_000   # ~2 s of one native worker on three-mags; small presets end sooner
KEEP = 20_000
MAX_KEY = 32
_MASK = (1 << 64) - 1


def shard_home(h: int, n: int) -> int:
    """store.c's `shard_home`: a remix of a 64-bit hash, scaled to n shards."""
    x = ((h ^ (h >> 31)) * 0x94d049bb133111eb) & _MASK
    return ((x >> 32) * n) >> 32


def key_home(s: bytes, key: tuple[int, ...], n: int) -> int:
    """store.c's `state_home` with a key: the home of canonical state s among n shards."""
    k = 0x243f6a8885a308d3
    for i in key:
        k = ((k ^ s[i]) * 0x100000001b3) & _MASK
    return shard_home(k, n)


def sample(system: System, symmetry: bool, steps: int = WALK_STEPS, seed: int = 0
           ) -> tuple[list[bytes], list[tuple[bytes, bytes]]]:
    """(canonical states visited, transitions taken) by random walks from the initial states."""
    succ, canon = system.successors_flagged(), system.canon(symmetry)
    init = sorted({canon(s) for s in system.init})
    rnd = random.Random(seed)
    states, edges = [], []
    while len(states) < steps:
        x = rnd.choice(init)
        for _ in range(WALK_DEPTH):
            states.append(x)
            out, _ = succ(x)
            if not out or len(states) >= steps:
                break
            y = canon(rnd.choice(out)[1])
            edges.append((x, y))
            x = y
    return states, edges


def prefix_sample(system: System, symmetry: bool, max_states: int = PREFIX_STATES, keep: int = KEEP
                  ) -> list[tuple[int, bytes]]:
    """(BFS level, canonical state) for `keep` states spaced evenly over the native engine's first
    `max_states` states (all of them when the space is smaller)."""
    import ctypes
    from .explore import Budget
    from .native.build import build
    from .native.gen import generate
    from .native.run import NativeStats, _counts, _explore, _masks
    src, layout = generate(system)
    lib, _ = build(src)
    n = system.schema.nslots
    ctx = lib.nm_new(1, int(symmetry), 0, max_states, 0, *_masks(layout, set()), 0, 0, 0)
    if not ctx:
        return []
    try:
        ex = _explore(lib, ctx, system, layout, n, Budget(max_states=max_states), None, NativeStats(), symmetry,
                      [], "")
        count = _counts(lib, ctx)[0]
        levels = (ctypes.c_uint64 * (ex.depth + 3))()
        starts = list(levels)[:lib.nm_levels(ctx, levels)]
        buf, out, level = ctypes.create_string_buffer(n), [], 0
        for j in range(min(keep, count)):
            sid = j * count // min(keep, count)
            while level + 1 < len(starts) and starts[level + 1] <= sid:
                level += 1
            if lib.nm_state(ctx, sid, buf):
                out.append((level, buf.raw))
        return out
    finally:
        lib.nm_free(ctx)


def level_balance(points: list[tuple[int, bytes]], key: tuple[int, ...], nshards: int) -> float:
    """Σ over levels of the fullest shard's share of the level, over an even share: the slowdown of a
    level-synchronous search from this key's imbalance (1.0 is even)."""
    per: dict[int, Counter] = {}
    for level, s in points:
        per.setdefault(level, Counter())[key_home(s, key, nshards)] += 1
    return sum(max(c.values()) for c in per.values()) * nshards / max(len(points), 1)


def choose_key(system: System, nshards: int, symmetry: bool = True) -> tuple[int, ...]:
    """The partition key for `nshards` shards: slot indices, or () for the whole state.

    Slots are ordered by how rarely sampled transitions (random walks, which reach deep states) change
    them; the key is the shortest prefix that spreads both samples evenly: every BFS level of the
    native prefix within BALANCE, and the walks' states within WALK_BALANCE (a looser bound: consecutive
    states of a walk are alike, so that sample is lumpy)."""
    if nshards <= 1:
        return ()
    walked, edges = sample(system, symmetry)
    points = prefix_sample(system, symmetry)
    n = system.schema.nslots
    changes = [0] * n
    for a, b in edges:
        for i in range(n):
            if a[i] != b[i]:
                changes[i] += 1
    states = walked + [s for _, s in points]
    varying = [i for i in range(n) if len({s[i] for s in states}) > 1]
    order = sorted(varying, key=lambda i: (changes[i], i))
    for size in range(1, min(MAX_KEY, len(order)) + 1):
        key = tuple(order[:size])
        walk_counts = Counter(key_home(s, key, nshards) for s in walked)
        if (level_balance(points, key, nshards) <= BALANCE
                and max(walk_counts.values()) * nshards <= WALK_BALANCE * len(walked)):
            return key
    return ()


def crossing(system: System, key: tuple[int, ...], nshards: int, symmetry: bool = True,
             steps: int = WALK_STEPS) -> float:
    """The sampled share of transitions whose successor lives on another shard under `key`."""
    _, edges = sample(system, symmetry, steps)
    if not edges or not key:
        return 1 - 1 / max(nshards, 1)
    return sum(key_home(a, key, nshards) != key_home(b, key, nshards) for a, b in edges) / len(edges)


_chosen: dict[tuple, tuple[System, tuple[int, ...]]] = {}


def key_for(system: System, nshards: int, symmetry: bool) -> tuple[int, ...]:
    """`choose_key`, once per system object and shard count (the object is kept with its key, so a
    new system at a reused id is not given another's key)."""
    k = (id(system), nshards, symmetry)
    got = _chosen.get(k)
    if got is None or got[0] is not system:
        if len(_chosen) > 16:
            _chosen.clear()
        got = _chosen[k] = (system, choose_key(system, nshards, symmetry))
    return got[1]
