"""Quiescence grounded lazily for `prove --all-sizes` (engine/param_ground.py, engine/param_eval.py):
the Python reading of z3's models agrees with z3's, Skolemising keeps quantifiers where they
must stay, and a grounded proof never contradicts a violation the explicit engine found."""
from __future__ import annotations

import json
import time

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from pmipmc.engine.api import Kind
from pmipmc.engine.expr import not_
from pmipmc.engine.param_cmd import candidate
from pmipmc.engine.param_eval import Snapshot
from pmipmc.engine.param_ground import Grounding, nests_exists
from pmipmc.engine.param_prove import Inconclusive, Prover
from pmipmc.engine.param_z3 import Tr
from pmipmc.properties import provider

LEMMAS_AND_TUNNELS = ("no_tunnel_removed_under_an_iif", "no_tunnel_to_itself", "tunnel_ends_agree_at_quiescence")


@pytest.fixture(scope="module")
def repaired():
    pm = provider.build_param(None, "repaired")
    prover = Prover(pm, timeout_s=20.0)
    cands = [candidate(prover, p, as_invariant=p.kind == Kind.QUIESCENT) for p in pm.properties
             if p.name in LEMMAS_AND_TUNNELS]
    cands += [candidate(prover, lem) for lem in pm.lemmas]
    alive = prover.houdini(cands, time.monotonic() + 120).alive
    return pm, prover, alive


def _goal(pm, prover, name):
    return candidate(prover, next(p for p in pm.properties if p.name == name))


@pytest.fixture(scope="module")
def model(repaired):
    """A model of the first grounding round of the orphaned-tunnel claim: rich, arbitrary state."""
    pm, prover, alive = repaired
    g = Grounding(prover, alive, _goal(pm, prover, "no_orphaned_tunnel_at_quiescence"), time.monotonic() + 60)
    mn = g.enc.sorts["MN"]
    g.s.add(g.enc.sender(z3.Const("t:sender", mn)), z3.Not(g.enc.sender(z3.Const("t:listener", mn))))
    assert g.s.check(*g.lits) == z3.sat
    return g, g.s.model()


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_python_reading_of_a_model_agrees_with_z3(model, data):
    g, m = model
    snap = Snapshot(g.enc, m, g.pre)
    h = data.draw(st.sampled_from(g.lazy))
    classes = list(h.inst.env)
    elems = [data.draw(st.sampled_from(snap.members(c.sort if c.role is None else
                                                    {"S": "SENDER", "L": "LISTENER"}[c.role])))
             for c in classes]
    zs = [snap.uni[c.sort][i] for c, i in zip(classes, elems)]
    f = Tr(g.enc, dict(zip(classes, zs)), g.pre).bool(h.body)
    assert snap.holds(h.body, dict(zip(classes, elems))) == z3.is_true(m.eval(f, model_completion=True))


def test_an_exists_under_a_negated_every_needs_a_skolem_term(repaired):
    pm, prover, _ = repaired
    removes = next(i for i in prover.rules if i.name == "mag_removes_tunnel")
    assert nests_exists(not_(removes.guard))          # ¬(… ∧ ¬∃ src …): a witness sender
    assert not nests_exists(removes.guard)


@pytest.mark.parametrize("name", ["tunnel_ends_agree_at_quiescence", "oif_tunnel_has_downstream_iif_at_quiescence"])
def test_quiescent_tunnel_claims_are_proved_with_the_instances_they_need(repaired, name):
    pm, prover, alive = repaired
    cti, how = prover.grounded_at_quiescence(alive, _goal(pm, prover, name), 60)
    assert cti is None
    assert how.used_clauses <= {c.name for c in alive}


def test_the_downstream_iif_claim_needs_the_pim_and_expiry_rules_disabled(repaired):
    pm, prover, alive = repaired
    _, how = prover.grounded_at_quiescence(alive, _goal(pm, prover, "oif_tunnel_has_downstream_iif_at_quiescence"), 60)
    used = " ".join(how.used_quiet)
    assert "mag_expires_tunnel_oif" in used and "mag_receives_pim" in used


def test_the_draft_orphaned_tunnel_is_never_proved_by_grounding():
    violated = json.loads(provider.BASELINE.read_text())["ci"]["draft"]["violated"]
    assert "no_orphaned_tunnel_at_quiescence" in violated
    pm = provider.build_param(None, "draft")
    prover = Prover(pm, timeout_s=20.0)
    goal = _goal(pm, prover, "no_orphaned_tunnel_at_quiescence")
    try:
        cti, _ = prover.grounded_at_quiescence([], goal, 5)
    except Inconclusive:
        return
    assert cti is not None and cti.table


def test_the_upstream_oif_claim_closes_at_fixed_terms_with_one_mag_read(repaired):
    pm, prover, alive = repaired
    cti, how = prover.grounded_at_quiescence(alive, _goal(pm, prover, "iif_tunnel_has_upstream_oif_at_quiescence"), 60)
    assert cti is None and how.fixed_level == 1
    assert any(q.startswith("mag_refreshes_pim_join(") for q in how.used_quiet)


def test_the_orphaned_tunnel_closes_from_the_two_agreement_claims_proved_before(repaired):
    pm, prover, alive = repaired
    facts = tuple(_goal(pm, prover, n) for n in ("iif_tunnel_has_upstream_oif_at_quiescence",
                                                  "oif_tunnel_has_downstream_iif_at_quiescence"))
    cti, how = prover.grounded_at_quiescence(alive, _goal(pm, prover, "no_orphaned_tunnel_at_quiescence"), 60, facts)
    assert cti is None and how.fixed_level is not None
    assert how.used_facts and how.used_facts <= {f.name for f in facts}
    assert any(q.startswith("mag_removes_tunnel(") for q in how.used_quiet)


@pytest.mark.slow
def test_draft_never_proves_its_orphaned_tunnel_even_with_facts():
    from pmipmc.engine.param_cmd import prove_variant
    from pmipmc.engine.results import HOLDS_FOR_ALL_SIZES
    names = {"no_orphaned_tunnel_at_quiescence", "iif_tunnel_has_upstream_oif_at_quiescence",
             "oif_tunnel_has_downstream_iif_at_quiescence", "tunnel_ends_agree_at_quiescence",
             "no_tunnel_removed_under_an_iif"}
    run, _ = prove_variant(provider, None, "draft", names, 600, ground_s=20)
    got = {r.property: r.verdict for r in run.results}
    assert got["no_orphaned_tunnel_at_quiescence"] != HOLDS_FOR_ALL_SIZES


def test_the_fused_steps_lemma_is_offered_only_where_steps_are_fused():
    names = lambda preset: {lem.name for lem in provider.build_param(preset, "repaired").lemmas}  # noqa: E731
    assert "no_query_rests_between_fused_steps" in names("ci")
    assert "no_query_rests_between_fused_steps" not in names("tiny")
