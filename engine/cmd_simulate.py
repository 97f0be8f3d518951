"""`pmipmc simulate`: the fast CI tier, random walks over presets too big to exhaust.

Exit codes follow `check`, read for an incomplete method: 0 when nothing unexpected was hit
(properties not hit are UNKNOWN, which simulation cannot settle and does not fail on), 1 when a
violation outside the baseline was hit (with its minimised trace), 2 for bad input.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import baseline as bl
from .errors import EXIT_OK, EXIT_UNEXPECTED, BadInput
from .progress import Progress, line, rss_mb
from .results import VIOLATED
from .simulate import MODES, run_simulation
from .table import verdict_matrix


def add_parser(sub, provider, positive_int) -> None:
    s = sub.add_parser("simulate", help="seeded random walks checking every property (fast CI tier)")
    s.add_argument("--preset", default=None, help=f"bounds preset (default {provider.DEFAULT_PRESET})")
    s.add_argument("--variant", action="append", default=[], help="variant (repeatable; default: the spec as written)")
    s.add_argument("--property", action="append", default=[], help="property (repeatable; default all)")
    s.add_argument("--walks", type=positive_int, default=1000, help="random walks per variant (default 1000)")
    s.add_argument("--depth", type=positive_int, default=100, help="steps per walk at most (default 100)")
    s.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same walks")
    s.add_argument("--mode", choices=MODES, default="mixed",
                   help="uniform over enabled rule instances, swarm (per-walk rule weights) or both alternating")
    s.add_argument("--json", type=Path, help="write the machine-readable results here")
    s.add_argument("--traces", type=Path, help="write each minimised trace here (<variant>/<property>.json, .itf.json)")
    s.add_argument("--baseline", type=Path, default=None, help="expected violations (default: the model's)")
    s.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _progress(variant: str, quiet: bool):
    bar = Progress(quiet=quiet)

    def report(sim, elapsed: float) -> None:
        bar.update(lambda: line(variant, len(sim.visited), sim.longest, None, elapsed, rss_mb(), "states")
                   + f", {sim.walks:,} walks, {len(sim.found)} hit", elapsed)
    report.done = bar.done
    return report


def cmd_simulate(provider, args: argparse.Namespace) -> int:
    preset = args.preset or provider.DEFAULT_PRESET
    provider.build(preset, provider.DEFAULT_VARIANT)
    known = provider.variant_names()
    for v in args.variant:
        if v not in known:
            raise BadInput(f"unknown variant {v!r} (known: {', '.join(known)})")
    props = {p["name"] for p in provider.properties()}
    for p in args.property:
        if p not in props:
            raise BadInput(f"unknown property {p!r} (see 'pmipmc list properties')")
    baseline = bl.load(args.baseline or provider.BASELINE)
    runs, figures, surprises = [], [], []
    for v in dict.fromkeys(args.variant or [provider.DEFAULT_VARIANT]):
        system = provider.build(preset, v)
        progress = _progress(v, args.quiet)
        run, sim = run_simulation(system, preset, v, args.walks, args.depth, args.seed, args.mode,
                                  set(args.property) or None, progress)
        progress.done()
        surprises += bl.annotate(run, baseline)
        runs.append(run)
        walks_per_s = sim.walks / sim.seconds if sim.seconds > 0 else 0.0
        figures.append({"walks": sim.walks, "depth_limit": args.depth, "seed": args.seed, "mode": args.mode,
                        "steps": sim.steps, "walks_per_s": round(walks_per_s, 1)})
        hit = [r for r in run.results if r.verdict == VIOLATED]
        print(f"[{v}] {sim.walks:,} walks, {sim.steps:,} steps, {run.states:,} distinct states, "
              f"{sim.seconds:.1f}s, {walks_per_s:,.0f} walks/s, {len(hit)} violation(s)", file=sys.stderr)
    print(verdict_matrix(runs))
    print("? = not hit by any walk: simulation proves nothing; FAIL@n = violated, minimised trace of n steps")
    if args.json:
        doc = {"tool": "pmipmc", "runs": [dict(r.to_json(), simulation=f) for r, f in zip(runs, figures)]}
        args.json.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    if args.traces:
        from .report import write_traces
        write_traces(runs, args.traces, provider.narrator(), pictures=False,
                     system_for=lambda p, v, o: provider.build(p, v, **o))
    for s in surprises:
        print(f"UNEXPECTED {s}")
    return EXIT_UNEXPECTED if surprises else EXIT_OK
