"""What each rule does on its actor's lifeline, in the words of the draft's Figures 3 and 4.

Messages are not here: every message a step puts in flight is drawn from the schema's message
declarations (state.py), and a rule's same-step reply from its `answers`.  What is left is the
processing a figure writes under a lifeline ("Acquire CoA of MN2") and the environment's own
events.  A rule reads its step through `StepView`, which answers from the raw before/after
states.  tests/test_msc.py fails if a rule has no entry.
"""
from __future__ import annotations

from typing import Callable

from pmipmc.engine.msc import Event

from .state import LMA


class StepView:
    """One step of a trace: its number, the arguments' names and the states around it."""

    def __init__(self, system, n: int, before: bytes, after: bytes, sg: Callable[[str], str]):
        self.n, self.system, self.before, self.after, self.sg = n, system, before, after, sg
        self._arrays = {a.name: a for a in system.schema.arrays}
        self._changed = {system.schema.slot_array(i)[0].name
                         for i, (a, b) in enumerate(zip(before, after)) if a != b}

    def changed(self, array: str) -> bool:
        return array in self._changed

    def _slot(self, array: str, *names: str) -> int:
        a = self._arrays[array]
        return a.slot(*(s.elements.index(x) for s, x in zip(a.index, names)))

    def now(self, array: str, *names: str) -> int:
        return self.after[self._slot(array, *names)]

    def was(self, array: str, *names: str) -> int:
        return self.before[self._slot(array, *names)]


def act(st, at, label, note=""):
    return Event(at, None, label, "action", st.n, "", note)


def tun(st, src, dst, label, note="", bidir=False):
    return Event(src, dst, label, "tunnel", st.n, "", note, bidir)


def env(st, src, dst, label, note=""):
    return Event(src, dst, label, "env", st.n, "", note)


def _pbu_q(st, m, l, src):
    return [] if st.changed("pbu_q") else [act(st, m, f"Add {m}-{l} to oiflist", "(query already sent)")]


def _establish(st, m, src, b):
    if st.changed("tunnel_setup"):
        return [act(st, m, f"Create tunnel end to {b}")]
    if m == b:
        return [act(st, m, "Tunnel to itself!")]
    if not st.was("tunnel", b, m) and st.now("tunnel", b, m):
        return [tun(st, m, b, "Establish multicast Bi-dir tunnel", bidir=True)]
    return [act(st, m, f"Use tunnel to {b}")]


def _removes_tunnel(st, a, b):
    if st.was("tunnel", a, b) and st.was("tunnel", b, a):
        return [tun(st, a, b, "Remove multicast Bi-dir tunnel", bidir=True)]
    return [act(st, a, f"Remove own end of tunnel to {b}")]


def _lma_deregisters(st, n, m):
    if st.changed("bce"):
        return [act(st, LMA, f"Delete BCE of {n}")]
    return [act(st, LMA, f"Keep BCE of {n}", f"(PBU not from its CoA {m})")]


def _nothing(st, *args):
    return []


ACTIONS: dict[str, Callable] = {
    # §4.2 step 1, §4.3 step 1, MLD (RFC 3810): the reports themselves are messages
    "mn_subscribes": _nothing,
    "mn_unsubscribes": _nothing,
    "mn_reports_membership": _nothing,
    "mag_discards_stale_report": lambda st, m, l, src: [act(st, m, f"Drop report of {l}", "(not attached)")],
    "mag_joins_locally": lambda st, m, l, src: [act(st, m, f"Add {m}-{l} to oiflist / iif local (§6.1)")],
    "mag_sends_pbu_q": _pbu_q,
    "mag_removes_listener": lambda st, m, l, src: [act(st, m, f"Remove {m}-{l} from oiflist")],
    "mag_deletes_channel_state": lambda st, m, l, src: [
        act(st, m, f"{l} is the last listener / delete all {st.sg(src)} state")],
    "mag_expires_listener": lambda st, m, l, src: [act(st, m, f"{l}'s membership expires", "(as if leave)")],
    # §5 and §4.2 steps 2-8, §4.3 steps 4-6, §6.2
    "lma_answers_pbu_q": _nothing,
    "legacy_lma_treats_pbu_q_as_pbu": lambda st, m, src: [act(st, LMA, "PBU-Q taken as PBU", f"BCE {src} -> {m}")],
    "mag_receives_pba_q": lambda st, m, src, b: [act(st, m, f"Acquire CoA of {src}")],
    "mag_ignores_pba_q_without_members": lambda st, m, src: [act(st, m, "PBA-Q dropped", "(no member left)")],
    "mag_receives_pba_q_failure": lambda st, m, src: [act(st, m, "PBA-Q failure", "query ends")],
    "lma_renotifies": _nothing,
    "mag_requeries_after_local_sender_left": lambda st, m, src: [act(st, m, f"{src} left (§6.1 state)")],
    "mag_takes_local_iif_for_registered_source": lambda st, m, src: [
        act(st, m, f"{src} registered here", "iif local (RPF change)")],
    "mag_establishes_tunnel": _establish,
    "mag_opens_optimized_route": lambda st, m, src, b: _establish(st, m, src, b) + [
        act(st, m, "Add route to MRIB"), act(st, m, f"Update {st.sg(src)} state / Set iif")],
    "mag_accepts_tunnel_setup": lambda st, b, a: [act(st, b, f"Create tunnel end to {a}")],
    "mag_adds_mrib_route": lambda st, m, src, b: [act(st, m, "Add route to MRIB")],
    "mag_sets_iif": lambda st, m, src, b: [act(st, m, f"Update {st.sg(src)} state / Set iif")],
    "mag_sends_pim_join": lambda st, m, src, b: (
        [] if st.changed("pim") else [act(st, m, "PIM join not sent", "(no tunnel end)")]),
    "mag_receives_pim_join": lambda st, b, a, src: [act(st, b, f"Update {st.sg(src)} state / Set oiflist")],
    "mag_removes_route_and_prunes": lambda st, m, src, b: [act(st, m, "Remove route from MRIB")],
    "mag_receives_pim_prune": lambda st, b, a, src: [act(st, b, f"update {st.sg(src)} state / update oiflist")],
    "mag_discards_pim_without_tunnel": lambda st, b, a, src: [act(st, b, "Drop PIM", f"(no tunnel end to {a})")],
    "mag_removes_tunnel": _removes_tunnel,
    # RFC 5213 mobility; environment events are dashed
    "mn_attaches": lambda st, n, m: [env(st, n, m, "attach")],
    "mn_detaches": lambda st, n, m: [env(st, n, None, f"{n} detaches from {m}")],
    "mn_hands_over": lambda st, n, old, new: [env(st, n, new, f"moves {old} -> {new}")],
    "lma_accepts_pbu": lambda st, n, m: [act(st, LMA, f"BCE {n} -> {m}")],
    "lma_deregisters": _lma_deregisters,
    "mag_refreshes_binding": _nothing,
    "lma_expires_binding": lambda st, n, m: [act(st, LMA, f"BCE of {n} expires", "(no refresh)")],
    "mag_retransmits_pbu": _nothing,
    # inherited soft state and retransmission; losses are drawn from the message they remove
    "mag_refreshes_pim_join": _nothing,
    "mag_expires_tunnel_oif": lambda st, b, src, a: [act(st, b, f"oiflist entry {b}-{a} expires")],
    "mag_retransmits_pbu_q": _nothing,
    "network_loses_pbu": _nothing,
    "network_loses_deregistration": _nothing,
    "network_loses_mld_report": _nothing,
    "network_loses_pbu_q": _nothing,
    "network_loses_pba_q": _nothing,
    "network_loses_pim": _nothing,
    "network_loses_tunnel_setup": _nothing,
    # data packets in flight (switch data_packets): data, not signalling, so no message array draws them
    "mn_sends_data": lambda st, src, m: [env(st, src, m, "Multicast data", "(one packet)")],
    "mag_forwards_data": lambda st, m, src: [act(st, m, f"Forward {st.sg(src)} packet", "(oiflist)")],
    # RFC 6224 base path (variant base-path): proxy reports are messages; the LMA's data step is drawn
    "mag_proxies_report": lambda st, m, l, src: [act(st, m, f"Add {m}-{l} to proxy membership")],
    "lma_receives_proxy_report": lambda st, m, src: [act(st, LMA, f"{st.sg(src)} downstream: tunnel to {m}",
                                                         "(join)" if st.now("lma_sub", src, m) else "(leave)")],
    "mag_reports_membership_upstream": _nothing,
    "lma_expires_downstream_membership": lambda st, m, src: [act(st, LMA, f"{m}'s {st.sg(src)} membership expires")],
    "network_loses_proxy_report": _nothing,
    "lma_forwards_data": lambda st, src: [act(st, LMA, f"Forward {st.sg(src)} packet", "(to member MAGs)")],
}
