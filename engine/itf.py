"""Traces in the Informal Trace Format (Apalache ADR-015), so ITF tools can read our counterexamples.

One ITF state per trace state.  A schema array `iif` indexed by MAG and MN becomes one ITF
variable holding nested maps (`{"#map": [["MAG1", {"#map": [["MN2", "none"], ...]}], ...]}`);
an unindexed slot is a plain value.  Which slots make up an array, and under which index
elements, comes from the schema the trace ran on, never from parsing slot names.  A label made of digits is an integer (`{"#bigint": "3"}`),
every other label a string.  The rule that led to a state is the variable `mbt::actionTaken`
(`"init"` for the first state, as Quint does) and its arguments `mbt::nondetPicks`, a record of
`arg1`, `arg2`, ...; each state's `#meta` carries the rule's cites and whether it is an
environment event.  Reading back needs no schema: `from_itf(to_itf(r)) == r`.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .results import StepRecord, TraceRecord
from .schema import Schema

ACTION = "mbt::actionTaken"
PICKS = "mbt::nondetPicks"
FORMAT = "ITF"
_INT = re.compile(r"^(0|[1-9][0-9]*)$")


class ITFError(ValueError):
    pass


def _layout(schema: Schema) -> list[tuple[str, str, tuple[str, ...]]]:
    """(slot name, array name, index element names) for every slot, in the schema's slot order."""
    out = []
    for slot in range(schema.nslots):
        a, idx = schema.slot_array(slot)
        out.append((schema.slot_name(slot), a.name, tuple(s.elements[i] for s, i in zip(a.index, idx))))
    return out


def _value(label: str):
    return {"#bigint": label} if _INT.match(label) else label


def _label(value) -> str:
    if isinstance(value, dict) and set(value) == {"#bigint"}:
        return str(int(value["#bigint"]))
    if isinstance(value, str):
        return value
    raise ITFError(f"unexpected ITF value {value!r} for a state slot")


def _nest(layout, labels: dict[str, str]) -> dict:
    """Slot labels -> {variable: value or nested dict}, in the schema's slot order."""
    out: dict = {}
    for slot, name, idx in layout:
        label = labels[slot]
        if not idx:
            out[name] = _value(label)
            continue
        node = out.setdefault(name, {})
        for k in idx[:-1]:
            node = node.setdefault(k, {})
        node[idx[-1]] = _value(label)
    return out


def _as_map(tree):
    if isinstance(tree, dict) and "#bigint" not in tree:
        return {"#map": [[k, _as_map(v)] for k, v in tree.items()]}
    return tree


def _flatten(name: str, value, out: dict[str, str]) -> None:
    if isinstance(value, dict) and "#map" in value:
        for k, v in value["#map"]:
            _flatten(f"{name}[{k}]", v, out)
    else:
        out[name] = _label(value)


def to_itf(record: TraceRecord, schema: Schema, cites: str = "", statement: str = "") -> dict:
    """The ITF document of a trace that ran on `schema` (its preset, variant and overrides)."""
    cites, statement = cites or record.cites, statement or record.statement   # the record carries its own
    layout = _layout(schema)
    if {slot for slot, _a, _i in layout} != set(record.init):
        raise ITFError(f"the trace's state variables are not those of the schema it is written with "
                       f"({record.preset}, {record.variant})")
    labels = dict(record.init)
    frames = [dict(labels)]
    for st in record.steps:
        for slot, _before, after in st.delta:
            labels[slot] = after
        frames.append(dict(labels))
    variables = list(_nest(layout, record.init))
    states = []
    for i, frame in enumerate(frames):
        st = record.steps[i - 1] if i else None
        meta = {"index": i}
        if st is not None:
            meta.update({"cites": st.cites, "environment": st.env})
        doc = {"#meta": meta}
        doc.update({k: _as_map(v) for k, v in _nest(layout, frame).items()})
        doc[ACTION] = st.rule if st else "init"
        doc[PICKS] = {f"arg{j}": a for j, a in enumerate(st.args if st else [], 1)}
        states.append(doc)
    meta = {"format": FORMAT, "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
            "source": "pmipmc", "description": f"{record.property} ({record.kind}) in preset {record.preset}, "
                                               f"variant {record.variant}",
            "property": record.property, "kind": record.kind, "preset": record.preset,
            "variant": record.variant, "engine": record.engine, "overrides": dict(record.overrides),
            "cites": [st.cites for st in record.steps]}
    if cites:
        meta["property-cites"] = cites
    if statement:
        meta["statement"] = statement
    if record.states is not None:
        meta["states-explored"] = record.states
    return {"#meta": meta, "vars": variables + [ACTION, PICKS], "states": states}


def from_itf(doc: dict) -> TraceRecord:
    """The TraceRecord an ITF document of ours describes (deltas recomputed from consecutive states)."""
    try:
        meta, names, states = doc["#meta"], doc["vars"], doc["states"]
        model_vars = [v for v in names if v not in (ACTION, PICKS)]
        frames = []
        for st in states:
            flat: dict[str, str] = {}
            for v in model_vars:
                _flatten(v, st[v], flat)
            frames.append(flat)
        steps = []
        for prev, cur, st in zip(frames, frames[1:], states[1:]):
            picks = st[PICKS]
            args = [picks[f"arg{j}"] for j in range(1, len(picks) + 1)]
            delta = [[k, prev[k], cur[k]] for k in cur if prev[k] != cur[k]]
            steps.append(StepRecord(st[ACTION], args, st["#meta"]["cites"], st["#meta"]["environment"], delta))
        return TraceRecord(meta["preset"], meta["variant"], meta["property"], meta["kind"], frames[0], steps,
                           meta.get("engine", "explicit"), dict(meta.get("overrides", {})),
                           str(meta.get("property-cites", "")), str(meta.get("statement", "")),
                           meta.get("states-explored"))
    except (KeyError, TypeError, IndexError, AttributeError) as e:
        raise ITFError(f"not an ITF trace of pmipmc: {e!r}") from None


def write_itf(record: TraceRecord, schema: Schema, path: Path, cites: str = "", statement: str = "") -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(to_itf(record, schema, cites, statement), indent=1) + "\n")
    tmp.replace(path)
    return path
