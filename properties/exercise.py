"""Witnesses that the bounds exercise the environment: loss and handover really happen.

Recovery claims (the quiescent ones, progress) hold vacuously if nothing is ever lost and no
one ever moves; each witness below is a state that a loss or a move produces (in some readings
a discarded message does too).
"""
from __future__ import annotations

from pmipmc.engine.api import quiescent, reachable
from pmipmc.engine.expr import all_of, any_of, implies


@reachable(cites="RFC 6224 §3 (listener handover)")
def listener_hands_over_while_subscribed(ctx, s):
    """Witness: a subscribed listener is attached to one MAG while another still lists it on its oiflist."""
    return any_of(all_of(s.sub[l][x] == 1, s.oif_local[m][x][l] == 1, s.att[l] != ctx.at(m), s.att[l] != ctx.DETACHED)
                  for m in ctx.mags for x in ctx.senders for l in ctx.listeners)


@reachable(cites="§4.2 step 2 (a PBU-Q lost in the network)")
def query_open_with_nothing_in_flight(ctx, s):
    """Witness: a MAG waits for a PBA-Q while neither its PBU-Q nor an answer is in flight."""
    return any_of(all_of(s.q[m][x] == ctx.Q_ASKED, s.pbu_q[m][x] == 0, s.pba_q[m][x] == 0)
                  for m in ctx.mags for x in ctx.senders)


@reachable(cites="§4.2 step 7 (a PIM Join lost in the tunnel)")
def joined_channel_without_upstream_oif(ctx, s):
    """Witness: a MAG's iif is the tunnel to a peer, no Join is in flight, and the peer's oiflist lacks the tunnel."""
    return any_of(all_of(s.iif[a][x] == ctx.via(b), s.q[a][x] == ctx.Q_IDLE, s.pim[a][b][x] == 0,
                         s.oif_tunnel[b][x][a] == 0, s.tunnel[a][b] == 1, s.tunnel[b][a] == 1)
                  for a in ctx.mags for b in ctx.mags if a != b for x in ctx.senders)


@reachable(cites="§4.3 step 1 (an MLD leave lost on the access link)")
def leave_lost_on_the_access_link(ctx, s):
    """Witness: an attached listener left (S,G), its MAG still lists it, and no report is in flight."""
    return any_of(all_of(s.sub[l][x] == 0, s.att[l] == ctx.at(m), s.oif_local[m][x][l] == 1, s.mld[m][l][x] == 0)
                  for m in ctx.mags for x in ctx.senders for l in ctx.listeners)


@quiescent(cites="§6.1; RFC 4601 §4.2 (the RPF interface towards a local source)")
def local_iif_only_at_the_senders_mag_at_quiescence(ctx, s):
    """An (S,G) entry has a local iif only at the MAG that holds S in its Binding Update List."""
    return all_of(implies(s.iif[m][x] == ctx.IIF_LOCAL, s.bul[m][x] == 1) for m in ctx.mags for x in ctx.senders)


PROPERTIES = [local_iif_only_at_the_senders_mag_at_quiescence, listener_hands_over_while_subscribed,
              query_open_with_nothing_in_flight, joined_channel_without_upstream_oif, leave_lost_on_the_access_link]
