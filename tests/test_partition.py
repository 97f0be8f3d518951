"""The partition key (engine/partition.py): where native shards keep states, never which they find."""
from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmipmc.engine import partition
from pmipmc.engine.check import run_explicit
from pmipmc.engine.distributed import LocalPool, run_sharded
from pmipmc.engine.explore import Checks, explore
from pmipmc.engine.native import native_available
from pmipmc.engine.native.shard import NativeShard

from .helpers import system

pytestmark = pytest.mark.skipif(native_available() is not None, reason="no C compiler")


def answers(run):
    return (run.states, run.transitions, run.depth, run.complete,
            [(r.property, r.verdict, r.depth) for r in run.results if r.kind != "progress"])


def reachable(s):
    return explore(s, Checks(s, set())).states


@settings(max_examples=10, deadline=None)
@given(st.data(), st.integers(2, 5))
def test_c_places_every_state_where_key_home_says(data, nshards):
    s = system("tiny", "draft")
    states = reachable(s)
    key = tuple(data.draw(st.lists(st.integers(0, s.schema.nslots - 1), max_size=12, unique=True)))
    kept = {}
    for me in range(nshards):
        sh = NativeShard(me, nshards, s, Checks(s, set()), True, key=key)
        sh.seed(states, frozenset())
        kept[me] = set(sh.states)
    for x in states:
        where = [me for me in kept if x in kept[me]]
        assert len(where) == 1, "every state has exactly one home"
        if key:   # with no key, C hashes the packed state, which Python does not mirror
            assert where == [partition.key_home(x, key, nshards)]


@settings(max_examples=12, deadline=None)
@given(st.data(), st.integers(2, 3), st.sampled_from(["draft", "repaired"]))
def test_any_key_gives_the_single_process_answers(data, nshards, variant):
    s = system("tiny", variant)
    key = tuple(data.draw(st.lists(st.integers(0, s.schema.nslots - 1), max_size=8, unique=True)))
    run = run_sharded(s, "tiny", variant,
                      lambda checks: LocalPool(s, checks, True, nshards, backend="native", key=key))[0]
    assert answers(run) == answers(run_explicit(s, "tiny", variant))


def test_the_chosen_key_keeps_most_transitions_home_and_spreads_the_states():
    s = system("ci", "repaired")
    key = partition.choose_key(s, 2)
    assert key == partition.choose_key(s, 2), "every shard and every resume must pick the same key"
    assert partition.crossing(s, key, 2) < 0.4 < partition.crossing(s, (), 2) == 0.5
    homes = Counter(partition.key_home(x, key, 2) for x in reachable(s))
    assert max(homes.values()) * 2 <= 1.15 * sum(homes.values())


def test_one_shard_and_too_many_shards_hash_the_whole_state():
    s = system("tiny", "draft")
    assert partition.choose_key(s, 1) == ()
    assert partition.choose_key(s, 4096) == ()


def test_a_key_outside_the_state_is_refused():
    from pmipmc.engine.native.run import NativeError
    s = system("tiny", "draft")
    with pytest.raises(NativeError, match="outside"):
        NativeShard(0, 2, s, Checks(s, set()), True, key=(s.schema.nslots,))


def test_a_checkpoint_made_with_another_partition_key_is_refused(tmp_path):
    from pmipmc.engine.cluster import _store
    from pmipmc.engine.errors import BadInput
    from pmipmc.engine.runner import Job
    from pmipmc.properties import provider
    s = system("tiny", "draft")
    job = Job(provider.__name__, "tiny", "draft", quiet=True, engine="native")
    store = _store(job, s, 2, tmp_path)
    assert store.identity["partition"] == [s.schema.slot_name(i) for i in partition.choose_key(s, 2)] != []
    store.start_fresh()
    store.commit({"levels": 1})
    assert store.resume()["levels"] == 1
    store.identity["partition"] = []   # as a run hashing whole states would have it
    with pytest.raises(BadInput, match="partition key"):
        store.resume()
