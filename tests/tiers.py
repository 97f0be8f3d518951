"""The test tiers, without importing the model (engine tests use it too)."""
from __future__ import annotations

import os

THOROUGH = os.environ.get("PMIPMC_TESTS") == "thorough"   # CI's tier: see conftest.py


def examples(n: int) -> int:
    """A property's hypothesis example count: all n in CI's thorough tier, a quarter (at least 10) in
    the inner loop, which only has to notice a property broken broadly, not in a corner."""
    return n if THOROUGH else max(10, n // 4)
