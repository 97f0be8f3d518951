"""Expressions to C: the model-specific half of the native engine's source.

Everything here is derived from the same IR and the same guard dispatch (`compile.guard_groups`)
the Python engine compiles, so both engines emit successors in the same order and number states
alike.  Rule instances become grouped straight-line code; symmetry becomes tables (slot sources
and value maps per group element) that the hand-written runtime walks lazily.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..api import PropertyDef, RuleInstance, System
from ..compile import _shared, guard_groups, render
from ..expr import Expr
from ..symmetry import _value_map, group_elements

MAX_PER_KIND = 64   # property sets travel as one 64-bit mask per kind


class GenError(ValueError):
    pass


@dataclass(frozen=True)
class Layout:
    """Which property sits at which index of the C tables, by kind."""
    state: tuple[tuple[str, bool], ...]   # (name, wanted): invariants want 0, reachables want 1
    quiet: tuple[str, ...]
    step: tuple[str, ...]
    progress: tuple[str, ...] = ()   # decided after the search, on the kept protocol edges


# C's && and || yield 0/1, as the issue asks of boolean operators
C = {"eq": "({0} == {1})", "not": "(!{0})", "and": " && ", "or": " || ",
     "ite": "({0} ? {1} : {2})", "add": "({0} + {1})", "le": "({0} <= {1})"}


def c_expr(e: Expr, temps: dict | None = None) -> str:
    return render(e, C, temps)


def _function(name: str, params: str, e: Expr) -> str:
    temps: dict = {}
    lines = [f"static int {name}({params}) {{"]
    for i, sub in enumerate(_shared([e])):
        code = c_expr(sub, temps)
        temps[sub.key()] = f"c{i}"
        lines.append(f"  const int c{i} = {code};")
    lines.append(f"  return ({c_expr(e, temps)}) != 0;")
    lines.append("}")
    return "\n".join(lines)


def _instance(inst: RuleInstance, rest: Sequence[Expr], sizes: list[int], ind: str, out: list[str]) -> None:
    if rest:
        out.append(f"{ind}if ({' && '.join(c_expr(p) for p in rest)}) {{")
    else:
        out.append(f"{ind}{{")
    out.append(f"{ind}  memcpy(n, s, NSLOTS);")
    for slot, val in inst.updates:
        out.append(f"{ind}  ST({inst.index}, {slot}, {sizes[slot]}, {c_expr(val)});")
    out.append(f"{ind}  if (emit(w, {inst.index}, n, {int(inst.env)})) return;")
    out.append(f"{ind}}}")


def successors_source(instances: Sequence[RuleInstance], sizes: list[int]) -> str:
    plan, loose = guard_groups(instances)
    out = ["static void successors(const uint8_t *s, struct worker *w) {",
           "  uint8_t n[NSLOTS]; int x, v; (void)x; (void)v;"]
    for slot, equal, truthy in plan:
        out.append(f"  v = s[{slot}];")
        if equal:
            out.append("  switch (v) {")
            for value, members in equal:
                out.append(f"  case {value}:")
                for inst, rest in members:
                    _instance(inst, rest, sizes, "    ", out)
                out.append("    break;")
            out.append("  }")
        if truthy:
            out.append("  if (v) {")
            for inst, rest in truthy:
                _instance(inst, rest, sizes, "    ", out)
            out.append("  }")
    for inst, rest in loose:
        _instance(inst, rest, sizes, "  ", out)
    out.append("}")
    return "\n".join(out)


def _widths(sizes: list[int]) -> list[int]:
    return [(n - 1).bit_length() for n in sizes]


def packing_source(sizes: list[int]) -> tuple[str, int]:
    """pack/unpack at each slot's bit width; a slot never straddles two 64-bit words."""
    place, word, off = [], 0, 0
    for w in _widths(sizes):
        if off + w > 64:
            word, off = word + 1, 0
        place.append((word, off, w))
        off += w
    nwords = word + 1
    pk = ["static inline void pack(const uint8_t *s, uint64_t *p) {", f"  memset(p, 0, {nwords * 8});"]
    up = ["static inline void unpack(const uint64_t *p, uint8_t *s) {"]
    for slot, (wd, off, w) in enumerate(place):
        if w == 0:
            up.append(f"  s[{slot}] = 0;")
            continue
        pk.append(f"  p[{wd}] |= (uint64_t)s[{slot}] << {off};")
        up.append(f"  s[{slot}] = (uint8_t)((p[{wd}] >> {off}) & {(1 << w) - 1}u);")
    return "\n".join(pk + ["}"] + up + ["}"]), nwords


def symmetry_source(system: System) -> str:
    """Per non-identity group element: the old slot each new slot reads, and its value map."""
    sc = system.schema
    maps: list[tuple[int, ...]] = [()]   # map 0 is the identity
    srcs, vms = [], []
    for g in group_elements(sc):
        if all(p == tuple(range(len(p))) for p in g.values()):
            continue
        target = [0] * sc.nslots
        for old in range(sc.nslots):
            arr, idx = sc.slot_array(old)
            new_idx = tuple(g.get(s.name, range(len(s)))[i] for s, i in zip(arr.index, idx))
            target[arr.slot(*new_idx)] = old
        ids = []
        for old in target:
            vm = _value_map(sc, old, g) or ()
            if vm not in maps:
                maps.append(vm)
            ids.append(maps.index(vm))
        srcs.append(target)
        vms.append(ids)
    maxdom = max(sc.slot_domain(i).size for i in range(sc.nslots))
    rows = [", ".join(str(m[v] if v < len(m) else v) for v in range(maxdom)) for m in maps]
    out = [f"#define NPERM {len(srcs)}", f"#define MAXDOM {maxdom}",
           f"static const uint8_t VMAP[{len(maps)}][MAXDOM] = {{" + ", ".join("{" + r + "}" for r in rows) + "};"]
    if srcs:
        out.append(f"static const uint16_t PSRC[NPERM][NSLOTS] = {{"
                   + ",\n".join("{" + ",".join(map(str, t)) + "}" for t in srcs) + "};")
        out.append(f"static const uint8_t PVM[NPERM][NSLOTS] = {{"
                   + ",\n".join("{" + ",".join(map(str, t)) + "}" for t in vms) + "};")
    else:
        out += ["static const uint16_t PSRC[1][NSLOTS] = {{0}};", "static const uint8_t PVM[1][NSLOTS] = {{0}};"]
    return "\n".join(out)


def properties_source(system: System, props: Sequence[PropertyDef]) -> tuple[str, Layout]:
    state, quiet, step, prog, funcs = [], [], [], [], []
    for p in props:
        e = system.prop_expr(p)
        if p.kind == "progress":   # the settled-state predicate; quiet comes from the edges
            name = f"P_prog{len(prog)}"
            prog.append((p.name, name))
            funcs.append(_function(name, "const uint8_t *s", e))
        elif p.kind in ("invariant", "reachable"):
            name = f"P_state{len(state)}"
            state.append((p.name, p.kind == "reachable", name))
            funcs.append(_function(name, "const uint8_t *s", e))
        elif p.kind == "quiescent":
            name = f"P_quiet{len(quiet)}"
            quiet.append((p.name, name))
            funcs.append(_function(name, "const uint8_t *s", e))
        elif p.kind == "step":
            name = f"P_step{len(step)}"
            step.append((p.name, name))
            funcs.append(_function(name, "const uint8_t *s, const uint8_t *t", e))
        else:
            raise GenError(f"{p.name}: unknown property kind {p.kind}")
    for kind, items in (("state", state), ("quiescent", quiet), ("step", step), ("progress", prog)):
        if len(items) > MAX_PER_KIND:
            raise GenError(f"{len(items)} {kind} properties; the native engine handles at most {MAX_PER_KIND}")

    def fn_table(name: str, params: str, entries: list[str]) -> str:
        return f"static int (*const {name}[])({params}) = {{{', '.join(entries or ['0'])}}};"
    out = funcs + [
        f"#define NSTATEP {len(state)}", f"#define NQUIETP {len(quiet)}", f"#define NSTEPP {len(step)}",
        fn_table("STATEP", "const uint8_t *", [f for _, _, f in state]),
        f"static const uint8_t STATEP_WANT[] = {{{', '.join([str(int(w)) for _, w, _ in state] or ['0'])}}};",
        fn_table("QUIETP", "const uint8_t *", [f for _, f in quiet]),
        fn_table("STEPP", "const uint8_t *, const uint8_t *", [f for _, f in step]),
        f"#define NPROGP {len(prog)}",
        fn_table("PROGP", "const uint8_t *", [f for _, f in prog]),
    ]
    layout = Layout(tuple((n, w) for n, w, _ in state), tuple(n for n, _ in quiet), tuple(n for n, _ in step),
                    tuple(n for n, _ in prog))
    return "\n".join(out), layout


def coverage_source(system: System) -> str:
    """Rule instance -> rule, numbered as engine/coverage.py numbers them (its counts are merged there)."""
    from ..coverage import Coverage
    cov = Coverage(system)
    kind = "uint16_t" if len(cov.names) < 65536 else "uint32_t"
    rows = ",".join(map(str, cov.rule_of)) or "0"
    return f"#define NRULENAMES {len(cov.names)}\nstatic const {kind} RULE_OF[] = {{{rows}}};"


def generate(system: System, por=None) -> tuple[str, Layout]:
    """The model half of the C source (every property compiled; runs pick theirs by mask);
    `por`: engine/por.py's tables for the checked properties, when the run reduces."""
    from .gen_por import por_source
    sc = system.schema
    if sc.nslots >= 65536:
        raise GenError(f"{sc.nslots} slots; the native engine handles fewer than 65536")
    sizes = [sc.slot_domain(i).size for i in range(sc.nslots)]
    pack, nwords = packing_source(sizes)
    props, layout = properties_source(system, system.properties)
    via = "uint16_t" if len(system.rules) < 65535 else "uint32_t"
    head = [
        "/* generated by pmipmc.engine.native.gen from the model's expression IR: do not edit */",
        "#include <stdint.h>", "#include <string.h>",
        f"#define NSLOTS {sc.nslots}", f"#define NWORDS {nwords}", f"#define NRULES {len(system.rules)}",
        f"typedef {via} via_t;",
        "struct worker;",
        "static int emit(struct worker *w, int k, const uint8_t *n, int env);",
        "static void range_error(struct worker *w, int k, int slot, int value);",
        # every stored value is checked against its slot's domain: an escape is a model bug, not a state
        "#define ST(K, SLOT, SIZE, E) do { x = (E); if ((unsigned)x >= (SIZE)) "
        "{ range_error(w, K, SLOT, x); return; } n[SLOT] = (uint8_t)x; } while (0)",
    ]
    parts = head + [coverage_source(system), por_source(por), pack, symmetry_source(system), props, successors_source(system.rules, sizes)]
    return "\n".join(parts) + "\n", layout
