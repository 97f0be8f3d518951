"""Random toy systems for the native engine's agreement tests (engine API only, no PMIPv6).

A symmetric sort P; per element a small counter `x[P]` and a pointer `ptr[P]` whose values name
elements of P (so symmetry permutes values as well as indices); one shared `mode`.  Rules are drawn
from templates whose constants hypothesis chooses; the properties cover every kind.
"""
from __future__ import annotations

from dataclasses import dataclass

from pmipmc.engine.api import (Step, System, instantiate, invariant, progress_property, quiescent, reachable, rule,
                               step_property)
from pmipmc.engine.expr import TRUE, all_of, any_of, ite
from pmipmc.engine.schema import Domain, Schema, sort_domain


@dataclass(frozen=True)
class Shape:
    n: int                 # elements of P
    xmax: int              # x ranges over 0..xmax
    modes: int             # mode ranges over 0..modes-1
    rules: tuple           # (guard x value, guard mode or -1, new x, new mode or -1, point: bool, env: bool)
    bad: int               # invariant: never every x equal to bad
    goal: int              # reachable: some x == goal with mode 0
    symmetric: bool = True


def build(shape: Shape) -> System:
    sc = Schema()
    p = sc.sort("P", [f"P{i + 1}" for i in range(shape.n)])
    sc.array("x", Domain(tuple(str(i) for i in range(shape.xmax + 1))), p)
    sc.array("ptr", sort_domain(p, "none"), p)
    sc.array("mode", Domain(tuple(f"m{i}" for i in range(shape.modes))))
    if shape.symmetric:
        sc.symmetric(p, range(shape.n))
    defs = []
    for k, (gx, gm, nx, nm, point, env) in enumerate(shape.rules):
        def fn(ctx, s, a, b, gx=gx, gm=gm, nx=nx, nm=nm, point=point):
            if point and a == b:
                return None
            guard = all_of(s.x[a] == gx, True if gm < 0 else s.mode == gm,
                           s.ptr[a] == 0 if point else True)
            effect = {s.x[a]: ite(s.x[b] == nx, gx, nx)}
            if point:
                effect[s.ptr[a]] = 1 + b
            if nm >= 0:
                effect[s.mode] = nm
            return Step(guard=guard, effect=effect)
        fn.__name__ = f"r{k}"
        defs.append(rule(cites="toy", each=("P", "P"), env=env)(fn))

    @invariant(cites="toy")
    def not_all_bad(ctx, s):
        return ~all_of(s.x[a] == shape.bad for a in range(shape.n))

    @reachable(cites="toy")
    def goal_reached(ctx, s):
        return any_of(all_of(s.x[a] == shape.goal, s.mode == 0) for a in range(shape.n))

    @quiescent(cites="toy")
    def settles_in_mode_zero(ctx, s):
        return s.mode == 0

    @step_property(cites="toy")
    def pointers_never_drop(ctx, s, t):
        return all_of(~all_of(s.ptr[a] != 0, t.ptr[a] == 0) for a in range(shape.n))

    @step_property(cites="toy")
    def mode_never_jumps_to_last(ctx, s, t):
        return any_of(s.mode == shape.modes - 1, t.mode != shape.modes - 1)

    # protocol rules that undo each other are livelocks: plain quiescence, and quiescence in mode 0
    @progress_property(cites="toy")
    def can_settle(ctx, s):
        return TRUE

    @progress_property(cites="toy")
    def can_settle_in_mode_zero(ctx, s):
        return s.mode == 0

    init = bytes(sc.nslots)
    return System(sc, None, [init], instantiate(sc, None, defs),
                  [not_all_bad, goal_reached, settles_in_mode_zero, pointers_never_drop, mode_never_jumps_to_last,
                   can_settle, can_settle_in_mode_zero])


def overflowing() -> System:
    """A rule that counts past its domain: the native engine must refuse to store the value."""
    sc = Schema()
    sc.array("x", Domain(("0", "1", "2")))

    @rule(cites="toy")
    def count(ctx, s):
        return Step(guard=s.x != 9, effect={s.x: s.x + 1})

    @invariant(cites="toy")
    def small(ctx, s):
        return s.x != 9

    return System(sc, None, [bytes(1)], instantiate(sc, None, [count]), [small])
