"""Quantified clauses in the model's own names: "∀ a, b: MAG. a ≠ b ∧ tunnel[a][b] = 1 → …".

A claim's clause at one equality pattern of its parameters prints with the parameter names of
the claim (`a`, `b`, `x`), the pattern's distinctness as a premise, and values by their labels
("tunnel(b)", "none").
"""
from __future__ import annotations

from .expr import Expr
from .param_model import Elem

_BOUND = {"MAG": "cdefgh", "MN": "yzuvw", "LISTENER": "yzuvw", "SENDER": "yzuvw"}
_SORT = {"S": "SENDER", "L": "LISTENER"}


class Printer:
    def __init__(self, schema, names: dict):
        self.schema = schema
        self.arrays = {a.name: a for a in schema.arrays}
        self.names = dict(names)      # Elem or bound-variable id -> name
        self.used = set(self.names.values())

    def elem(self, x) -> str:
        if isinstance(x, Elem):
            return self.names.get(x, repr(x))
        if isinstance(x, Expr) and x.op == "bvar":
            return self.names.get(x.args[0], "?")
        return str(x)

    def _bind(self, v: Expr, sort: str) -> str:
        for ch in _BOUND.get(sort, "pqrs"):
            if ch not in self.used:
                self.used.add(ch)
                self.names[v.args[0]] = ch
                return ch
        n = f"v{len(self.used)}"
        self.used.add(n)
        self.names[v.args[0]] = n
        return n

    def _label(self, array: str | None, code: int) -> str:
        if array is None:
            return str(code)
        labels = self.arrays[array].domain.labels
        return labels[code] if 0 <= code < len(labels) else str(code)

    def _domain_of(self, e) -> str | None:
        if isinstance(e, Expr) and e.op in ("app", "val", "recode"):
            return e.args[0] if e.op != "recode" else e.args[1]
        if isinstance(e, Expr) and e.op == "ite":
            return self._domain_of(e.args[1]) or self._domain_of(e.args[2])
        return None

    def term(self, e, domain: str | None = None) -> str:
        op, a = e.op, e.args
        if op == "const":
            return self._label(domain, int(a[0]))
        if op == "app":
            return a[0] + "".join(f"[{self.elem(i)}]" for i in a[1:])
        if op == "val":
            d = self.arrays[a[0]].domain
            return d.labels[d.offsets[a[1]]].replace(self.schema.sorts[d.sort].elements[0], self.elem(a[2]))
        if op == "recode":
            return f"CoA({self.term(a[0])})"
        if op == "ite":
            d = domain or self._domain_of(e)
            return f"({self.text(a[0])} ? {self.term(a[1], d)} : {self.term(a[2], d)})"
        if op == "add":
            return f"{self.term(a[0], domain)} + {self.term(a[1])}"
        return self.text(e)

    def text(self, e, top: bool = True) -> str:
        op, a = e.op, e.args
        if op == "eq":
            d = self._domain_of(a[0]) or self._domain_of(a[1])
            return f"{self.term(a[0], d)} = {self.term(a[1], d)}"
        if op == "not" and a[0].op == "eq":
            x, y = a[0].args
            d = self._domain_of(x) or self._domain_of(y)
            return f"{self.term(x, d)} ≠ {self.term(y, d)}"
        if op == "not":
            return f"¬({self.text(a[0])})"
        if op == "same":
            return f"{self.elem(a[0])} = {self.elem(a[1])}"
        if op == "and":
            return " ∧ ".join(self._paren(x) for x in a)
        if op == "or":
            neg = [x for x in a if x.op == "not"]
            if neg and len(neg) < len(a):
                rest = [x for x in a if not any(x is y for y in neg)]
                head = " ∧ ".join(self._paren(x.args[0]) for x in neg)
                return f"{head} → {' ∨ '.join(self._paren(x) for x in rest)}"
            return " ∨ ".join(self._paren(x) for x in a)
        if op in ("some", "every"):
            v = self._bind(a[1], a[0])
            q = "∃" if op == "some" else "∀"
            return f"{q} {v}: {a[0]}. {self._paren(a[2])}"
        if op == "le":
            return f"{self.term(a[0])} ≤ {self.term(a[1])}"
        if op == "app":
            return f"{self.term(e)} = 1"
        if op == "const":
            return "true" if a[0] else "false"
        return self.term(e)

    def _paren(self, e) -> str:
        s = self.text(e)
        return f"({s})" if e.op in ("and", "or", "some", "every") else s


def clause_text(schema, params: list[str], pattern: tuple[Elem, ...], body: Expr) -> str:
    """One clause at one pattern, universally quantified over the pattern's classes."""
    names: dict = {}
    for n, e in zip(params, pattern):
        names.setdefault(e, n)
    p = Printer(schema, names)
    groups: dict = {}
    for e, n in names.items():
        sort = e.sort if e.sort == "MAG" else _SORT.get(e.role or "", "MN")
        groups.setdefault(sort, []).append(n)
    head = ", ".join(f"{', '.join(ns)}: {s}" for s, ns in groups.items())
    distinct = [f"{x} ≠ {y}" for e1, x in names.items() for e2, y in names.items()
                if e1.sort == e2.sort and e1.idx < e2.idx]
    body_text = p.text(body)
    pre = (" ∧ ".join(distinct) + " → ") if distinct else ""
    if pre and "→" in body_text:
        body_text = f"({body_text})"
    return f"∀ {head}. {pre}{body_text}" if head else body_text
