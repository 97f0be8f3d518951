"""Mutants of a system's rules, made from the IR, and how to tell whether the properties notice.

A mutant changes one rule the same way in every one of its instances, so that it stays a
change of the *rule* (a draft step), and so that symmetry reduction stays sound: the change is
keyed by array names and conjunct positions, never by concrete parameters.

Operators:
- `drop_rule`     the rule never fires;
- `drop_effect`   the rule no longer writes one array (every slot of it that it wrote);
- `drop_guard`    one conjunct of the guard is gone (conjuncts named by the arrays they read);
- `change_const`  a constant the rule assigns to an array becomes another value of its domain;
- `swap_reading`  the model is built with another reading of one variant axis (the provider
                  offers the readings; the engine does not know what they mean).

A mutant is *caught* when some property's verdict (or witness) differs from the original's,
*equivalent* when it reaches exactly the original's states, with the same ones quiescent (so no
state, quiescent or reachable claim could ever tell them apart; whether the edges are the same
too is recorded beside), and *not caught* otherwise: it behaves differently and nothing says so.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Sequence

from .api import RuleInstance, System
from .expr import Expr, all_of, lift, slots_of
from .explore import Budget, Checks, explore

OPERATORS = ("drop_rule", "drop_effect", "drop_guard", "change_const", "swap_reading")


@dataclass(frozen=True)
class Mutant:
    operator: str
    rule: str            # the rule's name, or the axis for swap_reading
    cites: str
    detail: str          # what changed, in words
    target: tuple = ()   # operator-specific selector (array name, conjunct key, value map, reading)

    @property
    def key(self) -> str:
        return f"{self.rule}: {self.operator} {self.detail}".rstrip()


def _array(system: System, slot: int) -> str:
    return system.schema._slot_info[slot][0].name


def _conjuncts(guard: Expr) -> tuple[Expr, ...]:
    return guard.args if guard.op == "and" else (guard,)


def _conjunct_keys(system: System, parts: Sequence[Expr]) -> list[str]:
    """`mld`, `att`, `tunnel#2`: the arrays a conjunct reads, numbered when two read the same."""
    keys, seen = [], {}
    for p in parts:
        names = "+".join(sorted({_array(system, slot) for slot, _ in slots_of(p)})) or "const"
        seen[names] = seen.get(names, 0) + 1
        keys.append(names if seen[names] == 1 else f"{names}#{seen[names]}")
    return keys


def _alternatives(system: System, array: str, value: int) -> list[tuple]:
    """Value maps that send a constant to another value of the domain, uniformly over instances.

    ("abs", u): assign u; ("block", j): same sort element in value block j (e.g. another query
    phase towards the same MAG); ("other",): the other element of a two-element sort.  Anything
    else would treat permuted instances differently and break symmetry reduction.
    """
    dom = next(a.domain for a in system.schema.arrays if a.name == array)
    if dom.sort is None:
        return [("abs", u) for u in range(dom.size) if u != value]
    n = len(system.schema.sorts[dom.sort])
    named = range(dom.offsets[0])
    out = [("abs", u) for u in named if u != value]
    block = next((j for j, o in enumerate(dom.offsets) if o <= value < o + n), None)
    if block is not None:
        out += [("block", j) for j in range(len(dom.offsets)) if j != block]
        if n == 2:
            out.append(("other",))
    return out


def _apply_map(system: System, array: str, value: int, how: tuple) -> int:
    dom = next(a.domain for a in system.schema.arrays if a.name == array)
    if how[0] == "abs":
        return how[1]
    n = len(system.schema.sorts[dom.sort])
    block = next((j for j, o in enumerate(dom.offsets) if o <= value < o + n), None)
    if block is None:
        return value   # a named value has no element to move
    elem = value - dom.offsets[block]
    if how[0] == "block":
        return dom.offsets[how[1]] + elem
    return dom.offsets[block] + (1 - elem)


def _map_label(system: System, array: str, how: tuple) -> str:
    dom = next(a.domain for a in system.schema.arrays if a.name == array)
    if how[0] == "abs":
        return f"{array} := {dom.labels[how[1]]}"
    if how[0] == "block":
        first = dom.labels[dom.offsets[how[1]]]
        return f"{array} := {first.split('(')[0]}(same MAG)" if "(" in first else f"{array} := block {how[1]}"
    return f"{array} := the other {dom.sort}"


def generate(system: System, operators: Sequence[str] = OPERATORS,
             readings: Sequence[dict] = ()) -> list[Mutant]:
    """Every mutant of the chosen kinds, in rule order; `readings` come from the provider."""
    by_rule: dict[str, list[RuleInstance]] = {}
    for inst in system.rules:
        by_rule.setdefault(inst.rule.name, []).append(inst)
    out: list[Mutant] = []
    for name, insts in by_rule.items():
        cites = insts[0].rule.cites
        arrays = list(dict.fromkeys(_array(system, slot) for i in insts for slot, _ in i.updates))
        if "drop_rule" in operators:
            out.append(Mutant("drop_rule", name, cites, ""))
        if "drop_effect" in operators:
            out += [Mutant("drop_effect", name, cites, a, (a,)) for a in arrays]
        if "drop_guard" in operators:
            keys = list(dict.fromkeys(k for i in insts for k in _conjunct_keys(system, _conjuncts(i.guard))))
            out += [Mutant("drop_guard", name, cites, k, (k,)) for k in keys]
        if "change_const" in operators:
            maps: dict[tuple, None] = {}
            for i in insts:
                for slot, v in i.updates:
                    if v.op == "const":
                        a = _array(system, slot)
                        maps.update({(a, how): None for how in _alternatives(system, a, v.args[0])})
            out += [Mutant("change_const", name, cites, _map_label(system, a, how), (a, how)) for a, how in maps]
    if "swap_reading" in operators:
        out += [Mutant("swap_reading", r["axis"], r["cites"], f"{r['axis']} = {r['reading']}",
                       (r["axis"], r["reading"])) for r in readings]
    return out


def _mutate_instance(system: System, m: Mutant, inst: RuleInstance) -> RuleInstance | None:
    if m.operator == "drop_rule":
        return None
    if m.operator == "drop_effect":
        return replace(inst, updates=tuple(u for u in inst.updates if _array(system, u[0]) != m.target[0]))
    if m.operator == "drop_guard":
        parts = _conjuncts(inst.guard)
        keep = [p for p, k in zip(parts, _conjunct_keys(system, parts)) if k != m.target[0]]
        return replace(inst, guard=all_of(keep))
    array, how = m.target
    ups = []
    for slot, v in inst.updates:
        if v.op == "const" and _array(system, slot) == array:
            v = lift(_apply_map(system, array, v.args[0], how))
        ups.append((slot, v))
    return replace(inst, updates=tuple(ups))


def apply(system: System, m: Mutant, rebuild: Callable[[str, str], System] | None = None) -> System:
    """The mutated system (a new one; the original is untouched)."""
    if m.operator == "swap_reading":
        if rebuild is None:
            raise ValueError("swap_reading needs the provider's rebuild(axis, reading)")
        return rebuild(*m.target)
    rules = []
    for inst in system.rules:
        new = _mutate_instance(system, m, inst) if inst.rule.name == m.rule else inst
        if new is not None:
            rules.append(replace(new, index=len(rules)))
    return System(system.schema, system.ctx, system.init, rules, system.properties, system.invariant_hints)


@dataclass
class Outcome:
    """What a run shows about a system: which properties were hit, and (kept only while needed,
    never pickled) its graph as sets, for an exact comparison with the original's."""
    hits: frozenset
    complete: bool
    reason: str
    states: int
    transitions: int
    seconds: float
    state_set: set | None = None   # (state, quiescent?) pairs
    edge_set: set | None = None    # (state, successor, environment?) triples
    same_edges: bool = False       # filled in by classify

    def summary(self) -> "Outcome":
        return replace(self, state_set=None, edge_set=None)


def observe(system: System, symmetry: bool = True, budget: Budget = Budget(), checks: Checks | None = None,
            original: Outcome | None = None) -> Outcome:
    """Explore with every property and sum up what a comparison with `original` needs.

    Against an original, exploration stops at the first violation or witness the original does
    not have (the mutant is caught; the rest would cost time and tell nothing more), and the
    graph is kept only when it could make the mutant equivalent (same hits, complete run).
    """
    def new_hit(ex, elapsed) -> bool:
        return original is not None and not ex.hits.keys() <= original.hits
    ex = explore(system, checks or Checks(system), symmetry, budget, new_hit, edges=True)
    out = Outcome(frozenset(ex.hits), ex.complete, ex.reason, len(ex.states), ex.transitions, ex.seconds)
    if ex.complete and (original is None or out.hits == original.hits):
        st, env = ex.states, [int(r.env) for r in system.rules]
        out.state_set = set(zip(st, ex.quiet))
        out.edge_set = set(zip(map(st.__getitem__, ex.edge_src), map(st.__getitem__, ex.edge_dst),
                               map(env.__getitem__, ex.edge_inst)))
    return out


CAUGHT, NOT_CAUGHT, EQUIVALENT, UNDECIDED = "caught", "not_caught", "equivalent", "undecided"


def classify(original: Outcome, mutant: Outcome) -> tuple[str, list[str]]:
    """(status, the properties whose verdict or witness changed)."""
    if mutant.complete:
        mutant.same_edges = mutant.edge_set is not None and mutant.edge_set == original.edge_set
        changed = sorted(original.hits ^ mutant.hits)
        if changed:
            return CAUGHT, changed
        return (EQUIVALENT if mutant.state_set == original.state_set else NOT_CAUGHT), []
    # a run cut short proves only what it hit: a new violation or witness is a change for sure
    new = sorted(mutant.hits - original.hits)
    return (CAUGHT, new) if new else (UNDECIDED, [])
