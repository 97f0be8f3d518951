"""Partial-order reduction keeps every verdict, and it does reduce where instances are independent."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmipmc.engine.api import Step, System, instantiate, invariant, quiescent, reachable, rule, step_property
from pmipmc.engine.check import POR_TRACE, run_explicit
from pmipmc.engine.compile import compile_successors_flagged
from pmipmc.engine.explore import Checks, explore
from pmipmc.engine.expr import all_of, any_of, ite
from pmipmc.engine.por import AmpleSets, por_tables, stutter_safe
from pmipmc.engine.schema import Domain, Schema
from pmipmc.engine.trace import is_quiescent, replay, violates
from pmipmc.properties.provider import variant_names

from .helpers import system
from .tiers import examples


def verdicts(run) -> list[tuple[str, str]]:
    # progress is never decided on a reduced graph (UNKNOWN(por), tested apart)
    return [(r.property, r.verdict) for r in run.results if r.kind != "progress"]


def counters(n: int = 3, top: int = 2) -> System:
    """n processes each counting its own x_i up to `top`: nothing they do interferes."""
    sc = Schema()
    p = sc.sort("P", [f"P{i}" for i in range(n)])
    sc.array("x", Domain(tuple(str(v) for v in range(top + 1))), p)

    @rule(cites="toy", each=("P",))
    def count(ctx, s, i):
        return Step(guard=s.x[i] != top, effect={s.x[i]: s.x[i] + 1})

    @reachable(cites="toy")
    def first_at_top(ctx, s):
        return s.x[0] == top

    return System(sc, None, [bytes(n)], instantiate(sc, None, [count]), [first_at_top])


def test_independent_counters_are_explored_along_one_interleaving():
    """3 counters to 2: 27 states in full; one interleaving of 6 steps is 7 states (the visible
    counter, the one the property reads, goes last)."""
    s = counters()
    full = explore(s, Checks(s, None), symmetry=False)
    por = explore(s, Checks(s, None), symmetry=False, por=True)
    assert (len(full.states), len(por.states)) == (27, 7)
    assert verdicts(run_explicit(s, "toy", "toy", symmetry=False, por=True)) == [("first_at_top", "FOUND")]


def protocol_and_environment() -> System:
    """A protocol step x: 0 -> 1 and an unrelated one-shot environment step y: 0 -> 1.  The quiescent
    state (x=1, y=0) is reachable only if the protocol step is not postponed behind the environment's."""
    sc = Schema()
    sc.array("y", Domain(("0", "1")))
    sc.array("x", Domain(("0", "1")))

    @rule(cites="toy", env=True)
    def env_sets_y(ctx, s):
        return Step(guard=s.y == 0, effect={s.y: 1})

    @rule(cites="toy")
    def protocol_sets_x(ctx, s):
        return Step(guard=s.x == 0, effect={s.x: 1})

    @quiescent(cites="toy")
    def y_is_set_when_quiet(ctx, s):
        return s.y == 1

    return System(sc, None, [bytes(2)], instantiate(sc, None, [env_sets_y, protocol_sets_x]), [y_is_set_when_quiet])


def reduced_states(s: System, tables) -> set[bytes]:
    """A bare BFS over the tables' ample sets (what another engine would do with them)."""
    succ, ample = compile_successors_flagged(s.rules), AmpleSets(tables)
    seen = {s.init[0]: 0}
    order = [s.init[0]]
    for st_ in order:
        out, protocol = succ(st_)
        for _, t in ample.reduce(st_, out, protocol, lambda t: t in seen):
            if t not in seen:
                seen[t] = len(order)
                order.append(t)
    return set(order)


def test_quiescent_states_stay_reachable_because_a_protocol_instance_is_kept():
    s = protocol_and_environment()
    assert verdicts(run_explicit(s, "toy", "toy", symmetry=False, por=True)) == [("y_is_set_when_quiet", "VIOLATED")]
    with_cq = por_tables(s, s.properties)
    assert with_cq.keep_protocol
    quiet_and_bad = bytes([0, 1])   # y = 0, x = 1
    assert quiet_and_bad in reduced_states(s, with_cq)
    # without the condition the environment step is expanded alone and that state is never stored
    assert quiet_and_bad not in reduced_states(s, dataclasses.replace(with_cq, keep_protocol=False))


def test_a_step_property_a_stutter_violates_makes_every_instance_visible():
    s = counters()

    @step_property(cites="toy")
    def something_always_moves(ctx, a, b):
        return any_of(a.x[i] != b.x[i] for i in range(3))

    @step_property(cites="toy")
    def counters_never_go_down(ctx, a, b):
        return all_of(b.x[i] + 1 != a.x[i] for i in range(3))

    assert not stutter_safe(s, s.prop_expr(something_always_moves))
    assert stutter_safe(s, s.prop_expr(counters_never_go_down))
    assert por_tables(s, [something_always_moves]).visible == bytes([1, 1, 1])
    assert por_tables(s, [counters_never_go_down]).visible == bytes([1, 1, 1])   # it reads every x
    assert por_tables(s, []).visible == bytes(3)


@st.composite
def toy_systems(draw) -> System:
    """Random small systems: guards of slot tests, constant or copied updates, every property kind."""
    sc = Schema()
    nslots = draw(st.integers(3, 6))
    sizes = [draw(st.integers(2, 3)) for _ in range(nslots)]
    for i, n in enumerate(sizes):
        sc.array(f"v{i}", Domain(tuple(str(v) for v in range(n))))
    view = sc.view(0)
    slot = lambda i: getattr(view, f"v{i}")   # noqa: E731
    atom = st.tuples(st.integers(0, nslots - 1), st.integers(0, 2), st.booleans())
    defs = []
    for r in range(draw(st.integers(2, 6))):
        # each rule moves one slot from a to b (a != b: no self-loops), maybe under one more test,
        # maybe writing one more slot (a constant, or a copy of another slot)
        i = draw(st.integers(0, nslots - 1))
        a_, b_ = draw(st.integers(0, sizes[i] - 1)), draw(st.integers(1, sizes[i] - 1))
        extra = draw(st.none() | atom)
        also = draw(st.none() | st.tuples(st.integers(0, nslots - 1), st.integers(0, 2), st.integers(-1, nslots - 1)))
        env = draw(st.booleans())

        def fn(ctx, s, i=i, a_=a_, b_=b_, extra=extra, also=also):
            guard = [slot(i) == a_]
            if extra is not None and extra[0] != i:
                guard.append((slot(extra[0]) == extra[1]) if extra[2] else (slot(extra[0]) != extra[1]))
            effect = {slot(i): (a_ + b_) % sizes[i]}
            if also is not None and also[0] != i:
                j, v, src = also[0], also[1] % sizes[also[0]], also[2]
                # a copy from another slot, kept in range: the value when it fits, else v
                effect[slot(j)] = v if src < 0 else ite(slot(src) <= sizes[j] - 1, slot(src), v)
            return Step(guard=all_of(guard), effect=effect)
        fn.__name__ = f"r{r}"
        defs.append(rule(cites="toy", env=env)(fn))
    (a, av), (b, bv) = draw(atom)[:2], draw(atom)[:2]
    av, bv = av % sizes[a], bv % sizes[b]
    props = [
        invariant(cites="toy")(_named("inv", lambda ctx, s: any_of(slot(a) != av, slot(b) != bv))),
        reachable(cites="toy")(_named("reach", lambda ctx, s: all_of(slot(a) == av, slot(b) == bv))),
        quiescent(cites="toy")(_named("quiet", lambda ctx, s: slot(b) != bv)),
        step_property(cites="toy")(_named("step", lambda ctx, s, t: any_of(
            getattr(t, f"v{a}") == getattr(s, f"v{a}"), getattr(s, f"v{b}") != bv))),
    ]
    inits = draw(st.lists(st.tuples(*(st.integers(0, n - 1) for n in sizes)), min_size=1, max_size=2))
    return System(sc, None, [bytes(i) for i in dict.fromkeys(inits)], instantiate(sc, None, defs), props)


def _named(name, fn):
    fn.__name__ = name
    return fn


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toy_systems(), st.sampled_from([None, "inv", "reach", "quiet", "step"]))
def test_por_keeps_every_verdict_on_random_systems(s, only):
    names = None if only is None else {only}
    full = run_explicit(s, "toy", "toy", names, symmetry=False)
    por = run_explicit(s, "toy", "toy", names, symmetry=False, por=True)
    assert verdicts(por) == verdicts(full)
    assert por.states <= full.states


@pytest.mark.parametrize("variant", variant_names())
def test_por_keeps_every_verdict_on_tiny(variant):
    s = system("tiny", variant)
    full = run_explicit(s, "tiny", variant)
    por = run_explicit(s, "tiny", variant, por=True)
    assert verdicts(por) == verdicts(full)
    for f, p in zip(full.results, por.results):
        assert (p.depth or 0) >= (f.depth or 0)   # BFS under POR is still breadth-first, never shorter


def test_progress_under_por_is_unknown_with_its_reason():
    s = system("tiny", "draft")
    por = run_explicit(s, "tiny", "draft", por=True)
    progress = [r for r in por.results if r.kind == "progress"]
    assert progress and por.complete
    assert all(r.verdict == "UNKNOWN" and r.reason.startswith("por:") for r in progress)


def test_a_trace_found_under_por_replays_and_says_it_may_not_be_shortest():
    s = system("tiny", "draft")
    run = run_explicit(s, "tiny", "draft", {"no_tunnel_removed_under_an_iif"}, por=True)
    (res,) = run.results
    assert res.trace.engine == POR_TRACE and "may not be the shortest" in POR_TRACE
    init = s.schema.encode(res.trace.init)
    trace = replay(s, init, [(st_.rule, st_.args) for st_ in res.trace.steps])
    assert violates(s, res.property, trace, is_quiescent(s))


@pytest.mark.slow
@pytest.mark.parametrize("variant", variant_names())
@pytest.mark.parametrize("symmetry", [True, False])
def test_por_keeps_every_verdict_on_ci(variant, symmetry):
    s = system("ci", variant)
    full = run_explicit(s, "ci", variant, symmetry=symmetry)
    por = run_explicit(s, "ci", variant, symmetry=symmetry, por=True)
    assert verdicts(por) == verdicts(full)


def test_bench_por_reports_what_is_removed_and_that_verdicts_agree(capsys):
    from pmipmc.engine.cli import run
    from pmipmc.properties import provider
    assert run(provider, ["bench", "--por", "--preset", "tiny", "--variant", "repaired"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("tiny"))
    assert row.split()[2:4] == ["471", "471"] and row.endswith("same")


@pytest.mark.parametrize("argv", [["prove", "--por"], ["check", "--engine", "symbolic", "--depth", "3", "--por"]])
def test_por_with_a_symbolic_engine_is_bad_input(capsys, argv):
    from pmipmc.engine.cli import run
    from pmipmc.properties import provider
    assert run(provider, argv) == 2
    assert "--por applies to the explicit engine only" in capsys.readouterr().err
