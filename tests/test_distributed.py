"""The sharded explorer gives the single-process explorer's answers, whatever the shard count,
chunk size, stop or resume point (in-process shards; tests/test_cluster.py runs them on Ray)."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmipmc.engine.check import run_explicit
from pmipmc.engine.checkpoint import Store, fingerprint
from pmipmc.engine.distributed import LocalPool, run_sharded
from pmipmc.engine.errors import BadInput
from pmipmc.engine.explore import Budget
from pmipmc.engine.results import FOUND, UNKNOWN, VIOLATED, has_trace
from pmipmc.engine.shard import home, pack, unpack

from .helpers import system
from .toys import counter, tokens


def answers(run):
    # progress needs the graph's edges, which shards do not keep: its UNKNOWN is tested apart
    return (run.states, run.transitions, run.depth, run.complete,
            [(r.property, r.verdict, r.depth) for r in run.results if r.kind != "progress"])


def sharded(s, n, chunk=None, preset="tiny", variant="draft", backend=None, **kw):
    return run_sharded(s, preset, variant, lambda checks: LocalPool(s, checks, True, n, chunk, backend), **kw)[0]


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(["counter", "tokens"]), st.integers(1, 5), st.integers(1, 4), st.integers(1, 7),
       st.sampled_from(["native", "python"]))
def test_any_partition_finds_the_same_states_verdicts_and_depths(toy, size, nshards, chunk, backend):
    s = counter(size + 1, size) if toy == "counter" else tokens(size % 4 + 2)
    assert answers(sharded(s, nshards, chunk, "toy", "toy", backend)) == answers(run_explicit(s, "toy", "toy"))


@pytest.mark.parametrize("variant", ["draft", "legacy-lma"])
def test_three_small_shards_agree_with_one_process_on_tiny(variant):
    s = system("tiny", variant)
    one = run_explicit(s, "tiny", variant)
    many = sharded(s, 3, 200, variant=variant)
    assert answers(many) == answers(one)
    for a, b in zip(one.results, many.results):   # traces are re-derived and replay the same property
        assert (a.trace is None) == (b.trace is None)


def test_progress_on_shards_is_unknown_with_its_reason_never_a_verdict():
    s = system("tiny", "draft")
    run = sharded(s, 2)
    progress = [r for r in run.results if r.kind == "progress"]
    assert progress and run.complete
    assert all(r.verdict == UNKNOWN and r.reason.startswith("cluster:") for r in progress)
    # the same properties are decided by the single-process engine, which keeps the edges
    assert all(r.verdict != UNKNOWN for r in run_explicit(s, "tiny", "draft").results if r.kind == "progress")


@given(st.lists(st.binary(min_size=5, max_size=5), max_size=20), st.integers(1, 8))
def test_a_batch_unpacks_to_what_was_packed_and_homes_are_stable(states, n):
    parents, vias = list(range(len(states))), [3 * i for i in range(len(states))]
    got, p, v = unpack(pack(states, parents, vias), 5)
    assert (got, list(p), list(v)) == (states, parents, vias)
    assert all(0 <= home(x, n) < n and home(x, n) == home(bytes(x), n) for x in states)


def _store(tmp_path, s, variant="draft", shards=2):
    ident = {"preset": "tiny", "variant": variant, "overrides": [], "shards": shards,
             "fingerprint": fingerprint(s, True)}
    return Store(tmp_path / variant, ident)


def test_a_stopped_run_resumes_from_its_last_level_to_the_same_answers(tmp_path):
    s = system("tiny", "draft")
    full = run_explicit(s, "tiny", "draft")
    part = sharded(s, 2, 100, budget=Budget(max_states=1500), store=_store(tmp_path, s))
    assert not part.complete and part.results[0].verdict in (UNKNOWN, VIOLATED, FOUND)
    manifest = json.loads((tmp_path / "draft" / "manifest.json").read_text())
    assert 0 < manifest["states"] < full.states
    resumed = sharded(s, 2, 100, store=_store(tmp_path, s))
    assert answers(resumed) == answers(full)


def test_an_interrupted_run_is_unknown_and_its_checkpoint_resumes(tmp_path):
    s = system("tiny", "draft")

    def ctrl_c(pr, elapsed):
        if pr.levels == 10:
            raise KeyboardInterrupt
    stopped = sharded(s, 2, store=_store(tmp_path, s), progress=ctrl_c)
    assert not stopped.complete and stopped.reason == "interrupted"
    assert {r.verdict for r in stopped.results} >= {UNKNOWN}
    assert answers(sharded(s, 2, store=_store(tmp_path, s))) == answers(run_explicit(s, "tiny", "draft"))


def test_a_checkpoint_of_another_variant_or_shard_count_is_refused(tmp_path):
    s = system("tiny", "draft")
    sharded(s, 2, store=_store(tmp_path, s))
    other = system("tiny", "repaired")
    (tmp_path / "repaired").symlink_to(tmp_path / "draft")
    with pytest.raises(BadInput, match="variant"):
        _store(tmp_path, other, "repaired").resume()
    with pytest.raises(BadInput, match="shards"):
        _store(tmp_path, s, shards=3).resume()
    native = _store(tmp_path, s)
    native.identity["backend"] = "native"   # a manifest without a backend was written by Python shards
    with pytest.raises(BadInput, match="backend"):
        native.resume()
    assert fingerprint(s, True) != fingerprint(other, True) != fingerprint(s, False)


@pytest.mark.parametrize("backend", ["native", "python"])
def test_a_failed_round_rolls_back_to_the_last_complete_level(backend):
    s = system("tiny", "draft")
    from pmipmc.engine.explore import Checks
    pool = LocalPool(s, Checks(s, set()), True, 2, 50, backend)
    ref = LocalPool(s, Checks(s, set()), True, 2, 50, backend)
    from pmipmc.engine.distributed import Progress, _seed

    def levels(p, lo, hi):
        for depth in range(lo, hi):
            for c in range(-(-max(p.call_all("frontier_size")) // 50)):
                p.round(depth, c, frozenset())
            p.call_all("close_level")
    for p in (pool, ref):
        _seed(p, s, True, frozenset(), Progress())
        levels(p, 0, 4)
    pool.round(4, 0, frozenset())          # half a level, then a failure
    pool.call_all("restore", None, 5)
    assert [sh.states for sh in pool.shards] == [sh.states for sh in ref.shards]
    assert [sh.starts for sh in pool.shards] == [sh.starts for sh in ref.shards]
    # what the failed round sent is sent again: nothing it routed is taken as delivered
    levels(pool, 4, 6)
    levels(ref, 4, 6)
    assert [sh.states for sh in pool.shards] == [sh.states for sh in ref.shards]


@pytest.mark.parametrize("backend", ["native", "python"])
def test_a_budget_stop_inside_a_level_keeps_the_violations_found_there_at_their_shortest_depth(backend):
    s = system("tiny", "draft")
    full = {r.property: r for r in run_explicit(s, "tiny", "draft").results}
    beyond_last_level = 0
    for cap in range(20, 300, 3):   # the backends partition differently, so stop at many points
        part = sharded(s, 2, 2, backend=backend, budget=Budget(max_states=cap))
        assert not part.complete
        found = [r for r in part.results if has_trace(r.verdict)]
        assert all(r.depth == full[r.property].depth for r in found)
        assert all(r.verdict == UNKNOWN for r in part.results if not has_trace(r.verdict))
        # a hit deeper than the last complete level was found in the level the budget cut short
        beyond_last_level += any(r.depth > part.depth and r.kind != "step" for r in found)
    assert beyond_last_level


def test_the_projection_recovers_the_costs_it_was_measured_with():
    from pmipmc.engine.bench_cluster import LevelCost, projection
    rows = [LevelCost(i, n, 0.25 + n * 3e-6, n * 2e-6, n * 100) for i, n in enumerate([10, 1000, 50_000, 200_000], 1)]
    p = projection(rows, shards=2, machines=32, cores=2, states=1e9)
    assert p["fixed_s"] == pytest.approx(0.25) and p["cpu_per_state_s"] == pytest.approx(2e-6)
    assert p["bytes_per_state"] == pytest.approx(200)   # half the routed bytes stayed on the sending shard
    assert p["compute_s"] == pytest.approx(1e9 * 2e-6 / 64)
    assert p["network_s"] == pytest.approx(1e9 * 200 * (31 / 32) / (125e6 * 32))
