"""The CLI contract CI gates rely on: exit codes, one-line errors, JSON, replay of saved traces."""
from __future__ import annotations

import json

import pytest

from pmipmc.engine.check import run_explicit
from pmipmc.engine.cli import run
from pmipmc.engine.results import TraceRecord
from pmipmc.properties import provider


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    """A command that gets as far as a real run writes reports/ in the current folder; never the repo's."""
    monkeypatch.chdir(tmp_path)


def cli(capsys, *argv):
    code = run(provider, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv,needle", [
    (["check", "--preset", "huge"], "unknown preset 'huge'"),
    (["check", "--variant", "nope"], "unknown variant 'nope'"),
    (["check", "--property", "nope"], "unknown property 'nope'"),
    (["check", "--max-states", "0"], "must be greater than zero"),
    (["check", "--max-states", "-5"], "must be greater than zero"),
    (["check", "--time-budget", "abc"], "is not a number"),
    (["check", "--engine", "symbolic", "--depth", "0"], "--depth must be greater than zero"),
    (["check", "--engine", "symbolic"], "needs --depth"),
    (["prove", "--property", "data_flows_over_a_mag_tunnel"], "reachable property"),
    (["replay", "/nonexistent/trace.json"], "no such trace file"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, needle):
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_malformed_trace_file_is_bad_input(capsys, tmp_path):
    bad = tmp_path / "t.json"
    bad.write_text('{"preset": "tiny"}')
    assert cli(capsys, "replay", str(bad))[0] == 2
    bad.write_text("{not json")
    code, _, err = cli(capsys, "replay", str(bad))
    assert code == 2 and "not valid JSON" in err


def test_check_matches_the_baseline_and_writes_json(capsys, tmp_path):
    out = tmp_path / "r.json"
    code, text, _ = cli(capsys, "check", "--preset", "tiny", "--jobs", "1", "--quiet", "--json", str(out))
    assert code == 0, text
    doc = json.loads(out.read_text())
    run0 = doc["runs"][0]
    assert {"variant", "preset", "engine", "complete", "states", "transitions", "depth", "seconds"} <= set(run0)
    res = {r["property"]: r for r in run0["results"]}
    assert res["no_tunnel_removed_under_an_iif"]["verdict"] == "VIOLATED"
    assert {"property", "kind", "cites", "statement", "verdict", "trace"} <= set(res["no_forwarding_loop"])
    step = res["no_tunnel_removed_under_an_iif"]["trace"][0]
    assert {"rule", "args", "cites", "delta"} <= set(step)


def test_new_violation_against_an_empty_baseline_exits_1(capsys, tmp_path):
    empty = tmp_path / "b.json"
    empty.write_text("{}")
    code, out, _ = cli(capsys, "check", "--preset", "tiny", "--variant", "draft", "--jobs", "1", "--quiet",
                       "--baseline", str(empty))
    assert code == 1 and "UNEXPECTED draft: no_tunnel_removed_under_an_iif" in out


def test_truncated_run_exits_3_and_is_never_a_pass(capsys):
    code, out, _ = cli(capsys, "check", "--preset", "ci", "--variant", "repaired", "--jobs", "1", "--quiet",
                       "--max-states", "500")
    assert code == 3
    assert "holds " not in out.split("states")[0]  # no property printed as holding


@pytest.mark.parametrize("variants,least", [(("draft", "legacy-lma"), 10),
                                            pytest.param((), 20, marks=pytest.mark.slow, id="every-variant")])
def test_every_violation_trace_replays(capsys, tmp_path, variants, least):
    out = tmp_path / "r.json"
    cli(capsys, "check", "--preset", "tiny", "--jobs", "1", "--quiet", "--json", str(out),
        *(a for v in variants for a in ("--variant", v)))
    doc = json.loads(out.read_text())
    count = 0
    for one in doc["runs"]:
        s = provider.build(one["preset"], one["variant"])
        # JSON results carry the steps; the trace file also needs the initial state: one run per variant
        traces = {x.property: x.trace for x in run_explicit(s, one["preset"], one["variant"]).results}
        for r in one["results"]:
            if r["trace"] is None:
                continue
            rec = traces[r["property"]]
            assert [st.rule for st in rec.steps] == [st["rule"] for st in r["trace"]]
            path = tmp_path / f"{one['variant']}-{r['property']}.json"
            path.write_text(json.dumps(rec.to_json()))
            code, text, _ = cli(capsys, "replay", str(path))
            assert code == 0 and text.startswith("reproduced"), text
            count += 1
    assert count >= least


def test_list_json_has_name_cites_doc(capsys):
    for what in ("rules", "properties", "variants", "presets"):
        code, out, _ = cli(capsys, "list", what, "--json")
        items = json.loads(out)
        assert code == 0 and items and all({"name", "cites", "doc"} <= set(i) for i in items)


def test_a_tampered_trace_is_not_reproduced(capsys, tmp_path):
    s = provider.build("tiny", "draft")
    rec = next(r.trace for r in run_explicit(s, "tiny", "draft", {"no_tunnel_removed_under_an_iif"}).results)
    data = rec.to_json()
    data["steps"] = data["steps"][:-1]   # stop before the violating step
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data))
    code, out, _ = cli(capsys, "replay", str(path))
    assert code == 1 and "NOT REPRODUCED" in out
    assert TraceRecord.from_json(data).property == "no_tunnel_removed_under_an_iif"


def test_render_of_a_saved_trace_gives_exactly_the_reports_pictures(capsys, tmp_path, monkeypatch):
    from pmipmc.engine.report import write_report
    from pmipmc.model import draft, narrative
    monkeypatch.chdir(tmp_path)
    name = "no_tunnel_removed_under_an_iif"
    run = run_explicit(provider.build("tiny", "draft"), "tiny", "draft", {name})
    write_report([run], tmp_path / "rep", narrative, draft.text(), provider.rules(), provider.properties(),
                 provider.variants(), timings=False,
                 system_for=lambda p, v, o: provider.build(p, v, **o))
    saved = tmp_path / "rep" / "traces" / "draft"
    code, out, _ = cli(capsys, "render", f"rep/traces/draft/{name}.json", "--out", "again")
    assert code == 0
    for ext in (".txt", ".msc.txt", ".msc.dot", ".topology.dot", ".states.dot"):
        assert (tmp_path / "again" / (name + ext)).read_text() == (saved / (name + ext)).read_text(), ext


def test_render_of_a_trace_that_does_not_replay_is_bad_input(capsys, tmp_path):
    run = run_explicit(provider.build("tiny", "draft"), "tiny", "draft", {"no_tunnel_removed_under_an_iif"})
    data = run.results[0].trace.to_json()
    data["steps"] = data["steps"][1:]          # drop the first step: a later guard is false
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data))
    code, _, err = cli(capsys, "render", str(path))
    assert code == 2 and "NOT REPRODUCED" in err and err.count("\n") == 1
