"""MLD and (S,G) state against what the attached MNs want: reports, oiflists, reasons for state."""
from __future__ import annotations

from pmipmc.engine.api import quiescent, reachable, step_property
from pmipmc.engine.expr import all_of, any_of, implies
from pmipmc.model.channel import forwards, members


def _channels(ctx):
    return [(m, x, l) for m in ctx.mags for x in ctx.senders for l in ctx.listeners]


@step_property(cites="§4.2 step 1; RFC 3810 §6.1 (reports are sent on the link the MN is on)")
def mld_join_comes_from_a_subscribed_attached_listener(ctx, s, t):
    """A new MLD (S,G) join at a MAG comes from a listener attached there that wants (S,G)."""
    return all_of(implies(all_of(s.mld[m][l][x] != ctx.MLD_JOIN, t.mld[m][l][x] == ctx.MLD_JOIN),
                          all_of(t.sub[l][x] == 1, t.att[l] == ctx.at(m))) for m, x, l in _channels(ctx))


@step_property(cites="§4.3 step 1; RFC 3810 §7.2.3 (a leave, or a membership that timed out)")
def mld_leave_only_for_a_listener_that_left(ctx, s, t):
    """A new MLD (S,G) leave at a MAG comes from an attached listener that left (S,G), or ends a membership the
    MAG holds for a listener that left (S,G) or the link."""
    return all_of(implies(all_of(s.mld[m][l][x] != ctx.MLD_LEAVE, t.mld[m][l][x] == ctx.MLD_LEAVE),
                          any_of(all_of(t.sub[l][x] == 0, t.att[l] == ctx.at(m)),
                                 all_of(s.oif_local[m][x][l] == 1, any_of(t.sub[l][x] == 0, t.att[l] != ctx.at(m)))))
                  for m, x, l in _channels(ctx))


@quiescent(cites="§4.2 steps 1-2; §4.3 steps 1-2; §6.1")
def local_oiflist_matches_attached_subscribers_at_quiescence(ctx, s):
    """MAG-MN interface l is on (S,G)'s oiflist at MAG m exactly when l is attached to m and wants (S,G)."""
    return all_of((s.oif_local[m][x][l] == 1) == all_of(s.sub[l][x] == 1, s.att[l] == ctx.at(m))
                  for m, x, l in _channels(ctx))


@quiescent(cites="§4.3 step 3 'delete all the (S,G) state'; §4.2 step 6")
def tunnel_iif_only_with_a_reason_at_quiescence(ctx, s):
    """An (S,G) entry with a tunnel iif exists at a MAG only with a local listener or a downstream tunnel."""
    return all_of(implies(any_of(s.iif[m][x] == ctx.via(b) for b in ctx.mags), forwards(ctx, s, m, x))
                  for m in ctx.mags for x in ctx.senders)


@quiescent(cites="§4.3 step 5; §6.1; RFC 4601 §4.1.3 (no (S,G) state without an oiflist)")
def local_iif_only_with_a_reason_at_quiescence(ctx, s):
    """An (S,G) entry with a local iif exists at a MAG only with a local listener or a downstream tunnel."""
    return all_of(implies(s.iif[m][x] == ctx.IIF_LOCAL, forwards(ctx, s, m, x)) for m in ctx.mags for x in ctx.senders)


@quiescent(cites="§4.2 steps 2 and 6; §6.1")
def listener_state_has_an_iif_at_quiescence(ctx, s):
    """A MAG with a local listener for (S,G) of a registered sender has an (S,G) iif."""
    return all_of(implies(all_of(members(ctx, s, m, x), s.bce[x] != ctx.NONE), s.iif[m][x] != ctx.NONE)
                  for m in ctx.mags for x in ctx.senders)


@step_property(cites="§4.2 step 2; §6.2 PBU-Q items 1-3")
def pbu_q_sent_only_for_a_local_member(ctx, s, t):
    """A MAG sends a PBU-Q about S only while a local listener wants (S,G) and its query is open."""
    return all_of(implies(all_of(s.pbu_q[m][x] == 0, t.pbu_q[m][x] == 1),
                          all_of(members(ctx, t, m, x), t.q[m][x] == ctx.Q_ASKED))
                  for m in ctx.mags for x in ctx.senders)


@step_property(cites="§4.2 step 7; §6.2 MAG op 3; RFC 4601 §4.5.7")
def pim_join_goes_to_the_rpf_neighbour(ctx, s, t):
    """A new PIM (S,G) Join from MAG a to MAG b leaves with a's iif the tunnel to b."""
    return all_of(implies(all_of(s.pim[a][b][x] != ctx.PIM_JOIN, t.pim[a][b][x] == ctx.PIM_JOIN),
                          t.iif[a][x] == ctx.via(b)) for a in ctx.mags for b in ctx.mags for x in ctx.senders)


@step_property(cites="§4.3 step 4; RFC 4601 §4.5.7")
def pim_prune_only_off_the_rpf_path(ctx, s, t):
    """A new PIM (S,G) Prune from MAG a to MAG b leaves only once a's iif is no longer the tunnel to b."""
    return all_of(implies(all_of(s.pim[a][b][x] != ctx.PIM_PRUNE, t.pim[a][b][x] == ctx.PIM_PRUNE),
                          t.iif[a][x] != ctx.via(b)) for a in ctx.mags for b in ctx.mags for x in ctx.senders)


@reachable(cites="§4.3 steps 1-3")
def listener_leaves_and_state_is_deleted(ctx, s):
    """Witness: a MAG processes an MLD leave while its (S,G) entry exists."""
    return any_of(all_of(s.mld[m][l][x] == ctx.MLD_LEAVE, s.iif[m][x] != ctx.NONE) for m, x, l in _channels(ctx))


PROPERTIES = [mld_join_comes_from_a_subscribed_attached_listener, mld_leave_only_for_a_listener_that_left,
              local_oiflist_matches_attached_subscribers_at_quiescence, tunnel_iif_only_with_a_reason_at_quiescence,
              local_iif_only_with_a_reason_at_quiescence,
              listener_state_has_an_iif_at_quiescence, pbu_q_sent_only_for_a_local_member,
              pim_join_goes_to_the_rpf_neighbour, pim_prune_only_off_the_rpf_path, listener_leaves_and_state_is_deleted]
