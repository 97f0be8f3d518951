"""The signalling of a trace as packet events for pcap.write_pcap.

Packets come from the same places as the chart's arrows: the schema's message declarations
(what a step put in flight), a rule's same-step reply (`answers`), and `forwarding.flow` for
data.  Which wire message a message array carries is said once, in `WIRE`, by array.
"""
from __future__ import annotations

from pmipmc.engine.api import System
from pmipmc.engine.schema import Sent

from ..forwarding import flow
from ..state import LMA

REGISTERED = 3600   # lifetime of a registration PBU, seconds


def _pba_q(m: Sent) -> dict:
    if m.value.startswith("CoA="):
        return {"kind": "PBA-Q", "status": "success", "coa": m.value[len("CoA="):]}
    return {"kind": "PBA-Q", "status": "failure"}


# message array -> the packet's fields, from the message in flight
WIRE = {
    "pbu_reg": lambda m: {"kind": "PBU", "lifetime": REGISTERED},
    "pbu_dereg": lambda m: {"kind": "PBU", "lifetime": 0},
    "pbu_q": lambda m: {"kind": "PBU-Q", "lifetime": 0},
    "pba_q": _pba_q,
    "mld": lambda m: {"kind": "MLD-REPORT-JOIN" if m.value == "join" else "MLD-REPORT-LEAVE"},
    "pim": lambda m: {"kind": "PIM-JOIN" if m.value == "join" else "PIM-PRUNE", "tunnel": True},
    # RFC 6224 base path: the MAG's MLD proxy reports upstream, inside the MAG-LMA tunnel
    "mld_up": lambda m: {"kind": "MLD-REPORT-JOIN" if m.value == "join" else "MLD-REPORT-LEAVE", "tunnel": True,
                         "mn": None},
    "tunnel_setup": None,   # no packet of its own: RFC 5213 creates tunnel ends implicitly
}
ANSWERS = {"PBA": {"kind": "PBA", "status": "success"}}


def ev(kind, src, dst, **kw) -> dict:
    return dict(kind=kind, src=src, dst=dst, mn=kw.get("mn"), source=kw.get("source"), status=kw.get("status"),
                lifetime=kw.get("lifetime"), tunnel=kw.get("tunnel", False),
                **({"coa": kw["coa"]} if "coa" in kw else {}))


def _packet(m: Sent) -> dict | None:
    make = WIRE[m.array]
    if make is None:
        return None
    fields = make(m)
    about = m.names[m.message.source] if m.message.source is not None else None
    if fields["kind"].startswith(("MLD", "PIM")):
        fields.setdefault("mn", m.sender if fields["kind"].startswith("MLD") else None)
        fields["source"] = about
    else:
        fields["mn"] = about
    return ev(fields.pop("kind"), m.sender, m.receiver, **fields)


def events(system: System, trace) -> list[dict]:
    """Registrations of the initial state, then what each step sends, then the data flow."""
    ctx, sc = system.ctx, system.schema
    mags, mns = sc.sorts["MAG"].elements, sc.sorts["MN"].elements
    bce = next(a for a in sc.arrays if a.name == "bce")
    out = []
    for n in ctx.mns:
        m = next((m for m in ctx.mags if trace.init[bce.slot(n)] == ctx.at(m)), None)
        if m is not None:
            out += [ev("PBU", mags[m], LMA, mn=mns[n], lifetime=REGISTERED),
                    ev("PBA", LMA, mags[m], mn=mns[n], status="success")]
    for st, before in zip(trace.steps, trace.states()):
        rule = system.rules[st.inst].rule
        if rule.answers in ANSWERS:
            out += [ev(**{"kind": rule.answers, **ANSWERS[rule.answers]}, src=m.receiver, dst=m.sender,
                       mn=m.names[m.message.source])
                    for m in sc.consumed(before, st.state) if m.message.source is not None]
        if not rule.internal:
            out += [p for p in map(_packet, sc.sent(before, st.state)) if p is not None]
    for x in ctx.senders:
        f = flow(ctx, trace.final, x)
        if f.entry is not None and (f.hops or f.deliveries):
            out.append(ev("DATA", mns[x], mags[f.entry], source=mns[x]))
            out += [ev("DATA", mags[a], mags[b], source=mns[x], tunnel=True) for a, b in f.hops]
            for up in dict.fromkeys(a for a, _ in f.via_lma):   # RFC 6224 base path: via the LMA
                out.append(ev("DATA", mags[up], LMA, source=mns[x], tunnel=True))
                out += [ev("DATA", LMA, mags[b], source=mns[x], tunnel=True) for a, b in f.via_lma if a == up]
    return out
