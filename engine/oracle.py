"""Every reachable state as an oracle for generalising counterexamples to induction.

Discovery's sample (at most 150 000 concrete states) is a weak oracle on a preset of ten million
states: a cube that no sampled state matches is often matched by a reachable state the sample
missed, so the clause blocking it is false and Houdini drops it at the cost of a solver round.
Here the native engine's whole symmetry-reduced state space is kept column-wise, one bit per
representative state for each literal `slot = value` (a Python int: `&` on ten million bits is
a fraction of a millisecond).  The concrete reachable states are the images of the
representatives under the symmetry group, so a cube matches a reachable state iff one of its
images under the group matches a representative: `unmatched` asks every image.

A cube the oracle calls unmatched (when the exploration was complete) is truly unreachable: its
blocking clause is an invariant, and only its inductiveness is left for Houdini to decide.  The
oracle is never the proof; a cut-short exploration only makes its clauses weaker candidates.
"""
from __future__ import annotations

import random
import zlib
from typing import Iterable, Sequence

from . import stop
from .candidates import Clause
from .schema import Schema
from .symmetry import _value_map, group_elements

Cube = tuple[tuple[int, int], ...]     # (slot, value) pairs: "slot = value" for each


def literal_images(schema: Schema) -> list[tuple[list[int], list[tuple[int, ...] | None]]]:
    """Per group element (the identity first): old slot -> new slot, and its value map."""
    out = []
    for perm in group_elements(schema):
        slots = [0] * schema.nslots
        for old in range(schema.nslots):
            arr, idx = schema.slot_array(old)
            new_idx = tuple(perm.get(s.name, range(len(s)))[i] for s, i in zip(arr.index, idx))
            slots[old] = arr.slot(*new_idx)
        entry = (slots, [_value_map(schema, i, perm) for i in range(schema.nslots)])
        if slots == list(range(schema.nslots)) and all(v is None for v in entry[1]):
            out.insert(0, entry)
        else:
            out.append(entry)
    return out


def _join(parts: list[tuple[int, bytes]], count: int) -> int:
    """One int of `count` bits from pieces (first bit, little-endian bytes): those starting on a byte
    boundary are copied into place, any other is shifted in."""
    buf, odd = bytearray((count + 7) // 8), 0
    for first, bits in parts:
        if first % 8:
            odd |= int.from_bytes(bits, "little") << first
        else:
            buf[first // 8:first // 8 + len(bits)] = bits
    return int.from_bytes(buf, "little") | odd


class Oracle:
    """`cols[slot][value]`: bit j set iff representative j has that value in that slot."""

    def __init__(self, schema: Schema, count: int, cols: list[dict[int, int]], complete: bool):
        self.schema, self.count, self.cols, self.complete = schema, count, cols, complete
        self.images = literal_images(schema)
        # a slot with one value everywhere excludes nothing beyond its unit clause
        self.varying = [i for i, per in enumerate(cols) if len(per) > 1]

    @classmethod
    def from_chunks(cls, schema: Schema, chunks: Iterable[bytes], complete: bool) -> "Oracle":
        """Build from consecutive runs of packed states (`nslots` bytes each).  Each run's bits are
        placed once at the end (OR-ing a growing int per run was quadratic: minutes on 10^7 states).
        A stop request ends the reading: what was read is kept, as an incomplete oracle."""
        import numpy as np
        n = schema.nslots
        pieces: list[dict[int, list[tuple[int, bytes]]]] = [dict() for _ in range(n)]
        count = 0
        for chunk in chunks:
            if stop.requested():
                complete = False
                break
            a = np.frombuffer(chunk, dtype=np.uint8).reshape(-1, n)
            t = np.ascontiguousarray(a.T)   # one transposition: each slot's column becomes a row
            for i in range(n):
                col = t[i]
                for v in np.flatnonzero(np.bincount(col, minlength=256)).tolist():
                    pieces[i].setdefault(v, []).append((count, np.packbits(col == v, bitorder="little").tobytes()))
            count += a.shape[0]
            del a, t
        return cls(schema, count, [{v: _join(parts, count) for v, parts in per.items()} for per in pieces], complete)

    def _image(self, k: int, slot: int, value: int) -> int:
        slots, vmaps = self.images[k]
        vm = vmaps[slot]
        return self.cols[slots[slot]].get(value if vm is None else vm[value], 0)

    def unmatched(self, cube: Cube) -> bool:
        """No reachable (concrete) state matches every literal of `cube`."""
        for k in range(len(self.images)):
            acc = -1
            for i, v in cube:
                acc &= self._image(k, i, v)
                if not acc:
                    break
            if acc:
                return False
        return True

    def holds(self, clause: Clause) -> bool:
        """No reachable state violates `clause` (its negation, a cube of x = v and x != v, is unmatched)."""
        every = (1 << self.count) - 1
        for k in range(len(self.images)):
            acc = every
            for i, v, pos in clause.lits:
                col = self._image(k, i, v)
                acc &= (every ^ col) if pos else col
                if not acc:
                    break
            if acc:
                return False
        return True

    def _grow(self, state: bytes, order: Sequence[int]) -> list[int] | None:
        """Slots of `state`, taken in `order`, each kept when it excludes more states under some
        image, until nothing is matched: an unmatched cube, not yet minimal."""
        masks = [-1] * len(self.images)
        keep = []
        for i in [i for i in order if len(self.cols[i]) > 1]:
            new = [m & self._image(k, i, state[i]) for k, m in enumerate(masks)]
            if new != masks:
                keep.append(i)
                masks = new
                if not any(masks):
                    return keep
        return None

    def shrink(self, state: bytes, order: Sequence[int]) -> Cube | None:
        keep = self._grow(state, order)
        if keep is None:
            return None
        for i in list(keep):
            rest = tuple((j, state[j]) for j in keep if j != i)
            if rest and self.unmatched(rest):
                keep.remove(i)
        return tuple((j, state[j]) for j in sorted(keep))

    def blocking(self, state: bytes, limit: int = 12, orders: int = 4) -> list[Clause]:
        """Clauses `not (x = a and y = b ...)` that no reachable state violates and `state` does.

        Small cubes first: single slots, then pairs and triples of the slots where `state` is
        not 0 (the protocol state a CTI carries); then greedy cubes over every slot, grown and
        shrunk in a few orders (seeded by the state, so the output is deterministic)."""
        if not self.unmatched(tuple(enumerate(state))):
            return []    # a reachable state: nothing sound blocks it
        out: list[Cube] = []
        nonzero = [i for i in self.varying if state[i]]
        for i in range(len(state)):
            if self.unmatched(((i, state[i]),)):
                out.append(((i, state[i]),))
        if out:   # a value no reachable state has in that slot: the unit clause says it all
            return [Clause(((i, v, False),)) for (i, v), in out]
        small = {frozenset(c) for c in out}
        for a, i in enumerate(nonzero):
            for j in nonzero[a + 1:]:
                c = ((i, state[i]), (j, state[j]))
                if len(out) < limit and not any(frozenset(x) in small for x in (c[:1], c[1:])) and self.unmatched(c):
                    out.append(c)
                    small.add(frozenset(c))
        zero_first = sorted(range(len(state)), key=lambda i: (state[i] != 0, i))
        nonzero_first = sorted(range(len(state)), key=lambda i: (state[i] == 0, i))
        tries = [nonzero_first, zero_first]
        rng = random.Random(zlib.crc32(state))
        for _ in range(max(0, orders - 2)):
            o = list(range(len(state)))
            rng.shuffle(o)
            tries.append(o)
        for order in tries:
            c = self.shrink(state, order)
            if c is not None and frozenset(c) not in small:
                out.append(c)
                small.add(frozenset(c))
        return [Clause(tuple((i, v, False) for i, v in c)) for c in out]

    def images_of(self, clause: Clause) -> list[Clause]:
        """The clause under every symmetry (itself first): a symmetric system needs them all."""
        seen: dict[Clause, None] = {}
        for slots, vmaps in self.images:
            lits = tuple(sorted((slots[i], v if vmaps[i] is None else vmaps[i][v], pos) for i, v, pos in clause.lits))
            seen.setdefault(Clause(lits), None)
        return list(seen)
