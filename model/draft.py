"""The draft's text, shipped with the package so citations can be checked without ../shared."""
from __future__ import annotations

from pathlib import Path

DRAFT_PATH = Path(__file__).with_name("draft-liu-multimob-pmipv6-multicast-ro-01.txt")


def text() -> str:
    return DRAFT_PATH.read_text()
