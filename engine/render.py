"""Pictures and the text counterexample of one trace, protocol-agnostic.

What the trace means comes from a *narrator* module handed in by the caller (the model's
`narrative`), so the engine never imports the model.  Colour code, everywhere: red for a
violation, green for a witness, dashed for environment events.  Without graphviz's `dot`
binary the .dot sources and ASCII charts are still written and one line says how to get SVGs;
verdicts never depend on pictures.
"""
from __future__ import annotations

import functools
import os
import shutil
import sys
from collections import deque
from pathlib import Path
from typing import Sequence

from .api import Finding, Narrator, System
from .msc import GREEN, RED, ascii_chart, dot_chart
from .results import TraceRecord
from .trace import Trace, replay

INSTALL_HINT = "note: graphviz 'dot' not found, wrote .dot sources only (SVG: apt-get install graphviz)"
STATE_GRAPH_CAP = 400
BLANK = ("0", "none", "idle")


def have_dot() -> bool:
    return shutil.which("dot") is not None


@functools.cache
def _note_missing_dot() -> None:
    # cached so a report with a hundred traces prints the hint once, not a hundred times
    print(INSTALL_HINT, file=sys.stderr)


def write_dot(src: str, path: Path) -> list[Path]:
    """Write `path` (.dot) and, if graphviz is there, the .svg beside it."""
    path.write_text(src)
    out = [path]
    if not have_dot():
        _note_missing_dot()
        return out
    import graphviz
    svg = path.with_suffix(".svg")
    svg.write_bytes(graphviz.Source(src).pipe(format="svg"))
    return out + [svg]


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\l") + '"'


def verdict_word(record: TraceRecord) -> str:
    return "WITNESSED" if record.kind == "reachable" else "VIOLATED"


def text_counterexample(record: TraceRecord, cites: str = "", statement: str = "", states: int | None = None,
                        json_ref: str | None = None, findings: Sequence[Finding] = (),
                        program: Sequence[str] = ()) -> str:
    kind = "Witness" if record.kind == "reachable" else "Counterexample"
    lines = [f"{kind}: {record.property} ({record.kind}) {verdict_word(record)}"]
    which = "found" if record.kind == "reachable" else "failing"
    head = [("claim", statement or record.statement), ("cites", cites or record.cites),
            *((which, f.text) for f in findings if f.text),
            ("variant", record.variant), ("preset", record.preset),
            ("engine", record.engine), ("depth", f"{len(record.steps)} steps"),
            ("states", f"{states} explored" if states is not None else
             (f"{record.states} explored" if record.states is not None else "")),
            ("overrides", ", ".join(f"{k}={v}" for k, v in sorted(record.overrides.items())))]
    lines += [f"  {k + ':':<10} {v}" for k, v in head if v]
    init = [f"{k}={v}" for k, v in record.init.items() if v not in BLANK]
    lines += ["", "Initial state (other slots 0/none/idle):", "  " + ", ".join(init), "", "Steps:"]
    for n, st in enumerate(record.steps, 1):
        env = "  (environment)" if st.env else ""
        lines.append(f"  {n:>2}. {st.text()}  [{st.cites}]{env}")
        lines += [f"        {slot}: {a} -> {b}" for slot, a, b in st.delta]
    lines += ["", f"Replay: pmipmc replay {json_ref or record.property + '.json'}", ""]
    if program:
        lines += ["The same, pasted into a Python session:", ""] + [f"    {line}" for line in program] + [""]
    return "\n".join(lines)


def program(system: System, record: TraceRecord) -> list[str]:
    """The trace as Python: build the System, fire the rules in order, print what decides it."""
    if not system.recipe:
        return []
    *imports, build = system.recipe
    init = {k: v for k, v in record.init.items() if v not in BLANK}
    out = [*imports, f"system = {build}", f"s = system.start({init!r})"]
    for n, st in enumerate(record.steps, 1):
        if n == len(record.steps) and record.kind == "step":
            out.append("before = s")
        out.append(f"s = system.fire(s, {', '.join(repr(x) for x in [st.rule, *st.args])})")
    last = ", before" if record.kind == "step" and record.steps else ""
    out.append(f"print(system.findings(system.property({record.property!r}), s{last}))")
    return out


def topology_dot(graph: dict, title: str, witness: bool) -> str:
    """A generic node/edge description (see narrative.topology) as an undirected DOT graph: nodes
    carry id, label, shape, an optional rank (nodes of one rank share a row) and `offending`."""
    mark = GREEN if witness else RED
    out = ["graph topology {", f"  graph [fontname=Helvetica, labelloc=t, label={_q(title)}, fontcolor={_q(mark)}];",
           "  node [fontname=Helvetica, fontsize=10]; edge [fontname=Helvetica, fontsize=9];"]
    ranks: dict[str, list[str]] = {}
    for n in graph["nodes"]:
        colour = f", color={_q(mark)}, fontcolor={_q(mark)}, penwidth=2" if n["offending"] else ""
        out.append(f"  {_q(n['id'])} [shape={n.get('shape', 'box')}, label={_q(n['label'] + chr(10))}{colour}];")
        if n.get("rank"):   # nodes the narrator puts on one row
            ranks.setdefault(n["rank"], []).append(_q(n["id"]))
    for row in ranks.values():
        out.append("  { rank=same; " + " ".join(row) + " }")
    styles = {"unicast": 'color="gray40:invis:gray40"', "tunnel": 'color="blue:invis:blue", penwidth=2',
              "half": 'color="blue", style=dashed', "attach": "color=gray60"}
    for e in graph["edges"]:
        st = styles.get(e["style"], "")
        if e["offending"]:
            st = st.replace("blue", mark).replace("gray40", mark) or f"color={_q(mark)}"
            st += f", fontcolor={_q(mark)}"
        constraint = ", constraint=false" if e["style"] in ("tunnel", "half") else ""
        out.append(f"  {_q(e['src'])} -- {_q(e['dst'])} [label={_q(e['label'])}, {st}{constraint}];")
    if graph.get("notes"):
        text = "\n".join(graph["notes"]) + "\n"
        out.append(f"  notes [shape=note, color={_q(mark)}, fontcolor={_q(mark)}, label={_q(text)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def state_graph_dot(system: System, trace: Trace, witness: bool,
                    cap: int = STATE_GRAPH_CAP) -> tuple[str | None, str]:
    """The reachable graph if it has at most `cap` states, else the trace with its one-step
    branches; (None, note) if even that is too big.  Node ids number states in BFS order."""
    succ = system.successors
    path = trace.states()
    seen: dict[bytes, int] = {}
    edges: list[tuple[int, int, int]] = []
    queue = deque(s for s in system.init)
    for s in system.init:
        seen.setdefault(s, len(seen))
    full = True
    while queue:
        s = queue.popleft()
        for k, t in succ(s):
            if t not in seen:
                if len(seen) >= cap:
                    full = False
                    break
                seen[t] = len(seen)
                queue.append(t)
            edges.append((seen[s], k, seen[t]))
        if not full:
            break
    what = f"all {len(seen)} reachable states"
    if not full:   # too big: the trace and the alternatives at each of its steps
        seen, edges = {}, []
        for s in path:
            seen.setdefault(s, len(seen))
        for s in path:
            for k, t in succ(s):
                seen.setdefault(t, len(seen))
                edges.append((seen[s], k, seen[t]))
        if len(seen) > cap:
            return None, (f"state graph skipped: more than {cap} reachable states, and the trace with its "
                          f"one-step branches has {len(seen)}")
        what = f"the trace and its one-step branches ({len(seen)} states; the full graph has more than {cap})"
    mark = GREEN if witness else RED
    on_path = {(seen[a], seen[b]) for a, b in zip(path, path[1:])}
    path_ids = {seen[s] for s in path}
    out = ["digraph states {", f"  graph [fontname=Helvetica, labelloc=t, label={_q(what)}];",
           "  node [fontname=Helvetica, fontsize=8, shape=circle, width=0.25, label=\"\"];"]
    for sid in sorted(set(seen.values())):
        if sid in path_ids:
            pos = path.index(next(s for s, i in seen.items() if i == sid))
            shape = "doublecircle" if sid == seen[path[-1]] else "circle"
            out.append(f"  s{sid} [shape={shape}, color={_q(mark)}, penwidth=2, label=\"{pos}\"];")
        else:
            out.append(f"  s{sid};")
    for a, k, b in sorted(set(edges)):
        inst = system.rules[k]
        attrs = ["style=dashed"] if inst.env else []
        if (a, b) in on_path:
            attrs += [f"color={_q(mark)}", "penwidth=2", f"label={_q(inst.rule.name)}", "fontsize=8"]
        else:
            attrs.append("color=gray70")
        out.append(f"  s{a} -> s{b} [{', '.join(attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n", what


def _relative(p: Path) -> str:
    if not p.is_absolute():
        return p.as_posix()
    try:
        return Path(os.path.relpath(p)).as_posix()
    except ValueError:
        return p.name


def findings_of(system: System, record: TraceRecord, trace: Trace) -> list[Finding]:
    """The property's clauses that decide the trace's verdict at its end (none for an ad-hoc record)."""
    prop = system.property(record.property)
    if prop is None:
        return []
    states = trace.states()
    return system.findings(prop, states[-1], states[-2] if len(states) > 1 else None)


def render_trace(record: TraceRecord, narrator: Narrator, outdir: Path, pcap: Path | None = None, *,
                 system: System, stem: str | None = None, cites: str = "", statement: str = "",
                 states: int | None = None, json_ref: str | None = None, state_graph: bool = False) -> list[Path]:
    """Write <stem>.txt, .msc.txt, .msc.dot/.svg, .topology.dot/.svg (and .states.*, the pcap).

    The record is replayed on `system` first, so every picture is drawn from re-executed states,
    never from the record's own deltas; ReplayError if it does not replay."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    stem = stem or record.property
    witness = record.kind == "reachable"
    trace = replay(system, system.schema.encode(record.init), [(s.rule, s.args) for s in record.steps])
    findings = findings_of(system, record, trace)
    json_ref = json_ref or _relative(outdir / f"{stem}.json")
    verdict = f"{verdict_word(record)}: {record.property}"
    title = f"{verdict} ({record.variant}, {record.preset})"
    written = []
    p = outdir / f"{stem}.txt"
    p.write_text(text_counterexample(record, cites, statement, states, json_ref, findings, program(system, record)))
    written.append(p)
    lanes = narrator.lifelines(system, trace.init)
    events = narrator.narrate(system, trace, findings, witness, verdict)
    p = outdir / f"{stem}.msc.txt"
    p.write_text(ascii_chart(lanes, events, title))
    written.append(p)
    written += write_dot(dot_chart(lanes, events, title, witness), outdir / f"{stem}.msc.dot")
    graph = narrator.topology(system, trace.final, findings)
    written += write_dot(topology_dot(graph, title + " - final state", witness), outdir / f"{stem}.topology.dot")
    if state_graph:
        src, note = state_graph_dot(system, trace, witness)
        if src is None:
            p = outdir / f"{stem}.states.txt"
            p.write_text(note + "\n")
            written.append(p)
        else:
            written += write_dot(src, outdir / f"{stem}.states.dot")
    if pcap is not None:
        narrator.write_pcap(system, trace, pcap)
        written.append(Path(pcap))
    return written
