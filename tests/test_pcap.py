"""pcap writer tests: file structure and checksums here, then Wireshark's own verdict."""
import os
import shutil
import struct
import subprocess

import pytest

from pmipmc.model.wire import codec as wire
from pmipmc.model.wire import pcap

NO_TSHARK = shutil.which("tshark") is None


def ev(kind, src, dst, mn=None, source=None, status=None, lifetime=None, tunnel=False):
    return dict(kind=kind, src=src, dst=dst, mn=mn, source=source, status=status,
                lifetime=lifetime, tunnel=tunnel)


EVENTS = [
    ev("PBU", "MAG1", "LMA", mn="MN1", lifetime=3600),
    ev("PBA", "LMA", "MAG1", mn="MN1", status="success"),
    ev("PBU", "MAG2", "LMA", mn="MN2", lifetime=3600),
    ev("PBA", "LMA", "MAG2", mn="MN2", status="success"),
    ev("MLD-REPORT-JOIN", "MN1", "MAG1", mn="MN1", source="MN2"),
    ev("PBU-Q", "MAG1", "LMA", mn="MN2", lifetime=0),
    ev("PBA-Q", "LMA", "MAG1", mn="MN2", status="success"),
    ev("PIM-JOIN", "MAG1", "MAG2", source="MN2", tunnel=True),
    ev("DATA", "MN2", "MAG2", source="MN2"),
    ev("DATA", "MAG2", "MAG1", source="MN2", tunnel=True),
    ev("MLD-REPORT-LEAVE", "MN1", "MAG1", mn="MN1", source="MN2"),
    ev("PIM-PRUNE", "MAG1", "MAG2", source="MN2", tunnel=True),
    ev("PBU-Q", "MAG1", "LMA", mn="MN3", lifetime=0),
    ev("PBA-Q", "LMA", "MAG1", mn="MN3", status="failure"),
    ev("PIM-JOIN", "MAG1", "LMA", source="MN2", tunnel=True),
    ev("PBU", "MAG1", "LMA", mn="MN1", lifetime=0),
    ev("PBA", "LMA", "MAG1", mn="MN1", status="failure"),
]
# Expected protocol chain (Wireshark's frame.protocols) for each event, in order.
CHAINS = ["raw:ipv6:mipv6"] * 4 + [
    "raw:ipv6:ipv6.hopopts:icmpv6", "raw:ipv6:mipv6", "raw:ipv6:mipv6", "raw:ipv6:ipv6:pim",
    "raw:ipv6:udp:data", "raw:ipv6:ipv6:udp:data", "raw:ipv6:ipv6.hopopts:icmpv6",
    "raw:ipv6:ipv6:pim", "raw:ipv6:mipv6", "raw:ipv6:mipv6", "raw:ipv6:ipv6:pim",
    "raw:ipv6:mipv6", "raw:ipv6:mipv6"]


def records(path):
    data = path.read_bytes()
    magic, vmaj, vmin, _, _, snap, link = struct.unpack_from("<IHHiIII", data, 0)
    assert (magic, vmaj, vmin, link) == (0xA1B2C3D4, 2, 4, pcap.LINKTYPE_RAW)
    out, i = [], 24
    while i < len(data):
        sec, usec, incl, orig = struct.unpack_from("<IIII", data, i)
        assert incl == orig <= snap
        out.append((sec, usec, data[i + 16:i + 16 + incl]))
        i += 16 + incl
    return out


@pytest.fixture()
def written(tmp_path):
    path = tmp_path / "trace.pcap"
    assert pcap.write_pcap(EVENTS, path) == len(EVENTS)
    return path


def test_structure_timestamps_and_determinism(written, tmp_path):
    recs = records(written)
    assert [(s, u) for s, u, _ in recs] == [(i, 0) for i in range(len(EVENTS))]
    again = tmp_path / "again.pcap"
    pcap.write_pcap(EVENTS, again)
    assert again.read_bytes() == written.read_bytes()


def test_mobility_messages_decode_with_checksums(written):
    recs = records(written)
    for (_, _, pkt), e in zip(recs, EVENTS):
        if e["kind"] not in ("PBU", "PBA", "PBU-Q", "PBA-Q"):
            continue
        assert pkt[6] == wire.IPPROTO_MH
        src, dst = pkt[8:24], pkt[24:40]
        assert src == pcap.address(e["src"]).packed and dst == pcap.address(e["dst"]).packed
        msg = wire.decode(pkt[40:], src, dst)            # verifies the MH checksum
        assert msg.kind == e["kind"]
        types = {type(o).__name__ for o in msg.options}
        assert {"MobileNodeIdentifier", "HomeNetworkPrefix", "HandoffIndicator",
                "AccessTechnologyType"} <= types         # RFC 5213 mandatory options
    pbu_q, pba_q, bad_q = (wire.decode(recs[i][2][40:]) for i in (5, 6, 13))
    assert pba_q.sequence == pbu_q.sequence and pba_q.care_of_address == pcap.address("MAG2")
    assert bad_q.status >= 128 and bad_q.care_of_address is None
    assert wire.decode(recs[15][2][40:]).lifetime == 0


def test_other_checksums_match_scapy(written):
    from scapy.layers.inet6 import IPv6, in6_chksum
    recs = records(written)
    cases = {4: (58, 48, 2), 7: (103, 80, 2), 8: (17, 40, 6), 9: (17, 80, 6)}
    for idx, (nh, start, off) in cases.items():
        pkt = recs[idx][2]
        inner = pkt[40:] if pkt[6] == 41 else pkt
        hdr = IPv6(inner[:40])
        body = inner[start - (40 if inner is not pkt else 0):]
        zeroed = body[:off] + b"\x00\x00" + body[off + 2:]
        assert in6_chksum(nh, hdr, zeroed) == struct.unpack_from("!H", body, off)[0], idx


def test_mld_and_pim_fields(written):
    recs = records(written)
    mld = recs[4][2]
    assert mld[7] == 1 and mld[24:40] == pcap.ALL_MLDV2_ROUTERS.packed   # hop limit 1
    assert mld[6] == 0 and mld[42:46] == bytes([5, 2, 0, 0])               # Router Alert (MLD)
    assert mld[48] == 143 and mld[56] == pcap.MLD_ALLOW_NEW_SOURCES
    assert recs[10][2][56] == pcap.MLD_BLOCK_OLD_SOURCES
    assert mld[60:76] == pcap.GROUP.packed and mld[76:92] == pcap.address("MN2").packed
    outer, inner = recs[7][2][:40], recs[7][2][40:]
    assert outer[6] == 41 and outer[8:24] == pcap.address("MAG1").packed
    assert outer[24:40] == pcap.address("MAG2").packed
    assert inner[7] == 1 and inner[24:40] == pcap.ALL_PIM_ROUTERS.packed and inner[40] == 0x23


def test_bad_events_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        pcap.write_pcap([ev("HELLO", "MAG1", "LMA")], tmp_path / "x.pcap")
    with pytest.raises(ValueError, match="node name"):
        pcap.write_pcap([ev("DATA", "ROUTER", "MAG1", source="MN2")], tmp_path / "x.pcap")
    with pytest.raises(ValueError, match="source"):
        pcap.write_pcap([ev("PIM-JOIN", "MAG1", "MAG2")], tmp_path / "x.pcap")


PI_WARN = 0x00600000   # Wireshark expert severities: comment < chat < note < warn < error


def test_wireshark_recognises_every_packet(written):
    if NO_TSHARK:
        # In CI the Wireshark verdict is part of the contract, so a missing binary fails.
        if os.environ.get("CI") == "true":
            pytest.fail("tshark is not on PATH but CI=true requires the Wireshark check")
        pytest.skip("tshark is not on PATH; install Wireshark's tshark to run this check")
    fields = ["frame.protocols", "_ws.expert.severity", "_ws.expert.message", "mip6.mhtype",
              "icmpv6.type", "pim.type", "udp.checksum.status", "icmpv6.checksum.status",
              "pim.cksum.status", "mip6.bu.f_flag", "mip6.ba.t_flag"]
    cmd = ["tshark", "-n", "-r", str(written), "-o", "udp.check_checksum:TRUE", "-T", "fields",
           "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in fields:
        cmd += ["-e", f]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)
    rows = [dict(zip(fields, line.split("\t"))) for line in res.stdout.splitlines()]
    assert len(rows) == len(EVENTS)
    for i, (row, e, chain) in enumerate(zip(rows, EVENTS, CHAINS)):
        assert row["frame.protocols"] == chain, (i, row)
        assert "_ws.malformed" not in row["frame.protocols"]
        sev = [int(s) for s in row["_ws.expert.severity"].split(",") if s]
        assert all(s < PI_WARN for s in sev), (i, row)
        if sev:   # only the draft's Care-of Address option, whose type is TBD, is undissected
            assert e["kind"] == "PBA-Q" and e["status"] == "success", (i, row)
        kind = e["kind"]
        if kind in ("PBU", "PBU-Q"):
            assert row["mip6.mhtype"] == "5"                       # a PBU-Q is a Binding Update
            assert row["mip6.bu.f_flag"] == ("1" if kind == "PBU-Q" else "0")  # Q reads as F
        elif kind in ("PBA", "PBA-Q"):
            assert row["mip6.mhtype"] == "6"
            assert row["mip6.ba.t_flag"] == ("1" if kind == "PBA-Q" else "0")  # Q reads as T
        elif kind.startswith("MLD"):
            assert row["icmpv6.type"] == "143" and row["icmpv6.checksum.status"] == "1"
        elif kind.startswith("PIM"):
            assert row["pim.type"] == "3" and row["pim.cksum.status"] == "1"
        else:
            assert row["udp.checksum.status"] == "1"
