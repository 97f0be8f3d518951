"""Codec tests: round trips, the draft's Q positions, Header Len, alignment, checksum, and that
malformed input raises WireError and nothing else."""
import ipaddress
import os
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pmipmc.model.wire import codec as wire
from pmipmc.model.wire.options import (COA_OPTION_TYPE_PLACEHOLDER, KNOWN_OPTIONS,
                                       AccessTechnologyType, CareOfAddress, HandoffIndicator,
                                       HomeNetworkPrefix, MobileNodeIdentifier, Timestamp,
                                       UnknownOption, WireError)

from .tiers import examples

DRAFT = Path(os.environ.get("PMIPMC_DRAFT",
                            "/work/shared/spec/draft-liu-multimob-pmipv6-multicast-ro-01.txt"))
FAST = settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
SRC, DST = "2001:db8:0:ff::1", "2001:db8:0:fe::1"

addrs = st.integers(0, (1 << 128) - 1).map(ipaddress.IPv6Address)
u8, u16 = st.integers(0, 255), st.integers(0, 0xFFFF)
unknown_types = st.integers(2, 255).filter(
    lambda t: t not in KNOWN_OPTIONS and t != COA_OPTION_TYPE_PLACEHOLDER)
options = st.one_of(
    st.builds(MobileNodeIdentifier, identifier=st.binary(max_size=40), subtype=u8),
    st.builds(HomeNetworkPrefix, prefix=addrs, prefix_length=u8, reserved=u8),
    st.builds(HandoffIndicator, hi=u8, reserved=u8),
    st.builds(AccessTechnologyType, att=u8, reserved=u8),
    st.builds(Timestamp, value=st.integers(0, (1 << 64) - 1)),
    st.builds(CareOfAddress, address=addrs),
    st.builds(UnknownOption, option_type=unknown_types, data=st.binary(max_size=30),
              alignment=st.sampled_from([(1, 0), (2, 0), (4, 2), (8, 4), (8, 6)])),
)
option_lists = st.lists(options, max_size=7).map(tuple)
bus = st.builds(wire.BindingUpdate, sequence=u16, flags=u16, lifetime=u16, options=option_lists)
bas = st.builds(wire.BindingAck, status=u8, flags=u8, sequence=u16, lifetime=u16,
                options=option_lists)
messages = st.one_of(bus, bas)


def walk(mh: bytes):
    """Independent TLV walk: (offset, type, length) of every non-Pad1 option."""
    i, out = wire.MH_FIXED_LEN, []
    while i < len(mh):
        if mh[i] == 0:
            i += 1
            continue
        out.append((i, mh[i], mh[i + 1]))
        i += 2 + mh[i + 1]
    return out


@FAST
@given(messages, addrs, addrs)
def test_round_trip_is_byte_exact(msg, src, dst):
    data = wire.encode(msg, src, dst)
    back = wire.decode(data, src, dst)
    assert back == msg
    assert wire.encode(back, src, dst) == data


@FAST
@given(messages)
def test_header_len_and_padding(msg):
    data = wire.encode(msg)
    assert len(data) % 8 == 0
    assert data[0] == wire.IPPROTO_NONE
    assert data[1] == len(data) // 8 - 1           # 8-octet units excluding the first 8
    assert data[2] == msg.mh_type and data[3] == 0
    found = []
    for off, t, n in walk(data):
        if t == 1:
            assert not any(data[off + 2:off + 2 + n]), "PadN must be zero-filled"
        else:
            found.append((off, t, n))
    assert [(t, n) for _, t, n in found] == [
        (o.option_type, len(o.encode_body())) for o in msg.options]
    for (off, t, _), opt in zip(found, msg.options):
        x, y = opt.alignment
        assert off % x == y, f"option {t} at offset {off} breaks {x}n+{y}"


def test_empty_bu_has_four_octets_of_padding():
    # RFC 6275 §6.1.7: no options -> 4 octets of padding and Header Len 1.
    data = wire.encode(wire.BindingUpdate(sequence=1, flags=0, lifetime=0))
    assert len(data) == 16 and data[1] == 1 and data[12:] == b"\x01\x02\x00\x00"


def test_option_alignments_match_rfcs():
    assert HomeNetworkPrefix.alignment == (8, 4)          # RFC 5213 §8.3
    assert Timestamp.alignment == (8, 2)                  # RFC 5213 §8.8
    assert MobileNodeIdentifier.alignment == (1, 0)       # RFC 4283 §3
    assert HandoffIndicator.alignment == (1, 0) == AccessTechnologyType.alignment
    assert CareOfAddress.alignment == (8, 6)              # borrowed from RFC 6275 §6.2.5


def _figure_bit(fig_line: str, letter: str, ruler: str) -> int:
    col0 = ruler.index("0 1 2 3")
    return (fig_line.index(f"|{letter}|") + 1 - col0) // 2


@pytest.mark.skipif(not DRAFT.exists(), reason=f"draft text not found at {DRAFT}")
def test_q_positions_follow_figures_5_and_6():
    lines = DRAFT.read_text().splitlines()
    ruler = next(line for line in lines if line.strip().startswith("0 1 2 3 4 5 6 7 8 9 0 1"))
    f5 = next(line for line in lines if "|A|H|L|K|M|R|P|Q|" in line)
    f6 = next(line for line in lines if "|K|R|P|Q|Reserve|" in line)
    q5 = _figure_bit(f5, "Q", ruler)                     # flags start at bit 0 of the word
    q6 = _figure_bit(f6, "Q", ruler) - _figure_bit(f6, "K", ruler)  # flags start at K
    assert (q5, q6) == (7, 3)
    assert wire.BU_FLAG_Q == 0x8000 >> q5 == 0x0100
    assert wire.BA_FLAG_Q == 0x80 >> q6 == 0x10
    for name in "AHLKMRP":
        assert wire.BU_FLAG_BITS[name] == _figure_bit(f5, name, ruler)


def test_pbu_q_and_pba_q_wire_bits():
    q = wire.make_pbu_q(9, "2001:db8:2::1", b"mn2@pmip.example", timestamp=5)
    data = wire.encode(q, SRC, DST)
    assert struct.unpack_from("!H", data, 8)[0] == wire.BU_FLAG_A | wire.BU_FLAG_P | 0x0100
    assert data[8] & 0x01 and data[9] == 0               # Q is the last bit of the first octet
    assert q.kind == "PBU-Q" and q.q and q.p and q.a and not q.m
    hnp = next(o for o in q.options if isinstance(o, HomeNetworkPrefix))
    assert hnp.prefix_length == 128 and str(hnp.prefix) == "2001:db8:2::1"
    a = wire.make_pba_q(q, coa="2001:db8:0:ff::2")
    ad = wire.encode(a, DST, SRC)
    assert ad[7] == wire.BA_FLAG_P | 0x10 and a.kind == "PBA-Q"
    assert a.sequence == 9 and a.status == 0 and str(a.care_of_address) == "2001:db8:0:ff::2"
    failed = wire.make_pba_q(q)
    assert failed.status >= 128 and failed.care_of_address is None and not failed.accepted
    plain = wire.make_pbu(3, 3600, b"mn1@pmip.example", "2001:db8:1::")
    assert plain.kind == "PBU" and not plain.q and plain.lifetime == 900
    assert wire.make_pba(plain).kind == "PBA"


def test_checksum_matches_scapy_and_is_verified():
    from scapy.layers.inet6 import IPv6, in6_chksum
    data = wire.encode(wire.make_pbu(1, 40, b"x", "2001:db8:1::"), SRC, DST)
    zeroed = data[:4] + b"\x00\x00" + data[6:]
    assert in6_chksum(wire.IPPROTO_MH, IPv6(src=SRC, dst=DST), zeroed) == \
        struct.unpack_from("!H", data, 4)[0]
    with pytest.raises(WireError, match="checksum"):
        wire.decode(data, SRC, "2001:db8::99")
    assert wire.decode(data, SRC, "2001:db8::99", verify_checksum=False).sequence == 1


@FAST
@given(messages, st.data())
def test_any_single_byte_change_is_rejected(msg, data):
    good = wire.encode(msg, SRC, DST)
    i = data.draw(st.integers(0, len(good) - 1))
    new = data.draw(u8.filter(lambda b: b != good[i]))
    with pytest.raises(WireError):
        wire.decode(good[:i] + bytes([new]) + good[i + 1:], SRC, DST)


@FAST
@given(messages, st.data())
def test_truncation_is_rejected(msg, data):
    good = wire.encode(msg)
    cut = data.draw(st.integers(0, len(good) - 1))
    with pytest.raises(WireError):
        wire.decode(good[:cut])


def _bu_with_options(raw_opts: bytes) -> bytes:
    body = struct.pack("!HHH", 1, wire.BU_FLAG_P, 0) + raw_opts
    return struct.pack("!BBBBH", 59, (6 + len(body)) // 8 - 1, 5, 0, 0) + body


@pytest.mark.parametrize("raw, match", [
    (b"\x16\x11" + bytes(17) + bytes(1), "Length must be 18"),        # HNP with Length 17
    (b"\x17\x03" + bytes(3) + bytes(5), "Length must be 2"),          # HI with Length 3
    (b"\x08\x20" + bytes(2), "overruns"),                             # option longer than MH
    (b"\x01\x02\x00\x07", "non-zero"),                                # PadN with content
    (bytes(4 + 8), "padding"),                                        # gratuitous Pad1s
    (b"\x17\x02\x00\x01" + bytes(7) + b"\x01", "truncated"),        # PadN type, no Length
])
def test_malformed_options(raw, match):
    data = _bu_with_options(raw + bytes((-(12 + len(raw))) % 8))
    with pytest.raises(WireError, match=match):
        wire.decode(data)


def test_bad_header_len_and_type():
    good = wire.encode(wire.make_pbu(1, 4, b"a", "2001:db8:1::"))
    for hlen in (0, good[1] - 1, good[1] + 1, 255):
        with pytest.raises(WireError, match="Header Len"):
            wire.decode(good[:1] + bytes([hlen]) + good[2:])
    with pytest.raises(WireError, match="MH Type"):
        wire.decode(good[:2] + b"\x07" + good[3:])
    with pytest.raises(WireError, match="shorter"):
        wire.decode(bytes([59, 0, 5, 0, 0, 0, 0, 0]))


def test_unknown_options_are_skipped_and_reported():
    coa = CareOfAddress(address="2001:db8:0:ff::2", type_code=200)
    msg = wire.make_pba_q(wire.make_pbu_q(1, "2001:db8:2::1", b"m"))
    msg = wire.BindingAck(msg.status, msg.flags, msg.sequence, msg.lifetime, msg.options + (coa,))
    data = wire.encode(msg)
    legacy = wire.decode(data)            # a receiver that does not know type 200
    assert legacy.care_of_address is None
    assert legacy.unknown_options == (UnknownOption(200, coa.address.packed),)
    assert wire.encode(legacy) == data
    aware = wire.decode(data, coa_option_type=200)
    assert aware.care_of_address == coa.address and aware.unknown_options == ()


def test_lenient_mode_accepts_what_receivers_must_ignore():
    data = bytearray(_bu_with_options(b"\x01\x02\x00\x07"))
    data[0], data[3] = 6, 9                 # Payload Proto and MH Reserved are ignored too
    with pytest.raises(WireError):
        wire.decode(bytes(data))
    assert wire.decode(bytes(data), strict=False).options == ()


def test_encode_rejects_out_of_range_fields():
    for bad in (wire.BindingUpdate(sequence=1 << 16, flags=0, lifetime=0),
                wire.BindingAck(status=256, flags=0, sequence=0, lifetime=0),
                wire.BindingUpdate(0, 0, 0, (MobileNodeIdentifier(bytes(255)),))):
        with pytest.raises(WireError):
            wire.encode(bad)


@settings(max_examples=examples(400), deadline=None)
@given(st.binary(max_size=64))
def test_fuzz_binary_raises_only_wire_error(blob):
    try:
        msg = wire.decode(blob)
    except WireError:
        return
    assert wire.encode(msg)[:4] + wire.encode(msg)[6:] == blob[:4] + blob[6:]


@FAST
@given(messages, st.lists(st.tuples(st.integers(0, 200), u8), min_size=1, max_size=4),
       st.booleans())
def test_fuzz_mutated_messages(msg, edits, strict):
    blob = bytearray(wire.encode(msg))
    for pos, val in edits:
        blob[pos % len(blob)] = val
    assume(bytes(blob) != wire.encode(msg))
    try:
        back = wire.decode(bytes(blob), strict=strict)
    except WireError:
        return
    if strict:   # strict decoding accepts canonical encodings only, so they re-encode exactly
        again = wire.encode(back)
        assert again[:4] + again[6:] == bytes(blob[:4] + blob[6:])
