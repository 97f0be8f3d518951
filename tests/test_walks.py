"""Random walks through the model: every reached state is well-formed, every step replays."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pmipmc.engine.compile import compile_successors
from pmipmc.engine.trace import replay

from .helpers import system

SYSTEMS = {(p, v): system(p, v) for p in ("tiny", "ci") for v in ("draft", "one-way-tunnel", "repaired")}
SUCC = {k: compile_successors(s.rules) for k, s in SYSTEMS.items()}


def well_formed(s, state: bytes) -> None:
    s.schema.check(state)
    d = s.schema.decode(state)
    ctx, mn = s.ctx, s.schema.sorts["MN"].elements
    for n in ctx.listeners:   # listeners are never registered and never sources
        assert d[f"bce[{mn[n]}]"] == "none"
        assert all(d[f"q[{m}][{mn[n]}]"] == "idle" for m in s.schema.sorts["MAG"].elements)
    for src in ctx.senders:   # a sender's binding names a MAG it was at or is in flight to
        assert d[f"sub[{mn[src]}][{mn[src]}]"] == "0"
    for m in s.schema.sorts["MAG"].elements:
        for x in mn:
            for l in ctx.listeners:
                if d[f"oif_local[{m}][{x}][{mn[l]}]"] == "1":
                    assert ctx.is_sender(mn.index(x))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(SYSTEMS)), st.lists(st.integers(0, 10_000), min_size=1, max_size=60),
       st.integers(0, 1000))
def test_random_walks_stay_well_formed_and_replay(key, choices, start):
    s, succ = SYSTEMS[key], SUCC[key]
    state = s.init[start % len(s.init)]
    init, steps = state, []
    for c in choices:
        out = succ(state)
        if not out:
            break
        k, state = out[c % len(out)]
        steps.append((s.rules[k].rule.name, s.args_text(s.rules[k])))
        well_formed(s, state)
    assert replay(s, init, steps).final == state
