"""Fingerprint shards (`--cluster ... --fingerprints`): 64-bit hashes and only the frontier's states,
with the same answers and traces as shards that keep every state."""
from __future__ import annotations

from dataclasses import asdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmipmc.engine.check import run_explicit
from pmipmc.engine.distributed import LocalPool, _path, explore_sharded, replayer, run_sharded
from pmipmc.engine.explore import Budget, Checks
from pmipmc.engine.native import native_available
from pmipmc.engine.native.run import NativeError

from .helpers import system
from .test_distributed import _store, answers

pytestmark = pytest.mark.skipif(native_available() is not None, reason="no C compiler")


def pool_of(s, n, fingerprints, chunk=None):
    return lambda checks: LocalPool(s, checks, True, n, chunk, "native", fingerprints=fingerprints)


def traces(run):
    return {r.property: [asdict(x) for x in r.trace.steps] if r.trace else None for r in run.results}


@settings(max_examples=6, deadline=None)
@given(st.sampled_from(["draft", "repaired", "legacy-lma"]), st.integers(1, 3), st.sampled_from([None, 7, 100]))
def test_fingerprint_shards_give_the_answers_and_traces_of_shards_that_keep_states(variant, n, chunk):
    s = system("tiny", variant)
    fp = run_sharded(s, "tiny", variant, pool_of(s, n, True, chunk))[0]
    kept = run_sharded(s, "tiny", variant, pool_of(s, n, False, chunk))[0]
    assert answers(fp) == answers(kept) == answers(run_explicit(s, "tiny", variant))
    assert traces(fp) == traces(kept)


def test_states_of_expanded_levels_are_freed_and_traces_through_them_are_re_derived():
    s = system("shared", "draft")   # 257 k states: past the first blocks of 65,536 that stay
    checks = Checks(s, {p.name for p in s.properties})
    pool = LocalPool(s, checks, True, 1, None, "native", fingerprints=True)
    pr, complete, _ = explore_sharded(pool, s, checks, True)
    one = pool.shards[0]
    assert complete and pr.states == one.count()
    with pytest.raises(NativeError, match="frontier"):
        one.states
    assert one.link(0)[0] is not None   # block 0 holds the initial states every trace starts from
    assert one.link(1 << 16)[0] is None   # an expanded level's state
    kept = LocalPool(s, checks, True, 1, None, "native")
    explore_sharded(kept, s, checks, True)
    step = replayer(s, True)
    for idx in (one.count() - 1, one.starts[-5], (1 << 16) + 7):   # the two number states alike
        path = _path(pool, 0, idx, step)
        assert path == _path(kept, 0, idx) and len(path) >= 28   # block 0 ends in level 27
    fp = run_sharded(s, "shared", "draft", pool_of(s, 1, True))[0]
    assert answers(fp) == answers(run_sharded(s, "shared", "draft", pool_of(s, 1, False))[0])


def test_a_fingerprint_run_stopped_part_way_resumes_from_its_checkpoint(tmp_path):
    s = system("tiny", "draft")
    full = run_explicit(s, "tiny", "draft")
    part = run_sharded(s, "tiny", "draft", pool_of(s, 2, True, 100), budget=Budget(max_states=1500),
                       store=_store(tmp_path, s))[0]
    assert not part.complete
    resumed = run_sharded(s, "tiny", "draft", pool_of(s, 2, True, 100), store=_store(tmp_path, s))[0]
    assert answers(resumed) == answers(full)


def test_a_failed_round_on_fingerprint_shards_rolls_back_and_finds_the_same_states():
    s = system("tiny", "draft")
    from pmipmc.engine.distributed import Progress, _seed
    pool = LocalPool(s, Checks(s, set()), True, 2, 50, "native", fingerprints=True)
    _seed(pool, s, True, frozenset(), Progress())
    for depth in range(6):
        for c in range(-(-max(pool.call_all("frontier_size")) // 50)):
            pool.round(depth, c, frozenset())
        if depth == 5:
            counts = pool.call_all("count")
            pool.call_all("restore", None, 6)   # the level fails: back to 6 complete levels
            assert sum(pool.call_all("count")) < sum(counts)
            for c in range(-(-max(pool.call_all("frontier_size")) // 50)):
                pool.round(depth, c, frozenset())
            assert pool.call_all("count") == counts
        pool.call_all("close_level")
