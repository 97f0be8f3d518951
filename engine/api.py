"""What a model hands to the engines: rules and properties over a schema.

A rule is a function `fn(ctx, s, *args) -> Step | None` instantiated once per tuple of concrete
parameters drawn from the sorts named in `each`; `ctx` is the model's own configuration object,
passed through untouched.  Returning None means "no such instance" (e.g. a MAG paired with
itself) and may be decided with plain Python on the parameters, never on state.
"""
from __future__ import annotations

import inspect
import itertools
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol, Sequence, runtime_checkable

from .expr import FALSE, Expr, all_of, any_of, const_value, ite, lift, substitute
from .schema import Schema, SchemaError

if TYPE_CHECKING:   # trace.py and msc.py import this module
    from .msc import Event
    from .trace import Trace


class Kind(str, Enum):
    """The closed set of property kinds (strings, so JSON and comparisons see the value)."""
    INVARIANT = "invariant"    # every reachable state
    QUIESCENT = "quiescent"    # every state where no protocol rule is enabled
    STEP = "step"              # every transition
    REACHABLE = "reachable"    # some reachable state: a witness against vacuity
    # from every reachable state, protocol steps alone reach a quiescent state where the predicate
    # holds (engine/settling.py); needs the whole explored graph; no fairness, so not "eventually"
    PROGRESS = "progress"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


# the kinds `prove` decides at every depth; the one list the CLI and the prover share
PROVABLE = (Kind.INVARIANT, Kind.QUIESCENT, Kind.STEP)


@dataclass(frozen=True)
class Step:
    guard: Any
    effect: Mapping[Expr, Any] = field(default_factory=dict)

    def then(self, nxt: "Step") -> "Step":
        """Sequential composition: this step, then `nxt` read in the state this one leads to.
        Fused rules (several draft steps taken as one) are built this way, never by merging
        effects by hand."""
        if any(t.op == "app" for t in (*self.effect, *nxt.effect)):   # a symbolic reading
            from .param_model import then_param
            return then_param(self, nxt)
        by_slot = {t.args[0]: (t, _stored(v)) for t, v in self.effect.items()}
        after = {slot: v for slot, (_, v) in by_slot.items()}
        for t, v in nxt.effect.items():
            by_slot[t.args[0]] = (t, substitute(_stored(v), after))
        return Step(all_of(lift(self.guard), substitute(nxt.guard, after)), dict(by_slot.values()))


def _stored(value: Any) -> Expr:
    """An effect value as the slot will hold it: 0/1 for a condition, never a Python operand."""
    value = lift(value)
    return ite(value, 1, 0) if value.op in ("and", "or", "not", "eq", "le", "some", "every", "same") else value


@dataclass(frozen=True)
class RuleDef:
    name: str
    cites: str
    doc: str
    each: tuple[str, ...]
    fn: Callable
    env: bool = False          # environment rule: not weakly fair, ignored by quiescence
    switch: str | None = None  # the model enables env rules by switch name
    answers: str | None = None  # the reply to the message it consumes, delivered in the same step
    internal: bool = False     # what it puts in a message slot is the actor's own signal, not a packet


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
    """A named claim.  With `each`, `fn(ctx, s, *args)` (or `fn(ctx, s, t, *args)` for a step
    property) is one clause per tuple of sort elements, like a rule; the claim is the conjunction
    of its clauses (the disjunction, for a reachable witness), and `says` is a template over the
    parameter names that tells a reader which instance failed, or was found."""
    name: str
    kind: Kind
    cites: str
    doc: str
    fn: Callable
    topic: str = ""
    each: tuple[str, ...] = ()
    says: str = ""

    def params(self) -> list[str]:
        skip = 3 if self.kind == "step" else 2
        return list(inspect.signature(self.fn).parameters)[skip:skip + len(self.each)]


@dataclass(frozen=True)
class Finding:
    """One instance of a property's clause that decides the verdict at a state: a failing clause of
    a claim, or the clause a witness found.  `names` maps parameter names to element names."""
    prop: str
    names: dict[str, str]
    text: str


def rule(cites: str, each: Sequence[str] = (), env: bool = False, switch: str | None = None,
         answers: str | None = None, internal: bool = False):
    def wrap(fn: Callable) -> RuleDef:
        doc = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        return RuleDef(fn.__name__, cites, doc, tuple(each), fn, env, switch, answers, internal)
    return wrap


def _prop(kind: str):
    def marker(cites: str, topic: str = "", each: Sequence[str] = (), says: str = ""):
        def wrap(fn: Callable) -> PropertyDef:
            doc = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
            p = PropertyDef(fn.__name__, Kind(kind), cites, doc, fn, topic or fn.__module__.rsplit(".", 1)[-1],
                            tuple(each), says)
            try:
                says.format(**{n: "" for n in p.params()})
            except (KeyError, IndexError) as e:
                raise SchemaError(f"{p.name}: 'says' names {e}, which is not a parameter") from None
            return p
        return wrap
    return marker


invariant = _prop(Kind.INVARIANT)
quiescent = _prop(Kind.QUIESCENT)
step_property = _prop(Kind.STEP)
reachable = _prop(Kind.REACHABLE)
progress_property = _prop(Kind.PROGRESS)


def instantiate(schema: Schema, ctx: Any, defs: Sequence[RuleDef]) -> list[RuleInstance]:
    s = schema.view(0)
    out: list[RuleInstance] = []
    for d in defs:
        sorts = [schema.sorts[n] for n in d.each]
        for args in itertools.product(*(x.indices() for x in sorts)):
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
                updates.append((target.args[0], _stored(value)))
            updates.sort(key=lambda u: u[0])
            out.append(RuleInstance(len(out), d, tuple(args), guard, tuple(updates)))
    return out


@dataclass
class System:
    """Everything an engine needs; built by a model, consumed without knowing its meaning.

    Built once per (preset, variant): the compiled successor function, the canonicaliser and the
    compiled property predicates are made on first use and kept, so the run, the trace
    concretisation, replay and the pictures all share one compilation.  Treat a System as
    immutable once its successors were asked for (properties may still be swapped: their
    compilations are keyed by the property itself).
    """
    schema: Schema
    ctx: Any
    init: list[bytes]
    rules: list[RuleInstance]
    properties: list[PropertyDef]
    invariant_hints: list[PropertyDef] = field(default_factory=list)
    recipe: tuple[str, ...] = ()   # Python lines that build this System again, ending in its expression
    _compiled: dict = field(default_factory=dict, repr=False, compare=False)

    def _once(self, key, make: Callable):
        if key not in self._compiled:
            self._compiled[key] = make()
        return self._compiled[key]

    def successors_flagged(self) -> Callable[[bytes], tuple[list, int]]:
        """successors(s) -> ([(instance index, successor)], 1 if a protocol rule fired)."""
        from .compile import compile_successors_flagged
        return self._once("successors", lambda: compile_successors_flagged(self.rules, self))

    def successors(self, s: bytes) -> list[tuple[int, bytes]]:
        return self.successors_flagged()(s)[0]

    def canon(self, symmetry: bool = True) -> Callable[[bytes], bytes]:
        from .symmetry import canonicaliser
        return self._once(("canon", symmetry), lambda: canonicaliser(self.schema, symmetry))

    def predicate(self, p: PropertyDef) -> Callable:
        """The property compiled: fn(s) for state kinds, fn(s, t) for step properties."""
        from .compile import compile_predicate
        return self._once(("prop", p), lambda: compile_predicate(self.prop_expr(p), step=p.kind == "step"))

    def instance(self, k: int) -> tuple[Callable, Callable]:
        """(guard, apply) of rule instance k, compiled once."""
        from .compile import compile_instance
        return self._once(("inst", k), lambda: compile_instance(self.rules[k]))

    def property(self, name: str) -> PropertyDef | None:
        """A property of the catalogue, or a lemma (`invariant_hints`): proofs trace both."""
        return next((p for p in [*self.properties, *self.invariant_hints] if p.name == name), None)

    def start(self, labels: Mapping[str, str]) -> bytes:
        """The state with these slot labels; every slot not named holds its first value (0)."""
        return self.schema.encode(labels, partial=True)

    def fire(self, state: bytes, rule: str, *args: str) -> bytes:
        """Fire one rule instance by name, as a pasted counterexample does; ReplayError if it has no
        such instance or its guard is false."""
        from .trace import ReplayError
        inst = self.find_instance(rule, args)
        if inst is None:
            raise ReplayError(f"no rule {rule}({', '.join(args)}) in this model")
        guard, apply = self.instance(inst.index)
        if not guard(state):
            raise ReplayError(f"guard of {self.instance_label(inst)} is false")
        return apply(state)

    def args_text(self, inst: RuleInstance) -> list[str]:
        return [self.schema.sorts[n].elements[a] for n, a in zip(inst.rule.each, inst.args)]

    def instance_label(self, inst: RuleInstance) -> str:
        return f"{inst.rule.name}({', '.join(self.args_text(inst))})"

    def clauses(self, p: PropertyDef) -> list[tuple[dict[str, str], Expr]]:
        """(parameter names -> element names, clause) for every instance of the property."""
        def make():
            frames = (self.schema.view(0), self.schema.view(1)) if p.kind == "step" else (self.schema.view(0),)
            sorts = [self.schema.sorts[n] for n in p.each]
            out = []
            for args in itertools.product(*(x.indices() for x in sorts)):
                e = p.fn(self.ctx, *frames, *args)
                if e is not None:
                    out.append(({n: x.elements[a] for n, x, a in zip(p.params(), sorts, args)}, lift(e)))
            return out
        return self._once(("clauses", p), make)

    def prop_expr(self, p: PropertyDef) -> Expr:
        parts = [e for _, e in self.clauses(p)]
        return any_of(parts) if p.kind == "reachable" else all_of(parts)

    def findings(self, p: PropertyDef, state: bytes, before: bytes | None = None) -> list[Finding]:
        """The clauses that decide the property at `state` (a step property: the step before -> state):
        those that fail, or for a witness those that hold.  Interpreted, not compiled: a trace's
        last state is evaluated once."""
        from .compile import evaluate
        s, t = (before, state) if p.kind == "step" else (state, None)
        want = 1 if p.kind == "reachable" else 0
        return [Finding(p.name, names, p.says.format(**names) if p.says else "")
                for names, e in self.clauses(p) if bool(evaluate(e, s, t)) == bool(want)]

    def find_instance(self, name: str, args: Sequence[str]) -> RuleInstance | None:
        by_label = self._once("labels", lambda: {(i.rule.name, tuple(self.args_text(i))): i for i in self.rules})
        return by_label.get((name, tuple(args)))


@runtime_checkable
class Narrator(Protocol):
    """What the model tells the pictures: lifelines, chart events, topology and packets of a trace.
    Every call gets the System the trace ran on and the re-executed Trace (engine/trace.py), so the
    model reads states through its own schema; tests/test_narrative.py checks these signatures."""
    LIST_NAMES: dict[str, list[str]]     # numbered lists of the spec that are not "steps"
    NOT_MODELLED: dict[str, str]         # spec unit id -> why no rule cites it

    def lifelines(self, system: System, init: bytes) -> list[str]:
        """The chart's lifelines, left to right, for a trace starting in `init`."""

    def narrate(self, system: System, trace: Trace, findings: list[Finding], witness: bool,
                title: str) -> list[Event]:
        """The chart events of the trace, ending with the verdict `title` naming the findings."""

    def topology(self, system: System, state: bytes, findings: list[Finding]) -> dict:
        """{"nodes", "edges", "notes"} of one state, what the findings name marked offending."""

    def write_pcap(self, system: System, trace: Trace, path: Path) -> int:
        """The trace's packets as a pcap file; the number of packets written."""


@runtime_checkable
class Provider(Protocol):
    """What the CLI is handed by a model: systems by preset and variant name, and descriptions."""
    DESCRIPTION: str          # one line for --help: what the model is of
    DEFAULT_PRESET: str
    DEFAULT_VARIANT: str      # the spec as written
    REPAIRED_VARIANT: str     # every repair the model proposes, together (SUGGESTED-TEXT.md compares the two)
    BASELINE: Path
    BAD_INPUT: tuple[type[Exception], ...]

    def build(self, preset: str, variant: str, **overrides: Any) -> System: ...

    def presets(self) -> list[dict]: ...

    def variants(self) -> list[dict]: ...

    def axes(self) -> list[dict]: ...

    def rules(self) -> list[dict]: ...

    def properties(self) -> list[dict]: ...

    def variant_names(self) -> list[str]: ...

    def by_design(self, variant: str) -> dict[str, str]: ...   # property -> why the variant breaks it on purpose

    def route_comparison(self, packet_seconds: float | None) -> dict: ...   # {"rows": [...], "markdown": [...]}

    def narrator(self) -> Narrator: ...

    def draft_text(self) -> str: ...

    def lint_findings(self) -> list[dict]: ...

    def lint_markdown(self) -> str: ...
