"""Byte-exact codec for the draft's §8 messages: PBU, PBU-Q, PBA, PBA-Q in a Mobility Header.

Mobility Header (RFC 6275 §6.1.1): Payload Proto (59), Header Len (8-octet units excluding the
first 8), MH Type, Reserved, Checksum over the IPv6 pseudo-header with next header 135.
Binding Update body (RFC 6275 §6.1.7, RFC 5213 §8.1, draft Figure 5):
    Sequence # (16) | A H L K M R P Q  Reserved (16 bits of flags) | Lifetime (16, 4-s units)
Binding Acknowledgement body (RFC 6275 §6.1.8, RFC 5213 §8.2, draft Figure 6):
    Status (8) | K R P Q Reserve (8 bits of flags) | Sequence # (16) | Lifetime (16)

The draft's Q sits where Figures 5 and 6 draw it: bit 7 of the BU flags (mask 0x0100) and bit 3
of the BA flags (mask 0x10).  Those positions belong to IANA-registered flags (F of RFC 5555 and
T of RFC 5845); lint.py reports the collision, the codec simply follows the figures.

Flags are kept as the raw 16-/8-bit field so decode→encode is exact even with reserved bits set;
the named properties are views.  The encoder is canonical (minimal Pad1/PadN before each option to
meet its alignment, then to a multiple of 8), and strict decoding accepts exactly the canonical
encodings, so for every input `decode` accepts, `encode(decode(b)) == b`.
"""
from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass, replace

from .options import (ATT_IEEE_802_11, COA_OPTION_TYPE_PLACEHOLDER, HI_NEW_INTERFACE,
                           HI_UNKNOWN, KNOWN_OPTIONS, OPT_PAD1, OPT_PADN, AccessTechnologyType,
                           CareOfAddress, HandoffIndicator, HomeNetworkPrefix,
                           MobileNodeIdentifier, Option, Timestamp, UnknownOption, WireError,
                           decode_option, pad_needed, padding)

__all__ = [
    "WireError", "BindingUpdate", "BindingAck", "encode", "decode", "mh_checksum",
    "internet_checksum", "pseudo_header", "make_pbu", "make_pbu_q", "make_pba", "make_pba_q",
    "seconds_to_lifetime", "IPPROTO_MH", "IPPROTO_NONE", "MH_TYPE_BU", "MH_TYPE_BA",
    "BU_FLAG_A", "BU_FLAG_H", "BU_FLAG_L", "BU_FLAG_K", "BU_FLAG_M", "BU_FLAG_R", "BU_FLAG_P",
    "BU_FLAG_Q", "BA_FLAG_K", "BA_FLAG_R", "BA_FLAG_P", "BA_FLAG_Q", "BU_FLAG_BITS",
    "BA_FLAG_BITS", "STATUS_ACCEPTED", "STATUS_REASON_UNSPECIFIED",
    "STATUS_QUERY_FAILED_PLACEHOLDER", "MH_FIXED_LEN", "COA_OPTION_TYPE_PLACEHOLDER",
]

IPPROTO_MH = 135          # RFC 6275 §6.1.1
IPPROTO_NONE = 59         # Payload Proto SHOULD be IPPROTO_NONE (RFC 6275 §6.1.1)
MH_TYPE_BU = 5            # RFC 6275 §6.1.7
MH_TYPE_BA = 6            # RFC 6275 §6.1.8
MH_HEADER_LEN = 6         # Payload Proto, Header Len, MH Type, Reserved, Checksum
MH_FIXED_LEN = 12         # header + the 6 fixed octets of a BU or BA body

# Bit index within the flags field (0 = most significant), in the order of the draft's figures.
BU_FLAG_BITS = {"A": 0, "H": 1, "L": 2, "K": 3, "M": 4, "R": 5, "P": 6, "Q": 7}
BA_FLAG_BITS = {"K": 0, "R": 1, "P": 2, "Q": 3}
BU_FLAG_A, BU_FLAG_H, BU_FLAG_L, BU_FLAG_K, BU_FLAG_M, BU_FLAG_R, BU_FLAG_P, BU_FLAG_Q = (
    0x8000 >> BU_FLAG_BITS[n] for n in "AHLKMRPQ")
BA_FLAG_K, BA_FLAG_R, BA_FLAG_P, BA_FLAG_Q = (0x80 >> BA_FLAG_BITS[n] for n in "KRPQ")

STATUS_ACCEPTED = 0                   # RFC 6275 §6.1.8
STATUS_REASON_UNSPECIFIED = 128       # RFC 6275 §6.1.8, the generic rejection
# §5 step 3 asks for "a failure indication" but names no code; 128 "Reason unspecified" is the
# only generic rejection.  A placeholder, reported by lint as unspecified.
STATUS_QUERY_FAILED_PLACEHOLDER = STATUS_REASON_UNSPECIFIED


def internet_checksum(data: bytes) -> int:
    """RFC 1071 one's-complement sum, as used by MH, ICMPv6, UDP and PIM over IPv6."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def pseudo_header(src, dst, length: int, next_header: int) -> bytes:
    """IPv6 upper-layer pseudo-header (RFC 8200 §8.1)."""
    return (ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed
            + struct.pack("!I3xB", length, next_header))


def mh_checksum(src, dst, mh: bytes) -> int:
    """Checksum of a Mobility Header whose checksum field is zero (RFC 6275 §6.1.1)."""
    return internet_checksum(pseudo_header(src, dst, len(mh), IPPROTO_MH) + mh)


def seconds_to_lifetime(seconds: int) -> int:
    """Lifetime field value for `seconds`, rounded up so a non-zero request never becomes the
    de-registration value 0; clamped to the 16-bit maximum (262,140 s)."""
    if seconds < 0:
        raise WireError(f"lifetime must be non-negative, got {seconds}")
    return min((seconds + 3) // 4, 0xFFFF)


def _flag(value: int, mask: int) -> bool:
    return bool(value & mask)


@dataclass(frozen=True)
class BindingUpdate:
    """MH type 5.  A PBU has P set (RFC 5213 §8.1); a PBU-Q additionally has Q (draft §8.1)."""
    sequence: int
    flags: int
    lifetime: int                       # units of 4 seconds; 0 = de-registration
    options: tuple[Option, ...] = ()
    mh_type = MH_TYPE_BU

    a = property(lambda self: _flag(self.flags, BU_FLAG_A))
    h = property(lambda self: _flag(self.flags, BU_FLAG_H))
    l = property(lambda self: _flag(self.flags, BU_FLAG_L))  # noqa: E741 - the RFC's name
    k = property(lambda self: _flag(self.flags, BU_FLAG_K))
    m = property(lambda self: _flag(self.flags, BU_FLAG_M))
    r = property(lambda self: _flag(self.flags, BU_FLAG_R))
    p = property(lambda self: _flag(self.flags, BU_FLAG_P))
    q = property(lambda self: _flag(self.flags, BU_FLAG_Q))

    @property
    def kind(self) -> str:
        if self.q:
            return "PBU-Q"
        return "PBU" if self.p else "BU"

    @property
    def lifetime_seconds(self) -> int:
        return self.lifetime * 4

    @property
    def unknown_options(self) -> tuple[UnknownOption, ...]:
        return tuple(o for o in self.options if isinstance(o, UnknownOption))

    def _body(self) -> bytes:
        for name, v, bits in (("Sequence #", self.sequence, 16), ("flags", self.flags, 16),
                              ("Lifetime", self.lifetime, 16)):
            if not 0 <= v < 1 << bits:
                raise WireError(f"{name} must fit in {bits} bits, got {v}")
        return struct.pack("!HHH", self.sequence, self.flags, self.lifetime)


@dataclass(frozen=True)
class BindingAck:
    """MH type 6.  A PBA has P set (RFC 5213 §8.2); a PBA-Q additionally has Q (draft §8.2)."""
    status: int
    flags: int
    sequence: int
    lifetime: int
    options: tuple[Option, ...] = ()
    mh_type = MH_TYPE_BA

    k = property(lambda self: _flag(self.flags, BA_FLAG_K))
    r = property(lambda self: _flag(self.flags, BA_FLAG_R))
    p = property(lambda self: _flag(self.flags, BA_FLAG_P))
    q = property(lambda self: _flag(self.flags, BA_FLAG_Q))

    @property
    def kind(self) -> str:
        if self.q:
            return "PBA-Q"
        return "PBA" if self.p else "BA"

    @property
    def accepted(self) -> bool:
        return self.status < 128          # RFC 6275 §6.1.8

    @property
    def lifetime_seconds(self) -> int:
        return self.lifetime * 4

    @property
    def care_of_address(self) -> ipaddress.IPv6Address | None:
        for o in self.options:
            if isinstance(o, CareOfAddress):
                return o.address
        return None

    @property
    def unknown_options(self) -> tuple[UnknownOption, ...]:
        return tuple(o for o in self.options if isinstance(o, UnknownOption))

    def _body(self) -> bytes:
        for name, v, bits in (("Status", self.status, 8), ("flags", self.flags, 8),
                              ("Sequence #", self.sequence, 16), ("Lifetime", self.lifetime, 16)):
            if not 0 <= v < 1 << bits:
                raise WireError(f"{name} must fit in {bits} bits, got {v}")
        return struct.pack("!BBHH", self.status, self.flags, self.sequence, self.lifetime)


Message = BindingUpdate | BindingAck


def _encode_options(options, start: int) -> bytes:
    out = bytearray()
    for opt in options:
        body = opt.encode_body()
        if len(body) > 255:
            raise WireError(f"option type {opt.option_type} body of {len(body)} octets exceeds 255")
        out += padding(pad_needed(start + len(out), opt.alignment))
        out += bytes([opt.option_type, len(body)]) + body
    out += padding(pad_needed(start + len(out), (8, 0)))
    return bytes(out)


def encode(msg: Message, src=None, dst=None) -> bytes:
    """The Mobility Header for `msg`.  With both addresses the checksum is filled in (RFC 6275
    §6.1.1); without them it is left zero, which is only useful for layout tests."""
    body = msg._body()
    opts = _encode_options(msg.options, MH_HEADER_LEN + len(body))
    total = MH_HEADER_LEN + len(body) + len(opts)
    hlen = total // 8 - 1
    if hlen > 255:
        raise WireError(f"Mobility Header of {total} octets exceeds Header Len 255")
    mh = bytearray(struct.pack("!BBBBH", IPPROTO_NONE, hlen, msg.mh_type, 0, 0) + body + opts)
    if (src is None) != (dst is None):
        raise WireError("give both src and dst to compute the checksum, or neither")
    if src is not None:
        struct.pack_into("!H", mh, 4, mh_checksum(src, dst, bytes(mh)))
    return bytes(mh)


def _decode_options(data: bytes, start: int, strict: bool, coa_option_type: int) -> tuple:
    options = []
    i = start
    pad_run_start = i
    while i < len(data):
        t = data[i]
        if t == OPT_PAD1:
            i += 1
            continue
        if i + 2 > len(data):
            raise WireError(f"option type {t} at offset {i} is truncated (no Length octet)")
        n = data[i + 1]
        if i + 2 + n > len(data):
            raise WireError(f"option type {t} at offset {i} has Length {n} and overruns the "
                            f"Mobility Header by {i + 2 + n - len(data)} octets")
        if t == OPT_PADN:
            if strict and any(data[i + 2:i + 2 + n]):
                raise WireError(f"PadN at offset {i} carries non-zero octets")
            i += 2 + n
            continue
        opt = decode_option(t, data[i + 2:i + 2 + n], coa_option_type)
        if isinstance(opt, UnknownOption) and i > pad_run_start:
            opt = replace(opt, alignment=(8, i % 8))
        if strict:
            _check_canonical_padding(data, pad_run_start, i, opt.alignment)
        options.append(opt)
        i += 2 + n
        pad_run_start = i
    if strict:
        _check_canonical_padding(data, pad_run_start, i, (8, 0))
    return tuple(options)


def _check_canonical_padding(data: bytes, begin: int, end: int, alignment) -> None:
    want = padding(pad_needed(begin, alignment))
    if data[begin:end] != want:
        x, y = alignment
        raise WireError(f"padding at offsets {begin}..{end} is {data[begin:end].hex() or 'empty'}"
                        f", expected {want.hex() or 'none'} to reach alignment {x}n+{y}")


def decode(data: bytes, src=None, dst=None, *, verify_checksum: bool | None = None,
           strict: bool = True, coa_option_type: int = COA_OPTION_TYPE_PLACEHOLDER) -> Message:
    """Parse one Mobility Header carrying a BU or BA.  Raises WireError for anything malformed.

    strict=True (default) also rejects what RFC 6275 tells senders not to do and receivers to
    ignore: Payload Proto other than 59, non-zero MH Reserved, non-zero PadN content, options
    off their alignment, and padding other than the canonical minimum.  Unknown option types are
    never an error: they come back as UnknownOption (RFC 6275 §6.2.1).  The checksum is verified
    when both addresses are given unless verify_checksum=False.
    """
    data = bytes(data)
    if (coa_option_type in (OPT_PAD1, OPT_PADN) or coa_option_type in KNOWN_OPTIONS
            or not 0 <= coa_option_type <= 255):
        raise WireError(f"coa_option_type {coa_option_type} is not a usable option type")
    if len(data) < 8:
        raise WireError(f"Mobility Header truncated: {len(data)} octets, at least 8 needed")
    proto, hlen, mh_type, reserved, csum = struct.unpack_from("!BBBBH", data, 0)
    if (hlen + 1) * 8 != len(data):
        raise WireError(f"Header Len {hlen} declares {(hlen + 1) * 8} octets but "
                        f"{len(data)} are present")
    if mh_type not in (MH_TYPE_BU, MH_TYPE_BA):
        raise WireError(f"MH Type {mh_type} is neither Binding Update (5) nor "
                        f"Binding Acknowledgement (6)")
    if len(data) < MH_FIXED_LEN:
        raise WireError(f"Header Len {hlen} is shorter than a {'BU' if mh_type == 5 else 'BA'}"
                        f" (RFC 6275 §9.2)")
    if strict and proto != IPPROTO_NONE:
        raise WireError(f"Payload Proto is {proto}, expected {IPPROTO_NONE}")
    if strict and reserved:
        raise WireError(f"MH Reserved octet is {reserved}, expected 0")
    if verify_checksum is None:
        verify_checksum = src is not None and dst is not None
    if verify_checksum:
        if src is None or dst is None:
            raise WireError("checksum verification needs both src and dst")
        zeroed = data[:4] + b"\x00\x00" + data[6:]
        want = mh_checksum(src, dst, zeroed)
        if want != csum:
            raise WireError(f"checksum 0x{csum:04x} does not match computed 0x{want:04x}")
    options = _decode_options(data, MH_FIXED_LEN, strict, coa_option_type)
    if mh_type == MH_TYPE_BU:
        seq, flags, lifetime = struct.unpack_from("!HHH", data, MH_HEADER_LEN)
        return BindingUpdate(sequence=seq, flags=flags, lifetime=lifetime, options=options)
    status, flags, seq, lifetime = struct.unpack_from("!BBHH", data, MH_HEADER_LEN)
    return BindingAck(status=status, flags=flags, sequence=seq, lifetime=lifetime, options=options)


def _pmip_options(mn_id: bytes, hnp, hnp_len: int, hi: int, att: int, timestamp: int | None):
    opts = [MobileNodeIdentifier(identifier=mn_id), HomeNetworkPrefix(prefix=hnp,
                                                                      prefix_length=hnp_len),
            HandoffIndicator(hi=hi), AccessTechnologyType(att=att)]
    if timestamp is not None:
        opts.append(Timestamp(value=timestamp))
    return tuple(opts)


def make_pbu(sequence: int, lifetime_s: int, mn_id: bytes, hnp, hnp_len: int = 64,
             hi: int = HI_NEW_INTERFACE, att: int = ATT_IEEE_802_11,
             timestamp: int | None = None) -> BindingUpdate:
    """A PBU as RFC 5213 §6.9.1.5 builds it: A and P set; MN-ID, HNP, HI, ATT (+ Timestamp)."""
    return BindingUpdate(sequence=sequence, flags=BU_FLAG_A | BU_FLAG_P,
                         lifetime=seconds_to_lifetime(lifetime_s),
                         options=_pmip_options(mn_id, hnp, hnp_len, hi, att, timestamp))


def make_pbu_q(sequence: int, queried_hoa, mn_id: bytes, lifetime_s: int = 0,
               hi: int = HI_UNKNOWN, att: int = ATT_IEEE_802_11,
               timestamp: int | None = None) -> BindingUpdate:
    """A PBU-Q.  The draft defines no option for "the HoA of MN2" (§6.2 item 3); this codec's
    choice is an HNP option holding the HoA with Prefix Length 128, next to the RFC 5213
    mandatory options so an RFC 5213 LMA can parse it.  All of this is an assumption."""
    pbu = make_pbu(sequence, lifetime_s, mn_id, queried_hoa, 128, hi, att, timestamp)
    return replace(pbu, flags=pbu.flags | BU_FLAG_Q)


def make_pba(pbu: BindingUpdate, status: int = STATUS_ACCEPTED,
             lifetime_s: int | None = None) -> BindingAck:
    """A PBA answering `pbu` as RFC 5213 §5.3.6 builds it: P set, Sequence # copied, and the
    MN-ID, HNP, HI, ATT and Timestamp options echoed."""
    echo = tuple(o for o in pbu.options if isinstance(
        o, (MobileNodeIdentifier, HomeNetworkPrefix, HandoffIndicator, AccessTechnologyType,
            Timestamp)))
    lifetime = pbu.lifetime if lifetime_s is None else seconds_to_lifetime(lifetime_s)
    return BindingAck(status=status, flags=BA_FLAG_P, sequence=pbu.sequence, lifetime=lifetime,
                      options=echo)


def make_pba_q(pbu_q: BindingUpdate, coa=None, status: int | None = None,
               coa_option_type: int = COA_OPTION_TYPE_PLACEHOLDER) -> BindingAck:
    """A PBA-Q answering `pbu_q`: Q set, and the §8.3 Care-of Address option when `coa` is known.
    Without a CoA the status defaults to the failure placeholder (draft §5 step 3)."""
    if status is None:
        status = STATUS_ACCEPTED if coa is not None else STATUS_QUERY_FAILED_PLACEHOLDER
    pba = make_pba(pbu_q, status=status)
    opts = pba.options
    if coa is not None:
        opts = opts + (CareOfAddress(address=coa, type_code=coa_option_type),)
    return replace(pba, flags=pba.flags | BA_FLAG_Q, options=opts)
