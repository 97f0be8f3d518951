"""Invariant discovery: what it proves is re-checked independently, and it never proves a falsehood."""
from __future__ import annotations

import pytest
import z3
from hypothesis import HealthCheck, given, settings

from pmipmc.engine.api import PropertyDef, System, instantiate, rule
from pmipmc.engine.candidates import Clause, blocking, columns, generate
from pmipmc.engine.check import run_explicit
from pmipmc.engine.discover import discover
from pmipmc.engine.results import HOLDS, HOLDS_WITHIN_BOUNDS, VIOLATED
from pmipmc.engine.schema import Schema, enum
from pmipmc.engine.session import run_prove
from pmipmc.engine.symbolic import Encoder, new_solver

from .test_symbolic import _step, toy_systems, twin_counters


def assert_inductive(enc: Encoder, prop: PropertyDef, support) -> None:
    """A fresh solver confirms: the support holds initially, is kept by every step, and excludes bad."""
    assert all(c.holds(s0) for c in support for s0 in enc.system.init)
    pre, post = enc.state("chk0:"), enc.state("chk1:")
    _, t = enc.trans(pre, post, "chk")
    solver = new_solver()
    solver.add(enc.domain(pre), enc.domain(post), t, *[c.formula(pre) for c in support])
    solver.add(z3.Or([z3.Not(c.formula(post)) for c in support]))
    assert solver.check() == z3.unsat
    e = enc.system.prop_expr(prop)
    bad = z3.Not(enc.pred(e, pre))
    if prop.kind == "quiescent":
        bad = z3.And(enc.quiescent(pre), bad)
    solver = new_solver()
    solver.add(enc.domain(pre), bad, *[c.formula(pre) for c in support])
    assert solver.check() == z3.unsat


def test_clauses_hold_on_every_explored_state_and_read_as_implications():
    sc = Schema()
    sc.array("x", enum("0", "1"))
    sc.array("y", enum("a", "b", "c"))
    states = [bytes([0, 0]), bytes([1, 1]), bytes([1, 2])]
    clauses = generate(sc, states)
    assert clauses and all(c.holds(s) for c in clauses for s in states)
    assert Clause(((0, 0, True), (1, 1, True))).text(sc) == "x = 1 → y = b"
    assert Clause(((0, 1, False), (1, 0, False))).text(sc) == "x = 1 → y ≠ a"


def test_a_blocking_clause_excludes_its_state_and_no_explored_one():
    sc = Schema()
    for n in "abc":
        sc.array(n, enum("0", "1"))
    states = [bytes(s) for s in ([0, 0, 0], [1, 1, 0], [1, 0, 1], [0, 1, 1])]   # even parity
    cti = bytes([1, 1, 1])
    found = blocking(cti, columns(states, 3))
    assert [len(c.lits) for c in found] == [3]
    assert not found[0].holds(cti) and all(found[0].holds(s) for s in states)


def test_discovery_proves_what_k_induction_cannot_and_its_invariant_is_inductive():
    system = twin_counters()
    enc = Encoder(system)
    true_p, false_p = system.properties
    d = discover(enc, [true_p, false_p])
    assert true_p.name in d.proved and false_p.name in d.violated and false_p.name not in d.proved
    assert_inductive(enc, true_p, d.support[true_p.name])
    said: list[str] = []
    run = run_prove(system, "toy", "toy", kmax=1, use_spacer=False, say=said.append)
    got = {r.property: r for r in run.results}
    assert got[true_p.name].verdict == HOLDS and got[true_p.name].invariant
    assert got[false_p.name].verdict == VIOLATED and got[false_p.name].depth == 4
    # a proof shows its phases as they happen, in order, each with what it decided so far
    phases = ["BMC of 2 claims to depth 2", "BMC done: nothing decided", "k-induction (k <= 1) done: 2 UNKNOWN",
              "invariant discovery for 2 open claims", "invariant discovery done: 1 HOLDS, 1 UNKNOWN",
              "BMC for the shortest traces of 1 claims explored states violate"]
    assert [x for x in said if x in phases] == phases
    assert any(x.startswith("discovery round 1: ") and "1 claims proved" in x for x in said)


def _dead_end_quiescent() -> System:
    """A quiescent claim on a state with no successor at all: discovery must not need one."""
    sc = Schema()
    sc.array("c", enum("0", "1", "2"))

    @rule(cites="toy")
    def up(ctx, s):
        """c counts to 2 and stops."""
        return _step(s.c <= 1, {s.c: s.c + 1})

    bad = PropertyDef("never_stops", "quiescent", "toy", "", lambda ctx, s: s.c != 2)
    return System(sc, None, [bytes([0])], instantiate(sc, None, [up]), [bad])


def test_a_violation_in_a_dead_end_is_never_proved():
    system = _dead_end_quiescent()
    d = discover(Encoder(system), system.properties)
    assert not d.proved
    (res,) = run_prove(system, "toy", "toy", use_spacer=False).results
    assert res.verdict == VIOLATED and res.depth == 2


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toy_systems())
def test_random_toys_discovery_agrees_with_the_explicit_engine(system):
    enc = Encoder(system)
    props = [p for p in system.properties if p.kind == "quiescent"]
    d = discover(enc, props)
    ex = {r.property: r for r in run_explicit(system, "toy", "toy", symmetry=False).results}
    for p in props:
        if p.name in d.proved:
            assert ex[p.name].verdict == HOLDS_WITHIN_BOUNDS
            assert_inductive(enc, p, d.support[p.name])
        if ex[p.name].verdict == VIOLATED:
            assert p.name in d.violated



@pytest.mark.slow
@pytest.mark.parametrize("variant", ["draft", "repaired"])
def test_ci_proofs_decide_everything_and_agree_with_the_explicit_engine(variant):
    from pmipmc.properties import provider
    system = provider.build("ci", variant)
    run = run_prove(system, "ci", variant, timeout_s=60)
    ex = {r.property: r for r in run_explicit(system, "ci", variant).results}
    for r in run.results:
        if r.topic == "lemma":
            continue
        e = ex[r.property]
        assert r.verdict in (HOLDS, VIOLATED), (r.property, r.reason)
        assert (r.verdict == HOLDS) == (e.verdict == HOLDS_WITHIN_BOUNDS), r.property
        if r.verdict == VIOLATED:
            assert r.depth == e.depth, r.property
    if variant == "repaired":
        got = {r.property: r for r in run.results}
        for name in ("no_orphaned_tunnel_at_quiescence", "iif_tunnel_has_upstream_oif_at_quiescence",
                     "local_iif_only_where_the_sender_is_at_quiescence"):
            assert got[name].invariant, name


def test_a_stop_during_discovery_keeps_what_was_decided_and_proves_nothing_more(monkeypatch):
    """Ctrl-C while discovery generates its candidates: the violation BMC found stays, the claim
    only discovery can prove is UNKNOWN(interrupted), never HOLDS."""
    from pmipmc.engine import discover as discovery, stop
    system = twin_counters()
    true_p, false_p = system.properties
    real = discovery.generate

    def generate_then_stop(*args, **kw):
        out = real(*args, **kw)
        stop.request("interrupted")
        return out
    monkeypatch.setattr(discovery, "generate", generate_then_stop)
    with stop.session():
        run = run_prove(system, "toy", "toy", kmax=3)
    got = {r.property: r for r in run.results}
    assert got[false_p.name].verdict == VIOLATED and got[false_p.name].depth == 4
    assert got[true_p.name].shown == "UNKNOWN(interrupted)" and not got[true_p.name].invariant
    assert not run.complete and run.reason == "interrupted"
    assert not stop.requested()   # the next run starts afresh
