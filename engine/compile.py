"""Expressions to Python source, so the explicit engine never walks a tree per state.

The successor function is generated as one flat Python function: rule instances are grouped
by the first guard atom that tests a single slot against a constant (usually "this message is
in flight"), so most states reject whole groups with one comparison.
"""
from __future__ import annotations

import hashlib
import linecache
from collections import Counter, defaultdict
from typing import Callable, Sequence

from .api import RuleInstance, System
from .expr import Expr

FRAMES = ("s", "t")


def _src(e: Expr, temps: dict | None = None) -> str:
    if temps is not None and e.key() in temps:
        return temps[e.key()]
    op, a = e.op, e.args
    if op == "const":
        return str(int(a[0]))
    if op == "var":
        return f"{FRAMES[a[1]]}[{a[0]}]"
    sub = [_src(x, temps) for x in a]
    if op == "eq":
        return f"({sub[0]} == {sub[1]})"
    if op == "not":
        return f"(not {sub[0]})"
    if op == "and":
        return "(" + " and ".join(sub) + ")"
    if op == "or":
        return "(" + " or ".join(sub) + ")"
    if op == "ite":
        return f"({sub[1]} if {sub[0]} else {sub[2]})"
    if op == "add":
        return f"({sub[0]} + {sub[1]})"
    if op == "le":
        return f"({sub[0]} <= {sub[1]})"
    raise ValueError(f"unknown operator {op}")


def _shared(roots: Sequence[Expr]) -> list[Expr]:
    """Non-trivial sub-terms used more than once, children before parents."""
    counts: Counter = Counter()
    order: list[Expr] = []
    seen: set = set()

    def walk(e: Expr):
        k = e.key()
        counts[k] += 1
        if k in seen:
            return
        seen.add(k)
        for x in e.args:
            if isinstance(x, Expr):
                walk(x)
        order.append(e)

    for r in roots:
        walk(r)
    return [e for e in order if counts[e.key()] > 1 and e.op not in ("var", "const")]


def function_source(name: str, params: str, roots: Sequence[Expr]) -> tuple[str, list[str]]:
    temps: dict = {}
    lines = [f"def {name}({params}):"]
    for i, e in enumerate(_shared(roots)):
        code = _src(e, temps)
        temps[e.key()] = f"_c{i}"
        lines.append(f"    _c{i} = {code}")
    return "\n".join(lines), [_src(r, temps) for r in roots]


def _exec(src: str, name: str) -> Callable:
    """Compile generated source under a name of its own and register it with linecache, so a
    traceback through generated code shows the line (with its rule and slot comments)."""
    filename = f"<pmipmc:{name}:{hashlib.sha1(src.encode()).hexdigest()[:12]}>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    ns: dict = {}
    exec(compile(src, filename, "exec"), ns)
    return ns[name]


def compile_predicate(e: Expr, step: bool = False) -> Callable:
    head, (body,) = function_source("pred", "s, t=None" if step else "s", [e])
    return _exec(f"{head}\n    return bool({body})", "pred")


def _leading_atom(guard: Expr):
    """(slot, const) or (slot, None meaning truthy) for the first single-slot test, else None."""
    parts = guard.args if guard.op == "and" else (guard,)
    for i, p in enumerate(parts):
        if p.op == "var" and p.args[1] == 0:
            return (p.args[0], None), parts[:i] + parts[i + 1:]
        if (p.op == "not" and p.args[0].op == "eq" and p.args[0].args[0].op == "var"
                and p.args[0].args[0].args[1] == 0 and p.args[0].args[1].key() == ("const", 0)):
            return (p.args[0].args[0].args[0], None), parts[:i] + parts[i + 1:]   # x != 0 is "x truthy"
        if p.op == "eq" and p.args[0].op == "var" and p.args[1].op == "const" and p.args[0].args[1] == 0:
            return (p.args[0].args[0], p.args[1].args[0]), parts[:i] + parts[i + 1:]
    return None, parts


def _emit_instance(inst: RuleInstance, rest: Sequence[Expr], ind: str, out: list[str],
                   system: System | None) -> None:
    if system is not None:
        out.append(f"{ind}# {system.instance_label(inst)}  [{inst.rule.cites}]")
    cond = " and ".join(_src(p) for p in rest) if rest else None
    if cond:
        out.append(f"{ind}if {cond}:")
        ind += "    "
    out.append(f"{ind}n = bytearray(s)")
    for slot, val in inst.updates:
        name = f"  # {system.schema.slot_name(slot)}" if system is not None else ""
        out.append(f"{ind}n[{slot}] = {_src(val)}{name}")
    out.append(f"{ind}r.append(({inst.index}, bytes(n)))")
    if not inst.env:
        out.append(f"{ind}p = 1")


def successor_source(instances: Sequence[RuleInstance], system: System | None = None) -> str:
    """The successor function's source; with the System, each instance and each written slot
    carries its rule and slot name as a comment."""
    groups: dict = defaultdict(lambda: defaultdict(list))
    loose = []
    for inst in instances:
        atom, rest = _leading_atom(inst.guard)
        if atom is None:
            loose.append((inst, rest))
        else:
            groups[atom[0]][atom[1]].append((inst, rest))
    out = ["def successors(s):", "    r = []", "    p = 0"]
    for slot in sorted(groups):
        out.append(f"    v = s[{slot}]" + (f"  # {system.schema.slot_name(slot)}" if system is not None else ""))
        # equality tests on one slot exclude each other (elif); a truthiness test does not
        equal = sorted((v, m) for v, m in groups[slot].items() if v is not None)
        for k, (value, members) in enumerate(equal):
            out.append(f"    {'if' if k == 0 else 'elif'} v == {value}:")
            for inst, rest in members:
                _emit_instance(inst, rest, "        ", out, system)
        if None in groups[slot]:
            out.append("    if v:")
            for inst, rest in groups[slot][None]:
                _emit_instance(inst, rest, "        ", out, system)
    for inst, rest in loose:
        _emit_instance(inst, rest, "    ", out, system)
    out.append("    return r, p")
    return "\n".join(out)


def compile_successors_flagged(instances: Sequence[RuleInstance],
                               system: System | None = None) -> Callable[[bytes], tuple[list, int]]:
    """successors(s) -> ([(instance index, successor)], 1 if a protocol (non-environment) rule fired)."""
    return _exec(successor_source(instances, system), "successors")


def compile_successors(instances: Sequence[RuleInstance]) -> Callable[[bytes], list]:
    flagged = compile_successors_flagged(instances)
    return lambda s: flagged(s)[0]


def compile_instance(inst: RuleInstance) -> tuple[Callable, Callable]:
    """(guard(s) -> bool, apply(s) -> bytes) for one instance, used by replay and tests."""
    guard = compile_predicate(inst.guard)
    lines = ["def apply(s):", "    n = bytearray(s)"]
    lines += [f"    n[{slot}] = {_src(v)}" for slot, v in inst.updates]
    lines.append("    return bytes(n)")
    return guard, _exec("\n".join(lines), "apply")


def evaluate(e: Expr, s: bytes, t: bytes | None = None) -> int:
    """Reference interpreter, slow; tests compare it with the generated code."""
    op, a = e.op, e.args
    if op == "const":
        return int(a[0])
    if op == "var":
        return (s if a[1] == 0 else t)[a[0]]
    if op == "eq":
        return int(evaluate(a[0], s, t) == evaluate(a[1], s, t))
    if op == "not":
        return int(not evaluate(a[0], s, t))
    if op == "and":
        return int(all(evaluate(x, s, t) for x in a))
    if op == "or":
        return int(any(evaluate(x, s, t) for x in a))
    if op == "ite":
        return evaluate(a[1], s, t) if evaluate(a[0], s, t) else evaluate(a[2], s, t)
    if op == "add":
        return evaluate(a[0], s, t) + evaluate(a[1], s, t)
    if op == "le":
        return int(evaluate(a[0], s, t) <= evaluate(a[1], s, t))
    raise ValueError(f"unknown operator {op}")
