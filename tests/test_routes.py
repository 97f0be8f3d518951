"""What the optimisation buys: RFC 6224's base path as a reading, and the route-comparison table."""
from __future__ import annotations

import pytest

from pmipmc.engine.check import run_explicit
from pmipmc.engine.compile import evaluate
from pmipmc.engine.explore import Checks, explore
from pmipmc.model import forwarding as fw
from pmipmc.properties import provider, routes

from .helpers import system

FIGURE, HANDOVER, THREE = routes.SCENARIOS


@pytest.fixture(scope="module")
def rows():
    return routes.to_json(provider.build, routes.compare(provider.build, packet_seconds=0))


def _row(rows, scenario, route):
    return next(r for r in rows if r["scenario"] == scenario and r["route"] == route)


def _slots(s, *names):
    return [i for a in s.schema.arrays if a.name in names for i in range(a.base, a.base + a.count)]


@pytest.mark.parametrize("preset", ["tiny", "ci"])
def test_the_base_path_never_queries_never_builds_a_mag_mag_tunnel(preset):
    s = system(preset, "base-path")
    ex = explore(s, Checks(s, set()))
    drafted = _slots(s, "tunnel", "pbu_q", "pba_q", "pim", "oif_tunnel", "mrib")
    assert ex.complete and not any(st[i] for st in ex.states for i in drafted)


def test_the_base_path_delivers_via_the_lma_in_two_tunnel_hops():
    s = system("tiny", "base-path")
    part = routes.measure(s, routes._start(s, FIGURE.placement))
    assert part["delivered"] and part["hops"] == {"MN1": 2} and not part["mag_tunnel"]
    assert part["by_kind"] == {"MLD Report": 1, "MLD Report to LMA": 1}


def test_the_lma_drops_data_from_a_mag_its_binding_no_longer_names():
    """RFC 5213 §5.6.2: after the binding moves to MAG1, the data path from MAG2 is gone at once."""
    s = system("tiny", "base-path")
    st = s.start({"att[MN1]": "MAG1", "att[MN2]": "MAG2", "bce[MN2]": "MAG1", "bul[MAG2][MN2]": "1",
                  "sub[MN1][MN2]": "1", "oif_local[MAG1][MN2][MN1]": "1", "lma_sub[MN2][MAG1]": "1"})
    sv = s.schema.view(0)
    assert not evaluate(fw.delivered(s.ctx, sv, 1, 0), st)
    assert evaluate(fw.delivered(s.ctx, sv, 1, 0), s.start({**s.schema.decode(st), "bce[MN2]": "MAG2"}))


def test_route_optimisation_claims_are_violated_by_design_on_the_base_path():
    s = system("tiny", "base-path")
    run = run_explicit(s, "tiny", "base-path")
    violated = {r.property for r in run.results if r.verdict == "VIOLATED"}
    assert "data_takes_the_direct_mag_mag_path" in violated
    assert violated <= set(provider.by_design("base-path"))
    assert provider.by_design("draft") == {} and provider.by_design("repaired") == {}


@pytest.mark.parametrize("scenario", [FIGURE, THREE])
def test_the_optimised_route_takes_one_hop_and_the_base_path_two(rows, scenario):
    for route in ("draft", "repaired"):
        first = _row(rows, scenario.name, route)["first"]
        assert set(first["hops"].values()) == {1} and first["mag_tunnel"]
    base = _row(rows, scenario.name, "base-path")["first"]
    assert set(base["hops"].values()) == {2} and not base["mag_tunnel"]


def test_comparison_numbers_are_rederived_from_the_witness_trace(rows):
    """Replay the row's trace by name from the scenario's start; recount messages slot by slot."""
    for route in routes.ROUTES:
        row = _row(rows, "three-mags", route)
        s = system(THREE.preset, route)
        state = routes._start(s, THREE.placement)
        sent = 0
        msg_slots = set(i for a in s.schema.arrays if a.message is not None for i in range(a.base, a.base + a.count))
        for label in row["first"]["trace"]:
            name, args = label[:-1].split("(")
            nxt = s.fire(state, name, *args.split(", "))
            sent += sum(1 for i in msg_slots if nxt[i] and nxt[i] != state[i])
            sent += 1 if s.find_instance(name, args.split(", ")).rule.answers else 0
            state = nxt
        assert sent == row["first"]["messages"] and len(row["first"]["trace"]) == row["first"]["steps"]
        if route != "base-path":   # forwarding.flow draws the same path: one MAG-MAG hop per listener
            flow = fw.flow(s.ctx, state, s.ctx.senders[0])
            assert {b for _, b in flow.hops} == {0, 2} and all(a == 1 for a, _ in flow.hops)


def test_after_a_sender_handover_the_draft_never_restores_delivery_and_the_repairs_do(rows):
    assert _row(rows, "sender-handover", "draft")["after_handover"] == {
        "delivered": False, "why": "never (searched every state)", "move": "MN2 MAG2 -> MAG3"}
    for route in ("repaired", "base-path"):
        ah = _row(rows, "sender-handover", route)["after_handover"]
        assert ah["delivered"] and ah["trace"][0] == "mn_hands_over(MN2, MAG2, MAG3)"
    assert _row(rows, "sender-handover", "base-path")["after_handover"]["messages"] < \
        _row(rows, "sender-handover", "repaired")["after_handover"]["messages"]


def test_the_table_has_a_row_per_scenario_and_route(rows):
    lines = routes.markdown(routes.compare(provider.build, packet_seconds=0))
    body = [ln for ln in lines if ln.startswith("| ") and not ln.startswith("| Scenario")]
    assert len(body) == len(routes.SCENARIOS) * len(routes.ROUTES) + len(routes.ROUTES)   # + the handover rows


@pytest.mark.slow
def test_routes_command_writes_the_table_and_check_puts_it_in_the_readme(tmp_path):
    from pmipmc.engine.cli import run
    from pmipmc.engine.routes_cmd import routes_section
    assert run(provider, ["routes", "--reports", str(tmp_path), "--packet-seconds", "5"]) == 0
    table = (tmp_path / "ROUTES.md").read_text()
    assert "| three MAGs | base-path |" in table and "no_packet" not in table
    assert routes_section(tmp_path)[1] == "## What the optimisation buys"
