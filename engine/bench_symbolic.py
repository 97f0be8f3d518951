"""Side-by-side figures for the symbolic engine: prove, BMC and explicit search on the same question.

For each preset and variant, the explicit engine runs first: it says which invariants (and
quiescent claims) hold within the bounds and how deep its deepest counterexample is.  Then, per
such claim: seconds to prove it (k-induction, then Spacer), seconds for BMC of that claim alone
to the deepest explicit counterexample's depth, and seconds for the explicit engine to answer
that claim alone.  Figures are printed, not asserted; time budgets keep a slow solver bounded.
"""
from __future__ import annotations

import time
from typing import Callable, Sequence

from .bmc import search
from .check import run_explicit
from .explore import Budget
from .results import HOLDS_WITHIN_BOUNDS
from .session import prove_all
from .symbolic import Encoder


def bench(provider, presets: Sequence[str] = ("ci", "thorough"), variants: Sequence[str] | None = None,
          lemmas: Sequence = (), prove_timeout_s: float = 60.0, explicit_budget_s: float | None = 600.0,
          out: Callable[[str], None] = print) -> list[dict]:
    """Print one line per invariant that holds; returns the same figures as dicts."""
    variants = list(variants) if variants is not None else provider.variant_names()[:1]
    rows: list[dict] = []
    out(f"{'preset':9} {'variant':16} {'property':52} {'prove s':>8} {'verdict':9} {'method':18} "
        f"{'bmc s':>7} {'k':>3} {'explicit s':>10}")
    for preset in presets:
        for variant in variants:
            system = provider.build(preset, variant)
            t0 = time.monotonic()
            ex = run_explicit(system, preset, variant, budget=Budget(seconds=explicit_budget_s))
            whole = time.monotonic() - t0
            if not ex.complete:
                out(f"{preset:9} {variant:16} explicit search incomplete after {whole:.1f}s ({ex.reason}); "
                    "'holds' below means 'not violated so far'")
            depth = max([r.depth for r in ex.results if r.depth is not None] + [1])
            enc = Encoder(system)
            holding = [next(q for q in system.properties if q.name == r.property) for r in ex.results
                       if r.kind in ("invariant", "quiescent") and r.verdict == HOLDS_WITHIN_BOUNDS]
            proofs = {pf.prop.name: pf for pf in prove_all(enc, holding, list(lemmas), 3, prove_timeout_s)}
            for p in holding:
                pf = proofs[p.name]
                t1 = time.monotonic()
                sr = search(system, [p], depth, time.monotonic() + prove_timeout_s, enc)
                bmc_s = time.monotonic() - t1
                t2 = time.monotonic()
                run_explicit(system, preset, variant, names={p.name}, budget=Budget(seconds=explicit_budget_s))
                exp_s = time.monotonic() - t2
                row = {"preset": preset, "variant": variant, "property": p.name, "prove_s": round(pf.seconds, 2),
                       "verdict": pf.verdict, "method": pf.method, "bmc_s": round(bmc_s, 2),
                       "bmc_verdict": sr.outcomes[0].verdict, "depth": depth, "explicit_s": round(exp_s, 2),
                       "reason": pf.reason}
                rows.append(row)
                out(f"{preset:9} {variant:16} {p.name[:52]:52} {pf.seconds:8.2f} {pf.verdict[:9]:9} "
                    f"{pf.method[:18]:18} {bmc_s:7.2f} {depth:3d} {exp_s:10.2f}")
    return rows


__all__ = ["bench"]
