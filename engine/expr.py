"""A tiny expression vocabulary shared by the explicit compiler and the z3 encoder.

Rules and properties are ordinary Python functions that *build* expressions from state
variables; they never evaluate state themselves.  `Expr.__bool__` raises so that a Python
`if` on state fails loudly instead of silently diverging between engines.  Constructors fold
constants, because rules are instantiated with concrete parameters and most comparisons of
parameters with parameters disappear before either engine sees them.
"""
from __future__ import annotations

from typing import Iterable, Union

Value = Union["Expr", int, bool]


class SymbolicBoolError(TypeError):
    pass


class Expr:
    __slots__ = ("op", "args", "_key")

    def __init__(self, op: str, args: tuple):
        self.op = op
        self.args = args
        self._key = None

    # Structural identity lets CSE and folding recognise repeated sub-terms.
    def key(self) -> tuple:
        if self._key is None:
            self._key = (self.op,) + tuple(a.key() if isinstance(a, Expr) else a for a in self.args)
        return self._key

    def __bool__(self):
        raise SymbolicBoolError(
            "a state expression was used in a Python condition; use ite/all_of/any_of instead")

    __hash__ = object.__hash__

    def __eq__(self, other: Value) -> "Expr":  # type: ignore[override]
        return eq(self, other)

    def __ne__(self, other: Value) -> "Expr":  # type: ignore[override]
        return ~eq(self, other)

    def __and__(self, other: Value) -> "Expr":
        return all_of(self, other)

    __rand__ = __and__

    def __or__(self, other: Value) -> "Expr":
        return any_of(self, other)

    __ror__ = __or__

    def __invert__(self) -> "Expr":
        return not_(self)

    def __add__(self, other: Value) -> "Expr":
        return add(self, other)

    __radd__ = __add__

    def __le__(self, other: Value) -> "Expr":
        return le(self, other)

    def __ge__(self, other: Value) -> "Expr":
        return le(other, self)

    def __lt__(self, other: Value) -> "Expr":
        return le(add(self, 1), other)

    def __repr__(self) -> str:
        return f"Expr{self.key()!r}"


def lift(v: Value) -> Expr:
    if isinstance(v, Expr):
        return v
    if isinstance(v, bool):
        return TRUE if v else FALSE
    if isinstance(v, int):
        return Expr("const", (v,))
    raise TypeError(f"cannot use {type(v).__name__} in a state expression")


def const_value(e: Value):
    """The Python value of a constant expression, or None when it depends on state."""
    e = lift(e)
    return e.args[0] if e.op == "const" else None


TRUE = Expr("const", (1,))
FALSE = Expr("const", (0,))


def var(slot: int, frame: int = 0) -> Expr:
    """State slot `slot` of the current state (frame 0) or of the successor (frame 1)."""
    return Expr("var", (slot, frame))


def eq(a: Value, b: Value) -> Expr:
    a, b = lift(a), lift(b)
    ca, cb = const_value(a), const_value(b)
    if ca is not None and cb is not None:
        return TRUE if ca == cb else FALSE
    if a.key() == b.key():
        return TRUE
    if ca is not None:  # keep the constant on the right: helps dispatch on variables
        a, b = b, a
    return Expr("eq", (a, b))


def not_(a: Value) -> Expr:
    a = lift(a)
    c = const_value(a)
    if c is not None:
        return FALSE if c else TRUE
    if a.op == "not":
        return a.args[0]
    return Expr("not", (a,))


def _flatten(op: str, items: Iterable[Value]) -> list[Expr]:
    out: list[Expr] = []
    for it in items:
        if isinstance(it, (list, tuple)) or hasattr(it, "__next__"):
            out.extend(_flatten(op, it))
            continue
        e = lift(it)
        if e.op == op:
            out.extend(e.args)
        else:
            out.append(e)
    return out


def all_of(*items) -> Expr:
    """Conjunction; accepts expressions, bools, and iterables of them."""
    parts = []
    for e in _flatten("and", items):
        c = const_value(e)
        if c is None:
            parts.append(e)
        elif not c:
            return FALSE
    if not parts:
        return TRUE
    return parts[0] if len(parts) == 1 else Expr("and", tuple(parts))


def any_of(*items) -> Expr:
    """Disjunction; accepts expressions, bools, and iterables of them."""
    parts = []
    for e in _flatten("or", items):
        c = const_value(e)
        if c is None:
            parts.append(e)
        elif c:
            return TRUE
    if not parts:
        return FALSE
    return parts[0] if len(parts) == 1 else Expr("or", tuple(parts))


def implies(a: Value, b: Value) -> Expr:
    return any_of(not_(a), b)


def ite(c: Value, t: Value, f: Value) -> Expr:
    c, t, f = lift(c), lift(t), lift(f)
    cc = const_value(c)
    if cc is not None:
        return t if cc else f
    if t.key() == f.key():
        return t
    return Expr("ite", (c, t, f))


def add(a: Value, b: Value) -> Expr:
    a, b = lift(a), lift(b)
    ca, cb = const_value(a), const_value(b)
    if ca is not None and cb is not None:
        return lift(int(ca) + int(cb))
    if cb == 0:
        return a
    if ca == 0:
        return b
    return Expr("add", (a, b))


def le(a: Value, b: Value) -> Expr:
    a, b = lift(a), lift(b)
    ca, cb = const_value(a), const_value(b)
    if ca is not None and cb is not None:
        return TRUE if ca <= cb else FALSE
    return Expr("le", (a, b))


_BUILD = {"eq": eq, "not": not_, "and": all_of, "or": any_of, "ite": ite, "add": add, "le": le}


def substitute(e: Value, values: dict[int, Expr]) -> Expr:
    """`e` with each current-state slot in `values` replaced by its expression, re-folded: the
    value of `e` in the state an effect leads to (sequential composition of rule steps)."""
    e = lift(e)
    if e.op == "var":
        return values.get(e.args[0], e) if e.args[1] == 0 else e
    if e.op == "const":
        return e
    return _BUILD[e.op](*(substitute(a, values) for a in e.args))


def current_frame(e: Value) -> Expr:
    """`e` with every successor-frame slot read from the current state, re-folded: a step
    property P(s, t) as P(s, s)."""
    e = lift(e)
    if e.op == "var":
        return var(e.args[0], 0)
    if e.op == "const":
        return e
    return _BUILD[e.op](*(current_frame(a) for a in e.args))


def slots_of(e: Expr, acc: set | None = None) -> set:
    """Every (slot, frame) pair an expression reads."""
    acc = set() if acc is None else acc
    stack = [e]
    seen = set()
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if x.op == "var":
            acc.add(x.args)
        elif x.op != "const":
            stack.extend(a for a in x.args if isinstance(a, Expr))
    return acc


# --- quantifier helpers ---------------------------------------------------------------------
# A model writes "some listener x on MAG m" as `some(ctx.listeners, lambda x: ...)`.  Over a
# preset's concrete elements (a range or tuple) the helpers expand at once into the constructors
# above, so compile.py, the native generator and symbolic.py see exactly the expressions the old
# Python loops built.  Over a symbolic sort (engine/param_model.py, `pmipmc prove --all-sizes`)
# they hand the body a bound variable and build one quantifier node for the z3 encoder.

def some(elements, body) -> Expr:
    """∃ e ∈ elements: body(e)."""
    if hasattr(elements, "quantify"):
        return elements.quantify("some", body)
    return any_of(body(e) for e in elements)


def every(elements, body) -> Expr:
    """∀ e ∈ elements: body(e)."""
    if hasattr(elements, "quantify"):
        return elements.quantify("every", body)
    return all_of(body(e) for e in elements)


def each(elements, updates, where=None) -> dict:
    """The effect entries `updates(e)` for every e (where `where(e)` holds): one point update per
    element, or one pointwise update over a bound variable for a symbolic sort."""
    if hasattr(elements, "each"):
        return elements.each(updates, where)
    out: dict = {}
    for e in elements:
        if where is not None:
            c = const_value(where(e))
            if c is None:
                raise TypeError("each(): `where` must decide on elements alone, not on state")
            if not c:
                continue
        out.update(updates(e))
    return out


def same(a, b) -> Expr:
    """Elements a and b are the same (None is no element): folded when both are known."""
    if a is None or b is None:
        return FALSE
    if hasattr(a, "same"):
        return a.same(b)
    if hasattr(b, "same"):
        return b.same(a)
    if isinstance(a, Expr) or isinstance(b, Expr):   # a bound variable of a quantifier
        return TRUE if a is b else Expr("same", (a, b))
    return TRUE if a == b else FALSE
