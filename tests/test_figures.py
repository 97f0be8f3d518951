"""The draft's own Figures 3 and 4, replayed step by step through the model's rules."""
from __future__ import annotations

from pmipmc.model import forwarding as fw

from .helpers import enabled, fire, placed, system, val

FIGURE_3 = [("mn_subscribes", "MN1", "MN2", "MAG1"),            # 1. MLD Report (S,G) join
            ("mag_sends_pbu_q", "MAG1", "MN1", "MN2"),          # 2. PBU-Q
            ("lma_answers_pbu_q", "MAG1", "MN2"),               # 3. PBA-Q
            ("mag_receives_pba_q", "MAG1", "MN2", "MAG2"),      # 3. Acquire CoA of MN2
            ("mag_establishes_tunnel", "MAG1", "MN2", "MAG2"),  # 4. bi-dir tunnel
            ("mag_adds_mrib_route", "MAG1", "MN2", "MAG2"),     # 5. Add route to MRIB
            ("mag_sets_iif", "MAG1", "MN2", "MAG2"),            # 6. Update (S,G) state, set iif
            ("mag_sends_pim_join", "MAG1", "MN2", "MAG2"),      # 7. PIM (S,G) join
            ("mag_receives_pim_join", "MAG2", "MAG1", "MN2")]   # 8. set oiflist

FIGURE_4 = [("mn_unsubscribes", "MN1", "MN2", "MAG1"),          # 1. MLD Report leave (S,G)
            ("mag_deletes_channel_state", "MAG1", "MN1", "MN2"),  # 2-3. last listener: delete state
            ("mag_removes_route_and_prunes", "MAG1", "MN2", "MAG2"),  # 4. PIM (S,G) prune
            ("mag_receives_pim_prune", "MAG2", "MAG1", "MN2"),  # 5. update oiflist
            ("mag_removes_tunnel", "MAG1", "MAG2")]             # 6. remove bi-dir tunnel


def run(sysm, state, steps):
    for step in steps:
        state = fire(sysm, state, *step)
    return state


def test_figure_3_establishes_the_optimized_route_and_data_flows_over_the_tunnel():
    s = system()
    state = run(s, placed(s, MN1="MAG1", MN2="MAG2"), FIGURE_3)
    assert val(s, state, "iif[MAG1][MN2]") == "tunnel(MAG2)"
    assert val(s, state, "mrib[MAG1][MN2]") == "MAG2"
    assert val(s, state, "oif_tunnel[MAG2][MN2][MAG1]") == "1"
    assert val(s, state, "tunnel[MAG1][MAG2]") == val(s, state, "tunnel[MAG2][MAG1]") == "1"
    ctx = s.ctx
    from pmipmc.engine.compile import evaluate
    view = s.schema.view()
    assert evaluate(fw.delivered_at_hop(ctx, view, 1, 0, 1), state)    # step 9: over one tunnel hop
    assert not evaluate(fw.delivered_at_hop(ctx, view, 1, 0, 0), state)


def test_figure_4_deletes_the_route_and_removes_the_tunnel():
    s = system()
    state = run(s, run(s, placed(s, MN1="MAG1", MN2="MAG2"), FIGURE_3), FIGURE_4)
    d = s.schema.decode(state)
    assert d["iif[MAG1][MN2]"] == "none" and d["mrib[MAG1][MN2]"] == "none"
    assert d["oif_tunnel[MAG2][MN2][MAG1]"] == "0"
    assert d["tunnel[MAG1][MAG2]"] == d["tunnel[MAG2][MAG1]"] == "0"


def test_steps_out_of_order_are_refused():
    s = system()
    state = placed(s, MN1="MAG1", MN2="MAG2")
    assert not enabled(s, state, "mag_sends_pbu_q", "MAG1", "MN1", "MN2")   # no report received yet
    state = fire(s, state, *FIGURE_3[0])
    assert not enabled(s, state, "lma_answers_pbu_q", "MAG1", "MN2")        # no PBU-Q sent yet


def test_same_mag_case_uses_a_local_iif_and_no_query():
    s = system()
    state = placed(s, MN1="MAG1", MN2="MAG1")
    state = fire(s, state, "mn_subscribes", "MN1", "MN2", "MAG1")
    assert not enabled(s, state, "mag_sends_pbu_q", "MAG1", "MN1", "MN2")
    state = fire(s, state, "mag_joins_locally", "MAG1", "MN1", "MN2")
    assert val(s, state, "iif[MAG1][MN2]") == "local"
    assert val(s, state, "pbu_q[MAG1][MN2]") == "0"


def test_figure_4_step_6_before_step_5_orphans_magg2_oiflist_entry():
    """§4.3 as written lets MAG1 remove the tunnel while its Prune is still in flight."""
    s = system()
    state = run(s, placed(s, MN1="MAG1", MN2="MAG2"), FIGURE_3)
    for step in FIGURE_4[:3]:
        state = fire(s, state, *step)
    state = fire(s, state, "mag_removes_tunnel", "MAG1", "MAG2")
    state = fire(s, state, "mag_discards_pim_without_tunnel", "MAG2", "MAG1", "MN2")
    assert val(s, state, "oif_tunnel[MAG2][MN2][MAG1]") == "1"   # left behind until PIM expiry
