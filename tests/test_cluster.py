"""On a local Ray cluster of two workers the distributed engine gives the single-process answers,
survives a killed worker, and resumes a checkpoint; without Ray, --cluster says how to install it.

One Ray instance serves the whole module: starting Ray costs seconds, a run on tiny much less."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from pmipmc.engine.check import run_explicit
from pmipmc.engine.explore import Budget
from pmipmc.engine.native import run_native
from pmipmc.engine.runner import Job
from pmipmc.properties import provider

from .helpers import system

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local2():
    """Two shard workers on a local Ray, shared by the module's tests."""
    from pmipmc.engine.cluster import RayPool
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    pool = RayPool(2)
    yield pool
    pool.close()
    ray.shutdown()


def answers(run):
    # progress needs the graph's edges, which shards do not keep: its UNKNOWN is tested apart
    return (run.states, run.transitions, run.depth, run.complete,
            [(r.property, r.verdict, r.depth) for r in run.results if r.kind != "progress"])


def jobs(preset, variants, engine="native", **kw):
    """Shards on the native successor function (the CLI's default), or on Python with engine="explicit"."""
    return [Job(provider.__name__, preset, v, quiet=True, engine=engine, **kw) for v in variants]


def run_cluster(*args, **kw):
    from pmipmc.engine.cluster import run_cluster as run
    return run(*args, **kw)


# the inner loop's pair (the other LMA, the spec); CI's slow tier: the rest
INNER = ["legacy-lma", "draft"]


@pytest.mark.parametrize("engine", ["native", "explicit"])
@pytest.mark.parametrize("variants", [INNER, pytest.param([v for v in provider.variant_names() if v not in INNER],
                                                          marks=pytest.mark.slow, id="the-others")])
def test_every_tiny_variant_has_the_single_process_answers_on_two_workers(local2, engine, variants):
    runs = run_cluster(jobs("tiny", variants, engine), "local:2", pool=local2)
    assert local2.job[7] == ("native" if engine == "native" else "python")   # the shards' backend
    for v, run in zip(variants, runs):
        assert run.engine == "cluster"
        assert answers(run) == answers(run_explicit(system("tiny", v), "tiny", v)), v


def ci_on_native_shards(local2, variants):
    for v, run in zip(variants, run_cluster(jobs("ci", variants), "local:2", pool=local2)):
        assert answers(run) == answers(run_native(system("ci", v), "ci", v)), v


def test_ci_on_native_shards_has_the_single_process_native_answers(local2):
    # two variants: each variant is a C compile per worker on a cold cache, a second or two each
    ci_on_native_shards(local2, ["draft", "repaired"])


@pytest.mark.slow
def test_every_ci_variant_on_native_shards_has_the_single_process_native_answers(local2):
    ci_on_native_shards(local2, provider.variant_names())


@pytest.mark.slow
def test_every_ci_variant_on_python_shards_has_the_single_process_answers(local2):
    variants = provider.variant_names()
    for v, run in zip(variants, run_cluster(jobs("ci", variants, "explicit"), "local:2", pool=local2)):
        assert answers(run) == answers(run_explicit(system("ci", v), "ci", v)), v


def test_fingerprint_shards_on_ray_have_the_single_process_answers(local2):
    runs = run_cluster(jobs("ci", ["draft", "repaired"], fingerprints=True), "local:2", pool=local2)
    assert local2.job[9] is True   # the actors built fingerprint shards
    for v, run in zip(["draft", "repaired"], runs):
        assert answers(run) == answers(run_native(system("ci", v), "ci", v)), v


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["mobility", "shared"])
def test_larger_presets_on_native_shards_have_the_single_process_answers(local2, preset):
    variants = ["draft", "repaired"]
    for v, run in zip(variants, run_cluster(jobs(preset, variants), "local:2", pool=local2)):
        assert answers(run) == answers(run_native(system(preset, v), preset, v)), (preset, v)


@pytest.fixture
def small_chunks(local2):
    """Rounds of 64 states: many per level, each submitted before the previous one is awaited."""
    local2.fixed_chunk = 64
    yield local2
    local2.fixed_chunk = None


def test_many_pipelined_rounds_per_level_give_the_single_process_answers(small_chunks):
    (run,) = run_cluster(jobs("tiny", ["draft"]), "local:2", pool=small_chunks)
    assert small_chunks.chunk == 64
    assert answers(run) == answers(run_explicit(system("tiny", "draft"), "tiny", "draft"))


@pytest.mark.parametrize("chunk", [None, 64])
def test_a_killed_worker_is_restarted_from_the_checkpoint_and_nothing_is_lost(local2, tmp_path, chunk):
    local2.fixed_chunk = chunk
    seen = {}

    def kill_one(pool, pr):
        if pr.levels == 4:
            seen["killed"] = pool.pids()[1]
            os.kill(seen["killed"], signal.SIGKILL)
        if pr.levels == 6:
            seen["after"] = pool.pids()[1]
    try:
        (run,) = run_cluster(jobs("tiny", ["legacy-lma"]), "local:2", tmp_path, on_level=kill_one, pool=local2)
    finally:
        local2.fixed_chunk = None
    assert seen["after"] != seen["killed"]   # the shard's worker really was replaced
    assert answers(run) == answers(run_explicit(system("tiny", "legacy-lma"), "tiny", "legacy-lma"))


@pytest.mark.slow
def test_a_run_stopped_by_its_budget_resumes_to_the_same_answers(local2, tmp_path):
    budget = Budget(max_states=1000)
    (part,) = run_cluster(jobs("tiny", ["draft"], budget=budget), "local:2", tmp_path, pool=local2)
    assert not part.complete
    (whole,) = run_cluster(jobs("tiny", ["draft"]), "local:2", tmp_path, resume=True, pool=local2)
    assert answers(whole) == answers(run_explicit(system("tiny", "draft"), "tiny", "draft"))


def test_shards_over_the_memory_budget_stop_the_run_as_unknown_memory_and_it_resumes_whole(local2, tmp_path):
    # each worker's resident memory (Python, Ray, its tables) is far above 1 MB: the first check stops it
    (part,) = run_cluster(jobs("tiny", ["draft"], budget=Budget(memory_mb=1)), "local:2", tmp_path, pool=local2)
    assert not part.complete and part.reason == "memory"
    assert all(r.verdict in ("VIOLATED", "FOUND", "UNKNOWN") for r in part.results)
    assert any(r.verdict == "UNKNOWN" and "memory" in r.reason for r in part.results)
    (whole,) = run_cluster(jobs("tiny", ["draft"], budget=Budget(memory_mb=2**20)), "local:2", tmp_path,
                           resume=True, pool=local2)
    assert answers(whole) == answers(run_explicit(system("tiny", "draft"), "tiny", "draft"))


@pytest.mark.slow
def test_a_checkpoint_folder_in_use_is_not_overwritten(local2, tmp_path):
    from pmipmc.engine.errors import BadInput
    run_cluster(jobs("tiny", ["legacy-lma"]), "local:2", tmp_path, pool=local2)
    with pytest.raises(BadInput, match="--resume"):
        run_cluster(jobs("tiny", ["legacy-lma"]), "local:2", tmp_path, pool=local2)


def test_without_ray_cluster_is_bad_input_with_the_install_line(tmp_path):
    code = ("import sys; sys.modules['ray'] = None\n"
            "from pmipmc.properties.cli import main\n"
            "sys.argv = ['pmipmc', 'check', '--preset', 'tiny', '--cluster', 'local:2', '--no-reports']\n"
            "main()")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 2
    assert p.stderr.strip().splitlines()[-1].endswith("pip install -e '.[cluster]'")


@pytest.mark.slow
def test_ctrl_c_stops_at_a_complete_level_and_the_resumed_run_loses_nothing(tmp_path):
    import json
    import time
    ck = tmp_path / "ck"
    base = [sys.executable, "-c", "from pmipmc.properties.cli import main; main()", "check", "--preset", "ci",
            "--variant", "one-way-tunnel", "--cluster", "local:2", "--no-reports"]
    p = subprocess.Popen(base + ["--checkpoint", str(ck)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    manifest = ck / "one-way-tunnel" / "manifest.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (manifest.exists() and json.loads(manifest.read_text())["levels"] >= 3):
        time.sleep(0.2)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 3 and "interrupted" in err
    assert json.loads(manifest.read_text())["states"] < 89808
    done = subprocess.run(base + ["--resume", str(ck)], capture_output=True, text=True, timeout=300)
    # exit 3 only because progress claims need edges the shards do not keep (UNKNOWN, said so)
    assert done.returncode == 3 and "UNEXPECTED" not in done.stdout, done.stderr
    assert "89,808" in done.stdout
