"""The sequence charts retell the draft's own Figures 3 and 4, and every rule has a narrative.

Golden files live in tests/golden/; regenerate with PMIPMC_UPDATE_GOLDEN=1 after a deliberate
change to the model's rules or the narrative, and say why in the commit.
"""
import os
from pathlib import Path

import pytest

from pmipmc.engine.api import PropertyDef
from pmipmc.engine.check import run_explicit, trace_record
from pmipmc.engine.msc import WIDTH, Event, ascii_chart, dot_chart
from pmipmc.engine.render import findings_of
from pmipmc.engine.trace import replay
from pmipmc.model import ALL_RULES, narrative
from pmipmc.model.actions import ACTIONS
from pmipmc.properties import provider

GOLDEN = Path(__file__).with_name("golden")

FIGURE3 = [
    ("mn_subscribes", ["MN1", "MN2", "MAG1"]),               # 1 MLD Report (S,G) join
    ("mag_sends_pbu_q", ["MAG1", "MN1", "MN2"]),             # 2 PBU-Q
    ("lma_answers_pbu_q", ["MAG1", "MN2"]),                  # 3 PBA-Q
    ("mag_receives_pba_q", ["MAG1", "MN2", "MAG2"]),         # 3 Acquire CoA of MN2
    ("mag_establishes_tunnel", ["MAG1", "MN2", "MAG2"]),     # 4
    ("mag_adds_mrib_route", ["MAG1", "MN2", "MAG2"]),        # 5
    ("mag_sets_iif", ["MAG1", "MN2", "MAG2"]),               # 6
    ("mag_sends_pim_join", ["MAG1", "MN2", "MAG2"]),         # 7
    ("mag_receives_pim_join", ["MAG2", "MAG1", "MN2"]),      # 8 (9, data, is computed)
]
FIGURE4 = [
    ("mn_unsubscribes", ["MN1", "MN2", "MAG1"]),             # 1 MLD Report leave (S,G)
    ("mag_deletes_channel_state", ["MAG1", "MN1", "MN2"]),   # 2-3
    ("mag_removes_route_and_prunes", ["MAG1", "MN2", "MAG2"]),  # 4
    ("mag_receives_pim_prune", ["MAG2", "MAG1", "MN2"]),     # 5
    ("mag_removes_tunnel", ["MAG1", "MAG2"]),                # 6
]
# tiny/draft: a leave overtakes the PBA-Q; the listener re-subscribes and never gets data
LATE_LEAVE = FIGURE3[:2] + [("mn_unsubscribes", ["MN1", "MN2", "MAG1"])] + FIGURE3[2:7] + [
    ("mag_deletes_channel_state", ["MAG1", "MN1", "MN2"]), ("mn_subscribes", ["MN1", "MN2", "MAG1"]),
    ("mag_sends_pbu_q", ["MAG1", "MN1", "MN2"]), FIGURE3[7], FIGURE3[8],
    ("mag_expires_tunnel_oif", ["MAG2", "MN2", "MAG1"])]


def tiny_system():
    return provider.build("tiny", "draft")


def figure_init(system):
    """The tiny initial state of the figures: MN1 (listener) on MAG1, MN2 (sender) on MAG2."""
    return next(s for s in system.init
                if system.schema.decode(s)["att[MN1]"] == "MAG1" and system.schema.decode(s)["att[MN2]"] == "MAG2")


def record_of(steps, name, kind="reachable", init=None, system=None):
    system = system or tiny_system()
    trace = replay(system, init or figure_init(system), steps)
    prop = PropertyDef(name, kind, "", "", lambda ctx, s: True)
    return trace_record(system, trace, prop, "tiny", "draft")


def figure3_record():
    return record_of(FIGURE3, "figure3")


def figure4_record():
    system = tiny_system()
    after3 = replay(system, figure_init(system), FIGURE3).final
    return record_of(FIGURE4, "figure4", init=after3, system=system)


def counterexample_record():
    return record_of(LATE_LEAVE, "subscribed_listener_receives_at_quiescence", kind="quiescent")


def events_of(record, system=None):
    """The narrator's events for a record, drawn as render_trace draws them: from the replayed trace."""
    system = system or provider.build(record.preset, record.variant, **record.overrides)
    trace = replay(system, system.schema.encode(record.init), [(s.rule, s.args) for s in record.steps])
    word = "WITNESSED" if record.kind == "reachable" else "VIOLATED"
    return (narrative.lifelines(system, trace.init),
            narrative.narrate(system, trace, findings_of(system, record, trace), record.kind == "reachable",
                              f"{word}: {record.property}"))


def chart(record) -> str:
    lanes, events = events_of(record)
    return ascii_chart(lanes, events, f"{record.property} ({record.variant}, {record.preset})")


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PMIPMC_UPDATE_GOLDEN") or not path.exists():
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs from the golden file (PMIPMC_UPDATE_GOLDEN=1 to accept)"


def assert_narrow(text: str) -> None:
    wide = [line for line in text.splitlines() if len(line) > WIDTH]
    assert not wide, f"lines wider than {WIDTH}: {wide}"


def test_every_rule_has_a_narrative_entry():
    missing = narrative.missing_rules()
    assert not missing, f"model/actions.py ACTIONS has no entry for rule(s): {', '.join(missing)}"


def test_narrative_has_no_entry_for_a_rule_that_is_gone():
    stale = sorted(set(ACTIONS) - {r.name for r in ALL_RULES})
    assert not stale, f"ACTIONS entries for rules the model no longer has: {stale}"


def test_lifelines_follow_the_figures_order():
    system = tiny_system()
    assert narrative.lifelines(system, figure_init(system)) == ["MN1", "MAG1", "LMA", "MN2", "MAG2"]


def test_figure3_chart_reproduces_the_figures_order_of_events():
    text = chart(figure3_record())
    order = ["MLD Report", "(S,G) join", "PBU-Q", "PBA-Q", "Acquire CoA of MN2", "Establish multicast Bi-dir tunnel",
             "Add route to MRIB", "Set iif", "PIM (S,G) join", "Set oiflist", "Multicast data", "WITNESSED"]
    at = [text.find(x) for x in order]
    assert -1 not in at, dict(zip(order, at))
    assert at == sorted(at), dict(zip(order, at))
    assert "<====" in text and "====>" in text
    assert_narrow(text)
    assert_golden("figure3.msc.txt", text)


def test_figure4_chart_reproduces_the_figures_order_of_events():
    text = chart(figure4_record())
    order = ["MLD Report", "(S,G) leave", "last listener", "delete all (S,G) state", "PIM (S,G) prune",
             "update oiflist", "Remove multicast Bi-dir tunnel"]
    at = [text.find(x) for x in order]
    assert -1 not in at and at == sorted(at), dict(zip(order, at))
    assert "Multicast data" not in text
    assert_narrow(text)
    assert_golden("figure4.msc.txt", text)


def test_counterexample_chart_marks_the_violation_at_the_end():
    text = chart(counterexample_record())
    assert "VIOLATED: subscribed_listener_receives_at_quiescence" in text.splitlines()[-5] + text
    assert text.rfind("VIOLATED") > text.rfind("14.")
    assert "MN1 is subscribed to (MN2,G) and receives nothing" in text
    assert_narrow(text)
    assert_golden("late_leave.msc.txt", text)


@pytest.mark.parametrize("variant", provider.variant_names())
def test_every_tiny_trace_narrates_within_72_columns(variant):
    system = provider.build("tiny", variant)
    run = run_explicit(system, "tiny", variant)
    for res in run.results:
        if res.trace:
            events = events_of(res.trace, system)[1]
            assert events[-1].kind == "violation"
            assert {e.step for e in events if e.step} == set(range(1, len(res.trace.steps) + 1))
            assert_narrow(chart(res.trace))


def test_long_labels_wrap_and_unknown_lifelines_are_refused():
    lanes = ["A", "B"]
    long = Event("A", None, "x" * 200, "action", 1)
    assert_narrow(ascii_chart(lanes, [long]))
    with pytest.raises(ValueError):
        ascii_chart(lanes, [Event("A", "C", "m", "message", 1)])
    with pytest.raises(ValueError):
        Event("A", "B", "m", "shout", 1)


def test_environment_events_are_dashed_in_both_charts():
    ev = [Event("A", "B", "PBU lost", "env", 1)]
    assert "- -" in ascii_chart(["A", "B"], ev)
    assert "style=dashed" in dot_chart(["A", "B"], ev)
