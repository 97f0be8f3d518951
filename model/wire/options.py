"""Mobility options (RFC 6275 §6.2) carried by the draft's PBU/PBA/PBU-Q/PBA-Q.

Each option is a frozen dataclass with `encode_body()` (the octets after Type and Length) and
a class-level alignment requirement `xn+y` (RFC 6275 §6.2: the Type octet sits y octets past a
multiple of x, counted from the start of the Mobility Header).  Pad1/PadN are not dataclasses:
the codec in codec.py inserts and checks them, so a message's option tuple holds only content.

Alignment requirements, as stated by each defining RFC:
  MN Identifier (RFC 4283 §3)            none
  Home Network Prefix (RFC 5213 §8.3)    8n+4
  Handoff Indicator (RFC 5213 §8.4)      none
  Access Technology Type (RFC 5213 §8.5) none
  Timestamp (RFC 5213 §8.8)              8n+2
  Care-of Address (draft §8.3)           not stated; we use 8n+6, the requirement of the
                                         byte-identical Alternate Care-of Address option
                                         (RFC 6275 §6.2.5), so the address is 8-aligned.
"""
from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass, field
from typing import ClassVar

OPT_PAD1 = 0
OPT_PADN = 1
OPT_ALT_COA = 3           # RFC 6275 §6.2.5; not encoded here, only its alignment is borrowed
OPT_MN_ID = 8             # RFC 4283
OPT_HNP = 22              # RFC 5213 §8.3
OPT_HI = 23               # RFC 5213 §8.4
OPT_ATT = 24              # RFC 5213 §8.5
OPT_TIMESTAMP = 27        # RFC 5213 §8.8

# Draft §8.3 says "Type = TBD" and §10 requests nothing from IANA.  254 is NOT an allocation:
# it is a placeholder chosen because it is unassigned in the IANA Mobility Options registry
# (see iana_mip6.json); every codec entry point takes the real code as a parameter.
COA_OPTION_TYPE_PLACEHOLDER = 254

MN_ID_SUBTYPE_NAI = 1     # RFC 4283 §3
# Handoff Indicator values (RFC 5213 §8.4) and the one Access Technology Type we use (§8.5).
HI_NEW_INTERFACE, HI_BETWEEN_INTERFACES, HI_BETWEEN_MAGS, HI_UNKNOWN, HI_NOT_CHANGED = 1, 2, 3, 4, 5
ATT_IEEE_802_11 = 4

ALIGN_NONE = (1, 0)
ALIGN_HNP = (8, 4)
ALIGN_TIMESTAMP = (8, 2)
ALIGN_ALT_COA = (8, 6)
ALIGN_COA = ALIGN_ALT_COA


class WireError(ValueError):
    """Malformed or non-conforming Mobility Header bytes (the only exception decode raises)."""


def _addr(value) -> ipaddress.IPv6Address:
    if isinstance(value, ipaddress.IPv6Address):
        return value
    if isinstance(value, (bytes, bytearray)):
        if len(value) != 16:
            raise WireError(f"an IPv6 address is 16 octets, got {len(value)}")
        return ipaddress.IPv6Address(bytes(value))
    return ipaddress.IPv6Address(value)


def _u8(name: str, value: int) -> None:
    if not 0 <= value <= 0xFF:
        raise WireError(f"{name} must fit in 8 bits, got {value}")


@dataclass(frozen=True)
class MobileNodeIdentifier:
    identifier: bytes
    subtype: int = MN_ID_SUBTYPE_NAI
    option_type: ClassVar[int] = OPT_MN_ID
    alignment: ClassVar[tuple[int, int]] = ALIGN_NONE

    def encode_body(self) -> bytes:
        _u8("MN-ID subtype", self.subtype)
        if len(self.identifier) > 254:
            raise WireError("MN-ID identifier longer than 254 octets does not fit Option Length")
        return bytes([self.subtype]) + bytes(self.identifier)

    @classmethod
    def decode_body(cls, body: bytes) -> "MobileNodeIdentifier":
        if len(body) < 1:
            raise WireError("MN Identifier option needs at least the Subtype octet")
        return cls(identifier=bytes(body[1:]), subtype=body[0])


@dataclass(frozen=True)
class HomeNetworkPrefix:
    prefix: ipaddress.IPv6Address
    prefix_length: int = 64
    reserved: int = 0
    option_type: ClassVar[int] = OPT_HNP
    alignment: ClassVar[tuple[int, int]] = ALIGN_HNP

    def __post_init__(self):
        object.__setattr__(self, "prefix", _addr(self.prefix))

    def encode_body(self) -> bytes:
        _u8("HNP Prefix Length", self.prefix_length)
        _u8("HNP Reserved", self.reserved)
        return bytes([self.reserved, self.prefix_length]) + self.prefix.packed

    @classmethod
    def decode_body(cls, body: bytes) -> "HomeNetworkPrefix":
        if len(body) != 18:
            raise WireError(f"Home Network Prefix option Length must be 18, got {len(body)}")
        return cls(prefix=ipaddress.IPv6Address(bytes(body[2:18])), prefix_length=body[1],
                   reserved=body[0])


@dataclass(frozen=True)
class HandoffIndicator:
    hi: int
    reserved: int = 0
    option_type: ClassVar[int] = OPT_HI
    alignment: ClassVar[tuple[int, int]] = ALIGN_NONE

    def encode_body(self) -> bytes:
        _u8("Handoff Indicator", self.hi)
        _u8("HI Reserved", self.reserved)
        return bytes([self.reserved, self.hi])

    @classmethod
    def decode_body(cls, body: bytes) -> "HandoffIndicator":
        if len(body) != 2:
            raise WireError(f"Handoff Indicator option Length must be 2, got {len(body)}")
        return cls(hi=body[1], reserved=body[0])


@dataclass(frozen=True)
class AccessTechnologyType:
    att: int
    reserved: int = 0
    option_type: ClassVar[int] = OPT_ATT
    alignment: ClassVar[tuple[int, int]] = ALIGN_NONE

    def encode_body(self) -> bytes:
        _u8("Access Technology Type", self.att)
        _u8("ATT Reserved", self.reserved)
        return bytes([self.reserved, self.att])

    @classmethod
    def decode_body(cls, body: bytes) -> "AccessTechnologyType":
        if len(body) != 2:
            raise WireError(f"Access Technology Type option Length must be 2, got {len(body)}")
        return cls(att=body[1], reserved=body[0])


@dataclass(frozen=True)
class Timestamp:
    """64-bit value: 48 bits of seconds since 1970, 16 bits of 1/65536 s (RFC 5213 §8.8)."""
    value: int
    option_type: ClassVar[int] = OPT_TIMESTAMP
    alignment: ClassVar[tuple[int, int]] = ALIGN_TIMESTAMP

    def encode_body(self) -> bytes:
        if not 0 <= self.value < 1 << 64:
            raise WireError(f"Timestamp must fit in 64 bits, got {self.value}")
        return struct.pack("!Q", self.value)

    @classmethod
    def decode_body(cls, body: bytes) -> "Timestamp":
        if len(body) != 8:
            raise WireError(f"Timestamp option Length must be 8, got {len(body)}")
        return cls(value=struct.unpack("!Q", body)[0])


@dataclass(frozen=True)
class CareOfAddress:
    """Draft §8.3 Care-of Address option: Type TBD, Length 16, MN2's CoA; only in a PBA-Q."""
    address: ipaddress.IPv6Address
    type_code: int = COA_OPTION_TYPE_PLACEHOLDER
    alignment: ClassVar[tuple[int, int]] = ALIGN_COA

    def __post_init__(self):
        object.__setattr__(self, "address", _addr(self.address))

    @property
    def option_type(self) -> int:
        return self.type_code

    def encode_body(self) -> bytes:
        return self.address.packed

    @classmethod
    def decode_body(cls, body: bytes,
                    type_code: int = COA_OPTION_TYPE_PLACEHOLDER) -> "CareOfAddress":
        if len(body) != 16:
            raise WireError(f"Care-of Address option Length must be 16, got {len(body)}")
        return cls(address=ipaddress.IPv6Address(bytes(body)), type_code=type_code)


@dataclass(frozen=True)
class UnknownOption:
    """An option this codec does not understand: skipped for processing (RFC 6275 §6.2.1), kept
    verbatim so the message re-encodes byte for byte and the caller can see what was skipped.
    Its alignment is unknowable to a receiver, so decode infers it from the padding the sender
    put in front (8n+offset when there was any); it is a layout hint, not part of equality."""
    option_type: int
    data: bytes
    alignment: tuple[int, int] = field(default=ALIGN_NONE, compare=False)

    def encode_body(self) -> bytes:
        if self.option_type in (OPT_PAD1, OPT_PADN):
            raise WireError("Pad1/PadN are inserted by the codec, not carried as options")
        _u8("option type", self.option_type)
        return bytes(self.data)


KNOWN_OPTIONS = {cls.option_type: cls for cls in
                 (MobileNodeIdentifier, HomeNetworkPrefix, HandoffIndicator,
                  AccessTechnologyType, Timestamp)}

Option = (MobileNodeIdentifier | HomeNetworkPrefix | HandoffIndicator | AccessTechnologyType
          | Timestamp | CareOfAddress | UnknownOption)


def decode_option(option_type: int, body: bytes, coa_option_type: int) -> Option:
    if option_type == coa_option_type:
        return CareOfAddress.decode_body(body, type_code=coa_option_type)
    cls = KNOWN_OPTIONS.get(option_type)
    if cls is None:
        return UnknownOption(option_type=option_type, data=bytes(body))
    return cls.decode_body(body)


def padding(n: int) -> bytes:
    """Canonical padding of n octets: Pad1 for one octet, a single zero-filled PadN otherwise."""
    if n == 0:
        return b""
    if n == 1:
        return bytes([OPT_PAD1])
    return bytes([OPT_PADN, n - 2]) + bytes(n - 2)


def pad_needed(offset: int, alignment: tuple[int, int]) -> int:
    x, y = alignment
    return (y - offset) % x
