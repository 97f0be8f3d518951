"""The progress kind: protocol steps alone can always reach quiescence (no fairness assumed)."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmipmc.engine.check import run_explicit
from pmipmc.engine.settling import can_settle, lasso, settles_from
from pmipmc.engine import tracefile
from pmipmc.engine.trace import replay
from pmipmc.engine.verify import Rejected, verify

from .toys import spinner
from .tiers import examples


def _result(sysm):
    return next(r for r in run_explicit(sysm, "toy", "toy").results if r.property == "can_always_finish")


def test_a_livelock_fails_with_the_path_and_the_cycle_it_is_stuck_in():
    r = _result(spinner(livelock=True))
    assert r.verdict == "VIOLATED"
    rules = [s.rule for s in r.trace.steps]
    # shortest path to the first stuck state (x=4), then round the 4 -> 5 -> 4 cycle
    assert rules == ["start", "work", "detour", "back", "loop"]
    assert r.trace.loop_from == 3 and rules[r.trace.loop_from:] == ["back", "loop"]


def test_a_terminating_protocol_holds():
    assert _result(spinner(livelock=False)).verdict == "HOLDS_WITHIN_BOUNDS"


def test_the_counterexample_replays_and_its_end_cannot_settle():
    sysm = spinner(livelock=True)
    r = _result(sysm)
    tr = replay(sysm, sysm.init[0], [(s.rule, s.args) for s in r.trace.steps])
    assert not settles_from(sysm, tr.final, lambda s: True)
    assert settles_from(sysm, sysm.init[0], lambda s: True)   # x=0: only the environment may act


def _naive(n, edges, settled):
    ok = []
    for i in range(n):
        seen, todo = {i}, [i]
        while todo:
            x = todo.pop()
            for a, b, p in edges:
                if a == x and p and b not in seen:
                    seen.add(b)
                    todo.append(b)
        ok.append(int(any(settled[x] for x in seen)))
    return ok


@settings(max_examples=examples(150), deadline=None)
@given(st.integers(1, 7).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.booleans()), max_size=20),
    st.lists(st.booleans(), min_size=n, max_size=n))))
def test_backward_reachability_agrees_with_forward_search_from_each_state(case):
    n, edges, settled = case
    src, dst, prot = [a for a, _, _ in edges], [b for _, b, _ in edges], [p for _, _, p in edges]
    ok = can_settle(n, src, dst, prot, settled)
    assert list(ok) == _naive(n, edges, settled)
    for i in range(n):
        if not ok[i]:   # a stuck state's lasso stays among stuck states: a cycle, or a dead end
            path = lasso(i, src, dst, prot)
            closes = path[-1] in path[:-1]
            dead_end = not any(a == path[-1] and p for a, _, p in edges)
            assert (closes or dead_end) and not any(ok[x] for x in path)


def _toy_provider(sysm):
    return SimpleNamespace(build=lambda preset, variant, **overrides: sysm, BAD_INPUT=())


def test_a_saved_progress_trace_keeps_its_cycle_and_replay_checks_it():
    sysm = spinner(livelock=True)
    saved = json.loads(json.dumps(_result(sysm).trace.to_json()))
    rec = tracefile.parse(saved)
    assert rec.loop_from == 3
    assert verify(_toy_provider(sysm), rec).prop.kind == "progress"
    for forged in (4, 2):   # not where the cycle starts
        with pytest.raises(Rejected, match="loop_from"):
            verify(_toy_provider(sysm), tracefile.parse({**saved, "loop_from": forged}))
    for bad in (99, -1, "3", True):
        with pytest.raises(tracefile.TraceShapeError, match="loop_from"):
            tracefile.parse({**saved, "loop_from": bad})
