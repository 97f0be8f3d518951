"""Progress without a stored graph: the native engine in fingerprint mode decides progress claims
while exploring (engine/native/settle.c) and must give the exact engines' verdict, shallowest stuck
state, lasso and trace; a local search that hits its cap leaves the claim UNKNOWN, never HOLDS."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmipmc.engine.check import run_explicit, run_result
from pmipmc.engine.explore import Budget, Checks, explore
from pmipmc.engine.native import native_available, run_native
from pmipmc.engine.native.run import explore_native
from pmipmc.properties import provider

from . import native_toys
from .helpers import system
from .test_native import SHAPES, fingerprint
from .toys import ladder, maze, spinner

pytestmark = pytest.mark.skipif(native_available() is not None, reason=str(native_available()))


def agree_on(s, preset="toy", variant="toy", symmetry=True, python=True, settle=None):
    """fingerprint mode (1 and 2 workers) == exact native (== Python): every verdict, depth and trace."""
    exact = run_native(s, preset, variant, symmetry=symmetry, workers=1)
    if python:
        assert fingerprint(exact) == fingerprint(run_explicit(s, preset, variant, symmetry=symmetry))
    runs = [run_native(s, preset, variant, symmetry=symmetry, workers=w, fingerprints=True, settle=settle)
            for w in (1, 2)]
    for run in runs:
        assert fingerprint(run) == fingerprint(exact)
        assert run.native.settle is not None and run.native.edges == 0   # decided without a graph
    return exact, runs


@pytest.mark.parametrize("variant", provider.variant_names())
@pytest.mark.parametrize("symmetry", [True, False])
def test_fingerprint_progress_agrees_on_tiny(variant, symmetry):
    # exact native == Python on every variant: tests/test_native.py
    exact, _ = agree_on(system("tiny", variant), "tiny", variant, symmetry, python=False)
    assert any(r.kind == "progress" for r in exact.results)


def test_fingerprint_progress_agrees_on_ci():
    agree_on(system("ci", "draft"), "ci", "draft", True, python=False)


def test_local_searches_on_the_model_agree_too():
    # the model settles along first successors: K = 1 sends every unmarked walk to a local search
    _, runs = agree_on(system("tiny", "draft"), "tiny", "draft", True, python=False, settle=(1, 10**6))
    assert runs[0].native.settle["local_searches"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("variant", provider.variant_names())
@pytest.mark.parametrize("symmetry", [True, False])
def test_fingerprint_progress_agrees_on_every_ci_variant(variant, symmetry):
    agree_on(system("ci", variant), "ci", variant, symmetry)


def test_a_livelock_is_found_with_its_lasso():
    exact, runs = agree_on(spinner(livelock=True))
    assert exact.results[0].verdict == "VIOLATED" and exact.results[0].trace.loop_from is not None


def test_a_settled_state_only_a_search_finds_is_found():
    _, runs = agree_on(ladder(40))
    assert all(r.verdict == "HOLDS_WITHIN_BOUNDS" for r in runs[0].results)
    st_ = runs[0].native.settle
    assert st_["local_searches"] > 0 and st_["local_states_largest"] >= 39   # greedy walks went round 0 <-> 1


def test_a_stuck_state_behind_a_long_way_out_elsewhere():
    # 0 -> ladder up to 9 (settled) or, by the environment, to 10 <-> 11 (a livelock)
    back = tuple((i, i - 1) for i in range(1, 9))
    s = maze(12, back + tuple((i, i + 1) for i in range(9)) + ((10, 11), (11, 10)), ((0, 10),))
    exact, _ = agree_on(s)
    assert [r.verdict for r in exact.results] == ["VIOLATED", "VIOLATED"]


def test_a_local_search_over_its_cap_leaves_the_claim_unknown_not_holds():
    s = ladder(40)
    ex = explore_native(s, None, fingerprints=True, settle=(256, 10))
    run = run_result(s, ex, s.properties, "toy", "toy", True, None)
    assert [r.verdict for r in run.results] == ["UNKNOWN", "UNKNOWN"]
    assert all("local search from state 0 reached 10 states" in r.reason for r in run.results)
    assert explore_native(s, None, fingerprints=True, settle=(256, 40)).undecided == {}


EDGES = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=14)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EDGES, st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=4), st.integers(0, 7),
       st.integers(1, 4))
def test_random_mazes_agree(protocol, env, bad, k):
    # self-loops are livelocks; tiny K forces the local search on any walk longer than k steps
    s = maze(8, tuple(protocol), tuple(env), bad)
    py = explore(s, Checks(s), True)
    for w in (1, 2):
        nat = explore_native(s, None, workers=w, fingerprints=True, settle=(k, 1000))
        assert len(nat.states) == len(py.states) and nat.undecided == {}
        assert {n: (h.state_id, [nat.states[j] for j in h.lasso]) for n, h in nat.hits.items()} == \
               {n: (h.state_id, [py.states[j] for j in h.lasso]) for n, h in py.hits.items()}


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SHAPES, st.integers(1, 3))
def test_random_symmetric_toys_agree(shape, k):
    s = native_toys.build(shape)
    for symmetry in (True, False):
        py = explore(s, Checks(s), symmetry)
        nat = explore_native(s, None, symmetry, workers=2, fingerprints=True, settle=(k, 10_000))
        assert nat.undecided == {} and nat.no_progress == ""
        assert {n: (h.state_id, [nat.states[j] for j in h.lasso]) for n, h in nat.hits.items()} == \
               {n: (h.state_id, [py.states[j] for j in h.lasso]) for n, h in py.hits.items()}


def test_the_cli_decides_progress_with_fingerprints_and_reports_the_cost(capsys, tmp_path):
    import json

    from pmipmc.engine.cli import run as cli_run
    from pmipmc.engine.errors import EXIT_OK
    out = tmp_path / "r.json"
    args = ["check", "--preset", "tiny", "--variant", "repaired", "--jobs", "1", "--no-reports", "--fingerprints",
            "--json", str(out)]
    assert cli_run(provider, args) == EXIT_OK   # every verdict decided, the progress claim included
    assert "progress decided while exploring" in capsys.readouterr().err
    (run,) = json.loads(out.read_text())["runs"]
    assert run["engine"] == "native" and run["progress_search"]["checks"] == run["states"]
    assert [r["verdict"] for r in run["results"] if r["kind"] == "progress"] == ["HOLDS_WITHIN_BOUNDS"]


def test_a_stuck_state_found_before_a_budget_stops_the_search_is_still_a_violation():
    # 0 -> ladder up to 9 (settled) or, by the environment, to 10 <-> 11 (a livelock), as above
    back = tuple((i, i - 1) for i in range(1, 9))
    s = maze(12, back + tuple((i, i + 1) for i in range(9)) + ((10, 11), (11, 10)), ((0, 10),))
    whole = run_native(s, "toy", "toy", workers=1, fingerprints=True)
    cut = run_native(s, "toy", "toy", workers=1, fingerprints=True, budget=Budget(max_states=5))
    assert whole.complete and not cut.complete and cut.states < whole.states
    # settle.c's verdict does not wait for the rest of the space: same state, lasso and trace
    def progress(run):   # the trace records the run's state count; the rest must be equal
        return [(r.property, r.verdict, r.depth, r.trace.steps, r.trace.loop_from) for r in run.results
                if r.kind == "progress"]
    assert progress(cut) and progress(cut) == progress(whole)
    assert all(x[1] == "VIOLATED" for x in progress(cut))
