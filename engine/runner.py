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
from .progress import exploration_progress, silent
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


    coverage: bool = False   # count rule firings (costs ~15% on ci; on for report-writing runs)
    workers: int | None = None   # native engine threads (None: every core)
    fingerprints: bool = False   # native engine: 64-bit hash compaction instead of stored states


def _progress(job: Job):
    bar = exploration_progress(job.variant, job.quiet)

    def report(ex: Exploration, elapsed: float) -> None:
        if stop.requested():   # a request that came while no KeyboardInterrupt could be raised
            raise KeyboardInterrupt
        bar(ex, elapsed)
    report.done = bar.done
    return report


def prove_progress(variant: str, quiet: bool = False):
    """A proof's phases as they begin and end: z3 gives no rate to show, so each line is a phase."""
    if quiet:
        return silent
    t0 = time.monotonic()

    def say(text: str) -> None:
        m, s = divmod(int(time.monotonic() - t0), 60)
        print(f"  [{variant}] {m}:{s:02d} {text}", file=sys.stderr, flush=True)
    return say


def not_run(job: Job, reason: str) -> RunResult:
    """The result of a job stopped before it started: every property UNKNOWN(reason)."""
    provider = importlib.import_module(job.provider)
    system = provider.build(job.preset, job.variant, **dict(job.overrides))
    engine = "symbolic" if job.engine in ("symbolic", "prove") else "explicit"
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
        from .session import run_prove
        return run_prove(system, job.preset, job.variant, names=names,
                         timeout_s=job.budget.seconds or PROVE_SECONDS_PER_PROPERTY,
                         say=prove_progress(job.variant, job.quiet))
    t0 = time.monotonic()
    progress = _progress(job)
    if job.engine == "native":
        from .native import run_native
        run = run_native(system, job.preset, job.variant, names, job.symmetry, job.budget, progress,
                         overrides, job.workers, job.fingerprints, coverage=job.coverage, por=job.por)
    else:
        run = run_explicit(system, job.preset, job.variant, names, job.symmetry, job.budget, progress,
                           overrides, job.por, coverage=job.coverage)
    progress.done()
    if not job.quiet:
        extra = "" if run.native is None else f", {run.native.bytes_per_state:.0f} bytes/state"
        if run.native is not None and run.native.omission is not None:
            extra += f", fingerprints (chance of a missed state <= {run.native.omission:.1e})"
        if run.native is not None and run.native.table_load > 0.7:   # make_room: doubling did not fit
            extra += f", table {run.native.table_load:.0%} full (no memory to double it)"
        if run.native is not None and run.native.edges:
            extra += f", {run.native.edges:,} protocol edges kept at {run.native.bytes_per_edge:.1f} bytes each"
        if run.native is not None and run.native.settle and "walk_s" in run.native.settle:
            st = run.native.settle
            extra += (f", progress decided while exploring ({st['walk_s']:.1f}s in walks and searches, {st['extra_pct']:.1f}% more "
                      f"successor computations, {st['local_searches']:,} local searches, the largest "
                      f"{st['local_states_largest']:,} states)")
        print(f"  [{job.variant}] {run.states:,} states, {run.transitions:,} transitions, depth {run.depth}, "
              f"{time.monotonic() - t0:.1f}s{extra}{'' if run.complete else ' INCOMPLETE: ' + run.reason}",
              file=sys.stderr, flush=True)
        if run.native is not None and not run.complete:   # the growth per level says how far the rest is
            print(f"  [{job.variant}] states per BFS level (the last still growing): "
                  f"{', '.join(f'{n:,}' for n in run.native.levels)}",
                  file=sys.stderr, flush=True)
    return run


def run_jobs(jobs: list[Job], workers: int = 1) -> list[RunResult]:
    """Every job's result, in order; with workers > 1 each job runs in its own child process."""
    if workers <= 1 or len(jobs) <= 1:
        return [run_job(j) for j in jobs]
    from .workers import Pool
    with Pool(workers) as pool:   # the parent only waits; each worker watches its own memory and solver
        return pool.run(jobs, run_job, not_run)
