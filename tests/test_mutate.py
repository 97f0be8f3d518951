"""Mutation coverage: each operator on a toy is caught by the property written for it."""
from __future__ import annotations

import pytest

from pmipmc.engine.mutate import CAUGHT, EQUIVALENT, NOT_CAUGHT, apply, classify, generate, observe

from .toys import handshake


def _verdict(key: str, readings=(), rebuild=None):
    sysm = handshake()
    mutants = {m.key: m for m in generate(sysm, readings=readings)}
    assert key in mutants, sorted(mutants)
    return classify(observe(sysm), observe(apply(sysm, mutants[key], rebuild)))


@pytest.mark.parametrize("key,caught_by", [
    ("answer: drop_rule", "work_gets_done"),
    ("answer: drop_effect req", "no_request_left_at_quiescence"),
    ("finish: drop_guard ack", "done_only_after_an_ack"),
    ("finish: change_const done := err", "never_an_error"),
])
def test_each_operator_is_caught_by_the_property_written_for_it(key, caught_by):
    status, by = _verdict(key)
    assert status == CAUGHT and caught_by in by


def test_a_swapped_reading_is_caught():
    readings = [{"axis": "strict", "reading": "lax", "cites": "toy §3"}]
    status, by = _verdict("strict: swap_reading strict = lax", readings, lambda axis, reading: handshake(strict=False))
    assert status == CAUGHT and "done_only_after_an_ack" in by


def test_dropping_a_redundant_conjunct_is_equivalent():
    assert _verdict("answer: drop_guard done") == (EQUIVALENT, [])


def test_a_change_no_property_reads_survives():
    assert _verdict("answer: drop_effect log") == (NOT_CAUGHT, [])


def test_a_mutant_that_never_settles_is_caught_by_progress():
    # finish no longer clears ack, so it stays enabled forever and no state is quiescent: every
    # quiescent claim passes vacuously, and only the progress claim can notice
    status, by = _verdict("finish: drop_effect ack")
    assert status == CAUGHT and "settles" in by


def test_mutants_leave_the_original_alone():
    sysm = handshake()
    before = [(i.index, i.guard.key(), i.updates) for i in sysm.rules]
    for m in generate(sysm):
        apply(sysm, m)
    assert [(i.index, i.guard.key(), i.updates) for i in sysm.rules] == before
