"""Classic libpcap writer turning counterexample-trace events into real IPv6 packets.

Link type: LINKTYPE_RAW (101), i.e. each record is a bare IPv6 packet; no Ethernet header is
invented because the model has no link layer.  Timestamps are the event index in seconds
(0, 1, 2, ...), never the wall clock, so the file is byte-for-byte deterministic.

Addressing (all documentation space, RFC 3849; <n> is the node number's decimal digits):
  MAG<n>  2001:db8:0:ff::<n>      link-local fe80::ff:<n>
  LMA     2001:db8:0:fe::1        link-local fe80::fe:1   (LMA<n>: ...::<n>)
  MN<n>   HoA 2001:db8:<n>::1 from HNP 2001:db8:<n>::/64, link-local fe80::<n>
  group   G = ff3e::8000:1 (SSM range, RFC 4607)

Packets:
  PBU/PBA/PBU-Q/PBA-Q   Mobility Header from codec.py with the RFC 5213 mandatory options
  MLD-REPORT-JOIN/LEAVE MLDv2 report (RFC 3810 §5.2): type 143, hop-by-hop Router Alert,
                        hop limit 1, link-local source, to ff02::16, one ALLOW_NEW_SOURCES or
                        BLOCK_OLD_SOURCES record for (S,G) (the SSM-host records, RFC 4604 §2.2)
  PIM-JOIN/PRUNE        PIMv2 Join/Prune (RFC 7761 §4.9.5) for (S,G) to ALL-PIM-ROUTERS ff02::d,
                        hop limit 1, from the sender's link-local, upstream neighbour = the
                        receiver's link-local; checksum over the pseudo-header with NH 103
  DATA                  UDP from S to G
Event fields beyond the common ones: `lifetime` is in seconds (None or 0 = de-registration,
rounded up to 4-s units); a failed PBA/PBA-Q gets Status 128 unless the event carries an integer
`status_code`; a PBA-Q reports as CoA the MAG that last registered the MN in the trace unless
the event names one in `coa`.
`tunnel: True` wraps the packet in IPv6-in-IPv6 (RFC 2473) between the global addresses of the
event's src and dst, which is how both the MAG-LMA tunnel (RFC 5213) and the draft's MAG-MAG
tunnel carry it.
"""
from __future__ import annotations

import ipaddress
import re
import struct
from pathlib import Path

from . import codec as wire
from .options import (ATT_IEEE_802_11, HI_BETWEEN_MAGS, HI_NEW_INTERFACE, HI_NOT_CHANGED,
                           HI_UNKNOWN)

LINKTYPE_RAW = 101
GROUP = ipaddress.IPv6Address("ff3e::8000:1")
ALL_MLDV2_ROUTERS = ipaddress.IPv6Address("ff02::16")
ALL_PIM_ROUTERS = ipaddress.IPv6Address("ff02::d")
NH_HOPOPT, NH_UDP, NH_IPV6, NH_ICMPV6, NH_PIM = 0, 17, 41, 58, 103
MLDV2_REPORT = 143
MLD_ALLOW_NEW_SOURCES, MLD_BLOCK_OLD_SOURCES = 5, 6     # RFC 3810 §5.2.12
PIM_JOIN_PRUNE = 3
PIM_HOLDTIME = 210                                      # 3.5 x t_periodic, RFC 7761 §4.11
TIMESTAMP_EPOCH = 1341792000          # 2012-07-09, the draft's date: a fixed, not a live, clock
DATA_PORTS = (5000, 5001)
KINDS = ("PBU", "PBA", "PBU-Q", "PBA-Q", "MLD-REPORT-JOIN", "MLD-REPORT-LEAVE", "PIM-JOIN",
         "PIM-PRUNE", "DATA")

_NAME = re.compile(r"^(MAG|LMA|MN)(\d*)$")


def _parse(name: str) -> tuple[str, int]:
    m = _NAME.match(name or "")
    if not m or (m.group(1) != "LMA" and not m.group(2)):
        raise ValueError(f"node name {name!r} is not MAG<n>, LMA[<n>] or MN<n>")
    n = int(m.group(2) or 1)
    # The number is written with its decimal digits into one 16-bit group (MN10 -> 2001:db8:10::1)
    # so addresses read like the names; four digits keep that injective.
    if not 1 <= n <= 9999:
        raise ValueError(f"node number in {name!r} must be 1..9999")
    return m.group(1), n


def address(name: str) -> ipaddress.IPv6Address:
    """Global address: a MAG's Proxy-CoA, the LMA's LMAA, an MN's HoA."""
    role, n = _parse(name)
    if role == "MAG":
        return ipaddress.IPv6Address(f"2001:db8:0:ff::{n}")
    if role == "LMA":
        return ipaddress.IPv6Address(f"2001:db8:0:fe::{n}")
    return ipaddress.IPv6Address(f"2001:db8:{n}::1")


def home_network_prefix(mn: str) -> ipaddress.IPv6Network:
    role, n = _parse(mn)
    if role != "MN":
        raise ValueError(f"{mn!r} is not a mobile node")
    return ipaddress.IPv6Network(f"2001:db8:{n}::/64")


def link_local(name: str) -> ipaddress.IPv6Address:
    role, n = _parse(name)
    prefix = {"MAG": "fe80::ff:", "LMA": "fe80::fe:", "MN": "fe80::"}[role]
    return ipaddress.IPv6Address(f"{prefix}{n}")


def mn_identifier(mn: str) -> bytes:
    """An NAI (RFC 4283 subtype 1) for the MN; a fixed format, since the model has no AAA."""
    _parse(mn)
    return f"{mn.lower()}@pmip.example".encode()


def ipv6(src, dst, next_header: int, payload: bytes, hop_limit: int = 64) -> bytes:
    return (struct.pack("!IHBB", 6 << 28, len(payload), next_header, hop_limit)
            + ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed + payload)


def _with_checksum(src, dst, next_header: int, body: bytes, offset: int) -> bytes:
    csum = wire.internet_checksum(wire.pseudo_header(src, dst, len(body), next_header) + body)
    return body[:offset] + struct.pack("!H", csum) + body[offset + 2:]


def mldv2_report(listener: str, source, join: bool) -> bytes:
    src = link_local(listener)
    record = (struct.pack("!BBH", MLD_ALLOW_NEW_SOURCES if join else MLD_BLOCK_OLD_SOURCES, 0, 1)
              + GROUP.packed + ipaddress.IPv6Address(source).packed)
    icmp = struct.pack("!BBHHH", MLDV2_REPORT, 0, 0, 0, 1) + record
    icmp = _with_checksum(src, ALL_MLDV2_ROUTERS, NH_ICMPV6, icmp, 2)
    # Router Alert, value 0 = MLD (RFC 2711), then PadN(0) to fill the 8-octet header.
    hbh = bytes([NH_ICMPV6, 0, 5, 2, 0, 0, 1, 0])
    return ipv6(src, ALL_MLDV2_ROUTERS, NH_HOPOPT, hbh + icmp, hop_limit=1)


def pim_join_prune(sender: str, upstream: str, source, join: bool) -> bytes:
    src = link_local(sender)
    enc_source = struct.pack("!BBBB", 2, 0, 0x04, 128) + ipaddress.IPv6Address(source).packed
    body = (struct.pack("!BBHBB", 0x20 | PIM_JOIN_PRUNE, 0, 0, 2, 0) + link_local(upstream).packed
            + struct.pack("!BBH", 0, 1, PIM_HOLDTIME)
            + struct.pack("!BBBB", 2, 0, 0, 128) + GROUP.packed
            + struct.pack("!HH", 1 if join else 0, 0 if join else 1) + enc_source)
    body = _with_checksum(src, ALL_PIM_ROUTERS, NH_PIM, body, 2)
    return ipv6(src, ALL_PIM_ROUTERS, NH_PIM, body, hop_limit=1)


def udp_data(source, index: int) -> bytes:
    payload = f"pmipmc multicast data #{index}".encode()
    udp = struct.pack("!HHHH", DATA_PORTS[0], DATA_PORTS[1], 8 + len(payload), 0) + payload
    udp = _with_checksum(source, GROUP, NH_UDP, udp, 6)
    return ipv6(source, GROUP, NH_UDP, udp)


class _Signalling:
    """Per-trace PMIPv6 state needed to make the messages consistent with each other: sequence
    numbers per MAG, the last PBU/PBU-Q each MAG sent about each MN (a PBA echoes it), and the
    MAG each MN is bound to (the CoA a PBA-Q reports)."""

    def __init__(self):
        self.seq: dict[str, int] = {}
        self.sent: dict[tuple[str, str, bool], wire.BindingUpdate] = {}
        self.binding: dict[str, str] = {}
        self.registered: set[str] = set()

    def pbu(self, ev: dict, index: int, query: bool) -> wire.BindingUpdate:
        mag, mn = ev["src"], ev["mn"]
        self.seq[mag] = (self.seq.get(mag, 0) + 1) & 0xFFFF
        ts = (TIMESTAMP_EPOCH + index) << 16
        lifetime = ev.get("lifetime") or 0
        if query:
            msg = wire.make_pbu_q(self.seq[mag], address(mn), mn_identifier(mn), lifetime,
                                  timestamp=ts)
        else:
            if lifetime == 0:
                hi = HI_UNKNOWN
            elif mn not in self.registered:
                hi = HI_NEW_INTERFACE
            else:
                hi = HI_NOT_CHANGED if self.binding.get(mn) == mag else HI_BETWEEN_MAGS
            net = home_network_prefix(mn)
            msg = wire.make_pbu(self.seq[mag], lifetime, mn_identifier(mn), net.network_address,
                                net.prefixlen, hi=hi, att=ATT_IEEE_802_11, timestamp=ts)
            if lifetime:
                self.registered.add(mn)
                self.binding[mn] = mag
            elif self.binding.get(mn) == mag:
                del self.binding[mn]
        self.sent[(mag, mn, query)] = msg
        return msg

    def pba(self, ev: dict, index: int, query: bool) -> wire.BindingAck:
        mag, mn = ev["dst"], ev["mn"]
        request = self.sent.get((mag, mn, query))
        if request is None:
            # An answer with no request in the trace: synthesise the request it echoes.
            saved = dict(self.seq), dict(self.binding), set(self.registered)
            request = self.pbu({"src": mag, "mn": mn, "lifetime": 0}, index, query)
            self.seq, self.binding, self.registered = saved
        ok = ev.get("status", "success") != "failure"
        code = ev.get("status_code")
        if query:
            coa = ev.get("coa") or self.binding.get(mn)
            status = code if code is not None else (
                wire.STATUS_ACCEPTED if ok else wire.STATUS_QUERY_FAILED_PLACEHOLDER)
            return wire.make_pba_q(request, coa=address(coa) if ok and coa else None,
                                   status=status)
        status = code if code is not None else (
            wire.STATUS_ACCEPTED if ok else wire.STATUS_REASON_UNSPECIFIED)
        return wire.make_pba(request, status=status)


def build_packets(events: list[dict]) -> list[bytes]:
    """One IPv6 packet per event, in order."""
    sig = _Signalling()
    packets = []
    for i, ev in enumerate(events):
        kind = ev.get("kind")
        if kind not in KINDS:
            raise ValueError(f"event {i}: unknown kind {kind!r}")
        src, dst = ev["src"], ev["dst"]
        address(src), address(dst)          # reject unknown node names whatever the kind
        if kind in ("PBU", "PBU-Q", "PBA", "PBA-Q"):
            query = kind.endswith("-Q")
            msg = sig.pbu(ev, i, query) if kind.startswith("PBU") else sig.pba(ev, i, query)
            mh = wire.encode(msg, address(src), address(dst))
            pkt = ipv6(address(src), address(dst), wire.IPPROTO_MH, mh)
        elif kind.startswith("MLD"):
            pkt = mldv2_report(src, address(_need(ev, "source", i)), kind.endswith("JOIN"))
        elif kind.startswith("PIM"):
            pkt = pim_join_prune(src, dst, address(_need(ev, "source", i)), kind == "PIM-JOIN")
        else:
            pkt = udp_data(address(ev.get("source") or src), i)
        if ev.get("tunnel"):
            pkt = ipv6(address(src), address(dst), NH_IPV6, pkt)
        packets.append(pkt)
    return packets


def _need(ev: dict, key: str, i: int):
    if not ev.get(key):
        raise ValueError(f"event {i} ({ev.get('kind')}) needs {key!r}")
    return ev[key]


def write_pcap(events: list[dict], path) -> int:
    """Write `events` as a LINKTYPE_RAW pcap at `path`; return the number of packets written."""
    packets = build_packets(events)
    out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LINKTYPE_RAW))
    for i, pkt in enumerate(packets):
        out += struct.pack("<IIII", i, 0, len(pkt), len(pkt)) + pkt
    Path(path).write_bytes(bytes(out))
    return len(packets)
