"""draft-liu-multimob-pmipv6-multicast-ro-01 as a finite transition system.

Modelled
- §4.2 steps 1-8, one rule each (step 9, data delivery, is computed: `forwarding.py`);
  §4.1 the MRIB tunnel route; §6.2 PBU-Q items 1-3, MAG ops 1-4, MAG2 ops 1-2.
- §4.3 steps 1-6: leave, last-listener test, state deletion, route removal and Prune, MAG2's
  oiflist update, tunnel removal (three readings, variant axis `tunnel_teardown`).
- §5 steps 1-3: the LMA's binding-cache lookup with success (CoA) or failure indication.
- §6.1: sender and listener on the same MAG (local iif, local oiflist).
- RFC 5213 registration, handover and de-registration with PBU/PBA (§5.3.2, §5.3.4, §5.3.5,
  §6.9.1.2, §6.9.4 retransmission).
- Environment, each behind a switch (`bounds.py`): attach/detach, sender handover, listener
  handover, loss of any message, silent departure of a listener (RFC 6224 §6).
- Inherited soft state that the draft relies on by making MAGs PIM-SM routers (§1): PIM Join
  refresh (RFC 4601 §4.5.7), oiflist expiry (§4.5.3), MLD query/report and membership expiry
  (RFC 3810 §7.1, §7.2.3).
- Ambiguities and repairs as variant axes (`variants.py`), including an RFC 5213-only LMA.
- Behind the switch `data_packets` (preset `handover-data`): data packets in flight, one per
  sender, forwarded MAG by MAG on the state of the moment (§4.2 step 9), so a packet lost or
  delivered twice across a handover is a verdict (§1 "supports seamless handover").

- RFC 6224's base path, the route the draft optimises (§1), as the reading `base_rfc6224` of
  axis `route` (variant `base-path`, `rules_base.py`): MAGs as MLD proxies reporting to the
  LMA, data up to the LMA and down to member MAGs, no PBU-Q and no MAG-MAG tunnel.

Not modelled
- Senders' data through the LMA alongside the optimised route (RFC 7287 §3): in the draft's
  variants delivery is only over MAG-local interfaces and MAG-MAG tunnels; the base path is a
  separate reading, never mixed with them.
- PIM Hello, Assert, DR election and (*,G) state (SSM only, RFC 4601 §4.8).
- Several LMAs (the draft's figures use one), security (§9 is TBD), the wire formats (those
  are checked by `wire/codec.py` and `wire/lint.py`, not by the state machine).
- Timer values: all timers are nondeterministic; only their order relative to events matters.

Simplified
- Messages in flight are a set, one slot per distinct message (newest wins): a newer PBU for
  an MN replaces an older one (RFC 5213 §5.5 timestamps reject the older on arrival); a newer
  MLD report or PIM Join/Prune for the same channel supersedes the older one (soft state).
- MNs are either listeners or senders, never both; one group G; one LMA.
- Data packets (`data_packets` only): at most one packet per sender in the domain; two copies
  arriving at the same MAG merge (one slot per MAG), so a duplicate is counted per listener only.
- The LMA deletes a binding at once on de-registration (MinDelayBeforeBCEDelete elapses
  immediately, RFC 5213 §5.3.5) and a MAG drops its BUL entry on detach without waiting for
  the de-registration PBA (RFC 5213 §6.9.1.4 allows this after a timeout).
- Periodic refreshes fire only where they change something (a no-op firing is stuttering).
- A MAG-MAG tunnel removal removes both ends in one step in the `*_per_channel` readings
  ("Remove bi-directional tunnel", §4.3 step 6).
"""
from __future__ import annotations

from . import network, rules_base, rules_data, rules_listener, rules_mobility, rules_route, rules_softstate
from .bounds import PRESETS, Bounds, BoundsError, preset
from .state import Ctx, initial_states, make_ctx
from .variants import AXES, VARIANTS, VariantError, variant

# The order of rules is the order of rule instances, which decides which of several equally
# short traces the explorer reports: each loss rule keeps its place after its role's rules.
_loss = {r.name: r for r in network.RULES}
ALL_RULES = (rules_listener.RULES + [_loss["network_loses_mld_report"]] + rules_route.RULES
             + rules_mobility.RULES + [_loss["network_loses_pbu"], _loss["network_loses_deregistration"]]
             + rules_softstate.RULES + [_loss[n] for n in ("network_loses_pbu_q", "network_loses_pba_q",
                                                          "network_loses_pim", "network_loses_tunnel_setup")]
             + rules_data.RULES + rules_base.RULES)
assert {r.name for r in ALL_RULES} >= set(_loss), "a loss rule of network.py is not in ALL_RULES"


def enabled_rules(b: Bounds) -> list:
    switches = {"attach_detach": b.attach_detach, "handover": b.sender_handover or b.listener_handover,
                "loss": b.loss, "data_packets": b.data_packets}
    return [r for r in ALL_RULES if r.switch is None or switches[r.switch]]


__all__ = ["ALL_RULES", "AXES", "Bounds", "BoundsError", "Ctx", "PRESETS", "VARIANTS", "VariantError",
           "enabled_rules", "initial_states", "make_ctx", "preset", "variant"]
