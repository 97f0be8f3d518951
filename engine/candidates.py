"""Candidate invariants for Houdini: one- and two-literal clauses over slot equalities.

A literal is `x = v` or `x != v` for a slot x and a value v of its domain.  Candidates are
generated from the reachable states the explicit engine found: a clause false on one of them is
not an invariant, so it is never handed to z3.  The filter works column-wise: for every literal,
one Python int with one byte per state (1 where the literal holds), built by C-level slicing and
`bytes.translate`, so a clause over two literals is checked on every state by one `|` and one
comparison.  A clause that survives is only a *candidate*: the states may be a part of the
reachable set (a budget cut the search short), and the clause may hold on reachable states but
not be inductive; Houdini (engine/houdini.py) decides.
"""
from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from typing import Sequence

from . import stop
from .schema import Schema

Literal = tuple[int, int, bool]      # (slot, value, positive): x = v, or x != v when not positive


@dataclass(frozen=True)
class Clause:
    lits: tuple[Literal, ...]

    def holds(self, state: bytes) -> bool:
        return any((state[i] == v) == pos for i, v, pos in self.lits)

    def text(self, schema: Schema) -> str:
        """`a = x → b = y` when a literal is negative (a Boolean `x = 0` counts as `x ≠ 1`), else `∨`."""
        def norm(i, v, pos):
            return (i, 1, not pos) if schema.slot_domain(i).size == 2 and v == 0 else (i, v, pos)

        def lit(i, v, pos):
            return f"{schema.slot_name(i)} {'=' if pos else '≠'} {schema.label(i, v)}"
        lits = [norm(*x) for x in self.lits]
        neg = [x for x in lits if not x[2]]
        if len(lits) == 1 or not neg:
            return " ∨ ".join(lit(*x) for x in lits)
        rest = [x for x in lits if x not in neg[:len(lits) - 1]]
        if len(neg) == len(lits):       # a blocked cube: "a = x ∧ b = y → c ≠ z"
            neg, rest = neg[:-1], neg[-1:]
        head = " ∧ ".join(lit(i, v, True) for i, v, _ in neg[:len(lits) - 1])
        return f"{head} → {' ∨ '.join(lit(*x) for x in rest)}"


def columns(states: Sequence[bytes], nslots: int) -> list[dict[int, int]]:
    """Per slot: value -> int whose byte j is 1 iff state j has that value (values never seen are absent)."""
    flat = b"".join(states)
    out = []
    for i in range(nslots):
        col = flat[i::nslots]
        seen = sorted(set(col))
        per = {}
        for v in seen:
            table = bytes(1 if k == v else 0 for k in range(256))
            per[v] = int.from_bytes(col.translate(table), "little")
        out.append(per)
    return out


def generate(schema: Schema, states: Sequence[bytes], cols: list[dict[int, int]] | None = None,
             related=None) -> list[Clause]:
    """Unit clauses true on every state, then two-literal clauses over the slots that vary.

    `related(i, j)` (optional) limits pairs to related slots; by default every pair of slots, or,
    beyond 400 literals, the slots sharing an index element (`_sharing_an_index`).
    """
    n = len(states)
    if n == 0:
        return []
    everywhere = int.from_bytes(b"\x01" * n, "little")
    cols = columns(states, schema.nslots) if cols is None else cols
    units: list[Clause] = []
    lits: list[tuple[Literal, int]] = []
    for i, per in enumerate(cols):
        size = schema.slot_domain(i).size
        if len(per) == 1:
            units.append(Clause(((i, next(iter(per)), True),)))
            continue
        units += [Clause(((i, v, False),)) for v in range(size) if v not in per]
        for v in sorted(per):
            lits.append(((i, v, True), per[v]))
            if len(per) > 2:   # with two values seen, x != v is the other value's x = w (units rule out the rest)
                lits.append(((i, v, False), everywhere ^ per[v]))
    if related is None and len(lits) > 400:
        related = _sharing_an_index(schema)
    pairs: list[Clause] = []
    for a in range(len(lits)):
        if stop.requested():   # thousands of literals make millions of pairs: the caller checks too
            break
        (la, ba) = lits[a]
        for b in range(a + 1, len(lits)):
            (lb, bb) = lits[b]
            if lb[0] == la[0] or (related is not None and not related(la[0], lb[0])):
                continue
            if ba | bb == everywhere:
                pairs.append(Clause((la, lb)))
    return units + pairs


def _sharing_an_index(schema: Schema):
    """Slots whose array indices share an element of a sort (or where one is a scalar): the
    pairs a protocol invariant usually relates, e.g. `iif[a][x]` with `tunnel[a][b]`."""
    keys = []
    for i in range(schema.nslots):
        arr, idx = schema.slot_array(i)
        keys.append({(s.name, e) for s, e in zip(arr.index, idx)})
    return lambda i, j: not keys[i] or not keys[j] or bool(keys[i] & keys[j])


def blocking(state: bytes, cols: list[dict[int, int]], limit: int = 40) -> list[Clause]:
    """Clauses `not (x = a and y = b and z = c)` true on every explored state and false on `state`.

    The cube is a part of `state`'s own assignment that no explored state matches: the
    generalisation of a counterexample to induction that IC3 makes, with the explored states as
    the oracle of what is safe to exclude.  Slots with a non-zero value come first (they carry
    the protocol's state), and cubes of one, two and three slots are tried in that order, each
    kept only when no smaller cube inside it already excludes the state.
    """
    varying = [i for i, per in enumerate(cols) if len(per) > 1 or state[i] not in per]
    varying.sort(key=lambda i: (state[i] == 0, i))
    m = {i: cols[i].get(state[i], 0) for i in varying}
    out: list[Clause] = []
    small: set[frozenset] = set()

    def emit(slots):
        small.add(frozenset(slots))
        out.append(Clause(tuple((i, state[i], False) for i in slots)))

    for i in varying:
        if m[i] == 0:
            emit((i,))
    live = [i for i in varying if m[i] != 0]
    work = 20_000    # big-int ANDs: the greedy cubes below cover what this search has no time for
    for a, i in enumerate(live):
        for b in range(a + 1, len(live)):
            if len(out) >= limit or work <= 0:
                break
            j = live[b]
            mij = m[i] & m[j]
            work -= 1
            if mij == 0:
                emit((i, j))
                continue
            for k in live[b + 1:]:
                work -= 1
                if frozenset((i, k)) in small or frozenset((j, k)) in small:
                    continue
                if mij & m[k] == 0:
                    emit((i, j, k))
                    if len(out) >= limit:
                        break
    for order in _orders(state, live):
        cube = _shrink(order, m)
        if cube is not None and frozenset(cube) not in small:
            emit(tuple(sorted(cube)))
    return out


def _orders(state: bytes, slots: list[int], shuffles: int = 6) -> list[list[int]]:
    """Orders in which to try dropping literals: four fixed ones and a few shuffles seeded by the
    state itself, so the output is deterministic and a CTI met again gets the same cubes."""
    zero_first = sorted(slots, key=lambda i: (state[i] != 0, i))
    nonzero_first = sorted(slots, key=lambda i: (state[i] == 0, i))
    out = [zero_first, nonzero_first, zero_first[::-1], nonzero_first[::-1]]
    rng = random.Random(zlib.crc32(state))
    for _ in range(shuffles):
        order = list(slots)
        rng.shuffle(order)
        out.append(order)
    return out


def _shrink(order: list[int], m: dict[int, int]) -> list[int] | None:
    """Drop literals of the state's cube, in `order`, while no explored state matches the rest:
    the greedy generalisation IC3 makes, for cubes too large to enumerate."""
    keep = list(order)
    everything = -1
    for i in order:
        rest = everything
        for j in keep:
            if j != i:
                rest &= m[j]
                if rest == 0:
                    break
        if rest == 0:
            keep.remove(i)
    full = everything
    for j in keep:
        full &= m[j]
    return keep if keep and full == 0 else None
