"""Verdicts and run results: the closed vocabulary every engine reports in, and its JSON form."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from .api import Kind


TRACE_FORMAT = 1   # the trace file's format version (engine/tracefile.py documents it)

class Verdict(str, Enum):
    """The closed set of verdicts.  Members are strings, so JSON and comparisons see the name."""
    HOLDS = "HOLDS"                              # proved for every depth (symbolic engine)
    # proved for every depth AND every number of MAGs, listeners and senders (prove --all-sizes)
    HOLDS_FOR_ALL_SIZES = "HOLDS_FOR_ALL_SIZES"
    HOLDS_WITHIN_BOUNDS = "HOLDS_WITHIN_BOUNDS"  # exhaustive for these bounds, or BMC to depth k
    VIOLATED = "VIOLATED"                        # a claim fails: the trace is a counterexample
    FOUND = "FOUND"                              # a witness exists: the trace reaches it
    UNKNOWN = "UNKNOWN"                          # the run stopped first (budget, signal, solver)

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


HOLDS, HOLDS_WITHIN_BOUNDS, VIOLATED, FOUND, UNKNOWN = (Verdict.HOLDS, Verdict.HOLDS_WITHIN_BOUNDS, Verdict.VIOLATED,
                                                    Verdict.FOUND, Verdict.UNKNOWN)
HOLDS_FOR_ALL_SIZES = Verdict.HOLDS_FOR_ALL_SIZES

# how a witness reads in reports: found or not found within the bounds
WITNESSED = "WITNESSED"
NOT_WITNESSED = "NOT_WITNESSED"


def decided_by_trace(kind: str) -> Verdict:
    """The verdict of a property whose deciding state the engine reached: a counterexample for a
    claim, a witness for a reachable property."""
    return FOUND if kind == Kind.REACHABLE else VIOLATED


def has_trace(verdict: str) -> bool:
    return verdict in (VIOLATED, FOUND)


@dataclass
class StepRecord:
    rule: str
    args: list[str]
    cites: str
    env: bool
    delta: list[list[str]]     # [slot name, before, after]

    def text(self) -> str:
        return f"{self.rule}({', '.join(self.args)})"


@dataclass
class TraceRecord:
    preset: str
    variant: str
    property: str
    kind: str
    init: dict[str, str]       # slot name -> label, the complete initial state
    steps: list[StepRecord]
    engine: str = "explicit"
    overrides: dict[str, Any] = field(default_factory=dict)
    cites: str = ""            # the property's citation, one-line claim and the run's state
    statement: str = ""        # count, so that a saved trace renders exactly as in the report
    states: int | None = None
    loop_from: int | None = None   # progress: steps after this many repeat (a cycle, up to symmetry)

    def to_json(self) -> dict:
        return {"version": TRACE_FORMAT, **asdict(self)}

    @staticmethod
    def from_json(d: dict) -> "TraceRecord":
        steps = [StepRecord(**s) for s in d["steps"]]
        return TraceRecord(d["preset"], d["variant"], d["property"], d["kind"], dict(d["init"]), steps,
                           d.get("engine", "explicit"), dict(d.get("overrides", {})), str(d.get("cites", "")),
                           str(d.get("statement", "")), d.get("states"), d.get("loop_from"))


@dataclass
class PropertyResult:
    property: str
    kind: str
    cites: str
    statement: str
    topic: str
    verdict: str
    reason: str = ""
    depth: int | None = None            # trace length, when there is a trace
    trace: TraceRecord | None = None
    expected: bool = True               # False: differs from the baseline
    invariant: list[str] = field(default_factory=list)   # prove: the inductive invariant that closes the proof
    method: str = ""                    # prove: what decided it ("k-induction (k=1)", "invariant discovery", ...)
    seconds: float | None = None        # prove: time spent on this property (a shared phase counts for each)

    @property
    def shown(self) -> str:
        """Verdict as printed: reachable witnesses read as WITNESSED / NOT_WITNESSED."""
        if self.kind == Kind.REACHABLE and self.verdict in (FOUND, HOLDS_WITHIN_BOUNDS):
            return WITNESSED if self.verdict == FOUND else NOT_WITNESSED
        return self.verdict + (f"({self.reason})" if self.verdict == UNKNOWN and self.reason else "")

    def to_json(self) -> dict:
        return {"property": self.property, "kind": self.kind, "cites": self.cites, "statement": self.statement,
                "topic": self.topic, "verdict": self.verdict, "shown": self.shown, "reason": self.reason,
                "depth": self.depth, "expected": self.expected,
                "trace": None if self.trace is None else [asdict(s) for s in self.trace.steps],
                **({"invariant": list(self.invariant)} if self.invariant else {}),
                **({"method": self.method, "seconds": round(self.seconds, 3)} if self.seconds is not None else {})}


@dataclass
class RunResult:
    variant: str
    preset: str
    engine: str
    complete: bool
    reason: str
    states: int
    transitions: int
    depth: int
    seconds: float
    peak_mb: float
    symmetry: bool
    results: list[PropertyResult] = field(default_factory=list)
    bound: int | None = None     # BMC: verdicts hold only up to this many steps (None: exhaustive)
    coverage: dict[str, dict[str, int]] | None = None   # rule -> {"fired", "enabled_states"}, when collected
    native: Any = None   # the native engine's statistics (NativeStats) when it ran; not in the JSON
    progress_search: dict | None = None   # native --fingerprints: what deciding progress cost (JSON when set)

    @property
    def states_per_s(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict:
        return {"variant": self.variant, "preset": self.preset, "engine": self.engine, "complete": self.complete,
                "reason": self.reason, "states": self.states, "transitions": self.transitions, "depth": self.depth,
                "seconds": round(self.seconds, 3), "states_per_s": round(self.states_per_s),
                "peak_mb": round(self.peak_mb, 1), "symmetry": self.symmetry, "bound": self.bound,
                "results": [r.to_json() for r in self.results],
                **({"coverage": self.coverage} if self.coverage is not None else {}),
                **({"progress_search": self.progress_search} if self.progress_search is not None else {})}
