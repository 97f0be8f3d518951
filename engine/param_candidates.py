"""Candidate clauses built from the schema, for Houdini at every size.

"A MAG's pointer to a peer implies a fact about the pair": for every array whose values name a
MAG, indexed by (MAG m, MN x), and every block of its values (e.g. `q[m][x] = tunnelled(b)`),
each Boolean array over the same elements (`tunnel[m][b]`, `tunnel[b][m]`, `oif_tunnel[b][x][m]`,
`bul[m][x]`, ...) at 1 or at 0 is offered as the consequent.  Houdini keeps what is inductive;
nothing here is trusted.
"""
from __future__ import annotations

import itertools

from .api import Kind, PropertyDef
from .expr import implies
from .param_model import val


def _atoms(schema):
    """(text key, builder(s, m, x, b)) for Boolean arrays over the elements m, b (MAG) and x (MN)."""
    out = []
    roles = {"MAG": ("m", "b"), "MN": ("x",)}
    for a in schema.arrays:
        if a.domain.size != 2 or a.domain.sort is not None or not a.index or a.message is not None:
            continue
        kinds = [s.parent or s.name for s in a.index]
        for names in itertools.product(*(roles[k] for k in kinds)):
            if "m" not in names and "b" not in names:
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
