"""The z3 encoding of a `System`: states, initial states, transitions, unrollings, decoding.

A state is one z3 `Int` per slot, constrained to `0 <= x < size`.  Ints rather than BitVecs
because expressions may `add` (counts of true conditions) and compare with `le`: with Ints the
z3 term means exactly what the Python code computes, with no bit width to choose and no
overflow to reason about; Spacer's preferred theory is also linear integer arithmetic.  Domains
are tiny, so the integer solver never does real work beyond case splitting.

Expressions are translated once per (pre, post) pair of state vectors, memoised on
`Expr.key()`, so sub-terms shared between guards, updates and properties become shared z3
terms.  A transition is "exactly one rule instance fires": one Bool indicator per (step,
instance), a pseudo-Boolean exactly-one constraint, the guard of the chosen instance, and per
slot an if-then-else chain over the instances that write it (the frame is the chain's else).
Every model is decoded into an `engine.trace.Trace` and replayed through the explicit,
compiled rules; any disagreement is an encoder bug and raises `EncoderError`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import z3

from . import stop
from .api import PropertyDef, System
from .compile import compile_instance
from .expr import Expr
from .trace import Trace, TraceStep


class EncoderError(RuntimeError):
    """A z3 model disagrees with the explicit rules: the encoding, not the model, is wrong."""


class UnsupportedProperty(ValueError):
    """The symbolic engine cannot decide this property (the CLI reports it as bad input)."""


def as_bool(t: z3.ExprRef) -> z3.BoolRef:
    if z3.is_bool(t):
        return t
    if z3.is_int_value(t):
        return z3.BoolVal(t.as_long() != 0)
    return t != 0


def as_int(t: z3.ExprRef) -> z3.ArithRef:
    if z3.is_true(t):
        return z3.IntVal(1)
    if z3.is_false(t):
        return z3.IntVal(0)
    return z3.If(t, 1, 0) if z3.is_bool(t) else t


class Translator:
    """Expr -> z3 over one (pre, post) pair of state vectors; results memoised on Expr.key()."""

    def __init__(self, pre: Sequence[z3.ArithRef], post: Sequence[z3.ArithRef] | None = None):
        self.frames = (pre, post)
        self.memo: dict[tuple, z3.ExprRef] = {}

    def __call__(self, e: Expr) -> z3.ExprRef:
        k = e.key()
        hit = self.memo.get(k)
        if hit is None:
            hit = self.memo[k] = self._translate(e)
        return hit

    def _translate(self, e: Expr) -> z3.ExprRef:
        op, a = e.op, e.args
        if op == "const":
            return z3.IntVal(int(a[0]))
        if op == "var":
            frame = self.frames[a[1]]
            if frame is None:
                raise UnsupportedProperty(f"expression reads the successor state where there is none: {e!r}")
            return frame[a[0]]
        sub = [self(x) for x in a]
        if op == "eq":
            x, y = sub
            if z3.is_bool(x) and z3.is_bool(y):
                return x == y
            return as_int(x) == as_int(y)
        if op == "not":
            return z3.Not(as_bool(sub[0]))
        if op == "and":
            return z3.And([as_bool(x) for x in sub])
        if op == "or":
            return z3.Or([as_bool(x) for x in sub])
        if op == "ite":
            c, t, f = sub
            if z3.is_bool(t) and z3.is_bool(f):
                return z3.If(as_bool(c), t, f)
            return z3.If(as_bool(c), as_int(t), as_int(f))
        if op == "add":
            return as_int(sub[0]) + as_int(sub[1])
        if op == "le":
            return as_int(sub[0]) <= as_int(sub[1])
        raise UnsupportedProperty(f"unknown operator {op}")


@dataclass
class Unrolling:
    """States s0..sk of one path and the indicators of the k steps between them."""
    states: list[list[z3.ArithRef]]
    indicators: list[list[z3.BoolRef]]
    constraints: list[z3.BoolRef] = field(default_factory=list)

    @property
    def k(self) -> int:
        return len(self.indicators)


class Renaming:
    """z3.substitute for one fixed list of pairs, minus its per-call Python checks (the sorts of
    every pair, compared anew on each call, cost more than the substitution itself; z3's C side
    still rejects a pair whose sorts differ)."""

    def __init__(self, frm: Sequence[z3.ExprRef], to: Sequence[z3.ExprRef]):
        self.keep = (list(frm), list(to))   # the arrays below do not hold references
        self.n = len(frm)
        self.frm = (z3.Ast * self.n)(*[a.as_ast() for a in frm])
        self.to = (z3.Ast * self.n)(*[b.as_ast() for b in to])

    def __call__(self, t: z3.ExprRef) -> z3.ExprRef:
        if not self.n:
            return t
        return z3.z3._to_expr_ref(z3.Z3_substitute(t.ctx_ref(), t.as_ast(), self.n, self.frm, self.to), t.ctx)


class Encoder:
    def __init__(self, system: System):
        self.system = system
        self.schema = system.schema
        self.sizes = [self.schema.slot_domain(i).size for i in range(self.schema.nslots)]
        self.writers: list[list[tuple[int, Expr]]] = [[] for _ in self.sizes]
        for inst in system.rules:
            for slot, val in inst.updates:
                self.writers[slot].append((inst.index, val))
        self._compiled: dict[int, tuple[Callable, Callable]] = {}
        # Every formula is translated once, over template state vectors, and renamed onto the
        # states of each unrolling with z3.substitute (C code): the transition relation is built
        # once per (preset, variant), however many unrollings, solvers and properties use it.
        self._tpre, self._tpost = self.state("τ"), self.state("τ'")
        self._tr = {False: Translator(self._tpre), True: Translator(self._tpre, self._tpost)}
        self._labels = [f"{system.instance_label(r)}#{r.index}" for r in system.rules]
        self._tind = [z3.Bool(f"τ:{x}") for x in self._labels]
        self._trans: z3.BoolRef | None = None
        self._quiet: z3.BoolRef | None = None
        self._pairs: dict[tuple, tuple] = {}
        self._steps: dict[tuple, z3.BoolRef] = {}
        self._domain: z3.BoolRef | None = None

    # --- states and predicates -------------------------------------------------------------
    def state(self, tag: str) -> list[z3.ArithRef]:
        return [z3.Int(f"{tag}:{self.schema.slot_name(i)}") for i in range(len(self.sizes))]

    def domain(self, st: Sequence[z3.ArithRef]) -> z3.BoolRef:
        if self._domain is None:
            self._domain = z3.And([z3.And(0 <= x, x < n) for x, n in zip(self._tpre, self.sizes)])
        return self._rename(self._domain, st)

    def _rename(self, t: z3.ExprRef, pre, post=None, ind=None) -> z3.ExprRef:
        """A template formula over these states (and rule indicators)."""
        key = (id(pre), id(post), id(ind))
        hit = self._pairs.get(key)
        if hit is None or hit[0] is not pre or hit[1] is not post or hit[2] is not ind:   # ids of dead lists are reused
            if len(self._pairs) > 4096:
                self._pairs.clear()
            frm = list(self._tpre) + (list(self._tpost) if post is not None else []) + (self._tind if ind is not None else [])
            to = list(pre) + (list(post) if post is not None else []) + (list(ind) if ind is not None else [])
            hit = self._pairs[key] = (pre, post, ind, Renaming(frm, to))
        return hit[3](t)

    def template(self, e: Expr, post: bool = False) -> z3.ExprRef:
        """`e` over the template states (memoised): what every `pred` renames."""
        return self._tr[post](e)

    def pred(self, e: Expr, pre, post=None) -> z3.BoolRef:
        return self._rename(as_bool(self.template(e, post is not None)), pre, post)

    def init(self, st: Sequence[z3.ArithRef]) -> z3.BoolRef:
        """The disjunction of the concrete initial states."""
        return z3.Or([z3.And([x == v for x, v in zip(st, s0)]) for s0 in self.system.init])

    def quiescent(self, st: Sequence[z3.ArithRef]) -> z3.BoolRef:
        """No protocol (non-environment) rule instance is enabled."""
        if self._quiet is None:
            tr = self._tr[False]
            self._quiet = z3.And([z3.Not(as_bool(tr(r.guard))) for r in self.system.rules if not r.env])
        return self._rename(self._quiet, st)

    def successor(self, inst_index: int, st: Sequence[z3.ArithRef]) -> list[z3.ArithRef]:
        """The post-state of one instance as terms over `st` (Horn clauses need no indicators)."""
        out = list(st)
        for slot, val in self.system.rules[inst_index].updates:
            out[slot] = self._rename(as_int(self.template(val)), st)
        return out

    def bad_step(self, e: Expr, st: Sequence[z3.ArithRef]) -> z3.BoolRef:
        """Some instance is enabled in `st` and its step breaks the step claim `e(pre, post)`.

        Built once over the template state (each instance's successor put in for post), so
        every state of every unrolling costs one renaming."""
        key = ("bad_step", e.key())
        tpl = self._steps.get(key)
        if tpl is None:
            tr, succ = self._tr[False], []
            claim = as_bool(self.template(e, True))
            for r in self.system.rules:
                post = list(self._tpre)
                for slot, val in r.updates:
                    post[slot] = as_int(tr(val))
                succ.append(z3.And(as_bool(tr(r.guard)), z3.Not(Renaming(self._tpost, post)(claim))))
            tpl = self._steps[key] = z3.Or(succ)
        return self._rename(tpl, st)

    def trans(self, pre, post, tag: str) -> tuple[list[z3.BoolRef], z3.BoolRef]:
        """(indicators, constraint): exactly one instance fires from `pre` and yields `post`."""
        rules = self.system.rules
        ind = [z3.Bool(f"{tag}:{x}") for x in self._labels]
        if not rules:
            return ind, z3.BoolVal(False)
        if self._trans is None:
            tr, pre_, post_, tind = self._tr[False], self._tpre, self._tpost, self._tind
            parts = [z3.PbEq([(b, 1) for b in tind], 1)]
            parts += [z3.Implies(b, as_bool(tr(r.guard))) for b, r in zip(tind, rules)]
            for slot, writers in enumerate(self.writers):
                val = pre_[slot]
                for idx, e in reversed(writers):
                    val = z3.If(tind[idx], as_int(tr(e)), val)
                parts.append(post_[slot] == val)
            self._trans = z3.And(parts)
        return ind, self._rename(self._trans, pre, post, ind)

    def bad(self, prop: PropertyDef, unr: Unrolling, k: int) -> z3.BoolRef | None:
        """The property fails (a witness is found, for `reachable`) at the end of step k."""
        e = self.system.prop_expr(prop)
        st = unr.states[k]
        if prop.kind == "invariant":
            return z3.Not(self.pred(e, st))
        if prop.kind == "reachable":
            return self.pred(e, st)
        if prop.kind == "quiescent":
            return z3.And(self.quiescent(st), z3.Not(self.pred(e, st)))
        if prop.kind == "step":
            return None if k == 0 else z3.Not(self.pred(e, unr.states[k - 1], st))
        raise UnsupportedProperty(f"{prop.name}: kind {prop.kind!r} is not encodable")

    # --- paths ------------------------------------------------------------------------------
    def start(self, tag: str = "s", initial: bool = True) -> Unrolling:
        s0 = self.state(f"{tag}0")
        cons = [self.domain(s0)] + ([self.init(s0)] if initial else [])
        return Unrolling([s0], [], cons)

    def extend(self, unr: Unrolling, tag: str = "s") -> list[z3.BoolRef]:
        """Add one transition; returns the constraints added (also kept in `unr.constraints`)."""
        k = unr.k
        post = self.state(f"{tag}{k + 1}")
        ind, t = self.trans(unr.states[k], post, f"{tag}{k}>{k + 1}")
        new = [self.domain(post), t]
        unr.states.append(post)
        unr.indicators.append(ind)
        unr.constraints.extend(new)
        return new

    def unroll(self, k: int, tag: str = "s", initial: bool = True) -> Unrolling:
        """Exactly k transitions from an initial state (or from any in-domain state)."""
        unr = self.start(tag, initial)
        for _ in range(k):
            self.extend(unr, tag)
        return unr

    # --- models back to concrete traces -----------------------------------------------------
    def values(self, model: z3.ModelRef, st: Sequence[z3.ArithRef]) -> bytes:
        vals = [model.eval(x, model_completion=True).as_long() for x in st]
        if any(not 0 <= v < n for v, n in zip(vals, self.sizes)):
            raise EncoderError(f"model leaves a slot outside its domain: {vals}")
        return bytes(vals)

    def decode(self, model: z3.ModelRef, unr: Unrolling, upto: int | None = None) -> Trace:
        upto = unr.k if upto is None else upto
        steps = []
        for k in range(upto):
            fired = [i for i, b in enumerate(unr.indicators[k]) if z3.is_true(model.eval(b, model_completion=True))]
            if len(fired) != 1:
                raise EncoderError(f"step {k + 1}: {len(fired)} rule indicators true, expected exactly one")
            steps.append(TraceStep(fired[0], self.values(model, unr.states[k + 1])))
        return Trace(self.values(model, unr.states[0]), tuple(steps))

    def compiled(self, idx: int) -> tuple[Callable, Callable]:
        if idx not in self._compiled:
            self._compiled[idx] = compile_instance(self.system.rules[idx])
        return self._compiled[idx]

    def replay(self, trace: Trace, initial: bool = True) -> Trace:
        """Re-run the decoded steps through the explicit rules; raise EncoderError on mismatch."""
        if initial and trace.init not in self.system.init:
            raise EncoderError(f"decoded initial state is not initial: {self.schema.decode(trace.init)}")
        cur = trace.init
        for n, st in enumerate(trace.steps, 1):
            guard, apply = self.compiled(st.inst)
            label = self.system.instance_label(self.system.rules[st.inst])
            if not guard(cur):
                raise EncoderError(f"step {n}: z3 fired {label} but its guard is false")
            nxt = apply(cur)
            if nxt != st.state:
                diff = self.schema.delta(nxt, st.state)
                raise EncoderError(f"step {n}: {label}: z3 successor differs from the rule's: {diff}")
            cur = nxt
        return trace

    def readable(self, state: bytes) -> str:
        """The slots that are not 0 ("none", "idle", false), as `name=label`, in slot order."""
        return ", ".join(f"{self.schema.slot_name(i)}={self.schema.label(i, v)}"
                         for i, v in enumerate(state) if v)


def check(solver: z3.Solver, *assumptions, deadline: float | None = None) -> z3.CheckSatResult:
    """solver.check with the remaining time of `deadline` (time.monotonic()) as z3 timeout."""
    if stop.requested():   # interrupted: every later question is unknown at once
        return z3.unknown
    if deadline is not None:
        left = deadline - time.monotonic()
        if left <= 0:
            return z3.unknown
        solver.set("timeout", max(1, int(left * 1000)))
    return solver.check(*assumptions)


def why_unknown(solver, deadline: float | None) -> str:
    """The reason for an `unknown` answer, as UNKNOWN(reason) will print it."""
    if stop.requested():
        return stop.requested()
    if deadline is not None and time.monotonic() >= deadline:
        return "time budget reached"
    return f"solver: {solver.reason_unknown()}"


def interrupt_z3() -> None:
    z3.main_ctx().interrupt()   # thread-safe in z3: the running check returns unknown ("canceled")


def new_solver() -> z3.Solver:
    """A solver for finite-domain queries.

    Every variable is bounded by its domain constraint, so z3's QF_FD logic bit-blasts the
    problem to its SAT solver (with native pseudo-Boolean constraints for exactly-one); on the
    tiny preset this is about 8x faster than the default SMT solver for BMC to depth 14.
    """
    stop.on_request(interrupt_z3)
    solver = z3.SolverFor("QF_FD")
    solver.set("ctrl_c", False)   # z3 would swap in its own SIGINT handler during check(); ours interrupts it
    return solver
