"""`pmipmc mutate`: explore every mutant of one (preset, variant), in parallel, and score the catalogue.

Workers rebuild the system from names (the provider module is named, not pickled) and
regenerate the same mutant list, so only an index and a small result cross process
boundaries.  The run honours a time budget (mutants not started are reported as not run) and
Ctrl-C (what was classified is kept and written).
"""
from __future__ import annotations

import importlib
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

from .explore import Budget, Checks
from .mutate import CAUGHT, EQUIVALENT, NOT_CAUGHT, UNDECIDED, Mutant, Outcome, apply, classify, generate, observe

NOT_RUN = "not_run"
STATES_FACTOR = 10          # a mutant may grow the space this much before it counts as undecided
MIN_STATES_CAP = 50_000


@dataclass(frozen=True)
class Target:
    provider: str
    preset: str
    variant: str
    operators: tuple[str, ...]
    symmetry: bool = True


def _setup(t: Target):
    provider = importlib.import_module(t.provider)
    system = provider.build(t.preset, t.variant)
    readings = provider.alternative_readings(t.variant) if "swap_reading" in t.operators else []
    mutants = generate(system, t.operators, readings)

    def rebuild(axis: str, reading: str):
        return provider.build_reading(t.preset, t.variant, axis, reading)
    checks = Checks(system)   # properties do not depend on the rules: compiled once for every mutant
    return system, mutants, rebuild, checks, observe(system, t.symmetry, checks=checks)


_CACHE: dict = {}   # per worker process: Target -> what _setup made; it costs more than a mutant


def _cached(t: Target):
    if t not in _CACHE:
        _CACHE.clear()
        _CACHE[t] = _setup(t)
    return _CACHE[t]


def run_one(t: Target, index: int, budget: Budget) -> tuple[str, list[str], Outcome]:
    """Explore mutant `index` and classify it against the original (both held in this process)."""
    system, mutants, rebuild, checks, original = _cached(t)
    m = mutants[index]
    swapped = m.operator == "swap_reading"
    o = observe(apply(system, m, rebuild), t.symmetry, budget, None if swapped else checks, original)
    status, by = classify(original, o)
    return status, by, o.summary()


@dataclass
class Score:
    preset: str
    variant: str
    original: Outcome
    mutants: list[Mutant]
    outcomes: dict[int, tuple[str, list[str], Outcome | None]] = field(default_factory=dict)
    interrupted: bool = False

    def status(self, i: int) -> str:
        return self.outcomes[i][0] if i in self.outcomes else NOT_RUN

    def counts(self, idx=None) -> dict:
        idx = range(len(self.mutants)) if idx is None else idx
        st = [self.status(i) for i in idx]
        c = {k: st.count(k) for k in (CAUGHT, NOT_CAUGHT, EQUIVALENT, UNDECIDED, NOT_RUN)}
        live = len(st) - c[EQUIVALENT]
        c["mutants"] = len(st)
        c["score"] = round(c[CAUGHT] / live, 4) if live else 1.0
        return c

    @property
    def complete(self) -> bool:
        """Every mutant was run (an undecided one was run: it outgrew its state cap, by design)."""
        return not self.interrupted and all(self.status(i) != NOT_RUN for i in range(len(self.mutants)))

    def to_json(self) -> dict:
        items = []
        for i, m in enumerate(self.mutants):
            status, by, o = self.outcomes.get(i, (NOT_RUN, [], None))
            items.append({"key": m.key, "rule": m.rule, "cites": m.cites, "operator": m.operator, "detail": m.detail,
                          "status": status, "caught_by": by, "states": o.states if o else None,
                          "same_edges": bool(o and o.same_edges),
                          "reason": o.reason if o else ""})
        return {"preset": self.preset, "variant": self.variant, "states": self.original.states,
                "complete": self.complete, **self.counts(), "list": items}


def _budget(original: Outcome, deadline: float | None) -> Budget:
    secs = None if deadline is None else max(deadline - time.monotonic(), 0.001)
    return Budget(max(STATES_FACTOR * original.states, MIN_STATES_CAP), secs)


def score(t: Target, jobs: int = 1, seconds: float | None = None, quiet: bool = True) -> Score:
    """Run the original and every mutant; classify each.  `seconds` bounds the whole run."""
    deadline = None if seconds is None else time.monotonic() + seconds
    _, mutants, _, _, original = _cached(t)
    sc = Score(t.preset, t.variant, original.summary(), mutants)
    if not original.complete:
        raise RuntimeError(f"{t.preset}/{t.variant}: the unmutated model did not finish ({original.reason})")

    def done(i: int, result: tuple[str, list[str], Outcome]) -> None:
        status, by, o = result
        sc.outcomes[i] = result
        if not quiet:
            print(f"  [{t.variant}] {len(sc.outcomes)}/{len(mutants)} {status:<10} {mutants[i].key}",
                  file=sys.stderr, flush=True)

    try:
        if jobs <= 1:
            for i in range(len(mutants)):
                if deadline is not None and time.monotonic() >= deadline:
                    break
                result = run_one(t, i, _budget(original, deadline))
                if result[2].reason == "interrupted":
                    raise KeyboardInterrupt
                done(i, result)
        else:
            _parallel(t, jobs, original, deadline, done, len(mutants))
    except KeyboardInterrupt:
        sc.interrupted = True
    return sc


def _parallel(t: Target, jobs: int, original: Outcome, deadline: float | None, done, n: int) -> None:
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending, nxt = {}, 0
        try:
            while nxt < n or pending:
                while nxt < n and len(pending) < 2 * jobs and (deadline is None or time.monotonic() < deadline):
                    pending[pool.submit(run_one, t, nxt, _budget(original, deadline))] = nxt
                    nxt += 1
                if not pending:
                    break
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for f in finished:
                    done(pending.pop(f), f.result())
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
