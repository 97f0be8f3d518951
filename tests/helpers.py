"""Shared helpers: fire a named rule on a state, evaluate model expressions on a state."""
from __future__ import annotations

from pmipmc.engine.compile import compile_instance, evaluate
from pmipmc.properties import provider


def system(preset: str = "tiny", variant: str = "draft", **overrides):
    return provider.build(preset, variant, **overrides)


def placed(sysm, **where: str) -> bytes:
    """The initial state with the named MNs on the named MAGs, e.g. placed(s, MN1="MAG1")."""
    for s in sysm.init:
        d = sysm.schema.decode(s)
        if all(d[f"att[{mn}]"] == mag for mn, mag in where.items()):
            return s
    raise AssertionError(f"no initial state with {where}")


def fire(sysm, state: bytes, rule: str, *args: str) -> bytes:
    """Apply a rule instance; fails the test when its guard is false."""
    inst = sysm.find_instance(rule, list(args))
    assert inst is not None, f"no rule {rule}{args}"
    guard, apply = compile_instance(inst)
    assert guard(state), f"guard of {rule}{args} is false"
    return apply(state)


def enabled(sysm, state: bytes, rule: str, *args: str) -> bool:
    inst = sysm.find_instance(rule, list(args))
    return inst is not None and compile_instance(inst)[0](state)


def holds(sysm, state: bytes, expr) -> bool:
    return bool(evaluate(expr, state))


def val(sysm, state: bytes, name: str) -> str:
    return sysm.schema.decode(state)[name]
