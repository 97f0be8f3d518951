"""The engine on toy systems: shortest traces, symmetry, compiled code against the interpreter."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmipmc.engine import expr as E
from pmipmc.engine.check import run_explicit
from pmipmc.engine.compile import compile_predicate, evaluate
from pmipmc.engine.explore import Budget, Checks, explore
from pmipmc.engine.schema import BOOL, Domain, Schema
from pmipmc.engine.symmetry import canonicaliser

from .toys import counter, tokens
from .tiers import examples

ENGINE = Path(__file__).resolve().parent.parent / "engine"


def test_bfs_counterexample_is_shortest():
    run = run_explicit(counter(limit=4, bad=3), "toy", "toy")
    bad = next(r for r in run.results if r.property == "x_is_never_bad")
    assert bad.verdict == "VIOLATED" and bad.depth == 3
    assert [s.rule for s in bad.trace.steps] == ["inc", "inc", "inc"]


def test_exhaustive_run_reports_every_state_once():
    run = run_explicit(counter(limit=4, bad=9), "toy", "toy")
    assert run.complete and run.states == 5 and run.transitions == 5
    assert next(r for r in run.results if r.property == "x_is_never_bad").verdict == "HOLDS_WITHIN_BOUNDS"


@given(st.integers(1, 6), st.integers(0, 6))
def test_violation_depth_equals_distance_to_bad_state(limit, bad):
    run = run_explicit(counter(limit, bad), "toy", "toy")
    r = next(r for r in run.results if r.property == "x_is_never_bad")
    if bad <= limit:
        assert r.verdict == "VIOLATED" and r.depth == bad
    else:
        assert r.verdict == "HOLDS_WITHIN_BOUNDS"


def test_budget_ends_in_unknown_and_keeps_what_was_found():
    sysm = tokens(5)
    run = run_explicit(sysm, "toy", "toy", symmetry=False, budget=Budget(max_states=60))
    assert not run.complete and "max-states" in run.reason
    verdicts = {r.property: r.verdict for r in run.results}
    assert verdicts["never_two_flags"] == "VIOLATED"      # found before the budget ran out
    assert verdicts["at_most_one_token"] == "UNKNOWN"


@pytest.mark.parametrize("n", [2, 3, 4])
def test_symmetry_preserves_verdicts_and_shrinks_the_space(n):
    with_sym = run_explicit(tokens(n), "toy", "toy", symmetry=True)
    without = run_explicit(tokens(n), "toy", "toy", symmetry=False)
    assert [(r.property, r.verdict, r.depth) for r in with_sym.results] == \
           [(r.property, r.verdict, r.depth) for r in without.results]
    assert with_sym.states < without.states


@settings(max_examples=examples(200))
@given(st.lists(st.integers(0, 1), min_size=8, max_size=8))
def test_canonicalisation_is_idempotent_and_orbit_invariant(bits):
    sysm = tokens(4)
    canon = canonicaliser(sysm.schema)
    s = bytes(bits)
    c = canon(s)
    assert canon(c) == c
    swapped = bytes([s[1], s[0], s[2], s[3], s[5], s[4], s[6], s[7]])   # exchange P1 and P2
    assert canon(swapped) == c


def _schema() -> Schema:
    sc = Schema()
    sc.array("a", Domain(("0", "1", "2")))
    sc.array("b", BOOL)
    sc.array("c", Domain(("0", "1", "2", "3")))
    return sc


def exprs():
    v = st.sampled_from([E.var(0), E.var(1), E.var(2)])
    leaf = st.one_of(v, st.integers(0, 3).map(E.lift))
    cmp = st.builds(lambda x, y: x == y, leaf, leaf) | st.builds(E.le, leaf, leaf)
    return st.recursive(cmp, lambda inner: st.one_of(
        st.builds(lambda x, y: E.all_of(x, y), inner, inner),
        st.builds(lambda x, y: E.any_of(x, y), inner, inner),
        st.builds(E.not_, inner),
        st.builds(lambda c, x, y: E.ite(c, x, y) == 1, inner, inner, inner)), max_leaves=12)


@settings(max_examples=examples(300))
@given(exprs(), st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(0, 3)))
def test_compiled_predicates_agree_with_the_interpreter(e, state):
    s = bytes(state)
    assert compile_predicate(e)(s) == bool(evaluate(e, s))


def test_state_expressions_refuse_python_truth():
    with pytest.raises(TypeError):
        bool(E.var(0) == 1)


def test_explorer_levels_are_breadth_first():
    sysm = counter(limit=6, bad=99)
    ex = explore(sysm, Checks(sysm), symmetry=False)
    assert [s[0] for s in ex.states] == list(range(7))
    assert ex.depth == 6


def test_engine_never_imports_the_model():
    for path in ENGINE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert "model" not in node.module.split(".") and "properties" not in node.module.split("."), path
            if isinstance(node, ast.Import):
                for a in node.names:
                    assert not a.name.startswith(("pmipmc.model", "pmipmc.properties")), path
