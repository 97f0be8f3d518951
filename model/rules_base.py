"""RFC 6224's base path, the route the draft optimises (variant axis `route`, reading `base_rfc6224`).

Draft §1: "MAG MUST act as an MLD proxy [RFC4605] and hence MUST dedicate a tunnel link between
LMA and MAG to an upstream interface for all multicast traffic."  Each MAG's proxy keeps the
same (S,G) membership as the draft's MAG (`oif_local`) and reports it upstream to the LMA, which
forwards S's data down the LMA-MAG tunnel of every MAG with members (`forwarding.py`).  No
PBU-Q, no PBA-Q, no MAG-MAG tunnel, no PIM between MAGs: those rules of the draft are never
enabled here, and the draft's §4.2 step 2 and §6.1 rules are replaced by `mag_proxies_report`.
"""
from __future__ import annotations

from pmipmc.engine.api import Step, rule
from pmipmc.engine.expr import all_of, ite

from .channel import members
from .state import Ctx


def _base(ctx: Ctx) -> bool:
    return ctx.reads("route", "base_rfc6224")


@rule(cites="RFC 6224 §3 steps 5-8; RFC 4605 §4.1", each=("MAG", "LISTENER", "SENDER"))
def mag_proxies_report(ctx: Ctx, s, m, l, src):
    """The MAG's MLD proxy adds MN1's link to its (S,G) membership and reports upstream if the LMA lacks it."""
    if not _base(ctx):
        return None
    known = all_of(s.lma_sub[src][m] == 1, s.mld_up[m][src] == 0)   # nothing new for the upstream
    return Step(guard=all_of(s.mld[m][l][src] == ctx.MLD_JOIN, s.att[l] == ctx.at(m)),
                effect={s.mld[m][l][src]: 0, s.oif_local[m][src][l]: 1,
                        s.mld_up[m][src]: ite(known, 0, ctx.MLD_JOIN)})


@rule(cites="RFC 6224 §3 (the LMA as multicast router); RFC 6224 §4.3", each=("MAG", "SENDER"))
def lma_receives_proxy_report(ctx: Ctx, s, m, src):
    """The LMA adds (join) or removes (leave) the LMA-MAG tunnel in its (S,G) downstream state."""
    if not _base(ctx):
        return None
    return Step(guard=s.mld_up[m][src] != 0,
                effect={s.mld_up[m][src]: 0, s.lma_sub[src][m]: ite(s.mld_up[m][src] == ctx.MLD_JOIN, 1, 0)})


@rule(cites="RFC 3810 §7.1 (the LMA's query answered); RFC 6224 §4.2", each=("MAG", "SENDER"))
def mag_reports_membership_upstream(ctx: Ctx, s, m, src):
    """Answering the LMA's query, a proxy with (S,G) members reports them again (after a lost report)."""
    if not _base(ctx):
        return None
    return Step(guard=all_of(members(ctx, s, m, src), s.lma_sub[src][m] == 0, s.mld_up[m][src] == 0),
                effect={s.mld_up[m][src]: ctx.MLD_JOIN})


@rule(cites="RFC 3810 §7.2.3 (MALI); RFC 6224 §4.3", each=("MAG", "SENDER"))
def lma_expires_downstream_membership(ctx: Ctx, s, m, src):
    """No proxy report refreshes the MAG's (S,G) membership at the LMA (the leave was lost): it expires."""
    if not _base(ctx):
        return None
    return Step(guard=all_of(s.lma_sub[src][m] == 1, ~members(ctx, s, m, src), s.mld_up[m][src] == 0),
                effect={s.lma_sub[src][m]: 0})


@rule(cites="environment: message loss", each=("MAG", "SENDER"), env=True, switch="loss")
def network_loses_proxy_report(ctx: Ctx, s, m, src):
    """An MLD proxy report in the MAG-LMA tunnel is lost."""
    if not _base(ctx):
        return None
    return Step(guard=s.mld_up[m][src] != 0, effect={s.mld_up[m][src]: 0})


RULES = [mag_proxies_report, lma_receives_proxy_report, mag_reports_membership_upstream,
         lma_expires_downstream_membership, network_loses_proxy_report]
