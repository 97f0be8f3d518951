"""Partial-order reduction: at each state, expand a stubborn (persistent) subset of the enabled
rule instances instead of all of them, keeping every invariant, reachable, step and quiescent verdict.

Static tables, from the IR alone (`por_tables`), per rule instance k:
- R(k): slots its guard and update values read; W(k): slots it writes.
- dependence: k and u are dependent when W(k) meets R(u) or W(u), or W(u) meets R(k) or W(k),
  unless their guards exclude each other (a slot to which their single-slot conjuncts allow no
  common value).  Independent instances can neither enable, disable nor change each other, and
  they commute.  Instances never enabled together need no entry: on a path from s that avoids A
  (below), an instance dependent on a in A could only fire where a is still enabled.
- necessary enabling sets: for each guard conjunct c of k, the instances that can make c true:
  those that write a slot c reads, except one that writes a constant under which c (reading only
  that slot) is false, and one whose guard already implies c (it never fires where c is false).
  When k is disabled, some conjunct is false, and no path enables k without firing an instance
  of that conjunct's set.
- visibility: k is visible when it writes a slot that a checked invariant, reachable or step
  property reads (a step property's reads in either frame).

Per state s (`AmpleSets.reduce`), with E the enabled instances:
- C0: the set is non-empty (a stubborn closure always contains its enabled seed).
- C1: a stubborn closure from an enabled invisible seed: an enabled member brings in all its
  dependents, a disabled member the necessary enabling set of one conjunct false at s (the
  smallest).  The enabled part A is then persistent: along every path from s that avoids A, every
  instance fired is independent of all of A.
- C2: A holds no visible instance unless A = E (the closure is abandoned when one enters).
- C3 (BFS form of the cycle proviso): when a successor through A is already stored at a BFS level
  no deeper than s's own, s is fully expanded.  Along an edge the level grows by at most one, so
  every cycle has an edge s -> t with level(t) <= level(s); t was stored before s was expanded
  (a state first found from s would sit one level deeper), so s was fully expanded.  Successors
  already stored one level deeper (found from a sibling) close no cycle and do not count.
With C0–C3 the reduced graph is stuttering-equivalent to the full one on the visible slots
(Peled; Clarke, Grumberg and Peled, "Model Checking", ch. 10), so every invariant violation and
reachable witness is kept.  A step property's violation on a transition that changes visible
slots is kept the same way (the violating pair appears at a block boundary of the reduced path).
A transition that changes no visible slot cannot violate a step property P when P holds on every
stutter (P(s, s) is valid); `por_tables` checks this by constant folding, else by enumerating the
slots P reads, and when it cannot show it, every instance counts as visible for P (no reduction).

Quiescent properties are judged where no *protocol* instance is enabled (environment instances
may be).  They need no visibility: every quiescent state of the full graph stays reachable when,
at every non-quiescent state, A contains an enabled protocol instance (condition CQ, enforced
when quiescent properties are checked).  Proof: take a full path w from s to a quiescent q.  If w
fired no instance of A, every instance of A would stay enabled along w (what w fires is
independent of A, so it cannot disable A), including A's protocol instance, and q would not be
quiescent.  So w fires some a in A; the instances before the first such a are independent of a,
so a can fire first: s -a-> s' (a successor the reduced search stores) and a path one step
shorter from s' to q.  By induction on |w|, q itself is reached.  A state where only environment
instances are enabled is quiescent and stored, so it is judged; A may be a single environment
instance there.  Symmetry reduction composes: properties are symmetric, and the argument is
repeated from the stored representative of s'.

Reduction can lengthen counterexamples: traces found under POR say so in their header.

Interface for other engines: `por_tables(system, props, quiescent)` returns a `PorTables` of flat
integer arrays in CSR form (an instance's entries are `data[start[k]:start[k + 1]]`), the guard
conjuncts as expressions (compile them), and per-instance flags as bytes; instance ids are
`RuleInstance.index`.  `AmpleSets` is the Python selection over those tables.
"""
from __future__ import annotations

import itertools
from array import array
from dataclasses import dataclass
from typing import Callable, Sequence

from .api import PropertyDef, System
from .compile import compile_predicate, evaluate
from .expr import Expr, const_value, current_frame, slots_of

STUTTER_ENUMERATION_LIMIT = 1 << 14   # assignments tried when folding cannot decide P(s, s)


@dataclass(frozen=True)
class PorTables:
    reads_start: array      # per instance k: slots read, reads[reads_start[k]:reads_start[k + 1]]
    reads: array
    writes_start: array     # slots written
    writes: array
    dep_start: array        # instances dependent on k (k itself excluded)
    dep: array
    conj_start: array       # conjunct ids of k's guard: conj_start[k] .. conj_start[k + 1] - 1
    conjuncts: tuple        # conjunct id -> Expr over the current state
    nes_start: array        # conjunct id -> instances that can make it true
    nes: array
    visible: bytes          # 1: writes a slot a checked invariant / reachable / step property reads
    protocol: bytes         # 1: a protocol (non-environment) instance
    keep_protocol: bool     # CQ: quiescent properties are checked
    unsafe_steps: tuple[str, ...]   # step properties a stutter may violate: every instance is visible


def _csr(rows: Sequence[Sequence[int]]) -> tuple[array, array]:
    start, data = array("i", [0]), array("i")
    for r in rows:
        data.extend(r)
        start.append(len(data))
    return start, data


def conjuncts(guard: Expr) -> tuple[Expr, ...]:
    return guard.args if guard.op == "and" else (guard,)


def stutter_safe(system: System, e: Expr) -> bool:
    """Is P(s, s) true for every s?  Folding first; else every assignment of the slots it reads."""
    folded = current_frame(e)
    c = const_value(folded)
    if c is not None:
        return bool(c)
    slots = sorted(s for s, _ in slots_of(folded))
    sizes = [system.schema.slot_domain(s).size for s in slots]
    total = 1
    for n in sizes:
        total *= n
    if total > STUTTER_ENUMERATION_LIMIT:
        return False
    state = bytearray(system.schema.nslots)
    for values in itertools.product(*(range(n) for n in sizes)):
        for s, v in zip(slots, values):
            state[s] = v
        if not evaluate(folded, bytes(state)):
            return False
    return True


def _can_enable(system: System, updates, allowed: dict, conj: Expr, conj_slots: set[int]) -> bool:
    """Can firing an instance (its updates, its guard's allowed values) turn `conj` from false to true?"""
    written = {slot: v for slot, v in updates if slot in conj_slots}
    if not written:
        return False
    if len(conj_slots) == 1:
        (slot, value), = written.items()
        if slot in allowed and allowed[slot] <= _allowed(system, conj).get(slot, frozenset()):
            return False    # it fires only where conj already holds, so it is never the one that enables it
        w = const_value(value)
        if w is not None:   # after the update the conjunct reads only this constant
            state = bytearray(system.schema.nslots)
            state[slot] = w
            return bool(evaluate(conj, bytes(state)))
    return True


def _allowed(system: System, guard: Expr) -> dict[int, frozenset[int]]:
    """slot -> the values the guard allows it, from the conjuncts that read that slot alone."""
    out: dict[int, frozenset[int]] = {}
    for c in conjuncts(guard):
        cs = {s for s, _ in slots_of(c)}
        if len(cs) != 1:
            continue
        slot = cs.pop()
        state = bytearray(system.schema.nslots)
        ok = set()
        for v in range(system.schema.slot_domain(slot).size):
            state[slot] = v
            if evaluate(c, bytes(state)):
                ok.add(v)
        out[slot] = out.get(slot, frozenset(ok)) & ok
    return out


def _exclusive(a: dict, b: dict) -> bool:
    """Guards that no state satisfies together: some slot has no value both allow."""
    return any(not (a[s] & b[s]) for s in a.keys() & b.keys())


def por_tables(system: System, props: Sequence[PropertyDef], quiescent: bool | None = None) -> PorTables:
    """The static tables for the checked properties `props` (quiescent: check CQ; default, when any
    of `props` is a quiescent property)."""
    rules = system.rules
    reads = [sorted({s for s, _ in slots_of(r.guard)} | {s for _, v in r.updates for s, _ in slots_of(v)})
             for r in rules]
    writes = [sorted({s for s, _ in r.updates}) for r in rules]
    touch = [set(r) | set(w) for r, w in zip(reads, writes)]
    allowed = [_allowed(system, r.guard) for r in rules]
    # two instances that are never enabled together need no ordering (see module doc, C1)
    dep = [[u for u in range(len(rules)) if u != k and (set(writes[k]) & touch[u] or set(writes[u]) & touch[k])
            and not _exclusive(allowed[k], allowed[u])] for k in range(len(rules))]
    conj_rows, conj_list, nes_rows = [], [], []
    for r in rules:
        ids = []
        for c in conjuncts(r.guard):
            cs = {s for s, _ in slots_of(c)}
            ids.append(len(conj_list))
            conj_list.append(c)
            nes_rows.append([u.index for u in rules if _can_enable(system, u.updates, allowed[u.index], c, cs)])
        conj_rows.append(ids)
    visible_slots: set[int] = set()
    unsafe = []
    for p in props:
        if p.kind == "quiescent":
            continue
        e = system.prop_expr(p)
        visible_slots |= {s for s, _ in slots_of(e)}
        if p.kind == "step" and not stutter_safe(system, e):
            unsafe.append(p.name)
    visible = bytes(1 if unsafe or set(w) & visible_slots else 0 for w in writes)
    rs, rd = _csr(reads)
    ws, wd = _csr(writes)
    ds, dd = _csr(dep)
    cs_start = array("i", [0])
    for ids in conj_rows:
        cs_start.append(cs_start[-1] + len(ids))
    ns, nd = _csr(nes_rows)
    keep = any(p.kind == "quiescent" for p in props) if quiescent is None else quiescent
    return PorTables(rs, rd, ws, wd, ds, dd, cs_start, tuple(conj_list), ns, nd, visible,
                     bytes(0 if r.env else 1 for r in rules), keep, tuple(unsafe))


class AmpleSets:
    """The Python selection over `PorTables`; `reduce` is what the explorer calls per state."""

    def __init__(self, tables: PorTables):
        t = tables
        self.tables = t
        n = len(t.visible)
        self.dep = [tuple(t.dep[t.dep_start[k]:t.dep_start[k + 1]]) for k in range(n)]
        self.conj = [tuple(range(t.conj_start[k], t.conj_start[k + 1])) for k in range(n)]
        self.nes = [tuple(t.nes[t.nes_start[c]:t.nes_start[c + 1]]) for c in range(len(t.conjuncts))]
        self.test = [compile_predicate(c) for c in t.conjuncts]
        self.visible, self.protocol, self.keep_protocol = t.visible, t.protocol, t.keep_protocol
        self.reduced_states = 0      # states expanded through a proper subset
        self.pruned = 0              # transitions not taken

    def _closure(self, s: bytes, seed: int, enabled: set[int], limit: int, false_at: dict) -> set[int] | None:
        members, stack, inside = {seed}, [seed], 1
        while stack:
            t = stack.pop()
            if t in enabled:
                grow = self.dep[t]
            else:
                grow = false_at.get(t)
                if grow is None:   # the smallest necessary enabling set, once per state
                    grow = false_at[t] = min((self.nes[c] for c in self.conj[t] if not self.test[c](s)), key=len)
            for u in grow:
                if u not in members:
                    if u in enabled:
                        if self.visible[u]:
                            return None          # C2
                        inside += 1
                        if inside >= limit:
                            return None          # no smaller than E: nothing to gain
                    members.add(u)
                    stack.append(u)
        return members

    def candidates(self, s: bytes, enabled_order: Sequence[int], protocol_enabled: bool) -> list[frozenset[int]]:
        """Proper subsets of the enabled instances that satisfy C0, C1, C2 and CQ, smallest first."""
        enabled = set(enabled_order)
        found: set[frozenset[int]] = set()
        false_at: dict = {}   # disabled instance -> its chosen necessary enabling set at s
        for seed in enabled_order:
            if self.visible[seed]:
                continue
            members = self._closure(s, seed, enabled, len(enabled), false_at)
            if members is None:
                continue
            a = frozenset(members & enabled)
            if self.keep_protocol and protocol_enabled and not any(self.protocol[k] for k in a):
                continue                                 # CQ
            found.add(a)
        return sorted(found, key=lambda f: (len(f), sorted(f)))

    def reduce(self, s: bytes, out: list, protocol_enabled: bool, closes: Callable[[bytes], bool]) -> list:
        """`out` = [(instance, successor)] of s; the part to expand.  `closes(t)`: t is already
        stored at a level no deeper than s's (C3)."""
        if len(out) <= 1:
            return out
        for a in self.candidates(s, [k for k, _ in out], protocol_enabled):
            part = [(k, t) for k, t in out if k in a]
            if not any(closes(t) for _, t in part):      # C3
                self.reduced_states += 1
                self.pruned += len(out) - len(part)
                return part
        return out
