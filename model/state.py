"""The state of a PMIPv6 domain running the draft, as arrays of small values.

Names follow the draft and RFC 5213: `bce` (LMA binding cache, MN -> Proxy-CoA), `bul` (a MAG's
Binding Update List), `iif`, `oiflist` split into `oif_local` (MAG-MN interfaces) and `oif_tunnel`
(MAG-MAG tunnel interfaces), `mrib` (tunnel route towards S, §4.1), `tunnel` (a MAG's own end
of a MAG-MAG multicast tunnel).  Message arrays hold what is in flight, one slot per distinct
message, so delivery order is free (reordering is covered).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pmipmc.engine.schema import BOOL, VALUE, Message, Schema, SchemaError, enum, sort_domain

from .bounds import Bounds
from .variants import AXES, Variant, VariantError

LMA = "LMA"   # the one LMA: a party of the messages, not a sort element (the figures have one)

# a MAG's progress through one query after §4.2 steps 3, 4, 5 and 6, each towards some MAG
QUERY_PHASES = ("acquired", "tunnelled", "routed", "iif_set")


@dataclass
class Ctx:
    """What every rule and property receives: bounds, variant readings, value codes.

    The value codes are read off the schema's domains (never written beside them), so a domain
    that gains a value cannot silently shift what a rule means."""
    bounds: Bounds
    variant: Variant
    schema: Schema
    mags: range
    mns: range
    listeners: tuple[int, ...]
    senders: tuple[int, ...]
    _dom: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        dom = self._dom
        dom.update({a.name: a.domain for a in self.schema.arrays})
        self.DETACHED = dom["att"].code("detached")
        self.NONE = dom["bce"].code("none")
        for name in ("pbu_reg", "pbu_dereg", "mrib", "iif", "pba_q"):   # one NONE for all of them
            if dom[name].code("none") != self.NONE:
                raise SchemaError(f"{name}: 'none' is not code {self.NONE}")
        if dom["att"].element(0) != dom["bce"].element(0) or dom["mrib"].element(0) != dom["bce"].element(0):
            raise SchemaError("att, bce and mrib must name a MAG by the same code")
        self.IIF_LOCAL = dom["iif"].code("local")
        self.PBAQ_FAILURE = dom["pba_q"].code("failure")
        self.Q_IDLE, self.Q_ASKED = dom["q"].code("idle"), dom["q"].code("asked")
        self.BUL_REGISTERED = BOOL.code("1")
        self.MLD_JOIN, self.MLD_LEAVE = dom["mld"].code("join"), dom["mld"].code("leave")
        self.PIM_JOIN, self.PIM_PRUNE = dom["pim"].code("join"), dom["pim"].code("prune")
        # the PBA-Q the LMA sends for a binding to MAG m is the binding's code shifted by this
        self.COA_SHIFT = dom["pba_q"].element(0) - dom["bce"].element(0)
        if "mld_up" in dom and dom["mld_up"].code("join") != self.MLD_JOIN:
            raise SchemaError("mld_up and mld must code join/leave alike")
        if "pkt" in dom:   # data packets in flight: only behind the switch data_packets
            self.PKT_NONE, self.PKT_ACCESS, self.PKT_TUNNEL = (dom["pkt"].code(v) for v in ("none", "access", "tunnel"))
            self.GOT_NONE, self.GOT_ONCE, self.GOT_TWICE = (dom["got"].code(v) for v in ("0", "1", "2"))

    def reads(self, axis: str, reading: str) -> bool:
        """Is the variant's reading of `axis` this one?  A misspelled axis or reading is an error."""
        if axis not in AXES:
            raise VariantError(f"no variant axis {axis!r}")
        if reading not in AXES[axis].readings:
            raise VariantError(f"axis {axis} has no reading {reading!r} ({', '.join(AXES[axis].readings)})")
        return self.variant.reading(axis) == reading

    def is_sender(self, n: int) -> bool:
        return n in self.senders

    def is_listener(self, n: int) -> bool:
        return n in self.listeners

    def at(self, m: int) -> int:       # att / bce / mrib / pbu value naming MAG m
        return self._dom["bce"].element(m)

    def via(self, m: int) -> int:      # iif value: the MAG-MAG tunnel to m
        return self._dom["iif"].element(m)

    def coa(self, m: int) -> int:      # PBA-Q value: success with CoA m
        return self._dom["pba_q"].element(m)

    def coa_of(self, at):      # PBA-Q value: success with the CoA that an `at` value names
        return at + self.COA_SHIFT

    def q(self, phase: str, m: int) -> int:   # query progress after §4.2 step 3/4/5/6 towards m
        return self._dom["q"].element(m, QUERY_PHASES.index(phase))


def build_schema(b: Bounds, v: Variant | None = None) -> tuple[Schema, tuple[int, ...], tuple[int, ...]]:
    sc = Schema()
    mags = sc.sort("MAG", [f"MAG{i + 1}" for i in range(b.mags)])
    # listeners first, so that with one of each the names match the draft (MN1 listener, MN2 sender)
    n = b.listeners + b.senders
    mns = sc.sort("MN", [f"MN{i + 1}" for i in range(n)])
    listeners = tuple(range(b.listeners))
    senders = tuple(range(b.listeners, n))
    sc.subsort("LISTENER", mns, listeners)
    sc.subsort("SENDER", mns, senders)
    sc.symmetric(mags, range(b.mags))
    sc.symmetric(mns, listeners, senders)

    at_mag = sort_domain(mags, "none")
    A = sc.array
    # Arrays whose values name a MAG the same way are declared next to each other: symmetry
    # reduction rewrites each such run of slots with one table lookup (engine/symmetry.py).
    A("att", sort_domain(mags, "detached"), mns, doc="where the MN is attached (link layer)")
    A("bce", at_mag, mns, doc="LMA binding cache: the MN's Proxy-CoA")
    A("pbu_reg", at_mag, mns, doc="newest registration PBU in flight (from that MAG)",
      message=Message("PBU", VALUE, LMA, note="for {0}", source=0))
    A("pbu_dereg", at_mag, mns, doc="newest de-registration PBU in flight (from that MAG)",
      message=Message("PBU lifetime 0", VALUE, LMA, note="for {0}", source=0))
    A("mrib", at_mag, mags, mns, doc="MRIB tunnel route towards S (§4.1): the RPF neighbour")
    A("pba_q", sort_domain(mags, "none", "failure", fmts=("CoA={}",)), mags, mns, doc="PBA-Q in flight to MAG about S",
      message=Message("PBA-Q", LMA, 0, note="{value} for {1}", source=1))
    A("iif", sort_domain(mags, "none", "local", fmts=("tunnel({})",)), mags, mns, doc="iif of the (S,G) entry")
    A("q", sort_domain(mags, "idle", "asked", fmts=tuple(p + "({})" for p in QUERY_PHASES)),
      mags, mns, doc="MAG's progress through §4.2 steps 2-7 for source S")
    A("bul", BOOL, mags, mns, doc="MAG's Binding Update List holds the MN (PBA received)")
    A("sub", BOOL, mns, mns, doc="listener wants channel (S,G), S the sender's HoA")
    A("mld", enum("none", "join", "leave"), mags, mns, mns, doc="newest MLD report in flight (MAG, listener, S)",
      message=Message("MLD Report", 1, 0, note="{sg} {value}", source=2))
    A("pbu_q", BOOL, mags, mns, doc="PBU-Q in flight from MAG about S",
      message=Message("PBU-Q", 0, LMA, note="HoA of {1}", source=1))
    A("oif_local", BOOL, mags, mns, mns, doc="MAG-MN interface in the (S,G) oiflist (MAG, S, listener)")
    A("oif_tunnel", BOOL, mags, mns, mags, doc="MAG-MAG tunnel interface in the (S,G) oiflist (MAG, S, peer)")
    A("pim", enum("none", "join", "prune"), mags, mags, mns,
      doc="newest PIM (S,G) Join/Prune in flight through the tunnel (from, to, S)",
      message=Message("PIM {sg} {value}", 0, 1, tunnel=True, source=2))
    A("tunnel", BOOL, mags, mags, doc="this MAG's end of the MAG-MAG tunnel to the peer")
    A("tunnel_setup", BOOL, mags, mags, doc="tunnel set-up signal in flight (one_way reading)",
      message=Message("Tunnel set-up", 0, 1))
    A("teardown_due", BOOL, mags, mags, doc="§4.3 step 6 is due at this MAG for the tunnel to the peer")
    A("asked", BOOL, mns, mags, doc="LMA remembers that the MAG queried S (lma_notifies repair)")
    A("moves_left", enum(*(str(i) for i in range(b.sender_moves + 1))),
      doc="sender moves the environment may still make (bounds.sender_moves; 0 when unlimited)")
    if b.data_packets:   # only behind the switch, so presets without it keep their state layout and counts
        A("pkt", enum("none", "access", "tunnel"), mags, mns,
          doc="a copy of S's current data packet waits at the MAG, received on the access link or a tunnel")
        A("expect", BOOL, mns, mns, doc="the listener received S's data when the packet was sent (listener, S)")
        A("got", enum("0", "1", "2"), mns, mns, doc="copies of S's current packet the listener received (2: twice)")
    if v is not None and v.reading("route") == "base_rfc6224":   # RFC 6224 base path only: other layouts unchanged
        A("lma_sub", BOOL, mns, mags, doc="LMA's (S,G) downstream membership: the LMA-MAG tunnel to the MAG "
                                          "(RFC 6224 §3, the LMA as multicast router)")
        A("mld_up", enum("none", "join", "leave"), mags, mns,
          doc="newest aggregated MLD report in flight from the MAG's proxy upstream to the LMA (MAG, S)",
          message=Message("MLD Report", 0, LMA, note="{sg} {value}", tunnel=True, source=1))
        if b.data_packets:
            A("pkt_lma", at_mag, mns, doc="a copy of S's packet at the LMA, tunnelled up from that MAG")
    return sc, listeners, senders


def make_ctx(b: Bounds, v: Variant) -> Ctx:
    sc, listeners, senders = build_schema(b, v)
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
