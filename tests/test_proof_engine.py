"""The proof engine's shared encoding, its explicit shortcuts and its reachable-state sample are
exact: each is compared with the slow, obvious way of computing the same thing."""
from __future__ import annotations

import pytest
import z3
from hypothesis import HealthCheck, given, settings

from pmipmc.engine.check import run_explicit
from pmipmc.engine.discover import _clause_candidate, property_candidates
from pmipmc.engine.candidates import generate
from pmipmc.engine.explore import Budget, Checks, explore
from pmipmc.engine.houdini import Houdini
from pmipmc.engine.native import native_available
from pmipmc.engine.prove import bad_state
from pmipmc.engine.results import HOLDS, HOLDS_WITHIN_BOUNDS, VIOLATED
from pmipmc.engine.session import run_prove
from pmipmc.engine.symbolic import Encoder, new_solver

from .test_symbolic import toy_systems

native = pytest.mark.skipif(native_available() is not None, reason="no C compiler")


def _bad_step_by_hand(enc: Encoder, e, st):
    """A step claim broken from `st`, translated afresh per instance (the old, slow encoding)."""
    return z3.Or([z3.And(enc.pred(r.guard, st), z3.Not(enc.pred(e, st, enc.successor(r.index, st))))
                  for r in enc.system.rules])


def test_renamed_step_claims_equal_their_per_instance_translation():
    from pmipmc.properties import provider
    system = provider.build("tiny", "repaired")
    enc = Encoder(system)
    st = enc.state("x")
    steps = [p for p in system.properties if p.kind == "step"]
    assert steps
    for p in steps:
        e = system.prop_expr(p)
        s = new_solver()
        s.add(enc.domain(st), bad_state(enc, p)(st) != _bad_step_by_hand(enc, e, st))
        assert s.check() == z3.unsat, p.name


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toy_systems())
def test_houdini_walks_reach_the_same_greatest_fixpoint_as_z3_alone(system):
    """The explicit walk only drops what z3 would drop: the fixpoint is the same set."""
    enc = Encoder(system)
    ex = explore(system, Checks(system, set()), symmetry=False, budget=Budget(max_states=3))
    states = ex.states
    cands = [_clause_candidate(enc, c) for c in generate(system.schema, states)]
    cands += property_candidates(enc, [p for p in system.properties if p.kind == "quiescent"])
    alive = []
    for walk in (0, 200):
        h = Houdini(enc, cands)
        h.WALK = walk
        assert h.fixpoint() or h.reason.startswith("no transition")
        alive.append(h.alive)
    assert alive[0] == alive[1]


@native
def test_the_native_sample_is_reachable_and_closed_under_symmetry():
    from pmipmc.engine.native.sample import sample_states
    from pmipmc.engine.symmetry import compile_permuters
    from pmipmc.properties import provider
    system = provider.build("ci", "repaired")
    ex, sample = sample_states(system, set(), Budget(seconds=60), 5000)
    assert ex.complete and 0 < len(sample) <= 5000
    full = set(explore(system, Checks(system, set()), symmetry=False).states)
    assert set(sample) <= full
    perms = compile_permuters(system.schema)
    assert perms
    inside = set(sample)
    assert all(p(s) in inside for p in perms for s in sample)


@pytest.mark.slow
def test_the_two_claims_repaired_violates_on_three_mags_are_never_proved():
    """Found by the native engine at depths 11 and 12: a proof of either would be a soundness bug."""
    from pmipmc.properties import provider
    system = provider.build("three-mags", "repaired")
    names = ["local_iif_only_with_a_reason_at_quiescence", "local_iif_only_at_the_senders_mag_at_quiescence",
             "no_orphaned_tunnel_at_quiescence"]
    run = run_prove(system, "three-mags", "repaired", names=names, timeout_s=120)
    got = {r.property: r for r in run.results}
    for name in names[:2]:
        assert got[name].verdict != HOLDS, got[name].reason
        if got[name].verdict == VIOLATED:   # BMC to depth 12 may not finish in the budget: never HOLDS is the point
            assert got[name].depth in (11, 12), got[name].reason
    assert got[names[2]].verdict == HOLDS


@pytest.mark.slow
def test_draft_on_ci_proves_exactly_what_the_explicit_engine_finds_holding():
    from pmipmc.properties import provider
    system = provider.build("ci", "draft")
    run = run_prove(system, "ci", "draft", timeout_s=60)
    ex = {r.property: r for r in run_explicit(system, "ci", "draft").results}
    assert any(ex[r.property].verdict == VIOLATED for r in run.results if r.topic != "lemma")
    for r in run.results:
        if r.topic == "lemma":
            continue
        assert (r.verdict == HOLDS) == (ex[r.property].verdict == HOLDS_WITHIN_BOUNDS), r.property
        assert r.verdict in (HOLDS, VIOLATED), (r.property, r.reason)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toy_systems())
def test_k_induction_given_the_fixpoint_proves_only_what_holds(system):
    """Whatever the strengthened k-induction proves, the explicit engine finds holding; with an
    empty fixpoint it is plain k-induction, so a violation at any depth is never proved."""
    from pmipmc.engine.prove_given import prove_given_fixpoint
    enc = Encoder(system)
    ex = {r.property: r for r in run_explicit(system, "toy", "toy", symmetry=False).results}
    props = [p for p in system.properties if p.kind == "quiescent"]
    for few in (True, False):
        states = explore(system, Checks(system, set()), symmetry=False, budget=Budget(max_states=2)).states
        cands = [] if few else [_clause_candidate(enc, c) for c in generate(system.schema, states)]
        h = Houdini(enc, cands)
        if cands and not h.fixpoint():
            continue
        done = prove_given_fixpoint(enc, h, {p.name: bad_state(enc, p) for p in props}, 3, None)
        for name in done:
            assert ex[name].verdict == HOLDS_WITHIN_BOUNDS, name
