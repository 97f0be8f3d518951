"""`pmipmc export --murphi` and `pmipmc bench --vs-rumur`: the Murphi cross-check from the command line.

The bench runs each engine once per preset on the same transition system, one thread each and
symmetry off (Rumur's verifier has no symmetry in our export), with no properties checked, so
the figures compare successor generation and state storage only.  Bytes per state: for our
engines the growth of peak resident memory during exploration, for Rumur the verifier's whole
peak resident memory (its start-up costs a few MB), each divided by the states stored.
"""
from __future__ import annotations

import importlib
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .errors import EXIT_OK, EXIT_UNEXPECTED, BadInput
from .murphi import to_murphi
from .rumur import RumurError, check_with_rumur, rumur_missing


def cmd_export(provider, args) -> int:
    variant = args.variant or provider.DEFAULT_VARIANT
    preset = args.preset or provider.DEFAULT_PRESET
    system = provider.build(preset, variant)
    text = to_murphi(system, f"pmipmc preset {preset}, variant {variant}", properties=args.properties)
    if str(args.murphi) == "-":
        sys.stdout.write(text + "\n")
        return EXIT_OK
    target = Path(args.murphi)
    if target.is_dir():
        raise BadInput(f"{target} is a folder; name the Murphi file to write")
    if not target.parent.is_dir():
        raise BadInput(f"no such folder for the Murphi file: {target.parent}")
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(text + "\n")
        os.replace(tmp, target)   # atomically: a reader never sees half a model
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise BadInput(f"cannot write {target}: {e.strerror}") from None
    print(f"{target}: {len(system.rules)} rules, {system.schema.nslots} variables, "
          f"{len(set(system.init))} start states", file=sys.stderr)
    return EXIT_OK


@dataclass
class Side:
    engine: str
    states: int
    transitions: int
    seconds: float
    bytes_per_state: float
    complete: bool = True
    note: str = ""

    @property
    def states_per_s(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else 0.0


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_bytes() -> int:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _ours(provider_name: str, preset: str, variant: str, engine: str) -> Side:
    """One engine on one preset, in a fresh worker process so its peak memory is its own."""
    provider = importlib.import_module(provider_name)
    system = provider.build(preset, variant)
    before = _rss_bytes()
    if engine == "python":
        from .check import run_explicit
        run = run_explicit(system, preset, variant, set(), False)
    else:
        from .explore import Budget
        from .native import run_native
        run = run_native(system, preset, variant, set(), False, Budget(), None, None, 1)
    grown = max(_peak_bytes() - before, 0)
    return Side(engine, run.states, run.transitions, run.seconds, grown / max(run.states, 1), run.complete,
                "" if run.complete else run.reason)


def _isolated(fn, *a):
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *a).result()


def _native_engine() -> str | None:
    """'native' when the native engine (another branch) is importable and usable here."""
    try:
        from .native import native_available   # type: ignore[import-not-found]
    except ImportError:
        return None
    return "native" if native_available() is None else None


HEADER = (f"{'preset':<10} {'engine':<7} {'states':>11} {'transitions':>12} {'seconds':>8} {'states/s':>10} "
          f"{'B/state':>8} {'vs Rumur':>8}  note")


def _row(preset: str, s: Side, rumur_s: float | None) -> str:
    ratio = f"{s.seconds / rumur_s:.2f}" if rumur_s else "-"
    return (f"{preset:<10} {s.engine:<7} {s.states:>11,} {s.transitions:>12,} {s.seconds:>8.2f} "
            f"{s.states_per_s:>10,.0f} {s.bytes_per_state:>8.0f} {ratio:>8}  {s.note}")


def bench_vs_rumur(provider, presets: list[str], variant: str) -> int:
    """Our engine(s) and Rumur side by side; exit 1 when a state or transition count differs."""
    missing = rumur_missing()
    if missing:
        raise BadInput(f"--vs-rumur needs Rumur and a C compiler: {missing}")
    engines = ["python"] + ([n] if (n := _native_engine()) else [])
    print("one thread each, symmetry off, no properties; 'vs Rumur' = our seconds / Rumur's seconds")
    print(HEADER, flush=True)
    mismatch = False
    for p in presets:
        system = provider.build(p, variant)
        try:
            r = check_with_rumur(to_murphi(system, f"pmipmc preset {p}, variant {variant}"), threads=1)
        except RumurError as e:
            print(f"{p:<10} rumur   failed: {e}", flush=True)
            mismatch = True
            continue
        rumur = Side("rumur", r.states, r.rules_fired, r.seconds, r.peak_bytes / max(r.states, 1),
                     note=f"generate {r.generate_seconds:.1f}s + compile {r.compile_seconds:.1f}s; "
                          f"packed state {r.state_bytes} B")
        ours = [_isolated(_ours, provider.__name__, p, variant, e) for e in engines]
        for s in ours:
            if (s.states, s.transitions) != (rumur.states, rumur.transitions) and s.complete:
                s.note = (s.note + " COUNTS DIFFER FROM RUMUR").strip()
                mismatch = True
            print(_row(p, s, r.seconds), flush=True)
        print(_row(p, rumur, None), flush=True)
    return EXIT_UNEXPECTED if mismatch else EXIT_OK
