"""Expected outcomes, checked in, so a CI gate fails only on *new* findings.

The baseline maps preset -> variant -> {"violated": [...], "not_witnessed": [...]}.  A result
is unexpected when a property is violated that is not listed, when a listed violation
vanished, or when a witness changes between found and not found.
"""
from __future__ import annotations

import json
from pathlib import Path

from .results import FOUND, HOLDS, HOLDS_WITHIN_BOUNDS, VIOLATED, RunResult


class BaselineError(ValueError):
    pass


def load(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise BaselineError(f"baseline {path.name} is not valid JSON: {e.msg} at line {e.lineno}") from None
    if not isinstance(data, dict):
        raise BaselineError(f"baseline {path.name} must map presets to variants")
    return data


def expected_sets(baseline: dict, preset: str, variant: str) -> tuple[set, set]:
    entry = baseline.get(preset, {}).get(variant, {})
    return set(entry.get("violated", [])), set(entry.get("not_witnessed", []))


def annotate(run: RunResult, baseline: dict) -> list[str]:
    """Mark each result expected or not; return one line per surprise."""
    violated, unwitnessed = expected_sets(baseline, run.preset, run.variant)
    surprises = []
    for r in run.results:
        if r.kind == "reachable":
            if r.verdict == FOUND:
                r.expected = r.property not in unwitnessed
            elif r.verdict == HOLDS_WITHIN_BOUNDS:
                r.expected = r.property in unwitnessed
            else:
                r.expected = True
        elif r.verdict == VIOLATED:
            r.expected = r.property in violated
        elif r.verdict in (HOLDS, HOLDS_WITHIN_BOUNDS):
            r.expected = r.property not in violated
        else:
            r.expected = True   # UNKNOWN is "incomplete", reported by exit code 3
        if not r.expected:
            surprises.append(f"{run.variant}: {r.property} is {r.shown}, baseline expects otherwise")
    return surprises


def updated(baseline: dict, runs: list[RunResult]) -> dict:
    out = json.loads(json.dumps(baseline))
    for run in runs:
        # a truncated run records only what it found: its undecided properties are UNKNOWN, which
        # never count as holding, so nothing unproven enters the baseline as "holds"
        entry = out.setdefault(run.preset, {}).setdefault(run.variant, {})
        entry["violated"] = sorted(r.property for r in run.results if r.kind != "reachable" and r.verdict == VIOLATED)
        entry["not_witnessed"] = sorted(r.property for r in run.results
                                        if r.kind == "reachable" and r.verdict == HOLDS_WITHIN_BOUNDS)
    return out


def save(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
