"""Candidate clauses built from the schema, for Houdini at every size.

"A MAG's pointer to a peer implies a fact about the pair": for every array whose values name a
MAG, indexed by (MAG m, MN x), and every block of its values (e.g. `q[m][x] = tunnelled(b)`),
the pointer names another MAG (m ≠ b), and each tunnel end and tunnel oif over the pair
(`tunnel[m][b]`, `tunnel[b][m]`, `oif_tunnel[b][x][m]`, ...) at 1 or at 0 is a consequent.  Houdini keeps what is inductive;
nothing here is trusted.
"""
from __future__ import annotations

import itertools

from .api import Kind, PropertyDef
from .expr import implies, same
from .param_model import val


# the Boolean arrays a pointer to a peer is about: each MAG's tunnel ends and (S,G) tunnel oifs
CONSEQUENTS = ("tunnel", "oif_tunnel")


def _atoms(schema):
    """(array, index names) for the consequent arrays over the elements m, b (MAG) and x (MN)."""
    out = []
    roles = {"MAG": ("m", "b"), "MN": ("x",)}
    for a in schema.arrays:
        if a.name not in CONSEQUENTS or a.domain.size != 2:
            continue
        kinds = [s.parent or s.name for s in a.index]
        for names in itertools.product(*(roles[k] for k in kinds)):
            if "m" not in names or "b" not in names:
                continue
            out.append((a.name, names))
    return out


def _read(s, name, names, env):
    node = getattr(s, name)
    for n in names:
        node = node[env[n]]
    return node


def candidates(schema) -> list[PropertyDef]:
    out = []
    atoms = _atoms(schema)
    for a in schema.arrays:
        d = a.domain
        if d.sort != "MAG" or [s.parent or s.name for s in a.index] != ["MAG", "MN"]:
            continue
        for block in range(len(d.offsets)):
            label = d.labels[d.offsets[block]].replace(schema.sorts["MAG"].elements[0], "b")

            def other(ctx, s, m, x, b, a=a, block=block):   # the pointer never names the MAG itself
                return implies(getattr(s, a.name)[m][x] == val(a.name, block, b), ~same(m, b))
            text = f"{a.name}[m][x] = {label} → m ≠ b"
            out.append(PropertyDef(f"cand:{text}", Kind.INVARIANT, "generated", text, other, "candidate",
                                   ("MAG", "SENDER", "MAG")))
            for name, names in atoms:
                for want in (1, 0):
                    def fn(ctx, s, m, x, b, a=a, block=block, name=name, names=names, want=want):
                        env = {"m": m, "x": x, "b": b}
                        return implies(getattr(s, a.name)[m][x] == val(a.name, block, b),
                                       _read(s, name, names, env) == want)
                    text = f"{a.name}[m][x] = {label} → {name}[{']['.join(names)}] = {want}"
                    out.append(PropertyDef(f"cand:{text}", Kind.INVARIANT, "generated", text, fn,
                                           "candidate", ("MAG", "SENDER", "MAG")))
    return out
