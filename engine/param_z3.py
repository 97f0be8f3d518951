"""The symbolic reading of a model (engine/param_model.py) in z3, over uninterpreted sorts.

MAG and MN are `DeclareSort`s; "is a sender" is a unary relation on MN (a listener is an MN that is
not).  Each array is an Int-valued function of its index sorts (its value's code, or for a domain
whose values name MAGs, the code of the value's *kind*: a named value or one block), plus, for the
latter, a function into MAG naming the element.  Codes of a state are kept in range by one
universally quantified axiom per array.  The EPR fragment is left exactly there: arithmetic on
codes (a finite case split in practice) and the element functions (MAG, MN -> MAG) are outside it,
and so are guards that nest `every` under the "no rule is enabled" of quiescence (∀∃).

A rule instance is one equality pattern of its parameters, which become free constants (distinct
where the pattern says so).  There are no post-state symbols: the state after an instance is read
through its writes (`PostFrame`), so a claim about the post-state is the claim with every array
read replaced by "the written value where a write hits, the old value elsewhere".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import z3

from .api import _stored
from .expr import Expr, const_value, lift
from .param_model import Elem, PView, patterns


@dataclass
class V:
    """A value: its code (or kind code) and, for a value naming a MAG, that MAG."""
    tag: Any                 # z3 Int term or Python int
    elem: Any = None         # z3 MAG term
    named: int | None = None  # how many named (non-element) codes the domain has


@dataclass
class Inst:
    """One symbolic instance: a rule (or a claim) at one equality pattern of its parameters."""
    name: str
    pattern: tuple[Elem, ...]
    env: dict
    pc: Any                   # the pattern's constraint on the parameter constants
    guard: Expr | None = None
    writes: list = field(default_factory=list)
    env_rule: bool = False
    body: Expr | None = None   # a claim's clause


class PEncoder:
    def __init__(self, schema, ctx):
        self.schema, self.ctx = schema, ctx
        self.sorts = {"MAG": z3.DeclareSort("MAG"), "MN": z3.DeclareSort("MN")}
        self.sender = z3.Function("is_sender", self.sorts["MN"], z3.BoolSort())
        self.arrays = {a.name: a for a in schema.arrays}
        self.view = PView(schema)
        self.info = {}
        for a in schema.arrays:
            d = a.domain
            if d.sort is not None and d.sort != "MAG":
                raise TypeError(f"{a.name}: values naming {d.sort} are not supported")
            named = d.offsets[0] if d.sort else d.size
            k = named + len(d.offsets) if d.sort else d.size
            self.info[a.name] = ([self.sorts[s.parent or s.name] for s in a.index], named, k, d.sort is not None)
        self.pre = self.frame("")

    # --- frames ---------------------------------------------------------------------------
    def frame(self, tag: str) -> "PreFrame":
        funcs = {}
        for name, (idx, named, k, has_elem) in self.info.items():
            if idx:
                t = z3.Function(f"{tag}{name}", *idx, z3.IntSort())
                e = z3.Function(f"{tag}{name}@", *idx, self.sorts["MAG"]) if has_elem else None
            else:   # a scalar: a constant, not a nullary function
                t = z3.Int(f"{tag}{name}")
                e = z3.Const(f"{tag}{name}@", self.sorts["MAG"]) if has_elem else None
            funcs[name] = (t, e)
        return PreFrame(self, funcs)

    def ranges(self, fr: "PreFrame") -> list:
        out = []
        for name, (idx, named, k, _) in self.info.items():
            xs = [z3.Const(f"r{i}", s) for i, s in enumerate(idx)]
            t = fr.funcs[name][0](*xs) if xs else fr.funcs[name][0]
            c = z3.And(0 <= t, t < k)
            out.append(z3.ForAll(xs, c) if xs else c)
        return out

    # --- instances ------------------------------------------------------------------------
    def params(self, pattern: tuple[Elem, ...], tag: str) -> tuple[dict, Any]:
        env, cons, by_sort = {}, [], {}
        for e in dict.fromkeys(pattern):
            c = z3.Const(f"{tag}:{e!r}", self.sorts[e.sort])
            env[e] = c
            by_sort.setdefault(e.sort, []).append(c)
            if e.role:
                cons.append(self.sender(c) if e.role == "S" else z3.Not(self.sender(c)))
        cons += [z3.Distinct(*cs) for cs in by_sort.values() if len(cs) > 1]
        return env, z3.And(cons)

    def rule_instances(self, rules) -> list[Inst]:
        out = []
        sorts = self.ctx_sorts()
        for r in rules:
            for pat in patterns(sorts, r.each):
                st = r.fn(self.ctx, self.view, *pat)
                if st is None:   # an order test (`if a > b: return None`) may keep the other order
                    pat = _reversed(pat)
                    st = r.fn(self.ctx, self.view, *pat)
                if st is None or const_value(lift(st.guard)) == 0:
                    continue
                for t in st.effect:
                    if not (isinstance(t, Expr) and t.op == "app"):
                        raise TypeError(f"{r.name}: effect target {t!r} is not a state read")
                env, pc = self.params(pat, f"{r.name}{len(out)}")
                writes = [(t, _stored(v)) for t, v in st.effect.items()]
                out.append(Inst(r.name, pat, env, pc, lift(st.guard), writes, r.env))
        return out

    def clause_instances(self, p) -> list[Inst]:
        """A claim's clauses (or a lemma's body) at every equality pattern of its parameters."""
        out = []
        for pat in patterns(self.ctx_sorts(), p.each):
            e = p.fn(self.ctx, self.view, *pat)
            if e is None:
                continue
            env, pc = self.params(pat, f"{p.name}{len(out)}")
            out.append(Inst(p.name, pat, env, pc, body=lift(e)))
        return out

    def ctx_sorts(self) -> dict:
        c = self.ctx
        return {"MAG": c.mags, "MN": c.mns, "LISTENER": c.listeners, "SENDER": c.senders}

    def holds(self, insts: list[Inst], fr: "PreFrame") -> Any:
        """The claim (all its clauses, universally over their parameters) in frame `fr`."""
        parts = []
        for i in insts:
            body = Tr(self, i.env, fr).bool(i.body)
            xs = list(i.env.values())
            parts.append(z3.ForAll(xs, z3.Implies(i.pc, body)) if xs else body)
        return z3.And(parts)

    def enabled(self, i: Inst, fr: "PreFrame") -> Any:
        return Tr(self, i.env, fr).bool(i.guard)

    def quiescent(self, insts: list[Inst], fr: "PreFrame") -> Any:
        parts = []
        for i in insts:
            if i.env_rule:
                continue
            g = self.enabled(i, fr)
            xs = list(i.env.values())
            parts.append(z3.ForAll(xs, z3.Implies(i.pc, z3.Not(g))) if xs else z3.Not(g))
        return z3.And(parts)


def _reversed(pat: tuple[Elem, ...]) -> tuple[Elem, ...]:
    """The pattern with its classes numbered the other way round (per sort)."""
    top: dict = {}
    for e in pat:
        top[e.sort] = max(top.get(e.sort, 0), e.idx)
    return tuple(Elem(e.sort, top[e.sort] - e.idx, e.role) for e in pat)


class PreFrame:
    def __init__(self, enc: PEncoder, funcs: dict):
        self.enc, self.funcs = enc, funcs

    def read(self, name: str, args: list) -> V:
        t, e = self.funcs[name]
        named = self.enc.info[name][1]
        if not args:
            return V(t, e, named)
        return V(t(*args), e(*args) if e is not None else None, named)


class PostFrame:
    """The state after instance `inst` fired from `pre`: reads go through its writes."""

    def __init__(self, enc: PEncoder, pre: PreFrame, inst: Inst):
        self.enc, self.pre, self.inst = enc, pre, inst

    def read(self, name: str, args: list) -> V:
        out = self.pre.read(name, args)
        for key, value in self.inst.writes:
            if key.args[0] != name:
                continue
            env = dict(self.inst.env)
            conds = []
            for k, a in zip(key.args[1:], args):
                if isinstance(k, Expr) and k.op == "bvar" and k.args[0] not in env:
                    env[k.args[0]] = a
                else:
                    conds.append(_elt(k, env) == a)
            v = Tr(self.enc, env, self.pre).value(value)
            out = _ite(z3.And(conds) if conds else z3.BoolVal(True), v, out)
        return out


def _elt(x, env):
    if isinstance(x, Elem):
        return env[x]
    if isinstance(x, Expr) and x.op == "bvar":
        return env[x.args[0]]
    raise TypeError(f"not an element term: {x!r}")


def _b(x):
    return z3.BoolVal(x) if isinstance(x, bool) else x


def _int(v: V | Any):
    return v.tag if isinstance(v, V) else z3.If(v, 1, 0)


def _ite(c, a: V, b: V) -> V:
    elem = a.elem if b.elem is None else b.elem if a.elem is None else z3.If(c, a.elem, b.elem)
    return V(z3.If(c, a.tag, b.tag), elem, a.named if a.named is not None else b.named)


class Tr:
    """Expr -> z3 in one frame, with parameters and bound variables in `env`."""

    def __init__(self, enc: PEncoder, env: dict, frame):
        self.enc, self.env, self.frame = enc, env, frame

    def bool(self, e) -> Any:
        x = self.tr(lift(e))
        if isinstance(x, V):
            return _b(x.tag != 0)
        return x

    def value(self, e) -> V:
        x = self.tr(lift(e))
        return x if isinstance(x, V) else V(z3.If(x, 1, 0))

    def tr(self, e: Expr) -> Any:
        op, a = e.op, e.args
        if op == "const":
            return V(int(a[0]))
        if op == "app":
            return self.frame.read(a[0], [_elt(i, self.env) for i in a[1:]])
        if op == "val":
            return V(self.enc.info[a[0]][1] + a[1], _elt(a[2], self.env), self.enc.info[a[0]][1])
        if op == "recode":
            src = self.value(a[0])
            return V(self.enc.info[a[1]][1] + a[2], src.elem, self.enc.info[a[1]][1])
        if op == "same":
            return _elt(a[0], self.env) == _elt(a[1], self.env)
        if op in ("some", "every"):
            sort = self.enc.ctx_sorts()[a[0]]
            x = z3.FreshConst(self.enc.sorts[sort.base], a[0].lower())
            inner = Tr(self.enc, {**self.env, a[1].args[0]: x}, self.frame)
            body = inner.bool(a[2])
            role = [] if sort.role is None else [self.enc.sender(x) if sort.role == "S" else z3.Not(self.enc.sender(x))]
            if op == "some":
                return z3.Exists([x], z3.And(role + [body]))
            return z3.ForAll([x], z3.Implies(z3.And(role), body) if role else body)
        if op == "not":
            return z3.Not(self.bool(a[0]))
        if op == "and":
            return z3.And([self.bool(x) for x in a])
        if op == "or":
            return z3.Or([self.bool(x) for x in a])
        if op == "ite":
            c = self.bool(a[0])
            t, f = self.tr(a[1]), self.tr(a[2])
            if not isinstance(t, V) and not isinstance(f, V):
                return z3.If(c, t, f)
            return _ite(c, self.value(a[1]) if not isinstance(t, V) else t, self.value(a[2]) if not isinstance(f, V) else f)
        if op == "eq":
            x, y = self.tr(a[0]), self.tr(a[1])
            if not isinstance(x, V) and not isinstance(y, V):
                return x == y
            if not isinstance(x, V) or not isinstance(y, V):
                b, v = (x, y) if not isinstance(x, V) else (y, x)
                return b == _b(v.tag != 0)
            same_tag = _b(x.tag == y.tag)
            if x.elem is not None and y.elem is not None:
                named = x.named if x.named is not None else y.named
                return z3.And(same_tag, z3.Implies(_b(x.tag >= named), x.elem == y.elem))
            return same_tag
        if op == "add":
            x, y = self.value(a[0]), self.value(a[1])
            return V(x.tag + y.tag)
        if op == "le":
            return _b(_int(self.value(a[0])) <= _int(self.value(a[1])))
        raise TypeError(f"unknown operator {op} in a symbolic reading")
