"""reports/index.html: a self-contained trace explorer (no server, no network).

One HTML file with the data embedded as JSON: the verdict matrix, and for every saved trace its
steps with cites, the state after each step (the page highlights what changed), which
properties hold at each state, the rule instances enabled there (the one taken marked), the
sequence chart events and a topology per state, so chart and topology follow the step.  All
meaning is computed here from the model by re-executing the trace (evidence re-derived, not
believed); the page only draws.  Output is deterministic, so `git diff reports/` stays useful.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from .api import Narrator, System
from .msc import Event
from .render import findings_of, verdict_word
from .results import RunResult, TraceRecord
from .trace import replay

# a property's state at one trace state, as the page shows it
HOLDS, VIOLATED, SEEN, UNSEEN, NA = "holds", "violated", "witnessed", "not yet", "n/a"


class _Model:
    """Compiled predicates and successors of one (preset, variant), shared by its traces."""

    def __init__(self, system: System):
        self.system = system
        self.succ = system.successors_flagged()
        self.props = [(p, system.predicate(p)) for p in system.properties]

    def status(self, prev: bytes | None, s: bytes, quiet: bool) -> list[str]:
        out = []
        for p, fn in self.props:
            if p.kind == "step":
                out.append(NA if prev is None else (HOLDS if fn(prev, s) else VIOLATED))
            elif p.kind == "reachable":
                out.append(SEEN if fn(s) else UNSEEN)
            elif p.kind == "quiescent" and not quiet:
                out.append(NA)
            else:
                out.append(HOLDS if fn(s) else VIOLATED)
        return out


def _event(e: Event) -> dict:
    return {"step": e.step, "src": e.src, "dst": e.dst, "label": e.label, "kind": e.kind, "note": e.note,
            "bidir": e.bidir}


def trace_view(rec: TraceRecord, model: _Model, narrator: Narrator | None, cites: str, statement: str) -> dict:
    system = model.system
    init = system.schema.encode(rec.init)
    tr = replay(system, init, [(s.rule, s.args) for s in rec.steps])
    states = tr.states()
    holds, enabled, quiet = [], [], []
    for k, s in enumerate(states):
        out, protocol = model.succ(s)
        quiet.append(not protocol)
        holds.append(model.status(states[k - 1] if k else None, s, not protocol))
        taken = tr.steps[k].inst if k < len(tr.steps) else None
        enabled.append([{"label": system.instance_label(system.rules[i]), "env": system.rules[i].env,
                         "taken": i == taken} for i, _t in out])
    view = {"property": rec.property, "variant": rec.variant, "preset": rec.preset, "kind": rec.kind,
            "cites": cites, "statement": statement, "init": rec.init,
            "steps": [{"rule": st.rule, "args": st.args, "cites": st.cites, "env": st.env, "delta": st.delta}
                      for st in rec.steps],
            "holds": holds, "quiescent": quiet, "enabled": enabled}
    if narrator is not None:
        # the failing (or found) instances are those of the trace's end: earlier states mark nothing
        findings = findings_of(system, rec, tr)
        verdict = f"{verdict_word(rec)}: {rec.property}"
        view["lifelines"] = narrator.lifelines(system, tr.init)
        view["events"] = [_event(e) for e in narrator.narrate(system, tr, findings, rec.kind == "reachable", verdict)]
        view["topology"] = [narrator.topology(system, s, findings if k == len(states) - 1 else [])
                            for k, s in enumerate(states)]
    return view


def explorer_data(runs: list[RunResult], narrator: Narrator | None, build: Callable[[TraceRecord], System]) -> dict:
    models: dict[tuple, _Model] = {}
    props: dict[str, dict] = {}
    matrix: dict[str, dict] = {}
    traces: dict[str, dict] = {}
    for run in runs:
        for r in run.results:
            props.setdefault(r.property, {"name": r.property, "kind": r.kind, "cites": r.cites,
                                          "statement": r.statement})
            cell = {"shown": r.shown, "expected": r.expected, "trace": None}
            if r.trace is not None:
                key = (r.trace.preset, r.trace.variant, tuple(sorted(r.trace.overrides.items())))
                if key not in models:
                    models[key] = _Model(build(r.trace))
                tid = f"{run.variant}/{r.property}"
                traces[tid] = trace_view(r.trace, models[key], narrator, r.cites, r.statement)
                cell["trace"] = tid
            matrix.setdefault(r.property, {})[run.variant] = cell
    first = next(iter(models.values()), None)
    names = [p.name for p in first.system.properties] if first else []
    return {"variants": [r.variant for r in runs], "presets": sorted({r.preset for r in runs}),
            "properties": [props[n] for n in props], "prop_order": names, "matrix": matrix, "traces": traces}


def write_explorer(runs: list[RunResult], outdir: Path, narrator: Narrator | None,
                   build: Callable[[TraceRecord], System]) -> Path:
    from .explorer_page import PAGE
    data = json.dumps(explorer_data(runs, narrator, build), sort_keys=True, separators=(",", ":"))
    data = data.replace("</", "<\\/")   # the JSON sits inside a <script> element
    path = Path(outdir) / "index.html"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(PAGE.replace("__DATA__", data))
    tmp.replace(path)
    return path
