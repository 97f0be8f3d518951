"""Expected outcomes, checked in, so a CI gate fails only on *new* findings.

The baseline maps preset -> variant -> {"violated": [...], "not_witnessed": [...]}.  A result
is unexpected when a property is violated that is not listed, when a listed violation
vanished, or when a witness changes between found and not found.
"""
from __future__ import annotations

import json
from pathlib import Path

from .results import FOUND, HOLDS, HOLDS_WITHIN_BOUNDS, UNKNOWN, VIOLATED, RunResult


class BaselineError(ValueError):
    pass


def load(path: Path, must_exist: bool = True) -> dict:
    """The baseline at `path`, shape-checked; a missing file is an error unless it is to be created."""
    if not path.exists():
        if must_exist:
            raise BaselineError(f"no such baseline file: {path}")
        return {}
    if not path.is_file():
        raise BaselineError(f"baseline {path}: not a file")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise BaselineError(f"baseline {path.name} is not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise BaselineError(f"baseline {path.name} is not valid JSON: {e.msg} at line {e.lineno}") from None
    except RecursionError:
        raise BaselineError(f"baseline {path.name} is nested too deeply") from None
    check_shape(data, path.name)
    return data


def check_shape(data, name: str) -> None:
    """preset -> variant -> {"violated": [names], "not_witnessed": [names]}; "_lint": [ids]."""
    def names(where: str, v) -> None:
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise BaselineError(f"baseline {name}: {where} must be a list of names, not {json.dumps(v)[:40]}")
    if not isinstance(data, dict):
        raise BaselineError(f"baseline {name} must map presets to variants")
    for preset, variants in data.items():
        if preset == "_lint":
            names("_lint", variants)
            continue
        if not isinstance(variants, dict):
            raise BaselineError(f"baseline {name}: {preset} must map variants to expectations")
        for variant, entry in variants.items():
            where = f"{preset}.{variant}"
            if not isinstance(entry, dict):
                raise BaselineError(f"baseline {name}: {where} must map violated / not_witnessed to names")
            for key, v in entry.items():
                if key not in ("violated", "not_witnessed"):
                    raise BaselineError(f"baseline {name}: {where}.{key} is not violated or not_witnessed")
                names(f"{where}.{key}", v)


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


def bounded(runs: list[RunResult], baseline: dict) -> None:
    """A bounded (BMC) run says nothing beyond its depth: an expected violation or witness it did
    not reach is UNKNOWN(depth), not vanished."""
    for run in runs:
        if run.bound is None:
            continue
        violated, unwitnessed = expected_sets(baseline, run.preset, run.variant)
        for r in run.results:
            if r.verdict != HOLDS_WITHIN_BOUNDS:
                continue
            if (r.property not in unwitnessed) if r.kind == "reachable" else (r.property in violated):
                r.verdict, r.reason = UNKNOWN, "depth"


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


def with_found(baseline: dict, runs: list[RunResult]) -> dict:
    """`baseline` plus what these runs found: violations and witnesses, each backed by a trace the
    Python engine re-executed, are facts whether or not the run finished.  Nothing is removed, so
    a run that cannot finish (thorough) never turns an undecided property into "holds"."""
    out = json.loads(json.dumps(baseline))
    for run in runs:
        entry = out.setdefault(run.preset, {}).setdefault(run.variant, {})
        found = {r.property for r in run.results if r.kind != "reachable" and r.verdict == VIOLATED}
        seen = {r.property for r in run.results if r.kind == "reachable" and r.verdict == FOUND}
        # a witness an incomplete run calls unreachable was proved so (check --prove-undecided): a fact too
        never = {r.property for r in run.results if r.kind == "reachable" and r.verdict == HOLDS_WITHIN_BOUNDS}
        entry["violated"] = sorted(set(entry.get("violated", [])) | found)
        entry["not_witnessed"] = sorted((set(entry.get("not_witnessed", [])) | never) - seen)
    return out


def dumps(data: dict) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"
