"""The pictures are drawn from the model's own meaning: messages from the schema's declarations,
data paths from forwarding.py, red from the property's failing instance."""
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmipmc.engine.api import Step, invariant
from pmipmc.engine.compile import evaluate
from pmipmc.engine.expr import var
from pmipmc.engine.schema import SchemaError
from pmipmc.model import forwarding as fw
from pmipmc.model import narrative
from pmipmc.model.variants import VariantError

from .helpers import system


def walk(sysm, seed: int, steps: int) -> list[bytes]:
    """States met on one random walk from a random initial state."""
    rnd = random.Random(seed)
    s, out = rnd.choice(sysm.init), []
    for _ in range(steps):
        out.append(s)
        nxt = sysm.successors(s)
        if not nxt:
            break
        s = rnd.choice(nxt)[1]
    return out


@pytest.mark.parametrize("variant", ["draft", "repaired"])
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_chart_delivery_is_exactly_what_the_properties_call_delivery(variant, seed):
    sysm = system("ci", variant)
    ctx, view = sysm.ctx, sysm.schema.view(0)
    for s in walk(sysm, seed, 40):
        for x in ctx.senders:
            drawn = {l for _, l in fw.flow(ctx, s, x).deliveries}
            assert drawn == {l for l in ctx.listeners if evaluate(fw.delivered(ctx, view, x, l), s)}


def test_with_local_sources_only_no_chart_draws_a_second_tunnel_hop():
    """The repair forbids forwarding tunnel-received data into another tunnel; the chart obeys it."""
    sysm = system("three-mags", "repaired")
    ctx = sysm.ctx
    s = bytearray(sysm.init[0])
    arr = {a.name: a for a in sysm.schema.arrays}
    x = ctx.senders[0]
    # MAG1 serves the sender and forwards to MAG2, which forwards on to MAG3
    s[arr["att"].slot(x)] = ctx.at(0)
    s[arr["iif"].slot(0, x)] = ctx.IIF_LOCAL
    for a, b in ((0, 1), (1, 2)):
        s[arr["tunnel"].slot(a, b)] = s[arr["tunnel"].slot(b, a)] = 1
        s[arr["oif_tunnel"].slot(a, x, b)] = 1
        s[arr["iif"].slot(b, x)] = ctx.via(a)
    assert fw.flow(ctx, bytes(s), x).hops == ((0, 1),)
    draft = system("three-mags", "draft")
    assert fw.flow(draft.ctx, bytes(s), x).hops == ((0, 1), (1, 2))


def test_a_tunnel_to_itself_is_drawn_and_red():
    sysm = system("tiny", "draft")
    arr = {a.name: a for a in sysm.schema.arrays}
    s = bytearray(sysm.init[0])
    s[arr["tunnel"].slot(0, 0)] = 1
    prop = sysm.property("no_tunnel_to_itself")
    found = sysm.findings(prop, bytes(s))
    assert [f.text for f in found] == ["MAG1 has a multicast tunnel to itself"]
    g = narrative.topology(sysm, bytes(s), found)
    loops = [e for e in g["edges"] if e["src"] == e["dst"] == "MAG1"]
    assert loops and loops[0]["offending"]


def test_every_message_array_says_who_sends_it_to_whom():
    sysm = system("tiny", "draft")
    names = {a.name for a in sysm.schema.arrays if a.message is not None}
    assert names == {"pbu_reg", "pbu_dereg", "pba_q", "mld", "pbu_q", "pim", "tunnel_setup"}
    lanes = set(narrative.lifelines(sysm, sysm.init[0]))
    for s in walk(sysm, 7, 60):
        for t in (t for _, t in sysm.successors(s)):
            for m in sysm.schema.sent(s, t):
                assert {m.sender, m.receiver} <= lanes, m


def test_a_misspelled_variant_reading_is_an_error_not_false():
    ctx = system().ctx
    with pytest.raises(VariantError):
        ctx.reads("tunnel_teardown", "when-unused")
    with pytest.raises(VariantError):
        ctx.reads("tunnel_tear_down", "when_unused")


def test_rules_over_sub_sorts_take_only_their_members():
    sysm = system("shared", "draft")   # one listener, two senders
    for inst in sysm.rules:
        for sort, a in zip(inst.rule.each, inst.args):
            if sort == "SENDER":
                assert a in sysm.ctx.senders
            if sort == "LISTENER":
                assert a in sysm.ctx.listeners


@given(st.integers(0, 3), st.integers(0, 3))
def test_then_is_sequential_composition(a, b):
    x, y = var(0), var(1)
    first = Step(guard=x == a, effect={x: x + 1})
    second = Step(guard=x == a + 1, effect={y: x + b, x: 0})
    both = first.then(second)
    state = bytes([a, 9])
    assert evaluate(both.guard, state)
    after = {t.args[0]: evaluate(v, state) for t, v in both.effect.items()}
    assert after == {0: 0, 1: a + 1 + b}


def test_a_says_template_naming_no_parameter_is_refused():
    with pytest.raises(SchemaError):
        invariant(cites="x", each=("MAG",), says="{b} is wrong")(lambda ctx, s, a: True)


def test_the_model_keeps_the_declared_contract():
    from pmipmc.engine.api import Narrator, Provider
    from pmipmc.properties import provider
    assert isinstance(provider, Provider)
    assert isinstance(provider.narrator(), Narrator)


def test_the_models_narrator_takes_what_the_protocol_declares():
    """isinstance only sees that the names exist; the engine calls them with these arguments."""
    import inspect

    from pmipmc.engine.api import Narrator
    from pmipmc.properties import provider
    narrator = provider.narrator()
    methods = [n for n, v in vars(Narrator).items() if inspect.isfunction(v) and not n.startswith("_")]
    assert sorted(methods) == ["lifelines", "narrate", "topology", "write_pcap"]
    for name in methods:
        want = list(inspect.signature(getattr(Narrator, name)).parameters.values())[1:]   # without self
        got = list(inspect.signature(getattr(narrator, name)).parameters.values())
        assert [p.name for p in got[:len(want)]] == [p.name for p in want], name
        assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in got[:len(want)]), name
        assert all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                   for p in got[len(want):]), f"{name} needs more than the protocol passes"
        for p, w in zip(got, want):   # where the model annotates, it says what the protocol says
            assert p.annotation is p.empty or p.annotation == w.annotation, (name, p.name)
    for attr in Narrator.__annotations__:
        assert isinstance(getattr(narrator, attr), dict), attr


def test_every_message_array_says_which_packet_it_is():
    from pmipmc.model.wire.packets import WIRE
    arrays = {a.name for v in ("draft", "base-path") for a in system("tiny", v).schema.arrays if a.message is not None}
    assert set(WIRE) == arrays


@pytest.mark.parametrize("variant", ["draft", "fix-mobility", "base-path"])
def test_every_packet_of_every_tiny_trace_is_one_the_pcap_writer_knows(variant, tmp_path):
    from pmipmc.engine.check import run_explicit
    from pmipmc.engine.trace import replay
    from pmipmc.model.wire import packets, pcap
    sysm = system("tiny", variant)
    for res in run_explicit(sysm, "tiny", variant).results:
        if res.trace is None:
            continue
        trace = replay(sysm, sysm.schema.encode(res.trace.init), [(s.rule, s.args) for s in res.trace.steps])
        events = packets.events(sysm, trace)
        assert len(pcap.build_packets(events)) == len(events)
