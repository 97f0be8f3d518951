"""What a trace means in the draft's words: lifelines, chart events, packets, topology.

`NARRATIVE` is the one rule -> message table.  A rule sends its message in the step that
fires it and the receiver's processing is an action on the receiver's lifeline, which is how
Figures 3 and 4 draw the procedure (arrow 2 is the PBU-Q, "Acquire CoA of MN2" sits under
MAG1).  Entries read the step's delta where one rule may or may not send (e.g. a PIM Join is
only sent while the tunnel end exists).  tests/test_msc.py fails if a rule has no entry.
"""
from __future__ import annotations

import re
from typing import Callable

from pmipmc.engine.msc import Event
from pmipmc.engine.render import state_after

from . import ALL_RULES, enabled_rules, make_ctx, preset, variant

LMA = "LMA"
# numbered lists of the draft that are not "steps", by section and order of appearance
LIST_NAMES = {"5": ["step", "PBA-Q item"], "6.2": ["PBU-Q item", "MAG op", "MAG2 op"]}
NOT_MODELLED = {
    "§5 PBA-Q item 1": "IP header addresses: wire format, checked by `pmipmc lint` (wire.py)",
    "§5 PBA-Q item 2": "IP header addresses: wire format, checked by `pmipmc lint` (wire.py)",
    "§6.2 PBU-Q item 1": "IP header addresses: wire format, checked by `pmipmc lint` (wire.py)",
    "§6.2 PBU-Q item 2": "IP header addresses: wire format, checked by `pmipmc lint` (wire.py)",
    "§4.2 step 9": "data delivery is computed from iif/oiflist (forwarding.py), not a rule",
    "§6": "SSM-aware router behaviour (RFC 4604) is assumed: SSM channels only",
    "§8": "message formats: checked by `pmipmc lint` (wire.py, IANA registry), not the state machine",
}


class _Step:
    """One step's arguments and delta, with lookups by array name."""

    def __init__(self, n: int, args: list[str], delta: list[list[str]], one_sender: bool):
        self.n, self.args = n, args
        self.old, self.new = {}, {}
        self.slots = {slot: (before, after) for slot, before, after in delta}
        for slot, before, after in delta:
            name = slot.split("[", 1)[0]
            self.old.setdefault(name, before)
            self.new.setdefault(name, after)
        self.S = "S" if one_sender else "S={}"

    def changed(self, array: str) -> bool:
        return array in self.new

    def sg(self, src: str) -> str:
        return "(" + self.S.format(src) + ",G)"


def msg(st, src, dst, label, note=""):
    return Event(src, dst, label, "message", st.n, "", note)


def act(st, at, label, note=""):
    return Event(at, None, label, "action", st.n, "", note)


def tun(st, src, dst, label, note="", bidir=False):
    return Event(src, dst, label, "tunnel", st.n, "", note, bidir)


def env(st, src, dst, label, note=""):
    return Event(src, dst, label, "env", st.n, "", note)


def _pbu_q(st, m, l, src):
    if st.changed("pbu_q"):
        return [msg(st, m, LMA, "PBU-Q", f"HoA of {src}")]
    return [act(st, m, f"Add {m}-{l} to oiflist", "(query already sent)")]


def _pba_q(st, m, src):
    answer = st.new.get("pba_q", "")
    note = f"{answer[4:]} is CoA of {src}" if answer.startswith("CoA=") else "failure indication"
    return [msg(st, LMA, m, "PBA-Q", note)]


def _establish(st, m, src, b):
    if st.changed("tunnel_setup"):
        return [act(st, m, f"Create tunnel end to {b}"), msg(st, m, b, "Tunnel set-up")]
    if f"tunnel[{m}][{b}]" in st.slots and m != b:
        return [tun(st, m, b, "Establish multicast Bi-dir tunnel", bidir=True)]
    return [act(st, m, f"Use tunnel to {b}" if m != b else "Tunnel to itself!")]


def _removes_tunnel(st, a, b):
    if f"tunnel[{a}][{b}]" in st.slots and f"tunnel[{b}][{a}]" in st.slots:
        return [tun(st, a, b, "Remove multicast Bi-dir tunnel", bidir=True)]
    return [act(st, a, f"Remove own end of tunnel to {b}")]


def _registration(st, n, m):
    return [env(st, n, m, "attach"), msg(st, m, LMA, "PBU", f"for {n}")]


def _handover(st, n, old, new):
    return [env(st, n, new, f"moves {old} -> {new}"), msg(st, old, LMA, "PBU lifetime 0", f"for {n}"),
            msg(st, new, LMA, "PBU", f"for {n}")]


def _lma_accepts(st, n, m):
    out = [msg(st, LMA, m, "PBA", f"BCE {n} -> {m}")]
    # the lma_notifies repair: every querier learns the new CoA
    out += [msg(st, LMA, k[6:].split("]")[0], "PBA-Q", f"{n} moved") for k in st.slots if k.startswith("pba_q[")]
    return out


def _lma_deregisters(st, n, m):
    if st.changed("bce"):
        return [act(st, LMA, f"Delete BCE of {n}")]
    return [act(st, LMA, f"Keep BCE of {n}", f"(PBU not from its CoA {m})")]


NARRATIVE: dict[str, Callable] = {
    # §4.2 step 1, §4.3 step 1, MLD (RFC 3810)
    "mn_subscribes": lambda st, l, src, m: [msg(st, l, m, "MLD Report", f"{st.sg(src)} join")],
    "mn_unsubscribes": lambda st, l, src, m: [msg(st, l, m, "MLD Report", f"leave {st.sg(src)}")],
    "mn_reports_membership": lambda st, l, src, m: [msg(st, l, m, "MLD Report", f"{st.sg(src)} join (again)")],
    "mag_discards_stale_report": lambda st, m, l, src: [act(st, m, f"Drop report of {l}", "(not attached)")],
    "mag_joins_locally": lambda st, m, l, src: [act(st, m, f"Add {m}-{l} to oiflist / iif local (§6.1)")],
    "mag_sends_pbu_q": _pbu_q,
    "mag_removes_listener": lambda st, m, l, src: [act(st, m, f"Remove {m}-{l} from oiflist")],
    "mag_deletes_channel_state": lambda st, m, l, src: [
        act(st, m, f"{l} is the last listener / delete all {st.sg(src)} state")],
    "mag_expires_listener": lambda st, m, l, src: [act(st, m, f"{l}'s membership expires", "(as if leave)")],
    "network_loses_mld_report": lambda st, m, l, src: [env(st, l, m, "MLD Report lost")],
    # §5 and §4.2 steps 2-8, §4.3 steps 4-6, §6.2
    "lma_answers_pbu_q": _pba_q,
    "legacy_lma_treats_pbu_q_as_pbu": lambda st, m, src: [
        act(st, LMA, "PBU-Q taken as PBU", f"BCE {src} -> {m}"), msg(st, LMA, m, "PBA", "(no Q flag)")],
    "mag_receives_pba_q": lambda st, m, src, b: [act(st, m, f"Acquire CoA of {src}")],
    "mag_ignores_pba_q_without_members": lambda st, m, src: [act(st, m, "PBA-Q dropped", "(no member left)")],
    "mag_receives_pba_q_failure": lambda st, m, src: [act(st, m, "PBA-Q failure", "query ends")],
    "lma_renotifies": lambda st, m, src: [msg(st, LMA, m, "PBA-Q (again)", f"{src} moved")],
    "mag_requeries_after_local_sender_left": lambda st, m, src: [
        act(st, m, f"{src} left (§6.1 state)"), msg(st, m, LMA, "PBU-Q", f"HoA of {src}")],
    "mag_takes_local_iif_for_registered_source": lambda st, m, src: [
        act(st, m, f"{src} registered here", "iif local (RPF change)")],
    "mag_establishes_tunnel": _establish,
    "mag_opens_optimized_route": lambda st, m, src, b: _establish(st, m, src, b) + [
        act(st, m, "Add route to MRIB"), act(st, m, f"Update {st.sg(src)} state / Set iif"),
        tun(st, m, b, f"PIM {st.sg(src)} join")],
    "mag_accepts_tunnel_setup": lambda st, b, a: [act(st, b, f"Create tunnel end to {a}")],
    "mag_adds_mrib_route": lambda st, m, src, b: [act(st, m, "Add route to MRIB")],
    "mag_sets_iif": lambda st, m, src, b: [act(st, m, f"Update {st.sg(src)} state / Set iif")],
    "mag_sends_pim_join": lambda st, m, src, b: (
        [tun(st, m, b, f"PIM {st.sg(src)} join")] if st.changed("pim")
        else [act(st, m, "PIM join not sent", "(no tunnel end)")]),
    "mag_receives_pim_join": lambda st, b, a, src: [act(st, b, f"Update {st.sg(src)} state / Set oiflist")],
    "mag_removes_route_and_prunes": lambda st, m, src, b: [act(st, m, "Remove route from MRIB")] + (
        [tun(st, m, b, f"PIM {st.sg(src)} prune")] if st.changed("pim") else []),
    "mag_receives_pim_prune": lambda st, b, a, src: [act(st, b, f"update {st.sg(src)} state / update oiflist")],
    "mag_discards_pim_without_tunnel": lambda st, b, a, src: [
        act(st, b, f"Drop PIM {st.old.get('pim', '')}", f"(no tunnel end to {a})")],
    "mag_removes_tunnel": _removes_tunnel,
    # RFC 5213 mobility; environment rules are dashed
    "mn_attaches": _registration,
    "mn_detaches": lambda st, n, m: [env(st, n, None, f"{n} detaches from {m}"),
                                     msg(st, m, LMA, "PBU lifetime 0", f"for {n}")],
    "mn_hands_over": _handover,
    "lma_accepts_pbu": _lma_accepts,
    "lma_deregisters": _lma_deregisters,
    "mag_refreshes_binding": lambda st, m, n: [msg(st, m, LMA, "PBU (re-registration)", f"for {n}")],
    "lma_expires_binding": lambda st, n, m: [act(st, LMA, f"BCE of {n} expires", "(no refresh)")],
    "mag_retransmits_pbu": lambda st, m, n: [msg(st, m, LMA, "PBU (again)", f"for {n}")],
    "network_loses_pbu": lambda st, n: [env(st, st.old.get("pbu_reg", LMA), LMA, "PBU lost")],
    "network_loses_deregistration": lambda st, n: [env(st, st.old.get("pbu_dereg", LMA), LMA, "PBU lost")],
    # inherited soft state, retransmission, loss
    "mag_refreshes_pim_join": lambda st, a, src, b: [tun(st, a, b, f"PIM {st.sg(src)} join", "(refresh)")],
    "mag_expires_tunnel_oif": lambda st, b, src, a: [act(st, b, f"oiflist entry {b}-{a} expires")],
    "mag_retransmits_pbu_q": lambda st, m, src: [msg(st, m, LMA, "PBU-Q (again)", f"HoA of {src}")],
    "network_loses_pbu_q": lambda st, m, src: [env(st, m, LMA, "PBU-Q lost")],
    "network_loses_pba_q": lambda st, m, src: [env(st, LMA, m, "PBA-Q lost")],
    "network_loses_pim": lambda st, a, b, src: [env(st, a, b, f"PIM {st.old.get('pim', '')} lost")],
    "network_loses_tunnel_setup": lambda st, a, b: [env(st, a, b, "Tunnel set-up lost")],
    # data packets in flight (switch data_packets)
    "mn_sends_data": lambda st, src, m: [env(st, src, m, "Multicast data", "(one packet)")],
    "mag_forwards_data": lambda st, m, src: [act(st, m, f"Forward {st.sg(src)} packet", "(oiflist)")],
}


def missing_rules() -> list[str]:
    return [r.name for r in ALL_RULES if r.name not in NARRATIVE]


# ---------------------------------------------------------------- the cast

def _key(name: str) -> tuple:
    m = re.match(r"([A-Z]+)(\d+)$", name)
    return (m.group(1), int(m.group(2))) if m else (name, 0)


def cast(obj, labels: dict[str, str] | None = None) -> tuple[list[str], list[str], list[str]]:
    """(MAGs, listeners, senders) of a System or a TraceRecord."""
    ctx = getattr(obj, "ctx", None)
    if ctx is not None:
        mns = ctx.schema.sorts["MN"].elements
        return list(ctx.schema.sorts["MAG"].elements), [mns[i] for i in ctx.listeners], [mns[i] for i in ctx.senders]
    labels = labels if labels is not None else obj.init
    mags = sorted({m.group(1) for k in labels for m in [re.match(r"tunnel\[(\w+)\]", k)] if m}, key=_key)
    mns = sorted({k[4:-1] for k in labels if k.startswith("att[")}, key=_key)
    try:
        b = preset(obj.preset)
        b = b.with_(**obj.overrides) if obj.overrides else b
        n = b.listeners
    except Exception:   # an unknown preset in an old trace: MN1.. are listeners, as build_schema orders them
        n = max(1, len(mns) // 2)
    return mags, mns[:n], mns[n:]


def lifelines(obj) -> list[str]:
    """Figure order: listeners, their MAGs, the LMA, senders, their MAGs, other MAGs."""
    mags, listeners, senders = cast(obj)
    init = getattr(obj, "init", None)
    init = init if isinstance(init, dict) else None   # a System's init is a list of states
    at = {n: (init or {}).get(f"att[{n}]", "") for n in listeners + senders}
    if init is None:   # no state: split the MAGs as the figures do
        at = {listeners[0]: mags[0]} if mags and listeners else {}
    left = [m for m in dict.fromkeys(at.get(n) for n in listeners) if m in mags]
    right = [m for m in dict.fromkeys(at.get(n) for n in senders) if m in mags and m not in left]
    rest = [m for m in mags if m not in left and m not in right]
    return listeners + left + [LMA] + senders + right + rest


def narrate(record) -> list[Event]:
    """The chart events of a trace, ending with its verdict and the resulting data flow."""
    mags, listeners, senders = cast(record)
    out: list[Event] = []
    for n, s in enumerate(record.steps, 1):
        st = _Step(n, s.args, s.delta, len(senders) == 1)
        fn = NARRATIVE.get(s.rule)
        evs = fn(st, *s.args) if fn else [act(st, _actor(s.args), f"{s.rule}({', '.join(s.args)})")]
        # the table decides what is dashed: an MLD Report is drawn solid as in Figure 3, though
        # subscribing is an environment choice of the listener
        out += [Event(e.src, e.dst, e.label, e.kind, n, s.cites, e.note, e.bidir) for e in evs]
    final = state_after(record)
    last_actor = out[-1].src if out else lifelines(record)[0]
    out += data_events(final, mags, listeners, senders, len(senders) == 1)
    worst = anomalies(final, mags, listeners, senders, record.property)
    where = next((w for a in worst for w in a["at"] if w in mags + listeners + senders + [LMA]), None)
    witness = record.kind == "reachable"
    if where is None or witness:
        where = last_actor
    note = "" if witness or not worst else worst[0]["text"]
    out.append(Event(where, None, f"{'WITNESSED' if witness else 'VIOLATED'}: {record.property}", "violation",
                     None, "", note))
    return out


def _actor(args: list[str]) -> str:
    return next((a for a in args if a.startswith("MAG")), args[0] if args else LMA)


# ---------------------------------------------------------------- data flow and anomalies

def data_paths(lab: dict[str, str], mags, listeners, senders) -> dict[str, tuple[list, list]]:
    """Per sender: tunnel hops taken and listeners reached, following iif/oiflist (forwarding.py)."""
    out = {}
    for s in senders:
        first = lab.get(f"att[{s}]")
        if first not in mags or lab.get(f"iif[{first}][{s}]") != "local":
            out[s] = ([], [])
            continue
        hops, reached, seen, frontier = [], [], {first}, [first]
        while frontier:
            a = frontier.pop(0)
            reached += [(a, l) for l in listeners
                        if lab.get(f"oif_local[{a}][{s}][{l}]") == "1" and lab.get(f"att[{l}]") == a]
            for b in mags:
                if (b != a and lab.get(f"oif_tunnel[{a}][{s}][{b}]") == "1" and lab.get(f"tunnel[{a}][{b}]") == "1"
                        and lab.get(f"tunnel[{b}][{a}]") == "1" and lab.get(f"iif[{b}][{s}]") == f"tunnel({a})"):
                    hops.append((a, b))
                    if b not in seen:
                        seen.add(b)
                        frontier.append(b)
        out[s] = (hops, reached)
    return out


def data_events(lab, mags, listeners, senders, one_sender: bool) -> list[Event]:
    out = []
    for s, (hops, reached) in data_paths(lab, mags, listeners, senders).items():
        if not hops and not reached:
            continue
        what = "Multicast data" if one_sender else f"Multicast data from {s}"
        out.append(Event(s, lab[f"att[{s}]"], what, "message"))
        out += [Event(a, b, what, "tunnel") for a, b in hops]
        out += [Event(a, l, what, "message") for a, l in reached]
    return out


def anomalies(lab, mags, listeners, senders, prop: str = "") -> list[dict]:
    """Suspicious elements of a state, best match to the property's name first."""
    found = []

    def add(tags, at, edges, text):
        found.append({"tags": set(tags.split()), "at": at, "edges": edges, "text": text})

    for a in mags:
        for b in mags:
            if a == b:
                continue
            t_ab, t_ba = lab.get(f"tunnel[{a}][{b}]") == "1", lab.get(f"tunnel[{b}][{a}]") == "1"
            if t_ab and not t_ba:
                add("tunnel ends agree bi directional", [a], [(a, b)], f"{a} has a tunnel end to {b}; {b} has none")
            used = any(lab.get(f"iif[{a}][{s}]") == f"tunnel({b})" or lab.get(f"oif_tunnel[{a}][{s}][{b}]") == "1"
                       for s in senders)
            if t_ab and not used:
                add("orphaned tunnel unused", [a], [(a, b)], f"{a}'s tunnel end to {b} is used by no (S,G) entry")
            for s in senders:
                iif = lab.get(f"iif[{a}][{s}]") == f"tunnel({b})"
                sg = f"({s},G)"
                if iif and not t_ab:
                    add("tunnel removed iif", [a], [(a, b)], f"{a}'s {sg} iif is the tunnel to {b}, which is gone")
                if iif and lab.get(f"oif_tunnel[{b}][{s}][{a}]") != "1" and lab.get(f"pim[{a}][{b}][{s}]") != "join":
                    add("iif tunnel upstream oif join", [a, b], [(a, b)],
                        f"{a} expects {sg} from {b}, but {b}'s oiflist lacks the tunnel to {a}")
                if lab.get(f"oif_tunnel[{b}][{s}][{a}]") == "1" and not iif:
                    add("oif tunnel downstream iif", [b], [(a, b)],
                        f"{b} forwards {sg} to {a}, whose iif is not that tunnel")
                if (lab.get(f"mrib[{a}][{s}]") == b) != iif:
                    add("mrib route matches iif", [a], [], f"{a}: MRIB route towards {s} and {sg} iif disagree")
                if iif and lab.get(f"att[{s}]") not in (b, "detached"):
                    add("rpf neighbour sender", [a], [(a, b)], f"{a}'s RPF neighbour {b} is not where {s} is")
    paths = data_paths(lab, mags, listeners, senders)
    for l in listeners:
        for s in senders:
            if lab.get(f"sub[{l}][{s}]") == "1" and not any(x == l for _, x in paths[s][1]):
                add("subscribed listener receives delivery", [l], [], f"{l} subscribed to ({s},G) and receives nothing")
    for n in listeners + senders:   # listeners start unregistered: only a binding that exists must agree
        if (n in senders or lab.get(f"bce[{n}]") != "none") and \
                lab.get(f"att[{n}]") != lab.get(f"bce[{n}]").replace("none", "detached"):
            add("binding cache matches attachment", [LMA], [], f"LMA binds {n} to {lab.get(f'bce[{n}]')}, "
                f"{n} is at {lab.get(f'att[{n}]')}")
    words = set(prop.split("_"))
    found.sort(key=lambda a: -len(a["tags"] & words))
    best = len(found[0]["tags"] & words) if found else 0
    for a in found:
        a["offending"] = best == 0 or len(a["tags"] & words) == best
    return found


# ---------------------------------------------------------------- topology and packets

def topology(obj, state_labels: dict[str, str]) -> dict:
    """Nodes and edges of a state for render.topology_dot; offending elements marked."""
    lab = state_labels
    mags, listeners, senders = cast(obj, lab)
    bad = [a for a in anomalies(lab, mags, listeners, senders, getattr(obj, "property", "")) if a["offending"]]
    bad_nodes = {n for a in bad for n in a["at"]}
    bad_edges = {frozenset(e) for a in bad for e in a["edges"]}
    nodes = [{"id": LMA, "label": "LMA", "role": "lma", "offending": LMA in bad_nodes}]
    edges = []
    for m in mags:
        rows = [m]
        for s in senders:
            iif = lab.get(f"iif[{m}][{s}]", "none")
            oif = [l for l in listeners if lab.get(f"oif_local[{m}][{s}][{l}]") == "1"]
            oif += [f"tunnel({b})" for b in mags if lab.get(f"oif_tunnel[{m}][{s}][{b}]") == "1"]
            mrib = lab.get(f"mrib[{m}][{s}]", "none")
            if iif != "none" or oif or mrib != "none":
                rows.append(f"({s},G) iif={iif} oif={{{', '.join(oif)}}}" + (f" MRIB->{mrib}" if mrib != "none" else ""))
        nodes.append({"id": m, "label": "\n".join(rows), "role": "mag", "offending": m in bad_nodes})
        bound = [n for n in listeners + senders if lab.get(f"bce[{n}]") == m]
        if bound:
            edges.append({"src": LMA, "dst": m, "label": "BCE " + ", ".join(bound), "style": "unicast",
                          "offending": False})
    for n in listeners + senders:
        role = "listener" if n in listeners else "sender"
        nodes.append({"id": n, "label": f"{n}\n{role}", "role": "mn", "offending": n in bad_nodes})
        if lab.get(f"att[{n}]") in mags:
            edges.append({"src": lab[f"att[{n}]"], "dst": n, "label": "", "style": "attach", "offending": False})
    for i, a in enumerate(mags):
        for b in mags[i + 1:]:
            ab, ba = lab.get(f"tunnel[{a}][{b}]") == "1", lab.get(f"tunnel[{b}][{a}]") == "1"
            if ab or ba:
                edges.append({"src": a, "dst": b, "style": "tunnel" if ab and ba else "half",
                              "label": f"{a} end: {'yes' if ab else 'no'} / {b} end: {'yes' if ba else 'no'}",
                              "offending": frozenset((a, b)) in bad_edges})
    return {"nodes": nodes, "edges": edges, "notes": [a["text"] for a in bad]}


def pcap_events(record) -> list[dict]:
    """Packets of the trace for pcap.write_pcap: registrations of the initial state, then sends."""
    mags, listeners, senders = cast(record)

    def ev(kind, src, dst, **kw):
        return dict(kind=kind, src=src, dst=dst, mn=kw.get("mn"), source=kw.get("source"),
                    status=kw.get("status"), lifetime=kw.get("lifetime"), tunnel=kw.get("tunnel", False),
                    **({"coa": kw["coa"]} if "coa" in kw else {}))
    out = []
    for n in listeners + senders:
        m = record.init.get(f"bce[{n}]")
        if m in mags:
            out += [ev("PBU", m, LMA, mn=n, lifetime=3600), ev("PBA", LMA, m, mn=n, status="success")]
    for s in record.steps:
        st, a = _Step(0, s.args, s.delta, True), s.args
        r = s.rule
        if r in ("mn_subscribes", "mn_reports_membership", "mn_unsubscribes"):
            kind = "MLD-REPORT-LEAVE" if r == "mn_unsubscribes" else "MLD-REPORT-JOIN"
            out.append(ev(kind, a[0], a[2], mn=a[0], source=a[1]))
        elif r in ("mag_sends_pbu_q", "mag_retransmits_pbu_q") and st.changed("pbu_q"):
            out.append(ev("PBU-Q", a[0], LMA, mn=a[-1], lifetime=0))
        elif r == "lma_answers_pbu_q":
            coa = st.new.get("pba_q", "")
            extra = {"coa": coa[4:]} if coa.startswith("CoA=") else {}
            out.append(ev("PBA-Q", LMA, a[0], mn=a[1], status="success" if extra else "failure", **extra))
        elif r in ("mag_sends_pim_join", "mag_refreshes_pim_join", "mag_removes_route_and_prunes") and st.changed("pim"):
            m, src, b = a
            out.append(ev("PIM-PRUNE" if "prunes" in r else "PIM-JOIN", m, b, source=src, tunnel=True))
        elif r in ("mn_attaches", "mag_retransmits_pbu"):
            n, m = (a[0], a[1]) if r == "mn_attaches" else (a[1], a[0])
            out.append(ev("PBU", m, LMA, mn=n, lifetime=3600))
        elif r == "mn_detaches":
            out.append(ev("PBU", a[1], LMA, mn=a[0], lifetime=0))
        elif r == "mn_hands_over":
            out += [ev("PBU", a[1], LMA, mn=a[0], lifetime=0), ev("PBU", a[2], LMA, mn=a[0], lifetime=3600)]
        elif r == "lma_accepts_pbu":
            out.append(ev("PBA", LMA, a[1], mn=a[0], status="success"))
        elif r == "legacy_lma_treats_pbu_q_as_pbu":
            out.append(ev("PBA", LMA, a[0], mn=a[1], status="success"))
    final = state_after(record)
    for s, (hops, reached) in data_paths(final, mags, listeners, senders).items():
        if hops or reached:
            out.append(ev("DATA", s, final[f"att[{s}]"], source=s))
            out += [ev("DATA", x, y, source=s, tunnel=True) for x, y in hops]
    return out


def write_pcap(record, path) -> int:
    from . import pcap
    return pcap.write_pcap(pcap_events(record), path)


def system_for(record):
    """The rules of the trace's preset and variant, without properties: for state-graph pictures."""
    from pmipmc.engine.api import System, instantiate
    from .state import initial_states
    b = preset(record.preset)
    b = b.with_(**record.overrides) if record.overrides else b
    ctx = make_ctx(b, variant(record.variant))
    return System(ctx.schema, ctx, initial_states(ctx), instantiate(ctx.schema, ctx, enabled_rules(b)), [])
