"""Pinned unique-state counts: a change here is a change of the model's meaning.

Change a pin only in a commit that says why (a rule or reading changed on purpose).
"""
from __future__ import annotations

import pytest

from pmipmc.engine.explore import Checks, explore

from .helpers import system

PINS = {
    ("tiny", "draft"): 3474,
    ("tiny", "one-way-tunnel"): 10728,
    ("tiny", "figure4-teardown"): 2844,
    ("tiny", "query-once"): 2844,
    ("tiny", "legacy-lma"): 45,   # binding expiry and MAG re-registration undo the hijack (RFC 5213 §6.9.1.1)
    ("tiny", "fix-teardown"): 867,
    ("tiny", "fix-mobility"): 9900,   # the LMA re-sends notifications until acted on
    ("tiny", "repaired"): 471,
    ("tiny", "base-path"): 36,   # RFC 6224's base path: MLD proxies and the LMA, no query, no MAG-MAG tunnel
    ("ci", "draft"): 25584,
    ("ci", "base-path"): 2144,
    ("ci", "repaired"): 8178,
    ("handover-data", "repaired"): 18913,   # data packets in flight (switch data_packets), one sender move
}


@pytest.mark.parametrize("preset,variant", sorted(PINS))
def test_state_count_is_pinned(preset, variant):
    s = system(preset, variant)
    ex = explore(s, Checks(s, set()))
    assert ex.complete and len(ex.states) == PINS[preset, variant]


def test_symmetry_halves_tiny_exactly():
    """tiny has two MAGs and one MN of each role: every orbit but none is of size two."""
    s = system("tiny")
    with_sym = len(explore(s, Checks(s, set())).states)
    without = len(explore(s, Checks(s, set()), symmetry=False).states)
    assert (with_sym, without) == (3474, 6948)


@pytest.mark.parametrize("preset,variant", [("tiny", "draft"), ("tiny", "one-way-tunnel"),
                                            pytest.param("ci", "draft", marks=pytest.mark.slow),
                                            pytest.param("ci", "repaired", marks=pytest.mark.slow)])
def test_symmetry_reduction_changes_no_verdict_and_no_depth(preset, variant):
    from pmipmc.engine.check import run_explicit
    s = system(preset, variant)
    on = run_explicit(s, preset, variant, symmetry=True)
    off = run_explicit(s, preset, variant, symmetry=False)
    assert [(r.property, r.verdict, r.depth) for r in on.results] == \
           [(r.property, r.verdict, r.depth) for r in off.results]
    assert on.states < off.states
