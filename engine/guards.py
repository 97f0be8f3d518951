"""Checks made before a run starts, so minutes of work never end in a refusal that was knowable.

Conflicting flags, a baseline update that could not be complete, output paths that cannot be
written, and a worker count beyond the runs or the cores: each is one line, before any search.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from .errors import BadInput


def conflicting_flags(args, engine: str) -> None:
    if getattr(args, "no_reports", False) and args.reports is not None:
        raise BadInput("--no-reports and --reports contradict each other; give one")
    if engine in ("prove", "symbolic"):
        flag = "--max-states" if args.max_states is not None else "--no-symmetry" if args.no_symmetry else None
        if flag:
            what = "prove" if engine == "prove" else "--engine symbolic"
            raise BadInput(f"{flag} applies to the explicit engine, not {what}")
    if getattr(args, "prove_seconds", None) is not None and not getattr(args, "prove_undecided", False):
        raise BadInput("--prove-seconds applies only with --prove-undecided")
    if getattr(args, "prove_undecided", False) and engine == "symbolic":
        raise BadInput("--prove-undecided follows an explicit exploration, not --engine symbolic")
    if args.update_baseline and getattr(args, "add_found", False):
        raise BadInput("--update-baseline and --add-found contradict each other; give one")
    if args.update_baseline:
        why = ("--property checks a subset" if args.property else
               "prove does not decide every property" if engine == "prove" else
               "--engine symbolic --depth K is bounded" if engine == "symbolic" else
               "--max-states may stop the search" if args.max_states else
               "--time-budget may stop the search" if args.time_budget else "")
        if why:
            raise BadInput(f"--update-baseline needs a complete run of every property: {why}")


def incomplete_for_baseline(runs) -> str:
    """Why these results may not become the baseline ("" when they may)."""
    for run in runs:
        undecided = [r.property for r in run.results if r.verdict == "UNKNOWN"]
        if not run.complete or undecided:
            return (f"variant {run.variant} is incomplete ({run.reason or 'UNKNOWN ' + undecided[0]})")
    return ""


def _probe(flag: str, path: Path, folder: Path) -> None:
    """Create and remove a file in `folder`: permissions alone do not tell (root, read-only mounts, /proc)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        raise BadInput(f"{flag} {path}: cannot write in {folder}: {e.strerror}") from None


def writable_file(flag: str, path: Path | None) -> None:
    if path is None:
        return
    if path.is_dir():
        raise BadInput(f"{flag} {path}: is a directory, not a file")
    if path.exists() and not path.is_file():   # a device or a pipe: opened as it is
        try:
            path.open("ab").close()
        except OSError as e:
            raise BadInput(f"{flag} {path}: {e.strerror}") from None
        return
    if not path.parent.is_dir():
        raise BadInput(f"{flag} {path}: folder {path.parent} does not exist")
    _probe(flag, path, path.parent)


def writable_dir(flag: str, path: Path | None) -> None:
    if path is None:
        return
    if path.exists() and not path.is_dir():
        raise BadInput(f"{flag} {path}: exists and is not a folder")
    folder = next(p for p in [path, *path.absolute().parents] if p.exists())
    if not folder.is_dir():
        raise BadInput(f"{flag} {path}: {folder} is not a folder")
    _probe(flag, path, folder)


def workers(asked: int | None, runs: int) -> int:
    """Worker processes: at most one per run and one per core; say so when the request is cut."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    cap = max(1, min(runs, cores))
    if asked is None:
        return min(2, cap)
    if asked > cap:
        print(f"note: --jobs {asked} capped at {cap} ({runs} run(s), {cores} core(s))", file=sys.stderr)
    return min(asked, cap)
