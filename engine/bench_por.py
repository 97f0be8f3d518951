"""`pmipmc bench --por`: what partial-order reduction removes, per preset and variant.

Each variant runs twice in fresh worker processes, with every property checked (visibility, and
so the reduction, depends on what is checked): once in full, once with `--por`.  The verdicts
must agree; a difference is reported as an error (exit 1), never hidden.  Progress properties
are left out of the comparison: they are never decided on a reduced graph (UNKNOWN(por)).
"""
from __future__ import annotations

import importlib
from concurrent.futures import ProcessPoolExecutor

from .errors import EXIT_OK, EXIT_UNEXPECTED
from .results import RunResult


def _run(provider_name: str, preset: str, variant: str, symmetry: bool, por: bool) -> RunResult:
    from .check import run_explicit
    provider = importlib.import_module(provider_name)
    return run_explicit(provider.build(preset, variant), preset, variant, symmetry=symmetry, por=por)


def _verdicts(run: RunResult) -> list[tuple[str, str]]:
    return [(r.property, r.verdict) for r in run.results if r.kind != "progress"]


def _pct(removed: int, total: int) -> str:
    return f"{100.0 * removed / total:.1f}%" if total else "-"


def bench_por(provider, presets: list[str], variants: list[str], symmetry: bool) -> int:
    print(f"every property checked, symmetry {'on' if symmetry else 'off'}; seconds are noisy on a shared machine")
    print(f"{'preset':<10} {'variant':<17} {'states':>10} {'with POR':>10} {'removed':>8} {'transitions':>12} "
          f"{'with POR':>12} {'removed':>8} {'seconds':>8} {'with POR':>8}  verdicts", flush=True)
    differ = False
    for p in presets:
        for v in variants:
            with ProcessPoolExecutor(max_workers=1) as pool:
                full = pool.submit(_run, provider.__name__, p, v, symmetry, False).result()
                red = pool.submit(_run, provider.__name__, p, v, symmetry, True).result()
            same = _verdicts(full) == _verdicts(red)
            differ |= not same
            print(f"{p:<10} {v:<17} {full.states:>10,} {red.states:>10,} "
                  f"{_pct(full.states - red.states, full.states):>8} {full.transitions:>12,} {red.transitions:>12,} "
                  f"{_pct(full.transitions - red.transitions, full.transitions):>8} {full.seconds:>8.1f} "
                  f"{red.seconds:>8.1f}  {'same' if same else 'DIFFER'}"
                  f"{'' if full.complete and red.complete else '  INCOMPLETE'}", flush=True)
    return EXIT_UNEXPECTED if differ else EXIT_OK
