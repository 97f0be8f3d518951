"""`pmipmc prove --all-sizes`: the claims proved for every number of MAGs, listeners and senders.

Per variant: the model read over symbolic sorts with the preset's environment switches
(provider.build_param), Houdini over the claims, the quiescent claims' bodies (offered as
invariants) and the lemmas, then for each claim HOLDS_FOR_ALL_SIZES with the inductive
invariant that closes it, or UNKNOWN with the counterexample to induction as a small domain.
Seconds are measured per claim (Houdini is shared, its time is reported once per variant).
"""
from __future__ import annotations

import json
import sys
import time

from .api import Kind
from .errors import BadInput
from .param_prove import CTI, Cand, Inconclusive, Prover
from .param_text import clause_text
from .results import HOLDS_FOR_ALL_SIZES, UNKNOWN, PropertyResult, RunResult


def candidate(prover: Prover, p, as_invariant: bool = False) -> Cand:
    insts = prover.enc.clause_instances(p)
    params = p.params()
    texts = [clause_text(prover.pm.schema, params, i.pattern, i.body) for i in insts]
    name = p.name + (" (as an invariant)" if as_invariant else "")
    return Cand(name, insts, "; ".join(texts), p.name if not as_invariant else None)


def cti_text(c: CTI) -> list[str]:
    if c.note:
        return [f"  z3 gave up ({c.note}) after {c.rule}: the clause was dropped (that keeps the proof sound)"]
    sizes = ", ".join(f"{v} {k}" for k, v in c.sizes.items())
    out = [f"  counterexample to induction: {c.rule}, domain of {sizes}"]
    out += [f"    {k:<32} {v}" for k, v in c.table]
    return out


def prove_variant(provider, preset: str | None, variant: str, names: set | None, budget: float,
                  generated: bool = False, minimise: bool = True,
                  ground_s: float = 5.0) -> tuple[RunResult, list[str]]:
    t0 = time.monotonic()
    pm = provider.build_param(preset, variant)
    prover = Prover(pm, timeout_s=20.0)
    claims = [p for p in pm.properties if p.kind in (Kind.INVARIANT, Kind.QUIESCENT)
              and (names is None or p.name in names)]
    cands, unreadable, lines = [], {}, []
    for p in claims:
        try:
            cands.append(candidate(prover, p, as_invariant=p.kind == Kind.QUIESCENT))
        except TypeError as e:   # a loop over a whole sort not written with some/every/each
            unreadable[p.name] = str(e)
    for lem in pm.lemmas:
        cands.append(candidate(prover, lem))
    if generated:
        from .param_candidates import candidates as schema_clauses
        cands += [candidate(prover, g) for g in schema_clauses(pm.schema)]
    deadline = t0 + budget
    results = []
    try:
        out = prover.houdini(cands, deadline)
        houdini_s = out.seconds
        failure = ""
    except Inconclusive as e:
        out, houdini_s, failure = None, time.monotonic() - t0, str(e)
    lines.append(f"{variant}: Houdini over {len(cands)} quantified candidates, {houdini_s:.1f} s, "
                 f"{prover.queries} z3 queries" + (f" ({failure})" if failure else ""))
    alive = out.alive if out else []
    facts: list[Cand] = []   # quiescent claims proved so far, in order: each may be assumed by later ones
    retry = []
    for p in claims:
        res, more = _claim(prover, p, out, alive, unreadable, failure, minimise, ground_s, facts)
        lines += more
        results.append(res)
        if p.kind == Kind.QUIESCENT and res.verdict == UNKNOWN and out is not None and p.name not in unreadable:
            retry.append(len(results) - 1)
    while retry:   # a claim left open may close with the quiescent claims proved after it
        known = len(facts)
        for k in list(retry):
            p = claims[k]
            res, more = _claim(prover, p, out, alive, unreadable, failure, minimise, ground_s, facts)
            if res.verdict == HOLDS_FOR_ALL_SIZES:
                lines += more
                results[k] = res
                retry.remove(k)
        if len(facts) == known:
            break
    run = RunResult(variant, preset or "every switch", "all-sizes", out is not None, failure, 0, 0, 0, time.monotonic() - t0, 0.0, False,
                    results)
    return run, lines


def _claim(prover: Prover, p, out, alive, unreadable, failure, minimise, ground_s, facts: list):
    """One claim's verdict (a proved quiescent claim joins `facts`) and the lines it printed."""
    t1 = time.monotonic()
    lines: list[str] = []
    res = PropertyResult(p.name, p.kind, p.cites, p.doc, p.topic, UNKNOWN)
    if p.name in unreadable:
        res.reason = f"not readable over symbolic sorts: {unreadable[p.name]}"
    elif _vacuous(prover, p):
        res.reason = "no clause in this environment (its switch is off): nothing is proved"
    elif out is None:
        res.reason = failure
    else:
        res.verdict, res.reason, res.invariant, more = _decide(prover, p, out, alive, minimise, ground_s,
                                                               tuple(facts))
        lines += more
        if p.kind == Kind.QUIESCENT and res.verdict == HOLDS_FOR_ALL_SIZES:
            facts.append(candidate(prover, p))
    res.depth = None
    res.method = "quantified Houdini" + (", grounded quiescence" if p.kind == Kind.QUIESCENT else "")
    res.seconds = time.monotonic() - t1   # after the shared Houdini run, which the run's line reports
    lines.append(f"  {p.name}: {res.shown} ({res.seconds:.1f} s after Houdini)")
    return res, lines


def _grounded(prover: Prover, p, alive, goal, seconds: float, lines: list, facts: tuple = ()):
    """The quiescent claim with quiescence grounded lazily (engine/param_ground.py): a verdict with
    the invariant and the quiescence instances it needed, or None (not proved: the caller tries
    the cheaper instantiation at the claim's own elements and reports that counterexample)."""
    if seconds <= 0:
        return None
    try:
        cti, how = prover.grounded_at_quiescence(alive, goal, seconds, facts)
    except Inconclusive as e:
        lines.append(f"  {p.name}: quiescence grounding gave no answer ({e})")
        return None
    if cti is not None:
        lines += [f"  {p.name}: a quiescent state (every rule disabled at every tuple) satisfies the "
                  f"invariant and violates it, after {how.rounds} rounds"] + cti_text(cti)
        return UNKNOWN, "a quiescent state satisfying the invariant violates it (see the table)", [], lines
    try:
        support = prover.support(alive, goal, True, need=how.used_clauses)
    except Inconclusive:
        support = alive
    texts = [f"{c.name}: {c.text}" for c in support]
    if how.used_facts:
        texts.append("quiescent claims assumed (each proved for all sizes before this one): "
                     + "; ".join(sorted(how.used_facts)))
    if how.used_quiet:
        texts.append("quiescence used (these rule instances disabled): " + "; ".join(how.used_quiet))
    where = (f"at fixed terms (level {how.fixed_level}: the claim's constants, Skolem witnesses"
             + (", one MAG read of them)" if how.fixed_level else ")")) if how.fixed_level is not None \
        else f"in {how.rounds} model-led rounds"
    lines.append(f"  {p.name}: proved with quiescence grounded at {how.instances} instances {where}")
    return HOLDS_FOR_ALL_SIZES, "proved for every number of MAGs, listeners and senders", texts, lines


def _decide(prover: Prover, p, out, alive, minimise: bool = True, ground_s: float = 5.0, facts: tuple = ()):
    by_name = {c.name: c for c in alive}
    lines = []
    if p.kind == Kind.INVARIANT:
        goal = by_name.get(p.name)
        if goal is None:
            cti = out.dropped.get(p.name)
            lines += [f"  {p.name}: not inductive with what Houdini kept"] + (cti_text(cti) if cti else [])
            return UNKNOWN, "not inductive for all sizes (see the counterexample to induction)", [], lines
        quiescent = False
    else:
        goal = candidate(prover, p)
        grounded = _grounded(prover, p, alive, goal, ground_s, lines, facts)
        if grounded is not None:
            return grounded
        try:
            cti = prover.entails_at_quiescence(alive, goal)
        except Inconclusive as e:
            return UNKNOWN, f"quiescence check: {e}", [], lines
        if cti is not None:
            lines += [f"  {p.name}: the invariant and quiescence do not exclude its violation"] + cti_text(cti)
            as_inv = out.dropped.get(p.name + " (as an invariant)")
            if as_inv is not None and as_inv.table:
                lines += [f"  ({p.name} as an invariant was dropped by:)"] + cti_text(as_inv)
            return UNKNOWN, "a quiescent state satisfying the invariant violates it (see the table)", [], lines
        quiescent = True
    try:
        support = prover.support(alive, goal, quiescent) if minimise and not quiescent else alive
    except Inconclusive:
        support = alive
    texts = [f"{c.name}: {c.text}" for c in support]
    return HOLDS_FOR_ALL_SIZES, "proved for every number of MAGs, listeners and senders", texts, lines


def cmd_all_sizes(provider, args) -> int:
    if not hasattr(provider, "build_param"):
        raise BadInput("this model has no symbolic reading (--all-sizes)")
    preset = args.preset   # None: the model's widest environment
    variants = args.variant or ["repaired"]
    unknown = [v for v in variants if v not in provider.variant_names()]
    if unknown:
        raise BadInput(f"unknown variant {unknown[0]!r}")
    known = {p["name"] for p in provider.properties()}
    bad = [n for n in args.property if n not in known]
    if bad:
        raise BadInput(f"unknown property {bad[0]!r}")
    names = set(args.property) or None
    if getattr(args, "ground_seconds", 0.0) < 0:
        raise BadInput(f"--ground-seconds {args.ground_seconds}: must be 0 or more")
    budget = args.time_budget or 1800.0
    runs = []
    for v in variants:
        run, lines = prove_variant(provider, preset, v, names, budget, generated=args.schema_candidates,
                                   ground_s=getattr(args, "ground_seconds", 20.0))
        runs.append(run)
        if not args.quiet:
            print("\n".join(lines), file=sys.stderr)
    from .table import verdict_matrix
    print(verdict_matrix(runs))
    from .proof_report import proof_lines, proof_text
    text = proof_text(runs)
    if text:
        print("\n" + text)
    if args.reports and not args.no_reports:   # the report's Proofs section, for every domain size
        args.reports.mkdir(parents=True, exist_ok=True)
        body = ["# Proofs for every domain size", "", "```", verdict_matrix(runs), "```"] + proof_lines(runs)
        (args.reports / "ALL-SIZES.md").write_text("\n".join(body) + "\n")
    if args.json:
        args.json.write_text(json.dumps({"all_sizes": True, "environment": preset or "every switch",
                                         "runs": [r.to_json() for r in runs]}, indent=1, ensure_ascii=False))
    if getattr(args, "junit", None):
        from .junit import write_junit
        write_junit(runs, args.junit, lambda run, res: True)
    return 0 if all(r.verdict == HOLDS_FOR_ALL_SIZES for run in runs for r in run.results) else 3


def _vacuous(prover: Prover, p) -> bool:
    """Every clause is constant true here (e.g. a data-packet claim without data packets)."""
    from .expr import const_value
    return all(const_value(i.body) == 1 for i in prover.enc.clause_instances(p))
