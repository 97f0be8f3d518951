"""The z3 engine agrees with the explicit engine, and every z3 answer is checked, not trusted."""
from __future__ import annotations

import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmipmc.engine.api import PropertyDef, RuleDef, RuleInstance, System, instantiate, invariant, reachable, rule
from pmipmc.engine.bmc import run_bmc, search
from pmipmc.engine.check import run_explicit
from pmipmc.engine.compile import compile_successors
from pmipmc.engine.expr import all_of, eq, ite, le, lift, not_, var
from pmipmc.engine.prove import prove, spacer, bad_state
from pmipmc.engine.session import run_prove
from pmipmc.engine.results import HOLDS, HOLDS_WITHIN_BOUNDS, UNKNOWN, VIOLATED
from pmipmc.engine.schema import Schema, enum
from pmipmc.engine.symbolic import Encoder, EncoderError, UnsupportedProperty, new_solver
from pmipmc.engine.trace import Trace, TraceStep, replay


# --- toy systems, built from the engine API alone ----------------------------------------------
def counter_system(top: int = 3, size: int = 5) -> System:
    """c counts up to `top` and stops there: the 'bad' state c == top is a dead end."""
    sc = Schema()
    sc.array("c", enum(*map(str, range(size))))

    @rule(cites="toy")
    def count_up(ctx, s):
        """c := c + 1 below the top."""
        return _step(s.c < top, {s.c: s.c + 1})

    @invariant(cites="toy")
    def below_top(ctx, s):
        """c never reaches the top."""
        return s.c < top

    return System(sc, None, [bytes([0])], instantiate(sc, None, [count_up]), [below_top])


def twin_counters() -> System:
    """x and y step together from 0 up to 5: y <= 5 holds but is not k-inductive for small k."""
    sc = Schema()
    sc.array("x", enum(*map(str, range(8))))
    sc.array("y", enum(*map(str, range(8))))

    @rule(cites="toy")
    def both_step(ctx, s):
        """x and y grow together while x < 5."""
        return _step(s.x < 5, {s.x: s.x + 1, s.y: s.y + 1})

    @invariant(cites="toy")
    def y_at_most_five(ctx, s):
        """True, but only because y == x."""
        return s.y <= 5

    @invariant(cites="toy")
    def x_at_most_three(ctx, s):
        """False: x reaches 4 after four steps."""
        return s.x <= 3

    return System(sc, None, [bytes([0, 0])], instantiate(sc, None, [both_step]), [y_at_most_five, x_at_most_three])


def _step(guard, effect):
    from pmipmc.engine.api import Step
    return Step(guard=guard, effect=effect)


def test_unroll_has_exactly_k_transitions_on_a_dead_end():
    system = counter_system(top=3)
    enc = Encoder(system)
    for k in range(6):
        unr = enc.unroll(k)
        assert len(unr.states) == k + 1 and len(unr.indicators) == k
        solver = new_solver()
        solver.add(unr.constraints)
        # the only path stops at c == 3, so paths of exactly 0..3 steps exist and longer ones do not
        assert solver.check() == (z3.sat if k <= 3 else z3.unsat)
        if k <= 3:
            tr = enc.replay(enc.decode(solver.model(), unr))
            assert len(tr.steps) == k and tr.final == bytes([k])


def test_bmc_stops_at_the_dead_end_and_finds_the_bad_state_at_depth_three():
    system = counter_system(top=3)
    sr = search(system, system.properties, depth=6)
    (o,) = sr.outcomes
    assert (o.verdict, o.depth) == (VIOLATED, 3)
    assert o.unsat == [0, 1, 2] and all(o.sanity[d] for d in o.unsat)
    system.properties = [_inv("c_at_most_three", lambda ctx, s: s.c <= 3)]
    (res,) = run_bmc(system, "toy", "toy", depth=6).results
    assert res.verdict == HOLDS_WITHIN_BOUNDS and "no path of 4 steps exists" in res.reason


def test_a_tampered_trace_is_an_encoder_error():
    system = counter_system()
    enc = Encoder(system)
    with pytest.raises(EncoderError):
        enc.replay(Trace(bytes([0]), (TraceStep(0, bytes([2])),)))


def test_k_induction_proves_a_true_invariant_and_bmc_refutes_a_false_one():
    system = counter_system(top=3, size=8)
    system.properties = [_inv("c_at_most_three", lambda ctx, s: s.c <= 3),
                         _inv("c_at_most_two", lambda ctx, s: s.c <= 2)]
    enc = Encoder(system)
    ok, bad = (prove(enc, p, [], kmax=3, use_spacer=False) for p in system.properties)
    assert ok.verdict == HOLDS and ok.method.startswith("k-induction")
    assert bad.verdict == VIOLATED and len(bad.trace.steps) == 3


def test_spacer_proves_what_k_induction_cannot_and_refutes_a_deep_violation():
    system = twin_counters()
    enc = Encoder(system)
    true_p, false_p = system.properties
    pf = prove(enc, true_p, [], kmax=2, use_spacer=False)
    assert pf.verdict == UNKNOWN and pf.cti.startswith("CTI at k=2") and "both_step" in pf.cti
    assert spacer(enc, bad_state(enc, true_p), [], None)[0] == "proved"
    assert prove(enc, true_p, [], kmax=2).verdict == HOLDS
    refuted = prove(enc, false_p, [], kmax=1)          # deeper than the base case: Spacer, then BMC
    assert refuted.verdict == VIOLATED and len(refuted.trace.steps) == 4


def test_proving_a_reachable_witness_is_unsupported():
    system = counter_system()
    system.properties = [reachable(cites="toy")(lambda ctx, s: s.c == 2)]
    with pytest.raises(UnsupportedProperty):
        run_prove(system, "toy", "toy", names=[system.properties[0].name])


def _inv(name, fn):
    return PropertyDef(name, "invariant", "toy", name, fn)


# --- the PMIPv6 model: tiny preset (the toy systems above never import it) ------------------------
from pmipmc.properties import provider  # noqa: E402


def _tiny(variant):
    return provider.build("tiny", variant)


def bmc_and_bfs_agree_on_every_verdict_and_shortest_depth(variant):
    """z3 searches to the deepest violation: seconds per variant, so the slow tier runs it (on every
    variant, below); the inner loop has test_run_bmc_reports_symbolic_traces and the random toys."""
    system = _tiny(variant)
    bounded = [p for p in system.properties if p.kind != "progress"]   # progress needs the whole graph
    ex = run_explicit(system, "tiny", variant, names={p.name for p in bounded})
    depth = max([r.depth for r in ex.results if r.depth is not None] + [1])
    sr = search(system, bounded, depth)
    for e, o in zip(ex.results, sr.outcomes):
        assert (e.property, e.verdict, e.depth) == (o.prop.name, o.verdict, o.depth)
        assert all(o.sanity.get(d) for d in o.unsat), "an UNSAT without its SAT sanity partner"
        if o.trace is not None:   # replayed by name, through the explicit rules, as a user would
            labels = [(system.rules[s.inst].rule.name, system.args_text(system.rules[s.inst])) for s in o.trace.steps]
            assert replay(system, o.trace.init, labels).final == o.trace.final


def test_run_bmc_reports_symbolic_traces():
    system = _tiny("draft")
    ex = run_explicit(system, "tiny", "draft")
    found = min((r for r in ex.results if r.verdict == VIOLATED), key=lambda r: r.depth)
    held = next(r for r in ex.results if r.verdict == HOLDS_WITHIN_BOUNDS and r.kind == "invariant")
    run = run_bmc(system, "tiny", "draft", names=[found.property, held.property], depth=found.depth)
    got = {r.property: r for r in run.results}
    assert run.engine == "symbolic" and got[found.property].verdict == VIOLATED
    assert got[found.property].trace.engine == "symbolic" and got[found.property].depth == found.depth
    assert got[held.property].verdict == HOLDS_WITHIN_BOUNDS
    assert got[held.property].reason.startswith(f"BMC to depth {found.depth}")


def _bfs_within(system, k):
    succ = compile_successors(system.rules)
    seen, level = set(system.init), set(system.init)
    for _ in range(k):
        level = {t for s in level for _, t in succ(s)} - seen
        seen |= level
    return seen


def _z3_within(system, k):
    """The states z3 reaches within 0, 1, ..., k steps (one enumeration per depth, shared)."""
    enc, out, within = Encoder(system), set(), []
    for j in range(k + 1):
        unr = enc.unroll(j)
        solver = new_solver()
        solver.add(unr.constraints)
        while solver.check() == z3.sat:
            model = solver.model()
            enc.replay(enc.decode(model, unr))
            s = enc.values(model, unr.states[-1])
            out.add(s)
            solver.add(z3.Or([x != v for x, v in zip(unr.states[-1], s)]))
        within.append(set(out))
    return within


def test_tiny_states_within_three_steps_are_the_same_set_in_both_engines():
    system = _tiny("draft")
    for k, states in enumerate(_z3_within(system, 3)):
        assert states == _bfs_within(system, k), k


# --- hypothesis: random toy systems ------------------------------------------------------------
@st.composite
def toy_systems(draw):
    sizes = draw(st.lists(st.integers(2, 3), min_size=1, max_size=3))
    sc = Schema()
    for i, n in enumerate(sizes):
        sc.array(f"v{i}", enum(*map(str, range(n))))
    slot = st.integers(0, len(sizes) - 1)

    def atom():
        i = draw(slot)
        a = eq(var(i), draw(st.integers(0, sizes[i] - 1)))
        return not_(a) if draw(st.booleans()) else a

    def value(i):
        kind = draw(st.sampled_from(["const", "copy", "ite", "inc"]))
        if kind == "const":
            return lift(draw(st.integers(0, sizes[i] - 1)))
        if kind == "copy":
            j = draw(slot)
            return ite(le(var(j), sizes[i] - 1), var(j), 0)
        if kind == "ite":
            return ite(atom(), draw(st.integers(0, sizes[i] - 1)), var(i))
        return ite(le(var(i) + 1, sizes[i] - 1), var(i) + 1, 0)

    rules = []
    for r in range(draw(st.integers(1, 4))):
        guard = all_of([atom() for _ in range(draw(st.integers(0, 2)))])
        targets = sorted(set(draw(st.lists(slot, min_size=1, max_size=2))))
        d = RuleDef(f"r{r}", "toy", "", (), None, env=draw(st.booleans()))
        rules.append(RuleInstance(r, d, (), guard, tuple((i, value(i)) for i in targets)))
    inits = draw(st.lists(st.tuples(*[st.integers(0, n - 1) for n in sizes]), min_size=1, max_size=2, unique=True))
    target = all_of(atom(), atom())
    props = [PropertyDef("target_reached", "reachable", "toy", "", lambda ctx, s: target),
             PropertyDef("quiet_target", "quiescent", "toy", "", lambda ctx, s: not_(target))]
    return System(sc, None, [bytes(s) for s in inits], rules, props)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toy_systems())
def test_random_toys_reach_the_same_states_and_the_same_shortest_depths(system):
    assert _z3_within(system, 4) == [_bfs_within(system, k) for k in range(5)]
    ex = run_explicit(system, "toy", "toy", symmetry=False)
    depth = max([r.depth for r in ex.results if r.depth is not None] + [ex.depth, 1])
    sr = search(system, system.properties, depth)
    for e, o in zip(ex.results, sr.outcomes):
        assert (e.verdict, e.depth) == (o.verdict, o.depth), e.property


def _consistent(system, variant, run):
    ex = {r.property: r for r in run_explicit(system, "tiny", variant).results}
    for r in run.results:
        if r.topic == "lemma":
            continue
        e = ex[r.property]
        if r.verdict == HOLDS:
            assert e.verdict == HOLDS_WITHIN_BOUNDS, r.property
        if r.verdict == VIOLATED:
            assert (e.verdict, e.depth) == (VIOLATED, r.depth), r.property


@pytest.mark.slow   # invariant discovery on the model: 4 to 20 s of z3 here; the inner loop proves toys
def test_proofs_on_tiny_never_contradict_the_explicit_engine():
    system = _tiny("draft")
    names = [p.name for p in system.properties if p.kind == "invariant"]
    run = run_prove(system, "tiny", "draft", names=names, use_spacer=False)
    assert any(r.verdict == HOLDS for r in run.results)
    _consistent(system, "draft", run)


@pytest.mark.slow
@pytest.mark.parametrize("variant", provider.variant_names())
def test_every_tiny_variant_agrees_and_proofs_are_consistent(variant):
    from pmipmc.properties.lemmas import LEMMAS
    bmc_and_bfs_agree_on_every_verdict_and_shortest_depth(variant)
    system = _tiny(variant)
    _consistent(system, variant, run_prove(system, "tiny", variant, lemmas=LEMMAS, timeout_s=10))
