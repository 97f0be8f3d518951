"""The Murphi export is the same transition system: Rumur reaches exactly our states and transitions."""
from __future__ import annotations

import shutil

import pytest

from pmipmc.engine.api import Step, System, instantiate, rule
from pmipmc.engine.explore import Checks, explore
from pmipmc.engine.murphi import to_murphi, variable_names
from pmipmc.engine.rumur import RumurError, check_with_rumur, parse_summary
from pmipmc.engine.schema import BOOL, Domain, Schema
from pmipmc.properties.provider import variant_names

from . import toys
from .helpers import system

needs_rumur = pytest.mark.skipif(shutil.which("rumur") is None or shutil.which("cc") is None,
                                 reason="rumur or cc is not installed (CI installs both)")


def ours(s: System) -> tuple[int, int]:
    ex = explore(s, Checks(s, set()), symmetry=False)
    assert ex.complete
    return len(ex.states), ex.transitions


def rumurs(s: System) -> tuple[int, int]:
    r = check_with_rumur(to_murphi(s), opt="-O1")
    assert r.errors == 0
    return r.states, r.rules_fired


def swapper() -> System:
    """Two slots swapped in one step, a truthy slot as a guard, a comparison stored as a number:
    the three places where Murphi's semantics differ from our IR's."""
    sc = Schema()
    sc.array("a", Domain(("0", "1", "2")))
    sc.array("b", Domain(("0", "1", "2")))
    sc.array("end", BOOL)   # a Murphi keyword as a slot name

    @rule(cites="toy")
    def swap(ctx, s):
        return Step(guard=s.end != 1, effect={s.a: s.b, s.b: s.a})

    @rule(cites="toy")
    def bump(ctx, s):
        return Step(guard=s.a, effect={s.b: ((s.a == 1) & (s.b == 0)) + 1, s.end: s.a == s.b})

    @rule(cites="toy")
    def lower(ctx, s):
        return Step(guard=s.b, effect={s.a: 0})

    return System(sc, None, [bytes([1, 0, 0]), bytes([0, 2, 0])], instantiate(sc, None, [swap, bump, lower]), [])


def test_every_slot_gets_a_distinct_murphi_name_and_keywords_are_avoided():
    s = system("tiny")
    names = variable_names(s)
    assert len({n.lower() for n in names}) == s.schema.nslots
    assert variable_names(swapper())[2] == "v_end"


def test_updates_read_the_pre_state_through_locals():
    text = to_murphi(swapper())
    assert "n_a := b;" in text and "n_b := a;" in text and "a := n_a;" in text


def test_rumur_summary_is_parsed():
    xml = ('<?xml version="1.0" encoding="utf-8"?>\n<rumur_run>\n<information state_size_bits="5" '
           'state_size_bytes="1" hash_table_slots="65536"/>\n<summary states="10" rules_fired="12" errors="0" '
           'duration_seconds="3"/>\n</rumur_run>\n')
    assert parse_summary(xml) == {"states": 10, "rules_fired": 12, "errors": 0, "seconds": 3, "state_bytes": 1}
    with pytest.raises(RumurError):
        parse_summary("Segmentation fault")


@needs_rumur
@pytest.mark.parametrize("make", [swapper, toys.counter, toys.tokens], ids=["swapper", "counter", "tokens"])
def test_rumur_agrees_on_toy_systems(make):
    s = make()
    assert rumurs(s) == ours(s)


@needs_rumur
@pytest.mark.parametrize("preset", ["tiny"])   # ci and the rest: the slow tier's ..._everywhere
def test_rumur_reaches_exactly_our_states_on_the_draft(preset):
    s = system(preset, "draft")
    assert rumurs(s) == ours(s)


@needs_rumur
@pytest.mark.parametrize("bad,errors", [(3, 1), (9, 0)])
def test_exported_invariants_are_checked_by_rumur(bad, errors):
    """counter(bad=3) reaches x == 3, counter(bad=9) never does: Rumur finds exactly the first."""
    r = check_with_rumur(to_murphi(toys.counter(bad=bad), properties=True), opt="-O1")
    assert r.errors == errors


@pytest.mark.slow
@needs_rumur
def test_exported_model_properties_compile_and_a_known_violation_is_found():
    """The draft violates an invariant on tiny: Rumur, given our properties, reports an error too."""
    r = check_with_rumur(to_murphi(system("tiny", "draft"), properties=True), opt="-O1")
    assert r.errors >= 1


@pytest.mark.slow
@needs_rumur
@pytest.mark.parametrize("preset,variant", [(p, v) for p in ("tiny", "ci") for v in variant_names()]
                         + [("mobility", "draft"), ("shared", "draft")])
def test_rumur_reaches_exactly_our_states_everywhere(preset, variant):
    s = system(preset, variant)
    assert rumurs(s) == ours(s)


def test_export_writes_a_murphi_file(capsys, tmp_path):
    from pmipmc.engine.cli import run
    from pmipmc.properties import provider
    out = tmp_path / "ci.m"
    assert run(provider, ["export", "--murphi", str(out), "--preset", "ci", "--variant", "repaired"]) == 0
    text = out.read_text()
    assert text.count("\nrule ") == len(system("ci", "repaired").rules) and "startstate" in text


@pytest.mark.parametrize("argv,needle", [
    (["export", "--murphi", "/nonexistent/dir/m.m"], "no such folder"),
    (["export", "--murphi", "m.m", "--preset", "huge"], "unknown preset"),
    (["export", "--murphi", "m.m", "--variant", "nope"], "unknown variant"),
    (["export"], "--murphi"),
    (["export", "--murphi", "/"], "is a folder"),
])
def test_export_bad_input_is_one_line_and_exit_2(capsys, argv, needle):
    from pmipmc.engine.cli import run
    from pmipmc.properties import provider
    code = run(provider, argv)
    err = capsys.readouterr().err
    assert code == 2 and needle in err and err.count("\n") == 1


@pytest.mark.slow
@needs_rumur
def test_bench_vs_rumur_prints_both_engines_with_equal_counts(capsys):
    from pmipmc.engine.cli import run
    from pmipmc.properties import provider
    assert run(provider, ["bench", "--vs-rumur", "--preset", "tiny"]) == 0
    rows = {line.split()[1]: line.split() for line in capsys.readouterr().out.splitlines() if line.startswith("tiny")}
    assert rows["python"][2:4] == rows["rumur"][2:4] == ["6,948", "27,192"]
