"""Proofs for every domain size (`prove --all-sizes`): the quantifier helpers, the symbolic
reading of the model, and agreement with the explicit engine on the presets."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmipmc.engine.check import run_explicit
from pmipmc.engine.compile import evaluate
from pmipmc.engine.expr import all_of, any_of, each, every, same, some, var
from pmipmc.engine.param_cmd import prove_variant
from pmipmc.engine.param_model import SymSort, patterns
from pmipmc.engine.results import HOLDS_FOR_ALL_SIZES, HOLDS_WITHIN_BOUNDS, UNKNOWN
from pmipmc.model import make_ctx, parametric, preset, variant
from pmipmc.properties import provider

FOUR = {"no_tunnel_removed_under_an_iif", "tunnel_ends_agree_at_quiescence", "no_orphaned_tunnel_at_quiescence",
        "no_tunnel_to_itself"}


@given(st.lists(st.integers(0, 7), max_size=5, unique=True), st.integers(0, 7))
def test_helpers_expand_to_the_loops_they_replace(elems, but):
    body = lambda e: var(e) == 1                                   # noqa: E731
    assert some(elems, body).key() == any_of(body(e) for e in elems).key()
    assert every(elems, body).key() == all_of(body(e) for e in elems).key()
    got = each(elems, lambda e: {var(e): 0}, where=lambda e: ~same(e, but))
    assert sorted(k.args[0] for k in got) == sorted(e for e in elems if e != but)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from(["MAG", "LISTENER", "SENDER"]), min_size=1, max_size=4))
def test_patterns_are_the_set_partitions_that_respect_roles(each_):
    sorts = {"MAG": SymSort("MAG", "MAG"), "MN": SymSort("MN", "MN"),
             "LISTENER": SymSort("LISTENER", "MN", "L"), "SENDER": SymSort("SENDER", "MN", "S")}
    got = patterns(sorts, tuple(each_))
    bell = [1, 1, 2, 5, 15]
    mags, ls, ss = (each_.count(k) for k in ("MAG", "LISTENER", "SENDER"))
    assert len(got) == bell[mags] * bell[ls] * bell[ss]   # a listener never equals a sender
    assert len(set(got)) == len(got)


def test_an_mn_parameter_is_read_as_listener_and_as_sender():
    sorts = {"MN": SymSort("MN", "MN"), "MAG": SymSort("MAG", "MAG")}
    assert sorted(p[0].role for p in patterns(sorts, ("MN", "MAG"))) == ["L", "S"]


@pytest.mark.parametrize("name", ["tiny", "ci", "three-mags"])
def test_initial_predicate_agrees_with_the_listed_initial_states(name):
    ctx = make_ctx(preset(name), variant("repaired"))
    pred = parametric.initially(ctx, ctx.schema.view(0))
    states = provider.build(name, "repaired").init
    assert all(evaluate(pred, s) for s in states)
    att = next(a for a in ctx.schema.arrays if a.name == "att")
    for s in states:   # moving one MN, or detaching it, leaves the predicate's states
        b = bytearray(s)
        b[att.slot(0)] = 0
        assert not evaluate(pred, bytes(b))


def test_symbolic_sorts_refuse_python_loops():
    with pytest.raises(TypeError):
        list(SymSort("MAG", "MAG"))


def _violated(preset_name: str, var_name: str) -> set:
    return set(json.loads(provider.BASELINE.read_text()).get(preset_name, {}).get(var_name, {}).get("violated", []))


def _proved_within(names: set, presets: tuple):
    run, _ = prove_variant(provider, None, "repaired", names, 300, minimise=False, ground_s=20.0)
    proved = {r.property for r in run.results if r.verdict == HOLDS_FOR_ALL_SIZES}
    assert proved == names
    assert all(r.invariant for r in run.results)
    assert all(r.to_json()["seconds"] >= 0 and r.to_json()["method"] for r in run.results)
    for p in provider.presets():   # the baseline of every preset: none of them is violated
        assert not proved & _violated(p["name"], "repaired")
    for name in presets:           # and the explicit engine agrees
        explicit = run_explicit(provider.build(name, "repaired"), name, "repaired", proved)
        assert {r.verdict for r in explicit.results} == {HOLDS_WITHIN_BOUNDS}


def test_no_tunnel_to_itself_holds_for_all_sizes_and_within_tiny_and_ci():
    _proved_within({"no_tunnel_to_itself"}, ("tiny", "ci"))


@pytest.mark.slow
def test_repaired_tunnel_claims_hold_for_all_sizes_and_within_every_preset():
    # no_orphaned closes by assuming the two agreement claims, proved before it
    agreement = {"iif_tunnel_has_upstream_oif_at_quiescence", "oif_tunnel_has_downstream_iif_at_quiescence"}
    _proved_within(FOUR | agreement, ("tiny", "ci", "mobility", "shared"))


def test_a_claim_the_draft_violates_is_never_proved_for_all_sizes():
    bad = {"no_orphaned_tunnel_at_quiescence"}
    assert bad <= _violated("ci", "draft")
    run, lines = prove_variant(provider, None, "draft", bad, 300)
    assert {r.verdict for r in run.results} == {UNKNOWN}
    assert any("counterexample to induction" in line for line in lines)


def test_one_way_tunnel_ends_are_not_proved_to_agree():
    assert "tunnel_ends_agree_at_quiescence" in _violated("tiny", "one-way-tunnel")
    run, _ = prove_variant(provider, None, "one-way-tunnel", {"tunnel_ends_agree_at_quiescence"}, 300)
    assert run.results[0].verdict == UNKNOWN


@pytest.mark.slow
@pytest.mark.parametrize("var_name", ["draft", "one-way-tunnel", "figure4-teardown", "fix-teardown"])
def test_nothing_violated_on_a_preset_is_proved_for_all_sizes(var_name):
    run, _ = prove_variant(provider, None, var_name, None, 1200)
    proved = {r.property for r in run.results if r.verdict == HOLDS_FOR_ALL_SIZES}
    for p in provider.presets():
        assert not proved & _violated(p["name"], var_name), p["name"]


@pytest.mark.slow
def test_every_claim_proved_for_all_sizes_is_never_violated_on_a_preset():
    run, _ = prove_variant(provider, None, "repaired", None, 1200, minimise=False)
    proved = {r.property for r in run.results if r.verdict == HOLDS_FOR_ALL_SIZES}
    assert proved >= FOUR - {"no_orphaned_tunnel_at_quiescence"}
    for p in provider.presets():
        assert not proved & _violated(p["name"], "repaired"), p["name"]


def test_cli_all_sizes_bad_property_is_one_line(capsys):
    from pmipmc.engine.cli import run
    assert run(provider, ["prove", "--all-sizes", "--property", "no_such_claim"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no_such_claim" in err[0]
