"""`pmipmc routes`: what the spec's optimisation buys, per scenario and route, as the model computes it.

The model hands over rows and a Markdown table (`provider.route_comparison`); this command only
prints and writes them.  `--reports DIR` leaves ROUTES.md and routes.json there, and the next
`pmipmc check` writing DIR puts the same table into its README.md.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import guards
from .errors import EXIT_OK
from .outputs import atomic_text

ROUTES_JSON = "routes.json"


def add_parser(sub, positive_float) -> None:
    r = sub.add_parser("routes", help="route comparison: tunnel hops, signalling and packet loss with and without "
                                      "the optimisation")
    r.add_argument("--reports", type=Path, help="write ROUTES.md and routes.json into this folder")
    r.add_argument("--json", type=Path, help="write the rows as JSON here")
    r.add_argument("--packet-seconds", type=positive_float, default=120.0,
                   help="time budget of each packet-loss run (default 120; an unfinished run says UNKNOWN)")


def cmd_routes(provider, args) -> int:
    guards.writable_file("--json", args.json)
    guards.writable_dir("--reports", args.reports)
    doc = provider.route_comparison(args.packet_seconds)
    text = json.dumps({"tool": "pmipmc", "routes": doc["rows"], "markdown": doc["markdown"]},
                      indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if args.json:
        atomic_text(args.json, text)
    if args.reports:
        args.reports.mkdir(parents=True, exist_ok=True)
        atomic_text(args.reports / ROUTES_JSON, text)
        atomic_text(args.reports / "ROUTES.md", "\n".join(["# What the optimisation buys", ""] + doc["markdown"]) + "\n")
    print("\n".join(doc["markdown"]))
    return EXIT_OK


def routes_section(folder: Path) -> list[str]:
    """The route-comparison table for README.md, when `pmipmc routes --reports` left routes.json there."""
    src = Path(folder) / ROUTES_JSON
    if not src.exists():
        return []
    return ["", "## What the optimisation buys", ""] + json.loads(src.read_text())["markdown"]
