"""The visited table under a memory budget: where doubling it does not fit, it fills past 70% and
the run still finds every state; where even that is not enough, the run stops as out of memory."""
from __future__ import annotations

import pytest

from pmipmc.engine.explore import Budget
from pmipmc.engine.native import native_available
from pmipmc.engine.native.build import build
from pmipmc.engine.native.gen import generate
from pmipmc.engine.native.run import NativeStats, _counts, _explore, _masks, table_load

from .helpers import system

pytestmark = pytest.mark.skipif(native_available() is not None, reason=str(native_available()))


def explore_with_table_limit(preset: str, variant: str, limit: int, fingerprints: bool):
    """(complete, reason, states, transitions, depth, table slots, load, bytes used) with the C side's
    memory limit alone (the process's own resident memory, Python included, is not counted)."""
    s = system(preset, variant)
    src, layout = generate(s)
    lib, _ = build(src)
    ctx = lib.nm_new(1, 0, int(fingerprints), 0, limit, *_masks(layout, set()), 0, 0, 0)
    try:
        ex = _explore(lib, ctx, s, layout, s.schema.nslots, Budget(), None, NativeStats(), False, [],
                      "fingerprints" if fingerprints else "")
        count, transitions, depth, _, used = _counts(lib, ctx)
        load = table_load(lib, ctx)
        return ex.complete, ex.reason, count, transitions, depth, round(count / load), load, used
    finally:
        lib.nm_free(ctx)


@pytest.mark.parametrize("fingerprints", [True, False])
def test_a_table_with_no_room_to_double_fills_on_and_misses_nothing(fingerprints):
    free = explore_with_table_limit("ci", "draft", 0, fingerprints)
    complete, _, states, transitions, depth, slots, load, used = free
    assert complete and 0.35 < load <= 0.7 and states > 0.7 * slots / 2   # it did double at 70% of half
    # half the table fits, with a quarter of it to spare, but not both tables while doubling
    limit = used - slots * 8 // 2 + slots * 8 // 4
    tight = explore_with_table_limit("ci", "draft", limit, fingerprints)
    assert tight[:5] == (True, "", states, transitions, depth)
    assert tight[5] == slots // 2 and 0.7 < tight[6] <= 0.88 and tight[7] <= limit


def test_with_no_room_to_double_the_run_stops_as_out_of_memory_and_never_doubles_past_the_budget():
    _, _, states, _, _, slots, _, used = explore_with_table_limit("shared", "draft", 0, True)
    assert states > 0.88 * slots / 4   # a quarter-size table cannot hold them: the run must stop
    limit = used - slots * 8 * 3 // 4 + slots * 8 // 8
    complete, reason, count, _, _, tight_slots, load, _ = explore_with_table_limit("shared", "draft", limit, True)
    assert not complete and reason == "out of memory" and count < states
    assert tight_slots * 8 * 3 <= limit and load <= 0.88   # no doubling to a table the budget cannot hold
