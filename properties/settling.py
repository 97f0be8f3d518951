"""The protocol settles: nothing left running, in flight or outstanding once it has nothing to do.

Quiescent claims are evaluated where no protocol rule is enabled; a protocol that never gets
there would pass them all vacuously, hence the progress claim first.
"""
from __future__ import annotations

from pmipmc.engine.api import progress_property, quiescent, reachable
from pmipmc.engine.expr import TRUE, all_of, any_of


@progress_property(cites="§4.2 steps 1-9; §4.3 steps 1-6 (each procedure ends)")
def protocol_can_always_settle(ctx, s):
    """From every reachable state, protocol steps alone can reach a state where no protocol rule is enabled."""
    return TRUE


def _pairs(ctx):
    return [(m, x) for m in ctx.mags for x in ctx.senders]


@quiescent(cites="§4.2 step 1; §4.3 step 1 (every report is processed)")
def no_mld_report_left_at_quiescence(ctx, s):
    """When the protocol has nothing left to do, no MLD report waits at any MAG."""
    return all_of(s.mld[m][l][x] == 0 for m, x in _pairs(ctx) for l in ctx.listeners)


@quiescent(cites="§5 steps 1-3; §6.2 (every PBU-Q is answered, every PBA-Q acted on); RFC 5213 §5.3")
def no_pmip_message_left_at_quiescence(ctx, s):
    """When the protocol has nothing left to do, no PBU, PBU-Q or PBA-Q is in flight."""
    return all_of([s.pbu_q[m][x] == 0 for m, x in _pairs(ctx)] + [s.pba_q[m][x] == 0 for m, x in _pairs(ctx)]
                  + [s.pbu_reg[x] == 0 for x in ctx.senders] + [s.pbu_dereg[x] == 0 for x in ctx.senders])


@quiescent(cites="§4.2 steps 4 and 8; §4.3 steps 4-5")
def no_pim_or_tunnel_signal_left_at_quiescence(ctx, s):
    """When the protocol has nothing left to do, no PIM Join/Prune or tunnel set-up is in flight."""
    return all_of([s.pim[a][b][x] == 0 for a in ctx.mags for b in ctx.mags for x in ctx.senders]
                  + [s.tunnel_setup[a][b] == 0 for a in ctx.mags for b in ctx.mags])


@quiescent(cites="§4.2 steps 2-7 (a query runs to its end)")
def no_query_outstanding_at_quiescence(ctx, s):
    """When the protocol has nothing left to do, no MAG is still inside §4.2 steps 2-7 for a source."""
    return all_of(s.q[m][x] == ctx.Q_IDLE for m, x in _pairs(ctx))


@quiescent(cites="§4.3 step 6")
def no_tunnel_removal_pending_at_quiescence(ctx, s):
    """When the protocol has nothing left to do, no §4.3 step 6 tunnel removal is still due."""
    return all_of(s.teardown_due[a][b] == 0 for a in ctx.mags for b in ctx.mags)


@reachable(cites="§4.2 steps 1-8")
def settles_with_a_channel_built(ctx, s):
    """Witness: a quiet-looking state (nothing in flight, no query) with some MAG's (S,G) iif a tunnel."""
    idle = all_of([s.q[m][x] == ctx.Q_IDLE for m, x in _pairs(ctx)] + [s.pbu_q[m][x] == 0 for m, x in _pairs(ctx)]
                  + [s.pim[a][b][x] == 0 for a in ctx.mags for b in ctx.mags for x in ctx.senders])
    return all_of(idle, any_of(s.iif[m][x] == ctx.via(b) for m, x in _pairs(ctx) for b in ctx.mags if b != m))


PROPERTIES = [protocol_can_always_settle, no_mld_report_left_at_quiescence, no_pmip_message_left_at_quiescence,
              no_pim_or_tunnel_signal_left_at_quiescence, no_query_outstanding_at_quiescence,
              no_tunnel_removal_pending_at_quiescence, settles_with_a_channel_built]
