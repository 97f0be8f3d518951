"""The generated successor function against the reference interpreter, on arbitrary states."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pmipmc.engine.compile import compile_successors_flagged, evaluate

from .helpers import system
from .tiers import examples

SYSTEMS = [system(p, v) for p, v in (("tiny", "draft"), ("ci", "draft"), ("ci", "repaired"),
                                      ("tiny", "one-way-tunnel"), ("tiny", "legacy-lma"))]
COMPILED = [compile_successors_flagged(s.rules) for s in SYSTEMS]


def reference(sysm, state: bytes):
    out, protocol = [], 0
    for inst in sysm.rules:
        if evaluate(inst.guard, state):
            n = bytearray(state)
            for slot, val in inst.updates:
                n[slot] = evaluate(val, state)
            out.append((inst.index, bytes(n)))
            protocol |= not inst.env
    return sorted(out), protocol


@settings(max_examples=examples(150), deadline=None)
@given(st.integers(0, len(SYSTEMS) - 1), st.data())
def test_generated_successors_match_the_interpreter(which, data):
    sysm = SYSTEMS[which]
    sizes = [sysm.schema.slot_domain(i).size for i in range(sysm.schema.nslots)]
    state = bytes(data.draw(st.integers(0, n - 1)) for n in sizes)
    got, protocol = COMPILED[which](state)
    want, want_protocol = reference(sysm, state)
    assert sorted(got) == want and bool(protocol) == bool(want_protocol)
