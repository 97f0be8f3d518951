"""Message sequence charts: ASCII in the style of an RFC figure, and DOT for graphviz.

The chart knows lifelines and events only; what a rule firing *means* (who sends what to whom)
is the model's narrator's business.  Numbers are trace step numbers, so a reader can go from a
line of the chart to the same line of the text counterexample.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

KINDS = ("message", "tunnel", "action", "env", "violation")
WIDTH = 72
RED, GREEN = "#c00000", "#007a00"


@dataclass(frozen=True)
class Event:
    src: str                 # lifeline the event starts at (or happens at, for actions)
    dst: str | None          # lifeline it ends at; None or == src: an action on src
    label: str
    kind: str                # one of KINDS
    step: int | None = None  # trace step number; None for derived events (data flow, verdict)
    cites: str = ""
    note: str = ""           # second line under an arrow / action
    bidir: bool = False      # two-headed arrow (a tunnel that both ends set up or tear down)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"event kind {self.kind!r} not in {KINDS}")

    @property
    def is_arrow(self) -> bool:
        return self.dst is not None and self.dst != self.src and self.kind != "violation"


def columns(lifelines: list[str], width: int = WIDTH) -> dict[str, int]:
    """Evenly spaced lifeline columns; margins leave room for the outer heads' labels."""
    n = len(lifelines)
    left, right = 8, width - 8
    if n == 1:
        return {lifelines[0]: width // 2}
    return {name: round(left + i * (right - left) / (n - 1)) for i, name in enumerate(lifelines)}


class _Canvas:
    def __init__(self, cols: dict[str, int], width: int):
        self.cols, self.width, self.lines = cols, width, []

    def row(self) -> list[str]:
        r = [" "] * self.width
        for c in self.cols.values():
            r[c] = "|"
        return r

    def emit(self, r: list[str]) -> None:
        self.lines.append("".join(r).rstrip())

    def text(self, text: str, centre: int, r: list[str] | None = None) -> None:
        """Text centred on a column, kept inside the chart; longer text wraps over more rows."""
        for part in textwrap.wrap(text, self.width - 2) or [""]:
            row = r if r is not None else self.row()
            start = min(max(0, centre - len(part) // 2), self.width - len(part))
            row[start:start + len(part)] = part
            self.emit(row)
            r = None

    def arrow(self, a: int, b: int, fill: str, head: str, label: str, bidir: bool) -> str:
        lo, hi = min(a, b), max(a, b)
        # "- " is the dashed fill of environment events: alternate dash and blank
        body = [fill[i % len(fill)] for i in range(hi - lo - 1)]
        if b > a or bidir:
            body[-1] = head
        if b < a or bidir:
            body[0] = "<"
        placed = ""
        if label and len(label) + 3 <= len(body):   # "-label->" as in Figure 3
            start = (len(body) - len(label)) // 2
            body[start:start + len(label)] = label
            placed = label
        r = self.row()
        r[lo + 1:hi] = body
        self.emit(r)
        return placed


def ascii_chart(lifelines: list[str], events: list[Event], title: str = "", width: int = WIDTH) -> str:
    """The events as an RFC-style figure, every line at most `width` columns."""
    cols = columns(lifelines, width)
    cv = _Canvas(cols, width)
    if title:
        for part in textwrap.wrap(title, width):
            cv.lines.append(part)
        cv.lines.append("")
    heads = [" "] * width
    for name, c in cols.items():
        start = min(max(0, c - len(name) // 2), width - len(name))
        heads[start:start + len(name)] = name
    cv.emit(heads)
    cv.emit(cv.row())
    last_step = None
    for ev in events:
        for name in (ev.src, ev.dst):
            if name is not None and name not in cols:
                raise ValueError(f"event {ev.label!r} names {name!r}, which is not a lifeline")
        new_step = ev.step is not None and ev.step != last_step
        if ev.step != last_step:
            cv.emit(cv.row())
        last_step = ev.step
        number = f"{ev.step}." if new_step else ""
        a = cols[ev.src]
        if ev.kind == "violation":
            r = cv.row()
            r[a] = "X"
            cv.emit(r)
            cv.text(ev.label, width // 2)
            if ev.note:
                cv.text(ev.note, width // 2)
            continue
        if not ev.is_arrow:
            if number:
                r = cv.row()
                r[a:a + len(number)] = number
                cv.emit(r)
            parts = ev.label.split(" / ") + ([ev.note] if ev.note else [])
            for p in parts:
                cv.text(f"[{p}]" if ev.kind == "env" else p, a)
            continue
        b = cols[ev.dst]
        if number:
            cv.text(number, (a + b) // 2 + 1, cv.row())
        fill = {"tunnel": "=", "env": "- "}.get(ev.kind, "-")
        head = "x" if ev.kind == "env" and "lost" in ev.label else ">"
        # try the label inside the arrow first, as in Figure 3 ("--MLD Report->")
        lo, hi = min(a, b), max(a, b)
        if ev.label and len(ev.label) + 3 > hi - lo - 1:
            cv.text(ev.label, (lo + hi) // 2)
            cv.arrow(a, b, fill, head, "", ev.bidir)
        else:
            cv.arrow(a, b, fill, head, ev.label, ev.bidir)
        if ev.note:
            cv.text(ev.note, (lo + hi) // 2)
    cv.emit(cv.row())
    cv.lines.append("")
    cv.lines.append("--> message  ==> in/about a tunnel  - -> and [..] environment  X verdict")
    return "\n".join(line[:width] for line in cv.lines) + "\n"


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def dot_chart(lifelines: list[str], events: list[Event], title: str = "", witness: bool = False) -> str:
    """The same chart for graphviz: one column of points per lifeline, one rank per event.

    Node ids are derived from lifeline positions and event rows, never from object identity,
    so the SVG is byte-identical across runs.
    """
    verdict = GREEN if witness else RED
    idx = {n: i for i, n in enumerate(lifelines)}
    out = ["digraph msc {", '  graph [rankdir=TB, nodesep=0.9, ranksep=0.25, fontname="Helvetica", '
           f'labelloc=t, label={_q(title)}];',
           '  node [fontname="Helvetica", fontsize=10]; edge [fontname="Helvetica", fontsize=9];']
    out.append("  { rank=same; " + " ".join(f"h{i}" for i in range(len(lifelines))) + " }")
    for n, i in idx.items():
        out.append(f"  h{i} [shape=box, style=bold, label={_q(n)}];")
    for i in range(len(lifelines) - 1):
        out.append(f"  h{i} -> h{i + 1} [style=invis];")
    prev = {i: f"h{i}" for i in idx.values()}
    for r, ev in enumerate(events):
        label = ev.label.replace(" / ", "\n") + (f"\n{ev.note}" if ev.note else "")
        if ev.is_arrow:
            # dot puts a flat edge's label in the space above it: leave one empty rank per text
            # line, so that consecutive arrows' labels never overlap
            for k in range(max(1, label.count("\n"))):
                gap = {i: f"g{r}_{k}_{i}" for i in idx.values()}
                out.append("  { rank=same; " + " ".join(gap.values()) + " }")
                for i, node in gap.items():
                    out.append(f"  {node} [shape=point, width=0.02, label=\"\"];")
                    out.append(f"  {prev[i]} -> {node} [arrowhead=none, weight=100, color=gray50];")
                prev = gap
        row = {i: f"r{r}_{i}" for i in idx.values()}
        num = f"{ev.step}. " if ev.step is not None else ""
        out.append("  { rank=same; " + " ".join(row.values()) + " }")
        for i, node in row.items():
            name = lifelines[i]
            if not ev.is_arrow and name == ev.src:
                colour = verdict if ev.kind == "violation" else "black"
                style = "dashed" if ev.kind == "env" else ("filled,bold" if ev.kind == "violation" else "rounded")
                fill = ', fillcolor="#ffe0e0"' if ev.kind == "violation" and not witness else (
                    ', fillcolor="#e0ffe0"' if ev.kind == "violation" else "")
                out.append(f"  {node} [shape=box, style={_q(style)}, color={_q(colour)}{fill}, "
                           f"label={_q(num + label)}];")
            else:
                out.append(f"  {node} [shape=point, width=0.02, label=\"\"];")
            out.append(f"  {prev[i]} -> {node} [arrowhead=none, weight=100, color=gray50];")
        if ev.is_arrow:
            a, b = row[idx[ev.src]], row[idx[ev.dst]]
            attrs = [f"label={_q(num + label)}", "constraint=false"]
            if ev.kind == "tunnel":
                attrs.append('color="black:invis:black"')
            if ev.kind == "env":
                attrs.append("style=dashed")
            if ev.bidir:
                attrs += ["dir=both", "arrowtail=normal"]
            out.append(f"  {a} -> {b} [{', '.join(attrs)}];")
        prev = row
    out.append("}")
    return "\n".join(out) + "\n"
