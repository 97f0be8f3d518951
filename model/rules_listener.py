"""Listeners subscribe and leave (MLDv2, RFC 4604); the listener's MAG reacts (§4.2 steps 1-2,
§4.3 steps 1-3, §6.1).

Query/response and soft-state expiry of MLD are periodic in RFC 3810; they appear here only in
the states where a firing would change something (a no-op timer firing is a stutter step).
"""
from __future__ import annotations

from pmipmc.engine.api import Step, rule
from pmipmc.engine.expr import all_of, any_of, each, ite

from .channel import members
from .state import Ctx


@rule(cites="§4.2 step 1", each=("LISTENER", "SENDER", "MAG"), env=True)
def mn_subscribes(ctx: Ctx, s, l, src, m):
    """MN1 sends an MLD Report (S,G) join on its access link; S is MN2's HoA."""
    return Step(guard=all_of(s.sub[l][src] == 0, s.att[l] == ctx.at(m)),
                effect={s.sub[l][src]: 1, s.mld[m][l][src]: ctx.MLD_JOIN})


@rule(cites="§4.3 step 1", each=("LISTENER", "SENDER", "MAG"), env=True)
def mn_unsubscribes(ctx: Ctx, s, l, src, m):
    """MN1 sends an MLD Report leave (S,G) on its access link."""
    eff = {s.sub[l][src]: 0, s.mld[m][l][src]: ctx.MLD_LEAVE}
    if ctx.bounds.data_packets:   # a listener that leaves is owed no packet sent before it left
        eff[s.expect[l][src]] = 0
    return Step(guard=all_of(s.sub[l][src] == 1, s.att[l] == ctx.at(m)), effect=eff)


@rule(cites="RFC 3810 §7.1; RFC 6224 §3 steps 3-7", each=("LISTENER", "SENDER", "MAG"))
def mn_reports_membership(ctx: Ctx, s, l, src, m):
    """Answering the MAG's query, a subscribed MN reports (S,G) again (after loss or handover)."""
    return Step(guard=all_of(s.sub[l][src] == 1, s.att[l] == ctx.at(m), s.oif_local[m][src][l] == 0,
                             s.mld[m][l][src] == 0),
                effect={s.mld[m][l][src]: ctx.MLD_JOIN})


@rule(cites="RFC 4605 §4.1 (report from a link that is gone)", each=("MAG", "LISTENER", "SENDER"))
def mag_discards_stale_report(ctx: Ctx, s, m, l, src):
    """A join from an MN no longer attached to this MAG is dropped."""
    return Step(guard=all_of(s.mld[m][l][src] == ctx.MLD_JOIN, s.att[l] != ctx.at(m)),
                effect={s.mld[m][l][src]: 0})


@rule(cites="§6.1", each=("MAG", "LISTENER", "SENDER"))
def mag_joins_locally(ctx: Ctx, s, m, l, src):
    """MN2 is attached to this MAG too: add MAG1-MN1 to the oiflist; create state with a local iif."""
    if ctx.reads("route", "base_rfc6224"):
        return None   # the MLD proxy's rule `mag_proxies_report` handles every join
    iif = s.iif[m][src]
    return Step(guard=all_of(s.mld[m][l][src] == ctx.MLD_JOIN, s.att[l] == ctx.at(m),
                             s.bul[m][src] == ctx.BUL_REGISTERED),
                effect={s.mld[m][l][src]: 0, s.oif_local[m][src][l]: 1,
                        iif: ite(iif == ctx.NONE, ctx.IIF_LOCAL, iif)})


@rule(cites="§4.2 step 2; §6.2 PBU-Q items 1-3", each=("MAG", "LISTENER", "SENDER"))
def mag_sends_pbu_q(ctx: Ctx, s, m, l, src):
    """MN2 is not on this MAG: record MN1's membership and ask the LMA for MN2's CoA (PBU-Q)."""
    if ctx.reads("route", "base_rfc6224"):
        return None   # the base path asks nothing: the LMA forwards to members
    idle = s.q[m][src] == ctx.Q_IDLE
    if ctx.reads("requery", "first_report_only"):
        idle = all_of(idle, s.iif[m][src] == ctx.NONE)
    return Step(guard=all_of(s.mld[m][l][src] == ctx.MLD_JOIN, s.att[l] == ctx.at(m),
                             s.bul[m][src] != ctx.BUL_REGISTERED),
                effect={s.mld[m][l][src]: 0, s.oif_local[m][src][l]: 1,
                        s.q[m][src]: ite(idle, ctx.Q_ASKED, s.q[m][src]),
                        s.pbu_q[m][src]: ite(idle, 1, s.pbu_q[m][src])})


@rule(cites="§4.3 step 2 (not the last listener)", each=("MAG", "LISTENER", "SENDER"))
def mag_removes_listener(ctx: Ctx, s, m, l, src):
    """Another listener remains: remove only the MAG1-MN1 interface from the oiflist."""
    return Step(guard=all_of(s.mld[m][l][src] == ctx.MLD_LEAVE, members(ctx, s, m, src, but=l)),
                effect={s.mld[m][l][src]: 0, s.oif_local[m][src][l]: 0})


@rule(cites="§4.3 steps 2-3", each=("MAG", "LISTENER", "SENDER"))
def mag_deletes_channel_state(ctx: Ctx, s, m, l, src):
    """MN1 was the last listener of MN2 here: delete all the (S,G) state relating to MN2."""
    eff = {s.mld[m][l][src]: 0, s.iif[m][src]: ctx.NONE}
    if ctx.reads("stale_answer", "drop_without_members"):
        eff[s.q[m][src]] = ite(s.q[m][src] == ctx.Q_ASKED, ctx.Q_ASKED, ctx.Q_IDLE)
    eff.update(each(ctx.listeners, lambda x: {s.oif_local[m][src][x]: 0}))
    eff.update(each(ctx.mags, lambda b: {s.oif_tunnel[m][src][b]: 0}))
    if ctx.reads("route", "base_rfc6224"):   # RFC 4605 §4.1: the membership database lost (S,G)
        eff[s.mld_up[m][src]] = ctx.MLD_LEAVE
    return Step(guard=all_of(s.mld[m][l][src] == ctx.MLD_LEAVE, ~members(ctx, s, m, src, but=l)),
                effect=eff)


@rule(cites="RFC 3810 §7.2.3; RFC 6224 §6", each=("MAG", "LISTENER", "SENDER"), internal=True)
def mag_expires_listener(ctx: Ctx, s, m, l, src):
    """No report refreshes MN1's membership (it left silently or its leave was lost): treat as a leave."""
    gone = any_of(s.att[l] != ctx.at(m), s.sub[l][src] == 0)
    return Step(guard=all_of(s.oif_local[m][src][l] == 1, gone, s.mld[m][l][src] == 0),
                effect={s.mld[m][l][src]: ctx.MLD_LEAVE})


RULES = [mn_subscribes, mn_unsubscribes, mn_reports_membership, mag_discards_stale_report,
         mag_joins_locally, mag_sends_pbu_q, mag_removes_listener, mag_deletes_channel_state,
         mag_expires_listener]
