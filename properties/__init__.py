"""Named claims over the model state, each citing the draft text it protects.

Kinds: `invariant` (every reachable state), `quiescent` (every state where no protocol rule is
enabled: the protocol has nothing left to do), `step` (every transition), `reachable` (a
witness that some reachable state has the shape, so the other claims are not vacuous).

A claim is written as one clause over its parameters (`each=` sorts, like a rule) with a `says=`
template; the engine checks the conjunction and names the failing clause in every trace, and
the topology picture marks exactly the elements that clause names.
"""
from __future__ import annotations

from . import agreement, binding, delivery, exercise, membership, packets, routeopt, rpf, settling, tunnels

CATALOGUE = (tunnels.PROPERTIES + agreement.PROPERTIES + rpf.PROPERTIES + delivery.PROPERTIES
             + routeopt.PROPERTIES + binding.PROPERTIES + packets.PROPERTIES + settling.PROPERTIES
             + membership.PROPERTIES + exercise.PROPERTIES)

__all__ = ["CATALOGUE"]
