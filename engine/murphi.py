"""The transition system as a Murphi model, so Rumur can check the same IR independently.

Generated from the rule instances the explicit engine compiles, never from the model: one Murphi
scalar variable per state slot (named after the slot), one `startstate` per distinct initial
state, one `rule` per rule instance.  No scalarsets, so Rumur sees no symmetry and must reach
exactly the state count of `explore(..., symmetry=False)`.

Two semantic gaps are bridged here:
- Our IR mixes truth values and small integers the way Python does (a slot is "truthy" when
  non-zero, `eq` compares a comparison's 0/1 with an integer); Murphi keeps `boolean` and integer
  types apart.  Every sub-expression is therefore printed either as a Murphi boolean or as an
  integer, converting at the boundary (`x != 0`, `(b ? 1 : 0)`) exactly as Python would.
- A rule instance's updates are simultaneous (every value is read from the pre-state); Murphi
  assigns in sequence.  A value that reads a slot the same rule writes is first computed into a
  rule-local variable, and every slot is assigned only after all such values are computed.
"""
from __future__ import annotations

import re

from .api import PropertyDef, RuleInstance, System
from .expr import Expr, slots_of

# Murphi (and Rumur) reserved words, compared case-insensitively; a slot name that is one is prefixed.
_RESERVED = frozenset("""
alias array assert assume begin boolean by case clear const cover do else elsif end endalias endexists
endfor endforall endfunction endif endprocedure endrecord endrule endruleset endstartstate endswitch
endwhile enum error exists false for forall function if in interleaved invariant is isundefined
liveness of procedure process program property put record return rule ruleset scalarset startstate
switch then to traceuntil true type undefine union var while multiset ismember choose
multisetadd multisetremove multisetremoveall multisetcount
""".split())


def variable_names(system: System) -> list[str]:
    """A distinct Murphi identifier per slot, readable: `iif[MAG1][MN2]` becomes `iif_MAG1_MN2`."""
    names: list[str] = []
    taken: set[str] = set()
    for slot in range(system.schema.nslots):
        base = re.sub(r"[^A-Za-z0-9_]+", "_", system.schema.slot_name(slot)).strip("_") or "slot"
        if not base[0].isalpha() or base.lower() in _RESERVED:
            base = "v_" + base
        name = base
        while name.lower() in taken:
            name = f"{base}_{slot}"
        taken.add(name.lower())
        names.append(name)
    return names


class _Printer:
    """Expressions as Murphi text, each either as a boolean or as an integer (see module doc)."""

    def __init__(self, names: list[str]):
        self.names = names

    def boolean(self, e: Expr) -> str:
        op, a = e.op, e.args
        if op == "const":
            return "true" if a[0] else "false"
        if op == "eq":
            return f"({self.integer(a[0])} = {self.integer(a[1])})"
        if op == "le":
            return f"({self.integer(a[0])} <= {self.integer(a[1])})"
        if op == "not":
            return f"(!{self.boolean(a[0])})"
        if op in ("and", "or"):
            return "(" + (" & " if op == "and" else " | ").join(self.boolean(x) for x in a) + ")"
        if op == "ite":
            return f"({self.boolean(a[0])} ? {self.boolean(a[1])} : {self.boolean(a[2])})"
        return f"({self.integer(e)} != 0)"   # a slot or a sum used as a condition: Python truthiness

    def integer(self, e: Expr) -> str:
        op, a = e.op, e.args
        if op == "const":
            return str(int(a[0]))
        if op == "var":
            if a[1] != 0:
                raise ValueError("a rule or state property reads the successor frame")
            return self.names[a[0]]
        if op == "add":
            return f"({self.integer(a[0])} + {self.integer(a[1])})"
        if op == "ite":
            return f"({self.boolean(a[0])} ? {self.integer(a[1])} : {self.integer(a[2])})"
        if op in ("eq", "le", "not", "and", "or"):
            return f"({self.boolean(e)} ? 1 : 0)"
        raise ValueError(f"unknown operator {op}")


def _range(system: System, slot: int) -> str:
    return f"0..{system.schema.slot_domain(slot).size - 1}"


def _rule(system: System, inst: RuleInstance, names: list[str], pr: _Printer) -> list[str]:
    written = {slot for slot, _ in inst.updates}
    late = [(slot, v) for slot, v in inst.updates if any(s in written for s, _ in slots_of(v))]
    out = [f'rule "{system.instance_label(inst)}"  -- {inst.rule.cites}{" (environment)" if inst.env else ""}',
           f"  {pr.boolean(inst.guard)}",
           "==>"]
    if late:
        out.append("var")
        out += [f"  n_{names[slot]} : {_range(system, slot)};" for slot, _ in late]
    out.append("begin")
    # values that read a written slot go through a local first: Murphi assigns in sequence
    out += [f"  n_{names[slot]} := {pr.integer(v)};" for slot, v in late]
    late_slots = {slot for slot, _ in late}
    for slot, v in inst.updates:
        value = f"n_{names[slot]}" if slot in late_slots else pr.integer(v)
        out.append(f"  {names[slot]} := {value};")
    out.append("endrule;")
    return out


def _invariant(system: System, p: PropertyDef, pr: _Printer) -> list[str]:
    body = pr.boolean(system.prop_expr(p))
    if p.kind == "quiescent":   # checked only where no protocol rule is enabled
        busy = [pr.boolean(r.guard) for r in system.rules if not r.env]
        body = f"({' | '.join(busy) or 'false'}) | {body}"
    return [f'invariant "{p.name}"  -- {p.cites}', f"  {body};"]


def to_murphi(system: System, title: str = "", properties: bool = False) -> str:
    """Murphi source for `system`; with `properties`, invariant and quiescent properties become
    Murphi invariants (Rumur stops at the first violated one, so counts need properties off)."""
    sc = system.schema
    names = variable_names(system)
    pr = _Printer(names)
    out = [f"-- {title}" if title else "-- generated by pmipmc",
           "-- Generated from the rule instances the explicit engine runs; no scalarsets, so no symmetry.",
           "-- Check with: rumur --deadlock-detection off --symmetry-reduction off", "", "var"]
    for slot in range(sc.nslots):
        labels = sc.slot_domain(slot).labels
        out.append(f"  {names[slot]} : {_range(system, slot)};  -- {sc.slot_name(slot)}: {' '.join(labels)}")
    out.append("")
    for n, s0 in enumerate(dict.fromkeys(system.init)):
        out.append(f'startstate "init {n}"')
        out.append("begin")
        out += [f"  {names[slot]} := {v};" for slot, v in enumerate(s0)]
        out.append("endstartstate;")
        out.append("")
    for inst in system.rules:
        out += _rule(system, inst, names, pr)
        out.append("")
    if properties:
        for p in system.properties:
            if p.kind in ("invariant", "quiescent"):
                out += _invariant(system, p, pr)
                out.append("")
    return "\n".join(out)
