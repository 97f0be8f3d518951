"""Run many (preset, variant) checks, in parallel worker processes when asked.

Workers rebuild the system from names (the provider module is named, not pickled), so only
plain results cross process boundaries.  SIGINT or SIGTERM to the parent (or the process group)
reaches every worker; each stops exploring, keeps what it found and reports an incomplete run,
and jobs not yet started are reported UNKNOWN(interrupted).  Workers die with their parent
(PR_SET_PDEATHSIG), so a killed parent leaves no orphans.
"""
from __future__ import annotations

import importlib
import sys
import time
from dataclasses import dataclass, field

from . import stop
from .api import PROVABLE, Kind
from .check import run_explicit
from .explore import Budget, Exploration
from .results import UNKNOWN, PropertyResult, RunResult


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
    max_bytes: int | None = None   # memory budget of the process running this job
    por: bool = False


def _progress(job: Job):
    last = [0.0]

    def report(ex: Exploration, elapsed: float) -> None:
        if stop.requested():   # a request that came while no KeyboardInterrupt could be raised
            raise KeyboardInterrupt
        if job.quiet or elapsed - last[0] < 5.0:
            return
        last[0] = elapsed
        print(f"  [{job.variant}] {len(ex.states):,} states, depth {ex.depth}, "
              f"{len(ex.states) / max(elapsed, 1e-9):,.0f} states/s, {elapsed:.0f}s", file=sys.stderr, flush=True)
    return report


def not_run(job: Job, reason: str) -> RunResult:
    """The result of a job stopped before it started: every property UNKNOWN(reason)."""
    provider = importlib.import_module(job.provider)
    system = provider.build(job.preset, job.variant, **dict(job.overrides))
    engine = "explicit" if job.engine == "explicit" else "symbolic"
    run = RunResult(job.variant, job.preset, engine, False, reason, 0, 0, 0, 0.0, 0.0, job.symmetry)
    kinds = PROVABLE if job.engine == "prove" else tuple(Kind)
    run.results = [PropertyResult(p.name, p.kind, p.cites, p.doc, p.topic, UNKNOWN, reason)
                   for p in system.properties if (p.name in job.names if job.names else p.kind in kinds)]
    return run


def run_job(job: Job) -> RunResult:
    if stop.requested():
        return not_run(job, stop.requested())
    provider = importlib.import_module(job.provider)
    overrides = dict(job.overrides)
    system = provider.build(job.preset, job.variant, **overrides)
    names = set(job.names) if job.names else None
    if job.engine == "symbolic":
        from .bmc import run_bmc   # z3 is imported only when asked for
        return run_bmc(system, job.preset, job.variant, names=names, depth=job.depth,
                       timeout_s=job.budget.seconds)
    if job.engine == "prove":
        from .prove import run_prove
        return run_prove(system, job.preset, job.variant, names=names,
                         timeout_s=job.budget.seconds or PROVE_SECONDS_PER_PROPERTY)
    t0 = time.monotonic()
    run = run_explicit(system, job.preset, job.variant, names, job.symmetry, job.budget, _progress(job),
                       overrides, job.por)
    if not job.quiet:
        print(f"  [{job.variant}] {run.states:,} states, {run.transitions:,} transitions, depth {run.depth}, "
              f"{time.monotonic() - t0:.1f}s{'' if run.complete else ' INCOMPLETE: ' + run.reason}",
              file=sys.stderr, flush=True)
    return run


def run_jobs(jobs: list[Job], workers: int = 1) -> list[RunResult]:
    """Every job's result, in order; with workers > 1 each job runs in its own child process."""
    if workers <= 1 or len(jobs) <= 1:
        return [run_job(j) for j in jobs]
    from .workers import Pool
    with Pool(workers) as pool:   # the parent only waits; each worker watches its own memory and solver
        return pool.run(jobs, run_job, not_run)
