"""Lemmas are offered per preset, only where they are true: prove must never be handed a false one."""
from __future__ import annotations

from dataclasses import replace

import pytest

from pmipmc.engine.check import run_explicit
from pmipmc.properties.lemmas import LEMMAS

from .helpers import system


@pytest.mark.parametrize("preset,variant", [("tiny", "draft"), ("tiny", "repaired"), ("ci", "repaired")])
def test_every_offered_lemma_holds_in_its_preset(preset, variant):
    s = system(preset, variant)
    assert s.invariant_hints
    s = replace(s, properties=list(s.invariant_hints))   # a copy: provider.build's System is shared
    run = run_explicit(s, preset, variant)
    assert run.complete and {r.verdict for r in run.results} == {"HOLDS_WITHIN_BOUNDS"}


def test_a_moving_sender_gets_a_pba_q_naming_the_asker_so_mobility_offers_no_lemma():
    s = system("mobility", "repaired")
    assert s.invariant_hints == []
    s = replace(s, properties=[next(lem for lem in LEMMAS if lem.name == "no_pba_q_names_the_asking_mag")])
    assert run_explicit(s, "mobility", "repaired").results[0].verdict == "VIOLATED"
