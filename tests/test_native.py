"""The native engine agrees with the Python engine: same states, transitions, depths, verdicts, traces."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmipmc.engine.check import run_explicit
from pmipmc.engine.cli import run as cli_run
from pmipmc.engine.coverage import Coverage
from pmipmc.engine.explore import Budget, Checks, explore
from pmipmc.engine.native import NativeError, native_available, run_native
from pmipmc.engine.native.run import explore_native
from pmipmc.engine.trace import is_quiescent, replay, violates
from pmipmc.properties import provider

from . import native_toys
from .helpers import system

pytestmark = pytest.mark.skipif(native_available() is not None, reason=str(native_available()))


def fingerprint(run, progress: bool = True):
    """Counts, every verdict, depth and trace (progress lassos included), and rule coverage; not the
    engine's name, which a trace records."""
    return (run.complete, run.states, run.transitions, run.depth,
            [(r.property, r.verdict, r.depth, r.trace and {k: v for k, v in r.trace.to_json().items() if k != "engine"})
             for r in run.results
             if progress or r.kind != "progress"], run.coverage)


def agree(preset: str, variant: str, symmetry: bool, workers=(1,)) -> None:
    s = system(preset, variant)
    expected = fingerprint(run_explicit(s, preset, variant, symmetry=symmetry, coverage=True))
    for w in workers:
        assert fingerprint(run_native(s, preset, variant, symmetry=symmetry, workers=w, coverage=True)) == expected


@pytest.mark.parametrize("variant", ["draft", "legacy-lma", "repaired"])
@pytest.mark.parametrize("symmetry", [True, False])
def test_native_and_python_agree_on_tiny(variant, symmetry):
    agree("tiny", variant, symmetry)


def test_native_and_python_agree_on_ci_with_one_and_two_workers():
    agree("ci", "draft", True, workers=(1, 2))
    agree("ci", "draft", False, workers=(2,))


@pytest.mark.slow
@pytest.mark.parametrize("variant", [v for v in provider.variant_names()])
@pytest.mark.parametrize("preset", ["tiny", "ci"])
def test_native_and_python_agree_on_every_variant(preset, variant):
    for symmetry in (True, False):
        agree(preset, variant, symmetry, workers=(1, 2))


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["mobility", "shared"])
def test_native_and_python_agree_on_the_minute_presets(preset):
    agree(preset, "draft", True, workers=(2,))


RULES = st.tuples(st.integers(0, 2), st.integers(-1, 2), st.integers(0, 2), st.integers(-1, 2),
                  st.booleans(), st.booleans())
SHAPES = st.builds(native_toys.Shape, st.integers(2, 3), st.just(2), st.just(3),
                   st.lists(RULES, min_size=1, max_size=4).map(tuple), st.integers(0, 2), st.integers(0, 2),
                   st.booleans())


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SHAPES)
def test_native_and_python_agree_on_random_toys(shape):
    s = native_toys.build(shape)
    for symmetry in (True, False):
        cov = Coverage(s)
        py = explore(s, Checks(s), symmetry, coverage=cov)
        for w in (1, 2):
            nat = explore_native(s, None, symmetry, workers=w, coverage=True)
            assert (len(nat.states), nat.transitions, nat.depth) == (len(py.states), py.transitions, py.depth)
            # the same first hit of every property: same state numbers, rules, targets and lassos
            assert {k: (h.state_id, h.inst, h.target, h.lasso) for k, h in nat.hits.items()} == \
                   {k: (h.state_id, h.inst, h.target, h.lasso) for k, h in py.hits.items()}
            assert nat.coverage == cov.by_rule() and nat.no_progress == ""


def test_a_value_outside_its_domain_is_refused():
    with pytest.raises(NativeError, match=r"count\(\) stores 3 into x, outside its domain of 3 values"):
        run_native(native_toys.overflowing(), "toy", "toy")


def test_native_counterexamples_replay():
    s = system("tiny", "draft")
    run = run_native(s, "tiny", "draft", workers=2)
    traces = [r.trace for r in run.results if r.trace is not None]
    assert traces
    for rec in traces:
        t = replay(s, s.schema.encode(rec.init), [(st.rule, st.args) for st in rec.steps])
        assert violates(s, rec.property, t, is_quiescent(s))


def test_budget_ends_in_unknown():
    s = system("ci", "draft")
    run = run_native(s, "ci", "draft", budget=Budget(max_states=2000))
    assert not run.complete and "max-states" in run.reason and run.states >= 2000
    assert "UNKNOWN" in {r.verdict for r in run.results}


def test_without_a_compiler_the_python_engine_runs(monkeypatch, capsys):
    monkeypatch.setenv("CC", "/nonexistent/cc")
    assert "no C compiler" in native_available()
    code = cli_run(provider, ["check", "--preset", "tiny", "--variant", "draft", "--jobs", "1", "--no-reports",
                              "--quiet"])
    err = capsys.readouterr().err
    assert code == 0
    assert err.count("\n") == 1 and "native engine unavailable" in err and "using the Python engine" in err


def test_bench_prints_both_engines_with_equal_counts(capsys):
    assert cli_run(provider, ["bench", "--preset", "tiny", "--no-symmetry", "--workers", "2"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert [r[3] for r in rows] == ["python", "native/1", "native/2"]
    assert len({r[4] for r in rows}) == 1


def test_level_sizes_add_up_to_the_states():
    s = system("tiny", "draft")
    ex = explore_native(s, None, True)
    assert len(ex.stats.levels) == ex.depth + 1 and sum(ex.stats.levels) == len(ex.states)
    assert ex.stats.levels[0] == 2   # four placements of the two MNs, two up to MAG symmetry


@pytest.mark.slow
def test_fingerprints_find_the_same_states_and_re_derive_the_same_traces():
    """mobility is large enough that the states on its traces are freed and must be re-derived."""
    s = system("mobility", "draft")
    exact = run_native(s, "mobility", "draft", workers=2)
    compact = run_native(s, "mobility", "draft", workers=2, fingerprints=True)
    assert fingerprint(compact) == fingerprint(exact)   # progress decided by settle.c, as on the graph
    assert compact.native.bytes_per_state < exact.native.bytes_per_state


def test_fingerprints_agree_on_ci():
    s = system("ci", "draft")
    compact = run_native(s, "ci", "draft", workers=2, fingerprints=True)
    assert fingerprint(compact) == fingerprint(run_native(s, "ci", "draft"))   # progress too (settle.c)
    assert 0 < compact.native.omission < 1e-9
    progress = [r for r in compact.results if r.kind == "progress"]
    assert progress and all(r.verdict != "UNKNOWN" for r in progress)


def test_memory_budget_ends_both_engines_in_unknown():
    s = system("tiny", "draft")
    for run in (run_native(s, "tiny", "draft", budget=Budget(memory_mb=1)),
                run_explicit(s, "tiny", "draft", budget=Budget(memory_mb=1))):
        assert not run.complete and run.reason == "memory"   # as UNKNOWN(memory), whichever engine
