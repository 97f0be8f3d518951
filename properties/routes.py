"""What the optimisation buys: the route-comparison table (draft §1 and Abstract against RFC 6224 §3).

Per scenario and route (the draft as written, every repair, RFC 6224's base path), computed
from the model, never typed in:
- the shortest trace from the scenario's placement (no MN moves; the listeners subscribe) to the
  first state where every listener receives S's data (`forwarding.delivered`); the signalling messages put in flight on it,
  counted by kind (the schema's message declarations, plus same-step replies such as PBA);
  the tunnel hops the data takes to each listener in that state (`forwarding.reach` levels);
- after a sender handover: from that state, the sender moves, and protocol rules alone (no
  environment step: nobody re-subscribes) lead to delivery again, or never do;
- seamless handover: with data packets on (`data_packets`), whether a packet is lost or
  delivered twice across a handover (properties/packets.py), from an exhaustive run.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pmipmc.engine.check import run_explicit
from pmipmc.engine.compile import compile_predicate, evaluate
from pmipmc.engine.explore import Budget
from pmipmc.engine.expr import all_of
from pmipmc.engine.trace import Trace, TraceStep
from pmipmc.model import forwarding as fw

ROUTES = ("draft", "repaired", "base-path")
PACKET_CLAIMS = ("no_packet_lost_across_a_handover", "no_packet_delivered_twice")


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    preset: str
    placement: dict[str, str]               # MN -> MAG at the start (the draft's figures: MN1 listens, MN2 sends)
    overrides: dict = field(default_factory=dict)
    handover: bool = False                  # measure again after the sender moves
    packets: tuple[str, dict] | None = None  # the preset (and overrides) whose packet claims the row reports


SCENARIOS = (
    Scenario("figure", "Figure 1/2 set-up", "tiny", {"MN1": "MAG1", "MN2": "MAG2"},
             packets=("ci", {"data_packets": True})),
    # a third MAG, so that the sender moves away from the listener rather than onto its MAG (§6.1)
    Scenario("sender-handover", "after a sender handover", "mobility", {"MN1": "MAG1", "MN2": "MAG2"},
             {"sender_moves": 1, "mags": 3}, handover=True, packets=("handover-data", {})),
    Scenario("three-mags", "three MAGs", "three-mags", {"MN1": "MAG1", "MN2": "MAG3", "MN3": "MAG2"},
             packets=("three-mags", {"data_packets": True})),
)


def everyone_served(ctx, s):
    """Every listener is subscribed to every sender and receives its data."""
    return all_of(*(all_of(s.sub[l][x] == 1, fw.delivered(ctx, s, x, l)) for l in ctx.listeners for x in ctx.senders))


SUBSCRIBING = frozenset({"mn_subscribes"})   # the one environment step a first delivery needs


def shortest(system, start: bytes, goal, env: frozenset = frozenset(), limit: int = 2_000_000):
    """The rule instances of a shortest path from `start` to a goal state, firing protocol rules and
    the environment rules named in `env` only, or None if there is none (searched exhaustively unless
    `limit` states were reached first: then the second value is False)."""
    parent: dict[bytes, tuple[bytes, int] | None] = {start: None}
    frontier, found = [start], start if goal(start) else None
    while frontier and found is None and len(parent) < limit:
        nxt = []
        for s in frontier:
            for k, t in system.successors(s):
                if t in parent or (system.rules[k].env and system.rules[k].rule.name not in env):
                    continue
                parent[t] = (s, k)
                if goal(t):
                    found = t
                    break
                nxt.append(t)
            if found is not None:
                break
        frontier = nxt
    if found is None:
        return None, not frontier
    path, cur = [], found
    while parent[cur] is not None:
        cur, k = parent[cur]
        path.append(k)
    return path[::-1], True


def as_trace(system, start: bytes, path: list[int]) -> Trace:
    steps, cur = [], start
    for k in path:
        cur = system.instance(k)[1](cur)
        steps.append(TraceStep(k, cur))
    return Trace(start, tuple(steps))


def messages(system, trace: Trace) -> Counter:
    """Signalling on a trace by kind: every message a step put in flight, and each same-step reply."""
    out: Counter = Counter()
    for prev, st in zip(trace.states(), trace.steps):
        for m in system.schema.sent(prev, st.state):
            label = m.message.label.format(*m.names, value=m.value, sg="(S,G)")
            out[label + (" to LMA" if m.receiver == "LMA" and label.startswith("MLD") else "")] += 1
        if system.rules[st.inst].rule.answers:
            out[system.rules[st.inst].rule.answers] += 1
    return out


def hops(system, state: bytes) -> dict[str, int | None]:
    """Per listener, the tunnel hops S's data takes to reach it in this state (None: not delivered)."""
    ctx, s = system.ctx, system.schema.view(0)
    names = system.schema.sorts["MN"].elements
    out = {}
    for x in ctx.senders:
        levels = fw.reach(ctx, s, x)
        for l in ctx.listeners:
            out[names[l]] = next((h for h in range(len(levels))
                                  if evaluate(fw.delivered_at_hop(ctx, s, x, l, h, levels), state)), None)
    return out


def mag_tunnel_used(system, trace: Trace) -> bool:
    """Some state of the trace has a MAG-MAG tunnel end."""
    slots = [i for a in system.schema.arrays if a.name == "tunnel" for i in range(a.base, a.base + a.count)]
    return any(st[i] for st in trace.states() for i in slots)


def _start(system, placement: dict[str, str]) -> bytes:
    return next(s for s in system.init if all(system.schema.decode(s)[f"att[{n}]"] == m for n, m in placement.items()))


def measure(system, start: bytes, env: frozenset = SUBSCRIBING) -> dict:
    goal = compile_predicate(everyone_served(system.ctx, system.schema.view(0)))
    path, exhaustive = shortest(system, start, goal, env)
    if path is None:
        return {"delivered": False, "why": "never (searched every state)" if exhaustive else "not within the limit"}
    trace = as_trace(system, start, path)
    kinds = messages(system, trace)
    return {"delivered": True, "steps": len(path), "messages": sum(kinds.values()), "by_kind": dict(sorted(kinds.items())),
            "hops": hops(system, trace.final), "mag_tunnel": mag_tunnel_used(system, trace), "trace": trace}


def after_handover(system, served: bytes) -> dict:
    """The sender moves to the first MAG without a listener; protocol rules alone must restore delivery."""
    ctx, names = system.ctx, system.schema.sorts["MAG"].elements
    x = ctx.senders[0]
    old = next(m for m in ctx.mags if system.schema.decode(served)[f"att[{system.schema.sorts['MN'].elements[x]}]"] == names[m])
    taken = {system.schema.decode(served)[f"att[{system.schema.sorts['MN'].elements[l]}]"] for l in ctx.listeners}
    new = next((m for m in ctx.mags if m != old and names[m] not in taken), next(m for m in ctx.mags if m != old))
    inst = system.find_instance("mn_hands_over", (system.schema.sorts["MN"].elements[x], names[old], names[new]))
    moved = system.instance(inst.index)[1](served)
    row = measure(system, moved, env=frozenset())
    if row["delivered"]:   # the handover's own signalling (de-registration, PBU) belongs to the recovery
        t = row["trace"]
        row["trace"] = Trace(served, (TraceStep(inst.index, moved),) + t.steps)
        kinds = messages(system, row["trace"])
        row.update(steps=len(row["trace"].steps), messages=sum(kinds.values()), by_kind=dict(sorted(kinds.items())))
    row["move"] = f"{system.schema.sorts['MN'].elements[x]} {names[old]} -> {names[new]}"
    return row


def packet_verdicts(build, route: str, preset: str, overrides: dict, seconds: float | None) -> dict[str, str]:
    system = build(preset, route, **overrides)
    run = run_explicit(system, preset, route, names=set(PACKET_CLAIMS), budget=Budget(seconds=seconds),
                       overrides=overrides)
    return {r.property: r.verdict.value + (f"@{r.depth}" if r.verdict == "VIOLATED" else "")
            + (f"({r.reason})" if r.verdict == "UNKNOWN" and r.reason else "") for r in run.results}


def compare(build, scenarios=SCENARIOS, routes=ROUTES, packet_seconds: float | None = 120.0) -> list[dict]:
    rows = []
    for sc in scenarios:
        for route in routes:
            system = build(sc.preset, route, **sc.overrides)
            first = measure(system, _start(system, sc.placement))
            row = {"scenario": sc.name, "title": sc.title, "preset": sc.preset, "overrides": sc.overrides,
                   "route": route, "first": first}
            if sc.handover and first["delivered"]:
                row["after_handover"] = after_handover(system, first["trace"].final)
            if sc.packets is not None and packet_seconds != 0:
                row["packets"] = {"preset": sc.packets[0], "overrides": sc.packets[1],
                                  **packet_verdicts(build, route, *sc.packets, packet_seconds)}
            rows.append(row)
    return rows


def to_json(build, rows: list[dict]) -> list[dict]:
    """The rows with each trace as its steps' labels (rule and arguments, as `pmipmc replay` reads them)."""
    out = []
    for row in rows:
        row = dict(row)
        system = build(row["preset"], row["route"], **row["overrides"])
        for key in ("first", "after_handover"):
            if key in row and row[key].get("trace") is not None:
                row[key] = {**row[key], "trace": [system.instance_label(system.rules[st.inst])
                                                  for st in row[key]["trace"].steps]}
        out.append(row)
    return out


def _cell(part: dict) -> tuple[str, str, str]:
    if not part["delivered"]:
        return "—", part["why"], ""
    hops = ", ".join(f"{l}: {h}" for l, h in part["hops"].items())
    kinds = ", ".join(f"{k} ×{n}" for k, n in part["by_kind"].items())
    return hops, f"{part['messages']} in {part['steps']} steps", kinds


def markdown(rows: list[dict]) -> list[str]:
    """The table a spec author reads: the claimed gain, and where it is lost."""
    L = ["Tunnel hops S's data takes to each listener (MAG-MAG: 1; RFC 6224's base path: 2, up to the LMA and "
         "down) and the signalling on the shortest trace to first delivery (every listener receives; "
         "same-step replies such as PBA counted). *After a sender handover*: the sender moves, then protocol "
         "rules alone (nobody re-subscribes) must restore delivery. Packets: `data_packets` on, exhaustive "
         "over the named preset (`VIOLATED@n`: shortest trace of n steps; `UNKNOWN`: budget reached).", "",
         "| Scenario | Route | Tunnel hops | Signalling to first delivery | Messages by kind | Packet lost | "
         "Packet twice | Packets checked on |",
         "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        pk = r.get("packets", {})
        packets = [pk.get(PACKET_CLAIMS[0], ""), pk.get(PACKET_CLAIMS[1], ""),
                   (pk["preset"] + "".join(f" {k}={v}" for k, v in pk["overrides"].items())) if pk else ""]
        L.append(f"| {r['title']} | {r['route']} | " + " | ".join(_cell(r["first"])) + " | " + " | ".join(packets) + " |")
        if "after_handover" in r:
            ah = r["after_handover"]
            L.append(f"| ↳ then {ah['move']} | {r['route']} | " + " | ".join(_cell(ah)) + " | | | |")
    return L


def comparison(build, packet_seconds: float | None = 120.0) -> dict:
    rows = compare(build, packet_seconds=packet_seconds)
    return {"rows": to_json(build, rows), "markdown": markdown(rows)}
