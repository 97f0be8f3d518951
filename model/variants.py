"""Where the draft is ambiguous, silent or self-contradictory: choice axes and named variants.

An *axis* is one place in the text with several reasonable readings; the first reading is the
default ("the draft as written").  A *variant* is a named setting of axes: `draft` takes every
default, each other variant changes one axis, and `repaired` combines the repairs.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class VariantError(ValueError):
    pass


@dataclass(frozen=True)
class Axis:
    name: str
    cites: str
    quote: str
    readings: dict[str, str]   # reading -> what the model then does; first is the default


AXES: dict[str, Axis] = {a.name: a for a in (
    Axis("tunnel_setup", "§4.2 step 4",
         "MAG1 establish bi-directional tunnel with MAG2. Refer to [RFC5213] for the detailed "
         "tunnel negotiation mechanism.",
         {"atomic": "both tunnel ends appear in one step, as Figure 3 draws one two-headed arrow",
          "one_way": "MAG1 creates its end and signals MAG2, whose end appears when the signal "
                     "arrives (RFC 5213 has no negotiation: ends are created implicitly)"}),
    Axis("tunnel_teardown", "§4.3 steps 2 and 6, Figure 4",
         "if MAG1 figures that MN1 is the last multicast listener subscribed to the MN2, MAG1 "
         "perform the following steps ... 6.Remove bi-directional tunnel between MAG1 and MAG2.",
         {"mag1_per_channel": "after pruning, MAG1 removes the whole tunnel when the last listener "
                              "of one sender leaves (text of §4.3)",
          "mag2_per_channel": "MAG2 removes the whole tunnel after processing the prune (Figure 4 "
                              "draws step 6 as an arrow from MAG2)",
          "when_unused": "REPAIR: the tunnel (both ends, by a tear-down handshake taken as one step) "
                         "is removed only when no (S,G) state, route, query or message at either end "
                         "uses it"}),
    Axis("requery", "§4.2 steps 2 and 6",
         "On receiving the (S,G) subscribe message from MN1, the attached MAG1 sends a PBU-Q ... "
         "if MAG1 already subscribed the channel, MAG1 updates the iif",
         {"every_report": "every (S,G) join starts a query unless one is already outstanding",
          "first_report_only": "a MAG that already has an iif for (S,G) does not query again"}),
    Axis("source_mobility", "§1",
         "The proposed protocol supports seamless handover. ... the detail specification of "
         "source mobility is not described.",
         {"unspecified": "nothing tells a listener's MAG that the sender moved",
          "lma_notifies": "REPAIR: the LMA remembers who queried S and sends a fresh PBA-Q (new "
                          "CoA or failure) when S's binding changes; the MAG then re-joins at the "
                          "new MAG and prunes the old one (RFC 4601 §4.5.7 RPF change); a MAG "
                          "whose local sender left (§6.1) queries the LMA like any other; notifications are "
                          "retransmitted until the querier acts on them"}),
    Axis("pbu_q_retransmission", "§4.2 step 2, §6.2",
         "the attached MAG1 sends a PBU-Q message to LMA to query the CoA",
         {"none": "a PBU-Q is sent once; a lost PBU-Q or PBA-Q leaves the query outstanding",
          "rfc5213_backoff": "REPAIR: an outstanding PBU-Q is retransmitted like a PBU "
                             "(RFC 5213 §6.9.4)"}),
    Axis("own_coa", "§6.1, §6.2 MAG op 2",
         "MAG1 could decide whether MN2 attachs to itself according to MN2's HoA ... MAG1 MUST "
         "establish a tunnel with MAG2",
         {"tunnel_anyway": "a PBA-Q naming the MAG's own address is handled like any other CoA",
          "treat_as_local": "REPAIR: a PBA-Q naming the MAG's own address switches to §6.1, pruning "
                            "the old RPF neighbour and dropping its MRIB route"}),
    Axis("stale_answer", "§6.2 MAG ops 1-4",
         "On receiving a PBA-Q message from LMA, MAG1 MUST perform the following operations.",
         {"follow": "MAG1 always builds the route on a PBA-Q, even after its last listener left",
          "drop_without_members": "REPAIR: leaving the last listener abandons the query, and a "
                                  "PBA-Q is acted on only while (S,G) has local members"}),
    Axis("tunnel_forwarding", "§4.2 steps 8-9; Figure 2",
         "MAG2 establishes multicast state for the channel, and adds the MAG2-MAG1 tunnel interface "
         "to the oiflist of the multicast state.",
         {"any_oif": "a MAG forwards (S,G) data on every oiflist tunnel, wherever S is (as written)",
          "local_sources_only": "REPAIR (after RFC 7287 §5.3): a MAG forwards into MAG-MAG tunnels "
                                "only data it received from S on its own access link"}),
    Axis("lma_kind", "§5, §8.1",
         "A new flag (Q) is included in the Binding Update message to indicate to LMA that the "
         "Binding Update message is a Source Address Query message.",
         {"draft": "the LMA implements the draft",
          "rfc5213_only": "INTEROP: the LMA implements only RFC 5213, ignores the reserved Q bit "
                          "(RFC 6275 §6.1.7) and processes the PBU-Q as a PBU for MN2 from MAG1: "
                          "a handover of MN2's binding to MAG1 answered by a plain PBA"}),
    Axis("route", "§1; RFC 6224 §3",
         "MAG MUST act as an MLD proxy [RFC4605] and hence MUST dedicate a tunnel link between LMA and "
         "MAG to an upstream interface for all multicast traffic. It requires all the LMA to forward "
         "multicast packets to MAG via PMIPv6 tunnel which can be suboptimal.",
         {"optimised": "the draft: a listener's MAG queries S's CoA (PBU-Q) and joins over a MAG-MAG tunnel",
          "base_rfc6224": "BASELINE: RFC 6224's base solution the draft optimises: the MAG is an MLD proxy "
                          "whose upstream is the MAG-LMA tunnel; data goes up from the sender's MAG to the "
                          "LMA and down to every MAG with members; no PBU-Q, no MAG-MAG tunnel"}),
)}


@dataclass(frozen=True)
class Variant:
    name: str
    doc: str
    choices: dict[str, str] = field(default_factory=dict)

    def reading(self, axis: str) -> str:
        return self.choices.get(axis, next(iter(AXES[axis].readings)))

    @property
    def cites(self) -> str:
        return "; ".join(AXES[a].cites for a in self.choices) or "whole draft"


REPAIRS = {"tunnel_teardown": "when_unused", "source_mobility": "lma_notifies",
           "stale_answer": "drop_without_members", "tunnel_forwarding": "local_sources_only",
           "pbu_q_retransmission": "rfc5213_backoff", "own_coa": "treat_as_local"}

@dataclass(frozen=True)
class Proposal:
    """Replacement text for the draft, RFC style: where it goes, the draft's text, the new text."""
    where: str     # section and step, as a cite
    old: str       # the draft's words exactly (whitespace aside); checked against the draft
    new: str


# the text each repair reading proposes; reports/SUGGESTED-TEXT.md is generated from it, next to
# the verdicts that show the reading removes a violation of the draft as written
PROPOSED_TEXT: dict[tuple[str, str], Proposal] = {
    ("tunnel_teardown", "when_unused"): Proposal(
        "§4.3 step 6",
        "6.Remove bi-directional tunnel between MAG1 and MAG2. Refer to [RFC5213] for the detailed "
        "tunnel negotiation mechanism.",
        "6. If no (S,G) state, MRIB route, outstanding PBU-Q or PIM message at either end still uses "
        "the MAG1-MAG2 tunnel, MAG1 and MAG2 remove the bi-directional tunnel between them, both ends "
        "together. A tunnel that another channel uses, or that a channel re-joined since step 3 uses "
        "again, MUST NOT be removed."),
    ("pbu_q_retransmission", "rfc5213_backoff"): Proposal(
        "§4.2 step 2",
        "2.On receiving the (S,G) subscribe message from MN1, the attached MAG1 sends a PBU-Q message to "
        "LMA to query the CoA (i. e., IP address of MAG2) of MN2.",
        "2. On receiving the (S,G) subscribe message from MN1, the attached MAG1 sends a PBU-Q message to "
        "the LMA to query the CoA (i.e., the IP address of MAG2) of MN2. If no PBA-Q arrives, MAG1 "
        "retransmits the PBU-Q as it would a Proxy Binding Update ([RFC5213], Section 6.9.4) until a "
        "PBA-Q arrives or the last listener of (S,G) on MAG1 has left."),
    ("stale_answer", "drop_without_members"): Proposal(
        "§6.2 MAG ops 1-4",
        "On receiving a PBA-Q message from LMA, MAG1 MUST perform the following operations.",
        "On receiving a PBA-Q message from the LMA while (S,G) has a listener on one of its MAG-MN "
        "interfaces, MAG1 MUST perform the following operations; otherwise MAG1 MUST discard the PBA-Q. "
        "When the last listener of (S,G) leaves while a PBU-Q is outstanding, MAG1 abandons the query."),
    ("source_mobility", "lma_notifies"): Proposal(
        "§1",
        "The proposed protocol supports seamless handover. In this document, because routes "
        "optimazition for multicast sender is mainly focused on, the detail specification of source "
        "mobility is not described.",
        "When the binding of a source S changes, the LMA sends a PBA-Q carrying the new CoA of S (or a "
        "failure indication) to every MAG that queried S, and retransmits it until that MAG acts on it. "
        "The MAG then joins (S,G) at the new MAG and prunes the old RPF neighbour ([RFC4601], Section "
        "4.5.7). A MAG whose local source left (Section 6.1) queries the LMA like any other MAG."),
    ("tunnel_forwarding", "local_sources_only"): Proposal(
        "§4.2 step 9",
        "9.The subsequent multicast data flow will be transmitted through the optimized multicast "
        "route(MAG1-MAG2 bi-directional tunnel).",
        "9. The subsequent multicast data flow will be transmitted through the optimized multicast route "
        "(the MAG1-MAG2 bi-directional tunnel). A MAG forwards (S,G) data into a MAG-MAG tunnel only when "
        "it received the data from S on its own MAG-MN interface; data received through a MAG-MAG tunnel "
        "is delivered to local listeners only (as in [RFC7287], Section 5.3)."),
    ("own_coa", "treat_as_local"): Proposal(
        "§6.2 MAG op 2",
        "2.MAG1 MUST establish a tunnel with MAG2 for muticast data delivery.",
        "2. If the CoA in the PBA-Q is MAG1's own address, MN2 is attached to MAG1: MAG1 MUST proceed as "
        "in Section 6.1, prune the previous RPF neighbour and remove its MRIB route for S. Otherwise "
        "MAG1 MUST establish a tunnel with MAG2 for multicast data delivery."),
}

VARIANTS: dict[str, Variant] = {v.name: v for v in (
    Variant("draft", "the draft as written: the first reading of every axis"),
    Variant("one-way-tunnel", "tunnel ends created by a set-up signal", {"tunnel_setup": "one_way"}),
    Variant("figure4-teardown", "Figure 4's reading: MAG2 removes the tunnel",
            {"tunnel_teardown": "mag2_per_channel"}),
    Variant("query-once", "no new PBU-Q while the channel has an iif", {"requery": "first_report_only"}),
    Variant("legacy-lma", "an RFC 5213-only LMA receives the PBU-Q", {"lma_kind": "rfc5213_only"}),
    Variant("fix-teardown", "repair: reference-counted tunnel ends", {"tunnel_teardown": "when_unused"}),
    Variant("fix-mobility", "repair: the LMA tells queriers that the sender moved",
            {"source_mobility": "lma_notifies"}),
    Variant("repaired", "every repair together", dict(REPAIRS)),
    Variant("base-path", "RFC 6224's base path, the route the draft optimises (data via the LMA)",
            {"route": "base_rfc6224"}),
)}


def variant(name: str) -> Variant:
    if name not in VARIANTS:
        raise VariantError(f"unknown variant {name!r} (known: {', '.join(VARIANTS)})")
    return VARIANTS[name]
