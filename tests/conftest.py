"""Two tiers of the same tests.  `pytest` is the inner loop (well under a minute, `slow` deselected);
CI sets PMIPMC_TESTS=thorough (.ci/run) for both of its runs, so hypothesis draws the full example
counts there.  What the inner loop draws fewer examples of, CI still draws in full."""
from __future__ import annotations

from hypothesis import settings

from .tiers import THOROUGH

# tests without their own count; those with one scale it by helpers.examples
settings.register_profile("fast", max_examples=25)
settings.register_profile("thorough", max_examples=100)
settings.load_profile("thorough" if THOROUGH else "fast")


def pytest_report_header(config):
    return ("hypothesis: thorough example counts (PMIPMC_TESTS=thorough)" if THOROUGH else
            "hypothesis: inner-loop example counts; PMIPMC_TESTS=thorough draws CI's full counts")
