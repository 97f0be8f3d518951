"""What a model hands to the engines: rules and properties over a schema.

A rule is a function `fn(ctx, s, *args) -> Step | None` instantiated once per tuple of concrete
parameters drawn from the sorts named in `each`; `ctx` is the model's own configuration object,
passed through untouched.  Returning None means "no such instance" (e.g. a MAG paired with
itself) and may be decided with plain Python on the parameters, never on state.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from .expr import FALSE, Expr, const_value, ite, lift
from .schema import Schema, SchemaError

KINDS = ("invariant", "quiescent", "step", "reachable", "progress")


@dataclass(frozen=True)
class Step:
    guard: Any
    effect: Mapping[Expr, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleDef:
    name: str
    cites: str
    doc: str
    each: tuple[str, ...]
    fn: Callable
    env: bool = False          # environment rule: not weakly fair, ignored by quiescence
    switch: str | None = None  # the model enables env rules by switch name


@dataclass(frozen=True)
class RuleInstance:
    index: int
    rule: RuleDef
    args: tuple[int, ...]
    guard: Expr
    updates: tuple[tuple[int, Expr], ...]

    @property
    def env(self) -> bool:
        return self.rule.env


@dataclass(frozen=True)
class PropertyDef:
    name: str
    kind: str
    cites: str
    doc: str
    fn: Callable
    topic: str = ""


def rule(cites: str, each: Sequence[str] = (), env: bool = False, switch: str | None = None):
    def wrap(fn: Callable) -> RuleDef:
        doc = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        return RuleDef(fn.__name__, cites, doc, tuple(each), fn, env, switch)
    return wrap


def _prop(kind: str):
    def marker(cites: str, topic: str = ""):
        def wrap(fn: Callable) -> PropertyDef:
            doc = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
            return PropertyDef(fn.__name__, kind, cites, doc, fn, topic or fn.__module__.rsplit(".", 1)[-1])
        return wrap
    return marker


invariant = _prop("invariant")
quiescent = _prop("quiescent")
step_property = _prop("step")
reachable = _prop("reachable")
# progress: from every reachable state, protocol steps alone reach a quiescent state where the
# predicate holds (engine/progress.py); no fairness is assumed, so it is not "eventually"
progress_property = _prop("progress")


def instantiate(schema: Schema, ctx: Any, defs: Sequence[RuleDef]) -> list[RuleInstance]:
    s = schema.view(0)
    out: list[RuleInstance] = []
    for d in defs:
        sorts = [schema.sorts[n] for n in d.each]
        for args in itertools.product(*(range(len(x)) for x in sorts)):
            st = d.fn(ctx, s, *args)
            if st is None:
                continue
            guard = lift(st.guard)
            if const_value(guard) == 0 or guard is FALSE:
                continue
            updates = []
            for target, value in st.effect.items():
                if not (isinstance(target, Expr) and target.op == "var" and target.args[1] == 0):
                    raise SchemaError(f"{d.name}: effect target {target!r} is not a state variable")
                value = lift(value)
                if value.op in ("and", "or", "not", "eq", "le"):   # store 0/1, never a Python operand
                    value = ite(value, 1, 0)
                updates.append((target.args[0], value))
            updates.sort(key=lambda u: u[0])
            out.append(RuleInstance(len(out), d, tuple(args), guard, tuple(updates)))
    return out


@dataclass
class System:
    """Everything an engine needs; built by a model, consumed without knowing its meaning."""
    schema: Schema
    ctx: Any
    init: list[bytes]
    rules: list[RuleInstance]
    properties: list[PropertyDef]
    invariant_hints: list[PropertyDef] = field(default_factory=list)

    def args_text(self, inst: RuleInstance) -> list[str]:
        return [self.schema.sorts[n].elements[a] for n, a in zip(inst.rule.each, inst.args)]

    def instance_label(self, inst: RuleInstance) -> str:
        return f"{inst.rule.name}({', '.join(self.args_text(inst))})"

    def prop_expr(self, p: PropertyDef) -> Expr:
        if p.kind == "step":
            return lift(p.fn(self.ctx, self.schema.view(0), self.schema.view(1)))
        return lift(p.fn(self.ctx, self.schema.view(0)))

    def find_instance(self, name: str, args: Sequence[str]) -> RuleInstance | None:
        for inst in self.rules:
            if inst.rule.name == name and self.args_text(inst) == list(args):
                return inst
        return None
