"""The per-shard work of distributed exploration, on batches of states: the backend seam.

A shard owner never touches rules or properties itself; it hands a backend thousands of states
at a time and gets back canonical successors and property hits.  `PythonBackend` does this with
the Python engine's compiled successor function and canonicaliser, the same code `explore.py`
runs, so a sharded run and a single-process run apply identical semantics.

The native engine plugs in one level up: `engine/native/shard.py` replaces the whole shard, since
its seen set and states live in C too (a Python set of millions of states would cost more than
the expansion saves).  `choose_backend` is the one place that decides between the two; traces are
re-derived by the Python engine (engine/trace.py) either way, so reports do not depend on it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .api import System
from .explore import Checks


@dataclass
class Expansion:
    """What expanding a batch gives, per state in batch order."""
    successors: list[list[tuple[int, bytes]]]   # (rule instance, canonical successor), firing order
    transitions: int = 0
    # (position in batch, property, rule instance or None, concrete successor or None):
    # step properties carry the violating transition, quiescent ones only the state
    hits: list[tuple[int, str, int | None, bytes | None]] = field(default_factory=list)


MEMO_CAP = 1_000_000   # remembered canonical forms: ~300 bytes each for the largest presets


class PythonBackend:
    name = "python"

    def __init__(self, system: System, checks: Checks, symmetry: bool):
        self.succ = system.successors_flagged()
        self.canon = system.canon(symmetry)
        self.checks = checks
        self.memo: dict[bytes, bytes] = {}

    def expand(self, batch: list[bytes], active: frozenset[str],
               known: Callable[[bytes], bool] | None = None) -> Expansion:
        """Successors of every state in `batch`, canonical, except those `known(t)` says are stored
        canonical states already (a shortcut that saves the canonicaliser, as in explore.py)."""
        step = [c for c in self.checks.step if c[0] in active]
        quiet = [c for c in self.checks.quiet if c[0] in active]
        canon, succ = self.canon, self.succ
        # the same successor turns up again and again (diamonds in the state graph); explore.py skips
        # it through its index, but a shard adds nothing before the batch ends and never sees the
        # states other shards own, so it remembers canonical forms (a canonical form is its own)
        memo = self.memo
        if len(memo) > MEMO_CAP:
            memo.clear()
        ex = Expansion([])
        for pos, s in enumerate(batch):
            out, protocol = succ(s)
            ex.transitions += len(out)
            mine = []
            for k, t in out:
                for name, fn in step:
                    if not fn(s, t):
                        ex.hits.append((pos, name, k, t))
                if known is None or not known(t):
                    c = memo.get(t)
                    if c is None:
                        c = memo[t] = canon(t)
                        memo[c] = c
                    mine.append((k, c))
            if not protocol:
                ex.hits.extend((pos, name, None, None) for name, fn in quiet if not fn(s))
            ex.successors.append(mine)
        return ex

    def check_new(self, batch: list[bytes], active: frozenset[str]) -> list[tuple[int, str]]:
        """(position, property) for every new state that violates an invariant or witnesses a
        reachable property."""
        checks = [c for c in self.checks.state if c[0] in active]
        return [(pos, name) for pos, s in enumerate(batch) for name, fn, wanted in checks if fn(s) == wanted]


def make_backend(system: System, checks: Checks, symmetry: bool) -> PythonBackend:
    return PythonBackend(system, checks, symmetry)


BACKENDS = ("native", "python")


def choose_backend(asked: str | None = None) -> str:
    """`asked` when given; else native where a C compiler is found, python otherwise."""
    if asked is not None:
        if asked not in BACKENDS:
            raise ValueError(f"unknown shard backend {asked!r}")
        return asked
    from .native import native_available
    return "native" if native_available() is None else "python"
