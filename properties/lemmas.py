"""Strengthening lemmas for the symbolic engine's proofs: small invariants, each a claim of its own.

k-induction fails on many true claims because an *unreachable* state — a MAG holding protocol
state that points at itself — steps into a violation.  The draft never lets a MAG treat itself as
a remote peer: it queries the LMA only for sources it does not serve (§4.2 step 2), tunnels go to
*another* MAG (§4.2 step 4), and PIM Join/Prune travel through MAG-MAG tunnels (§4.2 step 8,
§4.3 step 4).  Each lemma states one such fact.  `pmipmc prove` proves the lemmas first (in this
order, each may use those before it) and only then assumes them, so a wrong lemma can cost a
proof but never produce a false HOLDS.  They are also ordinary invariants that `check` can run.

They are true only while a sender stays where it is: once it can move, a MAG may query for a
sender that then arrives at that very MAG, and the LMA answers with the asker's own address
(the draft's own-CoA finding; on `mobility` even `repaired` sends such a PBA-Q, which it then
treats as local).  So lemmas are offered per preset (`lemmas_for`), and proved there.
"""
from __future__ import annotations

from pmipmc.engine.api import invariant
from pmipmc.engine.expr import all_of, every


@invariant(cites="§5 PBA-Q; §4.2 step 2", topic="lemma")
def no_pba_q_names_the_asking_mag(ctx, s):
    """No PBA-Q in flight answers a MAG with that MAG's own address as the source's CoA."""
    return every(ctx.mags, lambda m: every(ctx.senders, lambda x: s.pba_q[m][x] != ctx.coa(m)))


@invariant(cites="§4.2 steps 3-7; §6.2 MAG ops 1-4", topic="lemma")
def no_query_progresses_towards_its_own_mag(ctx, s):
    """A MAG's progress through §4.2 steps 3-7 never targets the MAG itself as the source's CoA."""
    return every(ctx.mags, lambda m: every(ctx.senders, lambda x: all_of(
        s.q[m][x] != ctx.q(phase, m) for phase in ("acquired", "tunnelled", "routed", "iif_set"))))


@invariant(cites="§4.2 step 4 (one_way reading)", topic="lemma")
def no_tunnel_setup_to_itself(ctx, s):
    """No MAG signals a tunnel set-up to itself."""
    return every(ctx.mags, lambda m: s.tunnel_setup[m][m] == 0)


@invariant(cites="§4.2 step 6; §6.2 MAG op 3", topic="lemma")
def no_iif_is_a_tunnel_to_itself(ctx, s):
    """No (S,G) iif at a MAG is the tunnel to that same MAG."""
    return every(ctx.mags, lambda m: every(ctx.senders, lambda x: s.iif[m][x] != ctx.via(m)))


@invariant(cites="§4.2 step 8; §4.3 step 4", topic="lemma")
def no_pim_message_to_itself(ctx, s):
    """No PIM (S,G) Join or Prune travels from a MAG to itself."""
    return every(ctx.mags, lambda m: every(ctx.senders, lambda x: s.pim[m][m][x] == 0))


@invariant(cites="§4.2 step 9", topic="lemma")
def no_oif_tunnel_to_itself(ctx, s):
    """No (S,G) oiflist at a MAG holds a tunnel interface to that same MAG."""
    return every(ctx.mags, lambda m: every(ctx.senders, lambda x: s.oif_tunnel[m][x][m] == 0))


LEMMAS = [no_pba_q_names_the_asking_mag, no_query_progresses_towards_its_own_mag, no_tunnel_setup_to_itself,
          no_iif_is_a_tunnel_to_itself, no_pim_message_to_itself, no_oif_tunnel_to_itself]


@invariant(cites="§4.2 steps 4-7 as one step (fused presets)", topic="lemma")
def no_query_rests_between_fused_steps(ctx, s):
    """With §4.2 steps 4-7 fused into one MAG-local step, no query waits between them."""
    return every(ctx.mags, lambda m: every(ctx.senders, lambda x: every(ctx.mags, lambda b: all_of(
        s.q[m][x] != ctx.q(phase, b) for phase in ("tunnelled", "routed", "iif_set")))))


FUSED_LEMMAS = [no_query_rests_between_fused_steps]   # `prove --all-sizes` only: false on unfused presets


def lemmas_for(ctx) -> list:
    """The lemmas worth proving under these bounds: none of them survives a sender that moves."""
    b = ctx.bounds
    return [] if (b.sender_handover or b.attach_detach) else list(LEMMAS)
