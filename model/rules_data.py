"""Data packets in flight (switch `data_packets`): §4.2 step 9 packet by packet, for §1's claim.

`forwarding.py` computes where data *would* go in one state; it cannot see a packet that is
inside a tunnel while the sender or a listener moves.  Here each sender has at most one packet
in the domain: it is sent on the sender's access link, and each MAG holding a copy forwards it
along its (S,G) state *at the moment it forwards*.  Per listener the model remembers whether it
was receiving S's data when the packet was sent (`expect`) and how many copies reached it
(`got`), so a packet lost or delivered twice across a handover is a property verdict with a
trace (`properties/packets.py`).
"""
from __future__ import annotations

from pmipmc.engine.api import Step, rule
from pmipmc.engine.expr import all_of, ite

from . import forwarding as fw
from .state import Ctx


def packet_gone(ctx: Ctx, s, src: int):
    """No copy of S's current packet is left in the domain (at a MAG, or at the LMA on the base path)."""
    at_lma = [s.pkt_lma[src] == ctx.NONE] if fw.base_path(ctx) else []
    return all_of(*(s.pkt[b][src] == ctx.PKT_NONE for b in ctx.mags), *at_lma)


@rule(cites="§4.2 step 9; §1 'supports seamless handover'", each=("SENDER", "MAG"), env=True, switch="data_packets")
def mn_sends_data(ctx: Ctx, s, src, m):
    """The sender sends a packet on its access link; its MAG takes it only if its (S,G) iif is local (RPF)."""
    # on the base path the MAG's proxy takes it from an MN in its Binding Update List (RFC 4605 §4.2)
    takes = s.bul[m][src] == 1 if fw.base_path(ctx) else s.iif[m][src] == ctx.IIF_LOCAL
    eff = {s.pkt[m][src]: ite(takes, ctx.PKT_ACCESS, ctx.PKT_NONE)}
    for l in ctx.listeners:
        eff[s.expect[l][src]] = all_of(s.sub[l][src] == 1, fw.delivered(ctx, s, src, l))
        eff[s.got[l][src]] = ctx.GOT_NONE
    return Step(guard=all_of(s.att[src] == ctx.at(m), packet_gone(ctx, s, src)), effect=eff)


@rule(cites="§4.2 step 9; §6.1", each=("MAG", "SENDER"), switch="data_packets")
def mag_forwards_data(ctx: Ctx, s, m, src):
    """A MAG forwards its copy on the (S,G) oiflist: to its attached listeners and into accepting tunnels."""
    # a tunnel accepts when both ends are up and the far end's iif is this tunnel (RPF check)
    eff = {s.pkt[m][src]: ctx.PKT_NONE}
    for l in ctx.listeners:
        here = all_of(s.oif_local[m][src][l] == 1, s.att[l] == ctx.at(m))
        eff[s.got[l][src]] = ite(here, ite(s.got[l][src] == ctx.GOT_NONE, ctx.GOT_ONCE, ctx.GOT_TWICE),
                                 s.got[l][src])
    if fw.base_path(ctx):   # RFC 4605 §4.2: data from a downstream link also goes upstream, to the LMA
        eff[s.pkt_lma[src]] = ite(s.pkt[m][src] == ctx.PKT_ACCESS, ctx.at(m), s.pkt_lma[src])
        return Step(guard=s.pkt[m][src] != ctx.PKT_NONE, effect=eff)
    local_only = ctx.reads("tunnel_forwarding", "local_sources_only")
    for b in ctx.mags:
        if b == m:
            continue
        feeds = all_of(s.oif_tunnel[m][src][b] == 1, s.tunnel[m][b] == 1, s.tunnel[b][m] == 1,
                       s.iif[b][src] == ctx.via(m), *([s.pkt[m][src] == ctx.PKT_ACCESS] if local_only else []))
        eff[s.pkt[b][src]] = ite(feeds, ctx.PKT_TUNNEL, s.pkt[b][src])
    return Step(guard=s.pkt[m][src] != ctx.PKT_NONE, effect=eff)


@rule(cites="RFC 6224 §3; RFC 5213 §5.6.2", each=("SENDER",), switch="data_packets")
def lma_forwards_data(ctx: Ctx, s, src):
    """Base path: the LMA takes S's packet only from the MAG its binding names, and sends it down to members."""
    if not fw.base_path(ctx):
        return None
    eff = {s.pkt_lma[src]: ctx.NONE}
    for b in ctx.mags:
        # the packet came up from the MAG pkt_lma names; a binding moved meanwhile makes the LMA drop it
        down = all_of(s.pkt_lma[src] != ctx.at(b), s.bce[src] == s.pkt_lma[src], fw.down_from_lma(ctx, s, src, b))
        eff[s.pkt[b][src]] = ite(down, ctx.PKT_TUNNEL, s.pkt[b][src])
    return Step(guard=s.pkt_lma[src] != ctx.NONE, effect=eff)


RULES = [mn_sends_data, mag_forwards_data, lma_forwards_data]
