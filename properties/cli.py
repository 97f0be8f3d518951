"""Console entry point: hands the PMIPv6 provider to the PMIPv6-agnostic engine CLI."""
from __future__ import annotations

import sys

from pmipmc.engine.cli import run

from . import provider


def main() -> None:
    sys.exit(run(provider, sys.argv[1:]))
