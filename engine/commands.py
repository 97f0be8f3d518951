"""One function per subcommand; each returns an exit code (see errors.py)."""
from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from . import baseline as bl
from . import guards, stop
from .api import PROVABLE
from .errors import EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_OK, EXIT_UNEXPECTED, BadInput
from .explore import Budget
from .outputs import atomic_file, atomic_text, attempt, replace_dir_entries
from .results import UNKNOWN, RunResult
from .runner import Job, not_run, run_job, run_jobs
from .table import verdict_matrix



def _names(provider, args) -> tuple[str, list[str], list[str] | None]:
    preset = provider.DEFAULT_PRESET if args.preset is None else args.preset
    provider.build(preset, provider.DEFAULT_VARIANT)   # validates the preset name and its bounds
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
            raise BadInput(f"{bad[0]} is a {props[bad[0]]['kind']} property; prove handles {', '.join(PROVABLE)} ones")
        names = names or [n for n, p in props.items() if p["kind"] in PROVABLE]
    return preset, list(dict.fromkeys(args.variant)) or known_v, names


def _engine(args) -> tuple[str, int]:
    if args.por and (args.command == "prove" or args.engine == "symbolic"):
        raise BadInput("--por applies to the explicit engine only")
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
    if args.engine in ("native", "auto"):
        from .native import native_available
        why = native_available()
        if why is None:   # auto: the C engine does everything the Python one does, clusters included
            return "native", 0
        print(f"pmipmc: native engine unavailable ({why}); using the Python engine", file=sys.stderr)
    return "explicit", 0


def _workers(args, parallel_jobs: int) -> int:
    """Native threads per run: as asked, else the cores shared among the runs going at once."""
    from .native import default_workers
    return args.workers or max(1, default_workers() // max(1, parallel_jobs))


def _default_run(args) -> bool:
    return (args.preset is None and not (args.variant or args.property or args.por) and args.command == "check"
            and args.engine in ("auto", "native", "python", "explicit"))


def _report_dir(args) -> Path | None:
    outdir = args.reports or (Path("reports") if _default_run(args) else None)
    return None if args.no_reports else outdir


def cmd_check(provider, args) -> int:
    preset, variants, names = _names(provider, args)
    engine, depth = _engine(args)
    _cluster_options(args, engine)
    guards.conflicting_flags(args, engine)
    base_path = args.baseline or provider.BASELINE
    add_found = getattr(args, "add_found", False)
    baseline = bl.load(base_path, must_exist=not args.update_baseline)
    outdir = _report_dir(args)
    guards.writable_file("--json", args.json)
    guards.writable_file("--junit", args.junit)
    guards.writable_file("--baseline", base_path if args.update_baseline or add_found else None)
    guards.writable_dir("--reports", outdir)
    workers = guards.workers(args.jobs, len(variants))
    memory = args.max_memory or int(stop.physical_bytes() * 0.8)
    coverage = args.command == "check" and (args.coverage or outdir is not None)
    budget = Budget(args.max_states, args.time_budget, memory / workers / 2**20)
    native = engine == "native"   # only `check` has the native options
    threads = _workers(args, workers) if native else None
    jobs = [Job(provider.__name__, preset, v, tuple(names) if names else None, not args.no_symmetry, budget,
                engine, depth, quiet=args.quiet, max_bytes=memory // workers, por=args.por,
                coverage=coverage, workers=threads, fingerprints=native and args.fingerprints)
            for v in variants]
    if not args.quiet:
        print(f"pmipmc {args.command}: preset {preset}, {len(jobs)} variant(s), engine {engine}", file=sys.stderr)
    with stop.session(memory if workers == 1 else None):
        runs = _run_cluster(jobs, args, memory) if args.cluster else run_jobs(jobs, workers)
        proving = getattr(args, "prove_undecided", False)
        if proving:
            _prove_undecided(provider, jobs, runs, args)
        bl.bounded(runs, baseline)
        surprises = [line for run in runs for line in bl.annotate(run, baseline)]
        errors = _write_outputs(provider, args, runs, base_path, baseline, outdir)   # before stdout can fail
        print(verdict_matrix(runs))
        if getattr(args, "invariants", False):
            from .proof_report import proof_text
            print(proof_text(runs))
        stopped = stop.requested()
    for line in surprises:
        print(f"UNEXPECTED {line}")
    for line in errors:
        print(f"pmipmc: error: {line}", file=sys.stderr)
    if errors:
        return EXIT_BAD_INPUT
    # with --prove-undecided a verdict may be decided where the search was not: the verdicts count
    incomplete = ([] if proving else [r for r in runs if not r.complete]) or \
        [x for r in runs for x in r.results if x.verdict == UNKNOWN]
    if stopped:
        print(f"pmipmc: stopped ({stopped}): undecided properties are UNKNOWN({stopped})", file=sys.stderr)
        return EXIT_INCOMPLETE
    if add_found:   # what was added is expected now; anything else still surprises
        after = bl.with_found(baseline, runs)
        surprises = [line for run in runs for line in bl.annotate(run, after)]
    if surprises and not args.update_baseline:
        return EXIT_UNEXPECTED
    return EXIT_INCOMPLETE if incomplete else EXIT_OK


def _cluster_options(args, engine: str) -> None:
    args.cluster = getattr(args, "cluster", None)   # prove has no cluster options
    if not args.cluster:
        if getattr(args, "checkpoint", None) or getattr(args, "resume", None):
            raise BadInput("--checkpoint and --resume apply to --cluster runs only")
        return
    from .cluster import parse
    parse(args.cluster)
    if engine in ("prove", "symbolic"):
        raise BadInput("--cluster runs the explicit engine; drop --engine symbolic")
    if args.checkpoint and args.resume:
        raise BadInput("give --checkpoint DIR for a new run or --resume DIR to continue one, not both")
    if getattr(args, "fingerprints", False) and engine in ("explicit", "python"):
        raise BadInput("--fingerprints needs native shards; drop --engine explicit")
    if args.por:   # the shards expand every enabled instance: a reduction asked for must not vanish
        raise BadInput("--por applies to the single-process engines, not --cluster")


def _prove_undecided(provider, jobs: list[Job], runs: list[RunResult], args) -> None:
    """z3 decides what each stopped exploration left open (engine/prove_undecided.py)."""
    from .prove_undecided import prove_undecided
    from .runner import PROVE_SECONDS_PER_PROPERTY, prove_progress
    for job, run in zip(jobs, runs):
        if run.complete or stop.requested():
            continue
        system = provider.build(job.preset, job.variant, **dict(job.overrides))
        n = prove_undecided(run, system, args.prove_seconds or PROVE_SECONDS_PER_PROPERTY,
                            prove_progress(job.variant, args.quiet))
        if not args.quiet:
            left = sum(r.verdict == UNKNOWN for r in run.results)
            print(f"  [{job.variant}] proofs decided {n} more claims; {left} still UNKNOWN", file=sys.stderr)


def _run_cluster(jobs: list[Job], args, memory: int) -> list[RunResult]:
    """The runs go one after another, each over every shard: the memory budget is the shards' sum,
    this machine's default for a local cluster; a remote one has only the budget asked for."""
    from .cluster import parse, run_cluster   # Ray is imported only when asked for
    local = parse(args.cluster)[0] == "local"
    mb = memory / 2**20 if local or args.max_memory else None
    jobs = [dataclasses.replace(j, budget=dataclasses.replace(j.budget, memory_mb=mb)) for j in jobs]
    return run_cluster(jobs, args.cluster, args.checkpoint or args.resume, resume=args.resume is not None)


def _write_outputs(provider, args, runs: list[RunResult], base_path: Path, baseline: dict,
                   outdir: Path | None) -> list[str]:
    """Write every output asked for; one line per output that could not be written."""
    errors: list[str] = []
    doc = {"tool": "pmipmc", "runs": [{**r.to_json(), "by_design": provider.by_design(r.variant)} for r in runs]}
    if args.json:
        text = json.dumps(doc, indent=1, sort_keys=True) + "\n"
        attempt(errors, "--json", args.json, lambda: atomic_text(args.json, text))
    if args.junit:
        from .junit import write_junit
        attempt(errors, "--junit", args.junit, lambda: atomic_file(args.junit, lambda p: write_junit(
            runs, p, lambda run, res: res.expected)))
    if args.update_baseline:
        why = guards.incomplete_for_baseline(runs)
        if why:
            errors.append(f"baseline not updated: {why}")
        elif attempt(errors, "--baseline", base_path,
                     lambda: atomic_text(base_path, bl.dumps(bl.updated(baseline, runs)))):
            print(f"baseline updated: {base_path}", file=sys.stderr)
    if getattr(args, "add_found", False):
        new = bl.with_found(baseline, runs)
        if new == baseline:
            print("baseline unchanged: nothing found that it lacks", file=sys.stderr)
        elif attempt(errors, "--baseline", base_path, lambda: atomic_text(base_path, bl.dumps(new))):
            print(f"baseline: added what was found to {base_path}", file=sys.stderr)
    if outdir:
        if attempt(errors, "--reports", outdir, lambda: replace_dir_entries(outdir, lambda tmp: _write_reports(
                provider, runs, tmp, outdir))):
            print(f"reports written: {outdir / 'README.md'}", file=sys.stderr)
    return errors


def _write_reports(provider, runs: list[RunResult], tmp: Path, outdir: Path) -> None:
    """The report, the suggested text and the trace explorer, into `tmp` (moved to `outdir` after)."""
    from .explorer_html import write_explorer
    from .report import write_report
    from .suggest import write_suggested_text
    # seconds differ from run to run: reports keep only reproducible figures (JSON has the rest)
    write_report(runs, tmp, provider.narrator(), provider.draft_text(), provider.rules(), provider.properties(),
                 provider.variants(), provider.lint_markdown(), timings=False, shown_dir=outdir,
                 system_for=lambda p, v, o: provider.build(p, v, **o), by_design=provider.by_design)
    write_suggested_text(provider, runs, tmp)
    write_explorer(runs, tmp, provider.narrator(), lambda rec: provider.build(rec.preset, rec.variant, **rec.overrides))


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


def _verified(provider, path: Path):
    from .tracefile import load
    from .verify import NotShown, Rejected, verify
    rec = load(path)
    try:
        return rec, verify(provider, rec), ""
    except Rejected as e:
        raise BadInput(f"NOT REPRODUCED: {path.name}: {e}") from None
    except NotShown as e:
        return rec, None, str(e)


def cmd_replay(provider, args) -> int:
    """Exit 0 reproduced; 1 a faithful trace that does not show its verdict; 2 a file the model rejects."""
    rec, ok, why = _verified(provider, args.trace)
    if ok is None:
        print(f"NOT REPRODUCED: {why}")
        return EXIT_UNEXPECTED
    print(f"reproduced: {rec.property} is {ok.word} after {len(ok.trace.steps)} steps "
          f"(preset {rec.preset}, variant {rec.variant})")
    return EXIT_OK


def cmd_render(provider, args) -> int:
    from .render import render_trace
    rec, ok, why = _verified(provider, args.trace)   # draw only what the model reproduces
    if ok is None:
        raise BadInput(f"NOT REPRODUCED: {args.trace.name}: {why}; nothing drawn")
    outdir = args.out or args.trace.parent
    outdir.mkdir(parents=True, exist_ok=True)
    written = render_trace(rec, provider.narrator(), outdir, pcap=args.pcap, stem=args.trace.stem,
                           json_ref=str(args.trace), system=ok.system, state_graph=ok.prop.kind != "reachable",
                           cites=ok.prop.cites, statement=ok.prop.doc, states=rec.states)
    for p in written:
        print(p)
    return EXIT_OK


def cmd_bench(provider, args) -> int:
    presets = args.preset or [provider.DEFAULT_PRESET]
    for p in presets:
        provider.build(p, args.variant)
    if args.cluster:
        from .bench_cluster import bench
        bench(provider, presets, args.variant, args.cluster.split(","), args.time_budget, args.engine,
              args.levels)
        return EXIT_OK
    if args.vs_rumur:
        from .murphi_cli import bench_vs_rumur
        return bench_vs_rumur(provider, presets, args.variant)
    if args.por:
        from .bench_por import bench_por
        return bench_por(provider, presets, [args.variant], not args.no_symmetry)
    with stop.session():
        _bench(provider, args, presets)
    return EXIT_OK


def _bench(provider, args, presets: list[str]) -> None:
    from .native import native_available
    from .native.bench import bench_explicit, engine_rows
    native = args.engine in ("both", "native")
    why = native_available() if native else None
    if why:
        print(f"pmipmc: native engine unavailable ({why}); timing the Python engine only", file=sys.stderr)
    rows = engine_rows(args.engine in ("both", "python") or bool(why), native and not why, _workers(args, 1),
                       args.fingerprints)
    bench_explicit(provider, presets, args.variant, [False] if args.no_symmetry else [True, False], rows,
                   Budget(seconds=args.time_budget))
    if args.symbolic:
        from .bench_symbolic import bench
        bench(provider, tuple(presets))
    return EXIT_OK


def _isolated(job: Job) -> RunResult:
    from .workers import Pool
    with Pool(1) as pool:
        return pool.run([job], run_job, not_run)[0]


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
