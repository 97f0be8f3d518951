"""Pictures: valid SVG naming every lifeline, byte-identical across runs, and a quiet fallback
when graphviz's `dot` is missing."""
import ast
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pmipmc.engine import render
from pmipmc.engine.trace import replay
from pmipmc.model import narrative
from pmipmc.model.wire import packets
from pmipmc.properties import provider
try:   # tests/ may or may not be a package
    from .test_msc import counterexample_record, figure3_record
except ImportError:
    from test_msc import counterexample_record, figure3_record

NO_DOT = shutil.which("dot") is None
ENGINE = Path(render.__file__).parent


def svg_text(path: Path) -> str:
    root = ET.parse(path).getroot()   # raises if the SVG is not well-formed XML
    return " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))


def render_into(d: Path, record, **kw):
    return render.render_trace(record, narrative, d, stem="trace", json_ref="trace.json", cites="§4.2 step 9",
                               statement="claim", states=42, system=provider.build("tiny", "draft"), **kw)


@pytest.mark.skipif(NO_DOT, reason="graphviz dot not installed")
def test_every_svg_parses_and_names_every_lifeline(tmp_path):
    rec = counterexample_record()
    paths = render_into(tmp_path, rec, state_graph=True)
    svgs = [p for p in paths if p.suffix == ".svg"]
    assert {p.name for p in svgs} == {"trace.msc.svg", "trace.topology.svg", "trace.states.svg"}
    for p in svgs:
        svg_text(p)
    system = provider.build("tiny", "draft")
    for p in (tmp_path / "trace.msc.svg", tmp_path / "trace.topology.svg"):
        text = svg_text(p)
        for lane in narrative.lifelines(system, system.schema.encode(rec.init)):
            assert lane in text, f"{p.name} does not name {lane}"
    assert render.RED.lower() in (tmp_path / "trace.topology.svg").read_text().lower()


@pytest.mark.skipif(NO_DOT, reason="graphviz dot not installed")
def test_witness_pictures_are_green_not_red(tmp_path):
    render_into(tmp_path, figure3_record())
    msc = (tmp_path / "trace.msc.svg").read_text().lower()
    assert render.GREEN.lower() in msc and render.RED.lower() not in msc


def test_output_is_identical_across_two_runs(tmp_path):
    rec = counterexample_record()
    a, b = render_into(tmp_path / "a", rec, state_graph=True), render_into(tmp_path / "b", rec, state_graph=True)
    assert [p.name for p in a] == [p.name for p in b]
    for p, q in zip(a, b):
        assert p.read_bytes() == q.read_bytes(), p.name


def test_text_counterexample_has_header_steps_and_replay(tmp_path):
    render_into(tmp_path, counterexample_record())
    text = (tmp_path / "trace.txt").read_text()
    for field in ("subscribed_listener_receives_at_quiescence", "cites:", "variant:", "preset:", "depth:",
                  "states:", "14. mag_expires_tunnel_oif(MAG2, MN2, MAG1)", "oif_tunnel[MAG2][MN2][MAG1]: 1 -> 0",
                  "pmipmc replay trace.json"):
        assert field in text
    assert str(tmp_path) not in text


def test_without_dot_sources_and_ascii_are_written_with_one_hint(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    render._note_missing_dot.cache_clear()
    rec = counterexample_record()
    paths = render_into(tmp_path / "a", rec) + render_into(tmp_path / "b", rec)
    assert not [p for p in paths if p.suffix == ".svg"]
    assert {p.name for p in paths} >= {"trace.txt", "trace.msc.txt", "trace.msc.dot", "trace.topology.dot"}
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "apt-get install graphviz" in err[0]
    render._note_missing_dot.cache_clear()


def replayed(system, rec):
    return replay(system, system.schema.encode(rec.init), [(s.rule, s.args) for s in rec.steps])


def test_state_graph_is_capped_with_a_clear_note():
    system = provider.build("tiny", "draft")
    trace = replayed(system, figure3_record())
    src, note = render.state_graph_dot(system, trace, witness=True, cap=5)
    assert src is None and "skipped" in note and "5" in note
    src, note = render.state_graph_dot(system, trace, witness=True)
    assert src is not None and "one-step branches" in note and "doublecircle" in src


def test_pcap_of_a_trace_is_written(tmp_path):
    out = tmp_path / "t.pcap"
    render_into(tmp_path, figure3_record(), pcap=out)
    data = out.read_bytes()
    assert data[:4] == bytes.fromhex("d4c3b2a1")
    system = provider.build("tiny", "draft")
    kinds = [e["kind"] for e in packets.events(system, replayed(system, figure3_record()))]
    assert kinds == ["PBU", "PBA", "MLD-REPORT-JOIN", "PBU-Q", "PBA-Q", "PIM-JOIN", "DATA", "DATA"]


def test_topology_marks_the_failing_instance_of_the_property():
    rec = counterexample_record()
    system = provider.build("tiny", "draft")
    trace = replayed(system, rec)
    found = render.findings_of(system, rec, trace)
    assert [f.names for f in found] == [{"l": "MN1", "x": "MN2"}]
    g = narrative.topology(system, trace.final, found)
    assert [n["id"] for n in g["nodes"] if n["offending"]] == ["MN1", "MN2"]
    assert g["notes"] == ["MN1 is subscribed to (MN2,G) and receives nothing"]


def test_the_rendering_engine_does_not_import_the_model():
    for name in ("msc.py", "render.py", "report.py", "junit.py"):
        tree = ast.parse((ENGINE / name).read_text())
        mods = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        mods += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [m for m in mods if "model" in m or "properties" in m], name


def test_the_pasted_program_reproduces_the_counterexample(tmp_path, capsys):
    render_into(tmp_path, counterexample_record())
    text = (tmp_path / "trace.txt").read_text()
    code = text.split("pasted into a Python session:\n\n", 1)[1]
    src = "\n".join(line[4:] for line in code.splitlines() if line.startswith("    "))
    assert src.count("system.fire(") == 14
    exec(compile(src, "pasted", "exec"), {})
    assert "MN1 is subscribed to (MN2,G) and receives nothing" in capsys.readouterr().out


def test_generated_code_is_commented_and_shows_in_tracebacks():
    import linecache
    system = provider.build("tiny", "draft")
    succ = system.successors_flagged()
    lines = linecache.getlines(succ.__code__.co_filename)
    assert lines[0].startswith("def successors(s):")
    assert any("# mag_sends_pbu_q(MAG1, MN1, MN2)  [§4.2 step 2" in line for line in lines)
    assert any(line.rstrip().endswith("# pbu_q[MAG1][MN2]") for line in lines)
