"""Soft state the draft inherits from PIM-SM, retransmission, and loss of the draft's messages.

Periodic timers (PIM Join refresh, oiflist expiry) are modelled only in the states where their
firing changes something; a firing that changes nothing is a stutter step and hides no bug.
"""
from __future__ import annotations

from pmipmc.engine.api import Step, rule
from pmipmc.engine.expr import all_of

from .state import Ctx


@rule(cites="RFC 4601 §4.5.7 (Join Timer); draft §1 'act as PIM-SM routers'", each=("MAG", "SENDER", "MAG"))
def mag_refreshes_pim_join(ctx: Ctx, s, a, src, b):
    """The periodic Join to the RPF neighbour re-creates a missing oiflist entry upstream."""
    if a == b:
        return None
    return Step(guard=all_of(s.iif[a][src] == ctx.via(b), s.q[a][src] == ctx.Q_IDLE, s.tunnel[a][b] == 1,
                             s.tunnel[b][a] == 1, s.pim[a][b][src] == 0, s.oif_tunnel[b][src][a] == 0),
                effect={s.pim[a][b][src]: ctx.PIM_JOIN})


@rule(cites="RFC 4601 §4.5.3 (Expiry Timer)", each=("MAG", "SENDER", "MAG"))
def mag_expires_tunnel_oif(ctx: Ctx, s, b, src, a):
    """No Join refreshes the tunnel's oiflist entry any more: it expires."""
    refreshed = all_of(s.iif[a][src] == ctx.via(b), s.tunnel[a][b] == 1, s.tunnel[b][a] == 1)
    return Step(guard=all_of(s.oif_tunnel[b][src][a] == 1, s.pim[a][b][src] == 0, ~refreshed),
                effect={s.oif_tunnel[b][src][a]: 0})


@rule(cites="RFC 5213 §6.9.4 applied to PBU-Q (repair)", each=("MAG", "SENDER"))
def mag_retransmits_pbu_q(ctx: Ctx, s, m, src):
    """With no PBA-Q after the timeout, MAG1 sends the PBU-Q again."""
    if not ctx.reads("pbu_q_retransmission", "rfc5213_backoff"):
        return None
    return Step(guard=all_of(s.q[m][src] == ctx.Q_ASKED, s.pbu_q[m][src] == 0, s.pba_q[m][src] == 0),
                effect={s.pbu_q[m][src]: 1})


RULES = [mag_refreshes_pim_join, mag_expires_tunnel_oif, mag_retransmits_pbu_q]
