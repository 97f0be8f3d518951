"""The model's own rules and claims read with symbolic parameters, for proofs at every size.

A rule is ordinary Python over its parameters: `if a == b: return None`, `a < b`, `is_sender(n)`.
So parameters here are `Elem`s of an *equality pattern*: for each rule, every way its parameters
of one sort can coincide (a set partition, respecting the LISTENER/SENDER roles of MNs) is one
symbolic instance, and Python comparisons of parameters are decided by the pattern.  Loops over a
whole sort go through the IR's quantifier helpers (`some`, `every`, `each`), which over a
`SymSort` build quantifier nodes on a bound variable.  State reads are `app` nodes (array name,
index terms) and values naming an element are `val` nodes (array whose domain it is, block,
element); `engine/param_z3.py` turns all of it into z3 over uninterpreted sorts.

An ordering test such as `a < b` picks one of two symmetric instances; read with any two
distinct elements, that instance stands for both.  For a rule this adds transitions, for a claim
it strengthens the clause: either way a proof stays sound.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable

from .expr import _BUILD, Expr, ite, lift, same



@dataclass
class ParamModel:
    """What a model hands `prove --all-sizes`: its schema and context over symbolic sorts, the
    enabled rules, the claims and lemmas, and the initial states as a predicate `initially(ctx, s)`
    over the arrays `initial_arrays` (every other array starts at its first value)."""
    schema: Any
    ctx: Any
    rules: list
    properties: list
    lemmas: list
    initially: Callable
    initial_arrays: tuple[str, ...]
    name: str = ""


@dataclass(frozen=True)
class Elem:
    """Parameter `idx` of sort `sort` in one equality pattern (role L/S for an MN, or None)."""
    sort: str
    idx: int
    role: str | None = None

    def __eq__(self, other):
        return isinstance(other, Elem) and (self.sort, self.idx) == (other.sort, other.idx)

    def __hash__(self):
        return hash((self.sort, self.idx))

    def __lt__(self, other):
        return self.idx < other.idx

    def __gt__(self, other):
        return self.idx > other.idx

    def same(self, other):
        from .expr import FALSE, TRUE
        if isinstance(other, Elem):
            return TRUE if self == other else FALSE
        return Expr("same", (self, other))

    def __repr__(self):
        return f"{'a' if self.sort == 'MAG' else 'n'}{self.idx}{self.role or ''}"


_fresh = itertools.count()


class SymSort:
    """A sort of unknown size (MAG, MN, or the listeners/senders among the MNs)."""

    def __init__(self, name: str, base: str, role: str | None = None):
        self.name, self.base, self.role = name, base, role

    def __iter__(self):
        raise TypeError(f"a loop over the symbolic sort {self.name}: use some/every/each (engine/expr.py)")

    def __len__(self):
        raise TypeError(f"len() of the symbolic sort {self.name}")

    def var(self) -> Expr:
        return Expr("bvar", (next(_fresh), self.name))

    def quantify(self, kind: str, body: Callable) -> Expr:
        v = self.var()
        return Expr(kind, (self.name, v, lift(body(v))))

    def each(self, updates: Callable, where: Callable | None) -> dict:
        v = self.var()
        out = dict(updates(v))
        if where is not None:
            out = {k: ite(where(v), val, k) for k, val in out.items()}
        # the bound variable's sort travels with the key: the encoder quantifies nothing here, it
        # matches read indices against the key
        return out


class _Arr:
    def __init__(self, view: "PView", name: str, arity: int, idx: tuple = ()):
        self.view, self.name, self.arity, self.idx = view, name, arity, idx

    def __getitem__(self, i):
        if not isinstance(i, (Elem, Expr)):
            raise TypeError(f"{self.name}[{i!r}]: a concrete index in a symbolic reading")
        idx = self.idx + (i,)
        if len(idx) == self.arity:
            return self.view.app(self.name, idx)
        return _Arr(self.view, self.name, self.arity, idx)


class PView:
    """`s.iif[m][x]` as an `app` node; the same node object for the same indices, so effect dicts
    collapse writes to one slot exactly as they do over concrete slots."""

    def __init__(self, schema):
        self._memo: dict = {}
        for a in schema.arrays:
            setattr(self, a.name, self.app(a.name, ()) if not a.index else _Arr(self, a.name, len(a.index)))

    def app(self, name: str, idx: tuple) -> Expr:
        key = (name,) + tuple(i.key() if isinstance(i, Expr) else i for i in idx)
        if key not in self._memo:
            self._memo[key] = Expr("app", (name,) + tuple(idx))
        return self._memo[key]


def val(array: str, block: int, elem) -> Expr:
    """The value of `array`'s domain that names `elem` in its block-th format."""
    return Expr("val", (array, block, elem))


def patterns(sorts: dict, each: tuple[str, ...]) -> list[tuple[Elem, ...]]:
    """Every equality pattern of parameters of these sorts (set partitions per base sort, classes
    numbered in order of first use), as Elem tuples; an MN class of no role is read once as a
    listener and once as a sender."""
    out = []
    for labels in itertools.product(*(range(len(each)) for _ in each)):
        top: dict = {}
        ok = True
        for n, lab in zip(each, labels):   # a restricted growth string per base sort
            base = sorts[n].base
            if lab > top.get(base, -1) + 1:
                ok = False
                break
            top[base] = max(top.get(base, -1), lab)
        if not ok:
            continue
        roles: dict = {}
        for n, lab in zip(each, labels):
            key = (sorts[n].base, lab)
            r = sorts[n].role
            if r is not None:
                if roles.get(key) not in (None, r):
                    ok = False
                roles[key] = r
            else:
                roles.setdefault(key, None)
        if not ok:
            continue
        free = [k for k, r in roles.items() if r is None and k[0] == "MN"]
        for choice in itertools.product("LS", repeat=len(free)):
            rr = {**roles, **dict(zip(free, choice))}
            out.append(tuple(Elem(sorts[n].base, lab, rr[(sorts[n].base, lab)]) for n, lab in zip(each, labels)))
    return out


def substitute(e: Any, read: Callable[[Expr], Expr | None], binds: dict | None = None) -> Any:
    """`e` with every `app` node replaced by `read(node)` (None: kept) and bound variables by
    `binds`; re-folded.  Sequential composition of symbolic steps reads through this."""
    binds = binds or {}
    if not isinstance(e, Expr):
        return e
    op, a = e.op, e.args
    if op == "bvar":
        return binds.get(a[0], e)
    if op == "const":
        return e
    if op == "app":
        node = Expr("app", (a[0],) + tuple(substitute(i, read, binds) for i in a[1:]))
        got = read(node)
        return node if got is None else got
    if op == "val":
        return Expr("val", (a[0], a[1], substitute(a[2], read, binds)))
    if op == "recode":
        return Expr("recode", (substitute(a[0], read, binds), a[1], a[2]))
    if op == "same":
        return same(substitute(a[0], read, binds), substitute(a[1], read, binds))
    if op in ("some", "every"):
        return Expr(op, (a[0], a[1], substitute(a[2], read, binds)))
    return _BUILD[op](*(substitute(x, read, binds) for x in a))


def match(key: Expr, node: Expr) -> tuple[Expr, dict] | None:
    """When does write target `key` (an app node, maybe over bound variables) hit read `node`?
    (condition, bindings of the key's bound variables), or None when it never does."""
    if key.args[0] != node.args[0]:
        return None
    conds, binds = [], {}
    for k, n in zip(key.args[1:], node.args[1:]):
        if isinstance(k, Expr) and k.op == "bvar" and k.args[0] not in binds:
            binds[k.args[0]] = n
        else:
            conds.append(same(binds.get(k.args[0], k) if isinstance(k, Expr) and k.op == "bvar" else k, n))
    from .expr import all_of, const_value
    c = all_of(conds)
    return None if const_value(c) == 0 else (c, binds)


def read_after(effect: list[tuple[Expr, Expr]], node: Expr) -> Expr | None:
    """The value `node` reads after the writes `effect` (in order, later ones win)."""
    out, hit = node, False
    for key, value in effect:
        m = match(key, node)
        if m is None:
            continue
        cond, binds = m
        out = ite(cond, substitute(value, lambda _: None, binds), out)
        hit = True
    return out if hit else None


def then_param(first, nxt):
    """Step.then for symbolic steps: nxt's guard and values read the state `first` leads to."""
    from .api import Step, _stored
    from .expr import all_of
    writes = [(t, _stored(v)) for t, v in first.effect.items()]

    def read(node):
        return read_after(writes, node)
    merged = {t.key(): (t, v) for t, v in writes}
    for t, v in nxt.effect.items():
        merged.pop(t.key(), None)   # re-inserted last: a later write wins over an earlier pointwise one
        merged[t.key()] = (t, substitute(_stored(v), read))
    return Step(all_of(lift(first.guard), substitute(lift(nxt.guard), read)), dict(merged.values()))
