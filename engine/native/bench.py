"""`pmipmc bench`: the Python and native explicit engines side by side on the same runs.

Each run happens in a fresh worker process, so peak memory is its own.  Bytes per state are the
native engine's own tables (packed states, parent links, hash table) divided by the states stored;
for the Python engine, the process's peak resident memory divided by the states (an upper bound).
"""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from ..explore import Budget
from ..results import RunResult
from ..runner import Job, run_job

HEADER = (f"{'preset':<10} {'variant':<10} {'sym':<4} {'engine':<9} {'states':>11} {'transitions':>12} "
          f"{'depth':>5} {'seconds':>8} {'states/s':>10} {'B/state':>8} {'speed-up':>8} {'gen+cc s':>8}")


def _isolated(job: Job) -> RunResult:
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(run_job, job).result()


def engine_rows(python: bool, native: bool, workers: int, fingerprints: bool = False) -> list[tuple]:
    """(label, engine, threads, fingerprints) per row: Python, then native with one thread and with
    `workers`, then (if asked) native with fingerprints."""
    rows = [("python", "explicit", None, False)] if python else []
    if native:
        rows += [(f"native/{w}", "native", w, False) for w in dict.fromkeys((1, workers))]
        rows += [(f"fp/{workers}", "native", workers, True)] if fingerprints else []
    return rows


def bench_explicit(provider, presets, variant: str, syms, rows, budget: Budget) -> None:
    print(HEADER)
    for p in presets:
        for sym in syms:
            base = None
            for label, engine, workers, fp in rows:
                run = _isolated(Job(provider.__name__, p, variant, None, sym, budget, engine, quiet=True,
                                    workers=workers, fingerprints=fp))
                if base is None:
                    base = run
                speed = run.states_per_s / base.states_per_s if base.states_per_s else 0.0
                if run.native is not None:
                    bps, gen = f"{run.native.bytes_per_state:.0f}", f"{run.native.codegen_s + run.native.compile_s:.2f}"
                else:
                    bps, gen = f"~{run.peak_mb * 2**20 / max(run.states, 1):.0f}", "-"
                print(f"{p:<10} {variant:<10} {'on' if sym else 'off':<4} {label:<9} {run.states:>11,} "
                      f"{run.transitions:>12,} {run.depth:>5} {run.seconds:>8.2f} {run.states_per_s:>10,.0f} "
                      f"{bps:>8} {speed:>7.1f}x {gen:>8}{'' if run.complete else '  INCOMPLETE: ' + run.reason}",
                      flush=True)
