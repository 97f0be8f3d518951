"""ITF traces (Apalache ADR-015) validate against the ADR's format and read back into the same trace."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmipmc.engine.itf import ACTION, ITFError, _as_map, _nest, from_itf, to_itf
from pmipmc.engine.results import StepRecord, TraceRecord
from pmipmc.engine.schema import Schema, enum
from pmipmc.engine.check import run_explicit
from pmipmc.engine.report import write_traces
from pmipmc.properties import provider

from .tiers import examples

jsonschema = pytest.importorskip("jsonschema")

# ADR-015 written as a JSON schema: a trace object with `vars` and `states`, optional `#meta`,
# `params` and `loop`; a value is a bool, a string, a safe integer, {"#bigint": digits}, a list,
# a tuple/set/map/unserializable wrapper, or a record of values.
ITF_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {
        # the branches exclude one another, so anyOf means what the ADR's oneOf means; anyOf stops at
        # the first match (the commonest first), which makes validating a whole trace fast
        "value": {"anyOf": [
            {"type": "string"},
            {"type": "object", "required": ["#map"], "additionalProperties": False,
             "properties": {"#map": {"type": "array", "items": {
                 "type": "array", "minItems": 2, "maxItems": 2, "items": {"$ref": "#/$defs/value"}}}}},
            {"type": "object", "required": ["#bigint"], "additionalProperties": False,
             "properties": {"#bigint": {"type": "string", "pattern": "^-?[0-9]+$"}}},
            {"type": "boolean"},
            {"type": "integer", "minimum": -(2 ** 53) + 1, "maximum": 2 ** 53 - 1},
            {"type": "array", "items": {"$ref": "#/$defs/value"}},
            {"type": "object", "required": ["#tup"], "additionalProperties": False,
             "properties": {"#tup": {"type": "array", "items": {"$ref": "#/$defs/value"}}}},
            {"type": "object", "required": ["#set"], "additionalProperties": False,
             "properties": {"#set": {"type": "array", "items": {"$ref": "#/$defs/value"}}}},
            {"type": "object", "required": ["#unserializable"], "additionalProperties": False,
             "properties": {"#unserializable": {"type": "string"}}},
            {"type": "object", "not": {"anyOf": [{"required": [k]} for k in
                                                 ("#bigint", "#tup", "#set", "#map", "#unserializable")]},
             "additionalProperties": {"$ref": "#/$defs/value"}},
        ]},
        "state": {"type": "object", "properties": {"#meta": {"type": "object"}},
                  "additionalProperties": {"$ref": "#/$defs/value"}},
    },
    "type": "object",
    "required": ["vars", "states"],
    "properties": {
        "#meta": {"type": "object"},
        "params": {"type": "array", "items": {"type": "string"}},
        "vars": {"type": "array", "items": {"type": "string"}},
        "states": {"type": "array", "items": {"$ref": "#/$defs/state"}},
        "loop": {"type": "integer", "minimum": 0},
    },
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def runs():
    return [run_explicit(provider.build("tiny", v), "tiny", v) for v in ("draft", "legacy-lma")]


_VALIDATOR = jsonschema.Draft202012Validator(ITF_SCHEMA)   # checked and compiled once


def _valid(doc: dict) -> None:
    _VALIDATOR.validate(doc)
    for i, state in enumerate(doc["states"]):   # every state binds exactly the declared variables
        assert set(state) - {"#meta"} == set(doc["vars"]), f"state {i}"


def test_the_schema_rejects_what_adr_015_forbids():
    bad = {"vars": ["x"], "states": [{"x": {"#bigint": "1", "extra": 2}}]}
    with pytest.raises(jsonschema.ValidationError):
        _valid(bad)
    with pytest.raises(jsonschema.ValidationError):
        _valid({"vars": ["x"], "states": [{"x": 1.5}]})
    with pytest.raises(jsonschema.ValidationError):   # two wrappers in one object is no value at all
        _valid({"vars": ["x"], "states": [{"x": {"#map": [], "#set": []}}]})


def test_every_saved_trace_of_a_run_has_a_valid_itf_twin_that_reads_back(runs, tmp_path):
    write_traces(runs, tmp_path, narrator=None, pictures=False,
                 system_for=lambda p, v, o: provider.build(p, v, **o))
    plain = sorted(p for p in tmp_path.rglob("*.json") if not p.name.endswith(".itf.json"))
    assert plain
    for n, path in enumerate(plain):
        twin = path.with_name(path.stem + ".itf.json")
        doc = json.loads(twin.read_text())
        if n % 5 == 0:   # jsonschema is slow on big documents; a sample keeps the test fast
            _valid(doc)
        rec = TraceRecord.from_json(json.loads(path.read_text()))
        assert from_itf(doc) == rec
        assert [s[ACTION] for s in doc["states"]] == ["init"] + [s.rule for s in rec.steps]
        assert doc["#meta"]["cites"] == [s.cites for s in rec.steps]


def _schema(arrays: list[tuple[str, list[str]]]) -> Schema:
    """A schema whose array `name` is indexed by one single-element sort per index element."""
    sc = Schema()
    for name, idx in arrays:
        sc.array(name, enum("0"), *(sc.sort(f"{name}{k}", [e]) for k, e in enumerate(idx)))
    return sc


def test_indexed_slots_become_nested_maps_and_digits_bigints():
    rec = TraceRecord("p", "v", "prop", "invariant", {"n": "0", "a[X]": "none", "b[X][Y]": "1"},
                      [StepRecord("r", ["X"], "§4.2 step 1", False, [["b[X][Y]", "1", "2"]])])
    doc = to_itf(rec, _schema([("n", []), ("a", ["X"]), ("b", ["X", "Y"])]))
    s1 = doc["states"][1]
    assert s1["n"] == {"#bigint": "0"}
    assert s1["a"] == {"#map": [["X", "none"]]}
    assert s1["b"] == {"#map": [["X", {"#map": [["Y", {"#bigint": "2"}]]}]]}
    assert s1["#meta"] == {"index": 1, "cites": "§4.2 step 1", "environment": False}


def test_a_document_that_is_not_ours_is_refused():
    with pytest.raises(ITFError):
        from_itf({"vars": ["x"], "states": [{"x": 1}]})


_name = st.from_regex(r"[a-z][a-z_]{0,5}", fullmatch=True)
_elem = st.from_regex(r"[A-Z]{2,3}[0-9]", fullmatch=True)
_label = st.one_of(st.from_regex(r"(0|[1-9][0-9]{0,3})", fullmatch=True),
                   st.from_regex(r"[a-z][a-zA-Z=()0-9]{0,8}", fullmatch=True))


def _nest_by_slot_names(labels: dict[str, str]) -> dict:
    """How engine/itf.py nested before it read the schema: arrays and indices parsed out of
    `name[i][j]`; kept here as the reference its output must still equal."""
    layout = [(slot, re.match(r"^([^\[\]]+)", slot).group(1), tuple(re.findall(r"\[([^\[\]]*)\]", slot)))
              for slot in labels]
    return {k: _as_map(v) for k, v in _nest(layout, labels).items()}


def _same_as_nesting_by_slot_names(run) -> None:
    traces = [r.trace for r in run.results if r.trace is not None]
    assert traces
    for rec in traces:
        doc = to_itf(rec, provider.build(rec.preset, rec.variant, **rec.overrides).schema)
        frame = dict(rec.init)
        old_vars = list(_nest_by_slot_names(frame))
        assert doc["vars"] == old_vars + [ACTION, "mbt::nondetPicks"]
        for k, state in enumerate(doc["states"]):
            if k:
                frame.update({slot: after for slot, _b, after in rec.steps[k - 1].delta})
            assert list(state) == ["#meta", *old_vars, ACTION, "mbt::nondetPicks"]
            assert {v: state[v] for v in old_vars} == _nest_by_slot_names(frame), (rec.property, k)


def test_nesting_by_the_schema_gives_what_nesting_by_slot_names_gave_on_tiny(runs):
    for run in runs:
        _same_as_nesting_by_slot_names(run)


@pytest.mark.slow
@pytest.mark.parametrize("variant", provider.variant_names())
def test_nesting_by_the_schema_gives_what_nesting_by_slot_names_gave_on_every_variant(variant):
    _same_as_nesting_by_slot_names(run_explicit(provider.build("tiny", variant), "tiny", variant))


def test_a_trace_of_another_schema_is_refused():
    rec = TraceRecord("p", "v", "prop", "invariant", {"n": "0", "a[X]": "none"}, [])
    with pytest.raises(ITFError):
        to_itf(rec, _schema([("n", []), ("a", ["Y"])]))


@st.composite
def records(draw):
    slots = draw(st.lists(st.tuples(_name, st.lists(_elem, max_size=2)), min_size=1, max_size=6,
                          unique_by=lambda t: t[0]))
    names = [n + "".join(f"[{e}]" for e in idx) for n, idx in slots]
    init = {n: draw(_label) for n in names}
    cur, steps = dict(init), []
    for _ in range(draw(st.integers(0, 4))):
        delta = []
        for n in draw(st.lists(st.sampled_from(names), unique=True, max_size=3)):
            new = draw(_label.filter(lambda x, n=n: x != cur[n]))
            delta.append([n, cur[n], new])
            cur[n] = new
        delta.sort(key=lambda d: names.index(d[0]))
        steps.append(StepRecord(draw(_name), draw(st.lists(_elem, max_size=3)), "§4.2 step 2",
                                draw(st.booleans()), delta))
    return TraceRecord("tiny", "draft", "p", "invariant", init, steps), _schema(slots)


@settings(max_examples=examples(30), deadline=None)
@given(records())
def test_any_trace_round_trips_through_itf(drawn):
    rec, schema = drawn
    doc = to_itf(rec, schema)
    _valid(doc)
    assert from_itf(json.loads(json.dumps(doc))) == rec
