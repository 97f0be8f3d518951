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


def spinner(livelock: bool = True) -> System:
    """The environment starts a job (x: 0 -> 1); protocol steps finish it (1 -> 2 -> 3, quiet).

    With `livelock`, the protocol can also bounce between 2 and 4 and, from 4, only ever back to 2
    (a state from which 3 is unreachable once 4's exit is gone); without it, 2 always ends at 3.
    """
    from pmipmc.engine.api import progress_property
    from pmipmc.engine.expr import TRUE
    sc = Schema()
    sc.array("x", Domain(tuple(str(i) for i in range(6))))

    @rule(cites="toy", env=True)
    def start(ctx, s):
        return Step(guard=s.x == 0, effect={s.x: 1})

    @rule(cites="toy")
    def work(ctx, s):
        return Step(guard=s.x == 1, effect={s.x: 2})

    @rule(cites="toy")
    def finish(ctx, s):
        return Step(guard=s.x == 2, effect={s.x: 3})

    @rule(cites="toy")
    def detour(ctx, s):
        return Step(guard=s.x == 2, effect={s.x: 4})

    @rule(cites="toy")
    def back(ctx, s):
        return Step(guard=s.x == 4, effect={s.x: 5})

    @rule(cites="toy")
    def loop(ctx, s):
        return Step(guard=s.x == 5, effect={s.x: 4})

    @progress_property(cites="toy")
    def can_always_finish(ctx, s):
        return TRUE

    rules = [start, work, finish] + ([detour, back, loop] if livelock else [])
    return System(sc, None, [bytes(1)], instantiate(sc, None, rules), [can_always_finish])


def handshake(strict: bool = True) -> System:
    """A request is answered, then acknowledged work is finished; properties written to catch mutants.

    `strict` is a toy variant axis: the lax reading lets `finish` run without an acknowledgement.
    """
    from pmipmc.engine.api import progress_property, quiescent, step_property
    from pmipmc.engine.expr import TRUE
    sc = Schema()
    sc.array("req", BOOL)
    sc.array("ack", BOOL)
    sc.array("done", Domain(("no", "yes", "err")))
    sc.array("log", BOOL)

    @rule(cites="toy §1", env=True)
    def ask(ctx, s):
        return Step(guard=all_of(s.req == 0, s.done == 0, s.ack == 0), effect={s.req: 1})

    @rule(cites="toy §2")
    def answer(ctx, s):
        # `done == 0` is redundant (req is set only while done == 0): dropping it is equivalent;
        # nothing reads `log`: dropping its effect changes the states and no property notices
        return Step(guard=all_of(s.req == 1, s.done == 0), effect={s.req: 0, s.ack: 1, s.log: 1})

    @rule(cites="toy §3")
    def finish(ctx, s):
        return Step(guard=(s.ack == 1) if strict else TRUE, effect={s.ack: 0, s.done: 1})

    @reachable(cites="toy §3")
    def work_gets_done(ctx, s):
        return s.done == 1

    @quiescent(cites="toy §2")
    def no_request_left_at_quiescence(ctx, s):
        return s.req == 0

    @step_property(cites="toy §3")
    def done_only_after_an_ack(ctx, s, t):
        return ~all_of(s.done == 0, t.done == 1, s.ack == 0)

    @invariant(cites="toy §3")
    def never_an_error(ctx, s):
        return s.done != 2

    @progress_property(cites="toy")
    def settles(ctx, s):
        return TRUE

    return System(sc, None, [bytes(4)], instantiate(sc, None, [ask, answer, finish]),
                  [work_gets_done, no_request_left_at_quiescence, done_only_after_an_ack, never_an_error, settles])


def maze(n: int, protocol: tuple, env: tuple = (), bad: int = -1) -> System:
    """x in 0..n-1 moves along the given (from, to) edges, protocol or environment, in that order.

    A value with no protocol edge out is settled; edges listed first are the ones a greedy walk takes,
    so a back edge listed before the way forward sends it round a loop while a long way out exists.
    The second claim narrows settled to x != bad.
    """
    from pmipmc.engine.api import progress_property
    from pmipmc.engine.expr import TRUE
    sc = Schema()
    sc.array("x", Domain(tuple(str(i) for i in range(n))))

    def edge(k: int, a: int, b: int, is_env: bool):
        def fn(ctx, s):
            return Step(guard=s.x == a, effect={s.x: b})
        fn.__name__ = f"{'e' if is_env else 'p'}{k}_{a}_{b}"
        return rule(cites="toy", env=is_env)(fn)

    rules = [edge(k, a, b, False) for k, (a, b) in enumerate(protocol)]
    rules += [edge(k, a, b, True) for k, (a, b) in enumerate(env)]

    @progress_property(cites="toy")
    def can_settle(ctx, s):
        return TRUE

    @progress_property(cites="toy")
    def can_settle_off_bad(ctx, s):
        return s.x != bad

    return System(sc, None, [bytes(1)], instantiate(sc, None, rules), [can_settle, can_settle_off_bad])


def ladder(n: int) -> System:
    """0 -> 1 -> ... -> n-1 (settled), each rung first offering a step back: greedy walks go round
    0 <-> 1, only a search over every edge finds the top."""
    back = tuple((i, i - 1) for i in range(1, n - 1))
    up = tuple((i, i + 1) for i in range(n - 1))
    return maze(n, back + up)
