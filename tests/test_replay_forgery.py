"""A forged trace is never confirmed: replay rejects it, or it is a genuine counterexample.

Saved traces are mutated (steps dropped, swapped, duplicated; init, delta, cites, env, kind,
args, rule, property, variant and preset edited) and replayed through the CLI.  Whenever replay
says "reproduced", the test re-derives the claim on its own: the initial state is an initial
state of the model up to symmetry, every step fires with a true guard, the catalogue's property
is violated (or witnessed) at the end, and for tiny the explorer itself reports it.
"""
from __future__ import annotations

import copy
import functools
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmipmc.engine.api import Kind
from pmipmc.engine.check import run_explicit
from pmipmc.engine.cli import run
from pmipmc.engine.compile import evaluate
from pmipmc.engine.results import has_trace
from pmipmc.engine.symmetry import canonicaliser
from pmipmc.properties import provider

from .helpers import enabled, fire
from .tiers import examples

BASES = ("draft", "repaired", "fix-teardown")
PRESETS = ("tiny", "ci", "mobility")


@functools.cache
def saved(variant: str) -> tuple[str, ...]:
    run_ = run_explicit(provider.build("tiny", variant), "tiny", variant)
    return tuple(json.dumps(r.trace.to_json()) for r in run_.results if r.trace is not None)


@functools.cache
def explorer_finds(preset: str, variant: str, prop: str) -> bool:
    res = run_explicit(provider.build(preset, variant), preset, variant, {prop}).results[0]
    return has_trace(res.verdict)


def genuine(d: dict) -> bool:
    """The test's own re-derivation of a trace's claim, independent of engine/verify.py."""
    s = provider.build(d["preset"], d["variant"], **d.get("overrides", {}))
    prop = next(p for p in s.properties if p.name == d["property"])
    canon = canonicaliser(s.schema, True)
    cur = s.schema.encode(d["init"])
    assert canon(cur) in {canon(i) for i in s.init}
    assert d["kind"] == prop.kind
    states = [cur]
    for step in d["steps"]:
        states.append(fire(s, states[-1], step["rule"], *step["args"]))
        inst = s.find_instance(step["rule"], step["args"])
        assert (step["cites"], step["env"]) == (inst.rule.cites, inst.env)
        assert step["delta"] == [list(x) for x in s.schema.delta(states[-2], states[-1])]
    expr = s.prop_expr(prop)
    final = states[-1]
    if prop.kind == "reachable":
        ok = bool(evaluate(expr, final))
    elif prop.kind == "step":
        ok = len(states) > 1 and not evaluate(expr, states[-2], final)
    elif prop.kind == "quiescent":
        quiet = not any(enabled(s, final, r.rule.name, *s.args_text(r)) for r in s.rules if not r.env)
        ok = quiet and not evaluate(expr, final)
    else:
        ok = not evaluate(expr, final)
    if d["preset"] == "tiny":
        assert explorer_finds(d["preset"], d["variant"], prop.name)
    return ok


def _mutate(data, d: dict) -> None:
    steps = d["steps"]
    ops = ["init", "kind", "variant", "preset", "property"]
    if steps:
        ops += ["drop", "dup", "delta", "cites", "env", "args", "rule", "splice"]
    if len(steps) > 1:
        ops.append("swap")
    op = data.draw(st.sampled_from(ops))
    i = data.draw(st.integers(0, max(len(steps) - 1, 0)))
    names = ["MAG1", "MAG2", "MN1", "MN2", "MAG3"]
    if op == "drop":
        del steps[i]
    elif op == "splice":   # start where step i ends: a later state passed off as initial
        for step in steps[:i + 1]:
            d["init"].update({slot: after for slot, _, after in step["delta"]})
        del steps[:i + 1]
    elif op == "dup":
        steps.insert(i, copy.deepcopy(steps[i]))
    elif op == "swap":
        j = data.draw(st.integers(0, len(steps) - 1))
        steps[i], steps[j] = steps[j], steps[i]
    elif op == "init":
        slot = data.draw(st.sampled_from(sorted(d["init"])))
        d["init"][slot] = data.draw(st.sampled_from(["0", "1", "none", "MAG1", "MAG2", "detached", "idle"]))
    elif op == "delta":
        delta = steps[i]["delta"]
        how = data.draw(st.sampled_from(["drop", "edit", "add"] if delta else ["add"]))
        if how == "drop":
            del delta[data.draw(st.integers(0, len(delta) - 1))]
        elif how == "edit":
            row = delta[data.draw(st.integers(0, len(delta) - 1))]
            row[data.draw(st.integers(1, 2))] = data.draw(st.sampled_from(["0", "1", "none", "MAG1", "MAG2"]))
        else:
            slot = data.draw(st.sampled_from(sorted(d["init"])))
            delta.append([slot, "0", "1"])
    elif op == "cites":
        steps[i]["cites"] = data.draw(st.sampled_from(["", "§4.2 step 9", steps[-1]["cites"]]))
    elif op == "env":
        steps[i]["env"] = not steps[i]["env"]
    elif op == "args":
        if steps[i]["args"]:
            j = data.draw(st.integers(0, len(steps[i]["args"]) - 1))
            steps[i]["args"][j] = data.draw(st.sampled_from(names))
    elif op == "rule":
        steps[i]["rule"] = data.draw(st.sampled_from([s["rule"] for s in steps] + ["no_such_rule"]))
    elif op == "kind":
        d["kind"] = data.draw(st.sampled_from([k.value for k in Kind]))
    elif op == "variant":
        d["variant"] = data.draw(st.sampled_from(provider.variant_names()))
    elif op == "preset":
        d["preset"] = data.draw(st.sampled_from(PRESETS))
    else:
        d["property"] = data.draw(st.sampled_from([p["name"] for p in provider.properties()]))


@settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_replay_never_confirms_a_forged_trace(data, capsys, tmp_path):
    base = data.draw(st.sampled_from(BASES))
    d = json.loads(data.draw(st.sampled_from(saved(base))))
    for _ in range(data.draw(st.integers(1, 3))):
        _mutate(data, d)
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(d))
    code = run(provider, ["replay", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if code == 0:
        assert out.startswith("reproduced") and genuine(d), d
    elif code == 1:
        assert out.startswith("NOT REPRODUCED") and not err
    else:
        assert code == 2 and err.count("\n") == 1 and err.startswith("pmipmc: error: ")


def test_the_issue_forgeries_are_rejected(capsys, tmp_path):
    d = json.loads(next(t for t in saved("draft") if '"no_tunnel_removed_under_an_iif"' in t))
    w = json.loads(next(t for t in saved("draft") if '"data_flows_over_a_mag_tunnel"' in t))
    final = dict(d["init"])
    for step in d["steps"]:
        final.update({slot: after for slot, _, after in step["delta"]})
    forged = {"end as start": {**d, "init": final, "steps": [], "variant": "repaired"},
              "kind": {**w, "kind": "invariant"}}
    for field in ("delta", "cites", "env"):
        x = copy.deepcopy(d)
        x["steps"][0][field] = {"delta": [], "cites": "§9", "env": not d["steps"][0]["env"]}[field]
        forged[field] = x
    for name, x in forged.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(x))
        for argv in (["replay", str(path)], ["render", str(path), "--out", str(tmp_path / "pics")]):
            assert run(provider, argv) == 2, (name, argv)
            out, err = capsys.readouterr()
            assert "NOT REPRODUCED" in err and err.count("\n") == 1, name
    assert not (tmp_path / "pics").exists()
