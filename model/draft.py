"""The draft's text, shipped with the package so citations can be checked without ../shared."""
from __future__ import annotations

from pathlib import Path

DRAFT_PATH = Path(__file__).with_name("draft-liu-multimob-pmipv6-multicast-ro-01.txt")

# numbered lists of the draft that are not "steps", by section and order of appearance
LIST_NAMES = {"5": ["step", "PBA-Q item"], "6.2": ["PBU-Q item", "MAG op", "MAG2 op"]}
NOT_MODELLED = {
    "§5 PBA-Q item 1": "IP header addresses: wire format, checked by `pmipmc lint` (model/wire)",
    "§5 PBA-Q item 2": "IP header addresses: wire format, checked by `pmipmc lint` (model/wire)",
    "§6.2 PBU-Q item 1": "IP header addresses: wire format, checked by `pmipmc lint` (model/wire)",
    "§6.2 PBU-Q item 2": "IP header addresses: wire format, checked by `pmipmc lint` (model/wire)",
    "§4.2 step 9": "data delivery is computed from iif/oiflist (forwarding.py), not a rule",
    "§6": "SSM-aware router behaviour (RFC 4604) is assumed: SSM channels only",
    "§8": "message formats: checked by `pmipmc lint` (model/wire, IANA registry), not the state machine",
}


def text() -> str:
    return DRAFT_PATH.read_text()
