"""`check --prove-undecided`: where an exploration stops short, z3 decides the claims it left open.

An exploration cut short (state, time or memory budget) still decides what it reached: every
violation in its complete BFS levels comes with its shortest trace.  A claim it never saw violated
is UNKNOWN there, and may still be decided for *every* execution by `prove` (engine/session.py:
BMC, k-induction, invariant discovery, Spacer), which needs no state space.  Together they decide
configurations too large to exhaust: what the search saw violated, and what z3 proves.

Invariant, quiescent and step claims are handed over, and so are witnesses the search did not
reach: a witness is a set of states, and an inductive invariant excluding them proves that no
execution ever reaches one (NOT_WITNESSED, as an exhaustive search would say), while BMC finding
one gives the shortest trace to it (WITNESSED).  Progress claims stay UNKNOWN: "quiescence stays
reachable" is not a statement about single states that an invariant could settle.  A claim the
proof finds violated gets z3's BMC trace, the shortest one deeper than the exploration went.
"""
from __future__ import annotations

from typing import Callable

from .api import PROVABLE, Kind, System
from .results import FOUND, HOLDS, HOLDS_WITHIN_BOUNDS, UNKNOWN, VIOLATED, RunResult
from .session import run_prove


KINDS = PROVABLE + (Kind.REACHABLE,)


def open_claims(run: RunResult) -> list[str]:
    """The claims (and witnesses) the exploration left undecided that a proof can decide."""
    return [r.property for r in run.results if r.verdict == UNKNOWN and r.kind in KINDS]


def prove_undecided(run: RunResult, system: System, seconds_per_claim: float,
                    say: Callable[[str], None]) -> int:
    """Decide `run`'s open claims by proof, in place; returns how many were decided."""
    names = open_claims(run)
    if not names:
        return 0
    say(f"the exploration stopped ({run.reason or 'incomplete'}): proving the {len(names)} claims it left open")
    proved = {r.property: r for r in run_prove(system, run.preset, run.variant, names=names,
                                               timeout_s=seconds_per_claim, say=say, kinds=KINDS).results}
    decided = 0
    for k, r in enumerate(run.results):
        p = proved.get(r.property)
        if p is None or p.verdict not in (HOLDS, VIOLATED, FOUND):
            if p is not None:
                r.reason = f"{r.reason}; not proved either: {p.reason}" if r.reason else p.reason
            continue
        p.topic = r.topic   # the catalogue's row, with the proof's verdict, method and invariant
        if p.kind == Kind.REACHABLE and p.verdict == HOLDS:   # read as an exhaustive search reads it
            p.verdict, p.reason = HOLDS_WITHIN_BOUNDS, f"no execution reaches it: {p.reason}"
        p.reason = f"{p.reason} (the exploration stopped: {run.reason})" if run.reason else p.reason
        run.results[k] = p
        decided += 1
    return decided


__all__ = ["prove_undecided", "open_claims"]
