"""The native engine decides progress claims and counts rule coverage exactly as the Python engine:
the same stuck state, the same lasso and trace, the same fired / enabled-state counts."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from pmipmc.engine.check import run_explicit
from pmipmc.engine.cli import run as cli_run
from pmipmc.engine.errors import EXIT_INCOMPLETE, EXIT_OK
from pmipmc.engine.explore import Budget
from pmipmc.engine.native import native_available, run_native
from pmipmc.engine.native.run import explore_native
from pmipmc.properties import provider

from . import native_toys
from .test_native import SHAPES, fingerprint
from .toys import handshake, spinner

pytestmark = pytest.mark.skipif(native_available() is not None, reason=str(native_available()))


def both(s, **kw):
    return (run_explicit(s, "toy", "toy", coverage=True, **kw),
            [run_native(s, "toy", "toy", coverage=True, workers=w, **kw) for w in (1, 2)])


def test_a_livelock_gives_the_same_stuck_state_lasso_and_trace():
    py, natives = both(spinner(livelock=True))
    (res,) = py.results
    assert res.verdict == "VIOLATED" and res.trace.loop_from is not None   # the test has teeth
    for nat in natives:
        assert fingerprint(nat) == fingerprint(py)
        assert nat.results[0].trace.loop_from == res.trace.loop_from


def test_without_the_livelock_both_engines_say_it_holds():
    py, natives = both(spinner(livelock=False))
    assert py.results[0].verdict == "HOLDS_WITHIN_BOUNDS"
    assert all(fingerprint(n) == fingerprint(py) for n in natives)


@pytest.mark.parametrize("strict", [True, False])
def test_handshake_every_kind_and_coverage_agree(strict):
    py, natives = both(handshake(strict))
    assert py.coverage and any(c["fired"] for c in py.coverage.values())
    assert all(fingerprint(n) == fingerprint(py) for n in natives)


def test_the_graph_is_kept_only_for_progress_claims_and_costs_about_four_bytes_an_edge():
    s = native_toys.build(native_toys.Shape(3, 2, 3, ((0, -1, 1, 0, False, False), (1, -1, 0, 1, True, False)),
                                            0, 0))
    names = {p.name for p in s.properties if p.kind != "progress"}
    assert explore_native(s, names).stats.edges == 0
    ex = explore_native(s, None)
    assert ex.stats.edges > 0 and ex.stats.graph_bytes >= 4 * ex.stats.edges


@pytest.mark.slow
@pytest.mark.parametrize("symmetry", [True, False])
def test_ci_progress_and_coverage_agree_with_two_workers(symmetry):
    s = provider.build("ci", "one-way-tunnel")
    py = run_explicit(s, "ci", "one-way-tunnel", symmetry=symmetry, coverage=True)
    assert fingerprint(run_native(s, "ci", "one-way-tunnel", symmetry=symmetry, workers=2, coverage=True)) == \
        fingerprint(py)


@pytest.mark.parametrize("extra, code", [([], EXIT_OK), (["--por"], EXIT_INCOMPLETE)])   # progress: UNKNOWN(por)
def test_auto_runs_native_for_progress_reports_and_por(capsys, tmp_path, extra, code):
    args = ["check", "--preset", "tiny", "--variant", "repaired", "--jobs", "1", "--reports", str(tmp_path)]
    assert cli_run(provider, args + extra) == code
    err = capsys.readouterr().err
    assert "engine native" in err and "Python engine" not in err


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SHAPES)
def test_por_picks_the_same_ample_sets_as_the_python_engine_on_random_toys(shape):
    s = native_toys.build(shape)
    names = {p.name for p in s.properties if p.kind in ("quiescent", "reachable")}   # few visible rules
    for symmetry in (True, False):
        py = run_explicit(s, "toy", "toy", names, symmetry, por=True, coverage=True)
        for w in (1, 2):
            assert fingerprint(run_native(s, "toy", "toy", names, symmetry, workers=w, por=True, coverage=True)) == \
                fingerprint(py)


@pytest.mark.parametrize("preset, prop", [
    ("tiny", "no_orphaned_tunnel_at_quiescence"),
    pytest.param("ci", "no_orphaned_tunnel_at_quiescence", marks=pytest.mark.slow),
    pytest.param("ci", "no_tunnel_to_itself", marks=pytest.mark.slow),
    pytest.param("ci", "protocol_can_always_settle", marks=pytest.mark.slow)])
def test_por_agrees_and_reduces(preset, prop):
    s = provider.build(preset, "draft")
    py = run_explicit(s, preset, "draft", {prop}, por=True, coverage=True)
    nat = run_native(s, preset, "draft", {prop}, workers=2, por=True, coverage=True)
    assert fingerprint(nat) == fingerprint(py) and nat.engine == "native+por"
    assert nat.native.por_reduced > 0 and nat.native.por_pruned > 0
    assert all(r.reason.startswith("por:") for r in nat.results if r.kind == "progress")


def test_an_incomplete_run_reports_its_complete_levels_and_the_growing_one_apart():
    s = provider.build("ci", "draft")
    ex = explore_native(s, None, budget=Budget(max_states=3000))
    assert not ex.complete and sum(ex.stats.levels) == len(ex.states)
    assert len(ex.stats.levels) == ex.depth + 2   # levels 0..depth, then what the next one has so far
