"""A z3 model of the symbolic reading as a finite state: the IR evaluated over its elements.

`prove --all-sizes` asks, of each model z3 returns, "which hypothesis fails at which tuple of
elements?"  Substituting and evaluating z3 terms per tuple costs milliseconds; this reads each
array slot from the model once (memoised) and evaluates the IR in Python with the meaning
engine/param_z3.Tr gives it: a value is (code, element, named codes), an element is its index in
the model's universe of its sort; `some`/`every` range over the universe (listeners and senders
by `is_sender`).  tests/test_param_ground.py checks the two agree.
"""
from __future__ import annotations

from typing import Any

import z3

from .expr import Expr
from .param_model import Elem


class Snapshot:
    def __init__(self, enc, m: z3.ModelRef, frame):
        self.enc, self.m, self.frame = enc, m, frame
        self.uni = {n: list(m.get_universe(s) or []) for n, s in enc.sorts.items()}
        self.index = {n: {e.get_id(): i for i, e in enumerate(es)} for n, es in self.uni.items()}
        self.senders = {i for i, e in enumerate(self.uni["MN"])
                        if z3.is_true(m.eval(enc.sender(e), model_completion=True))}
        self.sorts = enc.ctx_sorts()
        self._memo: dict = {}

    def elem_of(self, sort: str, t) -> int | None:
        """The index of the element the ground term `t` denotes (None: outside the universe)."""
        return self.index[sort].get(self.m.eval(t, model_completion=True).get_id())

    def members(self, sort_name: str) -> list[int]:
        """The indices of a ctx sort's elements (MAG, MN, LISTENER, SENDER)."""
        s = self.sorts[sort_name]
        out = range(len(self.uni[s.base]))
        if s.role is None:
            return list(out)
        return [i for i in out if (i in self.senders) == (s.role == "S")]

    def read(self, name: str, args: tuple) -> tuple:
        key = (name,) + args
        got = self._memo.get(key)
        if got is None:
            t, e = self.frame.funcs[name]
            idx = self.enc.info[name][0]
            zs = [self.uni[_base(self.enc, s)][i] for s, i in zip(idx, args)]
            tag = self.m.eval(t(*zs) if zs else t, model_completion=True).as_long()
            el = None
            if e is not None:
                el = self.elem_of("MAG", e(*zs) if zs else e)
            got = self._memo[key] = (tag, el, self.enc.info[name][1])
        return got

    # --- the IR -----------------------------------------------------------------------------
    def holds(self, e: Expr, env: dict) -> bool:
        x = self.ev(e, env)
        return x[0] != 0 if isinstance(x, tuple) else x

    def value(self, e: Expr, env: dict) -> tuple:
        x = self.ev(e, env)
        return x if isinstance(x, tuple) else (int(x), None, None)

    def ev(self, e: Expr, env: dict) -> Any:
        op, a = e.op, e.args
        if op == "const":
            return (int(a[0]), None, None)
        if op == "app":
            return self.read(a[0], tuple(_elt(i, env) for i in a[1:]))
        if op == "val":
            named = self.enc.info[a[0]][1]
            return (named + a[1], _elt(a[2], env), named)
        if op == "recode":
            named = self.enc.info[a[1]][1]
            return (named + a[2], self.value(a[0], env)[1], named)
        if op == "same":
            return _elt(a[0], env) == _elt(a[1], env)
        if op in ("some", "every"):
            v = a[1].args[0]
            found = (self.holds(a[2], {**env, v: i}) for i in self.members(a[0]))
            return any(found) if op == "some" else all(found)
        if op == "not":
            return not self.holds(a[0], env)
        if op == "and":
            return all(self.holds(x, env) for x in a)
        if op == "or":
            return any(self.holds(x, env) for x in a)
        if op == "ite":
            return self.ev(a[1] if self.holds(a[0], env) else a[2], env)
        if op == "eq":
            x, y = self.ev(a[0], env), self.ev(a[1], env)
            if not isinstance(x, tuple) and not isinstance(y, tuple):
                return x == y
            if not isinstance(x, tuple) or not isinstance(y, tuple):
                b, v = (x, y) if not isinstance(x, tuple) else (y, x)
                return b == (v[0] != 0)
            if x[0] != y[0]:
                return False
            named = x[2] if x[2] is not None else y[2]
            if x[1] is not None and y[1] is not None and x[0] >= named:
                return x[1] == y[1]
            return True
        if op == "add":
            return (self.value(a[0], env)[0] + self.value(a[1], env)[0], None, None)
        if op == "le":
            return self.value(a[0], env)[0] <= self.value(a[1], env)[0]
        raise TypeError(f"unknown operator {op} in a symbolic reading")


def _base(enc, z3sort) -> str:
    return next(n for n, s in enc.sorts.items() if s == z3sort)


def _elt(x, env) -> int:
    if isinstance(x, Elem):
        return env[x]
    if isinstance(x, Expr) and x.op == "bvar":
        return env[x.args[0]]
    raise TypeError(f"not an element term: {x!r}")
