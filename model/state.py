"""The state of a PMIPv6 domain running the draft, as arrays of small values.

Names follow the draft and RFC 5213: `bce` (LMA binding cache, MN -> Proxy-CoA), `bul` (a MAG's
Binding Update List), `iif`, `oiflist` split into `oif_local` (MAG-MN interfaces) and `oif_tunnel`
(MAG-MAG tunnel interfaces), `mrib` (tunnel route towards S, §4.1), `tunnel` (a MAG's own end
of a MAG-MAG multicast tunnel).  Message arrays hold what is in flight, one slot per distinct
message, so delivery order is free (reordering is covered).
"""
from __future__ import annotations

from dataclasses import dataclass

from pmipmc.engine.schema import BOOL, Schema, enum, sort_domain

from .bounds import Bounds
from .variants import Variant


@dataclass
class Ctx:
    """What every rule and property receives: bounds, variant readings, value codes."""
    bounds: Bounds
    variant: Variant
    schema: Schema
    mags: range
    mns: range
    listeners: tuple[int, ...]
    senders: tuple[int, ...]

    def reads(self, axis: str, reading: str) -> bool:
        return self.variant.reading(axis) == reading

    def is_sender(self, n: int) -> bool:
        return n in self.senders

    def is_listener(self, n: int) -> bool:
        return n in self.listeners

    # value codes, one place only (the domains below are built from the same offsets)
    DETACHED = 0
    NONE = 0

    @staticmethod
    def at(m: int) -> int:            # att / bce / mrib / pbu value naming MAG m
        return 1 + m

    IIF_LOCAL = 1

    @staticmethod
    def via(m: int) -> int:           # iif value: the MAG-MAG tunnel to m
        return 2 + m

    PBAQ_FAILURE = 1

    @staticmethod
    def coa(m: int) -> int:           # PBA-Q value: success with CoA m
        return 2 + m

    Q_IDLE, Q_ASKED = 0, 1

    def q(self, phase: str, m: int) -> int:   # query progress after §4.2 step 3/4/5/6 towards m
        return 2 + ("acquired", "tunnelled", "routed", "iif_set").index(phase) * len(self.mags) + m

    BUL_REGISTERED = 1
    MLD_JOIN, MLD_LEAVE = 1, 2
    PKT_ACCESS, PKT_TUNNEL = 1, 2
    PIM_JOIN, PIM_PRUNE = 1, 2


def build_schema(b: Bounds) -> tuple[Schema, tuple[int, ...], tuple[int, ...]]:
    sc = Schema()
    mags = sc.sort("MAG", [f"MAG{i + 1}" for i in range(b.mags)])
    # listeners first, so that with one of each the names match the draft (MN1 listener, MN2 sender)
    n = b.listeners + b.senders
    mns = sc.sort("MN", [f"MN{i + 1}" for i in range(n)])
    listeners = tuple(range(b.listeners))
    senders = tuple(range(b.listeners, n))
    sc.symmetric(mags, range(b.mags))
    sc.symmetric(mns, listeners, senders)

    at_mag = sort_domain(mags, "none")
    A = sc.array
    # Arrays whose values name a MAG the same way are declared next to each other: symmetry
    # reduction rewrites each such run of slots with one table lookup (engine/symmetry.py).
    A("att", sort_domain(mags, "detached"), mns, doc="where the MN is attached (link layer)")
    A("bce", at_mag, mns, doc="LMA binding cache: the MN's Proxy-CoA")
    A("pbu_reg", at_mag, mns, doc="newest registration PBU in flight (from that MAG)")
    A("pbu_dereg", at_mag, mns, doc="newest de-registration PBU in flight (from that MAG)")
    A("mrib", at_mag, mags, mns, doc="MRIB tunnel route towards S (§4.1): the RPF neighbour")
    A("pba_q", sort_domain(mags, "none", "failure", fmts=("CoA={}",)), mags, mns, doc="PBA-Q in flight to MAG about S")
    A("iif", sort_domain(mags, "none", "local", fmts=("tunnel({})",)), mags, mns, doc="iif of the (S,G) entry")
    A("q", sort_domain(mags, "idle", "asked", fmts=("acquired({})", "tunnelled({})", "routed({})", "iif_set({})")),
      mags, mns, doc="MAG's progress through §4.2 steps 2-7 for source S")
    A("bul", BOOL, mags, mns, doc="MAG's Binding Update List holds the MN (PBA received)")
    A("sub", BOOL, mns, mns, doc="listener wants channel (S,G), S the sender's HoA")
    A("mld", enum("none", "join", "leave"), mags, mns, mns, doc="newest MLD report in flight (MAG, listener, S)")
    A("pbu_q", BOOL, mags, mns, doc="PBU-Q in flight from MAG about S")
    A("oif_local", BOOL, mags, mns, mns, doc="MAG-MN interface in the (S,G) oiflist (MAG, S, listener)")
    A("oif_tunnel", BOOL, mags, mns, mags, doc="MAG-MAG tunnel interface in the (S,G) oiflist (MAG, S, peer)")
    A("pim", enum("none", "join", "prune"), mags, mags, mns, doc="newest PIM (S,G) Join/Prune in flight through the tunnel (from, to, S)")
    A("tunnel", BOOL, mags, mags, doc="this MAG's end of the MAG-MAG tunnel to the peer")
    A("tunnel_setup", BOOL, mags, mags, doc="tunnel set-up signal in flight (one_way reading)")
    A("teardown_due", BOOL, mags, mags, doc="§4.3 step 6 is due at this MAG for the tunnel to the peer")
    A("asked", BOOL, mns, mags, doc="LMA remembers that the MAG queried S (lma_notifies repair)")
    A("moves_left", enum(*(str(i) for i in range(b.sender_moves + 1))),
      doc="sender moves the environment may still make (bounds.sender_moves; 0 when unlimited)")
    if b.data_packets:   # only behind the switch, so presets without it keep their state layout and counts
        A("pkt", enum("none", "access", "tunnel"), mags, mns,
          doc="a copy of S's current data packet waits at the MAG, received on the access link or a tunnel")
        A("expect", BOOL, mns, mns, doc="the listener received S's data when the packet was sent (listener, S)")
        A("got", enum("0", "1", "2"), mns, mns, doc="copies of S's current packet the listener received (2: twice)")
    return sc, listeners, senders


def make_ctx(b: Bounds, v: Variant) -> Ctx:
    sc, listeners, senders = build_schema(b)
    return Ctx(b, v, sc, range(b.mags), range(b.listeners + b.senders), listeners, senders)


def initial_states(ctx: Ctx) -> list[bytes]:
    """§3: every MN is already registered; every placement of MNs on MAGs is an initial state."""
    import itertools
    sc = ctx.schema
    arr = {a.name: a for a in sc.arrays}
    out = []
    for placement in itertools.product(ctx.mags, repeat=len(ctx.mns)):
        s = sc.blank()
        for n, m in zip(ctx.mns, placement):
            s[arr["att"].slot(n)] = ctx.at(m)
            if ctx.is_sender(n):
                s[arr["bce"].slot(n)] = ctx.at(m)
                s[arr["bul"].slot(m, n)] = ctx.BUL_REGISTERED
        s[arr["moves_left"].slot()] = ctx.bounds.sender_moves
        out.append(bytes(s))
    return out
