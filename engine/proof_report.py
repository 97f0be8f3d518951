"""The "Proofs" section of a report: for each HOLDS, the inductive invariant that closes it.

For a spec author the invariant is the *reason* the text is safe: every clause holds initially
and is kept by every rule, given the others.  Clauses use the model's own state names.  The
verdict matrix links each proved cell to its block here (`proof_anchor`).
"""
from __future__ import annotations

from .results import RunResult


def proof_anchor(run: RunResult, prop: str) -> str:
    return f"proof-{run.preset}-{run.variant}-{prop}".replace("_", "-").lower()


def _how(r) -> str:
    return f" ({r.method}, {r.seconds:.1f} s)" if r.method and r.seconds is not None else ""


def proof_lines(runs: list[RunResult]) -> list[str]:
    """Markdown lines, empty when no result carries an invariant."""
    out: list[str] = []
    for run in runs:
        for r in run.results:
            if not r.invariant:
                continue
            out += ["", f'<a id="{proof_anchor(run, r.property)}"></a>',
                    f"### `{r.property}` — {run.variant}, preset {run.preset}: {r.verdict}{_how(r)}", "", r.reason, ""]
            out += [f"- `{line}`" for line in r.invariant]
    return (["", "## Proofs", "", "Each proof's inductive invariant, pruned to the clauses the proof needs "
             "(unsat cores, closed under one step of every rule); lemmas named here were proved first."]
            + out) if out else []


def proof_text(runs: list[RunResult]) -> str:
    """Plain text for the terminal: one block per proved property that has an invariant."""
    out = []
    for run in runs:
        for r in run.results:
            if r.invariant:
                out.append(f"{r.property} [{run.variant}, {run.preset}]: {r.verdict}{_how(r)} — {r.reason}")
                out += [f"    {line}" for line in r.invariant]
    return "\n".join(out)
