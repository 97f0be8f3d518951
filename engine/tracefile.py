"""The trace file: a documented, versioned shape, checked before anything in it is used.

Format 1 (one JSON object, UTF-8):

    version    1                                   the format of this file
    preset     string                              bounds preset the trace was found under
    variant    string                              model variant
    property   string                              property name in the catalogue
    kind       "invariant" | "quiescent" | "step" | "reachable" | "progress"
                                                   must agree with the catalogue (never trusted)
    engine     string                              the engine that found it (information only)
    cites      string (optional)                   the property's citation: must be the catalogue's
    statement  string (optional)                   the property's claim: must be the catalogue's
    states     integer or null (optional)          states explored by the run (information only)
    overrides  {bound name: integer or boolean}    bounds changed from the preset
    init       {state variable: value label}       the complete initial state
    steps      [{rule: string, args: [string], cites: string, env: boolean,
                 delta: [[state variable, before, after]]}]
    loop_from  integer or null (optional)          progress only: the steps after this many form a
                                                   cycle of protocol steps (the state after
                                                   `loop_from` steps equals the final state up to
                                                   symmetry); null or absent: a dead end

Everything but the shape is re-derived by replay (engine/verify.py): the initial state must be
an initial state of the model, each step is re-executed, and its delta, cites and env flag must
equal the model's; for progress, the final state must be unable to settle and a `loop_from`
must really close a cycle of protocol steps.  A shape error is one line naming the field, e.g. `steps[2].args[0]`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .api import Kind
from .errors import BadInput
from .results import TRACE_FORMAT as FORMAT_VERSION
from .results import StepRecord, TraceRecord

MAX_BYTES = 64 << 20   # a trace is a few kilobytes; refuse to read a disk image by mistake


class TraceShapeError(BadInput):
    pass


def _is(value: Any, kind: type) -> bool:
    # bool is an int in Python: JSON true must not pass as a number, nor 1 as a boolean
    if kind is bool:
        return isinstance(value, bool)
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def _type(where: str, value: Any, kind: type, noun: str) -> Any:
    if not _is(value, kind):
        raise TraceShapeError(f"{where}: expected {noun}, found {_show(value)}")
    return value


def _show(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _strings(where: str, value: Any) -> list[str]:
    _type(where, value, list, "a list of strings")
    for i, v in enumerate(value):
        _type(f"{where}[{i}]", v, str, "a string")
    return value


def _step(where: str, d: Any) -> StepRecord:
    _type(where, d, dict, "an object")
    _fields(where, d, {"rule", "args", "cites", "env", "delta"})
    delta = _type(f"{where}.delta", d["delta"], list, "a list of [variable, before, after]")
    for i, row in enumerate(delta):
        _strings(f"{where}.delta[{i}]", row)
        if len(row) != 3:
            raise TraceShapeError(f"{where}.delta[{i}]: expected [variable, before, after], found {_show(row)}")
    return StepRecord(_type(f"{where}.rule", d["rule"], str, "a string"), _strings(f"{where}.args", d["args"]),
                      _type(f"{where}.cites", d["cites"], str, "a string"),
                      _type(f"{where}.env", d["env"], bool, "true or false"), [list(r) for r in delta])


def _fields(where: str, d: dict, required: set[str], optional: frozenset = frozenset()) -> None:
    missing = sorted(required - set(d))
    if missing:
        raise TraceShapeError(f"{where + '.' if where else ''}{missing[0]}: missing")
    extra = sorted(set(d) - required - optional)
    if extra:
        raise TraceShapeError(f"{where + '.' if where else ''}{extra[0]}: "
                              f"not a field of a format-{FORMAT_VERSION} trace")


def parse(d: Any) -> TraceRecord:
    """A TraceRecord from decoded JSON, or TraceShapeError naming the first bad field."""
    _type("trace", d, dict, "a JSON object")
    if "version" not in d:
        raise TraceShapeError(f"version: missing (this file predates trace format {FORMAT_VERSION}; "
                              "re-run pmipmc check to write it again)")
    if d["version"] != FORMAT_VERSION or isinstance(d["version"], bool):
        raise TraceShapeError(f"version: this pmipmc reads trace format {FORMAT_VERSION}, not {_show(d['version'])}")
    _fields("", d, {"version", "preset", "variant", "property", "kind", "init", "steps"},
            frozenset({"engine", "overrides", "cites", "statement", "states", "loop_from"}))
    for name in ("preset", "variant", "property", "kind"):
        _type(name, d[name], str, "a string")
    kinds = [k.value for k in Kind]
    if d["kind"] not in kinds:
        raise TraceShapeError(f"kind: expected one of {', '.join(kinds)}, found {_show(d['kind'])}")
    engine = _type("engine", d.get("engine", "explicit"), str, "a string")
    overrides = _type("overrides", d.get("overrides", {}), dict, "an object")
    for k, v in overrides.items():
        if not isinstance(v, int):   # bounds are whole numbers and switches (bool is an int)
            raise TraceShapeError(f"overrides.{k}: expected an integer or a boolean, found {_show(v)}")
    init = _type("init", d["init"], dict, "an object mapping state variables to values")
    for k, v in init.items():
        _type(f"init.{k}", v, str, "a string")
    steps = [_step(f"steps[{i}]", s) for i, s in enumerate(_type("steps", d["steps"], list, "a list"))]
    cites = _type("cites", d.get("cites", ""), str, "a string")
    statement = _type("statement", d.get("statement", ""), str, "a string")
    states = d.get("states")
    if states is not None:
        _type("states", states, int, "a whole number or null")
    loop_from = d.get("loop_from")
    if loop_from is not None:
        _type("loop_from", loop_from, int, "a whole number or null")
        if not 0 <= loop_from < len(steps):
            raise TraceShapeError(f"loop_from: expected a step count below {len(steps)}, found {_show(loop_from)}")
    return TraceRecord(d["preset"], d["variant"], d["property"], d["kind"], dict(init), steps, engine,
                       dict(overrides), cites, statement, states, loop_from)


def load(path: Path) -> TraceRecord:
    """Read and shape-check a trace file; every failure is one BadInput line."""
    if not path.exists():
        raise BadInput(f"no such trace file: {path}")
    if not path.is_file():
        raise BadInput(f"{path}: not a trace file (a directory or device)")
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise BadInput(f"cannot read {path}: {e.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise BadInput(f"{path}: larger than {MAX_BYTES >> 20} MB, not a trace file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadInput(f"{path.name}: not UTF-8 text (byte {e.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise BadInput(f"{path.name}: not valid JSON: {e.msg} at line {e.lineno}") from None
    except RecursionError:
        raise BadInput(f"{path.name}: JSON nested too deeply to be a trace") from None
    try:
        return parse(data)
    except TraceShapeError as e:
        raise TraceShapeError(f"malformed trace file {path.name}: {e}") from None
