"""Two tiers of the same tests.  `pytest` is the inner loop (well under a minute, `slow` deselected);
CI sets PMIPMC_TESTS=thorough (.ci/run) for both of its runs, so hypothesis draws the full example
counts there.  What the inner loop draws fewer examples of, CI still draws in full."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import settings

from .tiers import THOROUGH

# tests without their own count; those with one scale it by helpers.examples
settings.register_profile("fast", max_examples=25)
settings.register_profile("thorough", max_examples=100)
settings.load_profile("thorough" if THOROUGH else "fast")


def pytest_report_header(config):
    return ("hypothesis: thorough example counts (PMIPMC_TESTS=thorough)" if THOROUGH else
            "hypothesis: inner-loop example counts; PMIPMC_TESTS=thorough draws CI's full counts")


# A test that reaches a real run from the repository's folder writes its reports/ (it happened once,
# and the bad reports were committed); the checked-in outputs must come only from `pmipmc check`.
_REPO = Path(__file__).resolve().parent.parent
_GUARDED = ("reports", "properties/baseline.json")


def _fingerprint_of_checked_in_outputs() -> dict[str, str]:
    found = {}
    for name in _GUARDED:
        root = _REPO / name
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            found[str(path.relative_to(_REPO))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="session", autouse=True)
def checked_in_outputs_stay_untouched():
    before = _fingerprint_of_checked_in_outputs()
    yield
    after = _fingerprint_of_checked_in_outputs()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"the tests wrote into the repository's checked-in outputs: {changed[:5]}"
