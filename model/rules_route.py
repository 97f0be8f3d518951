"""The optimized route: PBU-Q/PBA-Q (§5), tunnel, MRIB, iif and PIM Join (§4.2 steps 3-8, §6.2),
and its deletion (§4.3 steps 4-6)."""
from __future__ import annotations

from pmipmc.engine.api import Step, rule
from pmipmc.engine.expr import all_of, any_of, each, every, ite, same, some

from .channel import building_towards, forwards, lma_answer, members
from .state import Ctx


def channel_is_empty(ctx: Ctx, s, m: int, src: int):
    return all_of(s.iif[m][src] == ctx.NONE, every(ctx.listeners, lambda x: s.oif_local[m][src][x] == 0))


@rule(cites="§5 steps 1-3; §5 PBA-Q items 1-3", each=("MAG", "SENDER"))
def lma_answers_pbu_q(ctx: Ctx, s, m, src):
    """The LMA looks S up in its binding cache and answers PBA-Q: the CoA, or a failure indication."""
    if not ctx.reads("lma_kind", "draft"):
        return None
    eff = {s.pbu_q[m][src]: 0, s.pba_q[m][src]: lma_answer(ctx, s, src)}
    if ctx.reads("source_mobility", "lma_notifies"):
        eff[s.asked[src][m]] = 1
    return Step(guard=s.pbu_q[m][src] == 1, effect=eff)


@rule(cites="RFC 6275 §6.1.7 (reserved bits ignored); RFC 5213 §5.3.4", each=("MAG", "SENDER"), answers="PBA")
def legacy_lma_treats_pbu_q_as_pbu(ctx: Ctx, s, m, src):
    """An RFC 5213-only LMA ignores Q and moves MN2's binding to MAG1; MAG1 ignores the plain PBA."""
    if not ctx.reads("lma_kind", "rfc5213_only"):
        return None
    # MAG1 sent no PBU for MN2, so the PBA matches nothing and MUST be ignored (RFC 5213 §6.9.1.2)
    return Step(guard=s.pbu_q[m][src] == 1, effect={s.pbu_q[m][src]: 0, s.bce[src]: ctx.at(m)})


@rule(cites="§4.2 step 3; §6.2 MAG op 1", each=("MAG", "SENDER", "MAG"))
def mag_receives_pba_q(ctx: Ctx, s, m, src, b):
    """MAG1 acquires MN2's CoA from the PBA-Q (Q flag set)."""
    guard = s.pba_q[m][src] == ctx.coa(b)
    if ctx.reads("source_mobility", "lma_notifies") or ctx.reads("stale_answer", "drop_without_members"):
        guard = all_of(guard, members(ctx, s, m, src))
    if b == m and ctx.reads("own_coa", "treat_as_local"):
        eff = {s.pba_q[m][src]: ctx.NONE, s.q[m][src]: ctx.Q_IDLE, s.iif[m][src]: ctx.IIF_LOCAL,
               s.mrib[m][src]: ctx.NONE}
        eff.update(_prune_old_upstream(ctx, s, m, src, keep=None))
        return Step(guard=guard, effect=eff)
    return Step(guard=guard, effect={s.pba_q[m][src]: ctx.NONE, s.q[m][src]: ctx.q("acquired", b)})


@rule(cites="§6.2 MAG op 1 (stale_answer repair)", each=("MAG", "SENDER"))
def mag_ignores_pba_q_without_members(ctx: Ctx, s, m, src):
    """With no local member for (S,G) left, a successful PBA-Q is dropped and the query ends."""
    if not (ctx.reads("source_mobility", "lma_notifies")
                                  or ctx.reads("stale_answer", "drop_without_members")):
        return None
    return Step(guard=all_of(s.pba_q[m][src] != ctx.NONE, s.pba_q[m][src] != ctx.PBAQ_FAILURE, ~members(ctx, s, m, src)),
                effect={s.pba_q[m][src]: ctx.NONE,
                        s.q[m][src]: ite(s.q[m][src] == ctx.Q_ASKED, ctx.Q_IDLE, s.q[m][src])})


@rule(cites="§1 source mobility (lma_notifies repair: notifications retransmitted until acknowledged)",
      each=("MAG", "SENDER"))
def lma_renotifies(ctx: Ctx, s, m, src):
    """A querier with members still routes S by an old answer: the LMA sends the PBA-Q again."""
    if not ctx.reads("source_mobility", "lma_notifies"):
        return None
    stale = [all_of(s.bce[src] == ctx.NONE, some(ctx.mags, lambda b: s.iif[m][src] == ctx.via(b)))]
    stale += [some(ctx.mags, lambda b: all_of(
        s.bce[src] == ctx.at(b), s.iif[m][src] != ite(same(b, m), ctx.IIF_LOCAL, ctx.via(b))))]
    return Step(guard=all_of(s.asked[src][m] == 1, members(ctx, s, m, src), s.q[m][src] == ctx.Q_IDLE,
                             s.pba_q[m][src] == 0, s.pbu_q[m][src] == 0, any_of(stale)),
                effect={s.pba_q[m][src]: lma_answer(ctx, s, src)})


@rule(cites="§6.1 (source_mobility repair)", each=("MAG", "SENDER"))
def mag_requeries_after_local_sender_left(ctx: Ctx, s, m, src):
    """MN2 was local (§6.1) but has left this MAG: with members still here, ask the LMA where it went."""
    if not ctx.reads("source_mobility", "lma_notifies"):
        return None
    return Step(guard=all_of(s.iif[m][src] == ctx.IIF_LOCAL, s.bul[m][src] == 0, members(ctx, s, m, src),
                             s.q[m][src] == ctx.Q_IDLE, s.pbu_q[m][src] == 0),
                effect={s.iif[m][src]: ctx.NONE, s.q[m][src]: ctx.Q_ASKED, s.pbu_q[m][src]: 1})


@rule(cites="§5 step 3 (failure indication); §6.2 is silent", each=("MAG", "SENDER"))
def mag_receives_pba_q_failure(ctx: Ctx, s, m, src):
    """The LMA has no binding for S: the query ends (the draft says nothing more)."""
    eff = {s.pba_q[m][src]: ctx.NONE, s.q[m][src]: ite(s.q[m][src] == ctx.Q_ASKED, ctx.Q_IDLE, s.q[m][src])}
    if ctx.reads("source_mobility", "lma_notifies"):   # repair: S is gone, leave the old tree
        eff.update(each(ctx.mags, lambda b: {
            s.pim[m][b][src]: ite(s.iif[m][src] == ctx.via(b), ctx.PIM_PRUNE, s.pim[m][b][src])}))
        eff[s.iif[m][src]] = ite(s.iif[m][src] == ctx.IIF_LOCAL, ctx.IIF_LOCAL, ctx.NONE)
        eff[s.mrib[m][src]] = ctx.NONE
    return Step(guard=s.pba_q[m][src] == ctx.PBAQ_FAILURE, effect=eff)


@rule(cites="§4.2 step 4; §6.2 MAG op 2", each=("MAG", "SENDER", "MAG"))
def mag_establishes_tunnel(ctx: Ctx, s, m, src, b, fused=False):
    """MAG1 establishes the bi-directional multicast tunnel with MAG2 (the CoA of MN2)."""
    if ctx.bounds.fused_steps != fused:
        return None
    eff = {s.q[m][src]: ctx.q("tunnelled", b), s.tunnel[m][b]: 1}
    if ctx.reads("tunnel_setup", "atomic"):
        eff[s.tunnel[b][m]] = 1
    elif b != m:
        eff[s.tunnel_setup[m][b]] = ite(s.tunnel[m][b] == 0, 1, s.tunnel_setup[m][b])
    return Step(guard=s.q[m][src] == ctx.q("acquired", b), effect=eff)


@rule(cites="§4.2 steps 4-7; §6.2 MAG ops 2-4", each=("MAG", "SENDER", "MAG"))
def mag_opens_optimized_route(ctx: Ctx, s, m, src, b):
    """Having acquired MN2's CoA, MAG1 builds the tunnel, routes, sets the iif and joins, in one go."""
    if not ctx.bounds.fused_steps:
        return None
    tunnel, route, iif, join = (r.fn(ctx, s, m, src, b, fused=True)
                                for r in (mag_establishes_tunnel, mag_adds_mrib_route, mag_sets_iif, mag_sends_pim_join))
    return tunnel.then(route).then(iif).then(join)


@rule(cites="§4.2 step 4 (one_way reading); RFC 5213 §5.6.1", each=("MAG", "MAG"))
def mag_accepts_tunnel_setup(ctx: Ctx, s, b, a):
    """MAG2 creates its end of the tunnel when MAG1's set-up signal arrives."""
    if a == b or not ctx.reads("tunnel_setup", "one_way"):
        return None
    return Step(guard=s.tunnel_setup[a][b] == 1, effect={s.tunnel_setup[a][b]: 0, s.tunnel[b][a]: 1})


@rule(cites="§4.1; §4.2 step 5; §6.2 MAG op 3", each=("MAG", "SENDER", "MAG"))
def mag_adds_mrib_route(ctx: Ctx, s, m, src, b, fused=False):
    """MAG1 adds the tunnel route to the MRIB, so that its RPF Neighbor for S is MAG2."""
    if ctx.bounds.fused_steps != fused:
        return None
    return Step(guard=s.q[m][src] == ctx.q("tunnelled", b),
                effect={s.q[m][src]: ctx.q("routed", b), s.mrib[m][src]: ctx.at(b)})


@rule(cites="§4.2 step 6; §6.2 MAG op 4", each=("MAG", "SENDER", "MAG"))
def mag_sets_iif(ctx: Ctx, s, m, src, b, fused=False):
    """MAG1 creates or updates the (S,G) state with the MAG1-MAG2 tunnel as iif."""
    if ctx.bounds.fused_steps != fused:
        return None
    eff = {s.q[m][src]: ctx.q("iif_set", b), s.iif[m][src]: ctx.via(b)}
    if ctx.reads("source_mobility", "lma_notifies"):   # RPF change: prune the old neighbour
        eff.update(_prune_old_upstream(ctx, s, m, src, keep=b))
    return Step(guard=s.q[m][src] == ctx.q("routed", b), effect=eff)


def _prune_old_upstream(ctx: Ctx, s, m: int, src: int, keep: int | None) -> dict:
    """RFC 4601 §4.5.7: when RPF'(S,G) changes, a Prune goes to the old upstream neighbour."""
    return each(ctx.mags, lambda old: {
        s.pim[m][old][src]: ite(s.iif[m][src] == ctx.via(old), ctx.PIM_PRUNE, s.pim[m][old][src])},
        where=lambda old: ~same(old, keep))


@rule(cites="§4.2 step 7; §6.2 MAG op 3", each=("MAG", "SENDER", "MAG"))
def mag_sends_pim_join(ctx: Ctx, s, m, src, b, fused=False):
    """MAG1 sends the PIM (S,G) Join to its RPF Neighbor MAG2 through the tunnel."""
    if ctx.bounds.fused_steps != fused:
        return None
    return Step(guard=s.q[m][src] == ctx.q("iif_set", b),
                effect={s.q[m][src]: ctx.Q_IDLE,
                        s.pim[m][b][src]: ite(s.tunnel[m][b] == 1, ctx.PIM_JOIN, s.pim[m][b][src])})


@rule(cites="§4.2 step 8; §6.2 MAG2 op 1", each=("MAG", "MAG", "SENDER"))
def mag_receives_pim_join(ctx: Ctx, s, b, a, src):
    """MAG2 adds the MAG2-MAG1 tunnel to the (S,G) oiflist, creating the state if needed."""
    iif = s.iif[b][src]
    local = all_of(iif == ctx.NONE, s.bul[b][src] == ctx.BUL_REGISTERED)
    return Step(guard=all_of(s.pim[a][b][src] == ctx.PIM_JOIN, s.tunnel[b][a] == 1),
                effect={s.pim[a][b][src]: 0, s.oif_tunnel[b][src][a]: 1, iif: ite(local, ctx.IIF_LOCAL, iif)})


@rule(cites="§4.3 step 4", each=("MAG", "SENDER", "MAG"))
def mag_removes_route_and_prunes(ctx: Ctx, s, m, src, b):
    """With the (S,G) state gone, MAG1 removes the MRIB route and sends PIM Prune to MAG2."""
    eff = {s.mrib[m][src]: ctx.NONE,
           s.pim[m][b][src]: ite(s.tunnel[m][b] == 1, ctx.PIM_PRUNE, s.pim[m][b][src])}
    if ctx.reads("tunnel_teardown", "mag1_per_channel"):
        eff[s.teardown_due[m][b]] = 1
    unused = channel_is_empty(ctx, s, m, src)
    if ctx.reads("stale_answer", "drop_without_members"):   # repair: any route not backing the iif
        unused = all_of(s.iif[m][src] != ctx.via(b), ~building_towards(ctx, s, m, src, b))
    return Step(guard=all_of(s.mrib[m][src] == ctx.at(b), unused), effect=eff)


@rule(cites="RFC 4601 §4.5.7 (RPF'(S,G) changes); draft §3 DR of MN2", each=("MAG", "SENDER"))
def mag_takes_local_iif_for_registered_source(ctx: Ctx, s, m, src):
    """S has registered here and no MRIB tunnel route says otherwise: the RPF interface is local."""
    if ctx.reads("route", "base_rfc6224"):
        return None   # no PIM at the MAGs of the base path: the proxy has no RPF interface
    return Step(guard=all_of(s.iif[m][src] == ctx.NONE, s.bul[m][src] == 1, s.mrib[m][src] == ctx.NONE,
                             s.q[m][src] == ctx.Q_IDLE, forwards(ctx, s, m, src)),
                effect={s.iif[m][src]: ctx.IIF_LOCAL})


@rule(cites="§4.3 step 5; §6.2 MAG2 op 2", each=("MAG", "MAG", "SENDER"))
def mag_receives_pim_prune(ctx: Ctx, s, b, a, src):
    """MAG2 removes the MAG2-MAG1 tunnel from the (S,G) oiflist."""
    eff = {s.pim[a][b][src]: 0, s.oif_tunnel[b][src][a]: 0}
    if ctx.reads("tunnel_teardown", "mag2_per_channel"):
        eff[s.teardown_due[b][a]] = 1
    return Step(guard=all_of(s.pim[a][b][src] == ctx.PIM_PRUNE, s.tunnel[b][a] == 1), effect=eff)


@rule(cites="RFC 4601 §4.5 (no such interface)", each=("MAG", "MAG", "SENDER"))
def mag_discards_pim_without_tunnel(ctx: Ctx, s, b, a, src):
    """A Join/Prune arriving where this MAG has no tunnel end is dropped."""
    return Step(guard=all_of(s.pim[a][b][src] != 0, s.tunnel[b][a] == 0), effect={s.pim[a][b][src]: 0})


def tunnel_unused(ctx: Ctx, s, a: int, b: int):
    busy = [some(ctx.senders, lambda src: any_of(
        s.iif[x][src] == ctx.via(y), s.oif_tunnel[x][src][y] == 1, s.mrib[x][src] == ctx.at(y),
        s.pim[x][y][src] != 0, building_towards(ctx, s, x, src, y))) for x, y in ((a, b), (b, a))]
    return ~any_of(busy)


@rule(cites="§4.3 step 6; Figure 4", each=("MAG", "MAG"))
def mag_removes_tunnel(ctx: Ctx, s, a, b):
    """The bi-directional MAG1-MAG2 tunnel is removed (reading per variant `tunnel_teardown`)."""
    if ctx.reads("tunnel_teardown", "when_unused"):
        if a > b:
            return None   # one instance per pair: the handshake removes both ends
        return Step(guard=all_of(any_of(s.tunnel[a][b] == 1, s.tunnel[b][a] == 1), tunnel_unused(ctx, s, a, b)),
                    effect={s.tunnel[a][b]: 0, s.tunnel[b][a]: 0})
    return Step(guard=s.teardown_due[a][b] == 1,
                effect={s.teardown_due[a][b]: 0, s.tunnel[a][b]: 0, s.tunnel[b][a]: 0})


RULES = [lma_answers_pbu_q, legacy_lma_treats_pbu_q_as_pbu, mag_receives_pba_q, mag_ignores_pba_q_without_members,
         mag_requeries_after_local_sender_left, lma_renotifies, mag_receives_pba_q_failure,
         mag_establishes_tunnel, mag_opens_optimized_route, mag_accepts_tunnel_setup, mag_adds_mrib_route, mag_sets_iif,
         mag_sends_pim_join, mag_receives_pim_join, mag_removes_route_and_prunes,
         mag_takes_local_iif_for_registered_source, mag_receives_pim_prune,
         mag_discards_pim_without_tunnel, mag_removes_tunnel]
