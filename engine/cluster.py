"""Ray as the transport for engine/distributed.py: one actor per shard, batches through the object store.

`--cluster local:N` starts a private Ray instance with N worker processes on this machine;
`--cluster ADDRESS` joins a running cluster (every node needs pmipmc installed) and makes one
shard per CPU it offers.  Each actor rebuilds the system from the provider's module name and the
preset and variant, as runner.py's worker processes do, so no model object is pickled.

Batches travel actor to actor: `expand` returns one object per destination and the driver passes
those references, never the bytes, to the destination's `absorb`.  An actor that dies is restarted
by Ray (empty); the driver then restores every shard to the last complete level (from memory or
from the checkpoint) and runs the level again.
"""
from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path
from typing import Callable

from .checkpoint import Store, fingerprint
from .distributed import Progress, partition_key, run_sharded
from .errors import BadInput
from .progress import rss_mb
from .results import RunResult
from .shard import default_chunk

INSTALL = "pip install -e '.[cluster]'"


def _ray():
    try:
        import ray
    except ImportError:
        raise BadInput(f"--cluster needs Ray, an optional extra: {INSTALL}") from None
    return ray


def parse(spec: str) -> tuple[str, int | None]:
    """('local', N) or (address, None); bad input is refused before Ray starts."""
    if spec.startswith("local:"):
        n = spec[len("local:"):]
        if not n.isdigit() or int(n) <= 0:
            raise BadInput(f"--cluster local:N needs a whole number of workers above zero, not {n!r}")
        return "local", int(n)
    if not spec or spec.startswith("-"):
        raise BadInput(f"--cluster expects local:N or a Ray address, not {spec!r}")
    return spec, None


def connect(spec: str) -> tuple[int, bool]:
    """Start or join Ray; returns the number of shards to use and whether we started Ray (and so
    shut it down afterwards).  A Ray already initialised in this process is used as it is."""
    ray = _ray()
    where, n = parse(spec)
    if ray.is_initialized():
        return n or max(1, int(ray.cluster_resources().get("CPU", 1))), False
    if where == "local":
        # the driver only routes references, so the N CPUs go to the N shard actors;
        # address="local" starts a private instance even when another cluster runs on this machine
        ray.init(address="local", num_cpus=n, include_dashboard=False, log_to_driver=False,
                 logging_level="ERROR", configure_logging=False)
        return n, True
    try:
        ray.init(address=where, log_to_driver=False, logging_level="ERROR", configure_logging=False)
    except (ConnectionError, ValueError, RuntimeError) as e:
        raise BadInput(f"cannot join the Ray cluster at {where}: {e}") from None
    return max(1, int(ray.cluster_resources().get("CPU", 1))), True


class ShardActor:
    """Holds one Shard; methods are the Shard's, reached through `call`.  An actor outlives one
    (preset, variant) run: `setup` rebuilds its shard for the next one, which saves starting a
    Python worker per variant."""

    def __init__(self, me: int, nshards: int):
        self.me, self.nshards, self.job, self.shard = me, nshards, None, None

    def setup(self, job: tuple) -> None:
        """Build (or keep) the shard for job = (provider, preset, variant, overrides, names, symmetry, chunk,
        backend, key, fingerprints)."""
        if job == self.job:
            return
        from .explore import Checks
        from .shard import make_shard
        provider, preset, variant, overrides, names, symmetry, chunk, backend, key, fingerprints = job
        system = importlib.import_module(provider).build(preset, variant, **dict(overrides))
        checks = Checks(system, set(names) if names is not None else None)
        self.shard = None   # the old shard's tables go before the new one's are built
        self.shard = make_shard(self.me, self.nshards, system, checks, symmetry, backend, chunk, tuple(key),
                                fingerprints)
        self.job = job

    def call(self, method: str, *args):
        return getattr(self.shard, method)(*args)

    def expand(self, depth: int, chunk: int, active):
        info, batches = self.shard.expand(depth, chunk, active)
        return (info, *batches)

    def absorb(self, active, *batches):
        return self.shard.absorb(active, *batches)

    def pid(self) -> int:
        return os.getpid()

    def cpu(self) -> float:
        return time.process_time()

    def resident(self) -> int:
        """This worker's resident memory in bytes: its shard's tables and the Python around them."""
        return int(rss_mb() * 2**20)


def job_backend(job) -> str:
    """Shards run the native engine when the job asks for it (the CLI's default), else Python."""
    return "native" if job.engine == "native" else "python"


def omission(states: int) -> float:
    """The chance that two of `states` states share a 64-bit fingerprint (so one is never explored)."""
    return min(1.0, states * states / 2.0 ** 65)


_keys: dict[tuple, tuple[int, ...]] = {}


def job_key(job, nshards: int, system=None) -> tuple[int, ...]:
    """The partition key of a job's native shards, chosen once per job and shard count."""
    k = (job.provider, job.preset, job.variant, tuple(job.overrides), job.symmetry, job_backend(job), nshards)
    if k not in _keys:
        if system is None:
            system = importlib.import_module(job.provider).build(job.preset, job.variant, **dict(job.overrides))
        _keys[k] = partition_key(system, nshards, job.symmetry, job_backend(job))
    return _keys[k]


class RayPool:
    def __init__(self, nshards: int, chunk: int | None = None):
        ray = _ray()
        self.ray, self.n, self.fixed_chunk, self.chunk, self.job = ray, nshards, chunk, chunk, None
        self.failures = (ray.exceptions.RayActorError, ray.exceptions.ActorUnavailableError,
                         ray.exceptions.ObjectLostError)
        actor = ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=0)(ShardActor)
        self.actors = [actor.remote(i, nshards) for i in range(nshards)]

    def setup(self, job, system=None) -> None:
        """Every actor builds its shard for `job`; the driver picks the partition key once, from
        `system` (built here when not given), so that all shards agree on it."""
        backend = job_backend(job)
        self.chunk = self.fixed_chunk or default_chunk(backend)   # the driver's chunks are the shards' chunks
        key = job_key(job, self.n, system)
        self.job = (job.provider, job.preset, job.variant, job.overrides, job.names, job.symmetry, self.chunk,
                    backend, key, bool(job.fingerprints) and backend == "native")
        self.ray.get([a.setup.remote(self.job) for a in self.actors])

    def call_all(self, method: str, *args) -> list:
        return self.ray.get([a.call.remote(method, *args) for a in self.actors])

    def call(self, i: int, method: str, *args):
        return self.ray.get(self.actors[i].call.remote(method, *args))

    def _expand(self, depth: int, chunk: int, active):
        return [a.expand.options(num_returns=self.n + 1).remote(depth, chunk, active) for a in self.actors]

    def _absorb(self, outs, active):
        n = self.n
        return [o[0] for o in outs], [a.absorb.remote(active, *(outs[i][1 + j] for i in range(n)))
                                      for j, a in enumerate(self.actors)]

    def _collect(self, refs):
        return self.ray.get(refs[0]), self.ray.get(refs[1])

    def round(self, depth: int, chunk: int, active):
        return self._collect(self._absorb(self._expand(depth, chunk, active), active))

    def rounds(self, depth: int, chunks: int, active):
        """The level's rounds, run ahead: every shard is told to expand chunk c + 1 before it absorbs
        chunk c, and round c + 1's absorbs are sent before round c is awaited, so a shard that waits for
        another's batches of round c has its next expansion to do meanwhile.  The states and numbering
        are those of `round` after `round`: an actor runs one submitter's calls in submission order, it
        absorbs in round order, and expanding early only sends itself states it will absorb as repeats.
        A caller that stops early leaves rounds run ahead; the next run starts with a rollback."""
        if not chunks:
            return
        outs = self._expand(depth, 0, active)
        pending = []
        for c in range(chunks):
            nxt = self._expand(depth, c + 1, active) if c + 1 < chunks else None
            pending.append(self._absorb(outs, active))
            outs = nxt
            if len(pending) > 1 or c + 1 == chunks:
                yield self._collect(pending.pop(0))
        while pending:
            yield self._collect(pending.pop(0))

    def close(self) -> None:
        for a in self.actors:
            self.ray.kill(a, no_restart=True)

    def cpu_seconds(self) -> float:
        """CPU time the shard workers have used so far: on a shared machine, a fairer cost than wall time."""
        return sum(self.ray.get([a.cpu.remote() for a in self.actors]))

    def resident_bytes(self) -> int:
        """The shard workers' resident memory, summed: what --max-memory bounds on a cluster."""
        return sum(self.ray.get([a.resident.remote() for a in self.actors]))

    def pids(self) -> list[int]:
        return self.ray.get([a.pid.remote() for a in self.actors])

    def wait_ready(self, seconds: float = 120.0) -> None:
        """Until every actor answers; a restarted one comes back empty and is set up again."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.ray.get([a.setup.remote(self.job) for a in self.actors], timeout=10)
                return
            except self.failures + (self.ray.exceptions.GetTimeoutError,):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


def _store(job, system, nshards: int, folder: Path) -> Store:
    identity = {"preset": job.preset, "variant": job.variant, "overrides": [list(x) for x in job.overrides],
                "shards": nshards, "backend": job_backend(job), "fingerprint": fingerprint(system, job.symmetry),
                "partition": [system.schema.slot_name(i) for i in job_key(job, nshards, system)]}
    return Store(folder / job.variant, identity)


def _progress(job):
    last = [0.0]

    def report(pr: Progress, elapsed: float) -> None:
        if not job.quiet and elapsed - last[0] >= 5.0:
            last[0] = elapsed
            print(f"  [{job.variant}] level {pr.levels - 1}: {pr.states:,} states, {pr.transitions:,} transitions, "
                  f"{pr.states / max(pr.seconds or elapsed, 1e-9):,.0f} states/s, "
                  f"{pr.moved / max(pr.states, 1):,.0f} bytes moved per state", file=sys.stderr, flush=True)
    return report


def run_cluster(jobs: list, spec: str, checkpoint: Path | None = None, resume: bool = False,
                on_level: Callable | None = None, pool: RayPool | None = None) -> list[RunResult]:
    """Run each job's exploration on the cluster, one after the other. `checkpoint` is the folder
    (one subfolder per variant); `resume` continues what it holds instead of refusing it.
    `on_level(pool, progress)` is called after every complete level (tests inject faults there);
    a given `pool` (on an initialised Ray) is used and left running, which saves starting workers."""
    _, nshards = parse(spec)
    _ray()
    systems = [importlib.import_module(j.provider).build(j.preset, j.variant, **dict(j.overrides)) for j in jobs]
    own, started = pool is None, False
    try:
        if pool is not None:
            nshards = pool.n
        elif nshards is None:   # an address: the shard count is known once joined
            nshards, started = connect(spec)
        stores = [None if checkpoint is None else _store(j, s, nshards, checkpoint) for j, s in zip(jobs, systems)]
        for st in stores:   # refuse a foreign or unrequested checkpoint before any work
            if st is not None and st.resume() is not None and not resume:
                raise BadInput(f"{st.folder} holds a checkpoint; continue it with --resume or choose another folder")
        if pool is None and not started:
            nshards, started = connect(spec)
        pool = pool or RayPool(nshards)
        return [_run_one(pool, j, s, st, on_level) for j, s, st in zip(jobs, systems, stores)]
    finally:
        if own and pool is not None:
            pool.close()
        if started:
            import ray
            ray.shutdown()


def _run_one(pool: RayPool, job, system, store, on_level) -> RunResult:
    def make_pool(checks):
        pool.setup(job, system)
        return pool

    report = _progress(job)

    def progress(pr: Progress, elapsed: float) -> None:
        report(pr, elapsed)
        if on_level:
            on_level(pool, pr)
    names = set(job.names) if job.names else None
    run, pr = run_sharded(system, job.preset, job.variant, make_pool, names, job.symmetry, job.budget,
                          store, progress, dict(job.overrides))
    if not job.quiet:
        fp = (f", fingerprints (chance of a missed state <= {omission(run.states):.1e})"
              if pool.job[9] else "")
        print(f"  [{job.variant}] {run.states:,} states, {run.transitions:,} transitions, depth {run.depth}, "
              f"{run.seconds:.1f}s on {pool.n} shard(s), {pr.moved / max(run.states, 1):,.0f} bytes moved per state{fp}"
              f"{'' if run.complete else ' INCOMPLETE: ' + run.reason}", file=sys.stderr, flush=True)
    return run
