"""The verdict matrix printed by `check`: one row per property, one column per variant."""
from __future__ import annotations

from .results import FOUND, HOLDS, HOLDS_FOR_ALL_SIZES, HOLDS_WITHIN_BOUNDS, UNKNOWN, VIOLATED, RunResult

SHORT = {HOLDS: "proved", HOLDS_WITHIN_BOUNDS: "holds", UNKNOWN: "?", HOLDS_FOR_ALL_SIZES: "all-sizes"}


def cell(r) -> str:
    if r.kind == "reachable":
        text = f"seen@{r.depth}" if r.verdict == FOUND else ("unseen" if r.verdict == HOLDS_WITHIN_BOUNDS else "?")
    elif r.verdict == VIOLATED:
        text = f"FAIL@{r.depth}"
    else:
        text = SHORT.get(r.verdict, r.verdict)
    return text + ("" if r.expected else "!")


def verdict_matrix(runs: list[RunResult]) -> str:
    if not runs:
        return "(nothing checked)"
    props = [r.property for r in runs[0].results]
    kinds = {r.property: r.kind for r in runs[0].results}
    width = max(len(p) for p in props) + 2
    cols = [max(len(run.variant), 8) for run in runs]
    head = f"{'property':<{width}}{'kind':<11}" + " ".join(f"{run.variant:>{w}}" for run, w in zip(runs, cols))
    lines = [head, "-" * len(head)]
    by_run = [{r.property: r for r in run.results} for run in runs]
    for p in props:
        cells = " ".join(f"{cell(b[p]):>{w}}" if p in b else f"{'-':>{w}}" for b, w in zip(by_run, cols))
        lines.append(f"{p:<{width}}{kinds[p]:<11}{cells}")
    lines.append("-" * len(head))
    lines.append(f"{'states':<{width + 11}}" + " ".join(f"{run.states:>{w},}" for run, w in zip(runs, cols)))
    lines.append(f"{'complete':<{width + 11}}" + " ".join(f"{'yes' if run.complete else 'NO':>{w}}"
                                                          for run, w in zip(runs, cols)))
    if any(r.verdict == HOLDS_FOR_ALL_SIZES for run in runs for r in run.results):
        lines.append("all-sizes = proved for every depth and every number of MAGs, listeners and senders")
    if any(r.verdict == HOLDS for run in runs for r in run.results):
        lines.append("proved = proved with z3 for every execution, however long (these numbers of MAGs and MNs)")
    lines.append("holds = exhaustive within bounds; FAIL@n = violated, shortest trace n steps; seen@n = witness "
                 "found; unseen = witness not reachable; ! = differs from the baseline")
    if any(run.engine.endswith("+por") for run in runs):
        lines.append("partial-order reduction (--por): a trace of n steps exists, a shorter one may too")
    return "\n".join(lines)
