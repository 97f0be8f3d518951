"""Conformance lint of the draft's formats (§8) and the procedures that use them (§5, §6.2).

Each Finding quotes the draft verbatim (tests check every quote occurs in the draft text after
whitespace normalisation) and says, in one sentence, what it conflicts with.  Format facts come
from codec.py (flag masks, option alignment, encoded sizes) and registry facts from
iana_mip6.json, so nothing here restates a number that lives in those two places.

Severities: "error" = contradicts an RFC, the registry or itself; "warning" = likely to break
interoperation or mislead; "unspecified" = a decision the draft leaves to the implementer (the
model must pick one, and says which); "info" = editorial or historical.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from . import codec as wire
from .options import (ALIGN_ALT_COA, ALIGN_COA, COA_OPTION_TYPE_PLACEHOLDER,
                           HandoffIndicator, HomeNetworkPrefix)

REGISTRY_PATH = Path(__file__).with_name("iana_mip6.json")
SEVERITIES = ("error", "warning", "unspecified", "info")


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    section: str
    quote: str
    conflict: str
    cites: str


@lru_cache(maxsize=None)
def load_registry(path: str | None = None) -> dict:
    return json.loads(Path(path or REGISTRY_PATH).read_text())


def _snap(name: str) -> dict:
    return load_registry()["snapshots"][name]


def _flag(snapshot: str, table: str, mask: int) -> dict | None:
    return next((e for e in _snap(snapshot)[table] if e["mask"] == mask), None)


def _code(snapshot: str, table: str, value: int) -> dict | None:
    return next((e for e in _snap(snapshot)[table] if e["value"] == value), None)


def _as_of(snapshot: str) -> str:
    return _snap(snapshot)["as_of"]


def _q_collision(table: str, mask: int, width: int, figure: str, names: dict) -> str:
    then, now = _flag("2012-07", table, mask), _flag("today", table, mask)
    bit = names["Q"]
    head = (f"{figure} puts Q at bit {bit} of the {width}-bit flags (mask 0x{mask:0{width // 4}x})")
    if then is None and now is None:
        return head + ", which IANA has not assigned."
    who = now or then
    when = (f"before the draft ({_as_of('2012-07')[:7]}) and still today"
            if then and now else "after the draft" if now else "in 2012 only")
    # The named flags other than Q must agree with the registry, or this sentence would lie.
    agree = all((_flag("today", table, (1 << (width - 1)) >> b) or {}).get("name") == n
                for n, b in names.items() if n != "Q")
    tail = "; the figure's other flags match the registry" if agree else (
        "; other flags also disagree with the registry")
    return (f"{head}, which IANA assigned to {who['name']} \"{who['description']}\" "
            f"({who['rfc']}, {who['rfc_published']}) {when}{tail}.")


def _option_space() -> str:
    parts = []
    for snap in ("2012-07", "today"):
        opts = _snap(snap)["mobility_options"]
        sure = [e["value"] for e in opts if e["verified"]]
        maybe = [str(e["value"]) for e in opts if not e["verified"]]
        parts.append(f"{len(sure)} types up to {max(sure)} assigned as of {_as_of(snap)}"
                     + (f" (and possibly {', '.join(maybe)})" if maybe else ""))
    free = all(_code(s, "mobility_options", COA_OPTION_TYPE_PLACEHOLDER) is None
               for s in ("2012-07", "today"))
    return (f"no two implementations can agree on the code; this model uses placeholder "
            f"{COA_OPTION_TYPE_PLACEHOLDER} ({'unassigned' if free else 'ASSIGNED'}; "
            f"{'; '.join(parts)})")


def _sample_pbu_q() -> wire.BindingUpdate:
    # A representative PBU-Q as the codec builds it (NAI of 16 octets, Timestamp present).
    return wire.make_pbu_q(1, "2001:db8:2::1", b"mn2@pmip.example", timestamp=1 << 40)


def _pbu_q_choices() -> dict:
    q = _sample_pbu_q()
    hnp = next(o for o in q.options if isinstance(o, HomeNetworkPrefix))
    hi = next(o for o in q.options if isinstance(o, HandoffIndicator))
    return {"plen": hnp.prefix_length, "hi": hi.hi, "lifetime": q.lifetime_seconds}


def _encoded_sizes() -> str:
    q = _sample_pbu_q()
    a = wire.make_pba_q(q, coa="2001:db8:0:ff::2")
    bq, ba = wire.encode(q), wire.encode(a)
    ok = all(len(b) % 8 == 0 and b[1] == len(b) // 8 - 1 for b in (bq, ba))
    aligned = ", both multiples of 8 with every option aligned" if ok else ""
    return (f"With the RFC 5213 mandatory options plus Timestamp this model's PBU-Q is {len(bq)} "
            f"octets (Header Len {bq[1]}) and its PBA-Q with the Care-of Address option {len(ba)} "
            f"octets (Header Len {ba[1]}){aligned}, sizes the draft never states because it "
            f"never says which options are present.")


def _failure_status() -> str:
    code = wire.STATUS_QUERY_FAILED_PLACEHOLDER
    entry = _code("today", "status_codes", code) or {"name": "?"}
    return (f"No Status value is named (this model uses {code} \"{entry['name']}\"); any value "
            f"of 128 or more is a rejection, and a MAG applying RFC 5213 §6.9.1.2 to it would "
            f"deny service to the MN named by the echoed MN-ID option.")


def _align(a: tuple[int, int]) -> str:
    return f"{a[0]}n+{a[1]}"


def _findings() -> list[Finding]:
    reg = f"IANA mobility-parameters as of {_as_of('2012-07')[:7]} and {_as_of('today')}"
    pick = _pbu_q_choices()
    return [
        Finding("q-flag-bu-collides-iana", "error", "§8.1", "|A|H|L|K|M|R|P|Q|",
                _q_collision("bu_flags", wire.BU_FLAG_Q, 16, "Figure 5", wire.BU_FLAG_BITS),
                f"RFC 6275 §6.1.7; RFC 5213 §8.1; RFC 5555; {reg} (Binding Update Flags)"),
        Finding("q-flag-ba-collides-iana", "error", "§8.2", "|K|R|P|Q|Reserve|",
                _q_collision("ba_flags", wire.BA_FLAG_Q, 8, "Figure 6", wire.BA_FLAG_BITS),
                f"RFC 6275 §6.1.8; RFC 5213 §8.2; RFC 5845; {reg} (Binding Acknowledgment Flags)"),
        Finding("iana-considerations-empty", "error", "§10",
                "10. IANA Considerations 11. Normative References",
                "Section 10 is empty although the draft needs three IANA code points (a Binding "
                "Update flag, a Binding Acknowledgement flag and a mobility option type) and "
                "requests none of them.",
                f"RFC 6275 (IANA Considerations); RFC 5226 §5; {reg}"),
        Finding("coa-option-type-tbd", "error", "§8.3", "Type = TBD",
                f"The Care-of Address option has no type code, so {_option_space()}.",
                f"RFC 6275 §6.2.1; {reg} (Mobility Options)"),
        Finding("coa-required-on-failure", "error", "§5",
                "3.The PBA-Q message MUST include the CoA of MN2.",
                "§5 step 3 answers a failed lookup with a PBA-Q too, but then no CoA of MN2 "
                "exists to include, so the MUST cannot be met (this model omits the option on "
                "failure).", "draft §5 step 3; draft §8.2"),
        Finding("coa-option-alignment-unstated", "warning", "§8.3", "| Type = TBD | Length = 16 |",
                f"RFC 6275 §6.2 gives each mobility option an alignment requirement but the draft "
                f"states none; this model uses {_align(ALIGN_COA)}"
                + (", borrowed from the byte-identical Alternate Care-of Address option, which "
                   "puts the address on an 8-octet boundary." if ALIGN_COA == ALIGN_ALT_COA else
                   f", unlike the byte-identical Alternate Care-of Address option's "
                   f"{_align(ALIGN_ALT_COA)}."),
                "RFC 6275 §6.2, §6.2.5"),
        Finding("fig6-caption-says-pbu", "warning", "§8.2",
                "Figure6 Proxy Binding Update with Source Address Query Extension",
                "Figure 6 draws a Binding Acknowledgement (Status field, the §8.2 PBA-Q) but its "
                "caption repeats Figure 5's \"Proxy Binding Update\".",
                "RFC 6275 §6.1.8; RFC 5213 §8.2"),
        Finding("ba-prose-flags-mismatch", "warning", "§8.2",
                "with the additional (R) flag, as specified in [RFC3963] and [RFC5213], "
                "respectively",
                "The prose names one flag (R) against two references \"respectively\" while "
                "Figure 6 shows R (RFC 3963) and P (RFC 5213), so the P flag is never introduced.",
                "RFC 3963 §4.2; RFC 5213 §8.2"),
        Finding("obsolete-ref-rfc3775", "warning", "§8.1",
                "format remains the same as defined in[RFC3775]",
                "RFC 3775 was obsoleted by RFC 6275 in July 2011, a year before the draft, so the "
                "BU/BA formats should be taken from RFC 6275 §6.1.7 and §6.1.8.",
                "RFC 6275 (obsoletes RFC 3775)"),
        Finding("legacy-lma-treats-pbu-q-as-pbu", "warning", "§8.1",
                "A new flag (Q) is included in the Binding Update message to indicate to LMA "
                "that the Binding Update message is a Source Address Query message.",
                "An RFC 5213-only LMA ignores the Q bit (reserved bits MUST be ignored) and, with "
                "no capability negotiation to warn it (unlike RFC 7161's S flag), runs the PBU-Q "
                "through ordinary PBU processing, which depending on the options rejects it "
                "(e.g. 160 without an MN-ID), refreshes or with Lifetime 0 de-registers the named "
                "MN's binding when MAG1 is its Proxy-CoA, or hands MN2's binding over to MAG1 "
                "when it names MN2 with a non-zero Lifetime.",
                "RFC 6275 §6.1.7; RFC 5213 §5.3.1-§5.3.5; RFC 7161 §4.2.1"),
        Finding("legacy-mag-skips-coa-option", "warning", "§8.2",
                "When (Q) flag is specified in PBA-Q message, the mobility options field "
                "includes \"MN2's CoA\"(Section 8.3).",
                "An RFC 5213-only MAG skips the unknown option and ignores the Q bit, so a PBA-Q "
                "is to it a plain PBA that it ignores unless it matches a PBU it sent.",
                "RFC 6275 §6.2.1; RFC 5213 §8.2, §6.9.1.2"),
        Finding("security-tbd", "warning", "§9", "9. Security Considerations TBD",
                "RFC 5213 §4 requires PBU/PBA to be IPsec-protected, yet the query lets any MAG "
                "learn any MN's point of attachment and the new MAG-MAG tunnel has no security "
                "association.", "RFC 5213 §4; RFC 6705 §13"),
        Finding("tunnel-negotiation-not-in-rfc5213", "warning", "§4.2",
                "Refer to [RFC5213] for the detailed tunnel negotiation mechanism.",
                "RFC 5213 creates tunnels only between LMA and MAG, as a side effect of PBU/PBA, "
                "and defines no MAG-MAG tunnel and no tunnel negotiation.",
                "RFC 5213 §5.6.1, §6.10; RFC 6705 §6.2"),
        Finding("hoa-lookup-vs-prefix-bce", "warning", "§5",
                "3.If the corresponding HoA-CoA entry is found in the binding cache,",
                "A PMIPv6 Binding Cache entry holds home network prefixes, not HoAs, so the lookup "
                "must match MN2's HoA against prefixes and can find one entry per MN interface.",
                "RFC 5213 §2.2, §5.1, §5.4"),
        Finding("pbu-q-hoa-has-no-option", "unspecified", "§6.2",
                "3.The PBU-Q message must include the HoA of MN2.",
                f"No option carries an HoA in a PBU (the Home Address destination option MUST NOT "
                f"be present and the HNP option carries a prefix); this model puts the HoA in an "
                f"HNP option with Prefix Length {pick['plen']}.",
                "RFC 5213 §6.9.1.5, §8.3; RFC 6275 §6.3"),
        Finding("pbu-q-options-unspecified", "unspecified", "§8.1",
                "The rest of the PBU message remains unchanged.",
                f"RFC 5213 requires MN-ID, HNP, HI and ATT in every PBU but the draft does not say "
                f"which MN they describe, and MAG1 learns only MN2's HoA from the (S,G) report, "
                f"not its MN-ID; this model sends MN2's NAI, the HoA, HI {pick['hi']} and ATT.",
                "RFC 5213 §6.9.1.5, §5.3.1; RFC 4283 §3"),
        Finding("pba-q-options-unspecified", "unspecified", "§5",
                "The responding PBA-Q message from LMA to MAG1 is constructed as follows.",
                "A PBA must echo the PBU's MN-ID, HNP, HI, ATT and Timestamp options and a MAG "
                "ignores a PBA whose echo does not match, but the draft lists only the addresses "
                "and the CoA.", "RFC 5213 §5.3.6, §6.9.1.2"),
        Finding("failure-status-unspecified", "unspecified", "§5",
                "LMA will respond PBA-Q message containing a failure indication",
                _failure_status(), "RFC 6275 §6.1.8; RFC 5213 §6.9.1.2, §8.9"),
        Finding("query-lifetime-unspecified", "unspecified", "§8.1",
                "The PBU-Q message is transfered for quering the MN2's CoA.",
                f"The Lifetime of a PBU-Q and of a PBA-Q is not defined, yet in a Binding Update 0 "
                f"means de-registration and any other value a registration (this model sends "
                f"{pick['lifetime']}).",
                "RFC 6275 §6.1.7; RFC 5213 §5.3.5"),
        Finding("query-sequence-unspecified", "unspecified", "§8.1", "| Sequence # |",
                "Whose sequence space a PBU-Q uses is not said, while the LMA checks Sequence # "
                "or Timestamp against the named MN's binding and the MAG matches the answer to its "
                "request by it.", "RFC 6275 §9.5.1; RFC 5213 §5.5, §6.9.1.2"),
        Finding("query-binding-effect-unspecified", "unspecified", "§5",
                "2.Query the CoA of MN2 by looking up the binding cache of LMA.",
                "The draft never says a PBU-Q leaves the Binding Cache untouched, although as a "
                "Binding Update it would otherwise create, extend, hand off or delete a binding.",
                "RFC 5213 §5.3.1-§5.3.5"),
        Finding("pba-without-q-unspecified", "unspecified", "§6.2",
                "1.Check if the PBA-Q message contains the Q flag set to 1.",
                "What MAG1 does when the answer to its PBU-Q has Q clear (as from an RFC 5213-only "
                "LMA) or carries no CoA option is not specified.", "RFC 5213 §6.9.1.2"),
        Finding("coa-option-duplicates-alt-coa", "info", "§8.3",
                "The Care-of Address field contains the care-of address of MN2.",
                "The option repeats the Alternate Care-of Address option's format and carries what "
                "PMIPv6 calls MN2's Proxy-CoA; RFC 6705 later defined the MAG IPv6 Address option "
                "for telling a MAG its peer MAG's address.",
                f"RFC 6275 §6.2.5; RFC 5213 §2.2; RFC 6705; {reg}"),
        Finding("encoded-sizes", "info", "§8", "Mobility Options", _encoded_sizes(),
                "RFC 6275 §6.1.1, §6.2; RFC 5213 §8.3, §8.8"),
        Finding("pbu-q-naming", "info", "§8.1",
                "is referred to as the \"Proxy Binding Source Address Query\" message",
                "Every Binding Update from a MAG to an LMA is a Proxy Binding Update, so the "
                "sentence renames the whole class while the rest of the draft calls only the "
                "Q-flagged message PBU-Q.", "RFC 5213 §2.2"),
        Finding("pba-q-called-query", "info", "§8.2",
                "the Binding Acknowledgement message is a Source Address Query message",
                "The PBA-Q is the answer, not the query, so the flag's stated meaning in the "
                "acknowledgement is circular.", "draft §8.1, §8.2"),
        Finding("lowercase-normative", "info", "§8.1",
                "In the normal PMIP operation, the flag must be set to 0.",
                "Requirements in §§5-8 mix lowercase \"must\" with RFC 2119 \"MUST\" although §2 "
                "adopts RFC 2119; for this flag it is moot as reserved bits are already sent as 0.",
                "RFC 2119; RFC 6275 §6.1.7"),
        Finding("obsolete-ref-rfc4140", "info", "§8.1",
                "[RFC3963], [RFC4140], and [RFC5213], respectively",
                "RFC 4140 (HMIPv6, source of the M flag) was obsoleted by RFC 5380 in October "
                "2008.",
                "RFC 5380"),
        Finding("obsolete-ref-rfc4601", "info", "§11",
                "\"Protocol Independent Multicast - Sparse Mode (PIM-SM): Protocol Specification "
                "(Revised)\", August 2006.",
                "RFC 4601 was obsoleted by RFC 7761 in 2016, after the draft; the Join/Prune "
                "format the draft relies on is unchanged.", "RFC 7761 §4.9.5"),
        Finding("page-header-title", "info", "page headers",
                "Internet-Draft RELOAD Client Extension July 2012",
                "Every page header carries the short title of an unrelated document instead of "
                "this draft's.", "draft title page"),
    ]


def _section_key(section: str) -> tuple:
    nums = re.findall(r"\d+", section)
    return (0, tuple(int(n) for n in nums)) if nums else (1, (section,))


def lint() -> list[Finding]:
    """All findings, ordered by severity, then section, then id (deterministic)."""
    found = _findings()
    bad = [f.id for f in found if f.severity not in SEVERITIES]
    if bad:
        raise AssertionError(f"unknown severity in {bad}")
    return sorted(found, key=lambda f: (SEVERITIES.index(f.severity), _section_key(f.section),
                                        f.id))


def findings_json(findings: list[Finding]) -> list[dict]:
    return [asdict(f) for f in findings]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def findings_markdown(findings: list[Finding]) -> str:
    rows = ["| id | severity | section | quote | conflict | cites |",
            "|---|---|---|---|---|---|"]
    rows += [f"| {_cell(f.id)} | {f.severity} | {_cell(f.section)} | \"{_cell(f.quote)}\" | "
             f"{_cell(f.conflict)} | {_cell(f.cites)} |" for f in findings]
    return "\n".join(rows) + "\n"
