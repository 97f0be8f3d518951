"""Suggested text: every repair reading proposes text, its OLD words are the draft's, and the repair
named for a violation really removes it when checked."""
from __future__ import annotations

import re

import pytest

from pmipmc.engine.check import run_explicit
from pmipmc.engine.results import VIOLATED
from pmipmc.engine.suggest import attribution, gather, old_text_found, suggested_text, write_suggested_text
from pmipmc.model import draft
from pmipmc.model.variants import AXES, PROPOSED_TEXT, REPAIRS
from pmipmc.properties import provider

from . import toys

DRAFT = draft.text()


def test_every_repair_reading_carries_proposed_text_and_nothing_else_does():
    assert set(PROPOSED_TEXT) == set(REPAIRS.items())
    for (axis, reading), p in PROPOSED_TEXT.items():
        assert reading in AXES[axis].readings and AXES[axis].readings[reading].startswith("REPAIR")
        assert p.where.startswith("§") and p.new and p.new != p.old


@pytest.mark.parametrize("key", sorted(PROPOSED_TEXT))
def test_the_old_text_of_each_proposal_is_the_drafts_own(key):
    assert old_text_found(DRAFT, PROPOSED_TEXT[key].old)


def test_text_the_draft_does_not_contain_is_not_found():
    assert not old_text_found(DRAFT, "MAG1 MUST remove every tunnel at once.")


@pytest.fixture(scope="module")
def tiny():
    runs = [run_explicit(provider.build("tiny", v), "tiny", v) for v in ("draft", "repaired")]
    violated = {r.property for r in runs[0].results if r.kind != "reachable" and r.verdict == VIOLATED}
    return runs, violated, gather(provider.build_readings, "tiny", provider.repairs(), violated)


def test_the_repair_named_alone_removes_the_violation_and_leaving_a_needed_one_out_brings_it_back(tiny):
    _runs, violated, ev = tiny
    assert violated
    choices = dict(REPAIRS)
    for p in violated:
        alone, needed = attribution(p, ev)
        assert alone or needed, p
        for a in alone:
            res = run_explicit(provider.build_readings("tiny", {a: REPAIRS[a]}), "tiny", "x", {p})
            assert res.results[0].verdict != VIOLATED, (p, a)
        for a in needed:
            rest = {k: v for k, v in choices.items() if k != a}
            res = run_explicit(provider.build_readings("tiny", rest), "tiny", "x", {p})
            assert res.results[0].verdict == VIOLATED, (p, a)


def test_the_document_lists_each_violation_with_its_repair_and_rfc_style_old_and_new(tiny):
    runs, violated, ev = tiny
    doc = suggested_text(runs, provider.repairs(), ev, DRAFT, draft=provider.DEFAULT_VARIANT,
                         repaired=provider.REPAIRED_VARIANT)
    rows: dict[str, str] = {}   # every table row naming the claim, joined
    for m in re.finditer(r"^\| `(\w+)` \|.*$", doc, re.M):
        rows[m.group(1)] = rows.get(m.group(1), "") + m.group(0)
    for p in violated:   # a repair removes it, or the row says none does (a claim repaired still breaks)
        assert "VIOLATED" in rows[p]
        assert "HOLDS_WITHIN_BOUNDS" in rows[p] or "no repair in the model removes it yet" in rows[p]
    assert any("HOLDS_WITHIN_BOUNDS" in rows[p] for p in violated)
    for key, prop in PROPOSED_TEXT.items():
        assert f"### {prop.where}: `{key[0]}` = `{key[1]}`" in doc
    assert doc.count("OLD:") == doc.count("NEW:") == len(PROPOSED_TEXT)
    assert "not found in the draft" not in doc
    assert all(len(line) <= 72 for block in re.findall(r"```\n(.*?)```", doc, re.S) for line in block.splitlines())


def test_unknown_readings_are_bad_input():
    with pytest.raises(ValueError):
        provider.build_readings("tiny", {"tunnel_teardown": "never"})


def test_the_providers_repaired_variant_is_every_repair_at_once():
    assert provider.REPAIRED_VARIANT in provider.variant_names()
    assert provider.REPAIRED_VARIANT in provider.MUTATION_VARIANTS
    assert next(v for v in provider.variants() if v["name"] == provider.REPAIRED_VARIANT)["choices"] == dict(REPAIRS)


class _CounterProvider:
    """A toy spec in which `x` counts to four and 3 is bad; the one repair caps it at two.  Its
    variants are named as no PMIPv6 variant is, so the engine must take the names from it."""
    DEFAULT_VARIANT = "as-written"
    REPAIRED_VARIANT = "mended"

    @staticmethod
    def build_readings(preset, choices):
        return toys.counter(limit=2 if choices.get("cap") == "two" else 4, bad=3)

    @staticmethod
    def repairs():
        return [{"axis": "cap", "reading": "two", "cites": "§1", "doc": "REPAIR: stop at two",
                 "where": "§1", "old": "The counter counts to four.", "new": "The counter counts to two."}]

    @staticmethod
    def draft_text():
        return "1.  Counting\n\n   The counter counts to four.\n"


def test_suggested_text_takes_the_variant_names_from_the_provider(tmp_path):
    toy = _CounterProvider()
    runs = [run_explicit(toy.build_readings("toy", {}), "toy", "as-written"),
            run_explicit(toy.build_readings("toy", {"cap": "two"}), "toy", "mended")]
    doc = write_suggested_text(toy, runs, tmp_path).read_text()
    assert "| Violation | Cites | as-written | mended | Removed by |" in doc
    row = next(line for line in doc.splitlines() if line.startswith("| `x_is_never_bad` |"))
    assert "VIOLATED" in row and "HOLDS_WITHIN_BOUNDS" in row and "alone: `cap`" in row
    assert "not found in the draft" not in doc
    runs[1].variant = "repaired"   # the PMIPv6 model's name means nothing to the engine
    assert write_suggested_text(toy, runs, tmp_path / "none") is None
