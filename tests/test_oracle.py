"""The reachable-state oracle: it judges cubes exactly as the concrete state space does."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmipmc.engine.explore import Checks, explore
from pmipmc.engine.oracle import Oracle
from pmipmc.properties import provider

from .tiers import examples


@pytest.fixture(scope="module")
def ci():
    system = provider.build("ci", "repaired")
    reps = explore(system, Checks(system, set()), symmetry=True).states
    full = explore(system, Checks(system, set()), symmetry=False).states
    assert len(reps) < len(full)   # the oracle must see the symmetric images it was not given
    return system, Oracle.from_chunks(system.schema, [b"".join(reps[:1000]), b"".join(reps[1000:])], True), full


def _cube(system, data, full):
    """A cube cut from a reachable state, one of its values perhaps changed."""
    s = bytearray(data.draw(st.sampled_from(full)))
    slots = data.draw(st.lists(st.integers(0, system.schema.nslots - 1), min_size=1, max_size=4, unique=True))
    if data.draw(st.booleans()):
        i = slots[0]
        s[i] = data.draw(st.integers(0, system.schema.slot_domain(i).size - 1))
    return tuple((i, s[i]) for i in slots)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_cube_is_unmatched_exactly_when_no_concrete_reachable_state_matches_it(ci, data):
    system, oracle, full = ci
    cube = _cube(system, data, full)
    assert oracle.unmatched(cube) == (not any(all(s[i] == v for i, v in cube) for s in full))


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_blocking_clauses_hold_on_every_reachable_state_and_exclude_the_blocked_one(ci, data):
    system, oracle, full = ci
    s = bytearray(data.draw(st.sampled_from(full)))
    i = data.draw(st.integers(0, system.schema.nslots - 1))
    j = data.draw(st.integers(0, system.schema.nslots - 1))
    s[i] = data.draw(st.integers(0, system.schema.slot_domain(i).size - 1))
    s[j] = data.draw(st.integers(0, system.schema.slot_domain(j).size - 1))
    s = bytes(s)
    found = oracle.blocking(s)
    assert bool(found) == (s not in set(full))   # the whole state is a cube: only reachable ones go unblocked
    for c in found:
        assert not c.holds(s)
        for x in oracle.images_of(c):
            assert all(x.holds(r) for r in full), x


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_clause_holds_exactly_when_every_concrete_reachable_state_satisfies_it(ci, data):
    from pmipmc.engine.candidates import Clause
    system, oracle, full = ci
    lits = tuple((i, v, data.draw(st.booleans())) for i, v in _cube(system, data, full))
    c = Clause(lits)
    assert oracle.holds(c) == all(c.holds(s) for s in full)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 700), min_size=1, max_size=6))
def test_an_oracle_read_in_runs_of_any_length_equals_one_read_whole(cuts):
    system = provider.build("tiny", "draft")
    reps = explore(system, Checks(system, set()), symmetry=True).states[:2000]
    runs, i = [], 0
    for n in cuts + [len(reps)]:
        runs.append(b"".join(reps[i:i + n]))
        i += n
    whole = Oracle.from_chunks(system.schema, [b"".join(reps)], True)
    split = Oracle.from_chunks(system.schema, [r for r in runs if r], True)
    assert (split.count, split.cols) == (whole.count, whole.cols)
