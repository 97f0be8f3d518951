"""`pmipmc prove` for one (preset, variant): every property over one shared encoding.

The transition relation is translated once per unrolling and shared by every property:
1. one BMC search of every property (and lemma) to depth kmax + 1: violations with their
   shortest traces, the base case of k-induction, or an exhausted state space;
2. k-induction in one solver per k (engine/induction.py): lemmas first (jointly, then one by
   one), then the properties with the proved lemmas assumed;
3. invariant discovery (engine/discover.py) for everything still open: its Houdini fixpoint is
   the proof, and the clauses each proof needs are printed next to the verdict;
4. what discovery's explored states show violated is searched by BMC to any depth (shortest
   trace); what is left goes to Spacer, one property at a time, within its time budget.
"""
from __future__ import annotations

import time
from typing import Callable, Iterable, Sequence

import z3

from . import stop
from .api import PropertyDef, System
from .bmc import search, select
from .check import peak_mb, trace_record
from .discover import discover
from .induction import Inductor
from .progress import silent
from .prove import PROVABLE, Proof, bad_state, spacer
from .results import FOUND, HOLDS, UNKNOWN, VIOLATED, PropertyResult, RunResult
from .symbolic import Encoder, UnsupportedProperty

Say = Callable[[str], None]   # one line of progress (a phase begun or ended); runner.py prints it


def _bmc(enc: Encoder, props: Sequence[PropertyDef], depth: int, deadline: float | None,
         proofs: dict[str, Proof], note: str = "") -> None:
    """One search for all of `props`; decided ones are entered in `proofs`."""
    if not props:
        return
    sr = search(enc.system, list(props), depth, deadline, enc)
    for o in sr.outcomes:   # one search decided them all: each gets its time
        p = o.prop
        if o.verdict in (VIOLATED, FOUND):   # a claim's counterexample, or a witness reached
            proofs[p.name] = Proof(p, o.verdict, "BMC", f"{note}BMC: shortest trace has {o.depth} steps", trace=o.trace,
                                   seconds=sr.seconds)
        elif sr.exhausted_at is not None and o.verdict != UNKNOWN:
            proofs[p.name] = Proof(p, HOLDS, "BMC", f"proved by exhaustive BMC: no path of {sr.exhausted_at} steps exists",
                                   seconds=sr.seconds, invariant=(f"every reachable state is reached within "
                                                                  f"{sr.exhausted_at - 1} steps, and BMC checked them all",))


def prove_all(enc: Encoder, props: Sequence[PropertyDef], lemmas: Sequence[PropertyDef], kmax: int = 3,
              timeout_s: float | None = None, use_spacer: bool = True, discovery: bool = True,
              say: Say = silent) -> list[Proof]:
    """One Proof per lemma, then one per property, in that order."""
    for lem in lemmas:
        if lem.kind != "invariant":
            raise UnsupportedProperty(f"lemma {lem.name} must be an invariant, not {lem.kind}")
    t0 = time.monotonic()
    everything = list(lemmas) + list(props)
    budget = None if timeout_s is None else timeout_s * max(1, len(everything))
    deadline = None if budget is None else t0 + budget
    proofs: dict[str, Proof] = {}
    try:
        _phases(enc, props, lemmas, kmax, timeout_s, use_spacer, discovery, proofs, deadline, say)
    except z3.Z3Exception:   # an interrupt cancels whatever z3 was doing, model evaluation included
        if not stop.requested():
            raise
    out = [proofs.get(p.name) or Proof(p, UNKNOWN, "", stop.requested()) for p in everything]
    for k, pf in enumerate(out):
        if pf.method == "explored" and pf.verdict == UNKNOWN:
            pf.method, pf.reason = "BMC", "explored states violate it but BMC found no trace in time"
        if stop.requested() and pf.verdict not in (HOLDS, VIOLATED, FOUND):   # what a proof found is kept
            out[k] = Proof(pf.prop, UNKNOWN, pf.method, stop.requested(), cti=pf.cti, seconds=pf.seconds)
    return out


def _phases(enc: Encoder, props: Sequence[PropertyDef], lemmas: Sequence[PropertyDef], kmax: int,
            timeout_s: float | None, use_spacer: bool, discovery: bool, proofs: dict[str, Proof],
            deadline: float | None, say: Say = silent) -> None:
    """The phases of `prove_all`; each one, and each property in it, starts only while no stop
    (Ctrl-C, SIGTERM, memory budget) was requested."""
    everything = list(lemmas) + list(props)
    say(f"BMC of {len(everything)} claims to depth {kmax + 1}")
    _bmc(enc, everything, kmax + 1, deadline, proofs)
    say(f"BMC done: {_tally(proofs)}")
    if stop.requested():
        return
    ind = Inductor(enc, kmax)
    _lemmas(enc, ind, [x for x in lemmas if x.name not in proofs], proofs, deadline)
    for p in props:
        if p.name in proofs:
            continue
        if stop.requested():
            return
        t1 = time.monotonic()
        status, k, text = ind.prove(bad_state(enc, p), _soon(deadline, timeout_s))
        if status == "proved":
            proofs[p.name] = Proof(p, HOLDS, f"k-induction (k={k})", f"proved by k-induction (k={k})",
                                   invariant=_inductive(p, k, ind.names))
        else:
            proofs[p.name] = Proof(p, UNKNOWN, "k-induction", text, cti=text if status == "cti" else "")
        proofs[p.name].seconds = time.monotonic() - t1
    say(f"k-induction (k <= {kmax}) done: {_tally(proofs)}")
    if stop.requested():
        return
    open_ = [p for p in everything if proofs[p.name].verdict == UNKNOWN]
    if discovery and open_:
        say(f"invariant discovery for {len(open_)} open claims")
        _discover(enc, open_, proofs, None if deadline is None else max(1.0, deadline - time.monotonic()), say)
        say(f"invariant discovery done: {_tally(proofs)}")
    for p in [p for p in everything if proofs[p.name].verdict == UNKNOWN and proofs[p.name].method != "explored"]:
        if use_spacer and not stop.requested():   # its own share even when discovery spent the pool:
            say(f"Spacer: {p.name}")
            _spacer(enc, p, proofs, _soon(None, timeout_s))   # the run overshoots by that share at most
            say(f"Spacer: {p.name}: {proofs[p.name].verdict if proofs[p.name].method != 'explored' else 'reachable'}")
    deep = [p for p in everything if proofs[p.name].method == "explored"]
    if deep:
        say(f"BMC for the shortest traces of {len(deep)} claims explored states violate")
    _bmc(enc, deep, 10_000, deadline, proofs, "explored states violate it; ")


def _tally(proofs: dict[str, Proof]) -> str:
    counts: dict[str, int] = {}
    for pf in proofs.values():
        counts[pf.verdict] = counts.get(pf.verdict, 0) + 1
    return ", ".join(f"{n} {v}" for v, n in sorted(counts.items())) or "nothing decided"


def _inductive(p: PropertyDef, k: int, lemmas: Sequence[str]) -> tuple[str, ...]:
    """What closes a k-induction proof: the claim itself (k-inductive), with the lemmas it assumed."""
    own = "the property itself" + ("" if k == 1 else f", {k}-inductive: {k} steps where it holds are followed by one where it holds")
    return (f"{p.name} ({own})",) + tuple(f"{n} (lemma, proved before use)" for n in lemmas)


def _soon(deadline: float | None, per: float | None) -> float | None:
    if per is None:
        return deadline
    own = time.monotonic() + per
    return own if deadline is None else min(own, deadline)


def _lemmas(enc: Encoder, ind: Inductor, lemmas: Sequence[PropertyDef], proofs: dict[str, Proof],
            deadline: float | None) -> None:
    """Lemmas need each other, so their conjunction is tried first; then each on its own,
    assuming those before it that were proved.  Proved ones are assumed from then on."""
    if not lemmas:
        return
    preds = [lambda st, e=enc.system.prop_expr(x): enc.pred(e, st) for x in lemmas]
    status, k, _ = ind.prove(lambda st: z3.Or([z3.Not(a(st)) for a in preds]), deadline, with_lemmas=False)
    if status == "proved":
        for lem in lemmas:
            proofs[lem.name] = Proof(lem, HOLDS, f"k-induction (k={k})",
                                     f"proved jointly with the other lemmas by k-induction (k={k})")
        ind.assume(preds, [x.name for x in lemmas])
        for lem in lemmas:
            proofs[lem.name].invariant = _inductive(lem, k, [x.name for x in lemmas if x is not lem])
        return
    for lem, pred in zip(lemmas, preds):
        if stop.requested():
            return
        status, k, text = ind.prove(bad_state(enc, lem), deadline)
        if status == "proved":
            proofs[lem.name] = Proof(lem, HOLDS, f"k-induction (k={k})", f"proved by k-induction (k={k})",
                                     invariant=_inductive(lem, k, ind.names))
            ind.assume([pred], [lem.name])
        else:
            proofs[lem.name] = Proof(lem, UNKNOWN, "k-induction", text, cti=text if status == "cti" else "")


def _discover(enc: Encoder, props: Sequence[PropertyDef], proofs: dict[str, Proof], seconds: float,
              say: Say = silent) -> None:
    d = discover(enc, props, seconds=seconds, say=say)   # one run for all: each proof it closes gets its time
    how = (f"{d.candidates} candidate clauses from {d.states} explored states"
           f"{'' if d.complete else ' (exploration cut short)'}, {d.inductive} inductive after {d.rounds} rounds")
    for p in props:
        if p.name in d.proved and p.name in d.k_given:
            inv, k = tuple(d.proved[p.name]), d.k_given[p.name]
            proofs[p.name] = Proof(p, HOLDS, f"k-induction (k={k}) + discovery",
                                   f"proved by k-induction (k={k}) assuming discovery's inductive invariant, "
                                   f"{len(inv) - 1} of its clauses needed (Houdini: {how})",
                                   invariant=inv, seconds=d.seconds)
        elif p.name in d.proved:
            inv = tuple(d.proved[p.name])
            proofs[p.name] = Proof(p, HOLDS, "invariant discovery",
                                   f"proved by an inductive invariant of {len(inv)} clauses (Houdini: {how})",
                                   invariant=inv, seconds=d.seconds)
        elif p.name in d.violated:
            proofs[p.name].method = "explored"
        else:
            proofs[p.name].reason += f"; invariant discovery did not close it ({how}{'; ' + d.reason if d.reason else ''})"


def _spacer(enc: Encoder, p: PropertyDef, proofs: dict[str, Proof], deadline: float | None) -> None:
    t0, text = time.monotonic(), proofs[p.name].cti
    status, detail = spacer(enc, bad_state(enc, p), [], deadline)
    if status == "proved":
        proofs[p.name] = Proof(p, HOLDS, "Spacer", f"proved by Spacer (k-induction failed: {text})", cti=text)
    elif status == "violated":
        proofs[p.name].method = "explored"
    else:
        proofs[p.name] = Proof(p, UNKNOWN, "Spacer", f"{detail}; {proofs[p.name].reason}", cti=text)
    proofs[p.name].seconds += time.monotonic() - t0


def run_prove(system: System, preset: str, variant: str, names: Iterable[str] | None = None,
              timeout_s: float | None = None, lemmas: Sequence[PropertyDef] = (), kmax: int = 3,
              use_spacer: bool = True, overrides: dict | None = None, discovery: bool = True,
              say: Say = silent, kinds: Sequence[str] = PROVABLE) -> RunResult:
    """Prove the invariant, quiescent and step properties (or those named); `timeout_s` is per property.

    Lemmas (and the system's `invariant_hints`) are reported as extra rows with topic "lemma".
    """
    props = select(system, names, kinds)
    t0 = time.monotonic()
    enc = Encoder(system)
    lems = list(lemmas) + [x for x in system.invariant_hints if x not in lemmas]
    out = prove_all(enc, props, lems, kmax, timeout_s, use_spacer, discovery, say)
    lemma_proofs, proofs = out[:len(lems)], out[len(lems):]
    complete = all(pf.verdict != UNKNOWN for pf in proofs)
    run = RunResult(variant, preset, "symbolic", complete,
                    "" if complete else stop.requested() or "some proofs were inconclusive",
                    0, 0, kmax, time.monotonic() - t0, peak_mb(), False)
    for pf, topic in [(pf, pf.prop.topic) for pf in proofs] + [(pf, "lemma") for pf in lemma_proofs]:
        p = pf.prop
        res = PropertyResult(p.name, p.kind, p.cites, p.doc, topic, pf.verdict, pf.reason)
        res.invariant = list(pf.invariant)
        res.method, res.seconds = pf.method, pf.seconds
        if pf.trace is not None:
            res.depth = len(pf.trace.steps)
            res.trace = trace_record(system, pf.trace, p, preset, variant, engine="symbolic", overrides=overrides)
        run.results.append(res)
    return run


__all__ = ["run_prove", "prove_all"]
