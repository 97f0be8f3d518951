"""Symmetry reduction: the canonical representative of a state is the least permuted image.

The group is the product, over sorts, of the symmetric groups of the declared element groups.
Each group element is compiled into one straight-line function that rebuilds the state with
permuted indices and permuted values.
"""
from __future__ import annotations

import itertools
from operator import itemgetter
from typing import Callable

from .schema import Schema


def _sort_perms(n: int, groups) -> list[tuple[int, ...]]:
    """All permutations of range(n) that move elements only within their group."""
    choices = []
    for g in groups:
        choices.append([dict(zip(g, p)) for p in itertools.permutations(g)])
    perms = []
    for combo in itertools.product(*choices):
        m = list(range(n))
        for part in combo:
            for a, b in part.items():
                m[a] = b
        perms.append(tuple(m))
    return perms


def group_elements(schema: Schema) -> list[dict[str, tuple[int, ...]]]:
    names = sorted(schema.symmetry)
    per_sort = [_sort_perms(len(schema.sorts[n]), schema.symmetry[n]) for n in names]
    return [dict(zip(names, combo)) for combo in itertools.product(*per_sort)]


def _value_map(schema: Schema, slot: int, perm: dict[str, tuple[int, ...]]) -> tuple[int, ...] | None:
    d = schema.slot_domain(slot)
    if d.sort is None or d.sort not in perm:
        return None
    p = perm[d.sort]
    m = list(range(d.size))
    for off in d.offsets:
        for i, j in enumerate(p):
            m[off + i] = off + j
    return None if m == list(range(d.size)) else tuple(m)


def compile_permuter(schema: Schema, perm: dict[str, tuple[int, ...]]) -> Callable[[bytes], bytes]:
    """One C-level gather for the index permutation, then `bytes.translate` on each run of
    consecutive slots that share a value map (arrays declared next to each other with the same
    domain shape form one run)."""
    target = [0] * schema.nslots   # new slot -> old slot
    for old in range(schema.nslots):
        arr, idx = schema.slot_array(old)
        new_idx = tuple(perm.get(s.name, range(len(s)))[i] for s, i in zip(arr.index, idx))
        target[arr.slot(*new_idx)] = old
    runs: list[tuple[int, int, bytes | None]] = []
    for new, old in enumerate(target):
        vm = _value_map(schema, old, perm)
        table = None if vm is None else bytes(vm) + bytes(range(len(vm), 256))
        if runs and runs[-1][2] == table:
            runs[-1] = (runs[-1][0], new + 1, table)
        else:
            runs.append((new, new + 1, table))
    gather = itemgetter(*target)
    mapped = [(a, b, t) for a, b, t in runs if t is not None]
    if not mapped:
        return lambda s: bytes(gather(s))
    n = schema.nslots

    def apply(s: bytes) -> bytes:
        x = bytes(gather(s))
        parts, pos = [], 0
        for a, b, t in mapped:
            parts.append(x[pos:a])
            parts.append(x[a:b].translate(t))
            pos = b
        parts.append(x[pos:n])
        return b"".join(parts)
    return apply


def compile_permuters(schema: Schema) -> list[Callable[[bytes], bytes]]:
    out = []
    for g in group_elements(schema):
        if all(p == tuple(range(len(p))) for p in g.values()):
            continue   # the identity is applied by the canonicaliser itself
        out.append(compile_permuter(schema, g))
    return out


def canonicaliser(schema: Schema, enabled: bool = True) -> Callable[[bytes], bytes]:
    perms = compile_permuters(schema) if enabled else []
    if not perms:
        return lambda s: s

    def canon(s: bytes) -> bytes:
        best = s
        for p in perms:
            c = p(s)
            if c < best:
                best = c
        return best
    return canon

