"""The fast tier: seeded random walks that check every property on the way.

A walk starts at a random initial state and fires one enabled rule instance per step, chosen
uniformly or, in swarm mode, with per-walk weights per rule (some rules off, others favoured,
as in swarm testing: each walk explores a differently shaped corner).  `mixed` alternates the
two.  Invariants and witnesses are checked on every state, step properties on every outgoing
transition, quiescent ones where no protocol rule is enabled.  The first hit of each property
is minimised (shorter prefixes, then single steps deleted while the guards still hold and the
property is still violated) and becomes an ordinary cited trace.  Nothing is proved: a property
not hit stays UNKNOWN, never a pass.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable

from .api import System
from .check import peak_mb, trace_record
from .explore import Checks
from .results import UNKNOWN, PropertyResult, RunResult, decided_by_trace
from .trace import Trace, TraceStep

MODES = ("mixed", "uniform", "swarm")
SWARM_WEIGHTS = (0.0, 0.05, 1.0, 4.0)   # per rule and walk: off, rare, normal, favoured


@dataclass
class Found:
    init: bytes
    path: list[int]          # rule instance indices, the last one completing the violation


@dataclass
class Simulation:
    walks: int = 0
    steps: int = 0
    longest: int = 0
    seconds: float = 0.0
    visited: set = field(default_factory=set)
    found: dict[str, Found] = field(default_factory=dict)
    interrupted: bool = False


def _weights(system: System, rng: random.Random) -> list[float]:
    by_rule = {}
    for inst in system.rules:
        if inst.rule.name not in by_rule:
            by_rule[inst.rule.name] = rng.choice(SWARM_WEIGHTS)
    return [by_rule[inst.rule.name] for inst in system.rules]


def _pick(rng: random.Random, out: list, weights: list[float] | None):
    if weights is not None:
        w = [weights[k] for k, _ in out]
        if any(w):
            return rng.choices(out, w)[0]
    return out[rng.randrange(len(out))]


def simulate(system: System, checks: Checks, walks: int, depth: int, seed: int = 0, mode: str = "mixed",
             progress: Callable[[Simulation, float], None] | None = None,
             stop_when_all_found: bool = False) -> Simulation:
    succ = system.successors_flagged()
    sim = Simulation()
    state_checks, quiet_checks, step_checks = list(checks.state), list(checks.quiet), list(checks.step)
    total = len(state_checks) + len(quiet_checks) + len(step_checks)
    t0 = time.monotonic()
    try:
        for w in range(walks):
            rng = random.Random(f"{seed}:{w}")   # each walk reproducible on its own
            swarm = mode == "swarm" or (mode == "mixed" and w % 2 == 1)
            weights = _weights(system, rng) if swarm else None
            s = rng.choice(system.init)
            init, path = s, []
            for c in [c for c in state_checks if c[1](s) == c[2]]:
                sim.found[c[0]] = Found(init, [])
                state_checks.remove(c)
            for _ in range(depth):
                sim.visited.add(s)
                out, protocol = succ(s)
                for c in list(step_checks):
                    bad = next((k for k, t in out if not c[1](s, t)), None)
                    if bad is not None:
                        sim.found[c[0]] = Found(init, path + [bad])
                        step_checks.remove(c)
                if not protocol:
                    for c in [c for c in quiet_checks if not c[1](s)]:
                        sim.found[c[0]] = Found(init, list(path))
                        quiet_checks.remove(c)
                if not out:
                    break
                k, s = _pick(rng, out, weights)
                path.append(k)
                sim.steps += 1
                for c in [c for c in state_checks if c[1](s) == c[2]]:
                    sim.found[c[0]] = Found(init, list(path))
                    state_checks.remove(c)
            sim.visited.add(s)
            sim.walks += 1
            sim.longest = max(sim.longest, len(path))
            if progress:
                progress(sim, time.monotonic() - t0)
            if stop_when_all_found and len(sim.found) == total:
                break
    except KeyboardInterrupt:
        sim.interrupted = True
    sim.seconds = time.monotonic() - t0
    return sim


def _replay(system: System, init: bytes, path: list[int]) -> list[bytes] | None:
    """States along the path, or None when some guard is false."""
    states = [init]
    for k in path:
        guard, apply = system.instance(k)
        if not guard(states[-1]):
            return None
        states.append(apply(states[-1]))
    return states


def _first_hit(kind: str, fn, quiet, states: list[bytes]) -> int | None:
    """Length of the shortest prefix ending in a violation (witness), or None."""
    for n, s in enumerate(states):
        if kind == "invariant" and not fn(s) or kind == "reachable" and fn(s):
            return n
        if kind == "quiescent" and quiet(s) and not fn(s):
            return n
        if kind == "step" and n and not fn(states[n - 1], s):
            return n
    return None


def minimise(system: System, prop_name: str, found: Found) -> list[int]:
    p = system.property(prop_name)
    fn = system.predicate(p)
    succ = system.successors_flagged()
    quiet = lambda s: not succ(s)[1]   # noqa: E731 - no protocol rule enabled

    def hit(path: list[int]) -> int | None:
        states = _replay(system, found.init, path)
        return None if states is None else _first_hit(p.kind, fn, quiet, states)

    path = list(found.path)
    n = hit(path)
    if n is None:
        raise AssertionError(f"{prop_name}: the simulated trace does not replay to its violation")
    path = path[:n]
    while True:
        shorter = _delete_one(path, hit) or _delete_window(path, hit) or _delete_pair(path, hit)
        if shorter is None:
            return path
        path = shorter


def _delete_one(path: list[int], hit) -> list[int] | None:
    """Single steps deleted, last first, while the guards hold and the hit remains."""
    out, i = None, len(path) - 1
    while i >= 0:
        trial = path[:i] + path[i + 1:]
        n = hit(trial)
        if n is not None:
            path = out = trial[:n]
        i = min(i, len(path)) - 1
    return out


def _delete_window(path: list[int], hit) -> list[int] | None:
    """Contiguous runs (a subscribe and its unsubscribe, a lost message and its retry) deleted together."""
    size = len(path) // 2
    while size >= 2:
        for i in range(len(path) - size, -1, -1):
            n = hit(path[:i] + path[i + size:])
            if n is not None:
                return (path[:i] + path[i + size:])[:n]
        size //= 2
    return None


def _delete_pair(path: list[int], hit) -> list[int] | None:
    """Two separate steps that only make sense together (a message sent and, later, received)."""
    for j in range(len(path) - 1, 0, -1):
        for i in range(j - 1, -1, -1):
            trial = path[:i] + path[i + 1:j] + path[j + 1:]
            n = hit(trial)
            if n is not None:
                return trial[:n]
    return None


def run_simulation(system: System, preset: str, variant: str, walks: int, depth: int, seed: int = 0,
                   mode: str = "mixed", names: set[str] | None = None, progress=None,
                   overrides: dict | None = None) -> tuple[RunResult, Simulation]:
    props = [p for p in system.properties if names is None or p.name in names]
    sim = simulate(system, Checks(system, {p.name for p in props}), walks, depth, seed, mode, progress)
    run = RunResult(variant, preset, "simulate", False,
                    "interrupted" if sim.interrupted else f"simulation: {sim.walks} walks of at most {depth} steps",
                    len(sim.visited), sim.steps, sim.longest, sim.seconds, peak_mb(), False)
    for p in props:
        res = PropertyResult(p.name, p.kind, p.cites, p.doc, p.topic, UNKNOWN,
                             f"not hit in {sim.walks} random walks")
        if p.name in sim.found:
            path = minimise(system, p.name, sim.found[p.name])
            init = sim.found[p.name].init
            states = _replay(system, init, path)
            tr = Trace(init, tuple(TraceStep(k, s) for k, s in zip(path, states[1:])))
            res.verdict, res.reason, res.depth = decided_by_trace(p.kind), "", len(path)
            res.trace = trace_record(system, tr, p, preset, variant, engine="simulate", overrides=overrides)
        run.results.append(res)
    return run, sim
