"""What a trace means in the draft's words: lifelines, chart events, topology, packets.

The narrator receives the System a trace ran on and the trace's raw states, and reads them with
the model's own vocabulary: messages from the schema's message declarations, data delivery from
`forwarding.flow` (the expressions the properties check), and what is red from the property's
failing instances (`System.findings`).  Nothing here parses a decoded string.  This is the
model's side of the `Narrator` contract in engine/api.py.
"""
from __future__ import annotations

from pmipmc.engine.api import Finding, System
from pmipmc.engine.msc import Event
from pmipmc.engine.schema import Sent

from . import ALL_RULES
from .actions import ACTIONS, StepView, env
from .draft import LIST_NAMES, NOT_MODELLED   # the coverage table's words, told with the pictures
from .forwarding import flow
from .state import LMA

__all__ = ["LIST_NAMES", "NOT_MODELLED", "lifelines", "narrate", "topology", "write_pcap", "missing_rules"]


def missing_rules() -> list[str]:
    return [r.name for r in ALL_RULES if r.name not in ACTIONS]


def _names(system: System):
    ctx, mns = system.ctx, system.schema.sorts["MN"].elements
    mags = list(system.schema.sorts["MAG"].elements)
    return mags, [mns[i] for i in ctx.listeners], [mns[i] for i in ctx.senders]


def attached(system: System, state: bytes, n: int) -> int | None:
    """The MAG that MN n is attached to in `state`."""
    att = next(a for a in system.schema.arrays if a.name == "att")
    return next((m for m in system.ctx.mags if state[att.slot(n)] == system.ctx.at(m)), None)


def lifelines(system: System, init: bytes) -> list[str]:
    """Figure order: listeners, their MAGs, the LMA, senders, their MAGs, other MAGs."""
    mags, listeners, senders = _names(system)
    ctx = system.ctx
    left = [mags[m] for m in dict.fromkeys(attached(system, init, n) for n in ctx.listeners) if m is not None]
    right = [mags[m] for m in dict.fromkeys(attached(system, init, n) for n in ctx.senders)
             if m is not None and mags[m] not in left]
    rest = [m for m in mags if m not in left and m not in right]
    return listeners + left + [LMA] + senders + right + rest


def _sg(system: System):
    one = len(system.ctx.senders) == 1
    return lambda src: "(S,G)" if one else f"({src},G)"


def _format(m: Sent, sg) -> tuple[str, str]:
    """A message's label and note from its declaration's templates."""
    src = sg(m.names[m.message.source]) if m.message.source is not None else ""
    return tuple(t.format(*m.names, value=m.value, sg=src) for t in (m.message.label, m.message.note))


def step_events(system: System, n: int, before: bytes, after: bytes, k: int) -> list[Event]:
    """Chart events of one step: the rule's own actions, its same-step reply, the messages it
    put in flight, and for a loss the message it removed."""
    inst = system.rules[k]
    rule, args = inst.rule, system.args_text(inst)
    sg = _sg(system)
    st = StepView(system, n, before, after, sg)
    out = list(ACTIONS[rule.name](st, *args))
    consumed = system.schema.consumed(before, after)
    if rule.answers:
        out += [Event(m.receiver, m.sender, rule.answers, "message", n, "", f"for {m.names[m.message.source]}")
                for m in consumed if m.message.source is not None]
    for m in [] if rule.internal else system.schema.sent(before, after):
        label, note = _format(m, sg)
        out.append(Event(m.sender, m.receiver, label, "tunnel" if m.message.tunnel else "message", n, "", note))
    if rule.switch == "loss":
        out += [env(st, m.sender, m.receiver, f"{_format(m, sg)[0]} lost") for m in consumed]
    return [Event(e.src, e.dst, e.label, e.kind, n, rule.cites, e.note, e.bidir) for e in out]


def data_events(system: System, state: bytes) -> list[Event]:
    mags, listeners, senders = _names(system)
    mns = system.schema.sorts["MN"].elements
    out = []
    for x in system.ctx.senders:
        f = flow(system.ctx, state, x)
        if f.entry is None or not (f.hops or f.deliveries):
            continue
        what = "Multicast data" if len(senders) == 1 else f"Multicast data from {mns[x]}"
        out.append(Event(mns[x], mags[f.entry], what, "message"))
        out += [Event(mags[a], mags[b], what, "tunnel") for a, b in f.hops]
        for up in dict.fromkeys(a for a, _ in f.via_lma):   # RFC 6224 base path: up to the LMA, down to members
            out.append(Event(mags[up], LMA, what, "tunnel"))
            out += [Event(LMA, mags[b], what, "tunnel") for a, b in f.via_lma if a == up]
        out += [Event(mags[a], mns[l], what, "message") for a, l in f.deliveries]
    return out


def narrate(system: System, trace, findings: list[Finding], witness: bool, title: str) -> list[Event]:
    """The chart events of a trace, then the data flow it leads to, then the verdict naming the
    failing (or found) instance of the property."""
    out: list[Event] = []
    states = trace.states()
    for n, (st, before) in enumerate(zip(trace.steps, states), 1):
        out += step_events(system, n, before, st.state, st.inst)
    lanes = lifelines(system, trace.init)
    last_actor = out[-1].src if out else lanes[0]
    out += data_events(system, trace.final)
    named = [v for f in findings for v in f.names.values() if v in lanes]
    where = named[0] if named else last_actor
    note = findings[0].text if findings else ""
    if len(findings) > 1:
        note += f" (and {len(findings) - 1} more)"
    out.append(Event(where, None, title, "violation", None, "", note))
    return out


def topology(system: System, state: bytes, findings: list[Finding]) -> dict:
    """Nodes and edges of a state for render.topology_dot; what the findings name is marked."""
    sc, ctx = system.schema, system.ctx
    mags, listeners, senders = _names(system)
    mns = sc.sorts["MN"].elements
    view = {a.name: a for a in sc.arrays}

    def val(array, *idx):
        return state[view[array].slot(*idx)]

    bad = {v for f in findings for v in f.names.values()}
    nodes = [{"id": LMA, "label": "LMA", "shape": "box3d", "offending": False}]
    edges = []
    for m, mag in enumerate(mags):
        rows = [mag]
        for x in ctx.senders:
            iif, mrib = sc.label(view["iif"].slot(m, x), val("iif", m, x)), val("mrib", m, x)
            oif = [mns[l] for l in ctx.listeners if val("oif_local", m, x, l)]
            oif += [f"tunnel({mags[b]})" for b in ctx.mags if val("oif_tunnel", m, x, b)]
            if iif != "none" or oif or mrib != ctx.NONE:
                rows.append(f"({mns[x]},G) iif={iif} oif={{{', '.join(oif)}}}"
                            + (f" MRIB->{sc.label(view['mrib'].slot(m, x), mrib)}" if mrib != ctx.NONE else ""))
        nodes.append({"id": mag, "label": "\n".join(rows), "shape": "box", "rank": "MAG", "offending": mag in bad})
        bound = [mns[n] for n in ctx.mns if val("bce", n) == ctx.at(m)]
        if bound:
            edges.append({"src": LMA, "dst": mag, "label": "BCE " + ", ".join(bound), "style": "unicast",
                          "offending": False})
    for n in ctx.mns:
        role = "listener" if n in ctx.listeners else "sender"
        nodes.append({"id": mns[n], "label": f"{mns[n]}\n{role}", "shape": "ellipse", "rank": "MN",
                      "offending": mns[n] in bad})
        at = attached(system, state, n)
        if at is not None:
            edges.append({"src": mags[at], "dst": mns[n], "label": "", "style": "attach", "offending": False})
    for a in ctx.mags:
        for b in ctx.mags[a:]:   # b == a: a tunnel to itself is drawn as a loop
            ab, ba = val("tunnel", a, b), val("tunnel", b, a)
            if ab or ba:
                label = (f"{mags[a]} end to itself" if a == b else
                         f"{mags[a]} end: {'yes' if ab else 'no'} / {mags[b]} end: {'yes' if ba else 'no'}")
                edges.append({"src": mags[a], "dst": mags[b], "style": "tunnel" if ab and ba else "half",
                              "label": label, "offending": mags[a] in bad and mags[b] in bad})
    return {"nodes": nodes, "edges": edges, "notes": [f.text for f in findings if f.text]}


def write_pcap(system: System, trace, path) -> int:
    from .wire.packets import events
    from .wire.pcap import write_pcap as write
    return write(events(system, trace), path)
