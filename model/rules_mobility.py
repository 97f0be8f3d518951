"""MNs attach, leave and move; MAGs and the LMA register them (RFC 5213).

A newer PBU for an MN replaces an older one still in flight: the LMA would reject the older
one on arrival by its timestamp (RFC 5213 §5.5), so it can never take effect.  Only senders are
registered: the draft reads the binding cache of S alone (§5 step 2), so a listener's own
registration could only add states, never change what the draft does.
"""
from __future__ import annotations

from pmipmc.engine.api import Step, rule
from pmipmc.engine.expr import all_of, each, every, ite

from .state import Ctx


def _quiet_listener(ctx: Ctx, s, n: int):
    """Without silent departures a listener leaves only after its subscriptions ended."""
    if ctx.bounds.silent_departure or not ctx.is_listener(n):
        return True
    return every(ctx.senders, lambda x: s.sub[n][x] == 0)


def _may_move(ctx: Ctx, s, n: int):
    """A bounded environment: each sender move spends one of `bounds.sender_moves`."""
    if not ctx.is_sender(n) or ctx.bounds.sender_moves == 0:
        return True, {}
    return s.moves_left != 0, {s.moves_left: s.moves_left + (-1)}


def _notify_queriers(ctx: Ctx, s, n: int, changed, answer: int) -> dict:
    """lma_notifies repair: when S's binding changes, every MAG that queried S gets a fresh PBA-Q."""
    if not ctx.reads("source_mobility", "lma_notifies"):
        return {}
    return each(ctx.mags, lambda x: {s.pba_q[x][n]: ite(all_of(s.asked[n][x] == 1, changed), answer, s.pba_q[x][n])})


def _leave_effect(ctx: Ctx, s, n: int, m: int) -> dict:
    if not ctx.is_sender(n):
        return {}
    return {s.bul[m][n]: 0, s.pbu_dereg[n]: ctx.at(m),
            s.pbu_reg[n]: ite(s.pbu_reg[n] == ctx.at(m), ctx.NONE, s.pbu_reg[n])}


@rule(cites="RFC 5213 §6.9.1.1", each=("MN", "MAG"), env=True, switch="attach_detach")
def mn_attaches(ctx: Ctx, s, n, m):
    """An MN attaches to a MAG, which sends a PBU for it."""
    may, spend = _may_move(ctx, s, n)
    eff = {s.att[n]: ctx.at(m), **spend}
    if ctx.is_sender(n):
        eff.update({s.pbu_reg[n]: ctx.at(m),
                    s.pbu_dereg[n]: ite(s.pbu_dereg[n] == ctx.at(m), ctx.NONE, s.pbu_dereg[n])})
    return Step(guard=all_of(s.att[n] == ctx.DETACHED, may), effect=eff)


@rule(cites="RFC 5213 §6.9.1.4", each=("MN", "MAG"), env=True, switch="attach_detach")
def mn_detaches(ctx: Ctx, s, n, m):
    """An MN leaves the domain; its MAG sends a de-registration PBU (lifetime 0)."""
    may, spend = _may_move(ctx, s, n)
    return Step(guard=all_of(s.att[n] == ctx.at(m), _quiet_listener(ctx, s, n), may),
                effect={s.att[n]: ctx.DETACHED, **_leave_effect(ctx, s, n, m), **spend})


@rule(cites="RFC 5213 §6.9.1.4; draft §1 'supports seamless handover'", each=("MN", "MAG", "MAG"), env=True,
      switch="handover")
def mn_hands_over(ctx: Ctx, s, n, old, new):
    """An MN moves from one MAG to another: de-registration from the old, PBU from the new."""
    if old == new:
        return None
    if not (ctx.bounds.sender_handover if ctx.is_sender(n) else ctx.bounds.listener_handover):
        return None
    may, spend = _may_move(ctx, s, n)
    eff = {**_leave_effect(ctx, s, n, old), **spend}
    eff[s.att[n]] = ctx.at(new)
    if ctx.is_sender(n):
        eff[s.pbu_reg[n]] = ctx.at(new)
    return Step(guard=all_of(s.att[n] == ctx.at(old), may), effect=eff)


@rule(cites="RFC 5213 §5.3.2, §5.3.4", each=("SENDER", "MAG"), answers="PBA")
def lma_accepts_pbu(ctx: Ctx, s, n, m):
    """The LMA creates or moves the MN's binding cache entry to the sending MAG and answers PBA."""
    # the PBA is delivered in the same step: its own flight adds states but no new race, since the
    # MAG learns nothing from it that the PBU's flight did not already keep from it
    eff = {s.pbu_reg[n]: ctx.NONE, s.bce[n]: ctx.at(m), s.bul[m][n]: ite(s.att[n] == ctx.at(m), 1, s.bul[m][n])}
    eff.update(_notify_queriers(ctx, s, n, s.bce[n] != ctx.at(m), ctx.coa(m)))
    return Step(guard=s.pbu_reg[n] == ctx.at(m), effect=eff)


@rule(cites="RFC 5213 §5.3.5", each=("SENDER", "MAG"))
def lma_deregisters(ctx: Ctx, s, n, m):
    """A lifetime-0 PBU removes the binding only if it comes from the current Proxy-CoA."""
    current = s.bce[n] == ctx.at(m)
    eff = {s.pbu_dereg[n]: ctx.NONE, s.bce[n]: ite(current, ctx.NONE, s.bce[n])}
    eff.update(_notify_queriers(ctx, s, n, current, ctx.PBAQ_FAILURE))
    return Step(guard=s.pbu_dereg[n] == ctx.at(m), effect=eff)


@rule(cites="RFC 5213 §5.3.3 and RFC 6275 §9.5.2 (binding lifetime)", each=("SENDER", "MAG"))
def lma_expires_binding(ctx: Ctx, s, n, m):
    """No MAG refreshes the binding any more (the MN left and its de-registration was lost): it expires."""
    current = s.bce[n] == ctx.at(m)
    eff = {s.bce[n]: ctx.NONE, **_notify_queriers(ctx, s, n, True, ctx.PBAQ_FAILURE)}
    return Step(guard=all_of(current, s.att[n] != ctx.at(m), s.pbu_reg[n] == ctx.NONE, s.pbu_dereg[n] == ctx.NONE),
                effect=eff)


@rule(cites="RFC 5213 §6.9.1.1 (re-registration before the lifetime ends)", each=("MAG", "SENDER"))
def mag_refreshes_binding(ctx: Ctx, s, m, n):
    """The serving MAG re-registers its MN; it matters only where the LMA's binding names another MAG."""
    return Step(guard=all_of(s.att[n] == ctx.at(m), s.bul[m][n] == 1, s.bce[n] != ctx.at(m),
                             s.pbu_reg[n] == ctx.NONE),
                effect={s.pbu_reg[n]: ctx.at(m)})


@rule(cites="RFC 5213 §6.9.4", each=("MAG", "SENDER"))
def mag_retransmits_pbu(ctx: Ctx, s, m, n):
    """With no PBA after the timeout the MAG sends the PBU again (the MN is still attached)."""
    return Step(guard=all_of(s.bul[m][n] == 0, s.att[n] == ctx.at(m), s.pbu_reg[n] == ctx.NONE),
                effect={s.pbu_reg[n]: ctx.at(m)})


RULES = [mn_attaches, mn_detaches, mn_hands_over, lma_accepts_pbu, lma_deregisters,
         mag_retransmits_pbu, mag_refreshes_binding, lma_expires_binding]
