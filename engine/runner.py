"""Run many (preset, variant) checks, in parallel worker processes when asked.

Workers rebuild the system from names (the provider module is named, not pickled), so only
plain results cross process boundaries.  Ctrl-C reaches every worker; each stops exploring,
keeps what it found, and reports an incomplete run.
"""
from __future__ import annotations

import importlib
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from .check import run_explicit
from .explore import Budget, Exploration
from .results import RunResult


PROVE_SECONDS_PER_PROPERTY = 30.0   # without --time-budget, Spacer may otherwise run for hours


@dataclass(frozen=True)
class Job:
    provider: str            # module name of the model provider
    preset: str
    variant: str
    names: tuple[str, ...] | None = None
    symmetry: bool = True
    budget: Budget = field(default_factory=Budget)
    engine: str = "explicit"
    depth: int = 0
    overrides: tuple = ()
    quiet: bool = False


def _progress(job: Job):
    last = [0.0]

    def report(ex: Exploration, elapsed: float) -> None:
        if job.quiet or elapsed - last[0] < 5.0:
            return
        last[0] = elapsed
        print(f"  [{job.variant}] {len(ex.states):,} states, depth {ex.depth}, "
              f"{len(ex.states) / max(elapsed, 1e-9):,.0f} states/s, {elapsed:.0f}s", file=sys.stderr, flush=True)
    return report


def run_job(job: Job) -> RunResult:
    provider = importlib.import_module(job.provider)
    overrides = dict(job.overrides)
    system = provider.build(job.preset, job.variant, **overrides)
    names = set(job.names) if job.names else None
    if job.engine == "symbolic":
        from .bmc import run_bmc   # z3 is imported only when asked for
        return run_bmc(system, job.preset, job.variant, names=names, depth=job.depth,
                       timeout_s=job.budget.seconds)
    if job.engine == "prove":
        from .session import run_prove
        return run_prove(system, job.preset, job.variant, names=names,
                         timeout_s=job.budget.seconds or PROVE_SECONDS_PER_PROPERTY)
    t0 = time.monotonic()
    run = run_explicit(system, job.preset, job.variant, names, job.symmetry, job.budget, _progress(job),
                       overrides)
    if not job.quiet:
        print(f"  [{job.variant}] {run.states:,} states, {run.transitions:,} transitions, depth {run.depth}, "
              f"{time.monotonic() - t0:.1f}s{'' if run.complete else ' INCOMPLETE: ' + run.reason}",
              file=sys.stderr, flush=True)
    return run


def run_jobs(jobs: list[Job], workers: int = 1) -> list[RunResult]:
    if workers <= 1 or len(jobs) <= 1:
        return [run_job(j) for j in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_job, j) for j in jobs]
        out = []
        for f in futures:
            while True:
                try:
                    out.append(f.result())
                    break
                except KeyboardInterrupt:
                    continue   # workers got the same signal and are wrapping up their partial results
        return out
