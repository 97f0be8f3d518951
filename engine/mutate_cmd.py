"""`pmipmc mutate`: the command, its printed tables, its JSON and its coverage report."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .errors import EXIT_INCOMPLETE, EXIT_OK, EXIT_UNEXPECTED, BadInput
from .mutate import CAUGHT, EQUIVALENT, NOT_CAUGHT, OPERATORS, UNDECIDED
from .mutate_run import NOT_RUN, Score, Target, score

SURVIVING = (NOT_CAUGHT, UNDECIDED, NOT_RUN)


def add_parser(sub, provider, positive_int, positive_float) -> None:
    m = sub.add_parser("mutate", help="mutation coverage: which rule changes does no property notice?")
    m.add_argument("--preset", action="append", default=[],
                   help=f"preset (repeatable; default {provider.DEFAULT_PRESET})")
    m.add_argument("--variant", action="append", default=[],
                   help=f"variant (repeatable; default {', '.join(provider.MUTATION_VARIANTS)})")
    m.add_argument("--operators", nargs="+", choices=OPERATORS, default=list(OPERATORS), help="mutation operators")
    m.add_argument("--json", type=Path, help="write scores and every mutant's status here")
    m.add_argument("--report", type=Path, help="write COVERAGE-MUTATION.md and mutation.json into this folder")
    m.add_argument("--time-budget", type=positive_float, help="stop each (preset, variant) after this many seconds")
    m.add_argument("--jobs", type=positive_int, default=1, help="worker processes (default 1)")
    m.add_argument("--min-score", type=float, default=None, help="exit 1 when a score is below this (0..1)")
    m.add_argument("--no-symmetry", action="store_true", help="explore without symmetry reduction")
    m.add_argument("--quiet", action="store_true", help="no progress on stderr")


def cmd_mutate(provider, args) -> int:
    presets = list(dict.fromkeys(args.preset)) or [provider.DEFAULT_PRESET]
    variants = list(dict.fromkeys(args.variant)) or list(provider.MUTATION_VARIANTS)
    known = provider.variant_names()
    for v in variants:
        if v not in known:
            raise BadInput(f"unknown variant {v!r} (known: {', '.join(known)})")
    for p in presets:
        provider.build(p, variants[0])   # validates the preset name
    if args.min_score is not None and not 0 <= args.min_score <= 1:
        raise BadInput(f"--min-score must be between 0 and 1, not {args.min_score}")
    scores: list[Score] = []
    for p in presets:
        for v in variants:
            t = Target(provider.__name__, p, v, tuple(args.operators), not args.no_symmetry)
            if not args.quiet:
                print(f"pmipmc mutate: preset {p}, variant {v}", file=sys.stderr, flush=True)
            sc = score(t, args.jobs, args.time_budget, args.quiet)
            scores.append(sc)
            print(text(sc, provider.mutation_notes()))
            if sc.interrupted:
                break
    doc = document(scores, provider.mutation_notes())
    if args.json:
        args.json.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    if args.report:
        args.report.mkdir(parents=True, exist_ok=True)
        (args.report / "mutation.json").write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
        (args.report / "COVERAGE-MUTATION.md").write_text("\n".join(["# Property coverage by mutation", ""]
                                                                   + coverage_lines(doc)) + "\n")
    if args.min_score is not None and any(s.counts()["score"] < args.min_score for s in scores):
        return EXIT_UNEXPECTED
    return EXIT_OK if all(s.complete for s in scores) else EXIT_INCOMPLETE


def document(scores: list[Score], notes: dict) -> dict:
    runs = [s.to_json() for s in scores]
    for r in runs:
        for m in r["list"]:
            if m["status"] in SURVIVING:
                m["note"] = notes.get(m["key"], "")
    return {"tool": "pmipmc", "mutation": runs}


def _steps(cites: str) -> list[str]:
    return [c.strip() for c in cites.split(";") if c.strip()] or ["(uncited)"]


def _table(groups: dict[str, list[dict]], head: str) -> list[str]:
    L = [f"| {head} | mutants | caught | equivalent | survive | score |", "|---|---|---|---|---|---|"]
    for name, ms in groups.items():
        st = [m["status"] for m in ms]
        live = len(st) - st.count(EQUIVALENT)
        pct = f"{100 * st.count(CAUGHT) / live:.0f} %" if live else "—"
        L.append(f"| {name} | {len(st)} | {st.count(CAUGHT)} | {st.count(EQUIVALENT)} | "
                 f"{sum(st.count(x) for x in SURVIVING)} | {pct} |")
    return L


def coverage_lines(doc: dict) -> list[str]:
    """Markdown: per (preset, variant) the score, a table per draft step, and every survivor."""
    L = ["Each mutant changes one rule (or reads one variant axis another way); it is *caught* when a",
         "property's verdict or a witness changes, *equivalent* when it reaches exactly the same states",
         "(with the same ones quiescent). Score = caught / (mutants - equivalent). Regenerate with",
         "`pmipmc mutate --preset P --report DIR`.", ""]
    for r in doc["mutation"]:
        L += [f"### {r['preset']} / {r['variant']}: {100 * r['score']:.1f} % "
              f"({r['caught']} of {r['mutants'] - r['equivalent']} non-equivalent mutants caught; "
              f"{r['equivalent']} equivalent{'' if r['complete'] else '; INCOMPLETE'})", ""]
        steps: dict[str, list[dict]] = {}
        for m in r["list"]:
            for c in _steps(m["cites"]):
                steps.setdefault(c, []).append(m)
        ordered = sorted(steps.items(), key=lambda kv: (not kv[0].startswith("§"), kv[0]))   # the draft first
        L += _table(dict(ordered), "draft step") + [""]
        surv = [m for m in r["list"] if m["status"] in SURVIVING]
        if surv:
            L += ["Survivors:", ""]
            L += [f"- `{m['key']}` ({m['status'].replace('_', ' ')}; {m['cites']})"
                  + (f": {m['note']}" if m.get("note") else "") for m in surv]
            L.append("")
    return L


def text(sc: Score, notes: dict) -> str:
    c = sc.counts()
    rules: dict[str, list[dict]] = {}
    doc = sc.to_json()
    for m in doc["list"]:
        rules.setdefault(m["rule"], []).append(m)
    out = [f"{sc.preset} / {sc.variant}: score {100 * c['score']:.1f} % — {c['mutants']} mutants, "
           f"{c['caught']} caught, "
           f"{c['not_caught']} not caught, {c['equivalent']} equivalent, {c['undecided']} undecided, "
           f"{c['not_run']} not run ({sc.original.states:,} states unmutated)"]
    for line in _table(rules, "rule"):
        out.append(line)
    surv = [m for m in doc["list"] if m["status"] in SURVIVING]
    if surv:
        out.append("survivors:")
        out += [f"  {m['status']:<10} {m['key']}" + (f"  -- {notes[m['key']]}" if notes.get(m["key"]) else "")
                for m in surv]
    return "\n".join(out)
