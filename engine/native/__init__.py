"""The native explicit engine: C generated from the model's expression IR, compiled on first use.

`run_native` is `check.run_explicit` with the exploration done in C; `native_available` says
whether this machine can build it (None) or why not.
"""
from __future__ import annotations

from typing import Callable

from ..api import System
from ..check import run_result
from ..explore import Budget
from ..results import RunResult
from .build import BuildError, native_available
from .run import NativeError, default_workers, explore_native

__all__ = ["run_native", "native_available", "explore_native", "default_workers", "BuildError", "NativeError"]


def run_native(system: System, preset: str, variant: str, names: set[str] | None = None,
               symmetry: bool = True, budget: Budget = Budget(), progress: Callable | None = None,
               overrides: dict | None = None, workers: int | None = None,
               fingerprints: bool = False, coverage: bool = False, por: bool = False,
               settle: tuple[int, int] | None = None) -> RunResult:
    """One run with the native engine; results (traces included) as run_explicit gives them.
    Codegen/compile seconds and bytes per state travel on `result.native`."""
    props = [p for p in system.properties if names is None or p.name in names]
    ex = explore_native(system, {p.name for p in props}, symmetry, budget, progress, workers,
                        fingerprints, coverage, por, **({"settle": settle} if settle else {}))
    run = run_result(system, ex, props, preset, variant, symmetry, overrides, "native+por" if por else "native")
    run.coverage = ex.coverage
    run.native = ex.stats
    run.progress_search = ex.stats.settle
    return run
