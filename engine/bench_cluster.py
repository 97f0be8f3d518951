"""`pmipmc bench --cluster local:1,local:2,...`: states/s per worker count and bytes moved per state.

Each cluster spec gets its own Ray instance, so start-up is measured apart from exploration:
`start s` is Ray plus the shard workers, `seconds` the exploration alone (what states/s uses),
`cpu s` the workers' CPU time for it: on a shared machine, states per CPU second shows what
partitioning costs even when wall time mostly measures the neighbours.
"""
from __future__ import annotations

import time

from .explore import Budget
from .runner import Job


def bench(provider, presets, variant: str, specs: list[str], seconds: float | None) -> None:
    from .cluster import RayPool, connect, parse, run_cluster
    for spec in specs:
        parse(spec)
    print(f"{'preset':<10} {'variant':<10} {'cluster':<10} {'states':>10} {'transitions':>12} {'depth':>6} "
          f"{'start s':>7} {'seconds':>8} {'states/s':>9} {'cpu s':>7} {'st/cpu-s':>8} {'B/state':>8}")
    import ray
    for p in presets:
        for spec in specs:
            t0 = time.monotonic()
            n, _ = connect(spec)
            pool = RayPool(n)
            pool.setup(Job(provider.__name__, p, variant))
            start = time.monotonic() - t0
            last = {}
            job = Job(provider.__name__, p, variant, budget=Budget(seconds=seconds), quiet=True)
            cpu0 = pool.cpu_seconds()
            (run,) = run_cluster([job], spec, on_level=lambda pool, pr: last.update(moved=pr.moved), pool=pool)
            cpu = pool.cpu_seconds() - cpu0
            pool.close()
            ray.shutdown()
            print(f"{p:<10} {variant:<10} {spec:<10} {run.states:>10,} {run.transitions:>12,} {run.depth:>6} "
                  f"{start:>7.1f} {run.seconds:>8.2f} {run.states_per_s:>9,.0f} {cpu:>7.1f} "
                  f"{run.states / max(cpu, 1e-9):>8,.0f} "
                  f"{last.get('moved', 0) / max(run.states, 1):>8,.0f}"
                  f"{'' if run.complete else '  INCOMPLETE'}", flush=True)
