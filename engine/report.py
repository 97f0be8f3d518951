"""reports/README.md: verdict matrix, run figures, and the draft coverage table.

The coverage table is built from the draft's own text: every numbered step and every sentence
with an uppercase BCP 14 keyword in the chosen sections, each with the rules and properties
whose `cites` point at it.  Citations are parsed, not trusted: `cite_problems` lists every cite
naming a section, step or quote that the draft does not contain.  Output is deterministic
(relative links, no timestamps; run times only with `timings=True`).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .api import Narrator, System
from .coverage import coverage_section, merged_fired
from .itf import write_itf
from .render import render_trace
from .proof_report import proof_anchor, proof_lines
from .results import RunResult

SECTIONS = ("4", "5", "6", "8")          # top-level sections whose text the coverage table lists
KEYWORDS = re.compile(r"\b(MUST NOT|MUST|SHALL NOT|SHALL|SHOULD NOT|SHOULD|RECOMMENDED|REQUIRED|MAY|OPTIONAL)\b")
_HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.\s+\S")
_ITEM = re.compile(r"^ {3}(\d+)\.\s*(\S.*)$")
_PAGE = re.compile(r"^(\S.*\[Page \d+\]|Internet-Draft\s.*)$")
_DRAFT_CITE = re.compile(r"^(?:draft\s+)?§(\d+(?:\.\d+)*)\s*(.*)$")
_LIST_REF = re.compile(r"^(steps?|[A-Za-z0-9-]+ (?:items?|ops?))\s+(\d+(?:\s*(?:-|–|and|,)\s*\d+)*)")


@dataclass(frozen=True)
class Unit:
    id: str            # "§4.2 step 3", or "§6.2 MUST 1" for a sentence outside a numbered list
    section: str
    keyword: str       # strongest BCP 14 keyword in it, "" if none
    text: str
    list_id: str = ""  # for a sentence introducing a list: the list's id prefix ("§6.2 MAG op")


@dataclass(frozen=True)
class Ref:
    section: str
    list_name: str | None
    numbers: tuple[int, ...]
    quote: str | None
    raw: str


def _paragraphs(draft_text: str):
    """(section, lines) per paragraph of the body; a paragraph cut by a page break is re-joined."""
    section, para, out, page_break = None, [], [], False
    for line in draft_text.replace("\f", "").splitlines() + [""]:
        line = line.rstrip()
        if _PAGE.match(line):
            page_break = True
            continue
        h = _HEADING.match(line)
        if h:
            if para:
                out.append((section, para))
            section, para, page_break = h.group(1), [], False
            continue
        if not line.strip():
            if para:
                out.append((section, para))
                para = []
            continue
        if section is None:
            continue
        if (not para and page_break and out and out[-1][0] == section and not _ITEM.match(line)
                and not out[-1][1][-1].endswith((".", ":"))):
            para = out.pop()[1]
        page_break = False
        para.append(line)
    return out


def sections(draft_text: str) -> set[str]:
    return {s for s, _ in _paragraphs(draft_text)} | {m.group(1) for line in draft_text.splitlines()
                                                      for m in [_HEADING.match(line)] if m}


def _strongest(text: str) -> str:
    found = KEYWORDS.findall(text)
    return found[0] if found else ""


def draft_units(draft_text: str, list_names: dict[str, list[str]] | None = None,
                top: tuple[str, ...] = SECTIONS) -> list[Unit]:
    list_names = list_names or {}
    units: list[Unit] = []
    lists: dict[str, int] = {}
    must_count: dict[str, int] = {}
    pending_intro: list[Unit] = []
    for sec, para in _paragraphs(draft_text):
        if sec.split(".")[0] not in top or any("|" in ln or "+-+" in ln for ln in para):
            continue
        text = " ".join(ln.strip() for ln in para)
        item = _ITEM.match(para[0])
        if item:
            n = int(item.group(1))
            if n == 1:
                lists[sec] = lists.get(sec, -1) + 1
            names = list_names.get(sec, [])
            name = names[lists[sec]] if lists[sec] < len(names) else "step"
            list_id = f"§{sec} {name}"
            for u in pending_intro:   # the sentence just before item 1 introduces this list
                units[units.index(u)] = Unit(u.id, u.section, u.keyword, u.text, list_id)
            pending_intro = []
            units.append(Unit(f"{list_id} {n}", sec, _strongest(text), f"{n}." + item.group(2)
                              + text[len(para[0].strip()):]))
            continue
        pending_intro = []
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z\[])", text):
            kw = _strongest(sentence)
            if kw:
                must_count[sec] = must_count.get(sec, 0) + 1
                u = Unit(f"§{sec} {kw.split()[0]} {must_count[sec]}", sec, kw, sentence)
                units.append(u)
                pending_intro = [u]
    return units


def parse_cites(cites: str) -> list[Ref]:
    """Draft references in a `cites` string; RFC and environment citations are skipped."""
    refs = []
    for part in (p.strip() for p in cites.split(";")):
        fig = re.match(r"^Figure\s*(\d+)$", part)
        if fig:
            refs.append(Ref("", "Figure", (int(fig.group(1)),), None, part))
            continue
        m = _DRAFT_CITE.match(part)
        if not m:
            continue
        rest, quote = m.group(2), None
        q = re.search(r"'([^']+)'", rest)
        if q:
            quote = q.group(1)
        lr = _LIST_REF.match(rest)
        name, nums = None, ()
        if lr:
            name = re.sub(r"(step|item|op)s$", r"\1", lr.group(1))
            nums = []
            for chunk in re.split(r"\s*(?:and|,)\s*", lr.group(2)):
                a, _, b = chunk.partition("-") if "-" in chunk else chunk.partition("–")
                nums += range(int(a), int(b or a) + 1)
            nums = tuple(nums)
        refs.append(Ref(m.group(1), name, nums, quote, part))
    return refs


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip().lower()


def cite_problems(draft_text: str, items: list[dict], list_names: dict | None = None) -> list[str]:
    """One line per cite of a rule/property that names something the draft does not contain."""
    units = {u.id for u in draft_units(draft_text, list_names, top=tuple(str(i) for i in range(1, 12)))}
    secs, flat = sections(draft_text), _norm(draft_text)
    out = []
    for it in items:
        for r in parse_cites(it.get("cites", "")):
            if r.list_name == "Figure":
                if not re.search(rf"Figure\s*{r.numbers[0]}\b", draft_text):
                    out.append(f"{it['name']}: '{r.raw}': no such figure")
                continue
            if r.section not in secs:
                out.append(f"{it['name']}: '{r.raw}': no section {r.section}")
            for n in r.numbers:
                if f"§{r.section} {r.list_name} {n}" not in units:
                    out.append(f"{it['name']}: '{r.raw}': no {r.list_name} {n} in §{r.section}")
            if r.quote and _norm(r.quote) not in flat:
                out.append(f"{it['name']}: '{r.raw}': quote not in the draft")
    return out


def citers(unit: Unit, items: list[dict]) -> list[str]:
    names = []
    for it in items:
        for r in parse_cites(it.get("cites", "")):
            if r.section != unit.section:
                continue
            ids = {f"§{r.section} {r.list_name} {n}" for n in r.numbers}
            if unit.id in ids or (unit.list_id and any(i.startswith(unit.list_id + " ") for i in ids)):
                names.append(it["name"])
                break
    return names


def _cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def coverage_table(draft_text: str, rules: list[dict], properties: list[dict],
                   narrator: Narrator | None = None, fired: dict[str, int] | None = None) -> list[str]:
    list_names = narrator.LIST_NAMES if narrator else {}
    why = narrator.NOT_MODELLED if narrator else {}
    out = ["| Draft text | Keyword | Text | Rules | Properties |", "|---|---|---|---|---|"]
    units = draft_units(draft_text, list_names)
    for sec in SECTIONS:   # say so, rather than leave a section silently absent
        if not any(u.section.split(".")[0] == sec for u in units):
            reason = why.get(f"§{sec}", "")
            out.append(f"| §{sec} | | (no numbered step, no uppercase BCP 14 keyword) | {_cell(reason)} | |")
    for u in units:
        rs, ps = citers(u, rules), citers(u, properties)
        reason = why.get(u.id) or why.get(f"§{u.section}") or why.get(f"§{u.section.split('.')[0]}")
        rules_cell = ", ".join(f"`{r}`" for r in rs) if rs else f"not modelled: {reason or 'no rule cites it'}"
        if rs and fired is not None:   # fire counts summed over the report's runs
            rules_cell = ", ".join(f"`{r}` ×{fired.get(r, 0):,}" for r in rs)
            if not any(fired.get(r, 0) for r in rs):
                rules_cell += " **never fired**"
        text = u.text if len(u.text) <= 110 else u.text[:107] + "..."
        out.append(f"| {u.id} | {u.keyword} | {_cell(text)} | {_cell(rules_cell)} | "
                   f"{', '.join(f'`{p}`' for p in ps)} |")
    return out


def _trace_links(base: str, shown: str, depth, outdir: Path | None = None) -> str:
    graph = ""
    for ext in (".states.svg", ".states.dot", ".states.txt"):   # whatever render_trace could write
        if outdir is not None and (outdir / (base + ext)).exists():
            graph = f" [states]({base}{ext})"
            break
    return (f"[{shown} ({depth})]({base}.txt) [ascii]({base}.msc.txt) [svg]({base}.msc.svg) "
            f"[topo]({base}.topology.svg){graph}")


def write_traces(runs: list[RunResult], outdir: Path, narrator: Narrator, pictures: bool,
                 system_for: Callable[[str, str, dict], System], shown_dir: Path | None = None) -> None:
    """Each trace as JSON and, with `pictures`, drawn on the System it ran on (`system_for`).
    `shown_dir` is where the files will end up (they are written to a temporary folder first)."""
    shown = _shown_dir(shown_dir or outdir)
    for run in runs:
        tdir = outdir / "traces" / run.variant
        for r in run.results:
            if r.trace is None:
                continue
            tdir.mkdir(parents=True, exist_ok=True)
            path = tdir / f"{r.property}.json"
            path.write_text(json.dumps(r.trace.to_json(), sort_keys=True, indent=1) + "\n")
            system = system_for(run.preset, run.variant, r.trace.overrides)   # the ITF nests by its schema
            write_itf(r.trace, system.schema, tdir / f"{r.property}.itf.json", r.cites, r.statement)
            if pictures:
                render_trace(r.trace, narrator, tdir, stem=r.property, cites=r.cites, statement=r.statement,
                             states=run.states, json_ref=f"{shown}/traces/{run.variant}/{r.property}.json",
                             state_graph=r.kind != "reachable", system=system)


def write_report(runs: list[RunResult], outdir: Path, narrator: Narrator, draft_text: str, rules: list[dict],
                 properties: list[dict], variants: list[dict], lint_markdown: str | None = None, *,
                 pictures: bool = True, timings: bool = True,
                 system_for: Callable[[str, str, dict], System], shown_dir: Path | None = None,
                 by_design: Callable[[str], dict[str, str]] = lambda variant: {}) -> Path:
    """Write outdir/README.md and outdir/traces/<variant>/<property>.{json,txt,msc.txt,*.svg}."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    write_traces(runs, outdir, narrator, pictures, system_for, shown_dir)
    presets = sorted({r.preset for r in runs})
    L = ["# pmipmc report", "",
         f"Preset(s): {', '.join(presets)}. Engine(s): {', '.join(sorted({r.engine for r in runs}))}. "
         "Verdicts: `HOLDS` (proved), `HOLDS_WITHIN_BOUNDS` (exhaustive for the bounds), `VIOLATED`, "
         "`UNKNOWN(reason)`; reachable witnesses read `WITNESSED` / `NOT_WITNESSED`. "
         "A cell links the trace (text), its ASCII chart and its pictures; **NEW** marks a verdict "
         "that differs from the checked-in baseline. Pictures: red = violation, green = witness, "
         "dashed = environment event.", "", "## Verdicts", ""]
    cols = [r.variant for r in runs]
    L.append("| Property | Kind | Cites | " + " | ".join(cols) + " |")
    L.append("|---|---|---|" + "---|" * len(cols))
    by = [{x.property: x for x in run.results} for run in runs]
    names = [p["name"] for p in properties] + sorted({x for b in by for x in b} - {p["name"] for p in properties})
    kinds = {p["name"]: (p.get("kind", ""), p.get("cites", "")) for p in properties}
    for name in names:
        cells = []
        for run, b in zip(runs, by):
            res = b.get(name)
            if res is None:
                cells.append("—")
                continue
            cell = (_trace_links(f"traces/{run.variant}/{name}", res.shown, res.depth, outdir) if res.trace
                    else res.shown)
            if res.invariant:   # a proof's reason, its inductive invariant, one click from the verdict
                cell = f"[{cell}](#{proof_anchor(run, name)})"
            design = " *by design*" if name in by_design(run.variant) else ""
            cells.append(_cell(cell + design + ("" if res.expected else " **NEW**")))
        kind, cites = kinds.get(name, ("", ""))
        L.append(f"| `{name}` | {kind} | {_cell(cites)} | " + " | ".join(cells) + " |")
    designed = sorted({(v, p, why) for v in dict.fromkeys(cols) for p, why in by_design(v).items()})
    if designed:   # a reading that breaks a claim on purpose says so, rather than hide the claim
        L += ["", "*by design*: the variant breaks the claim on purpose:", ""]
        L += [f"- {v}: `{p}`: {_cell(why)}" for v, p, why in designed]
    L += ["", "## Runs", "",
          "| Variant | Preset | Engine | Complete | States | Transitions | Depth |"
          + (" Seconds | States/s |" if timings else ""),
          "|---|---|---|---|---|---|---|" + ("---|---|" if timings else "")]
    for r in runs:
        row = (f"| {r.variant} | {r.preset} | {r.engine} | {'yes' if r.complete else _cell('no: ' + r.reason)} | "
               f"{r.states} | {r.transitions} | {r.depth} |")
        L.append(row + (f" {r.seconds:.2f} | {round(r.states_per_s)} |" if timings else ""))
    L += proof_lines(runs)
    L += ["", "## Variants", "", "| Variant | Cites | What it reads |", "|---|---|---|"]
    L += [f"| {v['name']} | {_cell(v.get('cites', ''))} | {_cell(v.get('doc', ''))} |" for v in variants]
    L += ["", "## Draft coverage", "",
          f"Every numbered step and every sentence with an uppercase BCP 14 keyword in "
          f"§{', §'.join(SECTIONS)} (subsections included), with the rules and properties that cite it.", ""]
    with_cov = [r for r in runs if r.coverage is not None]
    L += coverage_table(draft_text, rules, properties, narrator, merged_fired(with_cov) if with_cov else None)
    L += [""] + coverage_section(runs, rules) if with_cov else []
    problems = cite_problems(draft_text, rules + properties, narrator.LIST_NAMES)
    if problems:
        L += ["", "## Citation problems", ""] + [f"- {_cell(p)}" for p in problems]
    if lint_markdown:
        L += ["", "## Wire-format lint", "", lint_markdown.rstrip()]
    L += property_coverage_section(outdir)
    from .routes_cmd import routes_section
    L += routes_section(shown_dir or outdir)
    path = outdir / "README.md"
    path.write_text("\n".join(L) + "\n")
    return path


def property_coverage_section(outdir: Path) -> list[str]:
    """Mutation scores per draft step, when `pmipmc mutate --report <outdir>` left a mutation.json there."""
    src = Path(outdir) / "mutation.json"
    if not src.exists():
        return []
    import json
    from .mutate_cmd import coverage_lines
    return ["", "## Property coverage", ""] + coverage_lines(json.loads(src.read_text()))


def _shown_dir(outdir: Path) -> str:
    """The report folder as a reader types it: relative to the working directory when inside it."""
    try:
        return outdir.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return outdir.as_posix()
