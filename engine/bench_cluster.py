"""`pmipmc bench --cluster local:1,local:2,...`: states/s per worker count and bytes moved per state.

Each cluster spec gets its own Ray instance, so start-up is measured apart from exploration:
`start s` is Ray plus the shard workers, `seconds` the exploration alone (what states/s uses),
`cpu s` the workers' CPU time for it: on a shared machine, states per CPU second shows what
partitioning costs even when wall time mostly measures the neighbours.  `--levels` adds one line
per BFS level (new states, wall and worker CPU seconds, bytes moved): the measured per-level costs
that `projection` extrapolates from.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from .explore import Budget
from .runner import Job


@dataclass
class LevelCost:
    level: int
    states: int        # new states of the level
    seconds: float     # wall time of the level (expand, exchange, absorb, barrier)
    cpu: float         # the shard workers' CPU seconds for it
    moved: int         # bytes of batches sent to another shard


def _recorder(rows: list[LevelCost]):
    last = {}

    def on_level(pool, pr) -> None:
        now, cpu = time.monotonic(), pool.cpu_seconds()
        if last:
            rows.append(LevelCost(pr.levels - 1, pr.states - last["states"], now - last["t"], cpu - last["cpu"],
                                  pr.moved - last["moved"]))
        last.update(t=now, cpu=cpu, states=pr.states, moved=pr.moved)
    return on_level


def bench(provider, presets, variant: str, specs: list[str], seconds: float | None, engine: str = "native",
          levels: bool = False) -> None:
    from .cluster import RayPool, connect, parse, run_cluster
    for spec in specs:
        parse(spec)
    print(f"{'preset':<10} {'variant':<10} {'cluster':<10} {'shards':<7} {'states':>10} {'transitions':>12} "
          f"{'depth':>6} {'start s':>7} {'seconds':>8} {'states/s':>9} {'cpu s':>7} {'st/cpu-s':>8} {'B/state':>8}")
    import ray
    for p in presets:
        for spec in specs:
            t0 = time.monotonic()
            n, _ = connect(spec)
            pool = RayPool(n)
            job = Job(provider.__name__, p, variant, budget=Budget(seconds=seconds), quiet=True,
                      engine="native" if engine != "python" else "explicit")
            pool.setup(job)
            start = time.monotonic() - t0
            rows: list[LevelCost] = []
            record = _recorder(rows)
            cpu0 = pool.cpu_seconds()
            record(pool, _Start())
            (run,) = run_cluster([job], spec, on_level=record, pool=pool)
            cpu = pool.cpu_seconds() - cpu0
            pool.close()
            ray.shutdown()
            moved = sum(r.moved for r in rows)
            print(f"{p:<10} {variant:<10} {spec:<10} {pool.job[7]:<7} {run.states:>10,} {run.transitions:>12,} "
                  f"{run.depth:>6} {start:>7.1f} {run.seconds:>8.2f} {run.states_per_s:>9,.0f} {cpu:>7.1f} "
                  f"{run.states / max(cpu, 1e-9):>8,.0f} {moved / max(run.states, 1):>8,.0f}"
                  f"{'' if run.complete else '  INCOMPLETE'}", flush=True)
            if pool.job[8]:
                names = provider.build(p, variant).schema.slot_name
                print(f"  partition key, {len(pool.job[8])} slots: {', '.join(names(i) for i in pool.job[8])}",
                      flush=True)
            if levels and rows:
                print_levels(rows)
                pr = projection(rows, n, 32, 2, 1e9)
                print(f"  projection from these levels, 32 machines x 2 cores, 1 Gbit/s each: "
                      f"{pr['cpu_per_state_s'] * 1e6:.2f} CPU us/state on {n} shard(s), {pr['fixed_s']:.3f} s fixed per level, "
                      f"{pr['bytes_per_state']:.0f} B routed per state; 10^9 states in "
                      f"{pr['compute_s'] / 60:.1f} min compute + {pr['network_s'] / 60:.1f} min network "
                      f"+ {pr['fixed_s']:.2f} s per level", flush=True)


class _Start:
    """The progress before level 1: the recorder's first reading (seeding is not a level's cost)."""
    levels, states, moved = 1, 0, 0


def print_levels(rows: list[LevelCost]) -> None:
    print(f"  {'level':>5} {'new states':>11} {'seconds':>8} {'cpu s':>7} {'states/s':>9} {'B moved/st':>10}")
    for r in rows:
        print(f"  {r.level:>5} {r.states:>11,} {r.seconds:>8.3f} {r.cpu:>7.2f} {r.states / max(r.seconds, 1e-9):>9,.0f} "
              f"{r.moved / max(r.states, 1):>10,.0f}")


def projection(rows: list[LevelCost], shards: int, machines: int, cores: int, states: float,
               bandwidth: float = 125e6) -> dict:
    """Wall time to explore `states` states on `machines` machines of `cores` cores, from per-level
    costs measured on `shards` shards.  Compute: the measured worker CPU seconds per state, divided
    among every core (CPU time, since wall time on a shared machine measures the neighbours).  Fixed:
    the intercept of a least-squares fit of level wall time on level states (barrier, Ray calls), paid
    once per level.  Network: the routed bytes per state, of which all but 1/machines cross between
    machines, at `bandwidth` bytes/s per machine."""
    xs, ys = [r.states for r in rows], [r.seconds for r in rows]
    n = len(rows)
    mx, my = sum(xs) / n, sum(ys) / n
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (sum((x - mx) ** 2 for x in xs) or 1.0)
    fixed = max(my - slope * mx, 0.0)
    cpu_per_state = sum(r.cpu for r in rows) / max(sum(xs), 1)
    routed = sum(r.moved for r in rows) / max(sum(xs), 1) * shards / max(shards - 1, 1)
    compute = states * cpu_per_state / (machines * cores)
    network = states * routed * (1 - 1 / machines) / (bandwidth * machines)
    return {"cpu_per_state_s": cpu_per_state, "fixed_s": fixed, "bytes_per_state": routed,
            "compute_s": compute, "network_s": network, "levels": n, "total_s": compute + network + fixed * n}
