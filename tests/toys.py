"""Toy systems for engine tests: they use the engine API only, never the PMIPv6 model."""
from __future__ import annotations

from pmipmc.engine.api import Step, System, instantiate, invariant, reachable, rule
from pmipmc.engine.expr import all_of, ite
from pmipmc.engine.schema import BOOL, Domain, Schema


def counter(limit: int = 4, bad: int = 3) -> System:
    """x counts up to `limit`; `reset` goes back to 0 from the top; x == bad is the violation."""
    sc = Schema()
    sc.array("x", Domain(tuple(str(i) for i in range(limit + 1))))

    @rule(cites="toy")
    def inc(ctx, s):
        return Step(guard=s.x != limit, effect={s.x: s.x + 1})

    @rule(cites="toy")
    def reset(ctx, s):
        return Step(guard=s.x == limit, effect={s.x: 0})

    @invariant(cites="toy")
    def x_is_never_bad(ctx, s):
        return s.x != bad

    @reachable(cites="toy")
    def x_reaches_one(ctx, s):
        return s.x == 1

    return System(sc, None, [bytes(1)], instantiate(sc, None, [inc, reset]), [x_is_never_bad, x_reaches_one])


def tokens(n: int = 3) -> System:
    """n symmetric processes each holding a bit; one may pass a token to any other; no two hold it."""
    sc = Schema()
    p = sc.sort("P", [f"P{i + 1}" for i in range(n)])
    sc.array("has", BOOL, p)
    sc.array("flag", BOOL, p)
    sc.symmetric(p, range(n))

    @rule(cites="toy", each=("P", "P"))
    def pass_token(ctx, s, a, b):
        if a == b:
            return None
        return Step(guard=s.has[a] == 1, effect={s.has[a]: 0, s.has[b]: 1})

    @rule(cites="toy", each=("P",))
    def toggle(ctx, s, a):
        return Step(guard=s.has[a] == 1, effect={s.flag[a]: ite(s.flag[a] == 1, 0, 1)})

    @invariant(cites="toy")
    def at_most_one_token(ctx, s):
        return all_of(~all_of(s.has[a] == 1, s.has[b] == 1) for a in range(n) for b in range(n) if a < b)

    @invariant(cites="toy")
    def never_two_flags(ctx, s):
        return all_of(~all_of(s.flag[a] == 1, s.flag[b] == 1) for a in range(n) for b in range(n) if a < b)

    init = bytearray(sc.nslots)
    init[0] = 1
    return System(sc, None, [bytes(init)], instantiate(sc, None, [pass_token, toggle]),
                  [at_most_one_token, never_two_flags])
