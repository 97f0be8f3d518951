"""The LMA's binding cache against where MNs really are."""
from __future__ import annotations

from pmipmc.engine.api import quiescent, reachable, step_property
from pmipmc.engine.expr import all_of, any_of


@quiescent(cites="RFC 5213 §5.1; draft §5 step 2", each=("SENDER",),
           says="the LMA binds {n} to another MAG than the one {n} is attached to")
def binding_cache_matches_attachment_at_quiescence(ctx, s, n):
    """When nothing is left to do, each sender's Proxy-CoA is the MAG it is attached to."""
    return s.bce[n] == s.att[n]


@step_property(cites="§8.1 'The rest of the PBU message remains unchanged'; §5",
               says="answering a PBU-Q changed a binding cache entry")
def pbu_q_leaves_the_binding_cache_alone(ctx, s, t):
    """Answering a PBU-Q never changes a binding cache entry."""
    consumed = any_of(all_of(s.pbu_q[m][x] == 1, t.pbu_q[m][x] == 0) for m in ctx.mags for x in ctx.senders)
    registered = any_of(s.pbu_reg[n] != t.pbu_reg[n] for n in ctx.senders)
    deregistered = any_of(s.pbu_dereg[n] != t.pbu_dereg[n] for n in ctx.senders)
    return ~all_of(consumed, ~registered, ~deregistered, any_of(s.bce[n] != t.bce[n] for n in ctx.senders))


@reachable(cites="§5 step 3 (failure indication)", each=("MAG", "SENDER"),
           says="the LMA answers {m}'s PBU-Q about {x} with a failure indication")
def pba_q_reports_failure(ctx, s, m, x):
    """Witness: the LMA answers a PBU-Q with a failure indication."""
    return s.pba_q[m][x] == ctx.PBAQ_FAILURE


@reachable(cites="RFC 5213 §5.3.4", each=("SENDER",), says="{n} is attached to one MAG while the LMA names another")
def binding_cache_lags_a_handover(ctx, s, n):
    """Witness: a sender is attached to one MAG while the LMA still names another."""
    return all_of(s.att[n] != ctx.DETACHED, s.bce[n] != ctx.NONE, s.bce[n] != s.att[n])


PROPERTIES = [binding_cache_matches_attachment_at_quiescence, pbu_q_leaves_the_binding_cache_alone,
              pba_q_reports_failure, binding_cache_lags_a_handover]
