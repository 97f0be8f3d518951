"""Bounds: one frozen value per run, chosen by preset name."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace


class BoundsError(ValueError):
    pass


@dataclass(frozen=True)
class Bounds:
    mags: int                       # MAGs in the domain (the draft's figures use two)
    listeners: int                  # MNs that subscribe to (S,G) channels (the draft's MN1)
    senders: int                    # MNs whose HoA is a source S (the draft's MN2)
    attach_detach: bool = False     # MNs may leave the domain and come back (RFC 5213 §6.9.1.4)
    sender_handover: bool = False   # a sender may move between MAGs (§1 "supports seamless handover")
    listener_handover: bool = False  # a listener may move between MAGs (RFC 6224 §3)
    loss: bool = False              # any message in flight may be lost
    silent_departure: bool = False  # a listener may detach without an MLD leave (RFC 6224 §6)
    fused_steps: bool = False       # §4.2 steps 4-7 as one MAG-local step (hides MAG1's inner interleavings)
    sender_moves: int = 0           # at most this many sender handovers/detaches/attaches (0: unlimited)
    data_packets: bool = False      # senders emit data packets, one in flight per sender (§1 "seamless handover")

    def validate(self) -> "Bounds":
        if self.mags < 2:
            raise BoundsError(f"mags={self.mags}: the draft needs at least two MAGs")
        if self.listeners < 1 or self.senders < 1:
            raise BoundsError("at least one listener and one sender are needed")
        if self.sender_moves < 0:
            raise BoundsError(f"sender_moves={self.sender_moves}: must be 0 (unlimited) or more")
        if self.mags > 4 or self.listeners + self.senders > 5:
            raise BoundsError("bounds too large for explicit search (at most 4 MAGs and 5 MNs)")
        return self

    def with_(self, **kw) -> "Bounds":
        known = {f.name for f in fields(self)}
        bad = sorted(set(kw) - known)
        if bad:
            raise BoundsError(f"unknown bound {bad[0]!r}")
        for k, v in kw.items():   # overrides come from files: "3" is not 3, and 1 is not True
            if type(v) is not type(getattr(self, k)):
                raise BoundsError(f"bound {k}={v!r}: expected {type(getattr(self, k)).__name__}")
        return replace(self, **kw).validate()

    def summary(self) -> str:
        on = [f.name for f in fields(self) if isinstance(getattr(self, f.name), bool) and getattr(self, f.name)]
        return (f"{self.mags} MAGs, {self.listeners} listener(s), {self.senders} sender(s); "
                f"environment: {', '.join(on) if on else 'static'}")


PRESETS: dict[str, tuple[Bounds, str]] = {
    "tiny": (Bounds(mags=2, listeners=1, senders=1),
             "the draft's Figure 3/4 cast, every §4.2 step separate, static network, no loss: seconds"),
    "ci": (Bounds(mags=2, listeners=1, senders=1, listener_handover=True, loss=True, silent_departure=True,
                  fused_steps=True),
           "two MAGs; loss, listener handover and silent departure on: seconds per variant"),
    "mobility": (Bounds(mags=2, listeners=1, senders=1, sender_handover=True, fused_steps=True),
                 "two MAGs; the sender moves between them (§1 source mobility): about a minute per variant"),
    "shared": (Bounds(mags=2, listeners=1, senders=2, fused_steps=True),
               "two senders behind MAG-MAG tunnels shared between channels: about a minute per variant"),
    "three-mags": (Bounds(mags=3, listeners=2, senders=1, sender_handover=True, sender_moves=1, fused_steps=True),
                   "three MAGs, two listeners, one sender move: the route-optimisation claim; "
                   "repaired: 10 M states, seconds natively; draft: 555 M states, --fingerprints and an hour"),
    "handover-data": (Bounds(mags=2, listeners=1, senders=1, sender_handover=True, sender_moves=1, fused_steps=True,
                             data_packets=True),
                      "two MAGs, one sender move, data packets in flight: is a packet lost or delivered twice "
                      "across the handover (§1 'supports seamless handover')?"),
    "thorough": (Bounds(mags=3, listeners=2, senders=1, attach_detach=True, sender_handover=True,
                        listener_handover=True, loss=True, silent_departure=True, fused_steps=True,
                        sender_moves=1),
                 "three MAGs, three MNs, every environment switch on (one sender move): "
                 "does not finish here; run with --time-budget"),
}

DEFAULT_PRESET = "ci"


def preset(name: str) -> Bounds:
    if name not in PRESETS:
        raise BoundsError(f"unknown preset {name!r} (known: {', '.join(PRESETS)})")
    return PRESETS[name][0].validate()
