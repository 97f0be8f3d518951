"""Partial-order reduction tables to C: engine/por.py's `PorTables`, emitted as static arrays.

The tables (dependence, guard conjuncts, necessary enabling sets, visibility) are computed once
by engine/por.py from the IR and the checked properties; the guard conjuncts become C predicates.
por.c walks them per state exactly as `AmpleSets` does, so both engines pick the same ample sets.
"""
from __future__ import annotations

from ..por import PorTables
from .gen import _function


def _ints(name: str, kind: str, values) -> str:
    return f"static const {kind} {name}[] = {{{','.join(map(str, values)) or '0'}}};"


def por_source(t: PorTables | None) -> str:
    if t is None:
        return "#define POR 0"
    funcs = [_function(f"P_conj{i}", "const uint8_t *s", c) for i, c in enumerate(t.conjuncts)]
    return "\n".join(["#define POR 1", *funcs,
                      f"static int (*const CONJ[])(const uint8_t *) = {{{', '.join(f'P_conj{i}' for i in range(len(funcs))) or '0'}}};",
                      _ints("DEP_START", "uint32_t", t.dep_start), _ints("DEP", "uint32_t", t.dep),
                      _ints("CONJ_START", "uint32_t", t.conj_start),
                      _ints("NES_START", "uint32_t", t.nes_start), _ints("NES", "uint32_t", t.nes),
                      _ints("VISIBLE", "uint8_t", t.visible), _ints("PROTOCOL", "uint8_t", t.protocol),
                      f"#define KEEP_PROTOCOL {int(t.keep_protocol)}"])
