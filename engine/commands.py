"""One function per subcommand; each returns an exit code (see errors.py)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from . import baseline as bl
from .errors import EXIT_INCOMPLETE, EXIT_OK, EXIT_UNEXPECTED, BadInput
from .explore import Budget
from .results import UNKNOWN, RunResult, TraceRecord
from .runner import Job, run_job, run_jobs
from .table import verdict_matrix

PROVABLE = ("invariant", "quiescent")


def _names(provider, args) -> tuple[str, list[str], list[str] | None]:
    preset = args.preset or provider.DEFAULT_PRESET
    provider.build(preset, "draft")   # validates the preset name and its bounds
    known_v = provider.variant_names()
    for v in args.variant:
        if v not in known_v:
            raise BadInput(f"unknown variant {v!r} (known: {', '.join(known_v)})")
    props = {p["name"]: p for p in provider.properties()}
    for p in args.property:
        if p not in props:
            raise BadInput(f"unknown property {p!r} (see 'pmipmc list properties')")
    names = list(args.property) or None
    if args.command == "prove":
        bad = [p for p in args.property if props[p]["kind"] not in PROVABLE]
        if bad:
            raise BadInput(f"{bad[0]} is a {props[bad[0]]['kind']} property; prove handles {' and '.join(PROVABLE)} ones")
        names = names or [n for n, p in props.items() if p["kind"] in PROVABLE]
    return preset, list(dict.fromkeys(args.variant)) or known_v, names


def _engine(args) -> tuple[str, int]:
    if args.command == "prove":
        return "prove", 0
    if args.engine == "symbolic":
        if args.depth is None:
            raise BadInput("--engine symbolic needs --depth K")
        if args.depth <= 0:
            raise BadInput(f"--depth must be greater than zero, not {args.depth}")
        return "symbolic", args.depth
    if args.depth is not None:
        raise BadInput("--depth applies to --engine symbolic only")
    return "explicit", 0


def _default_run(args) -> bool:
    return not (args.preset or args.variant or args.property) and args.command == "check" and args.engine == "explicit"


def cmd_check(provider, args) -> int:
    preset, variants, names = _names(provider, args)
    engine, depth = _engine(args)
    base_path = args.baseline or provider.BASELINE
    baseline = bl.load(base_path)
    budget = Budget(args.max_states, args.time_budget)
    jobs = [Job(provider.__name__, preset, v, tuple(names) if names else None, not args.no_symmetry, budget,
                engine, depth, quiet=args.quiet) for v in variants]
    if not args.quiet:
        print(f"pmipmc {args.command}: preset {preset}, {len(jobs)} variant(s), engine {engine}", file=sys.stderr)
    runs = run_jobs(jobs, args.jobs)
    surprises = [line for run in runs for line in bl.annotate(run, baseline)]
    print(verdict_matrix(runs))
    if getattr(args, "invariants", False):
        from .proof_report import proof_text
        print(proof_text(runs))
    _write_outputs(provider, args, runs, base_path, baseline)
    for line in surprises:
        print(f"UNEXPECTED {line}")
    incomplete = [r for r in runs if not r.complete] or [x for r in runs for x in r.results if x.verdict == UNKNOWN]
    if surprises and not args.update_baseline:
        return EXIT_UNEXPECTED
    return EXIT_INCOMPLETE if incomplete else EXIT_OK


def _write_outputs(provider, args, runs: list[RunResult], base_path: Path, baseline: dict) -> None:
    doc = {"tool": "pmipmc", "runs": [r.to_json() for r in runs]}
    if args.json:
        args.json.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    if args.junit:
        from .junit import write_junit
        write_junit(runs, args.junit, lambda run, res: res.expected)
    if args.update_baseline:
        bl.save(base_path, bl.updated(baseline, runs))
        print(f"baseline updated: {base_path}", file=sys.stderr)
    outdir = args.reports or (Path("reports") if _default_run(args) else None)
    if outdir and not args.no_reports:
        from .report import write_report
        outdir.mkdir(parents=True, exist_ok=True)
        # seconds differ from run to run: reports keep only reproducible figures (JSON has the rest)
        path = write_report(runs, outdir, provider.narrator(), provider.draft_text(), provider.rules(),
                            provider.properties(), provider.variants(), provider.lint_markdown(),
                            timings=False)
        print(f"reports written: {path}", file=sys.stderr)


def cmd_list(provider, args) -> int:
    items = {"rules": provider.rules, "properties": provider.properties, "variants": provider.variants,
             "presets": provider.presets, "axes": provider.axes}[args.what]()
    if args.json:
        print(json.dumps(items, indent=1))
        return EXIT_OK
    width = max(len(i["name"]) for i in items)
    for i in items:
        extra = f" [{i['kind']}]" if "kind" in i else ""
        print(f"{i['name']:<{width}}  {i['cites']}{extra}\n{'':<{width}}  {i['doc']}")
    return EXIT_OK


def load_trace(path: Path) -> TraceRecord:
    if not path.exists():
        raise BadInput(f"no such trace file: {path}")
    data = json.loads(path.read_text())
    try:
        return TraceRecord.from_json(data)
    except (KeyError, TypeError, AttributeError) as e:
        raise BadInput(f"malformed trace file {path.name}: {e}") from None


def cmd_replay(provider, args) -> int:
    from .schema import SchemaError
    from .trace import ReplayError, is_quiescent, replay, violates
    rec = load_trace(args.trace)
    system = provider.build(rec.preset, rec.variant, **rec.overrides)
    try:
        init = system.schema.encode(rec.init)
    except SchemaError as e:
        raise BadInput(f"malformed trace file {args.trace.name}: {e}") from None
    if rec.property not in {p.name for p in system.properties}:
        raise BadInput(f"trace names unknown property {rec.property!r}")
    try:
        trace = replay(system, init, [(s.rule, s.args) for s in rec.steps])
    except ReplayError as e:
        print(f"NOT REPRODUCED: {e}")
        return EXIT_UNEXPECTED
    word = "witnessed" if rec.kind == "reachable" else "violated"
    if violates(system, rec.property, trace, is_quiescent(system)):
        print(f"reproduced: {rec.property} is {word} after {len(trace.steps)} steps "
              f"(preset {rec.preset}, variant {rec.variant})")
        return EXIT_OK
    print(f"NOT REPRODUCED: the trace replays but {rec.property} is not {word} at its end")
    return EXIT_UNEXPECTED


def cmd_render(provider, args) -> int:
    from .render import render_trace
    rec = load_trace(args.trace)
    outdir = args.out or args.trace.parent
    outdir.mkdir(parents=True, exist_ok=True)
    for p in render_trace(rec, provider.narrator(), outdir, pcap=args.pcap, stem=args.trace.stem,
                          json_ref=str(args.trace)):
        print(p)
    return EXIT_OK


def cmd_bench(provider, args) -> int:
    presets = args.preset or [provider.DEFAULT_PRESET]
    for p in presets:
        provider.build(p, args.variant)
    print(f"{'preset':<10} {'variant':<10} {'sym':<4} {'states':>10} {'transitions':>12} {'depth':>6} "
          f"{'seconds':>8} {'states/s':>9} {'peak MB':>8}")
    for p in presets:
        for sym in ([False] if args.no_symmetry else [True, False]):
            # a fresh worker per run, so peak memory is this run's own
            run = _isolated(Job(provider.__name__, p, args.variant, None, sym, quiet=True))
            print(f"{p:<10} {args.variant:<10} {'on' if sym else 'off':<4} {run.states:>10,} {run.transitions:>12,} "
                  f"{run.depth:>6} {run.seconds:>8.2f} {run.states_per_s:>9,.0f} {run.peak_mb:>8.0f}"
                  f"{'' if run.complete else '  INCOMPLETE'}", flush=True)
    if args.symbolic:
        from .bench_symbolic import bench
        bench(provider, tuple(presets))
    return EXIT_OK


def _isolated(job: Job) -> RunResult:
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(run_job, job).result()


def cmd_lint(provider, args) -> int:
    findings = provider.lint_findings()
    print(provider.lint_markdown())
    if args.json:
        args.json.write_text(json.dumps(findings, indent=1, sort_keys=True) + "\n")
    expected = set(bl.load(provider.BASELINE).get("_lint", []))
    new = [f["id"] for f in findings if f["id"] not in expected]
    for i in new:
        print(f"UNEXPECTED lint finding: {i}")
    return EXIT_UNEXPECTED if new else EXIT_OK
