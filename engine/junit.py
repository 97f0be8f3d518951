"""JUnit XML for CI systems: one testcase per variant x property.

A violation listed in the baseline is the draft's known defect, not a regression: it passes.
UNKNOWN is skipped with its reason (the run was cut short, so nothing was shown either way).
A reachable witness that is not witnessed fails whatever the baseline says: a vacuous check is
the defect the witnesses exist to catch.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable

from .results import NOT_WITNESSED, UNKNOWN, PropertyResult, RunResult


def outcome(run: RunResult, res: PropertyResult, expected: Callable[[RunResult, PropertyResult], bool]
            ) -> tuple[str, str]:
    """("pass" | "failure" | "skipped", message)."""
    if res.verdict == UNKNOWN:
        return "skipped", res.reason or "unknown"
    if res.kind == "reachable":
        if res.shown == NOT_WITNESSED:
            return "failure", f"{res.property}: no reachable state witnesses it (vacuity) [{res.cites}]"
        return "pass", ""
    if expected(run, res):
        return "pass", "expected (baseline)" if res.shown.startswith("VIOLATED") else ""
    if res.shown.startswith("VIOLATED"):
        return "failure", f"{res.property} VIOLATED in {len(res.trace.steps) if res.trace else '?'} steps, " \
                          f"not in the baseline [{res.cites}]"
    return "failure", f"{res.property} is {res.shown}, but the baseline expects a violation"


def write_junit(runs: list[RunResult], path: Path, expected: Callable[[RunResult, PropertyResult], bool]) -> Path:
    root = ET.Element("testsuites", name="pmipmc")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for run in runs:
        suite = ET.SubElement(root, "testsuite", name=f"{run.preset}.{run.variant}")
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for res in run.results:
            case = ET.SubElement(suite, "testcase", name=res.property,
                                 classname=f"pmipmc.{run.preset}.{run.variant}.{res.kind}")
            kind, msg = outcome(run, res, expected)
            counts["tests"] += 1
            if kind == "failure":
                counts["failures"] += 1
                ET.SubElement(case, "failure", message=msg, type=res.verdict).text = res.statement
            elif kind == "skipped":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=msg)
            elif msg:
                ET.SubElement(case, "system-out").text = msg
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
        suite.set("errors", "0")
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("errors", "0")
    ET.indent(root)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path
